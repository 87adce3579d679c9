import Foundation
import ShiplintFacts
import ShiplintReading
import Testing

/// A nested archive is opened from memory when the archives of one nest hold at most `--max-nested-bytes` together
/// (default 8M); a larger one is read straight out of its entry, front to back, holding one block (issue #10: peak
/// memory, "a nested archive is streamed too").
@Suite struct NestedArchiveCapTests {
    @Test func nestedArchiveOverTheCapIsStreamedWithTheSameReport() throws {
        let layer = Repository.fixture("artifacts/layer-nested.zip")
        let streamed = try Shiplint.run(["scan", layer, "--target", "aws-lambda-python3.13-x86_64", "--max-nested-bytes", "1K", "--format", "json"])
        let held = try Shiplint.run(["scan", layer, "--target", "aws-lambda-python3.13-x86_64", "--format", "json"])
        #expect(streamed.status == held.status)
        #expect(streamed.stdout == held.stdout)
        let json = try Shiplint.run(["inspect", layer, "--format", "json", "--max-nested-bytes", "1K"])
        #expect(json.status == 0)
        #expect(!json.stdout.contains("nested-archive-too-large"))
        #expect(json.stdout.contains("\"path\": \"python/vendor/pkg-1.0-cp313-cp313-manylinux_2_17_x86_64.whl!pkg/_clean.cpython-313-x86_64-linux-gnu.so\""), "\(json.stdout)")
    }

    /// A tar.gz in a folder, streamed out of the file: the same binaries as when it is held.
    @Test func aTarInAFolderIsStreamed() throws {
        let folder = try ExplainTests.folder(["app.py": "", "vendor/function.tar.gz": "fixtures/artifacts/function-clean.tar.gz"])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let streamed = try Shiplint.run(["inspect", folder, "--format", "json", "--max-nested-bytes", "1K"])
        let held = try Shiplint.run(["inspect", folder, "--format", "json"])
        #expect(streamed.status == 0)
        #expect(streamed.stdout == held.stdout)
        #expect(streamed.stdout.contains("vendor/function.tar.gz!"))
    }

    /// Streaming does not lift the nesting cap: a nest of ZIPs stops at the same depth either way.
    @Test func streamedNestsStopAtTheNestingCap() throws {
        let limits = ReadLimits(entryBytes: 1 << 20, artifactBytes: 1 << 30, nestingDepth: 3, entries: 1000, nestedArchiveBytes: 3072)
        let artifact = try readArtifact("artifacts/hostile/nested-bomb.zip", limits: limits)
        #expect(artifact.problems.map(\.kind) == [.nestingTooDeep])
        #expect(artifact.problems.first?.path == "nested-11.zip!nested-10.zip!nested-09.zip!nested-08.zip")
    }

    /// The default lets the fixtures' nested wheel be read: the library inside it is found.
    @Test func defaultCapOpensSmallNestedArchives() throws {
        let artifact = try readArtifact("artifacts/layer-nested.zip")
        #expect(ReadLimits.defaults.nestedArchiveBytes == 8 << 20)
        #expect(artifact.problems.isEmpty, "\(artifact.problems)")
        #expect(artifact.binaries.contains { $0.path.hasPrefix("python/vendor/pkg-1.0-cp313-cp313-manylinux_2_17_x86_64.whl!") })
    }
}
