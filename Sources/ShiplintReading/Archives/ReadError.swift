/// Why an artifact as a whole could not be read. Problems inside an artifact are `ArtifactProblem`s instead.
public enum ReadError: Error, Equatable, CustomStringConvertible {
    case notFound(path: String)
    case unrecognised(path: String, reason: String)
    case unreadableArtifact(path: String, reason: String)
    /// Not opened at all: a FIFO or device, a symbolic link loop, a folder that cannot be listed, standard input over
    /// the cap.
    case cannotOpen(path: String, reason: String)
    case internalFailure(String)

    public var description: String {
        switch self {
        case .notFound(let path): "\(path): no such file or folder"
        case .unrecognised(let path, let reason): "\(path): not an artifact shiplint can read: \(reason)"
        case .unreadableArtifact(let path, let reason): "\(path): unreadable archive: \(reason)"
        case .cannotOpen(let path, let reason): "\(path): \(reason)"
        case .internalFailure(let reason): "internal error: \(reason)"
        }
    }
}

/// Bounds on what reading one artifact may cost; going over one is a named problem, never an out-of-memory kill.
public struct ReadLimits: Sendable {
    /// Bytes inflated for one entry (a binary or a nested archive).
    public var entryBytes: Int
    /// Bytes inflated for a whole artifact, nested archives included.
    public var artifactBytes: Int
    /// Archives inside archives: 1 opens a wheel inside a layer, but not an archive inside that wheel.
    public var nestingDepth: Int
    /// Entries listed per artifact, nested ones included.
    public var entries: Int
    /// Bytes of nested archives held at once, every level of one nest together: a nested archive is opened from
    /// memory, so this is what it may cost (issue #10: peak memory ≤ 64 MiB with the default caps).
    public var nestedArchiveBytes: Int

    public static let defaultNestedArchiveBytes = 8 << 20
    public static let defaults = ReadLimits(entryBytes: 256 << 20, artifactBytes: 2 << 30, nestingDepth: 3, entries: 200_000)

    public init(entryBytes: Int, artifactBytes: Int, nestingDepth: Int, entries: Int, nestedArchiveBytes: Int = Self.defaultNestedArchiveBytes) {
        self.entryBytes = entryBytes
        self.artifactBytes = artifactBytes
        self.nestingDepth = nestingDepth
        self.entries = entries
        self.nestedArchiveBytes = nestedArchiveBytes
    }
}
