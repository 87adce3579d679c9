import Foundation
import Testing

/// Links in an image resolve inside its root only, and an image without a libc says so (issue 28, measured on main:
/// a layer's hard link `var/task/x.so` → `../../../../etc/passwd` was dropped, exit 0 with 0 binaries; an image with
/// no libc was described as "glibc 1.2").
@Suite struct ImageBoundsTests {
    /// A `docker save` tarball with one layer, made with Python's tarfile: `entries` are (name, kind, link or
    /// content); `lib` copies the machine's libc and loader in.
    static func image(_ entries: [(String, String, String)], libc: Bool = false) throws -> ScratchProject {
        let project = try ScratchProject()
        let script = #"""
            import hashlib, io, json, sys, tarfile
            entries = json.loads(sys.argv[2])
            layer = io.BytesIO()
            with tarfile.open(fileobj=layer, mode="w", format=tarfile.GNU_FORMAT) as tar:
                def add(name, kind, value, mode=0o755):
                    info = tarfile.TarInfo(name)
                    data = b""
                    if kind == "file": data = value.encode()
                    elif kind == "copy": data = open(value, "rb").read()
                    elif kind == "hard": info.type, info.linkname = tarfile.LNKTYPE, value
                    elif kind == "sym": info.type, info.linkname = tarfile.SYMTYPE, value
                    info.size, info.mode = len(data), mode
                    tar.addfile(info, io.BytesIO(data))
                for name, kind, value in entries:
                    add(name, kind, value)
            data = layer.getvalue()
            digest = hashlib.sha256(data).hexdigest()
            config = json.dumps({"architecture": "amd64", "os": "linux",
                "config": {"Entrypoint": ["/var/task/bootstrap"], "Env": ["LAMBDA_TASK_ROOT=/var/task"]},
                "rootfs": {"type": "layers", "diff_ids": ["sha256:" + digest]}}).encode()
            config_digest = hashlib.sha256(config).hexdigest()
            manifest = json.dumps([{"Config": config_digest + ".json", "RepoTags": ["t:1"], "Layers": [digest + ".tar"]}]).encode()
            with tarfile.open(sys.argv[1], "w") as out:
                for name, blob in [("manifest.json", manifest), (config_digest + ".json", config), (digest + ".tar", data)]:
                    info = tarfile.TarInfo(name)
                    info.size = len(blob)
                    out.addfile(info, io.BytesIO(blob))
            """#
        var all = entries
        if libc {
            all = [("lib/x86_64-linux-gnu/libc.so.6", "copy", "/lib/x86_64-linux-gnu/libc.so.6"),
                   ("lib64/ld-linux-x86-64.so.2", "copy", "/lib64/ld-linux-x86-64.so.2")] + all
        }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: all.map { [$0.0, $0.1, $0.2] }), as: UTF8.self)
        let made = try runProgram("/usr/bin/env", ["python3", "-c", script, project.path("image.tar"), json])
        try #require(made.status == 0, "\(made.stderr)")
        return project
    }

    static let bootstrap = ("var/task/bootstrap", "copy", Repository.fixture("bin/elf/bootstrap"))

    @Test func aHardLinkOutOfTheImageIsAnIntegrityFinding() throws {
        let project = try Self.image([Self.bootstrap, ("var/task/x.so", "hard", "../../../../etc/passwd")], libc: true)
        let result = try project.run(["scan", "image.tar", "--no-config"])
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("  var/task/x.so\n    error[image-integrity] hard link to ../../../../etc/passwd climbs above the image's root: its content is not in the image"), "\(result.stdout)")
        #expect(!result.stdout.contains("root:x:0:0"))
    }

    @Test func aHardLinkToNothingIsAnIntegrityFinding() throws {
        let project = try Self.image([Self.bootstrap, ("var/task/x.so", "hard", "opt/never/written.so")], libc: true)
        let result = try project.run(["scan", "image.tar", "--no-config"])
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("error[image-integrity] hard link to opt/never/written.so, which no earlier entry of the image holds: extracting layer 1 fails there"), "\(result.stdout)")
    }

    /// A hard link to a file of the image is that file: read, judged, no finding.
    @Test func aHardLinkInsideTheImageIsTheFile() throws {
        let project = try Self.image([Self.bootstrap, ("var/task/again", "hard", "var/task/bootstrap")], libc: true)
        let result = try project.run(["scan", "image.tar", "--no-config", "--format", "json"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(!result.stdout.contains("image-integrity"))
    }

    /// No libc.so.6 and no musl loader: the summary says "no C library" (never "glibc 1.2"), and a binary that
    /// needs libc.so.6 is a missing library.
    @Test func anImageWithoutALibcSaysSo() throws {
        let project = try Self.image([Self.bootstrap])
        let result = try project.run(["scan", "image.tar", "--no-config"])
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(!result.stdout.contains("glibc 1.2"))
        #expect(result.stdout.contains(", no C library)"), "\(result.stdout)")
        #expect(result.stdout.contains("error[missing-library]") && result.stdout.contains("libc.so.6"), "\(result.stdout)")
    }

    /// With a libc the summary names its version, from the libc's own version nodes.
    @Test func anImageWithGlibcNamesItsVersion() throws {
        let project = try Self.image([Self.bootstrap], libc: true)
        let result = try project.run(["scan", "image.tar", "--no-config"])
        let version = try #require(try runProgram("/usr/bin/getconf", ["GNU_LIBC_VERSION"]).stdout.split(separator: " ").last?.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(result.stdout.contains(", glibc \(version))"), "\(result.stdout)")
    }
}
