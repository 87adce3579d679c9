@testable import ShiplintChecks
import ShiplintFacts
import ShiplintReading
import ShiplintTargets
import Testing

/// The package checks run as a user runs them: function and layers on the command line, check ids, the input each
/// finding names, the path inside it, and the exit status.
@Suite struct PackageEndToEndTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let function: String?
        var layers: [String] = []
        let target: String
        let status: Int32
        /// "check artifact-file-name path", in report order.
        let findings: [String]
        var testDescription: String { ([function].compactMap { $0 } + layers.map { "--layer \($0)" }).joined(separator: " ") + " on \(target)" }
    }

    static let py313 = "aws-lambda-python3.13-x86_64"
    static let provided = "aws-lambda-provided.al2023-x86_64"

    static let cases: [Case] = [
        // layer-layout
        Case(function: nil, layers: ["layer-py312.zip"], target: py313, status: 1,
             findings: ["layer-layout layer-py312.zip python/lib/python3.12/site-packages"]),
        Case(function: nil, layers: ["layer-py312.zip"], target: "aws-lambda-python3.12-x86_64", status: 0, findings: []),
        Case(function: "function-root.zip", layers: ["layer-py313.zip"], target: py313, status: 0, findings: []),
        Case(function: nil, layers: ["layer-toplevel.zip"], target: py313, status: 1, findings: ["layer-layout layer-toplevel.zip "]),
        Case(function: "function-build-folder.zip", target: py313, status: 1, findings: ["layer-layout function-build-folder.zip build"]),
        Case(function: nil, layers: ["layer-node.zip"], target: "aws-lambda-nodejs22.x-x86_64", status: 0, findings: []),
        Case(function: nil, layers: ["layer-node-toplevel.zip"], target: "aws-lambda-nodejs22.x-x86_64", status: 1,
             findings: ["layer-layout layer-node-toplevel.zip node_modules"]),
        // unreadable-file, no-unix-modes
        Case(function: "function-unreadable.zip", target: py313, status: 1,
             findings: ["unreadable-file function-unreadable.zip handler.py", "unreadable-file function-unreadable.zip pkg/"]),
        Case(function: "bootstrap-755.zip", target: provided, status: 0, findings: []),
        Case(function: "bootstrap-644.zip", target: provided, status: 1, findings: ["unreadable-file bootstrap-644.zip bootstrap"]),
        Case(function: "bootstrap-windows.zip", target: provided, status: 1,
             findings: ["no-unix-modes bootstrap-windows.zip ", "unreadable-file bootstrap-windows.zip bootstrap"]),
        Case(function: "function-windows-modes.zip", target: py313, status: 0, findings: ["no-unix-modes function-windows-modes.zip "]),
        // unsafe-path
        Case(function: "function-unsafe.zip", target: py313, status: 1, findings: [
            "unsafe-path function-unsafe.zip ../evil.py", "unsafe-path function-unsafe.zip /abs/evil.py",
            "unsafe-path function-unsafe.zip data/passwd"]),
        // wheel-tag-mismatch
        Case(function: "function-wheel-tags.zip", target: py313, status: 0, findings: [
            "wheel-tag-mismatch function-wheel-tags.zip localpkg-0.1.dist-info/WHEEL",
            "wheel-tag-mismatch function-wheel-tags.zip orjson-3.10.12.dist-info/WHEEL"]),
        Case(function: "function-wheel-tags-ok.zip", target: py313, status: 0, findings: []),
        // duplicate-module: the function's copy comes first, the layer's is reported
        Case(function: "function-with-requests.zip", layers: ["layer-py313.zip"], target: py313, status: 0,
             findings: ["duplicate-module layer-py313.zip python/lib/python3.13/site-packages/requests/"]),
        // package-too-large: 100 + 90 + 70 MiB, computed across the function and two layers
        Case(function: "big-function.zip", layers: ["big-layer-1.zip", "big-layer-2.zip"], target: py313, status: 1,
             findings: ["package-too-large big-function.zip "]),
        Case(function: "big-function.zip", layers: ["big-layer-1.zip"], target: py313, status: 0, findings: []),
    ]

    @Test(arguments: cases)
    func scan(_ testCase: Case) throws {
        let fixture = { Repository.fixture("artifacts/package/" + $0) }
        let arguments = ["scan"] + [testCase.function].compactMap { $0 }.map(fixture)
            + testCase.layers.flatMap { ["--layer", fixture($0)] } + ["--target", testCase.target]
        let (status, json) = try Shiplint.json(arguments)
        let artifacts = json["artifacts"] as? [[String: Any]] ?? []
        let findings = artifacts.flatMap { artifact in
            let name = (artifact["path"] as? String ?? "?").split(separator: "/").last.map(String.init) ?? "?"
            return ((artifact["findings"] as? [[String: Any]]) ?? []).map {
                "\($0["check"] as? String ?? "?") \(name) \($0["path"] as? String ?? "?")"
            }
        }
        #expect(findings == testCase.findings)
        #expect(status == testCase.status)
    }

    @Test func tooLargeMessageShowsTotalLimitAndLargestFolders() throws {
        let fixture = { Repository.fixture("artifacts/package/" + $0) }
        let result = try Shiplint.run([
            "scan", fixture("big-function.zip"), "--layer", fixture("big-layer-1.zip"), "--layer", fixture("big-layer-2.zip"),
            "--target", Self.py313])
        #expect(result.stdout.contains("the function and its 2 layers unzip to 260 MB (272629838 bytes), over Lambda's limit of 250 MB (262144000 bytes)"))
        #expect(result.stdout.contains("Largest: the function data/ 100 MB, layer 1 python/numpy/ 90 MB, layer 2 python/torch/ 70 MB"))
    }
}

@Suite struct PackageReadingTests {
    /// The caller says which files it wants as text: the checks' selection keeps the wheel's WHEEL; none, nothing.
    @Test func wheelMetadataIsKeptAsText() throws {
        let artifact = try ArtifactReader(metadata: .checks).read(path: Repository.fixture("artifacts/function-windows.zip"))
        #expect(try readArtifact("artifacts/function-windows.zip").metadataFiles.isEmpty)
        #expect(artifact.metadataFiles.keys.sorted() == ["pydantic_core-2.27.2.dist-info/WHEEL"])
        #expect(artifact.metadataFiles["pydantic_core-2.27.2.dist-info/WHEEL"]?.contains("Tag: cp313-cp313-win_amd64\n") == true)
    }

    @Test func storedSizeIsTheFileSize() throws {
        let artifact = try readArtifact("artifacts/package/big-layer-1.zip")
        #expect(artifact.storedSize == 92006)
        #expect(artifact.entries.first?.size == 90 << 20)
        #expect(try readArtifact("artifacts/folder-build").storedSize == nil)
    }

    @Test func windowsZipHasNoModes() throws {
        let artifact = try readArtifact("artifacts/package/function-windows-modes.zip")
        #expect(artifact.entries.allSatisfy { $0.mode == nil })
    }
}

@Suite struct PackageJudgementTests {
    static func target(_ name: String) throws -> TargetRuntime { try TargetCatalog.builtIn.load(name) }

    @Test func moreLayersThanAllowedNamesEachExtraLayer() throws {
        let layers = (1...7).map { SamplePackage.artifact("layer\($0).zip", files: [("python/m\($0).py", 100)]) }
        let verdicts = Check.packageTooLarge.verdicts(DeploymentContext(function: nil, layers: layers, target: try Self.target("aws-lambda-python3.13-x86_64")))
        #expect(verdicts.map(\.artifact) == ["layer6.zip", "layer7.zip"])
        #expect(verdicts.first?.verdict.message == "layer 6 of 7: Lambda allows at most 5 layers per function")
    }

    @Test func largestFoldersAreTenAndLookInsideLayerPaths() throws {
        let files: [(String, Int64)] = (1...12).map { ("python/lib/python3.13/site-packages/p\($0)/x.so", Int64($0) << 20) }
        let layer = SamplePackage.artifact("layer.zip", files: files + [("python/big/x.so", 300 << 20)])
        let verdicts = Check.packageTooLarge.verdicts(DeploymentContext(function: nil, layers: [layer], target: try Self.target("aws-lambda-python3.13-x86_64")))
        let message = try #require(verdicts.first?.verdict.message)
        #expect(message.contains("Largest: python/big/ 300 MB, python/lib/python3.13/site-packages/p12/ 12 MB,"))
        #expect(message.contains("p4/ 4 MB") && !message.contains("p3/"))
    }

    @Test func uploadLimitIsForZips() throws {
        let target = try Self.target("aws-lambda-python3.13-x86_64")
        let zip = SamplePackage.artifact("f.zip", files: [("handler.py", 1)], storedSize: 51 << 20)
        let tar = SamplePackage.artifact("f.tar", kind: .tar, files: [("handler.py", 1)], storedSize: 51 << 20)
        #expect(Check.uploadTooLarge.verdicts(ArtifactContext(artifact: zip, target: target)).count == 1)
        #expect(Check.uploadTooLarge.verdicts(ArtifactContext(artifact: tar, target: target)).isEmpty)
    }

    @Test(arguments: [
        ("py3-none-any", "aws-lambda-python3.13-x86_64", true),
        ("py2.py3-none-any", "aws-lambda-python3.9-x86_64", true),
        ("py314-none-any", "aws-lambda-python3.13-x86_64", false),
        ("cp313-cp313-manylinux_2_34_x86_64", "aws-lambda-python3.13-x86_64", true),
        ("cp313-cp313-manylinux_2_34_aarch64", "aws-lambda-python3.13-arm64", true),
        ("cp313-cp313-manylinux_2_34_aarch64", "aws-lambda-python3.13-x86_64", false),
        ("cp311-cp311-manylinux_2_28_x86_64", "aws-lambda-python3.11-x86_64", false),
        ("cp311-cp311-manylinux2014_x86_64", "aws-lambda-python3.11-x86_64", true),
        ("cp311-cp311-manylinux1_x86_64", "aws-lambda-python3.11-x86_64", true),
        ("cp311-cp311-manylinux2010_x86_64", "aws-lambda-python3.11-x86_64", true),
        ("cp39-abi3-manylinux_2_17_x86_64", "aws-lambda-python3.13-x86_64", true),
        ("cp314-abi3-manylinux_2_17_x86_64", "aws-lambda-python3.13-x86_64", false),
        ("cp313-cp313t-manylinux_2_17_x86_64", "aws-lambda-python3.13-x86_64", false),
        ("cp313-cp313-musllinux_1_2_x86_64", "aws-lambda-python3.13-x86_64", false),
        ("cp313-cp313-macosx_11_0_arm64", "aws-lambda-python3.13-arm64", false),
        ("cp313-cp313-linux_x86_64", "aws-lambda-python3.13-x86_64", false),
        ("pp310-pypy310_pp73-manylinux_2_17_x86_64", "aws-lambda-python3.10-x86_64", false),
    ])
    func wheelTagFits(tag: String, targetName: String, fits: Bool) throws {
        let target = try Self.target(targetName)
        let python = try #require(target.python)
        let tags = try #require(WheelTag.parse(tag))
        #expect(tags.contains { $0.rejection(on: target, python: python) == nil } == fits)
    }

    @Test func wheelMessageNamesDistributionAndVersion() throws {
        let artifact = SamplePackage.installed("pydantic_core", version: "2.27.2", tags: ["cp313-cp313-win_amd64"])
        let verdicts = Check.wheelTagMismatch.verdicts(ArtifactContext(artifact: artifact, target: try Self.target("aws-lambda-python3.13-x86_64")))
        #expect(verdicts.map(\.path) == ["pydantic_core-2.27.2.dist-info/WHEEL"])
        #expect(verdicts.first?.verdict.message.hasPrefix("pydantic_core 2.27.2 was installed from a wheel that does not fit") == true)
        #expect(verdicts.first?.verdict.fix.contains("pydantic_core==2.27.2") == true)
    }

    @Test func twoLayersInTheSameFolderMix() throws {
        let first = SamplePackage.artifact("a.zip", files: [("python/requests/__init__.py", 100)])
        let second = SamplePackage.artifact("b.zip", files: [("python/requests/__init__.py", 100)])
        let verdicts = Check.duplicateModule.verdicts(DeploymentContext(function: nil, layers: [first, second], target: try Self.target("aws-lambda-python3.13-x86_64")))
        // Layer 2 unpacks over layer 1: layer 1's copy is the one reported.
        #expect(verdicts.map(\.artifact) == ["a.zip"])
        #expect(verdicts.first?.verdict.message.contains("so the files of both copies mix") == true)
    }

    @Test(arguments: [
        ("lib/a.so", "b.so", false), ("lib/a.so", "../lib/b.so", false), ("lib/a.so", "../../b.so", true),
        ("a.so", "/etc/passwd", true), ("a.so", "/opt/lib/libz.so.1", false), ("x.whl!pkg/a.so", "../b.so", false),
        ("x.whl!pkg/a.so", "../../b.so", true),
    ])
    func symlinkTargets(link: String, target: String, escapes: Bool) throws {
        let runtime = RuntimeView(target: try Self.target("aws-lambda-python3.13-x86_64"))
        let entry = SamplePackage.symlink(link, to: target)
        #expect((UnsafeEntry.verdict(entry, runtime: runtime) != nil) == escapes)
    }

    @Test func permissionFindingsAreCapped() throws {
        let files: [(String, Int64)] = (1...25).map { ("m\($0).py", 10) }
        let artifact = SamplePackage.artifact("f.zip", files: files, mode: 0o100600)
        let verdicts = Check.unreadableFile.verdicts(ArtifactContext(artifact: artifact, target: try Self.target("aws-lambda-python3.13-x86_64")))
        #expect(verdicts.count == 21)
        #expect(verdicts.last?.path == "" && verdicts.last?.verdict.message.hasPrefix("5 more entries") == true)
    }
}
