import ShiplintTargets
import ShiplintFacts

extension Check {
    public static let uploadTooLarge = Check(
        id: "upload-too-large",
        defaultSeverity: .warning,
        summary: "A ZIP over the 50 MB Lambda accepts in a direct upload",
        explanation: """
            Lambda takes a ZIP of at most 50 MB when it is uploaded directly (the console, \
            `aws lambda update-function-code --zip-file`, `publish-layer-version --zip-file`); a larger one is \
            refused with `RequestEntityTooLargeException`. From an S3 bucket the ZIP may be larger, as long as the \
            function and its layers unzip to 250 MB at most (see `package-too-large`). This is a warning, not an \
            error, because most deployment tools (SAM, CDK, the Serverless Framework) upload through S3 anyway.

            Fix: upload the ZIP to S3 and deploy from there (`--s3-bucket` / `--s3-key`), or make it smaller.

            Only on Lambda targets: a wheel policy has no upload limit.
            """,
        examples: [
            CheckExample(
                "a 60 MB function ZIP",
                subject: .artifact(SamplePackage.artifact("function.zip", files: [("handler.py", 100)], storedSize: 60 << 20)),
                target: "aws-lambda-python3.13-x86_64", fires: true, at: "", mentions: "the ZIP is 60 MB (62914560 bytes)"),
            CheckExample(
                "a 10 MB function ZIP",
                subject: .artifact(SamplePackage.artifact("function.zip", files: [("handler.py", 100)], storedSize: 10 << 20)),
                target: "aws-lambda-python3.13-x86_64", fires: false),
        ],
        judgement: .perArtifact { context in
            guard let limit = context.target.package?.zippedUploadLimitBytes, context.artifact.kind == .zip,
                let size = context.artifact.storedSize, size > Int64(limit)
            else { return [] }
            return [LocatedVerdict(
                path: "",
                verdict: Verdict(
                    "the ZIP is \(ByteCount.megabytes(size)) (\(size) bytes), over the \(ByteCount.megabytes(limit)) Lambda accepts in a direct upload",
                    fix: "Upload it to S3 and deploy from there (`aws lambda update-function-code --s3-bucket … --s3-key …`; SAM and CDK do this), or make it smaller.",
                    fact: "zipped size"))]
        })
}
