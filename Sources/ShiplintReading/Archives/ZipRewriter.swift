internal import CLibdeflate
import FoundationEssentials
import Glibc
import ShiplintFacts

/// A ZIP's entries as its central directory lists them, for writing a copy with some entries left out and others
/// added: every entry kept is copied byte for byte (local header, data, data descriptor, and its central record with
/// only the local header's offset moved), so what was not replaced is exactly what it was. Used by `repair`.
public final class ZipRewriter {
    /// One entry as its central directory record says.
    public struct Entry: Sendable {
        public let name: String
        public let compressedSize: UInt64
        public let uncompressedSize: UInt64
        public let method: UInt16
        public let crc32: UInt32
        let localHeaderOffset: UInt64
        /// The raw central directory record.
        let central: [UInt8]
        /// Where the local header's offset sits in `central` (the 32-bit field, or inside the ZIP64 extra field).
        let offsetField: (position: Int, wide: Bool)
        /// The bytes from the local header to the next entry's (or to the central directory).
        var span: Range<UInt64> = 0..<0

        public var isDirectory: Bool { name.hasSuffix("/") }
    }

    /// A file to add: its path inside the ZIP, its bytes and its Unix mode.
    public struct NewEntry: Sendable {
        public let name: String
        public let bytes: [UInt8]
        public let mode: UInt32

        public init(name: String, bytes: [UInt8], mode: UInt32 = 0o644) {
            self.name = name
            self.bytes = bytes
            self.mode = mode
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public let path: String
    public let entries: [Entry]
    private let handle: ReadableFile

    /// Reads the central directory of the ZIP at `path`. A ZIP whose entries overlap or share data, or that is split
    /// over several disks, cannot be copied entry by entry and is refused.
    public init(path: String) throws(Failure) {
        guard let handle = ReadableFile(path: path) else { throw Failure(description: "\(path): cannot open it") }
        self.path = path
        self.handle = handle
        guard let size = handle.size else { throw Failure(description: "\(path): cannot read it") }
        let tailLength = Int(min(size, 22 + 65_535 + 20))
        let tail = try Self.read(handle, at: size - UInt64(tailLength), count: tailLength, path: path)
        guard let end = (0...max(0, tail.count - 22)).reversed().first(where: { Self.u32(tail, $0) == 0x0605_4b50 }) else {
            throw Failure(description: "\(path): not a ZIP (no end of central directory record)")
        }
        var count = UInt64(Self.u16(tail, end + 10))
        var directorySize = UInt64(Self.u32(tail, end + 12))
        var directoryOffset = UInt64(Self.u32(tail, end + 16))
        if Self.u16(tail, end + 4) != 0 || Self.u16(tail, end + 6) != 0 { throw Failure(description: "\(path): a ZIP split over several disks") }
        if end >= 20, Self.u32(tail, end - 20) == 0x0706_4b50 {
            let recordOffset = Self.u64(tail, end - 12)
            let record = try Self.read(handle, at: recordOffset, count: 56, path: path)
            guard Self.u32(record, 0) == 0x0606_4b50 else { throw Failure(description: "\(path): a broken ZIP64 end record") }
            count = Self.u64(record, 32)
            directorySize = Self.u64(record, 40)
            directoryOffset = Self.u64(record, 48)
        }
        guard directoryOffset + directorySize <= size, directorySize < 1 << 30 else {
            throw Failure(description: "\(path): its central directory lies outside the file")
        }
        let directory = try Self.read(handle, at: directoryOffset, count: Int(directorySize), path: path)
        var entries: [Entry] = []
        var cursor = 0
        while cursor + 46 <= directory.count, Self.u32(directory, cursor) == 0x0201_4b50 {
            let nameLength = Int(Self.u16(directory, cursor + 28))
            let extraLength = Int(Self.u16(directory, cursor + 30))
            let commentLength = Int(Self.u16(directory, cursor + 32))
            let length = 46 + nameLength + extraLength + commentLength
            guard cursor + length <= directory.count else { throw Failure(description: "\(path): a truncated central directory record") }
            let record = Array(directory[cursor..<(cursor + length)])
            var compressed = UInt64(Self.u32(record, 20))
            var uncompressed = UInt64(Self.u32(record, 24))
            var offset = UInt64(Self.u32(record, 42))
            var offsetField = (position: 42, wide: false)
            // ZIP64 extra field: the values whose 32-bit field is 0xFFFFFFFF, in this order.
            var extra = 46 + nameLength
            while extra + 4 <= 46 + nameLength + extraLength {
                let id = Self.u16(record, extra)
                let fieldLength = Int(Self.u16(record, extra + 2))
                if id == 1 {
                    var field = extra + 4
                    if uncompressed == 0xFFFF_FFFF { uncompressed = Self.u64(record, field); field += 8 }
                    if compressed == 0xFFFF_FFFF { compressed = Self.u64(record, field); field += 8 }
                    if offset == 0xFFFF_FFFF { offset = Self.u64(record, field); offsetField = (field, true) }
                }
                extra += 4 + fieldLength
            }
            let name = String(decoding: record[46..<(46 + nameLength)], as: UTF8.self)
            entries.append(Entry(
                name: name, compressedSize: compressed, uncompressedSize: uncompressed, method: Self.u16(record, 10), crc32: Self.u32(record, 16),
                localHeaderOffset: offset, central: record, offsetField: offsetField))
            cursor += length
        }
        guard UInt64(entries.count) == count else {
            throw Failure(description: "\(path): the end record claims \(count) entries, the central directory has \(entries.count)")
        }
        // Each entry's bytes run to the next local header (or to the central directory): data descriptors included.
        let order = entries.indices.sorted { entries[$0].localHeaderOffset < entries[$1].localHeaderOffset }
        for (rank, index) in order.enumerated() {
            let start = entries[index].localHeaderOffset
            let next = rank + 1 < order.count ? entries[order[rank + 1]].localHeaderOffset : directoryOffset
            guard next > start, next - start >= 30 + entries[index].compressedSize else {
                throw Failure(description: "\(path): entries overlap or share their data (\(entries[index].name)); it cannot be copied entry by entry")
            }
            entries[index].span = start..<next
        }
        self.entries = entries
    }


    /// The uncompressed bytes of a small entry (stored or deflated), nil when it is missing, larger than `limit` or
    /// does not inflate to its size.
    public func contents(of name: String, limit: Int = 16 << 20) -> [UInt8]? {
        guard let entry = entries.first(where: { $0.name == name }), entry.uncompressedSize <= UInt64(limit), entry.compressedSize <= UInt64(limit),
            let header = try? Self.read(handle, at: entry.localHeaderOffset, count: 30, path: path), Self.u32(header, 0) == 0x0403_4b50
        else { return nil }
        let dataOffset = entry.localHeaderOffset + 30 + UInt64(Self.u16(header, 26)) + UInt64(Self.u16(header, 28))
        guard let data = try? Self.read(handle, at: dataOffset, count: Int(entry.compressedSize), path: path) else { return nil }
        switch entry.method {
        case 0: return data.count == Int(entry.uncompressedSize) ? data : nil
        case 8: return Self.inflate(data, size: Int(entry.uncompressedSize))
        default: return nil
        }
    }

    /// Writes the copy to `destination`: the entries `keep` accepts, in their order, byte for byte; then `adding`,
    /// deflated, in the order given. Refuses a name given twice.
    public func write(to destination: String, keep: (Entry) -> Bool, adding: [NewEntry]) throws(Failure) {
        let kept = entries.filter(keep)
        var names = Set(kept.map(\.name))
        for entry in adding where !names.insert(entry.name).inserted {
            throw Failure(description: "\(entry.name) would be in the ZIP twice")
        }
        let output = open(destination, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        guard output >= 0 else { throw Failure(description: "cannot write \(destination)") }
        defer { close(output) }
        var position: UInt64 = 0
        var centralRecords: [UInt8] = []
        func emit(_ bytes: [UInt8]) throws(Failure) {
            do throws(DescriptorOutput.Failure) { try DescriptorOutput.write(bytes, to: output) } catch { throw Failure(description: "cannot write \(destination): \(error.description)") }
            position += UInt64(bytes.count)
        }
        for entry in kept {
            let offset = position
            guard offset < 0xFFFF_FFFF || entry.offsetField.wide else {
                throw Failure(description: "\(destination) would pass 4 GiB, beyond any Lambda package")
            }
            var copied: UInt64 = 0
            while copied < UInt64(entry.span.count) {
                let count = Int(min(UInt64(entry.span.count) - copied, 1 << 20))
                try emit(try Self.read(handle, at: entry.span.lowerBound + copied, count: count, path: path))
                copied += UInt64(count)
            }
            var record = entry.central
            if entry.offsetField.wide {
                Self.put64(&record, entry.offsetField.position, offset)
            } else {
                Self.put32(&record, entry.offsetField.position, UInt32(offset))
            }
            centralRecords += record
        }
        for entry in adding {
            guard position < 0xFFFF_FFFF - UInt64(entry.bytes.count) else {
                throw Failure(description: "\(destination) would pass 4 GiB, beyond any Lambda package")
            }
            let crc = entry.bytes.withUnsafeBytes { UInt32(libdeflate_crc32(0, $0.baseAddress, $0.count)) }
            let deflated = Self.deflate(entry.bytes)
            let (method, data): (UInt16, [UInt8]) = deflated.count < entry.bytes.count ? (8, deflated) : (0, entry.bytes)
            let name = Array(entry.name.utf8)
            let flags: UInt16 = name.allSatisfy { $0 < 0x80 } ? 0 : 0x0800
            // 1980-01-01 00:00: the same input always gives the same bytes.
            let (time, date): (UInt16, UInt16) = (0, 0x21)
            var local: [UInt8] = []
            Self.append32(&local, 0x0403_4b50)
            for value in [20, flags, method, time, date] { Self.append16(&local, value) }
            for value in [crc, UInt32(data.count), UInt32(entry.bytes.count)] { Self.append32(&local, value) }
            Self.append16(&local, UInt16(name.count))
            Self.append16(&local, 0)
            var central: [UInt8] = []
            Self.append32(&central, 0x0201_4b50)
            for value in [0x0314, 20, flags, method, time, date] { Self.append16(&central, value) }
            for value in [crc, UInt32(data.count), UInt32(entry.bytes.count)] { Self.append32(&central, value) }
            for value: UInt16 in [UInt16(name.count), 0, 0, 0, 0] { Self.append16(&central, value) }
            Self.append32(&central, (0o100000 | entry.mode) << 16)
            Self.append32(&central, UInt32(position))
            try emit(local + name + data)
            centralRecords += central + name
        }
        let directoryOffset = position
        try emit(centralRecords)
        let count = kept.count + adding.count
        if count >= 0xFFFF || directoryOffset >= 0xFFFF_FFFF {
            throw Failure(description: "\(destination) would need ZIP64 (\(count) entries), beyond any Lambda package")
        }
        var end: [UInt8] = []
        Self.append32(&end, 0x0605_4b50)
        for value: UInt16 in [0, 0, UInt16(count), UInt16(count)] { Self.append16(&end, value) }
        Self.append32(&end, UInt32(centralRecords.count))
        Self.append32(&end, UInt32(directoryOffset))
        Self.append16(&end, 0)
        try emit(end)
    }

    // MARK: bytes

    private static func read(_ handle: ReadableFile, at offset: UInt64, count: Int, path: String) throws(Failure) -> [UInt8] {
        guard let bytes = handle.read(at: offset, count: count) else { throw Failure(description: "\(path): \(SystemError.current)") }
        guard bytes.count == count else { throw Failure(description: "\(path): truncated (wanted \(count) bytes at \(offset))") }
        return bytes
    }

    static func deflate(_ bytes: [UInt8]) -> [UInt8] {
        guard let compressor = libdeflate_alloc_compressor(6) else { return bytes }
        defer { libdeflate_free_compressor(compressor) }
        let bound = libdeflate_deflate_compress_bound(compressor, bytes.count)
        var output = [UInt8](repeating: 0, count: max(bound, 1))
        let written = bytes.withUnsafeBytes { input in
            output.withUnsafeMutableBytes { libdeflate_deflate_compress(compressor, input.baseAddress, input.count, $0.baseAddress, $0.count) }
        }
        return written == 0 ? bytes : Array(output[0..<written])
    }

    static func inflate(_ bytes: [UInt8], size: Int) -> [UInt8]? {
        guard let decompressor = libdeflate_alloc_decompressor() else { return nil }
        defer { libdeflate_free_decompressor(decompressor) }
        var output = [UInt8](repeating: 0, count: max(size, 1))
        var produced = 0
        let status = bytes.withUnsafeBytes { input in
            output.withUnsafeMutableBytes { libdeflate_deflate_decompress(decompressor, input.baseAddress, input.count, $0.baseAddress, size, &produced) }
        }
        return status == LIBDEFLATE_SUCCESS && produced == size ? Array(output[0..<size]) : nil
    }

    static func u16(_ bytes: [UInt8], _ at: Int) -> UInt16 {
        at + 2 <= bytes.count ? UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8 : 0
    }

    static func u32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        at + 4 <= bytes.count ? UInt32(u16(bytes, at)) | UInt32(u16(bytes, at + 2)) << 16 : 0
    }

    static func u64(_ bytes: [UInt8], _ at: Int) -> UInt64 {
        at + 8 <= bytes.count ? UInt64(u32(bytes, at)) | UInt64(u32(bytes, at + 4)) << 32 : 0
    }

    static func append16(_ bytes: inout [UInt8], _ value: UInt16) {
        bytes += [UInt8(value & 0xFF), UInt8(value >> 8)]
    }

    static func append32(_ bytes: inout [UInt8], _ value: UInt32) {
        append16(&bytes, UInt16(value & 0xFFFF))
        append16(&bytes, UInt16(value >> 16))
    }

    static func put32(_ bytes: inout [UInt8], _ at: Int, _ value: UInt32) {
        for index in 0..<4 { bytes[at + index] = UInt8((value >> (8 * UInt32(index))) & 0xFF) }
    }

    static func put64(_ bytes: inout [UInt8], _ at: Int, _ value: UInt64) {
        for index in 0..<8 { bytes[at + index] = UInt8((value >> (8 * UInt64(index))) & 0xFF) }
    }
}
