import ShiplintFacts
import ShiplintTargets

public enum Severity: String, Sendable, Comparable, CaseIterable, Hashable {
    case note, warning, error

    private var rank: Int {
        switch self {
        case .note: 0
        case .warning: 1
        case .error: 2
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// One thing shiplint reports: which check, on which file of which artifact, what is wrong and how to fix it. One
/// cause is one finding (STYLE 12): when the check finds the same fact in several files of one installed
/// distribution, Node package or folder (`group`), the judge makes them one finding about the first file, listing
/// the others (`otherFiles`).
public struct Finding: Sendable, Hashable {
    public let check: String
    public let severity: Severity
    /// The artifact as given on the command line.
    public let artifact: String
    /// Path inside the artifact (nested archives joined with `!`); empty for the artifact as a whole. For a finding
    /// about several files, the first of them in path order.
    public let path: String
    /// What the check says of `path`.
    public let message: String
    public let fix: String
    /// What is wrong, as a stable fact (`libGL.so.1`, `GLIBC_2.28`, `aarch64`): part of the finding's identity, so a
    /// baseline of one missing library never hides another. Empty where the check and path say it all.
    public let fact: String
    /// The deployment (function) this finding was judged in, when the scan came from a deployment descriptor.
    public let deployment: String?
    /// The installed distribution, Node package or folder that holds `path`, nil for the artifact as a whole or a
    /// file at its top. Findings of one check with one fact in one group are one cause, and the group (not the file)
    /// is the finding's place in its identity, so a baseline still matches when the package gains a file.
    public let group: FindingGroup?
    /// The other files of `group` where the check found the same fact, in path order, each with what the check said
    /// of it; empty for a finding about one file.
    public let otherFiles: [FindingFile]

    public init(
        check: String, severity: Severity, artifact: String, path: String, message: String, fix: String,
        fact: String = "", deployment: String? = nil, group: FindingGroup? = nil, otherFiles: [FindingFile] = []
    ) {
        self.check = check
        self.severity = severity
        self.artifact = artifact
        self.path = path
        self.message = message
        self.fix = fix
        self.fact = fact
        self.deployment = deployment
        self.group = group
        self.otherFiles = otherFiles
    }

    /// Every file the finding is about, in path order (`path` first); empty for the artifact as a whole.
    public var files: [String] { path.isEmpty && otherFiles.isEmpty ? [] : [path] + otherFiles.map(\.path) }

    /// How many files it is about (1 for a finding about one file or the artifact).
    public var fileCount: Int { 1 + otherFiles.count }

    /// Whether it stands for the same cause in several files.
    public var isGrouped: Bool { !otherFiles.isEmpty }

    /// Every file as its own finding, in path order (what the checks said before the judge grouped them).
    public var perFile: [Finding] {
        guard isGrouped else { return [self] }
        return ([FindingFile(path: path, message: message)] + otherFiles).map { file in
            Finding(check: check, severity: severity, artifact: artifact, path: file.path, message: file.message, fix: fix, fact: fact,
                    deployment: deployment, group: group)
        }
    }

    /// The same finding with another severity (the project's, for its check).
    public func with(severity: Severity) -> Finding {
        Finding(check: check, severity: severity, artifact: artifact, path: path, message: message, fix: fix, fact: fact,
                deployment: deployment, group: group, otherFiles: otherFiles)
    }

    /// The same finding placed in `group`.
    public func placed(in group: FindingGroup?) -> Finding {
        Finding(check: check, severity: severity, artifact: artifact, path: path, message: message, fix: fix, fact: fact,
                deployment: deployment, group: group, otherFiles: otherFiles)
    }
}

/// One more file of a finding about several files: its path, and what the check said of it.
public struct FindingFile: Sendable, Hashable {
    public let path: String
    public let message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }
}

/// What a check may look at: the binary, the runtime it must run on, and where it is deployed. Plain values, no I/O.
public struct BinaryContext: Sendable {
    public let binary: Binary
    public let runtime: RuntimeView
    /// Where the binary's artifact is deployed: the function, or a layer.
    public let role: ArtifactRole

    public init(binary: Binary, runtime: RuntimeView, role: ArtifactRole = .function) {
        self.binary = binary
        self.runtime = runtime
        self.role = role
    }

    public init(binary: Binary, target: TargetRuntime) {
        self.init(binary: binary, runtime: RuntimeView(target: target))
    }

    /// The runtime's facts (libraries, symbol versions, wheel policy).
    public var target: TargetRuntime { runtime.target }
    /// Fixes for a file deployed where this one is.
    public var advice: InstallAdvice { InstallAdvice(runtime: runtime, role: role) }
}

/// A message and fix for one binary, before the check stamps its id, severity and location on it.
public struct Verdict: Sendable, Equatable {
    public let message: String
    public let fix: String
    /// The stable fact the verdict is about (soname, version node, arch, module …); see `Finding.fact`.
    public let fact: String
    /// A milder severity than the check's default for this verdict (`deployment-not-checked`: a layer not followed
    /// is a note, a function not checked a warning); nil for the default. The project's severity for the check
    /// replaces either.
    public let severity: Severity?

    public init(_ message: String, fix: String, fact: String = "", severity: Severity? = nil) {
        self.message = message
        self.fix = fix
        self.fact = fact
        self.severity = severity
    }
}

/// What an artifact-wide check may look at.
public struct ArtifactContext: Sendable {
    public let artifact: Artifact
    public let runtime: RuntimeView
    /// Deployed as the function (at the task root) or as the n-th layer (at the layer root).
    public let role: ArtifactRole

    public init(artifact: Artifact, runtime: RuntimeView, role: ArtifactRole = .function) {
        self.artifact = artifact
        self.runtime = runtime
        self.role = role
    }

    public init(artifact: Artifact, target: TargetRuntime, isLayer: Bool = false) {
        self.init(artifact: artifact, runtime: RuntimeView(target: target), role: isLayer ? .layer(1) : .function)
    }

    /// The runtime's facts (libraries, symbol versions, package limits).
    public var target: TargetRuntime { runtime.target }
    public var isLayer: Bool { role != .function }
    /// Fixes for a file of this artifact.
    public var advice: InstallAdvice { InstallAdvice(runtime: runtime, role: role) }
}

/// What a deployment-wide check may look at: the function and the layers deployed with it, in order.
public struct DeploymentContext: Sendable {
    /// Nil when only layers were given.
    public let function: Artifact?
    public let layers: [Artifact]
    public let target: TargetRuntime
    /// The runtime as this function sees it: mounts, module paths, PATH, LD_LIBRARY_PATH, family, architecture, libc.
    public let runtime: RuntimeView
    /// Where every DT_NEEDED of every ELF in the deployment resolves, computed once for all checks.
    public let loadGraph: LoadGraph
    /// How surely the runtime uses each native file (loaded, might run, another platform's copy), computed once.
    public let reachability: Reachability
    /// What the deployment descriptor says about the function (runtime, handler, layers' compatibility), when the
    /// scan came from one (`shiplint scan PROJECT`); nil for artifacts named on the command line.
    public let descriptor: FunctionDescriptor?
    /// Today as `YYYY-MM-DD` (UTC), for dated facts (`runtime-deprecated`); injected so tests never read the clock.
    public let today: String?
    /// What of the deployment could not be read or followed (a layer only named by an ARN, a value computed at
    /// deploy time): `deployment-not-checked` says each.
    public let gaps: [DeploymentGap]
    /// The function first, then the layers in deployment order, each with its entries split once for every check.
    let inputs: [DeploymentInput]

    public init(
        function: Artifact?, layers: [Artifact], target: TargetRuntime, descriptor: FunctionDescriptor? = nil, today: String? = nil,
        gaps: [DeploymentGap] = []
    ) {
        self.init(function: function, layers: layers, target: target, descriptor: descriptor, today: today, gaps: gaps, layerEntries: nil)
    }

    /// `layerEntries`: the layers' entries already split (several functions share the layers), in layer order.
    init(
        function: Artifact?, layers: [Artifact], target: TargetRuntime, descriptor: FunctionDescriptor? = nil, today: String? = nil,
        gaps: [DeploymentGap] = [], layerEntries: [[UnpackedEntry]]?
    ) {
        self.function = function
        self.layers = layers
        self.target = target
        self.descriptor = descriptor
        self.today = today
        self.gaps = gaps
        let runtime = RuntimeView(target: target, descriptor: descriptor)
        self.runtime = runtime
        self.loadGraph = LoaderModel.graph(function: function, layers: layers, runtime: runtime)
        inputs = (function.map { [DeploymentInput(artifact: $0, role: .function)] } ?? [])
            + layers.indices.map { DeploymentInput(artifact: layers[$0], role: .layer($0 + 1), unpacked: layerEntries?[$0]) }
        reachability = runtime.reachability(
            placed: (function.map { [($0, ArtifactRole.function)] } ?? []) + layers.enumerated().map { ($0.element, .layer($0.offset + 1)) })
    }

    /// The function first, then the layers in deployment order.
    public var artifacts: [Artifact] { (function.map { [$0] } ?? []) + layers }

    /// The function and the layers, each with where it is deployed.
    public var placed: [(artifact: Artifact, role: ArtifactRole)] {
        (function.map { [($0, ArtifactRole.function)] } ?? []) + layers.enumerated().map { ($0.element, .layer($0.offset + 1)) }
    }

    /// Where `artifact` (by path) is deployed in this function, nil when it is not part of it.
    public func role(of artifact: String) -> ArtifactRole? {
        placed.first { $0.artifact.path == artifact }?.role
    }

    /// Fixes for a file of the function (`.function`) or of a layer.
    public func advice(for role: ArtifactRole) -> InstallAdvice { InstallAdvice(runtime: runtime, role: role) }

    /// Fixes that do not depend on where the file is deployed (a wheel's build image, a library to ship).
    public var advice: InstallAdvice { advice(for: .function) }

    /// What the descriptor-wide checks see of this deployment, nil without a descriptor.
    public var described: DescriptorContext? {
        descriptor.map { DescriptorContext(descriptor: $0, runtime: runtime, today: today, gaps: gaps, function: function?.path) }
    }
}

/// What a descriptor-wide check may look at: the function as its deployment descriptor declares it, what of it could
/// not be read, and the runtime it is judged against. It exists for every function of a project, judged or not: a
/// function whose code is only in S3 still runs on a runtime with a deprecation date.
public struct DescriptorContext: Sendable {
    public let descriptor: FunctionDescriptor
    /// The runtime the function is judged against; nil when it has none (no built-in target for its runtime).
    public let runtime: RuntimeView?
    /// Today as `YYYY-MM-DD` (UTC).
    public let today: String?
    /// What of the deployment could not be read or followed, in the order it was met.
    public let gaps: [DeploymentGap]
    /// The function's code as read (a verdict without an artifact lands on it), nil when it was not read (it lands
    /// on the descriptor).
    public let function: String?

    public init(descriptor: FunctionDescriptor, runtime: RuntimeView?, today: String?, gaps: [DeploymentGap], function: String?) {
        self.descriptor = descriptor
        self.runtime = runtime
        self.today = today
        self.gaps = gaps
        self.function = function
    }

    /// Where a verdict that names no artifact lands: the function's code when it was read, else the descriptor.
    public var defaultArtifact: String { function ?? descriptor.file }
}

/// A verdict about one path of an artifact (empty path: the artifact as a whole).
public struct LocatedVerdict: Sendable, Equatable {
    /// The artifact concerned, as given on the command line; nil means the artifact being judged.
    public let artifact: String?
    public let path: String
    public let verdict: Verdict

    public init(artifact: String? = nil, path: String, verdict: Verdict) {
        self.artifact = artifact
        self.path = path
        self.verdict = verdict
    }
}

/// How a check judges: one binary at a time, one artifact at a time, a function with all its layers, or what a
/// deployment descriptor says about a function (whether or not its code could be read).
public enum Judgement: Sendable {
    case perBinary(@Sendable (BinaryContext) -> Verdict?)
    case perArtifact(@Sendable (ArtifactContext) -> [LocatedVerdict])
    case perDeployment(@Sendable (DeploymentContext) -> [LocatedVerdict])
    case perDescriptor(@Sendable (DescriptorContext) -> [LocatedVerdict])
}

/// An example in a check's documentation, run by the test suite: the facts, the target, and whether it fires.
public struct CheckExample: Sendable {
    public enum Subject: Sendable {
        case binary(Binary)
        case artifact(Artifact)
        /// A function (may be nil) and its layers.
        case deployment(function: Artifact?, layers: [Artifact])
        /// A function as a deployment descriptor declares it, its code and layers, judged on `today` (`YYYY-MM-DD`).
        case described(FunctionDescriptor, function: Artifact?, layers: [Artifact], today: String)
        /// A function of a descriptor whose code was not judged, with what could not be read.
        case unchecked(FunctionDescriptor, gaps: [DeploymentGap], today: String)
    }

    public let summary: String
    public let subject: Subject
    public let target: String
    public let fires: Bool
    /// Where the finding lands when it fires: the path inside the artifact (empty: the artifact as a whole). Every
    /// firing example states it; the test suite holds the check to it.
    public let at: String?
    /// Text the message must contain when it fires (the soname, version node, arch, module … it is about). Every
    /// firing example states it.
    public let mentions: String?

    public init(_ summary: String, binary: Binary, target: String, fires: Bool, at: String? = nil, mentions: String? = nil) {
        self.init(summary, subject: .binary(binary), target: target, fires: fires, at: at, mentions: mentions)
    }

    public init(_ summary: String, subject: Subject, target: String, fires: Bool, at: String? = nil, mentions: String? = nil) {
        self.summary = summary
        self.subject = subject
        self.target = target
        self.fires = fires
        self.at = at
        self.mentions = mentions
    }
}

/// A check: its stable id (a public contract: CI configs name it), documentation, examples, and its judgement.
public struct Check: Sendable {
    public let id: String
    public let defaultSeverity: Severity
    public let summary: String
    /// Written for the person whose Lambda just failed: what it means, why it breaks, how to fix it.
    public let explanation: String
    public let examples: [CheckExample]
    public let judgement: Judgement

    public init(
        id: String, defaultSeverity: Severity, summary: String, explanation: String, examples: [CheckExample],
        judgement: Judgement
    ) {
        self.id = id
        self.defaultSeverity = defaultSeverity
        self.summary = summary
        self.explanation = explanation
        self.examples = examples
        self.judgement = judgement
    }

    /// A check that judges one binary at a time.
    public init(
        id: String, defaultSeverity: Severity, summary: String, explanation: String, examples: [CheckExample],
        judge: @escaping @Sendable (BinaryContext) -> Verdict?
    ) {
        self.init(id: id, defaultSeverity: defaultSeverity, summary: summary, explanation: explanation, examples: examples, judgement: .perBinary(judge))
    }

    /// Every verdict of this check on one artifact (per-binary and per-artifact checks; nothing for deployment checks).
    public func verdicts(_ context: ArtifactContext) -> [LocatedVerdict] {
        switch judgement {
        case .perBinary(let judge):
            context.artifact.binaries.compactMap { binary in
                judge(BinaryContext(binary: binary, runtime: context.runtime, role: context.role)).map { verdict in
                    // A link judged by its target's content: the message names the file it is.
                    let said = binary.linkTarget.map {
                        Verdict(
                            verdict.message + " (this path is a link to '\($0)', which is what the runtime loads)", fix: verdict.fix,
                            fact: verdict.fact, severity: verdict.severity)
                    }
                    return LocatedVerdict(path: binary.path, verdict: said ?? verdict)
                }
            }
        case .perArtifact(let judge):
            judge(context)
        case .perDeployment, .perDescriptor:
            []
        }
    }

    /// Every verdict of this check on what a descriptor says (nothing for the other kinds).
    public func verdicts(_ context: DescriptorContext) -> [LocatedVerdict] {
        guard case .perDescriptor(let judge) = judgement else { return [] }
        return judge(context)
    }

    /// Every verdict of this check on a deployment: deployment checks once, descriptor checks once when there is a
    /// descriptor, the others on each artifact.
    public func verdicts(_ context: DeploymentContext) -> [LocatedVerdict] {
        switch judgement {
        case .perDeployment(let judge):
            judge(context)
        case .perDescriptor(let judge):
            context.described.map(judge) ?? []
        case .perBinary, .perArtifact:
            context.placed.flatMap { artifact, role in
                verdicts(ArtifactContext(artifact: artifact, runtime: context.runtime, role: role)).map {
                    LocatedVerdict(artifact: $0.artifact ?? artifact.path, path: $0.path, verdict: $0.verdict)
                }
            }
        }
    }
}
