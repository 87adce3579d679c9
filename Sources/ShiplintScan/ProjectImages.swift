import ShiplintChecks
import ShiplintFacts
import ShiplintReading
import ShiplintTargets

/// `--image FUNCTION=PATH`: the local image archive of each PackageType Image function of a project.
public struct ProjectImages: Sendable {
    public let paths: [(selector: String, path: String)]

    public init(_ arguments: [String], functions: [FunctionDescriptor], file: String) throws(ScanError) {
        var paths: [(String, String)] = []
        for argument in arguments {
            guard let equals = argument.firstIndex(of: "="), equals != argument.startIndex, argument.index(after: equals) != argument.endIndex else {
                throw ScanError("--image takes FUNCTION=PATH (the function's logical id or name, and its saved image), not '\(argument)'")
            }
            let selector = String(argument[..<equals])
            guard let function = functions.first(where: { $0.matches(selector) }) else {
                throw ScanError("--image \(argument): no function \(selector) in \(file); it has \(functions.map(\.label).joined(separator: ", "))")
            }
            guard function.packageType == "Image" else {
                throw ScanError("--image \(argument): \(function.label) is a \(function.packageType) function, not a container image")
            }
            paths.append((selector, String(argument[argument.index(after: equals)...])))
        }
        self.paths = paths
    }

    public func path(for descriptor: FunctionDescriptor) -> String? {
        paths.first { descriptor.matches($0.selector) }?.path
    }

    /// The image read and its target; the platform picked from an index is `--platform`, else the function's
    /// architecture.
    func read(_ path: String, descriptor: FunctionDescriptor, limits: ReadLimits, platform: String?) -> Result<(TargetRuntime, Artifact), ScanError> {
        let preferred = "linux/" + (descriptor.targetArchitecture ?? .lambdaDefault).goArch
        do throws(ReadError) {
            guard ImageReader.isImage(path: path) else {
                return .failure(ScanError("not a container image: no manifest.json, nor oci-layout and index.json"))
            }
            let artifact = try ImageReader(limits: limits, platform: platform, preferredPlatform: preferred, metadata: .checks).read(path: path)
            guard let image = artifact.image else { return .failure(ScanError("read without image facts")) }
            return .success((TargetRuntime.image(image, label: path), artifact))
        } catch {
            return .failure(ScanError(error.description))
        }
    }
}
