import ArgumentParser
import FoundationEssentials
import ShiplintChecks
import ShiplintDeployments
import ShiplintFacts
import ShiplintOutcome
import ShiplintPolicy
import ShiplintReading
import ShiplintReports
import ShiplintScan
import ShiplintTargets

/// `shiplint scan PROJECT` on the command line: which path is a project, and the request made of the options; the
/// scan itself is ShiplintScan's.
enum ProjectScan {
    /// The project named by `--project`, or the single path given when it is (or holds) a descriptor.
    static func project(_ input: ScanInputOptions) throws -> DeploymentProject? {
        if let path = input.project {
            guard let project = try read(path, input.reading.descriptorLimits) else {
                throw fail("\(path): no deployment descriptor found (\(DescriptorFormat.everyLookedFor))")
            }
            if !input.paths.isEmpty { throw fail("--project scans the project's own code; name no artifacts with it") }
            if !input.layer.isEmpty { throw fail("--layer does not apply to a project: each function's layers come from its descriptor") }
            return project
        }
        guard input.paths.count == 1, input.layer.isEmpty, let project = try read(input.paths[0], input.reading.descriptorLimits) else {
            if !input.functions.isEmpty { throw fail("--function needs a project (--project PATH, or a path that holds a deployment descriptor)") }
            if !input.image.isEmpty { throw fail("--image FUNCTION=PATH needs a project (--project PATH, or a path that holds a deployment descriptor)") }
            return nil
        }
        return project
    }

    private static func read(_ path: String, _ limits: DescriptorLimits) throws -> DeploymentProject? {
        do {
            return try DeploymentProject.read(path, limits: limits)
        } catch {
            throw fail(error.description)
        }
    }

    /// Every function of `project` judged (ShiplintScan's ProjectScan) under `policy`; a bad request ends the run
    /// with status 2.
    static func scan(_ project: DeploymentProject, input: ScanInputOptions, policy: ScanPolicy) throws -> ScanOutcome {
        let override = try input.target.first.map { ($0, try loadTarget($0)) }
        let request = try request(input, target: override)
        do {
            return try ShiplintScan.ProjectScan.scan(project, request: request, policy: policy)
        } catch {
            throw fail(error.message)
        }
    }

    /// The project judged once per column, read once for all.
    static func scan(_ project: DeploymentProject, input: ScanInputOptions, policy: ScanPolicy, columns: [TargetChoice]) throws -> [ScanOutcome] {
        let request = try request(input, target: nil)
        do {
            return try ShiplintScan.ProjectScan.scan(project, request: request, policy: policy, columns: columns)
        } catch {
            throw fail(error.message)
        }
    }

    private static func request(_ input: ScanInputOptions, target: (String, TargetRuntime)?) throws -> ProjectScanRequest {
        if let today = input.today, !RuntimeLifecycle.isDay(today) { throw fail("--today must be YYYY-MM-DD, not '\(today)'") }
        return ProjectScanRequest(
            functions: input.functions, images: input.image, target: target, today: input.today ?? currentDay(),
            limits: input.reading.limits, platform: input.platform)
    }

    /// A project's columns: the current one (each function's own target, or the first `--target`), the other
    /// `--target`s, then each `--to` move of the current one.
    static func columns(_ input: ScanInputOptions, to: [String]) throws -> [TargetChoice] {
        var columns: [TargetChoice] = try input.target.map { .fixed(name: $0, runtime: try loadTarget($0)) }
        if columns.isEmpty { columns = [.own] }
        for spelling in to {
            let migration: Migration
            do { migration = try Migration.parse(spelling) } catch { throw fail(error.message) }
            guard case .fixed(let name, let runtime) = columns[0] else {
                columns.append(.moved(migration))
                continue
            }
            guard let (current, _, architecture) = TargetCatalog.lambdaRuntime(ofTargetName: runtime.name) else {
                throw fail("--to moves a built-in Lambda target (aws-lambda-<runtime>-<arch>), and --target \(name) is not one")
            }
            let moved = migration.targetName(from: current, architecture: architecture)
            columns.append(.fixed(name: spelling, runtime: try loadTarget(moved)))
        }
        return columns
    }

    /// Today (UTC) as `YYYY-MM-DD`.
    static func currentDay() -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: Date())
        func padded(_ number: Int, _ width: Int) -> String {
            let digits = String(number)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(padded(parts.year ?? 1970, 4))-\(padded(parts.month ?? 1, 2))-\(padded(parts.day ?? 1, 2))"
    }
}

extension Scan {
    /// The `--baseline` file (a baseline, or a previous scan's JSON report), loaded; a broken one ends the run with
    /// status 2.
    func recordedBaseline(_ configuration: ProjectConfiguration?) throws -> (file: String, baseline: Baseline)? {
        guard let baseline else { return nil }
        do throws(ConfigurationError) {
            // Bounded like any baseline; read as a baseline first (the strict reader, bounded memory), and only
            // what is not one is tried as a previous scan's report.
            let bytes = try Baseline.bytes(file: baseline)
            do throws(ConfigurationError) {
                return (baseline, try Baseline.parse(bytes, file: baseline))
            } catch let notBaseline {
                let data = Data(bytes)
                guard PreviousScan.isScanReport(data) else { throw notBaseline }
                return (baseline, try PreviousScan.baseline(data, file: baseline, root: ProjectRoot.find(configurationFile: configuration?.file)))
            }
        } catch {
            throw fail(error.description)
        }
    }

    /// `shiplint scan PROJECT`: true when the input was a project (then scanned and reported here).
    func scanProject(_ configuration: ProjectConfiguration?) throws -> Bool {
        guard let project = try ProjectScan.project(input) else { return false }
        let recorded = try recordedBaseline(configuration)
        let policy = ScanPolicy(configuration: configuration, baseline: recorded, failOn: failOn)
        let columns = try ProjectScan.columns(input, to: to)
        guard columns.count > 1 else {
            let scan = try ProjectScan.scan(project, input: input, policy: policy)
            try outputOptions.emit(scan)
            try checkScanned(scan, project: project)
            if scan.fails { throw ExitCode(ExitStatus.findings) }
            return true
        }
        let required = try requiredColumns(columns.map(\.name))
        let outcomes = try ProjectScan.scan(project, input: input, policy: policy, columns: columns)
        let matrix = MigrationOutcome(columns: zip(columns, outcomes).enumerated().map { index, pair in
            MigrationColumn(name: pair.0.name, required: required.contains(index), outcome: pair.1)
        })
        try outputOptions.emit(matrix)
        try checkScanned(matrix.current, project: project)
        if matrix.fails { throw ExitCode(ExitStatus.findings) }
        return true
    }

    /// Nothing judged at all is bad input (exit 2), after the report that says why.
    private func checkScanned(_ scan: ScanOutcome, project: DeploymentProject) throws {
        if scan.deployments.allSatisfy({ !$0.isJudged }) {
            throw fail("nothing in \(project.file) could be scanned (see the deployment-not-checked findings)")
        }
    }
}
