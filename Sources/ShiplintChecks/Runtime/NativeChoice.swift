import ShiplintFacts
import ShiplintTargets

/// A native library shipped as one copy per platform, of which the runtime loads the one for its own platform: a
/// JAR's JNI libraries (the library's Java loader picks a folder by `os.name` / `os.arch`) and a .NET package's
/// `runtimes/<rid>/native/` files (the host picks the most specific RID it accepts). The copy picked is judged like
/// any library; the other platforms' copies are never loaded (notes); when no copy fits, that is the finding
/// (`jni-library-missing`, `dotnet-native-missing`).
public struct NativeChoice: Sendable, Equatable {
    public enum Picker: Sendable, Equatable {
        /// A JNI library in a JAR, found by the per-platform folder and file names real libraries load from.
        case jvm
        /// A .NET package asset under `runtimes/<rid>/native/`.
        case dotnet
    }

    /// One platform's copy.
    public struct Copy: Sendable, Equatable {
        /// The binary's path in its artifact (nested archives joined with `!`).
        public let path: String
        /// Its platform as the folder or file names say it (`linux/x86_64`, `darwin/aarch64`, `osx-arm64`).
        public let platform: String
        /// The platform names Linux (any architecture or C library).
        public let isLinux: Bool
        /// A JNI `.so` whose path names no platform: loaded as it is when no copy named for the platform is there.
        public var isUnnamed = false
    }

    public let picker: Picker
    public let artifact: String
    public let role: ArtifactRole
    /// Where the copies are, as a path of the artifact: the JAR (`lib/zstd-jni-1.5.2-5.jar`; empty for a JAR that is
    /// the artifact itself) or the `runtimes` folder (`runtimes`, `publish/runtimes`).
    public let container: String
    /// The library, platform words taken out (`zstd-jni`, `e_sqlite3`).
    public let library: String
    /// Every copy, by path.
    public let copies: [Copy]
    /// The copy the runtime loads, nil when none is for its platform.
    public let picked: String?
    /// The platform the runtime looks for (`linux/aarch64`; `linux-arm64` for .NET).
    public let wanted: String
    /// The .NET app's dependency manifest the copies were read from (`MyFunction.deps.json`), nil when they were found
    /// by their folders alone.
    public var manifest: String? = nil
    /// The copy picked is listed by the manifest but the artifact has no such file: the host fails to load it.
    public var pickedIsAbsent = false

    /// The JAR's or folder's name for messages (`zstd-jni-1.5.2-5.jar`, `runtimes`).
    public var containerName: String {
        let path = container.isEmpty ? artifact : container
        return EntryPath.lastComponent(path) ?? path
    }

    /// Who picks the copy, for messages.
    public var describedPicker: String {
        switch picker {
        case .jvm: "the library's loader (by os.name and os.arch)"
        case .dotnet: "the .NET host (by runtime identifier)"
        }
    }

    /// The copies for other platforms than the one picked (all of them when none is picked).
    public var others: [Copy] { copies.filter { $0.path != picked } }

    /// Some copy is for Linux: the library was meant to run there, just not on this architecture or C library.
    public var hasLinuxCopy: Bool { copies.contains(where: \.isLinux) }

    // MARK: - Finding them

    /// Every library of the deployment shipped per platform, for the runtime of `runtime`: JNI libraries in JARs on any
    /// runtime (a function may start its own JVM; only a Java runtime has one, see `jni-library-missing`), .NET
    /// `runtimes/<rid>/native` assets on a .NET runtime.
    static func all(placed: [(artifact: Artifact, role: ArtifactRole)], runtime: RuntimeView) -> [NativeChoice] {
        var choices: [NativeChoice] = []
        for (artifact, role) in placed where artifact.image == nil {
            choices += jni(in: artifact, role: role, runtime: runtime)
            if runtime.family == .dotnet || runtime.target.dotnet != nil {
                choices += dotnet(in: artifact, role: role, runtime: runtime)
            }
        }
        return choices
    }

    /// JNI libraries in the JARs of an artifact (and in the artifact itself when it is a JAR).
    static func jni(in artifact: Artifact, role: ArtifactRole, runtime: RuntimeView) -> [NativeChoice] {
        let artifactIsJar = artifact.path.lowercased().hasSuffix(".jar")
        var groups: [String: (container: String, library: String, copies: [(Copy, JniPlatform)])] = [:]
        for binary in artifact.binaries {
            let (container, inner): (String, String)
            if let bang = binary.path.lastIndex(of: "!") {
                container = String(binary.path[..<bang])
                inner = String(binary.path[binary.path.index(after: bang)...])
                guard container.lowercased().hasSuffix(".jar") else { continue }
            } else if artifactIsJar {
                container = ""
                inner = binary.path
            } else {
                continue
            }
            guard let platform = JniPlatform(path: inner) ?? JniPlatform(unnamedLinuxLibrary: inner) else { continue }
            let key = container + "\u{0}" + platform.library
            let copy = Copy(path: binary.path, platform: platform.description, isLinux: platform.os == "linux", isUnnamed: platform.isUnnamed)
            groups[key, default: (container, platform.library, [])].copies.append((copy, platform))
        }
        let wanted = JniPlatform(os: "linux", arch: runtime.architecture.rawValue, musl: runtime.libc.kind == .musl)
        return groups.values.map { group in
            // A copy named for the platform first; else one whose path names no platform, which the loader loads as
            // it is (netty's NativeLibraryLoader tries `netty_tcnative_linux_x86_64`, then `netty_tcnative`).
            var fitting = group.copies.filter { $0.1.os == wanted.os && $0.1.arch == wanted.arch && $0.1.musl == wanted.musl }
            if fitting.isEmpty { fitting = group.copies.filter(\.1.isUnnamed) }
            return NativeChoice(
                picker: .jvm, artifact: artifact.path, role: role, container: group.container, library: group.library,
                copies: group.copies.map(\.0).sorted { $0.path < $1.path }, picked: fitting.map(\.0.path).min(), wanted: wanted.description)
        }.sorted { ($0.container, $0.library) < ($1.container, $1.library) }
    }

    /// `runtimes/<rid>/native/*` of an artifact, grouped by library, each picked by the host's RID list: as the app's
    /// `.deps.json` lists them when it has one (the host loads only what it lists), by their folders otherwise.
    static func dotnet(in artifact: Artifact, role: ArtifactRole, runtime: RuntimeView) -> [NativeChoice] {
        let rids = runtime.target.dotnet?.runtimeIdentifiers ?? TargetRuntime.Dotnet.portableRIDs(runtime.architecture)
        let manifests = DotnetDeps.all(in: artifact)
        var choices = manifests.flatMap { dotnet(manifest: $0, in: artifact, role: role, rids: rids, runtime: runtime) }
        let described = Set(manifests.map { $0.appFolder.isEmpty ? "runtimes" : $0.appFolder + "/runtimes" })
        var groups: [String: (container: String, library: String, copies: [(Copy, String)])] = [:]
        for binary in artifact.binaries where !binary.path.contains("!") {
            let parts = binary.path.split(separator: "/").map(String.init)
            guard parts.count >= 4, let index = parts.lastIndex(of: "runtimes"), index + 3 == parts.count - 1, parts[index + 2] == "native"
            else { continue }
            let rid = parts[index + 1]
            let container = parts[...index].joined(separator: "/")
            guard !described.contains(container) else { continue }
            let library = Self.libraryName(parts[index + 3])
            let copy = Copy(path: binary.path, platform: rid, isLinux: rid == "linux" || rid.hasPrefix("linux-"))
            groups[container + "\u{0}" + library, default: (container, library, [])].copies.append((copy, rid))
        }
        let wanted = rids.first ?? "linux-\(runtime.architecture.nodeCPU)"
        choices += groups.values.map { group in
            // The most specific RID the host accepts that has a copy; copies for RIDs it does not accept never load.
            let picked = rids.lazy.compactMap { rid in group.copies.filter { $0.1 == rid }.map(\.0.path).min() }.first
            return NativeChoice(
                picker: .dotnet, artifact: artifact.path, role: role, container: group.container, library: group.library,
                copies: group.copies.map(\.0).sorted { $0.path < $1.path }, picked: picked, wanted: wanted)
        }
        return choices.sorted { ($0.container, $0.library) < ($1.container, $1.library) }
    }

    /// The native assets one `.deps.json` lists, by library: an asset without a RID is loaded as it is; otherwise the
    /// copy of the most specific RID the host accepts. A file under the app's `runtimes/<rid>/native/` the manifest
    /// does not list is a copy never picked (the host does not probe for it).
    static func dotnet(manifest: DotnetDeps, in artifact: Artifact, role: ArtifactRole, rids: [String], runtime: RuntimeView) -> [NativeChoice] {
        let prefix = manifest.appFolder.isEmpty ? "" : manifest.appFolder + "/"
        var groups: [String: [(Copy, String?)]] = [:]
        for asset in manifest.assets {
            let rid = asset.rid
            let copy = Copy(path: asset.path, platform: rid ?? "any", isLinux: rid.map { $0 == "linux" || $0.hasPrefix("linux-") } ?? true)
            groups[libraryName(EntryPath.lastComponent(asset.path) ?? asset.path), default: []].append((copy, rid))
        }
        let listed = Set(manifest.assets.map(\.path))
        for binary in artifact.binaries where binary.path.hasPrefix(prefix + "runtimes/") && !listed.contains(binary.path) {
            let parts = binary.path.dropFirst(prefix.count).split(separator: "/").map(String.init)
            guard parts.count == 4, parts[2] == "native" else { continue }
            let copy = Copy(path: binary.path, platform: parts[1] + " (not in \(EntryPath.lastComponent(manifest.manifest) ?? manifest.manifest))", isLinux: false)
            groups[libraryName(parts[3]), default: []].append((copy, nil as String?))
        }
        let present = Set(artifact.entries.map(\.path))
        let wanted = rids.first ?? "linux-\(runtime.architecture.nodeCPU)"
        return groups.keys.sorted().compactMap { library in
            let copies = groups[library]!
            let loaded = copies.first { $0.1 == nil && listed.contains($0.0.path) }?.0.path
            let picked = loaded ?? rids.lazy.compactMap { rid in copies.filter { $0.1 == rid }.map(\.0.path).min() }.first
            var choice = NativeChoice(
                picker: .dotnet, artifact: artifact.path, role: role, container: manifest.manifest, library: library,
                copies: copies.map(\.0).sorted { $0.path < $1.path }, picked: picked, wanted: wanted)
            choice.manifest = manifest.manifest
            choice.pickedIsAbsent = picked.map { !present.contains($0) } ?? false
            return choice
        }
    }

    /// `libe_sqlite3.so`, `e_sqlite3.dll` and `libe_sqlite3.dylib` are one library, `e_sqlite3`.
    static func libraryName(_ file: String) -> String {
        var name = file
        for suffix in [".so", ".dll", ".dylib", ".jnilib", ".a"] where name.lowercased().hasSuffix(suffix) {
            name = String(name.dropLast(suffix.count))
            break
        }
        if let so = name.firstRange(ofText: ".so.") { name = String(name[..<so.lowerBound]) }
        if name.hasPrefix("lib") && name.count > 3 { name = String(name.dropFirst(3)) }
        return name
    }
}

/// The platform a JNI library's path inside its JAR names, by the conventions libraries load them with:
/// `linux/amd64/libzstd-jni-1.5.5-6.so` (zstd-jni: `os.name`/`os.arch`), `org/sqlite/native/Linux/x86_64/` and
/// `Linux-Musl/aarch64` (sqlite-jdbc), `org/xerial/snappy/native/Mac/aarch64` (snappy-java),
/// `com/sun/jna/linux-x86-64/` (JNA), `natives/linux_64` (the "64"/"32" of gaming natives),
/// `META-INF/native/libnetty_transport_native_epoll_aarch_64.so` (netty: the os-maven-plugin's `aarch_64`,
/// `x86_64`). A `.dll` is Windows and a `.dylib`/`.jnilib` macOS when the path names no OS; a `.so` Linux.
/// Nil for a library whose path names no platform at all (`init(unnamedLinuxLibrary:)` takes a `.so` of those).
struct JniPlatform: Sendable, Equatable, CustomStringConvertible {
    let os: String
    let arch: String?
    let musl: Bool
    /// The path with the platform words taken out, and no `lib` prefix or extension: what the copies share.
    let library: String
    /// The path names no platform: a `.so` the library's loader loads as it is wherever it runs, when no copy named
    /// for the platform is there (`META-INF/native/libnetty-tcnative.so`).
    private(set) var isUnnamed = false

    init(os: String, arch: String?, musl: Bool, library: String = "") {
        self.os = os
        self.arch = arch
        self.musl = musl
        self.library = library
    }

    /// `linux/x86_64`, `linux-musl/aarch64`, `darwin`; "any platform (its path names none)" for an unnamed copy.
    var description: String {
        isUnnamed ? "any platform (its path names none)" : (musl ? "\(os)-musl" : os) + (arch.map { "/\($0)" } ?? "")
    }

    /// A `.so` whose path names no OS and no architecture (a `.dll`, `.dylib` or `.jnilib` is never loaded on Linux).
    init?(unnamedLinuxLibrary path: String) {
        let name = (path.lowercased().split(separator: "/").last).map(String.init) ?? path.lowercased()
        guard name.hasSuffix(".so") || name.contains(".so."), JniPlatform(path: path) == nil,
              let named = JniPlatform(path: path, assumingOS: "linux") else { return nil }
        self = named
        isUnnamed = true
    }

    init?(path: String) {
        self.init(path: path, assumingOS: nil)
    }

    /// The platform `path` names; with `assumingOS`, also a path that names none (its library name is still taken).
    private init?(path: String, assumingOS: String?) {
        let lowered = path.lowercased()
        let name = lowered.split(separator: "/").last.map(String.init) ?? lowered
        guard [".so", ".dll", ".dylib", ".jnilib"].contains(where: { name.hasSuffix($0) }) || name.contains(".so.") else { return nil }
        // Spellings of one architecture that separators would split: joined first.
        var text = lowered
        for (spelling, joined) in Self.joinedSpellings { text = text.replacingText(spelling, with: joined) }
        var folders = text.split(separator: "/").map(String.init)
        var file = folders.popLast() ?? text
        for suffix in [".so", ".dll", ".dylib", ".jnilib"] where file.hasSuffix(suffix) {
            file = String(file.dropLast(suffix.count))
            break
        }
        func words(_ part: String) -> [String] { part.split(whereSeparator: { "-_.".contains($0) }).map(String.init) }
        var os: String?
        var arch: String?
        var musl = false
        var remaining: [String] = []
        for (index, part) in (folders + [file]).enumerated() {
            let isFile = index == folders.count
            var kept: [String] = []
            for word in words(part) {
                if let found = Self.osWords[word] {
                    // Android names Linux too (`Linux-Android`): Android wins.
                    if os == nil || found == "android" { os = found }
                } else if let found = Self.archWords[word] {
                    arch = arch ?? found
                } else if word.count > 2, let width = Self.bitWords[String(word.suffix(2))], let found = Self.osWords[String(word.dropLast(2))] {
                    // `librocksdbjni-linux64.so`, `-linux32.so`: an OS with its width glued on means x86.
                    if os == nil || found == "android" { os = found }
                    arch = arch ?? width
                } else if word == "musl" {
                    musl = true
                } else if !isFile, let found = Self.bitWords[word] {
                    // `natives/linux_64`: a bare width in a folder name means x86.
                    arch = arch ?? found
                } else {
                    kept.append(word)
                }
            }
            if !kept.isEmpty { remaining.append(kept.joined(separator: "_")) }
        }
        guard os != nil || arch != nil || assumingOS != nil else { return nil }
        os = os ?? assumingOS
        if os == nil {
            os = name.hasSuffix(".dll") ? "windows" : name.hasSuffix(".dylib") || name.hasSuffix(".jnilib") ? "darwin" : "linux"
        }
        self.os = os ?? "linux"
        self.arch = arch
        self.musl = musl
        var library = remaining.joined(separator: "/")
        if let last = remaining.last, last.hasPrefix("lib"), last.count > 3 {
            library = (remaining.dropLast() + [String(last.dropFirst(3))]).joined(separator: "/")
        }
        self.library = library
    }

    static let joinedSpellings: [(String, String)] = [
        ("x86_64", "x86~64"), ("x86-64", "x86~64"), ("aarch_64", "aarch64"), ("ppcle_64", "ppc64le"), ("s390_64", "s390x"),
        ("x86_32", "x86"), ("arm_32", "arm"),
    ]

    static let osWords: [String: String] = [
        "linux": "linux", "darwin": "darwin", "mac": "darwin", "macos": "darwin", "macosx": "darwin", "osx": "darwin",
        "windows": "windows", "win": "windows", "win32": "windows", "win64": "windows", "freebsd": "freebsd",
        "android": "android", "sunos": "sunos", "solaris": "sunos", "aix": "aix", "openbsd": "openbsd", "netbsd": "netbsd",
    ]

    static let archWords: [String: String] = [
        "x86~64": "x86_64", "amd64": "x86_64", "x64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64",
        "x86": "x86", "i386": "x86", "i686": "x86", "arm": "arm", "armv7": "arm", "armv7l": "arm", "armhf": "arm", "armv6": "arm",
        "ppc64le": "ppc64le", "ppc64": "ppc64", "ppc": "ppc", "s390x": "s390x", "riscv64": "riscv64",
        "loongarch64": "loongarch64", "mips64": "mips64", "mips64el": "mips64",
    ]

    static let bitWords: [String: String] = ["64": "x86_64", "32": "x86"]
}

extension TargetRuntime.Dotnet {
    /// The RIDs a .NET 8+ host accepts on Linux for `architecture`, most specific first (Microsoft: "Host determines
    /// RID-specific assets"): what a rule without a `[dotnet]` table still judges by.
    public static func portableRIDs(_ architecture: TargetArchitecture) -> [String] {
        let arch = architecture.nodeCPU
        return ["linux-\(arch)", "linux", "unix-\(arch)", "unix", "any"]
    }
}
