import FoundationEssentials
import Dispatch
import ShiplintFacts
import Synchronization

/// Opens an artifact (ZIP, wheel, tarball, folder or single binary), lists every entry and reads every native binary
/// in it, without extracting anything to disk. Only binaries and nested archives are inflated in full; every other
/// entry is known by its name, size, mode and first bytes.
public struct ArtifactReader: Sendable {
    public let limits: ReadLimits
    /// Entries of one ZIP (by offset, or on as many libarchive handles) and the files of a folder are read on this many
    /// workers at once (`ParallelShare`); the results are joined in central-directory (or name) order, so the artifact
    /// is the same as with one job.
    public let jobs: Int
    /// The files kept as text for the caller (`Artifact.metadataFiles`): the checks and `explain` say which they read
    /// (`MetadataSelection.checks`); none by default.
    public let metadata: MetadataSelection
    /// Set for a second read of Python files only (`pythonSources`).
    let python: PythonFileSelection?

    public init(limits: ReadLimits = .defaults, jobs: Int = 1, metadata: MetadataSelection = .none) {
        self.init(limits: limits, jobs: jobs, metadata: metadata, python: nil)
    }

    private init(limits: ReadLimits, jobs: Int, metadata: MetadataSelection, python: PythonFileSelection?) {
        self.limits = limits
        self.jobs = max(1, jobs)
        self.metadata = metadata
        self.python = python
    }

    /// A second read of an artifact (on one worker): the imports of the selected `.py` files, under the selection's
    /// caps, nothing else judged. A file not read (the artifact gone, a cap) is in `unread` with why, so that no
    /// conclusion is drawn from a part.
    public func pythonSources(path: String, selection: PythonFileSelection) -> PythonSources {
        let reader = ArtifactReader(limits: limits, jobs: 1, metadata: .none, python: selection)
        do throws(ReadError) {
            var sources = try reader.read(path: path).pythonSources
            for file in selection.files where !sources.covers(file) { sources.unread[file] = "not found on the second read" }
            return sources
        } catch {
            let reason = "the artifact could not be read again: \(error.description)"
            return PythonSources(unread: Dictionary(uniqueKeysWithValues: selection.files.map { ($0, reason) }), folders: selection.folders)
        }
    }

    /// Several artifacts at once (each on its own handles), in the order given; a failure is that artifact's.
    public func read(paths: [String]) -> [Result<Artifact, ReadError>] {
        let results = Mutex<[Int: Result<Artifact, ReadError>]>([:])
        let each = ArtifactReader(limits: limits, jobs: max(1, jobs / max(1, min(paths.count, jobs))), metadata: metadata)
        DispatchQueue.concurrentPerform(iterations: paths.count) { index in
            let result: Result<Artifact, ReadError>
            do throws(ReadError) {
                result = .success(try each.read(path: paths[index]))
            } catch {
                result = .failure(error)
            }
            results.withLock { $0[index] = result }
        }
        return results.withLock { all in paths.indices.map { all[$0] ?? .failure(.internalFailure("no result for \(paths[$0])")) } }
    }

    public func read(path: String) throws(ReadError) -> Artifact {
        var walk = Walk(limits: limits, metadata: metadata, python: python)
        let storedSize: Int64
        switch try ArtifactInput.examine(path: path, limit: limits.artifactBytes) {
        case .folder:
            try FolderSource(root: path).walk(into: &walk, jobs: jobs)
            walk.settle(links: .folder(root: path))
            return walk.artifact(path: path, kind: .folder)
        case .stream(let label, let bytes):
            return try read(bytes: bytes, label: label, walk: &walk)
        case .file(let size):
            storedSize = size
        }
        guard let handle = ReadableFile(path: path) else {
            throw .cannotOpen(path: path, reason: "cannot open the file for reading: \(SystemError.current)")
        }
        let prefix = handle.read(upTo: FileSignature.prefixLength) ?? []
        let name = URL(fileURLWithPath: path).lastPathComponent
        var signature = FileSignature(prefix: prefix)
        var prepended: Result<ZipCentralDirectory, ZipCentralDirectory.Damage>?
        if signature != .zip, signature != .tarLike, case .success(let directory) = ZipCentralDirectory.read(path: path),
            !directory.records.isEmpty
        {
            // Data before a ZIP (a self-extractor stub): unzip and Python's zipfile find the central directory from the
            // end and shift every offset, and so does the directory reader; it is a ZIP.
            signature = .zip
            prepended = .success(directory)
        }
        // A file of zeros named like a library is a damaged library, not an empty tar.
        if signature == .unknown, FileSignature.isTarWithoutMagic(prefix),
            !(FileSignature.isZeroBlock(prefix) && NativeName.looksNative(name))
        {
            signature = .tarLike
        }
        switch signature {
        case .zip:
            let index = prepended ?? ZipCentralDirectory.read(path: path)
            let kind: ArtifactKind = name.lowercased().hasSuffix(".whl") ? .wheel : .zip
            var read = try readZip(path: path, index: index)
            read.settle(links: .zip(path: path, directory: try? index.get()))
            if let refused = try? index.get().refusedByZipfile {
                read.addProblem(ArtifactProblem(kind: .refusedByZipfile, path: nil, message: refused))
            }
            return read.artifact(path: path, kind: kind, storedSize: storedSize)
        case .tarLike:
            let archive = try ArchiveHandle(path: path, format: .tar)
            try walk.walkTopLevel(archive, label: path, index: nil)
            walk.settle(links: .tar(path: path))
            return walk.artifact(path: path, kind: .tar, storedSize: storedSize)
        case _ where Self.namedLikeZip(name):
            // unzip and Python's zipfile refuse it ("End-of-central-directory signature not found"): so does shiplint,
            // rather than read a cut ZIP behind a self-extractor stub as the stub.
            throw .unreadableArtifact(path: path, reason: "named like a ZIP, but no ZIP end record was found (truncated, or not a ZIP); unzip and Python's zipfile refuse it too")
        case let signature where signature.isNativeBinary || NativeName.looksNative(name):
            // A single binary, or a file named like one that is not (it is read as one unreadable binary).
            walk.examineFile(
                path: name, size: storedSize, mode: FolderSource.mode(of: path), depth: 0, encrypted: false,
                content: DiskFileContent(path: Array(path.utf8)))
            return walk.artifact(path: path, kind: .file, storedSize: storedSize)
        default:
            throw .unrecognised(path: path, reason: prefix.isEmpty
                ? "the file is empty"
                : "neither a ZIP, wheel or tar archive, nor an ELF, PE or Mach-O binary")
        }
    }

    /// Named `.zip`, `.whl` or `.jar` but with no ZIP central directory the extractors could find.
    private static func namedLikeZip(_ name: String) -> Bool {
        let lower = name.lowercased()
        return lower.hasSuffix(".zip") || lower.hasSuffix(".whl") || lower.hasSuffix(".jar")
    }

    /// A ZIP on disk: with a plain central directory, listed from it and its STORED and DEFLATE data read by offset
    /// (on `jobs` workers when there are several), libarchive opened only for the entries that need it; otherwise every
    /// entry through libarchive, which says what is wrong with the archive.
    private func readZip(path: String, index: Result<ZipCentralDirectory, ZipCentralDirectory.Damage>) throws(ReadError) -> Walk {
        var walk = Walk(limits: limits, metadata: metadata, python: python)
        if ZipDirect.enabled, case .success(let directory) = index, directory.isPlain, let file = ZipFile(path: path) {
            if jobs > 1, let parallel = readDirectInParallel(path: path, index: directory) { return parallel }
            if let failure = walk.walkDirect(file: file, directory: directory, archive: LazyArchive(path: path)), walk.entries.isEmpty {
                throw .unreadableArtifact(path: path, reason: failure)
            }
            return walk
        }
        let archive: ArchiveHandle
        do {
            archive = try ArchiveHandle(path: path, format: .zip)
        } catch .unreadableArtifact(_, let reason) {
            throw .unreadableArtifact(path: path, reason: "no readable ZIP central directory (truncated or damaged?): \(index.failureReason ?? reason)")
        }
        if jobs > 1, case .success(let directory) = index, directory.isPlain, directory.groups.count > 1,
            let parallel = readInParallel(path: path, index: directory)
        {
            return parallel
        }
        try walk.walkTopLevel(archive, label: path, index: index)
        return walk
    }

    /// An artifact read from standard input or a pipe: the same readers, on bytes held in memory.
    private func read(bytes: [UInt8], label: String, walk: inout Walk) throws(ReadError) -> Artifact {
        let prefix = Array(bytes.prefix(FileSignature.prefixLength))
        var signature = FileSignature(prefix: prefix)
        if signature == .unknown, FileSignature.isTarWithoutMagic(prefix) { signature = .tarLike }
        switch signature {
        case .zip, .tarLike:
            let index = signature == .zip ? ZipCentralDirectory.read(bytes: bytes) : nil
            let archive: ArchiveHandle
            do {
                archive = try ArchiveHandle(bytes: bytes, format: signature == .zip ? .zip : .tar, label: label)
            } catch .unreadableArtifact(_, let reason) {
                throw .unreadableArtifact(path: label, reason: index?.failureReason ?? reason)
            }
            try walk.walkTopLevel(archive, label: label, index: index)
            return walk.artifact(path: label, kind: signature == .zip ? .zip : .tar, storedSize: Int64(bytes.count))
        case let signature where signature.isNativeBinary:
            walk.examineFile(
                path: label, size: Int64(bytes.count), mode: nil, depth: 0, encrypted: false, content: MemoryContent(bytes: bytes))
            return walk.artifact(path: label, kind: .file, storedSize: Int64(bytes.count))
        default:
            throw .unrecognised(path: label, reason: bytes.isEmpty
                ? "nothing arrived (it is empty)"
                : "neither a ZIP, wheel or tar archive, nor an ELF, PE or Mach-O binary")
        }
    }
}
