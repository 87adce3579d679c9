import Foundation
import Synchronization

/// A one-line progress note on standard error (`reading build/f.zip (2 of 3)`), shown only when standard error is a
/// terminal and the work has taken more than a second: never on a pipe, in a CI log or in an output file.
final class ProgressLine: Sendable {
    private struct State {
        var label = ""
        var shown = false
        var finished = false
    }

    private let state = Mutex(State())
    private let start = ContinuousClock.now
    /// One second; SHIPLINT_PROGRESS_AFTER (seconds) changes it, for tests.
    private let delay = Duration.seconds(Double(ProcessInfo.processInfo.environment["SHIPLINT_PROGRESS_AFTER"] ?? "") ?? 1)

    /// Nil unless standard error is a terminal (and not TERM=dumb) and `enabled`.
    static func forStandardError(enabled: Bool) -> ProgressLine? {
        guard enabled, isatty(STDERR_FILENO) == 1, ProcessInfo.processInfo.environment["TERM"] != "dumb" else { return nil }
        let line = ProgressLine()
        Thread.detachNewThread { line.refresh() }
        return line
    }

    func update(_ label: String) {
        state.withLock { state in
            state.label = label
            show(&state)
        }
    }

    /// Writes the line once the delay has passed (called with the lock held, so it never races `finish`).
    private func show(_ state: inout State) {
        guard !state.finished, ContinuousClock.now - start >= delay, !state.label.isEmpty else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K\(String(state.label.prefix(100)))…".utf8))
        state.shown = true
    }

    /// Clears the line if it was shown; the report then starts on a clean line.
    func finish() {
        let shown = state.withLock { state -> Bool in
            state.finished = true
            return state.shown
        }
        if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    private func refresh() {
        while true {
            Thread.sleep(forTimeInterval: 0.1)
            let done = state.withLock { state -> Bool in
                if state.finished { return true }
                show(&state)
                return false
            }
            if done { return }
        }
    }
}
