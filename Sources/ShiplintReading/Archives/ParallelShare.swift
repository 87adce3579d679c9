import FoundationEssentials
import Dispatch
import ShiplintFacts
import Synchronization

/// The one way an artifact's entries are read on several workers (a ZIP by offset, a ZIP through libarchive, a
/// folder): positions are handed out from a queue, each worker taking the next when it is free, into a walk of its own
/// that marks what each position added; the walks are then joined in position order, so the artifact is the one of
/// one job. Each worker opens its own handles (`start`): nothing that reads is shared between tasks. A cap met or
/// damage found anywhere gives nil: caps count over the whole artifact in entry order, so the caller reads it again
/// on one core.
struct ParallelShare {
    let limits: ReadLimits
    let metadata: MetadataSelection
    let workers: Int

    /// Runs `queue` (positions, in the order they are handed out) on the workers. `visit` reads one position into the
    /// worker's walk with the worker's own handles; `start` opens them (nil: that worker cannot start, and the share
    /// is given up).
    func run<Worker>(
        _ queue: [Int], start: @Sendable () -> Worker?, visit: @Sendable (inout Walk, inout Worker, Int) -> Void
    ) -> [Walk]? {
        let next = Mutex(0)
        let count = min(workers, queue.count)
        let results = Mutex<[Int: Walk]>([:])
        let (limits, metadata) = (limits, metadata)
        DispatchQueue.concurrentPerform(iterations: count) { job in
            guard var worker = start() else { return }
            var walk = Walk(limits: limits, metadata: metadata)
            while !walk.metACap {
                let position = next.withLock { position in
                    defer { position += 1 }
                    return position
                }
                guard position < queue.count else { break }
                walk.marking(queue[position]) { visit(&$0, &worker, queue[position]) }
            }
            results.withLock { $0[job] = walk }
        }
        var walks: [Walk] = []
        for job in 0..<count {
            guard let walk = results.withLock({ $0[job] }), !walk.metACap else { return nil }
            walks.append(walk)
        }
        return walks
    }

    /// The walks joined in position order over `positions`: a position a worker read is taken from its walk; any other
    /// is visited by `inline` on the joined walk (false: it failed). Nil when a cap was met while joining.
    func join(_ walks: [Walk], positions: Range<Int>, inline: (inout Walk, Int) -> Bool) -> Walk? {
        var owner: [Int: Int] = [:]
        for (job, walk) in walks.enumerated() { for position in walk.marks.keys { owner[position] = job } }
        var joined = Walk(limits: limits, metadata: metadata)
        for position in positions {
            if let job = owner[position], let mark = walks[job].marks[position] {
                joined.append(walks[job], mark)
            } else if !inline(&joined, position) {
                return nil
            }
            if joined.stopped { return nil }
        }
        guard joined.entries.count <= limits.entries, joined.inflated <= limits.artifactBytes else { return nil }
        return joined
    }

    /// A position's weight for the queue: a kilobyte of content, one at least.
    static func weight(_ size: Int64) -> Int {
        Int(min(max(size, 0), 1 << 40)) / 1024 + 1
    }

    /// Positions, heaviest first (ties in position order).
    static func heaviestFirst(_ work: [(position: Int, weight: Int)]) -> [Int] {
        work.sorted { ($0.weight, $1.position) > ($1.weight, $0.position) }.map(\.position)
    }
}

extension ArtifactReader {
    /// SHIPLINT_JOBS_EVERY_ZIP=1 shares every ZIP's entries, so the tests prove the join on small fixtures too.
    static var sharesEveryZip: Bool { ProcessInfo.processInfo.environment["SHIPLINT_JOBS_EVERY_ZIP"] == "1" }

    var share: ParallelShare { ParallelShare(limits: limits, metadata: metadata, workers: jobs) }

    /// The entries of a ZIP read by offset whose data is looked into (binaries, archives, metadata), the largest
    /// first, each worker on its own file descriptor; the other entries are listed while the results are joined in
    /// central-directory order. Entries inflated whole by libdeflate cost half as much per byte as those zlib streams,
    /// so workers take the next entry when free rather than a share fixed in advance.
    func readDirectInParallel(path: String, index: ZipCentralDirectory) -> Walk? {
        var work: [(position: Int, weight: Int)] = []
        for group in index.groups.indices {
            let record = index.records[index.groups[group].lowerBound]
            guard record.dataOffset != nil, !record.name.utf8.contains(UInt8(ascii: "\\")),
                ZipDirect.extractorType(record) == .file,
                metadata.wants(record.name) || NativeName.worthSniffing(path: record.name, mode: ZipDirect.mode(record))
            else { continue }
            work.append((group, ParallelShare.weight(Int64(clamping: record.uncompressedSize))))
        }
        guard work.count > 1 || (Self.sharesEveryZip && !work.isEmpty) else { return nil }
        let walks = share.run(
            ParallelShare.heaviestFirst(work),
            start: { ZipFile(path: path).map { ($0, LazyArchive(path: path)) } },
            visit: { walk, worker, group in _ = walk.visitDirect(group: group, file: worker.0, directory: index, archive: worker.1) })
        guard let walks, let file = ZipFile(path: path) else { return nil }
        let archive = LazyArchive(path: path)
        let joined = share.join(walks, positions: index.groups.indices) { joined, group in
            joined.visitDirect(group: group, file: file, directory: index, archive: archive) == nil
        }
        guard let joined, !joined.metACap else { return nil }
        return joined
    }

    /// The ZIP's entries read through libarchive on several handles (a seekable ZIP handle skips the entries it is not
    /// given without inflating them), handed out in entry order so each handle only moves forward.
    func readInParallel(path: String, index: ZipCentralDirectory) -> Walk? {
        // Every handle still steps over every entry before its last one (libarchive reads each local header): worth it
        // only when there is inflating to share, not for a ZIP of many small files.
        let weights = index.groups.map { group in
            let entry = index.records[group.lowerBound]
            return NativeName.worthSniffing(path: entry.name, mode: entry.unixMode) ? ParallelShare.weight(Int64(clamping: entry.uncompressedSize)) : 1
        }
        let heavy = weights.filter { $0 > 1 }
        // A directory that disagrees with its end record is said once, as a problem of the whole archive: one handle.
        guard index.claimedCount == nil, Self.sharesEveryZip || (heavy.count > 1 && heavy.reduce(0, +) > weights.count * 16) else { return nil }
        let walks = share.run(
            Array(index.groups.indices),
            start: { (try? ArchiveHandle(path: path, format: .zip)).map { (handle: $0, position: 0) } },
            visit: { walk, worker, group in
                while worker.position < group, case .entry = worker.handle.next() { worker.position += 1 }
                let next = worker.handle.next()
                worker.position = group + 1
                guard case .entry(let header) = next else {
                    walk.addProblem(ArtifactProblem(kind: .unreadableArchive, path: nil, message: "entry \(group + 1) not found"))
                    return
                }
                walk.visitGroup(header, group: group, directory: index, prefix: "", depth: 0, archive: worker.handle)
            })
        guard let walks else { return nil }
        return share.join(walks, positions: index.groups.indices) { _, _ in false }
    }
}
