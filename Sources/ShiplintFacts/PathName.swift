/// Path arithmetic on plain strings, as `NSString`'s path methods do it (shiplint links FoundationEssentials only,
/// which has no `NSString`): repeated slashes count as one, a trailing slash is dropped, nothing touches the disk.
/// Held to `NSString`'s answers by EssentialsParityTests.
public enum PathName {
    /// The last component: "/a/b/" → "b", "/" → "/", "" → "".
    public static func last(_ path: String) -> String {
        let fixed = fixingSlashes(path)
        if fixed.utf8.count <= 1 { return fixed }
        return String(fixed[startOfLast(fixed)...])
    }

    /// All but the last component: "/a/b" → "/a", "/a" → "/", "a" → "", "/" → "/".
    public static func parent(_ path: String) -> String {
        let fixed = fixingSlashes(path)
        if fixed == "/" || fixed.isEmpty { return fixed }
        let start = startOfLast(fixed)
        if start == fixed.startIndex { return "" }
        if start == fixed.index(after: fixed.startIndex) { return "/" }
        return String(fixed[..<fixed.index(before: start)])
    }

    /// `component` appended with one slash between: "a" + "b" → "a/b", "" + "b" → "b", "a/" + "b" → "a/b"; the
    /// slashes already there are kept as written.
    public static func appending(_ path: String, _ component: String) -> String {
        if component.isEmpty { return path }
        if path.isEmpty { return component }
        return path.hasSuffix("/") ? path + component : path + "/" + component
    }

    /// "." and empty components removed and ".." taken back textually (an absolute path never rises above "/"),
    /// as `standardizingPath` does for paths that need no symbolic link or home folder resolved.
    public static func standardized(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." { parts.removeLast(); continue }
            if part == "..", absolute { continue }
            parts.append(part)
        }
        let body = parts.joined(separator: "/")
        return absolute ? "/" + body : (body.isEmpty ? (path.isEmpty ? "" : ".") : body)
    }

    /// Repeated slashes as one; a trailing slash dropped unless the path is "/".
    static func fixingSlashes(_ path: String) -> String {
        var result = ""
        result.reserveCapacity(path.utf8.count)
        var previousSlash = false
        for character in path {
            if character == "/" {
                if previousSlash { continue }
                previousSlash = true
            } else {
                previousSlash = false
            }
            result.append(character)
        }
        if result.count > 1, result.hasSuffix("/") { result.removeLast() }
        return result
    }

    private static func startOfLast(_ fixed: String) -> String.Index {
        guard let slash = fixed.lastIndex(of: "/") else { return fixed.startIndex }
        return fixed.index(after: slash)
    }
}
