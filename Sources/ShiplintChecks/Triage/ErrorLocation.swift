import FoundationEssentials
import ShiplintFacts

/// A place an error text names, whatever the message around it: the runtime printed it because it looked there, loaded
/// from there or failed there. Families (`ErrorSignal`) say what went wrong; locations say where, and the artifact is
/// asked about each one even when no family matches the text.
public enum ErrorLocation: Sendable, Hashable {
    /// A file or folder as written: absolute (`/var/task/lib/lxml/__init__.py`, `/opt/extensions/agent`) or relative
    /// (`./sharp-linux-x64.node`, `../build/Release/sharp-linux-x64.node`).
    case path(String)
    /// A shared library by its soname (`libGL.so.1`, `libssl.so.10`).
    case soname(String)
    /// A symbol version node (`GLIBC_2.28`, `GLIBCXX_3.4.30`, `OPENSSL_3.0.0`).
    case symbolVersion(String)
    /// An npm package (`@img/sharp-linux-x64`, `@rollup/rollup-linux-x64-gnu`).
    case nodePackage(String)
    /// An architecture or platform word (`x86_64`, `aarch64`, `arm64`, `linux-x64`, `ELFCLASS32`).
    case architecture(String)

    /// `path`, `soname`, … for JSON.
    public var kind: String {
        switch self {
        case .path: "path"
        case .soname: "soname"
        case .symbolVersion: "symbol-version"
        case .nodePackage: "node-package"
        case .architecture: "architecture"
        }
    }

    public var value: String {
        switch self {
        case .path(let value), .soname(let value), .symbolVersion(let value), .nodePackage(let value), .architecture(let value): value
        }
    }
}

/// Reads the locations of one plain line (a JSON log record already decoded) in one pass over its tokens: a token ends
/// at white space, a quote, a bracket, `,`, `;`, `|` or `=`; a path's trailing `:` and `.` are the sentence's.
enum LocationScan {
    /// Architecture and platform spellings runtimes and package managers print (Node's `process.arch`, Python's
    /// platform tags, the ELF class glibc names).
    static let architectureWords: Set<String> = [
        "x86_64", "x86-64", "amd64", "x64", "aarch64", "arm64", "i386", "i686", "ia32", "ELFCLASS32", "ELFCLASS64",
    ]

    static func locations(in line: String) -> [ErrorLocation] {
        var found: [ErrorLocation] = []
        for raw in tokens(of: line) {
            guard let token = trimmed(raw) else { continue }
            if let location = classify(token), !found.contains(location) { found.append(location) }
        }
        return found
    }

    private static let separators: Set<Character> = [" ", "\t", "\"", "'", "`", "‘", "’", "(", ")", "[", "]", "{", "}", "<", ">", ",", ";", "|", "="]

    static func tokens(of line: String) -> [Substring] {
        line.split(whereSeparator: { separators.contains($0) || $0.isWhitespace })
    }

    /// The token without the sentence's punctuation around it (`/var/task/x.so:` → `/var/task/x.so`).
    static func trimmed(_ token: Substring) -> String? {
        var token = token
        while let last = token.last, ":.!?\\".contains(last) { token = token.dropLast() }
        while let first = token.first, first == ":" || first == "\\" { token = token.dropFirst() }
        return token.count < 2 || token.count > 4096 ? nil : String(token)
    }

    static func classify(_ token: String) -> ErrorLocation? {
        if architectureWords.contains(token) { return .architecture(token) }
        if let platform = platformWord(token) { return .architecture(platform) }
        if token.contains("://") { return nil }
        if token.hasPrefix("/") || token.hasPrefix("./") || token.hasPrefix("../") {
            // `/var/task/x.so` but not `/` alone or a regular expression; `node:internal/…` has no leading slash.
            // A stack frame's `:112:48` and a search path's `:/next/folder` are not part of the path.
            let path = token.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)[0]
            guard path.count > 1, path.contains(where: { $0.isLetter || $0.isNumber }) else { return nil }
            return .path(String(path))
        }
        if token.hasPrefix("@"), let slash = token.firstIndex(of: "/"), slash != token.index(before: token.endIndex),
            token.dropFirst().allSatisfy({ $0.isLetter || $0.isNumber || "-_./".contains($0) })
        {
            let parts = token.split(separator: "/")
            return parts.count >= 2 ? .nodePackage("\(parts[0])/\(parts[1])") : nil
        }
        if isSoname(token) { return .soname(token) }
        if isVersionNode(token) { return .symbolVersion(token) }
        return nil
    }

    /// `libGL.so.1`, `libssl.so.10`, `libc.musl-x86_64.so.1`, `libpq-e8a033dd.so.5.16`.
    static func isSoname(_ token: String) -> Bool {
        guard token.hasPrefix("lib"), let range = token.firstRange(ofText: ".so") else { return false }
        let rest = token[range.upperBound...]
        return token[..<range.lowerBound].count > 3 && (rest.isEmpty || (rest.first == "." && rest.dropFirst().allSatisfy { $0.isNumber || $0 == "." }))
            && !token.contains("/")
    }

    /// `GLIBC_2.28`, `GLIBCXX_3.4.30`, `CXXABI_1.3.13`, `OPENSSL_3.0.0`, `GCC_7.0.0`.
    static func isVersionNode(_ token: String) -> Bool {
        guard let underscore = token.lastIndex(of: "_") else { return false }
        let name = token[..<underscore]
        let version = token[token.index(after: underscore)...]
        return name.count >= 3 && name.allSatisfy({ ($0.isUppercase && $0.isASCII) || $0.isNumber || $0 == "_" }) && name.first!.isLetter
            && !version.isEmpty && version.first!.isNumber && version.allSatisfy { $0.isNumber || $0 == "." }
            && version.contains(".")
    }

    /// `linux-x64`, `linux-arm64`, `darwin-arm64`, `win32-x64`, `linuxmusl-x64` (Node's platform-arch pairs) and
    /// `os.arch=aarch64` already split at `=`.
    static func platformWord(_ token: String) -> String? {
        let parts = token.split(separator: "-")
        guard parts.count == 2, ["linux", "linuxmusl", "darwin", "win32", "freebsd"].contains(String(parts[0])),
            ["x64", "arm64", "ia32", "arm"].contains(String(parts[1]))
        else { return nil }
        return token
    }
}
