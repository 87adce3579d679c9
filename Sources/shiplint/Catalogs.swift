import ArgumentParser
import ShiplintChecks
import ShiplintReports
import ShiplintTargets

struct Targets: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the built-in target runtimes, or show one resolved.",
        subcommands: [List.self, Show.self],
        defaultSubcommand: List.self
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List built-in targets with their descriptions.")

        func run() throws {
            let targets: [(name: String, description: String)]
            do {
                targets = try TargetCatalog.builtIn.targets()
            } catch {
                throw fail(error.description, status: ExitStatus.internalError)
            }
            let width = (targets.map(\.name.count).max() ?? 0) + 2
            for target in targets {
                print(target.name.padding(toLength: width, withPad: " ", startingAt: 0) + target.description)
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a target's rule with its `extends` chain merged.")

        @Argument(help: "A built-in target name or a rule file path.")
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
                print(check.id.padding(toLength: width, withPad: " ", startingAt: 0)
                    + check.defaultSeverity.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0) + check.summary)
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a check's documentation: what it means and the fix.")

        @Argument(help: "A check id, e.g. windows-binary.")
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
