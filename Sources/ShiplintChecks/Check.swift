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

/// One thing shiplint reports: which check, on which file of which artifact, what is wrong and how to fix it.
public struct Finding: Sendable, Hashable {
    public let check: String
    public let severity: Severity
    /// The artifact as given on the command line.
    public let artifact: String
    /// Path inside the artifact (nested archives joined with `!`); empty for the artifact as a whole.
    public let path: String
    public let message: String
    public let fix: String
    /// What is wrong, as a stable fact (`libGL.so.1`, `GLIBC_2.28`, `aarch64`): part of the finding's identity, so a
    /// baseline of one missing library never hides another. Empty where the check and path say it all.
    public let fact: String
    /// The deployment (function) this finding was judged in, when the scan came from a deployment descriptor.
    public let deployment: String?

    public init(
        check: String, severity: Severity, artifact: String, path: String, message: String, fix: String,
        fact: String = "", deployment: String? = nil
    ) {
        self.check = check
        self.severity = severity
        self.artifact = artifact
        self.path = path
        self.message = message
        self.fix = fix
        self.fact = fact
        self.deployment = deployment
    }
}

/// What a check may look at: the binary, and the target it must run on. Plain values, no I/O.
public struct BinaryContext: Sendable {
    public let binary: Binary
    public let target: TargetRuntime

    public init(binary: Binary, target: TargetRuntime) {
        self.binary = binary
        self.target = target
    }
}

/// A message and fix for one binary, before the check stamps its id, severity and location on it.
public struct Verdict: Sendable, Equatable {
    public let message: String
    public let fix: String
    /// The stable fact the verdict is about (soname, version node, arch, module …); see `Finding.fact`.
    public let fact: String

    public init(_ message: String, fix: String, fact: String = "") {
        self.message = message
        self.fix = fix
        self.fact = fact
    }
}

/// What an artifact-wide check may look at.
public struct ArtifactContext: Sendable {
    public let artifact: Artifact
    public let target: TargetRuntime
    /// Deployed as a layer (at `/opt`) rather than as the function (at `/var/task`).
    public let isLayer: Bool

    public init(artifact: Artifact, target: TargetRuntime, isLayer: Bool = false) {
        self.artifact = artifact
        self.target = target
        self.isLayer = isLayer
    }
}

/// What a deployment-wide check may look at: the function and the layers deployed with it, in order.
public struct DeploymentContext: Sendable {
    /// Nil when only layers were given.
    public let function: Artifact?
    public let layers: [Artifact]
    public let target: TargetRuntime
    /// Where every DT_NEEDED of every ELF in the deployment resolves, computed once for all checks.
    public let loadGraph: LoadGraph
    /// What the deployment descriptor says about the function (runtime, handler, layers' compatibility), when the
    /// scan came from one (`shiplint scan PROJECT`); nil for artifacts named on the command line.
    public let descriptor: FunctionDescriptor?
    /// Today as `YYYY-MM-DD` (UTC), for dated facts (`runtime-deprecated`); injected so tests never read the clock.
    public let today: String?
    /// The function first, then the layers in deployment order, each with its entries split once for every check.
    let inputs: [DeploymentInput]

    public init(function: Artifact?, layers: [Artifact], target: TargetRuntime, descriptor: FunctionDescriptor? = nil, today: String? = nil) {
        self.init(function: function, layers: layers, target: target, descriptor: descriptor, today: today, layerEntries: nil)
    }

    /// `layerEntries`: the layers' entries already split (several functions share the layers), in layer order.
    init(
        function: Artifact?, layers: [Artifact], target: TargetRuntime, descriptor: FunctionDescriptor? = nil, today: String? = nil,
        layerEntries: [[UnpackedEntry]]?
    ) {
        self.function = function
        self.layers = layers
        self.target = target
        self.descriptor = descriptor
        self.today = today
        self.loadGraph = LoaderModel.graph(function: function, layers: layers, target: target)
        inputs = (function.map { [DeploymentInput(artifact: $0, layerNumber: nil)] } ?? [])
            + layers.indices.map { DeploymentInput(artifact: layers[$0], layerNumber: $0 + 1, unpacked: layerEntries?[$0]) }
    }

    /// The function first, then the layers in deployment order.
    public var artifacts: [Artifact] { (function.map { [$0] } ?? []) + layers }
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

/// How a check judges: one binary at a time, one artifact at a time, or a function with all its layers.
public enum Judgement: Sendable {
    case perBinary(@Sendable (BinaryContext) -> Verdict?)
    case perArtifact(@Sendable (ArtifactContext) -> [LocatedVerdict])
    case perDeployment(@Sendable (DeploymentContext) -> [LocatedVerdict])
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
                judge(BinaryContext(binary: binary, target: context.target)).map { verdict in
                    // A link judged by its target's content: the message names the file it is.
                    let said = binary.linkTarget.map {
                        Verdict(verdict.message + " (this path is a link to '\($0)', which is what the runtime loads)", fix: verdict.fix, fact: verdict.fact)
                    }
                    return LocatedVerdict(path: binary.path, verdict: said ?? verdict)
                }
            }
        case .perArtifact(let judge):
            judge(context)
        case .perDeployment:
            []
        }
    }

    /// Every verdict of this check on a deployment: deployment checks once, the others on each artifact.
    public func verdicts(_ context: DeploymentContext) -> [LocatedVerdict] {
        switch judgement {
        case .perDeployment(let judge):
            judge(context)
        case .perBinary, .perArtifact:
            context.artifacts.enumerated().flatMap { index, artifact in
                let isLayer = index >= (context.function == nil ? 0 : 1)
                return verdicts(ArtifactContext(artifact: artifact, target: context.target, isLayer: isLayer)).map {
                    // pip installs a layer's packages into its python/ folder, not the function's build/.
                    let verdict = isLayer && context.target.python != nil
                        ? Verdict($0.verdict.message, fix: InstallAdvice.intoLayer($0.verdict.fix), fact: $0.verdict.fact) : $0.verdict
                    return LocatedVerdict(artifact: $0.artifact ?? artifact.path, path: $0.path, verdict: verdict)
                }
            }
        }
    }
}
