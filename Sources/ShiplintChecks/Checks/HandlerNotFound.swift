import ShiplintFacts
import ShiplintTargets

extension Check {
    public static let handlerNotFound = Check(
        id: "handler-not-found",
        defaultSeverity: .error,
        summary: "The function's Handler names a module or file that is not where the runtime will look for it",
        explanation: """
            The deployment descriptor (SAM or CloudFormation template, CDK assembly, serverless-state.json, Terraform \
            plan) sets `Handler`, and the runtime imports it at the first invocation. Python reads `app.handler` as \
            module `app`, function `handler`, and imports `app.py` (or the package `app/`) from `/var/task` or the \
            layers' `/opt/python` and `/opt/python/lib/pythonX.Y/site-packages`; `src/app.handler` and `src.app.handler` \
            mean `src/app.py`. Node.js reads `index.handler` as the file `index.js`, `index.mjs` or `index.cjs` in \
            `/var/task` (`src/index.handler` → `src/index.js`). An OS-only runtime (`provided.al2023`, \
            `provided.al2`) runs an executable named `bootstrap` at the top of the code or of a layer (`/opt/bootstrap`). \
            When the file is not there the function fails on every invocation with \
            `Runtime.ImportModuleError: Unable to import module 'app'`, `Runtime.HandlerNotFound` or \
            `Couldn't find valid bootstrap(s)`: the most common Lambda failure of all, and one that no build step \
            catches. Typical causes: the code was zipped with its folder (`build/app.py`), `CodeUri` points at the \
            wrong folder, the file was renamed, or a TypeScript build wrote `dist/index.js` while the handler says \
            `index.handler`.

            Fix: make `Handler` name the file as it sits in the code (`src/app.handler`, `dist/index.handler`), or \
            point `CodeUri` / `Code` at the folder that holds it; for a custom runtime, build an executable named \
            `bootstrap` at the top of the ZIP.
            """,
        examples: [
            CheckExample(
                "Handler app.lambda_handler with no app.py",
                subject: .described(
                    HandlerSearch.example(runtime: "python3.13", handler: "app.lambda_handler"),
                    function: SamplePackage.artifact("HelloFunction", kind: .folder, files: [("hello/app.py", 100)]), layers: [],
                    today: "2026-12-01"),
                target: "aws-lambda-python3.13-x86_64", fires: true, at: "", mentions: "there is no app.py or package app/"),
            CheckExample(
                "Handler app.lambda_handler with app.py at the top",
                subject: .described(
                    HandlerSearch.example(runtime: "python3.13", handler: "app.lambda_handler"),
                    function: SamplePackage.artifact("HelloFunction", kind: .folder, files: [("app.py", 100)]), layers: [],
                    today: "2026-12-01"),
                target: "aws-lambda-python3.13-x86_64", fires: false),
            CheckExample(
                "Handler from a package in a layer's python folder",
                subject: .described(
                    HandlerSearch.example(runtime: "python3.13", handler: "shared.handlers.main"),
                    function: SamplePackage.artifact("function.zip", files: [("requirements.txt", 10)]),
                    layers: [SamplePackage.artifact("layer.zip", files: [("python/shared/handlers.py", 100)])],
                    today: "2026-12-01"),
                target: "aws-lambda-python3.13-x86_64", fires: false),
            CheckExample(
                "Node.js handler src/index.handler with src/index.mjs",
                subject: .described(
                    HandlerSearch.example(runtime: "nodejs22.x", handler: "src/index.handler"),
                    function: SamplePackage.artifact("function.zip", files: [("src/index.mjs", 100)]), layers: [],
                    today: "2026-12-01"),
                target: "aws-lambda-nodejs22.x-x86_64", fires: false),
            CheckExample(
                "Node.js handler index.handler built to dist/index.js",
                subject: .described(
                    HandlerSearch.example(runtime: "nodejs22.x", handler: "index.handler"),
                    function: SamplePackage.artifact("function.zip", files: [("dist/index.js", 100)]), layers: [],
                    today: "2026-12-01"),
                target: "aws-lambda-nodejs22.x-x86_64", fires: true, at: "", mentions: "loads index.js, .mjs or .cjs from /var/task"),
            CheckExample(
                "provided.al2023 with no bootstrap",
                subject: .described(
                    HandlerSearch.example(runtime: "provided.al2023", handler: "bootstrap"),
                    function: SamplePackage.artifact("function.zip", files: [("target/bootstrap", 100)]), layers: [],
                    today: "2026-12-01"),
                target: "aws-lambda-provided.al2023-x86_64", fires: true, at: "", mentions: "runs an executable named bootstrap, and there is none"),
        ],
        judgement: .perDeployment { context in
            guard let descriptor = context.descriptor, let function = context.function, let runtime = descriptor.runtime else { return [] }
            return HandlerSearch.verdict(descriptor: descriptor, runtime: runtime, context: context, function: function).map {
                [LocatedVerdict(artifact: function.path, path: "", verdict: $0)]
            } ?? []
        })
}

/// Where each runtime looks for the handler, and whether the code has it.
enum HandlerSearch {
    static func example(runtime: String, handler: String) -> FunctionDescriptor {
        FunctionDescriptor(name: "HelloFunction", runtime: runtime, handler: handler, code: .local("HelloFunction"), file: "template.yaml", line: 5)
    }

    /// File paths (normalised, no `./`) of the artifact's unpacked entries, and every folder that holds one.
    static func files(_ artifact: Artifact) -> (files: Set<String>, folders: Set<String>) {
        var files = Set<String>()
        var folders = Set<String>()
        for entry in artifact.entries where !EntryPath.isNested(entry.path) {
            let components = EntryPath.components(entry.path)
            guard !components.isEmpty else { continue }
            let path = components.joined(separator: "/")
            if entry.type == .directory { folders.insert(path) } else { files.insert(path) }
            for end in 1..<components.count { folders.insert(components[0..<end].joined(separator: "/")) }
        }
        return (files, folders)
    }

    static func verdict(descriptor: FunctionDescriptor, runtime: String, context: DeploymentContext, function: Artifact) -> Verdict? {
        let handler = descriptor.handler ?? ""
        let code = files(function)
        let view = context.runtime
        // The runtime Lambda runs is the descriptor's: its family decides where the handler is looked for.
        switch descriptor.family {
        case .provided?:
            return bootstrapVerdict(runtime: runtime, code: code, context: context, function: function)
        case .python?, .nodejs?:
            break
        default:
            return nil
        }
        let python = descriptor.family == .python
        guard let dot = handler.lastIndex(of: "."), dot != handler.startIndex, handler.index(after: dot) != handler.endIndex else {
            return Verdict(
                "Handler '\(handler)' is not of the form \(python ? "module.function" : "file.function")",
                fix: "Set Handler to \(python ? "`app.handler` for function `handler` in app.py" : "`index.handler` for the export `handler` of index.js").",
                fact: handler)
        }
        let module = String(handler[..<dot])
        if python { return pythonVerdict(handler: handler, module: module, code: code, context: context) }
        let candidates = ["js", "mjs", "cjs"].map { module + "." + $0 }
        if candidates.contains(where: code.files.contains) { return nil }
        return Verdict(
            "Handler '\(handler)' loads \(module).js, .mjs or .cjs from \(view.taskRoot), and the code (\(function.path)) has none of them",
            fix: "Point Handler at the built file (\(suggestion(module + ".js", in: code.files) ?? suggestion(module + ".mjs", in: code.files) ?? "e.g. `dist/index.handler` for dist/index.js")), or CodeUri / Code at the folder that holds it.",
            fact: handler)
    }

    /// An OS-only runtime runs the executable `bootstrap` at the top of the code, else of a layer.
    static func bootstrapVerdict(runtime: String, code: (files: Set<String>, folders: Set<String>), context: DeploymentContext, function: Artifact) -> Verdict? {
        let bootstrap = RuntimeView.bootstrap
        if code.files.contains(bootstrap) { return nil }
        if context.layers.contains(where: { files($0).files.contains(bootstrap) }) { return nil }
        return Verdict(
            "\(runtime) runs an executable named \(bootstrap), and there is none at the top of the code (\(function.path)) or of a layer",
            fix: "Build the executable as `\(bootstrap)` at the top of the ZIP (cargo lambda, `go build -o \(bootstrap)`), or put it in a layer at \(bootstrap).",
            fact: bootstrap)
    }

    /// Python imports the dotted module from the task root, then each layer folder on `sys.path`.
    static func pythonVerdict(handler: String, module: String, code: (files: Set<String>, folders: Set<String>), context: DeploymentContext) -> Verdict? {
        let view = context.runtime
        // The runtime's bootstrap turns `/` into `.` and imports the dotted module.
        let parts = module.replacingText("/", with: ".").split(separator: ".").map(String.init)
        let relative = parts.joined(separator: "/")
        var roots: [(files: Set<String>, folders: Set<String>, prefix: String)] = [(code.files, code.folders, "")]
        let layerFolders = view.pythonPath?.layerFolders ?? []
        for layer in context.layers {
            let content = files(layer)
            for path in layerFolders { roots.append((content.files, content.folders, path + "/")) }
        }
        for root in roots {
            let base = root.prefix + relative
            if root.files.contains(base + ".py") || root.files.contains(base + ".pyc") || root.folders.contains(base) { return nil }
            let folder = NSStringPath(base).parent
            let name = parts.last ?? ""
            let sameFolder = root.files.filter { (folder.isEmpty ? !$0.contains("/") : $0.hasPrefix(folder + "/") && !$0.dropFirst(folder.count + 1).contains("/")) }
            if sameFolder.contains(where: { ExtensionModuleName(fileName: String($0.split(separator: "/").last ?? "")).map { $0.module == name } ?? false }) { return nil }
        }
        let searched = ([view.taskRoot] + (context.layers.isEmpty ? [] : view.pythonPath?.layerPaths(root: view.layerRoot) ?? [])).joined(separator: ", ")
        let code = code.files
        return Verdict(
            "Handler '\(handler)' imports module '\(parts.joined(separator: "."))', and there is no \(relative).py or package \(relative)/ in \(searched)",
            fix: "Point Handler at the module as it sits in the code (\(suggestion(relative + ".py", in: code) ?? "e.g. `app.handler` for app.py at the top")), or CodeUri / Code at the folder that holds \(relative).py.",
            fact: handler)
    }

    /// `Handler` that would work when the file sits one or more folders deeper (`build/app.py` → `build/app.handler`).
    static func suggestion(_ file: String, in files: Set<String>) -> String? {
        let name = file.split(separator: "/").last.map(String.init) ?? file
        guard let found = files.filter({ $0.hasSuffix("/" + name) }).sorted().first else { return nil }
        return "the code has \(found)"
    }
}

/// `a/b/c` → parent `a/b`; `c` → "".
private struct NSStringPath {
    let path: String
    init(_ path: String) { self.path = path }
    var parent: String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[..<slash])
    }
}
