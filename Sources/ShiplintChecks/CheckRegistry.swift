/// Every check, one line each, in root-cause order: when one binary has several findings, the earlier check is the
/// cause to fix first (a Windows `.pyd` is a `windows-binary` before it is a `python-abi-mismatch`).
public enum CheckRegistry {
    public static let all: [Check] = [
        .corruptBinary,
        .notLoadable,
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
        .pythonInitMissing,
        .abi3TooNew,
        .abi3NonStable,
        .nodeABIMismatch,
        .nodeABIUnread,
        .rubyABIMismatch,
        .glibcTooNew,
        .libstdcxxTooNew,
        .policySymbolVersion,
        .blacklistedSymbol,
        .missingLibrary,
        .missingSymbolVersion,
        .undefinedSymbol,
        .execStack,
        .unsafePath,
        .unreadableFile,
        .noUnixModes,
        .layerLayout,
        .handlerNotFound,
        .layerIncompatible,
        .wheelTagMismatch,
        .nodePlatformPackage,
        .jniLibraryMissing,
        .dotnetNativeMissing,
        .rubyPlatformMismatch,
        .prismaEngineMismatch,
        .duplicateModule,
        .packageTooLarge,
        .uploadTooLarge,
        .imageTooLarge,
        .unreadableEntry,
        .extractionMismatch,
        .runtimeDeprecated,
        .deploymentNotChecked,
    ]

    /// Checks of container images: they run only when an image is scanned.
    public static let imageChecks: Set<String> = [
        Check.imageMediaType.id, Check.imageIntegrity.id, Check.imageEntrypoint.id, Check.imageArchMismatch.id, Check.imageTooLarge.id,
    ]

    /// Checks whose verdict is "this file cannot load or run here": their severity follows the file's reach (an
    /// error where the runtime loads it, a warning for a program nothing runs or a Python module imported only under
    /// `except ImportError`, a note for another platform's copy). The Python module checks are among them: a module
    /// CPython does not import is as harmless as one it cannot load when the package goes on without it.
    public static let reachabilityChecks: Set<String> = [
        Check.corruptBinary.id, Check.windowsBinary.id, Check.darwinBinary.id, Check.androidBinary.id, Check.wrongArch.id,
        Check.muslBinary.id, Check.glibcTooNew.id, Check.libstdcxxTooNew.id, Check.missingLibrary.id,
        Check.missingSymbolVersion.id, Check.undefinedSymbol.id, Check.execStack.id, Check.notLoadable.id,
        Check.pythonABIMismatch.id, Check.pythonInitMissing.id, Check.abi3TooNew.id,
    ]

    /// Checks whose failure happens only when a module is imported (CPython looks up its `PyInit_` function), not
    /// when the file is loaded by its path (ctypes, a debugger): `Reach.loadedByPath`.
    public static let importOnlyChecks: Set<String> = [Check.pythonInitMissing.id]

    /// Checks whose findings in one group are not one cause even with one fact: each unreadable file is damaged in its
    /// own way (`corrupt-binary`'s fact is only "unreadable"). Every other check's findings are grouped (one cause,
    /// one finding: `FindingGrouping`).
    public static let ungroupedChecks: Set<String> = [Check.corruptBinary.id]

    /// Checks that judge what a deployment descriptor says (Handler, Runtime, a layer's compatible lists, what could
    /// not be read): they run only in `shiplint scan PROJECT`, never on artifacts named on the command line.
    public static let descriptorChecks: Set<String> = [
        Check.handlerNotFound.id, Check.layerIncompatible.id, Check.runtimeDeprecated.id, Check.deploymentNotChecked.id,
    ]

    /// The checks that run on a deployment: every one given, less the descriptor checks without a descriptor and the
    /// image checks without an image.
    public static func applicable(_ checks: [Check], descriptor: Bool, image: Bool) -> [Check] {
        checks.filter { (descriptor || !descriptorChecks.contains($0.id)) && (image || !imageChecks.contains($0.id)) }
    }

    public static func check(id: String) -> Check? {
        all.first { $0.id == id }
    }

    static func precedence(of id: String) -> Int {
        all.firstIndex { $0.id == id } ?? all.count
    }
}
