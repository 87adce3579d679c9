import ShiplintFacts
import ShiplintTargets

extension Check {
    public static let unsafePath = Check(
        id: "unsafe-path",
        defaultSeverity: .error,
        summary: "An entry with an absolute path, a `..` component, or a link that points outside the artifact",
        explanation: """
            An archive entry named `/etc/profile` or `../../x.so`, or a link to `../../etc/passwd`, writes or \
            reads outside the folder it is unpacked into when a careless tool extracts it ("zip slip"). Unzip tools \
            refuse, drop or obey such entries, and pip refuses such wheels, so the package \
            does not contain on Lambda what it contains on your disk. A package built by a normal build never has \
            one: it comes from a packaging script that joins paths wrongly, or from someone hostile. Links inside \
            a function that point into a layer (`/opt/…`) or the function itself (`/var/task/…`) are allowed.

            Fix: rebuild the archive from a folder with relative paths (`cd build && zip -r ../function.zip .`); \
            replace a link that leaves the package with the file it points to (zip without `--symlinks` stores \
            the file itself). \
            On a wheel-policy target the same entries are wrong in a wheel: rebuild it with its build backend (`python -m build`, `pip wheel`) from a clean tree rather than zipping by hand.
            """,
        examples: [
            CheckExample(
                "a `..` entry",
                subject: .artifact(SamplePackage.artifact("function.zip", files: [("handler.py", 100), ("../evil.so", 100)])),
                target: "aws-lambda-python3.13-x86_64", fires: true, at: "../evil.so", mentions: "climbs out of the package with `..`"),
            CheckExample(
                "an absolute entry",
                subject: .artifact(SamplePackage.artifact("function.zip", files: [("/abs/path.so", 100)])),
                target: "aws-lambda-python3.13-x86_64", fires: true, at: "/abs/path.so", mentions: "extracting it writes to /abs/path.so"),
            CheckExample(
                "a link out of the package",
                subject: .artifact(SamplePackage.artifact("function.zip", entries: [SamplePackage.symlink("lib/x.so", to: "../../etc/passwd")])),
                target: "aws-lambda-python3.13-x86_64", fires: true, at: "lib/x.so", mentions: "symbolic link to ../../etc/passwd points outside the package"),
            CheckExample(
                "a link inside the package",
                subject: .artifact(SamplePackage.artifact(
                    "function.zip", files: [("lib/libchain.so.1.2.3", 100)],
                    entries: [SamplePackage.symlink("lib/libchain.so.1", to: "libchain.so.1.2.3"), SamplePackage.symlink("lib/libx.so", to: "../lib/libchain.so.1")])),
                target: "aws-lambda-python3.13-x86_64", fires: false),
        ],
        judgement: .perArtifact { context in
            context.artifact.entries.compactMap { entry in
                UnsafeEntry.verdict(entry, runtime: context.runtime).map { LocatedVerdict(path: entry.path, verdict: $0) }
            }
        })
}

enum UnsafeEntry {
    static func verdict(_ entry: ArtifactEntry, runtime: RuntimeView) -> Verdict? {
        // Inside a nested archive, paths are relative to that archive.
        let inner = EntryPath.inner(entry.path)
        if isAbsolute(inner) {
            return Verdict(
                "absolute path: extracting it writes to \(inner), not inside the package; unzip tools refuse, drop or obey it, so what Lambda unpacks is not what the archive lists",
                fix: "Rebuild the archive from a folder with relative paths (`cd build && zip -r ../function.zip .`).",
                fact: "absolute")
        }
        if climbs(inner) {
            return Verdict(
                "the path climbs out of the package with `..` (zip slip): extracting it writes outside the folder; unzip tools refuse, drop or obey it, so what Lambda unpacks is not what the archive lists",
                fix: "Rebuild the archive from a folder with relative paths (`cd build && zip -r ../function.zip .`).",
                fact: "..")
        }
        let target: String
        let kind: String
        switch entry.type {
        case .symlink(let linked): (target, kind) = (linked, "symbolic link")
        case .hardlink(let linked): (target, kind) = (linked, "hard link")
        default: return nil
        }
        guard let outside = outside(link: inner, target: target, isHardLink: kind == "hard link", runtime: runtime) else { return nil }
        return Verdict(
            "\(kind) to \(target) points outside the package (\(outside)): on Lambda it resolves to whatever is there, or to nothing",
            fix: "Replace the link with the file it points to (zip without --symlinks stores the file itself), or point it inside the package.",
            fact: "\(kind) \(target)")
    }

    /// True when a segment of `path` (split on `/` and `\\`) is `..`; the same as `segments(path).contains("..")`,
    /// without splitting: every entry is asked.
    static func climbs(_ path: String) -> Bool {
        var length = 0
        var dots = 0
        for byte in path.utf8 {
            if byte == UInt8(ascii: "/") || byte == UInt8(ascii: "\\") {
                if length == 2 && dots == 2 { return true }
                length = 0
                dots = 0
            } else {
                length += 1
                if byte == UInt8(ascii: ".") { dots += 1 }
            }
        }
        return length == 2 && dots == 2
    }

    static func isAbsolute(_ path: String) -> Bool {
        // Two ASCII bytes first (almost every path): the first character is the first byte.
        var bytes = path.utf8.makeIterator()
        guard let head = bytes.next() else { return false }
        let next = bytes.next()
        if head < 0x80 && (next ?? 0) < 0x80 {
            if head == UInt8(ascii: "/") || head == UInt8(ascii: "\\") { return true }
            let isLetter = (head | 0x20) >= UInt8(ascii: "a") && (head | 0x20) <= UInt8(ascii: "z")
            return next == UInt8(ascii: ":") && isLetter
        }
        guard let first = path.first else { return false }
        if first == "/" || first == "\\" { return true }
        // `C:\…` or `C:/…`: a Windows absolute path.
        let scalars = Array(path.unicodeScalars.prefix(2))
        return scalars.count == 2 && scalars[1] == ":" && first.isLetter
    }

    static func segments(_ path: String) -> [Substring] {
        path.utf8.split { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "\\") }.map { Substring($0) }
    }

    /// Where the link leads when it leaves the package, nil when it stays inside.
    static func outside(link: String, target: String, isHardLink: Bool, runtime: RuntimeView) -> String? {
        if target.isEmpty { return nil }
        if isAbsolute(target) {
            // Links from the function into a layer (/opt/…) or into the function itself are deliberate.
            let roots = runtime.hasPackageLayout ? [runtime.taskRoot, runtime.layerRoot] : []
            return roots.contains { target.hasPrefix($0 + "/") } ? nil : "an absolute path"
        }
        // A symbolic link resolves from its own folder; a tar hard link names a path from the archive's root.
        var resolved = isHardLink ? [] : segments(link).dropLast().map(String.init)
        for part in segments(target) {
            switch part {
            case ".": continue
            case "..":
                if resolved.isEmpty { return "it climbs above the package's root" }
                resolved.removeLast()
            default: resolved.append(String(part))
            }
        }
        return nil
    }
}
