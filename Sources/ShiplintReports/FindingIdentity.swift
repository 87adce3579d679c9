import ShiplintChecks
import ShiplintFacts

/// What makes a finding the same finding from one run to the next: the check, the artifact, the path inside it, and
/// a fact about the file that does not depend on the message wording or the target (`elf x86_64 GLIBC_2.28`).
/// Baselines match on it and SARIF's `partialFingerprints` hash it, so rewording a message never resurrects an alert.
public struct FindingIdentity: Sendable, Hashable, Comparable {
    public let check: String
    /// The artifact as given on the command line, without a leading `./`.
    public let artifact: String
    public let path: String
    public let fact: String

    public init(check: String, artifact: String, path: String, fact: String) {
        self.check = check
        self.artifact = FindingIdentity.normalised(artifact)
        self.path = path
        self.fact = fact
    }

    /// The identity of `finding`, reading the fact from the artifact it was found in.
    public init(_ finding: Finding, in artifact: Artifact?) {
        self.init(check: finding.check, artifact: finding.artifact, path: finding.path, fact: FindingIdentity.fact(at: finding.path, in: artifact))
    }

    /// 16 hex digits of FNV-1a 64 over the four parts: stable across runs and machines (not a security hash).
    public var fingerprint: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in [check, artifact, path, fact].joined(separator: "\u{0}").utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    public static func < (lhs: FindingIdentity, rhs: FindingIdentity) -> Bool {
        (lhs.artifact, lhs.path, lhs.check, lhs.fact) < (rhs.artifact, rhs.path, rhs.check, rhs.fact)
    }

    public static func normalised(_ artifact: String) -> String {
        var text = artifact
        while text.hasPrefix("./") { text.removeFirst(2) }
        return text
    }

    /// What the file at `path` is, from its headers: format, architecture, the highest symbol versions it needs, its
    /// loader and stack flag. For a path that is no binary, the kinds of reading problem recorded there.
    public static func fact(at path: String, in artifact: Artifact?) -> String {
        guard let artifact else { return "" }
        if let binary = artifact.binaries.first(where: { $0.path == path }) {
            return fact(binary)
        }
        let problems = artifact.problems.filter { ($0.path ?? "") == path }.map(\.kind.rawValue)
        return Array(Set(problems)).sorted().joined(separator: " ")
    }

    static func fact(_ binary: Binary) -> String {
        guard let facts = binary.facts else { return "unreadable" }
        switch facts {
        case .elf(let elf):
            let highest = elf.maxVersions
            var parts = ["elf", elf.arch, "\(elf.bits)-bit"]
            parts += SymbolVersion.trackedFamilies.compactMap { family in highest[family].map { "\(family)_\($0)" } }
            if let interpreter = elf.interpreter { parts.append(interpreter.split(separator: "/").last.map(String.init) ?? interpreter) }
            if elf.needed.contains(where: { $0.hasPrefix("libc.musl") }) { parts.append("musl") }
            if elf.executableStack == true { parts.append("execstack") }
            return parts.joined(separator: " ")
        case .pe(let pe):
            return "pe \(pe.arch) \(pe.isDLL ? "dll" : "exe")"
        case .macho(let macho):
            return "macho \(facts.arch) \(macho.slices.first?.fileType ?? "")"
        }
    }
}

extension ScanResult {
    /// Every finding with its identity, in report order.
    public var identifiedFindings: [(finding: Finding, identity: FindingIdentity)] {
        let byPath = Dictionary(artifacts.map { ($0.artifact.path, $0.artifact) }, uniquingKeysWith: { first, _ in first })
        return artifacts.flatMap(\.findings).map { ($0, FindingIdentity($0, in: byPath[$0.artifact])) }
    }
}
