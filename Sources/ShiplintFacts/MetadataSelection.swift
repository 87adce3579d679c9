/// Which files of an artifact the reader keeps as text, for whoever reads them afterwards (the checks, `explain`): it
/// inflates nothing else that is not native. The caller says what it wants; by default nothing is kept.
public struct MetadataSelection: Sendable {
    public enum Match: Sendable, Equatable {
        /// Exactly this path (`package.json`, `bootstrap`).
        case path(String)
        /// A path ending so (`.dist-info/WHEEL`, `include/node/node_version.h`).
        case suffix(String)
        /// An installed npm package's manifest: `node_modules/<name>/package.json` or
        /// `node_modules/@scope/<name>/package.json`.
        case nodeManifest
        /// A file directly inside this top folder (`extensions/NAME`: a layer's Lambda extensions).
        case inFolder(String)
    }

    public struct Rule: Sendable {
        public let match: Match
        /// Kept up to `fileBytes` when longer (its head is what is used); otherwise a longer file is not kept.
        public let truncatable: Bool
        /// The most bytes kept of such a file (`fileBytes` unless the file is known to be larger and read whole).
        public let bytes: Int

        public init(_ match: Match, truncatable: Bool = false, bytes: Int = MetadataSelection.fileBytes) {
            self.match = match
            self.truncatable = truncatable
            self.bytes = bytes
        }
    }

    public let rules: [Rule]

    /// The most bytes kept of one file.
    public static let fileBytes = 64 * 1024
    public static let none = MetadataSelection(rules: [])

    public init(rules: [Rule]) {
        self.rules = rules
    }

    /// Asked of every entry, so compared byte by byte.
    public func wants(_ path: String) -> Bool {
        rules.contains { Self.matches($0.match, path) }
    }

    /// The most bytes kept of the file at `path` (the largest of the rules it matches).
    public func limit(_ path: String) -> Int {
        rules.filter { Self.matches($0.match, path) }.map(\.bytes).max() ?? Self.fileBytes
    }

    public func mayTruncate(_ path: String) -> Bool {
        rules.contains { $0.truncatable && Self.matches($0.match, path) }
    }

    private static func matches(_ match: Match, _ path: String) -> Bool {
        let bytes = path.utf8
        switch match {
        case .path(let wanted):
            return bytes.elementsEqual(wanted.utf8)
        case .suffix(let suffix):
            return bytes.count >= suffix.utf8.count && bytes.suffix(suffix.utf8.count).elementsEqual(suffix.utf8)
        case .nodeManifest:
            guard bytes.count >= 12, bytes.suffix(12).elementsEqual("package.json".utf8) else { return false }
            let parts = bytes.split(separator: UInt8(ascii: "/"))
            guard parts.count >= 3, parts.last!.elementsEqual("package.json".utf8) else { return false }
            return parts[parts.count - 3].elementsEqual("node_modules".utf8)
                || (parts.count >= 4 && parts[parts.count - 4].elementsEqual("node_modules".utf8)
                    && parts[parts.count - 3].first == UInt8(ascii: "@"))
        case .inFolder(let folder):
            let prefix = folder.utf8.count + 1
            return bytes.count > prefix && bytes.prefix(folder.utf8.count).elementsEqual(folder.utf8)
                && bytes.dropFirst(folder.utf8.count).first == UInt8(ascii: "/") && !bytes.dropFirst(prefix).contains(UInt8(ascii: "/"))
        }
    }
}
