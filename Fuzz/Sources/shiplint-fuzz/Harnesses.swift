import Foundation
@testable import ShiplintChecks
import ShiplintDeployments
import ShiplintFacts
import ShiplintPolicy
import ShiplintReading
import ShiplintTargets

/// One fuzz harness: a name (`SHIPLINT_FUZZ_HARNESS=elf`), what it drives, and the body libFuzzer calls with each
/// input. A body only returns: a crash, a sanitizer report, a timeout or running out of memory is the finding.
struct Harness: Sendable {
    let name: String
    let summary: String
    let run: @Sendable (UnsafeRawBufferPointer) -> Void
}

/// Inputs that must be files (archives, images, descriptors found by name) are written into this process's own
/// folder in memory (`/dev/shm`), replaced at each input.
enum Scratch {
    static let folder: String = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let folder = "\(base)/shiplint-fuzz-\(getpid())"
        try? FileManager.default.removeItem(atPath: folder)
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: Scratch.folder) }
        return folder
    }()

    /// Writes `bytes` to `name` in the scratch folder and returns its path.
    static func file(_ name: String, _ bytes: UnsafeRawBufferPointer) -> String {
        let path = folder + "/" + name
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        precondition(descriptor >= 0, "cannot write \(path)")
        var offset = 0
        while offset < bytes.count {
            let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            precondition(written > 0, "cannot write \(path)")
            offset += written
        }
        close(descriptor)
        return path
    }
}

/// Limits for the fuzzer: the defaults, except that one input may not inflate more than 64 MiB, so the fuzzer
/// spends its time on structure, not on inflating bombs the caps already stop (tests cover the caps themselves).
let fuzzLimits = ReadLimits(entryBytes: 16 << 20, artifactBytes: 64 << 20, nestingDepth: 3, entries: 20_000, nestedArchiveBytes: 8 << 20)

func text(_ bytes: UnsafeRawBufferPointer) -> String { String(decoding: bytes, as: UTF8.self) }

/// Reads a binary (ELF, PE or Mach-O, by its magic) under several names, as the archive walk does.
func readBinary(_ bytes: UnsafeRawBufferPointer, name: String) {
    let array = [UInt8](bytes)
    _ = BinaryReader.read(path: name, size: Int64(array.count), mode: 0o100755, bytes: array)
}

/// Reads an artifact file, then judges it against a target, so the checks see whatever the reader made of it.
func readArtifact(_ path: String, jobs: Int = 1) {
    guard let artifact = try? ArtifactReader(limits: fuzzLimits, jobs: jobs).read(path: path) else { return }
    judge(artifact)
}

let fuzzTarget: TargetRuntime = try! TargetCatalog.builtIn.load("aws-lambda-python3.13-x86_64")

func judge(_ artifact: Artifact) {
    let deployment = DeploymentContext(function: artifact, layers: [], target: fuzzTarget)
    _ = ScanPolicy(configuration: nil).scan(deployment)
}

let harnesses: [Harness] = [
    Harness(name: "elf", summary: "ELF reader (libelf and the program-header reading around it)") { readBinary($0, name: "pkg/_mod.cpython-313-x86_64-linux-gnu.so") },
    Harness(name: "pe", summary: "PE reader") { readBinary($0, name: "pkg/_mod.cp313-win_amd64.pyd") },
    Harness(name: "macho", summary: "Mach-O and fat Mach-O reader") { readBinary($0, name: "pkg/_mod.cpython-313-darwin.so") },
    Harness(name: "zip", summary: "ZIP central directory parser and direct reader (libarchive where they hand over), nested archives, then the checks") {
        readArtifact(Scratch.file("input.zip", $0))
    },
    Harness(name: "zip-parallel", summary: "ZIP read on two workers (the shared-work path)") {
        readArtifact(Scratch.file("input.zip", $0), jobs: 2)
    },
    Harness(name: "tar", summary: "tar, compressed tar and nested archives through libarchive, then the checks") {
        readArtifact(Scratch.file("input.tar", $0))
    },
    Harness(name: "image", summary: "container image (docker save or OCI layout tarball): manifests, layers, links, whiteouts") {
        let path = Scratch.file("image.tar", $0)
        guard let artifact = try? ImageReader(limits: fuzzLimits).read(path: path), let image = artifact.image else { return }
        _ = TargetRuntime.image(image, label: "image.tar")
        judge(artifact)
    },
    Harness(name: "yaml", summary: "YAML descriptor text (Yams/libyaml) to values, CloudFormation tags") {
        _ = try? DescriptorText.yaml(text($0), file: "template.yaml")
    },
    Harness(name: "json", summary: "JSON descriptor text to values") {
        _ = try? DescriptorText.json(text($0), file: "plan.json")
    },
    Harness(name: "sam", summary: "a SAM or CloudFormation template.yaml read as a project") {
        _ = try? DeploymentProject.read(Scratch.file("template.yaml", $0))
    },
    Harness(name: "descriptor-json", summary: "a JSON descriptor (CloudFormation, CDK manifest, Serverless state, Terraform plan) read as a project") {
        _ = try? DeploymentProject.read(Scratch.file("descriptor.json", $0))
    },
    Harness(name: "config", summary: ".shiplint.toml (TOMLKit/toml++) and its strict validation") {
        _ = try? ProjectConfiguration.parse(text($0), file: ".shiplint.toml")
    },
    Harness(name: "rules", summary: "a target rule file (TOML, schema validation, extends)") {
        _ = try? TargetCatalog.builtIn.load(Scratch.file("target.toml", $0))
    },
    Harness(name: "baseline", summary: "a baseline file") {
        _ = try? Baseline.parse(Data($0), file: "shiplint-baseline.json")
    },
    Harness(name: "explain", summary: "explain's reading of an error text or log: streamed in chunks of the size its first byte says, and each line's phrase matching on the whole input") {
        let bytes = [UInt8]($0)
        var reader = ErrorTextReader()
        let chunk = max(1, Int(bytes.first ?? 1))
        var start = 0
        while start < bytes.count {
            reader.consume(Array(bytes[start..<min(bytes.count, start + chunk)]))
            start += chunk
        }
        _ = reader.finish()
        // The line matchers directly, on text the phrase filter would not let through (a reader compiles its own
        // patterns: `Regex` is not Sendable, so none is shared between inputs).
        let patterns = ErrorPatterns()
        _ = patterns.signals(inLine: text($0))
        _ = patterns.nodeABI(in: text($0))
    },
]
