import ShiplintFacts
import ShiplintTargets

extension Check {
    public static let abi3TooNew = Check(
        id: "abi3-too-new",
        defaultSeverity: .error,
        summary: "An abi3 extension imports CPython functions the runtime's CPython lacks, or that joined the Stable ABI after it",
        explanation: """
            An abi3 extension (`_mod.abi3.so`) is built once for every CPython from the version whose Limited API it \
            was compiled against (`Py_LIMITED_API`, the `cp3X-abi3` wheel tag) onwards. shiplint reads every CPython \
            function and data symbol the module imports and asks what the runtime's CPython exports (per version, \
            from CPython's own libraries: rules/symbols/cpython-*.symbols, or a `shiplint targets capture` of the \
            runtime). A function the runtime's CPython does not export at all (`PyType_FromMetaclass` is new in \
            3.12, `PyLong_AsInt` in 3.13) fails the import with `undefined symbol: PyType_FromMetaclass`: an \
            error. A function it does export but that joined the Stable ABI only later (`PyObject_GetBuffer` and \
            `PyBuffer_Release` are in every CPython 3, Stable ABI since 3.11, as in awscrt's `cp311-abi3` wheels) \
            loads today, outside the Stable ABI's promise for that version: a warning. A private `_Py` function \
            that only newer versions export is a warning too (the table is read from one patch release of each \
            version; a later one may have it). The Stable ABI versions come from CPython's `Misc/stable_abi.toml` \
            (rules/python/stable-abi.toml). It happens when a package is built with a newer Limited API than the \
            runtime (a build flag such as maturin's `abi3-py3X` or setuptools' `py_limited_api`), or when `pip \
            --python-version` was not given.

            Fix: install a release whose abi3 floor is at most the runtime's Python (`pip install --python-version \
            3.X …` picks one), move the function to a runtime at least as new as the newest function it needs, or \
            rebuild the extension with `Py_LIMITED_API` set to the runtime's version.
            """,
        examples: [
            CheckExample(
                "PyType_FromMetaclass (new in 3.12) in python3.11",
                binary: SampleBinary.elf("pkg/_mod.abi3.so", symbols: SampleBinary.imports(["PyType_FromMetaclass", "PyModule_Create2"])),
                target: "aws-lambda-python3.11-x86_64", fires: true, at: "pkg/_mod.abi3.so",
                mentions: "needs PyType_FromMetaclass, which CPython 3.11 does not export"),
            CheckExample(
                "the same in python3.12",
                binary: SampleBinary.elf("pkg/_mod.abi3.so", symbols: SampleBinary.imports(["PyType_FromMetaclass", "PyModule_Create2"])),
                target: "aws-lambda-python3.12-x86_64", fires: false),
            CheckExample(
                "PyObject_GetBuffer (Stable ABI 3.11, exported by 3.9) in python3.9: a warning",
                binary: SampleBinary.elf("pkg/_mod.abi3.so", symbols: SampleBinary.imports(["PyObject_GetBuffer", "PyBuffer_Release", "PyModule_Create2"])),
                target: "aws-lambda-python3.9-x86_64", fires: true, at: "pkg/_mod.abi3.so",
                mentions: "CPython 3.9 exports them, so the import works, but they joined the Stable ABI only in 3.11"),
            CheckExample(
                "_PyObject_ClearManagedDict (a private function CPython 3.12 exports) in python3.11: a warning",
                binary: SampleBinary.elf("pkg/_mod.abi3.so", symbols: SampleBinary.imports(["_PyObject_ClearManagedDict", "PyModule_Create2"])),
                target: "aws-lambda-python3.11-x86_64", fires: true, at: "pkg/_mod.abi3.so",
                mentions: "imports _PyObject_ClearManagedDict, which the CPython 3.11 shiplint knows may not export (a newer CPython does"),
            CheckExample(
                "3.2 functions only",
                binary: SampleBinary.elf("pkg/_mod.abi3.so", symbols: SampleBinary.imports(["PyModule_Create2", "PyArg_ParseTuple"])),
                target: "aws-lambda-python3.9-x86_64", fires: false),
        ]
    ) { context in
        guard let python = context.runtime.python, case .elf(let elf)? = context.binary.facts else { return nil }
        // A version-tagged module (`.cpython-312-…so`) is judged by its name: python-abi-mismatch.
        if let name = ExtensionModuleName(fileName: context.binary.fileName), case .cpython = name.tag { return nil }
        let imported = Set(elf.symbols.names(defined: false, strongOnly: true, where: CPythonAPI.isCPythonName)).sorted()
        guard !imported.isEmpty else { return nil }
        let stable = StableABI.builtIn.symbols
        let table = SymbolTable.builtIn("cpython-\(context.runtime.target.platform.arch.rawValue)")
        var missing: [String] = []  // not exported: the import fails
        var maybeMissing: [String] = []  // a private function only newer versions export, or not known either way
        var laterStable: [(String, VersionNumber)] = []  // exported, but in the Stable ABI only since a later version
        for name in imported {
            let added = stable[name]?.added
            switch context.runtime.target.pythonPresence(of: name) {
            case .present:
                if let added, added > python.version { laterStable.append((name, added)) }
            case .absent:
                // Known to no CPython at all: undefined-symbol's to say (a renamed or foreign symbol).
                guard table?.lists(name, in: "python") == true || added != nil else { continue }
                let removed = table?.releases.contains { $0 < python.version && table?.presence(of: name, version: nil, in: "python", release: $0) == .present } ?? false
                if name.hasPrefix("_") && !removed { maybeMissing.append(name) } else { missing.append(name) }
            case .unknown:
                // A newer Stable ABI function, or a private one a later CPython exports (perhaps a later patch release).
                if added.map({ $0 > python.version }) ?? name.hasPrefix("_") { maybeMissing.append(name) }
            }
        }
        let runtime = python.version
        func shown(_ names: [String]) -> String {
            names.prefix(3).joined(separator: ", ") + (names.count > 3 ? " and \(names.count - 3) more" : "")
        }
        let fix = "Install a release built for CPython \(runtime) or older (\(context.advice.pip())), move the function to a newer Python runtime, or rebuild the extension with Py_LIMITED_API at \(runtime)."
        if let first = missing.first {
            let since = missing.compactMap { stable[$0]?.added }.max()
            return Verdict(
                "needs \(shown(missing)), which CPython \(runtime) does not export\(since.map { " (Stable ABI \($0): built for CPython \($0)'s Limited API)" } ?? ""): the import fails with `undefined symbol: \(first)`",
                fix: fix, fact: "abi3 " + (since.map { $0.description } ?? first))
        }
        if !maybeMissing.isEmpty || !laterStable.isEmpty {
            var parts: [String] = []
            if !laterStable.isEmpty {
                let newest = laterStable.map(\.1).max()!
                let names = laterStable.map(\.0)
                parts.append("imports \(shown(names)): CPython \(runtime) exports \(names.count == 1 ? "it" : "them"), so the import works, but \(names.count == 1 ? "it" : "they") joined the Stable ABI only in \(newest): the module was built for CPython \(newest)'s Limited API, which CPython \(runtime) does not promise to load")
            }
            if !maybeMissing.isEmpty {
                parts.append("imports \(shown(maybeMissing)), which the CPython \(runtime) shiplint knows may not export (\(table == nil ? "no table for this architecture" : "a newer CPython does; \(runtime)'s own release may not")): if it does not, the import fails with `undefined symbol: \(maybeMissing[0])`")
            }
            let newest = (laterStable.map(\.1) + maybeMissing.compactMap { stable[$0]?.added }).max()
            return Verdict(
                parts.joined(separator: "; "), fix: fix, fact: "abi3 " + (newest.map { $0.description } ?? maybeMissing[0]), severity: .warning)
        }
        return nil
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
