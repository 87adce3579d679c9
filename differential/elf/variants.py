"""ELF variants for the differential test: each is a real x86_64 library or program with one or two changes of the
kinds a broken build, a damaged download or a hostile file has (identity bytes, types, program headers, the dynamic
table, version records and their hashes, symbols, strings, truncations, stray bytes). Variants are made from a seed,
so a variant's number says exactly how it was made; `describe` says it in words."""
import random
import struct

PT_NULL, PT_LOAD, PT_DYNAMIC, PT_INTERP, PT_NOTE, PT_PHDR, PT_TLS = 0, 1, 2, 3, 4, 6, 7
PT_GNU_STACK, PT_GNU_RELRO = 0x6474E551, 0x6474E552
DT_NULL, DT_NEEDED, DT_HASH, DT_STRTAB, DT_SYMTAB, DT_STRSZ, DT_SONAME, DT_RPATH = 0, 1, 4, 5, 6, 10, 14, 15
DT_DEBUG, DT_RUNPATH, DT_FLAGS_1, DT_GNU_HASH = 21, 29, 0x6FFFFFFB, 0x6FFFFEF5
DT_VERSYM, DT_VERDEF, DT_VERDEFNUM, DT_VERNEED, DT_VERNEEDNUM = 0x6FFFFFF0, 0x6FFFFFFC, 0x6FFFFFFD, 0x6FFFFFFE, 0x6FFFFFFF
SHT_DYNSYM = 11


class Elf:
    """An x86_64 (ELF64 little endian) file: its program headers, and its dynamic table and the tables it names,
    located as the loader locates them (by address, through the PT_LOAD segments)."""

    def __init__(self, data: bytes):
        self.data = bytearray(data)
        (self.type, self.machine, self.version, _, self.phoff, self.shoff, _, _, self.phentsize, self.phnum,
         self.shentsize, self.shnum, _) = struct.unpack_from("<HHIQQQIHHHHHH", self.data, 16)
        self.phdrs = [self.phdr(i) for i in range(self.phnum)]
        self.loads = [p for p in self.phdrs if p["type"] == PT_LOAD]
        self.dynamic = []
        dyn = [p for p in self.phdrs if p["type"] == PT_DYNAMIC]
        if dyn:
            at = self.offset_of(dyn[-1]["vaddr"])
            while at is not None and at + 16 <= len(self.data):
                tag, value = struct.unpack_from("<qQ", self.data, at)
                self.dynamic.append({"at": at, "tag": tag, "value": value})
                if tag == DT_NULL:
                    break
                at += 16
        self.tags = {}
        for entry in self.dynamic:
            self.tags.setdefault(entry["tag"], entry)
        strtab = self.tags.get(DT_STRTAB)
        self.strtab = self.offset_of(strtab["value"]) if strtab else None
        strsz = self.tags.get(DT_STRSZ)
        self.strsz = strsz["value"] if strsz else 0
        self.verneed = self.version_needs()
        self.verdef = self.version_definitions()
        self.dynsym = self.dynamic_symbols()

    def phdr(self, index):
        at = self.phoff + index * 56
        kind, flags, offset, vaddr, _, filesz, memsz, align = struct.unpack_from("<IIQQQQQQ", self.data, at)
        return {"at": at, "index": index, "type": kind, "flags": flags, "offset": offset, "vaddr": vaddr,
                "filesz": filesz, "memsz": memsz, "align": align}

    def offset_of(self, address):
        for load in self.loads:
            if load["vaddr"] <= address < load["vaddr"] + load["filesz"]:
                return load["offset"] + address - load["vaddr"]
        return None

    def version_needs(self):
        """[(record offset, [vernaux offsets])], following the links."""
        entry = self.tags.get(DT_VERNEED)
        at = self.offset_of(entry["value"]) if entry else None
        out = []
        while at is not None and at + 16 <= len(self.data) and len(out) < 64:
            _, _, _, aux, nxt = struct.unpack_from("<HHIII", self.data, at)
            auxes, aux_at = [], at + aux
            while aux_at + 16 <= len(self.data) and len(auxes) < 64:
                auxes.append(aux_at)
                aux_next = struct.unpack_from("<I", self.data, aux_at + 12)[0]
                if aux_next == 0:
                    break
                aux_at += aux_next
            out.append((at, auxes))
            if nxt == 0:
                break
            at += nxt
        return out

    def version_definitions(self):
        """[(record offset, first verdaux offset)], following the links."""
        entry = self.tags.get(DT_VERDEF)
        at = self.offset_of(entry["value"]) if entry else None
        out = []
        while at is not None and at + 20 <= len(self.data) and len(out) < 64:
            _, _, _, _, _, aux, nxt = struct.unpack_from("<HHHHIII", self.data, at)
            out.append((at, at + aux))
            if nxt == 0:
                break
            at += nxt
        return out

    def dynamic_symbols(self):
        """(offset, count) of the dynamic symbol table, from the section headers (present in every base)."""
        for i in range(self.shnum):
            at = self.shoff + i * 64
            if at + 64 > len(self.data):
                break
            _, kind, _, _, offset, size, _, _, _, entsize = struct.unpack_from("<IIQQQQIIQQ", self.data, at)
            if kind == SHT_DYNSYM and entsize == 24:
                return offset, size // 24
        return None

    def strings(self):
        """Offsets (in the string table) of the strings it holds."""
        if self.strtab is None:
            return []
        table = self.data[self.strtab:self.strtab + self.strsz]
        starts, start = [], 0
        for i, byte in enumerate(table):
            if byte == 0:
                starts.append(start)
                start = i + 1
        return starts

    def put(self, fmt, at, *values):
        struct.pack_into("<" + fmt, self.data, at, *values)

    def get(self, fmt, at):
        return struct.unpack_from("<" + fmt, self.data, at)


def elf_hash(name: bytes) -> int:
    h = 0
    for byte in name:
        h = ((h << 4) + byte) & 0xFFFFFFFF
        g = h & 0xF0000000
        if g:
            h ^= g >> 24
        h &= ~g & 0xFFFFFFFF
    return h


def interesting(rng, values):
    return rng.choice(values) if rng.random() < 0.8 else rng.getrandbits(32)


# ---------------------------------------------------------------- mutations: each changes `elf` and says what it did
def identity(rng, elf):
    field = rng.choice(["class", "data", "ei_version", "osabi", "abiversion", "gnu_abiversion", "padding", "e_version",
                        "e_machine", "e_type", "e_phentsize"])
    if field == "class":
        elf.data[4] = rng.choice([0, 1, 3, 255])
    elif field == "data":
        elf.data[5] = rng.choice([0, 2, 3])
    elif field == "ei_version":
        elf.data[6] = rng.choice([0, 2, 255])
    elif field == "osabi":
        elf.data[7] = rng.choice([0, 1, 2, 3, 6, 9, 12, 97, 255, rng.randrange(256)])
    elif field == "abiversion":
        elf.data[8] = rng.choice([0, 1, 2, 3, 4, 255])
    elif field == "gnu_abiversion":
        elf.data[7] = 3
        elf.data[8] = rng.choice([0, 1, 2, 3, 4, 5, 255])
    elif field == "padding":
        elf.data[rng.randrange(9, 16)] = rng.randrange(1, 256)
    elif field == "e_version":
        elf.put("I", 20, interesting(rng, [0, 2, 0xFFFFFFFF]))
    elif field == "e_machine":
        elf.put("H", 18, rng.choice([0, 3, 40, 183, 243, rng.randrange(65536)]))
    elif field == "e_type":
        elf.put("H", 16, rng.choice([0, 1, 2, 3, 4, 0xFE00, 0xFFFF]))
    else:
        elf.put("H", 54, rng.choice([0, 32, 48, 64]))
    return "identity " + field


def segment(rng, elf):
    ph = rng.choice(elf.phdrs)
    field = rng.choice(["type", "offset", "vaddr", "filesz", "memsz", "align", "flags"])
    at = ph["at"]
    if field == "type":
        elf.put("I", at, rng.choice([PT_NULL, PT_LOAD, PT_DYNAMIC, PT_INTERP, PT_NOTE, PT_PHDR, PT_TLS, PT_GNU_STACK,
                                     PT_GNU_RELRO]))
    elif field == "flags":
        elf.put("I", at + 4, rng.randrange(8))
    else:
        slot = {"offset": 8, "vaddr": 16, "filesz": 32, "memsz": 40, "align": 48}[field]
        old = elf.get("Q", at + slot)[0]
        if field == "align":
            new = rng.choice([0, 1, 3, 8, 0x1000, 0x10000, 0x200000])
        else:
            new = max(0, old + rng.choice([-0x1000, -8, -1, 1, 8, 0x1000, 0x100000])) if rng.random() < 0.8 else rng.choice([0, 1 << 40])
        elf.put("Q", at + slot, new)
    return f"segment {ph['index']} (type {ph['type']:#x}) {field}"


def decoy_dynamic(rng, elf):
    """The issue's decoy: a clean copy of the dynamic table appended to the file and named by PT_DYNAMIC's p_offset,
    while p_vaddr keeps naming the real table, which is changed to need a library that does not exist."""
    dyn = [p for p in elf.phdrs if p["type"] == PT_DYNAMIC]
    needed = [e for e in elf.dynamic if e["tag"] == DT_NEEDED]
    if not dyn or not needed or elf.strtab is None:
        return None
    start = dyn[-1]["offset"]
    copy = bytes(elf.data[start:start + dyn[-1]["filesz"]])
    # Another string of the table (a symbol's name) as a library name: no such library exists.
    names = [s for s in elf.strings() if not elf.data[elf.strtab + s:elf.strtab + s + 3] == b"lib" and s > 0]
    if not names:
        return None
    elf.put("Q", rng.choice(needed)["at"] + 8, rng.choice(names))
    padding = (-len(elf.data)) % 16
    elf.data += bytes(padding)
    elf.put("Q", dyn[-1]["at"] + 8, len(elf.data))
    elf.data += copy
    return "PT_DYNAMIC p_offset names a clean copy; the table at p_vaddr needs a library that does not exist"


def dynamic_entry(rng, elf):
    if not elf.dynamic:
        return None
    entry = rng.choice(elf.dynamic)
    what = rng.choice(["tag", "value", "flags_1", "needed_string"])
    if what == "tag":
        elf.put("q", entry["at"], rng.choice([DT_NULL, DT_NEEDED, DT_SONAME, DT_RPATH, DT_RUNPATH, DT_DEBUG, DT_STRSZ,
                                              DT_FLAGS_1, DT_VERNEED, DT_VERDEF, DT_VERSYM, DT_HASH, DT_GNU_HASH]))
        return f"dynamic entry tag {entry['tag']:#x} retagged"
    if what == "flags_1":
        # DF_1_PIE, DF_1_NOOPEN or other bits, on DT_FLAGS_1 or on an entry the loader can do without.
        target = elf.tags.get(DT_FLAGS_1) or elf.tags.get(DT_SONAME) or elf.tags.get(DT_DEBUG)
        if target is None:
            return None
        value = rng.choice([0x08000000, 0x40, 0x08000001, 0x1, 0x8, rng.getrandbits(32)])
        elf.put("qQ", target["at"], DT_FLAGS_1, value)
        return f"DT_FLAGS_1 = {value:#x}"
    if what == "needed_string":
        needed = [e for e in elf.dynamic if e["tag"] in (DT_NEEDED, DT_SONAME, DT_RUNPATH, DT_RPATH)]
        strings = elf.strings()
        if not needed or not strings:
            return None
        entry = rng.choice(needed)
        value = rng.choice(strings) + rng.choice([0, 0, 1, 3]) if rng.random() < 0.7 else rng.choice([elf.strsz, elf.strsz - 1, 1 << 31])
        elf.put("Q", entry["at"] + 8, value)
        return f"dynamic entry {entry['tag']:#x} names string {value:#x}"
    old = entry["value"]
    new = max(0, old + rng.choice([-16, -8, -1, 1, 8, 16, 0x1000])) if rng.random() < 0.8 else rng.choice([0, 1 << 40])
    elf.put("Q", entry["at"] + 8, new)
    return f"dynamic entry {entry['tag']:#x} value {old:#x} -> {new:#x}"


def version_need(rng, elf):
    if not elf.verneed:
        return None
    record, auxes = rng.choice(elf.verneed)
    field = rng.choice(["vna_hash", "vna_hash", "vna_flags", "vna_other", "vna_name", "vna_next", "vn_version", "vn_cnt",
                        "vn_file", "vn_aux", "vn_next"])
    if field.startswith("vna"):
        if not auxes:
            return None
        aux = rng.choice(auxes)
        if field == "vna_hash":
            old = elf.get("I", aux)[0]
            elf.put("I", aux, old ^ (1 << rng.randrange(32)) if rng.random() < 0.7 else rng.choice([0, elf_hash(b"GLIBC_2.2.5")]))
        elif field == "vna_flags":
            elf.put("H", aux + 4, rng.choice([2, 1, 0xFFFF]))
        elif field == "vna_other":
            elf.put("H", aux + 6, rng.choice([0, 1, 2, 0x8002, rng.randrange(65536)]))
        elif field == "vna_name":
            strings = elf.strings()
            elf.put("I", aux + 8, rng.choice(strings) if strings and rng.random() < 0.8 else rng.choice([elf.strsz, 1 << 30]))
        else:
            elf.put("I", aux + 12, rng.choice([0, 16, (auxes[0] - aux) % (1 << 32), (-16) % (1 << 32), 1 << 20]))
    else:
        if field == "vn_version":
            elf.put("H", record, rng.choice([0, 2, 0xFFFF]))
        elif field == "vn_cnt":
            elf.put("H", record + 2, rng.choice([0, 1, 0xFFFF]))
        elif field == "vn_file":
            strings = elf.strings()
            elf.put("I", record + 4, rng.choice(strings) if strings else 0)
        elif field == "vn_aux":
            elf.put("I", record + 8, rng.choice([0, 8, 32, 1 << 20]))
        else:
            elf.put("I", record + 12, rng.choice([0, 16, (elf.verneed[0][0] - record) % (1 << 32), 1 << 20]))
    return "version need " + field


def version_definition(rng, elf):
    if not elf.verdef:
        return None
    record, aux = rng.choice(elf.verdef)
    field = rng.choice(["vd_hash", "vd_version", "vd_flags", "vd_ndx", "vd_cnt", "vd_aux", "vd_next", "vda_name"])
    if field == "vd_hash":
        old = elf.get("I", record + 8)[0]
        elf.put("I", record + 8, old ^ (1 << rng.randrange(32)))
    elif field == "vd_version":
        elf.put("H", record, rng.choice([0, 2]))
    elif field == "vd_flags":
        elf.put("H", record + 2, rng.choice([0, 1, 2]))
    elif field == "vd_ndx":
        elf.put("H", record + 4, rng.choice([0, 1, 2, 7, 0x8002]))
    elif field == "vd_cnt":
        elf.put("H", record + 6, rng.choice([0, 2, 0xFFFF]))
    elif field == "vd_aux":
        elf.put("I", record + 12, rng.choice([0, 8, 20, 1 << 20]))
    elif field == "vd_next":
        elf.put("I", record + 16, rng.choice([0, 20, (elf.verdef[0][0] - record) % (1 << 32), 1 << 20]))
    else:
        strings = elf.strings()
        if not strings or aux + 4 > len(elf.data):
            return None
        elf.put("I", aux, rng.choice(strings))
    return "version definition " + field


def symbol(rng, elf):
    if not elf.dynsym:
        return None
    offset, count = elf.dynsym
    if count < 2:
        return None
    at = offset + 24 * rng.randrange(1, count)
    field = rng.choice(["st_info", "st_other", "st_shndx", "st_value"])
    if field == "st_info":
        elf.data[at + 4] = rng.choice([0x00, 0x10, 0x12, 0x20, 0x22, 0x1A, rng.randrange(256)])
    elif field == "st_other":
        elf.data[at + 5] = rng.choice([1, 2, 3])
    elif field == "st_shndx":
        elf.put("H", at + 6, rng.choice([0, 1, 0xFFF1, 0xFFF2, 0xFFFF]))
    else:
        elf.put("Q", at + 8, rng.choice([0, 1 << 40, rng.getrandbits(16)]))
    return "symbol " + field


def string_bytes(rng, elf):
    if elf.strtab is None or elf.strsz == 0:
        return None
    at = elf.strtab + rng.randrange(elf.strsz)
    elf.data[at] = rng.choice([0, ord("x"), ord("."), rng.randrange(256)])
    return f"string table byte {at - elf.strtab:#x}"


def truncation(rng, elf):
    size = len(elf.data)
    ends = [l["offset"] + l["filesz"] for l in elf.loads] + [elf.strtab + elf.strsz if elf.strtab else size]
    cut = rng.choice([rng.randrange(size), rng.randrange(size), rng.choice(ends), (rng.randrange(size) // 4096) * 4096,
                      size - rng.randrange(1, 64), 64 + 56 * rng.randrange(elf.phnum + 1)])
    cut = max(0, min(size, cut))
    del elf.data[cut:]
    return f"truncated to {cut} of {size} bytes"


def stray_bytes(rng, elf):
    limit = min(len(elf.data), 4096 if rng.random() < 0.7 else len(elf.data))
    changed = []
    for _ in range(rng.choice([1, 1, 2, 4])):
        at = rng.randrange(limit)
        elf.data[at] = rng.randrange(256)
        changed.append(at)
    return "bytes changed at " + ",".join(f"{a:#x}" for a in changed)


MUTATIONS = {"identity": identity, "segment": segment, "decoy": decoy_dynamic, "dynamic": dynamic_entry,
             "verneed": version_need, "verdef": version_definition, "symbol": symbol, "strings": string_bytes,
             "truncation": truncation, "bytes": stray_bytes}


def variant(base: bytes, seed: int, kinds=tuple(MUTATIONS)):
    """(bytes, description) of the variant made from `base` with `seed` by mutations of the given kinds; the same
    inputs give the same variant."""
    rng = random.Random(seed)
    chosen = [MUTATIONS[k] for k in kinds]
    elf = Elf(base)
    done = []
    for _ in range(2 if rng.random() < 0.15 else 1):
        for _attempt in range(8):
            mutation = rng.choice(chosen)
            try:
                what = mutation(rng, elf)
            except (struct.error, IndexError, ValueError, OverflowError, TypeError):
                what = None
            if what:
                done.append(what)
                break
        try:
            elf = Elf(bytes(elf.data))
        except (struct.error, IndexError, ValueError, OverflowError, TypeError):
            break
    return bytes(elf.data), "; ".join(done) or "unchanged"
