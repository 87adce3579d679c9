import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import ShiplintChecks
import ShiplintFacts
import ShiplintTargets

/// One function of a deployment descriptor as scanned: judged against its target (`report`), or not judged at all
/// (`report` nil, `notes` saying why).
public struct DeploymentScan: Sendable {
    public let descriptor: FunctionDescriptor
    /// The target it was judged against; nil when it could not be judged.
    public let target: TargetRuntime?
    public let report: ScanReportInput?
    /// `deployment-not-checked` findings: what of this function was not checked; their artifact is the descriptor.
    public let notes: [Finding]

    public init(descriptor: FunctionDescriptor, target: TargetRuntime?, report: ScanReportInput?, notes: [Finding]) {
        self.descriptor = descriptor
        self.target = target
        self.report = report
        self.notes = notes
    }

    /// Every finding of this function, artifacts' first, then the notes.
    public var findings: [Finding] { (report?.allFindings ?? []) + notes }
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
    /// Findings about the configuration (an ignore that matched nothing in any function), once for the project.
    public let configurationFindings: [Finding]
    /// What the baseline hid, over all functions.
    public let baseline: BaselineSummary?
    /// `deployment-not-checked` findings about the project as a whole (a nested stack that could not be followed).
    public let projectNotes: [Finding]

    public init(
        format: String, file: String, targetOverride: String?, deployments: [DeploymentScan], configurationFindings: [Finding] = [],
        baseline: BaselineSummary? = nil, projectNotes: [Finding] = []
    ) {
        self.projectNotes = projectNotes
        self.format = format
        self.file = file
        self.targetOverride = targetOverride
        self.deployments = deployments
        self.configurationFindings = configurationFindings
        self.baseline = baseline
    }

    public var findings: [Finding] { projectNotes + deployments.flatMap(\.findings) + configurationFindings }

    public var worst: Severity? { findings.map(\.severity).max() }

    func count(_ severity: Severity) -> Int { findings.filter { $0.severity == severity }.count }

    var judged: Int { deployments.filter { $0.report != nil }.count }

    /// The report in `format`; one exhaustive switch, as for single-target scans.
    public func rendered(_ format: ReportFormat, style: TextStyle) -> String {
        switch format {
        case .text: DeploymentReports.text(self, style: style)
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

    static func text(_ project: ProjectScanReport, style: TextStyle) -> String {
        var lines: [String] = []
        lines.append("\(project.format) project \(project.file): \(project.deployments.count) \(project.deployments.count == 1 ? "function" : "functions")")
        if let target = project.targetOverride {
            lines.append("--target \(target) given: every function is judged against it instead of its own runtime and architecture")
        }
        for note in project.projectNotes {
            lines.append("\(style.severity(note.severity))[\(note.check)] \(note.message)")
            lines.append("  fix: \(note.fix)")
        }
        lines.append("")
        for deployment in project.deployments {
            lines.append(style.bold(heading(deployment)))
            if let target = deployment.target {
                let layers = deployment.descriptor.layers.isEmpty ? "" : ", layers: " + deployment.descriptor.layers.map(\.name).joined(separator: ", ")
                lines.append("  judged against \(target.name)\(layers)")
            } else {
                lines.append("  not judged")
            }
            for note in deployment.notes {
                lines.append("  \(style.severity(note.severity))[\(note.check)] \(note.message)")
                lines.append("    fix: \(note.fix)")
            }
            if let report = deployment.report {
                let body = TextReporter(style: style).report(report)
                lines += body.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { $0.isEmpty ? "" : "  " + $0 }
            }
            lines.append("")
        }
        for finding in project.configurationFindings {
            lines.append("\(style.bold(finding.artifact))  \(style.severity(finding.severity))[\(finding.check)] \(finding.message)")
            lines.append("  fix: \(finding.fix)")
        }
        if let baseline = project.baseline { lines.append(baseline.sentence) }
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
                "format": .string(project.format), "file": .string(project.file), "notes": .array(project.projectNotes.map(findingJSON)),
            ]),
            "targetOverride": .optional(project.targetOverride),
            "deployments": .array(project.deployments.map(deploymentJSON)),
            "configuration": .object(["findings": .array(project.configurationFindings.map(findingJSON))]),
            "baseline": project.baseline.map { .object(["file": .string($0.file), "known": .int($0.known), "gone": .int($0.gone)]) } ?? .null,
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
            "notes": .array(deployment.notes.map(findingJSON)),
        ]
        if let report = deployment.report, case .object(let scan) = ScanReport.jsonValue(report.result) {
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
            "message": .string(finding.message), "fix": .string(finding.fix), "deployment": .optional(finding.deployment),
        ])
    }

    /// Adds `"deployment"` to every finding object of the artifacts' JSON.
    private static func withDeployment(_ artifacts: JSONValue, _ label: String) -> JSONValue {
        guard case .array(let items) = artifacts else { return artifacts }
        return .array(items.map { item in
            guard case .object(var artifact) = item, case .array(let findings)? = artifact["findings"] else { return item }
            artifact["findings"] = .array(findings.map { finding in
                guard case .object(var fields) = finding else { return finding }
                fields["deployment"] = .string(label)
                return .object(fields)
            })
            return .object(artifact)
        })
    }

    // MARK: SARIF

    /// Results at the function resource's line in the descriptor (the file in the pull request), with the artifact
    /// and the path inside it in the message.
    static func sarif(_ project: ProjectScanReport) -> String {
        let rules = CheckRegistry.all + [Check.deploymentNotChecked]
        let ruleIndex = Dictionary(rules.enumerated().map { ($0.element.id, $0.offset) }, uniquingKeysWith: { first, _ in first })
        var results: [JSONValue] = []
        for deployment in project.deployments {
            let artifacts = Dictionary(
                (deployment.report?.result.artifacts ?? []).map { ($0.artifact.path, $0.artifact) }, uniquingKeysWith: { first, _ in first })
            for finding in deployment.findings {
                let identity = FindingIdentity(finding, in: artifacts[finding.artifact])
                let inside = finding.artifact == deployment.descriptor.file ? "" : (finding.path.isEmpty ? finding.artifact : "\(finding.artifact)/\(finding.path)")
                let text = "\(deployment.descriptor.label): \(inside.isEmpty ? "" : inside + ": ")\(finding.message)\n\nFix: \(finding.fix)"
                var fields: [String: JSONValue] = [
                    "ruleId": .string(finding.check),
                    "level": .string(SarifReport.level(finding.severity)),
                    "message": .object(["text": .string(text)]),
                    "locations": .array([.object(["physicalLocation": .object([
                        "artifactLocation": .object(["uri": .string(SarifReport.uri(artifact: FindingIdentity.normalised(deployment.descriptor.file), path: ""))]),
                        "region": .object(["startLine": .int(deployment.descriptor.line ?? 1)]),
                    ])])]),
                    "partialFingerprints": .object([SarifReport.fingerprintKey: .string(identity.fingerprint + "@" + deployment.descriptor.name)]),
                    "properties": .object(["deployment": .string(deployment.descriptor.label), "artifact": .string(finding.artifact), "path": .string(finding.path)]),
                ]
                if let index = ruleIndex[finding.check] { fields["ruleIndex"] = .int(index) }
                results.append(.object(fields))
            }
        }
        for finding in project.projectNotes + project.configurationFindings {
            results.append(.object([
                "ruleId": .string(finding.check),
                "level": .string(SarifReport.level(finding.severity)),
                "message": .object(["text": .string("\(finding.message)\n\nFix: \(finding.fix)")]),
                "locations": .array([.object(["physicalLocation": .object([
                    "artifactLocation": .object(["uri": .string(SarifReport.uri(artifact: FindingIdentity.normalised(finding.artifact), path: ""))]),
                    "region": .object(["startLine": .int(1)]),
                ])])]),
                "partialFingerprints": .object([SarifReport.fingerprintKey: .string(FindingIdentity(finding, in: nil).fingerprint)]),
            ]))
        }
        let run: [String: JSONValue] = [
            "tool": .object(["driver": .object([
                "name": .string("shiplint"),
                "version": .string(ScanReport.toolVersion),
                "semanticVersion": .string(ScanReport.toolVersion),
                "informationUri": .string(SarifReport.informationURI),
                "rules": .array(rules.map { check in
                    .object([
                        "id": .string(check.id),
                        "name": .string(SarifReport.ruleName(check.id)),
                        "shortDescription": .object(["text": .string(check.summary)]),
                        "fullDescription": .object(["text": .string(check.explanation)]),
                        "help": .object(["text": .string(CheckDocumentation.text(check))]),
                        "helpUri": .string(SarifReport.helpURI(check.id)),
                        "defaultConfiguration": .object(["level": .string(SarifReport.level(check.defaultSeverity))]),
                    ])
                }),
            ])]),
            "results": .array(results),
            "columnKind": .string("unicodeCodePoints"),
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
        if !project.projectNotes.isEmpty {
            let suite = XMLElement(name: "testsuite")
            set(suite, [
                ("name", project.file), ("tests", "\(project.projectNotes.count)"), ("failures", "0"), ("errors", "0"),
                ("skipped", "\(project.projectNotes.count)"), ("time", "0"),
            ])
            for note in project.projectNotes {
                let testcase = XMLElement(name: "testcase")
                set(testcase, [("name", "\(note.message) [\(note.check)]"), ("classname", project.file), ("time", "0")])
                let skip = XMLElement(name: "skipped")
                set(skip, [("message", note.message)])
                testcase.addChild(skip)
                suite.addChild(testcase)
            }
            root.addChild(suite)
            totalTests += project.projectNotes.count
            totalSkipped += project.projectNotes.count
        }
        for deployment in project.deployments {
            let suite = XMLElement(name: "testsuite")
            var cases: [XMLElement] = []
            var failures = 0
            var skipped = 0
            let artifactFindings = deployment.report?.allFindings ?? []
            for finding in artifactFindings {
                let testcase = XMLElement(name: "testcase")
                let place = finding.path.isEmpty ? finding.artifact : "\(finding.artifact)/\(finding.path)"
                set(testcase, [("name", "\(place) [\(finding.check)]"), ("classname", deployment.descriptor.name), ("time", "0")])
                if finding.severity == .error {
                    let failure = XMLElement(name: "failure", stringValue: JUnitReport.xmlSafe("\(finding.message)\n\nFix: \(finding.fix)"))
                    set(failure, [("message", finding.message), ("type", finding.check)])
                    testcase.addChild(failure)
                    failures += 1
                } else {
                    testcase.addChild(XMLElement(name: "system-out", stringValue: JUnitReport.xmlSafe("\(finding.severity.rawValue): \(finding.message)\nfix: \(finding.fix)")))
                }
                cases.append(testcase)
            }
            if deployment.report != nil && artifactFindings.isEmpty {
                let testcase = XMLElement(name: "testcase")
                set(testcase, [("name", "\(deployment.target?.name ?? "target") [all checks]"), ("classname", deployment.descriptor.name), ("time", "0")])
                cases.append(testcase)
            }
            for note in deployment.notes {
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
                ("architecture", deployment.descriptor.architecture), ("file", deployment.descriptor.file),
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
        var lines: [String] = project.projectNotes.map { note in
            let properties = [("file", FindingIdentity.normalised(note.artifact)), ("title", "shiplint \(note.check)")]
                .map { "\($0.0)=\(GitHubReport.escapeProperty($0.1))" }.joined(separator: ",")
            return "::\(GitHubReport.command(note.severity)) \(properties)::\(GitHubReport.escapeData("\(note.message)\nFix: \(note.fix)"))"
        }
        for deployment in project.deployments {
            for finding in deployment.findings {
                let inside = finding.artifact == deployment.descriptor.file ? "" : (finding.path.isEmpty ? finding.artifact : "\(finding.artifact)/\(finding.path)")
                var properties = [("file", FindingIdentity.normalised(deployment.descriptor.file))]
                if let line = deployment.descriptor.line { properties.append(("line", "\(line)")) }
                properties.append(("title", "shiplint \(finding.check) (\(deployment.descriptor.name))"))
                let rendered = properties.map { "\($0.0)=\(GitHubReport.escapeProperty($0.1))" }.joined(separator: ",")
                let text = (inside.isEmpty ? "" : inside + ": ") + "\(finding.message)\nFix: \(finding.fix)"
                lines.append("::\(GitHubReport.command(finding.severity)) \(rendered)::\(GitHubReport.escapeData(text))")
            }
        }
        let errors = project.count(.error)
        let warnings = project.count(.warning)
        lines.append("shiplint: \(errors) \(errors == 1 ? "error" : "errors"), \(warnings) \(warnings == 1 ? "warning" : "warnings") in \(project.deployments.count) functions of \(project.file)")
        return lines.joined(separator: "\n") + "\n"
    }
}
