import Foundation
import ShiplintFacts
import ShiplintReading
import Testing

/// A nested archive is opened from memory: the archives of one nest may hold at most `--max-nested-bytes` together
/// (default 8M), so a nest of large archives costs that, not the 2 GiB artifact cap (issue #10: peak memory).
@Suite struct NestedArchiveCapTests {
    @Test func nestedArchiveOverTheCapIsAFinding() throws {
        let result = try Shiplint.run([
            "scan", Repository.fixture("artifacts/layer-nested.zip"), "--target", "aws-lambda-python3.13-x86_64", "--max-nested-bytes", "1K",
        ])
        #expect(result.status == 1)
        #expect(result.stdout.contains("python/vendor/pkg-1.0-cp313-cp313-manylinux_2_17_x86_64.whl\n    error[unreadable-entry] nested archive declares 2128 bytes, over the cap of 1024 bytes held for nested archives at once"), "\(result.stdout)")
        #expect(result.stdout.contains("raise --max-nested-bytes"))
        // Nothing of the wheel was read.
        let json = try Shiplint.run([
            "inspect", Repository.fixture("artifacts/layer-nested.zip"), "--format", "json", "--max-nested-bytes", "1K",
        ])
        #expect(json.status == 0)
        #expect(json.stdout.contains("\"kind\": \"nested-archive-too-large\""))
        #expect(!json.stdout.contains(".whl!"))
    }

    /// The cap counts every level of a nest: an inner archive that fits alone but not beside the ones it is in.
    @Test func capCountsTheArchivesAroundIt() throws {
        let limits = ReadLimits(entryBytes: 1 << 20, artifactBytes: 1 << 30, nestingDepth: 3, entries: 1000, nestedArchiveBytes: 3072)
        let artifact = try readArtifact("artifacts/hostile/nested-bomb.zip", limits: limits)
        #expect(artifact.problems.map(\.kind) == [.nestedArchiveTooLarge])
        #expect(artifact.problems.first?.path == "nested-11.zip!nested-10.zip")
        #expect(artifact.problems.first?.message.contains("declares 2121 bytes; with the 2168 bytes of the archives it is inside, that passes the cap of 3072 bytes") == true)
    }

    /// The default lets the fixtures' nested wheel be read: the library inside it is found.
    @Test func defaultCapOpensSmallNestedArchives() throws {
        let artifact = try readArtifact("artifacts/layer-nested.zip")
        #expect(ReadLimits.defaults.nestedArchiveBytes == 8 << 20)
        #expect(artifact.problems.isEmpty, "\(artifact.problems)")
        #expect(artifact.binaries.contains { $0.path.hasPrefix("python/vendor/pkg-1.0-cp313-cp313-manylinux_2_17_x86_64.whl!") })
    }
}
