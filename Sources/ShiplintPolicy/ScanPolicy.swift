import ShiplintChecks
import ShiplintFacts
import ShiplintOutcome
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

/// A project's policy applied to a scan: severity overrides, ignores and a baseline, in that order. The result is
/// the scan's one outcome, which every report renders.
public struct ScanPolicy: Sendable {
    public let severities: [String: SeverityChoice]
    public let ignores: [IgnoreRule]
    /// The configuration file the ignores come from, for `unmatched-ignore` findings and suppressions.
    public let configurationFile: String?
    public let baseline: (file: String, baseline: Baseline)?
    public let failOn: FailOn
    public let root: ProjectRoot

    public init(
        configuration: ProjectConfiguration?, baseline: (file: String, baseline: Baseline)? = nil, failOn: FailOn? = nil,
        root: ProjectRoot? = nil
    ) {
        severities = Dictionary(configuration?.severities.map { ($0.check, $0.choice) } ?? [], uniquingKeysWith: { _, last in last })
        ignores = configuration?.ignores ?? []
        configurationFile = configuration?.file
        self.baseline = baseline
        self.failOn = failOn ?? configuration?.failOn ?? .error
        self.root = root ?? ProjectRoot.find(configurationFile: configuration?.file)
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

    /// Scans each deployment once and judges the result: severities, then ignores, then the baseline.
    /// Artifacts named on the command line have no descriptor: the descriptor checks do not run.
    public func scan(functions: [Artifact], layers: [Artifact], target: TargetRuntime) -> ScanOutcome {
        let hasImage = (functions + layers).contains { $0.image != nil }
        let checks = checks().filter { !CheckRegistry.descriptorChecks.contains($0.id) && (hasImage || !CheckRegistry.imageChecks.contains($0.id)) }
        return judge(Scanner.scan(functions: functions, layers: layers, target: target, checks: checks), checks: checks,
                     deployments: functions.isEmpty ? [] : functions.map(\.path))
    }

    /// One deployment already built (its load graph computed): `explain`, and each function of a project scan (its
    /// layers, descriptor and own target). The descriptor checks run only when there is a descriptor.
    public func scan(_ deployment: DeploymentContext) -> ScanOutcome {
        let hasImage = deployment.artifacts.contains { $0.image != nil }
        let checks = (deployment.descriptor == nil ? checks().filter { !CheckRegistry.descriptorChecks.contains($0.id) } : checks())
            .filter { hasImage || !CheckRegistry.imageChecks.contains($0.id) }
        let name = deployment.descriptor?.label ?? deployment.function?.path
        return judge(Scanner.scan(deployment, checks: checks), checks: checks, deployments: name.map { [$0] } ?? [])
    }

    /// Marks what the ignores and the baseline cover as suppressed (kept, with the reason), and counts the rest.
    public func judge(_ raw: ScanResult, checks: [Check], deployments: [String]) -> ScanOutcome {
        var matchedIgnores = Set<String>()
        var seenIdentities = Set<FindingIdentity>()
        var known = 0
        let baselineIdentities = baseline.map { $0.baseline.isLegacy ? [] : $0.baseline.identities } ?? []
        // A version 1 entry (check, artifact as given, path) hides one finding there.
        var legacyEntries: [String: Int] = [:]
        if let recorded = baseline?.baseline, recorded.isLegacy {
            for entry in recorded.entries { legacyEntries[Self.legacyKey(entry.identity.check, entry.identity.artifact, entry.identity.path), default: 0] += 1 }
        }
        var legacyUsed = 0
        let artifacts = raw.artifacts.map { scan in
            let projectPath = root.identityPath(scan.artifact.path)
            let judged = scan.findings.map { finding -> JudgedFinding in
                let identity = FindingIdentity(finding, artifact: projectPath)
                seenIdentities.insert(identity)
                var suppression: Suppression?
                if let ignore = ignores.first(where: { $0.matches(finding) }) {
                    matchedIgnores.insert(ignore.keyPath)
                    suppression = Suppression(
                        kind: .ignore, file: configurationFile ?? ProjectConfiguration.fileName, entry: ignore.keyPath, justification: ignore.reason)
                } else if let file = baseline?.file {
                    let legacyKey = Self.legacyKey(finding.check, FindingIdentity.normalised(finding.artifact), finding.path)
                    if baselineIdentities.contains(identity) {
                        suppression = Suppression(kind: .baseline, file: file, justification: "recorded in the baseline \(file)")
                    } else if let left = legacyEntries[legacyKey], left > 0 {
                        legacyEntries[legacyKey] = left - 1
                        legacyUsed += 1
                        suppression = Suppression(kind: .baseline, file: file, justification: "recorded in the baseline \(file) (version 1)")
                    }
                    if suppression != nil { known += 1 }
                }
                return JudgedFinding(finding: finding, identity: identity, suppression: suppression)
            }
            return ArtifactOutcome(
                artifact: scan.artifact, role: scan.role, projectPath: projectPath, repositoryPath: root.repositoryPath(scan.artifact.path),
                judged: judged)
        }
        let scanned = raw.artifacts.map(\.artifact.path)
        let unmatched = ignores.filter { ignore in
            !matchedIgnores.contains(ignore.keyPath) && scanned.contains { ignore.applies(toArtifact: $0) }
        }
        let configurationPath = configurationFile ?? ProjectConfiguration.fileName
        let configurationFindings = unmatched.map { ignore in
            let finding = Finding(
                check: Check.unmatchedIgnore.id, severity: .note, artifact: configurationPath, path: "",
                message: "\(ignore.keyPath) (check \(ignore.check), path '\(ignore.path)'\(ignore.artifact.map { ", artifact '\($0)'" } ?? "")) matched no finding",
                fix: "Delete the entry if the problem is gone, or correct its path or artifact glob.", fact: ignore.keyPath)
            return JudgedFinding(finding: finding, identity: FindingIdentity(finding, artifact: root.identityPath(configurationPath)))
        }
        let summary = baseline.map { file, baseline in
            let gone: Int
            let unscanned: Int
            if baseline.isLegacy {
                let scannedArtifacts = Set(scanned.map(FindingIdentity.normalised))
                let relevant = baseline.entries.filter { scannedArtifacts.contains($0.identity.artifact) }.count
                gone = relevant - legacyUsed
                unscanned = baseline.entries.count - relevant
            } else {
                let scannedArtifacts = Set(artifacts.map(\.projectPath))
                // Entries for artifacts this run did not scan say nothing either way (but are counted, and said).
                gone = baseline.identities.filter { scannedArtifacts.contains($0.artifact) && !seenIdentities.contains($0) }.count
                unscanned = baseline.identities.filter { !scannedArtifacts.contains($0.artifact) }.count
            }
            return BaselineSummary(file: file, known: known, gone: gone, unscanned: unscanned, legacy: baseline.isLegacy)
        }
        var runs = checks.map { CheckRun(check: $0, severity: $0.defaultSeverity) }
        if configurationFile != nil { runs.append(CheckRun(check: .unmatchedIgnore, severity: Check.unmatchedIgnore.defaultSeverity, judgesConfiguration: true)) }
        return ScanOutcome(
            target: raw.target, artifacts: artifacts, configurationFindings: configurationFindings, checks: runs,
            deployments: deployments, baseline: summary, failOn: failOn, root: root)
    }

    private static func legacyKey(_ check: String, _ artifact: String, _ path: String) -> String {
        [check, artifact, path].joined(separator: "\u{0}")
    }

    /// Today's reported findings (after severities and ignores; a baseline in force still hides its entries) as a
    /// baseline.
    public static func baseline(of outcome: ScanOutcome) -> Baseline {
        .v2(outcome.artifacts.flatMap(\.judged).filter { $0.suppression?.kind != .ignore }.map {
            Baseline.Entry(identity: $0.identity, message: $0.finding.message)
        })
    }
}
