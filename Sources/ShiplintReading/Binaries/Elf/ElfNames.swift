import ShiplintFacts

/// Names for ELF header values, in the words the facts use.
enum ElfNames {
    static func arch(machine: UInt16, bits: Int, byteOrder: ByteOrder) -> String {
        switch machine {
        case 62: "x86_64"
        case 183: "aarch64"
        case 3: "i386"
        case 22: bits == 64 ? "s390x" : "s390"
        case 40: "arm"
        case 8: bits == 64 ? "mips64" : "mips"
        case 20: "ppc"
        case 21: byteOrder == .little ? "ppc64le" : "ppc64"
        case 243: bits == 64 ? "riscv64" : "riscv32"
        case 258: "loongarch64"
        case 2: "sparc"
        case 43: "sparcv9"
        default: "elf-machine-\(machine)"
        }
    }

    static func osABI(_ value: UInt8) -> String {
        switch value {
        case 0: "sysv"
        case 3: "gnu"
        case 6: "solaris"
        case 9: "freebsd"
        case 12: "openbsd"
        default: "osabi-\(value)"
        }
    }

    static func objectType(_ value: UInt16) -> ElfFacts.ObjectType {
        switch value {
        case 0: .none
        case 1: .rel
        case 2: .exec
        case 3: .dyn
        case 4: .core
        default: .other
        }
    }

    static func x86ISALevels(_ mask: UInt32) -> [String] {
        let names: [(UInt32, String)] = [(1, "x86-64-baseline"), (2, "x86-64-v2"), (4, "x86-64-v3"), (8, "x86-64-v4")]
        return names.filter { mask & $0.0 != 0 }.map(\.1)
    }
}
