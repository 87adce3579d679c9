import FoundationEssentials

/// JSON text read into values (RFC 8259), accepting what Foundation's `JSONSerialization` accepted, which shiplint
/// used before it linked FoundationEssentials only: a leading byte-order mark, a trailing comma before `]` or `}`,
/// numbers out of Double's range refused, at most 512 levels of nesting, the last of two equal keys kept.
/// EssentialsParityTests holds it to `JSONSerialization` on the same inputs.
public indirect enum JSONText: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number as written (validated); `foundationText` renders it as `NSNumber.stringValue` did.
    case number(String)
    case string(String)
    case array([JSONText])
    case object([String: JSONText])

    /// The message `JSONSerialization`'s error gave for any text it refused (kept: descriptor errors quote it).
    public static let invalidMessage = "The operation could not be completed. The data is not in the correct format."
    public static let maximumDepth = 512

    public struct Invalid: Error, Sendable, CustomStringConvertible {
        public var description: String { JSONText.invalidMessage }
    }

    /// The value of `text`; with `fragments` false the top level must be an array or an object.
    public static func parse(_ text: String, fragments: Bool = false) throws(Invalid) -> JSONText {
        try parse(bytes: Array(text.utf8), fragments: fragments)
    }

    public static func parse(bytes: [UInt8], fragments: Bool = false) throws(Invalid) -> JSONText {
        var reader = Reader(bytes: bytes)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { reader.index = 3 }
        reader.skipSpace()
        let value = try reader.value(depth: 0)
        reader.skipSpace()
        guard reader.index == bytes.count else { throw Invalid() }
        if !fragments {
            switch value {
            case .array, .object: break
            default: throw Invalid()
            }
        }
        return value
    }

    /// The value as `JSONSerialization` returned it for code written against it: `[String: Any]`, `[Any]`, `String`,
    /// `Bool`, `Int` for a number with an integral value in Int's range (an `NSNumber` cast as `Int` gave one for
    /// 1.0 too), else `Double`, and a `JSONText.null` for null.
    public var foundationValue: Any {
        switch self {
        case .null: return JSONText.null
        case .bool(let flag): return flag
        case .number(let text):
            if let integer = Int(text) { return integer }
            let double = Double(text) ?? 0
            if double.rounded() == double, let integer = Int(exactly: double) { return integer }
            return double
        case .string(let text): return text
        case .array(let items): return items.map(\.foundationValue)
        case .object(let fields): return fields.mapValues(\.foundationValue)
        }
    }

    /// The value `JSONSerialization` gave as a `[String: Any]`, or nil for any other value or for text it refused.
    public static func foundationObject(_ text: String) -> [String: Any]? {
        (try? parse(text))?.foundationValue as? [String: Any]
    }

    /// The same for JSON bytes (UTF-8).
    public static func foundationObject<Bytes: Sequence<UInt8>>(bytes: Bytes) -> [String: Any]? {
        (try? parse(bytes: Array(bytes)))?.foundationValue as? [String: Any]
    }

    private struct Reader {
        let bytes: [UInt8]
        var index = 0

        mutating func skipSpace() {
            while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 { index += 1 }
        }

        mutating func value(depth: Int) throws(Invalid) -> JSONText {
            guard index < bytes.count else { throw Invalid() }
            switch bytes[index] {
            case UInt8(ascii: "{"): return try object(depth: depth + 1)
            case UInt8(ascii: "["): return try array(depth: depth + 1)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            default: return .number(try number())
            }
        }

        mutating func literal(_ word: StaticString) throws(Invalid) {
            let count = word.utf8CodeUnitCount
            guard index + count <= bytes.count else { throw Invalid() }
            let matches = word.withUTF8Buffer { expected in bytes[index..<index + count].elementsEqual(expected) }
            guard matches else { throw Invalid() }
            index += count
        }

        mutating func array(depth: Int) throws(Invalid) -> JSONText {
            guard depth <= JSONText.maximumDepth else { throw Invalid() }
            index += 1
            var items: [JSONText] = []
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
            while true {
                skipSpace()
                items.append(try value(depth: depth))
                skipSpace()
                guard index < bytes.count else { throw Invalid() }
                if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
                guard bytes[index] == UInt8(ascii: ",") else { throw Invalid() }
                index += 1
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
            }
        }

        mutating func object(depth: Int) throws(Invalid) -> JSONText {
            guard depth <= JSONText.maximumDepth else { throw Invalid() }
            index += 1
            var fields: [String: JSONText] = [:]
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(fields) }
            while true {
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw Invalid() }
                let key = try string()
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw Invalid() }
                index += 1
                skipSpace()
                fields[key] = try value(depth: depth)
                skipSpace()
                guard index < bytes.count else { throw Invalid() }
                if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(fields) }
                guard bytes[index] == UInt8(ascii: ",") else { throw Invalid() }
                index += 1
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(fields) }
            }
        }

        /// A string from its opening quote; control characters must be escaped, surrogates come in pairs.
        mutating func string() throws(Invalid) -> String {
            index += 1
            var scalars = String.UnicodeScalarView()
            var runStart = index
            func flush(_ end: Int, into scalars: inout String.UnicodeScalarView) throws(Invalid) {
                guard runStart < end else { return }
                guard let run = String(validating: bytes[runStart..<end], as: UTF8.self) else { throw Invalid() }
                scalars.append(contentsOf: run.unicodeScalars)
            }
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    try flush(index, into: &scalars)
                    index += 1
                    return String(scalars)
                }
                if byte < 0x20 { throw Invalid() }
                if byte == UInt8(ascii: "\\") {
                    try flush(index, into: &scalars)
                    index += 1
                    guard index < bytes.count else { throw Invalid() }
                    let escaped = bytes[index]
                    index += 1
                    switch escaped {
                    case UInt8(ascii: "\""): scalars.append("\"")
                    case UInt8(ascii: "\\"): scalars.append("\\")
                    case UInt8(ascii: "/"): scalars.append("/")
                    case UInt8(ascii: "b"): scalars.append("\u{08}")
                    case UInt8(ascii: "f"): scalars.append("\u{0C}")
                    case UInt8(ascii: "n"): scalars.append("\n")
                    case UInt8(ascii: "r"): scalars.append("\r")
                    case UInt8(ascii: "t"): scalars.append("\t")
                    case UInt8(ascii: "u"):
                        let unit = try codeUnit()
                        if UTF16.isLeadSurrogate(unit) {
                            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else { throw Invalid() }
                            index += 2
                            let trail = try codeUnit()
                            guard UTF16.isTrailSurrogate(trail) else { throw Invalid() }
                            scalars.append(UTF16.decode(UTF16.EncodedScalar([unit, trail])))
                        } else if UTF16.isTrailSurrogate(unit) {
                            throw Invalid()
                        } else {
                            scalars.append(Unicode.Scalar(unit)!)
                        }
                    default: throw Invalid()
                    }
                    runStart = index
                    continue
                }
                index += 1
            }
            throw Invalid()
        }

        mutating func codeUnit() throws(Invalid) -> UInt16 {
            guard index + 4 <= bytes.count else { throw Invalid() }
            var unit: UInt16 = 0
            for byte in bytes[index..<index + 4] {
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw Invalid()
                }
                unit = unit << 4 | UInt16(digit)
            }
            index += 4
            return unit
        }

        /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, finite as a Double.
        mutating func number() throws(Invalid) -> String {
            let start = index
            func digits(_ reader: inout Reader) -> Int {
                let first = reader.index
                while reader.index < reader.bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(reader.bytes[reader.index]) { reader.index += 1 }
                return reader.index - first
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
            let integerStart = index
            let integerDigits = digits(&self)
            guard integerDigits > 0 else { throw Invalid() }
            if integerDigits > 1, bytes[integerStart] == UInt8(ascii: "0") { throw Invalid() }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                guard digits(&self) > 0 else { throw Invalid() }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
                guard digits(&self) > 0 else { throw Invalid() }
            }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            guard let double = Double(text), double.isFinite else { throw Invalid() }
            return text
        }
    }
}

extension JSONText {
    /// A number's text as `NSNumber.stringValue` gave it from `JSONSerialization`: an integer that fits 64 bits as
    /// itself ("-0" as "0"); a mantissa of 17 digits or more, or a larger integer, as a decimal ("1.00…0" as "1");
    /// any other as Swift prints the Double ("1e2" as "100.0", "1e-7" as "1e-07").
    public static func foundationText(ofNumber text: String) -> String {
        let isInteger = !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" })
        if isInteger {
            if let value = Int64(text) { return String(value) }
            if let value = UInt64(text) { return String(value) }
        }
        let mantissa = text.prefix { $0 != "e" && $0 != "E" }
        if isInteger || mantissa.filter(\.isNumber).count >= 17, let decimal = Decimal(string: text) {
            return decimal.description
        }
        return String(describing: Double(text) ?? 0)
    }
}
