import Foundation
import ShiplintFacts
import ShiplintTargets
import Testing

@Suite struct BuiltinTargetTests {
    static let names: [String] = (try? TargetCatalog.builtIn.targets().map(\.name)) ?? []

    @Test func everyRuntimeAndPolicyIsThere() {
        var expected: [String] = []
        let runtimes = ["python3.9", "python3.10", "python3.11", "python3.12", "python3.13", "python3.14",
                        "nodejs18.x", "nodejs20.x", "nodejs22.x", "nodejs24.x", "provided.al2", "provided.al2023",
                        "java8.al2", "java11", "java17", "java21", "java25", "java8.al2023", "java11.al2023", "java17.al2023",
                        "ruby3.2", "ruby3.3", "ruby3.4", "ruby4.0", "dotnet8", "dotnet10"]
        for runtime in runtimes {
            for arch in ["x86_64", "arm64"] { expected.append("aws-lambda-\(runtime)-\(arch)") }
        }
        expected += ["manylinux2014-x86_64", "manylinux2014-aarch64", "manylinux_2_28-x86_64", "manylinux_2_28-aarch64",
                     "manylinux_2_34-x86_64", "manylinux_2_34-aarch64", "manylinux_2_36-x86_64", "musllinux_1_2-x86_64"]
        #expect(Set(Self.names) == Set(expected))
    }

    @Test(arguments: names)
    func loads(name: String) throws {
        let target = try TargetCatalog.builtIn.load(name)
        #expect(target.name == name)
        #expect(!target.libraries.os.isEmpty)
        if name.contains("-arm64") || name.contains("aarch64") { #expect(target.platform.arch == .aarch64) }
        if name.hasPrefix("aws-lambda-python") { #expect(target.python?.extensionSuffixes.count == 3) }
    }

    @Test func amazonLinuxFacts() throws {
        let al2 = try TargetCatalog.builtIn.load("aws-lambda-python3.11-x86_64")
        #expect(al2.platform.libcVersion == VersionNumber("2.26"))
        #expect(al2.symbolVersions["GLIBCXX"] == VersionNumber("3.4.24"))
        #expect(al2.python?.extensionSuffixes.first == ".cpython-311-x86_64-linux-gnu.so")
        let al2023 = try TargetCatalog.builtIn.load("aws-lambda-python3.13-arm64")
        #expect(al2023.platform.libcVersion == VersionNumber("2.34"))
        #expect(al2023.libraries.present.contains("ld-linux-aarch64.so.1"))
        #expect(!al2023.libraries.present.contains("libmvec.so.1"))
        #expect(al2023.libraries.searchPath.first == "/var/lang/lib")
        #expect(al2023.knownAbsent("libGL.so.1") != nil)
    }

    @Test func nodeRuntimeFacts() throws {
        // nodejs18.x (Amazon Linux 2, OpenSSL 1.0.2) also has its own OpenSSL 3 in /var/lang/lib: both engines load.
        let expected: [(String, Int, Int, [String])] = [
            ("aws-lambda-nodejs18.x-x86_64", 108, 9, ["rhel-openssl-1.0.x", "rhel-openssl-3.0.x"]),
            ("aws-lambda-nodejs18.x-arm64", 108, 9, ["linux-arm64-openssl-1.0.x", "linux-arm64-openssl-3.0.x"]),
            ("aws-lambda-nodejs20.x-x86_64", 115, 9, ["rhel-openssl-3.0.x"]),
            ("aws-lambda-nodejs22.x-x86_64", 127, 10, ["rhel-openssl-3.0.x"]),
            ("aws-lambda-nodejs22.x-arm64", 127, 10, ["linux-arm64-openssl-3.0.x"]),
            ("aws-lambda-nodejs24.x-x86_64", 137, 10, ["rhel-openssl-3.0.x"]),
        ]
        for (name, module, napi, prisma) in expected {
            let node = try #require(try TargetCatalog.builtIn.load(name).node, "\(name)")
            #expect(node.moduleVersion == module, "\(name)")
            #expect(node.napiVersion == napi, "\(name)")
            #expect(node.prismaBinaryTargets == prisma, "\(name)")
            #expect(node.napiFunctionVersions["node_api_symbol_for"] == 9, "\(name)")
            #expect(node.napiFunctionVersions["node_api_create_property_key_utf8"] == 10, "\(name)")
        }
        #expect(try TargetCatalog.builtIn.load("aws-lambda-python3.13-x86_64").node == nil)
    }
}

/// Bad rule files: the exact message (file and key path) and exit status 2, never a fallback.
@Suite struct BadRuleFileTests {
    static func write(_ files: [String: String]) throws -> String {
        let folder = Scratch.url("shiplint-rules")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (name, text) in files {
            try text.write(to: folder.appendingPathComponent(name + ".toml"), atomically: true, encoding: .utf8)
        }
        return folder.path
    }

    static let valid = """
        schema = 1
        name = "custom"
        description = "a custom target"
        extends = "aws-lambda-python3.13-x86_64"

        """

    @Test func customFileExtendingABuiltInLoads() throws {
        let folder = try Self.write(["custom": Self.valid + "[platform]\nlibc-version = \"2.28\"\n"])
        let target = try TargetCatalog.builtIn.load(folder + "/custom.toml")
        #expect(target.platform.libcVersion == VersionNumber("2.28"))
        #expect(target.python?.version == VersionNumber("3.13"))
    }

    @Test(arguments: [
        ("[platform]\narchh = \"x86_64\"\n", "at 'platform.archh': unknown key (allowed here: arch, display-name, libc, libc-version, loader-paths, os, runtime)"),
        ("[platform]\nlibc-version = 2\n", "at 'platform.libc-version': expected a version string, found an integer"),
        ("[platform]\nlibc-version = \"2.x\"\n", "at 'platform.libc-version': '2.x' is not a version (expected dotted numbers such as 2.34)"),
        ("[platform]\narch = \"sparc\"\n", "at 'platform.arch': 'sparc' is not one of x86_64, aarch64, i386, s390x, ppc64le"),
        ("[libraries]\nos = [\"libc.so.6\", 3]\n", "at 'libraries.os[1]': expected a string, found an integer"),
        ("colour = true\n", "at 'colour': unknown key"),
        ("[node]\nversion = \"22\"\nmodule-version = \"127\"\n", "at 'node.module-version': expected an integer, found a string"),
        ("[node]\nversion = \"22\"\nprisma-binary-targets = \"rhel-openssl-3.0.x\"\n", "at 'node.prisma-binary-targets': expected an array of strings, found a string"),
        ("[node]\nversion = \"22\"\n[[node.napi-functions]]\nversion = 9\nfunction = [\"x\"]\n", "at 'node.napi-functions[0].function': unknown key (allowed here: functions, version)"),
        ("[node]\nnapi = 9\n", "at 'node.napi': unknown key (allowed here: module-version, napi-functions, napi-version, prisma-binary-targets, version)"),
        ("[[libraries.provides]]\nsoname = \"libssl.so.3\"\ndirectory = \"/var/lang/lib\"\nversion-node = [\"OPENSSL_3.0.0\"]\n",
         "at 'libraries.provides[0].version-node': unknown key (allowed here: directory, release, soname, symbols, version-nodes)"),
    ])
    func badValueIsNamed(tail: String, message: String) throws {
        let folder = try Self.write(["custom": Self.valid + tail])
        let result = try Shiplint.run(["scan", Repository.fixture("artifacts/function-clean.zip"), "--target", folder + "/custom.toml"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("\(folder)/custom.toml: \(message)"), "\(result.stderr)")
    }

    @Test func extendsCycleIsAnError() throws {
        let folder = try Self.write([
            "a": "schema = 1\nname = \"a\"\ndescription = \"a\"\nextends = \"b\"\n",
            "b": "schema = 1\nname = \"b\"\ndescription = \"b\"\nextends = \"a\"\n",
        ])
        let result = try Shiplint.run(["scan", Repository.fixture("artifacts/function-clean.zip"), "--target", folder + "/a.toml"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("\(folder)/a.toml: at 'extends': cycle: \(folder)/a.toml -> \(folder)/b.toml -> \(folder)/a.toml"), "\(result.stderr)")
    }

    @Test func missingRequiredKey() throws {
        let folder = try Self.write(["bare": "schema = 1\nname = \"bare\"\ndescription = \"no platform\"\n"])
        let result = try Shiplint.run(["scan", Repository.fixture("artifacts/function-clean.zip"), "--target", folder + "/bare.toml"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("bare.toml: at 'platform.os': missing key"), "\(result.stderr)")
    }

    @Test func tomlSyntaxErrorHasALine() throws {
        let folder = try Self.write(["broken": "schema = 1\nname = \"broken\n"])
        let result = try Shiplint.run(["scan", Repository.fixture("artifacts/function-clean.zip"), "--target", folder + "/broken.toml"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("broken.toml: line 2"), "\(result.stderr)")
    }

    /// `python3.13` is a short name now (TypingTests); a bare version is still no target, and names the ones holding it.
    @Test func unknownTargetName() throws {
        let result = try Shiplint.run(["scan", Repository.fixture("artifacts/function-clean.zip"), "--target", "3.13"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("no built-in target of that name"), "\(result.stderr)")
        #expect(result.stderr.contains("aws-lambda-python3.13-arm64, aws-lambda-python3.13-x86_64"), "\(result.stderr)")
    }
}
