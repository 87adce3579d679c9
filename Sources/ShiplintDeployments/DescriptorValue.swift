import FoundationEssentials
import ShiplintFacts

/// A descriptor document as plain values: YAML and JSON read into the same shape. CloudFormation short-form tags
/// become their long form (`!Ref X` → `{"Ref": "X"}`, `!GetAtt A.B` → `{"Fn::GetAtt": ["A", "B"]}`, `!Sub s` →
/// `{"Fn::Sub": s}`), as CloudFormation itself reads them.
public indirect enum DescriptorValue: Sendable, Equatable {
    case scalar(String)
    case null
    case array([DescriptorValue])
    case object([String: DescriptorValue])

    public subscript(key: String) -> DescriptorValue? {
        if case .object(let fields) = self { return fields[key] }
        return nil
    }

    public var string: String? {
        if case .scalar(let text) = self { return text }
        return nil
    }

    public var array: [DescriptorValue]? {
        if case .array(let items) = self { return items }
        return nil
    }

    public var object: [String: DescriptorValue]? {
        if case .object(let fields) = self { return fields }
        return nil
    }

    /// A list of strings (`["arm64"]`), or one string as a list; nil for anything else.
    public var strings: [String]? {
        if let text = string { return [text] }
        return array?.compactMap(\.string)
    }
}

/// Why a descriptor could not be read at all.
public struct DescriptorError: Error, Sendable, Equatable, CustomStringConvertible {
    public let file: String
    public let message: String

    public init(file: String, message: String) {
        self.file = file
        self.message = message
    }

    public var description: String { "\(file): \(message)" }
}

/// How much of a project shiplint reads: the largest descriptor file, and folders outside the project that code
/// paths may name.
public struct DescriptorLimits: Sendable {
    /// Largest descriptor file read (`--max-descriptor-bytes`; real templates and plans are far smaller).
    public var bytes: Int
    /// Folders besides the project a descriptor's paths may lead into, links resolved (`--code-root`).
    public var codeRoots: [String]

    public init(bytes: Int = 32 << 20, codeRoots: [String] = []) {
        self.bytes = bytes
        self.codeRoots = codeRoots
    }

    public static let defaults = DescriptorLimits()
}

/// Reads descriptor text with limits, so a hostile file (a billion-laughs alias bomb, a huge document) is an
/// error, not a hang.
public enum DescriptorText {
    /// The limits of the project being read (set by `DeploymentProject.read` for the whole reading).
    @TaskLocal static var limits = DescriptorLimits.defaults
    /// Largest descriptor read by default.
    public static let maximumBytes = DescriptorLimits.defaults.bytes
    /// Most values produced from one YAML document, aliases expanded: bounds an alias bomb. CloudFormation takes
    /// templates of at most 1 MB, far fewer values than this.
    public static let maximumNodes = 500_000
    /// Most values of one JSON document (no aliases: bounded by its size; a large Terraform plan has millions).
    public static let maximumJSONNodes = 8_000_000

    /// The file's text, or an error naming it: too large (the limit and the flag that raises it), not UTF-8 (the
    /// byte offset), or unreadable.
    public static func read(_ path: String) throws(DescriptorError) -> String {
        do {
            return try TextFile.text(path, limit: limits.bytes)
        } catch .tooLarge(let size, let limit) {
            throw DescriptorError(file: path, message: "\(size) bytes is over the \(TextFile.describe(limit)) a descriptor may have; not read (--max-descriptor-bytes raises the limit)")
        } catch {
            throw DescriptorError(file: path, message: error.description)
        }
    }

    /// At most the first `count` bytes of a file, as text (invalid UTF-8 replaced): enough to tell what it is.
    static func head(_ path: String, count: Int = 1 << 20) -> String {
        String(decoding: ReadableFile(path: path)?.read(upTo: count) ?? [], as: UTF8.self)
    }

    /// A parser's message, short enough to print (libyaml quotes the offending line, which can be megabytes).
    static func clipped(_ message: String) -> String {
        message.count > 400 ? String(message.prefix(400)) + "…" : message
    }

    /// How deep JSON text nests (arrays and objects), strings skipped; stops counting past `limit`.
    static func jsonDepth(_ text: String, limit: Int) -> Int {
        var depth = 0
        var deepest = 0
        var inString = false
        var escaped = false
        for byte in text.utf8 {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                deepest = max(deepest, depth)
                if deepest > limit { return deepest }
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
        return deepest
    }

    /// JSON text (`JSONText`) as values; numbers and booleans become their text as Foundation's `NSNumber` gave it
    /// ("1e2" as "100.0", true as "1").
    public static func json(_ text: String, file: String) throws(DescriptorError) -> DescriptorValue {
        if jsonDepth(text, limit: maximumDepth) > maximumDepth {
            throw DescriptorError(file: file, message: "nested more than \(maximumDepth) levels deep; not read")
        }
        let object: JSONText
        do {
            object = try JSONText.parse(text, fragments: true)
        } catch {
            throw DescriptorError(file: file, message: "not valid JSON: \(clipped(error.description))")
        }
        var budget = maximumJSONNodes
        return try value(json: object, budget: &budget, file: file)
    }

    private static func value(json: JSONText, budget: inout Int, file: String) throws(DescriptorError) -> DescriptorValue {
        budget -= 1
        if budget < 0 { throw DescriptorError(file: file, message: "more than \(maximumJSONNodes) values; not read") }
        switch json {
        case .string(let text): return .scalar(text)
        case .number(let text): return .scalar(JSONText.foundationText(ofNumber: text))
        case .bool(let flag): return .scalar(flag ? "1" : "0")
        case .array(let items):
            var values: [DescriptorValue] = []
            for item in items { values.append(try value(json: item, budget: &budget, file: file)) }
            return .array(values)
        case .object(let fields):
            var values: [String: DescriptorValue] = [:]
            for (key, item) in fields { values[key] = try value(json: item, budget: &budget, file: file) }
            return .object(values)
        case .null: return .null
        }
    }

    /// YAML text (libyaml's events, `YAMLEvents`) as values, with CloudFormation tags in long form, and the line of
    /// each key of the top-level mapping's `Resources` (for reports that point at the template).
    public static func yaml(_ text: String, file: String) throws(DescriptorError) -> (value: DescriptorValue, resourceLines: [String: Int]) {
        var reader = YAMLEvents(text: text, file: file, maximumNodes: maximumNodes, maximumDepth: maximumDepth)
        let (value, lines) = try reader.read()
        return (value ?? .null, lines)
    }

    private static let maximumDepth = 200

    /// CloudFormation's short form: `!Ref` and `!Condition` keep their names, every other `!Name` is `Fn::Name`;
    /// `!GetAtt A.B` is the list `[A, B]`.
    static func longForm(tag: String, _ value: DescriptorValue) -> DescriptorValue {
        guard tag.hasPrefix("!"), !tag.hasPrefix("!!"), tag.count > 1 else { return value }
        let name = String(tag.dropFirst())
        switch name {
        case "Ref", "Condition":
            return .object([name: value])
        case "GetAtt":
            if case .scalar(let text) = value, let dot = text.firstIndex(of: ".") {
                return .object(["Fn::GetAtt": .array([.scalar(String(text[..<dot])), .scalar(String(text[text.index(after: dot)...]))])])
            }
            return .object(["Fn::GetAtt": value])
        default:
            return .object(["Fn::" + name: value])
        }
    }

    /// The 1-based line of the first `"key":` (JSON) or `key:` (YAML) in `text` at or after `after`, for files whose
    /// parser gives no positions. Nil when not found.
    public static func line(ofKey key: String, in text: String) -> Int? {
        var number = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.hasPrefix("\"\(key)\":") || trimmed.hasPrefix("\(key):") || trimmed.hasPrefix("\"\(key)\" :") { return number }
        }
        return nil
    }
}
