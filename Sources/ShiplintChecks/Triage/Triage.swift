import ShiplintFacts
import ShiplintTargets

/// One error signal explained against a deployment: the root cause, the evidence, and the fix.
public struct Explanation: Sendable {
    public enum Outcome: String, Sendable {
        /// The artifact reproduces the error: `rootCause` (or `summary`) says why.
        case explained
        /// The artifact does not produce this error (a different artifact or target, or the wrong log).
        case notExplained = "not-explained"
    }

    public let signal: ErrorSignal
    public let outcome: Outcome
    /// The finding that causes the error, when a check names it.
    public let rootCause: Finding?
    /// The module the failing import named, for a missing module.
    public let module: String?
    /// Files involved, as `artifact` + path inside it.
    public let files: [(artifact: String, path: String)]
    /// The facts compared, each as a label and a value (`looked for`, `found instead`, `target`).
    public let evidence: [(label: String, value: String)]
    /// The root cause in one sentence.
    public let summary: String
    public let fix: String
    /// How many log events this cause gave (the same failure on every invocation is explained once).
    public var seen = 1
}

/// Turns an error text from a failing function into its root cause in the deployed artifact.
public enum Triage {
    /// Each cause once: signals that come to the same root cause (or the same summary) are one explanation, with
    /// the number of events that gave them. `locations`: every place the text names (`ErrorTextReading.locations`). The explanation is the artifact's: each
    /// signal's family says what to look for, the places say where; a text no family matches is explained by what the
    /// artifact has at the places it names.
    public static func explain(
        _ occurrences: [(signal: ErrorSignal, count: Int)], locations: [ErrorLocation] = [], result: ScanResult, deployment: DeploymentContext
    ) -> [Explanation] {
        let context = TriageContext(result: result, deployment: deployment, locations: locations)
        var explanations: [Explanation] = []
        var keys: [String] = []
        for (signal, count) in context.signalsToExplain(occurrences) {
            var explanation = context.explain(signal)
            explanation.seen = count
            let key = explanation.rootCause.map { "\($0.check)\u{0}\($0.artifact)\u{0}\($0.path)" } ?? explanation.outcome.rawValue + "\u{0}" + explanation.summary
            if let index = keys.firstIndex(of: key) {
                // The same signal again is another event; another signal of one cause (Lambda's errorType line and
                // the loader's message) is most likely the same events told twice.
                let seen = explanations[index].signal == signal ? explanations[index].seen + count : max(explanations[index].seen, count)
                if case .invalidEntrypoint = explanations[index].signal { explanations[index] = explanation }
                explanations[index].seen = seen
            } else {
                keys.append(key)
                explanations.append(explanation)
            }
        }
        // A fallback chain (psycopg's `Attempts made:` list of implementations, `try: import ujson` / `except
        // ImportError`): the code tried several modules in turn, so a module installed nowhere, beside a failed import
        // the artifact explains, is an alternative the code tried first, not a cause.
        func isImport(_ signal: ErrorSignal) -> Bool {
            switch signal {
            case .missingModule, .unplacedModule: true
            default: false
            }
        }
        if explanations.contains(where: { $0.outcome == .explained && isImport($0.signal) }) {
            explanations.removeAll { $0.outcome == .notExplained && $0.files.isEmpty && isImport($0.signal) }
        }
        return explanations
    }

    public static func explain(_ signal: ErrorSignal, result: ScanResult, deployment: DeploymentContext) -> Explanation {
        TriageContext(result: result, deployment: deployment).explain(signal)
    }

    /// Without an error text: every import (or entry point) that would fail on the target, with its root cause.
    public static func failingImports(result: ScanResult, deployment: DeploymentContext) -> [(module: String, finding: Finding)] {
        let graph = deployment.loadGraph
        var rows: [(module: String, finding: Finding)] = []
        var seen = Set<String>()
        for scan in result.artifacts {
            for finding in scan.findings where finding.severity == .error {
                // Which importable modules does this file break? Itself if it is one, else the roots that load it.
                var modules: [String] = []
                if let object = graph.objects.firstIndex(where: { $0.artifact == finding.artifact && $0.path == finding.path }) {
                    for load in graph.loads where load.root == object || load.edges.contains(where: { edge in
                        if case .bundled(let found, _, _) = edge.resolution { return found == object } else { return false }
                    }) {
                        let root = graph.objects[load.root]
                        modules.append(TriageContext.moduleName(root.path, in: deployment.role(of: root.artifact), runtime: deployment.runtime))
                    }
                }
                if modules.isEmpty {
                    modules = [TriageContext.moduleName(finding.path, in: deployment.role(of: finding.artifact), runtime: deployment.runtime)]
                }
                for module in modules where seen.insert(module + "\u{0}" + finding.path).inserted {
                    rows.append((module, finding))
                }
            }
        }
        return rows
    }
}

struct TriageContext {
    let result: ScanResult
    let deployment: DeploymentContext
    /// Every place the error text names.
    var locations: [ErrorLocation] = []

    /// One signal explained by its family, against the artifact.
    func explain(_ signal: ErrorSignal) -> Explanation {
        switch signal {
        case .missingModule(let module): return missingModule(signal, module: module)
        case .unplacedModule(let module): return unplacedModule(signal, module: module)
        case .missingLibrary(let soname, let requiredBy): return missingLibrary(signal, soname: soname, requiredBy: requiredBy)
        case .unloadableFile(let path): return unloadableFile(signal, path: path)
        case .permissionDenied(let path): return permissionDenied(signal, path: path)
        case .misalignedELF(let path): return findingOn(signal, path: path, checks: ["not-loadable", "corrupt-binary"])
        case .missingVersion(let version, _, let requiredBy): return missingVersion(signal, version: version, requiredBy: requiredBy)
        case .invalidELFHeader(let path): return findingOn(signal, path: path, checks: ["windows-binary", "darwin-binary", "corrupt-binary"])
        case .wrongELFClass(let path, _): return findingOn(signal, path: path, checks: ["wrong-arch"])
        case .undefinedSymbol(let symbol, let path): return undefinedSymbol(signal, symbol: symbol, path: path)
        case .executableStack(let path): return findingOn(signal, path: path, checks: ["exec-stack"])
        case .nodeABI(let path, let built, let running): return nodeABI(signal, path: path, built: built, running: running)
        case .invalidEntrypoint: return invalidEntrypoint(signal)
        case .missingNodePackage(let name): return missingNodePackage(signal, name: name)
        case .prismaEngine(let platform): return prismaEngine(signal, platform: platform)
        case .execFailed(let path, let reason): return execFailed(signal, path: path, reason: reason)
        case .missingNodeAddon(let name): return missingNodeAddon(signal, name: name)
        case .rubyLoad(let feature): return rubyLoad(signal, feature: feature)
        case .javaNative(let library, let resource, let platform): return javaNative(signal, library: library, resource: resource, platform: platform)
        case .dotnetNative(let library): return dotnetNative(signal, library: library)
        case .noNativeBuild(let platform): return noNativeBuild(signal, platform: platform)
        case .packageMessage(let message): return packageMessage(signal, message: message)
        case .locations(let locations): return atLocations(signal, locations)
        }
    }

    var target: TargetRuntime { deployment.target }
    var runtime: RuntimeView { deployment.runtime }
    var findings: [Finding] { result.artifacts.flatMap(\.findings) }

    /// The import name of a file: `pkg/_mod.cpython-313-x86_64-linux-gnu.so` is `pkg._mod` (in a layer, relative to
    /// its folder on the module path).
    static func moduleName(_ path: String, in role: ArtifactRole?, runtime: RuntimeView) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let module = ExtensionModuleName(fileName: name)?.module ?? String(name.prefix { $0 != "." })
        return runtime.importName(ofModule: module, at: path, in: role ?? .function)
    }

    /// Where a runtime path (`/var/task/x`, `/opt/python/y`) lives in the deployment: the function or the last layer
    /// holding it. Relative paths are taken as inside the function.
    func locate(_ runtimePath: String) -> (artifact: Artifact, path: String)? {
        let place = runtime.place(ofRuntimePath: runtimePath)
        if let place, place.inLayers {
            let inner = place.path
            return deployment.layers.last { $0.entries.contains { $0.path == inner } || $0.binaries.contains { $0.path == inner } }.map { ($0, inner) }
        }
        // `./x` is relative to the working directory, the task root.
        let inner = place?.path ?? (runtimePath.hasPrefix("./") ? String(runtimePath.dropFirst(2)) : runtimePath)
        if let function = deployment.function, function.entries.contains(where: { $0.path == inner }) || function.binaries.contains(where: { $0.path == inner }) {
            return (function, inner)
        }
        // A full runtime path settles the side: /var/task/x is the function's or nothing.
        if place != nil { return nil }
        // A bare file name (as Node and some loaders print): the first file of that name anywhere.
        let name = runtimePath.split(separator: "/").last.map(String.init) ?? runtimePath
        for artifact in deployment.artifacts {
            if let binary = artifact.binaries.first(where: { $0.fileName == name && !$0.path.contains("!") }) { return (artifact, binary.path) }
        }
        return nil
    }

    /// The root-cause finding on a file: findings are already sorted root cause first.
    func rootFinding(artifact: String, path: String, checks: [String]? = nil) -> Finding? {
        findings.first { $0.artifact == artifact && $0.path == path && (checks?.contains($0.check) ?? true) }
    }

    func explained(_ signal: ErrorSignal, _ finding: Finding, module: String? = nil, evidence: [(String, String)] = []) -> Explanation {
        let (fix, installed) = fixFor(finding)
        return Explanation(
            signal: signal, outcome: .explained, rootCause: finding, module: module,
            files: [(finding.artifact, finding.path)], evidence: evidence + installed,
            summary: "\(finding.path) in \(finding.artifact): \(finding.message)", fix: fix)
    }

    /// pip for the function's build folder, or a layer's python/.
    func installCommand(into artifact: Artifact) -> String {
        deployment.advice(for: deployment.role(of: artifact.path) ?? .function).pip()
    }

    /// The finding's fix for what is there: the installed distribution and its real alternative, and a layer's own
    /// install folder.
    func fixFor(_ finding: Finding) -> (fix: String, evidence: [(String, String)]) {
        guard let artifact = deployment.artifacts.first(where: { $0.path == finding.artifact }) else { return (finding.fix, []) }
        let role = deployment.role(of: artifact.path) ?? .function
        let origin = FileOrigin(path: finding.path, in: artifact, role: role, runtime: runtime)
        let advice = FixAdvice(runtime: runtime, deployment: deployment)
        var (fix, evidence) = languageFix(finding, artifact: artifact, role: role, origin: origin)
        // The file's own origin decides when it speaks another language than the runtime (an extension, an npm
        // package on provided.al2, a library no package manager installed).
        if let byOrigin = advice.fix(for: finding, origin: origin) { fix = byOrigin }
        if FixAdvice.platformChecks.contains(finding.check), let tool = advice.buildToolAdvice(for: origin) { fix += " " + tool }
        return (fix, evidence)
    }

    /// The check's fix for what is installed: the wheel's distribution and its real alternative, a layer's own install
    /// folder, the npm package that installed the file.
    func languageFix(_ finding: Finding, artifact: Artifact, role: ArtifactRole, origin: FileOrigin) -> (fix: String, evidence: [(String, String)]) {
        switch origin {
        case .nodePackage(let owner):
            return (finding.fix, [("installed by", "\(owner.name) \(owner.version) (\(owner.folder))")])
        case .lambdaExtension(let name):
            return (finding.fix, [("extension", "\(name), started by Lambda from \(runtime.extensionsFolder)")])
        case .wheel(let distribution) where target.python != nil:
            let advice = deployment.advice(for: role)
            // The finding's own fix already names the artifact's install folder; the file alone goes where its
            // distribution is installed (`build/lib/` for a function that installed into lib/).
            let folder = distribution.root.isEmpty ? advice.folder : (role == .function ? advice.folder + distribution.root : distribution.root)
            let evidence = [("installed by", "\(distribution.name) \(distribution.version) (\(distribution.folder))")]
            var fix = finding.fix
            if folder != advice.folder { fix = fix.replacingText("--target \(advice.folder) ", with: "--target \(folder) ") }
            // A twin without the GUI only helps where the GUI's libraries are what is missing.
            if let alternative = finding.check == "missing-library" ? distribution.alternative(for: finding.fact) : distribution.alternative,
                finding.check == "missing-library" || InstalledDistribution.normalised(distribution.name) == "psycopg2"
            {
                fix = "Install \(alternative.name) instead of \(distribution.name) \(distribution.version) (\(alternative.why)): remove \(distribution.name) from requirements.txt and run `\(advice.pip(requirement: alternative.name, into: folder))`."
            } else if ["python-abi-mismatch", "wrong-arch", "windows-binary", "darwin-binary", "musl-binary", "wheel-tag-mismatch"].contains(finding.check) {
                fix += " For this file alone: `\(advice.pip(requirement: "\(distribution.name)==\(distribution.version)", into: folder))` (if that version has no such wheel, pin one that has)."
            }
            return (fix, evidence)
        default:
            return (finding.fix, [])
        }
    }

    func notExplained(_ signal: ErrorSignal, _ summary: String, module: String? = nil, evidence: [(String, String)] = []) -> Explanation {
        Explanation(
            signal: signal, outcome: .notExplained, rootCause: nil, module: module, files: [], evidence: evidence,
            summary: summary,
            fix: "Check that the log and the artifact belong together (same build, same function), and that --target is the function's runtime and architecture.")
    }

    // MARK: - Signals

    static let slsRequirements = ".requirements.zip"

    /// The folder holding the top package of `relative` (`lxml/etree`) as a path the text names proves the runtime found
    /// it there (`/var/task/lib/lxml/__init__.py`): that folder's parent as a place the import looks, nil when the text
    /// names none in the deployment.
    func foundPackage(_ relative: String) -> (artifact: Artifact, prefix: String, runtime: String)? {
        let package = relative.split(separator: "/").dropLast().joined(separator: "/")
        guard !package.isEmpty else { return nil }
        for case .path(let path) in locations {
            guard let place = runtime.place(ofRuntimePath: path), let range = place.path.firstRange(ofText: package + "/") else { continue }
            let parent = String(place.path[..<range.lowerBound])
            guard parent.isEmpty || parent.hasSuffix("/") else { continue }
            let root = path.hasPrefix(runtime.layerRoot + "/") ? runtime.layerRoot : runtime.taskRoot
            let artifacts = place.inLayers ? deployment.layers.reversed() : (deployment.function.map { [$0] } ?? [])
            if let artifact = artifacts.first(where: { $0.entries.contains { $0.path.hasPrefix(parent + package + "/") } }) {
                return (artifact, parent, LambdaFileSystem.path(root, String(parent.dropLast())))
            }
        }
        return nil
    }

    /// A file suffix a Python import could have meant (an extension or a module), not a type stub or data file.
    static func isModuleFile(_ suffix: String) -> Bool {
        [".so", ".pyd", ".dylib", ".dll", ".py", ".pyc"].contains { suffix.hasSuffix($0) }
    }

    /// Where an import looks, in order: the function root (and serverless-python-requirements' unpacked
    /// `.requirements.zip`), then each layer's Python folders.
    func modulePlaces() -> [(artifact: Artifact, prefix: String, runtime: String)] {
        var places: [(artifact: Artifact, prefix: String, runtime: String)] = []
        if let function = deployment.function {
            places.append((function, "", runtime.taskRoot))
            // serverless-python-requirements with `zip: true` packs the packages into .requirements.zip, which its
            // unzip_requirements module unpacks to /tmp/sls-py-req and puts on sys.path at the first import.
            if function.entries.contains(where: { $0.path.hasPrefix(Self.slsRequirements + "!") }) {
                places.append((function, Self.slsRequirements + "!", "/tmp/sls-py-req"))
            }
        }
        for (layer, role) in deployment.placed where role != .function {
            for folder in runtime.pythonPath?.layerFolders ?? [] {
                places.append((layer, folder + "/", runtime.runtimePath(folder, in: role)))
            }
        }
        return places
    }

    /// A package's own words for an import that failed inside it (a text that names no place): each installed
    /// top-level package the words name (`IfcOpenShell` names ifcopenshell/), with the finding on a file in it; else
    /// not explained.
    func packageMessage(_ signal: ErrorSignal, message: String) -> Explanation {
        let words = Set(message.lowercased().split { !($0.isLetter || $0.isNumber || $0 == "_") }.map(String.init))
        var named: [String] = []
        for place in modulePlaces() {
            for entry in place.artifact.entries where entry.path.hasPrefix(place.prefix) && entry.path.hasSuffix("/__init__.py") {
                let parts = entry.path.dropFirst(place.prefix.count).split(separator: "/")
                guard parts.count == 2, parts[0].count >= 4, words.contains(parts[0].lowercased()) else { continue }
                let package = String(parts[0])
                named.append(package)
                for file in place.artifact.entries where file.path.hasPrefix(place.prefix + package + "/") {
                    if let finding = rootFinding(artifact: place.artifact.path, path: file.path) {
                        return explained(signal, finding, module: package, evidence: [("the message names", "\(package) (\(place.runtime)/\(package)/)"), ("found", file.path)])
                    }
                }
            }
        }
        let summary = named.isEmpty
            ? "the import failed with a package's own message, and it names no package installed here"
            : "the import failed with \(named.joined(separator: ", "))'s own message, and shiplint finds nothing wrong with its files here"
        return notExplained(signal, summary)
    }

    /// A module the text names without its package (`cannot import name '_imaging'`, an extension without
    /// `PyInit_multiarray`): the native files of that name anywhere on the module path, and the root cause on them.
    func unplacedModule(_ signal: ErrorSignal, module: String) -> Explanation {
        let places = modulePlaces()
        var found: [(artifact: Artifact, path: String)] = []
        for place in places {
            for entry in place.artifact.entries where entry.path.hasPrefix(place.prefix) && !entry.path.dropFirst(place.prefix.count).contains("!") {
                let name = entry.path.split(separator: "/").last.map(String.init) ?? entry.path
                guard name.hasPrefix(module + "."), [".so", ".pyd", ".dylib", ".dll"].contains(where: { name.hasSuffix($0) }) else { continue }
                found.append((place.artifact, entry.path))
            }
        }
        let lookedFor = "\(module).* (a compiled module of that name, in any package) in \(places.map(\.runtime).joined(separator: ", "))"
        for candidate in found {
            if let finding = rootFinding(artifact: candidate.artifact.path, path: candidate.path) {
                return explained(signal, finding, module: module, evidence: [("looked for", lookedFor), ("found", candidate.path)])
            }
        }
        if let candidate = found.first {
            return notExplained(
                signal, "\(candidate.path) in \(candidate.artifact.path) is the compiled module \(module), and shiplint finds nothing wrong with it",
                module: module, evidence: [("looked for", lookedFor), ("found", candidate.path)])
        }
        return notExplained(
            signal, "no compiled module named \(module) is in the function or its layers: either it was never installed, or this log belongs to another artifact",
            module: module, evidence: [("looked for", lookedFor)])
    }

    func missingModule(_ signal: ErrorSignal, module: String) -> Explanation {
        let relative = module.split(separator: ".").joined(separator: "/")
        let suffixes = target.python?.extensionSuffixes ?? [".so"]
        let importable = suffixes + [".py", ".pyc", "/__init__.py"]
        // The text's own evidence first: `cannot import name 'etree' from 'lxml' (/var/task/lib/lxml/__init__.py)`
        // proves the runtime found the package at that folder, whatever the module path says.
        var places = foundPackage(relative).map { [$0] } ?? []
        places += modulePlaces()
        let lookedFor = "\(relative){\(suffixes.joined(separator: ", ")), .py, /__init__.py} in \(places.map(\.runtime).joined(separator: ", "))"
        var instead: [(artifact: Artifact, path: String)] = []
        for place in places {
            for entry in place.artifact.entries where entry.path.hasPrefix(place.prefix + relative) {
                let rest = String(entry.path.dropFirst(place.prefix.count + relative.count))
                if importable.contains(rest) {
                    return notExplained(
                        signal, "\(place.runtime)/\(relative)\(rest) is there and has the name the import looks for", module: module,
                        evidence: [("looked for", lookedFor), ("found", "\(entry.path) in \(place.artifact.path)")])
                }
                if rest.hasPrefix(".") && !rest.dropFirst().contains("/") && Self.isModuleFile(rest) { instead.append((place.artifact, entry.path)) }
            }
        }
        // Files with the module's name but a suffix this CPython does not accept: the root cause is on them.
        for candidate in instead {
            if let finding = rootFinding(artifact: candidate.artifact.path, path: candidate.path) {
                return explained(signal, finding, module: module, evidence: [("looked for", lookedFor), ("found instead", candidate.path)])
            }
        }
        // `cannot import name 'x509' from 'cryptography.hazmat.bindings._rust' (unknown location)`: the package it was
        // imported from is a folder without an extension CPython can load beside it (there `_rust/` holds only type
        // stubs, so CPython made it a namespace package); the cause is on the extension of that name it could not use.
        let parent = relative.split(separator: "/").dropLast().joined(separator: "/")
        if !parent.isEmpty {
            for place in places {
                for entry in place.artifact.entries where entry.path.hasPrefix(place.prefix + parent + ".") {
                    let rest = String(entry.path.dropFirst(place.prefix.count + parent.count))
                    guard !rest.contains("/"), Self.isModuleFile(rest),
                          let finding = rootFinding(artifact: place.artifact.path, path: entry.path) else { continue }
                    return explained(signal, finding, module: module, evidence: [("looked for", lookedFor), ("found instead", entry.path)])
                }
            }
        }
        if let candidate = instead.first {
            return Explanation(
                signal: signal, outcome: .explained, rootCause: nil, module: module, files: [(candidate.artifact.path, candidate.path)],
                evidence: [("looked for", lookedFor), ("found instead", candidate.path)],
                summary: "\(candidate.path) in \(candidate.artifact.path) has a name CPython \(target.python?.version.description ?? "") does not import (it accepts \(suffixes.joined(separator: ", ")))",
                fix: "Install the package built for \(target.platform.runtime ?? target.name): `\(installCommand(into: candidate.artifact))`.")
        }
        // The package is where the import looks but the module is in it in no form: for a compiled extension, a
        // package installed from its source distribution without building it, or the file left out when zipping.
        if !parent.isEmpty, let leaf = relative.split(separator: "/").last.map(String.init) {
            for place in places {
                guard let initFile = place.artifact.entries.first(where: { $0.path == place.prefix + parent + "/__init__.py" }) else { continue }
                let package = parent.replacingText("/", with: ".")
                let distribution = InstalledDistribution.owning(initFile.path, in: place.artifact)
                let requirement = distribution.map { "\($0.name)==\($0.version)" } ?? String(package.split(separator: ".").first ?? "")
                let installed = distribution.map { [("installed by", "\($0.name) \($0.version) (\($0.folder))")] } ?? []
                let advice = deployment.advice(for: deployment.role(of: place.artifact.path) ?? .function)
                return Explanation(
                    signal: signal, outcome: .explained, rootCause: nil, module: module, files: [(place.artifact.path, initFile.path)],
                    evidence: [("looked for", lookedFor), ("found", "\(place.runtime)/\(parent)/ without \(leaf) (\(initFile.path) in \(place.artifact.path))")] + installed,
                    summary: "\(package) is installed (\(place.prefix)\(parent)/ in \(place.artifact.path)) but holds no module \(leaf) in any form: if \(leaf) is its compiled extension, the package was installed from its source distribution without being built (no compiler or Rust toolchain where it was installed), or the file was left out when zipping",
                    fix: "Install the built wheel for Lambda, which refuses source distributions: `\(advice.pip(requirement: requirement))`, and zip what it installs as it is.")
            }
        }
        // Anywhere else in the deployment (a layer laid out for another Python, an extra top folder)?
        let top = String(relative.split(separator: "/").first ?? "")
        for artifact in deployment.artifacts {
            if let misplaced = artifact.entries.first(where: { $0.path.contains("/" + relative + ".") || $0.path.contains("/" + top + "/") && !$0.path.contains("!") }) {
                let layout = findings.first { $0.artifact == artifact.path && $0.check == "layer-layout" }
                if let layout { return explained(signal, layout, module: module, evidence: [("looked for", lookedFor), ("found elsewhere", misplaced.path)]) }
                return Explanation(
                    signal: signal, outcome: .explained, rootCause: nil, module: module, files: [(artifact.path, misplaced.path)],
                    evidence: [("looked for", lookedFor), ("found elsewhere", misplaced.path)],
                    summary: "\(top) is in \(artifact.path) at \(misplaced.path), which is not on the runtime's module path",
                    fix: "Put packages at the root of the function ZIP, or under python/ (or python/lib/python\(target.python.map { "\($0.version)" } ?? "3.x")/site-packages/) in a layer.")
            }
        }
        // Absent altogether: never installed, or this log belongs to another artifact; shiplint cannot tell which.
        return Explanation(
            signal: signal, outcome: .notExplained, rootCause: nil, module: module, files: [],
            evidence: [("looked for", lookedFor)],
            summary: "\(top) is not in the function or its layers at all: either it was never installed, or this log belongs to another artifact",
            fix: target.python == nil
                ? "If the function needs it, package it with the function or add the layer that provides it."
                : "If the function needs it, install it into the folder you zip: `\(deployment.advice.pip())`, or add the layer that provides it.")
    }

    func missingLibrary(_ signal: ErrorSignal, soname: String, requiredBy: String?) -> Explanation {
        let graph = deployment.loadGraph
        let located = requiredBy.flatMap(locate)
        let edges = graph.missing.filter { edge in
            edge.soname == soname && (located.map { graph.objects[edge.from].artifact == $0.artifact.path && graph.objects[edge.from].path == $0.path } ?? true)
        }
        for edge in edges {
            let object = graph.objects[edge.from]
            // The finding about the library the log names (a binary missing libssl.so.10 and libcrypto.so.10 has one
            // for each): never another library in its place.
            let onObject = findings.filter { $0.artifact == object.artifact && $0.path == object.path && $0.check == "missing-library" }
            if let finding = onObject.first(where: { $0.fact.split(separator: " ").first.map(String.init) == soname }) ?? onObject.first {
                // A JNI library in a JAR: the JVM loads it from its copy in /tmp, the path the log shows.
                if object.path.lowercased().contains(".jar!"), let artifact = deployment.artifacts.first(where: { $0.path == object.artifact }) {
                    return explainedJNI(signal, (artifact, object.path), soname: soname, rootCause: finding)
                }
                let found = explained(signal, finding, evidence: [("error", "\(soname): cannot open shared object file")])
                // The deployment has it, where the loader does not look (a layer's python/lib/, a nested folder):
                // that copy is the file to move, and "neither in the deployment" would be wrong.
                guard let copy = libraryCopies(of: soname).first(where: { !$0.reachable }) else { return found }
                let libraries = runtime.libraries
                return Explanation(
                    signal: signal, outcome: found.outcome, rootCause: finding, module: found.module,
                    files: found.files + [(copy.artifact.path, copy.path)],
                    evidence: found.evidence + [("packaged at", "\(copy.runtimePath) (not searched)")],
                    summary: "\(finding.path) in \(finding.artifact) needs \(soname), and the deployment's copy at \(copy.runtimePath) (\(copy.path) in \(copy.artifact.path)) is in no folder the loader searches (\(libraries.path.joined(separator: ":")))",
                    fix: "Move \(soname) (and the libraries it needs) to a layer's lib/ folder (\(libraries.layerFolder)) or the function's lib/ folder (\(libraries.functionFolder)): that is lib/ at the top level of the layer ZIP (or of the function ZIP), not in a subfolder.")
            }
        }
        // Binaries that need it but cannot load at all here (musl, wrong architecture): their root cause.
        for artifact in deployment.artifacts {
            for binary in artifact.binaries where binary.facts?.needed.contains(soname) == true {
                if let finding = rootFinding(artifact: artifact.path, path: binary.path, checks: ["musl-binary", "wrong-arch"]) {
                    return explained(signal, finding)
                }
            }
        }
        if let jni = jniLibraryNeeding(soname, loadedAs: requiredBy) { return explainedJNI(signal, jni, soname: soname) }
        let needers = graph.firstResolutions.filter { $0.soname == soname }
        if let edge = needers.first {
            return notExplained(
                signal, "every binary that needs \(soname) finds it here (\(DependencyText.describe(edge.resolution, graph: graph)))",
                evidence: [("needed by", graph.objects[edge.from].path)])
        }
        // The program that needs it is under /tmp, Lambda's only writable folder: the code wrote it at run time
        // (unpacked from an archive it carries, as chromium packages do, or downloaded), so it is not in the deployment
        // as uploaded and which of its libraries is absent cannot be read here. Not "loaded by name": it links it.
        if let requiredBy, requiredBy.hasPrefix("/tmp/") {
            let runtimeHas = target.libraries.present.contains(soname)
            return notExplained(
                signal,
                "\(requiredBy) needs \(soname), and \(requiredBy) is not in the deployment as uploaded: the code writes it at run time (unpacked from an archive it carries, or downloaded), so shiplint cannot read it; \(target.runtimeLabel) \(runtimeHas ? "has" : "does not have") \(soname)\(runtimeHas ? "" : ", so it has to come with that program (in the archive it is unpacked from, or a layer's lib/)")",
                evidence: [("needed by", "\(requiredBy) (written at run time)")])
        }
        return loadedByName(signal, soname: soname)
    }

    /// No binary links `soname` (no DT_NEEDED names it): code loads it by name at run time (ctypes.CDLL, cffi's
    /// dlopen, ctypes.util.find_library, Node's process.dlopen), and the loader searches LD_LIBRARY_PATH and the system's
    /// folders. Absent everywhere, or packaged outside those folders, is the cause; the runtime having it is not.
    func loadedByName(_ signal: ErrorSignal, soname: String) -> Explanation {
        if target.libraries.present.contains(soname) {
            return notExplained(signal, "no binary in this deployment needs \(soname), and \(target.runtimeLabel) has it")
        }
        let libraries = runtime.libraries
        let copies = libraryCopies(of: soname)
        let searched = libraries.path
        let evidence = [("loaded by name", "\(soname): no binary in the deployment lists it in DT_NEEDED (dlopen, ctypes, cffi)"),
                        ("searched", searched.joined(separator: ":") + " and the system's folders")]
        if let reachable = copies.first(where: \.reachable) {
            return notExplained(signal, "\(soname) is on the loader's path at \(reachable.runtimePath) (\(reachable.path) in \(reachable.artifact.path))", evidence: evidence)
        }
        if let copy = copies.first {
            return Explanation(
                signal: signal, outcome: .explained, rootCause: nil, module: nil, files: [(copy.artifact.path, copy.path)],
                evidence: evidence + [("packaged at", copy.runtimePath)],
                summary: "\(soname) is loaded by name at run time, and the copy packaged at \(copy.runtimePath) is in no folder the loader searches",
                fix: "Move \(soname) to the function's lib/ folder (\(libraries.functionFolder)) or a layer's lib/ folder (\(libraries.layerFolder)), which are on LD_LIBRARY_PATH, or load it by its full path.")
        }
        let known = target.knownAbsent(soname)
        return Explanation(
            signal: signal, outcome: .explained, rootCause: nil, module: nil, files: [], evidence: evidence,
            summary: "\(soname) is loaded by name at run time (no binary links it), and it is neither in the deployment nor in \(target.runtimeLabel)",
            fix: known?.fix ?? "Ship \(soname) and the libraries it needs in a layer's lib/ folder (\(libraries.layerFolder)) or the function's lib/ folder (\(libraries.functionFolder)), built for \(target.runtimeLabel) (e.g. copied from the same packages installed in public.ecr.aws/lambda/provided:al2023 or the runtime's base image).")
    }

    /// A JNI library inside a JAR that needs `soname`, which the runtime lacks: the JVM's loaders (netty, RocksDB,
    /// snappy, conscrypt …) copy it to /tmp under a random name and System.load it, so the log names
    /// `/tmp/libnetty-tcnative3858998603798039886.so`. Matched by the name without its random digits, else the only one.
    func jniLibraryNeeding(_ soname: String, loadedAs path: String?) -> (artifact: Artifact, path: String)? {
        guard !target.libraries.present.contains(soname) else { return nil }
        var candidates: [(artifact: Artifact, path: String)] = []
        for artifact in deployment.artifacts {
            for binary in artifact.binaries where EntryPath.isNested(binary.path) && binary.facts?.needed.contains(soname) == true {
                candidates.append((artifact, binary.path))
            }
        }
        guard !candidates.isEmpty else { return nil }
        if let path {
            // `libnetty-tcnative3858998603798039886.so` → `libnetty-tcnative`: the loader's random digits before `.so`.
            var file = path.split(separator: "/").last.map(String.init) ?? path
            if file.hasSuffix(".so") { file.removeLast(3) }
            while file.last?.isNumber == true { file.removeLast() }
            let stem = Self.jniStem(file)
            if !stem.isEmpty, let match = candidates.first(where: { Self.jniStem(EntryPath.inner($0.path)) == stem }) { return match }
        }
        return candidates.count == 1 ? candidates[0] : nil
    }

    func explainedJNI(_ signal: ErrorSignal, _ jni: (artifact: Artifact, path: String), soname: String, rootCause: Finding? = nil) -> Explanation {
        let libraries = runtime.libraries
        let jar = jni.path.lastIndex(of: "!").map { String(jni.path[..<$0]) } ?? jni.path
        return Explanation(
            signal: signal, outcome: .explained, rootCause: rootCause, module: nil, files: [(jni.artifact.path, jni.path)],
            evidence: [("needed by", "\(EntryPath.inner(jni.path)) in \(jar) (the JVM loads it from a copy in /tmp)"), ("missing", soname)],
            summary: "\(EntryPath.inner(jni.path)) in \(jar) (in \(jni.artifact.path)), the JNI library the JVM extracts to /tmp and loads, needs \(soname), which is neither in the deployment nor in \(target.runtimeLabel)",
            fix: "Depend on a build of the library that does not link \(soname): its statically linked or self-contained variant (for example netty-tcnative-boringssl-static instead of netty-tcnative), or a version built for \(target.runtimeLabel); or ship \(soname) built for \(target.runtimeLabel) in a layer's lib/ folder (\(libraries.layerFolder)). Then package again (`mvn package`, `gradle buildZip`).")
    }

    /// The deployment's files named `soname` (not inside a JAR or wheel), where the runtime sees them, and whether
    /// that folder is one the loader searches (LD_LIBRARY_PATH, from the runtime view).
    func libraryCopies(of soname: String) -> [(artifact: Artifact, path: String, runtimePath: String, reachable: Bool)] {
        libraryCopies(named: { $0 == soname })
    }

    /// The deployment's files whose name `matches` (not inside a JAR or wheel), as `libraryCopies(of:)`.
    func libraryCopies(named matches: (String) -> Bool) -> [(artifact: Artifact, path: String, runtimePath: String, reachable: Bool)] {
        let searched = runtime.libraries.path
        let folder = { (path: String) in String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)]) }
        var copies: [(artifact: Artifact, path: String, runtimePath: String, reachable: Bool)] = []
        for (artifact, role) in deployment.placed {
            for entry in artifact.entries where !EntryPath.isNested(entry.path) && matches(EntryPath.components(entry.path).last ?? "") {
                let runtimePath = runtime.runtimePath(entry.path, in: role)
                copies.append((artifact, entry.path, runtimePath, searched.contains(folder(runtimePath))))
            }
        }
        return copies
    }

    func missingVersion(_ signal: ErrorSignal, version: String, requiredBy: String?) -> Explanation {
        let family = SymbolVersion(version)?.family ?? ""
        let checks: [String] = switch family {
        case "GLIBC": ["glibc-too-new"]
        case "GLIBCXX", "CXXABI", "GCC": ["libstdcxx-too-new", "missing-symbol-version"]
        default: ["missing-symbol-version"]
        }
        let located = requiredBy.flatMap(locate)
        let candidates = findings.filter { finding in
            checks.contains(finding.check) && (located.map { finding.artifact == $0.artifact.path && finding.path == $0.path } ?? true)
        }
        if let finding = candidates.first(where: { $0.message.contains(version) }) ?? candidates.first {
            return explained(signal, finding, evidence: [("error", "needs \(version)")])
        }
        // The oldest OS a Lambda function can run on: a log from there needs no more than its glibc.
        let oldest = runtime.osOnlyRuntimes.first.map { "; was the function on an \($0.os) runtime (glibc \($0.glibc))?" } ?? ""
        return notExplained(
            signal, "no binary here needs \(version) beyond what \(target.runtimeLabel) provides"
                + (family == "GLIBC" ? " (glibc \(runtime.libc.version))\(oldest)" : ""))
    }

    func findingOn(_ signal: ErrorSignal, path: String?, checks: [String]) -> Explanation {
        if let path, let located = locate(path) {
            if let finding = rootFinding(artifact: located.artifact.path, path: located.path) {
                return explained(signal, finding)
            }
            return notExplained(signal, "\(located.path) in \(located.artifact.path) reads as a valid binary for this target")
        }
        if let finding = findings.first(where: { checks.contains($0.check) }) {
            return explained(signal, finding)
        }
        return notExplained(signal, path.map { "\($0) is not in this deployment" } ?? "no binary here has that problem")
    }

    /// A full path the loader could not open: the file's own findings say why (another CPU, macOS, Windows,
    /// damaged); a file absent at that path is missing.
    func unloadableFile(_ signal: ErrorSignal, path: String) -> Explanation {
        // A Prisma query engine the client tried to require: the engine family explains it (another platform's engine
        // packaged, or none).
        if let platform = PrismaEngine.binaryTarget(ofFile: String(path.split(separator: "/").last ?? "")), locate(path) == nil {
            return prismaEngine(signal, platform: platform)
        }
        guard let located = locate(path) else {
            // A Ruby extension named by another machine's path (`…/gems/ffi-1.14.2/lib/ffi_c.bundle`,
            // `incompatible library version`): the same gem's extension in this deployment, by gem and file stem.
            if let ruby = rubyExtension(namedBy: path) { return ruby }
            if let near = absentFile(signal, path: path) { return near }
            return notExplained(signal, "\(path) is not in this deployment: either it was never packaged, or this log belongs to another artifact")
        }
        if let finding = rootFinding(artifact: located.artifact.path, path: located.path) {
            return explained(signal, finding, evidence: [("file", "\(located.path) in \(located.artifact.path)")])
        }
        return notExplained(signal, "\(located.path) in \(located.artifact.path) is there and reads as a loadable binary for \(target.runtimeLabel)")
    }

    /// `Permission denied` on a path: the entry (or a folder above it) stored with modes Lambda's user cannot use.
    func permissionDenied(_ signal: ErrorSignal, path: String) -> Explanation {
        let checks = ["unreadable-file", "no-unix-modes"]
        if let located = locate(path) {
            let onFile = rootFinding(artifact: located.artifact.path, path: located.path, checks: checks)
            let onFolder = findings.first { finding in
                finding.artifact == located.artifact.path && checks.contains(finding.check) && !finding.path.isEmpty
                    && located.path.hasPrefix(finding.path.hasSuffix("/") ? finding.path : finding.path + "/")
            }
            if let finding = onFile ?? onFolder { return explained(signal, finding, evidence: [("denied", path)]) }
            // A program readable but not executable: only running it is denied (one the code starts itself, which
            // no check can know is run). Modules and libraries need read only.
            let components = EntryPath.components(located.path)
            // Modules, libraries and data need read only; anything else named in a `Permission denied` is run.
            let readOnly: Set<String> = ["py", "pyc", "js", "mjs", "cjs", "json", "so", "node", "pyd", "dylib", "dll", "txt", "yaml", "yml", "rb", "jar", "class", "ts", "html", "css", "md", "zip", "csv"]
            let fileName = components.last ?? ""
            let fileExtension = fileName.contains(".") ? String(fileName.split(separator: ".").last ?? "") : ""
            let isProgram = !readOnly.contains(fileExtension.lowercased()) || components.dropLast().contains("bin") || located.path.hasSuffix(".sh")
                || located.artifact.binaries.contains { binary in
                    guard binary.path == located.path, case .elf(let elf)? = binary.facts else { return false }
                    return elf.interpreter != nil
                }
            if isProgram, let entry = located.artifact.entries.first(where: { $0.path == located.path && $0.type == .file }),
                entry.mode.map({ $0 & 0o1 == 0 }) ?? true
            {
                let stored = entry.mode.map { "mode \(String($0 & 0o777, radix: 8))" } ?? "no Unix modes (a ZIP made on Windows)"
                return Explanation(
                    signal: signal, outcome: .explained, rootCause: nil, module: nil, files: [(located.artifact.path, located.path)],
                    evidence: [("denied", path), ("stored with", stored)],
                    summary: "\(located.path) in \(located.artifact.path) is readable but not executable by Lambda's user (\(stored)), so running it is denied",
                    fix: "`chmod 755 \(located.path)` before zipping (build the ZIP with a tool that stores Unix modes).")
            }
            return notExplained(signal, "\(located.path) in \(located.artifact.path) is stored readable (and executable where it must be) by Lambda's user")
        }
        // A folder: the path names it without its entries' trailing slash.
        let place = runtime.place(ofRuntimePath: path)
        let inner = place.map { $0.inLayers ? path : $0.path } ?? path
        if let finding = findings.first(where: { checks.contains($0.check) && ($0.path == inner + "/" || $0.path == inner) }) {
            return explained(signal, finding, evidence: [("denied", path)])
        }
        return notExplained(signal, "\(path) is not in this deployment")
    }

    func undefinedSymbol(_ signal: ErrorSignal, symbol: String, path: String?) -> Explanation {
        let located = path.flatMap(locate)
        // The undefined-symbol finding for this symbol (the load scope's symbol tables decide): on the file the text
        // names, else on whichever file needs it when the text names none.
        let bySymbol = findings.filter { $0.check == "undefined-symbol" && ($0.fact == symbol || $0.fact.hasPrefix(symbol + "@")) }
        // CPython API that the runtime's interpreter does not export (Python 2's, UCS2/UCS4, another 3.x's) is the
        // module's build, not a library to ship: python-abi-mismatch on the same file is the cause and has the fix.
        let isCPython = symbol.hasPrefix("_Py") || symbol.hasPrefix("Py")
        if let located, isCPython,
            let finding = findings.first(where: { $0.check == "python-abi-mismatch" && $0.artifact == located.artifact.path && $0.path == located.path })
        {
            return explained(signal, finding, evidence: [("error", "undefined symbol \(symbol)")] + cpythonBuild(of: finding))
        }
        if let located, let finding = bySymbol.first(where: { $0.artifact == located.artifact.path && $0.path == located.path })
            ?? rootFinding(artifact: located.artifact.path, path: located.path)
        {
            return explained(signal, finding, evidence: [("error", "undefined symbol \(symbol)")] + cpythonBuild(of: finding))
        }
        if located == nil, let finding = bySymbol.first {
            return explained(signal, finding, evidence: [("error", "undefined symbol \(symbol)")])
        }
        // CPython API a build for another CPython needs: python-abi-mismatch names the file from its imports.
        if located == nil, isCPython, let finding = findings.first(where: { $0.check == "python-abi-mismatch" && $0.message.contains(symbol) })
            ?? findings.first(where: { $0.check == "python-abi-mismatch" && (symbol.hasPrefix("PyUnicodeUCS") || symbol.hasPrefix("Py_InitModule") || symbol.hasPrefix("_Py_")) })
        {
            return explained(signal, finding, evidence: [("error", "undefined symbol \(symbol)")] + cpythonBuild(of: finding))
        }
        let hint = symbol.hasPrefix("Py") || symbol.hasPrefix("_Py")
            ? "a CPython API symbol: the module was likely built for another Python version"
            : "by shiplint's symbol tables the load scope defines it, or they do not cover the library that should"
        return notExplained(signal, "no finding on \(path ?? "the binary") explains `\(symbol)` (\(hint))")
    }

    /// Which CPython the file was built for, from its own exports (Python 3 modules export `PyInit_<name>`, Python 2
    /// ones `init<name>`) and the tags of the wheel that installed it.
    func cpythonBuild(of finding: Finding) -> [(String, String)] {
        guard let artifact = deployment.artifacts.first(where: { $0.path == finding.artifact }) else { return [] }
        var evidence: [(String, String)] = []
        if case .elf(let elf)? = artifact.binaries.first(where: { $0.path == finding.path })?.facts {
            let exported = elf.exportedSymbols.map(\.name)
            if let py3 = exported.first(where: { $0.hasPrefix("PyInit_") }) {
                evidence.append(("module init", "exports \(py3) (a Python 3 module)"))
            } else if let py2 = exported.first(where: { $0.hasPrefix("init") && $0.count > 4 }) {
                evidence.append(("module init", "exports \(py2), not PyInit_\(py2.dropFirst(4)) (a Python 2 module)"))
            }
        }
        if let distribution = InstalledDistribution.owning(finding.path, in: artifact),
            let wheel = artifact.metadataFiles[distribution.folder + "/WHEEL"]
        {
            let tags = wheel.split(whereSeparator: \.isNewline).filter { $0.hasPrefix("Tag:") }.map { $0.dropFirst(4).trimmingWhitespace() }
            if !tags.isEmpty { evidence.append(("wheel tags", "\(tags.joined(separator: ", ")) (\(distribution.folder)/WHEEL)")) }
        }
        return evidence
    }

    func nodeABI(_ signal: ErrorSignal, path: String?, built: Int?, running: Int?) -> Explanation {
        let versions = NodeModuleVersions.majors
        let builtFor = built.map { versions[$0].map { "Node.js \($0) (NODE_MODULE_VERSION \(built!))" } ?? "NODE_MODULE_VERSION \($0)" } ?? "another Node.js"
        let located = path.flatMap(locate)
        if let located, let finding = rootFinding(artifact: located.artifact.path, path: located.path) {
            return explained(signal, finding, evidence: [("built for", builtFor)])
        }
        if located == nil, let finding = findings.first(where: { $0.check == "node-abi-mismatch" && built.map { "NODE_MODULE_VERSION \($0)" } == $0.fact }) {
            return explained(signal, finding, evidence: [("built for", builtFor)])
        }
        let file = located.map { [($0.artifact.path, $0.path)] } ?? []
        return Explanation(
            signal: signal, outcome: .explained, rootCause: nil, module: nil, files: file,
            evidence: [("built for", builtFor), ("runtime", target.nodeVersion.map { "Node.js \($0)" } ?? target.name)],
            summary: "\(located?.path ?? path ?? "a .node addon") was compiled for \(builtFor); \(target.runtimeLabel) runs Node.js \(target.nodeVersion ?? "?")",
            fix: "Rebuild the addon for the function's Node.js: `npm rebuild` (or `npm ci`) inside public.ecr.aws/lambda/nodejs:\(target.nodeVersion ?? "22"), then package again.")
    }

    func missingNodePackage(_ signal: ErrorSignal, name: String) -> Explanation {
        // The build machine's platform package instead of Lambda's, or a package only a layer gives an ES module.
        let family = PlatformPackageName(name)?.family
        if let finding = findings.first(where: { $0.check == "node-platform-package" && $0.message.contains(" \(name),") })
            ?? findings.first(where: { $0.check == "node-platform-package" && family != nil && PlatformPackageName($0.fact)?.family == family })
            ?? findings.first(where: { $0.check == "layer-layout" && $0.fact == name })
        {
            return explained(signal, finding, evidence: [("looked for", name)])
        }
        // In a layer, but outside the folders Node.js searches (node_modules/ at the layer's top).
        for artifact in deployment.artifacts {
            guard let entry = artifact.entries.first(where: { $0.path.contains("node_modules/\(name)/") && !EntryPath.isNested($0.path) }) else { continue }
            if let layout = findings.first(where: { $0.check == "layer-layout" && $0.artifact == artifact.path && EntryPath.path(entry.path, isInside: $0.path) }) {
                return explained(signal, layout, evidence: [("looked for", name), ("found elsewhere", entry.path)])
            }
        }
        if let installed = installedNodePackage(name) {
            return notExplained(signal, "\(name) is installed (\(installed.manifest) in \(installed.artifact.path))", evidence: [("looked for", name)])
        }
        return Explanation(
            signal: signal, outcome: .notExplained, rootCause: nil, module: name, files: [], evidence: [("looked for", name)],
            summary: "\(name) is not installed in the function or its layers: either it was never installed, or this log belongs to another artifact",
            fix: "Install it into the folder you zip (`npm install --os=linux --cpu=\(runtime.architecture.nodeCPU) --libc=glibc` for platform packages), or add the layer that provides it.")
    }

    /// The manifest of npm package `name` where Node.js would find it in the deployment, if it is installed.
    func installedNodePackage(_ name: String) -> (artifact: Artifact, manifest: String)? {
        for artifact in deployment.artifacts {
            if let manifest = artifact.metadataFiles.keys.sorted().first(where: { $0.hasSuffix("node_modules/\(name)/package.json") && !EntryPath.isNested($0) }) {
                return (artifact, manifest)
            }
        }
        return nil
    }

    func prismaEngine(_ signal: ErrorSignal, platform: String) -> Explanation {
        if let finding = findings.first(where: { $0.check == "prisma-engine-mismatch" }) {
            return explained(signal, finding, evidence: [("looked for", "libquery_engine-\(platform).so.node")])
        }
        for artifact in deployment.artifacts {
            if let engine = artifact.entries.first(where: { PrismaEngine.binaryTarget(ofFile: $0.path) == platform }) {
                return notExplained(signal, "the engine for \(platform) is there (\(engine.path) in \(artifact.path))")
            }
        }
        return Explanation(
            signal: signal, outcome: .explained, rootCause: nil, module: nil, files: [],
            evidence: [("looked for", "libquery_engine-\(platform).so.node")],
            summary: "there is no Prisma query engine in the function or its layers at all (node_modules/.prisma/client was not packaged, or prisma generate did not run)",
            fix: "Run `prisma generate` with `binaryTargets = [\"native\", \"\(platform)\"]` in schema.prisma and package node_modules/.prisma/client with the function.")
    }

    /// `Runtime.InvalidEntrypoint` / `exec format error`: the bootstrap Lambda runs (the function's, else a layer's),
    /// missing, not executable, for another platform, or a script whose interpreter the runtime lacks.
    func invalidEntrypoint(_ signal: ErrorSignal) -> Explanation {
        let bootstrap = RuntimeView.bootstrap
        let arch = runtime.architecture.rawValue
        for artifact in deployment.artifacts where artifact.entries.contains(where: { $0.path == bootstrap }) {
            if let finding = rootFinding(artifact: artifact.path, path: bootstrap) { return explained(signal, finding) }
            if artifact.binaries.contains(where: { $0.path == bootstrap && $0.facts != nil }) {
                return notExplained(signal, "bootstrap in \(artifact.path) is a loadable \(arch) executable with execute bits")
            }
            if let text = artifact.metadataFiles[bootstrap] {
                let first = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
                guard first.hasPrefix("#!") else {
                    return Explanation(
                        signal: signal, outcome: .explained, rootCause: nil, module: nil, files: [(artifact.path, bootstrap)],
                        evidence: [("first line", SafeLine.clip(first))],
                        summary: "bootstrap in \(artifact.path) is neither a native executable nor a script with a #! line, so the kernel refuses to run it (exec format error)",
                        fix: "Make bootstrap a Linux \(arch) executable, or a script whose first line is `#!/bin/sh`, with mode 755.")
                }
                let words = first.dropFirst(2).split(separator: " ").map(String.init)
                let program = (words.first?.hasSuffix("/env") == true ? words.dropFirst().first : words.first).map { $0.split(separator: "/").last.map(String.init) ?? $0 } ?? ""
                let languages = ["python", "node", "ruby", "perl", "php", "java", "deno", "bun"]
                if runtime.family?.isOSOnly == true, languages.contains(where: { program.hasPrefix($0) }) {
                    return Explanation(
                        signal: signal, outcome: .explained, rootCause: nil, module: nil, files: [(artifact.path, bootstrap)],
                        evidence: [("interpreter", SafeLine.clip(first))],
                        summary: "bootstrap in \(artifact.path) is a script for \(program), which \(target.runtimeLabel) does not have: an OS-only runtime ships no language interpreter",
                        fix: "Ship the interpreter with the function (or in a layer, under \(runtime.layerRoot)) and point the #! line at it, or use the managed runtime for that language, or make bootstrap a native executable (\(deployment.advice.providedBuild()))")
                }
                return notExplained(signal, "bootstrap in \(artifact.path) is a script (\(SafeLine.clip(first))) stored with execute bits")
            }
            return Explanation(
                signal: signal, outcome: .explained, rootCause: nil, module: nil, files: [(artifact.path, bootstrap)], evidence: [],
                summary: "bootstrap in \(artifact.path) is not a native executable (a script needs a #! line and execute bits)",
                fix: "Make bootstrap a Linux \(arch) executable (or a script starting with #!), with mode 755.")
        }
        let nested = deployment.artifacts.flatMap(\.entries).first { $0.path.hasSuffix("/" + bootstrap) }
        // A native program at the function's root under another name (`main`, the go1.x handler): the one to rename.
        if nested == nil, let function = deployment.function,
            let program = function.binaries.first(where: { binary in
                guard !binary.path.contains("/"), !binary.path.contains("!"), case .elf(let elf)? = binary.facts else { return false }
                return elf.interpreter != nil || !binary.fileName.contains(".")
            })
        {
            return Explanation(
                signal: signal, outcome: .explained, rootCause: nil, module: nil, files: [(function.path, program.path)],
                evidence: [("found", "\(program.path), a native executable at the root")],
                summary: "there is no bootstrap at the root of the function; its native executable is named \(program.path) (the go1.x runtime ran the handler's name, provided runtimes start only bootstrap)",
                fix: "Rename \(program.path) to bootstrap (Go: `go build -o bootstrap`), keep mode 755, and set the handler to bootstrap.")
        }
        return Explanation(
            signal: signal, outcome: .explained, rootCause: nil, module: nil, files: [], evidence: nested.map { [("found", $0.path)] } ?? [],
            summary: "there is no bootstrap at the root of the function" + (nested.map { " (there is \($0.path): zip its folder's contents, not the folder)" } ?? ""),
            fix: "Put the executable named bootstrap at the root of the ZIP, with mode 755.")
    }
}

/// A line of the artifact's own text, short enough to quote.
enum SafeLine {
    static func clip(_ line: String) -> String { line.count > 80 ? String(line.prefix(80)) + "…" : line }
}

/// One line about where a library resolved, for triage messages.
enum DependencyText {
    static func describe(_ resolution: Resolution, graph: LoadGraph) -> String {
        switch resolution {
        case .bundled(let object, _, let step): "bundled at \(graph.objects[object].runtimePath), through \(step)"
        case .alreadyLoaded(let object): "already loaded from \(graph.objects[object].runtimePath)"
        case .runtime(let directory): "the runtime's copy in \(directory)"
        case .unverified(let path): "present at \(path) but not read"
        case .missing: "missing"
        }
    }
}
