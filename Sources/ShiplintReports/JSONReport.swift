import ShiplintTargets
import ShiplintChecks
import ShiplintFacts
import ShiplintOutcome

/// `--format json`. Artifacts named on the command line: schema 1 (the target, the artifacts with their findings,
/// `configuration` and `baseline` only when they apply). A project: schema 2, one entry per function with its
/// descriptor facts, target, notes and artifacts in the schema 1 shape, each finding naming its function.
struct JSONReporter: Reporter {
    func report(_ outcome: ScanOutcome) -> String {
        guard let project = outcome.project else { return artifactReport(outcome) }
        return projectReport(outcome, project: project)
    }

    private func artifactReport(_ outcome: ScanOutcome) -> String {
        var fields: [String: JSONValue] = [
            "schema": .int(1),
            "tool": Self.tool,
            "target": outcome.target.map { .object(["name": .string($0.name), "description": .string($0.description)]) } ?? .null,
            "artifacts": .array(outcome.deployments.flatMap { Self.artifacts($0, label: nil) }),
            "summary": .object([
                "errors": .int(outcome.count(.error)),
                "warnings": .int(outcome.count(.warning)),
                "notes": .int(outcome.count(.note)),
            ]),
        ]
        let configuration = outcome.configurationFindings.filter(\.isReported).map(\.finding)
        if !configuration.isEmpty {
            fields["configuration"] = .object(["findings": .array(configuration.map { finding in
                .object([
                    "check": .string(finding.check), "severity": .string(finding.severity.rawValue), "file": .string(finding.artifact),
                    "message": .string(finding.message), "fix": .string(finding.fix),
                ])
            })])
        }
        if let baseline = outcome.baseline { fields["baseline"] = Self.baseline(baseline) }
        return JSONValue.object(fields).rendered()
    }

    private func projectReport(_ outcome: ScanOutcome, project: ProjectDescription) -> String {
        let functions = outcome.deployments.count
        let judged = outcome.judgedDeployments
        return JSONValue.object([
            "schema": .int(2),
            "tool": Self.tool,
            "project": .object([
                "format": .string(project.format), "file": .string(project.file),
                "notes": .array(outcome.projectFindings.filter(\.isReported).map(\.finding).map(Self.noteJSON)),
            ]),
            "targetOverride": .optional(project.targetOverride),
            "deployments": .array(outcome.deployments.map(Self.deploymentJSON)),
            "configuration": .object(["findings": .array(outcome.configurationFindings.filter(\.isReported).map(\.finding).map(Self.noteJSON))]),
            "baseline": outcome.baseline.map(Self.baseline) ?? .null,
            "summary": .object([
                "errors": .int(outcome.count(.error)), "warnings": .int(outcome.count(.warning)), "notes": .int(outcome.count(.note)),
                "functions": .int(functions), "judged": .int(judged), "notJudged": .int(functions - judged),
            ]),
        ]).rendered()
    }

    static let tool: JSONValue = .object(["name": .string("shiplint"), "version": .string(ScanReport.toolVersion)])

    static func baseline(_ baseline: BaselineSummary) -> JSONValue {
        .object(["file": .string(baseline.file), "known": .int(baseline.known), "gone": .int(baseline.gone), "unscanned": .int(baseline.unscanned)])
    }

    /// A deployment's artifacts in the schema 1 shape (facts, role, findings, suppressed findings); in a project each
    /// finding also names its function (`label`).
    static func artifacts(_ deployment: DeploymentOutcome, label: String?) -> [JSONValue] {
        func finding(_ finding: Finding) -> [String: JSONValue] {
            var fields: [String: JSONValue] = [
                "check": .string(finding.check),
                "severity": .string(finding.severity.rawValue),
                "path": .string(finding.path),
                "message": .string(finding.message),
                "fix": .string(finding.fix),
                "fact": .string(finding.fact),
            ]
            if let label { fields["deployment"] = .string(label) }
            if !finding.files.isEmpty {
                // Every file of the cause, the first (`path`) included, each with what the check said of it.
                fields["files"] = .array(([FindingFile(path: finding.path, message: finding.message)] + finding.otherFiles).map { file in
                    .object(["path": .string(file.path), "message": .string(file.message)])
                })
            }
            if let group = finding.group { fields["group"] = groupJSON(group) }
            return fields
        }
        return deployment.artifacts.map { scan in
            var fields = FactsJSON.artifact(scan.artifact, symbols: false)
            switch scan.role {
            case .function: fields["role"] = .string("function")
            case .layer(let number):
                fields["role"] = .string("layer")
                fields["layer"] = .int(number)
            }
            if let note = deployment.roleNotes[scan.artifact.path] { fields["role_note"] = .string(note) }
            fields["findings"] = .array(scan.findings.map { .object(finding($0)) })
            // Findings the project accepted, with the reason: kept for audits, never counted.
            let suppressed = scan.judged.filter { !$0.isReported }
            if !suppressed.isEmpty {
                fields["suppressed"] = .array(suppressed.map { judged in
                    var object = finding(judged.finding)
                    if let suppression = judged.suppression {
                        object["suppression"] = .object([
                            "kind": .string(suppression.kind.rawValue), "file": .string(suppression.file),
                            "entry": .optional(suppression.entry), "justification": .string(suppression.justification),
                        ])
                    }
                    return .object(object)
                })
            }
            return .object(fields)
        }
    }

    /// The distribution, Node package or folder holding a finding's files; `key` is what its identity names.
    static func groupJSON(_ group: FindingGroup) -> JSONValue {
        .object([
            "kind": .string(group.kind.rawValue), "name": .string(group.name), "version": .optional(group.version),
            "location": .string(group.location), "key": .string(group.key),
        ])
    }

    /// One function of a project: what its descriptor says, its target (null when not judged), its notes and artifacts.
    static func deploymentJSON(_ deployment: DeploymentOutcome) -> JSONValue {
        guard let descriptor = deployment.descriptor else { return .object(["artifacts": .array(artifacts(deployment, label: nil))]) }
        let fields: [String: JSONValue] = [
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
            "notes": .array(deployment.notes.filter(\.isReported).map(\.finding).map(noteJSON)),
            "artifacts": .array(deployment.isJudged ? artifacts(deployment, label: descriptor.label) : []),
        ]
        return .object(fields.filter { $0.value != .null || ["target", "line", "runtime", "handler", "functionName"].contains($0.key) })
    }

    static func code(_ source: CodeSource) -> JSONValue {
        switch source {
        case .local(let path): .object(["path": .string(path)])
        case .notLocal(let why): .object(["notLocal": .string(why)])
        }
    }

    /// A finding that lies on no artifact (a descriptor's, the project's, the configuration's): its file is its place.
    static func noteJSON(_ finding: Finding) -> JSONValue {
        .object([
            "check": .string(finding.check), "severity": .string(finding.severity.rawValue), "file": .string(finding.artifact),
            "message": .string(finding.message), "fix": .string(finding.fix), "fact": .string(finding.fact),
            "deployment": .optional(finding.deployment),
        ])
    }
}
