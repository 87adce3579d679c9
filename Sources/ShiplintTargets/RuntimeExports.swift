import ShiplintFacts

/// What the runtime's own libraries and interpreter export, as far as shiplint knows: from `[[libraries.provides]]`
/// and `python.exports` of the rule (a capture writes them), else from the built-in symbol tables for glibc (at the
/// target's glibc release), libstdc++ and libgcc_s (cut at the target's version-node ceilings) and CPython (at the
/// target's Python version). A library none of these describe has unknown exports.
extension TargetRuntime {
    /// The runtime's `soname` with the table that lists its exports; nil when the rule does not describe it.
    public func providedLibrary(_ soname: String) -> ProvidedLibrary? {
        if let described = libraries.provided.first(where: { $0.soname == soname }) { return described }
        let arch = platform.arch.rawValue
        if platform.libc == .glibc, let table = SymbolTable.builtIn("glibc-\(arch)"), table.libraries[soname] != nil {
            let nodes = table.nodes(of: soname, release: platform.libcVersion)
            return ProvidedLibrary(
                soname: soname, directory: "/lib64", release: platform.libcVersion.description, versionNodes: nodes.sorted(),
                symbols: table.name)
        }
        for (name, families) in [("libstdcxx-\(arch)", ["GLIBCXX", "CXXABI"]), ("libgcc_s-\(arch)", ["GCC"])] {
            guard let table = SymbolTable.builtIn(name), table.libraries[soname] != nil,
                families.allSatisfy({ symbolVersions[$0] != nil })
            else { continue }
            let nodes = table.nodes(of: soname).filter { node in
                // CXXABI_TM_1, CXXABI_FLOAT128: nodes without a ceiling of their own, there since GCC 6 and 7.
                guard let version = SymbolVersion(node), families.contains(version.family) else { return true }
                guard let ceiling = symbolVersions[version.family] else { return false }
                return version.version <= ceiling
            }
            return ProvidedLibrary(soname: soname, directory: "/lib64", release: nil, versionNodes: nodes.sorted(), symbols: table.name)
        }
        return nil
    }

    /// Whether the runtime's `library` exports `symbol` (with `version`, nil: any); `.unknown` when no table says.
    public func presence(of symbol: String, version: String?, in library: ProvidedLibrary) -> SymbolTable.Presence {
        guard let name = library.symbols, let table = SymbolTable.builtIn(name) else { return .unknown }
        let release = library.release.flatMap { VersionNumber($0) }
        return table.presence(of: symbol, version: version, in: library.soname, release: release, definedNodes: Set(library.versionNodes))
    }

    /// Whether the runtime's CPython exports `symbol`: from the captured list, else the built-in table at the
    /// target's version; `.unknown` for a version the table does not cover.
    public func pythonPresence(of symbol: String) -> SymbolTable.Presence {
        guard let python else { return .unknown }
        if let exports = python.exports { return exports.contains(symbol) ? .present : .absent }
        guard let table = SymbolTable.builtIn("cpython-\(platform.arch.rawValue)") else { return .unknown }
        return table.presence(of: symbol, version: nil, in: "python", release: python.version)
    }

    /// The symbols the runtime's CPython exports (present for sure), nil when not known.
    public var pythonExports: Set<String>? {
        guard let python else { return nil }
        if let exports = python.exports { return Set(exports) }
        guard let table = SymbolTable.builtIn("cpython-\(platform.arch.rawValue)"),
            let first = table.releases.first, let last = table.releases.last, python.version >= first, python.version <= last
        else { return nil }
        return Set(table.exports(of: "python", release: python.version).map(\.symbol))
    }
}
