import ShiplintFacts
import ShiplintTargets

extension Check {
    public static let undefinedSymbol = Check(
        id: "undefined-symbol",
        defaultSeverity: .error,
        summary: "A module, addon or executable imports a symbol nothing it loads with defines",
        explanation: """
            Every ELF lists the symbols it takes from elsewhere (its undefined dynamic symbols, each with the version \
            it was linked against, `memcpy@GLIBC_2.14`). CPython imports an extension module with \
            `dlopen(RTLD_NOW)`: every strong undefined symbol of the module and of every library it loads must be \
            defined, with that version, by something in its load scope — CPython itself, the libraries CPython \
            loaded, the module, and the libraries its DT_NEEDED entries load — or the import fails with \
            `ImportError: /var/task/pkg/_mod.so: undefined symbol: PyFoo` (glibc before 2.30, as on Amazon Linux 2, \
            words a versioned one `symbol foo, version GLIBC_2.14 not defined in file libc.so.6 with link time \
            reference`). An executable stops the same way (`symbol lookup error`). Node.js loads addons with \
            `RTLD_LAZY`: the addon loads and the first call of the missing function fails, so for an addon this is \
            a warning. Causes: a library bundled in another version than the module was built against, a symbol \
            renamed or stripped by a post-processing tool, a module built against a newer library than the runtime \
            has, a library that was left out although the module does not name it in DT_NEEDED.

            What shiplint knows the runtime exports: glibc per release and architecture (glibc's own ABI lists), \
            libstdc++ and libgcc_s up to the runtime's version nodes, and CPython per version (rules/symbols/, \
            `shiplint targets capture` records a system's own). Each of those libraries also defines a symbol named \
            after each of its version nodes (GNU ld's SHN_ABS `GLIBC_2.14@@GLIBC_2.14`, `GLIBCXX_3.4.21`, `GCC_3.0`), \
            which the ABI lists do not spell: an import of that name, unversioned or under that node, binds on glibc \
            2.28 and later (BZ #23307) and is not judged before. A runtime library whose exports are in no table \
            (libcrypt, OpenSSL, libz …) could define anything: a load that reaches one is not judged, rather than \
            guessed. A symbol another file of the deployment defines, outside the load, is not judged either: a package \
            may load that file first with `RTLD_GLOBAL` (ctypes, `sys.setdlopenflags`). An abi3 or untagged module's \
            CPython functions that another CPython version exports are left to abi3-too-new; a module named for the \
            runtime's CPython (`.cpython-312-…so`) that imports one its CPython lacks (`PyList_GetItemRef`, new in \
            3.13, on python3.12) was built against another CPython's headers, and is said here. Each CPython table is \
            one patch release's capture: a private `_Py` name it lacks that the next minor release exports may be a \
            backport into Lambda's later patch release, and is not judged. Imports versioned `GLIBC_PRIVATE` are not \
            judged. A weak symbol nothing defines is no error, except where a size relocation (R_X86_64_SIZE64, \
            SIZE32) asks for its size: the failed lookup leaves ld.so a null symbol, and it crashes (SIGSEGV) \
            reading the size through it, whatever the program's binding mode.

            Fix: rebuild the module against the libraries it runs with (in the runtime's build image, or \
            `sam build --use-container`), or ship the library that defines the symbol where the loader finds it \
            first (the module's RPATH `$ORIGIN/…`, or `lib/` of the function or a layer). A name that no library \
            has at all (`Qemcpy`) means the file was damaged or edited after the build: reinstall the package.
            """,
        examples: [
            CheckExample(
                "an import renamed to a symbol no library defines", subject: moduleImporting(["Qemcpy@GLIBC_2.14", "memcpy@GLIBC_2.14"]),
                target: "aws-lambda-python3.12-x86_64", fires: true, at: "pkg/_mod.abi3.so", mentions: "undefined symbol: Qemcpy, version GLIBC_2.14"),
            CheckExample(
                "glibc 2.26 words it as a relocation error", subject: moduleImporting(["Qemcpy@GLIBC_2.14"]),
                target: "aws-lambda-python3.11-x86_64", fires: true, at: "pkg/_mod.abi3.so",
                mentions: "symbol Qemcpy, version GLIBC_2.14 not defined in file libc.so.6 with link time reference"),
            CheckExample(
                "glibc, CPython and the module's own library define everything", subject: moduleImporting(["memcpy@GLIBC_2.14", "PyList_New", "foo_init"], bundling: "foo_init"),
                target: "aws-lambda-python3.12-x86_64", fires: false),
            CheckExample(
                "a function new in glibc 2.36 on glibc 2.34", subject: moduleImporting(["arc4random@GLIBC_2.36"]),
                target: "aws-lambda-python3.12-x86_64", fires: true, at: "pkg/_mod.abi3.so", mentions: "undefined symbol: arc4random, version GLIBC_2.36"),
            CheckExample(
                "the size of a weak name nothing defines", subject: moduleImporting([], sizeOfWeak: "_ITM_deregisterTMCloneTable"),
                target: "aws-lambda-python3.12-x86_64", fires: true, at: "pkg/_mod.abi3.so",
                mentions: "asks for the size of the weak symbol _ITM_deregisterTMCloneTable"),
            CheckExample(
                "the size of a weak name glibc defines", subject: moduleImporting([], sizeOfWeak: "environ"),
                target: "aws-lambda-python3.12-x86_64", fires: false),
            CheckExample(
                "a runtime library with no table in the scope: not judged", subject: moduleImporting(["Qemcpy@GLIBC_2.14"], needing: "libz.so.1"),
                target: "aws-lambda-python3.12-x86_64", fires: false),
        ],
        judgement: .perDeployment { context in
            // A wheel policy names no runtime: there is no load scope to bind in. (A captured system is a runtime,
            // with or without Lambda's package layout.)
            guard context.runtime.target.kind != .wheelPolicy else { return [] }
            var binding = SymbolBinding(graph: context.loadGraph, runtime: context.runtime)
            return UndefinedSymbolJudgement.verdicts(context: context, binding: &binding)
        })

    /// A function whose module `pkg/_mod.abi3.so` imports `imports` (`name` or `name@GLIBC_x`), optionally with a
    /// bundled `lib/libfoo.so.1` defining `bundling` and a runtime library `needing`.
    private static func moduleImporting(_ imports: [String], bundling: String? = nil, needing: String? = nil, sizeOfWeak: String? = nil) -> CheckExample.Subject {
        var symbols = imports.map { text -> DynamicSymbol in
            let parts = text.split(separator: "@", maxSplits: 1).map(String.init)
            return DynamicSymbol(
                name: parts[0], version: parts.count > 1 ? parts[1] : nil, versionFile: parts.count > 1 ? "libc.so.6" : nil,
                isDefined: false, isWeak: false, kind: .function)
        }
        var loader = ElfLoaderFacts()
        if let sizeOfWeak {
            symbols.append(DynamicSymbol(name: sizeOfWeak, version: nil, versionFile: nil, isDefined: false, isWeak: true, kind: .object))
            loader.sizeReadWeakNames = [sizeOfWeak]
        }
        let needed = ["libc.so.6"] + (bundling == nil ? [] : ["libfoo.so.1"]) + (needing.map { [$0] } ?? [])
        let module = SampleBinary.elf(
            "pkg/_mod.abi3.so", needed: needed, rpath: bundling == nil ? [] : ["$ORIGIN/../lib"],
            versionNeeds: [VersionNeed(file: "libc.so.6", names: ["GLIBC_2.2.5"])], symbols: symbols + [DynamicSymbol(
                name: "PyInit__mod", version: nil, versionFile: nil, isDefined: true, isWeak: false, kind: .function)], loader: loader)
        var binaries = [module]
        if let bundling {
            binaries.append(Binary(
                path: "lib/libfoo.so.1", size: 4096, mode: 0o100644,
                facts: .elf(ElfFacts(
                    bits: 64, byteOrder: .little, machine: 62, arch: "x86_64", osABI: "sysv", type: .dyn, interpreter: nil,
                    needed: ["libc.so.6"], soname: "libfoo.so.1", rpath: [], runpath: [], executableStack: false, versionNeeds: [],
                    versionDefinitions: [], x86ISANeeded: [],
                    symbols: [DynamicSymbol(name: bundling, version: nil, versionFile: nil, isDefined: true, isWeak: false, kind: .function)])),
                problem: nil))
        }
        return .deployment(function: Artifact(path: "function.zip", kind: .zip, entries: [], binaries: binaries, problems: []), layers: [])
    }
}

/// The verdicts of undefined-symbol on one deployment: every load the runtime makes (a module, an addon, an
/// executable), each object of it judged against the load's scope, each object reported once.
enum UndefinedSymbolJudgement {
    static func verdicts(context: DeploymentContext, binding: inout SymbolBinding) -> [LocatedVerdict] {
        let graph = context.loadGraph
        let runtime = context.runtime
        var judged = Set<Int>()
        var verdicts: [LocatedVerdict] = []
        for load in graph.loads {
            let root = graph.objects[load.root]
            guard let program = program(of: root, runtime: runtime), runsHere(root.facts, runtime: runtime),
                let scope = binding.scope(of: load, program: program)
            else { continue }
            for object in scope.objects where judged.insert(object).inserted && runsHere(graph.objects[object].facts, runtime: runtime) {
                let facts = graph.objects[object].facts
                // A version node nothing defines stops the load before any symbol is bound: another check's cause.
                if binding.unmetVersionNeed(of: object, in: scope) != nil { continue }
                var undefined: [(name: String, version: String?, file: String?)] = []
                var candidates: [(name: String, version: String?, file: String?)] = []
                // ld.so looks up only what a relocation names: an import none names never fails (elf/do-rel.h).
                let bound = facts.loader.boundImportNames.map(Set.init)
                // Weak names whose size a relocation reads: a weak lookup nothing answers leaves a null symbol.
                let sizeRead = Set(facts.loader.sizeReadWeakNames)
                // Looked up without a version: a GLIBC_PRIVATE definition may answer, and no table lists those.
                let withoutVersion = Set(facts.loader.importsLookedUpWithoutVersion)
                var sizeReadCandidates: [(name: String, version: String?, file: String?)] = []
                facts.symbols.forEach(defined: false) { name, version, file, isWeak in
                    guard !name.isEmpty, version != "GLIBC_PRIVATE" else { return }
                    let text = String(decoding: name, as: UTF8.self)
                    if withoutVersion.contains(text) { return }
                    if isWeak {
                        if sizeRead.contains(text) { sizeReadCandidates.append((text, version, file)) }
                        return
                    }
                    if let bound, !bound.contains(text) { return }
                    candidates.append((text, version, file))
                }
                // A module named for one CPython (`.cpython-312-…so`) is loaded only by that CPython (others are
                // python-abi-mismatch's) and abi3-too-new leaves it alone: a CPython name its CPython lacks is said here.
                let taggedForRuntime = graph.objects[object].path.split(separator: "/").last
                    .flatMap { ExtensionModuleName(fileName: String($0)) }.map { if case .cpython = $0.tag { true } else { false } } ?? false
                for candidate in candidates {
                    guard binding.bind(candidate.name, version: candidate.version, in: scope) == .undefined else { continue }
                    // A CPython function another CPython exports is abi3-too-new's to say, for an abi3 or untagged module.
                    if scope.python, !taggedForRuntime, knownToCPython(candidate.name, runtime: runtime) { continue }
                    // Python 2 or fpectl API: python-abi-mismatch says which build the file is for (one cause, one finding).
                    if runtime.python != nil, CPythonSymbols.isRetired(candidate.name) { continue }
                    undefined.append(candidate)
                }
                if undefined.isEmpty, let missing = sizeReadCandidates.sorted(by: { $0.name < $1.name })
                    .first(where: { binding.bind($0.name, version: $0.version, in: scope) == .undefined })
                {
                    verdicts.append(nullSizeReadVerdict(object: object, load: load, name: missing.name, version: missing.version, scope: scope, program: program, context: context))
                }
                guard !undefined.isEmpty else { continue }
                undefined.sort { ($0.name, $0.version ?? "") < ($1.name, $1.version ?? "") }
                verdicts.append(verdict(object: object, load: load, undefined: undefined, scope: scope, program: program, context: context))
            }
        }
        return verdicts
    }

    /// What loads `object` as a root: CPython (an extension module), Node.js (an addon) or the kernel (an
    /// executable); nil for anything else (a library nothing loads, a module for another CPython).
    static func program(of object: LoadGraph.Object, runtime: RuntimeView) -> SymbolBinding.Program? {
        let facts = object.facts
        let name = object.path.split(separator: "/").last.map(String.init) ?? object.path
        if facts.type == .exec { return .executable }
        // Named as a module or an addon, it is dlopen()ed by the runtime whatever PT_INTERP says (ld.so ignores
        // PT_INTERP in what it loads; a PIE program is refused, and not-loadable says so).
        let program: SymbolBinding.Program? = facts.interpreter != nil && facts.soname == nil ? .executable : nil
        if name.hasSuffix(".node") { return runtime.nodeVersion != nil ? .node : program }
        guard let python = runtime.python else { return program }
        if let module = ExtensionModuleName(fileName: name) {
            switch module.tag {
            case .abi3: return .python
            case .cpython(let version, _, _): return version == python.tag ? .python : program
            case .pypy, .windows: return program
            }
        }
        return name.hasSuffix(".so") && !name.hasPrefix("lib") && program == nil ? .python : program
    }

    /// Built for the target's machine and C library (wrong-arch, musl-binary, android-binary say the rest).
    static func runsHere(_ facts: ElfFacts, runtime: RuntimeView) -> Bool {
        facts.machine == runtime.architecture.elfMachine && facts.bits == runtime.architecture.bits
            && (runtime.libc.kind == .glibc ? facts.libc == .glibc || facts.libc == .none : facts.libc == .musl)
    }

    static func knownToCPython(_ name: String, runtime: RuntimeView) -> Bool {
        SymbolTable.builtIn("cpython-\(runtime.architecture.rawValue)")?.lists(name, in: "python") ?? false
    }

    /// A weak name an R_X86_64_SIZE64 / SIZE32 relocation reads the size of, which nothing in the load scope defines:
    /// the lookup leaves a null symbol (elf/dl-lookup.c) and elf_machine_rela (sysdeps/x86_64/dl-machine.h) reads its
    /// st_size through it while relocating, before dlopen returns (RTLD_LAZY too: only PLT slots wait).
    private static func nullSizeReadVerdict(
        object: Int, load: LoadGraph.Load, name: String, version: String?, scope: SymbolBinding.Scope, program: SymbolBinding.Program,
        context: DeploymentContext
    ) -> LocatedVerdict {
        let graph = context.loadGraph
        let item = graph.objects[object]
        let asked = name + (version.map { "@" + $0 } ?? "")
        let how: String
        switch program {
        case .python: how = "the import crashes (SIGSEGV in ld.so)"
        case .node: how = "require() crashes (SIGSEGV in ld.so)"
        case .executable: how = "running it crashes (SIGSEGV in ld.so)"
        }
        let loadedBy = load.root == object ? "" : "; loaded by \(graph.objects[load.root].path)"
        return LocatedVerdict(
            artifact: item.artifact, path: item.path,
            verdict: Verdict(
                "\(how): an R_X86_64_SIZE relocation of \(item.runtimePath) asks for the size of the weak symbol \(asked), which nothing in the load scope defines (searched \(searched(scope, context: context))): the failed weak lookup leaves a null symbol and ld.so reads its size through it (elf_machine_rela)\(loadedBy)",
                fix: "A size relocation through a weak reference nothing defines is not what a compiler emits: the file was damaged or edited after the build. Reinstall the package, or rebuild \(item.path).",
                fact: asked))
    }

    /// The load scope as a message names it: the deployment's objects, the runtime's libraries, CPython.
    private static func searched(_ scope: SymbolBinding.Scope, context: DeploymentContext) -> String {
        let graph = context.loadGraph
        let runtime = context.runtime
        var searched = scope.objects.map { graph.objects[$0].path }.prefix(4).joined(separator: ", ")
        if scope.objects.count > 4 { searched += " …" }
        let glibc = scope.runtime.filter { $0.library.symbols?.hasPrefix("glibc-") == true }.map(\.library.soname)
        let libraries = (glibc.isEmpty ? [] : ["\(runtime.libc) (\(glibc.joined(separator: ", ")))"])
            + scope.runtime.filter { $0.library.symbols?.hasPrefix("glibc-") != true }.map(\.library.soname)
        return [
            "the deployment's \(searched)",
            libraries.isEmpty ? nil : "\(runtime.target.runtimeLabel)'s \(libraries.joined(separator: ", "))",
            scope.python ? "CPython \(runtime.python?.version.description ?? "")" : nil,
        ].compactMap { $0 }.joined(separator: "; ")
    }

    private static func verdict(
        object: Int, load: LoadGraph.Load, undefined: [(name: String, version: String?, file: String?)], scope: SymbolBinding.Scope,
        program: SymbolBinding.Program, context: DeploymentContext
    ) -> LocatedVerdict {
        let graph = context.loadGraph
        let runtime = context.runtime
        let item = graph.objects[object]
        let first = undefined[0]
        // glibc before 2.30 stops at the library the reference names when it lacks the symbol (dl-lookup.c; the
        // check went in commit f0b2132b, BZ #24741): a relocation error in other words.
        let libraryNamed = first.file.flatMap { file in scope.runtime.contains { $0.library.soname == file } ? file : nil }
        let oldWording = runtime.libc.kind == .glibc && runtime.libc.version < VersionNumber([2, 30]) && first.version != nil && libraryNamed != nil
        let error = oldWording
            ? "\(item.runtimePath): symbol \(first.name), version \(first.version!) not defined in file \(libraryNamed!) with link time reference"
            : "\(item.runtimePath): undefined symbol: \(first.name)\(first.version.map { ", version \($0)" } ?? "")"
        let more = undefined.count > 1
            ? " (and \(undefined.count - 1) more: \(undefined.dropFirst().prefix(3).map { $0.name + ($0.version.map { "@" + $0 } ?? "") }.joined(separator: ", "))\(undefined.count > 4 ? " …" : ""))"
            : ""
        let scopeText = searched(scope, context: context)
        let loadedBy = load.root == object ? "" : "; loaded by \(graph.objects[load.root].path)"
        let message: String
        var severity: Severity?
        switch program {
        case .python:
            message = "the import fails with `ImportError: \(error)`\(more): CPython loads extension modules with dlopen(RTLD_NOW), and nothing in the load scope defines it (searched \(scopeText))\(loadedBy)"
        case .executable:
            message = "running it fails with `\(oldWording ? "relocation error" : "symbol lookup error"): \(error)`\(more): nothing in its load scope defines it (searched \(scopeText))\(loadedBy)"
        case .node:
            severity = .warning
            message = "Node.js loads addons with RTLD_LAZY, so require() succeeds and the first call fails with `symbol lookup error: \(error)`\(more) (a data symbol fails at load): nothing in the load scope defines it (searched \(scopeText); Node.js's own exports are not in shiplint's tables, so only symbols versioned for a library that is are judged)\(loadedBy)"
        }
        // A CPython name of a module named for this CPython: built against another CPython's headers (a later
        // release's, or a development build), not a library left out.
        let cpythonName = scope.python && first.version == nil && knownToCPython(first.name, runtime: runtime)
        let python = runtime.python?.version.description ?? "3"
        let fix = cpythonName
            ? "\(first.name) is CPython API that CPython \(python) does not export: the module was built against another CPython's headers. Install the package's release built for CPython \(python) (`\(context.advice(for: context.role(of: item.artifact) ?? .function).pip())`), or rebuild it from source against CPython \(python)."
            : first.version.map { version in
            "Rebuild \(item.path) against the libraries of \(runtime.target.runtimeLabel) (its build image, or `sam build --use-container`), or ship the library that defines \(first.name)@\(version) where the loader finds it first; a name no library has means a damaged or edited file: reinstall the package."
        } ?? "Ship the library that defines \(first.name) where the loader finds it first (RPATH `$ORIGIN/…`, or lib/ of the function or a layer), or rebuild \(item.path) against the libraries of \(runtime.target.runtimeLabel); a name no library has means a damaged or edited file: reinstall the package."
        return LocatedVerdict(
            artifact: item.artifact, path: item.path,
            verdict: Verdict(message, fix: fix, fact: first.name + (first.version.map { "@" + $0 } ?? ""), severity: severity))
    }
}
