import ShiplintFacts

extension Check {
    public static let imageIntegrity = Check(
        id: "image-integrity",
        defaultSeverity: .error,
        summary: "An image blob whose digest does not match its manifest, or a link that leaves the image root or points at nothing",
        explanation: """
            Every blob of an image (layers, config, manifests) is named by its SHA-256 digest; a registry refuses a \
            push whose bytes do not match, and a pull that got other bytes fails. A mismatch means the archive was \
            changed or damaged after it was built, so what was judged is not what would run. A symbolic link whose \
            relative target climbs above `/` cannot point where it says (the kernel stops at `/`): it was made for \
            another file system, often by copying a link out of the build machine. A hard link in a layer names a \
            file an earlier entry wrote, by its path from the root: one that climbs above the root, or names a file \
            no entry wrote, has no content in the image (extracting the layer fails, or writes outside the root), \
            so the file it claims to be is not there.

            Fix: build and save the image again (`docker save`, `skopeo copy`, `docker buildx build --output \
            type=oci`) and do not edit the archive; replace an escaping link with the file, or a link inside the image.
            """,
        examples: [
            CheckExample(
                "a layer whose digest does not match the manifest",
                subject: .artifact(SampleImage.artifact(integrityProblems: [ArtifactProblem(
                    kind: .unreadableEntry, path: "blobs/sha256/" + String(repeating: "c", count: 64),
                    message: "layer 1's digest is sha256:dd…, but the manifest says sha256:cc…")])),
                target: "aws-lambda-python3.13-x86_64", fires: true, at: "blobs/sha256/cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc", mentions: "digest"),
            CheckExample(
                "an image whose blobs all match", subject: .artifact(SampleImage.artifact()),
                target: "aws-lambda-python3.13-x86_64", fires: false),
        ],
        judgement: .perArtifact { context in
            guard let image = context.artifact.image else { return [] }
            return image.integrityProblems.map { problem in
                let link = problem.message.hasPrefix("symbolic link") ? "symlink" : problem.message.hasPrefix("hard link") ? "hardlink" : nil
                return LocatedVerdict(path: problem.path ?? "", verdict: Verdict(
                    problem.message,
                    fix: link != nil
                        ? "Replace the link with the file it points to, or point it at a path inside the image."
                        : "Build and save the image again (docker save, skopeo copy, buildx --output type=oci) and do not edit the archive afterwards.",
                    fact: link ?? "digest"))
            }
        })
}
