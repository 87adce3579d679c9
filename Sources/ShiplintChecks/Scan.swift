import ShiplintFacts
import ShiplintTargets

/// An artifact with what every check found in it, findings sorted by path and then root cause first.
public struct ArtifactScan: Sendable {
    public let artifact: Artifact
    public let findings: [Finding]
}

public struct ScanResult: Sendable {
    public let target: TargetRuntime
    public let artifacts: [ArtifactScan]

    public func count(_ severity: Severity) -> Int {
        artifacts.reduce(0) { $0 + $1.findings.filter { $0.severity == severity }.count }
    }

    /// The worst severity found, nil when clean.
    public var worst: Severity? {
        artifacts.flatMap(\.findings).map(\.severity).max()
    }
}

public enum Scanner {
    public static func scan(_ artifacts: [Artifact], target: TargetRuntime, checks: [Check] = CheckRegistry.all) -> ScanResult {
        let scans = artifacts.map { artifact in
            let context = ArtifactContext(artifact: artifact, target: target)
            let findings = checks.flatMap { check in
                check.verdicts(context).map { located in
                    Finding(
                        check: check.id, severity: check.defaultSeverity, artifact: artifact.path, path: located.path,
                        message: located.verdict.message, fix: located.verdict.fix)
                }
            }
            return ArtifactScan(artifact: artifact, findings: sorted(findings))
        }
        return ScanResult(target: target, artifacts: scans)
    }

    /// Path order, then root cause first (registry order), then message: the same input always gives the same order.
    static func sorted(_ findings: [Finding]) -> [Finding] {
        findings.sorted { left, right in
            if left.path != right.path { return left.path < right.path }
            let leftRank = CheckRegistry.precedence(of: left.check)
            let rightRank = CheckRegistry.precedence(of: right.check)
            if leftRank != rightRank { return leftRank < rightRank }
            return left.message < right.message
        }
    }
}
