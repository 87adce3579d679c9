import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// What CI and people see around the findings: several reports from one scan, --quiet, the summary, suggestions,
/// aliases, colour, progress, help texts and messages for outputs that cannot be written.
@Suite struct CommandLineTests {
    static let scan = ["scan", "fixtures/artifacts/function-windows.zip", "--target", "aws-lambda-python3.13-x86_64", "--no-config"]

    @Test func severalReportsFromOneScan() throws {
        let project = try ScratchProject()
        try project.copyFixture("function-windows.zip", to: "f.zip")
        let arguments = ["scan", "f.zip", "--target", "aws-lambda-python3.13-x86_64", "--no-config"]
        let result = try project.run(arguments + ["--report", "sarif=out.sarif", "--report", "junit=out.xml", "--format", "github", "--output", "gh.txt"])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty && result.stderr.isEmpty)
        #expect(try project.read("out.sarif") == (try project.run(arguments + ["--format", "sarif"])).stdout)
        #expect(try project.read("out.xml") == (try project.run(arguments + ["--format", "junit"])).stdout)
        #expect(try project.read("gh.txt") == (try project.run(arguments + ["--format", "github"])).stdout)
        // Without --output, the text report still goes to standard output.
        let withText = try project.run(arguments + ["--report", "json=out.json"])
        #expect(withText.stdout.contains("error[windows-binary]"))
        #expect(try project.read("out.json").hasPrefix("{"))
    }

    @Test(arguments: [
        (["--output", "nodir/x.txt"], "shiplint: error: cannot write nodir/x.txt: the folder nodir does not exist\n"),
        (["--report", "sarif=nodir/x.sarif"], "shiplint: error: cannot write nodir/x.sarif: the folder nodir does not exist\n"),
        (["--output", "a.txt", "--report", "junit=a.txt"], "shiplint: error: a.txt is named for two reports\n"),
    ])
    func unwritableOutputIsAClearMessage(options: [String], message: String) throws {
        let project = try ScratchProject()
        try project.copyFixture("function-windows.zip", to: "f.zip")
        let result = try project.run(["scan", "f.zip", "--target", "aws-lambda-python3.13-x86_64", "--no-config"] + options)
        #expect(result.status == 2)
        #expect(result.stderr == message)
        #expect(result.stdout.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: project.root.path) == ["f.zip"])
    }

    @Test func quietShowsOnlyFindingsAndTheSummary() throws {
        let result = try Shiplint.run(["scan", "fixtures/artifacts/function-clean.zip", "fixtures/artifacts/function-windows.zip",
                                       "--target", "aws-lambda-python3.13-x86_64", "--no-config", "--quiet"])
        #expect(result.status == 1)
        #expect(!result.stdout.contains("function-clean.zip"))
        #expect(!result.stdout.contains("no findings"))
        #expect(result.stdout.hasPrefix("fixtures/artifacts/function-windows.zip  (zip, 4 entries, 1 binary)\n"))
        #expect(result.stdout.hasSuffix("2 errors, 1 warning in 2 artifacts for aws-lambda-python3.13-x86_64 (Amazon Linux 2023 (python3.13), glibc 2.34); by check: windows-binary 1, python-abi-mismatch 1, wheel-tag-mismatch 1\n"))
        #expect(result.stderr.isEmpty)
    }

    /// Nine copies of one module need the same fix: it is printed once, then referred to.
    @Test func identicalFixesAreShownOnce() throws {
        let result = try Shiplint.run(["scan", "fixtures/artifacts", "--target", "aws-lambda-python3.11-x86_64", "--no-config", "--quiet"])
        let fix = "fix: Install the package built for CPython 3.11 on x86_64 Linux"
        #expect(result.stdout.components(separatedBy: fix).count == 2)
        // The first finding with that fix (in path order) shows it; later ones point back at it.
        #expect(result.stdout.contains("fix: same as for big/late-tables-library.zip!_useslatetables.cpython-313-x86_64-linux-gnu.so above"))
    }

    @Test(arguments: [
        (["scan", "x.zip", "--target", "aws-lambda-pyton3.13-x86_64"], Int32(2), "no built-in target of that name and no such file; did you mean aws-lambda-python3.13-x86_64?"),
        (["checks", "show", "exec-stak"], Int32(2), "no check 'exec-stak'; did you mean 'exec-stack'? (`shiplint checks` lists them)"),
        (["scna", "x.zip"], Int32(64), "unknown subcommand 'scna'; did you mean 'scan'? (`shiplint --help` lists them)"),
        (["inspec", "x.zip"], Int32(64), "unknown subcommand 'inspec'; did you mean 'inspect'?"),
    ])
    func typosGetSuggestions(arguments: [String], status: Int32, message: String) throws {
        let result = try Shiplint.run(arguments)
        #expect(result.status == status)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    @Test(arguments: [("aws-lambda-python3.13-amd64", "aws-lambda-python3.13-x86_64"), ("aws-lambda-provided.al2023-aarch64", "aws-lambda-provided.al2023-arm64")])
    func architectureAliases(alias: String, name: String) throws {
        let result = try Shiplint.run(["scan", "fixtures/artifacts/function-clean.zip", "--target", alias, "--no-config"])
        #expect(result.stdout.contains(" for \(name) ("))
        #expect(result.status == (name.hasSuffix("arm64") ? 1 : 0))
    }

    @Test(arguments: [
        (["--color", "always"], ["NO_COLOR": "1"], true),
        ([], ["NO_COLOR": "", "FORCE_COLOR": "1"], true),
        (["--color", "never"], ["NO_COLOR": "", "FORCE_COLOR": "1"], false),
        ([], ["NO_COLOR": "", "FORCE_COLOR": "0"], false),
        ([], ["NO_COLOR": ""], false),
    ])
    func colour(options: [String], environment: [String: String], coloured: Bool) throws {
        let result = try Shiplint.run(Self.scan + options, environment: environment)
        #expect(result.stdout.contains("\u{1B}[") == coloured)
    }

    /// NO_COLOR only counts when non-empty, TERM=dumb means no colour: checked on a real terminal (script(1)).
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/usr/bin/script")), arguments: [
        (["NO_COLOR": ""], true), (["NO_COLOR": "1"], false), (["NO_COLOR": "", "TERM": "dumb"], false),
    ])
    func colourOnATerminal(environment: [String: String], coloured: Bool) throws {
        let command = try ([Repository.binary] + Self.scan).joined(separator: " ")
        let result = try runProgram("/usr/bin/script", ["-qec", command, "/dev/null"], environment: environment.merging(["TERM": environment["TERM"] ?? "xterm"]) { $1 })
        #expect(result.stdout.contains("\u{1B}[1m") == coloured, "\(result.stdout.prefix(200))")
    }

    /// Progress goes to a terminal's standard error only, and is cleared before the report; never into a pipe or file.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/usr/bin/script")))
    func progressOnlyOnATerminal() throws {
        let project = try ScratchProject()
        let command = try ([Repository.binary] + Self.scan + ["--output", project.path("out.txt")]).joined(separator: " ")
        let terminal = try runProgram("/usr/bin/script", ["-qec", command, "/dev/null"], environment: ["SHIPLINT_PROGRESS_AFTER": "0", "TERM": "xterm"])
        #expect(terminal.stdout.contains("\r\u{1B}[K"))
        #expect(terminal.stdout.contains("function-windows.zip (1 of 1)") || terminal.stdout.contains("judging 1 artifact"))
        let report = try project.read("out.txt")
        #expect(!report.contains("\u{1B}") && !report.contains("judging"))
        let piped = try Shiplint.run(Self.scan, environment: ["SHIPLINT_PROGRESS_AFTER": "0"])
        #expect(piped.stderr.isEmpty)
    }

    @Test func helpTexts() throws {
        let root = try Shiplint.run(["--help"]).stdout
        let table = try #require(root.components(separatedBy: "EXIT STATUS\n").last?.components(separatedBy: "\n\n").first)
        // Every row and continuation is indented: nothing wrapped to column 0.
        for line in table.split(separator: "\n") { #expect(line.hasPrefix(" "), "wrapped: \(line)") }
        #expect(table.split(separator: "\n").count == 7)
        let scan = try Shiplint.run(["scan", "--help"]).stdout
        #expect(scan.contains("(default: 256M)"))
        #expect(scan.contains("(default: 2G)"))
        #expect(!scan.contains("ByteCount"))
    }

    /// Two missing libraries on one binary are two JUnit cases with distinct names.
    @Test func junitCaseNamesAreUnique() throws {
        let result = try Shiplint.run(["scan", "fixtures/artifacts/resolve/missing-system.zip", "--target", "aws-lambda-python3.13-x86_64", "--no-config", "--format", "junit"])
        let document = try XMLDocument(xmlString: result.stdout)
        let names = try document.nodes(forXPath: "//testcase").compactMap { ($0 as? XMLElement)?.attribute(forName: "name")?.stringValue }
        #expect(Set(names).count == names.count)
        #expect(names.contains("pkg/_system.cpython-313-x86_64-linux-gnu.so [missing-library] (libGL.so.1)"))
        #expect(names.contains("pkg/_system.cpython-313-x86_64-linux-gnu.so [missing-library] (libpq.so.5)"))
        #expect(try document.nodes(forXPath: "//failure").count == 2)
    }
}

/// A report that cannot be written is not a pass: standard output on a full disk is exit 2 with a message.
@Suite struct ReportDeliveryTests {
    @Test func aFullStandardOutputIsExitTwo() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Repository.binary)
        process.arguments = ["scan", "fixtures/artifacts/function-clean.zip", "--target", "aws-lambda-python3.13-x86_64", "--no-config"]
        process.currentDirectoryURL = URL(fileURLWithPath: Repository.root)
        let full = try #require(FileHandle(forWritingAtPath: "/dev/full"))
        let errors = Pipe()
        process.standardOutput = full
        process.standardError = errors
        process.standardInput = Pipe()
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 2)
        #expect(message.contains("cannot write the report to standard output"))
    }
}

/// `--output /dev/null` writes into the device: an atomic write would rename a regular file over /dev/null.
@Suite struct OutputDeviceTests {
    @Test func outputToDevNullKeepsTheDevice() throws {
        let result = try Shiplint.run(["scan", "fixtures/artifacts/function-clean.zip", "--target", "aws-lambda-python3.13-x86_64", "--no-config", "--output", "/dev/null"])
        #expect(result.status == 0, "\(result.stderr)")
        var status = stat()
        #expect(lstat("/dev/null", &status) == 0)
        #expect(status.st_mode & S_IFMT == S_IFCHR, "/dev/null is no longer a character device")
    }
}

/// The end-to-end tests never run a binary older than its sources: they fail saying how to rebuild it.
@Suite struct StaleBinaryTests {
    @Test func aBinaryOlderThanASourceIsRefused() throws {
        let folder = Scratch.url("shiplint-stale").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let binary = folder + "/shiplint"
        let source = folder + "/Check.swift"
        try "binary".write(toFile: binary, atomically: true, encoding: .utf8)
        try "source".write(toFile: source, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -60)], ofItemAtPath: binary)
        let stale = try #require(Repository.staleness(of: binary, builtFrom: [source]))
        #expect(stale.contains("is older than \(source)") && stale.contains("swift build --product shiplint"))
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -120)], ofItemAtPath: source)
        #expect(Repository.staleness(of: binary, builtFrom: [source]) == nil)
        #expect(Repository.staleness(of: folder + "/missing", builtFrom: [source])?.contains("does not exist") == true)
    }

    /// This run's own binary is fresh, or every end-to-end test has already failed saying why.
    @Test func theBinaryUnderTestIsFresh() throws {
        #expect(Repository.freshness == nil, "\(Repository.freshness ?? "")")
    }
}
