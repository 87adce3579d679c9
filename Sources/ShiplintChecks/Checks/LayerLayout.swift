import ShiplintFacts
import ShiplintTargets

extension Check {
    public static let layerLayout = Check(
        id: "layer-layout",
        defaultSeverity: .error,
        summary: "Code where the runtime does not look: a layer's packages outside its module path, or a function ZIP with an extra top folder",
        explanation: """
            Lambda unpacks a layer at `/opt` and the function at `/var/task`, and the runtime looks only in fixed \
            places. Python imports from `/var/task`, `/opt/python` and `/opt/python/lib/pythonX.Y/site-packages` for \
            its own X.Y: a layer built with `python/lib/python3.12/site-packages/` is invisible to python3.13, and \
            packages at the top of the layer ZIP (`requests/`, `site-packages/`, `lib/python3.13/…`) are on no path \
            at all. Node.js looks in `/opt/nodejs/node_modules` and `/opt/nodejs/nodeNN/node_modules` for its own \
            major version (`nodejs/node_modules`, `nodejs/node22/node_modules`), and only for CommonJS `require`: an \
            ES module handler (`index.mjs`, or `"type": "module"` in the function's package.json) resolves `import` \
            from `/var/task/node_modules` and its parents only, never from `NODE_PATH`, so packages that only a \
            layer provides are not importable from it (aws/aws-sam-cli#4364). A function ZIP whose code sits under an extra folder (`build/handler.py` instead of \
            `handler.py`, made by zipping the folder rather than its content) has no handler where Lambda looks. \
            Each case ends in `Runtime.ImportModuleError` / `Cannot find module` (or, for a custom runtime, \
            `Couldn't find valid bootstrap`) although the files are right there in the ZIP.

            Fix: build a Python layer with `pip install --target python/ -r requirements.txt` (or into \
            `python/lib/python3.13/site-packages/` for the function's exact version) and zip the `python` folder; \
            a Node.js layer with `npm install --prefix nodejs` and zip `nodejs`; zip a function from inside its \
            build folder (`cd build && zip -r ../function.zip .`). For an ES module handler, bundle the layer's \
            packages into the function (esbuild), import them by path (`/opt/nodejs/node_modules/pkg/index.js`), or \
            make the handler CommonJS.

            Only on Lambda targets: a wheel-policy target has no layers or task root (a wheel's layout is the build backend's).
            """,
        examples: [
            CheckExample(
                "a python3.12 layer with a python3.13 function",
                subject: .deployment(function: nil, layers: [
                    SamplePackage.artifact("layer.zip", files: [("python/lib/python3.12/site-packages/requests/__init__.py", 100)])]),
                target: "aws-lambda-python3.13-x86_64", fires: true, at: "python/lib/python3.12/site-packages", mentions: "Python packages for python3.12 in python/lib/python3.12/site-packages/"),
            CheckExample(
                "a layer with packages at its top",
                subject: .deployment(function: nil, layers: [
                    SamplePackage.artifact("layer.zip", files: [("requests/__init__.py", 100)])]),
                target: "aws-lambda-python3.13-x86_64", fires: true, at: "", mentions: "Python code at its top (requests/)"),
            CheckExample(
                "a function zipped with its build folder",
                subject: .deployment(
                    function: SamplePackage.artifact("function.zip", files: [("build/handler.py", 100), ("build/pkg/__init__.py", 0)]),
                    layers: []),
                target: "aws-lambda-python3.13-x86_64", fires: true, at: "build", mentions: "everything in the function ZIP sits under build/"),
            CheckExample(
                "node_modules at the top of a Node.js layer",
                subject: .deployment(function: nil, layers: [
                    SamplePackage.artifact("layer.zip", files: [("node_modules/left-pad/index.js", 100)])]),
                target: "aws-lambda-nodejs22.x-x86_64", fires: true, at: "node_modules", mentions: "Node.js packages in node_modules/"),
            CheckExample(
                "an ES module handler and packages only in a layer",
                subject: .deployment(
                    function: SamplePackage.artifact("function.zip", files: [("index.mjs", 100)]),
                    layers: [SamplePackage.artifact("layer.zip", files: [("nodejs/node_modules/uuid/package.json", 100)])]),
                target: "aws-lambda-nodejs22.x-x86_64", fires: true, at: "nodejs/node_modules", mentions: "provides uuid only through NODE_PATH"),
            CheckExample(
                "a \"type\": \"module\" function and packages only in a layer",
                subject: .deployment(
                    function: SamplePackage.artifact(
                        "function.zip", files: [("index.js", 100), ("package.json", 40)],
                        metadataFiles: ["package.json": #"{"name": "fn", "type": "module"}"#]),
                    layers: [SamplePackage.artifact("layer.zip", files: [("nodejs/node_modules/@aws-sdk/client-s3/package.json", 100)])]),
                target: "aws-lambda-nodejs20.x-arm64", fires: true, at: "nodejs/node_modules", mentions: "provides @aws-sdk/client-s3 only through NODE_PATH"),
            CheckExample(
                "a CommonJS handler and packages in a layer",
                subject: .deployment(
                    function: SamplePackage.artifact("function.zip", files: [("index.js", 100)]),
                    layers: [SamplePackage.artifact("layer.zip", files: [
                        ("nodejs/node_modules/uuid/package.json", 100), ("nodejs/node22/node_modules/left-pad/index.js", 100)])]),
                target: "aws-lambda-nodejs22.x-x86_64", fires: false),
            CheckExample(
                "a layer for python3.13 and a function at its root",
                subject: .deployment(
                    function: SamplePackage.artifact("function.zip", files: [("handler.py", 100)]),
                    layers: [SamplePackage.artifact("layer.zip", files: [
                        ("python/lib/python3.13/site-packages/requests/__init__.py", 100), ("python/six.py", 100),
                        ("lib/libpq.so.5", 100), ("bin/tool", 100)])]),
                target: "aws-lambda-python3.13-x86_64", fires: false),
            CheckExample(
                "a function that is one package",
                subject: .deployment(
                    function: SamplePackage.artifact("function.zip", files: [("app/__init__.py", 0), ("app/handler.py", 100)]),
                    layers: []),
                target: "aws-lambda-python3.13-x86_64", fires: false),
        ],
        judgement: .perDeployment { context in
            let runtime = context.runtime
            guard runtime.hasPackageLayout else { return [] }
            return context.inputs.flatMap { input in
                input.isLayer
                    ? LayerContent.misplaced(in: input, runtime: runtime)
                    : FunctionContent.extraTopFolder(in: input, runtime: runtime).filter { verdict in
                        // A descriptor's Handler that names the folder (`src/app.handler`) finds the code there.
                        let folder = verdict.path.hasSuffix("/") ? String(verdict.path.dropLast()) : verdict.path
                        guard let handler = context.descriptor?.handler, !folder.isEmpty else { return true }
                        return !(handler.hasPrefix(folder + "/") || handler.hasPrefix(folder + "."))
                    }
            } + ModuleHandler.layerOnlyPackages(context.inputs, runtime: runtime)
        })
}

/// Where a layer's language files sit, compared with the folders the runtime searches.
enum LayerContent {
    struct Misplaced {
        var count = 0
        var example = ""
        /// For code at the top of the layer: the top-level names, reported together.
        var names: Set<String> = []
    }

    static func misplaced(in input: DeploymentInput, runtime: RuntimeView) -> [LocatedVerdict] {
        var groups: [String: Misplaced] = [:]
        let rules = Rules(runtime: runtime, role: input.role)
        for item in input.unpacked where item.isFile {
            guard let group = misplacedFolder(item.path, components: item.components, rules: rules) else { continue }
            groups[group, default: Misplaced(example: item.path)].count += 1
            if group.isEmpty, let top = item.components.first {
                groups[group]!.names.insert(item.components.count > 1 ? top + "/" : top)
            }
        }
        let root = runtime.root(of: input.role)
        let searched = (runtime.modules?.layerPaths(root: root) ?? []).joined(separator: " and ")
        return groups.keys.sorted().map { folder in
            let group = groups[folder]!
            let files = group.count == 1 ? "1 file: \(group.example)" : "\(group.count) files, e.g. \(group.example)"
            let message: String
            let fix: String
            if let python = runtime.python, let wrong = wrongPythonVersion(folder) {
                message = "\(input.shortLabel) has Python packages for \(wrong) in \(folder)/ (\(files)); Python \(python.version) never looks there: it searches \(searched)"
                fix = "Rebuild the layer for Python \(python.version): `pip install --target python/ -r requirements.txt` (or into python/lib/python\(python.version)/site-packages/), then zip the python folder."
            } else if runtime.python != nil {
                let names = group.names.sorted()
                let place = folder.isEmpty
                    ? "at its top (\(names.prefix(5).joined(separator: ", "))\(names.count > 5 ? ", and \(names.count - 5) more" : ""))"
                    : "in \(folder)/"
                message = "\(input.shortLabel) has Python code \(place) (\(files)), which is on no import path: Lambda unpacks the layer at \(root) and Python searches \(searched)"
                fix = "Put the packages under python/ in the layer ZIP: `pip install --target python/ -r requirements.txt && zip -r layer.zip python`."
            } else {
                message = "\(input.shortLabel) has Node.js packages in \(folder)/ (\(files)), which Node.js \(runtime.nodeVersion ?? "") does not search: it looks in \(searched)"
                fix = "Put the packages under nodejs/node_modules/ in the layer ZIP: `npm install --prefix nodejs && zip -r layer.zip nodejs`."
            }
            return LocatedVerdict(artifact: input.artifact.path, path: folder, verdict: Verdict(message, fix: fix, fact: "off the search path"))
        }
    }

    /// What `misplacedFolder` compares every path with, made once per layer.
    struct Rules {
        let python: Bool
        let node: Bool
        let layerFolders: [EntryFolder]
        /// `python3.13` for a python3.13 target.
        let ownPythonFolder: String?
        /// Top folders whose files the runtime runs rather than imports (a layer's `bin` on PATH, `extensions`).
        let executedFolders: Set<String>

        init(runtime: RuntimeView, role: ArtifactRole) {
            python = runtime.python != nil
            node = runtime.nodeVersion != nil
            layerFolders = (runtime.modules?.layerFolders ?? []).map(EntryFolder.init)
            ownPythonFolder = runtime.pythonFolderName
            executedFolders = Set(runtime.executableFolders(in: role) + runtime.extensionFolders(in: role))
        }
    }

    /// The folder to report a misplaced file under (`""`: the top of the layer), nil when the file is where it
    /// belongs (or is not code).
    static func misplacedFolder(_ path: String, components: [String], rules: Rules) -> String? {
        guard let top = components.first else { return nil }
        if rules.python, let ownPythonFolder = rules.ownPythonFolder {
            guard PythonFile.isPython(components: components) else { return nil }
            // python/lib/python3.12/site-packages in a python3.13 layer: under python/, but not importable.
            if components.count > 4, let other = RuntimeView.otherPythonSitePackages(Array(components.prefix(4))),
                components[2] != ownPythonFolder
            {
                return other
            }
            if rules.layerFolders.contains(where: { $0.contains(path) }) { return nil }
            // Executables on PATH, extensions run by Lambda itself: scripts there are not imported.
            if components.count > 1 && rules.executedFolders.contains(top) { return nil }
            if let sitePackages = components.firstIndex(of: "site-packages"), sitePackages < components.count - 1 {
                return components[0...sitePackages].joined(separator: "/")
            }
            // Packages at the top of the layer: one finding for all of them, at the layer's root.
            return ""
        }
        if rules.node {
            guard let modules = components.firstIndex(of: "node_modules"), modules < components.count - 1 else { return nil }
            let folder = components[0...modules].joined(separator: "/")
            return rules.layerFolders.contains(where: { $0.contains(path) }) ? nil : folder
        }
        return nil
    }

    /// "python3.12" for `python/lib/python3.12/site-packages`.
    static func wrongPythonVersion(_ folder: String) -> String? {
        let components = EntryPath.components(folder)
        return components.count == 4 && RuntimeView.otherPythonSitePackages(components) != nil ? components[2] : nil
    }
}

/// A function ZIP made by zipping its build folder instead of the folder's content.
enum FunctionContent {
    static func extraTopFolder(in input: DeploymentInput, runtime: RuntimeView) -> [LocatedVerdict] {
        guard input.artifact.kind != .wheel && input.artifact.kind != .file else { return [] }
        // macOS Finder adds __MACOSX/ and .DS_Store; they say nothing about the layout.
        var files: [[String]] = []
        var tops: Set<String> = []
        for item in input.unpacked where item.isFile {
            let components = item.components
            guard components.first != "__MACOSX" && !(components.last ?? "").hasPrefix(".") else { continue }
            // A file at the top, or a second top folder: no single folder wraps everything.
            if components.count <= 1 { return [] }
            tops.insert(components[0])
            if tops.count > 1 { return [] }
            files.append(components)
        }
        guard tops.count == 1, let top = tops.first else { return [] }
        let direct = files.filter { $0.count == 2 }.map { $0[1] }
        let looksLikeRoot: Bool
        if runtime.python != nil {
            // A package folder (`app/__init__.py`) is a fine layout: the handler is `app.handler.handler`.
            looksLikeRoot = !direct.contains("__init__.py")
                && (direct.contains { $0.hasSuffix(".py") } || files.contains { $0.count > 2 && $0[1].hasSuffix(".dist-info") })
        } else if runtime.nodeVersion != nil {
            looksLikeRoot = direct.contains { $0 == "package.json" || $0.hasSuffix(".js") || $0.hasSuffix(".mjs") || $0.hasSuffix(".cjs") }
                || files.contains { $0.count > 2 && $0[1] == "node_modules" }
        } else {
            looksLikeRoot = direct.contains { runtime.entryPoints.contains($0) }
        }
        guard looksLikeRoot else { return [] }
        let example = direct.sorted().first.map { "\(top)/\($0)" } ?? top
        return [LocatedVerdict(
            artifact: input.artifact.path, path: top,
            verdict: Verdict(
                "everything in the function ZIP sits under \(top)/, so Lambda unpacks \(example) to \(runtime.runtimePath(example, in: input.role)) instead of \(runtime.runtimePath(String(example.dropFirst(top.count + 1)), in: input.role)) and does not find the handler",
                fix: "Zip the content of the folder, not the folder: `cd \(top) && zip -r ../function.zip .`.",
                fact: "nested root"))]
    }
}

/// An ES module handler does not search NODE_PATH (aws/aws-sam-cli#4364): packages that only layers provide are out
/// of its reach.
enum ModuleHandler {
    static func layerOnlyPackages(_ inputs: [DeploymentInput], runtime: RuntimeView) -> [LocatedVerdict] {
        guard runtime.nodeVersion != nil, let function = inputs.first(where: { !$0.isLayer }) else { return [] }
        let layerPaths = runtime.modules?.layerFolders ?? []
        let top = function.unpacked.filter { $0.isFile && $0.components.count == 1 }.map(\.path)
        let rootManifest = function.artifact.metadataFiles["package.json"].flatMap { InstalledNodePackage(manifest: "package.json", text: $0) }
        let handler: String
        if let module = top.sorted().first(where: { $0.hasSuffix(".mjs") }) {
            handler = module
        } else if rootManifest?.isModuleType == true, let script = top.sorted().first(where: { $0.hasSuffix(".js") }) {
            handler = "\(script) (package.json \"type\": \"module\")"
        } else {
            return []
        }
        let modulesFolder = EntryFolder(runtime.nodePath?.functionFolders.first ?? "node_modules")
        let own = Set(function.unpacked.compactMap { packageName($0, under: modulesFolder) })
        let layerFolders = layerPaths.map(EntryFolder.init)
        var verdicts: [LocatedVerdict] = []
        for layer in inputs where layer.isLayer {
            var names = Set<String>()
            for item in layer.unpacked where item.isFile {
                for folder in layerFolders {
                    if let name = packageName(item, under: folder), !own.contains(name) { names.insert(name) }
                }
            }
            guard !names.isEmpty else { continue }
            let sorted = names.sorted()
            let shown = sorted.prefix(5).joined(separator: ", ") + (sorted.count > 5 ? ", and \(sorted.count - 5) more" : "")
            verdicts.append(LocatedVerdict(
                artifact: layer.artifact.path, path: layerPaths.first ?? "nodejs/node_modules",
                verdict: Verdict(
                    "\(layer.shortLabel) provides \(shown) only through NODE_PATH (\((runtime.modules?.layerPaths(root: runtime.root(of: layer.role)) ?? []).joined(separator: ", "))), but the function's handler \(handler) is an ES module, and `import` never searches NODE_PATH: `Cannot find package '\(sorted[0])'`",
                    fix: "Bundle the packages into the function (esbuild/`sam build` with esbuild), import them by path (`import x from '\(runtime.runtimePath((layerPaths.first ?? "nodejs/node_modules") + "/" + sorted[0], in: layer.role))/index.js'`), or make the handler CommonJS (`index.js` with require).",
                    fact: sorted[0])))
        }
        return verdicts
    }

    /// `uuid` for `node_modules/uuid/index.js`, `@aws-sdk/x` for a scoped package; nil outside `folder`.
    static func packageName(_ item: UnpackedEntry, under folder: EntryFolder) -> String? {
        // An empty folder holds everything; what follows its `/` is the path without its first character.
        guard let rest = folder.path.isEmpty ? EntryPath.components(String(item.path.dropFirst()))[...] : item.components(inside: folder)
        else { return nil }
        guard rest.count > 1, let first = rest.first, !first.hasPrefix(".") else { return nil }
        if first.hasPrefix("@") { return rest.count > 2 ? first + "/" + rest[rest.startIndex + 1] : nil }
        return first
    }
}
