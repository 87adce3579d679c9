import Foundation
import ShiplintChecks
import ShiplintOutcome
import ShiplintTargets

/// The findings a project has accepted for now, so shiplint can gate new problems on a codebase that has old ones.
/// Versioned: a later format is a new case, and a file of an unknown version is an error, never an empty baseline.
public enum Baseline: Sendable, Equatable {
    /// Version 1 (read only): entries matched on check, artifact (as given on the command line) and path; its fact
    /// described the file, not what is wrong, so each entry hides at most one finding there.
    case v1([Entry])
    /// Version 2 (read only): an entry is one file's finding (check, deployment, artifact relative to the project
    /// root, path inside it, and what is wrong). It answers to the finding about that file's group with the same
    /// check, deployment, artifact and fact, so a baseline written before findings were grouped still holds.
    case v2([Entry])
    /// Version 3: an entry is a finding's identity: check, deployment, artifact, the group holding its files (the
    /// installed distribution, Node package or folder; for a file in none, its path), and what is wrong. The message
    /// is stored for the reader only.
    case v3([Entry])

    public struct Entry: Sendable, Equatable {
        public let identity: FindingIdentity
        public let message: String

        public init(identity: FindingIdentity, message: String) {
            self.identity = identity
            self.message = message
        }
    }

    public static let currentVersion = 3

    public var entries: [Entry] {
        switch self {
        case .v1(let entries), .v2(let entries), .v3(let entries): entries
        }
    }

    public var isLegacy: Bool {
        if case .v1 = self { return true }
        return false
    }

    /// Its entries name one file each (version 2), not the group holding the files.
    public var namesFiles: Bool {
        if case .v2 = self { return true }
        return false
    }

    public var identities: Set<FindingIdentity> { Set(entries.map(\.identity)) }

    /// Sorted entries, one key per line, sorted keys: the file diffs well under review. Always the current version.
    public func rendered(target: String) -> String {
        JSONValue.object([
            "version": .int(Self.currentVersion),
            "tool": .string("shiplint \(ShiplintVersion.current)"),
            "target": .string(target),
            "findings": .array(entries.sorted { $0.identity < $1.identity }.map { entry in
                .object([
                    "check": .string(entry.identity.check),
                    "deployment": .string(entry.identity.deployment),
                    "artifact": .string(entry.identity.artifact),
                    "group": .string(entry.identity.group),
                    "path": .string(entry.identity.path),
                    "fact": .string(entry.identity.fact),
                    "message": .string(entry.message),
                ])
            }),
        ]).rendered()
    }

    static let entryKeys: [Int: Set<String>] = [
        1: ["check", "artifact", "path", "fact", "message"],
        2: ["check", "deployment", "artifact", "path", "fact", "message"],
        3: ["check", "deployment", "artifact", "group", "path", "fact", "message"],
    ]
    static let fileKeys: Set<String> = ["version", "tool", "target", "findings"]

    /// Every check id a baseline may name: the registry's and the configuration's.
    public static var knownChecks: Set<String> { Set(CheckRegistry.all.map(\.id) + [Check.unmatchedIgnore.id]) }

    public static func load(file: String) throws(ConfigurationError) -> Baseline {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ConfigurationError(file: file, message: "cannot read the baseline (missing or unreadable); `shiplint baseline write` makes one")
        }
        return try parse(data, file: file)
    }

    public static func parse(_ data: Data, file: String, knownChecks: Set<String> = Baseline.knownChecks) throws(ConfigurationError) -> Baseline {
        func error(_ keyPath: String?, _ message: String) -> ConfigurationError {
            ConfigurationError(file: file, keyPath: keyPath, message: message)
        }
        guard let object = try? JSONSerialization.jsonObject(with: data), let top = object as? [String: Any] else {
            throw error(nil, "not a JSON object; is this a shiplint baseline?")
        }
        for key in top.keys.sorted() where !fileKeys.contains(key) {
            throw error(key, "unknown key (allowed here: \(fileKeys.sorted().joined(separator: ", ")))")
        }
        guard let version = top["version"] as? Int else {
            throw error("version", "missing or not an integer")
        }
        guard let allowed = entryKeys[version] else {
            throw error("version", "unsupported version \(version) (this shiplint reads versions 1, 2 and 3)")
        }
        guard let findings = top["findings"] as? [Any] else { throw error("findings", "missing or not an array") }
        var entries: [Entry] = []
        for (index, item) in findings.enumerated() {
            let where_ = "findings[\(index)]"
            guard let fields = item as? [String: Any] else { throw error(where_, "expected an object") }
            for key in fields.keys.sorted() where !allowed.contains(key) {
                throw error("\(where_).\(key)", "unknown key (allowed here: \(allowed.sorted().joined(separator: ", ")))")
            }
            func text(_ key: String) throws(ConfigurationError) -> String {
                guard let value = fields[key] as? String else { throw error("\(where_).\(key)", "missing or not a string") }
                return value
            }
            let check = try text("check")
            guard knownChecks.contains(check) else {
                throw error("\(where_).check", "unknown check '\(check)'\(Suggestion.didYouMean(check, among: knownChecks)) (`shiplint checks` lists them)")
            }
            let deployment = version >= 2 ? ((fields["deployment"] as? String) ?? "") : ""
            if version >= 2, let value = fields["deployment"], !(value is String) {
                throw error("\(where_).deployment", "not a string")
            }
            let group = version >= 3 ? try text("group") : ""
            let path = try text("path")
            if !group.isEmpty && !path.isEmpty {
                throw error("\(where_).path", "an entry names its group or its path, not both (the path is empty when the group is set)")
            }
            entries.append(Entry(
                identity: FindingIdentity(
                    check: check, deployment: deployment, artifact: try text("artifact"), group: group, path: path, fact: try text("fact")),
                message: (fields["message"] as? String) ?? ""))
        }
        switch version {
        case 1: return .v1(entries)
        case 2: return .v2(entries)
        default: return .v3(entries)
        }
    }
}
