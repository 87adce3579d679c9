import ShiplintTargets
import ShiplintFacts

extension Check {
    public static let blacklistedSymbol = Check(
        id: "blacklisted-symbol",
        defaultSeverity: .error,
        summary: "An ELF imports a symbol the wheel policy blacklists for that library",
        explanation: """
            pypa/auditwheel's policy table lists, per library, symbols a wheel may not import even though the \
            library is allowed: internal symbols that not every build of it exports (`zcalloc`, `zcfree`, \
            `_tr_flush_block` of `libz.so.1`; `__cxa_thread_atexit_impl` of glibc older than the policy). A wheel \
            that imports one loads on the build machine and fails elsewhere with `undefined symbol: zcalloc`, and \
            auditwheel gives it no manylinux tag (`linux_x86_64`). It fires on wheel-policy targets only, for a \
            library the binary needs (DT_NEEDED), matching the symbol's version file when it has one; a weak import \
            is optional and never counts.

            Fix: on a wheel-policy target, stop using the internal symbol (use the library's public API), or vendor \
            the library so the wheel carries the build it was linked against: build in the policy's quay.io/pypa \
            image and run `auditwheel repair`. On a Lambda target this check does not run: `missing-library` and \
            the loader's own checks judge what the runtime has.
            """,
        examples: [
            CheckExample(
                "zcalloc and zcfree from libz.so.1",
                binary: SampleBinary.elf(
                    "testzlib.cpython-310-x86_64-linux-gnu.so", needed: ["libz.so.1", "libc.so.6"],
                    symbols: SampleBinary.imports(["zcalloc@ZLIB_1.2.0", "zcfree@ZLIB_1.2.0", "inflate@ZLIB_1.2.0"], from: "libz.so.1")),
                target: "manylinux2014-x86_64", fires: true, at: "testzlib.cpython-310-x86_64-linux-gnu.so", mentions: "imports zcalloc, zcfree from libz.so.1"),
            CheckExample(
                "only zlib's public API",
                binary: SampleBinary.elf(
                    "testzlib.cpython-310-x86_64-linux-gnu.so", needed: ["libz.so.1", "libc.so.6"],
                    symbols: SampleBinary.imports(["inflate@ZLIB_1.2.0", "deflate@ZLIB_1.2.0"], from: "libz.so.1")),
                target: "manylinux2014-x86_64", fires: false),
            CheckExample(
                "a weak __cxa_thread_atexit_impl (optional, as in cryptography's wheels)",
                binary: SampleBinary.elf(
                    "cryptography/hazmat/bindings/_rust.abi3.so", needed: ["libc.so.6"],
                    symbols: [DynamicSymbol(name: "__cxa_thread_atexit_impl", version: nil, versionFile: nil, isDefined: false, isWeak: true, kind: .function)]),
                target: "manylinux2014-x86_64", fires: false),
            CheckExample(
                "a Lambda target has no blacklist",
                binary: SampleBinary.elf(
                    "testzlib.cpython-313-x86_64-linux-gnu.so", needed: ["libz.so.1", "libc.so.6"],
                    symbols: SampleBinary.imports(["zcalloc@ZLIB_1.2.0"], from: "libz.so.1")),
                target: "aws-lambda-python3.13-x86_64", fires: false),
        ]
    ) { context in
        guard let policy = context.target.wheelPolicy, case .elf(let elf)? = context.binary.facts else { return nil }
        let imports = elf.importedSymbols
        var hits: [(soname: String, symbols: [String])] = []
        // auditwheel checks the undefined symbols against the blacklist of each library the ELF needs; a weak import
        // is optional (the loader binds it to null when absent), so it is not one (auditwheel issue 663).
        for soname in elf.needed {
            guard let forbidden = policy.blacklist[soname] else { continue }
            var names: [String] = []
            for symbol in imports where !symbol.isWeak && forbidden.contains(symbol.name)
                && (symbol.versionFile == nil || symbol.versionFile == soname)
            {
                if !names.contains(symbol.name) { names.append(symbol.name) }
            }
            if !names.isEmpty { hits.append((soname, names.sorted())) }
        }
        guard !hits.isEmpty else { return nil }
        let listed = hits.map { "\($0.symbols.joined(separator: ", ")) from \($0.soname)" }.joined(separator: "; ")
        return Verdict(
            "imports \(listed), which \(context.target.policyLabel) (\(policy.name)) blacklists: internal symbols not every build of the library exports, so the import fails elsewhere with `undefined symbol: \(hits[0].symbols[0])`",
            fix: "Use the library's public API instead of \(hits.flatMap(\.symbols).joined(separator: ", ")), or vendor the library the extension was built against: \(context.advice.buildWheel(sentenceStart: false))",
            fact: hits.map { "\($0.soname): \($0.symbols.joined(separator: ", "))" }.joined(separator: "; "))
    }
}
