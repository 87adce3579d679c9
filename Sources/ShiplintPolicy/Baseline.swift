import Foundation
import ShiplintReports

/// The findings a project has accepted for now, so shiplint can gate new problems on a codebase that has old ones.
/// Versioned: a later format is a new case, and a file of an unknown version is an error, never an empty baseline.
public enum Baseline: Sendable, Equatable {
    /// An entry is a finding's identity: check, artifact, path inside it and the fact about the file (not the
    /// message, whose wording may change between releases). The message is stored too, for the reader only.
    case v1([Entry])

    public struct Entry: Sendable, Equatable {
        public let identity: FindingIdentity
        public let message: String

        public init(identity: FindingIdentity, message: String) {
            self.identity = identity
            self.message = message
        }
    }

    public var entries: [Entry] {
        switch self {
        case .v1(let entries): entries
        }
    }

    public var identities: Set<FindingIdentity> { Set(entries.map(\.identity)) }

    /// Sorted entries, one key per line, sorted keys: the file diffs well under review.
    public func rendered(target: String) -> String {
        switch self {
        case .v1(let entries):
            JSONValue.object([
                "version": .int(1),
                "tool": .string("shiplint \(ScanReport.toolVersion)"),
                "target": .string(target),
                "findings": .array(entries.sorted { $0.identity < $1.identity }.map { entry in
                    .object([
                        "check": .string(entry.identity.check),
                        "artifact": .string(entry.identity.artifact),
                        "path": .string(entry.identity.path),
                        "fact": .string(entry.identity.fact),
                        "message": .string(entry.message),
                    ])
                }),
            ]).rendered()
        }
    }

    static let entryKeys: Set<String> = ["check", "artifact", "path", "fact", "message"]
    static let fileKeys: Set<String> = ["version", "tool", "target", "findings"]

    public static func load(file: String) throws(ConfigurationError) -> Baseline {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ConfigurationError(file: file, message: "cannot read the baseline (missing or unreadable); `shiplint baseline write` makes one")
        }
        return try parse(data, file: file)
    }

    public static func parse(_ data: Data, file: String) throws(ConfigurationError) -> Baseline {
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
        guard version == 1 else { throw error("version", "unsupported version \(version) (this shiplint reads version 1)") }
        guard let findings = top["findings"] as? [Any] else { throw error("findings", "missing or not an array") }
        var entries: [Entry] = []
        for (index, item) in findings.enumerated() {
            let where_ = "findings[\(index)]"
            guard let fields = item as? [String: Any] else { throw error(where_, "expected an object") }
            for key in fields.keys.sorted() where !entryKeys.contains(key) {
                throw error("\(where_).\(key)", "unknown key (allowed here: \(entryKeys.sorted().joined(separator: ", ")))")
            }
            func text(_ key: String) throws(ConfigurationError) -> String {
                guard let value = fields[key] as? String else { throw error("\(where_).\(key)", "missing or not a string") }
                return value
            }
            entries.append(Entry(
                identity: FindingIdentity(check: try text("check"), artifact: try text("artifact"), path: try text("path"), fact: try text("fact")),
                message: (fields["message"] as? String) ?? ""))
        }
        return .v1(entries)
    }
}
