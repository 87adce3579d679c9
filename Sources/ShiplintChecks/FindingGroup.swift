/// What holds a file of a deployment as its builder put it there: an installed Python distribution, a Node package,
/// a folder (a layer's `lib/`, a package copied without metadata) or an archive inside the artifact. The same check
/// with the same fact in several files of one group is one cause (numpy built for another CPython is one problem in
/// nineteen modules), so it is one finding (STYLE 12).
public struct FindingGroup: Sendable, Hashable {
    public enum Kind: String, Sendable, CaseIterable {
        /// A distribution pip installed: its `.dist-info` RECORD, else its top-level packages.
        case distribution
        /// `node_modules/<name>` or `node_modules/@scope/<name>`.
        case nodePackage = "node-package"
        /// A folder with no package metadata: the top-level package or folder (`lib`, `bin`, `vendored`).
        case folder
        /// An archive inside the artifact (a wheel in a ZIP): what is inside it is its own.
        case archive
    }

    public let kind: Kind
    /// The distribution's or package's name as its metadata spells it (`psycopg2-binary`, `@img/sharp-linux-x64`); the
    /// folder's or archive's path.
    public let name: String
    /// The distribution's or package's version, for people (not part of the identity: an upgrade is the same place).
    public let version: String?
    /// Where it is installed inside the artifact: the folder on the module path holding a distribution (`""`,
    /// `python/`), a package's own folder, the folder, or the archive.
    public let location: String

    public init(kind: Kind, name: String, version: String? = nil, location: String) {
        self.kind = kind
        self.name = name
        self.version = version
        self.location = location
    }

    /// The group in a finding's identity: `distribution numpy`, `distribution python/numpy`,
    /// `node-package node_modules/sharp`, `folder lib`, `archive vendor/x.whl`.
    public var key: String {
        switch kind {
        case .distribution: "distribution \(location)\(Self.normalised(name))"
        case .nodePackage, .folder, .archive: "\(kind.rawValue) \(location)"
        }
    }

    /// For people: `numpy 2.1.3`, `the Node package sharp 0.33.5`, `the folder lib/`, `the archive vendor/x.whl`.
    public var label: String {
        switch kind {
        case .distribution: version.map { "\(name) \($0)" } ?? name
        case .nodePackage: "the Node package \(name)\(version.map { " \($0)" } ?? "")"
        case .folder: "the folder \(location)/"
        case .archive: "the archive \(location)"
        }
    }

    /// PEP 503: lower case, runs of `-`, `_` and `.` as one `-`.
    static func normalised(_ name: String) -> String {
        var result = ""
        var lastWasSeparator = false
        for character in name.lowercased() {
            if character == "-" || character == "_" || character == "." {
                if !lastWasSeparator { result.append("-") }
                lastWasSeparator = true
            } else {
                result.append(character)
                lastWasSeparator = false
            }
        }
        return result
    }
}

/// One cause, one finding: the judge's last step before the baseline.
public enum FindingGrouping {
    /// Findings of one check, with one fact and one severity, in one group of one artifact of one deployment, become
    /// one finding about the first file in path order, listing the others; every other finding stays as it is. The
    /// result keeps the order of each group's first file.
    public static func grouped(_ findings: [Finding]) -> [Finding] {
        grouped(findings.map { (finding: $0, tag: 0) }).map(\.finding)
    }

    /// The same, only findings with equal tags joining (the judge tags each finding with the ignore that hides it).
    public static func grouped<Tag: Hashable>(_ findings: [(finding: Finding, tag: Tag)]) -> [(finding: Finding, tag: Tag)] {
        var members: [GroupKey<Tag>: [Finding]] = [:]
        var order: [GroupKey<Tag>] = []
        var result: [(finding: Finding, tag: Tag)?] = []
        var slots: [GroupKey<Tag>: Int] = [:]
        for (finding, tag) in findings {
            guard let group = finding.group, !finding.path.isEmpty, !CheckRegistry.ungroupedChecks.contains(finding.check) else {
                result.append((finding, tag))
                continue
            }
            let key = GroupKey(
                check: finding.check, severity: finding.severity, artifact: finding.artifact, deployment: finding.deployment,
                fact: finding.fact, group: group.key, tag: tag)
            if members[key] == nil {
                order.append(key)
                slots[key] = result.count
                result.append(nil)
            }
            members[key, default: []] += finding.perFile
        }
        for key in order {
            let files = members[key]!.sorted { $0.path < $1.path }
            let first = files[0]
            let joined = Finding(
                check: first.check, severity: first.severity, artifact: first.artifact, path: first.path, message: first.message,
                fix: first.fix, fact: first.fact, deployment: first.deployment, group: first.group,
                otherFiles: files.dropFirst().map { FindingFile(path: $0.path, message: $0.message) })
            result[slots[key]!] = (joined, key.tag)
        }
        return result.compactMap { $0 }
    }
}

/// What findings must share to be one cause.
private struct GroupKey<Tag: Hashable>: Hashable {
    let check: String
    let severity: Severity
    let artifact: String
    let deployment: String?
    let fact: String
    let group: String
    let tag: Tag
}
