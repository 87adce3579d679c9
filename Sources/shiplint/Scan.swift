import ArgumentParser
import FoundationEssentials
import ShiplintChecks
import ShiplintFacts
import ShiplintOutcome
import ShiplintPolicy
import ShiplintReports
import ShiplintScan
import ShiplintTargets

extension FailOn: ExpressibleByArgument {}
extension ReportFormat: ExpressibleByArgument {}
extension DeclaredRole: ExpressibleByArgument {}

/// What to scan and under which policy: shared by `scan` and `baseline write`. Command-line options override the
/// project configuration (`.shiplint.toml`, found from the current folder upward, or `--config`).
struct ScanInputOptions: ParsableArguments {
    @Argument(help: "Function artifacts: .zip, .whl, .tar(.gz|.xz|.zst|.bz2), a folder, a single binary, or a container image (docker save tarball, OCI layout).", completion: .file())
    var paths: [String] = []

    @Option(name: .shortAndLong, help: ArgumentHelp("Target runtime: a built-in name (see `shiplint targets`) or a rule file path. Default: `target` in .shiplint.toml. `scan` takes several (a matrix: the first is the current one).", valueName: "name|file"), completion: Completions.target)
    var target: [String] = []

    @Option(name: .long, help: ArgumentHelp("A layer deployed with the function (repeatable, in order); replaces `layers` in .shiplint.toml.", valueName: "path"), completion: .file())
    var layer: [String] = []

    @Option(name: .customLong("as"), help: ArgumentHelp("How the artifacts are deployed: function or layer. Default: a ZIP or folder whose every entry sits under a layer's folders (python/, nodejs/, java/, ruby/, lib/, bin/) is a layer, the rest functions.", valueName: "function|layer"))
    var role: DeclaredRole?

    @Option(help: ArgumentHelp("Project configuration to use instead of the nearest .shiplint.toml.", valueName: "file"), completion: .file(extensions: ["toml"]))
    var config: String?

    @Option(help: ArgumentHelp("For a container image of several platforms: the one to judge (linux/arm64, linux/amd64).", valueName: "os/arch"))
    var platform: String?

    @Flag(help: "Use no project configuration, even if a .shiplint.toml is found.")
    var noConfig = false

    @Option(help: ArgumentHelp("A deployment to scan (SAM or CloudFormation template, CDK cloud assembly, serverless-state.json, `terraform show -json` output, or a folder holding one): every function against its own runtime and architecture. A single path that is one is read the same way.", valueName: "path"), completion: .file())
    var project: String?

    @Option(name: .customLong("function"), help: ArgumentHelp("With a project: scan only this function (logical id or FunctionName; repeatable).", valueName: "name"))
    var functions: [String] = []

    @Option(help: ArgumentHelp("With a project: the local image archive (docker save tarball or OCI layout) of a PackageType Image function (repeatable).", valueName: "function=path"))
    var image: [String] = []

    @Option(help: .hidden)
    var today: String?

    @OptionGroup(title: "Reading limits") var reading: ReadingOptions

    func validate() throws {
        if config != nil && noConfig { throw ValidationError("--config and --no-config contradict each other.") }
    }

    /// The configuration in force: `--config`, else the nearest `.shiplint.toml`, else none. A broken one ends the
    /// run with status 2.
    func configuration() throws -> ProjectConfiguration? {
        try loadConfiguration(config: config, noConfig: noConfig)
    }

    /// Reads the target and the artifacts, options first, then the configuration's defaults.
    func resolve(_ configuration: ProjectConfiguration?, progress: ProgressLine? = nil) throws -> (target: TargetRuntime, functions: [Artifact], layers: [Artifact]) {
        let resolved = try resolveRoles(configuration, progress: progress)
        return (resolved.target, resolved.functions, resolved.layers)
    }

    /// `resolve`, with the artifacts named as functions split by role (`--as`, else their content): layers first,
    /// then `--layer`s; `roleNotes` says why each was taken for a layer.
    func resolveRoles(_ configuration: ProjectConfiguration?, progress: ProgressLine? = nil) throws
        -> (target: TargetRuntime, functions: [Artifact], layers: [Artifact], roleNotes: [String: String])
    {
        // A container image is its own target: it is judged against its own root file system.
        if let image = try readImage(paths: paths, layers: layer, target: target.first, platform: platform, images: image, limits: reading.limits, progress: progress) {
            return (image.target, [image.artifact], [], [:])
        }
        let layers = layer.isEmpty ? (configuration?.layers ?? []) : layer
        guard let name = target.first ?? configuration?.target else {
            throw try missingTarget(layers: layers, progress: progress)
        }
        if paths.isEmpty && layers.isEmpty {
            throw fail("nothing to scan: name at least one artifact (or --layer, or `layers` in .shiplint.toml)")
        }
        let runtime = try loadTarget(name)
        // pre-commit passes every changed archive, the configured layers among them: a layer is scanned once, as a layer.
        let layerFiles = layers.map(Self.sameFile)
        var artifacts: [String] = []
        for path in paths {
            if let position = layerFiles.firstIndex(of: Self.sameFile(path)) {
                printError("shiplint: note: \(SafeText.escaped(path)) is layer \(position + 1) of this scan; it is scanned once, as that layer")
            } else {
                artifacts.append(path)
            }
        }
        let named = try reading.read(artifacts, progress: progress, of: artifacts.count + layers.count)
        let given = try reading.read(layers, progress: progress, first: artifacts.count + 1, of: artifacts.count + layers.count)
        let split = LayerRecognition.split(named, declared: role, target: runtime)
        // Python modules that fail on this target: the imports of their packages, read again (optional imports are warnings).
        let read = PythonSourceRead.completing(functions: split.functions, layers: split.layers + given, targets: [runtime], limits: reading.limits)
        return (runtime, read.functions, read.layers, split.reasons)
    }

    /// No target given: exit 2 naming the built-in targets that fit what the artifacts hold (read for that) and
    /// the flag to pass. A runtime is never guessed: a wrong guess would pass what breaks on the real one.
    private func missingTarget(layers: [String], progress: ProgressLine?) throws -> ExitCode {
        let ask = "no target: pass --target with the runtime the function is deployed to, or set `target` in .shiplint.toml (`shiplint init --target NAME` writes one)"
        guard !(paths.isEmpty && layers.isEmpty) else { return fail(ask) }
        let artifacts = try reading.read(paths + layers, progress: progress)
        progress?.finish()
        return fail(([ask] + TargetCatalog.builtIn.fit(artifacts).explanation).joined(separator: "\n  "))
    }

    /// The file a path names, whatever the spelling (`./a.zip`, `a.zip`, a link to it); `-` stays itself.
    private static func sameFile(_ path: String) -> String {
        path == "-" ? path : URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }
}

/// The configuration in force: `config`, else the nearest `.shiplint.toml`, else none. A broken one ends the run
/// with status 2.
func loadConfiguration(config: String?, noConfig: Bool) throws -> ProjectConfiguration? {
    if noConfig { return nil }
    guard let file = config ?? ProjectConfiguration.discover() else { return nil }
    do {
        return try ProjectConfiguration.load(file: file)
    } catch {
        throw fail(error.description)
    }
}

struct Scan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Judge artifacts against the runtime they will run on; exit 1 when something will break.",
        discussion: """
            Example: shiplint scan build/function.zip --target aws-lambda-python3.13-x86_64

            A deployment (a SAM or CloudFormation template, `.aws-sam/build`, a CDK `cdk.out`, \
            `.serverless/serverless-state.json`, `terraform show -json` output, or a folder holding one), given as \
            the one path or with --project, is scanned function by function, each against the built-in target for \
            its own runtime and architecture: `shiplint scan .aws-sam/build`. --function narrows it; --target \
            overrides every function's target. What cannot be checked is a deployment-not-checked finding, and \
            nothing scannable at all is exit status 2.

            Every finding names the check (`shiplint checks` lists them), the file inside the artifact, what is \
            wrong, and the fix. Formats: text, json, sarif (GitHub code scanning), junit (Jenkins, GitLab), github \
            (workflow-command annotations).

            A .shiplint.toml in the current folder or above (or --config FILE) sets the default target, layers and \
            --fail-on, per-check severities and ignores; options given here override it. With --baseline FILE \
            (from `shiplint baseline write`) only findings not in the baseline are reported and counted.

            Exit status: 0 when no finding reaches --fail-on, 1 when one does, 2 for bad input, a bad rule file, \
            a bad .shiplint.toml or baseline, 3 for an internal error.
            """
    )

    @OptionGroup var input: ScanInputOptions

    @Option(help: "Lowest severity that makes the exit status 1: error, warning or never. Default: `fail-on` in .shiplint.toml, else error.")
    var failOn: FailOn?

    @Option(help: ArgumentHelp("Report only findings not recorded in this baseline file (or in this previous scan's JSON report: the difference, new and fixed).", valueName: "file"), completion: .file(extensions: ["json"]))
    var baseline: String?

    @Option(help: ArgumentHelp(
        "Also judge against the current target moved to this runtime, architecture or both (python3.13, arm64, python3.13-arm64, provided.al2023; repeatable): a matrix of what holds and what breaks.",
        valueName: "runtime|arch|runtime-arch"))
    var to: [String] = []

    @Option(help: ArgumentHelp(
        "With several targets: the columns whose findings decide the exit status (current, all, or a column's name; repeatable). Default: current.",
        valueName: "column"))
    var require: [String] = []

    @OptionGroup var outputOptions: ScanOutputOptions

    func run() throws {
        try outputOptions.checkDestinations()
        let configuration = try input.configuration()
        if try scanProject(configuration) { return }
        let progress = ProgressLine.forStandardError(enabled: !outputOptions.quiet)
        defer { progress?.finish() }
        let resolved = try input.resolveRoles(configuration, progress: progress)
        let (runtime, roleNotes) = (resolved.target, resolved.roleNotes)
        var (functions, layers) = (resolved.functions, resolved.layers)
        let columns = try artifactColumns(current: runtime, isImage: (functions + layers).contains { $0.image != nil })
        if columns.count > 1 {
            // The other columns' failing Python modules too.
            (functions, layers) = PythonSourceRead.completing(
                functions: functions, layers: layers, targets: columns.dropFirst().map(\.runtime), limits: input.reading.limits)
        }
        progress?.update("judging \(functions.count + layers.count) \(functions.count + layers.count == 1 ? "artifact" : "artifacts")")
        let recorded = try recordedBaseline(configuration)
        let policy = ScanPolicy(configuration: configuration, baseline: recorded, failOn: failOn)
        guard columns.count > 1 else {
            let outcome = policy.scan(functions: functions, layers: layers, target: runtime, roleNotes: roleNotes)
            progress?.finish()  // before the report: no report line starts after the progress text
            try outputOptions.emit(outcome)
            if outcome.fails { throw ExitCode(ExitStatus.findings) }
            return
        }
        let required = try requiredColumns(columns.map(\.name))
        // Read once, judged against each column's target.
        let matrix = MigrationOutcome(columns: columns.enumerated().map { index, column in
            MigrationColumn(
                name: column.name, required: required.contains(index),
                outcome: policy.scan(functions: functions, layers: layers, target: column.runtime, roleNotes: roleNotes))
        })
        progress?.finish()  // before the report: no report line starts after the progress text
        try outputOptions.emit(matrix)
        if matrix.fails { throw ExitCode(ExitStatus.findings) }
    }

    /// The targets of a scan of artifacts: the current one, the other `--target`s, then each `--to` move of the
    /// current one (which must then be a built-in Lambda target).
    func artifactColumns(current: TargetRuntime, isImage: Bool) throws -> [(name: String, runtime: TargetRuntime)] {
        if isImage && (!to.isEmpty || input.target.count > 1) {
            throw fail("a container image is judged against its own root file system: --to and several --target do not apply")
        }
        var columns = [(name: current.name, runtime: current)]
        for name in input.target.dropFirst() { columns.append((name, try loadTarget(name))) }
        guard !to.isEmpty else { return columns }
        guard let (runtime, _, architecture) = TargetCatalog.lambdaRuntime(ofTargetName: current.name) else {
            throw fail("--to moves a built-in Lambda target (aws-lambda-<runtime>-<arch>), and \(current.name) is not one; name the targets with --target")
        }
        for spelling in to {
            let migration = try parsedMigration(spelling)
            columns.append((spelling, try loadTarget(migration.targetName(from: runtime, architecture: architecture))))
        }
        return columns
    }

    func parsedMigration(_ spelling: String) throws -> Migration {
        do {
            return try Migration.parse(spelling)
        } catch {
            throw fail(error.message)
        }
    }

    /// The column indexes `--require` names (the current one by default).
    func requiredColumns(_ names: [String]) throws -> Set<Int> {
        guard !require.isEmpty else { return [0] }
        var required = Set<Int>()
        for name in require {
            switch name {
            case "current": required.insert(0)
            case "all": required.formUnion(names.indices)
            default:
                let alias = TargetCatalog.builtIn.builtInName(forAlias: name)
                let matching = names.indices.filter { names[$0] == name || names[$0] == alias }
                guard !matching.isEmpty else {
                    throw fail("--require \(name): no such column; the columns are current, all, \(names.joined(separator: ", "))")
                }
                required.formUnion(matching)
            }
        }
        return required
    }
}

/// `--report FMT=FILE`: one more report of the same scan.
struct ReportRequest: ExpressibleByArgument {
    let format: ReportFormat
    let file: String

    init?(argument: String) {
        guard let equals = argument.firstIndex(of: "="), let format = ReportFormat(rawValue: String(argument[..<equals])) else { return nil }
        let file = String(argument[argument.index(after: equals)...])
        guard !file.isEmpty else { return nil }
        self.format = format
        self.file = file
    }

    static var defaultCompletionKind: CompletionKind { .file() }
}

/// `scan`'s output options: every report format, several at once.
struct ScanOutputOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "Output format: \(ReportFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
    var format: ReportFormat = .text

    @Option(name: .shortAndLong, help: ArgumentHelp("Write the report to this file instead of standard output.", valueName: "file"), completion: .file())
    var output: String?

    @Option(help: ArgumentHelp(
        "Also write a report in this format to this file, e.g. sarif=out.sarif (repeatable: one scan, every report CI needs).",
        valueName: "format=file"))
    var report: [ReportRequest] = []

    @Flag(name: .shortAndLong, help: "Text output: only the findings and the summary (no artifacts without findings, no progress).")
    var quiet = false

    @Option(help: ArgumentHelp("Colour text output: auto (a terminal only; NO_COLOR, TERM=dumb and FORCE_COLOR are honoured), always or never.", valueName: "when"))
    var color: ColorChoice = .auto

    @Flag(help: "Same as --color never.")
    var noColor = false

    @Option(help: ArgumentHelp("Markdown reports: the most characters (a pull request comment takes 65,536); what does not fit is left out, and said.", valueName: "characters"))
    var markdownLimit = MarkdownReport.defaultLimit

    /// Every file to be written, checked before the scan: a missing folder is a clear message (exit 2), not a scan
    /// thrown away at the end.
    func checkDestinations() throws {
        var seen = Set<String>()
        for file in (output.map { [$0] } ?? []) + report.map(\.file) {
            guard seen.insert(file).inserted else { throw fail("\(file) is named for two reports") }
            try checkWritable(file)
        }
    }

    func emit(_ outcome: ScanOutcome) throws {
        try emit { $0.report(outcome) }
    }

    func emit(_ matrix: MigrationOutcome) throws {
        try emit { $0.report(matrix) }
    }

    private func emit(_ render: (any Reporter) -> String) throws {
        let rendered = [(format, output)] + report.map { ($0.format, Optional($0.file)) }
        // Render everything first, then write: a report is either all there or not written.
        let texts = rendered.map { format, file in
            render(format.reporter(
                style: TextStyle.forOutput(toFile: file != nil, noColor: noColor, choice: color), quiet: quiet, markdownLimit: markdownLimit))
        }
        for ((_, file), text) in zip(rendered, texts) { try writeReport(text, to: file) }
    }
}
