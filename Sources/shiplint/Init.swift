import ShiplintFacts
import ArgumentParser
import FoundationEssentials
import ShiplintChecks
import ShiplintPolicy
import ShiplintTargets

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a commented starter .shiplint.toml for the target you name.",
        discussion: """
            Example: shiplint init --target aws-lambda-python3.13-x86_64

            Refuses to replace an existing file unless --force is given. Exit status: 0 when written, 2 for an \
            unknown target or an existing file.
            """
    )

    @Option(name: .shortAndLong, help: ArgumentHelp("Target runtime: a built-in name (see `shiplint targets`) or a rule file path.", valueName: "name|file"), completion: Completions.target)
    var target: String

    @Option(help: ArgumentHelp("Where to write it.", valueName: "file"), completion: .file(extensions: ["toml"]))
    var file: String = ProjectConfiguration.fileName

    @Flag(help: "Replace the file if it exists.")
    var force = false

    func run() throws {
        let runtime = try loadTarget(target)
        if !force && FileManager.default.fileExists(atPath: file) {
            throw fail("\(file) exists; --force replaces it")
        }
        try writeReport(Self.starter(target: target, runtime: runtime), to: file)
        print("wrote \(file) for \(runtime.name) (\(runtime.runtimeLabel))")
    }

    static func starter(target: String, runtime: TargetRuntime) -> String {
        let width = (CheckRegistry.all.map(\.id.count).max() ?? 0) + 1
        let checks = CheckRegistry.all.map { check in
            "#   " + check.id.padded(toLength: width) + check.defaultSeverity.rawValue.padded(toLength: 8) + check.summary
        }.joined(separator: "\n")
        return """
            # shiplint project configuration (https://github.com/shiplint/shiplint/blob/main/docs/configuration.md).
            # `shiplint scan` reads the nearest .shiplint.toml in the current folder or above; options on the command
            # line override it. Unknown keys, unknown check ids and bad globs are errors (exit status 2).
            version = 1

            # The runtime the artifacts are deployed to: \(runtime.description)
            target = "\(target)"

            # Layers deployed with the function, in order (paths relative to this file); `--layer` replaces them.
            # layers = ["build/layer.zip"]

            # The lowest severity that fails the scan (exit status 1): error, warning or never.
            fail-on = "error"

            # Per-check severity: error, warning, note or off. The checks and their default severities:
            \(checks)
            [severity]
            # exec-stack = "error"

            # Findings to accept, each with the reason. `path` is a glob on the path inside the artifact (`*` within a
            # folder, `**` across folders); `artifact` (optional) a glob on the artifact's path. An entry that matches
            # nothing is reported as `unmatched-ignore`, so this list does not rot.
            # [[ignore]]
            # check = "exec-stack"
            # path = "vendor/**/libold.so"
            # artifact = "build/*.zip"
            # reason = "Loaded only by the offline export job, which runs on Amazon Linux 2."

            """
    }
}
