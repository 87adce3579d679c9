import ShiplintTargets

/// When each later Node-API function appeared, for describing an addon whatever the target: read from the newest
/// built-in Node.js rule, whose values cite Node's headers (rules/README.md).
public enum NodeAPIFunctions {
    public static let versions: [String: Int] =
        (try? TargetCatalog.builtIn.load("aws-lambda-nodejs24.x-x86_64"))?.node?.napiFunctionVersions ?? [:]
}
