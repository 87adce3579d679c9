internal import CLibelf
import ShiplintFacts

/// Version names by their DT_VERSYM index, with the file a needed version comes from.
typealias VersionNames = [Int: (name: String, file: String?)]

/// DT_VERNEED and DT_VERDEF walked as glibc's elf/dl-version.c walks them: by their `next` links until a 0, whatever
/// `vn_cnt`, `vd_cnt`, DT_VERNEEDNUM or DT_VERDEFNUM say. Every record must lie in the PT_LOAD segment that holds the
/// table, and the steps are capped by what that segment could hold, so a chain that loops is reported (the loader
/// spins or faults on it) instead of followed.
extension ElfFactsReader {
    private struct Chain {
        let start: Int
        let end: Int
        let maximumSteps: Int
        var steps = 0
    }

    private func record(_ at: Int, _ count: Int, in chain: Chain, _ what: String) -> Result<ByteView?, Reason> {
        guard at >= chain.start, count <= chain.end - at else { return .success(nil) }
        return view(at, count, what).map { Optional($0) }
    }

    private func name(_ strings: StringTable, _ index: UInt32, map: LoadMap, _ what: String) -> Result<String, Reason> {
        switch string(strings, UInt64(index), map: map, what: what) {
        case .failure(let reason): return .failure(reason)
        case .success(nil): return .failure(Reason(text: "\(what) names a string that runs past its mapping: the loader reads past it and faults"))
        case .success(let value?): return .success(value)
        }
    }

    /// DT_VERNEED: Verneed records (16 bytes) each with a chain of Vernaux records (16 bytes).
    func readVersionNeeds(_ address: UInt64, strings: StringTable, map: LoadMap, into collected: inout Collected) -> Reason? {
        guard let mapped = map.fileOffset(address, 16) else {
            return Reason(text: "DT_VERNEED (address 0x\(hex(address))) lies outside every PT_LOAD segment")
        }
        var chain = Chain(start: mapped.offset, end: mapped.segmentEnd, maximumSteps: (mapped.segmentEnd - mapped.offset) / 16)
        let what = "the version needs (DT_VERNEED)"
        let loops = Reason(text: "version need chain (DT_VERNEED) loops (more links than its segment can hold): the loader never gets out of it")
        var offset = mapped.offset
        var first = true
        while true {
            chain.steps += 1
            guard chain.steps <= chain.maximumSteps else { return loops }
            let entry: ByteView?
            switch record(offset, 16, in: chain, what) {
            case .failure(let reason): return reason
            case .success(let view): entry = view
            }
            guard let entry, let version = entry.u16(offset), let fileName = entry.u32(offset + 4),
                let auxiliary = entry.u32(offset + 8), let next = entry.u32(offset + 12)
            else {
                return Reason(text: "version need entry at offset \(offset) lies outside its segment (DT_VERNEED)")
            }
            // glibc checks the first record's version only, before following the chain.
            if first, version != 1 { collected.loader.versionNeedRecordVersion = version }
            first = false
            let file: String
            switch name(strings, fileName, map: map, "a version need entry (vn_file)") {
            case .failure(let reason): return reason
            case .success(let value): file = value
            }
            var versions: [String] = []
            var auxiliaryOffset = offset + Int(auxiliary)
            while true {
                chain.steps += 1
                guard chain.steps <= chain.maximumSteps else { return loops }
                let aux: ByteView?
                switch record(auxiliaryOffset, 16, in: chain, what) {
                case .failure(let reason): return reason
                case .success(let view): aux = view
                }
                guard let aux, let hash = aux.u32(auxiliaryOffset), let flags = aux.u16(auxiliaryOffset + 4),
                    let other = aux.u16(auxiliaryOffset + 6), let nameIndex = aux.u32(auxiliaryOffset + 8),
                    let auxiliaryNext = aux.u32(auxiliaryOffset + 12)
                else {
                    return Reason(text: "version need entry for \(file) points outside its segment (DT_VERNEED)")
                }
                let text: String
                switch name(strings, nameIndex, map: map, "a version need of \(file) (vna_name)") {
                case .failure(let reason): return reason
                case .success(let value): text = value
                }
                let expected = ElfLoaderFacts.elfHash(text.utf8)
                if hash != expected {
                    collected.loader.needHashMismatches.append(.init(
                        file: file, name: text, found: hash, expected: expected, isWeak: flags & 2 != 0))
                }
                versions.append(text)
                collected.versionNames[Int(other & 0x7FFF)] = (text, file)
                if auxiliaryNext == 0 { break }
                auxiliaryOffset += Int(auxiliaryNext)
            }
            collected.versionNeeds.append(VersionNeed(file: file, names: versions.sorted()))
            if next == 0 { return nil }
            offset += Int(next)
        }
    }

    /// DT_VERDEF: Verdef records (20 bytes), the first Verdaux of each holding the version name.
    func readVersionDefinitions(_ address: UInt64, strings: StringTable, map: LoadMap, into collected: inout Collected) -> Reason? {
        guard let mapped = map.fileOffset(address, 20) else {
            return Reason(text: "DT_VERDEF (address 0x\(hex(address))) lies outside every PT_LOAD segment")
        }
        var chain = Chain(start: mapped.offset, end: mapped.segmentEnd, maximumSteps: (mapped.segmentEnd - mapped.offset) / 20)
        let what = "the version definitions (DT_VERDEF)"
        var offset = mapped.offset
        while true {
            chain.steps += 1
            guard chain.steps <= chain.maximumSteps else {
                return Reason(text: "version definition chain (DT_VERDEF) loops: the loader never gets out of it")
            }
            let entry: ByteView?
            switch record(offset, 20, in: chain, what) {
            case .failure(let reason): return reason
            case .success(let view): entry = view
            }
            guard let entry, let version = entry.u16(offset), let flags = entry.u16(offset + 2), let index = entry.u16(offset + 4),
                let hash = entry.u32(offset + 8), let auxiliary = entry.u32(offset + 12), let next = entry.u32(offset + 16)
            else {
                return Reason(text: "version definition at offset \(offset) lies outside its segment (DT_VERDEF)")
            }
            if version != 1, collected.loader.versionDefinitionRecordVersion == nil {
                collected.loader.versionDefinitionRecordVersion = version
            }
            let aux: ByteView?
            switch record(offset + Int(auxiliary), 8, in: chain, what) {
            case .failure(let reason): return reason
            case .success(let view): aux = view
            }
            guard let aux, let nameIndex = aux.u32(offset + Int(auxiliary)) else {
                return Reason(text: "version definition at offset \(offset) lies outside its segment (DT_VERDEF)")
            }
            let text: String
            switch name(strings, nameIndex, map: map, "a version definition (vda_name)") {
            case .failure(let reason): return reason
            case .success(let value): text = value
            }
            let expected = ElfLoaderFacts.elfHash(text.utf8)
            if hash != expected {
                collected.loader.definitionHashMismatches.append(.init(file: nil, name: text, found: hash, expected: expected))
            }
            // VER_FLG_BASE names the file itself. A definition whose hash is not its name's is one no need can match
            // (glibc compares the hashes first): it is not offered.
            if flags & 1 == 0 && hash == expected { collected.versionDefinitions.append(text) }
            collected.versionNames[Int(index & 0x7FFF)] = collected.versionNames[Int(index & 0x7FFF)] ?? (text, nil)
            if next == 0 { return nil }
            offset += Int(next)
        }
    }
}
