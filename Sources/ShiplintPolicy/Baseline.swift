import FoundationEssentials
import ShiplintChecks
import ShiplintFacts
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

    /// Largest baseline read: far more findings than any project should hide, and small enough that reading one
    /// stays well under 256 MB.
    public static let maximumBytes = 32 << 20

    public static func load(file: String) throws(ConfigurationError) -> Baseline {
        try parse(try bytes(file: file), file: file)
    }

    /// The `--baseline` file's bytes, refused by its size (over `maximumBytes`) before any is read.
    public static func bytes(file: String) throws(ConfigurationError) -> [UInt8] {
        do {
            return try TextFile.bytes(file, limit: maximumBytes)
        } catch .tooLarge(let size, let limit) {
            throw ConfigurationError(file: file, message: "\(size) bytes is over the \(TextFile.describe(limit)) a baseline may have; not read (a baseline that large hides more than anyone reviews: fix findings, or write it again with `shiplint baseline write`)")
        } catch {
            throw ConfigurationError(file: file, message: "cannot read the baseline (\(error.description)); `shiplint baseline write` makes one")
        }
    }

    public static func parse(_ data: Data, file: String, knownChecks: Set<String> = Baseline.knownChecks) throws(ConfigurationError) -> Baseline {
        try parse([UInt8](data), file: file, knownChecks: knownChecks)
    }

    /// The baseline in `bytes` (strict JSON, read by `BaselineJSON` straight into strings), every key checked.
    public static func parse(_ bytes: [UInt8], file: String, knownChecks: Set<String> = Baseline.knownChecks) throws(ConfigurationError) -> Baseline {
        func error(_ keyPath: String?, _ message: String) -> ConfigurationError {
            ConfigurationError(file: file, keyPath: keyPath, message: message)
        }
        if let offset = TextFile.firstInvalidUTF8(bytes) {
            throw error(nil, TextFile.Failure.notUTF8(offset: offset, byte: bytes[offset]).description)
        }
        let members: [(key: String, value: BaselineJSON.Value)]
        do {
            guard let top = try BaselineJSON.topLevel(bytes) else { throw error(nil, "not a JSON object; is this a shiplint baseline?") }
            members = top
        } catch let syntax as BaselineJSON.SyntaxError {
            throw error(nil, "not valid JSON at byte \(syntax.offset): \(syntax.message); is this a shiplint baseline?")
        } catch let configuration as ConfigurationError {
            throw configuration
        } catch {
            throw ConfigurationError(file: file, message: "\(error)")
        }
        // The last of a repeated key counts, as in JSON parsers generally.
        var top: [String: BaselineJSON.Value] = [:]
        for (key, value) in members { top[key] = value }
        for key in top.keys.sorted() where !fileKeys.contains(key) {
            throw error(key, "unknown key (allowed here: \(fileKeys.sorted().joined(separator: ", ")))")
        }
        guard case .integer(let version)? = top["version"] else {
            throw error("version", "missing or not an integer")
        }
        guard let allowed = entryKeys[version] else {
            throw error("version", "unsupported version \(version) (this shiplint reads versions 1, 2 and 3)")
        }
        guard case .findings(let findings)? = top["findings"] else { throw error("findings", "missing or not an array") }
        var entries: [Entry] = []
        entries.reserveCapacity(findings.count)
        for (index, raw) in findings.enumerated() {
            let where_ = "findings[\(index)]"
            if raw.notObject { throw error(where_, "expected an object") }
            let given = Set(raw.unknownKeys + raw.notStrings + BaselineJSON.RawFinding.keys.filter { key in
                switch key {
                case "check": raw.check != nil
                case "deployment": raw.deployment != nil
                case "artifact": raw.artifact != nil
                case "group": raw.group != nil
                case "path": raw.path != nil
                case "fact": raw.fact != nil
                default: raw.message != nil
                }
            })
            for key in given.sorted() where !allowed.contains(key) {
                throw error("\(where_).\(key)", "unknown key (allowed here: \(allowed.sorted().joined(separator: ", ")))")
            }
            func text(_ key: String, _ value: String?) throws(ConfigurationError) -> String {
                guard let value, !raw.notStrings.contains(key) else { throw error("\(where_).\(key)", "missing or not a string") }
                return value
            }
            let check = try text("check", raw.check)
            guard knownChecks.contains(check) else {
                throw error("\(where_).check", "unknown check '\(check)'\(Suggestion.didYouMean(check, among: knownChecks)) (`shiplint checks` lists them)")
            }
            if version >= 2, raw.notStrings.contains("deployment") { throw error("\(where_).deployment", "not a string") }
            // In this order: check, deployment, artifact, group (version 3), path, fact.
            let artifact = try text("artifact", raw.artifact)
            let group = version >= 3 ? try text("group", raw.group) : ""
            let path = try text("path", raw.path)
            if !group.isEmpty && !path.isEmpty {
                throw error("\(where_).path", "an entry names its group or its path, not both (the path is empty when the group is set)")
            }
            let fact = try text("fact", raw.fact)
            entries.append(Entry(
                identity: FindingIdentity(
                    check: check, deployment: version >= 2 ? raw.deployment ?? "" : "", artifact: artifact, group: group, path: path, fact: fact),
                message: raw.notStrings.contains("message") ? "" : raw.message ?? ""))
        }
        switch version {
        case 1: return .v1(entries)
        case 2: return .v2(entries)
        default: return .v3(entries)
        }
    }
}
