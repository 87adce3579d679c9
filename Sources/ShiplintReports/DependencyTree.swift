import ShiplintOutcome
import ShiplintChecks
import ShiplintFacts

/// `inspect --tree`: each root's dependencies as the loader would resolve them, nested like `lddtree`.
public enum DependencyTree {
    public static func text(_ graph: LoadGraph, style: TextStyle) -> String {
        var lines: [String] = []
        for load in graph.loads {
            let root = graph.objects[load.root]
            lines.append(style.bold(SafeText.lineStart(root.path)) + (root.artifact.isEmpty ? "" : "  (\(SafeText.escaped(root.artifact)))"))
            var children: [Int: [LoadGraph.Edge]] = [:]
            for edge in load.edges { children[edge.from, default: []].append(edge) }
            var shown = Set<Int>([load.root])
            func walk(_ id: Int, depth: Int) {
                for edge in children[id] ?? [] {
                    let indent = String(repeating: "    ", count: depth)
                    lines.append(indent + SafeText.escaped(line(edge, graph: graph, style: style)))
                    if case .bundled(let found, _, _) = edge.resolution, shown.insert(found).inserted {
                        walk(found, depth: depth + 1)
                    }
                }
            }
            walk(load.root, depth: 1)
            // Libraries loaded below a file read only in part: its own lookups are not edges, what it loaded is.
            for edge in load.edges where shown.insert(edge.from).inserted {
                lines.append("    " + SafeText.escaped("\(graph.objects[edge.from].runtimePath) [loaded by a file read only in part]"))
                walk(edge.from, depth: 2)
            }
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }

    static func line(_ edge: LoadGraph.Edge, graph: LoadGraph, style: TextStyle) -> String {
        switch edge.resolution {
        case .bundled(let found, _, let step):
            return "\(edge.soname) => \(graph.objects[found].runtimePath) [bundled, \(step)]"
        case .alreadyLoaded(let found):
            return "\(edge.soname) => \(graph.objects[found].runtimePath) [already loaded]"
        case .runtime(let directory):
            return "\(edge.soname) => \(directory)/\(edge.soname) [runtime]"
        case .unverified(let path):
            return "\(edge.soname) => \(path) [present, not read]"
        case .missing(let searched):
            return "\(edge.soname) => " + style.paint("not found", "1;31") + " [searched \(searched.joined(separator: ", then "))]"
        }
    }

    /// For JSON: per binary path, each needed soname with where it resolved.
    public static func json(_ graph: LoadGraph) -> [String: JSONValue] {
        var byObject: [String: [String: JSONValue]] = [:]
        for edge in graph.firstResolutions {
            let object = graph.objects[edge.from]
            let value: JSONValue
            switch edge.resolution {
            case .bundled(let found, _, let step):
                value = .object(["kind": .string("bundled"), "path": .string(graph.objects[found].runtimePath), "via": .string(step)])
            case .alreadyLoaded(let found):
                value = .object(["kind": .string("loaded"), "path": .string(graph.objects[found].runtimePath)])
            case .runtime(let directory):
                value = .object(["kind": .string("runtime"), "path": .string(directory + "/" + edge.soname)])
            case .unverified(let path):
                value = .object(["kind": .string("unverified"), "path": .string(path)])
            case .missing(let searched):
                value = .object(["kind": .string("missing"), "searched": .strings(searched)])
            }
            byObject[object.artifact + "\u{0}" + object.path, default: [:]][edge.soname] = value
        }
        return byObject.mapValues { .object($0) }
    }
}
