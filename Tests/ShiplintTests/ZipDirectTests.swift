import Foundation
import ShiplintFacts
import ShiplintReading
import Testing

/// STORED and DEFLATE entries of a ZIP on disk are read by offset and inflated by zlib, not by libarchive. These
/// ZIPs are made at test time from the recipe's binaries (with Python's zipfile); every one is also read with
/// SHIPLINT_ZIP_VIA_LIBARCHIVE=1 (every entry through libarchive, as before) and with four jobs: the reports must be
/// byte-identical.
@Suite struct ZipDirectTests {
    static let oracleBinaries = FixtureFactsTests.expected.keys.filter { $0.hasPrefix("bin/") }.sorted()

    /// Writes a ZIP of `members` (fixture path, name in the ZIP, method: stored, deflated or bzip2). `descriptor`
    /// writes it as a stream (data descriptors after the data, zeros in the local headers); `damage` is "crc"
    /// (a wrong CRC-32 in both headers of the entry named `target`) or "truncate" (its compressed size halved in both).
    static func makeZip(
        _ path: String, _ members: [(String, String, String)], descriptor: Bool = false, damage: String = "", target: String = ""
    ) throws {
        let script = #"""
            import io, struct, sys, zipfile
            out, descriptor, damage, target = sys.argv[1], sys.argv[2] == "1", sys.argv[3], sys.argv[4]
            methods = {"stored": zipfile.ZIP_STORED, "deflated": zipfile.ZIP_DEFLATED, "bzip2": zipfile.ZIP_BZIP2}
            class Stream:
                def __init__(self): self.data = io.BytesIO()
                def write(self, b): return self.data.write(b)
                def flush(self): pass
            sink = Stream() if descriptor else io.BytesIO()
            with zipfile.ZipFile(sink, "w") as z:
                for i in range(5, len(sys.argv), 3):
                    source, name, method = sys.argv[i:i + 3]
                    z.write(source, name, compress_type=methods[method])
            data = bytearray((sink.data if descriptor else sink).getvalue())
            if damage:
                info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(target)
                local, field = info.header_offset, (14 if damage == "crc" else 18)
                value = (info.CRC ^ 0xFFFF) if damage == "crc" else info.compress_size // 2
                struct.pack_into("<I", data, local + field, value)
                at = data.find(b"PK\x01\x02")
                while at >= 0:
                    length = struct.unpack_from("<H", data, at + 28)[0]
                    if bytes(data[at + 46:at + 46 + length]) == target.encode():
                        struct.pack_into("<I", data, at + field + 2, value)
                    at = data.find(b"PK\x01\x02", at + 46)
            open(out, "wb").write(data)
            """#
        let arguments = ["python3", "-c", script, path, descriptor ? "1" : "0", damage, target]
            + members.flatMap { [Repository.fixture($0.0), $0.1, $0.2] }
        let result = try runProgram("/usr/bin/env", arguments)
        #expect(result.status == 0, "\(result.stderr)")
    }

    static func makeFolder() throws -> String {
        let folder = Scratch.url("shiplint-zipdirect").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    /// The report of `scan` on `zip`, the same through libarchive and on four jobs. `truncation` when a deflate stream
    /// is cut: libarchive says "ZIP decompression failed (-5)" (zlib's Z_BUF_ERROR), shiplint says what happened.
    static func sameReportEveryWay(_ zip: String, command: String = "scan", truncation: Bool = false) throws -> CommandResult {
        var arguments = [command, zip, "--format", "json"]
        if command == "scan" { arguments += ["--target", "aws-lambda-python3.13-x86_64", "--fail-on", "never"] }
        let direct = try Shiplint.run(arguments + ["--jobs", "1"])
        let libarchive = try Shiplint.run(arguments + ["--jobs", "1"], environment: ["SHIPLINT_ZIP_VIA_LIBARCHIVE": "1"])
        let four = try Shiplint.run(arguments + ["--jobs", "4"], environment: ["SHIPLINT_JOBS_EVERY_ZIP": "1"])
        #expect(direct.status == libarchive.status)
        let ours = truncation
            ? direct.stdout.replacing(#/Truncated ZIP file data \(the deflate stream does not end within its \d+ compressed bytes\)/#, with: "ZIP decompression failed (-5)")
            : direct.stdout
        #expect(ours == libarchive.stdout, "direct and libarchive differ for \(zip)")
        #expect(direct.stderr == libarchive.stderr)
        #expect(direct.stdout == four.stdout, "one and four jobs differ for \(zip)")
        return direct
    }

    @Test(arguments: ["stored", "deflated"])
    func oracleBinariesZippedGiveTheRecipesFacts(method: String) throws {
        let folder = try Self.makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let zip = folder + "/oracle-\(method).zip"
        #expect(Self.oracleBinaries.count >= 30)
        try Self.makeZip(zip, Self.oracleBinaries.map { ($0, "lib/" + ($0 as NSString).lastPathComponent, method) })
        let result = try Self.sameReportEveryWay(zip, command: "inspect")
        #expect(result.status == 0, "\(result.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
        let binaries = ((json["artifacts"] as? [[String: Any]])?.first?["binaries"] as? [[String: Any]]) ?? []
        let byPath = Dictionary(binaries.map { (($0["path"] as? String) ?? "", $0) }, uniquingKeysWith: { first, _ in first })
        for artifact in Self.oracleBinaries {
            for (name, fields) in FixtureFactsTests.expected[artifact] ?? [:] {
                let got = try #require(byPath["lib/" + name], "no binary lib/\(name) in the \(method) ZIP")
                for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
                    #expect(FixtureFactsTests.canonical(got[key]) == value, "\(method) \(name) \(key)")
                }
            }
        }
    }

    /// Data descriptors (a ZIP written as a stream), and an entry libarchive must read (bzip2) among direct ones.
    @Test func dataDescriptorsAndOtherMethodsGiveTheSameReport() throws {
        let folder = try Self.makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let members = [
            ("bin/elf/_clean.cpython-313-x86_64-linux-gnu.so", "pkg/_clean.cpython-313-x86_64-linux-gnu.so", "deflated"),
            ("bin/elf/_glibc228.cpython-311-x86_64-linux-gnu.so", "pkg/_glibc228.cpython-311-x86_64-linux-gnu.so", "bzip2"),
            ("bin/pe/_mod.cp313-win_amd64.pyd", "pkg/_mod.cp313-win_amd64.pyd", "stored"),
            ("bin/elf/libfoo.so.1", "pkg/libfoo.so.1", "deflated"),
        ]
        for descriptor in [false, true] {
            let zip = folder + "/mixed-\(descriptor).zip"
            try Self.makeZip(zip, members, descriptor: descriptor)
            let result = try Self.sameReportEveryWay(zip)
            #expect(result.stdout.contains("_glibc228"), "the bzip2 entry is read by libarchive")
            #expect(result.stdout.contains("\"GLIBC_2.28\""), "\(result.stdout)")
        }
    }

    /// Entry types decided from the directory as libarchive decides them: MS-DOS attributes (folder bit, read-only
    /// bit), names ending in `/`, Unix modes without a type, symbolic links stored and deflated (libarchive takes the
    /// stored bytes as the target, so a deflated one goes to libarchive), a FIFO mode, a backslash in a name.
    @Test func entryTypesAreListedAsLibarchiveListsThem() throws {
        let folder = try Self.makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let zip = folder + "/types.zip"
        let script = #"""
            import sys, zipfile
            so = open(sys.argv[2], "rb").read()
            def add(z, name, data, system, attr, method=zipfile.ZIP_STORED):
                info = zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0))
                info.create_system, info.external_attr, info.compress_type = system, attr, method
                z.writestr(info, data)
            with zipfile.ZipFile(sys.argv[1], "w") as z:
                add(z, "dos/", b"", 0, 0x10)
                add(z, "dos/readonly-dir/", b"", 0, 0x11)
                add(z, "dos/lib.so", so, 0, 0x20, zipfile.ZIP_DEFLATED)
                add(z, "dos/readonly.so", so, 0, 0x01)
                add(z, "unix/", b"", 3, (0o040755 << 16) | 0x10)
                add(z, "unix/notype.so", so, 3, 0o755 << 16, zipfile.ZIP_DEFLATED)
                add(z, "unix/slash-file/", b"", 3, 0o100644 << 16)
                add(z, "unix/link.so", b"notype.so", 3, 0o120777 << 16)
                add(z, "unix/deflated-link.so", b"notype.so", 3, 0o120777 << 16, zipfile.ZIP_DEFLATED)
                add(z, "unix/fifo", b"", 3, 0o010644 << 16)
                add(z, "unix/back\slash.so", so, 3, 0o100755 << 16, zipfile.ZIP_DEFLATED)
                add(z, "other-host.so", so, 7, 0, zipfile.ZIP_DEFLATED)
            """#
        let so = Repository.fixture("bin/elf/_clean.cpython-313-x86_64-linux-gnu.so")
        #expect(try runProgram("/usr/bin/env", ["python3", "-c", script, zip, so]).status == 0)
        let result = try Self.sameReportEveryWay(zip, command: "inspect")
        #expect(result.status == 0, "\(result.stderr)")
        let artifact = try ArtifactReader().read(path: zip)
        let types = Dictionary(artifact.entries.map { ($0.path, $0.type) }, uniquingKeysWith: { first, _ in first })
        #expect(types["dos/"] == .directory)
        #expect(types["unix/slash-file/"] == .directory)
        #expect(types["unix/link.so"] == .symlink(target: "notype.so"))
        // A FIFO mode is handed to libarchive, which lists it as a regular file.
        #expect(types["unix/fifo"] == .file)
        #expect(artifact.binaries.count == 5, "\(artifact.binaries.map(\.path))")
    }

    /// An entry read to its end (a PE module is read whole) with a CRC-32 its bytes do not have: an unreadable entry,
    /// named, on both methods.
    @Test(arguments: ["stored", "deflated"])
    func badCRCOfAFullyReadEntryIsAFinding(method: String) throws {
        let folder = try Self.makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let zip = folder + "/badcrc-\(method).zip"
        let name = "pkg/_mod.cp313-win_amd64.pyd"
        try Self.makeZip(
            zip, [("bin/elf/_clean.cpython-313-x86_64-linux-gnu.so", "pkg/_clean.cpython-313-x86_64-linux-gnu.so", method),
                  ("bin/pe/_mod.cp313-win_amd64.pyd", name, method)],
            damage: "crc", target: name)
        let artifact = try ArtifactReader().read(path: zip)
        let problem = try #require(artifact.problems.first)
        #expect(artifact.problems.count == 1)
        #expect(problem.kind == .unreadableEntry)
        #expect(problem.path == name)
        #expect(problem.message.hasPrefix("entry could not be read: ZIP bad CRC"), "\(problem.message)")
        #expect(artifact.binaries.map(\.path) == ["pkg/_clean.cpython-313-x86_64-linux-gnu.so"])
        let result = try Self.sameReportEveryWay(zip)
        #expect(result.stdout.contains("bad CRC"))
    }

    /// A DEFLATE stream cut short (its compressed size halved in both headers): the ELF and the PE module are each
    /// an unreadable entry, and nothing else is lost.
    @Test(arguments: ["pkg/_clean.cpython-313-x86_64-linux-gnu.so", "pkg/_mod.cp313-win_amd64.pyd"])
    func truncatedDeflateStreamIsAFinding(target: String) throws {
        let folder = try Self.makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let zip = folder + "/truncated.zip"
        let members = [
            ("bin/elf/_clean.cpython-313-x86_64-linux-gnu.so", "pkg/_clean.cpython-313-x86_64-linux-gnu.so", "deflated"),
            ("bin/pe/_mod.cp313-win_amd64.pyd", "pkg/_mod.cp313-win_amd64.pyd", "deflated"),
            ("bin/elf/libfoo.so.1", "pkg/libfoo.so.1", "deflated"),
        ]
        try Self.makeZip(zip, members, damage: "truncate", target: target)
        let artifact = try ArtifactReader().read(path: zip)
        #expect(artifact.problems.map(\.kind) == [.unreadableEntry])
        #expect(artifact.problems.first?.path == target)
        #expect(artifact.problems.first?.message.contains("Truncated ZIP file data") == true, "\(artifact.problems)")
        #expect(Set(artifact.binaries.map(\.path)) == Set(members.map(\.1)).subtracting([target]))
        _ = try Self.sameReportEveryWay(zip, truncation: true)
    }

    /// A JAR inside a function: listed from its central directory, only what may be native inflated (its classes are
    /// not), and the same report as libarchive's walk over every entry gives; its JNI library, a JAR inside it, an
    /// extension-less executable and a file named like a class that is not one are found as before.
    @Test func jarInsideIsListedWholeAndOnlyItsNativesRead() throws {
        let folder = try Self.makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let zip = folder + "/java.zip"
        let script = #"""
            import io, sys, zipfile
            so, exe = open(sys.argv[2], "rb").read(), open(sys.argv[3], "rb").read()
            def jar(members):
                out = io.BytesIO()
                with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
                    for name, data in members:
                        z.writestr(name, data)
                return out.getvalue()
            inner = jar([("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\n"), ("linux/aarch64/libinner.so", so)])
            outer = jar([("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\n"), ("com/example/", b"")]
                + [(f"com/example/C{i}.class", b"\xca\xfe\xba\xbe" + bytes(200)) for i in range(300)]
                + [("linux/amd64/libzstd-jni-1.5.5-6.so", so), ("BOOT-INF/lib/inner.jar", inner),
                   ("bin/tool", exe), ("com/example/Odd.class.so", so)])
            with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
                z.writestr("com/example/Handler.class", b"\xca\xfe\xba\xbe")
                z.writestr("lib/app-1.0.jar", outer)
            """#
        let result = try runProgram("/usr/bin/env", [
            "python3", "-c", script, zip, Repository.fixture("bin/elf/libfoo.so.1"), Repository.fixture("bin/elf/bootstrap"),
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try Self.sameReportEveryWay(zip, command: "inspect")
        let json = try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any] ?? [:]
        let artifact = (json["artifacts"] as? [[String: Any]])?.first ?? [:]
        let binaries = Set(((artifact["binaries"] as? [[String: Any]]) ?? []).compactMap { $0["path"] as? String })
        #expect(binaries == [
            "lib/app-1.0.jar!linux/amd64/libzstd-jni-1.5.5-6.so", "lib/app-1.0.jar!BOOT-INF/lib/inner.jar!linux/aarch64/libinner.so",
            "lib/app-1.0.jar!bin/tool", "lib/app-1.0.jar!com/example/Odd.class.so",
        ])
        // Every entry is listed: the function's 2, the JAR's 306 (300 classes), the inner JAR's 2.
        #expect(artifact["entries"] as? Int == 310, "\(artifact["entries"] ?? "none")")
    }
}

/// The files of a folder are read on `--jobs` workers and joined in name order: the report is the one of one job.
@Suite struct FolderJobsTests {
    @Test func oneJobAndFourJobsGiveTheSameReportOnAFolder() throws {
        let folder = try ZipDirectTests.makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let manager = FileManager.default
        for (index, artifact) in ZipDirectTests.oracleBinaries.enumerated() {
            let sub = folder + "/pkg\(index % 3)/" + (index % 2 == 0 ? "lib" : "")
            try manager.createDirectory(atPath: sub, withIntermediateDirectories: true)
            try manager.copyItem(atPath: Repository.fixture(artifact), toPath: sub + "/" + (artifact as NSString).lastPathComponent)
            try Data("print(\(index))\n".utf8).write(to: URL(fileURLWithPath: sub + "/m\(index).py"))
        }
        try manager.createSymbolicLink(atPath: folder + "/pkg0/link.so", withDestinationPath: "lib/libfoo.so.1")
        #expect(mkfifo(folder + "/pkg1/queue", 0o644) == 0)
        let arguments = ["scan", folder, "--target", "aws-lambda-python3.13-x86_64", "--format", "json", "--fail-on", "never"]
        let one = try Shiplint.run(arguments + ["--jobs", "1"])
        let four = try Shiplint.run(arguments + ["--jobs", "4"])
        #expect(one.status == four.status)
        #expect(one.stdout == four.stdout)
        #expect(one.stderr == four.stderr)
        #expect(one.stdout.contains("_glibc228.cpython-311-x86_64-linux-gnu.so"))
        #expect(one.stdout.contains("special file, not read: a FIFO"))
        // An entry cap met while listing: the folder is walked again on one core, with the same result.
        let capped = try Shiplint.run(arguments + ["--jobs", "4", "--max-entries", "20"])
        let cappedOne = try Shiplint.run(arguments + ["--jobs", "1", "--max-entries", "20"])
        #expect(capped.stdout == cappedOne.stdout)
        #expect(capped.stdout.contains("too-many-entries"))
    }
}
