import ShiplintFacts
import ShiplintTargets

/// What glibc's ld.so refuses when it maps a library or module, per glibc version, from glibc's own sources
/// (git tags glibc-2.17 … glibc-2.41): `open_verify` and `_dl_map_object_from_fd` in elf/dl-load.c,
/// `_dl_check_map_versions` in elf/dl-version.c, VALID_ELF_OSABI / VALID_ELF_ABIVERSION in sysdeps/gnu/ldsodefs.h and
/// LIBC_ABI_MAX from the `libc-abis` file (scripts/gen-libc-abis numbers its lines per architecture). Each refusal is
/// the loader's own message, with the rule and the version it comes from.
struct GlibcLoaderRules {
    let version: VersionNumber
    let arch: TargetArchitecture

    /// How the file is loaded: `dlopen` (an extension module, a Node addon) or as a DT_NEEDED dependency.
    enum Mode {
        case dlopen, dependency
    }

    struct Refusal {
        /// The loader's message, as dlerror() prints it.
        let message: String
        /// Which rule of which glibc, in words.
        let rule: String
        let fix: String
    }

    static let rebuildFix = "Rebuild or re-download the package: the file was damaged or edited by a tool after linking."
    static let sharedFix = "Link it with -shared (a shared library or extension module), not as a program; a PIE executable cannot be loaded into a process."

    private func atLeast(_ text: String) -> Bool { version >= VersionNumber(text)! }

    /// LIBC_ABI_MAX: EI_ABIVERSION must be below it for ELFOSABI_GNU. libc-abis lists UNIQUE (every arch), IFUNC (x86_64,
    /// i386, powerpc, sparc since 2.12; riscv since 2.33) and ABSOLUTE (every arch, since 2.28), after LIBC_ABI_DEFAULT 0.
    var abiVersionLimit: Int {
        var count = 2  // DEFAULT, UNIQUE
        let hasIFUNC: Bool
        switch arch {
        case .x86_64, .i386, .ppc64le: hasIFUNC = true
        case .aarch64, .s390x: hasIFUNC = false
        }
        if hasIFUNC { count += 1 }
        if atLeast("2.28") { count += 1 }
        return count
    }

    /// The most memory a Lambda function's machine has (10,240 MB).
    static let largestLambdaMemory: UInt64 = 10_240 << 20

    /// The first refusal ld.so makes, in its order: identity, e_version, e_type, the PT_LOAD alignment, no PT_LOAD,
    /// an executable, no dynamic section, DF_1_PIE / DF_1_NOOPEN, then the version records.
    func refusal(_ elf: ElfFacts, mode: Mode, fileName: String) -> Refusal? {
        let loader = elf.loader
        return identityRefusal(loader) ?? typeRefusal(loader) ?? segmentRefusal(loader) ?? assertionRefusal(loader)
            ?? flagRefusal(loader, mode: mode) ?? versionRefusal(elf, fileName: fileName) ?? relocationRefusal(loader)
    }

    /// A DT_RELA of 0: glibc 2.36 and later skip it (elf/dynamic-link.h `_ELF_DYNAMIC_DO_RELOC`, with DT_RELR support);
    /// older ones add the load address to it (elf/get-dynamic-info.h) and apply the ELF header as relocations.
    private func relocationRefusal(_ loader: ElfLoaderFacts) -> Refusal? {
        guard let refusal = loader.relaAtZeroRefusal, !atLeast("2.36") else { return nil }
        return Refusal(
            message: refusal,
            rule: "its DT_RELA is 0: glibc before 2.36 adds the load address to it like any table address (elf/get-dynamic-info.h) and applies DT_RELASZ bytes of the ELF header as relocations (elf/dynamic-link.h); glibc 2.36 and later take a DT_RELA of 0 for no table",
            fix: Self.rebuildFix)
    }

    private func identityRefusal(_ loader: ElfLoaderFacts) -> Refusal? {
        // sysdeps/gnu/ldsodefs.h: VALID_ELF_OSABI accepts ELFOSABI_SYSV (0) and ELFOSABI_GNU (3).
        if loader.osABI != 0 && loader.osABI != 3 {
            return Refusal(
                message: "ELF file OS ABI invalid",
                rule: "EI_OSABI is \(loader.osABI) (\(ElfOSABIName.of(loader.osABI))); glibc on Linux accepts 0 (System V) and 3 (GNU) only (VALID_ELF_OSABI, sysdeps/gnu/ldsodefs.h)", fix: "Rebuild it with a Linux toolchain for glibc (EI_OSABI 0 or 3); a tool such as brandelf may have rewritten its header.")
        }
        if loader.abiVersion != 0 {
            let limit = abiVersionLimit
            if loader.osABI != 3 {
                return Refusal(
                    message: "ELF file ABI version invalid",
                    rule: "EI_ABIVERSION is \(loader.abiVersion) with EI_OSABI 0 (System V), which allows only 0 (VALID_ELF_ABIVERSION, sysdeps/gnu/ldsodefs.h)", fix: Self.rebuildFix)
            }
            if Int(loader.abiVersion) >= limit {
                return Refusal(
                    message: "ELF file ABI version invalid",
                    rule: "EI_ABIVERSION is \(loader.abiVersion); glibc \(version) on \(arch.rawValue) accepts 0 to \(limit - 1) with EI_OSABI 3 (GNU) (LIBC_ABI_MAX from libc-abis\(atLeast("2.28") ? "" : "; ABSOLUTE, one more, came in glibc 2.28"))", fix: Self.rebuildFix)
            }
        }
        if !loader.identPaddingIsZero {
            return Refusal(message: "nonzero padding in e_ident", rule: "bytes 9 to 15 of e_ident must be zero (open_verify, elf/dl-load.c)", fix: Self.rebuildFix)
        }
        if loader.fileVersion != 1 {
            return Refusal(
                message: "ELF file version does not match current one",
                rule: "e_version is \(loader.fileVersion), EV_CURRENT is 1 (open_verify, elf/dl-load.c)", fix: Self.rebuildFix)
        }
        return nil
    }

    private func typeRefusal(_ loader: ElfLoaderFacts) -> Refusal? {
        guard loader.objectType != 3 && loader.objectType != 2 else { return nil }
        let name = [0: "ET_NONE", 1: "ET_REL, an object file", 4: "ET_CORE, a core dump"][Int(loader.objectType)] ?? "unknown"
        return Refusal(
            message: "only ET_DYN and ET_EXEC can be loaded",
            rule: "e_type is \(loader.objectType) (\(name)) (open_verify, elf/dl-load.c)", fix: "Ship the shared library itself, linked with -shared, not an object file or a core dump.")
    }

    private func segmentRefusal(_ loader: ElfLoaderFacts) -> Refusal? {
        let page: UInt64 = 4096
        for load in loader.loadSegments {
            if atLeast("2.35") {
                // glibc 2.35 checks the offset against the page size, no longer against p_align.
                if (load.address &- load.offset) & (page - 1) != 0 {
                    return Refusal(
                        message: "ELF load command address/offset not page-aligned",
                        rule: "PT_LOAD \(load.index): p_vaddr 0x\(String(load.address, radix: 16)) and p_offset 0x\(String(load.offset, radix: 16)) differ by a multiple of no page (glibc 2.35 and later: (p_vaddr - p_offset) % 4096 must be 0)", fix: Self.rebuildFix)
                }
            } else {
                if load.alignment & (page - 1) != 0 {
                    return Refusal(
                        message: "ELF load command alignment not page-aligned",
                        rule: "PT_LOAD \(load.index): p_align 0x\(String(load.alignment, radix: 16)) is not a multiple of the 4096-byte page (glibc before 2.35)", fix: Self.rebuildFix)
                }
                if (load.address &- load.offset) & (load.alignment &- 1) != 0 {
                    return Refusal(
                        message: "ELF load command address/offset not properly aligned",
                        rule: "PT_LOAD \(load.index): p_vaddr 0x\(String(load.address, radix: 16)) and p_offset 0x\(String(load.offset, radix: 16)) are not congruent modulo p_align 0x\(String(load.alignment, radix: 16)) (glibc before 2.35)", fix: Self.rebuildFix)
                }
            }
        }
        // One mmap reserves the whole span: more than the 47-bit user address space (or a span that wraps) fails, and
        // so does an empty one (mmap of 0 bytes).
        if !loader.loadSegments.isEmpty, loader.mappingLength > 0x7FFF_FFFF_F000 || loader.mappingLength == 0 {
            return Refusal(
                message: "failed to map segment from shared object",
                rule: "its PT_LOAD segments span 0x\(String(loader.mappingLength, radix: 16)) bytes of address space (the last one's end less the first one's start, in header order), more than a process has (elf/dl-map-segments.h)",
                fix: Self.rebuildFix)
        }
        // The zero fill of a writable segment is private writable memory the kernel accounts for when it is mapped:
        // under the default overcommit heuristic (mm/util.c __vm_enough_memory) a mapping larger than the machine's
        // memory and swap fails with ENOMEM. A Lambda function's machine has at most 10,240 MB.
        if loader.largestWritableZeroFill > Self.largestLambdaMemory {
            return Refusal(
                message: "cannot map zero-fill pages",
                rule: "a writable PT_LOAD asks for 0x\(String(loader.largestWritableZeroFill, radix: 16)) bytes of zero fill past its file bytes (p_memsz), more than the 10,240 MB of memory the largest Lambda function has: the kernel refuses the anonymous mapping (elf/dl-map-segments.h)",
                fix: Self.rebuildFix)
        }
        if loader.loadSegments.isEmpty {
            return Refusal(message: "object file has no loadable segments", rule: "no PT_LOAD program header (elf/dl-load.c)", fix: Self.rebuildFix)
        }
        if loader.objectType == 2 {
            return Refusal(
                message: "cannot dynamically load executable",
                rule: "e_type is ET_EXEC, an executable linked at a fixed address: ld.so maps only ET_DYN objects into a running process (elf/dl-load.c)", fix: Self.sharedFix)
        }
        let sizes = loader.dynamicFileSizes
        let noDynamic: Bool
        if atLeast("2.35") {
            noDynamic = sizes.isEmpty || sizes.contains(0)
        } else if atLeast("2.27") {
            noDynamic = !sizes.contains { $0 > 0 }
        } else {
            noDynamic = sizes.isEmpty
        }
        if noDynamic {
            return Refusal(
                message: "object file has no dynamic section",
                rule: sizes.isEmpty ? "no PT_DYNAMIC program header" : "a PT_DYNAMIC with p_filesz 0, as in a separate debuginfo file (glibc \(atLeast("2.35") ? "2.35 and later refuse any such segment" : "2.27 to 2.34 skip it"))",
                fix: "Ship the library itself, not its separate debuginfo file (`objcopy --only-keep-debug` output), and link it with -shared.")
        }
        // elf/dl-map-segments.h: with holes between the segments, the rest of the reservation after the first one is
        // made inaccessible up to the last one's start.
        if loader.holeBeforeFirstLoadEnd {
            return atLeast("2.36")
                ? Refusal(
                    message: "ELF load command address/offset not page-aligned",
                    rule: "its PT_LOAD segments leave holes and the last one starts below the first one's end (glibc 2.36 and later check it, BZ #28838, elf/dl-map-segments.h)", fix: Self.rebuildFix)
                : Refusal(
                    message: "cannot change memory protections",
                    rule: "its PT_LOAD segments leave holes and the last one starts below the first one's end: ld.so asks mprotect for a negative length, which fails (elf/dl-map-segments.h before glibc 2.36)", fix: Self.rebuildFix)
        }
        return nil
    }

    private func flagRefusal(_ loader: ElfLoaderFacts, mode: Mode) -> Refusal? {
        // elf/dl-load.c since glibc 2.30 (commit "dlopen: Reject PIE objects"): DF_1_PIE is refused unless ld.so itself
        // runs the program; DF_1_NOOPEN refuses dlopen (every version).
        if loader.isPIE && atLeast("2.30") {
            return Refusal(
                message: "cannot dynamically load position-independent executable",
                rule: "DT_FLAGS_1 has DF_1_PIE: a program linked with -pie, not a shared library (refused since glibc 2.30)", fix: Self.sharedFix)
        }
        if loader.isNoOpen && mode == .dlopen {
            return Refusal(
                message: "shared object cannot be dlopen()ed",
                rule: "DT_FLAGS_1 has DF_1_NOOPEN (linked with -z nodlopen)", fix: "Relink it without -z nodlopen, or let another library load it as a dependency instead of importing it.")
        }
        return nil
    }

    /// The loader of this architecture, in every process: what a version need may name besides the file's own needs.
    private var alwaysLoaded: Set<String> {
        ["libc.so.6", arch == .aarch64 ? "ld-linux-aarch64.so.1" : "ld-linux-x86-64.so.2"]
    }

    private func assertionRefusal(_ loader: ElfLoaderFacts) -> Refusal? {
        guard let assertion = loader.failedAssertion else { return nil }
        return Refusal(
            message: "Inconsistency detected by ld.so: get-dynamic-info.h: elf_get_dynamic_info: Assertion `\(assertion)' failed!",
            rule: "the dynamic table's relocation entries are inconsistent; ld.so asserts on them and the process exits (elf/get-dynamic-info.h)",
            fix: Self.rebuildFix)
    }

    private func versionRefusal(_ elf: ElfFacts, fileName: String) -> Refusal? {
        let loader = elf.loader
        // _dl_check_map_versions finds the object each Verneed names among those loaded (find_needed), and asserts it
        // found one: a vn_file that is none of the file's own DT_NEEDED, its SONAME or what every process has.
        // "" is the main program's name in its link map; an object's own SONAME is not one of its names (_dl_name_match_p).
        let known = Set(elf.needed).union(alwaysLoaded).union([""])
        if let need = elf.versionNeeds.first(where: { !known.contains($0.file) }) {
            return Refusal(
                message: "Inconsistency detected by ld.so: dl-version.c: _dl_check_map_versions: Assertion `needed != NULL' failed!",
                rule: "a version need names \(need.file) (vn_file), which is not among its DT_NEEDED libraries nor loaded in every process; ld.so asserts that it finds it loaded and the process exits (elf/dl-version.c)",
                fix: Self.rebuildFix)
        }
        // elf/dl-version.c and elf/dl-reloc.c since glibc 2.36: DT_RELR is applied only by a loader that knows it,
        // which the object says by needing GLIBC_ABI_DT_RELR: one Vernaux record (of any vn_file, weak or not) whose
        // vna_hash is 0xfd0e42 and whose name is that sets l_dt_relr_ref; others named so with another hash do not
        // take it away.
        let relrNeeds = elf.versionNeeds.reduce(0) { $0 + $1.names.filter { $0 == "GLIBC_ABI_DT_RELR" }.count }
        let relrNeedsWithOtherHash = loader.needHashMismatches.filter { $0.name == "GLIBC_ABI_DT_RELR" }.count
        if loader.usesRelr, atLeast("2.36"), relrNeeds <= relrNeedsWithOtherHash {
            return Refusal(
                message: "DT_RELR without GLIBC_ABI_DT_RELR dependency",
                rule: "it has DT_RELR relocations but no need of GLIBC_ABI_DT_RELR (glibc 2.36 and later)",
                fix: Self.rebuildFix)
        }
        if let record = loader.versionNeedRecordVersion {
            return Refusal(
                message: "unsupported version \(record) of Verneed record",
                rule: "vn_version of the first DT_VERNEED record must be 1 (_dl_check_map_versions, elf/dl-version.c)", fix: Self.rebuildFix)
        }
        // A version named "" (a Vernaux whose vna_name is an empty string, its vna_hash 0, the ELF hash of "") is one no
        // library defines: match_symbol finds no Verdef of that name (elf/dl-version.c).
        if let need = elf.versionNeeds.first(where: { $0.file != "" && $0.names.contains("") }) {
            return Refusal(
                message: "\(need.file): version `' not found (required by \(fileName))",
                rule: "a version need from \(need.file) names the empty string (vna_name), a version no library defines (match_symbol, elf/dl-version.c)",
                fix: Self.rebuildFix)
        }
        // A need of "" is a need of the main program (its link map's name), matched by match_symbol only when the program
        // has version definitions: an interpreter (python3, node) has none, and the need is granted (elf/dl-version.c).
        if let mismatch = loader.needHashMismatches.first(where: { !$0.isWeak && $0.file != "" }), let file = mismatch.file {
            return Refusal(
                message: "version `\(mismatch.name)' not found (required by \(fileName))",
                rule: "its need of \(mismatch.name) from \(file) carries vna_hash 0x\(String(mismatch.found, radix: 16)), not the name's ELF hash 0x\(String(mismatch.expected, radix: 16)); ld.so compares the hashes before the names (match_symbol, elf/dl-version.c)", fix: Self.rebuildFix)
        }
        return nil
    }
}

/// EI_OSABI values by name (the ELF gABI list).
enum ElfOSABIName {
    static func of(_ value: UInt8) -> String {
        let names: [UInt8: String] = [
            0: "System V", 1: "HP-UX", 2: "NetBSD", 3: "GNU", 6: "Solaris", 7: "AIX", 8: "IRIX", 9: "FreeBSD", 10: "Tru64",
            11: "Novell Modesto", 12: "OpenBSD", 13: "OpenVMS", 64: "ARM EABI", 97: "ARM", 255: "standalone",
        ]
        return names[value] ?? "unknown"
    }
}
