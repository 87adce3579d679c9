import Foundation
@testable import ShiplintChecks
import ShiplintTargets
import Testing

/// The families the third held-out set (Tests/corpus/heldout3) found wrong or half right on main b46f3c2, each as a
/// user meets it with an artifact built here (none of the set's own files): .NET libraries loaded by name that no
/// build ships, ICU on a runtime without it, .NET JSON logs, a library the deployment has where the loader does not
/// look (java.library.path, LD_LIBRARY_PATH), a JNI library extracted to /tmp, a platform package's inner dlopen
/// error, and fixes spoken for what the file is.
@Suite struct ExplainHeldout3Tests {
    typealias Explained = ExplainLocationsTests.Explained
    static let x86 = "fixtures/bin/elf/_clean.cpython-312-x86_64-linux-gnu.so"

    /// A JAR (a ZIP) holding `files` (fixture paths or text), written by Python's zipfile.
    static func jar(_ files: [String: String], at path: String) throws {
        let script = """
            import sys, json, zipfile
            files = json.loads(sys.argv[2])
            with zipfile.ZipFile(sys.argv[1], "w") as z:
                for name, source in sorted(files.items()):
                    z.writestr(name, open(sys.argv[3] + "/" + source, "rb").read() if source.startswith("fixtures/") else source)
            """
        let json = String(decoding: try JSONSerialization.data(withJSONObject: files), as: UTF8.self)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let python = try runProgram("/usr/bin/env", ["python3", "-c", script, path, json, Repository.root])
        try #require(python.status == 0, "python3 is needed to build this case: \(python.stderr)")
    }

    // MARK: - What .NET loads by name

    /// DNTCaptcha.Core#101's family (System.Drawing's libgdiplus): a library no build in the deployment ships and the
    /// runtime lacks. Was "no liblibgdiplus.so is in this deployment … or this log belongs to another artifact".
    @Test func aDotnetLibraryNoBuildShipsIsLoadedByName() throws {
        let function = try ExplainTests.folder(["Report.dll": "", "Report.deps.json": "{}\n", "DinkToPdf.dll": ""])
        let result = try ExplainLocationsTests.explain(function, target: "aws-lambda-dotnet8-x86_64",
            error: "System.DllNotFoundException: Unable to load shared library 'libwkhtmltox' or one of its dependencies. In order to help diagnose loading problems, consider setting the LD_DEBUG environment variable: liblibwkhtmltox: cannot open shared object file: No such file or directory")
        #expect(result.status == 0)
        #expect(result.explained)
        #expect(result.summary.contains("libwkhtmltox is loaded by name at run time") && result.summary.contains("no libwkhtmltox.so is in the deployment"), "\(result.summary)")
        #expect(result.fix.contains("runtimes/linux-x64/native") && result.fix.contains("/opt/lib"), "\(result.fix)")
        #expect(!result.fix.contains("pip"))
    }

    /// The runtime's own library (OpenSSL 3 on Amazon Linux 2023) is not the cause: the log is another artifact's.
    @Test func aDotnetLibraryTheRuntimeHasIsNotExplained() throws {
        let function = try ExplainTests.folder(["Function.dll": "", "Function.deps.json": "{}\n"])
        let result = try ExplainLocationsTests.explain(function, target: "aws-lambda-dotnet8-x86_64",
            error: "Unable to load shared library 'libssl' or one of its dependencies.")
        #expect(result.status == 1)
        #expect(!result.explained)
        #expect(result.summary.contains("is the runtime's own"), "\(result.summary)")
    }

    /// .NET's JSON console logger: quotes as \u0027, the message under `Message`. Was "not recognised".
    @Test(arguments: [
        #"{"EventId":1,"LogLevel":"Error","Message":"Unable to load shared library 'e_sqlite3' or one of its dependencies."}"#,
        #"{"EventId":1,"Message":"System.DllNotFoundException: Unable to load shared library \u0027e_sqlite3\u0027 or one of its dependencies.\n"#,
        #"Unable to load shared library \u0027e_sqlite3\u0027 or one of its dependencies"#,
    ])
    func dotnetJSONLogsAreRead(_ text: String) {
        #expect(ErrorText.signals(in: text) == [.dotnetNative(library: "e_sqlite3")])
    }

    @Test func unicodeEscapesOutsideJSONAreDecoded() {
        #expect(ErrorText.unicodeEscapesDecoded(#"a \u0027b\u0027 \u003E c"#) == "a 'b' > c")
        // Not four hex digits, or cut at the end: kept as written.
        #expect(ErrorText.unicodeEscapesDecoded(#"\u12G4 and \u00"#) == #"\u12G4 and \u00"#)
    }

    // MARK: - ICU

    /// aws-lambda-powershell-runtime#33's family: a .NET program on provided.al2023, whose image has no ICU. Was "not
    /// recognised".
    @Test func icuMissingOnAnOSOnlyRuntime() throws {
        let function = try ExplainTests.folder(["bootstrap": "#!/bin/sh\nexec ./MyApp\n", "MyApp.dll": "", "MyApp.runtimeconfig.json": "{}\n"])
        let text = "Process terminated. Couldn't find a valid ICU package installed on the system. Please install libicu (or icu-libs) using your package manager and try again."
        let result = try ExplainLocationsTests.explain(function, target: "aws-lambda-provided.al2023-arm64", error: text)
        #expect(result.status == 0)
        #expect(result.summary.contains("ICU") && result.summary.contains("neither in the deployment nor"), "\(result.summary)")
        #expect(result.fix.contains("InvariantGlobalization") && result.fix.contains("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1"), "\(result.fix)")
        // Amazon Linux 2 has ICU 50: the log is not this runtime's.
        let al2 = try ExplainLocationsTests.explain(function, target: "aws-lambda-provided.al2-x86_64", error: text)
        #expect(al2.status == 1 && !al2.explained)
        #expect(al2.summary.contains("has ICU (libicuuc.so.50)"), "\(al2.summary)")
    }

    /// ICU shipped in a layer, in a folder the loader does not search: that copy is named.
    @Test func icuShippedOutsideTheLoaderPath() throws {
        let function = try ExplainTests.folder(["bootstrap": "#!/bin/sh\nexec ./MyApp\n"])
        let layer = try ExplainTests.folder(["icu/libicuuc.so.72": Self.x86, "icu/libicui18n.so.72": Self.x86])
        let result = try ExplainLocationsTests.explain(function, target: "aws-lambda-provided.al2023-x86_64",
            error: "Couldn't find a valid ICU package installed on the system.", layers: [layer])
        #expect(result.status == 0)
        #expect(result.files == ["icu/libicuuc.so.72"])
        #expect(result.summary.contains("/opt/icu/libicuuc.so.72, in no folder the loader searches"), "\(result.summary)")
    }

    // MARK: - A copy the loader does not see

    /// pyodbc-mssql-lambda-layer#5's family: the library is in the deployment, outside LD_LIBRARY_PATH's folders. Was
    /// "needs libpq.so.5, which is neither in the deployment nor …", naming only the module.
    @Test func aLinkedLibraryPackagedOutsideTheLoaderPath() throws {
        let function = try ExplainTests.folder([
            "app.py": "import pgmod\n", "pgmod.cpython-312-x86_64-linux-gnu.so": "fixtures/bin/corpus/needs-libpq.so.5.so",
            "lib64/libpq.so.5": "fixtures/bin/elf/libfoo.so.1",
        ])
        let result = try ExplainLocationsTests.explain(function, target: "aws-lambda-python3.12-x86_64",
            error: "Unable to import module 'app': libpq.so.5: cannot open shared object file: No such file or directory")
        #expect(result.status == 0)
        #expect(result.check == "missing-library")
        #expect(result.files.contains("lib64/libpq.so.5"), "\(result.files)")
        #expect(result.summary.contains("/var/task/lib64/libpq.so.5") && result.summary.contains("in no folder the loader searches"), "\(result.summary)")
        #expect(result.fix.hasPrefix("Move libpq.so.5"), "\(result.fix)")
    }

    /// The SAP monitor's family: `no X in java.library.path` with libX.so in a folder not on it (a layer's java/lib/,
    /// which is the classpath). Was "finds no libX.so … with a problem".
    @Test func aJNILibraryOutsideJavaLibraryPath() throws {
        let function = try ExplainTests.folder(["com/example/Handler.class": ""])
        let layer = try ExplainTests.folder(["java/lib/libsqlite4java-linux-amd64.so": Self.x86])
        let text = "java.lang.UnsatisfiedLinkError: no sqlite4java-linux-amd64 in java.library.path: [/var/lang/lib, /lib64, /usr/lib64, /var/runtime, /var/runtime/lib, /var/task, /var/task/lib, /opt/lib]"
        let result = try ExplainLocationsTests.explain(function, target: "aws-lambda-java21-x86_64", error: text, layers: [layer])
        #expect(result.status == 0)
        #expect(result.files == ["java/lib/libsqlite4java-linux-amd64.so"])
        #expect(result.summary.contains("a folder not on java.library.path"), "\(result.summary)")
        #expect(result.fix.contains("/opt/lib"), "\(result.fix)")
        // In the layer's lib/ it is found, and loads: not this artifact's log.
        let found = try ExplainTests.folder(["lib/libsqlite4java-linux-amd64.so": Self.x86])
        let loads = try ExplainLocationsTests.explain(function, target: "aws-lambda-java21-x86_64", error: text, layers: [found])
        #expect(loads.status == 1 && !loads.explained)
    }

    /// netty-tcnative#80's family: the JVM loads a JNI library from a /tmp copy of a JAR member, and that member links
    /// a library the runtime lacks. Was "loaded by name at run time (no binary links it)" with a wheel's fix.
    @Test func aJNILibraryExtractedToTmpNeedsALibrary() throws {
        let function = try ExplainTests.folder(["com/example/Handler.class": ""])
        try Self.jar(["META-INF/native/librocksdbjni-linux64.so": "fixtures/bin/corpus/needs-libssl.so.1.1.so", "org/rocksdb/RocksDB.class": ""],
                     at: function + "/lib/rocksdbjni-7.0.jar")
        let result = try ExplainLocationsTests.explain(function, target: "aws-lambda-java21-x86_64",
            error: "java.lang.UnsatisfiedLinkError: /tmp/librocksdbjni-linux648551335207917387523.so: libssl.so.1.1: cannot open shared object file: No such file or directory")
        #expect(result.status == 0)
        #expect(result.files == ["lib/rocksdbjni-7.0.jar!META-INF/native/librocksdbjni-linux64.so"], "\(result.files)")
        #expect(result.summary.contains("extracts to /tmp") && result.summary.contains("needs libssl.so.1.1"), "\(result.summary)")
        #expect(!result.fix.contains("wheel") && result.fix.contains("/opt/lib"), "\(result.fix)")
        // rocksdb names its copies `-linux64` / `-linux-aarch64`: the x86_64 one is the JVM's pick, judged by
        // missing-library, and that finding is the root cause.
        #expect(result.check == "missing-library" && result.path == "lib/rocksdbjni-7.0.jar!META-INF/native/librocksdbjni-linux64.so", "\(result.explanation)")
    }

    // MARK: - A platform package whose addon cannot load

    /// image-optimization#55's family: sharp's message wraps the loader's; the platform package is installed, the
    /// library its addon links is not. Was "@img/sharp-linux-x64 is installed", not explained.
    @Test func theInnerDlopenErrorOfAnInstalledPlatformPackage() throws {
        let function = try ExplainTests.folder([
            "index.mjs": "import sharp from 'sharp';\n", "node_modules/sharp/package.json": #"{"name": "sharp", "version": "0.34.1"}"#,
            "node_modules/@img/sharp-linux-x64/package.json": #"{"name": "@img/sharp-linux-x64", "version": "0.34.1"}"#,
            "node_modules/@img/sharp-linux-x64/lib/sharp-linux-x64.node": "fixtures/bin/corpus/needs-libvips-cpp.so.42.so",
        ])
        let result = try ExplainLocationsTests.explain(function, target: "aws-lambda-nodejs22.x-x86_64",
            error: #"Error: Could not load the "sharp" module using the linux-x64 runtime\nERR_DLOPEN_FAILED: libvips-cpp.so.42: cannot open shared object file: No such file or directory"#)
        #expect(result.status == 0)
        #expect(result.check == "missing-library")
        #expect(result.path == "node_modules/@img/sharp-linux-x64/lib/sharp-linux-x64.node")
        #expect(result.fix.contains("npm install --os=linux --cpu=x64") && !result.fix.contains("wheel"), "\(result.fix)")
    }

    // MARK: - Fixes for what the file is

    /// aws-lambda-layer-awscli#5's family: a Python interpreter (an executable) copied without libpython. Was "do not
    /// link the extension against libpython", advice for a module.
    @Test func anInterpreterWithoutLibpythonIsNotAnExtension() throws {
        let function = try ExplainTests.folder(["index.js": "exports.handler = async () => 1;\n"])
        let layer = try ExplainTests.folder(["tool/bin/python": "fixtures/bin/corpus/python-needs-libpython2.7.so.1.0"])
        try ExplainLocationsTests.chmod(layer, "tool/bin/python", 0o755)
        let result = try ExplainLocationsTests.explain(function, target: "aws-lambda-nodejs20.x-x86_64",
            error: "/opt/tool/bin/python: error while loading shared libraries: libpython2.7.so.1.0: cannot open shared object file: No such file or directory", layers: [layer])
        #expect(result.status == 0)
        #expect(result.path == "tool/bin/python")
        #expect(result.fix.contains("Python interpreter, or embeds one") && !result.fix.contains("Do not link"), "\(result.fix)")
    }

    /// seek-oss/serverless-haskell#108's family: a program in a Node.js function; the bundled build it may use is not
    /// a wheel. Was "… (a manylinux wheel repaired with auditwheel)".
    @Test func aMissingLibraryOfAProgramIsNotAWheelsFix() throws {
        let function = try ExplainTests.folder(["index.js": "", "server": "fixtures/bin/corpus/needs-libldap_r-2.4.so.2.so"])
        let result = try ExplainLocationsTests.explain(function, target: "aws-lambda-nodejs20.x-x86_64",
            error: "error while loading shared libraries: libldap_r-2.4.so.2: cannot open shared object file: No such file or directory")
        #expect(result.status == 0)
        #expect(result.check == "missing-library")
        #expect(!result.fix.contains("wheel") && result.fix.contains("/opt/lib"), "\(result.fix)")
    }

    /// cffi's `_cffi_backend` and PyGreSQL's `_pg` are single-file modules at the top: their `*.dist-info` owns them
    /// even with an empty RECORD. Was "installed by no package manager … no pip line replaces it".
    @Test func aTopLevelModuleBelongsToItsDistribution() throws {
        let function = try ExplainTests.folder([
            "app.py": "import cffi\n", "_cffi_backend.cpython-310-x86_64-linux-gnu.so": Self.x86,
            "cffi/__init__.py": "", "cffi-1.17.1.dist-info/METADATA": "Metadata-Version: 2.1\nName: cffi\nVersion: 1.17.1\n",
            "cffi-1.17.1.dist-info/RECORD": "",
        ])
        let result = try ExplainLocationsTests.explain(function, target: "aws-lambda-python3.13-x86_64",
            error: "ModuleNotFoundError: No module named '_cffi_backend'")
        #expect(result.status == 0)
        #expect(result.check == "python-abi-mismatch")
        #expect(result.fix.contains("cffi==1.17.1") && !result.fix.contains("no package manager"), "\(result.fix)")
    }
}
