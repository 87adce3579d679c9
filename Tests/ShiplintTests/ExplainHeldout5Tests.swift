import Foundation
@testable import ShiplintChecks
import ShiplintTargets
import Testing

/// The families the fifth held-out set (Tests/corpus/heldout5) found half right or wrong on main 6af1948, each with an
/// artifact built here (none of the set's own files): a fallback chain of imports (psycopg's `Attempts made:` list),
/// and Prisma 2's binary-engine message.
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
}
