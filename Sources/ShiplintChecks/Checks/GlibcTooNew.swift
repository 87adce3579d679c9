import ShiplintFacts

extension Check {
    public static let glibcTooNew = Check(
        id: "glibc-too-new",
        defaultSeverity: .error,
        summary: "An ELF needs a GLIBC_x.y version newer than the target's glibc",
        explanation: """
            Every glibc symbol a binary uses carries the glibc version that introduced it, and the binary records \
            the highest one it needs (`GLIBC_2.28`). The loader refuses a binary that needs a newer glibc than the \
            system has: `version 'GLIBC_2.28' not found (required by …)`. Amazon Linux 2 (python3.9–3.11, \
            nodejs18.x, java8.al2–java17, provided.al2) has glibc 2.26; Amazon Linux 2023 has 2.34. Wheels tagged \
            `manylinux_2_28` or newer, or anything built on a recent distribution, need more than Amazon Linux 2 has.

            Fix: use a build made for an older glibc (a `manylinux2014` wheel needs at most 2.17), pin the last \
            release of the package that published one, build it in the public.ecr.aws/sam/build-<runtime> image, \
            or move the function to a runtime on Amazon Linux 2023.
            """,
        examples: [
            CheckExample("GLIBC_2.28 on Amazon Linux 2", binary: SampleBinary.elf("cryptography/hazmat/bindings/_rust.abi3.so", versionNeeds: [VersionNeed(file: "libc.so.6", names: ["GLIBC_2.17", "GLIBC_2.28"])]), target: "aws-lambda-python3.11-x86_64", fires: true),
            CheckExample("GLIBC_2.28 on Amazon Linux 2023", binary: SampleBinary.elf("cryptography/hazmat/bindings/_rust.abi3.so", versionNeeds: [VersionNeed(file: "libc.so.6", names: ["GLIBC_2.28"])]), target: "aws-lambda-python3.13-x86_64", fires: false),
            CheckExample("2.2.5 is older than 2.17", binary: SampleBinary.elf("pkg/_mod.abi3.so", versionNeeds: [VersionNeed(file: "libc.so.6", names: ["GLIBC_2.2.5", "GLIBC_PRIVATE"])]), target: "manylinux2014-x86_64", fires: false),
        ]
    ) { context in
        guard context.target.platform.libc == .glibc, case .elf(let elf)? = context.binary.facts,
            let need = elf.highestNeed(family: "GLIBC"), need.version > context.target.platform.libcVersion
        else { return nil }
        return Verdict(
            "needs GLIBC_\(need.version) (from \(need.file)), \(context.target.runtimeLabel) has \(context.target.platform.libcVersion)",
            fix: InstallAdvice.olderGlibc(context.target), fact: "GLIBC_\(need.version)")
    }
}
