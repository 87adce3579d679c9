import ShiplintChecks

/// The formats `shiplint scan` writes. Each maps to its reporter in one exhaustive switch, so a format without a
/// reporter does not compile. (`inspect` has facts, not findings, and keeps `OutputFormat`.)
public enum ReportFormat: String, Sendable, CaseIterable {
    case text, json, sarif, junit, github

    public func reporter(style: TextStyle) -> any Reporter {
        switch self {
        case .text: TextReporter(style: style)
        case .json: JSONReporter()
        case .sarif: SarifReport()
        case .junit: JUnitReport()
        case .github: GitHubReport()
        }
    }
}

/// Writes a whole scan as one document. Output is deterministic: the same scan gives the same bytes.
public protocol Reporter: Sendable {
    func report(_ scan: ScanReportInput) -> String
}

/// Everything a report shows: the scan after the project's policy, findings about the policy itself, and what the
/// baseline hid.
public struct ScanReportInput: Sendable {
    public let result: ScanResult
    /// Findings about the configuration (e.g. `unmatched-ignore`); their artifact is the configuration file.
    public let configurationFindings: [Finding]
    /// Documentation of the checks behind `configurationFindings`, for formats that list rules (SARIF).
    public let configurationChecks: [Check]
    public let baseline: BaselineSummary?

    public init(result: ScanResult, configurationFindings: [Finding] = [], configurationChecks: [Check] = [], baseline: BaselineSummary? = nil) {
        self.result = result
        self.configurationFindings = configurationFindings
        self.configurationChecks = configurationChecks
        self.baseline = baseline
    }

    /// Artifact findings then configuration findings, in report order.
    public var allFindings: [Finding] { result.artifacts.flatMap(\.findings) + configurationFindings }

    /// Every documented check: the registry, then the configuration checks.
    var rules: [Check] { CheckRegistry.all + configurationChecks }

    func count(_ severity: Severity) -> Int { allFindings.filter { $0.severity == severity }.count }
}

/// What `scan --baseline FILE` left out.
public struct BaselineSummary: Sendable, Equatable {
    public let file: String
    /// Findings of this run that the baseline already records (not reported).
    public let known: Int
    /// Baseline entries that no longer occur (fixed, or the file moved).
    public let gone: Int

    public init(file: String, known: Int, gone: Int) {
        self.file = file
        self.known = known
        self.gone = gone
    }

    var sentence: String {
        "baseline \(file): \(known) known \(known == 1 ? "finding" : "findings") not shown; \(gone) baseline \(gone == 1 ? "entry" : "entries") no longer \(gone == 1 ? "occurs" : "occur")"
    }
}

/// The human report: the scan as before, then configuration findings and the baseline line.
struct TextReporter: Reporter {
    let style: TextStyle

    func report(_ scan: ScanReportInput) -> String {
        var text = ScanReport.text(scan.result, style: style)
        var lines: [String] = []
        if !scan.configurationFindings.isEmpty {
            lines.append("")
            for finding in scan.configurationFindings {
                lines.append("\(style.bold(finding.artifact))  \(style.severity(finding.severity))[\(finding.check)] \(finding.message)")
                lines.append("  fix: \(finding.fix)")
            }
        }
        if let baseline = scan.baseline { lines.append(baseline.sentence) }
        if !lines.isEmpty { text += lines.joined(separator: "\n") + "\n" }
        return text
    }
}

/// `--format json`: the scan document, plus `configuration` and `baseline` keys only when they apply.
struct JSONReporter: Reporter {
    func report(_ scan: ScanReportInput) -> String {
        guard case .object(var fields) = ScanReport.jsonValue(scan.result) else { return ScanReport.json(scan.result) }
        if !scan.configurationFindings.isEmpty {
            fields["configuration"] = .object(["findings": .array(scan.configurationFindings.map { finding in
                .object([
                    "check": .string(finding.check), "severity": .string(finding.severity.rawValue), "file": .string(finding.artifact),
                    "message": .string(finding.message), "fix": .string(finding.fix),
                ])
            })])
        }
        if let baseline = scan.baseline {
            fields["baseline"] = .object(["file": .string(baseline.file), "known": .int(baseline.known), "gone": .int(baseline.gone)])
        }
        return JSONValue.object(fields).rendered()
    }
}
