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
    progress?.update("reading the image \(path)")
    do {
        let artifact = try ImageReader(limits: limits, platform: platform, metadata: .checks).read(path: path)
        guard let image = artifact.image else { throw fail("internal error: \(path) read as an image without image facts", status: ExitStatus.internalError) }
        return (TargetRuntime.image(image, label: path), artifact)
    } catch let error as ReadError {
        if case .internalFailure(let reason) = error { throw fail("internal error: \(reason)", status: ExitStatus.internalError) }
        throw fail(error.description)
    }
}

/// `--image FUNCTION=PATH`: the local image archive of each PackageType Image function of a project.
struct ProjectImages {
    let paths: [(selector: String, path: String)]

    init(_ arguments: [String], functions: [FunctionDescriptor], file: String) throws {
        var paths: [(String, String)] = []
        for argument in arguments {
            guard let equals = argument.firstIndex(of: "="), equals != argument.startIndex, argument.index(after: equals) != argument.endIndex else {
                throw fail("--image takes FUNCTION=PATH (the function's logical id or name, and its saved image), not '\(argument)'")
            }
            let selector = String(argument[..<equals])
            guard let function = functions.first(where: { $0.matches(selector) }) else {
                throw fail("--image \(argument): no function \(selector) in \(file); it has \(functions.map(\.label).joined(separator: ", "))")
            }
            guard function.packageType == "Image" else {
                throw fail("--image \(argument): \(function.label) is a \(function.packageType) function, not a container image")
            }
            paths.append((selector, String(argument[argument.index(after: equals)...])))
        }
        self.paths = paths
    }

    func path(for descriptor: FunctionDescriptor) -> String? {
        paths.first { descriptor.matches($0.selector) }?.path
    }

    /// The image read and its target; the platform picked from an index is `--platform`, else the function's architecture.
    func read(_ path: String, descriptor: FunctionDescriptor, limits: ReadLimits, platform: String?) -> Result<(TargetRuntime, Artifact), ArtifactReadFailure> {
        let preferred = "linux/" + (descriptor.architecture == "arm64" ? "arm64" : "amd64")
        do throws(ReadError) {
            guard ImageReader.isImage(path: path) else {
                return .failure(ArtifactReadFailure(message: "not a container image: no manifest.json, nor oci-layout and index.json"))
            }
            let artifact = try ImageReader(limits: limits, platform: platform, preferredPlatform: preferred, metadata: .checks).read(path: path)
            guard let image = artifact.image else { return .failure(ArtifactReadFailure(message: "read without image facts")) }
            return .success((TargetRuntime.image(image, label: path), artifact))
        } catch {
            return .failure(ArtifactReadFailure(message: error.description))
        }
    }
}
