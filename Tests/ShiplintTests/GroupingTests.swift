import Foundation
@testable import ShiplintChecks
@testable import ShiplintPolicy
import Testing

/// One cause, one finding (issue 22 item 5): findings of one check with one fact in one installed distribution, Node
/// package or folder are one finding about its first file listing the others, in every format, and a baseline holds
/// when the distribution gains a file. The real cases (numpy for CPython 3.12 in a python3.11 function,
/// psycopg2-binary for aarch64 in an x86_64 function) are in conformance/cases.json (`grouped`).
@Suite struct GroupingTests {
    /// fast-pkg 2.1 built for aarch64 (five modules, one bundled library), old-pkg 0.9 built for CPython 3.12 (two
    /// modules) and a folder `vendored/` without metadata (two aarch64 modules), in a python3.13 x86_64 function.
    static let fixture = "fixtures/artifacts/grouped/function.zip"
    static let target = ["--target", "aws-lambda-python3.13-x86_64", "--no-config"]
    static let scan = ["scan", fixture] + target

    static let fastModules = ["", "linalg/", "linalg/lapack/", "random/", "random/pcg/"].map {
        "fastpkg/\($0)_clean.cpython-313-aarch64-linux-gnu.so"
    }
    static let library = "fast_pkg.libs/libopenblas-0a1b2c3d.so.0.3"

    static func findings(_ arguments: [String]) throws -> [[String: Any]] {
        let (_, report) = try Shiplint.json(arguments)
        let artifacts = try #require(report["artifacts"] as? [[String: Any]])
        return try #require(artifacts.first?["findings"] as? [[String: Any]])
    }

    static func files(_ finding: [String: Any]) -> [String] {
        (finding["files"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String }
    }

    @Test func oneFindingPerCheckAndCauseInEachGroup() throws {
        let findings = try Self.findings(Self.scan)
        let summary = findings.map { finding in
            [finding["check"] as? String ?? "", finding["path"] as? String ?? "",
             (finding["group"] as? [String: Any])?["key"] as? String ?? "", String(Self.files(finding).count)]
        }
        #expect(summary == [
            ["wheel-tag-mismatch", "fast_pkg-2.1.dist-info/WHEEL", "distribution fast-pkg", "1"],
            ["wrong-arch", Self.library, "distribution fast-pkg", "6"],
            ["python-abi-mismatch", Self.fastModules[0], "distribution fast-pkg", "5"],
            ["wheel-tag-mismatch", "old_pkg-0.9.dist-info/WHEEL", "distribution old-pkg", "1"],
            ["python-abi-mismatch", "oldpkg/_clean.cpython-312-x86_64-linux-gnu.so", "distribution old-pkg", "2"],
            ["wrong-arch", "vendored/_clean.cpython-313-aarch64-linux-gnu.so", "folder vendored", "2"],
            ["python-abi-mismatch", "vendored/_clean.cpython-313-aarch64-linux-gnu.so", "folder vendored", "2"],
        ])
        // JSON lists every file in path order, each with what the check said of it.
        let wrongArch = try #require(findings.first { $0["check"] as? String == "wrong-arch" })
        #expect(Self.files(wrongArch) == [Self.library] + Self.fastModules)
        let messages = (wrongArch["files"] as? [[String: Any]] ?? []).compactMap { $0["message"] as? String }
        #expect(messages.count == 6 && messages.allSatisfy { $0.hasPrefix("ELF for aarch64") })
        let group = try #require(wrongArch["group"] as? [String: Any])
        #expect(group["name"] as? String == "fast-pkg" && group["version"] as? String == "2.1" && group["kind"] as? String == "distribution")
        // The summary counts causes, not files.
        let (status, report) = try Shiplint.json(Self.scan)
        #expect(status == 1)
        #expect((report["summary"] as? [String: Any])?["errors"] as? Int == 5)
    }

    @Test(arguments: [
        ("text", "grouped-scan.txt"), ("json", "grouped-scan.json"), ("sarif", "grouped-scan.sarif"),
        ("junit", "grouped-scan.junit.xml"), ("github", "grouped-scan.github.txt"),
    ])
    func golden(format: String, file: String) throws {
        let result = try Shiplint.run(Self.scan + ["--format", format])
        #expect(result.status == 1)
        #expect(result.stderr.isEmpty)
        try expectGolden(file, result.stdout)
    }

    @Test func textNamesTheCountAndTheFirstFewFiles() throws {
        let text = try Shiplint.run(Self.scan).stdout
        #expect(text.contains(
            "      the same in 5 more files of fast-pkg 2.1: \(Self.fastModules[0]), \(Self.fastModules[1]), \(Self.fastModules[2]) and 2 more (--format json lists every file)\n"))
        #expect(text.contains("      the same in 1 more file of the folder vendored/: vendored/extra/_clean.cpython-313-aarch64-linux-gnu.so\n"))
        #expect(text.contains("5 errors, 2 warnings in 1 artifact"))
        #expect(text.contains("by check: wrong-arch 2 (8 files), python-abi-mismatch 3 (9 files), wheel-tag-mismatch 2"))
        // The other files have no finding of their own.
        #expect(!text.contains("  \(Self.fastModules[4])\n"))
    }

    @Test func sarifIsOneResultWithRelatedLocations() throws {
        let result = try Shiplint.run(Self.scan + ["--format", "sarif"])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let run = try #require((document["runs"] as? [[String: Any]])?.first)
        let results = try #require(run["results"] as? [[String: Any]])
        #expect(results.count == 7)
        let wrongArch = try #require(results.first { $0["ruleId"] as? String == "wrong-arch" })
        let related = try #require(wrongArch["relatedLocations"] as? [[String: Any]])
        let uris = related.compactMap { (($0["physicalLocation"] as? [String: Any])?["artifactLocation"] as? [String: Any])?["uri"] as? String }
        #expect(uris == Self.fastModules.map { "\(Self.fixture)/\($0)" })
        #expect(related.map { $0["id"] as? Int } == [1, 2, 3, 4, 5])
        let text = try #require((wrongArch["message"] as? [String: Any])?["text"] as? String)
        #expect(text.contains("The same in 5 more files of fast-pkg 2.1: "))
    }

    @Test func junitIsOneFailurePerCause() throws {
        let xml = try Shiplint.run(Self.scan + ["--format", "junit"]).stdout
        #expect(xml.components(separatedBy: "<failure ").count - 1 == 5)
        #expect(xml.contains("ELF for aarch64 (64-bit little endian); the target runs x86_64 (64-bit little endian) (the same in 5 more files of fast-pkg 2.1)"))
        // The files a grouped failure covers have no case of their own for that check.
        #expect(xml.contains("\(Self.library) [wrong-arch]"))
        #expect(!xml.contains("\(Self.fastModules[1]) [wrong-arch]"))
        #expect(xml.contains("\(Self.fastModules[1]) [exec-stack]"))
    }

    @Test func githubIsOneAnnotationOnTheFirstFile() throws {
        let lines = try Shiplint.run(Self.scan + ["--format", "github"]).stdout.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("::error ") }.count == 5)
        #expect(lines.contains { $0.contains("title=shiplint wrong-arch%3A \(Self.library) and 5 more files of fast-pkg 2.1::") })
    }

    /// The group, not the file, is the identity's place: a baseline written before fast-pkg gained a module still
    /// hides its findings, and no entry is gone.
    @Test func baselineStillMatchesWhenTheDistributionGainsAFile() throws {
        let project = try ScratchProject()
        try project.copyFixture("grouped/function.zip", to: "build/function.zip")
        #expect(try project.run(["baseline", "write", "b.json", "build/function.zip"] + Self.target).status == 0)
        let baseline = try Baseline.parse(Data(try project.read("b.json").utf8), file: "b.json")
        #expect(baseline.entries.count == 7)
        let wrongArch = try #require(baseline.entries.first { $0.identity.check == "wrong-arch" && $0.identity.group == "distribution fast-pkg" })
        #expect(wrongArch.identity.path.isEmpty)
        #expect(wrongArch.message.hasPrefix("\(Self.library) and 5 more files: ELF for aarch64"))

        try FileManager.default.removeItem(atPath: project.path("build/function.zip"))
        try project.copyFixture("grouped/function-more.zip", to: "build/function.zip")
        let findings = try Self.findings(["scan", project.path("build/function.zip")] + Self.target)
        let grown = try #require(findings.first { $0["check"] as? String == "wrong-arch" && $0["path"] as? String == Self.library })
        #expect(Self.files(grown).count == 7)
        let again = try project.run(["scan", "build/function.zip", "--baseline", "b.json"] + Self.target)
        #expect(again.status == 0)
        #expect(again.stdout.contains("baseline b.json: 7 known findings not shown; 0 baseline entries no longer occur"))
    }

    /// A version 2 baseline names files: an entry answers to the grouped finding holding its file (same check,
    /// artifact and fact), so a baseline written before grouping still holds.
    @Test func versionTwoEntryAnswersToTheGroupHoldingItsFile() throws {
        let project = try ScratchProject()
        try project.copyFixture("grouped/function.zip", to: "function.zip")
        let findings = try Self.findings(["scan", project.path("function.zip")] + Self.target)
        let entries: [[String: Any]] = findings.map { finding in
            let files = Self.files(finding)
            return [
                "check": finding["check"] as? String ?? "", "deployment": "", "artifact": "function.zip",
                "path": files.last ?? "", "fact": finding["fact"] as? String ?? "", "message": "recorded by version 2",
            ]
        }
        let document: [String: Any] = ["version": 2, "findings": entries]
        try project.write("b.json", String(decoding: try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys]), as: UTF8.self))
        let scan = try project.run(["scan", "function.zip", "--baseline", "b.json"] + Self.target)
        #expect(scan.status == 0)
        #expect(scan.stdout.contains("baseline b.json: 7 known findings not shown; 0 baseline entries no longer occur"))
        // Rewritten as version 3: one entry per group.
        #expect(try project.run(["baseline", "write", "b.json", "function.zip"] + Self.target).status == 0)
        #expect(try project.read("b.json").contains("\"version\" : 3") || project.read("b.json").contains("\"version\": 3"))
    }

    /// Ignores apply file by file, before grouping: an ignored file leaves the group, which keeps the others.
    @Test func anIgnoredFileLeavesItsGroup() throws {
        let project = try ScratchProject()
        try project.copyFixture("grouped/function.zip", to: "function.zip")
        try project.write(".shiplint.toml", """
            [[ignore]]
            check = "wrong-arch"
            path = "vendored/extra/*.so"
            reason = "never imported: the handler imports vendored only"
            """)
        let (status, report) = try Shiplint.json(["scan", project.path("function.zip"), "--target", "aws-lambda-python3.13-x86_64",
                                                  "--config", project.path(".shiplint.toml")])
        #expect(status == 1)
        let artifact = try #require((report["artifacts"] as? [[String: Any]])?.first)
        let reported = try #require(artifact["findings"] as? [[String: Any]])
        let vendored = try #require(reported.first { $0["check"] as? String == "wrong-arch" && ($0["path"] as? String)?.hasPrefix("vendored/") == true })
        #expect(Self.files(vendored) == ["vendored/_clean.cpython-313-aarch64-linux-gnu.so"])
        let suppressed = try #require(artifact["suppressed"] as? [[String: Any]])
        #expect(suppressed.map { $0["path"] as? String } == ["vendored/extra/_clean.cpython-313-aarch64-linux-gnu.so"])
    }

    // MARK: FindingGrouping on its own

    static let group = FindingGroup(kind: .distribution, name: "Fast_Pkg", version: "2.1", location: "python/")

    static func finding(_ path: String, check: String = "wrong-arch", fact: String = "aarch64", severity: Severity = .error) -> Finding {
        Finding(check: check, severity: severity, artifact: "layer.zip", path: path, message: "about \(path)", fix: "fix", fact: fact, group: group)
    }

    @Test func onlyTheSameCheckFactAndSeverityJoin() {
        let grouped = FindingGrouping.grouped([
            Self.finding("python/b.so"), Self.finding("python/a.so"),
            Self.finding("python/c.so", fact: "i386"),
            Self.finding("python/d.so", severity: .warning),
            Self.finding("python/e.so", check: "corrupt-binary", fact: "unreadable"),
            Self.finding("python/f.so", check: "corrupt-binary", fact: "unreadable"),
            Finding(check: "wrong-arch", severity: .error, artifact: "layer.zip", path: "python/g.so", message: "m", fix: "f", fact: "aarch64"),
        ])
        #expect(grouped.map(\.path) == ["python/a.so", "python/c.so", "python/d.so", "python/e.so", "python/f.so", "python/g.so"])
        #expect(grouped[0].otherFiles == [FindingFile(path: "python/b.so", message: "about python/b.so")])
        #expect(grouped[0].message == "about python/a.so")
        #expect(grouped.dropFirst().allSatisfy { !$0.isGrouped })
        // Every file again, as the checks said it.
        #expect(grouped[0].perFile.map(\.path) == ["python/a.so", "python/b.so"])
    }

    @Test func theGroupKeyIgnoresVersionAndSpelling() {
        #expect(Self.group.key == "distribution python/fast-pkg")
        #expect(FindingGroup(kind: .distribution, name: "fast.pkg", version: "3.0", location: "python/").key == Self.group.key)
        #expect(FindingGroup(kind: .nodePackage, name: "@img/sharp-linux-x64", location: "node_modules/@img/sharp-linux-x64").key
                == "node-package node_modules/@img/sharp-linux-x64")
    }
}
