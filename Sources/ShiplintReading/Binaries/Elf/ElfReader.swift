internal import CLibelf
import ShiplintFacts

/// Reads ELF facts the way glibc's ld.so does: the ELF header (ElfHeader.swift), the program headers and the memory
/// image their PT_LOAD segments make (ElfSegments.swift), then PT_DYNAMIC found at its `p_vaddr` in that image, whose
/// tags give the string, symbol, version and hash tables by *address* (ElfDynamicTable.swift, ElfVersionTables.swift,
/// ElfSymbolTable.swift), and the notes (ElfNotes.swift). Section headers are never read: the loader does not read
/// them, so a file whose section table is stripped or points past its end loads (and is judged) like the original.
/// libelf (elfutils) reads the header, the program headers and the dynamic table; the variable-length tables are
/// walked by hand over bounds-checked views, their links capped by the segment that holds them (a looping `vn_next`
/// ends, it does not spin). Works over `HeldBytes`, so a stream needs to keep only the ranges read here.
enum ElfReader {
    enum Outcome {
        case facts(ElfFacts)
        /// The loader would refuse the file, or a table lies outside the file: the reason, in the loader's words where
        /// it has some.
        case corrupt(String)
        /// A range the facts need was not held: `offset..<offset+count` (inside the file). A stream keeps it and reads
        /// again; what cannot be held is said, never guessed. `also`: ranges the reader will ask for next, as far as
        /// what it has read tells (the other segments and tables), so a stream keeps them in the same pass.
        case notHeld(String, offset: Int, count: Int, also: [Range<Int>])
    }

    /// libelf must be told which ELF version the caller speaks before any other call; once per process.
    private static let libelfReady: Bool = elf_version(UInt32(EV_CURRENT)) != UInt32(EV_NONE)

    static func read(_ bytes: [UInt8]) -> Outcome {
        read(HeldBytes(whole: bytes))
    }

    static func read(_ held: HeldBytes) -> Outcome {
        switch ElfHeader.parse(held) {
        case .failure(let reason): return reason.outcome
        case .success(let header):
            guard libelfReady else { return .corrupt("libelf could not be initialised") }
            switch ElfFactsReader(held: held, header: header).read() {
            case .success(let facts): return .facts(facts)
            case .failure(let reason): return reason.outcome
            }
        }
    }

    /// What the loader searches with (DT_NEEDED, DT_SONAME, DT_RPATH, DT_RUNPATH), from a file whose facts could not
    /// all be read from what is held; nil when that much was not held either.
    static func links(_ held: HeldBytes) -> ElfLinks? {
        guard libelfReady, case .success(let header) = ElfHeader.parse(held) else { return nil }
        return ElfFactsReader(held: held, header: header).readLinks()
    }

    struct Reason: Error {
        let text: String
        var missing: (offset: Int, count: Int)?
        /// With `missing`: the other ranges the reader will need, known from what it read (see `Outcome.notHeld`).
        var also: [Range<Int>] = []
        /// False for a word of data (a relocated word): asked for alone, not with the tables near it.
        var clustered = true

        static func missing(_ what: String, _ offset: Int, _ count: Int) -> Reason {
            Reason(text: "\(what) (offset \(offset), \(count) bytes) was not read", missing: (offset, count))
        }

        var outcome: Outcome {
            guard let missing else { return .corrupt(text) }
            return .notHeld(text, offset: missing.offset, count: missing.count, also: also)
        }
    }
}

func hex(_ value: some BinaryInteger) -> String {
    String(value, radix: 16)
}
