import ShiplintFacts

/// Bounds-checked reads of integers and strings from untrusted bytes; every read returns nil past the end.
struct ByteView {
    let bytes: [UInt8]
    let byteOrder: ByteOrder

    init(_ bytes: [UInt8], byteOrder: ByteOrder) {
        self.bytes = bytes
        self.byteOrder = byteOrder
    }

    var count: Int { bytes.count }

    func contains(offset: Int, length: Int) -> Bool {
        offset >= 0 && length >= 0 && offset <= bytes.count && length <= bytes.count - offset
    }

    func u8(_ offset: Int) -> UInt8? {
        contains(offset: offset, length: 1) ? bytes[offset] : nil
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

    private func unsigned(_ offset: Int, width: Int) -> UInt64? {
        guard contains(offset: offset, length: width) else { return nil }
        var value: UInt64 = 0
        for index in 0..<width {
            let byte = UInt64(bytes[offset + (byteOrder == .little ? width - 1 - index : index)])
            value = value << 8 | byte
        }
        return value
    }

    /// A NUL-terminated string starting at `offset`, at most `limit` bytes, not crossing `end`.
    func cString(at offset: Int, limit: Int = 4096, end: Int? = nil) -> String? {
        let stop = min(end ?? bytes.count, bytes.count, offset.addingReportingOverflow(limit).partialValue)
        guard offset >= 0, offset < stop else { return nil }
        guard let terminator = bytes[offset..<stop].firstIndex(of: 0) else { return nil }
        return String(decoding: bytes[offset..<terminator], as: UTF8.self)
    }
}
