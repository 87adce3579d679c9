import Foundation
import ShiplintChecks
@testable import ShiplintPolicy
import Testing

/// `.shiplint.toml`: strict loading (errors name the file and key path), globs, and what it does to a scan.
@Suite struct ConfigTests {
    // MARK: Globs

    @Test(arguments: [
        ("pkg/*.so", "pkg/_x.so", true),
        ("pkg/*.so", "pkg/sub/_x.so", false),
        ("pkg/**/*.so", "pkg/_x.so", true),
        ("pkg/**/*.so", "pkg/a/b/_x.so", true),
        ("**", "", true),
        ("**/*.pyd", "pydantic_core/_pydantic_core.cp313-win_amd64.pyd", true),
        ("*.pyd", "pydantic_core/_pydantic_core.cp313-win_amd64.pyd", false),
        ("lib?.so", "libx.so", true),
        ("lib[a-c].so", "libd.so", false),
        ("lib[!a-c].so", "libd.so", true),
        ("layer.zip!python/*", "layer.zip!python/x.so", true),
        ("a\\*b", "a*b", true),
        ("a\\*b", "axb", false),
    ])
    func globMatches(pattern: String, path: String, expected: Bool) throws {
        #expect(try PathGlob(pattern).matches(path) == expected)
    }

    @Test(arguments: ["", "a/[b", "a**/b", "trailing\\", "[z-a]"])
    func badGlobIsAnError(_ pattern: String) {
        #expect(throws: PathGlob.SyntaxError.self) { try PathGlob(pattern) }
    }

    // MARK: Strict loading

    @Test(arguments: [
        ("nonsense = 1", "x.toml: at 'nonsense': unknown key (allowed here: fail-on, ignore, layers, severity, target, version)"),
        ("version = 2", "x.toml: at 'version': unsupported version 2 (this shiplint reads version = 1)"),
        ("target = 3", "x.toml: at 'target': expected a string, found an integer"),
        ("layers = [\"a.zip\", 1]", "x.toml: at 'layers[1]': expected a string, found an integer"),
        ("fail-on = \"sometimes\"", "x.toml: at 'fail-on': 'sometimes' is not one of error, warning, never"),
        ("[severity]\nno-such-check = \"off\"", "x.toml: at 'severity.no-such-check': unknown check 'no-such-check' (`shiplint checks` lists them)"),
        ("[severity]\nexec-stack = \"fatal\"", "x.toml: at 'severity.exec-stack': 'fatal' is not one of error, warning, note, off"),
        ("[[ignore]]\ncheck = \"exec-stack\"\npath = \"*.so\"", "x.toml: at 'ignore[0].reason': missing key (an ignore needs check, path and reason)"),
        ("[[ignore]]\ncheck = \"exec-stack\"\npath = \"*.so\"\nreason = \" \"", "x.toml: at 'ignore[0].reason': empty; say why this finding is acceptable"),
        ("[[ignore]]\ncheck = \"nope\"\npath = \"*.so\"\nreason = \"r\"", "x.toml: at 'ignore[0].check': unknown check 'nope' (`shiplint checks` lists them)"),
        ("[[ignore]]\ncheck = \"exec-stack\"\npath = \"a/[b\"\nreason = \"r\"", "x.toml: at 'ignore[0].path': bad glob 'a/[b': '[' has no closing ']'"),
        ("[[ignore]]\ncheck = \"exec-stack\"\npath = \"*\"\nreason = \"r\"\nartifact = \"x**\"", "x.toml: at 'ignore[0].artifact': bad glob 'x**': '**' must be a whole path segment (as in 'a/**/b')"),
        ("[[ignore]]\ncheck = \"exec-stack\"\npath = \"*\"\nreason = \"r\"\nwhy = \"w\"", "x.toml: at 'ignore[0].why': unknown key (allowed here: artifact, check, path, reason)"),
    ])
    func badConfigurationNamesFileAndKey(text: String, message: String) {
        #expect(throws: ConfigurationError.self) { try ProjectConfiguration.parse(text, file: "x.toml") }
        do {
            _ = try ProjectConfiguration.parse(text, file: "x.toml")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func syntaxErrorHasLineAndColumn() {
        do {
            _ = try ProjectConfiguration.parse("target = \n", file: "x.toml")
            Issue.record("parsed")
        } catch {
            #expect(error.description.hasPrefix("x.toml: line 1, column"))
        }
    }

    @Test func pathsAreTakenFromTheConfigurationsFolder() throws {
        let text = "target = \"rules/custom.toml\"\nlayers = [\"build/layer.zip\", \"/abs/l.zip\"]\n"
        let nested = try ProjectConfiguration.parse(text, file: "../../.shiplint.toml")
        #expect(nested.target == "../../rules/custom.toml")
        #expect(nested.layers == ["../../build/layer.zip", "/abs/l.zip"])
        let here = try ProjectConfiguration.parse("target = \"aws-lambda-python3.13-x86_64\"\nlayers = [\"build/layer.zip\"]", file: ".shiplint.toml")
        #expect(here.target == "aws-lambda-python3.13-x86_64")
        #expect(here.layers == ["build/layer.zip"])
    }

    @Test func severityOffRemovesTheCheckAndOthersChangeIt() throws {
        let configuration = try ProjectConfiguration.parse("[severity]\nexec-stack = \"error\"\nwindows-binary = \"off\"\n", file: "x.toml")
        let policy = ScanPolicy(configuration: configuration)
        let checks = policy.checks()
        #expect(!checks.contains { $0.id == "windows-binary" })
        // The check keeps its own default; the judge gives its findings the project's severity.
        #expect(checks.first { $0.id == "exec-stack" }.map { ($0.defaultSeverity, policy.severity(of: $0)) } ?? (.note, .note) == (.warning, .error))
        #expect(checks.count == CheckRegistry.all.count - 1)
    }

    // MARK: End to end

    @Test func discoveredConfigurationSetsTargetSeverityAndIgnores() throws {
        let project = try ScratchProject()
        try project.write(".shiplint.toml", """
            target = "aws-lambda-python3.13-x86_64"
            [severity]
            python-abi-mismatch = "warning"
            wheel-tag-mismatch = "off"
            [[ignore]]
            check = "windows-binary"
            path = "pydantic_core/*.pyd"
            reason = "tested elsewhere"
            [[ignore]]
            check = "exec-stack"
            path = "**/gone.so"
            reason = "stale entry"
            """)
        try project.copyFixture("function-windows.zip", to: "build/function.zip")
        try project.makeFolder("build/sub")
        // Found from a folder below, its paths taken from its own folder.
        let result = try project.run(["scan", "../function.zip", "--format", "json"], in: "build/sub")
        #expect(result.status == 0, "python-abi-mismatch is a warning now and windows-binary is ignored")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let findings = ((json["artifacts"] as? [[String: Any]])?.first?["findings"] as? [[String: Any]]) ?? []
        #expect(findings.map { $0["check"] as? String } == ["python-abi-mismatch"])
        #expect(findings.first?["severity"] as? String == "warning")
        let configuration = try #require((json["configuration"] as? [String: Any])?["findings"] as? [[String: Any]])
        #expect(configuration.count == 1)
        #expect(configuration.first?["check"] as? String == "unmatched-ignore")
        #expect(configuration.first?["file"] as? String == "../../.shiplint.toml")
        #expect((configuration.first?["message"] as? String)?.hasPrefix("ignore[1] (check exec-stack") == true)
        // Options override the file.
        let strict = try project.run(["scan", "../function.zip", "--fail-on", "warning"], in: "build/sub")
        #expect(strict.status == 1)
        let other = try project.run(["scan", "../function.zip", "--target", "aws-lambda-python3.12-x86_64", "--format", "json"], in: "build/sub")
        #expect(other.stdout.contains("\"name\": \"aws-lambda-python3.12-x86_64\""))
        // --no-config: the defaults again.
        let plain = try project.run(["scan", "function.zip", "--no-config", "--target", "aws-lambda-python3.13-x86_64"], in: "build")
        #expect(plain.status == 1)
        #expect(plain.stdout.contains("error[windows-binary]"))
    }

    @Test func brokenConfigurationIsExitTwo() throws {
        let project = try ScratchProject()
        try project.write("policy.toml", "target = \"aws-lambda-python3.13-x86_64\"\n[severity]\nwindows-binaries = \"off\"\n")
        try project.copyFixture("function-clean.zip", to: "function.zip")
        let result = try project.run(["scan", "function.zip", "--config", "policy.toml"])
        #expect(result.status == 2)
        #expect(result.stderr == "shiplint: error: policy.toml: at 'severity.windows-binaries': unknown check 'windows-binaries'; did you mean 'windows-binary'? (`shiplint checks` lists them)\n")
        #expect(result.stdout.isEmpty)
        let missingTarget = try project.run(["scan", "function.zip", "--no-config"])
        #expect(missingTarget.status == 2)
        #expect(missingTarget.stderr.contains("no target"))
    }

    @Test func layersComeFromTheConfiguration() throws {
        let project = try ScratchProject()
        try project.write(".shiplint.toml", "target = \"aws-lambda-python3.13-x86_64\"\nlayers = [\"layer.zip\"]\n")
        try project.copyFixture("layer-nested.zip", to: "layer.zip")
        let result = try project.run(["scan", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("\"role\": \"layer\""))
    }

    /// pre-commit passes every changed archive, a configured layer among them (issue 15): it is scanned once, as the layer.
    @Test func aConfiguredLayerNamedAsAnArtifactIsScannedOnce() throws {
        let project = try ScratchProject()
        try project.write(".shiplint.toml", "target = \"aws-lambda-python3.13-x86_64\"\nlayers = [\"build/layer.zip\"]\n")
        try project.copyFixture("function-windows.zip", to: "build/function.zip")
        try project.copyFixture("layer-nested.zip", to: "build/layer.zip")
        let result = try project.run(["scan", "build/function.zip", "./build/layer.zip", "--format", "json"])
        #expect(result.status == 1)
        #expect(result.stdout.components(separatedBy: "\"path\": \"build/layer.zip\"").count == 2, "\(result.stdout)")
        #expect(result.stdout.components(separatedBy: "\"role\": \"layer\"").count == 2)
        #expect(result.stderr.contains("./build/layer.zip is layer 1 of this scan; it is scanned once, as that layer"))
    }

    @Test func initWritesAStarterThatScansAndRefusesToOverwrite() throws {
        let project = try ScratchProject()
        let first = try project.run(["init", "--target", "aws-lambda-python3.13-x86_64"])
        #expect(first.status == 0)
        let text = try project.read(".shiplint.toml")
        let parsed = try ProjectConfiguration.parse(text, file: ".shiplint.toml")
        #expect(parsed.target == "aws-lambda-python3.13-x86_64")
        #expect(parsed.failOn == .error)
        for check in CheckRegistry.all { #expect(text.contains("#   \(check.id) ")) }
        let again = try project.run(["init", "--target", "aws-lambda-python3.12-x86_64"])
        #expect(again.status == 2)
        #expect(again.stderr == "shiplint: error: .shiplint.toml exists; --force replaces it\n")
        #expect(try project.read(".shiplint.toml") == text)
        let forced = try project.run(["init", "--target", "aws-lambda-python3.12-x86_64", "--force"])
        #expect(forced.status == 0)
        #expect(try project.read(".shiplint.toml").contains("target = \"aws-lambda-python3.12-x86_64\""))
        let unknown = try project.run(["init", "--target", "no-such-target", "--file", "other.toml"])
        #expect(unknown.status == 2)
        #expect(!FileManager.default.fileExists(atPath: project.path("other.toml")))
        try project.copyFixture("function-windows.zip", to: "function.zip")
        #expect(try project.run(["scan", "function.zip"]).status == 1)
    }
}

/// A scratch folder to run shiplint in, for configuration discovery and baseline files.
struct ScratchProject {
    let root: URL

    init() throws {
        root = Scratch.url("shiplint-project")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    func write(_ relative: String, _ text: String) throws {
        try text.write(toFile: path(relative), atomically: true, encoding: .utf8)
    }

    func read(_ relative: String) throws -> String { try String(contentsOfFile: path(relative), encoding: .utf8) }

    func makeFolder(_ relative: String) throws {
        try FileManager.default.createDirectory(atPath: path(relative), withIntermediateDirectories: true)
    }

    func copyFixture(_ name: String, to relative: String) throws {
        try makeFolder((relative as NSString).deletingLastPathComponent)
        try FileManager.default.copyItem(atPath: Repository.fixture("artifacts/" + name), toPath: path(relative))
    }

    /// Runs the shiplint binary with `arguments` in a folder of the project.
    func run(_ arguments: [String], in folder: String = "") throws -> CommandResult {
        try Shiplint.run(arguments, in: folder.isEmpty ? root.path : root.appendingPathComponent(folder).path)
    }
}
