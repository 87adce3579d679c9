import ShiplintChecks
import ShiplintDeployments
import ShiplintFacts
import ShiplintOutcome
import ShiplintPolicy
import ShiplintReading
import ShiplintTargets

/// What `shiplint scan PROJECT` was asked: which functions, their images, a target for all, the day, the limits.
public struct ProjectScanRequest: Sendable {
    /// `--function` selectors; empty: every function.
    public var functions: [String]
    /// `--image FUNCTION=PATH`.
    public var images: [String]
    /// `--target`: its name as given and the target, replacing every function's own.
    public var target: (name: String, runtime: TargetRuntime)?
    /// Today as `YYYY-MM-DD` (UTC).
    public var today: String
    public var limits: ReadLimits
    /// `--platform` for an image index of several platforms.
    public var platform: String?

    public init(
        functions: [String] = [], images: [String] = [], target: (name: String, runtime: TargetRuntime)? = nil, today: String,
        limits: ReadLimits = .defaults, platform: String? = nil
    ) {
        self.functions = functions
        self.images = images
        self.target = target
        self.today = today
        self.limits = limits
        self.platform = platform
    }
}

/// `shiplint scan PROJECT`: reads the code and layers of each function of a deployment descriptor (what cannot be
/// read is a gap, said by `deployment-not-checked`), judges each function against the built-in target for its own
/// runtime and architecture (or `--target`), and gives the policy's judge every result at once. Artifacts shared by
/// several functions (a layer) are read once.
public enum ProjectScan {
    public static func scan(_ project: DeploymentProject, request: ProjectScanRequest, policy: ScanPolicy) throws(ScanError) -> ScanOutcome {
        let choice: TargetChoice = request.target.map { .fixed(name: $0.name, runtime: $0.runtime) } ?? .own
        return try scan(project, request: request, policy: policy, columns: [choice])[0]
    }

    /// The same project judged once per column (`--target A --target B`, `--to`): every code path and layer is read
    /// once for all of them; each column is a whole outcome of its own, the functions in the same order.
    public static func scan(
        _ project: DeploymentProject, request: ProjectScanRequest, policy: ScanPolicy, columns: [TargetChoice]
    ) throws(ScanError) -> [ScanOutcome] {
        guard !project.functions.isEmpty || !project.notes.isEmpty else {
            throw ScanError("\(project.file): no Lambda functions (AWS::Serverless::Function, AWS::Lambda::Function, aws_lambda_function, or Serverless functions) in it")
        }
        let functions = try selected(project, request.functions)
        var reader = FunctionReader(
            request: request, images: try ProjectImages(request.images, functions: functions, file: project.file))
        return columns.map { choice in
            reader.choice = choice
            let results = functions.map { descriptor in
                switch reader.read(descriptor) {
                case .judged(let deployment): policy.result(deployment)
                case .described(let described): policy.result(described)
                }
            }
            return judged(results, project: project, policy: policy, choice: choice)
        }
    }

    /// One column's results through the policy's judge, with the project's own findings.
    private static func judged(
        _ results: [ScanResult], project: DeploymentProject, policy: ScanPolicy, choice: TargetChoice
    ) -> ScanOutcome {
        let checks = policy.checks()
        let notChecked = checks.contains { $0.id == Check.deploymentNotChecked.id }
        let projectFindings: [Finding] = notChecked ? project.notes.map { note in
            let verdict = DeploymentNotChecked.projectVerdict(note)
            return Finding(
                check: Check.deploymentNotChecked.id, severity: Check.deploymentNotChecked.defaultSeverity, artifact: project.file, path: "",
                message: verdict.message, fix: verdict.fix, fact: verdict.fact)
        } : []
        let override: String? = if case .fixed(let name, _) = choice { name } else { nil }
        return policy.judge(
            results, project: ProjectDescription(format: project.format.rawValue, file: project.file, targetOverride: override),
            projectFindings: projectFindings, checks: checks)
    }

    /// The functions `--function` names (all when none), or an error listing the functions there are.
    static func selected(_ project: DeploymentProject, _ selectors: [String]) throws(ScanError) -> [FunctionDescriptor] {
        guard !selectors.isEmpty else { return project.functions }
        let unknown = selectors.filter { selector in !project.functions.contains { $0.matches(selector) } }
        if !unknown.isEmpty {
            throw ScanError("no function \(unknown.joined(separator: ", ")) in \(project.file); it has \(project.functions.map(\.label).joined(separator: ", "))")
        }
        return project.functions.filter { descriptor in selectors.contains { descriptor.matches($0) } }
    }
}

/// One function of a project as read: a deployment to judge (its code, layers and target are all there), or only
/// what its descriptor says (its code or target is missing).
enum ReadFunction {
    case judged(DeploymentContext)
    case described(DescriptorContext)
}

/// Reads each function's code, layers and target, once per path and per target name across the project.
struct FunctionReader {
    let request: ProjectScanRequest
    let images: ProjectImages
    /// The column being read: which target each function is judged against.
    var choice: TargetChoice = .own
    private var artifacts: [String: Result<Artifact, ScanError>] = [:]
    private var targets: [String: TargetRuntime?] = [:]

    init(request: ProjectScanRequest, images: ProjectImages) {
        self.request = request
        self.images = images
    }

    mutating func read(_ declared: FunctionDescriptor) -> ReadFunction {
        // Moved (`--to`): judged as if its descriptor named the new runtime and architecture.
        let descriptor = if case .moved(let migration) = choice { migration.moved(declared) } else { declared }
        var gaps = descriptor.notes.map(DeploymentGap.unresolved)
        var target = self.target(for: descriptor, gaps: &gaps)
        if descriptor.packageType == "Zip", descriptor.handler == nil, descriptor.runtime != nil, descriptor.family?.isOSOnly != true {
            gaps.append(.noHandler)
        }
        var function: Artifact?
        // An image function with its local image archive: judged against the image itself.
        if descriptor.packageType == "Image", let path = images.path(for: descriptor) {
            switch images.read(path, descriptor: descriptor, limits: request.limits, platform: request.platform) {
            case .success(let (imageTarget, artifact)):
                function = artifact
                target = imageTarget
                gaps.removeAll { $0 == .noRuntime || { if case .noTarget = $0 { true } else { false } }($0) }
            case .failure(let failure):
                gaps.append(.imageUnreadable(path: path, reason: failure.message))
            }
        } else {
            switch descriptor.code {
            case .local(let path):
                switch artifact(path) {
                case .success(let read):
                    function = read
                    if let unbuilt = UnbuiltSources.reason(read) { gaps.append(.unbuiltSources(path: path, reason: unbuilt)) }
                case .failure(let failure): gaps.append(.codeUnreadable(path: path, reason: failure.message))
                }
            case .notLocal(let why):
                gaps.append(.codeNotLocal(why))
            }
        }
        let layers = self.layers(of: descriptor, gaps: &gaps)
        if let target, let function {
            // Python modules that fail here: the imports of their packages, read again (optional imports are warnings).
            let read = PythonSourceRead.completing(functions: [function], layers: layers, targets: [target], limits: request.limits)
            return .judged(DeploymentContext(
                function: read.functions.first ?? function, layers: read.layers, target: target, descriptor: descriptor, today: request.today,
                gaps: gaps))
        }
        return .described(DescriptorContext(
            descriptor: descriptor, runtime: target.map { RuntimeView(target: $0, descriptor: descriptor) }, today: request.today, gaps: gaps,
            function: nil))
    }

    /// `--target`, else the built-in target of the function's runtime and architecture; a gap when there is none.
    private mutating func target(for descriptor: FunctionDescriptor, gaps: inout [DeploymentGap]) -> TargetRuntime? {
        if case .fixed(_, let runtime) = choice { return runtime }
        guard let runtime = descriptor.runtime else {
            if descriptor.packageType == "Zip" { gaps.append(.noRuntime) }
            return nil
        }
        let name = TargetCatalog.lambdaTargetName(runtime: runtime, architecture: descriptor.architecture)
        if targets[name] == nil { targets[name] = .some(try? TargetCatalog.builtIn.load(name)) }
        guard let target = targets[name] ?? nil else {
            gaps.append(.noTarget(runtime: runtime, architecture: descriptor.architecture, targetName: name))
            return nil
        }
        return target
    }

    /// The layers that could be read, in order; a gap for each other one.
    private mutating func layers(of descriptor: FunctionDescriptor, gaps: inout [DeploymentGap]) -> [Artifact] {
        var layers: [Artifact] = []
        for (index, layer) in descriptor.layers.enumerated() {
            switch layer.code {
            case .local(let path):
                switch artifact(path) {
                case .success(let read): layers.append(read)
                case .failure(let failure): gaps.append(.layerUnreadable(number: index + 1, name: layer.name, path: path, reason: failure.message))
                }
            case .notLocal(let why):
                gaps.append(.layerNotLocal(number: index + 1, name: layer.name, reason: why))
            }
        }
        return layers
    }

    /// The artifact at `path`, read once for the project.
    private mutating func artifact(_ path: String) -> Result<Artifact, ScanError> {
        if let cached = artifacts[path] { return cached }
        let result: Result<Artifact, ScanError>
        do throws(ReadError) {
            result = .success(try ArtifactReader(limits: request.limits, metadata: .checks).read(path: path))
        } catch {
            result = .failure(ScanError(error.description))
        }
        artifacts[path] = result
        return result
    }
}
