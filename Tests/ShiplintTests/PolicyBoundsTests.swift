import Foundation
import Testing
@testable import ShiplintPolicy
import ShiplintOutcome
import ShiplintTargets

/// Configuration and baselines bounded before they are parsed, then parsed in bounded memory (issue 28, measured on
/// main: a 100 MB baseline took 3 GB before failing on its first entry; a 60 MB `.shiplint.toml` took 263 MB).
@Suite(.serialized) struct PolicyBoundsTests {
    static let artifact = Repository.fixture("artifacts/function-clean.zip")

    /// Runs shiplint under /usr/bin/time: its result and peak resident memory in KB.
    static func measured(_ arguments: [String], in folder: String) throws -> (result: CommandResult, peakKB: Int) {
        let result = try runProgram("/usr/bin/time", ["-f", "peak %M"] + [Repository.binary] + arguments, in: folder)
        let peak = result.stderr.split(separator: "\n").last { $0.hasPrefix("peak ") }.flatMap { Int($0.dropFirst(5)) } ?? .max
        return (result, peak)
    }

    static func write(_ path: String, repeating unit: String, head: String = "", tail: String = "", upTo size: Int) throws {
        FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        defer { try? handle.close() }
        try handle.write(contentsOf: Data(head.utf8))
        let count = (size - head.utf8.count - tail.utf8.count) / unit.utf8.count
        let block = Data(String(repeating: unit, count: max(1, min(count, 10_000))).utf8)
        var written = 0
        while written + 10_000 <= count {
            try handle.write(contentsOf: block)
            written += 10_000
        }
        try handle.write(contentsOf: Data(String(repeating: unit, count: count - written).utf8))
        try handle.write(contentsOf: Data(tail.utf8))
    }

    @Test func aHundredMegabyteBaselineIsRefusedByItsSize() throws {
        let project = try ScratchProject()
        try Self.write(project.path("baseline.json"), repeating: "{\"check\":\"no-such-check\",\"artifact\":\"\",\"path\":\"\",\"fact\":\"\"},",
            head: "{\"findings\":[", tail: "{}],\"version\":2}", upTo: 100_000_000)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: project.path("baseline.json"))[.size] as? Int)
        let (result, peak) = try Self.measured(["scan", Self.artifact, "--target", "aws-lambda-python3.13-x86_64", "--no-config", "--baseline", "baseline.json"], in: project.root.path)
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("shiplint: error: baseline.json: \(size) bytes is over the 32 MiB a baseline may have; not read"), "\(result.stderr)")
        #expect(peak < 64 * 1024, "peak RSS \(peak) KB")
    }

    /// The largest baseline under the limit, in its most expensive shape (400,000 tiny entries), read in < 256 MB.
    @Test func aBaselineAtTheLimitIsReadInBoundedMemory() throws {
        let project = try ScratchProject()
        let entry = "{\"artifact\":\"\",\"check\":\"exec-stack\",\"deployment\":\"\",\"fact\":\"\",\"message\":\"\",\"path\":\"\"},"
        try Self.write(project.path("baseline.json"), repeating: entry, head: "{\"findings\":[", tail: "{\"artifact\":\"\",\"check\":\"exec-stack\",\"deployment\":\"\",\"fact\":\"\",\"path\":\"x\"}],\"version\":2}", upTo: Baseline.maximumBytes)
        let (result, peak) = try Self.measured(["scan", Self.artifact, "--target", "aws-lambda-python3.13-x86_64", "--no-config", "--baseline", "baseline.json"], in: project.root.path)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(peak < 256 * 1024, "peak RSS \(peak) KB")
    }

    @Test func aSixtyMegabyteConfigurationIsRefusedByItsSize() throws {
        let project = try ScratchProject()
        try Self.write(project.path(".shiplint.toml"), repeating: "[[ignore]]\ncheck = \"exec-stack\"\npath = \"a\"\nreason = \"r\"\n", upTo: 60_000_000)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: project.path(".shiplint.toml"))[.size] as? Int)
        let (result, peak) = try Self.measured(["scan", Self.artifact, "--target", "aws-lambda-python3.13-x86_64"], in: project.root.path)
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("shiplint: error: .shiplint.toml: \(size) bytes is over the 1 MiB a configuration may have; not read"), "\(result.stderr)")
        #expect(peak < 64 * 1024, "peak RSS \(peak) KB")
    }

    /// The most expensive TOML per byte (nested arrays), at the limit: parsed (then refused by key) in < 256 MB.
    @Test func aConfigurationAtTheLimitIsParsedInBoundedMemory() throws {
        let project = try ScratchProject()
        try Self.write(project.path(".shiplint.toml"), repeating: "[[[[1]]]],", head: "x = [", tail: "]\n", upTo: ProjectConfiguration.maximumBytes)
        let (result, peak) = try Self.measured(["scan", Self.artifact, "--target", "aws-lambda-python3.13-x86_64"], in: project.root.path)
        #expect(result.status == 2)
        #expect(result.stderr.contains(".shiplint.toml: at 'x': unknown key"), "\(result.stderr)")
        #expect(peak < 256 * 1024, "peak RSS \(peak) KB")
    }

    /// Table headers toml++ 3.4 asserts on (marzer/tomlplusplus#301; found by `make fuzz`, reproducer in
    /// fixtures/fuzz/crashes/config): a syntax error naming the line and column, not an abort (exit 134).
    @Test(arguments: ["[\nx]\n", "[=a]\n", "[.a]\n", "[#]\n", "[[\n", "[[[1]]]\n", "fail-on = \"error\"\n  [ \t=x]\n", "[\n\u{FFFD}", "\u{FEFF}[[\u{FFFD}"])
    func tableHeadersTomlPlusPlusWouldAbortOnAreErrors(text: String) throws {
        let project = try ScratchProject()
        try project.write(".shiplint.toml", text)
        let result = try project.run(["scan", Self.artifact, "--target", "aws-lambda-python3.13-x86_64"])
        #expect(result.status == 2, "\(text.debugDescription): \(result.stderr)")
        #expect(result.stderr.hasPrefix("shiplint: error: .shiplint.toml: line "), "\(result.stderr)")
        #expect(result.stderr.contains("Error while parsing table header: expected bare key starting character or string delimiter"), "\(result.stderr)")
    }

    /// A `}` where an array expects a value, which toml++ 3.4 asserts on in `parse_value` (found by `make fuzz` in a
    /// configuration and in a rule file; reproducers in fixtures/fuzz/crashes/config and rules): a syntax error naming
    /// the line and column, not an abort (exit 134).
    @Test(arguments: [
        ("x = [}\n", 1, 6), ("SS=[}[\n\n", 1, 5), ("x = [1, }\n", 1, 9), ("x = [\n  # a comment\n  }\n", 3, 3),
        ("x = [[1], [}]]\n", 1, 12), ("x = { a = [ \"}\", }\n", 1, 18),
    ])
    func arraysTomlPlusPlusWouldAbortOnAreErrors(text: String, line: Int, column: Int) throws {
        let project = try ScratchProject()
        try project.write(".shiplint.toml", text)
        let result = try project.run(["scan", Self.artifact, "--target", "aws-lambda-python3.13-x86_64"])
        #expect(result.status == 2, "\(text.debugDescription): \(result.stderr)")
        #expect(result.stderr.hasPrefix("shiplint: error: .shiplint.toml: line \(line), column \(column): Error while parsing array: expected value or closing ']', saw '}'"), "\(result.stderr)")
    }

    /// Headers, arrays of tables, arrays spanning lines and strings holding brackets are still read as TOML.
    @Test func validTOMLStillParses() throws {
        let text = """
            # a comment [=x]
            version = 1
            target = "aws-lambda-python3.13-x86_64"  # [not a header]
            layers = [
              "a.zip",  # [=]
              'b.zip',
            ]
            braces = [ { a = 1 }, {}, "}", [ { } ] ]  # }

            [severity]
            exec-stack = "warning"

            [[ignore]]
            check = "exec-stack"
            path = \"\"\"pkg/[abc]
            \"\"\"
            reason = '''
            [=not a header]
            '''

            [ "severity-2" ]
            """
        let value = try ConfigValue.parse(toml: text, file: "x.toml")
        #expect(value["severity-2"] != nil)
        #expect(value["layers"] == .array([.string("a.zip"), .string("b.zip")]))
        #expect(value["braces"] != nil)
    }
}

/// The baseline reader (`BaselineJSON`) against the JSONSerialization reading it replaced, on generated baselines:
/// the same entries, or the same error naming the same key path.
@Suite struct BaselineReaderTests {
    /// The reading before issue 28, kept as the reference (it held a Foundation object per value).
    static func reference(_ data: Data, file: String) -> Result<Baseline, ConfigurationError> {
        func error(_ keyPath: String?, _ message: String) -> ConfigurationError {
            ConfigurationError(file: file, keyPath: keyPath, message: message)
        }
        guard let object = try? JSONSerialization.jsonObject(with: data), let top = object as? [String: Any] else {
            return .failure(error(nil, "not a JSON object; is this a shiplint baseline?"))
        }
        for key in top.keys.sorted() where !Baseline.fileKeys.contains(key) {
            return .failure(error(key, "unknown key (allowed here: \(Baseline.fileKeys.sorted().joined(separator: ", ")))"))
        }
        guard let version = top["version"] as? Int else { return .failure(error("version", "missing or not an integer")) }
        guard let allowed = Baseline.entryKeys[version] else {
            return .failure(error("version", "unsupported version \(version) (this shiplint reads versions 1, 2 and 3)"))
        }
        guard let findings = top["findings"] as? [Any] else { return .failure(error("findings", "missing or not an array")) }
        var entries: [Baseline.Entry] = []
        for (index, item) in findings.enumerated() {
            let where_ = "findings[\(index)]"
            guard let fields = item as? [String: Any] else { return .failure(error(where_, "expected an object")) }
            for key in fields.keys.sorted() where !allowed.contains(key) {
                return .failure(error("\(where_).\(key)", "unknown key (allowed here: \(allowed.sorted().joined(separator: ", ")))"))
            }
            // In the order the old reading checked them: check, deployment, then artifact, path, fact.
            var texts: [String: String] = [:]
            for key in ["check", "deployment", "artifact", "group", "path", "fact"] {
                if key == "deployment" {
                    if version >= 2, let value = fields["deployment"], !(value is String) { return .failure(error("\(where_).deployment", "not a string")) }
                    continue
                }
                if key == "group" && version < 3 { continue }
                guard let value = fields[key] as? String else { return .failure(error("\(where_).\(key)", "missing or not a string")) }
                texts[key] = value
                if key == "check", !Baseline.knownChecks.contains(value) {
                    return .failure(error("\(where_).check", "unknown check '\(value)'\(Suggestion.didYouMean(value, among: Baseline.knownChecks)) (`shiplint checks` lists them)"))
                }
                if key == "path", !(texts["group"] ?? "").isEmpty, !value.isEmpty {
                    return .failure(error("\(where_).path", "an entry names its group or its path, not both (the path is empty when the group is set)"))
                }
            }
            entries.append(Baseline.Entry(
                identity: FindingIdentity(
                    check: texts["check"]!, deployment: version >= 2 ? ((fields["deployment"] as? String) ?? "") : "",
                    artifact: texts["artifact"]!, group: texts["group"] ?? "", path: texts["path"]!, fact: texts["fact"]!),
                message: (fields["message"] as? String) ?? ""))
        }
        return .success(version == 1 ? .v1(entries) : version == 2 ? .v2(entries) : .v3(entries))
    }

    static func document(_ generator: inout ErrorTextReadingTests.Generator) -> String {
        let strings = ["", "exec-stack", "glibc-too-new", "no-such-check", "exec-stak", "pkg/_mod.so", "GLIBC_2.28", "é\\u00e9",
            "line\\nbreak", "quote\\\"d", "\\ud83d\\ude00", "/", "build/function.zip"]
        func string() -> String { "\"" + strings.randomElement(using: &generator)! + "\"" }
        func value() -> String {
            switch Int.random(in: 0..<10, using: &generator) {
            case 0: "1"
            case 1: "null"
            case 2: "[]"
            case 3: "{\"a\": [1, {\"b\": null}]}"
            default: string()
            }
        }
        func entry() -> String {
            if Int.random(in: 0..<25, using: &generator) == 0 { return value() }
            var keys = ["check", "artifact", "path", "fact"].filter { _ in Int.random(in: 0..<12, using: &generator) != 0 }
            for extra in ["deployment", "group", "message", "bogus"] where Int.random(in: 0..<3, using: &generator) == 0 { keys.append(extra) }
            keys.shuffle(using: &generator)
            return "{" + keys.map { key in
                let text = key == "check" ? "\"" + ["exec-stack", "glibc-too-new", "no-such-check"].randomElement(using: &generator)! + "\"" : string()
                return "\"\(key)\": " + (Int.random(in: 0..<8, using: &generator) == 0 ? value() : text)
            }.joined(separator: ", ") + "}"
        }
        var members: [String] = []
        if Int.random(in: 0..<10, using: &generator) != 0 {
            members.append("\"findings\": [" + (0..<Int.random(in: 0...4, using: &generator)).map { _ in entry() }.joined(separator: ",\n  ") + "]")
        }
        if Int.random(in: 0..<10, using: &generator) != 0 { members.append("\"version\": " + ["1", "2", "2", "3", "\"2\""].randomElement(using: &generator)!) }
        if Int.random(in: 0..<2, using: &generator) == 0 { members.append("\"tool\": \"shiplint 0.1.0\"") }
        if Int.random(in: 0..<2, using: &generator) == 0 { members.append("\"target\": " + value()) }
        if Int.random(in: 0..<15, using: &generator) == 0 { members.append("\"extra\": 1") }
        members.shuffle(using: &generator)
        var text = "{" + members.joined(separator: ", ") + "}"
        if Int.random(in: 0..<20, using: &generator) == 0 { text = String(text.prefix(Int.random(in: 0..<text.count, using: &generator))) }
        if Int.random(in: 0..<30, using: &generator) == 0 { text = "[" + text + "]" }
        return text
    }

    @Test func readsWhatJSONSerializationRead() {
        var generator = ErrorTextReadingTests.Generator(state: 32)
        var outcomes = Set<String>()
        for round in 0..<3000 {
            let text = Self.document(&generator)
            let reference = Self.reference(Data(text.utf8), file: "b.json")
            let read = Result { () throws(ConfigurationError) -> Baseline in try Baseline.parse(Data(text.utf8), file: "b.json") }
            switch (read, reference) {
            case (.success(let mine), .success(let theirs)):
                #expect(mine == theirs, "round \(round): \(text)")
                outcomes.insert("read")
            case (.failure(let mine), .failure(let theirs)):
                if theirs.message.hasPrefix("not a JSON object") {
                    #expect(mine.message.hasPrefix("not a JSON object") || mine.message.hasPrefix("not valid JSON at byte"), "round \(round): \(text): \(mine)")
                } else {
                    #expect(mine == theirs, "round \(round): \(text)")
                }
                outcomes.insert(theirs.keyPath ?? "syntax")
            default:
                Issue.record("round \(round): \(text)\nnew: \(read)\nold: \(reference)")
            }
        }
        // Successes and each kind of error were compared.
        #expect(outcomes.isSuperset(of: ["read", "syntax", "version", "findings", "extra"]), "\(outcomes.sorted())")
        #expect(outcomes.contains { $0.hasSuffix(".check") } && outcomes.contains { $0.hasSuffix(".bogus") } && outcomes.contains { $0.hasSuffix("]") })
    }
}
