import FoundationEssentials
import Glibc

/// A text file a user gives shiplint (a deployment descriptor, a `.shiplint.toml`, a rule file, a baseline), read
/// under a size limit before anything parses it, and checked to be UTF-8, with the place it is not.
public enum TextFile {
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// Missing, a folder, unreadable: the reason in words.
        case unreadable(String)
        /// Larger than `limit` bytes (`size`: what it holds, or `limit + 1` for a stream that went on).
        case tooLarge(size: Int, limit: Int)
        /// Not UTF-8 from the byte at `offset` (0-based), whose value is `byte`.
        case notUTF8(offset: Int, byte: UInt8)

        public var description: String {
            switch self {
            case .unreadable(let reason): "cannot read the file: \(reason)"
            case .tooLarge(let size, let limit): "\(size) bytes, over the \(TextFile.describe(limit)) limit"
            case .notUTF8(let offset, let byte): "not UTF-8 text: the byte at offset \(offset) (0x\(String(byte, radix: 16, uppercase: true))) is not part of a valid UTF-8 character"
            }
        }
    }

    /// `32 MiB`, `1 MiB`, `512 KiB`, `100 bytes`.
    public static func describe(_ bytes: Int) -> String {
        if bytes >= 1 << 20, bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
        if bytes >= 1 << 10, bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
        return "\(bytes) bytes"
    }

    /// The bytes of `path`, at most `limit` of them: a regular file larger than that is refused by its size before
    /// it is read; a pipe is read until it passes the limit.
    public static func bytes(_ path: String, limit: Int) throws(Failure) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .unreadable(String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .unreadable(String(cString: strerror(errno))) }
        switch status.st_mode & S_IFMT {
        case S_IFDIR: throw .unreadable("it is a folder")
        case S_IFREG:
            if Int(status.st_size) > limit { throw .tooLarge(size: Int(status.st_size), limit: limit) }
        case S_IFIFO, S_IFSOCK: break
        default: throw .unreadable("it is a device, not a file")
        }
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .unreadable(String(cString: strerror(errno)))
            }
            if count == 0 { break }
            data += buffer[..<count]
            // The file grew since fstat, or a pipe is longer than allowed.
            if data.count > limit { throw .tooLarge(size: data.count, limit: limit) }
        }
        return data
    }

    /// The text of `path`: at most `limit` bytes, and UTF-8.
    public static func text(_ path: String, limit: Int) throws(Failure) -> String {
        let data = try bytes(path, limit: limit)
        if let offset = firstInvalidUTF8(data) { throw .notUTF8(offset: offset, byte: data[offset]) }
        return String(decoding: data, as: UTF8.self)
    }

    /// The offset of the first byte that is not part of a well-formed UTF-8 sequence (RFC 3629: no overlong forms,
    /// no surrogates, nothing past U+10FFFF), or nil.
    public static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        var index = 0
        while index < bytes.count {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let length: Int
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: return index
            }
            // A character cut short (by the end, or by a byte that cannot continue it): its first byte is where
            // UTF-8 stops.
            for position in 1..<length {
                guard index + position < bytes.count else { return index }
                let range = position == 1 ? low...high : 0x80...0xBF
                if !range.contains(bytes[index + position]) { return index }
            }
            index += length
        }
        return nil
    }
}
