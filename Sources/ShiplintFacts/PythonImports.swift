/// One place Python source imports a module: an `import` or `from … import` statement, or an
/// `importlib.import_module` / `__import__` call with a literal name; with the `try` that lets the program go on
/// without the module, if any. Read from `.py` files by `PythonImportReader` (a second, small read of the files that
/// could import a native module that fails: `PythonSources`).
public struct PythonImport: Sendable, Hashable {
    /// The module named, as written after its leading dots (`numpy.core`, `_speedups`; `""` for `from . import x`).
    public let module: String
    /// How many leading dots (0: absolute).
    public let level: Int
    /// For `from M import a, b`: `a`, `b` (each may be a submodule of M); empty otherwise.
    public let names: [String]
    /// 1-based line of the statement.
    public let line: Int
    /// The `try` around it (not in a function or class defined inside it) whose handler catches ImportError and
    /// does not raise again; nil when nothing lets the program go on without the module.
    public let guardedBy: PythonImportGuard?
    /// Inside a `def` (or `async def`): it runs when the function is called, not when its file is imported.
    public let inFunction: Bool

    public init(
        module: String, level: Int = 0, names: [String] = [], line: Int, guardedBy: PythonImportGuard? = nil, inFunction: Bool = false
    ) {
        self.module = module
        self.level = level
        self.names = names
        self.line = line
        self.guardedBy = guardedBy
        self.inFunction = inFunction
    }
}

/// The handler that lets a program go on when an import fails.
public struct PythonImportGuard: Sendable, Hashable {
    /// What the handler catches of a failed import.
    public enum Catches: Sendable, Hashable {
        /// `ImportError` (or `Exception`, `BaseException`, a bare `except`): a module not found and one that fails to
        /// load (wrong architecture, missing library) alike.
        case importError
        /// Only `ModuleNotFoundError`: a module whose file the runtime's CPython does not see (named for another
        /// CPython, a `.pyd`), not one it finds and cannot load, nor `from package import missing` (an ImportError).
        case moduleNotFound
    }

    /// The handler as written up to its colon, spaces normalised: `except ImportError`, `except (ImportError, OSError)`,
    /// `except Exception as error`, `except`.
    public let handler: String
    /// 1-based line of the handler.
    public let line: Int
    /// The handler's first statement (`pass`, `from ._native import _escape_inner`), at most 120 characters.
    public let fallback: String
    public let catches: Catches

    public init(handler: String, line: Int, fallback: String, catches: Catches = .importError) {
        self.handler = handler
        self.line = line
        self.fallback = fallback
        self.catches = catches
    }
}

/// What a second read found in the Python files of an artifact that could import a native module that fails: each
/// file's imports, the folders read whole, and what could not be read (over a cap, unreadable) so that no conclusion
/// is drawn from a part.
public struct PythonSources: Sendable {
    /// Every file read, by entry path, with its imports in source order.
    public var imports: [String: [PythonImport]]
    /// Files wanted but not read, by entry path, with why.
    public var unread: [String: String]
    /// The folders (entry paths ending in `/`, `""` for the artifact's root) whose `.py` files were all asked for: a
    /// module's importers are known only inside them.
    public var folders: Set<String>

    public init(imports: [String: [PythonImport]] = [:], unread: [String: String] = [:], folders: Set<String> = []) {
        self.imports = imports
        self.unread = unread
        self.folders = folders
    }

    public var isEmpty: Bool { imports.isEmpty && unread.isEmpty && folders.isEmpty }

    /// Whether `path` was asked for (read or not).
    public func covers(_ path: String) -> Bool { imports[path] != nil || unread[path] != nil }

    /// Both reads' files; `other`'s win.
    public func merged(with other: PythonSources) -> PythonSources {
        PythonSources(
            imports: imports.merging(other.imports) { _, new in new }, unread: unread.merging(other.unread) { _, new in new },
            folders: folders.union(other.folders))
    }
}

/// Which `.py` files a second read looks at, and how much of each: `ArtifactReader.pythonSources`.
public struct PythonFileSelection: Sendable {
    /// Entry paths of the files to read.
    public let files: Set<String>
    /// The folders these files cover whole (`PythonSources.folders`).
    public let folders: Set<String>
    /// A larger file is not read (said in `PythonSources.unread`).
    public let fileBytes: Int
    /// All files together: past it, the rest are not read.
    public let totalBytes: Int

    /// 1 MiB per file (CPython's largest file is under 400 KB), 64 MiB in all.
    public static let defaultFileBytes = 1 << 20
    public static let defaultTotalBytes = 64 << 20

    public init(files: Set<String>, folders: Set<String>, fileBytes: Int = defaultFileBytes, totalBytes: Int = defaultTotalBytes) {
        self.files = files
        self.folders = folders
        self.fileBytes = fileBytes
        self.totalBytes = totalBytes
    }
}
