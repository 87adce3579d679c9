import Foundation
import ShiplintFacts
import ShiplintReading
import Testing

/// Facts come from the program headers and the dynamic segment, as ld.so reads them: section headers change nothing.
@Suite struct LoaderViewTests {
    static func elfFacts(_ relative: String) throws -> ElfFacts {
        let artifact = try readArtifact(relative)
        let found = try #require(artifact.binaries.first)
        guard case .elf(let facts)? = found.facts else {
            Issue.record("\(relative): no ELF facts (\(found.problem ?? "no problem"))")
            throw CancellationError()
        }
        return facts
    }

    /// e_shoff, e_shnum and e_shstrndx zeroed: the loader loads it, so the facts are the original's.
    @Test func sectionlessCopyHasTheSameFacts() throws {
        let original = try Self.elfFacts("bin/elf/_glibc228.cpython-311-x86_64-linux-gnu.so")
        let stripped = try Self.elfFacts("bin/elf/_nosections.cpython-311-x86_64-linux-gnu.so")
        #expect(stripped == original)
        #expect(stripped.maxVersions["GLIBC"]?.description == "2.28")
    }

    /// .dynstr moved to a new PT_LOAD at the end and the old bytes zeroed (what patchelf does): DT_STRTAB is followed.
    @Test func movedStringTableIsFollowed() throws {
        let original = try Self.elfFacts("bin/elf/_glibc228.cpython-311-x86_64-linux-gnu.so")
        let moved = try Self.elfFacts("bin/elf/_dynstrend.cpython-311-x86_64-linux-gnu.so")
        // The same facts but for the PT_LOAD that holds the copy.
        #expect(moved.needed == original.needed && moved.versionNeeds == original.versionNeeds && moved.symbols == original.symbols)
        #expect(moved.loader.loadSegments.count == original.loader.loadSegments.count + 1)
    }

    /// A section table past the end of the file, every segment intact: the loader loads it, so it is no corrupt binary.
    @Test func sectionTablePastTheEndIsNotCorrupt() throws {
        let clean = try Self.elfFacts("bin/elf/_clean.cpython-313-x86_64-linux-gnu.so")
        let shifted = try Self.elfFacts("bin/corrupt/elf-shoff-past-end.so")
        #expect(shifted == clean)
    }

    /// The gate a stripped section table used to walk through.
    @Test func sectionlessCopyFailsTheGate() throws {
        let result = try Shiplint.run([
            "scan", Repository.fixture("bin/elf/_nosections.cpython-311-x86_64-linux-gnu.so"),
            "--target", "aws-lambda-python3.11-x86_64",
        ])
        #expect(result.status == 1)
        #expect(result.stdout.contains("error[glibc-too-new] needs GLIBC_2.28 (from libc.so.6)"), "\(result.stdout)")
    }

    /// The rule changed in glibc 2.35 (page size instead of p_align): each target is judged by its own glibc.
    @Test func loaderRefusalIsANotLoadableFindingByTheTargetsGlibc() throws {
        let al2023 = try Shiplint.run([
            "scan", Repository.fixture("bin/corrupt/elf-load-misaligned.so"), "--target", "aws-lambda-python3.13-x86_64",
        ])
        #expect(al2023.status == 1)
        #expect(al2023.stdout.contains("error[not-loadable] dlopen refuses it: \"ELF load command address/offset not properly aligned\""), "\(al2023.stdout)")
        #expect(al2023.stdout.contains("(glibc before 2.35); judged by glibc 2.34"))
        let debian = try Shiplint.run([
            "scan", Repository.fixture("bin/corrupt/elf-load-misaligned.so"), "--target", "manylinux_2_36-x86_64",
        ])
        #expect(debian.stdout.contains("\"ELF load command address/offset not page-aligned\""), "\(debian.stdout)")
    }

    /// Imports with the version and file their Verneed names; exports with the node they are defined under.
    @Test func dynamicSymbolsWithVersions() throws {
        let module = try Self.elfFacts("bin/elf/_glibc228.cpython-311-x86_64-linux-gnu.so")
        #expect(module.symbols.count == 7)
        #expect(module.importedSymbols.first { $0.name == "fcntl64" }
            == DynamicSymbol(name: "fcntl64", version: "GLIBC_2.28", versionFile: "libc.so.6", isDefined: false, isWeak: false, kind: .function))
        #expect(module.importedSymbols.first { $0.name == "PyModule_Create2" }
            == DynamicSymbol(name: "PyModule_Create2", version: nil, versionFile: nil, isDefined: false, isWeak: false, kind: .other))
        #expect(module.exportedSymbols.map(\.name) == ["PyInit__glibc228"])
        let library = try Self.elfFacts("bin/elf/libfoo.so.1")
        #expect(library.exportedSymbols.map { "\($0.name)@\($0.version ?? "")" } == ["foo_v1@LIBFOO_1.0", "foo_v2@LIBFOO_2.0"])
        let user = try Self.elfFacts("bin/elf/_usesfoo.cpython-313-x86_64-linux-gnu.so")
        #expect(user.importedSymbols.first { $0.name == "foo_v2" }?.versionFile == "libfoo.so.1")
        let bigEndian = try Self.elfFacts("bin/elf/_clean.cpython-313-s390x-linux-gnu.so")
        #expect(bigEndian.exportedSymbols.map(\.name) == ["PyInit__clean"])
        let i386 = try Self.elfFacts("bin/elf/_clean.cpython-313-i386-linux-gnu.so")
        #expect(i386.exportedSymbols.map(\.name) == ["PyInit__clean"])
    }
}
