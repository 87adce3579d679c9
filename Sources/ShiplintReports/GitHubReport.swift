import ShiplintFacts
import ShiplintTargets
import FoundationEssentials
import ShiplintOutcome
import ShiplintChecks

/// GitHub Actions workflow commands: one `::error` / `::warning` / `::notice` per finding, which the runner turns
/// into annotations on the artifact's file, then a plain summary line for the log.
struct GitHubReport: Reporter {
    func report(_ outcome: ScanOutcome) -> String {
        // Names from the artifact are escaped like text output first (no ESC, no bidi override reaches the log),
        // then with the runner's own escapes.
        var lines = outcome.project == nil ? artifactAnnotations(outcome) : projectAnnotations(outcome)
        let errors = outcome.count(.error)
        let warnings = outcome.count(.warning)
        let notes = outcome.count(.note)
        var summary = "shiplint: \(errors) \(errors == 1 ? "error" : "errors"), \(warnings) \(warnings == 1 ? "warning" : "warnings"), "
            + "\(notes) \(notes == 1 ? "note" : "notes") in "
        if let project = outcome.project {
            summary += "\(outcome.deployments.count) functions of \(SafeText.escaped(project.file))"
        } else {
            let artifacts = outcome.artifacts.count
            summary += "\(artifacts) \(artifacts == 1 ? "artifact" : "artifacts") for \(outcome.target?.name ?? "")"
        }
        if let baseline = outcome.baseline { summary += "; " + SafeText.escaped(baseline.sentence) }
        // A summary line starting with `::` would be read as a command; this one never does.
        lines.append(summary)
        return lines.joined(separator: "\n") + "\n"
    }

    /// Artifacts named on the command line: an annotation on the artifact's file per finding. Annotations name files
    /// relative to the repository root, where the runner looks for them.
    func artifactAnnotations(_ outcome: ScanOutcome) -> [String] {
        let inRepository = Dictionary(outcome.artifacts.map { ($0.artifact.path, $0.repositoryPath) }, uniquingKeysWith: { first, _ in first })
        return outcome.reported.map { finding in
            // One cause in several files: one annotation, on the first file, naming how many more there are.
            let location = finding.path.isEmpty ? finding.check : "\(finding.check): \(SafeText.escaped(GroupedFinding.place(finding)))"
            let file = (inRepository[finding.artifact] ?? nil) ?? FindingIdentity.normalised(finding.artifact)
            return Self.annotation(finding, file: SafeText.escaped(file), line: nil, title: "shiplint \(location)", text: Self.text(finding))
        }
    }

    /// A project: annotations on the descriptor's line of each function; the project's and configuration's findings
    /// on their file.
    func projectAnnotations(_ outcome: ScanOutcome) -> [String] {
        func file(_ path: String) -> String { SafeText.escaped(outcome.root.repositoryPath(path) ?? FindingIdentity.normalised(path)) }
        func plain(_ finding: Finding) -> String {
            Self.annotation(finding, file: file(finding.artifact), line: nil, title: "shiplint \(finding.check)", text: Self.text(finding))
        }
        var lines = outcome.projectFindings.filter(\.isReported).map(\.finding).map(plain)
        for deployment in outcome.deployments {
            guard let descriptor = deployment.descriptor else { continue }
            for finding in deployment.findings {
                let inside = finding.artifact == descriptor.file ? "" : (finding.path.isEmpty ? finding.artifact : "\(finding.artifact)/\(finding.path)")
                let text = (inside.isEmpty ? "" : SafeText.escaped(inside) + ": ") + Self.text(finding)
                lines.append(Self.annotation(
                    finding, file: file(descriptor.file), line: descriptor.line,
                    title: "shiplint \(finding.check) (\(SafeText.escaped(descriptor.name)))", text: text))
            }
        }
        return lines + outcome.configurationFindings.filter(\.isReported).map(\.finding).map(plain)
    }

    /// The message, the other files of its cause (the first few), and the fix.
    static func text(_ finding: Finding) -> String {
        let sameCause = GroupedFinding.sameCause(finding).map { "\n" + SafeText.escaped(SarifReport.sentence($0)) } ?? ""
        return "\(SafeText.escaped(finding.message))\(sameCause)\nFix: \(SafeText.escaped(finding.fix))"
    }

    /// `::error file=…,line=…,title=…::message`, every value with the runner's escapes.
    static func annotation(_ finding: Finding, file: String, line: Int?, title: String, text: String) -> String {
        var properties = [("file", file)]
        if let line { properties.append(("line", "\(line)")) }
        properties.append(("title", title))
        let rendered = properties.map { "\($0.0)=\(escapeProperty($0.1))" }.joined(separator: ",")
        return "::\(command(finding.severity)) \(rendered)::\(escapeData(text))"
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
        text.replacingText("%", with: "%25")
            .replacingText("\r", with: "%0D")
            .replacingText("\n", with: "%0A")
    }

    /// A property value: also `:` and `,`, which would end the value (actions/toolkit `escapeProperty`).
    static func escapeProperty(_ text: String) -> String {
        escapeData(text)
            .replacingText(":", with: "%3A")
            .replacingText(",", with: "%2C")
    }
}
