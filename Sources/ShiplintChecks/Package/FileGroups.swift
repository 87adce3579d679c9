import ShiplintFacts

/// Which group holds each file of one input of a deployment: the Python distribution pip installed it from, the Node
/// package it belongs to, else the top-level folder below the module path it sits in (a layer's `lib/`, a package
/// copied without metadata), or the archive inside the artifact it was read from. Built once per input, only when a
/// finding lands on it.
struct FileGroups {
    private let input: DeploymentInput
    private let distributions: [InstalledDistribution]
    /// Top-level folders (below a distribution's root) that a distribution's RECORD names files in: a RECORD cut at
    /// the metadata cap still claims the folders it names (`psycopg2_binary.libs/` for psycopg2-binary).
    private let foldersByDistribution: [String: Int]
    private let nodePackages: [String: InstalledNodePackage]
    /// Folders of the module path, deepest first (`python/lib/python3.13/site-packages`, `python`; `""` for a Python
    /// function's root, `node_modules` for a Node.js one).
    private let moduleFolders: [String]

    init(input: DeploymentInput, runtime: RuntimeView) {
        self.input = input
        let distributions = InstalledDistribution.all(in: input.artifact, unpacked: input.unpacked)
        self.distributions = distributions
        var folders: [String: Int] = [:]
        for (index, distribution) in distributions.enumerated() {
            for file in distribution.files {
                let parts = EntryPath.components(file)
                guard parts.count >= 2 else { continue }
                let key = distribution.root + parts[0]
                if folders[key] == nil { folders[key] = index }
            }
        }
        foldersByDistribution = folders
        nodePackages = Dictionary(
            InstalledNodePackage.all(in: input.artifact).map { ($0.folder, $0) }, uniquingKeysWith: { first, _ in first })
        var moduleFolders: [String]
        switch input.role {
        case .function: moduleFolders = runtime.modules?.functionFolders ?? [""]
        case .layer: moduleFolders = runtime.modules?.layerSearchOrder ?? []
        }
        if !moduleFolders.contains("") { moduleFolders.append("") }
        self.moduleFolders = moduleFolders.sorted { $0.count > $1.count }
    }

    /// The group of the file at `path` (a path of this input), nil for a file at the top of the artifact.
    func group(of path: String) -> FindingGroup? {
        if EntryPath.isNested(path) {
            let outer = String(path[..<path.firstIndex(of: "!")!])
            return FindingGroup(kind: .archive, name: outer, location: outer)
        }
        if let distribution = distribution(of: path) {
            return FindingGroup(kind: .distribution, name: distribution.name, version: distribution.version, location: distribution.root)
        }
        let components = EntryPath.components(path)
        if let package = nodePackage(components) { return package }
        // A top-level package or folder below the deepest module folder holding the file.
        for folder in moduleFolders {
            let depth = folder.isEmpty ? 0 : EntryPath.components(folder).count
            guard EntryPath.path(path, isInside: folder), components.count >= depth + 2 else { continue }
            let location = components.prefix(depth + 1).joined(separator: "/")
            return FindingGroup(kind: .folder, name: location, location: location)
        }
        return nil
    }

    /// The distribution whose `.dist-info` folder holds the file (its WHEEL, METADATA, RECORD), or whose RECORD lists
    /// it; else the one whose RECORD names files in the same top-level folder; else the one named like that folder
    /// (`numpy/`, `numpy.libs/` for numpy).
    private func distribution(of path: String) -> InstalledDistribution? {
        if let own = distributions.first(where: { !$0.folder.isEmpty && EntryPath.path(path, isInside: $0.folder) }) { return own }
        if let recorded = distributions.first(where: { path.hasPrefix($0.root) && $0.files.contains(String(path.dropFirst($0.root.count))) }) {
            return recorded
        }
        for distribution in distributions where path.hasPrefix(distribution.root) {
            let parts = EntryPath.components(String(path.dropFirst(distribution.root.count)))
            guard parts.count >= 2 else { continue }
            let top = parts[0]
            if let index = foldersByDistribution[distribution.root + top] { return distributions[index] }
            let name = top.hasSuffix(".libs") ? String(top.dropLast(".libs".count)) : top
            if InstalledDistribution.normalised(name) == InstalledDistribution.normalised(distribution.name) { return distribution }
        }
        return nil
    }

    /// The deepest `node_modules/<name>` or `node_modules/@scope/<name>` the path lies in.
    private func nodePackage(_ components: [String]) -> FindingGroup? {
        guard let index = components.dropLast().lastIndex(of: "node_modules"), index + 2 < components.count else { return nil }
        let scoped = components[index + 1].hasPrefix("@")
        guard !scoped || index + 3 < components.count else { return nil }
        let folder = components.prefix(index + (scoped ? 3 : 2)).joined(separator: "/")
        let manifest = nodePackages[folder]
        let name = manifest?.name ?? components[(index + 1)...(index + (scoped ? 2 : 1))].joined(separator: "/")
        return FindingGroup(kind: .nodePackage, name: name, version: manifest?.version, location: folder)
    }
}
