import ArgumentParser
import FoundationEssentials
import ShiplintChecks
import ShiplintOutcome
import ShiplintPolicy
import ShiplintReports
import ShiplintRepair

struct Repair: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replace the Python distributions whose binaries break on a target with wheels that fit it, in a copy.",
        discussion: """
            Example: shiplint repair build/function.zip --target python3.11 --output build/function-fixed.zip
                     shiplint repair layer.zip --target python3.13-arm64 --output layer-arm64.zip --dry-run

            For every distribution installed in the ZIP (its .dist-info: name, version, INSTALLER, RECORD) whose files \
            break on the target, pip is asked for a wheel of the same version that fits it: the target's CPython, \
            every manylinux (or musllinux) tag whose libc floor is at or below the runtime's, the architecture \
            (`pip download --only-binary=:all: --platform … --python-version … --implementation cp --no-deps \
            NAME==VERSION`, then `pip install --target` of that wheel). RECORD says which entries were that \
            distribution's: they are replaced by the new install; every other entry is copied byte for byte. The \
            copy is scanned again, and written to --output only when nothing at --fail-on remains (or with --partial).

            What cannot be repaired is said: no wheel of that version fits (and the newest version that has one, to \
            pin), a library no wheel provides (the rescan still finds it), a binary no .dist-info owns. The input is \
            only read. pip works in a temporary folder removed afterwards; its HTTP cache is off unless --pip-cache \
            names a folder. --dry-run prints the plan and the exact pip commands, runs nothing and writes nothing.

            Exit status: 0 when the output was written and scans clean (a ZIP where nothing breaks is copied \
            unchanged), or for --dry-run; 1 when something could not be repaired (the output is written only with \
            --partial); 2 for bad input, a target that is not a CPython runtime, or pip failing (no Python, no network).
            """
    )

    @Argument(help: ArgumentHelp("The function or layer ZIP to repair (only read).", valueName: "artifact"), completion: .file(extensions: ["zip"]))
    var artifact: String

    @Option(name: .shortAndLong, help: ArgumentHelp("The CPython runtime the artifact is deployed to (a built-in name or rule file). Default: `target` in .shiplint.toml.", valueName: "name|file"), completion: Completions.target)
    var target: String?

    @Option(name: .shortAndLong, help: ArgumentHelp("Where to write the repaired copy (never the artifact itself).", valueName: "file"), completion: .file(extensions: ["zip"]))
    var output: String

    @Option(name: .customLong("as"), help: ArgumentHelp("How the artifact is deployed: function or layer. Default: recognised as `scan` does.", valueName: "function|layer"))
    var role: DeclaredRole?

    @Flag(help: "Print the plan and the exact pip commands; run nothing, write nothing.")
    var dryRun = false

    @Flag(help: "Write the output even when something could not be repaired (what could be is replaced).")
    var partial = false

    @Option(help: "Lowest severity that counts as breaking: error or warning. Default: `fail-on` in .shiplint.toml, else error.")
    var failOn: FailOn?

    @Option(help: ArgumentHelp("The Python whose pip is run (`PYTHON -m pip`).", valueName: "python"), completion: .file())
    var python = "python3"

    @Option(help: ArgumentHelp("pip's HTTP cache folder (`--cache-dir`); default: no cache, nothing kept.", valueName: "folder"), completion: .directory)
    var pipCache: String?

    @Option(help: "Report format: text or json.")
    var format: OutputFormat = .text

    @Option(help: ArgumentHelp("Project configuration to use instead of the nearest .shiplint.toml.", valueName: "file"), completion: .file(extensions: ["toml"]))
    var config: String?

    @Flag(help: "Use no project configuration, even if a .shiplint.toml is found.")
    var noConfig = false

    @OptionGroup(title: "Reading limits") var reading: ReadingOptions

    func validate() throws {
        if config != nil && noConfig { throw ValidationError("--config and --no-config contradict each other.") }
    }

    func run() throws {
        let configuration = try loadConfiguration(config: config, noConfig: noConfig)
        guard let name = target ?? configuration?.target else {
            throw fail("no target: pass --target with the CPython runtime the artifact is deployed to, or set `target` in .shiplint.toml")
        }
        let runtime = try loadTarget(name)
        let request = RepairRequest(
            artifact: artifact, role: role, target: runtime, output: output, dryRun: dryRun, partial: partial, limits: reading.limits)
        let repair = ArtifactRepair(
            request: request, policy: ScanPolicy(configuration: configuration, failOn: failOn),
            installer: PackageInstaller(python: python, cacheFolder: pipCache))
        let outcome: RepairOutcome
        do {
            outcome = try repair.run()
        } catch {
            throw fail(error.description)
        }
        try writeReport(format == .json ? RepairReport.json(outcome) : RepairReport.text(outcome), to: nil)
        if !dryRun && !outcome.isClean { throw ExitCode(ExitStatus.findings) }
    }
}
