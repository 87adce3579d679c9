import ShiplintFacts
import ShiplintTargets

extension Check {
    public static let pythonInitMissing = Check(
        id: "python-init-missing",
        defaultSeverity: .error,
        summary: "An extension module that does not export the PyInit_ function its file name promises",
        explanation: """
            `import pkg._speedups` loads `pkg/_speedups.cpython-313-x86_64-linux-gnu.so` and then looks up \
            `PyInit__speedups` in it: the name before the first dot of the file name decides the function's name. \
            A module renamed after it was built (`_speedups` became `speedups`), a library copied under a module's \
            name, or a build whose init function was not exported (a version script or `-fvisibility=hidden` \
            without `PyMODINIT_FUNC`) fails every import with `ImportError: dynamic module does not define module \
            export function (PyInit__speedups)`. A file that calls nothing of CPython's C API is not an extension \
            module whatever its name: it is a plain library that the package opens with ctypes or cffi (pycryptodome's \
            `Crypto/Cipher/_raw_aes.abi3.so`), no import looks for its `PyInit_`, and this check stays silent. A \
            file that does call CPython but exports no `PyInit_` of any name, and that nothing in its package \
            imports, is loaded by its path (ctypes, or a debugger that injects it into another process, as memray \
            does with `memray/_inject.abi3.so` for `memray attach`): it fails only if something imports it, so this \
            is a warning saying so; what would stop it loading at all (another architecture, a missing library) \
            stays an error.

            Fix: rebuild the module under the name it is imported by (the `name` of its `Extension`, or the \
            `PyModuleDef` name and `PyInit_<name>` function in its source), or rename the file back; export \
            `PyInit_<name>` with `PyMODINIT_FUNC`.
            """,
        examples: [
            CheckExample("renamed module", binary: SampleBinary.elf("pkg/speedups.cpython-313-x86_64-linux-gnu.so", symbols: [DynamicSymbol(name: "PyInit__speedups", version: nil, versionFile: nil, isDefined: true, isWeak: false, kind: .function), DynamicSymbol(name: "PyModule_Create2", version: nil, versionFile: nil, isDefined: false, isWeak: false, kind: .function)]), target: "aws-lambda-python3.13-x86_64", fires: true, at: "pkg/speedups.cpython-313-x86_64-linux-gnu.so", mentions: "dynamic module does not define module export function (PyInit_speedups)"),
            CheckExample("abi3 module without exports", binary: SampleBinary.elf("pkg/_native.abi3.so", symbols: [DynamicSymbol(name: "PyModule_Create2", version: nil, versionFile: nil, isDefined: false, isWeak: false, kind: .function)]), target: "aws-lambda-python3.12-x86_64", fires: true, at: "pkg/_native.abi3.so", mentions: "(PyInit__native)"),
            CheckExample("exports its PyInit_", binary: SampleBinary.elf("pkg/_speedups.cpython-313-x86_64-linux-gnu.so", symbols: [DynamicSymbol(name: "PyInit__speedups", version: nil, versionFile: nil, isDefined: true, isWeak: false, kind: .function)]), target: "aws-lambda-python3.13-x86_64", fires: false),
            CheckExample("a ctypes library under a module's name (pycryptodome)", binary: SampleBinary.elf("Crypto/Cipher/_raw_aes.abi3.so", symbols: [DynamicSymbol(name: "memcpy", version: "GLIBC_2.17", versionFile: "libc.so.6", isDefined: false, isWeak: false, kind: .function)]), target: "aws-lambda-python3.13-arm64", fires: false),
            CheckExample("a library, not a module", binary: SampleBinary.elf("pkg/libfoo.so.1"), target: "aws-lambda-python3.13-x86_64", fires: false),
            CheckExample("a compiled package __init__ exports the package's PyInit_", binary: SampleBinary.elf("apsw/__init__.cpython-313-x86_64-linux-gnu.so", symbols: [DynamicSymbol(name: "PyInit_apsw", version: nil, versionFile: nil, isDefined: true, isWeak: false, kind: .function), DynamicSymbol(name: "PyModule_Create2", version: nil, versionFile: nil, isDefined: false, isWeak: false, kind: .function)]), target: "aws-lambda-python3.13-x86_64", fires: false),
            CheckExample("a compiled package __init__ without it", binary: SampleBinary.elf("apsw/__init__.cpython-313-x86_64-linux-gnu.so", symbols: [DynamicSymbol(name: "PyModule_Create2", version: nil, versionFile: nil, isDefined: false, isWeak: false, kind: .function)]), target: "aws-lambda-python3.13-x86_64", fires: true, at: "apsw/__init__.cpython-313-x86_64-linux-gnu.so", mentions: "(PyInit_apsw)"),
        ]
    ) { context in
        guard case .elf(let elf)? = context.binary.facts, context.target.python != nil || context.target.kind == .wheelPolicy,
            let name = ExtensionModuleName(fileName: context.binary.fileName)
        else { return nil }
        if case .windows = name.tag { return nil }
        // The name the runtime imports it by (a compiled package `__init__` is its package: `import apsw` loads
        // `apsw/__init__….so` and calls PyInit_apsw); Python/importdl.c takes the last component of that name.
        let dotted = context.runtime.importName(ofModule: name.module, at: context.binary.path, in: context.role)
        let module = dotted.split(separator: ".").last.map(String.init) ?? name.module
        // CPython (Python/importdl.c): PyInit_<name> for an ASCII name, PyInitU_<punycode> otherwise.
        let isASCII = module.utf8.allSatisfy { $0 < 0x80 }
        let wanted = isASCII ? "PyInit_" + module : "PyInitU_"
        let exported = elf.symbols.containsName(defined: true) { bytes in
            isASCII ? bytes.elementsEqual(wanted.utf8) : bytes.starts(with: wanted.utf8)
        }
        guard !exported else { return nil }
        // An extension module calls CPython (PyModule_Create2, PyModuleDef_Init, …); a file that imports nothing of
        // its API is a library loaded with ctypes or cffi under a module-like name, and nothing imports it.
        let callsCPython = elf.symbols.containsName(defined: false) { $0.starts(with: "Py".utf8) || $0.starts(with: "_Py".utf8) }
        guard callsCPython else { return nil }
        let shown = isASCII ? wanted : "PyInitU_… for the non-ASCII name \(module)"
        return Verdict(
            "`import \(dotted)` fails: dynamic module does not define module export function (\(shown)); the file exports no such function",
            fix: "Rebuild the module under the name it is imported by (its PyModuleDef name and PyInit_ function), or rename the file back to the name it was built as.",
            fact: shown)
    }
}
