import Foundation
import ShiplintFacts
import ShiplintReading
import Testing

/// Truncated, lying and hostile inputs become a named problem on that entry; the read goes on and never crashes.
@Suite struct HostileInputTests {
    @Test(arguments: [
        ("elf-truncated-16.so", "shorter than the 64-bit ELF header"),
        ("elf-truncated-52.so", "shorter than the 64-bit ELF header"),
        ("elf-header-only-64.so", "program header table (offset 64, 9 entries) lies past the end of the file (64 bytes)"),
        ("elf-truncated-half.so", "ELF load command past end of file (segment 3: offset 1360, 224 bytes; the file has 1556 bytes)"),
        ("elf-load-misaligned.so", "ELF load command address/offset not properly aligned (segment 2: offset 0x490, address 0x14a0"),
        ("elf-phentsize-0.so", "ELF file's phentsize not the expected size (e_phentsize 0, 56 expected)"),
        ("elf-phoff-past-end.so", "program header table (offset 1051688"),
        ("elf-phnum-past-end.so", "program header table (offset 64, 1000 entries)"),
        ("elf-verneed-loop.so", "version need entry at offset 4294968152 lies outside its segment (DT_VERNEED)"),
        ("elf-vernaux-loop.so", "version need entry for libc.so.6 points outside its segment (DT_VERNEED)"),
        ("elf-needed-name-past-dynstr.so", "DT_NEEDED) points past the end of its string table"),
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
}
