import ShiplintTargets
import ShiplintFacts

extension Check {
    public static let wrongArch = Check(
        id: "wrong-arch",
        defaultSeverity: .error,
        summary: "An ELF whose machine, class or byte order differs from the target's",
        explanation: """
            The file is a Linux binary, but for another processor: an aarch64 (arm64) wheel in an x86_64 function, \
            or the reverse, or a 32-bit build. It happens when the package was installed on an Apple-silicon Mac in \
            a Linux container, on a Graviton CI runner, or when the function's architecture setting was changed \
            without rebuilding. The loader refuses it (`wrong ELF class` or `cannot open shared object file`).

            Fix: on a Lambda target, install the packages for the function's architecture (`--platform \
            manylinux2014_x86_64` or `manylinux2014_aarch64` with pip), or change the function's Architectures \
            setting to match the build. On a wheel-policy target, build the wheel on (or for) the policy's \
            architecture, in its quay.io/pypa image (`manylinux2014_aarch64` for aarch64), or check it against the \
            policy target of the architecture it was built for.
            """,
        examples: [
            CheckExample("aarch64 in an x86_64 function", binary: SampleBinary.elf("pydantic_core/_pydantic_core.cpython-313-aarch64-linux-gnu.so", arch: "aarch64", machine: 183), target: "aws-lambda-python3.13-x86_64", fires: true, at: "pydantic_core/_pydantic_core.cpython-313-aarch64-linux-gnu.so", mentions: "ELF for aarch64 (64-bit little endian); the target runs x86_64"),
            CheckExample("x86_64 in an arm64 function", binary: SampleBinary.elf("lib/libfoo.so.1"), target: "aws-lambda-provided.al2023-arm64", fires: true, at: "lib/libfoo.so.1", mentions: "ELF for x86_64 (64-bit little endian); the target runs aarch64"),
            CheckExample("32-bit x86", binary: SampleBinary.elf("lib/libold.so", arch: "i386", machine: 3, bits: 32), target: "aws-lambda-provided.al2023-x86_64", fires: true, at: "lib/libold.so", mentions: "ELF for i386 (32-bit little endian)"),
            CheckExample("matching arch", binary: SampleBinary.elf("lib/libfoo.so.1", arch: "aarch64", machine: 183), target: "aws-lambda-provided.al2023-arm64", fires: false),
        ]
    ) { context in
        guard case .elf(let elf)? = context.binary.facts else { return nil }
        let arch = context.runtime.architecture
        guard elf.machine != arch.elfMachine || elf.bits != arch.bits || elf.byteOrder != arch.byteOrder else { return nil }
        return Verdict(
            "ELF for \(elf.arch) (\(elf.bits)-bit \(elf.byteOrder.rawValue) endian); the target runs \(arch.rawValue) (\(arch.bits)-bit \(arch.byteOrder.rawValue) endian)",
            fix: context.target.kind == .wheelPolicy
                ? "Build the wheel for \(arch.rawValue) in the \(context.advice.wheelImage()) image, or check it against the \(context.target.platform.displayName) target for \(elf.arch)."
                : context.runtime.python != nil
                ? "Install the \(arch.rawValue) build: `\(context.advice.pip())`, or set the function's architecture to \(TargetArchitecture(spelling: elf.arch)?.lambdaName ?? elf.arch) to match the package."
                : "Rebuild it for \(arch.rawValue), or set the function's architecture to match the package.",
            fact: "\(elf.arch) \(elf.bits)-bit \(elf.byteOrder.rawValue)")
    }
}
