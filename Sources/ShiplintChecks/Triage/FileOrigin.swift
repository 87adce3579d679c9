import ShiplintFacts
import ShiplintTargets

/// Where a file of the deployment came from, which decides how to replace it: a check's fix speaks for the runtime's
/// language (pip on Python, npm on Node.js), but a Lambda extension in a Python function is the vendor's program, a
/// `.node` addon on `provided.al2` is still an npm package, and a library loaded with ctypes came from no wheel.
enum FileOrigin {
    /// `extensions/NAME` of a layer: a program Lambda starts itself, whatever the function's language.
    case lambdaExtension(name: String)
    /// Installed by pip: a `*.dist-info` records it.
    case wheel(InstalledDistribution)
    /// Under `node_modules/<package>/`.
    case nodePackage(InstalledNodePackage)
    /// Under a Ruby gem's folder (`gems/<name>-<version>/`, `extensions/<platform>/<abi>/<name>-<version>/`).
    case rubyGem(name: String)
    /// A .NET native asset (`runtimes/<rid>/native/`).
    case dotnetNative
    /// The entry point Lambda runs on an OS-only runtime (`bootstrap`).
    case entryPoint
    /// A native file no package manager recorded: a library loaded with ctypes/cffi/dlopen or copied in by hand; or,
    /// with `package`, a file inside a Python package folder (one with `__init__.py`) whose `*.dist-info` is gone
    /// (stripped when packaging, or the folder copied from another machine): `package` is its top-level import name.
    case loose(package: String?)

    init(path: String, in artifact: Artifact, role: ArtifactRole, runtime: RuntimeView) {
        let components = EntryPath.components(EntryPath.inner(path))
        if case .layer = role, components.count >= 2, runtime.extensionFolders(in: role).contains(components[0]) {
            self = .lambdaExtension(name: components[1])
            return
        }
        if components == [RuntimeView.bootstrap] {
            self = .entryPoint
            return
        }
        if let distribution = InstalledDistribution.owning(path, in: artifact) {
            self = .wheel(distribution)
            return
        }
        // A member of an archive the code unpacks at run time (serverless-python-requirements' `.requirements.zip`,
        // extracted to /tmp/sls-py-req): the *.dist-info beside it in the same archive installed it.
        if let bang = path.firstIndex(of: "!") {
            let outer = String(path[...bang])
            let nested = artifact.entries.filter { $0.path.hasPrefix(outer) }.map { entry in
                UnpackedEntry(entry: entry, components: EntryPath.components(String(entry.path.dropFirst(outer.count))))
            }
            let inner = String(path.dropFirst(outer.count))
            if !EntryPath.isNested(inner),
                let distribution = InstalledDistribution.owning(inner, among: InstalledDistribution.all(in: artifact, unpacked: nested))
            {
                self = .wheel(distribution)
                return
            }
        }
        let manifests = artifact.metadataFiles.keys.sorted().compactMap { manifest -> InstalledNodePackage? in
            guard manifest.hasSuffix("/package.json"), manifest.contains("node_modules/"),
                path.hasPrefix(String(manifest.dropLast("package.json".count)))
            else { return nil }
            return InstalledNodePackage(manifest: manifest, text: artifact.metadataFiles[manifest]!)
        }
        if let owner = manifests.max(by: { $0.folder.count < $1.folder.count }) {
            self = .nodePackage(owner)
            return
        }
        if let index = components.firstIndex(where: { $0 == "gems" || $0 == "extensions" }), index + 1 < components.count,
            let gem = components[(index + 1)...].first(where: { $0.contains("-") && $0.last?.isNumber == true || $0.contains("-") && $0.contains(".") }),
            components.contains("ruby") || components.contains("vendor") || components.contains("gems")
        {
            self = .rubyGem(name: String(gem.prefix { $0 != "-" }))
            return
        }
        if let runtimes = components.firstIndex(of: "runtimes"), components.count > runtimes + 2, components[runtimes + 2] == "native" {
            self = .dotnetNative
            return
        }
        // The outermost folder on the path that is a Python package: a file inside it came from a distribution.
        let entries = Set(artifact.entries.map(\.path))
        let package = components.indices.dropLast().first { index in
            entries.contains(components[0...index].joined(separator: "/") + "/__init__.py")
        }.map { components[$0] }
        self = .loose(package: package)
    }
}

/// The fix for a finding, in the words of how the file got there and of the project's build tool.
struct FixAdvice {
    let runtime: RuntimeView
    let deployment: DeploymentContext

    /// Checks whose fix is "get a build of this file for Lambda's platform".
    static let platformChecks: Set<String> = [
        "wrong-arch", "darwin-binary", "windows-binary", "musl-binary", "glibc-too-new", "libstdcxx-too-new", "python-abi-mismatch",
        "node-abi-mismatch", "android-binary", "corrupt-binary", "missing-library", "missing-symbol-version",
    ]

    /// The finding's fix when the file's origin speaks another language than the runtime's, else nil (the check's fix
    /// stands).
    func fix(for finding: Finding, origin: FileOrigin) -> String? {
        guard Self.platformChecks.contains(finding.check) else { return nil }
        let arch = runtime.architecture
        let platform = "Linux \(arch.rawValue) (\(runtime.libc))"
        switch origin {
        case .lambdaExtension(let name):
            return "\(name) is a Lambda extension: a program Lambda starts itself, whatever the function's language. Use the vendor's build of \(name) for \(platform) (its \(arch.lambdaName) layer version or release asset), or set the function's architecture to the one this build is for."
        case .nodePackage(let package) where runtime.nodeVersion == nil || finding.fix.contains("wheel") || finding.fix.contains("pip ")
            || shipsWithPackage(finding) || !finding.fix.contains("npm"):
            return "\(package.name) \(package.version) is an npm package: reinstall it for Lambda into the folder you zip (`npm install --os=linux --cpu=\(arch.nodeCPU) --libc=glibc \(package.name)@\(package.version)`), or run `npm ci` inside the public.ecr.aws/lambda/nodejs image\(runtime.nodeVersion.map { ":\($0)" } ?? ""), then package again."
        case .rubyGem(let name) where finding.fix.contains("pip ") || finding.fix.contains("wheel") || runtime.family != .ruby:
            return "\(name) is a Ruby gem with a native extension: install it for Lambda (`bundle lock --add-platform \(arch.rawValue)-linux` and `bundle install` inside public.ecr.aws/lambda/ruby, or `sam build --use-container`), then package vendor/bundle again."
        case .dotnetNative:
            return "Publish for Lambda's platform: `dotnet publish -c Release -r linux-\(arch.nodeCPU)`, with a version of the package that ships runtimes/linux-\(arch.nodeCPU)/native."
        case .loose(let package?) where runtime.python != nil && (finding.fix.contains("pip ") || finding.fix.contains("wheel")):
            let name = finding.path.split(separator: "/").last.map(String.init) ?? finding.path
            let distributions = PythonImportNames.distributions(installing: package)
            let role = deployment.role(of: finding.artifact) ?? .function
            let pip = deployment.advice(for: role).pip(requirement: distributions[0])
            let also = distributions.count > 1 ? " (or \(distributions.dropFirst().joined(separator: ", ")), whichever requirements.txt names)" : ""
            return "\(name) is part of the Python package \(package), but no *.dist-info here records it (left out when packaging, or the folder was copied from another machine): install the Linux wheel of the distribution that provides \(package), \(distributions[0])\(also), for this runtime: `\(pip)`, and zip what it installs with its *.dist-info."
        case .loose where runtime.python != nil && (finding.fix.contains("pip ") || finding.fix.contains("wheel")):
            let name = finding.path.split(separator: "/").last.map(String.init) ?? finding.path
            return "\(name) was installed by no package manager (a library loaded with ctypes or cffi, or copied in by hand), so no pip line replaces it: rebuild it for \(platform) inside the public.ecr.aws/lambda/\(runtime.runtimeID ?? "provided:al2023") image (or copy it from the Amazon Linux package that provides it) and ship it with the libraries it needs in lib/ (on LD_LIBRARY_PATH)."
        default:
            return nil
        }
    }

    /// A library an npm package or gem brings itself (sharp's libvips, in a sibling platform package): missing means
    /// the package was installed for another platform or in part, so reinstalling it is the fix. Not a library the
    /// runtime lacks and packages never ship (a known-absent one has its own fix), nor the interpreter's own.
    func shipsWithPackage(_ finding: Finding) -> Bool {
        finding.check == "missing-library" && runtime.target.knownAbsent(finding.fact) == nil && !InstallAdvice.isLibpython(finding.fact)
    }

    /// The project's build tool, when the deployment came from a descriptor: SAM, CDK or the Serverless Framework.
    enum BuildTool { case sam, cdk, serverless }

    var buildTool: BuildTool? {
        guard let file = deployment.descriptor?.file else { return nil }
        if file.contains("cdk.out") || file.hasSuffix(".template.json") { return .cdk }
        if file.contains(".serverless") || file.hasSuffix("serverless.yml") || file.hasSuffix("serverless.yaml") { return .serverless }
        if file.hasSuffix("template.yaml") || file.hasSuffix("template.yml") || file.contains(".aws-sam") { return .sam }
        return nil
    }

    /// How the project's build tool installs dependencies for Lambda's platform, added to a fix that rebuilds them.
    func buildToolAdvice(for origin: FileOrigin) -> String? {
        guard let tool = buildTool else { return nil }
        let arch = runtime.architecture
        // Docker's platform names are Go's architecture names.
        let platform = "linux/\(arch.goArch)"
        switch (tool, origin) {
        case (.sam, _):
            return "With SAM: `sam build --use-container` builds the dependencies inside the Lambda build image for \(runtime.runtimeID ?? "the runtime") on \(arch.lambdaName), so pip and npm fetch Linux builds."
        case (.cdk, .nodePackage):
            return "With CDK: bundle in Docker for the function's platform (NodejsFunction `bundling: { forceDockerBundling: true, nodeModules: [...] }`, or `bundling.image` set to the runtime's `bundlingImage` with `platform: '\(platform)'`)."
        case (.cdk, _):
            return "With CDK: bundle with the Lambda image (`bundling: { image: Runtime.\((runtime.runtimeID ?? "").uppercased().replacingText(".", with: "_")).bundlingImage, platform: '\(platform)', command: [...] }`, or PythonFunction from @aws-cdk/aws-lambda-python-alpha), not the host's pip."
        case (.serverless, .wheel), (.serverless, .loose):
            return "With the Serverless Framework: set `custom.pythonRequirements.dockerizePip: true` (serverless-python-requirements) so requirements are installed in the Lambda build image."
        case (.serverless, _):
            return "With the Serverless Framework: install the dependencies inside the Lambda image (e.g. `docker run public.ecr.aws/sam/build-\(runtime.runtimeID ?? "provided.al2023") npm ci`) before `serverless package`."
        }
    }
}
