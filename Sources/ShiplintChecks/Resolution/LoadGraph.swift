import FoundationEssentials
import ShiplintFacts
import ShiplintTargets

/// Where one DT_NEEDED entry of one object resolved, the way glibc's loader would on the target.
public enum Resolution: Sendable, Equatable {
    /// A file of the deployment, found through `step` (`RPATH`, `LD_LIBRARY_PATH`, `RUNPATH`) in `directory`.
    case bundled(object: Int, directory: String, step: String)
    /// An object already loaded under that name (glibc matches loaded names before searching).
    case alreadyLoaded(object: Int)
    /// A library of the runtime itself, found in `directory` (or the loader's default directories).
    case runtime(directory: String)
    /// A file of the deployment that could not be read (over a cap, damaged, encrypted): present, unverified. Its own
    /// needs are unknown; the entry has its own finding.
    case unverified(path: String)
    /// Nowhere: `searched` says where the loader looked, in order (`RPATH of pkg/_mod.so (/var/task/pkg.libs)`,
    /// `LD_LIBRARY_PATH`, …).
    case missing(searched: [String])
}

/// The dependency graph of a deployment: every ELF object, and for each, where each needed library resolved.
public struct LoadGraph: Sendable {
    public struct Object: Sendable, Equatable {
        public let artifact: String
        public let path: String
        public let runtimePath: String
        public let facts: ElfFacts
    }

    public struct Edge: Sendable, Equatable {
        public let from: Int
        public let soname: String
        public let resolution: Resolution
        /// Object ids from the root that loaded `from` down to `from`.
        public let chain: [Int]
        /// The paths (inside their artifacts) of what loaded `from`, root first: the objects of `chain` before it, and
        /// any file read only in part between them (not an object of the graph, yet the one that loaded the next).
        public var loadedBy: [String] = []
    }

    /// A root and the edges met loading it, breadth first (glibc's order).
    public struct Load: Sendable {
        public let root: Int
        public let edges: [Edge]

        /// The same load with object ids moved by `offset`, for joining graphs.
        public func shifted(by offset: Int) -> Load {
            Load(root: root + offset, edges: edges.map { edge in
                let resolution: Resolution
                switch edge.resolution {
                case .bundled(let object, let directory, let step): resolution = .bundled(object: object + offset, directory: directory, step: step)
                case .alreadyLoaded(let object): resolution = .alreadyLoaded(object: object + offset)
                default: resolution = edge.resolution
                }
                var shifted = Edge(from: edge.from + offset, soname: edge.soname, resolution: resolution, chain: edge.chain.map { $0 + offset })
                shifted.loadedBy = edge.loadedBy
                return shifted
            })
        }

        /// Some library it needs is found nowhere.
        var hasMissing: Bool {
            edges.contains { if case .missing = $0.resolution { true } else { false } }
        }
    }

    public let objects: [Object]
    public let loads: [Load]
    /// Every (object, soname) with its first resolution: what a loader would do loading the first root that needs it.
    /// Computed once with the graph: several checks and reports read it.
    public let firstResolutions: [Edge]
    /// Object ids by (artifact, path), the first object of each.
    private let objectIDs: [ObjectKey: Int]
    /// Where each (object id, soname) of `firstResolutions` is.
    private let firstResolutionIndex: [EdgeKey: Int]

    private struct ObjectKey: Hashable {
        let artifact: String
        let path: String
    }

    private struct EdgeKey: Hashable {
        let from: Int
        let soname: String
    }

    public init(objects: [Object], loads: [Load]) {
        self.objects = objects
        self.loads = loads
        var index: [EdgeKey: Int] = [:]
        var first: [Edge] = []
        for load in loads {
            for edge in load.edges {
                let key = EdgeKey(from: edge.from, soname: edge.soname)
                guard index[key] == nil else { continue }
                index[key] = first.count
                first.append(edge)
            }
        }
        firstResolutions = first
        firstResolutionIndex = index
        var ids: [ObjectKey: Int] = [:]
        for (id, object) in objects.enumerated() where ids[ObjectKey(artifact: object.artifact, path: object.path)] == nil {
            ids[ObjectKey(artifact: object.artifact, path: object.path)] = id
        }
        objectIDs = ids
    }

    /// Where `soname` resolved for the object at `path` of `artifact` (its first load), nil when not in the graph.
    public func resolution(of soname: String, neededBy artifact: String, path: String) -> Resolution? {
        guard let id = objectIDs[ObjectKey(artifact: artifact, path: path)],
            let edge = firstResolutionIndex[EdgeKey(from: id, soname: soname)]
        else { return nil }
        return firstResolutions[edge].resolution
    }

    /// Every edge where the library is missing, once per (object, soname), with the chain that first reached it.
    public var missing: [Edge] {
        firstResolutions.filter { if case .missing = $0.resolution { true } else { false } }
    }
}

/// Resolves DT_NEEDED entries as glibc's `ld.so` does (elf/dl-load.c, `_dl_map_object`): a name already loaded
/// matches first; then DT_RPATH of the object and of every object that loaded it, unless the object has DT_RUNPATH;
/// then LD_LIBRARY_PATH; then the object's own DT_RUNPATH; then the system's default directories. `$ORIGIN`
/// expands to the folder of the object carrying the path; a candidate must match the object's ELF class, byte order
/// and machine, or the loader skips it and searches on.
public enum LoaderModel {
    public static func graph(function: Artifact?, layers: [Artifact], target: TargetRuntime) -> LoadGraph {
        graph(function: function, layers: layers, runtime: RuntimeView(target: target))
    }

    /// The graph of a function and its layers as `runtime` mounts and loads them.
    public static func graph(function: Artifact?, layers: [Artifact], runtime: RuntimeView) -> LoadGraph {
        let files = RuntimeFiles(function: function, layers: layers, runtime: runtime)
        let objects = files.objects.map {
            LoadGraph.Object(artifact: $0.artifact, path: $0.path, runtimePath: $0.runtimePath, facts: $0.facts)
        }
        let ids = Dictionary(objects.enumerated().map { ($0.element.runtimePath, $0.offset) }, uniquingKeysWith: { first, _ in first })
        let resolver = Resolver(files: files, objects: objects, ids: ids, libraries: runtime.libraries)
        // Roots: what `import`, `require` or the runtime loads directly. Then every object no root reached, on its own.
        let rootIDs = objects.indices.filter { LoaderModel.isEntryPoint(objects[$0]) }
        var loads: [LoadGraph.Load] = []
        var reached = Set<Int>()
        // Where a load met a file that was not read at all (over a cap, damaged, encrypted): what it needs is unknown.
        var hiddenBelow: [Resolver.Above] = []
        for root in rootIDs {
            let walk = resolver.walk(root: root)
            reached.formUnion(walk.reached)
            for above in walk.unread where !hiddenBelow.contains(above) { hiddenBelow.append(above) }
            loads.append(walk.load)
        }
        // A library nothing read reached may be one an unread file needs, and ld.so would search for its needs with
        // the DT_RPATH of the unread file and of every object above it (elf/dl-load.c _dl_map_object). A file read far
        // enough to know its DT_NEEDED and paths is walked through above; of one not read at all, the paths of the
        // objects above it are known (scs's module → unread libopenblas → libgfortran → libquadmath, found through the
        // module's RPATH $ORIGIN/scs.libs), its own are not. Such a library is judged as loaded there when that finds
        // everything it needs; on its own otherwise.
        for id in objects.indices where !reached.contains(id) {
            let alone = resolver.walk(root: id).load
            guard alone.hasMissing, !LoaderModel.isEntryPoint(objects[id]) else {
                loads.append(alone)
                continue
            }
            let underUnread = hiddenBelow.lazy.filter { !$0.chain.contains(id) }.map { resolver.walk(root: id, above: $0).load }.first { !$0.hasMissing }
            loads.append(underUnread ?? alone)
        }
        return LoadGraph(objects: objects, loads: loads)
    }

    /// Extension modules (`*.cpython-*.so`, `*.abi3.so`, tagged or plain `.so` not named `lib…`), Node addons and
    /// executables are loaded by the runtime itself; `lib…` files are loaded by them.
    static func isEntryPoint(_ object: LoadGraph.Object) -> Bool {
        let name = object.path.split(separator: "/").last.map(String.init) ?? object.path
        if object.facts.type == .exec || (object.facts.interpreter != nil && object.facts.soname == nil) { return true }
        if name.hasSuffix(".node") { return true }
        if ExtensionModuleName(fileName: name) != nil { return true }
        return name.hasSuffix(".so") && !name.hasPrefix("lib")
    }
}

private struct Resolver {
    let files: RuntimeFiles
    let objects: [LoadGraph.Object]
    let ids: [String: Int]
    /// LD_LIBRARY_PATH, and the runtime's own folders with the sonames each holds; anything else is looked up in the
    /// deployment.
    let libraries: LibrarySearch
    /// Each object's DT_RPATH and DT_RUNPATH with `$ORIGIN` expanded, once per object rather than once per lookup.
    private let rpaths: [[String]]
    private let runpaths: [[String]]

    init(files: RuntimeFiles, objects: [LoadGraph.Object], ids: [String: Int], libraries: LibrarySearch) {
        self.files = files
        self.objects = objects
        self.ids = ids
        self.libraries = libraries
        rpaths = objects.map { Self.expand($0.facts.rpath, origin: $0.runtimePath) }
        runpaths = objects.map { Self.expand($0.facts.runpath, origin: $0.runtimePath) }
    }

    /// The objects above one being loaded: their ids (the load chain, for the report) and the DT_RPATH lists ld.so
    /// searches for it after its own, nearest first (elf/dl-load.c _dl_map_object walks `l_loader` up to the root).
    /// An object with DT_RUNPATH adds none (elf/get-dynamic-info.h drops DT_RPATH when DT_RUNPATH is there); a file
    /// read only partly adds its own though it is not in the chain of ids.
    struct Above: Equatable {
        var chain: [Int] = []
        var rpaths: [Carrier] = []
        /// What loaded it, root first, by path: `chain`'s objects and the files read only in part between them.
        var paths: [String] = []
    }

    /// One object's DT_RPATH, `$ORIGIN` expanded, and the path of the object (inside its artifact) for the report.
    struct Carrier: Equatable {
        let path: String
        let directories: [String]
    }

    /// What a lookup needs of the object that needs a library: where it is, and what a candidate must match.
    private struct Needer {
        let runtimePath: String
        let bits: Int
        let byteOrder: ByteOrder
        let machine: UInt16
        /// DT_RUNPATH, expanded; `hasRunpath` even when no entry of it is usable (its DT_RPATH is dropped all the same).
        let runpath: [String]
        let hasRunpath: Bool
    }

    /// Names already loaded in one walk: by object, or a file read only partly (by its runtime path).
    private struct Loaded {
        var objects: [String: Int] = [:]
        var partlyRead: [String: String] = [:]
    }

    /// One walk: the load, every object it reached, and where it met a file not read at all (what is above it).
    struct Walk {
        let load: LoadGraph.Load
        let reached: Set<Int>
        let unread: [Above]
    }

    /// Loads `root` and everything it needs, breadth first; each object's needs are resolved once per root.
    /// `above`: the objects that loaded `root` (their DT_RPATH is searched too), when it is loaded through a file that
    /// was not read. A file read only partly (`RuntimeFiles.PartlyRead`) is walked through: the libraries it needs are
    /// loaded below it with its paths, as ld.so loads them; its own lookups are not edges (it has its own finding, and
    /// what it provides stays unverified).
    func walk(root: Int, above: Above = Above()) -> Walk {
        enum Node {
            case object(Int)
            case partlyRead(RuntimeFiles.PartlyRead, runtimePath: String)
        }
        var loaded = Loaded()
        register(root, name: objects[root].runtimePath, into: &loaded)
        var queue: [(node: Node, above: Above)] = [(.object(root), above)]
        var expanded = Set<Int>([root])
        var expandedPartly = Set<String>()
        var edges: [LoadGraph.Edge] = []
        var unread: [Above] = []
        var index = 0
        while index < queue.count {
            let (node, above) = queue[index]
            index += 1
            // What is above the libraries this one loads: itself (with its DT_RPATH unless it has DT_RUNPATH), then
            // what is above it.
            var below = above
            let needer: Needer, needed: [String]
            switch node {
            case .object(let id):
                let facts = objects[id].facts
                needer = Needer(
                    runtimePath: objects[id].runtimePath, bits: facts.bits, byteOrder: facts.byteOrder, machine: facts.machine,
                    runpath: runpaths[id], hasRunpath: !facts.runpath.isEmpty)
                needed = facts.needed
                below.chain.append(id)
                below.paths.append(objects[id].path)
                if facts.runpath.isEmpty { below.rpaths.insert(Carrier(path: objects[id].path, directories: rpaths[id]), at: 0) }
            case .partlyRead(let file, let runtimePath):
                let links = file.links
                needer = Needer(
                    runtimePath: runtimePath, bits: links.bits, byteOrder: links.byteOrder, machine: links.machine,
                    runpath: Self.expand(links.runpath, origin: runtimePath), hasRunpath: !links.runpath.isEmpty)
                needed = links.needed
                below.paths.append(file.path)
                if links.runpath.isEmpty {
                    below.rpaths.insert(Carrier(path: file.path, directories: Self.expand(links.rpath, origin: runtimePath)), at: 0)
                }
            }
            // DT_RPATH of the object, then of each object that loaded it, nearest first (none when it has DT_RUNPATH).
            let carriers = needer.hasRunpath ? [] : below.rpaths
            // A name needed twice is loaded once (the second finds it loaded): resolve each once.
            var seen = Set<String>()
            for soname in needed where seen.insert(soname).inserted {
                let resolution = resolve(soname, for: needer, carriers: carriers, loaded: loaded)
                if case .object(let id) = node {
                    var edge = LoadGraph.Edge(from: id, soname: soname, resolution: resolution, chain: below.chain)
                    edge.loadedBy = above.paths
                    edges.append(edge)
                }
                switch resolution {
                case .bundled(let found, _, _):
                    register(found, name: soname, into: &loaded)
                    if expanded.insert(found).inserted { queue.append((.object(found), below)) }
                case .unverified(let path):
                    guard let file = files.partlyReadFile(at: path) else {
                        if !unread.contains(below) { unread.append(below) }
                        continue
                    }
                    loaded.partlyRead[soname] = loaded.partlyRead[soname] ?? path
                    if let name = file.links.soname { loaded.partlyRead[name] = loaded.partlyRead[name] ?? path }
                    if expandedPartly.insert(path).inserted { queue.append((.partlyRead(file, runtimePath: path), below)) }
                default:
                    break
                }
            }
        }
        return Walk(load: LoadGraph.Load(root: root, edges: edges), reached: expanded, unread: unread)
    }

    private func register(_ id: Int, name: String, into loaded: inout Loaded) {
        loaded.objects[name] = loaded.objects[name] ?? id
        if let soname = objects[id].facts.soname { loaded.objects[soname] = loaded.objects[soname] ?? id }
    }

    static let loadedBeforeAnything: Set<String> = ["libc.so.6", "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1"]

    private func resolve(_ soname: String, for object: Needer, carriers: [Carrier], loaded: Loaded) -> Resolution {
        if soname.contains("/") {
            let path = RuntimePath.join(RuntimePath.parent(object.runtimePath), soname)
            if let found = candidate(at: path, for: object) { return .bundled(object: found, directory: RuntimePath.parent(path), step: "path") }
            if let unread = files.unreadFile(at: path) { return .unverified(path: unread) }
            return .missing(searched: [path])
        }
        // The process that loads the root already has glibc and its loader loaded, before anything of the deployment:
        // elf/dl-load.c _dl_map_object matches a name with the objects loaded in load order, so a deployment file whose
        // DT_SONAME claims the same name never answers for it.
        if Self.loadedBeforeAnything.contains(soname), libraries.osLibraries.contains(soname) {
            return .runtime(directory: libraries.defaultFolder)
        }
        if let already = loaded.objects[soname] { return .alreadyLoaded(object: already) }
        if let already = loaded.partlyRead[soname] { return .unverified(path: already) }
        for carrier in carriers {
            if let found = search(soname, in: carrier.directories, step: "RPATH", for: object) { return found }
        }
        if let found = search(soname, in: libraries.path, step: "LD_LIBRARY_PATH", for: object) { return found }
        if let found = search(soname, in: object.runpath, step: "RUNPATH", for: object) { return found }
        // ld.so.cache and the default directories: the runtime's own libraries.
        if libraries.osLibraries.contains(soname) { return .runtime(directory: libraries.defaultFolder) }
        // Where the loader looked, in order: said only when nothing was found.
        var summary: [String] = []
        for carrier in carriers where !carrier.directories.isEmpty {
            summary.append("RPATH of \(carrier.path) (\(carrier.directories.joined(separator: ":")))")
        }
        if !libraries.path.isEmpty { summary.append("LD_LIBRARY_PATH") }
        if !object.runpath.isEmpty { summary.append("RUNPATH (\(object.runpath.joined(separator: ":")))") }
        summary.append("the runtime's own libraries")
        return .missing(searched: summary)
    }

    /// The first of `directories` that holds `soname` for `object`, nil when none does.
    private func search(_ soname: String, in directories: [String], step: String, for object: Needer) -> Resolution? {
        for directory in directories {
            if let sonames = libraries.systemFolders[directory] {
                if sonames.contains(soname) { return .runtime(directory: directory) }
                continue
            }
            let path = RuntimePath.join(directory, soname)
            if let found = candidate(at: path, for: object) {
                return .bundled(object: found, directory: directory, step: step)
            }
            if let unread = files.unreadFile(at: path) { return .unverified(path: unread) }
        }
        return nil
    }

    /// The object at `path` if it exists and matches the needing object's class, byte order and machine.
    private func candidate(at path: String, for object: Needer) -> Int? {
        guard let found = files.object(at: path), let id = ids[found.runtimePath] else { return nil }
        let facts = objects[id].facts
        guard facts.bits == object.bits, facts.byteOrder == object.byteOrder, facts.machine == object.machine
        else { return nil }
        return id
    }

    /// `$ORIGIN` / `${ORIGIN}` is the folder of the object carrying the path; empty entries mean the current folder
    /// and are skipped (Lambda's working directory is not where a package lives).
    private static func expand(_ paths: [String], origin: String) -> [String] {
        guard !paths.isEmpty else { return [] }
        let folder = RuntimePath.parent(origin)
        return paths.compactMap { entry in
            guard !entry.isEmpty else { return nil }
            let expanded = entry.utf8.contains(UInt8(ascii: "$"))
                ? entry.replacingText("${ORIGIN}", with: folder).replacingText("$ORIGIN", with: folder) : entry
            return expanded.hasPrefix("/") ? RuntimePath.join("/", expanded) : nil
        }
    }
}
