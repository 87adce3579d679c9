import ShiplintFacts

/// The state of reading one artifact: what was found so far (entries, binaries, problems, metadata text) and how much
/// of each budget is spent. Listing goes through `record` and `recordProblem`, which keep the caps on entries and on
/// problems named one by one; what is done with an entry's content is `EntryJudgement`'s, the walks over archives
/// `ArchiveWalk`'s, nested archives `NestedArchives`'.
struct Walk: Sendable {
    let limits: ReadLimits
    /// The files kept as text (the caller's choice; see `MetadataSelection`).
    let metadata: MetadataSelection
    private(set) var entries: [ArtifactEntry] = []
    private(set) var binaries: [Binary] = []
    private(set) var problems: [ArtifactProblem] = []
    private(set) var metadataFiles: [String: String] = [:]
    /// A second read of the artifact's Python files (`ArtifactReader.pythonSources`): only these are read, and nothing
    /// else is judged; nil on a first read.
    let python: PythonFileSelection?
    private(set) var pythonSources = PythonSources()
    private(set) var pythonBytes = 0
    private(set) var inflated = 0
    /// The artifact's inflate budget is spent: nothing more is read.
    private(set) var budgetExhausted = false
    /// Bytes of the nested archives open now (the chain from the artifact down to the entry being read).
    private(set) var nestedHeld = 0
    /// The entry cap was met: nothing more is listed.
    private(set) var stopped = false

    init(limits: ReadLimits, metadata: MetadataSelection = .none, python: PythonFileSelection? = nil) {
        self.limits = limits
        self.metadata = metadata
        self.python = python
        if let python { pythonSources.folders = python.folders }
    }

    // MARK: Listing, with its caps

    /// Problems of one kind named one by one from listing (a hostile folder can hold 200,000 FIFOs); the rest are counted.
    static let namedProblemsPerKind = 100
    private var namedProblems: [ArtifactProblem.Kind: Int] = [:]
    private var unnamedProblems: [ArtifactProblem.Kind: Int] = [:]

    mutating func record(_ entry: ArtifactEntry) {
        guard !stopped else { return }
        guard entries.count < limits.entries else {
            stopped = true
            problems.append(ArtifactProblem(
                kind: .tooManyEntries, path: nil,
                message: "more than \(limits.entries) entries; the rest was not read (raise --max-entries to read them)"))
            return
        }
        entries.append(entry)
    }

    /// A problem found while listing (a special file, a folder not listed, a ZIP record), unless the entry cap already
    /// stopped the walk; past the first hundred of its kind it is counted, and the count is a problem on the artifact.
    mutating func recordProblem(_ problem: ArtifactProblem) {
        guard !stopped else { return }
        if namedProblems[problem.kind, default: 0] < Self.namedProblemsPerKind {
            namedProblems[problem.kind, default: 0] += 1
            problems.append(problem)
        } else {
            unnamedProblems[problem.kind, default: 0] += 1
        }
    }

    /// A problem found reading an entry's content (never capped: there is one per entry at most).
    mutating func addProblem(_ problem: ArtifactProblem) {
        problems.append(problem)
    }

    mutating func addBinary(_ binary: Binary) {
        binaries.append(binary)
    }

    mutating func keepMetadata(_ path: String, _ text: String) {
        metadataFiles[path] = text
    }

    /// A Python file of a second read: its imports, or why it was not read.
    mutating func keepPython(_ path: String, imports: [PythonImport]?, bytes: Int, unread reason: String? = nil) {
        if let imports {
            pythonSources.imports[path] = imports
            pythonBytes += bytes
        } else {
            pythonSources.unread[path] = reason ?? "not read"
        }
    }

    /// Removes the binaries at the given indices (judged for entries a later one replaced).
    mutating func dropBinaries(where drop: (Int) -> Bool) {
        binaries = binaries.indices.filter { !drop($0) }.map { binaries[$0] }
    }

    /// Names the target of the link a binary was judged for (`LinkedEntries`).
    mutating func nameLinkTarget(at index: Int, _ target: String) {
        binaries[index].linkTarget = target
    }

    // MARK: Budgets

    mutating func spend(_ bytes: Int) {
        inflated += bytes
    }

    mutating func exhaustBudget() {
        budgetExhausted = true
    }

    var budgetIsSpent: Bool { budgetExhausted || stopped }

    /// Runs `body` with `bytes` more held by nested archives (the chain down to the entry being read).
    mutating func holdingNested(_ bytes: Int, _ body: (inout Walk) -> Void) {
        nestedHeld += bytes
        body(&self)
        nestedHeld -= bytes
    }

    /// A cap was met, or the archive was damaged: what follows depends on everything read before. Problems whose
    /// naming is capped per kind count too, since the cap counts over the whole artifact in entry order.
    var metACap: Bool {
        stopped || budgetExhausted || !namedProblems.isEmpty
            || problems.contains { [.artifactTooLarge, .tooManyEntries, .unreadableArchive].contains($0.kind) }
    }

    // MARK: Marks, for reading positions apart and joining them in order (`ParallelShare`)

    /// What visiting one position added.
    struct Mark: Sendable {
        var entries: Range<Int>
        var binaries: Range<Int>
        var problems: Range<Int>
        var inflated: Int
    }
    var marks: [Int: Mark] = [:]

    /// Visits one position with `body`, marking what it added.
    mutating func marking(_ position: Int, _ body: (inout Walk) -> Void) {
        let before = (entries.count, binaries.count, problems.count, inflated)
        body(&self)
        marks[position] = Mark(
            entries: before.0..<entries.count, binaries: before.1..<binaries.count, problems: before.2..<problems.count,
            inflated: inflated - before.3)
    }

    /// Joins what another walk found for one position.
    mutating func append(_ other: Walk, _ mark: Mark) {
        entries += other.entries[mark.entries]
        binaries += other.binaries[mark.binaries]
        problems += other.problems[mark.problems]
        for binary in other.binaries[mark.binaries] where other.metadataFiles[binary.path] != nil {
            metadataFiles[binary.path] = other.metadataFiles[binary.path]
        }
        for entry in other.entries[mark.entries] where other.metadataFiles[entry.path] != nil {
            metadataFiles[entry.path] = other.metadataFiles[entry.path]
        }
        inflated += mark.inflated
    }

    func artifact(path: String, kind: ArtifactKind, storedSize: Int64? = nil) -> Artifact {
        let counted = unnamedProblems.sorted { $0.key.rawValue < $1.key.rawValue }.map { kind, count in
            ArtifactProblem(
                kind: kind, path: nil,
                message: "\(count) more \(count == 1 ? "entry" : "entries") with the same problem (\(kind.rawValue)); the first \(Self.namedProblemsPerKind) are named")
        }
        return Artifact(
            path: path, kind: kind, entries: entries, binaries: binaries, problems: problems + counted, storedSize: storedSize,
            metadataFiles: metadataFiles, pythonSources: pythonSources)
    }

    /// The last non-empty `/`-separated component (`a/b/` → `b`), or the path itself when it has none.
    static func lastComponent(_ path: String) -> String {
        let bytes = path.utf8
        let slash = UInt8(ascii: "/")
        var end = bytes.endIndex
        while end > bytes.startIndex, bytes[bytes.index(before: end)] == slash { end = bytes.index(before: end) }
        guard end > bytes.startIndex else { return path }
        let start = bytes[..<end].lastIndex(of: slash).map { bytes.index(after: $0) } ?? bytes.startIndex
        return String(Substring(bytes[start..<end]))
    }
}
