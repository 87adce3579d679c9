import ShiplintChecks
import ShiplintFacts
import ShiplintReports
import ShiplintTargets

extension Check {
    /// Reported when a `[[ignore]]` entry matches no finding, so allow-lists do not rot (cargo-deny's
    /// `unmatched-skip`). Its findings concern the configuration file, not an artifact.
    public static let unmatchedIgnore = Check(
        id: "unmatched-ignore",
        defaultSeverity: .note,
        summary: "An ignore entry in .shiplint.toml matched no finding",
        explanation: """
            An `[[ignore]]` entry in the project configuration matched no finding of this scan: the problem it hid \
            is fixed, the file moved, or its check id or path glob is wrong. Entries whose `artifact` glob matches \
            none of the scanned artifacts are not judged (a pre-commit run that scans one file says nothing about \
            entries for the others).

            Fix: delete the entry if the problem is gone, or correct its `path` / `artifact` glob.
            """,
        examples: [],
        judgement: .perDeployment { _ in [] })
}

/// A project's policy applied to a scan: severity overrides, ignores and a baseline, in that order.
public struct ScanPolicy: Sendable {
    public let severities: [String: SeverityChoice]
    public let ignores: [IgnoreRule]
    /// The configuration file the ignores come from, for `unmatched-ignore` findings.
    public let configurationFile: String?
    public let baseline: (file: String, baseline: Baseline)?

    public init(configuration: ProjectConfiguration?, baseline: (file: String, baseline: Baseline)? = nil) {
        severities = Dictionary(configuration?.severities.map { ($0.check, $0.choice) } ?? [], uniquingKeysWith: { _, last in last })
        ignores = configuration?.ignores ?? []
        configurationFile = configuration?.file
        self.baseline = baseline
    }

    /// The registry with the project's severities: a check set to `off` is not run at all.
    public func checks(_ all: [Check] = CheckRegistry.all) -> [Check] {
        all.compactMap { check in
            guard let choice = severities[check.id] else { return check }
            guard let severity = choice.severity else { return nil }
            return Check(
                id: check.id, defaultSeverity: severity, summary: check.summary, explanation: check.explanation,
                examples: check.examples, judgement: check.judgement)
        }
    }

    public struct Outcome: Sendable {
        /// The findings still reported: not ignored, not in the baseline.
        public let result: ScanResult
        public let configurationFindings: [Finding]
        public let baseline: BaselineSummary?

        public var report: ScanReportInput {
            ScanReportInput(result: result, configurationFindings: configurationFindings, configurationChecks: [.unmatchedIgnore], baseline: baseline)
        }

        /// What decides the exit status: the artifacts' findings and the configuration's.
        public var worst: Severity? {
            ([result.worst] + configurationFindings.map(\.severity)).compactMap { $0 }.max()
        }
    }

    /// Scans once, then drops what the ignores and the baseline cover.
    public func scan(functions: [Artifact], layers: [Artifact], target: TargetRuntime) -> Outcome {
        let raw = Scanner.scan(functions: functions, layers: layers, target: target, checks: checks())
        return outcome(of: raw, scanned: (functions + layers).map(\.path))
    }

    /// Scans one deployment of a project (its function, layers, descriptor and own target) the same way.
    public func scan(_ deployment: DeploymentContext) -> Outcome {
        outcome(of: Scanner.scan(deployment, checks: checks()), scanned: deployment.artifacts.map(\.path))
    }

    private func outcome(of raw: ScanResult, scanned: [String]) -> Outcome {
        var dropped = Set<Finding>()
        var matchedIgnores = Set<String>()
        var seenIdentities = Set<FindingIdentity>()
        var known = 0
        let baselineIdentities = baseline?.baseline.identities ?? []
        for (finding, identity) in raw.identifiedFindings {
            seenIdentities.insert(identity)
            if let ignore = ignores.first(where: { $0.matches(finding) }) {
                matchedIgnores.insert(ignore.keyPath)
                dropped.insert(finding)
            } else if baselineIdentities.contains(identity) {
                known += 1
                dropped.insert(finding)
            }
        }
        let result = raw.removing(dropped)
        let unmatched = ignores.filter { ignore in
            !matchedIgnores.contains(ignore.keyPath) && scanned.contains { ignore.applies(toArtifact: $0) }
        }
        let configurationFindings = unmatched.map { ignore in
            Finding(
                check: Check.unmatchedIgnore.id, severity: .note, artifact: configurationFile ?? ProjectConfiguration.fileName, path: "",
                message: "\(ignore.keyPath) (check \(ignore.check), path '\(ignore.path)'\(ignore.artifact.map { ", artifact '\($0)'" } ?? "")) matched no finding",
                fix: "Delete the entry if the problem is gone, or correct its path or artifact glob.")
        }
        let summary = baseline.map { file, baseline in
            let scannedArtifacts = Set(scanned.map(FindingIdentity.normalised))
            // Entries for artifacts this run did not scan say nothing either way.
            let gone = baseline.identities.filter { scannedArtifacts.contains($0.artifact) && !seenIdentities.contains($0) }.count
            return BaselineSummary(file: file, known: known, gone: gone)
        }
        return Outcome(result: result, configurationFindings: configurationFindings, baseline: summary)
    }

    /// Today's findings after severities and ignores, as a baseline.
    public static func baseline(of outcome: Outcome) -> Baseline {
        .v1(outcome.result.identifiedFindings.map { Baseline.Entry(identity: $0.identity, message: $0.finding.message) })
    }
}
