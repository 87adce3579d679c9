import ShiplintFacts

extension Check {
    public static let extractionMismatch = Check(
        id: "extraction-mismatch",
        defaultSeverity: .error,
        summary: "The archive lists one file, the extractors write another (a name cut at NUL, a Unicode Path field, a name encoding, a folder that holds data, a repeated name, a ZIP zipfile refuses, a tar hard link GNU tar cannot make)",
        explanation: """
            shiplint judges the files as the extractors write them, and says where that differs from what the \
            archive lists, because a listing, a code review or another scanner sees the listed file while the \
            runtime loads the written one. Lambda's own extractor is not public: where Info-ZIP unzip and Python's \
            zipfile agree, shiplint follows them; where they differ, it judges both results. Each is checked against \
            the real extractors by shiplint's differential test.

            - `name-cut-at-nul`: a name holding a NUL byte (`_m.cpython-313-x86_64-linux-gnu.so\\0.txt`): both \
            extractors cut it there and write `_m.cpython-313-x86_64-linux-gnu.so`, which is what is judged.
            - `unicode-path`: an Info-ZIP Unicode Path extra field naming the entry otherwise (a module under a \
            harmless central name): unzip writes the field's name, zipfile the central one; both are judged.
            - `name-encoding`: a name whose bytes are not UTF-8: zipfile reads them as CP437 (or refuses the whole \
            archive when they are flagged UTF-8), unzip writes the bytes; a backslash, a folder separator to unzip \
            and part of the name to zipfile. The file may not be found under the name the code imports.
            - `directory-with-data`: an entry whose attributes say "folder" but which holds data and has no `/` at \
            the end of its name: the extractors write a file, judged as such; tools that trust the attributes skip it.
            - `duplicate-name`: several entries with one name (`lib//x.so` and `./lib/x.so` are one name to an \
            extractor): each is written over the last, so the file on disk is the last one, and only it is judged.
            - `refused-by-zipfile`: a ZIP Python's zipfile refuses whole (a malformed extra field, an end-record \
            signature inside the archive comment) while unzip reads it: what is deployed depends on the tool.
            - `hard-link-not-made`: a tar hard link to a folder, or to a name written with a trailing `/` \
            (`pkg/_w.pyd/`): GNU tar cannot make it (link(2) refuses a folder, and reads a trailing `/` as one) and \
            exits with status 2; Python's tarfile copies the target there instead. What an image build or a layer \
            unpack leaves depends on the tool.

            Fix: rebuild the archive with a standard tool (`zip -r`, `python -m zipfile -c`, the build system's \
            packager) from the files as they should be; names in plain UTF-8, each once.
            """,
        examples: [
            CheckExample(
                "a module name cut at NUL",
                subject: .artifact(Artifact(
                    path: "function.zip", kind: .zip, entries: [], binaries: [],
                    problems: [ArtifactProblem(
                        kind: .nameCutAtNul, path: "_m.cpython-313-x86_64-linux-gnu.so",
                        message: "the ZIP stores this name as '_m.cpython-313-x86_64-linux-gnu.so\u{0}.txt'; unzip and Python's zipfile cut it at the NUL byte and write '_m.cpython-313-x86_64-linux-gnu.so', judged here (a listing of the whole name shows another file)")])),
                target: "aws-lambda-python3.13-x86_64", fires: true, at: "_m.cpython-313-x86_64-linux-gnu.so", mentions: "cut it at the NUL byte"),
            CheckExample(
                "a Unicode Path extra field naming a module",
                subject: .artifact(Artifact(
                    path: "function.zip", kind: .zip, entries: [], binaries: [],
                    problems: [ArtifactProblem(
                        kind: .unicodePath, path: "README.txt",
                        message: "its Info-ZIP Unicode Path extra field names it 'pkg/_m.abi3.so': unzip writes it there, Python's zipfile writes 'README.txt'; both are judged")])),
                target: "aws-lambda-python3.13-x86_64", fires: true, at: "README.txt", mentions: "names it 'pkg/_m.abi3.so'"),
            CheckExample(
                "an entry shiplint could not read is another check's",
                subject: .artifact(Artifact(
                    path: "function.zip", kind: .zip, entries: [], binaries: [],
                    problems: [ArtifactProblem(kind: .encryptedEntry, path: "secret.so", message: "entry is encrypted")])),
                target: "aws-lambda-python3.13-x86_64", fires: false),
        ],
        judgement: .perArtifact { context in
            context.artifact.problems.filter(\.kind.isExtractionMismatch).map { problem in
                LocatedVerdict(
                    path: problem.path ?? "",
                    verdict: Verdict(problem.message, fix: ExtractionMismatch.fix(for: problem.kind), fact: problem.kind.rawValue))
            }
        })
}

enum ExtractionMismatch {
    static func fix(for kind: ArtifactProblem.Kind) -> String {
        switch kind {
        case .nameCutAtNul: "Rebuild the archive with a standard tool from the files as they should be: no name holds a NUL byte, so this one was made to hide what is written."
        case .unicodePath: "Rebuild the archive with a standard tool (names in plain UTF-8, flagged as such); a Unicode Path field that names another file is how scanner decoys are made."
        case .nameEncoding: "Rebuild the archive with a tool that writes UTF-8 names and flags them (zip 3.0, python -m zipfile, 7-Zip with -mcu); or rename the file to ASCII."
        case .directoryWithData: "Rebuild the archive with a standard tool: folders are entries ending in '/' with no data."
        case .duplicateName: "Rebuild the archive from a clean folder so each name appears once (zip -r into a new file, not -u into an old one)."
        case .refusedByZipfile: "Rebuild the archive with a standard tool (zip, python -m zipfile, the build system's packager): one that Python's zipfile refuses is read by some extractors and not others."
        case .hardLinkNotMade: "Rebuild the archive with tar from the files on disk: a hard link names a file, written without a trailing '/'; a folder cannot be hard linked."
        default: "Rebuild the archive with a standard tool."
        }
    }
}
