import FoundationEssentials
import Glibc

/// One line of an error text as UTF-8 bytes, with the few scans explain's phrases need, each linear in the line.
///
/// The phrases that name a file put the file first (`/var/task/x.so: cannot open shared object file`). As a regular
/// expression that is `([^\s:'"]+): cannot open …`, which a backtracking engine tries from every position of a long
/// run without separators: quadratic (a 16 KiB base64 payload took 9 s, 64 KiB over a minute). Here the phrase is
/// found first and the name is read backwards from it, so every byte is looked at a bounded number of times.
struct LineScan {
    let bytes: [UInt8]
    /// The same bytes with ASCII letters lower-cased (same offsets), for phrases matched without regard to case.
    let lowered: [UInt8]

    init(_ line: String) {
        bytes = Array(line.utf8)
        lowered = bytes.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
    }

    /// What a token may not contain, besides white space (ICU's `\s`: tab, line breaks and the Unicode spaces).
    struct Excluded {
        let ascii: Set<UInt8>
        static let pathStop = Excluded(ascii: Set(":'`\"".utf8))  // [^\s:'`"]
        static let quoteStop = Excluded(ascii: Set("'`\"".utf8))  // [^\s'`"]
        static let colonStop = Excluded(ascii: Set(":".utf8))  // [^\s:]
    }

    /// The scalar starting at `offset` and its length in bytes.
    func scalar(at offset: Int) -> (scalar: Unicode.Scalar, length: Int) {
        let first = bytes[offset]
        if first < 0x80 { return (Unicode.Scalar(first), 1) }
        let length = first >= 0xF0 ? 4 : first >= 0xE0 ? 3 : 2
        var value = UInt32(first) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
        for index in 1..<min(length, bytes.count - offset) { value = value << 6 | UInt32(bytes[offset + index] & 0x3F) }
        return (Unicode.Scalar(value) ?? "\u{FFFD}", length)
    }

    /// The start of the scalar that ends just before `offset`.
    func scalarStart(before offset: Int) -> Int {
        var start = offset - 1
        while start > 0, bytes[start] & 0xC0 == 0x80 { start -= 1 }
        return start
    }

    static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "\t", "\n", "\u{0C}", "\r", " ": return true
        default:
            guard scalar.value >= 0x80 else { return false }
            switch scalar.properties.generalCategory {
            case .spaceSeparator, .lineSeparator, .paragraphSeparator: return true
            default: return false
            }
        }
    }

    func isToken(_ scalar: Unicode.Scalar, _ excluded: Excluded) -> Bool {
        !(scalar.isASCII && excluded.ascii.contains(UInt8(scalar.value))) && !Self.isSpace(scalar)
    }

    /// Where the run of token scalars that ends at `end` starts (`end` when there is none).
    func runStart(endingAt end: Int, _ excluded: Excluded) -> Int {
        var start = end
        while start > 0 {
            let previous = scalarStart(before: start)
            guard isToken(scalar(at: previous).scalar, excluded) else { break }
            start = previous
        }
        return start
    }

    /// Where the run of token scalars that starts at `start` ends.
    func runEnd(from start: Int, _ excluded: Excluded) -> Int {
        var end = start
        while end < bytes.count {
            let (scalar, length) = scalar(at: end)
            guard isToken(scalar, excluded) else { break }
            end += length
        }
        return end
    }

    /// Every offset where `phrase` starts, in order (`ignoringCase`: ASCII letters in any case).
    func occurrences(of phrase: String, ignoringCase: Bool = false) -> [Int] {
        let needle = Array((ignoringCase ? phrase.lowercased() : phrase).utf8)
        let haystack = ignoringCase ? lowered : bytes
        var found: [Int] = []
        guard !needle.isEmpty, haystack.count >= needle.count else { return [] }
        // The first byte found with memchr, the rest compared with memcmp: linear in the line times the phrase's length.
        haystack.withUnsafeBytes { hay in
            needle.withUnsafeBytes { pin in
                var from = 0
                while from <= hay.count - pin.count, let hit = memchr(hay.baseAddress! + from, Int32(needle[0]), hay.count - pin.count + 1 - from) {
                    let offset = hay.baseAddress!.distance(to: UnsafeRawPointer(hit))
                    if memcmp(hay.baseAddress! + offset, pin.baseAddress!, pin.count) == 0 { found.append(offset) }
                    from = offset + 1
                }
            }
        }
        return found
    }

    /// True when `phrase` occurs (`ignoringCase`: ASCII letters in any case).
    func contains(_ phrase: String, ignoringCase: Bool = false) -> Bool {
        let needle = Array((ignoringCase ? phrase.lowercased() : phrase).utf8)
        let haystack = ignoringCase ? lowered : bytes
        guard !needle.isEmpty, haystack.count >= needle.count else { return needle.isEmpty }
        return haystack.withUnsafeBytes { hay in
            needle.withUnsafeBytes { pin in
                var from = 0
                while from <= hay.count - pin.count, let hit = memchr(hay.baseAddress! + from, Int32(needle[0]), hay.count - pin.count + 1 - from) {
                    let offset = hay.baseAddress!.distance(to: UnsafeRawPointer(hit))
                    if memcmp(hay.baseAddress! + offset, pin.baseAddress!, pin.count) == 0 { return true }
                    from = offset + 1
                }
                return false
            }
        }
    }

    /// The line split at every line break Swift's `Character.isNewline` knows (LF, CR, VT, FF, NEL, LS, PS; CR LF is
    /// one), without empty pieces, as `split(whereSeparator: \.isNewline)` splits it but one byte at a time.
    static func splitLines(_ text: String) -> [String] {
        var pieces: [String] = []
        var text = text
        text.withUTF8 { bytes in
            var start = 0
            var index = 0
            func cut(_ end: Int, skipping width: Int) {
                if end > start { pieces.append(String(decoding: bytes[start..<end], as: UTF8.self)) }
                index = end + width
                start = index
            }
            while index < bytes.count {
                let byte = bytes[index]
                if byte >= 0x0A && byte <= 0x0D {
                    cut(index, skipping: 1)
                } else if byte == 0xC2, index + 1 < bytes.count, bytes[index + 1] == 0x85 {
                    cut(index, skipping: 2)
                } else if byte == 0xE2, index + 2 < bytes.count, bytes[index + 1] == 0x80, bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9 {
                    cut(index, skipping: 3)
                } else {
                    index += 1
                }
            }
            cut(bytes.count, skipping: 0)
        }
        return pieces
    }

    func text(_ start: Int, _ end: Int) -> String {
        String(decoding: bytes[start..<end], as: UTF8.self)
    }

    func hasPrefix(_ prefix: String, at offset: Int) -> Bool {
        let utf8 = Array(prefix.utf8)
        return offset >= 0 && offset + utf8.count <= bytes.count && Array(bytes[offset..<offset + utf8.count]) == utf8
    }

    /// `([^\s:'`"]+)PHRASE`: the token just before the first occurrence of `phrase` that has one. With `fromSlash`,
    /// `(/[^…]+)PHRASE`: the token from its first `/`, which must not be its last byte.
    func token(before phrase: String, _ excluded: Excluded = .pathStop, fromSlash: Bool = false, ignoringCase: Bool = false) -> String? {
        for offset in occurrences(of: phrase, ignoringCase: ignoringCase) {
            var start = runStart(endingAt: offset, excluded)
            if fromSlash {
                guard let slash = bytes[start..<offset].firstIndex(of: UInt8(ascii: "/")), slash + 1 < offset else { continue }
                start = slash
            }
            if start < offset { return text(start, offset) }
        }
        return nil
    }

    /// `(?:([^\s:'`"]+): )?PHRASE`: for the first occurrence of `phrase` for which `rest` (given the offset after the
    /// phrase) matches, the token before `: ` ahead of it (nil when there is none) and what `rest` returned.
    func optionalToken<T>(before phrase: String, rest: (Int) -> T?) -> (token: String?, rest: T)? {
        for offset in occurrences(of: phrase) {
            guard let value = rest(offset + phrase.utf8.count) else { continue }
            if hasPrefix(": ", at: offset - 2) {
                let start = runStart(endingAt: offset - 2, .pathStop)
                if start < offset - 2 { return (text(start, offset - 2), value) }
            }
            return (nil, value)
        }
        return nil
    }

    /// The run of bytes from `start` that are in `allowed`, as text (nil when empty).
    func run(from start: Int, allowed: (UInt8) -> Bool) -> String? {
        var end = start
        while end < bytes.count, allowed(bytes[end]) { end += 1 }
        return end > start ? text(start, end) : nil
    }

    /// `(/[^\s:'`"]+\.(?:so|node)[^\s:'`"]*)`: the first token (from its first `/`) that has `.so` or `.node`
    /// after at least one byte past the `/`; the match runs to the token's end. Without `fromSlash`,
    /// `([^\s:'`"]+\.(?:so|node)[^\s:'`"]*)`: from the token's start, `.so` or `.node` after its first byte.
    func sharedObjectPath(fromSlash: Bool = true) -> String? {
        var offset = 0
        while offset < bytes.count {
            let (scalar, length) = scalar(at: offset)
            guard isToken(scalar, .pathStop) else {
                offset += length
                continue
            }
            let end = runEnd(from: offset, .pathStop)
            if let start = fromSlash ? bytes[offset..<end].firstIndex(of: UInt8(ascii: "/")) : offset {
                var dot = start + (fromSlash ? 2 : 1)
                while dot < end {
                    if bytes[dot] == UInt8(ascii: "."), hasPrefix(".so", at: dot) && dot + 3 <= end || hasPrefix(".node", at: dot) && dot + 5 <= end {
                        return text(start, end)
                    }
                    dot += 1
                }
            }
            offset = end
        }
        return nil
    }

    /// `([^\s'`"]+\.node)` from `start` (nil: the first token with `.node` after its first byte), up to the end of
    /// its last `.node`; with `after`, `PHRASE q?([^\s'`"]+\.node)` for the first occurrence of the phrase that has one.
    func nodeAddon(after phrase: String? = nil) -> String? {
        func addon(in start: Int, _ end: Int) -> String? {
            var last: Int?
            var dot = start + 1
            while dot + 5 <= end {
                if hasPrefix(".node", at: dot) { last = dot }
                dot += 1
            }
            return last.map { text(start, $0 + 5) }
        }
        if let phrase {
            for offset in occurrences(of: phrase) {
                var start = offset + phrase.utf8.count
                if start < bytes.count, "'`‘’\"".unicodeScalars.contains(scalar(at: start).scalar) { start += scalar(at: start).length }
                if let found = addon(in: start, runEnd(from: start, .quoteStop)) { return found }
            }
            return nil
        }
        var offset = 0
        while offset < bytes.count {
            let (scalar, length) = scalar(at: offset)
            guard isToken(scalar, .quoteStop) else {
                offset += length
                continue
            }
            let end = runEnd(from: offset, .quoteStop)
            if let found = addon(in: offset, end) { return found }
            offset = end
        }
        return nil
    }
}
