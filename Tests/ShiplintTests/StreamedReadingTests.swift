import Foundation
import ShiplintChecks
import ShiplintFacts
import ShiplintReading
import ShiplintTargets
import Testing

/// An entry is streamed once and only the ranges its facts need are held: the per-entry cap bounds what is held,
/// not the file's size; what cannot be read is present but unverified, never missing.
@Suite struct StreamedReadingTests {
    static let padded = "artifacts/big/padded-library.zip"

    /// lib/libpadded.so.1 is 48 MiB (its code is padding; PT_DYNAMIC sits after it): read with 1 MiB held at most.
    @Test func largeLibraryIsReadHoldingOnlyItsTables() throws {
        let limits = ReadLimits(entryBytes: 1 << 20, artifactBytes: 1 << 30, nestingDepth: 3, entries: 1000)
        let artifact = try readArtifact(Self.padded, limits: limits)
        #expect(artifact.problems.isEmpty, "\(artifact.problems)")
        #expect(artifact.entries.first { $0.path == "lib/libpadded.so.1" }?.size == 50_333_552)
        let library = try #require(binary(artifact, "lib/libpadded.so.1"))
        guard case .elf(let facts)? = library.facts else {
            Issue.record("no facts: \(library.problem ?? "")")
            return
        }
        #expect(facts.soname == "libpadded.so.1")
        #expect(facts.exportedSymbols.map(\.name).sorted() == ["dep_function", "padded_function"])
        let module = try #require(binary(artifact, "_usespadded.cpython-313-x86_64-linux-gnu.so"))
        guard case .elf(let moduleFacts)? = module.facts else {
            Issue.record("no facts: \(module.problem ?? "")")
            return
        }
        #expect(moduleFacts.needed == ["libpadded.so.1", "libc.so.6"])
        #expect(moduleFacts.runpath == ["$ORIGIN/lib"])
    }

    /// The same, as a user runs it: inspect with --max-entry-bytes 1M finds the library's SONAME.
    @Test func inspectWithASmallCap() throws {
        let result = try Shiplint.run(["inspect", Repository.fixture(Self.padded), "--max-entry-bytes", "1M"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("lib/libpadded.so.1\n    format      ELF 64-bit little endian, x86_64, dyn, OS ABI sysv\n    soname      libpadded.so.1"), "\(result.stdout)")
        #expect(!result.stdout.contains("problem"))
    }

    static let lateTables = "artifacts/big/late-tables-library.zip"

    /// lib/liblatetables.so.1 (8.4 MB) is laid out as the OpenBLAS scs and cvxpy bundle and opencv-python's Qt
    /// libraries are (fixtures/src/tools/late_tables.py): its relocations end past the first megabyte, 6 MiB of code
    /// follow, then PT_DYNAMIC, and a build-id note and the string table end the file as patchelf leaves them. A stream
    /// meets them in an order the reader does not ask for them in (the note before PT_DYNAMIC, the string table after
    /// it, the relocations long before both): before, each one behind the stream cost a pass, and the third gave a
    /// false `unreadable-entry` "the relocations (DT_RELA) … went by unkept on each of 3 passes" on a library that
    /// loads. Every way of reading the ZIP gives the facts of the file read alone, in at most two passes.
    @Test func tablesInAnyOrderAreReadInTwoPasses() throws {
        let folder = try ZipDirectTests.makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let unzip = try runProgram("/usr/bin/env", ["python3", "-m", "zipfile", "-e", Repository.fixture(Self.lateTables), folder])
        try #require(unzip.status == 0, "\(unzip.stderr)")
        let alone = try ArtifactReader().read(path: folder + "/lib/liblatetables.so.1")
        let library = try #require(alone.binaries.first)
        guard case .elf(let facts)? = library.facts else {
            Issue.record("no facts: \(library.problem ?? "")")
            return
        }
        #expect(facts.soname == "liblatetables.so.1")
        #expect(facts.needed == ["libc.so.6"])
        #expect(facts.versionNeeds.flatMap(\.names) == ["GLIBC_2.2.5"])
        #expect(facts.exportedSymbols.count == 1024 + 3, "\(facts.exportedSymbols.count)")
        #expect(facts.loader.unreadTables.isEmpty, "\(facts.loader.unreadTables)")
        for jobs in [1, 2] {
            let artifact = try ArtifactReader(jobs: jobs).read(path: Repository.fixture(Self.lateTables))
            #expect(artifact.problems.isEmpty, "\(jobs) jobs: \(artifact.problems)")
            #expect(binary(artifact, "lib/liblatetables.so.1")?.facts.debugDescription == library.facts.debugDescription, "\(jobs) jobs")
        }
        for environment in [["SHIPLINT_DEBUG_RANGES": "1"], ["SHIPLINT_DEBUG_RANGES": "1", "SHIPLINT_ZIP_VIA_LIBARCHIVE": "1"]] {
            let result = try Shiplint.run(["scan", Repository.fixture(Self.lateTables), "--target", "aws-lambda-python3.13-x86_64"], environment: environment)
            #expect(result.status == 0 && result.stdout.contains("0 errors, 0 warnings"), "\(environment): \(result.stdout)")
            #expect(!result.stderr.contains("pass 3 "), "\(environment): \(result.stderr)")
        }
    }

    /// A held cap too small for the tables: a named problem on the entry, never a wrong fact.
    @Test func tablesOverTheHeldCapAreANamedProblem() throws {
        let limits = ReadLimits(entryBytes: 1024, artifactBytes: 1 << 30, nestingDepth: 3, entries: 1000)
        let artifact = try readArtifact("artifacts/function-clean.zip", limits: limits)
        let problem = try #require(artifact.problems.first)
        #expect(problem.kind == .entryTooLarge)
        #expect(problem.message.hasPrefix("the tables its facts need take more than the per-entry cap of 1024 bytes held"))
    }

    /// A window of 1 KiB (cap 4 KiB) leaves PT_DYNAMIC and the tables behind the stream: a second pass reads them,
    /// and the facts are those of the file read whole.
    @Test func secondPassFindsTablesBehindTheStream() throws {
        let limits = ReadLimits(entryBytes: 4096, artifactBytes: 1 << 30, nestingDepth: 3, entries: 1000)
        for fixture in ["artifacts/function-glibc228.zip", "artifacts/function-clean.tar.xz", "artifacts/layer-nested.zip"] {
            let small = try readArtifact(fixture, limits: limits)
            let whole = try readArtifact(fixture)
            #expect(small.problems.isEmpty, "\(fixture): \(small.problems)")
            #expect(small.binaries.map(\.facts.debugDescription) == whole.binaries.map(\.facts.debugDescription), "\(fixture)")
        }
    }

    /// Past the artifact's inflate cap the library is not read: the module that needs it does not get a false
    /// missing-library; the library has its own finding.
    @Test func unreadLibraryIsPresentNotMissing() throws {
        let result = try Shiplint.run([
            "scan", Repository.fixture(Self.padded), "--target", "aws-lambda-python3.13-x86_64", "--max-artifact-bytes", "1M",
        ])
        #expect(result.status == 1)
        #expect(result.stdout.contains("error[unreadable-entry] reading this entry would pass the cap of 1048576 bytes inflated for the whole artifact"))
        #expect(!result.stdout.contains("missing-library"), "\(result.stdout)")
        let tree = try Shiplint.run([
            "inspect", Repository.fixture(Self.padded), "--tree", "--target", "aws-lambda-python3.13-x86_64", "--max-artifact-bytes", "1M",
        ])
        #expect(tree.stdout.contains("libpadded.so.1 => /var/task/lib/libpadded.so.1 [present, not read]"), "\(tree.stdout)")
    }

    /// 100,000 repeated DT_NEEDED are resolved once each.
    @Test func repeatedNeededIsResolvedOnce() throws {
        let module = SampleBinary.elf("_mod.cpython-313-x86_64-linux-gnu.so", needed: Array(repeating: "libc.so.6", count: 100_000) + ["libm.so.6"])
        let artifact = Artifact(path: "function.zip", kind: .zip, entries: [], binaries: [module], problems: [])
        let graph = LoaderModel.graph(function: artifact, layers: [], target: try TargetCatalog.builtIn.load("aws-lambda-python3.13-x86_64"))
        #expect(graph.loads.flatMap(\.edges).map(\.soname) == ["libc.so.6", "libm.so.6"])
    }
}

extension Optional where Wrapped == BinaryFacts {
    var debugDescription: String { map { "\($0)" } ?? "nil" }
}

/// Only entries whose name or mode could make them native code or an archive are looked into.
@Suite struct SniffRuleTests {
    @Test func textNamedFilesAreNotRead() throws {
        let folder = Scratch.url("shiplint-sniff").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let elf = Repository.fixture("bin/elf/_clean.cpython-313-x86_64-linux-gnu.so")
        let names = [
            "pkg/_clean.cpython-313-x86_64-linux-gnu.so", "pkg/data.json", "node_modules/x/index.js", "node_modules/x/index.d.ts",
            "node_modules/x/index.js.map", "pkg/module.py", "bin/tool.dat", "handler", "lib/libssl.so.1.0.2k",
            // Case does not matter to the rule; ASCII names are judged on their bytes, others by the general rule.
            "pkg/LIBZ.SO", "pkg/libzstd.So.1", "sbin/helper.txt", "pkg/.hidden", "pkg/notes.txt", "pkg/é.js", "pkg/é",
        ]
        for name in names {
            let path = folder + "/" + name
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: elf, toPath: path)
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        }
        let executable = folder + "/pkg/run.sh"
        try FileManager.default.copyItem(atPath: elf, toPath: executable)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: executable)
        let artifact = try ArtifactReader().read(path: folder)
        #expect(artifact.entries.count == names.count + 7)  // files + folders pkg, node_modules, node_modules/x, bin, lib, sbin
        #expect(artifact.binaries.map(\.path).sorted() == [
            "bin/tool.dat", "handler", "lib/libssl.so.1.0.2k", "pkg/.hidden", "pkg/LIBZ.SO", "pkg/_clean.cpython-313-x86_64-linux-gnu.so",
            "pkg/libzstd.So.1", "pkg/run.sh", "pkg/é", "sbin/helper.txt",
        ])
    }
}
