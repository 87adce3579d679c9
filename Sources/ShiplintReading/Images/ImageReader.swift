import FoundationEssentials
import ShiplintFacts

/// Reads a container image — a `docker save` tarball, or an OCI image layout as a folder or a tar — into one virtual
/// root file system: layers applied in order (whiteouts, opaque folders, hard links), digests verified, nothing
/// extracted to disk. Every layer entry goes through the same walk as an archive's, so only native files and small
/// metadata are inflated past their header.
public struct ImageReader: Sendable {
    public let limits: ReadLimits
    /// `linux/arm64`, `linux/amd64`, `linux/arm/v7`: the manifest to pick from a multi-platform index.
    public let platform: String?

    /// The platform to pick when the index holds several and none was asked for: the function's architecture.
    public let preferredPlatform: String?
    /// The files kept as text for the caller (see `ArtifactReader.metadata`).
    public let metadata: MetadataSelection

    public init(limits: ReadLimits = .defaults, platform: String? = nil, preferredPlatform: String? = nil, metadata: MetadataSelection = .none) {
        self.limits = limits
        self.platform = platform
        self.preferredPlatform = preferredPlatform
        self.metadata = metadata
    }

    /// True when `path` holds an image (recognised by content, not by name).
    public static func isImage(path: String) -> Bool {
        ImageStore.recognise(path: path) != nil
    }

    static let indexTypes: Set<String> = ["application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json"]

    public func read(path: String) throws(ReadError) -> Artifact {
        guard let store = ImageStore.recognise(path: path) else {
            throw .unrecognised(path: path, reason: "not a container image (no manifest.json, nor oci-layout and index.json)")
        }
        var integrity: [ArtifactProblem] = []
        let chosen = try choose(store, integrity: &integrity)
        let configBytes = try store.read(chosen.configBlob)
        if let expected = chosen.configDigest, SHA256.digest(configBytes) != expected {
            integrity.append(ArtifactProblem(
                kind: .unreadableEntry, path: chosen.configBlob,
                message: "the image config's digest is \(SHA256.digest(configBytes)), but the manifest says \(expected): the archive was changed or damaged after it was built"))
        }
        guard let config = JSONText.foundationObject(bytes: configBytes) else {
            throw .unreadableArtifact(path: path, reason: "the image config \(chosen.configBlob) is not JSON")
        }
        if let platform {
            // An index entry without a platform, or a docker save tarball: the config says which platform it is.
            let own = [config["os"] as? String, config["architecture"] as? String, config["variant"] as? String].compactMap { $0 }.joined(separator: "/")
            guard Self.normalisePlatform(own) == Self.normalisePlatform(platform)
                || Self.normalisePlatform(own).hasPrefix(Self.normalisePlatform(platform) + "/")
            else {
                throw .unreadableArtifact(path: path, reason: "the image has no manifest for \(platform) (its config says \(own))")
            }
        }
        let settings = config["config"] as? [String: Any] ?? [:]
        var env: [String: String] = [:]
        for item in settings["Env"] as? [String] ?? [] {
            guard let equals = item.firstIndex(of: "=") else { continue }
            env[String(item[..<equals])] = String(item[item.index(after: equals)...])
        }
        var root = RootFileSystem(limits: limits, metadata: metadata)
        for (number, layer) in chosen.layers.enumerated() {
            try root.apply(layer: layer, number: number + 1, from: store, integrity: &integrity)
        }
        integrity += root.escapingLinks()
        if root.entries.count > limits.entries {
            root.problems.append(ArtifactProblem(
                kind: .tooManyEntries, path: nil,
                message: "the image's root file system holds \(root.entries.count) entries, more than \(limits.entries); raise --max-entries"))
        }
        let image = ContainerImage(
            format: chosen.format, indexEntries: chosen.indexEntries, indexMediaType: chosen.indexMediaType,
            manifestMediaType: chosen.manifestMediaType, layerMediaTypes: chosen.layers.map(\.mediaType),
            configMediaType: chosen.configMediaType,
            architecture: config["architecture"] as? String ?? "", os: config["os"] as? String ?? "",
            variant: config["variant"] as? String, env: env, entrypoint: settings["Entrypoint"] as? [String] ?? [],
            cmd: settings["Cmd"] as? [String] ?? [], workingDir: settings["WorkingDir"] as? String ?? "",
            labels: settings["Labels"] as? [String: String] ?? [:], uncompressedBytes: root.uncompressed,
            integrityProblems: integrity, rootEntries: root.sortedEntries, rootBinaries: root.sortedBinaries,
            rootTextFiles: root.metadata.filter { $0.key.hasSuffix("include/node/node_version.h") })
        // The code the checks judge: what sits under the task root and /opt, paths relative to `/`.
        let taskRoot = ImageStore.normalise(image.taskRoot)
        let inCode = { (path: String) in
            let outer = String(path.split(separator: "!", maxSplits: 1).first ?? "")
            return [taskRoot, "opt"].contains { !$0.isEmpty && (outer == $0 || outer.hasPrefix($0 + "/")) }
        }
        let storedSize = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int).flatMap { $0 }.map(Int64.init)
        var isFolder: Bool = false
        FileManager.default.fileExists(atPath: path, isDirectory: &isFolder)
        return Artifact(
            path: path, kind: .image, entries: image.rootEntries.filter { inCode($0.path) },
            binaries: image.rootBinaries.filter { inCode($0.path) },
            problems: root.problems.filter { $0.path.map(inCode) ?? true },
            storedSize: isFolder ? nil : storedSize,
            metadataFiles: root.metadata.filter { inCode($0.key) }, image: image)
    }

    struct Layer {
        let blob: String
        let mediaType: String
        let digest: String?
    }

    struct Chosen {
        var format: String
        var indexEntries: [ContainerImage.Descriptor] = []
        var indexMediaType: String?
        var manifestMediaType: String
        var configBlob: String
        var configDigest: String?
        var configMediaType: String
        var layers: [Layer]
    }

    private func json(_ bytes: [UInt8], _ name: String, _ label: String) throws(ReadError) -> Any {
        guard let value = (try? JSONText.parse(bytes: bytes))?.foundationValue else {
            throw .unreadableArtifact(path: label, reason: "\(name) is not JSON")
        }
        return value
    }

    static func blobName(_ digest: String) -> String {
        "blobs/" + digest.replacingText(":", with: "/")
    }

    /// The manifest to read: through the OCI index when there is one (preferred: it names platforms and
    /// attestations), else `manifest.json` of a docker save tarball.
    private func choose(_ store: ImageStore, integrity: inout [ArtifactProblem]) throws(ReadError) -> Chosen {
        if store.exists("oci-layout"), store.exists("index.json") {
            return try chooseOCI(store, integrity: &integrity)
        }
        guard let list = try json(try store.read("manifest.json"), "manifest.json", store.label) as? [[String: Any]], !list.isEmpty else {
            throw .unreadableArtifact(path: store.label, reason: "manifest.json lists no image")
        }
        guard list.count == 1 else {
            let tags = list.map { ($0["RepoTags"] as? [String])?.first ?? "untagged" }
            throw .unreadableArtifact(path: store.label, reason: "the tarball holds \(list.count) images (\(tags.joined(separator: ", "))); save one image per tarball")
        }
        let entry = list[0]
        guard let config = entry["Config"] as? String, let layers = entry["Layers"] as? [String] else {
            throw .unreadableArtifact(path: store.label, reason: "manifest.json names no Config or Layers")
        }
        // Names that are digests (`blobs/sha256/<hex>`, `<hex>.json`) are verified; legacy layer ids are not digests.
        func digest(of name: String) -> String? {
            let parts = ImageStore.normalise(name).split(separator: "/")
            if parts.count == 3, parts[0] == "blobs" { return "\(parts[1]):\(parts[2])" }
            // skopeo names layers `<sha256>.tar` and the config `<sha256>.json`; `<id>/layer.tar` ids are not digests.
            if parts.count == 1, parts[0].hasSuffix(".json") || parts[0].hasSuffix(".tar"), parts[0].count == 68 || parts[0].count == 69 {
                let hex = parts[0].prefix(64)
                if hex.allSatisfy({ $0.isHexDigit }) { return "sha256:" + hex }
            }
            return nil
        }
        return Chosen(
            format: "docker-archive", manifestMediaType: "application/vnd.docker.distribution.manifest.v2+json",
            configBlob: config, configDigest: digest(of: config), configMediaType: "application/vnd.docker.container.image.v1+json",
            layers: layers.map { Layer(blob: $0, mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip", digest: digest(of: $0)) })
    }

    private func descriptor(_ value: [String: Any]) -> ContainerImage.Descriptor {
        let platform = value["platform"] as? [String: Any]
        let text = platform.map { p in
            [p["os"] as? String, p["architecture"] as? String, p["variant"] as? String].compactMap { $0 }.joined(separator: "/")
        } ?? ""
        let annotations = value["annotations"] as? [String: String] ?? [:]
        return ContainerImage.Descriptor(
            mediaType: value["mediaType"] as? String ?? "", digest: value["digest"] as? String ?? "", platform: text,
            referenceType: annotations["vnd.docker.reference.type"])
    }

    /// Reads a blob named by a descriptor's digest and verifies it.
    private func blob(_ digest: String, _ store: ImageStore, integrity: inout [ArtifactProblem]) throws(ReadError) -> [UInt8] {
        let name = Self.blobName(digest)
        let bytes = try store.read(name)
        let actual = SHA256.digest(bytes)
        if digest.hasPrefix("sha256:"), actual != digest {
            integrity.append(ArtifactProblem(
                kind: .unreadableEntry, path: name,
                message: "the blob's digest is \(actual), but the index names it \(digest): the archive was changed or damaged after it was built"))
        }
        return bytes
    }

    private func chooseOCI(_ store: ImageStore, integrity: inout [ArtifactProblem]) throws(ReadError) -> Chosen {
        guard var index = try json(try store.read("index.json"), "index.json", store.label) as? [String: Any] else {
            throw .unreadableArtifact(path: store.label, reason: "index.json is not a JSON object")
        }
        var indexMediaType = index["mediaType"] as? String ?? "application/vnd.oci.image.index.v1+json"
        // docker and buildx wrap the pushed index in index.json: read through a lone nested index.
        for _ in 0..<4 {
            let manifests = index["manifests"] as? [[String: Any]] ?? []
            guard manifests.count == 1, let type = manifests[0]["mediaType"] as? String, Self.indexTypes.contains(type),
                let digest = manifests[0]["digest"] as? String
            else { break }
            guard let nested = try json(try blob(digest, store, integrity: &integrity), digest, store.label) as? [String: Any] else { break }
            index = nested
            indexMediaType = nested["mediaType"] as? String ?? type
        }
        let manifests = (index["manifests"] as? [[String: Any]] ?? [])
        let entries = manifests.map(descriptor)
        let images = zip(manifests, entries).filter { _, entry in
            entry.referenceType != "attestation-manifest" && entry.platform != "unknown/unknown" && !Self.indexTypes.contains(entry.mediaType)
        }
        guard !images.isEmpty else { throw .unreadableArtifact(path: store.label, reason: "the OCI index lists no image manifest") }
        let picked: [String: Any]
        if images.count == 1 && platform == nil {
            picked = images[0].0
        } else if let platform {
            let wanted = Self.normalisePlatform(platform)
            let matching = images.filter { Self.normalisePlatform($0.1.platform) == wanted || ($0.1.platform.isEmpty && images.count == 1) }
            guard let match = matching.first else {
                throw .unreadableArtifact(path: store.label, reason: "the image has no manifest for \(platform) (it has \(images.map { $0.1.platform.isEmpty ? "one without a platform" : $0.1.platform }.joined(separator: ", ")))")
            }
            picked = match.0
        } else if let preferredPlatform,
            let match = images.first(where: { Self.normalisePlatform($0.1.platform) == Self.normalisePlatform(preferredPlatform) })
        {
            picked = match.0
        } else {
            throw .unreadableArtifact(path: store.label, reason: "the image holds manifests for \(images.map(\.1.platform).joined(separator: ", ")); pick one with --platform (e.g. --platform \(images[0].1.platform))")
        }
        let pickedDescriptor = descriptor(picked)
        guard let manifest = try json(try blob(pickedDescriptor.digest, store, integrity: &integrity), pickedDescriptor.digest, store.label) as? [String: Any],
            let config = manifest["config"] as? [String: Any], let configDigest = config["digest"] as? String
        else {
            throw .unreadableArtifact(path: store.label, reason: "the manifest \(pickedDescriptor.digest) names no config")
        }
        let layers = (manifest["layers"] as? [[String: Any]] ?? []).compactMap { layer -> Layer? in
            guard let digest = layer["digest"] as? String else { return nil }
            return Layer(blob: Self.blobName(digest), mediaType: layer["mediaType"] as? String ?? "", digest: digest)
        }
        return Chosen(
            format: "oci-layout", indexEntries: entries, indexMediaType: indexMediaType,
            manifestMediaType: manifest["mediaType"] as? String ?? pickedDescriptor.mediaType,
            configBlob: Self.blobName(configDigest), configDigest: configDigest,
            configMediaType: config["mediaType"] as? String ?? "", layers: layers)
    }

    /// `linux/amd64`, `amd64`, `linux/x86_64` all name the same platform; `arm64` is `arm64/v8` as buildx writes it.
    static func normalisePlatform(_ text: String) -> String {
        var parts = text.lowercased().split(separator: "/").map(String.init)
        if parts.count == 1 || (parts.first != "linux" && parts.first != "windows") { parts.insert("linux", at: 0) }
        let aliases = ["x86_64": "amd64", "aarch64": "arm64"]
        if parts.count > 1 { parts[1] = aliases[parts[1]] ?? parts[1] }
        if parts.count == 3, parts[1] == "arm64", parts[2] == "v8" { parts.removeLast() }
        return parts.joined(separator: "/")
    }
}
