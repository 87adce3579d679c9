import ShiplintFacts

/// Reads the few PE/COFF facts shiplint needs (machine, DLL flag, imported DLL names) from untrusted bytes.
/// Layout: Microsoft PE format specification, sections "MS-DOS Stub", "COFF File Header", "Optional Header
/// Data Directories", "Section Table" and ".idata".
enum PEReader {
    enum Outcome {
        case facts(PEFacts)
        /// `MZ` with no `PE\0\0` signature: a DOS program, or not an executable at all.
        case notPE(String)
        case corrupt(String)
    }

    static func read(_ bytes: [UInt8]) -> Outcome {
        let view = ByteView(bytes, byteOrder: .little)
        guard let peOffset = view.u32(0x3C).map(Int.init) else {
            return .corrupt("truncated MS-DOS header (\(bytes.count) bytes)")
        }
        guard view.contains(offset: peOffset, length: 4) else {
            return .corrupt("PE header offset \(peOffset) lies past the end of the file (\(bytes.count) bytes)")
        }
        guard view.u32(peOffset) == 0x0000_4550 else {
            return .notPE("MZ header without a PE signature (an MS-DOS program or not an executable)")
        }
        let coff = peOffset + 4
        guard let machine = view.u16(coff), let sectionCount = view.u16(coff + 2).map(Int.init),
            let optionalSize = view.u16(coff + 16).map(Int.init), let characteristics = view.u16(coff + 18)
        else {
            return .corrupt("truncated COFF header")
        }
        let optional = coff + 20
        guard optionalSize >= 2, view.contains(offset: optional, length: optionalSize), let magic = view.u16(optional) else {
            return .corrupt("optional header (\(optionalSize) bytes at \(optional)) is missing or past the end of the file")
        }
        let bits: Int
        let directoriesOffset: Int
        switch magic {
        case 0x10B: bits = 32; directoriesOffset = 96
        case 0x20B: bits = 64; directoriesOffset = 112
        default: return .corrupt("unknown optional header magic 0x\(hex(magic))")
        }
        let isDLL = characteristics & 0x2000 != 0
        let arch = archName(machine)
        let sectionTable = optional + optionalSize
        guard sectionCount <= 96, view.contains(offset: sectionTable, length: sectionCount * 40) else {
            return .corrupt("section table (\(sectionCount) sections) lies past the end of the file")
        }
        let sections = (0..<sectionCount).compactMap { index -> (address: Int, size: Int, fileOffset: Int, fileSize: Int)? in
            let base = sectionTable + index * 40
            guard let virtualSize = view.u32(base + 8), let address = view.u32(base + 12),
                let rawSize = view.u32(base + 16), let rawOffset = view.u32(base + 20)
            else { return nil }
            return (Int(address), Int(max(virtualSize, rawSize)), Int(rawOffset), Int(rawSize))
        }
        func fileOffset(ofRVA rva: Int) -> Int? {
            for section in sections where rva >= section.address && rva < section.address + section.size {
                let delta = rva - section.address
                guard delta < section.fileSize else { return nil }
                return section.fileOffset + delta
            }
            return nil
        }

        var imports: [String] = []
        let numberOfDirectories = view.u32(optional + directoriesOffset - 4).map(Int.init) ?? 0
        if numberOfDirectories > 1, optionalSize >= directoriesOffset + 16,
            let importRVA = view.u32(optional + directoriesOffset + 8), importRVA != 0
        {
            guard var descriptor = fileOffset(ofRVA: Int(importRVA)) else {
                return .corrupt("import table address 0x\(String(importRVA, radix: 16)) is in no section")
            }
            // Each descriptor is 20 bytes; the table ends with an all-zero one. Bounded so a table with no end stops.
            for _ in 0..<4096 {
                guard view.contains(offset: descriptor, length: 20), let nameRVA = view.u32(descriptor + 12),
                    let firstThunk = view.u32(descriptor + 16), let originalThunk = view.u32(descriptor)
                else {
                    return .corrupt("import table runs past the end of the file")
                }
                if nameRVA == 0 && firstThunk == 0 && originalThunk == 0 { break }
                guard let nameOffset = fileOffset(ofRVA: Int(nameRVA)), let name = view.cString(at: nameOffset, limit: 512)
                else {
                    return .corrupt("imported DLL name at 0x\(String(nameRVA, radix: 16)) is unreadable")
                }
                imports.append(name)
                descriptor += 20
            }
        }
        // Data directory 14, the CLI header (ECMA-335 II.25.3.3): its Flags (offset 16) bit 0 is COMIMAGE_FLAGS_ILONLY.
        var isManaged = false
        if numberOfDirectories > 14, optionalSize >= directoriesOffset + 15 * 8,
            let cliRVA = view.u32(optional + directoriesOffset + 14 * 8), cliRVA != 0,
            let cli = fileOffset(ofRVA: Int(cliRVA)), let flags = view.u32(cli + 16)
        {
            isManaged = flags & 0x1 != 0
        }
        return .facts(PEFacts(machine: machine, arch: arch, bits: bits, isDLL: isDLL, imports: imports, isManaged: isManaged))
    }

    static func archName(_ machine: UInt16) -> String {
        switch machine {
        case 0x8664: "x86_64"
        case 0xAA64: "aarch64"
        case 0x014C: "i386"
        case 0x01C4: "arm"
        case 0xA641: "arm64ec"
        default: "pe-machine-0x\(hex(machine))"
        }
    }

    /// Four lower-case hex digits.
    static func hex(_ value: UInt16) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 4 - digits.count) + digits
    }
}
