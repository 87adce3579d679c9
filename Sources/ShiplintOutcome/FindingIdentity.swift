import ShiplintChecks

/// What makes a finding the same finding from one run to the next: what is wrong (the check and its fact: the
/// missing soname, the version node, the architecture …), where (the deployment, the artifact relative to the
/// project's root folder, and inside it the group that holds the files — the installed distribution, Node package or
/// folder — or, for a file in none, its path). Not the message, whose wording may change between releases, not the
/// working folder (a baseline written in one folder matches from any other), and not which files of the group: a
/// baseline written before the package gained a file still matches (one cause, one finding).
/// Baselines match on it and SARIF's `partialFingerprints` hash it.
public struct FindingIdentity: Sendable, Hashable, Comparable {
    public let check: String
    /// The deployment the finding was judged in; empty when the scan had no named deployments.
    public let deployment: String
    /// The artifact relative to the project's root folder (see `ProjectRoot`), `/`-separated.
    public let artifact: String
    /// The group holding the finding's files (`FindingGroup.key`: `distribution numpy`), empty for a finding about a
    /// file in no group or about the artifact as a whole.
    public let group: String
    /// The path inside the artifact when `group` is empty; empty otherwise.
    public let path: String
    public let fact: String

    public init(check: String, deployment: String = "", artifact: String, group: String = "", path: String, fact: String) {
        self.check = check
        self.deployment = deployment
        self.artifact = FindingIdentity.normalised(artifact)
        self.group = group
        self.path = group.isEmpty ? path : ""
        self.fact = fact
    }

    /// The identity of `finding`, whose artifact is `artifact` relative to the project's root.
    public init(_ finding: Finding, artifact: String) {
        self.init(
            check: finding.check, deployment: finding.deployment ?? "", artifact: artifact, group: finding.group?.key ?? "", path: finding.path,
            fact: finding.fact)
    }

    /// 16 hex digits of FNV-1a 64 over the parts: stable across runs and machines (not a security hash).
    public var fingerprint: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        // A finding in no group hashes the five parts it always had, so its alert survives the upgrade.
        let parts = group.isEmpty ? [check, deployment, artifact, path, fact] : [check, deployment, artifact, path, fact, group]
        for byte in parts.joined(separator: "\u{0}").utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    public static func < (lhs: FindingIdentity, rhs: FindingIdentity) -> Bool {
        (lhs.deployment, lhs.artifact, lhs.group, lhs.path, lhs.check, lhs.fact) < (rhs.deployment, rhs.artifact, rhs.group, rhs.path, rhs.check, rhs.fact)
    }

    /// Without a leading `./`.
    public static func normalised(_ artifact: String) -> String {
        var text = artifact
        while text.hasPrefix("./") { text.removeFirst(2) }
        return text
    }
}
