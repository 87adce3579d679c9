import FoundationEssentials
import ShiplintFacts
import ShiplintTargets

/// What the artifact has at the places an error text names, and the programs the runtime or the code starts: the
/// families of `ErrorSignal` say what to look for, these say what is there.
extension TriageContext {
    /// The signals to explain, in order: Lambda's `Runtime.InvalidEntrypoint` line is dropped when the text names the
    /// program itself (`fork/exec PATH: …`), the loader's line after .NET's `Unable to load shared library 'X'` is one
    /// cause with it, and a text no family matches is explained by the places it names.
    func signalsToExplain(_ occurrences: [(signal: ErrorSignal, count: Int)]) -> [(signal: ErrorSignal, count: Int)] {
        var signals = occurrences
        let namesProgram = signals.contains { entry in
            switch entry.signal {
            case .execFailed: true
            case .permissionDenied(let path): runtime.place(ofRuntimePath: path) != nil && !path.hasSuffix(".py") && !path.hasSuffix(".js")
            default: false
            }
        }
        if namesProgram { signals.removeAll { if case .invalidEntrypoint = $0.signal { true } else { false } } }
        let dotnet = signals.compactMap { if case .dotnetNative(let library) = $0.signal { library } else { nil } }
        if !dotnet.isEmpty {
            // .NET prints its probe list under the exception: the loader's line for each name it tried
            // (`/var/task/liblibSkiaSharp.so: cannot open …`, `libfontconfig.so.1: cannot open …`), one cause with it.
            signals.removeAll { entry in
                switch entry.signal {
                case .missingLibrary(let soname, _): return dotnet.contains { soname.contains($0) || $0.contains(soname) }
                case .unloadableFile(let path):
                    let name = EntryPath.components(path).last ?? path
                    return dotnet.contains { name.contains($0) }
                default: return false
                }
            }
        }
        // sharp's `Could not load the "sharp" module using the linux-x64 runtime` wraps the loader's own error
        // (`ERR_DLOPEN_FAILED: libvips-cpp.so.42: cannot open shared object file`): with the platform package
        // installed, the library its addon cannot open is the one cause.
        let libraries = signals.contains { if case .missingLibrary = $0.signal { true } else { false } }
        if libraries {
            signals.removeAll { entry in
                guard case .missingNodePackage(let name) = entry.signal else { return false }
                return installedNodePackage(name) != nil
            }
        }
        // A package's own words wrap the loader's error when the text has it too (psycopg's `no pq wrapper available.`
        // above its `Attempts made:` list): then they are that error told twice.
        if signals.contains(where: { if case .packageMessage = $0.signal { false } else { true } }) {
            signals.removeAll { if case .packageMessage = $0.signal { true } else { false } }
        }
        // A message that names places (`/var/task/psycopg2/_psycopg.so: file too short`, rust-crowbar's
        // `libstd-35ad9950c7e5074b.so:`) is the loader's, whoever's words surround it: explained by what is there.
        let named = locations.filter(isDeploymentLocation)
        if !named.isEmpty, signals.allSatisfy({ if case .packageMessage = $0.signal { true } else { false } }) {
            signals = [(.locations(named), 1)]
        }
        return signals
    }

    /// A place that can be in a deployment or be a fact of one: a path under the task or layer root (or relative to
    /// the task root), a soname, a version node, an npm package. The runtime's own files and bare architecture words
    /// are not.
    func isDeploymentLocation(_ location: ErrorLocation) -> Bool {
        switch location {
        case .path(let path): runtime.place(ofRuntimePath: path) != nil || path.hasPrefix("./") || path.hasPrefix("../")
        case .soname, .symbolVersion, .nodePackage: true
        case .architecture: false
        }
    }

    // MARK: - Places named

    /// The findings at the places the text names, most specific first: a finding on a named file, in a named folder,
    /// about a named soname or version node, or on a named npm package's family. Explained when one is there; else
    /// what is there (and sound) or absent is said.
    func atLocations(_ signal: ErrorSignal, _ named: [ErrorLocation]) -> Explanation {
        var present: [String] = []
        var absent: [String] = []
        var candidates: [(finding: Finding, why: String)] = []
        for location in named {
            switch location {
            case .path(let path):
                guard isDeploymentLocation(location) else { continue }
                if let located = locate(path) {
                    if let finding = rootFinding(artifact: located.artifact.path, path: located.path) {
                        candidates.append((finding, "the text names \(path)"))
                    } else {
                        present.append("\(located.path) in \(located.artifact.path)")
                    }
                } else if let folder = locateFolder(path) {
                    let inside = findings.filter { $0.artifact == folder.artifact.path && EntryPath.path($0.path, isInside: folder.path) }
                    if let finding = inside.first(where: { $0.severity == .error }) ?? inside.first {
                        candidates.append((finding, "the text names \(path), which holds \(finding.path)"))
                    } else {
                        present.append("\(folder.path)/ in \(folder.artifact.path)")
                    }
                } else {
                    absent.append(path)
                }
            case .soname(let soname):
                if let finding = findings.first(where: { $0.check == "missing-library" && $0.fact.split(separator: " ").first.map(String.init) == soname }) {
                    candidates.append((finding, "the text names \(soname)"))
                }
            case .symbolVersion(let version):
                if let finding = findings.first(where: { ["glibc-too-new", "libstdcxx-too-new", "missing-symbol-version"].contains($0.check) && ($0.fact.contains(version) || $0.message.contains(version)) }) {
                    candidates.append((finding, "the text names \(version)"))
                }
            case .nodePackage(let name):
                let family = PlatformPackageName(name)?.family
                if let finding = findings.first(where: { $0.check == "node-platform-package" && family != nil && PlatformPackageName($0.fact)?.family == family }) {
                    candidates.append((finding, "the text names \(name)"))
                }
            case .architecture:
                continue
            }
        }
        if let best = candidates.first(where: { $0.finding.severity == .error }) ?? candidates.first {
            return explained(signal, best.finding, evidence: [("named", best.why)])
        }
        if !present.isEmpty {
            return notExplained(signal, "the text names \(present.prefix(3).joined(separator: ", ")), which \(present.count == 1 ? "is" : "are") there with no finding", evidence: [("named", present.joined(separator: ", "))])
        }
        for path in absent {
            if let near = absentFile(signal, path: path) { return near }
        }
        if !absent.isEmpty {
            return notExplained(signal, "the text names \(absent.prefix(3).joined(separator: ", ")), which \(absent.count == 1 ? "is" : "are") not in this deployment: either never packaged, or this log belongs to another artifact")
        }
        return notExplained(signal, "nothing the text names is a file or fact of this deployment")
    }

    /// A file the text names at a runtime path the deployment has nothing at, explained by what is near it: the
    /// installed npm package the path lies in, present without the file (canvas 2.8.0 in a layer without its
    /// `build/Release/canvas.node`: installed without its native build); or the one file of that name the same side
    /// (the function, or the layers) has elsewhere (a layer's `ffmpeg` at its top, `/opt/ffmpeg`, run as
    /// `/opt/bin/ffmpeg`). Nil when neither is there: then the log may belong to another artifact.
    func absentFile(_ signal: ErrorSignal, path: String) -> Explanation? {
        guard let place = runtime.place(ofRuntimePath: path), locate(path) == nil,
            let name = EntryPath.components(place.path).last, !name.isEmpty
        else { return nil }
        if let folder = NodePackageFolder(runtimePath: path), let located = locateFolder(folder.runtimeFolder) {
            let manifest = located.artifact.metadataFiles[located.path + "/package.json"]
                .flatMap { InstalledNodePackage(manifest: located.path + "/package.json", text: $0) }
            let version = manifest.map { " \($0.version)" } ?? ""
            let inside = String(path.dropFirst(folder.runtimeFolder.count + 1))
            return Explanation(
                signal: signal, outcome: .explained, rootCause: nil, module: folder.name, files: [(located.artifact.path, located.path)],
                evidence: [("looked for", path), ("package", "\(folder.name)\(version) at \(located.path) in \(located.artifact.path), without \(inside)")],
                summary: "\(folder.name)\(version) is installed in \(located.artifact.path) at \(located.path), but \(inside) is not in it: the package was installed without the file it loads (its install script did not build or download it, or the packager left it out)",
                fix: "Reinstall \(folder.name) for Lambda into the folder you zip and check that \(inside) is there before packaging (`npm install --os=linux --cpu=\(runtime.architecture.nodeCPU) --libc=glibc \(folder.name)\(manifest.map { "@" + $0.version } ?? "")`, or `npm ci` inside the public.ecr.aws/lambda/nodejs image\(runtime.nodeVersion.map { ":\($0)" } ?? "")), then package again.")
        }
        // On the side the path names (a full runtime path settles it: /var/task/x is the function's, /opt/x a
        // layer's); the other side's copy is another install, not this one moved.
        var elsewhere: [(artifact: Artifact, path: String)] = []
        for artifact in place.inLayers ? deployment.layers : (deployment.function.map { [$0] } ?? []) {
            for entry in artifact.entries where entry.type == .file && !EntryPath.isNested(entry.path) && EntryPath.components(entry.path).last == name {
                elsewhere.append((artifact, entry.path))
            }
        }
        guard elsewhere.count == 1, let found = elsewhere.first, let role = deployment.role(of: found.artifact.path) else { return nil }
        let at = runtime.runtimePath(found.path, in: role)
        let sideNote = place.inLayers ? " (a layer's folders are mounted under \(runtime.layerRoot): its \(place.path) is \(path))" : ""
        var evidence = [("looked for", path), ("found instead", "\(found.path) in \(found.artifact.path), at \(at)")]
        if let finding = rootFinding(artifact: found.artifact.path, path: found.path) {
            evidence.append(("and", "\(finding.check): \(finding.message)"))
        }
        return Explanation(
            signal: signal, outcome: .explained, rootCause: nil, module: nil, files: [(found.artifact.path, found.path)],
            evidence: evidence,
            summary: "\(path) is not in this deployment, but \(name) is, at \(at) (\(found.path) in \(found.artifact.path)): it is packaged in another folder than the one it is started or loaded from",
            fix: "Move \(found.path) to \(place.path) in \(found.artifact.path)\(sideNote), or use \(at) where the code starts or loads it.")
    }

    /// A folder a runtime path names (`/opt/nodejs/node_modules/sharp`), where ZIPs often store no entry for folders:
    /// the function's or the last layer's that has a file under it.
    func locateFolder(_ runtimePath: String) -> (artifact: Artifact, path: String)? {
        let trimmed = runtimePath.hasSuffix("/") ? String(runtimePath.dropLast()) : runtimePath
        let place = runtime.place(ofRuntimePath: trimmed)
        let inner = place?.path ?? (trimmed.hasPrefix("./") ? String(trimmed.dropFirst(2)) : trimmed)
        guard !inner.isEmpty else { return nil }
        let candidates = place.map { $0.inLayers ? deployment.layers.reversed() : (deployment.function.map { [$0] } ?? []) } ?? deployment.artifacts
        for artifact in candidates where artifact.entries.contains(where: { EntryPath.path($0.path, isInside: inner) && $0.path != inner }) {
            return (artifact, inner)
        }
        return nil
    }

    // MARK: - Programs the runtime or the code starts

    /// `fork/exec PATH: exec format error | no such file or directory`, `PATH: cannot execute binary file`: the file at
    /// PATH, as the kernel sees it. A native file's own finding (another CPU, macOS, Windows); a script's `#!` line
    /// (none, ending in a carriage return, naming an interpreter the runtime does not have); or not there.
    func execFailed(_ signal: ErrorSignal, path: String, reason: String) -> Explanation {
        let what = startedAs(path)
        guard let located = locate(path) else {
            if runtime.entryPoints.contains(path.split(separator: "/").last.map(String.init) ?? "") && runtime.place(ofRuntimePath: path) != nil {
                return invalidEntrypoint(signal)
            }
            if let only = onlyFailingExtension(signal, named: path, what: what) { return only }
            if let near = absentFile(signal, path: path) { return near }
            return notExplained(signal, "\(path) (\(what)) is not in this deployment: either it was never packaged, or this log belongs to another artifact")
        }
        let evidence = [("started as", "\(what): \(path)")]
        if let finding = rootFinding(artifact: located.artifact.path, path: located.path) {
            return explained(signal, finding, evidence: evidence)
        }
        if let script = scriptVerdict(signal, artifact: located.artifact, path: located.path, what: what) { return script }
        if located.artifact.binaries.contains(where: { $0.path == located.path && $0.facts != nil }) {
            return notExplained(signal, "\(located.path) in \(located.artifact.path) is a loadable \(runtime.architecture.rawValue) executable", evidence: evidence)
        }
        return notExplained(signal, "\(located.path) in \(located.artifact.path) is there; shiplint finds nothing that stops the kernel running it", evidence: evidence)
    }

    /// An extension the text names by a name the deployment does not have (`/opt/extensions/{THE_EXTENSION_NAME}`: a
    /// user redacted it, or renamed it since): when exactly one extension of the deployment would fail to start, that
    /// one, saying the names differ.
    func onlyFailingExtension(_ signal: ErrorSignal, named path: String, what: String) -> Explanation? {
        guard path.hasPrefix(runtime.extensionsFolder + "/") else { return nil }
        var failing: [Explanation] = []
        for (layer, role) in deployment.placed where role != .function {
            for folder in runtime.extensionFolders(in: role) {
                for entry in layer.entries {
                    let parts = EntryPath.components(entry.path)
                    guard parts.count == 2, parts[0] == folder else { continue }
                    let isBinary = layer.binaries.contains { $0.path == entry.path }
                    let verdict = rootFinding(artifact: layer.path, path: entry.path).map { explained(signal, $0) }
                        ?? (isBinary ? nil : scriptVerdict(signal, artifact: layer, path: entry.path, what: what))
                    if let verdict, verdict.outcome == .explained { failing.append(verdict) }
                }
            }
        }
        guard failing.count == 1, let only = failing.first else { return nil }
        let named = ("named", "\(path), which is not in this deployment; the one extension here that cannot start is \(only.files.first?.path ?? "")")
        return Explanation(
            signal: only.signal, outcome: only.outcome, rootCause: only.rootCause, module: only.module, files: only.files,
            evidence: [named] + only.evidence, summary: only.summary, fix: only.fix)
    }

    /// What started the program at `path`: Lambda (an extension, the bootstrap) or the function's code.
    func startedAs(_ path: String) -> String {
        if path.hasPrefix(runtime.extensionsFolder + "/") { return "a Lambda extension, started by Lambda before the function" }
        if let place = runtime.place(ofRuntimePath: path), runtime.entryPoints.contains(place.path) { return "the runtime's entry point, started by Lambda" }
        return "a program the function starts"
    }

    /// A script at `path`, as `execve` reads its first line: no `#!` (exec format error), a `#!` line ending in a
    /// carriage return (the interpreter `…\r` does not exist: no such file or directory), or an interpreter the
    /// runtime lacks and the deployment does not ship. Nil when the file's text was not read or nothing is wrong.
    func scriptVerdict(_ signal: ErrorSignal, artifact: Artifact, path: String, what: String) -> Explanation? {
        guard let text = artifact.metadataFiles[path], !text.isEmpty else { return nil }
        // The first line as stored, carriage return included (Swift's lines would hide it: \r\n is one Character).
        let scalars = text.unicodeScalars.prefix { $0 != "\n" }
        let raw = String(String.UnicodeScalarView(scalars))
        let first = raw.hasSuffix("\r") ? String(raw.dropLast()) : raw
        let arch = runtime.architecture.rawValue
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard first.hasPrefix("#!") else {
            return Explanation(
                signal: signal, outcome: .explained, rootCause: nil, module: nil, files: [(artifact.path, path)],
                evidence: [("started as", what), ("first line", SafeLine.clip(first))],
                summary: "\(path) in \(artifact.path) is neither a native executable nor a script with a #! line, so the kernel refuses to run it (exec format error)",
                fix: "Make \(name) a Linux \(arch) executable, or a script whose first line is `#!/bin/sh`, with mode 755.")
        }
        if raw.hasSuffix("\r") {
            let interpreter = first.dropFirst(2).trimmingWhitespace()
            return Explanation(
                signal: signal, outcome: .explained, rootCause: nil, module: nil, files: [(artifact.path, path)],
                evidence: [("started as", what), ("first line", SafeLine.clip(first) + "\\r")],
                summary: "\(path) in \(artifact.path) has Windows line endings: its #! line ends in a carriage return, so the kernel looks for the interpreter `\(interpreter)\\r`, which does not exist (no such file or directory)",
                fix: "Save \(name) with Unix line endings (`dos2unix \(path)`, or `sed -i 's/\\r$//' \(path)`; in git, `* text=auto eol=lf` in .gitattributes) and package it again with mode 755.")
        }
        let words = first.dropFirst(2).split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let program = words.first else { return nil }
        let usesEnv = program.hasSuffix("/env")
        let interpreter = usesEnv ? (words.dropFirst().first { !$0.hasPrefix("-") } ?? "") : program
        guard !interpreter.isEmpty else { return nil }
        if usesEnv, runtime.hasInterpreter(program) == false { return missingInterpreter(signal, artifact: artifact, path: path, what: what, line: first, interpreter: program) }
        switch runtime.hasInterpreter(interpreter) {
        case false?:
            // Shipped by the deployment on PATH (a layer's bin/) or at the absolute path the line names?
            if shipped(interpreter, byPath: usesEnv) { return nil }
            return missingInterpreter(signal, artifact: artifact, path: path, what: what, line: first, interpreter: interpreter)
        case true?:
            return nil
        case nil:
            if interpreter.hasPrefix("/"), runtime.place(ofRuntimePath: interpreter) != nil, locate(interpreter) == nil {
                return missingInterpreter(signal, artifact: artifact, path: path, what: what, line: first, interpreter: interpreter)
            }
            return nil
        }
    }

    /// The deployment ships `interpreter`: at that absolute path under the task or layer root, or (for `env NAME`) in a
    /// layer's `bin/` on PATH.
    func shipped(_ interpreter: String, byPath: Bool) -> Bool {
        if interpreter.hasPrefix("/") { return locate(interpreter) != nil }
        guard byPath else { return false }
        for (artifact, role) in deployment.placed {
            for folder in runtime.executableFolders(in: role) where artifact.entries.contains(where: { $0.path == folder + "/" + interpreter }) {
                return true
            }
        }
        return false
    }

    func missingInterpreter(_ signal: ErrorSignal, artifact: Artifact, path: String, what: String, line: String, interpreter: String) -> Explanation {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let runtimeHas = runtime.languageInterpreters.isEmpty
            ? "\(target.runtimeLabel) is an OS-only runtime: it has the system shells (/bin/sh, bash) and no language interpreter"
            : "\(target.runtimeLabel) has the system shells and \(runtime.languageInterpreters.joined(separator: ", ")) in /var/lang/bin, on PATH"
        return Explanation(
            signal: signal, outcome: .explained, rootCause: nil, module: nil, files: [(artifact.path, path)],
            evidence: [("started as", what), ("interpreter", SafeLine.clip(line))],
            summary: "\(path) in \(artifact.path) is a script for \(interpreter), which the runtime does not have (\(runtimeHas)), so the kernel cannot start it (no such file or directory)",
            fix: "Point the #! line of \(name) at an interpreter the runtime has (`#!/bin/sh`\(runtime.languageInterpreters.first.map { ", or `#!/usr/bin/env \($0)`" } ?? "")), or ship the interpreter in a layer's bin/ (on PATH as \(runtime.layerRoot)/bin), or make \(name) a native executable\(runtime.family?.isOSOnly == true ? " (\(deployment.advice.providedBuild()))" : "").")
    }

    // MARK: - Native code of other languages

    /// Node's `Cannot find module './sharp-linux-x64.node'`: the addon by name anywhere in the deployment (its own
    /// findings), another platform's build of it beside where it should be (`sharp-darwin-arm64.node`), or absent
    /// from the package that requires it (a bundler that moved the JavaScript and left the addon behind).
    func missingNodeAddon(_ signal: ErrorSignal, name: String) -> Explanation {
        for artifact in deployment.artifacts {
            if let entry = artifact.entries.first(where: { EntryPath.components($0.path).last == name && !EntryPath.isNested($0.path) }) {
                if let finding = rootFinding(artifact: artifact.path, path: entry.path) {
                    return explained(signal, finding, evidence: [("looked for", name)])
                }
            }
        }
        // Another platform's build of the same addon: the name up to its platform word (`sharp-`).
        let stem = name.split(separator: "-").first.map(String.init) ?? String(name.dropLast(".node".count))
        for artifact in deployment.artifacts {
            for binary in artifact.binaries where binary.fileName != name && binary.fileName.hasPrefix(stem) && binary.fileName.hasSuffix(".node") {
                if let finding = rootFinding(artifact: artifact.path, path: binary.path) {
                    return explained(signal, finding, evidence: [("looked for", name), ("found instead", binary.path)])
                }
            }
        }
        // The package whose JavaScript requires it, from the require stack the text names.
        let requirers = locations.compactMap { location -> String? in
            guard case .path(let path) = location, path.contains("node_modules/") else { return nil }
            return path
        }
        for path in requirers {
            guard let package = NodePackageFolder(runtimePath: path), let located = locateFolder(package.runtimeFolder) else { continue }
            if let entry = located.artifact.entries.first(where: { EntryPath.components($0.path).last == name }) {
                return notExplained(signal, "\(name) is there (\(entry.path) in \(located.artifact.path))")
            }
            let installCPU = runtime.architecture.nodeCPU
            return Explanation(
                signal: signal, outcome: .explained, rootCause: nil, module: package.name, files: [(located.artifact.path, located.path)],
                evidence: [("looked for", name), ("required by", path), ("package", "\(located.path) in \(located.artifact.path), without \(name)")],
                summary: "\(package.name) is in \(located.artifact.path) at \(located.path), but its native addon \(name) is not: the JavaScript was packaged (or bundled by webpack/esbuild) without the .node file it loads",
                fix: "Install \(package.name) for Lambda into the folder you zip (`npm install --os=linux --cpu=\(installCPU) --libc=glibc \(package.name)`), and keep it out of the bundle so its addon ships beside it (esbuild `--external:\(package.name)`, webpack `externals`, CDK NodejsFunction `bundling.nodeModules: ['\(package.name)']`).")
        }
        return notExplained(signal, "\(name) is not in the function or its layers, and neither is a package that requires it: either it was never packaged, or this log belongs to another artifact", evidence: [("looked for", name)])
    }

    /// node-gyp-build's `No native build was found for platform=linux arch=x64 …` (`platform`: `linux-x64`): it looks
    /// in `prebuilds/<platform>/` and `build/Release/` of the folder it is given. A package folder the text names
    /// (`loaded from: /var/task/node_modules/argon2`) has no build for Lambda there; a folder that is no package
    /// (`loaded from: /var/task`) is a bundle's: the bundler inlined the package's JavaScript, and its addon, wherever
    /// the deployment has it, is never looked at.
    func noNativeBuild(_ signal: ErrorSignal, platform: String) -> Explanation {
        let named = locations.compactMap { location -> String? in if case .path(let path) = location { path } else { nil } }
        var addons: [(artifact: Artifact, package: String, path: String)] = []
        for artifact in deployment.artifacts {
            for binary in artifact.binaries where binary.fileName.hasSuffix(".node") && !EntryPath.isNested(binary.path) {
                if let folder = NodePackageFolder(runtimePath: binary.path) { addons.append((artifact, folder.name, binary.path)) }
            }
        }
        let npm = "npm install --os=linux --cpu=\(runtime.architecture.nodeCPU) --libc=glibc"
        if let path = named.first(where: { $0.contains("node_modules/") }), let folder = NodePackageFolder(runtimePath: path),
            let located = locateFolder(folder.runtimeFolder)
        {
            let own = addons.filter { $0.artifact.path == located.artifact.path && EntryPath.path($0.path, isInside: located.path) }
            if let finding = own.lazy.compactMap({ self.rootFinding(artifact: $0.artifact.path, path: $0.path) }).first {
                return explained(signal, finding, evidence: [("looked for", "a \(platform) build of \(folder.name)")])
            }
            let has = own.isEmpty ? "" : " (it has \(own.prefix(3).map(\.path).joined(separator: ", ")))"
            return Explanation(
                signal: signal, outcome: .explained, rootCause: nil, module: folder.name, files: [(located.artifact.path, located.path)],
                evidence: [("looked for", "prebuilds/\(platform)/*.node, build/Release/*.node in \(path)")],
                summary: "\(folder.name) at \(located.path) in \(located.artifact.path) has no addon for \(platform) where node-gyp-build looks (prebuilds/\(platform)/, build/Release/)\(has)",
                fix: "Reinstall \(folder.name) for Lambda into the folder you zip (`\(npm) \(folder.name)`), or use a version that publishes a \(platform) prebuild, then package again.")
        }
        let loadedFrom = named.first { runtime.place(ofRuntimePath: $0) != nil } ?? runtime.taskRoot
        guard let addon = addons.first else {
            return notExplained(signal, "no package in this deployment ships a Node.js addon (.node) for \(platform), and the text names no package folder")
        }
        let at = runtime.runtimePath(addon.path, in: deployment.role(of: addon.artifact.path) ?? .function)
        return Explanation(
            signal: signal, outcome: .explained, rootCause: nil, module: addon.package, files: [(addon.artifact.path, addon.path)],
            evidence: [("loaded from", loadedFrom), ("addon", "\(addon.path) in \(addon.artifact.path), at \(at)")],
            summary: "node-gyp-build looked for \(addon.package)'s addon beside the code it was bundled into (\(loadedFrom): prebuilds/\(platform)/, build/Release/): the bundler (esbuild, webpack) inlined \(addon.package)'s JavaScript, so its addon at \(at) is never looked at",
            fix: "Keep \(addon.package) out of the bundle and install it beside the code (`\(npm) \(addon.package)`), so it loads its addon from its own node_modules folder: esbuild `--external:\(addon.package)`, webpack `externals`, CDK NodejsFunction `bundling.nodeModules: ['\(addon.package)']`.")
    }

    /// Ruby's `cannot load such file -- nokogiri/nokogiri`: the feature's native extension in an installed gem (its own
    /// finding: a macOS `.bundle`, another Ruby's build), or a gem for another platform (`nokogiri-1.12.5-arm64-darwin`).
    func rubyLoad(_ signal: ErrorSignal, feature: String) -> Explanation {
        let parts = feature.split(separator: "/").map(String.init)
        let gem = parts.first ?? feature
        let leaf = parts.last ?? feature
        for artifact in deployment.artifacts {
            // In the gem the feature names (`nokogiri/nokogiri`), or, for a bare extension name (`ffi_c`), in any gem.
            let candidates = artifact.binaries.filter { binary in
                let stem = binary.fileName.split(separator: ".").first.map(String.init) ?? binary.fileName
                let components = EntryPath.components(binary.path)
                return stem == leaf && (components.contains { $0 == gem || $0.hasPrefix(gem + "-") } || (parts.count == 1 && components.contains("gems")))
            }
            for binary in candidates {
                if let finding = gemFolderFinding(artifact: artifact.path, path: binary.path) ?? rootFinding(artifact: artifact.path, path: binary.path) {
                    return explained(signal, finding, evidence: [("looked for", feature)])
                }
            }
            if let binary = candidates.first {
                return notExplained(signal, "\(binary.path) in \(artifact.path) is there and loads on \(target.runtimeLabel)", evidence: [("looked for", feature)])
            }
        }
        // A gem installed for another platform only (`gems/nokogiri-1.16.0-arm64-darwin/`), whose Ruby code is there.
        for artifact in deployment.artifacts {
            if let entry = artifact.entries.first(where: { $0.path.contains("/gems/\(gem)-") && ($0.path.contains("-darwin") || $0.path.contains("-mingw")) }) {
                if let finding = gemFolderFinding(artifact: artifact.path, path: entry.path) {
                    return explained(signal, finding, evidence: [("looked for", feature)])
                }
                let folder = entry.path.components(separatedBy: "/gems/")[0] + "/gems/" + (entry.path.components(separatedBy: "/gems/")[1].split(separator: "/").first.map(String.init) ?? gem)
                return Explanation(
                    signal: signal, outcome: .explained, rootCause: nil, module: gem, files: [(artifact.path, folder)],
                    evidence: [("looked for", feature), ("installed", folder)],
                    summary: "\(gem) is installed in \(artifact.path) as a gem for another platform (\(folder)), whose native extension Ruby on Linux cannot load",
                    fix: "Lock and install the Linux build: `bundle lock --add-platform \(runtime.architecture.rawValue)-linux` and `bundle install` inside public.ecr.aws/lambda/ruby (or `sam build --use-container`), then package vendor/bundle again.")
            }
        }
        return notExplained(signal, "no native extension of \(gem) is in this deployment: either it was never installed, or this log belongs to another artifact", evidence: [("looked for", feature)])
    }

    /// The `ruby-platform-mismatch` finding on the gem folder a file is in (a gem installed for another platform).
    func gemFolderFinding(artifact: String, path: String) -> Finding? {
        findings.first { $0.check == "ruby-platform-mismatch" && $0.artifact == artifact && !$0.path.isEmpty && path.hasPrefix($0.path + "/") }
    }

    /// A Ruby extension a text names by another machine's path (`/Users/x/.rvm/gems/ruby-2.7.2/gems/ffi-1.14.2/lib/ffi_c.bundle`,
    /// LoadError's `incompatible library version`): this deployment's extension of the same gem and file stem, and its
    /// finding (another Ruby's build, another platform's gem). Nil when the path is no gem's or none is found.
    func rubyExtension(namedBy path: String) -> Explanation? {
        let components = EntryPath.components(path)
        guard let gems = components.lastIndex(of: "gems"), gems + 1 < components.count, let file = components.last else { return nil }
        let gem = String(components[gems + 1].prefix { $0 != "-" })
        let stem = String(file.prefix { $0 != "." })
        guard !gem.isEmpty, !stem.isEmpty else { return nil }
        let signal = ErrorSignal.rubyLoad(feature: gem + "/" + stem)
        for artifact in deployment.artifacts {
            for binary in artifact.binaries where (binary.fileName.prefix { $0 != "." }) == stem {
                guard EntryPath.components(binary.path).contains(where: { $0 == gem || $0.hasPrefix(gem + "-") }) else { continue }
                if let finding = gemFolderFinding(artifact: artifact.path, path: binary.path) ?? rootFinding(artifact: artifact.path, path: binary.path) {
                    return explained(signal, finding, evidence: [("looked for", "\(gem)'s \(stem) (the text names \(path))")])
                }
            }
        }
        return nil
    }

    /// A library name as JNI loaders and JAR names spell it, versions and platform words out: `zstd-jni-1.5.6-3`,
    /// `libzstd-jni-1.5.2-5.so`, `zstd_jni_1_5_2_5` and `zstd-jni-1.5.2-5-linux-aarch64.jar` are all `zstd_jni`.
    static func jniStem(_ name: String) -> String {
        var text = (name.split(separator: "/").last.map(String.init) ?? name).lowercased()
        for suffix in [".jar", ".so", ".dylib", ".jnilib", ".dll"] where text.hasSuffix(suffix) { text = String(text.dropLast(suffix.count)) }
        if text.hasPrefix("lib") { text = String(text.dropFirst(3)) }
        let words = text.split(whereSeparator: { "-_.".contains($0) }).map(String.init)
        return words.filter { word in !(word.first?.isNumber ?? true) && !Reachability.platformWords.contains(word) && word != "x86~64" }
            .joined(separator: "_")
    }

    /// Java: a JNI library by name (`no X in java.library.path`: `libX.so`), by resource path (`/linux-aarch_64/libX.so`
    /// inside a JAR, or a fat JAR unpacked into the function), or for a platform (`os.name=Linux, os.arch=aarch64`, with
    /// the folder the loader searched: `/org/sqlite/native/Linux/aarch64`).
    func javaNative(_ signal: ErrorSignal, library: String?, resource: String?, platform: String?) -> Explanation {
        let arch = runtime.architecture
        if let resource {
            let wanted = resource.hasPrefix("/") ? String(resource.dropFirst()) : resource
            let file = wanted.split(separator: "/").last.map(String.init) ?? wanted
            for artifact in deployment.artifacts {
                if let entry = artifact.entries.first(where: { EntryPath.inner($0.path) == wanted || $0.path.hasSuffix("/" + wanted) }) {
                    if let finding = rootFinding(artifact: artifact.path, path: entry.path) { return explained(signal, finding, evidence: [("looked for", resource)]) }
                    return notExplained(signal, "\(entry.path) in \(artifact.path) is there and loads on \(target.runtimeLabel)")
                }
            }
            let copies = deployment.artifacts.flatMap { artifact in
                artifact.entries.filter { EntryPath.components($0.path).last == file }.map { (artifact: artifact, path: $0.path) }
            }
            if let fitting = copies.first(where: { rootFinding(artifact: $0.artifact.path, path: $0.path) == nil }) {
                return Explanation(
                    signal: signal, outcome: .explained, rootCause: nil, module: nil, files: [(fitting.artifact.path, fitting.path)],
                    evidence: [("looked for", resource), ("found instead", copies.map(\.path).joined(separator: ", "))],
                    summary: "the library loads its JNI code from \(resource), which is not in the deployment; its \(arch.rawValue) build is at \(fitting.path) (in \(fitting.artifact.path)), a folder this version of its loader does not look in",
                    fix: "Use a version of the library whose loader finds its own Linux \(arch.rawValue) build (its release notes name the fix), or set the function's architecture to one it looks up correctly; as a stopgap, package \(fitting.path) also at \(wanted).")
            }
            if let copy = copies.first, let finding = rootFinding(artifact: copy.artifact.path, path: copy.path) {
                return explained(signal, finding, evidence: [("looked for", resource), ("found instead", copy.path)])
            }
        }
        if platform != nil {
            // The folder the loader searched, as the text names it, and what its parent holds instead.
            for case ErrorLocation.path(let path) in locations where path.lowercased().contains("native") {
                let wanted = path.hasPrefix("/") ? String(path.dropFirst()) : path
                let parent = wanted.split(separator: "/").dropLast().joined(separator: "/")
                guard !parent.isEmpty else { continue }
                for artifact in deployment.artifacts {
                    let inside = artifact.entries.filter { EntryPath.path(EntryPath.inner($0.path), isInside: parent) && $0.type == .file }
                    guard !inside.isEmpty, !inside.contains(where: { EntryPath.path(EntryPath.inner($0.path), isInside: wanted) }) else { continue }
                    let builds = Set(inside.compactMap { EntryPath.components(String(EntryPath.inner($0.path).dropFirst(parent.count + 1))).first }).sorted()
                    return Explanation(
                        signal: signal, outcome: .explained, rootCause: nil, module: nil, files: inside.map { (artifact.path, $0.path) },
                        evidence: [("looked for", "\(wanted)/ (\(platform ?? arch.rawValue))"), ("found instead", inside.map(\.path).joined(separator: ", "))],
                        summary: "the JNI library has builds for \(builds.joined(separator: ", ")) only (under \(parent)/ in \(artifact.path)); none for \(platform ?? arch.rawValue), the function's platform",
                        fix: "Use a version of the library that ships a Linux \(arch.rawValue) build (its JAR's \(wanted)/ folder, or its Linux classifier artifact), or set the function's architecture to one it has a build for.")
                }
            }
        }
        // A JAR the deployment holds with copies for other platforms only (`jni-library-missing`), or the copy the
        // JVM picks out of it with its own finding: by the library's name, versions and platform words out.
        let stems = Set(([library, resource].compactMap { $0 }).map(Self.jniStem).filter { !$0.isEmpty })
        if !stems.isEmpty {
            let missing = findings.first { finding in
                finding.check == "jni-library-missing"
                    && (stems.contains(Self.jniStem(finding.fact.split(separator: " ").first.map(String.init) ?? "")) || stems.contains(Self.jniStem(finding.path)))
            }
            if let missing {
                let found = explained(signal, missing, evidence: [("looked for", stems.sorted().joined(separator: ", "))])
                // The resource the library's loader looked for, as the text names it (zstd-jni: `cannot find
                // /linux/amd64/libzstd-jni.so`): its folder is the platform spelling the user will search the JAR for.
                guard let lookup = locations.lazy.compactMap({ location -> String? in
                    guard case .path(let path) = location, path.hasPrefix("/"), runtime.place(ofRuntimePath: path) == nil,
                        !path.hasPrefix("/tmp/"), stems.contains(Self.jniStem(path)) else { return nil }
                    return path
                }).first else { return found }
                return Explanation(
                    signal: signal, outcome: found.outcome, rootCause: missing, module: found.module, files: found.files,
                    evidence: found.evidence + [("loader looked for", lookup)],
                    summary: found.summary + "; the loader looked for \(lookup) in the JAR", fix: found.fix)
            }
            for artifact in deployment.artifacts {
                for binary in artifact.binaries where EntryPath.isNested(binary.path) && stems.contains(Self.jniStem(EntryPath.inner(binary.path))) {
                    if let finding = rootFinding(artifact: artifact.path, path: binary.path), finding.severity != .note {
                        return explained(signal, finding, evidence: [("looked for", stems.sorted().joined(separator: ", "))])
                    }
                }
            }
        }
        var names: [String] = []
        if let library { names += ["lib\(library).so", library] }
        var unsearched: [(artifact: Artifact, path: String, runtimePath: String)] = []
        for (artifact, role) in deployment.placed {
            for entry in artifact.entries where names.contains(EntryPath.components(EntryPath.inner(entry.path)).last ?? "") {
                if let finding = rootFinding(artifact: artifact.path, path: entry.path) {
                    return explained(signal, finding, evidence: [("looked for", names.joined(separator: ", "))])
                }
                // `System.loadLibrary` searches java.library.path only (on Lambda: LD_LIBRARY_PATH's folders, then the
                // JVM's own): a copy elsewhere in the deployment (a layer's java/lib/, beside the JARs) is never found.
                let runtimePath = runtime.runtimePath(entry.path, in: role)
                let folder = String(runtimePath[..<(runtimePath.lastIndex(of: "/") ?? runtimePath.startIndex)])
                if !EntryPath.isNested(entry.path), !runtime.libraries.path.contains(folder) {
                    unsearched.append((artifact, entry.path, runtimePath))
                }
            }
        }
        if let copy = unsearched.first, let library {
            let libraries = runtime.libraries
            return Explanation(
                signal: signal, outcome: .explained, rootCause: nil, module: library, files: unsearched.map { ($0.artifact.path, $0.path) },
                evidence: [("looked for", "lib\(library).so in java.library.path"), ("packaged at", copy.runtimePath),
                           ("searched", libraries.path.joined(separator: ":") + " and the JVM's own folders")],
                summary: "lib\(library).so is in the deployment at \(copy.runtimePath) (\(copy.path) in \(copy.artifact.path)), a folder not on java.library.path, where System.loadLibrary(\"\(library)\") looks",
                fix: "Move lib\(library).so to a layer's lib/ folder (\(libraries.layerFolder)) or the function's lib/ folder (\(libraries.functionFolder)), which are on java.library.path; a layer's java/lib/ is for JARs only (it is on the classpath, not the library path).")
        }
        let wanted = names.isEmpty ? "a JNI library for \(platform ?? arch.rawValue)" : names.joined(separator: " or ")
        return notExplained(
            signal, "shiplint finds no \(wanted) with a problem in this deployment (a JAR without a Linux \(arch.rawValue) build of it fails this way; JARs the deployment holds whole are read as the JVM reads them only by the JNI checks)",
            evidence: [("looked for", wanted)])
    }

    /// .NET's `Unable to load shared library 'X'`: `libX.so` / `X.so` / `X` at the function's root or under
    /// `runtimes/<rid>/native/`: its own finding, only other platforms' builds (`osx-*`, `win-*`), or none.
    func dotnetNative(_ signal: ErrorSignal, library: String) -> Explanation {
        if library == DotnetNativeName.icu { return dotnetICU(signal) }
        let base = library.hasSuffix(".dll") || library.hasSuffix(".so") ? String(library.prefix { $0 != "." }) : library
        // No copy for the runtime's RID, or one the app's .deps.json lists and the package lacks (dotnet-native-missing).
        let libraryName = NativeChoice.libraryName(base)
        let missing = findings.first { $0.check == "dotnet-native-missing" && $0.fact.hasPrefix(libraryName + " ") }
        // The names .NET probes, in its order (`libgdiplus` is tried as libgdiplus.so first, then liblibgdiplus.so).
        let names = base.hasPrefix("lib")
            ? ["\(base).so", "lib\(base).so", base, "\(base).dylib", "\(base).dll", library]
            : ["lib\(base).so", "\(base).so", base, "lib\(base).dylib", "\(base).dll", library]
        let rid = "linux-\(runtime.architecture.nodeCPU)"
        var loadable: [(artifact: Artifact, path: String)] = []
        var others: [(artifact: Artifact, path: String)] = []
        for artifact in deployment.artifacts {
            for entry in artifact.entries where entry.type == .file && names.contains(EntryPath.components(entry.path).last ?? "") {
                let components = EntryPath.components(entry.path)
                let entryRID: String? = components.firstIndex(of: "runtimes").flatMap { index -> String? in
                    index + 1 < components.count ? components[index + 1] : nil
                }
                // Only the RIDs the host accepts load (`linux-arm64` never does on x86_64, nor `linux-musl-x64`).
                let accepted = runtime.target.dotnet?.runtimeIdentifiers ?? TargetRuntime.Dotnet.portableRIDs(runtime.architecture)
                if let entryRID, !accepted.contains(entryRID) {
                    others.append((artifact, entry.path))
                } else {
                    loadable.append((artifact, entry.path))
                }
            }
        }
        if let missing {
            // The finding, and the copies for other platforms it is about.
            let found = explained(signal, missing, evidence: [("looked for", "\(libraryName) for \(rid)")])
            return Explanation(
                signal: signal, outcome: found.outcome, rootCause: missing, module: library,
                files: found.files + others.map { ($0.artifact.path, $0.path) }, evidence: found.evidence, summary: found.summary, fix: found.fix)
        }
        for candidate in loadable {
            if let finding = rootFinding(artifact: candidate.artifact.path, path: candidate.path), finding.severity != .note {
                return explained(signal, finding, evidence: [("looked for", names.prefix(3).joined(separator: ", "))])
            }
        }
        if let candidate = loadable.first {
            return notExplained(signal, "\(candidate.path) in \(candidate.artifact.path) is there and loads on \(target.runtimeLabel)")
        }
        if let first = others.first {
            return Explanation(
                signal: signal, outcome: .explained, rootCause: nil, module: library, files: others.map { ($0.artifact.path, $0.path) },
                evidence: [("looked for", "\(names[0]) for \(rid)"), ("found instead", others.map(\.path).joined(separator: ", "))],
                summary: "the deployment has \(library) only for other platforms (\(first.path) in \(first.artifact.path)); there is no runtimes/\(rid)/native build for \(target.runtimeLabel)",
                fix: "Publish for Lambda's platform: `dotnet publish -c Release -r \(rid) --self-contained false` (or `dotnet lambda package --function-architecture \(runtime.architecture.lambdaName)`), with a version of the package that ships runtimes/\(rid)/native.")
        }
        // In no build at all: loaded by name (DllImport, NativeLibrary.Load) from the runtime's folders, which have
        // it or not (System.Drawing's libgdiplus is in no Lambda runtime).
        let soname = names[0]
        if let present = runtimeCopy(of: soname) {
            return notExplained(signal, "\(present) is the runtime's own (\(target.runtimeLabel) has it), and no build of \(library) is in this deployment: this log may belong to another artifact", evidence: [("looked for", names.prefix(3).joined(separator: ", "))])
        }
        let libraries = runtime.libraries
        var summary = "\(library) is loaded by name at run time (.NET's DllImport or NativeLibrary.Load), and no \(soname) is in the deployment or in \(target.runtimeLabel)"
        var fix = "Ship the Linux build of \(library) (\(soname), for \(target.runtimeLabel)): from the NuGet package that provides its runtimes/\(rid)/native asset (`dotnet publish -c Release -r \(rid) --self-contained false` deploys it), or in a layer's lib/ folder (\(libraries.layerFolder)) with the libraries it needs."
        if base.lowercased().hasSuffix("gdiplus") {
            summary += "; System.Drawing on Linux needs the native GDI+ (libgdiplus), which no Lambda runtime has"
            fix += " System.Drawing.Common is supported on Windows only since .NET 6: use a library without native GDI+ (SkiaSharp with SkiaSharp.NativeAssets.Linux.NoDependencies, or ImageSharp), or ship libgdiplus with its dependencies (libcairo, libfontconfig, libpng, libjpeg …) in a layer's lib/."
        }
        return Explanation(
            signal: signal, outcome: .explained, rootCause: nil, module: library, files: [],
            evidence: [("loaded by name", "\(library): probed as \(names.prefix(3).joined(separator: ", "))"),
                       ("searched", libraries.path.joined(separator: ":") + " and the system's folders")],
            summary: summary, fix: fix)
    }

    /// The runtime's own library `soname`, or any version of it (`libicuuc.so.67` for `libicuuc.so`), by its listing.
    func runtimeCopy(of soname: String) -> String? {
        if target.libraries.present.contains(soname) { return soname }
        return target.libraries.present.sorted().first { $0.hasPrefix(soname + ".") }
    }

    /// .NET's globalization found no ICU at startup (`Couldn't find a valid ICU package`): it probes libicuuc.so.<N>
    /// by name in the runtime's folders and the deployment's lib/ folders. Explained by the runtime lacking it and the
    /// deployment not shipping it; a deployment that ships it where the loader does not look is said.
    func dotnetICU(_ signal: ErrorSignal) -> Explanation {
        let libraries = runtime.libraries
        let evidence = [("loaded by name", "libicuuc.so.<version>, libicui18n.so.<version> (.NET globalization, at startup)"),
                        ("searched", libraries.path.joined(separator: ":") + " and the system's folders")]
        if let present = runtimeCopy(of: "libicuuc.so") {
            return notExplained(signal, "\(target.runtimeLabel) has ICU (\(present)): this log may belong to another artifact or runtime", evidence: evidence)
        }
        let copies = libraryCopies(named: { $0.hasPrefix("libicuuc.so") })
        if let reachable = copies.first(where: \.reachable) {
            return notExplained(signal, "ICU is on the loader's path at \(reachable.runtimePath) (\(reachable.path) in \(reachable.artifact.path))", evidence: evidence)
        }
        let invariant = "Run without ICU: set <InvariantGlobalization>true</InvariantGlobalization> in the project (or the function's environment variable DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1; culture-specific formatting is then invariant)"
        if let copy = copies.first {
            return Explanation(
                signal: signal, outcome: .explained, rootCause: nil, module: "ICU", files: [(copy.artifact.path, copy.path)],
                evidence: evidence + [("packaged at", copy.runtimePath)],
                summary: "ICU (libicuuc), which .NET's globalization loads by name at startup, is packaged at \(copy.runtimePath), in no folder the loader searches; \(target.runtimeLabel) has no ICU of its own",
                fix: "Move ICU's libraries (libicuuc, libicui18n, libicudata) to a layer's lib/ folder (\(libraries.layerFolder)) or the function's lib/ (\(libraries.functionFolder)). Or: \(invariant).")
        }
        return Explanation(
            signal: signal, outcome: .explained, rootCause: nil, module: "ICU", files: [], evidence: evidence,
            summary: "ICU (libicuuc, libicui18n), which .NET's globalization loads by name at startup, is neither in the deployment nor in \(target.runtimeLabel)",
            fix: "\(invariant); or ship ICU built for \(target.runtimeLabel) (libicuuc, libicui18n, libicudata from its libicu package) in a layer's lib/ folder (\(libraries.layerFolder)).")
    }
}

/// Names `ErrorSignal.dotnetNative` carries for what .NET loads by name itself rather than by a DllImport's name.
enum DotnetNativeName {
    /// ICU, which globalization probes at startup (`Couldn't find a valid ICU package`).
    static let icu = "ICU (libicuuc)"
}

/// The npm package folder of a path under `node_modules` (`/opt/nodejs/node_modules/sharp/index.js` →
/// `/opt/nodejs/node_modules/sharp`, `sharp`).
struct NodePackageFolder {
    let name: String
    let runtimeFolder: String

    init?(runtimePath: String) {
        guard let range = runtimePath.lastRange(of: "node_modules/") else { return nil }
        let rest = runtimePath[range.upperBound...].split(separator: "/")
        guard let first = rest.first else { return nil }
        let name = first.hasPrefix("@") && rest.count > 1 ? "\(first)/\(rest[1])" : String(first)
        self.name = name
        runtimeFolder = String(runtimePath[..<range.upperBound]) + name
    }
}
