import ShiplintFacts

extension Check {
    /// Lambda's limit on a container image: 10 GB uncompressed, every layer included.
    static let imageSizeLimit: Int64 = 10 << 30

    public static let imageTooLarge = Check(
        id: "image-too-large",
        defaultSeverity: .error,
        summary: "A container image over the 10 GB Lambda accepts, uncompressed",
        explanation: """
            Lambda runs container images of at most 10 GB uncompressed, counting every layer (files a later layer \
            replaces or deletes still count: they are pulled). A larger image fails to deploy.

            Fix: start from a smaller base image, remove build tools and caches in the same layer that made them \
            (or use a multi-stage build and copy only what runs), and move large data to S3 or EFS.
            """,
        examples: [
            CheckExample(
                "an image whose layers unpack to 11 GB",
                subject: .artifact(SampleImage.artifact(uncompressedBytes: 11 << 30)),
                target: "aws-lambda-python3.13-x86_64", fires: true, at: "", mentions: "10 GB"),
            CheckExample(
                "an image of 800 MB", subject: .artifact(SampleImage.artifact(uncompressedBytes: 800 << 20)),
                target: "aws-lambda-python3.13-x86_64", fires: false),
        ],
        judgement: .perArtifact { context in
            guard let image = context.artifact.image, image.uncompressedBytes > imageSizeLimit else { return [] }
            return [LocatedVerdict(path: "", verdict: Verdict(
                "the image's layers unpack to \(image.uncompressedBytes) bytes, over the 10 GB (\(imageSizeLimit) bytes) Lambda accepts for an image",
                fix: "Use a smaller base image, delete build tools and caches in the layer that made them (or a multi-stage build), and keep large data in S3 or EFS.",
                fact: "uncompressed size"))]
        })
}
