import ArgumentParser
import FoundationEssentials
import Glibc
import ShiplintChecks
import ShiplintDeployments
import ShiplintFacts
import ShiplintReading
import ShiplintReports
import ShiplintTargets
import ShiplintOutcome

@main
struct Shiplint: ParsableCommand {
    /// A mistyped subcommand gets a suggestion instead of the parser's "unexpected argument".
    static func main() {
        // libarchive turns every ZIP entry's DOS time into a time_t with mktime(); with TZ unset, glibc stats
        // /etc/localtime on each call (two system calls per entry, 8 % of a 100,000-entry scan). Naming that same
        // file in TZ makes glibc read it once; shiplint shows no times, so nothing printed changes.
        if getenv("TZ") == nil { setenv("TZ", ":/etc/localtime", 0) }
        let arguments = Array(CommandLine.arguments.dropFirst())
        if Completions.asksForFishScript(arguments) {
            print(Completions.fishScript(), terminator: "")
            exit()
        }
        if let first = arguments.first, !first.hasPrefix("-"), !FileManager.default.fileExists(atPath: first) {
            let names = configuration.subcommands.map { $0._commandName } + ["help"]
            if !names.contains(first) {
                let hint = Suggestion.didYouMean(first, among: names)
                DescriptorOutput.standardError("shiplint: error: unknown subcommand '\(SafeText.escaped(first))'\(hint.isEmpty ? "" : hint) (`shiplint --help` lists them)\n")
                Glibc.exit(ExitCode.validationFailure.rawValue)
            }
        }
        let command: ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            exit(withError: error)
        }
        do {
            var command = command
            try command.run()
            exit()
        } catch {
            exit(withError: error)
        }
    }

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
              2  bad input: an unreadable artifact or descriptor, an unknown target,
                 a bad rule file, .shiplint.toml or baseline (the message names
                 the file and key), an unwritable output, nothing scannable
              3  internal error (a bug: please report it)
             64  bad command-line usage (from the argument parser)
            """,
        version: ScanReport.toolVersion,
        subcommands: [Scan.self, Inspect.self, Explain.self, Repair.self, Targets.self, Checks.self, Init.self, BaselineCommand.self]
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
    ProgressLine.clearForOutput()
    DescriptorOutput.standardError("shiplint: error: \(message)\n")
    return ExitCode(status)
}

func printError(_ line: String) {
    ProgressLine.clearForOutput()
    DescriptorOutput.standardError((line + "\n"))
}

/// Writes `text` to the named file atomically (nothing else is ever written), or to standard output when nil.
func writeReport(_ text: String, to file: String?) throws {
    guard let file else {
        // Written from the string's own bytes: a JSON report of every symbol runs to tens of MB, not copied again.
        var text = text
        var failure: DescriptorOutput.Failure?
        text.withUTF8 { bytes in
            do throws(DescriptorOutput.Failure) { try DescriptorOutput.write(UnsafeRawBufferPointer(bytes), to: STDOUT_FILENO) } catch { failure = error }
        }
        // A report that did not reach its reader (a full disk) is not a pass.
        if let failure { throw fail("cannot write the report to standard output: \(failure.description)") }
        return
    }
    // One way to a file for every report: written beside it and renamed over it (StreamedReport).
    try writeStreamedReport(to: file) { writer in writer.raw(text) }
}

/// `/dev/stdout`, `/dev/fd/3`, `/proc/self/fd/1`: a stream the caller opened, written into, never replaced (even
/// when it was redirected to a regular file).
func isStreamPath(_ file: String) -> Bool {
    file.hasPrefix("/dev/") || file.hasPrefix("/proc/")
}

/// Where a report named `file` lands: through a symbolic link, the file it names (renaming a new file over the link
/// would replace the link, not the report it points at).
func outputDestination(_ file: String) -> String {
    if isStreamPath(file) { return file }
    var status = stat()
    guard lstat(file, &status) == 0, status.st_mode & S_IFMT == S_IFLNK else { return file }
    if let resolved = realpath(file, nil) {
        defer { free(resolved) }
        return String(cString: resolved)
    }
    // A link to a file not yet there: that file.
    guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: file) else { return file }
    return target.hasPrefix("/") ? target : PathName.appending(PathName.parent(file), target)
}

/// A clear message (exit 2) for an output file whose folder is missing, not a folder, or not writable; checked
/// before a scan so a long scan does not end in an unwritable report.
func checkWritable(_ named: String) throws {
    if isStreamPath(named) { return }  // opened and written into; opening it says whether it can be
    let file = outputDestination(named)
    let folder = PathName.parent(file)
    let shown = folder.isEmpty ? "." : folder
    var isFolder: Bool = false
    if FileManager.default.fileExists(atPath: file, isDirectory: &isFolder), isFolder {
        throw fail("cannot write \(named): it is a folder")
    }
    // A file the user could not write is never replaced: one without write permission, or with no write bit at all
    // (made read-only on purpose; root could otherwise rename a new file over it).
    var status = stat()
    if stat(file, &status) == 0, status.st_mode & S_IFMT == S_IFREG, access(file, W_OK) != 0 || status.st_mode & 0o222 == 0 {
        throw fail("cannot write \(named): it is read-only (mode \(String(status.st_mode & 0o7777, radix: 8))); shiplint does not replace a file you could not write (make it writable, or name another file)")
    }
    guard FileManager.default.fileExists(atPath: shown, isDirectory: &isFolder) else {
        throw fail("cannot write \(file): the folder \(shown) does not exist")
    }
    guard isFolder else { throw fail("cannot write \(file): \(shown) is not a folder") }
    guard FileManager.default.isWritableFile(atPath: shown) else {
        throw fail("cannot write \(file): the folder \(shown) is not writable")
    }
}

/// `--color`: auto colours a terminal only.
enum ColorChoice: String, ExpressibleByArgument, CaseIterable {
    case auto, always, never
}

extension TextStyle {
    /// `--color always|never` (or `--no-color`) decide; else FORCE_COLOR (non-empty, not 0) turns colour on, and
    /// NO_COLOR (non-empty) or TERM=dumb turn it off; else colour only for a terminal.
    static func forOutput(toFile: Bool, noColor: Bool, choice: ColorChoice = .auto) -> TextStyle {
        if noColor || choice == .never { return TextStyle(colour: false) }
        if choice == .always { return TextStyle(colour: true) }
        let environment = ProcessInfo.processInfo.environment
        if let force = environment["FORCE_COLOR"], !force.isEmpty, force != "0", force != "false" { return TextStyle(colour: true) }
        if let no = environment["NO_COLOR"], !no.isEmpty { return TextStyle(colour: false) }
        if environment["TERM"] == "dumb" { return TextStyle(colour: false) }
        return TextStyle(colour: !toFile && isatty(STDOUT_FILENO) == 1)
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
struct ByteCount: ExpressibleByArgument, CustomStringConvertible {
    let bytes: Int

    /// `256M`, as it is typed (help shows defaults this way).
    var description: String {
        for (unit, size) in [("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)] where bytes % size == 0 {
            return "\(bytes / size)\(unit)"
        }
        return "\(bytes)"
    }

    var defaultValueDescription: String { description }

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
    @Option(help: ArgumentHelp("Most bytes held for one entry: an ELF file's tables, or a whole PE, Mach-O or nested archive (K, M, G suffixes).", valueName: "bytes"))
    var maxEntryBytes = ByteCount(argument: "256M")!

    @Option(help: ArgumentHelp("Most bytes inflated for one artifact, nested archives included.", valueName: "bytes"))
    var maxArtifactBytes = ByteCount(argument: "2G")!

    @Option(help: "How deep archives inside archives are opened (a wheel inside a layer is depth 1).")
    var maxDepth = ReadLimits.defaults.nestingDepth

    @Option(help: "Most entries listed per artifact.")
    var maxEntries = ReadLimits.defaults.entries

    @Option(help: ArgumentHelp("Most bytes held for nested archives at once, every level of a nest together (each is opened in memory); a larger one is read front to back out of its entry instead.", valueName: "bytes"))
    var maxNestedBytes = ByteCount(argument: "8M")!

    // No default value here: help and the man page would show the build machine's core count as the default.
    @Option(help: "Entries and artifacts read at once (default: the number of cores); the output is the same for any value.")
    var jobs: Int?

    @Option(help: ArgumentHelp("Largest deployment descriptor read (template, cdk.out manifest, serverless-state.json, Terraform plan JSON); a larger one is an error, never skipped.", valueName: "bytes"))
    var maxDescriptorBytes = ByteCount(argument: "32M")!

    @Option(name: .customLong("code-root"), help: ArgumentHelp("A folder outside the project that a descriptor's code paths may lead into (repeatable); any other path or link out of the project is an error.", valueName: "folder"))
    var codeRoots: [String] = []

    var descriptorLimits: DescriptorLimits { DescriptorLimits(bytes: maxDescriptorBytes.bytes, codeRoots: codeRoots) }

    var limits: ReadLimits {
        ReadLimits(entryBytes: maxEntryBytes.bytes, artifactBytes: maxArtifactBytes.bytes, nestingDepth: max(0, maxDepth), entries: max(1, maxEntries),
            nestedArchiveBytes: maxNestedBytes.bytes)
    }

    /// Reads every artifact; the first that cannot be opened at all ends the run with status 2.
    func read(_ paths: [String], progress: ProgressLine? = nil, first: Int = 1, of total: Int? = nil) throws -> [Artifact] {
        if paths.filter({ $0 == "-" }).count > 1 {
            throw fail("standard input (-) can be read only once: name it once")
        }
        if let progress, let name = paths.first {
            // Artifacts are read together (on every core), so progress names the batch, not each one.
            let what = paths.count == 1 ? SafeText.escaped(name) : "\(paths.count) artifacts"
            let last = first + paths.count - 1
            progress.reading("reading \(what) (\(first == last ? "\(first)" : "\(first)-\(last)") of \(total ?? paths.count))",
                             totalBytes: ProgressLine.totalSize(of: paths))
        }
        let reader = ArtifactReader(limits: limits, jobs: max(1, jobs ?? ProcessInfo.processInfo.activeProcessorCount), metadata: .checks)
        var artifacts: [Artifact] = []
        for result in reader.read(paths: paths) {
            switch result {
            case .success(let artifact): artifacts.append(artifact)
            case .failure(.internalFailure(let reason)): throw fail("internal error: \(reason)", status: ExitStatus.internalError)
            case .failure(let error): throw fail(error.description)
            }
        }
        return artifacts
    }
}

struct OutputOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "Output format: text or json.")
    var format: OutputFormat = .text

    @Option(name: .shortAndLong, help: ArgumentHelp("Write the report to this file instead of standard output.", valueName: "file"), completion: .file())
    var output: String?

    @Option(help: ArgumentHelp("Colour text output: auto (a terminal only; NO_COLOR, TERM=dumb and FORCE_COLOR are honoured), always or never.", valueName: "when"))
    var color: ColorChoice = .auto

    @Flag(help: "Same as --color never.")
    var noColor = false

    var style: TextStyle { TextStyle.forOutput(toFile: output != nil, noColor: noColor, choice: color) }

    /// Writes the report where asked: the named file (nothing else is ever written) or standard output.
    func emit(_ report: String) throws {
        try writeReport(report, to: output)
    }
}
