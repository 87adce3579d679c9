internal import CLibelf
import ShiplintFacts

/// The notes the facts need: the Android identity note and the x86 ISA level a binary needs.
extension ElfFactsReader {
    /// The API level of an Android note (`.note.android.ident`: PT_NOTE, name "Android", type 1, a 4-byte level first
    /// in the descriptor), which the NDK's crtbegin puts in every Android binary. Nil when there is none or it is
    /// damaged (the note is identity, not something the loader needs).
    func readAndroidAPILevel(_ segments: [Segment]) -> Int? {
        for segment in segments where segment.type == UInt32(PT_NOTE) && segment.fileSize > 0 {
            guard case .success(let bytes) = view(segment.offset, segment.fileSize, "PT_NOTE") else { continue }
            var cursor = segment.offset
            for _ in 0..<1024 {
                guard cursor + 12 <= segment.end, let nameSize = bytes.u32(cursor).map(Int.init),
                    let descriptorSize = bytes.u32(cursor + 4).map(Int.init), let type = bytes.u32(cursor + 8),
                    nameSize <= segment.end, descriptorSize <= segment.end
                else { break }
                // Name and descriptor are padded to 4 bytes in the notes Android writes (ELF32 and ELF64 alike).
                let descriptorAt = cursor + 12 + (nameSize + 3) / 4 * 4
                guard descriptorAt + descriptorSize <= segment.end else { break }
                if type == 1, nameSize == 8, bytes.cString(at: cursor + 12, end: cursor + 20) == "Android", descriptorSize >= 4,
                    let level = bytes.u32(descriptorAt)
                {
                    return Int(level)
                }
                cursor = descriptorAt + (descriptorSize + 3) / 4 * 4
            }
        }
        return nil
    }

    /// GNU_PROPERTY_X86_ISA_1_NEEDED from NT_GNU_PROPERTY_TYPE_0 notes (x86-64 psABI, "Program Properties"), read from
    /// PT_GNU_PROPERTY when there is one (what the loader reads), else from the PT_NOTE segments.
    func readX86ISANeeded(_ segments: [Segment]) -> Result<[String], Reason> {
        let property = segments.filter { $0.type == PT_GNU_PROPERTY_TYPE }
        let notes = property.isEmpty ? segments.filter { $0.type == UInt32(PT_NOTE) } : property
        var levels: [String] = []
        for segment in notes where segment.fileSize > 0 {
            let bytes: ByteView
            switch view(segment.offset, segment.fileSize, segment.type == PT_GNU_PROPERTY_TYPE ? "PT_GNU_PROPERTY" : "PT_NOTE") {
            case .failure(let reason): return .failure(reason)
            case .success(let view): bytes = view
            }
            let alignment = segment.alignment == 8 ? 8 : 4
            // Name and descriptor each start at the note alignment, counted from the segment's start.
            func aligned(_ offset: Int) -> Int { segment.offset + padded(offset - segment.offset) }
            func padded(_ value: Int) -> Int { (value + alignment - 1) / alignment * alignment }
            var cursor = segment.offset
            for _ in 0..<1024 {
                guard cursor + 12 <= segment.end, let nameSize = bytes.u32(cursor).map(Int.init),
                    let descriptorSize = bytes.u32(cursor + 4).map(Int.init), let type = bytes.u32(cursor + 8)
                else { break }
                let nameAt = cursor + 12
                let descriptorAt = aligned(nameAt + nameSize)
                let next = aligned(descriptorAt + descriptorSize)
                guard descriptorAt <= segment.end, next <= segment.end + alignment, descriptorAt + descriptorSize <= segment.end else { break }
                defer { cursor = next }
                guard type == UInt32(NT_GNU_PROPERTY_TYPE_0), nameSize == 4, bytes.cString(at: nameAt, end: nameAt + 4) == "GNU" else { continue }
                // Properties: pr_type (4), pr_datasz (4), data padded to 8 bytes on ELF64, 4 on ELF32.
                let padding = header.bits == 64 ? 8 : 4
                let end = descriptorAt + descriptorSize
                var property = descriptorAt
                while property + 8 <= end, let type = bytes.u32(property), let size = bytes.u32(property + 4).map(Int.init) {
                    guard size <= end - property - 8 else { break }
                    if type == 0xC000_8002, size >= 4, let mask = bytes.u32(property + 8) {
                        levels += ElfNames.x86ISALevels(mask)
                    }
                    property += 8 + (size + padding - 1) / padding * padding
                }
            }
        }
        return .success(levels)
    }
}
