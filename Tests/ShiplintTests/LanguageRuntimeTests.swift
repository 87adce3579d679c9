import Foundation
@testable import ShiplintChecks
import ShiplintFacts
@testable import ShiplintTargets
import Testing

/// Java, Ruby and .NET through the runtime view: where each loads code from, and how a library shipped one copy per
/// platform (JNI in a JAR, .NET `runtimes/<rid>/native`) is picked.
@Suite struct LanguageRuntimeTests {
    static func view(_ target: String) throws -> RuntimeView {
        RuntimeView(target: try TargetCatalog.builtIn.load(target))
    }

    @Test func javaClassPath() throws {
        let view = try Self.view("aws-lambda-java21-arm64")
        #expect(view.family == .java && view.target.java?.version == "21")
        let path = try #require(view.modules)
        #expect(path.language == .java && path.functionFolders == ["", "lib"] && path.layerFolders == ["java/lib"])
        #expect(view.isOnClassPath(jar: "lib/zstd-jni-1.5.5-6.jar", in: .function) == true)
        #expect(view.isOnClassPath(jar: "app.jar", in: .function) == true)
        #expect(view.isOnClassPath(jar: "build/libs/app.jar", in: .function) == false)
        #expect(view.isOnClassPath(jar: "java/lib/netty.jar", in: .layer(1)) == true)
        #expect(try Self.view("aws-lambda-python3.13-x86_64").isOnClassPath(jar: "lib/x.jar", in: .function) == nil)
    }

    @Test func rubyGemPaths() throws {
        let view = try Self.view("aws-lambda-ruby3.3-x86_64")
        let ruby = try #require(view.target.ruby)
        #expect(ruby.version.description == "3.3.12" && ruby.versionFolder == "3.3.0" && ruby.arch == "x86_64-linux")
        #expect(ruby.libruby == "libruby.so.3.3")
        let path = try #require(view.modules)
        #expect(path.functionFolders == ["", "vendor/bundle/ruby/3.3.0"])
        #expect(path.layerFolders.contains("ruby/gems/3.3.0") && path.layerFolders.contains("ruby/lib"))
        #expect(view.rubyExtensionsFolder == "extensions/x86_64-linux/3.3.0")
        #expect(try Self.view("aws-lambda-ruby3.4-arm64").rubyExtensionsFolder == "extensions/aarch64-linux/3.4.0")
    }

    @Test func dotnetRIDs() throws {
        let view = try Self.view("aws-lambda-dotnet8-arm64")
        #expect(view.family == .dotnet && view.modules?.functionFolders == [""])
        #expect(view.target.dotnet?.runtimeIdentifiers == ["linux-arm64", "linux", "unix-arm64", "unix", "any"])
        #expect(view.target.dotnet?.major == "8")
        #expect(TargetRuntime.Dotnet.portableRIDs(.x86_64) == ["linux-x64", "linux", "unix-x64", "unix", "any"])
    }

    /// The folder and file names real libraries pick their JNI library by.
    @Test(arguments: [
        ("linux/amd64/libzstd-jni-1.5.5-6.so", "linux/x86_64", "zstd_jni_1_5_5_6"),
        ("darwin/aarch64/libzstd-jni-1.5.5-6.dylib", "darwin/aarch64", "zstd_jni_1_5_5_6"),
        ("win/amd64/libzstd-jni-1.5.5-6.dll", "windows/x86_64", "zstd_jni_1_5_5_6"),
        ("org/sqlite/native/Linux/aarch64/libsqlitejdbc.so", "linux/aarch64", "org/sqlite/native/sqlitejdbc"),
        ("org/sqlite/native/Linux-Musl/x86_64/libsqlitejdbc.so", "linux-musl/x86_64", "org/sqlite/native/sqlitejdbc"),
        ("org/sqlite/native/Linux-Android/aarch64/libsqlitejdbc.so", "android/aarch64", "org/sqlite/native/sqlitejdbc"),
        ("org/sqlite/native/Windows/x86_64/sqlitejdbc.dll", "windows/x86_64", "org/sqlite/native/sqlitejdbc"),
        ("org/xerial/snappy/native/Mac/aarch64/libsnappyjava.dylib", "darwin/aarch64", "org/xerial/snappy/native/snappyjava"),
        ("com/sun/jna/linux-x86-64/libjnidispatch.so", "linux/x86_64", "com/sun/jna/jnidispatch"),
        ("com/sun/jna/darwin-aarch64/libjnidispatch.jnilib", "darwin/aarch64", "com/sun/jna/jnidispatch"),
        ("META-INF/native/libnetty_transport_native_epoll_aarch_64.so", "linux/aarch64", "meta_inf/native/netty_transport_native_epoll"),
        ("META-INF/native/libnetty_tcnative_osx_x86_64.jnilib", "darwin/x86_64", "meta_inf/native/netty_tcnative"),
        ("natives/linux_64/liblwjgl.so", "linux/x86_64", "natives/lwjgl"),
        ("librocksdbjni-linux64.so", "linux/x86_64", "rocksdbjni"),
        ("librocksdbjni-linux32.so", "linux/x86", "rocksdbjni"),
        ("librocksdbjni-linux64-musl.so", "linux-musl/x86_64", "rocksdbjni"),
        ("librocksdbjni-linux-aarch64.so", "linux/aarch64", "rocksdbjni"),
    ])
    func jniConventions(path: String, platform: String, library: String) throws {
        let found = try #require(JniPlatform(path: path))
        #expect(found.description == platform)
        #expect(found.library == library)
    }

    @Test func jniWithoutPlatformIsNoChoice() {
        #expect(JniPlatform(path: "native/libfoo.so") == nil)
        #expect(JniPlatform(path: "com/example/Handler.class") == nil)
        // The copy loaded as it is when none is named for the platform: Linux, no architecture, the shared name.
        let unnamed = try? #require(JniPlatform(unnamedLinuxLibrary: "META-INF/native/libnetty-tcnative.so"))
        #expect(unnamed?.isUnnamed == true && unnamed?.os == "linux" && unnamed?.arch == nil)
        #expect(unnamed?.library == JniPlatform(path: "META-INF/native/libnetty_tcnative_linux_x86_64.so")?.library)
        #expect(JniPlatform(unnamedLinuxLibrary: "native/foo.dll") == nil)
        #expect(JniPlatform(unnamedLinuxLibrary: "linux/amd64/libfoo.so") == nil)
    }

    /// Platform gems' folder names as RubyGems writes them, and whether Ruby on Lambda activates them.
    @Test(arguments: [
        ("nokogiri-1.16.0-arm64-darwin", "nokogiri", "arm64-darwin", false, false),
        ("google-protobuf-3.25.2-x86_64-linux", "google-protobuf", "x86_64-linux", true, false),
        ("sqlite3-1.7.0-aarch64-linux-gnu", "sqlite3", "aarch64-linux-gnu", false, true),
        ("ffi-1.17.0-x86_64-linux-musl", "ffi", "x86_64-linux-musl", false, false),
        ("nokogiri-1.16.0-x64-mingw-ucrt", "nokogiri", "x64-mingw-ucrt", false, false),
        ("grpc-1.60.0-universal-darwin", "grpc", "universal-darwin", false, false),
        ("bcrypt-3.1.20-java", "bcrypt", "java", false, false),
    ])
    func rubyPlatformGems(fullName: String, name: String, platform: String, fitsX86: Bool, fitsArm: Bool) throws {
        let gem = try #require(RubyPlatform.ofGem(fullName: fullName))
        #expect(gem.name == name && gem.platform.description == platform)
        #expect(gem.platform.fits(try Self.view("aws-lambda-ruby3.3-x86_64")) == fitsX86)
        #expect(gem.platform.fits(try Self.view("aws-lambda-ruby3.3-arm64")) == fitsArm)
    }

    @Test func gemsWithoutPlatformAndLocks() throws {
        #expect(RubyPlatform.ofGem(fullName: "aws-sdk-core-3.190.0") == nil)
        #expect(RubyPlatform.ofGem(fullName: "ffi-1.17.0") == nil)
        #expect(RubyPlatform(description: "ruby").fits(try Self.view("aws-lambda-ruby3.4-arm64")))
        let lock = try #require(GemfileLock(text: "GEM\n  specs:\n    ffi (1.17.0)\n\nPLATFORMS\n  arm64-darwin-23\n  x86_64-linux\n\nDEPENDENCIES\n  ffi\n"))
        #expect(lock.platforms.map(\.description) == ["arm64-darwin-23", "x86_64-linux"])
        #expect(GemfileLock(text: "source 'https://rubygems.org'\ngem 'ffi'\n") == nil)
    }

    /// A RID-specific publish lists its native assets under `native` (loaded from the app's folder by file name); a
    /// portable one under `runtimeTargets`, each with its RID; other asset types are not native code.
    @Test func dotnetDepsNativeAssets() throws {
        let text = #"""
            {"runtimeTarget": {"name": ".NETCoreApp,Version=v8.0/linux-x64"},
             "targets": {".NETCoreApp,Version=v8.0": {},
                         ".NETCoreApp,Version=v8.0/linux-x64": {
                "SQLitePCLRaw.lib.e_sqlite3/2.1.6": {"native": {"runtimes/linux-x64/native/libe_sqlite3.so": {"fileVersion": "0.0.0.0"}}},
                "Grpc.Core/2.46.6": {"runtimeTargets": {
                    "runtimes/linux-arm64/native/libgrpc_csharp_ext.arm64.so": {"rid": "linux-arm64", "assetType": "native"},
                    "runtimes/win-x64/lib/Grpc.Core.dll": {"rid": "win-x64", "assetType": "runtime"}}}}}}
            """#
        let deps = try #require(DotnetDeps(manifest: "publish/MyFunction.deps.json", text: text))
        #expect(deps.appFolder == "publish")
        #expect(deps.assets.map(\.path) == ["publish/runtimes/linux-arm64/native/libgrpc_csharp_ext.arm64.so", "publish/libe_sqlite3.so"])
        #expect(deps.assets.map(\.rid) == ["linux-arm64", nil])
        #expect(DotnetDeps(manifest: "x.deps.json", text: "{}") == nil)
    }

    @Test func dotnetLibraryNames() {
        #expect(NativeChoice.libraryName("libe_sqlite3.so") == "e_sqlite3")
        #expect(NativeChoice.libraryName("e_sqlite3.dll") == "e_sqlite3")
        #expect(NativeChoice.libraryName("libSkiaSharp.so.116.0.0") == "SkiaSharp")
    }
}

/// Real JNI libraries in real JARs and a real .NET publish layout, from Debian 12's packages
/// (fixtures/src/runtimes/debian_natives.py, `make debian-natives`; cached in .build/debian-natives). When the
/// Debian archive cannot be reached the tests say so and check nothing.
@Suite(.serialized) struct DebianNativeTests {
    static let folder = Repository.root + "/.build/debian-natives"

    static let built: Result<String, DebianAddonTests.SkipReason> = {
        let marker = folder + "/java/jansi-debian.zip"
        if FileManager.default.fileExists(atPath: marker) { return .success(folder) }
        guard let run = try? runProgram("/usr/bin/python3", [Repository.root + "/fixtures/src/runtimes/debian_natives.py", folder]) else {
            return .failure(DebianAddonTests.SkipReason(text: "python3 could not run fixtures/src/runtimes/debian_natives.py"))
        }
        if run.status == 3 { return .failure(DebianAddonTests.SkipReason(text: run.stderr.trimmingCharacters(in: .whitespacesAndNewlines))) }
        #expect(run.status == 0, "debian_natives.py failed: \(run.stderr)")
        return run.status == 0 ? .success(folder) : .failure(DebianAddonTests.SkipReason(text: "debian_natives.py failed"))
    }()

    /// (check, severity, path) of every finding of `scan ARTIFACT --target TARGET`, and the exit status.
    static func findings(_ artifact: String, target: String) throws -> (Int32, [String]) {
        let (status, json) = try Shiplint.json(["scan", artifact, "--target", target])
        let found = (json["artifacts"] as? [[String: Any]] ?? []).flatMap { artifact in
            (artifact["findings"] as? [[String: Any]] ?? []).map {
                "\($0["check"] as? String ?? "?") \($0["severity"] as? String ?? "?") \($0["path"] as? String ?? "?")"
            }
        }
        return (status, found.sorted())
    }

    static func messages(_ artifact: String, target: String, check: String) throws -> [String] {
        let (_, json) = try Shiplint.json(["scan", artifact, "--target", target])
        return (json["artifacts"] as? [[String: Any]] ?? []).flatMap { artifact in
            (artifact["findings"] as? [[String: Any]] ?? []).filter { $0["check"] as? String == check }.compactMap { $0["message"] as? String }
        }
    }

    static func ready() -> String? {
        switch built {
        case .success(let folder): return folder
        case .failure(let reason):
            print("skip: \(reason.text)")
            return nil
        }
    }

    @Test func zstdJniEveryPlatformPicksItsOwn() throws {
        guard let folder = Self.ready() else { return }
        let jar = "lib/zstd-jni-1.5.2-5.jar!"
        let (x64Status, x64) = try Self.findings(folder + "/java/zstd-all.zip", target: "aws-lambda-java21-x86_64")
        #expect(x64Status == 0)
        #expect(x64 == [
            "darwin-binary note \(jar)darwin/aarch64/libzstd-jni-1.5.2-5.dylib",
            "darwin-binary note \(jar)darwin/x86_64/libzstd-jni-1.5.2-5.dylib",
            "wrong-arch note \(jar)linux/aarch64/libzstd-jni-1.5.2-5.so",
        ])
        let (armStatus, arm) = try Self.findings(folder + "/java/zstd-all.zip", target: "aws-lambda-java21-arm64")
        #expect(armStatus == 0)
        #expect(arm.contains("wrong-arch note \(jar)linux/amd64/libzstd-jni-1.5.2-5.so") && !arm.contains { $0.contains("error") })
        // A JAR deployed as the code itself.
        let (_, whole) = try Self.findings(folder + "/java/zstd-jni-1.5.2-5.jar", target: "aws-lambda-java21-arm64")
        #expect(whole.contains("wrong-arch note linux/amd64/libzstd-jni-1.5.2-5.so") && !whole.contains { $0.contains("error") }, "\(whole)")
        // Debian's build links the system libzstd.so.1 (upstream links zstd in): Amazon Linux 2023 has it, Amazon
        // Linux 2 (java17) does not, and only the copy the JVM picks is looked up.
        let (al2Status, al2) = try Self.findings(folder + "/java/zstd-all.zip", target: "aws-lambda-java17-arm64")
        #expect(al2Status == 1)
        #expect(al2.filter { $0.hasPrefix("missing-library") } == ["missing-library error \(jar)linux/aarch64/libzstd-jni-1.5.2-5.so"], "\(al2)")
    }

    @Test func classifierJarForAnotherArchitecture() throws {
        guard let folder = Self.ready() else { return }
        let jar = "lib/zstd-jni-1.5.2-5-linux-amd64.jar"
        let (status, found) = try Self.findings(folder + "/java/zstd-amd64-only.zip", target: "aws-lambda-java21-arm64")
        #expect(status == 1)
        #expect(found == ["jni-library-missing error \(jar)", "wrong-arch note \(jar)!linux/amd64/libzstd-jni-1.5.2-5.so"])
        let messages = try Self.messages(folder + "/java/zstd-amd64-only.zip", target: "aws-lambda-java21-arm64", check: "jni-library-missing")
        #expect(messages.first?.hasPrefix("no JNI library for linux/aarch64 in zstd-jni-1.5.2-5-linux-amd64.jar") == true, "\(messages)")
        #expect(try Self.findings(folder + "/java/zstd-amd64-only.zip", target: "aws-lambda-java21-x86_64") == (0, []))
        // In a layer's java/lib, the same.
        let (_, layer) = try Self.findings(folder + "/java/layer-zstd-amd64-only.zip", target: "aws-lambda-java11-arm64")
        #expect(layer.contains("jni-library-missing error java/lib/zstd-jni-1.5.2-5-linux-amd64.jar"))
        // On a runtime without a JVM nothing in a JAR is loaded.
        let (pythonStatus, python) = try Self.findings(folder + "/java/zstd-amd64-only.zip", target: "aws-lambda-python3.13-arm64")
        #expect(pythonStatus == 0 && python == ["wrong-arch note \(jar)!linux/amd64/libzstd-jni-1.5.2-5.so"])
    }

    /// Debian's jansi-2.4.0 JAR, unmodified: macOS libraries only (jansi falls back to plain output without one).
    @Test func jarWithOtherOperatingSystemsOnly() throws {
        guard let folder = Self.ready() else { return }
        let jar = "lib/jansi-2.4.0.jar"
        let native = "\(jar)!org/fusesource/jansi/internal/native/Mac"
        let (status, found) = try Self.findings(folder + "/java/jansi-debian.zip", target: "aws-lambda-java21-x86_64")
        #expect(status == 0)
        #expect(found == [
            "darwin-binary note \(native)/arm64/libjansi.jnilib", "darwin-binary note \(native)/x86/libjansi.jnilib",
            "darwin-binary note \(native)/x86_64/libjansi.jnilib", "jni-library-missing warning \(jar)",
        ], "\(found)")
        let messages = try Self.messages(folder + "/java/jansi-debian.zip", target: "aws-lambda-java21-x86_64", check: "jni-library-missing")
        #expect(messages.first?.hasPrefix("no JNI library for linux/x86_64 in jansi-2.4.0.jar: its libjansi.jnilib has copies for darwin/aarch64, darwin/x86, darwin/x86_64 only") == true, "\(messages)")
    }

    @Test func wrongBuildInTheFolderThePlatformPicks() throws {
        guard let folder = Self.ready() else { return }
        let (status, found) = try Self.findings(folder + "/java/zstd-swapped.zip", target: "aws-lambda-java21-x86_64")
        #expect(status == 1)
        #expect(found == ["wrong-arch error lib/zstd-jni-1.5.2-5.jar!linux/amd64/libzstd-jni-1.5.2-5.so"])
    }

    @Test func pickedCopyNeedsAreResolved() throws {
        guard let folder = Self.ready() else { return }
        // Debian's libsnappyjava.so needs the system libsnappy.so.1, which Lambda does not have.
        let (status, found) = try Self.findings(folder + "/java/snappy.zip", target: "aws-lambda-java21-arm64")
        #expect(status == 1)
        #expect(found.contains("missing-library error lib/snappy-java-1.1.8.3.jar!org/xerial/snappy/native/Linux/aarch64/libsnappyjava.so"))
        #expect(!found.contains { $0.hasPrefix("missing-library") && $0.contains("x86_64") }, "\(found)")
    }

    /// A `.so` in a JAR whose path names no platform (netty-tcnative's `META-INF/native/libnetty-tcnative.so`) is the
    /// copy the library's loader loads as it is when no copy named for the platform is there (netty's
    /// NativeLibraryLoader tries `netty_tcnative_linux_x86_64`, then `netty_tcnative`): its needs are looked up and its
    /// machine judged; beside a copy named for the platform it is only the fallback; without a JVM nothing loads it.
    @Test func jniLibraryWhosePathNamesNoPlatform() throws {
        let folder = Scratch.url("shiplint-jni").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let script = """
            import sys, zipfile, io
            out, fixtures = sys.argv[1], sys.argv[2]
            def put(z, path, data):
                info = zipfile.ZipInfo(path, (2024, 1, 1, 0, 0, 0))
                info.external_attr = 0o644 << 16
                z.writestr(info, data)
            def function(name, members):
                jar = io.BytesIO()
                with zipfile.ZipFile(jar, "w") as z:
                    put(z, "META-INF/MANIFEST.MF", "Manifest-Version: 1.0\\n")
                    for path, fixture in members.items():
                        put(z, path, open(fixtures + "/" + fixture, "rb").read())
                with zipfile.ZipFile(out + "/" + name, "w") as z:
                    put(z, "lib/netty-tcnative-1.1.33.Fork9-linux-x86_64.jar", jar.getvalue())
            function("unnamed.zip", {"META-INF/native/libnetty-tcnative.so": "corpus/needs-libssl.so.1.0.0.so"})
            function("fallback.zip", {"META-INF/native/libnetty-tcnative.so": "corpus/needs-libssl.so.1.0.0.so",
                                      "META-INF/native/libnetty_tcnative_linux_x86_64.so": "elf/libfoo.so.1"})
            function("unnamed-arm.zip", {"META-INF/native/libnetty-tcnative.so": "elf/_clean.cpython-313-aarch64-linux-gnu.so"})
            """
        let python = try runProgram("/usr/bin/env", ["python3", "-c", script, folder, Repository.root + "/fixtures/bin"])
        try #require(python.status == 0, "python3 is needed to build this case: \(python.stderr)")
        let member = "lib/netty-tcnative-1.1.33.Fork9-linux-x86_64.jar!META-INF/native/libnetty-tcnative.so"
        let (status, found) = try Self.findings(folder + "/unnamed.zip", target: "aws-lambda-java21-x86_64")
        #expect(status == 1)
        #expect(found == ["missing-library error \(member)"])
        let (_, json) = try Shiplint.json(["scan", folder + "/unnamed.zip", "--target", "aws-lambda-java21-x86_64"])
        let finding = try #require(((json["artifacts"] as? [[String: Any]])?.first?["findings"] as? [[String: Any]])?.first)
        #expect((finding["message"] as? String)?.hasPrefix("needs libssl.so.1.0.0, which is neither in the deployment") == true, "\(finding)")
        #expect((finding["fix"] as? String)?.contains("netty-tcnative-boringssl-static") == true, "\(finding)")
        #expect((finding["fix"] as? String)?.contains("wheel") == false, "\(finding)")
        // The copy named for linux/x86_64 is loaded first and needs nothing missing: the unnamed one never loads.
        #expect(try Self.findings(folder + "/fallback.zip", target: "aws-lambda-java21-x86_64") == (0, []))
        // An unnamed copy of another machine is what the loader loads, and fails.
        let (armStatus, arm) = try Self.findings(folder + "/unnamed-arm.zip", target: "aws-lambda-java21-x86_64")
        #expect(armStatus == 1 && arm == ["wrong-arch error \(member)"], "\(arm)")
        // No JVM on a Python runtime: nothing in a JAR loads.
        let (pythonStatus, python3) = try Self.findings(folder + "/unnamed-arm.zip", target: "aws-lambda-python3.13-x86_64")
        #expect(pythonStatus == 0 && python3.allSatisfy { $0.contains(" note ") }, "\(python3)")
    }

    @Test func rubyExtensionOfAnotherRuby() throws {
        guard let folder = Self.ready() else { return }
        let path = "vendor/bundle/ruby/3.3.0/extensions/x86_64-linux/3.3.0/ffi-1.15.5/ffi_c.so"
        let (status, found) = try Self.findings(folder + "/ruby/ffi-debian-amd64.zip", target: "aws-lambda-ruby3.3-x86_64")
        #expect(status == 1)
        // libffi.so.8 is Amazon Linux 2023's; libruby-3.1.so.3.1 is said once, in Ruby's words.
        #expect(found == ["ruby-abi-mismatch error \(path)"], "\(found)")
        let messages = try Self.messages(folder + "/ruby/ffi-debian-amd64.zip", target: "aws-lambda-ruby3.3-x86_64", check: "ruby-abi-mismatch")
        #expect(messages.first?.hasPrefix("built for Ruby 3.1 (needs libruby-3.1.so.3.1)") == true, "\(messages)")
        let (_, arm) = try Self.findings(folder + "/ruby/ffi-debian-arm64.zip", target: "aws-lambda-ruby3.4-arm64")
        #expect(arm == ["ruby-abi-mismatch error vendor/bundle/ruby/3.3.0/extensions/aarch64-linux/3.3.0/ffi-1.15.5/ffi_c.so"], "\(arm)")
        // On the wrong architecture that is the cause.
        let (_, wrong) = try Self.findings(folder + "/ruby/ffi-debian-amd64.zip", target: "aws-lambda-ruby3.3-arm64")
        #expect(wrong.contains("wrong-arch error \(path)"), "\(wrong)")
    }

    @Test func dotnetRuntimesNative() throws {
        guard let folder = Self.ready() else { return }
        // Every RID: the host's copy is judged (clean), the others are notes; managed assemblies are not native code.
        for target in ["aws-lambda-dotnet8-x86_64", "aws-lambda-dotnet10-arm64"] {
            let (status, found) = try Self.findings(folder + "/dotnet/e_sqlite3-all.zip", target: target)
            #expect(status == 0 && found.count == 3 && found.allSatisfy { $0.contains(" note runtimes/") }, "\(target): \(found)")
        }
        let (x64Status, x64) = try Self.findings(folder + "/dotnet/e_sqlite3-x64-only.zip", target: "aws-lambda-dotnet8-arm64")
        #expect(x64Status == 1)
        #expect(x64 == ["dotnet-native-missing error runtimes", "wrong-arch note runtimes/linux-x64/native/libe_sqlite3.so"])
        let (osxStatus, osx) = try Self.findings(folder + "/dotnet/e_sqlite3-osx-only.zip", target: "aws-lambda-dotnet8-x86_64")
        #expect(osxStatus == 0)
        #expect(osx.first == "darwin-binary note runtimes/osx-arm64/native/libe_sqlite3.dylib" && osx.contains("dotnet-native-missing warning runtimes"))
        let messages = try Self.messages(folder + "/dotnet/e_sqlite3-osx-only.zip", target: "aws-lambda-dotnet8-x86_64", check: "dotnet-native-missing")
        #expect(messages.first?.contains("no runtimes/linux-x64/native copy of e_sqlite3") == true, "\(messages)")
        // Off .NET the managed assemblies are Windows PE files like any.
        let (_, python) = try Self.findings(folder + "/dotnet/e_sqlite3-x64-only.zip", target: "aws-lambda-python3.13-x86_64")
        #expect(python.contains("windows-binary error MyFunction.dll"))
    }
}
