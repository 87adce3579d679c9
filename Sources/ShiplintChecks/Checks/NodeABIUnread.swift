import ShiplintFacts
import ShiplintTargets

extension Check {
    /// The other half of `node-abi-mismatch`: a legacy addon whose NODE_MODULE_VERSION shiplint cannot read is said on
    /// the entry as a note (a guess at error level would block valid deploys; silence would hide a likely crash).
    public static let nodeABIUnread = Check(
        id: "node-abi-unread",
        defaultSeverity: .note,
        summary: "A Node.js addon whose ABI was not checked: its NODE_MODULE_VERSION, or an image's Node.js version, was not read",
        explanation: """
            A legacy `.node` addon (V8 and `node::` C++ APIs, e.g. built with `nan`) loads only on the Node.js \
            whose NODE_MODULE_VERSION it was compiled with; `node-abi-mismatch` reports one built for another \
            Node.js. shiplint reads that number from the addon's exported `node_register_module_v<N>` or from the \
            `struct node_module` its constructor registers, found through the relative relocations in DT_RELA / \
            DT_REL. When neither is there (relocations packed into DT_RELR by `-z pack-relative-relocs`, a CPU \
            whose relocations shiplint does not know, a struct laid out differently), the version is not read, and \
            shiplint says so on the addon instead of guessing: an error on a guess would block valid deploys, and \
            silence would pass an addon that may fail with `was compiled against a different Node.js version`. It \
            is a note: nothing is known to be wrong, only not checked.

            A container image is judged against its own Node.js (`/var/lang/bin/node`): its versions come from \
            `include/node/node_version.h` beside it, else from the `libnode.so.<N>` it needs. When neither is in \
            the image, each addon is said to be unchecked the same way (the note names what was not read).

            Fix: make sure the addon was built for the runtime's Node.js: run `npm rebuild` (or `npm ci`) inside \
            `public.ecr.aws/lambda/nodejs:22` (the function's version) and package again, or load it once there \
            (`node -e "require('./build/Release/addon.node')"`). Silence the note for an addon you checked with an \
            `[[ignore]]` entry in `.shiplint.toml`.
            """,
        examples: [
            CheckExample(
                "a legacy addon registering from a constructor whose struct was not found",
                binary: SampleNode.addon("node_modules/node-expat/build/Release/node_expat.node", imports: ["node_module_register"]),
                target: "aws-lambda-nodejs20.x-x86_64", fires: true, at: "node_modules/node-expat/build/Release/node_expat.node",
                mentions: "NODE_MODULE_VERSION was not read"),
            CheckExample(
                "a legacy addon whose version is read (node-abi-mismatch judges it)",
                binary: SampleNode.legacy("node_modules/libxmljs/build/Release/xmljs.node", version: 93),
                target: "aws-lambda-nodejs18.x-x86_64", fires: false),
            CheckExample(
                "a Node-API addon",
                binary: SampleNode.addon(
                    "node_modules/sqlite3/build/Release/node_sqlite3.node", imports: ["napi_module_register", "napi_create_function"]),
                target: "aws-lambda-nodejs22.x-x86_64", fires: false),
            CheckExample(
                "an unread legacy addon on a Python runtime",
                binary: SampleNode.addon("node_modules/node-expat/build/Release/node_expat.node", imports: ["node_module_register"]),
                target: "aws-lambda-python3.13-x86_64", fires: false),
        ]
    ) { context in
        guard let node = context.target.node, case .elf(let elf)? = context.binary.facts, let addon = NodeAddon(elf) else { return nil }
        if let unread = node.unread {
            let check = "Run `node -p process.versions` inside the image to see its NODE_MODULE_VERSION (`modules`) and Node-API version (`napi`), and rebuild the addon there (`npm rebuild`) if it was built for another; keeping Node.js's include/node folder in the image lets shiplint check it."
            switch addon {
            case .legacy(let built?) where node.moduleVersion == nil:
                return Verdict(
                    "legacy Node.js addon built for NODE_MODULE_VERSION \(built), not checked: \(unread)", fix: check,
                    fact: "runtime NODE_MODULE_VERSION not read")
            case .nodeAPI where node.napiVersion == nil:
                let needed = addon.requiredNodeAPIVersion(node.napiFunctionVersions)
                return Verdict(
                    "Node-API addon needing Node-API \(needed.version), not checked: \(unread)", fix: check,
                    fact: "runtime Node-API version not read")
            default:
                break
            }
        }
        guard case .legacy(nil) = addon else { return nil }
        let requires = node.moduleVersion.map { ", which loads only addons built for NODE_MODULE_VERSION \($0)" } ?? ", which loads only addons built for it"
        return Verdict(
            "legacy Node.js addon whose NODE_MODULE_VERSION was not read (no exported node_register_module_v<N>, and no struct node_module found through its DT_RELA / DT_REL relocations), so its ABI was not checked: \(context.target.runtimeLabel) runs \(node.version.isEmpty ? "a Node.js whose version was not read" : "Node.js \(node.version)")\(requires)",
            fix: NodeABI.rebuild(context.runtime),
            fact: "NODE_MODULE_VERSION not read")
    }
}
