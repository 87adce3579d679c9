import ShiplintFacts

/// The image's root file system as layers are applied: every path (relative to `/`) with its entry, the binaries
/// read from it (nested archives' too) and its text when it is a metadata file.
struct RootFileSystem {
    struct Node {
        var entry: ArtifactEntry
        var binaries: [Binary]
        var metadata: String?
    }

    let limits: ReadLimits
    let wanted: MetadataSelection
    private(set) var nodes: [String: Node] = [:]
    var problems: [ArtifactProblem] = []
    private(set) var uncompressed: Int64 = 0

    init(limits: ReadLimits, metadata: MetadataSelection) {
        self.limits = limits
        wanted = metadata
    }

    /// Reads one layer blob (verifying its digest) and applies it: whiteouts delete from the layers below, then the
    /// layer's entries replace what was there.
    mutating func apply(layer: ImageReader.Layer, number: Int, from store: ImageStore, integrity: inout [ArtifactProblem]) throws(ReadError) {
        let stream = try store.layer(layer.blob)
        var walk = Walk(limits: limits, metadata: wanted)
        let failure = walk.walk(stream.archive, prefix: "", depth: 0, index: nil)
        let actual = try stream.digest()
        if let expected = layer.digest, expected.hasPrefix("sha256:"), actual != expected {
            integrity.append(ArtifactProblem(
                kind: .unreadableEntry, path: layer.blob,
                message: "layer \(number)'s digest is \(actual), but the manifest says \(expected): the archive was changed or damaged after it was built"))
        }
        if let failure, walk.entries.isEmpty {
            integrity.append(ArtifactProblem(kind: .unreadableArchive, path: layer.blob, message: "layer \(number) could not be read: \(failure)"))
            return
        }
        uncompressed += walk.entries.reduce(Int64(0)) { $0 + $1.size }
        // Whiteouts first: they apply to the layers below only.
        for entry in walk.entries {
            let path = ImageStore.normalise(entry.path)
            let name = path.split(separator: "/").last.map(String.init) ?? path
            let folder = path.split(separator: "/").dropLast().joined(separator: "/")
            if name == ".wh..wh..opq" {
                remove(below: folder, keepingItself: true)
            } else if name.hasPrefix(".wh.") {
                remove(below: (folder.isEmpty ? "" : folder + "/") + name.dropFirst(4), keepingItself: false)
            }
        }
        var binaries: [String: [Binary]] = [:]
        for binary in walk.binaries {
            let parts = binary.path.split(separator: "!", maxSplits: 1)
            let outer = ImageStore.normalise(String(parts[0]))
            let path = parts.count == 2 ? outer + "!" + parts[1] : outer
            binaries[outer, default: []].append(Binary(path: path, size: binary.size, mode: binary.mode, facts: binary.facts, problem: binary.problem))
        }
        var metadata: [String: String] = [:]
        for (path, text) in walk.metadataFiles { metadata[ImageStore.normalise(path)] = text }
        for entry in walk.entries {
            let path = ImageStore.normalise(entry.path)
            guard !path.isEmpty, !path.contains("!") else { continue }
            let name = path.split(separator: "/").last.map(String.init) ?? path
            if name.hasPrefix(".wh.") { continue }
            if case .hardlink(let target) = entry.type {
                // A hard link is the same file under another name: it carries the target's content and facts. Its
                // target is a path from the image's root, to a file an earlier entry wrote: one that climbs out of
                // the root, or that nothing wrote, is not in the image (an extractor fails or writes elsewhere).
                if Self.climbsAboveRoot(target, from: "") {
                    integrity.append(ArtifactProblem(
                        kind: .unreadableEntry, path: path,
                        message: "hard link to \(target) climbs above the image's root: its content is not in the image (an extractor refuses it, or writes outside the root)"))
                } else if nodes[ImageStore.normalise(target)] == nil {
                    integrity.append(ArtifactProblem(
                        kind: .unreadableEntry, path: path,
                        message: "hard link to \(target), which no earlier entry of the image holds: extracting layer \(number) fails there, and the file has no content"))
                }
                let source = nodes[ImageStore.normalise(target)]
                let linked = source?.binaries.map { binary in
                    Binary(path: path + binary.path.dropFirst(ImageStore.normalise(target).count), size: binary.size, mode: binary.mode, facts: binary.facts, problem: binary.problem)
                } ?? []
                nodes[path] = Node(
                    entry: ArtifactEntry(path: path, size: source?.entry.size ?? entry.size, mode: entry.mode ?? source?.entry.mode, type: .file),
                    binaries: linked, metadata: source?.metadata)
                continue
            }
            if case .directory = entry.type, nodes[path].map({ if case .directory = $0.entry.type { true } else { false } }) == true {
                continue
            }
            nodes[path] = Node(
                entry: ArtifactEntry(path: path, size: entry.size, mode: entry.mode, type: entry.type),
                binaries: binaries[path] ?? [], metadata: metadata[path])
        }
        for problem in walk.problems {
            let path = problem.path.map { ImageStore.normalise($0) }
            problems.append(ArtifactProblem(
                kind: problem.kind, path: path, message: path == nil ? "layer \(number): \(problem.message)" : problem.message,
                links: problem.links))
        }
    }

    private mutating func remove(below path: String, keepingItself: Bool) {
        let prefix = path.isEmpty ? "" : path + "/"
        for key in nodes.keys where (key.hasPrefix(prefix) && key != path) || (!keepingItself && key == path) {
            nodes[key] = nil
        }
    }

    var entries: [ArtifactEntry] { nodes.values.map(\.entry) }
    var sortedEntries: [ArtifactEntry] { nodes.keys.sorted().map { nodes[$0]!.entry } }
    var sortedBinaries: [Binary] { nodes.keys.sorted().flatMap { nodes[$0]!.binaries } }
    var metadata: [String: String] { nodes.compactMapValues(\.metadata) }

    /// Symbolic links whose relative target climbs above the image root (`..` past `/`): the kernel stops them at
    /// `/`, so they point at something other than what the link says, or were written to reach out of a build context.
    func escapingLinks() -> [ArtifactProblem] {
        nodes.keys.sorted().compactMap { path in
            guard case .symlink(let target) = nodes[path]!.entry.type, !target.hasPrefix("/"),
                Self.climbsAboveRoot(target, from: path.split(separator: "/").dropLast().joined(separator: "/"))
            else { return nil }
            return ArtifactProblem(
                kind: .unreadableEntry, path: path,
                message: "symbolic link to \(target) climbs above the image's root: it cannot point where it says")
        }
    }

    /// True when `target`, read from the folder `folder` (relative to the root), climbs above the root with `..`.
    static func climbsAboveRoot(_ target: String, from folder: String) -> Bool {
        var depth = folder.split(separator: "/").count
        for part in target.split(separator: "/") where part != "." {
            depth += part == ".." ? -1 : 1
            if depth < 0 { return true }
        }
        return false
    }
}
