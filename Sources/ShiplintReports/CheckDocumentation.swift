import ShiplintChecks

/// A check's documentation as `shiplint checks show` prints it (and docs/checks.md quotes it).
public enum CheckDocumentation {
    public static func text(_ check: Check) -> String {
        var lines = [
            "\(check.id) (default severity: \(check.defaultSeverity.rawValue))",
            "",
            check.summary + ".",
            "",
            check.explanation,
            "",
            "Examples:",
        ]
        for example in check.examples {
            lines.append("  \(example.fires ? "fires " : "quiet ") \(example.summary) (\(example.target))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The same documentation as Markdown, for SARIF's `help.markdown` (shown by code scanning beside an alert).
    public static func markdown(_ check: Check) -> String {
        var lines = [
            "**\(check.id)** (default severity: \(check.defaultSeverity.rawValue)): \(check.summary).",
            "",
            check.explanation,
            "",
            "Examples:",
            "",
        ]
        for example in check.examples {
            lines.append("- \(example.fires ? "fires" : "quiet"): \(example.summary) (`\(example.target)`)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The check's docs/checks.md section, generated from the same documentation (`shiplint checks show ID --markdown`
    /// prints it; a test holds docs/checks.md to it and UPDATE_GOLDENS=1 rewrites its check sections).
    public static func readmeSection(_ check: Check) -> String {
        var lines = [
            "<a id=\"check-\(check.id)\"></a>",
            "### `\(check.id)`",
            "",
            "Default severity: **\(check.defaultSeverity.rawValue)**. \(check.summary).",
            "",
            check.explanation,
            "",
            "Examples (run by the test suite):",
            "",
        ]
        for example in check.examples {
            lines.append("- \(example.fires ? "fires" : "quiet"): \(example.summary) (\(example.target))")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
