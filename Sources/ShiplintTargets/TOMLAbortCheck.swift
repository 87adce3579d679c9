/// toml++ 3.4 (inside TOMLKit) aborts the process on two shapes of text, both found by `make fuzz`:
/// - a table header whose key does not start with a key character (`[=a]`, `[\n`, `[[[1]]]`): `parse_key` asserts it,
///   and a release build turns the assertion into undefined behaviour (marzer/tomlplusplus#301, fixed after 3.4);
/// - a `}` where an array expects a value (`x = [}`, `x = [1, }`): `parse_array` hands it to `parse_value`, which
///   asserts that a value does not start with a value terminator (a key's value is checked first; an array's is not).
/// This scan finds the first such place and reports it as toml++ reports its other syntax errors, so the C++ parser
/// never sees one.
///
/// It follows TOML's lexical structure only as far as needed to know where a statement starts: strings (basic,
/// literal, multi-line), comments, and arrays and inline tables spanning lines. Text after the first syntax error
/// toml++ would report does not matter (it stops there), so an invalid document only has to be stopped somewhere.
enum TOMLAbortCheck {
    /// Nil, or the error for the first place that would reach one of toml++'s assertions, worded as toml++ words it.
    static func firstAbort(in text: String) -> (line: Int, column: Int, message: String)? {
        let bytes = Array(text.utf8)
        // toml++ skips a UTF-8 byte order mark at the start: the first statement begins after it.
        var index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var line = 1
        var lineStart = index
        // The arrays (`[`) and inline tables (`{`) open at this point, innermost last; whether an array's next value
        // starts here (after its `[` or a comma, through spaces, line breaks and comments).
        var open: [UInt8] = []
        var expectingElement = false
        var atStatement = true
        func newline(at position: Int) {
            line += 1
            lineStart = position + 1
        }
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\n"):
                newline(at: index)
                if open.isEmpty { atStatement = true }
                index += 1
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                index += 1
            case UInt8(ascii: "#"):
                while index < bytes.count, bytes[index] != UInt8(ascii: "\n") { index += 1 }
            case UInt8(ascii: "["):
                if atStatement {
                    // A table header: `[` or `[[`, spaces, then the key. (`[ [` is an error toml++ reports itself.)
                    if let (cursor, found) = headerAbort(bytes, at: index) {
                        return (line, cursor - lineStart + 1,
                                "Error while parsing table header: expected bare key starting character or string delimiter, saw \(found)")
                    }
                    // The rest of the header line is a key (quoted parts included) and maybe a comment.
                    while index < bytes.count, bytes[index] != UInt8(ascii: "\n") { index += 1 }
                    atStatement = false
                } else {
                    open.append(byte)
                    expectingElement = true
                    index += 1
                }
            case UInt8(ascii: "{"):
                open.append(byte)
                expectingElement = false
                atStatement = false
                index += 1
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                if byte == UInt8(ascii: "}"), expectingElement, open.last == UInt8(ascii: "[") {
                    return (line, index - lineStart + 1, "Error while parsing array: expected value or closing ']', saw '}'")
                }
                _ = open.popLast()
                expectingElement = false
                atStatement = false
                index += 1
            case UInt8(ascii: ","):
                expectingElement = open.last == UInt8(ascii: "[")
                atStatement = false
                index += 1
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                expectingElement = false
                atStatement = false
                index = endOfString(bytes, at: index, newline: newline)
            default:
                expectingElement = false
                atStatement = false
                index += 1
            }
        }
        return nil
    }

    /// Where the key of the table header opening at `index` starts with a byte that would reach toml++'s assertion,
    /// and that byte as toml++ shows it; nil when the header is safe to hand over.
    private static func headerAbort(_ bytes: [UInt8], at index: Int) -> (cursor: Int, found: String)? {
        var cursor = index + 1
        func skipSpaces() -> Bool {
            let start = cursor
            while cursor < bytes.count, bytes[cursor] == UInt8(ascii: " ") || bytes[cursor] == UInt8(ascii: "\t") { cursor += 1 }
            return cursor > start
        }
        let spaced = skipSpaces()
        if cursor < bytes.count, bytes[cursor] == UInt8(ascii: "["), !spaced {
            cursor += 1
            _ = skipSpaces()
        }
        let safe = cursor >= bytes.count || isKeyStart(bytes[cursor]) || bytes[cursor] == UInt8(ascii: "]")
            || (spaced && bytes[cursor] == UInt8(ascii: "["))
        if safe { return nil }
        let found = bytes[cursor] < 0x20 || bytes[cursor] >= 0x7F
            ? "byte 0x" + String(bytes[cursor], radix: 16) : "'" + String(UnicodeScalar(bytes[cursor])) + "'"
        return (cursor, found)
    }

    private static func isKeyStart(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
            || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'")
    }

    /// The index after the string (basic, literal, or their multi-line forms) that opens at `index`; a single-line
    /// string ends at its line's end (toml++ reports it). `newline` is told of each line break inside.
    private static func endOfString(_ bytes: [UInt8], at start: Int, newline: (Int) -> Void) -> Int {
        let quote = bytes[start]
        let marker: [UInt8] = Array((quote == UInt8(ascii: "\"") ? "\"\"\"" : "'''").utf8)
        let triple = start + 3 <= bytes.count && Array(bytes[start..<start + 3]) == marker
        var index = start + (triple ? 3 : 1)
        while index < bytes.count {
            let next = bytes[index]
            if quote == UInt8(ascii: "\""), next == UInt8(ascii: "\\") {
                if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\n") { newline(index + 1) }
                index += 2
                continue
            }
            if next == UInt8(ascii: "\n") {
                if !triple { return index }  // a single-line string ends at the line: toml++ reports it
                newline(index)
            }
            if next == quote {
                if !triple { return index + 1 }
                if index + 2 < bytes.count, bytes[index + 1] == quote, bytes[index + 2] == quote {
                    index += 3
                    // Up to two more quotes belong to the string (`""""` ends with one quote inside).
                    var extra = 0
                    while extra < 2, index < bytes.count, bytes[index] == quote { index += 1; extra += 1 }
                    return index
                }
            }
            index += 1
        }
        return index
    }
}
