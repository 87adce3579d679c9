import ShiplintFacts
import ShiplintTargets

/// Native Python modules the code imports only under `try: … except ImportError:` (markupsafe's `_speedups`, pyyaml's
/// `_yaml`, msgpack's `_cmsgpack`, multidict's `_multidict`): when one cannot load, the package goes on without it
/// (its pure-Python code, another backend). Judged from the imports of the package's own `.py` files and of the
/// modules at the top of each module path (the handler), read on a second pass (`PythonSources`) only for the modules a
/// check says cannot load.
///
/// A module is optional when it sits in a package (a top-level extension module is imported by other
/// distributions, which are not read) and every import of it in those files (tests left out) is in a `try` whose
/// handler lets the failure through: `except ImportError` (or `Exception`, a bare `except`, a tuple holding one),
/// or `except ModuleNotFoundError` when the runtime's CPython does not see the file at all (its name is for another
/// CPython or OS) and the statement names the module itself. An import outside such a `try`, at the top of a
/// module that is itself imported only so, counts through that module; anywhere else (a package's `__init__.py`,
/// the handler, a function body) it makes the module required. No import found, or a file of the package not read,
/// and nothing is concluded: the module stays required.
public struct OptionalImport: Sendable, Equatable {
    /// The module's dotted name (`markupsafe._speedups`).
    public let module: String
    /// The top-level package that goes on without it (`markupsafe`).
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

/// The Python side of a deployment the optional-import judgement needs: which files to read, and what they say.
public enum OptionalImports {
    /// Checks whose error on an extension module means "the import fails": a second read looks for a guard around it.
    public static var failureChecks: Set<String> { CheckRegistry.reachabilityChecks }

    /// The most `.py` files asked for in one artifact; a package with more is not judged (its module stays required).
    public static let maximumFiles = 20_000

    // MARK: - What to read

    /// For each artifact (by path) of the deployment, the `.py` files to read: those of the top-level package of each
    /// Python extension module a check says cannot load here (`failureChecks`, an error at its reach), and the
    /// modules at the top of every module path of every input (the handler). Empty when none fails.
    public static func reads(for deployment: DeploymentContext) -> [String: PythonFileSelection] {
        guard deployment.runtime.pythonPath != nil else { return [:] }
        let inputs = deployment.inputs.filter { $0.artifact.image == nil && $0.artifact.kind != .file }
        let modules = Set(inputs.flatMap { input in input.artifact.binaries.compactMap { moduleFolder(of: $0.path, in: input, runtime: deployment.runtime) == nil ? nil : $0.path } })
        guard !modules.isEmpty else { return [:] }
        let checks = CheckRegistry.all.filter { failureChecks.contains($0.id) }
        let failing = Scanner.scan(deployment, checks: checks).artifacts.flatMap { scan in
            scan.findings.filter { $0.severity == .error && modules.contains($0.path) }.map { (artifact: scan.artifact.path, path: $0.path) }
        }
        guard !failing.isEmpty else { return [:] }
        // The packages to read, in whichever input holds them.
        var packages: Set<String> = []
        for (artifact, path) in failing {
            guard let input = inputs.first(where: { $0.artifact.path == artifact }),
                let folder = moduleFolder(of: path, in: input, runtime: deployment.runtime)
            else { continue }
            packages.insert(folder.package)
        }
        guard !packages.isEmpty else { return [:] }
        var reads: [String: PythonFileSelection] = [:]
        for input in inputs {
            let roots = importRoots(of: input, runtime: deployment.runtime)
            var files: Set<String> = []
            var folders: Set<String> = []
            for root in roots {
                for package in packages { folders.insert(root + package + "/") }
            }
            for entry in input.artifact.entries where entry.type == .file && entry.path.hasSuffix(".py") && !EntryPath.isNested(entry.path) {
                let folder = entry.path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
                if roots.contains(folder.isEmpty ? "" : folder + "/") || folders.contains(where: { entry.path.hasPrefix($0) }) {
                    files.insert(entry.path)
                }
            }
            guard files.count <= maximumFiles else { continue }
            let present = folders.filter { folder in files.contains { $0.hasPrefix(folder) } }
            if !files.isEmpty { reads[input.artifact.path] = PythonFileSelection(files: files, folders: present.union(roots)) }
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

    /// A Python extension module in a package: its import root (entry-path prefix), top-level package and dotted
    /// name; nil for anything else (a library, a top-level module, a file on no module path).
    static func moduleFolder(of path: String, in input: DeploymentInput, runtime: RuntimeView) -> (root: String, package: String, module: String)? {
        guard !EntryPath.isNested(path), let stem = moduleStem(path) else { return nil }
        let dotted = runtime.importName(ofModule: stem, at: path, in: input.role)
        let parts = dotted.split(separator: ".").map(String.init)
        let folders = EntryPath.components(path).dropLast()
        guard parts.count >= 2, folders.count >= parts.count - 1, parts.allSatisfy(isIdentifier) else { return nil }
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
    }

    /// What the read files say of each extension module of the deployment: the optional ones, by artifact and path.
    static func judge(placed: [(artifact: Artifact, role: ArtifactRole)], runtime: RuntimeView) -> [String: [String: OptionalImport]] {
        guard runtime.pythonPath != nil, placed.contains(where: { !$0.artifact.pythonSources.isEmpty }) else { return [:] }
        let inputs = placed.map { DeploymentInput(artifact: $0.artifact, role: $0.role, unpacked: []) }
        var files: [SourceFile] = []
        var unreadFolders: [String] = []
        var coveredPackages: Set<String> = []
        for input in inputs {
            let sources = input.artifact.pythonSources
            let roots = importRoots(of: input, runtime: runtime)
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
            for (path, imports) in sources.imports where !isTest(path) {
                let stem = String((EntryPath.lastComponent(path) ?? path).dropLast(3))
                var module = runtime.importName(ofModule: stem, at: path, in: input.role)
                let isInit = stem == "__init__"
                if isInit { module = String(module.dropLast("__init__".count)).trimmingCharacters(in: ["."]) }
                let folder = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
                let atRoot = roots.contains(folder.isEmpty ? "" : folder + "/")
                files.append(SourceFile(path: path, module: module, isPackageInit: isInit, atRoot: atRoot, imports: imports))
            }
        }
        files.sort { $0.path < $1.path }
        var found: [String: [String: OptionalImport]] = [:]
        guard !unreadFolders.contains("") else { return [:] }
        for input in inputs {
            for binary in input.artifact.binaries {
                guard let (_, package, module) = moduleFolder(of: binary.path, in: input, runtime: runtime),
                    coveredPackages.contains(package), !unreadFolders.contains(package)
                else { continue }
                let notFound = !isVisible(binary.path, runtime: runtime)
                var visiting: Set<String> = []
                if let sites = guardedSites(of: module, notFound: notFound, direct: true, files: files, depth: 0, visiting: &visiting) {
                    found[input.artifact.path, default: [:]][binary.path] = OptionalImport(module: module, package: package, sites: sites)
                }
            }
        }
        return found
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

    /// The guarded imports of `module` when every import of it is guarded (directly or through a module that is),
    /// nil when one is not, or when none is found. `direct`: the failure is the module's own (a `from package import
    /// module` of a module not found raises ImportError, not ModuleNotFoundError); through another module it is what
    /// that module's import raised.
    static func guardedSites(
        of module: String, notFound: Bool, direct: Bool, files: [SourceFile], depth: Int, visiting: inout Set<String>
    ) -> [OptionalImport.Site]? {
        guard depth < 5, visiting.insert(module).inserted else { return nil }
        defer { visiting.remove(module) }
        var sites: [OptionalImport.Site] = []
        for file in files {
            for site in file.imports {
                guard let form = resolves(site, in: file, to: module) else { continue }
                if let guardedBy = site.guardedBy,
                    guardedBy.catches == .importError || (notFound && (form == .named || !direct))
                {
                    sites.append(OptionalImport.Site(file: file.path, line: site.line, handler: guardedBy.handler, fallback: guardedBy.fallback, through: nil))
                    continue
                }
                // Unguarded: required, unless it runs at the top of a module that is itself imported only under a guard.
                guard !site.inFunction, !file.isPackageInit, !file.atRoot,
                    let through = guardedSites(of: file.module, notFound: notFound, direct: false, files: files, depth: depth + 1, visiting: &visiting)
                else { return nil }
                sites += through.map { OptionalImport.Site(file: $0.file, line: $0.line, handler: $0.handler, fallback: $0.fallback, through: $0.through ?? file.path) }
            }
        }
        return sites.isEmpty ? nil : sites
    }

    enum Form {
        /// `import a.b`, `from a.b import x`: the statement names the module.
        case named
        /// `from a import b`: the module as a name of its package.
        case fromPackage
    }

    /// Whether the import statement imports `module`, and how.
    static func resolves(_ site: PythonImport, in file: SourceFile, to module: String) -> Form? {
        var base = site.module
        if site.level > 0 {
            var anchor = file.module.split(separator: ".").map(String.init)
            if !file.isPackageInit { anchor = Array(anchor.dropLast()) }
            guard anchor.count >= site.level - 1 else { return nil }
            anchor = Array(anchor.dropLast(site.level - 1))
            base = (anchor + (site.module.isEmpty ? [] : [site.module])).joined(separator: ".")
        }
        if base == module || base.hasPrefix(module + ".") { return .named }
        if site.level > 0 || !site.names.isEmpty, site.names.contains(where: { "\(base).\($0)" == module }) { return .fromPackage }
        return nil
    }
}
