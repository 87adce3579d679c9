import Foundation
import Testing

/// The ELF differential's committed reproducers (differential/elf/corpus/cases.json): variants that once disagreed
/// with glibc's ld.so, each scanned as the module it was made from. `make differential-elf` judges the same files with
/// the loader itself; these say what a user sees: the finding, its path and the fact it names.
@Suite struct ElfDifferentialCorpusTests {
    static let module = "_clean.cpython-313-x86_64-linux-gnu.so"
    static let loaderChecks: Set<String> = ["corrupt-binary", "not-loadable", "missing-library", "missing-symbol-version", "undefined-symbol"]

    /// A folder holding `bytes` as `name`.
    static func folder(_ name: String, _ bytes: Data) throws -> String {
        let folder = Scratch.url("shiplint-elf-corpus")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try bytes.write(to: folder.appendingPathComponent(name))
        return folder.path
    }

    /// The findings of `folder` scanned against this machine as run.py describes it (host-target.toml, glibc 2.36;
    /// of its libraries, glibc's libc.so.6 and libm.so.6).
    static func scannedOnThisMachine(_ folder: String) throws -> [[String: Any]] {
        let target = folder + ".toml"
        let template = try String(contentsOfFile: Repository.root + "/differential/elf/host-target.toml", encoding: .utf8)
        try template.replacingOccurrences(of: "@GLIBC@", with: "2.36").replacingOccurrences(of: "@SONAMES@", with: "\"libc.so.6\", \"libm.so.6\"")
            .replacingOccurrences(of: "@PYTHON_TLS@", with: "false")
            .write(toFile: target, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: target) }
        return try findings(["scan", folder, "--target", target])
    }

    static func corpus(_ file: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: Repository.root + "/differential/elf/corpus/" + file))
    }

    static func findings(_ arguments: [String]) throws -> [[String: Any]] {
        let result = try Shiplint.run(arguments + ["--format", "json"])
        let report = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        return ((report?["artifacts"] as? [[String: Any]]) ?? []).flatMap { ($0["findings"] as? [[String: Any]]) ?? [] }
    }

    /// p_filesz reaches a page past the end of the file, but the next PT_LOAD maps over it: ld.so loads the module.
    @Test func segmentPastTheEndOfTheFileCoveredByTheNextOneLoads() throws {
        let folder = try Self.folder(Self.module, Self.corpus("segment-filesz-past-eof.so"))
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let found = try Self.findings(["scan", folder, "--target", "aws-lambda-python3.13-x86_64"])
        let refusals = found.filter { Self.loaderChecks.contains($0["check"] as? String ?? "") }
        #expect(refusals.isEmpty, "\(refusals)")
        // The reader read the whole file: the module's needs are there.
        let inspect = try Shiplint.run(["inspect", folder + "/" + Self.module, "--format", "json"])
        #expect(inspect.status == 0)
        #expect(inspect.stdout.contains("\"libc.so.6\""), "\(inspect.stdout)")
    }

    /// DT_VERNEED retagged away, DT_VERSYM kept: binding malloc (version index 2) reads l_versions, a null pointer.
    @Test func versionIndexWithoutVersionsIsCorrupt() throws {
        let folder = try Self.folder(Self.module, Self.corpus("versym-without-versions.so"))
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let found = try Self.findings(["scan", folder, "--target", "aws-lambda-python3.13-x86_64"])
        let hit = found.first { $0["check"] as? String == "corrupt-binary" && $0["path"] as? String == Self.module }
        #expect(hit != nil, "\(found.map { $0["check"] ?? "" })")
        let message = hit?["message"] as? String ?? ""
        #expect(message.contains("relocation 0 of DT_JMPREL binds symbol 1 with version index 2 (DT_VERSYM)"), "\(message)")
        #expect(message.contains("null pointer"), "\(message)")
        #expect(hit?["severity"] as? String == "error")
    }

    /// PyModule_Create2@GLIBC_2.14 (DT_VERSYM moved) with the object's own DT_GNU_HASH at 0 (corpus case
    /// versioned-import-answered-by-cpython): on a Python runtime CPython's unversioned definition answers the
    /// versioned reference first (check_match: a need that is not hidden), so the lookup never reaches the damaged
    /// table; without CPython (provided.al2023) libc.so.6 does not define it, and the lookup faults there.
    @Test func versionedImportCPythonAnswersNeverReachesTheOwnTable() throws {
        let folder = try Self.folder(Self.module, Self.corpus("versioned-import-answered-by-cpython.so"))
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let python = try Self.findings(["scan", folder, "--target", "aws-lambda-python3.13-x86_64"])
        #expect(!python.contains { Self.loaderChecks.contains($0["check"] as? String ?? "") }, "\(python.map { $0["message"] ?? "" })")
        let provided = try Self.findings(["scan", folder, "--target", "provided.al2023"])
        let hit = provided.first { $0["check"] as? String == "not-loadable" && $0["path"] as? String == Self.module }
        let message = hit?["message"] as? String ?? ""
        #expect(message.contains("does not define PyModule_Create2@GLIBC_2.14"), "\(provided.map { $0["message"] ?? "" })")
        #expect(message.contains("in the object's own DT_GNU_HASH"), "\(message)")
    }

    /// A variant run.py makes of a library of this machine (Debian 12), written to a temporary file: its bytes.
    static func variant(of base: String, seed: Int, says mutation: String) throws -> Data {
        try #require(FileManager.default.fileExists(atPath: base), "\(base) (Debian 12) is the base of this reproducer")
        let written = Scratch.url("shiplint-variant", suffix: ".so").path
        defer { try? FileManager.default.removeItem(atPath: written) }
        let made = try runProgram("/usr/bin/python3", [
            "-c", "import sys; sys.path.insert(0, 'differential/elf'); import variants; "
                + "data, what = variants.variant(open(sys.argv[1], 'rb').read(), int(sys.argv[2])); "
                + "print(what); open(sys.argv[3], 'wb').write(data)",
            base, String(seed), written,
        ])
        try #require(made.stdout.contains(mutation), "\(made.stdout)\(made.stderr)")
        return try Data(contentsOf: URL(fileURLWithPath: written))
    }

    /// __gmon_start__ made STV_HIDDEN: its GOT slot gets the object's own address, and _init (DT_INIT) calls it.
    @Test func profilingHookBoundLocallyIsCorrupt() throws {
        let bytes = try Self.variant(of: "/usr/lib/x86_64-linux-gnu/libutil.so.1", seed: 101007759, says: "symbol st_other")
        let file = "_gmon.cpython-313-x86_64-linux-gnu.so"
        let folder = try Self.folder(file, bytes)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let found = try Self.findings(["scan", folder, "--target", "aws-lambda-python3.13-x86_64"])
        let hit = found.first { $0["check"] as? String == "corrupt-binary" && $0["path"] as? String == file }
        #expect(hit != nil, "\(found.map { $0["check"] ?? "" })")
        let message = hit?["message"] as? String ?? ""
        #expect(message.contains("fills the GOT slot of __gmon_start__, which binds locally (STV_HIDDEN)"), "\(message)")
        #expect(message.contains("DT_INIT (_init) calls it"), "\(message)")
    }

    /// DT_RELR without GLIBC_ABI_DT_RELR, and without DT_VERNEED: glibc 2.36 asks for the version only of an object
    /// that has DT_VERNEED. Made from this machine's libpthread.so.0 (Debian 12, packed with DT_RELR) as run.py makes it.
    /// Without DT_VERNEED, a symbol's version index (14) is past the records left (13): that is corrupt, the DT_RELR
    /// rule is not what refuses it.
    @Test func relrWithoutVersionNeedsIsNotTheDTRelrRuleOnGlibc236() throws {
        let bytes = try Self.variant(of: "/usr/lib/x86_64-linux-gnu/libpthread.so.0", seed: 11015220, says: "dynamic entry tag 0x6ffffffe retagged")
        let folder = try Self.folder("_relr.cpython-311-x86_64-linux-gnu.so", bytes)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let found = try Self.scannedOnThisMachine(folder)
        #expect(!found.contains { $0["check"] as? String == "not-loadable" }, "\(found.map { $0["message"] ?? "" })")
        let corrupt = found.first { $0["check"] as? String == "corrupt-binary" }?["message"] as? String ?? ""
        #expect(corrupt.contains("with version index 14 (DT_VERSYM), past the highest index the file's version records give (13)"), "\(corrupt)")
    }

    /// DT_RELA of 0 (corpus case rela-zero): glibc 2.36 and later take it for no table and apply DT_JMPREL alone
    /// (elf/dynamic-link.h), so this machine's ld.so loads it; glibc before 2.36 adds the load address to it
    /// (elf/get-dynamic-info.h) and applies the ELF header as relocations, the second of which has type 0x40 (e_phoff).
    /// Judged by the target's glibc: nothing on 2.36, not-loadable on Amazon Linux 2 (2.26) and 2023 (2.34).
    @Test func relaOfZeroIsJudgedByTheTargetsGlibc() throws {
        let bytes = try Self.variant(of: "/usr/lib/x86_64-linux-gnu/librt.so.1", seed: 401012398, says: "dynamic entry 0x7 value 0x800 -> 0x0")
        let file = "_relazero.cpython-311-x86_64-linux-gnu.so"
        let folder = try Self.folder(file, bytes)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let here = try Self.scannedOnThisMachine(folder)
        #expect(!here.contains { Self.loaderChecks.contains($0["check"] as? String ?? "") }, "\(here.map { $0["message"] ?? "" })")
        for (target, glibc) in [("aws-lambda-python3.11-x86_64", "2.26"), ("aws-lambda-python3.12-x86_64", "2.34")] {
            let found = try Self.findings(["scan", folder, "--target", target])
            let hit = found.first { $0["check"] as? String == "not-loadable" && $0["path"] as? String == file }
            let message = hit?["message"] as? String ?? ""
            #expect(message.contains("unexpected reloc type 0x40"), "\(target): \(found.map { $0["message"] ?? "" })")
            #expect(message.contains("its DT_RELA is 0: glibc before 2.36"), "\(target): \(message)")
            #expect(message.contains("judged by glibc \(glibc)"), "\(target): \(message)")
            #expect(!found.contains { $0["check"] as? String == "corrupt-binary" }, "\(target)")
        }
    }

    /// One reproducer of corpus/cases.json and what a user must see scanning it against this machine: the loader
    /// check that fires on the file (none for a variant the loader loads, or whose own code faults), and words of its
    /// message that name the fact.
    struct Reproducer: Decodable, Sendable, CustomTestStringConvertible {
        struct Expect: Decodable, Sendable {
            let check: String?
            let mentions: [String]
            let absent: [String]?
        }
        let `case`: String
        let file: String?
        let base: String
        let seed: Int
        let mutation: String
        let loader: String
        let expect: Expect
        var testDescription: String { self.case }
    }

    static let reproducers: [Reproducer] = {
        let url = URL(fileURLWithPath: Repository.root + "/differential/elf/corpus/cases.json")
        return (try? JSONDecoder().decode([Reproducer].self, from: Data(contentsOf: url))) ?? []
    }()

    @Test func everyReproducerSaysWhatItExpects() {
        #expect(Self.reproducers.count >= 18, "corpus/cases.json could not be read, or lost cases")
    }

    /// Each reproducer scanned as a CPython 3.11 module against this machine (host-target.toml with glibc 2.36, as
    /// run.py judges it): the finding's check, its path, and the fact in its message.
    @Test(arguments: reproducers) func reproducerIsJudgedAsTheLoaderDoes(_ reproducer: Reproducer) throws {
        let bytes = try reproducer.file.map { try Self.corpus($0) }
            ?? Self.variant(of: "/usr/lib/x86_64-linux-gnu/" + reproducer.base, seed: reproducer.seed, says: reproducer.mutation)
        let file = "_corpus.cpython-311-x86_64-linux-gnu.so"
        let folder = try Self.folder(file, bytes)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let found = try Self.scannedOnThisMachine(folder)
        let loaderErrors = found.filter {
            Self.loaderChecks.contains($0["check"] as? String ?? "") && $0["severity"] as? String == "error"
        }
        guard let check = reproducer.expect.check else {
            #expect(loaderErrors.isEmpty, "\(reproducer.case): \(loaderErrors.map { $0["message"] ?? "" })")
            return
        }
        let hit = loaderErrors.first { $0["check"] as? String == check && $0["path"] as? String == file }
        #expect(hit != nil, "\(reproducer.case): \(found.map { "\($0["check"] ?? ""): \($0["message"] ?? "")" })")
        let message = hit?["message"] as? String ?? ""
        for words in reproducer.expect.mentions {
            #expect(message.contains(words), "\(reproducer.case): \(message)")
        }
        for words in reproducer.expect.absent ?? [] {
            #expect(!found.contains { ($0["message"] as? String ?? "").contains(words) }, "\(reproducer.case): \(words)")
        }
    }
}
