import ShiplintFacts

/// What is held of one file: its declared size and some byte ranges of it (the whole file when it was read whole).
/// Readers ask for a range by file offset; a range not held is answered with nil, never with other bytes.
struct HeldBytes: Sendable {
    struct Chunk: Sendable {
        let offset: Int
        let bytes: [UInt8]
        var end: Int { offset + bytes.count }
    }

    /// The file's size as declared (the entry's size, or the size on disk): what truncation is judged against.
    let size: Int
    /// Sorted by offset, neither overlapping nor touching (adjacent ranges are merged when added).
    private(set) var chunks: [Chunk]

    init(whole bytes: [UInt8]) {
        size = bytes.count
        chunks = bytes.isEmpty ? [] : [Chunk(offset: 0, bytes: bytes)]
    }

    init(size: Int) {
        self.size = size
        chunks = []
    }

    /// Bytes held in total.
    var heldCount: Int { chunks.reduce(0) { $0 + $1.bytes.count } }

    /// Bytes of `start..<end` that are held.
    func heldCount(in start: Int, _ end: Int) -> Int {
        chunks.reduce(0) { $0 + max(0, min(end, $1.end) - max(start, $1.offset)) }
    }

    /// Adds a range (overlaps with held ranges are merged; the newer bytes win, they are the same file's bytes).
    mutating func add(offset: Int, bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        var start = offset
        var merged = bytes
        var kept: [Chunk] = []
        for chunk in chunks {
            if chunk.end < start || chunk.offset > start + merged.count {
                kept.append(chunk)
                continue
            }
            // Overlapping or touching: splice into one run.
            let newStart = min(start, chunk.offset)
            let newEnd = max(start + merged.count, chunk.end)
            var run = [UInt8](repeating: 0, count: newEnd - newStart)
            run.replaceSubrange((chunk.offset - newStart)..<(chunk.end - newStart), with: chunk.bytes)
            run.replaceSubrange((start - newStart)..<(start - newStart + merged.count), with: merged)
            start = newStart
            merged = run
        }
        kept.append(Chunk(offset: start, bytes: merged))
        chunks = kept.sorted { $0.offset < $1.offset }
    }

    /// True when `offset..<offset+count` lies inside the declared size.
    func inFile(_ offset: Int, _ count: Int) -> Bool {
        offset >= 0 && count >= 0 && offset <= size && count <= size - offset
    }

    /// A view over the held chunk that contains the whole range, nil when it is not held.
    func view(_ offset: Int, _ count: Int, byteOrder: ByteOrder) -> ByteView? {
        guard offset >= 0, count >= 0 else { return nil }
        for chunk in chunks where chunk.offset <= offset && offset + count <= chunk.end {
            return ByteView(chunk.bytes, byteOrder: byteOrder, base: chunk.offset)
        }
        return nil
    }

    /// The held bytes of a range, copied; nil when not wholly held.
    func bytes(_ offset: Int, _ count: Int) -> [UInt8]? {
        guard let view = view(offset, count, byteOrder: .little) else { return nil }
        return Array(view.bytes[(offset - view.base)..<(offset - view.base + count)])
    }
}
