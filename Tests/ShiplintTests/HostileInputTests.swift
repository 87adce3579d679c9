import Foundation
#if canImport(Glibc)
import Glibc
#endif
import ShiplintFacts
import ShiplintReading
import Testing

/// Truncated, lying and hostile inputs become a named problem on that entry; the read goes on and never crashes.
@Suite struct HostileInputTests {
    @Test(arguments: [
        ("elf-truncated-16.so", "shorter than the 64-bit ELF header"),
        ("elf-truncated-52.so", "shorter than the 64-bit ELF header"),
        ("elf-header-only-64.so", "program header table (offset 64, 9 entries) lies past the end of the file (64 bytes)"),
        ("elf-phentsize-0.so", "ELF file's phentsize not the expected size (e_phentsize 0, 56 expected)"),
        ("elf-phoff-past-end.so", "program header table (offset 1051688"),
        ("elf-phnum-past-end.so", "program header table (offset 64, 1000 entries)"),
        // vn_next and vna_next are unsigned: a link "back" is 4 GiB forward, where nothing is mapped (ld.so: SIGSEGV).
        ("elf-verneed-loop.so", "version need record at address 0x100000358 lies outside every PT_LOAD segment (DT_VERNEED)"),
        ("elf-vernaux-loop.so", "version need of libc.so.6 at address 0x100000300 lies outside every PT_LOAD segment (DT_VERNEED)"),
        ("elf-needed-name-past-dynstr.so", "(DT_NEEDED) names a string that runs past its mapping"),
        ("pe-lfanew-past-end.pyd", "PE header offset 2147418112 lies past the end of the file"),
        ("pe-bad-optional-header.pyd", "optional header (65535 bytes at 144)"),
        ("macho-ncmds-huge.so", "4294967295 load commands cannot fit"),
        ("macho-cmdsize-zero.so", "load command 0 has size 0"),
        ("fat-nfat-arch-huge.so", "fat header declares 1000000 architectures"),
        ("fat-slice-offset-past-end.so", "slice 1 (offset 148384, 50080 bytes) lies past the end"),
    ])
    func corruptBinaryIsAProblemNotACrash(file: String, reason: String) throws {
        let artifact = try readArtifact("bin/corrupt/" + file)
        let found = try #require(binary(artifact, file))
        #expect(found.facts == nil)
        #expect(found.problem?.contains(reason) == true, "\(file): \(found.problem ?? "no problem")")
    }

    /// Cut inside the page that holds its last segment: the loader maps that page whole and reads zeros past the end
    /// of the file (glibc's ld.so loads it), so the facts are read, the missing bytes as zeros.
    @Test func truncatedInsideTheLastPageIsReadAsTheLoaderMapsIt() throws {
        let artifact = try readArtifact("bin/corrupt/elf-truncated-half.so")
        let found = try #require(binary(artifact, "elf-truncated-half.so"))
        #expect(found.problem == nil, "\(found.problem ?? "")")
        guard case .elf(let elf)? = found.facts else { return }
        #expect(elf.needed == ["libc.so.6"])
    }

    /// vn_next = 0 ends the chain for the loader whatever sh_info claims; a reader that trusted sh_info would spin.
    @Test func versionChainEndingAtZeroIsReadOnce() throws {
        let artifact = try readArtifact("bin/corrupt/elf-verneed-selfloop.so")
        let found = try #require(binary(artifact, "elf-verneed-selfloop.so"))
        guard case .elf(let elf)? = found.facts else {
            Issue.record("expected ELF facts, got problem \(found.problem ?? "")")
            return
        }
        #expect(elf.versionNeeds.count == 1)
    }

    @Test(arguments: [
        ("libc.so", "a GNU ld script (text), not a shared object"),
        ("_mod.cpython-313-x86_64-linux-gnu.so", "a text file, not a native library"),
        ("empty.so", "an empty file, not a native library"),
        ("libfake.so", "a Java class file"),
    ])
    func namedLikeALibraryButNotOne(file: String, reason: String) throws {
        let artifact = try readArtifact("bin/notbinary/" + file)
        #expect(binary(artifact, file)?.problem?.hasPrefix(reason) == true)
    }

    @Test func javaClassIsNotTakenForFatMachO() throws {
        #expect {
            try readArtifact("bin/notbinary/Foo.class")
        } throws: { error in
            (error as? ReadError)?.description.hasSuffix("not an artifact shiplint can read: neither a ZIP, wheel or tar archive, nor an ELF, PE or Mach-O binary") == true
        }
    }

    @Test func encryptedEntryIsNamed() throws {
        let artifact = try readArtifact("artifacts/hostile/encrypted.zip")
        #expect(artifact.problems.map(\.kind) == [.encryptedEntry])
        #expect(artifact.problems.first?.path == "pkg/_clean.cpython-313-x86_64-linux-gnu.so")
        #expect(artifact.binaries.isEmpty)
    }

    @Test func nestingStopsAtTheCap() throws {
        let artifact = try readArtifact("artifacts/hostile/nested-bomb.zip")
        #expect(artifact.problems.map(\.kind) == [.nestingTooDeep])
        #expect(artifact.problems.first?.path == "nested-11.zip!nested-10.zip!nested-09.zip!nested-08.zip")
    }

    @Test func truncatedZipIsUnreadable() throws {
        #expect {
            try readArtifact("artifacts/hostile/truncated.zip")
        } throws: { error in
            (error as? ReadError)?.description.contains("no readable ZIP central directory") == true
        }
    }

    /// The bomb's one entry inflates to 1 GiB of zeros; only its first bytes are read (it is no binary).
    @Test func zipBombIsNotInflated() throws {
        let artifact = try readArtifact("artifacts/hostile/zip-bomb.zip")
        #expect(artifact.entries.first?.size == 1 << 30)
        #expect(binary(artifact, "big.so")?.problem == "not an ELF, PE or Mach-O file (starts with 00 00 00 00)")
    }

    @Test func entryCapIsANamedProblem() throws {
        let limits = ReadLimits(entryBytes: 1024, artifactBytes: 1 << 30, nestingDepth: 3, entries: 1000)
        let artifact = try readArtifact("artifacts/function-clean.zip", limits: limits)
        #expect(artifact.problems.map(\.kind) == [.entryTooLarge])
        #expect(artifact.binaries.isEmpty)
    }

    @Test func artifactCapStopsReading() throws {
        let limits = ReadLimits(entryBytes: 1 << 20, artifactBytes: 2048, nestingDepth: 3, entries: 1000)
        let artifact = try readArtifact("artifacts/layer-nested.zip", limits: limits)
        let problem = try #require(artifact.problems.first { $0.kind == .artifactTooLarge })
        #expect(problem.message.hasPrefix("inflating this entry would pass the cap of 2048 bytes for the whole artifact"))
        #expect(artifact.binaries.isEmpty)
    }

    @Test func entryCountCap() throws {
        let limits = ReadLimits(entryBytes: 1 << 20, artifactBytes: 1 << 30, nestingDepth: 3, entries: 1000)
        let artifact = try readArtifact("artifacts/hostile/many-entries.zip", limits: limits)
        #expect(artifact.entries.count == 1000)
        #expect(artifact.problems.map(\.kind) == [.tooManyEntries])
    }

    @Test func unsafePathsAreRecordedAsStored() throws {
        let artifact = try readArtifact("artifacts/hostile/zip-slip.zip")
        #expect(artifact.entries.map(\.path).contains("../evil.so"))
        #expect(artifact.entries.map(\.path).contains("/abs/path.so"))
    }

    @Test func symlinksKeepTheirTarget() throws {
        let artifact = try readArtifact("artifacts/hostile/tar-symlink-escape.tar")
        #expect(artifact.entries.contains { $0.type == .symlink(target: "../../etc/passwd") })
    }

    /// The central directory names the entries (what Lambda's unzip and pip see), not the local headers.
    @Test func centralDirectoryIsAuthoritative() throws {
        let artifact = try readArtifact("artifacts/hostile/name-mismatch.zip")
        let names = artifact.entries.map(\.path)
        #expect(names == ["handler.py", "pkg/_clean.cpython-313-x86_64-linux-gnu.so"])
        #expect(artifact.binaries.map(\.path) == ["pkg/_clean.cpython-313-x86_64-linux-gnu.so"])
        #expect(artifact.problems.map(\.kind) == [.nameMismatch])
    }

    // MARK: ZIP records paired with local headers by offset (as libarchive visits them), not by position

    static let lambda = "aws-lambda-python3.13-x86_64"

    @Test func recordsSharingOneLocalHeaderAreEachListedAndReported() throws {
        let artifact = try readArtifact("artifacts/hostile/shared-local-header.zip")
        let names = (0..<64).map { "file-" + ($0 < 10 ? "0" : "") + "\($0).txt" }
        #expect(artifact.entries.map(\.path) == names)
        #expect(artifact.problems.map(\.kind) == Array(repeating: .sharedLocalHeader, count: 64))
        #expect(artifact.problems.map { $0.path ?? "" } == names)
        #expect(artifact.problems[63].message.hasPrefix(
            "this central-directory record shares its local header (offset 0) with 63 other records ('file-00.txt', …)"))
        #expect(artifact.problems[63].message.hasSuffix("; not read"))

        let result = try Shiplint.run(["scan", Repository.fixture("artifacts/hostile/shared-local-header.zip"), "--target", Self.lambda])
        #expect(result.status == 1)
        #expect(result.stdout.contains("  file-63.txt\n    error[unreadable-entry] this central-directory record shares its local header"))
        #expect(result.stdout.contains("64 errors"))
    }

    /// Pairing by position named the ELF after its neighbour `README.txt` and never listed `data/a.txt`, `data/b.txt`.
    @Test func sharedRecordsDoNotShiftNames() throws {
        let artifact = try readArtifact("artifacts/hostile/shared-shifts-names.zip")
        let so = "pkg/_clean.cpython-313-x86_64-linux-gnu.so"
        #expect(artifact.entries.map(\.path) == ["handler.py", "README.txt", so, "data/a.txt", "data/b.txt"])
        #expect(artifact.binaries.map(\.path) == [so])
        #expect(artifact.problems.map(\.kind) == Array(repeating: .sharedLocalHeader, count: 4))
        #expect(artifact.problems.map { $0.path ?? "" } == ["handler.py", "README.txt", "data/a.txt", "data/b.txt"])
        #expect(artifact.problems[1].message.contains("with another record ('handler.py')"))
    }

    @Test func overlappingDataIsAnErrorOnBothEntries() throws {
        let artifact = try readArtifact("artifacts/hostile/overlapping.zip")
        #expect(artifact.entries.map(\.path) == ["outer.bin", "inner.txt"])
        #expect(artifact.problems.map(\.kind) == [.overlappingData, .overlappingData])
        #expect(artifact.problems.map { $0.path ?? "" } == ["outer.bin", "inner.txt"])
        #expect(artifact.problems[0].message.hasPrefix("its data (bytes 0-84) overlaps the entry 'inner.txt' at offset 39"))
        #expect(artifact.problems[1].message.hasPrefix("its local header (offset 39) lies inside the data of 'outer.bin'"))

        let result = try Shiplint.run(["scan", Repository.fixture("artifacts/hostile/overlapping.zip"), "--target", Self.lambda])
        #expect(result.status == 1)
        #expect(result.stdout.contains("  inner.txt\n    error[unreadable-entry] its local header (offset 39) lies inside the data of 'outer.bin'"))
    }

    /// The two directories are compared as bytes: a backslash (which libarchive turns into `/`) or a name that is not
    /// UTF-8 is no name mismatch when both store the same bytes. Bytes that are not UTF-8 are kept, shown escaped. The
    /// extractors write such a name differently (unzip makes the backslash a folder separator, zipfile keeps it; zipfile
    /// reads unflagged bytes as CP437 and refuses flagged ones that are not UTF-8): an `extraction-mismatch`
    /// (`name-encoding`) that says how, checked against unzip and zipfile by the archive differential test.
    @Test(arguments: [
        ("backslash-name.zip", "pkg\\data.txt", "unzip writes it as a folder separator ('pkg/data.txt')"),
        ("latin1-name.zip", "caf\\xe9.txt", "Python's zipfile reads them as CP437 and writes 'cafΘ.txt'"),
        ("bad-utf8-name.zip", "caf\\xe9.txt", "the ZIP flags it as UTF-8 but it is not: Python's zipfile refuses the whole archive"),
    ])
    func sameBytesInBothDirectoriesAreNoMismatch(file: String, shown: String, written: String) throws {
        let artifact = try readArtifact("artifacts/hostile/" + file)
        #expect(artifact.entries.map(\.path) == [shown])
        #expect(artifact.problems.map(\.kind) == [.nameEncoding], "\(artifact.problems)")
        #expect(artifact.problems.first?.path == shown)
        #expect(artifact.problems.first?.message.contains(written) == true, "\(artifact.problems)")
        let result = try Shiplint.run(["scan", Repository.fixture("artifacts/hostile/" + file), "--target", Self.lambda])
        #expect(result.status == 1, "\(result.stdout)")
        #expect(result.stdout.contains("error[extraction-mismatch] the extractors write this name differently"), "\(result.stdout)")
        #expect(!result.stdout.contains("unreadable-entry"))
    }

    @Test func zip64EndRecordPastTheFileIsAClearError() throws {
        let path = Repository.fixture("artifacts/hostile/zip64-huge-count.zip")
        let result = try Shiplint.run(["scan", path, "--target", Self.lambda])
        #expect(result.status == 2)
        #expect(result.stderr.contains(
            "the ZIP64 end record claims 9223372036854775808 entries in a central directory of 51 bytes at offset 9223372036854775808, past the end of the 190-byte file"),
            "\(result.stderr)")
        #expect(!result.stderr.contains("unknown libarchive error"))
    }

    @Test func anEntryCountTheDirectoryCannotHoldIsReported() throws {
        let artifact = try readArtifact("artifacts/hostile/zip64-count-lie.zip")
        #expect(artifact.entries.map(\.path) == ["a.txt"])
        #expect(artifact.problems.map(\.kind) == [.unreadableArchive])
        #expect(artifact.problems.first?.path == nil)
        #expect(artifact.problems.first?.message.hasPrefix(
            "the ZIP's end record claims 9223372036854775808 entries but its central directory holds 1") == true)
    }
}

/// Folders and streams made at test time: names that are not UTF-8, trees deeper than the walk goes, folders that
/// cannot be listed, FIFOs, standard input and pipes. Nothing is skipped without a finding, nothing blocks.
@Suite struct FolderAndStreamInputTests {
    static let lambda = "aws-lambda-python3.13-x86_64"
    static let aarch64 = Repository.fixture("bin/elf/_clean.cpython-313-aarch64-linux-gnu.so")

    /// A fresh folder under the temporary folder, listable by every user (the unprivileged runs need that).
    static func makeFolder() throws -> String {
        let path = Scratch.url("shiplint-edges").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        return path
    }

    /// Writes a file whose name is given as bytes (Foundation cannot name a file that is not UTF-8).
    static func write(_ contents: Data, folder: String, name: [UInt8]) throws {
        let path = Array(folder.utf8) + [UInt8(ascii: "/")] + name + [0]
        let descriptor = path.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { open($0, O_WRONLY | O_CREAT | O_TRUNC, 0o644) }
        }
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        let written = contents.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        try #require(written == contents.count)
    }

    /// Root reads a folder whatever its mode, so a folder that cannot be listed needs shiplint run as `nobody`.
    static let unprivileged: [String]? = {
        if getuid() != 0 { return [] }
        return FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")
            ? ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : nil
    }()

    static func runUnprivileged(_ arguments: [String]) throws -> CommandResult {
        let prefix = try #require(unprivileged)
        return prefix.isEmpty
            ? try Shiplint.run(arguments)
            : try runProgram(prefix[0], Array(prefix.dropFirst()) + [Repository.binary] + arguments)
    }

    /// Runs shiplint under `timeout`, so a read that blocks fails the test (status 124) instead of hanging it.
    static func runBounded(_ arguments: [String], shell: String? = nil) throws -> CommandResult {
        if let shell {
            return try runProgram("/usr/bin/timeout", ["20", "/bin/bash", "-c", shell, Repository.binary] + arguments)
        }
        return try runProgram("/usr/bin/timeout", ["20", Repository.binary] + arguments)
    }

    @Test func nameThatIsNotUTF8IsKeptShownEscapedAndRead() throws {
        let folder = try Self.makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Self.write(Data(contentsOf: URL(fileURLWithPath: Self.aarch64)), folder: folder, name: Array("lib".utf8) + [0xFF] + Array(".so".utf8))
        let artifact = try ArtifactReader().read(path: folder)
        #expect(artifact.entries.map(\.path) == ["lib\\xff.so"])
        #expect(artifact.binaries.map(\.path) == ["lib\\xff.so"])

        let result = try Shiplint.run(["scan", folder, "--target", Self.lambda])
        #expect(result.status == 1)
        #expect(result.stdout.contains("  lib\\xff.so\n    error[wrong-arch]"), "\(result.stdout)")
    }

    @Test func theDepthLimitIsAFindingOnTheFolderWhereItStopped() throws {
        let folder = try Self.makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let deepest = folder + String(repeating: "/d", count: 65)
        try FileManager.default.createDirectory(atPath: deepest, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.aarch64, toPath: deepest + "/x.so")
        let stopped = Array(repeating: "d", count: 64).joined(separator: "/")
        let artifact = try ArtifactReader().read(path: folder)
        #expect(artifact.entries.count == 64)
        #expect(artifact.binaries.isEmpty)
        #expect(artifact.problems.map(\.kind) == [.folderTooDeep])
        #expect(artifact.problems.first?.path == stopped)

        let result = try Shiplint.run(["scan", folder, "--target", Self.lambda])
        #expect(result.status == 1)
        #expect(result.stdout.contains("  \(stopped)\n    error[unreadable-entry] folder nested 64 levels deep, the most shiplint walks; what is inside it was not read"))
    }

    @Test(.enabled(if: unprivileged != nil, "tests run as root and /usr/bin/setpriv is missing, so no folder is unreadable"))
    func anUnreadableSubfolderIsAFinding() throws {
        let folder = try Self.makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/secret", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.aarch64, toPath: folder + "/secret/x.so")
        try FileManager.default.setAttributes([.posixPermissions: 0], ofItemAtPath: folder + "/secret")
        let result = try Self.runUnprivileged(["scan", folder, "--target", Self.lambda])
        #expect(result.status == 1)
        #expect(result.stdout.contains("error[unreadable-entry] folder could not be listed (Permission denied); what is inside it was not read"),
                "\(result.stdout)")
    }

    @Test(.enabled(if: unprivileged != nil, "tests run as root and /usr/bin/setpriv is missing, so no folder is unreadable"))
    func anUnreadableFolderGivenAsTheArtifactIsExitStatus2() throws {
        let folder = try Self.makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/closed", withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0], ofItemAtPath: folder + "/closed")
        let result = try Self.runUnprivileged(["scan", folder + "/closed", "--target", Self.lambda])
        #expect(result.status == 2)
        #expect(result.stderr.contains("closed: the folder cannot be listed: Permission denied"), "\(result.stderr)")
    }

    @Test func aFIFOInAFolderIsAFindingAndNeverOpened() throws {
        let folder = try Self.makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try #require(mkfifo(folder + "/_pipe.cpython-313-x86_64-linux-gnu.so", 0o644) == 0)
        let result = try Self.runBounded(["scan", folder, "--target", Self.lambda])
        #expect(result.status == 1)
        #expect(result.stdout.contains(
            "  _pipe.cpython-313-x86_64-linux-gnu.so\n    error[unreadable-entry] special file, not read: a FIFO (named pipe)"), "\(result.stdout)")
    }

    /// A folder of 120 FIFOs: the first 100 are named, the other 20 counted on the artifact; none is opened.
    @Test func manySpecialFilesAreNamedThenCounted() throws {
        let folder = try Self.makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for number in 0..<120 { try #require(mkfifo(folder + "/p\(number).so", 0o644) == 0) }
        let artifact = try ArtifactReader().read(path: folder)
        #expect(artifact.entries.count == 120)
        #expect(artifact.problems.filter { $0.kind == .specialFile && $0.path != nil }.count == 100)
        #expect(artifact.problems.last == ArtifactProblem(
            kind: .specialFile, path: nil, message: "20 more entries with the same problem (special-file); the first 100 are named"))
    }

    @Test func aFIFOGivenAsTheArtifactIsRefusedPromptly() throws {
        let folder = try Self.makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try #require(mkfifo(folder + "/function.zip", 0o644) == 0)
        let started = Date()
        let result = try Self.runBounded(["scan", folder + "/function.zip", "--target", Self.lambda])
        #expect(result.status == 2)
        #expect(result.stderr.contains("function.zip: a FIFO (named pipe), not a file or folder; not opened"), "\(result.stderr)")
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test func aSymbolicLinkLoopIsNamed() throws {
        let folder = try Self.makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createSymbolicLink(atPath: folder + "/loop.zip", withDestinationPath: "loop.zip")
        let result = try Self.runBounded(["scan", folder + "/loop.zip", "--target", Self.lambda])
        #expect(result.status == 2)
        #expect(result.stderr.contains("loop.zip: a symbolic link loop"), "\(result.stderr)")
        #expect(!result.stderr.contains("no such file"))
    }

    @Test func standardInputIsReadAsStdin() throws {
        let zip = Repository.fixture("artifacts/function-aarch64.zip")
        let result = try Self.runBounded(["scan", "-", "--target", Self.lambda], shell: "\"$0\" \"$1\" \"$2\" \"$3\" \"$4\" < " + zip)
        #expect(result.status == 1)
        #expect(result.stdout.hasPrefix("<stdin>  (zip, 3 entries, 1 binary)"), "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("  pkg/_clean.cpython-313-aarch64-linux-gnu.so\n    error[wrong-arch]"))
    }

    @Test func standardInputOverTheArtifactCapIsRefused() throws {
        let zip = Repository.fixture("artifacts/function-aarch64.zip")
        let result = try Self.runBounded(["scan", "-", "--target", Self.lambda, "--max-artifact-bytes", "1K"],
                                         shell: "\"$0\" \"$@\" < " + zip)
        #expect(result.status == 2)
        #expect(result.stderr.contains("<stdin>: more than 1024 bytes arrived, the cap for one artifact (--max-artifact-bytes)"), "\(result.stderr)")
    }

    /// `shiplint inspect <(cat f.zip)` names `/dev/fd/N`, a pipe already open: it is read, not blamed on the archive.
    @Test func aPipePathIsReadLikeStandardInput() throws {
        let zip = Repository.fixture("artifacts/function-clean.zip")
        let result = try Self.runBounded(["inspect", zip], shell: "\"$0\" inspect <(cat \"$2\")")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("/dev/fd/"))
        #expect(result.stdout.contains("  (zip, 3 entries, 1 binary)"), "\(result.stdout)")
    }

    /// The default entry cap, every entry listed and judged, in less than 256 MB (it took 275 MB before).
    @Test func twoHundredThousandEntriesStayUnder256MB() throws {
        let folder = try Self.makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let zip = folder + "/many.zip"
        let script = """
            import sys, zipfile
            with zipfile.ZipFile(sys.argv[1], "w") as z:
                for i in range(200000):
                    info = zipfile.ZipInfo(f"pkg{i % 100}/m{i}.py", (1980, 1, 1, 0, 0, 0))
                    info.create_system, info.external_attr = 3, 0o100644 << 16
                    z.writestr(info, b"")
            """
        #expect(try runProgram("/usr/bin/env", ["python3", "-c", script, zip]).status == 0)
        let result = try runProgram("/usr/bin/time", ["-f", "%M", Repository.binary, "scan", zip, "--target", Self.lambda])
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout.contains("(zip, 200000 entries, 0 binaries)"))
        let kilobytes = try #require(result.stderr.split(separator: "\n").last.flatMap { Int($0) })
        #expect(kilobytes < 256 * 1024, "peak RSS \(kilobytes) KB")
    }

    /// A hostile ZIP can put 200,000 records on one local header: the first 100 are named, the rest counted on the
    /// artifact, and every record is still listed as an entry.
    @Test func sharedRecordsPastTheFirstHundredAreCounted() throws {
        let folder = try Self.makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let zip = folder + "/shared.zip"
        let script = """
            import sys, zlib
            sys.path.insert(0, sys.argv[2])
            import hostile_zips as h
            one = h.local_header(b"f0.txt", b"x") + b"x"
            records = [h.central_record(f"f{i}.txt".encode(), 0, zlib.crc32(b"x"), 1) for i in range(150)]
            open(sys.argv[1], "wb").write(h.zip_of(one, records))
            """
        #expect(try runProgram("/usr/bin/env", ["python3", "-c", script, zip, Repository.fixture("src/tools")]).status == 0)
        let artifact = try ArtifactReader().read(path: zip)
        #expect(artifact.entries.count == 150)
        let problems = artifact.problems.filter { $0.kind == .sharedLocalHeader }
        #expect(problems.count == 101)
        #expect(problems.filter { $0.path != nil }.count == 100)
        #expect(problems.first { $0.path == nil }?.message
            == "50 more central-directory records share a local header with another record (the first 100 are named)")
    }
}
