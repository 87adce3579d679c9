import ShiplintFacts

/// Reads Mach-O headers (thin, 32/64-bit, both byte orders) and fat/universal wrappers from untrusted bytes.
/// Layout: Apple's <mach-o/loader.h> and <mach-o/fat.h>.
enum MachOReader {
    enum Outcome {
        case facts(MachOFacts)
        case corrupt(String)
    }

    static func read(_ bytes: [UInt8]) -> Outcome {
        guard bytes.count >= 8 else { return .corrupt("truncated Mach-O header (\(bytes.count) bytes)") }
        if bytes[0] == 0xCA && bytes[1] == 0xFE && bytes[2] == 0xBA && (bytes[3] == 0xBE || bytes[3] == 0xBF) {
            return readFat(bytes, is64: bytes[3] == 0xBF)
        }
        switch readSlice(bytes, offset: 0, length: bytes.count) {
        case .success(let slice): return .facts(MachOFacts(isFat: false, slices: [slice]))
        case .failure(let reason): return .corrupt(reason.text)
        }
    }

    struct Reason: Error {
        let text: String
    }

    private static let maximumSlices = 30

    private static func readFat(_ bytes: [UInt8], is64: Bool) -> Outcome {
        let view = ByteView(bytes, byteOrder: .big)
        guard let count = view.u32(4).map(Int.init) else { return .corrupt("truncated fat header") }
        guard count >= 1, count <= maximumSlices else {
            return .corrupt("fat header declares \(count) architectures (a universal binary has 1 to \(maximumSlices))")
        }
        let entrySize = is64 ? 32 : 20
        guard view.contains(offset: 8, length: count * entrySize) else {
            return .corrupt("fat header's \(count) architecture entries run past the end of the file")
        }
        var slices: [MachOSlice] = []
        for index in 0..<count {
            let entry = 8 + index * entrySize
            let offset: Int
            let size: Int
            if is64 {
                guard let o = view.u64(entry + 8), let s = view.u64(entry + 16), o <= UInt64(Int.max), s <= UInt64(Int.max)
                else { return .corrupt("bad fat architecture entry \(index)") }
                offset = Int(o)
                size = Int(s)
            } else {
                guard let o = view.u32(entry + 8), let s = view.u32(entry + 12) else {
                    return .corrupt("bad fat architecture entry \(index)")
                }
                offset = Int(o)
                size = Int(s)
            }
            guard view.contains(offset: offset, length: size) else {
                return .corrupt("slice \(index) (offset \(offset), \(size) bytes) lies past the end of the file (\(bytes.count) bytes)")
            }
            switch readSlice(bytes, offset: offset, length: size) {
            case .success(let slice): slices.append(slice)
            case .failure(let reason): return .corrupt("slice \(index): \(reason.text)")
            }
        }
        return .facts(MachOFacts(isFat: true, slices: slices))
    }

    private static func readSlice(_ all: [UInt8], offset: Int, length: Int) -> Result<MachOSlice, Reason> {
        let bytes = Array(all[offset..<offset + length])
        guard bytes.count >= 28 else { return .failure(Reason(text: "truncated Mach-O header (\(bytes.count) bytes)")) }
        let byteOrder: ByteOrder
        let bits: Int
        switch (bytes[0], bytes[1], bytes[2], bytes[3]) {
        case (0xFE, 0xED, 0xFA, 0xCE): byteOrder = .big; bits = 32
        case (0xCE, 0xFA, 0xED, 0xFE): byteOrder = .little; bits = 32
        case (0xFE, 0xED, 0xFA, 0xCF): byteOrder = .big; bits = 64
        case (0xCF, 0xFA, 0xED, 0xFE): byteOrder = .little; bits = 64
        default: return .failure(Reason(text: "no Mach-O magic"))
        }
        let view = ByteView(bytes, byteOrder: byteOrder)
        let headerSize = bits == 64 ? 32 : 28
        guard let cpuType = view.u32(4), let cpuSubtype = view.u32(8), let fileType = view.u32(12),
            let commandCount = view.u32(16).map(Int.init), let commandsSize = view.u32(20).map(Int.init),
            view.contains(offset: 0, length: headerSize)
        else {
            return .failure(Reason(text: "truncated Mach-O header"))
        }
        guard view.contains(offset: headerSize, length: commandsSize) else {
            return .failure(Reason(text: "load commands (\(commandsSize) bytes) run past the end of the file (\(bytes.count) bytes)"))
        }
        guard commandCount <= commandsSize / 8 else {
            return .failure(Reason(text: "\(commandCount) load commands cannot fit in \(commandsSize) bytes"))
        }
        var dylibs: [String] = []
        var minimumOS: String?
        var platform: String?
        var cursor = headerSize
        let end = headerSize + commandsSize
        for index in 0..<commandCount {
            guard let command = view.u32(cursor), let size = view.u32(cursor + 4).map(Int.init) else {
                return .failure(Reason(text: "load command \(index) is truncated"))
            }
            guard size >= 8, size <= end - cursor else {
                return .failure(Reason(text: "load command \(index) has size \(size), outside the load command area"))
            }
            switch command {
            case 0xC, 0x8000_0018, 0x8000_001F, 0x20, 0x8000_0023:  // LC_LOAD_DYLIB, _WEAK_, REEXPORT_, LAZY_, UPWARD_
                if let nameOffset = view.u32(cursor + 8).map(Int.init), nameOffset < size,
                    let name = view.cString(at: cursor + nameOffset, end: cursor + size)
                {
                    dylibs.append(name)
                } else {
                    return .failure(Reason(text: "load command \(index) names a dylib outside its bounds"))
                }
            case 0x32:  // LC_BUILD_VERSION
                if let platformNumber = view.u32(cursor + 8), let version = view.u32(cursor + 12) {
                    platform = platformName(platformNumber)
                    minimumOS = versionText(version)
                }
            case 0x24, 0x25, 0x2F, 0x30:  // LC_VERSION_MIN_MACOSX, _IPHONEOS, _TVOS, _WATCHOS
                if minimumOS == nil, let version = view.u32(cursor + 8) {
                    minimumOS = versionText(version)
                    platform = [0x24: "macos", 0x25: "ios", 0x2F: "tvos", 0x30: "watchos"][command]
                }
            default:
                break
            }
            cursor += size
        }
        return .success(
            MachOSlice(
                cpuType: Int32(bitPattern: cpuType), cpuSubtype: Int32(bitPattern: cpuSubtype),
                arch: archName(cpuType: cpuType, subtype: cpuSubtype), bits: bits, byteOrder: byteOrder,
                fileType: fileTypeName(fileType), loadDylibs: dylibs, minimumOS: minimumOS, platform: platform))
    }

    static func archName(cpuType: UInt32, subtype: UInt32) -> String {
        switch cpuType {
        case 0x0100_0007: "x86_64"
        case 7: "i386"
        case 0x0100_000C: (subtype & 0x00FF_FFFF) == 2 ? "arm64e" : "aarch64"
        case 0x0200_000C: "arm64_32"
        case 12: "arm"
        case 18: "ppc"
        case 0x0100_0012: "ppc64"
        default: "macho-cpu-\(cpuType)"
        }
    }

    private static func fileTypeName(_ type: UInt32) -> String {
        switch type {
        case 1: "object"
        case 2: "execute"
        case 6: "dylib"
        case 7: "dylinker"
        case 8: "bundle"
        case 9: "dylib-stub"
        case 10: "dsym"
        case 11: "kext"
        default: "filetype-\(type)"
        }
    }

    private static func platformName(_ number: UInt32) -> String {
        switch number {
        case 1: "macos"
        case 2: "ios"
        case 3: "tvos"
        case 4: "watchos"
        case 6: "maccatalyst"
        case 7: "ios-simulator"
        default: "platform-\(number)"
        }
    }

    /// Mach-O packs X.Y.Z as xxxx.yy.zz nibbles; `11.0` rather than `11.0.0`.
    private static func versionText(_ packed: UInt32) -> String {
        let major = packed >> 16
        let minor = (packed >> 8) & 0xFF
        let patch = packed & 0xFF
        return patch == 0 ? "\(major).\(minor)" : "\(major).\(minor).\(patch)"
    }
}
