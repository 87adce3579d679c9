import FoundationEssentials
import ShiplintFacts

/// A function whose code is its source, not a build: a dependency manifest with dependencies in it, and none of
/// them installed beside it. Its native code is whatever the build will install, so nothing of it was checked.
public enum UnbuiltSources {
    /// Why the code looks unbuilt (the manifest and what is missing), or nil. Reads only the artifact's entries and
    /// the root manifests it captured (`metadataFiles`).
    public static func reason(_ code: Artifact) -> String? {
        var installedPython = false, nodeModules = false, vendoredGems = false, bootstrap = false
        for entry in code.entries {
            let path = entry.path
            let top = path.split(separator: "/", maxSplits: 1).first.map(String.init) ?? path
            if top.hasSuffix(".dist-info") || top.hasSuffix(".egg-info") || path.hasPrefix("python/") { installedPython = true }
            if top == "node_modules" { nodeModules = true }
            if path.hasPrefix("vendor/bundle/") { vendoredGems = true }
            if path == "bootstrap" { bootstrap = true }
        }
        let manifests = code.metadataFiles
        if let text = manifests["requirements.txt"], !installedPython, let first = requirements(text).first {
            return "requirements.txt asks for \(first)\(more(requirements(text).count)) and no Python distribution is installed beside it (no *.dist-info)"
        }
        if let text = manifests["pyproject.toml"], !installedPython, let first = pyprojectDependencies(text).first {
            return "pyproject.toml depends on \(first)\(more(pyprojectDependencies(text).count)) and no Python distribution is installed beside it (no *.dist-info)"
        }
        if let text = manifests["package.json"], !nodeModules, let count = nodeDependencies(text), count > 0 {
            return "package.json lists \(count) dependenc\(count == 1 ? "y" : "ies") and there is no node_modules/"
        }
        if let text = manifests["Gemfile"], !vendoredGems, gems(text) > 0 {
            return "Gemfile asks for gems and there is no vendor/bundle/"
        }
        for manifest in ["go.mod", "Cargo.toml"] where manifests[manifest] != nil && !bootstrap {
            return "\(manifest) is there but no compiled bootstrap"
        }
        return nil
    }

    /// The root files this judgement reads, for the reader to keep (besides `package.json`, kept anyway).
    public static let manifests: Set<String> = ["requirements.txt", "pyproject.toml", "package.json", "Gemfile", "go.mod", "Cargo.toml"]

    static func more(_ count: Int) -> String { count > 1 ? " (and \(count - 1) more)" : "" }

    /// Requirement lines: not blank, not a comment, not a pip option other than `-r` (which brings more).
    static func requirements(_ text: String) -> [String] {
        text.split(whereSeparator: \.isNewline).compactMap { raw in
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map { $0.trimmingSpaces } ?? ""
            if line.isEmpty || (line.hasPrefix("-") && !line.hasPrefix("-r") && !line.hasPrefix("--requirement")) { return nil }
            return String(line.prefix(60))
        }
    }

    /// `dependencies = ["a", "b"]` under `[project]`, or the keys of `[tool.poetry.dependencies]` but `python`.
    static func pyprojectDependencies(_ text: String) -> [String] {
        var table = "", found: [String] = [], inArray = false
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingSpaces
            if line.hasPrefix("[") && !inArray {
                table = line
                continue
            }
            if table == "[project]" {
                if line.hasPrefix("dependencies") && line.contains("=") { inArray = true }
                if inArray {
                    found += quoted(line)
                    if line.contains("]") { inArray = false }
                }
            } else if table == "[tool.poetry.dependencies]", let key = line.split(separator: "=").first?.trimmingSpaces,
                !key.isEmpty, !key.hasPrefix("#"), key != "python" {
                found.append(key)
            }
        }
        return found
    }

    static func quoted(_ line: String) -> [String] {
        line.split(separator: "\"", omittingEmptySubsequences: false).enumerated().compactMap { index, part in
            index % 2 == 1 && !part.isEmpty ? String(part) : nil
        }
    }

    /// How many entries `"dependencies"` holds; nil when the manifest has none or is not JSON.
    static func nodeDependencies(_ text: String) -> Int? {
        guard let object = JSONText.foundationObject(text),
            let dependencies = object["dependencies"] as? [String: Any]
        else { return nil }
        return dependencies.count
    }

    static func gems(_ text: String) -> Int {
        text.split(whereSeparator: \.isNewline).filter { $0.trimmingSpaces.hasPrefix("gem ") }.count
    }
}

extension StringProtocol {
    fileprivate var trimmingSpaces: String {
        String(self.drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" || $0 == "\r" }).reversed())
    }
}
