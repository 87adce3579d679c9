import ShiplintFacts

extension Check {
    /// Media types Lambda takes for an image (Docker image manifest V2 schema 2 and OCI v1), and what buildx adds.
    static let lambdaManifestTypes: Set<String> = [
        "application/vnd.docker.distribution.manifest.v2+json", "application/vnd.oci.image.manifest.v1+json",
    ]
    static let lambdaConfigTypes: Set<String> = ["application/vnd.docker.container.image.v1+json", "application/vnd.oci.image.config.v1+json"]
    static let lambdaLayerTypes: Set<String> = [
        "application/vnd.docker.image.rootfs.diff.tar.gzip", "application/vnd.docker.image.rootfs.diff.tar",
        "application/vnd.oci.image.layer.v1.tar", "application/vnd.oci.image.layer.v1.tar+gzip", "application/vnd.oci.image.layer.v1.tar+zstd",
    ]

    public static let imageMediaType = Check(
        id: "image-media-type",
        defaultSeverity: .error,
        summary: "An image index with attestation manifests, or a media type Lambda does not accept",
        explanation: """
            Lambda pulls an image by its manifest and refuses what it does not know with "The image manifest, \
            config or layer media type for the source image … is not supported". docker buildx 0.10 and later adds \
            provenance attestations by default: the pushed tag is then an OCI index holding, next to the image, an \
            attestation manifest (annotation `vnd.docker.reference.type: attestation-manifest`, platform \
            `unknown/unknown`, an `application/vnd.in-toto+json` layer) that Lambda rejects (docker/buildx#1533). \
            Any other manifest, config or layer media type than Docker image manifest V2 schema 2 or OCI v1 is \
            refused the same way.

            Fix: build with `docker buildx build --provenance=false` (and `--sbom=false`), or push a \
            single-platform manifest (`--platform linux/amd64 --output type=docker`).
            """,
        examples: [
            CheckExample(
                "an index with a buildx attestation manifest",
                subject: .artifact(SampleImage.artifact(indexEntries: [
                    SampleImage.descriptor(platform: "linux/amd64"), SampleImage.descriptor(platform: "unknown/unknown", attestation: true),
                ])),
                target: "aws-lambda-python3.13-x86_64", fires: true, at: "index.json", mentions: "attestation"),
            CheckExample(
                "a single-platform OCI image with gzip layers",
                subject: .artifact(SampleImage.artifact(indexEntries: [SampleImage.descriptor(platform: "linux/amd64")])),
                target: "aws-lambda-python3.13-x86_64", fires: false),
        ],
        judgement: .perArtifact { context in
            guard let image = context.artifact.image else { return [] }
            let fix = "Build with `docker buildx build --provenance=false --sbom=false`, or push a single-platform manifest; then save and scan the image again."
            var verdicts: [LocatedVerdict] = []
            let attestations = image.indexEntries.filter { $0.referenceType == "attestation-manifest" }
            if !attestations.isEmpty {
                verdicts.append(LocatedVerdict(path: "index.json", verdict: Verdict(
                    "the image index holds \(attestations.count) attestation \(attestations.count == 1 ? "manifest" : "manifests") (\(attestations.map(\.digest).joined(separator: ", "))), as buildx writes by default: Lambda refuses it with \"The image manifest, config or layer media type for the source image is not supported\"",
                    fix: fix, fact: "attestation-manifest")))
            }
            if !lambdaManifestTypes.contains(image.manifestMediaType) {
                verdicts.append(LocatedVerdict(path: "", verdict: Verdict(
                    "the image manifest's media type \(image.manifestMediaType.isEmpty ? "is not given" : "is \(image.manifestMediaType)"), which Lambda does not accept",
                    fix: fix, fact: image.manifestMediaType)))
            }
            if !image.configMediaType.isEmpty, !lambdaConfigTypes.contains(image.configMediaType) {
                verdicts.append(LocatedVerdict(path: "", verdict: Verdict(
                    "the image config's media type is \(image.configMediaType), which Lambda does not accept", fix: fix, fact: image.configMediaType)))
            }
            for (number, type) in image.layerMediaTypes.enumerated() where !lambdaLayerTypes.contains(type) {
                verdicts.append(LocatedVerdict(path: "", verdict: Verdict(
                    "layer \(number + 1)'s media type is \(type), which Lambda does not accept\(type.contains("in-toto") ? " (an attestation, not a file system layer)" : "")",
                    fix: fix, fact: type)))
            }
            return verdicts
        })
}
