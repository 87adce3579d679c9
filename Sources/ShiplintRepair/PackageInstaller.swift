import ShiplintFacts
import FoundationEssentials
import ShiplintReading

/// pip, run as `PYTHON -m pip` in a child process: the real installer picks the wheel and lays it out, as a Lambda
/// build does. Its downloads go to a scratch folder `repair` removes; its HTTP cache to `cacheFolder` (or none).
public struct PackageInstaller: Sendable {
    /// The Python whose pip runs (`python3` on PATH by default).
    public let python: String
    /// pip's HTTP cache (`--cache-dir`), nil for `--no-cache-dir`.
    public let cacheFolder: String?

    public init(python: String, cacheFolder: String?) {
        self.python = python
        self.cacheFolder = cacheFolder
    }

    public struct Run: Sendable {
        public let status: Int32
        public let output: String
        public let errors: String
    }

    /// The command line run for pip `arguments`, as shown to the user.
    public func command(_ arguments: [String]) -> [String] {
        [python, "-m", "pip"] + arguments + (cacheFolder.map { ["--cache-dir", $0] } ?? ["--no-cache-dir"])
    }

    /// Runs pip; nil when the Python cannot be started.
    public func run(_ arguments: [String]) -> Run? {
        let command = self.command(arguments)
        // The user's pip configuration stays (an index mirror, a proxy, certificates); what would change which wheel
        // is picked or where it goes is given on the command line (which wins over pip.conf) or removed here.
        var environment = ProcessInfo.processInfo.environment.filter { !Self.layoutVariables.contains($0.key) }
        environment["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
        guard let finished = ChildProcess.run("/usr/bin/env", command, environment: environment) else { return nil }
        return Run(status: finished.status, output: String(decoding: finished.output, as: UTF8.self), errors: String(decoding: finished.errors, as: UTF8.self))
    }

    /// pip's environment variables that would change what it installs or where, beyond the options `repair` passes.
    static let layoutVariables: Set<String> = [
        "PIP_TARGET", "PIP_PREFIX", "PIP_ROOT", "PIP_USER", "PIP_PLATFORM", "PIP_PYTHON_VERSION", "PIP_IMPLEMENTATION", "PIP_ABI",
        "PIP_NO_BINARY", "PIP_ONLY_BINARY", "PIP_PRE", "PIP_REQUIRE_VIRTUALENV", "PIP_UPGRADE", "PIP_COMPILE", "PIP_NO_DEPS", "PIP_REQUIRE_HASHES",
        "PIP_CONSTRAINT", "PIP_REQUIREMENT",
    ]

    /// pip says "no matching distribution" both when no wheel fits and when it never reached the index (with
    /// `PIP_RETRIES=0`, or a proxy that refuses, it prints nothing else). The same command run again with `-vv` logs
    /// each index page it could not fetch: that names the failure; nil when every page was fetched (no wheel fits).
    public func unreachableIndex(_ arguments: [String]) -> String? {
        guard let run = run(arguments + ["-vv"]) else { return "pip did not start" }
        let lines = (run.output + "\n" + run.errors).split(whereSeparator: \.isNewline).map { $0.trimmingWhitespace() }
        guard let line = lines.first(where: { $0.hasPrefix("Could not fetch URL") }) else { return nil }
        let shown = line.count > 400 ? String(line.prefix(400)) + "…" : line
        return line.contains(": 404 ") ? "the package index does not have it (\(shown))" : "the package index could not be reached (\(shown))"
    }

    /// Whether pip runs at all (`PYTHON -m pip --version`), with its version line.
    public func version() -> String? {
        guard let run = run(["--version"]), run.status == 0 else { return nil }
        return run.output.trimmingWhitespaceAndNewlines()
    }
}

/// Why pip did not give a wheel: none fits (a fact about the package), or pip itself failed (no network, a bad index).
enum PipFailure {
    case noMatchingWheel
    case failed(String)

    /// pip's own words for "no candidate fits": `Could not find a version that satisfies the requirement`,
    /// `No matching distribution found`. pip says the same when it could not reach the index at all (after its
    /// `Retrying … NewConnectionError` warnings): that is a failure, never a fact about the package.
    init(_ run: PackageInstaller.Run) {
        let text = run.errors + run.output
        let lines = text.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.trimmingWhitespace().isEmpty }
        if let unreachable = lines.first(where: { line in Self.unreachable.contains { line.contains($0) } }) {
            self = .failed("the package index could not be reached (\(unreachable.trimmingWhitespace()))")
        } else if text.contains("No matching distribution found") || text.contains("Could not find a version that satisfies") {
            self = .noMatchingWheel
        } else {
            self = .failed(Self.lastLines(run))
        }
    }

    /// pip's last three non-empty lines: where it says what went wrong.
    static func lastLines(_ run: PackageInstaller.Run) -> String {
        let lines = (run.errors + run.output).split(whereSeparator: \.isNewline).map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
        return lines.suffix(3).joined(separator: " / ")
    }

    /// What pip (through urllib3 and requests) prints when the network, a proxy or TLS stands between it and the index.
    static let unreachable = [
        "Retrying (Retry(", "NewConnectionError", "Failed to establish a new connection", "ConnectTimeoutError", "ReadTimeoutError",
        "ProxyError", "SSLError", "Max retries exceeded", "Temporary failure in name resolution", "Network is unreachable",
    ]
}
