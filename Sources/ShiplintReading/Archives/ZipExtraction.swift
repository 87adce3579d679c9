import ShiplintFacts

/// What the extractors make of a ZIP entry's name and type, where that differs from what the archive lists: Info-ZIP
/// `unzip` 6.0 and Python's `zipfile` (3.11), each checked against the archive differential test
/// (differential/archives). Lambda's own extractor is not public: where the two agree shiplint follows them; where
/// they differ, both results are judged and the difference is a finding (`extraction-mismatch`).
///
/// - A name is cut at its first NUL byte by both (C strings in unzip; `ZipInfo` cuts at `\0`).
/// - An entry is a folder when its name ends in `/`, for both, whatever its attributes say; a Unix symbolic link
///   (host 3, `S_IFLNK`) is restored as a link by unzip (zipfile writes a file holding the target's path; Lambda
///   restores links, as shiplint's model of the runtime does); every other entry is a regular file (a FIFO or
///   device mode, a folder attribute on an entry that holds data).
/// - The Info-ZIP Unicode Path extra field (0x7075, version 1, holding the CRC-32 of the stored name) gives the name
///   unzip writes when the UTF-8 flag (bit 11) is not set; zipfile 3.11 ignores it and writes the stored name.
/// - A name flagged UTF-8 that is not UTF-8 makes zipfile refuse the whole archive; unzip writes its bytes. A name
///   not flagged UTF-8 with bytes outside ASCII is decoded as CP437 by zipfile and written as UTF-8; unzip writes its
///   bytes, converted from CP437 to ISO 8859-1 for an MS-DOS or OS/2 host, flagged UTF-8 or not.
enum ZipExtraction {
    enum EntryType { case file, directory, symlink }

    /// The type both extractors give the entry (a link for unzip; see above).
    static func type(name: String, host: UInt8, externalAttributes: UInt32) -> EntryType {
        if name.hasSuffix("/") { return .directory }
        if host == 3, (externalAttributes >> 16) & 0o170000 == 0o120000 { return .symlink }
        return .file
    }

    static func typeBits(_ type: EntryType) -> UInt32 {
        switch type {
        case .file: 0o100000
        case .directory: 0o040000
        case .symlink: 0o120000
        }
    }

    /// What the extractors make of one central-directory record's stored name and extra field.
    struct Name {
        /// The name written (cut at NUL), shown as shiplint shows names.
        let name: String
        /// The whole stored name, when a NUL cut it.
        var stored: String?
        /// The name unzip writes from a Unicode Path extra field, when it differs from `name`.
        var unicodePath: String?
        /// Why the extractors write different bytes for this name (its encoding), if they do.
        var encoding: String?
        /// Why Python's zipfile refuses the record's extra field, if it does.
        var malformedExtra: String?
    }

    static func name(raw: ArraySlice<UInt8>, flags: UInt16, host: UInt8, extra: ArraySlice<UInt8>) -> Name {
        let cut = raw.firstIndex(of: 0).map { raw[raw.startIndex..<$0] } ?? raw
        var result = Name(name: EntryName.display(cut))
        if cut.count != raw.count { result.stored = EntryName.display(raw) }
        let isUTF8 = String(validating: Array(cut), as: UTF8.self) != nil
        let flagged = flags & 0x800 != 0
        // unzip 6.0 converts the names of an MS-DOS (0) or OS/2 HPFS (6) host from CP437 to ISO 8859-1 whatever the flag.
        let converted = host == 0 || host == 6
        if flagged && !isUTF8 {
            result.encoding = "the ZIP flags it as UTF-8 but it is not: Python's zipfile refuses the whole archive, unzip writes its bytes"
        } else if flagged && converted && !cut.allSatisfy({ $0 < 0x80 }) {
            result.encoding = "its UTF-8 name comes from an \(host == 0 ? "MS-DOS" : "OS/2") host: Python's zipfile writes it as UTF-8, unzip converts its bytes from CP437 to ISO 8859-1"
        } else if !flagged && !cut.allSatisfy({ $0 < 0x80 }) {
            let zipfileName = String(decoding: [UInt8](cut).flatMap { cp437($0).utf8 }, as: UTF8.self)
            if zipfileName != result.name {
                result.encoding = "its bytes are not flagged UTF-8: Python's zipfile reads them as CP437 and writes '\(zipfileName)', unzip writes the bytes \(converted ? "converted from CP437 to ISO 8859-1" : "as they are")"
            }
        }
        if result.encoding == nil, cut.contains(UInt8(ascii: "\\")) {
            let unzipName = result.name.replacingText("\\", with: "/")
            result.encoding = "a backslash: unzip writes it as a folder separator ('\(unzipName)'), Python's zipfile keeps it in the file's name"
        }
        if !flagged, let path = unicodePath(extra: Array(extra), storedName: raw), path != result.name {
            result.unicodePath = path
        }
        result.malformedExtra = malformedExtra(Array(extra))
        return result
    }

    /// Why Python's zipfile refuses an extra field (a block longer than what is left of the field), nil when it does not.
    static func malformedExtra(_ extra: [UInt8]) -> String? {
        let view = ByteView(extra, byteOrder: .little)
        var cursor = 0
        while cursor + 4 <= extra.count, let id = view.u16(cursor), let length = view.u16(cursor + 2).map(Int.init) {
            guard cursor + 4 + length <= extra.count else {
                return "its extra field's block 0x\(String(id, radix: 16)) claims \(length) bytes where \(extra.count - cursor - 4) remain"
            }
            cursor += 4 + length
        }
        return nil
    }

    /// The Info-ZIP Unicode Path extra field's name, when its CRC-32 is that of the stored name (unzip's test).
    private static func unicodePath(extra: [UInt8], storedName: ArraySlice<UInt8>) -> String? {
        let view = ByteView(extra, byteOrder: .little)
        var cursor = 0
        while cursor + 4 <= extra.count, let id = view.u16(cursor), let length = view.u16(cursor + 2).map(Int.init),
            cursor + 4 + length <= extra.count
        {
            if id == 0x7075, length >= 5, view.u8(cursor + 4) == 1, view.u32(cursor + 5) == ZipCRC.of(storedName) {
                let bytes = extra[(cursor + 9)..<(cursor + 4 + length)]
                let name = bytes.firstIndex(of: 0).map { bytes[..<$0] } ?? bytes
                return name.isEmpty ? nil : EntryName.display(name)
            }
            cursor += 4 + length
        }
        return nil
    }

    /// Code page 437's character for a byte (what Python's `cp437` codec gives).
    static func cp437(_ byte: UInt8) -> String {
        guard byte >= 0x80 else { return String(UnicodeScalar(byte)) }
        let high = Array(
            "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u{00A0}")
        return String(high[Int(byte) - 0x80])
    }
}
