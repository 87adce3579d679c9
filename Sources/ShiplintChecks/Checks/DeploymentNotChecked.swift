import ShiplintFacts

extension Check {
    /// Reported by `shiplint scan PROJECT` for each part of a deployment it could not judge, so that nothing it did
    /// not look at passes in silence. Its findings concern the descriptor (template, manifest, state, plan), not an
    /// artifact, and are made by the project scan, not judged from facts: it is not in `CheckRegistry.all`.
    public static let deploymentNotChecked = Check(
        id: "deployment-not-checked",
        defaultSeverity: .warning,
        summary: "Part of a deployment that shiplint could not check (image, S3 or inline code, unbuilt sources, an ARN-only layer, a runtime with no target)",
        explanation: """
            `shiplint scan PROJECT` judges each function of a deployment descriptor with its own code and layers \
            against the built-in target for its runtime and architecture. What it cannot read is said here instead \
            of being passed over: a function with `PackageType: Image` (a container image is not a ZIP), code or a \
            layer that is only in S3 or named only by an ARN, inline code, a code path that does not exist (the \
            project was not built) or that lies outside the project, a runtime shiplint has no target for (java, \
            dotnet, ruby …), and a value the descriptor computes at deploy time (`!If`, a parameter with no default, \
            a Terraform value unknown until apply). Code that is its source rather than a build is said too: a \
            folder with a dependency manifest (`requirements.txt`, `pyproject.toml`, `package.json`, `Gemfile`, \
            `go.mod`, `Cargo.toml`) that lists dependencies while none is installed beside it (no `*.dist-info`, no \
            `node_modules/`, no `vendor/bundle/`, no compiled `bootstrap`): what the build will install, native code \
            included, was not there to check. A function whose code cannot be read, or is unbuilt, is a warning; a \
            layer or value that could not be followed is a note on a function that was checked.

            Fix: build the project before scanning (`sam build`, `cdk synth`, `serverless package`, \
            `terraform plan -out` then `terraform show -json`), scan a layer named only by its ARN from its own \
            build (`shiplint scan layer.zip --target …`), or pass `--target` to judge a function whose runtime has \
            no built-in target against your own rule file.
            """,
        examples: [],
        judgement: .perDeployment { _ in [] })
}
