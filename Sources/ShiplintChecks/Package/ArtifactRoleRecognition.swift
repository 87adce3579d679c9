import ShiplintFacts
import ShiplintTargets

/// How an artifact given on the command line is deployed: what `--as` names, or what its content says.
public enum DeclaredRole: String, Sendable, CaseIterable {
    case function, layer
}

/// A ZIP or folder that only a layer could be: every file under the folders Lambda gives a layer's content to the
/// runtime (`python/`, `nodejs/`, `java/`, `ruby/`, `lib/`, `bin/`, `extensions/`), and nothing at its top that a
/// handler or `bootstrap` could be. Lambda mounts it at `/opt`, so it is judged as a layer.
public enum LayerRecognition {
    /// Why `artifact` is a layer ("every entry under python/"), nil when it may be a function.
    public static func reason(_ artifact: Artifact, target: TargetRuntime) -> String? {
        reason(artifact, runtime: RuntimeView(target: target))
    }

    /// The same, asked of the runtime view: its package layout and the folders a layer gives the runtime.
    public static func reason(_ artifact: Artifact, runtime: RuntimeView) -> String? {
        guard runtime.hasPackageLayout, artifact.kind == .zip || artifact.kind == .folder else { return nil }
        let layerFolders = RuntimeView.layerContentFolders
        var tops = Set<String>()
        for entry in artifact.entries where entry.type == .file && !EntryPath.isNested(entry.path) {
            // The first and last components and whether there are several: the path is not split into strings.
            var first: Substring?
            var last: Substring?
            var count = 0
            EntryPath.eachComponent(entry.path) { part in
                if first == nil { first = part }
                last = part
                count += 1
                return true
            }
            // macOS Finder's __MACOSX/ and dot files say nothing about the role.
            guard let top = first.map(String.init), top != "__MACOSX", !(last ?? "").hasPrefix(".") else { continue }
            // A file at the top is a handler (or bootstrap) candidate; a file outside the layer folders is code a
            // layer would not hold.
            guard count > 1, layerFolders.contains(top) else { return nil }
            tops.insert(top)
        }
        // Only lib/ and bin/ is also how a provided function ships its libraries next to bootstrap: it needs a
        // language folder (or extensions/) to be a layer for certain.
        guard !tops.isEmpty, !tops.isSubset(of: RuntimeView.sharedLayerFolders) else { return nil }
        return "every entry under " + tops.sorted().map { $0 + "/" }.joined(separator: ", ")
    }

    /// Splits the artifacts named as functions into functions and layers, by `declared` role or by content. Layers
    /// found this way come before the ones given with `--layer`. `reasons` maps each artifact path whose role was
    /// recognised (not declared) to why.
    public static func split(
        _ artifacts: [Artifact], declared: DeclaredRole?, target: TargetRuntime
    ) -> (functions: [Artifact], layers: [Artifact], reasons: [String: String]) {
        var functions: [Artifact] = []
        var layers: [Artifact] = []
        var reasons: [String: String] = [:]
        for artifact in artifacts {
            switch declared {
            case .function: functions.append(artifact)
            case .layer: layers.append(artifact); reasons[artifact.path] = "given with --as layer"
            case nil:
                if let reason = reason(artifact, target: target) {
                    layers.append(artifact)
                    reasons[artifact.path] = "recognised: " + reason
                } else {
                    functions.append(artifact)
                }
            }
        }
        return (functions, layers, reasons)
    }
}
