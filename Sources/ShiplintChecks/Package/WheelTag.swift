import ShiplintFacts
import ShiplintTargets

/// One compatibility tag of a wheel (PEP 425, platform tags per PEP 600 / 656): `cp313-cp313-manylinux_2_17_x86_64`.
struct WheelTag: Equatable {
    let python: String
    let abi: String
    let platform: String

    var text: String { "\(python)-\(abi)-\(platform)" }

    /// A `Tag:` value, with compressed tag sets expanded (`py2.py3-none-any` is two tags); nil when malformed.
    static func parse(_ text: String) -> [WheelTag]? {
        let parts = text.split(separator: "-").map { $0.split(separator: ".").map(String.init) }
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty }) else { return nil }
        return parts[0].flatMap { python in
            parts[1].flatMap { abi in parts[2].map { WheelTag(python: python, abi: abi, platform: $0) } }
        }
    }

    /// Why CPython on the target cannot install this tag; nil when it can.
    func rejection(on target: TargetRuntime, python runtime: TargetRuntime.Python) -> String? {
        platformRejection(on: target) ?? pythonRejection(runtime)
    }

    private func pythonRejection(_ runtime: TargetRuntime.Python) -> String? {
        let major = runtime.version.components.first ?? 3
        let minor = runtime.version.components.dropFirst().first ?? 0
        let shown = "\(major).\(minor)"
        // `py3`, `py310`, `cp313`: the interpreter and the Python version it needs.
        func version(_ digits: Substring) -> (Int, Int?)? {
            guard let first = digits.first?.wholeNumberValue, digits.allSatisfy(\.isNumber) else { return nil }
            return (first, digits.count > 1 ? Int(digits.dropFirst()) : nil)
        }
        if python.hasPrefix("py"), let (tagMajor, tagMinor) = version(python.dropFirst(2)) {
            guard tagMajor == major, (tagMinor ?? 0) <= minor else { return "for Python \(python.dropFirst(2)), the runtime is Python \(shown)" }
        } else if python.hasPrefix("cp"), let (tagMajor, tagMinor) = version(python.dropFirst(2)) {
            let built = tagMinor.map { "\(tagMajor).\($0)" } ?? "\(tagMajor)"
            if abi == "abi3" {
                guard tagMajor == major, (tagMinor ?? 0) <= minor else { return "needs CPython \(built) or later (abi3), the runtime is \(shown)" }
            } else if tagMajor != major || tagMinor != minor {
                return "built for CPython \(built), the runtime is \(shown)"
            }
        } else {
            return "built for another Python implementation (\(python)), Lambda runs CPython"
        }
        switch abi {
        case "none", "abi3":
            return nil
        case "cp\(runtime.tag)":
            return nil
        case "cp\(runtime.tag)t":
            return "a free-threaded build (\(abi)); Lambda's CPython is not free-threaded"
        case "cp\(runtime.tag)d":
            return "a debug build (\(abi))"
        default:
            return "built for the ABI \(abi), the runtime's is cp\(runtime.tag)"
        }
    }

    private func platformRejection(on target: TargetRuntime) -> String? {
        if platform == "any" { return nil }
        let arch = target.platform.arch.wheelName
        if platform.hasPrefix("win") { return "a Windows wheel" }
        if platform.hasPrefix("macosx") { return "a macOS wheel" }
        guard let linux = LinuxPlatformTag(platform) else { return "platform \(platform) is not Linux" }
        if linux.arch != arch {
            return "built for \(linux.arch), the function runs on \(arch)"
        }
        switch (linux.libc, target.platform.libc) {
        case (nil, _):
            return "a plain \(platform) tag: built on one machine with no manylinux promise, so it is not portable (it may need that machine's glibc and libraries)"
        case (.glibc?, .musl):
            return "a glibc wheel (\(platform)), \(target.runtimeLabel) uses musl"
        case (.musl?, .glibc):
            return "a musl wheel (\(platform)), \(target.runtimeLabel) uses glibc"
        case (let libc?, .absent):
            return "a \(libc.rawValue) wheel (\(platform)), \(target.runtimeLabel) has no C library"
        case (let libc?, _):
            guard let needed = linux.libcVersion, needed <= target.platform.libcVersion else {
                return "needs \(libc.rawValue) \(linux.libcVersion?.description ?? "?") (\(platform)), \(target.runtimeLabel) has \(target.platform.libcVersion)"
            }
            return nil
        }
    }
}

/// `manylinux_2_17_x86_64`, the legacy aliases `manylinux1` (2.5), `manylinux2010` (2.12), `manylinux2014` (2.17),
/// `musllinux_1_2_aarch64`, or the plain `linux_x86_64` of a wheel built locally.
struct LinuxPlatformTag {
    let libc: TargetLibc?
    let libcVersion: VersionNumber?
    let arch: String

    private static let legacy = ["manylinux1_": "2.5", "manylinux2010_": "2.12", "manylinux2014_": "2.17"]

    init?(_ tag: String) {
        for (prefix, version) in Self.legacy where tag.hasPrefix(prefix) {
            libc = .glibc
            libcVersion = VersionNumber(version)
            arch = String(tag.dropFirst(prefix.count))
            return
        }
        for (prefix, kind) in [("manylinux_", TargetLibc.glibc), ("musllinux_", .musl)] where tag.hasPrefix(prefix) {
            let parts = tag.dropFirst(prefix.count).split(separator: "_", maxSplits: 2)
            guard parts.count == 3, let major = Int(parts[0]), let minor = Int(parts[1]) else { return nil }
            libc = kind
            libcVersion = VersionNumber([major, minor])
            arch = String(parts[2])
            return
        }
        guard tag.hasPrefix("linux_") else { return nil }
        libc = nil
        libcVersion = nil
        arch = String(tag.dropFirst("linux_".count))
    }
}

extension TargetArchitecture {
    /// How wheel platform tags spell it (`i686`, not `i386`).
    var wheelName: String { self == .i386 ? "i686" : rawValue }
}

/// An installed distribution's `WHEEL` file: `pydantic_core-2.27.2.dist-info/WHEEL`.
struct InstalledWheel {
    let distribution: String
    let version: String
    let tags: [WheelTag]

    init?(path: String, text: String) {
        let components = EntryPath.components(EntryPath.inner(path))
        guard components.count >= 2, components.last == "WHEEL", let folder = components.dropLast().last,
            folder.hasSuffix(".dist-info")
        else { return nil }
        let stem = folder.dropLast(".dist-info".count)
        let dash = stem.firstIndex(of: "-")
        distribution = String(dash.map { stem[..<$0] } ?? stem)
        version = dash.map { String(stem[stem.index(after: $0)...]) } ?? "?"
        tags = text.split(whereSeparator: \.isNewline).compactMap { line -> [WheelTag]? in
            guard line.hasPrefix("Tag:"), let value = line.dropFirst(4).split(whereSeparator: \.isWhitespace).first else { return nil }
            return WheelTag.parse(String(value))
        }.flatMap { $0 }
    }
}
