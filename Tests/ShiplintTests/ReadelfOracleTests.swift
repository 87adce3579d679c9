import Foundation
import ShiplintFacts
import ShiplintReading
import Testing

/// shiplint's DT_NEEDED and highest GLIBC against binutils' readelf, over the real ELF files of this machine's
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

    static func readelfFacts(_ path: String, readelf: String) -> (needed: [String], glibc: String?)? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: readelf)
        process.arguments = ["-d", "-V", "-W", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        var needed: [String] = []
        var highest: VersionNumber?
        var inNeeds = false
        for line in text.split(separator: "\n") {
            if line.contains("(NEEDED)"), let open = line.lastIndex(of: "["), let close = line.lastIndex(of: "]") {
                needed.append(String(line[line.index(after: open)..<close]))
            }
            if line.hasPrefix("Version needs section") { inNeeds = true; continue }
            if line.hasPrefix("Version") && !line.hasPrefix("Version needs") { inNeeds = false }
            // Needs lines: "  0x0010:   Name: GLIBC_2.14  Flags: none  Version: 3"
            if inNeeds, let range = line.range(of: "Name: GLIBC_") {
                let rest = line[range.upperBound...].prefix { $0 != " " }
                if let version = VersionNumber(rest), highest.map({ version > $0 }) ?? true { highest = version }
            }
        }
        return (needed, highest?.description)
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
        }
        #expect(disagreements.isEmpty, "\(disagreements.count) disagreements with readelf over \(libraries.count) files:\n\(disagreements.prefix(20).joined(separator: "\n"))")
    }
}
