import ShiplintFacts
import ShiplintTargets

extension Check {
    public static let packageTooLarge = Check(
        id: "package-too-large",
        defaultSeverity: .error,
        summary: "The function and its layers unzip to more than Lambda allows, or use more layers than allowed",
        explanation: """
            Lambda adds up the unzipped size of the function and every layer it uses; over 250 MB the deployment is \
            refused (`Unzipped size must be smaller than 262144000 bytes`). A function may use at most 5 layers. \
            shiplint adds up what each input unpacks to, files only (archives inside the package count at their \
            own size), and lists the ten largest top-level folders (inside a layer: below `python/…/site-packages`, \
            `nodejs/node_modules`) so you see what to cut.

            Fix: leave out what the function does not run: tests and examples, `__pycache__` and `*.pyc`, docs, \
            `boto3` / `botocore` (the Python runtimes already have them), debug symbols (`strip` native libraries), \
            packages only used at build time. Merge small layers into one. If it is genuinely this large, deploy \
            a container image instead (up to 10 GB).

            Only on Lambda targets: a wheel policy has no size limit.
            """,
        examples: [
            CheckExample(
                "a function and two layers over 250 MB together",
                subject: .deployment(
                    function: SamplePackage.artifact("function.zip", files: [("handler.py", 1_000), ("data/model.bin", 100 << 20)]),
                    layers: [
                        SamplePackage.artifact("numpy.zip", files: [("python/numpy/core.so", 90 << 20)]),
                        SamplePackage.artifact("torch.zip", files: [("python/torch/lib.so", 70 << 20)]),
                    ]),
                target: "aws-lambda-python3.13-x86_64", fires: true, at: "", mentions: "unzip to 260 MB (272630760 bytes), over Lambda's limit of 250 MB"),
            CheckExample(
                "six layers",
                subject: .deployment(
                    function: SamplePackage.artifact("function.zip", files: [("handler.py", 1_000)]),
                    layers: (1...6).map { SamplePackage.artifact("layer\($0).zip", files: [("python/m\($0).py", 100)]) }),
                target: "aws-lambda-python3.13-x86_64", fires: true, at: "", mentions: "Lambda allows at most 5 layers per function"),
            CheckExample(
                "well under the limit",
                subject: .deployment(
                    function: SamplePackage.artifact("function.zip", files: [("handler.py", 1_000), ("data/model.bin", 100 << 20)]),
                    layers: [SamplePackage.artifact("numpy.zip", files: [("python/numpy/core.so", 90 << 20)])]),
                target: "aws-lambda-python3.13-x86_64", fires: false),
        ],
        judgement: .perDeployment { context in
            guard let package = context.target.package else { return [] }
            let inputs = context.inputs
            var verdicts: [LocatedVerdict] = []
            if let limit = package.unzippedLimitBytes, let first = inputs.first {
                let total = inputs.reduce(Int64(0)) { $0 + $1.unzippedSize }
                if total > Int64(limit) {
                    let what = switch (context.function, context.layers.count) {
                    case (nil, 1): "the layer unzips"
                    case (nil, let count): "these \(count) layers unzip"
                    case (_, 0): "the function unzips"
                    case (_, 1): "the function and its layer unzip"
                    case (_, let count): "the function and its \(count) layers unzip"
                    }
                    let largest = PackageSize.largestFolders(inputs, runtime: context.runtime).prefix(10).map {
                        "\(inputs.count > 1 ? $0.input.shortLabel + " " : "")\($0.folder) \(ByteCount.megabytes($0.size))"
                    }
                    verdicts.append(LocatedVerdict(
                        artifact: first.artifact.path, path: "",
                        verdict: Verdict(
                            "\(what) to \(ByteCount.megabytes(total)) (\(total) bytes), over Lambda's limit of \(ByteCount.megabytes(limit)) (\(limit) bytes) for a function with all its layers. Largest: \(largest.joined(separator: ", "))",
                            fix: "Cut \(ByteCount.megabytes(total - Int64(limit))) or more: leave out tests, __pycache__, docs, boto3/botocore (already in the Python runtime), debug symbols (strip native libraries); or deploy a container image (up to 10 GB).",
                            fact: "unzipped size")))
                }
            }
            if let maxLayers = package.maxLayers, context.layers.count > maxLayers {
                for input in inputs.filter({ ($0.layerNumber ?? 0) > maxLayers }) {
                    verdicts.append(LocatedVerdict(
                        artifact: input.artifact.path, path: "",
                        verdict: Verdict(
                            "\(input.shortLabel) of \(context.layers.count): Lambda allows at most \(maxLayers) layers per function",
                            fix: "Merge layers into fewer ZIPs, or move their content into the function package.",
                            fact: "layer count")))
                }
            }
            return verdicts
        })
}

/// Where the bytes of a deployment go, by top-level folder.
enum PackageSize {
    struct Folder {
        let input: DeploymentInput
        let folder: String
        let size: Int64
    }

    /// Sizes of each input's top-level folders (inside a layer, the folders below its module path), largest first.
    static func largestFolders(_ inputs: [DeploymentInput], runtime: RuntimeView) -> [Folder] {
        // Deepest first, so `python/lib/python3.13/site-packages` wins over `python`.
        let layerPaths = (runtime.modules?.layerSearchOrder ?? []).map(EntryFolder.init)
        var folders: [Folder] = []
        for input in inputs {
            var sizes: [String: Int64] = [:]
            for item in input.unpacked where item.isFile {
                let base = input.isLayer ? layerPaths.first { $0.contains(item.path) } : nil
                let rest = base.flatMap { $0.path.isEmpty ? nil : item.components(inside: $0) } ?? item.components[...]
                guard let head = rest.first else { continue }
                let key = (base.map { $0.path.isEmpty ? "" : $0.slashed } ?? "") + head + (rest.count > 1 ? "/" : "")
                sizes[key, default: 0] += item.entry.size
            }
            folders += sizes.map { Folder(input: input, folder: $0.key, size: $0.value) }
        }
        return folders.sorted {
            $0.size != $1.size ? $0.size > $1.size : ($0.input.shortLabel, $0.folder) < ($1.input.shortLabel, $1.folder)
        }
    }
}
