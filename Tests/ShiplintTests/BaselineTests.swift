import Foundation
@testable import ShiplintPolicy
import Testing

/// `baseline write` records today's findings; `scan --baseline` reports only new ones and counts the gone.
@Suite struct BaselineTests {
    static let target = ["--target", "aws-lambda-python3.13-x86_64", "--no-config"]

    @Test func knownFindingsAreNotReportedAndGoneOnesAreCounted() throws {
        let project = try ScratchProject()
        try project.copyFixture("function-windows.zip", to: "build/function.zip")
        try project.copyFixture("function-clean.zip", to: "build/clean.zip")
        let write = try project.run(["baseline", "write", "baseline.json", "build/function.zip"] + Self.target)
        #expect(write.status == 0)
        #expect(write.stdout.isEmpty)
        let baseline = try Baseline.parse(Data(try project.read("baseline.json").utf8), file: "baseline.json")
        #expect(baseline.entries.contains { $0.identity.check == "windows-binary" && $0.identity.fact == "pe x86_64 dll" })
        #expect(baseline.entries.allSatisfy { $0.identity.artifact == "build/function.zip" })

        // Same findings (the path spelt with ./): nothing new, exit 0.
        let again = try project.run(["scan", "./build/function.zip", "--baseline", "baseline.json"] + Self.target)
        #expect(again.status == 0)
        #expect(again.stdout.contains("no findings"))
        #expect(again.stdout.contains("baseline baseline.json: \(baseline.entries.count) known findings not shown; 0 baseline entries no longer occur"))

        // The artifact is fixed: every entry is gone.
        try FileManager.default.removeItem(atPath: project.path("build/function.zip"))
        try project.copyFixture("function-clean.zip", to: "build/function.zip")
        let fixed = try project.run(["scan", "build/function.zip", "--baseline", "baseline.json", "--format", "json"] + Self.target)
        #expect(fixed.status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(fixed.stdout.utf8)) as? [String: Any])
        let summary = try #require(json["baseline"] as? [String: Any])
        #expect(summary["known"] as? Int == 0)
        #expect(summary["gone"] as? Int == baseline.entries.count)

        // Entries of artifacts not scanned are neither known nor gone.
        let other = try project.run(["scan", "build/clean.zip", "--baseline", "baseline.json", "--format", "json"] + Self.target)
        let otherSummary = try #require((try JSONSerialization.jsonObject(with: Data(other.stdout.utf8)) as? [String: Any])?["baseline"] as? [String: Any])
        #expect(otherSummary["gone"] as? Int == 0)
        // … but they are said: a baseline for other paths never matches nothing in silence.
        #expect(otherSummary["unscanned"] as? Int == baseline.entries.count)
        let otherText = try project.run(["scan", "build/clean.zip", "--baseline", "baseline.json"] + Self.target)
        #expect(otherText.stdout.contains("; \(baseline.entries.count) entries are for artifacts not scanned in this run"))
    }

    /// Matching is on what is wrong (check, artifact, path, fact): a reworded message still matches; another fact
    /// on the same file does not.
    @Test func matchingIgnoresTheMessageButNotTheFact() throws {
        let project = try ScratchProject()
        try project.copyFixture("function-windows.zip", to: "function.zip")
        #expect(try project.run(["baseline", "write", "b.json", "function.zip"] + Self.target).status == 0)
        let original = try project.read("b.json")
        try project.write("b.json", original.replacingOccurrences(of: "Windows PE DLL", with: "A reworded message about a DLL"))
        #expect(try project.run(["scan", "function.zip", "--baseline", "b.json"] + Self.target).status == 0)
        try project.write("b.json", original.replacingOccurrences(of: "\"pe x86_64 dll\"", with: "\"pe aarch64 dll\""))
        let changed = try project.run(["scan", "function.zip", "--baseline", "b.json"] + Self.target)
        #expect(changed.status == 1)
        #expect(changed.stdout.contains("error[windows-binary] Windows PE DLL"))
        // The python-abi-mismatch on the same .pyd is about its name suffix, which did not change.
        #expect(!changed.stdout.contains("python-abi-mismatch"))
        #expect(changed.stdout.contains("; 1 baseline entry no longer occurs"))
    }

    /// The case: a baseline taken when the binary missed only libGL.so.1 must not hide libpq.so.5 when the
    /// same binary needs it too (same check, same path).
    @Test func aNewMissingLibraryOnTheSameBinaryIsReported() throws {
        let project = try ScratchProject()
        try project.copyFixture("resolve/missing-system.zip", to: "build/function.zip")
        #expect(try project.run(["baseline", "write", "b.json", "build/function.zip"] + Self.target).status == 0)
        // The baseline as it was before the binary needed libpq: only the libGL entry.
        let full = try Baseline.parse(Data(try project.read("b.json").utf8), file: "b.json")
        #expect(Set(full.entries.map(\.identity.fact)) == ["libGL.so.1", "libpq.so.5"])
        let libGLOnly = Baseline.v2(full.entries.filter { $0.identity.fact == "libGL.so.1" })
        try project.write("b.json", libGLOnly.rendered(target: "aws-lambda-python3.13-x86_64"))

        let scan = try project.run(["scan", "build/function.zip", "--baseline", "b.json"] + Self.target)
        #expect(scan.status == 1)
        #expect(scan.stdout.contains("error[missing-library] needs libpq.so.5"))
        #expect(!scan.stdout.contains("needs libGL.so.1"))
        #expect(scan.stdout.contains("baseline b.json: 1 known finding not shown; 0 baseline entries no longer occur"))
    }

    /// Artifact paths in a baseline are relative to the project root (here the configuration's folder), so a baseline
    /// written from one folder matches a scan from another; a moved artifact shows as gone, never as silently matched.
    @Test func baselineWorksFromAnyWorkingFolder() throws {
        let project = try ScratchProject()
        try project.copyFixture("function-windows.zip", to: "build/function.zip")
        try project.write(".shiplint.toml", "target = \"aws-lambda-python3.13-x86_64\"\n")
        #expect(try project.run(["baseline", "write", "../b.json", "function.zip"], in: "build").status == 0)
        let baseline = try Baseline.parse(Data(try project.read("b.json").utf8), file: "b.json")
        #expect(!baseline.entries.isEmpty && baseline.entries.allSatisfy { $0.identity.artifact == "build/function.zip" })
        let fromRoot = try project.run(["scan", "build/function.zip", "--baseline", "b.json"])
        #expect(fromRoot.status == 0)
        #expect(fromRoot.stdout.contains("\(baseline.entries.count) known findings not shown; 0 baseline entries no longer occur"))
        try project.makeFolder("deep/er")
        let fromElsewhere = try project.run(["scan", "../../build/function.zip", "--baseline", "../../b.json"], in: "deep/er")
        #expect(fromElsewhere.status == 0)
        #expect(fromElsewhere.stdout.contains("\(baseline.entries.count) known findings not shown"))
    }

    /// A version 1 baseline (check, artifact, path; its fact described the file) is still read: each entry hides one
    /// finding on its path, so a second problem on the same file is still reported.
    @Test func versionOneBaselineIsReadAndHidesOneFindingPerEntry() throws {
        let project = try ScratchProject()
        try project.copyFixture("resolve/missing-system.zip", to: "function.zip")
        try project.write("b.json", """
            {"version": 1, "tool": "shiplint 0.1.0", "target": "aws-lambda-python3.13-x86_64", "findings": [
              {"check": "missing-library", "artifact": "function.zip", "path": "pkg/_system.cpython-313-x86_64-linux-gnu.so",
               "fact": "elf x86_64 64-bit", "message": "needs libGL.so.1"}]}
            """)
        let scan = try project.run(["scan", "function.zip", "--baseline", "b.json"] + Self.target)
        #expect(scan.status == 1)
        #expect(scan.stdout.contains("baseline b.json: 1 known finding not shown; 0 baseline entries no longer occur"))
        #expect(scan.stdout.contains("error[missing-library]"))
    }

    @Test(arguments: [
        ("{\"version\": 4, \"findings\": []}", "b.json: at 'version': unsupported version 4 (this shiplint reads versions 1, 2 and 3)"),
        ("{\"version\": 3, \"findings\": [{\"check\": \"exec-stack\", \"artifact\": \"a\", \"group\": \"folder lib\", \"path\": \"lib/x.so\", \"fact\": \"\"}]}",
         "b.json: at 'findings[0].path': an entry names its group or its path, not both (the path is empty when the group is set)"),
        ("{\"findings\": []}", "b.json: at 'version': missing or not an integer"),
        ("{\"version\": 1, \"findings\": [], \"extra\": 1}", "b.json: at 'extra': unknown key (allowed here: findings, target, tool, version)"),
        ("{\"version\": 2, \"findings\": [{\"check\": \"exec-stack\", \"artifact\": \"a\", \"path\": \"p\"}]}", "b.json: at 'findings[0].fact': missing or not a string"),
        ("{\"version\": 2, \"findings\": [{\"check\": \"exec-stak\", \"artifact\": \"a\", \"path\": \"p\", \"fact\": \"\"}]}", "b.json: at 'findings[0].check': unknown check 'exec-stak'; did you mean 'exec-stack'? (`shiplint checks` lists them)"),
        ("{\"version\": 1, \"findings\": [{\"check\": \"x\", \"artifact\": \"a\", \"path\": \"p\", \"fact\": \"\"}]}", "b.json: at 'findings[0].check': unknown check 'x' (`shiplint checks` lists them)"),
        ("{\"version\": 1, \"findings\": [{\"check\": \"exec-stack\", \"deployment\": \"d\", \"artifact\": \"a\", \"path\": \"p\", \"fact\": \"\"}]}", "b.json: at 'findings[0].deployment': unknown key (allowed here: artifact, check, fact, message, path)"),
        ("[1]", "b.json: not a JSON object; is this a shiplint baseline?"),
    ])
    func badBaselineIsExitTwo(text: String, message: String) throws {
        let project = try ScratchProject()
        try project.copyFixture("function-clean.zip", to: "function.zip")
        try project.write("b.json", text)
        let result = try project.run(["scan", "function.zip", "--baseline", "b.json"] + Self.target)
        #expect(result.status == 2)
        #expect(result.stderr == "shiplint: error: \(message)\n")
    }

    @Test func writtenBaselineIsStable() throws {
        let project = try ScratchProject()
        try project.copyFixture("function-windows.zip", to: "function.zip")
        #expect(try project.run(["baseline", "write", "one.json", "function.zip"] + Self.target).status == 0)
        #expect(try project.run(["baseline", "write", "two.json", "function.zip"] + Self.target).status == 0)
        let text = try project.read("one.json")
        #expect(text == (try project.read("two.json")))
        #expect(text.contains("\"version\": 3"))
        #expect(text.contains("\"fact\": \"cp313-win_amd64.pyd\"") || text.contains("\"fact\": \".cp313-win_amd64.pyd\""))
    }
}

/// `baseline write PROJECT`: every function's findings, each with its deployment; `scan PROJECT --baseline` counts
/// over the project (a function not selected leaves its entries unscanned, not gone).
@Suite struct ProjectBaselineTests {
    static func terraformProject() throws -> ScratchProject {
        let project = try ScratchProject()
        try project.makeFolder("build")
        for file in ["plan.json", "build/api.zip", "build/deps.zip", "build/worker.zip"] {
            try FileManager.default.copyItem(atPath: Repository.root + "/fixtures/deployments/terraform/" + file, toPath: project.path(file))
        }
        return project
    }

    static func summary(_ result: CommandResult) throws -> [String: Any] {
        try #require((try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])?["baseline"] as? [String: Any])
    }

    @Test func aProjectBaselineHidesEveryFunctionsFindings() throws {
        let project = try Self.terraformProject()
        let write = try project.run(["baseline", "write", "b.json", ".", "--no-config", "--today", "2026-12-01"])
        #expect(write.status == 0, "\(write.stderr)")
        #expect(write.stderr.contains("findings of 3 functions to b.json"))
        let baseline = try Baseline.parse(Data(try project.read("b.json").utf8), file: "b.json")
        #expect(baseline.entries.contains { $0.identity.check == "wrong-arch" && $0.identity.deployment == "aws_lambda_function.api (tf-api)" && $0.identity.artifact == "build/api.zip" })
        #expect(baseline.entries.contains { $0.identity.check == "deployment-not-checked" && $0.identity.artifact == "plan.json" })

        let scan = try project.run(["scan", ".", "--baseline", "b.json", "--no-config", "--today", "2026-12-01", "--fail-on", "warning", "--format", "json"])
        #expect(scan.status == 0, "\(scan.stdout)")
        let counts = try Self.summary(scan)
        #expect(counts["known"] as? Int == baseline.entries.count)
        #expect(counts["gone"] as? Int == 0)
        #expect(counts["unscanned"] as? Int == 0)

        // One function selected: the others' entries are unscanned, not gone.
        let one = try project.run(["scan", ".", "--function", "tf-api", "--baseline", "b.json", "--no-config", "--today", "2026-12-01", "--format", "json"])
        let oneCounts = try Self.summary(one)
        let apiEntries = baseline.entries.filter { $0.identity.deployment == "aws_lambda_function.api (tf-api)" }.count
        #expect(oneCounts["known"] as? Int == apiEntries)
        #expect(oneCounts["gone"] as? Int == 0)
        #expect(oneCounts["unscanned"] as? Int == baseline.entries.count - apiEntries)
    }
}
