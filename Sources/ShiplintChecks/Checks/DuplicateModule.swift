import ShiplintFacts
import ShiplintTargets

extension Check {
    public static let duplicateModule = Check(
        id: "duplicate-module",
        defaultSeverity: .warning,
        summary: "The same importable module in two places on the runtime's path (function and layer, or two layers)",
        explanation: """
            Python imports a top-level module from the first folder on `sys.path` that has it: `/var/task` (the \
            function), then `/opt/python/lib/pythonX.Y/site-packages`, then `/opt/python` (the layers, all unpacked \
            into the same `/opt`). Node.js does the same with `node_modules` folders. When the function and a layer, \
            or two layers, both ship `requests`, only one copy is ever imported, and which one depends on where each \
            sits; two layers with the same folder are even unpacked over each other, so the files of two versions \
            mix. The copy that loses is dead weight at best; at worst the code was tested against the other version.

            Fix: ship each package once: remove it from the function when a layer provides it (or the reverse), \
            or drop the layer that duplicates another.

            Only on Lambda targets: a wheel-policy target judges one wheel, with no layers to shadow it.
            """,
        examples: [
            CheckExample(
                "requests in the function and in a layer",
                subject: .deployment(
                    function: SamplePackage.artifact("function.zip", files: [("handler.py", 100), ("requests/__init__.py", 100)]),
                    layers: [SamplePackage.artifact("layer.zip", files: [("python/requests/__init__.py", 100)])]),
                target: "aws-lambda-python3.13-x86_64", fires: true, at: "python/requests/", mentions: "`requests` is also in the function (function.zip) at requests/"),
            CheckExample(
                "the same module in two layers",
                subject: .deployment(function: nil, layers: [
                    SamplePackage.artifact("a.zip", files: [("python/lib/python3.13/site-packages/six.py", 100)]),
                    SamplePackage.artifact("b.zip", files: [("python/six.py", 100)]),
                ]),
                target: "aws-lambda-python3.13-x86_64", fires: true, at: "python/six.py", mentions: "`six` is also in layer 1 (a.zip)"),
            CheckExample(
                "different modules",
                subject: .deployment(
                    function: SamplePackage.artifact("function.zip", files: [("handler.py", 100), ("app/__init__.py", 100)]),
                    layers: [
                        SamplePackage.artifact("a.zip", files: [("python/requests/__init__.py", 100), ("python/requests-2.32.3.dist-info/WHEEL", 100)]),
                        SamplePackage.artifact("b.zip", files: [("python/lib/python3.13/site-packages/numpy/__init__.py", 100), ("lib/libz.so.1", 100)]),
                    ]),
                target: "aws-lambda-python3.13-x86_64", fires: false),
        ],
        judgement: .perDeployment { context in
            guard context.runtime.hasPackageLayout else { return [] }
            let runtime = context.runtime
            let copies = ModuleCopy.all(in: context.inputs, runtime: runtime)
            var verdicts: [LocatedVerdict] = []
            // `copies` is sorted by name, then precedence: each run of one name is its copies, the winner first.
            var start = copies.startIndex
            while start < copies.endIndex {
                let name = copies[start].name
                var end = start + 1
                while end < copies.endIndex && copies[end].name == name { end += 1 }
                let same = copies[start..<end]
                start = end
                guard let winner = same.first, same.count > 1 else { continue }
                for loser in same.dropFirst() {
                    let message = loser.folder == winner.folder && loser.input.isLayer && winner.input.isLayer
                        ? "`\(name)` is also in \(winner.input.label) at the same place, \(winner.path): Lambda unpacks \(winner.input.shortLabel) over this one into \(loser.installedPath(runtime)), so the files of both copies mix"
                        : "`\(name)` is also in \(winner.input.label) at \(winner.path), which comes first on the \(context.runtime.python != nil ? "import path" : "module path"); this copy (\(loser.installedPath(runtime))) is never loaded"
                    verdicts.append(LocatedVerdict(
                        artifact: loser.input.artifact.path, path: loser.path,
                        verdict: Verdict(message, fix: "Ship `\(name)` once: remove it from \(loser.input.shortLabel) or from \(winner.input.shortLabel).", fact: name)))
                }
            }
            return verdicts
        })
}

/// One copy of a top-level module: in which input, under which folder of the module path, at which entry path.
struct ModuleCopy {
    let name: String
    let input: DeploymentInput
    /// The folder of the input on the module path (`""` for the function root, `python` for a layer).
    let folder: String
    /// The entry path of the module: `requests/` for a package, `six.py` for a single file.
    let path: String
    /// Lower is found first.
    let precedence: Int

    func installedPath(_ runtime: RuntimeView) -> String {
        runtime.runtimePath(path, in: input.role)
    }

    static func all(in inputs: [DeploymentInput], runtime: RuntimeView) -> [ModuleCopy] {
        guard let modules = runtime.pythonPath ?? runtime.nodePath else { return [] }
        let python = modules.language == .python
        // In the order the runtime searches them (site-packages before python/, nodeNN/node_modules before node_modules).
        let layerFolders = modules.layerSearchOrder.map(EntryFolder.init)
        let functionFolders = modules.functionFolders.map(EntryFolder.init)
        struct Key: Hashable {
            let name: String
            let input: Int
            let path: String
        }
        var copies: [Key: ModuleCopy] = [:]
        for (inputIndex, input) in inputs.enumerated() {
            let folders = input.isLayer ? layerFolders : functionFolders
            // Entries come folder by folder: a file of the module just recorded needs no second look-up.
            var last: (folder: Int, name: String, path: String)?
            for item in input.unpacked where item.isFile {
                guard let folderIndex = folders.firstIndex(where: { $0.contains(item.path) }),
                    let relative = item.components(inside: folders[folderIndex])
                else { continue }
                let folder = folders[folderIndex]
                // A file in python/lib/… belongs to the site-packages folder, not to a module `lib` of python/.
                if folders.contains(where: { $0.length > folder.length && $0.contains(item.path) }) { continue }
                guard let module = moduleName(relative, python: python) else { continue }
                if let last, last.folder == folderIndex, last.name == module.name, last.path == module.path { continue }
                last = (folderIndex, module.name, module.path)
                let path = folder.path.isEmpty ? module.path : folder.slashed + module.path
                // Function first, then layers: each later layer goes over the earlier ones in the same /opt folder.
                let precedence = input.isLayer ? 1 + folderIndex * 1000 + (1000 - (input.layerNumber ?? 0)) : 0
                let key = Key(name: module.name, input: inputIndex, path: path)
                if copies[key] == nil {
                    copies[key] = ModuleCopy(name: module.name, input: input, folder: folder.path, path: path, precedence: precedence)
                }
            }
        }
        return copies.values.sorted { ($0.name, $0.precedence, $0.path) < ($1.name, $1.precedence, $1.path) }
    }

    /// The top-level module a file provides, with its entry path below the module folder.
    static func moduleName(_ relative: ArraySlice<String>, python: Bool) -> (name: String, path: String)? {
        if python {
            guard let module = PythonFile.topLevelModule(relative: relative), let first = relative.first else { return nil }
            return (module.name, module.isPackage ? module.name + "/" : first)
        }
        guard relative.count > 1, let first = relative.first, !first.hasPrefix(".") else { return nil }
        let name = first.hasPrefix("@") && relative.count > 2 ? first + "/" + relative[relative.startIndex + 1] : first
        return (name, name + "/")
    }
}
