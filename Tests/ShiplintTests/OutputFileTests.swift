import Foundation
import Testing

/// Report files never replace a file the user could not write (issue 28, measured on main: `--output ro.txt` and
/// `--report json=ro.json` replaced a read-only file, by a temporary file and a rename, without a word).
@Suite struct OutputFileTests {
    static let scan = ["scan", Repository.fixture("artifacts/function-clean.zip"), "--target", "aws-lambda-python3.13-x86_64", "--no-config"]

    static func readOnly(_ project: ScratchProject, _ name: String) throws {
        try project.write(name, "kept\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: project.path(name))
    }

    @Test(arguments: [["--output", "ro.txt"], ["--report", "json=ro.txt"], ["--format", "json", "--output", "ro.txt"]])
    func aReadOnlyReportFileIsRefused(arguments: [String]) throws {
        let project = try ScratchProject()
        try Self.readOnly(project, "ro.txt")
        let result = try project.run(Self.scan + arguments)
        #expect(result.status == 2)
        #expect(result.stderr == "shiplint: error: cannot write ro.txt: it is read-only (mode 444); shiplint does not replace a file you could not write (make it writable, or name another file)\n", "\(result.stderr)")
        #expect(try project.read("ro.txt") == "kept\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: project.root.path) == ["ro.txt"])
    }

    @Test func aReadOnlyBaselineIsNotReplaced() throws {
        let project = try ScratchProject()
        try Self.readOnly(project, "baseline.json")
        let result = try project.run(["baseline", "write", "baseline.json", Repository.fixture("artifacts/function-windows.zip"), "--target", "aws-lambda-python3.13-x86_64", "--no-config"])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("cannot write baseline.json: it is read-only (mode 444)"))
        #expect(try project.read("baseline.json") == "kept\n")
    }

    @Test func inspectRefusesAReadOnlyFileToo() throws {
        let project = try ScratchProject()
        try Self.readOnly(project, "facts.json")
        let result = try project.run(["inspect", Repository.fixture("artifacts/function-clean.zip"), "--format", "json", "--output", "facts.json"])
        #expect(result.status == 2)
        #expect(try project.read("facts.json") == "kept\n")
    }

    /// A writable file is still replaced whole, by a rename (a new inode), keeping its permissions; no temporary
    /// file is left behind.
    @Test func aWritableFileIsReplacedAtomicallyWithItsMode() throws {
        let project = try ScratchProject()
        try project.write("report.txt", "old\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: project.path("report.txt"))
        let before = try #require(try FileManager.default.attributesOfItem(atPath: project.path("report.txt"))[.systemFileNumber] as? UInt64)
        let result = try project.run(Self.scan + ["--output", "report.txt"])
        #expect(result.status == 0, "\(result.stderr)")
        let attributes = try FileManager.default.attributesOfItem(atPath: project.path("report.txt"))
        #expect(attributes[.systemFileNumber] as? UInt64 != before)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(try project.read("report.txt").contains("no findings"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: project.root.path) == ["report.txt"])
    }

    /// Through a symbolic link the report lands in the file it names; the link stays.
    @Test func aLinkedReportFileIsWrittenThroughTheLink() throws {
        let project = try ScratchProject()
        try project.makeFolder("reports")
        try project.write("reports/last.txt", "old\n")
        try FileManager.default.createSymbolicLink(atPath: project.path("report.txt"), withDestinationPath: "reports/last.txt")
        let result = try project.run(Self.scan + ["--output", "report.txt"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: project.path("report.txt")) == "reports/last.txt")
        #expect(try project.read("reports/last.txt").contains("no findings"))
    }

    /// A link to a read-only file is refused like the file.
    @Test func aLinkToAReadOnlyFileIsRefused() throws {
        let project = try ScratchProject()
        try Self.readOnly(project, "ro.txt")
        try FileManager.default.createSymbolicLink(atPath: project.path("report.txt"), withDestinationPath: "ro.txt")
        let result = try project.run(Self.scan + ["--output", "report.txt"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("cannot write report.txt: it is read-only (mode 444)"))
        #expect(try project.read("ro.txt") == "kept\n")
    }
}
