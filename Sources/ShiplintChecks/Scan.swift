import ShiplintFacts
import ShiplintTargets

/// How an artifact is deployed: as the function's code (`/var/task`) or as the n-th layer (`/opt`, in order).
public enum ArtifactRole: Sendable, Equatable, Hashable {
    case function
    case layer(Int)

    /// 1-based position among the layers; nil for the function.
    public var layerNumber: Int? {
        if case .layer(let number) = self { return number }
        return nil
    }
}

/// An artifact with what every check found in it, findings sorted by path and then root cause first.
public struct ArtifactScan: Sendable {
    public let artifact: Artifact
    public let role: ArtifactRole
    public let findings: [Finding]

    public init(artifact: Artifact, role: ArtifactRole, findings: [Finding]) {
        self.artifact = artifact
        self.role = role
        self.findings = findings
    }
}

/// One deployment judged by every check that ran, before the project's policy: the function(s) and layers with their
/// findings, and the findings about the deployment descriptor (`notes`: what could not be checked, what the
/// descriptor alone says). Artifacts named on the command line are one anonymous deployment (no descriptor).
public struct ScanResult: Sendable {
    /// The runtime judged against; nil when the deployment could not be judged (no target, no code).
    public let target: TargetRuntime?
    /// The function as its deployment descriptor declares it; nil for artifacts named on the command line.
    public let descriptor: FunctionDescriptor?
    /// The functions judged in this deployment: the descriptor's label, or each function artifact's path.
    public let functions: [String]
    public let artifacts: [ArtifactScan]
    /// Findings whose artifact is the descriptor file, in report order.
    public let notes: [Finding]

    public init(target: TargetRuntime?, descriptor: FunctionDescriptor? = nil, functions: [String] = [], artifacts: [ArtifactScan], notes: [Finding] = []) {
        self.target = target
        self.descriptor = descriptor
        self.functions = functions
        self.artifacts = artifacts
        self.notes = notes
    }

    /// Every finding: the artifacts' in order, then the notes.
    public var findings: [Finding] { artifacts.flatMap(\.findings) + notes }

    public func count(_ severity: Severity) -> Int {
        findings.filter { $0.severity == severity }.count
    }

    /// The worst severity found, nil when clean.
    public var worst: Severity? {
        findings.map(\.severity).max()
    }
}

public enum Scanner {
    /// Judges each function with all the layers (each function is its own deployment; the layers are shared).
    /// With no function, the layers are judged as one deployment on their own.
    public static func scan(
        functions: [Artifact], layers: [Artifact] = [], target: TargetRuntime, checks: [Check] = CheckRegistry.all
    ) -> ScanResult {
        // Layers shared by every function: their entries are split once for all.
        let layerEntries = functions.count > 1 ? layers.map(UnpackedEntry.all(in:)) : nil
        let deployments: [DeploymentContext] = functions.isEmpty
            ? [DeploymentContext(function: nil, layers: layers, target: target, layerEntries: nil)]
            : functions.map { DeploymentContext(function: $0, layers: layers, target: target, layerEntries: layerEntries) }
        return scan(deployments, functions: functions, layers: layers, target: target, checks: checks)
    }

    /// Judges one deployment already built (its load graph computed), e.g. for `explain`, which also reads the graph.
    public static func scan(_ deployment: DeploymentContext, checks: [Check] = CheckRegistry.all) -> ScanResult {
        scan([deployment], functions: deployment.function.map { [$0] } ?? [], layers: deployment.layers, target: deployment.target, checks: checks)
    }

    /// A function of a descriptor that could not be judged (no target, or no code): only what its descriptor says.
    public static func scan(_ described: DescriptorContext, checks: [Check] = CheckRegistry.all) -> ScanResult {
        var notes: [Finding] = []
        for check in checks {
            for located in check.verdicts(described) {
                notes.append(finding(check, located, artifact: located.artifact ?? described.defaultArtifact, deployment: described.descriptor.label))
            }
        }
        return ScanResult(target: nil, descriptor: described.descriptor, functions: [described.descriptor.label], artifacts: [], notes: inCheckOrder(notes))
    }

    private static func scan(
        _ deployments: [DeploymentContext], functions: [Artifact], layers: [Artifact], target: TargetRuntime, checks: [Check]
    ) -> ScanResult {
        var byArtifact: [String: [Finding]] = [:]
        var seen = Set<Finding>()
        for deployment in deployments {
            let fallback = deployment.described?.defaultArtifact ?? deployment.function?.path ?? ""
            // Which distribution, package or folder holds each file a finding names: made for an input when the first
            // finding lands on it.
            var groups: [String: FileGroups] = [:]
            func group(artifact: String, path: String) -> FindingGroup? {
                guard !path.isEmpty else { return nil }
                if let known = groups[artifact] { return known.group(of: path) }
                guard let input = deployment.inputs.first(where: { $0.artifact.path == artifact }) else { return nil }
                let made = FileGroups(input: input, runtime: deployment.runtime)
                groups[artifact] = made
                return made.group(of: path)
            }
            for check in checks {
                let followsReach = CheckRegistry.reachabilityChecks.contains(check.id)
                for located in check.verdicts(deployment) {
                    let artifact = located.artifact ?? fallback
                    let reach = followsReach ? deployment.reachability.reach(artifact: artifact, path: located.path) : .loaded
                    let finding = finding(check, located, artifact: artifact, deployment: deployment.descriptor?.label, reach: reach)
                        .placed(in: group(artifact: artifact, path: located.path))
                    // Layers shared by several functions are judged once per function; report each finding once.
                    if seen.insert(finding).inserted { byArtifact[artifact, default: []].append(finding) }
                }
            }
        }
        let roles = functions.map { ($0, ArtifactRole.function) } + layers.enumerated().map { ($0.element, ArtifactRole.layer($0.offset + 1)) }
        let scans = roles.map { artifact, role in
            ArtifactScan(artifact: artifact, role: role, findings: sorted(byArtifact.removeValue(forKey: artifact.path) ?? []))
        }
        // What is left lies on no artifact of the deployment: the descriptor's.
        let notes = inCheckOrder(byArtifact.keys.sorted().flatMap { byArtifact[$0] ?? [] })
        let descriptor = deployments.count == 1 ? deployments[0].descriptor : nil
        return ScanResult(
            target: target, descriptor: descriptor, functions: descriptor.map { [$0.label] } ?? functions.map(\.path), artifacts: scans, notes: notes)
    }

    /// The finding a check's verdict makes, with the check's default severity unless the verdict is milder, and no
    /// more severe than the file's reach allows (see `stamped`).
    private static func finding(_ check: Check, _ located: LocatedVerdict, artifact: String, deployment: String?, reach: Reach = .loaded) -> Finding {
        let (severity, message) = stamped(located.verdict.message, severity: located.verdict.severity ?? check.defaultSeverity, reach: reach, check: check.id)
        return Finding(
            check: check.id, severity: severity, artifact: artifact, path: located.path,
            message: message, fix: located.verdict.fix, fact: located.verdict.fact, deployment: deployment)
    }

    /// Findings about a descriptor: root cause first (registry order), each check's in the order it said them (a
    /// function's runtime before its code, its code before its layers).
    static func inCheckOrder(_ findings: [Finding]) -> [Finding] {
        findings.enumerated().sorted { left, right in
            let leftRank = CheckRegistry.precedence(of: left.element.check)
            let rightRank = CheckRegistry.precedence(of: right.element.check)
            return leftRank != rightRank ? leftRank < rightRank : left.offset < right.offset
        }.map(\.element)
    }

    /// The severity a file's reach allows (never above the check's, or the configured, severity) and the message
    /// saying why: "if run, …" for a program nothing runs, "never used here" for another platform's copy, "imported
    /// only under `except ImportError`" for a Python module its package can do without.
    static func stamped(_ message: String, severity: Severity, reach: Reach, check: String = "") -> (Severity, String) {
        switch reach {
        case .loaded:
            return (severity, message)
        case .mightRun(let runtimePath):
            return (min(severity, .warning), "if run, \(message) (\(runtimePath) is a program the runtime does not run by itself: not a bootstrap, an extension or on PATH)")
        case .otherPlatform(let sibling):
            return (min(severity, .note), "\(message); never used here: \(sibling) beside it is the copy built for this runtime")
        case .notPicked(let reason):
            return (min(severity, .note), "\(message); never loaded here: \(reason)")
        case .optional(let optional):
            return (min(severity, .warning), "\(message); \(optional.explanation)")
        case .unimported(let unimported):
            return (min(severity, .warning), "\(message); \(unimported.explanation)")
        case .loadedByPath(let unimported):
            // Loaded by its path, not imported: only what an import would look for (its PyInit_) is not needed.
            guard CheckRegistry.importOnlyChecks.contains(check) else { return (severity, message) }
            return (min(severity, .warning), "\(message); \(unimported.explanation)")
        }
    }

    /// Path order, then root cause first (registry order), then message: the same input always gives the same order.
    public static func sorted(_ findings: [Finding]) -> [Finding] {
        findings.sorted { left, right in
            if left.path != right.path { return left.path < right.path }
            let leftRank = CheckRegistry.precedence(of: left.check)
            let rightRank = CheckRegistry.precedence(of: right.check)
            if leftRank != rightRank { return leftRank < rightRank }
            if left.message != right.message { return left.message < right.message }
            return left.fact < right.fact
        }
    }
}
