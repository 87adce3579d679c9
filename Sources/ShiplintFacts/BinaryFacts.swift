/// A native binary found in an artifact (or a file named like one), with the facts read from its headers.
public struct Binary: Sendable {
    /// Path inside the artifact; for a single-file artifact, the file's name.
    public let path: String
    public let size: Int64
    /// Unix mode as stored, when the container records one.
    public let mode: UInt32?
    /// Nil when the file could not be read as a binary; `problem` then says why.
    public let facts: BinaryFacts?
    public let problem: String?
    /// For a link judged by what it points to (an extractor writes the link, the runtime loads the target): the
    /// target's path in the artifact.
    public var linkTarget: String?

    public init(path: String, size: Int64, mode: UInt32?, facts: BinaryFacts?, problem: String?) {
        self.path = path
        self.size = size
        self.mode = mode
        self.facts = facts
        self.problem = problem
    }

    /// The last path component (of the innermost archive for nested paths).
    public var fileName: String {
        let inner = path.split(separator: "!").last.map(String.init) ?? path
        return inner.split(separator: "/").last.map(String.init) ?? inner
    }
}

public enum BinaryFormat: String, Sendable, Codable {
    case elf, pe, macho
    case machoFat = "macho-fat"
}

public enum ByteOrder: String, Sendable, Codable {
    case little, big
}

public enum BinaryFacts: Sendable {
    case elf(ElfFacts)
    case pe(PEFacts)
    case macho(MachOFacts)

    public var format: BinaryFormat {
        switch self {
        case .elf: .elf
        case .pe: .pe
        case .macho(let facts): facts.isFat ? .machoFat : .macho
        }
    }

    /// Architecture in one vocabulary for every format: `x86_64`, `aarch64`, `i386`, …; fat Mach-O joins slices with `+`.
    public var arch: String {
        switch self {
        case .elf(let facts): facts.arch
        case .pe(let facts): facts.arch
        case .macho(let facts): facts.slices.map(\.arch).joined(separator: "+")
        }
    }

    /// Libraries the binary asks the loader for: DT_NEEDED, PE imports, Mach-O LC_LOAD_DYLIB (union over slices).
    public var needed: [String] {
        switch self {
        case .elf(let facts): return facts.needed
        case .pe(let facts): return facts.imports
        case .macho(let facts):
            var seen = Set<String>()
            return facts.slices.flatMap(\.loadDylibs).filter { seen.insert($0).inserted }
        }
    }
}

/// One `Verneed` entry: the versions a binary needs from one file (`libc.so.6`: `GLIBC_2.2.5`, `GLIBC_2.28`).
public struct VersionNeed: Sendable, Equatable {
    public let file: String
    public let names: [String]

    public init(file: String, names: [String]) {
        self.file = file
        self.names = names
    }
}

/// One entry of the dynamic symbol table (DT_SYMTAB), with its version from DT_VERSYM: what the loader binds.
public struct DynamicSymbol: Sendable, Equatable, Hashable {
    public enum Kind: String, Sendable {
        case function, object, tls, other
    }

    public let name: String
    /// `GLIBC_2.28` for an import needing that node, or the node an export is defined under; nil when unversioned.
    public let version: String?
    /// For an import with a version: the file whose Verneed names it (`libc.so.6`); nil otherwise.
    public let versionFile: String?
    /// True for an export (defined here, st_shndx != SHN_UNDEF), false for an import.
    public let isDefined: Bool
    public let isWeak: Bool
    public let kind: Kind

    public init(name: String, version: String?, versionFile: String?, isDefined: Bool, isWeak: Bool, kind: Kind) {
        self.name = name
        self.version = version
        self.versionFile = versionFile
        self.isDefined = isDefined
        self.isWeak = isWeak
        self.kind = kind
    }
}

/// A dynamic symbol table, held compactly: the names of all symbols in one byte buffer, one 12-byte record per
/// symbol (where its name is, its interned version, its flags), each version string once. A large C++ library has
/// hundreds of thousands of long mangled names; one `String` (a heap object) per name and per version cost tens of MB
/// (issue #10: peak memory). Read as a collection of `DynamicSymbol` values, made when asked for.
public struct DynamicSymbols: RandomAccessCollection, Sendable, Equatable {
    struct Record: Sendable, Equatable {
        let nameStart: UInt32
        let nameLength: UInt32
        /// 0: unversioned; else 1 + an index into `versions`.
        let version: UInt16
        /// Bit 0 defined, bit 1 weak, bits 2-3 the kind.
        let flags: UInt8
    }

    struct Version: Sendable, Equatable, Hashable {
        let name: String
        let file: String?
    }

    private var names: [UInt8] = []
    private var records: [Record] = []
    private var versions: [Version] = []

    public init() {}

    public init(_ symbols: some Sequence<DynamicSymbol>) {
        var builder = Builder()
        for symbol in symbols {
            let version = symbol.version.map { builder.version(name: $0, file: symbol.versionFile) } ?? 0
            var name = symbol.name
            name.withUTF8 { builder.append(name: UnsafeRawBufferPointer($0), version: version, isDefined: symbol.isDefined, isWeak: symbol.isWeak, kind: symbol.kind) }
        }
        self = builder.finish()
    }

    /// Builds a table symbol by symbol; versions are interned.
    public struct Builder {
        private var table = DynamicSymbols()
        private var known: [Version: UInt16] = [:]

        /// `count` symbols whose names total about `nameBytes` (the string table's size is a good bound).
        public init(reservingCapacity count: Int = 0, nameBytes: Int = 0) {
            table.records.reserveCapacity(count)
            table.names.reserveCapacity(nameBytes)
        }

        /// The version's handle for `append` (nil `file` for a definition); 0 when more than 65,535 are interned.
        public mutating func version(name: String, file: String?) -> UInt16 {
            let key = Version(name: name, file: file)
            if let index = known[key] { return index }
            guard table.versions.count < Int(UInt16.max) else { return 0 }
            table.versions.append(key)
            let index = UInt16(table.versions.count)
            known[key] = index
            return index
        }

        /// Names kept where they are in `names` (a string table as read, shared, not copied): when the table is most
        /// of what was read, copying its names out would hold it twice while the copy is made.
        public init(reservingCapacity count: Int, sharing names: [UInt8]) {
            table.records.reserveCapacity(count)
            table.names = names
        }

        /// A symbol whose name lies at `range` of the shared names (see `init(reservingCapacity:sharing:)`).
        public mutating func append(nameAt range: Range<Int>, version: UInt16, isDefined: Bool, isWeak: Bool, kind: DynamicSymbol.Kind) {
            table.records.append(Record(
                nameStart: UInt32(truncatingIfNeeded: range.lowerBound), nameLength: UInt32(truncatingIfNeeded: range.count),
                version: version, flags: Self.flags(isDefined: isDefined, isWeak: isWeak, kind: kind)))
        }

        private static func flags(isDefined: Bool, isWeak: Bool, kind: DynamicSymbol.Kind) -> UInt8 {
            let kindBits: UInt8
            switch kind {
            case .function: kindBits = 0
            case .object: kindBits = 1
            case .tls: kindBits = 2
            case .other: kindBits = 3
            }
            return (isDefined ? 1 : 0) | (isWeak ? 2 : 0) | kindBits << 2
        }

        /// `name` is the symbol's name as the string table holds it (UTF-8, without its NUL). `version` is 0 for an
        /// unversioned symbol or a handle from `version(name:file:)`; for a definition its file is not kept.
        public mutating func append(name: UnsafeRawBufferPointer, version: UInt16, isDefined: Bool, isWeak: Bool, kind: DynamicSymbol.Kind) {
            let start = table.names.count
            table.names.append(contentsOf: name)
            table.records.append(Record(
                nameStart: UInt32(truncatingIfNeeded: start), nameLength: UInt32(truncatingIfNeeded: name.count), version: version,
                flags: Self.flags(isDefined: isDefined, isWeak: isWeak, kind: kind)))
        }

        public func finish() -> DynamicSymbols { table }
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { records.count }

    public subscript(position: Int) -> DynamicSymbol {
        let record = records[position]
        let version = record.version == 0 ? nil : versions[Int(record.version) - 1]
        let defined = record.flags & 1 != 0
        let kind: DynamicSymbol.Kind
        switch record.flags >> 2 & 3 {
        case 0: kind = .function
        case 1: kind = .object
        case 2: kind = .tls
        default: kind = .other
        }
        return DynamicSymbol(
            name: name(record), version: version?.name, versionFile: defined ? nil : version?.file, isDefined: defined,
            isWeak: record.flags & 2 != 0, kind: kind)
    }

    private func name(_ record: Record) -> String {
        names.withUnsafeBufferPointer { buffer in
            String(decoding: UnsafeBufferPointer(rebasing: buffer[Int(record.nameStart)..<Int(record.nameStart) + Int(record.nameLength)]), as: UTF8.self)
        }
    }

    /// The symbols for which `defined` is `isDefined`, sharing this table's names (no copy of them).
    func selecting(defined: Bool) -> DynamicSymbols {
        var selected = self
        selected.records = records.filter { ($0.flags & 1 != 0) == defined }
        return selected
    }

    /// True when a symbol defined (or not) here has a name whose UTF-8 bytes pass `test`; no symbol is made.
    public func containsName(defined: Bool, _ test: (UnsafeRawBufferPointer) -> Bool) -> Bool {
        names.withUnsafeBytes { buffer in
            records.contains { record in
                (record.flags & 1 != 0) == defined
                    && test(UnsafeRawBufferPointer(rebasing: buffer[Int(record.nameStart)..<Int(record.nameStart) + Int(record.nameLength)]))
            }
        }
    }

    /// The names of the symbols defined (or not) here, weak ones too unless `strongOnly`, whose UTF-8 bytes pass
    /// `test`: only those become strings (a check after a few names of thousands).
    public func names(defined: Bool, strongOnly: Bool = false, where test: (UnsafeRawBufferPointer) -> Bool) -> [String] {
        names.withUnsafeBytes { buffer in
            records.compactMap { record in
                guard (record.flags & 1 != 0) == defined, !strongOnly || record.flags & 2 == 0 else { return nil }
                let bytes = UnsafeRawBufferPointer(rebasing: buffer[Int(record.nameStart)..<Int(record.nameStart) + Int(record.nameLength)])
                return test(bytes) ? String(decoding: bytes, as: UTF8.self) : nil
            }
        }
    }

    /// Calls `body` with the name bytes, version (for an import: with the file whose Verneed names it) and weakness
    /// of every symbol defined (or not) here, making no string of a name: a check that hashes thousands of names
    /// (undefined-symbol) keeps no copy of them.
    public func forEach(
        defined: Bool, _ body: (_ name: UnsafeRawBufferPointer, _ version: String?, _ versionFile: String?, _ isWeak: Bool) -> Void
    ) {
        names.withUnsafeBytes { buffer in
            for record in records where (record.flags & 1 != 0) == defined {
                let version = record.version == 0 ? nil : versions[Int(record.version) - 1]
                body(
                    UnsafeRawBufferPointer(rebasing: buffer[Int(record.nameStart)..<Int(record.nameStart) + Int(record.nameLength)]),
                    version?.name, defined ? nil : version?.file, record.flags & 2 != 0)
            }
        }
    }

    /// Symbols counted without making them.
    public var definedCount: Int { records.reduce(0) { $0 + Int($1.flags & 1) } }

    /// Equal when they list the same symbols in the same order, however each table was built.
    public static func == (lhs: DynamicSymbols, rhs: DynamicSymbols) -> Bool {
        if lhs.names == rhs.names && lhs.records == rhs.records && lhs.versions == rhs.versions { return true }
        return lhs.count == rhs.count && zip(lhs, rhs).allSatisfy { $0 == $1 }
    }
}

/// Printed and mirrored as the list of symbols it holds, whatever its storage.
extension DynamicSymbols: CustomDebugStringConvertible, CustomReflectable {
    public var debugDescription: String { Array(self).debugDescription }
    public var customMirror: Mirror { Mirror(self, unlabeledChildren: Array(self), displayStyle: .collection) }
}

extension DynamicSymbols: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: DynamicSymbol...) {
        self.init(elements)
    }
}

/// Which C library an ELF was built for, as its loader path, DT_NEEDED and notes show.
public enum LibcIdentity: String, Sendable, Codable {
    case glibc, musl
    /// Android's Bionic: loader `/system/bin/linker64`, `libc.so` without a version, an `.note.android.ident` note.
    case bionic
    /// No loader and no libc needed: a static executable, or an object that needs no C library.
    case none
    /// Needs a C library this reader cannot name.
    case unknown
}

/// What the loader searches with, read from an ELF file whose other tables were not read (a limit of shiplint's reader,
/// or a cap): its identity, DT_NEEDED, DT_SONAME, DT_RPATH and DT_RUNPATH. The load graph walks through such a file to
/// the libraries it needs, with its own paths, as ld.so does (elf/dl-load.c _dl_map_object searches the DT_RPATH of
/// every object in the load chain); what it would provide (symbols, versions) stays unverified.
public struct ElfLinks: Sendable, Equatable {
    public let bits: Int
    public let byteOrder: ByteOrder
    public let machine: UInt16
    public let needed: [String]
    public let soname: String?
    public let rpath: [String]
    public let runpath: [String]

    public init(bits: Int, byteOrder: ByteOrder, machine: UInt16, needed: [String], soname: String?, rpath: [String], runpath: [String]) {
        self.bits = bits
        self.byteOrder = byteOrder
        self.machine = machine
        self.needed = needed
        self.soname = soname
        self.rpath = rpath
        self.runpath = runpath
    }
}

public struct ElfFacts: Sendable, Equatable {
    public enum ObjectType: String, Sendable {
        case none, rel, exec, dyn, core, other
    }

    public let bits: Int
    public let byteOrder: ByteOrder
    /// `e_machine`, and its name (`x86_64`, `aarch64`, `i386`, `s390x`, … or `machine-N`).
    public let machine: UInt16
    public let arch: String
    public let osABI: String
    public let type: ObjectType
    public let interpreter: String?
    public let needed: [String]
    public let soname: String?
    public let rpath: [String]
    public let runpath: [String]
    /// PF_X on PT_GNU_STACK; nil when there is no PT_GNU_STACK (the loader then assumes an executable stack on most arches).
    public let executableStack: Bool?
    public let versionNeeds: [VersionNeed]
    /// Version definitions (`.gnu.version_d`), without the base entry that names the file itself.
    public let versionDefinitions: [String]
    /// x86 ISA levels from GNU_PROPERTY_X86_ISA_1_NEEDED (`x86-64-baseline`, `x86-64-v2`, …), empty when absent.
    public let x86ISANeeded: [String]
    /// The dynamic symbol table in table order, without the null entry (empty when the binary has none).
    public let symbols: DynamicSymbols
    /// The Android API level from an `.note.android.ident` note (PT_NOTE, name "Android", type 1); nil without one.
    public let androidAPILevel: Int?
    /// For a legacy Node.js addon that registers from a constructor: `nm_version` of the `struct node_module` it
    /// passes to `node_module_register`, found through the relocations of its pointers; nil when not found.
    public let nodeModuleVersion: Int?
    /// What ld.so checks before and while mapping the file (identity, type, segments, version records).
    public let loader: ElfLoaderFacts

    public init(
        bits: Int, byteOrder: ByteOrder, machine: UInt16, arch: String, osABI: String, type: ObjectType,
        interpreter: String?, needed: [String], soname: String?, rpath: [String], runpath: [String],
        executableStack: Bool?, versionNeeds: [VersionNeed], versionDefinitions: [String], x86ISANeeded: [String],
        symbols: DynamicSymbols = [], androidAPILevel: Int? = nil, nodeModuleVersion: Int? = nil, loader: ElfLoaderFacts = ElfLoaderFacts()
    ) {
        self.bits = bits
        self.byteOrder = byteOrder
        self.machine = machine
        self.arch = arch
        self.osABI = osABI
        self.type = type
        self.interpreter = interpreter
        self.needed = needed
        self.soname = soname
        self.rpath = rpath
        self.runpath = runpath
        self.executableStack = executableStack
        self.versionNeeds = versionNeeds
        self.versionDefinitions = versionDefinitions
        self.x86ISANeeded = x86ISANeeded
        self.symbols = symbols
        self.androidAPILevel = androidAPILevel
        self.nodeModuleVersion = nodeModuleVersion
        self.loader = loader
    }

    /// Facts with the symbols given as values (checks' examples and tests build them so).
    public init(
        bits: Int, byteOrder: ByteOrder, machine: UInt16, arch: String, osABI: String, type: ObjectType,
        interpreter: String?, needed: [String], soname: String?, rpath: [String], runpath: [String],
        executableStack: Bool?, versionNeeds: [VersionNeed], versionDefinitions: [String], x86ISANeeded: [String],
        symbols: [DynamicSymbol], androidAPILevel: Int? = nil, nodeModuleVersion: Int? = nil, loader: ElfLoaderFacts = ElfLoaderFacts()
    ) {
        self.init(
            bits: bits, byteOrder: byteOrder, machine: machine, arch: arch, osABI: osABI, type: type, interpreter: interpreter,
            needed: needed, soname: soname, rpath: rpath, runpath: runpath, executableStack: executableStack,
            versionNeeds: versionNeeds, versionDefinitions: versionDefinitions, x86ISANeeded: x86ISANeeded,
            symbols: DynamicSymbols(symbols), androidAPILevel: androidAPILevel, nodeModuleVersion: nodeModuleVersion, loader: loader)
    }

    /// The same facts with other loader facts.
    public func replacingLoader(_ loader: ElfLoaderFacts) -> ElfFacts {
        ElfFacts(
            bits: bits, byteOrder: byteOrder, machine: machine, arch: arch, osABI: osABI, type: type, interpreter: interpreter,
            needed: needed, soname: soname, rpath: rpath, runpath: runpath, executableStack: executableStack,
            versionNeeds: versionNeeds, versionDefinitions: versionDefinitions, x86ISANeeded: x86ISANeeded,
            symbols: symbols, androidAPILevel: androidAPILevel, nodeModuleVersion: nodeModuleVersion, loader: loader)
    }

    /// The C library, with the evidence in words (`needs libc.so.6`, `loader /system/bin/linker64`).
    public var libcEvidence: (libc: LibcIdentity, evidence: String) {
        if let level = androidAPILevel { return (.bionic, "an Android note (API level \(level))") }
        if let loader = interpreter {
            if loader.hasPrefix("/system/bin/linker") { return (.bionic, "the Android loader \(loader)") }
            if loader.contains("ld-musl-") { return (.musl, "the musl loader \(loader)") }
        }
        if let library = needed.first(where: { $0.hasPrefix("libc.musl-") }) { return (.musl, "needs \(library)") }
        if needed.contains("libc.so.6") || needed.contains("libc.so.6.1") { return (.glibc, "needs libc.so.6") }
        if let loader = interpreter, loader.contains("ld-linux") || loader.contains("ld64.so") {
            return (.glibc, "the glibc loader \(loader)")
        }
        if needed.contains("libc.so") {
            // Unversioned libc.so is musl's soname and Bionic's; glibc's C library is always libc.so.6. Bionic's other
            // libraries have unversioned names too (musl has no separate libm/libdl/liblog), so they tell Android
            // apart when there is no note. This comes before version nodes: musl's libgcc_s defines GLIBC_2.0 too.
            if let android = needed.first(where: { ElfFacts.bionicOnly.contains($0) }) {
                return (.bionic, "needs libc.so and \(android)")
            }
            return (.musl, "needs libc.so")
        }
        // GLIBC_ nodes needed from glibc's own libraries (libm.so.6, libpthread.so.0 …). A node's name alone says
        // nothing: libgcc_s, bundled or not, defines GLIBC_2.0 on several architectures, whatever its C library.
        if let need = versionNeeds.first(where: { ElfFacts.isGlibcLibrary($0.file) && $0.names.contains { $0.hasPrefix("GLIBC_") } }) {
            return (.glibc, "needs GLIBC_ versions from \(need.file)")
        }
        if interpreter == nil && needed.isEmpty { return (.none, "no loader and no libraries needed") }
        return (.unknown, "")
    }

    public var libc: LibcIdentity { libcEvidence.libc }

    /// A soname of glibc itself (`libc.so.6`, `libm.so.6`, `libpthread.so.0`, `ld-linux-aarch64.so.1` …): the files
    /// whose GLIBC_ version nodes say the binary was linked against glibc.
    public static func isGlibcLibrary(_ soname: String) -> Bool {
        if soname.hasPrefix("ld-linux") || soname.hasPrefix("ld64.so") { return true }
        let parts = soname.split(separator: ".", omittingEmptySubsequences: false)
        guard let so = parts.firstIndex(of: "so"), so > 0, so < parts.count - 1 else { return false }
        return glibcLibraries.contains(parts[..<so].joined(separator: "."))
    }

    static let glibcLibraries: Set<String> = [
        "libc", "libm", "libpthread", "libdl", "librt", "libresolv", "libutil", "libanl", "libmvec", "libnsl",
        "libBrokenLocale", "libcrypt", "libnss_files", "libnss_dns", "libthread_db", "libc_malloc_debug",
    ]

    /// Android system libraries with unversioned sonames; glibc and musl have no such files.
    static let bionicOnly: Set<String> = ["libm.so", "libdl.so", "liblog.so", "libandroid.so", "libc++_shared.so"]

    /// Symbols the binary needs from elsewhere (undefined in its dynamic symbol table).
    public var importedSymbols: DynamicSymbols { symbols.selecting(defined: false) }
    /// Symbols the binary offers (`PyInit_*`, `napi_register_module_v1`, `node_register_module_v108` …).
    public var exportedSymbols: DynamicSymbols { symbols.selecting(defined: true) }

    /// The highest version needed per tracked family (`GLIBC`, `GLIBCXX`, `CXXABI`, `GCC`), compared numerically.
    public var maxVersions: [String: VersionNumber] {
        var highest: [String: VersionNumber] = [:]
        for need in versionNeeds {
            for name in need.names {
                guard let symbolVersion = SymbolVersion(name), SymbolVersion.trackedFamilies.contains(symbolVersion.family)
                else { continue }
                if let current = highest[symbolVersion.family], current >= symbolVersion.version { continue }
                highest[symbolVersion.family] = symbolVersion.version
            }
        }
        return highest
    }

    /// The highest needed version of one family, with the file that defines it (`GLIBC_2.28` from `libc.so.6`).
    public func highestNeed(family: String) -> (version: VersionNumber, file: String)? {
        var best: (version: VersionNumber, file: String)?
        for need in versionNeeds {
            for name in need.names {
                guard let symbolVersion = SymbolVersion(name), symbolVersion.family == family else { continue }
                if let current = best, current.version >= symbolVersion.version { continue }
                best = (symbolVersion.version, need.file)
            }
        }
        return best
    }
}

public struct PEFacts: Sendable, Equatable {
    public let machine: UInt16
    public let arch: String
    public let bits: Int
    public let isDLL: Bool
    /// Imported DLL names, in import-table order.
    public let imports: [String]
    /// A .NET assembly of IL only (a CLI header whose flags say `COMIMAGE_FLAGS_ILONLY`): managed code, which the
    /// .NET runtime compiles on any OS and architecture; no Windows native code to judge.
    public let isManaged: Bool

    public init(machine: UInt16, arch: String, bits: Int, isDLL: Bool, imports: [String], isManaged: Bool = false) {
        self.machine = machine
        self.arch = arch
        self.bits = bits
        self.isDLL = isDLL
        self.imports = imports
        self.isManaged = isManaged
    }
}

public struct MachOSlice: Sendable, Equatable {
    public let cpuType: Int32
    public let cpuSubtype: Int32
    public let arch: String
    public let bits: Int
    public let byteOrder: ByteOrder
    /// `execute`, `dylib`, `bundle`, `object`, … or `filetype-N`.
    public let fileType: String
    public let loadDylibs: [String]
    /// From LC_BUILD_VERSION or LC_VERSION_MIN_*: `11.0`, nil when absent.
    public let minimumOS: String?
    public let platform: String?

    public init(
        cpuType: Int32, cpuSubtype: Int32, arch: String, bits: Int, byteOrder: ByteOrder, fileType: String,
        loadDylibs: [String], minimumOS: String?, platform: String?
    ) {
        self.cpuType = cpuType
        self.cpuSubtype = cpuSubtype
        self.arch = arch
        self.bits = bits
        self.byteOrder = byteOrder
        self.fileType = fileType
        self.loadDylibs = loadDylibs
        self.minimumOS = minimumOS
        self.platform = platform
    }
}

public struct MachOFacts: Sendable, Equatable {
    public let isFat: Bool
    public let slices: [MachOSlice]

    public init(isFat: Bool, slices: [MachOSlice]) {
        self.isFat = isFat
        self.slices = slices
    }
}
