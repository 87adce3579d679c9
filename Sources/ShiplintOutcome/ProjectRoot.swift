import FoundationEssentials
import ShiplintFacts

/// The folder artifact paths in finding identities are relative to: the configuration file's folder, else the git
/// repository's root, else the working folder. So a baseline written from `build/` matches a scan run from the
/// repository root, and one written on a laptop matches in CI.
public struct ProjectRoot: Sendable, Equatable {
    /// Absolute, symbolic links resolved.
    public let folder: String
    /// The git repository's root (absolute, links resolved) when the working folder is inside one: SARIF's `%SRCROOT%`.
    public let repository: String?
    /// Absolute; relative artifact paths are taken from here.
    public let workingFolder: String

    public init(folder: String, repository: String?, workingFolder: String) {
        self.folder = ProjectRoot.resolved(folder)
        self.repository = repository.map(ProjectRoot.resolved)
        self.workingFolder = ProjectRoot.resolved(workingFolder)
    }

    /// The root for a scan with `configurationFile` (as found or named, relative to the working folder), if any.
    public static func find(configurationFile: String?, workingFolder: String = FileManager.default.currentDirectoryPath) -> ProjectRoot {
        let repository = gitRoot(from: workingFolder)
        if let configurationFile {
            let absolute = configurationFile.hasPrefix("/") ? configurationFile : workingFolder + "/" + configurationFile
            let folder = PathName.parent(absolute)
            return ProjectRoot(folder: folder, repository: repository, workingFolder: workingFolder)
        }
        return ProjectRoot(folder: repository ?? workingFolder, repository: repository, workingFolder: workingFolder)
    }

    /// The nearest folder at or above `folder` that holds `.git` (a folder, or a file in a worktree).
    static func gitRoot(from folder: String) -> String? {
        var current = URL(fileURLWithPath: folder).standardizedFileURL
        while true {
            if FileManager.default.fileExists(atPath: current.appendingPathComponent(".git").path) { return current.path }
            let parent = current.deletingLastPathComponent()
            if parent.path == current.path { return nil }
            current = parent
        }
    }

    /// `artifact` (as given on the command line) relative to the root folder; absolute when outside it (the same
    /// from any working folder). Standard input (`-`) stays `-`.
    public func identityPath(_ artifact: String) -> String {
        guard artifact != "-" else { return artifact }
        let path = absolute(artifact)
        return ProjectRoot.relative(path, to: folder) ?? path
    }

    /// `artifact` relative to the repository root, nil when outside the repository (or not in one).
    public func repositoryPath(_ artifact: String) -> String? {
        guard artifact != "-", let repository else { return nil }
        return ProjectRoot.relative(absolute(artifact), to: repository)
    }

    private func absolute(_ artifact: String) -> String {
        ProjectRoot.resolved(artifact.hasPrefix("/") ? artifact : workingFolder + "/" + artifact)
    }

    /// Absolute and standardised, symbolic links resolved where the path exists.
    static func resolved(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }

    static func components(_ path: String) -> [String] {
        path.split(separator: "/").map(String.init)
    }

    static func relative(_ path: String, to folder: String) -> String? {
        let parts = components(path)
        let base = components(folder)
        guard parts.count >= base.count, Array(parts.prefix(base.count)) == base else { return nil }
        let rest = parts.dropFirst(base.count)
        return rest.isEmpty ? "." : rest.joined(separator: "/")
    }
}
