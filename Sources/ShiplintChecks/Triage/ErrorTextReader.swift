import FoundationEssentials
import ShiplintFacts

/// What `ErrorTextReader` found in an error text or log.
public struct ErrorTextReading: Sendable {
    /// Every signal with the number of log events that gave it, in the order first seen.
    public let occurrences: [(signal: ErrorSignal, count: Int)]
    /// Every place the text names (paths, sonames, version nodes, npm packages, architectures), in the order first
    /// seen, whether or not a signal was recognised around it.
    public let locations: [ErrorLocation]
    /// Function names of the log groups the text names (`/aws/lambda/NAME`), in order, at most 100.
    public let logGroups: [String]
    /// The first `ErrorTextReader.excerptBytes` of the text (for a report that echoes it).
    public let excerpt: String
    /// The whole text's size and number of lines.
    public let bytes: Int
    public let lines: Int
    /// True when the text holds nothing but white space.
    public let isBlank: Bool
    /// What the reading limited, each in one sentence (empty when it read everything whole).
    public let limits: [String]

    public var excerptIsWhole: Bool { excerpt.utf8.count == bytes }
}

/// Reads an error text — one line, a pasted CloudWatch log, a whole exported log of any size — as a stream, in a
/// time linear in its size and a memory bounded whatever its size:
/// - lines are read one block at a time; only the bytes of the line being read are held, and a line longer than
///   `maximumLineBytes` is read in pieces of that size (said in `limits`);
/// - each block is searched once for every phrase explain knows (case aside), and only the lines that hold one are
///   read further (JSON log records decoded, each phrase matched in time linear in the line: `LineScan`);
/// - at most `maximumSignals` different signals are kept, each text inside one cut to `maximumSignalTextBytes`
///   (both said); a repeated signal is counted, not kept again.
/// So reading n bytes costs O(n) (times the number of phrases, a constant), and memory stays under a few times
/// `maximumLineBytes`.
public struct ErrorTextReader {
    public static let maximumLineBytes = 16 << 20
    /// JSON log records longer than this are read as plain text (their phrases are still found).
    public static let maximumJSONLineBytes = 1 << 20
    public static let excerptBytes = 64 << 10
    public static let maximumSignals = 1000
    public static let maximumSignalTextBytes = 4096
    static let maximumLogGroups = 100

    static let automaton = PhraseAutomaton(signals: phrases, nodeABI: nodeABIPhrase, logGroup: logGroupPrefix, locations: locationPhrases)
    /// Phrases (lower case) whose presence makes a line worth reading; every pattern of `ErrorText` needs one.
    static let phrases = [
        "no module named", "cannot import name", "not found", "cannot open shared object file", "invalid elf header",
        "wrong elf class", "undefined symbol", "cannot enable executable stack", "cannot find module", "cannot find package",
        "could not load the", "package instead", "could not be found, and is needed by", "exec format error", "enoexec",
        "query engine", "eacces", "permission denied", "elf load command", "runtime.invalidentrypoint", "fork/exec ",
        "cannot execute binary file", "cannot load such file", "incompatible library version", "java.library.path",
        "no native resource found", "no native library", "unable to load shared library", "couldn't find valid bootstrap",
        "possible cause: can't load ", "dynamic module does not define", "couldn't find a valid icu package",
        "no native build was found for ", "error importing numpy: ", "unable to import module ",
    ].map { Array($0.utf8) }
    /// Phrases (lower case) of a line that may name a place without a message explain knows: its locations are read.
    static let locationPhrases = [
        LambdaFileSystem.taskRoot + "/", LambdaFileSystem.layerRoot + "/", LambdaFileSystem.runtimeRoot + "/", "/tmp/", ".so", ".node", ".pyd", ".dll", ".dylib", ".bundle", ".jar",
        "glibc", "error", "exception", "failed", "fatal", "@img/", "@esbuild/", "@rollup/",
    ].map { Array($0.utf8) }
    /// At most this many different locations are kept (said when more were named).
    public static let maximumLocations = 200
    /// Node's ABI message spans lines: the line with this phrase, two before and four after, read together.
    static let nodeABIPhrase = Array("was compiled against a different node.js version".utf8)
    static let logGroupPrefix = Array("/aws/lambda/".utf8)

    /// The patterns a hit line is read with, compiled for this reader (`Regex` is not `Sendable`, so not shared).
    private let patterns = ErrorPatterns()
    private var pending: [UInt8] = []
    private var counts: [ErrorSignal: Int] = [:]
    private var order: [ErrorSignal] = []
    private var excerpt: [UInt8] = []
    private var bytes = 0
    private var lineNumber = 0
    private var linesCut = 0
    private var firstCutLine = 0
    private var cuttingLine = false
    private var signalsLeftOut = 0
    private var textsCut = 0
    private var blank = true
    private var logGroups: [String] = []
    /// The two lines before the current block (for a Node ABI message that starts there), clipped.
    private var previousLines: [String] = []
    private var nodeABIWindow: [String]?
    private var nodeABILinesToCome = 0
    private var nodeABI: ErrorSignal?
    private var locations: [ErrorLocation] = []
    private var knownLocations = Set<ErrorLocation>()
    private var locationsLeftOut = 0

    public init() {}

    /// Reads the next bytes of the text (any split: a line may continue in the next call).
    public mutating func consume(_ chunk: [UInt8]) {
        bytes += chunk.count
        if excerpt.count < Self.excerptBytes { excerpt += chunk.prefix(Self.excerptBytes - excerpt.count) }
        if blank, chunk.contains(where: { !($0 == 0x20 || ($0 >= 0x09 && $0 <= 0x0D)) }) { blank = false }
        pending += chunk
        if let lastBreak = pending.lastIndex(of: UInt8(ascii: "\n")) {
            block(pending[...lastBreak])
            pending.removeFirst(lastBreak + 1)
            cuttingLine = false
        }
        // A line longer than maximumLineBytes: read in pieces (each read as a line, counted as part of one).
        while pending.count > Self.maximumLineBytes {
            if !cuttingLine {
                linesCut += 1
                if firstCutLine == 0 { firstCutLine = lineNumber + 1 }
                cuttingLine = true
            }
            block(pending[..<Self.maximumLineBytes] + [UInt8(ascii: "\n")])
            lineNumber -= 1
            pending.removeFirst(Self.maximumLineBytes)
        }
    }

    public mutating func finish() -> ErrorTextReading {
        if !pending.isEmpty {
            block(pending[...] + [UInt8(ascii: "\n")])
            pending = []
        }
        if nodeABIWindow != nil { closeNodeABIWindow() }
        var occurrences = order.map { (signal: $0, count: counts[$0]!) }
        if let nodeABI { occurrences.append((nodeABI, 1)) }
        var limits: [String] = []
        if linesCut > 0 {
            limits.append("\(linesCut) \(linesCut == 1 ? "line is" : "lines are") longer than \(Self.maximumLineBytes >> 20) MiB (the first is line \(firstCutLine)): read in pieces of \(Self.maximumLineBytes >> 20) MiB, so an error message cut at a piece's edge is not recognised")
        }
        if signalsLeftOut > 0 {
            limits.append("more than \(Self.maximumSignals) different errors: the first \(Self.maximumSignals) are explained, \(signalsLeftOut) later \(signalsLeftOut == 1 ? "event" : "events") of other errors are not")
        }
        if locationsLeftOut > 0 {
            limits.append("more than \(Self.maximumLocations) different places (paths, libraries, versions) named: the first \(Self.maximumLocations) are looked up, \(locationsLeftOut) more are not")
        }
        if textsCut > 0 {
            limits.append("\(textsCut) \(textsCut == 1 ? "text" : "texts") inside an error (a path, a name, a message) longer than \(Self.maximumSignalTextBytes) bytes \(textsCut == 1 ? "was" : "were") cut to \(Self.maximumSignalTextBytes) bytes")
        }
        return ErrorTextReading(
            occurrences: occurrences, locations: locations, logGroups: logGroups, excerpt: String(decoding: excerpt, as: UTF8.self), bytes: bytes,
            lines: lineNumber, isBlank: blank, limits: limits)
    }

    /// Complete lines, each ending with `\n`: one pass finds the line breaks and every phrase (`PhraseAutomaton`);
    /// only the lines with a phrase are read further.
    private mutating func block(_ text: ArraySlice<UInt8>) {
        let data = Array(text)
        var starts: [Int] = [0]
        var hits: [Int] = []
        var locationLines: [Int] = []
        var nodeABILines: [Int] = []
        var groups: [Int] = []
        let automaton = Self.automaton
        let lookForNodeABI = nodeABI == nil
        data.withUnsafeBufferPointer { bytes in
            automaton.table.withUnsafeBufferPointer { table in
                automaton.accepts.withUnsafeBufferPointer { accepts in
                    var state = 0
                    var line = 0
                    for offset in 0..<bytes.count {
                        let byte = bytes[offset]
                        if byte == 0x0A {
                            line += 1
                            if offset + 1 < bytes.count { starts.append(offset + 1) }
                        }
                        state = Int(table[state << 8 | Int(byte)])
                        let found = accepts[state]
                        guard found != 0 else { continue }
                        if found & PhraseAutomaton.signalPhrases != 0, hits.last != line { hits.append(line) }
                        if found & (PhraseAutomaton.signalPhrases | PhraseAutomaton.locationPhrases) != 0, locationLines.last != line {
                            locationLines.append(line)
                        }
                        if found & PhraseAutomaton.nodeABIPhrase != 0, lookForNodeABI, nodeABILines.last != line { nodeABILines.append(line) }
                        if found & PhraseAutomaton.logGroupPhrase != 0 { groups.append(offset + 1) }
                    }
                }
            }
        }
        lineNumber += starts.count
        func line(_ index: Int) -> ArraySlice<UInt8> {
            let end = index + 1 < starts.count ? starts[index + 1] - 1 : data.count - 1
            return data[starts[index]..<end]
        }
        // `/aws/lambda/NAME`, written exactly so.
        for after in groups where logGroups.count < Self.maximumLogGroups {
            let start = after - Self.logGroupPrefix.count
            guard start >= 0, data[start..<after].elementsEqual(Self.logGroupPrefix) else { continue }
            var end = after
            while end < data.count, Self.isFunctionNameByte(data[end]) { end += 1 }
            let name = String(decoding: data[after..<end], as: UTF8.self)
            if !name.isEmpty, !logGroups.contains(name) { logGroups.append(name) }
        }
        // A Node ABI message still collecting the lines after it.
        if nodeABIWindow != nil {
            var index = 0
            while nodeABILinesToCome > 0, index < starts.count {
                nodeABIWindow!.append(Self.clipped(line(index)))
                nodeABILinesToCome -= 1
                index += 1
            }
            if nodeABILinesToCome == 0 { closeNodeABIWindow() }
        }
        // Signals from the lines with a phrase explain knows; places from those and from every line that may name one.
        var nextHit = 0
        for index in locationLines {
            let isHit = nextHit < hits.count && hits[nextHit] == index
            if isHit { nextHit += 1 }
            let text = String(decoding: line(index), as: UTF8.self)
            for plain in ErrorText.lines(of: text) {
                if isHit { for signal in patterns.signals(inLine: plain) { record(signal) } }
                for location in LocationScan.locations(in: plain) { record(location) }
            }
        }
        // Each line with Node's ABI phrase, until one window holds the whole message.
        for first in nodeABILines where nodeABI == nil && nodeABIWindow == nil {
            let before = (max(0, first - 2)..<first).map { Self.clipped(line($0)) }
            nodeABIWindow = (first < 2 ? Array(previousLines.suffix(2 - first)) : []) + before + [Self.clipped(line(first))]
            nodeABILinesToCome = 4
            var index = first + 1
            while nodeABILinesToCome > 0, index < starts.count {
                nodeABIWindow!.append(Self.clipped(line(index)))
                nodeABILinesToCome -= 1
                index += 1
            }
            if nodeABILinesToCome == 0 { closeNodeABIWindow() }
        }
        previousLines = (previousLines + (max(0, starts.count - 2)..<starts.count).map { Self.clipped(line($0)) }).suffix(2)
    }

    private mutating func closeNodeABIWindow() {
        guard let window = nodeABIWindow else { return }
        nodeABIWindow = nil
        let joined = window.flatMap { ErrorText.lines(of: $0) }.joined(separator: " ")
        // The phrase as Node writes it, in what the log's lines say (a JSON record's error fields, not its other keys).
        guard joined.contains("was compiled against a different Node.js version") else { return }
        nodeABI = clip(patterns.nodeABI(in: joined))
    }

    private mutating func record(_ found: ErrorSignal) {
        let signal = clip(found)
        if let count = counts[signal] {
            counts[signal] = count + 1
        } else if order.count < Self.maximumSignals {
            counts[signal] = 1
            order.append(signal)
        } else {
            signalsLeftOut += 1
        }
    }

    private mutating func record(_ location: ErrorLocation) {
        guard !knownLocations.contains(location) else { return }
        guard locations.count < Self.maximumLocations else {
            locationsLeftOut += 1
            return
        }
        knownLocations.insert(location)
        locations.append(location)
    }

    /// Lambda function names: letters, digits, `-` and `_`.
    static func isFunctionNameByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
    }

    /// A line kept for the Node ABI window: its first 64 KiB (the message's lines are short).
    static func clipped(_ line: ArraySlice<UInt8>) -> String {
        String(decoding: line.prefix(64 << 10), as: UTF8.self)
    }

    /// The signal with every text in it cut to `maximumSignalTextBytes` (counted in `textsCut`).
    private mutating func clip(_ signal: ErrorSignal) -> ErrorSignal {
        func cut(_ text: String) -> String {
            guard text.utf8.count > Self.maximumSignalTextBytes else { return text }
            textsCut += 1
            return String(decoding: text.utf8.prefix(Self.maximumSignalTextBytes), as: UTF8.self) + "…"
        }
        func cut(_ text: String?) -> String? { text.map { cut($0) } }
        switch signal {
        case .missingModule(let module): return .missingModule(cut(module))
        case .unplacedModule(let module): return .unplacedModule(cut(module))
        case .missingLibrary(let soname, let requiredBy): return .missingLibrary(soname: cut(soname), requiredBy: cut(requiredBy))
        case .unloadableFile(let path): return .unloadableFile(path: cut(path))
        case .permissionDenied(let path): return .permissionDenied(path: cut(path))
        case .misalignedELF(let path): return .misalignedELF(path: cut(path))
        case .missingVersion(let version, let library, let requiredBy):
            return .missingVersion(version: cut(version), library: cut(library), requiredBy: cut(requiredBy))
        case .invalidELFHeader(let path): return .invalidELFHeader(path: cut(path))
        case .wrongELFClass(let path, let elfClass): return .wrongELFClass(path: cut(path), elfClass: cut(elfClass))
        case .undefinedSymbol(let symbol, let path): return .undefinedSymbol(symbol: cut(symbol), path: cut(path))
        case .executableStack(let path): return .executableStack(path: cut(path))
        case .nodeABI(let path, let built, let running): return .nodeABI(path: cut(path), built: built, running: running)
        case .invalidEntrypoint(let detail): return .invalidEntrypoint(detail: cut(detail))
        case .missingNodePackage(let name): return .missingNodePackage(cut(name))
        case .prismaEngine(let platform): return .prismaEngine(platform: cut(platform))
        case .execFailed(let path, let reason): return .execFailed(path: cut(path), reason: cut(reason))
        case .missingNodeAddon(let name): return .missingNodeAddon(cut(name))
        case .rubyLoad(let feature): return .rubyLoad(feature: cut(feature))
        case .javaNative(let library, let resource, let platform):
            return .javaNative(library: cut(library), resource: cut(resource), platform: cut(platform))
        case .dotnetNative(let library): return .dotnetNative(library: cut(library))
        case .noNativeBuild(let platform): return .noNativeBuild(platform: cut(platform))
        case .packageMessage(let message): return .packageMessage(cut(message))
        case .locations(let locations): return .locations(locations)
        }
    }
}

/// Finds a fixed set of phrases, ASCII case aside, in one pass over the bytes (Aho–Corasick): the state after each
/// byte says which phrases end there. Building it is done once; reading costs one table step per byte.
struct PhraseAutomaton: Sendable {
    static let signalPhrases: UInt32 = 1
    static let nodeABIPhrase: UInt32 = 2
    static let logGroupPhrase: UInt32 = 4
    static let locationPhrases: UInt32 = 8

    /// `state << 8 | byte` → next state.
    let table: [UInt16]
    /// What ends in each state (the kinds above, as bits).
    let accepts: [UInt32]

    init(signals: [[UInt8]], nodeABI: [UInt8], logGroup: [UInt8], locations: [[UInt8]] = []) {
        let phrases = signals.map { ($0, Self.signalPhrases) } + [(nodeABI, Self.nodeABIPhrase), (logGroup, Self.logGroupPhrase)]
            + locations.map { ($0, Self.locationPhrases) }
        func fold(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }
        // The trie, then failure links breadth first, then every transition filled in.
        var children: [[UInt8: Int]] = [[:]]
        var accepts: [UInt32] = [0]
        for (phrase, kind) in phrases {
            var state = 0
            for byte in phrase.map(fold) {
                if let next = children[state][byte] {
                    state = next
                } else {
                    children.append([:])
                    accepts.append(0)
                    children[state][byte] = children.count - 1
                    state = children.count - 1
                }
            }
            accepts[state] |= kind
        }
        precondition(children.count < Int(UInt16.max), "too many phrases for the automaton")
        var table = [UInt16](repeating: 0, count: children.count << 8)
        var failure = [Int](repeating: 0, count: children.count)
        var queue: [Int] = []
        for byte in 0...255 {
            guard let child = children[0][fold(UInt8(byte))] else { continue }
            table[byte] = UInt16(child)
            if byte == Int(fold(UInt8(byte))) { queue.append(child) }
        }
        // Breadth first: a state's failure state is shallower, so its row and its accepts are complete.
        var head = 0
        while head < queue.count {
            let state = queue[head]
            head += 1
            accepts[state] |= accepts[failure[state]]
            for byte in 0...255 {
                let folded = fold(UInt8(byte))
                if let child = children[state][folded] {
                    table[state << 8 | byte] = UInt16(child)
                    if byte == Int(folded) {
                        failure[child] = Int(table[failure[state] << 8 | byte])
                        queue.append(child)
                    }
                } else {
                    table[state << 8 | byte] = table[failure[state] << 8 | byte]
                }
            }
        }
        self.table = table
        self.accepts = accepts
    }
}
