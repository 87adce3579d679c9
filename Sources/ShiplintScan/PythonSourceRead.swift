import ShiplintChecks
import ShiplintFacts
import ShiplintReading
import ShiplintTargets

/// The second, small read behind "severity follows what the runtime loads" for Python: when a check says an
/// extension module cannot load on a target, the `.py` files of its package and the handler are read again for the
/// imports of that module (`OptionalImports.reads`), so that a module imported only under `except ImportError` is
/// judged as the warning it is. Nothing is read again when no module fails.
public enum PythonSourceRead {
    /// The artifacts with the imports of the Python files their failing modules need (`Artifact.pythonSources`), for
    /// every target given (the columns of a matrix); the same artifacts when nothing fails. A function is judged with
    /// all the layers, as `Scanner` does.
    public static func completing(
        functions: [Artifact], layers: [Artifact], targets: [TargetRuntime], limits: ReadLimits
    ) -> (functions: [Artifact], layers: [Artifact]) {
        var wanted: [String: PythonFileSelection] = [:]
        for target in targets {
            let deployments = functions.isEmpty
                ? [DeploymentContext(function: nil, layers: layers, target: target)]
                : functions.map { DeploymentContext(function: $0, layers: layers, target: target) }
            for deployment in deployments {
                for (artifact, selection) in OptionalImports.reads(for: deployment) {
                    wanted[artifact] = wanted[artifact].map {
                        PythonFileSelection(files: $0.files.union(selection.files), folders: $0.folders.union(selection.folders))
                    } ?? selection
                }
            }
        }
        guard !wanted.isEmpty else { return (functions, layers) }
        let reader = ArtifactReader(limits: limits)
        func completed(_ artifact: Artifact) -> Artifact {
            guard artifact.path != "-", let selection = wanted[artifact.path] else { return artifact }
            return artifact.adding(reader.pythonSources(path: artifact.path, selection: selection))
        }
        return (functions.map(completed), layers.map(completed))
    }
}
