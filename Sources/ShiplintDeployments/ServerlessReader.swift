import FoundationEssentials
import ShiplintFacts

/// Serverless Framework: `.serverless/serverless-state.json` (written by `serverless package`), with the ZIPs
/// beside it (serverless/serverless `lib/plugins/package/lib/save-service-state.js`).
enum ServerlessReader {
    static func read(state file: String) throws(DescriptorError) -> DeploymentProject {
        let text = try DescriptorText.read(file)
        let state = try DescriptorText.json(text, file: file)
        guard let service = state["service"], let provider = service["provider"] else {
            throw DescriptorError(file: file, message: "no service.provider: not a serverless-state.json")
        }
        let stateFolder = file.parentFolder
        // Artifact paths are relative to the service folder (the parent of `.serverless/`) or absolute from the
        // machine that packaged; either way the ZIP is looked for beside the state file too.
        let serviceFolder = stateFolder.hasSuffix(".serverless") ? stateFolder.parentFolder : stateFolder
        let local = LocalCode(base: serviceFolder, root: serviceFolder, file: file)
        func artifact(_ named: String?, fallback: String) throws(DescriptorError) -> CodeSource {
            let name = named ?? ".serverless/" + fallback
            let found: CodeSource
            var outside: DescriptorError?
            do {
                found = try local.resolve(name, what: "package artifact")
            } catch {
                // An absolute path from the machine that packaged: the ZIP beside the state file, if it is there.
                found = .notLocal(error.message)
                outside = error
            }
            if case .local = found { return found }
            let beside = LocalCode.join(stateFolder, PathName.last(name))
            if FileManager.default.fileExists(atPath: beside) { return try local.resolve(beside, what: "package artifact") }
            if let outside { throw outside }
            return found
        }
        let serviceName = service["service"]?.string ?? service["service"]?["name"]?.string ?? "service"
        let individually = service["package"]?["individually"]?.string == "true" || service["package"]?["individually"]?.string == "1"
        let serviceArtifact = service["package"]?["artifact"]?.string
        // Layers by the logical id the framework gives them in CloudFormation (`<Name>LambdaLayer`).
        var layers: [String: LayerDescriptor] = [:]
        for (name, layer) in service["layers"]?.object ?? [:] {
            let descriptor = LayerDescriptor(
                name: name, code: try artifact(layer["package"]?["artifact"]?.string, fallback: name + ".zip"),
                compatibleRuntimes: layer["compatibleRuntimes"]?.strings ?? [],
                compatibleArchitectures: layer["compatibleArchitectures"]?.strings ?? [])
            layers[logicalId(ofLayer: name)] = descriptor
            layers[name] = descriptor
        }
        var functions: [FunctionDescriptor] = []
        let entries = service["functions"]?.object ?? [:]
        for key in entries.keys.sorted() {
            guard let function = entries[key] else { continue }
            let image = function["image"] != nil
            let packaged = function["package"]?["artifact"]?.string
                ?? (individually ? nil : serviceArtifact)
            let code: CodeSource = image
                ? .notLocal("it is a container image (PackageType Image)")
                : try artifact(packaged, fallback: (individually ? key : serviceName) + ".zip")
            let layerItems = function["layers"]?.array ?? provider["layers"]?.array ?? []
            let functionLayers = layerItems.map { item -> LayerDescriptor in
                if let reference = item["Ref"]?.string {
                    return layers[reference] ?? LayerDescriptor(name: reference, code: .notLocal("Ref \(reference) is not a layer of this service"))
                }
                if let arn = item.string { return LayerDescriptor(name: arn, code: .notLocal("it is named only by its ARN \(arn), not built in this project")) }
                return LayerDescriptor(name: CloudFormationTemplate.describe(item), code: .notLocal("layer reference not resolved"))
            }
            functions.append(FunctionDescriptor(
                name: key, functionName: function["name"]?.string,
                runtime: function["runtime"]?.string ?? provider["runtime"]?.string,
                architecture: function["architecture"]?.string ?? provider["architecture"]?.string ?? TargetArchitecture.lambdaDefault.lambdaName,
                handler: function["handler"]?.string, packageType: image ? "Image" : "Zip", code: code, layers: functionLayers,
                file: file, line: DescriptorText.line(ofKey: key, in: text)))
        }
        return DeploymentProject(format: .serverless, file: file, functions: functions)
    }

    /// The framework's `getLambdaLayerLogicalId`: first letter upper-cased, `-` → `Dash`, `_` → `Underscore`.
    static func logicalId(ofLayer name: String) -> String {
        let normalised = name.prefix(1).uppercased() + name.dropFirst()
        return normalised.replacingText("-", with: "Dash").replacingText("_", with: "Underscore") + "LambdaLayer"
    }
}
