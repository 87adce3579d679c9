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

    /// A tar hard link to a folder, or to a name written with a trailing `/` (seed 7771 of the archive differential
    /// test, variants 323 and 3199): GNU tar cannot make it and exits with status 2, Python's tarfile copies the
    /// target; shiplint says so at the link's path and judges tarfile's copy. GNU tar and tarfile are run on the same
    /// archive, so the test fails if they stop behaving so.
    @Test func tarHardLinksGnuTarCannotMakeAreSaid() throws {
        let folder = try ZipDirectTests.makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let tar = folder + "/hard-links.tar"
        let script = #"""
            import io, sys, tarfile
            with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as t:
                def add(name, kind, link="", data=b"", mode=0o755):
                    info = tarfile.TarInfo(name)
                    info.type, info.linkname, info.size, info.mode = kind, link, len(data), mode
                    t.addfile(info, io.BytesIO(data) if data else None)
                add("pkg/_w.pyd/", tarfile.DIRTYPE)
                add("pkg/_m.cpython-313-x86_64-linux-gnu.so", tarfile.LNKTYPE, "pkg/_w.pyd/")
                add("lib/libx.so", tarfile.REGTYPE, data=open(sys.argv[2], "rb").read())
                add("lib/liby.so", tarfile.LNKTYPE, "lib/libx.so/")
            out = sys.argv[1] + ".tarfile"
            tarfile.open(sys.argv[1]).extractall(out, filter="tar")
            """#
        let made = try runProgram("/usr/bin/env", ["python3", "-c", script, tar, Repository.fixture("bin/macho/_mod.cpython-313-darwin.so")])
        #expect(made.status == 0, "tarfile extracts it: \(made.stderr)")
        try FileManager.default.createDirectory(atPath: folder + "/gnu", withIntermediateDirectories: true)
        let gnu = try runProgram("/usr/bin/env", ["tar", "-xf", tar, "-C", folder + "/gnu", "--no-same-owner"])
        #expect(gnu.status == 2 && gnu.stderr.contains("Cannot hard link to"), "GNU tar fails: \(gnu.stderr)")

        let result = try Shiplint.run(["scan", tar, "--target", Self.target])
        #expect(result.status == 1, "\(result.stdout)")
        Self.expectFinding(result, "extraction-mismatch", at: "pkg/_m.cpython-313-x86_64-linux-gnu.so", "a hard link to the folder 'pkg/_w.pyd/': GNU tar cannot make it")
        Self.expectFinding(result, "extraction-mismatch", at: "lib/liby.so", "a hard link to 'lib/libx.so/', a name ending in '/'")
        // tarfile's copy of the Mach-O module is judged at the link's path too.
        Self.expectFinding(result, "darwin-binary", at: "lib/libx.so", "macOS Mach-O")
        #expect(result.stdout.contains("the same in 1 more file of the folder lib/: lib/liby.so"), "\(result.stdout)")
    }

    /// Tars without the `ustar` magic that GNU tar and Python's tarfile read (seed 7771, variant 538: an archive with
    /// no entries, refused before as "not an artifact shiplint can read"): an empty archive (as GNU tar writes from
    /// an empty list) and a pre-POSIX (v7) one, both made by GNU tar; a file of zeros named like a library stays a
    /// damaged library.
    @Test func tarsWithoutUstarMagicAreRead() throws {
        let folder = try ZipDirectTests.makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let module = folder + "/pkg/" + Self.module.dropFirst(4)
        try FileManager.default.createDirectory(atPath: folder + "/pkg", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Repository.fixture("bin/macho/_mod.cpython-313-darwin.so"), toPath: module)
        #expect(try runProgram("/usr/bin/env", ["tar", "-cf", folder + "/empty.tar", "-T", "/dev/null"]).status == 0)
        #expect(try runProgram("/usr/bin/env", ["tar", "--format=v7", "-cf", folder + "/v7.tar", "-C", folder, "pkg"]).status == 0)
        try Data(count: 4096).write(to: URL(fileURLWithPath: folder + "/libzero.so"))

        let empty = try Shiplint.run(["scan", folder + "/empty.tar", "--target", Self.target])
        #expect(empty.status == 0 && empty.stdout.contains("(tar, 0 entries, 0 binaries)"), "\(empty.stdout)\(empty.stderr)")
        let v7 = try Shiplint.run(["scan", folder + "/v7.tar", "--target", Self.target])
        #expect(v7.status == 1, "\(v7.stdout)\(v7.stderr)")
        Self.expectFinding(v7, "darwin-binary", at: Self.module, "macOS Mach-O")
        let zeros = try Shiplint.run(["scan", folder + "/libzero.so", "--target", Self.target])
        #expect(zeros.status == 1, "\(zeros.stdout)\(zeros.stderr)")
        Self.expectFinding(zeros, "corrupt-binary", at: "libzero.so", "not an ELF, PE or Mach-O file")
    }

    /// A tar hard link to its own name, here a pax name cut at NUL into the name before it (seed 4242, variant 996):
    /// GNU tar and Python's tarfile leave the file there, so it is judged, and so is a later hard link to it; the
    /// self link writes nothing over it (no repeated-name finding).
    @Test func tarHardLinkToItsOwnNameLeavesTheFile() throws {
        let folder = try ZipDirectTests.makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let tar = folder + "/self-link.tar"
        let script = #"""
            import io, sys, tarfile
            with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as t:
                def add(name, kind, link="", data=b""):
                    info = tarfile.TarInfo(name)
                    info.type, info.linkname, info.size, info.mode = kind, link, len(data), 0o755
                    t.addfile(info, io.BytesIO(data) if data else None)
                add("lib/libfoo.so.1", tarfile.REGTYPE, data=open(sys.argv[2], "rb").read())
                add("lib/libfoo.so.1\0.txt", tarfile.LNKTYPE, "lib/libfoo.so.1")
                add("bin/tool.so", tarfile.LNKTYPE, "lib/libfoo.so.1")
            """#
        let made = try runProgram("/usr/bin/env", ["python3", "-c", script, tar, Repository.fixture("bin/macho/_mod.cpython-313-darwin.so")])
        #expect(made.status == 0, "\(made.stderr)")
        try FileManager.default.createDirectory(atPath: folder + "/gnu", withIntermediateDirectories: true)
        let gnu = try runProgram("/usr/bin/env", ["tar", "-xf", tar, "-C", folder + "/gnu", "--no-same-owner"])
        #expect(FileManager.default.contentsEqual(atPath: folder + "/gnu/bin/tool.so", andPath: Repository.fixture("bin/macho/_mod.cpython-313-darwin.so")), "GNU tar: \(gnu.stderr)")

        let result = try Shiplint.run(["scan", tar, "--target", Self.target])
        #expect(result.status == 1, "\(result.stdout)")
        Self.expectFinding(result, "darwin-binary", at: "bin/tool.so", "macOS Mach-O")
        #expect(result.stdout.contains("lib/libfoo.so.1"), "\(result.stdout)")
        #expect(!result.stdout.contains("entries are written to"), "\(result.stdout)")
    }

    /// ZIP entries whose attributes make them a device or a folder (seed 7771 variant 12035, seed 4242 variant 609:
    /// `python/lib/libz.so.1 `, a trailing space and a block-device mode): unzip and Python's zipfile write a file
    /// holding the data. In a ZIP shiplint reads through libarchive (here one whose central directory disagrees with
    /// a local header), libarchive gives no data for such an entry, and shiplint judged an empty file ("an empty
    /// file, not a native library", a false error) or, for a name it does not take for a library's, nothing at all.
    /// The data is read by offset now; an entry whose data cannot be (bzip2) is said not read. Also inside a nested
    /// ZIP (read from memory). unzip is run on the same archive.
    @Test func zipEntriesTypedAsDevicesOrFoldersAreJudgedAsWritten() throws {
        let folder = try ZipDirectTests.makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let zip = folder + "/devices.zip"
        let script = #"""
            import sys, zipfile
            macho, pe = open(sys.argv[2], "rb").read(), open(sys.argv[3], "rb").read()
            with zipfile.ZipFile(sys.argv[1], "w") as z:
                def add(name, data, mode, method=zipfile.ZIP_DEFLATED):
                    info = zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0))
                    info.create_system, info.external_attr, info.compress_type = 3, mode << 16, method
                    z.writestr(info, data)
                add("handler.py", b"def handler(event, context):\n    return 1\n", 0o100644)
                add("python/lib/libz.so.1 ", macho, 0o060644)
                add("lib/libchar.so", pe, 0o020755)
                add("lib/libdir.so", macho, 0o040755)
                add("lib/libbz.so", macho, 0o060644, zipfile.ZIP_BZIP2)
            data = bytearray(open(sys.argv[1], "rb").read())
            # The local header of handler.py names it hendler.py: the central directory is no longer plain.
            at = data.index(b"handler.py")
            data[at + 1:at + 2] = b"e"
            open(sys.argv[1], "wb").write(data)
            with zipfile.ZipFile(sys.argv[1] + ".outer.zip", "w") as outer:
                outer.write(sys.argv[1], "layer/devices.zip")
            """#
        let made = try runProgram("/usr/bin/env", [
            "python3", "-c", script, zip, Repository.fixture("bin/macho/_mod.cpython-313-darwin.so"),
            Repository.fixture("bin/pe/_mod.cp313-win32.pyd"),
        ])
        #expect(made.status == 0, "\(made.stderr)")
        let unzip = try runProgram("/usr/bin/env", ["unzip", "-o", zip, "-d", folder + "/unzip"])
        for (name, fixture) in [("python/lib/libz.so.1 ", "bin/macho/_mod.cpython-313-darwin.so"), ("lib/libchar.so", "bin/pe/_mod.cp313-win32.pyd"), ("lib/libdir.so", "bin/macho/_mod.cpython-313-darwin.so"), ("lib/libbz.so", "bin/macho/_mod.cpython-313-darwin.so")] {
            #expect(FileManager.default.contentsEqual(atPath: folder + "/unzip/" + name, andPath: Repository.fixture(fixture)), "unzip writes \(name): \(unzip.stdout)\(unzip.stderr)")
        }

        let result = try Shiplint.run(["scan", zip, "--target", Self.target])
        #expect(result.status == 1, "\(result.stdout)")
        Self.expectFinding(result, "darwin-binary", at: "python/lib/libz.so.1 ", "macOS Mach-O")
        Self.expectFinding(result, "windows-binary", at: "lib/libchar.so", "Windows PE")
        Self.expectFinding(result, "darwin-binary", at: "lib/libdir.so", "macOS Mach-O")
        Self.expectFinding(result, "unreadable-entry", at: "lib/libbz.so", "libarchive, which then gives none of it")
        #expect(!result.stdout.contains("an empty file"), "\(result.stdout)")

        let nested = try Shiplint.run(["scan", zip + ".outer.zip", "--target", Self.target, "--format", "json"])
        #expect(nested.status == 1, "\(nested.stdout)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(nested.stdout.utf8)) as? [String: Any])
        let findings = try #require(((json["artifacts"] as? [[String: Any]])?.first?["findings"]) as? [[String: Any]])
        let darwin = findings.filter { $0["check"] as? String == "darwin-binary" }.flatMap { $0["files"] as? [[String: String]] ?? [] }
        #expect(darwin.compactMap { $0["path"] }.sorted() == ["layer/devices.zip!lib/libdir.so", "layer/devices.zip!python/lib/libz.so.1 "], "\(nested.stdout)")
        #expect(!nested.stdout.contains("an empty file"), "\(nested.stdout)")
    }
}
