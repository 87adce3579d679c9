/// Dated facts about Lambda runtimes (`rules/lifecycle/runtime-deprecations.toml`, built into the binary): the day
/// each managed runtime is deprecated. Read strictly: a bad key or date is an error naming the file and key.
public struct RuntimeLifecycle: Sendable {
    /// Runtime id (`python3.9`) → deprecation day (`2025-12-15`).
    public let deprecation: [String: String]

    public static let fileName = "lifecycle/runtime-deprecations"

    /// The built-in table (see `BuiltinTables`: a broken one stops the run, it never judges with no dates).
    public static let builtIn: RuntimeLifecycle = BuiltinTables.loaded(fileName) { () throws(TargetError) in try load(files: BuiltinRuleFiles.byPath) }

    /// The table from the built-in files `files`.
    public static func load(files: [String: String]) throws(TargetError) -> RuntimeLifecycle {
        try load(toml: try BuiltinTables.text(fileName, in: files), file: BuiltinTables.label(fileName))
    }

    public init(deprecation: [String: String]) {
        self.deprecation = deprecation
    }

    public static func load(toml text: String, file: String) throws(TargetError) -> RuntimeLifecycle {
        var dates: [String: String] = [:]
        for (runtime, date) in try BuiltinTables.table("deprecation", of: text, file: file) {
            guard case .string(let day) = date, isDay(day) else {
                throw TargetError(file: file, keyPath: "deprecation.\(runtime)", message: "must be a date as \"YYYY-MM-DD\"")
            }
            dates[runtime] = day
        }
        return RuntimeLifecycle(deprecation: dates)
    }

    /// `YYYY-MM-DD`, so that dates compare as text.
    public static func isDay(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let month = Int(parts[1]), let day = Int(parts[2]), (1...12).contains(month), (1...31).contains(day)
        else { return false }
        return true
    }
}
