import ShiplintFacts
import ShiplintTargets

extension Check {
    public static let jniLibraryMissing = Check(
        id: "jni-library-missing",
        defaultSeverity: .error,
        summary: "A JAR ships its JNI library for other platforms only, none for the Java runtime's Linux and architecture",
        explanation: """
            Java libraries with native code (zstd-jni, sqlite-jdbc, snappy-java, netty's epoll and tcnative, JNA, \
            RocksDB, lz4-java …) carry one JNI library per platform inside the JAR (`linux/amd64/`, \
            `org/sqlite/native/Linux/aarch64/`, `Linux-Musl/x86_64/`, `META-INF/native/libnetty_…_linux_x86_64.so`, \
            `darwin/aarch64/…dylib`, `win/amd64/…dll`) and copy out the one that matches `os.name` and `os.arch` at \
            the first call. shiplint reads every JAR of the function and its layers (`lib/*.jar`, `java/lib/*.jar` in \
            a layer, a JAR deployed as the code), finds those copies by the folder and file names the libraries use, \
            and judges the copy the runtime would pick like any other library (architecture, glibc or musl, glibc \
            version, needed libraries); the copies for other platforms are never loaded, so what is wrong in them is \
            only a note. When no copy is for Linux on the function's architecture (an `osx-aarch_64` classifier \
            resolved on a Mac, a JAR built with its x86-64 library only on arm64), the first call fails with \
            `java.lang.UnsatisfiedLinkError: no zstd-jni in java.library.path` or the library's own \
            "Unsupported OS/arch" error. It is an error when the JAR has a Linux copy for another architecture or C \
            library (it was meant to run on Linux), a warning when it has none (some libraries, lz4-java for one, fall \
            back to pure Java).

            Fix: depend on the library's Linux build for the function's architecture: the Maven classifier \
            (`linux-x86_64` / `linux-aarch_64` for netty and os-maven-plugin, `linux-amd64` / `linux-aarch64` for \
            zstd-jni's per-platform JARs) or the plain artifact that bundles every platform, then package again \
            (`mvn package`, `gradle buildZip`); or switch the function to the architecture the JAR supports.
            """,
        examples: [
            CheckExample(
                "zstd-jni with its x86-64 library only, on arm64",
                subject: .deployment(function: SampleJava.function(jar: "lib/zstd-jni-1.5.5-6.jar", natives: [
                    SampleBinary.elf("linux/amd64/libzstd-jni-1.5.5-6.so"),
                    SampleBinary.macho("darwin/aarch64/libzstd-jni-1.5.5-6.dylib", archs: ["aarch64"]),
                ]), layers: []),
                target: "aws-lambda-java21-arm64", fires: true, at: "lib/zstd-jni-1.5.5-6.jar",
                mentions: "no JNI library for linux/aarch64 in zstd-jni-1.5.5-6.jar"),
            CheckExample(
                "netty's kqueue transport for macOS only",
                subject: .deployment(function: SampleJava.function(jar: "lib/netty-transport-native-kqueue-4.1.100.Final-osx-aarch_64.jar", natives: [
                    SampleBinary.macho("META-INF/native/libnetty_transport_native_kqueue_aarch_64.jnilib", archs: ["aarch64"]),
                ]), layers: []),
                target: "aws-lambda-java21-x86_64", fires: true, at: "lib/netty-transport-native-kqueue-4.1.100.Final-osx-aarch_64.jar",
                mentions: "has copies for darwin/aarch64 only"),
            CheckExample(
                "sqlite-jdbc with every platform",
                subject: .deployment(function: SampleJava.function(jar: "lib/sqlite-jdbc-3.46.0.0.jar", natives: [
                    SampleBinary.elf("org/sqlite/native/Linux/x86_64/libsqlitejdbc.so"),
                    SampleBinary.elf("org/sqlite/native/Linux/aarch64/libsqlitejdbc.so", arch: "aarch64", machine: 183),
                    SampleBinary.macho("org/sqlite/native/Mac/aarch64/libsqlitejdbc.dylib", archs: ["aarch64"]),
                    SampleBinary.pe("org/sqlite/native/Windows/x86_64/sqlitejdbc.dll", imports: ["KERNEL32.dll"]),
                ]), layers: []),
                target: "aws-lambda-java21-arm64", fires: false),
        ],
        judgement: .perDeployment { context in
            let runtime = context.runtime
            guard runtime.family == .java || runtime.target.java != nil else { return [] }
            return NativeChoice.all(placed: context.placed, runtime: runtime).filter { $0.picker == .jvm && $0.picked == nil }.map { choice in
                let platforms = Array(Set(choice.copies.map(\.platform))).sorted()
                let name = choice.containerName
                let files = Array(Set(choice.copies.map { EntryPath.lastComponent(EntryPath.inner($0.path)) ?? $0.path })).sorted()
                let message = "no JNI library for \(choice.wanted) in \(name): its \(files.joined(separator: ", ")) has copies for \(platforms.joined(separator: ", ")) only; the first call into it fails with java.lang.UnsatisfiedLinkError"
                return LocatedVerdict(
                    artifact: choice.artifact, path: choice.container,
                    verdict: Verdict(
                        message, fix: context.advice(for: choice.role).rebuild(), fact: "\(choice.library) \(choice.wanted)",
                        severity: choice.hasLinuxCopy ? nil : .warning))
            }
        })
}

/// Java functions built in code for check examples and tests.
public enum SampleJava {
    /// A function .zip whose `jar` holds `natives` (their paths inside the JAR).
    public static func function(jar: String, natives: [Binary], path: String = "function.zip") -> Artifact {
        let binaries = natives.map { Binary(path: jar + "!" + $0.path, size: $0.size, mode: $0.mode, facts: $0.facts, problem: $0.problem) }
        return Artifact(
            path: path, kind: .zip,
            entries: [ArtifactEntry(path: "com/example/Handler.class", size: 900, mode: 0o100644, type: .file),
                      ArtifactEntry(path: jar, size: 100_000, mode: 0o100644, type: .file)],
            binaries: binaries, problems: [])
    }
}
