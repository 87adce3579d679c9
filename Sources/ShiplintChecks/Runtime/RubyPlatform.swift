import FoundationEssentials
import ShiplintFacts
import ShiplintTargets

/// A RubyGems platform (`x86_64-linux`, `arm64-darwin-23`, `x86_64-linux-musl`, `x64-mingw-ucrt`, `java`, `ruby`) as
/// Bundler writes it in Gemfile.lock's `PLATFORMS` and RubyGems in a platform gem's folder name
/// (`nokogiri-1.16.0-arm64-darwin`), and whether the Ruby of a Lambda runtime (`RbConfig::CONFIG["arch"]`,
/// `x86_64-linux` / `aarch64-linux`, glibc) accepts it (`Gem::Platform#=~`: same CPU, same OS, and a version that is
/// none or the same C library).
struct RubyPlatform: Sendable, Equatable, CustomStringConvertible {
    let description: String

    /// `ruby`: a gem of Ruby code only, or one compiled at install time; it fits every platform.
    var isGeneric: Bool { description == "ruby" }

    private var parts: [String] { description.lowercased().split(separator: "-").map(String.init) }

    /// Whether Ruby on `runtime` (Linux, its architecture, its C library) installs and activates gems of this platform.
    func fits(_ runtime: RuntimeView) -> Bool {
        if isGeneric { return true }
        let parts = parts
        guard parts.count >= 2, parts[1] == "linux" else { return false }
        let cpus: Set<String> = runtime.architecture == .aarch64 ? ["aarch64", "arm64"] : ["x86_64", "amd64", "x64"]
        guard cpus.contains(parts[0]) else { return false }
        let libc = parts.count > 2 ? parts[2] : nil
        switch libc {
        case nil, "gnu": return runtime.libc.kind == .glibc
        case "musl": return runtime.libc.kind == .musl
        default: return false
        }
    }

    /// The platform of a platform gem's full name (`nokogiri-1.16.0-arm64-darwin` → `arm64-darwin`): what follows the
    /// version, when the first word after it is a CPU RubyGems names (or `java`, `universal`); nil for a gem without
    /// one (`aws-sdk-core-3.190.0`, `ffi-1.17.0`).
    static func ofGem(fullName: String) -> (name: String, version: String, platform: RubyPlatform)? {
        let words = fullName.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard let versionIndex = words.indices.dropFirst().first(where: { isVersion(words[$0]) }), versionIndex + 1 < words.count
        else { return nil }
        let tail = words[(versionIndex + 1)...]
        guard let first = tail.first?.lowercased(), cpuWords.contains(first) || first.hasPrefix("universal") else { return nil }
        return (words[..<versionIndex].joined(separator: "-"), words[versionIndex], RubyPlatform(description: tail.joined(separator: "-")))
    }

    static let cpuWords: Set<String> = [
        "x86_64", "x64", "x86", "i386", "i486", "i586", "i686", "aarch64", "arm64", "arm", "armv7", "armv6", "powerpc", "ppc64le",
        "s390x", "riscv64", "java", "universal",
    ]

    private static func isVersion(_ word: String) -> Bool {
        guard let first = word.unicodeScalars.first, ("0"..."9").contains(first) else { return false }
        return word.unicodeScalars.allSatisfy { ("0"..."9").contains($0) || ("a"..."z").contains($0) || ("A"..."Z").contains($0) || $0 == "." }
    }
}

/// What Bundler's lock file says: the platforms it resolved gems for (`PLATFORMS`).
struct GemfileLock: Sendable, Equatable {
    let platforms: [RubyPlatform]

    /// Nil when the text has no `PLATFORMS` section (not a lock file Bundler wrote, or cut short).
    init?(text: String) {
        var platforms: [RubyPlatform] = []
        var inSection = false
        var found = false
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            if line == "PLATFORMS" {
                inSection = true
                found = true
                continue
            }
            guard inSection else { continue }
            guard line.hasPrefix("  ") else {
                inSection = false
                continue
            }
            let platform = line.trimmingWhitespace()
            if !platform.isEmpty { platforms.append(RubyPlatform(description: platform)) }
        }
        guard found else { return nil }
        self.platforms = platforms
    }
}

/// A gem installed for one platform (`vendor/bundle/ruby/3.3.0/gems/nokogiri-1.16.0-arm64-darwin/`) in a gem folder
/// of the function or a layer.
struct InstalledPlatformGem: Sendable, Equatable {
    let artifact: String
    let role: ArtifactRole
    /// The gem's folder in the artifact (`vendor/bundle/ruby/3.3.0/gems/nokogiri-1.16.0-arm64-darwin`).
    let folder: String
    /// The gem home it is installed in (`vendor/bundle/ruby/3.3.0/`).
    let home: String
    let name: String
    let version: String
    let platform: RubyPlatform

    /// Every platform gem of the deployment's gem folders (`<gem home>/gems/<full name>/`, a gem home being a
    /// `ruby_version` folder: `vendor/bundle/ruby/3.3.0`, a layer's `ruby/gems/3.3.0`), by folder.
    static func all(placed: [(artifact: Artifact, role: ArtifactRole)]) -> [InstalledPlatformGem] {
        var found: [String: InstalledPlatformGem] = [:]
        for (artifact, role) in placed where artifact.image == nil {
            for entry in artifact.entries where !EntryPath.isNested(entry.path) {
                guard let home = RubyABI.versionFolder(in: entry.path), !home.path.contains("/extensions/") else { continue }
                let rest = entry.path.dropFirst(home.path.count).split(separator: "/")
                guard rest.count >= 2, rest[0] == "gems" || rest[0] == "specifications" else { continue }
                let fullName = rest[0] == "gems" ? String(rest[1]) : String(rest[1].dropLast(rest[1].hasSuffix(".gemspec") ? 8 : 0))
                guard let gem = RubyPlatform.ofGem(fullName: fullName) else { continue }
                let folder = home.path + "gems/" + fullName
                let key = artifact.path + "\u{0}" + folder
                if found[key] == nil {
                    found[key] = InstalledPlatformGem(
                        artifact: artifact.path, role: role, folder: folder, home: home.path, name: gem.name, version: gem.version, platform: gem.platform)
                }
            }
        }
        return found.values.sorted { ($0.artifact, $0.folder) < ($1.artifact, $1.folder) }
    }

    /// The same gem and version installed in the same gem home for a platform that fits (or as `ruby`): RubyGems
    /// activates that one, and this one is never loaded.
    func hasFittingSibling(in artifact: Artifact, runtime: RuntimeView) -> Bool {
        let gems = home + "gems/"
        return artifact.entries.contains { entry in
            guard entry.path.hasPrefix(gems + name + "-" + version) else { return false }
            let fullName = entry.path.dropFirst(gems.count).split(separator: "/").first.map(String.init) ?? ""
            if fullName == name + "-" + version { return true }
            return RubyPlatform.ofGem(fullName: fullName).map { $0.name == name && $0.version == version && $0.platform.fits(runtime) } ?? false
        }
    }
}
