import FoundationEssentials
import ShiplintFacts
import ShiplintTargets

/// An installed npm package, from its `node_modules/<name>/package.json`: what npm itself reads to decide whether the
/// package belongs on a platform (`os`, `cpu`, `libc`), plus the hints of a native addon (`binary`, `gypfile`).
struct InstalledNodePackage: Equatable {
    /// The manifest's entry path (`node_modules/@img/sharp-darwin-arm64/package.json`).
    let manifest: String
    /// The package folder (`node_modules/@img/sharp-darwin-arm64`).
    let folder: String
    let name: String
    let version: String
    let os: [String]
    let cpu: [String]
    let libc: [String]
    /// `gypfile: true`, or a `binary` section (node-pre-gyp): the package builds or downloads a `.node` addon.
    let buildsAddon: Bool
    let optionalDependencies: [String]
    /// `"type": "module"`: its `.js` files are ES modules.
    let isModuleType: Bool

    init?(manifest: String, text: String) {
        guard let data = text.data(using: .utf8),
            let object = JSONText.foundationObject(bytes: data)
        else { return nil }
        func strings(_ key: String) -> [String] {
            if let list = object[key] as? [String] { return list }
            if let one = object[key] as? String { return [one] }
            return []
        }
        self.manifest = manifest
        self.folder = manifest.hasSuffix("/package.json") ? String(manifest.dropLast("/package.json".count)) : ""
        let parts = folder.split(separator: "/")
        let fromPath = parts.count >= 2 && parts[parts.count - 2].hasPrefix("@") ? parts.suffix(2).joined(separator: "/") : String(parts.last ?? "")
        self.name = object["name"] as? String ?? fromPath
        self.version = object["version"] as? String ?? "?"
        self.os = strings("os")
        self.cpu = strings("cpu")
        self.libc = strings("libc")
        self.buildsAddon = (object["gypfile"] as? Bool) == true || (object["gypfile"] as? Int) == 1 || object["binary"] is [String: Any]
        self.optionalDependencies = ((object["optionalDependencies"] as? [String: Any]) ?? [:]).keys.sorted()
        self.isModuleType = (object["type"] as? String) == "module"
    }

    /// Every installed package of an artifact (not of archives inside it), by manifest path.
    static func all(in artifact: Artifact) -> [InstalledNodePackage] {
        artifact.metadataFiles.keys.sorted().filter { !EntryPath.isNested($0) && $0.hasSuffix("/package.json") }.compactMap {
            InstalledNodePackage(manifest: $0, text: artifact.metadataFiles[$0]!)
        }
    }

    /// Why npm would not install it on the target (`os [darwin]`), nil when it would. npm's rule (npm-install-checks
    /// `checkPlatform`): a list with `!x` excludes x; a list with plain values must contain the platform's;
    /// `libc` is only looked at on Linux.
    func rejection(on platform: NodePlatform) -> String? {
        func excluded(_ values: [String], _ current: String) -> Bool {
            if values.contains("!" + current) { return true }
            let allowed = values.filter { !$0.hasPrefix("!") }
            return !allowed.isEmpty && !allowed.contains(current)
        }
        var reasons: [String] = []
        if excluded(os, platform.os) { reasons.append("os [\(os.joined(separator: ", "))]") }
        if excluded(cpu, platform.cpu) { reasons.append("cpu [\(cpu.joined(separator: ", "))]") }
        if platform.os == "linux", excluded(libc, platform.libc) { reasons.append("libc [\(libc.joined(separator: ", "))]") }
        return reasons.isEmpty ? nil : reasons.joined(separator: ", ")
    }
}

/// The platform as npm names it (`process.platform`, `process.arch`, and `glibc` / `musl`).
struct NodePlatform {
    let os: String
    let cpu: String
    let libc: String

    /// The architecture, for names that spell it another way (`x86_64`, `aarch64`).
    let architecture: TargetArchitecture

    init(_ runtime: RuntimeView) {
        os = runtime.target.platform.os
        architecture = runtime.architecture
        cpu = runtime.architecture.nodeCPU
        libc = runtime.libc.kind.rawValue
    }

    var label: String { "\(os) \(cpu) \(libc)" }
}

/// A platform package's name split into the family (`@img/sharp`) and its platform words (`darwin`, `arm64`), the
/// way sharp, esbuild, swc, rollup and friends name theirs.
struct PlatformPackageName {
    static let systems: Set<String> = [
        "darwin", "linux", "linuxmusl", "win32", "windows", "freebsd", "openbsd", "netbsd", "android", "sunos", "aix",
        "openharmony", "macos", "mac",
    ]
    static let cpus: Set<String> = [
        "x64", "arm64", "arm", "ia32", "ppc64", "ppc64le", "s390x", "riscv64", "loong64", "mips64el", "x86_64", "aarch64",
        "universal", "armv7", "arm64ec",
    ]
    static let libcs: Set<String> = ["gnu", "musl", "msvc", "gnueabihf", "musleabihf", "eabi", "glibc"]

    let family: String
    let system: String
    let cpu: String?
    let libc: String?

    /// Nil for a name without an operating system word (`fsevents`, `sharp`): not a per-platform package.
    init?(_ name: String) {
        let scope = name.hasPrefix("@") ? String(name.prefix { $0 != "/" }) + "/" : ""
        let words = name.dropFirst(scope.count).split(separator: "-").map(String.init)
        guard let system = words.first(where: Self.systems.contains) else { return nil }
        self.system = system
        self.cpu = words.first(where: Self.cpus.contains)
        self.libc = words.first(where: Self.libcs.contains)
        let rest = words.filter { !Self.systems.contains($0) && !Self.cpus.contains($0) && !Self.libcs.contains($0) }
        self.family = scope + rest.joined(separator: "-")
    }

    /// True when the name says it is for this platform (`@img/sharp-linux-x64` on linux x64 glibc).
    func names(_ platform: NodePlatform) -> Bool {
        let isMusl = system == "linuxmusl" || libc == "musl" || libc == "musleabihf"
        return (system == platform.os || (system == "linuxmusl" && platform.os == "linux"))
            && (cpu.map { $0 == platform.cpu || TargetArchitecture(spelling: $0) == platform.architecture } ?? true)
            && isMusl == (platform.libc == "musl")
    }

    /// The same family's name for another platform, following this name's own pattern
    /// (`@img/sharp-darwin-arm64` → `@img/sharp-linux-x64`, `@rollup/rollup-linux-x64-musl` → `@rollup/rollup-linux-x64-gnu`).
    static func counterpart(of name: String, for platform: NodePlatform) -> String {
        let scope = name.hasPrefix("@") ? String(name.prefix { $0 != "/" }) + "/" : ""
        let words = name.dropFirst(scope.count).split(separator: "-").map { word -> String in
            let text = String(word)
            if systems.contains(text) { return text == "linuxmusl" && platform.libc == "glibc" ? "linux" : platform.os }
            if cpus.contains(text) { return platform.cpu }
            if text == "musl" && platform.libc == "glibc" { return "gnu" }
            if text == "gnu" && platform.libc == "musl" { return "musl" }
            return text
        }
        return scope + words.joined(separator: "-")
    }
}

/// Prebuilt addons shipped inside a package (`prebuilds/<platform>-<arch>/*.node`, as prebuildify and
/// node-gyp-build lay them out), and whether one fits the target.
enum PrebuildFolders {
    /// `linux-x64`, `darwin-arm64` … of every `prebuilds/<name>/` holding a `.node` file, by package folder.
    static func platforms(in artifact: Artifact) -> [String: Set<String>] {
        var found: [String: Set<String>] = [:]
        for entry in artifact.entries where !EntryPath.isNested(entry.path) && entry.path.hasSuffix(".node") {
            let parts = EntryPath.components(entry.path)
            guard let index = parts.lastIndex(of: "prebuilds"), index > 0, index + 2 < parts.count else { continue }
            found[parts[..<index].joined(separator: "/"), default: []].insert(parts[index + 1])
        }
        return found
    }
}
