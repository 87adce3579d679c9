import ArgumentParser
import ShiplintChecks
import ShiplintReports
import ShiplintTargets

enum FailOn: String, ExpressibleByArgument, CaseIterable {
    case error, warning, never

    func fails(_ worst: Severity?) -> Bool {
        guard let worst else { return false }
        switch self {
        case .error: return worst >= .error
        case .warning: return worst >= .warning
        case .never: return false
        }
    }
}

struct Scan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Judge artifacts against the runtime they will run on; exit 1 when something will break.",
        discussion: """
            Example: shiplint scan build/function.zip --target aws-lambda-python3.13-x86_64

            Every finding names the check (`shiplint checks` lists them), the file inside the artifact, what is \
            wrong, and the fix. Exit status: 0 when no finding reaches --fail-on, 1 when one does, 2 for bad input \
            or a bad rule file, 3 for an internal error.
            """
    )

    @Argument(help: "Function artifacts: .zip, .whl, .tar(.gz|.xz|.zst|.bz2), a folder, or a single binary.")
    var paths: [String] = []

    @Option(name: .shortAndLong, help: ArgumentHelp("Target runtime: a built-in name (see `shiplint targets`) or a rule file path.", valueName: "name|file"))
    var target: String

    @Option(name: .long, help: ArgumentHelp("A layer deployed with the function (repeatable, in order).", valueName: "path"))
    var layer: [String] = []

    @Option(help: "Lowest severity that makes the exit status 1: error, warning or never.")
    var failOn: FailOn = .error

    @OptionGroup var outputOptions: OutputOptions
    @OptionGroup(title: "Reading limits") var reading: ReadingOptions

    func validate() throws {
        if paths.isEmpty && layer.isEmpty { throw ValidationError("Name at least one artifact (or --layer).") }
    }

    func run() throws {
        let runtime: TargetRuntime
        do {
            runtime = try TargetCatalog.builtIn.load(target)
        } catch {
            throw fail(error.description)
        }
        let result = Scanner.scan(functions: try reading.read(paths), layers: try reading.read(layer), target: runtime)
        try outputOptions.emit(ScanReport.render(result, format: outputOptions.format, style: outputOptions.style))
        if failOn.fails(result.worst) { throw ExitCode(ExitStatus.findings) }
    }
}
