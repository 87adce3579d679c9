import FoundationEssentials
import ShiplintFacts

/// What a runtime error text says went wrong, parsed from the texts Lambda, CPython, glibc's loader and Node print.
public enum ErrorSignal: Sendable, Hashable {
    /// `No module named 'pydantic_core._pydantic_core'`, `cannot import name '_imaging' from 'PIL'`.
    case missingModule(String)
    /// A module the text names without its package: `cannot import name '_imaging'` (CPython before 3.7), `dynamic
    /// module does not define module export function (PyInit_multiarray)` (an extension CPython found but cannot
    /// initialise: a Python 2 build). Explained by the files of that name anywhere on the module path.
    case unplacedModule(String)
    /// `libGL.so.1: cannot open shared object file`; `requiredBy` when the text names the binary.
    case missingLibrary(soname: String, requiredBy: String?)
    /// `/opt/nodejs/…/faiss-node.node: cannot open shared object file`: a full path is the file itself, present but
    /// not loadable (another CPU, not ELF), or absent at that path.
    case unloadableFile(path: String)
    /// `[Errno 13] Permission denied: '/var/task/app.py'`, `EACCES: permission denied, open '/var/task/index.js'`.
    case permissionDenied(path: String)
    /// `ELF load command address/offset not properly aligned`: a stripped or damaged file.
    case misalignedELF(path: String?)
    /// `version 'GLIBC_2.28' not found (required by /var/task/…)`.
    case missingVersion(version: String, library: String?, requiredBy: String?)
    /// `…/x.so: invalid ELF header` (a Windows or macOS file, or not a binary at all).
    case invalidELFHeader(path: String)
    /// `…/x.so: wrong ELF class: ELFCLASS32`.
    case wrongELFClass(path: String?, elfClass: String)
    /// `…/x.so: undefined symbol: PyFoo`.
    case undefinedSymbol(symbol: String, path: String?)
    /// `cannot enable executable stack as shared object requires`.
    case executableStack(path: String?)
    /// Node: `… was compiled against a different Node.js version using NODE_MODULE_VERSION 108`.
    case nodeABI(path: String?, built: Int?, running: Int?)
    /// `Runtime.InvalidEntrypoint`, `exec format error` (a provided runtime's `bootstrap`).
    case invalidEntrypoint(detail: String)
    /// Node: `Cannot find module '@img/sharp-linux-x64'`, `Cannot find package 'uuid'` (the npm package's name).
    case missingNodePackage(String)
    /// Prisma: `Query engine library for current platform "rhel-openssl-3.0.x" could not be found`.
    case prismaEngine(platform: String)
    /// A program the runtime or the code starts, refused by the kernel: `fork/exec /opt/extensions/agent: exec format
    /// error`, `fork/exec /var/task/bootstrap: no such file or directory` (a script whose interpreter is not there),
    /// bash's `/var/task/bin/x: cannot execute binary file`. `reason` as the text gives it.
    case execFailed(path: String, reason: String)
    /// Node: `Cannot find module './sharp-linux-x64.node'` (a native addon required by a relative path: a bundler
    /// that moved the JavaScript but not the addon, or an addon built for another platform under another name).
    case missingNodeAddon(String)
    /// Ruby: `cannot load such file -- nokogiri/nokogiri` (the feature as `require` names it).
    case rubyLoad(feature: String)
    /// Java: `no sqlitejdbc in java.library.path` (`library`), `No native resource found at /linux-aarch_64/libh3-java.so`
    /// (`resource`, inside a JAR), `No native library is found for os.name=Linux and os.arch=aarch64` (`platform`).
    case javaNative(library: String?, resource: String?, platform: String?)
    /// .NET: `Unable to load shared library 'DlibDotNetNativeDnn' or one of its dependencies`.
    case dotnetNative(library: String)
    /// node-gyp-build's `No native build was found for platform=linux arch=x64 …`: no addon for this platform in the
    /// folder it was asked to load from (a package's, or the folder of a bundle that swallowed the package).
    case noNativeBuild(platform: String)
    /// A package's own words for an import that failed inside it, after Lambda's `Unable to import module 'X': `
    /// (`IfcOpenShell not built for 'linux/64bit/python3.9'`, raised from an `except ImportError` around its compiled
    /// module): the loader's message is hidden, the packages the words name are where to look.
    case packageMessage(String)
    /// No family matched, but the text names places (paths, libraries, version nodes): explained by what the
    /// artifact has there.
    case locations([ErrorLocation])

    /// A short name for reports and JSON (`missing-module`, `missing-library`, …).
    public var kind: String {
        switch self {
        case .missingModule: "missing-module"
        case .unplacedModule: "unplaced-module"
        case .missingLibrary: "missing-library"
        case .unloadableFile: "unloadable-file"
        case .permissionDenied: "permission-denied"
        case .misalignedELF: "misaligned-elf"
        case .missingVersion: "missing-version"
        case .invalidELFHeader: "invalid-elf-header"
        case .wrongELFClass: "wrong-elf-class"
        case .undefinedSymbol: "undefined-symbol"
        case .executableStack: "executable-stack"
        case .nodeABI: "node-abi"
        case .invalidEntrypoint: "invalid-entrypoint"
        case .missingNodePackage: "missing-node-package"
        case .prismaEngine: "prisma-engine"
        case .execFailed: "exec-failed"
        case .missingNodeAddon: "missing-node-addon"
        case .rubyLoad: "ruby-load"
        case .javaNative: "java-native"
        case .dotnetNative: "dotnet-native"
        case .noNativeBuild: "no-native-build"
        case .packageMessage: "package-message"
        case .locations: "named-locations"
        }
    }
}

public enum ErrorText {
    /// Every signal in `text`, in order, without repeats. The text may be one line, a pasted CloudWatch log, or JSON
    /// log lines (`{"errorMessage": …, "errorType": …}`), whose string fields are read as text.
    public static func signals(in text: String) -> [ErrorSignal] {
        occurrences(in: text).map(\.signal)
    }

    /// Every signal in `text` with the number of log events that gave it (a failure repeated on every invocation,
    /// or printed by CPython and by Lambda's log line, is one signal). Read as `ErrorTextReader` reads a stream.
    public static func occurrences(in text: String) -> [(signal: ErrorSignal, count: Int)] {
        var reader = ErrorTextReader()
        reader.consume(Array(text.utf8))
        return reader.finish().occurrences
    }

    /// Lines of plain text, with JSON log lines replaced by their string values (errorType first, then errorMessage).
    /// A line over `ErrorTextReader.maximumJSONLineBytes` is read as plain text (its JSON is not parsed).
    static func lines(of text: String) -> [String] {
        LineScan.splitLines(text).flatMap { line -> [String] in
            guard line.utf8.count <= ErrorTextReader.maximumJSONLineBytes, let start = line.firstIndex(of: "{"),
                let data = String(line[start...]).data(using: .utf8),
                let object = JSONText.foundationObject(bytes: data)
            else {
                // A message copied out of a JSON log line keeps its escapes: a literal \n is a line break there, and
                // .NET's JSON console writes quotes and angle brackets as \u0027, \u0022, \u003E.
                let unescaped = line.contains("\\u") ? unicodeEscapesDecoded(line) : line
                return LineScan.splitLines(unescaped.replacingText("\\n", with: "\n").replacingText("\\\"", with: "\""))
            }
            let strings = logStrings(of: object, depth: 0)
            return strings.isEmpty ? [line] : strings.flatMap(LineScan.splitLines)
        }
    }

    /// The error strings of one JSON log record: errorType, errorMessage, message, msg, then the stack trace. Lambda's
    /// JSON log format nests the error record under `message` (`{"level":"ERROR","message":{"errorType":…}}`), and a
    /// `message` can itself be a JSON log line as a string: both are read, a few levels deep.
    private static func logStrings(of object: [String: Any], depth: Int) -> [String] {
        var strings: [String] = []
        // .NET's JSON console logger (ILogger) writes `Message` and `Exception`, capitalised.
        for key in ["errorType", "errorMessage", "message", "Message", "msg", "error", "Exception"] {
            if let value = object[key] as? String {
                if depth < 3, value.hasPrefix("{"), let data = value.data(using: .utf8),
                    let inner = JSONText.foundationObject(bytes: data)
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

    /// `\u0027e_sqlite3\u0027` → `'e_sqlite3'`: JSON's four-digit escapes of a message copied out of a log record
    /// that did not parse as JSON (cut, or broken over lines). One pass; an escape that is not four hex digits stays.
    static func unicodeEscapesDecoded(_ text: String) -> String {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        func hex(_ byte: UInt8) -> UInt32? {
            switch byte {
            case 0x30...0x39: UInt32(byte - 0x30)
            case 0x41...0x46: UInt32(byte - 0x41 + 10)
            case 0x61...0x66: UInt32(byte - 0x61 + 10)
            default: nil
            }
        }
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\\"), index + 5 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") {
                var value: UInt32 = 0
                var digits = 0
                while digits < 4, let digit = hex(bytes[index + 2 + digits]) {
                    value = value << 4 | digit
                    digits += 1
                }
                if digits == 4, let scalar = Unicode.Scalar(value) {
                    out += Array(String(Character(scalar)).utf8)
                    index += 6
                    continue
                }
            }
            out.append(bytes[index])
            index += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `@img/sharp-linux-x64/sharp.node` → `@img/sharp-linux-x64`; `uuid/v4` → `uuid`.
    static func nodePackage(_ specifier: String) -> String {
        let parts = specifier.split(separator: "/").map(String.init)
        return parts.count > 1 && parts[0].hasPrefix("@") ? parts[0] + "/" + parts[1] : parts[0]
    }

    static func isDecimalDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}

/// The patterns of `ErrorText`, compiled once per reader (`ErrorTextReader` owns one): the standard library's `Regex`
/// is not `Sendable`, so they are not shared between tasks as static values would be.
struct ErrorPatterns {
    /// The phrases whose patterns begin with literal text: a backtracking engine tries them at each position but
    /// fails at once where the text is not there, so they stay linear. Compiled once, matched (as ICU's
    /// `NSRegularExpression` matched them before) by Unicode scalar, not by grapheme cluster.
    /// `Regex` is not `Sendable`: each reader compiles its own (`ErrorPatterns`), and none is shared between tasks.
    struct Pattern {
        let regex: Regex<AnyRegexOutput>
        /// Literal text every match holds (ASCII case aside when `ignoringCase`): without it the line is not searched.
        let phrase: String
        let ignoringCase: Bool
        init(_ pattern: String, phrase: String, ignoringCase: Bool = false) {
            regex = try! Regex(pattern).matchingSemantics(.unicodeScalar)
            self.phrase = phrase
            self.ignoringCase = ignoringCase
        }

        func firstMatch(in line: String, _ scan: LineScan) -> [String]? {
            guard scan.contains(phrase, ignoringCase: ignoringCase) else { return nil }
            guard let match = line.firstMatch(of: regex) else { return nil }
            return match.output.map { $0.substring.map(String.init) ?? "" }
        }
    }

    // A quote is ' or ` or ‘ or ’ or "; glibc writes `GLIBC_2.28', CPython 'name'.
    static let q = "[`'‘’\"]"
    let noModule = Pattern("(?i)No module named \(Self.q)?([A-Za-z0-9_.]+?)\(Self.q)?(?:[\\s;,:)|]|\(Self.q)|$)", phrase: "no module named ", ignoringCase: true)
    let cannotImport = Pattern("(?i)cannot import name \(Self.q)([A-Za-z0-9_]+)\(Self.q) from \(Self.q)([A-Za-z0-9_.]+)\(Self.q)", phrase: "cannot import name ", ignoringCase: true)
    // CPython before 3.7 (and Python 2) named no package: `cannot import name '_imaging'`, `cannot import name _imaging`.
    let cannotImportBare = Pattern("(?i)cannot import name \(Self.q)?([A-Za-z0-9_]+)", phrase: "cannot import name ", ignoringCase: true)
    // An extension whose init function is not the one this CPython calls: `dynamic module does not define module export
    // function (PyInit_multiarray)` (Python 3 loading a Python 2 build), `… does not define init function (initfoo)`.
    let moduleInit = Pattern("dynamic module does not define (?:module export|init) function \\((?:PyInit_|init)([A-Za-z0-9_]+)\\)", phrase: "dynamic module does not define ")
    let versionNotFound = Pattern("version \(Self.q)?([A-Za-z0-9_.]+?)\(Self.q)? not found(?: \\(required by ([^)]+)\\))?", phrase: " not found")
    let cannotFindQuoted = Pattern("Cannot find (?:module|package) \(Self.q)([^'`\"\\s]+)\(Self.q)", phrase: "Cannot find ")
    let cannotFindBare = Pattern("Cannot find (?:module|package) (@?[A-Za-z0-9][A-Za-z0-9._/-]*[A-Za-z0-9])", phrase: "Cannot find ")
    let sharpRuntime = Pattern("Could not load the \(Self.q)sharp\(Self.q) module using the ([a-z]+-[a-z0-9]+) runtime", phrase: "Could not load the ")
    let esbuildInstead = Pattern("needs the \(Self.q)(@[a-z0-9-]+/[A-Za-z0-9._-]+)\(Self.q) package instead", phrase: " package instead")
    let esbuildMissing = Pattern("The package \(Self.q)(@[a-z0-9-]+/[A-Za-z0-9._-]+)\(Self.q) could not be found, and is needed by", phrase: " could not be found, and is needed by")
    let execFormat = Pattern("(?i)\\[Errno 8\\] Exec format error: \(Self.q)(/[^'`\"]+)\(Self.q)", phrase: "[errno 8] exec format error: ", ignoringCase: true)
    let spawnENOEXEC = Pattern("spawn (/[^\\s'`\"]+) ENOEXEC", phrase: " ENOEXEC")
    // Prisma 2's binary engine says `Query engine binary for current platform rhel-openssl-1.0.x could not be found`
    // (the platform unquoted); the library engine quotes it.
    let prisma = Pattern("(?:Query engine (?:library|binary) for current platform|could not locate the Query Engine for runtime) \(Self.q)?([A-Za-z0-9_.-]*[A-Za-z0-9])\(Self.q)?", phrase: "Query ")
    let spawnEACCES = Pattern("spawn (/[^\\s'`\"]+) EACCES", phrase: " EACCES")
    let denied = Pattern("(?i)(?:permission denied|EACCES)[:,]?\\s*(?:[a-z]+\\s+)?\(Self.q)?(/[^\\s'`\"]+)", phrase: "/")
    let nodeBuilt = Pattern("using\\s+NODE_MODULE_VERSION (\\d+)", phrase: "NODE_MODULE_VERSION ")
    let nodeRunning = Pattern("requires\\s+NODE_MODULE_VERSION (\\d+)", phrase: "NODE_MODULE_VERSION ")
    let requestId = Pattern("RequestId: [0-9A-Za-z-]+ ", phrase: "RequestId: ")
    let forkExec = Pattern("fork/exec (/[^\\s:'`\"]+): (exec format error|no such file or directory)", phrase: "fork/exec ")
    let rubyLoad = Pattern("cannot load such file -- ([^\\s'`\"()]+)", phrase: "cannot load such file -- ")
    let rubyIncompatible = Pattern("incompatible library version - (/[^\\s'`\"]+)", phrase: "incompatible library version - ")
    let javaNoLibrary = Pattern("no ([A-Za-z0-9_.+-]+) in java\\.library\\.path", phrase: " in java.library.path")
    let javaNoResource = Pattern("No native resource found at (/[^\\s'`\"]+)", phrase: "No native resource found at ")
    let javaNoPlatform = Pattern("No native library (?:is )?found for os\\.name=([A-Za-z0-9_ ]+?),? (?:and )?os\\.arch=([A-Za-z0-9_]+)", phrase: "No native library ")
    let javaArchHint = Pattern("Possible cause: can't load ([A-Za-z0-9_ -]+?)-bit \\.so on a ([A-Za-z0-9_ -]+?)-bit platform", phrase: "Possible cause: can't load ")
    let javaLibraryPath = Pattern("(/[A-Za-z0-9_.+-][A-Za-z0-9_./+-]*\\.so)(?![A-Za-z0-9_])", phrase: ".so")
    let dotnetLibrary = Pattern("Unable to load shared library \(Self.q)([^'`\"]+)\(Self.q)", phrase: "Unable to load shared library ")
    // .NET's globalization at startup, when no libicuuc.so.<version> loads: it probes ICU by name, as DllImport does.
    let dotnetICU = Pattern("Couldn't find a valid ICU package installed on the system", phrase: "Couldn't find a valid ICU package")
    // node-gyp-build (argon2, better-sqlite3 ≥ 9, bufferutil, …), when neither prebuilds/<platform>-<arch>/ nor
    // build/Release/ beside the package (or bundle) holds an addon for this platform.
    let noNativeBuild = Pattern("No native build was found for platform=([a-z0-9]+) arch=([a-z0-9]+)", phrase: "No native build was found for ")
    // A package's own words for "my compiled core did not import": numpy ≥ 1.25 (and 2.x) raises this from its
    // __init__ when the C extension fails, whatever the reason; the compiled module is the one to find.
    let compiledCore: [(pattern: Pattern, module: String)] = [
        (Pattern("Error importing numpy: you should not try to import numpy from", phrase: "Error importing numpy: "), "_multiarray_umath"),
    ]


    /// The Node.js ABI message, which Node prints over several lines (`text`: those lines joined with spaces).
    func nodeABI(in text: String) -> ErrorSignal {
        let scan = LineScan(text)
        let path = scan.nodeAddon(after: " module ") ?? scan.nodeAddon()
        let built = nodeBuilt.firstMatch(in: text, scan).flatMap { Int($0[1]) }
        let running = nodeRunning.firstMatch(in: text, scan).flatMap { Int($0[1]) }
        return .nodeABI(path: path, built: built, running: running)
    }

    /// The signals of one line, in a time linear in its length: phrases that name a file before them are found
    /// first and the name read backwards (`LineScan`); the rest start with literal text.
    func signals(inLine line: String) -> [ErrorSignal] {
        let scan = LineScan(line)
        var result = loaderSignals(line, scan)
        result += packageSignals(line, scan)
        programSignals(line, scan, into: &result)
        // Lambda's Python wrapper line with words no family knows: the package's own message.
        if result.isEmpty, let start = scan.occurrences(of: "Unable to import module ").first {
            let rest = line.utf8.dropFirst(start)
            if let colon = rest.firstRange(of: "': ".utf8) ?? rest.firstRange(of: "\": ".utf8) {
                let message = String(String(decoding: rest[colon.upperBound...].prefix(300), as: UTF8.self)
                    .drop { $0 == " " }.reversed().drop { $0 == " " || $0 == "\"" || $0 == "," }.reversed())
                if message.contains(where: \.isLetter) { result.append(.packageMessage(message)) }
            }
        }
        return result
    }

    /// What the dynamic loader and the import system say: modules, libraries, versions, ELF refusals, symbols.
    private func loaderSignals(_ line: String, _ scan: LineScan) -> [ErrorSignal] {
        var result: [ErrorSignal] = []
        if let m = noModule.firstMatch(in: line, scan) {
            let module = m[1].hasSuffix(".") ? String(m[1].dropLast()) : m[1]
            if !module.isEmpty { result.append(.missingModule(module)) }
        }
        if let m = cannotImport.firstMatch(in: line, scan) {
            result.append(.missingModule(m[2] + "." + m[1]))
        } else if let m = cannotImportBare.firstMatch(in: line, scan) {
            result.append(.unplacedModule(m[1]))
        }
        if let m = moduleInit.firstMatch(in: line, scan) {
            result.append(.unplacedModule(m[1]))
        }
        for core in compiledCore where core.pattern.firstMatch(in: line, scan) != nil {
            result.append(.unplacedModule(core.module))
        }
        if let m = versionNotFound.firstMatch(in: line, scan) {
            // `([^\s:]+): version q`: the library's path before the first `: version` followed by a quote.
            let library = scan.occurrences(of: ": version ").first { offset in
                let after = offset + ": version ".utf8.count
                return after < scan.bytes.count && "`'‘’\"".unicodeScalars.contains(scan.scalar(at: after).scalar)
                    && scan.runStart(endingAt: offset, .colonStop) < offset
            }.map { offset in URL(fileURLWithPath: scan.text(scan.runStart(endingAt: offset, .colonStop), offset)).lastPathComponent }
            result.append(.missingVersion(version: m[1], library: library, requiredBy: m[2].isEmpty ? nil : m[2]))
        } else if let file = scan.token(before: ": cannot open shared object file") {
            if file.contains("/") {
                result.append(.unloadableFile(path: file))
            } else {
                // The object that needs it: a library's path in the line, else the program the loader names first
                // (`/tmp/chromium: error while loading shared libraries: libnss3.so: …`).
                let requiredBy = scan.sharedObjectPath() ?? scan.token(before: ": error while loading shared libraries", fromSlash: true)
                result.append(.missingLibrary(soname: URL(fileURLWithPath: file).lastPathComponent, requiredBy: requiredBy == file ? nil : requiredBy))
            }
        }
        if let path = scan.token(before: ": invalid ELF header") {
            result.append(.invalidELFHeader(path: path))
        }
        if let m = scan.optionalToken(before: "wrong ELF class: ELFCLASS", rest: { after in scan.run(from: after, allowed: ErrorText.isDecimalDigit) }) {
            result.append(.wrongELFClass(path: m.token, elfClass: "ELFCLASS" + m.rest))
        }
        if let m = scan.optionalToken(before: "undefined symbol: ", rest: { after in
            scan.run(from: after) { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || "_@.$".utf8.contains(byte)
            }
        }) {
            // `ImportError: undefined symbol: X` names no file: a token is a path only with a `/` or a file suffix.
            let path = m.token.flatMap { $0.contains("/") || $0.contains(".") ? $0 : nil }
            result.append(.undefinedSymbol(symbol: m.rest, path: path))
        }
        if scan.contains("cannot enable executable stack") {
            result.append(.executableStack(path: scan.sharedObjectPath(fromSlash: false)))
        }
        return result
    }

    /// Packages and files another runtime's code asks for: Node packages and addons, programs it starts, Prisma engines.
    private func packageSignals(_ line: String, _ scan: LineScan) -> [ErrorSignal] {
        var result: [ErrorSignal] = []
        // Node's CommonJS and ES module resolvers; a relative path is the handler, not a package. Rollup names the
        // package without quotes (`Cannot find module @rollup/rollup-linux-x64-gnu. npm has a bug …`).
        if let m = cannotFindQuoted.firstMatch(in: line, scan) ?? cannotFindBare.firstMatch(in: line, scan) {
            if m[1].hasPrefix("/") {
                // An absolute path to an addon (node-pre-gyp's binding folder): that file, absent or unloadable.
                if m[1].hasSuffix(".node") { result.append(.unloadableFile(path: m[1])) }
            } else if m[1].hasPrefix(".") {
                // A relative addon (`./sharp-linux-x64.node`, `../build/Release/x.node`); a relative script is the handler.
                if m[1].hasSuffix(".node") { result.append(.missingNodeAddon(String(m[1].split(separator: "/").last ?? ""))) }
            } else {
                result.append(.missingNodePackage(ErrorText.nodePackage(m[1])))
            }
        }
        // Platform packages named by the package that needs them: sharp 0.33+ (`Could not load the "sharp" module
        // using the linux-x64 runtime`) and esbuild (`… needs the "@esbuild/linux-x64" package instead`, `The package
        // "@esbuild/linux-x64" could not be found`).
        if let m = sharpRuntime.firstMatch(in: line, scan) {
            result.append(.missingNodePackage("@img/sharp-" + m[1]))
        }
        if let m = esbuildInstead.firstMatch(in: line, scan) ?? esbuildMissing.firstMatch(in: line, scan) {
            result.append(.missingNodePackage(m[1]))
        }
        // A program the code starts itself, for another platform: CPython's `[Errno 8] Exec format error: '/var/task/bin/ffmpeg'`,
        // Node's `spawn /var/task/bin/ffmpeg ENOEXEC`. (A bootstrap's own `exec format error` is an InvalidEntrypoint.)
        if let m = execFormat.firstMatch(in: line, scan) ?? spawnENOEXEC.firstMatch(in: line, scan) {
            result.append(.unloadableFile(path: m[1]))
        }
        if let m = noNativeBuild.firstMatch(in: line, scan) {
            result.append(.noNativeBuild(platform: m[1] + "-" + m[2]))
        }
        if let m = prisma.firstMatch(in: line, scan) {
            result.append(.prismaEngine(platform: m[1]))
        }
        return result
    }

    /// Files the runtime cannot run or read, and the Ruby, Java and .NET loaders' words; the entrypoint last (it
    /// is one signal with a permission or exec failure already found in `result`).
    private func programSignals(_ line: String, _ scan: LineScan, into result: inout [ErrorSignal]) {
        var deniedPath: String?
        if let m = spawnEACCES.firstMatch(in: line, scan) {
            deniedPath = m[1]
            result.append(.permissionDenied(path: m[1]))
        } else if let path = denied.firstMatch(in: line, scan)?[1] ?? scan.token(before: ": permission denied", fromSlash: true, ignoringCase: true) {
            deniedPath = path
            result.append(.permissionDenied(path: path))
        }
        if scan.contains("ELF load command") && scan.contains("not properly aligned") {
            let path = scan.token(before: ": ELF load command", fromSlash: true) ?? scan.sharedObjectPath()
            result.append(.misalignedELF(path: path))
        }
        // A program the kernel would not start: the runtime's `fork/exec PATH: …`, bash's `PATH: cannot execute binary
        // file` (with or without `: Exec format error` after it).
        var execPath: String?
        if let m = forkExec.firstMatch(in: line, scan) {
            execPath = m[1]
            result.append(.execFailed(path: m[1], reason: m[2]))
        } else if let path = scan.token(before: ": cannot execute binary file") {
            execPath = path
            result.append(.execFailed(path: path, reason: "cannot execute binary file"))
        }
        if let m = rubyLoad.firstMatch(in: line, scan) { result.append(.rubyLoad(feature: m[1])) }
        if let m = rubyIncompatible.firstMatch(in: line, scan) { result.append(.unloadableFile(path: m[1])) }
        let javaLibrary = javaNoLibrary.firstMatch(in: line, scan)?[1]
        let javaResource = javaNoResource.firstMatch(in: line, scan)?[1]
        let javaPlatform = javaNoPlatform.firstMatch(in: line, scan).map { "\($0[1])/\($0[2])" }
        if javaLibrary != nil || javaResource != nil || javaPlatform != nil {
            result.append(.javaNative(library: javaLibrary, resource: javaResource, platform: javaPlatform))
        } else if let m = javaArchHint.firstMatch(in: line, scan) {
            // HotSpot's hint after System.load failed on a JNI library the code copied out of its JAR into /tmp: the
            // library is the classpath resource the line names (`/aws-lambda-runtime-interface-client.glibc.so`), not
            // the /tmp copy, which no deployment holds.
            let resource = line.matches(of: javaLibraryPath.regex)
                .compactMap { $0.output[1].substring.map(String.init) }
                .first { !$0.hasPrefix("/tmp/") }
            result.removeAll { if case .unloadableFile(let path) = $0 { path.hasPrefix("/tmp/") } else { false } }
            result.append(.javaNative(library: nil, resource: resource, platform: "Linux/" + m[2].lowercased()))
        }
        if let m = dotnetLibrary.firstMatch(in: line, scan) { result.append(.dotnetNative(library: m[1])) }
        if dotnetICU.firstMatch(in: line, scan) != nil { result.append(.dotnetNative(library: DotnetNativeName.icu)) }
        // Permission denied on bootstrap is the unreadable file itself, and the runtime's `fork/exec` names the file:
        // one signal, not two.
        if deniedPath == nil, execPath == nil,
            scan.contains("Runtime.InvalidEntrypoint") || scan.contains("exec format error") || scan.contains("Couldn't find valid bootstrap")
        {
            // Without the request id, every invocation's line is the same signal (counted, explained once).
            let detail = line.replacing(requestId.regex, with: "")
            result.append(.invalidEntrypoint(detail: detail.trimmingWhitespace()))
        }
    }
}
