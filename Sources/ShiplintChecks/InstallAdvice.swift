import ShiplintFacts
import ShiplintTargets

/// The commands that fetch or build the right binaries for a runtime, quoted in fixes. Every piece of advice says what
/// to do for the target's kind: a Lambda runtime (ship it in the function or a layer, build in the Lambda build
/// image) or a wheel policy (vendor with `auditwheel repair`, build in the manylinux / musllinux image). The advice is
/// built for where the file is deployed: pip installs a function's packages into its build folder, a layer's into
/// the layer's own folder on the module path (`python/`).
public struct InstallAdvice: Sendable {
    public let runtime: RuntimeView
    /// The folder pip installs into, as zipped: `build/` for the function, `python/` for a layer.
    public let folder: String

    /// The function's build folder, as the fixes name it.
    static let functionFolder = "build/"

    public init(runtime: RuntimeView, role: ArtifactRole) {
        self.runtime = runtime
        switch role {
        case .function: folder = Self.functionFolder
        case .layer: folder = (runtime.pythonPath?.layerFolders.first ?? RuntimeFamily.python.layerFolder ?? "python") + "/"
        }
    }

    public init(runtime: RuntimeView, folder: String) {
        self.runtime = runtime
        self.folder = folder
    }

    var target: TargetRuntime { runtime.target }

    /// AWS's documented way to fetch Linux wheels from any machine ("Working with .zip file archives for Python"),
    /// for requirements.txt into `folder`.
    func pip() -> String { pip(requirement: "-r requirements.txt") }

    /// `pip` for one named requirement (or `-r requirements.txt`) into `folder`.
    func pip(requirement: String, into folder: String? = nil) -> String {
        let python = runtime.python.map { "\($0.version.components.prefix(2).map(String.init).joined(separator: "."))" } ?? "3.x"
        return "pip install --platform manylinux2014_\(runtime.architecture.pythonTriplet) --implementation cp "
            + "--python-version \(python) --only-binary=:all: --target \(folder ?? self.folder) \(requirement)"
    }

    /// A native program for an OS-only runtime, by how it is usually built: Rust, Go, C/C++ (never Python wheels).
    func providedBuild() -> String {
        let arch = runtime.architecture
        let newer = runtime.newerOSOnlyRuntime.map { " or move the function to \($0.runtime) (glibc \($0.glibc))" } ?? ""
        return "Rust: build with cargo-lambda for the runtime's glibc (`cargo lambda build --release --target \(arch.rustTarget).\(runtime.libc.version)`)\(newer); "
            + "Go: `CGO_ENABLED=0 GOOS=linux GOARCH=\(arch.goArch) go build -tags lambda.norpc -o \(RuntimeView.bootstrap)`; "
            + "C/C++: build inside the public.ecr.aws/lambda/\(runtime.runtimeID ?? RuntimeFamily.provided.rawValue) image so it links against the runtime's own glibc and libstdc++."
    }

    /// The wheel platform tag of a wheel-policy target (`manylinux2014_x86_64`), for `auditwheel repair --plat`.
    func wheelPlatform() -> String {
        "\(target.platform.displayName)_\(runtime.architecture.pythonTriplet)"
    }

    /// The PyPA build image whose toolchain stays within the policy (`quay.io/pypa/manylinux2014_x86_64`).
    func wheelImage() -> String { "quay.io/pypa/\(wheelPlatform())" }

    /// One sentence for wheel policies: build in the policy's image and let auditwheel check and vendor.
    func buildWheel(sentenceStart: Bool = true) -> String {
        "\(sentenceStart ? "B" : "b")uild the wheel inside the \(wheelImage()) image (cibuildwheel does this) and run `auditwheel repair --plat \(wheelPlatform()) dist/*.whl`, which vendors the libraries the policy does not allow and refuses what it cannot fix."
    }

    /// One sentence: how to get binaries built for this runtime, by its family.
    func rebuild() -> String {
        let arch = runtime.architecture
        if target.kind == .wheelPolicy {
            return "Build it for \(arch.rawValue) Linux: \(buildWheel(sentenceStart: false))"
        }
        if runtime.python != nil {
            return "Install Linux wheels for the function's runtime instead: `\(pip())`."
        }
        if runtime.nodeVersion != nil {
            return "Reinstall the native packages for Lambda: `npm install --os=linux --cpu=\(arch.nodeCPU) --libc=glibc` (npm 10+), or run `npm ci` inside the public.ecr.aws/lambda/nodejs image."
        }
        if runtime.family?.isOSOnly == true {
            return "Build it for \(arch.rawValue) Linux against glibc \(runtime.libc.version) or older. \(providedBuild())"
        }
        if let language = languageRebuild() { return language }
        return "Build it for \(arch.rawValue)-unknown-linux-gnu against glibc \(runtime.libc.version) or older, e.g. inside the matching public.ecr.aws/lambda image."
    }

    /// How Java, Ruby and .NET get native code built for Lambda, in each ecosystem's words; nil for other runtimes.
    func languageRebuild() -> String? {
        let arch = runtime.architecture
        switch runtime.family {
        case .java:
            let classifier = arch == .aarch64 ? "linux-aarch_64" : "linux-x86_64"
            return "Depend on the library's Linux build for \(arch.rawValue) (the Maven classifier such as `\(classifier)`, or the artifact that bundles every platform) and package again with `mvn package` or `gradle buildZip`; the JNI library inside the JAR is picked by os.name and os.arch."
        case .ruby:
            let image = "public.ecr.aws/sam/build-\(target.platform.runtime ?? "ruby3.3")"
            let platform = "\(arch.rawValue)-linux"
            return "Install the gems for Lambda's platform: `bundle lock --add-platform \(platform)`, then `bundle config set --local path vendor/bundle && bundle install` inside the \(image) image, so native extensions are built for its Ruby and glibc."
        case .dotnet:
            return "Publish for Lambda's platform: `dotnet publish -c Release -r linux-\(arch.nodeCPU) --self-contained false` (or `dotnet lambda package`), so the package's runtimes/linux-\(arch.nodeCPU)/native library is the one deployed."
        default:
            return nil
        }
    }

    /// Where an older toolchain is available for a glibc ceiling.
    func olderGlibc() -> String {
        let glibc = runtime.libc.version
        if target.kind == .wheelPolicy {
            return "\(buildWheel()) Its glibc and GCC are the policy's, so the wheel needs no newer version; or tag the wheel for a newer policy that allows it."
        }
        if runtime.python != nil {
            return "Use a wheel tagged for glibc \(glibc) or older (manylinux2014 works everywhere on Lambda): `\(pip())`; if the package has no such wheel, pin the last version that had one or build it in the public.ecr.aws/sam/build-\(target.platform.runtime ?? RuntimeFamily.python.rawValue) image."
        }
        if runtime.family?.isOSOnly == true {
            return "Build it against glibc \(glibc) or older. \(providedBuild())"
        }
        return "Build it against glibc \(glibc) or older (e.g. in the public.ecr.aws/sam/build-\(target.platform.runtime ?? "provided.al2") image), or pick a prebuilt release made for manylinux2014."
    }

    /// A library that must travel with the binary. `program`: the binary is an executable (it has a `PT_INTERP`),
    /// not a module some interpreter imports.
    func shipLibrary(_ soname: String, program: Bool = false) -> String {
        let libraries = runtime.libraries
        if Self.isLibpython(soname) && program {
            // A Python interpreter (or a program embedding one) copied without its shared library.
            return "This program is a Python interpreter, or embeds one, copied without \(soname): ship \(soname) from the same build in the function's lib/ folder (\(libraries.functionFolder)) or a layer's lib/ folder (\(libraries.layerFolder)), or use a build of the tool that needs no Python (or the runtime's own python3 where it has one)."
        }
        if Self.isLibpython(soname) {
            return "Do not link the extension against \(soname) and do not ship it: the interpreter that imports the module already provides every Python symbol. Build without `-lpython…` (setuptools and pybind11 do; in CMake use `Python_add_library` or the `Development.Module` component)\(target.kind == .wheelPolicy ? "; `auditwheel repair` also removes the dependency" : "")."
        }
        if target.kind == .wheelPolicy {
            return "Vendor it into the wheel: `auditwheel repair --plat \(wheelPlatform()) dist/*.whl` copies \(soname) into `<package>.libs/` under a unique name and points the RPATH at it; build inside the \(wheelImage()) image so the copy itself stays within the policy."
        }
        // A build that bundles it is a wheel only where pip installs the code.
        let bundled = runtime.python != nil ? " (a manylinux wheel repaired with auditwheel)" : " (a static or self-contained release)"
        return "Ship \(soname) with the package: in the function's lib/ folder (\(libraries.functionFolder)) or a layer's lib/ folder (\(libraries.layerFolder)), or install a build of the package that bundles it\(bundled)."
    }

    /// `libpython3.13.so.1.0`, `libpython3.13t.so.1.0`, `libpython2.7.so.1.0`: the interpreter's own library.
    static func isLibpython(_ soname: String) -> Bool {
        soname.hasPrefix("libpython") && soname.contains(".so")
    }
}
