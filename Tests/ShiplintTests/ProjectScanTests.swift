import Foundation
import ShiplintChecks
import ShiplintDeployments
import ShiplintFacts
import ShiplintOutcome
import ShiplintPolicy
import ShiplintReports
import ShiplintScan
import ShiplintTargets
import Testing

/// `scan PROJECT` as a library: the deployment is the unit of the outcome, and one judge applies severities, ignores
/// and the baseline to every finding, the descriptors' included. No binary is run here.
@Suite struct ProjectScanTests {
    static let sam = Repository.fixture("deployments/sam")

    static func outcome(_ policy: ScanPolicy, today: String = "2026-01-01", functions: [String] = [], project path: String = sam) throws -> ScanOutcome {
        let project = try #require(try DeploymentProject.read(path))
        return try ProjectScan.scan(project, request: ProjectScanRequest(functions: functions, today: today), policy: policy)
    }

    static func policy(_ toml: String? = nil, baseline: Baseline? = nil) throws -> ScanPolicy {
        let configuration = try toml.map { try ProjectConfiguration.parse($0, file: ".shiplint.toml") }
        let root = ProjectRoot(folder: Repository.root, repository: Repository.root, workingFolder: Repository.root)
        return ScanPolicy(configuration: configuration, baseline: baseline.map { ("b.json", $0) }, root: root)
    }

    static func deployment(_ outcome: ScanOutcome, _ name: String) throws -> DeploymentOutcome {
        try #require(outcome.deployments.first { $0.descriptor?.name == name }, "no deployment \(name)")
    }

    @Test func everyFunctionIsADeployment() throws {
        let outcome = try Self.outcome(Self.policy())
        #expect(outcome.project?.format == "aws-sam")
        // Seven functions (OutsideFunction went with issue 28: code outside the project is an error, exit 2); three judged.
        #expect(outcome.deployments.count == 7 && outcome.judgedDeployments == 3)
        let hello = try Self.deployment(outcome, "HelloFunction")
        #expect(hello.target?.name == "aws-lambda-python3.13-arm64" && hello.functions == ["HelloFunction"])
        #expect(hello.artifacts.map(\.role) == [.function, .layer(1)])
        // Two ARN-only layers: notes on the descriptor, milder than the check's default.
        #expect(hello.notes.map(\.finding.check) == ["deployment-not-checked", "deployment-not-checked"])
        #expect(hello.notes.allSatisfy { $0.finding.severity == .note && $0.finding.artifact.hasSuffix("sam/template.yaml") })
        let s3 = try Self.deployment(outcome, "S3Function")
        #expect(s3.target == nil && s3.artifacts.isEmpty)
        // In the order they were met: the descriptor's own note, its runtime, its code.
        #expect(s3.notes.map(\.finding.severity) == [.note, .warning, .warning])
        #expect(s3.notes.map(\.finding.message).last?.contains("S3 object s3://my-bucket/code.zip") == true)
    }

    /// runtime-deprecated is an ordinary check over what the descriptor says: it judges a function whether or not
    /// its code was read or its runtime has a target.
    @Test func theRuntimeIsJudgedWithoutCodeOrTarget() throws {
        let outcome = try Self.outcome(Self.policy(), today: "2027-01-01")
        // dotnet8 has a target (issue 29): its code is judged, and its runtime's date too.
        let dotnet = try Self.deployment(outcome, "DotnetFunction")
        #expect(dotnet.target?.name == "aws-lambda-dotnet8-x86_64")
        let deprecated = dotnet.judged.map(\.finding).filter { $0.check == "runtime-deprecated" }
        #expect(deprecated.count == 1 && deprecated.first?.message.hasPrefix("dotnet8 was deprecated on 2026-11-10") == true)
        // python3.8 has no target any more: its runtime is still judged, its code is not.
        let folder = Scratch.url("shiplint-old").path
        try FileManager.default.createDirectory(atPath: folder + "/code", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "def h(e, c): pass\n".write(toFile: folder + "/code/app.py", atomically: true, encoding: .utf8)
        try "Resources:\n  Old:\n    Type: AWS::Serverless::Function\n    Properties: {CodeUri: code/, Handler: app.h, Runtime: python3.8}\n"
            .write(toFile: folder + "/template.yaml", atomically: true, encoding: .utf8)
        let old = try Self.deployment(try Self.outcome(Self.policy(), today: "2027-01-01", project: folder), "Old")
        #expect(old.target == nil)
        #expect(old.notes.map(\.finding.check) == ["runtime-deprecated", "deployment-not-checked"])
        #expect(old.notes.first?.finding.message.hasPrefix("python3.8 was deprecated on 2024-10-14") == true)
    }

    /// One judge: the project's severity, an ignore and the baseline reach the descriptor's findings too.
    @Test func theJudgeAppliesToDescriptorFindings() throws {
        let toml = """
            [severity]
            deployment-not-checked = "error"
            [[ignore]]
            check = "deployment-not-checked"
            path = "**"
            artifact = "**/template.yaml"
            reason = "the images are scanned by another job"
            """
        let outcome = try Self.outcome(Self.policy(toml))
        let image = try Self.deployment(outcome, "ImageFunction")
        let note = try #require(image.notes.first)
        #expect(note.finding.severity == .error)
        #expect(note.suppression?.kind == .ignore && note.suppression?.entry == "ignore[0]")
        #expect(outcome.configurationFindings.isEmpty, "the ignore matched")
        #expect(outcome.checks.first { $0.id == "deployment-not-checked" }?.severity == .error)

        let recorded = ScanPolicy.baseline(of: try Self.outcome(Self.policy()))
        let again = try Self.outcome(Self.policy(baseline: recorded))
        #expect(again.reported.isEmpty, "every finding, the notes included, is in the baseline: \(again.reported.map(\.message))")
        let summary = try #require(again.baseline)
        #expect(summary.known == recorded.entries.count && summary.gone == 0 && summary.unscanned == 0)
    }

    /// `off` turns the check off everywhere: no notes, no rule.
    @Test func offMeansNotRun() throws {
        let outcome = try Self.outcome(Self.policy("[severity]\ndeployment-not-checked = \"off\"\n"))
        #expect(!outcome.judged.contains { $0.finding.check == "deployment-not-checked" })
        #expect(!outcome.checks.contains { $0.id == "deployment-not-checked" })
    }

    /// An ignore is unmatched only when it matched in no function (and applies to something scanned), said once.
    @Test func anUnmatchedIgnoreIsSaidOnce() throws {
        let toml = """
            [[ignore]]
            check = "windows-binary"
            path = "**"
            reason = "stale"
            """
        let outcome = try Self.outcome(Self.policy(toml))
        #expect(outcome.configurationFindings.map(\.finding.check) == ["unmatched-ignore"])
    }

    @Test func unknownFunctionsAndImagesAreErrors() throws {
        let project = try #require(try DeploymentProject.read(Self.sam))
        #expect(throws: ScanError.self) { try ProjectScan.scan(project, request: ProjectScanRequest(functions: ["Nope"], today: "2026-01-01"), policy: try Self.policy()) }
        do {
            _ = try ProjectScan.scan(project, request: ProjectScanRequest(images: ["HelloFunction=x.tar"], today: "2026-01-01"), policy: try Self.policy())
            Issue.record("an --image for a Zip function was accepted")
        } catch let error as ScanError {
            #expect(error.message == "--image HelloFunction=x.tar: HelloFunction is a Zip function, not a container image")
        }
    }

    /// Reporters render one shape: a project and an artifact scan through the same reporter of each format.
    @Test(arguments: ReportFormat.allCases)
    func everyFormatRendersBothShapes(format: ReportFormat) throws {
        let project = try Self.outcome(Self.policy())
        let target = try TargetCatalog.builtIn.load("aws-lambda-python3.13-x86_64")
        let artifact = try readArtifact("artifacts/function-windows.zip")
        let artifacts = try Self.policy().scan(functions: [artifact], layers: [], target: target)
        let reporter = format.reporter(style: TextStyle(colour: false))
        let projectText = reporter.report(project)
        let artifactText = reporter.report(artifacts)
        #expect(projectText.contains("HelloFunction") && projectText.contains("deployment-not-checked"))
        #expect(artifactText.contains("function-windows.zip") && artifactText.contains("windows-binary"))
        #expect(!artifactText.contains("deployment-not-checked"))
    }
}
