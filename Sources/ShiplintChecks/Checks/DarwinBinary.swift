import ShiplintTargets
import ShiplintFacts

extension Check {
    public static let darwinBinary = Check(
        id: "darwin-binary",
        defaultSeverity: .error,
        summary: "A macOS Mach-O file, thin or universal, in an artifact for a Linux target",
        explanation: """
            The file is a macOS binary (Mach-O, or a universal/fat file holding several), usually because the \
            dependencies were installed on a Mac and zipped. Lambda's Linux loader cannot open it; a Python \
            extension named `…cpython-313-darwin.so` is not even looked for by CPython on Linux, so the import fails \
            with `No module named …`.

            Fix: on a Lambda target, install the Linux build of the package (`pip install --platform \
            manylinux2014_x86_64 --implementation cp --python-version 3.13 --only-binary=:all: --target build/ -r \
            requirements.txt`; for Node.js `npm install --os=linux --cpu=x64`), or build inside a Linux container. \
            On a wheel-policy target, build the wheel in the policy's quay.io/pypa image and run \
            `auditwheel repair`.
            """,
        examples: [
            CheckExample("a universal2 extension", binary: SampleBinary.macho("pkg/_mod.cpython-313-darwin.so"), target: "aws-lambda-python3.13-x86_64", fires: true, at: "pkg/_mod.cpython-313-darwin.so", mentions: "macOS universal Mach-O (x86_64 + aarch64)"),
            CheckExample("an arm64 .node addon", binary: SampleBinary.macho("node_modules/x/build/Release/x.node", archs: ["aarch64"]), target: "aws-lambda-nodejs22.x-arm64", fires: true, at: "node_modules/x/build/Release/x.node", mentions: "macOS Mach-O for aarch64"),
            CheckExample("a Linux ELF", binary: SampleBinary.elf("pkg/_mod.abi3.so"), target: "aws-lambda-python3.13-x86_64", fires: false),
        ]
    ) { context in
        guard case .macho(let macho)? = context.binary.facts, context.target.platform.os == "linux" else { return nil }
        let archs = macho.slices.map(\.arch).joined(separator: " + ")
        let minimum = macho.slices.compactMap(\.minimumOS).first.map { ", macOS \($0)+" } ?? ""
        let kind = macho.isFat ? "universal Mach-O (\(archs))" : "Mach-O for \(archs)"
        return Verdict(
            "macOS \(kind)\(minimum); \(context.target.runtimeLabel) runs Linux and cannot load it",
            fix: context.advice.rebuild(), fact: "macho \(macho.slices.map(\.arch).joined(separator: "+"))")
    }
}
