import ShiplintFacts

/// Names and messages that came from an artifact, made safe for a terminal and a CI log: control characters (C0,
/// DEL, C1: newlines, ESC sequences), and bidi overrides that reorder what is shown, become visible escapes
/// (`\x1b`, `\x0a`, `\u{202e}`), so a ZIP entry name can neither forge a finding line, nor drive the terminal, nor
/// start a GitHub Actions workflow command (`::warning::` at the start of a line, `##[` anywhere).
public enum SafeText {
    public static func escaped(_ text: String) -> String {
        var result = ""
        result.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x00...0x1F, 0x7F:
                result += "\\x" + hex(scalar.value, digits: 2)
            case 0x80...0x9F, 0x202A...0x202E, 0x2066...0x2069:
                result += "\\u{" + hex(scalar.value, digits: 1) + "}"
            default:
                result.unicodeScalars.append(scalar)
            }
        }
        // Legacy `##[command]` workflow commands are recognised anywhere in a line.
        if result.contains("##[") { result = result.replacingText("##[", with: "#\\x23[") }
        return result
    }

    /// For a name that starts a line (after indentation): also never `::`, which the Actions runner reads as a
    /// workflow command.
    public static func lineStart(_ text: String) -> String {
        let safe = escaped(text)
        return safe.hasPrefix("::") ? "\\x3a" + safe.dropFirst() : safe
    }

    private static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
