import ShiplintFacts

extension Check {
    public static let unreadableEntry = Check(
        id: "unreadable-entry",
        defaultSeverity: .error,
        summary: "An entry shiplint could not read (encrypted, over a size cap, nested too deep, damaged archive)",
        explanation: """
            Part of the artifact was not checked: an encrypted entry (Lambda cannot read it either), an entry that \
            inflates past the per-entry or per-artifact cap (a zip bomb, or far over Lambda's 250 MB limit anyway), \
            archives nested deeper than the cap, more entries than the cap, an archive damaged part-way, or a ZIP \
            entry whose local header gives another name than the central directory (tools disagree on what it is). A gate \
            that passed without reading them would be saying more than it knows, so this is an error by default.

            Fix: remove or repair the entry; if it is genuine and large, raise the cap (`--max-entry-bytes`, \
            `--max-artifact-bytes`, `--max-depth`, `--max-entries`). \
            The same on a wheel-policy target: pip cannot install an encrypted or damaged wheel either; rebuild the wheel.
            """,
        examples: [
            CheckExample(
                "an encrypted entry",
                subject: .artifact(Artifact(
                    path: "function.zip", kind: .zip, entries: [], binaries: [],
                    problems: [ArtifactProblem(kind: .encryptedEntry, path: "secret.so", message: "entry is encrypted, so it was not read (Lambda cannot read it either)")])),
                target: "aws-lambda-python3.13-x86_64", fires: true),
            CheckExample(
                "nothing wrong",
                subject: .artifact(Artifact(path: "function.zip", kind: .zip, entries: [], binaries: [], problems: [])),
                target: "aws-lambda-python3.13-x86_64", fires: false),
        ],
        judgement: .perArtifact { context in
            context.artifact.problems.map { problem in
                LocatedVerdict(
                    path: problem.path ?? "",
                    verdict: Verdict(problem.message, fix: fix(for: problem.kind)))
            }
        })

    private static func fix(for kind: ArtifactProblem.Kind) -> String {
        switch kind {
        case .entryTooLarge: "Remove the entry, or raise --max-entry-bytes if it is genuine (Lambda's unzipped limit is 250 MB)."
        case .artifactTooLarge: "Shrink the artifact, or raise --max-artifact-bytes if it is genuine."
        case .tooManyEntries: "Remove what the function does not need (tests, caches), or raise --max-entries."
        case .nestingTooDeep: "Unpack the inner archives when building the package, or raise --max-depth."
        case .encryptedEntry: "Package the file without encryption; Lambda cannot decrypt ZIP entries."
        case .unreadableEntry, .unreadableArchive: "Rebuild the archive; it is damaged."
        case .nameMismatch: "Rebuild the archive with a standard tool (zip, python -m zipfile, the build system's packager); an archive whose two directories disagree was damaged or made to mislead scanners."
        }
    }
}
