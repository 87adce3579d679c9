/// When each later Node-API function appeared, from the newest built-in Node.js rule (rules/ cite the sources): for
/// `inspect`, which names the version an addon needs without judging it against a target.
public enum NodeAPITable {
    public static let functionVersions: [String: Int] =
        (try? TargetCatalog.builtIn.load("aws-lambda-nodejs24.x-x86_64"))?.node?.napiFunctionVersions ?? [:]
}

/// NODE_MODULE_VERSION per Node.js major (nodejs/node doc/abi_version_registry.json): to name the Node.js an addon
/// was built for in messages, and an image's Node.js from the libnode.so.<N> it needs.
public enum NodeModuleVersions {
    public static let majors: [Int: String] = [72: "12", 79: "13", 83: "14", 88: "15", 93: "16", 102: "17", 108: "18", 111: "19",
                                               115: "20", 120: "21", 127: "22", 131: "23", 137: "24", 141: "25"]
}
