import Foundation
import Testing
@testable import ShiplintTargets

/// The abi3 checks on a real extension (fixtures/bin/elf/_abi3new.abi3.so, built by the recipe: it imports
/// PyType_FromMetaclass, Stable ABI since 3.12, and _PyObject_GetDictPtr, outside it).
@Suite struct StableABITests {
    static func artifact() throws -> String {
        try ExplainTests.folder(["app.py": "", "pkg/__init__.py": "", "pkg/_abi3new.abi3.so": "fixtures/bin/elf/_abi3new.abi3.so"])
    }

    static func findings(_ folder: String, _ target: String) throws -> (status: Int32, findings: [[String: Any]]) {
        let result = try Shiplint.run(["scan", folder, "--target", target, "--format", "json", "--no-config"])
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
        let artifacts = json["artifacts"] as? [[String: Any]] ?? []
        return (result.status, artifacts.flatMap { $0["findings"] as? [[String: Any]] ?? [] })
    }

    @Test func aFunctionNewerThanTheRuntimeFailsTheImport() throws {
        let folder = try Self.artifact()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (status, findings) = try Self.findings(folder, "aws-lambda-python3.11-x86_64")
        #expect(status == 1)
        let tooNew = findings.filter { $0["check"] as? String == "abi3-too-new" }
        #expect(tooNew.count == 1)
        #expect(tooNew.first?["path"] as? String == "pkg/_abi3new.abi3.so")
        #expect((tooNew.first?["message"] as? String)?.contains("needs PyType_FromMetaclass, which CPython 3.11 does not export (Stable ABI 3.12: built for CPython 3.12's Limited API): the import fails with `undefined symbol: PyType_FromMetaclass`") == true)
        #expect(tooNew.first?["severity"] as? String == "error")
    }

    @Test func onARuntimeThatHasItOnlyTheNonStableImportIsSaid() throws {
        let folder = try Self.artifact()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for target in ["aws-lambda-python3.12-x86_64", "manylinux2014-x86_64"] {
            let (status, findings) = try Self.findings(folder, target)
            #expect(status == 0, "\(target)")
            #expect(!findings.contains { $0["check"] as? String == "abi3-too-new" })
            let outside = findings.filter { $0["check"] as? String == "abi3-non-stable" }
            #expect(outside.count == 1, "\(target)")
            #expect(outside.first?["path"] as? String == "pkg/_abi3new.abi3.so")
            #expect((outside.first?["message"] as? String)?.contains("imports _PyObject_GetDictPtr, outside the Stable ABI") == true)
        }
    }

    /// Issue 22: PyObject_GetBuffer and PyBuffer_Release joined the Stable ABI in 3.11, but 3.9 and 3.10 export them
    /// (fixtures/bin/elf/_abi3buffer.abi3.so imports both): at most a warning there, in those words; nothing on 3.11.
    @Test func aFunctionOlderThanItsStableABIMembershipIsAWarning() throws {
        let folder = try ExplainTests.folder(["app.py": "", "pkg/__init__.py": "", "pkg/_abi3buffer.abi3.so": "fixtures/bin/elf/_abi3buffer.abi3.so"])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for version in ["3.9", "3.10"] {
            let (status, findings) = try Self.findings(folder, "aws-lambda-python\(version)-x86_64")
            #expect(status == 0, "\(version)")
            let tooNew = findings.filter { $0["check"] as? String == "abi3-too-new" }
            #expect(tooNew.count == 1)
            #expect(tooNew.first?["severity"] as? String == "warning")
            #expect((tooNew.first?["message"] as? String)?.contains("imports PyBuffer_Release, PyObject_GetBuffer: CPython \(version) exports them, so the import works, but they joined the Stable ABI only in 3.11") == true)
            #expect(!((tooNew.first?["message"] as? String)?.contains("undefined symbol") ?? true))
            #expect(!findings.contains { $0["check"] as? String == "undefined-symbol" })
        }
        let (status, findings) = try Self.findings(folder, "aws-lambda-python3.11-x86_64")
        #expect(status == 0)
        #expect(!findings.contains { $0["check"] as? String == "abi3-too-new" })
    }

    @Test func theTableIsCPythonsStableABI() throws {
        let table = StableABI.builtIn.symbols
        #expect(table.count > 900)
        #expect(table["PyType_FromMetaclass"]?.added.description == "3.12")
        #expect(table["PyArg_ParseTuple"]?.added.description == "3.2")
        #expect(table["PyErr_SetFromWindowsErr"]?.windowsOnly == true)
        #expect(table["_PyObject_GetDictPtr"] == nil)
        // A broken file names itself and the key.
        #expect(throws: TargetError.self) { try StableABI.load(toml: "schema = 1\n[symbols]\nPyFoo = \"three\"\n", file: "x.toml") }
    }
}
