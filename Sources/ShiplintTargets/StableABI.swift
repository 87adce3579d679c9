import ShiplintFacts

/// CPython's Stable ABI (`rules/python/stable-abi.toml`, built into the binary): each function and data symbol an
/// abi3 extension may import, with the CPython version that added it. Read strictly, like the other rule files.
public struct StableABI: Sendable {
    public struct Symbol: Sendable, Equatable {
        public let added: VersionNumber
        /// Exists only on Windows (`ifdef MS_WINDOWS`).
        public let windowsOnly: Bool
        /// In the Stable ABI, not the Limited API (called by public macros, or kept for old modules).
        public let abiOnly: Bool
    }

    public let symbols: [String: Symbol]

    public static let fileName = "python/stable-abi"

    /// The built-in table (see `BuiltinTables`: a broken one stops the run, it never judges with no symbols).
    public static let builtIn: StableABI = BuiltinTables.loaded(fileName) { () throws(TargetError) in try load(files: BuiltinRuleFiles.byPath) }

    /// The table from the built-in files `files`.
    public static func load(files: [String: String]) throws(TargetError) -> StableABI {
        try load(toml: try BuiltinTables.text(fileName, in: files), file: BuiltinTables.label(fileName))
    }

    public init(symbols: [String: Symbol]) {
        self.symbols = symbols
    }

    public static func load(toml text: String, file: String) throws(TargetError) -> StableABI {
        var symbols: [String: Symbol] = [:]
        for (name, entry) in try BuiltinTables.table("symbols", of: text, file: file) {
            guard case .string(let text) = entry else {
                throw TargetError(file: file, keyPath: "symbols.\(name)", message: "must be a string: \"3.10\", then `windows` or `abi-only`")
            }
            let words = text.split(separator: " ").map(String.init)
            guard let first = words.first, let added = VersionNumber(first), words.dropFirst().allSatisfy({ $0 == "windows" || $0 == "abi-only" }) else {
                throw TargetError(file: file, keyPath: "symbols.\(name)", message: "must be a version (\"3.10\"), then `windows` or `abi-only`")
            }
            symbols[name] = Symbol(added: added, windowsOnly: words.contains("windows"), abiOnly: words.contains("abi-only"))
        }
        return StableABI(symbols: symbols)
    }
}
