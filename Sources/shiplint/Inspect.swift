import ArgumentParser
import ShiplintChecks
import ShiplintDeployments
import ShiplintFacts
import ShiplintOutcome
import ShiplintReports
import ShiplintTargets

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print every native binary in each artifact with the facts read from its headers.",
        discussion: """
            For each ELF: class, byte order, machine, type, interpreter, DT_NEEDED, SONAME, RPATH, RUNPATH, version \
            needs and definitions, the highest GLIBC / GLIBCXX / CXXABI / GCC needed, the stack flags, x86 ISA \
            level, the C library it was built for (glibc, musl, bionic, none) and its dynamic symbols (counts in text, \
            the list with --symbols and in JSON). For PE: machine and imported DLLs. For Mach-O: each slice's CPU, file type, dylibs and minimum OS. \
            Files named like native libraries that are none of these are listed with the reason. No judgement: \
            `shiplint scan` does that.

            --tree resolves every DT_NEEDED as Lambda's loader would (RPATH, LD_LIBRARY_PATH, RUNPATH, the \
            runtime's libraries), with the artifact at /var/task and each --layer at /opt, and prints where each \
            library was found: bundled path, runtime library, or not found with where it looked.

            A project (template.yaml, .aws-sam/build, cdk.out, .serverless, `terraform show -json` output) as the \
            one path: the function named by --function (or its only one) is inspected with its layers, and --tree \
            resolves against the function's own runtime and architecture from the descriptor.
            """
    )

    @Argument(help: "Artifacts: .zip, .whl, .tar(.gz|.xz|.zst|.bz2), a folder, or a single binary; or one project.", completion: .file())
    var paths: [String]

    @Option(name: .long, help: ArgumentHelp("With a project: the function to inspect (logical id or function name). Default: the project's only function.", valueName: "name"))
    var function: String?

    @Flag(help: "Also print each binary's resolved dependency tree (like lddtree, but on the target runtime).")
    var tree = false

    @Flag(help: "Also list every entry as read (type, path, size, a link's target): what the other facts are about.")
    var entries = false

    @Flag(help: "List every dynamic symbol in text output (imports as name@VERSION from the library that defines it); counts otherwise. JSON always lists them.")
    var symbols = false

    @Option(name: .shortAndLong, help: ArgumentHelp("Target runtime for --tree (default: aws-lambda-provided.al2023 for the binaries' architecture).", valueName: "name|file"), completion: Completions.target)
    var target: String?

    @Option(name: .long, help: ArgumentHelp("A layer deployed with the artifact, for --tree (repeatable, in order).", valueName: "path"), completion: .file())
    var layer: [String] = []

    @Option(name: .customLong("as"), help: ArgumentHelp("For --tree: how the artifacts are deployed, function (at /var/task) or layer (at /opt). Default: a ZIP or folder whose every entry sits under a layer's folders is a layer.", valueName: "function|layer"))
    var role: DeclaredRole?

    @OptionGroup var outputOptions: OutputOptions
    @OptionGroup(title: "Reading limits") var reading: ReadingOptions

    func run() throws {
        let (artifacts, graph) = try artifactsAndGraph()
        let style = outputOptions.style
        try writeStreamedReport(to: outputOptions.output) { writer in
            switch (outputOptions.format, graph) {
            case (.json, nil): InspectReport.writeJSON(artifacts, entries: entries, into: &writer)
            case (.text, nil): InspectReport.writeText(artifacts, symbols: symbols, entries: entries, style: style, into: &writer)
            case (.json, let graph?): InspectReport.writeJSON(artifacts, graph: graph, entries: entries, into: &writer)
            case (.text, let graph?): InspectReport.writeText(artifacts, graph: graph, symbols: symbols, entries: entries, style: style, into: &writer)
            }
        }
    }

    /// What to print: the artifacts, and with --tree where their libraries resolve.
    private func artifactsAndGraph() throws -> ([Artifact], LoadGraph?) {
        if paths.count == 1, let project = try ExplainProject.project(paths[0], layers: layer, role: role, limits: reading.descriptorLimits) {
            let deployment = try ExplainProject.deployment(
                of: project, function: function, logGroups: [], target: target.map(loadTarget), limits: reading.limits, today: ProjectScan.currentDay())
            return (deployment.artifacts, tree ? deployment.loadGraph : nil)
        }
        if function != nil { throw fail("--function needs a project (a path that holds a deployment descriptor)") }
        let artifacts = try reading.read(paths)
        guard tree else { return (artifacts, nil) }
        let given = try reading.read(layer)
        let runtime = try loadTarget(target ?? defaultTarget(for: artifacts + given))
        // Each function is its own deployment; the layers (recognised ones first) are shared.
        let split = LayerRecognition.split(artifacts, declared: role, target: runtime)
        let layers = split.layers + given
        var objects: [LoadGraph.Object] = []
        var loads: [LoadGraph.Load] = []
        for artifact in split.functions.isEmpty ? [nil] : split.functions.map(Optional.some) {
            let graph = LoaderModel.graph(function: artifact, layers: layers, target: runtime)
            let offset = objects.count
            objects += graph.objects
            loads += graph.loads.map { $0.shifted(by: offset) }
        }
        return (split.functions + layers, LoadGraph(objects: objects, loads: loads))
    }

    /// provided.al2023 (the plain OS) for the architecture of the first ELF found.
    private func defaultTarget(for artifacts: [Artifact]) -> String {
        let arch = artifacts.lazy.flatMap(\.binaries).compactMap { binary -> TargetArchitecture? in
            if case .elf(let elf)? = binary.facts { return TargetArchitecture(elfMachine: elf.machine) } else { return nil }
        }.first
        return TargetCatalog.lambdaTargetName(runtime: "provided.al2023", architecture: arch == .aarch64 ? .aarch64 : .x86_64)
    }
}
