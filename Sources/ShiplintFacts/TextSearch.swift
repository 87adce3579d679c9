/// String operations FoundationEssentials lacks, with the answers Foundation gave (held by EssentialsParityTests against
/// Foundation itself): trimming by Unicode's white space, the last occurrence of a text, padding to a width.
extension StringProtocol {
    /// Without leading and trailing white space as `CharacterSet.whitespaces` has it: the space separators (Zs),
    /// the tab and U+200B ZERO WIDTH SPACE.
    public func trimmingWhitespace() -> String { trimming(where: Self.isWhitespace) }

    /// Without leading and trailing white space and line ends as `CharacterSet.whitespacesAndNewlines` has it:
    /// the separators (Zs, Zl, Zp), U+0009 through U+000D and U+0085.
    public func trimmingWhitespaceAndNewlines() -> String {
        trimming { Self.isWhitespace($0) || $0.properties.generalCategory == .lineSeparator || $0.properties.generalCategory == .paragraphSeparator || (0x0A...0x0D).contains($0.value) || $0.value == 0x85 }
    }

    /// The range of the last occurrence of `other` (occurrences may overlap: "a.so.so." finds the one at 4).
    /// Matched by Unicode scalar, as Foundation's `range(of:options: .backwards)`.
    public func lastRange<Other: StringProtocol>(of other: Other) -> Range<Index>? {
        let scalars = unicodeScalars
        let target = Array(other.unicodeScalars)
        guard !target.isEmpty else { return nil }
        var index = scalars.endIndex
        while index > scalars.startIndex {
            index = scalars.index(before: index)
            if scalars[index...].starts(with: target) {
                return index..<scalars.index(index, offsetBy: target.count)
            }
        }
        return nil
    }

    /// Cut or padded with spaces to `length` UTF-16 code units, as `padding(toLength:withPad: " ", startingAt: 0)`.
    public func padded(toLength length: Int) -> String {
        let units = utf16.count
        if units >= length { return String(decoding: Array(utf16.prefix(length)), as: UTF16.self) }
        return String(self) + String(repeating: " ", count: length - units)
    }

    private static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "\t" || scalar == "\u{200B}" || scalar.properties.generalCategory == .spaceSeparator
    }

    private func trimming(where isTrimmed: (Unicode.Scalar) -> Bool) -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !isTrimmed($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !isTrimmed($0) })!
        var kept = String.UnicodeScalarView()
        kept.append(contentsOf: scalars[first...last])
        return String(kept)
    }
}

/// Search and replace matched by Unicode scalar, as Foundation's `range(of:)` and `replacingOccurrences(of:with:)`
/// matched: "\r" is found inside "\r\n", which the standard library's `firstRange(of:)` and `replacing(_:with:)`,
/// comparing whole characters, do not find.
extension StringProtocol {
    /// The range of the first occurrence of `other`, by Unicode scalar.
    public func firstRange<Other: StringProtocol>(ofText other: Other) -> Range<Index>? {
        guard !other.isEmpty else { return nil }
        return unicodeScalars.firstRange(of: other.unicodeScalars)
    }

    /// Every occurrence of `target` replaced by `replacement`, by Unicode scalar.
    public func replacingText<Target: StringProtocol, Replacement: StringProtocol>(_ target: Target, with replacement: Replacement) -> String {
        guard !target.isEmpty else { return String(self) }
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: unicodeScalars)
        return String(scalars.replacing(target.unicodeScalars, with: replacement.unicodeScalars))
    }
}
