import ShiplintFacts

/// Archives inside the artifact (a wheel inside a layer): opened from memory while all the nested archives open at
/// once fit in `--max-nested-bytes`, read straight out of their entry otherwise; at most `--max-depth` levels deep.
extension Walk {
    /// A nested archive held in memory, read by its central directory (a ZIP) or front to back (a tar).
    mutating func openNested(_ bytes: [UInt8], path: String, signature: FileSignature, depth: Int) {
        guard nestingAllowed(path: path, depth: depth) else { return }
        holdingNested(bytes.count) { walk in
            if walk.openedAsJar(bytes, path: path, signature: signature, depth: depth) { return }
            do {
                let archive = try ArchiveHandle(bytes: bytes, format: signature == .zip ? .zip : .tar, label: path)
                walk.walk(archive, prefix: path + "!", depth: depth + 1, index: signature == .zip ? ZipCentralDirectory.read(bytes: bytes) : nil)
            } catch {
                walk.addProblem(ArtifactProblem(kind: .unreadableArchive, path: path, message: "nested archive could not be opened: \(error)"))
            }
        }
    }

    /// A JAR with a plain central directory: listed from it, and only its entries that may be native code or archives
    /// (JNI libraries, JARs inside a JAR) inflated, by offset out of its bytes (`walkDirect`). A JAR of a Java function
    /// holds thousands of classes and a few libraries at most: walking every entry through libarchive made a function
    /// of 156 JARs ten times slower to read. False when it is no such JAR (then read like any nested archive).
    private mutating func openedAsJar(_ bytes: [UInt8], path: String, signature: FileSignature, depth: Int) -> Bool {
        guard ZipDirect.enabled, signature == .zip, JarEntryName.isJar(path),
            case .success(let directory) = ZipCentralDirectory.read(bytes: bytes), directory.isPlain
        else { return false }
        walkDirect(
            file: ZipFile(bytes: bytes, label: path), directory: directory, archive: LazyArchive(bytes: bytes, label: path),
            prefix: path + "!", depth: depth + 1, onlyWorthReading: true)
        return true
    }

    /// A nested archive read front to back out of its entry (tar as it is; ZIP by its local headers, since the
    /// central directory at its end cannot be reached without holding it): nothing of it is held but one block.
    mutating func openStreamed(path: String, signature: FileSignature, head: [UInt8], content: some EntryContent, depth: Int) {
        guard nestingAllowed(path: path, depth: depth) else { return }
        let format: ArchiveHandle.Format = signature == .zip ? .zipStream : .tar
        func opened<C: EntryContent>(_ content: C, head: [UInt8]) throws(ReadError) -> ArchiveHandle {
            let puller = EntryPuller(content: content, head: head)
            return try ArchiveHandle(pulling: puller.pull, format: format, label: path, reopen: {
                // A second pass over an entry inside: the nested archive again from its first byte.
                guard let fresh = content.restarted() else { return nil }
                return try? opened(fresh, head: [])
            })
        }
        do {
            let archive = try opened(content, head: head)
            walk(archive, prefix: path + "!", depth: depth + 1, index: nil)
        } catch {
            addProblem(ArtifactProblem(kind: .unreadableArchive, path: path, message: "nested archive could not be opened: \(error)"))
        }
    }

    private mutating func nestingAllowed(path: String, depth: Int) -> Bool {
        guard depth < limits.nestingDepth else {
            addProblem(ArtifactProblem(
                kind: .nestingTooDeep, path: path,
                message: "archive nested \(depth + 1) levels deep, past the cap of \(limits.nestingDepth); not opened"))
            return false
        }
        return true
    }
}

/// Hands an entry's bytes to libarchive a block at a time, so that an archive inside it is read without being held
/// (a nested archive over the in-memory cap): first the bytes already read to recognise it, then the rest.
final class EntryPuller<Content: EntryContent> {
    private var content: Content
    private var head: [UInt8]
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 16)

    init(content: Content, head: [UInt8]) {
        self.content = content
        self.head = head
    }

    deinit { buffer.deallocate() }

    func pull() -> ArchiveHandle.Block {
        if !head.isEmpty {
            let count = min(head.count, buffer.count)
            head.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: count) }
            head.removeFirst(count)
            return .bytes(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
        let (count, failure) = content.readNext(into: buffer)
        if let failure { return .failed(failure) }
        return count == 0 ? .end : .bytes(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
    }
}

/// Names of entries in a JAR, judged on their bytes (asked of every entry of every JAR).
enum JarEntryName {
    /// A `.jar` (any case) at the end of a path.
    static func isJar(_ path: String) -> Bool {
        endsWith(path, Array(".jar".utf8))
    }

    /// A `.class` file: bytecode the JVM loads itself, never a native library or an archive; not inflated.
    static func neverNative(_ name: String) -> Bool {
        endsWith(name, Array(".class".utf8))
    }

    private static func endsWith(_ text: String, _ suffix: [UInt8]) -> Bool {
        var utf8 = text.utf8.reversed().makeIterator()
        for expected in suffix.reversed() {
            guard let byte = utf8.next(), byte | (byte >= 65 && byte <= 90 ? 0x20 : 0) == expected else { return false }
        }
        return true
    }
}
