import ShiplintTargets

/// A project configuration or baseline that cannot be used; the same shape as a bad rule file's error.
public typealias ConfigurationError = TargetError
