import ShiplintFacts
import ShiplintTargets
import ShiplintChecks
import ShiplintOutcome

/// `shiplint repair`'s report: each distribution that broke and what became of it (the wheel that replaced it, or why
/// none could), the findings no distribution owns, the rescan, and whether the output was written. Text for a person,
/// JSON (schema 1) for a pipeline.
public enum RepairReport {
    public static func text(_ outcome: RepairOutcome) -> String {
        var lines: [String] = []
        let artifact = SafeText.escaped(outcome.artifact)
        lines.append("\(outcome.dryRun ? "repair plan" : "repair") \(artifact) (\(outcome.role.rawValue)) for \(outcome.target.name)")
        if !outcome.hadBreakage {
            lines.append("  nothing breaks at --fail-on \(outcome.threshold.rawValue): nothing to repair")
        }
        for distribution in outcome.distributions {
            let installer = distribution.installer.map { ", installed by \(SafeText.escaped($0))" } ?? ""
            lines.append("  \(SafeText.escaped(distribution.name)) \(SafeText.escaped(distribution.version)) (\(SafeText.escaped(distribution.folder))\(installer))")
            for finding in distribution.findings { lines.append("    " + line(finding)) }
            switch distribution.result {
            case .planned:
                lines.append("    would ask pip for a wheel of \(SafeText.escaped(distribution.name))==\(SafeText.escaped(distribution.version)) that fits:")
            case .replaced(let wheel, let removed, let added):
                lines.append("    repaired: replaced by \(SafeText.escaped(wheel)) (\(removed) \(removed == 1 ? "entry" : "entries") out, \(added) in)")
            case .noFittingWheel(let newer):
                let version = "\(SafeText.escaped(distribution.name))==\(SafeText.escaped(distribution.version))"
                if let newer {
                    lines.append("    not repaired: no wheel of \(version) fits \(outcome.target.name); version \(SafeText.escaped(newer)) has one (pin it and rebuild)")
                } else {
                    lines.append("    not repaired: no wheel of \(version) fits \(outcome.target.name), and no version has one")
                }
            case .stillBreaks(let wheel, let findings):
                lines.append("    not repaired: \(SafeText.escaped(wheel)) fits, yet still breaks (a library no wheel provides):")
                for finding in findings { lines.append("      " + line(finding)) }
            }
            for command in distribution.commands { lines.append("    $ " + shell(command)) }
        }
        if !outcome.unowned.isEmpty {
            lines.append("  not from an installed distribution (no .dist-info RECORD lists it; repair cannot replace it):")
            for finding in outcome.unowned { lines.append("    " + line(finding)) }
        }
        if outcome.dryRun {
            if outcome.distributions.contains(where: { !$0.commands.isEmpty }) {
                lines.append("  ($SCRATCH is a temporary folder, removed afterwards; nothing was run and nothing written)")
            } else {
                lines.append("  (nothing was run and nothing written)")
            }
            return lines.joined(separator: "\n") + "\n"
        }
        let output = SafeText.escaped(outcome.output)
        if outcome.rescan != nil {
            let remaining = outcome.remaining
            lines.append(remaining.isEmpty
                ? "rescan of \(output): clean at --fail-on \(outcome.threshold.rawValue)"
                : "rescan of \(output): \(remaining.count) \(remaining.count == 1 ? "finding remains" : "findings remain")")
            for finding in remaining { lines.append("  " + line(finding)) }
        }
        if outcome.written {
            if outcome.rescan == nil {
                lines.append("wrote \(output): the input unchanged, byte for byte\(outcome.hadBreakage ? " (--partial)" : "")")
            } else {
                lines.append("wrote \(output): \(outcome.kept) \(outcome.kept == 1 ? "entry" : "entries") copied byte for byte, \(outcome.removed) removed, \(outcome.added) added")
            }
        } else {
            lines.append("not written: \(outcome.remaining.count) \(outcome.remaining.count == 1 ? "finding remains" : "findings remain") (--partial writes what could be repaired)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func json(_ outcome: RepairOutcome) -> String {
        var fields: [String: JSONValue] = [
            "schema": .int(1),
            "tool": JSONReporter.tool,
            "artifact": .string(outcome.artifact),
            "role": .string(outcome.role.rawValue),
            "target": .string(outcome.target.name),
            "output": .string(outcome.output),
            "dry_run": .bool(outcome.dryRun),
            "fail_on": .string(outcome.threshold.rawValue),
            "written": .bool(outcome.written),
            "clean": .bool(outcome.isClean),
            "distributions": .array(outcome.distributions.map(distribution)),
            "unowned": .array(outcome.unowned.map(finding)),
        ]
        if !outcome.dryRun { fields["remaining"] = .array(outcome.remaining.map(finding)) }
        if outcome.written { fields["entries"] = .object(["kept": .int(outcome.kept), "removed": .int(outcome.removed), "added": .int(outcome.added)]) }
        return JSONValue.object(fields).rendered()
    }

    static func distribution(_ distribution: DistributionRepair) -> JSONValue {
        let result: JSONValue
        switch distribution.result {
        case .planned: result = .object(["kind": .string("planned")])
        case .replaced(let wheel, let removed, let added):
            result = .object(["kind": .string("replaced"), "wheel": .string(wheel), "removed": .int(removed), "added": .int(added)])
        case .noFittingWheel(let newer): result = .object(["kind": .string("no-fitting-wheel"), "newer": .optional(newer)])
        case .stillBreaks(let wheel, let findings):
            result = .object(["kind": .string("still-breaks"), "wheel": .string(wheel), "findings": .array(findings.map(finding))])
        }
        return .object([
            "name": .string(distribution.name), "version": .string(distribution.version), "folder": .string(distribution.folder),
            "installer": .optional(distribution.installer), "findings": .array(distribution.findings.map(finding)),
            "commands": .array(distribution.commands.map(JSONValue.strings)), "result": result,
        ])
    }

    static func finding(_ finding: Finding) -> JSONValue {
        .object([
            "check": .string(finding.check), "severity": .string(finding.severity.rawValue), "artifact": .string(finding.artifact),
            "path": .string(finding.path), "message": .string(finding.message),
        ])
    }

    static func line(_ finding: Finding) -> String {
        "\(finding.severity.rawValue) \(finding.check) \(SafeText.escaped(GroupedFinding.place(finding))): \(SafeText.escaped(finding.message))"
    }

    /// A command as a POSIX shell reads it: arguments quoted when they hold anything but safe characters (`$SCRATCH`,
    /// the dry run's placeholder for the scratch folder, is left for the shell to expand).
    static func shell(_ command: [String]) -> String {
        command.map { argument in
            if argument.hasPrefix("$SCRATCH/"), argument.dropFirst(9).allSatisfy(isSafe) { return argument }
            if !argument.isEmpty, argument.allSatisfy(isSafe) { return argument }
            return "'" + argument.replacingText("'", with: "'\\''") + "'"
        }.map(SafeText.escaped).joined(separator: " ")
    }

    static func isSafe(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || "@%+=:,./_-".contains(character))
    }
}
