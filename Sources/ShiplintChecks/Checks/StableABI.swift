import ShiplintFacts
import ShiplintTargets

extension Check {
    public static let abi3TooNew = Check(
        id: "abi3-too-new",
        defaultSeverity: .error,
        summary: "An extension imports Stable ABI functions that the runtime's CPython is too old to have",
        explanation: """
            An abi3 extension (`_mod.abi3.so`) is built once for every CPython from the version whose Limited API it \
            was compiled against (`Py_LIMITED_API`, the `cp3X-abi3` wheel tag) onwards. Functions join the Stable \
            ABI release by release (`PyType_FromMetaclass` and `PyObject_Vectorcall` in 3.12, \
            `PyLong_AsInt` in 3.13 …): a module that imports one was built for that version's Limited API or later, \
            which an older CPython does not promise to load. A function that is new in that version is not exported \
            by the older CPython at all, and the import fails with `undefined symbol: PyType_FromMetaclass`; one that \
            only joined the Stable ABI then (`PyObject_Vectorcall` existed since 3.9) may still load. abi3audit \
            calls the same symbols an ABI version mismatch. It happens when a package is built with \
            a newer Limited API than its wheel tag says (a build flag such as maturin's `abi3-py3X` or setuptools' \
            `py_limited_api` set to the wrong version), or when `pip --python-version` was not given. shiplint \
            reads every imported symbol and the version CPython added it in (CPython's `Misc/stable_abi.toml`, in \
            `rules/python/stable-abi.toml`).

            Fix: install a release whose abi3 floor is at most the runtime's Python (`pip install --python-version \
            3.X …` picks one), move the function to a runtime at least as new as the newest function it needs, or \
            rebuild the extension with `Py_LIMITED_API` set to the runtime's version.
            """,
        examples: [
            CheckExample(
                "PyType_FromMetaclass (3.12) in python3.11",
                binary: SampleBinary.elf("pkg/_mod.abi3.so", symbols: SampleBinary.imports(["PyType_FromMetaclass", "PyModule_Create2"])),
                target: "aws-lambda-python3.11-x86_64", fires: true, at: "pkg/_mod.abi3.so", mentions: "needs PyType_FromMetaclass (Stable ABI 3.12)"),
            CheckExample(
                "the same in python3.12",
                binary: SampleBinary.elf("pkg/_mod.abi3.so", symbols: SampleBinary.imports(["PyType_FromMetaclass", "PyModule_Create2"])),
                target: "aws-lambda-python3.12-x86_64", fires: false),
            CheckExample(
                "3.2 functions only",
                binary: SampleBinary.elf("pkg/_mod.abi3.so", symbols: SampleBinary.imports(["PyModule_Create2", "PyArg_ParseTuple"])),
                target: "aws-lambda-python3.9-x86_64", fires: false),
        ]
    ) { context in
        guard let python = context.runtime.python, case .elf(let elf)? = context.binary.facts else { return nil }
        // A version-tagged module (`.cpython-312-…so`) is judged by its name: python-abi-mismatch.
        if let name = ExtensionModuleName(fileName: context.binary.fileName), case .cpython = name.tag { return nil }
        let imported = Set(elf.symbols.names(defined: false, strongOnly: true, where: CPythonAPI.isCPythonName))
        guard !imported.isEmpty else { return nil }
        let table = StableABI.builtIn.symbols
        let tooNew = imported.compactMap { name -> (String, VersionNumber)? in
            guard let symbol = table[name], symbol.added > python.version else { return nil }
            return (name, symbol.added)
        }.sorted { ($0.1, $0.0) > ($1.1, $1.0) }
        guard let newest = tooNew.first else { return nil }
        let shown = tooNew.prefix(3).map { "\($0.0) (Stable ABI \($0.1))" }.joined(separator: ", ") + (tooNew.count > 3 ? " and \(tooNew.count - 3) more" : "")
        return Verdict(
            "needs \(shown): built for CPython \(newest.1)'s Limited API, which CPython \(python.version) does not promise to load; a function new in \(newest.1) is not exported by \(python.version), and the import fails with `undefined symbol: \(newest.0)`",
            fix: "Install a release built for CPython \(python.version) or older (\(context.advice.pip())), move the function to python\(newest.1) or newer, or rebuild the extension with Py_LIMITED_API at \(python.version).",
            fact: "abi3 \(newest.1)")
    }

    public static let abi3NonStable = Check(
        id: "abi3-non-stable",
        defaultSeverity: .warning,
        summary: "An abi3 extension imports CPython functions outside the Stable ABI",
        explanation: """
            An `.abi3.so` promises to load on every later CPython, because it uses only the Stable ABI. One that \
            imports other CPython functions (`_PyObject_GetDictPtr`, `PyUnicode_AsUTF8`, private \
            `_Py…` helpers) keeps that promise only while the CPython it runs on still exports them: private and \
            unstable functions change and disappear between releases, and the module then fails at import with \
            `undefined symbol`. abi3audit reports the same symbols. It loads today if the runtime's CPython still has \
            them, so this is a warning; the runtime version is the one to test on.

            Fix: prefer a version-specific wheel of the package for the runtime's CPython \
            (`.cpython-3XX-…so`), or report it to the package: build with `Py_LIMITED_API` defined so the compiler \
            refuses the functions outside it.
            """,
        examples: [
            CheckExample(
                "a private helper in an abi3 module",
                binary: SampleBinary.elf("pkg/_mod.abi3.so", symbols: SampleBinary.imports(["PyModule_Create2", "_PyObject_GetDictPtr", "_Py_NoneStruct"])),
                target: "aws-lambda-python3.12-x86_64", fires: true, at: "pkg/_mod.abi3.so", mentions: "imports _PyObject_GetDictPtr, outside the Stable ABI"),
            CheckExample(
                "on a wheel policy too",
                binary: SampleBinary.elf("pkg/_mod.abi3.so", symbols: SampleBinary.imports(["_PyObject_GetDictPtr"])),
                target: "manylinux2014-x86_64", fires: true, at: "pkg/_mod.abi3.so", mentions: "imports _PyObject_GetDictPtr"),
            CheckExample(
                "Stable ABI only",
                binary: SampleBinary.elf("pkg/_mod.abi3.so", symbols: SampleBinary.imports(["PyModule_Create2", "_Py_NoneStruct", "_Py_Dealloc"])),
                target: "aws-lambda-python3.12-x86_64", fires: false),
            CheckExample(
                "a version-specific module may use anything",
                binary: SampleBinary.elf("pkg/_mod.cpython-312-x86_64-linux-gnu.so", symbols: SampleBinary.imports(["_PyObject_GetDictPtr"])),
                target: "aws-lambda-python3.12-x86_64", fires: false),
        ]
    ) { context in
        guard context.runtime.python != nil || context.target.kind == .wheelPolicy, case .elf(let elf)? = context.binary.facts,
            let name = ExtensionModuleName(fileName: context.binary.fileName), case .abi3 = name.tag
        else { return nil }
        let imported = elf.symbols.names(defined: false, strongOnly: true, where: CPythonAPI.isCPythonName)
        guard !imported.isEmpty else { return nil }
        let table = StableABI.builtIn.symbols
        let outside = Set(imported).filter { table[$0] == nil }.sorted()
        guard let first = outside.first else { return nil }
        let shown = outside.prefix(3).joined(separator: ", ") + (outside.count > 3 ? " and \(outside.count - 3) more" : "")
        return Verdict(
            "an abi3 module that imports \(shown), outside the Stable ABI: it loads only on CPython versions that still export \(outside.count == 1 ? "it" : "them")",
            fix: "Install the version-specific wheel for the runtime's CPython if the package publishes one, and tell the package's authors (building with Py_LIMITED_API defined refuses these functions).",
            fact: first)
    }
}

/// CPython's C API by name: every Stable ABI symbol starts `Py` or `_Py`.
enum CPythonAPI {
    static func isCPythonName(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= 3 else { return false }
        if bytes[0] == UInt8(ascii: "P") { return bytes[1] == UInt8(ascii: "y") }
        return bytes[0] == UInt8(ascii: "_") && bytes[1] == UInt8(ascii: "P") && bytes[2] == UInt8(ascii: "y")
    }
}
