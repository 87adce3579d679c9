import Foundation
import ShiplintFacts
import Synchronization

/// Opens an artifact (ZIP, wheel, tarball, folder or single binary), lists every entry and reads every native binary
/// in it, without extracting anything to disk. Only binaries and nested archives are inflated in full; every other
/// entry is known by its name, size, mode and first bytes.
public struct ArtifactReader: Sendable {
    public let limits: ReadLimits
    /// Entries of one ZIP (by offset on one file descriptor, or on as many libarchive handles) and the files of a
    /// folder are read on this many workers at once; the results are joined in central-directory (or name) order, so
    /// the artifact is the same as with one job.
    public let jobs: Int

    public init(limits: ReadLimits = .defaults, jobs: Int = 1) {
        self.limits = limits
        self.jobs = max(1, jobs)
    }

    /// Several artifacts at once (each on its own handles), in the order given; a failure is that artifact's.
    public func read(paths: [String]) -> [Result<Artifact, ReadError>] {
        let results = Mutex<[Int: Result<Artifact, ReadError>]>([:])
        let each = ArtifactReader(limits: limits, jobs: max(1, jobs / max(1, min(paths.count, jobs))))
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
        var walk = Walk(limits: limits)
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
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .cannotOpen(path: path, reason: "cannot open the file for reading: \(SystemError.current)")
        }
        let prefix = [UInt8]((try? handle.read(upToCount: FileSignature.prefixLength)) ?? nil ?? Data())
        try? handle.close()
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
        var walk = Walk(limits: limits)
        if ZipDirect.enabled, case .success(let directory) = index, directory.isPlain, let file = ZipFile(path: path) {
            if jobs > 1, let parallel = readDirectInParallel(file: file, index: directory) { return parallel }
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
        let signature = FileSignature(prefix: Array(bytes.prefix(FileSignature.prefixLength)))
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

extension ArtifactReader {
    /// The entries of a ZIP read by offset whose data is looked into (binaries, archives, metadata) shared among
    /// `jobs` workers, the largest first to the least loaded, all on one file descriptor; the other entries are listed
    /// while the results are joined in central-directory order. Nil when a worker met a cap or damage: caps count over
    /// the whole artifact in entry order, so such an archive is read again on one core, and the result is always that
    /// of one job.
    func readDirectInParallel(file: ZipFile, index: ZipCentralDirectory) -> Walk? {
        var work: [(group: Int, weight: Int)] = []
        for group in index.groups.indices {
            let record = index.records[index.groups[group].lowerBound]
            guard record.dataOffset != nil, !record.name.utf8.contains(UInt8(ascii: "\\")) else { continue }
            guard ZipDirect.extractorType(record) == .file else { continue }
            let mode = ZipDirect.mode(record)
            guard Walk.isMetadataFile(record.name) || NativeName.worthSniffing(path: record.name, mode: mode) else { continue }
            work.append((group, Int(min(record.uncompressedSize, 1 << 40)) / 1024 + 1))
        }
        // SHIPLINT_JOBS_EVERY_ZIP=1 shares every ZIP's entries, so the tests prove the join on small fixtures too.
        let everyZip = ProcessInfo.processInfo.environment["SHIPLINT_JOBS_EVERY_ZIP"] == "1"
        guard work.count > 1 || (everyZip && !work.isEmpty) else { return nil }
        // Largest first, each worker taking the next entry when it is free: entries inflated whole by libdeflate cost
        // half as much per byte as those zlib streams, so a share fixed by size in advance would leave a core idle.
        let queue = work.sorted(by: { ($0.weight, $1.group) > ($1.weight, $0.group) }).map(\.group)
        let next = Mutex(0)
        let workers = min(jobs, queue.count)
        let results = Mutex<[Int: Walk]>([:])
        let limits = self.limits
        DispatchQueue.concurrentPerform(iterations: workers) { job in
            var walk = Walk(limits: limits)
            let archive = LazyArchive(path: file.path)
            while !walk.metACap {
                let position = next.withLock { position in
                    defer { position += 1 }
                    return position
                }
                guard position < queue.count else { break }
                walk.walkDirect(file: file, directory: index, archive: archive, groups: [queue[position]])
            }
            results.withLock { $0[job] = walk }
        }
        var walks: [Walk] = []
        for job in 0..<workers {
            guard let walk = results.withLock({ $0[job] }), !walk.metACap else { return nil }
            walks.append(walk)
        }
        var jobOf: [Int: Int] = [:]
        for (job, walk) in walks.enumerated() { for group in walk.marks.keys { jobOf[group] = job } }
        var joined = Walk(limits: limits)
        let archive = LazyArchive(path: file.path)
        for group in index.groups.indices {
            if let job = jobOf[group] {
                guard let mark = walks[job].marks[group] else { return nil }
                joined.append(walks[job], mark)
            } else if joined.visitDirect(group: group, file: file, directory: index, archive: archive) != nil {
                return nil
            }
            if joined.stopped { return nil }
        }
        guard !joined.metACap, joined.entries.count <= limits.entries, joined.inflated <= limits.artifactBytes else { return nil }
        return joined
    }

    /// The ZIP's entries shared among `jobs` handles, the largest first to the least loaded (a seekable ZIP handle
    /// skips the others without inflating them), each handle visiting its entries in order. Nil when a handle met a
    /// cap or damage: caps count over the whole artifact in entry order, so such an archive is read again on one
    /// handle, and the result is always that of one job.
    func readInParallel(path: String, index: ZipCentralDirectory) -> Walk? {
        // libarchive's n-th entry is the n-th group of records sharing one local header; the group's first names it.
        let weights = index.groups.map { group in
            let entry = index.records[group.lowerBound]
            return NativeName.worthSniffing(path: entry.name, mode: entry.unixMode) ? Int(min(entry.uncompressedSize, 1 << 40)) / 1024 + 1 : 1
        }
        // Every handle still steps over every entry before its last one (libarchive reads each local header): worth it
        // only when there is inflating to share, not for a ZIP of many small files.
        let heavy = weights.filter { $0 > 1 }
        // A directory that disagrees with its end record is said once, as a problem of the whole archive: one handle.
        guard index.claimedCount == nil else { return nil }
        // SHIPLINT_JOBS_EVERY_ZIP=1 shares every ZIP's entries, so the tests prove the join on small fixtures too.
        let everyZip = ProcessInfo.processInfo.environment["SHIPLINT_JOBS_EVERY_ZIP"] == "1"
        guard everyZip || (heavy.count > 1 && heavy.reduce(0, +) > weights.count * 16) else { return nil }
        var loads = [Int](repeating: 0, count: jobs)
        var owner = [Int](repeating: 0, count: weights.count)
        for position in weights.indices.sorted(by: { (weights[$0], $1) > (weights[$1], $0) }) {
            let least = loads.indices.min { (loads[$0], $0) < (loads[$1], $1) }!
            owner[position] = least
            loads[least] += weights[position]
        }
        let shares = (0..<jobs).map { job in Set(owner.indices.filter { owner[$0] == job }) }.filter { !$0.isEmpty }
        guard shares.count > 1 else { return nil }
        let results = Mutex<[Int: Walk]>([:])
        let limits = self.limits
        DispatchQueue.concurrentPerform(iterations: shares.count) { job in
            guard let archive = try? ArchiveHandle(path: path, format: .zip) else { return }
            var walk = Walk(limits: limits)
            walk.walk(archive, prefix: "", depth: 0, index: .success(index), selected: shares[job])
            results.withLock { $0[job] = walk }
        }
        var walks: [Walk] = []
        for job in shares.indices {
            guard let walk = results.withLock({ $0[job] }), !walk.metACap else { return nil }
            walks.append(walk)
        }
        let jobOf = Dictionary(uniqueKeysWithValues: shares.enumerated().flatMap { job, share in share.map { ($0, job) } })
        var joined = Walk(limits: limits)
        for position in weights.indices {
            guard let job = jobOf[position], let mark = walks[job].marks[position] else { return nil }
            joined.append(walks[job], mark)
        }
        guard joined.entries.count <= limits.entries, joined.inflated <= limits.artifactBytes else { return nil }
        return joined
    }
}

/// Where the bytes of one file come from: an archive handle positioned on its entry, a ZIP entry read by offset
/// (`ZipDirectContent`), or a file on disk.
protocol EntryContent {
    mutating func prefix(_ count: Int) -> ArchiveHandle.DataResult
    /// The rest after `prefix`, at most `limit` bytes (one more signals "over").
    mutating func rest(limit: Int) -> ArchiveHandle.DataResult
    /// Streams what follows `prefix` until the end or until `consume` returns false.
    mutating func stream(_ consume: (UnsafeRawBufferPointer) -> Bool) -> ArchiveHandle.StreamEnd
    /// `count` bytes at `offset`, when the content can be read at any offset (a file on disk); nil otherwise.
    func read(offset: Int, count: Int) -> [UInt8]?
    /// The same content from its first byte again, for a second pass; nil when it cannot be read again.
    func restarted() -> Self?
    /// Copies the bytes that follow what was read so far into `buffer`: how many (0 at the end), or why it failed.
    mutating func readNext(into buffer: UnsafeMutableRawBufferPointer) -> (count: Int, failure: String?)
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

struct ArchiveEntryContent: EntryContent {
    let handle: ArchiveHandle
    /// The entry's position in the handle's order, to open it again.
    let index: Int
    func prefix(_ count: Int) -> ArchiveHandle.DataResult { handle.readPrefix(count) }
    func rest(limit: Int) -> ArchiveHandle.DataResult { handle.readData(limit: limit) }
    func stream(_ consume: (UnsafeRawBufferPointer) -> Bool) -> ArchiveHandle.StreamEnd { handle.stream(consume) }
    func read(offset: Int, count: Int) -> [UInt8]? { nil }
    func restarted() -> ArchiveEntryContent? {
        handle.reopened(atEntry: index).map { ArchiveEntryContent(handle: $0, index: index) }
    }
    func readNext(into buffer: UnsafeMutableRawBufferPointer) -> (count: Int, failure: String?) { handle.readData(into: buffer) }
}

/// The state of reading one artifact: what was found so far and how much of each budget is spent.
struct Walk: Sendable {
    let limits: ReadLimits
    private(set) var entries: [ArtifactEntry] = []
    private(set) var binaries: [Binary] = []
    private(set) var problems: [ArtifactProblem] = []
    private(set) var metadataFiles: [String: String] = [:]
    private var inflatedBytes = 0
    private var budgetExhausted = false
    /// Bytes of the nested archives open now (the chain from the artifact down to the entry being read).
    private var nestedHeld = 0
    private(set) var stopped = false

    init(limits: ReadLimits) {
        self.limits = limits
    }

    var inflated: Int { inflatedBytes }

    /// A cap was met, or the archive was damaged: what follows depends on everything read before. Problems whose
    /// naming is capped per kind count too, since the cap counts over the whole artifact in entry order.
    var metACap: Bool {
        stopped || budgetExhausted || !namedProblems.isEmpty
            || problems.contains { [.artifactTooLarge, .tooManyEntries, .unreadableArchive].contains($0.kind) }
    }

    /// What visiting one entry added, by position, when only selected entries are visited.
    struct Mark: Sendable {
        var entries: Range<Int>
        var binaries: Range<Int>
        var problems: Range<Int>
        var inflated: Int
    }
    var marks: [Int: Mark] = [:]

    /// Joins what another walk found for one entry.
    mutating func append(_ other: Walk, _ mark: Mark) {
        entries += other.entries[mark.entries]
        binaries += other.binaries[mark.binaries]
        problems += other.problems[mark.problems]
        for binary in other.binaries[mark.binaries] where other.metadataFiles[binary.path] != nil {
            metadataFiles[binary.path] = other.metadataFiles[binary.path]
        }
        for entry in other.entries[mark.entries] where other.metadataFiles[entry.path] != nil {
            metadataFiles[entry.path] = other.metadataFiles[entry.path]
        }
        inflatedBytes += mark.inflated
    }

    func artifact(path: String, kind: ArtifactKind, storedSize: Int64? = nil) -> Artifact {
        let counted = unnamedProblems.sorted { $0.key.rawValue < $1.key.rawValue }.map { kind, count in
            ArtifactProblem(
                kind: kind, path: nil,
                message: "\(count) more \(count == 1 ? "entry" : "entries") with the same problem (\(kind.rawValue)); the first \(Self.namedProblemsPerKind) are named")
        }
        return Artifact(
            path: path, kind: kind, entries: entries, binaries: binaries, problems: problems + counted, storedSize: storedSize,
            metadataFiles: metadataFiles)
    }

    /// The most bytes of one metadata file kept as text; a `WHEEL` file is a few lines.
    static let metadataFileBytes = 64 * 1024

    /// Metadata files the checks read as text (`pkg-1.0.dist-info/WHEEL`, `node_modules/pkg/package.json`); nothing
    /// else is inflated unless native.
    /// The last non-empty `/`-separated component (`a/b/` → `b`), or the path itself when it has none.
    static func lastComponent(_ path: String) -> String {
        let bytes = path.utf8
        let slash = UInt8(ascii: "/")
        var end = bytes.endIndex
        while end > bytes.startIndex, bytes[bytes.index(before: end)] == slash { end = bytes.index(before: end) }
        guard end > bytes.startIndex else { return path }
        let start = bytes[..<end].lastIndex(of: slash).map { bytes.index(after: $0) } ?? bytes.startIndex
        return String(Substring(bytes[start..<end]))
    }

    static func isMetadataFile(_ path: String) -> Bool {
        // The function's own package.json ("type": "module") and installed npm packages' manifests:
        // node_modules/<name>/package.json or node_modules/@scope/<name>/package.json.
        // Asked of every entry: compared byte by byte.
        let bytes = path.utf8
        func endsWith(_ suffix: String) -> Bool {
            bytes.count >= suffix.utf8.count && bytes.suffix(suffix.utf8.count).elementsEqual(suffix.utf8)
        }
        if endsWith(".dist-info/WHEEL") || path == "package.json" { return true }
        // Installed distributions' names and files (the fix names what is installed), and a script bootstrap's #! line.
        if endsWith(".dist-info/METADATA") || endsWith(".dist-info/RECORD") || path == "bootstrap" { return true }
        // Node.js's version header beside its binary (`/var/lang/include/node/node_version.h`): an image's Node.js.
        if endsWith("include/node/node_version.h") { return true }
        guard endsWith("package.json") || endsWith("/") else { return false }
        let parts = bytes.split(separator: UInt8(ascii: "/"))
        guard parts.count >= 3, parts.last!.elementsEqual("package.json".utf8) else { return false }
        return parts[parts.count - 3].elementsEqual("node_modules".utf8)
            || (parts.count >= 4 && parts[parts.count - 4].elementsEqual("node_modules".utf8)
                && parts[parts.count - 3].first == UInt8(ascii: "@"))
    }

    /// METADATA and RECORD are read up to the cap: their head (the name, the first files) is what is used, and a
    /// long description must not hide it.
    static func isTruncatableMetadata(_ path: String) -> Bool {
        path.hasSuffix(".dist-info/METADATA") || path.hasSuffix(".dist-info/RECORD")
    }

    /// The top-level archive: failing before the first entry means the input is unreadable (exit status 2).
    mutating func walkTopLevel(
        _ archive: ArchiveHandle, label: String, index: Result<ZipCentralDirectory, ZipCentralDirectory.Damage>?
    ) throws(ReadError) {
        if let failure = walk(archive, prefix: "", depth: 0, index: index), entries.isEmpty {
            throw .unreadableArtifact(path: label, reason: index?.failureReason ?? failure)
        }
    }

    /// Returns the libarchive error that ended the walk early, if any (also recorded as a problem).
    /// `index` is the ZIP's own central directory (or why it could not be read): it names the entries and gives their
    /// modes. libarchive's n-th entry is the n-th distinct local header, so it is paired with the n-th group of records.
    @discardableResult
    mutating func walk(
        _ archive: ArchiveHandle, prefix: String, depth: Int, index: Result<ZipCentralDirectory, ZipCentralDirectory.Damage>?,
        selected: Set<Int>? = nil
    ) -> String? {
        let label = prefix.isEmpty ? nil : String(prefix.dropLast())
        // Problems of the archive as a whole are said once: by the handle that reads the first entry.
        let firstRun = selected?.contains(0) ?? true
        let directory: ZipCentralDirectory?
        switch index {
        case .success(let read):
            directory = read
            if firstRun, let claimed = read.claimedCount {
                problems.append(ArtifactProblem(
                    kind: .unreadableArchive, path: label,
                    message: "the ZIP's end record claims \(claimed) entries but its central directory holds \(read.records.count); tools that trust the count disagree on what the archive holds"))
            }
            for (kind, count) in read.unnamedProblems.sorted(by: { $0.key.rawValue < $1.key.rawValue }) where firstRun {
                let what = kind == .sharedLocalHeader ? "share a local header with another record" : "overlap another entry's data"
                problems.append(ArtifactProblem(
                    kind: kind, path: label,
                    message: "\(count) more central-directory records \(what) (the first \(ZipCentralDirectory.namedProblems) are named)"))
            }
        case .failure(let damage):
            directory = nil
            if firstRun { problems.append(ArtifactProblem(
                kind: .unreadableArchive, path: label,
                message: "the ZIP's central directory could not be indexed (\(damage.reason)); entries are named by their local headers, which Lambda's unzip does not go by")) }
        case nil:
            directory = nil
        }
        // libarchive's entry ordinal; with a central directory it is also the index of the group of records it reads.
        var position = 0
        let last = selected?.max() ?? Int.max
        while !stopped {
            if position > last { return nil }
            let next = archive.next()
            if let selected, !selected.contains(position), case .entry = next {
                position += 1
                continue
            }
            let before = Mark(entries: entries.count..<entries.count, binaries: binaries.count..<binaries.count,
                              problems: problems.count..<problems.count, inflated: inflatedBytes)
            defer {
                if selected != nil, case .entry = next {
                    marks[position - 1] = Mark(
                        entries: before.entries.lowerBound..<entries.count, binaries: before.binaries.lowerBound..<binaries.count,
                        problems: before.problems.lowerBound..<problems.count, inflated: inflatedBytes - before.inflated)
                }
            }
            switch next {
            case .end:
                if let directory { listUnvisited(directory, from: position, prefix: prefix) }
                return nil
            case .failed(let reason):
                problems.append(ArtifactProblem(
                    kind: .unreadableArchive, path: label,
                    message: "archive is damaged after \(entries.count) entries: \(reason); the rest was not read"))
                return reason
            case .entry(let header):
                let group = position
                position += 1
                guard let directory, group < directory.groups.count else {
                    visit(header, path: prefix + header.path, mode: header.mode, depth: depth, archive: archive, position: group)
                    continue
                }
                let records = directory.groups[group]
                let first = directory.records[records.lowerBound]
                if let localName = first.localName {
                    recordProblem(ArtifactProblem(
                        kind: .nameMismatch, path: prefix + first.name,
                        message: "the ZIP's central directory names this entry '\(first.name)' but its local header says '\(localName)'; Lambda and pip go by the central directory, other tools by the local header"))
                }
                for central in directory.records[records] {
                    for (kind, message) in central.problems {
                        recordProblem(ArtifactProblem(kind: kind, path: prefix + central.name, message: message))
                    }
                }
                visitAsExtracted(header, record: first, prefix: prefix, depth: depth, archive: archive, position: group)
                // The other records on the same local header: listed under their own names, their data not read again.
                for sharer in directory.records[records].dropFirst() {
                    record(Self.entry(for: sharer, prefix: prefix))
                }
            }
        }
        return nil
    }

    /// `position` is the entry's ordinal in the handle's order, so its content can be opened again.
    mutating func visit(_ header: ArchiveHandle.Header, path: String, mode: UInt32?, depth: Int, archive: ArchiveHandle, position: Int) {
        switch header.type {
        case .file:
            examineFile(
                path: path, size: header.size ?? -1, mode: mode, depth: depth, encrypted: header.encrypted,
                content: ArchiveEntryContent(handle: archive, index: position))
        default:
            record(ArtifactEntry(path: path, size: header.size ?? 0, mode: mode, type: header.type))
            if header.type == .other, NativeName.looksNative(Self.lastComponent(path)) {
                recordProblem(ArtifactProblem(
                    kind: .specialFile, path: path,
                    message: "\(FolderSource.kindName(header.mode)) named like a binary: extractors make a device node or pipe here, not a file, so whatever loads it finds no code"))
            }
        }
    }

    /// An entry libarchive read, listed and judged as the extractors write it (`ZipExtraction`): its type from its
    /// name and mode, not from libarchive's reading of the attributes; under its Unicode Path name too; with what the
    /// extractors write differently said on it. Permission bits only when the ZIP stores them.
    mutating func visitAsExtracted(
        _ header: ArchiveHandle.Header, record: ZipCentralDirectory.Record, prefix: String, depth: Int, archive: ArchiveHandle, position: Int
    ) {
        let type: ArtifactEntry.EntryType
        switch (ZipDirect.extractorType(record), header.type) {
        case (.directory, _): type = .directory
        case (.symlink, .symlink): type = header.type
        case (.symlink, _), (.file, .hardlink): type = header.type
        case (.file, _): type = .file
        }
        let typed = ArchiveHandle.Header(path: header.path, size: header.size, mode: header.mode, type: type, encrypted: header.encrypted)
        let mode = record.unixMode.map { ZipExtraction.typeBits(ZipDirect.extractorType(record)) | $0 & 0o7777 }
        visit(typed, path: prefix + record.name, mode: mode, depth: depth, archive: archive, position: position)
        if let other = record.unicodePath {
            if type == .file, let again = archive.reopened(atEntry: position) {
                examineFile(
                    path: prefix + other, size: header.size ?? -1, mode: mode, depth: depth, encrypted: header.encrypted,
                    content: ArchiveEntryContent(handle: again, index: position))
            } else {
                self.record(ArtifactEntry(path: prefix + other, size: header.size ?? 0, mode: mode, type: type))
            }
        }
        for (kind, message) in record.extraction {
            recordProblem(ArtifactProblem(kind: kind, path: prefix + record.name, message: message))
        }
    }

    /// Records libarchive never returned (it ended early): every central-directory record is listed, and said unread.
    mutating func listUnvisited(_ directory: ZipCentralDirectory, from group: Int, prefix: String) {
        for records in directory.groups.dropFirst(group) {
            for central in directory.records[records] where !stopped {
                record(Self.entry(for: central, prefix: prefix))
                recordProblem(ArtifactProblem(
                    kind: .unreadableEntry, path: prefix + central.name,
                    message: "listed in the ZIP's central directory, but no entry was found at its local header (offset \(central.localHeaderOffset)); not read"))
            }
        }
    }

    private static func entry(for record: ZipCentralDirectory.Record, prefix: String) -> ArtifactEntry {
        let isDirectory = record.name.hasSuffix("/") || record.unixMode.map { $0 & 0o170000 == 0o040000 } == true
        return ArtifactEntry(
            path: prefix + record.name, size: Int64(clamping: record.uncompressedSize), mode: record.unixMode,
            type: isDirectory ? .directory : .file)
    }

    mutating func addProblem(_ problem: ArtifactProblem) {
        problems.append(problem)
    }

    mutating func recordFolderEntry(_ entry: ArtifactEntry) {
        record(entry)
    }

    /// Problems of one kind named one by one from listing (a hostile folder can hold 200,000 FIFOs); the rest are counted.
    static let namedProblemsPerKind = 100
    private var namedProblems: [ArtifactProblem.Kind: Int] = [:]
    private var unnamedProblems: [ArtifactProblem.Kind: Int] = [:]

    /// A problem found while listing (a special file, a folder not listed, a ZIP record), unless the entry cap already
    /// stopped the walk; past the first hundred of its kind it is counted, and the count is a problem on the artifact.
    mutating func recordProblem(_ problem: ArtifactProblem) {
        guard !stopped else { return }
        if namedProblems[problem.kind, default: 0] < Self.namedProblemsPerKind {
            namedProblems[problem.kind, default: 0] += 1
            problems.append(problem)
        } else {
            unnamedProblems[problem.kind, default: 0] += 1
        }
    }

    mutating func record(_ entry: ArtifactEntry) {
        guard !stopped else { return }
        guard entries.count < limits.entries else {
            stopped = true
            problems.append(ArtifactProblem(
                kind: .tooManyEntries, path: nil,
                message: "more than \(limits.entries) entries; the rest was not read (raise --max-entries to read them)"))
            return
        }
        entries.append(entry)
    }

    mutating func examineFile(
        path: String, size: Int64, mode: UInt32?, depth: Int, encrypted: Bool, content: some EntryContent
    ) {
        record(ArtifactEntry(path: path, size: max(size, 0), mode: mode, type: .file))
        guard !stopped else { return }
        judgeContent(path: path, size: size, mode: mode, depth: depth, encrypted: encrypted, content: content)
    }

    var budgetIsSpent: Bool { budgetExhausted || stopped }

    /// Removes the binaries at the given indices (judged for entries a later one replaced).
    mutating func dropBinaries(where drop: (Int) -> Bool) {
        binaries = binaries.indices.filter { !drop($0) }.map { binaries[$0] }
    }

    /// Names the target of the link a binary was judged for (`LinkedEntries`).
    mutating func nameLinkTarget(at index: Int, _ target: String) {
        binaries[index].linkTarget = target
    }

    /// What is done with a file's content: known by its name, read as metadata, a binary or a nested archive.
    mutating func judgeContent(
        path: String, size: Int64, mode: UInt32?, depth: Int = 0, encrypted: Bool = false, content: some EntryContent
    ) {
        var content = content
        let name = Self.lastComponent(path)
        if encrypted {
            if NativeName.looksNative(name) || NativeName.looksLikeArchive(name) {
                problems.append(ArtifactProblem(
                    kind: .encryptedEntry, path: path,
                    message: "entry is encrypted, so it was not read (Lambda cannot read it either)"))
            }
            return
        }
        guard !budgetExhausted else { return }
        // Only what could be native code or an archive is looked into; the rest is known by its name, size and mode.
        guard Self.isMetadataFile(path) || NativeName.worthSniffing(path: path, mode: mode) else { return }
        let head: [UInt8]
        switch content.prefix(FileSignature.prefixLength) {
        case .complete(let bytes), .overLimit(let bytes): head = bytes
        case .failed(let reason):
            problems.append(ArtifactProblem(kind: .unreadableEntry, path: path, message: "entry could not be read: \(reason)"))
            return
        }
        let signature = FileSignature(prefix: head)
        if Self.isMetadataFile(path) && !signature.isNativeBinary {
            let truncatable = Self.isTruncatableMetadata(path)
            guard size <= Int64(Self.metadataFileBytes) || truncatable else { return }
            var text = head
            if head.count == FileSignature.prefixLength {
                switch content.rest(limit: Self.metadataFileBytes - head.count) {
                case .complete(let tail): text += tail
                case .overLimit(let tail) where truncatable: text += tail.prefix(Self.metadataFileBytes - head.count)
                default: return
                }
            }
            metadataFiles[path] = String(decoding: text, as: UTF8.self)
            return
        }
        let isNestedArchive = (signature == .zip || signature == .tarLike) && NativeName.looksLikeArchive(name)
            && !name.lowercased().hasSuffix(".jar")  // JARs carry natives for every OS by design; the JVM picks one.
        guard signature.isNativeBinary || isNestedArchive || NativeName.looksNative(name) else { return }
        if !signature.isNativeBinary && !isNestedArchive {
            // Named like a library but not one: the first bytes say enough to tell the user what it is.
            if let binary = BinaryReader.read(path: path, size: size, mode: mode, bytes: head) { binaries.append(binary) }
            return
        }
        if signature == .elf {
            readElf(path: path, size: size, mode: mode, head: head, content: &content)
            return
        }
        if size > Int64(limits.entryBytes) {
            problems.append(ArtifactProblem(
                kind: .entryTooLarge, path: path,
                message: "entry declares \(size) bytes, over the per-entry cap of \(limits.entryBytes) bytes; not read (raise --max-entry-bytes)"))
            return
        }
        // A nested archive is opened from memory: what it may hold is what is left of the nested cap.
        let nestedRoom = isNestedArchive ? limits.nestedArchiveBytes - nestedHeld : Int.max
        func nestedTooLarge(_ what: String) {
            problems.append(ArtifactProblem(
                kind: .nestedArchiveTooLarge, path: path,
                message: "nested archive \(what)\(nestedHeld > 0 ? "; with the \(nestedHeld) bytes of the archives it is inside, that passes" : ", over") the cap of \(limits.nestedArchiveBytes) bytes held for nested archives at once (each is opened in memory); not opened (raise --max-nested-bytes, or unpack it when building the package)"))
        }
        if size > Int64(nestedRoom) {
            // Too large to hold: read it straight out of the entry instead, holding nothing but a block.
            openStreamed(path: path, signature: signature, head: head, content: content, depth: depth)
            return
        }
        let budget = limits.artifactBytes - inflatedBytes
        let limit = min(limits.entryBytes, budget, nestedRoom) - head.count
        var bytes = head
        if head.count == FileSignature.prefixLength {
            switch content.rest(limit: max(limit, 0)) {
            case .complete(var tail):
                // The head goes in front of the tail, in the room its growth left: no second copy of a large entry.
                tail.insert(contentsOf: head, at: 0)
                bytes = tail
            case .overLimit where nestedRoom < min(limits.entryBytes, budget):
                nestedTooLarge("inflates to more than \(nestedRoom) bytes (its header said \(size))")
                return
            case .overLimit:
                if limits.entryBytes <= budget {
                    problems.append(ArtifactProblem(
                        kind: .entryTooLarge, path: path,
                        message: "entry inflates to more than the per-entry cap of \(limits.entryBytes) bytes (its header said \(size)); not read"))
                } else {
                    budgetExhausted = true
                    problems.append(ArtifactProblem(
                        kind: .artifactTooLarge, path: path,
                        message: "inflating this entry would pass the cap of \(limits.artifactBytes) bytes for the whole artifact; it and the rest were not read (raise --max-artifact-bytes)"))
                }
                return
            case .failed(let reason):
                problems.append(ArtifactProblem(kind: .unreadableEntry, path: path, message: "entry could not be read: \(reason)"))
                return
            }
        }
        inflatedBytes += bytes.count
        if isNestedArchive {
            openNested(bytes, path: path, signature: signature, depth: depth)
        } else if let binary = BinaryReader.read(path: path, size: Int64(bytes.count), mode: mode, bytes: bytes) {
            binaries.append(binary)
        }
    }

    /// An ELF file: only the ranges its facts need are held (`ElfRanges`), whatever its size; the per-entry cap
    /// bounds what is held, not the file.
    private mutating func readElf(path: String, size: Int64, mode: UInt32?, head: [UInt8], content: inout some EntryContent) {
        let cap = limits.entryBytes
        let result: ElfRanges.Result
        let declared = size >= 0 ? Int(size) : Int.max
        if size >= 0, content.read(offset: 0, count: 0) != nil {
            let source = content
            result = ElfRanges.read(size: declared, cap: cap) { offset, count in source.read(offset: offset, count: count) }
        } else {
            var inflated = 0
            var current = content
            result = ElfRanges.read(
                declaredSize: declared, cap: cap, head: head, inflated: &inflated, budget: limits.artifactBytes - inflatedBytes,
                stream: { consume in current.stream(consume) },
                restart: {
                    guard let again = current.restarted() else { return nil }
                    var fresh = again
                    return { consume in fresh.stream(consume) }
                })
            inflatedBytes += inflated
        }
        switch result {
        case .outcome(.facts(let facts)):
            binaries.append(Binary(path: path, size: size, mode: mode, facts: .elf(facts), problem: nil))
        case .outcome(.corrupt(let reason)):
            binaries.append(Binary(path: path, size: size, mode: mode, facts: nil, problem: reason))
        case .outcome(.notHeld(let reason, _, _)), .gaveUp(let reason):
            problems.append(ArtifactProblem(
                kind: .readerLimit, path: path,
                message: "ELF file not fully read: \(reason); a limit of shiplint's reader, not damage in the archive"))
        case .overCap(let needed):
            problems.append(ArtifactProblem(
                kind: .entryTooLarge, path: path,
                message: "the tables its facts need take more than the per-entry cap of \(cap) bytes held (at least \(needed)); not read (raise --max-entry-bytes)"))
        case .overBudget:
            budgetExhausted = true
            problems.append(ArtifactProblem(
                kind: .artifactTooLarge, path: path,
                message: "reading this entry would pass the cap of \(limits.artifactBytes) bytes inflated for the whole artifact; it and the rest were not read (raise --max-artifact-bytes)"))
        case .failed(let reason):
            problems.append(ArtifactProblem(kind: .unreadableEntry, path: path, message: "entry could not be read: \(reason)"))
        }
    }

    /// A nested archive read front to back out of its entry (tar as it is; ZIP by its local headers, since the
    /// central directory at its end cannot be reached without holding it): nothing of it is held but one block.
    private mutating func openStreamed(path: String, signature: FileSignature, head: [UInt8], content: some EntryContent, depth: Int) {
        guard depth < limits.nestingDepth else {
            problems.append(ArtifactProblem(
                kind: .nestingTooDeep, path: path,
                message: "archive nested \(depth + 1) levels deep, past the cap of \(limits.nestingDepth); not opened"))
            return
        }
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
            problems.append(ArtifactProblem(kind: .unreadableArchive, path: path, message: "nested archive could not be opened: \(error)"))
        }
    }

    private mutating func openNested(_ bytes: [UInt8], path: String, signature: FileSignature, depth: Int) {
        guard depth < limits.nestingDepth else {
            problems.append(ArtifactProblem(
                kind: .nestingTooDeep, path: path,
                message: "archive nested \(depth + 1) levels deep, past the cap of \(limits.nestingDepth); not opened"))
            return
        }
        nestedHeld += bytes.count
        defer { nestedHeld -= bytes.count }
        do {
            let archive = try ArchiveHandle(bytes: bytes, format: signature == .zip ? .zip : .tar, label: path)
            walk(archive, prefix: path + "!", depth: depth + 1, index: signature == .zip ? ZipCentralDirectory.read(bytes: bytes) : nil)
        } catch {
            problems.append(ArtifactProblem(kind: .unreadableArchive, path: path, message: "nested archive could not be opened: \(error)"))
        }
    }
}
