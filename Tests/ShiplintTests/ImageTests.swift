import Foundation
import Testing
import ShiplintFacts
import ShiplintReading
import ShiplintTargets

/// Real container images built with umoci (OCI layouts) and skopeo (docker save tarballs) by
/// fixtures/src/tools/images.py, from the machine's own glibc and fixture binaries; built once per test run into
/// .build/image-fixtures (nothing committed). `make deps` installs umoci and skopeo.
@Suite(.serialized) struct ImageTests {
    static let folder = Repository.root + "/.build/image-fixtures"

    static let built: Result<String, BuildFailure> = {
        for tool in ["umoci", "skopeo", "zstd"] where !FileManager.default.isExecutableFile(atPath: "/usr/bin/" + tool) {
            return .failure(BuildFailure(text: "\(tool) is not installed: `make deps` installs umoci and skopeo (apt-get install umoci skopeo zstd)"))
        }
        guard let result = try? runProgram("/usr/bin/python3", [Repository.root + "/fixtures/src/tools/images.py", folder]),
            result.status == 0
        else { return .failure(BuildFailure(text: "fixtures/src/tools/images.py failed to build the test images")) }
        return .success(folder)
    }()

    struct BuildFailure: Error { let text: String }

    static func image(_ name: String) throws -> String {
        switch built {
        case .success(let folder): return folder + "/" + name
        case .failure(let failure):
            Issue.record(Comment(rawValue: failure.text))
            throw failure
        }
    }

    /// `scan IMAGE --format json` with no target: exit status and (check, path, fact) of every finding.
    static func findings(_ name: String, _ extra: [String] = []) throws -> (status: Int32, findings: [[String]], target: String) {
        let (status, object) = try Shiplint.json(["scan", try image(name), "--no-config"] + extra)
        let artifacts = object["artifacts"] as? [[String: Any]] ?? []
        let findings = artifacts.flatMap { $0["findings"] as? [[String: Any]] ?? [] }.map { finding in
            ["check", "path", "fact"].map { finding[$0] as? String ?? "" }
        }
        let target = (object["target"] as? [String: Any])?["name"] as? String ?? ""
        return (status, findings, target)
    }

    @Test(arguments: ["clean.tar", "clean-oci"])
    func aCorrectlyBuiltImagePassesWithNoTarget(name: String) throws {
        let (status, findings, target) = try Self.findings(name)
        #expect(status == 0)
        #expect(findings.isEmpty, "\(findings)")
        #expect(target.hasPrefix("image "))
    }

    @Test func theTargetIsTheImageItself() throws {
        let artifact = try ImageReader().read(path: try Self.image("clean.tar"))
        let image = try #require(artifact.image)
        #expect(artifact.kind == .image)
        #expect(image.format == "docker-archive")
        #expect(image.architecture == "amd64")
        #expect(image.entrypoint == ["/lambda-entrypoint.sh"])
        #expect(image.env["LAMBDA_TASK_ROOT"] == "/var/task")
        // Only the code is judged by the existing checks; the whole root is in the image facts.
        #expect(artifact.binaries.map(\.path).sorted() == [
            "var/task/_clean.cpython-313-x86_64-linux-gnu.so", "var/task/_usesfoo.cpython-313-x86_64-linux-gnu.so",
        ])
        #expect(image.rootBinaries.contains { $0.path == "lib/x86_64-linux-gnu/libc.so.6" })
        let target = TargetRuntime.image(image, label: "clean.tar")
        #expect(target.platform.arch == .x86_64)
        #expect(target.platform.libc == .glibc)
        #expect(target.platform.libcVersion >= VersionNumber("2.17")!)
        #expect(target.python?.tag == "313")
        #expect(target.libraries.os.contains("libfoo.so.1"))
        #expect(target.libraries.os.contains("libc.so.6"))
    }

    @Test func anArm64ConfigWithX86BinariesIsAnArchMismatch() throws {
        let (status, findings, _) = try Self.findings("arm64-config.tar")
        #expect(status == 1)
        #expect(findings.contains { $0[0] == "image-arch-mismatch" && $0[2] == "x86_64" })
        #expect(findings.contains { $0 == ["wrong-arch", "var/task/_clean.cpython-313-x86_64-linux-gnu.so", "x86_64 64-bit little"] })
    }

    @Test func aWindowsExtensionCopiedInIsAWindowsBinary() throws {
        let (status, findings, _) = try Self.findings("windows.tar")
        #expect(status == 1)
        #expect(findings.contains { $0[0] == "windows-binary" && $0[1] == "var/task/_mod.cp313-win_amd64.pyd" })
    }

    @Test(arguments: ["whiteout.tar", "whiteout-oci"])
    func aLibraryRemovedByALaterLayerIsMissing(name: String) throws {
        let (status, findings, _) = try Self.findings(name)
        #expect(status == 1)
        #expect(findings == [["missing-library", "var/task/_usesfoo.cpython-313-x86_64-linux-gnu.so", "libfoo.so.1"]])
    }

    /// zstd layers (recompressed by the zstd CLI, with their own digests and media type) are read and judged like
    /// gzip ones: the whiteout in the second layer still removes the library from the first.
    @Test(arguments: ["whiteout-zstd-oci", "whiteout-zstd-oci.tar"])
    func zstdLayersAreJudged(name: String) throws {
        let (status, findings, _) = try Self.findings(name)
        #expect(status == 1)
        #expect(findings == [["missing-library", "var/task/_usesfoo.cpython-313-x86_64-linux-gnu.so", "libfoo.so.1"]])
        let image = try #require(try ImageReader().read(path: try Self.image(name)).image)
        #expect(image.layerMediaTypes == ["application/vnd.oci.image.layer.v1.tar+zstd", "application/vnd.oci.image.layer.v1.tar+zstd"])
        #expect(image.integrityProblems.isEmpty)
    }

    @Test(arguments: ["attestation-oci", "attestation-oci.tar"])
    func anIndexWithAnAttestationManifestIsRefused(name: String) throws {
        let (status, findings, _) = try Self.findings(name)
        #expect(status == 1)
        #expect(findings == [["image-media-type", "index.json", "attestation-manifest"]])
    }

    @Test func aTamperedConfigIsADigestMismatch() throws {
        let (status, findings, _) = try Self.findings("tampered-oci")
        #expect(status == 1)
        #expect(findings.count == 1)
        #expect(findings.first?[0] == "image-integrity")
        #expect(findings.first?[2] == "digest")
    }

    /// A layer blob is streamed out of a docker save tarball, never held: a 12 MiB layer reads under an 8 MB cap on
    /// inflated bytes (the tar form used to read the blob into memory and refused it), with the folder form's findings.
    @Test(arguments: ["large.tar", "large-oci"])
    func aLayerLargerThanTheArtifactCapIsStreamed(name: String) throws {
        let (status, findings, _) = try Self.findings(name, ["--max-artifact-bytes", "8000000"])
        #expect(status == 1)
        #expect(findings == [["missing-library", "var/task/_usesfoo.cpython-313-x86_64-linux-gnu.so", "libfoo.so.1"]])
        let artifact = try ImageReader().read(path: try Self.image(name))
        #expect(artifact.entries.first { $0.path == "var/task/model.bin" }?.size == 12 << 20)
    }

    /// A small window makes the ELF reader go back for tables behind the stream: the layer is opened again from the
    /// image tar (or folder), and the facts are those of a read with the default window.
    @Test(arguments: ["clean.tar", "clean-oci"])
    func aSecondPassOverAStreamedLayerGivesTheSameFacts(name: String) throws {
        let small = ReadLimits(entryBytes: 256 << 10, artifactBytes: 2 << 30, nestingDepth: 3, entries: 200_000)
        let narrow = try #require(try ImageReader(limits: small).read(path: try Self.image(name)).image)
        let whole = try #require(try ImageReader().read(path: try Self.image(name)).image)
        #expect(narrow.rootBinaries.map(\.facts.debugDescription) == whole.rootBinaries.map(\.facts.debugDescription))
        #expect(narrow.rootBinaries.contains { $0.path == "lib/x86_64-linux-gnu/libc.so.6" && $0.facts != nil })
        #expect(narrow.integrityProblems.isEmpty)
    }

    /// The last byte of a layer blob (the tar's end padding, which the tar reader never needs) is changed: every
    /// byte of the blob is hashed, so the digest no longer matches.
    @Test func aLayerChangedAfterItWasSavedIsADigestMismatch() throws {
        let (status, findings, _) = try Self.findings("tampered-layer.tar")
        #expect(status == 1)
        #expect(findings.count == 1)
        #expect(findings.first?[0] == "image-integrity")
        #expect(findings.first?[1].hasSuffix(".tar") == true)
        #expect(findings.first?[2] == "digest")
    }

    /// The node images need Debian's nodejs and libnode-dev (apt-get download); without them the tests say so.
    static func nodeImage(_ name: String) throws -> String? {
        let skipped = try image("node-skipped")
        if let reason = try? String(contentsOfFile: skipped, encoding: .utf8) {
            print("skip: \(reason)")
            return nil
        }
        return name
    }

    /// Debian's Node.js 18 at /var/lang/bin/node with its include/node/node_version.h beside it (as the official
    /// tarball lays it out): an addon for Node.js 22 is a mismatch naming both versions, a Node-API 10 one needs more
    /// than the header's Node-API 9, and the addon for Node.js 18 passes.
    @Test(arguments: ["node-header.tar", "node-header-oci"])
    func anAddonForAnotherNodeIsJudgedAgainstTheImagesNode(name: String) throws {
        guard let name = try Self.nodeImage(name) else { return }
        let (status, object) = try Shiplint.json(["scan", try Self.image(name), "--no-config"])
        #expect(status == 1)
        let findings = (object["artifacts"] as? [[String: Any]] ?? []).flatMap { $0["findings"] as? [[String: Any]] ?? [] }
        let legacy = try #require(findings.first { $0["path"] as? String == "var/task/node_modules/v127/build/Release/addon.node" })
        #expect(legacy["check"] as? String == "node-abi-mismatch")
        #expect(legacy["fact"] as? String == "NODE_MODULE_VERSION 127")
        #expect((legacy["message"] as? String)?.contains("runs Node.js 18, which requires NODE_MODULE_VERSION 108") == true)
        let napi = try #require(findings.first { $0["path"] as? String == "var/task/node_modules/napi10/build/Release/addon.node" })
        #expect(napi["check"] as? String == "node-abi-mismatch")
        #expect(napi["fact"] as? String == "Node-API 10")
        #expect(!findings.contains { $0["path"] as? String == "var/task/node_modules/v108/build/Release/addon.node" })
        #expect(findings.count == 2)
    }

    /// Without the header, Debian's node names its NODE_MODULE_VERSION in the libnode.so.108 it needs; its Node-API
    /// version (libnode is not in the image) is not read, and the Node-API addon says so.
    @Test func withoutTheHeaderLibnodeNamesTheABI() throws {
        guard let name = try Self.nodeImage("node-libnode.tar") else { return }
        let (status, findings, _) = try Self.findings(name)
        #expect(status == 1)
        #expect(findings == [
            ["node-abi-unread", "var/task/node_modules/napi10/build/Release/addon.node", "runtime Node-API version not read"],
            ["node-abi-mismatch", "var/task/node_modules/v127/build/Release/addon.node", "NODE_MODULE_VERSION 127"],
        ])
    }

    /// A node whose version nothing in the image tells: every addon is said to be unchecked, none passed in silence.
    @Test func aNodeOfUnknownVersionLeavesEveryAddonUnchecked() throws {
        guard let name = try Self.nodeImage("node-unknown.tar") else { return }
        let result = try Shiplint.run(["scan", try Self.image(name), "--no-config"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("note[node-abi-unread] legacy Node.js addon built for NODE_MODULE_VERSION 127, not checked: the image's Node.js (/var/lang/bin/node) was found, but not its NODE_MODULE_VERSION"))
        #expect(result.stdout.contains("by check: node-abi-unread 3"), "\(result.stdout)")
    }

    @Test func aSymlinkEscapingTheRootIsAFinding() throws {
        let (status, findings, _) = try Self.findings("symlink-escape.tar")
        #expect(status == 1)
        #expect(findings.contains { $0 == ["image-integrity", "var/task/passwd", "symlink"] })
    }

    @Test func aMissingEntrypointIsAFinding() throws {
        let (status, findings, _) = try Self.findings("no-entrypoint.tar")
        #expect(status == 1)
        #expect(findings == [["image-entrypoint", "", "/usr/local/bin/missing-runtime"]])
    }

    @Test func aPlatformTheImageLacksIsAClearError() throws {
        let result = try Shiplint.run(["scan", try Self.image("clean-oci"), "--no-config", "--platform", "linux/arm64"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("no manifest for linux/arm64"))
        let picked = try Self.findings("attestation-oci", ["--platform", "linux/amd64"])
        #expect(picked.findings.map { $0[0] } == ["image-media-type"])
    }

    @Test func anImageIsNotJudgedAgainstAnotherTarget() throws {
        let result = try Shiplint.run(["scan", try Self.image("clean.tar"), "--no-config", "--target", "aws-lambda-python3.13-x86_64"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("judged against its own root file system"))
    }

    @Test func anOrdinaryTarballIsNotAnImage() throws {
        #expect(!ImageReader.isImage(path: Repository.fixture("artifacts/function-clean.tar")))
    }

    /// A SAM project's PackageType Image functions: judged against the image given with --image (and checked against
    /// the function's Architectures), or reported as not checked.
    @Test func imageFunctionsOfAProjectAreJudgedAgainstTheirImage() throws {
        let folder = try Self.image("sam-project")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try """
            AWSTemplateFormatVersion: '2010-09-09'
            Transform: AWS::Serverless-2016-10-31
            Resources:
              ImageFunction:
                Type: AWS::Serverless::Function
                Properties:
                  PackageType: Image
                  Architectures: [x86_64]
              ArmImageFunction:
                Type: AWS::Serverless::Function
                Properties:
                  PackageType: Image
                  Architectures: [arm64]
              UncheckedFunction:
                Type: AWS::Serverless::Function
                Properties:
                  PackageType: Image
            """.write(toFile: folder + "/template.yaml", atomically: true, encoding: .utf8)
        let result = try Shiplint.run([
            "scan", folder, "--no-config", "--today", "2026-12-01", "--format", "json",
            "--image", "ImageFunction=" + (try Self.image("clean.tar")), "--image", "ArmImageFunction=" + (try Self.image("clean-oci")),
        ])
        #expect(result.status == 1)
        let text = result.stdout
        #expect(text.contains("\"check\" : \"image-arch-mismatch\"") || text.contains("\"check\": \"image-arch-mismatch\""))
        #expect(text.contains("amd64 on arm64"))
        #expect(text.contains("pass it with --image UncheckedFunction=image.tar"))
        let plain = try Shiplint.run([
            "scan", folder, "--no-config", "--today", "2026-12-01", "--function", "ImageFunction",
            "--image", "ImageFunction=" + (try Self.image("clean.tar")),
        ])
        #expect(plain.status == 0, "\(plain.stdout)")
        let wrong = try Shiplint.run(["scan", folder, "--no-config", "--image", "NoSuchFunction=x.tar"])
        #expect(wrong.status == 2)
        #expect(wrong.stderr.contains("no function NoSuchFunction"))
    }
}
