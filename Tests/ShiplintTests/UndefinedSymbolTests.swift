import Foundation
import Testing

/// undefined-symbol on a real module (fixtures/bin/elf/_undef.abi3.so: the recipe renames its import
/// memcpy@GLIBC_2.14 to Qemcpy), with glibc's own loader as the oracle: dlopen(RTLD_NOW) in a child process.
@Suite struct UndefinedSymbolTests {
    static let module = Repository.fixture("bin/elf/_undef.abi3.so")
    static let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// What dlopen(RTLD_NOW) says of `path` on this machine (nil: it loads), through CPython's ctypes.
    static func dlopenError(_ path: String) throws -> String? {
        let python = try #require(Self.python, "python3 is needed for the loader oracle")
        let result = try runProgram(python, ["-c", "import ctypes, os, sys\ntry:\n    ctypes.CDLL(sys.argv[1], mode=os.RTLD_NOW)\nexcept OSError as e:\n    print(e)", path])
        let text = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    static func findings(_ artifact: String, _ target: String) throws -> [[String: Any]] {
        let result = try Shiplint.run(["scan", artifact, "--target", target, "--format", "json", "--no-config"])
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
        return (json["artifacts"] as? [[String: Any]] ?? []).flatMap { $0["findings"] as? [[String: Any]] ?? [] }
    }

    @Test func theMessageIsTheLoadersOnThisMachine() throws {
        let folder = try ExplainTests.folder(["app.py": "", "pkg/__init__.py": "", "pkg/_undef.abi3.so": "fixtures/bin/elf/_undef.abi3.so"])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // The oracle: glibc's loader refuses the file, and says why.
        let loader = try #require(try Self.dlopenError(folder + "/pkg/_undef.abi3.so"), "the real loader loaded a module with an undefined symbol")
        #expect(loader.hasSuffix(": undefined symbol: Qemcpy, version GLIBC_2.14"))
        // shiplint, against a capture of this machine: the same words, on the runtime path.
        let capture = CaptureTests.captured.path
        let found = try Self.findings(folder, capture).filter { $0["check"] as? String == "undefined-symbol" }
        #expect(found.count == 1)
        #expect(found.first?["path"] as? String == "pkg/_undef.abi3.so")
        #expect(found.first?["severity"] as? String == "error")
        #expect((found.first?["message"] as? String)?.contains("`ImportError: /var/task/pkg/_undef.abi3.so: undefined symbol: Qemcpy, version GLIBC_2.14`") == true)
        #expect(found.first?["fact"] as? String == "Qemcpy@GLIBC_2.14" || found.first?["fact"] == nil)
        // The same module before the rename loads, and shiplint says nothing.
        #expect(try Self.dlopenError(Repository.fixture("bin/elf/_abi.abi3.so")) == nil)
        #expect(try Self.findings(Repository.fixture("bin/elf/_abi.abi3.so"), capture).allSatisfy { $0["check"] as? String != "undefined-symbol" })
    }

    /// A Python 2 module (psycopg2 built for a UCS4 Python 2.7: `PyUnicodeUCS4_DecodeUTF8`, `Py_InitModule4_64`)
    /// fails on the first of those names, and that is one cause: python-abi-mismatch says which build it is, and
    /// undefined-symbol does not repeat it.
    @Test func python2APIIsOneFinding() throws {
        let folder = try ExplainTests.folder(["app.py": "import psycopg2\n", "psycopg2/__init__.py": "from psycopg2._psycopg import connect\n",
                                              "psycopg2/_psycopg.so": "fixtures/bin/corpus/_psycopg-py27-ucs4.so"])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let found = try Self.findings(folder, "aws-lambda-python3.12-x86_64")
        #expect(found.map { $0["check"] as? String ?? "?" } == ["python-abi-mismatch"], "\(found)")
        #expect(found.first?["path"] as? String == "psycopg2/_psycopg.so")
        #expect((found.first?["message"] as? String)?.contains("PyUnicodeUCS4_") == true, "\(found)")
    }

    @Test func glibcBefore230WordsItAsARelocationError() throws {
        let found = try Self.findings(Self.module, "aws-lambda-python3.9-x86_64").filter { $0["check"] as? String == "undefined-symbol" }
        #expect(found.count == 1)
        #expect((found.first?["message"] as? String)?.contains("/var/task/_undef.abi3.so: symbol Qemcpy, version GLIBC_2.14 not defined in file libc.so.6 with link time reference") == true)
        let al2023 = try Self.findings(Self.module, "aws-lambda-python3.12-x86_64").filter { $0["check"] as? String == "undefined-symbol" }
        #expect((al2023.first?["message"] as? String)?.contains("/var/task/_undef.abi3.so: undefined symbol: Qemcpy, version GLIBC_2.14") == true)
    }

    @Test func aNodeAddonIsAWarningThatSaysWhy() throws {
        let folder = try ExplainTests.folder(["index.js": "", "node_modules/x/build/Release/x.node": "fixtures/bin/elf/_undef.abi3.so"])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let found = try Self.findings(folder, "aws-lambda-nodejs20.x-x86_64").filter { $0["check"] as? String == "undefined-symbol" }
        #expect(found.count == 1)
        #expect(found.first?["severity"] as? String == "warning")
        #expect((found.first?["message"] as? String)?.contains("Node.js loads addons with RTLD_LAZY") == true)
    }

    @Test func aWheelPolicyHasNoLoadScope() throws {
        #expect(try Self.findings(Self.module, "manylinux2014-x86_64").allSatisfy { $0["check"] as? String != "undefined-symbol" })
    }
}
