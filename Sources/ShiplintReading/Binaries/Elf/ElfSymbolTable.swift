internal import CLibelf
import ShiplintFacts

/// DT_SYMTAB, sized by DT_HASH or DT_GNU_HASH (the table has no length of its own), with each symbol's version from
/// DT_VERSYM.
extension ElfFactsReader {
    /// The number of dynamic symbols: DT_HASH's nchain, or from DT_GNU_HASH the highest symbol index its buckets
    /// and chains reach (the table has no length of its own). Nil when neither hash table is there.
    private func symbolCount(_ tags: DynamicTags, map: LoadMap) -> Result<Int?, Reason> {
        if let hash = tags.hash {
            guard let mapped = map.fileOffset(hash, 8) else {
                return .failure(Reason(text: "DT_HASH (address 0x\(hex(hash))) lies outside every PT_LOAD segment"))
            }
            switch view(mapped.offset, 8, "the symbol hash table (DT_HASH)") {
            case .failure(let reason): return .failure(reason)
            case .success(let view): return .success(Int(view.u32(mapped.offset + 4)!))
            }
        }
        guard let gnuHash = tags.gnuHash else { return .success(nil) }
        guard let mapped = map.fileOffset(gnuHash, 16) else {
            return .failure(Reason(text: "DT_GNU_HASH (address 0x\(hex(gnuHash))) lies outside every PT_LOAD segment"))
        }
        let start = mapped.offset, end = mapped.segmentEnd
        guard let table = held.view(start, 16, byteOrder: header.byteOrder) else { return .failure(.missing("the symbol hash table (DT_GNU_HASH)", start, 16)) }
        let bucketCount = Int(table.u32(start)!), symbolOffset = Int(table.u32(start + 4)!), bloomCount = Int(table.u32(start + 8)!)
        let bucketsAt = start + 16 + bloomCount * (header.bits / 8)
        guard bucketCount <= (end - start) / 4, bloomCount <= (end - start) / 4, bucketsAt + bucketCount * 4 <= end else {
            return .failure(Reason(text: "DT_GNU_HASH (\(bucketCount) buckets, \(bloomCount) bloom words) runs past the end of its segment"))
        }
        let buckets: ByteView
        switch view(bucketsAt, bucketCount * 4, "the GNU hash buckets") {
        case .failure(let reason): return .failure(reason)
        case .success(let view): buckets = view
        }
        var highest = 0
        for index in 0..<bucketCount { highest = max(highest, Int(buckets.u32(bucketsAt + index * 4)!)) }
        guard highest >= symbolOffset, highest > 0 else { return .success(symbolOffset) }
        // Walk the chain of the highest bucket to its end (the low bit marks the last entry).
        let chainsAt = bucketsAt + bucketCount * 4
        var index = highest
        while true {
            let at = chainsAt + (index - symbolOffset) * 4
            guard at + 4 <= end else {
                return .failure(Reason(text: "DT_GNU_HASH chain runs past the end of its segment"))
            }
            guard let chain = held.view(at, 4, byteOrder: header.byteOrder) else { return .failure(.missing("the GNU hash chains", at, 4)) }
            if chain.u32(at)! & 1 == 1 { return .success(index + 1) }
            index += 1
        }
    }

    /// DT_SYMTAB with each symbol's version from DT_VERSYM (index 0 local, 1 global: unversioned).
    /// `lookedUpWithoutVersion`: the undefined symbols whose version index (above 1) names no version record read
    /// (`ElfLoaderFacts.importsLookedUpWithoutVersion`).
    func readSymbols(
        _ address: UInt64, tags: DynamicTags, strings: StringTable, versions: VersionNames, map: LoadMap, lookedUpWithoutVersion: inout Set<String>
    ) -> Result<DynamicSymbols, Reason> {
        let entrySize = header.bits == 64 ? 24 : 16
        // DT_SYMENT is not read by glibc's loader: the symbol size is the class's.
        let count: Int
        switch symbolCount(tags, map: map) {
        case .failure(let reason): return .failure(reason)
        case .success(nil): return .success([])
        case .success(let value?): count = value
        }
        guard count > 1 else { return .success([]) }
        guard let mapped = map.fileOffset(address, 0), count <= (mapped.segmentEnd - mapped.offset) / entrySize else {
            return .failure(Reason(text: "DT_SYMTAB (address 0x\(hex(address)), \(count) symbols) runs past the end of its PT_LOAD segment"))
        }
        let table: ByteView
        switch view(mapped.offset, count * entrySize, "the dynamic symbol table (DT_SYMTAB)") {
        case .failure(let reason): return .failure(reason)
        case .success(let view): table = view
        }
        var versionTable: (view: ByteView, offset: Int)?
        if let versym = tags.versym {
            guard let versymMapped = map.fileOffset(versym, count * 2) else {
                return .failure(Reason(text: "DT_VERSYM (address 0x\(hex(versym)), \(count) entries) lies outside every PT_LOAD segment"))
            }
            switch view(versymMapped.offset, count * 2, "the symbol versions (DT_VERSYM)") {
            case .failure(let reason): return .failure(reason)
            case .success(let view): versionTable = (view, versymMapped.offset)
            }
        }
        // Each version once, by its DT_VERSYM index (a definition's file is never shown).
        // A large string table that is at least half the range it was read in (a large library's dynamic tables: the
        // symbols, their names, hash and versions) is kept as the names, not copied: the copy would be made while the
        // range is still held (issue #10: peak memory).
        let sharesNames = strings.size >= 1 << 20 && strings.view.bytes.count <= 2 * strings.size
        var builder = sharesNames
            ? DynamicSymbols.Builder(reservingCapacity: count - 1, sharing: strings.view.bytes)
            : DynamicSymbols.Builder(reservingCapacity: count - 1, nameBytes: strings.size)
        var handles: [Int: UInt16] = [:]
        for (index, version) in versions.sorted(by: { $0.key < $1.key }) { handles[index] = builder.version(name: version.name, file: version.file) }
        var withoutRecord: Set<String> = []
        let failure: Reason? = strings.view.bytes.withUnsafeBytes { stringBytes in
            for index in 1..<count {
                let at = mapped.offset + index * entrySize
                let nameIndex = table.u32(at)!
                let info = header.bits == 64 ? table.u8(at + 4)! : table.u8(at + 12)!
                let sectionIndex = header.bits == 64 ? table.u16(at + 6)! : table.u16(at + 14)!
                guard let name = strings.range(UInt64(nameIndex)) else {
                    return Reason(text: "dynamic symbol \(index) names a string past the end of its string table")
                }
                let binding = info >> 4
                let kind: DynamicSymbol.Kind
                switch info & 0xF {
                case 2, 10: kind = .function  // STT_FUNC, STT_GNU_IFUNC
                case 1, 5: kind = .object  // STT_OBJECT, STT_COMMON
                case 6: kind = .tls
                default: kind = .other
                }
                var version: UInt16 = 0
                if let versionTable, let raw = versionTable.view.u16(versionTable.offset + index * 2) {
                    let versionIndex = Int(raw & 0x7FFF)
                    if versionIndex > 1 { version = handles[versionIndex] ?? 0 }
                    if versionIndex > 1, handles[versionIndex] == nil, sectionIndex == 0 {
                        withoutRecord.insert(String(decoding: UnsafeRawBufferPointer(rebasing: stringBytes[name]), as: UTF8.self))
                    }
                }
                if sharesNames {
                    builder.append(nameAt: name, version: version, isDefined: sectionIndex != 0, isWeak: binding == 2, kind: kind)
                } else {
                    builder.append(
                        name: UnsafeRawBufferPointer(rebasing: stringBytes[name]), version: version, isDefined: sectionIndex != 0,
                        isWeak: binding == 2, kind: kind)
                }
            }
            return nil
        }
        if let failure { return .failure(failure) }
        lookedUpWithoutVersion = withoutRecord
        return .success(builder.finish())
    }

    /// The API level of an Android note (`.note.android.ident`: PT_NOTE, name "Android", type 1, a 4-byte level first
}
