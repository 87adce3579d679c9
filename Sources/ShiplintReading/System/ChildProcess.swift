import Glibc

/// A program run to its end with `posix_spawn` (what Foundation's `Process` did before shiplint linked
/// FoundationEssentials only): standard input from /dev/null, standard output and error collected while it runs (a
/// full pipe would stop it), an optional time limit after which it is sent SIGTERM.
public struct ChildProcess {
    public struct Finished: Sendable {
        /// The exit status, or the signal's number when a signal ended it (as `Process.terminationStatus`).
        public let status: Int32
        public let output: [UInt8]
        public let errors: [UInt8]
        /// The time limit passed and the program was sent SIGTERM.
        public let timedOut: Bool
    }

    /// Runs `executable` (a path) with `arguments`; `environment` nil keeps shiplint's own. Standard error is
    /// collected when `collectErrors`, else it goes to /dev/null. Nil when the program cannot be started.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                           collectErrors: Bool = true, timeoutSeconds: Int? = nil) -> Finished? {
        var outputPipe: [Int32] = [-1, -1]
        var errorPipe: [Int32] = [-1, -1]
        guard makePipe(&outputPipe) else { return nil }
        if collectErrors, !makePipe(&errorPipe) {
            close(outputPipe[0]); close(outputPipe[1])
            return nil
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outputPipe[1], 1)
        if collectErrors {
            posix_spawn_file_actions_adddup2(&actions, errorPipe[1], 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { $0.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer {
            argv.forEach { free($0) }
            envp?.forEach { free($0) }
        }
        // No signal blocked or ignored in the child: a thread of the global queue runs with signals blocked, and a
        // child that inherited that mask would not stop at the SIGTERM of the time limit.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var everySignal = sigset_t()
        sigfillset(&everySignal)
        posix_spawnattr_setsigdefault(&attributes, &everySignal)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var child: pid_t = 0
        let spawned = envp.map { posix_spawn(&child, executable, &actions, &attributes, argv, $0) }
            ?? posix_spawn(&child, executable, &actions, &attributes, argv, environ)
        close(outputPipe[1])
        if collectErrors { close(errorPipe[1]) }
        guard spawned == 0 else {
            close(outputPipe[0])
            if collectErrors { close(errorPipe[0]) }
            return nil
        }
        var output: [UInt8] = []
        var errors: [UInt8] = []
        let timedOut = collect(from: outputPipe[0], into: &output, and: collectErrors ? errorPipe[0] : -1, into: &errors,
                               child: child, timeoutSeconds: timeoutSeconds)
        close(outputPipe[0])
        if collectErrors { close(errorPipe[0]) }
        var status: Int32 = 0
        while waitpid(child, &status, 0) < 0, errno == EINTR {}
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import.
        let signal = status & 0x7F
        return Finished(status: signal == 0 ? (status >> 8) & 0xFF : signal, output: output, errors: errors, timedOut: timedOut)
    }

    /// Reads both descriptors to their end (`second` may be -1); true when the time limit passed first, in which
    /// case the child was sent SIGTERM and its output is still read to the end.
    private static func collect(from first: Int32, into firstBytes: inout [UInt8], and second: Int32, into secondBytes: inout [UInt8],
                                child: pid_t, timeoutSeconds: Int?) -> Bool {
        var open = [first, second].filter { $0 >= 0 }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        let deadline = timeoutSeconds.map { monotonicMilliseconds() + Int64($0) * 1000 }
        var timedOut = false
        while !open.isEmpty {
            var polled = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            var wait: Int32 = -1
            if let deadline, !timedOut { wait = Int32(clamping: max(0, deadline - monotonicMilliseconds())) }
            let ready = poll(&polled, nfds_t(polled.count), wait)
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            if ready == 0 {
                timedOut = true
                kill(child, SIGTERM)
                continue
            }
            for entry in polled where entry.revents != 0 {
                let count = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress!, $0.count) }
                if count < 0, errno == EINTR || errno == EAGAIN { continue }
                if count <= 0 {
                    open.removeAll { $0 == entry.fd }
                } else if entry.fd == first {
                    firstBytes += buffer[..<count]
                } else {
                    secondBytes += buffer[..<count]
                }
            }
        }
        return timedOut
    }

    /// A pipe whose ends are closed in the child (its copies on 0, 1, 2 are made by the spawn's file actions).
    private static func makePipe(_ ends: inout [Int32]) -> Bool {
        guard pipe(&ends) == 0 else { return false }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        return true
    }

    private static func monotonicMilliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }
}
