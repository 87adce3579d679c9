import ShiplintFacts

extension Check {
    public static let corruptBinary = Check(
        id: "corrupt-binary",
        defaultSeverity: .error,
        summary: "A file that is, or is named as, a native binary and cannot be read",
        explanation: """
            The file starts like an ELF, PE or Mach-O binary but its headers point outside the file (it was \
            truncated by an interrupted download or copy, or damaged), or it is named like a native library \
            (`.so`, `.pyd`, `.dylib`, `.node`) but is something else: a Git LFS pointer, an HTML error page saved \
            as a wheel member, or a GNU ld script (`libc.so` is a text file on most distributions). The loader \
            fails with `invalid ELF header`, `file too short` or `ELF load command past end of file`.

            Fix: on a Lambda target, rebuild or re-download the package; never copy `lib*.so` linker scripts from a \
            build machine into a Lambda package; check that Git LFS files were fetched before packaging. On a \
            wheel-policy target, rebuild the wheel from a clean checkout (Git LFS files fetched) and let \
            `auditwheel repair` vendor real libraries rather than copying them by hand.
            """,
        examples: [
            CheckExample("truncated", binary: SampleBinary.unreadable("pkg/_mod.cpython-313-x86_64-linux-gnu.so", problem: "truncated: 40 bytes, shorter than the 64-bit ELF header (64 bytes)"), target: "aws-lambda-python3.13-x86_64", fires: true, at: "pkg/_mod.cpython-313-x86_64-linux-gnu.so", mentions: "truncated: 40 bytes"),
            CheckExample("readable", binary: SampleBinary.elf("pkg/_mod.cpython-313-x86_64-linux-gnu.so"), target: "aws-lambda-python3.13-x86_64", fires: false),
        ]
    ) { context in
        guard context.binary.facts == nil, let problem = context.binary.problem else { return nil }
        return Verdict(
            "cannot be read as a native binary: \(problem)",
            fix: "Rebuild or re-download the package this file came from; if it is not meant to be a library, rename or remove it.",
            fact: "unreadable")
    }
}
