import ShiplintFacts

/// The keys a rule file may hold (schema 1) and the type of each. Anything else is an error that names the key:
/// a policy that silently ignores a misspelt key is a CI gate that silently passes.
indirect enum RuleSchema: Sendable {
    case string
    case integer
    case boolean
    case version
    case stringArray
    case table([String: RuleSchema])
    case tableArray([String: RuleSchema])
    /// A string from a fixed list.
    case oneOf([String])
    /// A table whose keys are data (sonames, version families), every value of one schema.
    case map(RuleSchema)

    static let file: RuleSchema = .table([
        "schema": .integer,
        "name": .string,
        "description": .string,
        "extends": .string,
        "abstract": .boolean,
        "platform": .table([
            "os": .oneOf(["linux"]),
            "arch": .oneOf(TargetArchitecture.allCases.map(\.rawValue)),
            "libc": .oneOf(["glibc", "musl"]),
            "libc-version": .version,
            "display-name": .string,
            "runtime": .string,
            "loader-paths": .stringArray,
        ]),
        "symbol-versions": .table(["GLIBCXX": .version, "CXXABI": .version, "GCC": .version]),
        // A wheel policy of pypa/auditwheel's policy table, for this target's architecture.
        "wheel-policy": .table([
            "name": .string,
            "symbol-versions": .map(.stringArray),
            "blacklist": .map(.stringArray),
        ]),
        "libraries": .table([
            "search-path": .stringArray,
            "os": .stringArray,
            "runtime": .stringArray,
            "known-absent": .tableArray(["soname": .string, "fix": .string]),
            // A library of the runtime itself: where it is, its release, the version nodes it defines
            // (.gnu.version_d) and the built-in symbol table (rules/symbols/NAME.symbols) listing its exports.
            "provides": .tableArray([
                "soname": .string, "directory": .string, "release": .string, "version-nodes": .stringArray, "symbols": .string,
            ]),
        ]),
        // `exports`: every symbol the interpreter (its executable and libpython) exports, as a capture read it.
        // `tls-segment`: the object defining CPython's API (libpython, or a static build's executable) has a PT_TLS.
        "python": .table(["version": .version, "extension-suffixes": .stringArray, "exports": .stringArray, "tls-segment": .boolean]),
        "node": .table([
            "version": .string,
            "module-version": .integer,
            "napi-version": .integer,
            "prisma-binary-targets": .stringArray,
            "napi-functions": .tableArray(["version": .integer, "functions": .stringArray]),
        ]),
        // How Java, Ruby and .NET load native code: the JVM's JNI libraries by os.name / os.arch, RubyGems' gem
        // folders and extension ABI, the .NET host's RID-specific assets.
        "java": .table(["version": .string]),
        "ruby": .table(["version": .version, "version-folder": .version, "arch": .string]),
        "dotnet": .table(["version": .version, "runtime-identifiers": .stringArray]),
        "package": .table([
            "unzipped-limit-bytes": .integer,
            "zipped-upload-limit-bytes": .integer,
            "max-layers": .integer,
            "task-root": .string,
            "layer-root": .string,
            "layer-paths": .stringArray,
            "executable-entry-points": .stringArray,
        ]),
    ])

    /// Every error in `value` against this schema, each with its key path.
    func validate(_ value: RuleValue, path: String, file: String) -> [TargetError] {
        func error(_ message: String) -> [TargetError] {
            [TargetError(file: file, keyPath: path.isEmpty ? nil : path, message: message)]
        }
        switch (self, value) {
        case (.string, .string), (.integer, .integer), (.boolean, .boolean):
            return []
        case (.version, .string(let text)):
            return VersionNumber(text) == nil ? error("'\(text)' is not a version (expected dotted numbers such as 2.34)") : []
        case (.oneOf(let allowed), .string(let text)):
            return allowed.contains(text) ? [] : error("'\(text)' is not one of \(allowed.joined(separator: ", "))")
        case (.stringArray, .array(let items)):
            return items.enumerated().flatMap { index, item -> [TargetError] in
                if case .string = item { return [] }
                return [TargetError(file: file, keyPath: "\(path)[\(index)]", message: "expected a string, found \(item.typeName)")]
            }
        case (.table(let fields), .table(let pairs)):
            return pairs.flatMap { key, child -> [TargetError] in
                let childPath = path.isEmpty ? key : "\(path).\(key)"
                guard let schema = fields[key] else {
                    return [TargetError(file: file, keyPath: childPath, message: "unknown key (allowed here: \(fields.keys.sorted().joined(separator: ", ")))")]
                }
                return schema.validate(child, path: childPath, file: file)
            }
        case (.map(let schema), .table(let pairs)):
            return pairs.flatMap { key, child in schema.validate(child, path: path.isEmpty ? key : "\(path).\(key)", file: file) }
        case (.tableArray(let fields), .array(let items)):
            return items.enumerated().flatMap { index, item in
                RuleSchema.table(fields).validate(item, path: "\(path)[\(index)]", file: file)
            }
        default:
            return error("expected \(expectedName), found \(value.typeName)")
        }
    }

    private var expectedName: String {
        switch self {
        case .string, .oneOf: "a string"
        case .integer: "an integer"
        case .boolean: "a boolean"
        case .version: "a version string"
        case .stringArray: "an array of strings"
        case .table, .map: "a table"
        case .tableArray: "an array of tables"
        }
    }
}
