import ShiplintTargets
import ShiplintFacts

extension Check {
    public static let policySymbolVersion = Check(
        id: "policy-symbol-version",
        defaultSeverity: .error,
        summary: "An ELF needs a version node (ZLIB, LIBATOMIC, …) outside the wheel policy's set",
        explanation: """
            pypa/auditwheel's policy table lists, per policy and architecture, every version node a wheel may need \
            from the libraries the policy allows: besides glibc and the C++ runtime (judged by `glibc-too-new` and \
            `libstdcxx-too-new`) it lists `ZLIB_*` for `libz.so.1` and `LIBATOMIC_*` for `libatomic.so.1`. A node \
            outside the set means the wheel was linked against a newer library than the policy's oldest system \
            has: `version 'ZLIB_1.2.9' not found`. A family the table does not list is not judged, as in auditwheel. \
            It fires on wheel-policy targets only.

            Fix: on a wheel-policy target, build the wheel in the policy's quay.io/pypa image, whose libraries are \
            the policy's, and run `auditwheel repair`, which vendors a library the wheel needs a newer build of. \
            On a Lambda target this check does not run: `missing-symbol-version` judges what the loader finds.
            """,
        examples: [
            CheckExample(
                "ZLIB_1.2.9 is not in manylinux2014's set",
                binary: SampleBinary.elf("pkg/_z.abi3.so", needed: ["libz.so.1", "libc.so.6"], versionNeeds: [VersionNeed(file: "libz.so.1", names: ["ZLIB_1.2.0", "ZLIB_1.2.9"])]),
                target: "manylinux2014-x86_64", fires: true, at: "pkg/_z.abi3.so", mentions: "needs ZLIB_1.2.9 (from libz.so.1)"),
            CheckExample(
                "ZLIB_1.2.0 is",
                binary: SampleBinary.elf("pkg/_z.abi3.so", needed: ["libz.so.1", "libc.so.6"], versionNeeds: [VersionNeed(file: "libz.so.1", names: ["ZLIB_1.2.0"])]),
                target: "manylinux2014-x86_64", fires: false),
            CheckExample(
                "a family the table does not list",
                binary: SampleBinary.elf("pkg/_ssl.abi3.so", needed: ["libssl.so.3"], versionNeeds: [VersionNeed(file: "libssl.so.3", names: ["OPENSSL_3.0.0"])]),
                target: "manylinux2014-x86_64", fires: false),
        ]
    ) { context in
        guard let policy = context.target.wheelPolicy, case .elf(let elf)? = context.binary.facts else { return nil }
        let families = Set(policy.symbolVersions.keys).subtracting(["GLIBC", "GLIBCXX", "CXXABI", "GCC"])
        let found = policy.disallowed(in: elf, families: families)
        guard !found.isEmpty else { return nil }
        return Verdict(
            disallowedMessage(found, policy: policy, target: context.target),
            fix: context.advice.buildWheel(), fact: found.map(\.node).joined(separator: ", "))
    }
}
