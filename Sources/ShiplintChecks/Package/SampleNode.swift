import ShiplintFacts

/// Node.js facts built in code for check examples and tests: addons with their dynamic symbols, installed packages.
public enum SampleNode {
    /// A `.node` ELF addon for x86_64 exporting `exports` and importing `imports`.
    public static func addon(_ path: String, exports: [String] = [], imports: [String] = [], arch: String = "x86_64") -> Binary {
        let symbols = exports.map { DynamicSymbol(name: $0, version: nil, versionFile: nil, isDefined: true, isWeak: false, kind: .function) }
            + imports.map { DynamicSymbol(name: $0, version: nil, versionFile: nil, isDefined: false, isWeak: false, kind: .function) }
        return Binary(
            path: path, size: 4096, mode: 0o100644,
            facts: .elf(ElfFacts(
                bits: 64, byteOrder: .little, machine: TargetArchitecture(spelling: arch)?.elfMachine ?? TargetArchitecture.x86_64.elfMachine, arch: arch, osABI: "sysv", type: .dyn,
                interpreter: nil, needed: ["libc.so.6"], soname: nil, rpath: [], runpath: [], executableStack: false,
                versionNeeds: [VersionNeed(file: "libc.so.6", names: ["GLIBC_2.2.5"])], versionDefinitions: [], x86ISANeeded: [],
                symbols: symbols)),
            problem: nil)
    }

    /// A legacy addon for NODE_MODULE_VERSION `version` (context aware: exports `node_register_module_v<N>`).
    public static func legacy(_ path: String, version: Int) -> Binary {
        addon(path, exports: ["node_register_module_v\(version)"], imports: ["_ZN2v87Isolate10GetCurrentEv"])
    }

    /// The package.json text of an installed package.
    public static func manifest(
        _ name: String, version: String = "1.0.0", os: [String] = [], cpu: [String] = [], libc: [String] = [],
        optionalDependencies: [String] = []
    ) -> String {
        func list(_ values: [String]) -> String { "[" + values.map { "\"\($0)\"" }.joined(separator: ", ") + "]" }
        var fields = ["\"name\": \"\(name)\"", "\"version\": \"\(version)\""]
        if !os.isEmpty { fields.append("\"os\": \(list(os))") }
        if !cpu.isEmpty { fields.append("\"cpu\": \(list(cpu))") }
        if !libc.isEmpty { fields.append("\"libc\": \(list(libc))") }
        if !optionalDependencies.isEmpty {
            fields.append("\"optionalDependencies\": {" + optionalDependencies.map { "\"\($0)\": \"\(version)\"" }.joined(separator: ", ") + "}")
        }
        return "{\n  " + fields.joined(separator: ",\n  ") + "\n}\n"
    }

    /// A function ZIP holding these installed packages (manifest texts by package name) under `root`/node_modules,
    /// plus other files.
    public static func function(
        _ path: String = "function.zip", packages: [(name: String, manifest: String)], files: [String] = [], root: String = ""
    ) -> Artifact {
        let prefix = root.isEmpty ? "node_modules/" : root + "/node_modules/"
        var metadata: [String: String] = [:]
        var entries: [(String, Int64)] = [("index.js", 100)]
        for package in packages {
            let manifest = prefix + package.name + "/package.json"
            metadata[manifest] = package.manifest
            entries.append((manifest, Int64(package.manifest.utf8.count)))
        }
        entries += files.map { ($0, 100) }
        return SamplePackage.artifact(path, files: entries, metadataFiles: metadata)
    }
}
