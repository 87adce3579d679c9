import ShiplintFacts

/// A Python distribution pip installed into an artifact, from its `*.dist-info` folder: the name (METADATA's `Name:`,
/// else the folder's), the version, and the files its RECORD lists (as far as the reader kept it).
struct InstalledDistribution: Equatable {
    /// `psycopg2-2.7.5.dist-info` inside `python/` is `python/psycopg2-2.7.5.dist-info`.
    let folder: String
    /// The folder on the module path it was installed into (`""`, `python/`, `python/lib/python3.13/site-packages/`).
    let root: String
    let name: String
    let version: String
    /// Paths relative to `root`, from RECORD.
    let files: Set<String>

    /// Every distribution installed in `artifact` (not inside nested archives), in path order.
    static func all(in artifact: Artifact) -> [InstalledDistribution] {
        all(in: artifact, unpacked: UnpackedEntry.all(in: artifact))
    }

    /// The same, with the artifact's entries already split.
    static func all(in artifact: Artifact, unpacked: [UnpackedEntry]) -> [InstalledDistribution] {
        var folders = Set<String>()
        for entry in unpacked {
            let components = entry.components
            if let index = components.firstIndex(where: { $0.hasSuffix(".dist-info") }) {
                folders.insert(components[0...index].joined(separator: "/"))
            }
        }
        return folders.sorted().compactMap { folder in
            let components = EntryPath.components(folder)
            let base = String(components.last!.dropLast(".dist-info".count))
            // `opencv_contrib_python-4.10.0.84`: the name is everything before the last dash.
            guard let dash = base.lastIndex(of: "-") else { return nil }
            let root = components.dropLast().map { $0 + "/" }.joined()
            var name = String(base[..<dash]).replacingText("_", with: "-")
            if let metadata = artifact.metadataFiles[folder + "/METADATA"],
                let line = metadata.split(whereSeparator: \.isNewline).first(where: { $0.hasPrefix("Name:") })
            {
                name = line.dropFirst("Name:".count).trimmingWhitespace()
            }
            let files = Set((artifact.metadataFiles[folder + "/RECORD"] ?? "").split(whereSeparator: \.isNewline).compactMap { line in
                line.split(separator: ",", maxSplits: 1).first.map(String.init)
            })
            return InstalledDistribution(folder: folder, root: root, name: name, version: String(base[base.index(after: dash)...]), files: files)
        }
    }

    /// The distribution that installed `path`: the one whose RECORD lists it, else the one whose normalised name is
    /// the file's top-level package (`pydantic_core/…` → pydantic-core).
    static func owning(_ path: String, in artifact: Artifact) -> InstalledDistribution? {
        owning(path, among: all(in: artifact))
    }

    static func owning(_ path: String, among installed: [InstalledDistribution]) -> InstalledDistribution? {
        if let recorded = installed.first(where: { path.hasPrefix($0.root) && $0.files.contains(String(path.dropFirst($0.root.count))) }) {
            return recorded
        }
        let named = installed.first { distribution in
            guard path.hasPrefix(distribution.root) else { return false }
            return normalised(distribution.name) == normalised(importName(of: path, under: distribution.root))
        }
        if let named { return named }
        // A RECORD that lists nothing (left empty, or cut before its first line): the distribution known to install
        // that import name (`grpc/…` → grpcio, `yaml/…` → PyYAML).
        return installed.first { distribution in
            guard distribution.files.isEmpty, path.hasPrefix(distribution.root) else { return false }
            let top = importName(of: path, under: distribution.root)
            return PythonImportNames.distributions(installing: top).contains { normalised($0) == normalised(distribution.name) }
        }
    }

    /// The top-level import name of `path` below `root`: its first folder (`grpc/_cython/…` → `grpc`), or, for a
    /// single-file module at the top, the file's name before its first dot (`_cffi_backend.cpython-311-….so` →
    /// `_cffi_backend`, `_pg.cp39-win_amd64.pyd` → `_pg`).
    static func importName(of path: String, under root: String) -> String {
        let components = EntryPath.components(String(path.dropFirst(root.count)))
        guard let top = components.first else { return "" }
        return components.count == 1 ? String(top.prefix { $0 != "." }) : top
    }

    static func normalised(_ name: String) -> String {
        name.lowercased().replacingText("-", with: "_").replacingText(".", with: "_")
    }

    /// The alternative when `soname` is what it does without: the GUI's libraries for OpenCV, libpq for psycopg2.
    func alternative(for soname: String) -> (name: String, why: String)? {
        guard let alternative else { return nil }
        let gui = ["libGL.", "libX", "libSM.", "libICE.", "libgthread-", "libgtk-", "libQt"]
        switch Self.normalised(name) {
        case "opencv_python", "opencv_contrib_python": return gui.contains { soname.hasPrefix($0) } ? alternative : nil
        case "psycopg2": return soname.hasPrefix("libpq.") ? alternative : nil
        default: return nil
        }
    }

    /// The same package built without what Lambda lacks, or with Linux wheels where the name has none.
    var alternative: (name: String, why: String)? {
        switch Self.normalised(name) {
        case "opencv_python": ("opencv-python-headless", "the same OpenCV without the GUI, so it needs no libGL")
        case "opencv_contrib_python": ("opencv-contrib-python-headless", "the same OpenCV with contrib modules, without the GUI, so it needs no libGL")
        case "psycopg2": ("psycopg2-binary", "psycopg2 is published as source only; psycopg2-binary has manylinux wheels that bundle libpq")
        default: nil
        }
    }
}
