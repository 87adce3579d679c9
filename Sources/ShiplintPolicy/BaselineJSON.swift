/// The JSON of a baseline file, read straight into strings: no Foundation object per value (which made a 100 MB
/// baseline cost 3 GB before its first entry was checked), so memory stays near the file's own size. Strict JSON
/// (RFC 8259); values the baseline does not use (`tool`, `target`) are checked and skipped, up to a nesting depth.
struct BaselineJSON {
    /// One value of the document, as much of it as a baseline needs.
    enum Value {
        case string(String)
        case integer(Int)
        /// An array of finding objects.
        case findings([RawFinding])
        /// Anything else (a number that is no integer, true, false, null, another array or object).
        case other(String)
    }

    /// One element of `findings` as written: the keys a baseline knows, kept as strings (no dictionary per
    /// entry: a 32 MiB baseline holds 400,000 of them), and what else was there, for the messages.
    struct RawFinding {
        static let keys = ["check", "deployment", "artifact", "group", "path", "fact", "message"]
        var check, deployment, artifact, group, path, fact, message: String?
        /// Keys given with a value that is not a string, and keys a baseline does not have.
        var notStrings: [String] = []
        var unknownKeys: [String] = []
        /// The element is not an object at all.
        var notObject = false

        mutating func set(_ key: String, _ value: String?) {
            guard let value else {
                notStrings.append(key)
                return
            }
            switch key {
            case "check": check = value
            case "deployment": deployment = value
            case "artifact": artifact = value
            case "group": group = value
            case "path": path = value
            case "fact": fact = value
            case "message": message = value
            default: unknownKeys.append(key)
            }
            notStrings.removeAll { $0 == key }
        }
    }

    struct SyntaxError: Error {
        let offset: Int
        let message: String
    }

    static let maximumDepth = 64

    private let bytes: [UInt8]
    private var index = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The top-level object's members in file order; nil when the document is not an object.
    static func topLevel(_ bytes: [UInt8]) throws(SyntaxError) -> [(key: String, value: Value)]? {
        var reader = BaselineJSON(bytes)
        reader.skipSpace()
        guard reader.peek == UInt8(ascii: "{") else {
            _ = try reader.skipValue(depth: 0)
            try reader.end()
            return nil
        }
        var members: [(key: String, value: Value)] = []
        try reader.object { (reader: inout BaselineJSON, key: String) throws(SyntaxError) in
            if key == "findings", reader.peek == UInt8(ascii: "[") {
                members.append((key, .findings(try reader.findings())))
            } else if reader.peek == UInt8(ascii: "\"") {
                members.append((key, .string(try reader.string())))
            } else {
                let start = reader.index
                let kind = try reader.skipValue(depth: 1)
                let text = String(decoding: reader.bytes[start..<reader.index], as: UTF8.self)
                if kind == "number", let number = Int(text) {
                    members.append((key, .integer(number)))
                } else {
                    members.append((key, .other(kind)))
                }
            }
        }
        try reader.end()
        return members
    }

    private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    private func failure(_ message: String) -> SyntaxError { SyntaxError(offset: index, message: message) }

    private mutating func skipSpace() {
        while let byte = peek, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
    }

    private mutating func expect(_ byte: UInt8) throws(SyntaxError) {
        skipSpace()
        guard peek == byte else { throw failure("expected '\(Character(UnicodeScalar(byte)))'") }
        index += 1
    }

    private mutating func end() throws(SyntaxError) {
        skipSpace()
        if index < bytes.count { throw failure("text after the end of the document") }
    }

    /// `{ "key": value, … }`, calling `member` positioned at each value.
    private mutating func object(_ member: (inout BaselineJSON, String) throws(SyntaxError) -> Void) throws(SyntaxError) {
        try expect(UInt8(ascii: "{"))
        skipSpace()
        if peek == UInt8(ascii: "}") {
            index += 1
            return
        }
        while true {
            skipSpace()
            guard peek == UInt8(ascii: "\"") else { throw failure("expected a key in quotes") }
            let key = try string()
            try expect(UInt8(ascii: ":"))
            skipSpace()
            try member(&self, key)
            skipSpace()
            if peek == UInt8(ascii: ",") {
                index += 1
                continue
            }
            try expect(UInt8(ascii: "}"))
            return
        }
    }

    /// `[ {…}, … ]`: each element an object of strings (other values recorded, to be reported by key).
    private mutating func findings() throws(SyntaxError) -> [RawFinding] {
        try expect(UInt8(ascii: "["))
        var items: [RawFinding] = []
        skipSpace()
        if peek == UInt8(ascii: "]") {
            index += 1
            return items
        }
        while true {
            skipSpace()
            var finding = RawFinding()
            if peek == UInt8(ascii: "{") {
                try object { (reader: inout BaselineJSON, key: String) throws(SyntaxError) in
                    if reader.peek == UInt8(ascii: "\"") {
                        finding.set(key, try reader.string())
                    } else {
                        _ = try reader.skipValue(depth: 3)
                        if RawFinding.keys.contains(key) { finding.set(key, nil) } else { finding.unknownKeys.append(key) }
                    }
                }
            } else {
                _ = try skipValue(depth: 2)
                finding.notObject = true
            }
            items.append(finding)
            skipSpace()
            if peek == UInt8(ascii: ",") {
                index += 1
                continue
            }
            try expect(UInt8(ascii: "]"))
            return items
        }
    }

    /// A string, its escapes decoded (`\uD83D\uDE00` pairs included); raw control characters are not JSON. (The
    /// file was checked to be UTF-8 before.)
    private mutating func string() throws(SyntaxError) -> String {
        try expect(UInt8(ascii: "\""))
        var decoded: [UInt8] = []
        var runStart = index
        while true {
            guard let byte = peek else { throw failure("a string is not closed") }
            if byte == UInt8(ascii: "\"") {
                let text = decoded.isEmpty
                    ? String(decoding: bytes[runStart..<index], as: UTF8.self)
                    : String(decoding: decoded + bytes[runStart..<index], as: UTF8.self)
                index += 1
                return text
            }
            if byte < 0x20 { throw failure("a control character inside a string") }
            guard byte == UInt8(ascii: "\\") else {
                index += 1
                continue
            }
            decoded += bytes[runStart..<index]
            index += 1
            guard let escape = peek else { throw failure("a string is not closed") }
            index += 1
            let scalar: Unicode.Scalar
            switch escape {
            case UInt8(ascii: "\""): scalar = "\""
            case UInt8(ascii: "\\"): scalar = "\\"
            case UInt8(ascii: "/"): scalar = "/"
            case UInt8(ascii: "b"): scalar = "\u{08}"
            case UInt8(ascii: "f"): scalar = "\u{0C}"
            case UInt8(ascii: "n"): scalar = "\n"
            case UInt8(ascii: "r"): scalar = "\r"
            case UInt8(ascii: "t"): scalar = "\t"
            case UInt8(ascii: "u"):
                var value = try hex4()
                if (0xD800...0xDBFF).contains(value) {
                    guard peek == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") else {
                        throw failure("a lone UTF-16 surrogate escape")
                    }
                    index += 2
                    let low = try hex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw failure("a lone UTF-16 surrogate escape") }
                    value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let decodedScalar = Unicode.Scalar(value) else { throw failure("a lone UTF-16 surrogate escape") }
                scalar = decodedScalar
            default: throw failure("an unknown escape")
            }
            decoded += Array(String(scalar).utf8)
            runStart = index
        }
    }

    private mutating func hex4() throws(SyntaxError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw failure("a \\u escape needs four hex digits") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let digit = UInt32(String(UnicodeScalar(bytes[index])), radix: 16) else { throw failure("a \\u escape needs four hex digits") }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    /// Skips one value, checking its syntax; its kind in words.
    private mutating func skipValue(depth: Int) throws(SyntaxError) -> String {
        guard depth <= Self.maximumDepth else { throw failure("nested more than \(Self.maximumDepth) levels deep") }
        skipSpace()
        guard let byte = peek else { throw failure("a value is missing") }
        switch byte {
        case UInt8(ascii: "\""):
            _ = try string()
            return "a string"
        case UInt8(ascii: "{"):
            try object { (reader: inout BaselineJSON, _: String) throws(SyntaxError) in _ = try reader.skipValue(depth: depth + 1) }
            return "an object"
        case UInt8(ascii: "["):
            index += 1
            skipSpace()
            if peek == UInt8(ascii: "]") {
                index += 1
                return "an array"
            }
            while true {
                _ = try skipValue(depth: depth + 1)
                skipSpace()
                if peek == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                try expect(UInt8(ascii: "]"))
                return "an array"
            }
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            for word in ["true", "false", "null"] where bytes[index...].starts(with: word.utf8) {
                index += word.utf8.count
                return word == "null" ? "null" : "a boolean"
            }
            throw failure("not a JSON value")
        default:
            // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
            let start = index
            if peek == UInt8(ascii: "-") { index += 1 }
            func digits(_ reader: inout BaselineJSON) -> Int {
                let from = reader.index
                while let digit = reader.peek, digit >= 0x30, digit <= 0x39 { reader.index += 1 }
                return reader.index - from
            }
            let whole = index
            guard digits(&self) > 0 else { throw failure("not a JSON value") }
            if bytes[whole] == UInt8(ascii: "0"), index - whole > 1 { throw failure("a number with a leading zero") }
            if peek == UInt8(ascii: ".") {
                index += 1
                guard digits(&self) > 0 else { throw failure("a number without digits after its point") }
            }
            if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
                index += 1
                if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { index += 1 }
                guard digits(&self) > 0 else { throw failure("a number without digits in its exponent") }
            }
            _ = start
            return "number"
        }
    }
}
