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

/// A project's policy: severity overrides, ignores and a baseline. Its judge is the one place where findings get their
/// effective severity and their suppression, for every finding of a run (artifacts', descriptors', the project's),
/// so that the outcome every report renders is judged once.
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

    /// The checks that run: every one given less those the project turned `off`. Their findings get their severity
    /// from the judge.
    public func checks(_ all: [Check] = CheckRegistry.all) -> [Check] {
        all.filter { severities[$0.id].map { $0.severity != nil } ?? true }
    }

    /// The severity a check's findings have in this project: its `.shiplint.toml` severity, else its default.
    public func severity(of check: Check) -> Severity {
        severities[check.id]?.severity ?? check.defaultSeverity
    }

    /// The severity of one finding: the project's for its check, else its own (the check's default, or the milder
    /// one its verdict gave).
    func severity(of finding: Finding) -> Severity {
        severities[finding.check]?.severity ?? finding.severity
    }

    /// Artifacts named on the command line: one anonymous deployment, each function with all the layers. The
    /// descriptor checks do not run; the image checks only on an image.
    public func scan(functions: [Artifact], layers: [Artifact], target: TargetRuntime, roleNotes: [String: String] = [:]) -> ScanOutcome {
        let image = (functions + layers).contains { $0.image != nil }
        let checks = CheckRegistry.applicable(checks(), descriptor: false, image: image)
        return judge([Scanner.scan(functions: functions, layers: layers, target: target, checks: checks)], checks: checks, roleNotes: roleNotes)
    }

    /// One deployment already built (its load graph computed): `explain`. The descriptor checks run only when there is
    /// a descriptor.
    public func scan(_ deployment: DeploymentContext, roleNotes: [String: String] = [:]) -> ScanOutcome {
        judge([result(deployment)], checks: checks(for: deployment), roleNotes: roleNotes)
    }

    /// The checks that run on one deployment.
    public func checks(for deployment: DeploymentContext) -> [Check] {
        CheckRegistry.applicable(checks(), descriptor: deployment.descriptor != nil, image: deployment.artifacts.contains { $0.image != nil })
    }

    /// One deployment judged by the checks this project runs, before the judge.
    public func result(_ deployment: DeploymentContext) -> ScanResult {
        Scanner.scan(deployment, checks: checks(for: deployment))
    }

    /// A function of a descriptor that could not be judged: what its descriptor says, before the judge.
    public func result(_ described: DescriptorContext) -> ScanResult {
        Scanner.scan(described, checks: CheckRegistry.applicable(checks(), descriptor: true, image: false))
    }

    /// The one judge: every finding of every deployment (artifacts and notes), of the project and of the
    /// configuration gets its effective severity, then the ignores, then the baseline. `checks` are the checks
    /// that ran (a project: every check of the policy).
    public func judge(
        _ results: [ScanResult], project: ProjectDescription? = nil, projectFindings: [Finding] = [], checks: [Check],
        roleNotes: [String: String] = [:]
    ) -> ScanOutcome {
        var judging = Judging(policy: self)
        let deployments = results.map { result in
            DeploymentOutcome(
                target: result.target, descriptor: result.descriptor, functions: result.functions,
                artifacts: result.artifacts.map { scan in
                    ArtifactOutcome(
                        artifact: scan.artifact, role: scan.role, projectPath: root.identityPath(scan.artifact.path),
                        repositoryPath: root.repositoryPath(scan.artifact.path), judged: scan.findings.map { judging.judge($0) })
                },
                notes: result.notes.map { judging.judge($0) }, roleNotes: roleNotes)
        }
        let judgedProject = projectFindings.map { judging.judge($0) }
        let scanned = deployments.flatMap(\.artifacts).map(\.artifact.path)
        return ScanOutcome(
            project: project, deployments: deployments, projectFindings: judgedProject,
            configurationFindings: unmatchedIgnores(judging.matchedIgnores, scanned: scanned), checks: runs(checks),
            baseline: baselineSummary(judging, deployments: deployments, projectFindings: judgedProject, project: project),
            failOn: failOn, root: root)
    }

    /// The checks that ran with their effective severities, then the configuration's.
    func runs(_ checks: [Check]) -> [CheckRun] {
        var runs = checks.map { CheckRun(check: $0, severity: severity(of: $0)) }
        if configurationFile != nil { runs.append(CheckRun(check: .unmatchedIgnore, severity: Check.unmatchedIgnore.defaultSeverity, judgesConfiguration: true)) }
        return runs
    }

    /// An ignore that matched no finding of the run, among those that apply to an artifact it scanned.
    func unmatchedIgnores(_ matched: Set<String>, scanned: [String]) -> [JudgedFinding] {
        let configurationPath = configurationFile ?? ProjectConfiguration.fileName
        return ignores.filter { ignore in
            !matched.contains(ignore.keyPath) && scanned.contains { ignore.applies(toArtifact: $0) }
        }.map { ignore in
            let finding = Finding(
                check: Check.unmatchedIgnore.id, severity: severity(of: .unmatchedIgnore), artifact: configurationPath, path: "",
                message: "\(ignore.keyPath) (check \(ignore.check), path '\(ignore.path)'\(ignore.artifact.map { ", artifact '\($0)'" } ?? "")) matched no finding",
                fix: "Delete the entry if the problem is gone, or correct its path or artifact glob.", fact: ignore.keyPath)
            return JudgedFinding(finding: finding, identity: FindingIdentity(finding, artifact: root.identityPath(configurationPath)))
        }
    }

    /// What the baseline hid and what of it no longer occurs, over the whole run. An entry is gone when what it names
    /// was scanned (its artifact; in a project, in its function) and no finding has its identity any more.
    func baselineSummary(
        _ judging: Judging, deployments: [DeploymentOutcome], projectFindings: [JudgedFinding], project: ProjectDescription?
    ) -> BaselineSummary? {
        guard let (file, recorded) = baseline else { return nil }
        if recorded.isLegacy {
            let scannedArtifacts = Set(deployments.flatMap(\.artifacts).map { FindingIdentity.normalised($0.artifact.path) })
            let relevant = recorded.entries.filter { scannedArtifacts.contains($0.identity.artifact) }.count
            return BaselineSummary(
                file: file, known: judging.known, gone: relevant - judging.legacyUsed, unscanned: recorded.entries.count - relevant, legacy: true)
        }
        let judged = deployments.flatMap(\.judged) + projectFindings
        let seen = Set(judged.map(\.identity))
        let isScanned: (FindingIdentity) -> Bool
        if let project {
            // (deployment, artifact) pairs this run judged: a function not selected (--function) leaves its entries
            // unscanned, not gone.
            var scanned: Set<[String]> = [["", root.identityPath(project.file)]]
            for deployment in deployments {
                let label = deployment.descriptor?.label ?? ""
                if let descriptor = deployment.descriptor { scanned.insert([label, root.identityPath(descriptor.file)]) }
                for artifact in deployment.artifacts { scanned.insert([label, artifact.projectPath]) }
            }
            isScanned = { scanned.contains([$0.deployment, $0.artifact]) }
        } else {
            let scannedArtifacts = Set(deployments.flatMap(\.artifacts).map(\.projectPath))
            isScanned = { scannedArtifacts.contains($0.artifact) }
        }
        return BaselineSummary(
            file: file, known: judging.known, gone: recorded.identities.filter { isScanned($0) && !seen.contains($0) }.count,
            unscanned: recorded.identities.filter { !isScanned($0) }.count, legacy: false)
    }

    /// Today's reported findings (after severities and ignores; a baseline in force still hides its entries) as a
    /// baseline: every finding of every deployment and of the project, once.
    public static func baseline(of outcome: ScanOutcome) -> Baseline {
        var entries: [FindingIdentity: Baseline.Entry] = [:]
        for judged in outcome.projectFindings + outcome.deployments.flatMap(\.judged) where judged.suppression?.kind != .ignore {
            entries[judged.identity] = entries[judged.identity] ?? Baseline.Entry(identity: judged.identity, message: judged.finding.message)
        }
        return .v2(Array(entries.values))
    }
}

/// The judge's state over one run: which ignores matched, what the baseline hid.
struct Judging {
    let policy: ScanPolicy
    private(set) var matchedIgnores = Set<String>()
    private(set) var known = 0
    private(set) var legacyUsed = 0
    private let baselineIdentities: Set<FindingIdentity>
    /// A version 1 entry (check, artifact as given, path) hides one finding there.
    private var legacyEntries: [String: Int] = [:]

    init(policy: ScanPolicy) {
        self.policy = policy
        baselineIdentities = policy.baseline.map { $0.baseline.isLegacy ? [] : $0.baseline.identities } ?? []
        if let recorded = policy.baseline?.baseline, recorded.isLegacy {
            for entry in recorded.entries { legacyEntries[Self.legacyKey(entry.identity.check, entry.identity.artifact, entry.identity.path), default: 0] += 1 }
        }
    }

    /// One finding judged: its effective severity, its identity, and what suppresses it (an ignore first, then the
    /// baseline).
    mutating func judge(_ raw: Finding) -> JudgedFinding {
        let finding = Finding(
            check: raw.check, severity: policy.severity(of: raw), artifact: raw.artifact, path: raw.path, message: raw.message,
            fix: raw.fix, fact: raw.fact, deployment: raw.deployment)
        let identity = FindingIdentity(finding, artifact: policy.root.identityPath(finding.artifact))
        if let ignore = policy.ignores.first(where: { $0.matches(finding) }) {
            matchedIgnores.insert(ignore.keyPath)
            let suppression = Suppression(
                kind: .ignore, file: policy.configurationFile ?? ProjectConfiguration.fileName, entry: ignore.keyPath, justification: ignore.reason)
            return JudgedFinding(finding: finding, identity: identity, suppression: suppression)
        }
        guard let file = policy.baseline?.file else { return JudgedFinding(finding: finding, identity: identity) }
        var suppression: Suppression?
        let legacyKey = Self.legacyKey(finding.check, FindingIdentity.normalised(finding.artifact), finding.path)
        if baselineIdentities.contains(identity) {
            suppression = Suppression(kind: .baseline, file: file, justification: "recorded in the baseline \(file)")
        } else if let left = legacyEntries[legacyKey], left > 0 {
            legacyEntries[legacyKey] = left - 1
            legacyUsed += 1
            suppression = Suppression(kind: .baseline, file: file, justification: "recorded in the baseline \(file) (version 1)")
        }
        if suppression != nil { known += 1 }
        return JudgedFinding(finding: finding, identity: identity, suppression: suppression)
    }

    static func legacyKey(_ check: String, _ artifact: String, _ path: String) -> String {
        [check, artifact, path].joined(separator: "\u{0}")
    }
}
