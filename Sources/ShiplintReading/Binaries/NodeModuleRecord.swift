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

    /// The version, nil when there is no such struct (or several disagree), or a range to read first. Ranges are
    /// asked for one at a time and only when small (a table or a few bytes): a big addon whose tables lie far
    /// apart is answered with nil ("not read") rather than held whole.
    enum Lookup: Equatable, Error {
        case version(Int?)
        case missing(what: String, offset: Int, count: Int)
    }

    /// The most bytes one request may ask for.
    static let requestLimit = 1 << 20

    static func version(
        held: HeldBytes, bits: Int, byteOrder: ByteOrder, machine: UInt16, loads: [Mapped], tables: [Table]
    ) -> Lookup {
        guard let relative = relativeType(machine: machine) else { return .version(nil) }
        func offset(of address: UInt64, _ count: Int) -> Int? {
            for load in loads where address >= load.address && address - load.address < UInt64(load.fileSize) {
                let offset = load.offset + Int(address - load.address)
                return count <= load.offset + load.fileSize - offset ? offset : nil
            }
            return nil
        }
        /// The bytes at `address`, or the range to ask for (nil: outside every segment, or too big to ask).
        enum Bytes { case view(ByteView, Int), ask(Int, Int), none }
        func bytes(at address: UInt64, _ count: Int) -> Bytes {
            guard let start = offset(of: address, count) else { return .none }
            if let view = held.view(start, count, byteOrder: byteOrder) { return .view(view, start) }
            return count <= requestLimit && held.inFile(start, count) ? .ask(start, count) : .none
        }
        let pointerWidth = bits == 64 ? 8 : 4
        // Every relative relocation: the place it writes and the address it writes there.
        var targets: [UInt64: UInt64] = [:]
        var inPlace: [UInt64] = []
        for table in tables {
            // DT_RELAENT / DT_RELENT come from the file: anything but a sane entry size ends the search for that table.
            guard let entrySize = Int(exactly: table.entrySize ?? UInt64(table.hasAddends ? pointerWidth * 3 : pointerWidth * 2)),
                entrySize >= pointerWidth * 2, entrySize <= 64, let size = Int(exactly: table.size), size >= entrySize
            else { continue }
            let view: ByteView
            let start: Int
            switch bytes(at: table.address, size) {
            case .none: return .version(nil)
            case .ask(let offset, let count): return .missing(what: "the relocations of a Node.js module record", offset: offset, count: count)
            case .view(let held, let at): (view, start) = (held, at)
            }
            for entry in stride(from: start, to: start + size - entrySize + 1, by: entrySize) {
                guard let place = view.word(entry, bits: bits), let info = view.word(entry + pointerWidth, bits: bits) else { break }
                let type = bits == 64 ? info & 0xFFFF_FFFF : info & 0xFF
                guard type == relative else { continue }
                if table.hasAddends, let addend = view.word(entry + pointerWidth * 2, bits: bits) {
                    targets[place] = addend
                } else if !table.hasAddends {
                    targets[place] = 0
                    inPlace.append(place)
                }
            }
        }
        let layout = Layout(bits: bits)
        // The struct's shape in relocations alone: pointers at nm_filename, nm_modname and one of the register slots.
        let candidates = targets.keys.filter { place in
            place >= layout.modname && targets[place - layout.modname + layout.filename] != nil
                && (targets[place - layout.modname + layout.register] != nil || targets[place - layout.modname + layout.contextRegister] != nil)
        }.sorted()
        guard !candidates.isEmpty else { return .version(nil) }
        // REL keeps the addend at the place: read the pointers the candidates need.
        func pointer(at place: UInt64) -> Result<UInt64, Lookup> {
            guard inPlace.contains(place) else { return .success(targets[place]!) }
            switch bytes(at: place, pointerWidth) {
            case .none: return .failure(.version(nil))
            case .ask(let offset, let count): return .failure(.missing(what: "a pointer of a Node.js module record", offset: offset, count: count))
            case .view(let view, let at): return view.word(at, bits: bits).map { .success($0) } ?? .failure(.version(nil))
            }
        }
        func string(at address: UInt64) -> Result<String?, Lookup> {
            guard let start = offset(of: address, 1) else { return .success(nil) }
            let load = loads.first { address >= $0.address && address - $0.address < UInt64($0.fileSize) }!
            let count = min(256, load.offset + load.fileSize - start)
            switch bytes(at: address, count) {
            case .none: return .success(nil)
            case .ask(let offset, let count): return .failure(.missing(what: "a string of a Node.js module record", offset: offset, count: count))
            case .view(let view, let at): return .success(view.cString(at: at, limit: 256))
            }
        }
        // Everything the candidates need, asked for as one span when it is small: a stream that has gone past it
        // needs one more pass, not one per string.
        var wanted: [(Int, Int)] = []
        for place in candidates {
            let base = place - layout.modname
            var addresses: [(UInt64, Int)] = [(base, 8)]
            for slot in [place, base + layout.filename] {
                if inPlace.contains(slot) { addresses.append((slot, pointerWidth)) } else if let target = targets[slot] { addresses.append((target, 256)) }
            }
            for (address, count) in addresses {
                guard let load = loads.first(where: { address >= $0.address && address - $0.address < UInt64($0.fileSize) }) else { continue }
                let start = load.offset + Int(address - load.address)
                let length = min(count, load.offset + load.fileSize - start)
                if held.view(start, length, byteOrder: byteOrder) == nil { wanted.append((start, start + length)) }
            }
        }
        if let first = wanted.first {
            let low = wanted.map(\.0).min()!, high = wanted.map(\.1).max()!
            let span = high - low <= requestLimit ? (low, high) : first
            return .missing(what: "the Node.js module records (struct node_module)", offset: span.0, count: span.1 - span.0)
        }
        var versions = Set<Int>()
        for place in candidates {
            let base = place - layout.modname
            var texts: [String] = []
            for slot in [place, base + layout.filename] {
                let target: UInt64
                switch pointer(at: slot) {
                case .failure(let lookup): return lookup
                case .success(let value): target = value
                }
                switch string(at: target) {
                case .failure(let lookup): return lookup
                case .success(let text): if let text, !text.isEmpty { texts.append(text) }
                }
            }
            guard texts.count == 2, texts[0].allSatisfy({ $0 == "_" || $0 == "-" || $0 == "." || $0.isLetter || $0.isNumber }) else { continue }
            switch bytes(at: base, 8) {
            case .none: continue
            case .ask(let offset, let count): return .missing(what: "a Node.js module record (struct node_module)", offset: offset, count: count)
            case .view(let view, let at):
                guard let version = view.u32(at), let flags = view.u32(at + 4), flags <= 0xFF, version > 0, version < 10_000 else { continue }
                versions.insert(Int(version))
            }
        }
        return .version(versions.count == 1 ? versions.first : nil)
    }
}
