import ShiplintFacts
import ShiplintTargets

extension Check {
    public static let layerIncompatible = Check(
        id: "layer-incompatible",
        defaultSeverity: .warning,
        summary: "A layer declares compatible runtimes or architectures that exclude the function's",
        explanation: """
            A layer version records the runtimes and architectures it was built for (`CompatibleRuntimes`, \
            `CompatibleArchitectures` in SAM and CloudFormation, `compatible_runtimes` / `compatible_architectures` \
            in Terraform, `compatibleRuntimes` / `compatibleArchitectures` in Serverless). Lambda lets a function use \
            any layer anyway, so nothing stops a python3.13 function from taking a layer built for python3.12, or an \
            arm64 function from taking an x86_64 layer: the mistake shows only at run time, as \
            `Runtime.ImportModuleError` (packages in `python/lib/python3.12/site-packages` are not on 3.13's path, \
            extension modules are tagged for another Python) or `cannot open shared object file` / \
            `wrong ELF class` for native code of the other architecture. The declared lists are the builder's own \
            statement of what the layer is for; a function outside them is the first thing to check.

            Fix: build and publish the layer for the function's runtime and architecture (`sam build` with the \
            layer's `BuildMethod` and `BuildArchitecture`, `pip install --platform manylinux2014_aarch64 \
            --only-binary=:all:` for arm64), or move the function to a runtime the layer supports; if the layer \
            really works there, add the runtime to its compatible list.
            """,
        examples: [
            CheckExample(
                "a python3.12-only layer on a python3.13 function",
                subject: .described(
                    LayerCompatibility.example(runtime: "python3.13", architecture: "x86_64", runtimes: ["python3.12"], architectures: []),
                    function: SamplePackage.artifact("function.zip", files: [("app.py", 100)]),
                    layers: [SamplePackage.artifact("layer.zip", files: [("python/requests/__init__.py", 100)])], today: "2026-12-01"),
                target: "aws-lambda-python3.13-x86_64", fires: true),
            CheckExample(
                "an x86_64 layer on an arm64 function",
                subject: .described(
                    LayerCompatibility.example(runtime: "python3.13", architecture: "arm64", runtimes: [], architectures: ["x86_64"]),
                    function: SamplePackage.artifact("function.zip", files: [("app.py", 100)]),
                    layers: [SamplePackage.artifact("layer.zip", files: [("python/requests/__init__.py", 100)])], today: "2026-12-01"),
                target: "aws-lambda-python3.13-arm64", fires: true),
            CheckExample(
                "a layer for python3.12 and python3.13 on python3.13 x86_64",
                subject: .described(
                    LayerCompatibility.example(runtime: "python3.13", architecture: "x86_64", runtimes: ["python3.12", "python3.13"], architectures: ["x86_64"]),
                    function: SamplePackage.artifact("function.zip", files: [("app.py", 100)]),
                    layers: [SamplePackage.artifact("layer.zip", files: [("python/requests/__init__.py", 100)])], today: "2026-12-01"),
                target: "aws-lambda-python3.13-x86_64", fires: false),
        ],
        judgement: .perDeployment { context in
            guard let descriptor = context.descriptor, let runtime = descriptor.runtime else { return [] }
            return descriptor.layers.enumerated().compactMap { number, layer in
                LayerCompatibility.verdict(layer, number: number + 1, runtime: runtime, architecture: descriptor.architecture).map { verdict in
                    let artifact: String? = if case .local(let path) = layer.code,
                        context.layers.contains(where: { $0.path == path }) { path } else { nil }
                    return LocatedVerdict(artifact: artifact, path: "", verdict: verdict)
                }
            }
        })
}

enum LayerCompatibility {
    static func example(runtime: String, architecture: String, runtimes: [String], architectures: [String]) -> FunctionDescriptor {
        FunctionDescriptor(
            name: "HelloFunction", runtime: runtime, architecture: architecture, handler: "app.handler", code: .local("function.zip"),
            layers: [LayerDescriptor(name: "DepsLayer", code: .local("layer.zip"), compatibleRuntimes: runtimes, compatibleArchitectures: architectures)],
            file: "template.yaml", line: 5)
    }

    static func verdict(_ layer: LayerDescriptor, number: Int, runtime: String, architecture: String) -> Verdict? {
        var excluded: [String] = []
        if !layer.compatibleRuntimes.isEmpty, !layer.compatibleRuntimes.contains(runtime) {
            excluded.append("runtimes \(layer.compatibleRuntimes.joined(separator: ", ")) (not \(runtime))")
        }
        if !layer.compatibleArchitectures.isEmpty, !layer.compatibleArchitectures.contains(architecture) {
            excluded.append("architectures \(layer.compatibleArchitectures.joined(separator: ", ")) (not \(architecture))")
        }
        guard !excluded.isEmpty else { return nil }
        return Verdict(
            "layer \(number) (\(layer.name)) declares compatible \(excluded.joined(separator: " and ")), and the function runs \(runtime) on \(architecture)",
            fix: "Build the layer for \(runtime) on \(architecture) and list them in its compatible runtimes and architectures, or use a layer built for them.",
            fact: "\(layer.name):\(runtime):\(architecture)")
    }
}
