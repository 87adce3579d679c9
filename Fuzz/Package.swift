// swift-tools-version:6.0
import PackageDescription

// libFuzzer harnesses for shiplint's readers and parsers, kept out of the main package so its build and tests do
// not change. Built by `make fuzz` (see docs/fuzzing.md) with address sanitizer and libFuzzer's coverage instrumentation on every module.
let package = Package(
    name: "shiplint-fuzz",
    dependencies: [.package(name: "shiplint", path: "..")],
    targets: [
        .executableTarget(
            name: "shiplint-fuzz",
            dependencies: [.product(name: "ShiplintFuzzTargets", package: "shiplint")],
            // libFuzzer's driver (libclang_rt.fuzzer_no_main) is C++; `make fuzz` names the archive on the link line.
            linkerSettings: [.linkedLibrary("stdc++")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
