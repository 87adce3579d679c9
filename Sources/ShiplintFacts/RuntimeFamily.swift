/// The language of a Lambda runtime, read from its id (`python3.13`, `nodejs22.x`, `provided.al2023`): the one place
/// a runtime id is taken apart. Checks and advice ask `RuntimeView.family`, never the id's prefix.
public enum RuntimeFamily: String, Sendable, CaseIterable {
    case python, nodejs, java, ruby, dotnet
    /// An OS-only runtime (`provided.al2023`, `provided.al2`): the function brings its own executable, `bootstrap`.
    case provided

    /// The family of a Lambda runtime id, nil for an id of no known family.
    public init?(runtime: String) {
        guard let found = RuntimeFamily.allCases.first(where: { runtime.hasPrefix($0.rawValue) }) else { return nil }
        self = found
    }

    /// The folder of a layer whose content Lambda gives this language's runtime (AWS "Packaging your layer content"):
    /// `python/`, `nodejs/`, `java/`, `ruby/`; nil for a family with none.
    public var layerFolder: String? {
        switch self {
        case .python: "python"
        case .nodejs: "nodejs"
        case .java: "java"
        case .ruby: "ruby"
        case .dotnet, .provided: nil
        }
    }

    /// A runtime that ships no language interpreter: the code is an executable Lambda starts itself.
    public var isOSOnly: Bool { self == .provided }
}
