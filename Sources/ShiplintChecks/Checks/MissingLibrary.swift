import ShiplintFacts

extension Check {
    public static let missingLibrary = Check(
        id: "missing-library",
        defaultSeverity: .error,
        summary: "A needed shared library is found neither in the artifact and its layers nor in the runtime",
        explanation: """
            Every ELF lists the libraries it needs (DT_NEEDED). Lambda's loader looks for each along the object's \
            RPATH, then `LD_LIBRARY_PATH` (`/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:\
            /var/task:/var/task/lib:/opt/lib`), then RUNPATH, then the system's own libraries. When it finds it \
            nowhere, the import fails with `ImportError: libGL.so.1: cannot open shared object file: No such file \
            or directory`. Common causes: opencv-python needs the system OpenGL library (libGL.so.1), psycopg2 \
            built on a laptop needs libpq.so.5, a wheel's `<pkg>.libs` folder was left out of the ZIP, a package \
            built against OpenSSL 1.1 (libssl.so.1.1) on a runtime with only OpenSSL 3.

            Fix: on a Lambda target, install a build that bundles its libraries (manylinux wheels from PyPI: \
            opencv-python-headless for opencv-python and opencv-contrib-python-headless for \
            opencv-contrib-python when libGL is missing, psycopg2-binary for psycopg2; `shiplint explain` names the \
            distribution installed), or ship the library in the function's `lib/` folder or a \
            layer's `lib/` folder (`/var/task/lib` and `/opt/lib` are on LD_LIBRARY_PATH). On a wheel-policy \
            target (manylinux, musllinux), vendor it with `auditwheel repair --plat <policy>_<arch>`, which copies \
            the library into `<package>.libs/` and sets the RPATH, building inside the quay.io/pypa image of the \
            policy. An extension linked against `libpythonX.Y.so` is the exception on both: do not ship libpython, \
            link without it (the interpreter provides those symbols). The message names the library, the binary \
            that needs it, and where the loader looked.
            """,
        examples: [
            CheckExample(
                "libGL.so.1 is not on Lambda",
                binary: SampleBinary.elf("cv2/cv2.abi3.so", needed: ["libGL.so.1", "libc.so.6"]),
                target: "aws-lambda-python3.13-x86_64", fires: true, at: "cv2/cv2.abi3.so", mentions: "needs libGL.so.1"),
            CheckExample(
                "libc.so.6 is",
                binary: SampleBinary.elf("pkg/_mod.abi3.so", needed: ["libc.so.6", "libm.so.6"]),
                target: "aws-lambda-python3.13-x86_64", fires: false),
            CheckExample(
                "libssl.so.1.1 is not on Amazon Linux 2023",
                binary: SampleBinary.elf("psycopg2/_psycopg.cpython-312-x86_64-linux-gnu.so", needed: ["libssl.so.1.1"]),
                target: "aws-lambda-python3.12-x86_64", fires: true, at: "psycopg2/_psycopg.cpython-312-x86_64-linux-gnu.so", mentions: "needs libssl.so.1.1"),
        ],
        judgement: .perDeployment { context in
            let graph = context.loadGraph
            let arch = context.runtime.architecture
            // Read once per artifact, and only when something is missing.
            var distributions: [String: [InstalledDistribution]] = [:]
            if !graph.missing.isEmpty {
                for input in context.inputs { distributions[input.artifact.path] = InstalledDistribution.all(in: input.artifact, unpacked: input.unpacked) }
            }
            return graph.missing.compactMap { edge in
                let object = graph.objects[edge.from]
                // A binary that cannot load here at all (wrong-arch, musl-binary) would only repeat its root cause.
                if object.facts.machine != arch.elfMachine || object.facts.bits != arch.bits { return nil }
                if context.runtime.libc.kind == .glibc && muslEvidence(object.facts) != nil { return nil }
                if object.facts.libc == .bionic { return nil }  // android-binary says it
                guard case .missing(let searched) = edge.resolution else { fatalError("missing holds only missing edges") }
                let chain = edge.chain.count > 1
                    ? "; loaded by " + edge.chain.dropLast().map { graph.objects[$0].path }.joined(separator: " → ")
                    : ""
                let known = context.target.knownAbsent(edge.soname)
                // The distribution that installed the binary, when a twin of it bundles (or does without) the library.
                let installed = distributions[object.artifact].flatMap { InstalledDistribution.owning(object.path, among: $0) }
                let twin = installed.flatMap { distribution in
                    distribution.alternative(for: edge.soname).map { alternative in
                        "Install \(alternative.name) instead of \(distribution.name) \(distribution.version) (\(alternative.why)), or ship \(edge.soname) in a layer under lib/ (\(context.runtime.libraries.layerFolder))."
                    }
                }
                return LocatedVerdict(
                    artifact: object.artifact, path: object.path,
                    verdict: Verdict(
                        "needs \(edge.soname), which is neither in the deployment nor in \(context.target.runtimeLabel)\(chain); searched \(searched.joined(separator: ", then "))",
                        fix: twin ?? (InstallAdvice.isLibpython(edge.soname) ? nil : known?.fix)
                            ?? context.advice.shipLibrary(edge.soname),
                        fact: edge.soname))
            }
        })

    public static let missingSymbolVersion = Check(
        id: "missing-symbol-version",
        defaultSeverity: .error,
        summary: "A binary needs a version node that the library it resolves to does not define",
        explanation: """
            Besides the library's name, a binary records the version nodes it needs from it (`LIBJPEG_8.0`, \
            `OPENSSL_3.0.0`, `LIBFOO_2.0`). When the copy the loader finds first is an older or different build \
            that does not define the node, loading fails with `version 'LIBFOO_2.0' not found (required by …)`. It \
            happens when a library is bundled twice in different versions, when RPATH and RUNPATH point at \
            different copies, or when a layer carries an older copy that shadows the function's.

            Fix: on a Lambda target, ship the copy the binary was built against, and make it the one found first \
            (RUNPATH / RPATH `$ORIGIN/…`, or remove the stale copy from the layer or `lib/` folder). On a \
            wheel-policy target, build in the policy's quay.io/pypa image and let `auditwheel repair` vendor the \
            right copy.
            """,
        examples: [
            CheckExample(
                "a bundled library lacking the version", subject: moduleWithBundledLibrary(defining: ["LIBFOO_1.0"]),
                target: "aws-lambda-python3.13-x86_64", fires: true, at: "pkg/_mod.abi3.so", mentions: "needs LIBFOO_2.0 from libfoo.so.1"),
            CheckExample(
                "a bundled library defining it", subject: moduleWithBundledLibrary(defining: ["LIBFOO_1.0", "LIBFOO_2.0"]),
                target: "aws-lambda-python3.13-x86_64", fires: false),
        ],
        judgement: .perDeployment { context in
            let graph = context.loadGraph
            return graph.firstResolutions.compactMap { edge in
                let found: Int
                switch edge.resolution {
                case .bundled(let object, _, _), .alreadyLoaded(let object): found = object
                default: return nil
                }
                let needer = graph.objects[edge.from]
                let provider = graph.objects[found]
                // A library with no version definitions at all satisfies any need (glibc only warns, when verbose).
                guard !provider.facts.versionDefinitions.isEmpty else { return nil }
                let needed = needer.facts.versionNeeds.filter { $0.file == edge.soname }.flatMap(\.names)
                let absent = needed.filter { !provider.facts.versionDefinitions.contains($0) }
                guard !absent.isEmpty else { return nil }
                return LocatedVerdict(
                    artifact: needer.artifact, path: needer.path,
                    verdict: Verdict(
                        "needs \(absent.joined(separator: ", ")) from \(edge.soname), but the copy the loader finds first (\(provider.runtimePath)) defines only \(provider.facts.versionDefinitions.joined(separator: ", "))",
                        fix: context.target.kind == .wheelPolicy
                            ? "Vendor the \(edge.soname) this binary was built against: build in the \(context.advice.wheelImage()) image and let `auditwheel repair --plat \(context.advice.wheelPlatform())` copy it, instead of the stale copy at \(provider.runtimePath)."
                            : "Ship the \(edge.soname) this binary was built against and make it the one found first (RPATH/RUNPATH `$ORIGIN/…`), or remove the stale copy at \(provider.runtimePath).",
                        fact: ([edge.soname] + absent).joined(separator: " ")))
            }
        })

    /// A function whose module needs LIBFOO_2.0 from a bundled libfoo.so.1 that defines `versions`.
    private static func moduleWithBundledLibrary(defining versions: [String]) -> CheckExample.Subject {
        let module = SampleBinary.elf(
            "pkg/_mod.abi3.so", needed: ["libfoo.so.1"], versionNeeds: [VersionNeed(file: "libfoo.so.1", names: ["LIBFOO_2.0"])])
        let library = SampleBinary.library("lib/libfoo.so.1", soname: "libfoo.so.1", definitions: versions)
        return .deployment(
            function: Artifact(path: "function.zip", kind: .zip, entries: [], binaries: [module, library], problems: []),
            layers: [])
    }
}
