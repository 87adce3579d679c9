internal import CLibelf
import ShiplintFacts

private let DT_GNU_HASH_TAG: Int64 = 0x6FFF_FEF5
private let DT_VERSYM_TAG: Int64 = 0x6FFF_FFF0
private let DT_FLAGS_1_TAG: Int64 = 0x6FFF_FFFB
private let DT_VERDEF_TAG: Int64 = 0x6FFF_FFFC
private let DT_VERDEFNUM_TAG: Int64 = 0x6FFF_FFFD
private let DT_VERNEED_TAG: Int64 = 0x6FFF_FFFE
private let DT_VERNEEDNUM_TAG: Int64 = 0x6FFF_FFFF

/// The dynamic tags the facts are read from.
struct DynamicTags {
    var needed: [(index: Int, offset: UInt64)] = []
    var soname: (index: Int, offset: UInt64)?
    var rpath: [(index: Int, offset: UInt64)] = []
    var runpath: [(index: Int, offset: UInt64)] = []
    var strtab: UInt64?
    var strsz: UInt64?
    var symtab: UInt64?
    var syment: UInt64?
    var hash: UInt64?
    var gnuHash: UInt64?
    var versym: UInt64?
    var verneed: UInt64?
    var verneedCount: UInt64?
    var verdef: UInt64?
    var verdefCount: UInt64?
    var flags1: UInt64 = 0
    /// DT_RELA / DT_REL with their sizes, for NodeModuleRecord.
    var rela: UInt64?
    var relaSize: UInt64?
    var relaEntry: UInt64?
    var rel: UInt64?
    var relSize: UInt64?
    var relEntry: UInt64?
    var pltrel: UInt64?
    var relr: UInt64?
    var relrEntry: UInt64?
    var relrSize: UInt64?
    var jmprel: UInt64?
    var pltrelSize: UInt64?
    var relaCount: UInt64?
    var textrel = false
    var initFunction: UInt64?
    var initArray: UInt64?
    var initArraySize: UInt64?
    /// Entries read before DT_NULL.
    var count = 0
    /// Where PT_DYNAMIC is mapped (its `p_vaddr`): the entries ld.so keeps pointers to (`l_info`) and reads again later.
    var dynamicAddress: UInt64?
    /// PT_DYNAMIC has PF_W: ld.so writes the relocated table addresses back into it (`relocatedEntries`).
    var dynamicWritable = false
    /// The index of the last entry of each tag (the one `l_info` points at).
    private(set) var lastIndex: [Int64: Int] = [:]
    /// The entry each relocated table address is read from (the last of its tag), by tag.
    private var addressEntries: [Int64: (index: Int, value: UInt64)] = [:]

    /// The entries whose value ld.so adds the load address to in place when PT_DYNAMIC is writable
    /// (elf/get-dynamic-info.h: DT_HASH, DT_PLTGOT, DT_STRTAB, DT_SYMTAB, DT_RELR, DT_JMPREL, DT_VERSYM, DT_GNU_HASH,
    /// and DT_RELA / DT_REL when not 0).
    var relocatedEntries: [Int] {
        addressEntries.filter { $0.key != 7 && $0.key != 17 || $0.value.value != 0 }.map(\.value.index).sorted()
    }

    /// The first consistency assertion of glibc's elf/get-dynamic-info.h (elf_get_dynamic_info) that fails: ld.so
    /// prints "Inconsistency detected by ld.so" and the process exits. Nil when every one holds. Which assertions ld.so
    /// has depends on its machine: x86_64, aarch64 and every other machine built with sysdeps/generic's
    /// ELF_MACHINE_NO_REL 1 (glibc 2.26-2.36 alike: x86_64's and aarch64's dl-machine.h, then dl-machine-rel.h) handle
    /// only RELA: DT_PLTREL must be DT_RELA, and DT_REL and DT_RELENT are never looked at. i386, arm and mips
    /// (ELF_MACHINE_NO_REL 0) handle both.
    func failedAssertion(machine: UInt16, bits: Int) -> String? {
        let handlesRel = [3, 8, 40].contains(machine)  // EM_386, EM_MIPS, EM_ARM
        let word: UInt64 = bits == 64 ? 8 : 4
        if let pltrel {
            if handlesRel, pltrel != 7 && pltrel != 17 {
                return "info[DT_PLTREL]->d_un.d_val == DT_REL || info[DT_PLTREL]->d_un.d_val == DT_RELA (DT_PLTREL is \(pltrel))"
            }
            if !handlesRel, pltrel != 7 {
                return "info[DT_PLTREL]->d_un.d_val == DT_RELA (DT_PLTREL is \(pltrel))"
            }
        }
        if rela != nil, relaEntry != 3 * word {
            return "info[DT_RELAENT]->d_un.d_val == sizeof (ElfW(Rela)) (DT_RELAENT is \(relaEntry.map(String.init) ?? "absent"), \(3 * word) expected)"
        }
        if handlesRel, rel != nil, relEntry != 2 * word {
            return "info[DT_RELENT]->d_un.d_val == sizeof (ElfW(Rel)) (DT_RELENT is \(relEntry.map(String.init) ?? "absent"), \(2 * word) expected)"
        }
        if relr != nil, relrEntry != word {
            return "info[DT_RELRENT]->d_un.d_val == sizeof (ElfW(Relr)) (DT_RELRENT is \(relrEntry.map(String.init) ?? "absent"), \(word) expected)"
        }
        return nil
    }

    /// Every table address the tags give, for asking for the cluster of tables at once.
    var tableAddresses: [UInt64] { [symtab, hash, gnuHash, versym, verneed, verdef].compactMap { $0 } }

    mutating func record(tag: Int64, value: UInt64, index: Int) {
        count = max(count, index + 1)
        lastIndex[tag] = index
        if [4, 3, 5, 6, 36, 23, DT_VERSYM_TAG, DT_GNU_HASH_TAG, 7, 17].contains(tag) { addressEntries[tag] = (index, value) }
        switch tag {
        case Int64(DT_NEEDED): needed.append((index, value))
        case Int64(DT_SONAME): soname = (index, value)
        case Int64(DT_RPATH): rpath.append((index, value))
        case Int64(DT_RUNPATH): runpath.append((index, value))
        case Int64(DT_STRTAB): strtab = value
        case Int64(DT_STRSZ): strsz = value
        case Int64(DT_SYMTAB): symtab = value
        case Int64(DT_SYMENT): syment = value
        case Int64(DT_HASH): hash = value
        case DT_GNU_HASH_TAG: gnuHash = value
        case DT_VERSYM_TAG: versym = value
        case DT_VERNEED_TAG: verneed = value
        case DT_VERNEEDNUM_TAG: verneedCount = value
        case DT_VERDEF_TAG: verdef = value
        case DT_VERDEFNUM_TAG: verdefCount = value
        case DT_FLAGS_1_TAG: flags1 = value
        case Int64(DT_RELA): rela = value
        case Int64(DT_RELASZ): relaSize = value
        case Int64(DT_RELAENT): relaEntry = value
        case Int64(DT_REL): rel = value
        case Int64(DT_RELSZ): relSize = value
        case Int64(DT_RELENT): relEntry = value
        case 20: pltrel = value  // DT_PLTREL
        case 36: relr = value  // DT_RELR
        case 37: relrEntry = value  // DT_RELRENT
        case 35: relrSize = value  // DT_RELRSZ
        case 23: jmprel = value  // DT_JMPREL
        case 2: pltrelSize = value  // DT_PLTRELSZ
        case 0x6FFF_FFF9: relaCount = value  // DT_RELACOUNT
        case 22: textrel = true  // DT_TEXTREL
        case 30: if value & 4 != 0 { textrel = true }  // DT_FLAGS with DF_TEXTREL
        case 12: initFunction = value  // DT_INIT
        case 25: initArray = value  // DT_INIT_ARRAY
        case 27: initArraySize = value  // DT_INIT_ARRAYSZ
        default: break
        }
    }
}

/// The dynamic string table: a view of DT_STRSZ bytes at DT_STRTAB for the common case, and the loader's reading
/// (through the mapping, to the first NUL, whatever DT_STRSZ says) for a string that index or length puts outside it.
struct StringTable {
    let view: ByteView
    let offset: Int
    let size: Int
    let address: UInt64

    /// Where the string at `index` lies in `view.bytes` (without its NUL) when it ends inside the view.
    func range(_ index: UInt64) -> Range<Int>? {
        guard index < UInt64(size) else { return nil }
        return view.cStringRange(at: offset + Int(index), limit: size, end: offset + size)
    }
}

extension ElfFactsReader {
    /// PT_DYNAMIC as ld.so finds it: at `p_vaddr` in the mapped image (the last PT_DYNAMIC with file bytes, as
    /// glibc's loop over the program headers keeps), read until DT_NULL. Its tags, translated by libelf.
    func readDynamicTags(_ segment: Segment, image: [UInt8], map: LoadMap) -> Result<DynamicTags, Reason> {
        let entrySize = header.bits == 64 ? 16 : 8
        let start: Int, runEnd: Int
        switch map.byte(at: segment.address) {
        case .zero: return .success(DynamicTags())  // The table reads as zeros: DT_NULL first.
        case .unmapped:
            return .failure(Reason(text: "PT_DYNAMIC (address 0x\(hex(segment.address))) lies outside every PT_LOAD segment: the loader reads its dynamic table there and faults"))
        case .file(let offset, let end):
            start = offset
            // A run that ends with the file goes on in zeros to the end of its page.
            runEnd = end == held.size ? max(end, mappedFileEnd) : end
        }
        // A segment's file bytes that end inside an entry, zero fill after them: ld.so reads that entry with zeros in it.
        let fileRun = runEnd - start
        var zeroTail = false
        if fileRun % entrySize != 0, case .zero = map.byte(at: segment.address &+ UInt64(fileRun)) { zeroTail = true }
        let mapped = (fileRun + (zeroTail ? entrySize - 1 : 0)) / entrySize * entrySize
        // The declared size first; glibc reads on to DT_NULL, so more of the mapping when DT_NULL is not in it.
        let declared = min(mapped, max(segment.fileSize, entrySize) / entrySize * entrySize)
        var tags = DynamicTags()
        var length = declared
        while true {
            let count = length / entrySize
            guard count > 0 else { return .success(tags) }
            let bytes: [UInt8]
            let fromFile = min(count * entrySize, fileRun)
            switch view(start, fromFile, "PT_DYNAMIC") {
            case .failure(let reason): return .failure(reason)
            case .success(let view):
                bytes = Array(view.bytes[(start - view.base)..<(start - view.base + fromFile)]) + [UInt8](repeating: 0, count: count * entrySize - fromFile)
            }
            switch translate(bytes, count: count, image: image) {
            case .failure(let reason): return .failure(reason)
            case .success(let (read, ended)):
                tags = read
                tags.dynamicAddress = segment.address
                tags.dynamicWritable = segment.flags & 2 != 0
                if ended { return .success(tags) }
            }
            // At most the rest of the mapping's file bytes, and 65,536 entries.
            let longest = min(mapped, 1 << 20) / entrySize * entrySize
            if length >= longest {
                // The file bytes end without DT_NULL: zeros follow (a DT_NULL) or nothing does.
                if longest < 1 << 20, case .unmapped = map.byte(at: segment.address + UInt64(length)) {
                    return .failure(Reason(text: "PT_DYNAMIC (address 0x\(hex(segment.address))) has no DT_NULL before the end of its mapping: the loader reads past it and faults"))
                }
                return .success(tags)
            }
            length = min(longest, max(length * 4, 4096))
        }
    }

    /// libelf translates the dynamic table (class and byte order) from the image, the table appended to it. True
    /// when DT_NULL ended it.
    private func translate(_ dynamicBytes: [UInt8], count: Int, image: [UInt8]) -> Result<(DynamicTags, Bool), Reason> {
        var tags = DynamicTags()
        guard let elf = ElfImage(image + dynamicBytes) else {
            return .failure(Reason(text: "libelf could not open the file: \(ElfImage.lastError)"))
        }
        guard let data = elf_getdata_rawchunk(elf.elf, Int64(image.count), dynamicBytes.count, ELF_T_DYN) else {
            return .failure(Reason(text: "unreadable PT_DYNAMIC: \(ElfImage.lastError)"))
        }
        for index in 0..<count {
            var dyn = GElf_Dyn()
            guard gelf_getdyn(data, Int32(index), &dyn) != nil else { return .success((tags, true)) }
            if dyn.d_tag == Int64(DT_NULL) { return .success((tags, true)) }
            tags.record(tag: dyn.d_tag, value: dyn.d_un.d_val, index: index)
        }
        return .success((tags, false))
    }

    /// The dynamic string table, when the tags name any string.
    func readStringTable(_ tags: DynamicTags, map: LoadMap) -> Result<StringTable?, Reason> {
        let hasStrings = !tags.needed.isEmpty || tags.soname != nil || !tags.rpath.isEmpty || !tags.runpath.isEmpty
            || tags.verneed != nil || tags.verdef != nil || tags.symtab != nil
        guard hasStrings else { return .success(nil) }
        // Without DT_STRTAB ld.so skips the version checks (_dl_check_map_versions: "we must be ok"); it reads the
        // DT_NEEDED names through a null pointer (elf/dl-deps.c) and faults.
        guard let strtab = tags.strtab else {
            // elf/dl-load.c _dl_map_object reads D_PTR (l, l_info[DT_STRTAB]) to compare a later load's name with
            // DT_SONAME: a null pointer.
            if tags.needed.isEmpty, tags.soname != nil {
                return .failure(Reason(text: "PT_DYNAMIC has DT_SONAME but no DT_STRTAB: ld.so reads the string table's address through a null pointer to compare the name of every library loaded after it, and faults at the next load"))
            }
            if tags.needed.isEmpty { return .success(nil) }
            return .failure(Reason(text: "PT_DYNAMIC has DT_NEEDED but no DT_STRTAB: the loader reads the library names through a null pointer and faults"))
        }
        // A table that is not file bytes (zero fill, or nothing) is not read until a name is: each is then read through
        // the mapping as ld.so reads it (empty from zeros, a fault from nothing), by whichever rule reads it.
        guard let mapped = map.fileOffset(strtab, 0) else {
            return .success(StringTable(view: ByteView([], byteOrder: header.byteOrder, base: 0), offset: 0, size: 0, address: strtab))
        }
        // DT_STRSZ bounds the view; the loader itself never reads DT_STRSZ (strings past it are read as it reads them).
        let declared = min(tags.strsz.flatMap { Int(exactly: $0) } ?? Int.max, mapped.segmentEnd - mapped.offset)
        switch view(mapped.offset, declared, "the dynamic string table (DT_STRTAB)") {
        case .failure(let reason): return .failure(reason)
        case .success(let view): return .success(StringTable(view: view, offset: mapped.offset, size: declared, address: strtab))
        }
    }

    /// The string at `index` of the string table, as the loader reads it.
    func string(_ strings: StringTable, _ index: UInt64, map: LoadMap, what: @autoclosure () -> String) -> Result<String?, Reason> {
        if let range = strings.range(index) { return .success(String(decoding: strings.view.bytes[range], as: UTF8.self)) }
        let (address, overflow) = strings.address.addingReportingOverflow(index)
        if overflow { return .success(nil) }
        return map.string(at: address, held: held, what: what())
    }

    /// DT_NEEDED, DT_SONAME, DT_RPATH and DT_RUNPATH. ld.so reads every DT_NEEDED name (one it cannot read faults);
    /// an empty one names the main program (its link map's name is ""), which is always there. DT_SONAME is read by
    /// every later load in the process (elf/dl-load.c _dl_map_object compares each name it is asked for with the
    /// DT_SONAME of every object already loaded that it has not matched yet): one that cannot be read is a fault at the
    /// next import. The search paths are read only when a dependency is searched for: one that cannot be read is left
    /// out, not fatal.
    func readNames(_ tags: DynamicTags, strings: StringTable, map: LoadMap, into collected: inout Collected) -> Reason? {
        for entry in tags.needed {
            switch string(strings, entry.offset, map: map, what: "the string of dynamic entry \(entry.index) (DT_NEEDED)") {
            case .failure(let reason): return reason
            case .success(nil):
                return Reason(text: "dynamic entry \(entry.index) (DT_NEEDED) names a string that runs past its mapping (string table offset \(entry.offset)): the loader reads past it and faults")
            case .success(let name?):
                if let reason = relocatedNameProblem(tags, at: strings.address &+ entry.offset, fileName: name, map: map, "dynamic entry \(entry.index) (DT_NEEDED)") {
                    return reason
                }
                if !name.isEmpty { collected.needed.append(name) }
            }
        }
        if let entry = tags.soname {
            switch string(strings, entry.offset, map: map, what: "the string of dynamic entry \(entry.index) (DT_SONAME)") {
            case .failure(let reason): return reason
            case .success(nil):
                return Reason(text: "dynamic entry \(entry.index) (DT_SONAME) names a string that runs into memory the object does not map (string table offset \(entry.offset)): ld.so compares the name of every library loaded after it with its DT_SONAME and faults at the next load")
            case .success(let name?): collected.soname = name
            }
        }
        for (entries, tag, isRunpath) in [(tags.rpath, "DT_RPATH", false), (tags.runpath, "DT_RUNPATH", true)] {
            for entry in entries {
                switch string(strings, entry.offset, map: map, what: "the string of dynamic entry \(entry.index) (\(tag))") {
                case .failure(let reason): return reason
                case .success(nil): continue
                case .success(let value?):
                    let parts = value.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
                    if isRunpath { collected.runpath += parts } else { collected.rpath += parts }
                }
            }
        }
        return nil
    }

    /// A name ld.so reads after elf/get-dynamic-info.h has added the load address, in place, to the table addresses of
    /// a writable PT_DYNAMIC (`relocatedEntries`; not in an ET_EXEC program, whose load address is 0): a name in or
    /// running into such a value is made of the object's load address (modelled as 0x7f3c5a2e1000, an address where
    /// Linux maps libraries; its bytes 1 to 5 are not 0), not of the file's bytes. For DT_NEEDED (elf/dl-deps.c reads
    /// the names after mapping) that is a library no system has: dlopen fails.
    private func relocatedNameProblem(_ tags: DynamicTags, at address: UInt64, fileName: String, map: LoadMap, _ what: String) -> Reason? {
        guard tags.dynamicWritable, header.type != 2, header.bits == 64, let dynamic = tags.dynamicAddress else { return nil }
        let loadAddress: UInt64 = 0x7F3C_5A2E_1000
        let words = tags.relocatedEntries.map { (index: $0, at: dynamic &+ UInt64($0) &* 16 &+ 8) }
        guard let first = words.first(where: { $0.at &+ 8 > address && $0.at < address &+ UInt64(fileName.utf8.count) &+ 1 }) else { return nil }
        var name: [UInt8] = []
        var cursor = address
        while name.count < 4096 {
            let byte: UInt8
            if let word = words.first(where: { $0.at <= cursor && cursor < $0.at &+ 8 }) {
                guard case .success(let bytes?) = memory(word.at, 8, map: map, "a dynamic entry's value") else { return nil }
                let value = (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[$1]) << UInt64(8 * $1) } &+ loadAddress
                byte = UInt8(truncatingIfNeeded: value >> (8 * (cursor &- word.at)))
            } else {
                guard case .success(let bytes?) = memory(cursor, 1, map: map, "a name") else { return nil }
                byte = bytes[0]
            }
            if byte == 0 { break }
            name.append(byte)
            cursor &+= 1
        }
        guard !name.elementsEqual(fileName.utf8) else { return nil }
        return Reason(text: "\(what) names the string at 0x\(hex(address)), which runs into PT_DYNAMIC's entry \(first.index), a table address ld.so has already relocated in place (elf/get-dynamic-info.h adds the load address) when it reads the name: the name it reads is made of the object's load address, a library no system has, and dlopen fails (\"cannot open shared object file\")")
    }

    /// A table not held: ask for the cluster of tables around it at once (they usually lie together, before the
    /// code), so a stream needs one more pass, not one per table.
    func widened(_ reason: Reason, tags: DynamicTags, map: LoadMap) -> Reason {
        guard let missing = reason.missing else { return reason }
        var reason = reason
        guard reason.clustered else {
            reason.also += tableRanges(tags, map: map)
            return reason
        }
        var start = missing.offset, end = missing.offset + missing.count
        var extents: [(start: Int, end: Int)] = []
        if let strtab = tags.strtab, let mapped = map.fileOffset(strtab, 0) {
            extents.append((mapped.offset, mapped.offset + min(Int(clamping: tags.strsz ?? 1), mapped.segmentEnd - mapped.offset)))
        }
        for address in tags.tableAddresses {
            if let mapped = map.fileOffset(address, 1) { extents.append((mapped.offset, mapped.offset + 1)) }
        }
        var grew = true
        while grew {
            grew = false
            for extent in extents where extent.start < end + ElfRanges.clusterGap && extent.end + ElfRanges.clusterGap > start {
                if extent.start < start || extent.end > end {
                    start = min(start, extent.start)
                    end = max(end, extent.end)
                    grew = true
                }
            }
        }
        reason.missing = (start, end - start)
        reason.also += tableRanges(tags, map: map)
        return reason
    }

    /// The file ranges of the tables the dynamic tags name, as far as the tags tell their sizes: a stream keeps them
    /// all in one pass, wherever each lies (relocations past the first megabyte, the string table at the end). A table
    /// without a size of its own (symbols, versions, hashes) is taken up to the next table in the same run of file
    /// bytes, at most `unsizedTableHint` bytes; the relocations only when the reader models them.
    func tableRanges(_ tags: DynamicTags, map: LoadMap) -> [Range<Int>] {
        func range(_ address: UInt64?, _ size: UInt64?) -> Range<Int>? {
            guard let address, let mapped = map.fileOffset(address, 0), mapped.segmentEnd > mapped.offset else { return nil }
            let count = min(Int(clamping: size ?? UInt64(Self.unsizedTableHint)), mapped.segmentEnd - mapped.offset)
            return count > 0 ? mapped.offset..<(mapped.offset + count) : nil
        }
        var sized: [Range<Int>?] = [range(tags.strtab, tags.strsz)]
        if let array = tags.initArray { sized.append(range(array, min(tags.initArraySize ?? 8, 1 << 16))) }
        let relocations: [(UInt64?, UInt64?)] = [(tags.rela, tags.relaSize), (tags.jmprel, tags.pltrelSize), (tags.relr, tags.relrSize), (tags.rel, tags.relSize)]
        if relocations.reduce(UInt64(0), { $0 &+ ($1.0 == nil ? 0 : $1.1 ?? 0) }) <= UInt64(Self.modelledRelocationBytes) {
            sized += relocations.map { range($0.0, $0.1) }
        }
        var ranges = sized.compactMap { $0 }
        let starts = (ranges.map(\.lowerBound) + tags.tableAddresses.compactMap { map.fileOffset($0, 0)?.offset }).sorted()
        for address in tags.tableAddresses {
            guard var unsized = range(address, nil) else { continue }
            if let next = starts.first(where: { $0 > unsized.lowerBound }), next < unsized.upperBound {
                unsized = unsized.lowerBound..<next
            }
            ranges.append(unsized)
        }
        return ranges
    }

    /// The most bytes asked for ahead of time for a table whose size the tags do not give.
    static let unsizedTableHint = 4 << 20

    /// The file ranges of the segments the reader reads after the program headers: PT_DYNAMIC (through the mapping),
    /// the notes, PT_INTERP.
    func segmentRanges(_ segments: [Segment], map: LoadMap) -> [Range<Int>] {
        segments.compactMap { segment in
            let start: Int, count: Int
            switch segment.type {
            case UInt32(PT_DYNAMIC):
                guard let mapped = map.fileOffset(segment.address, 0) else { return nil }
                (start, count) = (mapped.offset, min(segment.fileSize, mapped.segmentEnd - mapped.offset, 1 << 20))
            case UInt32(PT_NOTE), PT_GNU_PROPERTY_TYPE, UInt32(PT_INTERP):
                (start, count) = (segment.offset, min(segment.fileSize, 1 << 16))
            default:
                return nil
            }
            guard start >= 0, start < held.size, count > 0 else { return nil }
            return start..<min(held.size, start + count)
        }
    }
}
