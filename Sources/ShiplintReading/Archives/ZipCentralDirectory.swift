import Foundation
import ShiplintFacts

/// The names, sizes and modes of a ZIP's entries as its central directory records them. libarchive inflates the data,
/// but its seekable reader names an entry after its *local* header; Lambda's unzip and pip go by the central
/// directory, so shiplint does too, and reports an entry whose two names differ (a ZIP built to fool scanners).
/// Layout: PKWARE APPNOTE.TXT 6.3.10, sections 4.3.12 (central directory header), 4.3.14-16 (ZIP64 end records).
struct ZipCentralDirectory {
    struct Entry: Equatable {
        let name: String
        let uncompressedSize: UInt64
        let localHeaderOffset: UInt64
        /// The Unix mode from the external attributes, nil when the entry was made on a system that stores none
        /// (MS-DOS / Windows: host 0 in "version made by").
        let unixMode: UInt32?
    }

    /// Entries in local-header order, which is the order libarchive's seekable reader visits them.
    let entries: [Entry]

    /// The most central directory bytes read; a larger directory is not indexed (libarchive's names are used).
    static let maximumSize = 256 << 20

    static func read(path: String) -> ZipCentralDirectory? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let size = try? handle.seekToEnd() else { return nil }
        return read(size: size) { offset, count in
            guard (try? handle.seek(toOffset: offset)) != nil, let data = try? handle.read(upToCount: count) else { return nil }
            return [UInt8](data)
        }
    }

    static func read(bytes: [UInt8]) -> ZipCentralDirectory? {
        read(size: UInt64(bytes.count)) { offset, count in
            guard offset <= UInt64(bytes.count), count <= bytes.count - Int(offset) else { return nil }
            return Array(bytes[Int(offset)..<Int(offset) + count])
        }
    }

    private static func read(size: UInt64, fetch: (UInt64, Int) -> [UInt8]?) -> ZipCentralDirectory? {
        // The end record (22 bytes) is followed by a comment of at most 65535 bytes.
        let tailLength = Int(min(size, 22 + 65535 + 20))
        guard tailLength >= 22, let tail = fetch(size - UInt64(tailLength), tailLength) else { return nil }
        let view = ByteView(tail, byteOrder: .little)
        guard let end = stride(from: tail.count - 22, through: 0, by: -1).first(where: { view.u32($0) == 0x0605_4B50 }),
            var count = view.u16(end + 10).map(UInt64.init), var directorySize = view.u32(end + 12).map(UInt64.init),
            var directoryOffset = view.u32(end + 16).map(UInt64.init)
        else { return nil }
        // ZIP64: a locator 20 bytes before the end record points at the ZIP64 end record.
        if end >= 20, view.u32(end - 20) == 0x0706_4B50, let zip64Offset = view.u64(end - 12),
            let record = fetch(zip64Offset, 56)
        {
            let zip64 = ByteView(record, byteOrder: .little)
            guard zip64.u32(0) == 0x0606_4B50, let total = zip64.u64(32), let sizeField = zip64.u64(40), let offsetField = zip64.u64(48)
            else { return nil }
            count = total
            directorySize = sizeField
            directoryOffset = offsetField
        }
        guard directorySize <= UInt64(maximumSize), directoryOffset <= size, directorySize <= size - directoryOffset,
            let directory = fetch(directoryOffset, Int(directorySize))
        else { return nil }
        let records = ByteView(directory, byteOrder: .little)
        var entries: [Entry] = []
        var cursor = 0
        // Each record is at least 46 bytes, which bounds the loop whatever the count field says.
        while UInt64(entries.count) < count, cursor + 46 <= directory.count {
            guard records.u32(cursor) == 0x0201_4B50, let madeBy = records.u16(cursor + 4),
                let compressedSize32 = records.u32(cursor + 20), let size32 = records.u32(cursor + 24),
                let nameLength = records.u16(cursor + 28).map(Int.init), let extraLength = records.u16(cursor + 30).map(Int.init),
                let commentLength = records.u16(cursor + 32).map(Int.init), let external = records.u32(cursor + 38),
                let offset32 = records.u32(cursor + 42), records.contains(offset: cursor + 46, length: nameLength + extraLength)
            else { return nil }
            let nameBytes = directory[(cursor + 46)..<(cursor + 46 + nameLength)]
            // Bit 11 of the flags marks UTF-8; older tools wrote CP437, the same for the ASCII names packages use.
            let name = String(decoding: nameBytes, as: UTF8.self)
            var uncompressed = UInt64(size32)
            var localOffset = UInt64(offset32)
            // ZIP64 extended information (header 0x0001): the 64-bit values of the fields that hold 0xFFFFFFFF, in order.
            var extra = cursor + 46 + nameLength
            let extraEnd = extra + extraLength
            while extra + 4 <= extraEnd, let id = records.u16(extra), let length = records.u16(extra + 2).map(Int.init),
                extra + 4 + length <= extraEnd
            {
                if id == 0x0001 {
                    var field = extra + 4
                    if size32 == 0xFFFF_FFFF, let value = records.u64(field) { uncompressed = value; field += 8 }
                    if compressedSize32 == 0xFFFF_FFFF { field += 8 }
                    if offset32 == 0xFFFF_FFFF, let value = records.u64(field) { localOffset = value }
                }
                extra += 4 + length
            }
            let host = madeBy >> 8
            let unixMode: UInt32? = (host == 3 || host == 19) && external >> 16 != 0 ? external >> 16 : nil
            entries.append(Entry(name: name, uncompressedSize: uncompressed, localHeaderOffset: localOffset, unixMode: unixMode))
            cursor = extraEnd + commentLength
        }
        guard UInt64(entries.count) == count else { return nil }
        return ZipCentralDirectory(entries: entries.sorted { $0.localHeaderOffset < $1.localHeaderOffset })
    }
}
