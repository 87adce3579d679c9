import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import ShiplintReports
import Testing

/// Names from an artifact cannot forge findings, drive the terminal or start GitHub Actions workflow commands: text
/// and github output show them escaped; JSON, SARIF and JUnit carry them exactly (their own escaping keeps them valid).
@Suite struct SafeOutputTests {
    /// A newline and a forged finding line, ESC sequences (clear screen, window title), BEL, a C1 CSI and a bidi
    /// override, all in one entry name; and a name that is a workflow command.
    static let forged = "pkg/evil\n  error[fake-check] forged finding\u{1B}[2J\u{1B}]0;pwned\u{07}\u{202E}gnp\u{9B}.txt"
    static let command = "::warning::forged.py"

    /// Builds the ZIP at test time with Python's zipfile: both entries mode 600, so `unreadable-file` reports them.
    private func hostileZip() throws -> ScratchProject {
        let project = try ScratchProject()
        let script = """
            import sys, zipfile
            with zipfile.ZipFile(sys.argv[1], "w") as archive:
                for name in sys.argv[2:]:
                    info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
                    info.create_system = 3
                    info.external_attr = 0o100600 << 16
                    archive.writestr(info, "print('hi')\\n")
                info = zipfile.ZipInfo("handler.py", date_time=(2024, 1, 1, 0, 0, 0))
                info.create_system = 3
                info.external_attr = 0o100644 << 16
                archive.writestr(info, "def handler(e, c): pass\\n")
            """
        let made = try runProgram("/usr/bin/env", ["python3", "-c", script, project.path("evil.zip"), Self.forged, Self.command])
        try #require(made.status == 0, "python3 zipfile: \(made.stderr)")
        return project
    }

    private func scan(_ project: ScratchProject, _ format: String) throws -> CommandResult {
        let result = try project.run(["scan", "evil.zip", "--target", "aws-lambda-python3.13-x86_64", "--no-config", "--format", format])
        #expect(result.status == 1, "\(format): \(result.stderr)")
        return result
    }

    /// No raw control character, no line a terminal or the Actions runner would act on.
    private func expectInert(_ output: String, format: String) {
        #expect(!output.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\n") || (0x7F...0x9F).contains($0.value) || (0x202A...0x202E).contains($0.value) }, "\(format)")
        for line in output.split(separator: "\n") {
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            #expect(!trimmed.hasPrefix("error[fake-check]"), "\(format): forged line \(line)")
            if format == "text" { #expect(!trimmed.hasPrefix("::"), "text: workflow command \(line)") }
        }
    }

    @Test func textShowsEscapes() throws {
        let output = try scan(try hostileZip(), "text").stdout
        expectInert(output, format: "text")
        #expect(output.contains("  pkg/evil\\x0a  error[fake-check] forged finding\\x1b[2J\\x1b]0;pwned\\x07\\u{202e}gnp\\u{9b}.txt\n"))
        #expect(output.contains("  \\x3a:warning::forged.py\n"))
        #expect(output.contains("error[unreadable-file] stored with mode 600"))
    }

    @Test func githubShowsEscapesAndOnlyItsOwnCommands() throws {
        let output = try scan(try hostileZip(), "github").stdout
        expectInert(output, format: "github")
        let lines = output.split(separator: "\n")
        // One command per finding (every one an error here), then the summary; nothing else looks like a command.
        #expect(lines.dropLast().allSatisfy { $0.hasPrefix("::error file=evil.zip,title=shiplint ") })
        #expect(lines.last?.hasPrefix("shiplint: \(lines.count - 1) errors") == true)
        #expect(lines.contains { $0.hasPrefix("::error file=evil.zip,title=shiplint unreadable-file%3A %3A%3Awarning") })
        #expect(output.contains("pkg/evil\\x0a  error[fake-check] forged finding\\x1b[2J\\x1b]0;pwned\\x07\\u{202e}gnp\\u{9b}.txt"))
        #expect(output.contains("%3A%3Awarning%3A%3Aforged.py"))
    }

    @Test func jsonCarriesTheExactNames() throws {
        let output = try scan(try hostileZip(), "json").stdout
        let document = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        let artifact = try #require((document["artifacts"] as? [[String: Any]])?.first)
        let paths = Set((artifact["findings"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String })
        #expect(paths.isSuperset(of: [Self.forged, Self.command]))
        #expect(!output.contains("\u{1B}"))
    }

    @Test func sarifCarriesTheExactNames() throws {
        let output = try scan(try hostileZip(), "sarif").stdout
        let document = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        let results = try #require((document["runs"] as? [[String: Any]])?.first?["results"] as? [[String: Any]])
        let uris = Set(results.compactMap {
            (($0["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any]).flatMap { ($0["artifactLocation"] as? [String: Any])?["uri"] as? String }
        })
        #expect(uris.isSuperset(of: [SarifReport.uri(artifact: "evil.zip", path: Self.forged), SarifReport.uri(artifact: "evil.zip", path: Self.command)]))
        #expect(uris.contains("evil.zip/pkg/evil%0A%20%20error%5Bfake-check%5D%20forged%20finding%1B%5B2J%1B%5D0%3Bpwned%07%E2%80%AEgnp%C2%9B.txt"))
    }

    @Test func junitStaysValidXML() throws {
        let output = try scan(try hostileZip(), "junit").stdout
        let document = try XMLDocument(xmlString: output)
        let names = Set(try document.nodes(forXPath: "//testcase").compactMap { ($0 as? XMLElement)?.attribute(forName: "name")?.stringValue })
        #expect(names.contains(JUnitReport.xmlSafe(Self.forged) + " [unreadable-file]"))
        #expect(names.contains(Self.command + " [unreadable-file]"))
        #expect(try document.nodes(forXPath: "//failure").count >= 2)
    }
}
