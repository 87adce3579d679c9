import ShiplintFacts

/// Links judged by what they point to. An extractor writes a symbolic link (unzip restores a ZIP's, tar's) or a hard
/// link, and the runtime that opens the link's path loads its target: a module name linked to a Mach-O blob is a
/// Mach-O module. A symbolic link named like a binary whose target is a file of the same artifact not judged under its
/// own name (`blob.dat`) is judged at the link's path, its facts naming the target (`Binary.linkTarget`); a target
/// judged under its own name already has its findings there. A hard link named like a binary is always judged: on
/// disk it is a file of its own.
enum LinkedEntries {
    /// Where the content of an entry of the artifact can be had again, by its path.
    enum Source {
        case folder(root: String)
        case zip(path: String, directory: ZipCentralDirectory?)
        case tar(path: String)
        case none
    }

    /// The links to judge, each with the path of the file it leads to. In a ZIP, `backslashSeparates`: unzip writes a
    /// backslash in a name as a folder separator (`ZipExtraction`), so a link to `lib/x` leads to an entry stored as
    /// `lib\x` (a name stored as written wins when both are there).
    static func pending(in walk: Walk, backslashSeparates: Bool = false) -> [(link: ArtifactEntry, target: ArtifactEntry)] {
        var candidates: [ArtifactEntry] = []
        for entry in walk.entries where !entry.path.contains("!") {
            switch entry.type {
            case .symlink, .hardlink:
                if NativeName.worthSniffing(path: entry.path, mode: nil) { candidates.append(entry) }
            default: break
            }
        }
        guard !candidates.isEmpty else { return [] }
        let judged = Set(walk.binaries.map(\.path))
        var byPath: [String: ArtifactEntry] = [:]
        for entry in walk.entries where !entry.path.contains("!") && !isHardLinkToItself(entry) {
            byPath[normalised(entry.path) ?? entry.path] = entry
        }
        if backslashSeparates {
            for entry in walk.entries where !entry.path.contains("!") && entry.path.contains("\\") {
                guard let written = normalised(entry.path.replacingText("\\", with: "/")), byPath[written] == nil else { continue }
                byPath[written] = entry
            }
        }
        return candidates.compactMap { link in
            guard !judged.contains(link.path), let target = resolve(link, in: byPath), target.type == .file else { return nil }
            // A hard link is a file of its own on disk: always judged. A symbolic link only when what it leads to is
            // not judged under its own name (a chain libx.so -> libx.so.1 -> libx.so.1.2 is judged once, at the end).
            if case .symlink = link.type, judged.contains(target.path) { return nil }
            return (link, target)
        }
    }

    /// The file a link leads to inside the artifact (links followed, at most 40), nil when it leaves the artifact.
    static func resolve(_ link: ArtifactEntry, in byPath: [String: ArtifactEntry]) -> ArtifactEntry? {
        var current = link
        for _ in 0..<40 {
            let next: String?
            switch current.type {
            case .symlink(let target):
                guard !target.hasPrefix("/") else { return nil }
                let folder = current.path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
                next = normalised(folder.isEmpty ? target : folder + "/" + target)
            case .hardlink(let target):
                next = normalised(target)
            default:
                return current
            }
            guard let path = next, let entry = byPath[path] else { return nil }
            current = entry
        }
        return nil
    }

    /// A tar hard link to its own name (`lib/x.so` linked to `lib/x.so`, or a pax name cut at NUL into it): GNU tar's
    /// link(2) fails with EEXIST and leaves the file there, Python's tarfile writes the same member again
    /// (TarFile.makelink_with_filter falls back to extracting the target); either way the file before it stays.
    static func isHardLinkToItself(_ entry: ArtifactEntry) -> Bool {
        guard case .hardlink(let target) = entry.type, let path = normalised(entry.path) else { return false }
        return normalised(target) == path
    }

    /// A name as an extractor writes it: no empty or `.` component (`lib//x.so`, `./lib/x.so` are `lib/x.so`).
    static func written(_ path: String) -> String {
        path.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
    }

    /// `a/./b/../c` as `a/c`; nil when it climbs above the root.
    static func normalised(_ path: String) -> String? {
        var parts: [Substring] = []
        for part in path.split(separator: "/") where part != "." {
            if part == ".." {
                guard !parts.isEmpty else { return nil }
                parts.removeLast()
            } else {
                parts.append(part)
            }
        }
        return parts.joined(separator: "/")
    }
}

extension Walk {
    /// After a top-level walk: repeated names settled as the extractors leave them, then links judged by their target.
    mutating func settle(links source: LinkedEntries.Source) {
        settleRepeatedNames()
        reportHardLinksNotMade()
        judgeLinks(from: source)
    }

    /// Tar hard links GNU tar cannot make: it calls link(2) with the target as stored (extract.c, extract_link), which
    /// refuses a folder (EPERM) and takes a name ending in `/` for one (ENOTDIR when it is not), and then exits with
    /// status 2. Python's tarfile, when os.link fails, writes a copy of the target member instead
    /// (TarFile.makelink_with_filter), and that copy is what is judged at the link's path.
    mutating func reportHardLinksNotMade() {
        var folders = Set<String>()
        for entry in entries where !entry.path.contains("!") {
            guard let path = LinkedEntries.normalised(entry.path) else { continue }
            if entry.type == .directory { folders.insert(path) }
            var parts = path.split(separator: "/")
            while parts.count > 1 {
                parts.removeLast()
                folders.insert(parts.joined(separator: "/"))
            }
        }
        for entry in entries where !entry.path.contains("!") {
            guard case .hardlink(let target) = entry.type else { continue }
            let written = LinkedEntries.normalised(target)
            let message: String
            if let written, folders.contains(written) {
                message = "a hard link to the folder '\(target)': GNU tar cannot make it (link(2) refuses a folder: 'Operation not permitted') and exits with status 2; Python's tarfile makes a copy of the folder here instead"
            } else if target.hasSuffix("/") {
                message = "a hard link to '\(target)', a name ending in '/': GNU tar cannot make it (link(2) takes it for a folder: 'Not a directory') and exits with status 2; Python's tarfile writes a copy of '\(written ?? target)' here instead, which is what is judged"
            } else {
                continue
            }
            addProblem(ArtifactProblem(kind: .hardLinkNotMade, path: entry.path, message: message))
        }
    }

    /// Judges each pending link (`LinkedEntries`) by its target's content, read again from `source`.
    mutating func judgeLinks(from source: LinkedEntries.Source) {
        let pending = LinkedEntries.pending(in: self, backslashSeparates: { if case .zip = source { true } else { false } }())
        guard !pending.isEmpty else { return }
        var zipGroups: [String: Int]?
        for (link, target) in pending where !budgetIsSpent {
            let before = binaries.count
            switch source {
            case .folder(let root):
                judgeContent(path: link.path, size: target.size, mode: target.mode, content: DiskFileContent(path: Array((root + "/" + target.path).utf8)))
            case .zip(let path, let directory?):
                if zipGroups == nil {
                    zipGroups = Dictionary(directory.groups.indices.map { (directory.records[directory.groups[$0].lowerBound].name, $0) }, uniquingKeysWith: { _, last in last })
                }
                guard let group = zipGroups?[target.path] else { continue }
                let record = directory.records[directory.groups[group].lowerBound]
                if ZipDirect.enabled, let offset = record.dataOffset, let file = ZipFile(path: path) {
                    judgeContent(path: link.path, size: target.size, mode: target.mode, content: ZipDirectContent(file: file, record: record, dataOffset: offset))
                } else if let handle = try? ArchiveHandle(path: path, format: .zip), let opened = handle.reopened(atEntry: group) {
                    judgeContent(path: link.path, size: target.size, mode: target.mode, content: ArchiveEntryContent(handle: opened, index: group))
                }
            case .tar(let path), .zip(let path, nil):
                let format: ArchiveHandle.Format = { if case .tar = source { .tar } else { .zip } }()
                guard let handle = try? ArchiveHandle(path: path, format: format) else { continue }
                var position = 0
                while case .entry(let header) = handle.next() {
                    if header.path == target.path, header.type == .file {
                        judgeContent(path: link.path, size: target.size, mode: target.mode, content: ArchiveEntryContent(handle: handle, index: position))
                        break
                    }
                    position += 1
                }
            case .none:
                continue
            }
            for index in before..<binaries.count { nameLinkTarget(at: index, target.path) }
        }
    }
}

extension Walk {
    /// Entries that the extractors write to one path (the same name, or `lib//x.so` and `./lib/x.so`; a folder listed
    /// twice aside): each is written over the one before, so only the last is on disk. It alone is judged; the
    /// repetition is said once.
    mutating func settleRepeatedNames() {
        var seen: [String: Int] = [:]
        var repeated: [String: [Int]] = [:]
        for (index, entry) in entries.enumerated() where !entry.path.contains("!") && !LinkedEntries.isHardLinkToItself(entry) {
            let written = LinkedEntries.written(entry.path)
            if let first = seen[written] {
                repeated[written, default: [first]].append(index)
            } else {
                seen[written] = index
            }
        }
        // The same folder listed twice is harmless.
        repeated = repeated.filter { _, indices in indices.contains { entries[$0].type != .directory } }
        guard !repeated.isEmpty else { return }
        var lastEntry: [String: ArtifactEntry] = [:]
        for (written, indices) in repeated.sorted(by: { $0.value[0] < $1.value[0] }) {
            let last = entries[indices.last!]
            let names = Set(indices.map { entries[$0].path }).sorted().map { "'\($0)'" }.joined(separator: ", ")
            addProblem(ArtifactProblem(
                kind: .duplicateName, path: last.path,
                message: "\(indices.count) entries are written to '\(written)' (\(names)): unzip, Python's zipfile and tar write each in turn over the one before, so what is on disk depends on the order (and, for a file and a folder, on the tool); only the last is judged"))
            lastEntry[written] = last
        }
        // A binary judged for an entry a later one replaced is dropped: only the last binary judged for the last
        // entry (its path and size) stays, when that entry is a file.
        var keep = [Bool](repeating: true, count: binaries.count)
        var kept: [String: Int] = [:]
        for (index, binary) in binaries.enumerated() {
            let written = LinkedEntries.written(binary.path)
            guard let last = lastEntry[written] else { continue }
            keep[index] = false
            if last.type == .file, binary.path == last.path, binary.size == last.size {
                if let previous = kept[written] { keep[previous] = false }
                kept[written] = index
                keep[index] = true
            }
        }
        dropBinaries(where: { !keep[$0] })
    }
}
