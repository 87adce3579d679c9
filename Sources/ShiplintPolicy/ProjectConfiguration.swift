import FoundationEssentials
import ShiplintChecks
import ShiplintFacts
import ShiplintOutcome
import ShiplintTargets

/// What a project sets for one check in `[severity]`.
public enum SeverityChoice: String, Sendable, CaseIterable {
    case error, warning, note, off

    public var severity: Severity? {
        switch self {
        case .error: .error
        case .warning: .warning
        case .note: .note
        case .off: nil
        }
    }
}

/// One `[[ignore]]` entry: findings of `check` whose path inside the artifact matches `path` (and whose artifact
/// matches `artifact`, when given) are not reported. `reason` is required: an allow-list entry nobody can explain
/// is one nobody dares remove.
public struct IgnoreRule: Sendable, Equatable {
    /// Where it is in the file, `ignore[0]`, for messages.
    public let keyPath: String
    public let check: String
    public let path: PathGlob
    public let artifact: PathGlob?
    public let reason: String

    public init(keyPath: String, check: String, path: PathGlob, artifact: PathGlob? = nil, reason: String) {
        self.keyPath = keyPath
        self.check = check
        self.path = path
        self.artifact = artifact
        self.reason = reason
    }

    public func matches(_ finding: Finding) -> Bool {
        finding.check == check && path.matches(finding.path) && applies(toArtifact: finding.artifact)
    }

    public func applies(toArtifact artifactPath: String) -> Bool {
        artifact?.matches(FindingIdentity.normalised(artifactPath)) ?? true
    }
}

/// `.shiplint.toml`: a project's defaults and policy. Loading is strict, like target rule files: an unknown key, a
/// wrong type, an unknown check id or a malformed glob is an error naming the file and the key path.
public struct ProjectConfiguration: Sendable {
    public static let fileName = ".shiplint.toml"

    /// The file as found (`.shiplint.toml`, `../.shiplint.toml`) or as named by `--config`.
    public let file: String
    /// A built-in target name, or a rule file path (relative paths are taken from the configuration's folder).
    public let target: String?
    /// Layer artifacts in deployment order, relative paths taken from the configuration's folder.
    public let layers: [String]?
    public let failOn: FailOn?
    /// Check id → choice, in file order.
    public let severities: [(check: String, choice: SeverityChoice)]
    public let ignores: [IgnoreRule]

    /// The nearest `.shiplint.toml` in `folder` or a folder above it, as a path relative to `folder`.
    public static func discover(from folder: String = FileManager.default.currentDirectoryPath) -> String? {
        var current = URL(fileURLWithPath: folder).standardizedFileURL
        var prefix = ""
        while true {
            if FileManager.default.fileExists(atPath: current.appendingPathComponent(fileName).path) {
                return prefix + fileName
            }
            let parent = current.deletingLastPathComponent()
            if parent.path == current.path { return nil }
            current = parent
            prefix += "../"
        }
    }

    /// Largest `.shiplint.toml` read: a hand-written file is a few KiB; TOML parsed into values costs many times its
    /// size, so the limit keeps reading one far under 256 MB.
    public static let maximumBytes = 1 << 20

    public static func load(file: String) throws(ConfigurationError) -> ProjectConfiguration {
        let text: String
        do {
            text = try TextFile.text(file, limit: maximumBytes)
        } catch .tooLarge(let size, let limit) {
            throw ConfigurationError(file: file, message: "\(size) bytes is over the \(TextFile.describe(limit)) a configuration may have; not read")
        } catch {
            throw ConfigurationError(file: file, message: error.description)
        }
        return try parse(text, file: file)
    }

    static let keys = ["version", "target", "layers", "fail-on", "severity", "ignore"]
    static let ignoreKeys = ["check", "path", "artifact", "reason"]

    /// `text` as the configuration `file`; relative paths in it are taken from `file`'s folder.
    public static func parse(_ text: String, file: String) throws(ConfigurationError) -> ProjectConfiguration {
        let value = try ConfigValue.parse(toml: text, file: file)
        func error(_ keyPath: String, _ message: String) -> ConfigurationError {
            ConfigurationError(file: file, keyPath: keyPath, message: message)
        }
        func string(_ value: ConfigValue, _ keyPath: String) throws(ConfigurationError) -> String {
            guard case .string(let text) = value else { throw error(keyPath, "expected a string, found \(value.typeName)") }
            return text
        }
        func oneOf(_ value: ConfigValue, _ keyPath: String, _ allowed: [String]) throws(ConfigurationError) -> String {
            let text = try string(value, keyPath)
            guard allowed.contains(text) else { throw error(keyPath, "'\(text)' is not one of \(allowed.joined(separator: ", "))") }
            return text
        }
        func glob(_ value: ConfigValue, _ keyPath: String) throws(ConfigurationError) -> PathGlob {
            let text = try string(value, keyPath)
            do {
                return try PathGlob(text)
            } catch let syntax {
                throw error(keyPath, "bad glob '\(text)': \(syntax.description)")
            }
        }
        func knownCheck(_ id: String, _ keyPath: String) throws(ConfigurationError) {
            let known = CheckRegistry.all.map(\.id)
            guard known.contains(id) else {
                throw error(keyPath, "unknown check '\(id)'\(Suggestion.didYouMean(id, among: known)) (`shiplint checks` lists them)")
            }
        }

        var target: String?
        var layers: [String]?
        var failOn: FailOn?
        var severities: [(check: String, choice: SeverityChoice)] = []
        var ignores: [IgnoreRule] = []
        for (key, child) in value.pairs {
            switch key {
            case "version":
                guard case .integer(let number) = child else { throw error(key, "expected an integer, found \(child.typeName)") }
                guard number == 1 else { throw error(key, "unsupported version \(number) (this shiplint reads version = 1)") }
            case "target":
                let name = try string(child, key)
                // A built-in name stays a name; a rule file path is taken from the configuration's folder.
                target = name.contains("/") || name.hasSuffix(".toml") ? resolve(name, beside: file) : name
            case "layers":
                guard case .array(let items) = child else { throw error(key, "expected an array of strings, found \(child.typeName)") }
                var paths: [String] = []
                for (index, item) in items.enumerated() { paths.append(resolve(try string(item, "\(key)[\(index)]"), beside: file)) }
                layers = paths
            case "fail-on":
                failOn = FailOn(rawValue: try oneOf(child, key, FailOn.allCases.map(\.rawValue)))
            case "severity":
                guard case .table(let pairs) = child else { throw error(key, "expected a table, found \(child.typeName)") }
                for (id, choice) in pairs {
                    try knownCheck(id, "\(key).\(id)")
                    severities.append((id, SeverityChoice(rawValue: try oneOf(choice, "\(key).\(id)", SeverityChoice.allCases.map(\.rawValue)))!))
                }
            case "ignore":
                guard case .array(let items) = child else { throw error(key, "expected an array of tables ([[ignore]]), found \(child.typeName)") }
                for (index, item) in items.enumerated() {
                    let itemPath = "\(key)[\(index)]"
                    guard case .table(let pairs) = item else { throw error(itemPath, "expected a table, found \(item.typeName)") }
                    for (itemKey, _) in pairs where !ignoreKeys.contains(itemKey) {
                        throw error("\(itemPath).\(itemKey)", "unknown key (allowed here: \(ignoreKeys.sorted().joined(separator: ", ")))")
                    }
                    func required(_ name: String) throws(ConfigurationError) -> ConfigValue {
                        guard let value = item[name] else { throw error("\(itemPath).\(name)", "missing key (an ignore needs check, path and reason)") }
                        return value
                    }
                    let check = try string(try required("check"), "\(itemPath).check")
                    try knownCheck(check, "\(itemPath).check")
                    let reason = try string(try required("reason"), "\(itemPath).reason")
                    guard !reason.trimmingWhitespaceAndNewlines().isEmpty else {
                        throw error("\(itemPath).reason", "empty; say why this finding is acceptable")
                    }
                    ignores.append(IgnoreRule(
                        keyPath: itemPath, check: check, path: try glob(try required("path"), "\(itemPath).path"),
                        artifact: try item["artifact"].map { value throws(ConfigurationError) in try glob(value, "\(itemPath).artifact") },
                        reason: reason))
                }
            default:
                throw error(key, "unknown key (allowed here: \(keys.sorted().joined(separator: ", ")))")
            }
        }
        return ProjectConfiguration(file: file, target: target, layers: layers, failOn: failOn, severities: severities, ignores: ignores)
    }

    /// A relative path in the file, as seen from the current folder: `build/x.zip` in `../.shiplint.toml` is
    /// `../build/x.zip`.
    static func resolve(_ path: String, beside file: String) -> String {
        guard !path.hasPrefix("/") else { return path }
        let folder = PathName.parent(file)
        return folder.isEmpty ? path : PathName.appending(folder, path)
    }
}
