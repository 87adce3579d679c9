import ShiplintChecks
import ShiplintFacts
import ShiplintTargets

/// The lowest severity that makes `scan` exit 1.
public enum FailOn: String, Sendable, CaseIterable {
    case error, warning, never

    public func fails(_ worst: Severity?) -> Bool {
        guard let worst else { return false }
        switch self {
        case .error: return worst >= .error
        case .warning: return worst >= .warning
        case .never: return false
        }
    }
}

/// Why a finding is not reported: the project accepted it, in its configuration or its baseline.
public struct Suppression: Sendable, Hashable {
    public enum Kind: String, Sendable {
        /// An `[[ignore]]` entry of `.shiplint.toml`.
        case ignore
        /// An entry of the baseline file.
        case baseline
    }

    public let kind: Kind
    /// The configuration or baseline file.
    public let file: String
    /// The ignore entry's key path (`ignore[0]`), nil for a baseline.
    public let entry: String?
    /// The ignore's reason, or for a baseline "recorded in the baseline FILE".
    public let justification: String

    public init(kind: Kind, file: String, entry: String? = nil, justification: String) {
        self.kind = kind
        self.file = file
        self.entry = entry
        self.justification = justification
    }
}

/// A finding as judged in the end: its effective severity (after the project's severities), its identity, and the
/// suppression that keeps it out of the report, if any.
public struct JudgedFinding: Sendable {
    public let finding: Finding
    public let identity: FindingIdentity
    public let suppression: Suppression?

    public init(finding: Finding, identity: FindingIdentity, suppression: Suppression? = nil) {
        self.finding = finding
        self.identity = identity
        self.suppression = suppression
    }

    public var isReported: Bool { suppression == nil }
}

/// A check that ran, with the severity its findings get in this project.
public struct CheckRun: Sendable {
    public let check: Check
    public let severity: Severity
    /// It judges the project's configuration (`unmatched-ignore`), not the artifacts.
    public let judgesConfiguration: Bool

    public init(check: Check, severity: Severity, judgesConfiguration: Bool = false) {
        self.check = check
        self.severity = severity
        self.judgesConfiguration = judgesConfiguration
    }

    public var id: String { check.id }
}

/// One artifact of the scan, with every finding on it (reported and suppressed) in report order.
public struct ArtifactOutcome: Sendable {
    public let artifact: Artifact
    public let role: ArtifactRole
    /// The artifact relative to the project root (the identity's artifact).
    public let projectPath: String
    /// The artifact relative to the git repository's root, nil outside a repository.
    public let repositoryPath: String?
    public let judged: [JudgedFinding]

    public init(artifact: Artifact, role: ArtifactRole, projectPath: String, repositoryPath: String?, judged: [JudgedFinding]) {
        self.artifact = artifact
        self.role = role
        self.projectPath = projectPath
        self.repositoryPath = repositoryPath
        self.judged = judged
    }

    /// The findings a report shows.
    public var findings: [Finding] { judged.filter(\.isReported).map(\.finding) }
}

/// One deployment of the scan: a function of a deployment descriptor with its layers, judged against its target (or
/// not judged, `target` nil, its notes saying why), or the artifacts named on the command line (no descriptor).
public struct DeploymentOutcome: Sendable {
    /// The target it was judged against; nil when it could not be judged.
    public let target: TargetRuntime?
    /// The function as its descriptor declares it; nil for artifacts named on the command line.
    public let descriptor: FunctionDescriptor?
    /// The functions judged: the descriptor's label, or the function artifacts' paths (none when only layers were given).
    public let functions: [String]
    /// The function(s) first, then the layers, each with its findings.
    public let artifacts: [ArtifactOutcome]
    /// Findings about the descriptor (what could not be checked, what the descriptor alone says); their artifact is
    /// the descriptor file.
    public let notes: [JudgedFinding]
    /// Why an artifact named as a function is judged as a layer ("recognised: every entry under python/", "given
    /// with --as layer"), by artifact path.
    public var roleNotes: [String: String]

    public init(
        target: TargetRuntime?, descriptor: FunctionDescriptor?, functions: [String], artifacts: [ArtifactOutcome], notes: [JudgedFinding],
        roleNotes: [String: String] = [:]
    ) {
        self.target = target
        self.descriptor = descriptor
        self.functions = functions
        self.artifacts = artifacts
        self.notes = notes
        self.roleNotes = roleNotes
    }

    /// Every finding (reported and suppressed): the artifacts' in order, then the notes.
    public var judged: [JudgedFinding] { artifacts.flatMap(\.judged) + notes }

    /// The findings reported, the artifacts' first, then the notes.
    public var findings: [Finding] { judged.filter(\.isReported).map(\.finding) }

    /// Whether the deployment was judged against a target.
    public var isJudged: Bool { target != nil }
}

/// The deployment descriptor a project scan read.
public struct ProjectDescription: Sendable {
    /// `aws-sam`, `aws-cdk`, `serverless`, `terraform`.
    public let format: String
    /// The descriptor read.
    public let file: String
    /// The `--target` that replaced every function's own, when given.
    public let targetOverride: String?

    public init(format: String, file: String, targetOverride: String?) {
        self.format = format
        self.file = file
        self.targetOverride = targetOverride
    }
}

/// A finding as a baseline (or a previous scan's report) recorded it: its identity and its message then.
public struct RecordedFinding: Sendable, Equatable {
    public let identity: FindingIdentity
    public let message: String

    public init(identity: FindingIdentity, message: String) {
        self.identity = identity
        self.message = message
    }
}

/// What `scan --baseline FILE` left out.
public struct BaselineSummary: Sendable, Equatable {
    public let file: String
    /// Findings of this run that the baseline already records (not reported).
    public let known: Int
    /// Baseline entries that no longer occur (fixed, or the file moved).
    public let gone: Int
    /// Baseline entries for artifacts this run did not scan (neither known nor gone; said, so a baseline written
    /// for other paths never matches nothing in silence).
    public let unscanned: Int
    /// Entries of a version 1 baseline (matched on check, artifact and path only).
    public let legacy: Bool
    /// The entries that no longer occur, in identity order (empty for a version 1 baseline, whose entries name no
    /// fact): what a pull request fixed.
    public let fixed: [RecordedFinding]

    public init(file: String, known: Int, gone: Int, unscanned: Int = 0, legacy: Bool = false, fixed: [RecordedFinding] = []) {
        self.file = file
        self.known = known
        self.gone = gone
        self.unscanned = unscanned
        self.legacy = legacy
        self.fixed = fixed
    }

    public var sentence: String {
        var text = "baseline \(file): \(known) known \(known == 1 ? "finding" : "findings") not shown; \(gone) baseline \(gone == 1 ? "entry" : "entries") no longer \(gone == 1 ? "occurs" : "occur")"
        if unscanned > 0 { text += "; \(unscanned) \(unscanned == 1 ? "entry is" : "entries are") for artifacts not scanned in this run" }
        if legacy { text += " (a version 1 baseline: `shiplint baseline write` updates it)" }
        return text
    }
}

/// The one result of a scan that every report and `explain` render: nothing downstream judges again. It is a list of
/// deployments (each function of a project, or the artifacts named on the command line as one), with what concerns
/// the project as a whole and the configuration.
public struct ScanOutcome: Sendable {
    /// The deployment descriptor, for `shiplint scan PROJECT`; nil for artifacts named on the command line.
    public let project: ProjectDescription?
    public let deployments: [DeploymentOutcome]
    /// Findings about the project as a whole (a nested application that could not be followed); their artifact is
    /// the descriptor file.
    public let projectFindings: [JudgedFinding]
    /// Findings about the project's configuration (e.g. `unmatched-ignore`); their artifact is the configuration file.
    public let configurationFindings: [JudgedFinding]
    /// The checks that ran, in registry order (then the configuration's), with their effective severity.
    public let checks: [CheckRun]
    public let baseline: BaselineSummary?
    public let failOn: FailOn
    /// The folder identities are relative to.
    public let root: ProjectRoot

    public init(
        project: ProjectDescription? = nil, deployments: [DeploymentOutcome], projectFindings: [JudgedFinding] = [],
        configurationFindings: [JudgedFinding], checks: [CheckRun], baseline: BaselineSummary?, failOn: FailOn, root: ProjectRoot
    ) {
        self.project = project
        self.deployments = deployments
        self.projectFindings = projectFindings
        self.configurationFindings = configurationFindings
        self.checks = checks
        self.baseline = baseline
        self.failOn = failOn
        self.root = root
    }

    /// Every finding, reported and suppressed: the project's, each deployment's, then the configuration's.
    public var judged: [JudgedFinding] { projectFindings + deployments.flatMap(\.judged) + configurationFindings }

    /// The findings reported (not suppressed), in report order.
    public var reported: [Finding] { judged.filter(\.isReported).map(\.finding) }

    public var suppressed: [JudgedFinding] { judged.filter { !$0.isReported } }

    public func count(_ severity: Severity) -> Int { reported.filter { $0.severity == severity }.count }

    /// The worst severity reported, nil when clean.
    public var worst: Severity? { reported.map(\.severity).max() }

    /// Whether the scan fails (exit status 1): a reported finding at or above `failOn`.
    public var fails: Bool { failOn.fails(worst) }

    /// Whether this finding alone makes the scan fail.
    public func fails(_ finding: Finding) -> Bool { failOn.fails(finding.severity) }

    /// The effective severity of a check that ran, nil when it did not run.
    public func severity(of check: String) -> Severity? {
        checks.first { $0.id == check }?.severity
    }

    /// The deployments judged against a target.
    public var judgedDeployments: Int { deployments.filter(\.isJudged).count }

    // For a scan of one deployment (artifacts on the command line, `explain`):

    /// The first deployment's target (a scan of artifacts has one).
    public var target: TargetRuntime? { deployments.first?.target }

    /// Every artifact of every deployment, in order.
    public var artifacts: [ArtifactOutcome] { deployments.flatMap(\.artifacts) }

    /// Why artifacts named as functions are judged as layers, over all deployments.
    public var roleNotes: [String: String] {
        deployments.reduce(into: [:]) { notes, deployment in notes.merge(deployment.roleNotes) { first, _ in first } }
    }

    /// The first deployment's reported findings as a plain scan result, a finding about several files given once per
    /// file (for triage, which looks findings up by file).
    public var reportedResult: ScanResult {
        let deployment = deployments.first
        return ScanResult(
            target: deployment?.target, descriptor: deployment?.descriptor, functions: deployment?.functions ?? [],
            artifacts: (deployment?.artifacts ?? []).map { ArtifactScan(artifact: $0.artifact, role: $0.role, findings: $0.findings.flatMap(\.perFile)) },
            notes: (deployment?.notes ?? []).filter(\.isReported).map(\.finding))
    }
}

/// The version reports and baselines name.
public enum ShiplintVersion {
    public static let current = "0.1.0"
}
