import ArgumentParser
import Foundation
import ShiplintChecks
import ShiplintPolicy
import ShiplintReports
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
            NODE_MODULE_VERSION mismatch, Runtime.InvalidEntrypoint and `exec format error`. A full path in the text \
            (`/var/task/x`: the function, `/opt/x`: the layers) is the file explained; repeated events of one \
            failure are explained once. A ZIP or folder laid out as a layer (everything under python/, nodejs/ …) is \
            judged as a layer at /opt; --as function|layer overrides. An error the \
            artifact does not reproduce is reported as not explained by it (the wrong log, or another build).

            Without an error text (and with standard input a terminal), lists every import that would fail.
            Exit status: 0 when every error was explained (or nothing fails), 1 when an error is not explained by \
            the artifact or was not recognised (or, without an error, when an import would fail), 2 for bad input.
            """
    )

    @Argument(help: "The function artifact that was deployed (or a layer, recognised or given with --as layer).")
    var path: String

    @Option(name: .long, help: ArgumentHelp("A layer deployed with it (repeatable, in order).", valueName: "path"))
    var layer: [String] = []

    @Option(name: .customLong("as"), help: ArgumentHelp("How the artifact is deployed: function or layer. Default: a ZIP or folder whose every entry sits under a layer's folders (python/, nodejs/, …) is a layer.", valueName: "function|layer"))
    var role: DeclaredRole?

    @Option(name: .shortAndLong, help: ArgumentHelp("The function's runtime: a built-in target or a rule file. Default: `target` in .shiplint.toml.", valueName: "name|file"))
    var target: String?

    @Option(help: ArgumentHelp("Project configuration to use instead of the nearest .shiplint.toml (its severities and ignores apply).", valueName: "file"))
    var config: String?

    @Flag(help: "Use no project configuration, even if a .shiplint.toml is found.")
    var noConfig = false

    @Option(name: .long, help: "The error text from the logs.")
    var error: String?

    @Option(name: .long, help: ArgumentHelp("Read the error text from this file.", valueName: "file"))
    var errorFile: String?

    @OptionGroup var outputOptions: OutputOptions
    @OptionGroup(title: "Reading limits") var reading: ReadingOptions

    func run() throws {
        if config != nil && noConfig { throw fail("--config and --no-config contradict each other.", status: ExitCode.validationFailure.rawValue) }
        let configuration = try loadConfiguration(config: config, noConfig: noConfig)
        guard let name = target ?? configuration?.target else {
            throw fail("no target: pass --target NAME, or set `target` in .shiplint.toml")
        }
        let runtime = try loadTarget(name)
        let errorText = try readErrorText()
        let split = LayerRecognition.split(try reading.read([path]), declared: role, target: runtime)
        let layers = split.layers + (try reading.read(layer.isEmpty ? (configuration?.layers ?? []) : layer))
        let deployment = DeploymentContext(function: split.functions.first, layers: layers, target: runtime)
        // The project's severities and ignores apply, as in `scan`: what it turned off or ignored is no root cause.
        var outcome = ScanPolicy(configuration: configuration).scan(deployment)
        outcome.roleNotes = split.reasons
        let result = outcome.reportedResult
        let explanations = errorText.map { Triage.explain(ErrorText.occurrences(in: $0), result: result, deployment: deployment) } ?? []
        let failing = errorText == nil ? Triage.failingImports(result: result, deployment: deployment) : []
        try outputOptions.emit(ExplainReport.render(
            errorText: errorText, explanations: explanations, failingImports: failing, outcome: outcome,
            format: outputOptions.format, style: outputOptions.style))
        let unexplained = errorText != nil && (explanations.isEmpty || explanations.contains { $0.outcome == .notExplained })
        if unexplained || (errorText == nil && !failing.isEmpty) { throw ExitCode(ExitStatus.findings) }
    }

    private func readErrorText() throws -> String? {
        if let error { return error }
        if let errorFile {
            guard let text = try? String(contentsOfFile: errorFile, encoding: .utf8) else { throw fail("cannot read \(errorFile)") }
            return text
        }
        guard isatty(STDIN_FILENO) == 0 else { return nil }
        let data = FileHandle.standardInput.readDataToEndOfFile()
        let text = String(decoding: data.prefix(4 << 20), as: UTF8.self)
        return text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : text
    }
}
