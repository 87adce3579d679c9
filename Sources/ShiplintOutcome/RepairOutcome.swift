import ShiplintChecks
import ShiplintTargets

/// What `shiplint repair` did to one installed distribution whose binaries break on the target.
public struct DistributionRepair: Sendable {
    public enum Result: Sendable, Equatable {
        /// `--dry-run`: what would be run.
        case planned
        /// Its files were replaced by those of `wheel` (`removed` entries out, `added` in).
        case replaced(wheel: String, removed: Int, added: Int)
        /// No wheel of this version fits the target; `newer` is the newest version that has one, nil when none has.
        case noFittingWheel(newer: String?)
        /// The wheel that fits was installed, yet the rescan still finds these (a library no wheel provides).
        case stillBreaks(wheel: String, findings: [Finding])
    }

    /// `METADATA`'s `Name:`.
    public let name: String
    public let version: String
    /// Its `.dist-info` folder inside the artifact.
    public let folder: String
    /// The folder it is installed into (`""`, `python/`).
    public let root: String
    /// `INSTALLER`'s first line (`pip`, `uv`), nil when it has none.
    public let installer: String?
    /// The findings at or above `--fail-on` on its files before the repair.
    public let findings: [Finding]
    /// The commands run (or, with `--dry-run`, to be run), each as its arguments.
    public let commands: [[String]]
    public let result: Result

    public init(
        name: String, version: String, folder: String, root: String, installer: String?, findings: [Finding], commands: [[String]], result: Result
    ) {
        self.name = name
        self.version = version
        self.folder = folder
        self.root = root
        self.installer = installer
        self.findings = findings
        self.commands = commands
        self.result = result
    }

    public var isRepaired: Bool { if case .replaced = result { true } else { false } }
}

/// `shiplint repair ARTIFACT --target T --output FIXED.zip`: the distributions replaced by wheels that fit, what could
/// not be repaired and why, the rescan of the result, and whether it was written.
public struct RepairOutcome: Sendable {
    public let artifact: String
    /// How it is deployed (`--as`, else recognised as `scan` does).
    public let role: DeclaredRole
    public let target: TargetRuntime
    public let output: String
    public let dryRun: Bool
    /// The lowest severity that counts as breaking (`--fail-on`).
    public let threshold: Severity
    public let distributions: [DistributionRepair]
    /// Breaking findings on files no installed distribution owns (a vendored library, the function's own code).
    public let unowned: [Finding]
    /// The repaired copy judged again against the target; nil for a dry run or when nothing was replaced (then the
    /// output, when written, is the input byte for byte).
    public let rescan: ScanOutcome?
    /// Whether the output file was written.
    public let written: Bool
    /// Entries of the input copied byte for byte, removed, and added.
    public let kept: Int
    public let removed: Int
    public let added: Int

    public init(
        artifact: String, role: DeclaredRole, target: TargetRuntime, output: String, dryRun: Bool, threshold: Severity, distributions: [DistributionRepair],
        unowned: [Finding], rescan: ScanOutcome?, written: Bool, kept: Int, removed: Int, added: Int
    ) {
        self.artifact = artifact
        self.role = role
        self.target = target
        self.output = output
        self.dryRun = dryRun
        self.threshold = threshold
        self.distributions = distributions
        self.unowned = unowned
        self.rescan = rescan
        self.written = written
        self.kept = kept
        self.removed = removed
        self.added = added
    }

    /// The findings at or above the threshold that the rescan still reports (all of them before any repair).
    public var remaining: [Finding] {
        guard let rescan else { return distributions.flatMap(\.findings) + unowned }
        return rescan.reported.filter { $0.severity >= threshold }
    }

    /// Whether the output scans clean at the threshold: nothing broke, or every distribution that broke was replaced and
    /// the rescan finds nothing.
    public var isClean: Bool { !dryRun && remaining.isEmpty }

    /// Whether there was anything to repair.
    public var hadBreakage: Bool { !distributions.isEmpty || !unowned.isEmpty }
}
