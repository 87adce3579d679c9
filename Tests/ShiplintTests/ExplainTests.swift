import Foundation
import Testing

/// `shiplint explain`: error texts as Lambda, CPython, glibc and Node print them (wording from the public reports
/// cited in shared/reference/README.md), each against an artifact that reproduces the cause.
@Suite struct ExplainTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let artifact: String
        let target: String
        let error: String
        /// (check, path) of the root cause, or nil for a cause no check names; `explained` false for a wrong log.
        let rootCause: String?
        var explained = true
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        // pydantic/pydantic#6557, pydantic/pydantic-core#1409: pydantic_core installed on Windows.
        Case(name: "pydantic_core built on Windows", artifact: "fixtures/artifacts/function-windows.zip", target: "aws-lambda-python3.13-x86_64",
             error: "[ERROR] Runtime.ImportModuleError: Unable to import module 'lambda_function': No module named 'pydantic_core._pydantic_core'\nTraceback (most recent call last):",
             rootCause: "windows-binary pydantic_core/_pydantic_core.cp313-win_amd64.pyd"),
        // The same as a CloudWatch JSON log line.
        Case(name: "JSON log line", artifact: "fixtures/artifacts/function-windows.zip", target: "aws-lambda-python3.13-x86_64",
             error: #"{"errorMessage": "Unable to import module 'lambda_function': No module named 'pydantic_core._pydantic_core'", "errorType": "Runtime.ImportModuleError", "requestId": "", "stackTrace": []}"#,
             rootCause: "windows-binary pydantic_core/_pydantic_core.cp313-win_amd64.pyd"),
        // Lambda's JSON log format (advanced logging controls): the error record nested under "message".
        Case(name: "JSON log format, nested record", artifact: "fixtures/artifacts/function-windows.zip", target: "aws-lambda-python3.13-x86_64",
             error: #"{"timestamp":"2026-11-30T10:00:00Z","level":"ERROR","message":{"errorMessage":"Unable to import module 'lambda_function': No module named 'pydantic_core._pydantic_core'","errorType":"Runtime.ImportModuleError","requestId":"","stackTrace":[]}}"#,
             rootCause: "windows-binary pydantic_core/_pydantic_core.cp313-win_amd64.pyd"),
        // A log line whose message is itself a JSON log line, as a string (a log shipper's envelope).
        Case(name: "JSON log line inside a message string", artifact: "fixtures/artifacts/function-windows.zip", target: "aws-lambda-python3.13-x86_64",
             error: #"2026-11-30T10:00:00.000Z {"message":"{\"errorType\":\"Runtime.ImportModuleError\",\"errorMessage\":\"Unable to import module 'lambda_function': No module named 'pydantic_core._pydantic_core'\"}","logGroup":"/aws/lambda/fn"}"#,
             rootCause: "windows-binary pydantic_core/_pydantic_core.cp313-win_amd64.pyd"),
        // A program started by the code, for another CPU (CPython's subprocess, Node's child_process).
        Case(name: "Exec format error from subprocess", artifact: "fixtures/artifacts/function-aarch64.zip", target: "aws-lambda-python3.13-x86_64",
             error: "OSError: [Errno 8] Exec format error: '/var/task/pkg/_clean.cpython-313-aarch64-linux-gnu.so'",
             rootCause: "wrong-arch pkg/_clean.cpython-313-aarch64-linux-gnu.so"),
        Case(name: "spawn ENOEXEC", artifact: "fixtures/artifacts/function-aarch64.zip", target: "aws-lambda-python3.13-x86_64",
             error: "Error: spawn /var/task/pkg/_clean.cpython-313-aarch64-linux-gnu.so ENOEXEC",
             rootCause: "wrong-arch pkg/_clean.cpython-313-aarch64-linux-gnu.so"),
        // sharp 0.33+ and esbuild name the platform package they need (lovell/sharp#3870, evanw/esbuild#3153).
        Case(name: "sharp's own message", artifact: "fixtures/artifacts/node/function-node22-mac.zip", target: "aws-lambda-nodejs22.x-x86_64",
             error: #"Error: Could not load the "sharp" module using the linux-x64 runtime\nPossible solutions:\n- Ensure optional dependencies can be installed:"#,
             rootCause: "node-platform-package node_modules/@img/sharp-darwin-arm64"),
        // rollup writes the package without quotes (rollup/rollup#5194).
        Case(name: "unquoted package name", artifact: "fixtures/artifacts/node/function-node22-mac.zip", target: "aws-lambda-nodejs22.x-x86_64",
             error: "Error: Cannot find module @esbuild/linux-x64. npm has a bug related to optional dependencies (https://github.com/npm/cli/issues/4828).",
             rootCause: "node-platform-package node_modules/@esbuild/darwin-arm64"),
        Case(name: "esbuild's own message", artifact: "fixtures/artifacts/node/function-node22-mac.zip", target: "aws-lambda-nodejs22.x-x86_64",
             error: #"Error: You installed esbuild for another platform than the one you're currently using. Specifically the "@esbuild/darwin-arm64" package is present but this platform needs the "@esbuild/linux-x64" package instead."#,
             rootCause: "node-platform-package node_modules/@esbuild/darwin-arm64"),
        Case(name: "built on a Mac", artifact: "fixtures/artifacts/function-darwin.zip", target: "aws-lambda-python3.13-x86_64",
             error: "Runtime.ImportModuleError: Unable to import module 'handler': No module named 'pkg._mod'",
             rootCause: "darwin-binary pkg/_mod.cpython-313-darwin.so"),
        Case(name: "aarch64 wheel in x86_64 (powertools#6771)", artifact: "fixtures/artifacts/function-aarch64.zip", target: "aws-lambda-python3.13-x86_64",
             error: "Runtime.ImportModuleError: Unable to import module 'app': No module named 'pkg._clean'",
             rootCause: "wrong-arch pkg/_clean.cpython-313-aarch64-linux-gnu.so"),
        // lambci/docker-lambda#318, opencv/opencv-python#1019.
        Case(name: "libGL.so.1", artifact: "fixtures/artifacts/resolve/missing-system.zip", target: "aws-lambda-python3.13-x86_64",
             error: "ImportError: libGL.so.1: cannot open shared object file: No such file or directory",
             rootCause: "missing-library pkg/_system.cpython-313-x86_64-linux-gnu.so"),
        // psycopg2 built against the system libpq.
        Case(name: "libpq.so.5", artifact: "fixtures/artifacts/resolve/missing-system.zip", target: "aws-lambda-python3.13-x86_64",
             error: "Runtime.ImportModuleError: Unable to import module 'lambda_function': libpq.so.5: cannot open shared object file: No such file or directory",
             rootCause: "missing-library pkg/_system.cpython-313-x86_64-linux-gnu.so"),
        Case(name: "bundled library left out", artifact: "fixtures/artifacts/resolve/rpath-missing.zip", target: "aws-lambda-python3.13-x86_64",
             error: "ImportError: libbar-1a2b3c4d.so.1.0: cannot open shared object file: No such file or directory",
             rootCause: "missing-library pkg/_mod.cpython-313-x86_64-linux-gnu.so"),
        // serverless/serverless-python-requirements#765.
        Case(name: "GLIBC_2.28 on Amazon Linux 2", artifact: "fixtures/artifacts/function-glibc228.zip", target: "aws-lambda-python3.11-x86_64",
             error: "Runtime.ImportModuleError: Unable to import module 'handler': /lib64/libc.so.6: version `GLIBC_2.28' not found (required by /var/task/pkg/_glibc228.cpython-311-x86_64-linux-gnu.so)",
             rootCause: "glibc-too-new pkg/_glibc228.cpython-311-x86_64-linux-gnu.so"),
        Case(name: "GLIBC_2.28 on the wrong target is not this artifact's", artifact: "fixtures/artifacts/function-glibc228.zip", target: "aws-lambda-python3.12-x86_64",
             error: "/lib64/libc.so.6: version `GLIBC_2.28' not found (required by /var/task/pkg/_glibc228.cpython-311-x86_64-linux-gnu.so)",
             rootCause: nil, explained: false),
        Case(name: "GLIBCXX on Amazon Linux 2", artifact: "fixtures/bin/elf/_cxx.cpython-311-x86_64-linux-gnu.so", target: "aws-lambda-python3.11-x86_64",
             error: "ImportError: /lib64/libstdc++.so.6: version `GLIBCXX_3.4.30' not found (required by /var/task/_cxx.cpython-311-x86_64-linux-gnu.so)",
             rootCause: "libstdcxx-too-new _cxx.cpython-311-x86_64-linux-gnu.so"),
        // The CXXABI variant of the same libstdc++ too old (pytorch/pytorch and onnxruntime reports on Lambda).
        Case(name: "CXXABI on Amazon Linux 2", artifact: "fixtures/bin/elf/_cxx.cpython-311-x86_64-linux-gnu.so", target: "aws-lambda-python3.11-x86_64",
             error: "ImportError: /lib64/libstdc++.so.6: version `CXXABI_1.3.13' not found (required by /var/task/_cxx.cpython-311-x86_64-linux-gnu.so)",
             rootCause: "libstdcxx-too-new _cxx.cpython-311-x86_64-linux-gnu.so"),
        Case(name: "wrong ELF class", artifact: "fixtures/bin/elf/_clean.cpython-313-i386-linux-gnu.so", target: "aws-lambda-python3.13-x86_64",
             error: "ImportError: /var/task/_clean.cpython-313-i386-linux-gnu.so: wrong ELF class: ELFCLASS32",
             rootCause: "wrong-arch _clean.cpython-313-i386-linux-gnu.so"),
        Case(name: "invalid ELF header", artifact: "fixtures/bin/pe/_mod.cp313-win_amd64.pyd", target: "aws-lambda-python3.13-x86_64",
             error: "OSError: /var/task/_mod.cp313-win_amd64.pyd: invalid ELF header",
             rootCause: "windows-binary _mod.cp313-win_amd64.pyd"),
        Case(name: "executable stack", artifact: "fixtures/bin/elf/_execstack.cpython-313-x86_64-linux-gnu.so", target: "aws-lambda-python3.13-x86_64",
             error: "ImportError: /var/task/_execstack.cpython-313-x86_64-linux-gnu.so: cannot enable executable stack as shared object requires: Invalid argument",
             rootCause: "exec-stack _execstack.cpython-313-x86_64-linux-gnu.so"),
        Case(name: "musl bootstrap", artifact: "fixtures/bin/elf/bootstrap-musl", target: "aws-lambda-provided.al2023-x86_64",
             error: "/var/task/bootstrap: error while loading shared libraries: libc.musl-x86_64.so.1: cannot open shared object file: No such file or directory",
             rootCause: "musl-binary bootstrap-musl"),
        // A full path before `cannot open shared object file` is that file (glibc's message for a file it cannot
        // map, e.g. byt3bl33d3r/CrackMapExec#795 `_rust.abi3.so: Cannot open shared object file`): its own finding.
        Case(name: "full path that cannot be opened is the file itself", artifact: "fixtures/artifacts/function-aarch64.zip", target: "aws-lambda-python3.13-x86_64",
             error: "Runtime.ImportModuleError: Unable to import module 'app': /var/task/pkg/_clean.cpython-313-aarch64-linux-gnu.so: cannot open shared object file: No such file or directory",
             rootCause: "wrong-arch pkg/_clean.cpython-313-aarch64-linux-gnu.so"),
        Case(name: "full path absent from the artifact", artifact: "fixtures/artifacts/function-clean.zip", target: "aws-lambda-python3.13-x86_64",
             error: "ImportError: /var/task/pkg/_rust.abi3.so: cannot open shared object file: No such file or directory",
             rootCause: nil, explained: false),
        // `fork/exec /var/task/bootstrap: permission denied` (AWS "Troubleshoot invocation issues", custom runtimes).
        Case(name: "bootstrap permission denied", artifact: "fixtures/artifacts/package/bootstrap-644.zip", target: "aws-lambda-provided.al2023-x86_64",
             error: #"{"errorType":"Runtime.InvalidEntrypoint","errorMessage":"RequestId: 7 Error: fork/exec /var/task/bootstrap: permission denied"}"#,
             rootCause: "unreadable-file bootstrap"),
        Case(name: "bootstrap permission denied, wrong log", artifact: "fixtures/artifacts/package/bootstrap-755.zip", target: "aws-lambda-provided.al2023-x86_64",
             error: "Error: fork/exec /var/task/bootstrap: permission denied",
             rootCause: nil, explained: false),
        // glibc's message for a file whose PT_LOAD offset and address disagree modulo the alignment (a damaged or
        // badly stripped library).
        Case(name: "ELF load command not properly aligned", artifact: "fixtures/bin/corrupt/elf-load-misaligned.so", target: "aws-lambda-python3.13-x86_64",
             error: "ImportError: /var/task/elf-load-misaligned.so: ELF load command address/offset not properly aligned",
             rootCause: "not-loadable elf-load-misaligned.so"),
        // Lower case, and a message copied out of a JSON log line with its literal \n.
        Case(name: "lower-case no module named, JSON-escaped", artifact: "fixtures/artifacts/function-windows.zip", target: "aws-lambda-python3.13-x86_64",
             error: #"[ERROR] Runtime.ImportModuleError: Unable to import module 'lambda_function': no module named 'pydantic_core._pydantic_core'\nTraceback (most recent call last):"#,
             rootCause: "windows-binary pydantic_core/_pydantic_core.cp313-win_amd64.pyd"),
        // A log that names a module this artifact has, correctly built: the user pasted the wrong log.
        Case(name: "wrong log", artifact: "fixtures/artifacts/function-clean.zip", target: "aws-lambda-python3.13-x86_64",
             error: "Runtime.ImportModuleError: Unable to import module 'handler': No module named 'pkg._clean'",
             rootCause: nil, explained: false),
        Case(name: "module absent altogether", artifact: "fixtures/artifacts/function-clean.zip", target: "aws-lambda-python3.13-x86_64",
             error: "No module named 'pydantic_core._pydantic_core'",
             rootCause: nil, explained: false),
    ]

    @Test(arguments: cases)
    func explains(_ testCase: Case) throws {
        let result = try Shiplint.run(["explain", testCase.artifact, "--target", testCase.target, "--error", testCase.error, "--format", "json"])
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
        let explanations = json["explanations"] as? [[String: Any]] ?? []
        try #require(explanations.count == 1, "\(result.stdout)\(result.stderr)")
        let explanation = explanations[0]
        #expect(explanation["explained"] as? Bool == testCase.explained)
        let root = explanation["root_cause"] as? [String: Any]
        let found = root.map { "\($0["check"] as? String ?? "") \($0["path"] as? String ?? "")" }
        #expect(found == testCase.rootCause)
        #expect(result.status == (testCase.explained ? 0 : 1))
    }

    /// Folders built in the test from fixture binaries, for layouts no committed archive has.
    static func folder(_ files: [String: String]) throws -> String {
        let root = Scratch.url("shiplint-explain")
        for (path, source) in files {
            let destination = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            if source.hasPrefix("fixtures/") {
                try FileManager.default.copyItem(atPath: Repository.root + "/" + source, toPath: destination.path)
            } else {
                try source.write(to: destination, atomically: true, encoding: .utf8)
            }
        }
        return root.path
    }

    /// Pillow installed on a Mac: the import fails as `cannot import name '_imaging' from 'PIL'`.
    @Test func pillowBuiltOnAMac() throws {
        let folder = try Self.folder([
            "PIL/__init__.py": "",
            "PIL/_imaging.cpython-313-darwin.so": "fixtures/bin/macho/_mod_universal2.cpython-313-darwin.so",
        ])
        let result = try Shiplint.run(["explain", folder, "--target", "aws-lambda-python3.13-x86_64", "--error",
            "Runtime.ImportModuleError: Unable to import module 'lambda_function': cannot import name '_imaging' from 'PIL' (/var/task/PIL/__init__.py)"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("Root cause [darwin-binary]: PIL/_imaging.cpython-313-darwin.so"), "\(result.stdout)")
        #expect(result.stdout.contains("found instead: PIL/_imaging.cpython-313-darwin.so"))
    }

    /// jkehler/awslambda-psycopg2#37: `/var/task/psycopg2/_psycopg.so: undefined symbol: _Py_ZeroStruct`, a
    /// CPython 2.7 build (dist-info tag cp27mu) on Python 3. With the path and without it.
    @Test func python2BuildOnPython3() throws {
        let folder = try Self.folder([
            "lambda_function.py": "", "psycopg2/__init__.py": "", "psycopg2/_psycopg.so": "fixtures/bin/policy/_py27.so",
            "psycopg2-2.7.5.dist-info/WHEEL": "Wheel-Version: 1.0\nRoot-Is-Purelib: false\nTag: cp27-cp27mu-manylinux1_x86_64\n",
        ])
        for error in ["Unable to import module 'index': /var/task/psycopg2/_psycopg.so: undefined symbol: _Py_ZeroStruct",
                      "ImportError: undefined symbol: _Py_ZeroStruct"] {
            let result = try Shiplint.run(["explain", folder, "--target", "aws-lambda-python3.12-x86_64", "--error", error])
            #expect(result.status == 0)
            #expect(result.stdout.contains("Root cause [python-abi-mismatch]: psycopg2/_psycopg.so"), "\(result.stdout)")
            #expect(result.stdout.contains("Python 2 API"))
            #expect(result.stdout.contains("module init: exports init_py27, not PyInit__py27 (a Python 2 module)"), "\(result.stdout)")
            #expect(result.stdout.contains("wheel tags: cp27-cp27mu-manylinux1_x86_64 (psycopg2-2.7.5.dist-info/WHEEL)"))
            #expect(result.stdout.contains("--python-version 3.12"))
            // psycopg2 is published as source only: the fix names the distribution that has Linux wheels.
            #expect(result.stdout.contains("installed by: psycopg2 2.7.5 (psycopg2-2.7.5.dist-info)"), "\(result.stdout)")
            #expect(result.stdout.contains("Install psycopg2-binary instead of psycopg2 2.7.5"))
        }
    }

    /// AWS "Deployment packages": files stored readable by their owner only fail with `[Errno 13] Permission denied`
    /// (Python) or `EACCES: permission denied, open` (Node.js).
    @Test func permissionDeniedOnAPath() throws {
        let python = try Self.folder(["app.py": "def handler(e, c): pass\n", "util.py": ""])
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: python + "/app.py")
        let result = try Shiplint.run(["explain", python, "--target", "aws-lambda-python3.13-x86_64", "--error",
            "[ERROR] PermissionError: [Errno 13] Permission denied: '/var/task/app.py'"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("Root cause [unreadable-file]: app.py"), "\(result.stdout)")
        #expect(result.stdout.contains("chmod 644"))
        let node = try Self.folder(["index.js": "", "node_modules/left-pad/index.js": ""])
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: node + "/node_modules/left-pad/index.js")
        let denied = try Shiplint.run(["explain", node, "--target", "aws-lambda-nodejs22.x-x86_64", "--error",
            "Error: EACCES: permission denied, open '/var/task/node_modules/left-pad/index.js'"])
        #expect(denied.status == 0)
        #expect(denied.stdout.contains("Root cause [unreadable-file]: node_modules/left-pad/index.js"), "\(denied.stdout)")
        // The same text against files stored 644: not this artifact's.
        let readable = try Shiplint.run(["explain", Self.folder(["app.py": ""]), "--target", "aws-lambda-python3.13-x86_64", "--error",
            "PermissionError: [Errno 13] Permission denied: '/var/task/app.py'"])
        #expect(readable.status == 1)
        #expect(readable.stdout.contains("Not explained by this artifact"), "\(readable.stdout)")
    }

    /// One failure on every invocation is one cause: explained once, with how often it was seen.
    @Test func repeatedEventsAreExplainedOnce() throws {
        let event = "[ERROR] Runtime.ImportModuleError: Unable to import module 'lambda_function': No module named 'pydantic_core._pydantic_core'"
        let log = (1...4).map { "START RequestId: \($0) Version: $LATEST\n\(event)\nEND RequestId: \($0)" }.joined(separator: "\n")
        let result = try Shiplint.run(["explain", "fixtures/artifacts/function-windows.zip", "--target", "aws-lambda-python3.13-x86_64", "--error", log])
        #expect(result.status == 0)
        #expect(result.stdout.components(separatedBy: "Root cause").count == 2, "\(result.stdout)")
        #expect(result.stdout.contains("(seen 4 times)"))
        let json = try Shiplint.json(["explain", "fixtures/artifacts/function-windows.zip", "--target", "aws-lambda-python3.13-x86_64", "--error", log])
        let explanations = json.object["explanations"] as? [[String: Any]] ?? []
        #expect(explanations.count == 1)
        #expect(explanations.first?["seen"] as? Int == 4)
        // A custom runtime's bootstrap failing on three invocations, as CloudWatch JSON lines with their request ids.
        let folder = try Self.folder(["bootstrap": "fixtures/bin/pe/_mod.cp313-win_amd64.pyd"])
        let events = (1...3).map { #"{"errorType":"Runtime.InvalidEntrypoint","errorMessage":"RequestId: 9f\#($0)c Error: fork/exec /var/task/bootstrap: exec format error"}"# }
        let bootstrap = try Shiplint.json(["explain", folder, "--target", "aws-lambda-provided.al2023-x86_64", "--error", events.joined(separator: "\n")])
        let bootstrapExplanations = bootstrap.object["explanations"] as? [[String: Any]] ?? []
        #expect(bootstrapExplanations.count == 1, "\(bootstrap.object)")
        #expect(bootstrapExplanations.first?["seen"] as? Int == 3)
        #expect((bootstrapExplanations.first?["root_cause"] as? [String: Any])?["check"] as? String == "windows-binary")
    }

    /// opencv/opencv-python#1019 (`libGL.so.1: cannot open shared object file`) with opencv-contrib-python
    /// installed: its headless twin is opencv-contrib-python-headless, and in a layer pip installs into python/.
    @Test func libGLFixNamesTheInstalledDistribution() throws {
        // The fixture binary needs libGL.so.1 (and libpq.so.5): it stands in for cv2's extension module.
        let extracted = try Self.folder([:])
        _ = try runProgram("/usr/bin/unzip", ["-q", Repository.fixture("artifacts/resolve/missing-system.zip"), "-d", extracted])
        let module = extracted + "/pkg/_system.cpython-313-x86_64-linux-gnu.so"
        let distribution = [
            "cv2/__init__.py": "",
            "opencv_contrib_python-4.10.0.84.dist-info/METADATA": "Metadata-Version: 2.1\nName: opencv-contrib-python\nVersion: 4.10.0.84\n",
            "opencv_contrib_python-4.10.0.84.dist-info/RECORD": "cv2/__init__.py,sha256=a,0\ncv2/cv2.abi3.so,sha256=b,1\n",
        ]
        let function = try Self.folder(distribution.merging(["lambda_function.py": ""]) { $1 })
        let layer = try Self.folder(Dictionary(uniqueKeysWithValues: distribution.map { ("python/" + $0.key, $0.value) }))
        try FileManager.default.copyItem(atPath: module, toPath: function + "/cv2/cv2.abi3.so")
        try FileManager.default.copyItem(atPath: module, toPath: layer + "/python/cv2/cv2.abi3.so")
        let error = "[ERROR] Runtime.ImportModuleError: Unable to import module 'lambda_function': libGL.so.1: cannot open shared object file: No such file or directory"
        for (artifact, path, folder) in [(function, "cv2/cv2.abi3.so", "build/"), (layer, "python/cv2/cv2.abi3.so", "python/")] {
            let result = try Shiplint.run(["explain", artifact, "--target", "aws-lambda-python3.13-x86_64", "--error", error])
            #expect(result.status == 0)
            #expect(result.stdout.contains("Root cause [missing-library]: \(path)"), "\(result.stdout)")
            #expect(result.stdout.contains("Install opencv-contrib-python-headless instead of opencv-contrib-python 4.10.0.84"))
            #expect(result.stdout.contains("--target \(folder) opencv-contrib-python-headless"), "\(result.stdout)")
            #expect(!result.stdout.contains("opencv-python-headless"))
            // scan gives the same twin on the missing-library finding itself.
            let scan = try Shiplint.run(["scan", artifact, "--target", "aws-lambda-python3.13-x86_64"])
            #expect(scan.stdout.contains("fix: Install opencv-contrib-python-headless instead of opencv-contrib-python 4.10.0.84"), "\(scan.stdout)")
        }
    }

    /// cargo-lambda users on provided.al2 (`version 'GLIBC_2.28' not found (required by /var/task/bootstrap)`):
    /// the fix is Rust/Go/C advice for the runtime's glibc, never Python wheels.
    @Test func providedRuntimeFixesAreForNativeBuilds() throws {
        let folder = try Self.folder(["bootstrap": "fixtures/bin/elf/_glibc228.cpython-311-x86_64-linux-gnu.so"])
        let result = try Shiplint.run(["explain", folder, "--target", "aws-lambda-provided.al2-x86_64", "--error",
            "/var/task/bootstrap: /lib64/libc.so.6: version `GLIBC_2.28' not found (required by /var/task/bootstrap)"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("Root cause [glibc-too-new]: bootstrap"), "\(result.stdout)")
        #expect(result.stdout.contains("cargo lambda build --release --target x86_64-unknown-linux-gnu.2.26"))
        #expect(result.stdout.contains("CGO_ENABLED=0"))
        #expect(!result.stdout.contains("pip install"))
    }

    /// `fork/exec /var/task/bootstrap: exec format error` from a bootstrap script: no #! line, or an interpreter an
    /// OS-only runtime does not have.
    @Test func bootstrapScripts() throws {
        let error = #"{"errorType":"Runtime.InvalidEntrypoint","errorMessage":"RequestId: 1 Error: fork/exec /var/task/bootstrap: exec format error"}"#
        for (script, fragment) in [("#!/usr/bin/env python3\nimport sys\n", "is a script for python3"), ("echo hi\n", "nor a script with a #! line")] {
            let folder = try Self.folder(["bootstrap": script])
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder + "/bootstrap")
            let result = try Shiplint.run(["explain", folder, "--target", "aws-lambda-provided.al2023-x86_64", "--error", error])
            #expect(result.status == 0)
            #expect(result.stdout.contains(fragment), "\(result.stdout)")
        }
        let shell = try Self.folder(["bootstrap": "#!/bin/sh\nexec ./app\n"])
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: shell + "/bootstrap")
        let fine = try Shiplint.run(["explain", shell, "--target", "aws-lambda-provided.al2023-x86_64", "--error", error])
        #expect(fine.status == 1)
        #expect(fine.stdout.contains("Not explained by this artifact"), "\(fine.stdout)")
    }

    /// The issue's faiss-node case: glibc prints the addon's full path under /opt before `cannot open shared object
    /// file` when the file is there but for another CPU. It is that file (wrong-arch), in the layer, named by package.
    @Test func nodeAddonPathInALayer() throws {
        let layer = try Self.folder([
            "nodejs/node_modules/faiss-node/package.json": #"{"name": "faiss-node", "version": "0.5.1", "gypfile": true}"#,
            "nodejs/node_modules/faiss-node/build/Release/faiss-node.node": "fixtures/bin/node/napi-aarch64.node",
        ])
        let function = try Self.folder(["index.js": "const faiss = require('faiss-node');\n"])
        let result = try Shiplint.run(["explain", function, "--layer", layer, "--target", "aws-lambda-nodejs22.x-x86_64", "--error",
            "Error: /opt/nodejs/node_modules/faiss-node/build/Release/faiss-node.node: cannot open shared object file: No such file or directory"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("Root cause [wrong-arch]: nodejs/node_modules/faiss-node/build/Release/faiss-node.node in \(layer)"), "\(result.stdout)")
        #expect(result.stdout.contains("installed by: faiss-node 0.5.1 (nodejs/node_modules/faiss-node)"))
        // The same path under /var/task is not the layer's file: the function has no such file.
        let other = try Shiplint.run(["explain", function, "--layer", layer, "--target", "aws-lambda-nodejs22.x-x86_64", "--error",
            "Error: /var/task/node_modules/faiss-node/build/Release/faiss-node.node: cannot open shared object file: No such file or directory"])
        #expect(other.status == 1)
        #expect(other.stdout.contains("Not explained by this artifact"), "\(other.stdout)")
    }

    @Test func nodeAddonBuiltOnWindows() throws {
        let folder = try Self.folder(["index.js": "", "node_modules/sharp/build/Release/sharp.node": "fixtures/bin/pe/_mod.cp313-win_amd64.pyd"])
        let result = try Shiplint.run(["explain", folder, "--target", "aws-lambda-nodejs22.x-x86_64", "--error",
            "Error: /var/task/node_modules/sharp/build/Release/sharp.node: invalid ELF header"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("Root cause [windows-binary]: node_modules/sharp/build/Release/sharp.node"), "\(result.stdout)")
    }

    @Test func nodeABIOverSeveralLines() throws {
        let folder = try Self.folder(["index.js": "", "node_modules/x/build/Release/x.node": "fixtures/bin/elf/_clean.cpython-313-x86_64-linux-gnu.so"])
        let error = """
            Error: The module '/var/task/node_modules/x/build/Release/x.node'
            was compiled against a different Node.js version using
            NODE_MODULE_VERSION 108. This version of Node.js requires
            NODE_MODULE_VERSION 127. Please try re-compiling or re-installing
            """
        let result = try Shiplint.run(["explain", folder, "--target", "aws-lambda-nodejs22.x-x86_64", "--error", error])
        #expect(result.status == 0)
        #expect(result.stdout.contains("node_modules/x/build/Release/x.node was compiled for Node.js 18 (NODE_MODULE_VERSION 108)"), "\(result.stdout)")
        #expect(result.stdout.contains("npm rebuild"))
    }

    @Test func bootstrapForTheWrongPlatform() throws {
        let folder = try Self.folder(["bootstrap": "fixtures/bin/pe/_mod.cp313-win_amd64.pyd"])
        let result = try Shiplint.run(["explain", folder, "--target", "aws-lambda-provided.al2023-x86_64", "--error",
            #"{"errorType":"Runtime.InvalidEntrypoint","errorMessage":"RequestId: 1 Error: fork/exec /var/task/bootstrap: exec format error"}"#])
        #expect(result.status == 0)
        #expect(result.stdout.contains("Root cause [windows-binary]: bootstrap"), "\(result.stdout)")
    }

    @Test func unrecognisedTextFallsBackToTheScan() throws {
        let result = try Shiplint.run(["explain", "fixtures/artifacts/function-windows.zip", "--target", "aws-lambda-python3.13-x86_64", "--error", "Task timed out after 3.00 seconds"])
        #expect(result.status == 1)
        #expect(result.stdout.hasPrefix("shiplint does not recognise this error text"))
        #expect(result.stdout.contains("error[windows-binary]"))
    }

    @Test func withoutAnErrorListsFailingImports() throws {
        let result = try Shiplint.run(["explain", "fixtures/artifacts/resolve/rpath-missing.zip", "--target", "aws-lambda-python3.13-x86_64"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("  pkg._mod: pkg/_mod.cpython-313-x86_64-linux-gnu.so [missing-library] needs libbar-1a2b3c4d.so.1.0"), "\(result.stdout)")
        let clean = try Shiplint.run(["explain", "fixtures/artifacts/function-clean.zip", "--target", "aws-lambda-python3.13-x86_64"])
        #expect(clean.status == 0)
    }

    @Test func errorFromAFile() throws {
        let folder = try Self.folder(["error.log": "2026-01-01T00:00:00Z [ERROR] Runtime.ImportModuleError: Unable to import module 'app': No module named 'pydantic_core._pydantic_core'\n"])
        let result = try Shiplint.run(["explain", "fixtures/artifacts/function-windows.zip", "--target", "aws-lambda-python3.13-x86_64", "--error-file", folder + "/error.log"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("Root cause [windows-binary]"))
    }
}

/// `shiplint explain PROJECT`: the function, its code, layers, runtime and architecture come from the descriptor.
@Suite struct ExplainProjectTests {
    static let terraform = "fixtures/deployments/terraform"
    static let error = "[ERROR] Runtime.ImportModuleError: Unable to import module 'app': No module named 'native._clean'"

    @Test func functionNamedOnTheCommandLine() throws {
        let result = try Shiplint.run(["explain", Self.terraform, "--function", "tf-api", "--error", Self.error, "--format", "json"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
        // The plan says python3.13 on arm64: no --target, and the x86_64 build is the root cause.
        #expect((json["target"] as? [String: Any])?["name"] as? String == "aws-lambda-python3.13-arm64")
        #expect((json["function"] as? String)?.hasPrefix("aws_lambda_function.api (tf-api) (python3.13, arm64;") == true)
        let root = ((json["explanations"] as? [[String: Any]])?.first?["root_cause"]) as? [String: Any]
        #expect(root?["check"] as? String == "wrong-arch")
        #expect(root?["path"] as? String == "native/_clean.cpython-313-x86_64-linux-gnu.so")
        #expect(root?["artifact"] as? String == "fixtures/deployments/terraform/build/api.zip")
    }

    @Test func functionFoundByItsLogGroup() throws {
        let log = "/aws/lambda/tf-api 2026-11-30T10:00:00Z \(Self.error)"
        let result = try Shiplint.run(["explain", Self.terraform, "--error", log])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.hasPrefix("function aws_lambda_function.api (tf-api) (python3.13, arm64; fixtures/deployments/terraform/plan.json), judged against aws-lambda-python3.13-arm64\n"))
        #expect(result.stdout.contains("Root cause [wrong-arch]: native/_clean.cpython-313-x86_64-linux-gnu.so in fixtures/deployments/terraform/build/api.zip"))
    }

    @Test func severalFunctionsNeedOneNamed() throws {
        let result = try Shiplint.run(["explain", Self.terraform, "--error", Self.error])
        #expect(result.status == 2)
        #expect(result.stderr.contains("has 3 functions (aws_lambda_function.api (tf-api), module.worker.aws_lambda_function.image (tf-image), module.worker.aws_lambda_function.this (tf-worker)): name one with --function"))
        let unknown = try Shiplint.run(["explain", Self.terraform, "--function", "nope", "--error", Self.error])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("no function nope in fixtures/deployments/terraform/plan.json"))
    }

    @Test func imageFunctionsAndArtifactsAreRefusedWithAMessage() throws {
        let image = try Shiplint.run(["explain", Self.terraform, "--function", "tf-image", "--error", Self.error])
        #expect(image.status == 2)
        #expect(image.stderr.contains("is an image function"))
        let artifact = try Shiplint.run(["explain", "fixtures/artifacts/function-aarch64.zip", "--function", "x", "--target", "aws-lambda-python3.13-x86_64", "--error", Self.error])
        #expect(artifact.status == 2)
        #expect(artifact.stderr.contains("--function needs a project"))
    }
}

/// A library loaded by name at run time (ctypes, cffi's dlopen): no DT_NEEDED names it, so the load graph cannot say
/// where it is; explain judges the name against the deployment's files, the loader's folders and the runtime.
@Suite struct ExplainLoadedByNameTests {
    static func explain(_ artifact: String, _ error: String) throws -> (status: Int32, json: [String: Any]) {
        let result = try Shiplint.run(["explain", artifact, "--target", "aws-lambda-python3.12-x86_64", "--error", error, "--format", "json"])
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
        return (result.status, ((json["explanations"] as? [[String: Any]])?.first) ?? [:])
    }

    @Test func absentEverywhereIsTheCause() throws {
        // WeasyPrint through cffi (Kozea/WeasyPrint#1660).
        let (status, explanation) = try Self.explain(
            "fixtures/artifacts/function-clean.zip",
            "OSError: cannot load library 'libcairo.so.2': libcairo.so.2: cannot open shared object file: No such file or directory")
        #expect(status == 0)
        #expect(explanation["explained"] as? Bool == true)
        #expect((explanation["summary"] as? String)?.contains("libcairo.so.2 is loaded by name at run time (no binary links it), and it is neither in the deployment nor in Amazon Linux 2023 (python3.12)") == true)
        #expect((explanation["fix"] as? String)?.contains("/opt/lib") == true)
    }

    @Test func aLibraryTheRuntimeHasIsNotTheCause() throws {
        let (status, explanation) = try Self.explain(
            "fixtures/artifacts/function-clean.zip", "OSError: libssl.so.3: cannot open shared object file: No such file or directory")
        #expect(status == 1)
        #expect(explanation["explained"] as? Bool == false)
        #expect((explanation["summary"] as? String)?.contains("Amazon Linux 2023 (python3.12) has it") == true)
    }

    @Test func aCopyOutsideTheLoadersFoldersIsTheCause() throws {
        let folder = try ExplainTests.folder([
            "app.py": "import ctypes\nctypes.CDLL('libcairo.so.2')\n",
            "vendor/libcairo.so.2": "fixtures/bin/elf/_clean.cpython-312-x86_64-linux-gnu.so",
        ])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (status, explanation) = try Self.explain(folder, "OSError: libcairo.so.2: cannot open shared object file: No such file or directory")
        #expect(status == 0)
        #expect((explanation["summary"] as? String)?.contains("the copy packaged at /var/task/vendor/libcairo.so.2 is in no folder the loader searches") == true)
        let files = explanation["files"] as? [[String: Any]] ?? []
        #expect(files.first?["path"] as? String == "vendor/libcairo.so.2")
        // In lib/, it is on LD_LIBRARY_PATH: then the log does not match this artifact.
        let good = try ExplainTests.folder([
            "app.py": "", "lib/libcairo.so.2": "fixtures/bin/elf/_clean.cpython-312-x86_64-linux-gnu.so",
        ])
        defer { try? FileManager.default.removeItem(atPath: good) }
        let (goodStatus, goodExplanation) = try Self.explain(good, "OSError: libcairo.so.2: cannot open shared object file: No such file or directory")
        #expect(goodStatus == 1)
        #expect((goodExplanation["summary"] as? String)?.contains("on the loader's path at /var/task/lib/libcairo.so.2") == true)
    }
}

/// `shiplint inspect PROJECT`: one function's code and layers, resolved against its own runtime.
@Suite struct InspectProjectTests {
    @Test func treeOfAProjectsFunction() throws {
        let result = try Shiplint.run(["inspect", "fixtures/deployments/terraform", "--function", "tf-api", "--tree", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
        let artifacts = (json["artifacts"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String }
        // The function's code, then its layer, as the plan gives them.
        #expect(artifacts == ["fixtures/deployments/terraform/build/api.zip", "fixtures/deployments/terraform/build/deps.zip"])
        #expect(result.stdout.contains("native/_clean.cpython-313-x86_64-linux-gnu.so"))
        let several = try Shiplint.run(["inspect", "fixtures/deployments/terraform"])
        #expect(several.status == 2)
        #expect(several.stderr.contains("has 3 functions (aws_lambda_function.api (tf-api), module.worker.aws_lambda_function.image (tf-image), module.worker.aws_lambda_function.this (tf-worker)): name one with --function"))
    }
}

/// serverless-python-requirements `zip: true`: the packages travel in .requirements.zip and are imported from
/// /tmp/sls-py-req once unzip_requirements has unpacked them.
@Suite struct ServerlessRequirementsZipTests {
    @Test func modulesInsideRequirementsZipAreFound() throws {
        let folder = try ExplainTests.folder([
            "handler.py": "try:\n    import unzip_requirements\nexcept ImportError:\n    pass\n",
            "unzip_requirements.py": "",
            ".requirements.zip": "fixtures/artifacts/function-windows.zip",
        ])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let result = try Shiplint.run([
            "explain", folder, "--target", "aws-lambda-python3.13-x86_64", "--format", "json",
            "--error", "Runtime.ImportModuleError: Unable to import module 'handler': No module named 'pydantic_core._pydantic_core'",
        ])
        #expect(result.status == 0, "\(result.stdout)")
        let explanation = ((try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])?["explanations"] as? [[String: Any]])?.first
        let root = explanation?["root_cause"] as? [String: Any]
        #expect(root?["check"] as? String == "windows-binary")
        #expect(root?["path"] as? String == ".requirements.zip!pydantic_core/_pydantic_core.cp313-win_amd64.pyd")
        let facts = explanation?["facts"] as? [[String: Any]] ?? []
        #expect(facts.contains { ($0["value"] as? String)?.hasSuffix("in /var/task, /tmp/sls-py-req") == true })
    }
}
