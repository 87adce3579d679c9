import Foundation
import ShiplintFacts

/// Walks an unzipped build folder in name order, without following symbolic links.
struct FolderSource {
    let root: String

    /// Deeper than this is a link loop or a hostile tree, not a build folder.
    private static let maximumDepth = 64

    func walk(into walk: inout Walk) {
        visit(relative: "", depth: 0, into: &walk)
    }

    private func visit(relative: String, depth: Int, into walk: inout Walk) {
        let folder = relative.isEmpty ? root : root + "/" + relative
        guard depth < Self.maximumDepth, let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for name in names.sorted() where !walk.stopped {
            let path = relative.isEmpty ? name : relative + "/" + name
            let full = folder + "/" + name
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: full) else { continue }
            let size = (attributes[.size] as? NSNumber)?.int64Value ?? 0
            let mode = Self.mode(of: full)
            switch attributes[.type] as? FileAttributeType {
            case .typeDirectory?:
                walk.recordFolderEntry(ArtifactEntry(path: path, size: 0, mode: mode, type: .directory))
                visit(relative: path, depth: depth + 1, into: &walk)
            case .typeSymbolicLink?:
                let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: full)) ?? ""
                walk.recordFolderEntry(ArtifactEntry(path: path, size: size, mode: mode, type: .symlink(target: target)))
            case .typeRegular?:
                walk.examineFile(path: path, size: size, mode: mode, depth: 0, encrypted: false, content: FileContent(path: full))
            default:
                walk.recordFolderEntry(ArtifactEntry(path: path, size: size, mode: mode, type: .other))
            }
        }
    }

    /// The full `st_mode` (type and permission bits) without following a final symbolic link.
    static func mode(of path: String) -> UInt32? {
        var status = stat()
        guard lstat(path, &status) == 0 else { return nil }
        return UInt32(status.st_mode)
    }
}
