import Foundation
import Testing
import ShiplintFacts

/// A project's descriptor and the paths it names, read with bounds (issue 28, measured on main): a descriptor that
/// could not be read was "not a descriptor" (the folder then scanned as one plain function); a code path that is a
/// symbolic link out of the project was followed (1,185 names of /etc printed).
@Suite(.serialized) struct ProjectBoundsTests {
    static let template = """
        AWSTemplateFormatVersion: '2010-09-09'
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Api:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: app/
              Handler: handler.handler
              Runtime: python3.13

        """

    /// A project with `template.yaml` and its code in `app/` (the clean fixture build folder).
    static func project(template: String = template) throws -> ScratchProject {
        let project = try ScratchProject()
        try FileManager.default.copyItem(atPath: Repository.fixture("artifacts/folder-build"), toPath: project.path("app"))
        try project.write("template.yaml", template)
        return project
    }

    static func scan(_ project: ScratchProject, _ extra: [String] = []) throws -> CommandResult {
        try project.run(["scan", ".", "--no-config"] + extra)
    }

    // MARK: - Descriptors that cannot be read

    /// Over the descriptor limit: exit 2 naming the file, its size, the limit and the flag, with or without
    /// --target (which used to scan the folder as one plain function instead); the flag raises the limit.
    @Test func aDescriptorOverTheLimitIsAnErrorNamingTheLimitAndTheFlag() throws {
        let project = try Self.project()
        // A real template followed by a 40 MiB comment.
        let handle = try #require(FileHandle(forWritingAtPath: project.path("template.yaml")))
        try handle.seekToEnd()
        let line = Data(("# " + String(repeating: "x", count: 1022) + "\n").utf8)
        for _ in 0..<(40 << 10) { try handle.write(contentsOf: line) }
        try handle.close()
        let size = try #require(try FileManager.default.attributesOfItem(atPath: project.path("template.yaml"))[.size] as? Int)
        for extra in [[], ["--target", "aws-lambda-python3.13-x86_64"]] {
            let result = try Self.scan(project, extra)
            #expect(result.status == 2, "\(extra): \(result.stdout.prefix(300))")
            #expect(result.stderr == "shiplint: error: template.yaml: \(size) bytes is over the 32 MiB a descriptor may have; not read (--max-descriptor-bytes raises the limit)\n")
            #expect(result.stdout.isEmpty)
        }
        let raised = try Self.scan(project, ["--max-descriptor-bytes", "64M"])
        #expect(raised.status == 0, "\(raised.stderr)")
        #expect(raised.stdout.contains("Api"))
    }

    /// 40 MiB of ever deeper indentation (a hostile template): refused by its size before it is parsed.
    @Test func aHugeDeeplyIndentedDescriptorIsRefusedBeforeItIsParsed() throws {
        let project = try Self.project()
        var text = Self.template + "Outputs:\n"
        var depth = 1
        while text.utf8.count < 40 << 20 {
            text += String(repeating: " ", count: depth) + "k\(depth):\n"
            depth = depth % 4000 + 1
        }
        try project.write("template.yaml", text)
        let result = try runProgram("/usr/bin/time", ["-f", "peak %M", Repository.binary, "scan", ".", "--no-config", "--target", "aws-lambda-python3.13-x86_64"], in: project.root.path)
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("shiplint: error: template.yaml: \(text.utf8.count) bytes is over the 32 MiB a descriptor may have"), "\(result.stderr)")
        let peak = try #require(result.stderr.split(separator: "\n").last { $0.hasPrefix("peak ") }.flatMap { Int($0.dropFirst(5)) })
        #expect(peak < 64 * 1024, "peak RSS \(peak) KB: the file was read before its size was checked")
    }

    /// Invalid UTF-8: exit 2 naming the byte offset (and never a plain scan of the folder).
    @Test func aDescriptorThatIsNotUTF8NamesTheByteOffset() throws {
        let project = try Self.project()
        var bytes = Array(Self.template.utf8)
        let offset = bytes.firstIndex(of: UInt8(ascii: "H"))!
        bytes.insert(0xC3, at: offset)  // a two-byte lead byte followed by an ASCII letter
        try Data(bytes).write(to: URL(fileURLWithPath: project.path("template.yaml")))
        for extra in [[], ["--target", "aws-lambda-python3.13-x86_64"]] {
            let result = try Self.scan(project, extra)
            #expect(result.status == 2)
            #expect(result.stderr == "shiplint: error: template.yaml: not UTF-8 text: the byte at offset \(offset) (0xC3) is not part of a valid UTF-8 character\n", "\(result.stderr)")
        }
    }

    /// JSON nested deeper than a descriptor is read (a parser would give up or recurse): exit 2, "too deep".
    @Test func aDescriptorNestedTooDeepIsAnError() throws {
        let project = try Self.project()
        try FileManager.default.removeItem(atPath: project.path("template.yaml"))
        let nested = String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
        try project.write("template.json", """
            {"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"Api": {"Type": "AWS::Lambda::Function", "Properties": {"Code": \(nested)}}}}
            """)
        let result = try Self.scan(project, ["--target", "aws-lambda-python3.13-x86_64"])
        #expect(result.status == 2)
        #expect(result.stderr == "shiplint: error: template.json: nested more than 200 levels deep; not read\n", "\(result.stderr)")
    }

    /// A JSON file that is no descriptor (a large data file, say) is still no descriptor: the folder is an artifact.
    @Test func aLargeJSONFileThatIsNoDescriptorIsLeftAlone() throws {
        let project = try ScratchProject()
        try FileManager.default.copyItem(atPath: Repository.fixture("artifacts/folder-build"), toPath: project.path("app"))
        try project.write("app/data.json", "[" + String(repeating: "1,", count: 18 << 20) + "1]")
        let result = try project.run(["scan", "app", "--no-config", "--target", "aws-lambda-python3.13-x86_64"])
        #expect(result.status == 0, "\(result.stderr)")
    }

    // MARK: - Paths that leave the project

    /// `CodeUri` a symbolic link to /etc: exit 2 naming where it leads; nothing of /etc is read or printed.
    @Test func aCodePathLinkedOutOfTheProjectIsAnError() throws {
        let project = try Self.project()
        try FileManager.default.removeItem(atPath: project.path("app"))
        try FileManager.default.createSymbolicLink(atPath: project.path("app"), withDestinationPath: "/etc")
        let result = try Self.scan(project, ["--target", "aws-lambda-python3.13-x86_64"])
        #expect(result.status == 2)
        #expect(result.stderr == "shiplint: error: template.yaml: code path app/ leads outside the project through a symbolic link: it resolves to /etc, not inside .; shiplint reads only code inside the project; move it in, or name its folder with --code-root\n", "\(result.stderr)")
        #expect(!result.stdout.contains("passwd"))
        // Allowed explicitly, it is read.
        let allowed = try Self.scan(project, ["--target", "aws-lambda-python3.13-x86_64", "--code-root", "/etc", "--format", "json"])
        #expect(allowed.status != 2 || !allowed.stderr.contains("outside the project"), "\(allowed.stderr)")
    }

    /// A folder on the way (`build/` a link out of the project) is a link out too.
    @Test func aLinkedFolderOnTheWayIsALinkOut() throws {
        let outside = try ScratchProject()
        try FileManager.default.copyItem(atPath: Repository.fixture("artifacts/folder-build"), toPath: outside.path("app"))
        let project = try Self.project(template: Self.template.replacingOccurrences(of: "CodeUri: app/", with: "CodeUri: build/app"))
        try FileManager.default.createSymbolicLink(atPath: project.path("build"), withDestinationPath: outside.root.path)
        let result = try Self.scan(project)
        #expect(result.status == 2)
        #expect(result.stderr.contains("code path build/app leads outside the project through a symbolic link: it resolves to \(outside.root.resolvingSymlinksInPath().path)/app"), "\(result.stderr)")
    }

    /// `../` out of the project: an error too (it was a deployment-not-checked warning, and the gate passed).
    @Test func aCodePathUpOutOfTheProjectIsAnError() throws {
        let project = try Self.project(template: Self.template.replacingOccurrences(of: "CodeUri: app/", with: "CodeUri: ../elsewhere/app"))
        let result = try Self.scan(project)
        #expect(result.status == 2)
        #expect(result.stderr.contains("code path ../elsewhere/app is outside the project (.)"), "\(result.stderr)")
    }

    /// A CDK asset folder that is a link out of cdk.out.
    @Test func aCdkAssetLinkedOutOfTheAssemblyIsAnError() throws {
        let project = try ScratchProject()
        try FileManager.default.copyItem(atPath: Repository.fixture("deployments/cdk/cdk.out"), toPath: project.path("cdk.out"))
        let asset = project.path("cdk.out/asset.a33de6d44d7632053d51068ff334582301a9ff93c3fdca4615a50bfe37b945ac")
        try FileManager.default.removeItem(atPath: asset)
        try FileManager.default.createSymbolicLink(atPath: asset, withDestinationPath: "/etc")
        let result = try project.run(["scan", "cdk.out", "--no-config"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("asset asset.a33de6d44d7632053d51068ff334582301a9ff93c3fdca4615a50bfe37b945ac leads outside the project through a symbolic link: it resolves to /etc"), "\(result.stderr)")
    }

    /// A Terraform `filename` that is a link to a ZIP outside the plan's folder.
    @Test func aTerraformFilenameLinkedOutIsAnError() throws {
        let project = try ScratchProject()
        try FileManager.default.copyItem(atPath: Repository.fixture("deployments/terraform"), toPath: project.path("tf"))
        try FileManager.default.removeItem(atPath: project.path("tf/build/api.zip"))
        try FileManager.default.createSymbolicLink(atPath: project.path("tf/build/api.zip"), withDestinationPath: Repository.fixture("artifacts/function-clean.zip"))
        let result = try project.run(["scan", "tf", "--no-config"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("build/api.zip leads outside the project through a symbolic link: it resolves to \(Repository.fixture("artifacts/function-clean.zip"))"), "\(result.stderr)")
    }

    /// A link inside the code (the artifact holds it) is not followed: an `unsafe-path` finding on it.
    @Test func aLinkInsideTheCodeIsAFindingNotFollowed() throws {
        let project = try Self.project()
        try FileManager.default.createSymbolicLink(atPath: project.path("app/passwd.so"), withDestinationPath: "/etc/passwd")
        let result = try Self.scan(project)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stdout.contains("    passwd.so\n      error[unsafe-path] symbolic link to /etc/passwd points outside the package"), "\(result.stdout)")
        #expect(!result.stdout.contains("root:x:0:0"))
    }
}

/// `TextFile`'s UTF-8 check agrees with the standard library's decoder on where text stops being UTF-8.
@Suite struct TextFileTests {
    @Test func utf8CheckAgreesWithTheStandardLibrary() {
        var generator = ErrorTextReadingTests.Generator(state: 8)
        let pieces: [[UInt8]] = [[0x41], [0xC3, 0xA9], [0xE2, 0x82, 0xAC], [0xF0, 0x9F, 0x98, 0x80], [0xC0, 0x80], [0xED, 0xA0, 0x80],
            [0xF4, 0x90, 0x80, 0x80], [0xE0, 0x80, 0xAF], [0x80], [0xFF], [0xC3], [0xE2, 0x82], [0xF0, 0x9F, 0x98]]
        for _ in 0..<20_000 {
            let bytes = (0..<Int.random(in: 0...8, using: &generator)).flatMap { _ in pieces.randomElement(using: &generator)! }
            let offset = TextFile.firstInvalidUTF8(bytes)
            #expect((offset == nil) == (String(validating: bytes, as: UTF8.self) != nil), "\(bytes)")
            if let offset {
                // Everything before the offset is UTF-8.
                #expect(String(validating: bytes[..<offset], as: UTF8.self) != nil, "\(bytes) at \(offset)")
            }
        }
    }
}
