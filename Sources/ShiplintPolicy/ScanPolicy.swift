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
    /// configuration gets its effective severity, then the ignores (file by file), then one cause becomes one finding
    /// (`FindingGrouping`), then the baseline. `checks` are the checks that ran (a project: every check of the policy).
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
                        repositoryPath: root.repositoryPath(scan.artifact.path), judged: judging.judge(scan.findings))
                },
                notes: judging.judge(result.notes), roleNotes: roleNotes)
        }
        let judgedProject = judging.judge(projectFindings)
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
        let fixed = recorded.entries.filter { isScanned($0.identity) && !judging.occurring.contains($0.identity) }.sorted { $0.identity < $1.identity }
        return BaselineSummary(
            file: file, known: judging.known, gone: recorded.identities.filter { isScanned($0) && !judging.occurring.contains($0) }.count,
            unscanned: recorded.identities.filter { !isScanned($0) }.count, legacy: false,
            fixed: fixed.map { RecordedFinding(identity: $0.identity, message: $0.message) })
    }

    /// Today's reported findings (after severities and ignores; a baseline in force still hides its entries) as a
    /// baseline: every finding of every deployment and of the project, once.
    public static func baseline(of outcome: ScanOutcome) -> Baseline {
        var entries: [FindingIdentity: Baseline.Entry] = [:]
        for judged in outcome.projectFindings + outcome.deployments.flatMap(\.judged) where judged.suppression?.kind != .ignore {
            let finding = judged.finding
            let message = finding.isGrouped
                ? "\(finding.path) and \(finding.otherFiles.count) more \(finding.otherFiles.count == 1 ? "file" : "files"): \(finding.message)"
                : finding.message
            entries[judged.identity] = entries[judged.identity] ?? Baseline.Entry(identity: judged.identity, message: message)
        }
        return .v3(Array(entries.values))
    }
}

/// The judge's state over one run: which ignores matched, what the baseline hid.
struct Judging {
    let policy: ScanPolicy
    private(set) var matchedIgnores = Set<String>()
    private(set) var known = 0
    private(set) var legacyUsed = 0
    /// Baseline entries (versions 2 and 3) that a finding of this run still answers to, hidden or not.
    private(set) var occurring = Set<FindingIdentity>()
    private let baselineIdentities: Set<FindingIdentity>
    /// A version 2 entry names one file (no group): it answers to the finding about that file's group that has the
    /// same check, deployment, artifact and fact. Its paths by those four.
    private let fileEntries: [[String]: [String: FindingIdentity]]
    /// A version 1 entry (check, artifact as given, path) hides one finding there.
    private var legacyEntries: [String: Int] = [:]

    init(policy: ScanPolicy) {
        self.policy = policy
        let recorded = policy.baseline?.baseline
        baselineIdentities = recorded.map { $0.isLegacy ? [] : $0.identities } ?? []
        var fileEntries: [[String]: [String: FindingIdentity]] = [:]
        if let recorded, recorded.namesFiles {
            for identity in recorded.identities where identity.group.isEmpty {
                fileEntries[[identity.check, identity.deployment, identity.artifact, identity.fact], default: [:]][identity.path] = identity
            }
        }
        self.fileEntries = fileEntries
        if let recorded, recorded.isLegacy {
            for entry in recorded.entries { legacyEntries[Self.legacyKey(entry.identity.check, entry.identity.artifact, entry.identity.path), default: 0] += 1 }
        }
    }

    /// Findings of one artifact (or the notes of one deployment) judged: each file's effective severity and ignore,
    /// then one finding per cause, then the baseline.
    mutating func judge(_ raw: [Finding]) -> [JudgedFinding] {
        var tagged: [(finding: Finding, tag: Suppression?)] = []
        for finding in raw.flatMap(\.perFile) {
            let judged = finding.with(severity: policy.severity(of: finding))
            var ignored: Suppression?
            if let ignore = policy.ignores.first(where: { $0.matches(judged) }) {
                matchedIgnores.insert(ignore.keyPath)
                ignored = Suppression(
                    kind: .ignore, file: policy.configurationFile ?? ProjectConfiguration.fileName, entry: ignore.keyPath, justification: ignore.reason)
            }
            tagged.append((judged, ignored))
        }
        return FindingGrouping.grouped(tagged).map { finding, ignored in
            let identity = FindingIdentity(finding, artifact: policy.root.identityPath(finding.artifact))
            let baselined = baseline(finding, identity: identity, hiding: ignored == nil)
            return JudgedFinding(finding: finding, identity: identity, suppression: ignored ?? baselined)
        }
    }

    /// The baseline entry that answers to a finding, as a suppression when `hiding` (it is not ignored already).
    private mutating func baseline(_ finding: Finding, identity: FindingIdentity, hiding: Bool) -> Suppression? {
        guard let file = policy.baseline?.file else { return nil }
        var entries: [FindingIdentity] = baselineIdentities.contains(identity) ? [identity] : []
        if let byPath = fileEntries[[identity.check, identity.deployment, identity.artifact, identity.fact]] {
            entries += (finding.files.isEmpty ? [finding.path] : finding.files).compactMap { byPath[$0] }
        }
        occurring.formUnion(entries)
        guard hiding else { return nil }
        if !entries.isEmpty {
            known += 1
            return Suppression(kind: .baseline, file: file, justification: "recorded in the baseline \(file)")
        }
        // Version 1: one entry per file hides that file's finding; a finding about several files is hidden when one
        // of its files is recorded.
        let keys = (finding.files.isEmpty ? [finding.path] : finding.files).map {
            Self.legacyKey(finding.check, FindingIdentity.normalised(finding.artifact), $0)
        }
        let recorded = keys.filter { (legacyEntries[$0] ?? 0) > 0 }
        guard !recorded.isEmpty else { return nil }
        for key in recorded {
            legacyEntries[key]! -= 1
            legacyUsed += 1
        }
        known += 1
        return Suppression(kind: .baseline, file: file, justification: "recorded in the baseline \(file) (version 1)")
    }

    static func legacyKey(_ check: String, _ artifact: String, _ path: String) -> String {
        [check, artifact, path].joined(separator: "\u{0}")
    }
}
