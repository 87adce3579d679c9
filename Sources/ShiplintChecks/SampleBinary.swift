import ShiplintFacts

/// Facts built in code for check examples and tests: what a reader would produce for such a file.
public enum SampleBinary {
    public static func elf(
        _ path: String, arch: String = "x86_64", machine: UInt16 = 62, bits: Int = 64, byteOrder: ByteOrder = .little,
        needed: [String] = ["libc.so.6"], interpreter: String? = nil, rpath: [String] = [],
        versionNeeds: [VersionNeed] = [VersionNeed(file: "libc.so.6", names: ["GLIBC_2.2.5"])],
        executableStack: Bool? = false, symbols: [DynamicSymbol] = [], androidAPILevel: Int? = nil,
        loader: ElfLoaderFacts = ElfLoaderFacts()
    ) -> Binary {
        Binary(
            path: path, size: 4096, mode: 0o100644,
            facts: .elf(ElfFacts(
                bits: bits, byteOrder: byteOrder, machine: machine, arch: arch, osABI: "sysv", type: .dyn,
                interpreter: interpreter, needed: needed, soname: nil, rpath: rpath, runpath: [],
                executableStack: executableStack, versionNeeds: versionNeeds, versionDefinitions: [], x86ISANeeded: [],
                symbols: symbols, androidAPILevel: androidAPILevel, loader: loader)),
            problem: nil)
    }

    /// Imported functions, each `name` or `name@VERSION` (the version needed from `file`).
    public static func imports(_ names: [String], from file: String? = nil) -> [DynamicSymbol] {
        names.map { text in
            let parts = text.split(separator: "@", maxSplits: 1).map(String.init)
            return DynamicSymbol(
                name: parts[0], version: parts.count > 1 ? parts[1] : nil, versionFile: parts.count > 1 ? file : nil,
                isDefined: false, isWeak: false, kind: .function)
        }
    }

    /// A bundled shared library with a SONAME and version definitions.
    public static func library(_ path: String, soname: String, definitions: [String] = [], needed: [String] = ["libc.so.6"]) -> Binary {
        Binary(
            path: path, size: 4096, mode: 0o100644,
            facts: .elf(ElfFacts(
                bits: 64, byteOrder: .little, machine: 62, arch: "x86_64", osABI: "sysv", type: .dyn,
                interpreter: nil, needed: needed, soname: soname, rpath: [], runpath: [], executableStack: false,
                versionNeeds: [], versionDefinitions: definitions, x86ISANeeded: [])),
            problem: nil)
    }

    public static func pe(_ path: String, machine: UInt16 = 0x8664, arch: String = "x86_64", imports: [String] = ["python313.dll", "KERNEL32.dll"]) -> Binary {
        Binary(
            path: path, size: 4096, mode: nil,
            facts: .pe(PEFacts(machine: machine, arch: arch, bits: 64, isDLL: true, imports: imports)), problem: nil)
    }

    public static func macho(_ path: String, archs: [String] = ["x86_64", "aarch64"]) -> Binary {
        let slices = archs.map { arch in
            MachOSlice(
                cpuType: arch == "x86_64" ? 0x0100_0007 : 0x0100_000C, cpuSubtype: 0, arch: arch, bits: 64, byteOrder: .little,
                fileType: "bundle", loadDylibs: ["/usr/lib/libSystem.B.dylib"], minimumOS: "11.0", platform: "macos")
        }
        return Binary(path: path, size: 4096, mode: nil, facts: .macho(MachOFacts(isFat: archs.count > 1, slices: slices)), problem: nil)
    }

    public static func unreadable(_ path: String, problem: String) -> Binary {
        Binary(path: path, size: 16, mode: nil, facts: nil, problem: problem)
    }
}
