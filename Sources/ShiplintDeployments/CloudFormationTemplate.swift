import FoundationEssentials
import Glibc
import ShiplintFacts

/// A CloudFormation template (a SAM template, a template that `sam build` wrote, or one a CDK app synthesised):
/// its `AWS::Serverless::Function` / `AWS::Lambda::Function` resources with their layers.
struct CloudFormationTemplate {
    let value: DescriptorValue
    /// The template as the user can open it.
    let file: String
    let resourceLines: [String: Int]

    /// Where a resource's code is: its id, its type, the code property (`CodeUri`, `Code`, `ContentUri`, `Content`)
    /// and its `Metadata`.
    typealias CodeResolver = (_ id: String, _ property: DescriptorValue?, _ metadata: DescriptorValue?) throws(DescriptorError) -> CodeSource

    static let functionTypes: Set<String> = ["AWS::Serverless::Function", "AWS::Lambda::Function"]
    static let layerTypes: Set<String> = ["AWS::Serverless::LayerVersion", "AWS::Lambda::LayerVersion"]

    /// Reads the template file: JSON when it starts with `{`, YAML otherwise.
    static func load(path: String, display: String) throws(DescriptorError) -> CloudFormationTemplate {
        let text = try DescriptorText.read(path)
        if text.drop(while: \.isWhitespace).first == "{" {
            let value = try DescriptorText.json(text, file: display)
            var lines: [String: Int] = [:]
            for id in value["Resources"]?.object?.keys ?? [:].keys {
                lines[id] = DescriptorText.line(ofKey: id, in: text)
            }
            return CloudFormationTemplate(value: value, file: display, resourceLines: lines)
        }
        let (value, lines) = try DescriptorText.yaml(text, file: display)
        return CloudFormationTemplate(value: value, file: display, resourceLines: lines)
    }

    /// True when the value looks like a template: a `Resources` mapping with at least one `Type: AWS::…`.
    static func recognises(_ value: DescriptorValue) -> Bool {
        guard let resources = value["Resources"]?.object else { return false }
        return resources.values.contains { $0["Type"]?.string?.hasPrefix("AWS::") == true }
    }

    var resources: [String: DescriptorValue] { value["Resources"]?.object ?? [:] }

    /// Where a nested stack or application (`AWS::CloudFormation::Stack`, `AWS::Serverless::Application`) has its
    /// template: a local file to read, or why it cannot be followed; nil for any other resource.
    typealias NestedResolver = (_ template: CloudFormationTemplate, _ id: String, _ resource: DescriptorValue) throws(DescriptorError) -> CodeSource?

    static let nestedTypes: Set<String> = ["AWS::CloudFormation::Stack", "AWS::Serverless::Application"]
    static let maximumNesting = 8

    /// The functions of this template and of the nested templates it names, ids prefixed with the nesting
    /// (`Parent/Child/Function`), and a sentence for each nested template that could not be followed.
    func functionsWithNested(
        prefix: String = "", code: (CloudFormationTemplate) -> CodeResolver, nested: NestedResolver, depth: Int = 0, seen: [String] = []
    ) throws(DescriptorError) -> (functions: [FunctionDescriptor], notes: [String]) {
        var functions = try self.functions(prefix: prefix, code: code(self))
        var notes: [String] = []
        for id in resources.keys.sorted() {
            guard let resource = resources[id], let type = resource["Type"]?.string, Self.nestedTypes.contains(type),
                  let location = try nested(self, id, resource) else { continue }
            let place = resourceLines[id].map { "\(file):\($0)" } ?? file
            switch location {
            case .notLocal(let why):
                notes.append("nested \(type) \(prefix)\(id) (\(place)) was not followed, so its functions were not checked: \(why)")
            case .local(let path):
                let standard = URL(fileURLWithPath: path).standardizedFileURL.path
                guard !seen.contains(standard), depth < Self.maximumNesting else {
                    throw DescriptorError(file: file, message: "nested templates form a cycle or are nested more than \(Self.maximumNesting) deep at \(id)")
                }
                let child = try Self.load(path: path, display: path)
                let found = try child.functionsWithNested(
                    prefix: prefix + id + "/", code: code, nested: nested, depth: depth + 1, seen: seen + [standard])
                functions += found.functions
                notes += found.notes
            }
        }
        return (functions, notes)
    }

    /// Every function, sorted by logical id; `prefix` qualifies the id (a CDK stack's name).
    func functions(prefix: String = "", code: CodeResolver) throws(DescriptorError) -> [FunctionDescriptor] {
        guard let resources = value["Resources"]?.object else {
            throw DescriptorError(file: file, message: "no Resources mapping: not a CloudFormation or SAM template")
        }
        let globals = value["Globals"]?["Function"]?.object ?? [:]
        var functions: [FunctionDescriptor] = []
        for id in resources.keys.sorted() {
            guard let resource = resources[id], let type = resource["Type"]?.string, Self.functionTypes.contains(type) else { continue }
            let serverless = type == "AWS::Serverless::Function"
            var properties = resource["Properties"]?.object ?? [:]
            // Globals give SAM functions their defaults: a function's own value wins, except that its Layers are
            // added after the global ones and its maps are merged into the global maps (SAM "Overriding globals").
            if serverless {
                for (key, global) in globals {
                    switch (global, properties[key]) {
                    case (_, nil): properties[key] = global
                    case (.array(let first), .array(let own)?) where key == "Layers": properties[key] = .array(first + own)
                    case (.object(let base), .object(let own)?): properties[key] = .object(base.merging(own) { _, mine in mine })
                    default: break
                    }
                }
            }
            var notes: [String] = []
            func text(_ key: String, noted: Bool = true) -> String? {
                guard let value = properties[key] else { return nil }
                switch resolveScalar(value) {
                case .text(let text): return text
                case .unresolved(let why):
                    if noted { notes.append("\(key) \(why)") }
                    return nil
                }
            }
            let packageType = text("PackageType") ?? "Zip"
            let architectures = properties["Architectures"].map { value -> [String] in
                (value.array ?? [value]).compactMap { item in
                    if case .text(let text) = resolveScalar(item) { return text }
                    notes.append("an Architectures item is not resolved")
                    return nil
                }
            } ?? []
            if architectures.count > 1 { notes.append("Architectures lists \(architectures.count) values; Lambda takes exactly one") }
            let codeSource: CodeSource
            if packageType == "Image" {
                codeSource = .notLocal("it is a container image (PackageType Image)")
            } else if serverless, properties["InlineCode"] != nil {
                codeSource = .notLocal("inline code (InlineCode)")
            } else {
                codeSource = try code(id, properties[serverless ? "CodeUri" : "Code"], resource["Metadata"])
            }
            var layers: [LayerDescriptor] = []
            if let items = properties["Layers"] {
                if let list = items.array {
                    for item in list { layers.append(try layer(for: item, code: code)) }
                } else {
                    notes.append("Layers is \(Self.describe(items)), which depends on the deployment and is not evaluated: its layers were not checked")
                }
            }
            functions.append(FunctionDescriptor(
                name: prefix + id, functionName: text("FunctionName", noted: false), runtime: text("Runtime"),
                architecture: architectures.first ?? TargetArchitecture.lambdaDefault.lambdaName, handler: text("Handler"), packageType: packageType,
                code: codeSource, layers: layers, file: file, line: resourceLines[id], notes: notes))
        }
        return functions
    }

    /// One item of `Layers`: a `Ref` to a layer of this template is that layer's code; anything else (an ARN, a
    /// parameter, an import) names code that is not in the project.
    private func layer(for item: DescriptorValue, code: CodeResolver) throws(DescriptorError) -> LayerDescriptor {
        if let id = item["Ref"]?.string, let resource = resources[id], let type = resource["Type"]?.string {
            guard Self.layerTypes.contains(type) else {
                return LayerDescriptor(name: id, code: .notLocal("Ref \(id) is a \(type), not a layer"))
            }
            let properties = resource["Properties"]?.object ?? [:]
            let content = properties[type == "AWS::Serverless::LayerVersion" ? "ContentUri" : "Content"]
            return LayerDescriptor(
                name: id, code: try code(id, content, resource["Metadata"]),
                compatibleRuntimes: properties["CompatibleRuntimes"]?.strings ?? [],
                compatibleArchitectures: properties["CompatibleArchitectures"]?.strings ?? [])
        }
        switch resolveScalar(item) {
        case .text(let arn):
            return LayerDescriptor(name: arn, code: .notLocal("it is named only by its ARN \(arn), not built in this project"))
        case .unresolved(let why):
            return LayerDescriptor(name: Self.describe(item), code: .notLocal("layer reference \(why)"))
        }
    }

    enum Resolved: Equatable {
        case text(String)
        case unresolved(String)
    }

    /// A value as text: a plain string, or a `Ref` to a parameter with a `Default` (followed, with a cycle check).
    /// Other intrinsic functions depend on the deployment and are not evaluated.
    func resolveScalar(_ value: DescriptorValue, seen: [String] = []) -> Resolved {
        if let text = value.string { return .text(text) }
        if let name = value["Ref"]?.string {
            if seen.contains(name) {
                return .unresolved("is a cycle of Refs (\((seen + [name]).joined(separator: " → ")))")
            }
            if let parameter = self.value["Parameters"]?[name] {
                if let fallback = parameter["Default"] { return resolveScalar(fallback, seen: seen + [name]) }
                return .unresolved("is Ref \(name), a parameter with no Default")
            }
            if name.hasPrefix("AWS::") { return .unresolved("is the pseudo parameter \(name)") }
            return .unresolved("is Ref \(name), which this template does not define as a parameter")
        }
        return .unresolved("is \(Self.describe(value)), which depends on the deployment and is not evaluated")
    }

    /// A short, deterministic rendering of a value for messages (`{"Fn::Sub": "…"}`).
    static func describe(_ value: DescriptorValue) -> String {
        switch value {
        case .scalar(let text): return "\"\(text)\""
        case .null: return "null"
        case .array(let items): return "[" + items.prefix(3).map(describe).joined(separator: ", ") + (items.count > 3 ? ", …" : "") + "]"
        case .object(let fields):
            return "{" + fields.keys.sorted().prefix(3).map { "\"\($0)\": \(describe(fields[$0]!))" }.joined(separator: ", ") + "}"
        }
    }
}

/// Where code named by a path is, relative to a descriptor's folder, kept inside the project: by its name (no `..`
/// or absolute path out of it) and by what it is (no symbolic link, in any of its folders, out of it).
struct LocalCode {
    /// The folder paths in the descriptor are relative to (as the user named it).
    let base: String
    /// Code must lie inside this folder (the project), or one of `DescriptorLimits.codeRoots`.
    let root: String
    /// The descriptor that names the paths (for messages).
    let file: String

    /// `.local` for an existing path inside the project; `.notLocal` for S3 or a path not built yet; an error for a
    /// path that leaves the project, by its name or through a link.
    func resolve(_ relative: String, what: String) throws(DescriptorError) -> CodeSource {
        if relative.hasPrefix("s3://") { return .notLocal("\(what) is the S3 object \(relative), not a local path") }
        let path = relative.hasPrefix("/") ? relative : Self.join(base, relative)
        guard FileManager.default.fileExists(atPath: path) else {
            try inside(path, what: what, named: relative)
            return .notLocal("\(what) \(relative) does not exist (\(path)); build the project first")
        }
        try inside(path, what: what, named: relative)
        return .local(Self.tidy(path))
    }

    /// Checks that `path` (which the descriptor names as `named`) stays inside the project or a code root, first as
    /// written, then with every symbolic link on the way resolved (when it exists). Throws naming both.
    func inside(_ path: String, what: String, named: String) throws(DescriptorError) {
        let roots = [root] + DescriptorText.limits.codeRoots
        let allowed = roots.map { "\($0)" }.joined(separator: ", ")
        let advice = "shiplint reads only code inside the project; move it in, or name its folder with --code-root"
        let standard = Self.absolute(path)
        guard roots.contains(where: { Self.isWithin(standard, Self.absolute($0)) }) else {
            throw DescriptorError(file: file, message: "\(what) \(named) is outside the project (\(allowed)): \(advice)")
        }
        // Existing parts only: realpath of the deepest existing ancestor (a missing file cannot be a link).
        guard let real = Self.realPath(path) else { return }
        guard roots.contains(where: { root in Self.realPath(root).map { Self.isWithin(real, $0) } ?? false }) else {
            throw DescriptorError(file: file, message: "\(what) \(named) leads outside the project through a symbolic link: it resolves to \(real), not inside \(allowed); \(advice)")
        }
    }

    /// The path with `.` and `..` removed, made absolute from the current folder (links not followed).
    static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    static func isWithin(_ path: String, _ root: String) -> Bool {
        path == root || root == "/" || path.hasPrefix(root.hasSuffix("/") ? root : root + "/")
    }

    /// Every symbolic link resolved (`realpath`) for the longest existing prefix of `path`, the rest appended; nil
    /// when nothing of it exists. A dangling link or a loop is returned unresolved past it (and judged as it reads).
    static func realPath(_ path: String) -> String? {
        var existing = absolute(path)
        var rest: [String] = []
        while true {
            if let resolved = realpath(existing, nil) {
                defer { free(resolved) }
                return ([String(cString: resolved)] + rest.reversed()).joined(separator: "/").replacingText("//", with: "/")
            }
            // A dangling link: where it points, read as written.
            var status = stat()
            if lstat(existing, &status) == 0, status.st_mode & S_IFMT == S_IFLNK,
                let target = try? FileManager.default.destinationOfSymbolicLink(atPath: existing)
            {
                let pointed = target.hasPrefix("/") ? target : PathName.parent(existing) + "/" + target
                return absolute(([pointed] + rest.reversed()).joined(separator: "/"))
            }
            let parent = PathName.parent(existing)
            if parent == existing || parent.isEmpty { return nil }
            rest.append(PathName.last(existing))
            existing = parent
        }
    }

    static func join(_ base: String, _ relative: String) -> String {
        if base.isEmpty || base == "." { return relative }
        return base.hasSuffix("/") ? base + relative : base + "/" + relative
    }

    /// `a/./b/` → `a/b`, `a/x/../b` → `a/b`, keeping the path relative when it was.
    static func tidy(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/") where part != "." {
            if part == "..", let last = parts.last, last != ".." {
                parts.removeLast()
            } else {
                parts.append(part)
            }
        }
        let joined = parts.joined(separator: "/")
        return absolute ? "/" + joined : (joined.isEmpty ? "." : joined)
    }
}
