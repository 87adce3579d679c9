import ShiplintFacts
import ShiplintTargets

extension Check {
    public static let unreadableFile = Check(
        id: "unreadable-file",
        defaultSeverity: .error,
        summary: "A file Lambda's user cannot read, or an executable entry point without execute bits",
        explanation: """
            Lambda unpacks the package keeping the Unix permissions stored in the ZIP, and runs the function as \
            another user than the files' owner, so only the "others" bits count. A file without read for others \
            (`600`, `640`) fails at import with `PermissionError: [Errno 13] Permission denied` (Node.js: \
            `EACCES`); a folder needs read and execute (`755`). What the runtime executes must be executable: the \
            entry point of a custom runtime (`bootstrap` at the root of the function or of a layer on a `provided` \
            runtime), and in a layer the programs under `bin/` (Lambda puts `/opt/bin` on PATH) and the extensions \
            under `extensions/`; otherwise the function fails with `Runtime.InvalidEntrypoint` / `permission \
            denied`. A function's own `bin/` is not on PATH: pip's console-script wrappers there (mode 644, or from \
            a ZIP made on Windows) are never run, so they need only be readable. A ZIP made on Windows stores no \
            Unix permissions at all (see `no-unix-modes`); Lambda then does not make `bootstrap` executable either.

            Fix: set the permissions before zipping: `chmod 644` for files, `755` for folders and executables \
            (`find build -type f -exec chmod 644 {} + ; find build -type d -exec chmod 755 {} + ; chmod 755 \
            build/bootstrap`), and build on Windows with a tool that stores Unix modes (AWS's `build-lambda-zip`, \
            SAM, or zipping inside WSL).

            Only on Lambda targets: a wheel-policy target has no package settings (pip and auditwheel set a wheel's modes).
            """,
        examples: [
            CheckExample(
                "a module readable by its owner only",
                subject: .artifact(SamplePackage.artifact("function.zip", files: [("handler.py", 100)], mode: 0o100600)),
                target: "aws-lambda-python3.13-x86_64", fires: true, at: "handler.py", mentions: "stored with mode 600"),
            CheckExample(
                "a bootstrap without execute bits",
                subject: .artifact(SamplePackage.artifact("function.zip", files: [("bootstrap", 100)], mode: 0o100644)),
                target: "aws-lambda-provided.al2023-x86_64", fires: true, at: "bootstrap", mentions: "bootstrap is stored with mode 644"),
            CheckExample(
                "a bootstrap from a Windows ZIP",
                subject: .artifact(SamplePackage.artifact("function.zip", files: [("bootstrap", 100)], mode: nil)),
                target: "aws-lambda-provided.al2023-x86_64", fires: true, at: "bootstrap", mentions: "the ZIP stores no Unix permissions"),
            CheckExample(
                "a bootstrap with 755",
                subject: .artifact(SamplePackage.artifact("function.zip", files: [("bootstrap", 100)], mode: 0o100755)),
                target: "aws-lambda-provided.al2023-x86_64", fires: false),
            CheckExample(
                "a pip console script in a Python function's bin/ with 644",
                subject: .deployment(
                    function: SamplePackage.artifact("function.zip", files: [("lambda_function.py", 100), ("bin/normalizer", 200)], mode: 0o100644),
                    layers: []),
                target: "aws-lambda-python3.13-x86_64", fires: false),
            CheckExample(
                "a program in a layer's bin/ with 644",
                subject: .deployment(function: nil, layers: [SamplePackage.artifact("layer.zip", files: [("bin/ffmpeg", 200)], mode: 0o100644)]),
                target: "aws-lambda-python3.13-x86_64", fires: true, at: "bin/ffmpeg", mentions: "bin/ffmpeg is stored with mode 644"),
            CheckExample(
                "files 644, folders 755",
                subject: .artifact(SamplePackage.artifact(
                    "function.zip", files: [("handler.py", 100), ("pkg/__init__.py", 0)], entries: [SamplePackage.folder("pkg/")])),
                target: "aws-lambda-python3.13-x86_64", fires: false),
        ],
        judgement: .perArtifact { context in
            guard context.runtime.hasPackageLayout else { return [] }
            let executed = ExecutedFiles(runtime: context.runtime, role: context.role)
            var verdicts: [LocatedVerdict] = []
            var unreported = 0
            for entry in context.artifact.entries where !EntryPath.isNested(entry.path) {
                guard let verdict = EntryPermissions.verdict(entry, executed: executed) else { continue }
                // A package zipped with the wrong umask has every file wrong: name the first few, count the rest.
                if verdicts.count < EntryPermissions.reportedEntries {
                    verdicts.append(LocatedVerdict(path: entry.path, verdict: verdict))
                } else {
                    unreported += 1
                }
            }
            if unreported > 0 {
                verdicts.append(LocatedVerdict(
                    path: "",
                    verdict: Verdict(
                        "\(unreported) more entries have permissions Lambda's user cannot use (the first \(EntryPermissions.reportedEntries) are listed)",
                        fix: "Set the permissions before zipping: `chmod 644` for files, `755` for folders and executables.",
                        fact: "more entries")))
            }
            return verdicts
        })
}

/// What the user Lambda runs as may do with an entry: only the "others" permission bits count.
enum EntryPermissions {
    static let reportedEntries = 20

    static func verdict(_ entry: ArtifactEntry, executed: ExecutedFiles) -> Verdict? {
        // What the runtime executes: a provided runtime's bootstrap; from a layer, /opt/bin (on PATH) and the
        // extensions Lambda starts. A function's bin/ is not on PATH: pip's console scripts there are never run.
        // Asked only of entries whose mode could matter (most are readable by all), so most paths are never split.
        func isEntryPoint() -> Bool {
            guard entry.type == .file else { return false }
            // The first component, and how many there are up to 3 (the rules tell 1, 2 and more apart).
            var first: Substring?
            var count = 0
            EntryPath.eachComponent(entry.path) { part in
                if first == nil { first = part }
                count += 1
                return count < 3
            }
            guard let first else { return false }
            return (count == 1 && executed.entryPoints.contains(String(first)))
                || (count > 1 && executed.pathFolders.contains(String(first)))
                || (count == 2 && executed.extensionFolders.contains(String(first)))
        }
        guard let mode = entry.mode else {
            guard isEntryPoint() else { return nil }
            return Verdict(
                "\(entry.path) must be executable, but the ZIP stores no Unix permissions (made on Windows), so Lambda does not make it executable",
                fix: "Build the ZIP with a tool that stores Unix modes (AWS's build-lambda-zip, SAM, or zip inside WSL) after `chmod 755 \(entry.path)`.",
                fact: "no unix modes")
        }
        let others = mode & 0o7
        var shown: String { String(mode & 0o777, radix: 8) }  // only for a verdict: most entries have none
        switch entry.type {
        case .file:
            if others & 0o5 != 0o5 && isEntryPoint() {
                return Verdict(
                    "\(entry.path) is stored with mode \(shown), not executable: Lambda's user cannot execute it, so the function fails with permission denied",
                    fix: "`chmod 755 \(entry.path)` before zipping.", fact: "mode \(shown)")
            }
            if others & 0o4 == 0 {
                return Verdict(
                    "stored with mode \(shown): not readable by others, and Lambda runs the function as another user than the files' owner (PermissionError [Errno 13] / EACCES)",
                    fix: "`chmod 644` the files (755 for executables) before zipping.", fact: "mode \(shown)")
            }
        case .directory:
            if others & 0o5 != 0o5 {
                return Verdict(
                    "folder stored with mode \(shown): Lambda's user cannot list or enter it (PermissionError [Errno 13] / EACCES)",
                    fix: "`chmod 755` the folders before zipping.", fact: "mode \(shown)")
            }
        default:
            break
        }
        return nil
    }
}

/// What the runtime executes from one input, from `RuntimeView`: its entry points at the top (`bootstrap`), the
/// folders of it on PATH (a layer's `bin`: every file below runs), and the folders whose files Lambda starts itself
/// (a layer's `extensions`: the files directly in it).
struct ExecutedFiles {
    let entryPoints: Set<String>
    let pathFolders: Set<String>
    let extensionFolders: Set<String>

    init(runtime: RuntimeView, role: ArtifactRole) {
        entryPoints = Set(runtime.entryPoints)
        pathFolders = Set(runtime.executableFolders(in: role))
        extensionFolders = Set(runtime.extensionFolders(in: role))
    }
}
