import ShiplintFacts

/// What ld.so does after mapping, before dlopen returns, that can fault or refuse: it applies the relocations of
/// DT_RELA, DT_JMPREL (RTLD_NOW binds them all) and DT_RELR, writing each at its address, and calls DT_INIT and the
/// DT_INIT_ARRAY entries. Modelled for x86_64 from glibc's sysdeps/x86_64/dl-machine.h (elf_machine_rela,
/// elf_machine_rela_relative) and elf/do-rel.h: a table outside the mapping, a type it does not know, a write to a
/// page that is not mapped writable, a symbol outside the mapping or a constructor outside executable pages is the
/// file's fault, whatever the glibc version. Which symbol each relocation binds to is the `undefined-symbol` check's.
extension ElfFactsReader {
    /// Relocation types glibc's x86_64 elf_machine_rela applies; any other is "unexpected reloc type".
    private static let knownTypes: Set<UInt32> = [0, 1, 2, 5, 6, 7, 8, 10, 16, 17, 18, 32, 33, 36, 37, 38]
    /// Relocation tables larger than this are not modelled (said in the facts): a large library's tables would be
    /// held only for this.
    static let modelledRelocationBytes = 1 << 20

    /// Nil when the relocations and constructors would go through; the reason in the loader's terms otherwise.
    ///
    /// A DT_RELA of 0 means two things. glibc 2.36 and later (DT_RELR support) take it for no table: elf/get-dynamic-info.h
    /// leaves a zero DT_RELA / DT_REL unrelocated ("they may have zero value if there is DT_RELR"), and elf/dynamic-link.h
    /// `_ELF_DYNAMIC_DO_RELOC` skips it ("With DT_RELR, DT_RELA/DT_REL can have zero value": DT_RELASZ and DT_RELACOUNT
    /// are not read, DT_JMPREL is applied alone). Before 2.36 (Amazon Linux 2's 2.26, AL2023's 2.34) get-dynamic-info.h
    /// adds the load address to it like any address, and DT_RELASZ bytes of the ELF header are applied as relocations:
    /// what that does is a fact (`relaAtZeroRefusal`), judged by the target's glibc.
    func relocationProblem(_ tags: DynamicTags, map: LoadMap, into collected: inout Collected) -> Reason? {
        guard tags.rela == 0 else { return appliedRelocationProblem(tags, map: map, into: &collected) }
        var before = collected
        let beforeReason = appliedRelocationProblem(tags, map: map, into: &before)
        if let beforeReason, beforeReason.missing != nil { return beforeReason }
        var skipped = tags
        (skipped.rela, skipped.relaSize, skipped.relaCount) = (nil, nil, nil)
        let reason = appliedRelocationProblem(skipped, map: map, into: &collected)
        if reason == nil {
            if let beforeReason {
                collected.loader.relaAtZeroRefusal = beforeReason.text
            } else if let assertion = before.loader.failedAssertion, assertion != collected.loader.failedAssertion {
                collected.loader.relaAtZeroRefusal = "Inconsistency detected by ld.so: Assertion `\(assertion)' failed!"
            }
        }
        return reason
    }

    private func appliedRelocationProblem(_ tags: DynamicTags, map: LoadMap, into collected: inout Collected) -> Reason? {
        if let reason = missingTagProblem(tags, collected: collected) { return reason }
        guard header.machine == 62, header.bits == 64 else { return nil }
        // elf/do-rel.h walks `r < reladdr + relsize` a whole entry at a time: a size that is not a multiple of 24 reads
        // one more entry, past the table (DT_RELR's loop likewise reads a last whole word).
        var tables: [(name: String, address: UInt64, size: UInt64)] = []
        // The first DT_RELACOUNT entries are applied as relative ones whatever DT_RELASZ says: _ELF_DYNAMIC_DO_RELOC
        // (elf/dynamic-link.h) passes DT_RELACOUNT on as nrelative, and elf/do-rel.h applies `relative < relative +
        // nrelative` before the rest up to DT_RELASZ (glibc 2.28 to 2.36 alike; glibc 2.15 still bounded it by
        // DT_RELASZ, the 2.26 source was not at hand).
        if let rela = tags.rela, let size = tags.relaSize {
            let relative = (tags.relaCount ?? 0).multipliedReportingOverflow(by: 24)
            let read = max(Self.wholeEntries(size, 24), relative.overflow ? UInt64.max / 24 * 24 : relative.partialValue)
            if read > 0 { tables.append(("DT_RELA", rela, read)) }
        }
        if tags.pltrel != nil, let jmprel = tags.jmprel, let size = tags.pltrelSize, size > 0 { tables.append(("DT_JMPREL", jmprel, Self.wholeEntries(size, 24))) }
        if let relr = tags.relr, let size = tags.relrSize, size > 0 { tables.append(("DT_RELR", relr, Self.wholeEntries(size, 8))) }
        // Read past the mapping, a table faults whatever its size: judged before the size that is modelled.
        for table in tables where !map.readable(table.address, Int(clamping: table.size)) {
            return Reason(text: "\(table.name) (address 0x\(hex(table.address)), \(table.size) bytes) runs out of readable mapped memory: the loader reads its entries there and faults (SIGSEGV)")
        }
        let total = tables.reduce(UInt64(0)) { $0 &+ $1.size }
        tables.removeAll { $0.name == "DT_RELR" }
        guard total <= UInt64(Self.modelledRelocationBytes) else {
            collected.loader.unreadTables.append("the relocations (\(total) bytes, more than \(Self.modelledRelocationBytes) are not modelled)")
            return nil
        }
        // Every byte range a relocation of DT_RELA and DT_JMPREL writes, and what it writes there (DT_RELR's come first).
        var relocated = RelocationWrites()
        var relativeLeft = Int(clamping: tags.relaCount ?? 0)
        let hash: HashLookup?
        switch hashLookup(tags, map: map) {
        case .failure(let reason): return reason
        case .success(let found): hash = found
        }
        // A symbol's version record and name are the same for every relocation that looks it up: judged once.
        var checkedSymbols: Set<UInt64> = []
        var bound: Set<String> = []
        var faults: [ElfLoaderFacts.OwnTableLookupFault] = []
        var sizeReadWeakNames: Set<String> = []
        var staticTLS: [ElfLoaderFacts.StaticTLSImport] = [], staticTLSNames: Set<String> = []
        // What the relocations past the relative prefix make ld.so read: DT_VERSYM for each, DT_SYMTAB for a symbol's.
        var readsVersions = false, readsSymbols = false
        // Whether a relocation looks a name up (a symbol that does not bind locally): resolve_map reads DT_STRTAB then.
        var looksUpNames = false
        for table in tables {
            let entries: ByteView, start: Int
            switch mappedTable(table.address, Int(table.size) / 24 * 24, map: map, table.name) {
            case .failure(let reason): return reason
            case .success(nil): continue  // Zeros: R_X86_64_NONE.
            case .success(let found?): (entries, start) = found
            }
            for index in 0..<Int(table.size) / 24 {
                let at = start + index * 24
                let offset = entries.u64(at)!, info = entries.u64(at + 8)!, addend = Int64(bitPattern: entries.u64(at + 16)!)
                let type = UInt32(truncatingIfNeeded: info), symbol = info >> 32
                // The first DT_RELACOUNT entries go to elf_machine_rela_relative, which reads neither r_info's symbol
                // nor DT_VERSYM (elf/do-rel.h): it asserts the type is relative and writes l_addr + r_addend.
                let relativePrefix = table.name == "DT_RELA" && relativeLeft > 0
                if relativePrefix {
                    relativeLeft -= 1
                    if type != 8 && type != 38 {
                        collected.loader.failedAssertion = collected.loader.failedAssertion
                            ?? "ELFW(R_TYPE) (reloc->r_info) == R_X86_64_RELATIVE (DT_RELACOUNT counts relocation \(index), type \(type))"
                        return nil
                    }
                }
                if !relativePrefix {
                    readsVersions = readsVersions || tags.versym != nil
                    readsSymbols = readsSymbols || ![0, 8, 38].contains(type)
                }
                if !relativePrefix, [0, 8, 38].contains(type) || checkedSymbols.insert(symbol).inserted,
                    let reason = bindingProblem(tags, symbol: symbol, type: type, map: map, collected: collected, hash: hash, bound: &bound, faults: &faults, looksUp: &looksUpNames, "relocation \(index) of \(table.name)")
                {
                    return reason
                }
                if type == 6, let reason = profilingHookProblem(tags, symbol: symbol, map: map, "relocation \(index) of \(table.name)") {
                    return reason
                }
                if type == 0 { continue }
                guard Self.knownTypes.contains(type) else {
                    return Reason(text: "unexpected reloc type 0x\(String(type, radix: 16)) (\(table.name) entry \(index)): the loader refuses it")
                }
                let width = [2, 10, 32].contains(type) ? 4 : 8
                if !writable(offset, width, map: map, textrel: tags.textrel) {
                    return Reason(text: "relocation \(index) of \(table.name) writes at 0x\(hex(offset)), which no writable PT_LOAD maps: the loader faults (SIGSEGV) applying it")
                }
                relocated.append(offset, width: width, type == 8 || type == 38
                    ? .value(UInt64(bitPattern: addend)) : .symbol(address: writesAddress(tags, type: type, symbol: symbol, addend: addend, map: map)))
                if symbol != 0, type != 8, type != 38, type != 37 {
                    // Mapped zero fill (the rest of the last page, a segment's p_memsz) reads as zeros: a local symbol 0.
                    guard let symtab = tags.symtab, map.readable(symtab &+ symbol &* 24, 24) else {
                        return Reason(text: "relocation \(index) of \(table.name) names symbol \(symbol), outside the mapped symbol table: the loader faults reading it")
                    }
                }
                if type == 18 || type == 36 {
                    switch staticTLSReference(tags, symbol: symbol, type: type, map: map, collected: collected, "relocation \(index) of \(table.name)") {
                    case .problem(let reason)?: return reason
                    case .lookedUp(let reference)?: if staticTLSNames.insert(reference.name).inserted { staticTLS.append(reference) }
                    case nil: break
                    }
                }
                if type == 32 || type == 33, let name = weakUndefinedName(tags, symbol: symbol, map: map) { sizeReadWeakNames.insert(name) }
                if type == 37, let reason = codeProblem(UInt64(bitPattern: addend), map: map, "relocation \(index) of \(table.name) (R_X86_64_IRELATIVE) calls a resolver at 0x\(hex(UInt64(bitPattern: addend))), which") {
                    return reason
                }
            }
        }
        collected.loader.boundImportNames = bound.sorted()
        collected.loader.ownTableLookupFaults = faults
        collected.loader.sizeReadWeakNames = sizeReadWeakNames.sorted()
        collected.loader.staticTLSImports = staticTLS
        if let reason = relrProblem(tags, map: map, into: &collected, relocated: &relocated) { return reason }
        if let reason = dynamicWriteProblem(tags, map: map, relocated: relocated, readsSymbols: readsSymbols, readsVersions: readsVersions, looksUpNames: looksUpNames) {
            return reason
        }
        return constructorProblem(tags, map: map, relocated: relocated)
    }

    /// ld.so keeps pointers into the mapped PT_DYNAMIC (`l_info`) and reads entries through them after relocations
    /// ran: DT_RELA, DT_JMPREL, DT_SYMTAB and DT_VERSYM after DT_RELR (ELF_DYNAMIC_RELOCATE applies DT_RELR first, then
    /// `_ELF_DYNAMIC_DO_RELOC` and elf/do-rel.h read them), DT_INIT and DT_INIT_ARRAY after every relocation (call_init,
    /// elf/dl-init.c). A relocation that adds the load address to such an entry's value makes ld.so use the load
    /// address twice over (the table entries already hold it, or D_PTR / call_init add it): an address far outside
    /// the object, read or called, and a fault (SIGSEGV).
    private func dynamicWriteProblem(_ tags: DynamicTags, map: LoadMap, relocated: RelocationWrites, readsSymbols: Bool, readsVersions: Bool, looksUpNames: Bool) -> Reason? {
        guard let dynamic = tags.dynamicAddress else { return nil }
        func written(_ tag: Int64) -> (address: UInt64, by: Written)? {
            guard let index = tags.lastIndex[tag] else { return nil }
            let address = dynamic &+ UInt64(index) &* 16 &+ 8
            return relocated.word(at: address).map { (address, $0) }
        }
        // After DT_RELR, while relocating: only a DT_RELR write comes before these are read.
        let readWhileRelocating: [(tag: Int64, name: String, read: Bool)] = [
            (7, "DT_RELA", (tags.relaSize ?? 0) > 0 && tags.rela != 0), (23, "DT_JMPREL", tags.pltrel != nil && (tags.pltrelSize ?? 0) > 0),
            (6, "DT_SYMTAB", readsSymbols), (0x6FFF_FFF0, "DT_VERSYM", readsVersions),
            // resolve_map (elf/dl-reloc.c) takes each name it looks up at D_PTR (l, l_info[DT_STRTAB]) + st_name.
            (5, "DT_STRTAB", looksUpNames),
        ]
        for entry in readWhileRelocating where entry.read {
            if let (address, by) = written(entry.tag), case .inPlace = by {
                return Reason(text: "DT_RELR relocates 0x\(hex(address)), the value of PT_DYNAMIC's \(entry.name) entry, after ld.so read it into its link map: it adds the load address a second time, then reads \(entry.name) at that address, outside the object, and faults (SIGSEGV)")
            }
        }
        // The sizes and counts `_ELF_DYNAMIC_DO_RELOC` (elf/dynamic-link.h) reads through l_info after DT_RELR: one more
        // load address makes ld.so walk that far past the table, applying whatever lies there as relocations until an
        // entry it refuses or a read or write outside the mapping.
        let hasRela = tags.rela != nil && tags.rela != 0
        let sizesReadWhileRelocating: [(tag: Int64, name: String, table: String, read: Bool)] = [
            (8, "DT_RELASZ", "DT_RELA", hasRela), (0x6FFF_FFF9, "DT_RELACOUNT", "DT_RELA", hasRela),
            (2, "DT_PLTRELSZ", "DT_JMPREL", tags.pltrel != nil && tags.jmprel != nil),
        ]
        for entry in sizesReadWhileRelocating where entry.read {
            if let (address, by) = written(entry.tag), case .inPlace = by {
                return Reason(text: "DT_RELR relocates 0x\(hex(address)), the value of PT_DYNAMIC's \(entry.name) entry, before ld.so reads it (elf/dynamic-link.h reads the sizes after DT_RELR): it adds the load address to it, and ld.so walks \(entry.table) that far past its end, applying whatever lies there as relocations, and fails (\"unexpected reloc type\", or SIGSEGV outside the object)")
            }
        }
        // call_init reads DT_INIT_ARRAYSZ through l_info too, after relocating, as a count of words to call from
        // DT_INIT_ARRAY on (`jm = size / sizeof (ElfW(Addr))`, an unsigned int): a load address written there counts
        // far past the array (unless the load address is a multiple of 32 GiB), and the words after it (.fini_array,
        // PT_DYNAMIC's tags) are called as constructors. A symbol's address may be 0 (a weak undefined one): not judged.
        if tags.lastIndex[25] != nil, let (address, by) = written(27) {
            switch by {
            case .symbol: break
            case .value, .inPlace, .garbled:
                return Reason(text: "a relocation writes 0x\(hex(address)), the value of PT_DYNAMIC's DT_INIT_ARRAYSZ entry: dlopen reads it after relocating (call_init, elf/dl-init.c) as the number of constructors, a load address now, and calls the words past DT_INIT_ARRAY as functions: it calls what is not code and faults (SIGSEGV)")
            }
        }
        let readAfterRelocating: [(tag: Int64, name: String)] = [(12, "DT_INIT"), (25, "DT_INIT_ARRAY")]
        for entry in readAfterRelocating {
            guard let (address, by) = written(entry.tag) else { continue }
            switch by {
            case .symbol(address: false): continue
            // A symbol's address plus the load address is no address (two addresses near the top of the lower half
            // add up past it: non-canonical); 0 (a weak name nothing defines) plus the load address is the ELF header:
            // DT_INIT_ARRAY's first word there is the ELF magic, no address either; DT_INIT calls the header, which
            // faults only when its page is not executable.
            // Only for an object linked at 0, whose load address is never 0: one linked higher may be mapped where it
            // was linked (see profilingHookProblem), and then DT_INIT_ARRAY holds the symbol's own address.
            case .symbol(address: true):
                guard map.linkedAtZero, entry.tag == 25 ? (tags.initArraySize ?? 0) >= 8 : !executable(0, map: map) else { continue }
                return Reason(text: "a relocation writes a symbol's address over the value of PT_DYNAMIC's \(entry.name) entry (0x\(hex(address))): dlopen adds the load address to it after relocating (call_init, elf/dl-init.c) and \(entry.tag == 25 ? "reads the constructors there" : "calls it"): an address plus the load address is outside every mapping, and a weak name nothing defines leaves the ELF header (\(entry.tag == 25 ? "whose first word, the ELF magic, is no address" : "not executable")): it faults (SIGSEGV)")
            case .value, .inPlace, .garbled:
                return Reason(text: "a relocation writes 0x\(hex(address)), the value of PT_DYNAMIC's \(entry.name) entry: dlopen adds the load address to what it then holds, a load address already, and calls the constructors there, outside the object: it faults (SIGSEGV)")
            }
        }
        // The next load in the process (CPython importing another module, by path or by name) compares its name with
        // the DT_SONAME of every object loaded before it (elf/dl-load.c _dl_map_object: D_PTR (l, l_info[DT_STRTAB]) +
        // l_info[DT_SONAME]->d_un.d_val, through the link map's pointer into PT_DYNAMIC): a load address written there
        // is a string offset far outside the object.
        if tags.soname != nil, let (address, by) = written(14) {
            switch by {
            case .symbol: break
            case .value, .inPlace, .garbled:
                return Reason(text: "a relocation writes 0x\(hex(address)), the value of PT_DYNAMIC's DT_SONAME entry: ld.so compares the name of every library loaded after it with the string at DT_STRTAB plus that value, a load address now, outside the object, and faults (SIGSEGV) at the next load")
            }
        }
        return nil
    }

    /// elf/do-rel.h: with DT_VERSYM, every relocation past the DT_RELACOUNT ones reads its symbol's version index
    /// there and passes `&l_versions[index]` on. sysdeps/x86_64/dl-machine.h's elf_machine_rela hands every type but
    /// R_X86_64_NONE, RELATIVE and RELATIVE64 to elf/dl-reloc.c's resolve_map, which, for a symbol that does not bind
    /// locally, reads that record's `hash` and looks the symbol's name up (elf/dl-lookup.c _dl_lookup_symbol_x, whose
    /// first step, _dl_new_hash, reads the name at DT_STRTAB + st_name through the mapping, unbounded by DT_STRSZ).
    /// `l_versions` has ndx_high + 1 records, ndx_high the highest index of DT_VERNEED and DT_VERDEF (elf/dl-version.c),
    /// and is a null pointer when that is 0: an index past it is read from whatever the heap holds there (a fault, or a
    /// version record made of garbage), and a name outside the mapping is a fault.
    private func bindingProblem(_ tags: DynamicTags, symbol: UInt64, type: UInt32, map: LoadMap, collected: Collected, hash: HashLookup?, bound: inout Set<String>, faults: inout [ElfLoaderFacts.OwnTableLookupFault], looksUp: inout Bool, _ what: @autoclosure () -> String) -> Reason? {
        var index: UInt16?
        if let versym = tags.versym {
            let entry = versym &+ symbol &* 2
            let read = memory(entry, 2, map: map, "a DT_VERSYM entry")
            if case .failure(let reason) = read { return reason }
            guard case .success(let bytes?) = read else {
                return Reason(text: "\(what()) reads the version index of symbol \(symbol) at 0x\(hex(entry)) (DT_VERSYM), where nothing readable is mapped: the loader faults (SIGSEGV)")
            }
            index = (UInt16(bytes[0]) | UInt16(bytes[1]) << 8) & 0x7FFF
        }
        guard ![0, 8, 38].contains(type), let symtab = tags.symtab else { return nil }
        let read = memory(symtab &+ symbol &* 24, 24, map: map, "a symbol")
        if case .failure(let reason) = read { return reason }
        guard case .success(let entry?) = read else { return nil }
        if let reason = adjustedSymbolProblem(tags, symbol: symbol, at: symtab &+ symbol &* 24, what()) { return reason }
        let binding = entry[4] >> 4, visibility = entry[5] & 3
        // STB_LOCAL, STV_INTERNAL and STV_HIDDEN bind to the object itself: no version record, no lookup.
        guard binding != 0, visibility != 1, visibility != 2 else { return localIFuncProblem(entry, symbol: symbol, map: map, what()) }
        looksUp = true
        // Without DT_STRTAB, _dl_check_map_versions (elf/dl-version.c) returns before it allocates l_versions ("we
        // must be ok"), and resolve_map (elf/dl-reloc.c) takes the name at D_PTR (l, l_info[DT_STRTAB]) + st_name:
        // both are null pointers, whatever the symbol's version index.
        guard tags.strtab != nil else {
            return Reason(text: "\(what()) binds symbol \(symbol), which the loader looks up by name, but PT_DYNAMIC has no DT_STRTAB: ld.so reads the name's address through a null pointer (resolve_map, elf/dl-reloc.c) and faults (SIGSEGV)")
        }
        if let index, index != 0 {
            if collected.versionIndexHigh == 0 {
                return Reason(text: "\(what()) binds symbol \(symbol) with version index \(index) (DT_VERSYM), but the file defines and needs no versions (no DT_VERNEED or DT_VERDEF index above 0): the loader reads the version record through a null pointer and faults (SIGSEGV)")
            }
            // check_match (elf/dl-lookup.c) compares the found symbol's version name with this one (strcmp) only when
            // their hashes agree, as they do for the symbol's own definition here. An undefined reference (weak or
            // strong) has no definition in the file: found unversioned elsewhere (libpython's PyModule_Create2: index 1,
            // hash 0), it binds without reading the name; found nowhere, a weak one binds to 0 and a strong one is an
            // "undefined symbol" error (which reads the name: undefined-symbol judges that load). Another library
            // defining the name under a version whose hash is the file's own is not judged.
            let undefined = entry[6] == 0 && entry[7] == 0
            let undefinedWeakReference = undefined && binding == 2
            if let address = collected.unreadableDefinitionNames[Int(index)], !undefined {
                return Reason(text: "\(what()) binds symbol \(symbol) with version index \(index) (DT_VERSYM), a version the file defines whose name (vda_name, at 0x\(hex(address))) runs into memory the object does not map: the loader compares that name when it finds the symbol and faults (SIGSEGV)")
            }
            // A strong undefined reference with a hidden definition's record (which elf/dl-version.c writes over a
            // need's of the same index): check_match refuses every unversioned definition of an object with
            // DT_VERSYM (libc.so.6, CPython, anything linked against glibc) and compares the name for a definition
            // whose version hash is the record's; nothing else answering, the "undefined symbol" error prints the
            // name (_dl_lookup_symbol_x). Either way ld.so reads it.
            if let address = collected.unreadableDefinitionNames[Int(index)], undefined, binding != 2,
                collected.hiddenUnreadableDefinitions.contains(Int(index))
            {
                return Reason(text: "\(what()) binds symbol \(symbol), which the file does not define, with version index \(index) (DT_VERSYM), a hidden version the file defines whose name (vda_name, at 0x\(hex(address))) runs into memory the object does not map: only a definition of that version answers, which the loader recognises by comparing that name, and otherwise its \"undefined symbol\" error prints it: it faults (SIGSEGV)")
            }
            // A weak need whose name runs past the mapping: check_match compares that name for a definition whose
            // version hash is the need's, and the "undefined symbol" error of a reference nothing answers prints it.
            if let address = collected.unreadableNeedNames[Int(index)], !undefinedWeakReference {
                return Reason(text: "\(what()) binds symbol \(symbol) with version index \(index) (DT_VERSYM), a weak version need whose name (vna_name, at 0x\(hex(address))) runs into memory the object does not map: the loader compares or prints that name when it looks the symbol up and faults (SIGSEGV)")
            }
            if Int(index) > collected.versionIndexHigh {
                return Reason(text: "\(what()) binds symbol \(symbol) with version index \(index) (DT_VERSYM), past the highest index the file's version records give (\(collected.versionIndexHigh)): the loader reads that version record past the end of the array it allocated (\(collected.versionIndexHigh + 1) records), from whatever the heap holds there, and faults or binds the symbol to a garbage version")
            }
        }
        guard let strtab = tags.strtab else { return nil }
        let nameIndex = (0..<4).reduce(UInt64(0)) { $0 | UInt64(entry[$1]) << UInt64(8 * $1) }
        let address = strtab &+ nameIndex
        let name: String
        switch map.string(at: address, limit: 1 << 16, held: held, what: "a symbol name") {
        case .failure(let reason): return reason
        case .success(let found?): name = found
        case .success(nil): return Reason(text: "\(what()) binds symbol \(symbol), whose name (st_name \(nameIndex), at 0x\(hex(address))) runs into memory the object does not map: the loader faults (SIGSEGV) hashing it to look it up")
        }
        let section = UInt16(entry[6]) | UInt16(entry[7]) << 8
        if section == 0 { bound.insert(name) }
        // The lookup of an undefined name reaches the object's own table (see ElfHashLookup) when the global scope
        // does not answer it first (the object is the first of its own local scope, before its DT_NEEDED libraries):
        // whether the program or libc.so.6 defines the name is the target's, so a read outside the mapping there is
        // a fact. A name the object defines is not judged: any library of the process's global scope may define it
        // too (the python3 that loads a libz variant has libpython's libz), which no target describes. A copy
        // relocation skips the object itself (ELF_RTYPE_CLASS_COPY, elf/dl-lookup.c skip_map).
        guard let hash, section == 0, type != 5 else { return nil }
        switch lookupProblem(Array(name.utf8), in: hash, tags: tags, map: map) {
        case .failure(let reason): return reason
        case .success(nil): return nil
        case .success(let problem?):
            let version = index.flatMap { $0 > 1 ? collected.versionNames[Int($0)]?.name : nil }
            let hidden = index.map { collected.hiddenVersions.contains(Int($0)) } ?? false
            faults.append(.init(name: name, version: version, reason: "\(what()) binds symbol \(symbol): \(problem.text)", hidden: hidden))
            return nil
        }
    }

    /// A symbol that binds to the object itself (RESOLVE_MAP, elf/dl-reloc.c: STB_LOCAL, STV_INTERNAL or STV_HIDDEN)
    /// and is a defined STT_GNU_IFUNC: elf_machine_rela (sysdeps/x86_64/dl-machine.h) calls its resolver, at the load
    /// address plus st_value (st_value alone for SHN_ABS, SYMBOL_ADDRESS), while relocating, before dlopen returns
    /// (RTLD_NOW, as CPython imports). The resolver must be code of the object.
    private func localIFuncProblem(_ entry: [UInt8], symbol: UInt64, map: LoadMap, _ what: @autoclosure () -> String) -> Reason? {
        let section = UInt16(entry[6]) | UInt16(entry[7]) << 8
        guard entry[4] & 0xF == 10, section != 0 else { return nil }
        let value = (0..<8).reduce(UInt64(0)) { $0 | UInt64(entry[8 + $1]) << UInt64(8 * $1) }
        if section == 0xFFF1 {
            return Reason(text: "\(what()) binds symbol \(symbol), an STT_GNU_IFUNC with SHN_ABS that binds to the object itself: ld.so calls its resolver at the absolute address 0x\(hex(value)), not in the object, and faults (SIGSEGV)")
        }
        return codeProblem(value, map: map, "\(what()) binds symbol \(symbol), an STT_GNU_IFUNC that binds to the object itself (local or hidden): its resolver (st_value 0x\(hex(value)))")
    }

    /// A symbol whose first word (st_name, st_info, st_other, st_shndx) is a PT_DYNAMIC entry's value that ld.so has
    /// already made a load address, in place, before it relocates (elf/get-dynamic-info.h, PT_DYNAMIC with PF_W): the
    /// file's bytes are not what ld.so reads. Its st_name is the low half of an address in the object (past 4 GiB of
    /// name offsets where Linux maps libraries, 0x7f…), its st_other the address's sixth byte (0x7f: STV_PROTECTED,
    /// looked up): ld.so hashes a name that far past DT_STRTAB and faults (SIGSEGV).
    private func adjustedSymbolProblem(_ tags: DynamicTags, symbol: UInt64, at address: UInt64, _ what: String) -> Reason? {
        guard tags.dynamicWritable, let dynamic = tags.dynamicAddress else { return nil }
        for index in tags.relocatedEntries {
            let word = dynamic &+ UInt64(index) &* 16 &+ 8
            guard word < address &+ 8, word &+ 8 > address else { continue }
            return Reason(text: "\(what) binds symbol \(symbol), whose name and binding (0x\(hex(address))) lie in PT_DYNAMIC's entry \(index), a table address ld.so has already relocated in place (elf/get-dynamic-info.h adds the load address): it reads a name offset and binding made of a load address, looks the name up far outside the object and faults (SIGSEGV)")
        }
        return nil
    }

    /// What an R_X86_64_TPOFF64 or R_X86_64_TLSDESC relocation through `symbol` asks of the static TLS block.
    private enum StaticTLSReference {
        /// The symbol binds to the object itself, which has no TLS: the loader dies.
        case problem(Reason)
        /// The name is looked up: the defining object's TLS is the target's to judge.
        case lookedUp(ElfLoaderFacts.StaticTLSImport)
    }

    /// R_X86_64_TPOFF64 and R_X86_64_TLSDESC through a symbol use the defining object's TLS block:
    /// sysdeps/x86_64/dl-machine.h elf_machine_rela gives that object a place in the static TLS block first
    /// (CHECK_STATIC_TLS / TRY_STATIC_TLS, while its `l_tls_offset` is still NO_TLS_OFFSET), and
    /// _dl_try_allocate_static_tls (elf/dl-reloc.c) divides by its `l_tls_align`: 0 for an object without a PT_TLS (or
    /// with a p_align of 0), a division by zero (SIGFPE) in every glibc. A symbol that binds locally (symbol 0 too:
    /// STB_LOCAL) is the object's own; a name that is looked up is found in whatever object of the load scope defines
    /// it first: recorded (`staticTLSImports`) for the target to judge. A symbol whose entry or name cannot be read is
    /// another check's fault (bindingProblem).
    private func staticTLSReference(_ tags: DynamicTags, symbol: UInt64, type: UInt32, map: LoadMap, collected: Collected, _ what: @autoclosure () -> String) -> StaticTLSReference? {
        let relocation = "\(what()) (\(type == 18 ? "R_X86_64_TPOFF64" : "R_X86_64_TLSDESC"))"
        var entry = [UInt8](repeating: 0, count: 24)
        if symbol != 0 {
            guard let symtab = tags.symtab, case .success(let found?) = memory(symtab &+ symbol &* 24, 24, map: map, "a symbol") else { return nil }
            entry = found
        }
        let binding = entry[4] >> 4, visibility = entry[5] & 3
        if binding == 0 || visibility == 1 || visibility == 2 {
            guard map.tlsAlignment == 0 else { return nil }
            return .problem(Reason(text: "\(relocation) places symbol \(symbol), which binds to the object itself, in the static TLS block, but the object has no TLS segment (no PT_TLS with a size and an alignment): the loader divides by its TLS alignment of 0 (_dl_try_allocate_static_tls) and dies with SIGFPE"))
        }
        guard let strtab = tags.strtab else { return nil }
        let nameIndex = (0..<4).reduce(UInt64(0)) { $0 | UInt64(entry[$1]) << UInt64(8 * $1) }
        guard case .success(let name?) = map.string(at: strtab &+ nameIndex, limit: 1 << 16, held: held, what: "a symbol name"), !name.isEmpty else { return nil }
        var index: Int?
        if let versym = tags.versym, case .success(let bytes?) = memory(versym &+ symbol &* 2, 2, map: map, "a DT_VERSYM entry") {
            index = Int((UInt16(bytes[0]) | UInt16(bytes[1]) << 8) & 0x7FFF)
        }
        let version = index.flatMap { $0 > 1 ? collected.versionNames[$0]?.name : nil }
        let hidden = index.map { collected.hiddenVersions.contains($0) } ?? false
        let section = UInt16(entry[6]) | UInt16(entry[7]) << 8
        return .lookedUp(.init(name: name, version: version, hidden: hidden, relocation: relocation, definedHere: section != 0))
    }

    /// The name of a weak undefined symbol that is looked up (STB_WEAK, SHN_UNDEF, default or protected visibility),
    /// nil for any other. An R_X86_64_SIZE64 / SIZE32 relocation through it reads `sym->st_size` after the lookup
    /// (sysdeps/x86_64/dl-machine.h elf_machine_rela), and a weak lookup nothing answers leaves `sym` null
    /// (elf/dl-lookup.c _dl_lookup_symbol_x: `*ref = NULL`): a fault, when nothing in the load scope defines the name.
    private func weakUndefinedName(_ tags: DynamicTags, symbol: UInt64, map: LoadMap) -> String? {
        guard symbol != 0, let symtab = tags.symtab, let strtab = tags.strtab,
            case .success(let entry?) = memory(symtab &+ symbol &* 24, 24, map: map, "a symbol")
        else { return nil }
        let binding = entry[4] >> 4, visibility = entry[5] & 3, section = UInt16(entry[6]) | UInt16(entry[7]) << 8
        guard binding == 2, section == 0, visibility != 1, visibility != 2 else { return nil }
        let nameIndex = (0..<4).reduce(UInt64(0)) { $0 | UInt64(entry[$1]) << UInt64(8 * $1) }
        guard case .success(let name?) = map.string(at: strtab &+ nameIndex, limit: 1 << 16, held: held, what: "a symbol name"), !name.isEmpty else { return nil }
        return name
    }

    /// DT_INIT of an object linked by GCC against glibc is `_init` from glibc's crti.S (sysdeps/x86_64/crti.S): it loads
    /// the GOT slot of the weak `__gmon_start__` and calls it when it is not null. A symbol that binds locally (STB_LOCAL,
    /// STV_HIDDEN or STV_INTERNAL) is not looked up: its slot gets the object's own load address plus st_value
    /// (elf/dl-reloc.c resolve_map, sysdeps/x86_64/dl-machine.h), never null for an object linked at 0, so dlopen
    /// calls that address.
    private func profilingHookProblem(_ tags: DynamicTags, symbol: UInt64, map: LoadMap, _ what: @autoclosure () -> String) -> Reason? {
        // Linked at a higher address, the object is mapped there when that is free (elf/dl-map-segments.h passes its
        // first PT_LOAD's address as the mapping's hint: since glibc 2.36, and before when the program is not PIE,
        // `dl_use_load_bias`), its load address 0 and the slot null.
        guard tags.initFunction != nil, symbol != 0, map.linkedAtZero, let symtab = tags.symtab, let strtab = tags.strtab,
            case .success(let entry?) = memory(symtab &+ symbol &* 24, 24, map: map, "a symbol")
        else { return nil }
        func field(_ at: Int, _ width: Int) -> UInt64 { (0..<width).reduce(UInt64(0)) { $0 | UInt64(entry[at + $1]) << UInt64(8 * $1) } }
        let binding = entry[4] >> 4, visibility = entry[5] & 3, section = field(6, 2), value = field(8, 8)
        // SHN_ABS: the value as is (a null one is not called; any other is outside what the file says).
        guard binding == 0 || visibility == 1 || visibility == 2, section != 0xFFF1, !executable(value, map: map),
            case .success("__gmon_start__"?) = map.string(at: strtab &+ field(0, 4), limit: 32, held: held, what: "a symbol name")
        else { return nil }
        return Reason(text: "\(what()) fills the GOT slot of __gmon_start__, which binds locally (\(binding == 0 ? "STB_LOCAL" : visibility == 1 ? "STV_INTERNAL" : "STV_HIDDEN")): the loader stores the object's own address plus 0x\(hex(value)) there instead of looking it up, and DT_INIT (_init) calls it, outside every executable PT_LOAD: dlopen faults (SIGSEGV)")
    }

    /// Tags ld.so dereferences when another is present (glibc elf/dynamic-link.h ELF_DYNAMIC_DO_RELA, elf/dl-version.c):
    /// without them it follows a null pointer.
    private func missingTagProblem(_ tags: DynamicTags, collected: Collected) -> Reason? {
        let pairs: [(Bool, String)] = [
            (tags.rela != nil && tags.relaSize == nil, "DT_RELA without DT_RELASZ"),
            (tags.pltrel != nil && (tags.jmprel == nil || tags.pltrelSize == nil), "DT_PLTREL without DT_JMPREL and DT_PLTRELSZ"),
            (tags.relr != nil && tags.relrSize == nil, "DT_RELR without DT_RELRSZ"),
            (tags.initArray != nil && tags.initArraySize == nil, "DT_INIT_ARRAY without DT_INIT_ARRAYSZ"),
            // elf/dl-version.c: any index above 0 in the records, named or not, makes it take DT_VERSYM's address.
            (tags.versym == nil && (tags.verneed != nil || tags.verdef != nil) && collected.versionIndexHigh > 0,
             "version records without DT_VERSYM"),
        ]
        guard let missing = pairs.first(where: \.0) else { return nil }
        return Reason(text: "\(missing.1): the loader reads the missing tag's value through a null pointer and faults (SIGSEGV)")
    }

    /// `size` bytes rounded up to whole entries of `entry` bytes (saturating: a size near 2^64 stays unreadable).
    static func wholeEntries(_ size: UInt64, _ entry: UInt64) -> UInt64 {
        let (rounded, overflow) = size.addingReportingOverflow(entry - 1)
        return overflow ? UInt64.max / entry * entry : rounded / entry * entry
    }

    private func mappedTable(_ address: UInt64, _ size: Int, map: LoadMap, _ name: String) -> Result<(ByteView, Int)?, Reason> {
        guard size > 0 else { return .success(nil) }
        if let mapped = map.fileOffset(address, size) {
            return view(mapped.offset, size, "the relocations (\(name))").map { ($0, mapped.offset) }
        }
        if case .zero = map.byte(at: address), case .zero = map.byte(at: address &+ UInt64(size - 1)) { return .success(nil) }
        // File bytes and zero fill together (a p_filesz that ends inside the table): read as mapped.
        switch memory(address, size, map: map, "the relocations (\(name))") {
        case .failure(let reason): return .failure(reason)
        case .success(let bytes?): return .success((ByteView(bytes, byteOrder: header.byteOrder, base: 0), 0))
        case .success(nil): break
        }
        return .failure(Reason(text: "\(name) (address 0x\(hex(address)), \(size) bytes) lies outside the mapped file bytes: the loader faults reading it"))
    }

    /// Writable while ld.so relocates: mapped with PF_W, or, with DT_TEXTREL, inside the pages of a PT_LOAD
    /// (_dl_relocate_object, elf/dl-reloc.c, makes each PT_LOAD without PF_W writable from the page of its p_vaddr to
    /// the page of its end). The gaps between segments (made PROT_NONE, elf/dl-map-segments.h) are neither.
    private func writable(_ address: UInt64, _ width: Int, map: LoadMap, textrel: Bool) -> Bool {
        [address, address &+ UInt64(width - 1)].allSatisfy { byte in
            guard let protection = map.protection(at: byte) else { return false }
            if protection & 2 != 0 { return true }
            return textrel && map.loads.contains { load in
                let start = load.address & ~(LoadMap.pageSize - 1)
                let (end, overflow) = load.address.addingReportingOverflow(load.memorySize)
                return byte >= start && (overflow || byte < LoadMap.roundUp(end))
            }
        }
    }

    /// A function dlopen calls at `address`: it must be code, in an executable PT_LOAD and read from the file. The zero
    /// fill past an executable segment's `p_filesz` is mapped executable (elf/dl-map-segments.h maps it with the
    /// segment's protection), but zeros are no function: `00 00` is `add %al,(%rax)`, executed on to a fault.
    private func codeProblem(_ address: UInt64, map: LoadMap, _ what: @autoclosure () -> String) -> Reason? {
        guard executable(address, map: map) else {
            return Reason(text: "\(what()) lies outside every executable PT_LOAD: dlopen calls it and faults")
        }
        if case .zero = map.byte(at: address) {
            return Reason(text: "\(what()) lies in the zero fill of an executable PT_LOAD (past its p_filesz): dlopen calls zeros, not code, and faults")
        }
        return nil
    }

    /// Mapped executable: a gap between segments, inside the first mapping but made PROT_NONE (elf/dl-map-segments.h),
    /// is not, whatever the first segment's flags.
    private func executable(_ address: UInt64, map: LoadMap) -> Bool {
        (map.protection(at: address) ?? 0) & 1 != 0
    }

    /// Whether a relocation of `type` through `symbol` writes the definition's address and nothing else: GLOB_DAT and
    /// JUMP_SLOT (`*reloc_addr = value`, sysdeps/x86_64/dl-machine.h) and R_X86_64_64 with a 0 addend write
    /// SYMBOL_ADDRESS: the defining object's load address plus st_value (an address where Linux maps objects, near
    /// the top of the lower half), or 0 for a weak name nothing defines (and a definition with SHN_ABS and value 0,
    /// glibc's version symbols). A symbol that binds to the object itself with SHN_ABS (its st_value as is) or as an
    /// STT_GNU_IFUNC (its resolver's answer) may write any value: false.
    private func writesAddress(_ tags: DynamicTags, type: UInt32, symbol: UInt64, addend: Int64, map: LoadMap) -> Bool {
        guard type == 6 || type == 7 || (type == 1 && addend == 0) else { return false }
        guard symbol != 0 else { return true }  // The null symbol: l_addr + 0.
        guard let symtab = tags.symtab, case .success(let entry?) = memory(symtab &+ symbol &* 24, 24, map: map, "a symbol") else { return false }
        let binding = entry[4] >> 4, visibility = entry[5] & 3, section = UInt16(entry[6]) | UInt16(entry[7]) << 8
        let local = binding == 0 || visibility == 1 || visibility == 2
        return !(local && (section == 0xFFF1 || entry[4] & 0xF == 10))
    }

    /// What a relocation leaves in a word of the object.
    enum Written {
        /// A relative relocation's value (its addend; the load address is added to it).
        case value(UInt64)
        /// What a relocation through a symbol writes (which definition binds is not modelled here). `address`: the
        /// definition's address as R_X86_64_GLOB_DAT, JUMP_SLOT and R_X86_64_64 with no addend write it (see
        /// `writesAddress`): an address in the process, or 0 for a weak name nothing defines.
        case symbol(address: Bool)
        /// DT_RELR: the word's own link-time value, plus the load address.
        case inPlace
        /// Some of its bytes are bytes of a load address written at another address (the relocation at the given
        /// address, unaligned to the word): shifted, they make no address of the object.
        case garbled(by: UInt64)
    }

    /// The relocations' writes as byte ranges, in the order ld.so applies them (ELF_DYNAMIC_RELOCATE, elf/dynamic-link.h:
    /// DT_RELR, then DT_RELA, then DT_JMPREL, each in table order). A word read afterwards (a constructor, a dynamic
    /// entry's value) holds, byte by byte, what the last write over that byte left: a write at an unaligned address
    /// overwrites part of the word another one filled.
    struct RelocationWrites {
        private var writes: [(address: UInt64, width: Int, written: Written)] = []
        /// The writes that start at an address (by position in `writes`).
        private var starting: [UInt64: [Int]] = [:]

        mutating func append(_ address: UInt64, width: Int, _ written: Written) {
            starting[address, default: []].append(writes.count)
            writes.append((address, width, written))
        }

        /// These writes, then `later`'s.
        func followed(by later: RelocationWrites) -> RelocationWrites {
            var all = self
            for write in later.writes { all.append(write.address, width: write.width, write.written) }
            return all
        }

        /// What the eight bytes at `address` hold after every write; nil when no write touches them.
        func word(at address: UInt64) -> Written? {
            // Each byte: the last write over it.
            var bytes: [Int?] = Array(repeating: nil, count: 8)
            var touching: [Int] = []
            for back in 0..<8 {
                let (start, wrapped) = address.subtractingReportingOverflow(UInt64(back))
                if !wrapped { touching += starting[start] ?? [] }
            }
            for ahead in 1..<8 {
                let (start, wrapped) = address.addingReportingOverflow(UInt64(ahead))
                if !wrapped { touching += starting[start] ?? [] }
            }
            guard !touching.isEmpty else { return nil }
            for index in touching.sorted() {
                let write = writes[index]
                for byte in 0..<8 {
                    let at = address &+ UInt64(byte)
                    if at &- write.address < UInt64(write.width) { bytes[byte] = index }
                }
            }
            guard bytes.contains(where: { $0 != nil }) else { return nil }
            // A load address moved by a byte or more: not an address of the object.
            for case let index? in bytes {
                let write = writes[index]
                if case .symbol = write.written { continue }
                if write.address != address { return .garbled(by: write.address) }
            }
            // One write over the whole word: what it wrote. Otherwise a mix of bytes at their own places (a narrower
            // symbol write over part of a word), which is not judged.
            if let first = bytes[0], bytes.allSatisfy({ $0 == first }), writes[first].address == address {
                return writes[first].written
            }
            return .symbol(address: false)
        }
    }

    /// DT_RELR (glibc 2.36): addresses (even words) and bitmaps (odd words), each naming words to relocate.
    private func relrProblem(_ tags: DynamicTags, map: LoadMap, into collected: inout Collected, relocated: inout RelocationWrites) -> Reason? {
        guard let relr = tags.relr else { return nil }
        // glibc 2.36's _dl_check_map_versions (elf/dl-version.c) asks for GLIBC_ABI_DT_RELR only of an object with
        // DT_VERNEED and a DT_NEEDED whose name starts with "libc.so." (names read through DT_STRTAB, as here).
        collected.loader.usesRelr = tags.verneed != nil && collected.needed.contains { $0.hasPrefix("libc.so.") }
        let size = Int(clamping: Self.wholeEntries(tags.relrSize ?? 0, 8))
        let words: ByteView, start: Int
        switch mappedTable(relr, size, map: map, "DT_RELR") {
        case .failure(let reason): return reason
        case .success(nil): return nil
        case .success(let found?): (words, start) = found
        }
        var base: UInt64 = 0
        var applied = RelocationWrites()
        defer { relocated = applied.followed(by: relocated) }
        for index in 0..<size / 8 {
            let word = words.u64(start + index * 8)!
            if word & 1 == 0 {
                if !writable(word, 8, map: map, textrel: tags.textrel) {
                    return Reason(text: "DT_RELR entry \(index) relocates 0x\(hex(word)), which no writable PT_LOAD maps: the loader faults applying it")
                }
                // ELF_DYNAMIC_RELOCATE (elf/dynamic-link.h) applies DT_RELR before DT_RELA: a DT_RELA entry for the
                // same word overwrites it.
                applied.append(word, width: 8, .inPlace)
                base = word &+ 8
            } else {
                for bit in 1..<64 where word >> UInt64(bit) & 1 == 1 {
                    let address = base &+ UInt64(bit - 1) * 8
                    if !writable(address, 8, map: map, textrel: tags.textrel) {
                        return Reason(text: "DT_RELR entry \(index) relocates 0x\(hex(address)), which no writable PT_LOAD maps: the loader faults applying it")
                    }
                    applied.append(address, width: 8, .inPlace)
                }
                base = base &+ 63 * 8
            }
        }
        return nil
    }

    /// The word at `address` as mapped (a DT_RELR relocation adds the load address to it).
    /// A word not held yet is a failure with the range to fetch (a stream reads it and comes back), never "unmapped".
    private func implicitAddend(_ address: UInt64, map: LoadMap) -> Result<UInt64?, Reason> {
        switch map.byte(at: address) {
        case .zero: return .success(0)
        case .unmapped: return .success(nil)
        case .file(let offset, _):
            return view(offset, 8, "a relocated word").map { $0.u64(offset) }.mapError { reason in
                var word = reason
                word.clustered = false
                return word
            }
        }
    }

    /// DT_INIT and DT_INIT_ARRAY, called by dlopen before it returns: each must land in executable pages. An
    /// array slot holds its link-time value plus a relative relocation; a slot no relocation fills is called as is.
    private func constructorProblem(_ tags: DynamicTags, map: LoadMap, relocated: RelocationWrites) -> Reason? {
        // elf/dl-init.c call_init calls l_addr + DT_INIT whenever the tag is there, whatever its value (0 too).
        if let initFunction = tags.initFunction, let reason = codeProblem(initFunction, map: map, "DT_INIT (0x\(hex(initFunction)))") {
            return reason
        }
        guard let array = tags.initArray, let size = tags.initArraySize, size >= 8 else { return nil }
        // call_init (elf/dl-init.c) counts the entries in an `unsigned int`: DT_INIT_ARRAYSZ / 8, cut to 32 bits.
        let count = Int(min(UInt32(truncatingIfNeeded: size / 8), 1 << 16))
        for index in 0..<count {
            let slot = array &+ UInt64(index) * 8
            if map.byte(at: slot) == .unmapped {
                return Reason(text: "DT_INIT_ARRAY entry \(index) (0x\(hex(slot))) lies outside the mapping: dlopen reads it and faults")
            }
            // A slot no relocation fills is called with its link-time value: where the code is only when the object is
            // mapped at its link-time addresses (ld.so asks for them, and gets them, when the first PT_LOAD is not at 0).
            guard let written = relocated.word(at: slot) else {
                if !map.linkedAtZero {
                    switch implicitAddend(slot, map: map) {
                    case .failure(let reason): return reason
                    case .success(let raw?) where executable(raw, map: map): continue
                    case .success: break
                    }
                }
                return Reason(text: "DT_INIT_ARRAY entry \(index) (0x\(hex(slot))) is filled by no relocation: dlopen calls its unrelocated value and faults")
            }
            let target: UInt64
            switch written {
            case .value(let value): target = value
            // A slot filled through a symbol holds the symbol's address (which symbol binds is not modelled here).
            case .symbol: continue
            // DT_RELR adds the load address to the word there: its link-time value is the target (read, fetched when
            // the reader has not held it yet; a word in zero fill is 0).
            case .inPlace:
                switch implicitAddend(slot, map: map) {
                case .failure(let reason): return reason
                case .success(let value?): target = value
                case .success(nil): continue  // Unmapped: said above.
                }
            case .garbled(let by):
                return Reason(text: "DT_INIT_ARRAY entry \(index) (0x\(hex(slot))) is overwritten in part by the relocation at 0x\(hex(by)), which writes a load address at an address that is not the entry's: dlopen calls a word made of shifted bytes of a load address, outside the object, and faults (SIGSEGV)")
            }
            if let reason = codeProblem(target, map: map, "DT_INIT_ARRAY entry \(index) calls 0x\(hex(target)), which") {
                return reason
            }
        }
        return nil
    }
}
