import ShiplintFacts
import ShiplintReading

/// A Python distribution installed in a ZIP, as its `.dist-info` folder records it: what `repair` replaces.
public struct InstalledFiles: Sendable, Equatable {
    /// `python/numpy-1.26.4.dist-info`.
    public let folder: String
    /// The folder it was installed into (`""`, `python/`, `python/lib/python3.11/site-packages/`).
    public let root: String
    /// `METADATA`'s `Name:` (else the folder's).
    public let name: String
    public let version: String
    /// `INSTALLER`'s first line.
    public let installer: String?
    /// Every path its RECORD lists, as an entry name of the ZIP (relative to `root`, `..` resolved), plus the
    /// `.dist-info` folder's own entries.
    public let files: Set<String>

    /// Every distribution in `zip`, in folder order (not those inside nested archives: a `!` path is never a ZIP entry).
    public static func all(in zip: ZipRewriter) -> [InstalledFiles] {
        var folders = Set<String>()
        for entry in zip.entries {
            let components = entry.name.split(separator: "/", omittingEmptySubsequences: false)
            if let index = components.dropLast().firstIndex(where: { $0.hasSuffix(".dist-info") }) {
                folders.insert(components[0...index].joined(separator: "/"))
            }
        }
        return folders.sorted().compactMap { folder in read(folder, in: zip) }
    }

    static func read(_ folder: String, in zip: ZipRewriter) -> InstalledFiles? {
        let components = folder.split(separator: "/").map(String.init)
        let base = String(components.last!.dropLast(".dist-info".count))
        guard let dash = base.lastIndex(of: "-") else { return nil }
        let root = components.dropLast().map { $0 + "/" }.joined()
        func text(_ file: String) -> String? { zip.contents(of: "\(folder)/\(file)").map { String(decoding: $0, as: UTF8.self) } }
        let metadata = text("METADATA") ?? ""
        func field(_ key: String) -> String? {
            metadata.split(whereSeparator: \.isNewline).first { $0.hasPrefix(key + ":") }
                .map { $0.dropFirst(key.count + 1).trimmingWhitespace() }
        }
        var files = Set(zip.entries.map(\.name).filter { $0.hasPrefix(folder + "/") })
        for line in (text("RECORD") ?? "").split(whereSeparator: \.isNewline) {
            guard let path = recordPath(line) else { continue }
            files.formUnion(resolutions(path, under: root))
        }
        let installer = text("INSTALLER")?.split(whereSeparator: \.isNewline).first.map { String($0).trimmingWhitespace() }
        return InstalledFiles(
            folder: folder, root: root, name: field("Name") ?? String(base[..<dash]), version: field("Version") ?? String(base[base.index(after: dash)...]),
            installer: installer?.isEmpty == false ? installer : nil, files: files)
    }

    /// A RECORD line's path (a CSV field, quoted when it holds a comma).
    static func recordPath(_ line: Substring) -> String? {
        if line.hasPrefix("\"") {
            var path = ""
            var index = line.index(after: line.startIndex)
            while index < line.endIndex {
                let character = line[index]
                index = line.index(after: index)
                if character == "\"" {
                    if index < line.endIndex, line[index] == "\"" {
                        path.append("\"")
                        index = line.index(after: index)
                    } else {
                        return path
                    }
                } else {
                    path.append(character)
                }
            }
            return nil
        }
        return line.split(separator: ",", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)
    }

    /// Where a RECORD path may be: resolved against `root`, and for a path that starts by climbing (`../../bin/x`),
    /// also the rest under `root` (pip's `--target` records scripts that way and installs them as `<target>/bin/x`).
    static func resolutions(_ path: String, under root: String) -> [String] {
        var found = resolve(path, under: root).map { [$0] } ?? []
        let parts = path.split(separator: "/")
        if parts.first == "..", let rest = resolve(parts.drop { $0 == ".." }.joined(separator: "/"), under: root) { found.append(rest) }
        return found
    }

    /// `root` + `path` with `.` and `..` resolved (climbing above the ZIP's top stops there).
    static func resolve(_ path: String, under root: String) -> String? {
        var parts: [Substring] = root.split(separator: "/")
        for part in path.split(separator: "/") {
            switch part {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(part)
            }
        }
        return parts.isEmpty ? nil : parts.joined(separator: "/")
    }

    /// Whether `path` (a finding's path in the artifact) is one of its files, or sits in one of its top-level
    /// packages when RECORD does not list it (`numpy/…` for numpy).
    public func owns(_ path: String) -> Bool {
        if files.contains(path) || path.hasPrefix(folder + "/") { return true }
        guard path.hasPrefix(root), !path.contains("!") else { return false }
        let top = path.dropFirst(root.count).split(separator: "/").first.map(String.init) ?? ""
        return Self.normalised(top) == Self.normalised(name) || topLevels.contains(top)
    }

    /// The top-level folders its RECORD installs (`numpy`, `numpy.libs`), under `root`.
    var topLevels: Set<String> {
        Set(files.compactMap { file -> String? in
            guard file.hasPrefix(root) else { return nil }
            let rest = file.dropFirst(root.count).split(separator: "/")
            guard rest.count > 1, let top = rest.first, !top.hasSuffix(".dist-info"), top != "bin" else { return nil }
            return String(top)
        })
    }

    static func normalised(_ name: String) -> String {
        name.lowercased().replacingText("-", with: "_").replacingText(".", with: "_")
    }
}
