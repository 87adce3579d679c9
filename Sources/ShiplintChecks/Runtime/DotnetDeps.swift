import FoundationEssentials
import ShiplintFacts

/// A .NET app's dependency manifest (`MyFunction.deps.json`), as the host reads it to know which native assets it may
/// load: the target named by `runtimeTarget`, each package's `runtimeTargets` with `"assetType": "native"` (one per
/// RID, picked by the host's RID list) and its `native` assets (a RID-specific publish: loaded whatever the RID).
/// Microsoft: "Dependency manifest (.deps.json)" and the host's "RID-specific assets" resolution.
struct DotnetDeps: Sendable, Equatable {
    /// A native asset the manifest lists.
    struct Asset: Sendable, Equatable {
        /// Its path as listed (`runtimes/linux-x64/native/libe_sqlite3.so`).
        let listed: String
        /// Where the host looks for it in the artifact: the app's folder and the listed path for a RID-specific asset,
        /// the app's folder and the file's name for one without a RID (a RID-specific publish copies them there).
        let path: String
        /// Its RID (`runtimeTargets`), nil for an asset listed under `native`.
        let rid: String?
        /// The package it comes from (`SQLitePCLRaw.lib.e_sqlite3/2.1.6`).
        let package: String
    }

    /// The manifest's path in the artifact.
    let manifest: String
    /// The app's folder in the artifact (`""`, `publish`): where the manifest is.
    let appFolder: String
    let assets: [Asset]

    /// Nil when the text is not a manifest the host would read (not JSON, no targets).
    init?(manifest: String, text: String) {
        guard let json = JSONText.foundationObject(text),
            let targets = json["targets"] as? [String: Any]
        else { return nil }
        let named = (json["runtimeTarget"] as? [String: Any])?["name"] as? String
        guard let name = named ?? targets.keys.sorted().first, let packages = targets[name] as? [String: Any] else { return nil }
        self.manifest = manifest
        let folder = manifest.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        appFolder = folder
        let prefix = folder.isEmpty ? "" : folder + "/"
        var assets: [Asset] = []
        for package in packages.keys.sorted() {
            guard let entry = packages[package] as? [String: Any] else { continue }
            if let rid = entry["runtimeTargets"] as? [String: Any] {
                for listed in rid.keys.sorted() {
                    guard let fields = rid[listed] as? [String: Any], fields["assetType"] as? String == "native",
                        let assetRID = fields["rid"] as? String
                    else { continue }
                    assets.append(Asset(listed: listed, path: prefix + listed, rid: assetRID, package: package))
                }
            }
            if let native = entry["native"] as? [String: Any] {
                for listed in native.keys.sorted() {
                    let file = listed.split(separator: "/").last.map(String.init) ?? listed
                    assets.append(Asset(listed: listed, path: prefix + file, rid: nil, package: package))
                }
            }
        }
        self.assets = assets
    }

    /// Every manifest kept of `artifact` (at any folder but inside no nested archive).
    static func all(in artifact: Artifact) -> [DotnetDeps] {
        artifact.metadataFiles.keys.sorted().filter { $0.hasSuffix(".deps.json") && !EntryPath.isNested($0) }.compactMap {
            DotnetDeps(manifest: $0, text: artifact.metadataFiles[$0]!)
        }
    }
}
