import Foundation
import ShiplintChecks

/// explain's reading of error texts as it was before it was made linear (issue 28), with the grammar changes of
/// issue 23 made here too (a quote may end a module name, a version node may be unquoted, a relative `.node` is an addon)
/// and heldout2's (`cannot import name 'x'` naming no package, an extension without `PyInit_x`): regular expressions over each
/// whole line, quadratic in a line without separators. Kept here only as the reference the linear reading is
/// compared with on short lines (ErrorTextReadingTests), where both must find the same signals in the same order.
enum ReferenceErrorText {
    /// Every signal in `text`, in order, without repeats. The text may be one line, a pasted CloudWatch log, or JSON
    /// log lines (`{"errorMessage": …, "errorType": …}`), whose string fields are read as text.
    static func signals(in text: String) -> [ErrorSignal] {
        occurrences(in: text).map(\.signal)
    }

    /// Every signal in `text` with the number of log events that gave it (a failure repeated on every invocation,
    /// or printed by CPython and by Lambda's log line, is one signal).
    static func occurrences(in text: String) -> [(signal: ErrorSignal, count: Int)] {
        var found: [(signal: ErrorSignal, count: Int)] = []
        let plain = lines(of: text)
        for line in plain {
            for signal in signals(inLine: line) {
                if let index = found.firstIndex(where: { $0.signal == signal }) { found[index].count += 1 } else { found.append((signal, 1)) }
            }
        }
        // Node prints its ABI message over several lines: read it from the whole text.
        let joined = plain.joined(separator: " ")
        if joined.contains("was compiled against a different Node.js version") {
            let path = firstMatch(" module \(q)?([^\\s'`\"]+\\.node)", in: joined)?[1] ?? firstMatch("([^\\s'`\"]+\\.node)", in: joined)?[1]
            let built = firstMatch("using\\s+NODE_MODULE_VERSION (\\d+)", in: joined).flatMap { Int($0[1]) }
            let running = firstMatch("requires\\s+NODE_MODULE_VERSION (\\d+)", in: joined).flatMap { Int($0[1]) }
            found.append((.nodeABI(path: path, built: built, running: running), 1))
        }
        return found
    }

    /// Lines of plain text, with JSON log lines replaced by their string values (errorType first, then errorMessage).
    static func lines(of text: String) -> [String] {
        text.split(whereSeparator: \.isNewline).flatMap { raw -> [String] in
            let line = String(raw)
            guard let start = line.firstIndex(of: "{"), let data = String(line[start...]).data(using: .utf8),
                let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
            else {
                // A message copied out of a JSON log line keeps its escapes: a literal \n is a line break there.
                return line.replacingOccurrences(of: "\\n", with: "\n").replacingOccurrences(of: "\\\"", with: "\"")
                    .split(whereSeparator: \.isNewline).map(String.init)
            }
            let strings = logStrings(of: object, depth: 0)
            return strings.isEmpty ? [line] : strings.flatMap { $0.split(whereSeparator: \.isNewline).map(String.init) }
        }
    }

    /// The error strings of one JSON log record: errorType, errorMessage, message, msg, then the stack trace. Lambda's
    /// JSON log format nests the error record under `message` (`{"level":"ERROR","message":{"errorType":…}}`), and a
    /// `message` can itself be a JSON log line as a string: both are read, a few levels deep.
    private static func logStrings(of object: [String: Any], depth: Int) -> [String] {
        var strings: [String] = []
        for key in ["errorType", "errorMessage", "message", "msg", "error"] {
            if let value = object[key] as? String {
                if depth < 3, value.hasPrefix("{"), let data = value.data(using: .utf8),
                    let inner = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
                {
                    let nested = logStrings(of: inner, depth: depth + 1)
                    strings += nested.isEmpty ? [value] : nested
                } else {
                    strings.append(value)
                }
            } else if depth < 3, let inner = object[key] as? [String: Any] {
                strings += logStrings(of: inner, depth: depth + 1)
            }
        }
        if let trace = object["stackTrace"] as? [String] { strings += trace }
        return strings
    }

    /// `@img/sharp-linux-x64/sharp.node` → `@img/sharp-linux-x64`; `uuid/v4` → `uuid`.
    private static func nodePackage(_ specifier: String) -> String {
        let parts = specifier.split(separator: "/").map(String.init)
        return parts.count > 1 && parts[0].hasPrefix("@") ? parts[0] + "/" + parts[1] : parts[0]
    }

    private static func firstMatch(_ pattern: String, in line: String) -> [String]? {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return nil }
        let range = NSRange(line.startIndex..., in: line)
        guard let match = regex.firstMatch(in: line, range: range) else { return nil }
        return (0..<match.numberOfRanges).map { index in
            Range(match.range(at: index), in: line).map { String(line[$0]) } ?? ""
        }
    }

    // A quote is ' or ` or ‘ or ’ or "; glibc writes `GLIBC_2.28', CPython 'name'.
    private static let q = "[`'‘’\"]"

    static func signals(inLine line: String) -> [ErrorSignal] {
        var result: [ErrorSignal] = []
        if let m = firstMatch("(?i)No module named \(q)?([A-Za-z0-9_.]+?)\(q)?(?:[\\s;,:)|]|\(q)|$)", in: line) {
            let module = m[1].hasSuffix(".") ? String(m[1].dropLast()) : m[1]
            if !module.isEmpty { result.append(.missingModule(module)) }
        }
        if let m = firstMatch("(?i)cannot import name \(q)([A-Za-z0-9_]+)\(q) from \(q)([A-Za-z0-9_.]+)\(q)", in: line) {
            result.append(.missingModule(m[2] + "." + m[1]))
        } else if let m = firstMatch("(?i)cannot import name \(q)?([A-Za-z0-9_]+)", in: line) {
            result.append(.unplacedModule(m[1]))
        }
        if let m = firstMatch("dynamic module does not define (?:module export|init) function \\((?:PyInit_|init)([A-Za-z0-9_]+)\\)", in: line) {
            result.append(.unplacedModule(m[1]))
        }
        if let m = firstMatch("version \(q)?([A-Za-z0-9_.]+?)\(q)? not found(?: \\(required by ([^)]+)\\))?", in: line) {
            let library = firstMatch("([^\\s:]+): version \(q)", in: line).map { URL(fileURLWithPath: $0[1]).lastPathComponent }
            result.append(.missingVersion(version: m[1], library: library, requiredBy: m[2].isEmpty ? nil : m[2]))
        } else if let m = firstMatch("([^\\s:'`\"]+): cannot open shared object file", in: line), m[1].contains("/") {
            result.append(.unloadableFile(path: m[1]))
        } else if let m = firstMatch("([^\\s:'`\"]+): cannot open shared object file", in: line) {
            let requiredBy = firstMatch("(/[^\\s:'`\"]+\\.(?:so|node)[^\\s:'`\"]*)", in: line)?[1]
                ?? firstMatch("(/[^\\s:'`\"]+): error while loading shared libraries", in: line)?[1]
            result.append(.missingLibrary(soname: URL(fileURLWithPath: m[1]).lastPathComponent, requiredBy: requiredBy == m[1] ? nil : requiredBy))
        }
        if let m = firstMatch("([^\\s:'`\"]+): invalid ELF header", in: line) {
            result.append(.invalidELFHeader(path: m[1]))
        }
        if let m = firstMatch("(?:([^\\s:'`\"]+): )?wrong ELF class: (ELFCLASS\\d+)", in: line) {
            result.append(.wrongELFClass(path: m[1].isEmpty ? nil : m[1], elfClass: m[2]))
        }
        if let m = firstMatch("(?:([^\\s:'`\"]+): )?undefined symbol: ([A-Za-z0-9_@.$]+)", in: line) {
            // A path only with a `/` or a file suffix (`ImportError: undefined symbol: X` names no file).
            result.append(.undefinedSymbol(symbol: m[2], path: m[1].contains("/") || m[1].contains(".") ? m[1] : nil))
        }
        if line.contains("cannot enable executable stack") {
            let path = firstMatch("([^\\s:'`\"]+\\.(?:so|node)[^\\s:'`\"]*)", in: line)?[1]
            result.append(.executableStack(path: path))
        }
        // Node's CommonJS and ES module resolvers; a relative path is the handler, not a package. Rollup names the
        // package without quotes (`Cannot find module @rollup/rollup-linux-x64-gnu. npm has a bug …`).
        if let m = firstMatch("Cannot find (?:module|package) \(q)([^'`\"\\s]+)\(q)", in: line)
            ?? firstMatch("Cannot find (?:module|package) (@?[A-Za-z0-9][A-Za-z0-9._/-]*[A-Za-z0-9])", in: line)
        {
            if m[1].hasPrefix("/") {
                // An absolute path to an addon (node-pre-gyp's binding folder): that file, absent or unloadable.
                if m[1].hasSuffix(".node") { result.append(.unloadableFile(path: m[1])) }
            } else if m[1].hasPrefix(".") {
                if m[1].hasSuffix(".node") { result.append(.missingNodeAddon(String(m[1].split(separator: "/").last ?? ""))) }
            } else {
                result.append(.missingNodePackage(nodePackage(m[1])))
            }
        }
        // Platform packages named by the package that needs them: sharp 0.33+ (`Could not load the "sharp" module
        // using the linux-x64 runtime`) and esbuild (`… needs the "@esbuild/linux-x64" package instead`, `The package
        // "@esbuild/linux-x64" could not be found`).
        if let m = firstMatch("Could not load the \(q)sharp\(q) module using the ([a-z]+-[a-z0-9]+) runtime", in: line) {
            result.append(.missingNodePackage("@img/sharp-" + m[1]))
        }
        if let m = firstMatch("needs the \(q)(@[a-z0-9-]+/[A-Za-z0-9._-]+)\(q) package instead", in: line)
            ?? firstMatch("The package \(q)(@[a-z0-9-]+/[A-Za-z0-9._-]+)\(q) could not be found, and is needed by", in: line)
        {
            result.append(.missingNodePackage(m[1]))
        }
        // A program the code starts itself, for another platform: CPython's `[Errno 8] Exec format error: '/var/task/bin/ffmpeg'`,
        // Node's `spawn /var/task/bin/ffmpeg ENOEXEC`. (A bootstrap's own `exec format error` is an InvalidEntrypoint.)
        if let m = firstMatch("(?i)\\[Errno 8\\] Exec format error: \(q)(/[^'`\"]+)\(q)", in: line) ?? firstMatch("spawn (/[^\\s'`\"]+) ENOEXEC", in: line) {
            result.append(.unloadableFile(path: m[1]))
        }
        if let m = firstMatch("(?:Query engine (?:library|binary) for current platform|could not locate the Query Engine for runtime) \(q)?([A-Za-z0-9_.-]*[A-Za-z0-9])\(q)?", in: line) {
            result.append(.prismaEngine(platform: m[1]))
        }
        var deniedPath: String?
        if let m = firstMatch("spawn (/[^\\s'`\"]+) EACCES", in: line) {
            deniedPath = m[1]
            result.append(.permissionDenied(path: m[1]))
        } else if let m = firstMatch("(?i)(?:permission denied|EACCES)[:,]?\\s*(?:[a-z]+\\s+)?\(q)?(/[^\\s'`\"]+)", in: line)
            ?? firstMatch("(?i)(/[^\\s:'`\"]+): permission denied", in: line)
        {
            deniedPath = m[1]
            result.append(.permissionDenied(path: m[1]))
        }
        if line.contains("ELF load command") && line.contains("not properly aligned") {
            let path = firstMatch("(/[^\\s:'`\"]+): ELF load command", in: line)?[1] ?? firstMatch("(/[^\\s:'`\"]+\\.(?:so|node)[^\\s:'`\"]*)", in: line)?[1]
            result.append(.misalignedELF(path: path))
        }
        // Permission denied on bootstrap is the unreadable file itself: one signal, not two.
        if deniedPath == nil, line.contains("Runtime.InvalidEntrypoint") || line.contains("exec format error") {
            // Without the request id, every invocation's line is the same signal (counted, explained once).
            let detail = line.replacingOccurrences(of: "RequestId: [0-9A-Za-z-]+ ", with: "", options: .regularExpression)
            result.append(.invalidEntrypoint(detail: detail.trimmingCharacters(in: .whitespaces)))
        }
        // Lambda's Python wrapper line with words no family knows: the package's own message (its first 300 bytes).
        if result.isEmpty, let start = line.range(of: "Unable to import module ") {
            let rest = line[start.lowerBound...]
            if let colon = rest.range(of: "': ") ?? rest.range(of: "\": ") {
                let bytes = Array(rest[colon.upperBound...].utf8.prefix(300))
                var message = String(decoding: bytes, as: UTF8.self)
                while message.first == " " { message.removeFirst() }
                while let last = message.last, last == " " || last == "\"" || last == "," { message.removeLast() }
                if message.contains(where: \.isLetter) { result.append(.packageMessage(message)) }
            }
        }
        return result
    }
}
