import ShiplintFacts

/// What the runtime's own libraries and interpreter export, as far as shiplint knows: from `[[libraries.provides]]`
/// and `python.exports` of the rule (a capture writes them), else from the built-in symbol tables for glibc (at the
/// target's glibc release), libstdc++ and libgcc_s (cut at the target's version-node ceilings) and CPython (at the
/// target's Python version). A library none of these describe has unknown exports.
extension TargetRuntime {
    /// The runtime's `soname` with the table that lists its exports; nil when the rule does not describe it.
    public func providedLibrary(_ soname: String) -> ProvidedLibrary? {
        let arch = platform.arch.rawValue
        if let described = libraries.provided.first(where: { $0.soname == soname }) {
            guard described.symbols == nil else { return described }
            // A library the rule lists with its version nodes but no table: the built-in table for its soname, cut
            // at those nodes (glibc at the target's release), when there is one.
            for family in ["glibc", "libstdcxx", "libgcc_s"] {
                guard let table = SymbolTable.builtIn("\(family)-\(arch)"), table.lists(soname: soname) else { continue }
                return ProvidedLibrary(
                    soname: soname, directory: described.directory,
                    release: described.release ?? (family == "glibc" ? platform.libcVersion.description : nil),
                    versionNodes: described.versionNodes, symbols: table.name)
            }
            return described
        }
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
        exports(of: library)?.presence(of: symbol, version: version) ?? .unknown
    }

    /// `library`'s exports, ready to be asked many times (its node sets made once); nil without a table.
    public func exports(of library: ProvidedLibrary) -> LibraryExports? {
        guard let name = library.symbols, let table = SymbolTable.builtIn(name) else { return nil }
        return LibraryExports(
            library: library, table: table, release: library.release.flatMap { VersionNumber($0) },
            nodes: Set(library.versionNodes), tableNodes: table.nodes(of: library.soname),
            bindsZeroAbsolute: platform.libc == .glibc ? platform.libcVersion >= VersionNumber("2.28")! : nil)
    }

    /// Whether the runtime's CPython exports `symbol`: from the captured list, else the built-in table at the
    /// target's version; `.unknown` for a version the table does not cover.
    public func pythonPresence(of symbol: String) -> SymbolTable.Presence {
        guard let python else { return .unknown }
        if let exports = python.exports { return exports.contains(symbol) ? .present : .absent }
        guard let table = SymbolTable.builtIn("cpython-\(platform.arch.rawValue)") else { return .unknown }
        let presence = table.presence(of: symbol, version: nil, in: "python", release: python.version)
        // Each release in the table is one patch release's capture (3.12: 3.12.3), and Lambda runs a later one. A
        // patch release never removes an export and adds a public one never, but adds private (`_Py`) ones: the
        // backport of a fix made on CPython's main branch, so the next minor release exports them too (measured on
        // Debian's and Ubuntu's 3.10.4→3.10.12, 3.13.3→3.13.18 and 3.14.4→3.14.10: 9 names added, all `_Py`, none
        // removed; each of the 6 added before a later captured minor release is in that release's capture). So a
        // private name this release's capture lacks but the next captured release exports may be in Lambda's patch
        // release: not known. One the next release lacks too is absent (3.12 lacks `_PyStructSequence_InitType`,
        // gone after 3.11); so is everything at the newest captured release (3.14), which has no next one.
        if presence == .absent, symbol.hasPrefix("_Py"), let next = table.releases.first(where: { $0 > python.version }),
            table.presence(of: symbol, version: nil, in: "python", release: next) == .present
        {
            return .unknown
        }
        return presence
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

/// What one runtime library exports, from its table: asked once per imported symbol of every binary that loads it.
public struct LibraryExports: Sendable {
    public let library: TargetRuntime.ProvidedLibrary
    let table: SymbolTable
    let release: VersionNumber?
    /// The nodes the runtime's copy defines, and those the table knows for that soname.
    let nodes: Set<String>
    let tableNodes: Set<String>
    /// The loader binds a symbol of value 0 in SHN_ABS (glibc 2.28 and later: check_match, elf/dl-lookup.c, BZ #23307;
    /// before, it skipped every symbol of value 0 but TLS ones as "no value"); nil when the loader is not glibc's.
    let bindsZeroAbsolute: Bool?

    public func presence(of symbol: String, version: String?) -> SymbolTable.Presence {
        // GNU ld defines an SHN_ABS symbol of value 0 named after each version node of a library, under that node
        // (libc.so.6's `GLIBC_2.14@@GLIBC_2.14`, libstdc++'s `GLIBCXX_3.4.21`, libgcc_s's `GCC_3.0`), which the ABI
        // lists behind the tables do not spell: a reference to that name, unversioned or with that same version,
        // binds to it (check_match: another version's hash differs, and the node's own is not 0).
        if nodes.contains(symbol), version == nil || version == symbol {
            return bindsZeroAbsolute == true ? .present : .unknown
        }
        // A node the library defines that the table has never seen (a newer release than the table's): its symbols
        // are not known.
        if let version, nodes.contains(version), !tableNodes.contains(version) { return .unknown }
        return table.presence(of: symbol, version: version, in: library.soname, release: release, definedNodes: nodes)
    }
}
