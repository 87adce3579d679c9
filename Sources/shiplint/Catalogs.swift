import ShiplintFacts
import ArgumentParser
import FoundationEssentials
import ShiplintChecks
import ShiplintReading
import ShiplintReports
import ShiplintTargets

struct Targets: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the built-in target runtimes, show one resolved, capture this system as one, or compare.",
        subcommands: [List.self, Show.self, Capture.self, Diff.self],
        defaultSubcommand: List.self
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List built-in targets: the name, the short name --target also takes, the description.")

        func run() throws {
            let targets: [(name: String, description: String)]
            do {
                targets = try TargetCatalog.builtIn.targets()
            } catch {
                throw fail(error.description, status: ExitStatus.internalError)
            }
            // The name, the short name people type (`--target python3.13`), the description.
            let width = (targets.map(\.name.count).max() ?? 0) + 2
            let shortWidth = (targets.compactMap { TargetCatalog.shortName($0.name)?.count }.max() ?? 0) + 2
            for target in targets {
                let short = TargetCatalog.shortName(target.name) ?? ""
                print(target.name.padded(toLength: width)
                    + short.padded(toLength: shortWidth) + target.description)
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a target's rule with its `extends` chain merged.")

        @Argument(help: "A built-in target name or a rule file path.", completion: Completions.target)
        var target: String

        func run() throws {
            do {
                _ = try TargetCatalog.builtIn.load(target)
                print(try TargetCatalog.builtIn.resolvedValue(target), terminator: "")
            } catch {
                throw fail(error.description)
            }
        }
    }
}

extension Targets {
    struct Capture: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a target rule describing the system shiplint runs on.",
            discussion: """
                Reads this system's OS release, architecture, glibc, every shared library in the loader's folders \
                (ld.so.conf, the default folders, LD_LIBRARY_PATH) with the version nodes each defines, and the \
                language runtimes on it: CPython (version, extension suffixes, exported symbols; `python3` is run) \
                and Node.js (NODE_MODULE_VERSION, Node-API version; `node` is run). The rule loads with \
                `--target FILE`. Run it inside a Lambda base image or a function to describe that runtime.
                """)

        @Option(name: .shortAndLong, help: "Write the rule to this file (default: standard output).")
        var output: String?

        @Option(help: "The target's name (default: captured-<os id>-<version>-<arch>).")
        var name: String?

        @Option(help: "The CPython interpreter to ask (default: /var/lang/bin/python3, else python3 on PATH).")
        var python: String?

        @Option(help: "The Node.js executable to ask (default: /var/lang/bin/node, else node on PATH).")
        var node: String?

        @Flag(help: "Run no interpreter: no [python] or [node] section.")
        var noRuntimes = false

        func run() throws {
            let capture = SystemReader.capture(python: python, node: node, runInterpreters: !noRuntimes)
            let text: String
            do {
                text = try CapturedTarget.ruleText(capture, name: name)
            } catch {
                throw fail(error.description)
            }
            guard let output else {
                print(text, terminator: "")
                return
            }
            do {
                try text.write(toFile: output, atomically: true, encoding: .utf8)
            } catch {
                throw fail("cannot write \(SafeText.escaped(output)): \(SystemMessage.describing(error))")
            }
        }
    }

    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare a captured target with a built-in one.",
            discussion: """
                Prints what differs: architecture, glibc, libstdc++ ceilings, the libraries each lists, the version \
                nodes of the libraries both have, CPython's version, suffixes and exports, Node.js's ABI versions. \
                Exit status 0 when nothing differs, 1 when something does, 2 when a rule cannot be loaded.
                """)

        @Argument(help: "The captured rule file (from `shiplint targets capture`).")
        var file: String

        @Argument(help: "The target to compare it with (default: the built-in aws-lambda-<runtime>-<arch> it names).")
        var target: String?

        func run() throws {
            let catalog = TargetCatalog.builtIn
            let captured: TargetRuntime
            let other: TargetRuntime
            do throws(TargetError) {
                captured = try catalog.load(file)
                let reference = target ?? captured.platform.runtime.map { "aws-lambda-\($0)-\(captured.platform.arch.lambdaName)" }
                guard let reference else {
                    throw TargetError(file: file, message: "it names no runtime: give the target to compare it with")
                }
                other = try catalog.load(reference)
            } catch {
                throw fail(error.description)
            }
            let lines = TargetDifference.lines(captured: captured, target: other)
            print("\(SafeText.escaped(file)) (\(SafeText.escaped(captured.name))) against \(other.name): \(lines.isEmpty ? "no difference" : "\(lines.count) difference\(lines.count == 1 ? "" : "s")")")
            for line in lines { print("  " + SafeText.escaped(line)) }
            if !lines.isEmpty { throw ExitCode(ExitStatus.findings) }
        }
    }
}

struct Checks: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the checks, or print one check's documentation.",
        subcommands: [List.self, Show.self],
        defaultSubcommand: List.self
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every check with its default severity.")

        func run() {
            let width = (CheckRegistry.all.map(\.id.count).max() ?? 0) + 2
            for check in CheckRegistry.all {
                print(check.id.padded(toLength: width)
                    + check.defaultSeverity.rawValue.padded(toLength: 9) + check.summary)
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a check's documentation: what it means and the fix.")

        @Argument(help: "A check id, e.g. windows-binary.", completion: Completions.checkID)
        var id: String

        @Flag(help: "Print the check's section of docs/checks.md (Markdown) instead.")
        var markdown = false

        func run() throws {
            guard let check = CheckRegistry.check(id: id) else {
                throw fail("no check '\(SafeText.escaped(id))'\(Suggestion.didYouMean(id, among: CheckRegistry.all.map(\.id))) (`shiplint checks` lists them)")
            }
            print(markdown ? CheckDocumentation.readmeSection(check) : CheckDocumentation.text(check), terminator: "")
        }
    }
}
