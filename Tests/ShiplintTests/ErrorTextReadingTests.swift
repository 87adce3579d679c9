import Foundation
import Testing
@testable import ShiplintChecks

/// explain's reading of error texts (issue 28): linear in the text, any size as a stream, and what it limited said.
@Suite struct ErrorTextReadingTests {
    /// A small deterministic generator (SplitMix64), so a failure names a seed that reproduces it.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Pieces of real error texts and the characters their patterns turn on.
    static let fragments = [
        "No module named ", "no module named ", "cannot import name ", " from ", "version ", " not found", " (required by ", ")",
        ": cannot open shared object file", ": No such file or directory", ": invalid ELF header", "wrong ELF class: ELFCLASS",
        "undefined symbol: ", "cannot enable executable stack", "Cannot find module ", "Cannot find package ",
        "Could not load the \"sharp\" module using the ", " runtime", "needs the ", " package instead", "The package ",
        " could not be found, and is needed by", "[Errno 8] Exec format error: ", "spawn ", " ENOEXEC", " EACCES",
        "Permission denied", "permission denied", ": permission denied", "EACCES: permission denied, open ",
        "ELF load command address/offset not properly aligned", ": ELF load command", "Runtime.InvalidEntrypoint",
        "exec format error", "RequestId: abc-123 ", "Query engine library for current platform ",
        "could not locate the Query Engine for runtime ", "was compiled against a different Node.js version using",
        "NODE_MODULE_VERSION 108", "requires ", "The module ", " module ", "/aws/lambda/api", "/var/task/", "/opt/", "lib",
        "x.so", ".so", ".node", "libGL.so.1", "pkg._mod", "_mod", "GLIBC_2.28", "ELFCLASS32", "32", "@img/sharp-linux-x64",
        "linux-x64", "rhel-openssl-3.0.x", "./handler", "bootstrap", "\"", "'", "`", "‘", "’", ":", " ", "  ", "\t", "/",
        "Query engine library for current platform \"rhel-openssl-3.0.x\" could not be found",
        "Query engine binary for current platform rhel-openssl-1.0.x could not be found", "Unable to import module 'h': ",
        "/tmp/chromium: error while loading shared libraries: ",
        "Could not load the \"sharp\" module using the linux-x64 runtime", "needs the \"@esbuild/linux-x64\" package instead",
        "/lib64/libc.so.6: version `GLIBC_2.28' not found", "version 'GLIBC_2.17' not found (required by /var/task/x.so)",
        "dynamic module does not define module export function (PyInit_", "dynamic module does not define init function (init",
        "a", "Z", "9", "_", ".", "-", "é", "\u{00A0}", "\\n", "\\\"", ",", ";", "(", "=", "\r", "{", "}", "@", "$",
    ]

    static func randomText(_ generator: inout Generator) -> String {
        func line() -> String {
            (0..<Int.random(in: 1...12, using: &generator)).map { _ in fragments.randomElement(using: &generator)! }.joined()
        }
        // At most three lines: the old reading took Node's ABI message from anywhere in the text, the new one from
        // the lines around it (two before, four after), which is all of a three-line text.
        return (0..<Int.random(in: 1...3, using: &generator)).map { _ -> String in
            let text = line()
            guard Int.random(in: 0..<4, using: &generator) == 0 else { return text }
            // A CloudWatch JSON log record holding the line.
            let escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\r", with: "\\r").replacingOccurrences(of: "\t", with: "\\t")
            return "{\"errorMessage\": \"\(escaped)\", \"errorType\": \"Runtime.ImportModuleError\"}"
        }.joined(separator: "\n")
    }

    /// The linear reading finds what the regular expressions found, in the same order with the same counts, on
    /// 6,000 generated texts short enough for the old reading. (It matches letters without regard to case in ASCII
    /// only and reads ASCII digits as digits, where ICU also folds ſ and K and reads other scripts' digits: the
    /// generator does not produce those.)
    @Test func findsWhatTheRegularExpressionsFound() {
        var generator = Generator(state: 28)
        var kinds = Set<String>()
        for round in 0..<6_000 {
            let text = Self.randomText(&generator)
            let linear = ErrorText.occurrences(in: text)
            kinds.formUnion(linear.map(\.signal.kind))
            let reference = ReferenceErrorText.occurrences(in: text)
            let same = linear.count == reference.count && zip(linear, reference).allSatisfy { $0.signal == $1.signal && $0.count == $1.count }
            #expect(same, "round \(round): \(text.debugDescription)\nlinear:    \(linear)\nreference: \(reference)")
            if !same { break }
        }
        // The generator reaches every kind of signal, so every pattern was compared.
        #expect(kinds == ["missing-module", "missing-library", "unloadable-file", "permission-denied", "misaligned-elf", "missing-version",
            "invalid-elf-header", "wrong-elf-class", "undefined-symbol", "executable-stack", "node-abi", "invalid-entrypoint",
            "missing-node-package", "prisma-engine", "unplaced-module", "package-message"])
    }

    /// Real error texts (the explain suite's) read the same through the stream in any chunking.
    @Test func anyChunkingReadsTheSame() {
        var generator = Generator(state: 2028)
        for _ in 0..<500 {
            let text = (0..<Int.random(in: 1...40, using: &generator)).map { _ in Self.randomText(&generator) }.joined(separator: "\n")
            let whole = ErrorText.occurrences(in: text)
            var reader = ErrorTextReader()
            var bytes = Array(text.utf8)[...]
            while !bytes.isEmpty {
                let size = Int.random(in: 1...64, using: &generator)
                reader.consume(Array(bytes.prefix(size)))
                bytes = bytes.dropFirst(size)
            }
            let streamed = reader.finish().occurrences
            #expect(streamed.map(\.signal) == whole.map(\.signal) && streamed.map(\.count) == whole.map(\.count), "\(text.debugDescription)")
        }
    }

    /// Over `ErrorTextReader.maximumSignals` different errors: the first are kept, the rest counted and said.
    @Test func tooManyDifferentErrorsAreSaid() {
        var reader = ErrorTextReader()
        let lines = (0..<1200).map { "No module named 'pkg\($0)'" }.joined(separator: "\n")
        reader.consume(Array(lines.utf8))
        let reading = reader.finish()
        #expect(reading.occurrences.count == 1000)
        #expect(reading.occurrences.first?.signal == .missingModule("pkg0"))
        #expect(reading.limits == ["more than 1000 different errors: the first 1000 are explained, 200 later events of other errors are not"])
    }

    /// A name longer than 4 KiB inside an error is cut, and that is said.
    @Test func aLongNameIsCutAndSaid() {
        var reader = ErrorTextReader()
        reader.consume(Array(("/var/task/" + String(repeating: "a", count: 5000) + ".so: cannot open shared object file\n").utf8))
        let reading = reader.finish()
        guard case .unloadableFile(let path)? = reading.occurrences.first?.signal else {
            Issue.record("\(reading.occurrences)")
            return
        }
        #expect(path.utf8.count == 4096 + "…".utf8.count)
        #expect(reading.limits == ["1 text inside an error (a path, a name, a message) longer than 4096 bytes was cut to 4096 bytes"])
    }

    /// Log groups named in the text, exactly and whole.
    @Test func logGroupsAreCollected() {
        var reader = ErrorTextReader()
        reader.consume(Array("START /aws/lambda/api-worker x\n/AWS/LAMBDA/upper\nlog group /aws/lambda/api: done /aws/lambda/api\n".utf8))
        #expect(reader.finish().logGroups == ["api-worker", "api"])
    }
}

/// `shiplint explain` on texts that took it minutes or all its memory (issue 28, measured on main): a 16 KiB line
/// without separators took 8.8 s, 64 KiB over a minute (quadratic); a log was read to its first 4 MiB, silently, and
/// echoed back whole in JSON.
@Suite(.serialized) struct ExplainAtAnySizeTests {
    static let artifact = "fixtures/artifacts/function-windows.zip"
    static let error = "[ERROR] Runtime.ImportModuleError: Unable to import module 'lambda_function': No module named 'pydantic_core._pydantic_core'"

    static func scratch() throws -> String {
        let folder = Scratch.url("shiplint-explain").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    /// Lines of 10 MB and more, in the shapes that made the old reading quadratic: a base64 payload glued to the
    /// message, a run of `/` before `: cannot open shared object file`, and phrases packed end to end. Reading is
    /// linear (each byte is looked at a bounded number of times, times the number of phrases explain knows), so
    /// all of it takes seconds; the old reading would take days. Killed after 180 s on a loaded machine.
    @Test func tenMegabyteLinesAreReadInLinearTime() throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/log.txt"
        var text = Data()
        let base64 = Data((0..<(10 << 20)).map { index in Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)[index % 64] })
        text.append(Data("2026-11-30T10:00:00Z payload=".utf8) + base64 + Data(" \(Self.error)\n".utf8))
        text.append(Data(repeating: UInt8(ascii: "/"), count: 4 << 20) + Data(": cannot open shared object file: No such file\n".utf8))
        text.append(Data(String(repeating: "x: cannot open shared object file ", count: 100_000).utf8) + Data("\n".utf8))
        text.append(Data(String(repeating: ".so", count: 1_000_000).utf8) + Data(" cannot enable executable stack\n".utf8))
        try text.write(to: URL(fileURLWithPath: file))
        let started = Date()
        let result = try runProgram("/usr/bin/timeout", ["180", Repository.binary, "explain", Self.artifact, "--target", "aws-lambda-python3.13-x86_64",
            "--no-config", "--error-file", file, "--format", "json"])
        let seconds = Date().timeIntervalSince(started)
        #expect(result.status != 124, "explain did not finish in 180 s")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stderr)")
        let explanations = document["explanations"] as? [[String: Any]] ?? []
        let missing = try #require(explanations.first { $0["signal"] as? String == "missing-module" })
        #expect((missing["root_cause"] as? [String: Any])?["check"] as? String == "windows-binary")
        #expect(explanations.contains { $0["signal"] as? String == "unloadable-file" })
        #expect(explanations.contains { $0["signal"] as? String == "executable-stack" })
        // The 4 MiB path was cut (and said so).
        let error = try #require(document["error"] as? [String: Any])
        #expect((error["limits"] as? [String])?.contains { $0.contains("longer than 4096 bytes") } == true)
        print("explain read \(text.count) bytes in lines up to 10 MiB in \(Int(seconds)) s")
    }

    /// The last line of a 1 GB log, streamed on standard input: found, in bounded memory; the JSON report echoes the
    /// first 64 KiB and says how much there was.
    @Test func theLastLineOfAGigabyteLogIsFound() throws {
        let line = "2026-11-30T10:00:00.000Z 8d3f INFO request handled in 12 ms {\"path\": \"/api/items\", \"status\": 200}"
        let script = "yes '\(line)' | head -c 1000000000; printf '%s\\n' \"$ERROR_LINE\""
        let binary = try Repository.binary
        let command = "(\(script)) | /usr/bin/time -f 'peak %M' '\(binary)' explain \(Self.artifact) --target aws-lambda-python3.13-x86_64 --no-config --format json"
        let result = try runProgram("/bin/sh", ["-c", command], environment: ["ERROR_LINE": Self.error])
        #expect(result.status == 0, "\(result.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stderr)")
        let error = try #require(document["error"] as? [String: Any])
        #expect(error["bytes"] as? Int == 1_000_000_000 + Self.error.utf8.count + 1)
        #expect(error["text_complete"] as? Bool == false)
        #expect((error["text"] as? String)?.utf8.count ?? .max <= 64 << 10)
        let explanations = document["explanations"] as? [[String: Any]] ?? []
        #expect(explanations.map { $0["signal"] as? String } == ["missing-module"])
        #expect(explanations.first?["explained"] as? Bool == true)
        let peak = try #require(result.stderr.split(separator: "\n").last { $0.hasPrefix("peak ") }.flatMap { Int($0.dropFirst(5)) })
        #expect(peak < 256 * 1024, "peak RSS \(peak) KB")
    }

    /// A line over 16 MiB is read in pieces, and the report says so.
    @Test func aLineOverTheLineLimitIsSaid() throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/log.txt"
        try (Data(repeating: UInt8(ascii: "A"), count: 17 << 20) + Data(" \(Self.error)\n".utf8)).write(to: URL(fileURLWithPath: file))
        let result = try Shiplint.run(["explain", Self.artifact, "--target", "aws-lambda-python3.13-x86_64", "--no-config", "--error-file", file])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("note: the error text: 1 line is longer than 16 MiB (the first is line 1): read in pieces of 16 MiB, so an error message cut at a piece's edge is not recognised\n"), "\(result.stdout.prefix(300))")
        #expect(result.stdout.contains("Root cause [windows-binary]"))
    }
}
