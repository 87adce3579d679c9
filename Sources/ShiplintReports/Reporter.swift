import ShiplintChecks
import ShiplintOutcome

/// The formats `shiplint scan` writes. Each maps to its reporter in one exhaustive switch, so a format without a
/// reporter does not compile. (`inspect` has facts, not findings, and keeps `OutputFormat`.)
public enum ReportFormat: String, Sendable, CaseIterable {
    case text, json, sarif, junit, github, markdown

    /// `markdownLimit`: the most characters a Markdown report may have (a pull request comment's limit).
    public func reporter(style: TextStyle, quiet: Bool = false, markdownLimit: Int = MarkdownReport.defaultLimit) -> any Reporter {
        switch self {
        case .text: TextReporter(style: style, quiet: quiet)
        case .json: JSONReporter()
        case .sarif: SarifReport()
        case .junit: JUnitReport()
        case .github: GitHubReport()
        case .markdown: MarkdownReport(limit: markdownLimit)
        }
    }
}

/// Renders a scan's one outcome as one document, artifacts named on the command line and projects alike; never judges
/// again. Output is deterministic: the same outcome gives the same bytes.
public protocol Reporter: Sendable {
    func report(_ outcome: ScanOutcome) -> String
    /// A migration matrix (`--target A --target B`, `--to`): every deployment against every column's target.
    func report(_ matrix: MigrationOutcome) -> String
}

/// The version reports name.
public enum ScanReport {
    public static let toolVersion = ShiplintVersion.current
}
