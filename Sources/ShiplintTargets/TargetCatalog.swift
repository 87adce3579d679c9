import FoundationEssentials
import ShiplintFacts

/// Finds and loads target rules: the built-in ones embedded in the binary, or a rule file named by path.
/// Loading is strict: unknown keys, wrong types, bad versions and `extends` cycles are errors, never defaults.
public struct TargetCatalog: Sendable {
    /// Rule file texts by name relative to `rules/` (`aws-lambda-python3.13-x86_64`, `base/al2023-x86_64`).
    let files: [String: String]

    public static let builtIn = TargetCatalog(files: BuiltinRuleFiles.byPath)

    init(files: [String: String]) {
        self.files = files
    }

    /// Selectable built-in targets (not the abstract bases), sorted, each with its one-line description.
    public func targets() throws(TargetError) -> [(name: String, description: String)] {
        var list: [(name: String, description: String)] = []
        // Targets sit at the top of rules/ and bases in base/; other folders (lifecycle/, python/, nodejs/) hold
        // data for checks.
        for name in files.keys.sorted() where !name.contains("/") || name.hasPrefix("base/") {
            let value = try parsed(name: name)
            if case .boolean(true)? = value["abstract"] { continue }
            list.append((name, value["description"]?.stringValue ?? ""))
        }
        return list
    }

    /// The names of the built-in rule files that may be targets (not bases, not data tables), sorted, without
    /// reading them.
    public var targetNames: [String] {
        files.keys.filter { !$0.contains("/") }.sorted()
    }

    /// `reference` is a built-in name or a path to a `.toml` file.
    public func load(_ reference: String) throws(TargetError) -> TargetRuntime {
        if files[reference] != nil {
            return try resolve(.builtIn(reference))
        }
        if let alias = builtInName(forAlias: reference) {
            return try resolve(.builtIn(alias))
        }
        if reference.hasSuffix(".toml") || reference.contains("/") {
            guard FileManager.default.fileExists(atPath: reference) else {
                throw TargetError(file: reference, message: "no such rule file")
            }
            return try resolve(.path(reference))
        }
        let names = files.keys.filter { !$0.hasPrefix("base/") }
        let typed = names + names.compactMap(Self.shortName)
        var close = Suggestion.closest(reference, among: typed)
        if close.isEmpty { close = names.filter { $0.contains(reference) }.sorted() }
        let hint = close.isEmpty ? "`shiplint targets` lists them" : "did you mean \(close.prefix(5).joined(separator: ", "))?"
        throw TargetError(file: reference, message: "no built-in target of that name and no such file; \(hint)")
    }

    /// The built-in target a name means when it is not the file's own name: a Lambda runtime id as people type it
    /// (`python3.13` is `aws-lambda-python3.13-x86_64`, Lambda's default architecture; `python3.13-arm64`,
    /// `nodejs22.x`, `provided.al2023`), or the architecture spelt another way (`amd64` or `x64` for x86_64,
    /// `aarch64` for arm64, and the reverse where the target is named after the ELF machine).
    public func builtInName(forAlias reference: String) -> String? {
        let lambdaName = reference.hasPrefix(Self.lambdaPrefix) ? reference : Self.lambdaPrefix + reference
        for candidate in [reference, lambdaName] {
            if candidate != reference, isTarget(candidate) { return candidate }
            if let name = respelled(candidate) { return name }
        }
        // No architecture named: Lambda's default, x86_64 (only for Lambda runtimes: a wheel policy has no default).
        let defaulted = lambdaName + "-" + TargetArchitecture.lambdaDefault.lambdaName
        return isTarget(defaulted) ? defaulted : nil
    }

    /// The short name of a built-in Lambda target (`aws-lambda-python3.13-x86_64` is `python3.13`,
    /// `aws-lambda-python3.13-arm64` is `python3.13-arm64`), or nil for a name that has none (wheel policies).
    public static func shortName(_ name: String) -> String? {
        guard name.hasPrefix(lambdaPrefix) else { return nil }
        let runtime = name.dropFirst(lambdaPrefix.count)
        let defaultSuffix = "-" + TargetArchitecture.lambdaDefault.lambdaName
        return String(runtime.hasSuffix(defaultSuffix) ? runtime.dropLast(defaultSuffix.count) : runtime)
    }

    static let lambdaPrefix = "aws-lambda-"

    private func isTarget(_ name: String) -> Bool { files[name] != nil && !name.hasPrefix("base/") }

    /// `reference` with its architecture (the last word, or the last two: `x86-64`) spelt as a built-in target is.
    private func respelled(_ reference: String) -> String? {
        let dashes = reference.indices.filter { reference[$0] == "-" }.suffix(2).reversed()
        for dash in dashes {
            guard let arch = TargetArchitecture(spelling: String(reference[reference.index(after: dash)...])) else { continue }
            for spelling in [arch.lambdaName, arch.rawValue] {
                let name = String(reference[...dash]) + spelling
                if name != reference && isTarget(name) { return name }
            }
        }
        return nil
    }

    /// The name of the built-in target of a Lambda runtime on an architecture: `aws-lambda-python3.13-arm64`.
    public static func lambdaTargetName(runtime: String, architecture: TargetArchitecture) -> String {
        "aws-lambda-\(runtime)-\(architecture.lambdaName)"
    }

    /// The same for an architecture as a descriptor spells it (`arm64`, `aarch64`, `amd64`); kept as given when no
    /// architecture has that spelling (the name then matches no built-in target, and the message shows it).
    public static func lambdaTargetName(runtime: String, architecture: String) -> String {
        "aws-lambda-\(runtime)-\(TargetArchitecture(spelling: architecture)?.lambdaName ?? architecture)"
    }

    /// The runtime, its family and the architecture of a built-in Lambda target's name, nil for another name (a
    /// wheel policy).
    public static func lambdaRuntime(ofTargetName name: String) -> (runtime: String, family: RuntimeFamily, architecture: TargetArchitecture)? {
        let prefix = "aws-lambda-"
        guard name.hasPrefix(prefix), let dash = name.lastIndex(of: "-"), dash > name.index(name.startIndex, offsetBy: prefix.count),
            let architecture = TargetArchitecture(spelling: String(name[name.index(after: dash)...]))
        else { return nil }
        let runtime = String(name[name.index(name.startIndex, offsetBy: prefix.count)..<dash])
        guard let family = RuntimeFamily(runtime: runtime) else { return nil }
        return (runtime, family, architecture)
    }

    /// The merged, validated rule as TOML-like text, for `shiplint targets show`.
    public func resolvedValue(_ reference: String) throws(TargetError) -> String {
        let name = files[reference] != nil ? reference : builtInName(forAlias: reference)
        let origin: Origin = name.map { .builtIn($0) } ?? .path(reference)
        return RuleText.render(try merged(origin, chain: []))
    }

    enum Origin: Equatable {
        case builtIn(String)
        case path(String)

        var label: String {
            switch self {
            case .builtIn(let name): "rules/\(name).toml"
            case .path(let path): path
            }
        }
    }

    private func parsed(name: String) throws(TargetError) -> RuleValue {
        try RuleValue.parse(toml: files[name] ?? "", file: Origin.builtIn(name).label)
    }

    /// Largest rule file read (the built-in ones are a few KiB).
    static let maximumRuleFileBytes = 1 << 20

    private func text(of origin: Origin) throws(TargetError) -> String {
        switch origin {
        case .builtIn(let name):
            return files[name] ?? ""
        case .path(let path):
            // Bounded before it is parsed (a rule file is a few KiB), and UTF-8 with the place it is not.
            do {
                return try TextFile.text(path, limit: Self.maximumRuleFileBytes)
            } catch .tooLarge(let size, let limit) {
                throw TargetError(file: path, message: "\(size) bytes is over the \(TextFile.describe(limit)) a rule file may have; not read")
            } catch {
                throw TargetError(file: path, message: error.description)
            }
        }
    }

    /// One file read and checked against the schema, then its `extends` chain merged beneath it.
    private func merged(_ origin: Origin, chain: [Origin]) throws(TargetError) -> RuleValue {
        if chain.contains(origin) {
            let cycle = (chain + [origin]).map(\.label).joined(separator: " -> ")
            throw TargetError(file: chain.first?.label ?? origin.label, keyPath: "extends", message: "cycle: \(cycle)")
        }
        let value = try RuleValue.parse(toml: try text(of: origin), file: origin.label)
        if let first = RuleSchema.file.validate(value, path: "", file: origin.label).first { throw first }
        guard case .integer(1)? = value["schema"] else {
            throw TargetError(file: origin.label, keyPath: "schema", message: value["schema"] == nil
                ? "missing key (this shiplint reads schema = 1)" : "unsupported schema version (this shiplint reads schema = 1)")
        }
        guard case .string(let parentName)? = value["extends"] else { return value }
        let parent: Origin
        switch origin {
        case .builtIn:
            guard files[parentName] != nil else {
                throw TargetError(file: origin.label, keyPath: "extends", message: "no built-in rule file '\(parentName)'")
            }
            parent = .builtIn(parentName)
        case .path(let path):
            let sibling = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent(parentName + ".toml").path
            if FileManager.default.fileExists(atPath: sibling) {
                parent = .path(sibling)
            } else if files[parentName] != nil {
                parent = .builtIn(parentName)
            } else {
                throw TargetError(file: origin.label, keyPath: "extends", message: "no rule file '\(parentName)' beside it and no built-in one")
            }
        }
        var base = try merged(parent, chain: chain + [origin])
        if case .table(var pairs) = base {
            pairs.removeAll { ["abstract", "name", "description"].contains($0.key) }
            base = .table(pairs)
        }
        return RuleValue.merge(parent: base, child: value)
    }

    private func resolve(_ origin: Origin) throws(TargetError) -> TargetRuntime {
        let value = try merged(origin, chain: [])
        let file = origin.label
        let reader = RuleReader(value: value, file: file)
        if case .boolean(true)? = value["abstract"] {
            throw TargetError(file: file, keyPath: "abstract", message: "an abstract base is not a target; name a target that extends it")
        }
        let python: TargetRuntime.Python? = value["python"] == nil ? nil : TargetRuntime.Python(
            version: try reader.version("python.version"),
            extensionSuffixes: try reader.strings("python.extension-suffixes"),
            exports: reader.optionalStrings("python.exports"),
            tlsSegment: reader.optionalBool("python.tls-segment"))
        var node: TargetRuntime.Node?
        if value["node"] != nil {
            var functions: [String: Int] = [:]
            for table in reader.tables("node.napi-functions") {
                guard case .integer(let version)? = table["version"] else {
                    throw TargetError(file: file, keyPath: "node.napi-functions", message: "every entry needs an integer 'version'")
                }
                guard case .array(let names)? = table["functions"] else {
                    throw TargetError(file: file, keyPath: "node.napi-functions", message: "every entry needs a 'functions' array")
                }
                for name in names.compactMap(\.stringValue) { functions[name] = version }
            }
            node = TargetRuntime.Node(
                version: try reader.string("node.version"),
                moduleVersion: reader.optionalInteger("node.module-version"),
                napiVersion: reader.optionalInteger("node.napi-version"),
                prismaBinaryTargets: reader.optionalStrings("node.prisma-binary-targets") ?? [],
                napiFunctionVersions: functions)
        }
        let java: TargetRuntime.Java? = value["java"] == nil ? nil : TargetRuntime.Java(version: try reader.string("java.version"))
        let ruby: TargetRuntime.Ruby? = value["ruby"] == nil ? nil : TargetRuntime.Ruby(
            version: try reader.version("ruby.version"), versionFolder: try reader.string("ruby.version-folder"),
            arch: try reader.string("ruby.arch"))
        let dotnet: TargetRuntime.Dotnet? = value["dotnet"] == nil ? nil : TargetRuntime.Dotnet(
            version: try reader.version("dotnet.version"), runtimeIdentifiers: try reader.strings("dotnet.runtime-identifiers"))
        let package: TargetRuntime.Package? = value["package"] == nil ? nil : TargetRuntime.Package(
            unzippedLimitBytes: reader.optionalInteger("package.unzipped-limit-bytes"),
            zippedUploadLimitBytes: reader.optionalInteger("package.zipped-upload-limit-bytes"),
            maxLayers: reader.optionalInteger("package.max-layers"),
            taskRoot: reader.optionalString("package.task-root"),
            layerRoot: reader.optionalString("package.layer-root"),
            layerPaths: reader.optionalStrings("package.layer-paths") ?? [],
            executableEntryPoints: reader.optionalStrings("package.executable-entry-points") ?? [])
        var symbolVersions: [String: VersionNumber] = [:]
        for family in ["GLIBCXX", "CXXABI", "GCC"] {
            if let text = reader.optionalString("symbol-versions.\(family)") { symbolVersions[family] = VersionNumber(text) }
        }
        let wheelPolicy: TargetRuntime.WheelPolicy? = value["wheel-policy"] == nil ? nil : TargetRuntime.WheelPolicy(
            name: try reader.string("wheel-policy.name"),
            symbolVersions: reader.stringSets("wheel-policy.symbol-versions"),
            blacklist: reader.stringSets("wheel-policy.blacklist"))
        let knownAbsent = reader.tables("libraries.known-absent").map { table in
            TargetRuntime.KnownAbsent(soname: table["soname"].flatMap(\.stringValue) ?? "", fix: table["fix"].flatMap(\.stringValue) ?? "")
        }
        var platform = TargetRuntime.Platform(
            os: try reader.string("platform.os"),
            arch: TargetArchitecture(rawValue: try reader.string("platform.arch"))!,
            libc: TargetLibc(rawValue: try reader.string("platform.libc"))!,
            libcVersion: try reader.version("platform.libc-version"),
            displayName: try reader.string("platform.display-name"),
            runtime: reader.optionalString("platform.runtime"))
        platform.loaderPaths = reader.optionalStrings("platform.loader-paths") ?? []
        var provided: [TargetRuntime.ProvidedLibrary] = []
        for (index, table) in reader.tables("libraries.provides").enumerated() {
            let keyPath = "libraries.provides[\(index)]"
            guard let soname = table["soname"]?.stringValue, let directory = table["directory"]?.stringValue else {
                throw TargetError(file: file, keyPath: keyPath, message: "every entry needs 'soname' and 'directory'")
            }
            let symbols = table["symbols"]?.stringValue
            if let symbols, !SymbolTable.names.contains(symbols) {
                throw TargetError(file: file, keyPath: keyPath + ".symbols", message: "no built-in symbol table '\(symbols)' (there are: \(SymbolTable.names.sorted().joined(separator: ", ")))")
            }
            var nodes: [String] = []
            if case .array(let items)? = table["version-nodes"] { nodes = items.compactMap(\.stringValue) }
            provided.append(TargetRuntime.ProvidedLibrary(
                soname: soname, directory: directory, release: table["release"]?.stringValue, versionNodes: nodes, symbols: symbols))
        }
        return TargetRuntime(
            name: try reader.string("name"),
            description: try reader.string("description"),
            source: { if case .path(let path) = origin { return path } else { return "built-in" } }(),
            platform: platform,
            symbolVersions: symbolVersions,
            libraries: TargetRuntime.Libraries(
                searchPath: try reader.strings("libraries.search-path"),
                os: try reader.strings("libraries.os"),
                runtime: reader.optionalStrings("libraries.runtime") ?? [],
                knownAbsent: knownAbsent,
                provided: provided),
            python: python,
            node: node,
            java: java,
            ruby: ruby,
            dotnet: dotnet,
            package: package,
            wheelPolicy: wheelPolicy)
    }
}

extension RuleValue {
    var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }
}

/// Reads keys of a merged rule that the schema has already type-checked; reports a missing required key by path.
private struct RuleReader {
    let value: RuleValue
    let file: String

    private func lookup(_ path: String) -> RuleValue? {
        path.split(separator: ".").reduce(Optional(value)) { current, key in current?[String(key)] }
    }

    private func missing(_ path: String) -> TargetError {
        TargetError(file: file, keyPath: path, message: "missing key (required in a target, directly or through extends)")
    }

    func string(_ path: String) throws(TargetError) -> String {
        guard let text = lookup(path)?.stringValue else { throw missing(path) }
        return text
    }

    func optionalString(_ path: String) -> String? { lookup(path)?.stringValue }

    func version(_ path: String) throws(TargetError) -> VersionNumber {
        guard let version = VersionNumber(try string(path)) else { throw missing(path) }
        return version
    }

    func optionalBool(_ path: String) -> Bool? {
        if case .boolean(let value)? = lookup(path) { return value }
        return nil
    }

    func optionalInteger(_ path: String) -> Int? {
        if case .integer(let number)? = lookup(path) { return number }
        return nil
    }

    func optionalStrings(_ path: String) -> [String]? {
        guard case .array(let items)? = lookup(path) else { return nil }
        return items.compactMap(\.stringValue)
    }

    func strings(_ path: String) throws(TargetError) -> [String] {
        guard let items = optionalStrings(path) else { throw missing(path) }
        return items
    }

    /// A table of string arrays (`wheel-policy.blacklist`), each array as a set; empty when absent.
    func stringSets(_ path: String) -> [String: Set<String>] {
        var sets: [String: Set<String>] = [:]
        for (key, item) in lookup(path)?.pairs ?? [] {
            if case .array(let items) = item { sets[key] = Set(items.compactMap(\.stringValue)) }
        }
        return sets
    }

    /// The (key, value) pairs of a table whose keys are data (sonames); empty when absent.
    func pairs(_ path: String) -> [(key: String, value: RuleValue)] {
        lookup(path)?.pairs ?? []
    }

    func tables(_ path: String) -> [RuleValue] {
        guard case .array(let items)? = lookup(path) else { return [] }
        return items
    }
}

/// Renders a merged rule back as TOML, keys sorted, for `shiplint targets show`.
enum RuleText {
    static func render(_ value: RuleValue) -> String {
        guard case .table(let pairs) = value else { return "" }
        var lines: [String] = []
        let scalars = pairs.filter { if case .table = $0.value { return false } else { return !isTableArray($0.value) } }
        for (key, item) in scalars.sorted(by: { $0.key < $1.key }) { lines.append("\(key) = \(inline(item))") }
        for (key, item) in pairs.sorted(by: { $0.key < $1.key }) {
            guard case .table(let children) = item else { continue }
            lines.append("")
            lines.append("[\(key)]")
            for (childKey, child) in children.sorted(by: { $0.key < $1.key }) where !isTableArray(child) {
                lines.append("\(childKey) = \(inline(child))")
            }
            for (childKey, child) in children.sorted(by: { $0.key < $1.key }) where isTableArray(child) {
                guard case .array(let tables) = child else { continue }
                for table in tables {
                    lines.append("")
                    lines.append("[[\(key).\(childKey)]]")
                    if case .table(let fields) = table {
                        for (fieldKey, field) in fields { lines.append("\(fieldKey) = \(inline(field))") }
                    }
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func isTableArray(_ value: RuleValue) -> Bool {
        if case .array(let items) = value, let first = items.first, case .table = first { return true }
        return false
    }

    /// A bare key as is, anything else (`libc.so.6`) quoted.
    private static func key(_ name: String) -> String {
        name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") } ? name : inline(.string(name))
    }

    private static func inline(_ value: RuleValue) -> String {
        switch value {
        case .string(let text): "\"" + text.replacingText("\\", with: "\\\\").replacingText("\"", with: "\\\"") + "\""
        case .integer(let number): String(number)
        case .boolean(let flag): String(flag)
        case .array(let items): "[" + items.map(inline).joined(separator: ", ") + "]"
        case .table(let pairs): "{ " + pairs.map { "\(key($0.key)) = \(inline($0.value))" }.joined(separator: ", ") + " }"
        case .unsupported(let name): "<\(name)>"
        }
    }
}
