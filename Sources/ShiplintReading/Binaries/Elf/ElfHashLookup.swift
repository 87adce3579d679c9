import ShiplintFacts

/// A symbol lookup in the object's own GNU hash table, read as glibc's elf/dl-lookup.c do_lookup_x reads it (x86_64,
/// glibc 2.26 to 2.41 alike): the bloom filter word `(hash / 64) & (bitmask_nwords - 1)` (a filter of 0 words masks
/// with 0xffffffff), its two bits; then the name's bucket, then that bucket's chain, entry by entry, up to the one with
/// its low bit set, reading each candidate symbol (check_match) and, when its value and type allow, its name. Every
/// read is of the mapped object: one outside it faults (or, where the process happens to have memory there, reads it).
///
/// Which names reach the object's table: ld.so searches the global scope first (the program and what it loaded with
/// RTLD_GLOBAL, libc), then the object's own scope, the object first. A weak undefined name nobody defines
/// (`__gmon_start__`, `_ITM_*` of any GCC-built object) gets there; a name found earlier does not, and which those are
/// depends on the process. Only the object's weak undefined names are looked up here: its own defined names are found
/// earlier whenever another library of the process defines them too (a variant of libz in a process whose libpython
/// loaded libz), which the reader cannot know.
extension ElfFactsReader {
    struct HashLookup {
        let table: UInt64
        let buckets: UInt32
        let symbolBias: UInt32
        let words: UInt32
        let shift: UInt32
        /// The System V table (DT_HASH), which ld.so uses only when there is no DT_GNU_HASH (`_dl_setup_hash`,
        /// elf/dl-lookup.c): `buckets` is its nbucket, the other fields unused.
        var systemV = false
    }

    /// The table's header, nil when the object has no hash table, or one of 0 buckets (skipped by the lookup).
    func hashLookup(_ tags: DynamicTags, map: LoadMap) -> Result<HashLookup?, Reason> {
        guard let table = tags.gnuHash else {
            guard let table = tags.hash else { return .success(nil) }
            switch memory(table, 8, map: map, "the hash table's header (DT_HASH)") {
            case .failure(let reason): return .failure(reason)
            case .success(nil): return .success(nil)  // hashTableProblem reports it.
            case .success(let bytes?):
                let buckets = (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[$1]) << UInt32(8 * $1) }
                guard buckets != 0 else { return .success(nil) }
                return .success(HashLookup(table: table, buckets: buckets, symbolBias: 0, words: 0, shift: 0, systemV: true))
            }
        }
        switch memory(table, 16, map: map, "the GNU hash table's header") {
        case .failure(let reason): return .failure(reason)
        case .success(nil): return .success(nil)  // hashTableProblem reports it.
        case .success(let bytes?):
            let field = { (at: Int) in (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[at + $1]) << UInt32(8 * $1) } }
            guard field(0) != 0 else { return .success(nil) }
            return .success(HashLookup(table: table, buckets: field(0), symbolBias: field(4), words: field(8), shift: field(12)))
        }
    }

    /// `dl_new_hash` (elf/dl-new-hash.h): h = h * 33 + c from 5381.
    static func gnuHash(_ name: some Sequence<UInt8>) -> UInt32 {
        name.reduce(UInt32(5381)) { $0 &* 33 &+ UInt32($1) }
    }

    /// Nil when looking `name` up in the object reads only mapped memory; the read that faults otherwise.
    func lookupProblem(_ name: [UInt8], in lookup: HashLookup, tags: DynamicTags, map: LoadMap) -> Result<Reason?, Reason> {
        if lookup.systemV { return systemVLookupProblem(name, in: lookup, tags: tags, map: map) }
        let hash = Self.gnuHash(name)
        let shown = String(decoding: name.prefix(64), as: UTF8.self)
        func word(_ address: UInt64, _ count: Int) -> Result<UInt64?, Reason> {
            memory(address, count, map: map, "the GNU hash table").map { bytes in
                bytes.map { $0.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << UInt64(8 * $1.offset) } }
            }
        }
        func fault(_ what: String, _ address: UInt64) -> Result<Reason?, Reason> {
            .success(Reason(text: "looking up `\(shown)` in the object's own DT_GNU_HASH reads \(what) at 0x\(hex(address)), outside the mapped object: the loader faults (SIGSEGV) binding it"))
        }
        let bloomAddress = lookup.table &+ 16 &+ UInt64((hash / 64) & (lookup.words &- 1)) &* 8
        let bloom: UInt64
        switch word(bloomAddress, 8) {
        case .failure(let reason): return .failure(reason)
        case .success(nil): return fault("a bloom filter word", bloomAddress)
        case .success(let value?): bloom = value
        }
        let first = UInt64(hash & 63), second = UInt64((hash >> (lookup.shift & 31)) & 63)
        guard (bloom >> first) & (bloom >> second) & 1 == 1 else { return .success(nil) }
        // hash32 += 2 * bitmask_nwords (32-bit words, the count an Elf32_Word product).
        let bucketArray = lookup.table &+ 16 &+ UInt64(UInt32(truncatingIfNeeded: 2 &* UInt64(lookup.words))) &* 4
        let bucketAddress = bucketArray &+ UInt64(hash % lookup.buckets) &* 4
        let bucket: UInt64
        switch word(bucketAddress, 4) {
        case .failure(let reason): return .failure(reason)
        case .success(nil): return fault("its bucket", bucketAddress)
        case .success(let value?): bucket = value
        }
        guard bucket != 0, let symtab = tags.symtab, let strtab = tags.strtab else { return .success(nil) }
        let chainZero = bucketArray &+ UInt64(lookup.buckets) &* 4 &- UInt64(lookup.symbolBias) &* 4
        var address = chainZero &+ bucket &* 4
        // A chain longer than the file has words runs into zeros (never the end bit): it is followed to the mapping's end.
        for _ in 0..<(map.loads.reduce(1) { $0 + $1.fileSize / 4 } + 1) {
            let entry: UInt64
            switch word(address, 4) {
            case .failure(let reason): return .failure(reason)
            case .success(nil): return fault("a hash chain entry", address)
            case .success(let value?): entry = value
            }
            if (entry ^ UInt64(hash)) >> 1 == 0 {
                switch checkMatch(symbol: (address &- chainZero) / 4, name, symtab: symtab, strtab: strtab, map: map, fault: fault) {
                case .found: return .success(nil)
                case .next: break
                case .stop(let outcome): return outcome
                }
            }
            if entry & 1 == 1 { return .success(nil) }
            address &+= 4
        }
        return fault("a hash chain entry", address)
    }

    /// The System V lookup of do_lookup_x (elf/dl-lookup.c): `symidx = l_buckets[_dl_elf_hash(name) % l_nbuckets]`, then
    /// `symidx = l_chain[symidx]` until 0, check_match reading `symtab[symidx]` each time (its st_info first), and the
    /// name when the symbol's value and type allow. The buckets follow the two header words, the chains the buckets.
    private func systemVLookupProblem(_ name: [UInt8], in lookup: HashLookup, tags: DynamicTags, map: LoadMap) -> Result<Reason?, Reason> {
        let hash = ElfLoaderFacts.elfHash(name)
        let shown = String(decoding: name.prefix(64), as: UTF8.self)
        func fault(_ what: String, _ address: UInt64) -> Result<Reason?, Reason> {
            .success(Reason(text: "looking up `\(shown)` in the object's own DT_HASH reads \(what) at 0x\(hex(address)), outside the mapped object: the loader faults (SIGSEGV) binding it"))
        }
        guard let symtab = tags.symtab, let strtab = tags.strtab else { return .success(nil) }
        let bucketArray = lookup.table &+ 8
        let chainArray = bucketArray &+ UInt64(lookup.buckets) &* 4
        var address = bucketArray &+ UInt64(hash % lookup.buckets) &* 4
        var what = "its bucket"
        // A chain that loops makes ld.so spin: followed no further than the file has words, then left unjudged.
        for _ in 0..<(map.loads.reduce(1) { $0 + $1.fileSize / 4 } + 1) {
            let index: UInt64
            switch memory(address, 4, map: map, "the hash table (DT_HASH)") {
            case .failure(let reason): return .failure(reason)
            case .success(nil): return fault(what, address)
            case .success(let bytes?): index = (0..<4).reduce(UInt64(0)) { $0 | UInt64(bytes[$1]) << UInt64(8 * $1) }
            }
            if index == 0 { return .success(nil) }
            switch checkMatch(symbol: index, name, symtab: symtab, strtab: strtab, map: map, fault: fault) {
            case .found: return .success(nil)
            case .next: break
            case .stop(let outcome): return outcome
            }
            address = chainArray &+ index &* 4
            what = "a hash chain entry"
        }
        return .success(nil)
    }

    /// What check_match (elf/dl-lookup.c) does with symbol `index` of a chain: it reads the symbol's st_info first; a
    /// symbol with no value (but an absolute or TLS one), or of a type that defines nothing, is passed over before its
    /// name is read. `.stop` carries a read outside the mapped object (`fault`'s finding) or a reason not to judge.
    private enum ChainStep { case found, next, stop(Result<Reason?, Reason>) }

    private func checkMatch(
        symbol index: UInt64, _ name: [UInt8], symtab: UInt64, strtab: UInt64, map: LoadMap,
        fault: (String, UInt64) -> Result<Reason?, Reason>
    ) -> ChainStep {
        let symbolAddress = symtab &+ index &* 24
        let symbol: [UInt8]
        switch memory(symbolAddress, 24, map: map, "a symbol") {
        case .failure(let reason): return .stop(.failure(reason))
        case .success(nil): return .stop(fault("symbol \(index)", symbolAddress))
        case .success(let bytes?): symbol = bytes
        }
        let type = symbol[4] & 0xF
        let section = UInt16(symbol[6]) | UInt16(symbol[7]) << 8
        let value = symbol[8..<16].contains { $0 != 0 }
        let allowed: Set<UInt8> = [0, 1, 2, 5, 6, 10]
        guard (value || section == 0xFFF1 || type == 6) && allowed.contains(type) else { return .next }
        let nameIndex = (0..<4).reduce(UInt64(0)) { $0 | UInt64(symbol[$1]) << UInt64(8 * $1) }
        switch map.string(at: strtab &+ nameIndex, limit: 1 << 16, held: held, what: "a symbol name") {
        case .failure(let reason): return .stop(.failure(reason))
        case .success(nil): return .stop(fault("the name of symbol \(index)", strtab &+ nameIndex))
        case .success(let found?): return Array(found.utf8) == name ? .found : .next
        }
    }
}
