import Foundation
import Testing

/// What people type: short target names, a scan without a target, completions, the help's defaults, the progress line.
@Suite struct TypingTests {
    @Test(arguments: [
        // function-clean.zip holds one x86_64 CPython 3.13 extension: an arm64 target finds it the wrong architecture.
        ("python3.13", "aws-lambda-python3.13-x86_64", Int32(0)),
        ("python3.13-arm64", "aws-lambda-python3.13-arm64", 1),
        ("python3.13-aarch64", "aws-lambda-python3.13-arm64", 1),
        ("python3.13-x86_64", "aws-lambda-python3.13-x86_64", 0),
        ("aws-lambda-python3.13", "aws-lambda-python3.13-x86_64", 0),
        ("nodejs22.x", "aws-lambda-nodejs22.x-x86_64", 0),
        ("provided.al2023", "aws-lambda-provided.al2023-x86_64", 0),
        ("provided.al2-arm64", "aws-lambda-provided.al2-arm64", 1),
    ])
    func shortTargetNames(typed: String, name: String, status: Int32) throws {
        let result = try Shiplint.run(["scan", "fixtures/artifacts/function-clean.zip", "--target", typed, "--no-config"])
        #expect(result.status == status, "\(result.stderr)")
        #expect(result.stdout.contains(" for \(name) ("), "\(result.stdout.suffix(300))")
    }

    /// A wheel policy has no default architecture: `manylinux2014` alone is not a target.
    @Test func wheelPolicyNeedsItsArchitecture() throws {
        let result = try Shiplint.run(["scan", "fixtures/artifacts/function-clean.zip", "--target", "manylinux2014", "--no-config"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("did you mean manylinux2014-aarch64, manylinux2014-x86_64?"), "\(result.stderr)")
    }

    @Test func typoOfAShortNameGetsTheShortName() throws {
        let result = try Shiplint.run(["scan", "x.zip", "--target", "pyhton3.13", "--no-config"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("did you mean python3.13?"), "\(result.stderr)")
    }

    @Test func targetsListShortNames() throws {
        let listed = try Shiplint.run(["targets"]).stdout.split(separator: "\n")
        let python = try #require(listed.first { $0.hasPrefix("aws-lambda-python3.13-x86_64 ") })
        #expect(python.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first == "python3.13")
        let arm = try #require(listed.first { $0.hasPrefix("aws-lambda-nodejs22.x-arm64 ") })
        #expect(arm.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first == "nodejs22.x-arm64")
        let policy = try #require(listed.first { $0.hasPrefix("manylinux2014-x86_64 ") })
        #expect(policy.contains("  manylinux2014 wheel policy") || policy.contains("wheel policy"))
    }

    /// No target: exit 2, nothing on standard output, and the targets that fit what the artifact holds.
    @Test(arguments: [
        ("function-clean.zip", "fits: --target python3.13\n", "*.cpython-313-x86_64-linux-gnu.so (pkg/_clean.cpython-313-x86_64-linux-gnu.so)"),
        ("function-aarch64.zip", "fits: --target python3.13-arm64\n", "ELF binaries: 1 for aarch64"),
        ("function-glibc228.zip", "fits: --target python3.11\n", "*.cpython-311-x86_64-linux-gnu.so"),
        ("function-windows.zip", "--target python3.13 (x86_64; add -arm64 for arm64)\n", "wheels installed for CPython 3.13 (pydantic_core-2.27.2.dist-info/WHEEL)"),
        ("node/function-node22.zip", "fits: --target nodejs22.x\n", "Node.js addons for NODE_MODULE_VERSION 127 (node_modules/re2/build/Release/re2.node)"),
        ("node/function-node18.zip", "fits: --target nodejs18.x\n", "NODE_MODULE_VERSION 108"),
        ("package/bootstrap-755.zip", "--target provided.al2, provided.al2023\n", "a bootstrap (an OS-only runtime)"),
        ("package/layer-py312.zip", "--target python3.9, python3.10, python3.11, python3.12, python3.13, python3.14 (x86_64; add -arm64 for arm64)\n", "found: Python code\n"),
    ])
    func noTargetNamesTheTargetsThatFit(artifact: String, fits: String, found: String) throws {
        let result = try Shiplint.run(["scan", "fixtures/artifacts/" + artifact, "--no-config"])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix("shiplint: error: no target: pass --target with the runtime the function is deployed to"))
        #expect(result.stderr.hasSuffix(fits), "\(result.stderr)")
        #expect(result.stderr.contains(found), "\(result.stderr)")
    }

    /// Nothing to read: the plain request for a target, no fit.
    @Test func noTargetAndNothingToScan() throws {
        let result = try Shiplint.run(["scan", "--no-config"])
        #expect(result.status == 2)
        #expect(result.stderr == "shiplint: error: no target: pass --target with the runtime the function is deployed to, or set `target` in .shiplint.toml (`shiplint init --target NAME` writes one)\n")
    }

    /// The values this binary completes (the shells ask it with `---completion`; the shells themselves are driven in
    /// `make dist-test`).
    @Test(arguments: [
        (["---completion", "scan", "--", "--target", "3", "4", "shiplint", "scan", "--target", "python3.1"], "python3.13", "aws-lambda-python3.13-x86_64"),
        (["---completion", "scan", "--", "--target", "3", "4", "shiplint", "scan", "--target", "aws-lambda-node"], "aws-lambda-nodejs22.x-arm64", "python3.13"),
        (["---completion", "checks", "show", "--", "positional@0", "3", "5", "shiplint", "checks", "show", "glibc"], "glibc-too-new", "exec-stack"),
    ])
    func completionValues(arguments: [String], offered: String, notOffered: String) throws {
        let result = try Shiplint.run(arguments)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains(offered), "\(lines)")
        #expect(!lines.contains(notOffered))
    }

    /// Rule files and folders are offered for --target, by path.
    @Test func targetCompletionOffersRuleFiles() throws {
        let result = try Shiplint.run(["---completion", "scan", "--", "--target", "3", "17", "shiplint", "scan", "--target", "rules/base/al2-py"])
        #expect(result.stdout.split(separator: "\n") == ["rules/base/al2-python-aarch64.toml", "rules/base/al2-python-x86_64.toml"])
    }

    /// The default of --jobs is written as words, not the core count of the machine that built the help.
    @Test func jobsDefaultIsTheNumberOfCores() throws {
        let help = try Shiplint.run(["scan", "--help"]).stdout.replacingOccurrences(of: "\n", with: " ")
            .replacingOccurrences(of: #" +"#, with: " ", options: .regularExpression)
        #expect(help.contains("--jobs <jobs> Entries and artifacts read at once (default: the number of cores)"))
        // The man page is written from this dump: --jobs must carry no default value there.
        #expect(!jobsHasDefault(try Shiplint.run(["--experimental-dump-help"]).stdout))
    }

    private func jobsHasDefault(_ dump: String) -> Bool {
        guard let data = dump.data(using: .utf8), let object = try? JSONSerialization.jsonObject(with: data) else { return true }
        var found = false
        func walk(_ value: Any) {
            if let dictionary = value as? [String: Any] {
                if dictionary["valueName"] as? String == "jobs", dictionary["defaultValue"] != nil { found = true }
                dictionary.values.forEach(walk)
            } else if let array = value as? [Any] {
                array.forEach(walk)
            }
        }
        walk(object)
        return found
    }

    /// On a terminal (script(1)) the progress line shows bytes read of the total, and is cleared before the report:
    /// the report's first line starts right after the clearing sequence, never after progress text.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/usr/bin/script")))
    func progressShowsBytesAndIsClearedBeforeTheReport() throws {
        let size = try #require(try FileManager.default.attributesOfItem(atPath: Repository.fixture("artifacts/function-windows.zip"))[.size] as? Int)
        let command = try [Repository.binary, "scan", "fixtures/artifacts/function-windows.zip", "--target", "python3.13", "--no-config"].joined(separator: " ")
        let terminal = try runProgram("/usr/bin/script", ["-qec", command, "/dev/null"], environment: ["SHIPLINT_PROGRESS_AFTER": "0", "TERM": "xterm"])
        #expect(terminal.stdout.contains("reading fixtures/artifacts/function-windows.zip (1 of 1): "))
        #expect(terminal.stdout.contains(" read of \(size >> 10) KiB"), "\(terminal.stdout.prefix(300))")
        let reportLine = try #require(terminal.stdout.split(separator: "\n").first { $0.contains("function-windows.zip  (zip, 4 entries") })
        #expect(reportLine.components(separatedBy: "\r\u{1B}[K").last?.hasPrefix("fixtures/artifacts/function-windows.zip  (zip") == true,
                "\(reportLine.debugDescription)")
    }
}
