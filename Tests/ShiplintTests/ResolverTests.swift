import Foundation
import Testing

/// `missing-library`, `missing-symbol-version` and `--tree` on the resolve fixtures, run as a user runs them.
@Suite struct ResolverTests {
    static let target = ["--target", "aws-lambda-python3.13-x86_64"]

    static func findings(_ arguments: [String]) throws -> (Int32, [String]) {
        let (status, json) = try Shiplint.json(["scan"] + arguments + target)
        let artifacts = json["artifacts"] as? [[String: Any]] ?? []
        let findings = artifacts.flatMap { artifact in
            ((artifact["findings"] as? [[String: Any]]) ?? []).map {
                "\($0["check"] as? String ?? "?") \(artifact["path"] as? String ?? "?") \($0["path"] as? String ?? "?")"
            }
        }
        return (status, findings)
    }

    static func resolve(_ name: String) -> String { Repository.fixture("artifacts/resolve/" + name) }

    @Test(arguments: ["rpath-ok.zip", "runpath-vs-rpath.zip", "symlink-chain.zip", "symlink-chain.tar", "cycle.zip"])
    func cleanLayoutsResolve(name: String) throws {
        let (status, findings) = try Self.findings([Self.resolve(name)])
        #expect(findings == [])
        #expect(status == 0)
    }

    /// scs's chain (issue 22): module → libtop (encrypted: present, not read) → libmid → libleaf. What libtop needs is
    /// unknown, and ld.so, loading libmid for libtop, searches the module's DT_RPATH $ORIGIN/../pkg.libs: libleaf is
    /// found there. Only the encrypted entry is reported, not "libmid needs libleaf, which is not in the deployment".
    @Test func aLibraryBelowAnUnreadOneFindsItsNeedsThroughTheRPATHAboveIt() throws {
        let zip = Self.resolve("unread-middle.zip")
        let (status, findings) = try Self.findings([zip])
        #expect(findings == ["unreadable-entry \(zip) pkg.libs/libtop-1c2d3e4f.so"])
        #expect(status == 1)
        let tree = try Shiplint.run(["inspect", "--tree", zip] + Self.target)
        #expect(tree.stdout.contains("libtop-1c2d3e4f.so => /var/task/pkg.libs/libtop-1c2d3e4f.so [present, not read]"))
        #expect(tree.stdout.contains("libleaf-5a6b7c8d.so.0 => /var/task/pkg.libs/libleaf-5a6b7c8d.so.0 [bundled, RPATH]"))
    }

    /// A library read only in part (issue 22): under a per-entry cap of 256 KiB, libwide's relocations (about 480 KB)
    /// are not held, its DT_NEEDED and DT_RPATH $ORIGIN/deps are. ld.so loads libinner for libwide and finds libcore
    /// through libwide's own RPATH (LD_DEBUG=libs: "search path=…/pkg.libs/deps (RPATH from file …/libwide…)"): the
    /// graph walks through libwide, so libinner is not judged alone ("needs libcore, searched LD_LIBRARY_PATH"), and
    /// the only finding is libwide's own, saying what was read of it.
    @Test func aLibraryBelowOneReadInPartFindsItsNeedsThroughThatOnesRPATH() throws {
        let zip = Self.resolve("partly-read.zip")
        let whole = try Self.findings([zip])
        #expect(whole.1 == [])
        #expect(whole.0 == 0)
        let capped = [zip, "--max-entry-bytes", "262144"]
        let (status, findings) = try Self.findings(capped)
        #expect(findings == ["unreadable-entry \(zip) pkg.libs/libwide-5b6c7d8e.so"])
        #expect(status == 1)
        let text = try Shiplint.run(["scan"] + capped + Self.target)
        #expect(text.stdout.contains("read only in part: what the loader searches with (DT_NEEDED, DT_RPATH, DT_RUNPATH) is read, so the libraries it needs are checked; its symbols, versions and relocations are not"))
        let tree = try Shiplint.run(["inspect", "--tree"] + capped + Self.target)
        #expect(tree.stdout.contains("libwide-5b6c7d8e.so => /var/task/pkg.libs/libwide-5b6c7d8e.so [present, not read]"))
        #expect(tree.stdout.contains("/var/task/pkg.libs/deps/libinner-6c7d8e9f.so.1 [loaded by a file read only in part]"))
        #expect(tree.stdout.contains("libcore-7d8e9f0a.so.2 => /var/task/pkg.libs/deps/libcore-7d8e9f0a.so.2 [bundled, RPATH]"))
    }

    /// The same layout without libcore fails in ld.so whether libwide is read whole or in part, and is said the same
    /// way both times, with libwide's RPATH among the places searched.
    @Test func aMissingLibraryBelowOneReadInPartIsStillMissing() throws {
        let zip = Self.resolve("partly-read-missing.zip")
        let said = "needs libcore-7d8e9f0a.so.2, which is neither in the deployment nor in Amazon Linux 2023 (python3.13); loaded by pkg/_mod.cpython-313-x86_64-linux-gnu.so → pkg.libs/libwide-5b6c7d8e.so; searched RPATH of pkg.libs/libwide-5b6c7d8e.so (/var/task/pkg.libs/deps), then RPATH of pkg/_mod.cpython-313-x86_64-linux-gnu.so (/var/task/pkg.libs), then LD_LIBRARY_PATH, then the runtime's own libraries"
        for cap in [[], ["--max-entry-bytes", "262144"]] {
            let (status, findings) = try Self.findings([zip] + cap)
            let expected = ["missing-library \(zip) pkg.libs/deps/libinner-6c7d8e9f.so.1"]
            #expect(findings == (cap.isEmpty ? expected : expected + ["unreadable-entry \(zip) pkg.libs/libwide-5b6c7d8e.so"]))
            #expect(status == 1)
            let text = try Shiplint.run(["scan", zip] + cap + Self.target)
            #expect(text.stdout.contains(said))
        }
    }

    @Test func bundledLibraryRemovedIsMissing() throws {
        let (status, findings) = try Self.findings([Self.resolve("rpath-missing.zip")])
        #expect(findings == ["missing-library \(Self.resolve("rpath-missing.zip")) pkg/_mod.cpython-313-x86_64-linux-gnu.so"])
        #expect(status == 1)
        let text = try Shiplint.run(["scan", Self.resolve("rpath-missing.zip")] + Self.target)
        #expect(text.stdout.contains("needs libbar-1a2b3c4d.so.1.0, which is neither in the deployment nor in Amazon Linux 2023 (python3.13); searched RPATH of pkg/_mod.cpython-313-x86_64-linux-gnu.so (/var/task/pkg.libs), then LD_LIBRARY_PATH, then the runtime's own libraries"))
    }

    @Test func knownAbsentLibrariesSayWhatPeopleDo() throws {
        let result = try Shiplint.run(["scan", Self.resolve("missing-system.zip")] + Self.target)
        #expect(result.status == 1)
        #expect(result.stdout.contains("error[missing-library] needs libGL.so.1"))
        #expect(result.stdout.contains("opencv-python-headless"))
        #expect(result.stdout.contains("error[missing-library] needs libpq.so.5"))
        #expect(result.stdout.contains("psycopg2-binary"))
    }

    @Test func libraryFromALayerIsFoundInOptLib() throws {
        let alone = try Self.findings([Self.resolve("layer-fn.zip")])
        #expect(alone.1 == ["missing-library \(Self.resolve("layer-fn.zip")) pkg/_dep.cpython-313-x86_64-linux-gnu.so"])
        let withLayer = try Self.findings([Self.resolve("layer-fn.zip"), "--layer", Self.resolve("layer-lib.zip")])
        #expect(withLayer.1 == [])
        #expect(withLayer.0 == 0)
    }

    /// The aarch64 copy in /var/task/lib comes first on LD_LIBRARY_PATH but is skipped; /opt/lib's x86_64 one loads.
    @Test func wrongArchitectureCandidateIsSkipped() throws {
        let fn = Self.resolve("wrongarch-fn.zip")
        let alone = try Self.findings([fn])
        #expect(alone.1 == ["wrong-arch \(fn) lib/libdep.so.1", "missing-library \(fn) pkg/_dep.cpython-313-x86_64-linux-gnu.so"])
        let withLayer = try Self.findings([fn, "--layer", Self.resolve("wrongarch-layer.zip")])
        #expect(withLayer.1 == ["wrong-arch \(fn) lib/libdep.so.1"])
        let tree = try Shiplint.run(["inspect", "--tree", fn, "--layer", Self.resolve("wrongarch-layer.zip")] + Self.target)
        #expect(tree.stdout.contains("libdep.so.1 => /opt/lib/libdep.so.1 [bundled, LD_LIBRARY_PATH]"))
    }

    @Test func runpathWinsOverRpath() throws {
        let tree = try Shiplint.run(["inspect", "--tree", Self.resolve("runpath-vs-rpath.zip")] + Self.target)
        #expect(tree.stdout.contains("libx.so.1 => /var/task/pkg/lib-runpath/libx.so.1 [bundled, RUNPATH]"))
    }

    @Test func symlinkChainIsFollowed() throws {
        let tree = try Shiplint.run(["inspect", "--tree", Self.resolve("symlink-chain.zip")] + Self.target)
        #expect(tree.stdout.contains("libchain.so.1 => /var/task/lib/libchain.so.1.2.3 [bundled, LD_LIBRARY_PATH]"))
    }

    @Test func cycleEnds() throws {
        let tree = try Shiplint.run(["inspect", "--tree", Self.resolve("cycle.zip")] + Self.target)
        #expect(tree.stdout.contains("liba.so.1 => /var/task/lib/liba.so.1 [already loaded]"))
    }

    /// Without the RUNPATH folder, the module finds the older libx.so.1 (LIBX_1.0 only) in /var/task/lib.
    @Test func versionNodeMissingFromTheCopyFound() throws {
        let folder = Scratch.url("shiplint-version").path
        let script = """
            import sys, zipfile, os
            z = zipfile.ZipFile(sys.argv[1]); out = sys.argv[2]
            os.makedirs(out + "/pkg", exist_ok=True); os.makedirs(out + "/lib", exist_ok=True)
            open(out + "/pkg/_mod.cpython-313-x86_64-linux-gnu.so", "wb").write(z.read("pkg/_mod.cpython-313-x86_64-linux-gnu.so"))
            open(out + "/lib/libx.so.1", "wb").write(z.read("pkg/lib-rpath/libx.so.1"))
            """
        let python = try runProgram("/usr/bin/env", ["python3", "-c", script, Self.resolve("runpath-vs-rpath.zip"), folder])
        try #require(python.status == 0, "python3 is needed to build this case: \(python.stderr)")
        let (status, findings) = try Self.findings([folder])
        #expect(findings == ["missing-symbol-version \(folder) pkg/_mod.cpython-313-x86_64-linux-gnu.so"])
        #expect(status == 1)
    }
}
