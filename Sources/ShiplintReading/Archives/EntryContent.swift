/// Where the bytes of one file come from: an archive handle positioned on its entry (`ArchiveEntryContent`), a ZIP
/// entry read by offset (`ZipDirectContent`), a file on disk (`DiskFileContent`) or bytes in memory (`MemoryContent`).
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
