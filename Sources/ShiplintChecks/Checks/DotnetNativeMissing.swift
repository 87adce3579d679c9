import ShiplintFacts
import ShiplintTargets

extension Check {
    public static let dotnetNativeMissing = Check(
        id: "dotnet-native-missing",
        defaultSeverity: .error,
        summary: "A .NET package's runtimes/<rid>/native holds no library for the Lambda runtime's RID",
        explanation: """
            A NuGet package with native code (SQLitePCLRaw's e_sqlite3, SkiaSharp, Microsoft.Data.SqlClient's SNI, \
            gRPC, librdkafka …) ships one copy per runtime identifier under `runtimes/<rid>/native/`, and a \
            framework-dependent `dotnet publish` without `-r` keeps them all; the .NET host loads the copy for the \
            most specific RID it accepts. Since .NET 8 the host accepts only portable RIDs: on Lambda's x86_64 \
            `linux-x64`, `linux`, `unix-x64`, `unix`, `any` (arm64: `linux-arm64` …); `linux-musl-x64` (Alpine), \
            `osx-*`, `win-*` and distribution RIDs never match. shiplint judges the copy the host picks like any \
            other library (architecture, glibc, needed libraries), the other RIDs' copies are notes, and when no \
            copy fits it says so here: the first P/Invoke fails with `System.DllNotFoundException: Unable to load \
            shared library 'e_sqlite3' or one of its dependencies`. An error when another Linux RID has a copy, a \
            warning when only other operating systems do.

            Fix: publish for Lambda's platform, `dotnet publish -c Release -r linux-x64 --self-contained false` \
            (`-r linux-arm64` on arm64; `dotnet lambda package` does this from the function's architecture), and \
            reference the package version that ships `runtimes/linux-x64/native` (or `linux-arm64`). When the app's \
            `.deps.json` is in the package, shiplint picks by it as the host does (its `runtimeTargets` native assets \
            and their RIDs; a file it does not list is never loaded), and a native asset it lists for the runtime's \
            RID that the package lacks is an error on the manifest.
            """,
        examples: [
            CheckExample(
                "e_sqlite3 for macOS and Windows only",
                subject: .deployment(function: SampleDotnet.function(natives: [
                    SampleBinary.macho("runtimes/osx-arm64/native/libe_sqlite3.dylib", archs: ["aarch64"]),
                    SampleBinary.pe("runtimes/win-x64/native/e_sqlite3.dll", imports: ["KERNEL32.dll"]),
                ]), layers: []),
                target: "aws-lambda-dotnet8-x86_64", fires: true, at: "runtimes", mentions: "no runtimes/linux-x64/native copy of e_sqlite3"),
            CheckExample(
                "the musl build only",
                subject: .deployment(function: SampleDotnet.function(natives: [
                    SampleBinary.elf("runtimes/linux-musl-x64/native/libe_sqlite3.so"),
                ]), layers: []),
                target: "aws-lambda-dotnet8-x86_64", fires: true, at: "runtimes", mentions: "has linux-musl-x64 only"),
            CheckExample(
                "linux-x64 beside the others",
                subject: .deployment(function: SampleDotnet.function(natives: [
                    SampleBinary.elf("runtimes/linux-x64/native/libe_sqlite3.so"),
                    SampleBinary.elf("runtimes/linux-musl-x64/native/libe_sqlite3.so"),
                    SampleBinary.macho("runtimes/osx-arm64/native/libe_sqlite3.dylib", archs: ["aarch64"]),
                ]), layers: []),
                target: "aws-lambda-dotnet8-x86_64", fires: false),
            CheckExample(
                "the manifest lists a linux-x64 copy the package lacks",
                subject: .deployment(function: SampleDotnet.function(natives: [
                    SampleBinary.elf("runtimes/linux-arm64/native/libe_sqlite3.so", arch: "aarch64", machine: 183),
                ], deps: SampleDotnet.deps([
                    ("runtimes/linux-x64/native/libe_sqlite3.so", "linux-x64"), ("runtimes/linux-arm64/native/libe_sqlite3.so", "linux-arm64"),
                ])), layers: []),
                target: "aws-lambda-dotnet8-x86_64", fires: true, at: "MyFunction.deps.json",
                mentions: "lists runtimes/linux-x64/native/libe_sqlite3.so"),
        ],
        judgement: .perDeployment { context in
            let runtime = context.runtime
            guard runtime.family == .dotnet || runtime.target.dotnet != nil else { return [] }
            let accepted = (runtime.target.dotnet?.runtimeIdentifiers ?? TargetRuntime.Dotnet.portableRIDs(runtime.architecture)).joined(separator: ", ")
            let choices = NativeChoice.all(placed: context.placed, runtime: runtime).filter { $0.picker == .dotnet }
            return choices.filter { $0.picked == nil || $0.pickedIsAbsent }.map { choice in
                let rids = Array(Set(choice.copies.map(\.platform))).sorted()
                let failure = "the first call fails with System.DllNotFoundException: Unable to load shared library '\(choice.library)'"
                if choice.pickedIsAbsent, let picked = choice.picked, let manifest = choice.manifest {
                    let listed = picked.dropFirst(manifest.count - (EntryPath.lastComponent(manifest) ?? manifest).count)
                    let message = "\(EntryPath.lastComponent(manifest) ?? manifest) lists \(listed) as the native \(choice.library) the .NET host loads on \(choice.wanted), and the package has no such file: \(failure)"
                    return LocatedVerdict(
                        artifact: choice.artifact, path: manifest,
                        verdict: Verdict(message, fix: context.advice(for: choice.role).rebuild(), fact: "\(choice.library) \(choice.wanted) absent"))
                }
                let source = choice.manifest.map { "\(EntryPath.lastComponent($0) ?? $0) lists" } ?? "\(choice.container) has"
                let message = "no runtimes/\(choice.wanted)/native copy of \(choice.library) (the .NET host accepts \(accepted)): \(source) \(rids.joined(separator: ", ")) only; \(failure)"
                return LocatedVerdict(
                    artifact: choice.artifact, path: choice.container,
                    verdict: Verdict(
                        message, fix: context.advice(for: choice.role).rebuild(), fact: "\(choice.library) \(choice.wanted)",
                        severity: choice.hasLinuxCopy ? nil : .warning))
            }
        })
}

/// .NET functions built in code for check examples and tests.
public enum SampleDotnet {
    /// A published app (`MyFunction.dll`, its `.deps.json`) with `natives` at their paths.
    /// `deps`: the manifest's text (read as the host reads it), none by default.
    public static func function(natives: [Binary], deps: String? = nil, path: String = "function.zip") -> Artifact {
        Artifact(
            path: path, kind: .zip,
            entries: [ArtifactEntry(path: "MyFunction.dll", size: 9000, mode: 0o100644, type: .file),
                      ArtifactEntry(path: "MyFunction.deps.json", size: 900, mode: 0o100644, type: .file)]
                + natives.map { ArtifactEntry(path: $0.path, size: $0.size, mode: $0.mode, type: .file) },
            binaries: natives, problems: [], metadataFiles: deps.map { ["MyFunction.deps.json": $0] } ?? [:])
    }

    /// A `.deps.json` of a framework-dependent publish listing `assets` (path, RID) of SQLitePCLRaw.lib.e_sqlite3.
    public static func deps(_ assets: [(String, String)]) -> String {
        let listed = assets.map { #""\#($0.0)": {"rid": "\#($0.1)", "assetType": "native", "fileVersion": "0.0.0.0"}"# }
        return #"{"runtimeTarget": {"name": ".NETCoreApp,Version=v8.0"}, "targets": {".NETCoreApp,Version=v8.0": {"MyFunction/1.0.0": {"runtime": {"MyFunction.dll": {}}}, "SQLitePCLRaw.lib.e_sqlite3/2.1.6": {"runtimeTargets": {"#
            + listed.joined(separator: ", ") + "}}}}}"
    }
}
