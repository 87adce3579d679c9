import ShiplintFacts
import ShiplintTargets

/// One input of a deployment as a finding names it: the function (unpacked at `/var/task`) or the n-th layer
/// (unpacked at `/opt`, later layers over earlier ones).
struct DeploymentInput: Sendable {
    let artifact: Artifact
    let role: ArtifactRole
    /// Entries Lambda unpacks: those of the artifact itself, not the files of archives inside it, each path split
    /// once for every check of the scan.
    let unpacked: [UnpackedEntry]

    init(artifact: Artifact, role: ArtifactRole, unpacked: [UnpackedEntry]? = nil) {
        self.artifact = artifact
        self.role = role
        self.unpacked = unpacked ?? UnpackedEntry.all(in: artifact)
    }

    /// 1-based position among the layers; nil for the function.
    var layerNumber: Int? { role.layerNumber }
    var isLayer: Bool { layerNumber != nil }

    /// "the function (function.zip)", "layer 2 (deps.zip)".
    var label: String { "\(shortLabel) (\(artifact.path))" }

    /// "the function", "layer 2".
    var shortLabel: String { layerNumber.map { "layer \($0)" } ?? "the function" }


    /// What it takes on disk once unzipped.
    var unzippedSize: Int64 {
        unpacked.reduce(0) { total, item in item.entry.type == .file ? total + item.entry.size : total }
    }
}

/// An entry Lambda unpacks, with its path split into components once: every package check of a scan reads them,
/// instead of splitting every path again in every check (issue #10).
struct UnpackedEntry: Sendable {
    let entry: ArtifactEntry
    /// `EntryPath.components(entry.path)`.
    let components: [String]

    var path: String { entry.path }
    var isFile: Bool { entry.type == .file }

    /// The artifact's entries that are not inside a nested archive, in listing order.
    static func all(in artifact: Artifact) -> [UnpackedEntry] {
        var entries: [UnpackedEntry] = []
        entries.reserveCapacity(artifact.entries.count)
        for entry in artifact.entries where !EntryPath.isNested(entry.path) {
            entries.append(UnpackedEntry(entry: entry, components: EntryPath.components(entry.path)))
        }
        return entries
    }

    /// The components below `folder` when the path lies inside it (`EntryPath.path(_:isInside:)`), nil otherwise:
    /// the same as splitting what follows `folder/`, without splitting again.
    func components(inside folder: EntryFolder) -> ArraySlice<String>? {
        if folder.path.isEmpty { return components[...] }
        guard entry.path.hasPrefix(folder.slashed) else { return nil }
        if folder.isPlain && entry.path.utf8.starts(with: folder.slashed.utf8) { return components.dropFirst(folder.depth) }
        return EntryPath.components(String(entry.path.dropFirst(folder.path.count + 1)))[...]
    }
}

/// A folder entry paths are tested against many times (a layer's module path): its `folder/` prefix made once.
struct EntryFolder: Sendable {
    let path: String
    /// `path + "/"`.
    let slashed: String
    /// How many components it has.
    let depth: Int
    /// `path.count`: deeper folders are told apart by it.
    let length: Int
    /// Its components joined are itself (no empty or `.` component): a path inside it starts with exactly them.
    let isPlain: Bool

    init(_ path: String) {
        self.path = path
        slashed = path + "/"
        let components = EntryPath.components(path)
        depth = components.count
        length = path.count
        isPlain = components.joined(separator: "/") == path
    }

    /// `EntryPath.path(path, isInside: self.path)`.
    func contains(_ path: String) -> Bool { self.path.isEmpty || path.hasPrefix(slashed) }
}

/// Paths as archives store them: `/`-separated, `!` between an archive and the archive inside it.
enum EntryPath {
    // Paths are compared byte by byte (UTF-8): every check asks this of every entry, and `String.contains(String)`
    // or a Character split costs far more per call (100,000 entries × every check, issue #10).
    static func isNested(_ path: String) -> Bool {
        path.utf8.withContiguousStorageIfAvailable { $0.contains(UInt8(ascii: "!")) } ?? path.utf8.contains(UInt8(ascii: "!"))
    }

    /// The path inside the innermost archive.
    static func inner(_ path: String) -> String {
        guard let bang = path.utf8.lastIndex(of: UInt8(ascii: "!")) else { return path }
        return String(path[path.utf8.index(after: bang)...])
    }

    /// Path components, ignoring empty ones and `.` (`./handler.py` is `handler.py`).
    static func components(_ path: String) -> [String] {
        var parts: [String] = []
        eachComponent(path) { parts.append(String($0)); return true }
        return parts
    }

    /// The first of `components`, without splitting the rest.
    static func firstComponent(_ path: String) -> String? {
        var first: Substring?
        eachComponent(path) { first = $0; return false }
        return first.map(String.init)
    }

    /// The last of `components` (the file name).
    static func lastComponent(_ path: String) -> String? {
        var last: Substring?
        eachComponent(path) { last = $0; return true }
        return last.map(String.init)
    }

    /// Calls `body` with each component (empty ones and `.` skipped) until it returns false; nothing is allocated.
    static func eachComponent(_ path: String, _ body: (Substring) -> Bool) {
        let utf8 = path.utf8
        let slash = UInt8(ascii: "/")
        // Native strings: scan the bytes, and make each component from its offsets (O(1) on UTF-8 storage).
        let scanned: Void? = utf8.withContiguousStorageIfAvailable { bytes in
            var start = 0
            for index in 0...bytes.count {
                guard index == bytes.count || bytes[index] == slash else { continue }
                let length = index - start
                if length > 0 && !(length == 1 && bytes[start] == UInt8(ascii: ".")) {
                    let lower = utf8.index(utf8.startIndex, offsetBy: start)
                    if !body(Substring(utf8[lower..<utf8.index(lower, offsetBy: length)])) { return }
                }
                start = index + 1
            }
        }
        if scanned != nil { return }
        var start = utf8.startIndex
        var index = start
        while true {
            let atEnd = index == utf8.endIndex
            if atEnd || utf8[index] == slash {
                if start != index {
                    let part = Substring(utf8[start..<index])
                    if !(part.utf8.count == 1 && part.utf8.first == UInt8(ascii: ".")) && !body(part) { return }
                }
                if atEnd { return }
                start = utf8.index(after: index)
            }
            index = utf8.index(after: index)
        }
    }

    /// True when `path` lies inside `folder` (`folder` empty: everything does).
    static func path(_ path: String, isInside folder: String) -> Bool {
        folder.isEmpty || path.hasPrefix(folder + "/")
    }
}

/// Sizes the way AWS writes its limits: "250 MB" means 250 × 2^20 bytes.
enum ByteCount {
    static func megabytes(_ bytes: Int64) -> String {
        let tenths = (bytes * 10 + (1 << 19)) / (1 << 20)
        return tenths % 10 == 0 ? "\(tenths / 10) MB" : "\(tenths / 10).\(tenths % 10) MB"
    }

    static func megabytes(_ bytes: Int) -> String { megabytes(Int64(bytes)) }
}

/// Files of the Python import system: sources, bytecode, extension modules and installed distributions' metadata.
enum PythonFile {
    static func isPython(_ path: String) -> Bool { isPython(components: EntryPath.components(path)) }

    static func isPython<Components: BidirectionalCollection<String>>(components: Components) -> Bool {
        guard let name = components.last else { return false }
        if name.hasSuffix(".py") || name.hasSuffix(".pyc") { return true }
        if ExtensionModuleName(fileName: name) != nil { return true }
        return components.dropLast().contains { $0.hasSuffix(".dist-info") || $0.hasSuffix(".egg-info") }
    }

    /// The top-level module a file provides, given its path relative to a folder on `sys.path`
    /// (`requests/api.py` → `requests`, `six.py` → `six`, `_cffi_backend.cpython-313-x86_64-linux-gnu.so` → `_cffi_backend`).
    static func topLevelModule<Components: BidirectionalCollection<String>>(relative components: Components) -> (name: String, isPackage: Bool)? {
        guard let first = components.first, let name = components.last else { return nil }
        let isModuleFile = name.hasSuffix(".py") || ExtensionModuleName(fileName: name) != nil
        guard isModuleFile else { return nil }
        if components.count == 1 {
            let module = name.hasSuffix(".py") ? String(name.dropLast(3)) : ExtensionModuleName(fileName: name)!.module
            return isIdentifier(module) && !module.hasPrefix("__") ? (module, false) : nil
        }
        return isIdentifier(first) && first != "__pycache__" ? (first, true) : nil
    }

    /// Folders named `pkg-1.0.dist-info` or `numpy.libs` are not importable.
    static func isIdentifier(_ name: String) -> Bool {
        // ASCII names (nearly all): letters, digits and `_` are what the Character rules below say for ASCII.
        if let ascii = name.utf8.withContiguousStorageIfAvailable({ bytes -> Bool? in
            guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
            func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") }
            guard let head = bytes.first, head == UInt8(ascii: "_") || isLetter(head) else { return false }
            return bytes.allSatisfy { $0 == UInt8(ascii: "_") || isLetter($0) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) }
        }), let answer = ascii {
            return answer
        }
        guard let head = name.first, head == "_" || head.isLetter else { return false }
        return name.allSatisfy { $0 == "_" || $0.isLetter || $0.isNumber }
    }
}
