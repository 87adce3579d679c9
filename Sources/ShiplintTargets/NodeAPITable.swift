import ShiplintFacts

/// When each later Node-API function appeared, from the newest built-in Node.js target (its rule file cites the
/// sources): for `inspect` and images, which name the version an addon needs without a Node.js target to judge it by.
public enum NodeAPITable {
    public static let functionVersions: [String: Int] = BuiltinTables.loaded("aws-lambda-nodejs*") { () throws(TargetError) in
        try load(catalog: .builtIn)
    }

    /// The table of the built-in Node.js target with the highest major, or an error when there is none or it has no table.
    static func load(catalog: TargetCatalog) throws(TargetError) -> [String: Int] {
        var newest: (major: Int, table: [String: Int])?
        for name in catalog.targetNames {
            guard let lambda = TargetCatalog.lambdaRuntime(ofTargetName: name), lambda.family == .nodejs,
                lambda.architecture == .x86_64
            else { continue }
            guard let node = try catalog.load(name).node, let major = Int(node.version) else { continue }
            if newest.map({ major > $0.major }) ?? true { newest = (major, node.napiFunctionVersions) }
        }
        guard let newest, !newest.table.isEmpty else {
            throw TargetError(file: "rules/aws-lambda-nodejs*.toml", keyPath: "node.napi-functions", message: "no built-in Node.js target lists its Node-API functions")
        }
        return newest.table
    }
}

/// NODE_MODULE_VERSION per Node.js major (`rules/nodejs/module-versions.toml`, from nodejs/node
/// doc/abi_version_registry.json): to name the Node.js an addon was built for in messages, and an image's Node.js
/// from the libnode.so.<N> it needs. The generator of the Node.js targets reads the same file.
public struct NodeModuleVersions: Sendable {
    /// NODE_MODULE_VERSION → Node.js major (`127` → `22`).
    public let majors: [Int: String]

    public static let fileName = "nodejs/module-versions"

    /// The built-in table (see `BuiltinTables`).
    public static let builtIn: NodeModuleVersions = BuiltinTables.loaded(fileName) { () throws(TargetError) in try load(files: BuiltinRuleFiles.byPath) }

    /// NODE_MODULE_VERSION → Node.js major, of the built-in table.
    public static var majors: [Int: String] { builtIn.majors }

    public init(majors: [Int: String]) {
        self.majors = majors
    }

    public static func load(files: [String: String]) throws(TargetError) -> NodeModuleVersions {
        try load(toml: try BuiltinTables.text(fileName, in: files), file: BuiltinTables.label(fileName))
    }

    public static func load(toml text: String, file: String) throws(TargetError) -> NodeModuleVersions {
        var majors: [Int: String] = [:]
        for (major, version) in try BuiltinTables.table("module-version", of: text, file: file) {
            guard Int(major) != nil, case .integer(let number) = version, number > 0 else {
                throw TargetError(file: file, keyPath: "module-version.\(major)", message: "must be a Node.js major (\"22\") = its NODE_MODULE_VERSION (127)")
            }
            guard majors[number] == nil else {
                throw TargetError(file: file, keyPath: "module-version.\(major)", message: "NODE_MODULE_VERSION \(number) is given to two majors")
            }
            majors[number] = major
        }
        guard !majors.isEmpty else { throw TargetError(file: file, keyPath: "module-version", message: "missing or empty") }
        return NodeModuleVersions(majors: majors)
    }
}
