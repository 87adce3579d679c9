import Foundation
import ShiplintFacts
import ShiplintTargets
import Testing

/// `shiplint targets capture` and `targets diff` on this machine, each fact checked against the real program that
/// knows it (confstr through `getconf`, `uname -m`, readelf, the interpreter itself).
@Suite(.serialized) struct CaptureTests {
    /// One capture of this machine for the whole suite (reading every library of the loader's folders takes seconds).
    static let captured: (path: String, status: Int32, stderr: String) = {
        let path = Scratch.url("shiplint-capture", suffix: ".toml").path
        let result = try? Shiplint.run(["targets", "capture", "--output", path])
        return (path, result?.status ?? -1, result?.stderr ?? "did not run")
    }()

    static func program(_ name: String, _ arguments: [String]) -> String? {
        for folder in ["/usr/local/bin", "/usr/bin", "/bin"] where FileManager.default.isExecutableFile(atPath: "\(folder)/\(name)") {
            guard let result = try? runProgram("\(folder)/\(name)", arguments), result.status == 0 else { return nil }
            return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return nil
    }

    @Test func captureLoadsAsATargetAndSaysWhatTheSystemSays() throws {
        #expect(Self.captured.status == 0, "capture failed: \(Self.captured.stderr)")
        let target = try TargetCatalog.builtIn.load(Self.captured.path)
        let machine = try #require(Self.program("uname", ["-m"]))
        #expect(target.platform.arch.rawValue == machine)
        let libc = try #require(Self.program("getconf", ["GNU_LIBC_VERSION"]))  // "glibc 2.36"
        #expect("glibc \(target.platform.libcVersion)" == libc)
        #expect(target.libraries.present.contains("libc.so.6"))
        // The version nodes written for libc.so.6 are those readelf reads from the file the loader maps.
        let libcPath = try #require(["/lib/\(machine)-linux-gnu/libc.so.6", "/lib64/libc.so.6", "/usr/lib64/libc.so.6"]
            .first { FileManager.default.fileExists(atPath: $0) })
        let definitions = try #require(Self.program("readelf", ["-V", "-W", libcPath]))
        var readelfNodes = Set<String>()
        var inDefinitions = false
        for line in definitions.split(separator: "\n") {
            if line.hasPrefix("Version definition section") { inDefinitions = true } else if line.hasPrefix("Version ") { inDefinitions = false }
            if inDefinitions, line.contains("Name:"), !line.contains("Flags: BASE"), let name = line.components(separatedBy: "Name:").last?.split(separator: " ").first {
                readelfNodes.insert(String(name))
            }
        }
        let provided = try #require(target.libraries.provided.first { $0.soname == "libc.so.6" })
        #expect(Set(provided.versionNodes) == readelfNodes)
        #expect(provided.symbols == "glibc-\(machine)")
        #expect(provided.release == target.platform.libcVersion.description)
    }

    @Test func capturedRuntimesAreWhatTheInterpretersSay() throws {
        let target = try TargetCatalog.builtIn.load(Self.captured.path)
        if let version = Self.program("python3", ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"]) {
            let python = try #require(target.python, "python3 is on PATH but the capture has no [python]")
            #expect(python.version.description == version)
            let suffixes = try #require(Self.program("python3", ["-c", "import importlib.machinery as m; print(' '.join(m.EXTENSION_SUFFIXES))"]))
            #expect(python.extensionSuffixes.joined(separator: " ") == suffixes)
            let exports = try #require(python.exports)
            #expect(exports.contains("PyModule_Create2") && exports.contains("PyObject_GetBuffer"))
            // The object that defines the API (the libpython it maps, else the executable) has a PT_TLS or not, as
            // readelf shows its program headers.
            let script = "import sys\nlib = [l.split()[-1] for l in open('/proc/self/maps') if '/libpython3' in l]\nprint(lib[0] if lib else sys.executable)"
            if let file = Self.program("python3", ["-c", script]), let headers = Self.program("readelf", ["-lW", file]) {
                #expect(python.tlsSegment == headers.contains(" TLS "), "\(file)")
            }
        }
        if let modules = Self.program("node", ["-p", "process.versions.modules"]) {
            let node = try #require(target.node, "node is on PATH but the capture has no [node]")
            #expect(node.moduleVersion.map(String.init) == modules)
            #expect(node.napiVersion.map(String.init) == Self.program("node", ["-p", "process.versions.napi"]))
        }
    }

    @Test func diffAgainstABuiltInTargetNamesTheGlibcAndExitsOne() throws {
        let target = try TargetCatalog.builtIn.load(Self.captured.path)
        let result = try Shiplint.run(["targets", "diff", Self.captured.path, "aws-lambda-python3.11-x86_64"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("glibc: captured \(target.platform.libcVersion), aws-lambda-python3.11-x86_64 2.26"))
        // A capture compared with itself: nothing differs, exit 0.
        let same = try Shiplint.run(["targets", "diff", Self.captured.path, Self.captured.path])
        #expect(same.status == 0, "\(same.stdout)")
        #expect(same.stdout.contains("no difference"))
        // Against a missing target: exit 2 naming it.
        let missing = try Shiplint.run(["targets", "diff", Self.captured.path, "aws-lambda-python9.9-x86_64"])
        #expect(missing.status == 2)
    }

    @Test func captureIsLoadableAsScanTarget() throws {
        // A clean cp311 module built by the fixture recipe against the captured host: no error.
        let result = try Shiplint.run(["scan", Repository.fixture("artifacts/function-clean.zip"), "--target", Self.captured.path, "--format", "json"])
        #expect(result.status == 0 || result.status == 1, "\(result.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect((report?["target"] as? [String: Any])?["name"] as? String == (try TargetCatalog.builtIn.load(Self.captured.path)).name)
    }

    @Test func ruleTextFromFactsBuiltInCode() throws {
        let capture = SystemCapture(
            osRelease: ["PRETTY_NAME": "Amazon Linux 2023.6.20250107", "ID": "amzn", "VERSION_ID": "2023"], machine: "aarch64",
            glibcVersion: "2.34", libraryPath: ["/var/lang/lib", "/lib64", "/usr/lib64", "/var/task", "/opt/lib"],
            loaderDirectories: ["/lib64", "/usr/lib64"],
            libraries: [
                .init(directory: "/var/lang/lib", fileName: "libssl.so.3", soname: "libssl.so.3", versionNodes: ["OPENSSL_3.0.0"]),
                .init(directory: "/lib64", fileName: "libc.so.6", soname: "libc.so.6", versionNodes: ["GLIBC_2.17", "GLIBC_2.34"]),
                .init(directory: "/var/task", fileName: "libmine.so", soname: "libmine.so", versionNodes: ["MINE_1"]),
            ],
            python: .init(version: "3.12", extensionSuffixes: [".cpython-312-aarch64-linux-gnu.so", ".abi3.so", ".so"],
                          executable: "/var/lang/bin/python3.12", library: "/var/lang/lib/libpython3.12.so.1.0", exports: ["PyList_New", "Py_Initialize"]),
            node: nil, taskRoot: "/var/task")
        let text = try CapturedTarget.ruleText(capture)
        #expect(try CapturedTarget.ruleText(capture) == text, "the same capture must give the same bytes")
        let file = Scratch.url("shiplint-capture-code", suffix: ".toml").path
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let target = try TargetCatalog.builtIn.load(file)
        #expect(target.name == "captured-amzn-2023-aarch64")
        #expect(target.platform.arch == .aarch64 && target.platform.libcVersion.description == "2.34")
        #expect(target.platform.runtime == "python3.12")
        #expect(target.libraries.os == ["libc.so.6"])
        #expect(target.libraries.runtime == ["libssl.so.3"])  // /var/task is the deployment's, not the runtime's
        #expect(target.libraries.provided.map(\.soname) == ["libssl.so.3", "libc.so.6"])
        #expect(target.libraries.provided[0].symbols == nil && target.libraries.provided[1].symbols == "glibc-aarch64")
        #expect(target.python?.exports == ["PyList_New", "Py_Initialize"])
        #expect(target.package?.taskRoot == "/var/task")
        #expect(throws: TargetError.self) { try CapturedTarget.ruleText(SystemCapture(
            osRelease: [:], machine: "riscv64", glibcVersion: nil, libraryPath: [], loaderDirectories: [], libraries: [], python: nil, node: nil, taskRoot: nil)) }
    }

    @Test func aProvidedLibraryNamingAnUnknownTableIsRefused() throws {
        let file = Scratch.url("shiplint-provides", suffix: ".toml").path
        try """
            schema = 1
            name = "t"
            description = "t"
            extends = "aws-lambda-python3.12-x86_64"
            [[libraries.provides]]
            soname = "libfoo.so.1"
            directory = "/var/lang/lib"
            symbols = "libfoo-x86_64"
            """.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        #expect(throws: TargetError.self) { try TargetCatalog.builtIn.load(file) }
    }
}
