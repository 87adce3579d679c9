import ShiplintFacts

extension Check {
    public static let unreadableEntry = Check(
        id: "unreadable-entry",
        defaultSeverity: .error,
        summary: "An entry shiplint could not read or trust (encrypted, over a cap, nested too deep, a damaged or hostile archive, a special file, a folder it cannot list)",
        explanation: """
            Part of the artifact was not checked, or cannot be trusted: an encrypted entry (Lambda cannot read it \
            either), an entry that inflates past the per-entry or per-artifact cap (a zip bomb, or far over Lambda's \
            250 MB limit anyway), archives nested deeper than the cap, more entries than the cap, an archive damaged \
            part-way. A ZIP whose central directory and local headers disagree: an entry whose local header gives \
            another name, several central-directory records sharing one local header, data that overlaps another \
            entry's, a local header that gives other sizes, CRC-32 or method than the directory (`header-mismatch`), an entry count the directory cannot hold (tools disagree on what such an archive holds; unzip or \
            Python's zipfile refuse it, and every record is listed and named). In a folder: a FIFO, socket or device \
            (never opened, since reading one can block forever), a folder that cannot be listed, a tree deeper than \
            64 folders. Rarely, a limit of shiplint's own reader (`reader-limit`: an ELF file whose tables it could \
            not reach in its passes over a stream); that is said as ours, never as damage. A gate that passed without reading them would be saying more than it knows, so this is an \
            error by default.

            Fix: remove or repair the entry (rebuild a ZIP whose directories disagree with a standard tool; remove \
            special files from the build folder; make its folders readable); if it is genuine and large, raise the cap \
            (`--max-entry-bytes`, `--max-artifact-bytes`, `--max-depth`, `--max-entries`). \
            The same on a wheel-policy target: pip cannot install an encrypted or damaged wheel either; rebuild the wheel.
            """,
        examples: [
            CheckExample(
                "an encrypted entry",
                subject: .artifact(Artifact(
                    path: "function.zip", kind: .zip, entries: [], binaries: [],
                    problems: [ArtifactProblem(kind: .encryptedEntry, path: "secret.so", message: "entry is encrypted, so it was not read (Lambda cannot read it either)")])),
                target: "aws-lambda-python3.13-x86_64", fires: true, at: "secret.so", mentions: "entry is encrypted"),
            CheckExample(
                "two central-directory records on one local header",
                subject: .artifact(Artifact(
                    path: "function.zip", kind: .zip, entries: [], binaries: [],
                    problems: [ArtifactProblem(kind: .sharedLocalHeader, path: "README.txt", message: "this central-directory record shares its local header (offset 0) with another record ('handler.py'); unzip lists every name, Python's zipfile refuses the archive, so what this entry holds depends on the tool; not read")])),
                target: "aws-lambda-python3.13-x86_64", fires: true, at: "README.txt", mentions: "shares its local header (offset 0) with another record ('handler.py')"),
            CheckExample(
                "nothing wrong",
                subject: .artifact(Artifact(path: "function.zip", kind: .zip, entries: [], binaries: [], problems: [])),
                target: "aws-lambda-python3.13-x86_64", fires: false),
        ],
        judgement: .perArtifact { context in
            context.artifact.problems.filter { !$0.kind.isExtractionMismatch }.map { problem in
                LocatedVerdict(
                    path: problem.path ?? "",
                    verdict: Verdict(problem.message, fix: fix(for: problem.kind), fact: problem.kind.rawValue))
            }
        })

    private static func fix(for kind: ArtifactProblem.Kind) -> String {
        switch kind {
        case .entryTooLarge: "Remove the entry, or raise --max-entry-bytes if it is genuine (Lambda's unzipped limit is 250 MB)."
        case .artifactTooLarge: "Shrink the artifact, or raise --max-artifact-bytes if it is genuine."
        case .tooManyEntries: "Remove what the function does not need (tests, caches), or raise --max-entries."
        case .nestingTooDeep: "Unpack the inner archives when building the package, or raise --max-depth."
        case .nestedArchiveTooLarge: "Unpack the inner archive when building the package, or raise --max-nested-bytes."
        case .encryptedEntry: "Package the file without encryption; Lambda cannot decrypt ZIP entries."
        case .unreadableEntry, .unreadableArchive: "Rebuild the archive with a standard tool: its data does not inflate, does not match its CRC-32 or ends early (the message says which); if it reads fine with unzip, the disk gave a read error."
        case .readerLimit: "Nothing is wrong with the entry: this is a limit of shiplint's reader. Scan the unpacked files (a folder is read by offset, without this limit), and report the file to shiplint so the limit can go."
        case .sharedLocalHeader, .overlappingData: "Rebuild the archive with a standard tool (zip, python -m zipfile, the build system's packager); records that share or overlap data are how zip bombs and scanner decoys are made."
        case .specialFile: "Remove the FIFO, socket or device from the build folder; Lambda packages hold regular files, folders and links only."
        case .folderTooDeep: "Flatten the folder tree (or break the link loop that made it); shiplint stops 64 folders deep."
        case .unreadableFolder: "Make the folder readable to the user running shiplint (chmod / ownership), or remove it from the build."
        case .headerMismatch: "Rebuild the archive with a standard tool (zip, python -m zipfile, the build system's packager); its headers disagree on how the entry is stored, so extractors fail on it or read other bytes."
        case .nameCutAtNul, .unicodePath, .nameEncoding, .directoryWithData, .duplicateName, .refusedByZipfile, .hardLinkNotMade: ExtractionMismatch.fix(for: kind)
        case .nameMismatch: "Rebuild the archive with a standard tool (zip, python -m zipfile, the build system's packager); an archive whose two directories disagree was damaged or made to mislead scanners."
        }
    }
}
