import ShiplintFacts
import ShiplintTargets
import FoundationEssentials
import ShiplintChecks
import ShiplintOutcome

/// Words every format uses for a migration matrix, so text, Markdown, JUnit and GitHub say it alike.
enum MigrationWords {
    /// `holds`, `breaks: 2 errors (2 new)`, `not judged`; with what goes away: `; 1 finding goes away`.
    static func verdict(_ cell: MigrationCell, breaking: Severity) -> String {
        var text: String
        switch cell.status {
        case .holds: text = "holds"
        case .notJudged: text = "not judged"
        case .breaks:
            text = "breaks: " + count(cell.breaking.count, breaking == .warning ? "finding" : "error", breaking == .warning ? "findings" : "errors")
            let new = cell.breaking.filter(cell.isNew).count
            if new > 0 { text += new == cell.breaking.count ? " (all new)" : " (\(new) new)" }
        }
        let milder = alsoNew(cell, breaking: breaking)
        if !milder.isEmpty { text += "; " + count(milder.count, "new \(milder[0].finding.severity.rawValue)", "new findings below \(breaking.rawValue)") }
        if !cell.gone.isEmpty { text += "; " + count(cell.gone.count, "finding goes away", "findings go away") }
        return text
    }

    /// New findings on a column that do not break the deployment (a warning the move brings).
    static func alsoNew(_ cell: MigrationCell, breaking: Severity) -> [JudgedFinding] {
        cell.new.filter { $0.finding.severity < breaking }
    }

    /// `a finding at or above error breaks a function`.
    static func rule(_ matrix: MigrationOutcome) -> String {
        "a reported \(matrix.breakingSeverity == .warning ? "warning or error" : "error") breaks a deployment; the exit status follows "
            + (matrix.required.count == matrix.columns.count && matrix.columns.count > 1 ? "every column" : matrix.required.joined(separator: ", "))
    }

    /// The column as a heading: `python3.13-arm64 (--to)`, the target's name when the column is named otherwise.
    static func column(_ column: MigrationColumn, index: Int) -> String {
        index == 0 && column.name != "current" ? "\(column.name) (current)" : column.name
    }

    /// The target a cell was judged against, when the column's name is not it.
    static func target(_ cell: MigrationCell) -> String? {
        guard let name = cell.deployment.target?.name, name != cell.column else { return nil }
        return name
    }

    static func count(_ number: Int, _ one: String, _ many: String) -> String {
        "\(number) \(number == 1 ? one : many)"
    }

    /// `.aws-sam/build/HelloFunction: yaml/_yaml.so`; the artifact alone for a finding about it as a whole.
    static func place(_ finding: Finding) -> String {
        finding.path.isEmpty ? finding.artifact : "\(finding.artifact): \(finding.path)"
    }
}

extension TextReporter {
    /// The matrix: each deployment with one line per column (its target and verdict), then every cell that breaks or
    /// loses findings with those findings, then one line per column.
    func report(_ matrix: MigrationOutcome) -> String {
        let breaking = matrix.breakingSeverity
        var lines: [String] = []
        let what = matrix.project.map { "\($0.format) project \($0.file)" } ?? "artifacts"
        lines.append(
            style.bold("migration matrix") + ": \(SafeText.escaped(what)), " + MigrationWords.count(matrix.rows.count, "deployment", "deployments") + " × "
                + MigrationWords.count(matrix.columns.count, "target", "targets") + "; " + MigrationWords.rule(matrix))
        lines.append("")
        let width = matrix.columns.enumerated().map { MigrationWords.column($0.element, index: $0.offset).count }.max() ?? 0
        for row in matrix.rows {
            lines.append(style.bold(SafeText.lineStart(row.label)))
            for (index, cell) in row.cells.enumerated() {
                let name = MigrationWords.column(matrix.columns[index], index: index).padded(toLength: width)
                let target = MigrationWords.target(cell).map { "  [\($0)]" } ?? ""
                lines.append("  \(SafeText.escaped(name))  \(paint(cell, MigrationWords.verdict(cell, breaking: breaking)))\(SafeText.escaped(target))")
            }
        }
        for row in matrix.rows {
            for (index, cell) in row.cells.enumerated() where !cell.breaking.isEmpty || !cell.gone.isEmpty || !cell.new.isEmpty {
                lines.append("")
                let target = MigrationWords.target(cell).map { " (\($0))" } ?? ""
                lines.append(style.bold(SafeText.lineStart("\(row.label) on \(MigrationWords.column(matrix.columns[index], index: index))")) + SafeText.escaped(target)
                    + ": " + paint(cell, MigrationWords.verdict(cell, breaking: breaking)))
                if !cell.breaking.isEmpty {
                    lines.append("  breaks it:")
                    lines += cell.breaking.flatMap { findingLines($0.finding, new: index > 0 && cell.isNew($0)) }
                }
                let milder = MigrationWords.alsoNew(cell, breaking: breaking)
                if !milder.isEmpty {
                    lines.append("  also new:")
                    lines += milder.flatMap { findingLines($0.finding, new: false) }
                }
                if !cell.gone.isEmpty {
                    lines.append("  goes away:")
                    lines += cell.gone.flatMap { findingLines($0.finding, new: false, fix: false) }
                }
            }
        }
        lines.append("")
        for (index, column) in matrix.columns.enumerated() {
            let cells = matrix.rows.map { $0.cells[index] }
            let holds = cells.filter { $0.status == .holds }.count
            var line = "\(MigrationWords.column(column, index: index)): holds for \(holds) of \(cells.count)"
            let outcome = column.outcome
            line += " (\(MigrationWords.count(outcome.count(.error), "error", "errors")), \(MigrationWords.count(outcome.count(.warning), "warning", "warnings")))"
            if column.required { line += outcome.fails ? "; required: fails" : "; required: passes" }
            lines.append(SafeText.escaped(line))
        }
        if let baseline = matrix.current.baseline { lines.append(SafeText.escaped(baseline.sentence)) }
        return lines.joined(separator: "\n") + "\n"
    }

    private func paint(_ cell: MigrationCell, _ text: String) -> String {
        switch cell.status {
        case .holds: style.paint(text, "1;32")
        case .breaks: style.paint(text, "1;31")
        case .notJudged: style.paint(text, "1;33")
        }
    }

    private func findingLines(_ finding: Finding, new: Bool, fix: Bool = true) -> [String] {
        var lines = ["    \(style.severity(finding.severity))[\(finding.check)] \(SafeText.escaped(MigrationWords.place(finding))): \(SafeText.escaped(finding.message))\(new ? " (new)" : "")"]
        if let sameCause = GroupedFinding.sameCause(finding) { lines.append("      \(SafeText.escaped(sameCause))") }
        if fix { lines.append("      fix: \(SafeText.escaped(finding.fix))") }
        return lines
    }
}

extension JSONReporter {
    /// Schema 3: the columns (each with its summary), then one row per deployment with one cell per column: its
    /// target, status, the findings that break it, and those new or gone against the current column.
    func report(_ matrix: MigrationOutcome) -> String {
        let columns: [JSONValue] = matrix.columns.enumerated().map { index, column in
            let outcome = column.outcome
            return .object([
                "name": .string(column.name), "current": .bool(index == 0), "required": .bool(column.required), "fails": .bool(outcome.fails),
                "summary": .object([
                    "errors": .int(outcome.count(.error)), "warnings": .int(outcome.count(.warning)), "notes": .int(outcome.count(.note)),
                    "holds": .int(matrix.rows.filter { $0.cells[index].status == .holds }.count),
                    "breaks": .int(matrix.rows.filter { $0.cells[index].status == .breaks }.count),
                    "notJudged": .int(matrix.rows.filter { $0.cells[index].status == .notJudged }.count),
                ]),
            ])
        }
        let rows: [JSONValue] = matrix.rows.map { row in
            .object([
                "deployment": .string(row.label),
                "cells": .array(row.cells.map { cell in
                    let descriptor = cell.deployment.descriptor
                    let findings = { (list: [JudgedFinding]) -> JSONValue in .array(list.map { .object(Self.findingJSON($0.finding)) }) }
                    return .object([
                        "column": .string(cell.column),
                        "target": cell.deployment.target.map { .object(["name": .string($0.name), "description": .string($0.description)]) } ?? .null,
                        "runtime": .optional(descriptor?.runtime), "architecture": .optional(descriptor?.architecture),
                        "status": .string(cell.status.rawValue),
                        "breaking": findings(cell.breaking), "new": findings(cell.new), "gone": findings(cell.gone),
                        "notes": .array(cell.deployment.notes.filter(\.isReported).map(\.finding).map(Self.noteJSON)),
                    ])
                }),
            ])
        }
        return JSONValue.object([
            "schema": .int(3),
            "tool": Self.tool,
            "project": matrix.project.map { .object(["format": .string($0.format), "file": .string($0.file)]) } ?? .null,
            "failOn": .string(matrix.failOn.rawValue),
            "breaksAt": .string(matrix.breakingSeverity.rawValue),
            "columns": .array(columns),
            "rows": .array(rows),
            "baseline": matrix.current.baseline.map(Self.baseline) ?? .null,
            "summary": .object(["fails": .bool(matrix.fails), "required": .strings(matrix.required)]),
        ]).rendered()
    }

    /// A finding with its artifact, wherever it lies.
    static func findingJSON(_ finding: Finding) -> [String: JSONValue] {
        var fields: [String: JSONValue] = [
            "check": .string(finding.check), "severity": .string(finding.severity.rawValue), "artifact": .string(finding.artifact),
            "path": .string(finding.path), "message": .string(finding.message), "fix": .string(finding.fix), "fact": .string(finding.fact),
            "deployment": .optional(finding.deployment),
        ]
        // One cause in several files: every file, as schema 1 and 2 list them.
        if !finding.files.isEmpty {
            fields["files"] = .array(([FindingFile(path: finding.path, message: finding.message)] + finding.otherFiles).map { file in
                .object(["path": .string(file.path), "message": .string(file.message)])
            })
        }
        if let group = finding.group { fields["group"] = groupJSON(group) }
        return fields
    }
}

extension SarifReport {
    /// One run per column (SARIF's "one analysis per target"): each is the run a scan against that column alone
    /// writes, with the column in its `automationDetails.id` (the current column keeps a plain scan's id, so its
    /// alerts carry on) and in `properties.migration`.
    func report(_ matrix: MigrationOutcome) -> String {
        let runs = matrix.columns.enumerated().map { index, column in
            run(
                column.outcome, automationSuffix: index == 0 ? "" : "to/\(column.name)/",
                properties: ["migration": .object(["column": .string(column.name), "current": .bool(index == 0), "required": .bool(column.required)])])
        }
        return document(runs)
    }
}

extension JUnitReport {
    /// One `testsuite` per column, one `testcase` per deployment: a `failure` when it breaks on a required column (so
    /// the report fails exactly when the exit status is 1), its findings as output when it breaks on another.
    func report(_ matrix: MigrationOutcome) -> String {
        let root = XMLElement(name: "testsuites")
        var totals = (tests: 0, failures: 0, skipped: 0)
        for (index, column) in matrix.columns.enumerated() {
            let suite = XMLElement(name: "testsuite")
            var failures = 0
            var skipped = 0
            var cases: [XMLElement] = []
            for row in matrix.rows {
                let cell = row.cells[index]
                let testcase = XMLElement(name: "testcase")
                set(testcase, [("name", "\(row.label) on \(column.name)"), ("classname", column.name), ("time", "0")])
                let text = cell.breaking.map { "\($0.finding.severity.rawValue)[\($0.finding.check)] \(MigrationWords.place($0.finding)): \($0.finding.message)\nfix: \($0.finding.fix)" }
                    .joined(separator: "\n\n")
                switch cell.status {
                case .breaks where column.required && column.outcome.fails:
                    let failure = XMLElement(name: "failure", stringValue: Self.xmlSafe(text))
                    set(failure, [("message", MigrationWords.verdict(cell, breaking: matrix.breakingSeverity)), ("type", "migration")])
                    testcase.addChild(failure)
                    failures += 1
                case .breaks:
                    testcase.addChild(XMLElement(name: "system-out", stringValue: Self.xmlSafe(text)))
                case .notJudged:
                    let skip = XMLElement(name: "skipped")
                    set(skip, [("message", cell.deployment.notes.filter(\.isReported).first?.finding.message ?? "not judged")])
                    testcase.addChild(skip)
                    skipped += 1
                case .holds:
                    break
                }
                cases.append(testcase)
            }
            set(suite, [
                ("name", column.name), ("tests", "\(cases.count)"), ("failures", "\(failures)"), ("errors", "0"), ("skipped", "\(skipped)"), ("time", "0"),
            ])
            suite.addChild(properties([("current", index == 0 ? "true" : "false"), ("required", column.required ? "true" : "false"), ("fail-on", matrix.failOn.rawValue)]))
            cases.forEach(suite.addChild)
            root.addChild(suite)
            totals = (totals.tests + cases.count, totals.failures + failures, totals.skipped + skipped)
        }
        set(root, [("name", "shiplint"), ("tests", "\(totals.tests)"), ("failures", "\(totals.failures)"), ("errors", "0"), ("skipped", "\(totals.skipped)")])
        let document = XMLDocument(rootElement: root)
        document.characterEncoding = "UTF-8"
        document.version = "1.0"
        return document.xmlString(options: [.nodePrettyPrint, .nodeCompactEmptyElement]) + "\n"
    }
}

extension GitHubReport {
    /// The required columns' findings as annotations (as a scan against that target writes them), one notice per
    /// deployment that breaks on another column, then the matrix's summary line.
    func report(_ matrix: MigrationOutcome) -> String {
        var lines: [String] = []
        for (index, column) in matrix.columns.enumerated() {
            if column.required {
                lines += column.outcome.project == nil ? artifactAnnotations(column.outcome) : projectAnnotations(column.outcome)
                continue
            }
            for row in matrix.rows where row.cells[index].status == .breaks {
                let cell = row.cells[index]
                let checks = Array(Set(cell.breaking.map(\.finding.check))).sorted().joined(separator: ", ")
                let file = cell.deployment.descriptor?.file ?? cell.breaking.first?.finding.artifact ?? ""
                let properties = [("file", SafeText.escaped(matrix.current.root.repositoryPath(file) ?? FindingIdentity.normalised(file)))]
                    + (cell.deployment.descriptor?.line.map { [("line", "\($0)")] } ?? [])
                    + [("title", "shiplint migration: \(SafeText.escaped(row.label)) on \(SafeText.escaped(column.name))")]
                let text = "\(SafeText.escaped(row.label)) \(MigrationWords.verdict(cell, breaking: matrix.breakingSeverity)) on \(SafeText.escaped(column.name)) (\(checks))"
                lines.append("::notice " + properties.map { "\($0.0)=\(Self.escapeProperty($0.1))" }.joined(separator: ",") + "::" + Self.escapeData(text))
            }
        }
        let summary = matrix.columns.enumerated().map { index, column in
            let holds = matrix.rows.filter { $0.cells[index].status == .holds }.count
            return "\(column.name) \(holds)/\(matrix.rows.count) hold"
        }
        lines.append("shiplint migration: " + SafeText.escaped(summary.joined(separator: ", ")) + (matrix.fails ? "; a required column fails" : ""))
        return lines.joined(separator: "\n") + "\n"
    }
}
