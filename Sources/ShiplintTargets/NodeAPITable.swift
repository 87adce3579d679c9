/// When each later Node-API function appeared, from the newest built-in Node.js rule (rules/ cite the sources): for
/// `inspect`, which names the version an addon needs without judging it against a target.
public enum NodeAPITable {
    public static let functionVersions: [String: Int] =
        (try? TargetCatalog.builtIn.load("aws-lambda-nodejs24.x-x86_64"))?.node?.napiFunctionVersions ?? [:]
}
