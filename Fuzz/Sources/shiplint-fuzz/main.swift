import Foundation

// libFuzzer's driver, from libclang_rt.fuzzer_no_main (linked by `make fuzz`): this program keeps its own `main`, as
// SwiftPM's executables must, and hands the command line (libFuzzer's flags, corpus folders) to it.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// The harness this process runs, from `SHIPLINT_FUZZ_HARNESS`.
let name = ProcessInfo.processInfo.environment["SHIPLINT_FUZZ_HARNESS"] ?? ""
guard let chosen = harnesses.first(where: { $0.name == name }) else {
    let list = harnesses.map { "  \($0.name): \($0.summary)" }.joined(separator: "\n")
    FileHandle.standardError.write(Data("shiplint-fuzz: set SHIPLINT_FUZZ_HARNESS to one of:\n\(list)\n".utf8))
    exit(2)
}
Chosen.harness = chosen
_ = Scratch.folder

enum Chosen {
    nonisolated(unsafe) static var harness: Harness!
}

var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(runFuzzerDriver(&argc, &argv) { data, size in
    Chosen.harness.run(UnsafeRawBufferPointer(start: size == 0 ? nil : UnsafeRawPointer(data), count: size))
    return 0
})
