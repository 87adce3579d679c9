import FoundationEssentials
import ShiplintFacts
import Synchronization

/// What a runtime library exports, from a built-in table (`rules/symbols/NAME.symbols`, written by
/// `rules/symbols.py` from glibc's ABI lists and real libraries): each symbol with its version node and the releases
/// whose library exports it. Parsed only when a check first asks for it, then kept.
public struct SymbolTable: Sendable {
    /// Whether a library exports a symbol at a release.
    public enum Presence: Sendable, Equatable {
        case present
        case absent
        /// The release lies between two the table was read at and they disagree, or outside them: not judged.
        case unknown
    }

    struct Entry: Sendable {
        /// Nil for an unversioned symbol.
        let node: String?
        /// Bit i: exported at `releases[i]`.
        let releases: UInt64
    }

    public let name: String
    /// The releases the table was read at, ascending.
    public let releases: [VersionNumber]
    /// soname -> symbol -> its definitions.
    let libraries: [String: [String: [Entry]]]
    /// soname -> version node -> the releases that define it (with or without symbols under it).
    let definedNodes: [String: [String: UInt64]]

    /// The names of the built-in tables.
    public static var names: Set<String> { Set(BuiltinRuleFiles.symbolTables.keys) }

    private static let loaded = Mutex<[String: SymbolTable]>([:])

    /// A built-in table, parsed on first use. The tables are part of the build and a test parses every one; a
    /// broken one stops shiplint with the reason (an internal error), never a table quietly empty.
    public static func builtIn(_ name: String) -> SymbolTable? {
        if let table = loaded.withLock({ $0[name] }) { return table }
        guard let text = BuiltinRuleFiles.symbolTables[name] else { return nil }
        let table: SymbolTable
        do {
            table = try parse(text, file: "rules/symbols/\(name).symbols")
        } catch {
            fatalError("shiplint: internal error: the built-in symbol table is broken: \(error.description)")
        }
        loaded.withLock { $0[name] = table }
        return table
    }

    /// The sonames the table describes.
    public var sonames: [String] { libraries.keys.sorted() }

    /// True when the table describes `soname`.
    public func lists(soname: String) -> Bool {
        libraries[soname] != nil
    }

    /// True when any release of `soname` in the table exports `symbol`.
    public func lists(_ symbol: String, in soname: String) -> Bool {
        libraries[soname]?[symbol] != nil
    }

    /// Every version node the table lists for `soname`.
    public func nodes(of soname: String) -> Set<String> {
        Set((definedNodes[soname] ?? [:]).keys)
    }

    private static let nodesAtRelease = Mutex<[String: Set<String>]>([:])

    /// The version nodes under which `soname` exports anything at `release` (what its `.gnu.version_d` holds).
    public func nodes(of soname: String, release: VersionNumber?) -> Set<String> {
        let key = "\(name) \(soname) \(release?.description ?? "-")"
        if let nodes = Self.nodesAtRelease.withLock({ $0[key] }) { return nodes }
        let nodes = Set((definedNodes[soname] ?? [:]).filter { state($0.value, at: release) == .present }.keys)
        Self.nodesAtRelease.withLock { $0[key] = nodes }
        return nodes
    }

    /// Whether `soname` at `release` (nil: the newest the table has) exports `symbol` with `version` (nil: any),
    /// counting only definitions under `definedNodes` when given (the nodes the runtime's copy defines).
    public func presence(
        of symbol: String, version: String?, in soname: String, release: VersionNumber?, definedNodes: Set<String>? = nil
    ) -> Presence {
        guard let definitions = libraries[soname]?[symbol] else { return .absent }
        var unknown = false
        for entry in definitions {
            if let version, let node = entry.node, node != version { continue }
            if let node = entry.node, let definedNodes, !definedNodes.contains(node) { continue }
            switch state(entry.releases, at: release) {
            case .present: return .present
            case .unknown: unknown = true
            case .absent: break
            }
        }
        return unknown ? .unknown : .absent
    }

    /// The symbols `soname` exports at `release`, each with its node (nil: unversioned); unknown ones left out.
    public func exports(of soname: String, release: VersionNumber?) -> [(symbol: String, node: String?)] {
        (libraries[soname] ?? [:]).flatMap { symbol, entries in
            entries.filter { state($0.releases, at: release) == .present }.map { (symbol, $0.node) }
        }
    }

    private func state(_ mask: UInt64, at release: VersionNumber?) -> Presence {
        guard let release else { return mask & (1 << UInt64(releases.count - 1)) != 0 ? .present : .absent }
        var below: Int?
        for (index, known) in releases.enumerated() {
            if known == release { return mask & (1 << UInt64(index)) != 0 ? .present : .absent }
            if known < release { below = index } else {
                guard let below else { return .unknown }
                let before = mask & (1 << UInt64(below)) != 0
                let after = mask & (1 << UInt64(index)) != 0
                return before && after ? .present : !before && !after ? .absent : .unknown
            }
        }
        return .unknown
    }

    /// Reads the format `rules/symbols.py` writes (its docstring describes it).
    public static func parse(_ text: String, file: String) throws(TargetError) -> SymbolTable {
        var name: String?
        var releases: [VersionNumber] = []
        var frontCoded = false
        var libraries: [String: [String: [Entry]]] = [:]
        var definedNodes: [String: [String: UInt64]] = [:]
        var section: (soname: String, node: String?, mask: UInt64)?
        var previous = ""
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.drop { $0 == " " }
            guard !line.isEmpty, line.first != "#" else { continue }
            func failure(_ message: String) -> TargetError { TargetError(file: file, message: "line \(offset + 1): \(message)") }
            if line.hasPrefix("%table ") {
                name = String(line.dropFirst("%table ".count))
            } else if line.hasPrefix("%releases ") {
                releases = try line.dropFirst("%releases ".count).split(separator: " ").map { word throws(TargetError) in
                    guard let version = VersionNumber(word) else { throw failure("'\(word)' is not a release") }
                    return version
                }
                guard !releases.isEmpty, releases.count <= 64, zip(releases, releases.dropFirst()).allSatisfy({ $0 < $1 }) else {
                    throw failure("%releases must list 1 to 64 ascending releases")
                }
            } else if line == "%front-coded" {
                frontCoded = true
            } else if line.first == "@" {
                let words = line.dropFirst().split(separator: " ")
                guard words.count == 3, !releases.isEmpty else { throw failure("expected `@SONAME NODE RELEASES` after %releases") }
                var mask: UInt64 = 0
                for run in words[2].split(separator: ",") {
                    let ends = run.components(separatedBy: "..")
                    guard ends.count <= 2, let low = VersionNumber(ends[0]), let high = VersionNumber(ends.last!),
                        releases.contains(low), releases.contains(high), low <= high
                    else { throw failure("'\(run)' is not a run of the table's releases") }
                    for (index, release) in releases.enumerated() where release >= low && release <= high { mask |= 1 << UInt64(index) }
                }
                section = (String(words[0]), words[1] == "-" ? nil : String(words[1]), mask)
                if words[1] != "-" { definedNodes[String(words[0]), default: [:]][String(words[1]), default: 0] |= mask }
                previous = ""
            } else {
                guard let current = section else { throw failure("a symbol before any `@` section") }
                var symbol = String(line)
                if frontCoded {
                    guard let space = line.firstIndex(of: " "), let shared = Int(line[..<space]), shared <= previous.utf8.count else {
                        throw failure("expected `N SUFFIX` (front-coded)")
                    }
                    symbol = String(previous.utf8.prefix(shared))! + line[line.index(after: space)...]
                }
                guard !symbol.contains(" ") else { throw failure("a symbol name with a space") }
                libraries[current.soname, default: [:]][symbol, default: []].append(Entry(node: current.node, releases: current.mask))
                previous = symbol
            }
        }
        guard let name else { throw TargetError(file: file, message: "no %table line") }
        guard !libraries.isEmpty else { throw TargetError(file: file, message: "no symbols") }
        return SymbolTable(name: name, releases: releases, libraries: libraries, definedNodes: definedNodes)
    }
}
