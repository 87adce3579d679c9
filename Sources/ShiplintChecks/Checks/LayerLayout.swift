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
                target: "aws-lambda-python3.13-x86_64", fires: true),
            CheckExample(
                "a layer with packages at its top",
                subject: .deployment(function: nil, layers: [
                    SamplePackage.artifact("layer.zip", files: [("requests/__init__.py", 100)])]),
                target: "aws-lambda-python3.13-x86_64", fires: true),
            CheckExample(
                "a function zipped with its build folder",
                subject: .deployment(
                    function: SamplePackage.artifact("function.zip", files: [("build/handler.py", 100), ("build/pkg/__init__.py", 0)]),
                    layers: []),
                target: "aws-lambda-python3.13-x86_64", fires: true),
            CheckExample(
                "node_modules at the top of a Node.js layer",
                subject: .deployment(function: nil, layers: [
                    SamplePackage.artifact("layer.zip", files: [("node_modules/left-pad/index.js", 100)])]),
                target: "aws-lambda-nodejs22.x-x86_64", fires: true),
            CheckExample(
                "an ES module handler and packages only in a layer",
                subject: .deployment(
                    function: SamplePackage.artifact("function.zip", files: [("index.mjs", 100)]),
                    layers: [SamplePackage.artifact("layer.zip", files: [("nodejs/node_modules/uuid/package.json", 100)])]),
                target: "aws-lambda-nodejs22.x-x86_64", fires: true),
            CheckExample(
                "a \"type\": \"module\" function and packages only in a layer",
                subject: .deployment(
                    function: SamplePackage.artifact(
                        "function.zip", files: [("index.js", 100), ("package.json", 40)],
                        metadataFiles: ["package.json": #"{"name": "fn", "type": "module"}"#]),
                    layers: [SamplePackage.artifact("layer.zip", files: [("nodejs/node_modules/@aws-sdk/client-s3/package.json", 100)])]),
                target: "aws-lambda-nodejs20.x-arm64", fires: true),
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
            guard let package = context.target.package else { return [] }
            return context.inputs.flatMap { input in
                input.isLayer
                    ? LayerContent.misplaced(in: input, target: context.target, package: package)
                    : FunctionContent.extraTopFolder(in: input, target: context.target, package: package).filter { verdict in
                        // A descriptor's Handler that names the folder (`src/app.handler`) finds the code there.
                        let folder = verdict.path.hasSuffix("/") ? String(verdict.path.dropLast()) : verdict.path
                        guard let handler = context.descriptor?.handler, !folder.isEmpty else { return true }
                        return !(handler.hasPrefix(folder + "/") || handler.hasPrefix(folder + "."))
                    }
            } + ModuleHandler.layerOnlyPackages(context.inputs, target: context.target, package: package)
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

    static func misplaced(in input: DeploymentInput, target: TargetRuntime, package: TargetRuntime.Package) -> [LocatedVerdict] {
        var groups: [String: Misplaced] = [:]
        for entry in input.unpackedEntries where entry.type == .file {
            guard let group = misplacedFolder(entry.path, target: target, package: package) else { continue }
            groups[group, default: Misplaced(example: entry.path)].count += 1
            if group.isEmpty, let top = EntryPath.components(entry.path).first {
                groups[group]!.names.insert(EntryPath.components(entry.path).count > 1 ? top + "/" : top)
            }
        }
        let searched = package.layerPaths.map { "\(input.root(package))/\($0)" }.joined(separator: " and ")
        return groups.keys.sorted().map { folder in
            let group = groups[folder]!
            let files = group.count == 1 ? "1 file: \(group.example)" : "\(group.count) files, e.g. \(group.example)"
            let message: String
            let fix: String
            if let python = target.python, let wrong = wrongPythonVersion(folder) {
                message = "\(input.shortLabel) has Python packages for \(wrong) in \(folder)/ (\(files)); Python \(python.version) never looks there: it searches \(searched)"
                fix = "Rebuild the layer for Python \(python.version): `pip install --target python/ -r requirements.txt` (or into python/lib/python\(python.version)/site-packages/), then zip the python folder."
            } else if target.python != nil {
                let names = group.names.sorted()
                let place = folder.isEmpty
                    ? "at its top (\(names.prefix(5).joined(separator: ", "))\(names.count > 5 ? ", and \(names.count - 5) more" : ""))"
                    : "in \(folder)/"
                message = "\(input.shortLabel) has Python code \(place) (\(files)), which is on no import path: Lambda unpacks the layer at \(input.root(package)) and Python searches \(searched)"
                fix = "Put the packages under python/ in the layer ZIP: `pip install --target python/ -r requirements.txt && zip -r layer.zip python`."
            } else {
                message = "\(input.shortLabel) has Node.js packages in \(folder)/ (\(files)), which Node.js \(target.nodeVersion ?? "") does not search: it looks in \(searched)"
                fix = "Put the packages under nodejs/node_modules/ in the layer ZIP: `npm install --prefix nodejs && zip -r layer.zip nodejs`."
            }
            return LocatedVerdict(artifact: input.artifact.path, path: folder, verdict: Verdict(message, fix: fix, fact: "off the search path"))
        }
    }

    /// The folder to report a misplaced file under (`""`: the top of the layer), nil when the file is where it
    /// belongs (or is not code).
    static func misplacedFolder(_ path: String, target: TargetRuntime, package: TargetRuntime.Package) -> String? {
        let components = EntryPath.components(path)
        guard let top = components.first else { return nil }
        if let python = target.python {
            guard PythonFile.isPython(path) else { return nil }
            // python/lib/python3.12/site-packages in a python3.13 layer: under python/, but not importable.
            if components.count > 4, components[0] == "python", components[1] == "lib", components[3] == "site-packages",
                components[2].hasPrefix("python"), components[2] != "python\(python.version)"
            {
                return components[0...3].joined(separator: "/")
            }
            if package.layerPaths.contains(where: { EntryPath.path(path, isInside: $0) }) { return nil }
            // Executables on PATH, extensions run by Lambda itself: scripts there are not imported.
            if components.count > 1 && ["bin", "extensions"].contains(top) { return nil }
            if let sitePackages = components.firstIndex(of: "site-packages"), sitePackages < components.count - 1 {
                return components[0...sitePackages].joined(separator: "/")
            }
            // Packages at the top of the layer: one finding for all of them, at the layer's root.
            return ""
        }
        if target.nodeVersion != nil {
            guard let modules = components.firstIndex(of: "node_modules"), modules < components.count - 1 else { return nil }
            let folder = components[0...modules].joined(separator: "/")
            return package.layerPaths.contains(where: { EntryPath.path(path, isInside: $0) }) ? nil : folder
        }
        return nil
    }

    /// "python3.12" for `python/lib/python3.12/site-packages`.
    static func wrongPythonVersion(_ folder: String) -> String? {
        let components = EntryPath.components(folder)
        return components.count == 4 && components[0] == "python" && components[1] == "lib" ? components[2] : nil
    }
}

/// A function ZIP made by zipping its build folder instead of the folder's content.
enum FunctionContent {
    static func extraTopFolder(in input: DeploymentInput, target: TargetRuntime, package: TargetRuntime.Package) -> [LocatedVerdict] {
        guard input.artifact.kind != .wheel && input.artifact.kind != .file else { return [] }
        // macOS Finder adds __MACOSX/ and .DS_Store; they say nothing about the layout.
        let files = input.unpackedEntries.filter { entry in
            let components = EntryPath.components(entry.path)
            return entry.type == .file && components.first != "__MACOSX" && !(components.last ?? "").hasPrefix(".")
        }.map { EntryPath.components($0.path) }
        let tops = Set(files.compactMap(\.first))
        guard tops.count == 1, let top = tops.first, files.allSatisfy({ $0.count > 1 }) else { return [] }
        let direct = files.filter { $0.count == 2 }.map { $0[1] }
        let looksLikeRoot: Bool
        if target.python != nil {
            // A package folder (`app/__init__.py`) is a fine layout: the handler is `app.handler.handler`.
            looksLikeRoot = !direct.contains("__init__.py")
                && (direct.contains { $0.hasSuffix(".py") } || files.contains { $0.count > 2 && $0[1].hasSuffix(".dist-info") })
        } else if target.nodeVersion != nil {
            looksLikeRoot = direct.contains { $0 == "package.json" || $0.hasSuffix(".js") || $0.hasSuffix(".mjs") || $0.hasSuffix(".cjs") }
                || files.contains { $0.count > 2 && $0[1] == "node_modules" }
        } else {
            looksLikeRoot = direct.contains { package.executableEntryPoints.contains($0) }
        }
        guard looksLikeRoot else { return [] }
        let example = direct.sorted().first.map { "\(top)/\($0)" } ?? top
        return [LocatedVerdict(
            artifact: input.artifact.path, path: top,
            verdict: Verdict(
                "everything in the function ZIP sits under \(top)/, so Lambda unpacks \(example) to \(input.root(package))/\(example) instead of \(input.root(package))/\(String(example.dropFirst(top.count + 1))) and does not find the handler",
                fix: "Zip the content of the folder, not the folder: `cd \(top) && zip -r ../function.zip .`.",
                fact: "nested root"))]
    }
}

/// An ES module handler does not search NODE_PATH (aws/aws-sam-cli#4364): packages that only layers provide are out
/// of its reach.
enum ModuleHandler {
    static func layerOnlyPackages(_ inputs: [DeploymentInput], target: TargetRuntime, package: TargetRuntime.Package) -> [LocatedVerdict] {
        guard target.nodeVersion != nil, let function = inputs.first(where: { !$0.isLayer }) else { return [] }
        let top = function.unpackedEntries.filter { $0.type == .file && EntryPath.components($0.path).count == 1 }.map(\.path)
        let rootManifest = function.artifact.metadataFiles["package.json"].flatMap { InstalledNodePackage(manifest: "package.json", text: $0) }
        let handler: String
        if let module = top.sorted().first(where: { $0.hasSuffix(".mjs") }) {
            handler = module
        } else if rootManifest?.isModuleType == true, let script = top.sorted().first(where: { $0.hasSuffix(".js") }) {
            handler = "\(script) (package.json \"type\": \"module\")"
        } else {
            return []
        }
        let own = Set(function.unpackedEntries.compactMap { packageName($0.path, under: "node_modules") })
        var verdicts: [LocatedVerdict] = []
        for layer in inputs where layer.isLayer {
            var names = Set<String>()
            for entry in layer.unpackedEntries where entry.type == .file {
                for folder in package.layerPaths {
                    if let name = packageName(entry.path, under: folder), !own.contains(name) { names.insert(name) }
                }
            }
            guard !names.isEmpty else { continue }
            let sorted = names.sorted()
            let shown = sorted.prefix(5).joined(separator: ", ") + (sorted.count > 5 ? ", and \(sorted.count - 5) more" : "")
            verdicts.append(LocatedVerdict(
                artifact: layer.artifact.path, path: package.layerPaths.first ?? "nodejs/node_modules",
                verdict: Verdict(
                    "\(layer.shortLabel) provides \(shown) only through NODE_PATH (\(package.layerPaths.map { "\(layer.root(package))/\($0)" }.joined(separator: ", "))), but the function's handler \(handler) is an ES module, and `import` never searches NODE_PATH: `Cannot find package '\(sorted[0])'`",
                    fix: "Bundle the packages into the function (esbuild/`sam build` with esbuild), import them by path (`import x from '/opt/nodejs/node_modules/\(sorted[0])/index.js'`), or make the handler CommonJS (`index.js` with require).",
                    fact: sorted[0])))
        }
        return verdicts
    }

    /// `uuid` for `node_modules/uuid/index.js`, `@aws-sdk/x` for a scoped package; nil outside `folder`.
    static func packageName(_ path: String, under folder: String) -> String? {
        guard EntryPath.path(path, isInside: folder) else { return nil }
        let rest = EntryPath.components(String(path.dropFirst(folder.count + 1)))
        guard rest.count > 1, let first = rest.first, !first.hasPrefix(".") else { return nil }
        if first.hasPrefix("@") { return rest.count > 2 ? first + "/" + rest[1] : nil }
        return first
    }
}
