import ShiplintFacts
import ShiplintTargets

extension Check {
    public static let imageArchMismatch = Check(
        id: "image-arch-mismatch",
        defaultSeverity: .error,
        summary: "An image whose config architecture differs from the binaries inside it",
        explanation: """
            The architecture in an image's config decides where Lambda runs it: an image built on an Apple-silicon \
            Mac says `arm64` and fails on an x86_64 function (`Runtime.InvalidEntrypoint`, `exec format error`; \
            aws/aws-lambda-base-images#26). Binaries copied in from another machine (wheels downloaded for x86_64 \
            into an arm64 image) say one thing while the config says another, and fail when loaded.

            Fix: build for the function's architecture (`docker build --platform linux/amd64` or \
            `--platform linux/arm64`, matching `Architectures`), and install native packages inside the build \
            (`pip install` in the Dockerfile, or `pip download --platform manylinux2014_aarch64 --only-binary=:all:`).
            """,
        examples: [
            CheckExample(
                "an arm64 image holding an x86_64 extension module",
                subject: .deployment(function: SampleImage.artifact(
                    architecture: "arm64",
                    rootBinaries: [SampleBinary.elf("var/task/_speedups.cpython-313-x86_64-linux-gnu.so", arch: "x86_64")]), layers: []),
                target: "aws-lambda-python3.13-x86_64", fires: true, at: "var/task/_speedups.cpython-313-x86_64-linux-gnu.so", mentions: "x86_64"),
            CheckExample(
                "an amd64 image of x86_64 binaries",
                subject: .deployment(function: SampleImage.artifact(
                    architecture: "amd64",
                    rootBinaries: [SampleBinary.elf("var/task/_speedups.cpython-313-x86_64-linux-gnu.so", arch: "x86_64")]), layers: []),
                target: "aws-lambda-python3.13-x86_64", fires: false),
        ],
        judgement: .perDeployment { context in
            guard let image = context.function?.image, let arch = image.targetArchitecture else { return [] }
            var verdicts: [LocatedVerdict] = []
            // The function's Architectures, when a deployment descriptor names it.
            if let descriptor = context.descriptor, descriptor.targetArchitecture != arch {
                verdicts.append(LocatedVerdict(path: "", verdict: Verdict(
                    "the image's config says \(image.architecture), but the function \(descriptor.label) runs on \(descriptor.architecture): Lambda refuses the image, or it fails with exec format error",
                    fix: "Build the image for the function's architecture (`docker build --platform linux/\(descriptor.targetArchitecture?.goArch ?? descriptor.architecture)`), or set Architectures to \(arch.lambdaName).",
                    fact: "\(image.architecture) on \(descriptor.architecture)")))
            }
            // One verdict per foreign architecture, at its first file, with how many files share it.
            var foreign: [String: [String]] = [:]
            for binary in image.rootBinaries {
                guard case .elf(let facts)? = binary.facts, facts.machine != arch.elfMachine else { continue }
                foreign[facts.arch, default: []].append(binary.path)
            }
            return verdicts + foreign.keys.sorted().map { other in
                let paths = foreign[other]!
                let more = paths.count > 1 ? " (and \(paths.count - 1) more ELF \(paths.count == 2 ? "file" : "files"))" : ""
                return LocatedVerdict(path: paths[0], verdict: Verdict(
                    "built for \(other)\(more), but the image's config says \(image.architecture) (\(arch.rawValue)): Lambda runs the image as \(arch.lambdaName), where these files cannot be loaded",
                    fix: "Build the image for one architecture (`docker build --platform linux/\(image.architecture)`) and install native packages inside the build, for that architecture.",
                    fact: other))
            }
        })
}
