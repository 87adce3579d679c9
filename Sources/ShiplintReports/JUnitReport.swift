import ShiplintTargets
import ShiplintOutcome
import ShiplintChecks
import ShiplintFacts

/// JUnit XML for Jenkins, GitLab and GitHub test reporters: one `testsuite` per artifact; one `testcase` per check
/// that ran on each binary, and per artifact-wide check on the artifact, passing ones included; a `failure` for
/// every finding at or above `--fail-on` (so the report fails exactly when the exit status is 1). Findings below
/// it go to the case's `system-out`; findings the project ignored or baselined make a `skipped` case with the reason.
///
/// Written with XMLTree.swift (Foundation's XMLDocument API and bytes, without libxml2), which escapes;
/// characters XML 1.0 cannot carry at all (control characters from a hostile file name) become U+FFFD first.
/// For a project: one `testsuite` per function, a case per finding (errors fail), a passing case when it has none, a
/// skipped case for each part not checked and each suppressed finding.
struct JUnitReport: Reporter {
    func report(_ outcome: ScanOutcome) -> String {
        let root = XMLElement(name: "testsuites")
        var suites: [Suite] = []
        if outcome.project != nil {
            if let notes = projectNotesSuite(outcome) { suites.append(notes) }
            suites += outcome.deployments.map { functionSuite($0, outcome: outcome) }
        } else {
            suites += outcome.artifacts.map { suite($0, outcome: outcome) }
        }
        let configuration = outcome.configurationFindings.filter(\.isReported).map(\.finding)
        if !configuration.isEmpty { suites.append(configurationSuite(configuration, outcome: outcome)) }
        suites.forEach { root.addChild($0.element) }
        let total = (tests: suites.map(\.tests).reduce(0, +), failures: suites.map(\.failures).reduce(0, +), skipped: suites.map(\.skipped).reduce(0, +))
        set(root, [("name", "shiplint"), ("tests", "\(total.tests)"), ("failures", "\(total.failures)"), ("errors", "0"), ("skipped", "\(total.skipped)")])
        let document = XMLDocument(rootElement: root)
        document.characterEncoding = "UTF-8"
        document.version = "1.0"
        return document.xmlString(options: [.nodePrettyPrint, .nodeCompactEmptyElement]) + "\n"
    }

    private struct Suite {
        let element: XMLElement
        let tests: Int
        let failures: Int
        let skipped: Int
    }

    /// One test case before it is written: its name and the findings it shows.
    private struct Case {
        var name: String
        let check: String
        let findings: [JudgedFinding]
    }

    /// Binaries in path order, each with every per-binary check that ran, in registry order; then each
    /// artifact-wide check, once per finding (or once, passing). Names are unique within the suite.
    private func suite(_ artifactOutcome: ArtifactOutcome, outcome: ScanOutcome) -> Suite {
        let artifact = artifactOutcome.artifact
        let judged = artifactOutcome.judged
        var cases: [Case] = []
        let binaryPaths = Set(artifact.binaries.map(\.path))
        // A finding about several files is one case, on its first file: the other files have none for that check.
        let covered = Set(judged.flatMap { judged in judged.finding.otherFiles.map { [judged.finding.check, $0.path] } })
        for binary in artifact.binaries.sorted(by: { $0.path < $1.path }) {
            for run in outcome.checks where run.check.judgesEachBinary && !covered.contains([run.id, binary.path]) {
                cases.append(Case(
                    name: "\(binary.path) [\(run.id)]", check: run.id,
                    findings: judged.filter { $0.finding.check == run.id && $0.finding.path == binary.path }))
            }
        }
        for run in outcome.checks where !run.judgesConfiguration {
            // Per-binary checks already have a case per binary; anything else they report lands here too.
            let matching = judged.filter { $0.finding.check == run.id && !(run.check.judgesEachBinary && binaryPaths.contains($0.finding.path)) }
            if run.check.judgesEachBinary && matching.isEmpty { continue }
            if matching.isEmpty { cases.append(Case(name: "(artifact) [\(run.id)]", check: run.id, findings: [])) }
            for finding in matching {
                let path = finding.finding.path.isEmpty ? "(artifact)" : finding.finding.path
                cases.append(Case(name: "\(path) [\(run.id)]", check: run.id, findings: [finding]))
            }
        }
        Self.makeUnique(&cases)
        var failures = 0
        var skipped = 0
        var elements: [XMLElement] = []
        for testCase in cases {
            let testcase = XMLElement(name: "testcase")
            set(testcase, [("name", testCase.name), ("classname", artifact.path), ("time", "0")])
            var output: [String] = []
            let reported = testCase.findings.filter(\.isReported).map(\.finding)
            for finding in reported {
                if outcome.fails(finding) {
                    testcase.addChild(Self.failure(finding))
                    failures += 1
                } else {
                    output.append(Self.output(finding))
                }
            }
            let suppressed = testCase.findings.compactMap(\.suppression)
            if reported.isEmpty, let suppression = suppressed.first {
                let element = XMLElement(name: "skipped")
                set(element, [("message", Self.suppressedMessage(suppression))])
                testcase.addChild(element)
                skipped += 1
            }
            if !output.isEmpty { testcase.addChild(XMLElement(name: "system-out", stringValue: Self.xmlSafe(output.joined(separator: "\n\n")))) }
            elements.append(testcase)
        }
        let suite = XMLElement(name: "testsuite")
        let role = if case .layer(let number) = artifactOutcome.role { "layer \(number)" } else { "function" }
        set(suite, [
            ("name", artifact.path), ("tests", "\(elements.count)"), ("failures", "\(failures)"), ("errors", "0"),
            ("skipped", "\(skipped)"), ("time", "0"),
        ])
        suite.addChild(properties([("target", outcome.target?.name ?? ""), ("role", role), ("fail-on", outcome.failOn.rawValue)]))
        elements.forEach(suite.addChild)
        return Suite(element: suite, tests: elements.count, failures: failures, skipped: skipped)
    }

    /// The project's own notes (a nested application not followed): skipped cases, one suite.
    private func projectNotesSuite(_ outcome: ScanOutcome) -> Suite? {
        let notes = outcome.projectFindings.filter(\.isReported).map(\.finding)
        guard let file = outcome.project?.file, !notes.isEmpty else { return nil }
        let suite = XMLElement(name: "testsuite")
        set(suite, [("name", file), ("tests", "\(notes.count)"), ("failures", "0"), ("errors", "0"), ("skipped", "\(notes.count)"), ("time", "0")])
        for note in notes { suite.addChild(skippedCase(note, classname: file)) }
        return Suite(element: suite, tests: notes.count, failures: 0, skipped: notes.count)
    }

    /// A `testcase` skipped with the finding's message (a part not checked).
    private func skippedCase(_ note: Finding, classname: String) -> XMLElement {
        let testcase = XMLElement(name: "testcase")
        set(testcase, [("name", "\(note.message) [\(note.check)]"), ("classname", classname), ("time", "0")])
        let skip = XMLElement(name: "skipped")
        set(skip, [("message", note.message)])
        testcase.addChild(skip)
        return testcase
    }

    /// One function of a project: a case per finding of its artifacts (failing at or above --fail-on, skipped when
    /// suppressed), one passing case when it was judged and has none, a skipped case per note.
    private func functionSuite(_ deployment: DeploymentOutcome, outcome: ScanOutcome) -> Suite {
        let name = deployment.descriptor?.name ?? ""
        var cases: [XMLElement] = []
        var failures = 0
        var skipped = 0
        let artifactFindings = deployment.artifacts.flatMap(\.judged)
        for judged in artifactFindings {
            let finding = judged.finding
            let testcase = XMLElement(name: "testcase")
            let place = finding.path.isEmpty ? finding.artifact : "\(finding.artifact)/\(finding.path)"
            set(testcase, [("name", "\(place) [\(finding.check)]"), ("classname", name), ("time", "0")])
            if let suppression = judged.suppression {
                // Accepted by the project: skipped, with the reason.
                let skip = XMLElement(name: "skipped")
                set(skip, [("message", Self.suppressedMessage(suppression))])
                testcase.addChild(skip)
                skipped += 1
            } else if outcome.fails(finding) {
                testcase.addChild(Self.failure(finding))
                failures += 1
            } else {
                testcase.addChild(XMLElement(name: "system-out", stringValue: Self.xmlSafe(Self.output(finding))))
            }
            cases.append(testcase)
        }
        if deployment.isJudged && artifactFindings.isEmpty {
            let testcase = XMLElement(name: "testcase")
            set(testcase, [("name", "\(deployment.target?.name ?? "target") [all checks]"), ("classname", name), ("time", "0")])
            cases.append(testcase)
        }
        for note in deployment.notes.filter(\.isReported).map(\.finding) {
            cases.append(skippedCase(note, classname: name))
            skipped += 1
        }
        let suite = XMLElement(name: "testsuite")
        set(suite, [
            ("name", deployment.descriptor?.label ?? name), ("tests", "\(cases.count)"), ("failures", "\(failures)"), ("errors", "0"),
            ("skipped", "\(skipped)"), ("time", "0"),
        ])
        let descriptor = deployment.descriptor
        suite.addChild(properties([
            ("target", deployment.target?.name ?? ""), ("runtime", descriptor?.runtime ?? ""), ("architecture", descriptor?.architecture ?? ""),
            ("file", descriptor?.file ?? ""), ("fail-on", outcome.failOn.rawValue),
        ]))
        cases.forEach(suite.addChild)
        return Suite(element: suite, tests: cases.count, failures: failures, skipped: skipped)
    }

    func properties(_ pairs: [(String, String)]) -> XMLElement {
        let properties = XMLElement(name: "properties")
        for (name, value) in pairs {
            let property = XMLElement(name: "property")
            set(property, [("name", name), ("value", value)])
            properties.addChild(property)
        }
        return properties
    }

    /// A finding at or above --fail-on: its message (and, for one cause in several files, how many) as the failure's
    /// `message`; the message, every other file and the fix as its text.
    private static func failure(_ finding: Finding) -> XMLElement {
        let count = GroupedFinding.sameCause(finding, shown: 0).map { " (\($0))" } ?? ""
        let files = GroupedFinding.sameCause(finding, shown: nil).map { "\n\n" + SarifReport.sentence($0) } ?? ""
        let failure = XMLElement(name: "failure", stringValue: xmlSafe("\(finding.message)\(files)\n\nFix: \(finding.fix)"))
        failure.addAttribute(XMLNode.attribute(withName: "message", stringValue: xmlSafe(finding.message + count)) as! XMLNode)
        failure.addAttribute(XMLNode.attribute(withName: "type", stringValue: xmlSafe(finding.check)) as! XMLNode)
        return failure
    }

    /// A finding below --fail-on, for `system-out`.
    private static func output(_ finding: Finding) -> String {
        let files = GroupedFinding.sameCause(finding, shown: nil).map { "\n" + $0 } ?? ""
        return "\(finding.severity.rawValue): \(finding.message)\(files)\nfix: \(finding.fix)"
    }

    /// `suppressed by the baseline in b.json: recorded in the baseline b.json`.
    static func suppressedMessage(_ suppression: Suppression) -> String {
        "suppressed by \(suppression.kind == .baseline ? "the baseline" : suppression.entry ?? "an ignore") in \(suppression.file): \(suppression.justification)"
    }

    /// Test reporters merge cases of one name: a repeated name gets the finding's fact, then a number.
    private static func makeUnique(_ cases: inout [Case]) {
        var counts: [String: Int] = [:]
        for testCase in cases { counts[testCase.name, default: 0] += 1 }
        for index in cases.indices where counts[cases[index].name]! > 1 {
            if let fact = cases[index].findings.first?.finding.fact, !fact.isEmpty { cases[index].name += " (\(fact))" }
        }
        var seen: [String: Int] = [:]
        for index in cases.indices {
            let name = cases[index].name
            seen[name, default: 0] += 1
            if seen[name]! > 1 { cases[index].name = "\(name) #\(seen[name]!)" }
        }
    }

    /// Notes about the configuration file (an ignore that matched nothing): passing cases with the note as output.
    private func configurationSuite(_ findings: [Finding], outcome: ScanOutcome) -> Suite {
        let suite = XMLElement(name: "testsuite")
        var failures = 0
        var cases: [XMLElement] = []
        for finding in findings {
            let testcase = XMLElement(name: "testcase")
            set(testcase, [("name", "\(finding.message) [\(finding.check)]"), ("classname", finding.artifact), ("time", "0")])
            let text = "\(finding.severity.rawValue): \(finding.message)\nfix: \(finding.fix)"
            if outcome.fails(finding) {
                let failure = XMLElement(name: "failure", stringValue: Self.xmlSafe(text))
                set(failure, [("message", finding.message), ("type", finding.check)])
                testcase.addChild(failure)
                failures += 1
            } else {
                testcase.addChild(XMLElement(name: "system-out", stringValue: Self.xmlSafe(text)))
            }
            cases.append(testcase)
        }
        set(suite, [("name", findings.first?.artifact ?? "configuration"), ("tests", "\(findings.count)"), ("failures", "\(failures)"), ("errors", "0"), ("skipped", "0"), ("time", "0")])
        cases.forEach(suite.addChild)
        return Suite(element: suite, tests: findings.count, failures: failures, skipped: 0)
    }

    /// Attributes in the order given (XMLElement keeps insertion order), so the bytes are stable.
    func set(_ element: XMLElement, _ attributes: [(String, String)]) {
        for (name, value) in attributes {
            element.addAttribute(XMLNode.attribute(withName: name, stringValue: Self.xmlSafe(value)) as! XMLNode)
        }
    }

    /// XML 1.0 allows tab, LF, CR and U+0020 and up (less surrogates, U+FFFE, U+FFFF); anything else becomes U+FFFD.
    static func xmlSafe(_ text: String) -> String {
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x9, 0xA, 0xD, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: result.append(scalar)
            default: result.append("\u{FFFD}")
            }
        }
        return String(result)
    }
}

extension Check {
    /// Whether this check looks at one binary at a time (and so is a test case for every binary).
    var judgesEachBinary: Bool {
        if case .perBinary = judgement { return true }
        return false
    }
}
