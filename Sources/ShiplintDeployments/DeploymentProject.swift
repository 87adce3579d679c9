import FoundationEssentials
import ShiplintFacts

/// The descriptor formats shiplint reads.
public enum DescriptorFormat: String, Sendable, CaseIterable {
    case sam = "aws-sam"
    case cdk = "aws-cdk"
    case serverless
    case terraform

    /// Where a project of this format keeps its descriptor, for a message that lists what was looked for.
    public var lookedFor: String {
        switch self {
        case .sam: "template.yaml, .aws-sam/build/template.yaml"
        case .cdk: "cdk.out/manifest.json"
        case .serverless: ".serverless/serverless-state.json"
        case .terraform: "`terraform show -json` output"
        }
    }

    /// Every format's descriptor, in one phrase: "template.yaml, …, or `terraform show -json` output".
    public static var everyLookedFor: String {
        let all = allCases.map(\.lookedFor)
        return all.dropLast().joined(separator: ", ") + ", or " + (all.last ?? "")
    }
}

/// A project's deployment as its descriptor says: every function with its code, runtime, architecture and layers.
public struct DeploymentProject: Sendable {
    public let format: DescriptorFormat
    /// The descriptor file read (the template, `manifest.json`, `serverless-state.json`, the plan JSON).
    public let file: String
    /// Sorted by name.
    public let functions: [FunctionDescriptor]
    /// What of the project could not be followed (a nested stack from a URL, an application from the Serverless
    /// Application Repository): functions there were not checked.
    public let notes: [String]

    public init(format: DescriptorFormat, file: String, functions: [FunctionDescriptor], notes: [String] = []) {
        self.format = format
        self.file = file
        self.functions = functions
        self.notes = notes
    }

    /// Reads the project at `path` (a folder or a descriptor file), recognised by content. Nil when nothing there
    /// is a descriptor (the path is then an ordinary artifact); an error when a descriptor is there but bad, or
    /// cannot be read (too large, not UTF-8, too deep): never a fall-back to reading the path another way.
    public static func read(_ path: String, limits: DescriptorLimits = .defaults) throws(DescriptorError) -> DeploymentProject? {
        do {
            return try DescriptorText.$limits.withValue(limits) { () throws -> DeploymentProject? in
                guard let (format, file) = try locate(path) else { return nil }
                switch format {
                case .sam: return try SamReader.read(template: file)
                case .cdk: return try CdkReader.read(manifest: file)
                case .serverless: return try ServerlessReader.read(state: file)
                case .terraform: return try TerraformReader.read(plan: file)
                }
            }
        } catch let error as DescriptorError {
            throw error
        } catch {
            throw DescriptorError(file: path, message: "\(error)")
        }
    }

    /// Names only a descriptor has: a file so named that cannot be read is an error, not "no descriptor".
    static let descriptorNames: Set<String> = ["template.yaml", "template.yml", "serverless-state.json"]

    /// The descriptor in `path`, recognised by name and content: a built SAM template before the source one.
    static func locate(_ path: String) throws(DescriptorError) -> (DescriptorFormat, String)? {
        if isFolder(path) {
            let candidates: [(DescriptorFormat, String)] = [
                (.sam, ".aws-sam/build/template.yaml"), (.cdk, "cdk.out/manifest.json"),
                (.serverless, ".serverless/serverless-state.json"),
                (.sam, "template.yaml"), (.sam, "template.yml"), (.sam, "template.json"),
                (.cdk, "manifest.json"), (.serverless, "serverless-state.json"),
            ]
            for (format, name) in candidates {
                let file = LocalCode.join(path, name)
                if FileManager.default.fileExists(atPath: file), try recognise(file, named: name.contains("/")) == format { return (format, file) }
            }
            // A Terraform plan or state as JSON (`terraform show -json`), under any name.
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            for name in names.sorted() where name.hasSuffix(".json") {
                let file = LocalCode.join(path, name)
                if try recognise(file) == .terraform { return (.terraform, file) }
            }
            return nil
        }
        guard FileManager.default.fileExists(atPath: path), let format = try recognise(path) else { return nil }
        return (format, path)
    }

    /// Text a descriptor of some format has near its start (a key or a resource type), to tell a descriptor that
    /// cannot be read from a file that is none.
    static func looksLikeDescriptor(_ text: String) -> Bool {
        ["AWS::", "AWSTemplateFormatVersion", "\"artifacts\"", "\"format_version\"", "\"terraform_version\"", "\"provider\""].contains { text.contains($0) }
    }

    /// The format of one file, from its content; nil when it is none of them. A file that is a descriptor by its
    /// name (`named`: where a tool writes one, such as `cdk.out/manifest.json`; or `template.yaml`) or by what it
    /// starts with, but cannot be read or parsed, is an error.
    static func recognise(_ file: String, named: Bool = false) throws(DescriptorError) -> DescriptorFormat? {
        let lower = file.lowercased()
        guard lower.hasSuffix(".json") || lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") || lower.hasSuffix(".template") else { return nil }
        let isDescriptorName = named || descriptorNames.contains(PathName.last(file))
        let text: String
        do {
            text = try DescriptorText.read(file)
        } catch {
            if isDescriptorName || looksLikeDescriptor(DescriptorText.head(file)) { throw error }
            return nil
        }
        if text.drop(while: \.isWhitespace).first == "{" {
            // Cheap tests first: a 30 MB plan is parsed once, by its reader.
            let value: DescriptorValue
            do {
                value = try DescriptorText.json(text, file: file)
            } catch {
                if isDescriptorName || looksLikeDescriptor(String(text.prefix(1 << 20))) { throw error }
                return nil
            }
            if CloudFormationTemplate.recognises(value) { return .sam }
            if value["artifacts"]?.object != nil, value["version"]?.string != nil { return .cdk }
            if value["service"]?["provider"] != nil { return .serverless }
            if value["format_version"] != nil, value["planned_values"] != nil || value["values"] != nil || value["terraform_version"] != nil {
                return .terraform
            }
            return nil
        }
        // YAML: a template has a top-level `Resources:` with `Type: AWS::…` (a bad one is reported by its reader).
        let hasResources = text.split(separator: "\n").contains { $0.hasPrefix("Resources:") }
        return hasResources && text.contains("AWS::") ? .sam : nil
    }

    static func isFolder(_ path: String) -> Bool {
        var folder: Bool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &folder) && folder
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
    var parentFolder: String { PathName.parent(self).nonEmpty ?? "." }
}

/// AWS SAM: `template.yaml` (source) or `.aws-sam/build/template.yaml` (what `sam build` wrote).
enum SamReader {
    static func read(template file: String) throws(DescriptorError) -> DeploymentProject {
        let template = try CloudFormationTemplate.load(path: file, display: file)
        guard CloudFormationTemplate.recognises(template.value) else {
            throw DescriptorError(file: file, message: "no Resources with a Type: not a CloudFormation or SAM template")
        }
        // Code paths are relative to the template; they must stay inside the project (the folder named, or the
        // project that holds `.aws-sam/build`).
        let folder = file.parentFolder
        let projectRoot = isBuilt(file) ? folder.parentFolder.parentFolder : folder
        let found = try template.functionsWithNested(
            code: { template in
                let local = LocalCode(base: template.file.parentFolder, root: projectRoot, file: template.file)
                return { (_, property, _) throws(DescriptorError) in try code(property, local: local) }
            },
            nested: { (template, _, resource) throws(DescriptorError) in
                let property = resource["Properties"]?["Location"] ?? resource["Properties"]?["TemplateURL"]
                guard let location = property?.string else {
                    if property?["ApplicationId"] != nil { return .notLocal("an application from the Serverless Application Repository") }
                    return .notLocal("its template is \(property.map(CloudFormationTemplate.describe) ?? "not given")")
                }
                if location.hasPrefix("https://") || location.hasPrefix("http://") || location.hasPrefix("s3://") {
                    return .notLocal("its template is at \(location), not in the project")
                }
                return try LocalCode(base: template.file.parentFolder, root: projectRoot, file: template.file).resolve(location, what: "nested template")
            })
        var functions = found.functions
        // Reports point at the source template, the file in the pull request, when the built one came from it.
        let sourceCheck = LocalCode(base: projectRoot, root: projectRoot, file: file)
        if isBuilt(file), let source = ["template.yaml", "template.yml", "template.json"]
            .map({ LocalCode.join(projectRoot, $0) }).first(where: { FileManager.default.fileExists(atPath: $0) }),
            (try? sourceCheck.inside(source, what: "source template", named: source)) != nil,
            let text = try? DescriptorText.read(source) {
            functions = functions.map { function in
                DescriptorText.line(ofKey: function.name, in: text).map { function.located(file: LocalCode.tidy(source), line: $0) } ?? function
            }
        }
        return DeploymentProject(format: .sam, file: file, functions: functions.sorted { $0.name < $1.name }, notes: found.notes)
    }

    static func isBuilt(_ file: String) -> Bool { file.hasSuffix(".aws-sam/build/template.yaml") }

    /// `CodeUri` / `ContentUri` (a path, an `s3://` URI or `{Bucket, Key}`), or a `Code` / `Content` object.
    static func code(_ property: DescriptorValue?, local: LocalCode) throws(DescriptorError) -> CodeSource {
        guard let property else { return .notLocal("no CodeUri or Code in the template") }
        if let path = property.string { return try local.resolve(path, what: "code path") }
        if property["ZipFile"] != nil { return .notLocal("inline ZipFile code") }
        if let image = property["ImageUri"]?.string { return .notLocal("container image \(image)") }
        let bucket = property["Bucket"] ?? property["S3Bucket"]
        let key = property["Key"] ?? property["S3Key"]
        if bucket != nil || key != nil {
            let name = key?.string ?? key.map(CloudFormationTemplate.describe) ?? "?"
            return .notLocal("code in S3 (key \(name)), not a local path")
        }
        return .notLocal("code given as \(CloudFormationTemplate.describe(property)), not a local path")
    }
}
