import ShiplintFacts
import ShiplintTargets

/// The parts of an extension module's file name that decide whether CPython imports it (PEP 3149, PEP 384).
struct ExtensionModuleName: Equatable {
    enum Tag: Equatable {
        /// `.cpython-313-x86_64-linux-gnu.so`, `.cpython-313t-…`, `.cpython-312-darwin.so`.
        case cpython(version: String, flags: String, platform: String)
        case abi3
        case pypy(String)
        /// `.pyd` or `.cp313-win_amd64.pyd`.
        case windows(String?)
    }

    let module: String
    let suffix: String
    let tag: Tag

    /// Nil for names that are not tagged extension modules (`libfoo.so.1`, `_mod.so`, `libopenblas-r0.3.21.so`).
    init?(fileName: String) {
        // Only names ending in `.so` or `.pyd` (any case) qualify: the last byte says most names do not.
        let last = fileName.utf8.last.map { $0 | 0x20 }
        guard last == UInt8(ascii: "o") || last == UInt8(ascii: "d") else { return nil }
        guard let dot = fileName.firstIndex(of: "."), dot != fileName.startIndex else { return nil }
        module = String(fileName[..<dot])
        suffix = String(fileName[dot...])
        let lower = suffix.lowercased()
        if lower.hasSuffix(".pyd") {
            let middle = lower.dropFirst().dropLast(4)
            tag = .windows(middle.isEmpty ? nil : String(middle))
            return
        }
        guard lower.hasSuffix(".so") else { return nil }
        let middle = String(lower.dropFirst().dropLast(3))
        if middle == "abi3" {
            tag = .abi3
        } else if middle.hasPrefix("cpython-") {
            let parts = middle.dropFirst("cpython-".count).split(separator: "-", maxSplits: 1)
            guard let first = parts.first, let digitsEnd = first.firstIndex(where: { !$0.isNumber }) ?? Optional(first.endIndex),
                digitsEnd != first.startIndex
            else { return nil }
            tag = .cpython(
                version: String(first[..<digitsEnd]), flags: String(first[digitsEnd...]),
                platform: parts.count > 1 ? String(parts[1]) : "")
        } else if middle.hasPrefix("pypy") {
            tag = .pypy(middle)
        } else {
            return nil
        }
    }
}

extension Check {
    public static let pythonABIMismatch = Check(
        id: "python-abi-mismatch",
        defaultSeverity: .error,
        summary: "An extension module the target's CPython will not import: its file name, or CPython API it needs",
        explanation: """
            For `import pkg._mod`, CPython looks only for `pkg/_mod` followed by one of its own extension suffixes: \
            on Lambda python3.13 x86_64 that is `.cpython-313-x86_64-linux-gnu.so`, `.abi3.so` or `.so`. A module \
            built for another CPython (`cpython-312`), another platform (`-aarch64-linux-gnu` in an x86_64 \
            function, `-linux-musl`, `-darwin`), a free-threaded build (`cpython-313t`) or Windows (`.pyd`) is simply \
            invisible: the import fails with `Runtime.ImportModuleError: No module named 'pkg._mod'`, which says \
            nothing about why.

            The binary's imports are read too: an extension that needs `PyFPE_jbuf` (only a CPython built \
            `--with-fpectl`, gone since 3.7, exports it), Python 2 API (`Py_InitModule4*`, `PyString_*`, `PyInt_*`, \
            `_Py_ZeroStruct`) or `PyUnicodeUCS2_*` / `PyUnicodeUCS4_*` fails with `undefined symbol` on any \
            CPython 3 whatever its name; auditwheel gives such a wheel no manylinux tag. This part also runs on \
            wheel-policy targets.

            Fix: on a Lambda target, install the packages for the function's runtime version and platform, e.g. \
            `pip install --platform manylinux2014_x86_64 --implementation cp --python-version 3.13 \
            --only-binary=:all: --target build/ -r requirements.txt`, or change the function's runtime to the \
            Python version the package was built for. On a wheel-policy target, rebuild the extension for \
            Python 3 with a standard CPython inside the policy's quay.io/pypa image.
            """,
        examples: [
            CheckExample("cp312 in python3.13", binary: SampleBinary.elf("pydantic_core/_pydantic_core.cpython-312-x86_64-linux-gnu.so"), target: "aws-lambda-python3.13-x86_64", fires: true, at: "pydantic_core/_pydantic_core.cpython-312-x86_64-linux-gnu.so", mentions: "built for CPython 3.12, the runtime is 3.13"),
            CheckExample("a .pyd", binary: SampleBinary.pe("pkg/_mod.cp313-win_amd64.pyd"), target: "aws-lambda-python3.13-x86_64", fires: true, at: "pkg/_mod.cp313-win_amd64.pyd", mentions: "a Windows extension name (cp313-win_amd64)"),
            CheckExample("free-threaded", binary: SampleBinary.elf("pkg/_mod.cpython-313t-x86_64-linux-gnu.so"), target: "aws-lambda-python3.13-x86_64", fires: true, at: "pkg/_mod.cpython-313t-x86_64-linux-gnu.so", mentions: "a free-threaded build (313t)"),
            CheckExample("musl triplet", binary: SampleBinary.elf("pkg/_mod.cpython-313-x86_64-linux-musl.so"), target: "aws-lambda-python3.13-x86_64", fires: true, at: "pkg/_mod.cpython-313-x86_64-linux-musl.so", mentions: "for platform x86_64-linux-musl, the runtime is x86_64-linux-gnu"),
            CheckExample("needs PyFPE_jbuf", binary: SampleBinary.elf("fpe.cpython-313-x86_64-linux-gnu.so", symbols: SampleBinary.imports(["PyFPE_jbuf", "PyFPE_dummy", "PyArg_ParseTuple"])), target: "aws-lambda-python3.13-x86_64", fires: true, at: "fpe.cpython-313-x86_64-linux-gnu.so", mentions: "needs PyFPE_jbuf, PyFPE_dummy"),
            CheckExample("needs PyFPE_jbuf, on a wheel policy", binary: SampleBinary.elf("fpe.cpython-35m-x86_64-linux-gnu.so", symbols: SampleBinary.imports(["PyFPE_jbuf", "PyFPE_counter"])), target: "manylinux2014-x86_64", fires: true, at: "fpe.cpython-35m-x86_64-linux-gnu.so", mentions: "needs PyFPE_jbuf, PyFPE_counter"),
            CheckExample("Python 2 API", binary: SampleBinary.elf("pkg/_mod.so", symbols: SampleBinary.imports(["Py_InitModule4_64", "PyString_FromString"])), target: "aws-lambda-python3.12-x86_64", fires: true, at: "pkg/_mod.so", mentions: "needs PyString_FromString, Py_InitModule4_64"),
            CheckExample("a UCS2 Python 2 build", binary: SampleBinary.elf("pkg/_mod.so", symbols: SampleBinary.imports(["PyUnicodeUCS2_AsUTF8String"])), target: "manylinux2014-x86_64", fires: true, at: "pkg/_mod.so", mentions: "needs PyUnicodeUCS2_AsUTF8String"),
            CheckExample("Python 3 API", binary: SampleBinary.elf("pkg/_mod.abi3.so", symbols: SampleBinary.imports(["PyModule_Create2", "PyUnicode_FromString"])), target: "manylinux2014-x86_64", fires: false),
            CheckExample("matching", binary: SampleBinary.elf("pkg/_mod.cpython-313-x86_64-linux-gnu.so"), target: "aws-lambda-python3.13-x86_64", fires: false),
            CheckExample("abi3", binary: SampleBinary.elf("pkg/_mod.abi3.so"), target: "aws-lambda-python3.11-x86_64", fires: false),
            CheckExample("a bundled library", binary: SampleBinary.elf("numpy.libs/libscipy_openblas64_-ff651d7f.so"), target: "aws-lambda-python3.13-x86_64", fires: false),
            CheckExample("not a Python runtime", binary: SampleBinary.elf("pkg/_mod.cpython-312-x86_64-linux-gnu.so"), target: "aws-lambda-provided.al2023-x86_64", fires: false),
        ]
    ) { context in
        let symbolReasons = CPythonSymbols.reasons(context.binary)
        // The file-name rules need the runtime's CPython; the symbol rules hold for any CPython, and on wheel policies.
        if !symbolReasons.isEmpty, context.runtime.python != nil || context.target.kind == .wheelPolicy {
            let needed = symbolReasons.map(\.symbol)
            let who = context.runtime.python.map { "CPython \($0.version)" } ?? "a standard CPython 3"
            return Verdict(
                "\(who) cannot load it: \(symbolReasons.map(\.reason).joined(separator: "; ")). The import fails with `undefined symbol: \(needed[0])`\(context.target.kind == .wheelPolicy ? "; auditwheel gives such a wheel no \(context.target.platform.displayName) tag (only linux_\(context.runtime.architecture.pythonTriplet))" : "")",
                fix: context.target.kind == .wheelPolicy
                    ? "Rebuild the extension from source for Python 3 with a standard CPython (3.7 and newer have no fpectl and one Unicode width): \(context.advice.buildWheel(sentenceStart: false))"
                    : "Install a release of the package built for CPython \(context.runtime.python.map { "\($0.version)" } ?? "3") (\(context.advice.pip())), or rebuild it from source against that CPython.",
                fact: needed.joined(separator: ", "))
        }
        guard let python = context.runtime.python, let name = ExtensionModuleName(fileName: fileName(context.binary)),
            !python.extensionSuffixes.contains(name.suffix)
        else { return nil }
        let reason: String
        switch name.tag {
        case .windows(let tag):
            reason = "a Windows extension name\(tag.map { " (\($0))" } ?? "")"
        case .abi3:
            return nil
        case .pypy(let tag):
            reason = "built for PyPy (\(tag))"
        case .cpython(let version, let flags, let platform):
            var reasons: [String] = []
            if version != python.tag {
                let shown = version.count >= 2 ? "\(version.prefix(1)).\(version.dropFirst())" : version
                reasons.append("built for CPython \(shown), the runtime is \(python.version)")
            }
            if flags.contains("t") { reasons.append("a free-threaded build (\(version)\(flags))") }
            if flags.contains("d") { reasons.append("a debug build") }
            let expected = "\(context.runtime.architecture.gnuTriplet)"
            if platform == "darwin" {
                reasons.append("a macOS name (-darwin)")
            } else if !platform.isEmpty && platform != expected {
                reasons.append("for platform \(platform), the runtime is \(expected)")
            }
            reason = reasons.isEmpty ? "an unexpected suffix" : reasons.joined(separator: "; ")
        }
        let dotted = context.runtime.importName(ofModule: name.module, at: context.binary.path, in: context.role)
        return Verdict(
            "CPython \(python.version) will not import it: \(reason). It looks only for \(python.extensionSuffixes.joined(separator: ", ")), so `import \(dotted)` fails with ModuleNotFoundError",
            fix: "Install the package built for CPython \(python.version) on \(context.runtime.architecture.rawValue) Linux: `\(context.advice.pip())`.",
            fact: name.suffix)
    }
}

/// CPython API an extension imports that today's CPython does not export (auditwheel's `elf_references_PyFPE_jbuf`
/// and `elf_find_ucs2_symbols`, plus the Python 2 API).
enum CPythonSymbols {
    struct Reason: Equatable {
        let symbol: String
        let reason: String
    }

    /// CPython API no CPython 3 of today exports and whose import says which build the file is for: fpectl's
    /// `PyFPE_*`, Python 2's Unicode widths and API. python-abi-mismatch says it (on any runtime with a CPython);
    /// undefined-symbol leaves these names to it, so one cause is one finding.
    static func isRetired(_ name: String) -> Bool {
        name.hasPrefix("PyFPE_") || isUnicodeWidth(name) || isPython2(name)
    }

    static func isUnicodeWidth(_ name: String) -> Bool { name.hasPrefix("PyUnicodeUCS2_") || name.hasPrefix("PyUnicodeUCS4_") }

    static func isPython2(_ name: String) -> Bool {
        name.hasPrefix("Py_InitModule4") || name.hasPrefix("PyString_") || name == "_Py_ZeroStruct" || name.hasPrefix("PyInt_")
    }

    /// One reason per kind, naming the first imported symbol of that kind.
    static func reasons(_ binary: Binary) -> [Reason] {
        guard case .elf(let elf)? = binary.facts else { return [] }
        // A weak import is optional: the loader binds it to null when no library defines it. Every rule below is
        // about a `Py…` or `_Py…` name: only those are kept (one pass, no copy of a table of thousands).
        // `PyF…`, `PyU…`, `PyS…`, `PyI…`, `Py_…` and `_Py…`: an extension imports hundreds of other `Py…` names,
        // passed over on their first three bytes without becoming strings.
        let imported = elf.symbols.names(defined: false, strongOnly: true) { bytes in
            guard bytes.count >= 3 else { return false }
            if bytes[0] == UInt8(ascii: "P") && bytes[1] == UInt8(ascii: "y") {
                return [UInt8(ascii: "F"), UInt8(ascii: "U"), UInt8(ascii: "S"), UInt8(ascii: "I"), UInt8(ascii: "_")].contains(bytes[2])
            }
            return bytes[0] == UInt8(ascii: "_") && bytes[1] == UInt8(ascii: "P") && bytes[2] == UInt8(ascii: "y")
        }
        guard !imported.isEmpty else { return [] }
        var reasons: [Reason] = []
        /// The matching names, sorted, with `first` first when present (auditwheel's message names PyFPE_jbuf).
        func matching(_ test: (String) -> Bool, first: String? = nil) -> [String] {
            let names = Set(imported.filter(test)).sorted()
            guard let first, names.contains(first) else { return names }
            return [first] + names.filter { $0 != first }
        }
        func shown(_ names: [String]) -> String {
            names.count <= 3 ? names.joined(separator: ", ") : names.prefix(3).joined(separator: ", ") + " and \(names.count - 3) more"
        }
        let fpe = matching({ $0.hasPrefix("PyFPE_") }, first: "PyFPE_jbuf")
        if let symbol = fpe.first {
            reasons.append(Reason(symbol: symbol, reason: "it needs \(shown(fpe)), which only a CPython built --with-fpectl exports (gone since CPython 3.7)"))
        }
        let unicode = matching(isUnicodeWidth)
        if let symbol = unicode.first {
            let width = symbol.hasPrefix("PyUnicodeUCS2_") ? "narrow (UCS2)" : "wide (UCS4)"
            reasons.append(Reason(symbol: symbol, reason: "it needs \(shown(unicode)), from a \(width) Unicode build of Python 2"))
        }
        let python2 = matching(isPython2)
        if let symbol = python2.first {
            reasons.append(Reason(symbol: symbol, reason: "it needs \(shown(python2)), Python 2 API that Python 3 does not have"))
        }
        return reasons
    }
}

/// `binary.fileName`, read off the bytes when the path is ASCII (every separator is then one character).
private func fileName(_ binary: Binary) -> String {
    let path = binary.path
    let found: String?? = path.utf8.withContiguousStorageIfAvailable { bytes -> String? in
        guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
        // The last non-empty run after the last `!` that has one, then the last non-empty run between `/`.
        func lastRun(_ range: Range<Int>, separator: UInt8) -> Range<Int>? {
            var end = range.upperBound
            while end > range.lowerBound && bytes[end - 1] == separator { end -= 1 }
            guard end > range.lowerBound else { return nil }
            var start = end
            while start > range.lowerBound && bytes[start - 1] != separator { start -= 1 }
            return start..<end
        }
        let inner = lastRun(0..<bytes.count, separator: UInt8(ascii: "!")) ?? 0..<bytes.count
        let name = lastRun(inner, separator: UInt8(ascii: "/")) ?? inner
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[name]), as: UTF8.self)
    }
    return found.flatMap { $0 } ?? binary.fileName
}
