import FoundationEssentials
import ShiplintFacts

/// Reads one ELF entry holding only the byte ranges its facts need, never the file: a stream is inflated once front to
/// back and each needed range is kept as it goes by; the stream stops once the facts are read. Which ranges are needed
/// is learnt as they arrive (the header names the program headers, which name PT_DYNAMIC, which names the tables), so
/// the reader is run again each time a kept range is complete and says what it still lacks. The dynamic tables usually
/// lie in the first PT_LOAD, before the code, and PT_DYNAMIC after it: the first bytes of the file are kept on the
/// chance (a window), so one pass is enough; a table behind the stream that was not kept means a second pass over the
/// entry. With each range it lacks, the reader names the others it will go on to need, as far as what it has read
/// tells (every segment once the program headers are read, every table once PT_DYNAMIC is): those are kept in the same
/// pass, or in the next one when they went by, so the order a file has its tables in (patchelf moves a note and the
/// string table to the end; OpenBLAS's relocations end past the window) costs one more pass, not one per table.
/// A file on disk is read by offset, only the ranges asked for.
enum ElfRanges {
    /// The first bytes kept on the chance that the dynamic tables are there (they are for lld and GNU ld layouts).
    static func window(cap: Int) -> Int { min(1 << 20, cap / 4) }
    /// A missing range is read with at least this many bytes after it (the next record of a chain is usually near).
    static func spread(cap: Int) -> Int { min(256 << 10, cap / 16) }
    /// The same when reading by offset, where another read costs a system call, not a pass over the stream: 256 KiB
    /// after every range read 47 MiB from the 189 MiB of `.so` files in the layer folder of the benchmark.
    static func offsetSpread(cap: Int) -> Int { min(16 << 10, cap / 16) }
    /// Bytes read first by offset (the headers, and often the tables after them).
    static let firstRead = 64 << 10
    /// Tables closer than this to each other are asked for as one range when one of them is missing.
    static let clusterGap = 4 << 20
    /// Passes over one stream before giving up (each pass inflates up to the last range it keeps).
    static let maximumPasses = 3

    enum Result {
        case outcome(ElfReader.Outcome)
        /// Holding the ranges the facts need would pass the cap on what is held for one entry. `links`: what the
        /// loader searches with, when what was held tells.
        case overCap(needed: Int, links: ElfLinks?)
        /// Inflating as far as the facts need would pass what is left of the artifact's budget.
        case overBudget
        /// The entry's bytes could not be had: inflating or checking them failed (the archive's fault), or the disk
        /// gave a read error.
        case failed(String)
        /// A limit of this reader, not of the entry (passes over a stream, reads by offset): said as ours. `links`: what
        /// the loader searches with, when what was held tells.
        case gaveUp(String, links: ElfLinks?)
    }

    /// By offset: a file on disk (or any source that reads at an offset).
    static func read(size: Int, cap: Int, fetch: (Int, Int) -> [UInt8]?) -> Result {
        var held = HeldBytes(size: size)
        let first = min(size, firstRead)
        guard let head = fetch(0, first) else { return .failed("cannot read the first \(first) bytes") }
        held.add(offset: 0, bytes: head)
        for _ in 0..<256 {
            let outcome = ElfReader.read(held)
            guard case .notHeld(let reason, let offset, let count, _) = outcome else { return .outcome(outcome) }
            let end = min(size, offset + count + offsetSpread(cap: cap))
            let adding = (end - offset) - held.heldCount(in: offset, end)
            guard held.heldCount + adding <= cap else { return .overCap(needed: held.heldCount + adding, links: ElfReader.links(held)) }
            guard let bytes = fetch(offset, end - offset), bytes.count == end - offset else {
                return .failed("cannot read \(reason)")
            }
            held.add(offset: offset, bytes: bytes)
        }
        return .gaveUp("its dynamic segment's tables needed more than 256 reads by offset, the most shiplint makes for one file", links: ElfReader.links(held))
    }

    /// From a stream whose first bytes (`head`) were read already. `stream` feeds the rest; `restart` gives a stream
    /// over the entry from its first byte again, for a second pass. `inflated` counts every byte that came out.
    static func read(
        declaredSize: Int, cap: Int, head: [UInt8], inflated: inout Int, budget: Int,
        stream: ((UnsafeRawBufferPointer) -> Bool) -> ArchiveHandle.StreamEnd,
        restart: () -> (((UnsafeRawBufferPointer) -> Bool) -> ArchiveHandle.StreamEnd)?
    ) -> Result {
        var collector = RangeCollector(size: declaredSize)
        _ = collector.want(0, min(declaredSize, window(cap: cap)))
        var pass = 1
        var result: Result?
        var behind: (offset: Int, count: Int)?
        // Ranges the reader said it will need that went by unkept: kept on the next pass, if one is made for `behind`.
        var later: [Range<Int>] = []
        // SHIPLINT_DEBUG_RANGES=1 says on standard error which range each pass lacked (for measuring the window).
        let debug = ProcessInfo.processInfo.environment["SHIPLINT_DEBUG_RANGES"] != nil

        /// Runs the reader over what is held; false when the stream can stop.
        func evaluate() -> Bool {
            let outcome = ElfReader.read(collector.held)
            guard case .notHeld(let reason, let offset, let count, let also) = outcome else {
                result = .outcome(outcome)
                return false
            }
            let end = min(collector.held.size, offset + count + spread(cap: cap))
            if debug { DescriptorOutput.standardError("pass \(pass) at \(collector.position): missing \(offset)+\(count): \(reason)\n") }
            let adding = (end - offset) - collector.held.heldCount(in: offset, end)
            guard collector.heldCount + adding <= cap else {
                result = .overCap(needed: collector.heldCount + adding, links: ElfReader.links(collector.held))
                return false
            }
            switch collector.want(offset, end) {
            case .added:
                keep(also)
                return true
            case .behind:
                behind = (offset, end - offset)
                later += also
                return false
            case .nothing:
                result = settled(.notHeld(reason, offset: offset, count: count, also: also), held: collector.held, why: "held, yet not found there (a bug in shiplint)")
                return false
            }
        }

        /// Keeps the ranges the reader will need next, within half the cap (they are guesses: the other half is left for
        /// what the reader asks for): the ones still ahead in this pass, the ones behind on the next (they never make a
        /// pass by themselves).
        func keep(_ ranges: [Range<Int>]) {
            for range in ranges {
                let start = max(0, range.lowerBound), end = min(collector.held.size, range.upperBound)
                guard start < end else { continue }
                let adding = (end - start) - collector.held.heldCount(in: start, end)
                guard adding > 0, collector.heldCount + adding <= cap / 2 else { continue }
                if case .behind = collector.want(start, end) { later.append(start..<end) }
            }
        }

        func consume(_ chunk: UnsafeRawBufferPointer) -> Bool {
            inflated += chunk.count
            if inflated > budget {
                result = .overBudget
                return false
            }
            // A range learnt of while this chunk is in hand (PT_DYNAMIC names DT_STRTAB later in the same chunk) is
            // kept from the chunk: a whole entry inflated in one call is one chunk, and nothing in it is left behind.
            defer { collector.release() }
            var completed = collector.feed(chunk)
            while completed {
                guard evaluate() else { return false }
                completed = collector.replay(chunk)
            }
            return collector.hasPending
        }

        var keepGoing = true
        head.withUnsafeBytes { keepGoing = consume($0) }
        var end: ArchiveHandle.StreamEnd = .stopped
        if keepGoing { end = stream(consume) }
        while true {
            if case .failed(let reason) = end { return .failed(reason) }
            if case .end = end, result == nil, behind == nil {
                // The entry ended: what is held is all there is; judged against the bytes that came out.
                if collector.position < collector.held.size { collector.truncate(to: collector.position) }
                if evaluate(), collector.hasPending { return settled(ElfReader.read(collector.held), held: collector.held, why: "the entry ended first") }
            }
            if let result { return result }
            guard let missing = behind else { return settled(ElfReader.read(collector.held), held: collector.held, why: "the stream stopped first") }
            guard pass < maximumPasses else {
                return settled(ElfReader.read(collector.held), held: collector.held, why: "it went by unkept on each of \(maximumPasses) passes over the entry, the most shiplint makes")
            }
            guard let again = restart() else {
                return settled(ElfReader.read(collector.held), held: collector.held, why: "it went by unkept, and this entry cannot be read a second time")
            }
            // A second pass: keep what is held, and the range that went by unkept.
            pass += 1
            behind = nil
            collector.rewind()
            _ = collector.want(missing.offset, missing.offset + missing.count)
            let wanted = later
            later = []
            keep(wanted)
            end = again(consume)
        }
    }
}

extension ElfRanges {
    /// What the reader says once no more can be read: a range still not held is a limit of this reader, said as ours.
    static func settled(_ outcome: ElfReader.Outcome, held: HeldBytes, why: String) -> Result {
        guard case .notHeld(let reason, _, _, _) = outcome else { return .outcome(outcome) }
        return .gaveUp("\(reason): \(why)", links: ElfReader.links(held))
    }
}

/// Keeps the wanted ranges of a stream as it goes by. While a chunk is in hand (between `feed` and `release`), a
/// range that starts inside it can still be asked for: `replay` keeps it from the same chunk.
struct RangeCollector {
    private(set) var held: HeldBytes
    private(set) var position = 0
    /// Where the chunk in hand starts (`position` when none is): bytes from here on can still be kept.
    private var inHand = 0
    private var pending: [(start: Int, end: Int, buffer: [UInt8])] = []

    init(size: Int) {
        held = HeldBytes(size: size)
    }

    var hasPending: Bool { !pending.isEmpty }
    /// Held and pending bytes, a held chunk being kept again (see `want`) counted once.
    var heldCount: Int { held.heldCount + pending.reduce(0) { $0 + ($1.end - $1.start) - held.heldCount(in: $1.start, $1.end) } }

    /// `.added`: it will be kept (or is being kept); `.behind`: part of it went by unkept; `.nothing`: it is held.
    enum Want { case added, behind, nothing }

    /// Asks for `start..<end` to be kept. `.behind` when part of it went by unkept and is no longer in hand.
    mutating func want(_ start: Int, _ end: Int) -> Want {
        let end = min(end, held.size)
        guard start < end else { return .nothing }
        var newStart = max(start, position)
        if start < position {
            let kept = min(end, position)
            let inPending = pending.contains { $0.start <= start && kept <= $0.end }
            if inPending || held.view(start, kept - start, byteOrder: .little) != nil {
                if end <= position { return inPending ? .added : .nothing }
            } else if start >= inHand {
                newStart = start  // in the chunk in hand: `replay` keeps it
            } else {
                return .behind
            }
        }
        var newEnd = end
        // A held chunk that this range overlaps or touches, still ahead of the stream: kept again as part of the new
        // range, so the new range replaces it when complete instead of both being spliced into a third copy.
        for chunk in held.chunks where chunk.offset >= position && chunk.offset <= newEnd && chunk.end >= newStart {
            newStart = min(newStart, chunk.offset)
            newEnd = max(newEnd, chunk.end)
        }
        var buffer: [UInt8] = []
        // Merge with overlapping or touching pending ranges. Each holds its bytes from its start up to the stream's
        // position (or its end), so the one that starts first lends its bytes; the rest are kept again.
        var kept: [(start: Int, end: Int, buffer: [UInt8])] = []
        for range in pending {
            if range.end < newStart || range.start > newEnd {
                kept.append(range)
            } else {
                if range.start <= newStart {
                    buffer = range.buffer
                    newStart = range.start
                }
                newEnd = max(newEnd, range.end)
            }
        }
        buffer.reserveCapacity(newEnd - newStart)
        kept.append((newStart, newEnd, buffer))
        pending = kept.sorted { $0.start < $1.start }
        return .added
    }

    /// Takes the next bytes of the stream, and holds them until `release`; true when a wanted range became complete.
    mutating func feed(_ chunk: UnsafeRawBufferPointer) -> Bool {
        inHand = position
        position += chunk.count
        return replay(chunk)
    }

    /// Keeps from the chunk in hand what the pending ranges lack of it (after `want` asked for a range inside it);
    /// true when a wanted range became complete.
    mutating func replay(_ chunk: UnsafeRawBufferPointer) -> Bool {
        var completed = false
        var index = 0
        while index < pending.count {
            // Bounds only: a copy of the whole entry would share its buffer, and each append would copy it.
            let range = (start: pending[index].start, end: pending[index].end)
            let from = range.start + pending[index].buffer.count, to = min(range.end, position)
            if from < to && from >= inHand {
                pending[index].buffer.append(contentsOf: chunk[(from - inHand)..<(to - inHand)])
            }
            if range.end <= position && range.start + pending[index].buffer.count == range.end {
                held.add(offset: range.start, bytes: pending[index].buffer)
                pending.remove(at: index)
                completed = true
            } else {
                index += 1
            }
        }
        return completed
    }

    /// The chunk in hand is gone: what was not kept of it went by.
    mutating func release() {
        inHand = position
    }

    /// The entry ended early: its size is what came out; the unfinished ranges are dropped.
    mutating func truncate(to size: Int) {
        var shorter = HeldBytes(size: size)
        for chunk in held.chunks where chunk.offset < size {
            shorter.add(offset: chunk.offset, bytes: Array(chunk.bytes.prefix(size - chunk.offset)))
        }
        for range in pending where range.start < size && !range.buffer.isEmpty {
            shorter.add(offset: range.start, bytes: range.buffer)
        }
        held = shorter
        pending = []
    }

    /// Back to the first byte for another pass; what is held stays held, unfinished ranges are dropped.
    mutating func rewind() {
        position = 0
        inHand = 0
        pending = []
    }
}
