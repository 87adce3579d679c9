import FoundationEssentials
import Glibc
import ShiplintChecks
import ShiplintFacts
import ShiplintOutcome
import ShiplintPolicy
import ShiplintReading
import ShiplintTargets

/// What `shiplint repair` was asked.
public struct RepairRequest: Sendable {
    public let artifact: String
    /// `--as`: nil to recognise it as `scan` does (a ZIP whose every entry sits under python/ is a layer).
    public let role: DeclaredRole?
    public let target: TargetRuntime
    public let output: String
    public let dryRun: Bool
    /// Write the output even when something could not be repaired.
    public let partial: Bool
    public let limits: ReadLimits

    public init(artifact: String, role: DeclaredRole?, target: TargetRuntime, output: String, dryRun: Bool, partial: Bool, limits: ReadLimits) {
        self.artifact = artifact
        self.role = role
        self.target = target
        self.output = output
        self.dryRun = dryRun
        self.partial = partial
        self.limits = limits
    }
}

/// A run that cannot go on: the input is not a ZIP, pip cannot be run or cannot reach its index, the output cannot be
/// written. The command line turns it into exit status 2.
public struct RepairError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// `shiplint repair`: for every installed distribution whose files break on the target, the wheel that fits it (asked
/// of pip), its files replaced in a copy of the artifact; everything else copied byte for byte; the copy judged again.
/// The input is only read; nothing is written but the output file (pip works in a scratch folder removed afterwards,
/// and keeps its HTTP cache where `installer.cacheFolder` says).
public struct ArtifactRepair {
    public let request: RepairRequest
    public let policy: ScanPolicy
    public let installer: PackageInstaller

    public init(request: RepairRequest, policy: ScanPolicy, installer: PackageInstaller) {
        self.request = request
        self.policy = policy
        self.installer = installer
    }

    /// The lowest severity that breaks: `--fail-on`'s (errors when it is `never`).
    var threshold: Severity { policy.failOn == .warning ? .warning : .error }

    public func run() throws(RepairError) -> RepairOutcome {
        guard let wheels = WheelRequest(target: request.target) else {
            throw RepairError("\(request.target.name) is not a CPython runtime on Linux: there is no wheel to ask pip for")
        }
        if Self.sameFile(request.artifact, request.output) {
            throw RepairError("--output \(request.output) is the artifact itself: repair never writes over its input; name another file")
        }
        let artifact: Artifact
        do {
            artifact = try ArtifactReader(limits: request.limits).read(path: request.artifact)
        } catch {
            throw RepairError(error.description)
        }
        guard artifact.kind == .zip else {
            throw RepairError("\(request.artifact): repair rewrites ZIP function packages and layers; this is a \(artifact.kind.rawValue)")
        }
        let zip: ZipRewriter
        do { zip = try ZipRewriter(path: request.artifact) } catch { throw RepairError(error.description) }
        let role = request.role ?? (LayerRecognition.reason(artifact, target: request.target) == nil ? .function : .layer)
        let before = scan(artifact, role: role)
        let breaking = before.reported.filter { $0.severity >= threshold && $0.artifact == artifact.path }
        let installed = InstalledFiles.all(in: zip)
        var owned: [String: [Finding]] = [:]
        var unowned: [Finding] = []
        for finding in breaking {
            if let owner = installed.first(where: { $0.owns(finding.path) }) {
                owned[owner.folder, default: []].append(finding)
            } else {
                unowned.append(finding)
            }
        }
        let broken = installed.filter { owned[$0.folder] != nil }
        let scratch = try Scratch()
        var repairs: [DistributionRepair] = []
        var replacements: [(InstalledFiles, folder: String)] = []
        for distribution in broken {
            let (repair, folder) = try replace(distribution, findings: owned[distribution.folder] ?? [], wheels: wheels, scratch: scratch)
            repairs.append(repair)
            if let folder { replacements.append((distribution, folder)) }
        }
        func unchanged(written: Bool) -> RepairOutcome {
            RepairOutcome(
                artifact: request.artifact, role: role, target: request.target, output: request.output, dryRun: request.dryRun, threshold: threshold,
                distributions: repairs, unowned: unowned, rescan: nil, written: written, kept: written ? zip.entries.count : 0, removed: 0, added: 0)
        }
        if breaking.isEmpty && !request.dryRun {
            // Nothing breaks: the output is the input, byte for byte, so a pipeline that deploys it goes on.
            try copy(request.artifact, to: request.output)
            return unchanged(written: true)
        }
        guard !request.dryRun, !replacements.isEmpty else {
            if !request.dryRun && request.partial {
                try copy(request.artifact, to: request.output)
                return unchanged(written: true)
            }
            return unchanged(written: false)
        }
        return try rewrite(zip, artifact: artifact, role: role, replacements: replacements, repairs: repairs, unowned: unowned)
    }

    /// Whether two paths name the same file (a link, `./a.zip` and `a.zip`).
    static func sameFile(_ one: String, _ other: String) -> Bool {
        var first = stat()
        var second = stat()
        if stat(one, &first) == 0, stat(other, &second) == 0 { return first.st_dev == second.st_dev && first.st_ino == second.st_ino }
        return URL(fileURLWithPath: one).standardizedFileURL.path == URL(fileURLWithPath: other).standardizedFileURL.path
    }

    /// The input copied to the output unchanged (through a temporary file beside it, renamed into place).
    func copy(_ input: String, to output: String) throws(RepairError) {
        let temporary = Self.temporaryPath(beside: output)
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        do {
            try FileManager.default.copyItem(atPath: input, toPath: temporary)
        } catch {
            throw RepairError("cannot write \(output): \(SystemMessage.describing(error))")
        }
        try place(temporary, at: output)
    }

    /// `.NAME.shiplint-PID` in the output's folder: renamed into place, so a reader never sees half a ZIP.
    static func temporaryPath(beside output: String) -> String {
        let folder = PathName.parent(output)
        return (folder.isEmpty ? "." : folder) + "/.\(PathName.last(output)).shiplint-\(getpid())"
    }

    func place(_ temporary: String, at output: String) throws(RepairError) {
        guard rename(temporary, output) == 0 else {
            throw RepairError("cannot write \(output): \(String(cString: strerror(errno)))")
        }
    }

    /// The artifact judged against the target in its role.
    func scan(_ artifact: Artifact, role: DeclaredRole) -> ScanOutcome {
        switch role {
        case .function: policy.scan(functions: [artifact], layers: [], target: request.target)
        case .layer: policy.scan(functions: [], layers: [artifact], target: request.target)
        }
    }

    /// Asks pip for the wheel of this version that fits and installs it into a scratch folder; nil folder when there
    /// is none (then, the newest version that has one) or on a dry run.
    func replace(
        _ distribution: InstalledFiles, findings: [Finding], wheels: WheelRequest, scratch: Scratch
    ) throws(RepairError) -> (DistributionRepair, String?) {
        let requirement = "\(distribution.name)==\(distribution.version)"
        let name = distribution.folder.replacingText("/", with: "_")
        let downloads = request.dryRun ? "$SCRATCH/download-\(name)" : scratch.folder("download-\(name)")
        let target = request.dryRun ? "$SCRATCH/install-\(name)" : scratch.folder("install-\(name)")
        let download = wheels.downloadArguments(requirement, into: downloads)
        let install = wheels.installArguments(requirement, from: downloads, into: target)
        func repair(_ commands: [[String]], _ result: DistributionRepair.Result) -> DistributionRepair {
            DistributionRepair(
                name: distribution.name, version: distribution.version, folder: distribution.folder, root: distribution.root,
                installer: distribution.installer, findings: findings, commands: commands.map(installer.command), result: result)
        }
        if request.dryRun { return (repair([download, install], .planned), nil) }
        guard let fetched = installer.run(download) else {
            throw RepairError("cannot run \(installer.python) -m pip: is Python with pip installed? (--python names another)")
        }
        guard fetched.status == 0 else {
            switch PipFailure(fetched) {
            case .failed(let why): throw RepairError("pip could not download \(requirement): \(why)")
            case .noMatchingWheel:
                if let why = installer.unreachableIndex(download) { throw RepairError("pip could not download \(requirement): \(why)") }
                let newest = wheels.newestArguments(distribution.name, scratch: scratch.folder("newest-\(name)"))
                return (repair([download, newest], .noFittingWheel(newer: newestVersion(newest))), nil)
            }
        }
        let found = (try? FileManager.default.contentsOfDirectory(atPath: downloads))?.filter { $0.hasSuffix(".whl") }.sorted() ?? []
        guard let wheel = found.first, found.count == 1 else {
            throw RepairError("pip download \(requirement) left \(found.count) wheels, expected one")
        }
        guard let installed = installer.run(install) else {
            throw RepairError("cannot run \(installer.python) -m pip: is Python with pip installed? (--python names another)")
        }
        guard installed.status == 0 else {
            throw RepairError("pip could not install \(wheel): \(PipFailure.lastLines(installed))")
        }
        return (repair([download, install], .replaced(wheel: wheel, removed: 0, added: 0)), target)
    }

    /// The newest version pip would install (its `--report`), nil when none fits.
    func newestVersion(_ arguments: [String]) -> String? {
        guard let run = installer.run(arguments), run.status == 0,
            let report = JSONText.foundationObject(run.output),
            let install = (report["install"] as? [[String: Any]])?.first,
            let metadata = install["metadata"] as? [String: Any]
        else { return nil }
        return metadata["version"] as? String
    }

    /// The copy: the replaced distributions' entries out, their new files in (under the folder each was installed
    /// into), everything else byte for byte; judged again, and written to the output when it is clean (or `--partial`).
    func rewrite(
        _ zip: ZipRewriter, artifact: Artifact, role: DeclaredRole, replacements: [(InstalledFiles, folder: String)], repairs: [DistributionRepair], unowned: [Finding]
    ) throws(RepairError) -> RepairOutcome {
        var removing = Set<String>()
        var adding: [ZipRewriter.NewEntry] = []
        var counts: [String: (removed: Int, added: Int)] = [:]
        var placed: [String: Set<String>] = [:]
        for (distribution, folder) in replacements {
            let old = zip.entries.filter { distribution.files.contains($0.name) || $0.name.hasPrefix(distribution.folder + "/") }
            removing.formUnion(old.map(\.name))
            let files = Self.files(in: folder)
            for (relative, bytes, mode) in files {
                adding.append(ZipRewriter.NewEntry(name: distribution.root + relative, bytes: bytes, mode: mode))
            }
            counts[distribution.folder] = (old.count, files.count)
            placed[distribution.folder] = Set(files.map { distribution.root + $0.0 })
        }
        // A new file where another entry already is (two distributions sharing a path) takes its place.
        let newNames = Set(adding.map(\.name))
        removing.formUnion(zip.entries.map(\.name).filter(newNames.contains))
        let temporary = Self.temporaryPath(beside: request.output)
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        do {
            try zip.write(to: temporary, keep: { !removing.contains($0.name) }, adding: adding)
        } catch {
            throw RepairError(error.description)
        }
        let read: Artifact
        do {
            read = try ArtifactReader(limits: request.limits).read(path: temporary)
        } catch {
            throw RepairError("the repaired copy cannot be read back: \(error.description)")
        }
        let repaired = Artifact(
            path: request.output, kind: read.kind, entries: read.entries, binaries: read.binaries, problems: read.problems, storedSize: read.storedSize,
            metadataFiles: read.metadataFiles, image: read.image)
        let rescan = scan(repaired, role: role)
        let remaining = rescan.reported.filter { $0.severity >= threshold }
        let replaced = Dictionary(replacements.map { ($0.0.folder, $0.0) }, uniquingKeysWith: { first, _ in first })
        let results = repairs.map { repair -> DistributionRepair in
            guard case .replaced(let wheel, _, _) = repair.result, let distribution = replaced[repair.folder] else { return repair }
            // The distribution's files after the repair: where it sits now.
            let now = placed[repair.folder] ?? []
            let still = remaining.filter { finding in distribution.owns(finding.path) || now.contains(finding.path) }
            let count = counts[repair.folder] ?? (0, 0)
            return DistributionRepair(
                name: repair.name, version: repair.version, folder: repair.folder, root: repair.root, installer: repair.installer, findings: repair.findings,
                commands: repair.commands,
                result: still.isEmpty ? .replaced(wheel: wheel, removed: count.removed, added: count.added) : .stillBreaks(wheel: wheel, findings: still))
        }
        let write = remaining.isEmpty || request.partial
        if write {
            try place(temporary, at: request.output)
        }
        return RepairOutcome(
            artifact: request.artifact, role: role, target: request.target, output: request.output, dryRun: false, threshold: threshold, distributions: results,
            unowned: unowned, rescan: rescan, written: write, kept: zip.entries.count - removing.count, removed: removing.count, added: adding.count)
    }

    /// Every regular file under `folder`, sorted by path, with its bytes and Unix mode.
    static func files(in folder: String) -> [(String, [UInt8], UInt32)] {
        guard let walked = try? FileManager.default.subpathsOfDirectory(atPath: folder) else { return [] }
        var found: [(String, [UInt8], UInt32)] = []
        for relative in walked {
            let path = folder + "/" + relative
            var status = stat()
            guard lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG, let data = FileManager.default.contents(atPath: path) else { continue }
            found.append((relative, [UInt8](data), UInt32(status.st_mode & 0o777)))
        }
        return found.sorted { $0.0 < $1.0 }
    }
}

/// A scratch folder for pip's downloads and installs, removed when the repair ends.
final class Scratch {
    let path: String

    init() throws(RepairError) {
        let temporary = Self.temporaryFolder
        var template = Array((temporary + "shiplint-repair-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw RepairError("cannot make a scratch folder in \(temporary)") }
        path = String(cString: made)
    }

    /// `$TMPDIR` with a trailing slash, or "/tmp/" (what `NSTemporaryDirectory()` gave).
    static var temporaryFolder: String {
        guard let folder = ProcessInfo.processInfo.environment["TMPDIR"], !folder.isEmpty else { return "/tmp/" }
        return folder.hasSuffix("/") ? folder : folder + "/"
    }

    /// A folder inside it for `name` (a `.dist-info` path made into one name).
    func folder(_ name: String) -> String {
        let folder = path + "/" + name.replacingText("/", with: "_")
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
