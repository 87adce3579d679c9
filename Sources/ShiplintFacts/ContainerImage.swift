/// What was read from a container image (a `docker save` tarball or an OCI image layout) besides its files: how it
/// is packaged (media types, digests), its configuration, and its whole root file system.
public struct ContainerImage: Sendable {
    /// A manifest or index the image archive holds, as a registry would receive it.
    public struct Descriptor: Sendable, Equatable {
        public let mediaType: String
        public let digest: String
        /// `linux/arm64`, `unknown/unknown` (attestations), or empty where none is given.
        public let platform: String
        /// `vnd.docker.reference.type` of an index entry (`attestation-manifest` for buildx provenance).
        public let referenceType: String?

        public init(mediaType: String, digest: String, platform: String, referenceType: String?) {
            self.mediaType = mediaType
            self.digest = digest
            self.platform = platform
            self.referenceType = referenceType
        }
    }

    /// How the image is stored: `docker-archive` (a `docker save` tarball) or `oci-layout` (folder or tar).
    public let format: String
    /// The index entries next to the chosen manifest (every platform and attestation of an OCI index).
    public let indexEntries: [Descriptor]
    /// The media type of the index that lists the manifests, when there is one.
    public let indexMediaType: String?
    /// The chosen manifest's media type and its layers' media types, in order.
    public let manifestMediaType: String
    public let layerMediaTypes: [String]
    public let configMediaType: String

    // The image configuration.
    public let architecture: String
    public let os: String
    public let variant: String?
    public let env: [String: String]
    public let entrypoint: [String]
    public let cmd: [String]
    public let workingDir: String
    public let labels: [String: String]

    /// The sum of every layer's file sizes as unpacked (files later replaced or deleted included, as pulled).
    public let uncompressedBytes: Int64
    /// Problems with the image's integrity: digests that do not match, symbolic links that leave the root, layers
    /// that could not be read. `path` is a file of the root file system or a blob name.
    public let integrityProblems: [ArtifactProblem]
    /// Every entry of the root file system once all layers are applied (paths relative to `/`), and every native binary.
    public let rootEntries: [ArtifactEntry]
    public let rootBinaries: [Binary]
    /// Small text files of the root file system the target is read from, by path relative to `/`:
    /// `include/node/node_version.h` beside a Node.js binary.
    public let rootTextFiles: [String: String]

    public init(
        format: String, indexEntries: [Descriptor], indexMediaType: String?, manifestMediaType: String, layerMediaTypes: [String],
        configMediaType: String, architecture: String, os: String, variant: String?, env: [String: String], entrypoint: [String],
        cmd: [String], workingDir: String, labels: [String: String], uncompressedBytes: Int64, integrityProblems: [ArtifactProblem],
        rootEntries: [ArtifactEntry], rootBinaries: [Binary], rootTextFiles: [String: String] = [:]
    ) {
        self.format = format
        self.indexEntries = indexEntries
        self.indexMediaType = indexMediaType
        self.manifestMediaType = manifestMediaType
        self.layerMediaTypes = layerMediaTypes
        self.configMediaType = configMediaType
        self.architecture = architecture
        self.os = os
        self.variant = variant
        self.env = env
        self.entrypoint = entrypoint
        self.cmd = cmd
        self.workingDir = workingDir
        self.labels = labels
        self.uncompressedBytes = uncompressedBytes
        self.integrityProblems = integrityProblems
        self.rootEntries = rootEntries
        self.rootBinaries = rootBinaries
        self.rootTextFiles = rootTextFiles
    }

    /// `LAMBDA_TASK_ROOT` of the image, else Lambda's task root.
    public var taskRoot: String {
        env[LambdaFileSystem.taskRootVariable].flatMap { $0.isEmpty ? nil : $0 } ?? LambdaFileSystem.taskRoot
    }

    /// The config's architecture (`amd64`, `arm64`), nil for one no target names.
    public var targetArchitecture: TargetArchitecture? { TargetArchitecture(spelling: architecture) }

    /// The config's architecture as an ELF would name it (`amd64` → `x86_64`, `arm64` → `aarch64`).
    public var elfArchitecture: String { targetArchitecture?.rawValue ?? architecture }
}
