import Foundation
import Testing
import ShiplintFacts
import ShiplintReading

/// shiplint links FoundationEssentials only (docs/install.md#size); what it took from full Foundation before is
/// written in ShiplintFacts and ShiplintReading. Foundation is the oracle here: the same inputs, generated, must
/// give the same answers.
struct EssentialsParityTests {
    /// A deterministic generator (SplitMix64), so a failure names a round that can be run again.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
        mutating func text(from pieces: [String], upTo count: Int) -> String {
            (0..<below(count + 1)).map { _ in pieces[below(pieces.count)] }.joined()
        }
    }

    @Test func pathNamesAsNSString() {
        var random = Generator(state: 1)
        // ASCII: Foundation's own deletingLastPathComponent traps on some non-ASCII paths (String._startOfLastPathComponent).
        let pieces = ["/", "//", "a", "b.c", ".", "..", " ", "x/", "~"]
        for round in 0..<20_000 {
            let path = random.text(from: pieces, upTo: 6)
            let component = random.text(from: pieces, upTo: 3)
            let ns = path as NSString
            // Repeated slashes: Foundation's own compression of them is inconsistent ("//" → "", "///a//b//" → parent
            // "/a/"); PathName treats them as one, as the kernel does. Not compared.
            if path.contains("//") { continue }
            #expect(PathName.last(path) == ns.lastPathComponent, "round \(round): last of '\(path)'")
            // Foundation traps on one relative component ("a", "a/"): NSString's documented answer is "".
            if !path.isEmpty, !path.drop(while: { $0 != "/" }).contains(where: { $0 != "/" }), !path.hasPrefix("/") {
                #expect(PathName.parent(path) == "", "round \(round): parent of '\(path)'")
            } else {
                #expect(PathName.parent(path) == ns.deletingLastPathComponent, "round \(round): parent of '\(path)'")
            }
            #expect(PathName.appending(path, component) == ns.appendingPathComponent(component), "round \(round): '\(path)' + '\(component)'")
        }
    }

    /// `standardizingPath` on absolute paths that name nothing on disk (as ld.so.conf's folders are compared).
    @Test func standardizedAsNSString() {
        var random = Generator(state: 2)
        let pieces = ["/", "//", "nowhere-a", "nowhere-b", ".", "..", "./", "../"]
        for round in 0..<10_000 {
            let path = "/shiplint-absent" + random.text(from: pieces, upTo: 6)
            #expect(PathName.standardized(path) == (path as NSString).standardizingPath, "round \(round): '\(path)'")
        }
    }

    @Test func trimmingAsCharacterSet() {
        var random = Generator(state: 3)
        let pieces = ["a", " ", "\t", "\n", "\r", "\u{0B}", "\u{0C}", "\u{85}", "\u{A0}", "\u{2003}", "\u{2028}", "\u{2029}", "\u{3000}", "é", "e\u{301}", "\u{301}", "\u{200B}", "\u{FEFF}", "x y"]
        for round in 0..<20_000 {
            let text = random.text(from: pieces, upTo: 6)
            #expect(text.trimmingWhitespace() == text.trimmingCharacters(in: .whitespaces), "round \(round): \(Array(text.unicodeScalars))")
            #expect(text.trimmingWhitespaceAndNewlines() == text.trimmingCharacters(in: .whitespacesAndNewlines), "round \(round): \(Array(text.unicodeScalars))")
        }
    }

    @Test func lastRangeAndPaddingAsFoundation() {
        var random = Generator(state: 4)
        let pieces = [".so", ".so.", "so.", ".", "a", "node_modules/", "/", "é"]
        for round in 0..<20_000 {
            let text = random.text(from: pieces, upTo: 6)
            let needle = [".so.", "node_modules/", "a.", ".so"][random.below(4)]
            let mine = text.lastRange(of: needle).map { text.distance(from: text.startIndex, to: $0.lowerBound) }
            let theirs = text.range(of: needle, options: .backwards).map { text.distance(from: text.startIndex, to: $0.lowerBound) }
            #expect(mine == theirs, "round \(round): '\(text)' '\(needle)'")
            let width = random.below(12)
            #expect(text.padded(toLength: width) == text.padding(toLength: width, withPad: " ", startingAt: 0), "round \(round): '\(text)' to \(width)")
        }
    }

    /// `localizedStandardCompare`, numbers by value, case aside. The text report sorts ignore entries' key paths
    /// (`ignore[9]`, `ignore[10]`), which differ in their number; names equal but for case or leading zeros, which
    /// the test process's ICU collation data and the release's CoreFoundation (without it) may order differently,
    /// are not generated, nor punctuation, which ICU orders by its own table (the key paths above are held below).
    @Test func naturalOrderAsLocalizedStandardCompare() {
        var random = Generator(state: 5)
        let pieces = ["a", "b", "lib", "1", "2", "9", "10", "x"]
        for round in 0..<20_000 {
            let left = "dir/" + random.text(from: pieces, upTo: 4) + ".so"
            let right = "dir/" + random.text(from: pieces, upTo: 4) + ".so"
            let theirs = left.localizedStandardCompare(right)
            let mine = NaturalOrder.compare(left, right)
            #expect((mine < 0) == (theirs == .orderedAscending) && (mine == 0) == (theirs == .orderedSame), "round \(round): '\(left)' '\(right)'")
        }
        let keyPaths = (0..<150).map { "ignore[\($0)]" }
        #expect(keyPaths.shuffled().sorted(by: NaturalOrder.ascending) == keyPaths)
    }

    /// JSON texts generated from a grammar and then damaged (a byte changed, removed or doubled): each is accepted
    /// or refused as `JSONSerialization` does, and an accepted one gives the same value.
    @Test func jsonAsJSONSerialization() throws {
        var random = Generator(state: 6)
        func value(_ depth: Int) -> String {
            switch random.below(depth > 3 ? 6 : 9) {
            case 0: return "null"
            case 1: return ["true", "false"][random.below(2)]
            // Not 1e400: JSONSerialization refuses it in an array but takes it as an object's value; shiplint
            // refuses a number beyond Double's range wherever it is.
            case 2: return ["0", "-0", "12", "-7", "1.5", "1e2", "2.5E-3", "01", "1.", ".5", "+1", "9223372036854775808", "1.2345678901234567", "0.1000000000000000", "1E-400"][random.below(15)]
            case 3, 4: return "\"" + random.text(from: ["a", "é", "\\n", "\\\"", "\\u00e9", "\\ud83d\\ude00", "\\ud800", "\\x", " ", "\t", "/", "\\/"], upTo: 4) + "\""
            case 5: return "\"k\""
            case 6: return "[" + (0..<random.below(4)).map { _ in value(depth + 1) }.joined(separator: [",", " , ", ",\n"][random.below(3)]) + ["", ",", " "][random.below(3)] + "]"
            default:
                return "{" + (0..<random.below(4)).map { _ in "\"" + ["a", "b", "a"][random.below(3)] + "\":" + value(depth + 1) }.joined(separator: ",") + ["", ",", " "][random.below(3)] + "}"
            }
        }
        var accepted = 0
        for round in 0..<20_000 {
            var bytes = Array(([" ", "", "\u{FEFF}"][random.below(3)] + value(0) + [" ", "", "\n", " x"][random.below(4)]).utf8)
            if random.below(4) == 0, !bytes.isEmpty {
                let at = random.below(bytes.count)
                switch random.below(3) {
                case 0:
                    let replacements = Array("{}[],:\" 0e.-ntf\\".utf8)
                    bytes[at] = replacements[random.below(replacements.count)]
                case 1: bytes.remove(at: at)
                default: bytes.insert(bytes[at], at: at)
                }
            }
            let theirs = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
            let mine = try? JSONText.parse(bytes: bytes, fragments: true)
            #expect((theirs == nil) == (mine == nil), "round \(round): \(String(decoding: bytes, as: UTF8.self))")
            guard let theirs, let mine else { continue }
            accepted += 1
            #expect(Self.rendered(theirs) == Self.rendered(mine), "round \(round): \(String(decoding: bytes, as: UTF8.self))")
        }
        #expect(accepted > 5_000)
    }

    /// A value as text, numbers as `NSNumber.stringValue` (what DescriptorValue kept of them).
    static func rendered(_ value: Any) -> String {
        switch value {
        case let text as String: return "s:" + text
        case let number as NSNumber: return "n:" + number.stringValue
        case let items as [Any]: return "[" + items.map(rendered).joined(separator: ",") + "]"
        case let fields as [String: Any]: return "{" + fields.sorted { $0.key < $1.key }.map { "\($0.key)=" + rendered($0.value) }.joined(separator: ",") + "}"
        default: return "null"
        }
    }

    static func rendered(_ value: JSONText) -> String {
        switch value {
        case .string(let text): return "s:" + text
        case .number(let text): return "n:" + JSONText.foundationText(ofNumber: text)
        case .bool(let flag): return "n:" + (flag ? "1" : "0")
        case .array(let items): return "[" + items.map(rendered).joined(separator: ",") + "]"
        case .object(let fields): return "{" + fields.sorted { $0.key < $1.key }.map { "\($0.key)=" + rendered($0.value) }.joined(separator: ",") + "}"
        case .null: return "null"
        }
    }

    @Test func jsonNestingLimitAsJSONSerialization() {
        for depth in [510, 511, 512, 513, 514] {
            let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            let theirs = try? JSONSerialization.jsonObject(with: Data(text.utf8))
            #expect((theirs == nil) == ((try? JSONText.parse(text)) == nil), "depth \(depth)")
        }
    }

    @Test func childProcessExitStatusOutputAndErrors() throws {
        let run = try #require(ChildProcess.run("/bin/sh", ["-c", "echo out; echo err >&2; exit 3"]))
        #expect(run.status == 3)
        #expect(String(decoding: run.output, as: UTF8.self) == "out\n")
        #expect(String(decoding: run.errors, as: UTF8.self) == "err\n")
        #expect(!run.timedOut)
        let quiet = try #require(ChildProcess.run("/bin/sh", ["-c", "echo err >&2; cat; echo done"], collectErrors: false))
        #expect(quiet.errors.isEmpty)
        #expect(String(decoding: quiet.output, as: UTF8.self) == "done\n", "standard input is /dev/null")
        let environment = try #require(ChildProcess.run("/usr/bin/env", [], environment: ["ONLY": "this"]))
        #expect(String(decoding: environment.output, as: UTF8.self) == "ONLY=this\n")
        // More than a pipe holds, on both streams at once.
        let large = try #require(ChildProcess.run("/bin/sh", ["-c", "head -c 300000 /dev/zero; head -c 200000 /dev/zero >&2"]))
        #expect(large.output.count == 300_000 && large.errors.count == 200_000)
        #expect(ChildProcess.run("/nonexistent/program", []) == nil)
    }

    @Test func childProcessTimeLimitAndSignal() throws {
        let slow = try #require(ChildProcess.run("/bin/sh", ["-c", "echo started; exec sleep 30"], timeoutSeconds: 1))
        #expect(slow.timedOut)
        #expect(slow.status == SIGTERM, "the signal's number, as Process.terminationStatus gave it")
        #expect(String(decoding: slow.output, as: UTF8.self) == "started\n")
    }
}
