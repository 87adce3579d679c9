import FoundationEssentials
import ShiplintFacts

/// An AWS CDK cloud assembly (`cdk.out/`): `manifest.json`'s stacks (and nested assemblies, e.g. stages), each
/// stack's template, and its code assets through `<Stack>.assets.json` (`S3Key` `<hash>.zip` → `asset.<hash>`) or
/// the `aws:asset:path` metadata the CDK CLI adds.
enum CdkReader {
    static let maximumNesting = 8

    static func read(manifest file: String) throws(DescriptorError) -> DeploymentProject {
        var seen = Set<String>()
        var notes: [String] = []
        // Nested assemblies name their assets `../asset.<hash>`: the project is the top assembly's folder.
        let functions = try functions(manifest: file, root: file.parentFolder, depth: 0, seen: &seen, notes: &notes)
        return DeploymentProject(format: .cdk, file: file, functions: functions.sorted { $0.name < $1.name }, notes: notes)
    }

    private static func functions(
        manifest file: String, root: String, depth: Int, seen: inout Set<String>, notes: inout [String]
    ) throws(DescriptorError) -> [FunctionDescriptor] {
        let standard = URL(fileURLWithPath: file).standardizedFileURL.path
        guard seen.insert(standard).inserted else { throw DescriptorError(file: file, message: "nested cloud assemblies form a cycle") }
        guard depth <= maximumNesting else {
            throw DescriptorError(file: file, message: "cloud assemblies nested more than \(maximumNesting) deep")
        }
        let manifest = try DescriptorText.json(try DescriptorText.read(file), file: file)
        guard let artifacts = manifest["artifacts"]?.object else {
            throw DescriptorError(file: file, message: "no `artifacts` object: not a CDK cloud assembly manifest")
        }
        let folder = file.parentFolder
        let local = LocalCode(base: folder, root: root, file: file)
        // Every file asset of the assembly: by object key (`<hash>.zip`) and by hash.
        var assets: [String: String] = [:]
        for id in artifacts.keys.sorted() where artifacts[id]?["type"]?.string == "cdk:asset-manifest" {
            guard let name = artifacts[id]?["properties"]?["file"]?.string else { continue }
            let path = LocalCode.join(folder, name)
            try local.inside(path, what: "asset manifest", named: name)
            let assetManifest = try DescriptorText.json(try DescriptorText.read(path), file: path)
            for (hash, asset) in assetManifest["files"]?.object ?? [:] {
                guard let source = asset["source"]?["path"]?.string else { continue }
                assets[hash] = source
                for destination in asset["destinations"]?.object?.values.map({ $0 }) ?? [] {
                    if let key = destination["objectKey"]?.string { assets[key] = source }
                }
            }
        }
        var functions: [FunctionDescriptor] = []
        for id in artifacts.keys.sorted() {
            guard let artifact = artifacts[id], let type = artifact["type"]?.string else { continue }
            switch type {
            case "aws:cloudformation:stack":
                guard let templateName = artifact["properties"]?["templateFile"]?.string else {
                    throw DescriptorError(file: file, message: "stack \(id) has no properties.templateFile")
                }
                let templatePath = LocalCode.join(folder, templateName)
                try local.inside(templatePath, what: "template of stack \(id)", named: templateName)
                let template = try CloudFormationTemplate.load(path: templatePath, display: templatePath)
                let stack = artifact["displayName"]?.string ?? id
                // Nested stacks (`NestedStack`) are template assets: `TemplateURL` ends in `<hash>.json`.
                let found = try template.functionsWithNested(
                    prefix: stack + "/",
                    code: { _ in { (_, property, metadata) throws(DescriptorError) in try code(property, metadata: metadata, assets: assets, local: local) } },
                    nested: { (_, _, resource) throws(DescriptorError) in
                        let url = resource["Properties"]?["TemplateURL"]
                        guard let key = (url?.string ?? url.flatMap(CdkReader.literalKey)).map({ String($0.split(separator: "/").last ?? "") }),
                              let source = assets[key] else {
                            return .notLocal("its TemplateURL \(url.map(CloudFormationTemplate.describe) ?? "(none)") is not an asset of this assembly")
                        }
                        return try local.resolve(source, what: "nested template")
                    })
                functions += found.functions
                notes += found.notes
            case "cdk:cloud-assembly":
                guard let directory = artifact["properties"]?["directoryName"]?.string else {
                    throw DescriptorError(file: file, message: "nested assembly \(id) has no properties.directoryName")
                }
                let nested = LocalCode.join(LocalCode.join(folder, directory), "manifest.json")
                try local.inside(nested, what: "nested assembly \(id)", named: directory)
                functions += try self.functions(manifest: nested, root: root, depth: depth + 1, seen: &seen, notes: &notes)
            default:
                continue
            }
        }
        return functions
    }

    /// `aws:asset:path` metadata first (what the CDK CLI records), else the asset whose object key is `S3Key`.
    static func code(_ property: DescriptorValue?, metadata: DescriptorValue?, assets: [String: String], local: LocalCode) throws(DescriptorError) -> CodeSource {
        if let path = metadata?["aws:asset:path"]?.string { return try local.resolve(path, what: "asset") }
        guard let property else { return .notLocal("no Code in the template") }
        if property["ZipFile"] != nil { return .notLocal("inline ZipFile code") }
        if let image = property["ImageUri"] { return .notLocal("container image \(CloudFormationTemplate.describe(image))") }
        guard let key = property["S3Key"]?.string ?? property["S3Key"].flatMap({ CdkReader.literalKey(in: $0) }) else {
            return .notLocal("code in S3 (\(CloudFormationTemplate.describe(property))), not an asset of this assembly")
        }
        if let source = assets[key] { return try local.resolve(source, what: "asset") }
        let hash = key.hasSuffix(".zip") ? String(key.dropLast(4)) : key
        if let source = assets[hash] { return try local.resolve(source, what: "asset") }
        let folder = "asset." + hash
        if FileManager.default.fileExists(atPath: LocalCode.join(local.base, folder)) { return try local.resolve(folder, what: "asset") }
        return .notLocal("code in S3 (key \(key)), not an asset of this assembly")
    }

    /// A key built with `Fn::Join` whose last part is a literal `<hash>.zip` (older CDK versions).
    static func literalKey(in value: DescriptorValue) -> String? {
        guard let parts = value["Fn::Join"]?.array, parts.count == 2, let items = parts[1].array else { return nil }
        return items.last?.string.map { String($0.split(separator: "/").last ?? Substring($0)) }
    }
}
