import ShiplintTargets
import ShiplintFacts

extension Check {
    public static let androidBinary = Check(
        id: "android-binary",
        defaultSeverity: .error,
        summary: "An ELF built for Android (Bionic libc) in an artifact for a Linux target",
        explanation: """
            The file was built for Android: its loader is `/system/bin/linker64`, it carries an \
            `.note.android.ident` note, or it needs Android's unversioned `libc.so` with `libdl.so` / `liblog.so` / \
            `libc++_shared.so`. Android's C library (Bionic) is neither glibc nor musl; a Linux system has no \
            Bionic and no Android loader, so loading fails with `cannot open shared object file` or \
            `No such file or directory`. Wheels tagged `android_24_arm64_v8a` (CPython 3.13+ on Android) hold such \
            files. It is never reported as `musl-binary`, although both need a plain `libc.so`.

            Fix: on a Lambda target, install the Linux build of the package (a manylinux wheel: \
            `pip install --platform manylinux2014_x86_64 --only-binary=:all: …`) instead of the Android one. On \
            a wheel-policy target, build the wheel for Linux in the policy's quay.io/pypa image, not with the \
            Android NDK.
            """,
        examples: [
            CheckExample(
                "an Android extension with the note",
                binary: SampleBinary.elf("spam.cpython-313-aarch64-linux-android.so", arch: "aarch64", machine: 183, needed: ["libc.so", "libdl.so"], versionNeeds: [], androidAPILevel: 24),
                target: "aws-lambda-python3.13-arm64", fires: true, at: "spam.cpython-313-aarch64-linux-android.so", mentions: "an Android note (API level 24)"),
            CheckExample(
                "libc++_shared.so from an Android wheel, without the note",
                binary: SampleBinary.elf("spam.libs/libc++_shared.so", arch: "aarch64", machine: 183, needed: ["libc.so", "libm.so", "libdl.so"], versionNeeds: []),
                target: "manylinux2014-aarch64", fires: true, at: "spam.libs/libc++_shared.so", mentions: "needs libc.so and libm.so"),
            CheckExample(
                "an Android executable",
                binary: SampleBinary.elf("bin/tool", arch: "aarch64", machine: 183, needed: ["libc.so"], interpreter: "/system/bin/linker64", versionNeeds: []),
                target: "aws-lambda-provided.al2023-arm64", fires: true, at: "bin/tool", mentions: "the Android loader /system/bin/linker64"),
            CheckExample(
                "a musllinux extension is musl, not Android",
                binary: SampleBinary.elf("pkg/_mod.cpython-313-x86_64-linux-musl.so", needed: ["libc.so"], versionNeeds: []),
                target: "aws-lambda-python3.13-x86_64", fires: false),
        ]
    ) { context in
        guard context.target.platform.os == "linux", case .elf(let elf)? = context.binary.facts else { return nil }
        let identity = elf.libcEvidence
        guard identity.libc == .bionic else { return nil }
        return Verdict(
            "built for Android (Bionic libc): \(identity.evidence); \(context.target.runtimeLabel) runs Linux with \(context.runtime.libc.kind.rawValue) and has no Android loader or libc",
            fix: context.target.kind == .wheelPolicy
                ? "Build it for Linux, not with the Android NDK: \(context.advice.buildWheel(sentenceStart: false))"
                : context.advice.rebuild(),
            fact: "bionic")
    }
}
