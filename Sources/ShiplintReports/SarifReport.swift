import ShiplintChecks

/// SARIF 2.1.0 for GitHub code scanning and other SARIF readers: every check as a rule, one result per finding.
/// A result's location is `<artifact path>/<path inside>` (a nested archive keeps its `!`), line 1: the file is a
/// binary, and code scanning needs a line to show an alert.
struct SarifReport: Reporter {
    static let schemaURI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    static let informationURI = "https://github.com/shiplint/shiplint"
    /// Bump the `/v1` when `FindingIdentity` changes meaning, so old alerts are closed rather than matched wrongly.
    static let fingerprintKey = "shiplintFindingIdentity/v1"

    /// The README has a heading `Check: <id>` for every check; GitHub turns it into the anchor `#check-<id>`.
    static func helpURI(_ id: String) -> String { "\(informationURI)#check-\(id)" }

    func report(_ scan: ScanReportInput) -> String {
        let rules = scan.rules
        let ruleIndex = Dictionary(rules.enumerated().map { ($0.element.id, $0.offset) }, uniquingKeysWith: { first, _ in first })
        let artifacts = Dictionary(scan.result.artifacts.map { ($0.artifact.path, $0.artifact) }, uniquingKeysWith: { first, _ in first })
        let results = scan.allFindings.map { finding in
            result(finding, identity: FindingIdentity(finding, in: artifacts[finding.artifact]), ruleIndex: ruleIndex[finding.check])
        }
        var properties: [String: JSONValue] = [
            "target": .string(scan.result.target.name),
            "targetDescription": .string(scan.result.target.description),
        ]
        if let baseline = scan.baseline {
            properties["baseline"] = .object(["file": .string(baseline.file), "known": .int(baseline.known), "gone": .int(baseline.gone)])
        }
        let run: [String: JSONValue] = [
            "tool": .object(["driver": .object([
                "name": .string("shiplint"),
                "version": .string(ScanReport.toolVersion),
                "semanticVersion": .string(ScanReport.toolVersion),
                "informationUri": .string(Self.informationURI),
                "rules": .array(rules.map(rule)),
            ])]),
            "results": .array(results),
            "columnKind": .string("unicodeCodePoints"),
            "properties": .object(properties),
        ]
        return JSONValue.object([
            "$schema": .string(Self.schemaURI),
            "version": .string("2.1.0"),
            "runs": .array([.object(run)]),
        ]).rendered()
    }

    private func rule(_ check: Check) -> JSONValue {
        .object([
            "id": .string(check.id),
            "name": .string(Self.ruleName(check.id)),
            "shortDescription": .object(["text": .string(check.summary)]),
            "fullDescription": .object(["text": .string(check.explanation)]),
            "help": .object(["text": .string(CheckDocumentation.text(check))]),
            "helpUri": .string(Self.helpURI(check.id)),
            "defaultConfiguration": .object(["level": .string(Self.level(check.defaultSeverity))]),
        ])
    }

    private func result(_ finding: Finding, identity: FindingIdentity, ruleIndex: Int?) -> JSONValue {
        var fields: [String: JSONValue] = [
            "ruleId": .string(finding.check),
            "level": .string(Self.level(finding.severity)),
            "message": .object(["text": .string("\(finding.message)\n\nFix: \(finding.fix)")]),
            "locations": .array([.object(["physicalLocation": .object([
                "artifactLocation": .object(["uri": .string(Self.uri(artifact: identity.artifact, path: finding.path))]),
                "region": .object(["startLine": .int(1)]),
            ])])]),
            "partialFingerprints": .object([Self.fingerprintKey: .string(identity.fingerprint)]),
        ]
        if let ruleIndex { fields["ruleIndex"] = .int(ruleIndex) }
        return .object(fields)
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
