import ShiplintFacts

/// Finds the imports of a Python source file the way CPython's tokenizer and grammar delimit them, without running or
/// fully parsing it: strings (all prefixes, triple quotes), comments, bracket and backslash continuation, `;`,
/// indentation blocks, and compound statements with their body on the same line. For each `import`, `from … import`
/// and `importlib.import_module("…")` / `__import__("…")` call with a literal name, it says which `try` lets the
/// program go on if the import fails: a handler that catches ImportError (`ImportError`, `Exception`,
/// `BaseException`, a bare `except`, alone or in a tuple; `ModuleNotFoundError` only for a module not found) and
/// does not `raise` anywhere in it. An import inside a function defined in a `try` runs later, outside it, and is
/// not guarded by it. Names computed at run time (`import_module(name)`) are not followed.
public enum PythonImportReader {
    /// Handlers that catch every ImportError (ModuleNotFoundError is its subclass, caught alone separately).
    static let catchesImportError: Set<String> = ["ImportError", "Exception", "BaseException"]

    public static func imports(in source: [UInt8]) -> [PythonImport] {
        var parser = BlockParser()
        for line in LogicalLines(source).all() {
            parser.take(line, source: source)
        }
        return parser.finished()
    }

    public static func imports(in source: String) -> [PythonImport] { imports(in: Array(source.utf8)) }
}

/// A token of a logical line: what the import finder needs of Python's tokens.
enum PythonToken: Equatable {
    case name(String)
    /// A string literal: its text when it is a plain literal (no escapes, not an f-string or bytes), else nil.
    case string(String?)
    case op(UInt8)
    case other
}

/// One logical line: its indentation, first physical line, and tokens with their byte ranges (to quote a statement).
struct LogicalLine {
    var indent: Int
    var line: Int
    var tokens: [PythonToken]
    var spans: [Range<Int>]
}

/// Splits source bytes into logical lines (CPython's tokenizer: NEWLINE ends one outside brackets; comments and blank
/// lines are not lines).
struct LogicalLines {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func all() -> [LogicalLine] {
        var lines: [LogicalLine] = []
        var index = 0
        var lineNumber = 1
        var depth = 0
        var current: LogicalLine?
        var atLineStart = true
        var indent = 0
        let count = bytes.count
        func isNameStart(_ byte: UInt8) -> Bool {
            (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A || byte == 0x5F || byte >= 0x80
        }
        func isNameByte(_ byte: UInt8) -> Bool { isNameStart(byte) || (byte >= 0x30 && byte <= 0x39) }
        func emit() {
            if let line = current, !line.tokens.isEmpty { lines.append(line) }
            current = nil
        }
        while index < count {
            let byte = bytes[index]
            if atLineStart {
                // Indentation of a physical line that starts a logical line: tabs to the next multiple of 8.
                indent = 0
                while index < count, bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == 0x0C {
                    indent = bytes[index] == 0x09 ? (indent / 8 + 1) * 8 : indent + 1
                    index += 1
                }
                atLineStart = false
                continue
            }
            switch byte {
            case 0x0A, 0x0D:
                if byte == 0x0D, index + 1 < count, bytes[index + 1] == 0x0A { index += 1 }
                index += 1
                lineNumber += 1
                if depth == 0 {
                    emit()
                    atLineStart = true
                }
            case 0x23:  // a comment, to the end of the line
                while index < count, bytes[index] != 0x0A, bytes[index] != 0x0D { index += 1 }
            case 0x5C:  // a backslash: the line goes on
                index += 1
                if index < count, bytes[index] == 0x0D { index += 1 }
                if index < count, bytes[index] == 0x0A { index += 1 }
                lineNumber += 1
            case 0x20, 0x09, 0x0C:
                index += 1
            default:
                if current == nil { current = LogicalLine(indent: indent, line: lineNumber, tokens: [], spans: []) }
                let start = index
                if byte == 0x22 || byte == 0x27 {
                    let text = string(at: &index, prefix: "", lineNumber: &lineNumber)
                    current!.tokens.append(.string(text))
                } else if isNameStart(byte) {
                    while index < count, isNameByte(bytes[index]) { index += 1 }
                    let name = String(decoding: bytes[start..<index], as: UTF8.self)
                    if index < count, bytes[index] == 0x22 || bytes[index] == 0x27, name.count <= 2,
                        name.lowercased().allSatisfy({ "rbuft".contains($0) })
                    {
                        let text = string(at: &index, prefix: name.lowercased(), lineNumber: &lineNumber)
                        current!.tokens.append(.string(text))
                    } else {
                        current!.tokens.append(.name(name))
                    }
                } else if byte >= 0x30 && byte <= 0x39 {
                    while index < count, isNameByte(bytes[index]) || bytes[index] == 0x2E { index += 1 }
                    current!.tokens.append(.other)
                } else {
                    if byte == 0x28 || byte == 0x5B || byte == 0x7B { depth += 1 }
                    if (byte == 0x29 || byte == 0x5D || byte == 0x7D) && depth > 0 { depth -= 1 }
                    current!.tokens.append(.op(byte))
                    index += 1
                }
                current!.spans.append(start..<index)
            }
        }
        emit()
        return lines
    }

    /// A string literal starting at its opening quote; `index` moves past its end. Its text when plain.
    private func string(at index: inout Int, prefix: String, lineNumber: inout Int) -> String? {
        let quote = bytes[index]
        let count = bytes.count
        let triple = index + 2 < count && bytes[index + 1] == quote && bytes[index + 2] == quote
        index += triple ? 3 : 1
        let start = index
        var plain = !prefix.contains("f") && !prefix.contains("b") && !prefix.contains("t")
        while index < count {
            let byte = bytes[index]
            if byte == 0x5C {
                plain = false
                if index + 1 < count, bytes[index + 1] == 0x0A { lineNumber += 1 }
                index += 2
                continue
            }
            if byte == 0x0A || byte == 0x0D {
                if !triple { break }  // an unterminated string ends at its line, as the tokenizer's error would
                if byte == 0x0A { lineNumber += 1 }
            }
            if byte == quote {
                if !triple {
                    let text = String(decoding: bytes[start..<index], as: UTF8.self)
                    index += 1
                    return plain ? text : nil
                }
                if index + 2 < count && bytes[index + 1] == quote && bytes[index + 2] == quote {
                    let text = String(decoding: bytes[start..<index], as: UTF8.self)
                    index += 3
                    return plain ? text : nil
                }
            }
            index += 1
        }
        return nil
    }
}

/// Follows blocks by indentation and records imports with the `try` bodies around them.
struct BlockParser {
    private struct Handler {
        let text: String
        let line: Int
        let catches: PythonImportGuard.Catches?
        var raises = false
        var fallback: String?
    }

    private struct Try {
        var handlers: [Handler] = []
    }

    private enum Block {
        case tryBody(Int)
        case handler(try: Int, handler: Int)
        /// `def` or `async def`: what runs inside runs when it is called, outside any `try` around the definition.
        case function
        /// Anything else (`if`, `for`, `with`, `class` — a class body runs where it is defined, a try's `else` and
        /// `finally`, which its handlers do not guard).
        case other
    }

    private var tries: [Try] = []
    /// Open blocks with the indentation of their header.
    private var stack: [(indent: Int, block: Block)] = []
    /// The `try` whose body or handler was the last compound statement at each indentation, for `except`.
    private var lastTryAt: [Int: Int] = [:]
    private var sites: [(PythonImport, tries: [Int], inFunction: Bool)] = []

    mutating func take(_ line: LogicalLine, source: [UInt8]) {
        while let top = stack.last, line.indent <= top.indent { stack.removeLast() }
        // Headers met earlier at a deeper indentation are closed.
        lastTryAt = lastTryAt.filter { $0.key <= line.indent }
        statements(from: 0, of: line, indent: line.indent, source: source)
    }

    /// The statements of `line` from token `first`, separated by `;`; a compound header's body on the same line is
    /// taken as its block's first statements (one level deeper).
    private mutating func statements(from first: Int, of line: LogicalLine, indent: Int, source: [UInt8]) {
        var start = first
        let tokens = line.tokens
        while start < tokens.count {
            var depth = 0
            var split: Int?
            var isCompound = false
            if case .name(let keyword) = tokens[start], Self.compoundKeywords.contains(keyword) { isCompound = true }
            for position in start..<tokens.count {
                guard case .op(let op) = tokens[position] else { continue }
                if op == 0x28 || op == 0x5B || op == 0x7B { depth += 1 }
                if op == 0x29 || op == 0x5D || op == 0x7D { depth = max(0, depth - 1) }
                if depth == 0 && (op == 0x3B || (isCompound && op == 0x3A)) {
                    split = position
                    break
                }
            }
            let end = split ?? tokens.count
            guard end > start else {
                start = end + 1
                continue
            }
            let text = Self.text(source, from: line.spans[start].lowerBound, to: line.spans[end - 1].upperBound)
            let statement = tokens[start..<end]
            if isCompound, let split, tokens[split] == .op(0x3A) {
                header(statement, text: text, indent: indent, line: line.line)
                statements(from: split + 1, of: line, indent: indent + 1, source: source)
                return
            }
            simple(statement, text: text, line: line.line)
            start = end + 1
        }
    }

    static let compoundKeywords: Set<String> = [
        "if", "elif", "else", "for", "while", "try", "except", "finally", "with", "def", "class", "async", "match", "case",
    ]

    private mutating func header(_ tokens: ArraySlice<PythonToken>, text: String, indent: Int, line: Int) {
        guard case .name(let keyword) = tokens.first! else { return }
        switch keyword {
        case "try":
            tries.append(Try())
            lastTryAt[indent] = tries.count - 1
            push(indent, .tryBody(tries.count - 1))
        case "except":
            guard let owner = lastTryAt[indent] else { return push(indent, .other) }
            // `except* ImportError` (3.11) names its types the same way.
            let names = tokens.dropFirst().prefix { $0 != .name("as") }.compactMap { token -> String? in
                if case .name(let name) = token { return name }
                return nil
            }
            let catches: PythonImportGuard.Catches?
            if tokens.count == 1 || names.contains(where: PythonImportReader.catchesImportError.contains) {
                catches = .importError
            } else if names.contains("ModuleNotFoundError") {
                catches = .moduleNotFound
            } else {
                catches = nil
            }
            tries[owner].handlers.append(Handler(text: Self.normalised(text), line: line, catches: catches))
            push(indent, .handler(try: owner, handler: tries[owner].handlers.count - 1))
        case "else", "finally":
            // A try's `else` and `finally` run outside its guard; an `if`'s `else` is an ordinary block.
            push(indent, .other)
        case "def":
            lastTryAt[indent] = nil
            push(indent, .function)
        case "async":
            lastTryAt[indent] = nil
            push(indent, tokens.dropFirst().first == .name("def") ? .function : .other)
        default:
            lastTryAt[indent] = nil
            push(indent, .other)
        }
    }

    private mutating func push(_ indent: Int, _ block: Block) {
        stack.append((indent, block))
    }

    private mutating func simple(_ tokens: ArraySlice<PythonToken>, text: String, line: Int) {
        guard let first = tokens.first else { return }
        if case .handler(let owner, let handler)? = stack.last?.block, tries[owner].handlers[handler].fallback == nil {
            tries[owner].handlers[handler].fallback = Self.normalised(text)
        }
        if first == .name("raise") {
            // Raising anywhere in a handler (even under an `if`) lets the failure through: that handler guards nothing.
            for entry in stack.reversed() {
                if case .function = entry.block { break }
                if case .handler(let owner, let handler) = entry.block { tries[owner].handlers[handler].raises = true }
            }
        }
        switch first {
        case .name("import"):
            for module in Self.dottedNames(tokens.dropFirst()) {
                record(PythonImport(module: module, line: line))
            }
        case .name("from"):
            var rest = tokens.dropFirst()
            var level = 0
            while let token = rest.first, token == .op(0x2E) {
                level += 1
                rest = rest.dropFirst()
            }
            var module: [String] = []
            while let token = rest.first {
                if case .name(let name) = token, name != "import" {
                    module.append(name)
                    rest = rest.dropFirst()
                    if rest.first == .op(0x2E) { rest = rest.dropFirst() }
                    continue
                }
                break
            }
            guard rest.first == .name("import") else { return }
            let names = Self.dottedNames(rest.dropFirst())
            record(PythonImport(module: module.joined(separator: "."), level: level, names: names, line: line))
        default:
            // importlib.import_module("a.b") / import_module(".b", "a") / __import__("a.b"), anywhere in the statement.
            for position in tokens.indices {
                guard case .name(let name) = tokens[position], name == "import_module" || name == "__import__",
                    position + 2 < tokens.endIndex, tokens[position + 1] == .op(0x28), case .string(let literal?) = tokens[position + 2]
                else { continue }
                var level = 0
                var module = Substring(literal)
                while module.first == "." {
                    level += 1
                    module = module.dropFirst()
                }
                if level > 0, name == "import_module", position + 4 < tokens.endIndex, tokens[position + 3] == .op(0x2C),
                    case .string(let package?) = tokens[position + 4]
                {
                    // Relative to a package named by a literal: absolute.
                    var anchor = package.split(separator: ".").map(String.init)
                    anchor.removeLast(min(anchor.count, level - 1))
                    record(PythonImport(module: (anchor + (module.isEmpty ? [] : [String(module)])).joined(separator: "."), line: line))
                } else if level == 0 {
                    record(PythonImport(module: String(module), line: line))
                }
            }
        }
    }

    /// `a.b as c, d` → `a.b`, `d`; `(a, b as c)` → `a`, `b`; `*` → `*`.
    static func dottedNames(_ tokens: ArraySlice<PythonToken>) -> [String] {
        var names: [String] = []
        var current: [String] = []
        var skipping = false
        for token in tokens {
            switch token {
            case .name("as"): skipping = true
            case .name(let name) where !skipping: current.append(name)
            case .op(0x2C):
                if !current.isEmpty { names.append(current.joined(separator: ".")) }
                current = []
                skipping = false
            case .op(0x2A): names.append("*")
            default: break
            }
        }
        if !current.isEmpty { names.append(current.joined(separator: ".")) }
        return names
    }

    private mutating func record(_ site: PythonImport) {
        // The try bodies around it, up to the nearest function definition (a class body runs where it stands).
        var around: [Int] = []
        var inFunction = false
        for entry in stack.reversed() {
            if case .function = entry.block {
                inFunction = true
                break
            }
            if case .tryBody(let owner) = entry.block { around.append(owner) }
        }
        if !inFunction { inFunction = stack.contains { if case .function = $0.block { true } else { false } } }
        sites.append((site, around, inFunction))
    }

    func finished() -> [PythonImport] {
        sites.map { site, around, inFunction in
            // The innermost try whose handler lets a failed import through without raising; one that catches
            // ImportError is preferred to one that catches only ModuleNotFoundError.
            var chosen: Handler?
            for owner in around {
                for handler in tries[owner].handlers where handler.catches != nil && !handler.raises {
                    if chosen == nil || (chosen?.catches == .moduleNotFound && handler.catches == .importError) { chosen = handler }
                }
                if chosen?.catches == .importError { break }
            }
            return PythonImport(
                module: site.module, level: site.level, names: site.names, line: site.line,
                guardedBy: chosen.map {
                    PythonImportGuard(handler: $0.text, line: $0.line, fallback: $0.fallback ?? "pass", catches: $0.catches ?? .importError)
                },
                inFunction: inFunction)
        }
    }

    static func text(_ source: [UInt8], from start: Int, to end: Int) -> String {
        guard start < end, end <= source.count else { return "" }
        return String(decoding: source[start..<end], as: UTF8.self)
    }

    /// Runs of white space as one space, at most 120 characters.
    static func normalised(_ text: String) -> String {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\\" })
        let joined = words.joined(separator: " ")
        return joined.count > 120 ? String(joined.prefix(117)) + "…" : joined
    }
}
