import Foundation
@testable import ShiplintDeployments
import ShiplintFacts
import ShiplintChecks
import Testing

/// Reading deployment descriptors (fixtures/deployments/, see its README): what each format yields.
@Suite struct DescriptorReadingTests {
    static func project(_ relative: String) throws -> DeploymentProject {
        try #require(try DeploymentProject.read(Repository.fixture("deployments/" + relative)))
    }

    static func function(_ project: DeploymentProject, _ name: String) throws -> FunctionDescriptor {
        try #require(project.functions.first { $0.matches(name) }, "no \(name) in \(project.functions.map(\.name))")
    }

    @Test func samTemplateWithGlobalsTagsAndLayers() throws {
        let project = try Self.project("sam")
        #expect(project.format == .sam)
        #expect(project.file.hasSuffix("fixtures/deployments/sam/template.yaml"))
        #expect(project.functions.map(\.name) == [
            "DotnetFunction", "HelloFunction", "ImageFunction", "LoopFunction", "MissingFunction", "S3Function",
            "WrongHandlerFunction",
        ])
        let hello = try Self.function(project, "HelloFunction")
        #expect(hello.runtime == "python3.13")  // from Globals.Function
        #expect(hello.architecture == "arm64")
        #expect(hello.handler == "app.lambda_handler")
        #expect(hello.line == 27)
        #expect(hello.functionName == nil)  // !Sub depends on the deployment
        guard case .local(let code) = hello.code else { Issue.record("code \(hello.code)"); return }
        #expect(code.hasSuffix("fixtures/deployments/sam/hello"))
        // The function's own Layers come after the Globals' ones.
        #expect(hello.layers.map(\.name) == ["DepsLayer", "arn:aws:lambda:eu-west-1:123456789012:layer:shared:3", "arn:aws:lambda:eu-west-1:123456789012:layer:other:1"])
        #expect(hello.layers[0].compatibleRuntimes == ["python3.12"])
        #expect(hello.layers[0].compatibleArchitectures == ["x86_64"])
        guard case .local(let layerCode) = hello.layers[0].code, case .notLocal(let arnWhy) = hello.layers[1].code else {
            Issue.record("layers \(hello.layers)"); return
        }
        #expect(layerCode.hasSuffix("fixtures/deployments/sam/deps"))
        #expect(arnWhy.contains("named only by its ARN"))
        let wrong = try Self.function(project, "wrong-handler")  // by FunctionName
        #expect(wrong.name == "WrongHandlerFunction" && wrong.architecture == "x86_64" && wrong.layers.map(\.name) == ["DepsLayer"])
    }

    @Test func samShapesThatCannotBeChecked() throws {
        let project = try Self.project("sam")
        let image = try Self.function(project, "ImageFunction")
        #expect(image.packageType == "Image")
        #expect(image.code == .notLocal("it is a container image (PackageType Image)"))
        let s3 = try Self.function(project, "S3Function")
        #expect(s3.runtime == nil)
        #expect(s3.notes.contains { $0.hasPrefix("Runtime is {\"Fn::If\"") })
        guard case .notLocal(let s3Why) = s3.code else { Issue.record("S3 code read as local"); return }
        #expect(s3Why.contains("S3 object s3://my-bucket/code.zip"))
        guard case .notLocal(let missing) = try Self.function(project, "MissingFunction").code else { Issue.record("missing code read"); return }
        #expect(missing.contains("not-built/ does not exist"))
        let loop = try Self.function(project, "LoopFunction")
        #expect(loop.runtime == nil)
        #expect(loop.notes == ["Runtime is a cycle of Refs (LoopA → LoopB → LoopA)"])
        #expect(try Self.function(project, "DotnetFunction").runtime == "dotnet8")
    }

    @Test func cdkAssemblyWithNestedStageAndAssets() throws {
        let project = try Self.project("cdk")
        #expect(project.format == .cdk)
        #expect(project.functions.map(\.name) == [
            "Prod/Api/ArmFunction74350E25", "ShiplintFixture/ArmFunction74350E25",
            "ShiplintFixture/JobsNestedStackJobsNestedStackResource4FE929C3/JobFunction6C1CE46C", "ShiplintFixture/X86FunctionDB4E1A15",
        ])
        #expect(project.notes.isEmpty)
        // A function of a nested stack (its template is an asset) has the code of its own asset.
        let job = try Self.function(project, "JobFunction")
        #expect(job.file.hasSuffix("cdk.out/ShiplintFixtureJobs564827D0.nested.template.json"))
        #expect(job.code == .local(Repository.fixture("deployments/cdk/cdk.out/asset.a33de6d44d7632053d51068ff334582301a9ff93c3fdca4615a50bfe37b945ac")))
        let x86 = try Self.function(project, "ShiplintFixture/X86FunctionDB4E1A15")
        #expect(x86.functionName == "fixture-x86" && x86.runtime == "python3.12" && x86.architecture == "x86_64" && x86.handler == "app.handler")
        #expect(x86.code == .local(Repository.fixture("deployments/cdk/cdk.out/asset.a33de6d44d7632053d51068ff334582301a9ff93c3fdca4615a50bfe37b945ac")))
        let nested = try Self.function(project, "Prod/Api/ArmFunction74350E25")
        #expect(nested.architecture == "arm64" && nested.runtime == "python3.13")
        // `../asset.<hash>` from assembly-Prod: inside the top assembly.
        #expect(nested.code == .local(Repository.fixture("deployments/cdk/cdk.out/asset.86a159d1673383df6a436c2ad47036d94bf8163f182b0a88f0ff557c87f2bf51")))
        #expect(nested.layers.map(\.compatibleArchitectures) == [["x86_64", "arm64"]])
        #expect(nested.layers.first?.code == .local(Repository.fixture("deployments/cdk/cdk.out/asset.67abcdff3a9778dda96eb7375136fd76fa381043e921e079af3c041ef57eece2")))
        #expect(x86.matches("X86Function"), "the construct id selects the function")
        #expect(!x86.matches("X86"))
    }

    @Test func samNestedApplications() throws {
        let project = try Self.project("sam-nested")
        #expect(project.functions.map(\.name) == ["ChildApp/WorkerFunction"])
        let worker = try Self.function(project, "WorkerFunction")
        #expect(worker.code == .local(Repository.fixture("deployments/sam-nested/child/src")))
        #expect(worker.file.hasSuffix("sam-nested/child/template.yaml") && worker.line == 4)
        #expect(project.notes.count == 2)
        #expect(project.notes.first?.hasPrefix("nested AWS::Serverless::Application FromRepository") == true)
        #expect(project.notes.first?.hasSuffix("an application from the Serverless Application Repository") == true)
        #expect(project.notes.last?.contains("https://s3.amazonaws.com/bucket/remote.yaml, not in the project") == true)
    }

    @Test func serverlessState() throws {
        let project = try Self.project("serverless")
        #expect(project.format == .serverless)
        #expect(project.functions.map(\.name) == ["container", "hello", "legacy"])
        let hello = try Self.function(project, "shiplint-fixture-dev-hello")
        #expect(hello.runtime == "python3.12" && hello.architecture == "arm64" && hello.handler == "handler.hello")
        #expect(hello.code == .local(Repository.fixture("deployments/serverless/.serverless/hello.zip")))
        #expect(hello.layers == [LayerDescriptor(
            name: "deps", code: .local(Repository.fixture("deployments/serverless/.serverless/deps.zip")),
            compatibleRuntimes: ["python3.12"], compatibleArchitectures: ["x86_64"])])
        let legacy = try Self.function(project, "legacy")
        #expect(legacy.runtime == "nodejs18.x" && legacy.architecture == "x86_64")
        #expect(legacy.layers.map(\.name) == ["arn:aws:lambda:us-east-1:123456789012:layer:node-tools:7"])
        #expect(try Self.function(project, "container").packageType == "Image")
        #expect(ServerlessReader.logicalId(ofLayer: "my-deps_v2") == "MyDashdepsUnderscorev2LambdaLayer")
    }

    @Test func terraformPlanWithModulesAndUnknownLayers() throws {
        let project = try Self.project("terraform")
        #expect(project.format == .terraform)
        #expect(project.functions.map(\.name) == [
            "aws_lambda_function.api", "module.worker.aws_lambda_function.image", "module.worker.aws_lambda_function.this",
        ])
        let api = try Self.function(project, "tf-api")
        #expect(api.runtime == "python3.13" && api.architecture == "arm64" && api.handler == "api.hello")
        #expect(api.code == .local(Repository.fixture("deployments/terraform/build/api.zip")))
        // `layers` is unknown until apply; the configuration's references name the layer resource.
        #expect(api.layers.map(\.name) == ["aws_lambda_layer_version.deps"])
        #expect(api.layers.first?.compatibleRuntimes == ["python3.12"])
        let worker = try Self.function(project, "tf-worker")
        #expect(worker.runtime == "python3.9" && worker.handler == "src/worker.run")
        guard case .notLocal(let why)? = worker.layers.first?.code else { Issue.record("ARN layer read as local"); return }
        #expect(why.contains("arn:aws:lambda:us-east-1:123456789012:layer:extension:4"))
        #expect(try Self.function(project, "tf-image").code == .notLocal("it is a container image (PackageType Image)"))
    }

    @Test func valuesKnownOnlyAtDeployAreNoted() throws {
        let folder = Scratch.url("shiplint-notes").path
        try FileManager.default.createDirectory(atPath: folder + "/code", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try """
            Parameters:
              LayerList: {Type: CommaDelimitedList}
            Resources:
              F:
                Type: AWS::Serverless::Function
                Properties: {CodeUri: code, Handler: app.handler, Runtime: python3.13, Layers: !Ref LayerList}
            """.write(toFile: folder + "/template.yaml", atomically: true, encoding: .utf8)
        let sam = try #require(try DeploymentProject.read(folder))
        #expect(sam.functions.first?.notes == [
            "Layers is {\"Ref\": \"LayerList\"}, which depends on the deployment and is not evaluated: its layers were not checked",
        ])
        try FileManager.default.removeItem(atPath: folder + "/template.yaml")
        try """
            {"format_version": "1.2", "terraform_version": "1.9.5",
             "planned_values": {"root_module": {"resources": [{"address": "aws_lambda_function.f", "mode": "managed",
               "type": "aws_lambda_function", "name": "f", "values": {"runtime": "python3.13", "handler": "app.handler", "filename": "code"}}]}},
             "resource_changes": [{"address": "aws_lambda_function.f", "change": {"actions": ["create"], "after_unknown": {"layers": true}}}]}
            """.write(toFile: folder + "/plan.json", atomically: true, encoding: .utf8)
        let terraform = try #require(try DeploymentProject.read(folder))
        #expect(terraform.format == .terraform)
        #expect(terraform.functions.first?.notes == ["layers are unknown until apply and the configuration names none: its layers were not checked"])
    }

    @Test func anOrdinaryArtifactIsNoProject() throws {
        #expect(try DeploymentProject.read(Repository.fixture("artifacts/function-clean.zip")) == nil)
        #expect(try DeploymentProject.read(Repository.fixture("artifacts/function-clean")) == nil)
    }
}

/// YAML and JSON read into one shape, with limits.
@Suite struct DescriptorTextTests {
    @Test func cloudFormationShortFormTags() throws {
        let yaml = """
            Resources:
              F:
                Type: AWS::Lambda::Function
                Properties:
                  Role: !GetAtt Role.Arn
                  FunctionName: !Sub "${AWS::StackName}-f"
                  Runtime: !Ref Runtime
                  Layers: !If [Prod, [!Ref A], []]
            """
        let (value, lines) = try DescriptorText.yaml(yaml, file: "t.yaml")
        let properties = try #require(value["Resources"]?["F"]?["Properties"])
        #expect(properties["Role"] == .object(["Fn::GetAtt": .array([.scalar("Role"), .scalar("Arn")])]))
        #expect(properties["FunctionName"] == .object(["Fn::Sub": .scalar("${AWS::StackName}-f")]))
        #expect(properties["Runtime"] == .object(["Ref": .scalar("Runtime")]))
        #expect(properties["Layers"]?["Fn::If"]?.array?.count == 3)
        #expect(lines == ["F": 2])
    }

    @Test func billionLaughsIsAnErrorNotAHang() throws {
        var yaml = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for level in 1...9 {
            yaml += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        yaml += "Resources: *a9\n"
        let started = Date()
        #expect(throws: DescriptorError.self) { try DescriptorText.yaml(yaml, file: "bomb.yaml") }
        do {
            _ = try DescriptorText.yaml(yaml, file: "bomb.yaml")
        } catch {
            #expect(error.message.contains("alias bomb"))
        }
        #expect(Date().timeIntervalSince(started) < 30)
    }

    /// libyaml's events read into values (YAMLEvents): anchors and aliases (also as a key, and `Resources` itself an
    /// alias, whose keys' lines are still given), the null spellings, tags on collections, an explicit `!!str`.
    @Test func yamlAnchorsAliasesNullsAndTags() throws {
        let yaml = """
            Shared: &props
              Runtime: &rt python3.13
              Handler: app.handler
            Key: &key Name
            Table: &res
              F:
                Type: AWS::Serverless::Function
                Properties: *props
              G: {Type: AWS::Serverless::Function, Properties: {Runtime: *rt, Layers: !If [Prod, [!Ref A], []]}}
            Resources: *res
            Nulls: [~, null, Null, NULL, '', !!str null, !Ref ~, "~"]
            *key : aliased key
            """
        let (value, lines) = try DescriptorText.yaml(yaml, file: "t.yaml")
        #expect(value["Resources"]?["F"]?["Properties"] == .object(["Runtime": .scalar("python3.13"), "Handler": .scalar("app.handler")]))
        #expect(value["Resources"]?["G"]?["Properties"]?["Runtime"] == .scalar("python3.13"))
        #expect(value["Resources"]?["G"]?["Properties"]?["Layers"]?["Fn::If"]?.array?.count == 3)
        #expect(value["Nulls"] == .array([.null, .null, .null, .null, .scalar(""), .null, .object(["Ref": .scalar("~")]), .scalar("~")]))
        #expect(value["Name"] == .scalar("aliased key"))
        #expect(lines == ["F": 6, "G": 9])
        #expect(try DescriptorText.yaml("", file: "t.yaml").value == .null)
        #expect(try DescriptorText.yaml("# only a comment\n", file: "t.yaml").value == .null)
    }

    /// What libyaml reports, as `L:C: error: KIND: …` with the line quoted and a caret under the column; and what the
    /// reader refuses itself: a second document, an undefined alias, a duplicate key, a key that is not text, and
    /// nesting deeper than 200 levels, counted through aliases.
    @Test func yamlErrorsSayWhere() {
        func message(_ yaml: String) -> String {
            do {
                _ = try DescriptorText.yaml(yaml, file: "t.yaml")
                return "no error"
            } catch {
                return error.message
            }
        }
        #expect(message("Resources:\n  F: {Type: AWS::Serverless::Function, Properties: [unclosed\n") == """
            not valid YAML: 3:1: error: parser: while parsing a flow sequence in line 2, column 52
            did not find expected ',' or ']':
              F: {Type: AWS::Serverless::Function, Properties: [unclosed
            ^
            """)
        #expect(message("a: 1\n---\nb: 2\n") == """
            not valid YAML: 2:1: error: composer: expected a single document in the stream in line 1, column 1
            but found another document:
            ---
            ^
            """)
        #expect(message("Resources:\n  F:\n    Properties: *nope\n") == "not valid YAML: 3:17: error: composer: found undefined alias:\n    Properties: *nope\n                ^")
        #expect(message("Resources:\n  F: 1\n  F: 2\n") == "not valid YAML: 3:3: error: composer: found duplicate key 'F':\n  F: 2\n  ^")
        #expect(message("a: {CodeUri: \"h\u{01}\"}\n") == "not valid YAML: 1:16: error: reader: control characters are not allowed:\na: {CodeUri: \"h\u{01}\"}\n               ^")
        #expect(message("? [a, b]\n: 1\n") == "a mapping key that is not text at line 1")
        let nested = "a: " + String(repeating: "[", count: 201) + String(repeating: "]", count: 201) + "\n"
        #expect(message(nested) == "nested more than 200 levels deep; not read")
        let deepest = "a: " + String(repeating: "[", count: 199) + String(repeating: "]", count: 199) + "\n"
        #expect(message(deepest) == "no error")
        let throughAlias = "x: &x " + String(repeating: "[", count: 150) + String(repeating: "]", count: 150) + "\ny: "
            + String(repeating: "[", count: 60) + "*x" + String(repeating: "]", count: 60) + "\n"
        #expect(message(throughAlias) == "nested more than 200 levels deep; not read")
    }

    @Test func badYamlNamesTheFile() {
        do {
            _ = try DescriptorText.yaml("Resources: [unclosed\n", file: "bad.yaml")
            Issue.record("no error")
        } catch {
            #expect(error.file == "bad.yaml" && error.message.hasPrefix("not valid YAML"))
        }
    }
}

/// `shiplint scan PROJECT` as a user runs it.
@Suite struct ProjectScanEndToEndTests {
    static func json(_ arguments: [String]) throws -> (status: Int32, document: [String: Any], stderr: String) {
        let result = try runProgram(Repository.binary, ["scan"] + arguments + ["--format", "json", "--today", "2026-12-01", "--no-config"])
        let document = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
        return (result.status, document, result.stderr)
    }

    static func deployments(_ document: [String: Any]) -> [[String: Any]] { document["deployments"] as? [[String: Any]] ?? [] }

    /// "check artifact-path path deployment" for every finding of every deployment.
    static func findings(_ document: [String: Any]) -> [String] {
        deployments(document).flatMap { deployment in
            (deployment["artifacts"] as? [[String: Any]] ?? []).flatMap { artifact in
                (artifact["findings"] as? [[String: Any]] ?? []).map { finding in
                    "\(finding["check"]!) \(artifact["path"]!) \(finding["path"]!) \(finding["deployment"]!)"
                }
            }
        }
    }

    @Test func samProjectEachFunctionItsOwnTarget() throws {
        let (status, document, _) = try Self.json(["fixtures/deployments/sam"])
        #expect(status == 1)
        #expect(document["schema"] as? Int == 2)
        let targets = Dictionary(uniqueKeysWithValues: Self.deployments(document).map {
            ($0["function"] as! String, ($0["target"] as? [String: Any])?["name"] as? String ?? "none")
        })
        #expect(targets == [
            "HelloFunction": "aws-lambda-python3.13-arm64", "WrongHandlerFunction": "aws-lambda-python3.13-x86_64",
            "ImageFunction": "none", "S3Function": "none", "MissingFunction": "none",
            "LoopFunction": "none", "DotnetFunction": "aws-lambda-dotnet8-x86_64",
        ])
        let findings = Self.findings(document)
        #expect(findings.contains("handler-not-found fixtures/deployments/sam/hello  WrongHandlerFunction (wrong-handler)"))
        #expect(findings.contains("layer-incompatible fixtures/deployments/sam/deps  HelloFunction"))
        #expect(!findings.contains { $0.hasPrefix("handler-not-found") && $0.hasSuffix(" HelloFunction") })
        let image = try #require(Self.deployments(document).first { $0["function"] as? String == "ImageFunction" })
        let notes = image["notes"] as? [[String: Any]] ?? []
        #expect(notes.map { $0["check"] as? String } == ["deployment-not-checked"])
        #expect(notes.first?["severity"] as? String == "warning")
    }

    /// Issue 22 item 6: a project scanned before its build (sources and a manifest, no dependency installed) is a
    /// deployment-not-checked warning per such function, never a silent pass; a built one (dist-info beside its
    /// requirements.txt) is not. Exit 0 unless warnings fail the scan.
    @Test func unbuiltSourcesAreNotAPass() throws {
        let (status, document, _) = try Self.json(["fixtures/deployments/sam-unbuilt"])
        #expect(status == 0)
        let notes = Dictionary(uniqueKeysWithValues: Self.deployments(document).map { deployment in
            (deployment["function"] as! String, (deployment["notes"] as? [[String: Any]] ?? []).map {
                "\($0["check"]!) \($0["severity"]!): \($0["message"]!)"
            })
        })
        #expect(notes["HelloWorldFunction"] == [
            "deployment-not-checked warning: the function's code fixtures/deployments/sam-unbuilt/hello_world is its source, not a build: requirements.txt asks for requests and no Python distribution is installed beside it (no *.dist-info), so the code the build installs was not checked",
        ])
        #expect(notes["WebFunction"] == [
            "deployment-not-checked warning: the function's code fixtures/deployments/sam-unbuilt/web is its source, not a build: package.json lists 1 dependency and there is no node_modules/, so the code the build installs was not checked",
        ])
        #expect(notes["BuiltFunction"] == [])
        let summary = document["summary"] as? [String: Any] ?? [:]
        #expect(summary["warnings"] as? Int == 2 && summary["errors"] as? Int == 0)
        let strict = try runProgram(Repository.binary, ["scan", "fixtures/deployments/sam-unbuilt", "--fail-on", "warning", "--no-config"])
        #expect(strict.status == 1)
        #expect(strict.stdout.contains("fix: Build the project (`sam build`, `cdk synth`, `serverless package`) and scan its output"))
    }

    @Test func terraformPlanJudgesArm64AgainstItsTarget() throws {
        let (status, document, _) = try Self.json(["fixtures/deployments/terraform/plan.json"])
        #expect(status == 1)
        let findings = Self.findings(document)
        #expect(findings.contains("wrong-arch fixtures/deployments/terraform/build/api.zip native/_clean.cpython-313-x86_64-linux-gnu.so aws_lambda_function.api (tf-api)"))
        #expect(findings.contains("layer-incompatible fixtures/deployments/terraform/build/deps.zip  aws_lambda_function.api (tf-api)"))
        #expect(findings.contains("runtime-deprecated fixtures/deployments/terraform/build/worker.zip  module.worker.aws_lambda_function.this (tf-worker)"))
        // The handler names src/, so the function's top folder is no layer-layout error.
        #expect(!findings.contains { $0.hasPrefix("layer-layout") || $0.hasPrefix("handler-not-found") })
    }

    @Test func runtimeDeprecatedFollowsTheInjectedDate() throws {
        let before = try runProgram(Repository.binary, ["scan", "fixtures/deployments/serverless", "--today", "2025-08-31", "--no-config"])
        let after = try runProgram(Repository.binary, ["scan", "fixtures/deployments/serverless", "--today", "2025-09-01", "--no-config"])
        #expect(!before.stdout.contains("runtime-deprecated"))
        #expect(after.stdout.contains("warning[runtime-deprecated] nodejs18.x was deprecated on 2025-09-01"))
        let bad = try runProgram(Repository.binary, ["scan", "fixtures/deployments/serverless", "--today", "1.9.2025", "--no-config"])
        #expect(bad.status == 2 && bad.stderr.contains("--today must be YYYY-MM-DD"))
    }

    @Test func functionSelectsAndUnknownFunctionIsAnError() throws {
        let (_, document, _) = try Self.json(["--project", "fixtures/deployments/sam", "--function", "wrong-handler", "--function", "HelloFunction"])
        #expect(Self.deployments(document).map { $0["function"] as? String } == ["HelloFunction", "WrongHandlerFunction"])
        let unknown = try runProgram(Repository.binary, ["scan", "fixtures/deployments/sam", "--function", "Nope", "--no-config"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("no function Nope in fixtures/deployments/sam/template.yaml; it has DotnetFunction, HelloFunction"))
        let layered = try runProgram(Repository.binary, ["scan", "--project", "fixtures/deployments/sam", "--layer", "x.zip", "--no-config"])
        #expect(layered.status == 2 && layered.stderr.contains("--layer does not apply to a project"))
        let notProject = try runProgram(Repository.binary, ["scan", "fixtures/artifacts/function-clean.zip", "--function", "X", "--target", "aws-lambda-python3.13-x86_64"])
        #expect(notProject.status == 2 && notProject.stderr.contains("--function needs a project"))
    }

    @Test func targetOverrideSaysSo() throws {
        let result = try runProgram(Repository.binary, [
            "scan", "fixtures/deployments/cdk", "--target", "aws-lambda-python3.13-x86_64", "--function", "X86Function", "--no-config",
        ])
        #expect(result.stdout.contains("--target aws-lambda-python3.13-x86_64 given: every function is judged against it"))
        #expect(result.stdout.contains("judged against aws-lambda-python3.13-x86_64"))
    }

    @Test func sarifAndJUnitPerFunction() throws {
        let sarif = try runProgram(Repository.binary, [
            "scan", "fixtures/deployments/sam", "--function", "WrongHandlerFunction", "--format", "sarif", "--today", "2026-12-01", "--no-config",
        ])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(sarif.stdout.utf8)) as? [String: Any])
        let results = ((document["runs"] as? [[String: Any]])?.first?["results"] as? [[String: Any]]) ?? []
        let handler = try #require(results.first { $0["ruleId"] as? String == "handler-not-found" })
        let location = ((handler["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any]) ?? [:]
        #expect((location["artifactLocation"] as? [String: Any])?["uri"] as? String == "fixtures/deployments/sam/template.yaml")
        #expect((location["region"] as? [String: Any])?["startLine"] as? Int == 42)
        #expect(((handler["message"] as? [String: Any])?["text"] as? String)?.hasPrefix("WrongHandlerFunction (wrong-handler): fixtures/deployments/sam/hello: Handler 'main.handler'") == true)
        let junit = try runProgram(Repository.binary, ["scan", "fixtures/deployments/serverless", "--format", "junit", "--today", "2026-12-01", "--no-config"])
        #expect(junit.stdout.components(separatedBy: "<testsuite ").count - 1 == 3)
        #expect(junit.stdout.contains("<testsuite name=\"hello (shiplint-fixture-dev-hello)\""))
        #expect(junit.stdout.contains("<skipped message=\"the function was not checked: it is a container image (PackageType Image)\""))
    }

    @Test func projectConfigurationAppliesToEveryFunction() throws {
        let folder = Scratch.url("shiplint-policy").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try """
            version = 1
            [severity]
            handler-not-found = "warning"
            [[ignore]]
            check = "layer-incompatible"
            path = "**"
            reason = "the layer is pure Python"
            [[ignore]]
            check = "exec-stack"
            path = "nowhere/**"
            reason = "stale"
            """.write(toFile: folder + "/.shiplint.toml", atomically: true, encoding: .utf8)
        let result = try runProgram(Repository.binary, [
            "scan", Repository.fixture("deployments/sam"), "--config", folder + "/.shiplint.toml", "--today", "2026-12-01", "--format", "json",
        ])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let findings = Self.findings(document)
        #expect(!findings.contains { $0.hasPrefix("layer-incompatible") })
        #expect(result.status == 0, "handler-not-found lowered to a warning: \(result.stderr)")
        let configuration = ((document["configuration"] as? [String: Any])?["findings"] as? [[String: Any]]) ?? []
        #expect(configuration.map { $0["check"] as? String } == ["unmatched-ignore"], "the stale ignore once, not once per function")
        #expect((configuration.first?["message"] as? String)?.contains("exec-stack") == true)
    }

    /// Project reports render each function's outcome: SARIF's rules are the checks that ran (every registry check,
    /// deployment-not-checked last, then unmatched-ignore), suppressed findings stay with their reason and function,
    /// fingerprints include the function, and `.shiplint.toml` sets deployment-not-checked's severity.
    @Test func projectReportsRenderTheOutcome() throws {
        let folder = Scratch.url("shiplint-outcome").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try """
            version = 1
            [severity]
            deployment-not-checked = "note"
            [[ignore]]
            check = "layer-incompatible"
            path = "**"
            reason = "the layer is pure Python"
            """.write(toFile: folder + "/.shiplint.toml", atomically: true, encoding: .utf8)
        let arguments = ["scan", Repository.fixture("deployments/sam"), "--config", folder + "/.shiplint.toml", "--today", "2026-12-01"]
        let sarif = try runProgram(Repository.binary, arguments + ["--format", "sarif"])
        let run = try #require((try JSONSerialization.jsonObject(with: Data(sarif.stdout.utf8)) as? [String: Any])?["runs"] as? [[String: Any]]).first
        let rules = (((run?["tool"] as? [String: Any])?["driver"] as? [String: Any])?["rules"] as? [[String: Any]]) ?? []
        #expect(rules.compactMap { $0["id"] as? String } == CheckRegistry.all.map(\.id) + ["unmatched-ignore"])
        let results = run?["results"] as? [[String: Any]] ?? []
        let ignored = results.filter { $0["ruleId"] as? String == "layer-incompatible" }
        #expect(ignored.count == 2)
        #expect(ignored.allSatisfy { (($0["suppressions"] as? [[String: Any]])?.first?["justification"] as? String) == "the layer is pure Python" })
        let fingerprints = ignored.compactMap { ($0["partialFingerprints"] as? [String: Any])?["shiplintFindingIdentity/v2"] as? String }
        #expect(Set(fingerprints).count == 2, "the same layer finding in two functions is two identities")
        let notChecked = results.filter { $0["ruleId"] as? String == "deployment-not-checked" }
        #expect(!notChecked.isEmpty && notChecked.allSatisfy { $0["level"] as? String == "note" })
        let json = try runProgram(Repository.binary, arguments + ["--format", "json"])
        #expect(json.status == 1, "handler-not-found is still an error")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let suppressed = Self.deployments(document).flatMap { deployment in
            (deployment["artifacts"] as? [[String: Any]] ?? []).flatMap { $0["suppressed"] as? [[String: Any]] ?? [] }
        }
        #expect(suppressed.compactMap { $0["deployment"] as? String }.sorted() == ["HelloFunction", "WrongHandlerFunction (wrong-handler)"])
        // not-checked lowered to notes, layer-incompatible ignored; the one warning left: dotnet8 deprecated on 2026-11-10.
        #expect((document["summary"] as? [String: Any])?["warnings"] as? Int == 1)
        #expect(json.stdout.contains("dotnet8 was deprecated on 2026-11-10"))
        let off = folder + "/off.toml"
        try "version = 1\n[severity]\ndeployment-not-checked = \"off\"\n".write(toFile: off, atomically: true, encoding: .utf8)
        let quiet = try runProgram(Repository.binary, ["scan", Repository.fixture("deployments/sam"), "--config", off, "--today", "2026-12-01"])
        #expect(!quiet.stdout.contains("deployment-not-checked"))
    }

    @Test func nothingScannableIsExitTwo() throws {
        let folder = Scratch.url("shiplint-deploy").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try """
            Resources:
              Img:
                Type: AWS::Serverless::Function
                Properties:
                  PackageType: Image
                  ImageUri: repo/app:1
            """.write(toFile: folder + "/template.yaml", atomically: true, encoding: .utf8)
        let imageOnly = try runProgram(Repository.binary, ["scan", folder, "--no-config"])
        #expect(imageOnly.status == 2)
        #expect(imageOnly.stderr.contains("could be scanned"))
        #expect(imageOnly.stdout.contains("warning[deployment-not-checked] the function was not checked: it is a container image"))

        try "Resources:\n  Old:\n    Type: AWS::Serverless::Function\n    Properties: {CodeUri: s3://b/old.zip, Handler: app.h, Runtime: python3.9}\n"
            .write(toFile: folder + "/template.yaml", atomically: true, encoding: .utf8)
        let s3Code = try runProgram(Repository.binary, ["scan", folder, "--no-config", "--today", "2026-12-01"])
        #expect(s3Code.status == 2)
        #expect(s3Code.stdout.contains("warning[runtime-deprecated] python3.9 was deprecated on 2025-12-15"), "the runtime is judged even when the code is not")

        var bomb = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for level in 1...9 { bomb += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]\n" }
        try (bomb + "Resources:\n  X:\n    Type: AWS::Serverless::Function\n    Properties: *a9\n").write(toFile: folder + "/template.yaml", atomically: true, encoding: .utf8)
        let exploded = try runProgram(Repository.binary, ["scan", folder, "--no-config"])
        #expect(exploded.status == 2 && exploded.stderr.contains("alias bomb"))

        try "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties: [1, 2]\n".write(toFile: folder + "/template.yaml", atomically: true, encoding: .utf8)
        let oddShape = try runProgram(Repository.binary, ["scan", folder, "--no-config"])
        #expect(oddShape.status == 2 && oddShape.stdout.contains("the function was not checked: the descriptor gives no Runtime"))

        try #"{"version": "55.0.0", "artifacts": {"Self": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "."}}}}"#
            .write(toFile: folder + "/manifest.json", atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: folder + "/template.yaml")
        let cycle = try runProgram(Repository.binary, ["scan", folder, "--no-config"])
        #expect(cycle.status == 2 && cycle.stderr.contains("nested cloud assemblies form a cycle"))
    }
}

/// What makes code "its source, not a build" (UnbuiltSources), manifest by manifest.
@Suite struct UnbuiltSourcesTests {
    static func code(_ files: [String: String], entries more: [String] = []) -> Artifact {
        let entries = (Array(files.keys) + more).sorted().map { ArtifactEntry(path: $0, size: 1, mode: 0o100644, type: .file) }
        return Artifact(path: "src", kind: .folder, entries: entries, binaries: [], problems: [], metadataFiles: files)
    }

    @Test func pythonManifests() {
        #expect(UnbuiltSources.reason(Self.code(["requirements.txt": "# pinned\n\nnumpy==2.2.6  # math\npandas\n"]))
            == "requirements.txt asks for numpy==2.2.6 (and 1 more) and no Python distribution is installed beside it (no *.dist-info)")
        #expect(UnbuiltSources.reason(Self.code(["requirements.txt": "# nothing\n--index-url https://example.invalid/simple\n"])) == nil)
        #expect(UnbuiltSources.reason(Self.code(["requirements.txt": "numpy\n"], entries: ["numpy-2.2.6.dist-info/METADATA"])) == nil)
        #expect(UnbuiltSources.reason(Self.code(["pyproject.toml": "[project]\nname = \"app\"\ndependencies = [\n  \"httpx>=0.27\",\n]\n"]))
            == "pyproject.toml depends on httpx>=0.27 and no Python distribution is installed beside it (no *.dist-info)")
        #expect(UnbuiltSources.reason(Self.code(["pyproject.toml": "[tool.poetry.dependencies]\npython = \"^3.12\"\n"])) == nil)
    }

    @Test func otherManifests() {
        #expect(UnbuiltSources.reason(Self.code(["package.json": "{\"dependencies\": {\"sharp\": \"^0.33\", \"pg\": \"8\"}}"]))
            == "package.json lists 2 dependencies and there is no node_modules/")
        #expect(UnbuiltSources.reason(Self.code(["package.json": "{\"dependencies\": {\"pg\": \"8\"}}"], entries: ["node_modules/pg/package.json"])) == nil)
        #expect(UnbuiltSources.reason(Self.code(["package.json": "{\"name\": \"no-deps\"}"])) == nil)
        #expect(UnbuiltSources.reason(Self.code(["Gemfile": "source 'https://rubygems.org'\ngem 'nokogiri'\n"])) == "Gemfile asks for gems and there is no vendor/bundle/")
        #expect(UnbuiltSources.reason(Self.code(["go.mod": "module example.com/app\n"])) == "go.mod is there but no compiled bootstrap")
        #expect(UnbuiltSources.reason(Self.code(["Cargo.toml": "[package]\nname = \"app\"\n"], entries: ["bootstrap"])) == nil)
    }
}
