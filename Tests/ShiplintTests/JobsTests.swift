import Foundation
import Testing

/// `--jobs N` reads the entries of one ZIP on N handles and several artifacts at once; the report must not show it.
@Suite struct JobsTests {
    /// Every fixture artifact (archives, folders, and the single binaries), found on disk so a new one is included.
    static let artifacts: [String] = {
        let root = Repository.fixture("artifacts")
        var found: [String] = []
        let enumerator = FileManager.default.enumerator(atPath: root)
        while let relative = enumerator?.nextObject() as? String {
            let path = root + "/" + relative
            var isFolder: ObjCBool = false
            FileManager.default.fileExists(atPath: path, isDirectory: &isFolder)
            let top = relative.split(separator: "/").count
            if isFolder.boolValue ? (relative == "folder-build" || relative == "function-clean") : top <= 3 {
                found.append("artifacts/" + relative)
                if isFolder.boolValue { enumerator?.skipDescendants() }
            }
        }
        return found.sorted()
    }()

    @Test func thereAreManyArtifacts() {
        #expect(Self.artifacts.count >= 40, "\(Self.artifacts)")
    }

    @Test(arguments: artifacts)
    func oneJobAndFourJobsGiveTheSameReport(artifact: String) throws {
        let arguments = ["scan", Repository.fixture(artifact), "--target", "aws-lambda-python3.13-x86_64", "--format", "json", "--fail-on", "never"]
        let one = try Shiplint.run(arguments + ["--jobs", "1"])
        let four = try Shiplint.run(arguments + ["--jobs", "4"])
        #expect(one.status == four.status)
        #expect(one.stdout == four.stdout, "\(artifact)")
        #expect(one.stderr == four.stderr, "\(artifact)")
    }

    /// Several artifacts at once, reported in the order given.
    @Test func severalArtifactsKeepTheirOrder() throws {
        let paths = Self.artifacts.filter { $0.hasSuffix(".zip") }.prefix(8).map(Repository.fixture)
        let one = try Shiplint.run(["inspect"] + paths + ["--format", "json", "--jobs", "1"])
        let four = try Shiplint.run(["inspect"] + paths + ["--format", "json", "--jobs", "4"])
        #expect(one.stdout == four.stdout)
        #expect(one.stdout.contains(paths[0]))
    }

    /// Caps count over the whole artifact in entry order: with a cap met, the parallel read gives way to one handle.
    @Test func capsGiveTheSameReport() throws {
        let path = Repository.fixture("artifacts/hostile/many-entries.zip")
        let one = try Shiplint.run(["inspect", path, "--format", "json", "--max-entries", "1000", "--jobs", "1"])
        let four = try Shiplint.run(["inspect", path, "--format", "json", "--max-entries", "1000", "--jobs", "4"])
        #expect(one.stdout == four.stdout)
        #expect(one.stdout.contains("too-many-entries"))
    }
}
