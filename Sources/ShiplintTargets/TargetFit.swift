import ShiplintFacts

/// The built-in Lambda targets that fit what was read, for the message a scan without `--target` ends with: the
/// runtime cannot be guessed safely (a wrong guess passes what would break), but the artifact narrows it down.
/// Each target is asked with its own data: its architecture, its CPython's extension suffixes, its Node.js ABI, its
/// entry points, so the hint agrees with what the checks would then say.
public struct TargetFit: Sendable {
    /// What narrowed the choice, in words (`CPython extension modules *.cpython-313-x86_64-linux-gnu.so (…)`).
    public let evidence: [String]
    /// The fitting built-in targets' names, in catalog order (`aws-lambda-python3.13-x86_64`).
    public let targets: [String]
    /// Whether anything read narrowed the choice at all.
    public var narrowed: Bool { !evidence.isEmpty }

    /// `--target python3.13`, or a compact list: `python3.12, python3.13 (x86_64; add -arm64 for arm64)`.
    public var suggestion: String {
        let shortNames = targets.compactMap(TargetCatalog.shortName)
        let arm = "-arm64"
        let runtimes = shortNames.filter { !$0.hasSuffix(arm) }
        let armRuntimes = shortNames.filter { $0.hasSuffix(arm) }.map { String($0.dropLast(arm.count)) }
        if !runtimes.isEmpty, runtimes == armRuntimes {
            return runtimes.joined(separator: ", ") + " (x86_64; add \(arm) for arm64)"
        }
        return shortNames.joined(separator: ", ")
    }

    /// The lines that follow "no target" in the error: what was found, and the `--target` values it fits.
    public var explanation: [String] {
        guard narrowed, !targets.isEmpty else {
            return ["nothing read tells the runtime apart; `shiplint targets` lists them (--target python3.13, nodejs22.x, provided.al2023, …)"]
        }
        return ["found: " + evidence.joined(separator: "; "),
                (targets.count == 1 ? "fits: --target " : "fits (pick the function's runtime): --target ") + suggestion]
    }
}

extension TargetCatalog {
    /// The Lambda targets (not wheel policies) that fit the artifacts best; see `TargetFit`.
    public func fit(_ artifacts: [Artifact]) -> TargetFit {
        let runtimes: [TargetRuntime] = ((try? targets()) ?? [])
            .compactMap { try? load($0.name) }
            .filter { $0.wheelPolicy == nil }
            .sorted { Self.naturalOrder($0.name, $1.name) }
        let found = Evidence(artifacts)
        var candidates = runtimes
        var evidence: [String] = []
        // Each narrowing is kept only when some target survives it: contradicting evidence (a 3.12 and a 3.13
        // module) still leaves the targets that fit most of it.
        func narrow(_ described: String, _ score: (TargetRuntime) -> Int) {
            let best = candidates.map(score).max() ?? 0
            guard best > 0 else { return }
            candidates = candidates.filter { score($0) == best }
            evidence.append(described)
        }
        if !found.families.isEmpty {
            narrow(found.families.map(\.evidenceDescription).sorted().joined(separator: ", ")) { target in
                target.platform.runtime.flatMap(RuntimeFamily.init(runtime:)).map(found.families.contains) == true ? 1 : 0
            }
        }
        if !found.elfMachines.isEmpty {
            let shown = found.elfMachines.values.sorted { $0.arch < $1.arch }.map { "\($0.count) for \($0.arch)" }
            narrow("ELF binaries: " + shown.joined(separator: ", ")) { target in
                found.elfMachines[target.platform.arch.elfMachine]?.count ?? 0
            }
        }
        if !found.extensionModules.isEmpty {
            let shown = found.extensionModules.keys.sorted().map { "*\($0) (\(found.extensionModules[$0]!))" }
            narrow("CPython extension modules " + shown.joined(separator: ", ")) { target in
                let suffixes = target.python?.extensionSuffixes ?? []
                return found.extensionModules.keys.filter { suffix in suffixes.contains(suffix) }.count
            }
        }
        if !found.wheelPythons.isEmpty {
            let shown = found.wheelPythons.keys.sorted().map { "CPython \($0) (\(found.wheelPythons[$0]!))" }
            narrow("wheels installed for " + shown.joined(separator: ", ")) { target in
                found.wheelPythons.keys.filter { $0 == target.python?.version }.count
            }
        }
        if !found.nodeModuleVersions.isEmpty {
            let shown = found.nodeModuleVersions.keys.sorted().map { "NODE_MODULE_VERSION \($0) (\(found.nodeModuleVersions[$0]!))" }
            narrow("Node.js addons for " + shown.joined(separator: ", ")) { target in
                found.nodeModuleVersions.keys.filter { $0 == target.node?.moduleVersion }.count
            }
        }
        return TargetFit(evidence: evidence, targets: candidates.map(\.name))
    }

    /// `python3.9` before `python3.10`: digit runs compared as numbers.
    static func naturalOrder(_ left: String, _ right: String) -> Bool {
        func chunks(_ text: String) -> [(String, Int?)] {
            var result: [(String, Int?)] = []
            var current = ""
            var digits = false
            for character in text {
                if character.isNumber != digits, !current.isEmpty {
                    result.append((current, digits ? Int(current) : nil))
                    current = ""
                }
                digits = character.isNumber
                current.append(character)
            }
            if !current.isEmpty { result.append((current, digits ? Int(current) : nil)) }
            return result
        }
        for (a, b) in zip(chunks(left), chunks(right)) where a.0 != b.0 {
            if let x = a.1, let y = b.1 { return x < y }
            return a.0 < b.0
        }
        return left.count < right.count
    }
}

extension RuntimeFamily {
    /// What in an artifact points at this family, for the no-target message.
    var evidenceDescription: String {
        switch self {
        case .python: "Python code"
        case .nodejs: "Node.js code"
        case .provided: "a bootstrap (an OS-only runtime)"
        case .java: "Java classes"
        case .ruby: "Ruby code"
        case .dotnet: ".NET assemblies"
        }
    }
}

/// What the artifacts hold that tells runtimes apart, with an example path for each fact.
private struct Evidence {
    var families: Set<RuntimeFamily> = []
    /// ELF machine (`e_machine`) to its name (`x86_64`, `aarch64`) and the number of binaries built for it.
    var elfMachines: [UInt16: (arch: String, count: Int)] = [:]
    /// CPython-tagged extension suffix (`.cpython-313-x86_64-linux-gnu.so`) to an example path.
    var extensionModules: [String: String] = [:]
    /// The CPython version (3.13) an installed wheel was built for (a `cp313` tag in its `*.dist-info/WHEEL`), to
    /// that file's path.
    var wheelPythons: [VersionNumber: String] = [:]
    /// A legacy Node.js addon's NODE_MODULE_VERSION to an example path.
    var nodeModuleVersions: [Int: String] = [:]

    init(_ artifacts: [Artifact]) {
        var bootstrap = false
        for artifact in artifacts {
            for entry in artifact.entries where entry.type == .file {
                let path = entry.path
                if path == "bootstrap" { bootstrap = true }
                if path.hasSuffix(".py") { families.insert(.python) }
                if path.hasSuffix(".js") || path.hasSuffix(".mjs") || path.hasSuffix(".cjs") || path.hasSuffix("package.json") {
                    families.insert(.nodejs)
                }
                if path.hasSuffix(".class") || path.hasSuffix(".jar") { families.insert(.java) }
            }
            for binary in artifact.binaries {
                guard case .elf(let facts)? = binary.facts else { continue }
                elfMachines[facts.machine, default: (facts.arch, 0)].count += 1
                let name = binary.fileName
                if name.hasSuffix(".so"), let tag = name.firstRange(ofText: ".cpython-") {
                    let suffix = String(name[tag.lowerBound...])
                    if extensionModules[suffix] == nil { extensionModules[suffix] = binary.path }
                    families.insert(.python)
                }
                if let addon = NodeAddon(facts) {
                    families.insert(.nodejs)
                    if case .legacy(let version?) = addon, nodeModuleVersions[version] == nil { nodeModuleVersions[version] = binary.path }
                }
            }
            for (path, text) in artifact.metadataFiles where path.hasSuffix(".dist-info/WHEEL") {
                for line in text.split(separator: "\n") where line.hasPrefix("Tag: cp3") {
                    // `Tag: cp313-cp313-win_amd64`: CPython 3.13; `py3-none-any` says nothing.
                    let digits = line.dropFirst("Tag: cp3".count).prefix { $0.isNumber }
                    if let minor = Int(digits), wheelPythons[VersionNumber([3, minor])] == nil {
                        wheelPythons[VersionNumber([3, minor])] = path
                    }
                }
                families.insert(.python)
            }
        }
        // A bootstrap at the root is what Lambda runs on an OS-only runtime, whatever else the package holds.
        if bootstrap { families = [.provided] }
    }
}
