import FoundationEssentials
import ShiplintFacts

#if canImport(Glibc)
import Glibc
#endif

/// Reads the system shiplint runs on, for `shiplint targets capture`: its OS release, machine, glibc, the shared
/// libraries its loader finds (with the version nodes each defines) and the language runtimes on it. The
/// interpreters are asked what only they know (CPython's extension suffixes, Node.js's ABI versions), each in a
/// child process with a time limit; libraries are read with the same ELF reader as artifacts.
public enum SystemReader {
    /// `root` prefixes every path read (tests point it at a folder laid out like a system); interpreters are run
    /// only when `runInterpreters`.
    public static func capture(
        environment: [String: String] = ProcessInfo.processInfo.environment, python: String? = nil, node: String? = nil,
        runInterpreters: Bool = true
    ) -> SystemCapture {
        let machine = unameMachine()
        let libraryPath = (environment["LD_LIBRARY_PATH"] ?? "").split(separator: ":").map(String.init).filter { $0.hasPrefix("/") }
        let loaderDirectories = unique(configuredDirectories("/etc/ld.so.conf", depth: 0) + defaultDirectories(machine: machine))
        let elfMachine = hostElfMachine()
        var libraries: [SystemCapture.Library] = []
        var seen = Set<String>()
        for directory in unique(libraryPath + loaderDirectories) {
            for library in self.libraries(in: directory, machine: elfMachine) where seen.insert(library.fileName).inserted {
                libraries.append(library)
            }
        }
        let search = (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":").map(String.init)
        // A Lambda runtime's own interpreters first (/var/lang/bin), then PATH.
        let runtimeBin = LambdaFileSystem.path(LambdaFileSystem.runtimeRoot, LambdaFileSystem.executableFolder)
        let pythonPath = python ?? firstExecutable([runtimeBin + "/python3"] + search.map { $0 + "/python3" })
        let nodePath = node ?? firstExecutable([runtimeBin + "/node"] + search.map { $0 + "/node" })
        return SystemCapture(
            osRelease: osRelease(), machine: machine, glibcVersion: glibcVersion(), libraryPath: libraryPath,
            loaderDirectories: loaderDirectories, libraries: libraries,
            python: runInterpreters ? pythonPath.flatMap(readPython) : nil,
            node: runInterpreters ? nodePath.flatMap(readNode) : nil,
            taskRoot: environment[LambdaFileSystem.taskRootVariable])
    }

    // MARK: the system

    static func unameMachine() -> String {
        var names = utsname()
        uname(&names)
        return withUnsafeBytes(of: &names.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }

    /// The ELF machine of shiplint's own executable: a library for another architecture is skipped, as ld.so skips it.
    static func hostElfMachine() -> UInt16? {
        guard let header = ReadableFile(path: "/proc/self/exe")?.read(upTo: 20) else { return nil }
        guard header.count == 20, header.starts(with: [0x7F, 0x45, 0x4C, 0x46]) else { return nil }
        return header[5] == 2 ? UInt16(header[18]) << 8 | UInt16(header[19]) : UInt16(header[19]) << 8 | UInt16(header[18])
    }

    static func glibcVersion() -> String? {
        let length = confstr(Int32(_CS_GNU_LIBC_VERSION), nil, 0)
        guard length > 0 else { return nil }
        var buffer = [CChar](repeating: 0, count: length)
        confstr(Int32(_CS_GNU_LIBC_VERSION), &buffer, length)
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)  // "glibc 2.36"
        return text.hasPrefix("glibc ") ? String(text.dropFirst("glibc ".count)) : nil
    }

    static func osRelease() -> [String: String] {
        let text = (try? String(contentsOfFile: "/etc/os-release", encoding: .utf8))
            ?? (try? String(contentsOfFile: "/usr/lib/os-release", encoding: .utf8)) ?? ""
        var values: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            guard let equals = line.firstIndex(of: "="), !line.hasPrefix("#") else { continue }
            var value = line[line.index(after: equals)...]
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first { value = value.dropFirst().dropLast() }
            values[String(line[..<equals])] = String(value)
        }
        return values
    }

    /// Folders of `/etc/ld.so.conf` and the files it includes, in order (what ldconfig puts in ld.so.cache).
    static func configuredDirectories(_ file: String, depth: Int) -> [String] {
        guard depth < 8, let text = try? String(contentsOfFile: file, encoding: .utf8) else { return [] }
        var folders: [String] = []
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map { $0.trimmingWhitespace() } ?? ""
            if line.hasPrefix("include ") {
                let pattern = line.dropFirst("include ".count).trimmingWhitespace()
                let absolute = pattern.hasPrefix("/") ? pattern : PathName.parent(file) + "/" + pattern
                for included in glob(absolute) { folders += configuredDirectories(included, depth: depth + 1) }
            } else if line.hasPrefix("/") {
                folders.append(line)
            }
        }
        return folders
    }

    /// glibc's built-in folders (searched after the cache): `/lib64`, `/usr/lib64` on 64-bit machines, and the plain
    /// and multiarch folders distributions add.
    static func defaultDirectories(machine: String) -> [String] {
        let triplet = "\(machine)-linux-gnu"
        return ["/lib/\(triplet)", "/usr/lib/\(triplet)", "/lib64", "/usr/lib64", "/lib", "/usr/lib"]
    }

    private static func glob(_ pattern: String) -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        guard Glibc.glob(pattern, 0, nil, &result) == 0 else { return [] }
        return (0..<Int(result.gl_pathc)).compactMap { result.gl_pathv[$0].map { String(cString: $0) } }.sorted()
    }

    private static func unique(_ folders: [String]) -> [String] {
        var seen = Set<String>()
        return folders.filter { seen.insert(PathName.standardized($0)).inserted }
    }

    /// The ELF shared libraries of one folder for `machine` (by file name: a link counts under its own name).
    static func libraries(in directory: String, machine: UInt16?) -> [SystemCapture.Library] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        var found: [SystemCapture.Library] = []
        for name in names.sorted() where name.contains(".so") {
            let path = directory + "/" + name
            guard let facts = elf(at: resolvedPath(path)), facts.type == .dyn, machine == nil || facts.machine == machine
            else { continue }
            found.append(SystemCapture.Library(directory: directory, fileName: name, soname: facts.soname, versionNodes: facts.versionDefinitions))
        }
        return found
    }

    private static func resolvedPath(_ path: String) -> String {
        URL(fileURLWithPath: path).resolvingSymlinksInPath().path
    }

    /// Facts of the ELF file at `path`, nil for anything else (a linker script named `libc.so`, a folder).
    static func elf(at path: String) -> ElfFacts? {
        var status = stat()
        guard stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG, status.st_size >= 64,
            let data = FileManager.default.contents(atPath: path), data.starts(with: [0x7F, 0x45, 0x4C, 0x46])
        else { return nil }
        guard case .elf(let facts)? = BinaryReader.read(path: path, size: Int64(data.count), mode: nil, bytes: [UInt8](data))?.facts else { return nil }
        return facts
    }

    private static func firstExecutable(_ candidates: [String]) -> String? {
        candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    // MARK: interpreters

    /// Asks the interpreter its version, extension suffixes and the libpython it mapped, then reads the exports of
    /// both files.
    static func readPython(_ executable: String) -> SystemCapture.Python? {
        let script = """
            import importlib.machinery, json, sys
            lib = None
            try:
                for line in open('/proc/self/maps'):
                    path = line.split()[-1]
                    if '/libpython3' in path: lib = path; break
            except OSError: pass
            print(json.dumps({'version': '%d.%d' % sys.version_info[:2], 'suffixes': importlib.machinery.EXTENSION_SUFFIXES, 'executable': sys.executable, 'library': lib}))
            """
        guard let output = run(executable, ["-I", "-c", script]),
            let object = JSONText.foundationObject(output),
            let version = object["version"] as? String, let suffixes = object["suffixes"] as? [String]
        else { return nil }
        let interpreter = (object["executable"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? executable
        let library = object["library"] as? String
        var exports = Set<String>()
        var tlsSegment: Bool?
        for path in [interpreter, library].compactMap({ $0 }) {
            guard let facts = elf(at: resolvedPath(path)) else { continue }
            exports.formUnion(facts.symbols.names(defined: true) { _ in true })
            // The libpython when there is one (it defines the API), else the executable.
            if path == (library ?? interpreter) { tlsSegment = facts.loader.tlsAlignment != 0 }
        }
        return SystemCapture.Python(
            version: version, extensionSuffixes: suffixes, executable: interpreter, library: library, exports: exports.sorted(), tlsSegment: tlsSegment)
    }

    static func readNode(_ executable: String) -> SystemCapture.Node? {
        let script = "console.log(JSON.stringify({node: process.versions.node, modules: process.versions.modules, napi: process.versions.napi}))"
        guard let output = run(executable, ["-e", script]),
            let object = JSONText.foundationObject(output),
            let version = object["node"] as? String
        else { return nil }
        return SystemCapture.Node(
            version: version, moduleVersion: (object["modules"] as? String).flatMap { Int($0) },
            napiVersion: (object["napi"] as? String).flatMap { Int($0) }, executable: executable)
    }

    /// Standard output of a child process that exited 0 within 30 seconds; nil otherwise.
    static func run(_ executable: String, _ arguments: [String]) -> String? {
        guard let finished = ChildProcess.run(executable, arguments, collectErrors: false, timeoutSeconds: 30),
            !finished.timedOut, finished.status == 0
        else { return nil }
        return String(decoding: finished.output, as: UTF8.self)
    }
}
