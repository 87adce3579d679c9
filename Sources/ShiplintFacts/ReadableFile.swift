import Glibc

/// A file open for reading by its descriptor, closed when the value goes (what `FileHandle(forReadingAtPath:)` was
/// before shiplint linked FoundationEssentials only). Not shared between tasks.
public final class ReadableFile {
    public let descriptor: Int32

    /// Nil when the file cannot be opened (missing, unreadable).
    public init?(path: String) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// The file's size (its end), nil if it has none that can be found.
    public var size: UInt64? {
        let end = lseek(descriptor, 0, SEEK_END)
        return end < 0 ? nil : UInt64(end)
    }

    /// Up to `count` bytes from the current position (fewer only at the end of the file); nil on a read error.
    public func read(upTo count: Int) -> [UInt8]? {
        Self.filling(count) { buffer, filled in Glibc.read(descriptor, buffer + filled, count - filled) }
    }

    /// Up to `count` bytes from `offset` (fewer only at the end of the file); nil on a read error.
    public func read(at offset: UInt64, count: Int) -> [UInt8]? {
        Self.filling(count) { buffer, filled in pread(descriptor, buffer + filled, count - filled, off_t(offset) + off_t(filled)) }
    }

    /// `count` bytes read by `next` (given the buffer and how much is filled) until it returns 0 (the end of the
    /// file) or the buffer is full, retrying interruptions; nil on a read error.
    private static func filling(_ count: Int, _ next: (UnsafeMutableRawPointer, Int) -> Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let got = bytes.withUnsafeMutableBytes { next($0.baseAddress!, filled) }
            if got < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if got == 0 { break }
            filled += got
        }
        bytes.removeSubrange(filled...)
        return bytes
    }
}

/// Writes to a descriptor in full (retrying short writes and interruptions): standard output and error, a file
/// being written.
public enum DescriptorOutput {
    /// The reason (`strerror`) a write failed.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    public static func write(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32) throws(Failure) {
        var written = 0
        while written < bytes.count {
            let count = Glibc.write(descriptor, bytes.baseAddress! + written, bytes.count - written)
            if count < 0 {
                if errno == EINTR { continue }
                throw Failure(description: String(cString: strerror(errno)))
            }
            written += count
        }
    }

    public static func write(_ bytes: [UInt8], to descriptor: Int32) throws(Failure) {
        let failure: Failure? = bytes.withUnsafeBytes { buffer in
            do throws(Failure) { try write(buffer, to: descriptor) } catch { return error }
            return nil
        }
        if let failure { throw failure }
    }

    /// Text to standard error; a failure to write there has nowhere to be said, and is dropped.
    public static func standardError(_ text: String) {
        try? write(Array(text.utf8), to: STDERR_FILENO)
    }
}
