/// What glibc's ld.so checks in an ELF file before and while mapping it, as read: the identity bytes, the type, the
/// PT_LOAD and PT_DYNAMIC headers, DT_FLAGS_1 and the version records with their hashes. Kept as facts because what
/// the loader accepts depends on its version (the `not-loadable` check judges them by the target's glibc); what no
/// loader accepts (a looping chain, a table outside the file) is a `corrupt-binary` problem instead.
public struct ElfLoaderFacts: Sendable, Equatable {
    /// One PT_LOAD: where it is in the file and in memory, and its alignment.
    public struct LoadSegment: Sendable, Equatable {
        public let index: Int
        public let offset: UInt64
        public let address: UInt64
        public let alignment: UInt64

        public init(index: Int, offset: UInt64, address: UInt64, alignment: UInt64) {
            self.index = index
            self.offset = offset
            self.address = address
            self.alignment = alignment
        }
    }

    /// A version record whose hash is not the ELF hash of its name: `vna_hash` in a need, `vd_hash` in a definition.
    public struct HashMismatch: Sendable, Equatable {
        /// For a need, the file it is needed from (`libc.so.6`); nil for a definition.
        public let file: String?
        public let name: String
        public let found: UInt32
        public let expected: UInt32
        /// VER_FLG_WEAK on the need: the loader does not fail when the version is not found.
        public let isWeak: Bool

        public init(file: String?, name: String, found: UInt32, expected: UInt32, isWeak: Bool = false) {
            self.file = file
            self.name = name
            self.found = found
            self.expected = expected
            self.isWeak = isWeak
        }
    }

    /// e_ident[EI_OSABI] and e_ident[EI_ABIVERSION].
    public var osABI: UInt8
    public var abiVersion: UInt8
    /// e_ident[EI_PAD] through the end of e_ident are zero.
    public var identPaddingIsZero: Bool
    /// e_version.
    public var fileVersion: UInt32
    /// e_type as stored (ET_DYN 3, ET_EXEC 2, ET_REL 1, ET_CORE 4, …).
    public var objectType: UInt16
    public var loadSegments: [LoadSegment]
    /// `p_filesz` of each PT_DYNAMIC, in program header order (0: a separate debuginfo file, as `objcopy
    /// --only-keep-debug` writes; empty: no PT_DYNAMIC at all).
    public var dynamicFileSizes: [UInt64]
    /// DT_FLAGS_1 (DF_1_PIE 0x08000000, DF_1_NOOPEN 0x40), 0 without one.
    public var flags1: UInt64
    /// `vn_version` of the first Verneed record when it is not 1, which glibc refuses.
    public var versionNeedRecordVersion: UInt16?
    /// `vd_version` of the first Verdef record that is not 1: glibc refuses the file when it looks a version up in it.
    public var versionDefinitionRecordVersion: UInt16?
    public var needHashMismatches: [HashMismatch]
    /// The first consistency assertion of glibc's elf_get_dynamic_info that fails (the process exits), as its source
    /// writes it.
    public var failedAssertion: String?
    /// Tables the loader reads only when a lookup needs them, that could not be read (what and why).
    public var unreadTables: [String]
    /// The bytes of address space ld.so reserves for the PT_LOAD segments at once (last end less first start).
    public var mappingLength: UInt64
    /// DT_RELR is present in an object glibc 2.36's check looks at (it has DT_VERNEED and needs a `libc.so.*`,
    /// elf/dl-version.c): glibc 2.36 and later refuse it without a need of GLIBC_ABI_DT_RELR.
    public var usesRelr: Bool
    public var definitionHashMismatches: [HashMismatch]
    /// Names a relocation looks up whose lookup in the object's own hash table reads outside the mapping (a fault).
    /// ld.so searches the global scope first (elf/dl-lookup.c _dl_lookup_symbol_x: the program and libc, then the
    /// object's own scope, the object first): the lookup reaches the object's table only when neither defines the
    /// name with that version. Judged against the target's libc.so.6 and interpreter.
    public var ownTableLookupFaults: [OwnTableLookupFault] = []
    /// Weak version needs (VER_FLG_WEAK) whose name (vna_name) runs past the mapping. match_symbol (elf/dl-version.c)
    /// reads a need's name only in its strcmp, after vna_hash equals a version definition's hash of the needed file,
    /// and (a need that is not weak) in its "not found" error; dlopen checks versions with `verbose` 0, so a weak need
    /// no definition's hash matches is skipped unread. Whether one matches is the needed file's: judged with the target.
    public var unreadWeakNeeds: [UnreadWeakNeed] = []

    /// The object's TLS alignment as ld.so keeps it (`l_tls_align`): the p_align of the last PT_TLS with a p_memsz,
    /// 0 without one (then a static TLS block for it is a division by zero).
    public var tlsAlignment: UInt64 = 0
    /// R_X86_64_TPOFF64 and R_X86_64_TLSDESC relocations through a name ld.so looks up (a symbol that does not bind
    /// locally), the first of each name. elf_machine_rela (sysdeps/x86_64/dl-machine.h) places the defining object's
    /// TLS block in the static TLS block (CHECK_STATIC_TLS, TRY_STATIC_TLS) unless it is there already, and
    /// _dl_try_allocate_static_tls (elf/dl-reloc.c) divides by that object's `l_tls_align`: 0 for an object without a
    /// PT_TLS, a division by zero (SIGFPE). Which object defines the name is the load scope's: judged with the target.
    public var staticTLSImports: [StaticTLSImport] = []

    /// One name a static TLS relocation looks up.
    public struct StaticTLSImport: Sendable, Equatable {
        public let name: String
        /// The version the reference asks for (DT_VERSYM), nil for an unversioned one.
        public let version: String?
        /// The version need is hidden: an unversioned definition (CPython's) does not answer it.
        public let hidden: Bool
        /// The relocation, in the loader's terms (`relocation 3 of DT_JMPREL (R_X86_64_TLSDESC)`).
        public let relocation: String
        /// The object defines the name itself (not STB_LOCAL, not hidden): the lookup ends there when the global
        /// scope does not answer first.
        public let definedHere: Bool

        public init(name: String, version: String?, hidden: Bool = false, relocation: String, definedHere: Bool) {
            self.name = name
            self.version = version
            self.hidden = hidden
            self.relocation = relocation
            self.definedHere = definedHere
        }
    }

    /// A weak version need whose name ld.so cannot read.
    public struct UnreadWeakNeed: Sendable, Equatable {
        /// The needed file (vn_file).
        public let file: String
        /// vna_hash.
        public let hash: UInt32
        /// What ld.so reads and where, in its terms.
        public let reason: String

        public init(file: String, hash: UInt32, reason: String) {
            self.file = file
            self.hash = hash
            self.reason = reason
        }
    }

    /// One name whose lookup in the object's own hash table faults.
    public struct OwnTableLookupFault: Sendable, Equatable {
        public let name: String
        /// The version the reference asks for (DT_VERSYM), nil for an unversioned one.
        public let version: String?
        /// What faults, in the loader's terms.
        public let reason: String
        /// The version need is hidden (vna_other's 0x8000 bit, `r_found_version.hidden`): check_match (elf/dl-lookup.c)
        /// then refuses an unversioned definition of the name, so only a definition of that version answers.
        public let hidden: Bool

        public init(name: String, version: String?, reason: String, hidden: Bool = false) {
            self.name = name
            self.version = version
            self.reason = reason
            self.hidden = hidden
        }
    }
    /// The PT_LOAD segments leave holes and the last one starts below the first one's end (glibc 2.36 checks it,
    /// BZ #28838; older ones pass mprotect a negative length, which fails).
    public var holeBeforeFirstLoadEnd: Bool
    /// The largest anonymous mapping ld.so makes for the zero fill of a writable PT_LOAD (the pages past its file
    /// bytes up to p_memsz: elf/dl-map-segments.h maps them MAP_ANONYMOUS | MAP_PRIVATE with the segment's protection).
    public var largestWritableZeroFill: UInt64 = 0
    /// The undefined symbols ld.so looks up while relocating (named by a relocation that does not bind locally, as
    /// RTLD_NOW binds them all): an import no relocation names is never looked up. Nil when the relocations were not
    /// modelled (another machine, tables over the size modelled): then every import counts. Sorted (facts print the
    /// same in every process).
    public var boundImportNames: [String]?
    /// Weak undefined names an R_X86_64_SIZE64 or SIZE32 relocation asks the size of (sorted). When nothing in the
    /// load scope defines one, the failed weak lookup leaves a null symbol and ld.so reads `st_size` through it
    /// (sysdeps/x86_64/dl-machine.h elf_machine_rela): judged by `undefined-symbol` against the load scope.
    public var sizeReadWeakNames: [String] = []
    /// Undefined symbols whose DT_VERSYM index (above 1) names no version record ld.so reads (a need or definition the
    /// chain does not reach): `l_versions` holds a zeroed record there, and the lookup is unversioned (elf/dl-reloc.c
    /// RESOLVE_MAP passes no version whose hash is 0), which a definition under any single version answers
    /// (elf/dl-lookup.c check_match), GLIBC_PRIVATE ones too, which no export table lists. Sorted.
    public var importsLookedUpWithoutVersion: [String] = []
    /// DT_RELA is 0: what a loader older than glibc 2.36 does applying DT_RELASZ bytes of the ELF header as relocations
    /// (its message), when that fails; 2.36 and later take a zero DT_RELA for no table. Nil otherwise.
    public var relaAtZeroRefusal: String?
    /// Set when an x86-64 file has execute-only PT_LOAD segments and reads differently on a CPU with memory protection
    /// keys (where they cannot be read, as these facts were read) and on one without: what to say with a refusal.
    public var executeOnlyNote: String?

    public static let pieFlag: UInt64 = 0x0800_0000
    public static let noOpenFlag: UInt64 = 0x40

    /// What a well-formed shared object reads as (the default for facts built in code).
    public init(
        osABI: UInt8 = 0, abiVersion: UInt8 = 0, identPaddingIsZero: Bool = true, fileVersion: UInt32 = 1, objectType: UInt16 = 3,
        loadSegments: [LoadSegment] = [LoadSegment(index: 0, offset: 0, address: 0, alignment: 0x1000)],
        dynamicFileSizes: [UInt64] = [0x150], flags1: UInt64 = 0, versionNeedRecordVersion: UInt16? = nil,
        versionDefinitionRecordVersion: UInt16? = nil, needHashMismatches: [HashMismatch] = [], definitionHashMismatches: [HashMismatch] = [],
        failedAssertion: String? = nil, unreadTables: [String] = [], mappingLength: UInt64 = 0x4000, usesRelr: Bool = false,
        holeBeforeFirstLoadEnd: Bool = false
    ) {
        self.holeBeforeFirstLoadEnd = holeBeforeFirstLoadEnd
        self.osABI = osABI
        self.abiVersion = abiVersion
        self.identPaddingIsZero = identPaddingIsZero
        self.fileVersion = fileVersion
        self.objectType = objectType
        self.loadSegments = loadSegments
        self.dynamicFileSizes = dynamicFileSizes
        self.flags1 = flags1
        self.versionNeedRecordVersion = versionNeedRecordVersion
        self.versionDefinitionRecordVersion = versionDefinitionRecordVersion
        self.needHashMismatches = needHashMismatches
        self.definitionHashMismatches = definitionHashMismatches
        self.failedAssertion = failedAssertion
        self.unreadTables = unreadTables
        self.mappingLength = mappingLength
        self.usesRelr = usesRelr
    }

    public var isPIE: Bool { flags1 & Self.pieFlag != 0 }
    public var isNoOpen: Bool { flags1 & Self.noOpenFlag != 0 }

    /// The System V ELF hash (`_dl_elf_hash`, glibc elf/dl-hash.h) that `vna_hash` and `vd_hash` hold.
    public static func elfHash(_ name: some Sequence<UInt8>) -> UInt32 {
        var hash: UInt32 = 0
        for byte in name {
            hash = (hash << 4) &+ UInt32(byte)
            let high = hash & 0xF000_0000
            if high != 0 { hash ^= high >> 24 }
            hash &= ~high
        }
        return hash
    }
}
