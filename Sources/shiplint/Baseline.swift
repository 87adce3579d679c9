import ShiplintTargets
import ShiplintDeployments
import ArgumentParser
import ShiplintOutcome
import ShiplintPolicy

struct BaselineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baseline",
        abstract: "Record today's findings so `scan --baseline` reports only new ones.",
        subcommands: [Write.self]
    )

    struct Write: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Scan as `shiplint scan` would and write every finding to a baseline file.",
            discussion: """
                Example: shiplint baseline write .shiplint-baseline.json build/function.zip --target aws-lambda-python3.13-x86_64
                         shiplint baseline write .shiplint-baseline.json .     (a project: every function, its own target)

                The baseline (JSON, version 2) keeps each finding's check, deployment (a project's function), artifact, path \
                inside the artifact and what is wrong (the soname, the version node …): not the message, so \
                rewording a message in a later release does not make old findings new. Severities and ignores of \
                .shiplint.toml apply first: what is off or ignored is not recorded. Scan later with the same \
                artifact paths: `shiplint scan --baseline FILE …`.

                Exit status: 0 when the file was written (whatever was found), 2 for bad input or configuration, \
                3 for an internal error.
                """
        )

        @Argument(help: ArgumentHelp("The baseline file to write (replaced if it exists).", valueName: "file"), completion: .file(extensions: ["json"]))
        var file: String

        @OptionGroup var input: ScanInputOptions

        func run() throws {
            if input.target.count > 1 { throw fail("baseline write records one target's findings: name one --target") }
            let configuration = try input.configuration()
            if let project = try ProjectScan.project(input) {
                // Every function of the project (or those --function names), each judged as `scan PROJECT` does.
                let scan = try ProjectScan.scan(project, input: input, policy: ScanPolicy(configuration: configuration))
                let baseline = ScanPolicy.baseline(of: scan)
                try writeReport(baseline.rendered(target: input.target.first ?? "each function's own (\(project.file))"), to: file)
                let count = baseline.entries.count
                printError("shiplint: wrote \(count) \(count == 1 ? "finding" : "findings") of \(scan.deployments.count) \(scan.deployments.count == 1 ? "function" : "functions") to \(file)")
                return
            }
            let (runtime, functions, layers) = try input.resolve(configuration)
            let outcome = ScanPolicy(configuration: configuration).scan(functions: functions, layers: layers, target: runtime)
            let baseline = ScanPolicy.baseline(of: outcome)
            try writeReport(baseline.rendered(target: runtime.name), to: file)
            let count = baseline.entries.count
            printError("shiplint: wrote \(count) \(count == 1 ? "finding" : "findings") to \(file)")
        }
    }
}
