import ShiplintFacts

/// Decides whether a file is a native binary (by magic bytes, or by a name that promises one) and reads its facts.
public enum BinaryReader {
    /// Nil when the file is neither a native binary nor named like one: not shiplint's business.
    public static func read(path: String, size: Int64, mode: UInt32?, bytes: [UInt8]) -> Binary? {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let signature = FileSignature(prefix: Array(bytes.prefix(FileSignature.prefixLength)))
        let namedNative = NativeName.looksNative(name)
        func binary(_ facts: BinaryFacts) -> Binary {
            Binary(path: path, size: size, mode: mode, facts: facts, problem: nil)
        }
        func problem(_ text: String) -> Binary {
            Binary(path: path, size: size, mode: mode, facts: nil, problem: text)
        }
        switch signature {
        case .elf:
            switch ElfReader.read(bytes) {
            case .facts(let facts): return binary(.elf(facts))
            case .corrupt(let reason), .notHeld(let reason, _, _, _): return problem(reason)
            }
        case .pe:
            switch PEReader.read(bytes) {
            case .facts(let facts): return binary(.pe(facts))
            case .notPE(let reason): return namedNative ? problem(reason) : nil
            case .corrupt(let reason): return problem("PE: " + reason)
            }
        case .machO, .machOFat:
            switch MachOReader.read(bytes) {
            case .facts(let facts): return binary(.macho(facts))
            case .corrupt(let reason): return problem("Mach-O: " + reason)
            }
        case .javaClass:
            return namedNative ? problem("a Java class file (0xCAFEBABE with a class-file version), not a native library") : nil
        case .text:
            guard namedNative else { return nil }
            return problem(isLinkerScript(bytes)
                ? "a GNU ld script (text), not a shared object: the linker reads it, the dynamic loader cannot"
                : "a text file, not a native library")
        case .zip, .tarLike, .unknown:
            guard namedNative else { return nil }
            if bytes.isEmpty { return problem("an empty file, not a native library") }
            let head = bytes.prefix(4).map { byte in
                let hex = String(byte, radix: 16)
                return hex.count == 1 ? "0" + hex : hex
            }.joined(separator: " ")
            return problem("not an ELF, PE or Mach-O file (starts with \(head))")
        }
    }

    private static func isLinkerScript(_ bytes: [UInt8]) -> Bool {
        let text = String(decoding: bytes.prefix(4096), as: UTF8.self)
        return text.contains("GNU ld script") || text.contains("GROUP") || text.contains("INPUT(") || text.contains("OUTPUT_FORMAT")
    }
}
