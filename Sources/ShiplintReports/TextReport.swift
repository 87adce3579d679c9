import FoundationEssentials
import ShiplintChecks
import ShiplintFacts
import ShiplintOutcome
import ShiplintTargets

/// The human report. Artifacts named on the command line: each artifact with its findings, the summary line, then the
/// configuration's findings, what the ignores hid and the baseline line. A project: its descriptor, then each
/// function (its runtime, what could not be checked, then the same body as an artifact scan, indented), then the
/// configuration's findings, the baseline line and the project's summary.
struct TextReporter: Reporter {
    let style: TextStyle
    var quiet = false

    func report(_ outcome: ScanOutcome) -> String {
        guard let project = outcome.project else { return artifactReport(outcome) }
        return projectReport(outcome, project: project)
    }

    private func artifactReport(_ outcome: ScanOutcome) -> String {
        var lines: [String] = []
        for deployment in outcome.deployments {
            lines += body(deployment, checks: outcome.checks, configuration: outcome.configurationFindings.filter(\.isReported).map(\.finding))
        }
        lines += configurationLines(outcome)
        lines += ignoredLines(outcome.suppressed)
        if let baseline = outcome.baseline { lines.append(SafeText.escaped(baseline.sentence)) }
        return lines.joined(separator: "\n") + "\n"
    }

    private func projectReport(_ outcome: ScanOutcome, project: ProjectDescription) -> String {
        let count = outcome.deployments.count
        var lines = ["\(project.format) project \(project.file): \(count) \(count == 1 ? "function" : "functions")"]
        if let target = project.targetOverride {
            lines.append("--target \(target) given: every function is judged against it instead of its own runtime and architecture")
        }
        for note in outcome.projectFindings.filter(\.isReported).map(\.finding) {
            lines.append("\(style.severity(note.severity))[\(note.check)] \(SafeText.escaped(note.message))")
            lines.append("  fix: \(SafeText.escaped(note.fix))")
        }
        lines.append("")
        for deployment in outcome.deployments {
            lines += functionSection(deployment, checks: outcome.checks)
            lines.append("")
        }
        lines += configurationLines(outcome).filter { !$0.isEmpty }
        if let baseline = outcome.baseline { lines.append(SafeText.escaped(baseline.sentence)) }
        let errors = outcome.count(.error)
        let warnings = outcome.count(.warning)
        let notes = outcome.count(.note)
        lines.append(
            "\(errors) \(errors == 1 ? "error" : "errors"), \(warnings) \(warnings == 1 ? "warning" : "warnings"), \(notes) \(notes == 1 ? "note" : "notes") in "
                + "\(count) \(count == 1 ? "function" : "functions") (\(outcome.judgedDeployments) judged)")
        return lines.joined(separator: "\n") + "\n"
    }

    /// A function of a project: its heading, its target, its notes, then its artifacts as an artifact scan shows them.
    private func functionSection(_ deployment: DeploymentOutcome, checks: [CheckRun]) -> [String] {
        var lines: [String] = []
        if let descriptor = deployment.descriptor { lines.append(style.bold(SafeText.lineStart(Self.heading(descriptor)))) }
        if let target = deployment.target {
            let layers = deployment.descriptor.map { $0.layers.isEmpty ? "" : ", layers: " + $0.layers.map(\.name).joined(separator: ", ") } ?? ""
            lines.append("  judged against \(target.name)\(layers)")
        } else {
            lines.append("  not judged")
        }
        for note in deployment.notes.filter(\.isReported).map(\.finding) {
            lines.append("  \(style.severity(note.severity))[\(note.check)] \(SafeText.escaped(note.message))")
            lines.append("    fix: \(SafeText.escaped(note.fix))")
        }
        guard deployment.isJudged else { return lines }
        let body = self.body(deployment, checks: checks, configuration: []) + ignoredLines(deployment.judged.filter { !$0.isReported })
        return lines + body.map { $0.isEmpty ? "" : "  " + $0 }
    }

    /// `function HelloFunction  (python3.13, x86_64; template.yaml:12)`.
    static func heading(_ descriptor: FunctionDescriptor) -> String {
        let runtime = [descriptor.runtime ?? "no runtime", descriptor.architecture, descriptor.packageType == "Zip" ? nil : descriptor.packageType]
            .compactMap { $0 }.joined(separator: ", ")
        let location = descriptor.line.map { "\(descriptor.file):\($0)" } ?? descriptor.file
        return "function \(descriptor.label)  (\(runtime); \(location))"
    }

    /// Artifacts with their findings, then the summary line. A fix already shown in the artifact is not repeated
    /// (thirty binaries of one package needing the same rebuild get one fix line). `quiet` leaves out artifacts
    /// without findings. `configuration`: findings counted in the summary besides the artifacts'.
    private func body(_ deployment: DeploymentOutcome, checks: [CheckRun], configuration: [Finding]) -> [String] {
        var lines: [String] = []
        for scan in deployment.artifacts {
            let findings = scan.findings
            if quiet && findings.isEmpty { continue }
            var role = if case .layer(let number) = scan.role { "layer \(number), " } else { "" }
            if let note = deployment.roleNotes[scan.artifact.path] { role += "\(note); " }
            lines.append(style.bold(SafeText.lineStart(scan.artifact.path)) + "  (\(role)\(ArtifactSummary.describe(scan.artifact)))")
            if findings.isEmpty { lines.append("  no findings") }
            lines += findingLines(findings)
            lines.append("")
        }
        let counted = deployment.artifacts.flatMap(\.findings) + configuration
        lines.append(summary(counted, artifacts: deployment.artifacts.count, target: deployment.target, checks: checks))
        return lines
    }

    private func findingLines(_ findings: [Finding]) -> [String] {
        var lines: [String] = []
        var currentPath: String?
        var fixShownAt: [String: String] = [:]
        for finding in findings {
            let shownPath = finding.path.isEmpty ? "(artifact)" : SafeText.lineStart(finding.path)
            if finding.path != currentPath {
                lines.append("  " + style.bold(shownPath))
                currentPath = finding.path
            }
            lines.append("    \(style.severity(finding.severity))[\(finding.check)] \(SafeText.escaped(finding.message))")
            if let sameCause = GroupedFinding.sameCause(finding) {
                lines.append("      \(SafeText.escaped(sameCause))\(finding.otherFiles.count > GroupedFinding.pathsShown ? " (--format json lists every file)" : "")")
            }
            if let first = fixShownAt[finding.fix] {
                lines.append("      fix: same as for \(first) above")
            } else {
                fixShownAt[finding.fix] = shownPath
                lines.append("      fix: \(SafeText.escaped(finding.fix))")
            }
        }
        return lines
    }

    /// `2 errors, 1 warning in 1 artifact for <target> (<runtime>, glibc x); by check: windows-binary 1, …`
    private func summary(_ reported: [Finding], artifacts: Int, target: TargetRuntime?, checks: [CheckRun]) -> String {
        let errors = reported.filter { $0.severity == .error }.count
        let warnings = reported.filter { $0.severity == .warning }.count
        var line = "\(errors) \(errors == 1 ? "error" : "errors"), \(warnings) \(warnings == 1 ? "warning" : "warnings") in \(artifacts) \(artifacts == 1 ? "artifact" : "artifacts")"
        if let target { line += " for \(target.name) (\(target.runtimeLabel), \(RuntimeView(target: target).libc))" }
        let counts = checks.map(\.id).compactMap { id -> String? in
            let found = reported.filter { $0.check == id }
            guard !found.isEmpty else { return nil }
            // One cause in many files is one finding; the files are counted beside it.
            let files = found.map(\.fileCount).reduce(0, +)
            return files > found.count ? "\(id) \(found.count) (\(files) files)" : "\(id) \(found.count)"
        }
        if !counts.isEmpty { line += "; by check: " + counts.joined(separator: ", ") }
        return line
    }

    /// The configuration's own findings (an ignore that matched nothing).
    private func configurationLines(_ outcome: ScanOutcome) -> [String] {
        let configuration = outcome.configurationFindings.filter(\.isReported).map(\.finding)
        guard !configuration.isEmpty else { return [] }
        var lines = [""]
        for finding in configuration {
            lines.append("\(style.bold(SafeText.lineStart(finding.artifact)))  \(style.severity(finding.severity))[\(finding.check)] \(SafeText.escaped(finding.message))")
            lines.append("  fix: \(SafeText.escaped(finding.fix))")
        }
        return lines
    }

    /// What the project's ignores hid is said, as the baseline's is: nothing leaves the report in silence.
    private func ignoredLines(_ suppressed: [JudgedFinding]) -> [String] {
        let ignored = suppressed.compactMap(\.suppression).filter { $0.kind == .ignore }
        guard let file = ignored.first?.file else { return [] }
        let entries = Array(Set(ignored.compactMap(\.entry))).sorted(by: NaturalOrder.ascending)
        return ["\(ignored.count) \(ignored.count == 1 ? "finding" : "findings") ignored by \(SafeText.escaped(file)) (\(entries.joined(separator: ", ")))"]
    }
}
