import FoundationEssentials
import ShiplintFacts
import ShiplintTargets

/// How surely the runtime uses one file of a deployment; what fails in the file is as severe as that (STYLE 12).
public enum Reach: Sendable, Equatable {
    /// The runtime loads or runs it: an importable module, a library, a bootstrap, an extension, an executable on
    /// PATH. What fails in it fails the function: an error.
    case loaded
    /// An executable the runtime never runs by itself (not a bootstrap, not an extension, not on PATH): it fails
    /// only if some code runs it. A warning, worded "if run, …".
    case mightRun(runtimePath: String)
    /// Another platform's copy in a multi-platform bundle: a sibling built for this runtime sits beside it (a tool
    /// shipped for linux, macos and windows runs only its own platform's copy). Never used here: a note.
    case otherPlatform(sibling: String)
    /// One platform's copy of a library the runtime picks by platform (a JNI library in a JAR, a .NET
    /// `runtimes/<rid>/native` asset) when it picks none of them, or a JNI library on a runtime with no JVM: never
    /// loaded here, for the reason given (the missing copy is its own finding). A note.
    case notPicked(reason: String)
    /// A Python extension module the code imports only under `try: … except ImportError:`: if it does not load, the
    /// package goes on without it (its pure-Python code). A warning saying so.
    case optional(OptionalImport)
    /// A private Python extension module only tests, examples and modules nothing imports import: it fails only if
    /// something imports it. A warning saying so.
    case unimported(UnimportedModule)
    /// A file named like a Python extension module that exports no `PyInit_` function and that nothing imports: a
    /// library its package loads by its path (ctypes, a debugger). What fails in loading it stays as severe as the
    /// check says (it is loaded); what fails only in an `import` (`python-init-missing`) is a warning saying so.
    case loadedByPath(UnimportedModule)
}

/// The reach of every native file of one deployment, computed once per function from its runtime view and load
/// graph. Checks whose verdict means "this file cannot load or run here" are stamped with the severity its reach
/// allows (`Scanner`), so no check decides reachability itself.
public struct Reachability: Sendable {
    private struct Key: Hashable {
        let artifact: String
        let path: String
    }

    /// Only the files that are not `.loaded` (most are).
    private let reaches: [Key: Reach]

    public func reach(artifact: String, path: String) -> Reach {
        reaches[Key(artifact: artifact, path: path)] ?? .loaded
    }

    /// Nothing is reduced: a wheel-policy target judges every file of a wheel alike.
    public static let everythingLoaded = Reachability(reaches: [:])

    private init(reaches: [Key: Reach]) {
        self.reaches = reaches
    }

    /// The function and its layers as `runtime` mounts them.
    public init(placed: [(artifact: Artifact, role: ArtifactRole)], runtime: RuntimeView) {
        guard runtime.hasPackageLayout else {
            self = .everythingLoaded
            return
        }
        struct Placed {
            let key: Key
            let binary: Binary
            let runtimePath: String
            let fits: Bool
        }
        var files: [Placed] = []
        // A single binary named on the command line is what the user asks about: judged as loaded. So is a container
        // image's code: its entrypoint may run any file, wherever it is.
        for (artifact, role) in placed where artifact.kind != .file && artifact.image == nil {
            for binary in artifact.binaries where !binary.path.contains("!") {
                files.append(Placed(
                    key: Key(artifact: artifact.path, path: binary.path), binary: binary,
                    runtimePath: runtime.runtimePath(binary.path, in: role), fits: Self.fits(binary, runtime: runtime)))
            }
        }
        // Copies of one program or library per platform share a name once the platform words are taken out.
        var fittingByKey: [String: String] = [:]
        for file in files where file.fits {
            let key = Self.platformFreeName(file.binary.path)
            if let known = fittingByKey[key], known <= file.binary.path { continue }
            fittingByKey[key] = file.binary.path
        }
        var reaches: [Key: Reach] = [:]
        // Libraries shipped per platform: the runtime loads the copy it picks, never the others.
        for choice in NativeChoice.all(placed: placed, runtime: runtime) {
            let noJVM = choice.picker == .jvm && runtime.family != .java && runtime.target.java == nil
            for copy in choice.copies {
                let key = Key(artifact: choice.artifact, path: copy.path)
                if noJVM {
                    reaches[key] = .notPicked(reason: "a JNI library in \(choice.containerName), and no JVM runs on \(runtime.runtimeID ?? "this runtime")")
                } else if copy.path == choice.picked {
                    continue
                } else if let picked = choice.picked, choice.pickedIsAbsent {
                    reaches[key] = .notPicked(reason: "\(choice.describedPicker) looks for \(picked), which \(choice.manifest ?? "the manifest") lists and the package lacks, and never for this copy (\(copy.platform))")
                } else if let picked = choice.picked, copy.isUnnamed {
                    reaches[key] = .notPicked(reason: "\(choice.describedPicker) loads \(picked), named for \(choice.wanted), first; this copy, whose path names no platform, is its fallback")
                } else if let picked = choice.picked {
                    reaches[key] = .otherPlatform(sibling: picked)
                } else {
                    reaches[key] = .notPicked(reason: "\(choice.describedPicker) looks for a copy for \(choice.wanted) and this one is for \(copy.platform)")
                }
            }
        }
        // A gem installed for another platform: RubyGems never activates it, so nothing in it loads (the gem is the
        // finding, `ruby-platform-mismatch`).
        if runtime.target.ruby != nil {
            for gem in InstalledPlatformGem.all(placed: placed) where !gem.platform.fits(runtime) {
                let reason = "in \(gem.folder), a gem installed for \(gem.platform), which Ruby on \(runtime.target.ruby?.arch ?? "this runtime") never activates"
                for file in files where file.key.artifact == gem.artifact && file.binary.path.hasPrefix(gem.folder + "/") {
                    reaches[file.key] = .notPicked(reason: reason)
                }
            }
        }
        for file in files where reaches[file.key] == nil {
            if !file.fits, let sibling = fittingByKey[Self.platformFreeName(file.binary.path)], sibling != file.binary.path {
                reaches[file.key] = .otherPlatform(sibling: sibling)
            } else if Self.isExecutable(file.binary), !Self.isRunByTheRuntime(file.runtimePath, runtime: runtime) {
                reaches[file.key] = .mightRun(runtimePath: file.runtimePath)
            }
        }
        // Python extension modules imported only under `except ImportError`, or by nothing the function runs (what a
        // second read of the Python files found).
        for (artifact, modules) in OptionalImports.judge(placed: placed, runtime: runtime) {
            for (path, reach) in modules where reaches[Key(artifact: artifact, path: path)] == nil {
                reaches[Key(artifact: artifact, path: path)] = reach
            }
        }
        self.reaches = reaches
    }

    /// A program (not a library or module): an ELF executable, a Windows `.exe`, a Mach-O `execute` file; and a file
    /// that could not be read, by its name: one that no loader opens by that name (not a `lib*.so*`, a module or an
    /// addon: `LoadMode`) is only ever run, as cmdstan's `bin/diagnose` in prophet's wheel.
    static func isExecutable(_ binary: Binary) -> Bool {
        switch binary.facts {
        case .elf(let elf)?: elf.type == .exec || (elf.interpreter != nil && elf.soname == nil && !isModuleName(binary.path))
        case .pe(let pe)?: !pe.isDLL
        case .macho(let macho)?: macho.slices.contains { $0.fileType == "execute" }
        case .none: binary.problem != nil && LoadMode.of(fileName: binary.fileName) == nil && !isLibraryName(binary.fileName)
        default: false
        }
    }

    /// Named as a library some loader opens by name (`.so` anywhere in it, `.dll`, `.dylib`, `.pyd`), not run.
    private static func isLibraryName(_ name: String) -> Bool {
        let lower = name.lowercased()
        return lower.contains(".so") || lower.hasSuffix(".dll") || lower.hasSuffix(".dylib") || lower.hasSuffix(".pyd")
    }

    /// Extension modules and addons are loaded by `import` / `require`, even when linked as PIE executables.
    static func isModuleName(_ path: String) -> Bool {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        return name.hasSuffix(".so") || name.hasSuffix(".node") || name.hasSuffix(".pyd")
    }

    /// The runtime executes it: `bootstrap` (or a declared entry point) at the top of the code or of a layer, a
    /// file of `/opt/extensions`, or a program in a folder on PATH.
    static func isRunByTheRuntime(_ runtimePath: String, runtime: RuntimeView) -> Bool {
        let folder = runtimePath.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        let name = runtimePath.split(separator: "/").last.map(String.init) ?? runtimePath
        if runtime.entryPoints.contains(name) && (folder == runtime.taskRoot || folder == runtime.layerRoot) { return true }
        if folder == runtime.extensionsFolder { return true }
        return runtime.executablePath.contains(folder)
    }

    /// Built for this runtime's OS, architecture and C library (what `wrong-arch`, `musl-binary`, `windows-binary`,
    /// `darwin-binary` and `android-binary` would not say).
    static func fits(_ binary: Binary, runtime: RuntimeView) -> Bool {
        guard case .elf(let elf)? = binary.facts else { return false }
        guard elf.machine == runtime.architecture.elfMachine, elf.bits == 64, elf.byteOrder == .little else { return false }
        switch elf.libc {
        case .musl: return runtime.libc.kind == .musl
        case .bionic: return false
        case .glibc: return runtime.libc.kind == .glibc
        case .none, .unknown: return true
        }
    }

    /// The path with the words that name a platform taken out of its folders and file name:
    /// `selenium/webdriver/common/linux/selenium-manager` and `…/windows/selenium-manager.exe` are both
    /// `selenium/webdriver/common/selenium-manager`; `debugpy/…/attach_linux_amd64.so` and `attach_linux_x86.so` are
    /// both `…/attach`.
    static func platformFreeName(_ path: String) -> String {
        var parts = path.split(separator: "/").map(String.init)
        guard var name = parts.popLast() else { return path }
        for suffix in [".exe", ".dll", ".dylib", ".pyd", ".node", ".so"] where name.lowercased().hasSuffix(suffix) {
            name = String(name.dropLast(suffix.count))
            break
        }
        if let tag = name.firstRange(ofText: ".cpython-") ?? name.firstRange(ofText: ".cp3") { name = String(name[..<tag.lowerBound]) }
        func words(_ text: String) -> [String] {
            text.split(whereSeparator: { $0 == "-" || $0 == "_" || $0 == "." }).map { $0.lowercased() }.filter { !platformWords.contains($0) }
        }
        let folders = parts.map { words($0).joined(separator: "_") }.filter { !$0.isEmpty }
        return (folders + [words(name).joined(separator: "_")]).joined(separator: "/")
    }

    static let platformWords: Set<String> = [
        "linux", "darwin", "macos", "macosx", "osx", "mac", "apple", "windows", "win", "win32", "win64", "amd64", "x64", "x86",
        "x86-64", "i386", "i686", "aarch64", "arm64", "arm", "armv7", "armv7l", "armhf", "musl", "gnu", "glibc", "android",
        "freebsd", "ppc64le", "s390x", "universal", "universal2", "32", "64", "86",
    ]
}

extension RuntimeView {
    /// The reach of every native file of a function and its layers as this runtime mounts and runs them.
    public func reachability(placed: [(artifact: Artifact, role: ArtifactRole)]) -> Reachability {
        Reachability(placed: placed, runtime: self)
    }
}
