import Foundation
@testable import ShiplintChecks
import ShiplintFacts
@testable import ShiplintReading
import Testing

/// The import reader behind optional native modules (issue 22): imports found as CPython's tokenizer delimits
/// statements, with the `try` that lets a failed import through. The sources are short excerpts of real packages
/// (named above each), kept as published; the whole wheels are scanned end to end in conformance/cases.json
/// (`scan-optional-*`) and imported by CPython in conformance/python_differential.py.
@Suite struct PythonImportReaderTests {
    static func only(_ source: String, _ module: String) throws -> PythonImport {
        let found = PythonImportReader.imports(in: source).filter { $0.module == module }
        try #require(found.count == 1, "imports of \(module): \(found)")
        return found[0]
    }

    // markupsafe 3.0.4, src/markupsafe/__init__.py lines 1-10 (BSD-3-Clause).
    static let markupsafe = """
        from __future__ import annotations

        import collections.abc as cabc
        import string
        import typing as t

        try:
            from ._speedups import _escape_inner
        except ImportError:
            from ._native import _escape_inner

        """

    @Test func markupsafeSpeedupsIsGuardedAndItsFallbackIsNot() throws {
        let speedups = try Self.only(Self.markupsafe, "_speedups")
        #expect(speedups.level == 1 && speedups.names == ["_escape_inner"] && speedups.line == 8 && !speedups.inFunction)
        let guardedBy = try #require(speedups.guardedBy)
        #expect(guardedBy.handler == "except ImportError" && guardedBy.line == 9 && guardedBy.catches == .importError)
        #expect(guardedBy.fallback == "from ._native import _escape_inner")
        #expect(try Self.only(Self.markupsafe, "_native").guardedBy == nil)
        #expect(try Self.only(Self.markupsafe, "collections.abc").guardedBy == nil)
    }

    // PyYAML 6.0.4, yaml/__init__.py lines 10-16 and yaml/cyaml.py line 7 (MIT).
    static let yaml = """
        __version__ = '6.0.4'
        try:
            from .cyaml import *
            __with_libyaml__ = True
        except ImportError:
            __with_libyaml__ = False

        import io
        """

    @Test func pyyamlImportsItsCModuleThroughCyaml() throws {
        let cyaml = try Self.only(Self.yaml, "cyaml")
        #expect(cyaml.names == ["*"] && cyaml.line == 3)
        #expect(cyaml.guardedBy?.fallback == "__with_libyaml__ = False")
        #expect(try Self.only(Self.yaml, "io").guardedBy == nil)
        let direct = try Self.only("\nfrom yaml._yaml import CParser, CEmitter\n", "yaml._yaml")
        #expect(direct.level == 0 && direct.names == ["CParser", "CEmitter"] && direct.guardedBy == nil)
    }

    // msgpack 1.2.4, msgpack/__init__.py lines 11-17 (Apache-2.0): a try inside an `else`.
    @Test func msgpackTryInsideElse() throws {
        let source = """
            if os.environ.get("MSGPACK_PUREPYTHON"):
                from .fallback import Packer, Unpacker, unpackb
            else:
                try:
                    from ._cmsgpack import Packer, Unpacker, unpackb
                except ImportError:
                    from .fallback import Packer, Unpacker, unpackb
            """
        let cmsgpack = try Self.only(source, "_cmsgpack")
        #expect(cmsgpack.guardedBy?.handler == "except ImportError" && cmsgpack.line == 5)
        #expect(PythonImportReader.imports(in: source).filter { $0.module == "fallback" }.allSatisfy { $0.guardedBy == nil })
    }

    // multidict 6.1.0, multidict/__init__.py lines 26-45 (Apache-2.0): a `raise ImportError` inside the try body
    // (not the handler), an import in brackets over several lines, a comment after the handler.
    @Test func multidictRaiseInTheBodyIsNotTheHandler() throws {
        let source = """
            try:
                if not USE_EXTENSIONS:
                    raise ImportError
                from ._multidict import (
                    CIMultiDict,
                    CIMultiDictProxy,
                    istr,
                )
            except ImportError:  # pragma: no cover
                from ._multidict_py import (
                    CIMultiDict,
                )
            """
        let native = try Self.only(source, "_multidict")
        #expect(native.names == ["CIMultiDict", "CIMultiDictProxy", "istr"] && native.line == 4)
        #expect(native.guardedBy?.handler == "except ImportError" && native.guardedBy?.line == 9)
    }

    // numba 0.67.0, numba/np/ufunc/parallel.py lines 391-410 (BSD-2-Clause): in a nested function, under a
    // try whose body calls something first; a docstring on the way.
    @Test func numbaThreadingLayersInAFunction() throws {
        let source = """
                    def select_known_backend(backend):
                        \"\"\"
                        Loads a specific threading layer backend based on string
                        \"\"\"
                        lib = None
                        if backend.startswith("tbb"):
                            try:
                                # check if TBB is present and compatible
                                _check_tbb_version_compatible()
                                # now try and load the backend
                                from numba.np.ufunc import tbbpool as lib
                            except ImportError:
                                pass
                        elif backend.startswith("omp"):
                            try:
                                from numba.np.ufunc import omppool as lib
                            except ImportError:
                                pass
                        elif backend.startswith("workqueue"):
                            from numba.np.ufunc import workqueue as lib
            """
        let imports = PythonImportReader.imports(in: source).filter { $0.module == "numba.np.ufunc" }
        try #require(imports.count == 3)
        #expect(imports.map(\.names) == [["tbbpool"], ["omppool"], ["workqueue"]])
        #expect(imports.map(\.line) == [11, 16, 20])
        #expect(imports.map { $0.guardedBy?.fallback } == ["pass", "pass", nil])
        #expect(imports.allSatisfy { $0.inFunction })
    }

    @Test func handlersThatDoNotGuard() throws {
        // A handler that raises (anywhere in it), one for another exception, a `finally`, an `else` of the try.
        let source = """
            try:
                from ._a import x
            except ImportError as error:
                if strict:
                    raise RuntimeError("no _a") from error
                x = None
            try:
                from ._b import y
            except OSError:
                y = None
            try:
                pass
            finally:
                from ._c import z
            try:
                import json
            except ImportError:
                json = None
            else:
                from ._d import w
            """
        for module in ["_a", "_b", "_c", "_d"] {
            #expect(try Self.only(source, module).guardedBy == nil, "\(module)")
        }
        #expect(try Self.only(source, "json").guardedBy != nil)
    }

    @Test func everyHandlerThatCatchesImportError() throws {
        let source = """
            try:
                import pkg._a
            except (ImportError, AttributeError):
                pass
            try:
                from pkg import _b
            except Exception:
                pass
            try: from ._c import x
            except: x = None
            try:
                from ._d import x
            except ModuleNotFoundError:
                x = None
            try:
                from ._e import x
            except* ImportError:
                x = None
            """
        #expect(try Self.only(source, "pkg._a").guardedBy?.handler == "except (ImportError, AttributeError)")
        #expect(try Self.only(source, "pkg").guardedBy?.handler == "except Exception")
        #expect(try Self.only(source, "_c").guardedBy?.handler == "except")
        #expect(try Self.only(source, "_d").guardedBy?.catches == .moduleNotFound)
        #expect(try Self.only(source, "_e").guardedBy?.catches == .importError)
    }

    @Test func stringsCommentsAndContinuationsHideNothingAndInventNothing() throws {
        let source = #"""
            s = """
            try:
                import fake1
            except ImportError:
                pass
            """
            t = 'import fake2'  # import fake3
            u = rb"\" import fake4"
            v = f"{x!r} import fake5"
            import a, \
                b.c as d
            from . \
                import (e,  # a comment inside brackets
                        f as g)
            x = 1; import h; from .i import *
            class K:
                try:
                    import j
                except ImportError:
                    j = None
            def later():
                import k
            """#
        let imports = PythonImportReader.imports(in: source)
        #expect(!imports.contains { $0.module.hasPrefix("fake") })
        #expect(imports.map(\.module) == ["a", "b.c", "", "h", "i", "j", "k"])
        #expect(imports.first { $0.module == "" }?.names == ["e", "f"])
        #expect(imports.first { $0.module == "b.c" }?.line == 10)
        #expect(imports.first { $0.module == "h" }?.line == 15)
        // A class body runs where the class is defined: its try guards; a function's import runs later.
        #expect(imports.first { $0.module == "j" }?.guardedBy != nil && imports.first { $0.module == "j" }?.inFunction == false)
        #expect(imports.first { $0.module == "k" }?.inFunction == true)
    }

    @Test func importModuleWithALiteralName() throws {
        let source = """
            try:
                speedups = importlib.import_module("._speedups", "simplejson")
            except ImportError:
                speedups = None
            mod = importlib.import_module(name)
            """
        let imports = PythonImportReader.imports(in: source)
        #expect(imports.map(\.module) == ["simplejson._speedups"])
        #expect(imports.first?.guardedBy != nil)
    }

    // MARK: - The judgement over files

    static func file(_ path: String, _ module: String, _ source: String, isInit: Bool = false, atRoot: Bool = false) -> OptionalImports.SourceFile {
        OptionalImports.SourceFile(path: path, module: module, isPackageInit: isInit, atRoot: atRoot, imports: PythonImportReader.imports(in: source))
    }

    static func use(_ module: String, notFound: Bool = false, _ files: [OptionalImports.SourceFile]) -> OptionalImports.ModuleUse {
        var visiting: Set<String> = []
        return OptionalImports.use(of: module, notFound: notFound, direct: true, files: OptionalImports.reachedFiles(files), depth: 0, visiting: &visiting)
    }

    static func sites(_ module: String, notFound: Bool = false, _ files: [OptionalImports.SourceFile]) -> [OptionalImport.Site]? {
        guard case .guarded(let sites) = use(module, notFound: notFound, files) else { return nil }
        return sites
    }

    // MARK: - Modules nothing the function runs imports

    static func numpy(_ extra: [OptionalImports.SourceFile] = []) -> [OptionalImports.SourceFile] {
        [
            file("numpy/__init__.py", "numpy", "from ._core import multiarray\n", isInit: true),
            file("numpy/_core/__init__.py", "numpy._core", "from . import multiarray\n", isInit: true),
            file("numpy/_core/multiarray.py", "numpy._core.multiarray", "from ._multiarray_umath import *\n"),
            test("numpy/_core/tests/test_multiarray.py", "numpy._core.tests.test_multiarray", "from numpy._core._multiarray_tests import f\n"),
            test("numpy/conftest.py", "numpy.conftest", "\nfrom numpy._core._multiarray_tests import get_fpu_mode\n"),
            file("numpy/testing/__init__.py", "numpy.testing", "from ._private.utils import *\n", isInit: true),
            file("numpy/testing/print_coercion_tables.py", "numpy.testing.print_coercion_tables",
                 "import numpy as np\n\ndef print_new_cast_table():\n    from numpy._core._multiarray_tests import get_all_cast_information\n"),
        ] + extra
    }

    static func test(_ path: String, _ module: String, _ source: String) -> OptionalImports.SourceFile {
        var made = file(path, module, source)
        made.isTestOrExample = true
        return made
    }

    /// numpy's `_multiarray_tests`: its tests, conftest.py and a function of a script nothing imports import it;
    /// `import numpy` never does.
    @Test func aModuleOnlyTestsAndAnUnimportedScriptImportIsNotImported() {
        let files = Self.numpy()
        #expect(Self.use("numpy._core._multiarray_tests", files) == .notImported)
        let reached = OptionalImports.reachedFiles(files)
        #expect(reached.first { $0.path == "numpy/_core/multiarray.py" }?.reach == .imported)
        #expect(reached.first { $0.path == "numpy/testing/print_coercion_tables.py" }?.reach == .publicOnly)
        #expect(reached.first { $0.path == "numpy/conftest.py" }?.reach == .unreached)
        let importers = OptionalImports.importers(of: "numpy._core._multiarray_tests", files: reached)
        #expect(importers.map(\.file) == ["numpy/_core/tests/test_multiarray.py", "numpy/conftest.py", "numpy/testing/print_coercion_tables.py"])
        let said = UnimportedModule(module: "numpy._core._multiarray_tests", package: "numpy", importers: importers).explanation
        #expect(said == "nothing the function imports loads it: only tests (2 imports in numpy/, numpy/_core/tests/) and numpy/testing/print_coercion_tables.py line 4 (in a function of a module nothing imports) import it: `import numpy` never loads it, so it fails only if your code imports numpy._core._multiarray_tests")
        // The module numpy's __init__ chain imports is required.
        #expect(Self.use("numpy._core._multiarray_umath", files) == .required)
    }

    /// What the function runs does import it: required (an error), whoever else imports it.
    @Test func anImportFromWhatTheFunctionRunsMakesItRequired() {
        // The handler.
        #expect(Self.use("numpy._core._multiarray_tests", Self.numpy([Self.file("app.py", "app", "import numpy._core._multiarray_tests\n", atRoot: true)])) == .required)
        // A module numpy's own imports reach, even in a function.
        let reachedModule = Self.file("numpy/_core/multiarray.py", "numpy._core.multiarray", "from ._multiarray_umath import *\n\ndef f():\n    from . import _multiarray_tests\n")
        #expect(Self.use("numpy._core._multiarray_tests", Self.numpy().filter { $0.path != reachedModule.path } + [reachedModule]) == .required)
        // The top of a public module nothing imports: user code may import it by its name.
        let publicTop = Self.file("numpy/testing/extras.py", "numpy.testing.extras", "from numpy._core._multiarray_tests import f\n")
        #expect(Self.use("numpy._core._multiarray_tests", Self.numpy([publicTop])) == .required)
    }

    /// pygame's scrap: its __init__ imports it under a guard, an example nothing imports imports it unguarded: optional.
    @Test func anExampleDoesNotMakeAModuleRequired() throws {
        let initFile = Self.file("pygame/__init__.py", "pygame", "try:\n    import pygame.scrap\nexcept (ImportError, OSError):\n    scrap = None\n", isInit: true)
        let example = Self.file("pygame/examples/scrap_clipboard.py", "pygame.examples.scrap_clipboard", "import pygame.scrap as scrap\n")
        let examples = Self.file("pygame/examples/__init__.py", "pygame.examples", "", isInit: true)
        var labelled = [initFile, example, examples]
        labelled = labelled.map { file in
            var file = file
            file.isTestOrExample = OptionalImports.isExample(file.path)
            return file
        }
        #expect(try #require(Self.sites("pygame.scrap", labelled)).map(\.file) == ["pygame/__init__.py"])
        // An example the package's own code imports does run.
        var importsExample = Self.file("pygame/__init__.py", "pygame", "from .examples import scrap_clipboard\n", isInit: true)
        importsExample.isTestOrExample = false
        #expect(Self.use("pygame.scrap", [importsExample] + labelled.dropFirst()) == .required)
        #expect(OptionalImports.isExample("pygame/examples/scrap_clipboard.py") && !OptionalImports.isExample("pkg/sample.py"))
    }

    @Test func guardedInOneFileUnguardedInAnotherIsRequired() {
        let guarded = Self.file("markupsafe/__init__.py", "markupsafe", Self.markupsafe, isInit: true)
        #expect(Self.sites("markupsafe._speedups", [guarded])?.map(\.line) == [8])
        // Another module of the package imports it at its top, unguarded: needed whenever that module is imported.
        let other = Self.file("markupsafe/_fast.py", "markupsafe._fast", "from markupsafe._speedups import _escape_inner\n")
        let importer = Self.file("markupsafe/api.py", "markupsafe.api", "from . import _fast\n")
        #expect(Self.sites("markupsafe._speedups", [guarded, other, importer]) == nil)
        // The handler imports it unguarded.
        let handler = Self.file("app.py", "app", "import markupsafe._speedups\n", atRoot: true)
        #expect(Self.sites("markupsafe._speedups", [guarded, handler]) == nil)
        // Nothing imports it: nothing says it is optional.
        #expect(Self.sites("markupsafe._other", [guarded]) == nil)
    }

    @Test func throughAModuleImportedOnlyUnderAGuard() throws {
        let initFile = Self.file("yaml/__init__.py", "yaml", Self.yaml, isInit: true)
        let cyaml = Self.file("yaml/cyaml.py", "yaml.cyaml", "\n\n\nfrom yaml._yaml import CParser, CEmitter\n")
        let sites = try #require(Self.sites("yaml._yaml", [initFile, cyaml]))
        #expect(sites.map(\.file) == ["yaml/__init__.py"] && sites.map(\.through) == ["yaml/cyaml.py"] && sites.map(\.line) == [3])
        // A package's __init__ importing it unguarded makes it required (the package is what user code imports).
        let required = Self.file("yaml/__init__.py", "yaml", "from .cyaml import *\n", isInit: true)
        #expect(Self.sites("yaml._yaml", [required, cyaml]) == nil)
    }

    @Test func moduleNotFoundErrorGuardsOnlyAModuleNotFoundAndNamedSo() {
        let named = Self.file("pkg/__init__.py", "pkg", "try:\n    from ._ext import f\nexcept ModuleNotFoundError:\n    f = None\n", isInit: true)
        let fromPackage = Self.file("pkg/__init__.py", "pkg", "try:\n    from . import _ext\nexcept ModuleNotFoundError:\n    _ext = None\n", isInit: true)
        // Named for another CPython or OS: CPython does not find it, ModuleNotFoundError.
        #expect(Self.sites("pkg._ext", notFound: true, [named]) != nil)
        // Found and failing to load (another architecture under the right name, a missing library): ImportError.
        #expect(Self.sites("pkg._ext", notFound: false, [named]) == nil)
        // `from . import _ext` of a module not found raises ImportError ("cannot import name").
        #expect(Self.sites("pkg._ext", notFound: true, [fromPackage]) == nil)
    }

    @Test func testsAreNotImportedByAFunction() {
        #expect(OptionalImports.isTest("numba/tests/test_parallel_backend.py"))
        #expect(OptionalImports.isTest("pkg/test_speed.py") && OptionalImports.isTest("pkg/conftest.py"))
        #expect(!OptionalImports.isTest("numpy/testing/overrides.py") && !OptionalImports.isTest("pkg/contest.py"))
    }
}

/// The whole path end to end on a folder function: the recipe's aarch64 module (`_clean`, fixtures/bin/elf) in a
/// package `fast` of a python3.13 x86_64 function, with the package's Python written here: the finding's severity and
/// words follow what the second read found, and a file it could not read leaves the error standing.
@Suite struct OptionalModuleScanTests {
    static let module = "_clean.cpython-313-aarch64-linux-gnu.so"

    static func function(_ files: [String: String], at place: String = "fast/") throws -> String {
        let folder = Scratch.url("shiplint-optional").path
        try FileManager.default.createDirectory(atPath: folder + "/" + place, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Repository.fixture("bin/elf/" + module), toPath: folder + "/" + place + module)
        for (path, text) in files {
            let file = folder + "/" + path
            try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: file, atomically: true, encoding: .utf8)
        }
        return folder
    }

    /// (severity, message) of the wrong-arch finding on the module, and the exit status.
    static func wrongArch(_ files: [String: String], at place: String = "fast/") throws -> (severity: String, message: String, status: Int32) {
        let folder = try function(files, at: place)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (status, report) = try Shiplint.json(["scan", folder, "--as", "function", "--target", "aws-lambda-python3.13-x86_64", "--no-config"])
        let findings = try #require((report["artifacts"] as? [[String: Any]])?.first?["findings"] as? [[String: Any]])
        let finding = try #require(findings.first { $0["check"] as? String == "wrong-arch" && $0["path"] as? String == place + module })
        return (finding["severity"] as? String ?? "", finding["message"] as? String ?? "", status)
    }

    static let guarded = "try:\n    from ._clean import f\nexcept ImportError:\n    f = None\n"

    @Test func guardedIsAWarningSayingWhy() throws {
        let found = try Self.wrongArch(["fast/__init__.py": Self.guarded, "app.py": "import fast\n"])
        #expect(found.severity == "warning" && found.status == 0)
        #expect(found.message.contains("imported only under `except ImportError` (fast/__init__.py line 2): if it does not load, fast falls back to its pure-Python code (slower) or goes on without it: the handler runs `f = None`"))
    }

    @Test func unguardedElsewhereInThePackageIsAnError() throws {
        let found = try Self.wrongArch([
            "fast/__init__.py": Self.guarded + "from . import api\n", "fast/api.py": "from ._clean import f\n",
        ])
        #expect(found.severity == "error" && found.status == 1 && !found.message.contains("imported only"))
    }

    @Test func aFileOverTheCapLeavesTheError() throws {
        // The same guarded import, in an __init__.py over the 1 MiB read of one Python file: nothing is concluded.
        let padding = String(repeating: "# padding to pass the cap of one Python file\n", count: 25_000)
        let found = try Self.wrongArch(["fast/__init__.py": Self.guarded + padding])
        #expect(found.severity == "error" && found.status == 1)
    }

    /// Issue 22 (numpy's `_multiarray_tests`): a private module only the package's tests import is a warning saying
    /// so; the same module imported by the package's `__init__.py` or by the handler stays an error.
    @Test func aPrivateModuleOnlyTestsImportIsAWarningSayingSo() throws {
        let tests = ["fast/tests/__init__.py": "", "fast/tests/test_clean.py": "from fast._clean import f\n"]
        let onlyTests = try Self.wrongArch(tests.merging(["fast/__init__.py": "", "app.py": "import fast\n"]) { $1 })
        #expect(onlyTests.severity == "warning" && onlyTests.status == 0)
        #expect(onlyTests.message.contains("nothing the function imports loads it: only tests (1 import in fast/tests/) import it: `import fast` never loads it, so it fails only if your code imports fast._clean"), "\(onlyTests.message)")
        let byInit = try Self.wrongArch(tests.merging(["fast/__init__.py": "from ._clean import f\n"]) { $1 })
        #expect(byInit.severity == "error" && byInit.status == 1 && !byInit.message.contains("nothing the function imports"))
        let byHandler = try Self.wrongArch(tests.merging(["fast/__init__.py": "", "app.py": "from fast._clean import f\n"]) { $1 })
        #expect(byHandler.severity == "error" && byHandler.status == 1)
        // Nothing imports it at all: no conclusion (compiled code may import it), and the module exports its PyInit_.
        let nothing = try Self.wrongArch(["fast/__init__.py": "", "app.py": "import fast\n"])
        #expect(nothing.severity == "error" && nothing.status == 1)
    }

    @Test func moduleNotFoundErrorIsEnoughForAModuleCPythonDoesNotSee() throws {
        // Named for aarch64, CPython 3.13 on x86_64 does not find it: `from ._clean import f` raises ModuleNotFoundError.
        let named = "try:\n    from ._clean import f\nexcept ModuleNotFoundError:\n    f = None\n"
        #expect(try Self.wrongArch(["fast/__init__.py": named]).severity == "warning")
        // `from . import _clean` raises ImportError ("cannot import name"), which that handler does not catch.
        let fromPackage = "try:\n    from . import _clean\nexcept ModuleNotFoundError:\n    _clean = None\n"
        #expect(try Self.wrongArch(["fast/__init__.py": fromPackage]).severity == "error")
    }

    /// Soak disagreement 18 (ruamel.yaml.clib's top-level `_ruamel_yaml`, imported by ruamel.yaml in the namespace
    /// package `ruamel`): a top-level module that other distributions import only under a guard is a warning naming
    /// them; one import that runs unguarded, from any distribution or the handler, makes it an error.
    @Test func aTopLevelModuleOtherDistributionsImportOnlyUnderAGuardIsAWarning() throws {
        let importer = [
            "yamlish/fast/__init__.py": "try:\n    from _clean import f\nexcept ImportError:\n    f = None\n",
            "yamlish/fast/main.py": "try:\n    import _clean\nexcept:\n    _clean = None\n",
            "app.py": "import yamlish.fast\n",
        ]
        let guarded = try Self.wrongArch(importer, at: "")
        #expect(guarded.severity == "warning" && guarded.status == 0)
        #expect(guarded.message.contains("imported only under an `except` that lets it fail (yamlish/fast/__init__.py line 2; yamlish/fast/main.py line 2): if it does not load, yamlish.fast falls back to its pure-Python code (slower) or goes on without it"), "\(guarded.message)")
        let byAnother = try Self.wrongArch(importer.merging(["other/__init__.py": "from _clean import f\n"]) { $1 }, at: "")
        #expect(byAnother.severity == "error" && byAnother.status == 1 && !byAnother.message.contains("imported only"))
        let byHandler = try Self.wrongArch(importer.merging(["app.py": "import yamlish.fast\nimport _clean\n"]) { $1 }, at: "")
        #expect(byHandler.severity == "error" && byHandler.status == 1)
        // Nothing imports it: compiled modules and user code import top-level modules by name, nothing is concluded.
        let nothing = try Self.wrongArch(["app.py": "import json\n", "yamlish/__init__.py": ""], at: "")
        #expect(nothing.severity == "error" && nothing.status == 1)
        // A file of any distribution not read (over the 1 MiB cap of one file) may import it: the error stands.
        let padding = String(repeating: "# padding to pass the cap of one Python file\n", count: 25_000)
        let unread = try Self.wrongArch(importer.merging(["other/big.py": padding]) { $1 }, at: "")
        #expect(unread.severity == "error" && unread.status == 1)
    }

    /// pyyaml 6 ships `_yaml/__init__.py`, a shim for the old top-level place of `yaml._yaml` that imports it
    /// unguarded: `import yaml` never runs it and user code does not import a private top-level package, so it does
    /// not make the module required; a handler that imports the shim does.
    @Test func aPrivateTopLevelShimNothingImportsDoesNotMakeItRequired() throws {
        let files = [
            "fast/__init__.py": Self.guarded, "_fast/__init__.py": "import fast\nfrom fast._clean import *\n", "app.py": "import fast\n",
        ]
        let shim = try Self.wrongArch(files)
        #expect(shim.severity == "warning" && shim.status == 0, "\(shim.message)")
        let imported = try Self.wrongArch(files.merging(["app.py": "import _fast\n"]) { $1 })
        #expect(imported.severity == "error" && imported.status == 1)
    }

    /// shap's python3.9 arm64 build (numba, scipy, scikit-learn, pandas) has 69 MiB of `.py` files, over the 64 MiB one
    /// second read takes: then the failing module's package and the handler are read, as before every file was, and
    /// numba's guarded `omppool` stays the warning it is (it was an error once the cap left numba's files unread);
    /// a top-level module, whose importers may be anywhere, is not judged then.
    @Test func overTheReadOfEveryFileThePackageOfTheModuleIsStillJudged() throws {
        let bulk = String(repeating: "# a large Python package, read only when the whole deployment fits in one read\n", count: 12_500)
        var files = ["fast/__init__.py": Self.guarded, "app.py": "import fast\n"]
        for index in 0..<70 { files["bulk/part\(index).py"] = bulk }
        let found = try Self.wrongArch(files)
        #expect(found.severity == "warning" && found.status == 0, "\(found.message)")
        let topLevel = try Self.wrongArch(files.merging(["fast/__init__.py": "try:\n    import _clean\nexcept ImportError:\n    pass\n"]) { $1 }, at: "")
        #expect(topLevel.severity == "error" && topLevel.status == 1)
    }
}
