import ShiplintFacts

/// Container images described in code, for the examples of the image checks.
enum SampleImage {
    static let ociIndex = "application/vnd.oci.image.index.v1+json"
    static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
    static let ociLayer = "application/vnd.oci.image.layer.v1.tar+gzip"

    static func artifact(
        architecture: String = "amd64", indexEntries: [ContainerImage.Descriptor] = [], layerMediaTypes: [String] = [ociLayer],
        entrypoint: [String] = ["/lambda-entrypoint.sh"], cmd: [String] = ["app.handler"], env: [String: String] = [:],
        uncompressedBytes: Int64 = 300 << 20, integrityProblems: [ArtifactProblem] = [],
        rootEntries: [ArtifactEntry] = [ArtifactEntry(path: "lambda-entrypoint.sh", size: 300, mode: 0o100755, type: .file)],
        rootBinaries: [Binary] = []
    ) -> Artifact {
        let image = ContainerImage(
            format: "oci-layout", indexEntries: indexEntries, indexMediaType: indexEntries.isEmpty ? nil : ociIndex,
            manifestMediaType: ociManifest, layerMediaTypes: layerMediaTypes, configMediaType: "application/vnd.oci.image.config.v1+json",
            architecture: architecture, os: "linux", variant: nil, env: env, entrypoint: entrypoint, cmd: cmd, workingDir: LambdaFileSystem.taskRoot,
            labels: [:], uncompressedBytes: uncompressedBytes, integrityProblems: integrityProblems, rootEntries: rootEntries,
            rootBinaries: rootBinaries)
        return Artifact(path: "image.tar", kind: .image, entries: [], binaries: [], problems: [], image: image)
    }

    static func descriptor(platform: String, attestation: Bool = false) -> ContainerImage.Descriptor {
        ContainerImage.Descriptor(
            mediaType: ociManifest, digest: "sha256:" + String(repeating: attestation ? "b" : "a", count: 64), platform: platform,
            referenceType: attestation ? "attestation-manifest" : nil)
    }
}
