import ShiplintTargets
import ShiplintFacts

extension Check {
    public static let glibcTooNew = Check(
        id: "glibc-too-new",
        defaultSeverity: .error,
        summary: "An ELF needs a GLIBC_x.y version newer than the target's glibc (on a wheel policy: outside its set)",
        explanation: """
            Every glibc symbol a binary uses carries the glibc version that introduced it, and the binary records \
            the highest one it needs (`GLIBC_2.28`). The loader refuses a binary that needs a newer glibc than the \
            system has: `version 'GLIBC_2.28' not found (required by …)`. Amazon Linux 2 (python3.9–3.11, \
            nodejs18.x, java8.al2–java17, provided.al2) has glibc 2.26; Amazon Linux 2023 has 2.34. Wheels tagged \
            `manylinux_2_28` or newer, or anything built on a recent distribution, need more than Amazon Linux 2 has.

            On a wheel-policy target the judgement is auditwheel's: every `GLIBC_*` node the binary needs must be in \
            the set the policy table lists for the binary's architecture (manylinux2014 allows `GLIBC_2.2.5` … \
            `GLIBC_2.17` on x86_64 but `GLIBC_2.0`, `GLIBC_2.17`, `GLIBC_2.18` on aarch64), so `GLIBC_PRIVATE` fails too.

            Fix: on a Lambda target, use a build made for an older glibc (a `manylinux2014` wheel needs at most \
            2.17), pin the last release of the package that published one, build it in the \
            public.ecr.aws/sam/build-<runtime> image, or move the function to a runtime on Amazon Linux 2023. \
            On a `provided` runtime (no Python wheels there): Rust with cargo-lambda's glibc target \
            (`cargo lambda build --target x86_64-unknown-linux-gnu.2.26`) or provided.al2023; Go with \
            `CGO_ENABLED=0`; C/C++ built in the runtime's own image. On a wheel-policy target, build the wheel in the policy's image (quay.io/pypa/manylinux2014_x86_64 \
            …) and run `auditwheel repair`, or tag it for a newer policy.
            """,
        examples: [
            CheckExample("GLIBC_2.28 on Amazon Linux 2", binary: SampleBinary.elf("cryptography/hazmat/bindings/_rust.abi3.so", versionNeeds: [VersionNeed(file: "libc.so.6", names: ["GLIBC_2.17", "GLIBC_2.28"])]), target: "aws-lambda-python3.11-x86_64", fires: true, at: "cryptography/hazmat/bindings/_rust.abi3.so", mentions: "needs GLIBC_2.28 (from libc.so.6), Amazon Linux 2 (python3.11) has 2.26"),
            CheckExample("GLIBC_2.28 on Amazon Linux 2023", binary: SampleBinary.elf("cryptography/hazmat/bindings/_rust.abi3.so", versionNeeds: [VersionNeed(file: "libc.so.6", names: ["GLIBC_2.28"])]), target: "aws-lambda-python3.13-x86_64", fires: false),
            CheckExample("2.2.5 is older than 2.17", binary: SampleBinary.elf("pkg/_mod.abi3.so", versionNeeds: [VersionNeed(file: "libc.so.6", names: ["GLIBC_2.2.5"])]), target: "manylinux2014-x86_64", fires: false),
            CheckExample("GLIBC_2.18 is in manylinux2014's aarch64 set", binary: SampleBinary.elf("pkg/_mod.abi3.so", arch: "aarch64", machine: 183, versionNeeds: [VersionNeed(file: "libc.so.6", names: ["GLIBC_2.17", "GLIBC_2.18"])]), target: "manylinux2014-aarch64", fires: false),
            CheckExample("GLIBC_2.18 is not in manylinux2014's x86_64 set", binary: SampleBinary.elf("pkg/_mod.abi3.so", versionNeeds: [VersionNeed(file: "libc.so.6", names: ["GLIBC_2.2.5", "GLIBC_2.18"])]), target: "manylinux2014-x86_64", fires: true, at: "pkg/_mod.abi3.so", mentions: "needs GLIBC_2.18 (from libc.so.6); the manylinux2014 x86_64 policy"),
            CheckExample("GLIBC_PRIVATE is in no policy's set", binary: SampleBinary.elf("pkg/_mod.abi3.so", versionNeeds: [VersionNeed(file: "libc.so.6", names: ["GLIBC_2.2.5", "GLIBC_PRIVATE"])]), target: "manylinux2014-x86_64", fires: true, at: "pkg/_mod.abi3.so", mentions: "needs GLIBC_PRIVATE"),
        ]
    ) { context in
        guard context.runtime.libc.kind == .glibc, case .elf(let elf)? = context.binary.facts else { return nil }
        // A wheel policy allows the exact set of GLIBC nodes its table lists for the arch (aarch64's has 2.18).
        if let policy = context.target.wheelPolicy, policy.symbolVersions["GLIBC"] != nil {
            let found = policy.disallowed(in: elf, families: ["GLIBC"])
            guard !found.isEmpty else { return nil }
            return Verdict(
                disallowedMessage(found, policy: policy, target: context.target),
                fix: context.advice.olderGlibc(), fact: found.map(\.node).joined(separator: ", "))
        }
        guard let need = elf.highestNeed(family: "GLIBC"), need.version > context.runtime.libc.version else { return nil }
        return Verdict(
            "needs GLIBC_\(need.version) (from \(need.file)), \(context.target.runtimeLabel) has \(context.runtime.libc.version)",
            fix: context.advice.olderGlibc(), fact: "GLIBC_\(need.version)")
    }
}
