import ShiplintFacts

/// The NODE_MODULE_VERSION of a legacy Node.js addon that registers from a constructor (`NODE_MODULE`): it passes a
/// `struct node_module` (nodejs/node `src/node.h`) to `node_module_register`, and that struct's first field,
/// `nm_version`, is the version Node compares and prints. Nothing names the struct, but the loader must relocate
/// its pointers: `nm_filename` and `nm_modname` point at strings and `nm_register_func` /
/// `nm_context_register_func` at code, through relative relocations in DT_RELA / DT_REL. A struct is accepted only
/// when all of those line up; the version is told only when every such struct agrees. Otherwise: nil, never a guess.
enum NodeModuleRecord {
    /// A PT_LOAD segment's file bytes and where they are mapped.
    struct Mapped {
        let address: UInt64
        let offset: Int
        let fileSize: Int
    }

    /// One relocation table from PT_DYNAMIC: DT_RELA (with addends) or DT_REL (addend stored at the place).
    struct Table {
        let address: UInt64
        let size: UInt64
        let entrySize: UInt64?
        let hasAddends: Bool
    }

    /// Field offsets of `struct node_module` by ELF class: int nm_version; unsigned nm_flags; void* nm_dso_handle;
    /// const char* nm_filename; addon_register_func; addon_context_register_func; const char* nm_modname; …
    private struct Layout {
        let filename: UInt64
        let register: UInt64
        let contextRegister: UInt64
        let modname: UInt64

        init(bits: Int) {
            let pointer: UInt64 = bits == 64 ? 8 : 4
            filename = 8 + pointer
            register = filename + pointer
            contextRegister = register + pointer
            modname = contextRegister + pointer
        }
    }

    /// The relative relocation type of each machine (R_X86_64_RELATIVE, R_AARCH64_RELATIVE, R_386_RELATIVE,
    /// R_390_RELATIVE, R_PPC64_RELATIVE).
    private static func relativeType(machine: UInt16) -> UInt64? {
        switch machine {
        case 62: 8
        case 183: 1027
        case 3: 8
        case 22: 12
        case 21: 22
        default: nil
        }
    }

    static func version(
        held: HeldBytes, bits: Int, byteOrder: ByteOrder, machine: UInt16, loads: [Mapped], tables: [Table]
    ) -> Int? {
        guard let relative = relativeType(machine: machine) else { return nil }
        func offset(of address: UInt64, _ count: Int) -> Int? {
            for load in loads where address >= load.address && address - load.address < UInt64(load.fileSize) {
                let offset = load.offset + Int(address - load.address)
                return count <= load.offset + load.fileSize - offset ? offset : nil
            }
            return nil
        }
        func word(at address: UInt64, width: Int) -> UInt64? {
            guard let start = offset(of: address, width), let view = held.view(start, width, byteOrder: byteOrder) else { return nil }
            return width == 8 ? view.u64(start) : view.u32(start).map(UInt64.init)
        }
        let pointerWidth = bits == 64 ? 8 : 4
        // Every relative relocation: the place it writes and the address it writes there.
        var targets: [UInt64: UInt64] = [:]
        for table in tables {
            // DT_RELAENT / DT_RELENT come from the file: anything but a sane entry size ends the search for that table.
            guard let entrySize = Int(exactly: table.entrySize ?? UInt64(table.hasAddends ? pointerWidth * 3 : pointerWidth * 2)),
                entrySize >= pointerWidth * 2, entrySize <= 64, let size = Int(exactly: table.size), let start = offset(of: table.address, size),
                let view = held.view(start, size, byteOrder: byteOrder)
            else { continue }
            for entry in stride(from: start, to: start + size - entrySize + 1, by: entrySize) {
                guard let place = view.word(entry, bits: bits), let info = view.word(entry + pointerWidth, bits: bits) else { break }
                let type = bits == 64 ? info & 0xFFFF_FFFF : info & 0xFF
                guard type == relative else { continue }
                let addend = table.hasAddends ? view.word(entry + pointerWidth * 2, bits: bits) : word(at: place, width: pointerWidth)
                if let addend { targets[place] = addend }
            }
        }
        func string(at address: UInt64) -> String? {
            guard let start = offset(of: address, 1) else { return nil }
            for load in loads where address >= load.address && address - load.address < UInt64(load.fileSize) {
                let end = load.offset + load.fileSize
                guard let view = held.view(start, min(256, end - start), byteOrder: byteOrder) else { return nil }
                return view.cString(at: start, limit: 256)
            }
            return nil
        }
        let layout = Layout(bits: bits)
        var versions = Set<Int>()
        for (place, target) in targets {
            // Take each relocated string pointer as a candidate nm_modname and check the rest of the struct around it.
            guard place >= layout.modname, let modname = string(at: target), !modname.isEmpty,
                modname.allSatisfy({ $0 == "_" || $0 == "-" || $0 == "." || $0.isLetter || $0.isNumber })
            else { continue }
            let base = place - layout.modname
            guard let filenameTarget = targets[base + layout.filename], let filename = string(at: filenameTarget), !filename.isEmpty,
                targets[base + layout.register] != nil || targets[base + layout.contextRegister] != nil,
                let version = word(at: base, width: 4), let flags = word(at: base + 4, width: 4), flags <= 0xFF,
                version > 0, version < 10_000
            else { continue }
            versions.insert(Int(version))
        }
        return versions.count == 1 ? versions.first : nil
    }
}
