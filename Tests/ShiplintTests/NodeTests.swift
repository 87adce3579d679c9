import Foundation
import Testing

/// Node.js functions end to end: the fixture recipe's node_modules trees (fixtures/artifacts/node, package.json values
/// as sharp and esbuild publish them) and addons (fixtures/bin/node), scanned and explained as a user would.
@Suite struct NodeFunctionTests {
    static func node(_ name: String) -> String { Repository.fixture("artifacts/node/" + name) }

    /// Findings of a JSON scan as "check path" lines, with the exit status.
    static func scan(_ artifact: String, target: String, layers: [String] = []) throws -> (status: Int32, findings: [String], json: [String: Any]) {
        let result = try Shiplint.run(["scan", artifact] + layers.flatMap { ["--layer", $0] } + ["--target", target, "--format", "json"])
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
        let findings = (json["artifacts"] as? [[String: Any]] ?? []).flatMap { artifact in
            (artifact["findings"] as? [[String: Any]] ?? []).map { "\($0["check"] as? String ?? "") \($0["path"] as? String ?? "")" }
        }
        return (result.status, findings, json)
    }

    static func fixes(_ json: [String: Any]) -> [String] {
        (json["artifacts"] as? [[String: Any]] ?? []).flatMap { ($0["findings"] as? [[String: Any]] ?? []).compactMap { $0["fix"] as? String } }
    }

    @Test func correctlyBuiltFunctionPasses() throws {
        let result = try Self.scan(Self.node("function-node22.zip"), target: "aws-lambda-nodejs22.x-x86_64", layers: [Self.node("layer-nodejs.zip")])
        #expect(result.status == 0)
        #expect(result.findings.isEmpty, "\(result.findings)")
        let node18 = try Self.scan(Self.node("function-node18.zip"), target: "aws-lambda-nodejs18.x-x86_64")
        #expect(node18.status == 0)
        #expect(node18.findings.isEmpty, "\(node18.findings)")
    }

    /// libxmljs/libxmljs#654, WiseLibs/better-sqlite3#976: an addon built for Node.js 16 in a nodejs18.x function.
    @Test func legacyAddonForNode16OnNode18() throws {
        let result = try Self.scan(Self.node("function-node18-legacy16.zip"), target: "aws-lambda-nodejs18.x-x86_64")
        #expect(result.status == 1)
        #expect(result.findings == ["node-abi-mismatch node_modules/re2/build/Release/re2.node"], "\(result.findings)")
        #expect(Self.fixes(result.json).first?.contains("npm rebuild") == true)
        let text = try Shiplint.run(["scan", Self.node("function-node18-legacy16.zip"), "--target", "aws-lambda-nodejs18.x-x86_64"])
        #expect(text.stdout.contains("legacy addon built for Node.js 16 (NODE_MODULE_VERSION 93, from node_register_module_v93); Amazon Linux 2 (nodejs18.x) runs Node.js 18, which requires NODE_MODULE_VERSION 108"), "\(text.stdout)")
        // The Node.js 18 build of the same function fails on nodejs22.x for the same reason, with 108.
        let node22 = try Self.scan(Self.node("function-node18.zip"), target: "aws-lambda-nodejs22.x-x86_64")
        #expect(node22.findings.contains("node-abi-mismatch node_modules/re2/build/Release/re2.node"), "\(node22.findings)")
    }

    /// A Node-API 10 addon: fine on nodejs22.x and 24.x, not on 18.x and 20.x (Node-API 9).
    @Test(arguments: [("aws-lambda-nodejs18.x-x86_64", true), ("aws-lambda-nodejs20.x-x86_64", true),
                      ("aws-lambda-nodejs22.x-x86_64", false), ("aws-lambda-nodejs24.x-x86_64", false)])
    func nodeAPI10Addon(target: String, fires: Bool) throws {
        let folder = try ExplainTests.folder(["index.js": "", "node_modules/fast/build/Release/fast.node": "fixtures/bin/node/napi10.node"])
        let result = try Self.scan(folder, target: target)
        #expect(result.findings.contains("node-abi-mismatch node_modules/fast/build/Release/fast.node") == fires, "\(result.findings)")
        if fires {
            let text = try Shiplint.run(["scan", folder, "--target", target])
            #expect(text.stdout.contains("Node-API addon importing node_api_create_property_key_utf8, which needs Node-API 10"), "\(text.stdout)")
        }
    }

    /// A NODE_MODULE addon exports nothing that names its ABI: N comes from the struct its constructor registers.
    @Test func constructorRegisteredAddon() throws {
        let folder = try ExplainTests.folder(["index.js": "", "node_modules/expat/build/Release/expat.node": "fixtures/bin/node/legacy-ctor-v108.node"])
        #expect(try Self.scan(folder, target: "aws-lambda-nodejs18.x-x86_64").findings == [])
        let text = try Shiplint.run(["scan", folder, "--target", "aws-lambda-nodejs20.x-x86_64"])
        #expect(text.status == 1)
        #expect(text.stdout.contains("error[node-abi-mismatch] legacy addon built for Node.js 18 (NODE_MODULE_VERSION 108, nm_version of the struct node_module its constructor registers); Amazon Linux 2023 (nodejs20.x) runs Node.js 20, which requires NODE_MODULE_VERSION 115"), "\(text.stdout)")
    }

    /// Relative relocations packed into DT_RELR (`-z pack-relative-relocs`): the struct is not found, so the version
    /// is not read. No guess at error level, but not silence either: a note on the addon (node-abi-unread).
    @Test func legacyAddonWhoseVersionIsNotReadGetsANote() throws {
        let addon = "node_modules/expat/build/Release/expat.node"
        let folder = try ExplainTests.folder(["index.js": "", addon: "fixtures/bin/node/legacy-ctor-v108-relr.node"])
        let inspect = try Shiplint.run(["inspect", Repository.fixture("bin/node/legacy-ctor-v108-relr.node")])
        #expect(inspect.stdout.contains("node addon  legacy addon, ABI version not read"), "\(inspect.stdout)")
        let result = try Self.scan(folder, target: "aws-lambda-nodejs20.x-x86_64")
        #expect(result.status == 0, "a note does not fail the scan")
        #expect(result.findings == ["node-abi-unread \(addon)"], "\(result.findings)")
        let finding = try #require((result.json["artifacts"] as? [[String: Any]])?.first?["findings"] as? [[String: Any]]).first
        #expect(finding?["severity"] as? String == "note" && finding?["fact"] as? String == "NODE_MODULE_VERSION not read", "\(String(describing: finding))")
        let text = try Shiplint.run(["scan", folder, "--target", "aws-lambda-nodejs20.x-x86_64"])
        #expect(text.stdout.contains("note[node-abi-unread] legacy Node.js addon whose NODE_MODULE_VERSION was not read"), "\(text.stdout)")
        #expect(text.stdout.contains("so its ABI was not checked: Amazon Linux 2023 (nodejs20.x) runs Node.js 20, which loads only addons built for NODE_MODULE_VERSION 115"), "\(text.stdout)")
        // The same source linked with DT_RELA is read and judged: no note, the mismatch instead.
        let rela = try ExplainTests.folder(["index.js": "", addon: "fixtures/bin/node/legacy-ctor-v108.node"])
        #expect(try Self.scan(rela, target: "aws-lambda-nodejs20.x-x86_64").findings == ["node-abi-mismatch \(addon)"])
    }

    /// The struct lies 6 MiB into the addon, past the bytes a stream keeps first: asked for, read, judged.
    @Test func constructorRegisteredAddonFarIntoTheFile() throws {
        let text = try Shiplint.run(["scan", Self.node("function-node-padded-addon.zip"), "--target", "aws-lambda-nodejs18.x-x86_64"])
        #expect(text.status == 1)
        #expect(text.stdout.contains("error[node-abi-mismatch] legacy addon built for Node.js 16 (NODE_MODULE_VERSION 93, nm_version of the struct node_module its constructor registers)"), "\(text.stdout)")
    }

    @Test func inspectShowsTheAddonKind() throws {
        let text = try Shiplint.run(["inspect", Repository.fixture("bin/node/napi10.node"), Repository.fixture("bin/node/napi.node"),
                                     Repository.fixture("bin/node/legacy-v108.node"), Repository.fixture("bin/node/legacy-ctor-v108.node")])
        #expect(text.status == 0)
        #expect(text.stdout.contains("node addon  node-api v10 (node_api_create_property_key_utf8)"), "\(text.stdout)")
        #expect(text.stdout.contains("node addon  node-api v8 or lower"))
        #expect(text.stdout.contains("node addon  legacy v108"))
    }

    /// lovell/sharp#3126: sharp (and esbuild) installed on an Apple silicon Mac and zipped.
    @Test func sharpInstalledOnAMac() throws {
        let result = try Self.scan(Self.node("function-node22-mac.zip"), target: "aws-lambda-nodejs22.x-x86_64")
        #expect(result.status == 1)
        #expect(result.findings.contains("node-platform-package node_modules/@img/sharp-darwin-arm64"), "\(result.findings)")
        #expect(result.findings.contains("node-platform-package node_modules/@esbuild/darwin-arm64"), "\(result.findings)")
        #expect(result.findings.contains("darwin-binary node_modules/@img/sharp-darwin-arm64/lib/sharp-darwin-arm64.node"))
        #expect(Self.fixes(result.json).contains { $0.contains("npm install --os=linux --cpu=x64 --libc=glibc") })
        let text = try Shiplint.run(["scan", Self.node("function-node22-mac.zip"), "--target", "aws-lambda-nodejs22.x-x86_64"])
        #expect(text.stdout.contains("@img/sharp-darwin-arm64 0.34.2 (an optional dependency of sharp 0.34.2) is for another platform (package.json os [darwin], cpu [arm64])"), "\(text.stdout)")
        #expect(text.stdout.contains("the package it needs here, @img/sharp-linux-x64, is not installed"))
    }

    /// The same Mac-built package is fine on nothing Linux; on arm64 it wants the arm64 package.
    @Test func armTargetWantsTheArmPackage() throws {
        let text = try Shiplint.run(["scan", Self.node("function-node22.zip"), "--target", "aws-lambda-nodejs22.x-arm64"])
        #expect(text.status == 1)
        #expect(text.stdout.contains("@img/sharp-linux-x64 0.34.2 (an optional dependency of sharp 0.34.2) is for another platform (package.json cpu [x64])"), "\(text.stdout)")
        #expect(text.stdout.contains("the package it needs here, @img/sharp-linux-arm64, is not installed"))
    }

    /// prisma/prisma#13396: the Amazon Linux 2 engine on an Amazon Linux 2023 runtime.
    @Test func prismaEngineForAL2OnNode22() throws {
        let result = try Self.scan(Self.node("function-node22-prisma-al2.zip"), target: "aws-lambda-nodejs22.x-x86_64")
        #expect(result.status == 1)
        #expect(result.findings == ["prisma-engine-mismatch node_modules/.prisma/client/libquery_engine-rhel-openssl-1.0.x.so.node"])
        #expect(Self.fixes(result.json).first?.contains(#"binaryTargets = ["native", "rhel-openssl-3.0.x"]"#) == true)
        // The same engine is the right one on nodejs18.x (Amazon Linux 2).
        let node18 = try Self.scan(Self.node("function-node22-prisma-al2.zip"), target: "aws-lambda-nodejs18.x-x86_64")
        #expect(!node18.findings.contains { $0.hasPrefix("prisma-engine-mismatch") }, "\(node18.findings)")
    }

    /// aws/aws-sam-cli#4364: an ES module handler cannot import what only a layer's nodejs/node_modules provides.
    @Test func moduleHandlerAndLayerPackages() throws {
        let result = try Self.scan(Self.node("function-node22-esm.zip"), target: "aws-lambda-nodejs22.x-x86_64", layers: [Self.node("layer-nodejs.zip")])
        #expect(result.status == 1)
        #expect(result.findings == ["layer-layout nodejs/node_modules"], "\(result.findings)")
        let text = try Shiplint.run(["scan", Self.node("function-node22-esm.zip"), "--layer", Self.node("layer-nodejs.zip"), "--target", "aws-lambda-nodejs22.x-x86_64"])
        #expect(text.stdout.contains("layer 1 provides uuid only through NODE_PATH (/opt/nodejs/node_modules, /opt/nodejs/node22/node_modules), but the function's handler index.mjs is an ES module"), "\(text.stdout)")
    }

    /// A folder artifact is read the same way: package.json files of installed packages are kept, others are not.
    @Test func folderKeepsOnlyInstalledManifests() throws {
        let folder = try ExplainTests.folder([
            "index.js": "",
            "node_modules/@esbuild/darwin-arm64/package.json": #"{"name": "@esbuild/darwin-arm64", "version": "0.17.1", "os": ["darwin"], "cpu": ["arm64"]}"#,
            // Not an installed package's manifest (a test fixture inside a package): never judged.
            "node_modules/x/test/fixtures/package.json": #"{"name": "@esbuild/darwin-x64", "version": "1.0.0", "os": ["darwin"], "cpu": ["x64"]}"#,
        ])
        let result = try Self.scan(folder, target: "aws-lambda-nodejs20.x-x86_64")
        #expect(result.findings == ["node-platform-package node_modules/@esbuild/darwin-arm64"], "\(result.findings)")
    }
}

/// Hostile package.json files: read as text, judged or skipped, never a crash.
@Suite struct NodeHostileManifestTests {
    @Test func deepNestingAndWrongTypes() throws {
        let folder = try ExplainTests.folder([
            "index.js": "",
            "node_modules/deep/package.json": String(repeating: "[", count: 30_000) + String(repeating: "]", count: 30_000),
            "node_modules/odd/package.json": #"{"name": 5, "os": [1, "darwin"], "cpu": "arm64", "optionalDependencies": [1]}"#,
            "node_modules/@scope/broken/package.json": "{ not json",
        ])
        let result = try Shiplint.run(["scan", folder, "--target", "aws-lambda-nodejs22.x-x86_64"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("no findings"))
    }
}

/// `explain` with Node's and Prisma's own error texts.
@Suite struct NodeExplainTests {
    static func explain(_ artifact: String, target: String, error: String) throws -> (status: Int32, root: String?, text: String) {
        let result = try Shiplint.run(["explain", artifact, "--target", target, "--error", error, "--format", "json"])
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
        let explanation = (json["explanations"] as? [[String: Any]])?.first
        let root = (explanation?["root_cause"] as? [String: Any]).map { "\($0["check"] as? String ?? "") \($0["path"] as? String ?? "")" }
        let text = try Shiplint.run(["explain", artifact, "--target", target, "--error", error]).stdout
        return (result.status, root, text)
    }

    /// sharp's own message when the platform package is missing.
    @Test func cannotFindSharpPlatformPackage() throws {
        let result = try Self.explain(
            NodeFunctionTests.node("function-node22-mac.zip"), target: "aws-lambda-nodejs22.x-x86_64",
            error: """
                Error: Could not load the "sharp" module using the linux-x64 runtime
                Possible solutions:
                - Ensure optional dependencies can be installed: npm install --include=optional sharp
                Cannot find module '@img/sharp-linux-x64/sharp.node'
                """)
        #expect(result.status == 0)
        #expect(result.root == "node-platform-package node_modules/@img/sharp-darwin-arm64", "\(result.text)")
        #expect(result.text.contains("Root cause [node-platform-package]"), "\(result.text)")
    }

    @Test func prismaEngineNotFound() throws {
        let result = try Self.explain(
            NodeFunctionTests.node("function-node22-prisma-al2.zip"), target: "aws-lambda-nodejs22.x-x86_64",
            error: #"PrismaClientInitializationError: Prisma Client could not locate the Query Engine for runtime "rhel-openssl-3.0.x". Query engine library for current platform "rhel-openssl-3.0.x" could not be found."#)
        #expect(result.status == 0)
        #expect(result.root == "prisma-engine-mismatch node_modules/.prisma/client/libquery_engine-rhel-openssl-1.0.x.so.node", "\(result.text)")
        #expect(result.text.contains("binaryTargets"))
    }

    @Test func prismaEngineThereIsNotExplained() throws {
        let result = try Self.explain(
            NodeFunctionTests.node("function-node22.zip"), target: "aws-lambda-nodejs22.x-x86_64",
            error: #"Query engine library for current platform "rhel-openssl-3.0.x" could not be found."#)
        #expect(result.status == 1)
        #expect(result.root == nil)
        #expect(result.text.contains("the engine for rhel-openssl-3.0.x is there"), "\(result.text)")
    }

    /// Node's own message names the file: explain points at it and at the check.
    @Test func nodeModuleVersionPointsAtTheAddon() throws {
        let result = try Self.explain(
            NodeFunctionTests.node("function-node18-legacy16.zip"), target: "aws-lambda-nodejs18.x-x86_64",
            error: """
                Error: The module '/var/task/node_modules/re2/build/Release/re2.node'
                was compiled against a different Node.js version using
                NODE_MODULE_VERSION 93. This version of Node.js requires
                NODE_MODULE_VERSION 108. Please try re-compiling or re-installing
                """)
        #expect(result.status == 0)
        #expect(result.root == "node-abi-mismatch node_modules/re2/build/Release/re2.node", "\(result.text)")
    }

    /// `invalid ELF header` on a `.node` built on a Mac: the Mach-O file and its check.
    @Test func invalidELFHeaderOnAMacAddon() throws {
        let result = try Self.explain(
            NodeFunctionTests.node("function-node22-mac.zip"), target: "aws-lambda-nodejs22.x-x86_64",
            error: "Error: /var/task/node_modules/@img/sharp-darwin-arm64/lib/sharp-darwin-arm64.node: invalid ELF header")
        #expect(result.status == 0)
        #expect(result.root == "darwin-binary node_modules/@img/sharp-darwin-arm64/lib/sharp-darwin-arm64.node", "\(result.text)")
    }

    /// `wrong ELF class` on a `.node`: a 32-bit file where a 64-bit one is needed.
    @Test func wrongELFClassOnAnAddon() throws {
        let folder = try ExplainTests.folder(["index.js": "", "node_modules/x/build/Release/x.node": "fixtures/bin/elf/_clean.cpython-313-i386-linux-gnu.so"])
        let result = try Self.explain(folder, target: "aws-lambda-nodejs22.x-x86_64",
            error: "Error: /var/task/node_modules/x/build/Release/x.node: wrong ELF class: ELFCLASS32")
        #expect(result.status == 0)
        #expect(result.root == "wrong-arch node_modules/x/build/Release/x.node", "\(result.text)")
    }

    /// A layer zipped with node_modules/ at its top: the package is there, but not where Node.js looks.
    @Test func layerPackageOutsideNodePath() throws {
        let result = try Shiplint.run([
            "explain", Repository.fixture("artifacts/package/function-root.zip"), "--layer", Repository.fixture("artifacts/package/layer-node-toplevel.zip"),
            "--target", "aws-lambda-nodejs22.x-x86_64", "--error",
            #"{"errorType":"Runtime.ImportModuleError","errorMessage":"Error: Cannot find module 'left-pad'\nRequire stack:\n- /var/task/index.js"}"#,
        ])
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout.contains("Root cause [layer-layout]: node_modules"), "\(result.stdout)")
    }

    @Test func esmCannotFindLayerPackage() throws {
        let result = try Shiplint.run([
            "explain", NodeFunctionTests.node("function-node22-esm.zip"), "--layer", NodeFunctionTests.node("layer-nodejs.zip"),
            "--target", "aws-lambda-nodejs22.x-x86_64", "--error",
            "Error [ERR_MODULE_NOT_FOUND]: Cannot find package 'uuid' imported from /var/task/index.mjs",
        ])
        #expect(result.status == 0)
        #expect(result.stdout.contains("Root cause [layer-layout]: nodejs/node_modules"), "\(result.stdout)")
    }
}
