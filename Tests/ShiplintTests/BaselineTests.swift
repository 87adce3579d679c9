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
    }

    /// Matching is on check, artifact, path and fact: a reworded message still matches; another fact does not.
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
        // Both findings on the .pyd share its fact, so both are new; the wheel's finding still matches.
        #expect(changed.stdout.contains("error[windows-binary]"))
        #expect(changed.stdout.contains("error[python-abi-mismatch]"))
        #expect(changed.stdout.contains("; 2 baseline entries no longer occur"))
    }

    @Test(arguments: [
        ("{\"version\": 2, \"findings\": []}", "b.json: at 'version': unsupported version 2 (this shiplint reads version 1)"),
        ("{\"findings\": []}", "b.json: at 'version': missing or not an integer"),
        ("{\"version\": 1, \"findings\": [], \"extra\": 1}", "b.json: at 'extra': unknown key (allowed here: findings, target, tool, version)"),
        ("{\"version\": 1, \"findings\": [{\"check\": \"x\", \"artifact\": \"a\", \"path\": \"p\"}]}", "b.json: at 'findings[0].fact': missing or not a string"),
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
        #expect(text.contains("\"version\": 1"))
    }
}
