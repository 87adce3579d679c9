import Foundation
import Testing

/// The binary run as a user runs it: check ids, paths inside the artifact, exit statuses and report bytes.
@Suite struct ScanEndToEndTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let artifact: String
        let target: String
        let status: Int32
        /// (check, path) pairs, in report order.
        let findings: [String]
        var extra: [String] = []
        var testDescription: String { "\(artifact) on \(target)" }
    }

    static let cases: [Case] = [
        Case(artifact: "artifacts/function-windows.zip", target: "aws-lambda-python3.13-x86_64", status: 1,
             findings: ["wheel-tag-mismatch pydantic_core-2.27.2.dist-info/WHEEL",
                        "windows-binary pydantic_core/_pydantic_core.cp313-win_amd64.pyd",
                        "python-abi-mismatch pydantic_core/_pydantic_core.cp313-win_amd64.pyd"]),
        Case(artifact: "artifacts/function-darwin.zip", target: "aws-lambda-python3.13-x86_64", status: 1,
             findings: ["darwin-binary pkg/_mod.cpython-313-darwin.so", "python-abi-mismatch pkg/_mod.cpython-313-darwin.so"]),
        Case(artifact: "artifacts/function-aarch64.zip", target: "aws-lambda-python3.13-x86_64", status: 1,
             findings: ["wrong-arch pkg/_clean.cpython-313-aarch64-linux-gnu.so", "python-abi-mismatch pkg/_clean.cpython-313-aarch64-linux-gnu.so"]),
        Case(artifact: "artifacts/function-aarch64.zip", target: "aws-lambda-python3.13-arm64", status: 0, findings: []),
        Case(artifact: "bin/elf/_musl.cpython-313-x86_64-linux-musl.so", target: "aws-lambda-python3.13-x86_64", status: 1,
             findings: ["musl-binary _musl.cpython-313-x86_64-linux-musl.so", "python-abi-mismatch _musl.cpython-313-x86_64-linux-musl.so"]),
        Case(artifact: "bin/elf/bootstrap-musl", target: "aws-lambda-provided.al2023-x86_64", status: 1, findings: ["musl-binary bootstrap-musl"]),
        Case(artifact: "bin/elf/bootstrap", target: "aws-lambda-provided.al2023-x86_64", status: 0, findings: []),
        Case(artifact: "artifacts/function-glibc228.zip", target: "aws-lambda-python3.11-x86_64", status: 1,
             findings: ["glibc-too-new pkg/_glibc228.cpython-311-x86_64-linux-gnu.so"]),
        Case(artifact: "bin/elf/_glibc234.cpython-312-x86_64-linux-gnu.so", target: "aws-lambda-python3.12-x86_64", status: 0, findings: []),
        Case(artifact: "bin/elf/_glibc234.cpython-312-x86_64-linux-gnu.so", target: "manylinux_2_28-x86_64", status: 1,
             findings: ["glibc-too-new _glibc234.cpython-312-x86_64-linux-gnu.so"]),
        Case(artifact: "bin/elf/_cxx.cpython-311-x86_64-linux-gnu.so", target: "aws-lambda-python3.11-x86_64", status: 1,
             findings: ["libstdcxx-too-new _cxx.cpython-311-x86_64-linux-gnu.so"]),
        Case(artifact: "bin/elf/_clean.cpython-312-x86_64-linux-gnu.so", target: "aws-lambda-python3.13-x86_64", status: 1,
             findings: ["python-abi-mismatch _clean.cpython-312-x86_64-linux-gnu.so"]),
        Case(artifact: "bin/elf/_ft.cpython-313t-x86_64-linux-gnu.so", target: "aws-lambda-python3.13-x86_64", status: 1,
             findings: ["python-abi-mismatch _ft.cpython-313t-x86_64-linux-gnu.so"]),
        Case(artifact: "bin/elf/_clean.cpython-313-s390x-linux-gnu.so", target: "aws-lambda-python3.13-x86_64", status: 1,
             findings: ["wrong-arch _clean.cpython-313-s390x-linux-gnu.so", "python-abi-mismatch _clean.cpython-313-s390x-linux-gnu.so"]),
        // Cut inside the page of its last segment: ld.so maps that page whole (zeros past the end) and loads it.
        Case(artifact: "bin/corrupt/elf-truncated-half.so", target: "aws-lambda-provided.al2023-x86_64", status: 0, findings: []),
        Case(artifact: "bin/notbinary/libc.so", target: "aws-lambda-provided.al2023-x86_64", status: 1, findings: ["corrupt-binary libc.so"]),
        Case(artifact: "bin/elf/_execstack.cpython-313-x86_64-linux-gnu.so", target: "aws-lambda-python3.13-x86_64", status: 0,
             findings: ["exec-stack _execstack.cpython-313-x86_64-linux-gnu.so"]),
        Case(artifact: "bin/elf/_execstack.cpython-313-x86_64-linux-gnu.so", target: "aws-lambda-python3.13-x86_64", status: 1,
             findings: ["exec-stack _execstack.cpython-313-x86_64-linux-gnu.so"], extra: ["--fail-on", "warning"]),
        Case(artifact: "artifacts/hostile/encrypted.zip", target: "aws-lambda-python3.13-x86_64", status: 1,
             findings: ["unreadable-entry pkg/_clean.cpython-313-x86_64-linux-gnu.so"]),
        Case(artifact: "artifacts/hostile/nested-bomb.zip", target: "aws-lambda-python3.13-x86_64", status: 1,
             findings: ["unreadable-entry nested-11.zip!nested-10.zip!nested-09.zip!nested-08.zip"]),
        Case(artifact: "artifacts/function-windows.zip", target: "aws-lambda-python3.13-x86_64", status: 0,
             findings: ["wheel-tag-mismatch pydantic_core-2.27.2.dist-info/WHEEL",
                        "windows-binary pydantic_core/_pydantic_core.cp313-win_amd64.pyd",
                        "python-abi-mismatch pydantic_core/_pydantic_core.cp313-win_amd64.pyd"], extra: ["--fail-on", "never"]),
    ] + ["function-clean.zip", "function-clean.tar", "function-clean.tar.gz", "function-clean.tgz", "function-clean.tar.xz",
         "function-clean.tar.bz2", "function-clean.tar.zst", "function-clean.bin", "function-clean", "folder-build",
         "layer-nested.zip"].map {
        Case(artifact: "artifacts/" + $0, target: "aws-lambda-python3.13-x86_64", status: 0, findings: [])
    }

    @Test(arguments: cases)
    func scan(_ testCase: Case) throws {
        let (status, json) = try Shiplint.json(["scan", Repository.fixture(testCase.artifact), "--target", testCase.target] + testCase.extra)
        let artifacts = json["artifacts"] as? [[String: Any]] ?? []
        let findings = artifacts.flatMap { ($0["findings"] as? [[String: Any]]) ?? [] }
            .map { "\($0["check"] as? String ?? "?") \($0["path"] as? String ?? "?")" }
        #expect(findings == testCase.findings)
        #expect(status == testCase.status)
    }
}

@Suite struct OutputTests {
    static let seed = ["scan", "fixtures/artifacts/function-windows.zip", "--target", "aws-lambda-python3.13-x86_64"]

    @Test func seedScanText() throws {
        let result = try Shiplint.run(Self.seed)
        #expect(result.status == 1)
        try expectGolden("seed-scan.txt", result.stdout)
    }

    @Test func seedScanJSON() throws {
        let result = try Shiplint.run(Self.seed + ["--format", "json"])
        try expectGolden("seed-scan.json", result.stdout)
    }

    @Test func inspectNestedText() throws {
        let result = try Shiplint.run(["inspect", "fixtures/artifacts/layer-nested.zip"])
        #expect(result.status == 0)
        try expectGolden("inspect-layer-nested.txt", result.stdout)
    }

    @Test func sameInputSameBytes() throws {
        let arguments = ["scan", "fixtures/artifacts", "fixtures/bin/elf", "--target", "aws-lambda-python3.11-x86_64", "--format", "json"]
        let first = try Shiplint.run(arguments)
        let second = try Shiplint.run(arguments)
        #expect(first.stdout == second.stdout)
        #expect(first.stdout.count > 10_000)
    }

    @Test func outputFileIsTheOnlyThingWritten() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("shiplint-out-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let report = folder.appendingPathComponent("report.json").path
        let result = try Shiplint.run(Self.seed + ["--format", "json", "--output", report])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["report.json"])
        let written = try String(contentsOfFile: report, encoding: .utf8)
        #expect(written.contains("\"check\": \"windows-binary\""))
    }

    @Test func missingArtifactIsExitTwo() throws {
        let result = try Shiplint.run(["scan", "no/such.zip", "--target", "aws-lambda-python3.13-x86_64"])
        #expect(result.status == 2)
        #expect(result.stderr == "shiplint: error: no/such.zip: no such file or folder\n")
    }

    @Test func checksShowPrintsDocumentation() throws {
        let result = try Shiplint.run(["checks", "show", "glibc-too-new"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("glibc-too-new (default severity: error)\n"))
        #expect(result.stdout.contains("Fix:"))
        let unknown = try Shiplint.run(["checks", "show", "no-such-check"])
        #expect(unknown.status == 2)
    }

    @Test func targetsListsDescriptions() throws {
        let result = try Shiplint.run(["targets"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("aws-lambda-python3.13-x86_64"))
        #expect(!result.stdout.contains("base/"))
        let show = try Shiplint.run(["targets", "show", "aws-lambda-python3.11-x86_64"])
        #expect(show.stdout.contains("libc-version = \"2.26\""))
    }
}
