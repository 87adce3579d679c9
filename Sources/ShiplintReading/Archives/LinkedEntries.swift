import ShiplintFacts

/// Links judged by what they point to. An extractor writes a symbolic link (unzip restores a ZIP's, tar's) or a hard
/// link, and the runtime that opens the link's path loads its target: a module name linked to a Mach-O blob is a
/// Mach-O module. A link named like a binary whose target is a file of the same artifact not judged under its own
/// name (`blob.dat`) is judged at the link's path, its facts naming the target (`Binary.linkTarget`). A target judged
/// under its own name already has its findings there.
enum LinkedEntries {
    /// Where the content of an entry of the artifact can be had again, by its path.
    enum Source {
        case folder(root: String)
        case zip(path: String, directory: ZipCentralDirectory?)
        case tar(path: String)
        case none
    }

    /// The links to judge, each with the path of the file it leads to.
    static func pending(in walk: Walk) -> [(link: ArtifactEntry, target: ArtifactEntry)] {
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
        for entry in walk.entries where !entry.path.contains("!") { byPath[normalised(entry.path) ?? entry.path] = entry }
        return candidates.compactMap { link in
            guard !judged.contains(link.path), let target = resolve(link, in: byPath), target.type == .file,
                !judged.contains(target.path)
            else { return nil }
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
    /// Judges each pending link (`LinkedEntries`) by its target's content, read again from `source`.
    mutating func judgeLinks(from source: LinkedEntries.Source) {
        let pending = LinkedEntries.pending(in: self)
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
