/// Where a function's or layer's code is, as the deployment descriptor says.
public enum CodeSource: Sendable, Equatable, Hashable {
    /// A file or folder on this machine (a path as the user can open it).
    case local(String)
    /// Code shiplint cannot read, and why ("S3 object s3://bucket/key", "layer ARN arn:aws:lambda:…", "inline ZipFile").
    case notLocal(String)
}

/// A layer as a function's descriptor names it, in deployment order.
public struct LayerDescriptor: Sendable, Equatable, Hashable {
    /// The layer's logical id (or the ARN / reference it was named by).
    public let name: String
    public let code: CodeSource
    /// Empty when the descriptor does not say (then nothing is excluded).
    public let compatibleRuntimes: [String]
    public let compatibleArchitectures: [String]

    public init(name: String, code: CodeSource, compatibleRuntimes: [String] = [], compatibleArchitectures: [String] = []) {
        self.name = name
        self.code = code
        self.compatibleRuntimes = compatibleRuntimes
        self.compatibleArchitectures = compatibleArchitectures
    }
}

/// One function of a deployment descriptor (SAM or CloudFormation template, CDK cloud assembly, Serverless state,
/// Terraform plan): what Lambda will run, read from text, before anything is judged.
public struct FunctionDescriptor: Sendable, Equatable, Hashable {
    /// The resource's logical id (`HelloFunction`; `Stack/HelloFunction1A2B3C` in a CDK assembly, the resource
    /// address in Terraform, the function key in Serverless): what findings and `--function` name.
    public let name: String
    /// `FunctionName` when the descriptor sets one.
    public let functionName: String?
    /// `python3.13`, `nodejs22.x`, `provided.al2023` …; nil when the descriptor has none (an image function).
    public let runtime: String?
    /// `x86_64` or `arm64` (Lambda's names); `x86_64` when the descriptor says nothing, as Lambda does.
    public let architecture: String
    public let handler: String?
    /// `Zip` or `Image`.
    public let packageType: String
    public let code: CodeSource
    public let layers: [LayerDescriptor]
    /// The descriptor file, as a path the user can open (relative when the project was named relatively).
    public let file: String
    /// 1-based line of the resource in `file`, when known.
    public let line: Int?
    /// Descriptor facts that leave something unchecked (an unresolved layer reference, a value unknown at plan time).
    public let notes: [String]

    public init(
        name: String, functionName: String? = nil, runtime: String?, architecture: String = TargetArchitecture.lambdaDefault.lambdaName, handler: String?,
        packageType: String = "Zip", code: CodeSource, layers: [LayerDescriptor] = [], file: String, line: Int? = nil,
        notes: [String] = []
    ) {
        self.name = name
        self.functionName = functionName
        self.runtime = runtime
        self.architecture = architecture
        self.handler = handler
        self.packageType = packageType
        self.code = code
        self.layers = layers
        self.file = file
        self.line = line
        self.notes = notes
    }

    /// The same function, pointed at another file and line (the source template of a built one).
    public func located(file: String, line: Int?) -> FunctionDescriptor {
        FunctionDescriptor(
            name: name, functionName: functionName, runtime: runtime, architecture: architecture, handler: handler,
            packageType: packageType, code: code, layers: layers, file: file, line: line, notes: notes)
    }

    /// The architecture the descriptor names, nil for a spelling no architecture has.
    public var targetArchitecture: TargetArchitecture? { TargetArchitecture(spelling: architecture) }

    /// The runtime's family (`python3.13` → python), nil without a runtime or for an unknown one.
    public var family: RuntimeFamily? { runtime.flatMap(RuntimeFamily.init(runtime:)) }

    /// The label findings carry: the logical id, and the function name when it differs.
    public var label: String {
        guard let functionName, functionName != name else { return name }
        return "\(name) (\(functionName))"
    }

    /// True when `selector` (from `--function`) names this function: its logical id, its name, or the id without
    /// the CDK stack prefix.
    public func matches(_ selector: String) -> Bool {
        let id = name.split(separator: "/").last.map(String.init) ?? name
        // CDK logical ids are the construct id plus 8 hex digits (`ArmFunction74350E25`).
        let constructId = id.count > 8 && id.suffix(8).allSatisfy(\.isHexDigit) ? String(id.dropLast(8)) : nil
        return selector == name || selector == functionName || selector == id || selector == constructId
    }
}
