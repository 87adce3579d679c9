import ShiplintFacts
import ShiplintTargets

extension Check {
    public static let nodeABIMismatch = Check(
        id: "node-abi-mismatch",
        defaultSeverity: .error,
        summary: "A Node.js addon built for another Node.js ABI, or needing a newer Node-API than the runtime has",
        explanation: """
            A `.node` addon is bound to the Node.js it was built for in one of two ways. A legacy addon (written \
            against V8 and `node::` C++ APIs, e.g. with `nan`) records the NODE_MODULE_VERSION of the headers it was \
            compiled with (108 for Node.js 18, 115 for 20, 127 for 22, 137 for 24) and Node.js refuses any other: \
            `was compiled against a different Node.js version using NODE_MODULE_VERSION 93. This version of Node.js \
            requires NODE_MODULE_VERSION 108`. shiplint reads N from the addon's exported \
            `node_register_module_v<N>`, or, when the addon registers only from a constructor (`NODE_MODULE`), from \
            the `nm_version` field of the `struct node_module` it registers, found through the relocations of its \
            pointers; when neither can be read, shiplint says "legacy addon, ABI version not read" rather than guess. A Node-API addon (`napi_*` imports) loads on every Node.js that has \
            the Node-API version of the newest function it imports; one using a Node-API 10 function \
            (`node_api_create_property_key_utf8` …) fails on an older runtime with `undefined symbol`. Both happen \
            when `node_modules` was installed with another Node.js than the function's runtime.

            Fix: rebuild or reinstall the addons for the runtime's Node.js: `npm rebuild` (or `npm ci`) inside \
            `public.ecr.aws/lambda/nodejs:22` (the function's version), or `npm install --os=linux --cpu=x64 \
            --libc=glibc` for packages that ship prebuilt binaries, then package again; or move the function to \
            the runtime the addon was built for.
            """,
        examples: [
            CheckExample(
                "a legacy addon for Node.js 16 (NODE_MODULE_VERSION 93) on nodejs18.x",
                binary: SampleNode.legacy("node_modules/libxmljs/build/Release/xmljs.node", version: 93),
                target: "aws-lambda-nodejs18.x-x86_64", fires: true, at: "node_modules/libxmljs/build/Release/xmljs.node", mentions: "NODE_MODULE_VERSION 93, from node_register_module_v93"),
            CheckExample(
                "a Node-API 10 addon on nodejs20.x",
                binary: SampleNode.addon(
                    "node_modules/fast/build/Release/fast.node", exports: ["napi_register_module_v1"],
                    imports: ["napi_create_object", "node_api_create_property_key_utf8"]),
                target: "aws-lambda-nodejs20.x-x86_64", fires: true, at: "node_modules/fast/build/Release/fast.node", mentions: "importing node_api_create_property_key_utf8, which needs Node-API 10"),
            CheckExample(
                "a legacy addon for Node.js 18 on nodejs18.x",
                binary: SampleNode.legacy("node_modules/re2/build/Release/re2.node", version: 108),
                target: "aws-lambda-nodejs18.x-x86_64", fires: false),
            CheckExample(
                "a Node-API addon on nodejs22.x",
                binary: SampleNode.addon(
                    "node_modules/sqlite3/build/Release/node_sqlite3.node", imports: ["napi_module_register", "napi_create_function"]),
                target: "aws-lambda-nodejs22.x-x86_64", fires: false),
            CheckExample(
                "a legacy addon whose ABI version is not read",
                binary: SampleNode.addon("node_modules/node-expat/build/Release/node_expat.node", imports: ["node_module_register"]),
                target: "aws-lambda-nodejs20.x-x86_64", fires: false),
        ]
    ) { context in
        guard let node = context.target.node, case .elf(let elf)? = context.binary.facts, let addon = NodeAddon(elf) else { return nil }
        switch addon {
        case .legacy(let built?):
            guard let runtime = node.moduleVersion, built != runtime else { return nil }
            let builtFor = NodeModuleVersions.majors[built].map { "Node.js \($0)" } ?? "another Node.js"
            let exported = elf.exportedSymbols.contains { $0.name == "node_register_module_v\(built)" }
            let source = exported ? "from node_register_module_v\(built)" : "nm_version of the struct node_module its constructor registers"
            return Verdict(
                "legacy addon built for \(builtFor) (NODE_MODULE_VERSION \(built), \(source)); \(context.target.runtimeLabel) runs Node.js \(node.version), which requires NODE_MODULE_VERSION \(runtime) and refuses to load it",
                fix: NodeABI.rebuild(context.runtime),
                fact: "NODE_MODULE_VERSION \(built)")
        case .legacy(nil):
            return nil
        case .nodeAPI:
            guard let supported = node.napiVersion else { return nil }
            let needed = addon.requiredNodeAPIVersion(node.napiFunctionVersions)
            guard needed.version > supported, let function = needed.function else { return nil }
            return Verdict(
                "Node-API addon importing \(function), which needs Node-API \(needed.version); Node.js \(node.version) on \(context.target.runtimeLabel) has Node-API \(supported), so loading it fails with `undefined symbol: \(function)`",
                fix: "Install a build of the package made for Node-API \(supported) (an older release, or one whose prebuilds include napi-v\(supported)), or move the function to a runtime with Node-API \(needed.version); rebuild with `npm rebuild` in public.ecr.aws/lambda/nodejs:\(node.version).",
                fact: "Node-API \(needed.version)")
        }
    }
}

enum NodeABI {

    static func rebuild(_ runtime: RuntimeView) -> String {
        let version = runtime.nodeVersion ?? "22"
        let cpu = runtime.architecture.nodeCPU
        return "Rebuild the addon for Node.js \(version): run `npm rebuild` (or `npm ci`) inside public.ecr.aws/lambda/nodejs:\(version) (for prebuilt packages `npm install --os=linux --cpu=\(cpu) --libc=glibc` with Node.js \(version)), then package again."
    }
}
