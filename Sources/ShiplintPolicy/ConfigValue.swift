internal import TOMLKit

/// A `.shiplint.toml`, copied out of the TOML parser at once into plain values (the approach of the target rules'
/// `RuleValue`; that type is internal to ShiplintTargets).
indirect enum ConfigValue: Sendable {
    case string(String)
    case integer(Int)
    case boolean(Bool)
    case array([ConfigValue])
    /// Keys in file order.
    case table([(key: String, value: ConfigValue)])
    /// A TOML type the configuration never uses (float, date …), kept by name for the error message.
    case unsupported(String)

    /// Parses TOML text; a syntax error comes back with its line and column.
    static func parse(toml text: String, file: String) throws(ConfigurationError) -> ConfigValue {
        do {
            return ConfigValue(try TOMLTable(string: text))
        } catch let error as TOMLParseError {
            throw ConfigurationError(file: file, message: "line \(error.source.begin.line), column \(error.source.begin.column): \(error.description)")
        } catch {
            throw ConfigurationError(file: file, message: "not valid TOML: \(error)")
        }
    }

    private init(_ table: TOMLTable) {
        self = .table(table.map { key, value in (key, ConfigValue(value)) })
    }

    private init(_ value: TOMLValueConvertible) {
        switch value.type {
        case .string: self = .string(value.string ?? "")
        case .int: self = .integer(value.int ?? 0)
        case .bool: self = .boolean(value.bool ?? false)
        case .array: self = .array((value.array ?? TOMLArray()).map { ConfigValue($0) })
        case .table: self = value.table.map { ConfigValue($0) } ?? .table([])
        default: self = .unsupported(value.type.description)
        }
    }

    var typeName: String {
        switch self {
        case .string: "a string"
        case .integer: "an integer"
        case .boolean: "a boolean"
        case .array: "an array"
        case .table: "a table"
        case .unsupported(let name): "a \(name)"
        }
    }

    var pairs: [(key: String, value: ConfigValue)] {
        if case .table(let pairs) = self { return pairs }
        return []
    }

    subscript(key: String) -> ConfigValue? {
        pairs.first { $0.key == key }?.value
    }
}
