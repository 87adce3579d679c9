import ShiplintOutcome
import ArgumentParser
import FoundationEssentials
import Glibc
import ShiplintChecks
import ShiplintDeployments
import ShiplintFacts
import ShiplintPolicy
import ShiplintReading
import ShiplintReports
import ShiplintScan
import ShiplintTargets

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Turn an error from a failing function (ImportModuleError …) into its root cause in the artifact.",
        discussion: """
            Give the deployed artifact, its layers and its runtime, and the error text from the logs: a single line or \
            a pasted CloudWatch log (JSON log lines included), with --error, --error-file, or on standard input. \
            shiplint names the file that is wrong, the facts, and the fix. It recognises ImportModuleError / \
            ModuleNotFoundError / cannot import name, `cannot open shared object file`, `version 'GLIBC_2.28' not \
            found`, `invalid ELF header`, `wrong ELF class`, `undefined symbol`, `cannot enable executable stack`, \
            `Permission denied` / `EACCES` on a path, `ELF load command … not properly aligned`, Node's \
            NODE_MODULE_VERSION mismatch, `Cannot find module` and sharp's and esbuild's platform-package messages, \
            Runtime.InvalidEntrypoint and `exec format error`, and `[Errno 8] Exec format error` / `spawn … ENOEXEC` \
            on a program the code starts, `fork/exec PATH` and `cannot execute binary file` (extensions, bootstrap, \
            scripts as the kernel runs them), Ruby's LoadError, Java's UnsatisfiedLinkError, .NET's \
            DllNotFoundException. Every place the text names (paths, sonames, version nodes) is looked up in the \
            artifact, recognised message or not. A full path in the text \
            (`/var/task/x`: the function, `/opt/x`: the layers) is the file explained; repeated events of one \
            failure are explained once. A ZIP or folder laid out as a layer (everything under python/, nodejs/ …) is \
            judged as a layer at /opt; --as function|layer overrides. An error the \
            artifact does not reproduce is reported as not explained by it (the wrong log, or another build).

            The path may also be a project (a folder or file with template.yaml, .aws-sam/build, cdk.out, \
            .serverless or `terraform show -json` output): the function named by --function (or the only one) is \
            explained with its own code, layers, runtime and architecture from the descriptor, as `scan PROJECT` \
            judges it.

            Without an error text (and with standard input a terminal), lists every import that would fail.
            Exit status: 0 when every error was explained (or nothing fails), 1 when an error is not explained by \
            the artifact or was not recognised (or, without an error, when an import would fail), 2 for bad input.
            """
    )

    @Argument(help: "The function artifact that was deployed (or a layer, recognised or given with --as layer), or a project that declares the function.", completion: .file())
    var path: String

    @Option(name: .long, help: ArgumentHelp("With a project: the function whose error it is (logical id or function name). Default: the project's only function, or the one whose log group (/aws/lambda/NAME) the log names.", valueName: "name"))
    var function: String?

    @Option(name: .long, help: ArgumentHelp("A layer deployed with it (repeatable, in order).", valueName: "path"), completion: .file())
    var layer: [String] = []

    @Option(name: .customLong("as"), help: ArgumentHelp("How the artifact is deployed: function or layer. Default: a ZIP or folder whose every entry sits under a layer's folders (python/, nodejs/, …) is a layer.", valueName: "function|layer"))
    var role: DeclaredRole?

    @Option(name: .shortAndLong, help: ArgumentHelp("The function's runtime: a built-in target or a rule file. Default: `target` in .shiplint.toml.", valueName: "name|file"), completion: Completions.target)
    var target: String?

    @Option(help: ArgumentHelp("Project configuration to use instead of the nearest .shiplint.toml (its severities and ignores apply).", valueName: "file"), completion: .file(extensions: ["toml"]))
    var config: String?

    @Flag(help: "Use no project configuration, even if a .shiplint.toml is found.")
    var noConfig = false

    @Option(name: .long, help: "The error text from the logs.")
    var error: String?

    @Option(name: .long, help: ArgumentHelp("Read the error text from this file.", valueName: "file"), completion: .file())
    var errorFile: String?

    @OptionGroup var outputOptions: OutputOptions
    @OptionGroup(title: "Reading limits") var reading: ReadingOptions

    func run() throws {
        if config != nil && noConfig { throw fail("--config and --no-config contradict each other.", status: ExitCode.validationFailure.rawValue) }
        let configuration = try loadConfiguration(config: config, noConfig: noConfig)
        let deployment: DeploymentContext
        var roleNotes: [String: String] = [:]
        var functionLabel: String?
        let errorText = try readErrorText()
        if let project = try ExplainProject.project(path, layers: layer, role: role, limits: reading.descriptorLimits) {
            deployment = try ExplainProject.deployment(
                of: project, function: function, logGroups: errorText?.logGroups ?? [], target: target.map(loadTarget), limits: reading.limits,
                today: ProjectScan.currentDay())
            functionLabel = deployment.descriptor.map { "\($0.label) (\($0.runtime ?? "no runtime"), \($0.architecture); \($0.file))" }
        } else {
            if function != nil { throw fail("--function needs a project (a path that holds a deployment descriptor)") }
            guard let name = target ?? configuration?.target else {
                throw fail("no target: pass --target NAME, or set `target` in .shiplint.toml")
            }
            let runtime = try loadTarget(name)
            let split = LayerRecognition.split(try reading.read([path]), declared: role, target: runtime)
            let layers = split.layers + (try reading.read(layer.isEmpty ? (configuration?.layers ?? []) : layer))
            let read = PythonSourceRead.completing(functions: Array(split.functions.prefix(1)), layers: layers, targets: [runtime], limits: reading.limits)
            deployment = DeploymentContext(function: read.functions.first, layers: read.layers, target: runtime)
            roleNotes = split.reasons
        }
        // The project's severities and ignores apply, as in `scan`: what it turned off or ignored is no root cause.
        let outcome = ScanPolicy(configuration: configuration).scan(deployment, roleNotes: roleNotes)
        let result = outcome.reportedResult
        let explanations = errorText.map { Triage.explain($0.occurrences, locations: $0.locations, result: result, deployment: deployment) } ?? []
        let failing = errorText == nil ? Triage.failingImports(result: result, deployment: deployment) : []
        try outputOptions.emit(ExplainReport.render(
            errorText: errorText, explanations: explanations, failingImports: failing, outcome: outcome,
            format: outputOptions.format, style: outputOptions.style, function: functionLabel))
        let unexplained = errorText != nil && (explanations.isEmpty || explanations.contains { $0.outcome == .notExplained })
        if unexplained || (errorText == nil && !failing.isEmpty) { throw ExitCode(ExitStatus.findings) }
    }

    /// The error text, read as a stream whatever its size (`ErrorTextReader`); nil when none was given (or standard
    /// input held only white space).
    private func readErrorText() throws -> ErrorTextReading? {
        var reader = ErrorTextReader()
        if let error {
            reader.consume(Array(error.utf8))
            return reader.finish()
        }
        if let errorFile {
            let descriptor = open(errorFile, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { throw fail("cannot read \(errorFile): \(String(cString: strerror(errno)))") }
            defer { close(descriptor) }
            if let failure = Self.stream(descriptor, into: &reader) { throw fail("cannot read \(errorFile): \(failure)") }
            return reader.finish()
        }
        guard isatty(STDIN_FILENO) == 0 else { return nil }
        if let failure = Self.stream(STDIN_FILENO, into: &reader) { throw fail("cannot read the error text from standard input: \(failure)") }
        let reading = reader.finish()
        return reading.isBlank ? nil : reading
    }

    /// Feeds everything `descriptor` gives to `reader`, 1 MiB at a time; the read error in words, or nil.
    private static func stream(_ descriptor: Int32, into reader: inout ErrorTextReader) -> String? {
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return String(cString: strerror(errno))
            }
            if count == 0 { return nil }
            reader.consume(Array(buffer[..<count]))
        }
    }
}

/// `shiplint explain PROJECT`: one function of a project, with its code, layers, runtime and architecture as the
/// descriptor gives them (the same reading as `scan PROJECT`); what cannot be read ends the run with a message.
enum ExplainProject {
    /// The project `path` holds, if it holds a deployment descriptor (nil for an artifact). --layer and --as do not
    /// apply to one: the descriptor says what is the function and what its layers.
    static func project(_ path: String, layers: [String], role: DeclaredRole?, limits: DescriptorLimits) throws -> DeploymentProject? {
        let project: DeploymentProject?
        do {
            project = try DeploymentProject.read(path, limits: limits)
        } catch {
            throw fail(error.description)
        }
        guard let project else { return nil }
        if !layers.isEmpty { throw fail("--layer does not apply to a project: the function's layers come from its descriptor") }
        if role != nil { throw fail("--as does not apply to a project: the descriptor says what is a function and what a layer") }
        return project
    }

    /// One function of `project` (ShiplintScan's ProjectFunction) as a deployment; a layer only named by an ARN is
    /// said on standard error, anything else that cannot be read ends the run with status 2. `logGroups`: the function
    /// names of the log groups the error text names (`/aws/lambda/NAME`).
    static func deployment(
        of project: DeploymentProject, function selector: String?, logGroups: [String], target override: TargetRuntime?, limits: ReadLimits,
        today: String
    ) throws -> DeploymentContext {
        do {
            let read = try ProjectFunction.deployment(
                of: project, function: selector, logGroups: logGroups, target: override, limits: limits, today: today)
            for note in read.notes { printError("shiplint: note: \(note)") }
            return read.deployment
        } catch {
            throw fail(error.message)
        }
    }
}
