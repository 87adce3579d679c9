import ShiplintFacts
import ShiplintTargets

/// Symbol binding as glibc's ld.so does it for one load (elf/dl-lookup.c, `_dl_lookup_symbol_x` and `check_match`):
/// an undefined symbol is looked up in the global scope (the program that loads: CPython, Node.js, or the
/// executable itself, with the libraries it needs) and then the local scope of the loaded object (it and every
/// library its DT_NEEDED entries load). A versioned reference (`memcpy@GLIBC_2.14`) binds to a definition of that
/// version, or to an unversioned one; an unversioned reference binds to any definition.
struct SymbolBinding {
    /// The answer for one reference.
    enum Outcome: Equatable {
        case defined
        /// Something in the scope has exports shiplint does not know (a runtime library without a table, a file
        /// that could not be read): not judged.
        case unknown
        case undefined
    }

    /// Who is in a load's scope besides the deployment's own objects.
    struct Scope {
        /// Deployment objects (LoadGraph ids) of the load: the root and every bundled library it reaches.
        var objects: [Int] = []
        /// Runtime libraries found for the load (or the program's own) whose exports a table lists.
        var runtime: [LibraryExports] = []
        /// A runtime library, file or program whose exports are not known is in the scope.
        var unknownReason: String?
        /// CPython is the loading program: its exports are in the global scope.
        var python = false
        /// Node.js is the loading program: it exports unversioned symbols shiplint has no table of.
        var node = false
    }

    /// Hashes of one deployment object's exports: names defined without a version (or under the file's base
    /// version), and name+version pairs of versioned definitions.
    struct Exports {
        var any = Set<Int>()
        var unversioned = Set<Int>()
        var versioned = Set<Int>()
    }

    let graph: LoadGraph
    /// The runtime the load happens in; what its libraries and interpreter export is the target's data
    /// (`providedLibrary`, `presence`, `pythonPresence`), asked through it.
    let runtime: RuntimeView
    private var target: TargetRuntime { runtime.target }
    private var exportsCache: [Int: Exports] = [:]
    /// Each runtime library's exports, made once for every load that reaches it (nil: no table).
    private var libraryCache: [String: LibraryExports?] = [:]

    init(graph: LoadGraph, runtime: RuntimeView) {
        self.graph = graph
        self.runtime = runtime
    }

    static func hash(_ name: UnsafeRawBufferPointer, version: String? = nil) -> Int {
        var hasher = Hasher()
        hasher.combine(bytes: name)
        if let version {
            hasher.combine(0 as UInt8)
            hasher.combine(version)
        }
        return hasher.finalize()
    }

    static func hash(_ name: String, version: String? = nil) -> Int {
        var copy = name
        return copy.withUTF8 { hash(UnsafeRawBufferPointer($0), version: version) }
    }

    mutating func exports(of object: Int) -> Exports {
        if let known = exportsCache[object] { return known }
        var exports = Exports()
        graph.objects[object].facts.symbols.forEach(defined: true) { name, version, _, _ in
            let plain = Self.hash(name)
            exports.any.insert(plain)
            if let version { exports.versioned.insert(Self.hash(name, version: version)) } else { exports.unversioned.insert(plain) }
        }
        exportsCache[object] = exports
        return exports
    }

    /// The scope of the load rooted at `load.root`; nil when a needed library is missing (missing-library says so).
    mutating func scope(of load: LoadGraph.Load, program: Program) -> Scope? {
        var scope = Scope()
        scope.objects = [load.root]
        var runtimeNames: [String] = []
        for edge in load.edges {
            switch edge.resolution {
            case .bundled(let object, _, _), .alreadyLoaded(let object):
                if !scope.objects.contains(object) { scope.objects.append(object) }
            case .runtime:
                runtimeNames.append(edge.soname)
            case .unverified(let path):
                scope.unknownReason = scope.unknownReason ?? "\(path) could not be read"
            case .missing:
                return nil
            }
        }
        // What the loading program brings into the global scope, and what runtime libraries load in turn.
        let loader = runtime.architecture == .aarch64 ? "ld-linux-aarch64.so.1" : "ld-linux-x86-64.so.2"
        switch program {
        case .python:
            scope.python = true
            // libpython3.X needs libm, libc and (glibc before 2.34) libpthread, libdl, libutil.
            runtimeNames += ["libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "libutil.so.1"]
        case .node:
            scope.node = true
            runtimeNames += ["libc.so.6", "libm.so.6", "libstdc++.so.6", "libgcc_s.so.1", "libpthread.so.0", "libdl.so.2"]
        case .executable:
            break
        }
        if !runtimeNames.isEmpty { runtimeNames += ["libc.so.6", loader] }
        if runtimeNames.contains("libstdc++.so.6") { runtimeNames += ["libm.so.6", "libgcc_s.so.1"] }
        var seen = Set<String>()
        for soname in runtimeNames where seen.insert(soname).inserted {
            // A module linked against the runtime's own libpython binds CPython's exports through it.
            if let python = runtime.python, soname.hasPrefix("libpython\(python.version).so") || soname == "libpython3.so" {
                scope.python = true
                continue
            }
            let exports: LibraryExports?
            if let known = libraryCache[soname] {
                exports = known
            } else {
                exports = target.providedLibrary(soname).flatMap { target.exports(of: $0) }
                libraryCache[soname] = exports
            }
            if let exports {
                scope.runtime.append(exports)
            } else if runtime.libraries.osLibraries.contains(soname) || runtime.libraries.systemFolders.values.contains(where: { $0.contains(soname) })
                || load.edges.contains(where: { $0.soname == soname }) {
                scope.unknownReason = scope.unknownReason ?? "the runtime's \(soname) has exports shiplint has no table of"
            }
        }
        return scope
    }

    enum Program: Equatable {
        case python, node, executable
    }

    /// The first version node `object` needs that nothing in the scope defines (`GLIBC_2.28` on glibc 2.26): ld.so
    /// checks versions before it binds a symbol, so the load fails on that (glibc-too-new, libstdcxx-too-new,
    /// missing-symbol-version say it) and no symbol is bound at all. Nil when every need is met or not known.
    func unmetVersionNeed(of object: Int, in scope: Scope) -> String? {
        for need in graph.objects[object].facts.versionNeeds {
            let bundled = scope.objects.first { graph.objects[$0].facts.soname == need.file || graph.objects[$0].path.hasSuffix("/" + need.file) }
            let provider: [String]?
            if let bundled {
                let definitions = graph.objects[bundled].facts.versionDefinitions
                provider = definitions.isEmpty ? nil : definitions  // a library with no version definitions accepts any
            } else if let library = scope.runtime.first(where: { $0.library.soname == need.file }) {
                provider = library.library.versionNodes
            } else {
                provider = nil
            }
            guard let provider else { continue }
            if let absent = need.names.first(where: { !provider.contains($0) }) { return "\(absent) from \(need.file)" }
        }
        return nil
    }

    /// Whether `name` (with `version`) binds in `scope`.
    mutating func bind(_ name: String, version: String?, in scope: Scope) -> Outcome {
        let plain = Self.hash(name)
        let exact = version.map { Self.hash(name, version: $0) }
        for object in scope.objects {
            let exports = exports(of: object)
            if let exact {
                if exports.versioned.contains(exact) || exports.unversioned.contains(plain) { return .defined }
            } else if exports.any.contains(plain) {
                return .defined
            }
        }
        var unknown = scope.unknownReason != nil
        if scope.python {
            switch target.pythonPresence(of: name) {
            case .present: return .defined
            case .unknown: unknown = true
            case .absent: break
            }
        }
        // Node.js's own exports are unversioned and not in any table: only a versioned reference (made against a
        // library that defines that version, such as glibc) is judged without them.
        if scope.node && version == nil { unknown = true }
        for library in scope.runtime {
            switch library.presence(of: name, version: version) {
            case .present: return .defined
            case .unknown: unknown = true
            case .absent: break
            }
        }
        if unknown { return .unknown }
        // Defined by a file of the deployment this load does not reach: it binds if that file was loaded before with
        // RTLD_GLOBAL (ctypes.CDLL(..., RTLD_GLOBAL), sys.setdlopenflags), which some packages do: not judged.
        for object in graph.objects.indices where !scope.objects.contains(object) {
            if exports(of: object).any.contains(plain) { return .unknown }
        }
        return .undefined
    }
}
