import ShiplintChecks
import ShiplintOutcome
import ShiplintFacts
import ShiplintTargets

public enum OutputFormat: String, Sendable, CaseIterable {
    case text, json
}

/// How text output is styled: colour only when writing to a terminal.
public struct TextStyle: Sendable {
    public let colour: Bool

    public init(colour: Bool) {
        self.colour = colour
    }

    func paint(_ text: String, _ code: String) -> String {
        colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    func severity(_ severity: Severity) -> String {
        switch severity {
        case .error: paint("error", "1;31")
        case .warning: paint("warning", "1;33")
        case .note: paint("note", "1;36")
        }
    }

    func bold(_ text: String) -> String { paint(text, "1") }
}

/// `shiplint inspect` output.
public enum InspectReport {
    /// `graph`, when given (`--tree`), adds each binary's resolved dependencies; `symbols` lists every dynamic symbol
    /// in text (JSON always has the list).
    public static func render(
        _ artifacts: [Artifact], graph: LoadGraph? = nil, symbols: Bool = false, format: OutputFormat, style: TextStyle
    ) -> String {
        switch format {
        case .json:
            var bytes: [UInt8] = []
            var writer = JSONWriter { bytes.append(contentsOf: $0) }
            writeJSON(artifacts, graph: graph, into: &writer)
            return String(decoding: bytes, as: UTF8.self)
        case .text:
            let facts = artifacts.map { text($0, symbols: symbols, style: style) }.joined(separator: "\n")
            guard let graph else { return facts }
            return facts + "\n" + style.bold("Dependency tree") + "\n\n" + DependencyTree.text(graph, style: style)
        }
    }

    /// The JSON document (schema 1) written into `writer` as it is made, a binary at a time: with every dynamic
    /// symbol of a layer it runs to tens of MB, never held whole as values or text (issue #10: peak memory).
    /// `entries` (`--entries`) adds every entry as the reader listed it (`listing`).
    public static func writeJSON(_ artifacts: [Artifact], graph: LoadGraph? = nil, entries: Bool = false, into writer: inout JSONWriter) {
        let resolved = graph.map(DependencyTree.json) ?? [:]
        writer.object([
            "schema": .value(.int(1)),
            "artifacts": .written { writer, indent in
                writer.array(count: artifacts.count, indent: indent) { writer, index, indent in
                    let artifact = artifacts[index]
                    FactsJSON.writeArtifact(artifact, into: &writer, indent: indent, listing: entries) { binary in
                        graph == nil ? [:] : ["resolved": resolved[artifact.path + "\u{0}" + binary.path] ?? .object([:])]
                    }
                }
            },
        ], indent: "")
        writer.raw("\n")
        writer.flush()
    }

    /// The text report written into `writer` a binary at a time (the bytes of `render(format: .text)`): with
    /// `--symbols` a large library runs to tens of thousands of lines, never all held at once.
    public static func writeText(
        _ artifacts: [Artifact], graph: LoadGraph? = nil, symbols: Bool, entries: Bool = false, style: TextStyle, into writer: inout JSONWriter
    ) {
        for (index, artifact) in artifacts.enumerated() {
            if index > 0 { writer.raw("\n") }
            writer.raw(style.bold(SafeText.lineStart(artifact.path)) + "  (\(ArtifactSummary.describe(artifact)))\n")
            if entries {
                for entry in artifact.entries { writer.raw("  " + EntryText.line(entry) + "\n") }
            }
            for binary in artifact.binaries {
                writer.raw("  " + style.bold(SafeText.lineStart(binary.path)) + "\n")
                BinaryText.eachLine(binary, symbols: symbols) { writer.raw("    " + $0 + "\n") }
            }
            for problem in artifact.problems {
                writer.raw("  " + style.paint("problem", "1;31") + " \(SafeText.escaped(problem.path ?? artifact.path)): \(SafeText.escaped(problem.message))\n")
            }
        }
        if let graph { writer.raw("\n" + style.bold("Dependency tree") + "\n\n" + DependencyTree.text(graph, style: style)) }
        writer.flush()
    }

    static func text(_ artifact: Artifact, symbols: Bool, style: TextStyle) -> String {
        var lines = [style.bold(SafeText.lineStart(artifact.path)) + "  (\(ArtifactSummary.describe(artifact)))"]
        for binary in artifact.binaries {
            lines.append("  " + style.bold(SafeText.lineStart(binary.path)))
            lines += BinaryText.lines(binary, symbols: symbols).map { "    " + $0 }
        }
        for problem in artifact.problems {
            lines.append("  " + style.paint("problem", "1;31") + " \(SafeText.escaped(problem.path ?? artifact.path)): \(SafeText.escaped(problem.message))")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// One entry as `inspect --entries` lists it: its type, path, size, and a link's target.
enum EntryText {
    static func line(_ entry: ArtifactEntry) -> String {
        let (type, target) = FactsJSON.typeAndTarget(entry.type)
        return "\(type.padded(toLength: 9)) \(SafeText.escaped(entry.path))"
            + (target.map { " -> " + SafeText.escaped($0) } ?? "") + " (\(entry.size) bytes)"
    }
}

enum ArtifactSummary {
    static func describe(_ artifact: Artifact) -> String {
        let entries = artifact.entries.count
        let binaries = artifact.binaries.count
        return "\(artifact.kind.rawValue), \(entries) \(entries == 1 ? "entry" : "entries"), \(binaries) \(binaries == 1 ? "binary" : "binaries")"
    }
}

/// The facts of one binary as aligned `label  value` lines: what `readelf -h -d -V -l` would show, in one place.
enum BinaryText {
    static func lines(_ binary: Binary, symbols: Bool = false) -> [String] {
        var lines: [String] = []
        eachLine(binary, symbols: symbols) { lines.append($0) }
        return lines
    }

    /// The lines one at a time: with --symbols a large library has tens of thousands (issue #10: peak memory).
    static func eachLine(_ binary: Binary, symbols: Bool, _ emit: (String) -> Void) {
        guard let facts = binary.facts else { return emit(row("unreadable", binary.problem ?? "unknown problem")) }
        func append(_ pair: (String, String)) { emit(row(pair.0, SafeText.escaped(pair.1))) }
        switch facts {
        case .elf(let elf):
            append(("format", "ELF \(elf.bits)-bit \(elf.byteOrder.rawValue) endian, \(elf.arch), \(elf.type.rawValue), OS ABI \(elf.osABI)"))
            if let interpreter = elf.interpreter { append(("interpreter", interpreter)) }
            if let soname = elf.soname { append(("soname", soname)) }
            if !elf.needed.isEmpty { append(("needed", elf.needed.joined(separator: ", "))) }
            if !elf.rpath.isEmpty { append(("rpath", elf.rpath.joined(separator: ":"))) }
            if !elf.runpath.isEmpty { append(("runpath", elf.runpath.joined(separator: ":"))) }
            for need in elf.versionNeeds { append(("versions", "\(need.file): \(numericOrder(need.names).joined(separator: " "))")) }
            if !elf.versionDefinitions.isEmpty { append(("defines", elf.versionDefinitions.joined(separator: " "))) }
            let highest = elf.maxVersions
            if !highest.isEmpty {
                append(("highest", SymbolVersion.trackedFamilies.compactMap { family in highest[family].map { "\(family)_\($0)" } }.joined(separator: " ")))
            }
            if let stack = elf.executableStack { append(("stack", stack ? "executable (RWX)" : "not executable")) }
            if !elf.x86ISANeeded.isEmpty { append(("isa", elf.x86ISANeeded.joined(separator: " "))) }
            let libc = elf.libcEvidence
            append(("libc", libc.evidence.isEmpty ? libc.libc.rawValue : "\(libc.libc.rawValue) (\(libc.evidence))"))
            if !elf.symbols.isEmpty {
                let imports = elf.symbols.count - elf.symbols.definedCount
                append(("symbols", "\(imports) imported, \(elf.symbols.count - imports) exported\(symbols ? "" : " (--symbols lists them)")"))
                if symbols {
                    for symbol in elf.importedSymbols { append(("  imports", describe(symbol))) }
                    for symbol in elf.exportedSymbols { append(("  exports", describe(symbol))) }
                }
            }
            if let addon = NodeAddon(elf) { append(("node addon", NodeAddonText.describe(addon))) }
        case .pe(let pe):
            append(("format", "PE \(pe.bits)-bit \(pe.isDLL ? "DLL" : "executable"), \(pe.arch)"))
            if !pe.imports.isEmpty { append(("imports", pe.imports.joined(separator: ", "))) }
        case .macho(let macho):
            append(("format", macho.isFat ? "Mach-O universal (\(macho.slices.count) slices)" : "Mach-O"))
            for slice in macho.slices {
                let minimum = slice.minimumOS.map { ", \(slice.platform ?? "os") \($0)+" } ?? ""
                append(("slice", "\(slice.arch) \(slice.bits)-bit \(slice.fileType)\(minimum)"))
                if !slice.loadDylibs.isEmpty { append(("  loads", slice.loadDylibs.joined(separator: ", "))) }
            }
        }
    }

    /// `zcalloc@ZLIB_1.2.0 from libz.so.1`, `PyInit_spam`, `__gmon_start__ (weak)`: what the loader binds.
    static func describe(_ symbol: DynamicSymbol) -> String {
        var text = symbol.name + (symbol.version.map { "@" + $0 } ?? "")
        if let file = symbol.versionFile { text += " from \(file)" }
        if symbol.isWeak { text += " (weak)" }
        if symbol.kind != .function { text += " [\(symbol.kind.rawValue)]" }
        return text
    }

    /// `GLIBC_2.2.5` before `GLIBC_2.17` for people; names without a number keep their place at the end.
    static func numericOrder(_ names: [String]) -> [String] {
        names.sorted { left, right in
            switch (SymbolVersion(left), SymbolVersion(right)) {
            case (let a?, let b?): a.family != b.family ? a.family < b.family : a.version < b.version
            case (.some, nil): true
            case (nil, .some): false
            case (nil, nil): left < right
            }
        }
    }

    private static func row(_ label: String, _ value: String) -> String {
        label.padded(toLength: 12) + value
    }
}

/// A Node.js addon's kind for `inspect`: `node-api v10 (node_api_create_property_key_utf8)`, `node-api v8 or lower`,
/// `legacy v108`, `legacy addon, ABI version not read`.
enum NodeAddonText {
    static var functionVersions: [String: Int] { NodeAPITable.functionVersions }

    static func describe(_ addon: NodeAddon) -> String {
        guard case .nodeAPI = addon else { return addon.summary }
        let needed = addon.requiredNodeAPIVersion(functionVersions)
        return needed.function.map { "node-api v\(needed.version) (\($0))" } ?? "node-api v\(needed.version) or lower"
    }

    static func json(_ addon: NodeAddon) -> JSONValue {
        switch addon {
        case .nodeAPI:
            .object(["kind": .string("node-api"), "napi_version": .int(addon.requiredNodeAPIVersion(functionVersions).version)])
        case .legacy(let version):
            .object(["kind": .string("legacy"), "module_version": version.map { .int($0) } ?? .null])
        }
    }
}
