internal import CLibelf
import ShiplintFacts

/// Version names by their DT_VERSYM index, with the file a needed version comes from.
typealias VersionNames = [Int: (name: String, file: String?)]

/// DT_VERNEED and DT_VERDEF walked as glibc's elf/dl-version.c walks them: by address, through the mapping, following
/// their `next` links until a 0, whatever `vn_cnt`, `vd_cnt`, DT_VERNEEDNUM or DT_VERDEFNUM say. The steps are capped
/// by what the mapped file bytes could hold, so a chain that loops is reported (the loader spins on it, or faults)
/// instead of followed.
extension ElfFactsReader {
    /// The record of `count` bytes at `address` as the loader reads it: file bytes, or the zeros of a segment's zero
    /// fill (or both); nil when some of it is not mapped readable.
    private func record(_ address: UInt64, _ count: Int, map: LoadMap, _ what: String) -> Result<(view: ByteView, offset: Int)?, Reason> {
        if let mapped = map.fileOffset(address, count) {
            return view(mapped.offset, count, what).map { ($0, mapped.offset) }
        }
        return memory(address, count, map: map, what).map { bytes in bytes.map { (ByteView($0, byteOrder: header.byteOrder, base: 0), 0) } }
    }

    private func name(_ strings: StringTable, _ index: UInt32, map: LoadMap, _ what: String) -> Result<String?, Reason> {
        string(strings, UInt64(index), map: map, what: what)
    }

    private func maximumSteps(_ map: LoadMap, recordSize: Int) -> Int {
        map.loads.reduce(1) { $0 + $1.fileSize / recordSize }
    }

    /// DT_VERNEED: Verneed records (16 bytes) each with a chain of Vernaux records (16 bytes). ld.so reads all of them
    /// (and their file and version names) for every object it loads: a record it cannot read is a fault.
    func readVersionNeeds(_ start: UInt64, strings: StringTable, map: LoadMap, into collected: inout Collected) -> Reason? {
        let what = "the version needs (DT_VERNEED)"
        let limit = maximumSteps(map, recordSize: 16)
        var steps = 0
        let loops = Reason(text: "version need chain (DT_VERNEED) loops (more links than the file could hold): the loader never gets out of it")
        var address = start
        var first = true
        while true {
            steps += 1
            guard steps <= limit else { return loops }
            let entry: (view: ByteView, offset: Int)
            switch record(address, 16, map: map, what) {
            case .failure(let reason): return reason
            case .success(nil):
                return Reason(text: "version need record at address 0x\(hex(address)) lies outside every PT_LOAD segment (DT_VERNEED): the loader reads it there and faults")
            case .success(let found?): entry = found
            }
            let at = entry.offset
            let version = entry.view.u16(at)!, fileName = entry.view.u32(at + 4)!
            let auxiliary = entry.view.u32(at + 8)!, next = entry.view.u32(at + 12)!
            // glibc checks the first record's version only, before following the chain.
            if first, version != 1 { collected.loader.versionNeedRecordVersion = version }
            first = false
            let file: String
            switch name(strings, fileName, map: map, "a version need record's file name (vn_file)") {
            case .failure(let reason): return reason
            case .success(nil): return Reason(text: "a version need record (vn_file) names a string that runs past its mapping: the loader reads past it and faults")
            case .success(let value?): file = value
            }
            var versions: [String] = []
            var auxiliaryAddress = address &+ UInt64(auxiliary)
            auxiliaries: while true {
                steps += 1
                guard steps <= limit else { return loops }
                let aux: (view: ByteView, offset: Int)
                switch record(auxiliaryAddress, 16, map: map, what) {
                case .failure(let reason): return reason
                case .success(nil):
                    return Reason(text: "version need of \(file) at address 0x\(hex(auxiliaryAddress)) lies outside every PT_LOAD segment (DT_VERNEED): the loader reads it there and faults")
                case .success(let found?): aux = found
                }
                let o = aux.offset
                let hash = aux.view.u32(o)!, flags = aux.view.u16(o + 4)!, other = aux.view.u16(o + 6)!
                collected.versionIndexHigh = max(collected.versionIndexHigh, Int(other & 0x7FFF))
                let nameIndex = aux.view.u32(o + 8)!, auxiliaryNext = aux.view.u32(o + 12)!
                let text: String
                switch name(strings, nameIndex, map: map, "a version need of \(file) (vna_name)") {
                case .failure(let reason): return reason
                case .success(nil):
                    let fault = "a version need of \(file) (vna_name) names a string that runs past its mapping: the loader reads past it and faults"
                    // match_symbol (elf/dl-version.c) reads a weak need's name only when a definition of the needed
                    // file has its hash (dlopen checks with `verbose` 0): a fact the target's tables judge.
                    guard flags & 2 != 0 else { return Reason(text: fault) }
                    collected.loader.unreadWeakNeeds.append(.init(
                        file: file, hash: hash,
                        reason: "a weak version need of \(file) (vna_hash 0x\(hex(UInt64(hash)))) names a string (vna_name) that runs past its mapping"))
                    collected.unreadableNeedNames[Int(other & 0x7FFF)] = strings.address &+ UInt64(nameIndex)
                    if auxiliaryNext == 0 { break auxiliaries }
                    auxiliaryAddress = auxiliaryAddress &+ UInt64(auxiliaryNext)
                    continue auxiliaries
                case .success(let value?): text = value
                }
                let expected = ElfLoaderFacts.elfHash(text.utf8)
                if hash != expected {
                    collected.loader.needHashMismatches.append(.init(
                        file: file, name: text, found: hash, expected: expected, isWeak: flags & 2 != 0))
                }
                // A weak need (VER_FLG_WEAK) that no definition matches is not fatal (match_symbol, elf/dl-version.c:
                // "If it was a weak reference it is not fatal"): a weak need of the empty name, which none matches, is
                // no requirement.
                if !(text.isEmpty && flags & 2 != 0) { versions.append(text) }
                collected.versionNames[Int(other & 0x7FFF)] = (text, file)
                if other & 0x8000 != 0 { collected.hiddenVersions.insert(Int(other & 0x7FFF)) } else { collected.hiddenVersions.remove(Int(other & 0x7FFF)) }
                if auxiliaryNext == 0 { break }
                auxiliaryAddress = auxiliaryAddress &+ UInt64(auxiliaryNext)
            }
            collected.versionNeeds.append(VersionNeed(file: file, names: versions.sorted()))
            if next == 0 { return nil }
            address = address &+ UInt64(next)
        }
    }

    /// DT_VERDEF: Verdef records (20 bytes), the first Verdaux of each holding the version name. ld.so walks the
    /// records (vd_ndx, vd_next) for every object it loads; it reads the names only when another object looks a
    /// version up here, so a name it cannot read makes the definitions unusable, not the file.
    func readVersionDefinitions(_ start: UInt64, strings: StringTable, map: LoadMap, into collected: inout Collected) -> Reason? {
        let what = "the version definitions (DT_VERDEF)"
        let limit = maximumSteps(map, recordSize: 20)
        var steps = 0
        var address = start
        var definitions: [String] = []
        var usable = true
        // A name record ld.so cannot read faults only if it reads it: _dl_check_map_versions (elf/dl-version.c) walks
        // the Verdaux records only when some need or definition has a version index above 0 (ndx_high), after a
        // first walk over the records alone.
        var unreadableNameRecord: Reason?
        while true {
            steps += 1
            guard steps <= limit else {
                return Reason(text: "version definition chain (DT_VERDEF) loops: the loader never gets out of it")
            }
            let entry: (view: ByteView, offset: Int)
            switch record(address, 20, map: map, what) {
            case .failure(let reason): return reason
            case .success(nil):
                return Reason(text: "version definition record at address 0x\(hex(address)) lies outside every PT_LOAD segment (DT_VERDEF): the loader reads it there and faults")
            case .success(let found?): entry = found
            }
            let at = entry.offset
            let version = entry.view.u16(at)!, flags = entry.view.u16(at + 2)!, index = entry.view.u16(at + 4)!
            let hash = entry.view.u32(at + 8)!, auxiliary = entry.view.u32(at + 12)!, next = entry.view.u32(at + 16)!
            collected.versionIndexHigh = max(collected.versionIndexHigh, Int(index & 0x7FFF))
            if version != 1, collected.loader.versionDefinitionRecordVersion == nil {
                collected.loader.versionDefinitionRecordVersion = version
            }
            var text: String?
            switch record(address &+ UInt64(auxiliary), 8, map: map, what) {
            case .failure(let reason): return reason
            case .success(nil):
                // _dl_check_map_versions reads vda_name of every definition but the base one (to point at the name):
                // from zeros or other mapped bytes it reads a name it never looks at here; from nothing, it faults.
                let auxAddress = address &+ UInt64(auxiliary)
                if flags & UInt16(VER_FLG_BASE) == 0, map.byte(at: auxAddress) == .unmapped || map.byte(at: auxAddress &+ 7) == .unmapped {
                    unreadableNameRecord = unreadableNameRecord
                        ?? Reason(text: "version definition at address 0x\(hex(address)) has its name record (vd_aux) outside every PT_LOAD segment: the loader reads it there and faults")
                }
                usable = false
            case .success(let aux?):
                let nameIndex = aux.view.u32(aux.offset)!
                switch name(strings, nameIndex, map: map, "a version definition (vda_name)") {
                case .failure(let reason): return reason
                case .success(let value): text = value
                }
                // l_versions[vd_ndx].name points there (elf/dl-version.c): read when a symbol bound with it is matched.
                if text == nil, flags & UInt16(VER_FLG_BASE) == 0 {
                    collected.unreadableDefinitionNames[Int(index & 0x7FFF)] = strings.address &+ UInt64(nameIndex)
                    if index & 0x8000 != 0 { collected.hiddenUnreadableDefinitions.insert(Int(index & 0x7FFF)) }
                }
            }
            if let text {
                let expected = ElfLoaderFacts.elfHash(text.utf8)
                if hash != expected {
                    collected.loader.definitionHashMismatches.append(.init(file: nil, name: text, found: hash, expected: expected))
                }
                // VER_FLG_BASE names the file itself. A definition whose hash is not its name's is one no need can
                // match (glibc compares the hashes first): it is not offered.
                if flags & UInt16(VER_FLG_BASE) == 0 && hash == expected { definitions.append(text) }
                collected.versionNames[Int(index & 0x7FFF)] = collected.versionNames[Int(index & 0x7FFF)] ?? (text, nil)
            } else {
                usable = false
            }
            if next == 0 { break }
            address = address &+ UInt64(next)
        }
        if let unreadableNameRecord, collected.versionIndexHigh > 0 { return unreadableNameRecord }
        if usable {
            collected.versionDefinitions = definitions
        } else {
            collected.loader.unreadTables.append("the version definitions (DT_VERDEF): a name the loader would read only on a lookup lies outside the mapping")
        }
        return nil
    }
}
