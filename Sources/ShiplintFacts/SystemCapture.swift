/// What `shiplint targets capture` read off the system it runs on: enough to write a target rule describing it.
public struct SystemCapture: Sendable, Equatable {
    /// A shared library the loader can find without help: in a folder of its default path, ld.so.conf or
    /// LD_LIBRARY_PATH.
    public struct Library: Sendable, Equatable {
        public let directory: String
        /// The file name the loader matches a DT_NEEDED entry against (a link such as `libz.so.1`, or the file).
        public let fileName: String
        public let soname: String?
        /// Version nodes it defines (`.gnu.version_d` without the base entry).
        public let versionNodes: [String]

        public init(directory: String, fileName: String, soname: String?, versionNodes: [String]) {
            self.directory = directory
            self.fileName = fileName
            self.soname = soname
            self.versionNodes = versionNodes
        }
    }

    public struct Python: Sendable, Equatable {
        /// `3.11`
        public let version: String
        /// `importlib.machinery.EXTENSION_SUFFIXES`, in order.
        public let extensionSuffixes: [String]
        /// The interpreter that was asked, and the libpython it maps (nil for a static build).
        public let executable: String
        public let library: String?
        /// Every symbol the executable and its libpython export, sorted.
        public let exports: [String]
        /// The object that defines CPython's API (the libpython, else the executable) has a PT_TLS; nil when it could
        /// not be read.
        public let tlsSegment: Bool?

        public init(version: String, extensionSuffixes: [String], executable: String, library: String?, exports: [String], tlsSegment: Bool? = nil) {
            self.version = version
            self.extensionSuffixes = extensionSuffixes
            self.executable = executable
            self.library = library
            self.exports = exports
            self.tlsSegment = tlsSegment
        }
    }

    public struct Node: Sendable, Equatable {
        /// `20.20.2`
        public let version: String
        public let moduleVersion: Int?
        public let napiVersion: Int?
        public let executable: String

        public init(version: String, moduleVersion: Int?, napiVersion: Int?, executable: String) {
            self.version = version
            self.moduleVersion = moduleVersion
            self.napiVersion = napiVersion
            self.executable = executable
        }
    }

    /// `/etc/os-release` keys (`PRETTY_NAME`, `ID`, `VERSION_ID`).
    public let osRelease: [String: String]
    /// The kernel's name for the machine (`uname -m`: `x86_64`, `aarch64`).
    public let machine: String
    /// The running glibc's version (`confstr(_CS_GNU_LIBC_VERSION)`), nil on another C library.
    public let glibcVersion: String?
    /// LD_LIBRARY_PATH as set, in order.
    public let libraryPath: [String]
    /// The loader's own folders (ld.so.conf, then the defaults), in search order.
    public let loaderDirectories: [String]
    /// Every library found, the first of each name in search order.
    public let libraries: [Library]
    public let python: Python?
    public let node: Node?
    /// LAMBDA_TASK_ROOT, when set (a capture run inside a Lambda function).
    public let taskRoot: String?

    public init(
        osRelease: [String: String], machine: String, glibcVersion: String?, libraryPath: [String], loaderDirectories: [String],
        libraries: [Library], python: Python?, node: Node?, taskRoot: String?
    ) {
        self.osRelease = osRelease
        self.machine = machine
        self.glibcVersion = glibcVersion
        self.libraryPath = libraryPath
        self.loaderDirectories = loaderDirectories
        self.libraries = libraries
        self.python = python
        self.node = node
        self.taskRoot = taskRoot
    }
}
