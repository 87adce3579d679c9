import ShiplintFacts
import ShiplintTargets

extension Check {
    public static let prismaEngineMismatch = Check(
        id: "prisma-engine-mismatch",
        defaultSeverity: .error,
        summary: "Prisma query engines only for other platforms (OpenSSL, OS, CPU) than the runtime's",
        explanation: """
            Prisma Client loads a native query engine built for one \"binary target\": the OS, CPU and OpenSSL \
            version (`libquery_engine-<target>.so.node`, or `query-engine-<target>` with the binary engine). \
            `prisma generate` downloads only the build machine's engine (`native`) unless `schema.prisma` lists more \
            in `binaryTargets`. Lambda needs `rhel-openssl-1.0.x` on Amazon Linux 2 (nodejs18.x), \
            `rhel-openssl-3.0.x` on Amazon Linux 2023 (nodejs20.x and later), and `linux-arm64-openssl-1.0.x` / \
            `-3.0.x` on arm64. With only other engines in the package, the first query fails with `Prisma Client \
            could not locate the Query Engine for runtime "rhel-openssl-3.0.x"` or `Query engine library for current \
            platform "rhel-openssl-3.0.x" could not be found`. Engines for other targets beside the right one are \
            harmless.

            Fix: add the runtime's target to the generator in `schema.prisma` — `binaryTargets = ["native", \
            "rhel-openssl-3.0.x"]` — run `prisma generate`, and package again (the engine lands in \
            `node_modules/.prisma/client/`).
            """,
        examples: [
            CheckExample(
                "an Amazon Linux 2 engine on nodejs22.x",
                subject: .deployment(function: SamplePackage.artifact("function.zip", files: [
                    ("index.js", 100), ("node_modules/.prisma/client/libquery_engine-rhel-openssl-1.0.x.so.node", 100)]), layers: []),
                target: "aws-lambda-nodejs22.x-x86_64", fires: true, at: "node_modules/.prisma/client/libquery_engine-rhel-openssl-1.0.x.so.node", mentions: "binary target rhel-openssl-1.0.x, and none for rhel-openssl-3.0.x"),
            CheckExample(
                "only the Mac's engine",
                subject: .deployment(function: SamplePackage.artifact("function.zip", files: [
                    ("node_modules/.prisma/client/libquery_engine-darwin-arm64.dylib.node", 100)]), layers: []),
                target: "aws-lambda-nodejs20.x-x86_64", fires: true, at: "node_modules/.prisma/client/libquery_engine-darwin-arm64.dylib.node", mentions: "binary target darwin-arm64"),
            CheckExample(
                "the right engine beside the build machine's",
                subject: .deployment(function: SamplePackage.artifact("function.zip", files: [
                    ("node_modules/.prisma/client/libquery_engine-debian-openssl-3.0.x.so.node", 100),
                    ("node_modules/.prisma/client/libquery_engine-rhel-openssl-3.0.x.so.node", 100)]), layers: []),
                target: "aws-lambda-nodejs22.x-x86_64", fires: false),
            CheckExample(
                "the arm64 engine in a layer",
                subject: .deployment(
                    function: SamplePackage.artifact("function.zip", files: [("index.js", 100)]),
                    layers: [SamplePackage.artifact("layer.zip", files: [
                        ("nodejs/node_modules/.prisma/client/libquery_engine-linux-arm64-openssl-3.0.x.so.node", 100)])]),
                target: "aws-lambda-nodejs22.x-arm64", fires: false),
        ],
        judgement: .perDeployment { context in
            guard let node = context.target.node, !node.prismaBinaryTargets.isEmpty else { return [] }
            var engines: [(input: DeploymentInput, path: String, target: String)] = []
            for input in context.inputs {
                for item in input.unpacked where item.isFile {
                    // Engine names start with `libquery_engine-`, `query_engine-` or `query-engine-`.
                    guard let name = item.components.last, name.utf8.first == UInt8(ascii: "l") || name.utf8.first == UInt8(ascii: "q")
                    else { continue }
                    if let target = PrismaEngine.binaryTarget(fileName: name) { engines.append((input, item.path, target)) }
                }
            }
            // One engine that loads here is enough: Prisma picks it by the platform it detects.
            guard !engines.contains(where: { node.prismaBinaryTargets.contains($0.target) }) else { return [] }
            let wanted = node.prismaBinaryTargets.map { "\"\($0)\"" }.joined(separator: ", ")
            return engines.map { engine in
                LocatedVerdict(
                    artifact: engine.input.artifact.path, path: engine.path,
                    verdict: Verdict(
                        "Prisma query engine for binary target \(engine.target), and none for \(node.prismaBinaryTargets.joined(separator: " or ")), the target \(context.target.runtimeLabel) on \(context.runtime.architecture.lambdaName) needs: Prisma Client cannot find an engine for the current platform",
                        fix: "In schema.prisma, set `binaryTargets = [\"native\", \(wanted)]` in the `generator client` block, run `prisma generate`, and package node_modules/.prisma/client again.",
                        fact: engine.target))
            }
        })
}

/// Prisma engine file names (prisma/prisma `packages/get-platform`, `packages/engines`): the library engine
/// `libquery_engine-<target>.so.node` (`.dylib.node` on macOS, `query_engine-windows.dll.node`) and the binary
/// engine `query-engine-<target>` (`.exe` on Windows).
enum PrismaEngine {
    static func binaryTarget(ofFile path: String) -> String? {
        EntryPath.lastComponent(path).flatMap(binaryTarget(fileName:))
    }

    static func binaryTarget(fileName name: String) -> String? {
        for suffix in [".so.node", ".dylib.node"] where name.hasPrefix("libquery_engine-") && name.hasSuffix(suffix) {
            let target = name.dropFirst("libquery_engine-".count).dropLast(suffix.count)
            return target.isEmpty ? nil : String(target)
        }
        if name == "query_engine-windows.dll.node" || name == "query-engine-windows.exe" { return "windows" }
        if name.hasPrefix("query-engine-"), !name.contains(".") || name.hasSuffix(".x") {
            return String(name.dropFirst("query-engine-".count))
        }
        return nil
    }
}
