import Foundation
import PackagePlugin

/// Embeds every `rules/**/*.toml` (and the symbol tables, `rules/symbols/*.symbols`) of the package into the target
/// as Swift string literals, so the built-in targets ship inside the `shiplint` binary and it works from any folder.
@main
struct EmbedRules: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let rulesFolder = context.package.directoryURL.appending(path: "rules")
        let ruleFiles = tomlFiles(under: rulesFolder)
        let output = context.pluginWorkDirectoryURL.appending(path: "BuiltinRuleFiles.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(ruleFiles.count) rule files",
                executable: try context.tool(named: "embed-rules").url,
                arguments: [rulesFolder.path(), output.path()] + ruleFiles.map { $0.path() },
                inputFiles: ruleFiles,
                outputFiles: [output]
            ),
        ]
    }

    private func tomlFiles(under folder: URL) -> [URL] {
        guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil) else { return [] }
        return walker.compactMap { $0 as? URL }
            .filter { $0.pathExtension == "toml" || $0.pathExtension == "symbols" }
            .sorted { $0.path() < $1.path() }
    }
}
