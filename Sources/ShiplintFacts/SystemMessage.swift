import FoundationEssentials
import Glibc

/// The reason an operation on a file failed, in words: the system's (`strerror`) for an error that carries an errno,
/// as FoundationEssentials' file errors do; the error's own description otherwise.
public enum SystemMessage {
    public static func describing(_ error: any Error) -> String {
        if let cocoa = error as? CocoaError, let posix = cocoa.underlying as? POSIXError {
            return String(cString: strerror(posix.code.rawValue))
        }
        if let posix = error as? POSIXError { return String(cString: strerror(posix.code.rawValue)) }
        return String(describing: error)
    }
}
