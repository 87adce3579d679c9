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
        // musllinux wheels installed into a function: the bundled libgcc_s defines GLIBC_2.0, which once made the
        // aarch64 module look like glibc (`missing-library libc.so`); musl on both architectures (issue 22 item 3). The
        // module and the library it bundles are one cause in one distribution: one musl-binary finding on both.
        Case(artifact: "artifacts/musl/musllinux-x86_64.zip", target: "aws-lambda-python3.13-x86_64", status: 1,
             findings: ["wheel-tag-mismatch pkg-1.0.dist-info/WHEEL", "musl-binary pkg.libs/libgcc_s-5e1f2a3b.so.1 + pkg/_mod.cpython-313-x86_64-linux-musl.so",
                        "python-abi-mismatch pkg/_mod.cpython-313-x86_64-linux-musl.so"]),
        Case(artifact: "artifacts/musl/musllinux-aarch64.zip", target: "aws-lambda-python3.13-arm64", status: 1,
             findings: ["wheel-tag-mismatch pkg-1.0.dist-info/WHEEL", "musl-binary pkg.libs/libgcc_s-5e1f2a3b.so.1 + pkg/_mod.cpython-313-aarch64-linux-musl.so",
                        "python-abi-mismatch pkg/_mod.cpython-313-aarch64-linux-musl.so"]),
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
            .map { finding in
                // One cause in several files is one finding: its other files follow its path with `+`.
                let others = (finding["files"] as? [[String: Any]] ?? []).dropFirst().compactMap { $0["path"] as? String }
                return "\(finding["check"] as? String ?? "?") \(([finding["path"] as? String ?? "?"] + others).joined(separator: " + "))"
            }
        #expect(findings == testCase.findings)
        #expect(status == testCase.status)
    }
}

/// Issue 22 item 4: severity follows reachability. Another platform's copy beside the one built for the runtime is a
/// note, a program nothing runs is a warning worded "if run, …", a file the runtime may load stays an error.
@Suite struct ReachabilityEndToEndTests {
    static func findings(_ target: String) throws -> [String] {
        let (_, json) = try Shiplint.json(["scan", Repository.fixture("artifacts/reach/multi-platform.zip"), "--target", target])
        let artifacts = json["artifacts"] as? [[String: Any]] ?? []
        return artifacts.flatMap { ($0["findings"] as? [[String: Any]]) ?? [] }.map {
            "\($0["severity"] as? String ?? "?") \($0["check"] as? String ?? "?") \($0["path"] as? String ?? "?")"
        }
    }

    @Test func x86_64() throws {
        #expect(try Self.findings("aws-lambda-python3.13-x86_64") == [
            "warning missing-library pkg/bin/test_shim",
            "note wrong-arch pkg/helpers/linux-aarch64/helper.so",
            "note darwin-binary pkg/helpers/macos/helper.dylib",
            "note windows-binary pkg/helpers/windows/helper.dll",
            "error wrong-arch pkg/lonely/libonly-aarch64.so",
        ])
        let text = try Shiplint.run(["scan", Repository.fixture("artifacts/reach/multi-platform.zip"), "--target", "aws-lambda-python3.13-x86_64"])
        #expect(text.status == 1)
        #expect(text.stdout.contains("warning[missing-library] if run, needs libbar-1a2b3c4d.so.1.0"))
        #expect(text.stdout.contains("(/var/task/pkg/bin/test_shim is a program the runtime does not run by itself: not a bootstrap, an extension or on PATH)"))
        #expect(text.stdout.contains("never used here: pkg/helpers/linux-x86_64/helper.so beside it is the copy built for this runtime"))
    }

    /// memray's `_inject.abi3.so` (issue 22): named like a module, calls CPython, exports no PyInit_, and nothing
    /// imports it (a debugger loads it into another process by its path): `python-init-missing` is a warning saying so;
    /// once the package's __init__ imports it, the import does fail: an error.
    @Test func aLibraryLoadedByItsPathIsNotAFailedImport() throws {
        let target = "aws-lambda-python3.13-x86_64"
        let loose = try Shiplint.json(["scan", Repository.fixture("artifacts/reach/injected.zip"), "--target", target])
        let looseFindings = (loose.1["artifacts"] as? [[String: Any]])?.first?["findings"] as? [[String: Any]] ?? []
        #expect(looseFindings.map { "\($0["severity"] as? String ?? "?") \($0["check"] as? String ?? "?") \($0["path"] as? String ?? "?")" }
            == ["warning python-init-missing tracer/_inject.abi3.so"])
        #expect(loose.0 == 0)
        #expect((looseFindings.first?["message"] as? String ?? "").hasSuffix("(PyInit__inject); the file exports no such function; nothing in tracer imports it, and it exports no PyInit_ function of any name: a library tracer loads by its path (ctypes, a debugger), not a module, so this fails only if something imports it"))
        let imported = try Shiplint.run(["scan", Repository.fixture("artifacts/reach/injected-imported.zip"), "--target", target])
        #expect(imported.status == 1)
        #expect(imported.stdout.contains("error[python-init-missing] `import tracer._inject` fails: dynamic module does not define module export function (PyInit__inject); the file exports no such function\n"))
    }

    /// What cannot load where the runtime never loads it (issue 22, found by the soak): a library ld.so refuses
    /// (`not-loadable`, a FreeBSD build) was an error wherever it was, as JNA's FreeBSD copy of libjnidispatch.so in
    /// ray's ray/jars/ray_dist.jar; and a program nothing runs whose headers cannot be read (cmdstan's bin/diagnose in
    /// prophet's wheel, which faults in ld.so) was an error because an unread file was taken for a library.
    @Test func whatCannotLoadWhereNothingLoadsItIsNoError() throws {
        let zip = Repository.fixture("artifacts/reach/unused-unloadable.zip")
        let (status, json) = try Shiplint.json(["scan", zip, "--target", "aws-lambda-python3.13-x86_64"])
        let findings = (json["artifacts"] as? [[String: Any]] ?? []).flatMap { ($0["findings"] as? [[String: Any]]) ?? [] }
        #expect(findings.map { "\($0["severity"] as? String ?? "?") \($0["check"] as? String ?? "?") \($0["path"] as? String ?? "?")" } == [
            "warning not-loadable pkg/_clean.cpython-313-x86_64-linux-gnu.so",
            "warning corrupt-binary pkg/bin/tool",
            "note not-loadable pkg/jars/dist.jar!com/sun/jna/freebsd-x86-64/libjnidispatch.so",
        ])
        #expect(status == 0)
        let text = try Shiplint.run(["scan", zip, "--target", "aws-lambda-python3.13-x86_64"]).stdout
        #expect(text.contains("warning[not-loadable] dlopen refuses it: \"ELF file OS ABI invalid\": EI_OSABI is 9 (FreeBSD)"), "\(text)")
        #expect(text.contains("; imported only under `except ImportError` (pkg/__init__.py line 2)"), "\(text)")
        #expect(text.contains("note[not-loadable] ld.so refuses it: \"ELF file OS ABI invalid\""), "\(text)")
        #expect(text.contains("never loaded here: a JNI library in dist.jar, and no JVM runs on python3.13"), "\(text)")
        #expect(text.contains("warning[corrupt-binary] if run, cannot be read as a native binary: "), "\(text)")
        #expect(text.contains("(/var/task/pkg/bin/tool is a program the runtime does not run by itself"), "\(text)")
    }

    @Test func arm64() throws {
        #expect(try Self.findings("aws-lambda-python3.13-arm64") == [
            "error wrong-arch pkg/_clean.cpython-313-x86_64-linux-gnu.so",
            "error python-abi-mismatch pkg/_clean.cpython-313-x86_64-linux-gnu.so",
            "warning wrong-arch pkg/bin/test_shim",
            "note wrong-arch pkg/helpers/linux-x86_64/helper.so",
            "note darwin-binary pkg/helpers/macos/helper.dylib",
            "note windows-binary pkg/helpers/windows/helper.dll",
        ])
    }

    /// A binary named alone on the command line is what the user asks about: it keeps its error.
    @Test func aBinaryNamedAloneIsLoaded() throws {
        let (status, json) = try Shiplint.json(["scan", Repository.fixture("bin/elf/bootstrap-musl"), "--target", "aws-lambda-python3.13-x86_64"])
        #expect(status == 1)
        let severities = (json["artifacts"] as? [[String: Any]] ?? []).flatMap { ($0["findings"] as? [[String: Any]]) ?? [] }.map { $0["severity"] as? String }
        #expect(severities.contains("error"))
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
        let folder = Scratch.url("shiplint-out")
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
