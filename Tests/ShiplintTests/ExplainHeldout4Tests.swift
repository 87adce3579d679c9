import Foundation
@testable import ShiplintChecks
import ShiplintTargets
import Testing

/// The families the fourth held-out set (Tests/corpus/heldout4) found wrong or half right on main 4f683c4, each as a
/// user meets it with an artifact built here (none of the set's own files): a Python 2 build's API symbol, a file the
/// text names that is absent where its package is or present in another folder, a package's own "compiled core
/// failed" message, node-gyp-build's "No native build", .NET's probe list, and fixes spoken for where the file came
/// from (a nested archive's dist-info, an npm package's musl build, a bootstrap-less function's executable).
@Suite struct ExplainHeldout4Tests {
    typealias Explained = ExplainLocationsTests.Explained
    static let x86 = "fixtures/bin/elf/_clean.cpython-312-x86_64-linux-gnu.so"
    static let executable = "fixtures/bin/elf/bootstrap"

    /// Every explanation of `explain` in JSON, with the exit status.
    static func explanations(_ artifact: String, target: String, error: String, layers: [String] = []) throws -> (status: Int32, all: [[String: Any]]) {
        let result = try Shiplint.run(
            ["explain", artifact, "--target", target, "--no-config", "--error", error, "--format", "json"] + layers.flatMap { ["--layer", $0] })
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stdout)\(result.stderr)")
        return (result.status, json["explanations"] as? [[String: Any]] ?? [])
    }

    // MARK: - A CPython API symbol is the module's build

    /// awslambda-psycopg2#24's family: a Python 2 UCS4 build on Python 3. Was root cause undefined-symbol, with "ship the
    /// library that defines PyUnicodeUCS4_DecodeUTF8" (no library does).
    @Test func aPython2APISymbolIsTheModulesBuild() throws {
        let function = try ExplainTests.folder([
            "handler.py": "import pgdriver\n", "pgdriver/__init__.py": "from ._core import connect\n",
            "pgdriver/_core.so": "fixtures/bin/corpus/_psycopg-py27-ucs4.so",
        ])
        let result = try ExplainLocationsTests.explain(function, target: "aws-lambda-python3.12-x86_64",
            error: "Unable to import module 'handler': /var/task/pgdriver/_core.so: undefined symbol: PyUnicodeUCS4_DecodeUTF8")
        #expect(result.status == 0)
        #expect(result.check == "python-abi-mismatch")
        #expect(result.path == "pgdriver/_core.so")
        #expect(result.summary.contains("UCS4") && result.summary.contains("Python 2"), "\(result.summary)")
        #expect(result.fix.contains("--python-version 3.12") && !result.fix.contains("Ship the library"), "\(result.fix)")
    }

    // MARK: - A named file that is not where the text says

    /// node-canvas-lambda#14's family: an npm package installed in a layer without the addon it loads. Was "not in
    /// this deployment … or this log belongs to another artifact".
    @Test func aPackageInstalledWithoutItsAddon() throws {
        let function = try ExplainTests.folder(["index.js": "require('bufferutil');\n"])
        let layer = try ExplainTests.folder([
            "nodejs/node_modules/bufferutil/package.json": #"{"name": "bufferutil", "version": "4.0.8"}"#,
            "nodejs/node_modules/bufferutil/index.js": "module.exports = require('./build/Release/bufferutil.node');\n",
        ])
        let result = try ExplainLocationsTests.explain(function, target: "aws-lambda-nodejs22.x-x86_64",
            error: "Error: /opt/nodejs/node_modules/bufferutil/build/Release/bufferutil.node: cannot open shared object file: No such file or directory",
            layers: [layer])
        #expect(result.status == 0)
        #expect(result.explained)
        #expect(result.files == ["nodejs/node_modules/bufferutil"])
        #expect(result.summary.contains("bufferutil 4.0.8 is installed") && result.summary.contains("build/Release/bufferutil.node is not in it"), "\(result.summary)")
        #expect(result.fix.contains("npm install --os=linux --cpu=x64 --libc=glibc bufferutil@4.0.8"), "\(result.fix)")
    }

    /// Without the package either, the log may be another artifact's: still said so.
    @Test func anAbsentFileWithNothingNearIsNotExplained() throws {
        let function = try ExplainTests.folder(["index.js": "require('bufferutil');\n"])
        let result = try ExplainLocationsTests.explain(function, target: "aws-lambda-nodejs22.x-x86_64",
            error: "Error: /var/task/node_modules/bufferutil/build/Release/bufferutil.node: cannot open shared object file: No such file or directory")
        #expect(result.status == 1)
        #expect(!result.explained)
        #expect(result.summary.contains("another artifact"), "\(result.summary)")
    }

    /// aws-lambda-efs-samples#1's family: a layer's program at another folder than the one the code runs. Was "not in
    /// this deployment".
    @Test func aProgramPackagedInAnotherFolder() throws {
        let function = try ExplainTests.folder(["app.py": "import subprocess\n"])
        let layer = try ExplainTests.folder(["imagemagick/convert": Self.executable])
        let result = try ExplainLocationsTests.explain(function, target: "aws-lambda-python3.12-x86_64",
            error: "/bin/sh: /opt/bin/convert: No such file or directory", layers: [layer])
        #expect(result.status == 0)
        #expect(result.files == ["imagemagick/convert"])
        #expect(result.summary.contains("at /opt/imagemagick/convert"), "\(result.summary)")
        #expect(result.fix.contains("Move imagemagick/convert to bin/convert"), "\(result.fix)")
    }

    // MARK: - A package's own words for a compiled core that failed

    /// numpy ≥ 1.25's `Error importing numpy: you should not try to import numpy from its source directory`, raised
    /// when its C extension does not import. Was "not recognised".
    @Test func numpysSourceDirectoryErrorIsItsCompiledCore() throws {
        let text = "[ERROR] Runtime.ImportModuleError: Unable to import module 'app': Error importing numpy: you should not try to import numpy from\n        its source directory; please exit the numpy source tree, and relaunch\n        your python interpreter from there."
        #expect(ErrorText.signals(in: text) == [.unplacedModule("_multiarray_umath")])
        let function = try ExplainTests.folder([
            "app.py": "import numpy\n", "numpy/__init__.py": "", "numpy/_core/__init__.py": "",
            "numpy/_core/_multiarray_umath.cpython-313-darwin.so": "fixtures/bin/macho/_mod.cpython-313-darwin.so",
        ])
        let result = try ExplainLocationsTests.explain(function, target: "aws-lambda-python3.13-x86_64", error: text)
        #expect(result.status == 0)
        #expect(result.check == "darwin-binary")
        #expect(result.path == "numpy/_core/_multiarray_umath.cpython-313-darwin.so")
    }

    // MARK: - node-gyp-build

    /// node-argon2#421's family: a bundle (`loaded from: /var/task`) whose package's addon is in a layer. Was "not
    /// recognised".
    @Test func noNativeBuildBesideABundle() throws {
        let text = #"{"errorType":"Error","errorMessage":"No native build was found for platform=linux arch=x64 runtime=node abi=127 uv=1 libc=glibc node=22.11.0\n    loaded from: /var/task\n"}"#
        #expect(ErrorText.signals(in: text) == [.noNativeBuild(platform: "linux-x64")])
        let function = try ExplainTests.folder(["index.mjs": "// bundled\n"])
        let layer = try ExplainTests.folder(["nodejs/node_modules/bufferutil/prebuilds/linux-x64/bufferutil.node": "fixtures/bin/node/napi.node"])
        let result = try ExplainLocationsTests.explain(function, target: "aws-lambda-nodejs22.x-x86_64", error: text, layers: [layer])
        #expect(result.status == 0)
        #expect(result.files == ["nodejs/node_modules/bufferutil/prebuilds/linux-x64/bufferutil.node"])
        #expect(result.summary.contains("bundled") && result.summary.contains("bufferutil"), "\(result.summary)")
        #expect(result.fix.contains("--external:bufferutil") && result.fix.contains("bundling.nodeModules: ['bufferutil']"), "\(result.fix)")
    }

    /// The package folder named, with only another platform's prebuild: that file's own finding.
    @Test func noNativeBuildInAPackageWithAnotherPlatformsPrebuild() throws {
        let function = try ExplainTests.folder([
            "index.js": "require('leveldown');\n",
            "node_modules/leveldown/package.json": #"{"name": "leveldown", "version": "6.1.1"}"#,
            "node_modules/leveldown/prebuilds/darwin-x64+arm64/node.napi.node": "fixtures/bin/macho/_mod_universal2.cpython-313-darwin.so",
        ])
        let result = try ExplainLocationsTests.explain(function, target: "aws-lambda-nodejs22.x-x86_64",
            error: "Error: No native build was found for platform=linux arch=x64 runtime=node abi=127 uv=1 libc=glibc node=22.11.0\n    loaded from: /var/task/node_modules/leveldown")
        #expect(result.status == 0)
        #expect(result.check == "darwin-binary")
        #expect(result.path == "node_modules/leveldown/prebuilds/darwin-x64+arm64/node.napi.node")
    }

    // MARK: - .NET's probe list

    /// aws-lambda-dotnet#1724's family: the loader's line for each name .NET tried is one cause with the exception.
    /// Was one right explanation and one "another artifact" per probed name, exit 1.
    @Test func dotnetsProbeListIsOneCause() throws {
        let function = try ExplainTests.folder([
            "Reports.dll": "", "Reports.deps.json": "{}\n", "libe_sqlite3.so": "fixtures/bin/corpus/needs-libcrypt.so.1.so",
        ])
        let text = """
            System.DllNotFoundException: Unable to load shared library 'e_sqlite3' or one of its dependencies. In order to help diagnose loading problems, consider using a tool like strace. If you're using glibc, consider setting the LD_DEBUG environment variable:
            libcrypt.so.1: cannot open shared object file: No such file or directory
            /var/lang/bin/shared/Microsoft.NETCore.App/8.0.3/e_sqlite3.so: cannot open shared object file: No such file or directory
            /var/task/libe_sqlite3.so.so: cannot open shared object file: No such file or directory
            /var/task/e_sqlite3: cannot open shared object file: No such file or directory
            """
        let result = try Self.explanations(function, target: "aws-lambda-dotnet8-x86_64", error: text)
        #expect(result.status == 0)
        #expect(result.all.count == 1, "\(result.all.map { $0["summary"] ?? "" })")
        let root = result.all.first?["root_cause"] as? [String: Any]
        #expect(root?["check"] as? String == "missing-library")
        #expect(root?["path"] as? String == "libe_sqlite3.so")
    }

    // MARK: - Fixes by where the file came from

    /// serverless-python-requirements' `zip: true`: a member of `.requirements.zip`, extracted to /tmp/sls-py-req, is
    /// installed by the *.dist-info beside it in that archive. Was "installed by no package manager … rebuild it".
    @Test func aNestedRequirementsArchiveMemberIsItsWheels() throws {
        let function = try ExplainTests.folder(["handler.py": "import unzip_requirements\nimport pydantic_core\n", "unzip_requirements.py": ""])
        try ExplainHeldout3Tests.jar([
            "pydantic_core/__init__.py": "",
            "pydantic_core/_pydantic_core.cpython-39-x86_64-linux-gnu.so": "fixtures/bin/elf/_glibc228.cpython-311-x86_64-linux-gnu.so",
            "pydantic_core-2.18.2.dist-info/METADATA": "Metadata-Version: 2.1\nName: pydantic_core\nVersion: 2.18.2\n",
            "pydantic_core-2.18.2.dist-info/WHEEL": "Wheel-Version: 1.0\nTag: cp39-cp39-manylinux_2_28_x86_64\n",
        ], at: function + "/.requirements.zip")
        let result = try ExplainLocationsTests.explain(function, target: "aws-lambda-python3.9-x86_64",
            error: "Unable to import module 'handler': /lib64/libc.so.6: version `GLIBC_2.28' not found (required by /tmp/sls-py-req/pydantic_core/_pydantic_core.cpython-39-x86_64-linux-gnu.so)")
        #expect(result.status == 0)
        #expect(result.check == "glibc-too-new")
        #expect(result.path == ".requirements.zip!pydantic_core/_pydantic_core.cpython-39-x86_64-linux-gnu.so")
        #expect(result.fix.contains("manylinux2014") && !result.fix.contains("no package manager"), "\(result.fix)")
    }

    /// node-argon2#327's family: an npm package's musl build. Was "Rebuild it against glibc … or link it fully
    /// statically", with no npm line.
    @Test func anNpmPackagesMuslBuildIsReinstalledWithNpm() throws {
        let function = try ExplainTests.folder([
            "index.js": "require('bcrypt');\n",
            "node_modules/bcrypt/package.json": #"{"name": "bcrypt", "version": "5.1.1"}"#,
            "node_modules/bcrypt/lib/binding/napi-v3/bcrypt_lib.node": "fixtures/bin/elf/_musl.cpython-313-x86_64-linux-musl.so",
        ])
        let result = try ExplainLocationsTests.explain(function, target: "aws-lambda-nodejs22.x-x86_64",
            error: "Error: Error loading shared library libc.musl-x86_64.so.1: No such file or directory (needed by /var/task/node_modules/bcrypt/lib/binding/napi-v3/bcrypt_lib.node)")
        #expect(result.status == 0)
        #expect(result.check == "musl-binary")
        #expect(result.path == "node_modules/bcrypt/lib/binding/napi-v3/bcrypt_lib.node")
        #expect(result.fix.contains("npm install --os=linux --cpu=x64 --libc=glibc bcrypt@5.1.1"), "\(result.fix)")
    }

    /// cfn-ecr-aws-soci-index-builder#51's family: go1.x's handler binary in a provided runtime's ZIP. Was "there is
    /// no bootstrap", without the file to rename.
    @Test func aBootstrapLessFunctionsExecutableIsNamed() throws {
        let function = try ExplainTests.folder(["handler": Self.executable])
        let result = try ExplainLocationsTests.explain(function, target: "aws-lambda-provided.al2023-x86_64",
            error: "Error: Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap] Runtime.InvalidEntrypoint")
        #expect(result.status == 0)
        #expect(result.files == ["handler"])
        #expect(result.summary.contains("its native executable is named handler"), "\(result.summary)")
        #expect(result.fix.contains("Rename handler to bootstrap"), "\(result.fix)")
    }
}
