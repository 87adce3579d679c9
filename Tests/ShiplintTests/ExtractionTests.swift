import Foundation
import ShiplintFacts
import ShiplintReading
import Testing

/// The files as the extractors write them (issue 21): each archive of `fixtures/artifacts/extraction` (recipe
/// `src/tools/extraction_archives.py`) hides a macOS or Windows module where the listing shows something harmless;
/// Info-ZIP unzip and Python's zipfile (or tarfile) write the module, and the gate fails on it, at the path written,
/// with a message that says what happened. The archive differential test (`make differential`) checks the same
/// rules against the real extractors over thousands of variants.
@Suite struct ExtractionTests {
    static let target = "aws-lambda-python3.13-x86_64"
    static let module = "pkg/_m.cpython-313-x86_64-linux-gnu.so"

    static func scan(_ name: String) throws -> CommandResult {
        try Shiplint.run(["scan", Repository.fixture("artifacts/extraction/" + name), "--target", target])
    }

    /// A finding `check` at `path` whose message contains `fragment`, in the text report.
    static func expectFinding(_ result: CommandResult, _ check: String, at path: String, _ fragment: String) {
        guard let block = result.stdout.components(separatedBy: "\n  " + path + "\n").dropFirst().first else {
            Issue.record("no findings at \(path): \(result.stdout)")
            return
        }
        let lines = block.components(separatedBy: "\n").prefix { $0.hasPrefix("    ") }
        #expect(lines.contains { $0.contains("[\(check)]") && $0.contains(fragment) }, "\(check) at \(path) with '\(fragment)': \(result.stdout)")
    }

    @Test func moduleLinkedToAMachOBlobIsJudgedByWhatItLeadsTo() throws {
        let result = try Self.scan("symlink-to-macho.zip")
        #expect(result.status == 1)
        Self.expectFinding(result, "darwin-binary", at: Self.module, "this path is a link to 'pkg/blob.dat', which is what the runtime loads")
        let artifact = try readArtifact("artifacts/extraction/symlink-to-macho.zip")
        #expect(artifact.entries.first { $0.path == Self.module }?.type == .symlink(target: "blob.dat"))
        #expect(artifact.binaries.first { $0.path == Self.module }?.linkTarget == "pkg/blob.dat")
    }

    @Test func nameCutAtNulIsJudgedAsWrittenAndSaid() throws {
        let result = try Self.scan("name-with-nul.zip")
        #expect(result.status == 1)
        Self.expectFinding(result, "darwin-binary", at: Self.module, "macOS Mach-O")
        Self.expectFinding(result, "extraction-mismatch", at: Self.module, "cut it at the NUL byte")
        let artifact = try readArtifact("artifacts/extraction/name-with-nul.zip")
        #expect(artifact.problems.map(\.kind) == [.nameCutAtNul])
    }

    @Test func folderAttributesOnAnEntryWithDataMakeAFile() throws {
        let result = try Self.scan("directory-with-data.zip")
        #expect(result.status == 1)
        Self.expectFinding(result, "darwin-binary", at: Self.module, "macOS Mach-O")
        Self.expectFinding(result, "extraction-mismatch", at: Self.module, "marks it as a folder, but it holds 50080 bytes")
    }

    @Test func zipAfterASelfExtractorStubIsRead() throws {
        let result = try Self.scan("prepended-stub.zip")
        #expect(result.status == 1)
        #expect(result.stdout.contains("prepended-stub.zip  (zip, 2 entries, 1 binary)"), "\(result.stdout)")
        Self.expectFinding(result, "windows-binary", at: "pkg/_m.cp313-win_amd64.pyd", "Windows PE DLL")
    }

    @Test func unicodePathFieldNamingAModuleIsJudgedUnderBothNames() throws {
        let result = try Self.scan("unicode-path-module.zip")
        #expect(result.status == 1)
        Self.expectFinding(result, "extraction-mismatch", at: "README.txt", "Unicode Path extra field names it '\(Self.module)': unzip writes it there")
        Self.expectFinding(result, "darwin-binary", at: Self.module, "macOS Mach-O")
    }

    @Test func tarDevicesAndPipesNamedLikeLibrariesAreFindings() throws {
        let result = try Shiplint.run(["scan", Repository.fixture("artifacts/extraction/special-files.tar"), "--target", Self.target, "--format", "json"])
        #expect(result.status == 1)
        // One cause in one folder: one finding listing each file with what it is.
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let findings = try #require(((json["artifacts"] as? [[String: Any]])?.first?["findings"]) as? [[String: Any]])
        let files = findings.filter { $0["check"] as? String == "unreadable-entry" }.flatMap { $0["files"] as? [[String: String]] ?? [] }
        let said = Dictionary(files.map { ($0["path"] ?? "", $0["message"] ?? "") }, uniquingKeysWith: { first, _ in first })
        #expect(said["lib/libchar.so"]?.hasPrefix("a character device named like a binary") == true, "\(result.stdout)")
        #expect(said["lib/libblock.so.1"]?.hasPrefix("a block device named like a binary") == true, "\(result.stdout)")
        #expect(said["lib/libfifo.so"]?.hasPrefix("a FIFO (named pipe) named like a binary") == true, "\(result.stdout)")
    }

    /// A ZIP named `.zip` whose end record is gone (cut after a stub) is refused, as unzip and zipfile refuse it, not
    /// read as the stub.
    @Test func truncatedZipBehindAStubIsRefused() throws {
        let folder = try ZipDirectTests.makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let whole = try Data(contentsOf: URL(fileURLWithPath: Repository.fixture("artifacts/extraction/prepended-stub.zip")))
        let cut = folder + "/cut.zip"
        try whole.prefix(whole.count - 30).write(to: URL(fileURLWithPath: cut))
        let result = try Shiplint.run(["scan", cut, "--target", Self.target])
        #expect(result.status == 2)
        #expect(result.stderr.contains("named like a ZIP, but no ZIP end record was found"), "\(result.stderr)")
    }

    /// A link to `pkg/blob.dat` whose file is stored as `pkg\blob.dat`: unzip writes the backslash as a folder
    /// separator, so the link leads to the Mach-O module and is judged by it (found by the archive differential test).
    @Test func linkToANameStoredWithABackslashLeadsWhereUnzipWritesIt() throws {
        let folder = try ZipDirectTests.makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let zip = folder + "/backslash.zip"
        let script = #"""
            import sys, zipfile
            with zipfile.ZipFile(sys.argv[1], "w") as z:
                link = zipfile.ZipInfo(sys.argv[3], (2020, 1, 1, 0, 0, 0))
                link.create_system, link.external_attr = 3, 0o120777 << 16
                z.writestr(link, "blob.dat")
                blob = zipfile.ZipInfo("pkg\\blob.dat", (2020, 1, 1, 0, 0, 0))
                blob.create_system, blob.external_attr = 3, 0o100644 << 16
                z.writestr(blob, open(sys.argv[2], "rb").read())
            """#
        let result = try runProgram("/usr/bin/env", ["python3", "-c", script, zip, Repository.fixture("bin/macho/_mod.cpython-313-darwin.so"), Self.module])
        #expect(result.status == 0, "\(result.stderr)")
        let artifact = try ArtifactReader().read(path: zip)
        #expect(artifact.binaries.first { $0.path == Self.module }?.linkTarget == "pkg\\blob.dat")
        let scan = try Shiplint.run(["scan", zip, "--target", Self.target])
        #expect(scan.status == 1)
        Self.expectFinding(scan, "darwin-binary", at: Self.module, "this path is a link to 'pkg\\blob.dat'")
    }

    /// Several entries written to one path (`lib//x.so`, `./lib/x.so`): only the last is on disk, and only it is judged.
    @Test func onlyTheLastOfRepeatedNamesIsJudged() throws {
        let folder = try ZipDirectTests.makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let zip = folder + "/repeated.zip"
        let script = #"""
            import sys, zipfile
            with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
                for name, source in (("lib//libx.so", sys.argv[2]), ("./lib/libx.so", sys.argv[3])):
                    info = zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0))
                    info.external_attr, info.compress_type = 0o100755 << 16, zipfile.ZIP_DEFLATED
                    z.writestr(info, open(source, "rb").read())
            """#
        let result = try runProgram("/usr/bin/env", [
            "python3", "-c", script, zip, Repository.fixture("bin/macho/_mod.cpython-313-darwin.so"),
            Repository.fixture("bin/elf/_clean.cpython-313-x86_64-linux-gnu.so"),
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let artifact = try ArtifactReader().read(path: zip)
        #expect(artifact.binaries.map(\.path) == ["./lib/libx.so"])
        #expect(artifact.problems.map(\.kind) == [.duplicateName])
        #expect(artifact.problems.first?.message.contains("2 entries are written to 'lib/libx.so'") == true)
    }
}
