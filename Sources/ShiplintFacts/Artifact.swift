/// What kind of container an artifact is, decided from its content.
public enum ArtifactKind: String, Sendable, Codable {
    case zip, wheel, tar, folder, file, image
}

/// One entry of an artifact, as stored: nothing here is normalised or trusted.
public struct ArtifactEntry: Sendable, Equatable {
    public enum EntryType: Sendable, Equatable {
        case file
        case directory
        case symlink(target: String)
        case hardlink(target: String)
        case other
    }

    /// Path inside the artifact, as stored (may hold `..` or start with `/`); nested archives use `outer.whl!inner/path`.
    public let path: String
    public let size: Int64
    /// The Unix mode as stored (type and permission bits), nil where the archive records none.
    public let mode: UInt32?
    public let type: EntryType

    public init(path: String, size: Int64, mode: UInt32?, type: EntryType) {
        self.path = path
        self.size = size
        self.mode = mode
        self.type = type
    }
}

/// A problem reading the artifact itself or one entry of it (over a cap, encrypted, unreadable), as opposed to a
/// problem in a binary's content (that is `Binary.problem`).
public struct ArtifactProblem: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case entryTooLarge = "entry-too-large"
        case artifactTooLarge = "artifact-too-large"
        case tooManyEntries = "too-many-entries"
        case nestingTooDeep = "nesting-too-deep"
        /// A nested archive larger than what nested archives may hold in memory at once (`--max-nested-bytes`).
        case nestedArchiveTooLarge = "nested-archive-too-large"
        case encryptedEntry = "encrypted-entry"
        case unreadableEntry = "unreadable-entry"
        /// Not read to the end because of a limit of shiplint's reader (not of the entry, not a cap the user sets).
        case readerLimit = "reader-limit"
        case unreadableArchive = "unreadable-archive"
        /// A ZIP entry whose local header and central directory give different names.
        case nameMismatch = "name-mismatch"
        /// Several ZIP central-directory records pointing at one local header (tools disagree on what each holds).
        case sharedLocalHeader = "shared-local-header"
        /// A ZIP entry whose data overlaps another entry's local header or data (a zip bomb, or a scanner decoy).
        case overlappingData = "overlapping-data"
        /// A FIFO, socket or device in a folder: never opened, since reading one can block or has side effects.
        case specialFile = "special-file"
        /// A folder nested past the walk's depth limit; what is below it was not read.
        case folderTooDeep = "folder-too-deep"
        /// A folder that could not be listed (permissions, I/O error); what is in it was not read.
        case unreadableFolder = "unreadable-folder"
        /// A ZIP entry whose local header and central directory disagree on how its data is stored (method, CRC-32,
        /// sizes): the extractors fail on it or read other bytes.
        case headerMismatch = "header-mismatch"
        // What an extractor writes differs from what the archive lists (judged by `extraction-mismatch`):
        /// A name with a NUL byte, cut there by unzip and Python's zipfile.
        case nameCutAtNul = "name-cut-at-nul"
        /// An Info-ZIP Unicode Path extra field naming the entry otherwise: unzip writes that name, zipfile the other.
        case unicodePath = "unicode-path"
        /// A name whose bytes the extractors write differently (not UTF-8, or flagged UTF-8 and not).
        case nameEncoding = "name-encoding"
        /// An entry marked as a folder that holds data: the extractors write a file.
        case directoryWithData = "directory-with-data"
        /// Several entries with one name: the extractors write each in turn, the last one stays.
        case duplicateName = "duplicate-name"
        /// A ZIP that Python's zipfile refuses whole (a malformed extra field, an end-record signature in the comment)
        /// while unzip reads it.
        case refusedByZipfile = "refused-by-zipfile"
        /// A tar hard link to a folder, or to a name written with a trailing `/`: GNU tar cannot make it (link(2)
        /// refuses), Python's tarfile copies the target instead.
        case hardLinkNotMade = "hard-link-not-made"
    }

    public let kind: Kind
    /// The entry concerned, or nil for the artifact as a whole.
    public let path: String?
    public let message: String
    /// An ELF file read only partly: what the loader searches with, when that much was read (see `ElfLinks`).
    public let links: ElfLinks?

    public init(kind: Kind, path: String?, message: String, links: ElfLinks? = nil) {
        self.kind = kind
        self.path = path
        self.message = message
        self.links = links
    }
}

extension ArtifactProblem.Kind {
    /// Problems where the archive lists one thing and the extractors write another (`extraction-mismatch`), as
    /// opposed to what shiplint could not read or trust (`unreadable-entry`).
    public var isExtractionMismatch: Bool {
        switch self {
        case .nameCutAtNul, .unicodePath, .nameEncoding, .directoryWithData, .duplicateName, .refusedByZipfile, .hardLinkNotMade: true
        default: false
        }
    }
}

/// Everything read from one artifact: every entry, every native binary (or file named like one), and any problem.
public struct Artifact: Sendable {
    public let path: String
    public let kind: ArtifactKind
    public let entries: [ArtifactEntry]
    public let binaries: [Binary]
    public let problems: [ArtifactProblem]
    /// The size of the artifact file on disk (the ZIP as uploaded); nil for folders.
    public let storedSize: Int64?
    /// The text of small metadata files, keyed by entry path: `*.dist-info/WHEEL`, the root `package.json` and
    /// installed npm packages' `node_modules/**/package.json` (at most 64 KiB each).
    public let metadataFiles: [String: String]
    /// For a container image: its packaging, configuration and whole root file system (`entries` and `binaries` then
    /// hold only the code under the task root and `/opt`, with paths relative to `/`).
    public let image: ContainerImage?
    /// The imports of the Python files a second read looked at: those that could import a native module that fails
    /// (`PythonSources`); empty until then.
    public let pythonSources: PythonSources

    public init(
        path: String, kind: ArtifactKind, entries: [ArtifactEntry], binaries: [Binary], problems: [ArtifactProblem],
        storedSize: Int64? = nil, metadataFiles: [String: String] = [:], image: ContainerImage? = nil, pythonSources: PythonSources = PythonSources()
    ) {
        self.path = path
        self.kind = kind
        self.entries = entries
        self.binaries = binaries
        self.problems = problems
        self.storedSize = storedSize
        self.metadataFiles = metadataFiles
        self.image = image
        self.pythonSources = pythonSources
    }

    /// The same artifact with what a second read of its Python files found added.
    public func adding(_ sources: PythonSources) -> Artifact {
        Artifact(
            path: path, kind: kind, entries: entries, binaries: binaries, problems: problems, storedSize: storedSize,
            metadataFiles: metadataFiles, image: image, pythonSources: pythonSources.merged(with: sources))
    }
}
