import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import ShiplintChecks
import ShiplintOutcome
import ShiplintFacts
import ShiplintTargets

/// One function of a deployment descriptor as scanned: judged against its target (`outcome`), or not judged at all
/// (`outcome` nil, `notes` saying why).
public struct DeploymentScan: Sendable {
    public let descriptor: FunctionDescriptor
    /// The target it was judged against; nil when it could not be judged.
    public let target: TargetRuntime?
    /// The function's one outcome (its artifacts' findings, reported and suppressed); the configuration's findings
    /// and the baseline's counts are the project's.
    public let outcome: ScanOutcome?
    /// `deployment-not-checked` findings (what of this function was not checked) and what was judged on the
    /// descriptor alone; their artifact is the descriptor.
    public let notes: [JudgedFinding]

    public init(descriptor: FunctionDescriptor, target: TargetRuntime?, outcome: ScanOutcome?, notes: [JudgedFinding]) {
        self.descriptor = descriptor
        self.target = target
        self.outcome = outcome
        self.notes = notes
    }

    /// Every finding of this function (reported and suppressed), artifacts' first, then the notes.
    public var judged: [JudgedFinding] { (outcome?.artifacts.flatMap(\.judged) ?? []) + notes }

    /// The findings reported, artifacts' first, then the notes.
    public var findings: [Finding] { judged.filter(\.isReported).map(\.finding) }
}

/// `shiplint scan PROJECT`: every function of the descriptor, each judged against its own target, in one report.
public struct ProjectScanReport: Sendable {
    /// `aws-sam`, `aws-cdk`, `serverless`, `terraform`.
    public let format: String
    /// The descriptor read.
    public let file: String
    /// The `--target` that replaced every function's own, when given.
    public let targetOverride: String?
    public let deployments: [DeploymentScan]
    /// The checks that ran, with their effective severity: SARIF's rules, JUnit's cases come from here.
    public let checks: [CheckRun]
    public let failOn: FailOn
    /// The folder identities are relative to.
    public let root: ProjectRoot
    /// Findings about the configuration (an ignore that matched nothing in any function), once for the project.
    public let configurationFindings: [JudgedFinding]
    /// What the baseline hid, over all functions.
    public let baseline: BaselineSummary?
    /// `deployment-not-checked` findings about the project as a whole (a nested stack that could not be followed).
    public let projectNotes: [JudgedFinding]

    public init(
        format: String, file: String, targetOverride: String?, deployments: [DeploymentScan], checks: [CheckRun], failOn: FailOn,
        root: ProjectRoot, configurationFindings: [JudgedFinding] = [], baseline: BaselineSummary? = nil, projectNotes: [JudgedFinding] = []
    ) {
        self.projectNotes = projectNotes
        self.format = format
        self.file = file
        self.targetOverride = targetOverride
        self.deployments = deployments
        self.checks = checks
        self.failOn = failOn
        self.root = root
        self.configurationFindings = configurationFindings
        self.baseline = baseline
    }

    /// Every finding reported: the project's notes, each function's, then the configuration's.
    public var findings: [Finding] {
        projectNotes.filter(\.isReported).map(\.finding) + deployments.flatMap(\.findings) + configurationFindings.filter(\.isReported).map(\.finding)
    }

    public var worst: Severity? { findings.map(\.severity).max() }

    /// Whether the scan fails (exit status 1): a reported finding at or above `failOn`.
    public var fails: Bool { failOn.fails(worst) }

    func count(_ severity: Severity) -> Int { findings.filter { $0.severity == severity }.count }

    var judged: Int { deployments.filter { $0.outcome != nil }.count }

    /// The report in `format`; one exhaustive switch, as for single-target scans.
    public func rendered(_ format: ReportFormat, style: TextStyle, quiet: Bool = false) -> String {
        switch format {
        case .text: DeploymentReports.text(self, style: style, quiet: quiet)
        case .json: DeploymentReports.json(self)
        case .sarif: DeploymentReports.sarif(self)
        case .junit: DeploymentReports.junit(self)
        case .github: DeploymentReports.github(self)
        }
    }
}

/// The renderings of a project scan, kept apart from the single-target reporters they reuse.
enum DeploymentReports {
    static func heading(_ deployment: DeploymentScan) -> String {
        let descriptor = deployment.descriptor
        let runtime = [descriptor.runtime ?? "no runtime", descriptor.architecture, descriptor.packageType == "Zip" ? nil : descriptor.packageType]
            .compactMap { $0 }.joined(separator: ", ")
        let location = descriptor.line.map { "\(descriptor.file):\($0)" } ?? descriptor.file
        return "function \(descriptor.label)  (\(runtime); \(location))"
    }

    // MARK: text

    static func text(_ project: ProjectScanReport, style: TextStyle, quiet: Bool = false) -> String {
        var lines: [String] = []
        lines.append("\(project.format) project \(project.file): \(project.deployments.count) \(project.deployments.count == 1 ? "function" : "functions")")
        if let target = project.targetOverride {
            lines.append("--target \(target) given: every function is judged against it instead of its own runtime and architecture")
        }
        for note in project.projectNotes.filter(\.isReported).map(\.finding) {
            lines.append("\(style.severity(note.severity))[\(note.check)] \(SafeText.escaped(note.message))")
            lines.append("  fix: \(SafeText.escaped(note.fix))")
        }
        lines.append("")
        for deployment in project.deployments {
            lines.append(style.bold(SafeText.lineStart(heading(deployment))))
            if let target = deployment.target {
                let layers = deployment.descriptor.layers.isEmpty ? "" : ", layers: " + deployment.descriptor.layers.map(\.name).joined(separator: ", ")
                lines.append("  judged against \(target.name)\(layers)")
            } else {
                lines.append("  not judged")
            }
            for note in deployment.notes.filter(\.isReported).map(\.finding) {
                lines.append("  \(style.severity(note.severity))[\(note.check)] \(SafeText.escaped(note.message))")
                lines.append("    fix: \(SafeText.escaped(note.fix))")
            }
            if let outcome = deployment.outcome {
                let body = TextReporter(style: style, quiet: quiet).report(outcome)
                lines += body.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { $0.isEmpty ? "" : "  " + $0 }
            }
            lines.append("")
        }
        for finding in project.configurationFindings.filter(\.isReported).map(\.finding) {
            lines.append("\(style.bold(SafeText.lineStart(finding.artifact)))  \(style.severity(finding.severity))[\(finding.check)] \(SafeText.escaped(finding.message))")
            lines.append("  fix: \(SafeText.escaped(finding.fix))")
        }
        if let baseline = project.baseline { lines.append(SafeText.escaped(baseline.sentence)) }
        let errors = project.count(.error)
        let warnings = project.count(.warning)
        let notes = project.count(.note)
        lines.append(
            "\(errors) \(errors == 1 ? "error" : "errors"), \(warnings) \(warnings == 1 ? "warning" : "warnings"), \(notes) \(notes == 1 ? "note" : "notes") in "
                + "\(project.deployments.count) \(project.deployments.count == 1 ? "function" : "functions") (\(project.judged) judged)")
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: JSON (schema 2)

    static func json(_ project: ProjectScanReport) -> String {
        var summary: [String: JSONValue] = [
            "errors": .int(project.count(.error)), "warnings": .int(project.count(.warning)), "notes": .int(project.count(.note)),
            "functions": .int(project.deployments.count), "judged": .int(project.judged),
        ]
        summary["notJudged"] = .int(project.deployments.count - project.judged)
        return JSONValue.object([
            "schema": .int(2),
            "tool": .object(["name": .string("shiplint"), "version": .string(ScanReport.toolVersion)]),
            "project": .object([
                "format": .string(project.format), "file": .string(project.file),
                "notes": .array(project.projectNotes.filter(\.isReported).map(\.finding).map(findingJSON)),
            ]),
            "targetOverride": .optional(project.targetOverride),
            "deployments": .array(project.deployments.map(deploymentJSON)),
            "configuration": .object(["findings": .array(project.configurationFindings.filter(\.isReported).map(\.finding).map(findingJSON))]),
            "baseline": project.baseline.map {
                .object(["file": .string($0.file), "known": .int($0.known), "gone": .int($0.gone), "unscanned": .int($0.unscanned)])
            } ?? .null,
            "summary": .object(summary),
        ]).rendered()
    }

    static func deploymentJSON(_ deployment: DeploymentScan) -> JSONValue {
        let descriptor = deployment.descriptor
        var fields: [String: JSONValue] = [
            "function": .string(descriptor.name),
            "functionName": .optional(descriptor.functionName),
            "runtime": .optional(descriptor.runtime),
            "architecture": .string(descriptor.architecture),
            "handler": .optional(descriptor.handler),
            "packageType": .string(descriptor.packageType),
            "code": code(descriptor.code),
            "file": .string(descriptor.file),
            "line": descriptor.line.map { .int($0) } ?? .null,
            "layers": .array(descriptor.layers.map { layer in
                .object([
                    "name": .string(layer.name), "code": code(layer.code),
                    "compatibleRuntimes": .strings(layer.compatibleRuntimes),
                    "compatibleArchitectures": .strings(layer.compatibleArchitectures),
                ])
            }),
            "target": deployment.target.map { .object(["name": .string($0.name), "description": .string($0.description)]) } ?? .null,
            "notes": .array(deployment.notes.filter(\.isReported).map(\.finding).map(findingJSON)),
        ]
        if let outcome = deployment.outcome, case .object(let scan) = ScanReport.jsonValue(outcome) {
            fields["artifacts"] = withDeployment(scan["artifacts"] ?? .array([]), descriptor.label)
        } else {
            fields["artifacts"] = .array([])
        }
        return .object(fields.filter { $0.value != .null || ["target", "line", "runtime", "handler", "functionName"].contains($0.key) })
    }

    static func code(_ source: CodeSource) -> JSONValue {
        switch source {
        case .local(let path): .object(["path": .string(path)])
        case .notLocal(let why): .object(["notLocal": .string(why)])
        }
    }

    static func findingJSON(_ finding: Finding) -> JSONValue {
        .object([
            "check": .string(finding.check), "severity": .string(finding.severity.rawValue), "file": .string(finding.artifact),
            "message": .string(finding.message), "fix": .string(finding.fix), "fact": .string(finding.fact),
            "deployment": .optional(finding.deployment),
        ])
    }

    /// Adds `"deployment"` to every finding object of the artifacts' JSON.
    private static func withDeployment(_ artifacts: JSONValue, _ label: String) -> JSONValue {
        guard case .array(let items) = artifacts else { return artifacts }
        return .array(items.map { item in
            guard case .object(var artifact) = item else { return item }
            for key in ["findings", "suppressed"] {
                guard case .array(let findings)? = artifact[key] else { continue }
                artifact[key] = .array(findings.map { finding in
                    guard case .object(var fields) = finding else { return finding }
                    fields["deployment"] = .string(label)
                    return .object(fields)
                })
            }
            return .object(artifact)
        })
    }

    // MARK: SARIF

    /// Results at the function resource's line in the descriptor (the file in the pull request), with the artifact
    /// and the path inside it in the message.
    static func sarif(_ project: ProjectScanReport) -> String {
        let reporter = SarifReport()
        let rules = project.checks
        let ruleIndex = Dictionary(rules.enumerated().map { ($0.element.id, $0.offset) }, uniquingKeysWith: { first, _ in first })
        // The descriptor as code scanning finds it: relative to the repository root when inside one.
        func location(_ file: String) -> SarifReport.Location {
            project.root.repositoryPath(file).map { SarifReport.Location(uri: SarifReport.uri(artifact: $0, path: ""), base: true) }
                ?? SarifReport.Location(uri: SarifReport.uri(artifact: FindingIdentity.normalised(file), path: ""), base: false)
        }
        var results: [JSONValue] = []
        for deployment in project.deployments {
            let descriptor = deployment.descriptor
            for judged in deployment.judged {
                let finding = judged.finding
                let inside = finding.artifact == descriptor.file ? "" : (finding.path.isEmpty ? finding.artifact : "\(finding.artifact)/\(finding.path)")
                let text = "\(descriptor.label): \(inside.isEmpty ? "" : inside + ": ")\(finding.message)\n\nFix: \(finding.fix)"
                results.append(reporter.result(
                    judged, location: location(descriptor.file), ruleIndex: ruleIndex[finding.check], line: descriptor.line ?? 1, text: text,
                    properties: ["deployment": .string(descriptor.label), "artifact": .string(finding.artifact), "path": .string(finding.path)]))
            }
        }
        for judged in project.projectNotes + project.configurationFindings {
            results.append(reporter.result(judged, location: location(judged.finding.artifact), ruleIndex: ruleIndex[judged.finding.check]))
        }
        let run: [String: JSONValue] = [
            "tool": .object(["driver": .object([
                "name": .string("shiplint"),
                "version": .string(ScanReport.toolVersion),
                "semanticVersion": .string(ScanReport.toolVersion),
                "informationUri": .string(SarifReport.informationURI),
                "rules": .array(rules.map(reporter.rule)),
            ])]),
            "results": .array(results),
            "columnKind": .string("unicodeCodePoints"),
            "automationDetails": .object(["id": .string("shiplint/project/\(project.file)/")]),
            "properties": .object([
                "project": .string(project.file), "format": .string(project.format),
                "deployments": .array(project.deployments.map { deployment in
                    .object(["function": .string(deployment.descriptor.name), "target": .optional(deployment.target?.name)])
                }),
            ]),
        ]
        return JSONValue.object([
            "$schema": .string(SarifReport.schemaURI),
            "version": .string("2.1.0"),
            "runs": .array([.object(run)]),
        ]).rendered()
    }

    // MARK: JUnit

    /// One suite per function: a case per finding (errors fail), a passing case when it has none, a skipped case
    /// for each part that could not be checked.
    static func junit(_ project: ProjectScanReport) -> String {
        let root = XMLElement(name: "testsuites")
        var totalTests = 0
        var totalFailures = 0
        var totalSkipped = 0
        let projectNotes = project.projectNotes.filter(\.isReported).map(\.finding)
        if !projectNotes.isEmpty {
            let suite = XMLElement(name: "testsuite")
            set(suite, [
                ("name", project.file), ("tests", "\(projectNotes.count)"), ("failures", "0"), ("errors", "0"),
                ("skipped", "\(projectNotes.count)"), ("time", "0"),
            ])
            for note in projectNotes {
                let testcase = XMLElement(name: "testcase")
                set(testcase, [("name", "\(note.message) [\(note.check)]"), ("classname", project.file), ("time", "0")])
                let skip = XMLElement(name: "skipped")
                set(skip, [("message", note.message)])
                testcase.addChild(skip)
                suite.addChild(testcase)
            }
            root.addChild(suite)
            totalTests += projectNotes.count
            totalSkipped += projectNotes.count
        }
        for deployment in project.deployments {
            let suite = XMLElement(name: "testsuite")
            var cases: [XMLElement] = []
            var failures = 0
            var skipped = 0
            let artifactFindings = deployment.outcome?.artifacts.flatMap(\.judged) ?? []
            for judged in artifactFindings {
                let finding = judged.finding
                let testcase = XMLElement(name: "testcase")
                let place = finding.path.isEmpty ? finding.artifact : "\(finding.artifact)/\(finding.path)"
                set(testcase, [("name", "\(place) [\(finding.check)]"), ("classname", deployment.descriptor.name), ("time", "0")])
                if let suppression = judged.suppression {
                    // Accepted by the project: skipped, with the reason.
                    let skip = XMLElement(name: "skipped")
                    set(skip, [("message", "suppressed by \(suppression.kind == .baseline ? "the baseline" : suppression.entry ?? "an ignore") in \(suppression.file): \(suppression.justification)")])
                    testcase.addChild(skip)
                    skipped += 1
                } else if project.failOn.fails(finding.severity) {
                    let failure = XMLElement(name: "failure", stringValue: JUnitReport.xmlSafe("\(finding.message)\n\nFix: \(finding.fix)"))
                    set(failure, [("message", finding.message), ("type", finding.check)])
                    testcase.addChild(failure)
                    failures += 1
                } else {
                    testcase.addChild(XMLElement(name: "system-out", stringValue: JUnitReport.xmlSafe("\(finding.severity.rawValue): \(finding.message)\nfix: \(finding.fix)")))
                }
                cases.append(testcase)
            }
            if deployment.outcome != nil && artifactFindings.isEmpty {
                let testcase = XMLElement(name: "testcase")
                set(testcase, [("name", "\(deployment.target?.name ?? "target") [all checks]"), ("classname", deployment.descriptor.name), ("time", "0")])
                cases.append(testcase)
            }
            for note in deployment.notes.filter(\.isReported).map(\.finding) {
                let testcase = XMLElement(name: "testcase")
                set(testcase, [("name", "\(note.message) [\(note.check)]"), ("classname", deployment.descriptor.name), ("time", "0")])
                let skip = XMLElement(name: "skipped")
                set(skip, [("message", note.message)])
                testcase.addChild(skip)
                cases.append(testcase)
                skipped += 1
            }
            set(suite, [
                ("name", deployment.descriptor.label), ("tests", "\(cases.count)"), ("failures", "\(failures)"), ("errors", "0"),
                ("skipped", "\(skipped)"), ("time", "0"),
            ])
            let properties = XMLElement(name: "properties")
            for (name, value) in [
                ("target", deployment.target?.name ?? ""), ("runtime", deployment.descriptor.runtime ?? ""),
                ("architecture", deployment.descriptor.architecture), ("file", deployment.descriptor.file), ("fail-on", project.failOn.rawValue),
            ] {
                let property = XMLElement(name: "property")
                set(property, [("name", name), ("value", value)])
                properties.addChild(property)
            }
            suite.addChild(properties)
            cases.forEach(suite.addChild)
            root.addChild(suite)
            totalTests += cases.count
            totalFailures += failures
            totalSkipped += skipped
        }
        set(root, [("name", "shiplint"), ("tests", "\(totalTests)"), ("failures", "\(totalFailures)"), ("errors", "0"), ("skipped", "\(totalSkipped)")])
        let document = XMLDocument(rootElement: root)
        document.characterEncoding = "UTF-8"
        document.version = "1.0"
        return document.xmlString(options: [.nodePrettyPrint, .nodeCompactEmptyElement]) + "\n"
    }

    private static func set(_ element: XMLElement, _ attributes: [(String, String)]) {
        for (name, value) in attributes {
            element.addAttribute(XMLNode.attribute(withName: name, stringValue: JUnitReport.xmlSafe(value)) as! XMLNode)
        }
    }

    // MARK: GitHub workflow commands

    /// Annotations on the descriptor's line of each function, then a summary line.
    static func github(_ project: ProjectScanReport) -> String {
        // Annotations name files relative to the repository root, where the runner looks for them; names from the
        // descriptor are escaped like text output first, then with the runner's own escapes.
        func file(_ path: String) -> String { SafeText.escaped(project.root.repositoryPath(path) ?? FindingIdentity.normalised(path)) }
        func annotation(_ finding: Finding, file: String, line: Int?, title: String, text: String) -> String {
            var properties = [("file", file)]
            if let line { properties.append(("line", "\(line)")) }
            properties.append(("title", title))
            let rendered = properties.map { "\($0.0)=\(GitHubReport.escapeProperty($0.1))" }.joined(separator: ",")
            return "::\(GitHubReport.command(finding.severity)) \(rendered)::\(GitHubReport.escapeData(text))"
        }
        var lines: [String] = project.projectNotes.filter(\.isReported).map(\.finding).map { note in
            annotation(note, file: file(note.artifact), line: nil, title: "shiplint \(note.check)",
                       text: "\(SafeText.escaped(note.message))\nFix: \(SafeText.escaped(note.fix))")
        }
        for deployment in project.deployments {
            for finding in deployment.findings {
                let inside = finding.artifact == deployment.descriptor.file ? "" : (finding.path.isEmpty ? finding.artifact : "\(finding.artifact)/\(finding.path)")
                let text = (inside.isEmpty ? "" : SafeText.escaped(inside) + ": ") + "\(SafeText.escaped(finding.message))\nFix: \(SafeText.escaped(finding.fix))"
                lines.append(annotation(
                    finding, file: file(deployment.descriptor.file), line: deployment.descriptor.line,
                    title: "shiplint \(finding.check) (\(SafeText.escaped(deployment.descriptor.name)))", text: text))
            }
        }
        for finding in project.configurationFindings.filter(\.isReported).map(\.finding) {
            lines.append(annotation(finding, file: file(finding.artifact), line: nil, title: "shiplint \(finding.check)",
                                    text: "\(SafeText.escaped(finding.message))\nFix: \(SafeText.escaped(finding.fix))"))
        }
        let errors = project.count(.error)
        let warnings = project.count(.warning)
        let notes = project.count(.note)
        var summary = "shiplint: \(errors) \(errors == 1 ? "error" : "errors"), \(warnings) \(warnings == 1 ? "warning" : "warnings"), "
            + "\(notes) \(notes == 1 ? "note" : "notes") in \(project.deployments.count) functions of \(SafeText.escaped(project.file))"
        if let baseline = project.baseline { summary += "; " + SafeText.escaped(baseline.sentence) }
        lines.append(summary)
        return lines.joined(separator: "\n") + "\n"
    }
}
