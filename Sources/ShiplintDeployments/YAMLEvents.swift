import CLibyaml

/// YAML text read through libyaml's event API (`yaml_parser_parse`) straight into `DescriptorValue`s: one pass, no
/// node tree in between, and no Foundation (the release links FoundationEssentials' parts only where it can).
///
/// What it keeps of a YAML document is what descriptors need: scalars as text, plain `~`/`null` as null, sequences,
/// mappings with text keys, CloudFormation's short-form tags in long form (`DescriptorText.longForm`), anchors and
/// aliases. An alias reuses the anchored value (copy on write) and costs its expanded size in the value budget, so
/// an alias bomb is refused before it is expanded; depth counts the anchored value's height at the alias's depth.
/// Errors say what libyaml says, with the line and column (`L:C: error: parser: …`) and the line quoted.
struct YAMLEvents {
    /// A finished value: its size once aliases are expanded, and its height (0 for a scalar).
    struct Built {
        var value: DescriptorValue
        var count: Int
        var height: Int
        var line: Int
        var isText: Bool
        var text: String?
        /// For a mapping: the 1-based line of each key.
        var keyLines: [String: Int]?
    }

    /// A sequence or mapping being read.
    struct Frame {
        var isMapping: Bool
        var tag: String?
        var anchor: String?
        var line: Int
        var items: [DescriptorValue] = []
        var fields: [String: DescriptorValue] = [:]
        var keyLines: [String: Int] = [:]
        /// The key read, waiting for its value.
        var key: (name: String, line: Int)?
        var count = 1
        var height = 0
    }

    let text: String
    let file: String
    let maximumNodes: Int
    let maximumDepth: Int
    private var budget: Int
    private var anchors: [String: Built] = [:]
    private var stack: [Frame] = []
    private var root: Built?
    private var rootResources: [String: Int] = [:]

    init(text: String, file: String, maximumNodes: Int, maximumDepth: Int) {
        self.text = text
        self.file = file
        self.maximumNodes = maximumNodes
        self.maximumDepth = maximumDepth
        self.budget = maximumNodes
    }

    /// The document's value (nil for an empty stream) and the line of each key of the top-level mapping's
    /// `Resources` mapping.
    mutating func read() throws(DescriptorError) -> (value: DescriptorValue?, resourceLines: [String: Int]) {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { throw error("libyaml could not start (out of memory)") }
        defer { yaml_parser_delete(&parser) }
        yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
        var bytes = Array(text.utf8)
        if bytes.isEmpty { bytes = [0] }  // a valid pointer for an empty input; the length below is 0
        let length = text.utf8.count
        var documents = 0
        return try bytes.withUnsafeBufferPointer { (buffer) throws(DescriptorError) -> (value: DescriptorValue?, resourceLines: [String: Int]) in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, length)
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else { throw parserError(parser) }
                defer { yaml_event_delete(&event) }
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return (root?.value, rootResources)
                case YAML_DOCUMENT_START_EVENT:
                    documents += 1
                    if documents > 1 {
                        throw composerError("expected a single document in the stream in line 1, column 1\nbut found another document", mark: event.start_mark)
                    }
                case YAML_ALIAS_EVENT:
                    let name = Self.string(event.data.alias.anchor)
                    guard let anchored = anchors[name] else { throw composerError("found undefined alias", mark: event.start_mark) }
                    if !isKeyPosition { try spend(anchored.count, height: anchored.height) }
                    try add(anchored, mark: event.start_mark)
                case YAML_SCALAR_EVENT:
                    let scalar = event.data.scalar
                    let value = scalar.value.map { String(decoding: UnsafeBufferPointer(start: $0, count: scalar.length), as: UTF8.self) } ?? ""
                    let tag = scalar.tag.map { Self.string($0) }
                    let isNull = scalar.style == YAML_PLAIN_SCALAR_STYLE && ["", "~", "null", "Null", "NULL"].contains(value)
                        && !(tag ?? "").hasPrefix("!")
                    if !isKeyPosition { try spend(1, height: 0) }
                    let built = Built(value: DescriptorText.longForm(tag: tag ?? "", isNull ? .null : .scalar(value)), count: 1, height: 0,
                                      line: Int(event.start_mark.line) + 1, isText: true, text: value)
                    if let anchor = scalar.anchor { anchors[Self.string(anchor)] = built }
                    try add(built, mark: event.start_mark)
                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    let isMapping = event.type == YAML_MAPPING_START_EVENT
                    if isKeyPosition {
                        throw error("a mapping key that is not text at line \(Int(event.start_mark.line) + 1)")
                    }
                    try spend(1, height: 0)  // the collection itself; its items are counted as they come
                    let anchor = isMapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor
                    let tag = isMapping ? event.data.mapping_start.tag : event.data.sequence_start.tag
                    stack.append(Frame(isMapping: isMapping, tag: tag.map { Self.string($0) }, anchor: anchor.map { Self.string($0) },
                                       line: Int(event.start_mark.line) + 1))
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    let frame = stack.removeLast()
                    let plain: DescriptorValue = frame.isMapping ? .object(frame.fields) : .array(frame.items)
                    var built = Built(value: DescriptorText.longForm(tag: frame.tag ?? "", plain), count: frame.count,
                                      height: frame.height, line: frame.line, isText: false, text: nil)
                    if frame.isMapping { built.keyLines = frame.keyLines }
                    if let anchor = frame.anchor { anchors[anchor] = built }
                    try add(built, mark: event.start_mark)
                default:
                    break  // stream start, document end
                }
            }
        }
    }

    /// Whether the next node is a mapping's key.
    private var isKeyPosition: Bool {
        guard let top = stack.last else { return false }
        return top.isMapping && top.key == nil
    }

    /// Counts `count` values at the current depth and checks the budget and the depth (`height` below it).
    private mutating func spend(_ count: Int, height: Int) throws(DescriptorError) {
        budget -= count
        if budget < 0 {
            throw DescriptorError(file: file, message: "more than \(maximumNodes) values once YAML aliases are expanded (an alias bomb?); not read")
        }
        if stack.count + height > maximumDepth {
            throw DescriptorError(file: file, message: "nested more than \(maximumDepth) levels deep; not read")
        }
    }

    /// Puts a finished value where it belongs: the document's root, a sequence's item, a mapping's key or value
    /// (its values were counted in the budget as they were read).
    private mutating func add(_ built: Built, mark: yaml_mark_t) throws(DescriptorError) {
        guard !stack.isEmpty else {
            root = built
            return
        }
        var top = stack.removeLast()
        defer { stack.append(top) }
        if top.isMapping, top.key == nil {
            guard built.isText, let name = built.text else {
                throw error("a mapping key that is not text at line \(built.line)")
            }
            guard top.fields[name] == nil else {
                throw composerError("found duplicate key '\(name)'", mark: mark)
            }
            top.key = (name, built.line)
            return
        }
        top.count += built.count
        top.height = max(top.height, built.height + 1)
        if top.isMapping, let key = top.key {
            top.fields[key.name] = built.value
            top.keyLines[key.name] = key.line
            if stack.isEmpty, key.name == "Resources", let lines = built.keyLines { rootResources = lines }
            top.key = nil
        } else {
            top.items.append(built.value)
        }
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>) -> String {
        String(cString: pointer)
    }

    private func error(_ message: String) -> DescriptorError {
        DescriptorError(file: file, message: message)
    }

    /// libyaml's error as `not valid YAML: L:C: error: KIND: CONTEXT PROBLEM:`, the line, a caret under the column.
    private func parserError(_ parser: yaml_parser_t) -> DescriptorError {
        let problem = parser.problem.map { String(cString: $0) } ?? "unknown error"
        let context = parser.context.map { "\(String(cString: $0)) in line \(parser.context_mark.line + 1), column \(parser.context_mark.column + 1)\n" } ?? ""
        switch parser.error {
        case YAML_MEMORY_ERROR:
            return error("not valid YAML: libyaml ran out of memory")
        case YAML_READER_ERROR:
            // The offset is in bytes; where it falls inside a character, there is no line to show.
            guard let index = text.utf8.index(text.utf8.startIndex, offsetBy: parser.problem_offset, limitedBy: text.utf8.endIndex)?
                .samePosition(in: text), index < text.endIndex
            else {
                return error("not valid YAML: \(problem) at byte offset \(parser.problem_offset), value: \(parser.problem_value)")
            }
            let lines = Self.lines(text)
            let number = lines.lastIndex { $0.lowerBound <= index } ?? 0
            let column = text.utf16.distance(from: lines[number].lowerBound, to: index)
            return invalid("\(number + 1):\(column + 1): error: reader: \(problem):\n", line: String(text[lines[number]]), caret: column)
        case YAML_SCANNER_ERROR:
            return invalid(kind: "scanner", context: context, problem: problem, mark: parser.problem_mark)
        default:
            return invalid(kind: "parser", context: context, problem: problem, mark: parser.problem_mark)
        }
    }

    private func composerError(_ problem: String, mark: yaml_mark_t) -> DescriptorError {
        invalid(kind: "composer", context: "", problem: problem, mark: mark)
    }

    /// `L:C: error: KIND: CONTEXT PROBLEM:`, then the line (the last one when the mark is past the end, as at an
    /// unexpected end of stream) and a caret under the column (libyaml counts columns in Unicode scalars).
    private func invalid(kind: String, context: String, problem: String, mark: yaml_mark_t) -> DescriptorError {
        let lines = Self.lines(text)
        let line = lines.isEmpty ? "" : String(text[lines[min(Int(mark.line), lines.count - 1)]])
        let caret = String(String.UnicodeScalarView(line.unicodeScalars.prefix(Int(mark.column)))).utf16.count
        return invalid("\(mark.line + 1):\(mark.column + 1): error: \(kind): \(context)\(problem):\n", line: line, caret: caret)
    }

    private func invalid(_ heading: String, line: String, caret: Int) -> DescriptorError {
        let ended = line.unicodeScalars.last.map(Self.isLineBreak) == true ? line : line + "\n"
        let message = heading + ended + String(repeating: " ", count: caret) + "^"
        return error("not valid YAML: \(DescriptorText.clipped(message))")
    }

    /// The lines of `text`, each with its line break: LF, CR, CR LF, NEL, LS or PS, the breaks libyaml counts.
    static func lines(_ text: String) -> [Range<String.Index>] {
        var lines: [Range<String.Index>] = []
        let scalars = text.unicodeScalars
        var start = scalars.startIndex
        var index = start
        while index < scalars.endIndex {
            let scalar = scalars[index]
            index = scalars.index(after: index)
            guard ["\n", "\r", "\u{85}", "\u{2028}", "\u{2029}"].contains(scalar) else { continue }
            if scalar == "\r", index < scalars.endIndex, scalars[index] == "\n" { index = scalars.index(after: index) }
            lines.append(start..<index)
            start = index
        }
        if start < scalars.endIndex { lines.append(start..<scalars.endIndex) }
        return lines
    }

    /// Whether a line already ends with a line break (Foundation's `newlines`), or needs one before the caret.
    static func isLineBreak(_ scalar: Unicode.Scalar) -> Bool {
        ["\n", "\r", "\u{85}", "\u{2028}", "\u{2029}", "\u{0B}", "\u{0C}"].contains(scalar)
    }
}
