import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// What a path named on the command line is, decided with `stat` before anything is opened: opening a FIFO waits for
/// a writer (forever, if none comes) and reading a device can block or have side effects, so only regular files and
/// folders are opened. Standard input (`-`) and a pipe this process already holds (`/dev/fd/N`, as `<(cat f.zip)`
/// passes it) are read into memory, under the artifact cap.
enum ArtifactInput {
    case file(size: Int64)
    case folder
    case stream(label: String, bytes: [UInt8])

    /// How standard input is named in reports.
    static let standardInputLabel = "<stdin>"

    static func examine(path: String, limit: Int) throws(ReadError) -> ArtifactInput {
        if path == "-" { return try stream(descriptor: 0, label: standardInputLabel, limit: limit) }
        if let descriptor = inheritedDescriptor(path) {
            var status = stat()
            if fstat(descriptor, &status) == 0, isStream(UInt32(status.st_mode)) {
                return try stream(descriptor: descriptor, label: path, limit: limit)
            }
        }
        var status = stat()
        guard stat(path, &status) == 0 else {
            let error = errno
            var link = stat()
            switch error {
            case ENOENT where lstat(path, &link) == 0:
                throw .cannotOpen(path: path, reason: "a symbolic link to nothing (its target does not exist)")
            case ENOENT, ENOTDIR:
                throw .notFound(path: path)
            case ELOOP:
                throw .cannotOpen(path: path, reason: "a symbolic link loop (too many levels of symbolic links)")
            default:
                throw .cannotOpen(path: path, reason: "cannot be examined: \(SystemError(code: error))")
            }
        }
        let mode = UInt32(status.st_mode)
        switch mode & UInt32(S_IFMT) {
        case UInt32(S_IFREG):
            return .file(size: Int64(status.st_size))
        case UInt32(S_IFDIR):
            return .folder
        default:
            throw .cannotOpen(path: path, reason: "\(FolderSource.kindName(mode)), not a file or folder; not opened, since reading it could block forever (to scan a stream, pipe it into `shiplint scan -`)")
        }
    }

    /// A pipe, socket or terminal: read as a stream, never reopened by name.
    private static func isStream(_ mode: UInt32) -> Bool {
        let type = mode & UInt32(S_IFMT)
        return type == UInt32(S_IFIFO) || type == UInt32(S_IFSOCK) || type == UInt32(S_IFCHR)
    }

    /// `/dev/fd/N`, `/proc/self/fd/N` or `/dev/stdin` naming a descriptor this process holds open.
    private static func inheritedDescriptor(_ path: String) -> Int32? {
        let number: Int32?
        if path == "/dev/stdin" {
            number = 0
        } else if let prefix = ["/dev/fd/", "/proc/self/fd/"].first(where: { path.hasPrefix($0) }) {
            number = Int32(path.dropFirst(prefix.count))
        } else {
            number = nil
        }
        guard let number, number >= 0, fcntl(number, F_GETFD) != -1 else { return nil }
        return number
    }

    private static func stream(descriptor: Int32, label: String, limit: Int) throws(ReadError) -> ArtifactInput {
        if isatty(descriptor) != 0 {
            throw .cannotOpen(path: label, reason: "is a terminal, not an artifact; pipe one in (shiplint scan - < function.zip)")
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let got = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if got < 0 {
                if errno == EINTR { continue }
                throw .cannotOpen(path: label, reason: "could not be read: \(SystemError.current)")
            }
            if got == 0 { break }
            bytes += chunk[0..<got]
            if bytes.count > limit {
                throw .cannotOpen(path: label, reason: "more than \(limit) bytes arrived, the cap for one artifact (--max-artifact-bytes); save it to a file, or raise the cap")
            }
        }
        return .stream(label: label, bytes: bytes)
    }
}

/// An artifact held in memory (read from standard input or a pipe).
struct MemoryContent: EntryContent {
    let bytes: [UInt8]
    private var offset = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    mutating func prefix(_ count: Int) -> ArchiveHandle.DataResult {
        offset = min(count, bytes.count)
        return .complete(Array(bytes[0..<offset]))
    }

    func rest(limit: Int) -> ArchiveHandle.DataResult {
        let tail = Array(bytes[offset..<min(bytes.count, offset + limit + 1)])
        return tail.count > limit ? .overLimit(tail) : .complete(tail)
    }

    func stream(_ consume: (UnsafeRawBufferPointer) -> Bool) -> ArchiveHandle.StreamEnd {
        var cursor = offset
        while cursor < bytes.count {
            let end = min(bytes.count, cursor + 64 * 1024)
            let more = bytes[cursor..<end].withUnsafeBytes { consume($0) }
            if !more { return .stopped }
            cursor = end
        }
        return .end
    }

    func read(offset: Int, count: Int) -> [UInt8]? {
        guard offset >= 0, count >= 0, offset <= bytes.count else { return nil }
        return Array(bytes[offset..<min(bytes.count, offset + count)])
    }

    func restarted() -> MemoryContent? { MemoryContent(bytes: bytes) }

    mutating func readNext(into buffer: UnsafeMutableRawBufferPointer) -> (count: Int, failure: String?) {
        let count = min(buffer.count, bytes.count - offset)
        guard count > 0 else { return (0, nil) }
        bytes.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: count) }
        offset += count
        return (count, nil)
    }
}
