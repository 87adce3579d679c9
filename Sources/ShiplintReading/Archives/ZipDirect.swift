internal import CLibdeflate
internal import CZlib
import FoundationEssentials
import Glibc
import ShiplintFacts

/// A ZIP file on disk, read by offset, owned by one task (each worker of `ParallelShare` opens its own); or a ZIP held
/// in memory (a JAR inside the artifact, `NestedArchives`), read by offset the same way.
final class ZipFile {
    let path: String
    let descriptor: Int32
    /// The ZIP's bytes when it is held in memory (then `descriptor` is -1).
    private let memory: [UInt8]?

    init?(path: String) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        self.path = path
        self.descriptor = descriptor
        memory = nil
    }

    init(bytes: [UInt8], label: String) {
        path = label
        descriptor = -1
        memory = bytes
    }

    deinit { if descriptor >= 0 { close(descriptor) } }

    /// Fills `buffer` from `offset`, fewer bytes only at the end of the file; -1 on a read error.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) -> Int {
        if let memory {
            guard offset < UInt64(memory.count) else { return 0 }
            let count = min(buffer.count, memory.count - Int(offset))
            memory.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + Int(offset), byteCount: count) }
            return count
        }
        var filled = 0
        while filled < buffer.count {
            let got = pread(descriptor, buffer.baseAddress! + filled, buffer.count - filled, off_t(offset) + off_t(filled))
            if got < 0 {
                if errno == EINTR { continue }
                return -1
            }
            if got == 0 { break }
            filled += got
        }
        return filled
    }

    func read(count: Int, at offset: UInt64) -> [UInt8]? {
        guard count >= 0 else { return nil }
        var failed = false
        // Not zero-filled first: pread writes every byte that is kept.
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            let got = count == 0 ? 0 : read(into: UnsafeMutableRawBufferPointer(buffer), at: offset)
            failed = got < 0
            initialized = Swift.max(got, 0)
        }
        return failed ? nil : bytes
    }
}

/// The CRC-32 of some bytes (as ZIP records it).
enum ZipCRC {
    static func of(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.withContiguousStorageIfAvailable { UInt32(libdeflate_crc32(0, $0.baseAddress, $0.count)) }
            ?? Array(bytes).withUnsafeBytes { UInt32(libdeflate_crc32(0, $0.baseAddress, $0.count)) }
    }
}

/// Whether ZIP entries may be read without libarchive. SHIPLINT_ZIP_VIA_LIBARCHIVE=1 sends every entry through
/// libarchive, so the tests can prove both paths give the same report.
enum ZipDirect {
    static let enabled = ProcessInfo.processInfo.environment["SHIPLINT_ZIP_VIA_LIBARCHIVE"] != "1"

    /// Compressed bytes read per `pread`, and bytes inflated per call to zlib.
    static let chunk = 256 * 1024
    /// A DEFLATE entry up to this size (both ways) read to its end is inflated in one call by libdeflate, about twice
    /// as fast as zlib's stream (0.26 s against 0.55 s for the 189 MiB of libraries of the bench layer); larger ones
    /// stream through zlib, so what is held stays bounded whatever the entry's size.
    static let wholeEntryLimit: UInt64 = 4 << 20

    /// What an entry is, as the extractors write it (`ZipExtraction`). Nil when libarchive must read the entry: a name
    /// with a backslash (libarchive may turn it into `/`), a symbolic link it would not read as stored.
    enum Kind {
        case file
        case directory
        case symlink(target: String)
    }

    /// The entry's type as the extractors write it (`ZipExtraction`), with a link's target when it can be read here.
    static func kind(of record: ZipCentralDirectory.Record, file: ZipFile) -> Kind? {
        guard let dataOffset = record.dataOffset, !record.name.utf8.contains(UInt8(ascii: "\\")) else { return nil }
        switch extractorType(record) {
        case .file:
            return .file
        case .directory:
            return .directory
        case .symlink:
            // libarchive takes the stored bytes as the target; only a short printable one is read here.
            guard record.method == 0, record.compressedSize <= 4096,
                let bytes = file.read(count: Int(record.compressedSize), at: dataOffset), bytes.count == Int(record.compressedSize),
                bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F })
            else { return nil }
            return .symlink(target: String(decoding: bytes, as: UTF8.self))
        }
    }

    static func extractorType(_ record: ZipCentralDirectory.Record) -> ZipExtraction.EntryType {
        ZipExtraction.type(name: record.name, host: record.host, externalAttributes: record.externalAttributes)
    }

    /// The mode shown for an entry: the extractors' type, the record's permission bits.
    static func mode(_ record: ZipCentralDirectory.Record) -> UInt32? {
        record.unixMode.map { ZipExtraction.typeBits(extractorType(record)) | $0 & 0o7777 }
    }
}

/// One entry's data, front to back: STORED bytes read by offset, DEFLATE inflated by zlib from compressed bytes read
/// in chunks, or, for an entry of at most `ZipDirect.wholeEntryLimit` read beyond its first bytes, by libdeflate in
/// one call. The CRC-32 is checked, as libarchive checks it, when the entry is read to its end.
final class ZipEntryStream {
    private let file: ZipFile
    private let dataOffset: UInt64
    private let method: UInt16
    private let compressedSize: UInt64
    private let uncompressedSize: UInt64
    private let expectedCRC: UInt32

    private var zstream: UnsafeMutablePointer<z_stream>?
    private var input: UnsafeMutableRawBufferPointer?
    private let output: UnsafeMutableRawBufferPointer
    /// Inflated bytes in `output` not yet handed out.
    private var pending: Range<Int> = 0..<0
    private var compressedRead: UInt64 = 0
    private var produced: UInt64 = 0
    private var crc: UInt = 0
    private var finished = false
    private var outcome: Chunk?
    /// The whole entry, inflated by libdeflate; `pending` then indexes it instead of `output`.
    private var whole: UnsafeMutableRawBufferPointer?
    private var triedWhole = false
    private var handedOut: UnsafeMutableRawBufferPointer { whole ?? output }

    enum Chunk {
        case bytes(UnsafeRawBufferPointer)
        case end
        case failed(String)
    }

    init(file: ZipFile, record: ZipCentralDirectory.Record, dataOffset: UInt64) {
        self.file = file
        self.dataOffset = dataOffset
        method = record.method
        compressedSize = record.compressedSize
        uncompressedSize = record.uncompressedSize
        expectedCRC = record.crc32
        output = .allocate(byteCount: ZipDirect.chunk, alignment: 16)
    }

    deinit {
        if let zstream {
            inflateEnd(zstream)
            zstream.deallocate()
        }
        input?.deallocate()
        output.deallocate()
        whole?.deallocate()
    }

    /// The next bytes of the entry (valid until the next call), its end (checked), or why it cannot be read.
    func next(max: Int = .max) -> Chunk {
        if pending.isEmpty {
            if let outcome { return outcome }
            switch fill(wanted: max) {
            case .failed(let reason):
                outcome = .failed(reason)
                return outcome!
            case .end:
                outcome = verify()
                return outcome!
            case .bytes:
                break
            }
        }
        let count = min(max, pending.count)
        let bytes = UnsafeRawBufferPointer(rebasing: handedOut[pending.lowerBound..<pending.lowerBound + count])
        pending = pending.lowerBound + count..<pending.upperBound
        return .bytes(bytes)
    }

    /// Fills `output` with the next bytes of the entry: as many as fit, or about `wanted` when fewer are asked for (the
    /// first bytes of an entry that may be no binary are not worth inflating 256 KiB for).
    private func fill(wanted: Int) -> Chunk {
        if finished { return .end }
        let room = min(output.count, Swift.max(wanted, 16 * 1024))
        if method == 0 {
            let remaining = uncompressedSize - produced
            guard remaining > 0 else { return .end }
            let count = Int(min(UInt64(Swift.min(room, Swift.max(wanted, 1))), remaining))
            let got = file.read(into: UnsafeMutableRawBufferPointer(rebasing: output[0..<count]), at: dataOffset + produced)
            if got < 0 { return .failed("read error: \(SystemError.current)") }
            if got < count { return .failed("Truncated ZIP file data") }
            compressedRead += UInt64(got)
            return delivered(got)
        }
        if !triedWhole, wanted > 64 * 1024, compressedSize <= ZipDirect.wholeEntryLimit, uncompressedSize <= ZipDirect.wholeEntryLimit {
            triedWhole = true
            if let rest = inflateWhole() { return rest }
        }
        if zstream == nil {
            let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
            stream.initialize(to: z_stream())
            guard inflateInit2_(stream, -15, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
                stream.deallocate()
                return .failed("zlib could not start inflating")
            }
            zstream = stream
            input = .allocate(byteCount: ZipDirect.chunk, alignment: 16)
        }
        let stream = zstream!, input = input!
        while true {
            if stream.pointee.avail_in == 0 && compressedRead < compressedSize {
                let count = Int(min(UInt64(input.count), compressedSize - compressedRead))
                let got = file.read(into: UnsafeMutableRawBufferPointer(rebasing: input[0..<count]), at: dataOffset + compressedRead)
                if got < 0 { return .failed("read error: \(SystemError.current)") }
                if got < count { return .failed("Truncated ZIP file data") }
                compressedRead += UInt64(got)
                stream.pointee.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.pointee.avail_in = uInt(got)
            }
            stream.pointee.next_out = output.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = uInt(room)
            let status = inflate(stream, Z_NO_FLUSH)
            let count = room - Int(stream.pointee.avail_out)
            switch status {
            case Z_OK, Z_BUF_ERROR:
                if count == 0 && stream.pointee.avail_in == 0 && compressedRead == compressedSize {
                    return .failed("Truncated ZIP file data (the deflate stream does not end within its \(compressedSize) compressed bytes)")
                }
            case Z_STREAM_END:
                finished = true
            default:
                let message = stream.pointee.msg.map { String(cString: $0) } ?? "error \(status)"
                return .failed("ZIP decompression failed (\(message))")
            }
            if count > 0 { return delivered(count) }
            if finished { return .end }
        }
    }

    /// The whole entry in one libdeflate call, then handed out from where the stream had got to (the first bytes may
    /// have come from zlib). Nil when libdeflate does not inflate it to exactly its size from exactly its compressed
    /// bytes: the zlib stream then reads it and says what is wrong, in its words.
    private func inflateWhole() -> Chunk? {
        let compressed = UnsafeMutableRawBufferPointer.allocate(byteCount: Swift.max(Int(compressedSize), 1), alignment: 16)
        defer { compressed.deallocate() }
        let count = Int(compressedSize)
        guard file.read(into: UnsafeMutableRawBufferPointer(rebasing: compressed[0..<count]), at: dataOffset) == count,
            let decompressor = libdeflate_alloc_decompressor()
        else { return nil }
        defer { libdeflate_free_decompressor(decompressor) }
        let size = Int(uncompressedSize)
        let inflated = UnsafeMutableRawBufferPointer.allocate(byteCount: Swift.max(size, 1), alignment: 16)
        var consumed = 0
        var produced = 0
        let status = libdeflate_deflate_decompress_ex(decompressor, compressed.baseAddress, count, inflated.baseAddress, size, &consumed, &produced)
        guard status == LIBDEFLATE_SUCCESS, consumed == count, produced == size else {
            inflated.deallocate()
            return nil
        }
        if let zstream {
            inflateEnd(zstream)
            zstream.deallocate()
            self.zstream = nil
        }
        let start = Int(self.produced)
        whole = inflated
        crc = UInt(libdeflate_crc32(0, inflated.baseAddress, size))
        self.produced = uncompressedSize
        compressedRead = compressedSize
        finished = true
        guard start < size else { return .end }
        pending = start..<size
        return .bytes(UnsafeRawBufferPointer(rebasing: inflated[start..<size]))
    }

    private func delivered(_ count: Int) -> Chunk {
        crc = UInt(libdeflate_crc32(UInt32(truncatingIfNeeded: crc), output.baseAddress, count))
        produced += UInt64(count)
        pending = 0..<count
        return .bytes(UnsafeRawBufferPointer(rebasing: output[0..<count]))
    }

    /// At the end of the entry: the sizes and the CRC-32 against the central directory's (libarchive's messages).
    private func verify() -> Chunk {
        let consumed = compressedRead - UInt64(zstream?.pointee.avail_in ?? 0)
        if consumed != compressedSize {
            return .failed("ZIP compressed data is wrong size (read \(consumed), expected \(compressedSize))")
        }
        if produced != uncompressedSize {
            return .failed("ZIP uncompressed data is wrong size (read \(produced), expected \(uncompressedSize))")
        }
        if UInt32(truncatingIfNeeded: crc) != expectedCRC {
            return .failed("ZIP bad CRC: 0x\(String(crc, radix: 16)) should be 0x\(String(expectedCRC, radix: 16))")
        }
        return .end
    }
}

/// An entry of a ZIP on disk read without libarchive (`ZipCentralDirectory.Record.dataOffset` is set).
struct ZipDirectContent: EntryContent {
    let file: ZipFile
    let record: ZipCentralDirectory.Record
    let dataOffset: UInt64
    private var current: ZipEntryStream?

    init(file: ZipFile, record: ZipCentralDirectory.Record, dataOffset: UInt64) {
        self.file = file
        self.record = record
        self.dataOffset = dataOffset
    }

    /// The record's data in the ZIP a libarchive handle was opened on (a file, or bytes in memory), when it can be
    /// read by offset (`dataOffset`). Used whatever `ZipDirect.enabled` says: libarchive gives no data for an entry it
    /// types as anything but a regular file (`Walk.visitAsExtracted`).
    init?(record: ZipCentralDirectory.Record, source: ArchiveHandle.Source?) {
        guard let dataOffset = record.dataOffset else { return nil }
        switch source {
        case .file(let path)?:
            guard let file = ZipFile(path: path) else { return nil }
            self.init(file: file, record: record, dataOffset: dataOffset)
        case .memory(let bytes)?:
            self.init(file: ZipFile(bytes: bytes, label: ""), record: record, dataOffset: dataOffset)
        case .pulled?, nil:
            return nil
        }
    }

    private mutating func opened() -> ZipEntryStream {
        if let current { return current }
        let stream = ZipEntryStream(file: file, record: record, dataOffset: dataOffset)
        current = stream
        return stream
    }

    mutating func prefix(_ count: Int) -> ArchiveHandle.DataResult {
        let stream = opened()
        var bytes: [UInt8] = []
        while bytes.count < count {
            switch stream.next(max: count - bytes.count) {
            case .bytes(let chunk): bytes.append(contentsOf: chunk)
            case .end: return .complete(bytes)
            case .failed(let reason): return .failed(reason)
            }
        }
        return .complete(bytes)
    }

    mutating func rest(limit: Int) -> ArchiveHandle.DataResult {
        let stream = opened()
        var bytes: [UInt8] = []
        while true {
            switch stream.next(max: limit + 1 - bytes.count) {
            case .bytes(let chunk):
                bytes.append(contentsOf: chunk)
                if bytes.count > limit { return .overLimit(bytes) }
            case .end: return .complete(bytes)
            case .failed(let reason): return .failed(reason)
            }
        }
    }

    mutating func stream(_ consume: (UnsafeRawBufferPointer) -> Bool) -> ArchiveHandle.StreamEnd {
        let stream = opened()
        while true {
            switch stream.next() {
            case .bytes(let chunk): if !consume(chunk) { return .stopped }
            case .end: return .end
            case .failed(let reason): return .failed(reason)
            }
        }
    }

    /// STORED data is read by offset: only the ranges asked for (no CRC-32: the entry is not read to its end).
    func read(offset: Int, count: Int) -> [UInt8]? {
        guard record.method == 0, offset >= 0, count >= 0 else { return nil }
        let size = Int(clamping: record.uncompressedSize)
        guard offset <= size else { return [] }
        return file.read(count: min(count, size - offset), at: dataOffset + UInt64(offset))
    }

    func restarted() -> ZipDirectContent? { ZipDirectContent(file: file, record: record, dataOffset: dataOffset) }

    mutating func readNext(into buffer: UnsafeMutableRawBufferPointer) -> (count: Int, failure: String?) {
        switch opened().next(max: buffer.count) {
        case .bytes(let chunk):
            buffer.baseAddress!.copyMemory(from: chunk.baseAddress!, byteCount: chunk.count)
            return (chunk.count, nil)
        case .end: return (0, nil)
        case .failed(let reason): return (0, reason)
        }
    }
}

/// libarchive's handle on the same ZIP, opened only when an entry needs it, and moved forward to that entry (its
/// n-th entry is the n-th group of central-directory records).
final class LazyArchive {
    let path: String
    /// The ZIP's bytes when it is held in memory (a nested JAR).
    private let bytes: [UInt8]?
    private(set) var handle: ArchiveHandle?
    /// Entries the handle has returned so far.
    private var position = 0
    private var failure: String?

    init(path: String, handle: ArchiveHandle? = nil) {
        self.path = path
        self.handle = handle
        bytes = nil
    }

    init(bytes: [UInt8], label: String) {
        path = label
        self.bytes = bytes
    }

    /// The handle on entry `group`, `.end` when libarchive has fewer entries, or libarchive's error.
    func entry(_ group: Int) -> (ArchiveHandle?, ArchiveHandle.Next) {
        if handle == nil && failure == nil {
            do throws(ReadError) {
                if let bytes {
                    handle = try ArchiveHandle(bytes: bytes, format: .zip, label: path)
                } else {
                    handle = try ArchiveHandle(path: path, format: .zip)
                }
            } catch {
                failure = "\(error)"
            }
        }
        guard let handle else { return (nil, .failed(failure ?? "libarchive could not open the archive")) }
        while position <= group {
            let next = handle.next()
            guard case .entry = next else { return (handle, next) }
            position += 1
            if position - 1 == group { return (handle, next) }
        }
        return (handle, .failed("libarchive passed entry \(group + 1) already"))
    }
}

extension Walk {
    /// A top-level ZIP on disk with a plain central directory: each entry's listing comes from the directory, and its
    /// data is read by offset (`ZipDirectContent`). Entries the direct path cannot judge go through libarchive, on a
    /// handle opened when first needed. Returns the libarchive error that ended the walk, if any.
    /// A JAR inside the artifact (`prefix` is its path and `!`) is walked the same way, its entries read by offset out
    /// of its bytes in memory, with `onlyWorthReading`: an entry that cannot be native code by its name (`.class`,
    /// `.properties` …) is listed from the directory and not inflated at all.
    @discardableResult
    mutating func walkDirect(
        file: ZipFile, directory: ZipCentralDirectory, archive: LazyArchive, prefix: String = "", depth: Int = 0,
        onlyWorthReading: Bool = false
    ) -> String? {
        for group in directory.groups.indices {
            if stopped { return nil }
            if let failure = visitDirect(
                group: group, file: file, directory: directory, archive: archive, prefix: prefix, depth: depth,
                onlyWorthReading: onlyWorthReading)
            {
                return failure == "" ? nil : failure
            }
        }
        return nil
    }

    /// One group of records (one entry). Returns libarchive's error when it ended the walk ("" when the archive
    /// ended early and the rest was listed).
    mutating func visitDirect(
        group: Int, file: ZipFile, directory: ZipCentralDirectory, archive: LazyArchive, prefix: String = "", depth: Int = 0,
        onlyWorthReading: Bool = false
    ) -> String? {
        let first = directory.records[directory.groups[group].lowerBound]
        if onlyWorthReading, first.unicodePath == nil, first.extraction.isEmpty, ZipDirect.extractorType(first) == .file,
            JarEntryName.neverNative(first.name), !metadata.wants(prefix + first.name)
        {
            record(Self.entry(for: first, prefix: prefix))
            return nil
        }
        if let dataOffset = first.dataOffset, let kind = ZipDirect.kind(of: first, file: file) {
            let mode = ZipDirect.mode(first)
            switch kind {
            case .file:
                examineFile(
                    path: prefix + first.name, size: Int64(clamping: first.uncompressedSize), mode: mode, depth: depth, encrypted: false,
                    content: ZipDirectContent(file: file, record: first, dataOffset: dataOffset))
                if let other = first.unicodePath {
                    // unzip writes it under this name too: judged there as well.
                    examineFile(
                        path: prefix + other, size: Int64(clamping: first.uncompressedSize), mode: mode, depth: depth, encrypted: false,
                        content: ZipDirectContent(file: file, record: first, dataOffset: dataOffset))
                }
            case .directory:
                record(ArtifactEntry(path: prefix + first.name, size: Int64(clamping: first.uncompressedSize), mode: mode, type: .directory))
            case .symlink(let target):
                record(ArtifactEntry(path: prefix + first.name, size: 0, mode: mode, type: .symlink(target: target)))
                if let other = first.unicodePath { record(ArtifactEntry(path: prefix + other, size: 0, mode: mode, type: .symlink(target: target))) }
            }
            for (kind, message) in first.extraction { recordProblem(ArtifactProblem(kind: kind, path: prefix + first.name, message: message)) }
            return nil
        }
        let (handle, next) = archive.entry(group)
        switch next {
        case .end:
            listUnvisited(directory, from: group, prefix: prefix)
            return ""
        case .failed(let reason):
            addProblem(ArtifactProblem(
                kind: .unreadableArchive, path: prefix.isEmpty ? nil : String(prefix.dropLast()),
                message: "archive is damaged after \(entries.count) entries: \(reason); the rest was not read"))
            return reason
        case .entry(let header):
            guard let handle else { return nil }
            visitAsExtracted(header, record: first, prefix: prefix, depth: depth, archive: handle, position: group)
            return nil
        }
    }
}
