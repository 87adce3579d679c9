import Foundation
import Testing

/// Real addons: Debian 12's node-re2 (legacy, exports node_register_module_v108), node-node-expat (legacy, constructor
/// registration only), node-sqlite3 (Node-API, in napi-v3 / napi-v6 folders) and node-iconv (Node-API), all built for
/// Debian's Node.js 18. Fetched with `apt-get download` on first use and kept in .build/debian-node-addons; when apt
/// cannot download them the tests say so and check nothing.
@Suite(.serialized) struct DebianAddonTests {
    static let packages = ["node-re2", "node-node-expat", "node-sqlite3", "node-iconv"]
    static let cache = Repository.root + "/.build/debian-node-addons"
    /// Where the packages' files are unpacked; the addons live under usr/lib/<triplet>/nodejs.
    static let unpacked = cache + "/root"

    /// The unpacked nodejs folder, or why it is not there.
    static let addons: Result<String, SkipReason> = {
        let fileManager = FileManager.default
        try? fileManager.createDirectory(atPath: cache, withIntermediateDirectories: true)
        func debs() -> [String] { ((try? fileManager.contentsOfDirectory(atPath: cache)) ?? []).filter { $0.hasSuffix(".deb") } }
        let missing = packages.filter { name in !debs().contains { $0.hasPrefix(name + "_") } }
        if !missing.isEmpty {
            guard let download = try? runProgram("/usr/bin/apt-get", ["download"] + missing, in: cache), download.status == 0 else {
                return .failure(SkipReason(text: "apt-get download \(missing.joined(separator: " ")) failed (no network or no Debian archive)"))
            }
        }
        for deb in debs().sorted() {
            guard let extract = try? runProgram("/usr/bin/dpkg-deb", ["-x", cache + "/" + deb, unpacked]), extract.status == 0 else {
                return .failure(SkipReason(text: "dpkg-deb -x \(deb) failed"))
            }
        }
        let candidates = ["x86_64-linux-gnu", "aarch64-linux-gnu"].map { unpacked + "/usr/lib/\($0)/nodejs" }
        guard let folder = candidates.first(where: { fileManager.fileExists(atPath: $0) }) else {
            return .failure(SkipReason(text: "no usr/lib/<triplet>/nodejs in the downloaded packages"))
        }
        return .success(folder)
    }()

    struct SkipReason: Error { let text: String }

    /// `scan --format json` of the unpacked folder: node-abi-mismatch findings by path.
    static func abiFindings(_ folder: String, target: String) throws -> [String] {
        let result = try Shiplint.run(["scan", folder, "--target", target, "--format", "json"])
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
        return (json["artifacts"] as? [[String: Any]] ?? []).flatMap { artifact in
            // Every file of each finding (one cause in several files of a package is one finding listing them).
            (artifact["findings"] as? [[String: Any]] ?? []).filter { $0["check"] as? String == "node-abi-mismatch" }.flatMap { finding in
                (finding["files"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String }
            }
        }.sorted()
    }

    @Test func nodejs18AcceptsAllFour() throws {
        guard case .success(let folder) = Self.addons else {
            if case .failure(let reason) = Self.addons { print("skip: \(reason.text)") }
            return
        }
        #expect(try Self.abiFindings(folder, target: "aws-lambda-nodejs18.x-x86_64") == [])
    }

    @Test func nodejs20RejectsTheLegacyOnes() throws {
        guard case .success(let folder) = Self.addons else {
            if case .failure(let reason) = Self.addons { print("skip: \(reason.text)") }
            return
        }
        let findings = try Self.abiFindings(folder, target: "aws-lambda-nodejs20.x-x86_64")
        #expect(findings.contains("re2/build/Release/re2.node"), "\(findings)")
        // Registered from a constructor only: N comes from its struct node_module.
        #expect(findings.contains("node-expat/build/Release/node_expat.node"), "\(findings)")
        #expect(!findings.contains { $0.hasPrefix("sqlite3/") || $0.hasPrefix("iconv/") }, "Node-API addons load on any Node.js: \(findings)")
    }

    @Test func inspectNamesEachKind() throws {
        guard case .success(let folder) = Self.addons else {
            if case .failure(let reason) = Self.addons { print("skip: \(reason.text)") }
            return
        }
        let result = try Shiplint.run(["inspect", folder, "--format", "json"])
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
        let binaries = (json["artifacts"] as? [[String: Any]])?.first?["binaries"] as? [[String: Any]] ?? []
        func addon(_ path: String) -> String? {
            guard let entry = binaries.first(where: { $0["path"] as? String == path }), let kind = entry["node_addon"] as? [String: Any] else { return nil }
            return FixtureFactsTests.canonical(kind)
        }
        #expect(addon("re2/build/Release/re2.node") == #"[{"kind":"legacy","module_version":108}]"#)
        #expect(addon("sqlite3/lib/binding/napi-v6-linux-glibc-x64/node_sqlite3.node")?.contains(#""kind":"node-api""#) == true)
        #expect(addon("iconv/build/Release/iconv.node")?.contains(#""kind":"node-api""#) == true)
        #expect(addon("node-expat/build/Release/node_expat.node") == #"[{"kind":"legacy","module_version":108}]"#)
    }
}
