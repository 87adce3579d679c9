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
                address: phdr.p_vaddr, memorySize: phdr.p_memsz, alignment: phdr.p_align))
        }
        return .success(ProgramHeaders(image: image, segments: list))
    }
}

/// The memory image ld.so makes of the PT_LOAD segments (glibc elf/dl-map-segments.h): each segment's pages map the
/// file from its page-aligned offset, later segments over earlier ones; past `p_filesz` the rest of the page is
/// zeroed when `p_memsz` is larger, and further pages up to `p_memsz` are anonymous zeros; the part of the page that
/// holds the end of the file reads as zeros, a page wholly past it cannot be read (SIGBUS). Everything the dynamic
/// table names is found by address here, as the loader finds it.
struct LoadMap {
    let loads: [Segment]
    let fileSize: Int
    /// The page size of the Lambda kernels (x86_64 and arm64 alike) and of the loaders' own checks.
    static let pageSize: UInt64 = 4096

    init(_ segments: [Segment], fileSize: Int) {
        loads = segments.filter { $0.type == UInt32(PT_LOAD) }
        self.fileSize = fileSize
    }

    /// What glibc reserves for the whole object in one mmap (elf/dl-load.c: the last PT_LOAD's end in memory less
    /// the first one's page start, in program header order), wrapping as its unsigned arithmetic does.
    var mappingLength: UInt64 {
        guard let first = loads.first, let last = loads.last else { return 0 }
        return (last.address &+ last.memorySize) &- Self.down(first.address)
    }

    private static func down(_ value: UInt64) -> UInt64 { value & ~(pageSize - 1) }
    private static func up(_ value: UInt64) -> UInt64 { value.addingReportingOverflow(pageSize - 1).partialValue & ~(pageSize - 1) }

    /// The segment whose pages hold `address` (the last one mapped there), with the protection of those pages.
    func segment(at address: UInt64) -> Segment? { mapping(of: address) }

    /// The segment whose pages hold `address`: the last one mapped there.
    private func mapping(of address: UInt64) -> Segment? {
        loads.last { load in
            let (end, overflow) = load.address.addingReportingOverflow(max(load.memorySize, UInt64(load.fileSize)))
            return !overflow && address >= Self.down(load.address) && address < Self.up(end)
        }
    }

    /// The file offset of `count` bytes at `address`, through the PT_LOAD whose file bytes hold them (what the loader
    /// maps there), and the end of that segment's file bytes (the bound for tables whose length is not given).
    func fileOffset(_ address: UInt64, _ count: Int) -> (offset: Int, segmentEnd: Int)? {
        guard let load = loads.last(where: { address >= $0.address && address - $0.address < UInt64($0.fileSize) }) else {
            return nil
        }
        let offset = load.offset + Int(address - load.address)
        guard count <= load.end - offset else { return nil }
        return (offset, load.end)
    }

    /// How the byte at `address` reads once mapped: from the file at an offset, a zero, or not at all.
    enum Byte: Equatable {
        case file(offset: Int, runEnd: Int)
        case zero
        case unmapped
    }

    /// The byte at `address`; for a file byte, also where the run of file bytes that follows it in memory ends.
    func byte(at address: UInt64) -> Byte {
        guard let load = mapping(of: address) else { return .unmapped }
        let dataEnd = load.address + UInt64(load.fileSize)
        let fileMapped = Self.up(dataEnd)
        if address >= fileMapped { return .zero }
        // Past p_filesz in the last file page: zeroed when p_memsz asks for more (glibc's zero-fill), else file bytes.
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
