import ShiplintTargets
import ShiplintFacts
import ShiplintOutcome
import ShiplintChecks

/// SARIF 2.1.0 for GitHub code scanning and other SARIF readers: every check that ran as a rule, one result per
/// finding. For artifacts named on the command line a result's location is `<artifact path>/<path inside>` (a nested
/// archive keeps its `!`), line 1: the file is a binary, and code scanning needs a line to show an alert. For a
/// project, it is the function's line in its descriptor.
struct SarifReport: Reporter {
    static let schemaURI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    static let informationURI = "https://github.com/shiplint/shiplint"
    /// Bump the `/v1` when `FindingIdentity` changes meaning, so old alerts are closed rather than matched wrongly.
    static let fingerprintKey = "shiplintFindingIdentity/v2"

    /// docs/checks.md has an anchor `<a id="check-<id>">` on every check's section.
    static func helpURI(_ id: String) -> String { "\(informationURI)/blob/main/docs/checks.md#check-\(id)" }

    func report(_ outcome: ScanOutcome) -> String {
        document([run(outcome)])
    }

    /// The SARIF log holding `runs`.
    func document(_ runs: [JSONValue]) -> String {
        JSONValue.object([
            "$schema": .string(Self.schemaURI),
            "version": .string("2.1.0"),
            "runs": .array(runs),
        ]).rendered()
    }

    /// One run: the checks that ran as rules, a result per finding. `automationSuffix` and `properties` tell a
    /// migration matrix's columns apart.
    func run(_ outcome: ScanOutcome, automationSuffix: String = "", properties extra: [String: JSONValue] = [:]) -> JSONValue {
        let rules = outcome.checks
        let ruleIndex = Dictionary(rules.enumerated().map { ($0.element.id, $0.offset) }, uniquingKeysWith: { first, _ in first })
        var results: [JSONValue] = []
        var properties: [String: JSONValue]
        let automation: String
        if let project = outcome.project {
            results = projectResults(outcome, ruleIndex: ruleIndex)
            automation = "shiplint/project/\(project.file)/"
            properties = [
                "project": .string(project.file), "format": .string(project.format),
                "deployments": .array(outcome.deployments.map { deployment in
                    .object(["function": .string(deployment.descriptor?.name ?? ""), "target": .optional(deployment.target?.name)])
                }),
            ]
        } else {
            for artifact in outcome.artifacts {
                for judged in artifact.judged {
                    results.append(result(
                        judged, location: location(artifact: artifact, path: judged.finding.path), ruleIndex: ruleIndex[judged.finding.check],
                        related: judged.finding.otherFiles.map { (location(artifact: artifact, path: $0.path), $0.message) }))
                }
            }
            for judged in outcome.configurationFindings {
                results.append(result(judged, location: location(file: judged.finding.artifact, root: outcome.root), ruleIndex: ruleIndex[judged.finding.check]))
            }
            // One analysis per target, so code scanning keeps the alerts of two targets' scans apart.
            let target = outcome.target
            automation = "shiplint/\(target?.name ?? "")/"
            properties = ["target": .string(target?.name ?? ""), "targetDescription": .string(target?.description ?? "")]
            if let baseline = outcome.baseline {
                properties["baseline"] = .object(["file": .string(baseline.file), "known": .int(baseline.known), "gone": .int(baseline.gone), "unscanned": .int(baseline.unscanned)])
            }
        }
        properties.merge(extra) { _, new in new }
        return .object([
            "tool": .object(["driver": .object([
                "name": .string("shiplint"),
                "version": .string(ScanReport.toolVersion),
                "semanticVersion": .string(ScanReport.toolVersion),
                "informationUri": .string(Self.informationURI),
                "rules": .array(rules.map(rule)),
            ])]),
            "automationDetails": .object(["id": .string(automation + automationSuffix)]),
            "results": .array(results),
            "columnKind": .string("unicodeCodePoints"),
            "properties": .object(properties),
        ])
    }

    /// A project's results sit at the function resource's line in the descriptor (the file in the pull request),
    /// with the artifact and the path inside it in the message; the project's and configuration's at their file.
    private func projectResults(_ outcome: ScanOutcome, ruleIndex: [String: Int]) -> [JSONValue] {
        var results: [JSONValue] = []
        for deployment in outcome.deployments {
            guard let descriptor = deployment.descriptor else { continue }
            for judged in deployment.judged {
                let finding = judged.finding
                let inside = finding.artifact == descriptor.file ? "" : (finding.path.isEmpty ? finding.artifact : "\(finding.artifact)/\(finding.path)")
                let sameCause = GroupedFinding.sameCause(finding).map { "\n\n" + Self.sentence($0) + " (related locations)" } ?? ""
                let text = "\(descriptor.label): \(inside.isEmpty ? "" : inside + ": ")\(finding.message)\(sameCause)\n\nFix: \(finding.fix)"
                // The other files of one cause as related locations inside the artifact.
                let artifact = deployment.artifacts.first { $0.artifact.path == finding.artifact }
                let related = artifact.map { artifact in finding.otherFiles.map { (location(artifact: artifact, path: $0.path), $0.message) } } ?? []
                results.append(result(
                    judged, location: location(file: descriptor.file, root: outcome.root), ruleIndex: ruleIndex[finding.check], line: descriptor.line ?? 1,
                    text: text, properties: ["deployment": .string(descriptor.label), "artifact": .string(finding.artifact), "path": .string(finding.path)],
                    related: related))
            }
        }
        for judged in outcome.projectFindings + outcome.configurationFindings {
            results.append(result(judged, location: location(file: judged.finding.artifact, root: outcome.root), ruleIndex: ruleIndex[judged.finding.check]))
        }
        return results
    }

    /// A file of the project (a descriptor, the configuration) as code scanning finds it: relative to the repository
    /// root when inside one.
    private func location(file: String, root: ProjectRoot) -> Location {
        root.repositoryPath(file).map { Location(uri: Self.uri(artifact: $0, path: ""), base: true) }
            ?? Location(uri: Self.uri(artifact: FindingIdentity.normalised(file), path: ""), base: false)
    }

    struct Location {
        let uri: String
        /// Relative to `%SRCROOT%` (the repository root), so code scanning finds the file in the repository.
        let base: Bool
    }

    private func location(artifact: ArtifactOutcome, path: String) -> Location {
        if let inRepository = artifact.repositoryPath {
            return Location(uri: Self.uri(artifact: inRepository == "." ? "" : inRepository, path: path), base: true)
        }
        return Location(uri: Self.uri(artifact: FindingIdentity.normalised(artifact.artifact.path), path: path), base: false)
    }

    func rule(_ run: CheckRun) -> JSONValue {
        let check = run.check
        return .object([
            "id": .string(check.id),
            "name": .string(Self.ruleName(check.id)),
            "shortDescription": .object(["text": .string(check.summary)]),
            "fullDescription": .object(["text": .string(check.explanation)]),
            "help": .object(["text": .string(CheckDocumentation.text(check)), "markdown": .string(CheckDocumentation.markdown(check))]),
            "helpUri": .string(Self.helpURI(check.id)),
            // The level this project gives the check (its `.shiplint.toml` severity), not the registry default.
            "defaultConfiguration": .object(["level": .string(Self.level(run.severity))]),
        ])
    }

    /// A project scan's results point at the function's line in the descriptor (`line`), their `text` naming the
    /// function and the artifact, with `properties`.
    /// `related`: the other files of a finding about several (one cause, one finding), each with what the check said
    /// of it, as the result's related locations.
    func result(
        _ judged: JudgedFinding, location: Location, ruleIndex: Int?, line: Int = 1, text: String? = nil, properties extra: [String: JSONValue] = [:],
        related: [(Location, String)] = []
    ) -> JSONValue {
        let finding = judged.finding
        let sameCause = GroupedFinding.sameCause(finding).map { "\n\n" + Self.sentence($0) + " (related locations)" } ?? ""
        var fields: [String: JSONValue] = [
            "ruleId": .string(finding.check),
            "level": .string(Self.level(finding.severity)),
            "message": .object(["text": .string(text ?? "\(finding.message)\(sameCause)\n\nFix: \(finding.fix)")]),
            "locations": .array([.object(["physicalLocation": Self.physical(location, line: line)])]),
            "partialFingerprints": .object([Self.fingerprintKey: .string(judged.identity.fingerprint)]),
        ]
        if !related.isEmpty {
            fields["relatedLocations"] = .array(related.enumerated().map { index, pair in
                .object(["id": .int(index + 1), "physicalLocation": Self.physical(pair.0, line: 1), "message": .object(["text": .string(pair.1)])])
            })
        }
        if let ruleIndex { fields["ruleIndex"] = .int(ruleIndex) }
        if !extra.isEmpty { fields["properties"] = .object(extra) }
        if let suppression = judged.suppression {
            // Code scanning shows a suppressed result as dismissed, not fixed. Both kinds live outside the
            // artifact (the project's configuration or baseline), so they are `external`.
            var properties: [String: JSONValue] = ["file": .string(suppression.file), "source": .string(suppression.kind.rawValue)]
            if let entry = suppression.entry { properties["entry"] = .string(entry) }
            fields["suppressions"] = .array([.object([
                "kind": .string("external"),
                "status": .string("accepted"),
                "justification": .string(suppression.justification),
                "properties": .object(properties),
            ])])
        }
        return .object(fields)
    }

    static func physical(_ location: Location, line: Int) -> JSONValue {
        var artifactLocation: [String: JSONValue] = ["uri": .string(location.uri)]
        if location.base { artifactLocation["uriBaseId"] = .string("%SRCROOT%") }
        return .object(["artifactLocation": .object(artifactLocation), "region": .object(["startLine": .int(line)])])
    }

    /// A sentence of a message: its first letter a capital, a full stop at its end.
    static func sentence(_ text: String) -> String {
        (text.prefix(1).uppercased() + text.dropFirst()) + "."
    }

    static func level(_ severity: Severity) -> String {
        switch severity {
        case .error: "error"
        case .warning: "warning"
        case .note: "note"
        }
    }

    /// `windows-binary` → `WindowsBinary`, SARIF's convention for a rule's readable name.
    static func ruleName(_ id: String) -> String {
        id.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// A relative URI reference: the artifact path, then the path inside it, each byte outside RFC 3986's
    /// unreserved characters, `/` and `!` percent-encoded (a space, `%`, `#`, `?`, `:` in a file name).
    static func uri(artifact: String, path: String) -> String {
        let joined = path.isEmpty ? artifact : artifact + "/" + path.drop { $0 == "/" }
        var encoded = ""
        for byte in joined.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"), UInt8(ascii: "!"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                encoded += "%" + (hex.count == 1 ? "0" : "") + hex
            }
        }
        return encoded
    }
}
