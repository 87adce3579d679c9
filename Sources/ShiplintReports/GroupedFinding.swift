import ShiplintChecks

/// The words every format uses for a finding about several files of one group (one cause, one finding), so text,
/// SARIF, JUnit, GitHub annotations and any later format say it alike. The files themselves are the finding's
/// (`Finding.files`, `Finding.otherFiles`); formats that can list them all (JSON, SARIF's related locations) do.
public enum GroupedFinding {
    /// How many paths a sentence names before it says "and N more".
    public static let pathsShown = 3

    /// `the same in 18 more files of numpy 2.2.6: a, b, c and 15 more`; nil for a finding about one file.
    /// `shown`: how many paths to name (nil: all of them; 0: none, `the same in 18 more files of numpy 2.2.6`).
    public static func sameCause(_ finding: Finding, shown: Int? = pathsShown) -> String? {
        guard finding.isGrouped else { return nil }
        let others = finding.otherFiles.map(\.path)
        let named = shown.map { Array(others.prefix($0)) } ?? others
        var text = "the same in \(count(others.count, "more file", "more files"))\(of(finding))"
        guard !named.isEmpty else { return text }
        text += ": " + named.joined(separator: ", ")
        if named.count < others.count { text += " and \(others.count - named.count) more" }
        return text
    }

    /// `psycopg2/_psycopg.cpython-312-aarch64-linux-gnu.so and 14 more files of psycopg2-binary 2.9.11`; the path
    /// alone for a finding about one file.
    public static func place(_ finding: Finding) -> String {
        guard finding.isGrouped else { return finding.path }
        return "\(finding.path) and \(count(finding.otherFiles.count, "more file", "more files"))\(of(finding))"
    }

    /// `19 files of numpy 2.2.6`, for summaries; nil for a finding about one file.
    public static func extent(_ finding: Finding) -> String? {
        guard finding.isGrouped else { return nil }
        return "\(finding.fileCount) files\(of(finding))"
    }

    private static func of(_ finding: Finding) -> String {
        finding.group.map { " of \($0.label)" } ?? ""
    }

    private static func count(_ number: Int, _ one: String, _ many: String) -> String {
        "\(number) \(number == 1 ? one : many)"
    }
}
