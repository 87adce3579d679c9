import ShiplintFacts
import ShiplintTargets

/// `--to python3.13`, `--to arm64`, `--to python3.13-arm64`, `--to provided.al2023`: a move of a function's current
/// Lambda target to another runtime, another architecture, or both; what is not named stays as it was.
public struct Migration: Sendable, Equatable {
    /// As given on the command line (the matrix column's name).
    public let spelling: String
    /// The Lambda runtime to move to (`python3.13`), nil to keep each function's own.
    public let runtime: String?
    /// The architecture to move to, nil to keep each function's own.
    public let architecture: TargetArchitecture?

    public init(spelling: String, runtime: String?, architecture: TargetArchitecture?) {
        self.spelling = spelling
        self.runtime = runtime
        self.architecture = architecture
    }

    /// Reads a `--to` value against the built-in targets: a runtime some built-in target is for, an architecture
    /// (`arm64`, `aarch64`, `x86_64`, `amd64`), the two joined by `-`, or a built-in target's name.
    public static func parse(_ text: String, catalog: TargetCatalog = .builtIn) throws(ScanError) -> Migration {
        let runtimes = Set(catalog.targetNames.compactMap { TargetCatalog.lambdaRuntime(ofTargetName: $0)?.runtime })
        if let named = TargetCatalog.lambdaRuntime(ofTargetName: text) {
            return try checked(Migration(spelling: text, runtime: named.runtime, architecture: named.architecture), runtimes: runtimes)
        }
        if let architecture = TargetArchitecture(spelling: text) {
            return try checked(Migration(spelling: text, runtime: nil, architecture: architecture), runtimes: runtimes)
        }
        if let dash = text.lastIndex(of: "-"), let architecture = TargetArchitecture(spelling: String(text[text.index(after: dash)...])) {
            return try checked(Migration(spelling: text, runtime: String(text[..<dash]), architecture: architecture), runtimes: runtimes)
        }
        return try checked(Migration(spelling: text, runtime: text, architecture: nil), runtimes: runtimes)
    }

    private static func checked(_ migration: Migration, runtimes: Set<String>) throws(ScanError) -> Migration {
        if let runtime = migration.runtime, !runtimes.contains(runtime) {
            let close = Suggestion.closest(runtime, among: Array(runtimes))
            let hint = close.isEmpty ? "" : " (did you mean \(close.prefix(3).joined(separator: ", "))?)"
            throw ScanError("--to \(migration.spelling): no built-in Lambda target for the runtime '\(runtime)'\(hint); `shiplint targets` lists them")
        }
        if let architecture = migration.architecture, architecture != .x86_64, architecture != .aarch64 {
            throw ScanError("--to \(migration.spelling): Lambda runs x86_64 and arm64, not \(architecture.rawValue)")
        }
        return migration
    }

    /// The built-in target name a function on `runtime` and `architecture` moves to.
    public func targetName(from runtime: String, architecture: TargetArchitecture) -> String {
        TargetCatalog.lambdaTargetName(runtime: movedRuntime(from: runtime) ?? runtime, architecture: self.architecture ?? architecture)
    }

    /// The runtime a function on `current` moves to: the one named when it is of the same language (`python3.11` →
    /// `python3.13`) or an OS-only runtime (`provided.al2023`, which any code can move to); a function of another
    /// language keeps its own (`--to python3.13` leaves a Node.js function on Node.js). Nil when no runtime is named.
    public func movedRuntime(from current: String?) -> String? {
        guard let runtime else { return current }
        guard let current, let from = RuntimeFamily(runtime: current), let to = RuntimeFamily(runtime: runtime) else { return runtime }
        return from == to || to.isOSOnly ? runtime : current
    }

    /// The function as its descriptor would declare it after the move (its runtime and `Architectures` replaced), so
    /// the descriptor's own checks (handler, layer compatibility, deprecation) judge the moved function. An image
    /// function is its own target and is not moved.
    public func moved(_ descriptor: FunctionDescriptor) -> FunctionDescriptor {
        guard descriptor.packageType == "Zip" else { return descriptor }
        return FunctionDescriptor(
            name: descriptor.name, functionName: descriptor.functionName, runtime: movedRuntime(from: descriptor.runtime),
            architecture: architecture?.lambdaName ?? descriptor.architecture, handler: descriptor.handler, packageType: descriptor.packageType,
            code: descriptor.code, layers: descriptor.layers, file: descriptor.file, line: descriptor.line, notes: descriptor.notes)
    }
}

/// Which target a column of a scan judges each function against.
public enum TargetChoice: Sendable {
    /// Each function's own runtime and architecture (a project's default).
    case own
    /// One target for every function (`--target`): its name as given and the target.
    case fixed(name: String, runtime: TargetRuntime)
    /// Each function's own target moved (`--to`).
    case moved(Migration)

    /// The column's name in a matrix: `current` for each function's own, else as the user named it.
    public var name: String {
        switch self {
        case .own: "current"
        case .fixed(let name, _): name
        case .moved(let migration): migration.spelling
        }
    }
}
