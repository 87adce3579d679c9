import ShiplintFacts
import ShiplintTargets

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
                // Another Ruby's libruby on a Ruby runtime: ruby-abi-mismatch says it in Ruby's words.
                if context.target.ruby != nil && RubyABI.minor(ofLibruby: edge.soname) != nil { return nil }
                guard case .missing(let searched) = edge.resolution else { fatalError("missing holds only missing edges") }
                let chain = edge.loadedBy.isEmpty ? "" : "; loaded by " + edge.loadedBy.joined(separator: " → ")
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
                            ?? context.advice.shipLibrary(edge.soname, program: object.facts.interpreter != nil),
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
            different copies, or when a layer carries an older copy that shadows the function's. It happens with the \
            runtime's own libraries too: `/var/lang/lib` is first on `LD_LIBRARY_PATH`, so Node.js runtimes load \
            their own OpenSSL (nodejs22.x: 3.3, which lacks `OPENSSL_3.4.0`) instead of the OS's 3.5 that an addon \
            built on Amazon Linux 2023 was linked against, and Python runtimes their own liblzma; the target's rule \
            file says what each copy defines. And with glibc's: `GLIBC_ABI_DT_RELR`, which a library linked with \
            `-z pack-relative-relocs` against glibc 2.36 or later needs, is defined by libc.so.6 only, since 2.36, \
            so Amazon Linux 2023 (2.34) refuses it (a numbered `GLIBC_2.N` above the runtime's glibc is glibc-too-new's).

            Fix: on a Lambda target, ship the copy the binary was built against, and make it the one found first \
            (RUNPATH / RPATH `$ORIGIN/…`, or remove the stale copy from the layer or `lib/` folder). On a \
            wheel-policy target, build in the policy's quay.io/pypa image and let `auditwheel repair` vendor the \
            right copy. For the runtime's own copy, build against its release (in the runtime's build image), or \
            bundle the library and find it through DT_RPATH, which is searched before `LD_LIBRARY_PATH` (DT_RUNPATH \
            is searched after it and loses to `/var/lang/lib`).
            """,
        examples: [
            CheckExample(
                "OPENSSL_3.4.0 against nodejs22.x's own OpenSSL 3.3",
                binary: SampleBinary.elf(
                    "node_modules/addon/build/Release/addon.node", needed: ["libcrypto.so.3", "libc.so.6"],
                    versionNeeds: [VersionNeed(file: "libcrypto.so.3", names: ["OPENSSL_3.0.0", "OPENSSL_3.4.0"])]),
                target: "aws-lambda-nodejs22.x-x86_64", fires: true, at: "node_modules/addon/build/Release/addon.node",
                mentions: "needs OPENSSL_3.4.0 from libcrypto.so.3, but the copy the loader finds first is /var/lang/lib/libcrypto.so.3, the runtime's own OpenSSL 3.3.5"),
            CheckExample(
                "OPENSSL_3.4.0 against python3.13's OS OpenSSL 3.5",
                binary: SampleBinary.elf(
                    "pkg/_ssl.abi3.so", needed: ["libcrypto.so.3", "libc.so.6"],
                    versionNeeds: [VersionNeed(file: "libcrypto.so.3", names: ["OPENSSL_3.0.0", "OPENSSL_3.4.0"])]),
                target: "aws-lambda-python3.13-x86_64", fires: false),
            CheckExample(
                "a bundled library lacking the version", subject: moduleWithBundledLibrary(defining: ["LIBFOO_1.0"]),
                target: "aws-lambda-python3.13-x86_64", fires: true, at: "pkg/_mod.abi3.so", mentions: "needs LIBFOO_2.0 from libfoo.so.1"),
            CheckExample(
                "a bundled library defining it", subject: moduleWithBundledLibrary(defining: ["LIBFOO_1.0", "LIBFOO_2.0"]),
                target: "aws-lambda-python3.13-x86_64", fires: false),
            CheckExample(
                "GLIBC_ABI_DT_RELR (glibc 2.36) on Amazon Linux 2023's glibc 2.34",
                binary: SampleBinary.elf("pkg/_relr.abi3.so", versionNeeds: [VersionNeed(file: "libc.so.6", names: ["GLIBC_2.2.5", "GLIBC_ABI_DT_RELR"])]),
                target: "aws-lambda-python3.13-x86_64", fires: true, at: "pkg/_relr.abi3.so",
                mentions: "needs GLIBC_ABI_DT_RELR from libc.so.6 (/lib64/libc.so.6), and glibc 2.34"),
            CheckExample(
                "GLIBC_ABI_DT_RELR with GLIBC_2.36 on glibc 2.34: glibc-too-new's",
                binary: SampleBinary.elf("pkg/_relr.abi3.so", versionNeeds: [VersionNeed(file: "libc.so.6", names: ["GLIBC_2.36", "GLIBC_ABI_DT_RELR"])]),
                target: "aws-lambda-python3.13-x86_64", fires: false),
            CheckExample(
                "GLIBC_ABI_DT_RELR asked of libm.so.6",
                binary: SampleBinary.elf(
                    "pkg/_relr.abi3.so", needed: ["libm.so.6", "libc.so.6"],
                    versionNeeds: [VersionNeed(file: "libm.so.6", names: ["GLIBC_2.2.5", "GLIBC_ABI_DT_RELR"])]),
                target: "aws-lambda-python3.13-x86_64", fires: true, at: "pkg/_relr.abi3.so",
                mentions: "only libc.so.6 defines it (glibc 2.36 and later), not libm.so.6"),
            CheckExample(
                "numbered glibc nodes are glibc-too-new's",
                binary: SampleBinary.elf(
                    "pkg/_m.abi3.so", needed: ["libm.so.6", "libc.so.6"],
                    versionNeeds: [VersionNeed(file: "libm.so.6", names: ["GLIBC_2.2.5", "GLIBC_2.4", "GLIBC_2.29"])]),
                target: "aws-lambda-python3.13-x86_64", fires: false),
        ],
        judgement: .perDeployment { context in
            let graph = context.loadGraph
            return graph.firstResolutions.compactMap { edge in
                let found: Int
                switch edge.resolution {
                case .bundled(let object, _, _), .alreadyLoaded(let object): found = object
                case .runtime(let directory):
                    return runtimeCopyVerdict(edge, directory: directory, graph: graph, libraries: context.runtime.libraries, target: context.target)
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

    /// A need of `GLIBC_ABI_DT_RELR` on one of glibc's libraries that the target's glibc does not define it in: only
    /// libc.so.6 defines it, and only since glibc 2.36 (elf/Versions in glibc; rules/symbols), so a library linked with
    /// `-z pack-relative-relocs` against a newer glibc fails on Amazon Linux 2023's 2.34, and a need of it from
    /// libm.so.6 fails everywhere: ld.so checks every need of every object it loads (_dl_check_map_versions,
    /// elf/dl-version.c), `version 'GLIBC_ABI_DT_RELR' not found`. Only this node: glibc's ABI lists (the table) leave
    /// out nodes without symbols, which the libraries still define (libm.so.6's GLIBC_2.4 since 2.28), so a numbered
    /// node absent from the table is no proof; a numbered node above the target's glibc is glibc-too-new's.
    private static func glibcLibraryVerdict(
        _ edge: LoadGraph.Edge, path: String, needed: [String], needer: LoadGraph.Object, target: TargetRuntime
    ) -> LocatedVerdict? {
        let node = "GLIBC_ABI_DT_RELR"
        // A wheel policy says its own allowed nodes (policy-symbol-version).
        guard target.kind != .wheelPolicy, target.platform.libc == .glibc, needed.contains(node),
            let library = target.providedLibrary(edge.soname), let tableName = library.symbols, tableName.hasPrefix("glibc-"),
            let table = SymbolTable.builtIn(tableName), let release = library.release.flatMap({ VersionNumber($0) }),
            table.releases.contains(release), !library.versionNodes.contains(node)
        else { return nil }
        // Built against a newer glibc than the target's: glibc-too-new says that cause (one cause, one finding).
        if let highest = needer.facts.highestNeed(family: "GLIBC"), highest.version > target.platform.libcVersion { return nil }
        let why = edge.soname == "libc.so.6"
            ? "glibc \(release) (\(target.platform.displayName)) does not define it: libc.so.6 has it since glibc 2.36"
            : "only libc.so.6 defines it (glibc 2.36 and later), not \(edge.soname)"
        return LocatedVerdict(
            artifact: needer.artifact, path: needer.path,
            verdict: Verdict(
                "needs \(node) from \(edge.soname) (\(path)), and \(why): `version '\(node)' not found (required by \(needer.runtimePath))`",
                fix: edge.soname == "libc.so.6"
                    ? "It was linked with DT_RELR relocations (`-z pack-relative-relocs`, the default of some newer distributions) against glibc 2.36 or later: build it against glibc \(release) (in the runtime's build image, e.g. `sam build --use-container`), or link without `-z pack-relative-relocs`."
                    : "\(node) is libc.so.6's alone: the file names the wrong library for it, so it was damaged or edited after linking. Reinstall the package, or rebuild \(needer.path).",
                fact: "\(edge.soname) \(node)"))
    }

    /// A need on a library of the runtime itself, judged by what the rule says that copy defines (the runtime's own
    /// copy in /var/lang/lib shadows the OS's: Node's OpenSSL, Python's liblzma). Nil when the rule does not know it.
    private static func runtimeCopyVerdict(
        _ edge: LoadGraph.Edge, directory: String, graph: LoadGraph, libraries: LibrarySearch, target: TargetRuntime
    ) -> LocatedVerdict? {
        let path = (directory.hasSuffix("/") ? directory : directory + "/") + edge.soname
        let needer = graph.objects[edge.from]
        let needed = needer.facts.versionNeeds.filter { $0.file == edge.soname }.flatMap(\.names)
        guard let library = libraries.provided(edge.soname, in: directory) else {
            return glibcLibraryVerdict(edge, path: path, needed: needed, needer: needer, target: target)
        }
        guard !library.versionNodes.isEmpty else { return nil }
        let release = library.release ?? "copy of \(edge.soname)"
        let absent = needed.filter { !library.versionNodes.contains($0) }
        guard !absent.isEmpty else { return nil }
        let own = directory == libraries.runtimeFolder
        let whose = own ? "the runtime's own \(release), found before the OS's because \(directory) is first on LD_LIBRARY_PATH" : "\(target.platform.displayName)'s \(release)"
        let defined = library.versionNodes.count > 6
            ? "\(library.versionNodes.prefix(2).joined(separator: ", ")) … \(library.versionNodes.last!)" : library.versionNodes.joined(separator: ", ")
        let fix = own
            ? "Build it against \(release) or older (in the runtime's own build image, e.g. `sam build --use-container`), or ship the \(edge.soname) it was built against and load it first: DT_RUNPATH is searched after LD_LIBRARY_PATH, so only a DT_RPATH (`-Wl,--disable-new-dtags,-rpath,'$ORIGIN/…'`) or preloading it by path beats \(path)."
            : "Build it against \(release) or older (in the runtime's own build image, e.g. `sam build --use-container`), or ship the \(edge.soname) it was built against next to it with an RPATH `$ORIGIN/…` that finds it first."
        return LocatedVerdict(
            artifact: needer.artifact, path: needer.path,
            verdict: Verdict(
                "needs \(absent.joined(separator: ", ")) from \(edge.soname), but the copy the loader finds first is \(path), \(whose), which defines only \(defined): `version '\(absent[0])' not found`",
                fix: fix, fact: ([edge.soname] + absent).joined(separator: " ")))
    }

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
