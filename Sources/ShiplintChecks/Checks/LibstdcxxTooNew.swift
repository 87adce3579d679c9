import ShiplintFacts

extension Check {
    public static let libstdcxxTooNew = Check(
        id: "libstdcxx-too-new",
        defaultSeverity: .error,
        summary: "An ELF needs GLIBCXX / CXXABI / GCC versions beyond the target's libstdc++ / libgcc_s",
        explanation: """
            C++ code built with a newer GCC needs version nodes (`GLIBCXX_3.4.30`, `CXXABI_1.3.13`, `GCC_12.0.0`) \
            that the runtime's own libstdc++.so.6 or libgcc_s.so.1 does not define: `version 'GLIBCXX_3.4.30' not \
            found`. Amazon Linux 2 ships libstdc++ 6.0.24 (GCC 7: GLIBCXX_3.4.24, CXXABI_1.3.11); Amazon Linux 2023 \
            ships 6.0.33 (GCC 14).

            Fix: use a build made with an older toolchain (manylinux2014 wheels use one that links the newer parts \
            statically), or bundle a newer libstdc++.so.6 with the binary and point its RPATH at it.
            """,
        examples: [
            CheckExample("GLIBCXX_3.4.30 on Amazon Linux 2", binary: SampleBinary.elf("pkg/_cxx.cpython-311-x86_64-linux-gnu.so", needed: ["libstdc++.so.6", "libc.so.6"], versionNeeds: [VersionNeed(file: "libstdc++.so.6", names: ["CXXABI_1.3.13", "GLIBCXX_3.4.30"])]), target: "aws-lambda-python3.11-x86_64", fires: true),
            CheckExample("GLIBCXX_3.4.30 on Amazon Linux 2023", binary: SampleBinary.elf("pkg/_cxx.cpython-313-x86_64-linux-gnu.so", needed: ["libstdc++.so.6", "libc.so.6"], versionNeeds: [VersionNeed(file: "libstdc++.so.6", names: ["GLIBCXX_3.4.30"])]), target: "aws-lambda-python3.13-x86_64", fires: false),
        ]
    ) { context in
        guard case .elf(let elf)? = context.binary.facts else { return nil }
        var over: [String] = []
        var ceilings: [String] = []
        var files: [String] = []
        for family in ["GLIBCXX", "CXXABI", "GCC"] {
            guard let ceiling = context.target.symbolVersions[family], let need = elf.highestNeed(family: family),
                need.version > ceiling
            else { continue }
            over.append("\(family)_\(need.version)")
            ceilings.append("\(family)_\(ceiling)")
            if !files.contains(need.file) { files.append(need.file) }
        }
        guard !over.isEmpty else { return nil }
        return Verdict(
            "needs \(over.joined(separator: ", ")) (from \(files.joined(separator: ", "))); \(context.target.runtimeLabel) has at most \(ceilings.joined(separator: ", "))",
            fix: "Use a build made with an older GCC (a manylinux2014 wheel, or the public.ecr.aws/sam/build-\(context.target.platform.runtime ?? "provided.al2") image), or bundle a libstdc++.so.6 that defines \(over.joined(separator: ", ")) next to the binary and set its RPATH to find it.")
    }
}
