import ShiplintFacts

/// A target rule written from a system capture (`shiplint targets capture`): loadable with `--target FILE`, and
/// compared with a built-in target by `shiplint targets diff`.
public enum CapturedTarget {
    /// The rule file's text. Deterministic: the same capture gives the same bytes.
    public static func ruleText(_ capture: SystemCapture, name: String? = nil) throws(TargetError) -> String {
        guard let arch = architecture(capture.machine) else {
            throw TargetError(file: "<capture>", message: "machine '\(capture.machine)' is not one shiplint's targets know (\(TargetArchitecture.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let osName = capture.osRelease["PRETTY_NAME"] ?? capture.osRelease["NAME"] ?? "Linux"
        let id = [capture.osRelease["ID"], capture.osRelease["VERSION_ID"]].compactMap { $0 }.joined(separator: "-")
        let targetName = name ?? "captured-\(id.isEmpty ? "linux" : id)-\(arch.rawValue)"
        let runtime = capture.python.map { "python\($0.version)" } ?? capture.node.map { "nodejs\($0.version.split(separator: ".").first ?? "")" }
        let libc = capture.libraries.first { $0.fileName == "libc.so.6" }
        var lines = [
            "# Captured by `shiplint targets capture` on \(osName) (\(capture.machine)): load it with --target FILE,",
            "# compare it with a built-in target with `shiplint targets diff FILE [TARGET]`.",
            "",
            "schema = 1",
            "name = \(quoted(targetName))",
            "description = \(quoted("\(osName) on \(arch.rawValue)\(runtime.map { " with \($0)" } ?? ""), as captured by shiplint targets capture"))",
            "",
            "[platform]",
            "os = \"linux\"",
            "arch = \(quoted(arch.rawValue))  # uname -m: \(capture.machine)",
        ]
        if let version = capture.glibcVersion {
            lines += ["libc = \"glibc\"", "libc-version = \(quoted(version))  # confstr(_CS_GNU_LIBC_VERSION)"]
        } else if let highest = libc.flatMap({ TargetRuntime.highest(family: "GLIBC", in: $0.versionNodes) }) {
            lines += ["libc = \"glibc\"", "libc-version = \(quoted(highest.description))  # the highest GLIBC_ node of libc.so.6"]
        } else {
            lines += ["libc = \"musl\"", "libc-version = \"1.2\"  # no glibc found"]
        }
        lines.append("display-name = \(quoted(osName))  # /etc/os-release PRETTY_NAME")
        if let runtime { lines.append("runtime = \(quoted(runtime))") }

        var ceilings: [String] = []
        for (soname, families) in [("libstdc++.so.6", ["GLIBCXX", "CXXABI"]), ("libgcc_s.so.1", ["GCC"])] {
            guard let library = capture.libraries.first(where: { $0.fileName == soname }) else { continue }
            for family in families {
                if let highest = TargetRuntime.highest(family: family, in: library.versionNodes) {
                    ceilings.append("\(family) = \(quoted(highest.description))")
                }
            }
        }
        if !ceilings.isEmpty {
            lines += ["", "[symbol-versions]", "# The highest version node of the libstdc++.so.6 and libgcc_s.so.1 the loader finds."] + ceilings
        }

        let system = Set(capture.loaderDirectories)
        let inCode = { (folder: String) in
            [capture.taskRoot ?? LambdaFileSystem.taskRoot, LambdaFileSystem.layerRoot].contains { folder == $0 || folder.hasPrefix($0 + "/") }
        }
        let osNames = names(of: capture.libraries.filter { system.contains($0.directory) })
        let runtimeNames = names(of: capture.libraries.filter { !system.contains($0.directory) && !inCode($0.directory) })
        lines += [
            "", "[libraries]",
            "# LD_LIBRARY_PATH as set when captured.",
            "search-path = \(array(capture.libraryPath))",
            "# Every shared library (file name and soname) for this machine in the loader's folders: \(capture.loaderDirectories.joined(separator: ", ")).",
            "os = \(array(osNames))",
        ]
        if !runtimeNames.isEmpty {
            lines += ["# Libraries in LD_LIBRARY_PATH folders outside those (the runtime's own, such as /var/lang/lib).", "runtime = \(array(runtimeNames))"]
        }
        // Each library that defines version nodes or whose exports a built-in table lists, the first of each soname.
        var described = Set<String>()
        for library in capture.libraries where !inCode(library.directory) {
            let soname = library.soname ?? library.fileName
            guard described.insert(soname).inserted else { continue }
            let table = symbolTable(for: soname, arch: arch)
            guard !library.versionNodes.isEmpty || table != nil else { continue }
            lines += ["", "[[libraries.provides]]", "soname = \(quoted(soname))", "directory = \(quoted(library.directory))"]
            if table?.hasPrefix("glibc-") == true, let version = capture.glibcVersion { lines.append("release = \(quoted(version))") }
            lines.append("version-nodes = \(array(library.versionNodes))")
            if let table { lines.append("symbols = \(quoted(table))") }
        }

        if let python = capture.python {
            lines += [
                "", "[python]",
                "version = \(quoted(python.version))  # \(python.executable)\(python.library.map { ", \($0)" } ?? "")",
                "extension-suffixes = \(array(python.extensionSuffixes))  # importlib.machinery.EXTENSION_SUFFIXES",
                "# Every symbol the interpreter exports (its executable and libpython), read from their dynamic symbol tables.",
                "exports = \(array(python.exports))",
            ]
            if let tls = python.tlsSegment {
                lines += ["# Whether \(python.library ?? python.executable) has a PT_TLS: a static TLS relocation bound to CPython divides by its TLS alignment.", "tls-segment = \(tls)"]
            }
        }
        if let node = capture.node {
            lines += ["", "[node]", "version = \(quoted(String(node.version.split(separator: ".").first ?? "")))  # \(node.executable) v\(node.version)"]
            if let module = node.moduleVersion { lines.append("module-version = \(module)  # process.versions.modules") }
            if let napi = node.napiVersion { lines.append("napi-version = \(napi)  # process.versions.napi") }
        }
        if let taskRoot = capture.taskRoot {
            lines += ["", "[package]", "task-root = \(quoted(taskRoot))  # \(LambdaFileSystem.taskRootVariable)", "layer-root = \(quoted(LambdaFileSystem.layerRoot))"]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The built-in table listing `soname`'s exports on `arch`, if there is one.
    public static func symbolTable(for soname: String, arch: TargetArchitecture) -> String? {
        for family in ["glibc", "libstdcxx", "libgcc_s"] {
            let name = "\(family)-\(arch.rawValue)"
            if let table = SymbolTable.builtIn(name), table.libraries[soname] != nil { return name }
        }
        return nil
    }

    static func architecture(_ machine: String) -> TargetArchitecture? {
        switch machine {
        case "x86_64", "amd64": .x86_64
        case "aarch64", "arm64": .aarch64
        case "i386", "i486", "i586", "i686": .i386
        case "s390x": .s390x
        case "ppc64le": .ppc64le
        default: nil
        }
    }

    private static func names(of libraries: [SystemCapture.Library]) -> [String] {
        Set(libraries.flatMap { [$0.fileName] + ($0.soname.map { [$0] } ?? []) }).sorted()
    }

    static func quoted(_ text: String) -> String {
        var escaped = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\t": escaped += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    escaped += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
                } else {
                    escaped.unicodeScalars.append(scalar)
                }
            }
        }
        return escaped + "\""
    }

    private static func array(_ items: [String]) -> String {
        guard !items.isEmpty else { return "[]" }
        return "[\n" + items.map { "  " + quoted($0) + "," }.joined(separator: "\n") + "\n]"
    }
}
