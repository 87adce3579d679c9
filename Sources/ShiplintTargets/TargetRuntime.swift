import ShiplintFacts

/// Architectures a target may name, with what an ELF built for each looks like.
public enum TargetArchitecture: String, Sendable, CaseIterable {
    case x86_64, aarch64, i386, s390x, ppc64le

    public var elfMachine: UInt16 {
        switch self {
        case .x86_64: 62
        case .aarch64: 183
        case .i386: 3
        case .s390x: 22
        case .ppc64le: 21
        }
    }

    public var bits: Int { self == .i386 ? 32 : 64 }
    public var byteOrder: ByteOrder { self == .s390x ? .big : .little }

    /// The CPython / wheel platform triplet part (`x86_64-linux-gnu`).
    public var pythonTriplet: String {
        switch self {
        case .x86_64: "x86_64"
        case .aarch64: "aarch64"
        case .i386: "i386"
        case .s390x: "s390x"
        case .ppc64le: "powerpc64le"
        }
    }

    /// How AWS spells it in runtime names and `--architectures`.
    public var lambdaName: String { self == .aarch64 ? "arm64" : rawValue }
}

public enum TargetLibc: String, Sendable {
    case glibc, musl
}

/// A validated, fully resolved target rule: what the runtime an artifact will run on provides.
public struct TargetRuntime: Sendable {
    public struct Platform: Sendable {
        public let os: String
        public let arch: TargetArchitecture
        public let libc: TargetLibc
        public let libcVersion: VersionNumber
        public let displayName: String
        public let runtime: String?
    }

    public struct KnownAbsent: Sendable {
        public let soname: String
        public let fix: String
    }

    public struct Libraries: Sendable {
        public let searchPath: [String]
        public let os: [String]
        public let runtime: [String]
        public let knownAbsent: [KnownAbsent]

        /// Every soname the runtime's loader can find without help from the artifact.
        public var present: Set<String> { Set(os).union(runtime) }
    }

    public struct Python: Sendable {
        public let version: VersionNumber
        public let extensionSuffixes: [String]

        /// `313` for 3.13: the tag CPython puts in file names and wheel tags.
        public var tag: String { version.components.prefix(2).map(String.init).joined() }
    }

    /// What a Node.js runtime accepts from native addons and Prisma engines.
    public struct Node: Sendable {
        /// The major version (`22`).
        public let version: String
        /// NODE_MODULE_VERSION: a legacy (V8 C++) addon must have been built for exactly this one.
        public let moduleVersion: Int?
        /// The highest Node-API version the runtime supports (it supports every lower one too).
        public let napiVersion: Int?
        /// Prisma query engine binary targets that load on this runtime (`rhel-openssl-3.0.x`).
        public let prismaBinaryTargets: [String]
        /// The Node-API version each later `napi_*` / `node_api_*` function first appeared in.
        public let napiFunctionVersions: [String: Int]
    }

    public struct Package: Sendable {
        public let unzippedLimitBytes: Int?
        public let zippedUploadLimitBytes: Int?
        public let maxLayers: Int?
        public let taskRoot: String?
        public let layerRoot: String?
        public let layerPaths: [String]
        public let executableEntryPoints: [String]
    }

    public let name: String
    public let description: String
    /// Where the rule came from: `built-in` or the file path given.
    public let source: String
    public let platform: Platform
    /// Highest GLIBCXX / CXXABI / GCC version nodes of the runtime's own libstdc++ and libgcc_s.
    public let symbolVersions: [String: VersionNumber]
    public let libraries: Libraries
    public let python: Python?
    public let node: Node?
    /// The Node.js major version (`22`), for Node.js runtimes.
    public var nodeVersion: String? { node?.version }
    public let package: Package?

    /// For messages: "Amazon Linux 2 (python3.11)".
    public var runtimeLabel: String {
        platform.runtime.map { "\(platform.displayName) (\($0))" } ?? platform.displayName
    }

    public func knownAbsent(_ soname: String) -> KnownAbsent? {
        libraries.knownAbsent.first { $0.soname == soname }
    }
}
