import FoundationEssentials
import Glibc
import ShiplintFacts

/// Walks an unzipped build folder in name order, without following symbolic links. Names are listed as bytes
/// (`opendir`/`readdir` and `lstat`, where Foundation would drop a name that is not UTF-8): such a name is kept, shown
/// with `\xNN` escapes, and read. Only regular files are opened; what is not read (a FIFO, socket or device, a folder
/// that cannot be listed, a tree deeper than the limit) is a problem on that entry, never a silent gap.
struct FolderSource {
    let root: String

    /// Deeper than this is a link loop or a hostile tree, not a build folder.
    static let maximumDepth = 64

    /// What the listing finds, in name order: an entry or a problem recorded as it is, or a regular file to examine.
    enum Item {
        case entry(ArtifactEntry)
        case problem(ArtifactProblem)
        case file(path: String, full: [UInt8], size: Int64, mode: UInt32)
    }

    /// A root that cannot be listed is an unreadable artifact (exit status 2), not an empty one. With `jobs` > 1 the
    /// files are read on that many workers and joined in name order (`walkInParallel`), the same artifact as one job.
    func walk(into walk: inout Walk, jobs: Int = 1) throws(ReadError) {
        let rootBytes = Array(root.utf8)
        switch Self.list(rootBytes) {
        case .failure(let error):
            throw .cannotOpen(path: root, reason: "the folder cannot be listed: \(error)")
        case .success(let names):
            if jobs > 1, let joined = walkInParallel(rootBytes, names: names, limits: walk.limits, metadata: walk.metadata, jobs: jobs) {
                walk = joined
                return
            }
            _ = visit(folder: rootBytes, names: names, relative: "", depth: 0) { item in
                Self.apply(item, to: &walk)
                return !walk.stopped
            }
        }
    }

    private static func apply(_ item: Item, to walk: inout Walk) {
        switch item {
        case .entry(let entry): walk.record(entry)
        case .problem(let problem): walk.recordProblem(problem)
        case .file(let path, let full, let size, let mode):
            walk.examineFile(path: path, size: size, mode: mode, depth: 0, encrypted: false, content: DiskFileContent(path: full))
        }
    }

    /// Lists the tree first (bounded by the entry cap), then reads the files worth reading on `jobs` workers
    /// (`ParallelShare`, the largest first), each by offset (only the ranges the facts need); the join replays the
    /// listing in order. Nil when the cap on entries, bytes or problems was met: then the folder is walked again on one
    /// core.
    private func walkInParallel(_ rootBytes: [UInt8], names: [[UInt8]], limits: ReadLimits, metadata: MetadataSelection, jobs: Int) -> Walk? {
        var items: [Item] = []
        var listed = 0
        _ = visit(folder: rootBytes, names: names, relative: "", depth: 0) { item in
            if case .problem = item {} else { listed += 1 }
            items.append(item)
            return listed <= limits.entries
        }
        guard listed <= limits.entries else { return nil }
        var work: [(position: Int, weight: Int)] = []
        for (position, item) in items.enumerated() {
            guard case .file(let path, _, let size, let mode) = item, metadata.wants(path) || NativeName.worthSniffing(path: path, mode: mode)
            else { continue }
            work.append((position, ParallelShare.weight(size)))
        }
        guard work.count > 1 else { return nil }
        let share = ParallelShare(limits: limits, metadata: metadata, workers: jobs)
        let listing = items
        let walks = share.run(ParallelShare.heaviestFirst(work), start: { () }, visit: { walk, _, position in
            Self.apply(listing[position], to: &walk)
        })
        guard let walks else { return nil }
        return share.join(walks, positions: items.indices) { joined, position in
            Self.apply(items[position], to: &joined)
            return true
        }
    }

    /// Lists `names` in `folder` and what is under them, depth first in name order; stops when `emit` says so.
    private func visit(folder: [UInt8], names: [[UInt8]], relative: String, depth: Int, emit: (Item) -> Bool) -> Bool {
        for name in names {
            let path = relative.isEmpty ? EntryName.display(name) : relative + "/" + EntryName.display(name)
            let full = folder + [UInt8(ascii: "/")] + name
            var status = stat()
            guard Self.withCString(full, { lstat($0, &status) }) == 0 else {
                let reason = SystemError.current
                guard emit(.entry(ArtifactEntry(path: path, size: 0, mode: nil, type: .other))),
                    emit(.problem(ArtifactProblem(
                        kind: .unreadableEntry, path: path, message: "entry could not be examined (\(reason)); not read")))
                else { return false }
                continue
            }
            let size = Int64(status.st_size)
            let mode = UInt32(status.st_mode)
            switch mode & UInt32(S_IFMT) {
            case UInt32(S_IFDIR):
                guard emit(.entry(ArtifactEntry(path: path, size: 0, mode: mode, type: .directory))) else { return false }
                guard depth + 1 < Self.maximumDepth else {
                    guard emit(.problem(ArtifactProblem(
                        kind: .folderTooDeep, path: path,
                        message: "folder nested \(depth + 1) levels deep, the most shiplint walks; what is inside it was not read (a link loop or a hostile tree?)")))
                    else { return false }
                    continue
                }
                switch Self.list(full) {
                case .failure(let error):
                    guard emit(.problem(ArtifactProblem(
                        kind: .unreadableFolder, path: path,
                        message: "folder could not be listed (\(error)); what is inside it was not read")))
                    else { return false }
                case .success(let inner):
                    guard visit(folder: full, names: inner, relative: path, depth: depth + 1, emit: emit) else { return false }
                }
            case UInt32(S_IFLNK):
                let target = Self.linkTarget(full)
                guard emit(.entry(ArtifactEntry(path: path, size: size, mode: mode, type: .symlink(target: target)))) else { return false }
            case UInt32(S_IFREG):
                guard emit(.file(path: path, full: full, size: size, mode: mode)) else { return false }
            default:
                guard emit(.entry(ArtifactEntry(path: path, size: size, mode: mode, type: .other))),
                    emit(.problem(ArtifactProblem(
                        kind: .specialFile, path: path,
                        message: "special file, not read: \(Self.kindName(mode)); shiplint opens only regular files, since reading a FIFO or a device can block forever or have side effects")))
                else { return false }
            }
        }
        return true
    }

    static func kindName(_ mode: UInt32) -> String {
        switch mode & UInt32(S_IFMT) {
        case UInt32(S_IFIFO): "a FIFO (named pipe)"
        case UInt32(S_IFSOCK): "a socket"
        case UInt32(S_IFCHR): "a character device"
        case UInt32(S_IFBLK): "a block device"
        case UInt32(S_IFDIR): "a folder"
        case UInt32(S_IFLNK): "a symbolic link"
        default: "not a regular file"
        }
    }

    /// The names in a folder (not `.` and `..`), sorted by their bytes; or why it could not be listed.
    static func list(_ folder: [UInt8]) -> Result<[[UInt8]], SystemError> {
        guard let directory = withCString(folder, { opendir($0) }) else { return .failure(.current) }
        defer { closedir(directory) }
        var names: [[UInt8]] = []
        errno = 0
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
            if name != [UInt8(ascii: ".")] && name != [UInt8(ascii: "."), UInt8(ascii: ".")] { names.append(name) }
            errno = 0
        }
        if errno != 0 { return .failure(.current) }
        return .success(names.sorted { $0.lexicographicallyPrecedes($1) })
    }

    private static func linkTarget(_ path: [UInt8]) -> String {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = withCString(path) { pathPointer in
            buffer.withUnsafeMutableBytes { readlink(pathPointer, $0.baseAddress!.assumingMemoryBound(to: CChar.self), $0.count) }
        }
        return count > 0 ? EntryName.display(buffer[0..<count]) : ""
    }

    static func withCString<Result>(_ bytes: [UInt8], _ body: (UnsafePointer<CChar>) -> Result) -> Result {
        (bytes + [0]).withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { body($0) }
        }
    }

    /// The full `st_mode` (type and permission bits) without following a final symbolic link.
    static func mode(of path: String) -> UInt32? {
        var status = stat()
        guard lstat(path, &status) == 0 else { return nil }
        return UInt32(status.st_mode)
    }
}

/// An `errno` value, shown as the system's words for it.
struct SystemError: Error, CustomStringConvertible {
    let code: Int32
    static var current: SystemError { SystemError(code: errno) }
    var description: String { String(cString: strerror(code)) }
}

/// A regular file in a folder, named by its bytes. It is opened without following a link and without waiting, and
/// checked to be a regular file once open, so a FIFO swapped in after the listing cannot block the read.
struct DiskFileContent: EntryContent {
    let path: [UInt8]
    private var offset = 0

    init(path: [UInt8]) {
        self.path = path
    }

    mutating func prefix(_ count: Int) -> ArchiveHandle.DataResult {
        let result = read(limit: count, over: false)
        if case .complete(let bytes) = result { offset = bytes.count }
        return result
    }

    func rest(limit: Int) -> ArchiveHandle.DataResult {
        read(limit: limit, over: true)
    }

    func stream(_ consume: (UnsafeRawBufferPointer) -> Bool) -> ArchiveHandle.StreamEnd {
        let descriptor = openRegular()
        guard descriptor >= 0 else { return .failed("cannot open the file: \(SystemError.current)") }
        defer { close(descriptor) }
        var cursor = offset
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let got = chunk.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress!, $0.count, off_t(cursor)) }
            if got < 0 { return .failed("read error: \(SystemError.current)") }
            if got == 0 { return .end }
            cursor += got
            let more = chunk[0..<got].withUnsafeBytes { consume($0) }
            if !more { return .stopped }
        }
    }

    /// pread: only the bytes asked for are read.
    func read(offset: Int, count: Int) -> [UInt8]? {
        let descriptor = openRegular()
        guard descriptor >= 0, offset >= 0, count >= 0 else {
            if descriptor >= 0 { close(descriptor) }
            return nil
        }
        defer { close(descriptor) }
        // Not zero-filled first: pread writes every byte that is kept.
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var filled = 0
            while filled < count {
                let got = pread(descriptor, buffer.baseAddress! + filled, count - filled, off_t(offset + filled))
                if got <= 0 { break }
                filled += got
            }
            initialized = filled
        }
    }

    func restarted() -> DiskFileContent? { DiskFileContent(path: path) }

    mutating func readNext(into buffer: UnsafeMutableRawBufferPointer) -> (count: Int, failure: String?) {
        let descriptor = openRegular()
        guard descriptor >= 0 else { return (0, "cannot open the file: \(SystemError.current)") }
        defer { close(descriptor) }
        let got = pread(descriptor, buffer.baseAddress!, buffer.count, off_t(offset))
        if got < 0 { return (0, "read error: \(SystemError.current)") }
        offset += got
        return (got, nil)
    }

    /// Opens the file without following a link and without blocking; -1 unless it is still a regular file.
    private func openRegular() -> Int32 {
        let descriptor = FolderSource.withCString(path) { open($0, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC) }
        guard descriptor >= 0 else { return -1 }
        var status = stat()
        guard fstat(descriptor, &status) == 0, UInt32(status.st_mode) & UInt32(S_IFMT) == UInt32(S_IFREG) else {
            close(descriptor)
            return -1
        }
        return descriptor
    }

    private func read(limit: Int, over: Bool) -> ArchiveHandle.DataResult {
        let descriptor = FolderSource.withCString(path) { open($0, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC) }
        guard descriptor >= 0 else { return .failed("cannot open the file: \(SystemError.current)") }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, UInt32(status.st_mode) & UInt32(S_IFMT) == UInt32(S_IFREG) else {
            return .failed("no longer a regular file")
        }
        let wanted = over ? limit + 1 : limit
        var bytes = [UInt8](repeating: 0, count: min(wanted, max(Int(status.st_size) - offset, 0) + 1))
        var filled = 0
        while filled < bytes.count {
            let got = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress! + filled, $0.count - filled, off_t(offset + filled)) }
            if got < 0 { return .failed("read error: \(SystemError.current)") }
            if got == 0 { break }
            filled += got
        }
        bytes.removeSubrange(filled...)
        return over && bytes.count > limit ? .overLimit(bytes) : .complete(bytes)
    }
}
