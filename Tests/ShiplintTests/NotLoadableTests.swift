import Foundation
import Testing

/// Each class of ELF file issue #21 measured passing the gate although glibc's ld.so refuses it, built by the fixture
/// recipe (fixtures/src/tools/not_loadable.py): the gate now fails, in the loader's words, by the target's glibc.
@Suite struct NotLoadableTests {
    static let module = ".cpython-313-x86_64-linux-gnu.so"

    @Test(arguments: [
        ("_pie", "not-loadable", "cannot dynamically load position-independent executable"),
        ("_exec", "not-loadable", "cannot dynamically load executable"),
        ("_freebsd", "not-loadable", "ELF file OS ABI invalid\": EI_OSABI is 9 (FreeBSD)"),
        ("_abiversion4", "not-loadable", "ELF file ABI version invalid\": EI_ABIVERSION is 4; glibc 2.34 on x86_64 accepts 0 to 3"),
        ("_eversion2", "not-loadable", "ELF file version does not match current one"),
        ("_decoy", "missing-library", "needs libfoo.so.1"),
        ("_vnahash", "not-loadable", "version `GLIBC_2.2.5' not found (required by _vnahash.cpython-313-x86_64-linux-gnu.so)"),
        ("_renamed", "python-init-missing", "dynamic module does not define module export function (PyInit__renamed)"),
    ])
    func refusedModuleFailsTheGate(stem: String, check: String, words: String) throws {
        let file = stem + Self.module
        let result = try Shiplint.run([
            "scan", Repository.fixture("bin/notloadable/" + file), "--target", "aws-lambda-python3.13-x86_64", "--format", "json",
        ])
        #expect(result.status == 1)
        let report = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let findings = ((report?["artifacts"] as? [[String: Any]])?.first?["findings"] as? [[String: Any]]) ?? []
        let hit = findings.first { $0["check"] as? String == check && $0["path"] as? String == file }
        #expect(hit != nil, "\(file): \(findings.map { $0["check"] ?? "" })")
        #expect((hit?["message"] as? String)?.contains(words) == true, "\(hit?["message"] ?? "")")
        #expect(hit?["severity"] as? String == "error")
    }

    /// A vd_next that points back is 4 GiB forward for the loader (the field is unsigned): it faults.
    @Test func versionDefinitionChainBackIsCorrupt() throws {
        let result = try Shiplint.run([
            "scan", Repository.fixture("bin/notloadable/libvdloop.so.1"), "--target", "aws-lambda-provided.al2023-x86_64",
        ])
        #expect(result.status == 1)
        #expect(result.stdout.contains("error[corrupt-binary]"), "\(result.stdout)")
        #expect(result.stdout.contains("(DT_VERDEF): the loader reads it there and faults"))
    }

    /// glibc 2.26 (Amazon Linux 2) still dlopens a PIE program: refused only since glibc 2.30.
    @Test func pieIsJudgedByTheTargetsGlibc() throws {
        let al2 = try Shiplint.run([
            "scan", Repository.fixture("bin/notloadable/_pie" + Self.module), "--target", "aws-lambda-python3.11-x86_64",
        ])
        #expect(!al2.stdout.contains("not-loadable"), "\(al2.stdout)")
    }

    /// A program whose PT_DYNAMIC lies in a read-only PT_LOAD: ld.so writes r_debug's address into its DT_DEBUG value
    /// (elf_setup_debug_entry) and the program dies before main; without DT_DEBUG nothing writes there (an ET_EXEC's
    /// table addresses are never adjusted in place: its load address is 0) and it runs. Both confirmed by running them.
    @Test func programWritesDTDebugIntoItsDynamicTable() throws {
        let faults = try Shiplint.run([
            "scan", Repository.fixture("bin/notloadable/bootstrap-readonly-dynamic"), "--target", "aws-lambda-provided.al2023-x86_64",
        ])
        #expect(faults.status == 1)
        #expect(faults.stdout.contains("error[corrupt-binary]"), "\(faults.stdout)")
        #expect(faults.stdout.contains("ld.so writes the address of its r_debug into DT_DEBUG's value (dynamic entry 1, 0x202448)"), "\(faults.stdout)")
        #expect(!faults.stdout.contains("adds the load address"), "\(faults.stdout)")
        let runs = try Shiplint.run([
            "scan", Repository.fixture("bin/notloadable/bootstrap-readonly-dynamic-nodebug"), "--target", "aws-lambda-provided.al2023-x86_64",
        ])
        #expect(!runs.stdout.contains("corrupt-binary"), "\(runs.stdout)")
    }

    /// The DT_NEEDED string ends at the end of the file, without its NUL: the loader reads it from the mapped page (zeros
    /// after the file) and loads the module; the gate used to say "needs , …".
    @Test func neededNameEndingTheFileIsRead() throws {
        let result = try Shiplint.run([
            "inspect", Repository.fixture("bin/notloadable/_nonul" + Self.module), "--format", "json",
        ])
        #expect(result.status == 0)
        #expect(result.stdout.contains("\"libc.so.6\""), "\(result.stdout)")
        let scan = try Shiplint.run([
            "scan", Repository.fixture("bin/notloadable/_nonul" + Self.module), "--target", "aws-lambda-python3.13-x86_64",
        ])
        #expect(!scan.stdout.contains("missing-library"), "\(scan.stdout)")
        #expect(!scan.stdout.contains("corrupt-binary"), "\(scan.stdout)")
    }
}
