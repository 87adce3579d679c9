import Dispatch
import FoundationEssentials
import ShiplintFacts
import Glibc
import Synchronization

/// A one-line progress note on standard error (`reading build/f.zip (1 of 1): 120.4 MiB read of 250.0 MiB`), shown
/// only when standard error is a terminal and the work has taken more than a second: never on a pipe, in a CI log
/// or in an output file. It is cleared before anything else is written to the terminal (a report, a note, an error),
/// so no line ever starts after it.
final class ProgressLine: Sendable {
    private struct State {
        var label = ""
        /// While reading: the bytes the process had read when reading began, and the artifacts' size if known.
        var counting: (start: Int64, total: Int64?)?
        var shown = false
        var finished = false
    }

    private let state = Mutex(State())
    private let start = ContinuousClock.now
    /// One second; SHIPLINT_PROGRESS_AFTER (seconds) changes it, for tests.
    private let delay = Duration.seconds(Double(ProcessInfo.processInfo.environment["SHIPLINT_PROGRESS_AFTER"] ?? "") ?? 1)
    /// The line on the terminal now, so any other output can clear it first (`clearForOutput`).
    private static let active = Mutex<ProgressLine?>(nil)

    /// Nil unless standard error is a terminal (and not TERM=dumb) and `enabled`.
    static func forStandardError(enabled: Bool) -> ProgressLine? {
        guard enabled, isatty(STDERR_FILENO) == 1, ProcessInfo.processInfo.environment["TERM"] != "dumb" else { return nil }
        let line = ProgressLine()
        active.withLock { $0 = line }
        // Its own thread of the global queue: it sleeps between refreshes, never blocking the scan's work.
        DispatchQueue.global(qos: .utility).async { line.refresh() }
        return line
    }

    /// Clears the progress line, if one is shown, before other output reaches the terminal.
    static func clearForOutput() {
        active.withLock { $0 }?.clear()
    }

    /// A new phase, named by `label` (`judging 3 artifacts`).
    func update(_ label: String) {
        state.withLock { state in
            state.label = label
            state.counting = nil
            show(&state)
        }
    }

    /// A reading phase: the line also shows the bytes read since it began, of `totalBytes` (nil when the size is
    /// not known beforehand: a folder, standard input).
    func reading(_ label: String, totalBytes: Int64?) {
        state.withLock { state in
            state.label = label
            state.counting = (Self.bytesRead(), totalBytes)
            show(&state)
        }
    }

    /// Writes the line once the delay has passed (called with the lock held, so it never races `finish`).
    private func show(_ state: inout State) {
        guard !state.finished, ContinuousClock.now - start >= delay, !state.label.isEmpty else { return }
        var text = String(state.label.prefix(80))
        if let counting = state.counting {
            let read = max(0, Self.bytesRead() - counting.start)
            // A table read twice (see docs/how-it-works.md) can count past the size: shown as the size.
            text += ": " + (counting.total.map { "\(Self.size(min(read, $0))) read of \(Self.size($0))" } ?? "\(Self.size(read)) read")
        } else {
            text += "…"
        }
        DescriptorOutput.standardError("\r\u{1B}[K\(text)")
        state.shown = true
    }

    private func clear() {
        state.withLock { state in
            guard state.shown else { return }
            DescriptorOutput.standardError("\r\u{1B}[K")
            state.shown = false
        }
    }

    /// Clears the line if it was shown and shows it no more; the report then starts on a clean line.
    func finish() {
        state.withLock { state in
            state.finished = true
            if state.shown { DescriptorOutput.standardError("\r\u{1B}[K") }
            state.shown = false
        }
        Self.active.withLock { if $0 === self { $0 = nil } }
    }

    private func refresh() {
        while true {
            usleep(100_000)
            let done = state.withLock { state -> Bool in
                if state.finished { return true }
                show(&state)
                return false
            }
            if done { return }
        }
    }

    /// Bytes this process has read through read(2), pread(2) and the like (`rchar` of /proc/self/io): every reader
    /// (the ZIP reader's preads, libarchive's reads, a folder's files) counts without being told, 0 where unreadable.
    static func bytesRead() -> Int64 {
        guard let text = try? String(contentsOfFile: "/proc/self/io", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("rchar:") }) else { return 0 }
        return Int64(line.dropFirst("rchar:".count).trimmingWhitespace()) ?? 0
    }

    /// The total size of the regular files among `paths`, or nil when one is something else (a folder, standard
    /// input) whose size is not known before it is read.
    static func totalSize(of paths: [String]) -> Int64? {
        var total: Int64 = 0
        for path in paths {
            var status = stat()
            guard path != "-", stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return nil }
            total += Int64(status.st_size)
        }
        return total
    }

    /// `812 KiB`, `120.4 MiB`, `1.21 GiB`.
    static func size(_ bytes: Int64) -> String {
        let value = Double(bytes)
        switch bytes {
        case ..<(1 << 20): return "\(bytes >> 10) KiB"
        case ..<(1 << 30): return printed(value / Double(1 << 20), places: 1) + " MiB"
        default: return printed(value / Double(1 << 30), places: 2) + " GiB"
        }
    }

    /// printf's `%.Nf` (glibc's own rounding).
    private static func printed(_ value: Double, places: Int) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        _ = withVaList([value]) { vsnprintf(&buffer, buffer.count, "%.\(places)f", $0) }
        return String(cString: buffer)
    }
}
