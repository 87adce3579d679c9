import ShiplintTargets

/// The commands that fetch or build the right binaries for a target, quoted in fixes.
enum InstallAdvice {
    /// AWS's documented way to fetch Linux wheels from any machine ("Working with .zip file archives for Python").
    static func pip(_ target: TargetRuntime) -> String {
        let python = target.python.map { "\($0.version.components.prefix(2).map(String.init).joined(separator: "."))" } ?? "3.x"
        return "pip install --platform manylinux2014_\(target.platform.arch.pythonTriplet) --implementation cp "
            + "--python-version \(python) --only-binary=:all: --target build/ -r requirements.txt"
    }

    /// One sentence: how to get binaries built for this target, by runtime family.
    static func rebuild(_ target: TargetRuntime) -> String {
        if target.python != nil {
            return "Install Linux wheels for the function's runtime instead: `\(pip(target))`."
        }
        if target.nodeVersion != nil {
            let cpu = target.platform.arch == .aarch64 ? "arm64" : "x64"
            return "Reinstall the native packages for Lambda: `npm install --os=linux --cpu=\(cpu) --libc=glibc` (npm 10+), or run `npm ci` inside the public.ecr.aws/lambda/nodejs image."
        }
        return "Build it for \(target.platform.arch.rawValue)-unknown-linux-gnu against glibc \(target.platform.libcVersion) or older, e.g. inside the matching public.ecr.aws/lambda image."
    }

    /// Where an older toolchain is available for a glibc ceiling.
    static func olderGlibc(_ target: TargetRuntime) -> String {
        if target.python != nil {
            return "Use a wheel tagged for glibc \(target.platform.libcVersion) or older (manylinux2014 works everywhere on Lambda): `\(pip(target))`; if the package has no such wheel, pin the last version that had one or build it in the public.ecr.aws/sam/build-\(target.platform.runtime ?? "python") image."
        }
        return "Build it against glibc \(target.platform.libcVersion) or older (e.g. in the public.ecr.aws/sam/build-\(target.platform.runtime ?? "provided.al2") image), or pick a prebuilt release made for manylinux2014."
    }
}
