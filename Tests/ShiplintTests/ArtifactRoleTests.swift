import Foundation
import Testing

/// A layer given as the artifact is judged as the layer Lambda mounts at /opt, and checks ask the role what must be
/// executable (issue 13: layers recognised; pip's console scripts in a function's bin/ are not entry points).
@Suite struct ArtifactRoleTests {
    static let py313 = "aws-lambda-python3.13-x86_64"

    /// A layer built for python3.12 (`pip install --target python/lib/python3.12/site-packages`), used on python3.13.
    static func layer312() throws -> String {
        try ExplainTests.folder([
            "python/lib/python3.12/site-packages/pkg/__init__.py": "",
            "python/lib/python3.12/site-packages/pkg/_clean.cpython-312-x86_64-linux-gnu.so": "fixtures/bin/elf/_clean.cpython-312-x86_64-linux-gnu.so",
        ])
    }

    static func findings(_ json: [String: Any]) -> [String] {
        (json["artifacts"] as? [[String: Any]] ?? []).flatMap { ($0["findings"] as? [[String: Any]]) ?? [] }
            .map { "\($0["check"] as? String ?? "?") \($0["path"] as? String ?? "?") \($0["message"] as? String ?? "?")" }
    }

    @Test func aLayerGivenAsTheArtifactIsScannedAsALayer() throws {
        let layer = try Self.layer312()
        let (status, json) = try Shiplint.json(["scan", layer, "--target", Self.py313])
        let (givenStatus, givenJSON) = try Shiplint.json(["scan", "--layer", layer, "--target", Self.py313])
        #expect(status == 1)
        #expect(Self.findings(json) == Self.findings(givenJSON))
        #expect(status == givenStatus)
        #expect(Self.findings(json).contains { $0.hasPrefix("layer-layout python/lib/python3.12/site-packages layer 1 has Python packages for python3.12") })
        let artifact = (json["artifacts"] as? [[String: Any]])?.first
        #expect(artifact?["role"] as? String == "layer")
        #expect(artifact?["role_note"] as? String == "recognised: every entry under python/")
        let text = try Shiplint.run(["scan", layer, "--target", Self.py313])
        #expect(text.stdout.contains("(layer 1, recognised: every entry under python/; folder"), "\(text.stdout)")
    }

    @Test func asFunctionOverridesTheRecognition() throws {
        let layer = try Self.layer312()
        let (status, json) = try Shiplint.json(["scan", layer, "--target", Self.py313, "--as", "function"])
        // As the function, the 3.12 build is judged where it lies; nothing is a layer's misplaced folder.
        #expect(Self.findings(json).map { $0.prefix { $0 != " " } } == ["python-abi-mismatch"], "\(json)")
        #expect(status == 1)
        #expect((json["artifacts"] as? [[String: Any]])?.first?["role"] as? String == "function")
        #expect((json["artifacts"] as? [[String: Any]])?.first?["role_note"] == nil)
        let (_, forced) = try Shiplint.json(["scan", try ExplainTests.folder(["lambda_function.py": ""]), "--target", Self.py313, "--as", "layer"])
        #expect((forced["artifacts"] as? [[String: Any]])?.first?["role_note"] as? String == "given with --as layer")
        // A function with a handler at its top is never taken for a layer, whatever else it holds.
        let function = try ExplainTests.folder(["lambda_function.py": "", "python/x.py": ""])
        let (_, functionJSON) = try Shiplint.json(["scan", function, "--target", Self.py313])
        #expect((functionJSON["artifacts"] as? [[String: Any]])?.first?["role"] as? String == "function")
    }

    /// inspect --tree resolves a recognised layer's libraries under /opt (LD_LIBRARY_PATH has /opt/lib), and under
    /// /var/task with --as function.
    @Test func inspectTreeTakesTheRole() throws {
        let layer = try ExplainTests.folder([
            "python/pkg/_usesfoo.cpython-313-x86_64-linux-gnu.so": "fixtures/bin/elf/_usesfoo.cpython-313-x86_64-linux-gnu.so",
            "lib/libfoo.so.1": "fixtures/bin/elf/libfoo.so.1",
        ])
        let tree = try Shiplint.run(["inspect", "--tree", layer, "--target", Self.py313])
        #expect(tree.stdout.contains("libfoo.so.1 => /opt/lib/libfoo.so.1 [bundled, LD_LIBRARY_PATH]"), "\(tree.stdout)")
        let function = try Shiplint.run(["inspect", "--tree", layer, "--target", Self.py313, "--as", "function"])
        #expect(function.stdout.contains("libfoo.so.1 => /var/task/lib/libfoo.so.1 [bundled, LD_LIBRARY_PATH]"), "\(function.stdout)")
    }

    /// The reader keeps a dist-info METADATA's head even past its 64 KiB cap (a long description), and RECORD says
    /// which distribution installed a file whose folder has another name.
    @Test func installedDistributionFromMetadataAndRecord() throws {
        let description = String(repeating: "A long project description line.\n", count: 4000)
        let folder = try ExplainTests.folder([
            "lambda_function.py": "",
            "pkg/_clean.cpython-313-aarch64-linux-gnu.so": "fixtures/bin/elf/_clean.cpython-313-aarch64-linux-gnu.so",
            "Foo_Bar-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: Foo.Bar\nVersion: 1.0\n\n" + description,
            "Foo_Bar-1.0.dist-info/RECORD": "pkg/_clean.cpython-313-aarch64-linux-gnu.so,sha256=x,1\nFoo_Bar-1.0.dist-info/RECORD,,\n",
        ])
        let result = try Shiplint.run(["explain", folder, "--target", Self.py313, "--error",
            "/var/task/pkg/_clean.cpython-313-aarch64-linux-gnu.so: cannot open shared object file: No such file or directory"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("Root cause [wrong-arch]: pkg/_clean.cpython-313-aarch64-linux-gnu.so"), "\(result.stdout)")
        #expect(result.stdout.contains("installed by: Foo.Bar 1.0 (Foo_Bar-1.0.dist-info)"), "\(result.stdout)")
        #expect(result.stdout.contains("--target build/ Foo.Bar==1.0"))
    }

    /// The issue's case: Pillow installed on a Mac into a layer's python/, passed to explain as the artifact. Before,
    /// it was "everything in the function ZIP sits under python/".
    @Test func explainOnALayerBlamesTheDarwinFile() throws {
        let layer = try ExplainTests.folder([
            "python/PIL/__init__.py": "",
            "python/PIL/_imaging.cpython-313-darwin.so": "fixtures/bin/macho/_mod_universal2.cpython-313-darwin.so",
        ])
        let result = try Shiplint.run(["explain", layer, "--target", Self.py313, "--error",
            "Runtime.ImportModuleError: Unable to import module 'lambda_function': cannot import name '_imaging' from 'PIL' (/opt/python/PIL/__init__.py)"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("layer, recognised: every entry under python/"), "\(result.stdout)")
        #expect(result.stdout.contains("Root cause [darwin-binary]: python/PIL/_imaging.cpython-313-darwin.so"), "\(result.stdout)")
        #expect(!result.stdout.contains("everything in the function ZIP"))
    }

    /// charset-normalizer's `normalizer` console script, as pip writes it into `--target build/` (mode 644 here):
    /// /var/task/bin is not on PATH and the Python runtime never runs it. In a layer, bin/ is /opt/bin, on PATH.
    @Test func consoleScriptsInAFunctionBinAreNotEntryPoints() throws {
        let script = "#!/usr/bin/python3\nimport sys\nfrom charset_normalizer.cli import cli_detect\nsys.exit(cli_detect())\n"
        let function = try ExplainTests.folder(["lambda_function.py": "", "bin/normalizer": script])
        let layer = try ExplainTests.folder(["python/x.py": "", "bin/normalizer": script])
        for folder in [function, layer] {
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: folder + "/bin/normalizer")
        }
        let (functionStatus, functionJSON) = try Shiplint.json(["scan", function, "--target", Self.py313])
        #expect(Self.findings(functionJSON).isEmpty, "\(functionJSON)")
        #expect(functionStatus == 0)
        let (layerStatus, layerJSON) = try Shiplint.json(["scan", layer, "--target", Self.py313])
        #expect(Self.findings(layerJSON).contains { $0.hasPrefix("unreadable-file bin/normalizer bin/normalizer is stored with mode 644") }, "\(layerJSON)")
        #expect(layerStatus == 1)
        // The shell's message when the layer's program is run from /opt/bin.
        let explained = try Shiplint.run(["explain", layer, "--target", Self.py313, "--error", "sh: /opt/bin/normalizer: Permission denied"])
        #expect(explained.status == 0)
        #expect(explained.stdout.contains("Root cause [unreadable-file]: bin/normalizer in \(layer)"), "\(explained.stdout)")
        // The function's code ran its own bin/normalizer (no check flags it: the runtime never runs it); the text
        // says it was run, and the file is readable but not executable.
        let function644 = try Shiplint.run(["explain", function, "--target", Self.py313, "--error", "sh: /var/task/bin/normalizer: Permission denied"])
        #expect(function644.status == 0)
        #expect(function644.stdout.contains("bin/normalizer in \(function) is readable but not executable by Lambda's user (mode 644)"), "\(function644.stdout)")
    }
}
