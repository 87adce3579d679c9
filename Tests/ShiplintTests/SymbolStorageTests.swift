import Foundation
import ShiplintFacts
import ShiplintReading
@testable import ShiplintReports
import ShiplintChecks
import ShiplintTargets
import ShiplintOutcome
import Testing

/// Dynamic symbols are held compactly (one name buffer, one record per symbol, interned versions) and made as values
/// when asked for (issue #10: peak memory): every fact a check, a report or `inspect --symbols` shows must come out
/// as the reader found it.
@Suite struct SymbolStorageTests {
    static func function(_ name: String, _ version: String? = nil, from file: String? = nil, defined: Bool = false) -> DynamicSymbol {
        DynamicSymbol(name: name, version: version, versionFile: file, isDefined: defined, isWeak: false, kind: .function)
    }

    /// The whole table of real fixtures, as `readelf --dyn-syms -V` shows them.
    @Test func fixtureSymbolsComeOutAsRead() throws {
        let module = try LoaderViewTests.elfFacts("bin/elf/_usesfoo.cpython-313-x86_64-linux-gnu.so")
        #expect(Array(module.symbols) == [
            Self.function("malloc", "GLIBC_2.2.5", from: "libc.so.6"),
            Self.function("memcpy", "GLIBC_2.14", from: "libc.so.6"),
            Self.function("clock_gettime", "GLIBC_2.17", from: "libc.so.6"),
            Self.function("foo_v2", "LIBFOO_2.0", from: "libfoo.so.1"),
            Self.function("free", "GLIBC_2.2.5", from: "libc.so.6"),
            DynamicSymbol(name: "PyModule_Create2", version: nil, versionFile: nil, isDefined: false, isWeak: false, kind: .other),
            Self.function("PyInit__usesfoo", defined: true),
        ])
        #expect(module.symbols.definedCount == 1)
        #expect(module.importedSymbols.map(\.name) == ["malloc", "memcpy", "clock_gettime", "foo_v2", "free", "PyModule_Create2"])
        #expect(module.exportedSymbols.map(\.name) == ["PyInit__usesfoo"])
        #expect(module.symbols.containsName(defined: false) { $0.elementsEqual("foo_v2".utf8) })
        #expect(!module.symbols.containsName(defined: true) { $0.elementsEqual("foo_v2".utf8) })
        let library = try LoaderViewTests.elfFacts("bin/elf/libfoo.so.1")
        // A definition keeps its version node, never a file.
        #expect(Array(library.symbols) == [Self.function("foo_v1", "LIBFOO_1.0", defined: true), Self.function("foo_v2", "LIBFOO_2.0", defined: true)])
    }

    /// Built from values, the table gives the same values back, in order, whatever was interned first; odd names
    /// (empty, not UTF-8 after decoding, long) survive.
    @Test func valuesSurviveTheStorage() {
        let values = [
            DynamicSymbol(name: "", version: nil, versionFile: nil, isDefined: false, isWeak: true, kind: .other),
            DynamicSymbol(name: "errno", version: "GLIBC_PRIVATE", versionFile: "libc.so.6", isDefined: false, isWeak: false, kind: .tls),
            DynamicSymbol(name: "environ", version: "GLIBC_2.2.5", versionFile: nil, isDefined: true, isWeak: true, kind: .object),
            DynamicSymbol(name: String(repeating: "_ZN5torch", count: 200), version: "GLIBC_2.2.5", versionFile: "libc.so.6", isDefined: false, isWeak: false, kind: .function),
            DynamicSymbol(name: "caf\u{E9}\u{FFFD}", version: nil, versionFile: nil, isDefined: true, isWeak: false, kind: .function),
        ]
        let table = DynamicSymbols(values)
        #expect(Array(table) == values)
        #expect(table.count == 5 && table.definedCount == 2)
        #expect(Array(DynamicSymbols(values.reversed()).reversed()) == values)
        #expect(DynamicSymbols(Array(table)) == table)
        #expect(table != DynamicSymbols(values.dropLast()))
        #expect(table.debugDescription == values.debugDescription)
    }

    /// Kinds, weak bindings and the file of each versioned import, against readelf on this machine's C library
    /// (the fixtures have no weak, object or TLS symbols; libc has all of them).
    @Test func kindsWeaknessAndFilesAgreeWithReadelf() throws {
        guard let readelf = ReadelfOracleTests.readelf,
            let libc = ["/usr/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/aarch64-linux-gnu/libc.so.6", "/lib64/libc.so.6"]
                .first(where: { FileManager.default.fileExists(atPath: $0) })
        else {
            print("skip: readelf or libc.so.6 is missing; the kind comparison did not run")
            return
        }
        let result = try runProgram(readelf, ["--dyn-syms", "-V", "-W", libc])
        var expected: [String] = []
        var files: [Int: String] = [:]
        var inSymbols = false, file = ""
        for line in result.stdout.split(separator: "\n") {
            if line.hasPrefix("Symbol table") { inSymbols = true; continue }
            if line.hasPrefix("Version") { inSymbols = false }
            let fields = line.replacingOccurrences(of: "<OS specific>: ", with: "OS_").split(separator: " ").map(String.init)
            if inSymbols, fields.count >= 8, fields[0].hasSuffix(":"), fields[0] != "Num:", fields[0] != "0:" {
                let kind = switch fields[3] {
                case "FUNC", "IFUNC": "function"
                case "OBJECT", "COMMON": "object"
                case "TLS": "tls"
                default: "other"
                }
                let index = fields.last!.hasPrefix("(") ? Int(fields.last!.dropFirst().dropLast()) : nil
                let name = fields[7].split(separator: "@", maxSplits: 1).first.map(String.init) ?? fields[7]
                expected.append("\(name) \(kind) \(fields[4] == "WEAK" ? "W" : "-") \(index.map { "#\($0)" } ?? "")")
            }
            // Needs: "  000000: Version: 1  File: ld-linux-x86-64.so.2  Cnt: 3", then "  0x0010:   Name: GLIBC_2.3  Flags: none  Version: 13"
            if let at = fields.firstIndex(of: "File:"), at + 1 < fields.count { file = fields[at + 1] }
            if fields.contains("Name:"), let at = fields.lastIndex(of: "Version:"), at + 1 < fields.count, let index = Int(fields[at + 1]) {
                files[index] = file
            }
        }
        let artifact = try ArtifactReader().read(path: libc)
        guard case .elf(let elf)? = artifact.binaries.first?.facts else {
            Issue.record("\(libc) not read as ELF")
            return
        }
        // readelf names the Verneed index of an import; the file is the one that index belongs to.
        let expectedFiles = expected.map { line in line.split(separator: "#").last.flatMap { Int($0) }.flatMap { files[$0] } }
        let shown = zip(elf.symbols, expectedFiles).map { symbol, file in
            "\(symbol.name) \(symbol.kind.rawValue) \(symbol.isWeak ? "W" : "-") \(symbol.versionFile == file ? "" : "file \(symbol.versionFile ?? "none")")"
        }
        #expect(elf.symbols.count == expected.count)
        #expect(elf.symbols.contains { $0.kind == .tls } && elf.symbols.contains { $0.kind == .object } && elf.symbols.contains(where: \.isWeak))
        let trimmed = expected.map { $0.split(separator: "#").first.map { String($0) } ?? $0 }
        let first = zip(shown, trimmed).first { $0 != $1 }
        #expect(first == nil, "first difference: \(first.map { "\($0.0) vs readelf \($0.1)" } ?? "")")
    }

    /// A string table over 1 MiB that is most of the range read for it keeps its names where they were read (not
    /// copied); the symbols still agree with readelf. A large library of the Swift toolchain serves (skipped without).
    @Test func largeSharedStringTableAgreesWithReadelf() throws {
        guard let readelf = ReadelfOracleTests.readelf,
            let path = ["/opt/swift/usr/lib/swift/host/libSwiftSyntax.so", "/usr/lib/x86_64-linux-gnu/libLLVM-15.so.1"]
                .first(where: { FileManager.default.fileExists(atPath: $0) }),
            let expected = ReadelfOracleTests.readelfFacts(path, readelf: readelf)
        else {
            print("skip: readelf or a library with a string table over 1 MiB is missing; the comparison did not run")
            return
        }
        let dynamic = try runProgram(readelf, ["-d", "-W", path]).stdout
        let size = dynamic.split(separator: "\n").first { $0.contains("(STRSZ)") }.flatMap { $0.split(separator: " ").dropFirst(2).first }.flatMap { Int($0) }
        #expect((size ?? 0) > 1 << 20, "\(path): DT_STRSZ \(size ?? 0)")
        let artifact = try ArtifactReader().read(path: path)
        guard case .elf(let elf)? = artifact.binaries.first?.facts else {
            Issue.record("\(path) not read as ELF")
            return
        }
        let symbols = elf.symbols.map { symbol in
            let version = symbol.version == symbol.name ? "?" : symbol.version ?? ""
            return "\(symbol.name)@\(symbol.isDefined && version.isEmpty ? "?" : version) \(symbol.isDefined ? "D" : "U") \(symbol.isWeak ? "W" : "-")"
        }
        #expect(symbols.count > 10_000)
        #expect(symbols == expected.symbols, "first difference: \(zip(symbols, expected.symbols).first { $0 != $1 }.map { "\($0.0) vs \($0.1)" } ?? "counts")")
        #expect(DynamicSymbols(Array(elf.symbols)) == elf.symbols)
    }

    /// `inspect --format json` (and `--tree`) is written a binary and a symbol at a time; its bytes are those of the
    /// facts rendered as one JSON value, as it was made before.
    @Test func streamedInspectJSONIsTheRenderedValue() throws {
        let artifacts = try ["artifacts/layer-nested.zip", "artifacts/function-glibc228.zip", "bin/elf/_usesfoo.cpython-313-x86_64-linux-gnu.so"]
            .map { try readArtifact($0) }
        let target = try TargetCatalog.builtIn.load("aws-lambda-python3.13-x86_64")
        let graph = LoaderModel.graph(function: artifacts[1], layers: [artifacts[0]], target: target)
        for graph in [nil, graph] {
            var bytes: [UInt8] = []
            var writer = JSONWriter { bytes.append(contentsOf: $0) }
            InspectReport.writeJSON(artifacts, graph: graph, into: &writer)
            let streamed = String(decoding: bytes, as: UTF8.self)
            #expect(streamed == Self.asOneValue(artifacts, graph: graph))
            #expect(streamed.contains("\"name\": \"foo_v2\""))
            #expect(streamed.contains("\"resolved\": {") == (graph != nil))
        }
        // Through the command: standard output, and a file named with --output.
        let path = Repository.fixture("artifacts/layer-nested.zip")
        let result = try Shiplint.run(["inspect", path, "--format", "json"])
        #expect(result.status == 0)
        let expected = Self.asOneValue([try ArtifactReader().read(path: path)], graph: nil)
        #expect(result.stdout == expected)
        let folder = Scratch.url("shiplint-streamed").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let written = try Shiplint.run(["inspect", path, "--format", "json", "--output", folder + "/facts.json"])
        #expect(written.status == 0 && written.stdout.isEmpty)
        #expect(try String(contentsOfFile: folder + "/facts.json", encoding: .utf8) == expected)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["facts.json"])
    }

    /// `inspect` text (with --symbols, and --tree) is written a binary at a time; its bytes are those of the text
    /// rendered whole.
    @Test func streamedInspectTextIsTheRenderedText() throws {
        let artifacts = try ["artifacts/layer-nested.zip", "artifacts/function-glibc228.zip", "artifacts/hostile/nested-bomb.zip"]
            .map { try readArtifact($0) }
        let target = try TargetCatalog.builtIn.load("aws-lambda-python3.13-x86_64")
        let graph = LoaderModel.graph(function: artifacts[1], layers: [artifacts[0]], target: target)
        for graph in [nil, graph] {
            for symbols in [false, true] {
                for style in [TextStyle(colour: false), TextStyle(colour: true)] {
                    var bytes: [UInt8] = []
                    var writer = JSONWriter { bytes.append(contentsOf: $0) }
                    InspectReport.writeText(artifacts, graph: graph, symbols: symbols, style: style, into: &writer)
                    let rendered = InspectReport.render(artifacts, graph: graph, symbols: symbols, format: .text, style: style)
                    #expect(String(decoding: bytes, as: UTF8.self) == rendered)
                    #expect(rendered.contains("exports   foo_v2@LIBFOO_2.0") == symbols)
                }
            }
        }
    }

    /// The document as one value: what inspect built before it was streamed.
    static func asOneValue(_ artifacts: [Artifact], graph: LoadGraph?) -> String {
        let resolved = graph.map(DependencyTree.json) ?? [:]
        return JSONValue.object([
            "schema": .int(1),
            "artifacts": .array(artifacts.map { artifact in
                var fields = FactsJSON.artifact(artifact)
                if graph != nil, case .array(let binaries)? = fields["binaries"] {
                    fields["binaries"] = .array(zip(artifact.binaries, binaries).map { binary, json in
                        guard case .object(var object) = json else { return json }
                        object["resolved"] = resolved[artifact.path + "\u{0}" + binary.path] ?? .object([:])
                        return .object(object)
                    })
                }
                return .object(fields)
            }),
        ]).rendered()
    }
}
