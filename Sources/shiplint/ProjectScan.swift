import ArgumentParser
import Foundation
import ShiplintChecks
import ShiplintDeployments
import ShiplintFacts
import ShiplintOutcome
import ShiplintPolicy
import ShiplintReading
import ShiplintReports
import ShiplintTargets

/// `shiplint scan PROJECT`: reads the deployment descriptor, then judges each function with its code and layers
/// against the built-in target for its own runtime and architecture. Artifacts shared by several functions (a
/// layer) are read once. What cannot be judged becomes a `deployment-not-checked` finding, never silence.
enum ProjectScan {
    /// The project named by `--project`, or the single path given when it is (or holds) a descriptor.
    static func project(_ input: ScanInputOptions) throws -> DeploymentProject? {
        if let path = input.project {
            guard let project = try read(path) else {
                throw fail("\(path): no deployment descriptor found (template.yaml, .aws-sam/build/template.yaml, cdk.out/manifest.json, .serverless/serverless-state.json, or `terraform show -json` output)")
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

    static func scan(_ project: DeploymentProject, input: ScanInputOptions, policy: ScanPolicy) throws -> ProjectScanReport {
        guard !project.functions.isEmpty || !project.notes.isEmpty else {
            throw fail("\(project.file): no Lambda functions (AWS::Serverless::Function, AWS::Lambda::Function, aws_lambda_function, or Serverless functions) in it")
        }
        var functions = project.functions
        if !input.functions.isEmpty {
            let unknown = input.functions.filter { selector in !functions.contains { $0.matches(selector) } }
            if !unknown.isEmpty {
                throw fail("no function \(unknown.joined(separator: ", ")) in \(project.file); it has \(functions.map(\.label).joined(separator: ", "))")
            }
            functions = functions.filter { descriptor in input.functions.contains { descriptor.matches($0) } }
        }
        let images = try ProjectImages(input.image, functions: functions, file: project.file)
        let override = try input.target.map(loadTarget)
        if let today = input.today, !RuntimeLifecycle.isDay(today) { throw fail("--today must be YYYY-MM-DD, not '\(today)'") }
        let today = input.today ?? currentDay()
        let reader = ArtifactReader(limits: input.reading.limits, metadata: .checks)
        var cache: [String: Result<Artifact, ArtifactReadFailure>] = [:]
        func artifact(_ path: String) -> Result<Artifact, ArtifactReadFailure> {
            if let cached = cache[path] { return cached }
            let result: Result<Artifact, ArtifactReadFailure>
            do {
                result = .success(try reader.read(path: path))
            } catch {
                result = .failure(ArtifactReadFailure(message: error.description))
            }
            cache[path] = result
            return result
        }
        // Targets parsed once per name: functions of one project mostly share a few.
        var targets: [String: TargetRuntime?] = [:]
        var deployments: [DeploymentScan] = []
        var outcomes: [ScanOutcome] = []
        // `deployment-not-checked` takes the project's severity for it (`off` keeps the findings out).
        let notChecked = policy.severities[Check.deploymentNotChecked.id]
        // What the descriptor alone says (notes) is baselined like any finding (a version 2 baseline: it names the
        // deployment).
        let baselined: Set<FindingIdentity> = policy.baseline.map { $0.baseline.isLegacy ? [] : $0.baseline.identities } ?? []
        func judgedNote(_ finding: Finding) -> JudgedFinding {
            let identity = FindingIdentity(finding, artifact: policy.root.identityPath(finding.artifact))
            guard let file = policy.baseline?.file, baselined.contains(identity) else { return JudgedFinding(finding: finding, identity: identity) }
            return JudgedFinding(finding: finding, identity: identity, suppression: Suppression(kind: .baseline, file: file, justification: "recorded in the baseline \(file)"))
        }
        for descriptor in functions {
            func note(_ severity: Severity, _ message: String, fix: String) -> Finding {
                Finding(
                    check: Check.deploymentNotChecked.id, severity: notChecked?.severity ?? severity, artifact: descriptor.file, path: "",
                    message: message, fix: fix, fact: message, deployment: descriptor.label)
            }
            var notes = descriptor.notes.map { note(.note, $0, fix: "Give the value literally in the descriptor, or scan the built output where it is resolved.") }
            var target: TargetRuntime? = override
            if override == nil {
                if let runtime = descriptor.runtime {
                    let name = "aws-lambda-\(runtime)-\(descriptor.architecture)"
                    if targets[name] == nil { targets[name] = .some(try? TargetCatalog.builtIn.load(name)) }
                    target = targets[name] ?? nil
                    if target == nil {
                        notes.append(note(.warning, "the function was not checked: no built-in target for \(runtime) on \(descriptor.architecture) (\(name))",
                            fix: "Pass --target with a rule file for this runtime (see `shiplint targets`), or move to a runtime shiplint knows."))
                    }
                } else if descriptor.packageType == "Zip" {
                    notes.append(note(.warning, "the function was not checked: the descriptor gives no Runtime",
                        fix: "Set Runtime in the descriptor (or Globals.Function), or pass --target."))
                }
            }
            if descriptor.packageType == "Zip", descriptor.handler == nil, let runtime = descriptor.runtime, !runtime.hasPrefix("provided") {
                notes.append(note(.note, "the descriptor gives no Handler: handler-not-found was not checked",
                    fix: "Set Handler in the descriptor (or Globals.Function)."))
            }
            var function: Artifact?
            // An image function with its local image archive: judged against the image itself.
            if descriptor.packageType == "Image", let path = images.path(for: descriptor) {
                switch images.read(path, descriptor: descriptor, limits: input.reading.limits, platform: input.platform) {
                case .success(let (imageTarget, artifact)):
                    function = artifact
                    target = imageTarget
                    notes.removeAll { $0.message.hasPrefix("the function was not checked") }
                case .failure(let failure):
                    notes.append(note(.warning, "the function was not checked: its image \(path) cannot be read (\(failure.message))",
                        fix: "Save the image again (`docker save IMAGE -o image.tar`, or `docker buildx build --output type=oci,dest=image.tar`), then scan again."))
                }
            } else {
            switch descriptor.code {
            case .local(let path):
                switch artifact(path) {
                case .success(let read): function = read
                case .failure(let failure):
                    notes.append(note(.warning, "the function was not checked: its code \(path) cannot be read (\(failure.message))",
                        fix: "Build the project, then scan again."))
                }
            case .notLocal(let why):
                notes.append(note(.warning, "the function was not checked: \(why)",
                    fix: descriptor.packageType == "Image"
                        ? "Save the image (`docker save IMAGE -o image.tar`) and pass it with --image \(descriptor.name)=image.tar."
                        : "Build the project locally (sam build, cdk synth, serverless package, terraform plan with a local filename), then scan the build."))
            }
            }
            var layers: [Artifact] = []
            for (number, layer) in descriptor.layers.enumerated() {
                switch layer.code {
                case .local(let path):
                    switch artifact(path) {
                    case .success(let read): layers.append(read)
                    case .failure(let failure):
                        notes.append(note(.note, "layer \(number + 1) (\(layer.name)) at \(path) cannot be read (\(failure.message)) and was not checked",
                            fix: "Build the layer, then scan again."))
                    }
                case .notLocal(let why):
                    notes.append(note(.note, "layer \(number + 1) (\(layer.name)) was not checked: \(why)",
                        fix: "Scan the layer's own build with `shiplint scan layer.zip --target …`, or define the layer in this project."))
                }
            }
            var report: ScanOutcome?
            if let target, let function {
                let context = DeploymentContext(function: function, layers: layers, target: target, descriptor: descriptor, today: today)
                let outcome = policy.scan(context)
                // The configuration's findings and the baseline's counts are the project's, said once below.
                report = ScanOutcome(
                    target: outcome.target, artifacts: outcome.artifacts, configurationFindings: [], checks: outcome.checks.filter { !$0.judgesConfiguration },
                    deployments: outcome.deployments, baseline: nil, failOn: outcome.failOn, root: outcome.root)
                outcomes.append(outcome)
            } else if let target, let check = policy.checks().first(where: { $0.id == Check.runtimeDeprecated.id }) {
                // Code that cannot be read still runs on a runtime with a date: that much is judged, on the descriptor.
                let context = DeploymentContext(function: nil, layers: [], target: target, descriptor: descriptor, today: today)
                notes += check.verdicts(context).map { located in
                    Finding(
                        check: check.id, severity: check.defaultSeverity, artifact: descriptor.file, path: "", message: located.verdict.message,
                        fix: located.verdict.fix, fact: located.verdict.fact, deployment: descriptor.label)
                }
            }
            if notChecked != nil && notChecked?.severity == nil { notes.removeAll { $0.check == Check.deploymentNotChecked.id } }
            deployments.append(DeploymentScan(
                descriptor: descriptor, target: report == nil ? nil : target, outcome: report,
                notes: notes.map(judgedNote)))
        }
        // An ignore is unmatched only when it matched in no function; the baseline counts add up over them.
        var unmatched = outcomes.first?.configurationFindings ?? []
        for outcome in outcomes.dropFirst() {
            let there = Set(outcome.configurationFindings.map(\.identity))
            unmatched = unmatched.filter { there.contains($0.identity) }
        }
        let projectNotes: [JudgedFinding] = notChecked != nil && notChecked?.severity == nil ? [] : project.notes.map { note in
            judgedNote(Finding(
                check: Check.deploymentNotChecked.id, severity: notChecked?.severity ?? .warning, artifact: project.file, path: "", message: note,
                fix: "Build the nested application into the project (sam build), or scan its own template separately.", fact: note))
        }
        // The baseline's counts over the whole project: an entry is gone when the artifact it names was scanned for
        // some function and no function has it any more (each function's own count would call every other
        // function's entries gone or unscanned).
        let baseline: BaselineSummary? = policy.baseline.map { file, recorded in
            if recorded.isLegacy {
                return outcomes.compactMap(\.baseline).reduce(BaselineSummary(file: file, known: 0, gone: 0, unscanned: 0, legacy: true)) { total, next in
                    BaselineSummary(file: file, known: total.known + next.known, gone: total.gone + next.gone, unscanned: total.unscanned + next.unscanned, legacy: true)
                }
            }
            let judged = deployments.flatMap(\.judged) + projectNotes
            let seen = Set(judged.map(\.identity))
            // (deployment, artifact) pairs this run judged: a function not selected (--function) leaves its entries
            // unscanned, not gone.
            var scanned: Set<[String]> = [["", policy.root.identityPath(project.file)]]
            for deployment in deployments {
                let label = deployment.descriptor.label
                scanned.insert([label, policy.root.identityPath(deployment.descriptor.file)])
                for artifact in deployment.outcome?.artifacts ?? [] { scanned.insert([label, artifact.projectPath]) }
            }
            let isScanned = { (identity: FindingIdentity) in scanned.contains([identity.deployment, identity.artifact]) }
            return BaselineSummary(
                file: file, known: judged.filter { $0.suppression?.kind == .baseline }.count,
                gone: recorded.identities.filter { isScanned($0) && !seen.contains($0) }.count,
                unscanned: recorded.identities.filter { !isScanned($0) }.count, legacy: false)
        }
        // The checks that ran: every one of the policy (a project has descriptors), then deployment-not-checked, then
        // the configuration's.
        var checks = policy.checks().map { CheckRun(check: $0, severity: $0.defaultSeverity) }
        if notChecked?.severity != nil || notChecked == nil {
            checks.append(CheckRun(check: .deploymentNotChecked, severity: notChecked?.severity ?? Check.deploymentNotChecked.defaultSeverity))
        }
        if policy.configurationFile != nil {
            checks.append(CheckRun(check: .unmatchedIgnore, severity: Check.unmatchedIgnore.defaultSeverity, judgesConfiguration: true))
        }
        return ProjectScanReport(
            format: project.format.rawValue, file: project.file, targetOverride: input.target, deployments: deployments,
            checks: checks, failOn: policy.failOn, root: policy.root,
            configurationFindings: unmatched, baseline: baseline, projectNotes: projectNotes)
    }

    /// Today (UTC) as `YYYY-MM-DD`.
    static func currentDay() -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: Date())
        return String(format: "%04d-%02d-%02d", parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1)
    }
}

struct ArtifactReadFailure: Error {
    let message: String
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
        if scan.deployments.allSatisfy({ $0.outcome == nil }) {
            throw fail("nothing in \(project.file) could be scanned (see the deployment-not-checked findings)")
        }
        if scan.fails { throw ExitCode(ExitStatus.findings) }
        return true
    }
}

extension ScanOutputOptions {
    func emit(_ project: ProjectScanReport) throws {
        let rendered = [(format, output)] + report.map { ($0.format, Optional($0.file)) }
        // Render everything first, then write: a report is either all there or not written.
        let texts = rendered.map { format, file in
            project.rendered(format, style: TextStyle.forOutput(toFile: file != nil, noColor: noColor, choice: color), quiet: quiet)
        }
        for ((_, file), text) in zip(rendered, texts) { try writeReport(text, to: file) }
    }
}
