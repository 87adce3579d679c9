import ShiplintFacts

extension Check {
    /// Each part of a deployment that `shiplint scan PROJECT` could not judge, so that nothing it did not look at
    /// passes in silence. Its findings concern the descriptor (template, manifest, state, plan), not an artifact.
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
        examples: [
            CheckExample(
                "code only in S3",
                subject: .unchecked(
                    DeploymentNotChecked.example(code: .notLocal("S3 object s3://bucket/app.zip")),
                    gaps: [.codeNotLocal("its code is the S3 object s3://bucket/app.zip, not a local file")], today: "2026-12-01"),
                target: "aws-lambda-python3.13-x86_64", fires: true, at: "", mentions: "the function was not checked: its code is the S3 object"),
            CheckExample(
                "a layer named only by its ARN",
                subject: .unchecked(
                    DeploymentNotChecked.example(layer: .notLocal("layer ARN arn:aws:lambda:us-east-1:123456789012:layer:deps:3")),
                    gaps: [.layerNotLocal(number: 1, name: "deps", reason: "layer ARN arn:aws:lambda:us-east-1:123456789012:layer:deps:3")],
                    today: "2026-12-01"),
                target: "aws-lambda-python3.13-x86_64", fires: true, at: "", mentions: "layer 1 (deps) was not checked"),
            CheckExample(
                "a function whose code and layers were all read",
                subject: .described(
                    DeploymentNotChecked.example(layer: .local("layer.zip")),
                    function: SamplePackage.artifact("function.zip", files: [("app.py", 100)]),
                    layers: [SamplePackage.artifact("layer.zip", files: [("python/requests/__init__.py", 100)])], today: "2026-12-01"),
                target: "aws-lambda-python3.13-x86_64", fires: false),
        ],
        judgement: .perDescriptor { context in
            context.gaps.map { gap in
                let verdict = DeploymentNotChecked.verdict(gap, descriptor: context.descriptor)
                return LocatedVerdict(artifact: context.descriptor.file, path: "", verdict: verdict)
            }
        })
}

/// What `deployment-not-checked` says about each kind of gap: a function not checked is a warning, a part of a
/// checked one (a layer, a value, the Handler) a note.
public enum DeploymentNotChecked {
    /// A python3.13 function of a SAM template for the examples, its code and its one layer (if any) where given.
    static func example(code: CodeSource = .local("function.zip"), layer: CodeSource? = nil) -> FunctionDescriptor {
        FunctionDescriptor(
            name: "HelloFunction", runtime: "python3.13", handler: "app.handler", code: code,
            layers: layer.map { [LayerDescriptor(name: "deps", code: $0)] } ?? [], file: "template.yaml", line: 5)
    }

    static func verdict(_ gap: DeploymentGap, descriptor: FunctionDescriptor) -> Verdict {
        let (message, fix) = sentence(gap, descriptor: descriptor)
        return Verdict(message, fix: fix, fact: message, severity: gap.isWarning ? nil : .note)
    }

    static func sentence(_ gap: DeploymentGap, descriptor: FunctionDescriptor) -> (message: String, fix: String) {
        switch gap {
        case .unresolved(let note):
            (note, "Give the value literally in the descriptor, or scan the built output where it is resolved.")
        case .noTarget(let runtime, let architecture, let name):
            ("the function was not checked: no built-in target for \(runtime) on \(architecture) (\(name))",
             "Pass --target with a rule file for this runtime (see `shiplint targets`), or move to a runtime shiplint knows.")
        case .noRuntime:
            ("the function was not checked: the descriptor gives no Runtime", "Set Runtime in the descriptor (or Globals.Function), or pass --target.")
        case .noHandler:
            ("the descriptor gives no Handler: handler-not-found was not checked", "Set Handler in the descriptor (or Globals.Function).")
        case .imageUnreadable(let path, let reason):
            ("the function was not checked: its image \(path) cannot be read (\(reason))",
             "Save the image again (`docker save IMAGE -o image.tar`, or `docker buildx build --output type=oci,dest=image.tar`), then scan again.")
        case .codeUnreadable(let path, let reason):
            ("the function was not checked: its code \(path) cannot be read (\(reason))", "Build the project, then scan again.")
        case .codeNotLocal(let why):
            ("the function was not checked: \(why)",
             descriptor.packageType == "Image"
                ? "Save the image (`docker save IMAGE -o image.tar`) and pass it with --image \(descriptor.name)=image.tar."
                : "Build the project locally (sam build, cdk synth, serverless package, terraform plan with a local filename), then scan the build.")
        case .layerUnreadable(let number, let name, let path, let reason):
            ("layer \(number) (\(name)) at \(path) cannot be read (\(reason)) and was not checked", "Build the layer, then scan again.")
        case .unbuiltSources(let path, let reason):
            ("the function's code \(path) is its source, not a build: \(reason), so the code the build installs was not checked",
             "Build the project (`sam build`, `cdk synth`, `serverless package`) and scan its output (`shiplint scan .aws-sam/build`, `shiplint scan cdk.out`).")
        case .layerNotLocal(let number, let name, let reason):
            ("layer \(number) (\(name)) was not checked: \(reason)",
             "Scan the layer's own build with `shiplint scan layer.zip --target …`, or define the layer in this project.")
        }
    }

    /// A part of the project as a whole that could not be followed (a nested application from a URL): a verdict on
    /// the project's descriptor file, not on one function.
    public static func projectVerdict(_ note: String) -> Verdict {
        Verdict(note, fix: "Build the nested application into the project (sam build), or scan its own template separately.", fact: note)
    }
}
