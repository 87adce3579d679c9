import ShiplintTargets
import ShiplintFacts

extension Check {
    public static let execStack = Check(
        id: "exec-stack",
        defaultSeverity: .warning,
        summary: "An ELF asks for an executable stack",
        explanation: """
            The binary's PT_GNU_STACK header asks for an executable stack, usually because one assembly file \
            lacked a `.note.GNU-stack` section. Loading it makes the whole process's stack executable, which \
            weakens memory protection; glibc 2.41 and newer refuse to `dlopen` such a library \
            (`cannot enable executable stack as shared object requires`), so it breaks on the next runtime.

            Fix: relink with `-Wl,-z,noexecstack`, or clear the flag on the built file with \
            `patchelf --clear-execstack FILE` (patchelf 0.18+) or `execstack -c FILE`. The same on a Lambda and a \
            wheel-policy target; for a wheel, fix the build and rebuild it rather than patching the file inside.
            """,
        examples: [
            CheckExample("RWX stack", binary: SampleBinary.elf("pkg/_fast.abi3.so", executableStack: true), target: "aws-lambda-python3.13-x86_64", fires: true, at: "pkg/_fast.abi3.so", mentions: "PT_GNU_STACK has PF_X"),
            CheckExample("RW stack", binary: SampleBinary.elf("pkg/_fast.abi3.so", executableStack: false), target: "aws-lambda-python3.13-x86_64", fires: false),
        ]
    ) { context in
        guard case .elf(let elf)? = context.binary.facts, elf.executableStack == true else { return nil }
        return Verdict(
            "asks for an executable stack (PT_GNU_STACK has PF_X); glibc 2.41+ refuses to load such libraries and it makes the process stack executable",
            fix: context.target.kind == .wheelPolicy
                ? "Relink with `-Wl,-z,noexecstack` (add it to the extension's linker flags) and rebuild the wheel; auditwheel does not clear the flag."
                : "Relink with `-Wl,-z,noexecstack`, or clear the flag: `patchelf --clear-execstack \(context.binary.fileName)`.",
            fact: "PT_GNU_STACK PF_X")
    }
}
