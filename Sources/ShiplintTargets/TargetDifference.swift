import ShiplintFacts

/// How a captured system differs from a target rule (`shiplint targets diff`): what the rule claims that the system
/// lacks is what would let a scan pass an artifact that then fails there.
public enum TargetDifference {
    /// One line per difference, grouped by topic; empty when they agree on everything compared.
    public static func lines(captured: TargetRuntime, target: TargetRuntime) -> [String] {
        var lines: [String] = []
        func compare<T: Equatable & CustomStringConvertible>(_ what: String, _ left: T?, _ right: T?) {
            if left != right { lines.append("\(what): captured \(left?.description ?? "none"), \(target.name) \(right?.description ?? "none")") }
        }
        compare("architecture", captured.platform.arch.rawValue, target.platform.arch.rawValue)
        compare("C library", captured.platform.libc.rawValue, target.platform.libc.rawValue)
        compare("glibc", captured.platform.libcVersion, target.platform.libcVersion)
        for family in ["GLIBCXX", "CXXABI", "GCC"] { compare(family, captured.symbolVersions[family], target.symbolVersions[family]) }

        let capturedNames = captured.libraries.present
        let targetNames = target.libraries.present
        let missing = targetNames.subtracting(capturedNames).sorted()
        if !missing.isEmpty {
            lines.append("libraries \(target.name) lists that the captured system lacks (\(missing.count)): \(shown(missing, limit: 40))")
        }
        let extra = capturedNames.subtracting(targetNames).sorted()
        if !extra.isEmpty {
            lines.append("libraries on the captured system that \(target.name) does not list (\(extra.count)): \(shown(extra, limit: 20))")
        }
        // Version nodes of the libraries both have, as each side knows them.
        for soname in capturedNames.intersection(targetNames).sorted() {
            guard let ours = captured.providedLibrary(soname), let theirs = target.providedLibrary(soname) else { continue }
            let onlyTarget = Set(theirs.versionNodes).subtracting(ours.versionNodes).sorted()
            let onlyCaptured = Set(ours.versionNodes).subtracting(theirs.versionNodes).sorted()
            if !onlyTarget.isEmpty { lines.append("\(soname): version nodes \(target.name) has and the captured copy lacks: \(shown(onlyTarget, limit: 12))") }
            if !onlyCaptured.isEmpty { lines.append("\(soname): version nodes the captured copy has beyond \(target.name): \(shown(onlyCaptured, limit: 12))") }
        }

        compare("python", captured.python?.version, target.python?.version)
        if let ours = captured.python, let theirs = target.python {
            if ours.extensionSuffixes != theirs.extensionSuffixes {
                lines.append("extension suffixes: captured \(ours.extensionSuffixes.joined(separator: " ")), \(target.name) \(theirs.extensionSuffixes.joined(separator: " "))")
            }
            if let capturedExports = captured.pythonExports, let targetExports = target.pythonExports {
                let absent = targetExports.subtracting(capturedExports).sorted()
                let more = capturedExports.subtracting(targetExports).sorted()
                if !absent.isEmpty { lines.append("CPython symbols \(target.name) exports and the captured interpreter does not (\(absent.count)): \(shown(absent, limit: 20))") }
                if !more.isEmpty { lines.append("CPython symbols the captured interpreter exports beyond \(target.name) (\(more.count)): \(shown(more, limit: 20))") }
            }
        }
        compare("Node.js", captured.nodeVersion, target.nodeVersion)
        compare("NODE_MODULE_VERSION", captured.node?.moduleVersion, target.node?.moduleVersion)
        compare("Node-API version", captured.node?.napiVersion, target.node?.napiVersion)
        return lines
    }

    private static func shown(_ names: [String], limit: Int) -> String {
        names.prefix(limit).joined(separator: ", ") + (names.count > limit ? " and \(names.count - limit) more" : "")
    }
}
