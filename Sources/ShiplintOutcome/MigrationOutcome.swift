import ShiplintFacts
import ShiplintChecks
import ShiplintTargets

/// One column of a migration matrix: every deployment of the scan judged against one choice of target (the current
/// one, a `--target`, or a `--to` move), by the one judge, as a whole outcome of its own.
public struct MigrationColumn: Sendable {
    /// As the user named it: `current`, `aws-lambda-python3.13-arm64`, `python3.13-arm64` (a `--to`).
    public let name: String
    /// The column whose findings decide the exit status (`--require`).
    public let required: Bool
    public let outcome: ScanOutcome

    public init(name: String, required: Bool, outcome: ScanOutcome) {
        self.name = name
        self.required = required
        self.outcome = outcome
    }

    /// Whether a required column fails the scan: a reported finding at or above `--fail-on`.
    public var fails: Bool { required && outcome.fails }
}

/// How one deployment fares on one column's target.
public enum MigrationStatus: String, Sendable {
    /// No reported finding at or above the breaking severity.
    case holds
    /// A reported finding at or above the breaking severity.
    case breaks
    /// It could not be judged there (no target for that runtime, no code): its notes say why.
    case notJudged = "not-judged"
}

/// One deployment on one column: whether it holds, what breaks it, and how its findings differ from the current
/// column's (matched by identity: check, deployment, artifact, place, fact; never by message).
public struct MigrationCell: Sendable {
    public let column: String
    public let deployment: DeploymentOutcome
    public let status: MigrationStatus
    /// Reported findings at or above the breaking severity, in report order.
    public let breaking: [JudgedFinding]
    /// Reported findings the current column does not have (empty for the current column itself).
    public let new: [JudgedFinding]
    /// Reported findings of the current column this one does not have: what the move makes go away.
    public let gone: [JudgedFinding]

    /// Whether `finding` is new on this column (not on the current one).
    public func isNew(_ finding: JudgedFinding) -> Bool { new.contains { $0.identity == finding.identity } }
}

/// One deployment (a project's function, or the artifacts named on the command line) across every column.
public struct MigrationRow: Sendable {
    /// The function's label, or the function artifacts' paths joined (`layers` when only layers were given).
    public let label: String
    /// One cell per column, in column order.
    public let cells: [MigrationCell]
}

/// `shiplint scan … --target A --target B` / `--to python3.13-arm64`: the artifacts read once, every deployment judged
/// against each column's target. The first column is the current one; the matrix is deployment × column: holds or
/// breaks, what breaks it, what goes away. Reporters render it; nothing here judges again.
public struct MigrationOutcome: Sendable {
    public let columns: [MigrationColumn]
    public let rows: [MigrationRow]

    /// `columns` must hold at least one column, each with the same deployments in the same order (one scan's reading
    /// judged against each target).
    public init(columns: [MigrationColumn]) {
        precondition(!columns.isEmpty, "a migration matrix has at least one column")
        self.columns = columns
        let current = columns[0].outcome
        let breaking = Self.breakingSeverity(current.failOn)
        var rows: [MigrationRow] = []
        for (index, deployment) in current.deployments.enumerated() {
            let currentReported = deployment.judged.filter(\.isReported)
            let currentIdentities = Set(currentReported.map(\.identity))
            let cells = columns.enumerated().map { number, column -> MigrationCell in
                let here = index < column.outcome.deployments.count ? column.outcome.deployments[index] : deployment
                let reported = here.judged.filter(\.isReported)
                let identities = Set(reported.map(\.identity))
                let breaks = reported.filter { $0.finding.severity >= breaking }
                let status: MigrationStatus = !here.isJudged ? .notJudged : (breaks.isEmpty ? .holds : .breaks)
                return MigrationCell(
                    column: column.name, deployment: here, status: status, breaking: breaks,
                    new: number == 0 ? [] : reported.filter { !currentIdentities.contains($0.identity) },
                    gone: number == 0 ? [] : currentReported.filter { !identities.contains($0.identity) })
            }
            rows.append(MigrationRow(label: Self.label(deployment), cells: cells))
        }
        self.rows = rows
    }

    /// The severity from which a finding breaks a deployment: `--fail-on`'s, and errors when it is `never` (the
    /// matrix still says what breaks; the exit status does not).
    public static func breakingSeverity(_ failOn: FailOn) -> Severity {
        failOn == .warning ? .warning : .error
    }

    public var breakingSeverity: Severity { Self.breakingSeverity(failOn) }

    public var current: ScanOutcome { columns[0].outcome }
    public var failOn: FailOn { current.failOn }
    public var project: ProjectDescription? { current.project }

    /// Whether the scan fails (exit status 1): a required column has a reported finding at or above `--fail-on`.
    public var fails: Bool { columns.contains(where: \.fails) }

    /// The names of the required columns, in column order.
    public var required: [String] { columns.filter(\.required).map(\.name) }

    static func label(_ deployment: DeploymentOutcome) -> String {
        if let descriptor = deployment.descriptor { return descriptor.label }
        return deployment.functions.isEmpty ? "layers" : deployment.functions.joined(separator: ", ")
    }
}
