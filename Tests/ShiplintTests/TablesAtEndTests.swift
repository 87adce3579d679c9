import Foundation
import ShiplintChecks
import ShiplintFacts
@testable import ShiplintReading
import ShiplintTargets
import Testing

/// A library whose dynamic string table ends the file, as patchelf leaves it (GEOS in shapely, fiona and rasterio
/// wheels; PROJ in pyproj's arm64 wheels), with PT_DYNAMIC far from the start, read every way an entry can be read:
/// STORED and DEFLATE ZIP entries (by offset, whole by libdeflate, streamed by zlib), through libarchive, in a tar, in a
/// wheel nested in memory and one streamed, in a folder. Each size sits just below and just above one threshold of the
/// reader, named here; the facts must be those of the file read alone, with no problem. Made at test time by the
/// recipe `fixtures/src/tools/loader_view.py tables-at-end` from `bin/elf/_glibc228…` (4 KiB, needs GLIBC_2.28).
@Suite struct TablesAtEndTests {
    static let base = "bin/elf/_glibc228.cpython-311-x86_64-linux-gnu.so"
    static let cap = ReadLimits.defaults.entryBytes

    /// A threshold of the reader and the side of it the library's size sits on.
    struct Size: CustomTestStringConvertible, Sendable {
        let threshold: String
        let value: Int
        let above: Bool
        var bytes: Int { above ? value + 12_345 : value - 12_345 }
        var testDescription: String { "\(above ? "above" : "below") \(threshold) (\(bytes) bytes)" }
    }

    static let thresholds: [(String, Int)] = [
        ("ElfRanges.firstRead", ElfRanges.firstRead),
        ("ArchiveHandle.streamBlock", ArchiveHandle.streamBlock),
        ("ZipDirect.chunk", ZipDirect.chunk),
        ("ElfRanges.spread", ElfRanges.spread(cap: cap)),
        ("ElfRanges.window", ElfRanges.window(cap: cap)),
        ("ElfRanges.clusterGap", ElfRanges.clusterGap),
        ("ZipDirect.wholeEntryLimit", Int(ZipDirect.wholeEntryLimit)),
        ("ReadLimits.defaultNestedArchiveBytes", ReadLimits.defaultNestedArchiveBytes),
    ]
    static let sizes = thresholds.flatMap { name, value in [false, true].map { Size(threshold: name, value: value, above: $0) } }

    /// The library for `size`, laid out as GEOS 3.11.4 in shapely 2.0.6 is: a build-id note and the string table
    /// (435,675 bytes: more than `ElfRanges.spread` after the note, or a quarter of a smaller file) end the file,
    /// PT_DYNAMIC three quarters of the way to them (past the first megabyte once the file is larger than 1.8 MiB).
    /// With `property`, the note in front of the string table is a GNU property note under an 8-aligned PT_NOTE,
    /// which x86_64's ld.so reads after mapping (as in psycopg2-binary 2.9.13's musllinux libcrypto, 5,156,913 bytes).
    static func library(_ size: Int, in folder: String, property: Bool = false) throws -> String {
        let out = folder + "/libtables-\(size)\(property ? "-property" : "").so"
        let table = min(435_675, size / 4)
        let result = try runProgram("/usr/bin/env", [
            "python3", Repository.fixture("src/tools/loader_view.py"), "tables-at-end", Repository.fixture(base), out,
            String(size), String((size - table) * 3 / 4), String(table),
        ] + (property ? ["property"] : []))
        try #require(result.status == 0, "\(result.stderr)")
        return out
    }

    /// Python's zipfile and tarfile write the artifacts (one member each, unless `nested`: a wheel inside a ZIP).
    static func archive(_ kind: String, _ library: String, _ out: String) throws {
        let script = #"""
            import io, sys, tarfile, zipfile
            kind, lib, out = sys.argv[1:4]
            data = open(lib, "rb").read()
            def zipped(method, members):
                sink = io.BytesIO()
                with zipfile.ZipFile(sink, "w") as z:
                    for name, payload, how in members:
                        info = zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0))
                        info.create_system, info.external_attr, info.compress_type = 3, 0o100755 << 16, how
                        z.writestr(info, payload)
                return sink.getvalue()
            name = "pkg.libs/libtables.so.1"
            if kind in ("stored", "deflated"):
                method = zipfile.ZIP_STORED if kind == "stored" else zipfile.ZIP_DEFLATED
                open(out, "wb").write(zipped(method, [(name, data, method)]))
            elif kind == "tar":
                with tarfile.open(out, "w:gz") as t:
                    info = tarfile.TarInfo(name)
                    info.size, info.mode = len(data), 0o755
                    t.addfile(info, io.BytesIO(data))
            elif kind == "nested":
                wheel = zipped(zipfile.ZIP_STORED, [(name, data, zipfile.ZIP_STORED)])
                open(out, "wb").write(zipped(zipfile.ZIP_STORED, [("python/vendor/pkg-1.0-py3-none-any.whl", wheel, zipfile.ZIP_STORED)]))
            """#
        let result = try runProgram("/usr/bin/env", ["python3", "-c", script, kind, library, out])
        try #require(result.status == 0, "\(result.stderr)")
    }

    static func facts(_ artifact: Artifact, _ path: String) -> String {
        guard let binary = artifact.binaries.first(where: { $0.path == path }) else { return "no binary \(path)" }
        return "\(binary.facts.debugDescription) \(binary.problem ?? "")"
    }

    @Test(arguments: sizes)
    func tablesAtTheEndAreReadEveryWay(size: Size) throws {
        let folder = try ZipDirectTests.makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let library = try Self.library(size.bytes, in: folder)
        let alone = try ArtifactReader().read(path: library)
        #expect(alone.problems.isEmpty, "\(alone.problems)")
        let expected = Self.facts(alone, (library as NSString).lastPathComponent)
        guard case .elf(let facts)? = alone.binaries.first?.facts else {
            Issue.record("the library alone has no facts: \(expected)")
            return
        }
        #expect(facts.needed == ["libc.so.6"])
        #expect(facts.versionNeeds.flatMap(\.names).contains("GLIBC_2.28"), "\(facts.versionNeeds)")

        let name = "pkg.libs/libtables.so.1"
        let ways: [(kind: String, path: String)] = [
            ("stored", name), ("deflated", name), ("tar", name), ("nested", "python/vendor/pkg-1.0-py3-none-any.whl!" + name),
        ]
        for way in ways {
            let out = folder + "/artifact-\(way.kind)"
            try Self.archive(way.kind, library, out)
            for jobs in [1, 2] {
                let artifact = try ArtifactReader(jobs: jobs).read(path: out)
                #expect(artifact.problems.isEmpty, "\(way.kind), \(jobs) jobs: \(artifact.problems)")
                #expect(Self.facts(artifact, way.path) == expected, "\(way.kind), \(jobs) jobs")
            }
        }
        // A folder: read by offset.
        let unpacked = folder + "/unpacked/pkg.libs"
        try FileManager.default.createDirectory(atPath: unpacked, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: library, toPath: unpacked + "/libtables.so.1")
        let fromFolder = try ArtifactReader().read(path: folder + "/unpacked")
        #expect(fromFolder.problems.isEmpty)
        #expect(Self.facts(fromFolder, name) == expected, "folder")
    }

    /// As a user runs it, on the DEFLATE ZIP and through libarchive: no `unreadable-entry`, the library's needs read.
    @Test(arguments: [Int(ZipDirect.wholeEntryLimit) - 97_111, Int(ZipDirect.wholeEntryLimit) + 97_111])
    func scanOfADeflatedLibraryWithTablesAtTheEndHasNoFinding(bytes: Int) throws {
        let folder = try ZipDirectTests.makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let zip = folder + "/function.zip"
        try Self.archive("deflated", try Self.library(bytes, in: folder), zip)
        for environment in [[:], ["SHIPLINT_ZIP_VIA_LIBARCHIVE": "1"]] {
            let result = try Shiplint.run(["scan", zip, "--target", "aws-lambda-python3.13-x86_64"], environment: environment)
            #expect(result.status == 0, "\(environment): \(result.stdout)")
            #expect(result.stdout.contains("0 errors, 0 warnings"), "\(result.stdout)")
        }
        let inspect = try Shiplint.run(["inspect", zip])
        #expect(inspect.stdout.contains("GLIBC_2.28"), "\(inspect.stdout)")
    }

    /// The property note at the end of a large library is read where the loader reads it (after mapping): a range the
    /// reader did not hold yet is fetched, never taken for unmapped memory. Before, a file, a folder and a DEFLATE ZIP
    /// each gave a false `corrupt-binary` "the loader reads the notes of a PT_NOTE segment … where nothing readable is
    /// mapped" (psycopg2-binary's and numpy's musllinux libraries, whose only real finding is `musl-binary`).
    @Test(arguments: [ElfRanges.firstRead + 12_345, Int(ZipDirect.wholeEntryLimit) + 12_345, 5_156_913])
    func aPropertyNoteAtTheEndIsReadNotCalledUnmapped(bytes: Int) throws {
        let folder = try ZipDirectTests.makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let library = try Self.library(bytes, in: folder, property: true)
        let zip = folder + "/function.zip"
        try Self.archive("deflated", library, zip)
        let unpacked = folder + "/unpacked/pkg.libs"
        try FileManager.default.createDirectory(atPath: unpacked, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: library, toPath: unpacked + "/libtables.so.1")
        let runs: [([String], [String: String])] = [
            ([library], [:]), ([folder + "/unpacked"], [:]), ([zip], [:]), ([zip], ["SHIPLINT_ZIP_VIA_LIBARCHIVE": "1"]),
        ]
        for (paths, environment) in runs {
            let result = try Shiplint.run(["scan"] + paths + ["--target", "aws-lambda-python3.13-x86_64"], environment: environment)
            #expect(!result.stdout.contains("corrupt-binary"), "\(paths) \(environment): \(result.stdout)")
            #expect(result.status == 0 && result.stdout.contains("0 errors, 0 warnings"), "\(paths) \(environment): \(result.stdout)")
        }
    }

    /// A fixed-address program's DT_INIT_ARRAY holds absolute addresses no relocation fills: the slot is read where
    /// it is (fetched when the reader has not held it yet), never taken for "unrelocated". Before, a program whose
    /// array sat far into the file (clang-format, z3, cbc, node in PyPI wheels) was a false `corrupt-binary`.
    @Test(arguments: [0, 4 << 20])
    func aProgramsConstructorsFarIntoTheFileAreRead(padding: Int) throws {
        let folder = try ZipDirectTests.makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/function", withIntermediateDirectories: true)
        let program = folder + "/function/bootstrap"
        let result = try runProgram("/usr/bin/env", [
            "python3", Repository.fixture("src/tools/loader_view.py"), "pad", Repository.fixture("bin/exec/constructor"), program, String(padding),
        ])
        try #require(result.status == 0, "\(result.stderr)")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: program)
        let zip = folder + "/function.zip"
        let zipped = try runProgram("/usr/bin/env", ["python3", "-c", #"""
            import sys, zipfile
            with zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED) as z:
                info = zipfile.ZipInfo("bootstrap", (2020, 1, 1, 0, 0, 0))
                info.create_system, info.external_attr, info.compress_type = 3, 0o100755 << 16, zipfile.ZIP_DEFLATED
                z.writestr(info, open(sys.argv[1], "rb").read())
            """#, program, zip])
        try #require(zipped.status == 0, "\(zipped.stderr)")
        for path in [folder + "/function", zip] {
            let scan = try Shiplint.run(["scan", path, "--target", "aws-lambda-provided.al2023-x86_64"])
            #expect(!scan.stdout.contains("corrupt-binary"), "\(path): \(scan.stdout)")
            #expect(scan.status == 0, "\(path): \(scan.stdout)")
        }
    }

    /// A constructor slot that DT_RELR relocates (lld -z pack-relative-relocs) holds its target itself: the word is
    /// read where it lies, fetched when the reader has not held it yet. Before, a word not held was taken for an
    /// unknown target and passed silently: a slot pointing at data (0x2438, PT_DYNAMIC), which dlopen calls and faults
    /// on (SIGSEGV under python3's ctypes.CDLL), passed the gate when the data segment lay 4 MiB into the file.
    @Test(arguments: [false, true])
    func aDTRelrConstructorSlotFarIntoTheFileIsRead(pointsAtData: Bool) throws {
        let folder = try ZipDirectTests.makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/function", withIntermediateDirectories: true)
        let addon = folder + "/function/addon.node"
        let result = try runProgram("/usr/bin/env", [
            "python3", Repository.fixture("src/tools/loader_view.py"), "pad", Repository.fixture("bin/node/legacy-ctor-v108-relr.node"), addon, String(4 << 20),
        ])
        try #require(result.status == 0, "\(result.stderr)")
        if pointsAtData {
            // DT_INIT_ARRAY (0x2430) opens the first writable PT_LOAD, file offset 0x430 before the padding.
            let patched = try runProgram("/usr/bin/env", ["python3", "-c", #"""
                import struct, sys
                data = bytearray(open(sys.argv[1], "rb").read())
                at = 0x430 + (4 << 20)
                assert struct.unpack_from("<Q", data, at)[0] == 0x13C0
                struct.pack_into("<Q", data, at, 0x2438)
                open(sys.argv[1], "wb").write(data)
                """#, addon])
            try #require(patched.status == 0, "\(patched.stderr)")
        }
        let zip = folder + "/function.zip"
        let zipped = try runProgram("/usr/bin/env", ["python3", Repository.fixture("src/tools/loader_view.py"), "zip", zip, addon + ":addon.node"])
        try #require(zipped.status == 0, "\(zipped.stderr)")
        for path in [folder + "/function", zip, addon] {
            let scan = try Shiplint.run(["scan", path, "--target", "aws-lambda-nodejs22.x-x86_64"])
            if pointsAtData {
                #expect(scan.stdout.contains("error[corrupt-binary] cannot be read as a native binary: DT_INIT_ARRAY entry 0 calls 0x2438, which lies outside every executable PT_LOAD: dlopen calls it and faults"), "\(path): \(scan.stdout)")
                #expect(scan.status == 1, "\(path)")
            } else {
                #expect(!scan.stdout.contains("corrupt-binary"), "\(path): \(scan.stdout)")
                #expect(scan.status == 0, "\(path): \(scan.stdout)")
            }
        }
    }

    /// What the reader cannot reach is a limit of ours, and the finding says so (message and fix): never "damaged".
    @Test func aLimitOfTheReaderIsSaidAsOurs() throws {
        let result = ElfRanges.settled(.notHeld("PT_DYNAMIC (offset 9, 1 bytes) was not read", offset: 9, count: 1, also: []), held: HeldBytes(size: 16), why: "because")
        guard case .gaveUp(let reason, _) = result else {
            Issue.record("not said as a limit: \(result)")
            return
        }
        #expect(reason == "PT_DYNAMIC (offset 9, 1 bytes) was not read: because")
        let problem = ArtifactProblem(kind: .readerLimit, path: "lib/x.so", message: "ELF file not fully read: \(reason)")
        let artifact = Artifact(path: "function.zip", kind: .zip, entries: [], binaries: [], problems: [problem])
        let target = try TargetCatalog.builtIn.load("aws-lambda-python3.13-x86_64")
        let verdicts = Check.unreadableEntry.verdicts(ArtifactContext(artifact: artifact, target: target))
        #expect(verdicts.count == 1)
        #expect(verdicts.first?.path == "lib/x.so")
        #expect(verdicts.first?.verdict.fix.contains("limit of shiplint's reader") == true)
        #expect(verdicts.first?.verdict.fix.contains("damaged") == false)
    }
}
