import ShiplintFacts

/// The ELF header read by hand first, so a truncated or lying header is caught before libelf sees it: the identity
/// bytes ld.so's `open_verify` (glibc elf/dl-load.c) compares before anything else, and where the program headers are.
/// What every glibc refuses whatever its version (a class or byte order that is neither, EI_VERSION, e_phentsize) is
/// a reason here; what depends on the target's glibc (EI_OSABI, EI_ABIVERSION, e_version) is kept as a fact and
/// judged by the `not-loadable` check.
struct ElfHeader {
    let bits: Int
    let byteOrder: ByteOrder
    let headerSize: Int
    let type: UInt16
    let machine: UInt16
    /// e_ident[EI_OSABI], e_ident[EI_ABIVERSION], and whether e_ident[EI_PAD...] is all zero.
    let osABI: UInt8
    let abiVersion: UInt8
    let identPaddingIsZero: Bool
    /// e_version.
    let fileVersion: UInt32
    let programHeaderOffset: UInt64
    let programHeaderSize: Int
    let programHeaderCount: Int

    typealias Reason = ElfReader.Reason

    /// sizeof(Elf64_Phdr) or sizeof(Elf32_Phdr): glibc refuses any other e_phentsize.
    var expectedProgramHeaderSize: Int { bits == 64 ? 56 : 32 }

    /// The bytes the header says the program header table occupies.
    var programHeaderRange: (offset: UInt64, count: UInt64) {
        (programHeaderOffset, UInt64(programHeaderCount) * UInt64(programHeaderSize))
    }

    /// Bytes of the ELF identification and header needed before anything else (the 64-bit header's size).
    static let prefixLength = 64

    static func parse(_ held: HeldBytes) -> Result<ElfHeader, Reason> {
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
        // EV_CURRENT has been 1 since the ELF specification was written; every glibc compares it.
        if let version = ident.u8(6), version != 1 {
            return .failure(Reason(text: "ELF file version ident does not match current one (EI_VERSION \(version), 1 expected): the loader refuses it"))
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
        let header = ElfHeader(
            bits: bits, byteOrder: byteOrder, headerSize: headerSize, type: view.u16(16)!, machine: view.u16(18)!,
            osABI: view.u8(7)!, abiVersion: view.u8(8)!, identPaddingIsZero: (9..<16).allSatisfy { view.u8($0) == 0 },
            fileVersion: view.u32(20)!,
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
