import ShiplintFacts

/// What is done with a file's content: known by its name, size and mode unless it could be native code, an archive
/// or a metadata file the caller wants; then its first bytes decide. An ELF file is read holding only the ranges its
/// facts need (`ElfRanges`); another binary or a nested archive is read whole, under the caps.
extension Walk {
    /// Lists a regular file and judges its content.
    mutating func examineFile(
        path: String, size: Int64, mode: UInt32?, depth: Int, encrypted: Bool, content: some EntryContent
    ) {
        record(ArtifactEntry(path: path, size: max(size, 0), mode: mode, type: .file))
        guard !stopped else { return }
        judgeContent(path: path, size: size, mode: mode, depth: depth, encrypted: encrypted, content: content)
    }

    /// Judges a file's content at `path` (a file just listed, or a link judged by its target's content).
    mutating func judgeContent(
        path: String, size: Int64, mode: UInt32?, depth: Int = 0, encrypted: Bool = false, content: some EntryContent
    ) {
        var content = content
        if let python {
            if python.files.contains(path) { readPython(path: path, size: size, encrypted: encrypted, selection: python, content: &content) }
            return
        }
        let name = Self.lastComponent(path)
        if encrypted {
            if NativeName.looksNative(name) || NativeName.looksLikeArchive(name) {
                addProblem(ArtifactProblem(
                    kind: .encryptedEntry, path: path,
                    message: "entry is encrypted, so it was not read (Lambda cannot read it either)"))
            }
            return
        }
        guard !budgetExhausted else { return }
        // Only what could be native code or an archive is looked into; the rest is known by its name, size and mode.
        let wanted = metadata.wants(path)
        guard wanted || NativeName.worthSniffing(path: path, mode: mode) else { return }
        let head: [UInt8]
        switch content.prefix(FileSignature.prefixLength) {
        case .complete(let bytes), .overLimit(let bytes): head = bytes
        case .failed(let reason):
            addProblem(ArtifactProblem(kind: .unreadableEntry, path: path, message: "entry could not be read: \(reason)"))
            return
        }
        let signature = FileSignature(prefix: head)
        if wanted && !signature.isNativeBinary {
            keepText(path: path, size: size, head: head, content: &content)
            return
        }
        // JARs too: their JNI libraries, one copy per platform, are judged as the JVM picks one (NativeChoice).
        let isNestedArchive = (signature == .zip || signature == .tarLike) && NativeName.looksLikeArchive(name)
        guard signature.isNativeBinary || isNestedArchive || NativeName.looksNative(name) else { return }
        if !signature.isNativeBinary && !isNestedArchive {
            // Named like a library but not one: the first bytes say enough to tell the user what it is.
            if let binary = BinaryReader.read(path: path, size: size, mode: mode, bytes: head) { addBinary(binary) }
        } else if signature == .elf {
            readElf(path: path, size: size, mode: mode, head: head, content: &content)
        } else {
            readWhole(path: path, size: size, mode: mode, head: head, signature: signature, nested: isNestedArchive, depth: depth, content: &content)
        }
    }

    /// A Python file of a second read, parsed for its imports within the selection's caps (`PythonImportReader`).
    private mutating func readPython(
        path: String, size: Int64, encrypted: Bool, selection: PythonFileSelection, content: inout some EntryContent
    ) {
        guard !encrypted else { return keepPython(path, imports: nil, bytes: 0, unread: "encrypted") }
        guard size <= Int64(selection.fileBytes) else {
            return keepPython(path, imports: nil, bytes: 0, unread: "\(size) bytes, over the cap of \(selection.fileBytes) bytes read of one Python file")
        }
        guard pythonBytes + Int(max(size, 0)) <= selection.totalBytes else {
            return keepPython(path, imports: nil, bytes: 0, unread: "past the cap of \(selection.totalBytes) bytes of Python files read for one artifact")
        }
        var text: [UInt8]
        switch content.prefix(FileSignature.prefixLength) {
        case .complete(let bytes), .overLimit(let bytes): text = bytes
        case .failed(let reason): return keepPython(path, imports: nil, bytes: 0, unread: "could not be read: \(reason)")
        }
        if text.count == FileSignature.prefixLength {
            switch content.rest(limit: selection.fileBytes - text.count) {
            case .complete(let tail): text += tail
            case .overLimit: return keepPython(path, imports: nil, bytes: 0, unread: "over the cap of \(selection.fileBytes) bytes read of one Python file")
            case .failed(let reason): return keepPython(path, imports: nil, bytes: 0, unread: "could not be read: \(reason)")
            }
        }
        keepPython(path, imports: PythonImportReader.imports(in: text), bytes: text.count)
    }

    /// A metadata file the caller wants, kept as text up to its rule's limit (`MetadataSelection.fileBytes`; longer only when it may be
    /// cut: its head is what is used).
    private mutating func keepText(path: String, size: Int64, head: [UInt8], content: inout some EntryContent) {
        let cap = metadata.limit(path)
        let truncatable = metadata.mayTruncate(path)
        guard size <= Int64(cap) || truncatable else { return }
        var text = head
        if head.count == FileSignature.prefixLength {
            switch content.rest(limit: cap - head.count) {
            case .complete(let tail): text += tail
            case .overLimit(let tail) where truncatable: text += tail.prefix(cap - head.count)
            default: return
            }
        }
        keepMetadata(path, String(decoding: text, as: UTF8.self))
    }

    /// A PE or Mach-O file, or a nested archive: read whole (a nested archive too large to hold is read straight out
    /// of its entry instead).
    private mutating func readWhole(
        path: String, size: Int64, mode: UInt32?, head: [UInt8], signature: FileSignature, nested: Bool, depth: Int,
        content: inout some EntryContent
    ) {
        if size > Int64(limits.entryBytes) {
            addProblem(ArtifactProblem(
                kind: .entryTooLarge, path: path,
                message: "entry declares \(size) bytes, over the per-entry cap of \(limits.entryBytes) bytes; not read (raise --max-entry-bytes)"))
            return
        }
        // A nested archive is opened from memory: what it may hold is what is left of the nested cap.
        let nestedRoom = nested ? limits.nestedArchiveBytes - nestedHeld : Int.max
        if size > Int64(nestedRoom) {
            // Too large to hold: read it straight out of the entry instead, holding nothing but a block.
            openStreamed(path: path, signature: signature, head: head, content: content, depth: depth)
            return
        }
        guard let bytes = wholeContent(path: path, size: size, head: head, nestedRoom: nestedRoom, content: &content) else { return }
        spend(bytes.count)
        if nested {
            openNested(bytes, path: path, signature: signature, depth: depth)
        } else if let binary = BinaryReader.read(path: path, size: Int64(bytes.count), mode: mode, bytes: bytes) {
            addBinary(binary)
        }
    }

    /// The entry's bytes (`head` and the rest), or nil when a cap or a read failure stopped it (said as a problem).
    private mutating func wholeContent(
        path: String, size: Int64, head: [UInt8], nestedRoom: Int, content: inout some EntryContent
    ) -> [UInt8]? {
        guard head.count == FileSignature.prefixLength else { return head }
        let budget = limits.artifactBytes - inflated
        switch content.rest(limit: max(min(limits.entryBytes, budget, nestedRoom) - head.count, 0)) {
        case .complete(var tail):
            // The head goes in front of the tail, in the room its growth left: no second copy of a large entry.
            tail.insert(contentsOf: head, at: 0)
            return tail
        case .overLimit where nestedRoom < min(limits.entryBytes, budget):
            addProblem(ArtifactProblem(
                kind: .nestedArchiveTooLarge, path: path,
                message: "nested archive inflates to more than \(nestedRoom) bytes (its header said \(size))\(nestedHeld > 0 ? "; with the \(nestedHeld) bytes of the archives it is inside, that passes" : ", over") the cap of \(limits.nestedArchiveBytes) bytes held for nested archives at once (each is opened in memory); not opened (raise --max-nested-bytes, or unpack it when building the package)"))
        case .overLimit where limits.entryBytes <= budget:
            addProblem(ArtifactProblem(
                kind: .entryTooLarge, path: path,
                message: "entry inflates to more than the per-entry cap of \(limits.entryBytes) bytes (its header said \(size)); not read"))
        case .overLimit:
            exhaustBudget()
            addProblem(ArtifactProblem(
                kind: .artifactTooLarge, path: path,
                message: "inflating this entry would pass the cap of \(limits.artifactBytes) bytes for the whole artifact; it and the rest were not read (raise --max-artifact-bytes)"))
        case .failed(let reason):
            addProblem(ArtifactProblem(kind: .unreadableEntry, path: path, message: "entry could not be read: \(reason)"))
        }
        return nil
    }

    /// An ELF file: only the ranges its facts need are held (`ElfRanges`), whatever its size; the per-entry cap
    /// bounds what is held, not the file.
    private mutating func readElf(path: String, size: Int64, mode: UInt32?, head: [UInt8], content: inout some EntryContent) {
        let cap = limits.entryBytes
        let result: ElfRanges.Result
        let declared = size >= 0 ? Int(size) : Int.max
        if size >= 0, content.read(offset: 0, count: 0) != nil {
            let source = content
            result = ElfRanges.read(size: declared, cap: cap) { offset, count in source.read(offset: offset, count: count) }
        } else {
            var streamed = 0
            var current = content
            result = ElfRanges.read(
                declaredSize: declared, cap: cap, head: head, inflated: &streamed, budget: limits.artifactBytes - inflated,
                stream: { consume in current.stream(consume) },
                restart: {
                    guard let again = current.restarted() else { return nil }
                    var fresh = again
                    return { consume in fresh.stream(consume) }
                })
            spend(streamed)
        }
        recordElf(result, path: path, size: size, mode: mode, cap: cap)
    }

    /// What was read of an ELF file read only in part, said after why.
    private static func partly(_ links: ElfLinks?) -> String {
        guard links != nil else { return "" }
        return ": what the loader searches with (DT_NEEDED, DT_RPATH, DT_RUNPATH) is read, so the libraries it needs are checked; its symbols, versions and relocations are not"
    }

    /// What reading an ELF file came to: its facts, why the loader would refuse it, or why it was not read.
    private mutating func recordElf(_ result: ElfRanges.Result, path: String, size: Int64, mode: UInt32?, cap: Int) {
        switch result {
        case .outcome(.facts(let facts)):
            addBinary(Binary(path: path, size: size, mode: mode, facts: .elf(facts), problem: nil))
        case .outcome(.corrupt(let reason)):
            addBinary(Binary(path: path, size: size, mode: mode, facts: nil, problem: reason))
        case .outcome(.notHeld(let reason, _, _, _)):
            addProblem(ArtifactProblem(
                kind: .readerLimit, path: path,
                message: "ELF file not fully read: \(reason); a limit of shiplint's reader, not damage in the archive"))
        case .gaveUp(let reason, let links):
            addProblem(ArtifactProblem(
                kind: .readerLimit, path: path,
                message: "ELF file not fully read: \(reason); a limit of shiplint's reader, not damage in the archive\(links == nil ? "" : "; read only in part" + Self.partly(links))",
                links: links))
        case .overCap(let needed, let links):
            addProblem(ArtifactProblem(
                kind: .entryTooLarge, path: path,
                message: "the tables its facts need take more than the per-entry cap of \(cap) bytes held (at least \(needed)); \(links == nil ? "not read" : "read only in part" + Self.partly(links)) (raise --max-entry-bytes)",
                links: links))
        case .overBudget:
            exhaustBudget()
            addProblem(ArtifactProblem(
                kind: .artifactTooLarge, path: path,
                message: "reading this entry would pass the cap of \(limits.artifactBytes) bytes inflated for the whole artifact; it and the rest were not read (raise --max-artifact-bytes)"))
        case .failed(let reason):
            addProblem(ArtifactProblem(kind: .unreadableEntry, path: path, message: "entry could not be read: \(reason)"))
        }
    }
}
