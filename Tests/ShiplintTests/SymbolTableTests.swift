import Foundation
import ShiplintFacts
import ShiplintTargets
import Testing

/// The built-in symbol tables (rules/symbols/*.symbols) parse, and agree with the real libraries of this machine
/// as binutils' readelf reads them: glibc at this machine's release, libstdc++ and libgcc_s cut at this machine's
/// version nodes, CPython at this machine's python3 version.
@Suite struct SymbolTableTests {
    static let machine = CaptureTests.program("uname", ["-m"]) ?? "x86_64"

    /// `symbol@node` (node `-` when unversioned) of every symbol the file defines, by readelf.
    static func definedSymbols(_ path: String) -> Set<String>? {
        guard let out = CaptureTests.program("readelf", ["--dyn-syms", "-W", path]) else { return nil }
        var symbols = Set<String>()
        for line in out.split(separator: "\n") {
            let words = line.split(separator: " ")
            // ABS: a version node's own symbol; `__libpthread_version_placeholder`: what keeps an emptied library's
            // nodes (glibc 2.34), which glibc's ABI lists leave out too.
            guard words.count >= 8, words[0].hasSuffix(":"), words[6] != "UND", words[6] != "ABS", ["GLOBAL", "WEAK", "UNIQUE"].contains(words[4]),
                !words[7].contains("_version_placeholder")
            else { continue }
            let parts = words[7].components(separatedBy: "@").filter { !$0.isEmpty }
            if parts.count == 2 && parts[0] == parts[1] { continue }  // the node's own symbol
            symbols.insert(parts.count == 2 ? "\(parts[0])@\(parts[1])" : "\(parts[0])@-")
        }
        return symbols
    }

    static func library(_ soname: String) -> String? {
        ["/lib/\(machine)-linux-gnu/", "/usr/lib/\(machine)-linux-gnu/", "/lib64/", "/usr/lib64/"].map { $0 + soname }
            .first { FileManager.default.fileExists(atPath: $0) }
    }

    @Test func everyBuiltInTableParses() throws {
        #expect(SymbolTable.names == ["cpython-aarch64", "cpython-x86_64", "glibc-aarch64", "glibc-x86_64", "libgcc_s-aarch64",
                                      "libgcc_s-x86_64", "libstdcxx-aarch64", "libstdcxx-x86_64"])
        for name in SymbolTable.names {
            let table = try #require(SymbolTable.builtIn(name))
            #expect(table.name == name)
            #expect(!table.sonames.isEmpty)
        }
        #expect(throws: TargetError.self) { try SymbolTable.parse("%table t\n@libc.so.6 GLIBC_2.2.5 2.26\nmemcpy\n", file: "t") }
        #expect(throws: TargetError.self) { try SymbolTable.parse("%table t\n%releases 2.26\nmemcpy\n", file: "t") }
        #expect(throws: TargetError.self) { try SymbolTable.parse("%table t\n%releases 2.26\n@libc.so.6 GLIBC_2.2.5 2.27\nmemcpy\n", file: "t") }
    }

    @Test func glibcMovesAndNewSymbolsByRelease() throws {
        let table = try #require(SymbolTable.builtIn("glibc-x86_64"))
        let al2 = VersionNumber("2.26")!
        let al2023 = VersionNumber("2.34")!
        #expect(table.presence(of: "memcpy", version: "GLIBC_2.14", in: "libc.so.6", release: al2) == .present)
        #expect(table.presence(of: "Qemcpy", version: "GLIBC_2.14", in: "libc.so.6", release: al2023) == .absent)
        // libpthread's functions moved into libc.so.6 in 2.34, under their old nodes.
        #expect(table.presence(of: "pthread_create", version: "GLIBC_2.2.5", in: "libc.so.6", release: al2) == .absent)
        #expect(table.presence(of: "pthread_create", version: "GLIBC_2.2.5", in: "libc.so.6", release: al2023) == .present)
        #expect(table.presence(of: "pthread_create", version: "GLIBC_2.2.5", in: "libpthread.so.0", release: al2) == .present)
        #expect(table.presence(of: "arc4random", version: nil, in: "libc.so.6", release: al2023) == .absent)
        #expect(table.presence(of: "arc4random", version: "GLIBC_2.36", in: "libc.so.6", release: VersionNumber("2.36")!) == .present)
        #expect(table.nodes(of: "libc.so.6", release: al2).contains("GLIBC_2.26"))
        #expect(!table.nodes(of: "libc.so.6", release: al2).contains("GLIBC_2.27"))
    }

    /// GNU ld defines an SHN_ABS symbol of value 0 named after each version node of a library (`readelf --dyn-syms
    /// libc.so.6`: `GLIBC_2.14` OBJECT ABS), which glibc 2.28 and later bind (check_match, BZ #23307): an import named
    /// `GLIBC_2.14`, unversioned or under that node, is defined; under another node, or a node the release lacks, it is
    /// not; before 2.28 the loader skipped a symbol of value 0, which shiplint does not judge.
    @Test func versionNodeSymbolsAreExportedFromGlibc228() throws {
        let al2023 = try TargetCatalog.builtIn.load("aws-lambda-python3.12-x86_64")
        let provided = try #require(al2023.providedLibrary("libc.so.6"))
        let libc = try #require(al2023.exports(of: provided))
        #expect(libc.presence(of: "GLIBC_2.14", version: nil) == .present)
        #expect(libc.presence(of: "GLIBC_2.14", version: "GLIBC_2.14") == .present)
        #expect(libc.presence(of: "GLIBC_2.34", version: nil) == .present)
        #expect(libc.presence(of: "GLIBC_2.14", version: "GLIBC_2.2.5") == .absent)
        #expect(libc.presence(of: "GLIBC_2.35", version: nil) == .absent)
        let al2 = try TargetCatalog.builtIn.load("aws-lambda-python3.11-x86_64")
        let providedOld = try #require(al2.providedLibrary("libc.so.6"))
        let old = try #require(al2.exports(of: providedOld))
        #expect(old.presence(of: "GLIBC_2.14", version: nil) == .unknown)
    }

    /// GLIBC_ABI_DT_RELR, which libc.so.6 defines without a symbol since 2.36 (elf/Versions) and the ABI lists do not
    /// spell: every object linked with DT_RELR against glibc 2.36 needs it, and needs met are what lets undefined-symbol
    /// judge such an object at all.
    @Test func glibcDefinesTheDTRelrNodeSince236() throws {
        for arch in ["x86_64", "aarch64"] {
            let table = try #require(SymbolTable.builtIn("glibc-\(arch)"))
            #expect(table.nodes(of: "libc.so.6", release: VersionNumber("2.36")!).contains("GLIBC_ABI_DT_RELR"), "\(arch)")
            #expect(table.nodes(of: "libc.so.6", release: VersionNumber("2.42")!).contains("GLIBC_ABI_DT_RELR"), "\(arch)")
            #expect(!table.nodes(of: "libc.so.6", release: VersionNumber("2.34")!).contains("GLIBC_ABI_DT_RELR"), "\(arch)")
        }
        // This machine's libc.so.6 defines it from glibc 2.36 on (readelf reads its version definitions).
        if let libc = Self.library("libc.so.6"), let out = CaptureTests.program("readelf", ["-V", "-W", libc]),
            let release = CaptureTests.program("getconf", ["GNU_LIBC_VERSION"]).flatMap({ VersionNumber(String($0.split(separator: " ").last ?? "").trimmingCharacters(in: .whitespacesAndNewlines)) }),
            release >= VersionNumber("2.36")!
        {
            #expect(out.contains("Name: GLIBC_ABI_DT_RELR"))
        }
    }

    @Test func cpythonByVersionEveryLambdaReleaseCaptured() throws {
        let table = try #require(SymbolTable.builtIn("cpython-x86_64"))
        let arm = try #require(SymbolTable.builtIn("cpython-aarch64"))
        #expect(table.releases.map(\.description) == ["3.9", "3.10", "3.11", "3.12", "3.13", "3.14"])
        #expect(arm.releases == table.releases)
        func at(_ symbol: String, _ version: String, _ table: SymbolTable) -> SymbolTable.Presence {
            table.presence(of: symbol, version: nil, in: "python", release: VersionNumber(version)!)
        }
        for table in [table, arm] {
            // Issue 22: PyObject_GetBuffer joined the Stable ABI in 3.11 but 3.9 and 3.10 export it.
            #expect(at("PyObject_GetBuffer", "3.9", table) == .present)
            #expect(at("PyObject_GetBuffer", "3.10", table) == .present)
            #expect(at("PyBuffer_Release", "3.10", table) == .present)
            // New in 3.12: absent from 3.11, present in 3.12 (Ubuntu's 3.12.3), not interpolated.
            #expect(at("PyType_FromMetaclass", "3.11", table) == .absent)
            #expect(at("PyType_FromMetaclass", "3.12", table) == .present)
            #expect(at("PyLong_AsInt", "3.11", table) == .absent)
            // Only 3.12 exports these (Cython 3.1's modules for 3.12 call them); the interpolation said absent.
            #expect(at("_PyObject_ClearManagedDict", "3.12", table) == .present)
            #expect(at("_PyObject_VisitManagedDict", "3.12", table) == .present)
            #expect(at("_PyObject_ClearManagedDict", "3.13", table) == .absent)
            // Exported by 3.9 and 3.11 but not 3.10: the interpolation said present.
            #expect(at("_Py_EncodeUTF8Ex", "3.10", table) == .absent)
            #expect(at("_Py_EncodeUTF8Ex", "3.11", table) == .present)
            #expect(at("PyModule_Create2", "3.15", table) == .unknown)
        }
        // The x87 control-word helpers exist only in x86 builds (measured at 3.9, the last release with them): the
        // aarch64 3.10 derived from the x86_64 capture leaves them out.
        #expect(at("_Py_get_387controlword", "3.10", table) == .present)
        #expect(at("_Py_get_387controlword", "3.10", arm) == .absent)
        #expect(at("_Py_get_387controlword", "3.9", arm) == .absent)
    }

    @Test func glibcTableMatchesThisMachinesLibraries() throws {
        let table = try #require(SymbolTable.builtIn("glibc-\(Self.machine)"))
        let libc = try #require(CaptureTests.program("getconf", ["GNU_LIBC_VERSION"])).replacingOccurrences(of: "glibc ", with: "")
        let release = try #require(VersionNumber(libc))
        for soname in ["libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "librt.so.1", "libresolv.so.2"] {
            guard let path = Self.library(soname), let real = Self.definedSymbols(path) else { continue }
            let ours = Set(table.exports(of: soname, release: release).map { "\($0.symbol)@\($0.node ?? "-")" })
            let theirs = real.filter { !$0.hasSuffix("@GLIBC_PRIVATE") }
            #expect(ours.subtracting(theirs).isEmpty && theirs.subtracting(ours).isEmpty,
                    "\(soname): only in the table \(ours.subtracting(theirs).sorted().prefix(10)), only in \(path) \(theirs.subtracting(ours).sorted().prefix(10))")
        }
    }

    @Test func libstdcxxAndLibgccCutAtThisMachinesNodesMatchItsLibraries() throws {
        for (soname, tableName) in [("libstdc++.so.6", "libstdcxx"), ("libgcc_s.so.1", "libgcc_s")] {
            let table = try #require(SymbolTable.builtIn("\(tableName)-\(Self.machine)"))
            guard let path = Self.library(soname), let real = Self.definedSymbols(path) else { continue }
            let nodes = Set(real.compactMap { $0.components(separatedBy: "@").last })
            let ours = Set(table.exports(of: soname, release: nil).filter { $0.node.map(nodes.contains) ?? true }.map { "\($0.symbol)@\($0.node ?? "-")" })
            // GCC 14's library holds every symbol an older one exported under the same nodes; an older GCC may
            // keep a few symbols GCC 14 made hidden or moved: none expected, measured here.
            #expect(real.subtracting(ours).isEmpty, "\(soname) at \(path) exports what the table lacks: \(real.subtracting(ours).sorted().prefix(10))")
            #expect(ours.subtracting(real).isEmpty, "the table claims for \(path): \(ours.subtracting(real).sorted().prefix(10))")
        }
    }
}
