/// A project configuration or baseline that cannot be used: names the file and, where it can, the key path.
/// (Exit status 2: a CI gate must never pass silently on a broken policy.)
public struct ConfigurationError: Error, Equatable, CustomStringConvertible {
    public let file: String
    public let keyPath: String?
    public let message: String

    public init(file: String, keyPath: String? = nil, message: String) {
        self.file = file
        self.keyPath = keyPath
        self.message = message
    }

    public var description: String {
        keyPath.map { "\(file): at '\($0)': \(message)" } ?? "\(file): \(message)"
    }
}
