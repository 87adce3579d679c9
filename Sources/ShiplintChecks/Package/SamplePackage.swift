import ShiplintFacts

/// Artifacts built in code for check examples and tests: what a reader would produce for such a package.
public enum SamplePackage {
    /// A ZIP whose `files` (path, unzipped size) are stored with `mode`, plus any other `entries`.
    public static func artifact(
        _ path: String, kind: ArtifactKind = .zip, files: [(String, Int64)] = [], mode: UInt32? = 0o100644,
        entries: [ArtifactEntry] = [], storedSize: Int64? = nil, metadataFiles: [String: String] = [:]
    ) -> Artifact {
        Artifact(
            path: path, kind: kind,
            entries: files.map { ArtifactEntry(path: $0.0, size: $0.1, mode: mode, type: .file) } + entries,
            binaries: [], problems: [], storedSize: storedSize, metadataFiles: metadataFiles)
    }

    public static func file(_ path: String, size: Int64 = 100, mode: UInt32? = 0o100644) -> ArtifactEntry {
        ArtifactEntry(path: path, size: size, mode: mode, type: .file)
    }

    public static func folder(_ path: String, mode: UInt32? = 0o040755) -> ArtifactEntry {
        ArtifactEntry(path: path, size: 0, mode: mode, type: .directory)
    }

    public static func symlink(_ path: String, to target: String) -> ArtifactEntry {
        ArtifactEntry(path: path, size: Int64(target.utf8.count), mode: 0o120777, type: .symlink(target: target))
    }

    /// An installed distribution: its `WHEEL` file with the given tags, plus one module file.
    public static func installed(_ distribution: String, version: String, tags: [String], under root: String = "") -> Artifact {
        let prefix = root.isEmpty ? "" : root + "/"
        let wheel = "\(prefix)\(distribution)-\(version).dist-info/WHEEL"
        let text = "Wheel-Version: 1.0\nGenerator: bdist_wheel (0.45.1)\nRoot-Is-Purelib: false\n"
            + tags.map { "Tag: \($0)\n" }.joined()
        return artifact(
            "function.zip", files: [("\(prefix)\(distribution)/__init__.py", 100), (wheel, Int64(text.utf8.count))],
            metadataFiles: [wheel: text])
    }
}
