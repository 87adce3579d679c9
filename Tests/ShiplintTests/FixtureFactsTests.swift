import Foundation
import Testing

/// `inspect --format json` on every fixture against `fixtures/expected-facts.json`, which the fixture recipe wrote
/// from what it built (and checked with readelf / llvm-objdump), not from shiplint's output.
@Suite struct FixtureFactsTests {
    /// artifact -> binary path -> field -> the expected value as canonical JSON text.
    static let expected: [String: [String: [String: String]]] = {
        let url = URL(fileURLWithPath: Repository.fixture("expected-facts.json"))
        guard let data = try? Data(contentsOf: url),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: [String: [String: Any]]]
        else { return [:] }
        return object.mapValues { binaries in binaries.mapValues { fields in fields.mapValues(canonical) } }
    }()

    static func canonical(_ value: Any?) -> String {
        guard let value, !(value is NSNull) else { return "null" }
        guard let data = try? JSONSerialization.data(withJSONObject: [value], options: [.sortedKeys, .fragmentsAllowed]) else { return "\(value)" }
        return String(decoding: data, as: UTF8.self)
    }

    @Test func oracleIsThere() {
        #expect(Self.expected.count >= 40, "fixtures/expected-facts.json is missing or small")
    }

    @Test(arguments: expected.keys.sorted())
    func factsMatchTheRecipe(artifact: String) throws {
        let expectation = try #require(Self.expected[artifact])
        let result = try Shiplint.run(["inspect", Repository.fixture(artifact), "--format", "json"])
        #expect(result.status == 0)
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
        let artifacts = json["artifacts"] as? [[String: Any]] ?? []
        let binaries = (artifacts.first?["binaries"] as? [[String: Any]]) ?? []
        let byPath = Dictionary(binaries.map { (($0["path"] as? String) ?? "", $0) }, uniquingKeysWith: { first, _ in first })
        for (path, fields) in expectation.sorted(by: { $0.key < $1.key }) {
            let got = try #require(byPath[path], "\(artifact): no binary \(path) in \(byPath.keys.sorted())")
            for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
                #expect(Self.canonical(got[key]) == value, "\(artifact) \(path) \(key)")
            }
        }
    }
}
