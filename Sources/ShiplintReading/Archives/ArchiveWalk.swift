import ShiplintFacts

/// The walk over an archive libarchive reads (a tar, a ZIP that cannot be read by offset, a nested archive). A ZIP's
/// entries are named and typed from its own central directory (`ZipCentralDirectory`), as the extractors name them:
/// libarchive's n-th entry is the n-th distinct local header, so it is paired with the n-th group of records.
extension Walk {
    typealias DirectoryIndex = Result<ZipCentralDirectory, ZipCentralDirectory.Damage>

    /// The top-level archive: failing before the first entry means the input is unreadable (exit status 2).
    mutating func walkTopLevel(_ archive: ArchiveHandle, label: String, index: DirectoryIndex?) throws(ReadError) {
        if let failure = walk(archive, prefix: "", depth: 0, index: index), entries.isEmpty {
            throw .unreadableArtifact(path: label, reason: index?.failureReason ?? failure)
        }
    }

    /// Returns the libarchive error that ended the walk early, if any (also recorded as a problem).
    @discardableResult
    mutating func walk(_ archive: ArchiveHandle, prefix: String, depth: Int, index: DirectoryIndex?) -> String? {
        let label = prefix.isEmpty ? nil : String(prefix.dropLast())
        let directory = reportDirectory(index, label: label)
        // libarchive's entry ordinal; with a central directory it is also the index of the group of records it reads.
        var position = 0
        while !stopped {
            switch archive.next() {
            case .end:
                if let directory { listUnvisited(directory, from: position, prefix: prefix) }
                return nil
            case .failed(let reason):
                addProblem(ArtifactProblem(
                    kind: .unreadableArchive, path: label,
                    message: "archive is damaged after \(entries.count) entries: \(reason); the rest was not read"))
                return reason
            case .entry(let header):
                if let directory, position < directory.groups.count {
                    visitGroup(header, group: position, directory: directory, prefix: prefix, depth: depth, archive: archive)
                } else {
                    visit(header, path: prefix + header.path, mode: header.mode, depth: depth, archive: archive, position: position)
                }
                position += 1
            }
        }
        return nil
    }

    /// What is wrong with the ZIP's central directory as a whole, said once; the directory when it could be read.
    mutating func reportDirectory(_ index: DirectoryIndex?, label: String?) -> ZipCentralDirectory? {
        switch index {
        case .success(let read):
            if let claimed = read.claimedCount {
                addProblem(ArtifactProblem(
                    kind: .unreadableArchive, path: label,
                    message: "the ZIP's end record claims \(claimed) entries but its central directory holds \(read.records.count); tools that trust the count disagree on what the archive holds"))
            }
            for (kind, count) in read.unnamedProblems.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                let what = kind == .sharedLocalHeader ? "share a local header with another record" : "overlap another entry's data"
                addProblem(ArtifactProblem(
                    kind: kind, path: label,
                    message: "\(count) more central-directory records \(what) (the first \(ZipCentralDirectory.namedProblems) are named)"))
            }
            return read
        case .failure(let damage):
            addProblem(ArtifactProblem(
                kind: .unreadableArchive, path: label,
                message: "the ZIP's central directory could not be indexed (\(damage.reason)); entries are named by their local headers, which Lambda's unzip does not go by"))
            return nil
        case nil:
            return nil
        }
    }

    /// libarchive's entry `group`, named by the group of central-directory records sharing its local header.
    mutating func visitGroup(
        _ header: ArchiveHandle.Header, group: Int, directory: ZipCentralDirectory, prefix: String, depth: Int, archive: ArchiveHandle
    ) {
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
        case (.symlink, _), (.file, .hardlink): type = header.type
        case (.file, _): type = .file
        }
        let typed = ArchiveHandle.Header(path: header.path, size: header.size, mode: header.mode, type: type, encrypted: header.encrypted)
        let mode = ZipDirect.mode(record)
        // libarchive's ZIP reader gives no data for an entry its attributes type as a folder, device or socket
        // (archive_read_format_zip_read_data: "Return EOF immediately if this is a non-regular file"), where unzip and
        // zipfile write the data to a file: such an entry is read by offset instead, as ZipDirect reads a plain ZIP.
        let noDataFromLibarchive = type == .file && !header.encrypted && (header.type == .directory || header.type == .other)
        if noDataFromLibarchive {
            examineByOffset(record, as: header, path: prefix + record.name, mode: mode, depth: depth, archive: archive)
        } else {
            visit(typed, path: prefix + record.name, mode: mode, depth: depth, archive: archive, position: position)
        }
        if let other = record.unicodePath {
            if noDataFromLibarchive {
                examineByOffset(record, as: header, path: prefix + other, mode: mode, depth: depth, archive: archive)
            } else if type == .file, let again = archive.reopened(atEntry: position) {
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

    /// A file the extractors write from an entry libarchive types as a folder, device or socket (`header`), and so
    /// gives no data of: its data read by offset when the record's local header agrees with it (`dataOffset`: STORED
    /// or DEFLATE); otherwise listed, and said not read where its content would have been looked into.
    mutating func examineByOffset(
        _ record: ZipCentralDirectory.Record, as header: ArchiveHandle.Header, path: String, mode: UInt32?, depth: Int, archive: ArchiveHandle
    ) {
        let size = header.size ?? Int64(clamping: record.uncompressedSize)
        if let content = ZipDirectContent(record: record, source: archive.source) {
            examineFile(path: path, size: size, mode: mode, depth: depth, encrypted: false, content: content)
            return
        }
        self.record(ArtifactEntry(path: path, size: max(size, 0), mode: mode, type: .file))
        guard python == nil, metadata.wants(path) || NativeName.worthSniffing(path: path, mode: mode) else { return }
        addProblem(ArtifactProblem(
            kind: .readerLimit, path: path,
            message: "not read: unzip and Python's zipfile write this entry's data to a file, but its ZIP attributes make it \(FolderSource.kindName(header.mode)) to libarchive, which then gives none of it, and it cannot be read by offset (compression method \(record.method), or a local header that disagrees with the central directory); a limit of shiplint's reader, not damage in the archive"))
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

    static func entry(for record: ZipCentralDirectory.Record, prefix: String) -> ArtifactEntry {
        ArtifactEntry(
            path: prefix + record.name, size: Int64(clamping: record.uncompressedSize), mode: ZipDirect.mode(record),
            type: ZipDirect.extractorType(record) == .directory ? .directory : .file)
    }
}
