import ShiplintChecks

/// What makes a finding the same finding from one run to the next: what is wrong (the check and its fact: the
/// missing soname, the version node, the architecture …), where (the deployment, the artifact relative to the
/// project's root folder, the path inside it). Not the message, whose wording may change between releases, and not
/// the working folder: a baseline written in one folder matches from any other.
/// Baselines match on it and SARIF's `partialFingerprints` hash it.
public struct FindingIdentity: Sendable, Hashable, Comparable {
    public let check: String
    /// The deployment the finding was judged in; empty when the scan had no named deployments.
    public let deployment: String
    /// The artifact relative to the project's root folder (see `ProjectRoot`), `/`-separated.
    public let artifact: String
    public let path: String
    public let fact: String

    public init(check: String, deployment: String = "", artifact: String, path: String, fact: String) {
        self.check = check
        self.deployment = deployment
        self.artifact = FindingIdentity.normalised(artifact)
        self.path = path
        self.fact = fact
    }

    /// The identity of `finding`, whose artifact is `artifact` relative to the project's root.
    public init(_ finding: Finding, artifact: String) {
        self.init(check: finding.check, deployment: finding.deployment ?? "", artifact: artifact, path: finding.path, fact: finding.fact)
    }

    /// 16 hex digits of FNV-1a 64 over the five parts: stable across runs and machines (not a security hash).
    public var fingerprint: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in [check, deployment, artifact, path, fact].joined(separator: "\u{0}").utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    public static func < (lhs: FindingIdentity, rhs: FindingIdentity) -> Bool {
        (lhs.deployment, lhs.artifact, lhs.path, lhs.check, lhs.fact) < (rhs.deployment, rhs.artifact, rhs.path, rhs.check, rhs.fact)
    }

    /// Without a leading `./`.
    public static func normalised(_ artifact: String) -> String {
        var text = artifact
        while text.hasPrefix("./") { text.removeFirst(2) }
        return text
    }
}
