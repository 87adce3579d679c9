import Foundation
@testable import ShiplintChecks
import ShiplintTargets
import Testing

/// The families the fifth held-out set (Tests/corpus/heldout5) found half right or wrong on main 6af1948, each with an
/// artifact built here (none of the set's own files): a fallback chain of imports (psycopg's `Attempts made:` list),
/// Prisma 2's binary-engine message, a program the code writes to /tmp at run time, and a package's own words for an
/// import that failed inside it.
@Suite struct ExplainHeldout5Tests {
    static let arm64 = "fixtures/bin/elf/_clean.cpython-313-aarch64-linux-gnu.so"

    // MARK: - A fallback chain of imports

    /// psycopg#727's family: the code tries several implementations in turn and prints each failure. The one installed
    /// (here for the other architecture) is the cause; the optional one installed nowhere was explained on its own as
    /// "not in the function or its layers at all … or another artifact's log", exit status 1.
    @Test func anAlternativeInstalledNowhereIsNotACause() throws {
        let function = try ExplainTests.folder([
            "app.py": "import fastcodec\n",
            "fastcodec_bin/__init__.py": "from . import _impl\n",
            "fastcodec_bin/_impl.cpython-312-aarch64-linux-gnu.so": Self.arm64,
        ])
        let text = """
            [ERROR] Runtime.ImportModuleError: Unable to import module 'app': no fastcodec implementation available.
            Attempts made:
            - couldn't import fastcodec 'c' implementation: No module named 'fastcodec_c'
            - couldn't import fastcodec 'binary' implementation: cannot import name '_impl' from 'fastcodec_bin' (/var/task/fastcodec_bin/__init__.py)
            """
        let result = try ExplainLocationsTests.explain(function, target: "aws-lambda-python3.12-x86_64", error: text)
        #expect(result.status == 0)
        #expect(result.check == "wrong-arch")
        #expect(result.path == "fastcodec_bin/_impl.cpython-312-aarch64-linux-gnu.so")
        #expect(result.summary.contains("aarch64"), "\(result.summary)")
        let all = try ExplainHeldout4Tests.explanations(function, target: "aws-lambda-python3.12-x86_64", error: text)
        #expect(all.all.count == 1, "\(all.all)")
        #expect(!all.all.contains { ($0["summary"] as? String ?? "").contains("fastcodec_c") }, "\(all.all)")
    }

    /// Alone, a module installed nowhere is still not explained by the artifact (never installed, or another log).
    @Test func aModuleInstalledNowhereAloneIsStillNotExplained() throws {
        let function = try ExplainTests.folder(["app.py": "import fastcodec_c\n"])
        let result = try ExplainLocationsTests.explain(function, target: "aws-lambda-python3.12-x86_64",
            error: "Unable to import module 'app': No module named 'fastcodec_c'")
        #expect(result.status == 1)
        #expect(!result.explained)
        #expect(result.summary.contains("fastcodec_c is not in the function or its layers at all"), "\(result.summary)")
    }

    // MARK: - Prisma 2's binary engine

    /// prisma-client-js#475's family: Prisma 2 says `Query engine binary for current platform rhel-openssl-1.0.x could
    /// not be found` (unquoted) about its binary engine `query-engine-<target>`. Was not recognised: not explained.
    @Test func prismaTwosBinaryEngineMessage() throws {
        let function = try ExplainTests.folder([
            "index.js": "const { PrismaClient } = require('@prisma/client');\n",
            "node_modules/@prisma/client/package.json": #"{"name": "@prisma/client", "version": "2.0.0"}"#,
            "node_modules/@prisma/client/runtime/query-engine-debian-openssl-1.1.x": "fixtures/bin/elf/bootstrap",
        ])
        let result = try ExplainLocationsTests.explain(function, target: "aws-lambda-nodejs18.x-x86_64",
            error: "Query engine binary for current platform rhel-openssl-1.0.x could not be found.\nPrisma Client looked in /var/task/node_modules/@prisma/client/runtime/query-engine-rhel-openssl-1.0.x but couldn't find it.")
        #expect(result.status == 0)
        #expect(result.check == "prisma-engine-mismatch")
        #expect(result.path == "node_modules/@prisma/client/runtime/query-engine-debian-openssl-1.1.x")
        #expect(result.fix.contains("rhel-openssl-1.0.x"), "\(result.fix)")
    }

    // MARK: - A program written to /tmp at run time

    /// Sparticuz/chromium#285's family: `/tmp/chromium: error while loading shared libraries: libnss3.so`. The browser
    /// is unpacked at run time from a brotli archive the package carries, so the deployment cannot say which library
    /// it lacks. Was explained as "libnss3.so is loaded by name at run time (no binary links it) … neither in the
    /// deployment nor in the runtime", exit 0: a cause the text does not support.
    @Test func aProgramWrittenToTmpAtRunTimeIsNotExplained() throws {
        let function = try ExplainTests.folder([
            "index.js": "const browser = require('headless-browser');\n",
            "node_modules/headless-browser/package.json": #"{"name": "headless-browser", "version": "1.0.0"}"#,
        ])
        let result = try ExplainLocationsTests.explain(function, target: "aws-lambda-nodejs20.x-x86_64",
            error: "Error: Failed to launch the browser process!\n/tmp/browser/headless: error while loading shared libraries: libnss3.so: cannot open shared object file: No such file or directory")
        #expect(result.status == 1)
        #expect(!result.explained)
        #expect(result.summary.contains("/tmp/browser/headless needs libnss3.so") && result.summary.contains("writes it at run time"), "\(result.summary)")
        #expect(result.summary.contains("does not have libnss3.so"), "\(result.summary)")
        #expect(!result.summary.contains("loaded by name"), "\(result.summary)")
    }

    // MARK: - A package's own words

    /// IfcOpenShell#2706's family: `Unable to import module 'lambda_function': IfcOpenShell not built for
    /// 'linux/64bit/python3.9'`, raised around the package's compiled module, hides the loader's error. The package the
    /// words name is where to look. Was "text not recognised".
    @Test func aPackagesOwnMessageIsExplainedByThatPackage() throws {
        let function = try ExplainTests.folder([
            "lambda_function.py": "import shapekit\n",
            "shapekit/__init__.py": "try:\n    from . import _clean\nexcept ImportError:\n    raise ImportError('ShapeKit was not built for this platform')\n",
            "shapekit/_clean.cpython-312-aarch64-linux-gnu.so": Self.arm64,
        ])
        let result = try ExplainLocationsTests.explain(function, target: "aws-lambda-python3.12-x86_64",
            error: "[ERROR] Runtime.ImportModuleError: Unable to import module 'lambda_function': ShapeKit was not built for this platform")
        #expect(result.status == 0)
        #expect(result.check == "wrong-arch")
        #expect(result.path == "shapekit/_clean.cpython-312-aarch64-linux-gnu.so")
    }

    /// A package message that names no package installed here is not explained (no cause is made up from its words).
    @Test func aPackageMessageNamingNoInstalledPackageIsNotExplained() throws {
        let function = try ExplainTests.folder([
            "lambda_function.py": "import shapekit\n", "shapekit/__init__.py": "",
        ])
        let result = try ExplainLocationsTests.explain(function, target: "aws-lambda-python3.12-x86_64",
            error: "[ERROR] Runtime.ImportModuleError: Unable to import module 'lambda_function': GeoWidget was not built for this platform")
        #expect(result.status == 1)
        #expect(!result.explained)
        #expect(result.summary.contains("names no package installed here"), "\(result.summary)")
    }
}
