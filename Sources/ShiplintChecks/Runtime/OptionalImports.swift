import ShiplintFacts
import ShiplintTargets

/// Native Python modules the code imports only under `try: … except ImportError:` (markupsafe's `_speedups`, pyyaml's
/// `_yaml`, msgpack's `_cmsgpack`, multidict's `_multidict`): when one cannot load, the package goes on without it
/// (its pure-Python code, another backend). Judged from the imports of the package's own `.py` files and of the
/// modules at the top of each module path (the handler), read on a second pass (`PythonSources`) only for the modules a
/// check says cannot load.
///
/// A module is optional when every import of it in the deployment's `.py` files (tests left out), in its own
/// package or in any other distribution (ruamel.yaml imports ruamel.yaml.clib's top-level `_ruamel_yaml`), is in a
/// `try` whose handler lets the failure through: `except ImportError` (or `Exception`, a bare `except`, a tuple holding one),
/// or `except ModuleNotFoundError` when the runtime's CPython does not see the file at all (its name is for another
/// CPython or OS) and the statement names the module itself. An import outside such a `try`, at the top of a
/// module that is itself imported only so, counts through that module; anywhere else (a package's `__init__.py`,
/// the handler, a function body) it makes the module required. No import found, or a file of the package not read
/// (of a top-level module: any file of the deployment not read), and nothing is concluded: the module stays required.
public struct OptionalImport: Sendable, Equatable {
    /// The module's dotted name (`markupsafe._speedups`).
    public let module: String
    /// The package that goes on without it (`markupsafe`; for a top-level module, its importers' packages:
    /// `ruamel.yaml`).
    public let package: String
    /// The guarded imports, in path order: the file (entry path), the line, the handler as written.
    public let sites: [Site]

    public struct Site: Sendable, Equatable {
        public let file: String
        public let line: Int
        public let handler: String
        public let fallback: String
        /// The module file the import reaches it through (`yaml/cyaml.py` imports `yaml._yaml` unguarded and is
        /// itself imported under `except ImportError`); nil when the guarded import names the module itself.
        public let through: String?
    }

    /// `imported only under `except ImportError` (markupsafe/__init__.py line 9): if it does not load, markupsafe
    /// falls back to its pure-Python code (slower)`.
    public var explanation: String {
        let shown = sites.prefix(2).map { site in
            "\(site.file) line \(site.line)\(site.through.map { ", which imports it through \($0)" } ?? "")"
        }
        let more = sites.count > 2 ? " and \(sites.count - 2) more" : ""
        let handlers = Set(sites.map(\.handler)).sorted()
        let handler = handlers.count == 1 ? "`\(handlers[0])`" : "an `except` that lets it fail"
        let fallback = sites.first.map { $0.fallback == "pass" ? "" : ": the handler runs `\($0.fallback)`" } ?? ""
        return "imported only under \(handler) (\(shown.joined(separator: "; "))\(more)): if it does not load, \(package) falls back to its pure-Python code (slower) or goes on without it\(fallback)"
    }
}

/// A Python extension module nothing the function runs imports (STYLE 12: it fails only if something imports it): a
/// private module only tests, examples or modules nothing imports use (numpy's `_core/_multiarray_tests`, which
/// numpy's tests and a function of the script `numpy/testing/print_coercion_tables.py` import), or a file that
/// exports no `PyInit_` function at all and that nothing imports (memray's `_inject.abi3.so`, which `memray attach`
/// has a debugger load into another process by its path): not a module by use (`Reach.loadedByPath`).
public struct UnimportedModule: Sendable, Equatable {
    /// The module's dotted name (`numpy._core._multiarray_tests`).
    public let module: String
    /// Its top-level package (`numpy`).
    public let package: String
    /// The files that import it, none of which runs when the function does: tests, examples, modules nothing imports
    /// (entry path and line), in path order. Empty for a file nothing imports at all.
    public let importers: [Importer]

    public struct Importer: Sendable, Equatable {
        public let file: String
        public let line: Int
        /// Why this import does not run: in a test, an example, a module nothing imports, a function of a public
        /// module nothing imports.
        public let why: String

        static let test = "a test"
        static let example = "an example"
        static let unimportedModule = "in a module nothing imports"
        static let functionOfUnimportedModule = "in a function of a module nothing imports"
    }

    /// `nothing the function imports loads it: only tests (21 imports in numpy/, numpy/_core/tests/) and
    /// numpy/testing/print_coercion_tables.py line 88 (in a function of a module nothing imports) import it: `import
    /// numpy` never loads it, so it fails only if your code imports numpy._core._multiarray_tests`.
    public var explanation: String {
        guard !importers.isEmpty else {
            return "nothing in \(package) imports it, and it exports no PyInit_ function of any name: a library \(package) loads by its path (ctypes, a debugger), not a module, so this fails only if something imports it"
        }
        let tests = importers.filter { $0.why == Importer.test }
        let others = importers.filter { $0.why != Importer.test }
        var parts: [String] = []
        if !tests.isEmpty {
            var folders: [String] = []
            for test in tests {
                let folder = test.file.split(separator: "/").dropLast().joined(separator: "/") + "/"
                if !folders.contains(folder) { folders.append(folder) }
            }
            let shown = folders.sorted().prefix(2).joined(separator: ", ") + (folders.count > 2 ? " and \(folders.count - 2) more folders" : "")
            parts.append("tests (\(tests.count) import\(tests.count == 1 ? "" : "s") in \(shown))")
        }
        if !others.isEmpty {
            let shown = others.prefix(2).map { "\($0.file) line \($0.line) (\($0.why))" }.joined(separator: ", ")
            parts.append(shown + (others.count > 2 ? " and \(others.count - 2) more" : ""))
        }
        return "nothing the function imports loads it: only \(parts.joined(separator: " and ")) import it: `import \(package)` never loads it, so it fails only if your code imports \(module)"
    }
}

/// The Python side of a deployment the optional-import judgement needs: which files to read, and what they say.
public enum OptionalImports {
    /// Checks whose error on an extension module means "the import fails": a second read looks for a guard around it.
    public static var failureChecks: Set<String> { CheckRegistry.reachabilityChecks }

    /// The most `.py` files asked for in one artifact; an artifact with more is not judged (its modules stay required).
    public static let maximumFiles = 20_000

    // MARK: - What to read

    /// For each artifact (by path) of the deployment, the `.py` files to read when a Python extension module cannot
    /// load here (`failureChecks`, an error at its reach): every one on a module path of every input, the handler's
    /// and every distribution's, since any of them may import it. Empty when none fails.
    public static func reads(for deployment: DeploymentContext) -> [String: PythonFileSelection] {
        guard deployment.runtime.pythonPath != nil else { return [:] }
        let inputs = deployment.inputs.filter { $0.artifact.image == nil && $0.artifact.kind != .file }
        let modules = Set(inputs.flatMap { input in input.artifact.binaries.compactMap { moduleFolder(of: $0.path, in: input, runtime: deployment.runtime) == nil ? nil : $0.path } })
        guard !modules.isEmpty else { return [:] }
        let checks = CheckRegistry.all.filter { failureChecks.contains($0.id) }
        // The top-level packages of the modules that fail (a top-level module is its own).
        var failing: Set<String> = []
        for scan in Scanner.scan(deployment, checks: checks).artifacts {
            guard let input = inputs.first(where: { $0.artifact.path == scan.artifact.path }) else { continue }
            for finding in scan.findings where finding.severity == .error {
                for path in finding.files where modules.contains(path) {
                    if let folder = moduleFolder(of: path, in: input, runtime: deployment.runtime) { failing.insert(folder.package) }
                }
            }
        }
        guard !failing.isEmpty else { return [:] }
        // Every `.py` file on the module path of every input: a module's importers may be any distribution of the
        // deployment (ruamel.yaml imports the top-level `_ruamel_yaml` of ruamel.yaml.clib), and the handler. When
        // they add up to more than one read takes (`PythonFileSelection.defaultTotalBytes`: shap's python3.9 arm64
        // build, with numba, scipy, scikit-learn and pandas, has 69 MiB), those of the failing modules' packages and
        // of the roots only, as before: a module in a package is judged by its package, a top-level one not at all.
        var reads: [String: PythonFileSelection] = [:]
        for input in inputs {
            let roots = importRoots(of: input, runtime: deployment.runtime)
            var all: [(path: String, folder: String, size: Int64)] = []
            for entry in input.artifact.entries where entry.type == .file && entry.path.hasSuffix(".py") && !EntryPath.isNested(entry.path) {
                guard let root = roots.filter({ entry.path.hasPrefix($0) }).max(by: { $0.count < $1.count }) else { continue }
                let rest = entry.path.dropFirst(root.count)
                all.append((entry.path, rest.firstIndex(of: "/").map { root + rest[..<$0] + "/" } ?? root, max(entry.size, 0)))
            }
            let failingFolders = Set(roots.flatMap { root in failing.map { root + $0 + "/" } })
            let total = all.reduce(Int64(0)) { $0 + $1.size }
            let chosen = total <= Int64(PythonFileSelection.defaultTotalBytes)
                ? all : all.filter { roots.contains($0.folder) || failingFolders.contains($0.folder) }
            guard chosen.count <= maximumFiles, !chosen.isEmpty else { continue }
            reads[input.artifact.path] = PythonFileSelection(files: Set(chosen.map(\.path)), folders: Set(chosen.map(\.folder)).union(roots))
        }
        return reads
    }

    /// The folders of an input that are on the module path, as entry-path prefixes (`""`, `python/`,
    /// `python/lib/python3.13/site-packages/`).
    static func importRoots(of input: DeploymentInput, runtime: RuntimeView) -> Set<String> {
        guard let modules = runtime.pythonPath else { return [] }
        let folders = input.isLayer ? modules.layerFolders : modules.functionFolders
        return Set(folders.map { $0.isEmpty ? "" : ($0.hasSuffix("/") ? $0 : $0 + "/") })
    }

    /// A Python extension module on a module path: its import root (entry-path prefix), top-level package (the module
    /// itself for a top-level module, `_ruamel_yaml`) and dotted name; nil for anything else (a library, a file on no
    /// module path).
    static func moduleFolder(of path: String, in input: DeploymentInput, runtime: RuntimeView) -> (root: String, package: String, module: String)? {
        guard !EntryPath.isNested(path), let stem = moduleStem(path) else { return nil }
        let dotted = runtime.importName(ofModule: stem, at: path, in: input.role)
        let parts = dotted.split(separator: ".").map(String.init)
        let folders = EntryPath.components(path).dropLast()
        guard !parts.isEmpty, folders.count >= parts.count - 1, parts.allSatisfy(isIdentifier) else { return nil }
        let root = folders.dropLast(parts.count - 1).map { $0 + "/" }.joined()
        guard importRoots(of: input, runtime: runtime).contains(root) else { return nil }
        return (root, parts[0], dotted)
    }

    /// The module name of an extension module's file name (`_speedups` of `_speedups.cpython-313-x86_64-linux-gnu.so`,
    /// `.abi3.so`, `.pyd`, or a plain `_speedups.so`); nil for a library (`libfoo.so.1`).
    static func moduleStem(_ path: String) -> String? {
        let name = EntryPath.lastComponent(path) ?? path
        if let parsed = ExtensionModuleName(fileName: name) { return parsed.module }
        guard name.hasSuffix(".so") else { return nil }
        let stem = String(name.dropLast(3))
        return isIdentifier(stem) ? stem : nil
    }

    static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, first == "_" || first.properties.isAlphabetic else { return false }
        return text.unicodeScalars.allSatisfy { $0 == "_" || $0.properties.isAlphabetic || $0.properties.numericType == .decimal }
    }

    // MARK: - Judging

    /// Every read Python file of a deployment with its module name, for the judgement.
    struct SourceFile {
        let path: String
        /// Its dotted module name (`yaml.cyaml`; a package's `__init__.py` is the package, `yaml`).
        let module: String
        let isPackageInit: Bool
        /// At the top of a module path: the handler, or a top-level module other code imports.
        let atRoot: Bool
        let imports: [PythonImport]
        /// A test or an example (`tests/`, `conftest.py`, `examples/`): shipped, never imported by a function.
        var isTestOrExample = false
        /// Whether the function's imports can run this file (`reachedFiles`).
        var reach: FileReach = .imported
        /// How many folders below its import root name the package it belongs to (`ruamel/yaml/cyaml.py` in the
        /// namespace package `ruamel`: 2, `ruamel.yaml`): up to the outermost folder with an `__init__.py`, else its
        /// own folder; nil for a file at an import root.
        var packageDepth: Int? = nil
    }

    /// How many folders of `path` below its import root name its package: up to the outermost one with a read
    /// `__init__.py` (`markupsafe/`: 1; in the namespace package `ruamel`, `ruamel/yaml/`: 2), else all of them.
    static func packageDepth(of path: String, roots: Set<String>, read: [String: [PythonImport]]) -> Int? {
        guard let root = roots.filter({ path.hasPrefix($0) }).max(by: { $0.count < $1.count }) else { return nil }
        let folders = EntryPath.components(String(path.dropFirst(root.count))).dropLast()
        guard !folders.isEmpty else { return nil }
        return (1...folders.count).first { read[root + folders.prefix($0).joined(separator: "/") + "/__init__.py"] != nil } ?? folders.count
    }

    /// The packages that go on without a top-level module, named as imported (`ruamel.yaml`), in path order.
    static func importingPackages(_ sites: [OptionalImport.Site], files: [SourceFile]) -> String {
        var names: [String] = []
        for site in sites {
            guard let file = files.first(where: { $0.path == site.file }) else { continue }
            let name = file.packageDepth.map { file.module.split(separator: ".").prefix($0).joined(separator: ".") } ?? file.module
            if !name.isEmpty, !names.contains(name) { names.append(name) }
        }
        return names.isEmpty ? "the code that imports it" : names.joined(separator: " and ")
    }

    /// How a read file of the deployment can come to run.
    enum FileReach: Equatable {
        /// The handler or a top-level module, a package's `__init__.py` (what `import package` runs), or a module one
        /// of those imports (any import, guarded or not, in a function or not), and so on.
        case imported
        /// A public module (no part of its name starts with `_`) that nothing read imports, or a module the top of one
        /// imports: user code may import it by its name, so what runs at its top counts; its functions run only when
        /// called.
        case publicOnly
        /// A private module nothing imports, a test, an example.
        case unreached
    }

    /// What the read files say of one extension module.
    enum ModuleUse: Equatable {
        /// An import that runs when the function does and is not guarded.
        case required
        /// Every import that runs is guarded.
        case guarded([OptionalImport.Site])
        /// No import that runs when the function does: only tests, examples and modules nothing imports, or nothing.
        case notImported
    }

    /// What the read files say of each extension module of the deployment, by artifact and path: the optional ones
    /// (`Reach.optional`) and those nothing the function runs imports (`Reach.unimported`).
    static func judge(placed: [(artifact: Artifact, role: ArtifactRole)], runtime: RuntimeView) -> [String: [String: Reach]] {
        guard runtime.pythonPath != nil, placed.contains(where: { !$0.artifact.pythonSources.isEmpty }) else { return [:] }
        let inputs = placed.map { DeploymentInput(artifact: $0.artifact, role: $0.role, unpacked: []) }
        var files: [SourceFile] = []
        var unreadFolders: [String] = []
        var coveredPackages: Set<String> = []
        // Every file of every input read: only then is every importer of a top-level module known.
        var wholeRead = true
        for input in inputs {
            let sources = input.artifact.pythonSources
            let roots = importRoots(of: input, runtime: runtime)
            wholeRead = wholeRead && sources.unread.isEmpty && input.artifact.entries.allSatisfy { entry in
                entry.type != .file || !entry.path.hasSuffix(".py") || EntryPath.isNested(entry.path) || sources.covers(entry.path)
                    || !roots.contains { entry.path.hasPrefix($0) }
            }
            for folder in sources.folders where !roots.contains(folder) {
                // `root/package/`: the package whose files were all asked for.
                if let root = roots.first(where: { folder.hasPrefix($0) }) {
                    coveredPackages.insert(String(folder.dropFirst(root.count).dropLast()))
                }
            }
            // A file not read leaves its package (or, at a root, the handler) unjudged.
            for path in sources.unread.keys {
                guard let root = roots.filter({ path.hasPrefix($0) }).max(by: { $0.count < $1.count }) else { continue }
                let rest = path.dropFirst(root.count)
                unreadFolders.append(rest.contains("/") ? String(rest.split(separator: "/")[0]) : "")
            }
            for (path, imports) in sources.imports {
                let stem = String((EntryPath.lastComponent(path) ?? path).dropLast(3))
                // A package's `__init__.py` is named by its package (RuntimeView.importName); one at an import root
                // belongs to no package.
                let isInit = stem == "__init__"
                let dotted = runtime.importName(ofModule: stem, at: path, in: input.role)
                let module = isInit && dotted == "__init__" ? "" : dotted
                let folder = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
                let atRoot = roots.contains(folder.isEmpty ? "" : folder + "/")
                files.append(SourceFile(
                    path: path, module: module, isPackageInit: isInit, atRoot: atRoot, imports: imports,
                    isTestOrExample: isTest(path) || isExample(path), packageDepth: packageDepth(of: path, roots: roots, read: sources.imports)))
            }
        }
        files.sort { $0.path < $1.path }
        files = reachedFiles(files)
        let index = ImportIndex(files)
        var found: [String: [String: Reach]] = [:]
        guard !unreadFolders.contains("") else { return [:] }
        for input in inputs {
            for binary in input.artifact.binaries {
                guard let (_, package, module) = moduleFolder(of: binary.path, in: input, runtime: runtime) else { continue }
                // A top-level module is imported by other distributions (ruamel.yaml.clib's `_ruamel_yaml` by
                // ruamel.yaml): any file may be its importer. A module in a package, by its package first.
                let topLevel = package == module
                guard topLevel ? wholeRead : coveredPackages.contains(package) && !unreadFolders.contains(package) else { continue }
                let notFound = !isVisible(binary.path, runtime: runtime)
                var visiting: Set<String> = []
                switch use(of: module, notFound: notFound, direct: true, files: files, index: index, depth: 0, visiting: &visiting) {
                case .required:
                    continue
                case .guarded(let sites):
                    let goesOn = topLevel ? importingPackages(sites, files: files) : package
                    found[input.artifact.path, default: [:]][binary.path] = .optional(OptionalImport(module: module, package: goesOn, sites: sites))
                case .notImported:
                    // A top-level module nothing read imports: compiled modules and user code import such modules by
                    // name, so nothing is concluded.
                    guard !topLevel else { continue }
                    let importers = Self.importers(of: module, files: files)
                    // User code imports public modules by name, and code not read here (a compiled module, another
                    // distribution) may import any module: only a private module that tests or unreached modules import,
                    // or a file that is no module at all, is judged unimported.
                    let isPrivate = module.split(separator: ".").contains { $0.hasPrefix("_") }
                    let unimported = UnimportedModule(module: module, package: package, importers: importers)
                    if importers.isEmpty, !exportsAnyInit(binary) {
                        found[input.artifact.path, default: [:]][binary.path] = .loadedByPath(unimported)
                    } else if !importers.isEmpty, isPrivate {
                        found[input.artifact.path, default: [:]][binary.path] = .unimported(unimported)
                    }
                }
            }
        }
        return found
    }

    /// An ELF file that exports a `PyInit_…` (or `PyInitU_…`) function of any name was built as a module.
    static func exportsAnyInit(_ binary: Binary) -> Bool {
        guard case .elf(let elf)? = binary.facts else { return true }
        return elf.symbols.containsName(defined: true) { $0.starts(with: "PyInit".utf8) }
    }

    /// Each file with its reach: from the handler, the top-level modules and every package `__init__.py` (tests and
    /// examples left out: nothing runs them by itself; and the `__init__.py` of a package with a private top-level
    /// name, which user code does not import: pyyaml's `_yaml/__init__.py`, a shim for the old place of `yaml._yaml`
    /// that `import yaml` never runs), what their imports name, and so on (`imported`: a test or an example the
    /// package's own code imports too); then from the public modules none of those import, what the top of each
    /// imports, and so on (`publicOnly`); the rest is `unreached`.
    static func reachedFiles(_ files: [SourceFile]) -> [SourceFile] {
        var byModule: [String: Int] = [:]
        for (index, file) in files.enumerated() where !file.module.isEmpty {
            byModule[file.module] = byModule[file.module] ?? index
        }
        func closure(from seeds: [Int], known: Set<Int>, topOnly: Bool) -> Set<Int> {
            var reached = known.union(seeds)
            var queue = seeds.sorted()
            while let index = queue.popLast() {
                for site in files[index].imports where !(topOnly && site.inFunction) {
                    for name in importedModules(site, in: files[index]) {
                        guard let target = byModule[name], reached.insert(target).inserted else { continue }
                        queue.append(target)
                    }
                }
            }
            return reached.subtracting(known)
        }
        let imported = closure(
            from: files.indices.filter { index in
                let file = files[index]
                return !file.isTestOrExample && (file.atRoot || file.isPackageInit && !file.module.hasPrefix("_"))
            }, known: [], topOnly: false)
        let publicOnly = closure(
            from: files.indices.filter { index in
                let file = files[index]
                return !imported.contains(index) && !file.isTestOrExample && !file.module.isEmpty
                    && !file.module.split(separator: ".").contains { $0.hasPrefix("_") }
            }, known: imported, topOnly: true)
        return files.enumerated().map { index, file in
            var file = file
            file.reach = imported.contains(index) ? .imported : publicOnly.contains(index) ? .publicOnly : .unreached
            return file
        }
    }

    /// The modules an import statement can load (its module and each parent package; `from M import n`: `M.n` too).
    static func importedModules(_ site: PythonImport, in file: SourceFile) -> [String] {
        guard let base = absoluteBase(of: site, in: file) else { return [] }
        let parts = base.split(separator: ".").map(String.init)
        var names = parts.indices.map { parts[...$0].joined(separator: ".") }
        names += site.names.map { base.isEmpty ? $0 : "\(base).\($0)" }
        return names
    }

    /// Every import of `module` in the read files that does not run when the function does (tests, examples, modules
    /// nothing imports), in path order.
    static func importers(of module: String, files: [SourceFile]) -> [UnimportedModule.Importer] {
        files.flatMap { file in
            file.imports.filter { resolves($0, in: file, to: module) != nil }.map { site in
                let why = isTest(file.path) ? UnimportedModule.Importer.test
                    : file.isTestOrExample ? UnimportedModule.Importer.example
                    : file.reach == .publicOnly ? UnimportedModule.Importer.functionOfUnimportedModule : UnimportedModule.Importer.unimportedModule
                return UnimportedModule.Importer(file: file.path, line: site.line, why: why)
            }
        }
    }

    /// The runtime's CPython finds the file under its name (a suffix it looks for): what fails then is the load
    /// (an ImportError), not the search (a ModuleNotFoundError).
    static func isVisible(_ path: String, runtime: RuntimeView) -> Bool {
        let name = EntryPath.lastComponent(path) ?? path
        guard let parsed = ExtensionModuleName(fileName: name) else { return name.hasSuffix(".so") }
        return runtime.python?.extensionSuffixes.contains(parsed.suffix) ?? true
    }

    /// Tests are not imported by a function: a `tests` or `test` folder, `test_*.py`, `*_test.py`, `conftest.py`.
    static func isTest(_ path: String) -> Bool {
        let parts = EntryPath.components(path)
        let name = parts.last ?? path
        return parts.dropLast().contains { $0 == "tests" || $0 == "test" } || name.hasPrefix("test_") || name.hasSuffix("_test.py")
            || name == "conftest.py"
    }

    /// Examples and demos shipped in a package (`pygame/examples/`): scripts run by hand, never imported by a function.
    static func isExample(_ path: String) -> Bool {
        EntryPath.components(path).dropLast().contains { ["examples", "example", "demos", "demo"].contains($0) }
    }

    /// Whether an import in `file` runs when the function runs: not in a test or example, and in a file the function's
    /// imports reach, or at the top of a public module user code may import by name.
    static func runs(_ site: PythonImport, in file: SourceFile) -> Bool {
        switch file.reach {
        case .imported: true
        case .publicOnly: !site.inFunction
        case .unreached: false
        }
    }

    /// The guarded imports of `module` when every import of it is guarded (directly or through a module that is),
    /// nil when one is not, or when none is found. `direct`: the failure is the module's own (a `from package import
    /// module` of a module not found raises ImportError, not ModuleNotFoundError); through another module it is what
    /// that module's import raised.
    static func use(
        of module: String, notFound: Bool, direct: Bool, files: [SourceFile], index: ImportIndex? = nil, depth: Int,
        visiting: inout Set<String>
    ) -> ModuleUse {
        guard depth < 5, visiting.insert(module).inserted else { return .required }
        defer { visiting.remove(module) }
        let index = index ?? ImportIndex(files)
        var sites: [OptionalImport.Site] = []
        for (fileIndex, siteIndex) in index.statements(naming: module) {
            let file = files[fileIndex]
            let site = file.imports[siteIndex]
            guard let form = resolves(site, in: file, to: module), runs(site, in: file) else { continue }
            if let guardedBy = site.guardedBy,
                guardedBy.catches == .importError || (notFound && (form == .named || !direct))
            {
                sites.append(OptionalImport.Site(file: file.path, line: site.line, handler: guardedBy.handler, fallback: guardedBy.fallback, through: nil))
                continue
            }
            // Unguarded: required, unless it runs at the top of a module that is itself imported only under a
            // guard (a module nothing imports whose top runs is public: user code may import it).
            guard !site.inFunction, !file.isPackageInit, !file.atRoot,
                case .guarded(let through) = use(
                    of: file.module, notFound: notFound, direct: false, files: files, index: index, depth: depth + 1, visiting: &visiting)
            else { return .required }
            sites += through.map { OptionalImport.Site(file: $0.file, line: $0.line, handler: $0.handler, fallback: $0.fallback, through: $0.through ?? file.path) }
        }
        return sites.isEmpty ? .notImported : .guarded(sites)
    }

    /// The import statements of the read files by each module they can load (`importedModules`), in path and source
    /// order: a deployment's every file is read, and each of its modules is looked up once.
    struct ImportIndex {
        private var byModule: [String: [(file: Int, site: Int)]] = [:]

        init(_ files: [SourceFile]) {
            for (fileIndex, file) in files.enumerated() {
                for (siteIndex, site) in file.imports.enumerated() {
                    for name in Set(importedModules(site, in: file)) { byModule[name, default: []].append((fileIndex, siteIndex)) }
                }
            }
        }

        func statements(naming module: String) -> [(file: Int, site: Int)] { byModule[module] ?? [] }
    }

    /// The absolute module an import statement names (`from ..x import y` in `a.b.c`: `a.x`); nil when its dots
    /// climb above the top-level package.
    static func absoluteBase(of site: PythonImport, in file: SourceFile) -> String? {
        guard site.level > 0 else { return site.module }
        var anchor = file.module.split(separator: ".").map(String.init)
        if !file.isPackageInit { anchor = Array(anchor.dropLast()) }
        guard anchor.count >= site.level - 1 else { return nil }
        anchor = Array(anchor.dropLast(site.level - 1))
        return (anchor + (site.module.isEmpty ? [] : [site.module])).joined(separator: ".")
    }

    enum Form {
        /// `import a.b`, `from a.b import x`: the statement names the module.
        case named
        /// `from a import b`: the module as a name of its package.
        case fromPackage
    }

    /// Whether the import statement imports `module`, and how.
    static func resolves(_ site: PythonImport, in file: SourceFile, to module: String) -> Form? {
        guard let base = absoluteBase(of: site, in: file) else { return nil }
        if base == module || base.hasPrefix(module + ".") { return .named }
        if site.level > 0 || !site.names.isEmpty, site.names.contains(where: { "\(base).\($0)" == module }) { return .fromPackage }
        return nil
    }
}
