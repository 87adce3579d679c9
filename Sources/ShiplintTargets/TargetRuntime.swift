import ShiplintFacts

public enum TargetLibc: String, Sendable {
    case glibc, musl
    /// No C library at all: a container image with neither glibc's `libc.so.6` nor musl's loader (rule files cannot
    /// say this; only an image's own target can).
    case absent = "none"

    /// `glibc 2.34`, `musl` (its version is not in its symbols: 0), `no C library`.
    public func describe(version: VersionNumber) -> String {
        switch self {
        case .glibc: "glibc \(version)"
        case .musl: version == VersionNumber([0]) ? "musl" : "musl \(version)"
        case .absent: "no C library"
        }
    }
}

/// What a target stands for, which decides what a fix tells the user to do.
public enum TargetKind: String, Sendable {
    /// A Lambda runtime: ship what is missing in the function or a layer, build in the Lambda build image.
    case lambda
    /// A wheel policy (manylinux, musllinux): vendor with `auditwheel repair`, build in the manylinux image.
    case wheelPolicy = "wheel-policy"
}

/// A validated, fully resolved target rule: what the runtime an artifact will run on provides.
public struct TargetRuntime: Sendable {
    public struct Platform: Sendable {
        public let os: String
        public let arch: TargetArchitecture
        public let libc: TargetLibc
        /// glibc's version; 0 when it is not known (musl, which carries none in its symbols) or there is no libc.
        public let libcVersion: VersionNumber
        public let displayName: String
        public let runtime: String?
        /// Where the ELF program interpreter (`ld-linux-x86-64.so.2`, `ld-linux-aarch64.so.1`) exists on the target, by
        /// every path that reaches it (`/lib/ld-linux-aarch64.so.1`); empty when the rule does not say.
        public var loaderPaths: [String] = []
    }

    public struct KnownAbsent: Sendable {
        public let soname: String
        public let fix: String
    }

    /// A library of the runtime itself, with what it defines: the one place a rule says "library X of this runtime
    /// defines these version nodes / exports these symbols" (`[[libraries.provides]]`).
    public struct ProvidedLibrary: Sendable, Equatable {
        public let soname: String
        /// The folder the loader finds it in (`/lib64`, `/var/lang/lib`).
        public let directory: String
        /// Its release, in the words of its symbol table (`2.34` for glibc), when known.
        public let release: String?
        /// Version nodes it defines (`.gnu.version_d` without the base entry): empty when it defines none.
        public let versionNodes: [String]
        /// The built-in symbol table listing its exports (`glibc-x86_64`); nil when its exports are not known.
        public let symbols: String?

        public init(soname: String, directory: String, release: String?, versionNodes: [String], symbols: String?) {
            self.soname = soname
            self.directory = directory
            self.release = release
            self.versionNodes = versionNodes
            self.symbols = symbols
        }
    }

    public struct Libraries: Sendable {
        public let searchPath: [String]
        public let os: [String]
        public let runtime: [String]
        public let knownAbsent: [KnownAbsent]
        /// The runtime's own libraries that a rule describes further (`[[libraries.provides]]`), in rule order.
        public var provided: [ProvidedLibrary] = []

        /// The folder of the runtime's own libraries: first on LD_LIBRARY_PATH, so a library there shadows the OS's.
        public static let runtimeDirectory = LambdaFileSystem.path(LambdaFileSystem.runtimeRoot, LambdaFileSystem.libraryFolder)
        /// The OS's library folders, one place on Amazon Linux (/lib -> usr/lib, /lib64 -> usr/lib64).
        static let osDirectories: Set<String> = ["/lib64", "/usr/lib64", "/lib", "/usr/lib"]

        /// Every soname the runtime's loader can find without help from the artifact.
        public var present: Set<String> { Set(os).union(runtime) }

        /// The rule's entry for the copy of `soname` the loader found in `directory` (a `Resolution.runtime` folder):
        /// the runtime's own in /var/lang/lib, else the OS's, whichever of its folders the entry names. Nil when the
        /// rule does not describe that copy.
        public func provided(_ soname: String, in directory: String) -> ProvidedLibrary? {
            let os = Self.osDirectories.contains(directory)
            return provided.first { $0.soname == soname && ($0.directory == directory || (os && Self.osDirectories.contains($0.directory))) }
        }
    }

    public struct Python: Sendable {
        public let version: VersionNumber
        public let extensionSuffixes: [String]
        /// What the interpreter exports, when a capture read it (`python.exports`); nil: the built-in table for
        /// the version, if there is one.
        public var exports: [String]? = nil
        /// Whether the object that defines CPython's API (libpython, or the executable of a static build) has a
        /// PT_TLS with a size and an alignment (`python.tls-segment`): a static TLS relocation bound to CPython's
        /// name divides by its TLS alignment (see `ElfLoaderFacts.staticTLSImports`). Nil: not known.
        public var tlsSegment: Bool? = nil

        /// `313` for 3.13: the tag CPython puts in file names and wheel tags.
        public var tag: String { version.components.prefix(2).map(String.init).joined() }
    }

    /// One policy of pypa/auditwheel's policy table, for the target's architecture.
    public struct WheelPolicy: Sendable {
        /// auditwheel's name (`manylinux_2_17`, `musllinux_1_2`).
        public let name: String
        /// Every version node the policy allows, by family (`GLIBC`: `2.2.5` … `2.17`), exactly as the table lists them.
        public let symbolVersions: [String: Set<String>]
        /// Symbols the policy forbids importing from a library, by soname (`libz.so.1`: `zcalloc`, `zcfree`, …).
        public let blacklist: [String: Set<String>]

        public init(name: String, symbolVersions: [String: Set<String>], blacklist: [String: Set<String>]) {
            self.name = name
            self.symbolVersions = symbolVersions
            self.blacklist = blacklist
        }

        /// `GLIBC_2.18` is allowed when the family is listed and the version is in its set; a family the table does
        /// not list is not judged (as auditwheel does).
        public func allows(_ node: String) -> Bool? {
            let parts = node.split(separator: "_", maxSplits: 1)
            guard parts.count == 2, let allowed = symbolVersions[String(parts[0])] else { return nil }
            return allowed.contains(String(parts[1]))
        }

        /// The allowed versions of a family, numeric ones in numeric order then the rest (`TM_1`).
        public func sortedVersions(_ family: String) -> [String] {
            (symbolVersions[family] ?? []).sorted { a, b in
                switch (VersionNumber(a), VersionNumber(b)) {
                case (let x?, let y?): return x < y
                case (.some, nil): return true
                case (nil, .some): return false
                case (nil, nil): return a < b
                }
            }
        }
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
        /// Why the NODE_MODULE_VERSION or Node-API version is not known (an image whose Node.js could not be read):
        /// addons are then said to be unchecked, never passed in silence.
        public var unread: String? = nil
    }

    /// A Java runtime: the JVM loads JNI libraries that a library's own loader picks by `os.name` and `os.arch`.
    public struct Java: Sendable {
        /// The Java major version (`21`).
        public let version: String

        public init(version: String) {
            self.version = version
        }
    }

    /// A Ruby runtime: what RubyGems and `require` load native extensions by.
    public struct Ruby: Sendable {
        /// RUBY_VERSION (`3.3.12`).
        public let version: VersionNumber
        /// `RbConfig::CONFIG["ruby_version"]` (`3.3.0`): the folder name of every gem path (`vendor/bundle/ruby/3.3.0`,
        /// `/opt/ruby/gems/3.3.0`) and of the extensions folder's ABI level.
        public let versionFolder: String
        /// `RbConfig::CONFIG["arch"]` (`x86_64-linux`): `Gem::Platform.local`, and the extensions folder's name.
        public let arch: String

        public init(version: VersionNumber, versionFolder: String, arch: String) {
            self.version = version
            self.versionFolder = versionFolder
            self.arch = arch
        }

        /// `3.3`: the version an extension is built for (`libruby.so.3.3`, a fat gem's `lib/<gem>/3.3/` folder).
        public var minor: String { version.components.prefix(2).map(String.init).joined(separator: ".") }
        /// `libruby.so.3.3`: the soname of the runtime's libruby, which an extension built against a shared Ruby needs.
        public var libruby: String { "libruby.so.\(minor)" }
    }

    /// A .NET runtime: the host resolves a package's RID-specific assets (`runtimes/<rid>/native`) for these RIDs.
    public struct Dotnet: Sendable {
        /// Microsoft.NETCore.App (`8.0.28`).
        public let version: VersionNumber
        /// The RIDs the host accepts assets for, most specific first (`linux-x64`, `linux`, `unix-x64`, `unix`, `any`).
        public let runtimeIdentifiers: [String]

        public init(version: VersionNumber, runtimeIdentifiers: [String]) {
            self.version = version
            self.runtimeIdentifiers = runtimeIdentifiers
        }

        /// `8`: the major version, as `dotnet8` and `net8.0` say it.
        public var major: String { version.components.first.map(String.init) ?? "" }
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
    public var nodeVersion: String? { node.flatMap { $0.version.isEmpty ? nil : $0.version } }
    /// The language's native-loading facts, for Java, Ruby and .NET runtimes.
    public var java: Java? = nil
    public var ruby: Ruby? = nil
    public var dotnet: Dotnet? = nil
    public let package: Package?
    /// The auditwheel policy a wheel-policy target follows; nil for Lambda targets.
    public let wheelPolicy: WheelPolicy?

    public var kind: TargetKind { wheelPolicy == nil ? .lambda : .wheelPolicy }

    /// For messages about a wheel policy: "the manylinux2014 aarch64 policy".
    public var policyLabel: String { "the \(platform.displayName) \(platform.arch.rawValue) policy" }

    /// For messages: "Amazon Linux 2 (python3.11)".
    public var runtimeLabel: String {
        platform.runtime.map { "\(platform.displayName) (\($0))" } ?? platform.displayName
    }

    public func knownAbsent(_ soname: String) -> KnownAbsent? {
        libraries.knownAbsent.first { $0.soname == soname }
    }
}
