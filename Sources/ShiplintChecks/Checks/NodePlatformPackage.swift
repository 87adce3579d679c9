import ShiplintFacts
import ShiplintTargets

extension Check {
    public static let nodePlatformPackage = Check(
        id: "node-platform-package",
        defaultSeverity: .error,
        summary: "An npm platform package for another OS, CPU or libc, while the one the runtime needs is absent",
        explanation: """
            Packages with native code (sharp, esbuild, swc, Prisma's and rollup's helpers, lightningcss …) publish \
            one package per platform (`@img/sharp-linux-x64`, `@img/sharp-darwin-arm64`, `@esbuild/linux-arm64` …) \
            with `os`, `cpu` and `libc` fields in its package.json, and list them all as optional dependencies: npm \
            installs only the one for the machine running `npm install`. Installed on a Mac (or on Alpine, musl) \
            and zipped, the function holds the build machine's package and not Lambda's, and fails at the first \
            request with `Could not load the "sharp" module using the linux-x64 runtime` or `Cannot find module \
            '@img/sharp-linux-x64'`. shiplint reads every installed `node_modules/**/package.json` and reports a \
            platform package that npm would not install on the function's platform when no package of the same \
            family that fits is installed beside it (extra packages for other platforms are harmless); and a package \
            whose `prebuilds/<platform>-<arch>/` folders hold no build for the function's platform.

            Fix: install the packages for Lambda's platform: `npm install --os=linux --cpu=x64 --libc=glibc` \
            (`--cpu=arm64` for arm64; npm 10+, or `npm install --include=optional --os=linux --cpu=x64 sharp`), or \
            run `npm ci` inside `public.ecr.aws/lambda/nodejs:22`, then package again.
            """,
        examples: [
            CheckExample(
                "sharp installed on an Apple silicon Mac",
                subject: .artifact(SampleNode.function(packages: [
                    ("sharp", SampleNode.manifest("sharp", version: "0.33.5", optionalDependencies: ["@img/sharp-darwin-arm64", "@img/sharp-linux-x64", "@img/sharp-linuxmusl-x64"])),
                    ("@img/sharp-darwin-arm64", SampleNode.manifest("@img/sharp-darwin-arm64", version: "0.33.5", os: ["darwin"], cpu: ["arm64"])),
                ])),
                target: "aws-lambda-nodejs22.x-x86_64", fires: true, at: "node_modules/@img/sharp-darwin-arm64", mentions: "@img/sharp-darwin-arm64 0.33.5 (an optional dependency of sharp 0.33.5)"),
            CheckExample(
                "esbuild for macOS, no parent manifest",
                subject: .artifact(SampleNode.function(packages: [
                    ("@esbuild/darwin-arm64", SampleNode.manifest("@esbuild/darwin-arm64", version: "0.24.0", os: ["darwin"], cpu: ["arm64"]))])),
                target: "aws-lambda-nodejs22.x-x86_64", fires: true, at: "node_modules/@esbuild/darwin-arm64", mentions: "@esbuild/darwin-arm64 0.24.0 is for another platform"),
            CheckExample(
                "the musl build on glibc",
                subject: .artifact(SampleNode.function(packages: [
                    ("@img/sharp-linuxmusl-x64", SampleNode.manifest("@img/sharp-linuxmusl-x64", version: "0.33.5", os: ["linux"], cpu: ["x64"], libc: ["musl"]))])),
                target: "aws-lambda-nodejs22.x-x86_64", fires: true, at: "node_modules/@img/sharp-linuxmusl-x64", mentions: "@img/sharp-linuxmusl-x64 0.33.5 is for another platform (package.json libc [musl])"),
            CheckExample(
                "prebuilt addons for macOS and Windows only",
                subject: .artifact(SampleNode.function(
                    packages: [("bufferutil", SampleNode.manifest("bufferutil", version: "4.0.8"))],
                    files: ["node_modules/bufferutil/prebuilds/darwin-arm64/bufferutil.node", "node_modules/bufferutil/prebuilds/win32-x64/bufferutil.node"])),
                target: "aws-lambda-nodejs22.x-x86_64", fires: true, at: "node_modules/bufferutil/prebuilds", mentions: "ships prebuilt addons only for darwin-arm64, win32-x64"),
            CheckExample(
                "prebuilt addons including linux-x64",
                subject: .artifact(SampleNode.function(
                    packages: [("bufferutil", SampleNode.manifest("bufferutil", version: "4.0.8"))],
                    files: ["node_modules/bufferutil/prebuilds/darwin-arm64/bufferutil.node", "node_modules/bufferutil/prebuilds/linux-x64/bufferutil.node"])),
                target: "aws-lambda-nodejs22.x-x86_64", fires: false),
            CheckExample(
                "the Linux package with an extra macOS sibling",
                subject: .artifact(SampleNode.function(packages: [
                    ("@img/sharp-darwin-arm64", SampleNode.manifest("@img/sharp-darwin-arm64", version: "0.33.5", os: ["darwin"], cpu: ["arm64"])),
                    ("@img/sharp-linux-x64", SampleNode.manifest("@img/sharp-linux-x64", version: "0.33.5", os: ["linux"], cpu: ["x64"], libc: ["glibc"])),
                ])),
                target: "aws-lambda-nodejs22.x-x86_64", fires: false),
            CheckExample(
                "fsevents, an optional macOS-only package",
                subject: .artifact(SampleNode.function(packages: [("fsevents", SampleNode.manifest("fsevents", version: "2.3.3", os: ["darwin"]))])),
                target: "aws-lambda-nodejs22.x-x86_64", fires: false),
        ],
        judgement: .perArtifact { context in
            guard context.target.node != nil else { return [] }
            return PlatformPackages.misfits(in: context.artifact, runtime: context.runtime)
        })
}

enum PlatformPackages {
    static func misfits(in artifact: Artifact, runtime: RuntimeView) -> [LocatedVerdict] {
        let platform = NodePlatform(runtime)
        let packages = InstalledNodePackage.all(in: artifact)
        let fix = "Install the packages for \(platform.os) \(platform.cpu): `npm install --os=\(platform.os) --cpu=\(platform.cpu) --libc=\(platform.libc)` (npm 10+), or run `npm ci` inside public.ecr.aws/lambda/nodejs:\(runtime.nodeVersion ?? "22"), then package again."
        var verdicts: [LocatedVerdict] = []
        for package in packages {
            guard let reason = package.rejection(on: platform), let parsed = PlatformPackageName(package.name) else { continue }
            // A package of the same family that npm would install here makes this one a harmless extra.
            let fitting = packages.first { other in
                other.rejection(on: platform) == nil && PlatformPackageName(other.name)?.family == parsed.family
                    && (!other.os.isEmpty || !other.cpu.isEmpty || PlatformPackageName(other.name)?.names(platform) == true)
            }
            guard fitting == nil else { continue }
            let listed = packages.filter { $0.optionalDependencies.contains(package.name) }.flatMap(\.optionalDependencies)
            let needed = listed.first { PlatformPackageName($0).map { $0.family == parsed.family && $0.names(platform) } ?? false }
                ?? PlatformPackageName.counterpart(of: package.name, for: platform)
            let parents = packages.filter { $0.optionalDependencies.contains(package.name) }.map { "\($0.name) \($0.version)" }
            let via = parents.isEmpty ? "" : " (an optional dependency of \(parents.joined(separator: ", ")))"
            verdicts.append(LocatedVerdict(
                path: package.folder,
                verdict: Verdict(
                    "\(package.name) \(package.version)\(via) is for another platform (package.json \(reason)); npm installs it only there, and Lambda runs \(platform.label): the package it needs here, \(needed), is not installed",
                    fix: fix,
                    fact: package.name)))
        }
        // Prebuilt addons inside a package: some platform folders, none for this one, and nothing built locally.
        let builtLocally = Set(artifact.entries.filter { $0.path.hasSuffix(".node") && $0.path.contains("/build/Release/") }.map {
            String($0.path[..<$0.path.firstRange(ofText: "/build/Release/")!.lowerBound])
        })
        for (folder, platforms) in PrebuildFolders.platforms(in: artifact).sorted(by: { $0.key < $1.key }) {
            let wanted = "\(platform.os)-\(platform.cpu)"
            guard !platforms.contains(wanted), !builtLocally.contains(folder) else { continue }
            let name = packages.first { $0.folder == folder }.map { "\($0.name) \($0.version)" } ?? folder
            verdicts.append(LocatedVerdict(
                path: folder + "/prebuilds",
                verdict: Verdict(
                    "\(name) ships prebuilt addons only for \(platforms.sorted().joined(separator: ", ")) (prebuilds/<platform>-<arch>/) and none for \(wanted), and no build/Release addon was compiled: it cannot load on \(platform.label)",
                    fix: fix,
                    fact: wanted)))
        }
        return verdicts
    }
}
