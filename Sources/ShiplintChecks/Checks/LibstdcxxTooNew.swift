import ShiplintTargets
import ShiplintFacts

extension Check {
    public static let libstdcxxTooNew = Check(
        id: "libstdcxx-too-new",
        defaultSeverity: .error,
        summary: "An ELF needs GLIBCXX / CXXABI / GCC versions beyond the runtime's libstdc++ / libgcc_s",
        explanation: """
            C++ code built with a newer GCC needs version nodes (`GLIBCXX_3.4.30`, `CXXABI_1.3.13`, `GCC_12.0.0`) \
            that the runtime's own libstdc++.so.6 or libgcc_s.so.1 does not define: `version 'GLIBCXX_3.4.30' not \
            found`. Amazon Linux 2 ships libstdc++ 6.0.24 (GCC 7: GLIBCXX_3.4.24, CXXABI_1.3.11); Amazon Linux 2023 \
            ships 6.0.33 (GCC 14). It fires only when the library resolves to the runtime's copy: a newer copy \
            bundled with the package and found first (through RPATH `$ORIGIN/…`) is fine, and is then checked by \
            `missing-symbol-version` and, for its own glibc needs, by `glibc-too-new`.

            On a wheel-policy target the judgement is auditwheel's: every `GLIBCXX_*`, `CXXABI_*` and `GCC_*` node \
            must be in the set the policy table lists for the binary's architecture, whichever copy of the library \
            it resolves to (auditwheel counts the needs of every ELF in the wheel).

            Fix: on a Lambda target, use a build made with an older toolchain (manylinux2014 wheels use one that \
            links the newer parts statically), or bundle a newer libstdc++.so.6 with the binary and point its RPATH \
            at it. On a wheel-policy target, build the wheel in the policy's quay.io/pypa image, whose GCC \
            links the newer parts statically, and run `auditwheel repair`.
            """,
        examples: [
            CheckExample("GLIBCXX_3.4.30 on Amazon Linux 2", binary: SampleBinary.elf("pkg/_cxx.cpython-311-x86_64-linux-gnu.so", needed: ["libstdc++.so.6", "libc.so.6"], versionNeeds: [VersionNeed(file: "libstdc++.so.6", names: ["CXXABI_1.3.13", "GLIBCXX_3.4.30"])]), target: "aws-lambda-python3.11-x86_64", fires: true, at: "pkg/_cxx.cpython-311-x86_64-linux-gnu.so", mentions: "needs GLIBCXX_3.4.30, CXXABI_1.3.13 (from libstdc++.so.6)"),
            CheckExample("GLIBCXX_3.4.21 is not in manylinux2014's set", binary: SampleBinary.elf("pkg/_cxx.abi3.so", needed: ["libstdc++.so.6", "libc.so.6"], versionNeeds: [VersionNeed(file: "libstdc++.so.6", names: ["GLIBCXX_3.4", "GLIBCXX_3.4.21"])]), target: "manylinux2014-x86_64", fires: true, at: "pkg/_cxx.abi3.so", mentions: "needs GLIBCXX_3.4.21"),
            CheckExample("CXXABI_TM_1 is", binary: SampleBinary.elf("pkg/_cxx.abi3.so", needed: ["libstdc++.so.6", "libc.so.6"], versionNeeds: [VersionNeed(file: "libstdc++.so.6", names: ["CXXABI_1.3", "CXXABI_TM_1"])]), target: "manylinux2014-x86_64", fires: false),
            CheckExample("GLIBCXX_3.4.30 on Amazon Linux 2023", binary: SampleBinary.elf("pkg/_cxx.cpython-313-x86_64-linux-gnu.so", needed: ["libstdc++.so.6", "libc.so.6"], versionNeeds: [VersionNeed(file: "libstdc++.so.6", names: ["GLIBCXX_3.4.30"])]), target: "aws-lambda-python3.13-x86_64", fires: false),
            CheckExample(
                "a newer libstdc++ bundled and found through RPATH",
                subject: .deployment(
                    function: Artifact(
                        path: "function.zip", kind: .zip,
                        entries: [
                            ArtifactEntry(path: "pkg/_cxx.abi3.so", size: 1, mode: 0o100644, type: .file),
                            ArtifactEntry(path: "pkg.libs/libstdc++.so.6", size: 1, mode: 0o100644, type: .file),
                        ],
                        binaries: [
                            SampleBinary.elf("pkg/_cxx.abi3.so", needed: ["libstdc++.so.6"], rpath: ["$ORIGIN/../pkg.libs"], versionNeeds: [VersionNeed(file: "libstdc++.so.6", names: ["GLIBCXX_3.4.30"])]),
                            SampleBinary.library("pkg.libs/libstdc++.so.6", soname: "libstdc++.so.6", definitions: ["GLIBCXX_3.4", "GLIBCXX_3.4.30"]),
                        ],
                        problems: []),
                    layers: []),
                target: "aws-lambda-python3.11-x86_64", fires: false),
        ],
        judgement: .perDeployment { context in
            context.artifacts.flatMap { artifact in
                artifact.binaries.compactMap { binary -> LocatedVerdict? in
                    guard case .elf(let elf)? = binary.facts else { return nil }
                    // A bundled copy found first replaces the runtime's; missing-symbol-version judges it.
                    func bundled(_ file: String) -> Bool {
                        switch context.loadGraph.resolution(of: file, neededBy: artifact.path, path: binary.path) {
                        case .bundled?, .alreadyLoaded?: true
                        default: false
                        }
                    }
                    if let policy = context.target.wheelPolicy {
                        // A wheel policy allows the exact sets its table lists for the arch. As in auditwheel, every
                        // need of every ELF counts, even on a copy bundled in the wheel: the policy bounds the build.
                        let found = policy.disallowed(in: elf, families: ["GLIBCXX", "CXXABI", "GCC"])
                        guard !found.isEmpty else { return nil }
                        return LocatedVerdict(
                            artifact: artifact.path, path: binary.path,
                            verdict: Verdict(
                                disallowedMessage(found, policy: policy, target: context.target),
                                fix: "\(context.advice.buildWheel()) Its GCC links the newer C++ runtime parts statically, so the wheel needs only the versions the policy allows.",
                                fact: found.map(\.node).joined(separator: ", ")))
                    }
                    var over: [String] = []
                    var ceilings: [String] = []
                    var files: [String] = []
                    for family in ["GLIBCXX", "CXXABI", "GCC"] {
                        guard let ceiling = context.target.symbolVersions[family], let need = elf.highestNeed(family: family),
                            need.version > ceiling
                        else { continue }
                        if bundled(need.file) { continue }
                        over.append("\(family)_\(need.version)")
                        ceilings.append("\(family)_\(ceiling)")
                        if !files.contains(need.file) { files.append(need.file) }
                    }
                    guard !over.isEmpty else { return nil }
                    return LocatedVerdict(
                        artifact: artifact.path, path: binary.path,
                        verdict: Verdict(
                            "needs \(over.joined(separator: ", ")) (from \(files.joined(separator: ", "))); \(context.target.runtimeLabel) has at most \(ceilings.joined(separator: ", "))",
                            fix: "Use a build made with an older GCC (a manylinux2014 wheel, or the public.ecr.aws/sam/build-\(context.target.platform.runtime ?? "provided.al2") image), or bundle a libstdc++.so.6 that defines \(over.joined(separator: ", ")) next to the binary and set its RPATH to find it.", fact: over.joined(separator: " ")))
                }
            }
        })
}
