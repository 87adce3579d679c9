internal import CLibarchive
import FoundationEssentials
import Glibc
import ShiplintFacts

/// Owns one libarchive read handle (and, for an archive held in memory, the bytes it reads). Never shared between
/// tasks: to read one ZIP on several cores, open several handles on the same file.
final class ArchiveHandle {
    enum Format {
        /// ZIP through libarchive's *seekable* reader, which reads the central directory at the end of the file and
        /// trusts it over the local headers: the same view of the archive that Lambda's unzip and pip take.
        case zip
        /// tar, plain or compressed with gzip, bzip2, xz or zstd.
        case tar
        /// ZIP read front to back from its local headers (libarchive's *streamable* reader), for a ZIP that cannot
        /// be seeked in: a nested one too large to hold in memory.
        case zipStream
    }

    struct Header {
        let path: String
        let size: Int64?
        let mode: UInt32
        let type: ArtifactEntry.EntryType
        let encrypted: Bool
    }

    enum Next {
        case entry(Header)
        case end
        case failed(String)
    }

    private let archive: OpaquePointer
    private var memory: UnsafeMutableRawBufferPointer?
    /// Where the archive was opened from, so a second handle can be opened on the same bytes (a second pass over one
    /// entry, or another core).
    private(set) var source: Source?
    private var format: Format = .zip

    enum Source {
        case file(String)
        case memory([UInt8])
        /// Bytes pulled from elsewhere (an entry of another archive): the closure opens them again from the start.
        case pulled(() -> ArchiveHandle?)
    }

    /// The client of libarchive's read callback: where a pulled archive's bytes come from.
    private final class Puller {
        let pull: () -> Block
        /// Why the last pull failed, for the error message (libarchive only learns that it did).
        var failure: String?
        init(_ pull: @escaping () -> Block) { self.pull = pull }
    }
    private var puller: Puller?

    private init(format: Format) throws(ReadError) {
        guard let archive = archive_read_new() else { throw ReadError.internalFailure("libarchive could not allocate a reader") }
        self.archive = archive
        self.format = format
        switch format {
        case .zip:
            archive_read_support_format_zip_seekable(archive)
        case .tar:
            archive_read_support_filter_all(archive)
            archive_read_support_format_tar(archive)
        case .zipStream:
            archive_read_support_format_zip_streamable(archive)
        }
    }

    convenience init(path: String, format: Format) throws(ReadError) {
        try self.init(format: format)
        guard archive_read_open_filename(archive, path, 64 * 1024) == ARCHIVE_OK else {
            throw ReadError.unreadableArtifact(path: path, reason: lastError)
        }
        source = .file(path)
    }

    /// Reads an archive found inside another one, from memory (libarchive's memory reader can seek, as ZIP needs).
    convenience init(bytes: [UInt8], format: Format, label: String) throws(ReadError) {
        try self.init(format: format)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
        bytes.withUnsafeBytes { source in
            if let base = source.baseAddress { buffer.baseAddress!.copyMemory(from: base, byteCount: source.count) }
        }
        memory = buffer
        guard archive_read_open_memory(archive, buffer.baseAddress, bytes.count) == ARCHIVE_OK else {
            throw ReadError.unreadableArtifact(path: label, reason: lastError)
        }
        source = .memory(bytes)
    }

    /// Reads an archive whose bytes `pull` hands over block by block, as libarchive asks for them: nothing is held
    /// beyond one block (a layer blob inside an image tar, however large). Never seeks, so tar only. `reopen` opens
    /// the same bytes from their first byte again (for `reopened(atEntry:)`).
    convenience init(pulling pull: @escaping () -> Block, format: Format, label: String, reopen: @escaping () -> ArchiveHandle?) throws(ReadError) {
        try self.init(format: format)
        let puller = Puller(pull)
        self.puller = puller
        let read: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, UnsafeMutablePointer<UnsafeRawPointer?>?) -> Int = { _, context, buffer in
            let puller = Unmanaged<Puller>.fromOpaque(context!).takeUnretainedValue()
            switch puller.pull() {
            case .bytes(let bytes):
                buffer?.pointee = bytes.baseAddress
                return bytes.count
            case .end:
                return 0
            case .failed(let reason):
                puller.failure = reason
                return -1
            }
        }
        // The handle keeps the puller alive for as long as libarchive may call back (until archive_read_free).
        guard archive_read_open(archive, Unmanaged.passUnretained(puller).toOpaque(), nil, read, nil) == ARCHIVE_OK else {
            throw ReadError.unreadableArtifact(path: label, reason: lastError)
        }
        source = .pulled(reopen)
    }

    /// A new handle on the same archive, positioned on entry `index` (0-based, in this reader's order): for reading
    /// one entry a second time. A ZIP seeks there through its central directory; a tar stream is read up to it.
    func reopened(atEntry index: Int) -> ArchiveHandle? {
        let handle: ArchiveHandle
        switch source {
        case .file(let path)?: guard let opened = try? ArchiveHandle(path: path, format: format) else { return nil }; handle = opened
        case .memory(let bytes)?: guard let opened = try? ArchiveHandle(bytes: bytes, format: format, label: "") else { return nil }; handle = opened
        case .pulled(let reopen)?: guard let opened = reopen() else { return nil }; handle = opened
        case nil: return nil
        }
        for _ in 0...index {
            guard case .entry = handle.next() else { return nil }
        }
        return handle
    }

    deinit {
        archive_read_free(archive)
        memory?.deallocate()
        zeros?.deallocate()
    }

    private var lastError: String {
        if let failure = puller?.failure { return failure }
        guard let message = archive_error_string(archive) else { return "unknown libarchive error" }
        return String(cString: message)
    }

    func next() -> Next {
        blockOffset = 0
        pendingBlock = nil
        var entry: OpaquePointer?
        let status = archive_read_next_header(archive, &entry)
        if status == ARCHIVE_EOF { return .end }
        guard status == ARCHIVE_OK || status == ARCHIVE_WARN, let entry else { return .failed(lastError) }
        let path: String
        if let utf8 = archive_entry_pathname_utf8(entry) {
            path = String(cString: utf8)
        } else if let raw = archive_entry_pathname(entry) {
            // Not UTF-8: the bytes as the extractors write them, each that is not UTF-8 shown `\xNN`.
            path = EntryName.display(UnsafeRawBufferPointer(start: raw, count: strlen(raw)))
        } else {
            path = ""
        }
        let mode = UInt32(archive_entry_mode(entry))
        let type: ArtifactEntry.EntryType
        switch mode & 0o170000 {
        case 0o100000:
            if let target = archive_entry_hardlink(entry) {
                type = .hardlink(target: Self.name(target))
            } else {
                type = .file
            }
        case 0o040000: type = .directory
        case 0o120000: type = .symlink(target: archive_entry_symlink(entry).map(Self.name) ?? "")
        default: type = archive_entry_hardlink(entry).map { .hardlink(target: Self.name($0)) } ?? .other
        }
        let size: Int64? = archive_entry_size_is_set(entry) != 0 ? archive_entry_size(entry) : nil
        return .entry(Header(path: path, size: size, mode: mode, type: type, encrypted: archive_entry_is_encrypted(entry) != 0))
    }

    /// A name or link target as stored, each byte that is not UTF-8 shown `\xNN` (never replaced).
    private static func name(_ raw: UnsafePointer<CChar>) -> String {
        EntryName.display(UnsafeRawBufferPointer(start: raw, count: strlen(raw)))
    }

    enum DataResult {
        case complete([UInt8])
        /// More than `limit` bytes came out; what was read is kept.
        case overLimit([UInt8])
        case failed(String)
    }

    /// Inflates the current entry's data, stopping once `limit` bytes have come out.
    func readData(limit: Int) -> DataResult {
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let wanted = min(chunk.count, limit + 1 - output.count)
            let count = chunk.withUnsafeMutableBytes { archive_read_data(archive, $0.baseAddress, wanted) }
            if count < 0 { return .failed(lastError) }
            if count == 0 { return .complete(output) }
            output.append(contentsOf: chunk[0..<count])
            if output.count > limit { return .overLimit(output) }
        }
    }

    enum StreamEnd {
        case end
        case stopped
        case failed(String)
    }

    /// Bytes handed to `stream`'s consumer at a time.
    static let streamBlock = 64 * 1024

    /// Streams the current entry's data (after what was read already) through `consume`, 64 KiB at a time, until the
    /// end or until `consume` returns false (the rest stays unread; `next()` skips it).
    func stream(_ consume: (UnsafeRawBufferPointer) -> Bool) -> StreamEnd {
        let size = Self.streamBlock
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = archive_read_data(archive, buffer.baseAddress, size)
            if count < 0 { return .failed(lastError) }
            if count == 0 { return .end }
            if !consume(UnsafeRawBufferPointer(rebasing: buffer[0..<count])) { return .stopped }
        }
    }

    /// Copies the next bytes of the current entry into `buffer`: how many (0 at its end), or why it failed.
    func readData(into buffer: UnsafeMutableRawBufferPointer) -> (count: Int, failure: String?) {
        let count = archive_read_data(archive, buffer.baseAddress, buffer.count)
        return count < 0 ? (0, lastError) : (count, nil)
    }

    /// Reads up to `count` bytes of the current entry (the rest stays unread; `next()` skips it).
    func readPrefix(_ count: Int) -> DataResult {
        var output = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let read = output.withUnsafeMutableBytes { archive_read_data(archive, $0.baseAddress! + filled, count - filled) }
            if read < 0 { return .failed(lastError) }
            if read == 0 { break }
            filled += read
        }
        return .complete(Array(output[0..<filled]))
    }

    enum Block {
        /// Valid until the next call on the handle.
        case bytes(UnsafeRawBufferPointer)
        case end
        case failed(String)
    }

    private var blockOffset: Int64 = 0
    private var pendingBlock: (bytes: UnsafeRawBufferPointer, offset: Int64)?
    /// What the holes of a sparse entry read as; allocated when one is met.
    private var zeros: UnsafeMutableRawBufferPointer?

    /// The next block of the current entry's data, without copying it out of libarchive (holes of a sparse entry
    /// come as zeros). Start on a fresh entry and use nothing else on it.
    func nextBlock() -> Block {
        while true {
            if pendingBlock == nil {
                var buffer: UnsafeRawPointer?
                var size = 0
                var offset: la_int64_t = 0
                let status = archive_read_data_block(archive, &buffer, &size, &offset)
                if status == ARCHIVE_EOF { return .end }
                guard status == ARCHIVE_OK || status == ARCHIVE_WARN else { return .failed(lastError) }
                pendingBlock = (UnsafeRawBufferPointer(start: buffer, count: size), Int64(offset))
            }
            let (bytes, offset) = pendingBlock!
            if offset > blockOffset {
                let zeros = self.zeros ?? {
                    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
                    buffer.initializeMemory(as: UInt8.self, repeating: 0)
                    return buffer
                }()
                self.zeros = zeros
                let gap = Int(min(offset - blockOffset, Int64(zeros.count)))
                blockOffset += Int64(gap)
                return .bytes(UnsafeRawBufferPointer(rebasing: zeros[0..<gap]))
            }
            pendingBlock = nil
            blockOffset = offset + Int64(bytes.count)
            if bytes.count > 0 { return .bytes(bytes) }
        }
    }
}
