import ShiplintTargets
import FoundationEssentials
import ShiplintFacts
import ShiplintChecks
import ShiplintOutcome

/// A previous scan's own JSON report (`--format json`, schema 1 for artifacts, 2 for a project) taken as the baseline:
/// every finding it reported is known, so a pull request's scan against the scan of its base shows what the change
/// adds and what it fixes. Its findings' identities are rebuilt as the judge makes them (the artifact relative to the
/// project root), so the two scans must name their artifacts alike (the same paths, run from the same folder).
public enum PreviousScan {
    /// Whether `data` is a scan report (a JSON object with a `schema` key) rather than a baseline file.
    public static func isScanReport(_ data: Data) -> Bool {
        guard let top = JSONText.foundationObject(bytes: data) else { return false }
        return top["schema"] != nil && top["version"] == nil
    }

    /// The findings the report shows (reported, not suppressed), as baseline entries.
    public static func baseline(_ data: Data, file: String, root: ProjectRoot) throws(ConfigurationError) -> Baseline {
        func error(_ keyPath: String?, _ message: String) -> ConfigurationError {
            ConfigurationError(file: file, keyPath: keyPath, message: message)
        }
        guard let top = JSONText.foundationObject(bytes: data), let schema = top["schema"] as? Int else {
            throw error("schema", "not a shiplint scan report (no integer schema)")
        }
        var entries: [Baseline.Entry] = []
        func add(_ finding: Any, at keyPath: String, artifact: String?, deployment: String?) throws(ConfigurationError) {
            guard let fields = finding as? [String: Any] else { throw error(keyPath, "expected an object") }
            func text(_ key: String) throws(ConfigurationError) -> String {
                guard let value = fields[key] as? String else { throw error("\(keyPath).\(key)", "missing or not a string") }
                return value
            }
            let place: String
            if let artifact { place = artifact } else { place = try text("file") }
            let identity = FindingIdentity(
                check: try text("check"), deployment: (fields["deployment"] as? String) ?? deployment ?? "", artifact: root.identityPath(place),
                path: (fields["path"] as? String) ?? "", fact: (fields["fact"] as? String) ?? "")
            entries.append(Baseline.Entry(identity: identity, message: (fields["message"] as? String) ?? ""))
        }
        func artifacts(_ list: Any?, at keyPath: String, deployment: String?) throws(ConfigurationError) {
            guard let list = list as? [Any] else { throw error(keyPath, "missing or not an array") }
            for (index, item) in list.enumerated() {
                guard let artifact = item as? [String: Any], let path = artifact["path"] as? String else {
                    throw error("\(keyPath)[\(index)].path", "missing or not a string")
                }
                for (number, finding) in ((artifact["findings"] as? [Any]) ?? []).enumerated() {
                    try add(finding, at: "\(keyPath)[\(index)].findings[\(number)]", artifact: path, deployment: deployment)
                }
            }
        }
        switch schema {
        case 1:
            try artifacts(top["artifacts"], at: "artifacts", deployment: nil)
        case 2:
            guard let deployments = top["deployments"] as? [Any] else { throw error("deployments", "missing or not an array") }
            for (index, item) in deployments.enumerated() {
                guard let deployment = item as? [String: Any] else { throw error("deployments[\(index)]", "expected an object") }
                try artifacts(deployment["artifacts"] ?? [], at: "deployments[\(index)].artifacts", deployment: nil)
                for (number, note) in ((deployment["notes"] as? [Any]) ?? []).enumerated() {
                    try add(note, at: "deployments[\(index)].notes[\(number)]", artifact: nil, deployment: nil)
                }
            }
            for (number, note) in (((top["project"] as? [String: Any])?["notes"] as? [Any]) ?? []).enumerated() {
                try add(note, at: "project.notes[\(number)]", artifact: nil, deployment: nil)
            }
        case 3:
            throw error("schema", "a migration matrix (schema 3) has one report per target; compare with a scan of one target")
        default:
            throw error("schema", "unsupported scan report schema \(schema) (this shiplint reads 1 and 2)")
        }
        return .v2(entries)
    }
}
