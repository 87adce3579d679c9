import ShiplintFacts

/// Bounds-checked reads of integers and strings from untrusted bytes; every read returns nil past the end.
/// Offsets are absolute: `base` is the file offset of `bytes[0]`, so a view of a held range reads with file offsets.
struct ByteView {
    let bytes: [UInt8]
    let byteOrder: ByteOrder
    let base: Int

    init(_ bytes: [UInt8], byteOrder: ByteOrder, base: Int = 0) {
        self.bytes = bytes
        self.byteOrder = byteOrder
        self.base = base
    }

    /// One past the last absolute offset this view holds.
    var end: Int { base + bytes.count }
    var count: Int { bytes.count }

    func contains(offset: Int, length: Int) -> Bool {
        offset >= base && length >= 0 && offset - base <= bytes.count && length <= bytes.count - (offset - base)
    }

    func u8(_ offset: Int) -> UInt8? {
        contains(offset: offset, length: 1) ? bytes[offset - base] : nil
    }

    func u16(_ offset: Int) -> UInt16? {
        unsigned(offset, width: 2).map { UInt16(truncatingIfNeeded: $0) }
    }

    func u32(_ offset: Int) -> UInt32? {
        unsigned(offset, width: 4).map { UInt32(truncatingIfNeeded: $0) }
    }

    func u64(_ offset: Int) -> UInt64? {
        unsigned(offset, width: 8)
    }

    /// A 32- or 64-bit word, as ELF addresses and sizes are in each class.
    func word(_ offset: Int, bits: Int) -> UInt64? {
        bits == 64 ? u64(offset) : u32(offset).map(UInt64.init)
    }

    private func unsigned(_ offset: Int, width: Int) -> UInt64? {
        guard contains(offset: offset, length: width) else { return nil }
        let start = offset - base
        var value: UInt64 = 0
        for index in 0..<width {
            let byte = UInt64(bytes[start + (byteOrder == .little ? width - 1 - index : index)])
            value = value << 8 | byte
        }
        return value
    }

    /// A NUL-terminated string starting at `offset`, at most `limit` bytes, not crossing `end`.
    func cString(at offset: Int, limit: Int = 4096, end: Int? = nil) -> String? {
        cStringRange(at: offset, limit: limit, end: end).map { String(decoding: bytes[$0], as: UTF8.self) }
    }

    /// Where in `bytes` the NUL-terminated string at `offset` lies (without its NUL), under the bounds of `cString`.
    func cStringRange(at offset: Int, limit: Int = 4096, end: Int? = nil) -> Range<Int>? {
        let stop = min(end ?? self.end, self.end, offset.addingReportingOverflow(limit).partialValue) - base
        let start = offset - base
        guard start >= 0, start < stop else { return nil }
        guard let terminator = bytes[start..<stop].firstIndex(of: 0) else { return nil }
        return start..<terminator
    }
}
