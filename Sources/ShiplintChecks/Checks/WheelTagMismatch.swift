import ShiplintFacts
import ShiplintTargets

extension Check {
    public static let wheelTagMismatch = Check(
        id: "wheel-tag-mismatch",
        defaultSeverity: .warning,
        summary: "An installed Python distribution whose wheel tags do not fit the target (platform, Python version, ABI)",
        explanation: """
            pip records the tags of the wheel it installed in `<name>-<version>.dist-info/WHEEL` (`Tag: \
            cp313-cp313-manylinux_2_17_x86_64`). When no tag fits the function's runtime, the package was installed \
            for another machine: a Windows or macOS wheel (`win_amd64`, `macosx_11_0_arm64`), another CPU, another \
            Python (`cp312` in python3.13), a manylinux level newer than the runtime's glibc (`manylinux_2_38` on \
            Amazon Linux 2023's 2.34), or a plain `linux_x86_64` wheel built on one machine with no portability \
            promise. Pure-Python wheels (`py3-none-any`) fit everywhere. It is a warning: the native checks say \
            whether the binaries themselves load, but a wrong tag is usually the first sign of \
            `pip install` run on the developer's laptop, and its message names which distribution to fetch again.

            Fix: install the packages for the function's platform: `pip install --platform manylinux2014_x86_64 \
            --implementation cp --python-version 3.13 --only-binary=:all: --target build/ -r requirements.txt` \
            (`manylinux2014_aarch64` for arm64), or build inside the Lambda build image (`sam build --use-container`).

            Only on Lambda Python targets: a wheel-policy target has no CPython version, and the wheel's own tag is what it checks.
            """,
        examples: [
            CheckExample(
                "a Windows wheel",
                subject: .artifact(SamplePackage.installed("pydantic_core", version: "2.27.2", tags: ["cp313-cp313-win_amd64"])),
                target: "aws-lambda-python3.13-x86_64", fires: true, at: "pydantic_core-2.27.2.dist-info/WHEEL", mentions: "cp313-cp313-win_amd64: a Windows wheel"),
            CheckExample(
                "manylinux newer than the runtime's glibc",
                subject: .artifact(SamplePackage.installed("pkg", version: "1.0", tags: ["cp313-cp313-manylinux_2_38_x86_64"])),
                target: "aws-lambda-python3.13-x86_64", fires: true, at: "pkg-1.0.dist-info/WHEEL", mentions: "needs glibc 2.38 (manylinux_2_38_x86_64)"),
            CheckExample(
                "a cp312 wheel in python3.13",
                subject: .artifact(SamplePackage.installed("pkg", version: "1.0", tags: ["cp312-cp312-manylinux_2_17_x86_64", "cp312-cp312-manylinux2014_x86_64"])),
                target: "aws-lambda-python3.13-x86_64", fires: true, at: "pkg-1.0.dist-info/WHEEL", mentions: "cp312-cp312-manylinux_2_17_x86_64: built for CPython 3.12"),
            CheckExample(
                "a plain linux_x86_64 wheel",
                subject: .artifact(SamplePackage.installed("pkg", version: "1.0", tags: ["cp313-cp313-linux_x86_64"])),
                target: "aws-lambda-python3.13-x86_64", fires: true, at: "pkg-1.0.dist-info/WHEEL", mentions: "cp313-cp313-linux_x86_64: a plain linux_x86_64 tag"),
            CheckExample(
                "a pure-Python wheel",
                subject: .artifact(SamplePackage.installed("six", version: "1.17.0", tags: ["py2-none-any", "py3-none-any"])),
                target: "aws-lambda-python3.13-x86_64", fires: false),
            CheckExample(
                "manylinux2014 abi3 in a layer",
                subject: .artifact(SamplePackage.installed(
                    "cryptography", version: "44.0.0", tags: ["cp39-abi3-manylinux_2_17_x86_64", "cp39-abi3-manylinux2014_x86_64"],
                    under: "python/lib/python3.13/site-packages")),
                target: "aws-lambda-python3.13-x86_64", fires: false),
            CheckExample(
                "manylinux_2_28 on Amazon Linux 2",
                subject: .artifact(SamplePackage.installed("pkg", version: "1.0", tags: ["cp311-cp311-manylinux_2_28_x86_64"])),
                target: "aws-lambda-python3.11-x86_64", fires: true, at: "pkg-1.0.dist-info/WHEEL", mentions: "needs glibc 2.28 (manylinux_2_28_x86_64), Amazon Linux 2 (python3.11) has 2.26"),
        ],
        judgement: .perArtifact { context in
            guard let python = context.runtime.python else { return [] }
            // Wheels inside the package (a vendored .whl) are not installed: only the package's own dist-info counts.
            return context.artifact.metadataFiles.keys.sorted().filter { !EntryPath.isNested($0) }.compactMap { path in
                guard let wheel = InstalledWheel(path: path, text: context.artifact.metadataFiles[path]!), !wheel.tags.isEmpty else { return nil }
                let rejections = wheel.tags.map { ($0, $0.rejection(on: context.target, python: python)) }
                guard rejections.allSatisfy({ $0.1 != nil }) else { return nil }
                let reasons = rejections.prefix(3).map { "\($0.0.text): \($0.1!)" }
                let more = rejections.count > 3 ? " (and \(rejections.count - 3) more tags)" : ""
                return LocatedVerdict(
                    path: path,
                    verdict: Verdict(
                        "\(wheel.distribution) \(wheel.version) was installed from a wheel that does not fit \(context.target.runtimeLabel) on \(context.runtime.architecture.lambdaName): \(reasons.joined(separator: "; "))\(more)",
                        fix: "Install \(wheel.distribution)==\(wheel.version) for the function's platform: `\(context.advice.pip())`.",
                        fact: wheel.tags.map(\.text).joined(separator: " ")))
            }
        })
}
