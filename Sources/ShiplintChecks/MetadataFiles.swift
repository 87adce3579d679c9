import ShiplintFacts

extension MetadataSelection {
    /// The files the checks and `explain` read as text, for the reader to keep: a wheel's `WHEEL` (wheel-tag-mismatch),
    /// `METADATA` and `RECORD` (which distribution installed a file: the fix names it; read up to the cap, their head
    /// is what is used), the function's `package.json` ("type": "module") and installed npm packages' manifests, a
    /// script `bootstrap`'s and a layer extension's `#!` line, and Node.js's version header in an image (`include/node/node_version.h`).
    public static let checks = MetadataSelection(rules: [
        Rule(.suffix(".dist-info/WHEEL")),
        Rule(.suffix(".dist-info/METADATA"), truncatable: true),
        Rule(.suffix(".dist-info/RECORD"), truncatable: true),
        Rule(.path("package.json")),
        Rule(.nodeManifest),
        Rule(.path("bootstrap")),
        // A layer's extensions: the head of a script's `#!` line (explain: CR line endings, a missing interpreter).
        Rule(.inFolder(LambdaFileSystem.extensionsFolder), truncatable: true, bytes: 512),
        // Dependency manifests at the root: code that is its source, not a build (unbuilt sources, issue 22 item 6).
        Rule(.path("requirements.txt")), Rule(.path("pyproject.toml")), Rule(.path("Gemfile")), Rule(.path("go.mod")),
        Rule(.path("Cargo.toml")),
        // Bundler's lock: its PLATFORMS against the Ruby runtime's (ruby-platform-mismatch).
        Rule(.path("Gemfile.lock")),
        // A .NET app's dependency manifest: which runtimes/<rid>/native assets the host loads (dotnet-native-missing);
        // an ASP.NET app's is a few hundred KiB.
        Rule(.suffix(".deps.json"), bytes: 4 << 20),
        Rule(.suffix("include/node/node_version.h")),
    ])
}
