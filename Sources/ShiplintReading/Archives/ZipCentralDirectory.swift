import FoundationEssentials
import Glibc
import ShiplintFacts

/// The names, sizes and modes of a ZIP's entries as its central directory records them, each paired with the local
/// header it points at. libarchive inflates the data, but its seekable reader names an entry after its *local* header;
/// Lambda's unzip and pip go by the central directory, so shiplint does too, and reports where the two disagree.
///
/// libarchive's seekable reader (archive_read_support_format_zip.c, `slurp_central_directory`) puts the records in a
/// tree keyed by local header offset: it visits each distinct offset once, in ascending order, and a record whose
/// offset is already in the tree is dropped. So the records are grouped here the same way, one group per local header,
/// and the walk pairs the n-th entry libarchive returns with the n-th group: by offset, never by position in the
/// directory. A group of several records (unzip lists each one) and data ranges that overlap are hostile archives
/// (unzip and Python's zipfile refuse them), reported on every record concerned.
/// Layout: PKWARE APPNOTE.TXT 6.3.10, sections 4.3.7 (local header), 4.3.12 (central directory header), 4.3.14-16
/// (ZIP64 end records).
struct ZipCentralDirectory {
    struct Record {
        /// The name as stored, shown with `\xNN` escapes where it is not UTF-8.
        let name: String
        let uncompressedSize: UInt64
        let compressedSize: UInt64
        let localHeaderOffset: UInt64
        /// The Unix mode from the external attributes, nil when the entry was made on a system that stores none
        /// (MS-DOS / Windows: host 0 in "version made by").
        let unixMode: UInt32?
        /// The local header's own name, only when its bytes differ from the central directory's.
        var localName: String?
        /// Why the record cannot be trusted (it shares a local header, its data overlaps another entry's).
        var problems: [(ArtifactProblem.Kind, String)] = []
        /// Where what the extractors write differs from the record (`ZipExtraction`): said on the entry, the entry is
        /// judged as they write it.
        var extraction: [(ArtifactProblem.Kind, String)] = []
        /// The whole stored name when a NUL cut it (`name` is what is written), for comparing with the local header.
        var storedName: String?
        /// The name unzip writes from the Info-ZIP Unicode Path extra field, when it differs from `name`.
        var unicodePath: String?
        /// Compression method (0 STORED, 8 DEFLATE …), general purpose flags, CRC-32 and external attributes as the
        /// central directory records them, and the host byte of "version made by".
        var method: UInt16 = 0
        var flags: UInt16 = 0
        var crc32: UInt32 = 0
        var externalAttributes: UInt32 = 0
        var host: UInt8 = 0
        /// Where the entry's data starts, when its local header agrees with this record in everything that decides how
        /// the data is read (method, encryption, CRC and sizes; a data descriptor, if any, agrees too) and the data lies
        /// inside the file: such an entry can be read by offset without libarchive. Nil otherwise.
        var dataOffset: UInt64?
    }

    /// Records sorted by local header offset (ties keep directory order, as libarchive keeps the first).
    let records: [Record]
    /// `groups[n]` is the range of `records` sharing the n-th distinct local header: libarchive's n-th entry.
    let groups: [Range<Int>]
    /// The end record's entry count, when it disagrees with the records found.
    let claimedCount: UInt64?
    /// Records with a problem of each kind past the first `namedProblems`: counted, not named one by one.
    let unnamedProblems: [ArtifactProblem.Kind: Int]
    /// Why Python's zipfile refuses the archive as a whole while unzip reads it, if it does.
    var refusedByZipfile: String?

    /// Nothing to report: one record per local header, names that agree, a count that holds. Only such a directory is
    /// read in parallel runs (a hostile one is read on one handle, so its problems are named in one order).
    var isPlain: Bool {
        records.count == groups.count && claimedCount == nil && unnamedProblems.isEmpty
            && records.allSatisfy { $0.problems.isEmpty && $0.localName == nil }
    }

    /// Records named one by one per kind of problem; a hostile ZIP can have 200,000 records on one local header.
    static let namedProblems = 100

    /// What made the central directory unusable, in words for the user.
    struct Damage: Error {
        let reason: String
    }

    /// The most central directory bytes read; a larger directory is not indexed (libarchive's names are used).
    static let maximumSize = 256 << 20

    static func read(path: String) -> Result<ZipCentralDirectory, Damage> {
        guard let handle = ReadableFile(path: path) else { return .failure(Damage(reason: "cannot open the file")) }
        guard let size = handle.size else { return .failure(Damage(reason: "cannot find the end of the file")) }
        let descriptor = handle.descriptor
        // Local headers are visited in offset order, two small reads each: a 16 KiB window read ahead serves the
        // headers of many small entries with one system call (a 100,000-entry ZIP made 200,000 preads).
        let window = 16 * 1024
        var windowStart: UInt64 = 0
        var windowBytes: [UInt8] = []
        return read(size: size) { offset, count in
            guard count >= 0, offset <= UInt64(Int64.max) else { return nil }
            if offset >= windowStart, offset - windowStart + UInt64(count) <= UInt64(windowBytes.count) {
                let start = Int(offset - windowStart)
                return Array(windowBytes[start..<start + count])
            }
            if count <= window / 2 {
                var block = [UInt8](repeating: 0, count: window)
                let got = block.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress!, window, off_t(offset)) }
                if got >= count {
                    block.removeSubrange(got...)
                    windowStart = offset
                    windowBytes = block
                    return Array(block[0..<count])
                }
            }
            var bytes = [UInt8](repeating: 0, count: count)
            var filled = 0
            while filled < count {
                let got = bytes.withUnsafeMutableBytes { buffer in
                    pread(descriptor, buffer.baseAddress! + filled, count - filled, off_t(offset) + off_t(filled))
                }
                guard got > 0 else { break }
                filled += got
            }
            return filled == count ? bytes : nil
        }
    }

    static func read(bytes: [UInt8]) -> Result<ZipCentralDirectory, Damage> {
        read(size: UInt64(bytes.count)) { offset, count in
            guard offset <= UInt64(bytes.count), count >= 0, count <= bytes.count - Int(offset) else { return nil }
            return Array(bytes[Int(offset)..<Int(offset) + count])
        }
    }

    private static func read(size: UInt64, fetch: (UInt64, Int) -> [UInt8]?) -> Result<ZipCentralDirectory, Damage> {
        // The end record (22 bytes) is followed by a comment of at most 65535 bytes.
        let tailLength = Int(min(size, 22 + 65535 + 20))
        guard tailLength >= 22, let tail = fetch(size - UInt64(tailLength), tailLength) else {
            return .failure(Damage(reason: "the file is too short to hold a ZIP end record"))
        }
        let tailStart = size - UInt64(tailLength)
        let view = ByteView(tail, byteOrder: .little)
        // Python's zipfile takes the last end-record signature in the file's tail, even one inside the comment.
        let lastSignature = stride(from: tail.count - 4, through: 0, by: -1).first(where: { view.u32($0) == 0x0605_4B50 })
        guard let end = stride(from: tail.count - 22, through: 0, by: -1).first(where: { view.u32($0) == 0x0605_4B50 }),
            var count = view.u16(end + 10).map(UInt64.init), var directorySize = view.u32(end + 12).map(UInt64.init),
            var directoryOffset = view.u32(end + 16).map(UInt64.init)
        else { return .failure(Damage(reason: "no ZIP end-of-central-directory record")) }
        var isZip64 = false
        // ZIP64: a locator 20 bytes before the end record points at the ZIP64 end record.
        if end >= 20, view.u32(end - 20) == 0x0706_4B50, let zip64Offset = view.u64(end - 12) {
            guard let record = fetch(zip64Offset, 56) else {
                return .failure(Damage(reason: "the ZIP64 end record is said to be at offset \(zip64Offset), past the end of the \(size)-byte file"))
            }
            let zip64 = ByteView(record, byteOrder: .little)
            guard zip64.u32(0) == 0x0606_4B50, let total = zip64.u64(32), let sizeField = zip64.u64(40), let offsetField = zip64.u64(48)
            else { return .failure(Damage(reason: "no ZIP64 end record where its locator points (offset \(zip64Offset))")) }
            count = total
            directorySize = sizeField
            directoryOffset = offsetField
            isZip64 = true
        }
        let claims = "the \(isZip64 ? "ZIP64 " : "")end record claims \(count) \(count == 1 ? "entry" : "entries") in a central directory of \(directorySize) bytes at offset \(directoryOffset)"
        guard directoryOffset <= size, directorySize <= size - directoryOffset else {
            return .failure(Damage(reason: "\(claims), past the end of the \(size)-byte file"))
        }
        guard directorySize <= UInt64(maximumSize) else {
            return .failure(Damage(reason: "\(claims), over the \(maximumSize >> 20) MiB shiplint indexes"))
        }
        // Bytes prepended to the archive (a self-extractor stub) shift every offset; libarchive corrects by the same
        // amount when the directory is found later in the file than recorded.
        var correction: UInt64 = 0
        let endPosition = tailStart + UInt64(end)
        if !isZip64, fetch(directoryOffset, 4).map({ ByteView($0, byteOrder: .little).u32(0) }) != 0x0201_4B50,
            endPosition >= directorySize, endPosition - directorySize > directoryOffset,
            fetch(endPosition - directorySize, 4).map({ ByteView($0, byteOrder: .little).u32(0) }) == 0x0201_4B50
        {
            correction = endPosition - directorySize - directoryOffset
            directoryOffset += correction
        }
        // A record is at least 46 bytes: room for as many as the directory can hold, up to the count claimed, so the
        // array is not regrown (100,000 records take ~14 MB). The directory's bytes are let go once parsed.
        var records: [Record] = []
        records.reserveCapacity(Int(min(count, directorySize / 46)))
        do {
            guard let directory = fetch(directoryOffset, Int(directorySize)) else {
                return .failure(Damage(reason: "\(claims), which cannot be read"))
            }
            let parsed = parseRecords(directory, correction: correction, into: &records)
            if case .failure(let damage) = parsed { return .failure(damage) }
        }
        // Each record is at least 46 bytes, so a count the directory cannot hold is a lie, not a truncation.
        let claimedCount: UInt64? = UInt64(records.count) == count ? nil : count

        // Stable sort: among records sharing an offset, the first in the directory is the one libarchive keeps. Writers
        // put the records in local header order, so usually nothing moves (and nothing is copied).
        var ordered: [Record]
        if zip(records, records.dropFirst()).allSatisfy({ $0.localHeaderOffset <= $1.localHeaderOffset }) {
            ordered = records
        } else {
            let order = records.indices.sorted {
                (records[$0].localHeaderOffset, $0) < (records[$1].localHeaderOffset, $1)
            }
            ordered = order.map { records[$0] }
        }
        records = []
        var groups: [Range<Int>] = []
        var start = 0
        while start < ordered.count {
            var next = start + 1
            while next < ordered.count && ordered[next].localHeaderOffset == ordered[start].localHeaderOffset { next += 1 }
            groups.append(start..<next)
            start = next
        }
        let unnamed = pairWithLocalHeaders(&ordered, groups: groups, size: size, fetch: fetch)
        var directory = ZipCentralDirectory(records: ordered, groups: groups, claimedCount: claimedCount, unnamedProblems: unnamed)
        if let lastSignature, lastSignature > end {
            directory.refusedByZipfile = "the archive's comment holds an end-record signature (at \(lastSignature - end) bytes after the real one): Python's zipfile takes it for the end record and refuses the archive, unzip reads it"
        }
        return .success(directory)
    }

    /// Reads records until the directory ends or something else starts, as libarchive does (it ignores the count).
    private static func parseRecords(_ directory: [UInt8], correction: UInt64, into entries: inout [Record]) -> Result<Void, Damage> {
        let records = ByteView(directory, byteOrder: .little)
        var cursor = 0
        while cursor + 46 <= directory.count, records.u32(cursor) == 0x0201_4B50 {
            guard let madeBy = records.u16(cursor + 4), let flags = records.u16(cursor + 8), let method = records.u16(cursor + 10),
                let crc = records.u32(cursor + 16),
                let compressedSize32 = records.u32(cursor + 20), let size32 = records.u32(cursor + 24),
                let nameLength = records.u16(cursor + 28).map(Int.init), let extraLength = records.u16(cursor + 30).map(Int.init),
                let commentLength = records.u16(cursor + 32).map(Int.init), let external = records.u32(cursor + 38),
                let offset32 = records.u32(cursor + 42), records.contains(offset: cursor + 46, length: nameLength + extraLength)
            else {
                return .failure(Damage(reason: "central directory record \(entries.count + 1) is cut short"))
            }
            // Bit 11 of the flags marks UTF-8; older tools wrote CP437. Bytes that are not UTF-8 are kept, escaped.
            let written = ZipExtraction.name(
                raw: directory[(cursor + 46)..<(cursor + 46 + nameLength)], flags: flags, host: UInt8(truncatingIfNeeded: madeBy >> 8),
                extra: directory[(cursor + 46 + nameLength)..<(cursor + 46 + nameLength + extraLength)])
            let name = written.name
            var uncompressed = UInt64(size32)
            var compressed = UInt64(compressedSize32)
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
                    if compressedSize32 == 0xFFFF_FFFF, let value = records.u64(field) { compressed = value; field += 8 }
                    if offset32 == 0xFFFF_FFFF, let value = records.u64(field) { localOffset = value }
                }
                extra += 4 + length
            }
            let host = madeBy >> 8
            let unixMode: UInt32? = (host == 3 || host == 19) && external >> 16 != 0 ? external >> 16 : nil
            var record = Record(
                name: name, uncompressedSize: uncompressed, compressedSize: compressed, localHeaderOffset: localOffset &+ correction, unixMode: unixMode)
            record.method = method
            record.flags = flags
            record.crc32 = crc
            record.externalAttributes = external
            record.host = UInt8(truncatingIfNeeded: host)
            record.storedName = written.stored
            record.unicodePath = written.unicodePath
            record.extraction = extractionProblems(record, written)
            entries.append(record)
            cursor = extraEnd + commentLength
        }
        return .success(())
    }

    /// Reads the local header of every group: its name (compared byte for byte with the directory's) and where its data
    /// ends, so that records sharing a header and data that overlaps another entry's are named.
    private static func pairWithLocalHeaders(
        _ records: inout [Record], groups: [Range<Int>], size: UInt64, fetch: (UInt64, Int) -> [UInt8]?
    ) -> [ArtifactProblem.Kind: Int] {
        var named: [ArtifactProblem.Kind: Int] = [:]
        var unnamed: [ArtifactProblem.Kind: Int] = [:]
        func note(_ index: Int, _ kind: ArtifactProblem.Kind, _ message: @autoclosure () -> String) {
            if named[kind, default: 0] < namedProblems {
                named[kind, default: 0] += 1
                records[index].problems.append((kind, message()))
            } else {
                unnamed[kind, default: 0] += 1
            }
        }
        // The entry whose data reaches furthest so far: its index, where it starts and ends, whether it was told so.
        var reach: (index: Int, start: UInt64, end: UInt64, told: Bool)?
        for group in groups {
            let first = group.lowerBound
            let offset = records[first].localHeaderOffset
            if group.count > 1 {
                let others = group.count - 1
                for index in group {
                    let partner = records[index == first ? first + 1 : first].name
                    note(index, .sharedLocalHeader,
                        "this central-directory record shares its local header (offset \(offset)) with \(others == 1 ? "another record" : "\(others) other records") ('\(partner)'\(others > 1 ? ", …" : "")); unzip lists every name, Python's zipfile refuses the archive, so what this entry holds depends on the tool\(index == first ? "" : "; not read")")
                }
            }
            // The local header: 30 fixed bytes, then the name and the extra field. A damaged one is libarchive's to report.
            guard let fixed = fetch(offset, 30), case let header = ByteView(fixed, byteOrder: .little),
                header.u32(0) == 0x0403_4B50, let nameLength = header.u16(26).map(Int.init),
                let extraLength = header.u16(28).map(Int.init), let localName = fetch(offset + 30, nameLength)
            else { continue }
            let localDisplay = EntryName.display(localName[...])
            for index in group where (records[index].storedName ?? records[index].name) != localDisplay {
                records[index].localName = localDisplay
            }
            if let previous = reach, offset < previous.end {
                let owner = records[previous.index].name
                for index in group {
                    note(index, .overlappingData,
                        "its local header (offset \(offset)) lies inside the data of '\(owner)' (bytes \(previous.start)-\(previous.end)); unzip refuses such an archive (possible zip bomb), other tools read different bytes")
                }
                if !previous.told {
                    note(previous.index, .overlappingData,
                        "its data (bytes \(previous.start)-\(previous.end)) overlaps the entry '\(records[first].name)' at offset \(offset); unzip refuses such an archive (possible zip bomb), other tools read different bytes")
                    reach!.told = true
                }
            }
            if let disagreement = headerDisagreement(records[first], header: header) {
                note(first, .headerMismatch, disagreement)
            }
            if group.count == 1 {
                records[first].dataOffset = directData(records[first], header: header, at: offset, size: size, fetch: fetch)
            }
            // The data is as long as the directory says (libarchive inflates by the directory's sizes).
            let end = offset &+ 30 &+ UInt64(nameLength) &+ UInt64(extraLength) &+ records[first].compressedSize
            if reach == nil || end > reach!.end { reach = (first, offset, end, false) }
        }
        return unnamed
    }
}

extension ZipCentralDirectory {
    /// Where the data of `record` starts when shiplint can read it itself (`ZipDirectContent`): STORED or DEFLATE, not
    /// encrypted, a local header whose method, flags, CRC and sizes agree with the record (zero in a header followed
    /// by a data descriptor, which must agree then), a well-formed extra field, and data inside the file. Anything
    /// else is read by libarchive, which reports what is wrong with it as before.
    fileprivate static func directData(
        _ record: Record, header: ByteView, at offset: UInt64, size: UInt64, fetch: (UInt64, Int) -> [UInt8]?
    ) -> UInt64? {
        guard record.method == 0 || record.method == 8, record.flags & 0x2041 == 0,
            let flags = header.u16(6), let method = header.u16(8), let crc = header.u32(14),
            let compressed32 = header.u32(18), let uncompressed32 = header.u32(22),
            let nameLength = header.u16(26).map(UInt64.init), let extraLength = header.u16(28).map(Int.init),
            method == record.method, flags & 0x41 == 0
        else { return nil }
        if record.method == 0 && record.compressedSize != record.uncompressedSize { return nil }
        // The local extra field: a chain of (id, length) blocks that fills it exactly; ZIP64 sizes from block 0x0001.
        var zip64: [UInt64] = []
        if extraLength > 0 {
            guard let extra = fetch(offset + 30 + nameLength, extraLength) else { return nil }
            let view = ByteView(extra, byteOrder: .little)
            var cursor = 0
            while cursor + 4 <= extraLength {
                guard let id = view.u16(cursor), let length = view.u16(cursor + 2).map(Int.init), cursor + 4 + length <= extraLength
                else { return nil }
                if id == 0x0001 {
                    var field = cursor + 4
                    while field + 8 <= cursor + 4 + length, let value = view.u64(field) {
                        zip64.append(value)
                        field += 8
                    }
                }
                cursor += 4 + length
            }
            guard cursor == extraLength else { return nil }
        }
        // The local header's sizes: 32-bit, or 0xFFFFFFFF with the value in the ZIP64 block (uncompressed first).
        var values = zip64.makeIterator()
        let uncompressed = uncompressed32 == 0xFFFF_FFFF ? values.next() : UInt64(uncompressed32)
        let compressed = compressed32 == 0xFFFF_FFFF ? values.next() : UInt64(compressed32)
        let descriptor = flags & 0x08 != 0
        if descriptor {
            guard crc == 0 || crc == record.crc32, uncompressed == 0 || uncompressed == record.uncompressedSize,
                compressed == 0 || compressed == record.compressedSize
            else { return nil }
        } else {
            guard crc == record.crc32, uncompressed == record.uncompressedSize, compressed == record.compressedSize else { return nil }
        }
        let data = offset + 30 + nameLength + UInt64(extraLength)
        guard data <= size, record.compressedSize <= size - data else { return nil }
        if descriptor {
            // CRC-32 and the two sizes after the data, with or without a signature, 32- or 64-bit.
            let after = data + record.compressedSize
            guard let bytes = fetch(after, Int(min(24, size - after))) else { return nil }
            let view = ByteView(bytes, byteOrder: .little)
            let start = view.u32(0) == 0x0807_4B50 ? 4 : 0
            let agrees32 = view.u32(start) == record.crc32 && view.u32(start + 4).map(UInt64.init) == record.compressedSize
                && view.u32(start + 8).map(UInt64.init) == record.uncompressedSize
            let agrees64 = view.u32(start) == record.crc32 && view.u64(start + 4) == record.compressedSize
                && view.u64(start + 12) == record.uncompressedSize
            guard agrees32 || agrees64 else { return nil }
        }
        return data
    }
}

extension ZipCentralDirectory {
    /// What the extractors write differently from this record: its name cut at NUL, another name from the Unicode
    /// Path field, a name they encode differently, a folder attribute on an entry that holds data.
    fileprivate static func extractionProblems(_ record: Record, _ name: ZipExtraction.Name) -> [(ArtifactProblem.Kind, String)] {
        var found: [(ArtifactProblem.Kind, String)] = []
        if let stored = name.stored {
            found.append((.nameCutAtNul, "the ZIP stores this name as '\(stored)'; unzip and Python's zipfile cut it at the NUL byte and write '\(name.name)', judged here (a listing of the whole name shows another file)"))
        }
        if let other = name.unicodePath {
            found.append((.unicodePath, "its Info-ZIP Unicode Path extra field names it '\(other)': unzip writes it there, Python's zipfile writes '\(name.name)'; both are judged"))
        }
        if let encoding = name.encoding {
            found.append((.nameEncoding, "the extractors write this name differently: \(encoding)"))
        }
        if let malformed = name.malformedExtra {
            found.append((.refusedByZipfile, "\(malformed): Python's zipfile refuses the whole archive, unzip ignores the field"))
        }
        let attributes = record.host == 3 ? (record.externalAttributes >> 16) & 0o170000 == 0o040000 : record.host == 0 && record.externalAttributes & 0x10 != 0
        if attributes, !name.name.hasSuffix("/"), record.uncompressedSize > 0 {
            found.append((.directoryWithData, "the ZIP marks it as a folder, but it holds \(record.uncompressedSize) bytes and its name does not end in '/': unzip and Python's zipfile write a file (judged here), tools that trust the attributes make a folder"))
        }
        return found
    }

    /// How the local header disagrees with the record on reading the data (no data descriptor): the method, the
    /// CRC-32, the sizes; or a STORED record whose two sizes differ. Nil when they agree.
    fileprivate static func headerDisagreement(_ record: Record, header: ByteView) -> String? {
        // An encrypted entry's headers are libarchive's to judge (it says the entry is encrypted).
        guard record.flags & 0x41 == 0 else { return nil }
        if record.method == 0 && record.compressedSize != record.uncompressedSize {
            return "STORED, yet its central-directory record gives \(record.compressedSize) bytes stored for \(record.uncompressedSize): unzip and Python's zipfile fail on it"
        }
        guard let flags = header.u16(6), let method = header.u16(8), let crc = header.u32(14),
            let compressed = header.u32(18), let uncompressed = header.u32(22)
        else { return nil }
        var differences: [String] = []
        if method != record.method { differences.append("method \(method) against \(record.method)") }
        if flags & 0x08 == 0 {
            if crc != record.crc32 { differences.append("CRC-32 0x\(String(crc, radix: 16)) against 0x\(String(record.crc32, radix: 16))") }
            if compressed != 0xFFFF_FFFF, UInt64(compressed) != record.compressedSize {
                differences.append("\(compressed) compressed bytes against \(record.compressedSize)")
            }
            if uncompressed != 0xFFFF_FFFF, UInt64(uncompressed) != record.uncompressedSize {
                differences.append("\(uncompressed) bytes against \(record.uncompressedSize)")
            }
        }
        guard !differences.isEmpty else { return nil }
        return "its local header and its central-directory record disagree (\(differences.joined(separator: ", "))): unzip and Python's zipfile fail on it or read other bytes"
    }
}

extension Result<ZipCentralDirectory, ZipCentralDirectory.Damage> {
    /// Why the central directory could not be read, nil when it was.
    var failureReason: String? {
        if case .failure(let damage) = self { damage.reason } else { nil }
    }
}
