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

public struct ScanResult: Sendable {
    public let target: TargetRuntime
    public let artifacts: [ArtifactScan]

    public init(target: TargetRuntime, artifacts: [ArtifactScan]) {
        self.target = target
        self.artifacts = artifacts
    }

    public func count(_ severity: Severity) -> Int {
        artifacts.reduce(0) { $0 + $1.findings.filter { $0.severity == severity }.count }
    }

    /// The worst severity found, nil when clean.
    public var worst: Severity? {
        artifacts.flatMap(\.findings).map(\.severity).max()
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

    private static func scan(
        _ deployments: [DeploymentContext], functions: [Artifact], layers: [Artifact], target: TargetRuntime, checks: [Check]
    ) -> ScanResult {
        var byArtifact: [String: [Finding]] = [:]
        var seen = Set<Finding>()
        for deployment in deployments {
            for check in checks {
                for located in check.verdicts(deployment) {
                    let artifact = located.artifact ?? deployment.function?.path ?? ""
                    let finding = Finding(
                        check: check.id, severity: located.verdict.ceiling.map { min($0, check.defaultSeverity) } ?? check.defaultSeverity,
                        artifact: artifact, path: located.path,
                        message: located.verdict.message, fix: located.verdict.fix, fact: located.verdict.fact,
                        deployment: deployment.descriptor?.label)
                    // Layers shared by several functions are judged once per function; report each finding once.
                    if seen.insert(finding).inserted { byArtifact[artifact, default: []].append(finding) }
                }
            }
        }
        let roles = functions.map { ($0, ArtifactRole.function) } + layers.enumerated().map { ($0.element, ArtifactRole.layer($0.offset + 1)) }
        let scans = roles.map { artifact, role in
            ArtifactScan(artifact: artifact, role: role, findings: sorted(byArtifact[artifact.path] ?? []))
        }
        return ScanResult(target: target, artifacts: scans)
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
