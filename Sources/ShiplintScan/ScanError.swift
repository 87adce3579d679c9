/// A run that cannot go on (an unknown `--function`, a project with no functions, a bad `--image`, a bad `--today`):
/// the message names what is wrong; the command line turns it into exit status 2.
public struct ScanError: Error, Equatable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
