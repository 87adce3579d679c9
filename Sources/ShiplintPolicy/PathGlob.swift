/// A path pattern for ignore entries, matched against a whole path, segment by segment (`/` separates segments):
/// `*` any run of characters within a segment, `?` one character, `[abc]` / `[a-z]` / `[!a-z]` a set, `\x` the
/// character x, and `**` as a whole segment any number of segments (none included). `!` (nested archives) is an
/// ordinary character. Compiled once; a malformed pattern is an error, never a pattern that matches nothing.
public struct PathGlob: Sendable, Equatable, CustomStringConvertible {
    enum Token: Sendable, Equatable {
        case literal(Character)
        case any
        case anyRun
        case set([ClosedRange<Character>], negated: Bool)
    }

    enum Segment: Sendable, Equatable {
        case anyDepth
        case pattern([Token])
    }

    public let description: String
    let segments: [Segment]

    public struct SyntaxError: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    public init(_ pattern: String) throws(SyntaxError) {
        guard !pattern.isEmpty else { throw SyntaxError(description: "an empty pattern matches nothing; use ** for everything") }
        description = pattern
        var segments: [Segment] = []
        for part in pattern.split(separator: "/", omittingEmptySubsequences: false) {
            if part == "**" {
                if segments.last != .anyDepth { segments.append(.anyDepth) }
                continue
            }
            if part.contains("**") { throw SyntaxError(description: "'**' must be a whole path segment (as in 'a/**/b')") }
            segments.append(.pattern(try PathGlob.tokens(part)))
        }
        self.segments = segments
    }

    private static func tokens(_ text: Substring) throws(SyntaxError) -> [Token] {
        var tokens: [Token] = []
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            index = text.index(after: index)
            switch character {
            case "*": tokens.append(.anyRun)
            case "?": tokens.append(.any)
            case "\\":
                guard index < text.endIndex else { throw SyntaxError(description: "a trailing '\\' escapes nothing") }
                tokens.append(.literal(text[index]))
                index = text.index(after: index)
            case "[":
                var negated = false
                if index < text.endIndex, text[index] == "!" || text[index] == "^" {
                    negated = true
                    index = text.index(after: index)
                }
                var ranges: [ClosedRange<Character>] = []
                var closed = false
                while index < text.endIndex {
                    let member = text[index]
                    index = text.index(after: index)
                    if member == "]" && !ranges.isEmpty { closed = true; break }
                    let afterDash = text.index(index, offsetBy: 1, limitedBy: text.endIndex)
                    if index < text.endIndex, text[index] == "-", let upperIndex = afterDash, upperIndex < text.endIndex, text[upperIndex] != "]" {
                        let upper = text[upperIndex]
                        guard member <= upper else { throw SyntaxError(description: "range '\(member)-\(upper)' is backwards") }
                        ranges.append(member...upper)
                        index = text.index(after: upperIndex)
                    } else {
                        ranges.append(member...member)
                    }
                }
                guard closed else { throw SyntaxError(description: "'[' has no closing ']'") }
                tokens.append(.set(ranges, negated: negated))
            default:
                tokens.append(.literal(character))
            }
        }
        return tokens
    }

    public func matches(_ path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).map { Array($0) }
        return PathGlob.match(segments[...], parts[...])
    }

    private static func match(_ segments: ArraySlice<Segment>, _ parts: ArraySlice<[Character]>) -> Bool {
        guard let first = segments.first else { return parts.isEmpty }
        switch first {
        case .anyDepth:
            var rest = parts
            while true {
                if match(segments.dropFirst(), rest) { return true }
                guard !rest.isEmpty else { return false }
                rest = rest.dropFirst()
            }
        case .pattern(let tokens):
            guard let part = parts.first, match(tokens[...], part[...]) else { return false }
            return match(segments.dropFirst(), parts.dropFirst())
        }
    }

    private static func match(_ tokens: ArraySlice<Token>, _ text: ArraySlice<Character>) -> Bool {
        guard let token = tokens.first else { return text.isEmpty }
        switch token {
        case .anyRun:
            var rest = text
            while true {
                if match(tokens.dropFirst(), rest) { return true }
                guard !rest.isEmpty else { return false }
                rest = rest.dropFirst()
            }
        case .any:
            return !text.isEmpty && match(tokens.dropFirst(), text.dropFirst())
        case .literal(let character):
            return text.first == character && match(tokens.dropFirst(), text.dropFirst())
        case .set(let ranges, let negated):
            guard let character = text.first else { return false }
            return ranges.contains { $0.contains(character) } != negated && match(tokens.dropFirst(), text.dropFirst())
        }
    }
}
