// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "shiplint",
    products: [
        .executable(name: "shiplint", targets: ["shiplint"]),
        // The readers and parsers the fuzz harnesses call (Fuzz/, a separate package built only by `make fuzz`).
        .library(
            name: "ShiplintFuzzTargets",
            targets: ["ShiplintFacts", "ShiplintReading", "ShiplintTargets", "ShiplintChecks", "ShiplintPolicy", "ShiplintDeployments"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", exact: "0.6.0"),
    ],
    targets: [
        // C libraries, each imported by ShiplintReading only (libyaml by ShiplintDeployments).
        .systemLibrary(
            name: "CLibelf",
            pkgConfig: "libelf",
            providers: [.apt(["libelf-dev"])]
        ),
        .systemLibrary(
            name: "CLibarchive",
            pkgConfig: "libarchive",
            providers: [.apt(["libarchive-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // libyaml's event API, read by ShiplintDeployments (YAMLEvents) for SAM and CloudFormation YAML.
        .systemLibrary(
            name: "CLibyaml",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        .systemLibrary(
            name: "CLibdeflate",
            pkgConfig: "libdeflate",
            providers: [.apt(["libdeflate-dev"])]
        ),
        // Plain Sendable value types: what was read from an artifact.
        .target(name: "ShiplintFacts"),
        // Opens archives and binaries; the only module that touches C.
        .target(name: "ShiplintReading", dependencies: ["ShiplintFacts", "CLibelf", "CLibarchive", "CZlib", "CLibdeflate"]),
        // Target rule files: strict loading, `extends`, built-in rules.
        .target(
            name: "ShiplintTargets",
            dependencies: ["ShiplintFacts", .product(name: "TOMLKit", package: "TOMLKit")],
            plugins: ["EmbedRules"]
        ),
        // Pure functions from facts + target to findings.
        .target(name: "ShiplintChecks", dependencies: ["ShiplintFacts", "ShiplintTargets"]),
        // The one result of a scan (findings with effective severity, suppressions, identities, the checks that ran)
        // that every report renders.
        .target(name: "ShiplintOutcome", dependencies: ["ShiplintFacts", "ShiplintTargets", "ShiplintChecks"]),
        // Project policy: `.shiplint.toml` (severities, ignores), baselines, applied to a scan to make its outcome.
        .target(
            name: "ShiplintPolicy",
            dependencies: ["ShiplintFacts", "ShiplintTargets", "ShiplintChecks", "ShiplintOutcome", .product(name: "TOMLKit", package: "TOMLKit")]
        ),
        // Renderings of an outcome: text, JSON, SARIF, JUnit, GitHub annotations; inspect and explain output.
        .target(name: "ShiplintReports", dependencies: ["ShiplintFacts", "ShiplintTargets", "ShiplintChecks", "ShiplintOutcome"]),
        // Deployment descriptors (SAM, CDK cloud assembly, Serverless, Terraform): which functions, runtimes,
        // architectures, handlers, code and layers a project deploys. Reads text, never archives or binaries.
        .target(name: "ShiplintDeployments", dependencies: ["ShiplintFacts", "CLibyaml"]),
        // A scan from inputs to its one outcome: the artifacts or the project read, each deployment judged by the
        // checks, the policy's judge applied. The command line parses, calls this, and renders.
        .target(
            name: "ShiplintScan",
            dependencies: ["ShiplintFacts", "ShiplintReading", "ShiplintTargets", "ShiplintChecks", "ShiplintOutcome", "ShiplintPolicy", "ShiplintDeployments"]
        ),
        // `shiplint repair`: the distributions of a Python package that break on a target replaced, in a copy, by wheels
        // that fit it (asked of pip); the copy judged again.
        .target(
            name: "ShiplintRepair",
            dependencies: ["ShiplintFacts", "ShiplintReading", "ShiplintTargets", "ShiplintChecks", "ShiplintOutcome", "ShiplintPolicy"]
        ),
        .executableTarget(
            name: "shiplint",
            dependencies: [
                "ShiplintFacts", "ShiplintReading", "ShiplintTargets", "ShiplintChecks", "ShiplintOutcome", "ShiplintReports",
                "ShiplintPolicy", "ShiplintDeployments", "ShiplintScan", "ShiplintRepair", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Build tool: turns rules/*.toml into a Swift source so built-in targets ship inside the binary.
        .executableTarget(name: "embed-rules", path: "Plugins/EmbedRulesTool"),
        .plugin(name: "EmbedRules", capability: .buildTool(), dependencies: ["embed-rules"]),
        .testTarget(
            name: "ShiplintTests",
            dependencies: [
                "ShiplintFacts", "ShiplintReading", "ShiplintTargets", "ShiplintChecks", "ShiplintOutcome", "ShiplintReports", "ShiplintPolicy",
                "ShiplintDeployments", "ShiplintScan", "ShiplintRepair",
            ],
            // Golden reports are read from the repository by path, not bundled as resources.
            exclude: ["Goldens"]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// shiplint's modules import FoundationEssentials, never Foundation (docs/install.md#size: full Foundation, its
// CoreFoundation and ICU cost ~10 MB of the release). TOMLKit imports Foundation, and without MemberImportVisibility
// Foundation's extension members (`range(of:)`, `contains(_:)` on strings …) would leak from it into every module
// that imports TOMLKit, and link Foundation back in unseen. Tests may use Foundation.
for target in package.targets where target.type == .regular || (target.type == .executable && target.name == "shiplint") {
    target.swiftSettings = (target.swiftSettings ?? []) + [.enableUpcomingFeature("MemberImportVisibility")]
}
