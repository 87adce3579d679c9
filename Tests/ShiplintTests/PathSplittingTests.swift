@testable import ShiplintChecks
import Testing

/// Entry paths are split byte by byte (issue #10: every check asks this of every entry); the answers stay those of
/// the component-wise rules, on plain paths (the fast way) and on paths that need normalising (the slow way).
@Suite struct PathSplittingTests {
    @Test(arguments: [
        ("/var/task", "lib/x.so", "/var/task/lib/x.so"),
        ("/", "lib/x.so", "/lib/x.so"),
        ("/opt", "python/lib/python3.12/site-packages/numpy/core/_multiarray_umath.so",
         "/opt/python/lib/python3.12/site-packages/numpy/core/_multiarray_umath.so"),
        ("/var/task", "pkg/../lib/x.so", "/var/task/lib/x.so"),
        ("/var/task", "./handler.py", "/var/task/handler.py"),
        ("/var/task", "a//b/", "/var/task/a/b"),
        ("/var/task", "../../../etc/passwd", "/etc/passwd"),
        ("/var/task", "/etc/passwd", "/etc/passwd"),
        ("/var/task", "..", "/var"),
        ("/var/task", ".", "/var/task"),
        ("/var/task", "...", "/var/task/..."),
        ("/var/task", ".hidden/..x", "/var/task/.hidden/..x"),
        ("/var/task/", "x", "/var/task/x"),
        ("/var/./task", "x", "/var/task/x"),
        ("/opt", "lib/libé.so", "/opt/lib/libé.so"),
    ])
    func joinNormalises(base: String, relative: String, joined: String) {
        #expect(RuntimePath.join(base, relative) == joined)
    }

    @Test(arguments: [
        ("/var/task/lib/x.so", "/var/task/lib"), ("/x", "/"), ("/", "/"), ("", "/"), ("/a//b/", "/a"), ("/a/./b", "/a"),
        ("/a/b/..", "/a/b"),
    ])
    func parentDropsTheLastComponent(path: String, parent: String) {
        #expect(RuntimePath.parent(path) == parent)
    }

    @Test func entryPathsSplitOnSlashAndBang() {
        #expect(EntryPath.components("./node_modules//pkg/./index.js") == ["node_modules", "pkg", "index.js"])
        #expect(EntryPath.components("a/../b") == ["a", "..", "b"])
        #expect(EntryPath.isNested("vendor/x.whl!x/_x.so"))
        #expect(!EntryPath.isNested("vendor/x.so"))
        #expect(EntryPath.inner("a.zip!b.whl!c/d.so") == "c/d.so")
        #expect(EntryPath.inner("a.zip!") == "")
        #expect(EntryPath.inner("c/d.so") == "c/d.so")
        #expect(EntryPath.firstComponent("./node_modules//pkg/") == "node_modules")
        #expect(EntryPath.lastComponent("node_modules/pkg/./") == "pkg")
        #expect(EntryPath.lastComponent("libquery_engine-debian-openssl-3.0.x.so.node") == "libquery_engine-debian-openssl-3.0.x.so.node")
        #expect(EntryPath.firstComponent("/./") == nil)
        #expect(EntryPath.lastComponent("") == nil)
    }
}
