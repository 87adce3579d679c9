import ShiplintFacts
import ShiplintTargets

/// The runtime as one function sees it, computed once from its target and its deployment (the descriptor, when the
/// scan came from one): where Lambda mounts the code, which folders each language searches for modules, PATH and
/// LD_LIBRARY_PATH, the extensions folder, the entry points it executes, the runtime's family, its architecture and
/// its libc. Every check, the resolver, `explain` and the fix advice ask this view; none spells a path, a runtime
/// family or an architecture itself, so they cannot disagree about the runtime.
///
/// Extending it: a language's module path is one `ModuleSearchPath` (Ruby's `RUBYLIB`, Java's class path join the
/// same way); what the runtime itself provides (its libraries, its interpreter) joins `libraries` or a new member
/// built here, from the target.
public struct RuntimeView: Sendable {
    /// The target the function is judged against (its libraries, symbol versions, wheel policy: the runtime's facts).
    public let target: TargetRuntime
    /// What the deployment descriptor says about the function, nil for artifacts named on the command line.
    public let descriptor: FunctionDescriptor?
    /// The Lambda runtime id of the runtime judged against (`python3.13`): the target's, else the descriptor's (a
    /// rule file of your own that names none). What the descriptor declares is `descriptor.runtime` / `.family`.
    public let runtimeID: String?
    /// The runtime's language (`RuntimeFamily(runtime:)` of `runtimeID`), nil for a wheel policy or an image without one.
    public let family: RuntimeFamily?
    public let architecture: TargetArchitecture
    public let libc: Libc
    /// Where Lambda unpacks the function's code (`/var/task`; `/` for a container image, whose paths are absolute).
    public let taskRoot: String
    /// Where Lambda unpacks every layer, a later one over an earlier one (`/opt`).
    public let layerRoot: String
    /// The module path of the target's language (Python's `sys.path`, Node.js's `node_modules` lookup and
    /// `NODE_PATH`; any other language's layer folders), nil for a target with neither a language nor a package
    /// layout.
    public let modules: ModuleSearchPath?
    /// Where the dynamic loader looks for shared libraries.
    public let libraries: LibrarySearch
    /// `PATH`, in order: the runtime's own `bin`, the system's, then the layers' `bin` (`/opt/bin`).
    public let executablePath: [String]
    /// Files at the top of the code or of a layer that the runtime executes itself (`bootstrap` on an OS-only runtime).
    public let entryPoints: [String]
    /// The target has Lambda's package layout (a task root, layers, limits): false for a wheel policy.
    public let hasPackageLayout: Bool

    /// The libc the runtime's loader is, and its version.
    public struct Libc: Sendable, CustomStringConvertible {
        public let kind: TargetLibc
        public let version: VersionNumber
        /// `glibc 2.34`, `musl`, `no C library`.
        public var description: String { kind.describe(version: version) }
    }

    /// The name Lambda gives the executable of a custom runtime (AWS "Building a custom runtime").
    public static let bootstrap = "bootstrap"

    /// Top folders of a layer whose content Lambda or a runtime uses (AWS "Packaging your layer content"), whatever
    /// the runtime: each language's folder (`python`, `nodejs`, `java`, `ruby`), `lib` (on LD_LIBRARY_PATH), `bin`
    /// (on PATH) and `extensions`.
    public static let layerContentFolders: Set<String> = Set(RuntimeFamily.allCases.compactMap(\.layerFolder)).union(sharedLayerFolders)
        .union([LambdaFileSystem.extensionsFolder])

    /// The layer folders every runtime uses, of no language: `lib` and `bin` (also how an OS-only function ships its
    /// libraries and tools next to `bootstrap`).
    public static let sharedLayerFolders: Set<String> = [LambdaFileSystem.libraryFolder, LambdaFileSystem.executableFolder]

    public init(target: TargetRuntime, descriptor: FunctionDescriptor? = nil) {
        self.target = target
        self.descriptor = descriptor
        runtimeID = target.platform.runtime ?? descriptor?.runtime
        family = runtimeID.flatMap(RuntimeFamily.init(runtime:))
        architecture = target.platform.arch
        libc = Libc(kind: target.platform.libc, version: target.platform.libcVersion)
        let package = target.package
        hasPackageLayout = package != nil
        taskRoot = package?.taskRoot ?? LambdaFileSystem.taskRoot
        layerRoot = package?.layerRoot ?? LambdaFileSystem.layerRoot
        let language: RuntimeFamily? = target.python != nil ? .python : target.nodeVersion != nil ? .nodejs : family
        // A rule without a package table still has its language's layer folder (`python`), for messages.
        let layerFolders = package?.layerPaths ?? (language?.layerFolder).map { [$0] } ?? []
        modules = language == nil && package == nil
            ? nil : ModuleSearchPath(language: language, layerFolders: layerFolders, functionFolders: Self.functionFolders(of: language, target: target))
        libraries = LibrarySearch(target: target, taskRoot: taskRoot, layerRoot: layerRoot)
        executablePath = [
            LambdaFileSystem.path(LambdaFileSystem.runtimeRoot, LambdaFileSystem.executableFolder), "/usr/local/bin", "/usr/bin", "/bin",
            LambdaFileSystem.path(layerRoot, LambdaFileSystem.executableFolder),
        ]
        let declared = package?.executableEntryPoints ?? []
        entryPoints = declared.isEmpty && family?.isOSOnly == true ? [Self.bootstrap] : declared
    }

    // MARK: - Places

    /// Where an input of the deployment is unpacked: the task root for the function, the layer root for a layer.
    public func root(of role: ArtifactRole) -> String {
        switch role {
        case .function: taskRoot
        case .layer: layerRoot
        }
    }

    /// The runtime path of `path` inside an input (`/var/task/pkg/x.so`, `/opt/python/x.py`).
    public func runtimePath(_ path: String, in role: ArtifactRole) -> String {
        LambdaFileSystem.path(root(of: role), path)
    }

    /// Where a runtime path lies: in the function (`/var/task/x` → `x`) or in the layers (`/opt/x` → `x`), nil for
    /// a path under neither root.
    public func place(ofRuntimePath path: String) -> (inLayers: Bool, path: String)? {
        let layer = layerRoot.hasSuffix("/") ? layerRoot : layerRoot + "/"
        let task = taskRoot.hasSuffix("/") ? taskRoot : taskRoot + "/"
        if path.hasPrefix(layer) { return (true, String(path.dropFirst(layer.count))) }
        if path.hasPrefix(task) { return (false, String(path.dropFirst(task.count))) }
        return nil
    }

    /// The external extensions Lambda starts before the function (`/opt/extensions`).
    public var extensionsFolder: String { LambdaFileSystem.path(layerRoot, LambdaFileSystem.extensionsFolder) }

    /// Folders of an input on `PATH`, relative to its root: a layer's `bin` (Lambda puts `/opt/bin` on PATH); none of
    /// the function's (its `bin/` is not on PATH).
    public func executableFolders(in role: ArtifactRole) -> [String] {
        let root = self.root(of: role)
        return executablePath.compactMap { folder in
            folder.hasPrefix(root + "/") ? String(folder.dropFirst(root.count + 1)) : nil
        }
    }

    /// Folders of an input whose files Lambda runs itself, relative to its root: a layer's `extensions`.
    public func extensionFolders(in role: ArtifactRole) -> [String] {
        guard case .layer = role else { return [] }
        return [LambdaFileSystem.extensionsFolder]
    }

    // MARK: - Languages

    /// The target's CPython, nil on a runtime without one.
    public var python: TargetRuntime.Python? { target.python }

    /// The Python module path, nil on a runtime that is not Python.
    public var pythonPath: ModuleSearchPath? { modules?.language == .python ? modules : nil }

    /// The Node.js module path, nil on a runtime that is not Node.js.
    public var nodePath: ModuleSearchPath? { modules?.language == .nodejs ? modules : nil }

    /// The Node.js major (`22`), nil on a runtime that is not Node.js (or whose version was not read).
    public var nodeVersion: String? { target.nodeVersion }

    /// `python3.13`: the folder name of this CPython's own `lib/pythonX.Y/site-packages`.
    public var pythonFolderName: String? { python.map { "python\($0.version)" } }

    /// The dotted name `import` uses for the module `module` at `path` of an input (`pkg/_mod.so` → `pkg._mod`),
    /// relative to the folder of the module path that holds it (a layer's `python/lib/python3.13/site-packages/`).
    public func importName(ofModule module: String, at path: String, in role: ArtifactRole) -> String {
        let inner = EntryPath.inner(path)
        var folders = EntryPath.components(inner).dropLast()
        if case .layer = role, let modules {
            // The deepest folder of the path that holds the file; else, for another CPython's site-packages, the
            // layer's language folder (the file is on no path: the name is what its own layout says).
            let onPath = modules.layerSearchOrder.first { EntryPath.path(inner, isInside: $0) }.map(EntryPath.components) ?? []
            let other = Self.otherPythonSitePackages(Array(folders)).map(EntryPath.components) ?? []
            folders = folders.dropFirst(max(onPath.count, other.count))
        }
        // A compiled package `__init__` is imported as its package (`apsw/__init__….so` is `import apsw`).
        if module == "__init__", !folders.isEmpty { return folders.joined(separator: ".") }
        return (folders + [module]).joined(separator: ".")
    }

    /// `python/lib/python3.12/site-packages` when `folders` start with one (any CPython's), nil otherwise.
    static func otherPythonSitePackages(_ folders: [String]) -> String? {
        guard folders.count >= 4, folders[0] == RuntimeFamily.python.layerFolder, folders[1] == "lib", folders[2].hasPrefix("python"),
            folders[3] == "site-packages"
        else { return nil }
        return folders[0...3].joined(separator: "/")
    }

    // MARK: - Programs

    /// The shells every Lambda runtime has (Amazon Linux 2 and the AL2023 minimal container both ship bash as `sh`, and
    /// coreutils' `env`): what a script's `#!` line may name without shipping its interpreter.
    public static let systemInterpreters: Set<String> = ["sh", "bash", "env"]

    /// The interpreter the runtime itself brings in `/var/lang/bin` (`python3`, `node`, `ruby`, `java`, `dotnet`), by
    /// its family: none on an OS-only runtime.
    public var languageInterpreters: [String] {
        switch family {
        case .python: ["python", "python3"] + (python.map { ["python\($0.version)"] } ?? [])
        case .nodejs: ["node"]
        case .ruby: ["ruby"]
        case .java: ["java"]
        case .dotnet: ["dotnet"]
        case .provided, nil: []
        }
    }

    /// Whether the runtime has the interpreter a `#!` line names: an absolute path (`/bin/sh`, `/usr/bin/python3`) or,
    /// after `env`, a name found on `PATH`. Nil when the view cannot tell (a path of another folder: the deployment
    /// may ship it, the caller looks there).
    public func hasInterpreter(_ program: String) -> Bool? {
        let name = program.split(separator: "/").last.map(String.init) ?? program
        let folder = program.contains("/") ? String(program[..<program.lastIndex(of: "/")!]) : nil
        let systemFolders = ["/bin", "/usr/bin"]
        let runtimeBin = LambdaFileSystem.path(LambdaFileSystem.runtimeRoot, LambdaFileSystem.executableFolder)
        if Self.systemInterpreters.contains(name) { return folder == nil || systemFolders.contains(folder!) }
        if languageInterpreters.contains(name) { return folder == nil || folder == runtimeBin }
        // A language interpreter of another runtime, or one an OS-only runtime lacks: not on this runtime's PATH.
        let languages = ["python", "node", "ruby", "perl", "php", "java", "deno", "bun", "dotnet"]
        if languages.contains(where: { name.hasPrefix($0) }) && (folder == nil || systemFolders.contains(folder!) || folder == runtimeBin) {
            return false
        }
        return nil
    }

    /// Folders of the function's code each language loads from, relative to the task root:
    /// - Python: the root (`sys.path` starts with `/var/task`);
    /// - Node.js: `node_modules` (`require` from `/var/task`);
    /// - Java: the root (classes) and `lib` (every `lib/*.jar`): the class path of a .zip deployment (AWS "Deploy Java
    ///   Lambda functions with .zip or JAR file archives": Gradle's `buildZip` puts the jars `into('lib')`); a JAR
    ///   deployed as the code is the root itself;
    /// - Ruby: the root (on `RUBYLIB`) and `vendor/bundle/ruby/<ruby_version>` (Bundler's `--path vendor/bundle`, on
    ///   `GEM_PATH`: AWS "Deploy Ruby Lambda functions with .zip file archives"; the folder is
    ///   `RbConfig::CONFIG["ruby_version"]`, `3.3.0`, the rule's `ruby.version-folder`);
    /// - .NET: the root (the published app: its `.deps.json`, assemblies and `runtimes/<rid>/native`).
    static func functionFolders(of language: RuntimeFamily?, target: TargetRuntime) -> [String] {
        switch language {
        case .nodejs: ["node_modules"]
        case .java: ["", "lib"]
        case .ruby: ["", "vendor/bundle/ruby/\(target.ruby?.versionFolder ?? "")"].filter { !$0.hasSuffix("/") }
        case .python, .dotnet, .provided, nil: [""]
        }
    }

    /// The Java class path's JARs: a JAR directly in a class-path folder of the function (`lib/x.jar`, or a JAR at
    /// the root) or of a layer (`java/lib/x.jar`, AWS "Packaging your layer content"). Nil off a Java runtime.
    public func isOnClassPath(jar path: String, in role: ArtifactRole) -> Bool? {
        guard family == .java || target.java != nil, let modules else { return nil }
        let folder = EntryPath.components(path).dropLast().joined(separator: "/")
        switch role {
        case .function: return modules.functionFolders.contains(folder)
        case .layer: return modules.layerFolders.contains(folder)
        }
    }

    /// Where the runtime's Ruby keeps a gem's compiled extension, below a gem folder (`vendor/bundle/ruby/3.3.0`,
    /// `ruby/gems/3.3.0`): `extensions/<arch>/<ruby_version>` (RubyGems' `Gem::BasicSpecification#extension_dir`).
    /// Nil off a Ruby runtime.
    public var rubyExtensionsFolder: String? {
        target.ruby.map { "extensions/\($0.arch)/\($0.versionFolder)" }
    }

    // MARK: - Other runtimes

    /// The OS-only runtimes (`provided.al2`, `provided.al2023`) of this architecture among the built-in targets, by
    /// glibc, oldest first: what advice names as the newer OS to move to, or the older one a log may come from.
    public var osOnlyRuntimes: [LambdaRuntimeSummary] { LambdaRuntimeSummary.osOnly[architecture] ?? [] }

    /// The OS-only runtime with a newer glibc than this one's, nil when this is the newest.
    public var newerOSOnlyRuntime: LambdaRuntimeSummary? {
        osOnlyRuntimes.last.flatMap { $0.glibc > libc.version ? $0 : nil }
    }
}

/// One language's module search path in a deployment: where the function's own modules are found and which folders
/// of the layers are on the path, in the runtime's order. Python's `sys.path` is `/var/task`, then each layer folder
/// (`/opt/python/lib/python3.13/site-packages`, `/opt/python`); Node.js's `require` looks in `/var/task/node_modules`,
/// then `NODE_PATH` (`/opt/nodejs/node22/node_modules`, `/opt/nodejs/node_modules`). Java's class path is the function's
/// root and `lib/*.jar`, then `/opt/java/lib/*.jar`; Ruby's `RUBYLIB` / `GEM_PATH` are `/var/task` and
/// `/var/task/vendor/bundle/ruby/3.3.0`, then `/opt/ruby/gems/3.3.0` and `/opt/ruby/lib`; .NET loads the published app
/// at `/var/task`.
public struct ModuleSearchPath: Sendable {
    /// Nil for a rule of no known language that still lists layer folders.
    public let language: RuntimeFamily?
    /// Folders of the function's code searched, relative to the task root: `""` (its root) for Python,
    /// `node_modules` for Node.js.
    public let functionFolders: [String]
    /// Folders of a layer on the path, relative to the layer root, as the target's rule lists them
    /// (`python`, `python/lib/python3.13/site-packages`): the order messages name them in.
    public let layerFolders: [String]
    /// The same, deepest first: the order the runtime searches them (site-packages before `python/`,
    /// `nodejs/node22/node_modules` before `nodejs/node_modules`), equal depths by name.
    public let layerSearchOrder: [String]

    init(language: RuntimeFamily?, layerFolders: [String], functionFolders: [String]) {
        self.language = language
        self.functionFolders = functionFolders
        self.layerFolders = layerFolders
        layerSearchOrder = layerFolders.sorted { $0.count != $1.count ? $0.count > $1.count : $0 < $1 }
    }

    /// The layer folders as runtime paths (`/opt/python`, `/opt/python/lib/python3.13/site-packages`), in rule order.
    public func layerPaths(root: String) -> [String] {
        layerFolders.map { LambdaFileSystem.path(root, $0) }
    }
}

/// Where the dynamic loader looks for a shared library on the runtime: `LD_LIBRARY_PATH` (which names the task root's
/// and layers' `lib/`), then the runtime's own folders (`/var/lang/lib`) and the system's.
public struct LibrarySearch: Sendable {
    /// `LD_LIBRARY_PATH`, in order.
    public let path: [String]
    /// The runtime's own folders and the sonames each holds: a lookup there is answered from the target's lists, not
    /// from the deployment's files.
    public let systemFolders: [String: Set<String>]
    /// The OS's libraries (`ld.so.cache` and the default folders).
    public let osLibraries: Set<String>
    /// Where the loader's cache finds an OS library, for messages (`/lib64`).
    public let defaultFolder: String
    /// `lib/` of the function (`/var/task/lib`) and of the layers (`/opt/lib`), both on `LD_LIBRARY_PATH`.
    public let functionFolder: String
    public let layerFolder: String
    /// The runtime's own folder (`/var/lang/lib`), first on `LD_LIBRARY_PATH`: a copy there shadows the OS's.
    public let runtimeFolder: String
    private let libraries: TargetRuntime.Libraries

    init(target: TargetRuntime, taskRoot: String, layerRoot: String) {
        path = target.libraries.searchPath
        let os = Set(target.libraries.os)
        osLibraries = os
        libraries = target.libraries
        runtimeFolder = TargetRuntime.Libraries.runtimeDirectory
        defaultFolder = "/lib64"
        systemFolders = [runtimeFolder: Set(target.libraries.runtime), "/lib64": os, "/usr/lib64": os, "/lib": os, "/usr/lib": os]
        functionFolder = LambdaFileSystem.path(taskRoot, LambdaFileSystem.libraryFolder)
        layerFolder = LambdaFileSystem.path(layerRoot, LambdaFileSystem.libraryFolder)
    }

    /// What the copy of `soname` that the loader found in `folder` (a `Resolution.runtime` folder) defines, as the
    /// target's `[[libraries.provides]]` says: the runtime's own copy, or the OS's. Nil when the rule does not know.
    public func provided(_ soname: String, in folder: String) -> TargetRuntime.ProvidedLibrary? {
        libraries.provided(soname, in: folder)
    }
}

/// A built-in Lambda target in a line: for advice that names another runtime than the function's.
public struct LambdaRuntimeSummary: Sendable {
    public let runtime: String
    /// `Amazon Linux 2023`.
    public let os: String
    public let glibc: VersionNumber

    /// The OS-only runtimes of each architecture, oldest glibc first, read once from the built-in targets.
    static let osOnly: [TargetArchitecture: [LambdaRuntimeSummary]] = {
        var found: [TargetArchitecture: [LambdaRuntimeSummary]] = [:]
        // Built-in targets the test suite loads one by one: none fails here.
        for name in TargetCatalog.builtIn.targetNames {
            guard let lambda = TargetCatalog.lambdaRuntime(ofTargetName: name), lambda.family.isOSOnly,
                let target = try? TargetCatalog.builtIn.load(name)
            else { continue }
            found[lambda.architecture, default: []].append(
                LambdaRuntimeSummary(runtime: lambda.runtime, os: target.platform.displayName, glibc: target.platform.libcVersion))
        }
        return found.mapValues { $0.sorted { $0.glibc < $1.glibc } }
    }()
}
