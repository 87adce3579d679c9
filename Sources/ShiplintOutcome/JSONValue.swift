/// A JSON document written with sorted keys and fixed formatting, so the same input gives the same bytes.
/// Not `indirect`: arrays and objects already hold their values on the heap, and boxing every value as well cost
/// 70 MB on a report listing every dynamic symbol of a layer (issue #10).
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public static func optional(_ text: String?) -> JSONValue { text.map { .string($0) } ?? .null }
    public static func strings(_ items: [String]) -> JSONValue { .array(items.map { .string($0) }) }

    /// Two-space indentation, one key per line, keys sorted by their UTF-8 bytes; ends with a newline.
    public func rendered() -> String {
        var output = ""
        var indents = [""]
        write(into: &output, depth: 0, indents: &indents)
        output += "\n"  // appended in place: a report of every symbol runs to tens of MB, not copied again
        return output
    }

    /// `indents[n]` is 2n spaces, made once per depth rather than once per line.
    private func write(into output: inout String, depth: Int, indents: inout [String]) {
        if indents.count <= depth + 1 { indents.append(indents[indents.count - 1] + "  ") }
        switch self {
        case .null: output += "null"
        case .bool(let flag): output += flag ? "true" : "false"
        case .int(let number): output += String(number)
        case .string(let text): JSONValue.writeString(text, into: &output)
        case .array(let items):
            if items.isEmpty { output += "[]"; return }
            output += "[\n"
            for (index, item) in items.enumerated() {
                output += indents[depth + 1]
                item.write(into: &output, depth: depth + 1, indents: &indents)
                output += index == items.count - 1 ? "\n" : ",\n"
            }
            output += indents[depth]
            output += "]"
        case .object(let fields):
            if fields.isEmpty { output += "{}"; return }
            output += "{\n"
            let sorted = fields.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            for (index, field) in sorted.enumerated() {
                output += indents[depth + 1]
                JSONValue.writeString(field.key, into: &output)
                output += ": "
                field.value.write(into: &output, depth: depth + 1, indents: &indents)
                output += index == sorted.count - 1 ? "\n" : ",\n"
            }
            output += indents[depth]
            output += "}"
        }
    }

    private static func writeString(_ text: String, into output: inout String) {
        output += "\""
        // Most strings need no escape: appended whole.
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            output += text
            output += "\""
            return
        }
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case let control where control.value < 0x20:
                let hex = String(control.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }
}
