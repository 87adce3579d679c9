import ShiplintChecks
import ShiplintFacts
import ShiplintReading
import ShiplintTargets

/// When the paths name a container image (recognised by content): the image read, and the target built from it.
/// An image is judged on its own: with no other artifact, no layer and no `--target`.
func readImage(
    paths: [String], layers: [String], target: String?, platform: String?, images: [String] = [], limits: ReadLimits, progress: ProgressLine?
) throws -> (target: TargetRuntime, artifact: Artifact)? {
    guard let path = paths.first(where: { $0 != "-" && ImageReader.isImage(path: $0) }) else {
        if platform != nil { throw fail("--platform applies to container images only, and none was given") }
        if !images.isEmpty { throw fail("--image FUNCTION=PATH needs a project (--project PATH, or a path that holds a deployment descriptor)") }
        return nil
    }
    guard paths.count == 1, layers.isEmpty else {
        throw fail("\(path) is a container image: it is judged on its own, against its own root file system; scan it without other artifacts or --layer")
    }
    if target != nil {
        throw fail("\(path) is a container image: it is judged against its own root file system, so --target does not apply")
    }
    progress?.reading("reading the image \(path)", totalBytes: ProgressLine.totalSize(of: [path]))
    do {
        let artifact = try ImageReader(limits: limits, platform: platform, metadata: .checks).read(path: path)
        guard let image = artifact.image else { throw fail("internal error: \(path) read as an image without image facts", status: ExitStatus.internalError) }
        return (TargetRuntime.image(image, label: path), artifact)
    } catch let error as ReadError {
        if case .internalFailure(let reason) = error { throw fail("internal error: \(reason)", status: ExitStatus.internalError) }
        throw fail(error.description)
    }
}
