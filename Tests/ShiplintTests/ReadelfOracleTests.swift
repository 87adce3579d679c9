import Foundation
import ShiplintFacts
import ShiplintReading
import Testing

/// shiplint's dynamic-segment facts (DT_NEEDED, SONAME, RPATH, RUNPATH), highest GLIBC and dynamic symbols with their
/// versions against binutils' readelf (`--use-dynamic -d --dyn-syms -V`), over the real ELF files of this machine's
/// library folder. Skipped, saying so, where readelf or the folder is missing.
@Suite struct ReadelfOracleTests {
    static let folders = ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib"]
    static let readelf = ["/usr/bin/readelf", "/bin/readelf"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Regular ELF files (not symlinks), in name order, at most 400.
    static func libraries() -> [String] {
        guard let folder = folders.first(where: { FileManager.default.fileExists(atPath: $0) }),
            let names = try? FileManager.default.contentsOfDirectory(atPath: folder)
        else { return [] }
        return names.sorted().compactMap { name -> String? in
            let path = folder + "/" + name
            guard name.contains(".so"),
                let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                attributes[.type] as? FileAttributeType == .typeRegular,
                let handle = FileHandle(forReadingAtPath: path),
                let magic = try? handle.read(upToCount: 4), magic == Data([0x7F, 0x45, 0x4C, 0x46])
            else { return nil }
            return path
        }.prefix(400).map { $0 }
    }

    struct ReadelfFacts {
        var needed: [String] = []
        var soname: String?
        var rpath: [String] = []
        var runpath: [String] = []
        var glibc: String?
        /// "name@VERSION U|D W|-" per dynamic symbol after the null one, in table order.
        var symbols: [String] = []
    }

    /// readelf's view through the dynamic segment (`--use-dynamic -d`), its dynamic symbol table (`--dyn-syms`) and
    /// its version needs (`-V`).
    static func readelfFacts(_ path: String, readelf: String) -> ReadelfFacts? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: readelf)
        process.arguments = ["--use-dynamic", "-d", "--dyn-syms", "-V", "-W", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        var facts = ReadelfFacts()
        var highest: VersionNumber?
        var inNeeds = false
        var inSymbols = false
        func bracketed(_ line: Substring) -> String? {
            guard let open = line.firstIndex(of: "["), let close = line.lastIndex(of: "]"), open < close else { return nil }
            return String(line[line.index(after: open)..<close])
        }
        for line in text.split(separator: "\n") {
            if line.contains("(NEEDED)"), let name = bracketed(line) { facts.needed.append(name) }
            if line.contains("(SONAME)") { facts.soname = bracketed(line) }
            if line.contains("(RPATH)"), let value = bracketed(line) { facts.rpath += value.split(separator: ":", omittingEmptySubsequences: false).map(String.init) }
            if line.contains("(RUNPATH)"), let value = bracketed(line) { facts.runpath += value.split(separator: ":", omittingEmptySubsequences: false).map(String.init) }
            if line.hasPrefix("Symbol table") { inSymbols = true; continue }
            if line.hasPrefix("Version") { inSymbols = false }
            if inSymbols {
                // readelf spells STB_GNU_UNIQUE "<OS specific>: 10": two tokens where other bindings have one.
                var fields = line.replacingOccurrences(of: "<OS specific>: ", with: "OS_").split(separator: " ", omittingEmptySubsequences: true).map(String.init)
                guard fields.count >= 8, fields[0].hasSuffix(":"), fields[0] != "Num:", fields[0] != "0:" else { continue }
                if let last = fields.last, last.hasPrefix("("), last.hasSuffix(")") { fields.removeLast() }
                let name = fields.count > 7 ? fields[7...].joined(separator: " ").replacingOccurrences(of: "@@", with: "@") : ""
                var plain = name.contains("@") ? name : name + "@"
                // A version node's own symbol (GLIBC_2.2.5, defined under GLIBC_2.2.5): readelf prints no version.
                if !name.contains("@"), fields[6] != "UND" { plain = "\(name)@?" }
                facts.symbols.append("\(plain) \(fields[6] == "UND" ? "U" : "D") \(fields[4] == "WEAK" ? "W" : "-")")
            }
            if line.hasPrefix("Version needs section") { inNeeds = true; continue }
            if line.hasPrefix("Version") && !line.hasPrefix("Version needs") { inNeeds = false }
            // Needs lines: "  0x0010:   Name: GLIBC_2.14  Flags: none  Version: 3"
            if inNeeds, let range = line.range(of: "Name: GLIBC_") {
                let rest = line[range.upperBound...].prefix { $0 != " " }
                if let version = VersionNumber(rest), highest.map({ version > $0 }) ?? true { highest = version }
            }
        }
        facts.glibc = highest?.description
        return facts
    }

    @Test func agreesWithReadelfOnSystemLibraries() throws {
        guard let readelf = Self.readelf else {
            print("skip: readelf is not installed (apt-get install binutils); the oracle comparison did not run")
            return
        }
        let libraries = Self.libraries()
        #expect(libraries.count >= 200, "only \(libraries.count) ELF libraries found in \(Self.folders)")
        var disagreements: [String] = []
        let reader = ArtifactReader()
        var symbolCount = 0
        for path in libraries {
            guard let expected = Self.readelfFacts(path, readelf: readelf) else { continue }
            let artifact = try reader.read(path: path)
            guard case .elf(let elf)? = artifact.binaries.first?.facts else {
                disagreements.append("\(path): not read as ELF (\(artifact.binaries.first?.problem ?? "no binary"))")
                continue
            }
            if elf.needed != expected.needed {
                disagreements.append("\(path): DT_NEEDED \(elf.needed) vs readelf \(expected.needed)")
            }
            if elf.maxVersions["GLIBC"]?.description != expected.glibc {
                disagreements.append("\(path): GLIBC \(elf.maxVersions["GLIBC"]?.description ?? "none") vs readelf \(expected.glibc ?? "none")")
            }
            if elf.soname != expected.soname || elf.rpath != expected.rpath || elf.runpath != expected.runpath {
                disagreements.append("\(path): SONAME/RPATH/RUNPATH \(elf.soname ?? "-") \(elf.rpath) \(elf.runpath) vs readelf \(expected.soname ?? "-") \(expected.rpath) \(expected.runpath)")
            }
            let symbols = elf.symbols.map { symbol in
                let version = symbol.version == symbol.name ? "?" : symbol.version ?? ""
                return "\(symbol.name)@\(symbol.isDefined && version.isEmpty ? "?" : version) \(symbol.isDefined ? "D" : "U") \(symbol.isWeak ? "W" : "-")"
            }
            if symbols != expected.symbols {
                let first = zip(symbols, expected.symbols).first { $0 != $1 }.map { "\($0.0) vs \($0.1)" } ?? "counts"
                disagreements.append("\(path): \(symbols.count) dynamic symbols vs readelf \(expected.symbols.count); first difference: \(first)")
            }
            symbolCount += symbols.count
        }
        #expect(symbolCount > 10_000, "only \(symbolCount) dynamic symbols compared")
        #expect(disagreements.isEmpty, "\(disagreements.count) disagreements with readelf over \(libraries.count) files:\n\(disagreements.prefix(20).joined(separator: "\n"))")
    }
}
