import Foundation
import ShiplintOutcome
import ShiplintChecks

/// GitHub Actions workflow commands: one `::error` / `::warning` / `::notice` per finding, which the runner turns
/// into annotations on the artifact's file, then a plain summary line for the log.
struct GitHubReport: Reporter {
    func report(_ outcome: ScanOutcome) -> String {
        // Names from the artifact are escaped like text output first (no ESC, no bidi override reaches the log),
        // then with the runner's own escapes.
        // Annotations name files relative to the repository root, where the runner looks for them.
        let inRepository = Dictionary(outcome.artifacts.map { ($0.artifact.path, $0.repositoryPath) }, uniquingKeysWith: { first, _ in first })
        var lines = outcome.reported.map { finding in
            let location = finding.path.isEmpty ? finding.check : "\(finding.check): \(SafeText.escaped(finding.path))"
            let file = (inRepository[finding.artifact] ?? nil) ?? FindingIdentity.normalised(finding.artifact)
            let properties = [("file", SafeText.escaped(file)), ("title", "shiplint \(location)")]
                .map { "\($0.0)=\(Self.escapeProperty($0.1))" }.joined(separator: ",")
            return "::\(Self.command(finding.severity)) \(properties)::\(Self.escapeData("\(SafeText.escaped(finding.message))\nFix: \(SafeText.escaped(finding.fix))"))"
        }
        let errors = outcome.count(.error)
        let warnings = outcome.count(.warning)
        let notes = outcome.count(.note)
        let artifacts = outcome.artifacts.count
        var summary = "shiplint: \(errors) \(errors == 1 ? "error" : "errors"), \(warnings) \(warnings == 1 ? "warning" : "warnings"), "
            + "\(notes) \(notes == 1 ? "note" : "notes") in \(artifacts) \(artifacts == 1 ? "artifact" : "artifacts") for \(outcome.target.name)"
        if let baseline = outcome.baseline { summary += "; " + SafeText.escaped(baseline.sentence) }
        // A summary line starting with `::` would be read as a command; this one never does.
        lines.append(summary)
        return lines.joined(separator: "\n") + "\n"
    }

    static func command(_ severity: Severity) -> String {
        switch severity {
        case .error: "error"
        case .warning: "warning"
        case .note: "notice"
        }
    }

    /// The message after `::`: `%`, CR and LF are the runner's escapes (actions/toolkit `escapeData`).
    static func escapeData(_ text: String) -> String {
        text.replacingOccurrences(of: "%", with: "%25")
            .replacingOccurrences(of: "\r", with: "%0D")
            .replacingOccurrences(of: "\n", with: "%0A")
    }

    /// A property value: also `:` and `,`, which would end the value (actions/toolkit `escapeProperty`).
    static func escapeProperty(_ text: String) -> String {
        escapeData(text)
            .replacingOccurrences(of: ":", with: "%3A")
            .replacingOccurrences(of: ",", with: "%2C")
    }
}
