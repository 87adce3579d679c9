internal import CLibelf
import ShiplintFacts

/// Reads ELF facts through elfutils' libelf. libelf trusts the offsets in the file, so every table and section is
/// checked to lie inside the bytes before libelf is asked for it, and the version chains are walked with their
/// links bounded by the section size (a looping `vn_next` must end, not spin).
enum ElfReader {
    enum Outcome {
        case facts(ElfFacts)
        case corrupt(String)
    }

    /// libelf must be told which ELF version the caller speaks before any other call; once per process.
    private static let libelfReady: Bool = elf_version(UInt32(EV_CURRENT)) != UInt32(EV_NONE)

    static func read(_ bytes: [UInt8]) -> Outcome {
        switch RawHeader.parse(bytes) {
        case .failure(let reason): return .corrupt(reason.text)
        case .success(let header):
            guard libelfReady else { return .corrupt("libelf could not be initialised") }
            // elf_memory may convert data in place (ELF_C_READ_MMAP_PRIVATE); `view` reads the untouched original.
            var copy = bytes
            return copy.withUnsafeMutableBytes { buffer in
                guard let base = buffer.baseAddress, let handle = ElfHandle(memory: base, count: buffer.count) else {
                    return .corrupt("libelf could not open the file: \(ElfHandle.lastError)")
                }
                return ElfFactsReader(handle: handle, header: header, view: ByteView(bytes, byteOrder: header.byteOrder)).read()
            }
        }
    }

    struct Reason: Error {
        let text: String
    }

    /// The ELF header fields read by hand first, so a truncated or lying header is caught before libelf sees it.
    struct RawHeader {
        let bits: Int
        let byteOrder: ByteOrder
        let programHeaderOffset: UInt64
        let programHeaderSize: Int
        let programHeaderCount: Int
        let sectionHeaderOffset: UInt64
        let sectionHeaderSize: Int
        let sectionHeaderCount: Int

        static func parse(_ bytes: [UInt8]) -> Result<RawHeader, Reason> {
            guard bytes.count >= 16 else {
                return .failure(Reason(text: "truncated: \(bytes.count) bytes, shorter than the ELF identification (16 bytes)"))
            }
            let bits: Int
            switch bytes[4] {
            case 1: bits = 32
            case 2: bits = 64
            default: return .failure(Reason(text: "unknown ELF class \(bytes[4]) (neither 32- nor 64-bit)"))
            }
            let byteOrder: ByteOrder
            switch bytes[5] {
            case 1: byteOrder = .little
            case 2: byteOrder = .big
            default: return .failure(Reason(text: "unknown ELF data encoding \(bytes[5]) (neither little nor big endian)"))
            }
            let headerSize = bits == 64 ? 64 : 52
            guard bytes.count >= headerSize else {
                return .failure(Reason(text: "truncated: \(bytes.count) bytes, shorter than the \(bits)-bit ELF header (\(headerSize) bytes)"))
            }
            let view = ByteView(bytes, byteOrder: byteOrder)
            let phoff: UInt64, shoff: UInt64, tail: Int
            if bits == 64 {
                phoff = view.u64(32)!
                shoff = view.u64(40)!
                tail = 54
            } else {
                phoff = UInt64(view.u32(28)!)
                shoff = UInt64(view.u32(32)!)
                tail = 42
            }
            let header = RawHeader(
                bits: bits, byteOrder: byteOrder,
                programHeaderOffset: phoff, programHeaderSize: Int(view.u16(tail)!), programHeaderCount: Int(view.u16(tail + 2)!),
                sectionHeaderOffset: shoff, sectionHeaderSize: Int(view.u16(tail + 4)!), sectionHeaderCount: Int(view.u16(tail + 6)!))
            let size = UInt64(bytes.count)
            if header.programHeaderCount > 0 {
                let need = UInt64(header.programHeaderCount) * UInt64(header.programHeaderSize)
                guard phoff <= size, need <= size - phoff else {
                    return .failure(Reason(text: "program header table (offset \(phoff), \(header.programHeaderCount) entries) lies past the end of the file (\(bytes.count) bytes)"))
                }
            }
            if shoff != 0 {
                // e_shnum 0 with a table means the real count is in section 0's sh_size; at least that entry must exist.
                let need = UInt64(max(header.sectionHeaderCount, 1)) * UInt64(header.sectionHeaderSize)
                guard shoff <= size, need <= size - shoff else {
                    return .failure(Reason(text: "section header table (offset \(shoff), \(header.sectionHeaderCount) entries) lies past the end of the file (\(bytes.count) bytes)"))
                }
            }
            return .success(header)
        }
    }
}

/// Owns one libelf descriptor over caller-owned memory; never shared, ended in deinit.
private final class ElfHandle {
    let elf: OpaquePointer

    init?(memory: UnsafeMutableRawPointer, count: Int) {
        guard let elf = elf_memory(memory.assumingMemoryBound(to: CChar.self), count) else { return nil }
        self.elf = elf
    }

    deinit {
        elf_end(elf)
    }

    static var lastError: String {
        guard let message = elf_errmsg(-1) else { return "unknown libelf error" }
        return String(cString: message)
    }

    func string(section: Int, offset: Int) -> String? {
        guard let pointer = elf_strptr(elf, section, offset) else { return nil }
        return String(cString: pointer)
    }
}

private struct ElfFactsReader {
    let handle: ElfHandle
    let header: ElfReader.RawHeader
    let view: ByteView

    private struct Section {
        let index: Int
        let type: UInt32
        let offset: Int
        let size: Int
        let link: Int
        let info: Int
        let alignment: Int
        let scn: OpaquePointer
    }

    func read() -> ElfReader.Outcome {
        guard elf_kind(handle.elf) == ELF_K_ELF else { return .corrupt("libelf does not take it for an ELF file") }
        var ehdr = GElf_Ehdr()
        guard gelf_getehdr(handle.elf, &ehdr) != nil else { return .corrupt("unreadable ELF header: \(ElfHandle.lastError)") }
        let machine = ehdr.e_machine

        var interpreter: String?
        var executableStack: Bool?
        for index in 0..<header.programHeaderCount {
            var phdr = GElf_Phdr()
            guard gelf_getphdr(handle.elf, Int32(index), &phdr) != nil else {
                return .corrupt("unreadable program header \(index): \(ElfHandle.lastError)")
            }
            switch phdr.p_type {
            case UInt32(PT_INTERP):
                guard let offset = Int(exactly: phdr.p_offset), let length = Int(exactly: phdr.p_filesz),
                    view.contains(offset: offset, length: length), let path = view.cString(at: offset, end: offset + length)
                else {
                    return .corrupt("PT_INTERP (offset \(phdr.p_offset), \(phdr.p_filesz) bytes) lies past the end of the file")
                }
                interpreter = path
            case UInt32(PT_GNU_STACK):
                executableStack = phdr.p_flags & UInt32(PF_X) != 0
            default:
                break
            }
        }

        let sections: [Section]
        switch readSections() {
        case .success(let list): sections = list
        case .failure(let reason): return .corrupt(reason.text)
        }

        var needed: [String] = []
        var soname: String?
        var rpath: [String] = []
        var runpath: [String] = []
        for section in sections where section.type == UInt32(SHT_DYNAMIC) {
            guard let data = elf_getdata(section.scn, nil) else {
                return .corrupt("unreadable .dynamic section: \(ElfHandle.lastError)")
            }
            let entrySize = header.bits == 64 ? 16 : 8
            for index in 0..<(section.size / entrySize) {
                var dyn = GElf_Dyn()
                guard gelf_getdyn(data, Int32(index), &dyn) != nil else { break }
                let tag = dyn.d_tag
                if tag == Int64(DT_NULL) { break }
                guard [Int64(DT_NEEDED), Int64(DT_SONAME), Int64(DT_RPATH), Int64(DT_RUNPATH)].contains(tag) else { continue }
                guard let offset = Int(exactly: dyn.d_un.d_val), let text = handle.string(section: section.link, offset: offset) else {
                    return .corrupt("dynamic entry \(index) (\(dynamicTagName(tag))) points past the end of its string table")
                }
                switch tag {
                case Int64(DT_NEEDED): needed.append(text)
                case Int64(DT_SONAME): soname = text
                case Int64(DT_RPATH): rpath += text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
                default: runpath += text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
                }
            }
        }

        var versionNeeds: [VersionNeed] = []
        var versionDefinitions: [String] = []
        var isaNeeded: [String] = []
        for section in sections {
            switch section.type {
            case UInt32(SHT_GNU_verneed):
                switch readVersionNeeds(section) {
                case .success(let needs): versionNeeds += needs
                case .failure(let reason): return .corrupt(reason.text)
                }
            case UInt32(SHT_GNU_verdef):
                switch readVersionDefinitions(section) {
                case .success(let names): versionDefinitions += names
                case .failure(let reason): return .corrupt(reason.text)
                }
            case UInt32(SHT_NOTE):
                isaNeeded += readX86ISANeeded(section)
            default:
                break
            }
        }

        return .facts(
            ElfFacts(
                bits: header.bits, byteOrder: header.byteOrder, machine: machine,
                arch: ElfNames.arch(machine: machine, bits: header.bits, byteOrder: header.byteOrder),
                osABI: ElfNames.osABI(ehdr.e_ident.7), type: ElfNames.objectType(ehdr.e_type),
                interpreter: interpreter, needed: needed, soname: soname, rpath: rpath, runpath: runpath,
                executableStack: executableStack, versionNeeds: versionNeeds, versionDefinitions: versionDefinitions,
                x86ISANeeded: isaNeeded))
    }

    private func readSections() -> Result<[Section], ElfReader.Reason> {
        guard header.sectionHeaderOffset != 0 else { return .success([]) }
        var count = 0
        guard elf_getshdrnum(handle.elf, &count) == 0 else {
            return .failure(ElfReader.Reason(text: "unreadable section count: \(ElfHandle.lastError)"))
        }
        let tableSize = UInt64(count) * UInt64(header.sectionHeaderSize)
        guard tableSize <= UInt64(view.count) - header.sectionHeaderOffset else {
            return .failure(ElfReader.Reason(text: "section header table (\(count) entries) lies past the end of the file (\(view.count) bytes)"))
        }
        var sections: [Section] = []
        var scn = elf_nextscn(handle.elf, nil)
        while let current = scn, sections.count < count {
            var shdr = GElf_Shdr()
            guard gelf_getshdr(current, &shdr) != nil else {
                return .failure(ElfReader.Reason(text: "unreadable section header: \(ElfHandle.lastError)"))
            }
            let index = elf_ndxscn(current)
            if shdr.sh_type != UInt32(SHT_NOBITS) && shdr.sh_type != UInt32(SHT_NULL) {
                guard shdr.sh_offset <= UInt64(view.count), shdr.sh_size <= UInt64(view.count) - shdr.sh_offset else {
                    return .failure(ElfReader.Reason(text: "section \(index) (offset \(shdr.sh_offset), \(shdr.sh_size) bytes) lies past the end of the file (\(view.count) bytes): truncated"))
                }
            }
            sections.append(
                Section(
                    index: index, type: shdr.sh_type, offset: Int(clamping: shdr.sh_offset), size: Int(clamping: shdr.sh_size),
                    link: Int(shdr.sh_link), info: Int(shdr.sh_info), alignment: Int(clamping: shdr.sh_addralign), scn: current))
            scn = elf_nextscn(handle.elf, current)
        }
        return .success(sections)
    }

    /// `.gnu.version_r`: Verneed entries (16 bytes) each with a chain of Vernaux (16 bytes), linked by byte offsets.
    /// Walked over the raw bytes; every link must stay inside the section and the walk stops after as many steps as
    /// the section could hold entries, so a chain that loops is reported instead of followed.
    private func readVersionNeeds(_ section: Section) -> Result<[VersionNeed], ElfReader.Reason> {
        var needs: [VersionNeed] = []
        let maximumSteps = section.size / 16
        var offset = 0
        var steps = 0
        for _ in 0..<max(section.info, 1) {
            guard offset + 16 <= section.size, let count = view.u16(section.offset + offset + 2),
                let fileName = view.u32(section.offset + offset + 4), let auxiliary = view.u32(section.offset + offset + 8),
                let next = view.u32(section.offset + offset + 12)
            else {
                return .failure(ElfReader.Reason(text: "version need entry at offset \(offset) lies outside .gnu.version_r"))
            }
            guard let file = handle.string(section: section.link, offset: Int(fileName)) else {
                return .failure(ElfReader.Reason(text: "version need entry names a file past the end of its string table"))
            }
            var names: [String] = []
            var auxiliaryOffset = offset + Int(auxiliary)
            for _ in 0..<Int(count) {
                steps += 1
                guard steps <= maximumSteps else {
                    return .failure(ElfReader.Reason(text: "version need chain in .gnu.version_r loops (more links than the section can hold)"))
                }
                guard auxiliaryOffset + 16 <= section.size, let name = view.u32(section.offset + auxiliaryOffset + 8),
                    let auxiliaryNext = view.u32(section.offset + auxiliaryOffset + 12)
                else {
                    return .failure(ElfReader.Reason(text: "version need entry for \(file) points outside .gnu.version_r"))
                }
                guard let text = handle.string(section: section.link, offset: Int(name)) else {
                    return .failure(ElfReader.Reason(text: "version need of \(file) names a version past the end of its string table"))
                }
                names.append(text)
                if auxiliaryNext == 0 { break }
                auxiliaryOffset += Int(auxiliaryNext)
            }
            needs.append(VersionNeed(file: file, names: names.sorted()))
            steps += 1
            guard steps <= maximumSteps else {
                return .failure(ElfReader.Reason(text: "version need chain in .gnu.version_r loops (more links than the section can hold)"))
            }
            if next == 0 { break }
            offset += Int(next)
        }
        return .success(needs)
    }

    /// `.gnu.version_d`: Verdef entries (20 bytes), the first Verdaux of each holding the version name.
    private func readVersionDefinitions(_ section: Section) -> Result<[String], ElfReader.Reason> {
        var names: [String] = []
        let maximumSteps = section.size / 20
        var offset = 0
        for step in 0..<max(section.info, 1) {
            guard step < maximumSteps else {
                return .failure(ElfReader.Reason(text: "version definition chain in .gnu.version_d loops"))
            }
            guard offset + 20 <= section.size, let flags = view.u16(section.offset + offset + 2),
                let auxiliary = view.u32(section.offset + offset + 12), let next = view.u32(section.offset + offset + 16),
                offset + Int(auxiliary) + 8 <= section.size, let name = view.u32(section.offset + offset + Int(auxiliary))
            else {
                return .failure(ElfReader.Reason(text: "version definition at offset \(offset) lies outside .gnu.version_d"))
            }
            guard let text = handle.string(section: section.link, offset: Int(name)) else {
                return .failure(ElfReader.Reason(text: "version definition names a string past the end of its string table"))
            }
            if flags & UInt16(VER_FLG_BASE) == 0 { names.append(text) }
            if next == 0 { break }
            offset += Int(next)
        }
        return .success(names)
    }

    /// GNU_PROPERTY_X86_ISA_1_NEEDED from NT_GNU_PROPERTY_TYPE_0 notes (x86-64 psABI, "Program Properties").
    private func readX86ISANeeded(_ section: Section) -> [String] {
        guard let data = elf_getdata(section.scn, nil) else { return [] }
        var levels: [String] = []
        var offset = 0
        var noteHeader = GElf_Nhdr()
        var nameOffset = 0
        var descriptorOffset = 0
        let dataSize = data.pointee.d_size
        guard let buffer = data.pointee.d_buf else { return [] }
        let bytes = UnsafeRawBufferPointer(start: buffer, count: dataSize)
        let local = ByteView(Array(bytes), byteOrder: header.byteOrder)
        for _ in 0..<1024 {
            let next = gelf_getnote(data, offset, &noteHeader, &nameOffset, &descriptorOffset)
            guard next > offset, next <= dataSize else { break }
            defer { offset = next }
            guard noteHeader.n_type == UInt32(NT_GNU_PROPERTY_TYPE_0), noteHeader.n_namesz == 4 else { continue }
            guard Array(bytes[nameOffset..<nameOffset + 3]) == Array("GNU".utf8) else { continue }
            // Properties: pr_type (4), pr_datasz (4), data padded to 8 bytes on ELF64, 4 on ELF32.
            let padding = header.bits == 64 ? 8 : 4
            let end = descriptorOffset + Int(noteHeader.n_descsz)
            var cursor = descriptorOffset
            while cursor + 8 <= end, let type = local.u32(cursor), let size = local.u32(cursor + 4).map(Int.init) {
                guard size <= end - cursor - 8 else { break }
                if type == 0xC000_8002, size >= 4, let mask = local.u32(cursor + 8) {
                    levels += ElfNames.x86ISALevels(mask)
                }
                cursor += 8 + (size + padding - 1) / padding * padding
            }
        }
        return levels
    }

    private func dynamicTagName(_ tag: Int64) -> String {
        switch tag {
        case Int64(DT_NEEDED): "DT_NEEDED"
        case Int64(DT_SONAME): "DT_SONAME"
        case Int64(DT_RPATH): "DT_RPATH"
        default: "DT_RUNPATH"
        }
    }
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
