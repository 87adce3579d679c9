import ShiplintChecks
import ShiplintOutcome

/// The formats `shiplint scan` writes. Each maps to its reporter in one exhaustive switch, so a format without a
/// reporter does not compile. (`inspect` has facts, not findings, and keeps `OutputFormat`.)
public enum ReportFormat: String, Sendable, CaseIterable {
    case text, json, sarif, junit, github

    public func reporter(style: TextStyle, quiet: Bool = false) -> any Reporter {
        switch self {
        case .text: TextReporter(style: style, quiet: quiet)
        case .json: JSONReporter()
        case .sarif: SarifReport()
        case .junit: JUnitReport()
        case .github: GitHubReport()
        }
    }
}

/// Renders a scan's one outcome as one document; never judges again. Output is deterministic: the same outcome
/// gives the same bytes.
public protocol Reporter: Sendable {
    func report(_ outcome: ScanOutcome) -> String
}

/// The human report: each artifact with its findings, then configuration findings and the baseline line.
struct TextReporter: Reporter {
    let style: TextStyle
    var quiet = false

    func report(_ outcome: ScanOutcome) -> String {
        var text = ScanReport.text(outcome, style: style, quiet: quiet)
        var lines: [String] = []
        let configuration = outcome.configurationFindings.filter(\.isReported).map(\.finding)
        if !configuration.isEmpty {
            lines.append("")
            for finding in configuration {
                lines.append("\(style.bold(SafeText.lineStart(finding.artifact)))  \(style.severity(finding.severity))[\(finding.check)] \(SafeText.escaped(finding.message))")
                lines.append("  fix: \(SafeText.escaped(finding.fix))")
            }
        }
        // What the project's ignores hid is said, as the baseline's is: nothing leaves the report in silence.
        let ignored = outcome.suppressed.compactMap(\.suppression).filter { $0.kind == .ignore }
        if let file = ignored.first?.file {
            let entries = Array(Set(ignored.compactMap(\.entry))).sorted { $0.localizedStandardCompare($1) == .orderedAscending }
            lines.append("\(ignored.count) \(ignored.count == 1 ? "finding" : "findings") ignored by \(SafeText.escaped(file)) (\(entries.joined(separator: ", ")))")
        }
        if let baseline = outcome.baseline { lines.append(SafeText.escaped(baseline.sentence)) }
        if !lines.isEmpty { text += lines.joined(separator: "\n") + "\n" }
        return text
    }
}

/// `--format json`: the scan document, plus `configuration` and `baseline` keys only when they apply.
struct JSONReporter: Reporter {
    func report(_ outcome: ScanOutcome) -> String {
        guard case .object(var fields) = ScanReport.jsonValue(outcome) else { return "" }
        let configuration = outcome.configurationFindings.filter(\.isReported).map(\.finding)
        if !configuration.isEmpty {
            fields["configuration"] = .object(["findings": .array(configuration.map { finding in
                .object([
                    "check": .string(finding.check), "severity": .string(finding.severity.rawValue), "file": .string(finding.artifact),
                    "message": .string(finding.message), "fix": .string(finding.fix),
                ])
            })])
        }
        if let baseline = outcome.baseline {
            fields["baseline"] = .object(["file": .string(baseline.file), "known": .int(baseline.known), "gone": .int(baseline.gone), "unscanned": .int(baseline.unscanned)])
        }
        return JSONValue.object(fields).rendered()
    }
}
