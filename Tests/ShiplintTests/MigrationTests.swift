import Foundation
import ShiplintFacts
@testable import ShiplintReports
import ShiplintScan
import ShiplintTargets
import Testing

/// `scan --target A --target B` and `--to`: one reading judged against several targets, a matrix of what holds and
/// what breaks, in every format; and `--format markdown` for pull requests.
@Suite struct MigrationTests {
    static let glibc228 = ["scan", "fixtures/artifacts/function-glibc228.zip", "--target", "aws-lambda-python3.11-x86_64", "--no-config"]

    static func matrix(_ arguments: [String], in folder: String? = nil) throws -> (status: Int32, document: [String: Any], stderr: String) {
        let result = try Shiplint.run(arguments + ["--format", "json"], in: folder)
        let document = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
        return (result.status, document, result.stderr)
    }

    static func cells(_ document: [String: Any], row: Int = 0) -> [[String: Any]] {
        ((document["rows"] as? [[String: Any]])?[row]["cells"] as? [[String: Any]]) ?? []
    }

    static func checks(_ cell: [String: Any], _ key: String) -> [String] {
        ((cell[key] as? [[String: Any]]) ?? []).map { "\($0["check"] as? String ?? "")@\($0["path"] as? String ?? "")" }
    }

    /// python3.11 x86_64 with a module needing GLIBC_2.28 (AL2 has 2.26): on python3.13 (AL2023, glibc 2.34) the glibc
    /// error goes away and the CPython 3.11 module is not imported; on arm64 the x86_64 module breaks as well.
    @Test func artifactsMovedToAnotherRuntimeAndArchitecture() throws {
        let (status, document, _) = try Self.matrix(Self.glibc228 + ["--to", "python3.13", "--to", "arm64"])
        #expect(status == 1)
        #expect(document["schema"] as? Int == 3)
        let columns = try #require(document["columns"] as? [[String: Any]])
        #expect(columns.map { $0["name"] as? String } == ["aws-lambda-python3.11-x86_64", "python3.13", "arm64"])
        #expect(columns.map { $0["required"] as? Bool } == [true, false, false])
        let cells = Self.cells(document)
        #expect(cells.map { ($0["target"] as? [String: Any])?["name"] as? String }
            == ["aws-lambda-python3.11-x86_64", "aws-lambda-python3.13-x86_64", "aws-lambda-python3.11-arm64"])
        #expect(cells.map { $0["status"] as? String } == ["breaks", "breaks", "breaks"])
        let module = "pkg/_glibc228.cpython-311-x86_64-linux-gnu.so"
        #expect(Self.checks(cells[0], "breaking") == ["glibc-too-new@\(module)"])
        #expect(Self.checks(cells[1], "breaking") == ["python-abi-mismatch@\(module)"])
        #expect(Self.checks(cells[1], "new") == ["python-abi-mismatch@\(module)"])
        #expect(Self.checks(cells[1], "gone") == ["glibc-too-new@\(module)"])
        #expect(Set(Self.checks(cells[2], "new")) == ["wrong-arch@\(module)", "python-abi-mismatch@\(module)"])
        #expect(Self.checks(cells[2], "gone").isEmpty)
    }

    /// The exit status follows the required columns only: the current one by default, `all`, or one by name.
    @Test func theExitStatusFollowsTheRequiredColumns() throws {
        let clean = ["scan", "fixtures/artifacts/function-clean.zip", "--target", "aws-lambda-python3.13-x86_64", "--no-config", "--to", "arm64"]
        let byDefault = try Self.matrix(clean)
        #expect(byDefault.status == 0)
        #expect(Self.cells(byDefault.document).map { $0["status"] as? String } == ["holds", "breaks"])
        #expect(try Self.matrix(clean + ["--require", "all"]).status == 1)
        #expect(try Self.matrix(clean + ["--require", "arm64"]).status == 1)
        #expect(try Self.matrix(clean + ["--require", "current"]).status == 0)
        let unknown = try Shiplint.run(clean + ["--require", "python3.12"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("--require python3.12: no such column; the columns are current, all, aws-lambda-python3.13-x86_64, arm64"))
        // Several --target: the first is the current one.
        let targets = try Self.matrix(["scan", "fixtures/artifacts/function-clean.zip", "--target", "aws-lambda-python3.13-arm64", "--target", "aws-lambda-python3.13-x86_64", "--no-config"])
        #expect(targets.status == 1)
        #expect(Self.cells(targets.document).map { $0["status"] as? String } == ["breaks", "holds"])
    }

    @Test func badMovesAreRefused() throws {
        let typo = try Shiplint.run(Self.glibc228 + ["--to", "python3.31"])
        #expect(typo.status == 2)
        #expect(typo.stderr.contains("--to python3.31: no built-in Lambda target for the runtime 'python3.31'"))
        let s390 = try Shiplint.run(Self.glibc228 + ["--to", "s390x"])
        #expect(s390.status == 2)
        #expect(s390.stderr.contains("Lambda runs x86_64 and arm64, not s390x"))
        let policy = try Shiplint.run(["scan", "fixtures/artifacts/function-clean.zip", "--target", "manylinux2014-x86_64", "--no-config", "--to", "arm64"])
        #expect(policy.status == 2)
        #expect(policy.stderr.contains("--to moves a built-in Lambda target"))
    }

    @Test func movesParse() throws {
        #expect(try Migration.parse("python3.13") == Migration(spelling: "python3.13", runtime: "python3.13", architecture: nil))
        #expect(try Migration.parse("aarch64") == Migration(spelling: "aarch64", runtime: nil, architecture: .aarch64))
        #expect(try Migration.parse("python3.13-arm64") == Migration(spelling: "python3.13-arm64", runtime: "python3.13", architecture: .aarch64))
        #expect(try Migration.parse("provided.al2023") == Migration(spelling: "provided.al2023", runtime: "provided.al2023", architecture: nil))
        #expect(try Migration.parse("aws-lambda-nodejs22.x-x86_64") == Migration(spelling: "aws-lambda-nodejs22.x-x86_64", runtime: "nodejs22.x", architecture: .x86_64))
        // A runtime of another language keeps its own; an OS-only runtime takes any code.
        let python = try Migration.parse("python3.13")
        #expect(python.movedRuntime(from: "nodejs22.x") == "nodejs22.x")
        #expect(python.movedRuntime(from: "python3.9") == "python3.13")
        #expect(try Migration.parse("provided.al2023").movedRuntime(from: "python3.11") == "provided.al2023")
        #expect(try Migration.parse("arm64").targetName(from: "python3.11", architecture: .x86_64) == "aws-lambda-python3.11-arm64")
    }

    /// A project: each function's own target moved; the descriptor's checks judge the moved function (a layer whose
    /// CompatibleRuntimes leave out the new runtime is a new warning), a function of another language is not moved.
    @Test func projectFunctionsMoveFromTheirOwnTargets() throws {
        let (status, document, _) = try Self.matrix(["scan", "fixtures/deployments/cdk", "--to", "python3.11", "--no-config", "--today", "2026-12-01"])
        #expect(status == 0)
        let rows = try #require(document["rows"] as? [[String: Any]])
        let x86 = try #require(rows.first { ($0["deployment"] as? String)?.hasPrefix("ShiplintFixture/X86Function") == true })
        let cells = try #require(x86["cells"] as? [[String: Any]])
        #expect(cells.map { ($0["target"] as? [String: Any])?["name"] as? String } == ["aws-lambda-python3.12-x86_64", "aws-lambda-python3.11-x86_64"])
        #expect(cells.map { $0["runtime"] as? String } == ["python3.12", "python3.11"])
        #expect(Self.checks(cells[1], "new").map { $0.split(separator: "@").first.map(String.init) } == ["layer-incompatible"])
        #expect(cells[1]["status"] as? String == "holds")
        let sam = try Self.matrix(["scan", "fixtures/deployments/sam", "--to", "python3.11", "--no-config", "--today", "2026-12-01"])
        let dotnet = try #require((sam.document["rows"] as? [[String: Any]])?.first { $0["deployment"] as? String == "DotnetFunction" })
        #expect(((dotnet["cells"] as? [[String: Any]]) ?? []).map { ($0["target"] as? [String: Any])?["name"] as? String }
            == ["aws-lambda-dotnet8-x86_64", "aws-lambda-dotnet8-x86_64"])
    }

    /// SARIF: one run per column; the current column keeps a plain scan's automation id, so its alerts carry on.
    @Test func sarifHasOneRunPerTarget() throws {
        let result = try Shiplint.run(Self.glibc228 + ["--to", "python3.13-arm64", "--format", "sarif"])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let runs = try #require(document["runs"] as? [[String: Any]])
        #expect(runs.map { ($0["automationDetails"] as? [String: Any])?["id"] as? String }
            == ["shiplint/aws-lambda-python3.11-x86_64/", "shiplint/aws-lambda-python3.13-arm64/to/python3.13-arm64/"])
        #expect(runs.map { (($0["results"] as? [[String: Any]]) ?? []).compactMap { $0["ruleId"] as? String }.sorted() }
            == [["glibc-too-new"], ["python-abi-mismatch", "wrong-arch"]])
        let plain = try Shiplint.run(Self.glibc228 + ["--format", "sarif"])
        #expect(plain.stdout.contains("\"id\": \"shiplint/aws-lambda-python3.11-x86_64/\""))
    }

    @Test(arguments: ReportFormat.allCases)
    func everyFormatRendersTheMatrixDeterministically(_ format: ReportFormat) throws {
        let arguments = Self.glibc228 + ["--to", "python3.13", "--to", "arm64", "--format", format.rawValue]
        let first = try Shiplint.run(arguments)
        let second = try Shiplint.run(arguments)
        #expect(first.status == 1)
        #expect(first.stdout == second.stdout)
        #expect(first.stdout.contains("arm64"))
    }

    @Test func textAndJUnitShowTheMatrix() throws {
        let text = try Shiplint.run(Self.glibc228 + ["--to", "python3.13", "--color", "never"]).stdout
        #expect(text.contains("  aws-lambda-python3.11-x86_64 (current)  breaks: 1 error\n"))
        #expect(text.contains("  python3.13                              breaks: 1 error (all new); 1 finding goes away  [aws-lambda-python3.13-x86_64]\n"))
        #expect(text.contains("  goes away:\n    error[glibc-too-new] fixtures/artifacts/function-glibc228.zip: pkg/_glibc228.cpython-311-x86_64-linux-gnu.so: needs GLIBC_2.28"))
        let junit = try Shiplint.run(Self.glibc228 + ["--to", "python3.13", "--format", "junit"]).stdout
        // Only the required column fails the report.
        #expect(junit.contains("<testsuites name=\"shiplint\" tests=\"2\" failures=\"1\""))
    }

    // MARK: Markdown

    @Test func markdownGolden() throws {
        let result = try Shiplint.run(ReportFormatTests.seed + ["--format", "markdown"])
        #expect(result.status == 1)
        try expectGolden("seed-scan.md", result.stdout)
        let matrix = try Shiplint.run(Self.glibc228 + ["--to", "python3.13-arm64", "--format", "markdown"])
        try expectGolden("migration.md", matrix.stdout)
    }

    /// However many findings, the comment stays under the limit (GitHub counts UTF-16 units) and says what it left
    /// out; what it shows and what it left out add up to every finding.
    @Test(arguments: [2_000, 5_000, 20_000])
    func markdownStaysUnderItsLimit(_ limit: Int) throws {
        let arguments = ["scan", "fixtures/artifacts", "--target", "aws-lambda-python3.11-x86_64", "--no-config"]
        let total = try #require((try Shiplint.json(arguments).object["summary"] as? [String: Int]).map { $0.values.reduce(0, +) })
        let result = try Shiplint.run(arguments + ["--format", "markdown", "--markdown-limit", "\(limit)"])
        #expect(result.stdout.utf16.count <= limit)
        let shown = result.stdout.components(separatedBy: "\n- ").count - 1
        if shown < total {
            let note = try #require(result.stdout.range(of: "**Left out to keep this comment under \(limit) characters:** "))
            let left = Int(result.stdout[note.upperBound...].prefix { $0.isNumber }) ?? -1
            #expect(shown + left == total)
        } else {
            #expect(!result.stdout.contains("Left out"))
        }
    }

    @Test func markdownEscapesNamesFromTheArtifact() {
        #expect(MarkdownText.code("a`b") == "``a`b``")
        #expect(MarkdownText.code("`x") == "`` `x ``")
        #expect(MarkdownText.code("a|b") == "`a\\|b`")
        #expect(MarkdownText.escaped("[x](http://e) <img> @team *b* _i_ pkg_name") == "\\[x\\](http://e) \\<img\\> \\@team \\*b\\* \\_i\\_ pkg_name")
        #expect(MarkdownText.escaped("line\nbreak\u{1B}[31m") == "line\\\\x0abreak\\\\x1b\\[31m")
        #expect(MarkdownText.prose("run `pip install x` now") == "run `pip install x` now")
        // An odd backtick (from a name) leaves nothing as code.
        #expect(MarkdownText.prose("name `a`b` end") == "name \\`a\\`b\\` end")
    }

    /// Against a previous scan's JSON report: what the change adds is new, what it removes is fixed.
    @Test func markdownShowsTheDifferenceWithAPreviousScan() throws {
        let folder = try TemporaryFolder()
        try FileManager.default.copyItem(atPath: Repository.fixture("artifacts/function-windows.zip"), toPath: folder.path + "/f.zip")
        let before = try Shiplint.run(["scan", "f.zip", "--target", "aws-lambda-python3.13-x86_64", "--no-config", "--format", "json", "--output", "before.json"], in: folder.path)
        #expect(before.status == 1)
        try FileManager.default.removeItem(atPath: folder.path + "/f.zip")
        try FileManager.default.copyItem(atPath: Repository.fixture("artifacts/function-clean.zip"), toPath: folder.path + "/f.zip")
        let after = try Shiplint.run(["scan", "f.zip", "--target", "aws-lambda-python3.13-x86_64", "--no-config", "--format", "markdown", "--baseline", "before.json"], in: folder.path)
        #expect(after.status == 0)
        #expect(after.stdout.contains("**Against `before.json`:** 0 new · 3 fixed · 0 unchanged"))
        #expect(after.stdout.contains("### Fixed\n\n- ✅ `wheel-tag-mismatch` `f.zip` `pydantic_core-2.27.2.dist-info/WHEEL`"))
        #expect(after.stdout.contains("\n- ✅ `windows-binary` `f.zip` `pydantic_core/_pydantic_core.cp313-win_amd64.pyd` — Windows PE DLL"))
        #expect(after.stdout.contains("### New findings\n\nNone.\n"))
        // The same report against itself: everything unchanged.
        try FileManager.default.removeItem(atPath: folder.path + "/f.zip")
        try FileManager.default.copyItem(atPath: Repository.fixture("artifacts/function-windows.zip"), toPath: folder.path + "/f.zip")
        let same = try Shiplint.run(["scan", "f.zip", "--target", "aws-lambda-python3.13-x86_64", "--no-config", "--format", "markdown", "--baseline", "before.json"], in: folder.path)
        #expect(same.status == 0)
        #expect(same.stdout.contains("**Against `before.json`:** 0 new · 0 fixed · 3 unchanged"))
        #expect(same.stdout.contains("<details><summary>3 unchanged (in the baseline, not counted)</summary>"))
    }
}

/// A folder of its own under the system's temporary folder, removed when the value goes.
final class TemporaryFolder {
    let path: String

    init() throws {
        path = Scratch.url("shiplint-migrate").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
