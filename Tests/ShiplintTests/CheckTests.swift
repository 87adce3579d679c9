@testable import ShiplintChecks
import Foundation
import ShiplintFacts
import ShiplintTargets
import Testing

@Suite struct CheckRegistryTests {
    /// The public contract: CI configs name these ids. Renaming or dropping one must be a conscious change here.
    static let publishedIDs: Set<String> = [
        "windows-binary", "darwin-binary", "wrong-arch", "musl-binary", "glibc-too-new", "libstdcxx-too-new",
        "python-abi-mismatch", "corrupt-binary", "exec-stack", "unreadable-entry", "missing-library", "missing-symbol-version",
        "unsafe-path", "unreadable-file", "no-unix-modes", "layer-layout", "wheel-tag-mismatch", "duplicate-module",
        "package-too-large", "upload-too-large", "android-binary", "policy-symbol-version", "blacklisted-symbol",
        "node-abi-mismatch", "node-abi-unread", "node-platform-package", "prisma-engine-mismatch",
        "image-media-type", "image-integrity", "image-entrypoint", "image-arch-mismatch", "image-too-large",
        "handler-not-found", "layer-incompatible", "runtime-deprecated", "abi3-too-new", "abi3-non-stable", "deployment-not-checked",
        "not-loadable", "python-init-missing", "undefined-symbol", "jni-library-missing", "dotnet-native-missing", "ruby-platform-mismatch",
        "ruby-abi-mismatch", "extraction-mismatch",
    ]

    @Test func idsAreUniqueStableAndKebabCase() {
        let ids = CheckRegistry.all.map(\.id)
        #expect(Set(ids).count == ids.count, "duplicate check id")
        #expect(Set(ids) == Self.publishedIDs)
        for id in ids {
            #expect(id.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "-" } && !id.hasPrefix("-"), "\(id) is not kebab-case")
        }
    }

    @Test(arguments: CheckRegistry.all.map(\.id))
    func everyCheckIsDocumented(id: String) throws {
        let check = try #require(CheckRegistry.check(id: id))
        #expect(!check.summary.isEmpty)
        #expect(check.explanation.count > 200, "\(id): explanation too short to help anyone")
        #expect(check.explanation.contains("Fix:"), "\(id): explanation has no fix")
        #expect(check.examples.contains { $0.fires } && check.examples.contains { !$0.fires }, "\(id): needs a firing and a quiet example")
    }
}

/// Every check's documented examples, run against the built-in target each names.
@Suite struct CheckExampleTests {
    static let cases: [(check: String, index: Int)] = CheckRegistry.all.flatMap { check in
        check.examples.indices.map { (check.id, $0) }
    }

    @Test(arguments: cases.map { "\($0.check)#\($0.index)" })
    func exampleBehavesAsDocumented(label: String) throws {
        let parts = label.split(separator: "#")
        let check = try #require(CheckRegistry.check(id: String(parts[0])))
        let example = check.examples[Int(parts[1])!]
        let target = try TargetCatalog.builtIn.load(example.target)
        let context: DeploymentContext
        var described: [LocatedVerdict]?
        switch example.subject {
        case .binary(let binary):
            context = DeploymentContext(
                function: Artifact(path: "example.zip", kind: .zip, entries: [], binaries: [binary], problems: []), layers: [], target: target)
        case .artifact(let whole):
            context = DeploymentContext(function: whole, layers: [], target: target)
        case .deployment(let function, let layers):
            context = DeploymentContext(function: function, layers: layers, target: target)
        case .described(let descriptor, let function, let layers, let today):
            context = DeploymentContext(function: function, layers: layers, target: target, descriptor: descriptor, today: today)
        case .unchecked(let descriptor, let gaps, let today):
            // Only what the descriptor says: no code to judge.
            context = DeploymentContext(function: nil, layers: [], target: target, descriptor: descriptor, today: today, gaps: gaps)
            described = check.verdicts(DescriptorContext(
                descriptor: descriptor, runtime: RuntimeView(target: target, descriptor: descriptor), today: today, gaps: gaps, function: nil))
        }
        let verdicts = described ?? check.verdicts(context)
        #expect(!verdicts.isEmpty == example.fires, "\(check.id): '\(example.summary)' on \(example.target)")
        for verdict in verdicts {
            #expect(!verdict.verdict.message.isEmpty && !verdict.verdict.fix.isEmpty)
        }
        guard example.fires else { return }
        // A firing example says what the user sees: the path the finding lands on and a fragment of its message.
        let path = try #require(example.at, "\(check.id): firing example '\(example.summary)' does not state the path its finding lands on (at:)")
        let mentions = try #require(example.mentions, "\(check.id): firing example '\(example.summary)' does not state a message fragment (mentions:)")
        #expect(!mentions.isEmpty, "\(check.id): '\(example.summary)': an empty fragment asserts nothing")
        let located = verdicts.filter { $0.path == path }
        #expect(!located.isEmpty, "\(check.id): '\(example.summary)' lands on \(verdicts.map(\.path)), not on '\(path)'")
        #expect(located.contains { $0.verdict.message.contains(mentions) },
                "\(check.id): '\(example.summary)' at '\(path)' should say '\(mentions)': \(located.map(\.verdict.message))")
    }

    /// Quiet examples state no path or fragment: there is no finding for them to describe.
    @Test func quietExamplesStateNoFinding() {
        for check in CheckRegistry.all {
            for example in check.examples where !example.fires {
                #expect(example.at == nil && example.mentions == nil, "\(check.id): quiet example '\(example.summary)' names a finding")
            }
        }
    }
}

@Suite struct MessageTests {
    @Test func glibcMessageNamesFactAndTargetValue() throws {
        let target = try TargetCatalog.builtIn.load("aws-lambda-python3.11-x86_64")
        let binary = SampleBinary.elf("x/_rust.abi3.so", versionNeeds: [VersionNeed(file: "libc.so.6", names: ["GLIBC_2.17", "GLIBC_2.28"])])
        let verdict = Check.glibcTooNew.verdicts(ArtifactContext(artifact: Artifact(path: "f.zip", kind: .zip, entries: [], binaries: [binary], problems: []), target: target))
        #expect(verdict.first?.verdict.message == "needs GLIBC_2.28 (from libc.so.6), Amazon Linux 2 (python3.11) has 2.26")
    }

    @Test func rootCauseComesFirst() throws {
        let target = try TargetCatalog.builtIn.load("aws-lambda-python3.13-x86_64")
        let pyd = SampleBinary.pe("pydantic_core/_pydantic_core.cp313-win_amd64.pyd")
        let result = Scanner.scan(functions: [Artifact(path: "f.zip", kind: .zip, entries: [], binaries: [pyd], problems: [])], target: target)
        #expect(result.artifacts[0].findings.map(\.check) == ["windows-binary", "python-abi-mismatch"])
    }

    @Test(arguments: [
        ("_mod.cpython-313-x86_64-linux-gnu.so", true),
        ("_mod.cpython-313t-x86_64-linux-gnu.so", true),
        ("_mod.abi3.so", true),
        ("_mod.cp313-win_amd64.pyd", true),
        ("_mod.pyd", true),
        ("_mod.so", false),
        ("libfoo.so.1", false),
        ("libscipy_openblas64_-ff651d7f.so", false),
    ])
    func extensionNames(name: String, tagged: Bool) {
        #expect((ExtensionModuleName(fileName: name) != nil) == tagged)
    }
}

@Suite struct CheckDocumentationTests {
    static let readmePath = Repository.root + "/docs/checks.md"
    static let firstSection = "<a id=\"check-\(CheckRegistry.all[0].id)\"></a>\n"
    static let afterSections = "\n<a id=\"check-unmatched-ignore\"></a>\n"

    /// docs/checks.md's check sections are exactly what `shiplint checks show ID --markdown` prints, generated from the
    /// registry; UPDATE_GOLDENS=1 rewrites them in place.
    @Test func readmeCheckSectionsAreGenerated() throws {
        var sections: [String] = []
        for check in CheckRegistry.all {
            let shown = try Shiplint.run(["checks", "show", check.id, "--markdown"])
            #expect(shown.status == 0)
            // The same documentation as the plain `checks show`: its explanation, word for word.
            let plain = try Shiplint.run(["checks", "show", check.id]).stdout
            #expect(plain.contains(check.explanation) && shown.stdout.contains(check.explanation))
            sections.append(shown.stdout)
        }
        let generated = sections.joined(separator: "\n")
        let readme = try String(contentsOfFile: Self.readmePath, encoding: .utf8)
        let start = try #require(readme.range(of: Self.firstSection)).lowerBound
        let end = try #require(readme.range(of: Self.afterSections, range: start..<readme.endIndex)).lowerBound
        if ProcessInfo.processInfo.environment["UPDATE_GOLDENS"] == "1" {
            try (readme[..<start] + generated + readme[end...]).write(toFile: Self.readmePath, atomically: true, encoding: .utf8)
            return
        }
        #expect(String(readme[start..<end]) == generated, "docs/checks.md check sections differ from `shiplint checks show ID --markdown`; UPDATE_GOLDENS=1 rewrites them")
    }

    /// Every check has its section in docs/checks.md (SARIF help links point at these anchors).
    @Test(arguments: CheckRegistry.all.map(\.id))
    func readmeDocumentsCheck(id: String) throws {
        let readme = try String(contentsOfFile: Self.readmePath, encoding: .utf8)
        let check = try #require(CheckRegistry.check(id: id))
        #expect(readme.contains("<a id=\"check-\(id)\"></a>"), "docs/checks.md has no section for \(id)")
        #expect(readme.contains("| [`\(id)`](#check-\(id)) | \(check.defaultSeverity.rawValue) | \(check.summary) |"), "docs/checks.md's table row for \(id) is stale")
    }
}
