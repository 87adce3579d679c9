import ShiplintOutcome
import ShiplintChecks
import ShiplintFacts
import ShiplintTargets

/// `shiplint explain` output: each error signal with its root cause, evidence and fix; or, without an error text,
/// every import that would fail.
public enum ExplainReport {
    /// `errorText`: what was read of the error text (nil: none was given, list the imports that would fail).
    public static func render(
        errorText: ErrorTextReading?, explanations: [Explanation], failingImports: [(module: String, finding: Finding)],
        outcome: ScanOutcome, format: OutputFormat, style: TextStyle, function: String? = nil
    ) -> String {
        switch format {
        case .json: json(errorText: errorText, explanations: explanations, failingImports: failingImports, outcome: outcome, function: function)
        case .text: text(errorText: errorText, explanations: explanations, failingImports: failingImports, outcome: outcome, style: style, function: function)
        }
    }

    static func text(
        errorText: ErrorTextReading?, explanations: [Explanation], failingImports: [(module: String, finding: Finding)],
        outcome: ScanOutcome, style: TextStyle, function: String? = nil
    ) -> String {
        var lines: [String] = []
        // From a project: which function, judged against which target (from its descriptor).
        if let function { lines.append("function \(SafeText.escaped(function)), judged against \((outcome.target?.name ?? ""))") }
        // A layer given as the artifact: say so first, since every path below is then under /opt.
        for (path, note) in outcome.roleNotes.sorted(by: { $0.key < $1.key }) {
            lines.append("\(SafeText.escaped(path)): layer, \(SafeText.escaped(note)) (--as function to judge it as the function)")
        }
        // What the reading of the error text limited: never silent.
        for limit in errorText?.limits ?? [] { lines.append("note: the error text: \(limit)") }
        if errorText == nil {
            lines.append(style.bold("Imports that would fail on \((outcome.target?.name ?? "")):"))
            if failingImports.isEmpty { lines.append("  none: every module loads as far as shiplint can tell") }
            for row in failingImports {
                lines.append("  \(style.bold(SafeText.escaped(row.module))): \(SafeText.escaped(row.finding.path)) [\(row.finding.check)] \(SafeText.escaped(row.finding.message))")
                lines.append("      fix: \(SafeText.escaped(row.finding.fix))")
            }
            return lines.joined(separator: "\n") + "\n"
        }
        if explanations.isEmpty {
            lines.append("shiplint does not recognise this error text, and it names no file, library or version node of this deployment (it knows ImportModuleError / ModuleNotFoundError, cannot open shared object file, version … not found, invalid ELF header, wrong ELF class, undefined symbol, executable stack, Permission denied / EACCES, fork/exec, Exec format error / ENOEXEC / cannot execute binary file, ELF load command not properly aligned, NODE_MODULE_VERSION, Cannot find module, sharp's and esbuild's platform packages, Prisma's engines, Ruby's LoadError, Java's UnsatisfiedLinkError, .NET's DllNotFoundException, InvalidEntrypoint).")
            lines.append("Here is the full scan instead:")
            lines.append("")
            return lines.joined(separator: "\n") + "\n" + TextReporter(style: style).report(outcome)
        }
        for explanation in explanations {
            lines.append(style.bold("Error: ") + SafeText.escaped(describe(explanation.signal)) + (explanation.seen > 1 ? " (seen \(explanation.seen) times)" : ""))
            let label = explanation.outcome == .explained
                ? style.paint("Root cause", "1;31") + (explanation.rootCause.map { " [\($0.check)]" } ?? "")
                : style.paint("Not explained by this artifact", "1;33")
            lines.append("\(label): \(SafeText.escaped(explanation.summary))")
            for (name, value) in explanation.evidence { lines.append("  \(name): \(SafeText.escaped(value))") }
            lines.append("Fix: \(SafeText.escaped(explanation.fix))")
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }

    static func describe(_ signal: ErrorSignal) -> String {
        switch signal {
        case .missingModule(let module): "No module named '\(module)'"
        case .unplacedModule(let module): "the module \(module), in no package the text names"
        case .missingLibrary(let soname, let requiredBy): "\(soname): cannot open shared object file" + (requiredBy.map { " (needed by \($0))" } ?? "")
        case .unloadableFile(let path): "\(path): cannot open shared object file"
        case .permissionDenied(let path): "Permission denied: \(path)"
        case .misalignedELF(let path): "\(path.map { "\($0): " } ?? "")ELF load command address/offset not properly aligned"
        case .missingVersion(let version, let library, let requiredBy): "version \(version) not found" + (library.map { " in \($0)" } ?? "") + (requiredBy.map { " (required by \($0))" } ?? "")
        case .invalidELFHeader(let path): "\(path): invalid ELF header"
        case .wrongELFClass(let path, let elfClass): "\(path.map { "\($0): " } ?? "")wrong ELF class: \(elfClass)"
        case .undefinedSymbol(let symbol, let path): "\(path.map { "\($0): " } ?? "")undefined symbol: \(symbol)"
        case .executableStack(let path): "cannot enable executable stack" + (path.map { " (\($0))" } ?? "")
        case .nodeABI(let path, _, _): "\(path ?? "a .node addon") was compiled against a different Node.js version"
        case .invalidEntrypoint(let detail): detail
        case .missingNodePackage(let name): "Cannot find module '\(name)'"
        case .prismaEngine(let platform): "Prisma query engine for \"\(platform)\" could not be found"
        case .execFailed(let path, let reason): "\(path): \(reason)"
        case .missingNodeAddon(let name): "Cannot find module '\(name)'"
        case .rubyLoad(let feature): "cannot load such file -- \(feature)"
        case .javaNative(let library, let resource, let platform):
            library.map { "UnsatisfiedLinkError: no \($0) in java.library.path" } ?? resource.map { "No native resource found at \($0)" }
                ?? "No native library found for \(platform ?? "this platform")"
        case .dotnetNative(let library): "DllNotFoundException: Unable to load shared library '\(library)'"
        case .noNativeBuild(let platform): "No native build was found for \(platform) (node-gyp-build)"
        case .packageMessage(let message): "Unable to import module: \(message)"
        case .locations(let locations): "the text names " + locations.prefix(6).map(\.value).joined(separator: ", ") + (locations.count > 6 ? ", …" : "")
        }
    }

    static func json(
        errorText: ErrorTextReading?, explanations: [Explanation], failingImports: [(module: String, finding: Finding)], outcome: ScanOutcome,
        function: String? = nil
    ) -> String {
        func finding(_ finding: Finding) -> JSONValue {
            .object([
                "check": .string(finding.check), "severity": .string(finding.severity.rawValue), "artifact": .string(finding.artifact),
                "path": .string(finding.path), "message": .string(finding.message), "fix": .string(finding.fix),
            ])
        }
        return JSONValue.object([
            "schema": .int(1),
            "target": .object(["name": .string((outcome.target?.name ?? ""))]),
            "function": .optional(function),
            "layers_recognised": .object(outcome.roleNotes.mapValues { .string($0) }),
            // The text is echoed up to ErrorTextReader.excerptBytes; `text_complete` says whether that is all of it.
            "error": errorText.map { reading in
                .object([
                    "text": .string(reading.excerpt), "text_complete": .bool(reading.excerptIsWhole), "bytes": .int(reading.bytes),
                    "lines": .int(reading.lines), "limits": .array(reading.limits.map { .string($0) }),
                    "locations": .array(reading.locations.map { .object(["kind": .string($0.kind), "value": .string($0.value)]) }),
                    "recognised": .bool(!explanations.isEmpty),
                ])
            } ?? .null,
            "explanations": .array(explanations.map { explanation in
                .object([
                    "signal": .string(explanation.signal.kind),
                    "error": .string(describe(explanation.signal)),
                    "explained": .bool(explanation.outcome == .explained),
                    "root_cause": explanation.rootCause.map(finding) ?? .null,
                    "module": .optional(explanation.module),
                    "files": .array(explanation.files.map { .object(["artifact": .string($0.artifact), "path": .string($0.path)]) }),
                    "facts": .array(explanation.evidence.map { .object(["label": .string($0.label), "value": .string($0.value)]) }),
                    "summary": .string(explanation.summary),
                    "fix": .string(explanation.fix),
                    "seen": .int(explanation.seen),
                ])
            }),
            "failing_imports": .array(failingImports.map { .object(["module": .string($0.module), "root_cause": finding($0.finding)]) }),
        ]).rendered()
    }
}
