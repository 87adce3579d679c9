internal import CLibelf
import ShiplintFacts

/// One libelf descriptor over a small image made of the ELF header, the program header table and the dynamic table
/// (copied out of the held bytes, so libelf never needs the whole file); never shared, ended in deinit.
final class ElfImage {
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

/// One program header.
struct Segment {
    let index: Int
    let type: UInt32
    let flags: UInt32
    let offset: Int
    let fileSize: Int
    let address: UInt64
    let memorySize: UInt64
    let alignment: UInt64
    /// `p_filesz` as stored (`fileSize` is kept in range of `offset`): ld.so tests the stored value (PT_DYNAMIC's
    /// "no dynamic section" rule).
    var storedFileSize: UInt64 = 0
    var end: Int { offset + fileSize }
}

let PT_GNU_PROPERTY_TYPE: UInt32 = 0x6474_E553

/// The program headers as libelf reads them from a small image: the ELF header (e_phoff moved right behind it, no
/// section table) followed by the program header table. The image is kept: the dynamic table is read through it.
struct ProgramHeaders {
    let image: [UInt8]
    let segments: [Segment]
    typealias Reason = ElfReader.Reason

    static func read(_ held: HeldBytes, header: ElfHeader) -> Result<ProgramHeaders, Reason> {
        let bits = header.bits
        guard var image = held.bytes(0, header.headerSize) else { return .failure(.missing("the ELF header", 0, header.headerSize)) }
        let tableLength = header.programHeaderCount * header.programHeaderSize
        if header.programHeaderCount > 0 {
            guard let table = held.bytes(Int(header.programHeaderOffset), tableLength) else {
                return .failure(.missing("the program header table", Int(header.programHeaderOffset), tableLength))
            }
            image += table
        }
        func patch(at offset: Int, value: UInt64, width: Int) {
            for index in 0..<width {
                let shift = header.byteOrder == .little ? index * 8 : (width - 1 - index) * 8
                image[offset + index] = UInt8(truncatingIfNeeded: value >> UInt64(shift))
            }
        }
        patch(at: bits == 64 ? 32 : 28, value: UInt64(header.headerSize), width: bits == 64 ? 8 : 4)  // e_phoff
        patch(at: bits == 64 ? 40 : 32, value: 0, width: bits == 64 ? 8 : 4)  // e_shoff
        patch(at: bits == 64 ? 60 : 48, value: 0, width: 2)  // e_shnum
        patch(at: bits == 64 ? 62 : 50, value: 0, width: 2)  // e_shstrndx

        guard let elf = ElfImage(image) else {
            return .failure(Reason(text: "libelf could not open the file: \(ElfImage.lastError)"))
        }
        guard elf_kind(elf.elf) == ELF_K_ELF else { return .failure(Reason(text: "libelf does not take it for an ELF file")) }
        var ehdr = GElf_Ehdr()
        guard gelf_getehdr(elf.elf, &ehdr) != nil else {
            return .failure(Reason(text: "unreadable ELF header: \(ElfImage.lastError)"))
        }
        var list: [Segment] = []
        for index in 0..<header.programHeaderCount {
            var phdr = GElf_Phdr()
            guard gelf_getphdr(elf.elf, Int32(index), &phdr) != nil else {
                return .failure(Reason(text: "unreadable program header \(index): \(ElfImage.lastError)"))
            }
            // Out-of-range values are kept in range, still past the end of the file: each reader judges its own segment.
            let offset = Int(clamping: phdr.p_offset)
            let size = Int(clamping: min(phdr.p_filesz, UInt64(Int.max - offset)))
            list.append(Segment(
                index: index, type: phdr.p_type, flags: phdr.p_flags, offset: offset, fileSize: size,
                address: phdr.p_vaddr, memorySize: phdr.p_memsz, alignment: phdr.p_align, storedFileSize: phdr.p_filesz))
        }
        return .success(ProgramHeaders(image: image, segments: list))
    }
}

/// The memory image ld.so makes of the PT_LOAD segments, replayed as glibc's `_dl_map_segments` (elf/dl-map-segments.h,
/// glibc 2.26 to 2.41 alike) makes it, in link-time addresses: one mapping reserves the whole object (`maplength`: the
/// last PT_LOAD's end in memory less the first one's page start, in program header order) and maps the *file* there from
/// the first segment's offset with its protection; with holes between segments the rest of that reservation is made
/// inaccessible; each later segment maps its file pages over it (MAP_FIXED); past `p_filesz` the rest of the page is
/// zeroed when `p_memsz` is larger, and further pages up to `p_memsz` are anonymous zeros. A page of the file mapping
/// that lies wholly past the end of the file cannot be read (SIGBUS); the part of the last page past the end reads as
/// zeros. What ld.so does outside the reservation (a later segment, its zero fill or its zeroing memset landing there)
/// overwrites whatever the process has at that place: `outsideReservation` says so. Everything the dynamic table names
/// is found by address here, with the protection it has, as the loader finds it.
struct LoadMap {
    let loads: [Segment]
    let fileSize: Int
    /// The page size of the Lambda kernels (x86_64 and arm64 alike) and of the loaders' own checks.
    static let pageSize: UInt64 = 4096
    /// More PT_LOAD segments than this are mapped by ld.so but not replayed here (said in the facts).
    static let modelledLoads = 4096

    /// A run of memory with one protection and one backing.
    struct Region {
        var start: UInt64
        var end: UInt64
        /// PF_X 1, PF_W 2, PF_R 4 (as the segment's p_flags); 0 is PROT_NONE.
        var protection: UInt32
        enum Backing: Equatable {
            /// The file, `offset` at `start`.
            case file(offset: UInt64)
            case zero
        }
        var backing: Backing
        /// The PT_LOAD that mapped it.
        var segment: Int
    }

    /// The regions, sorted and disjoint; empty when nothing is mapped (no PT_LOAD, or too many to replay).
    private(set) var regions: [Region] = []
    /// What ld.so reserves with its first mmap: `start..<end` (end rounded up to a page).
    private(set) var reservation: (start: UInt64, end: UInt64) = (0, 0)
    /// The first thing ld.so maps, zeroes or protects outside the reservation: another object's memory, or none.
    private(set) var outsideReservation: String?
    /// A fault ld.so itself takes while mapping (zeroing a page it cannot write or the file does not back).
    private(set) var mappingFault: String?
    /// The has_holes check of glibc 2.36 (BZ #28838): the last PT_LOAD starts below the first one's end while the
    /// segments leave holes (older glibc passes a negative length to mprotect, which fails).
    private(set) var holeBeforeFirstEnd = false
    /// False when the replay was not made (more than `modelledLoads` segments): the old reading (by p_filesz) is used.
    private(set) var replayed = false

    /// The last PT_GNU_RELRO (glibc's loop over the program headers keeps the last one).
    let relro: Segment?
    /// The object's TLS alignment as ld.so keeps it (`l_tls_align`): the p_align of the last PT_TLS with a p_memsz
    /// (elf/dl-load.c _dl_map_object_from_fd skips one without), 0 without such a PT_TLS.
    let tlsAlignment: UInt64

    /// Pages mapped PF_X alone give no read access: Linux maps PROT_EXEC-only memory execute-only on an x86-64 CPU
    /// with memory protection keys (arch/x86/mm/pkeys.c `execute_only_pkey`, used by `arch_calc_vm_prot_bits` for
    /// mmap and mprotect since Linux 4.9; Intel since Skylake-SP, AMD since Zen 3), so ld.so faults reading its tables
    /// there. Elsewhere (no PKU, arm64 without FEAT_EPAN) such pages read like any other.
    let executeOnlyUnreadable: Bool

    init(_ segments: [Segment], fileSize: Int, executeOnlyUnreadable: Bool = false) {
        self.executeOnlyUnreadable = executeOnlyUnreadable
        loads = segments.filter { $0.type == UInt32(PT_LOAD) }
        relro = segments.last { $0.type == 0x6474_E552 }
        tlsAlignment = segments.last { $0.type == UInt32(PT_TLS) && $0.memorySize > 0 }?.alignment ?? 0
        self.fileSize = fileSize
        guard !loads.isEmpty, loads.count <= Self.modelledLoads else { return }
        replay()
    }

    /// Whether memory with `protection` (PF_ bits) can be read.
    private func canRead(_ protection: UInt32) -> Bool {
        protection != 0 && !(executeOnlyUnreadable && protection == 1)
    }

    /// The execute-only PT_LOAD segments (PF_X alone): what `executeOnlyUnreadable` decides about.
    var executeOnlySegments: [Int] { loads.filter { $0.flags & 7 == 1 }.map(\.index) }

    private static func down(_ value: UInt64) -> UInt64 { value & ~(pageSize - 1) }
    private static func up(_ value: UInt64) -> UInt64 { value.addingReportingOverflow(pageSize - 1).partialValue & ~(pageSize - 1) }
    static func roundUp(_ value: UInt64) -> UInt64 { up(value) }

    /// What glibc reserves for the whole object in one mmap (elf/dl-load.c: the last PT_LOAD's end in memory less
    /// the first one's page start, in program header order), wrapping as its unsigned arithmetic does.
    /// The first PT_LOAD is linked at 0 (below a page): ld.so maps the object wherever mmap puts it, so its load
    /// address (`l_addr`) is never 0. One linked higher may be mapped at its link address, with a load address of 0.
    var linkedAtZero: Bool { (loads.first?.address ?? 0) < Self.pageSize }

    var mappingLength: UInt64 {
        guard let first = loads.first, let last = loads.last else { return 0 }
        return (last.address &+ last.memorySize) &- Self.down(first.address)
    }

    /// The load commands of elf/dl-load.c: page start and end of the file part, data end, allocation end, file offset.
    private struct LoadCommand {
        let mapStart: UInt64, mapEnd: UInt64, dataEnd: UInt64, allocEnd: UInt64, mapOffset: UInt64, protection: UInt32, index: Int
        init(_ load: Segment) {
            mapStart = LoadMap.down(load.address)
            dataEnd = load.address &+ UInt64(load.fileSize)
            mapEnd = LoadMap.up(dataEnd)
            allocEnd = load.address &+ load.memorySize
            mapOffset = LoadMap.down(UInt64(load.offset))
            protection = load.flags & 7
            index = load.index
        }
    }

    private mutating func replay() {
        let commands = loads.map(LoadCommand.init)
        let first = commands[0], last = commands[commands.count - 1]
        let length = mappingLength
        // A reservation that cannot be made is the `failed to map segment` refusal (GlibcLoaderRules); nothing is mapped.
        guard length > 0, length <= 0x7FFF_FFFF_F000 else { return }
        replayed = true
        let (reservationEnd, wraps) = first.mapStart.addingReportingOverflow(Self.up(length))
        reservation = (first.mapStart, wraps ? UInt64.max : reservationEnd)
        map(first.mapStart, reservation.end, protection: first.protection, backing: .file(offset: first.mapOffset), segment: first.index)
        let hasHoles = zip(commands, commands.dropFirst()).contains { $0.mapEnd != $1.mapStart }
        if hasHoles {
            if last.mapStart < first.mapEnd {
                holeBeforeFirstEnd = true
                return
            }
            protect(first.mapEnd, last.mapStart, protection: 0)
        }
        for (position, command) in commands.enumerated() {
            if position > 0, command.mapEnd > command.mapStart {
                map(command.mapStart, command.mapEnd, protection: command.protection, backing: .file(offset: command.mapOffset), segment: command.index)
            }
            guard command.allocEnd > command.dataEnd else { continue }
            let zero = command.dataEnd, zeroEnd = command.allocEnd
            let zeroPage = min(Self.up(zero), zeroEnd)
            if zeroPage > zero {
                // memset of the rest of the last file page; a segment without PF_W has that page made writable for
                // it and then given the segment's protection (mprotect of the whole page).
                note(zero, zeroPage, "zeroes the end of segment \(command.index)'s last page")
                let page = Self.down(zero)
                if mappingFault == nil {
                    if command.protection & 2 != 0 {
                        if let found = protection(at: zero), found & 2 == 0 {
                            mappingFault = "it zeroes the end of segment \(command.index)'s last page (0x\(hex(zero))), which another segment mapped read-only: the loader faults (SIGSEGV)"
                        } else if protection(at: zero) == nil {
                            mappingFault = "it zeroes the end of segment \(command.index)'s last page (0x\(hex(zero))), where nothing is mapped: the loader faults (SIGSEGV)"
                        }
                    } else if protection(at: zero) == nil {
                        mappingFault = "cannot change memory protections: the end of segment \(command.index)'s last page (0x\(hex(zero))) is not mapped, so it cannot be made writable to be zeroed"
                    }
                    // The page's protection does not matter here: ld.so has just made it writable (a segment
                    // without PF_R too); only a page of the file mapping past the file's last page faults (SIGBUS).
                    if mappingFault == nil, mapsPastFileEnd(zero) {
                        mappingFault = "it zeroes the end of segment \(command.index)'s last page (0x\(hex(zero))), a page past the end of the file: the loader dies with SIGBUS"
                    }
                }
                if command.protection & 2 == 0 { protect(page, page &+ Self.pageSize, protection: command.protection) }
                map(zero, zeroPage, protection: protection(at: zero) ?? command.protection, backing: .zero, segment: command.index)
            }
            if zeroEnd > Self.up(zero) {
                map(Self.up(zero), Self.up(zeroEnd), protection: command.protection, backing: .zero, segment: command.index)
            }
        }
    }

    /// Whether `address` lies in a page of the file mapping wholly past the file's last page (touched: SIGBUS),
    /// whatever the protection of that page.
    private func mapsPastFileEnd(_ address: UInt64) -> Bool {
        guard let region = region(at: address), case .file(let start) = region.backing else { return false }
        let (offset, overflow) = start.addingReportingOverflow(address - region.start)
        return overflow || offset >= mappedFileEnd
    }

    private mutating func note(_ start: UInt64, _ end: UInt64, _ what: String) {
        guard outsideReservation == nil, start < reservation.start || end > reservation.end else { return }
        outsideReservation = "\(what) at 0x\(hex(start))-0x\(hex(end)), outside the 0x\(hex(reservation.start))-0x\(hex(reservation.end)) it reserved for the object"
    }

    /// mmap(MAP_FIXED): replaces whatever was mapped there.
    private mutating func map(_ start: UInt64, _ end: UInt64, protection: UInt32, backing: Region.Backing, segment: Int) {
        guard end > start else { return }
        if !regions.isEmpty {
            note(start, end, "maps segment \(segment)")
        }
        cut(start, end)
        let at = regions.firstIndex { $0.start >= end } ?? regions.count
        regions.insert(Region(start: start, end: end, protection: protection, backing: backing, segment: segment), at: at)
    }

    /// mprotect: changes the protection of what is mapped there.
    private mutating func protect(_ start: UInt64, _ end: UInt64, protection: UInt32) {
        guard end > start else { return }
        split(at: start)
        split(at: end)
        for index in regions.indices where regions[index].start >= start && regions[index].end <= end {
            regions[index].protection = protection
        }
    }

    /// Removes `start..<end` from the regions (splitting the ones it cuts).
    private mutating func cut(_ start: UInt64, _ end: UInt64) {
        split(at: start)
        split(at: end)
        regions.removeAll { $0.start >= start && $0.end <= end }
    }

    private mutating func split(at point: UInt64) {
        guard let index = regions.firstIndex(where: { $0.start < point && point < $0.end }) else { return }
        var tail = regions[index]
        tail.start = point
        if case .file(let offset) = tail.backing { tail.backing = .file(offset: offset &+ (point - regions[index].start)) }
        regions[index].end = point
        regions.insert(tail, at: index + 1)
    }

    private func regionIndex(at address: UInt64) -> Int? {
        var low = 0, high = regions.count
        while low < high {
            let middle = (low + high) / 2
            if regions[middle].end <= address { low = middle + 1 } else { high = middle }
        }
        guard low < regions.count, regions[low].start <= address else { return nil }
        return low
    }

    private func region(at address: UInt64) -> Region? { regionIndex(at: address).map { regions[$0] } }

    /// `_dl_protect_relro` (elf/dl-reloc.c), after the relocations: mprotect(PROT_READ) from the page of PT_GNU_RELRO's
    /// start to the page of its end (both rounded down). Outside the object's reservation that fails ("cannot apply
    /// additional memory protection after relocation") or makes another object's memory read-only.
    var relroProblem: String? {
        guard replayed, let relro, relro.memorySize != 0 else { return nil }
        let start = Self.down(relro.address), (sum, overflow) = relro.address.addingReportingOverflow(relro.memorySize)
        let end = Self.down(sum)
        guard start != end else { return nil }
        guard overflow || end < start || start < reservation.start || end > reservation.end else { return nil }
        return "cannot apply additional memory protection after relocation: PT_GNU_RELRO (0x\(hex(relro.address)), 0x\(hex(relro.memorySize)) bytes) reaches outside the 0x\(hex(reservation.start))-0x\(hex(reservation.end)) the loader reserved for the object, so its mprotect fails or makes another object's memory read-only"
    }

    /// The protection (PF_R/PF_W/PF_X bits) of the page that holds `address`; nil when nothing is mapped there.
    func protection(at address: UInt64) -> UInt32? {
        guard replayed else { return mapping(of: address).map { $0.flags & 7 } }
        return region(at: address)?.protection
    }

    /// The segment whose pages hold `address`: the last one mapped there.
    private func mapping(of address: UInt64) -> Segment? {
        if replayed {
            guard let region = region(at: address) else { return nil }
            return loads.first { $0.index == region.segment }
        }
        return loads.last { load in
            let (end, overflow) = load.address.addingReportingOverflow(max(load.memorySize, UInt64(load.fileSize)))
            return !overflow && address >= Self.down(load.address) && address < Self.up(end)
        }
    }

    /// The file offset of `count` bytes at `address` when the memory there maps file bytes the loader can read (in the
    /// file, or zeros of its last page), and the end of that run of file bytes (the bound for tables whose length is
    /// not given).
    func fileOffset(_ address: UInt64, _ count: Int) -> (offset: Int, segmentEnd: Int)? {
        guard case .file(let offset, let runEnd) = byte(at: address), count <= runEnd - offset else { return nil }
        return (offset, runEnd)
    }

    /// How the byte at `address` reads once mapped: from the file at an offset, a zero, or not at all.
    enum Byte: Equatable {
        case file(offset: Int, runEnd: Int)
        case zero
        case unmapped
    }

    /// The end of the page that holds the file's last byte: the loader maps that page whole, zeros past the end.
    private var mappedFileEnd: UInt64 { Self.up(UInt64(fileSize)) }

    /// The byte at `address`; for a file byte, also where the run of file bytes that follows it in memory ends.
    func byte(at address: UInt64) -> Byte {
        guard replayed else { return unreplayedByte(at: address) }
        guard let found = regionIndex(at: address), canRead(regions[found].protection) else { return .unmapped }
        let region = regions[found]
        switch region.backing {
        case .zero: return .zero
        case .file(let start):
            let (offset, overflow) = start.addingReportingOverflow(address - region.start)
            guard !overflow, offset < mappedFileEnd else { return .unmapped }  // SIGBUS
            if offset >= UInt64(fileSize) { return .zero }
            // The run goes on through the next regions while they map the file on, readable.
            var end = start &+ (region.end - region.start)
            var index = found + 1
            while index < regions.count, regions[index].start == regions[index - 1].end, canRead(regions[index].protection),
                case .file(let next) = regions[index].backing, next == end
            {
                end = next &+ (regions[index].end - regions[index].start)
                index += 1
            }
            return .file(offset: Int(offset), runEnd: Int(min(end, UInt64(fileSize))))
        }
    }

    /// The reading of a file with more PT_LOAD segments than are replayed: each segment's file bytes, zeros past them.
    private func unreplayedByte(at address: UInt64) -> Byte {
        guard let load = mapping(of: address) else { return .unmapped }
        let dataEnd = load.address + UInt64(load.fileSize)
        let fileMapped = Self.up(dataEnd)
        if address >= fileMapped { return .zero }
        if address >= dataEnd && load.memorySize > UInt64(load.fileSize) { return .zero }
        let delta = Int64(bitPattern: address &- load.address)
        let offset = load.offset + Int(delta)
        guard offset >= 0 else { return .unmapped }
        if offset >= fileSize {
            return UInt64(offset) < Self.up(UInt64(fileSize)) ? .zero : .unmapped
        }
        let runEndAddress = load.memorySize > UInt64(load.fileSize) ? dataEnd : fileMapped
        let runEnd = min(fileSize, load.offset + Int(Int64(bitPattern: runEndAddress &- load.address)))
        return .file(offset: offset, runEnd: runEnd)
    }

    /// True when `count` bytes at `address` can be read (every byte mapped readable and backed by the file or zeros).
    func readable(_ address: UInt64, _ count: Int) -> Bool {
        guard count > 0 else { return true }
        // A replayed map is stepped a region at a time: a page at a time, a zero-fill of 0xf200000080 bytes (a fuzzed
        // PT_LOAD's p_memsz) took minutes.
        if replayed { return firstUnreadable(address, UInt64(count)) == nil }
        let (end, overflow) = address.addingReportingOverflow(UInt64(count))
        if overflow { return false }
        var cursor = address
        while cursor < end {
            switch byte(at: cursor) {
            case .unmapped: return false
            case .zero, .file: break
            }
            // On to the next page or region, whichever comes first.
            guard let index = regionIndex(at: cursor) else { return replayed ? false : cursor &+ 1 >= end }
            let (nextPage, wrapped) = (cursor | (Self.pageSize - 1)).addingReportingOverflow(1)
            if wrapped { return true }
            cursor = min(regions[index].end, nextPage, end)
            if cursor == end { return true }
        }
        return true
    }

    /// The first of `count` bytes at `address` that cannot be read once mapped (a page past the end of the file,
    /// PROT_NONE, or nothing mapped), stepping a region (or the file's last mapped page within one) at a time; nil when
    /// every byte can be read. Only for a replayed map.
    func firstUnreadable(_ address: UInt64, _ count: UInt64) -> UInt64? {
        guard replayed, count > 0 else { return nil }
        let (end, overflow) = address.addingReportingOverflow(count)
        if overflow { return address }
        var cursor = address
        while cursor < end {
            guard let index = regionIndex(at: cursor), canRead(regions[index].protection) else { return cursor }
            let region = regions[index]
            var stop = region.end
            if case .file(let start) = region.backing {
                let (offset, wrapped) = start.addingReportingOverflow(cursor - region.start)
                if wrapped || offset >= mappedFileEnd { return cursor }
                stop = min(stop, cursor &+ (mappedFileEnd - offset))
            }
            guard stop > cursor else { return cursor }
            cursor = stop
        }
        return nil
    }

    /// True when `count` bytes at `address` lie in mapped pages whose protection allows writing.
    func writable(_ address: UInt64, _ count: Int) -> Bool {
        [address, address &+ UInt64(max(count, 1) - 1)].allSatisfy { (protection(at: $0) ?? 0) & 2 != 0 }
    }

    /// The NUL-terminated string at `address` as the loader reads it: through the mapping, not bounded by DT_STRSZ,
    /// ending at a NUL in the file or at the zeros the mapping supplies. Nil when it runs into unmapped memory or on for
    /// more than `limit` bytes.
    func string(at address: UInt64, limit: Int = 4096, held: HeldBytes, what: @autoclosure () -> String) -> Result<String?, ElfReader.Reason> {
        var bytes: [UInt8] = []
        var cursor = address
        while bytes.count <= limit {
            switch byte(at: cursor) {
            case .unmapped: return .success(nil)
            case .zero: return .success(String(decoding: bytes, as: UTF8.self))
            case .file(let offset, let runEnd):
                let want = min(runEnd - offset, limit + 1 - bytes.count)
                guard let view = held.view(offset, 1, byteOrder: .little) else { return .failure(.missing(what(), offset, want)) }
                let stop = min(offset + want, view.end)
                let slice = view.bytes[(offset - view.base)..<(stop - view.base)]
                if let nul = slice.firstIndex(of: 0) {
                    bytes += slice[..<nul]
                    return .success(String(decoding: bytes, as: UTF8.self))
                }
                bytes += slice
                if stop < offset + want { return .failure(.missing(what(), stop, offset + want - stop)) }
                cursor += UInt64(stop - offset)
            }
        }
        return .success(nil)
    }
}
