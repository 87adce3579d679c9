@testable import ShiplintChecks
import ShiplintFacts
import ShiplintTargets
import Testing

/// What a scan computes once and every check shares (issue #10): entry paths split once, the load graph's first
/// resolutions looked up by key. The answers stay those of splitting and searching again each time.
@Suite struct SharedIndexTests {
    static let paths = [
        "python/requests/api.py", "python//requests/api.py", "python/./six.py", "./python/six.py", "pythonx/y.py",
        "Python/six.py", "python", "python/", "python/lib/python3.12/site-packages/numpy/__init__.py",
        "nodejs/node_modules/@aws-sdk/client-s3/package.json", "nodejs/node_modules/ünï/index.js", "python/é/x.py",
        "a//b/c", "a/./b/c", "a/b/c",
    ]
    static let folders = ["", "python", "Python", "python/lib/python3.12/site-packages", "nodejs/node_modules", "a//b", "a/./b", "a/b"]

    /// What `components(inside:)` replaces: the path tested against the folder, then what follows `folder/` split.
    static func splitAgain(_ path: String, inside folder: String) -> [String]? {
        guard EntryPath.path(path, isInside: folder) else { return nil }
        return EntryPath.components(folder.isEmpty ? path : String(path.dropFirst(folder.count + 1)))
    }

    @Test(arguments: folders)
    func componentsInsideAFolderAreThoseOfSplittingAgain(folder: String) {
        let artifact = SamplePackage.artifact("layer.zip", files: Self.paths.map { ($0, 1) })
        let entries = UnpackedEntry.all(in: artifact)
        #expect(entries.map(\.path) == Self.paths)
        for entry in entries {
            #expect(entry.components == EntryPath.components(entry.path))
            #expect(entry.components(inside: EntryFolder(folder)).map(Array.init) == Self.splitAgain(entry.path, inside: folder), "\(entry.path) in \(folder)")
        }
    }

    @Test func entriesOfNestedArchivesAreNotUnpacked() {
        let artifact = SamplePackage.artifact("function.zip", files: [("vendor/a.whl", 1), ("vendor/a.whl!a/_a.so", 1), ("handler.py", 1)])
        #expect(UnpackedEntry.all(in: artifact).map(\.path) == ["vendor/a.whl", "handler.py"])
    }

    @Test func componentsOfNonASCIIPaths() {
        #expect(EntryPath.components("é/./ü//x.py") == ["é", "ü", "x.py"])
        #expect(EntryPath.components("./") == [])
        #expect(EntryPath.firstComponent("..//é") == "..")
        #expect(EntryPath.lastComponent("a/日本/.") == "日本")
    }

    /// The same module under two folders of one layer and in a later layer, and a name differing only in case: every
    /// copy after the function's is reported where it sits, and `Six` is another module than `six`.
    @Test func duplicateModulesAcrossFoldersAndCase() throws {
        let target = try TargetCatalog.builtIn.load("aws-lambda-python3.13-x86_64")
        let function = SamplePackage.artifact("function.zip", files: [("handler.py", 1), ("requests/__init__.py", 1), ("Six.py", 1)])
        let first = SamplePackage.artifact("one.zip", files: [
            ("python/lib/python3.13/site-packages/requests/__init__.py", 1), ("python/six.py", 1)])
        let second = SamplePackage.artifact("two.zip", files: [("python/requests/api.py", 1), ("python/requests/__init__.py", 1)])
        let result = Scanner.scan(functions: [function], layers: [first, second], target: target, checks: [.duplicateModule])
        let found = result.artifacts.flatMap { scan in scan.findings.map { "\(scan.artifact.path) \($0.path) \($0.fact)" } }
        #expect(found == ["one.zip python/lib/python3.13/site-packages/requests/ requests", "two.zip python/requests/ requests"])
    }

    /// The same path in the function and in a layer is two objects: each keeps its own resolutions.
    @Test func resolutionsAreLookedUpByArtifactAndPath() throws {
        let target = try TargetCatalog.builtIn.load("aws-lambda-python3.13-x86_64")
        let function = Artifact(
            path: "function.zip", kind: .zip, entries: [],
            binaries: [
                SampleBinary.elf("pkg/_mod.abi3.so", needed: ["libfoo.so.1", "libc.so.6"], rpath: ["$ORIGIN/../lib"]),
                SampleBinary.library("lib/libfoo.so.1", soname: "libfoo.so.1"),
            ],
            problems: [])
        let layer = Artifact(
            path: "layer.zip", kind: .zip, entries: [], binaries: [SampleBinary.elf("pkg/_mod.abi3.so", needed: ["libbar.so.1"])], problems: [])
        let graph = LoaderModel.graph(function: function, layers: [layer], target: target)
        guard case .bundled(let object, let directory, let step)? = graph.resolution(of: "libfoo.so.1", neededBy: "function.zip", path: "pkg/_mod.abi3.so")
        else { Issue.record("libfoo.so.1 is not bundled"); return }
        #expect(graph.objects[object].runtimePath == "/var/task/lib/libfoo.so.1")
        #expect(directory == "/var/task/lib" && step == "RPATH")
        #expect(graph.resolution(of: "libc.so.6", neededBy: "function.zip", path: "pkg/_mod.abi3.so") == .runtime(directory: "/lib64"))
        guard case .missing? = graph.resolution(of: "libbar.so.1", neededBy: "layer.zip", path: "pkg/_mod.abi3.so")
        else { Issue.record("libbar.so.1 is not missing"); return }
        #expect(graph.resolution(of: "libfoo.so.1", neededBy: "layer.zip", path: "pkg/_mod.abi3.so") == nil)
        #expect(graph.resolution(of: "libfoo.so.1", neededBy: "function.zip", path: "PKG/_mod.abi3.so") == nil)
        #expect(graph.firstResolutions.count == 4)
        #expect(graph.missing.map(\.soname) == ["libbar.so.1"])
    }

    /// Files that are not ELF objects are not recorded one by one, only their folders: a later layer's text file
    /// still replaces an earlier layer's library, and a link still resolves through a folder holding only such files.
    @Test func filesThatAreNotObjectsStillShadowAndHoldFolders() throws {
        let target = try TargetCatalog.builtIn.load("aws-lambda-python3.13-x86_64")
        let function = Artifact(
            path: "function.zip", kind: .zip, entries: [],
            binaries: [SampleBinary.elf("pkg/_mod.abi3.so", needed: ["libfoo.so.1", "libbar.so.1"])], problems: [])
        let library = Artifact(
            path: "library.zip", kind: .zip,
            entries: [
                SamplePackage.file("vendor/docs/README"),
                ArtifactEntry(path: "lib/libbar.so.1", size: 1, mode: 0o120777, type: .symlink(target: "../vendor/docs/../libbar.so.1")),
            ],
            binaries: [
                SampleBinary.library("lib/libfoo.so.1", soname: "libfoo.so.1"),
                SampleBinary.library("vendor/libbar.so.1", soname: "libbar.so.1"),
            ],
            problems: [])
        let text = SamplePackage.artifact("text.zip", files: [("lib/libfoo.so.1", 10)])
        func resolution(_ soname: String, _ layers: [Artifact]) -> Resolution? {
            LoaderModel.graph(function: function, layers: layers, target: target)
                .resolution(of: soname, neededBy: "function.zip", path: "pkg/_mod.abi3.so")
        }
        guard case .bundled(_, let directory, _)? = resolution("libbar.so.1", [library]) else {
            Issue.record("libbar.so.1 is not found through the link"); return
        }
        #expect(directory == "/opt/lib")
        guard case .bundled? = resolution("libfoo.so.1", [text, library]) else { Issue.record("the library over the text file is not found"); return }
        guard case .missing? = resolution("libfoo.so.1", [library, text]) else { Issue.record("the text file over the library does not hide it"); return }
    }
}
