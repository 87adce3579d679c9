import ShiplintTargets
import ShiplintFacts

extension Check {
    public static let noUnixModes = Check(
        id: "no-unix-modes",
        defaultSeverity: .note,
        summary: "A ZIP that stores no Unix permissions (made on Windows): reported once, with what Lambda does",
        explanation: """
            A ZIP made on Windows (Explorer's "Send to compressed folder", PowerShell's `Compress-Archive`, many \
            libraries) records MS-DOS attributes instead of Unix permissions. Lambda then has nothing to restore and, \
            in practice, unpacks the entries readable but not executable: Python and Node.js code loads, but a custom runtime's \
            `bootstrap` or a program under a layer's `bin/` cannot be run (`unreadable-file` reports those). shiplint says this \
            once per ZIP rather than for every entry.

            Fix: nothing, if the package holds no executable. Otherwise build the ZIP with a tool that stores Unix \
            modes: AWS's `build-lambda-zip` (from aws-lambda-go), SAM / CDK, or `zip` inside WSL, after \
            `chmod 755` on the executables.

            Only on Lambda targets: a wheel-policy target has no package settings (pip sets an installed wheel's modes).
            """,
        examples: [
            CheckExample(
                "a ZIP made on Windows",
                subject: .artifact(SamplePackage.artifact("function.zip", files: [("handler.py", 100), ("pkg/__init__.py", 0)], mode: nil)),
                target: "aws-lambda-python3.13-x86_64", fires: true, at: "", mentions: "2 of 2 entries store no Unix permissions"),
            CheckExample(
                "a ZIP with Unix modes",
                subject: .artifact(SamplePackage.artifact("function.zip", files: [("handler.py", 100)], mode: 0o100644)),
                target: "aws-lambda-python3.13-x86_64", fires: false),
        ],
        judgement: .perArtifact { context in
            guard context.target.package != nil else { return [] }
            var entries = 0
            var without = 0
            var example: String?
            for entry in context.artifact.entries where !EntryPath.isNested(entry.path) {
                entries += 1
                if entry.mode == nil {
                    without += 1
                    if example == nil { example = entry.path }
                }
            }
            guard let example else { return [] }
            return [LocatedVerdict(
                path: "",
                verdict: Verdict(
                    "\(without) of \(entries) entries store no Unix permissions (the ZIP was made on Windows, e.g. \(example)); Lambda has no permissions to restore, and in practice unpacks them readable but not executable: fine for code and libraries, not for programs it must run",
                    fix: "If the package holds executables (bootstrap, bin/), build the ZIP with a tool that stores Unix modes (AWS's build-lambda-zip, SAM, zip inside WSL) after `chmod 755` on them.",
                    fact: "no unix modes"))]
        })
}
