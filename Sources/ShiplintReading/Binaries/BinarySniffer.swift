import ShiplintFacts

/// What the first bytes of a file say it is. Decides which reader runs; nothing is trusted beyond the magic.
enum FileSignature: Equatable {
    case elf
    case pe
    case machO
    case machOFat
    /// `0xCAFEBABE` followed by a class-file version, not a fat Mach-O header.
    case javaClass
    case zip
    /// A compressed or plain tar stream (gzip, xz, zstd, bzip2, or `ustar` at offset 257).
    case tarLike
    case text
    case unknown

    /// Bytes needed to decide (the tar magic sits at offset 257).
    static let prefixLength = 512

    init(prefix: [UInt8]) {
        func starts(_ magic: [UInt8], at offset: Int = 0) -> Bool {
            prefix.count >= offset + magic.count && Array(prefix[offset..<offset + magic.count]) == magic
        }
        if starts([0x7F, 0x45, 0x4C, 0x46]) {
            self = .elf
        } else if starts([0x4D, 0x5A]) {
            // The PE signature's offset (e_lfanew) may lie past the prefix; PEReader checks it. Plain MZ is DOS.
            self = .pe
        } else if starts([0xFE, 0xED, 0xFA, 0xCE]) || starts([0xCE, 0xFA, 0xED, 0xFE])
            || starts([0xFE, 0xED, 0xFA, 0xCF]) || starts([0xCF, 0xFA, 0xED, 0xFE])
        {
            self = .machO
        } else if starts([0xCA, 0xFE, 0xBA, 0xBE]) || starts([0xCA, 0xFE, 0xBA, 0xBF]) {
            self = FileSignature.fatOrJava(prefix)
        } else if starts([0x50, 0x4B, 0x03, 0x04]) || starts([0x50, 0x4B, 0x05, 0x06]) {
            self = .zip
        } else if starts([0x1F, 0x8B]) || starts([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) || starts([0x28, 0xB5, 0x2F, 0xFD])
            || starts([0x42, 0x5A, 0x68]) || starts(Array("ustar".utf8), at: 257)
        {
            self = .tarLike
        } else if !prefix.isEmpty && !prefix.contains(0) && String(validating: prefix, as: UTF8.self) != nil {
            self = .text
        } else {
            self = .unknown
        }
    }

    /// A tar that has no `ustar` magic and that GNU tar and Python's tarfile still read, known by its first block
    /// (`prefix`, 512 bytes): a block of zeros (the end-of-archive mark: a tar with no entries, as
    /// `tar -cf x.tar -T /dev/null` writes), or a pre-POSIX (V7) header whose checksum holds. Both check a header by
    /// its checksum alone: the sum of its bytes with the checksum field counted as spaces, unsigned or signed (GNU
    /// tar's `tar_checksum`, tarfile's `calc_chksums`).
    static func isTarWithoutMagic(_ prefix: [UInt8]) -> Bool {
        guard prefix.count == 512 else { return false }
        if isZeroBlock(prefix) { return true }
        var field = prefix[148..<156].drop(while: { $0 == 0x20 })
        var stored = 0
        var digits = 0
        while let byte = field.first, (0x30...0x37).contains(byte) {
            stored = stored * 8 + Int(byte - 0x30)
            digits += 1
            field = field.dropFirst()
        }
        guard digits > 0, field.first.map({ $0 == 0 || $0 == 0x20 }) ?? true else { return false }
        var unsigned = 8 * 0x20
        var signed = 8 * 0x20
        for (offset, byte) in prefix.enumerated() where !(148..<156).contains(offset) {
            unsigned += Int(byte)
            signed += Int(Int8(bitPattern: byte))
        }
        return stored == unsigned || stored == signed
    }

    /// 512 zero bytes: a tar's end-of-archive block.
    static func isZeroBlock(_ prefix: [UInt8]) -> Bool {
        prefix.count == 512 && prefix.allSatisfy { $0 == 0 }
    }

    /// Fat Mach-O and Java class files share `0xCAFEBABE`. A fat header's next word counts architectures (a real
    /// universal binary has a handful); a class file's next two halves are its minor and major version (major >= 45).
    private static func fatOrJava(_ prefix: [UInt8]) -> FileSignature {
        guard prefix.count >= 8 else { return .machOFat }
        let count = UInt32(prefix[4]) << 24 | UInt32(prefix[5]) << 16 | UInt32(prefix[6]) << 8 | UInt32(prefix[7])
        if (1...30).contains(count) { return .machOFat }
        let major = UInt16(prefix[6]) << 8 | UInt16(prefix[7])
        if prefix[3] == 0xBE, (45..<100).contains(major) { return .javaClass }
        return .machOFat
    }

    var isNativeBinary: Bool {
        switch self {
        case .elf, .pe, .machO, .machOFat: true
        default: false
        }
    }
}

/// File names that promise a native library or extension module.
enum NativeName {
    static func looksNative(_ name: String) -> Bool {
        let lower = name.lowercased()
        for suffix in [".so", ".pyd", ".dll", ".dylib", ".node", ".bundle"] where lower.hasSuffix(suffix) {
            return true
        }
        // libfoo.so.1, libfoo.so.1.2.3
        if let range = lower.lastRange(of: ".so.") {
            let tail = lower[range.upperBound...]
            return !tail.isEmpty && tail.allSatisfy { $0.isNumber || $0 == "." }
        }
        return false
    }

    /// Whether an entry's first bytes are worth reading at all: only a file a loader, the runtime or an unpacker could
    /// take for native code or an archive. Python imports extension modules only by their suffix (`.so`, `.pyd`),
    /// Node loads an addon only from a `.node` file, ld.so maps the names in DT_NEEDED (`lib*.so*`), Lambda runs
    /// `bootstrap` and files with an execute bit, and archives are opened by their suffix; a `.py`, `.js`, `.json`,
    /// `.d.ts` or `.map` file is read as text by its runtime whatever its bytes, so no loader could ever load it.
    static func worthSniffing(path: String, mode: UInt32?) -> Bool {
        if let mode, mode & 0o111 != 0 { return true }
        // Asked of every entry: an ASCII path is judged on its bytes, with the same rule as below.
        if let judged = path.utf8.withContiguousStorageIfAvailable({ worthSniffing(ascii: $0) }), let judged {
            return judged
        }
        let components = path.split(separator: "/")
        let name = components.last.map(String.init) ?? path
        if name == "bootstrap" || looksNative(name) || looksLikeArchive(name) { return true }
        let lower = name.lowercased()
        if lower.contains(".so.") { return true }
        // No extension (executables, `libfoo` without a suffix); a leading dot alone is no extension.
        if !lower.dropFirst().contains(".") { return true }
        return components.dropLast().contains { $0 == "bin" || $0 == "sbin" || $0 == "libexec" }
    }

    private static let sniffedSuffixes: [[UInt8]] = [
        ".so", ".pyd", ".dll", ".dylib", ".node", ".bundle",
        ".whl", ".zip", ".egg", ".jar", ".tar", ".tar.gz", ".tgz", ".tar.xz", ".txz", ".tar.zst", ".tar.bz2", ".tbz2",
    ].map { Array($0.utf8) }

    /// `worthSniffing` on the bytes of an ASCII path not ending in `/`; nil for any other path (the general rule decides).
    private static func worthSniffing(ascii path: UnsafeBufferPointer<UInt8>) -> Bool? {
        let slash = UInt8(ascii: "/")
        guard let last = path.last, last != slash, path.allSatisfy({ $0 < 0x80 }) else { return nil }
        let nameStart = path.lastIndex(of: slash).map { $0 + 1 } ?? 0
        let name = UnsafeBufferPointer(rebasing: path[nameStart...])
        func lower(_ byte: UInt8) -> UInt8 { byte >= 65 && byte <= 90 ? byte | 0x20 : byte }
        func endsWith(_ suffix: [UInt8]) -> Bool {
            name.count >= suffix.count && zip(name.suffix(suffix.count), suffix).allSatisfy { lower($0) == $1 }
        }
        if name.elementsEqual("bootstrap".utf8) || sniffedSuffixes.contains(where: endsWith) { return true }
        // `.so.` anywhere in the name (libfoo.so.1 and the like).
        let soDot = Array(".so.".utf8)
        if name.count >= 4, (0...(name.count - 4)).contains(where: { start in (0..<4).allSatisfy { lower(name[start + $0]) == soDot[$0] } }) {
            return true
        }
        // No extension (executables, `libfoo` without a suffix); a leading dot alone is no extension.
        if !name.dropFirst().contains(UInt8(ascii: ".")) { return true }
        return path[..<nameStart].split(separator: slash).contains { folder in
            folder.elementsEqual("bin".utf8) || folder.elementsEqual("sbin".utf8) || folder.elementsEqual("libexec".utf8)
        }
    }

    /// Names of archives worth opening when found inside an artifact.
    static func looksLikeArchive(_ name: String) -> Bool {
        let lower = name.lowercased()
        return [".whl", ".zip", ".egg", ".jar", ".tar", ".tar.gz", ".tgz", ".tar.xz", ".txz", ".tar.zst", ".tar.bz2", ".tbz2"]
            .contains { lower.hasSuffix($0) }
    }
}
