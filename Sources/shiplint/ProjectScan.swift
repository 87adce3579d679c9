import ArgumentParser
import Foundation
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
            guard let project = try read(path) else {
                throw fail("\(path): no deployment descriptor found (\(DescriptorFormat.everyLookedFor))")
            }
            if !input.paths.isEmpty { throw fail("--project scans the project's own code; name no artifacts with it") }
            if !input.layer.isEmpty { throw fail("--layer does not apply to a project: each function's layers come from its descriptor") }
            return project
        }
        guard input.paths.count == 1, input.layer.isEmpty, let project = try read(input.paths[0]) else {
            if !input.functions.isEmpty { throw fail("--function needs a project (--project PATH, or a path that holds a deployment descriptor)") }
            if !input.image.isEmpty { throw fail("--image FUNCTION=PATH needs a project (--project PATH, or a path that holds a deployment descriptor)") }
            return nil
        }
        return project
    }

    private static func read(_ path: String) throws -> DeploymentProject? {
        do {
            return try DeploymentProject.read(path)
        } catch {
            throw fail(error.description)
        }
    }

    /// Every function of `project` judged (ShiplintScan's ProjectScan) under `policy`; a bad request ends the run
    /// with status 2.
    static func scan(_ project: DeploymentProject, input: ScanInputOptions, policy: ScanPolicy) throws -> ScanOutcome {
        if let today = input.today, !RuntimeLifecycle.isDay(today) { throw fail("--today must be YYYY-MM-DD, not '\(today)'") }
        let override = try input.target.map { ($0, try loadTarget($0)) }
        let request = ProjectScanRequest(
            functions: input.functions, images: input.image, target: override, today: input.today ?? currentDay(),
            limits: input.reading.limits, platform: input.platform)
        do {
            return try ShiplintScan.ProjectScan.scan(project, request: request, policy: policy)
        } catch {
            throw fail(error.message)
        }
    }

    /// Today (UTC) as `YYYY-MM-DD`.
    static func currentDay() -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: Date())
        return String(format: "%04d-%02d-%02d", parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1)
    }
}

extension Scan {
    /// The `--baseline` file, loaded; a broken one ends the run with status 2.
    func recordedBaseline() throws -> (file: String, baseline: Baseline)? {
        guard let baseline else { return nil }
        do {
            return (baseline, try Baseline.load(file: baseline))
        } catch {
            throw fail(error.description)
        }
    }

    /// `shiplint scan PROJECT`: true when the input was a project (then scanned and reported here).
    func scanProject(_ configuration: ProjectConfiguration?) throws -> Bool {
        guard let project = try ProjectScan.project(input) else { return false }
        let recorded = try recordedBaseline()
        let scan = try ProjectScan.scan(project, input: input, policy: ScanPolicy(configuration: configuration, baseline: recorded, failOn: failOn))
        try outputOptions.emit(scan)
        if scan.deployments.allSatisfy({ !$0.isJudged }) {
            throw fail("nothing in \(project.file) could be scanned (see the deployment-not-checked findings)")
        }
        if scan.fails { throw ExitCode(ExitStatus.findings) }
        return true
    }
}
