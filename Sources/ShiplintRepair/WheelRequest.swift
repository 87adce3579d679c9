import ShiplintFacts
import ShiplintTargets

/// What a wheel must be to fit a target, in pip's words: the platform tags the target's loader accepts (highest libc
/// floor first, which pip then prefers), the CPython version (pip adds its `cpXY`, `abi3` and `none` ABIs) and the
/// implementation.
public struct WheelRequest: Sendable, Equatable {
    /// `manylinux_2_34_x86_64`, …, `manylinux_2_17_x86_64`, `manylinux2014_x86_64`, …: highest floor first.
    public let platforms: [String]
    /// `3.13`.
    public let pythonVersion: String

    /// The request for `target`, nil when it is not a CPython runtime on Linux (what pip cannot install for).
    public init?(target: TargetRuntime) {
        guard let python = target.python, target.platform.os == "linux" else { return nil }
        let components = python.version.components
        guard components.count >= 2 else { return nil }
        pythonVersion = "\(components[0]).\(components[1])"
        platforms = Self.platforms(libc: target.platform.libc, version: target.platform.libcVersion, arch: target.platform.arch)
        guard !platforms.isEmpty else { return nil }
    }

    /// Every platform tag whose floor is at or below the runtime's libc, highest first (pip widens none of them:
    /// `--platform manylinux_2_28_x86_64` alone would not take a `manylinux_2_17` wheel). glibc's legacy aliases sit
    /// where their floor does (manylinux2014 = 2.17, manylinux2010 = 2.12, manylinux1 = 2.5; x86_64 and i686 only).
    static func platforms(libc: TargetLibc, version: VersionNumber, arch: TargetArchitecture) -> [String] {
        let components = version.components
        guard components.count >= 2 else { return [] }
        let wheelArch = arch == .i386 ? "i686" : arch.rawValue
        switch libc {
        case .absent:
            return []  // no C library: no manylinux or musllinux wheel runs there
        case .musl:
            guard components[0] == 1 else { return [] }
            return stride(from: components[1], through: 1, by: -1).map { "musllinux_1_\($0)_\(wheelArch)" }
        case .glibc:
            guard components[0] == 2 else { return [] }
            // manylinux wheels exist from glibc 2.5 for x86 and from 2.17 elsewhere (PEP 599, PEP 600).
            let lowest = arch == .x86_64 || arch == .i386 ? 5 : 17
            guard components[1] >= lowest else { return [] }
            var tags: [String] = []
            for minor in stride(from: components[1], through: lowest, by: -1) {
                tags.append("manylinux_2_\(minor)_\(wheelArch)")
                switch minor {
                case 17: tags.append("manylinux2014_\(wheelArch)")
                case 12: tags.append("manylinux2010_\(wheelArch)")
                case 5: tags.append("manylinux1_\(wheelArch)")
                default: break
                }
            }
            return tags
        }
    }

    /// `pip download` for `requirement` (`numpy==2.1.3`) into `folder`: binary wheels only, no dependencies.
    public func downloadArguments(_ requirement: String, into folder: String) -> [String] {
        ["download", "--only-binary=:all:", "--no-deps", "--disable-pip-version-check"] + platforms.flatMap { ["--platform", $0] }
            + ["--python-version", pythonVersion, "--implementation", "cp", "--dest", folder, requirement]
    }

    /// `pip install` of `requirement` from the wheel `pip download` left in `wheels` (no index: only that folder) into
    /// `folder`, as pip lays a `--target` install out (what a Lambda build does), without byte-compiling for the host's
    /// Python. Named as a requirement, not as a file, so pip records no `direct_url.json` pointing at the scratch folder.
    public func installArguments(_ requirement: String, from wheels: String, into folder: String) -> [String] {
        ["install", "--no-deps", "--no-index", "--find-links", wheels, "--only-binary=:all:", "--no-compile", "--disable-pip-version-check",
         "--target", folder] + platforms.flatMap { ["--platform", $0] } + ["--python-version", pythonVersion, "--implementation", "cp", requirement]
    }

    /// `pip install --dry-run --report` for the newest version of `name` that has a fitting wheel (its metadata only).
    public func newestArguments(_ name: String, scratch folder: String) -> [String] {
        ["install", "--dry-run", "--ignore-installed", "--no-deps", "--only-binary=:all:", "--disable-pip-version-check", "--quiet", "--report", "-",
         "--target", folder] + platforms.flatMap { ["--platform", $0] } + ["--python-version", pythonVersion, "--implementation", "cp", name]
    }
}
