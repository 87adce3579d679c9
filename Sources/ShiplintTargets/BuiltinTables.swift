import FoundationEssentials
import Glibc
import ShiplintFacts

/// The tables built into the binary from `rules/` that checks read besides the targets (deprecation dates, the
/// Stable ABI, NODE_MODULE_VERSION, Node-API functions). Each is loaded once, strictly, when first used (the Stable
/// ABI only for a binary that imports CPython API). A table that is missing from the build or does not load is an
/// internal error that stops the run with exit status 3 and names the file and key, never an empty table that
/// would silently turn a check off. The test suite loads every one (`verify`), so a broken table fails the build's
/// tests before it reaches a user.
public enum BuiltinTables {
    /// Loads every built-in table from the embedded rule files; the first that fails is thrown, naming its file and key.
    public static func verify() throws(TargetError) {
        try verify(files: BuiltinRuleFiles.byPath)
    }

    /// The same over `files` (rule file texts by name relative to `rules/`): a test breaks each table this way.
    public static func verify(files: [String: String]) throws(TargetError) {
        _ = try RuntimeLifecycle.load(files: files)
        _ = try StableABI.load(files: files)
        _ = try NodeModuleVersions.load(files: files)
        _ = try NodeAPITable.load(catalog: TargetCatalog(files: files))
    }

    /// The text of the built-in file `name` (`lifecycle/runtime-deprecations`), or an error saying it is not in the build.
    static func text(_ name: String, in files: [String: String]) throws(TargetError) -> String {
        guard let text = files[name] else {
            throw TargetError(file: label(name), message: "missing from the build: this shiplint was built without it")
        }
        return text
    }

    static func label(_ name: String) -> String { "rules/\(name).toml" }

    /// The one table of a data file (`[deprecation]`, `[symbols]` …) as its pairs, after `schema = 1`; another schema,
    /// another key, or the table as something else is an error naming the file and key.
    static func table(_ key: String, of text: String, file: String) throws(TargetError) -> [(key: String, value: RuleValue)] {
        let value = try RuleValue.parse(toml: text, file: file)
        guard case .table(let pairs) = value else { throw TargetError(file: file, message: "not a table") }
        var found: [(key: String, value: RuleValue)]?
        for (name, item) in pairs {
            switch name {
            case "schema":
                guard item == .integer(1) else { throw TargetError(file: file, keyPath: "schema", message: "unsupported schema version (this shiplint reads schema = 1)") }
            case key:
                guard case .table(let entries) = item else { throw TargetError(file: file, keyPath: key, message: "must be a table") }
                found = entries
            default:
                throw TargetError(file: file, keyPath: name, message: "unknown key")
            }
        }
        guard let found else { throw TargetError(file: file, keyPath: key, message: "missing table") }
        return found
    }

    /// A table for a `static let`, or the end of the run: exit status 3 (internal error, a bug of this build) with
    /// a message naming the file and key, instead of judging with an empty table.
    static func loaded<Table>(_ name: String, _ load: () throws(TargetError) -> Table) -> Table {
        do {
            return try load()
        } catch {
            DescriptorOutput.standardError("shiplint: internal error: a table built into shiplint does not load: \(error.description)\n")
            exit(internalErrorStatus)
        }
    }

    /// The exit status of an internal error (the CLI's `ExitStatus.internalError`).
    static let internalErrorStatus: Int32 = 3
}
