/// Every check, one line each, in root-cause order: when one binary has several findings, the earlier check is the
/// cause to fix first (a Windows `.pyd` is a `windows-binary` before it is a `python-abi-mismatch`).
public enum CheckRegistry {
    public static let all: [Check] = [
        .corruptBinary,
        .imageMediaType,
        .imageIntegrity,
        .imageEntrypoint,
        .imageArchMismatch,
        .windowsBinary,
        .darwinBinary,
        .androidBinary,
        .wrongArch,
        .muslBinary,
        .pythonABIMismatch,
        .abi3TooNew,
        .abi3NonStable,
        .nodeABIMismatch,
        .nodeABIUnread,
        .glibcTooNew,
        .libstdcxxTooNew,
        .policySymbolVersion,
        .blacklistedSymbol,
        .missingLibrary,
        .missingSymbolVersion,
        .execStack,
        .unsafePath,
        .unreadableFile,
        .noUnixModes,
        .layerLayout,
        .handlerNotFound,
        .layerIncompatible,
        .wheelTagMismatch,
        .nodePlatformPackage,
        .prismaEngineMismatch,
        .duplicateModule,
        .packageTooLarge,
        .uploadTooLarge,
        .imageTooLarge,
        .unreadableEntry,
        .extractionMismatch,
        .runtimeDeprecated,
    ]

    /// Checks that judge what a deployment descriptor says (Handler, Runtime, a layer's compatible lists): they
    /// run only in `shiplint scan PROJECT`, never on artifacts named on the command line.
    /// Checks of container images: they run only when an image is scanned.
    public static let imageChecks: Set<String> = [
        Check.imageMediaType.id, Check.imageIntegrity.id, Check.imageEntrypoint.id, Check.imageArchMismatch.id, Check.imageTooLarge.id,
    ]

    public static let descriptorChecks: Set<String> = [Check.handlerNotFound.id, Check.layerIncompatible.id, Check.runtimeDeprecated.id]

    public static func check(id: String) -> Check? {
        all.first { $0.id == id }
    }

    static func precedence(of id: String) -> Int {
        all.firstIndex { $0.id == id } ?? all.count
    }
}
