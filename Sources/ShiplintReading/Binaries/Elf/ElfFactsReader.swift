internal import CLibelf
import ShiplintFacts

/// Reads one ELF file's facts over the held bytes, in the loader's order: program headers, the PT_LOAD mapping, the
/// segments ld.so looks at, then the dynamic table and what it names.
struct ElfFactsReader {
    let held: HeldBytes
    let header: ElfHeader
    typealias Reason = ElfReader.Reason

    /// What the dynamic table leads to.
    struct Collected {
        var needed: [String] = []
        var soname: String?
        var rpath: [String] = []
        var runpath: [String] = []
        var versionNeeds: [VersionNeed] = []
        var versionDefinitions: [String] = []
        var versionNames: VersionNames = [:]
        /// The highest version index (`vna_other`, `vd_ndx`, less the hidden bit) of the records walked: ld.so allocates
        /// `l_versions` with this many records plus one, and none at all when it is 0 (elf/dl-version.c, ndx_high).
        var versionIndexHigh = 0
        /// Version definitions (by index) whose name ld.so points at but cannot read: where it would read it.
        var unreadableDefinitionNames: [Int: UInt64] = [:]
        /// Indexes of those whose vd_ndx has the hidden bit (0x8000): `l_versions[ndx].hidden` (elf/dl-version.c).
        var hiddenUnreadableDefinitions: Set<Int> = []
        /// Version indices whose need is hidden (vna_other's 0x8000 bit: `l_versions[ndx].hidden`, elf/dl-version.c).
        var hiddenVersions: Set<Int> = []
        /// Version indices of weak needs whose name runs past the mapping: where ld.so would read it.
        var unreadableNeedNames: [Int: UInt64] = [:]
        var symbols = DynamicSymbols()
        var nodeModuleVersion: Int?
        var loader = ElfLoaderFacts()
    }

    /// The end of the page that holds the file's last byte: the loader maps that page whole, zeros past the end.
    var mappedFileEnd: Int { (held.size + Int(LoadMap.pageSize) - 1) / Int(LoadMap.pageSize) * Int(LoadMap.pageSize) }

    func view(_ offset: Int, _ count: Int, _ what: @autoclosure () -> String) -> Result<ByteView, Reason> {
        guard held.inFile(offset, count) else {
            // Past the end of the file but in its last page: the loader reads zeros there.
            if offset >= 0, count >= 0, offset <= held.size, count <= mappedFileEnd - offset {
                let inside = held.size - offset
                guard let head = inside == 0 ? [] : held.bytes(offset, inside) else { return .failure(.missing(what(), offset, inside)) }
                return .success(ByteView(head + [UInt8](repeating: 0, count: count - inside), byteOrder: header.byteOrder, base: offset))
            }
            return .failure(Reason(text: "\(what()) (offset \(offset), \(count) bytes) lies past the end of the file (\(held.size) bytes)"))
        }
        guard let view = held.view(offset, count, byteOrder: header.byteOrder) else { return .failure(.missing(what(), offset, count)) }
        return .success(view)
    }

    func read() -> Result<ElfFacts, Reason> {
        let programHeaders: ProgramHeaders
        switch ProgramHeaders.read(held, header: header) {
        case .failure(let reason): return .failure(reason)
        case .success(let read): programHeaders = read
        }
        // x86-64: read as a CPU with protection keys maps it (execute-only pages unreadable, LoadMap), the stricter
        // of the two ways the same kernel maps it.
        let map = LoadMap(programHeaders.segments, fileSize: held.size, executeOnlyUnreadable: header.machine == 62)
        // A range not held: the segments the reader goes on to read are asked for with it (a stream keeps them all in
        // one pass, whatever order the file has them in: patchelf puts a PT_NOTE after PT_DYNAMIC).
        func askingForSegments(_ reason: Reason) -> Reason {
            guard reason.missing != nil else { return reason }
            var reason = reason
            reason.also += segmentRanges(programHeaders.segments, map: map)
            return reason
        }
        let strict = read(programHeaders, map: map).mapError(askingForSegments)
        let executeOnly = map.executeOnlySegments
        guard map.executeOnlyUnreadable, !executeOnly.isEmpty else { return strict }
        // With an execute-only segment the answer may depend on the CPU: read again as a CPU without protection keys
        // does, and when the two differ, say so with what the strict reading found.
        if case .failure(let reason) = strict, reason.missing != nil { return strict }
        let lenient = read(programHeaders, map: LoadMap(programHeaders.segments, fileSize: held.size))
        if case .failure(let reason) = lenient, reason.missing != nil { return lenient.mapError(askingForSegments) }
        let note = "segment\(executeOnly.count == 1 ? "" : "s") \(executeOnly.map(String.init).joined(separator: ", ")) \(executeOnly.count == 1 ? "is" : "are") execute-only (PF_X without PF_R): an x86-64 CPU with memory protection keys (PKU; Intel since Skylake-SP, AMD since Zen 3) gives such pages no read access (Linux execute_only_pkey), and this is what the loader does there; on a CPU without PKU it reads them"
        switch (strict, lenient) {
        case (.success(let facts), .success(let other)) where facts == other: return strict
        // Refused on every CPU: the reason that holds on all of them.
        case (_, .failure): return lenient
        case (.failure(let reason), _):
            return .failure(Reason(text: "\(reason.text) (\(note))"))
        case (.success(let facts), _):
            var loader = facts.loader
            loader.executeOnlyNote = note
            return .success(facts.replacingLoader(loader))
        }
    }

    /// Only the names the loader searches with: the last PT_DYNAMIC with file bytes (as `read` picks it), its tags and
    /// the strings they name. Nothing else is judged (the file's other facts were not read).
    func readLinks() -> ElfLinks? {
        guard case .success(let programHeaders) = ProgramHeaders.read(held, header: header) else { return nil }
        let map = LoadMap(programHeaders.segments, fileSize: held.size)
        var collected = Collected()
        if let dynamic = programHeaders.segments.last(where: { $0.type == UInt32(PT_DYNAMIC) && $0.storedFileSize > 0 }) {
            guard case .success(let tags) = readDynamicTags(dynamic, image: programHeaders.image, map: map),
                case .success(let strings) = readStringTable(tags, map: map)
            else { return nil }
            if let strings, readNames(tags, strings: strings, map: map, into: &collected) != nil { return nil }
        }
        return ElfLinks(
            bits: header.bits, byteOrder: header.byteOrder, machine: header.machine, needed: collected.needed,
            soname: collected.soname, rpath: collected.rpath, runpath: collected.runpath)
    }

    private func read(_ programHeaders: ProgramHeaders, map: LoadMap) -> Result<ElfFacts, Reason> {
        let segments = programHeaders.segments
        if let reason = loadSegmentProblem(map) { return .failure(reason) }
        if !map.holeBeforeFirstEnd, let reason = mappedProgramHeaderProblem(segments, map: map) { return .failure(reason) }
        var interpreter: String?
        var executableStack: Bool?
        var unread: [String] = []
        for segment in segments {
            switch segment.type {
            case UInt32(PT_INTERP):
                // Only the kernel reads PT_INTERP (for a program it runs); ld.so ignores it in what it loads.
                switch view(segment.offset, min(segment.fileSize, 4096), "PT_INTERP") {
                case .failure(let reason):
                    if reason.missing != nil { return .failure(reason) }
                    unread.append("PT_INTERP: \(reason.text)")
                case .success(let interp):
                    if let path = interp.cString(at: segment.offset, end: segment.offset + min(segment.fileSize, 4096)) {
                        interpreter = path
                    } else {
                        unread.append("PT_INTERP (offset \(segment.offset), \(segment.fileSize) bytes) holds no NUL-terminated path")
                    }
                }
            case UInt32(PT_GNU_STACK):
                executableStack = segment.flags & UInt32(PF_X) != 0
            default:
                break
            }
        }
        // The notes are identity, not something the loader needs: damaged ones are left out.
        var isaNeeded: [String] = []
        switch readX86ISANeeded(segments) {
        case .failure(let reason): if reason.missing != nil { return .failure(reason) }
        case .success(let levels): isaNeeded = levels
        }
        var facts = Collected()
        // glibc's loop over the program headers keeps the last PT_DYNAMIC with file bytes; one without (since 2.35: any
        // one without) makes it refuse the file as a debuginfo file.
        let dynamics = segments.filter { $0.type == UInt32(PT_DYNAMIC) }
        if let dynamic = dynamics.last(where: { $0.storedFileSize > 0 }) {
            switch readDynamic(dynamic, image: programHeaders.image, map: map) {
            case .failure(let reason): return .failure(reason)
            case .success(let collected): facts = collected
            }
        }
        facts.loader.dynamicFileSizes = dynamics.map(\.storedFileSize)
        facts.loader.unreadTables = unread + facts.loader.unreadTables
        facts.loader.mappingLength = map.mappingLength
        facts.loader.holeBeforeFirstLoadEnd = map.holeBeforeFirstEnd
        facts.loader.tlsAlignment = map.tlsAlignment
        facts.loader.largestWritableZeroFill = map.loads.filter { $0.flags & 2 != 0 }.map { load in
            let zeroPage = LoadMap.roundUp(load.address &+ UInt64(load.fileSize)), zeroEnd = load.address &+ load.memorySize
            return zeroEnd > zeroPage ? zeroEnd - zeroPage : 0
        }.max() ?? 0
        // glibc stops a version lookup at the first Verdef whose vd_version is not 1: nothing is offered.
        if facts.loader.versionDefinitionRecordVersion != nil { facts.versionDefinitions = [] }
        facts.loader.osABI = header.osABI
        facts.loader.abiVersion = header.abiVersion
        facts.loader.identPaddingIsZero = header.identPaddingIsZero
        facts.loader.fileVersion = header.fileVersion
        facts.loader.objectType = header.type
        facts.loader.loadSegments = map.loads.map {
            .init(index: $0.index, offset: UInt64($0.offset), address: $0.address, alignment: $0.alignment)
        }
        let machine = header.machine
        return .success(
            ElfFacts(
                bits: header.bits, byteOrder: header.byteOrder, machine: machine,
                arch: ElfNames.arch(machine: machine, bits: header.bits, byteOrder: header.byteOrder),
                osABI: ElfNames.osABI(header.osABI), type: ElfNames.objectType(header.type),
                interpreter: interpreter, needed: facts.needed, soname: facts.soname, rpath: facts.rpath, runpath: facts.runpath,
                executableStack: executableStack, versionNeeds: facts.versionNeeds, versionDefinitions: facts.versionDefinitions,
                x86ISANeeded: isaNeeded, symbols: facts.symbols, androidAPILevel: readAndroidAPILevel(segments),
                nodeModuleVersion: facts.nodeModuleVersion, loader: facts.loader))
    }

    /// A PT_LOAD that reaches a page past the one holding the end of the file: the loader maps it, and the first touch
    /// of that page kills the process with SIGBUS (the rest of the last page reads as zeros). (Alignment is a fact: its rule changed in glibc 2.35.)
    private func loadSegmentProblem(_ map: LoadMap) -> Reason? {
        // The has_holes refusal (a fact judged by glibc version) comes first; then what mapping does wrong.
        if map.holeBeforeFirstEnd { return nil }
        if let fault = map.mappingFault { return Reason(text: "mapping its segments, \(fault)") }
        if let outside = map.outsideReservation {
            return Reason(text: "the loader \(outside): it overwrites memory the process is using (another library's code or data) and the process fails or crashes")
        }
        for load in map.loads where load.fileSize > 0 && (load.offset > mappedFileEnd || load.fileSize > mappedFileEnd - load.offset) {
            // Replayed, what counts is the memory the segment's file bytes occupy once every segment is mapped: a later
            // segment may map over the pages past the end of the file (and the rest of the last page reads as zeros).
            // A segment without PF_R is not read by the code that runs.
            if map.replayed {
                guard load.flags & 4 != 0, let at = map.firstUnreadable(load.address, UInt64(load.fileSize)) else { continue }
                return Reason(text: "ELF load command past end of file (segment \(load.index): offset \(load.offset), \(load.fileSize) bytes; the file has \(held.size) bytes): truncated: once every segment is mapped, the page at 0x\(hex(at)) is past the end of the file (or not readable) and the process dies with SIGBUS when it touches it")
            }
            return Reason(text: "ELF load command past end of file (segment \(load.index): offset \(load.offset), \(load.fileSize) bytes; the file has \(held.size) bytes): truncated, the loader maps pages that are not in the file and the process dies with SIGBUS when it touches them")
        }
        return nil
    }

    private func readDynamic(_ segment: Segment, image: [UInt8], map: LoadMap) -> Result<Collected, Reason> {
        let tags: DynamicTags
        switch readDynamicTags(segment, image: image, map: map) {
        case .failure(let reason): return .failure(reason)
        case .success(let read): tags = read
        }
        // A table not held yet is asked for with the others near it (one more pass over a streamed entry, not one each).
        if let reason = mappedDynamicProblem(segment, tags: tags, map: map) ?? hashTableProblem(tags, map: map) {
            return .failure(widened(reason, tags: tags, map: map))
        }
        // elf_dynamic_do_Rela (glibc elf/do-rel.h) takes the symbol table's address from DT_SYMTAB for every object it
        // relocates, even one with no relocations: without the tag it dereferences a null pointer.
        guard tags.symtab != nil else {
            return .failure(Reason(text: "PT_DYNAMIC has no DT_SYMTAB: the loader reads the symbol table's address from it while relocating and faults (SIGSEGV)"))
        }
        var collected = Collected()
        collected.loader.flags1 = tags.flags1
        collected.loader.failedAssertion = tags.failedAssertion(machine: header.machine, bits: header.bits)
        if let reason = readTables(tags, map: map, into: &collected) { return .failure(widened(reason, tags: tags, map: map)) }
        return .success(collected)
    }

    private func readTables(_ tags: DynamicTags, map: LoadMap, into collected: inout Collected) -> Reason? {
        let strings: StringTable
        switch readStringTable(tags, map: map) {
        case .failure(let reason): return reason
        case .success(nil): return relocationProblem(tags, map: map, into: &collected) ?? map.relroProblem.map { Reason(text: $0) }
        case .success(let table?): strings = table
        }
        if let reason = readNames(tags, strings: strings, map: map, into: &collected) { return reason }
        if let verneed = tags.verneed, let reason = readVersionNeeds(verneed, strings: strings, map: map, into: &collected) { return reason }
        if let verdef = tags.verdef, let reason = readVersionDefinitions(verdef, strings: strings, map: map, into: &collected) { return reason }
        // ld.so reads a symbol only when a relocation or a lookup asks for it: a table it cannot read is not, by
        // itself, a file it refuses. What was not read is said in the facts.
        if let symtab = tags.symtab {
            var withoutVersion: Set<String> = []
            switch readSymbols(symtab, tags: tags, strings: strings, versions: collected.versionNames, map: map, lookedUpWithoutVersion: &withoutVersion) {
            case .failure(let reason):
                if reason.missing != nil { return reason }
                collected.loader.unreadTables.append("the dynamic symbol table: \(reason.text)")
            case .success(let symbols):
                collected.symbols = symbols
                collected.loader.importsLookedUpWithoutVersion = withoutVersion.sorted()
            }
        }
        if let reason = relocationProblem(tags, map: map, into: &collected) { return reason }
        if let relro = map.relroProblem { return Reason(text: relro) }
        return readNodeModuleVersion(tags, map: map, into: &collected)
    }

    /// A legacy Node.js addon registering from a constructor: its NODE_MODULE_VERSION is only in its data.
    private func readNodeModuleVersion(_ tags: DynamicTags, map: LoadMap, into collected: inout Collected) -> Reason? {
        guard collected.symbols.containsName(defined: false, { $0.elementsEqual("node_module_register".utf8) }),
            !collected.symbols.containsName(defined: true, { $0.starts(with: "node_register_module_v".utf8) })
        else { return nil }
        var tables: [NodeModuleRecord.Table] = []
        if let rela = tags.rela, let size = tags.relaSize { tables.append(.init(address: rela, size: size, entrySize: tags.relaEntry, hasAddends: true)) }
        if let rel = tags.rel, let size = tags.relSize { tables.append(.init(address: rel, size: size, entrySize: tags.relEntry, hasAddends: false)) }
        switch NodeModuleRecord.version(
            held: held, bits: header.bits, byteOrder: header.byteOrder, machine: header.machine,
            loads: map.loads.map { .init(address: $0.address, offset: $0.offset, fileSize: $0.fileSize) }, tables: tables)
        {
        case .version(let version): collected.nodeModuleVersion = version
        case .missing(let what, let offset, let count): return .missing(what, offset, count)
        }
        return nil
    }
}
