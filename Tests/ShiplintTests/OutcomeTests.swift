import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import ShiplintOutcome
import Testing

/// Every report renders the scan's one outcome: the project's severities, ignores, baseline and --fail-on decide, and
/// no format judges again on its own.
@Suite struct OutcomeTests {
    static let artifact = "function-windows.zip"

    private func project(_ configuration: String) throws -> ScratchProject {
        let project = try ScratchProject()
        try project.copyFixture(Self.artifact, to: "build/function.zip")
        try project.write(".shiplint.toml", "target = \"aws-lambda-python3.13-x86_64\"\n" + configuration)
        return project
    }

    private func sarif(_ text: String) throws -> (rules: [[String: Any]], results: [[String: Any]]) {
        let document = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let run = try #require((document["runs"] as? [[String: Any]])?.first)
        let driver = try #require((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
        return (try #require(driver["rules"] as? [[String: Any]]), try #require(run["results"] as? [[String: Any]]))
    }

    /// A check turned off did not run: JUnit has no case for it, SARIF no rule.
    @Test func aCheckTurnedOffIsInNoReport() throws {
        let project = try project("[severity]\nwindows-binary = \"off\"\n")
        let junit = try project.run(["scan", "build/function.zip", "--format", "junit"])
        #expect(junit.status == 1)
        let document = try XMLDocument(xmlString: junit.stdout)
        let names = try document.nodes(forXPath: "//testcase").compactMap { ($0 as? XMLElement)?.attribute(forName: "name")?.stringValue }
        #expect(names.contains("pydantic_core/_pydantic_core.cp313-win_amd64.pyd [python-abi-mismatch]"))
        #expect(!names.contains { $0.contains("[windows-binary]") })
        // unmatched-ignore judges the configuration: no case in an artifact's suite.
        #expect(!names.contains { $0.contains("[unmatched-ignore]") })
        let sarif = try sarif(try project.run(["scan", "build/function.zip", "--format", "sarif"]).stdout)
        #expect(!sarif.rules.contains { $0["id"] as? String == "windows-binary" })
    }

    /// SARIF shows the levels the project configured, for the rule and for each result.
    @Test func sarifShowsConfiguredLevels() throws {
        let project = try project("[severity]\npython-abi-mismatch = \"note\"\n")
        let sarif = try sarif(try project.run(["scan", "build/function.zip", "--format", "sarif"]).stdout)
        let rule = try #require(sarif.rules.first { $0["id"] as? String == "python-abi-mismatch" })
        #expect((rule["defaultConfiguration"] as? [String: Any])?["level"] as? String == "note")
        let result = try #require(sarif.results.first { $0["ruleId"] as? String == "python-abi-mismatch" })
        #expect(result["level"] as? String == "note")
    }

    /// JUnit fails exactly when the exit status is 1: with --fail-on warning a warning is a failure.
    @Test(arguments: [("warning", Int32(1), 1), ("error", Int32(0), 0), ("never", Int32(0), 0)])
    func junitFailsExactlyWhenTheScanFails(failOn: String, status: Int32, failures: Int) throws {
        // Only the wheel-tag-mismatch warning is left.
        let project = try project("[severity]\nwindows-binary = \"off\"\npython-abi-mismatch = \"off\"\n")
        let junit = try project.run(["scan", "build/function.zip", "--format", "junit", "--fail-on", failOn])
        #expect(junit.status == status)
        let document = try XMLDocument(xmlString: junit.stdout)
        #expect(try document.nodes(forXPath: "//failure").count == failures)
        let root = try #require(document.rootElement())
        #expect(root.attribute(forName: "failures")?.stringValue == "\(failures)")
        if failures > 0 {
            let failure = try #require(try document.nodes(forXPath: "//failure").first as? XMLElement)
            #expect(failure.attribute(forName: "type")?.stringValue == "wheel-tag-mismatch")
        }
    }

    /// `explain` honours .shiplint.toml: what the project turned off is no root cause.
    @Test func explainHonoursTheConfiguration() throws {
        let project = try project("[severity]\nwindows-binary = \"off\"\npython-abi-mismatch = \"off\"\n")
        let configured = try project.run(["explain", "build/function.zip"])
        #expect(configured.status == 0)
        #expect(configured.stdout.contains("none: every module loads"))
        let plain = try project.run(["explain", "build/function.zip", "--no-config", "--target", "aws-lambda-python3.13-x86_64"])
        #expect(plain.status == 1)
        #expect(plain.stdout.contains("pydantic_core._pydantic_core: pydantic_core/_pydantic_core.cp313-win_amd64.pyd [windows-binary]"))
    }

    /// The SARIF of a baselined or ignored run keeps those results with a suppression and its justification, so
    /// code scanning shows them as dismissed, not fixed.
    @Test func sarifCarriesSuppressions() throws {
        let project = try project("""
            [[ignore]]
            check = "wheel-tag-mismatch"
            path = "**/WHEEL"
            reason = "Only the extension matters here."

            """)
        #expect(try project.run(["baseline", "write", "b.json", "build/function.zip"]).status == 0)
        let scan = try project.run(["scan", "build/function.zip", "--baseline", "b.json", "--format", "sarif"])
        #expect(scan.status == 0)
        let results = try sarif(scan.stdout).results
        #expect(results.count == 3)
        for result in results {
            let suppression = try #require((result["suppressions"] as? [[String: Any]])?.first)
            #expect(suppression["kind"] as? String == "external")
            let justification = try #require(suppression["justification"] as? String)
            if result["ruleId"] as? String == "wheel-tag-mismatch" {
                #expect(justification == "Only the extension matters here.")
            } else {
                #expect(justification == "recorded in the baseline b.json")
            }
        }
        if SchemaValidator.available {
            let problems = try SchemaValidator.validate(scan.stdout)
            #expect(problems.isEmpty, "\(problems)")
        }
        let json = try project.run(["scan", "build/function.zip", "--baseline", "b.json", "--format", "json"])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let artifact = try #require((document["artifacts"] as? [[String: Any]])?.first)
        #expect((artifact["findings"] as? [Any])?.isEmpty == true)
        let suppressed = try #require(artifact["suppressed"] as? [[String: Any]])
        #expect(suppressed.compactMap { ($0["suppression"] as? [String: Any])?["kind"] as? String }.sorted() == ["baseline", "baseline", "ignore"])
        #expect((document["summary"] as? [String: Any])?["errors"] as? Int == 0)
        // Text output shows none of them.
        let text = try project.run(["scan", "build/function.zip", "--baseline", "b.json"])
        #expect(text.stdout.contains("no findings"))
        #expect(text.stdout.contains("\n1 finding ignored by .shiplint.toml (ignore[0])\nbaseline b.json: 2 known findings not shown; 0 baseline entries no longer occur\n"))
    }

    /// The layering that keeps reports from judging: reports never name the registry, the configuration or the
    /// target catalog, and the policy does not depend on the reports.
    @Test func reportsOnlyRender() throws {
        let folder = Repository.root + "/Sources/ShiplintReports"
        for file in try FileManager.default.contentsOfDirectory(atPath: folder) where file.hasSuffix(".swift") {
            let text = try String(contentsOfFile: folder + "/" + file, encoding: .utf8)
            for name in ["CheckRegistry", "ProjectConfiguration", "TargetCatalog", "ScanPolicy"] {
                #expect(!text.contains(name), "\(file) names \(name)")
            }
        }
        let package = try String(contentsOfFile: Repository.root + "/Package.swift", encoding: .utf8)
        let policy = try #require(package.components(separatedBy: "name: \"ShiplintPolicy\"").last?.components(separatedBy: ")").first)
        #expect(!policy.contains("ShiplintReports"))
    }

    /// The root is the configuration's folder, else the git repository's root, else the working folder; artifacts
    /// inside it are relative, others absolute.
    @Test func projectRootChoosesTheFolderIdentitiesAreRelativeTo() throws {
        let project = try ScratchProject()
        try project.makeFolder("repo/.git")
        try project.makeFolder("repo/app/build")
        let working = project.path("repo/app/build")
        let configured = ProjectRoot.find(configurationFile: "../.shiplint.toml", workingFolder: working)
        #expect(configured.folder == ProjectRoot(folder: project.path("repo/app"), repository: nil, workingFolder: working).folder)
        #expect(configured.identityPath("f.zip") == "build/f.zip")
        #expect(configured.repositoryPath("f.zip") == "app/build/f.zip")
        let inRepository = ProjectRoot.find(configurationFile: nil, workingFolder: working)
        #expect(inRepository.identityPath("./f.zip") == "app/build/f.zip")
        #expect(inRepository.identityPath("../../../outside.zip").hasPrefix("/"))
        #expect(inRepository.repositoryPath("../../../outside.zip") == nil)
        let plain = ProjectRoot.find(configurationFile: nil, workingFolder: project.path(""))
        #expect(plain.repository == nil)
        #expect(plain.identityPath("repo/x.zip") == "repo/x.zip")
        #expect(plain.identityPath("-") == "-")
    }
}
