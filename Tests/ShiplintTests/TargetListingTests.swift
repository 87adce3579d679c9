import Foundation
import ShiplintTargets
import Testing

/// Every built-in Lambda target's library lists against the committed listings they come from (rules/listings/,
/// taken inside live Lambda functions), read here on their own: a rule file regenerated, hand-edited or extended
/// cannot drift from its source. And the committed rule files are exactly what rules/generate.py writes from them.
@Suite struct TargetListingTests {
    static let listings = Repository.root + "/rules/listings/"

    /// Soname lines of a listing (no comments, no blank lines), in order, each once.
    static func sonames(_ file: String) throws -> [String] {
        var seen = Set<String>()
        return try String(contentsOfFile: listings + file, encoding: .utf8).split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") && seen.insert($0).inserted }
    }

    /// var-lang-lib.txt: "runtime arch" -> the sonames of its section (first word of each line).
    static let langLib: [String: [String]] = {
        guard let text = try? String(contentsOfFile: listings + "var-lang-lib.txt", encoding: .utf8) else { return [:] }
        var sections: [String: [String]] = [:]
        var current: String?
        for line in text.split(whereSeparator: \.isNewline).map(String.init) {
            if line.hasPrefix("# --- ") {
                let words = line.split(separator: " ")
                current = "\(words[2]) \(words[3])"
                sections[current!] = []
            } else if !line.hasPrefix("#"), let current, let soname = line.split(separator: " ").first {
                sections[current]?.append(String(soname))
            }
        }
        return sections
    }()

    static let lambdaTargets: [String] = ((try? TargetCatalog.builtIn.targets()) ?? []).map(\.name).filter { $0.hasPrefix("aws-lambda-") }

    @Test func everyRuntimeOfTheListIsATarget() {
        #expect(Self.lambdaTargets.count == 52, "\(Self.lambdaTargets.count) Lambda targets")
        for runtime in ["java8.al2023", "java11.al2023", "java17.al2023", "java25", "ruby3.2", "ruby3.3", "ruby3.4", "ruby4.0", "dotnet8", "dotnet10"] {
            for arch in ["x86_64", "arm64"] { #expect(Self.lambdaTargets.contains("aws-lambda-\(runtime)-\(arch)")) }
        }
    }

    @Test(arguments: lambdaTargets)
    func librariesAreTheListings(name: String) throws {
        let target = try TargetCatalog.builtIn.load(name)
        let arch = target.platform.arch.lambdaName
        let runtime = try #require(target.platform.runtime)
        // The OS: /lib64 + /usr/lib64 of the live provided.al2 / provided.al2023 listing (x86_64); on arm64 the
        // listings' headers say the loader is ld-linux-aarch64.so.1 and there is no libmvec.so.1.
        var os = try Self.sonames(target.platform.displayName == "Amazon Linux 2023" ? "al2023-lambda-os.txt" : "al2-lambda-os.txt")
        if arch == "arm64" { os = os.filter { $0 != "libmvec.so.1" }.map { $0 == "ld-linux-x86-64.so.2" ? "ld-linux-aarch64.so.1" : $0 } }
        #expect(target.libraries.os == os, "\(name): libraries.os differs from its listing")
        // The runtime's own: what var-lang-lib.txt lists directly in /var/lang/lib (OS-only runtimes have nothing there).
        let own = runtime.hasPrefix("provided") ? [] : try #require(Self.langLib["\(runtime) \(arch)"], "no var-lang-lib.txt section for \(runtime) \(arch)")
        #expect(target.libraries.runtime == own, "\(name): libraries.runtime differs from var-lang-lib.txt")
        // What is known absent is absent, and every runtime has its deprecation date.
        for soname in target.libraries.knownAbsent.map(\.soname) {
            #expect(!target.libraries.present.contains(soname), "\(name): \(soname) is both present and known absent")
        }
        #expect(RuntimeLifecycle.builtIn.deprecation[runtime] != nil, "\(runtime) has no deprecation date")
    }

    /// rules/generate.py, run on the committed listings, writes the committed rule files byte for byte.
    @Test func ruleFilesAreWhatTheGeneratorWrites() throws {
        let out = Scratch.url("shiplint-rules").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let run = try runProgram("/usr/bin/env", ["python3", "rules/generate.py", "--out", out])
        #expect(run.status == 0, "\(run.stderr)")
        let written = try FileManager.default.subpathsOfDirectory(atPath: out).filter { $0.hasSuffix(".toml") }.sorted()
        #expect(written.count >= 70, "\(written.count) files written")
        for file in written {
            let fresh = try String(contentsOfFile: out + "/" + file, encoding: .utf8)
            let committed = try? String(contentsOfFile: Repository.root + "/rules/" + file, encoding: .utf8)
            #expect(committed == fresh, "rules/\(file) is not what rules/generate.py writes: run `python3 rules/generate.py`")
        }
        // And no committed generated file is left that the generator no longer writes.
        let committed = try FileManager.default.subpathsOfDirectory(atPath: Repository.root + "/rules").filter { path in
            path.hasSuffix(".toml") && (try? String(contentsOfFile: Repository.root + "/rules/" + path, encoding: .utf8))?.contains("Written by rules/generate.py") == true
        }
        #expect(Set(committed) == Set(written), "generated files in rules/ and the generator's output differ: \(Set(committed).symmetricDifference(written))")
    }
}
