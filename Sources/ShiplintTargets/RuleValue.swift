internal import TOMLKit

/// A TOML document (a rule file, a `.shiplint.toml`), copied out of the parser at once into plain values (no C++
/// handles kept), so every key can be validated with its path.
public indirect enum RuleValue: Sendable, Equatable {
    case string(String)
    case integer(Int)
    case boolean(Bool)
    case array([RuleValue])
    /// Keys in file order.
    case table([(key: String, value: RuleValue)])
    /// A TOML type rule files never use (float, date …), kept by name for the error message.
    case unsupported(String)

    public static func == (lhs: RuleValue, rhs: RuleValue) -> Bool {
        switch (lhs, rhs) {
        case (.string(let a), .string(let b)): a == b
        case (.integer(let a), .integer(let b)): a == b
        case (.boolean(let a), .boolean(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.table(let a), .table(let b)): a.map(\.key) == b.map(\.key) && a.map(\.value) == b.map(\.value)
        case (.unsupported(let a), .unsupported(let b)): a == b
        default: false
        }
    }

    /// Parses TOML text; a syntax error comes back with its line and column.
    public static func parse(toml text: String, file: String) throws(TargetError) -> RuleValue {
        if let bad = TOMLAbortCheck.firstAbort(in: text) {
            throw TargetError(file: file, message: "line \(bad.line), column \(bad.column): \(bad.message)")
        }
        do {
            return RuleValue(try TOMLTable(string: text))
        } catch let error as TOMLParseError {
            throw TargetError(file: file, message: "line \(error.source.begin.line), column \(error.source.begin.column): \(error.description)")
        } catch {
            throw TargetError(file: file, message: "not valid TOML: \(error)")
        }
    }

    private init(_ table: TOMLTable) {
        self = .table(table.map { key, value in (key, RuleValue(value)) })
    }

    private init(_ value: TOMLValueConvertible) {
        switch value.type {
        case .string: self = .string(value.string ?? "")
        case .int: self = .integer(value.int ?? 0)
        case .bool: self = .boolean(value.bool ?? false)
        case .array: self = .array((value.array ?? TOMLArray()).map { RuleValue($0) })
        case .table: self = value.table.map { RuleValue($0) } ?? .table([])
        default: self = .unsupported(value.type.description)
        }
    }

    public var typeName: String {
        switch self {
        case .string: "a string"
        case .integer: "an integer"
        case .boolean: "a boolean"
        case .array: "an array"
        case .table: "a table"
        case .unsupported(let name): "a \(name)"
        }
    }

    /// A table's pairs in file order; empty for anything else.
    public var pairs: [(key: String, value: RuleValue)] {
        if case .table(let pairs) = self { return pairs }
        return []
    }

    public subscript(key: String) -> RuleValue? {
        pairs.first { $0.key == key }?.value
    }

    /// `extends` merging: tables merge key by key, recursively; anything else in `child` replaces the parent's.
    static func merge(parent: RuleValue, child: RuleValue) -> RuleValue {
        guard case .table(let parentPairs) = parent, case .table(let childPairs) = child else { return child }
        var merged = parentPairs
        for (key, value) in childPairs {
            if let index = merged.firstIndex(where: { $0.key == key }) {
                merged[index].value = merge(parent: merged[index].value, child: value)
            } else {
                merged.append((key, value))
            }
        }
        return .table(merged)
    }
}

/// A rule file, project configuration or baseline that cannot be used: names the file and, where it can, the key
/// path. (Exit status 2: a CI gate must never pass silently on a broken policy.)
public struct TargetError: Error, Equatable, CustomStringConvertible {
    public let file: String
    public let keyPath: String?
    public let message: String

    public init(file: String, keyPath: String? = nil, message: String) {
        self.file = file
        self.keyPath = keyPath
        self.message = message
    }

    public var description: String {
        keyPath.map { "\(file): at '\($0)': \(message)" } ?? "\(file): \(message)"
    }
}
