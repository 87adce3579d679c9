import ShiplintTargets

/// The commands that fetch or build the right binaries for a target, quoted in fixes. Every piece of advice says what
/// to do for the target's kind: a Lambda runtime (ship it in the function or a layer, build in the Lambda build
/// image) or a wheel policy (vendor with `auditwheel repair`, build in the manylinux / musllinux image).
enum InstallAdvice {
    /// AWS's documented way to fetch Linux wheels from any machine ("Working with .zip file archives for Python").
    static func pip(_ target: TargetRuntime) -> String {
        let python = target.python.map { "\($0.version.components.prefix(2).map(String.init).joined(separator: "."))" } ?? "3.x"
        return "pip install --platform manylinux2014_\(target.platform.arch.pythonTriplet) --implementation cp "
            + "--python-version \(python) --only-binary=:all: --target build/ -r requirements.txt"
    }

    /// A fix written for the function's build folder, for a file in a layer: pip installs into the layer's own
    /// folder on the module path (`python/`), never `build/`.
    static func intoLayer(_ fix: String, folder: String = "python/") -> String {
        fix.replacingOccurrences(of: "--target build/", with: "--target \(folder)")
    }

    /// `pip` for one named requirement instead of requirements.txt, into `folder`.
    static func pip(_ target: TargetRuntime, requirement: String, folder: String = "build/") -> String {
        pip(target).replacingOccurrences(of: "--target build/ -r requirements.txt", with: "--target \(folder) \(requirement)")
    }

    /// A native program for a `provided` runtime, by how it is usually built: Rust, Go, C/C++ (never Python wheels).
    static func providedBuild(_ target: TargetRuntime) -> String {
        let arch = target.platform.arch
        let rustTarget = "\(arch.rawValue)-unknown-linux-gnu"
        let glibc = target.platform.libcVersion
        let newer = target.platform.runtime?.hasSuffix(".al2") == true ? " or move the function to provided.al2023 (glibc 2.34)" : ""
        return "Rust: build with cargo-lambda for the runtime's glibc (`cargo lambda build --release --target \(rustTarget).\(glibc)`)\(newer); "
            + "Go: `CGO_ENABLED=0 GOOS=linux GOARCH=\(arch == .aarch64 ? "arm64" : "amd64") go build -tags lambda.norpc -o bootstrap`; "
            + "C/C++: build inside the public.ecr.aws/lambda/\(target.platform.runtime ?? "provided") image so it links against the runtime's own glibc and libstdc++."
    }

    /// The wheel platform tag of a wheel-policy target (`manylinux2014_x86_64`), for `auditwheel repair --plat`.
    static func wheelPlatform(_ target: TargetRuntime) -> String {
        "\(target.platform.displayName)_\(target.platform.arch.pythonTriplet)"
    }

    /// The PyPA build image whose toolchain stays within the policy (`quay.io/pypa/manylinux2014_x86_64`).
    static func wheelImage(_ target: TargetRuntime) -> String { "quay.io/pypa/\(wheelPlatform(target))" }

    /// One sentence for wheel policies: build in the policy's image and let auditwheel check and vendor.
    static func buildWheel(_ target: TargetRuntime, sentenceStart: Bool = true) -> String {
        "\(sentenceStart ? "B" : "b")uild the wheel inside the \(wheelImage(target)) image (cibuildwheel does this) and run `auditwheel repair --plat \(wheelPlatform(target)) dist/*.whl`, which vendors the libraries the policy does not allow and refuses what it cannot fix."
    }

    /// One sentence: how to get binaries built for this target, by runtime family.
    static func rebuild(_ target: TargetRuntime) -> String {
        if target.kind == .wheelPolicy {
            return "Build it for \(target.platform.arch.rawValue) Linux: \(buildWheel(target, sentenceStart: false))"
        }
        if target.python != nil {
            return "Install Linux wheels for the function's runtime instead: `\(pip(target))`."
        }
        if target.nodeVersion != nil {
            let cpu = target.platform.arch == .aarch64 ? "arm64" : "x64"
            return "Reinstall the native packages for Lambda: `npm install --os=linux --cpu=\(cpu) --libc=glibc` (npm 10+), or run `npm ci` inside the public.ecr.aws/lambda/nodejs image."
        }
        if target.platform.runtime?.hasPrefix("provided") == true {
            return "Build it for \(target.platform.arch.rawValue) Linux against glibc \(target.platform.libcVersion) or older. \(providedBuild(target))"
        }
        return "Build it for \(target.platform.arch.rawValue)-unknown-linux-gnu against glibc \(target.platform.libcVersion) or older, e.g. inside the matching public.ecr.aws/lambda image."
    }

    /// Where an older toolchain is available for a glibc ceiling.
    static func olderGlibc(_ target: TargetRuntime) -> String {
        if target.kind == .wheelPolicy {
            return "\(buildWheel(target)) Its glibc and GCC are the policy's, so the wheel needs no newer version; or tag the wheel for a newer policy that allows it."
        }
        if target.python != nil {
            return "Use a wheel tagged for glibc \(target.platform.libcVersion) or older (manylinux2014 works everywhere on Lambda): `\(pip(target))`; if the package has no such wheel, pin the last version that had one or build it in the public.ecr.aws/sam/build-\(target.platform.runtime ?? "python") image."
        }
        if target.platform.runtime?.hasPrefix("provided") == true {
            return "Build it against glibc \(target.platform.libcVersion) or older. \(providedBuild(target))"
        }
        return "Build it against glibc \(target.platform.libcVersion) or older (e.g. in the public.ecr.aws/sam/build-\(target.platform.runtime ?? "provided.al2") image), or pick a prebuilt release made for manylinux2014."
    }

    /// A library that must travel with the binary.
    static func shipLibrary(_ soname: String, _ target: TargetRuntime) -> String {
        if isLibpython(soname) {
            return "Do not link the extension against \(soname) and do not ship it: the interpreter that imports the module already provides every Python symbol. Build without `-lpython…` (setuptools and pybind11 do; in CMake use `Python_add_library` or the `Development.Module` component)\(target.kind == .wheelPolicy ? "; `auditwheel repair` also removes the dependency" : "")."
        }
        if target.kind == .wheelPolicy {
            return "Vendor it into the wheel: `auditwheel repair --plat \(wheelPlatform(target)) dist/*.whl` copies \(soname) into `<package>.libs/` under a unique name and points the RPATH at it; build inside the \(wheelImage(target)) image so the copy itself stays within the policy."
        }
        return "Ship \(soname) with the package: in the function's lib/ folder (/var/task/lib) or a layer's lib/ folder (/opt/lib), or install a build of the package that bundles it (a manylinux wheel repaired with auditwheel)."
    }

    /// `libpython3.13.so.1.0`, `libpython3.13t.so.1.0`, `libpython2.7.so.1.0`: the interpreter's own library.
    static func isLibpython(_ soname: String) -> Bool {
        soname.hasPrefix("libpython") && soname.contains(".so")
    }
}
