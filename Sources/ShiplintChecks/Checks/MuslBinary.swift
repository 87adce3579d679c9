import ShiplintTargets
import ShiplintFacts

/// Why an ELF is musl-linked, or nil: musllinux wheels need plain `libc.so` (musl's libc is its loader) or
/// `libc.musl-<arch>.so.1`; executables name the musl loader. glibc binaries always need libc.so.6; Android (Bionic)
/// binaries also need plain `libc.so` and are `android-binary`, not musl.
func muslEvidence(_ elf: ElfFacts) -> String? {
    let identity = elf.libcEvidence
    return identity.libc == .musl ? identity.evidence : nil
}

extension Check {
    public static let muslBinary = Check(
        id: "musl-binary",
        defaultSeverity: .error,
        summary: "An ELF linked against musl (Alpine) on a glibc target",
        explanation: """
            The file was built for musl libc (Alpine Linux, `musllinux` wheels): it needs `libc.musl-<arch>.so.1` \
            (plain `libc.so` in musllinux wheels) or the `/lib/ld-musl-*.so.1` loader. Amazon Linux runs glibc and has neither, so loading fails with \
            `cannot open shared object file` (or `No such file or directory` for an executable).

            Fix: on a Lambda target, install the `manylinux` wheel instead of the `musllinux` one (build outside \
            Alpine, or pass `--platform manylinux2014_x86_64` to pip), and build executables against glibc. On \
            a manylinux (wheel-policy) target, build the wheel in the policy's quay.io/pypa/manylinux image, not \
            on Alpine, or check it against a musllinux target instead.
            """,
        examples: [
            CheckExample("a musllinux extension", binary: SampleBinary.elf("pkg/_mod.cpython-313-x86_64-linux-musl.so", needed: ["libc.musl-x86_64.so.1"], versionNeeds: []), target: "aws-lambda-python3.13-x86_64", fires: true, at: "pkg/_mod.cpython-313-x86_64-linux-musl.so", mentions: "needs libc.musl-x86_64.so.1"),
            CheckExample("a musllinux wheel's module (needs libc.so)", binary: SampleBinary.elf("pydantic_core/_pydantic_core.cpython-313-x86_64-linux-musl.so", needed: ["libgcc_s-1e52349c.so.1", "libc.so"], versionNeeds: []), target: "aws-lambda-python3.13-x86_64", fires: true, at: "pydantic_core/_pydantic_core.cpython-313-x86_64-linux-musl.so", mentions: "built for musl libc: needs libc.so;"),
            CheckExample("a musllinux module needing GLIBC_2.0 from its bundled libgcc_s", binary: SampleBinary.elf("pydantic_core/_pydantic_core.cpython-313-aarch64-linux-musl.so", arch: "aarch64", machine: 183, needed: ["libgcc_s-e52197c3.so.1", "libc.so"], versionNeeds: [VersionNeed(file: "libgcc_s-e52197c3.so.1", names: ["GCC_3.0", "GLIBC_2.0"])]), target: "aws-lambda-python3.13-arm64", fires: true, at: "pydantic_core/_pydantic_core.cpython-313-aarch64-linux-musl.so", mentions: "built for musl libc: needs libc.so;"),
            CheckExample("glibc through libm.so.6 alone", binary: SampleBinary.elf("pkg/_mod.so", needed: ["libm.so.6"], versionNeeds: [VersionNeed(file: "libm.so.6", names: ["GLIBC_2.2.5"])]), target: "aws-lambda-python3.13-x86_64", fires: false),
            CheckExample("a musl executable", binary: SampleBinary.elf("bootstrap", needed: [], interpreter: "/lib/ld-musl-x86_64.so.1", versionNeeds: []), target: "aws-lambda-provided.al2023-x86_64", fires: true, at: "bootstrap", mentions: "the musl loader /lib/ld-musl-x86_64.so.1"),
            CheckExample("glibc", binary: SampleBinary.elf("bootstrap", interpreter: "/lib64/ld-linux-x86-64.so.2"), target: "aws-lambda-provided.al2023-x86_64", fires: false),
            CheckExample("musl on a musl target", binary: SampleBinary.elf("pkg/_mod.so", needed: ["libc.musl-x86_64.so.1"], versionNeeds: []), target: "musllinux_1_2-x86_64", fires: false),
        ]
    ) { context in
        guard case .elf(let elf)? = context.binary.facts, context.runtime.libc.kind == .glibc,
            let evidence = muslEvidence(elf)
        else { return nil }
        return Verdict(
            "built for musl libc: \(evidence); \(context.target.runtimeLabel) has glibc \(context.runtime.libc.version) and no musl",
            fix: context.target.kind == .wheelPolicy
                ? "Build the wheel against glibc, not on Alpine: \(context.advice.buildWheel(sentenceStart: false)) A musllinux wheel is checked with a musllinux target."
                : context.runtime.python != nil
                ? "Install the manylinux wheel instead of the musllinux one: `\(context.advice.pip())`."
                : "Rebuild it against glibc (not on Alpine), or link it fully statically.",
            fact: "musl")
    }
}
