import ShiplintTargets
import ShiplintFacts

extension Check {
    public static let windowsBinary = Check(
        id: "windows-binary",
        defaultSeverity: .error,
        summary: "A Windows PE file (.pyd, .dll, any name) in an artifact for a Linux target",
        explanation: """
            The file is a Windows executable (PE/COFF), usually because the package was installed with `pip install` \
            or `npm install` on a Windows machine and zipped as is. Lambda runs Linux: the loader cannot open a PE \
            file. For a Python extension module the import fails before that even, because CPython on Linux does \
            not look for `.pyd` names, and Lambda reports `Runtime.ImportModuleError: No module named …`. On a .NET \
            runtime a managed assembly of IL only (the function's own `.dll` and most NuGet packages') is not native \
            code and is not reported; a mixed-mode or native DLL is.

            Fix: on a Lambda target, install the Linux build of the package, from any machine, by asking pip for \
            Linux wheels (`pip install --platform manylinux2014_x86_64 --implementation cp --python-version 3.13 \
            --only-binary=:all: --target build/ -r requirements.txt`), or build the package in a Linux container. \
            On a wheel-policy target, build the wheel in the policy's quay.io/pypa image and run \
            `auditwheel repair`.
            """,
        examples: [
            CheckExample("a cp313 win_amd64 extension", binary: SampleBinary.pe("pydantic_core/_pydantic_core.cp313-win_amd64.pyd"), target: "aws-lambda-python3.13-x86_64", fires: true, at: "pydantic_core/_pydantic_core.cp313-win_amd64.pyd", mentions: "Windows PE DLL for x86_64 (imports python313.dll"),
            CheckExample("a DLL with a Linux name", binary: SampleBinary.pe("lib/libfoo.so"), target: "aws-lambda-provided.al2023-x86_64", fires: true, at: "lib/libfoo.so", mentions: "Windows PE DLL for x86_64"),
            CheckExample("a Linux extension", binary: SampleBinary.elf("pkg/_mod.cpython-313-x86_64-linux-gnu.so"), target: "aws-lambda-python3.13-x86_64", fires: false),
        ]
    ) { context in
        guard case .pe(let pe)? = context.binary.facts, context.target.platform.os == "linux" else { return nil }
        // A .NET assembly of IL only is what a .NET runtime loads (MyFunction.dll, Amazon.Lambda.Core.dll): not native.
        if pe.isManaged && (context.runtime.family == .dotnet || context.target.dotnet != nil) { return nil }
        let imports = pe.imports.isEmpty ? "" : " (imports \(pe.imports.prefix(3).joined(separator: ", ")))"
        return Verdict(
            "Windows PE \(pe.isDLL ? "DLL" : "executable") for \(pe.arch)\(imports); \(context.target.runtimeLabel) runs Linux and cannot load it",
            fix: context.advice.rebuild(), fact: "pe \(pe.arch) \(pe.isDLL ? "dll" : "exe")")
    }
}
