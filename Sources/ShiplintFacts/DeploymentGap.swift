/// A part of a deployment that shiplint could not read or follow: what `deployment-not-checked` says, so that
/// nothing it did not look at passes in silence. Gathered while a project is read (the descriptor's own notes, code
/// or layers that are not on this machine or cannot be read, a runtime with no target), judged like any finding.
public enum DeploymentGap: Sendable, Equatable, Hashable {
    /// A value the descriptor computes at deploy time (`!If`, a parameter with no default, a value unknown until
    /// apply): the descriptor's note, as it says it.
    case unresolved(String)
    /// No built-in target for the function's runtime on its architecture (`targetName` was looked for).
    case noTarget(runtime: String, architecture: String, targetName: String)
    /// A ZIP function whose descriptor gives no Runtime.
    case noRuntime
    /// A ZIP function whose descriptor gives no Handler, on a runtime that needs one.
    case noHandler
    /// The function's code is not on this machine (S3, inline, an image with no `--image`), and why.
    case codeNotLocal(String)
    /// The function's code is at `path` but cannot be read.
    case codeUnreadable(path: String, reason: String)
    /// An image function's saved image cannot be read.
    case imageUnreadable(path: String, reason: String)
    /// A layer (1-based, in deployment order) that is not on this machine, and why.
    case layerNotLocal(number: Int, name: String, reason: String)
    /// A layer at `path` that cannot be read.
    case layerUnreadable(number: Int, name: String, path: String, reason: String)
    /// The function's code at `path` is its source, not a build: a dependency manifest lists dependencies and none
    /// is installed beside it (`reason` says which); what the build installs was not there to check.
    case unbuiltSources(path: String, reason: String)

    /// The function itself was not checked (its code or its runtime is missing), not only a part of it.
    public var leavesFunctionUnchecked: Bool {
        switch self {
        case .noTarget, .noRuntime, .codeNotLocal, .codeUnreadable, .imageUnreadable: true
        case .unresolved, .noHandler, .layerNotLocal, .layerUnreadable, .unbuiltSources: false
        }
    }

    /// A warning, not a note: the function was not checked, or its dependencies were not there to check.
    public var isWarning: Bool {
        if case .unbuiltSources = self { return true }
        return leavesFunctionUnchecked
    }
}
