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
        .nodeABIMismatch,
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
        .wheelTagMismatch,
        .nodePlatformPackage,
        .prismaEngineMismatch,
        .duplicateModule,
        .packageTooLarge,
        .uploadTooLarge,
        .imageTooLarge,
        .unreadableEntry,
    ]

    public static func check(id: String) -> Check? {
        all.first { $0.id == id }
    }

    static func precedence(of id: String) -> Int {
        all.firstIndex { $0.id == id } ?? all.count
    }
}
