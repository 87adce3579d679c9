import Foundation
import Testing
import ShiplintChecks
import ShiplintOutcome
import ShiplintReading
@testable import ShiplintReports
@testable import ShiplintRepair
import ShiplintTargets

/// `shiplint repair` without the network: what pip is asked for each target, what a .dist-info says it owns, the ZIP
/// copy checked by Python's zipfile, how pip's failures are told apart, and the command's refusals and plans. The
/// repairs of real broken packages with real wheels from PyPI are in conformance/repair.py (`make conformance`).
@Suite struct RepairTests {
    static func target(_ name: String) throws -> TargetRuntime { try TargetCatalog.builtIn.load(name) }

    // MARK: what pip is asked

    @Test func python311OnAmazonLinux2AsksForEveryManylinuxTagUpToGlibc226() throws {
        let request = try #require(WheelRequest(target: try Self.target("python3.11")))
        #expect(request.pythonVersion == "3.11")
        #expect(request.platforms.first == "manylinux_2_26_x86_64")
        #expect(!request.platforms.contains("manylinux_2_27_x86_64") && !request.platforms.contains("manylinux_2_28_x86_64"))
        // pip widens no tag: the legacy aliases sit with their floors, down to manylinux1 (glibc 2.5) on x86_64.
        let index = { (tag: String) in request.platforms.firstIndex(of: tag) ?? -1 }
        #expect(index("manylinux2014_x86_64") == index("manylinux_2_17_x86_64") + 1)
        #expect(index("manylinux2010_x86_64") == index("manylinux_2_12_x86_64") + 1)
        #expect(request.platforms.last == "manylinux1_x86_64")
    }

    @Test func arm64OnAmazonLinux2023StopsAtManylinux2014() throws {
        let request = try #require(WheelRequest(target: try Self.target("python3.13-arm64")))
        #expect(request.pythonVersion == "3.13")
        #expect(request.platforms.first == "manylinux_2_34_aarch64")
        #expect(request.platforms.last == "manylinux2014_aarch64")
        #expect(request.platforms.allSatisfy { $0.hasSuffix("_aarch64") })
    }

    @Test func aRuntimeWithoutCPythonHasNoWheelRequest() throws {
        #expect(WheelRequest(target: try Self.target("aws-lambda-provided.al2023-x86_64")) == nil)
        #expect(WheelRequest(target: try Self.target("nodejs22.x")) == nil)
    }

    @Test func theDownloadCommandIsBinaryOnlyWithoutDependencies() throws {
        let request = try #require(WheelRequest(target: try Self.target("python3.13")))
        let arguments = request.downloadArguments("numpy==2.1.3", into: "/scratch/d")
        #expect(Array(arguments.prefix(3)) == ["download", "--only-binary=:all:", "--no-deps"])
        #expect(arguments.suffix(7) == ["--python-version", "3.13", "--implementation", "cp", "--dest", "/scratch/d", "numpy==2.1.3"])
        #expect(arguments.filter { $0 == "--platform" }.count == request.platforms.count)
        // Installed by requirement from the download folder, not as a file: pip then records no direct_url.json.
        let install = request.installArguments("numpy==2.1.3", from: "/scratch/d", into: "/scratch/i")
        #expect(install.last == "numpy==2.1.3" && install.contains("--no-index") && install.contains("--no-compile"))
        #expect(install[install.firstIndex(of: "--find-links")! + 1] == "/scratch/d")
    }

    // MARK: what a .dist-info owns

    @Test func recordPathsAreCSVFieldsResolvedAgainstTheInstallFolder() {
        #expect(InstalledFiles.recordPath("numpy/core/_x.so,sha256=abc,123") == "numpy/core/_x.so")
        #expect(InstalledFiles.recordPath("\"odd,name/\"\"q\"\".py\",sha256=abc,1") == "odd,name/\"q\".py")
        #expect(InstalledFiles.resolutions("pkg/a.py", under: "python/") == ["python/pkg/a.py"])
        // pip --target records scripts as ../../bin/x and installs them as <target>/bin/x.
        #expect(InstalledFiles.resolutions("../../bin/tool", under: "python/lib/python3.11/site-packages/")
            == ["python/lib/bin/tool", "python/lib/python3.11/site-packages/bin/tool"])
    }

    @Test func aDistributionWithOnlyAWheelFileOwnsItsTopLevelPackage() throws {
        let zip = try ZipRewriter(path: Repository.fixture("artifacts/function-windows.zip"))
        let installed = InstalledFiles.all(in: zip)
        #expect(installed.map(\.name) == ["pydantic_core"])
        #expect(installed.first?.version == "2.27.2")
        #expect(installed.first?.owns("pydantic_core/_pydantic_core.cp313-win_amd64.pyd") == true)
        #expect(installed.first?.owns("handler.py") == false)
    }

    // MARK: the copy

    @Test func theCopyKeepsEveryOtherEntryByteForByteAsPythonsZipfileReadsIt() throws {
        let input = Repository.fixture("artifacts/function-windows.zip")
        let folder = Scratch.url("shiplint-repair").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let output = folder + "/out.zip"
        let zip = try ZipRewriter(path: input)
        let added = ZipRewriter.NewEntry(name: "pydantic_core/_pydantic_core.cpython-313-x86_64-linux-gnu.so", bytes: Array(repeating: 7, count: 5000), mode: 0o755)
        try zip.write(to: output, keep: { !$0.name.hasSuffix(".pyd") }, adding: [added])
        // The oracle: Python's zipfile checks every CRC and gives each entry's raw bytes, time and attributes.
        let script = """
            import sys, zipfile
            def raw(path):
                out = {}
                with zipfile.ZipFile(path) as z, open(path, 'rb') as f:
                    assert z.testzip() is None
                    for i in z.infolist():
                        f.seek(i.header_offset); h = f.read(30)
                        f.seek(i.header_offset + 30 + int.from_bytes(h[26:28], 'little') + int.from_bytes(h[28:30], 'little'))
                        out[i.filename] = (f.read(i.compress_size), i.CRC, i.date_time, i.external_attr, i.compress_type)
                return out
            old, new = raw(sys.argv[1]), raw(sys.argv[2])
            kept = [n for n in old if not n.endswith('.pyd')]
            assert all(new[n] == old[n] for n in kept), 'a kept entry changed'
            added = 'pydantic_core/_pydantic_core.cpython-313-x86_64-linux-gnu.so'
            assert sorted(new) == sorted(kept + [added]), sorted(new)
            with zipfile.ZipFile(sys.argv[2]) as z:
                assert z.read(added) == bytes([7]) * 5000
                assert (z.getinfo(added).external_attr >> 16) & 0o777 == 0o755
            print('ok')
            """
        let result = try runProgram("/usr/bin/env", ["python3", "-c", script, input, output])
        #expect(result.status == 0 && result.stdout == "ok\n", "\(result.stderr)")
        #expect(throws: ZipRewriter.Failure.self) { try zip.write(to: output, keep: { _ in true }, adding: [ZipRewriter.NewEntry(name: "handler.py", bytes: [1])]) }
    }

    // MARK: pip's failures

    @Test func pipOfflineIsAFailureNotAMissingWheel() {
        let offline = PackageInstaller.Run(status: 1, output: "", errors: """
            WARNING: Retrying (Retry(total=4, connect=None, read=None, redirect=None, status=None)) after connection broken by 'NewConnectionError('<pip._vendor.urllib3.connection.HTTPSConnection object at 0x7f>: Failed to establish a new connection: [Errno -3] Temporary failure in name resolution')': /simple/markupsafe/
            ERROR: Could not find a version that satisfies the requirement markupsafe==2.1.5 (from versions: none)
            ERROR: No matching distribution found for markupsafe==2.1.5
            """)
        guard case .failed(let why) = PipFailure(offline) else { Issue.record("offline pip taken for a missing wheel"); return }
        #expect(why.contains("could not be reached"))
        let missing = PackageInstaller.Run(status: 1, output: "", errors: """
            ERROR: Could not find a version that satisfies the requirement markupsafe==2.1.5 (from versions: 3.0.0, 3.0.1, 3.0.2)
            ERROR: No matching distribution found for markupsafe==2.1.5
            """)
        guard case .noMatchingWheel = PipFailure(missing) else { Issue.record("a missing wheel taken for a failure"); return }
    }

    @Test func commandsAreShownAsAShellReadsThem() {
        #expect(RepairReport.shell(["python3", "-m", "pip", "download", "--only-binary=:all:", "--dest", "$SCRATCH/download-x", "a b", "it's"])
            == "python3 -m pip download --only-binary=:all: --dest $SCRATCH/download-x 'a b' 'it'\\''s'")
    }

    // MARK: the command

    static func scratch() throws -> String {
        let folder = Scratch.url("shiplint-repair").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test func neverWritesOverItsInput() throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.copyItem(atPath: Repository.fixture("artifacts/function-windows.zip"), toPath: folder + "/f.zip")
        let before = try Data(contentsOf: URL(fileURLWithPath: folder + "/f.zip"))
        let result = try Shiplint.run(["repair", folder + "/f.zip", "--target", "python3.13", "--output", folder + "/./f.zip"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("is the artifact itself"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/f.zip")) == before)
    }

    @Test func aTargetWithoutCPythonIsRefused() throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let result = try Shiplint.run(["repair", Repository.fixture("artifacts/function-windows.zip"), "--target", "provided.al2023", "--output", folder + "/o.zip"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("not a CPython runtime"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
    }

    @Test func aPackageThatDoesNotBreakIsCopiedUnchanged() throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let input = Repository.fixture("artifacts/function-clean.zip")
        let result = try Shiplint.run(["repair", input, "--target", "python3.13", "--output", folder + "/o.zip"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("nothing to repair"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/o.zip")) == Data(contentsOf: URL(fileURLWithPath: input)))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["o.zip"])
    }

    @Test func theDryRunPrintsTheExactPipCommandsAndWritesNothing() throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let result = try Shiplint.run([
            "repair", Repository.fixture("artifacts/function-windows.zip"), "--target", "python3.13", "--output", folder + "/o.zip", "--dry-run",
            "--python", "/nonexistent/python",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("pydantic_core 2.27.2 (pydantic_core-2.27.2.dist-info)"))
        #expect(result.stdout.contains("$ /nonexistent/python -m pip download --only-binary=:all: --no-deps --disable-pip-version-check --platform manylinux_2_34_x86_64"))
        #expect(result.stdout.contains("--python-version 3.13 --implementation cp --dest $SCRATCH/download-pydantic_core-2.27.2.dist-info pydantic_core==2.27.2 --no-cache-dir"))
        #expect(result.stdout.contains("-m pip install --no-deps --no-index --find-links $SCRATCH/download-pydantic_core-2.27.2.dist-info"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
    }

    @Test func aBinaryNoDistributionOwnsIsNotRepairedAndNothingIsWritten() throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // pkg/_glibc228….so needs glibc 2.28 and no .dist-info lists it: there is nothing to ask pip for.
        let (status, report) = try Shiplint.json([
            "repair", Repository.fixture("artifacts/function-glibc228.zip"), "--target", "python3.11", "--output", folder + "/o.zip",
        ])
        #expect(status == 1)
        #expect(report["written"] as? Bool == false)
        let unowned = try #require(report["unowned"] as? [[String: Any]])
        #expect(unowned.map { $0["path"] as? String } == ["pkg/_glibc228.cpython-311-x86_64-linux-gnu.so"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
        // --partial writes what could be repaired: here nothing, so the input unchanged.
        let partial = try Shiplint.run([
            "repair", Repository.fixture("artifacts/function-glibc228.zip"), "--target", "python3.11", "--output", folder + "/o.zip", "--partial",
        ])
        #expect(partial.status == 1)
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/o.zip")) == Data(contentsOf: URL(fileURLWithPath: Repository.fixture("artifacts/function-glibc228.zip"))))
    }
}
