/// A dotted version such as `2.2.5` or `3.4.30`, compared numerically (`2.2.5` < `2.17`).
public struct VersionNumber: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let components: [Int]

    public init(_ components: [Int]) {
        self.components = components
    }

    /// Parses `2.34`, `3.4.30`; nil for anything that is not dot-separated decimal numbers.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard !parts.isEmpty, parts.count <= 8 else { return nil }
        var components: [Int] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 9, part.allSatisfy(\.isASCII), let value = Int(part) else { return nil }
            components.append(value)
        }
        self.components = components
    }

    public var description: String { components.map(String.init).joined(separator: ".") }

    public static func < (lhs: VersionNumber, rhs: VersionNumber) -> Bool {
        for index in 0..<max(lhs.components.count, rhs.components.count) {
            let left = index < lhs.components.count ? lhs.components[index] : 0
            let right = index < rhs.components.count ? rhs.components[index] : 0
            if left != right { return left < right }
        }
        return false
    }

    public static func == (lhs: VersionNumber, rhs: VersionNumber) -> Bool {
        !(lhs < rhs) && !(rhs < lhs)
    }

    public func hash(into hasher: inout Hasher) {
        var trimmed = components
        while trimmed.last == 0 { trimmed.removeLast() }
        hasher.combine(trimmed)
    }
}

/// A symbol version node name split into its family and number: `GLIBC_2.28` is (`GLIBC`, 2.28).
/// Names without a number (`GLIBC_PRIVATE`, `GLIBC_ABI_DT_RELR`, `CXXABI_TM_1`) have none.
public struct SymbolVersion: Sendable, Hashable {
    public let family: String
    public let version: VersionNumber

    /// The families whose highest needed version decides where a binary can load.
    public static let trackedFamilies = ["GLIBC", "GLIBCXX", "CXXABI", "GCC"]

    public init?(_ name: String) {
        guard let underscore = name.lastIndex(of: "_") else { return nil }
        let family = String(name[..<underscore])
        guard !family.isEmpty, let version = VersionNumber(name[name.index(after: underscore)...]) else { return nil }
        self.family = family
        self.version = version
    }

    public var name: String { "\(family)_\(version)" }
}
