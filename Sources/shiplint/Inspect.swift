import ArgumentParser
import ShiplintReports

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print every native binary in each artifact with the facts read from its headers.",
        discussion: """
            For each ELF: class, byte order, machine, type, interpreter, DT_NEEDED, SONAME, RPATH, RUNPATH, version \
            needs and definitions, the highest GLIBC / GLIBCXX / CXXABI / GCC needed, the stack flags and x86 ISA \
            level. For PE: machine and imported DLLs. For Mach-O: each slice's CPU, file type, dylibs and minimum OS. \
            Files named like native libraries that are none of these are listed with the reason. No judgement: \
            `shiplint scan` does that.
            """
    )

    @Argument(help: "Artifacts: .zip, .whl, .tar(.gz|.xz|.zst|.bz2), a folder, or a single binary.")
    var paths: [String]

    @OptionGroup var outputOptions: OutputOptions
    @OptionGroup(title: "Reading limits") var reading: ReadingOptions

    func run() throws {
        let artifacts = try reading.read(paths)
        try outputOptions.emit(InspectReport.render(artifacts, format: outputOptions.format, style: outputOptions.style))
    }
}
