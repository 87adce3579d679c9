import ShiplintFacts
import ShiplintChecks
import ShiplintOutcome
import ShiplintTargets

/// `--format markdown`: a pull request comment. A headline, a summary table (one row per artifact, or per function of
/// a project), then the findings by deployment and artifact, root cause first, each with its fix (a fix already given
/// in the artifact is referred to). With `--baseline` (a baseline file or a previous scan's JSON report) it is the
/// difference: new findings, fixed ones, and the unchanged ones folded away. Everything fits in `limit` characters
/// (GitHub refuses a comment over 65,536): what does not fit is left out from the end, and the comment says how much
/// and of what severity. Names from the artifact are escaped so they cannot open a link, an image, HTML or a mention.
public struct MarkdownReport: Reporter {
    /// GitHub's limit for a comment body is 65,536 characters; the rest is left for a marker or a heading the
    /// workflow adds.
    public static let defaultLimit = 60_000
    /// The smallest limit that still holds a headline, the table's head and the note of what was left out.
    public static let smallestLimit = 2_000

    let limit: Int

    public init(limit: Int = MarkdownReport.defaultLimit) {
        self.limit = max(Self.smallestLimit, limit)
    }

    public func report(_ outcome: ScanOutcome) -> String {
        var page = MarkdownPage(limit: limit)
        page.always(headline(outcome))
        page.always(table(outcome))
        let new = outcome.baseline != nil
        if let baseline = outcome.baseline {
            let unchanged = outcome.suppressed.filter { $0.suppression?.kind == .baseline }
            page.always(
                "**Against \(MarkdownText.code(baseline.file)):** \(outcome.reported.count) new · \(baseline.gone) fixed · \(unchanged.count) unchanged"
                    + (baseline.unscanned > 0 ? " · \(baseline.unscanned) for artifacts not scanned here" : "") + "\n")
        }
        let heading = new ? "### New findings" : "### Findings"
        if outcome.reported.isEmpty {
            page.always("\n\(heading)\n\nNone.\n")
        } else {
            page.section(heading)
        }
        for judged in outcome.projectFindings.filter(\.isReported) { page.add(item(judged.finding), finding: judged.finding) }
        for deployment in outcome.deployments {
            findings(of: deployment, project: outcome.project != nil, into: &page)
        }
        for judged in outcome.configurationFindings.filter(\.isReported) {
            page.add(item(judged.finding, place: judged.finding.artifact), finding: judged.finding)
        }
        if let baseline = outcome.baseline {
            page.section("### Fixed")
            if baseline.fixed.isEmpty { page.always(baseline.gone == 0 ? "None.\n" : "\(baseline.gone) (not listed by this baseline).\n") }
            for fixed in baseline.fixed {
                let where_ = [fixed.identity.deployment, fixed.identity.artifact, fixed.identity.path].filter { !$0.isEmpty }.map(MarkdownText.code)
                page.add("- ✅ \(MarkdownText.code(fixed.identity.check)) \(where_.joined(separator: " ")) — \(MarkdownText.prose(fixed.message))\n", left: "fixed")
            }
            let unchanged = outcome.suppressed.filter { $0.suppression?.kind == .baseline }
            if !unchanged.isEmpty {
                page.always("\n<details><summary>\(unchanged.count) unchanged (in the baseline, not counted)</summary>\n\n")
                for judged in unchanged { page.add(item(judged.finding, place: MigrationWords.place(judged.finding)), left: "unchanged") }
                page.always("\n</details>\n", reserved: true)
            }
        }
        let ignored = outcome.suppressed.filter { $0.suppression?.kind == .ignore }
        if let file = ignored.first?.suppression?.file {
            page.always("\n\(ignored.count) \(ignored.count == 1 ? "finding" : "findings") ignored by \(MarkdownText.code(file)).\n")
        }
        return page.finished()
    }

    public func report(_ matrix: MigrationOutcome) -> String {
        var page = MarkdownPage(limit: limit)
        let failing = matrix.columns.indices.filter { index in matrix.rows.contains { $0.cells[index].status == .breaks } }.map { matrix.columns[$0] }
        let head = failing.isEmpty ? "✅ every deployment holds on every target" : "❌ breaks on " + failing.map { MarkdownText.escaped($0.name) }.joined(separator: ", ")
        page.always("## shiplint migration: \(head)\n\n")
        var header = "| deployment |"
        var rule = "|---|"
        for (index, column) in matrix.columns.enumerated() {
            header += " \(MarkdownText.escaped(MigrationWords.column(column, index: index)))\(column.required ? " ·&nbsp;required" : "") |"
            rule += "---|"
        }
        var rows: [String] = []
        for row in matrix.rows {
            var line = "| \(MarkdownText.code(row.label)) |"
            for cell in row.cells {
                let target = MigrationWords.target(cell).map { "<br><sub>\(MarkdownText.escaped($0))</sub>" } ?? ""
                line += " \(icon(cell.status)) \(MarkdownText.escaped(MigrationWords.verdict(cell, breaking: matrix.breakingSeverity)))\(target) |"
            }
            rows.append(line)
        }
        page.always(([header, rule] + rows).joined(separator: "\n") + "\n\n")
        page.always("\(MarkdownText.escaped(MigrationWords.rule(matrix).prefix(1).uppercased() + MigrationWords.rule(matrix).dropFirst())).\n")
        for row in matrix.rows {
            for (index, cell) in row.cells.enumerated() where !cell.breaking.isEmpty || !cell.gone.isEmpty || !cell.new.isEmpty {
                let target = MigrationWords.target(cell).map { " (\(MarkdownText.escaped($0)))" } ?? ""
                page.section("### \(MarkdownText.code(row.label)) on \(MarkdownText.escaped(MigrationWords.column(matrix.columns[index], index: index)))\(target): \(icon(cell.status)) \(cell.status.rawValue.replacingText("-", with: " "))")
                var fixes: [String: String] = [:]
                if !cell.breaking.isEmpty { page.section("**Breaks it**") }
                for judged in cell.breaking {
                    let new = index > 0 && cell.isNew(judged) ? " *(new)*" : ""
                    page.add(item(judged.finding, fixes: &fixes, place: MigrationWords.place(judged.finding), suffix: new), finding: judged.finding)
                }
                let milder = MigrationWords.alsoNew(cell, breaking: matrix.breakingSeverity)
                if !milder.isEmpty { page.section("**Also new**") }
                for judged in milder { page.add(item(judged.finding, fixes: &fixes, place: MigrationWords.place(judged.finding)), finding: judged.finding) }
                if !cell.gone.isEmpty { page.section("**Goes away**") }
                for judged in cell.gone { page.add(item(judged.finding, place: MigrationWords.place(judged.finding), withFix: false), left: "gone") }
            }
        }
        return page.finished()
    }

    // MARK: the parts

    private func headline(_ outcome: ScanOutcome) -> String {
        let errors = outcome.count(.error)
        let warnings = outcome.count(.warning)
        let notes = outcome.count(.note)
        let icon = errors > 0 ? "❌" : (warnings > 0 ? "⚠️" : "✅")
        var counts = [MigrationWords.count(errors, "error", "errors"), MigrationWords.count(warnings, "warning", "warnings")]
        if notes > 0 { counts.append(MigrationWords.count(notes, "note", "notes")) }
        let verdict = outcome.fails ? " — fails at \(outcome.failOn.rawValue)" : ""
        var text = "## shiplint: \(icon) \(outcome.baseline != nil ? "new: " : "")\(counts.joined(separator: ", "))\(verdict)\n\n"
        if let project = outcome.project {
            text += "\(MarkdownText.escaped(project.format)) project \(MarkdownText.code(project.file)): "
                + "\(MigrationWords.count(outcome.deployments.count, "function", "functions")), \(outcome.judgedDeployments) judged"
            if let override = project.targetOverride { text += ", every one against \(MarkdownText.code(override))" }
            text += "\n\n"
        } else if let target = outcome.target {
            text += "\(MigrationWords.count(outcome.artifacts.count, "artifact", "artifacts")) for \(MarkdownText.code(target.name)) "
                + "(\(MarkdownText.escaped(target.runtimeLabel)), \(MarkdownText.escaped(RuntimeView(target: target).libc.description)))\n\n"
        }
        return text
    }

    /// One row per artifact (per function of a project) with its counts.
    private func table(_ outcome: ScanOutcome) -> String {
        var lines: [String] = []
        if outcome.project != nil {
            lines = ["| | function | target | errors | warnings | notes |", "|---|---|---|--:|--:|--:|"]
            for deployment in outcome.deployments {
                let reported = deployment.findings
                let target = deployment.target.map { MarkdownText.code($0.name) } ?? "not judged"
                lines.append("| \(rowIcon(reported)) | \(MarkdownText.code(deployment.descriptor?.label ?? "")) | \(target) | \(counts(reported)) |")
            }
        } else {
            lines = ["| | artifact | role | errors | warnings | notes |", "|---|---|---|--:|--:|--:|"]
            for artifact in outcome.artifacts {
                let role = if case .layer(let number) = artifact.role { "layer \(number)" } else { "function" }
                lines.append("| \(rowIcon(artifact.findings)) | \(MarkdownText.code(artifact.artifact.path)) | \(role) | \(counts(artifact.findings)) |")
            }
        }
        return lines.joined(separator: "\n") + "\n\n"
    }

    private func counts(_ findings: [Finding]) -> String {
        Severity.allCases.sorted(by: >).map { severity in "\(findings.filter { $0.severity == severity }.count)" }.joined(separator: " | ")
    }

    private func rowIcon(_ findings: [Finding]) -> String {
        let worst = findings.map(\.severity).max()
        return worst.map(icon) ?? "✅"
    }

    private func icon(_ severity: Severity) -> String {
        switch severity {
        case .error: "❌"
        case .warning: "⚠️"
        case .note: "ℹ️"
        }
    }

    private func icon(_ status: MigrationStatus) -> String {
        switch status {
        case .holds: "✅"
        case .breaks: "❌"
        case .notJudged: "⚪"
        }
    }

    /// A deployment's findings: its notes, then each artifact with findings under its own heading.
    private func findings(of deployment: DeploymentOutcome, project: Bool, into page: inout MarkdownPage) {
        let label = deployment.descriptor.map { MarkdownText.code($0.label) + " — " } ?? ""
        let notes = deployment.notes.filter(\.isReported).map(\.finding)
        if !notes.isEmpty { page.section("#### \(label.isEmpty ? "" : label)\(MarkdownText.code(deployment.descriptor?.file ?? "descriptor"))") }
        for note in notes { page.add(item(note), finding: note) }
        for artifact in deployment.artifacts where !artifact.findings.isEmpty {
            let role = if case .layer(let number) = artifact.role { " (layer \(number))" } else { "" }
            page.section("#### \(label)\(MarkdownText.code(artifact.artifact.path))\(role)")
            var fixes: [String: String] = [:]
            for finding in artifact.findings { page.add(item(finding, fixes: &fixes), finding: finding) }
        }
    }

    /// `- ❌ **error** `check` `path` — message`, then the fix (or where it was given already).
    private func item(_ finding: Finding, fixes: inout [String: String], place: String? = nil, suffix: String = "", withFix: Bool = true) -> String {
        let shown = place ?? (finding.path.isEmpty ? "(artifact)" : finding.path)
        var text = "- \(icon(finding.severity)) **\(finding.severity.rawValue)** \(MarkdownText.code(finding.check)) \(MarkdownText.code(shown)) — "
            + MarkdownText.prose(finding.message) + suffix + "\n"
        // One cause in several files is one finding (grouped in the outcome): its other files, the first few.
        if let sameCause = GroupedFinding.sameCause(finding) { text += "  - \(MarkdownText.prose(sameCause))\n" }
        if !withFix { return text }
        if let first = fixes[finding.fix] {
            text += "  - fix: same as for \(first)\n"
        } else {
            fixes[finding.fix] = MarkdownText.code(shown)
            text += "  - fix: \(MarkdownText.prose(finding.fix))\n"
        }
        return text
    }

    /// The same, with its own fix.
    private func item(_ finding: Finding, place: String? = nil, withFix: Bool = true) -> String {
        var none: [String: String] = [:]
        return item(finding, fixes: &none, place: place, withFix: withFix)
    }
}

/// A Markdown document under a size limit: blocks are added in order until the next does not fit; from then on
/// nothing more is added, and the end says how many findings (of which severity) and other items were left out.
struct MarkdownPage {
    let limit: Int
    private var text = ""
    private var pendingSections: [String] = []
    private var full = false
    private var leftOut: [Severity: Int] = [:]
    private var leftOther: [String: Int] = [:]
    /// Room kept for the closing note.
    private static let closingRoom = 600

    init(limit: Int) {
        self.limit = limit
    }

    /// GitHub counts a comment's length in UTF-16 code units (JavaScript's `length`).
    static func size(_ text: String) -> Int { text.utf16.count }

    /// A block that is always written (headline, table, closing tags), trimmed to the room left when it is too long.
    mutating func always(_ block: String, reserved: Bool = false) {
        let room = limit - Self.size(text) - (reserved ? 0 : Self.closingRoom)
        guard Self.size(block) > room else {
            text += block
            return
        }
        // A table longer than the whole comment: cut at a line, and say so.
        var cut = ""
        for line in block.split(separator: "\n", omittingEmptySubsequences: false) {
            if Self.size(cut) + Self.size(String(line)) + 1 > room - 80 { break }
            cut += line + "\n"
        }
        text += cut + "\n*(cut here: the comment's limit is \(limit) characters)*\n"
        full = true
    }

    /// A heading written just before the next item that fits (never a heading over nothing).
    mutating func section(_ heading: String) {
        pendingSections.append(heading)
    }

    /// A finding's item, or counted as left out.
    mutating func add(_ block: String, finding: Finding) {
        if !fits(block) { leftOut[finding.severity, default: 0] += 1 }
    }

    /// Another item (a fixed or unchanged finding), or counted as left out under `left`.
    mutating func add(_ block: String, left kind: String) {
        if !fits(block) { leftOther[kind, default: 0] += 1 }
    }

    private mutating func fits(_ block: String) -> Bool {
        let heading = pendingSections.isEmpty ? "" : "\n" + pendingSections.joined(separator: "\n\n") + "\n\n"
        if full || Self.size(text) + Self.size(heading) + Self.size(block) + Self.closingRoom > limit {
            full = true
            return false
        }
        text += heading + block
        pendingSections = []
        return true
    }

    /// The document, ending with what was left out, if anything.
    func finished() -> String {
        let findings = leftOut.values.reduce(0, +)
        let others = leftOther.values.reduce(0, +)
        guard findings + others > 0 else { return text }
        var parts: [String] = []
        if findings > 0 {
            let bySeverity = Severity.allCases.sorted(by: >).compactMap { severity in
                leftOut[severity].map { "\($0) \(severity.rawValue)\($0 == 1 ? "" : "s")" }
            }
            parts.append("\(findings) \(findings == 1 ? "finding" : "findings") (\(bySeverity.joined(separator: ", ")))")
        }
        for kind in leftOther.keys.sorted() { parts.append("\(leftOther[kind]!) \(kind)") }
        return text + "\n---\n**Left out to keep this comment under \(limit) characters:** \(parts.joined(separator: "; ")). "
            + "The JSON or SARIF report of the same scan (`--report json=FILE`, `--report sarif=FILE`) has every finding.\n"
    }
}

/// Markdown for text that comes from an artifact or a user: it can start no link, image, HTML tag, mention or
/// emphasis, and cannot break out of a table cell.
enum MarkdownText {
    /// Inline code, fenced with more backticks than the text holds, `|` escaped for tables.
    static func code(_ text: String) -> String {
        let safe = SafeText.escaped(text).replacingText("\n", with: " ").replacingText("|", with: "\\|")
        var longest = 0
        var run = 0
        for character in safe {
            run = character == "`" ? run + 1 : 0
            longest = max(longest, run)
        }
        let fence = String(repeating: "`", count: longest + 1)
        let pad = safe.hasPrefix("`") || safe.hasSuffix("`") || safe.isEmpty ? " " : ""
        return fence + pad + safe + pad + fence
    }

    /// Plain text with every character Markdown or HTML could act on backslash-escaped (an `_` inside a word, which
    /// starts no emphasis, stays as it is).
    static func escaped(_ text: String) -> String {
        var result = ""
        let characters = Array(SafeText.escaped(text))
        for (index, character) in characters.enumerated() {
            switch character {
            case "_" where index > 0 && index + 1 < characters.count && isWordCharacter(characters[index - 1]) && isWordCharacter(characters[index + 1]):
                result.append(character)
            case "\\", "`", "*", "_", "[", "]", "<", ">", "|", "~", "@", "#", "!", "&", "{", "}": result += "\\" + String(character)
            case "\n": result += " "
            default: result.append(character)
            }
        }
        return result
    }

    private static func isWordCharacter(_ character: Character) -> Bool { character.isLetter || character.isNumber }

    /// shiplint's own sentences (messages, fixes), whose `code` spans stay code: split at backticks, the spans
    /// fenced as code and the rest escaped. An odd number of backticks (a name that holds one) escapes it all.
    static func prose(_ text: String) -> String {
        let parts = text.split(separator: "`", omittingEmptySubsequences: false).map(String.init)
        guard parts.count % 2 == 1 else { return escaped(text) }
        return parts.enumerated().map { index, part in index % 2 == 1 ? code(part) : escaped(part) }.joined()
    }
}
