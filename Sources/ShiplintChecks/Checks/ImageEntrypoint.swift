import ShiplintFacts
import ShiplintTargets

extension Check {
    public static let imageEntrypoint = Check(
        id: "image-entrypoint",
        defaultSeverity: .error,
        summary: "An image whose entrypoint is missing, not executable, or names a runtime interface client it lacks",
        explanation: """
            Lambda starts a container image by its ENTRYPOINT (else CMD), and the process must speak the Runtime \
            API: an AWS base image's `/lambda-entrypoint.sh`, a runtime interface client (`awslambdaric` for \
            Python, `aws-lambda-ric` for Node.js) or a custom runtime's own executable. An entrypoint that does not \
            exist in the image, is not executable, or starts a runtime interface client that is not installed, \
            fails every invocation with `Runtime.InvalidEntrypoint`.

            Fix: start from an AWS base image (`public.ecr.aws/lambda/python:3.13`), or install the runtime \
            interface client (`pip install awslambdaric`, `npm install aws-lambda-ric`) and set \
            `ENTRYPOINT ["/usr/local/bin/python", "-m", "awslambdaric"]`; make sure the entrypoint file is in the \
            image and executable (`chmod +x`).
            """,
        examples: [
            CheckExample(
                "an image whose entrypoint is not in it",
                subject: .artifact(SampleImage.artifact(entrypoint: ["/lambda-entrypoint.sh"], rootEntries: [])),
                target: "aws-lambda-python3.13-x86_64", fires: true, at: "", mentions: "/lambda-entrypoint.sh"),
            CheckExample(
                "an AWS base image", subject: .artifact(SampleImage.artifact()),
                target: "aws-lambda-python3.13-x86_64", fires: false),
        ],
        judgement: .perArtifact { context in
            guard let image = context.artifact.image else { return [] }
            return ImageEntrypoint.verdict(image).map { [LocatedVerdict(path: "", verdict: $0)] } ?? []
        })
}

enum ImageEntrypoint {
    static let fix = "Start from an AWS base image (public.ecr.aws/lambda/…), or install a runtime interface client (`pip install awslambdaric`, `npm install aws-lambda-ric`) and set ENTRYPOINT to it; the entrypoint must be in the image and executable."

    static func verdict(_ image: ContainerImage) -> Verdict? {
        let command = image.entrypoint.isEmpty ? image.cmd : image.entrypoint
        guard let program = command.first, !program.isEmpty else {
            return Verdict("the image has neither ENTRYPOINT nor CMD: Lambda has nothing to start", fix: fix, fact: "no entrypoint")
        }
        let files = ImageFiles(image)
        let path = locate(program, image: image, files: files)
        guard let path, let resolved = files.resolve(path), let entry = files.entries[resolved], entry.type == .file else {
            return Verdict(
                "the entrypoint \(program) is not in the image: every invocation fails with Runtime.InvalidEntrypoint",
                fix: fix, fact: program)
        }
        if let mode = entry.mode, mode & 0o111 == 0 {
            return Verdict(
                "the entrypoint \(program) (\(resolved)) is not executable (mode \(String(mode & 0o7777, radix: 8))): every invocation fails with Runtime.InvalidEntrypoint",
                fix: "Make it executable in the Dockerfile (`RUN chmod +x \(resolved)`, or `COPY --chmod=755`).", fact: program)
        }
        // A runtime interface client named on the command line must be installed.
        for (client, folder) in [("awslambdaric", "awslambdaric"), ("aws-lambda-ric", "aws-lambda-ric")]
        where command.contains(where: { $0.contains(client) }) {
            let installed = image.rootEntries.contains { entry in entry.path.split(separator: "/").contains { $0 == folder } }
            if !installed {
                return Verdict(
                    "the entrypoint starts the runtime interface client \(client), which is not installed in the image",
                    fix: client == "awslambdaric" ? "Install it in the image: `RUN pip install awslambdaric`." : "Install it in the image: `RUN npm install aws-lambda-ric`.",
                    fact: client)
            }
        }
        return nil
    }

    /// Where the program is: an absolute path, relative to WorkingDir, or found on the image's PATH.
    static func locate(_ program: String, image: ContainerImage, files: ImageFiles) -> String? {
        if program.hasPrefix("/") { return program }
        if program.contains("/") { return (image.workingDir.isEmpty ? "/" : image.workingDir) + "/" + program }
        let path = image.env["PATH"] ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        for folder in path.split(separator: ":") where folder.hasPrefix("/") {
            let candidate = folder + "/" + program
            if let resolved = files.resolve(candidate), files.entries[resolved]?.type == .file { return candidate }
        }
        return nil
    }
}
