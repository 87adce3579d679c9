import ShiplintFacts
import ShiplintTargets

/// A version node an ELF needs that a wheel policy does not allow (auditwheel's `versioned_symbols_policy`).
struct DisallowedVersion: Equatable {
    let node: String
    let family: String
    let file: String
}

extension TargetRuntime.WheelPolicy {
    /// Every needed node of the given families that the policy's set for the target's arch lacks, in need order.
    /// Needs on the ELF loader itself are skipped, as auditwheel's `elf_find_versioned_symbols` skips them.
    func disallowed(in elf: ElfFacts, families: Set<String>) -> [DisallowedVersion] {
        var found: [DisallowedVersion] = []
        for need in elf.versionNeeds where !(need.file.hasPrefix("ld-linux") || need.file.hasPrefix("ld64.so.")) {
            for node in need.names {
                let family = String(node.prefix { $0 != "_" })
                guard families.contains(family), allows(node) == false else { continue }
                if !found.contains(where: { $0.node == node }) { found.append(DisallowedVersion(node: node, family: family, file: need.file)) }
            }
        }
        return found
    }

    /// The allowed set of a family in words: every version when few, else the first and last and how many.
    func describe(_ family: String) -> String {
        let versions = sortedVersions(family)
        if versions.count <= 6 { return versions.map { "\(family)_\($0)" }.joined(separator: ", ") }
        // Numeric versions as a range, the others (`TM_1`) named after it.
        let numeric = versions.filter { VersionNumber($0) != nil }
        let others = versions.filter { VersionNumber($0) == nil }
        guard let first = numeric.first, let last = numeric.last else { return versions.map { "\(family)_\($0)" }.joined(separator: ", ") }
        let range = "\(family)_\(first) … \(family)_\(last)"
        return others.isEmpty
            ? "\(range) (\(versions.count) versions)"
            : "\(range) and \(others.map { "\(family)_\($0)" }.joined(separator: ", ")) (\(versions.count) versions)"
    }
}

/// "needs GLIBC_2.18 (from libc.so.6); the manylinux2014 x86_64 policy allows GLIBC_2.2.5 … GLIBC_2.17 (20 versions)".
func disallowedMessage(_ found: [DisallowedVersion], policy: TargetRuntime.WheelPolicy, target: TargetRuntime) -> String {
    var files: [String] = []
    for item in found where !files.contains(item.file) { files.append(item.file) }
    var families: [String] = []
    for item in found where !families.contains(item.family) { families.append(item.family) }
    let allowed = families.map { policy.describe($0) }.joined(separator: "; ")
    return "needs \(found.map(\.node).joined(separator: ", ")) (from \(files.joined(separator: ", "))); \(target.policyLabel) (\(policy.name)) allows only \(allowed)"
}
