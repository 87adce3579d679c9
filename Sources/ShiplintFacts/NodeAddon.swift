/// How a Node.js native addon registers itself, read from its dynamic symbols (nodejs/node `src/node.h`,
/// `src/node_api.h`): this decides which Node.js versions load it.
public enum NodeAddon: Sendable, Equatable {
    /// A Node-API addon: imports `napi_*` / `node_api_*`, exports `napi_register_module_v1` or calls
    /// `napi_module_register`. It loads on any Node.js with the Node-API version of the newest function it imports.
    case nodeAPI(imports: [String])
    /// A legacy addon (V8 / `node::` C++ API): loads only on the Node.js whose NODE_MODULE_VERSION it was built for.
    /// `moduleVersion` is that N, from an exported `node_register_module_v<N>` or the `nm_version` of the struct a
    /// constructor registers (`ElfFacts.nodeModuleVersion`); nil when it could not be read.
    case legacy(moduleVersion: Int?)

    /// Reads the kind from the dynamic symbol table; nil for a file that is not an addon (no Node registration at all).
    public init?(_ facts: ElfFacts) {
        var napiImports: [String] = []
        var registersNodeAPI = false
        var legacyVersion: Int?
        var registersLegacy = false
        // Every name below starts with `nap`, `nod` (napi_, node_) or `_ZN4node`: the rest are passed over on their
        // first bytes, without becoming strings.
        let candidate: (UnsafeRawBufferPointer) -> Bool = { bytes in
            guard bytes.count >= 5 else { return false }
            if bytes[0] == UInt8(ascii: "n") { return bytes[1] == UInt8(ascii: "a") || bytes[1] == UInt8(ascii: "o") }
            return bytes[0] == UInt8(ascii: "_") && bytes[1] == UInt8(ascii: "Z") && bytes[2] == UInt8(ascii: "N") && bytes[3] == UInt8(ascii: "4")
        }
        for name in facts.symbols.names(defined: true, where: candidate) {
            if name == "napi_register_module_v1" { registersNodeAPI = true }
            if name.hasPrefix("node_register_module_v"), let n = Int(name.dropFirst("node_register_module_v".count)) {
                legacyVersion = n
                registersLegacy = true
            }
        }
        for name in facts.symbols.names(defined: false, where: candidate) {
            if name.hasPrefix("napi_") || name.hasPrefix("node_api_") {
                napiImports.append(name)
                if name == "napi_module_register" { registersNodeAPI = true }
            }
            // node::node_module_register(void*): a NODE_MODULE constructor registering a legacy struct node_module.
            if name == "node_module_register" || name.hasPrefix("_ZN4node20node_module_register") {
                registersLegacy = true
            }
        }
        if registersLegacy {
            self = .legacy(moduleVersion: legacyVersion ?? facts.nodeModuleVersion)
        } else if registersNodeAPI || !napiImports.isEmpty {
            self = .nodeAPI(imports: napiImports)
        } else {
            return nil
        }
    }

    /// The Node-API version this addon needs: the highest of its imports in `functionVersions` (functions of
    /// Node-API 1-8 are not listed there, every supported Node.js has them), or 8 when none is listed.
    public func requiredNodeAPIVersion(_ functionVersions: [String: Int]) -> (version: Int, function: String?) {
        guard case .nodeAPI(let imports) = self else { return (0, nil) }
        var best: (version: Int, function: String?) = (8, nil)
        for name in imports.sorted() {
            if let version = functionVersions[name], version > best.version { best = (version, name) }
        }
        return best
    }

    /// For `inspect`: `node-api`, `legacy v108`, `legacy, ABI version not read`.
    public var summary: String {
        switch self {
        case .nodeAPI: "node-api"
        case .legacy(let version?): "legacy v\(version)"
        case .legacy(nil): "legacy addon, ABI version not read"
        }
    }
}
