import ShiplintChecks
import ShiplintDeployments
import ShiplintFacts
import ShiplintReading
import ShiplintTargets

/// One function of a project as `explain` and `inspect` need it: its code, layers, runtime and architecture as the
/// descriptor gives them (the same reading as a project scan), as a deployment; what cannot be read is an error,
/// since there is nothing to explain without it, except a layer only named by an ARN, which is left out and said.
public enum ProjectFunction {
    public static func deployment(
        of project: DeploymentProject, function selector: String?, logGroups: [String] = [], target override: TargetRuntime?,
        limits: ReadLimits, today: String
    ) throws(ScanError) -> (deployment: DeploymentContext, notes: [String]) {
        let descriptor = try chosen(project, selector: selector, logGroups: logGroups)
        guard descriptor.packageType == "Zip" else {
            throw ScanError("\(descriptor.label) is an image function: explain reads ZIP functions; scan its image with `shiplint scan \(project.file) --image \(descriptor.name)=image.tar`")
        }
        let target: TargetRuntime
        if let override { target = override } else { target = try builtInTarget(descriptor) }
        let reader = ArtifactReader(limits: limits, metadata: .checks)
        func read(_ code: CodeSource, _ what: String) throws(ScanError) -> Artifact {
            switch code {
            case .local(let path):
                do throws(ReadError) {
                    return try reader.read(path: path)
                } catch {
                    throw ScanError("\(what) \(path) cannot be read: \(error.description)")
                }
            case .notLocal(let why):
                throw ScanError("\(what) is not in the project: \(why); build the project locally (sam build, cdk synth, serverless package) and explain the build")
            }
        }
        let function = try read(descriptor.code, "the code of \(descriptor.label)")
        var layers: [Artifact] = []
        var notes: [String] = []
        for (number, layer) in descriptor.layers.enumerated() {
            // A layer published elsewhere (an ARN) is not in the project: said, and the rest explained without it.
            if case .notLocal(let why) = layer.code {
                notes.append("layer \(number + 1) (\(layer.name)) of \(descriptor.label) was not read: \(why); an error its files would explain is reported as not explained")
                continue
            }
            layers.append(try read(layer.code, "layer \(number + 1) (\(layer.name)) of \(descriptor.label)"))
        }
        let read = PythonSourceRead.completing(functions: [function], layers: layers, targets: [target], limits: limits)
        return (DeploymentContext(function: read.functions.first ?? function, layers: read.layers, target: target, descriptor: descriptor, today: today), notes)
    }

    /// The function `--function` names, else the one the log's log group names, else the project's only one.
    /// `logGroups`: the function names of the log groups the error text names (`/aws/lambda/NAME`, the whole name, as
    /// the streamed reading of the error text collects them: ErrorTextReading.logGroups).
    static func chosen(_ project: DeploymentProject, selector: String?, logGroups: [String]) throws(ScanError) -> FunctionDescriptor {
        let names = project.functions.map(\.label).joined(separator: ", ")
        if let selector {
            guard let found = project.functions.first(where: { $0.matches(selector) }) else {
                throw ScanError("no function \(selector) in \(project.file); it has \(names.isEmpty ? "none" : names)")
            }
            return found
        }
        if project.functions.count > 1, let logged = loggedFunction(project.functions, logGroups) { return logged }
        guard project.functions.count == 1, let only = project.functions.first else {
            throw ScanError(project.functions.isEmpty
                ? "\(project.file): no Lambda functions in it"
                : "\(project.file) has \(project.functions.count) functions (\(names)): name one with --function")
        }
        return only
    }

    /// The built-in target of the function's runtime and architecture, or an error saying to pass `--target`.
    static func builtInTarget(_ descriptor: FunctionDescriptor) throws(ScanError) -> TargetRuntime {
        guard let runtime = descriptor.runtime else { throw ScanError("\(descriptor.label): the descriptor gives no Runtime; pass --target") }
        let name = TargetCatalog.lambdaTargetName(runtime: runtime, architecture: descriptor.architecture)
        guard let loaded = try? TargetCatalog.builtIn.load(name) else {
            throw ScanError("\(descriptor.label): no built-in target for \(runtime) on \(descriptor.architecture) (\(name)); pass --target with a rule file")
        }
        return loaded
    }

    /// The one function whose log group (`/aws/lambda/NAME`) the pasted log names, if exactly one does: the whole name
    /// (`/aws/lambda/api` is not `/aws/lambda/api-worker`; the reader collects whole names).
    public static func loggedFunction(_ functions: [FunctionDescriptor], _ logGroups: [String]) -> FunctionDescriptor? {
        let named = functions.filter { descriptor in
            [descriptor.functionName, descriptor.name].compactMap { $0 }.contains { logGroups.contains($0) }
        }
        return named.count == 1 ? named[0] : nil
    }
}
