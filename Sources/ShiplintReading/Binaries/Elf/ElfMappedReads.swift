internal import CLibelf
import ShiplintFacts

/// What ld.so reads and writes in the mapped object between mapping it and relocating it, through the memory image
/// (LoadMap) with the protection each page has: the program headers again (at PT_PHDR, glibc elf/dl-load.c), the notes
/// they name (x86's property notes, sysdeps/x86/dl-prop.h, and the generic PT_GNU_PROPERTY walk), the dynamic table
/// (elf/get-dynamic-info.h, which writes the relocated table addresses back into a writable one) and the hash table's
/// header (`_dl_setup_hash`, elf/dl-setup_hash.c). A read where nothing readable is mapped, or a write to a page that is
/// not writable, is a fault of the loader itself (SIGSEGV, or SIGBUS past the end of the file).
extension ElfFactsReader {
    /// `count` bytes at `address` as the loader reads them; nil when one of them cannot be read.
    func memory(_ address: UInt64, _ count: Int, map: LoadMap, _ what: @autoclosure () -> String) -> Result<[UInt8]?, Reason> {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        var cursor = address
        while bytes.count < count {
            switch map.byte(at: cursor) {
            case .unmapped: return .success(nil)
            case .zero:
                bytes.append(0)
                cursor &+= 1
            case .file(let offset, let runEnd):
                let want = min(max(runEnd - offset, 1), count - bytes.count)
                switch view(offset, want, what()) {
                case .failure(let reason): return .failure(reason)
                case .success(let view): bytes += view.bytes[(offset - view.base)..<(offset - view.base + want)]
                }
                cursor &+= UInt64(want)
            }
            if cursor < address && bytes.count < count { return .success(nil) }  // Wrapped around the address space.
        }
        return .success(bytes)
    }

    private func word32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        let value = (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[at + $1]) << UInt32(8 * $1) }
        return header.byteOrder == .little ? value : value.byteSwapped
    }

    private func word64(_ bytes: [UInt8], _ at: Int) -> UInt64 {
        let value = (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[at + $1]) << UInt64(8 * $1) }
        return header.byteOrder == .little ? value : value.byteSwapped
    }

    /// After mapping, ld.so takes the program headers from memory: at PT_PHDR's address (the last PT_PHDR; a p_vaddr
    /// of 0 leaves `l_phdr` null, as if there were none: elf/dl-load.c), else where the first PT_LOAD whose file pages
    /// hold them maps them (_dl_postprocess_loadcmd, elf/dl-load.h), else its own copy of the file's. It then walks,
    /// last to first, the notes of each PT_NOTE and PT_GNU_PROPERTY those headers name.
    func mappedProgramHeaderProblem(_ segments: [Segment], map: LoadMap) -> Reason? {
        let count = header.programHeaderCount, entrySize = header.programHeaderSize
        guard count > 0, header.bits == 64, map.replayed else { return nil }
        let size = count * entrySize
        var address: UInt64?
        if let phdr = segments.last(where: { $0.type == UInt32(PT_PHDR) }), phdr.address != 0 {
            address = phdr.address
        } else {
            for load in map.loads {
                let mapOffset = UInt64(load.offset) & ~(LoadMap.pageSize - 1), mapStart = load.address & ~(LoadMap.pageSize - 1)
                let mapEnd = (load.address &+ UInt64(load.fileSize) &+ LoadMap.pageSize - 1) & ~(LoadMap.pageSize - 1)
                if mapOffset <= header.programHeaderOffset, mapEnd &- mapStart &+ mapOffset >= header.programHeaderOffset &+ UInt64(size) {
                    address = mapStart &+ header.programHeaderOffset &- mapOffset
                    break
                }
            }
        }
        let table: [UInt8]
        if let address {
            switch memory(address, size, map: map, "the program headers as mapped") {
            case .failure(let reason): return reason
            case .success(nil):
                return Reason(text: "its program headers, which the loader reads again after mapping at 0x\(hex(address)) (PT_PHDR, or the segment that maps them), are not in readable mapped memory: the loader faults (SIGSEGV)")
            case .success(let bytes?): table = bytes
            }
        } else {
            guard let bytes = held.bytes(Int(header.programHeaderOffset), size) else { return nil }
            table = bytes
        }
        guard header.machine == 62 else { return nil }
        var propertySeen = false
        for index in stride(from: count - 1, through: 0, by: -1) {
            let at = index * entrySize
            let type = word32(table, at)
            guard type == UInt32(PT_NOTE) || type == PT_GNU_PROPERTY_TYPE else { continue }
            let address = word64(table, at + 16), memorySize = word64(table, at + 40), alignment = word64(table, at + 48)
            if type == UInt32(PT_NOTE) {
                // x86's property note reading stops for good once one PT_NOTE has been read.
                if propertySeen { continue }
                guard alignment == 8 else { continue }
                propertySeen = true
            } else if alignment != 8 {
                continue
            }
            if let reason = noteWalkProblem(address, memorySize, wholeSegment: type == UInt32(PT_NOTE), map: map) { return reason }
        }
        return nil
    }

    /// Walks the notes at `start` for `size` bytes as ld.so does (8-byte alignment), and the properties of the GNU
    /// property note it stops at. PT_GNU_PROPERTY (elf/dl-load.c `_dl_process_pt_gnu_property`): the first property
    /// of the first GNU property note, then it stops (x86's `_dl_process_gnu_property` returns 0). PT_NOTE on x86
    /// (sysdeps/x86/dl-prop.h `_dl_process_property_note`, glibc 2.36): every property of the first GNU property note
    /// until one it looks for (ISA_1_NEEDED ends the note) or one past them, then the notes after it; a descriptor
    /// size that is not whole words, a property out of order, one that runs past the descriptor, one it looks for
    /// whose size is not 4, or a second GNU property note ends the whole walk: nothing after it is read.
    private func noteWalkProblem(_ start: UInt64, _ size: UInt64, wholeSegment: Bool, map: LoadMap) -> Reason? {
        func fault(_ at: UInt64) -> Reason {
            Reason(text: "the loader reads the notes of a \(wholeSegment ? "PT_NOTE" : "PT_GNU_PROPERTY") segment at 0x\(hex(at)) (segment 0x\(hex(start)), 0x\(hex(size)) bytes), where nothing readable is mapped: it faults (SIGSEGV)")
        }
        // GNU_PROPERTY_1_NEEDED, GNU_PROPERTY_X86_FEATURE_1_AND, GNU_PROPERTY_X86_ISA_1_NEEDED: ascending.
        let neededOne: UInt32 = 0xB000_8000, featureAnd: UInt32 = 0xC000_0002, isaNeeded: UInt32 = 0xC000_8002
        var note = start
        var steps = 0
        var propertyNoteSeen = false
        while note &- start &+ 12 < size, note >= start {
            steps += 1
            if steps > 1 << 16 {
                // Past this many notes, whether the rest can be read is what decides.
                return map.readable(note, Int(clamping: size - (note - start))) ? nil : fault(note)
            }
            let bytes: [UInt8]
            switch memory(note, 12, map: map, "a note") {
            case .failure(let reason): return reason
            case .success(nil): return fault(note)
            case .success(let read?): bytes = read
            }
            let nameSize = UInt64(word32(bytes, 0)), descriptorSize = UInt64(word32(bytes, 4)), type = word32(bytes, 8)
            if nameSize == 4, type == 5 {
                switch memory(note &+ 12, 4, map: map, "a note's name") {
                case .failure(let reason): return reason
                case .success(nil): return fault(note &+ 12)
                case .success(let name?) where name.elementsEqual("GNU\0".utf8):
                    if propertyNoteSeen { return nil }
                    propertyNoteSeen = true
                    guard descriptorSize >= 8, descriptorSize % 8 == 0 else { return nil }
                    var property = note &+ 16
                    let end = property &+ descriptorSize
                    var lastType: UInt32 = 0
                    repeat {
                        steps += 1
                        if steps > 1 << 16 { return map.readable(property, Int(clamping: end &- property)) ? nil : fault(property) }
                        let header: [UInt8]
                        switch memory(property, 8, map: map, "a GNU property") {
                        case .failure(let reason): return reason
                        case .success(nil): return fault(property)
                        case .success(let read?): header = read
                        }
                        let propertyType = word32(header, 0), dataSize = UInt64(word32(header, 4))
                        guard wholeSegment else { return nil }
                        guard propertyType >= lastType else { return nil }
                        property &+= 8
                        guard property &+ dataSize <= end else { return nil }
                        lastType = propertyType
                        if [neededOne, featureAnd, isaNeeded].contains(propertyType) {
                            guard dataSize == 4 else { return nil }
                            if !map.readable(property, 4) { return fault(property) }
                            if propertyType == isaNeeded { break }
                        } else if propertyType > isaNeeded {
                            break
                        }
                        property &+= (dataSize + 7) & ~7
                    } while property <= end && end - property >= 8
                case .success: break
                }
            }
            let descriptorOffset = (12 + nameSize + 7) & ~7
            note = note &+ ((descriptorOffset &+ descriptorSize &+ 7) & ~7)
        }
        return nil
    }

    /// The dynamic table in memory: ld.so reads it to DT_NULL, and when PT_DYNAMIC has PF_W it adds the load address
    /// to the entries of DT_HASH, DT_PLTGOT, DT_STRTAB, DT_SYMTAB, DT_RELR, DT_JMPREL, DT_VERSYM, DT_GNU_HASH (and
    /// DT_RELA/DT_REL when not 0) in place (elf/get-dynamic-info.h): those entries must be writable. Not for an ET_EXEC
    /// program, whose load address is 0 (`if (l->l_addr != 0 && dl_relocate_ld (l))`): there ld.so writes only the
    /// r_debug address into DT_DEBUG's value (elf_setup_debug_entry, sysdeps/generic/dl-debug.h), which must be
    /// writable.
    func mappedDynamicProblem(_ segment: Segment, tags: DynamicTags, map: LoadMap) -> Reason? {
        guard map.replayed else { return nil }
        let entrySize = header.bits == 64 ? 16 : 8
        let length = (tags.count + 1) * entrySize
        if !map.readable(segment.address, length) {
            return Reason(text: "the dynamic table (PT_DYNAMIC at 0x\(hex(segment.address))) is not in readable mapped memory: the loader reads it there and faults (SIGSEGV)")
        }
        if header.type == 2 {
            guard let index = tags.lastIndex[21] else { return nil }  // DT_DEBUG
            let at = segment.address &+ UInt64(index * entrySize) &+ UInt64(entrySize / 2)
            guard !map.writable(at, entrySize / 2) else { return nil }
            return Reason(text: "running it, ld.so writes the address of its r_debug into DT_DEBUG's value (dynamic entry \(index), 0x\(hex(at))), which is not in writable memory (elf_setup_debug_entry, sysdeps/generic/dl-debug.h): it faults (SIGSEGV)")
        }
        guard segment.flags & 2 != 0 else { return nil }
        for index in tags.relocatedEntries {
            let at = segment.address &+ UInt64(index * entrySize) &+ UInt64(entrySize / 2)
            if !map.writable(at, entrySize / 2) {
                return Reason(text: "PT_DYNAMIC has PF_W, so the loader adds the load address to its table addresses in place, but dynamic entry \(index) (0x\(hex(at))) is not in writable memory: it faults (SIGSEGV)")
            }
        }
        return nil
    }

    /// `_dl_setup_hash`: the header of DT_GNU_HASH (its bloom filter's word count must be a power of two: an assertion)
    /// or, without it, of DT_HASH, read for every object loaded.
    func hashTableProblem(_ tags: DynamicTags, map: LoadMap) -> Reason? {
        if let gnuHash = tags.gnuHash {
            switch memory(gnuHash, 16, map: map, "the GNU hash table's header") {
            case .failure(let reason): return reason
            case .success(nil):
                return Reason(text: "DT_GNU_HASH (0x\(hex(gnuHash))) is not in readable mapped memory: the loader reads its header there and faults (SIGSEGV)")
            case .success(let bytes?):
                let words = word32(bytes, 8)
                if words & (words &- 1) != 0 {
                    return Reason(text: "Inconsistency detected by ld.so: dl-setup_hash.c: _dl_setup_hash: Assertion `(bitmask_nwords & (bitmask_nwords - 1)) == 0' failed! (DT_GNU_HASH's bloom filter has \(words) words, not a power of two; the process exits)")
                }
            }
        } else if let hash = tags.hash, !map.readable(hash, 8) {
            return Reason(text: "DT_HASH (0x\(hex(hash))) is not in readable mapped memory: the loader reads its header there and faults (SIGSEGV)")
        }
        return nil
    }
}
