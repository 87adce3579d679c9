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

    public init(file: String, known: Int, gone: Int, unscanned: Int = 0, legacy: Bool = false) {
        self.file = file
        self.known = known
        self.gone = gone
        self.unscanned = unscanned
        self.legacy = legacy
    }

    public var sentence: String {
        var text = "baseline \(file): \(known) known \(known == 1 ? "finding" : "findings") not shown; \(gone) baseline \(gone == 1 ? "entry" : "entries") no longer \(gone == 1 ? "occurs" : "occur")"
        if unscanned > 0 { text += "; \(unscanned) \(unscanned == 1 ? "entry is" : "entries are") for artifacts not scanned in this run" }
        if legacy { text += " (a version 1 baseline: `shiplint baseline write` updates it)" }
        return text
    }
}

/// The one result of a scan that every report and `explain` render: nothing downstream judges again.
public struct ScanOutcome: Sendable {
    public let target: TargetRuntime
    public let artifacts: [ArtifactOutcome]
    /// Findings about the project's configuration (e.g. `unmatched-ignore`); their artifact is the configuration file.
    public let configurationFindings: [JudgedFinding]
    /// The checks that ran, in registry order (then the configuration's), with their effective severity.
    public let checks: [CheckRun]
    /// The deployments judged: the function artifacts (or deployment names), or the layers alone.
    public let deployments: [String]
    public let baseline: BaselineSummary?
    public let failOn: FailOn
    /// The folder identities are relative to.
    public let root: ProjectRoot
    /// Why an artifact named as a function is judged as a layer ("recognised: every entry under python/", "given
    /// with --as layer"), by artifact path.
    public var roleNotes: [String: String] = [:]

    public init(
        target: TargetRuntime, artifacts: [ArtifactOutcome], configurationFindings: [JudgedFinding], checks: [CheckRun],
        deployments: [String], baseline: BaselineSummary?, failOn: FailOn, root: ProjectRoot
    ) {
        self.target = target
        self.artifacts = artifacts
        self.configurationFindings = configurationFindings
        self.checks = checks
        self.deployments = deployments
        self.baseline = baseline
        self.failOn = failOn
        self.root = root
    }

    /// Every finding, reported and suppressed: artifacts in order, then the configuration's.
    public var judged: [JudgedFinding] { artifacts.flatMap(\.judged) + configurationFindings }

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

    /// The reported findings as a plain scan result (for triage, which looks findings up by file).
    public var reportedResult: ScanResult {
        ScanResult(target: target, artifacts: artifacts.map { ArtifactScan(artifact: $0.artifact, role: $0.role, findings: $0.findings) })
    }

    /// The effective severity of a check that ran, nil when it did not run.
    public func severity(of check: String) -> Severity? {
        checks.first { $0.id == check }?.severity
    }
}

/// The version reports and baselines name.
public enum ShiplintVersion {
    public static let current = "0.1.0"
}
