import Foundation
import ShiplintFacts
import ShiplintReading

/// Paths of the repository and the built binary, for tests that run shiplint as a user would.
enum Repository {
    static let root: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static func fixture(_ relative: String) -> String { root + "/fixtures/" + relative }

    /// `make test` builds the debug binary before `swift test`.
    static var binary: String {
        ProcessInfo.processInfo.environment["SHIPLINT"] ?? root + "/.build/debug/shiplint"
    }
}

struct CommandResult {
    let status: Int32
    let stdout: String
    let stderr: String
}

enum Shiplint {
    /// Runs the shiplint binary with `arguments` from the repository root.
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Repository.binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: Repository.root)
        var merged = ProcessInfo.processInfo.environment
        merged["NO_COLOR"] = "1"
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Drain both pipes before waiting so a large report cannot block the child.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CommandResult(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
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
