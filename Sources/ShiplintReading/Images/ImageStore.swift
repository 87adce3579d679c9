import FoundationEssentials
import Glibc
import ShiplintFacts

/// Where an image's files are: an OCI layout folder, or a tar (a `docker save` tarball or an OCI layout as a tar).
/// Files are read by name; layer blobs are streamed, never extracted to disk.
struct ImageStore {
    enum Kind {
        case folder(String)
        /// The tar's path and each regular file's ordinal in libarchive's order, by normalised name.
        case tar(String, [String: Int])
    }

    let kind: Kind
    let label: String

    /// `./blobs/sha256/ab` and `/blobs/sha256/ab/` both name `blobs/sha256/ab`.
    static func normalise(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/") where part != "." && !part.isEmpty {
            if part == ".." { if !parts.isEmpty { parts.removeLast() } } else { parts.append(part) }
        }
        return parts.joined(separator: "/")
    }

    /// An image store when `path` holds an image by its content: a folder with `oci-layout` and `index.json`, or a
    /// tar holding `manifest.json` (docker save) or `oci-layout` and `index.json`; nil otherwise.
    static func recognise(path: String) -> ImageStore? {
        // Only a folder or a regular file is looked into: opening a FIFO or a device could block or have effects.
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        let type = status.st_mode & S_IFMT
        guard type == S_IFDIR || type == S_IFREG else { return nil }
        if type == S_IFDIR {
            let manager = FileManager.default
            guard manager.fileExists(atPath: path + "/oci-layout"), manager.fileExists(atPath: path + "/index.json") else { return nil }
            return ImageStore(kind: .folder(path), label: path)
        }
        guard let prefix = ReadableFile(path: path).map({ $0.read(upTo: FileSignature.prefixLength) ?? [] }) else { return nil }
        guard FileSignature(prefix: prefix) == .tarLike, let archive = try? ArchiveHandle(path: path, format: .tar) else { return nil }
        var names: [String: Int] = [:]
        var position = 0
        // Only the top level of the tar is listed here; a tar of thousands of files is not an image.
        while position < 100_000, case .entry(let header) = archive.next() {
            if header.type == .file { names[normalise(header.path)] = names[normalise(header.path)] ?? position }
            position += 1
        }
        let isOCI = names["oci-layout"] != nil && names["index.json"] != nil
        guard isOCI || names["manifest.json"] != nil else { return nil }
        return ImageStore(kind: .tar(path, names), label: path)
    }

    func exists(_ name: String) -> Bool {
        switch kind {
        case .folder(let root): FileManager.default.fileExists(atPath: root + "/" + name)
        case .tar(_, let names): names[ImageStore.normalise(name)] != nil
        }
    }

    /// The whole content of a small file (a JSON document, a config), at most `limit` bytes.
    func read(_ name: String, limit: Int = 16 << 20) throws(ReadError) -> [UInt8] {
        switch kind {
        case .folder(let root):
            guard let handle = ReadableFile(path: root + "/" + ImageStore.normalise(name)) else {
                throw .unreadableArtifact(path: label, reason: "the image names \(name), which is not in it")
            }
            let data = handle.read(upTo: limit + 1) ?? []
            guard data.count <= limit else { throw .unreadableArtifact(path: label, reason: "\(name) is over \(limit) bytes") }
            return data
        case .tar:
            let archive = try open(name)
            switch archive.readData(limit: limit) {
            case .complete(let bytes): return bytes
            case .overLimit: throw .unreadableArtifact(path: label, reason: "\(name) is over \(limit) bytes")
            case .failed(let reason): throw .unreadableArtifact(path: label, reason: "\(name) could not be read: \(reason)")
            }
        }
    }

    /// A layer blob as a tar stream, straight from its file in a folder or from its entry in the image tar: read in
    /// one pass, one block held at a time whatever the layer's size, and hashed as its bytes go by.
    func layer(_ name: String) throws(ReadError) -> LayerStream {
        let bytes = BlobBytes(try blocks(of: name))
        let store = self
        let archive = try ArchiveHandle(pulling: bytes.pull, format: .tar, label: name, reopen: { store.unhashedLayer(name) })
        return LayerStream(archive: archive, bytes: bytes, label: label, name: name)
    }

    /// The same layer again from its first byte (a second pass over one of its entries), not hashed.
    private func unhashedLayer(_ name: String) -> ArchiveHandle? {
        guard let blocks = try? blocks(of: name) else { return nil }
        let store = self
        return try? ArchiveHandle(pulling: blocks, format: .tar, label: name, reopen: { store.unhashedLayer(name) })
    }

    /// The blocks of a file's bytes, in order.
    private func blocks(of name: String) throws(ReadError) -> () -> ArchiveHandle.Block {
        switch kind {
        case .folder(let root):
            let path = root + "/" + ImageStore.normalise(name)
            guard let file = FileBlocks(path: path) else {
                throw .unreadableArtifact(path: label, reason: "\(name) could not be opened: \(SystemError.current)")
            }
            return file.next
        case .tar:
            return try open(name).nextBlock
        }
    }

    private func open(_ name: String) throws(ReadError) -> ArchiveHandle {
        guard case .tar(let path, let names) = kind, let ordinal = names[ImageStore.normalise(name)] else {
            throw .unreadableArtifact(path: label, reason: "the image names \(name), which is not in it")
        }
        guard let archive = try ArchiveHandle(path: path, format: .tar).reopened(atEntry: ordinal) else {
            throw .unreadableArtifact(path: label, reason: "\(name) could not be found again in the tar")
        }
        return archive
    }
}

/// A layer's tar reader, and the digest of the blob it reads.
struct LayerStream {
    let archive: ArchiveHandle
    let bytes: BlobBytes
    let label: String
    let name: String

    /// The SHA-256 of the whole blob: what the tar reader left unread (the end padding, or entries after a cap) is
    /// read here, so the digest is of every byte.
    func digest() throws(ReadError) -> String {
        switch bytes.finish() {
        case .success(let digest): return digest
        case .failure(let failure): throw .unreadableArtifact(path: label, reason: "\(name) could not be read: \(failure.reason)")
        }
    }
}

/// A blob's bytes handed to libarchive block by block, hashed on the way.
final class BlobBytes {
    struct Failure: Error { let reason: String }
    private let next: () -> ArchiveHandle.Block
    private var hasher = SHA256()
    private var finished: Result<Void, Failure>?

    init(_ next: @escaping () -> ArchiveHandle.Block) {
        self.next = next
    }

    func pull() -> ArchiveHandle.Block {
        switch finished {
        case .success?: return .end
        case .failure(let failure)?: return .failed(failure.reason)
        case nil: break
        }
        let block = next()
        switch block {
        case .bytes(let bytes): hasher.update(bytes)
        case .end: finished = .success(())
        case .failed(let reason): finished = .failure(Failure(reason: reason))
        }
        return block
    }

    /// Reads what is left and returns the digest of every byte.
    func finish() -> Result<String, Failure> {
        while case .bytes = pull() {}
        if case .failure(let failure)? = finished { return .failure(failure) }
        return .success(hasher.finish())
    }
}

/// A file's bytes, a block at a time.
final class FileBlocks {
    private let descriptor: Int32
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * 1024, alignment: 16)

    init?(path: String) {
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            buffer.deallocate()
            return nil
        }
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
        buffer.deallocate()
    }

    func next() -> ArchiveHandle.Block {
        while true {
            let count = read(descriptor, buffer.baseAddress, buffer.count)
            if count < 0, errno == EINTR { continue }
            if count < 0 { return .failed("read error: \(SystemError.current)") }
            return count == 0 ? .end : .bytes(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
    }
}
