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

    public init(module: String, level: Int = 0, names: [String] = [], line: Int, guardedBy: PythonImportGuard? = nil) {
        self.module = module
        self.level = level
        self.names = names
        self.line = line
        self.guardedBy = guardedBy
    }
}

/// The handler that lets a program go on when an import fails.
public struct PythonImportGuard: Sendable, Hashable {
    /// The handler as written up to its colon, spaces normalised: `except ImportError`, `except (ImportError, OSError)`,
    /// `except Exception as error`, `except`.
    public let handler: String
    /// 1-based line of the handler.
    public let line: Int
    /// The handler's first statement (`pass`, `from ._native import _escape_inner`), at most 120 characters.
    public let fallback: String

    public init(handler: String, line: Int, fallback: String) {
        self.handler = handler
        self.line = line
        self.fallback = fallback
    }
}

/// What a second read found in the Python files of an artifact that could import a native module that fails: each
/// file's imports, and what could not be read (over a cap, unreadable) so that no conclusion is drawn from a part.
public struct PythonSources: Sendable {
    /// Every file read, by entry path, with its imports in source order.
    public var imports: [String: [PythonImport]]
    /// Files wanted but not read, by entry path, with why.
    public var unread: [String: String]

    public init(imports: [String: [PythonImport]] = [:], unread: [String: String] = [:]) {
        self.imports = imports
        self.unread = unread
    }

    /// Whether `path` was asked for (read or not).
    public func covers(_ path: String) -> Bool { imports[path] != nil || unread[path] != nil }

    /// Both reads' files; `other`'s win.
    public func merged(with other: PythonSources) -> PythonSources {
        PythonSources(imports: imports.merging(other.imports) { _, new in new }, unread: unread.merging(other.unread) { _, new in new })
    }
}
