import ArgumentParser
import Foundation
import ShiplintChecks
import ShiplintFacts
import ShiplintReading
import ShiplintReports
import ShiplintTargets

@main
struct Shiplint: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shiplint",
        abstract: "Checks that the native code in a Lambda package or wheel will load on the runtime it is deployed to.",
        discussion: """
            shiplint opens a function ZIP, layer ZIP, wheel, tarball, folder or single binary, reads every native \
            binary in it without extracting anything, and judges it against a target runtime \
            (`shiplint targets` lists them).

            EXIT STATUS
              0  no finding at or above --fail-on (scan), or the command succeeded
              1  scan found a finding at or above --fail-on (default: error)
              2  bad input: a missing or unreadable artifact, an unknown target, a bad rule file, a bad
                 .shiplint.toml or baseline (the message names the file and the key), a bad deployment
                 descriptor, or a project in which no function could be scanned
              3  internal error (a bug: please report it)
             64  bad command-line usage (from the argument parser)
            """,
        version: ScanReport.toolVersion,
        subcommands: [Scan.self, Inspect.self, Explain.self, Targets.self, Checks.self, Init.self, BaselineCommand.self]
    )
}

/// Exit statuses, one meaning each (also in `--help`).
enum ExitStatus {
    static let clean: Int32 = 0
    static let findings: Int32 = 1
    static let badInput: Int32 = 2
    static let internalError: Int32 = 3
}

/// Prints `shiplint: error: …` to standard error and exits with the given status.
func fail(_ message: String, status: Int32 = ExitStatus.badInput) -> ExitCode {
    FileHandle.standardError.write(Data("shiplint: error: \(message)\n".utf8))
    return ExitCode(status)
}

func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// Writes `text` to the named file atomically (nothing else is ever written), or to standard output when nil.
func writeReport(_ text: String, to file: String?) throws {
    guard let file else {
        FileHandle.standardOutput.write(Data(text.utf8))
        return
    }
    do {
        try Data(text.utf8).write(to: URL(fileURLWithPath: file), options: .atomic)
    } catch {
        throw fail("cannot write \(file): \(error.localizedDescription)")
    }
}

extension TextStyle {
    /// Colour only for a terminal, never with --no-color or NO_COLOR.
    static func forOutput(toFile: Bool, noColor: Bool) -> TextStyle {
        let terminal = !toFile && isatty(STDOUT_FILENO) == 1
        return TextStyle(colour: terminal && !noColor && ProcessInfo.processInfo.environment["NO_COLOR"] == nil)
    }
}

/// Loads a target (built-in name or rule file); a bad one ends the run with status 2 and the file and key path.
func loadTarget(_ reference: String) throws -> TargetRuntime {
    do {
        return try TargetCatalog.builtIn.load(reference)
    } catch {
        throw fail(error.description)
    }
}

extension OutputFormat: ExpressibleByArgument {}

/// A byte count with an optional K, M or G suffix (powers of 1024).
struct ByteCount: ExpressibleByArgument {
    let bytes: Int

    init?(argument: String) {
        let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
        var text = argument.uppercased()
        if text.hasSuffix("B") { text.removeLast() }
        var multiplier = 1
        if let last = text.last, let unit = units[last] {
            multiplier = unit
            text.removeLast()
        }
        guard let number = Int(text), number > 0, number <= Int.max / multiplier else { return nil }
        bytes = number * multiplier
    }
}

struct ReadingOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Most bytes inflated for one entry (K, M, G suffixes).", valueName: "bytes"))
    var maxEntryBytes = ByteCount(argument: "256M")!

    @Option(help: ArgumentHelp("Most bytes inflated for one artifact, nested archives included.", valueName: "bytes"))
    var maxArtifactBytes = ByteCount(argument: "2G")!

    @Option(help: "How deep archives inside archives are opened (a wheel inside a layer is depth 1).")
    var maxDepth = ReadLimits.defaults.nestingDepth

    @Option(help: "Most entries listed per artifact.")
    var maxEntries = ReadLimits.defaults.entries

    var limits: ReadLimits {
        ReadLimits(entryBytes: maxEntryBytes.bytes, artifactBytes: maxArtifactBytes.bytes, nestingDepth: max(0, maxDepth), entries: max(1, maxEntries))
    }

    /// Reads every artifact; the first that cannot be opened at all ends the run with status 2.
    func read(_ paths: [String]) throws -> [Artifact] {
        let reader = ArtifactReader(limits: limits)
        var artifacts: [Artifact] = []
        for path in paths {
            do {
                artifacts.append(try reader.read(path: path))
            } catch .internalFailure(let reason) {
                throw fail("internal error: \(reason)", status: ExitStatus.internalError)
            } catch {
                throw fail(error.description)
            }
        }
        return artifacts
    }
}

struct OutputOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "Output format: text or json.")
    var format: OutputFormat = .text

    @Option(name: .shortAndLong, help: ArgumentHelp("Write the report to this file instead of standard output.", valueName: "file"))
    var output: String?

    @Flag(help: "Never colour text output (also: NO_COLOR in the environment).")
    var noColor = false

    var style: TextStyle { TextStyle.forOutput(toFile: output != nil, noColor: noColor) }

    /// Writes the report where asked: the named file (nothing else is ever written) or standard output.
    func emit(_ report: String) throws {
        try writeReport(report, to: output)
    }
}
