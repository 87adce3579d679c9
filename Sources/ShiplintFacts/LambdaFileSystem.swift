/// Where Lambda puts things in the file system of every managed runtime (AWS Lambda Developer Guide: "Defined runtime
/// environment variables" (`LAMBDA_TASK_ROOT`), "Packaging your layer content", "Lambda extensions API"). The paths
/// are spelt here only: checks, the resolver, `explain` and the fix advice ask `RuntimeView` (ShiplintChecks), which
/// starts from these and a target rule's own `task-root` / `layer-root`; readers of container images ask here.
public enum LambdaFileSystem {
    /// Where the function's code is unpacked (`LAMBDA_TASK_ROOT`).
    public static let taskRoot = "/var/task"
    /// Where every layer is unpacked, a later layer over an earlier one.
    public static let layerRoot = "/opt"
    /// The managed runtime's own interpreter (`bin/`) and libraries (`lib/`, first on `LD_LIBRARY_PATH`).
    public static let runtimeRoot = "/var/lang"
    /// The function's writable scratch space (`/tmp`): where a Java library copies the JNI library it picked from
    /// its JAR before loading it.
    public static let scratchRoot = "/tmp"
    /// Below a code root: the folder on `PATH` (from a layer: `/opt/bin`) and on `LD_LIBRARY_PATH` (`/var/task/lib`,
    /// `/opt/lib`).
    public static let executableFolder = "bin"
    public static let libraryFolder = "lib"
    /// Below the layer root: the external extensions Lambda starts before the function (`/opt/extensions`).
    public static let extensionsFolder = "extensions"
    /// The environment variable that names the task root (also in a container image's config).
    public static let taskRootVariable = "LAMBDA_TASK_ROOT"

    /// `root` + `/` + `relative` (`relative` empty: `root` itself).
    public static func path(_ root: String, _ relative: String) -> String {
        relative.isEmpty ? root : (root.hasSuffix("/") ? root + relative : root + "/" + relative)
    }
}
