import Foundation
import Testing
import ShiplintFacts
import ShiplintReading

/// Paths of the repository and the built binary, for tests that run shiplint as a user would.
enum Repository {
    static let root: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static func fixture(_ relative: String) -> String { root + "/fixtures/" + relative }

    /// The binary the end-to-end tests run: `$SHIPLINT`, else the debug build (`make test` builds it before
    /// `swift test`). It must be newer than every source it is built from, or each test that runs it fails saying
    /// so: `swift test` alone never passes against a stale binary.
    static var binary: String {
        get throws {
            if let stale = freshness { throw StaleBinary(description: stale) }
            return binaryPath
        }
    }

    static let binaryPath = ProcessInfo.processInfo.environment["SHIPLINT"] ?? root + "/.build/debug/shiplint"

    /// Nil when the binary is newer than Package.swift and every file under Sources/, Plugins/ and rules/ (rule
    /// files are built into it); else why it cannot be trusted. Checked once per test run.
    static let freshness: String? = {
        var sources = [root + "/Package.swift"]
        for folder in ["Sources", "Plugins", "rules"] {
            let base = root + "/" + folder
            guard let walker = FileManager.default.enumerator(atPath: base) else { continue }
            for case let relative as String in walker { sources.append(base + "/" + relative) }
        }
        return staleness(of: binaryPath, builtFrom: sources)
    }()

    /// Why `binary` cannot stand for `sources` (it is missing, or older than one of them), nil when it is newer.
    static func staleness(of binary: String, builtFrom sources: [String]) -> String? {
        func modified(_ path: String) -> Date? { (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date }
        guard let built = modified(binary) else {
            return "\(binary) does not exist: build it first (`swift build --product shiplint`; `make test` does)"
        }
        var newest: (path: String, date: Date)?
        for path in sources {
            guard let date = modified(path), date > (newest?.date ?? .distantPast) else { continue }
            newest = (path, date)
        }
        guard let newest, newest.date > built else { return nil }
        let shown = newest.path.hasPrefix(root + "/") ? String(newest.path.dropFirst(root.count + 1)) : newest.path
        return "\(binary) is older than \(shown): rebuild it (`swift build --product shiplint`; `make test` does) so the end-to-end tests do not judge a stale binary"
    }
}

/// The binary the end-to-end tests would run was built before the sources it must reflect.
struct StaleBinary: Error, CustomStringConvertible {
    let description: String
}

struct CommandResult {
    let status: Int32
    let stdout: String
    let stderr: String
}

/// Runs a program to completion: its status and both outputs, with `input` on its standard input.
func runProgram(
    _ executable: String, _ arguments: [String], input: String? = nil, in folder: String? = nil,
    environment extra: [String: String] = [:]
) throws -> CommandResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: folder ?? Repository.root)
    var environment = ProcessInfo.processInfo.environment
    environment["NO_COLOR"] = "1"
    for (key, value) in extra { environment[key] = value }
    process.environment = environment
    let out = Pipe()
    let err = Pipe()
    let stdin = Pipe()
    process.standardOutput = out
    process.standardError = err
    // Always a pipe, closed at once when there is no input: with corelibs Foundation's `FileHandle.nullDevice` the
    // child could read stray bytes as standard input, which `explain` takes for an error text.
    process.standardInput = stdin
    try process.run()
    if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
    try stdin.fileHandleForWriting.close()
    // Drain both pipes before waiting so a large report cannot block the child.
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CommandResult(
        status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
        stderr: String(decoding: errData, as: UTF8.self))
}

/// Compares with a golden file, rewritten only when asked (`UPDATE_GOLDENS=1 make test`), never silently.
func expectGolden(_ name: String, _ actual: String) throws {
    let path = Repository.root + "/Tests/ShiplintTests/Goldens/" + name
    if ProcessInfo.processInfo.environment["UPDATE_GOLDENS"] == "1" {
        try actual.write(toFile: path, atomically: true, encoding: .utf8)
        return
    }
    let expected = try String(contentsOfFile: path, encoding: .utf8)
    #expect(actual == expected, "\(name) differs from its golden file; UPDATE_GOLDENS=1 rewrites it")
}

enum Shiplint {
    /// Runs the shiplint binary with `arguments`, from the repository root unless `folder` says otherwise.
    static func run(_ arguments: [String], in folder: String? = nil, environment: [String: String] = [:]) throws -> CommandResult {
        try runProgram(Repository.binary, arguments, in: folder, environment: environment)
    }

    /// `--format json` output parsed, for asserting on fields.
    static func json(_ arguments: [String]) throws -> (status: Int32, object: [String: Any]) {
        let result = try run(arguments + ["--format", "json"])
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
        return (result.status, object)
    }
}

func readArtifact(_ relative: String, limits: ReadLimits = .defaults) throws -> Artifact {
    try ArtifactReader(limits: limits).read(path: Repository.fixture(relative))
}

func binary(_ artifact: Artifact, _ path: String) -> Binary? {
    artifact.binaries.first { $0.path == path }
}

/// Every scratch file and folder a test makes lives in one folder of this test process, removed when the process
/// exits: a test run leaves nothing behind in the temporary directory, even from a test that fails halfway.
enum Scratch {
    static let root: String = {
        let root = NSTemporaryDirectory() + "shiplint-tests-\(getpid())"
        try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: Scratch.root) }
        return root
    }()

    /// A path not used before in this process, `name-<UUID>` (not created).
    static func url(_ name: String, suffix: String = "") -> URL {
        URL(fileURLWithPath: root + "/" + name + "-" + UUID().uuidString + suffix)
    }
}
