import ShiplintFacts

/// The target of a container image is the image itself: its architecture from the config, its glibc from the
/// `libc.so.6` the loader would map, its libraries from its own file system (`LD_LIBRARY_PATH` and the standard
/// folders), its CPython from its own interpreter.
extension TargetRuntime {
    public static func image(_ image: ContainerImage, label: String) -> TargetRuntime {
        let files = ImageFiles(image)
        let arch = image.targetArchitecture ?? files.majorityArchitecture ?? .x86_64
        let triplet = arch.gnuTriplet
        let standard = ["/lib/\(triplet)", "/usr/lib/\(triplet)", "/lib64", "/usr/lib64", "/lib", "/usr/lib", "/usr/local/lib"]
        let ldLibraryPath = (image.env["LD_LIBRARY_PATH"] ?? "").split(separator: ":").map(String.init).filter { $0.hasPrefix("/") }
        let taskRoot = image.taskRoot
        // Folders under the task root and /opt are searched in the code itself; everything else is the image's own.
        let inCode = { (folder: String) in [taskRoot, LambdaFileSystem.layerRoot].contains { folder == $0 || folder.hasPrefix($0 + "/") } }
        var own = Set<String>()
        for folder in standard + ldLibraryPath where !inCode(folder) { own.formUnion(files.libraryNames(in: folder)) }
        let runtime = files.libraryNames(in: Libraries.runtimeDirectory)
        // The folders of the image's own libraries in the loader's order: its LD_LIBRARY_PATH (/var/lang/lib first on
        // AWS base images), then the standard folders. The copy found first is the one a binary binds to: nodejs24.x
        // images carry their own libstdc++ 6.0.32 in /var/lang/lib before the OS's 6.0.33.
        let loaderOrder = ldLibraryPath.filter { !inCode($0) } + standard
        // The libc the loader maps: the first libc.so.6 in that order.
        // (Else any libc.so.6 of a standard folder: an image whose config names the wrong architecture still has one.)
        let anyTriplet = TargetArchitecture.allCases.map(\.gnuTriplet)
            .flatMap { ["/lib/\($0)", "/usr/lib/\($0)"] }
        let libc = (loaderOrder + anyTriplet).lazy.compactMap { files.elf(at: $0 + "/libc.so.6") }.first
        let musl = files.elf(at: "/lib/ld-musl-\(arch.rawValue).so.1")
        let glibc = libc.flatMap { Self.highest(family: "GLIBC", in: $0.versionDefinitions) }
        // The C++ ceilings from the image's own libstdc++ / libgcc_s, as glibc's: never a managed runtime's, so an image
        // on an older Amazon Linux 2023 base (libstdc++ 11, GLIBCXX_3.4.29) is judged by what it has.
        var symbolVersions: [String: VersionNumber] = [:]
        for (soname, families) in [("libstdc++.so.6", ["GLIBCXX", "CXXABI"]), ("libgcc_s.so.1", ["GCC"])] {
            guard let library = loaderOrder.lazy.compactMap({ files.elf(at: $0 + "/" + soname) }).first else { continue }
            for family in families { symbolVersions[family] = Self.highest(family: family, in: library.versionDefinitions) }
        }
        // What each library the loader would find defines, read from the file itself.
        func provided(_ names: Set<String>, in folders: [String], as directory: String) -> [ProvidedLibrary] {
            names.sorted().compactMap { soname in
                guard let path = folders.lazy.map({ $0 + "/" + soname }).first(where: { files.elf(at: $0) != nil }),
                      let facts = files.elf(at: path) else { return nil }
                return ProvidedLibrary(
                    soname: soname, directory: directory, release: "the image's \(files.resolve(path) ?? path)",
                    versionNodes: facts.versionDefinitions, symbols: nil)
            }
        }
        let python = files.python(arch: arch)
        let node = files.node(headers: image.rootTextFiles)
        let platform = [image.os, image.architecture, image.variant].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: "/")
        return TargetRuntime(
            name: "image \(label)",
            description: "the container image \(label) (\(platform)), judged against its own root file system",
            source: label,
            platform: Platform(
                os: image.os.isEmpty ? "linux" : image.os, arch: arch, libc: libc == nil && musl != nil ? .musl : .glibc,
                libcVersion: glibc ?? VersionNumber("1.2")!, displayName: "\(platform.isEmpty ? "linux" : platform) image",
                runtime: python.map { "python\($0.version.components.prefix(2).map(String.init).joined(separator: "."))" }
                    ?? node.flatMap { $0.version.isEmpty ? nil : "nodejs\($0.version)" }),
            symbolVersions: symbolVersions,
            libraries: {
                var libraries = Libraries(
                    searchPath: ldLibraryPath.filter { inCode($0) || $0 == Libraries.runtimeDirectory },
                    os: own.sorted(), runtime: runtime.sorted(), knownAbsent: [])
                // The runtime's copies first, as the loader finds them (the resolver answers /lib64 for the OS's).
                libraries.provided = provided(runtime, in: [Libraries.runtimeDirectory], as: Libraries.runtimeDirectory)
                    + provided(own, in: loaderOrder.filter { $0 != Libraries.runtimeDirectory }, as: "/lib64")
                return libraries
            }(),
            python: python,
            node: node,
            package: Package(
                unzippedLimitBytes: nil, zippedUploadLimitBytes: nil, maxLayers: nil, taskRoot: "/", layerRoot: LambdaFileSystem.layerRoot,
                layerPaths: [], executableEntryPoints: []),
            wheelPolicy: nil)
    }

    static func highest(family: String, in definitions: [String]) -> VersionNumber? {
        definitions.compactMap { name -> VersionNumber? in
            guard name.hasPrefix(family + "_") else { return nil }
            return VersionNumber(String(name.dropFirst(family.count + 1)))
        }.max()
    }
}

/// Lookups in an image's root file system, following symbolic links inside the image only.
public struct ImageFiles: Sendable {
    public let entries: [String: ArtifactEntry]
    public let binaries: [String: Binary]

    public init(_ image: ContainerImage) {
        entries = Dictionary(image.rootEntries.map { ("/" + $0.path, $0) }, uniquingKeysWith: { first, _ in first })
        binaries = Dictionary(image.rootBinaries.map { ("/" + $0.path, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The path a path leads to after every symbolic link (in any component), inside the image; nil when nothing is there.
    public func resolve(_ path: String) -> String? {
        var remaining = path.split(separator: "/").map(String.init).filter { $0 != "." }
        var current: [String] = []
        var hops = 0
        while !remaining.isEmpty {
            let part = remaining.removeFirst()
            if part == ".." { if !current.isEmpty { current.removeLast() }; continue }
            let candidate = "/" + (current + [part]).joined(separator: "/")
            guard let entry = entries[candidate] else {
                // Folders a layer never lists exist when something is inside them.
                if remaining.isEmpty || !entries.keys.contains(where: { $0.hasPrefix(candidate + "/") }) { return nil }
                current.append(part)
                continue
            }
            if case .symlink(let target) = entry.type {
                hops += 1
                guard hops <= 40 else { return nil }
                remaining = target.split(separator: "/").map(String.init).filter { $0 != "." } + remaining
                if target.hasPrefix("/") { current = [] }
            } else {
                current.append(part)
            }
        }
        return "/" + current.joined(separator: "/")
    }

    public func elf(at path: String) -> ElfFacts? {
        guard let resolved = resolve(path), case .elf(let facts)? = binaries[resolved]?.facts else { return nil }
        return facts
    }

    /// File names in a folder that lead to an ELF shared library (the links `libz.so.1` and the files), and their sonames.
    func libraryNames(in folder: String) -> Set<String> {
        guard let real = resolve(folder) else { return [] }
        let prefix = real == "/" ? "/" : real + "/"
        var names = Set<String>()
        for path in entries.keys where path.hasPrefix(prefix) && !path.dropFirst(prefix.count).contains("/") {
            guard let facts = elf(at: path) else { continue }
            names.insert(String(path.dropFirst(prefix.count)))
            if let soname = facts.soname { names.insert(soname) }
        }
        return names
    }

    /// The architecture most ELF files of the image are built for, when the config names none shiplint knows.
    var majorityArchitecture: TargetArchitecture? {
        var counts: [UInt16: Int] = [:]
        for binary in binaries.values { if case .elf(let facts)? = binary.facts { counts[facts.machine, default: 0] += 1 } }
        guard let machine = counts.max(by: { $0.value < $1.value })?.key else { return nil }
        return TargetArchitecture.allCases.first { $0.elfMachine == machine }
    }

    /// CPython from its interpreter: `/var/lang/bin/python3.X` on AWS base images, else `/usr/bin/python3.X`.
    func python(arch: TargetArchitecture) -> TargetRuntime.Python? {
        for folder in ["/var/lang/bin/", "/usr/local/bin/", "/usr/bin/"] {
            let versions = entries.keys.compactMap { path -> VersionNumber? in
                guard path.hasPrefix(folder) else { return nil }
                let name = path.dropFirst(folder.count)
                guard name.hasPrefix("python3."), let minor = Int(name.dropFirst("python3.".count)), resolve(path) != nil else { return nil }
                return VersionNumber("3.\(minor)")
            }
            guard let version = versions.max() else { continue }
            let tag = version.components.prefix(2).map(String.init).joined()
            return TargetRuntime.Python(
                version: version, extensionSuffixes: [".cpython-\(tag)-\(arch.gnuTriplet).so", ".abi3.so", ".so"])
        }
        return nil
    }

    /// Node.js from its binary: `/var/lang/bin/node` on AWS base images, else `/usr/local/bin/node` or `/usr/bin/node`.
    /// Its versions from `include/node/node_version.h` beside it (the official tarball's layout, which AWS base images
    /// install under /var/lang; nodesource's packages under /usr), else NODE_MODULE_VERSION from the `libnode.so.<N>` it
    /// needs (Debian's and other shared builds name the library after it) and the Node-API version from the newest
    /// Node-API function it exports. Nil when the image has no Node.js; a Node with `unread` when what the checks
    /// need could not be read.
    func node(headers: [String: String]) -> TargetRuntime.Node? {
        let functionVersions = NodeAPITable.functionVersions
        for path in ["/var/lang/bin/node", "/usr/local/bin/node", "/usr/bin/node"] {
            guard let real = resolve(path), entries[real] != nil else { continue }
            let prefixes = [path, real].map { String($0.split(separator: "/").dropLast(2).map { "/" + $0 }.joined()) }
            let headerPath = prefixes.map { $0 + "/include/node/node_version.h" }.first { headers[String($0.dropFirst())] != nil }
            let defines = headerPath.flatMap { headers[String($0.dropFirst())] }.map(Self.defines) ?? [:]
            var moduleVersion = defines["NODE_MODULE_VERSION"]
            var napiVersion = defines["NODE_API_SUPPORTED_VERSION_MAX"] ?? defines["NAPI_VERSION"]
            var major = defines["NODE_MAJOR_VERSION"].map(String.init)
            let elf = elf(at: real)
            let libnode = elf?.needed.first { $0.hasPrefix("libnode.so.") }
            if moduleVersion == nil, let libnode, let number = Int(libnode.dropFirst("libnode.so.".count)) {
                moduleVersion = number
            }
            if major == nil, let moduleVersion { major = NodeModuleVersions.majors[moduleVersion] }
            if napiVersion == nil {
                // The library that holds Node.js's code: the binary itself (official builds), or its libnode.
                let folders = ["/var/lang/lib", "/usr/local/lib", "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib", "/lib"]
                let code = libnode.flatMap { soname in folders.lazy.compactMap { self.elf(at: $0 + "/" + soname) }.first } ?? elf
                let exported = code?.symbols.names(defined: true) { bytes in
                    bytes.starts(with: "napi_".utf8) || bytes.starts(with: "node_api_".utf8)
                } ?? []
                if !exported.isEmpty { napiVersion = exported.map { functionVersions[$0] ?? 1 }.max() }
            }
            var missing: [String] = []
            if moduleVersion == nil { missing.append("NODE_MODULE_VERSION") }
            if napiVersion == nil { missing.append("Node-API version") }
            let unread = missing.isEmpty ? nil : "its \(missing.joined(separator: " and ")): no include/node/node_version.h beside \(path)\(moduleVersion == nil ? ", and it needs no libnode.so.<N>" : "")\(napiVersion == nil ? ", and it exports no Node-API function" : "")"
            return TargetRuntime.Node(
                version: major ?? "", moduleVersion: moduleVersion, napiVersion: napiVersion, prismaBinaryTargets: [],
                napiFunctionVersions: functionVersions, unread: unread.map { "the image's Node.js (\(path)) was found, but not \($0)" })
        }
        return nil
    }

    /// `#define NAME 123` lines of a C header (the first of each name; `#define X OTHER_NAME` is not a number).
    static func defines(_ text: String) -> [String: Int] {
        var values: [String: Int] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard words.count >= 3, words[0] == "#define", let value = Int(words[2]), values[String(words[1])] == nil else { continue }
            values[String(words[1])] = value
        }
        return values
    }
}
