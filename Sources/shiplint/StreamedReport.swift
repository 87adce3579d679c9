import FoundationEssentials
import ShiplintFacts
import Glibc
import ShiplintOutcome

/// `writeReport` for a report written as it is made (`inspect`: its JSON and its `--symbols` text list every
/// dynamic symbol, tens of MB for a layer): the bytes go out 64 KiB at a time, never held whole (issue #10: peak
/// memory). The same destinations and guarantees: standard output; a device, FIFO or `/dev/…` path written into; a
/// regular file (through a symbolic link, the file it names) written beside it under a temporary name and renamed over
/// it once complete, so it is the whole report or left as it was; never a file the user could not write.
func writeStreamedReport(to output: String?, _ produce: (inout JSONWriter) -> Void) throws {
    guard let named = output else {
        if let failure = stream(to: STDOUT_FILENO, produce) {
            // A report that did not reach its reader (a full disk) is not a pass.
            throw fail("cannot write the report to standard output: \(failure)")
        }
        return
    }
    try checkWritable(named)
    let file = outputDestination(named)
    var status = stat()
    let exists = stat(file, &status) == 0
    if isStreamPath(named) || (exists && status.st_mode & S_IFMT != S_IFREG && status.st_mode & S_IFMT != S_IFDIR) {
        let descriptor = open(file, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw fail("cannot write \(named): cannot open it for writing") }
        defer { close(descriptor) }
        if let failure = stream(to: descriptor, produce) { throw fail("cannot write \(named): \(failure)") }
        return
    }
    let folder = PathName.parent(file)
    let name = PathName.last(file)
    var template = Array("\(folder.isEmpty ? "." : folder)/.\(name).XXXXXX".utf8CString)
    let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    guard descriptor >= 0 else { throw fail("cannot write \(named): \(String(cString: strerror(errno)))") }
    let temporary = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    // The permissions a new file gets (or the replaced file had), not mkstemp's 0600.
    let mask = umask(0)
    umask(mask)
    fchmod(descriptor, exists ? status.st_mode & 0o7777 : 0o666 & ~mask)
    var failure = stream(to: descriptor, produce)
    if close(descriptor) != 0, failure == nil { failure = String(cString: strerror(errno)) }
    if failure == nil, rename(temporary, file) != 0 { failure = String(cString: strerror(errno)) }
    if let failure {
        unlink(temporary)
        throw fail("cannot write \(named): \(failure)")
    }
}

/// Runs `produce` with a writer whose bytes go to `descriptor`; the first write error, in words, or nil.
private func stream(to descriptor: Int32, _ produce: (inout JSONWriter) -> Void) -> String? {
    var failure: String?
    var writer = JSONWriter { bytes in
        guard failure == nil, var next = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            let written = write(descriptor, next, left)
            if written < 0 {
                if errno == EINTR { continue }
                failure = String(cString: strerror(errno))
                return
            }
            left -= written
            next += written
        }
    }
    produce(&writer)
    writer.flush()
    return failure
}
