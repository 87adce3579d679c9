/// The architectures a target may name, with every spelling of each. This is the one place an architecture is
/// spelt: the ELF machine, Lambda's name (`arm64`), the GNU and CPython triplet part, the wheel platform tag,
/// Node.js's `process.arch` (`x64`), Go's and the OCI image config's `GOARCH` (`amd64`), Rust's target triple.
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

    /// The architecture of a Lambda function whose descriptor names none (AWS: `Architectures` defaults to x86_64).
    public static let lambdaDefault: TargetArchitecture = .x86_64

    public var bits: Int { self == .i386 ? 32 : 64 }
    public var byteOrder: ByteOrder { self == .s390x ? .big : .little }

    /// The CPython / GNU multiarch triplet part (`x86_64-linux-gnu`, `powerpc64le-linux-gnu`).
    public var pythonTriplet: String {
        switch self {
        case .x86_64: "x86_64"
        case .aarch64: "aarch64"
        case .i386: "i386"
        case .s390x: "s390x"
        case .ppc64le: "powerpc64le"
        }
    }

    /// The GNU multiarch triplet (`x86_64-linux-gnu`): Debian's library folders and CPython's extension suffix.
    public var gnuTriplet: String { "\(pythonTriplet)-linux-gnu" }

    /// How AWS spells it in runtime names, `Architectures` and `--architectures` (`x86_64`, `arm64`).
    public var lambdaName: String { self == .aarch64 ? "arm64" : rawValue }

    /// Go's `GOARCH`, which is also the OCI image config's and docker's `--platform linux/<arch>` (`amd64`, `arm64`).
    public var goArch: String {
        switch self {
        case .x86_64: "amd64"
        case .aarch64: "arm64"
        case .i386: "386"
        case .s390x: "s390x"
        case .ppc64le: "ppc64le"
        }
    }

    /// Node.js's `process.arch`, which npm's `cpu` field and `--cpu` use (`x64`, `arm64`).
    public var nodeCPU: String {
        switch self {
        case .x86_64: "x64"
        case .aarch64: "arm64"
        case .i386: "ia32"
        case .s390x: "s390x"
        case .ppc64le: "ppc64"
        }
    }

    /// Rust's and clang's target triple for glibc Linux (`x86_64-unknown-linux-gnu`).
    public var rustTarget: String { "\(self == .i386 ? "i686" : rawValue)-unknown-linux-gnu" }

    /// The architecture any of its spellings names (`amd64`, `x86-64`, `x64`, `arm64`, `aarch64`, `386` …); nil for
    /// none.
    public init?(spelling: String) {
        if let exact = TargetArchitecture(rawValue: spelling) {
            self = exact
            return
        }
        let lowered = spelling.lowercased()
        guard let found = TargetArchitecture.allCases.first(where: { $0.spellings.contains(lowered) }) else { return nil }
        self = found
    }

    /// The architecture of an ELF machine number, nil for one no target names.
    public init?(elfMachine: UInt16) {
        guard let found = TargetArchitecture.allCases.first(where: { $0.elfMachine == elfMachine }) else { return nil }
        self = found
    }

    /// Every spelling of this architecture, lowercased.
    public var spellings: Set<String> {
        var names: Set<String> = [rawValue, lambdaName, goArch, nodeCPU, pythonTriplet]
        switch self {
        case .x86_64: names.formUnion(["x86-64", "amd64"])
        case .i386: names.formUnion(["i686", "x86"])
        default: break
        }
        return names
    }
}
