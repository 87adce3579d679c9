import ShiplintOutcome
import ShiplintFacts

/// The JSON shape of what `inspect` reads (schema 1, documented in the README); `scan` reuses it. `symbols: false`
/// (scan) gives each ELF's symbol counts instead of its dynamic symbol table, which runs to tens of thousands of
/// entries in a large library and is `inspect`'s business.
enum FactsJSON {
    static func artifact(_ artifact: Artifact, symbols: Bool = true) -> [String: JSONValue] {
        var fields = artifactFields(artifact)
        fields["binaries"] = .array(artifact.binaries.map { binary($0, symbols: symbols) })
        return fields
    }

    /// The artifact's fields but its binaries.
    private static func artifactFields(_ artifact: Artifact) -> [String: JSONValue] {
        [
            "path": .string(artifact.path),
            "kind": .string(artifact.kind.rawValue),
            "entries": .int(artifact.entries.count),
            "problems": .array(artifact.problems.map { problem in
                .object(["kind": .string(problem.kind.rawValue), "path": .optional(problem.path), "message": .string(problem.message)])
            }),
        ]
    }

    static func binary(_ binary: Binary, symbols: Bool = true) -> JSONValue {
        var fields = binaryFields(binary)
        if symbols, case .elf(let elf)? = binary.facts { fields["symbols"] = .array(elf.symbols.map(symbol)) }
        return .object(fields)
    }

    /// One artifact as `artifact(_:)` gives it, written into `writer` a binary at a time, each ELF's symbols one by
    /// one: the symbols of a layer are never all values at once (issue #10: peak memory). `extra` adds fields to a
    /// binary's object (`resolved` for `inspect --tree`).
    static func writeArtifact(
        _ artifact: Artifact, into writer: inout JSONWriter, indent: String, listing: Bool = false,
        extra: @escaping (Binary) -> [String: JSONValue] = { _ in [:] }
    ) {
        var parts = artifactFields(artifact).mapValues { JSONWriter.Part.value($0) }
        if listing {
            parts["listing"] = .written { writer, indent in
                writer.array(count: artifact.entries.count, indent: indent) { writer, index, indent in
                    writer.write(entry(artifact.entries[index]), indent: indent)
                }
            }
        }
        parts["binaries"] = .written { writer, indent in
            writer.array(count: artifact.binaries.count, indent: indent) { writer, index, indent in
                let binary = artifact.binaries[index]
                var fields = binaryFields(binary).mapValues { JSONWriter.Part.value($0) }
                for (key, value) in extra(binary) { fields[key] = .value(value) }
                if case .elf(let elf)? = binary.facts {
                    fields["symbols"] = .written { writer, indent in
                        writer.array(count: elf.symbols.count, indent: indent) { writer, index, indent in
                            writer.write(symbol(elf.symbols[index]), indent: indent)
                        }
                    }
                }
                writer.object(fields, indent: indent)
            }
        }
        writer.object(parts, indent: indent)
    }

    /// One entry as listed (`inspect --entries`): path, type (file, directory, symlink, hardlink, other), size, target.
    static func entry(_ entry: ArtifactEntry) -> JSONValue {
        let (type, target) = typeAndTarget(entry.type)
        return .object(["path": .string(entry.path), "type": .string(type), "size": .int(Int(entry.size)), "target": .optional(target)])
    }

    static func typeAndTarget(_ type: ArtifactEntry.EntryType) -> (String, String?) {
        switch type {
        case .file: ("file", nil)
        case .directory: ("directory", nil)
        case .symlink(let target): ("symlink", target)
        case .hardlink(let target): ("hardlink", target)
        case .other: ("other", nil)
        }
    }

    static func symbol(_ symbol: DynamicSymbol) -> JSONValue {
        .object([
            "name": .string(symbol.name),
            "version": .optional(symbol.version),
            "file": .optional(symbol.versionFile),
            "defined": .bool(symbol.isDefined),
            "weak": .bool(symbol.isWeak),
            "kind": .string(symbol.kind.rawValue),
        ])
    }

    /// A binary's fields without its symbol list.
    static func binaryFields(_ binary: Binary) -> [String: JSONValue] {
        var fields: [String: JSONValue] = [
            "path": .string(binary.path),
            "size": .int(Int(binary.size)),
            "problem": .optional(binary.problem),
        ]
        if let target = binary.linkTarget { fields["link_target"] = .string(target) }
        guard let facts = binary.facts else {
            fields["format"] = .null
            fields["arch"] = .null
            return fields
        }
        fields["format"] = .string(facts.format.rawValue)
        fields["arch"] = .string(facts.arch)
        fields["needed"] = .strings(facts.needed)
        switch facts {
        case .elf(let elf):
            fields["bits"] = .int(elf.bits)
            fields["endian"] = .string(elf.byteOrder.rawValue)
            fields["type"] = .string(elf.type.rawValue)
            fields["osabi"] = .string(elf.osABI)
            fields["soname"] = .optional(elf.soname)
            fields["rpath"] = .strings(elf.rpath)
            fields["runpath"] = .strings(elf.runpath)
            fields["interpreter"] = .optional(elf.interpreter)
            var needs: [String: JSONValue] = [:]
            for need in elf.versionNeeds {
                let earlier: [String]
                if case .array(let items)? = needs[need.file] { earlier = items.compactMap { if case .string(let s) = $0 { s } else { nil } } } else { earlier = [] }
                needs[need.file] = .strings((earlier + need.names).sorted())
            }
            fields["version_needs"] = .object(needs)
            fields["version_defs"] = .strings(elf.versionDefinitions)
            fields["max_versions"] = .object(elf.maxVersions.mapValues { .string($0.description) })
            fields["exec_stack"] = elf.executableStack.map { .bool($0) } ?? .null
            fields["x86_isa_needed"] = .optional(elf.x86ISANeeded.last)
            fields["libc"] = .string(elf.libc.rawValue)
            // What the loader binds: every dynamic symbol, imports with the version and file they need.
            let imports = elf.symbols.count - elf.symbols.definedCount
            fields["symbol_counts"] = .object(["imported": .int(imports), "exported": .int(elf.symbols.count - imports)])
            fields["node_addon"] = NodeAddon(elf).map(NodeAddonText.json) ?? .null
        case .pe(let pe):
            fields["bits"] = .int(pe.bits)
            fields["endian"] = .string("little")
            fields["dll"] = .bool(pe.isDLL)
            fields["type"] = .string(pe.isDLL ? "dyn" : "exec")
        case .macho(let macho):
            if let first = macho.slices.first, macho.slices.allSatisfy({ $0.bits == first.bits && $0.byteOrder == first.byteOrder }) {
                fields["bits"] = .int(first.bits)
                fields["endian"] = .string(first.byteOrder.rawValue)
            }
            // Shared by every slice (a thin file's one slice): shown at the top level too.
            if let first = macho.slices.first {
                if macho.slices.allSatisfy({ $0.fileType == first.fileType }) { fields["macho_filetype"] = .string(first.fileType) }
                if macho.slices.allSatisfy({ $0.minimumOS == first.minimumOS }) { fields["min_os"] = .optional(first.minimumOS) }
            }
            fields["slices"] = .array(macho.slices.map { slice in
                .object([
                    "arch": .string(slice.arch),
                    "bits": .int(slice.bits),
                    "endian": .string(slice.byteOrder.rawValue),
                    "cpu_type": .int(Int(slice.cpuType)),
                    "cpu_subtype": .int(Int(slice.cpuSubtype)),
                    "filetype": .string(slice.fileType),
                    "needed": .strings(slice.loadDylibs),
                    "min_os": .optional(slice.minimumOS),
                    "platform": .optional(slice.platform),
                ])
            })
        }
        return fields
    }
}
