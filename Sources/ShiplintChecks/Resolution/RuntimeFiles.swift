import ShiplintFacts
import ShiplintTargets

/// The files of a deployment as the runtime sees them: the function unpacked at the task root, each layer unpacked
/// at the layer root in order (both from `RuntimeView`), a later layer's file replacing an earlier one's.
/// Files inside nested archives are not on the file system (nothing unpacks a wheel inside a ZIP) and are left out.
struct RuntimeFiles {
    /// An ELF file of the deployment, as the loader may map it.
    struct Object: Sendable, Equatable {
        let artifact: String
        let path: String
        let runtimePath: String
        let facts: ElfFacts
    }

    /// An ELF file of the deployment read only partly: the path inside its artifact and what the loader searches with.
    struct PartlyRead: Sendable, Equatable {
        let path: String
        let links: ElfLinks
    }

    enum Node {
        indirect case file(Object?)
        case symlink(String)
        case directory
    }

    private(set) var nodes: [String: Node] = [:]
    /// Runtime paths of files that exist but could not be read (over a cap, damaged, encrypted): whatever they would
    /// provide is present but unverified, never missing.
    private(set) var unread: Set<String> = []
    /// Of the unread files, those read far enough to know what the loader searches with (`ElfLinks`), by runtime path.
    private(set) var partlyRead: [String: PartlyRead] = [:]
    /// Every ELF object by runtime path, in deployment order (function first, then layers).
    private(set) var objects: [Object] = []
    /// No symbolic link anywhere: a normalised path resolves to itself when it exists (the common case, asked for
    /// every candidate of every DT_NEEDED).
    private var hasSymlinks = false

    init(function: Artifact?, layers: [Artifact], runtime: RuntimeView) {
        var mounted: [(Artifact, String)] = []
        if let function { mounted.append((function, runtime.root(of: .function))) }
        mounted += layers.enumerated().map { ($0.element, runtime.root(of: .layer($0.offset + 1))) }
        var objectsByPath: [String: Object] = [:]
        var order: [String] = []
        let unreadKinds: Set<ArtifactProblem.Kind> = [.entryTooLarge, .unreadableEntry, .readerLimit, .encryptedEntry, .artifactTooLarge]
        // JNI libraries the runtime's JVM picks out of a JAR: the library's loader copies the one for its platform to
        // `/tmp` and loads it there, so its own needs are looked up like any library's (other platforms' copies
        // never load). Keyed by artifact, then path inside it.
        var extracted: [String: [String: String]] = [:]
        let placed = (function.map { [($0, ArtifactRole.function)] } ?? []) + layers.enumerated().map { ($0.element, ArtifactRole.layer($0.offset + 1)) }
        if runtime.family == .java || runtime.target.java != nil {
            for choice in NativeChoice.all(placed: placed, runtime: runtime) where choice.picker == .jvm {
                guard let picked = choice.picked else { continue }
                let name = EntryPath.lastComponent(EntryPath.inner(picked)) ?? picked
                extracted[choice.artifact, default: [:]][picked] = LambdaFileSystem.path(
                    LambdaFileSystem.scratchRoot, choice.containerName + "/" + name)
            }
        }
        for (artifact, root) in mounted {
            let extractedHere = extracted[artifact.path] ?? [:]
            let binaries = Dictionary(artifact.binaries.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
            let unreadProblems = artifact.problems.filter { unreadKinds.contains($0.kind) }
            let unreadPaths = Set(unreadProblems.compactMap(\.path))
            var linksByPath: [String: ElfLinks] = [:]
            for problem in unreadProblems { if let path = problem.path, let links = problem.links { linksByPath[path] = links } }
            // Past the artifact's cap nothing more was read: every later file is unverified, not absent.
            let capped = artifact.problems.contains { $0.kind == .artifactTooLarge }
            // Entries as listed, plus any binary the listing lacks (a single-file artifact, facts built in code).
            var unlisted = Set(artifact.binaries.map(\.path))
            if !unlisted.isEmpty {
                for entry in artifact.entries where unlisted.contains(entry.path) { unlisted.remove(entry.path) }
            }
            nodes.reserveCapacity(nodes.count + artifact.entries.count + unlisted.count)
            let paths = artifact.entries.lazy.map { ($0.path, $0.type) }
                + artifact.binaries.lazy.filter { unlisted.contains($0.path) }.map { ($0.path, ArtifactEntry.EntryType.file) }
            // `RuntimePath.join`'s fast way, with the root checked once rather than for every entry.
            let plainRoot = root == "/" ? "" : root.utf8.first == UInt8(ascii: "/") && RuntimePath.isPlain(String(Substring(root.utf8.dropFirst()))) ? root : nil
            for (path, type) in paths where !EntryPath.isNested(path) || extractedHere[path] != nil {
                let runtimePath = if let copied = extractedHere[path] {
                    copied
                } else if let plainRoot, RuntimePath.isPlain(path) { plainRoot + "/" + path } else { RuntimePath.join(root, path) }
                // `unread` and `objectsByPath` only hold paths `nodes` has: a path new to `nodes` has nothing to
                // replace there (most paths are new: one lookup instead of three).
                switch type {
                case .file, .hardlink:
                    var object: Object?
                    if case .elf(let facts)? = binaries[path]?.facts {
                        object = Object(artifact: artifact.path, path: path, runtimePath: runtimePath, facts: facts)
                    }
                    let isUnread = object == nil && (unreadPaths.contains(path) || (capped && binaries[path] == nil))
                    if object == nil && !isUnread && nodes[runtimePath] == nil {
                        // A new file that is neither an ELF object nor unread: nothing the loader looks up can be
                        // it (a lookup there finds no object either way), so only its folders are recorded. Most
                        // entries are such files (100,000 in a Node.js package).
                        addParents(of: runtimePath)
                        continue
                    }
                    let isNew = nodes.updateValue(.file(object), forKey: runtimePath) == nil
                    if isUnread {
                        unread.insert(runtimePath)
                        partlyRead[runtimePath] = linksByPath[path].map { PartlyRead(path: path, links: $0) }
                    } else if !isNew {
                        unread.remove(runtimePath)
                        partlyRead[runtimePath] = nil
                    }
                    if let object {
                        if isNew || objectsByPath[runtimePath] == nil { order.append(runtimePath) }
                        objectsByPath[runtimePath] = object
                    } else if !isNew {
                        objectsByPath[runtimePath] = nil
                    }
                case .symlink(let target):
                    hasSymlinks = true
                    if nodes.updateValue(.symlink(target), forKey: runtimePath) != nil { objectsByPath[runtimePath] = nil }
                case .directory:
                    nodes[runtimePath] = .directory
                case .other:
                    break
                }
                addParents(of: runtimePath)
            }
        }
        objects = order.compactMap { objectsByPath[$0] }
    }

    /// Parent folders exist even when the archive lists no entry for them.
    private mutating func addParents(of runtimePath: String) {
        var parent = RuntimePath.parentOfNormalised(runtimePath)
        while parent.utf8.count > 1, nodes[parent] == nil {
            nodes[parent] = .directory
            parent = RuntimePath.parentOfNormalised(parent)
        }
    }

    /// The ELF object at `path`, following symbolic links (in any component, at most 40, as the kernel allows).
    func object(at path: String) -> Object? {
        guard let resolved = resolve(path), case .file(let object)? = nodes[resolved] else { return nil }
        return object
    }


    /// The resolved path when `path` is a file of the deployment that could not be read.
    func unreadFile(at path: String) -> String? {
        guard let resolved = resolve(path), unread.contains(resolved) else { return nil }
        return resolved
    }

    /// The file at `path` when it could not be read whole but what the loader searches with was read.
    func partlyReadFile(at resolved: String) -> PartlyRead? {
        partlyRead[resolved]
    }

    func resolve(_ path: String) -> String? {
        // Without links, walking a normalised path component by component only asks whether it exists (every
        // parent of a node is a node).
        if !hasSymlinks, path.utf8.first == UInt8(ascii: "/"), RuntimePath.isPlain(String(Substring(path.utf8.dropFirst()))) {
            return nodes[path] == nil ? nil : path
        }
        var remaining = RuntimePath.components(path)
        var current = ""
        var hops = 0
        while !remaining.isEmpty {
            let component = remaining.removeFirst()
            if component == ".." {
                current = RuntimePath.parent(current.isEmpty ? "/" : current)
                if current == "/" { current = "" }
                continue
            }
            let candidate = current + "/" + component
            switch nodes[candidate] {
            case nil:
                return nil
            case .symlink(let target)?:
                hops += 1
                guard hops <= 40 else { return nil }
                remaining = RuntimePath.components(target) + remaining
                if target.hasPrefix("/") { current = "" }
            case .directory?, .file?:
                current = candidate
            }
        }
        return current.isEmpty ? "/" : current
    }
}

enum RuntimePath {
    static func components(_ path: String) -> [String] {
        path.utf8.split(separator: UInt8(ascii: "/")).compactMap { part in
            part.count == 1 && part.first == UInt8(ascii: ".") ? nil : String(Substring(part))
        }
    }

    /// True when `path` is a non-empty run of components, each neither empty, `.` nor `..` (no leading or trailing
    /// `/`): joining it needs no normalising. Most entry paths are (this is asked of every entry).
    static func isPlain(_ path: String) -> Bool {
        var length = 0
        var dots = 0
        for byte in path.utf8 {
            if byte == UInt8(ascii: "/") {
                if length == 0 || dots == length { return false }
                length = 0
                dots = 0
            } else {
                length += 1
                if byte == UInt8(ascii: ".") && dots == length - 1 { dots += 1 }
            }
        }
        return length > 0 && !(dots == length && length <= 2)
    }

    /// Joins and normalises: `/var/task` + `pkg/../lib/x.so` is `/var/task/lib/x.so`.
    static func join(_ base: String, _ relative: String) -> String {
        if isPlain(relative) {
            if base == "/" { return "/" + relative }
            if base.utf8.first == UInt8(ascii: "/"), isPlain(String(Substring(base.utf8.dropFirst()))) { return base + "/" + relative }
        }
        var parts = relative.hasPrefix("/") ? [] : components(base)
        for component in components(relative) {
            if component == ".." {
                if !parts.isEmpty { parts.removeLast() }
            } else {
                parts.append(component)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    /// `parent` of a path `join` made (normalised, starting with `/`): everything before its last `/`.
    static func parentOfNormalised(_ path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return parent(path) }
        return slash == path.utf8.startIndex ? "/" : String(path[..<slash])
    }

    static func parent(_ path: String) -> String {
        // A normalised path (`/a/b`): everything before its last `/`.
        if path.utf8.first == UInt8(ascii: "/"), isPlain(String(Substring(path.utf8.dropFirst()))) {
            let slash = path.utf8.lastIndex(of: UInt8(ascii: "/"))!
            return slash == path.utf8.startIndex ? "/" : String(path[..<slash])
        }
        let parts = components(path)
        return parts.count <= 1 ? "/" : "/" + parts.dropLast().joined(separator: "/")
    }
}
