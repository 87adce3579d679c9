import ShiplintFacts
import ShiplintTargets

extension Check {
    public static let notLoadable = Check(
        id: "not-loadable",
        defaultSeverity: .error,
        summary: "A library or module the target's ld.so refuses to load (identity, type, segments, version records)",
        explanation: """
            The file is a readable ELF for the right machine, but glibc's dynamic loader refuses it before any code \
            runs, with one of its own messages: `ELF file OS ABI invalid` (EI_OSABI is not System V or GNU, e.g. a \
            FreeBSD build), `ELF file ABI version invalid` (an EI_ABIVERSION newer than the target's glibc knows), \
            `ELF file version does not match current one`, `only ET_DYN and ET_EXEC can be loaded` (an object file), \
            `cannot dynamically load executable` or `cannot dynamically load position-independent executable` (a \
            program shipped under a library's or module's name: a link that forgot `-shared`; PIE programs are \
            refused since glibc 2.30, so Amazon Linux 2 loads one that Amazon Linux 2023 refuses), `object file has \
            no dynamic section` (a separate debuginfo file), `ELF load command address/offset not page-aligned`, \
            `shared object cannot be dlopen()ed` (linked with `-z nodlopen`), `unsupported version N of Verneed \
            record`, and `version ... not found` when a version need's hash is not its name's (ld.so compares the \
            hashes first). It also says when ld.so dies relocating: an R_X86_64_TPOFF64 or R_X86_64_TLSDESC \
            relocation through a name puts the defining object's TLS block in the static TLS block, and an object \
            without a PT_TLS (CPython 3.11 and earlier, or the module itself) has a TLS alignment of 0 that glibc \
            divides by (SIGFPE); libc.so.6 and CPython 3.12 and later have one (`python.tls-segment` of the rule). \
            The rules are glibc's own for the target's glibc version, and the message says which \
            one applied. Programs (files not named as libraries or modules) are not judged here: the kernel, not \
            ld.so, loads them.

            Fix: rebuild the library with a Linux toolchain and `-shared`; ship the library, not its debuginfo or \
            the program; re-download a file damaged or edited by a tool after linking.
            """,
        examples: [
            CheckExample("FreeBSD OS ABI", binary: SampleBinary.elf("pkg/_m.cpython-313-x86_64-linux-gnu.so", loader: ElfLoaderFacts(osABI: 9)), target: "aws-lambda-python3.13-x86_64", fires: true, at: "pkg/_m.cpython-313-x86_64-linux-gnu.so", mentions: "ELF file OS ABI invalid"),
            CheckExample("ABI version 3 before glibc 2.28", binary: SampleBinary.elf("lib/libx.so.1", loader: ElfLoaderFacts(osABI: 3, abiVersion: 3)), target: "aws-lambda-python3.11-x86_64", fires: true, at: "lib/libx.so.1", mentions: "glibc 2.26 on x86_64 accepts 0 to 2"),
            CheckExample("ABI version 3 since glibc 2.28", binary: SampleBinary.elf("lib/libx.so.1", loader: ElfLoaderFacts(osABI: 3, abiVersion: 3)), target: "aws-lambda-python3.13-x86_64", fires: false),
            CheckExample("PIE program as a module", binary: SampleBinary.elf("pkg/x.cpython-313-x86_64-linux-gnu.so", loader: ElfLoaderFacts(flags1: ElfLoaderFacts.pieFlag)), target: "aws-lambda-python3.13-x86_64", fires: true, at: "pkg/x.cpython-313-x86_64-linux-gnu.so", mentions: "cannot dynamically load position-independent executable"),
            CheckExample("PIE program before glibc 2.30", binary: SampleBinary.elf("pkg/x.cpython-311-x86_64-linux-gnu.so", loader: ElfLoaderFacts(flags1: ElfLoaderFacts.pieFlag)), target: "aws-lambda-python3.11-x86_64", fires: false),
            CheckExample("ET_EXEC as a module", binary: SampleBinary.elf("pkg/x.cpython-313-x86_64-linux-gnu.so", loader: ElfLoaderFacts(objectType: 2)), target: "aws-lambda-python3.13-x86_64", fires: true, at: "pkg/x.cpython-313-x86_64-linux-gnu.so", mentions: "cannot dynamically load executable"),
            CheckExample("ET_EXEC program", binary: SampleBinary.elf("bootstrap", loader: ElfLoaderFacts(objectType: 2)), target: "aws-lambda-provided.al2023-x86_64", fires: false),
            CheckExample("need hash off by one bit", binary: SampleBinary.elf("lib/libx.so.1", loader: ElfLoaderFacts(needHashMismatches: [.init(file: "libc.so.6", name: "GLIBC_2.2.5", found: 0x09691A74, expected: 0x09691A75)])), target: "aws-lambda-python3.13-x86_64", fires: true, at: "lib/libx.so.1", mentions: "version `GLIBC_2.2.5' not found (required by libx.so.1)"),
            CheckExample("debuginfo file", binary: SampleBinary.elf("lib/libx.so.1", loader: ElfLoaderFacts(dynamicFileSizes: [0])), target: "aws-lambda-python3.13-x86_64", fires: true, at: "lib/libx.so.1", mentions: "object file has no dynamic section"),
            CheckExample("TLSDESC bound to CPython 3.11", binary: SampleBinary.elf("pkg/_m.cpython-311-x86_64-linux-gnu.so", loader: staticTLSLoader("PyModule_Create2")), target: "aws-lambda-python3.11-x86_64", fires: true, at: "pkg/_m.cpython-311-x86_64-linux-gnu.so", mentions: "defines PyModule_Create2, and the object that holds CPython has no TLS segment"),
            CheckExample("TLSDESC bound to CPython 3.13", binary: SampleBinary.elf("pkg/_m.cpython-313-x86_64-linux-gnu.so", loader: staticTLSLoader("PyModule_Create2")), target: "aws-lambda-python3.13-x86_64", fires: false),
            CheckExample("TLSDESC bound to libc", binary: SampleBinary.elf("pkg/_m.cpython-311-x86_64-linux-gnu.so", loader: staticTLSLoader("free", version: "GLIBC_2.2.5")), target: "aws-lambda-python3.11-x86_64", fires: false),
            CheckExample("a well-formed library", binary: SampleBinary.elf("lib/libx.so.1"), target: "aws-lambda-python3.13-x86_64", fires: false),
        ]
    ) { context in
        guard case .elf(let elf)? = context.binary.facts, context.target.platform.libc == .glibc,
            let mode = LoadMode.of(fileName: context.binary.fileName)
        else { return nil }
        // Another machine, class or byte order is `wrong-arch`'s finding.
        let arch = context.target.platform.arch
        guard elf.machine == arch.elfMachine, elf.bits == arch.bits, elf.byteOrder == arch.byteOrder else { return nil }
        let rules = GlibcLoaderRules(version: context.target.platform.libcVersion, arch: context.target.platform.arch)
        let how = mode == .dlopen ? "dlopen" : "ld.so"
        // Read with execute-only pages unreadable (a CPU with protection keys) where that changes the answer: said.
        let cpu = elf.loader.executeOnlyNote.map { " (\($0))" } ?? ""
        guard let refusal = rules.refusal(elf, mode: mode, fileName: context.binary.fileName) else {
            let fault = unreadWeakNeedFault(elf, target: context.target, how: how)
                ?? ownTableLookupFault(elf, target: context.target, how: how) ?? staticTLSFault(elf, target: context.target, how: how)
            return fault.map {
                Verdict($0.message + cpu, fix: $0.fix, fact: $0.fact, severity: $0.severity)
            }
        }
        return Verdict(
            "\(how) refuses it: \"\(refusal.message)\": \(refusal.rule); judged by glibc \(context.target.platform.libcVersion) (\(context.target.platform.displayName))\(cpu)",
            fix: refusal.fix, fact: refusal.message)
    }
}

/// A weak version need whose name runs past the mapping: match_symbol (elf/dl-version.c) compares the name (strcmp) only
/// after its vna_hash equals the hash of one of the needed file's version definitions; dlopen checks versions with
/// `verbose` 0, so a weak need no definition's hash matches is skipped unread. The needed file's definitions are the
/// target's (the version nodes of libc.so.6 and the other runtime libraries at its release, ELF-hashed); a file the
/// target does not describe could define any: the need is judged a fault, as ld.so reads the name if one matches.
private func unreadWeakNeedFault(_ elf: ElfFacts, target: TargetRuntime, how: String) -> Verdict? {
    for need in elf.loader.unreadWeakNeeds {
        let why: String
        if let library = target.providedLibrary(need.file), !library.versionNodes.isEmpty {
            guard let node = library.versionNodes.first(where: { ElfLoaderFacts.elfHash($0.utf8) == need.hash }) else { continue }
            why = "\(need.file) of \(target.platform.displayName) defines \(node), whose hash it has, so match_symbol (elf/dl-version.c) compares the name and reads past the mapping"
        } else {
            why = "shiplint does not know the version definitions of \(need.file) (a file the target does not describe); match_symbol (elf/dl-version.c) reads the name if one of them has its hash"
        }
        return Verdict("\(how) faults: \(need.reason): \(why) (SIGSEGV)", fix: GlibcLoaderRules.rebuildFix, fact: need.file)
    }
    return nil
}

/// A name a relocation looks up whose lookup in the object's own hash table reads outside the mapping faults only when
/// the lookup gets there: ld.so searches the global scope first (elf/dl-lookup.c _dl_lookup_symbol_x walks the scope
/// list: the program and what it loaded with it, libc.so.6 among them, then the object's own scope, the object first),
/// so a name libc.so.6 of the target defines with the version asked for (`__cxa_finalize@GLIBC_2.2.5`), or one the
/// target's CPython exports (for what a Python runtime loads; unversioned there, which answers a versioned reference
/// that is not hidden: `PyModule_Create2@GLIBC_2.14`), never reaches it.
private func ownTableLookupFault(_ elf: ElfFacts, target: TargetRuntime, how: String) -> Verdict? {
    let faults = elf.loader.ownTableLookupFaults
    guard !faults.isEmpty else { return nil }
    let libc = target.providedLibrary("libc.so.6")
    for fault in faults {
        var answers = [libc.map { target.presence(of: fault.name, version: fault.version, in: $0) } ?? .unknown]
        // CPython defines its API without a version (index 1, whose l_versions record has hash 0): check_match
        // (elf/dl-lookup.c) accepts that definition for a versioned reference too unless the need is hidden.
        let asksPython = target.python != nil && !fault.hidden
        if asksPython { answers.append(target.pythonPresence(of: fault.name)) }
        if answers.contains(.present) { continue }
        let asked = fault.name + (fault.version.map { "@" + $0 } ?? "")
        let scope = asksPython ? "libc.so.6 and CPython \(target.python!.version)" : "libc.so.6"
        let why = answers.allSatisfy({ $0 == .absent })
            ? "\(scope) of \(target.platform.displayName) do\(scope == "libc.so.6" ? "es" : "") not define \(asked), so the lookup gets past the global scope to the object's own table"
            : "shiplint has no table saying whether \(scope) of \(target.platform.displayName) define\(scope == "libc.so.6" ? "s" : "") \(asked), which would answer first"
        return Verdict(
            "\(how) faults: \(fault.reason); \(why) (elf/dl-lookup.c _dl_lookup_symbol_x searches the global scope, then the object)",
            fix: GlibcLoaderRules.rebuildFix, fact: asked)
    }
    return nil
}

/// Loader facts of a module whose DT_JMPREL entry 4 is an R_X86_64_TLSDESC through `name` (the examples).
private func staticTLSLoader(_ name: String, version: String? = nil) -> ElfLoaderFacts {
    var loader = ElfLoaderFacts()
    loader.staticTLSImports = [.init(name: name, version: version, relocation: "relocation 4 of DT_JMPREL (R_X86_64_TLSDESC)", definedHere: false)]
    return loader
}

/// An R_X86_64_TPOFF64 or R_X86_64_TLSDESC relocation through a name ld.so looks up puts the defining object's TLS
/// block in the static TLS block (elf_machine_rela, sysdeps/x86_64/dl-machine.h), and _dl_try_allocate_static_tls
/// (elf/dl-reloc.c) divides by that object's TLS alignment: 0 for an object without a PT_TLS, SIGFPE. The global scope
/// answers first (as for ownTableLookupFault): libc.so.6 has a PT_TLS and is in the static TLS block from the start
/// (no division); CPython's object has one or not (`python.tls-segment`, read by a capture: CPython 3.11's
/// libpython has none); under CPython, a name neither defines binds to the object's own definition. A definer
/// shiplint does not know (another library of the scope, a program's exports it has no table of) is not judged.
private func staticTLSFault(_ elf: ElfFacts, target: TargetRuntime, how: String) -> Verdict? {
    let libc = target.providedLibrary("libc.so.6")
    for reference in elf.loader.staticTLSImports {
        let inLibc = libc.map { target.presence(of: reference.name, version: reference.version, in: $0) } ?? .unknown
        if inLibc == .present { continue }
        let python = reference.hidden ? nil : target.python
        let inPython = python.map { _ in target.pythonPresence(of: reference.name) } ?? .absent
        let asked = reference.name + (reference.version.map { "@" + $0 } ?? "")
        let definer: String
        if let python, inPython == .present {
            guard python.tlsSegment == false else { continue }
            definer = "CPython \(python.version) of \(target.platform.displayName) defines \(asked), and the object that holds CPython has no TLS segment (python.tls-segment = false)"
        } else if let python, inLibc == .absent, inPython == .absent, reference.definedHere, elf.loader.tlsAlignment == 0 {
            // Only where the program's exports are known (CPython's): Node.js or a JVM may define the name first.
            definer = "neither libc.so.6 nor CPython \(python.version) of \(target.platform.displayName) defines \(asked), so it binds to the object's own definition, and the object has no TLS segment (no PT_TLS with a size and an alignment)"
        } else {
            continue
        }
        return Verdict(
            "\(how) dies: \(reference.relocation) places \(asked) in the static TLS block; \(definer): the loader divides by its TLS alignment of 0 (_dl_try_allocate_static_tls, elf/dl-reloc.c) and dies with SIGFPE",
            fix: GlibcLoaderRules.rebuildFix, fact: asked)
    }
    return nil
}

/// How a file is loaded, from its name: an extension module or Node addon is dlopen()ed, a `lib*.so*` is mapped as a
/// dependency (or dlopen()ed by name); anything else is a program, which the kernel loads (nil).
enum LoadMode {
    static func of(fileName name: String) -> GlibcLoaderRules.Mode? {
        let lower = name.lowercased()
        if lower.hasSuffix(".node") || ExtensionModuleName(fileName: name) != nil { return .dlopen }
        if lower.hasSuffix(".so") { return lower.hasPrefix("lib") ? .dependency : .dlopen }
        if let range = lower.lastRange(of: ".so.") {
            let tail = lower[range.upperBound...]
            if !tail.isEmpty && tail.allSatisfy({ $0.isNumber || $0 == "." }) { return .dependency }
        }
        return nil
    }
}
