import Foundation
import ShiplintChecks
import ShiplintFacts
import ShiplintTargets
import Testing

/// The runtime's own libraries (/var/lang/lib, first on LD_LIBRARY_PATH) are the copies a binary binds to: their
/// version nodes judge its needs. Real addons and OpenSSL stand-ins built by fixtures/Makefile; glibc's loader,
/// through Python's ctypes in a child process, is the oracle.
@Suite struct RuntimeLibraryTests {
    static let addon = "node_modules/pg-native/build/Release/addon.node"

    static func function(_ addon: String) throws -> String {
        try ExplainTests.folder(["index.js": "", Self.addon: "fixtures/bin/node/\(addon).node"])
    }

    static func findings(_ json: [String: Any]) -> [[String: Any]] {
        (json["artifacts"] as? [[String: Any]] ?? []).flatMap { $0["findings"] as? [[String: Any]] ?? [] }
    }

    /// aws/aws-lambda-base-images#482: built against Amazon Linux 2023's OpenSSL 3.5, loaded by nodejs22.x's own 3.3.
    @Test func openSSL34AddonFailsOnNode22NamingTheRuntimesOwnOpenSSL() throws {
        let result = try NodeFunctionTests.scan(try Self.function("openssl34"), target: "aws-lambda-nodejs22.x-x86_64")
        #expect(result.status == 1)
        let found = Self.findings(result.json).filter { ($0["check"] as? String) == "missing-symbol-version" }
        #expect(found.count == 1, "\(result.findings)")
        let message = found.first?["message"] as? String ?? ""
        #expect(found.first?["path"] as? String == Self.addon)
        #expect(message.contains("needs OPENSSL_3.4.0 from libcrypto.so.3"), "\(message)")
        #expect(message.contains("/var/lang/lib/libcrypto.so.3, the runtime's own OpenSSL 3.3.5"), "\(message)")
        #expect((found.first?["fix"] as? String ?? "").contains("DT_RPATH"))
        // The same addon where the OS's OpenSSL 3.5 is the only copy: it loads.
        let provided = try NodeFunctionTests.scan(try Self.function("openssl34"), target: "aws-lambda-provided.al2023-x86_64")
        #expect(!provided.findings.contains { $0.hasPrefix("missing-symbol-version") }, "\(provided.findings)")
    }

    /// nodejs18.x runs on Amazon Linux 2 (OpenSSL 1.0.2) but has its own OpenSSL 3 in /var/lang/lib on both architectures.
    @Test func libssl3AddonPassesOnNode18() throws {
        let result = try NodeFunctionTests.scan(try Self.function("openssl30"), target: "aws-lambda-nodejs18.x-x86_64")
        #expect(result.status == 0)
        #expect(result.findings.isEmpty, "\(result.findings)")
        for arch in ["x86_64", "arm64"] {
            let target = try TargetCatalog.builtIn.load("aws-lambda-nodejs18.x-\(arch)")
            #expect(target.libraries.runtime.contains("libssl.so.3") && target.libraries.runtime.contains("libcrypto.so.3"))
            #expect(target.node?.prismaBinaryTargets.contains { $0.hasSuffix("openssl-3.0.x") } == true)
            #expect(target.knownAbsent("libssl.so.3") == nil)
        }
        // provided.al2 has no OpenSSL 3 at all.
        let al2 = try NodeFunctionTests.scan(try Self.function("openssl30"), target: "aws-lambda-provided.al2-x86_64")
        #expect(al2.findings.contains("missing-library \(Self.addon)"), "\(al2.findings)")
    }

    /// The stand-ins define exactly what the rule files say the runtime's copies define.
    @Test func standInsMatchTheRules() throws {
        let node22 = try TargetCatalog.builtIn.load("aws-lambda-nodejs22.x-x86_64")
        let al2023 = try TargetCatalog.builtIn.load("aws-lambda-python3.13-x86_64")
        for (folder, expected) in [("openssl-3.3", node22.libraries.provided("libcrypto.so.3", in: "/var/lang/lib")),
                                   ("openssl-3.5", al2023.libraries.provided("libcrypto.so.3", in: "/lib64"))] {
            let facts = try LoaderViewTests.elfFacts("bin/node/\(folder)/libcrypto.so.3")
            #expect(facts.versionDefinitions == expected?.versionNodes, "\(folder)")
        }
        #expect(node22.libraries.provided("libcrypto.so.3", in: "/var/lang/lib")?.release == "OpenSSL 3.3.5")
        #expect(node22.libraries.provided("libcrypto.so.3", in: "/lib64")?.release == "OpenSSL 3.5.5")
        // The first entry of a soname is the copy the loader finds first (what `providedLibrary(_:)` answers).
        #expect(node22.providedLibrary("libcrypto.so.3")?.directory == "/var/lang/lib")
    }

    /// glibc's loader, told to search the stand-in folder first as Lambda's LD_LIBRARY_PATH searches /var/lang/lib,
    /// agrees with shiplint on each addon and each OpenSSL.
    @Test(arguments: ["openssl30", "openssl34"])
    func realLoaderAgrees(addon: String) throws {
        let cases: [(folder: String, target: String)] = [("openssl-3.3", "aws-lambda-nodejs22.x-x86_64"), ("openssl-3.5", "aws-lambda-provided.al2023-x86_64")]
        for (folder, target) in cases {
            let script = "import ctypes, os, sys\ntry:\n    ctypes.CDLL(sys.argv[1], mode=os.RTLD_LAZY)\n    print('loaded')\nexcept OSError as error:\n    print(error)"
            let loader = try runProgram(
                "/usr/bin/env", ["python3", "-c", script, Repository.fixture("bin/node/\(addon).node")],
                environment: ["LD_LIBRARY_PATH": Repository.fixture("bin/node/\(folder)")])
            let loads = loader.stdout.hasPrefix("loaded")
            let scan = try NodeFunctionTests.scan(try Self.function(addon), target: target)
            let judged = !scan.findings.contains { $0.hasPrefix("missing-symbol-version") || $0.hasPrefix("missing-library") }
            #expect(loads == judged, "\(addon) with \(folder): loader says \(loader.stdout), shiplint \(scan.findings)")
            if !loads { #expect(loader.stdout.contains("version `OPENSSL_3.4.0' not found")) }
        }
    }

    @Test func javaOnAmazonLinux2023IsATarget() throws {
        for arch in ["x86_64", "arm64"] {
            let target = try TargetCatalog.builtIn.load("aws-lambda-java17.al2023-\(arch)")
            #expect(target.platform.displayName == "Amazon Linux 2023")
            #expect(target.platform.libcVersion.description == "2.34")
            #expect(target.platform.runtime == "java17.al2023")
            #expect(target.libraries.runtime.contains("libjava.so"))
        }
        #expect(RuntimeLifecycle.builtIn.deprecation["java17.al2023"] == "2029-06-30")
    }

    /// Amazon Linux 2023 keeps the arm64 loader under /usr/lib (/lib), not /usr/lib64.
    @Test func loaderPaths() throws {
        let arm = try TargetCatalog.builtIn.load("aws-lambda-provided.al2023-arm64")
        #expect(arm.platform.loaderPaths == ["/lib/ld-linux-aarch64.so.1", "/usr/lib/ld-linux-aarch64.so.1"])
        let x86 = try TargetCatalog.builtIn.load("aws-lambda-nodejs22.x-x86_64")
        #expect(x86.platform.loaderPaths.contains("/lib64/ld-linux-x86-64.so.2"))
    }

    /// An image built on an older Amazon Linux 2023 base (libstdc++ 11: GLIBCXX_3.4.29) is judged by its own
    /// libstdc++, and among several copies by the one its LD_LIBRARY_PATH finds first (/var/lang/lib on AWS images).
    @Test func imageCeilingIsTheImagesOwnLibstdcxxInLoaderOrder() throws {
        func image(_ libraries: [(String, [String])], env: [String: String]) -> ContainerImage {
            let binaries = libraries.map { path, nodes in SampleBinary.library(path, soname: "libstdc++.so.6", definitions: nodes) }
                + [SampleBinary.library("usr/lib64/libc.so.6", soname: "libc.so.6", definitions: ["GLIBC_2.2.5", "GLIBC_2.34"], needed: [])]
            return ContainerImage(
                format: "oci", indexEntries: [], indexMediaType: nil, manifestMediaType: "", layerMediaTypes: [], configMediaType: "",
                architecture: "amd64", os: "linux", variant: nil, env: env, entrypoint: [], cmd: [], workingDir: "/var/task", labels: [:],
                uncompressedBytes: 0, integrityProblems: [],
                rootEntries: ["usr", "usr/lib64", "var", "var/lang", "var/lang/lib"].map { ArtifactEntry(path: $0, size: 0, mode: 0o40755, type: .directory) }
                    + binaries.map { ArtifactEntry(path: $0.path, size: 1, mode: 0o100755, type: .file) },
                rootBinaries: binaries)
        }
        let gcc11 = ["GLIBCXX_3.4", "GLIBCXX_3.4.29", "CXXABI_1.3", "CXXABI_1.3.13"]
        let old = TargetRuntime.image(image([("usr/lib64/libstdc++.so.6", gcc11)], env: [:]), label: "old.tar")
        #expect(old.symbolVersions["GLIBCXX"]?.description == "3.4.29")
        #expect(old.symbolVersions["CXXABI"]?.description == "1.3.13")
        let node24 = TargetRuntime.image(image([
            ("usr/lib64/libstdc++.so.6", ["GLIBCXX_3.4", "GLIBCXX_3.4.33", "CXXABI_1.3", "CXXABI_1.3.15"]),
            ("var/lang/lib/libstdc++.so.6", ["GLIBCXX_3.4", "GLIBCXX_3.4.32", "CXXABI_1.3", "CXXABI_1.3.14"]),
        ], env: ["LD_LIBRARY_PATH": "/var/lang/lib:/lib64:/usr/lib64"]), label: "node24.tar")
        #expect(node24.symbolVersions["GLIBCXX"]?.description == "3.4.32")
        #expect(node24.libraries.runtime == ["libstdc++.so.6"])
        #expect(node24.libraries.provided("libstdc++.so.6", in: "/var/lang/lib")?.versionNodes.contains("GLIBCXX_3.4.32") == true)
        #expect(node24.libraries.provided("libc.so.6", in: "/lib64")?.versionNodes == ["GLIBC_2.2.5", "GLIBC_2.34"])
    }
}
