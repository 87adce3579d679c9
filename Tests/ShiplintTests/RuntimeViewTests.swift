import Foundation
import ShiplintChecks
import ShiplintFacts
@testable import ShiplintTargets
import Testing

/// The one runtime view: what each target and descriptor make of mounts, module paths, PATH, LD_LIBRARY_PATH, the
/// family, the architecture and libc.
@Suite struct RuntimeViewTests {
    static func view(_ target: String, descriptor: FunctionDescriptor? = nil) throws -> RuntimeView {
        RuntimeView(target: try TargetCatalog.builtIn.load(target), descriptor: descriptor)
    }

    @Test func pythonRuntime() throws {
        let view = try Self.view("aws-lambda-python3.13-x86_64")
        #expect(view.taskRoot == "/var/task" && view.layerRoot == "/opt")
        #expect(view.family == .python && view.runtimeID == "python3.13")
        #expect(view.architecture == .x86_64 && view.libc.description == "glibc 2.34")
        let path = try #require(view.pythonPath)
        #expect(path.functionFolders == [""])
        #expect(path.layerFolders == ["python", "python/lib/python3.13/site-packages"])
        #expect(path.layerSearchOrder == ["python/lib/python3.13/site-packages", "python"])
        #expect(path.layerPaths(root: view.layerRoot) == ["/opt/python", "/opt/python/lib/python3.13/site-packages"])
        #expect(view.nodePath == nil)
        #expect(view.executableFolders(in: .layer(1)) == ["bin"] && view.executableFolders(in: .function).isEmpty)
        #expect(view.extensionFolders(in: .layer(2)) == ["extensions"] && view.extensionFolders(in: .function).isEmpty)
        #expect(view.extensionsFolder == "/opt/extensions")
        #expect(view.executablePath.last == "/opt/bin")
        #expect(view.libraries.path.first == "/var/lang/lib" && view.libraries.path.contains("/opt/lib"))
        #expect(view.libraries.functionFolder == "/var/task/lib" && view.libraries.layerFolder == "/opt/lib")
        #expect(view.entryPoints.isEmpty)
        #expect(view.runtimePath("pkg/x.so", in: .layer(1)) == "/opt/pkg/x.so")
        #expect(view.place(ofRuntimePath: "/var/task/app.py")?.path == "app.py")
        #expect(view.place(ofRuntimePath: "/opt/python/x.py").map { $0.inLayers && $0.path == "python/x.py" } == true)
        #expect(view.place(ofRuntimePath: "/tmp/x") == nil)
    }

    @Test func nodeRuntime() throws {
        let view = try Self.view("aws-lambda-nodejs22.x-arm64")
        #expect(view.family == .nodejs && view.architecture == .aarch64 && view.nodeVersion == "22")
        let path = try #require(view.nodePath)
        #expect(path.functionFolders == ["node_modules"])
        #expect(path.layerSearchOrder == ["nodejs/node22/node_modules", "nodejs/node_modules"])
        #expect(view.pythonPath == nil)
    }

    @Test func osOnlyRuntimes() throws {
        let al2023 = try Self.view("aws-lambda-provided.al2023-arm64")
        #expect(al2023.family == .provided && al2023.entryPoints == ["bootstrap"])
        #expect(al2023.newerOSOnlyRuntime == nil)
        let al2 = try Self.view("aws-lambda-provided.al2-x86_64")
        let newer = try #require(al2.newerOSOnlyRuntime)
        #expect(newer.runtime == "provided.al2023" && newer.glibc == VersionNumber("2.34") && newer.os == "Amazon Linux 2023")
        #expect(al2.osOnlyRuntimes.first?.runtime == "provided.al2" && al2.osOnlyRuntimes.first?.glibc == VersionNumber("2.26"))
    }

    @Test func wheelPolicyHasNoPackageLayout() throws {
        let view = try Self.view("manylinux2014-aarch64")
        #expect(!view.hasPackageLayout && view.family == nil && view.architecture == .aarch64)
    }

    @Test func theTargetDecidesTheFamilyTheDescriptorTheHandler() throws {
        let descriptor = FunctionDescriptor(name: "Fn", runtime: "nodejs22.x", handler: "index.handler", code: .local("fn"), file: "template.yaml")
        let view = try Self.view("aws-lambda-python3.13-x86_64", descriptor: descriptor)
        #expect(view.family == .python && view.descriptor?.family == .nodejs)
    }

    @Test func importNamesFollowTheModulePath() throws {
        let view = try Self.view("aws-lambda-python3.13-x86_64")
        #expect(view.importName(ofModule: "_m", at: "python/lib/python3.13/site-packages/pkg/_m.so", in: .layer(1)) == "pkg._m")
        #expect(view.importName(ofModule: "_m", at: "python/pkg/_m.so", in: .layer(1)) == "pkg._m")
        // Another CPython's site-packages is on no path here: the name is what its own layout says.
        #expect(view.importName(ofModule: "_m", at: "python/lib/python3.12/site-packages/pkg/_m.so", in: .layer(1)) == "pkg._m")
        // In the function, python/ is an ordinary package folder.
        #expect(view.importName(ofModule: "_m", at: "python/pkg/_m.so", in: .function) == "python.pkg._m")
        #expect(view.importName(ofModule: "_m", at: "vendor/pkg.whl!pkg/_m.so", in: .function) == "pkg._m")
    }

    @Test func architectureSpellings() {
        #expect(TargetArchitecture(spelling: "amd64") == .x86_64 && TargetArchitecture(spelling: "x86-64") == .x86_64)
        #expect(TargetArchitecture(spelling: "x64") == .x86_64 && TargetArchitecture(spelling: "arm64") == .aarch64)
        #expect(TargetArchitecture(spelling: "aarch64") == .aarch64 && TargetArchitecture(spelling: "386") == .i386)
        #expect(TargetArchitecture(spelling: "arm") == nil && TargetArchitecture(spelling: "riscv64") == nil)
        #expect(TargetArchitecture.aarch64.lambdaName == "arm64" && TargetArchitecture.x86_64.lambdaName == "x86_64")
        #expect(TargetArchitecture.x86_64.goArch == "amd64" && TargetArchitecture.aarch64.nodeCPU == "arm64")
        #expect(TargetArchitecture.x86_64.nodeCPU == "x64" && TargetArchitecture.ppc64le.gnuTriplet == "powerpc64le-linux-gnu")
        #expect(TargetArchitecture(elfMachine: 183) == .aarch64 && TargetArchitecture(elfMachine: 40) == nil)
    }

    @Test func runtimeFamilies() {
        let families: [(String, RuntimeFamily?)] = [
            ("python3.13", .python), ("nodejs22.x", .nodejs), ("provided.al2023", .provided), ("provided", .provided),
            ("java21", .java), ("java8.al2", .java), ("ruby3.3", .ruby), ("dotnet8", .dotnet), ("go1.x", nil), ("", nil),
        ]
        for (runtime, family) in families { #expect(RuntimeFamily(runtime: runtime) == family, "\(runtime)") }
        #expect(RuntimeFamily.allCases.compactMap(\.layerFolder) == ["python", "nodejs", "java", "ruby"])
    }

    @Test func lambdaTargetNames() throws {
        #expect(TargetCatalog.lambdaTargetName(runtime: "python3.13", architecture: .aarch64) == "aws-lambda-python3.13-arm64")
        #expect(TargetCatalog.lambdaTargetName(runtime: "python3.13", architecture: "aarch64") == "aws-lambda-python3.13-arm64")
        #expect(TargetCatalog.lambdaTargetName(runtime: "python3.13", architecture: "mips") == "aws-lambda-python3.13-mips")
        let parsed = try #require(TargetCatalog.lambdaRuntime(ofTargetName: "aws-lambda-nodejs22.x-arm64"))
        #expect(parsed.runtime == "nodejs22.x" && parsed.family == .nodejs && parsed.architecture == .aarch64)
        #expect(TargetCatalog.lambdaRuntime(ofTargetName: "manylinux2014-x86_64") == nil)
        let catalog = TargetCatalog.builtIn
        #expect(catalog.builtInName(forAlias: "aws-lambda-python3.13-amd64") == "aws-lambda-python3.13-x86_64")
        #expect(catalog.builtInName(forAlias: "aws-lambda-python3.13-x86-64") == "aws-lambda-python3.13-x86_64")
        #expect(catalog.builtInName(forAlias: "aws-lambda-python3.13-aarch64") == "aws-lambda-python3.13-arm64")
        #expect(catalog.builtInName(forAlias: "manylinux2014-arm64") == "manylinux2014-aarch64")
        #expect(catalog.builtInName(forAlias: "aws-lambda-python3.13-x86_64") == nil)
    }

    /// Paths, families and architectures are spelt by the view and the tables it starts from, nowhere else.
    @Test func nothingElseSpellsTheRuntime() throws {
        let sources = Repository.root + "/Sources"
        let files = try #require(FileManager.default.enumerator(atPath: sources)).compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }
        var spelling: [String: [String]] = [:]
        for file in files {
            let text = try String(contentsOfFile: sources + "/" + file, encoding: .utf8)
            for literal in ["\"/var/task", "\"/opt", "hasPrefix(\"provided", "hasPrefix(\"nodejs", "hasSuffix(\".al2", "\"arm64\" : \"amd64\"", "== \"aarch64\" ?"]
            where text.contains(literal) {
                spelling[literal, default: []].append(file)
            }
        }
        #expect(spelling["\"/var/task"] == ["ShiplintFacts/LambdaFileSystem.swift"])
        #expect(spelling["\"/opt"] == ["ShiplintFacts/LambdaFileSystem.swift"])
        for literal in ["hasPrefix(\"provided", "hasPrefix(\"nodejs", "hasSuffix(\".al2", "\"arm64\" : \"amd64\"", "== \"aarch64\" ?"] {
            #expect(spelling[literal] == nil, "\(literal) in \(spelling[literal] ?? [])")
        }
    }
}

/// The tables built in from rules/ fail loudly: each one broken is an error naming its file and key, never an
/// empty table that would turn a check off.
@Suite struct BuiltinTableTests {
    static let files = BuiltinRuleFiles.byPath

    @Test func everyBuiltInTableLoads() throws {
        try BuiltinTables.verify()
        #expect(RuntimeLifecycle.builtIn.deprecation["python3.9"] == "2025-12-15")
        #expect(StableABI.builtIn.symbols["PyType_FromMetaclass"]?.added == VersionNumber("3.12"))
        #expect(NodeModuleVersions.majors[127] == "22" && NodeModuleVersions.majors[137] == "24")
        #expect(NodeAPITable.functionVersions["node_api_symbol_for"] == 9)
    }

    static func error(_ files: [String: String]) -> TargetError? {
        do {
            try BuiltinTables.verify(files: files)
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: [RuntimeLifecycle.fileName, StableABI.fileName, NodeModuleVersions.fileName])
    func aMissingTableIsAnError(name: String) throws {
        var files = Self.files
        files[name] = nil
        let error = try #require(Self.error(files), "\(name) removed, and nothing said")
        #expect(error.description.contains("rules/\(name).toml") && error.description.contains("missing from the build"))
    }

    @Test(arguments: [RuntimeLifecycle.fileName, StableABI.fileName, NodeModuleVersions.fileName])
    func aBrokenTableIsAnError(name: String) throws {
        var files = Self.files
        files[name] = (files[name] ?? "") + "\nsurprise = 1\n"
        let error = try #require(Self.error(files), "\(name) broken, and nothing said")
        #expect(error.description.contains("rules/\(name).toml") && error.description.contains("surprise"))
    }

    @Test func aTableOfWrongValuesIsAnError() throws {
        var files = Self.files
        files[RuntimeLifecycle.fileName] = "schema = 1\n[deprecation]\n\"python3.9\" = \"soon\"\n"
        #expect(Self.error(files)?.description.contains("deprecation.python3.9") == true)
        files = Self.files
        files[NodeModuleVersions.fileName] = "schema = 1\n[module-version]\n\"22\" = 127\n\"23\" = 127\n"
        #expect(Self.error(files)?.description.contains("given to two majors") == true)
        files = Self.files
        files[StableABI.fileName] = "schema = 1\n[symbols]\nPyType_FromMetaclass = \"soon\"\n"
        #expect(Self.error(files)?.description.contains("symbols.PyType_FromMetaclass") == true)
    }

    /// The Node-API table comes from the newest Node.js target: without its `napi-functions`, an error.
    @Test func aNodeAPITableWithoutFunctionsIsAnError() throws {
        var files = Self.files
        for name in files.keys where name.hasPrefix("aws-lambda-nodejs") {
            files[name] = files[name]!.components(separatedBy: "[[node.napi-functions]]").first! + "\n[package]\n"
                + "layer-paths = [\"nodejs/node_modules\"]\n"
        }
        let error = try #require(Self.error(files), "Node.js targets without Node-API functions, and nothing said")
        #expect(error.description.contains("napi-functions"))
    }
}
