import Foundation
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
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        let prefix = [UInt8]((try? handle.read(upToCount: FileSignature.prefixLength)) ?? nil ?? Data())
        try? handle.close()
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
            guard let handle = FileHandle(forReadingAtPath: root + "/" + ImageStore.normalise(name)) else {
                throw .unreadableArtifact(path: label, reason: "the image names \(name), which is not in it")
            }
            defer { try? handle.close() }
            let data = (try? handle.read(upToCount: limit + 1)) ?? nil ?? Data()
            guard data.count <= limit else { throw .unreadableArtifact(path: label, reason: "\(name) is over \(limit) bytes") }
            return [UInt8](data)
        case .tar:
            let archive = try open(name)
            switch archive.readData(limit: limit) {
            case .complete(let bytes): return bytes
            case .overLimit: throw .unreadableArtifact(path: label, reason: "\(name) is over \(limit) bytes")
            case .failed(let reason): throw .unreadableArtifact(path: label, reason: "\(name) could not be read: \(reason)")
            }
        }
    }

    /// Streams a file's bytes through `consume`.
    func stream(_ name: String, _ consume: (UnsafeRawBufferPointer) -> Bool) throws(ReadError) {
        switch kind {
        case .folder(let root):
            switch DiskFileContent(path: Array((root + "/" + ImageStore.normalise(name)).utf8)).stream(consume) {
            case .failed(let reason): throw .unreadableArtifact(path: label, reason: "\(name) could not be read: \(reason)")
            default: return
            }
        case .tar:
            let archive = try open(name)
            if case .failed(let reason) = archive.stream(consume) {
                throw .unreadableArtifact(path: label, reason: "\(name) could not be read: \(reason)")
            }
        }
    }

    /// A tar reader over a layer blob: straight from its file in a folder, from memory when it sits inside a tar.
    func layerArchive(_ name: String, limit: Int) throws(ReadError) -> ArchiveHandle {
        switch kind {
        case .folder(let root):
            return try ArchiveHandle(path: root + "/" + ImageStore.normalise(name), format: .tar)
        case .tar:
            let bytes = try read(name, limit: limit)
            return try ArchiveHandle(bytes: bytes, format: .tar, label: name)
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

    /// The SHA-256 of a file, streamed.
    func digest(_ name: String) throws(ReadError) -> String {
        var hasher = SHA256()
        try stream(name) { hasher.update($0); return true }
        return hasher.finish()
    }
}
