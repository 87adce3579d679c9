import ShiplintFacts
import ArgumentParser
import FoundationEssentials
import ShiplintChecks
import ShiplintTargets

/// What the shells complete where a value is typed (bash, zsh and fish; `--generate-completion-script SHELL`).
/// Files come from the shell itself; target names and check ids from this binary, asked at completion time.
enum Completions {
    /// `--target`: short names (`python3.13`), full names, and `.toml` rule files beside the word typed so far.
    static let target = CompletionKind.custom { _, _, prefix in
        let names = ((try? TargetCatalog.builtIn.targets()) ?? []).map(\.name)
        let typed = names.compactMap(TargetCatalog.shortName) + names
        return typed.filter { $0.hasPrefix(prefix) } + ruleFiles(startingWith: prefix)
    }

    /// `checks show ID`: every check id.
    static let checkID = CompletionKind.custom { _, _, prefix in
        CheckRegistry.all.map(\.id).filter { $0.hasPrefix(prefix) }
    }

    /// Folders and `.toml` files whose path starts with `prefix` (folders end in `/`, to go on typing).
    private static func ruleFiles(startingWith prefix: String) -> [String] {
        let folder = prefix.contains("/") ? String(prefix[...prefix.lastIndex(of: "/")!]) : ""
        let listed = (try? FileManager.default.contentsOfDirectory(atPath: folder.isEmpty ? "." : folder)) ?? []
        return listed.sorted().compactMap { name in
            let path = folder + name
            guard path.hasPrefix(prefix), !name.hasPrefix(".") || prefix.hasSuffix(".") else { return nil }
            var isFolder: Bool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { return nil }
            return isFolder ? path + "/" : (name.hasSuffix(".toml") ? path : nil)
        }
    }
}

extension Completions {
    /// The fish script, with one fix: swift-argument-parser 1.8.2 asks fish 3 for the cursor's offset in the word
    /// with `commandline -o -tC`, which prints nothing there (fish 4 has `--tokens-raw`), so every value completed
    /// by this binary (targets, check ids) failed with a parse error. fish 3 (Debian 12, Ubuntu 24.04) gets the
    /// offset from the word up to the cursor instead.
    static func fishScript() -> String {
        let script = Shiplint.completionScript(for: .fish)
        let fish3Tokens = "    else\n        commandline -o $argv\n    end"
        let fixed = """
                else if test "$argv" = -tC
                    set -l token (commandline -ct)
                    string length -- "$token"
            """ + "\n" + fish3Tokens
        return script.replacingText(fish3Tokens, with: fixed)
    }

    /// `--generate-completion-script fish` (either spelling), which `Shiplint.main` answers with `fishScript`.
    static func asksForFishScript(_ arguments: [String]) -> Bool {
        arguments == ["--generate-completion-script", "fish"] || arguments == ["--generate-completion-script=fish"]
    }
}
