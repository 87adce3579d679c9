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

/// Writes the bytes `JSONValue.rendered()` would, in pieces: a report listing every dynamic symbol of a layer runs to
/// tens of MB, and building it as a tree of values and then as one string held both at once (issue #10: peak
/// memory). Values that are big are written by a closure as they are read; the bytes go to `sink` every 64 KiB.
public struct JSONWriter {
    /// A field's value: a value, or a closure that writes it at the indentation it is given.
    public enum Part {
        case value(JSONValue)
        case written((inout JSONWriter, _ indent: String) -> Void)
    }

    private var buffer: [UInt8] = []
    private let sink: (UnsafeRawBufferPointer) -> Void
    private static let flushSize = 1 << 16

    public init(sink: @escaping (UnsafeRawBufferPointer) -> Void) {
        self.sink = sink
        buffer.reserveCapacity(Self.flushSize + 4096)
    }

    /// Writes what is buffered to the sink.
    public mutating func flush() {
        guard !buffer.isEmpty else { return }
        buffer.withUnsafeBytes { sink($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Text written as it is (a text report uses only this).
    public mutating func raw(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= Self.flushSize { flush() }
    }

    /// A whole document: the value and the final newline, flushed.
    public mutating func document(_ value: JSONValue) {
        write(value, indent: "")
        raw("\n")
        flush()
    }

    public mutating func write(_ value: JSONValue, indent: String) {
        switch value {
        case .null: raw("null")
        case .bool(let flag): raw(flag ? "true" : "false")
        case .int(let number): raw(String(number))
        case .string(let text): string(text)
        case .array(let items):
            array(count: items.count, indent: indent) { writer, index, inner in writer.write(items[index], indent: inner) }
        case .object(let fields):
            object(fields.mapValues { .value($0) }, indent: indent)
        }
    }

    /// An array of `count` items, each written by `item` at the indentation it is given.
    public mutating func array(count: Int, indent: String, item: (inout JSONWriter, Int, String) -> Void) {
        if count == 0 { raw("[]"); return }
        raw("[\n")
        let inner = indent + "  "
        for index in 0..<count {
            raw(inner)
            item(&self, index, inner)
            raw(index == count - 1 ? "\n" : ",\n")
        }
        raw(indent + "]")
    }

    /// An object, keys sorted by their UTF-8 bytes as `rendered()` sorts them.
    public mutating func object(_ fields: [String: Part], indent: String) {
        if fields.isEmpty { raw("{}"); return }
        raw("{\n")
        let inner = indent + "  "
        let keys = fields.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        for (index, key) in keys.enumerated() {
            raw(inner)
            string(key)
            raw(": ")
            switch fields[key]! {
            case .value(let value): write(value, indent: inner)
            case .written(let writeValue): writeValue(&self, inner)
            }
            raw(index == keys.count - 1 ? "\n" : ",\n")
        }
        raw(indent + "}")
    }

    /// A string with the escapes `rendered()` writes.
    public mutating func string(_ text: String) {
        buffer.append(UInt8(ascii: "\""))
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            buffer.append(contentsOf: text.utf8)
        } else {
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": raw("\\\"")
                case "\\": raw("\\\\")
                case "\n": raw("\\n")
                case "\r": raw("\\r")
                case "\t": raw("\\t")
                case let control where control.value < 0x20:
                    let hex = String(control.value, radix: 16)
                    raw("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
                default: buffer.append(contentsOf: String(scalar).utf8)
                }
            }
        }
        buffer.append(UInt8(ascii: "\""))
        if buffer.count >= Self.flushSize { flush() }
    }
}
