import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import ShiplintChecks
import ShiplintFacts

/// JUnit XML for Jenkins, GitLab and GitHub test reporters: one `testsuite` per artifact; one `testcase` per check
/// on each binary, and per artifact-wide check on the artifact, passing ones included; a `failure` per error
/// finding. Warnings and notes do not fail a case: they go to its `system-out`.
///
/// Written with Foundation's XMLDocument (libxml2 underneath), so escaping is the XML library's job, not ours;
/// characters XML 1.0 cannot carry at all (control characters from a hostile file name) become U+FFFD first.
struct JUnitReport: Reporter {
    func report(_ scan: ScanReportInput) -> String {
        let root = XMLElement(name: "testsuites")
        var totalTests = 0
        var totalFailures = 0
        for artifactScan in scan.result.artifacts {
            let suite = self.suite(artifactScan, target: scan.result.target.name)
            totalTests += suite.tests
            totalFailures += suite.failures
            root.addChild(suite.element)
        }
        if !scan.configurationFindings.isEmpty {
            let suite = configurationSuite(scan.configurationFindings)
            totalTests += suite.tests
            root.addChild(suite.element)
        }
        set(root, [("name", "shiplint"), ("tests", "\(totalTests)"), ("failures", "\(totalFailures)"), ("errors", "0")])
        let document = XMLDocument(rootElement: root)
        document.characterEncoding = "UTF-8"
        document.version = "1.0"
        return document.xmlString(options: [.nodePrettyPrint, .nodeCompactEmptyElement]) + "\n"
    }

    private struct Suite {
        let element: XMLElement
        let tests: Int
        let failures: Int
    }

    /// Binaries in path order, each with every per-binary check in registry order; then each artifact-wide check,
    /// once per finding (or once, passing).
    private func suite(_ artifactScan: ArtifactScan, target: String) -> Suite {
        let artifact = artifactScan.artifact
        let findings = artifactScan.findings
        var cases: [XMLElement] = []
        var failures = 0
        func addCase(name: String, check: String, matching: [Finding]) {
            let testcase = XMLElement(name: "testcase")
            set(testcase, [("name", "\(name) [\(check)]"), ("classname", artifact.path), ("time", "0")])
            var output: [String] = []
            for finding in matching {
                if finding.severity == .error {
                    let failure = XMLElement(name: "failure", stringValue: Self.xmlSafe("\(finding.message)\n\nFix: \(finding.fix)"))
                    set(failure, [("message", finding.message), ("type", finding.check)])
                    testcase.addChild(failure)
                    failures += 1
                } else {
                    output.append("\(finding.severity.rawValue): \(finding.message)\nfix: \(finding.fix)")
                }
            }
            if !output.isEmpty { testcase.addChild(XMLElement(name: "system-out", stringValue: Self.xmlSafe(output.joined(separator: "\n\n")))) }
            cases.append(testcase)
        }
        // A scan of artifacts has no descriptor, so the descriptor checks did not run: no passing case for them.
        let checksRun = CheckRegistry.all.filter { check in
            !CheckRegistry.descriptorChecks.contains(check.id) || findings.contains { $0.check == check.id }
        }
        let binaryPaths = Set(artifact.binaries.map(\.path))
        for binary in artifact.binaries.sorted(by: { $0.path < $1.path }) {
            for check in checksRun where check.judgesEachBinary {
                addCase(name: binary.path, check: check.id, matching: findings.filter { $0.check == check.id && $0.path == binary.path })
            }
        }
        for check in checksRun {
            // Per-binary checks already have a case per binary; anything else they report lands here too.
            let matching = findings.filter { $0.check == check.id && !(check.judgesEachBinary && binaryPaths.contains($0.path)) }
            if check.judgesEachBinary && matching.isEmpty { continue }
            if matching.isEmpty {
                addCase(name: "(artifact)", check: check.id, matching: [])
            }
            for finding in matching {
                addCase(name: finding.path.isEmpty ? "(artifact)" : finding.path, check: check.id, matching: [finding])
            }
        }
        // A finding of a check not in the registry (none today) still shows.
        let known = Set(checksRun.map(\.id))
        for finding in findings where !known.contains(finding.check) {
            addCase(name: finding.path.isEmpty ? "(artifact)" : finding.path, check: finding.check, matching: [finding])
        }
        let suite = XMLElement(name: "testsuite")
        let role = if case .layer(let number) = artifactScan.role { "layer \(number)" } else { "function" }
        set(suite, [
            ("name", artifact.path), ("tests", "\(cases.count)"), ("failures", "\(failures)"), ("errors", "0"),
            ("skipped", "0"), ("time", "0"),
        ])
        let properties = XMLElement(name: "properties")
        for (name, value) in [("target", target), ("role", role)] {
            let property = XMLElement(name: "property")
            set(property, [("name", name), ("value", value)])
            properties.addChild(property)
        }
        suite.addChild(properties)
        cases.forEach(suite.addChild)
        return Suite(element: suite, tests: cases.count, failures: failures)
    }

    /// Notes about the configuration file (an ignore that matched nothing): passing cases with the note as output.
    private func configurationSuite(_ findings: [Finding]) -> Suite {
        let suite = XMLElement(name: "testsuite")
        set(suite, [("name", findings.first?.artifact ?? "configuration"), ("tests", "\(findings.count)"), ("failures", "0"), ("errors", "0"), ("skipped", "0"), ("time", "0")])
        for finding in findings {
            let testcase = XMLElement(name: "testcase")
            set(testcase, [("name", "\(finding.message) [\(finding.check)]"), ("classname", finding.artifact), ("time", "0")])
            testcase.addChild(XMLElement(name: "system-out", stringValue: Self.xmlSafe("\(finding.severity.rawValue): \(finding.message)\nfix: \(finding.fix)")))
            suite.addChild(testcase)
        }
        return Suite(element: suite, tests: findings.count, failures: 0)
    }

    /// Attributes in the order given (XMLElement keeps insertion order), so the bytes are stable.
    private func set(_ element: XMLElement, _ attributes: [(String, String)]) {
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
