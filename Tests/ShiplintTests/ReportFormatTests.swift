import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import ShiplintChecks
import ShiplintFacts
import ShiplintOutcome
import ShiplintPolicy
@testable import ShiplintReports
import ShiplintTargets
import Testing

/// The CI formats as bytes (golden files) and the escaping each format needs.
@Suite struct ReportFormatTests {
    static let seed = ["scan", "fixtures/artifacts/function-windows.zip", "--target", "aws-lambda-python3.13-x86_64", "--no-config"]

    @Test(arguments: [("sarif", "seed-scan.sarif"), ("junit", "seed-scan.junit.xml"), ("github", "seed-scan.github.txt")])
    func golden(format: String, file: String) throws {
        let result = try Shiplint.run(Self.seed + ["--format", format])
        #expect(result.status == 1)
        #expect(result.stderr.isEmpty)
        try expectGolden(file, result.stdout)
    }

    @Test(arguments: ReportFormat.allCases)
    func everyFormatIsDeterministic(_ format: ReportFormat) throws {
        let arguments = ["scan", "fixtures/artifacts", "--target", "aws-lambda-python3.11-x86_64", "--no-config", "--format", format.rawValue]
        let first = try Shiplint.run(arguments)
        let second = try Shiplint.run(arguments)
        #expect(first.status == 1)
        #expect(!first.stdout.isEmpty)
        #expect(first.stdout == second.stdout)
    }

    // MARK: SARIF

    @Test func sarifListsEveryCheckAsARuleAndLocatesInsideTheArtifact() throws {
        let result = try Shiplint.run(Self.seed + ["--format", "sarif"])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(document["version"] as? String == "2.1.0")
        let run = try #require((document["runs"] as? [[String: Any]])?.first)
        let driver = try #require((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
        let rules = try #require(driver["rules"] as? [[String: Any]])
        // The checks that ran (no configuration here, so no unmatched-ignore; no descriptor, so no descriptor checks),
        // each with its documentation.
        #expect(rules.map { $0["id"] as? String }
            == CheckRegistry.all.map(\.id).filter { !CheckRegistry.descriptorChecks.contains($0) && !CheckRegistry.imageChecks.contains($0) }.map { Optional($0) })
        #expect((run["automationDetails"] as? [String: Any])?["id"] as? String == "shiplint/aws-lambda-python3.13-x86_64/")
        for rule in rules {
            let id = try #require(rule["id"] as? String)
            #expect(rule["helpUri"] as? String == "https://github.com/shiplint/shiplint/blob/main/docs/checks.md#check-\(id)")
            #expect((rule["shortDescription"] as? [String: Any])?["text"] is String)
            #expect((rule["fullDescription"] as? [String: Any])?["text"] is String)
            #expect((rule["help"] as? [String: Any])?["text"] is String)
            #expect(((rule["help"] as? [String: Any])?["markdown"] as? String)?.hasPrefix("**\(id)**") == true)
            #expect((rule["defaultConfiguration"] as? [String: Any])?["level"] is String)
        }
        let results = try #require(run["results"] as? [[String: Any]])
        let windows = try #require(results.first { $0["ruleId"] as? String == "windows-binary" })
        #expect(windows["level"] as? String == "error")
        let location = try #require((windows["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])
        #expect((location["artifactLocation"] as? [String: Any])?["uri"] as? String
            == "fixtures/artifacts/function-windows.zip/pydantic_core/_pydantic_core.cp313-win_amd64.pyd")
        #expect((location["artifactLocation"] as? [String: Any])?["uriBaseId"] as? String == "%SRCROOT%")
        #expect((location["region"] as? [String: Any])?["startLine"] as? Int == 1)
        #expect((windows["partialFingerprints"] as? [String: String])?[SarifReport.fingerprintKey]?.count == 16)
    }

    /// From a subfolder of the repository, locations are still relative to the repository root (%SRCROOT%), where
    /// code scanning and the Actions runner look for files.
    @Test func locationsAreRelativeToTheRepositoryFromAnySubfolder() throws {
        let arguments = ["scan", "artifacts/function-windows.zip", "--target", "aws-lambda-python3.13-x86_64", "--no-config"]
        let sarif = try Shiplint.run(arguments + ["--format", "sarif"], in: Repository.root + "/fixtures")
        #expect(sarif.stdout.contains("\"uri\": \"fixtures/artifacts/function-windows.zip/pydantic_core/_pydantic_core.cp313-win_amd64.pyd\",\n                  \"uriBaseId\": \"%SRCROOT%\""))
        let github = try Shiplint.run(arguments + ["--format", "github"], in: Repository.root + "/fixtures")
        #expect(github.stdout.hasPrefix("::warning file=fixtures/artifacts/function-windows.zip,"))
    }

    @Test func sarifURIsArePercentEncoded() {
        #expect(SarifReport.uri(artifact: "build/my fn.zip", path: "pkg/a#b%c?.so") == "build/my%20fn.zip/pkg/a%23b%25c%3F.so")
        #expect(SarifReport.uri(artifact: "layer.zip", path: "python/x.whl!pkg/_x.so") == "layer.zip/python/x.whl!pkg/_x.so")
        #expect(SarifReport.uri(artifact: "function.zip", path: "") == "function.zip")
        #expect(SarifReport.uri(artifact: "f.zip", path: "é.so") == "f.zip/%C3%A9.so")
    }

    /// Fingerprints follow what is wrong (check, deployment, artifact, path, fact): a reworded message keeps the
    /// alert, another missing library on the same file is another alert.
    @Test func fingerprintsFollowTheFactNotTheMessage() {
        let old = Finding(check: "missing-library", severity: .error, artifact: "./build/f.zip", path: "pkg/_x.so", message: "needs libGL.so.1", fix: "a", fact: "libGL.so.1")
        let reworded = Finding(check: "missing-library", severity: .warning, artifact: "build/f.zip", path: "pkg/_x.so", message: "wants libGL.so.1", fix: "b", fact: "libGL.so.1")
        let other = Finding(check: "missing-library", severity: .error, artifact: "build/f.zip", path: "pkg/_x.so", message: "needs libpq.so.5", fix: "a", fact: "libpq.so.5")
        let first = FindingIdentity(old, artifact: "./build/f.zip")
        #expect(first.artifact == "build/f.zip")
        #expect(first.fingerprint == FindingIdentity(reworded, artifact: "build/f.zip").fingerprint)
        #expect(first.fingerprint != FindingIdentity(other, artifact: "build/f.zip").fingerprint)
        let otherDeployment = Finding(check: "missing-library", severity: .error, artifact: "build/f.zip", path: "pkg/_x.so", message: "needs libGL.so.1", fix: "a", fact: "libGL.so.1", deployment: "ApiFunction")
        #expect(first.fingerprint != FindingIdentity(otherDeployment, artifact: "build/f.zip").fingerprint)
        #expect(first.fingerprint.count == 16 && first.fingerprint.allSatisfy(\.isHexDigit))
    }

    /// libGL and libpq missing from one binary are two alerts for code scanning, not one.
    @Test func sarifFingerprintsOfTwoMissingLibrariesDiffer() throws {
        let result = try Shiplint.run(["scan", "fixtures/artifacts/resolve/missing-system.zip", "--target", "aws-lambda-python3.13-x86_64", "--no-config", "--format", "sarif"])
        #expect(result.status == 1)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let results = try #require((document["runs"] as? [[String: Any]])?.first?["results"] as? [[String: Any]])
        let missing = results.filter { $0["ruleId"] as? String == "missing-library" }
        #expect(missing.count == 2)
        let fingerprints = Set(missing.compactMap { ($0["partialFingerprints"] as? [String: String])?[SarifReport.fingerprintKey] })
        #expect(fingerprints.count == 2)
    }

    /// The SARIF of the demo scan against the official schema, when the schema (shared reference folder beside the
    /// repository) and python3's jsonschema are here; `make ci-formats` does the same in a scratch venv.
    @Test(.enabled(if: SchemaValidator.available, "needs ../shared/reference/sarif-schema-2.1.0.json and python3 with jsonschema"))
    func sarifValidatesAgainstTheSchema() throws {
        for (artifact, target) in [("function-windows.zip", "aws-lambda-python3.13-x86_64"), ("function-glibc228.zip", "aws-lambda-python3.11-x86_64"),
                                  ("grouped/function.zip", "aws-lambda-python3.13-x86_64")] {
            let result = try Shiplint.run(["scan", "fixtures/artifacts/" + artifact, "--target", target, "--no-config", "--format", "sarif"])
            let problems = try SchemaValidator.validate(result.stdout)
            #expect(problems.isEmpty, "\(artifact): \(problems)")
        }
    }

    // MARK: JUnit

    /// Markup, quotes and control characters in a message survive a real XML parser.
    @Test func junitEscapesThroughARealXMLWriter() throws {
        let nasty = "needs <GLIBC_2.99> & \"more\" ]]> \u{1}bell"
        let check = Check(
            id: "windows-binary", defaultSeverity: .error, summary: "s", explanation: "e", examples: [],
            judge: { _ in Verdict(nasty, fix: "fix & <retry>") })
        let artifact = Artifact(path: "build/a&b.zip", kind: .zip, entries: [], binaries: [SampleBinary.elf("pkg/<x>.so")], problems: [])
        let target = try TargetCatalog.builtIn.load("aws-lambda-python3.13-x86_64")
        let result = Scanner.scan(functions: [artifact], target: target, checks: [check])
        let outcome = ScanPolicy(configuration: nil).judge([result], checks: [check])
        let xml = ReportFormat.junit.reporter(style: TextStyle(colour: false)).report(outcome)
        let document = try XMLDocument(xmlString: xml)
        let failures = try document.nodes(forXPath: "//failure")
        #expect(failures.count == 1)
        let failure = try #require(failures.first as? XMLElement)
        #expect(failure.attribute(forName: "message")?.stringValue == "needs <GLIBC_2.99> & \"more\" ]]> \u{FFFD}bell")
        #expect(failure.stringValue?.contains("fix & <retry>") == true)
        let suite = try #require(try document.nodes(forXPath: "//testsuite").first as? XMLElement)
        #expect(suite.attribute(forName: "name")?.stringValue == "build/a&b.zip")
        #expect(suite.attribute(forName: "failures")?.stringValue == "1")
    }

    @Test func junitHasAPassingCaseForEveryCheckOnEveryBinary() throws {
        let result = try Shiplint.run(["scan", "fixtures/artifacts/function-clean.zip", "--target", "aws-lambda-python3.13-x86_64", "--no-config", "--format", "junit"])
        #expect(result.status == 0)
        let document = try XMLDocument(xmlString: result.stdout)
        let cases = try document.nodes(forXPath: "//testcase")
        let perBinary = CheckRegistry.all.filter(\.judgesEachBinary).count
        #expect(cases.count >= perBinary)
        #expect(try document.nodes(forXPath: "//failure").isEmpty)
    }

    // MARK: GitHub

    @Test func githubEscapesPropertiesAndData() {
        #expect(GitHubReport.escapeData("100% done\r\nnext: a,b") == "100%25 done%0D%0Anext: a,b")
        #expect(GitHubReport.escapeProperty("100% done\r\nnext: a,b") == "100%25 done%0D%0Anext%3A a%2Cb")
    }

    @Test func githubWritesOneCommandPerFindingThenASummary() throws {
        let result = try Shiplint.run(Self.seed + ["--format", "github"])
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let commands = lines.filter { $0.hasPrefix("::") }
        #expect(commands.count == lines.count - 1)
        #expect(commands.contains { $0.hasPrefix("::error file=fixtures/artifacts/function-windows.zip,title=shiplint windows-binary%3A pydantic_core/") })
        #expect(lines.last?.hasPrefix("shiplint: ") == true && lines.last?.contains(" in 1 artifact for aws-lambda-python3.13-x86_64") == true)
        #expect(commands.allSatisfy { !$0.dropFirst(2).contains("\n") })
    }
}

/// Runs python3's jsonschema on a SARIF document against the official schema from the shared reference folder.
enum SchemaValidator {
    static let schema = URL(fileURLWithPath: Repository.root).deletingLastPathComponent()
        .appendingPathComponent("shared/reference/sarif-schema-2.1.0.json").path

    static let available: Bool = {
        guard FileManager.default.fileExists(atPath: schema) else {
            print("skip: no SARIF schema at \(schema)")
            return false
        }
        guard (try? python(["-c", "import jsonschema"], input: "").status) == 0 else {
            print("skip: python3 has no jsonschema package (make ci-formats installs it in a scratch venv)")
            return false
        }
        return true
    }()

    /// The schema errors, one line each; empty when valid.
    static func validate(_ sarif: String) throws -> String {
        let script = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            errors = list(jsonschema.Draft4Validator(schema).iter_errors(json.load(sys.stdin)))
            print("\\n".join("/".join(map(str, e.path)) + ": " + e.message for e in errors[:5]))
            """
        return try python(["-c", script, schema], input: sarif).output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func python(_ arguments: [String], input: String) throws -> (status: Int32, output: String) {
        let result = try runProgram("/usr/bin/env", ["python3"] + arguments, input: input)
        return (result.status, result.stdout)
    }
}

extension ReportFormat: CustomTestStringConvertible {
    public var testDescription: String { rawValue }
}
