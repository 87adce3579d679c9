internal import CLibelf
import ShiplintFacts

/// Reads ELF facts the way glibc's ld.so does: the ELF header, the program headers, then PT_INTERP, PT_GNU_STACK,
/// the notes and PT_DYNAMIC, whose tags give the string, symbol, version and hash tables by *address*, mapped to file
/// offsets through the PT_LOAD segments. Section headers are never read: the loader does not read them, so a file
/// whose section table is stripped or points past its end loads (and is judged) like the original.
/// libelf (elfutils) reads the header, the program headers and the dynamic table; the variable-length tables are
/// walked by hand over bounds-checked views, their links capped by the segment that holds them (a looping `vn_next`
/// ends, it does not spin). Works over `HeldBytes`, so a stream needs to keep only the ranges read here.
enum ElfReader {
    enum Outcome {
        case facts(ElfFacts)
        /// The loader would refuse the file, or a table lies outside the file: the reason, in the loader's words where
        /// it has some.
        case corrupt(String)
        /// A range the facts need was not held: `offset..<offset+count` (inside the file). A stream keeps it and reads
        /// again; what cannot be held is said, never guessed.
        case notHeld(String, offset: Int, count: Int)
    }

    /// libelf must be told which ELF version the caller speaks before any other call; once per process.
    private static let libelfReady: Bool = elf_version(UInt32(EV_CURRENT)) != UInt32(EV_NONE)

    static func read(_ bytes: [UInt8]) -> Outcome {
        read(HeldBytes(whole: bytes))
    }

    static func read(_ held: HeldBytes) -> Outcome {
        switch RawHeader.parse(held) {
        case .failure(let reason): return reason.outcome
        case .success(let header):
            guard libelfReady else { return .corrupt("libelf could not be initialised") }
            switch ElfFactsReader(held: held, header: header).read() {
            case .success(let facts): return .facts(facts)
            case .failure(let reason): return reason.outcome
            }
        }
    }

    struct Reason: Error {
        let text: String
        var missing: (offset: Int, count: Int)?

        static func missing(_ what: String, _ offset: Int, _ count: Int) -> Reason {
            Reason(text: "\(what) (offset \(offset), \(count) bytes) was not read", missing: (offset, count))
        }

        var outcome: Outcome {
            guard let missing else { return .corrupt(text) }
            return .notHeld(text, offset: missing.offset, count: missing.count)
        }
    }

    /// The ELF header fields read by hand first, so a truncated or lying header is caught before libelf sees it.
    struct RawHeader {
        let bits: Int
        let byteOrder: ByteOrder
        let headerSize: Int
        let type: UInt16
        let programHeaderOffset: UInt64
        let programHeaderSize: Int
        let programHeaderCount: Int

        /// sizeof(Elf64_Phdr) or sizeof(Elf32_Phdr): glibc refuses any other e_phentsize.
        var expectedProgramHeaderSize: Int { bits == 64 ? 56 : 32 }

        /// The bytes the header says the program header table occupies.
        var programHeaderRange: (offset: UInt64, count: UInt64) {
            (programHeaderOffset, UInt64(programHeaderCount) * UInt64(programHeaderSize))
        }

        /// Bytes of the ELF identification and header needed before anything else (the 64-bit header's size).
        static let prefixLength = 64

        static func parse(_ held: HeldBytes) -> Result<RawHeader, Reason> {
            let size = held.size
            guard size >= 16 else {
                return .failure(Reason(text: "truncated: \(size) bytes, shorter than the ELF identification (16 bytes)"))
            }
            guard let ident = held.view(0, 16, byteOrder: .little) else { return .failure(.missing("the ELF identification", 0, 16)) }
            let bits: Int
            switch ident.u8(4)! {
            case 1: bits = 32
            case 2: bits = 64
            case let other: return .failure(Reason(text: "unknown ELF class \(other) (neither 32- nor 64-bit)"))
            }
            let byteOrder: ByteOrder
            switch ident.u8(5)! {
            case 1: byteOrder = .little
            case 2: byteOrder = .big
            case let other: return .failure(Reason(text: "unknown ELF data encoding \(other) (neither little nor big endian)"))
            }
            let headerSize = bits == 64 ? 64 : 52
            guard size >= headerSize else {
                return .failure(Reason(text: "truncated: \(size) bytes, shorter than the \(bits)-bit ELF header (\(headerSize) bytes)"))
            }
            guard let view = held.view(0, headerSize, byteOrder: byteOrder) else { return .failure(.missing("the ELF header", 0, headerSize)) }
            let phoff: UInt64, tail: Int
            if bits == 64 {
                phoff = view.u64(32)!
                tail = 54
            } else {
                phoff = UInt64(view.u32(28)!)
                tail = 42
            }
            let header = RawHeader(
                bits: bits, byteOrder: byteOrder, headerSize: headerSize, type: view.u16(16)!,
                programHeaderOffset: phoff, programHeaderSize: Int(view.u16(tail)!), programHeaderCount: Int(view.u16(tail + 2)!))
            // glibc (elf/dl-load.c, open_verify) refuses any other size before reading a program header. An object
            // file (ET_REL) has no program headers and e_phentsize 0: not loadable, but not damaged either.
            if header.programHeaderSize != header.expectedProgramHeaderSize && (header.programHeaderCount > 0 || header.type == 2 || header.type == 3) {
                return .failure(Reason(text: "ELF file's phentsize not the expected size (e_phentsize \(header.programHeaderSize), \(header.expectedProgramHeaderSize) expected): the loader refuses it"))
            }
            if header.programHeaderCount > 0 {
                let (offset, count) = header.programHeaderRange
                guard offset <= UInt64(size), count <= UInt64(size) - offset else {
                    return .failure(Reason(text: "program header table (offset \(phoff), \(header.programHeaderCount) entries) lies past the end of the file (\(size) bytes)"))
                }
            }
            return .success(header)
        }
    }
}

/// One libelf descriptor over a small image made of the ELF header, the program header table and the dynamic table
/// (copied out of the held bytes, so libelf never needs the whole file); never shared, ended in deinit.
private final class ElfImage {
    let elf: OpaquePointer
    private let memory: UnsafeMutableRawBufferPointer

    init?(_ bytes: [UInt8]) {
        memory = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
        memory.copyBytes(from: bytes)
        guard let elf = elf_memory(memory.baseAddress!.assumingMemoryBound(to: CChar.self), bytes.count) else {
            memory.deallocate()
            return nil
        }
        self.elf = elf
    }

    deinit {
        elf_end(elf)
        memory.deallocate()
    }

    static var lastError: String {
        guard let message = elf_errmsg(-1) else { return "unknown libelf error" }
        return String(cString: message)
    }
}

private struct Segment {
    let index: Int
    let type: UInt32
    let flags: UInt32
    let offset: Int
    let fileSize: Int
    let address: UInt64
    let alignment: UInt64
    var end: Int { offset + fileSize }
}

private let DT_GNU_HASH_TAG: Int64 = 0x6FFF_FEF5
private let DT_VERSYM_TAG: Int64 = 0x6FFF_FFF0
private let DT_VERDEF_TAG: Int64 = 0x6FFF_FFFC
private let DT_VERDEFNUM_TAG: Int64 = 0x6FFF_FFFD
private let DT_VERNEED_TAG: Int64 = 0x6FFF_FFFE
private let DT_VERNEEDNUM_TAG: Int64 = 0x6FFF_FFFF
private let PT_GNU_PROPERTY_TYPE: UInt32 = 0x6474_E553

/// The dynamic tags the facts are read from.
private struct DynamicTags {
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
    /// DT_RELA / DT_REL with their sizes, for NodeModuleRecord.
    var rela: UInt64?
    var relaSize: UInt64?
    var relaEntry: UInt64?
    var rel: UInt64?
    var relSize: UInt64?
    var relEntry: UInt64?
}

private struct ElfFactsReader {
    let held: HeldBytes
    let header: ElfReader.RawHeader
    typealias Reason = ElfReader.Reason

    private func view(_ offset: Int, _ count: Int, _ what: @autoclosure () -> String) -> Result<ByteView, Reason> {
        guard held.inFile(offset, count) else {
            return .failure(Reason(text: "\(what()) (offset \(offset), \(count) bytes) lies past the end of the file (\(held.size) bytes)"))
        }
        guard let view = held.view(offset, count, byteOrder: header.byteOrder) else { return .failure(.missing(what(), offset, count)) }
        return .success(view)
    }

    func read() -> Result<ElfFacts, Reason> {
        let bits = header.bits
        // The small image libelf reads: header (e_phoff moved right behind it, no section table) + program headers.
        guard var image = held.bytes(0, header.headerSize) else { return .failure(.missing("the ELF header", 0, header.headerSize)) }
        let tableLength = header.programHeaderCount * header.programHeaderSize
        if header.programHeaderCount > 0 {
            guard let table = held.bytes(Int(header.programHeaderOffset), tableLength) else {
                return .failure(.missing("the program header table", Int(header.programHeaderOffset), tableLength))
            }
            image += table
        }
        patch(&image, at: bits == 64 ? 32 : 28, value: UInt64(header.headerSize), width: bits == 64 ? 8 : 4)  // e_phoff
        patch(&image, at: bits == 64 ? 40 : 32, value: 0, width: bits == 64 ? 8 : 4)  // e_shoff
        patch(&image, at: bits == 64 ? 60 : 48, value: 0, width: 2)  // e_shnum
        patch(&image, at: bits == 64 ? 62 : 50, value: 0, width: 2)  // e_shstrndx

        let segments: [Segment]
        let ehdr: GElf_Ehdr
        do {
            guard let elf = ElfImage(image) else {
                return .failure(Reason(text: "libelf could not open the file: \(ElfImage.lastError)"))
            }
            guard elf_kind(elf.elf) == ELF_K_ELF else { return .failure(Reason(text: "libelf does not take it for an ELF file")) }
            var header = GElf_Ehdr()
            guard gelf_getehdr(elf.elf, &header) != nil else {
                return .failure(Reason(text: "unreadable ELF header: \(ElfImage.lastError)"))
            }
            ehdr = header
            var list: [Segment] = []
            for index in 0..<self.header.programHeaderCount {
                var phdr = GElf_Phdr()
                guard gelf_getphdr(elf.elf, Int32(index), &phdr) != nil else {
                    return .failure(Reason(text: "unreadable program header \(index): \(ElfImage.lastError)"))
                }
                guard let offset = Int(exactly: phdr.p_offset), let size = Int(exactly: phdr.p_filesz), offset <= Int.max - size else {
                    return .failure(Reason(text: "program header \(index) (offset \(phdr.p_offset), \(phdr.p_filesz) bytes) lies past the end of the file (\(held.size) bytes)"))
                }
                list.append(Segment(
                    index: index, type: phdr.p_type, flags: phdr.p_flags, offset: offset, fileSize: size,
                    address: phdr.p_vaddr, alignment: phdr.p_align))
            }
            segments = list
        }
        let machine = ehdr.e_machine
        let loads = segments.filter { $0.type == UInt32(PT_LOAD) }
        // What glibc's _dl_map_object_from_fd refuses, in its words.
        for load in loads {
            if load.alignment > 1, UInt64(load.offset) % load.alignment != load.address % load.alignment {
                return .failure(Reason(text: "ELF load command address/offset not properly aligned (segment \(load.index): offset 0x\(hex(load.offset)), address 0x\(hex(load.address)), alignment 0x\(hex(load.alignment)))"))
            }
            if !held.inFile(load.offset, load.fileSize) {
                return .failure(Reason(text: "ELF load command past end of file (segment \(load.index): offset \(load.offset), \(load.fileSize) bytes; the file has \(held.size) bytes): truncated"))
            }
        }

        var interpreter: String?
        var executableStack: Bool?
        var dynamicSegment: Segment?
        for segment in segments {
            switch segment.type {
            case UInt32(PT_INTERP):
                switch view(segment.offset, segment.fileSize, "PT_INTERP") {
                case .failure(let reason): return .failure(reason)
                case .success(let interp):
                    guard let path = interp.cString(at: segment.offset, end: segment.end) else {
                        return .failure(Reason(text: "PT_INTERP (offset \(segment.offset), \(segment.fileSize) bytes) holds no NUL-terminated path"))
                    }
                    interpreter = path
                }
            case UInt32(PT_GNU_STACK):
                executableStack = segment.flags & UInt32(PF_X) != 0
            case UInt32(PT_DYNAMIC):
                if dynamicSegment == nil { dynamicSegment = segment }
            default:
                break
            }
        }

        let isaNeeded: [String]
        switch readX86ISANeeded(segments) {
        case .failure(let reason): return .failure(reason)
        case .success(let levels): isaNeeded = levels
        }

        var facts = Collected()
        if let dynamicSegment {
            switch readDynamic(dynamicSegment, image: image, loads: loads, machine: machine) {
            case .failure(let reason): return .failure(reason)
            case .success(let collected): facts = collected
            }
        }
        return .success(
            ElfFacts(
                bits: bits, byteOrder: header.byteOrder, machine: machine,
                arch: ElfNames.arch(machine: machine, bits: bits, byteOrder: header.byteOrder),
                osABI: ElfNames.osABI(ehdr.e_ident.7), type: ElfNames.objectType(ehdr.e_type),
                interpreter: interpreter, needed: facts.needed, soname: facts.soname, rpath: facts.rpath, runpath: facts.runpath,
                executableStack: executableStack, versionNeeds: facts.versionNeeds, versionDefinitions: facts.versionDefinitions,
                x86ISANeeded: isaNeeded, symbols: facts.symbols, androidAPILevel: readAndroidAPILevel(segments),
                nodeModuleVersion: facts.nodeModuleVersion))
    }

    private struct Collected {
        var needed: [String] = []
        var soname: String?
        var rpath: [String] = []
        var runpath: [String] = []
        var versionNeeds: [VersionNeed] = []
        var versionDefinitions: [String] = []
        var symbols = DynamicSymbols()
        var nodeModuleVersion: Int?
    }

    private func patch(_ bytes: inout [UInt8], at offset: Int, value: UInt64, width: Int) {
        for index in 0..<width {
            let shift = header.byteOrder == .little ? index * 8 : (width - 1 - index) * 8
            bytes[offset + index] = UInt8(truncatingIfNeeded: value >> UInt64(shift))
        }
    }

    /// The file offset of `count` bytes at `address`, through the PT_LOAD whose file bytes hold them (what the loader
    /// maps there), and the end of that segment's file bytes (the bound for tables whose length is not given).
    private func fileOffset(_ address: UInt64, _ count: Int, _ loads: [Segment]) -> (offset: Int, segmentEnd: Int)? {
        for load in loads where address >= load.address && address - load.address < UInt64(load.fileSize) {
            let offset = load.offset + Int(address - load.address)
            guard count <= load.end - offset else { return nil }
            return (offset, load.end)
        }
        return nil
    }

    private func readDynamic(_ segment: Segment, image: [UInt8], loads: [Segment], machine: UInt16) -> Result<Collected, Reason> {
        let entrySize = header.bits == 64 ? 16 : 8
        let dynamicBytes: [UInt8]
        switch view(segment.offset, segment.fileSize, "PT_DYNAMIC") {
        case .failure(let reason): return .failure(reason)
        case .success(let view):
            let start = segment.offset - view.base
            dynamicBytes = Array(view.bytes[start..<start + segment.fileSize / entrySize * entrySize])
        }
        // libelf translates the dynamic table (class and byte order) from the image, the table appended to it.
        var tags = DynamicTags()
        let count = dynamicBytes.count / entrySize
        if count > 0 {
            let imageWithDynamic = image + dynamicBytes
            guard let elf = ElfImage(imageWithDynamic) else {
                return .failure(Reason(text: "libelf could not open the file: \(ElfImage.lastError)"))
            }
            guard let data = elf_getdata_rawchunk(elf.elf, Int64(image.count), dynamicBytes.count, ELF_T_DYN) else {
                return .failure(Reason(text: "unreadable PT_DYNAMIC: \(ElfImage.lastError)"))
            }
            for index in 0..<count {
                var dyn = GElf_Dyn()
                guard gelf_getdyn(data, Int32(index), &dyn) != nil else { break }
                let value = dyn.d_un.d_val
                switch dyn.d_tag {
                case Int64(DT_NULL): break
                case Int64(DT_NEEDED): tags.needed.append((index, value))
                case Int64(DT_SONAME): tags.soname = (index, value)
                case Int64(DT_RPATH): tags.rpath.append((index, value))
                case Int64(DT_RUNPATH): tags.runpath.append((index, value))
                case Int64(DT_STRTAB): tags.strtab = value
                case Int64(DT_STRSZ): tags.strsz = value
                case Int64(DT_SYMTAB): tags.symtab = value
                case Int64(DT_SYMENT): tags.syment = value
                case Int64(DT_HASH): tags.hash = value
                case DT_GNU_HASH_TAG: tags.gnuHash = value
                case DT_VERSYM_TAG: tags.versym = value
                case DT_VERNEED_TAG: tags.verneed = value
                case DT_VERNEEDNUM_TAG: tags.verneedCount = value
                case DT_VERDEF_TAG: tags.verdef = value
                case DT_VERDEFNUM_TAG: tags.verdefCount = value
                case Int64(DT_RELA): tags.rela = value
                case Int64(DT_RELASZ): tags.relaSize = value
                case Int64(DT_RELAENT): tags.relaEntry = value
                case Int64(DT_REL): tags.rel = value
                case Int64(DT_RELSZ): tags.relSize = value
                case Int64(DT_RELENT): tags.relEntry = value
                default: break
                }
                if dyn.d_tag == Int64(DT_NULL) { break }
            }
        }
        let outcome = readTables(tags, loads: loads, machine: machine)
        // A table not held: ask for the cluster of tables around it at once (they usually lie together, before the
        // code), so a stream needs one more pass, not one per table.
        if case .failure(var reason) = outcome, let missing = reason.missing {
            var start = missing.offset, end = missing.offset + missing.count
            var extents: [(start: Int, end: Int)] = []
            if let strtab = tags.strtab, let mapped = fileOffset(strtab, 0, loads) {
                extents.append((mapped.offset, mapped.offset + min(Int(clamping: tags.strsz ?? 1), mapped.segmentEnd - mapped.offset)))
            }
            for address in [tags.symtab, tags.hash, tags.gnuHash, tags.versym, tags.verneed, tags.verdef].compactMap({ $0 }) {
                if let mapped = fileOffset(address, 1, loads) { extents.append((mapped.offset, mapped.offset + 1)) }
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
            return .failure(reason)
        }
        return outcome
    }

    private func readTables(_ tags: DynamicTags, loads: [Segment], machine: UInt16) -> Result<Collected, Reason> {
        var collected = Collected()
        let hasStrings = !tags.needed.isEmpty || tags.soname != nil || !tags.rpath.isEmpty || !tags.runpath.isEmpty
            || tags.verneed != nil || tags.verdef != nil || tags.symtab != nil
        guard hasStrings else { return .success(collected) }
        guard let strtab = tags.strtab else {
            return .failure(Reason(text: "PT_DYNAMIC names libraries or versions but has no DT_STRTAB"))
        }
        guard let mapped = fileOffset(strtab, 0, loads) else {
            return .failure(Reason(text: "DT_STRTAB (address 0x\(hex(strtab))) lies outside every PT_LOAD segment"))
        }
        // DT_STRSZ bounds the strings; without it, the segment that holds the table does.
        let declared = tags.strsz.flatMap { Int(exactly: $0) } ?? (mapped.segmentEnd - mapped.offset)
        guard declared <= mapped.segmentEnd - mapped.offset else {
            return .failure(Reason(text: "DT_STRTAB (address 0x\(hex(strtab)), DT_STRSZ \(declared) bytes) runs past the end of its PT_LOAD segment"))
        }
        let strings: StringTable
        switch view(mapped.offset, declared, "the dynamic string table (DT_STRTAB)") {
        case .failure(let reason): return .failure(reason)
        case .success(let view): strings = StringTable(view: view, offset: mapped.offset, size: declared)
        }
        func text(_ entry: (index: Int, offset: UInt64), _ tag: String) -> Result<String, Reason> {
            guard let value = strings.string(entry.offset) else {
                return .failure(Reason(text: "dynamic entry \(entry.index) (\(tag)) points past the end of its string table"))
            }
            return .success(value)
        }
        for entry in tags.needed {
            switch text(entry, "DT_NEEDED") {
            case .failure(let reason): return .failure(reason)
            case .success(let name): collected.needed.append(name)
            }
        }
        if let entry = tags.soname {
            switch text(entry, "DT_SONAME") {
            case .failure(let reason): return .failure(reason)
            case .success(let name): collected.soname = name
            }
        }
        for (entries, tag, isRunpath) in [(tags.rpath, "DT_RPATH", false), (tags.runpath, "DT_RUNPATH", true)] {
            for entry in entries {
                switch text(entry, tag) {
                case .failure(let reason): return .failure(reason)
                case .success(let value):
                    let parts = value.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
                    if isRunpath { collected.runpath += parts } else { collected.rpath += parts }
                }
            }
        }

        var versionNames: [Int: (name: String, file: String?)] = [:]
        if let verneed = tags.verneed {
            switch readVersionNeeds(verneed, count: tags.verneedCount, strings: strings, loads: loads) {
            case .failure(let reason): return .failure(reason)
            case .success(let (needs, names)):
                collected.versionNeeds = needs
                versionNames.merge(names) { first, _ in first }
            }
        }
        if let verdef = tags.verdef {
            switch readVersionDefinitions(verdef, count: tags.verdefCount, strings: strings, loads: loads) {
            case .failure(let reason): return .failure(reason)
            case .success(let (definitions, names)):
                collected.versionDefinitions = definitions
                versionNames.merge(names) { first, _ in first }
            }
        }
        if let symtab = tags.symtab {
            switch readSymbols(symtab, tags: tags, strings: strings, versions: versionNames, loads: loads) {
            case .failure(let reason): return .failure(reason)
            case .success(let symbols): collected.symbols = symbols
            }
        }
        // A legacy Node.js addon registering from a constructor: its NODE_MODULE_VERSION is only in its data.
        if collected.symbols.containsName(defined: false, { $0.elementsEqual("node_module_register".utf8) }),
            !collected.symbols.containsName(defined: true, { $0.starts(with: "node_register_module_v".utf8) })
        {
            var tables: [NodeModuleRecord.Table] = []
            if let rela = tags.rela, let size = tags.relaSize { tables.append(.init(address: rela, size: size, entrySize: tags.relaEntry, hasAddends: true)) }
            if let rel = tags.rel, let size = tags.relSize { tables.append(.init(address: rel, size: size, entrySize: tags.relEntry, hasAddends: false)) }
            switch NodeModuleRecord.version(
                held: held, bits: header.bits, byteOrder: header.byteOrder, machine: machine,
                loads: loads.map { .init(address: $0.address, offset: $0.offset, fileSize: $0.fileSize) }, tables: tables)
            {
            case .version(let version): collected.nodeModuleVersion = version
            case .missing(let what, let offset, let count): return .failure(.missing(what, offset, count))
            }
        }
        return .success(collected)
    }

    private struct StringTable {
        let view: ByteView
        let offset: Int
        let size: Int

        func string(_ index: UInt64) -> String? {
            range(index).map { String(decoding: view.bytes[$0], as: UTF8.self) }
        }

        /// Where the string at `index` lies in `view.bytes`, without its NUL.
        func range(_ index: UInt64) -> Range<Int>? {
            guard index < UInt64(size) else { return nil }
            return view.cStringRange(at: offset + Int(index), limit: size, end: offset + size)
        }
    }

    /// DT_VERNEED: Verneed entries (16 bytes) each with a chain of Vernaux (16 bytes), linked by byte offsets. glibc
    /// follows `vn_next` / `vna_next` until 0; here the walk also stops after DT_VERNEEDNUM entries, every link must stay
    /// in the PT_LOAD segment that holds the table, and the steps are capped by what that segment could hold, so a
    /// chain that loops is reported instead of followed.
    private func readVersionNeeds(
        _ address: UInt64, count: UInt64?, strings: StringTable, loads: [Segment]
    ) -> Result<([VersionNeed], [Int: (name: String, file: String?)]), Reason> {
        guard let mapped = fileOffset(address, 16, loads) else {
            return .failure(Reason(text: "DT_VERNEED (address 0x\(hex(address))) lies outside every PT_LOAD segment"))
        }
        let start = mapped.offset, end = mapped.segmentEnd
        var needs: [VersionNeed] = []
        var names: [Int: (name: String, file: String?)] = [:]
        let maximumSteps = (end - start) / 16
        var offset = start
        var steps = 0
        let entries = count.map { min($0, UInt64(maximumSteps)) } ?? UInt64(maximumSteps)
        // The table has no length of its own: each 16-byte record is asked for as the chain reaches it.
        func record(_ at: Int) -> Result<ByteView?, Reason> {
            guard at >= start, at + 16 <= end else { return .success(nil) }
            guard let view = held.view(at, 16, byteOrder: header.byteOrder) else {
                return .failure(.missing("the version needs (DT_VERNEED)", at, 16))
            }
            return .success(view)
        }
        for _ in 0..<max(entries, 1) {
            let table: ByteView?
            switch record(offset) {
            case .failure(let reason): return .failure(reason)
            case .success(let view): table = view
            }
            guard let table, let vnCount = table.u16(offset + 2), let fileName = table.u32(offset + 4),
                let auxiliary = table.u32(offset + 8), let next = table.u32(offset + 12)
            else {
                return .failure(Reason(text: "version need entry at offset \(offset) lies outside its segment (DT_VERNEED)"))
            }
            guard let file = strings.string(UInt64(fileName)) else {
                return .failure(Reason(text: "version need entry names a file past the end of its string table"))
            }
            var versions: [String] = []
            var auxiliaryOffset = offset + Int(auxiliary)
            for _ in 0..<Int(vnCount) {
                steps += 1
                guard steps <= maximumSteps else {
                    return .failure(Reason(text: "version need chain (DT_VERNEED) loops (more links than its segment can hold)"))
                }
                let auxiliaryRecord: ByteView?
                switch record(auxiliaryOffset) {
                case .failure(let reason): return .failure(reason)
                case .success(let view): auxiliaryRecord = view
                }
                guard let auxiliaryRecord, let other = auxiliaryRecord.u16(auxiliaryOffset + 6),
                    let name = auxiliaryRecord.u32(auxiliaryOffset + 8), let auxiliaryNext = auxiliaryRecord.u32(auxiliaryOffset + 12)
                else {
                    return .failure(Reason(text: "version need entry for \(file) points outside its segment (DT_VERNEED)"))
                }
                guard let text = strings.string(UInt64(name)) else {
                    return .failure(Reason(text: "version need of \(file) names a version past the end of its string table"))
                }
                versions.append(text)
                names[Int(other & 0x7FFF)] = (text, file)
                if auxiliaryNext == 0 { break }
                auxiliaryOffset += Int(auxiliaryNext)
            }
            needs.append(VersionNeed(file: file, names: versions.sorted()))
            steps += 1
            guard steps <= maximumSteps else {
                return .failure(Reason(text: "version need chain (DT_VERNEED) loops (more links than its segment can hold)"))
            }
            if next == 0 { break }
            offset += Int(next)
        }
        return .success((needs, names))
    }

    /// DT_VERDEF: Verdef entries (20 bytes), the first Verdaux of each holding the version name.
    private func readVersionDefinitions(
        _ address: UInt64, count: UInt64?, strings: StringTable, loads: [Segment]
    ) -> Result<([String], [Int: (name: String, file: String?)]), Reason> {
        guard let mapped = fileOffset(address, 20, loads) else {
            return .failure(Reason(text: "DT_VERDEF (address 0x\(hex(address))) lies outside every PT_LOAD segment"))
        }
        let start = mapped.offset, end = mapped.segmentEnd
        func record(_ at: Int, _ count: Int) -> Result<ByteView?, Reason> {
            guard at >= start, at + count <= end else { return .success(nil) }
            guard let view = held.view(at, count, byteOrder: header.byteOrder) else {
                return .failure(.missing("the version definitions (DT_VERDEF)", at, count))
            }
            return .success(view)
        }
        var definitions: [String] = []
        var names: [Int: (name: String, file: String?)] = [:]
        let maximumSteps = (end - start) / 20
        let entries = count.map { min($0, UInt64(maximumSteps)) } ?? UInt64(maximumSteps)
        var offset = start
        for step in 0..<max(Int(entries), 1) {
            guard step < maximumSteps else {
                return .failure(Reason(text: "version definition chain (DT_VERDEF) loops"))
            }
            let table: ByteView?
            switch record(offset, 20) {
            case .failure(let reason): return .failure(reason)
            case .success(let view): table = view
            }
            guard let table, let flags = table.u16(offset + 2), let index = table.u16(offset + 4),
                let auxiliary = table.u32(offset + 12), let next = table.u32(offset + 16)
            else {
                return .failure(Reason(text: "version definition at offset \(offset) lies outside its segment (DT_VERDEF)"))
            }
            let auxiliaryRecord: ByteView?
            switch record(offset + Int(auxiliary), 8) {
            case .failure(let reason): return .failure(reason)
            case .success(let view): auxiliaryRecord = view
            }
            guard let auxiliaryRecord, let name = auxiliaryRecord.u32(offset + Int(auxiliary)) else {
                return .failure(Reason(text: "version definition at offset \(offset) lies outside its segment (DT_VERDEF)"))
            }
            guard let text = strings.string(UInt64(name)) else {
                return .failure(Reason(text: "version definition names a string past the end of its string table"))
            }
            if flags & UInt16(VER_FLG_BASE) == 0 { definitions.append(text) }
            names[Int(index & 0x7FFF)] = (text, nil)
            if next == 0 { break }
            offset += Int(next)
        }
        return .success((definitions, names))
    }

    /// The number of dynamic symbols: DT_HASH's nchain, or from DT_GNU_HASH the highest symbol index its buckets
    /// and chains reach (the table has no length of its own). Nil when neither hash table is there.
    private func symbolCount(_ tags: DynamicTags, loads: [Segment]) -> Result<Int?, Reason> {
        if let hash = tags.hash {
            guard let mapped = fileOffset(hash, 8, loads) else {
                return .failure(Reason(text: "DT_HASH (address 0x\(hex(hash))) lies outside every PT_LOAD segment"))
            }
            switch view(mapped.offset, 8, "the symbol hash table (DT_HASH)") {
            case .failure(let reason): return .failure(reason)
            case .success(let view): return .success(Int(view.u32(mapped.offset + 4)!))
            }
        }
        guard let gnuHash = tags.gnuHash else { return .success(nil) }
        guard let mapped = fileOffset(gnuHash, 16, loads) else {
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
    private func readSymbols(
        _ address: UInt64, tags: DynamicTags, strings: StringTable, versions: [Int: (name: String, file: String?)], loads: [Segment]
    ) -> Result<DynamicSymbols, Reason> {
        let entrySize = header.bits == 64 ? 24 : 16
        if let syment = tags.syment, syment != UInt64(entrySize) {
            return .failure(Reason(text: "DT_SYMENT is \(syment), not the \(entrySize) bytes of an ELF\(header.bits) symbol"))
        }
        let count: Int
        switch symbolCount(tags, loads: loads) {
        case .failure(let reason): return .failure(reason)
        case .success(nil): return .success([])
        case .success(let value?): count = value
        }
        guard count > 1 else { return .success([]) }
        guard let mapped = fileOffset(address, 0, loads), count <= (mapped.segmentEnd - mapped.offset) / entrySize else {
            return .failure(Reason(text: "DT_SYMTAB (address 0x\(hex(address)), \(count) symbols) runs past the end of its PT_LOAD segment"))
        }
        let table: ByteView
        switch view(mapped.offset, count * entrySize, "the dynamic symbol table (DT_SYMTAB)") {
        case .failure(let reason): return .failure(reason)
        case .success(let view): table = view
        }
        var versionTable: (view: ByteView, offset: Int)?
        if let versym = tags.versym {
            guard let versymMapped = fileOffset(versym, count * 2, loads) else {
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
        return .success(builder.finish())
    }

    /// The API level of an Android note (`.note.android.ident`: PT_NOTE, name "Android", type 1, a 4-byte level first
    /// in the descriptor), which the NDK's crtbegin puts in every Android binary. Nil when there is none or it is
    /// damaged (the note is identity, not something the loader needs).
    private func readAndroidAPILevel(_ segments: [Segment]) -> Int? {
        for segment in segments where segment.type == UInt32(PT_NOTE) && segment.fileSize > 0 {
            guard case .success(let bytes) = view(segment.offset, segment.fileSize, "PT_NOTE") else { continue }
            var cursor = segment.offset
            for _ in 0..<1024 {
                guard cursor + 12 <= segment.end, let nameSize = bytes.u32(cursor).map(Int.init),
                    let descriptorSize = bytes.u32(cursor + 4).map(Int.init), let type = bytes.u32(cursor + 8),
                    nameSize <= segment.end, descriptorSize <= segment.end
                else { break }
                // Name and descriptor are padded to 4 bytes in the notes Android writes (ELF32 and ELF64 alike).
                let descriptorAt = cursor + 12 + (nameSize + 3) / 4 * 4
                guard descriptorAt + descriptorSize <= segment.end else { break }
                if type == 1, nameSize == 8, bytes.cString(at: cursor + 12, end: cursor + 20) == "Android", descriptorSize >= 4,
                    let level = bytes.u32(descriptorAt)
                {
                    return Int(level)
                }
                cursor = descriptorAt + (descriptorSize + 3) / 4 * 4
            }
        }
        return nil
    }

    /// GNU_PROPERTY_X86_ISA_1_NEEDED from NT_GNU_PROPERTY_TYPE_0 notes (x86-64 psABI, "Program Properties"), read from
    /// PT_GNU_PROPERTY when there is one (what the loader reads), else from the PT_NOTE segments.
    private func readX86ISANeeded(_ segments: [Segment]) -> Result<[String], Reason> {
        let property = segments.filter { $0.type == PT_GNU_PROPERTY_TYPE }
        let notes = property.isEmpty ? segments.filter { $0.type == UInt32(PT_NOTE) } : property
        var levels: [String] = []
        for segment in notes where segment.fileSize > 0 {
            let bytes: ByteView
            switch view(segment.offset, segment.fileSize, segment.type == PT_GNU_PROPERTY_TYPE ? "PT_GNU_PROPERTY" : "PT_NOTE") {
            case .failure(let reason): return .failure(reason)
            case .success(let view): bytes = view
            }
            let alignment = segment.alignment == 8 ? 8 : 4
            // Name and descriptor each start at the note alignment, counted from the segment's start.
            func aligned(_ offset: Int) -> Int { segment.offset + padded(offset - segment.offset) }
            func padded(_ value: Int) -> Int { (value + alignment - 1) / alignment * alignment }
            var cursor = segment.offset
            for _ in 0..<1024 {
                guard cursor + 12 <= segment.end, let nameSize = bytes.u32(cursor).map(Int.init),
                    let descriptorSize = bytes.u32(cursor + 4).map(Int.init), let type = bytes.u32(cursor + 8)
                else { break }
                let nameAt = cursor + 12
                let descriptorAt = aligned(nameAt + nameSize)
                let next = aligned(descriptorAt + descriptorSize)
                guard descriptorAt <= segment.end, next <= segment.end + alignment, descriptorAt + descriptorSize <= segment.end else { break }
                defer { cursor = next }
                guard type == UInt32(NT_GNU_PROPERTY_TYPE_0), nameSize == 4, bytes.cString(at: nameAt, end: nameAt + 4) == "GNU" else { continue }
                // Properties: pr_type (4), pr_datasz (4), data padded to 8 bytes on ELF64, 4 on ELF32.
                let padding = header.bits == 64 ? 8 : 4
                let end = descriptorAt + descriptorSize
                var property = descriptorAt
                while property + 8 <= end, let type = bytes.u32(property), let size = bytes.u32(property + 4).map(Int.init) {
                    guard size <= end - property - 8 else { break }
                    if type == 0xC000_8002, size >= 4, let mask = bytes.u32(property + 8) {
                        levels += ElfNames.x86ISALevels(mask)
                    }
                    property += 8 + (size + padding - 1) / padding * padding
                }
            }
        }
        return .success(levels)
    }
}

private func hex(_ value: some BinaryInteger) -> String {
    String(value, radix: 16)
}

enum ElfNames {
    static func arch(machine: UInt16, bits: Int, byteOrder: ByteOrder) -> String {
        switch machine {
        case 62: "x86_64"
        case 183: "aarch64"
        case 3: "i386"
        case 22: bits == 64 ? "s390x" : "s390"
        case 40: "arm"
        case 8: bits == 64 ? "mips64" : "mips"
        case 20: "ppc"
        case 21: byteOrder == .little ? "ppc64le" : "ppc64"
        case 243: bits == 64 ? "riscv64" : "riscv32"
        case 258: "loongarch64"
        case 2: "sparc"
        case 43: "sparcv9"
        default: "elf-machine-\(machine)"
        }
    }

    static func osABI(_ value: UInt8) -> String {
        switch value {
        case 0: "sysv"
        case 3: "gnu"
        case 6: "solaris"
        case 9: "freebsd"
        case 12: "openbsd"
        default: "osabi-\(value)"
        }
    }

    static func objectType(_ value: UInt16) -> ElfFacts.ObjectType {
        switch value {
        case 0: .none
        case 1: .rel
        case 2: .exec
        case 3: .dyn
        case 4: .core
        default: .other
        }
    }

    static func x86ISALevels(_ mask: UInt32) -> [String] {
        let names: [(UInt32, String)] = [(1, "x86-64-baseline"), (2, "x86-64-v2"), (4, "x86-64-v3"), (8, "x86-64-v4")]
        return names.filter { mask & $0.0 != 0 }.map(\.1)
    }
}
