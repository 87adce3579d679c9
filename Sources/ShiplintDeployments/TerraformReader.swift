import FoundationEssentials
import ShiplintFacts

/// Terraform: the JSON of `terraform show -json PLAN` (`planned_values`) or of the state (`values`), with
/// `aws_lambda_function` and `aws_lambda_layer_version` resources in the root module and its child modules
/// (HashiCorp, "JSON Output Format"). Layers unknown at plan time are found through `configuration`'s references.
enum TerraformReader {
    static let maximumModuleDepth = 16

    struct Resource {
        let address: String
        let type: String
        let values: DescriptorValue
    }

    static func read(plan file: String) throws(DescriptorError) -> DeploymentProject {
        let document = try DescriptorText.json(try DescriptorText.read(file), file: file)
        guard let root = document["planned_values"]?["root_module"] ?? document["values"]?["root_module"] else {
            throw DescriptorError(file: file, message: "no planned_values.root_module or values.root_module: not `terraform show -json` output")
        }
        var resources: [Resource] = []
        try collect(root, into: &resources, depth: 0, file: file)
        // `filename` is relative to the folder terraform ran in: taken to be the folder of the JSON.
        let folder = file.parentFolder
        let local = LocalCode(base: folder, root: folder, file: file)
        var layersByAddress: [String: LayerDescriptor] = [:]
        var layersByArn: [String: LayerDescriptor] = [:]
        for resource in resources where resource.type == "aws_lambda_layer_version" {
            let values = resource.values
            let layer = LayerDescriptor(
                name: resource.address, code: try code(values, local: local),
                compatibleRuntimes: values["compatible_runtimes"]?.strings ?? [],
                compatibleArchitectures: values["compatible_architectures"]?.strings ?? [])
            layersByAddress[resource.address] = layer
            if let arn = values["arn"]?.string { layersByArn[arn] = layer }
        }
        let references = layerReferences(document["configuration"]?["root_module"], prefix: "", depth: 0)
        // Values a plan cannot know yet (`after_unknown`): said, not passed over.
        var unknownLayers = Set<String>()
        for change in document["resource_changes"]?.array ?? [] {
            if let address = change["address"]?.string, change["change"]?["after_unknown"]?["layers"]?.string == "1"
                || change["change"]?["after_unknown"]?["layers"]?.string == "true" {
                unknownLayers.insert(address)
            }
        }
        var functions: [FunctionDescriptor] = []
        for resource in resources.sorted(by: { $0.address < $1.address }) where resource.type == "aws_lambda_function" {
            let values = resource.values
            var notes: [String] = []
            var layers: [LayerDescriptor] = []
            if let arns = values["layers"]?.array, !arns.isEmpty {
                layers = arns.map { item in
                    guard let arn = item.string else { return LayerDescriptor(name: "?", code: .notLocal("layer value not known")) }
                    return layersByArn[arn] ?? LayerDescriptor(name: arn, code: .notLocal("it is named only by its ARN \(arn), not built in this project"))
                }
            } else if let referenced = references[resource.address], !referenced.isEmpty {
                // Unknown until apply: the configuration names the layer resources instead.
                layers = referenced.compactMap { layersByAddress[$0] }
                if layers.count < referenced.count { notes.append("layers \(referenced.joined(separator: ", ")) are not all in this plan") }
            } else if unknownLayers.contains(resource.address) {
                notes.append("layers are unknown until apply and the configuration names none: its layers were not checked")
            }
            let packageType = values["package_type"]?.string ?? "Zip"
            let architectures = values["architectures"]?.strings ?? []
            functions.append(FunctionDescriptor(
                name: resource.address, functionName: values["function_name"]?.string, runtime: values["runtime"]?.string,
                architecture: architectures.first ?? TargetArchitecture.lambdaDefault.lambdaName, handler: values["handler"]?.string, packageType: packageType,
                code: packageType == "Image" ? .notLocal("it is a container image (PackageType Image)") : try code(values, local: local), layers: layers, file: file,
                notes: notes))
        }
        return DeploymentProject(format: .terraform, file: file, functions: functions)
    }

    private static func collect(_ module: DescriptorValue, into resources: inout [Resource], depth: Int, file: String) throws(DescriptorError) {
        guard depth <= maximumModuleDepth else { throw DescriptorError(file: file, message: "modules nested more than \(maximumModuleDepth) deep") }
        for item in module["resources"]?.array ?? [] {
            guard item["mode"]?.string ?? "managed" == "managed", let address = item["address"]?.string, let type = item["type"]?.string else { continue }
            resources.append(Resource(address: address, type: type, values: item["values"] ?? .null))
        }
        for child in module["child_modules"]?.array ?? [] {
            try collect(child, into: &resources, depth: depth + 1, file: file)
        }
    }

    /// `filename` (a local ZIP), else S3 or an image: not local.
    static func code(_ values: DescriptorValue, local: LocalCode) throws(DescriptorError) -> CodeSource {
        if let filename = values["filename"]?.string { return try local.resolve(filename, what: "filename of \(values["function_name"]?.string ?? values["layer_name"]?.string ?? "a resource")") }
        if let bucket = values["s3_bucket"]?.string { return .notLocal("code in S3 (s3://\(bucket)/\(values["s3_key"]?.string ?? "?")), not a local path") }
        if values["image_uri"]?.string != nil { return .notLocal("it is a container image (PackageType Image)") }
        return .notLocal("no filename in the plan (unknown until apply?)")
    }

    /// Function address → the `aws_lambda_layer_version` addresses its `layers` expression references.
    private static func layerReferences(_ module: DescriptorValue?, prefix: String, depth: Int) -> [String: [String]] {
        guard let module, depth <= maximumModuleDepth else { return [:] }
        var found: [String: [String]] = [:]
        for item in module["resources"]?.array ?? [] {
            guard item["type"]?.string == "aws_lambda_function", let address = item["address"]?.string else { continue }
            let references = item["expressions"]?["layers"]?["references"]?.strings ?? []
            var layers: [String] = []
            for reference in references where reference.hasPrefix("aws_lambda_layer_version.") {
                let parts = reference.split(separator: ".")
                let layer = prefix + parts.prefix(2).joined(separator: ".")
                if !layers.contains(layer) { layers.append(layer) }
            }
            found[prefix + address] = layers
        }
        for (name, call) in module["module_calls"]?.object ?? [:] {
            found.merge(layerReferences(call["module"], prefix: prefix + "module.\(name).", depth: depth + 1)) { first, _ in first }
        }
        return found
    }
}
