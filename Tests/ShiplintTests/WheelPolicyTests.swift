import Foundation
@testable import ShiplintChecks
import ShiplintFacts
import ShiplintTargets
import Testing

/// Wheel-policy targets judged as pypa/auditwheel judges: each test builds on a fixture from the recipe
/// (fixtures/Makefile, bin/policy) and cites the auditwheel test (tests/integration, commit 86154d1) it mirrors.
@Suite struct WheelPolicyTests {
    static let policy = "bin/policy/"

    /// `scan --format json` of one fixture: exit status and (check, message, fix) of each finding.
    func scan(_ fixture: String, target: String) throws -> (status: Int32, findings: [(check: String, message: String, fix: String)]) {
        let (status, object) = try Shiplint.json(["scan", Repository.fixture(Self.policy + fixture), "--target", target])
        let artifacts = object["artifacts"] as? [[String: Any]] ?? []
        let findings = (artifacts.first?["findings"] as? [[String: Any]] ?? []).map { finding in
            (finding["check"] as? String ?? "", finding["message"] as? String ?? "", finding["fix"] as? String ?? "")
        }
        return (status, findings)
    }

    /// test_bundled_wheels.py::test_symbol_blacklist: testzlib imports zcalloc@ZLIB_1.2.0 and zcfree@ZLIB_1.2.0,
    /// which the table's blacklist for libz.so.1 lists, so no manylinux policy fits (`linux_x86_64`).
    @Test(arguments: ["manylinux2014-x86_64", "manylinux_2_28-x86_64", "manylinux_2_34-x86_64"])
    func zlibBlacklist(target: String) throws {
        let result = try scan("testzlib.cpython-310-x86_64-linux-gnu.so", target: target)
        #expect(result.status == 1)
        #expect(result.findings.map(\.check) == ["blacklisted-symbol"])
        let message = try #require(result.findings.first?.message)
        #expect(message.hasPrefix("imports zcalloc, zcfree from libz.so.1, which the "))
        #expect(result.findings.first?.fix.contains("auditwheel repair --plat") == true)
    }

    /// The whole wheel, as auditwheel's test_symbol_blacklist reads it: the finding is on the module's path inside.
    @Test func zlibWheel() throws {
        let result = try Shiplint.run(["scan", Repository.fixture(Self.policy + "testzlib-0.0.1-cp310-cp310-linux_x86_64.whl"), "--target", "manylinux2014-x86_64"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("  testzlib/testzlib.cpython-310-x86_64-linux-gnu.so\n    error[blacklisted-symbol] imports zcalloc, zcfree from libz.so.1"))
    }

    /// auditwheel's spam-0.1.0-cp313-cp313-android_24_arm64_v8a.whl (test_android.py) was called musl on main.
    @Test(arguments: ["manylinux2014-aarch64", "aws-lambda-python3.13-arm64"])
    func androidWheel(target: String) throws {
        let result = try Shiplint.run(["scan", Repository.fixture(Self.policy + "spam-0.1.0-cp313-cp313-android_24_arm64_v8a.whl"), "--target", target])
        #expect(result.status == 1)
        #expect(result.stdout.contains("  spam/spam.cpython-313-aarch64-linux-android.so\n    error[android-binary] built for Android (Bionic libc): an Android note (API level 24)"))
        #expect(!result.stdout.contains("musl-binary"))
    }

    /// The same module on a Lambda target: no blacklist there (zlib is the runtime's, the loader judges).
    @Test func zlibOnLambda() throws {
        let result = try scan("testzlib.cpython-310-x86_64-linux-gnu.so", target: "aws-lambda-provided.al2023-x86_64")
        #expect(!result.findings.map(\.check).contains("blacklisted-symbol"))
    }

    /// test_bundled_wheels.py::test_analyze_wheel_abi_pyfpe: fpewheel needs PyFPE_jbuf (a CPython built
    /// --with-fpectl), so auditwheel expects `linux_x86_64` and its show says "uses the PyFPE_jbuf function".
    @Test func pyfpeOnWheelPolicy() throws {
        let result = try scan("fpe.cpython-35m-x86_64-linux-gnu.so", target: "manylinux2014-x86_64")
        #expect(result.status == 1)
        #expect(result.findings.map(\.check) == ["python-abi-mismatch"])
        let message = try #require(result.findings.first?.message)
        #expect(message.contains("it needs PyFPE_jbuf, PyFPE_counter, PyFPE_dummy, which only a CPython built --with-fpectl exports"))
        #expect(message.contains("`undefined symbol: PyFPE_jbuf`"))
    }

    /// The same module in a python3.13 function: the file-name rules would also fire (cpython-35m), the symbols
    /// are the reason given first.
    @Test func pyfpeOnLambda() throws {
        let result = try scan("fpe.cpython-35m-x86_64-linux-gnu.so", target: "aws-lambda-python3.13-x86_64")
        #expect(result.findings.first { $0.check == "python-abi-mismatch" }?.message.contains("PyFPE_jbuf") == true)
    }

    /// test_manylinux.py::test_glibc_blacklist (aarch64) relies on manylinux2014's aarch64 set, which has
    /// GLIBC_2.18 (2.0, 2.17, 2.18); its x86_64 set stops at GLIBC_2.17.
    @Test func glibc218IsAllowedOnAarch64Only() throws {
        let aarch64 = try scan("_glibc218.cpython-313-aarch64-linux-gnu.so", target: "manylinux2014-aarch64")
        #expect(aarch64.status == 0)
        #expect(aarch64.findings.isEmpty)
        let x86 = try scan("_glibc218.cpython-313-x86_64-linux-gnu.so", target: "manylinux2014-x86_64")
        #expect(x86.status == 1)
        #expect(x86.findings.map(\.check) == ["glibc-too-new"])
        #expect(x86.findings.first?.message == "needs GLIBC_2.18 (from libc.so.6); the manylinux2014 x86_64 policy (manylinux_2_17) allows only GLIBC_2.2.5 … GLIBC_2.17 (20 versions)")
    }

    /// test_android.py::test_analyze_wheel_abi: spam's extension is Bionic (libc.so, the Android note), its own
    /// policy family (android_24_arm64_v8a), never musl.
    @Test(arguments: ["manylinux2014-aarch64", "aws-lambda-python3.13-arm64", "aws-lambda-provided.al2023-arm64"])
    func androidIsNotMusl(target: String) throws {
        let result = try scan("spam.cpython-313-aarch64-linux-android.so", target: target)
        #expect(result.status == 1)
        let checks = result.findings.map(\.check)
        #expect(checks.first == "android-binary")
        #expect(!checks.contains("musl-binary"))
        #expect(!checks.contains("missing-library"), "libc.so is the Android libc, android-binary says it")
        #expect(result.findings.first?.message.hasPrefix("built for Android (Bionic libc): an Android note (API level 24)") == true)
    }

    /// test_bundled_wheels.py::test_libpython: an extension linked against libpython3.13.so.1.0 is told not to link
    /// libpython (auditwheel repair removes the dependency), never to ship it.
    @Test func libpythonIsNotShipped() throws {
        let result = try scan("_linkspy.cpython-313-x86_64-linux-gnu.so", target: "manylinux2014-x86_64")
        let finding = try #require(result.findings.first { $0.check == "missing-library" })
        #expect(finding.message.hasPrefix("needs libpython3.13.so.1.0"))
        #expect(finding.fix.hasPrefix("Do not link the extension against libpython3.13.so.1.0 and do not ship it"))
        #expect(!finding.fix.contains("/var/task/lib"))
    }

    /// On a wheel policy, missing-library says vendor with auditwheel; on Lambda, ship it in lib/.
    @Test func missingLibraryFixByTargetKind() throws {
        let module = SampleBinary.elf("cv2/cv2.abi3.so", needed: ["libfoo.so.9", "libc.so.6"])
        let artifact = Artifact(path: "w.whl", kind: .zip, entries: [], binaries: [module], problems: [])
        func fix(_ target: String) throws -> String {
            let context = DeploymentContext(function: artifact, layers: [], target: try TargetCatalog.builtIn.load(target))
            return try #require(Check.missingLibrary.verdicts(context).first?.verdict.fix)
        }
        #expect(try fix("manylinux2014-x86_64").hasPrefix("Vendor it into the wheel: `auditwheel repair --plat manylinux2014_x86_64 dist/*.whl` copies libfoo.so.9"))
        #expect(try fix("aws-lambda-python3.13-x86_64").hasPrefix("Ship libfoo.so.9 with the package: in the function's lib/ folder (/var/task/lib)"))
    }

    /// A musllinux wheel's module needs plain libc.so (pydantic_core's musllinux_1_1 wheel does): musl's libc,
    /// which musllinux_1_2 allows (auditwheel's whitelist names libc.so), so it is not a missing library.
    @Test func musllinuxLibcIsPresent() throws {
        let module = SampleBinary.elf("pydantic_core/_pydantic_core.cpython-313-x86_64-linux-musl.so", needed: ["libgcc_s-1e52349c.so.1", "libc.so"], versionNeeds: [])
        let artifact = Artifact(path: "w.whl", kind: .zip, entries: [], binaries: [module], problems: [])
        let context = DeploymentContext(function: artifact, layers: [], target: try TargetCatalog.builtIn.load("musllinux_1_2-x86_64"))
        #expect(!Check.missingLibrary.verdicts(context).map(\.verdict.message).contains { $0.hasPrefix("needs libc.so,") })
    }

    /// Every binary check's fix, on the same facts, for a Lambda target and a wheel-policy target: the wheel fix
    /// never sends the user to /var/task or a Lambda image, the Lambda fix never to `auditwheel repair --plat`.
    @Test(arguments: [
        ("windows-binary", SampleBinary.pe("pkg/_mod.cp313-win_amd64.pyd")),
        ("darwin-binary", SampleBinary.macho("pkg/_mod.cpython-313-darwin.so")),
        ("wrong-arch", SampleBinary.elf("pkg/_mod.abi3.so", arch: "aarch64", machine: 183)),
        ("musl-binary", SampleBinary.elf("pkg/_mod.abi3.so", needed: ["libc.musl-x86_64.so.1"], versionNeeds: [])),
        ("android-binary", SampleBinary.elf("pkg/_mod.abi3.so", needed: ["libc.so"], versionNeeds: [], androidAPILevel: 24)),
        ("glibc-too-new", SampleBinary.elf("pkg/_mod.abi3.so", versionNeeds: [VersionNeed(file: "libc.so.6", names: ["GLIBC_2.38"])])),
        ("libstdcxx-too-new", SampleBinary.elf("pkg/_mod.abi3.so", needed: ["libstdc++.so.6"], versionNeeds: [VersionNeed(file: "libstdc++.so.6", names: ["GLIBCXX_3.4.34"])])),
        ("missing-library", SampleBinary.elf("pkg/_mod.abi3.so", needed: ["libfoo.so.9", "libc.so.6"])),
        ("exec-stack", SampleBinary.elf("pkg/_mod.abi3.so", executableStack: true)),
        ("python-abi-mismatch", SampleBinary.elf("pkg/_mod.abi3.so", symbols: SampleBinary.imports(["PyFPE_jbuf"]))),
    ])
    func fixByTargetKind(check id: String, binary: Binary) throws {
        let check = try #require(CheckRegistry.check(id: id))
        func fix(_ target: String) throws -> String {
            let artifact = Artifact(path: "w.zip", kind: .zip, entries: [], binaries: [binary], problems: [])
            let context = DeploymentContext(function: artifact, layers: [], target: try TargetCatalog.builtIn.load(target))
            return try #require(check.verdicts(context).first?.verdict.fix, "\(id) does not fire on \(target)")
        }
        let wheel = try fix("manylinux2014-x86_64")
        #expect(!wheel.contains("/var/task") && !wheel.contains("public.ecr.aws") && !wheel.contains("function"), "\(id): \(wheel)")
        #expect(wheel.contains("auditwheel") || wheel.contains("quay.io/pypa") || wheel.contains("-z,noexecstack"), "\(id): \(wheel)")
        let lambda = try fix("aws-lambda-python3.13-x86_64")
        #expect(!lambda.contains("auditwheel repair --plat") && !lambda.contains("quay.io/pypa"), "\(id): \(lambda)")
    }

    /// A custom wheel-policy file is read as strictly as the rest: a wrong type names its key path, exit status 2.
    @Test(arguments: [
        ("[wheel-policy.symbol-versions]\nGLIBC = \"2.17\"\n", "at 'wheel-policy.symbol-versions.GLIBC': expected an array of strings, found a string"),
        ("[wheel-policy.blacklist]\n\"libz.so.1\" = [\"zcalloc\", 1]\n", "at 'wheel-policy.blacklist.libz.so.1[1]': expected a string, found an integer"),
        ("[wheel-policy]\nnmae = \"x\"\n", "at 'wheel-policy.nmae': unknown key (allowed here: blacklist, name, symbol-versions)"),
    ])
    func badWheelPolicyIsNamed(tail: String, message: String) throws {
        let folder = try BadRuleFileTests.write(["custom": "schema = 1\nname = \"custom\"\ndescription = \"d\"\nextends = \"manylinux2014-x86_64\"\n\n" + tail])
        let result = try Shiplint.run(["scan", Repository.fixture(Self.policy + "testzlib.cpython-310-x86_64-linux-gnu.so"), "--target", folder + "/custom.toml"])
        #expect(result.status == 2)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    /// The rule files carry the table's sets exactly, per arch (reference/manylinux-policy.json).
    @Test func policySetsAreTheTables() throws {
        let aarch64 = try #require(try TargetCatalog.builtIn.load("manylinux2014-aarch64").wheelPolicy)
        #expect(aarch64.name == "manylinux_2_17")
        #expect(aarch64.symbolVersions["GLIBC"] == ["2.0", "2.17", "2.18"])
        #expect(aarch64.symbolVersions["ZLIB"]?.contains("1.2.0") == true)
        #expect(aarch64.blacklist["libz.so.1"]?.contains("zcalloc") == true)
        let x86 = try #require(try TargetCatalog.builtIn.load("manylinux2014-x86_64").wheelPolicy)
        #expect(x86.symbolVersions["GLIBC"]?.count == 20)
        #expect(x86.allows("GLIBC_2.18") == false)
        #expect(x86.allows("CXXABI_TM_1") == true)
        #expect(x86.allows("OPENSSL_3.0.0") == nil)
        #expect(try TargetCatalog.builtIn.load("aws-lambda-python3.13-x86_64").kind == .lambda)
        #expect(try TargetCatalog.builtIn.load("musllinux_1_2-x86_64").kind == .wheelPolicy)
    }

    /// `inspect --symbols` lists what the loader binds: name@version from the file that defines it.
    @Test func inspectSymbols() throws {
        let path = Repository.fixture(Self.policy + "testzlib.cpython-310-x86_64-linux-gnu.so")
        let counts = try Shiplint.run(["inspect", path])
        #expect(counts.stdout.contains("symbols     4 imported, 1 exported (--symbols lists them)"))
        #expect(!counts.stdout.contains("zcalloc@"))
        let listed = try Shiplint.run(["inspect", path, "--symbols"])
        #expect(listed.stdout.contains("imports   zcalloc@ZLIB_1.2.0 from libz.so.1"))
        #expect(listed.stdout.contains("imports   zcfree@ZLIB_1.2.0 from libz.so.1"))
        #expect(listed.stdout.contains("exports   PyInit_testzlib"))
        let (status, object) = try Shiplint.json(["inspect", path])
        #expect(status == 0)
        let binary = try #require(((object["artifacts"] as? [[String: Any]])?.first?["binaries"] as? [[String: Any]])?.first)
        #expect(binary["libc"] as? String == "glibc")
        let symbols = binary["symbols"] as? [[String: Any]] ?? []
        let zcalloc = try #require(symbols.first { $0["name"] as? String == "zcalloc" })
        #expect(zcalloc["version"] as? String == "ZLIB_1.2.0")
        #expect(zcalloc["file"] as? String == "libz.so.1")
        #expect(zcalloc["defined"] as? Bool == false)
    }

    /// The libc each fixture was built for, from the loader view (the Android note is read from PT_NOTE).
    @Test func libcIdentity() throws {
        func libc(_ fixture: String) throws -> String? {
            let (_, object) = try Shiplint.json(["inspect", Repository.fixture(fixture)])
            let binary = ((object["artifacts"] as? [[String: Any]])?.first?["binaries"] as? [[String: Any]])?.first
            return binary?["libc"] as? String
        }
        #expect(try libc(Self.policy + "spam.cpython-313-aarch64-linux-android.so") == "bionic")
        #expect(try libc("bin/elf/_musl.cpython-313-x86_64-linux-musl.so") == "musl")
        #expect(try libc("bin/elf/bootstrap-musl") == "musl")
        #expect(try libc("bin/elf/_clean.cpython-313-x86_64-linux-gnu.so") == "glibc")
    }
}
