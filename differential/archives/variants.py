"""ZIP and tar variants for the archive differential test (run.py): names, attributes, links, extras, prefixes, shared
and overlapping records, encodings and truncations, each written byte by byte (the ZIP by hand, so every field can
lie; the tar with tarfile, then cut or changed). A variant is made from its number and a seed alone, so a failing one
can be made again: `variant(seed, number)` -> Variant.

Payloads are the fixture recipe's binaries (fixtures/bin) and two texts, each of a size no other has, so a file an
extractor writes is known by its hash and a binary shiplint judged by its format and size.
"""
import io
import random
import struct
import tarfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
FIXTURES = ROOT / "fixtures" / "bin"

PAYLOAD_FILES = {
    "elf-clean": "elf/_clean.cpython-313-x86_64-linux-gnu.so",
    "elf-foo": "elf/libfoo.so.1",
    "elf-228": "elf/_glibc228.cpython-311-x86_64-linux-gnu.so",
    "elf-aarch64": "elf/_clean.cpython-313-aarch64-linux-gnu.so",
    "macho": "macho/_mod.cpython-313-darwin.so",
    "pe": "pe/_mod.cp313-win_amd64.pyd",
}


def load_payloads():
    payloads = {name: (FIXTURES / path).read_bytes() for name, path in PAYLOAD_FILES.items()}
    payloads["text"] = b"def handler(event, context):\n    return 'hello'\n"
    payloads["empty"] = b""
    sizes = [len(data) for data in payloads.values()]
    assert len(sizes) == len(set(sizes)), "payload sizes must differ"
    return payloads


NATIVE_PAYLOADS = ["elf-clean", "elf-foo", "elf-228", "elf-aarch64", "macho", "pe"]
BASE_NAMES = [
    "pkg/_m.cpython-313-x86_64-linux-gnu.so", "pkg/_n.abi3.so", "lib/libfoo.so.1", "lib/libbar.so", "bin/tool.so",
    "python/lib/libz.so.1", "handler.py", "pkg/__init__.py", "data/blob.dat", "README.txt", "pkg/_w.pyd",
]


@dataclass
class Member:
    """One ZIP entry as written: every field the reader or an extractor looks at."""
    name: bytes
    data: bytes
    method: int = 8
    host: int = 3
    mode: int = 0o100644
    dos_attr: int = 0
    utf8: bool = False
    central_extra: bytes = b""
    local_extra: bytes = b""
    local_name: bytes = None
    descriptor: bool = False
    compressed_lie: int = 0


@dataclass
class Variant:
    number: int
    kind: str  # "zip" or "tar"
    data: bytes
    what: list = field(default_factory=list)


def dos_time():
    return 0, (0 << 9) | (1 << 5) | 1


def upath_extra(header_name: bytes, unicode_name: bytes, good_crc=True) -> bytes:
    crc = zlib.crc32(header_name) ^ (0 if good_crc else 0xFFFF)
    body = struct.pack("<BI", 1, crc) + unicode_name
    return struct.pack("<HH", 0x7075, len(body)) + body


def build_zip(members, stub=b"", adjust_offsets=False, shared=None, truncate=None, comment=b""):
    """The ZIP: `stub` bytes first (offsets relative to the ZIP unless `adjust_offsets`), each member's local header
    and data, the central directory (plus a record named `shared` on the first member's local header), the end."""
    out = bytearray(stub)
    base = len(stub) if adjust_offsets else 0
    records = []
    time, date = dos_time()
    for member in members:
        offset = len(out) - len(stub) + base
        body = member.data
        if member.method == 8:
            compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
            body = compressor.compress(member.data) + compressor.flush()
        crc = zlib.crc32(member.data)
        flags = (0x800 if member.utf8 else 0) | (0x08 if member.descriptor else 0)
        local_name = member.name if member.local_name is None else member.local_name
        sizes = (0, 0, 0) if member.descriptor else (crc, len(body), len(member.data))
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, flags, member.method, time, date, *sizes,
                           len(local_name), len(member.local_extra)) + local_name + member.local_extra + body
        if member.descriptor:
            out += struct.pack("<IIII", 0x08074B50, crc, len(body), len(member.data))
        external = (member.mode << 16 if member.host == 3 else 0) | member.dos_attr
        records.append(struct.pack(
            "<IHHHHHHIIIHHHHHII", 0x02014B50, (member.host << 8) | 30, 20, flags, member.method, time, date, crc,
            max(0, len(body) + member.compressed_lie), len(member.data), len(member.name), len(member.central_extra), 0, 0, 0,
            external, offset) + member.name + member.central_extra)
    if shared is not None and records:
        first = bytearray(records[0])
        name_length = struct.unpack_from("<H", first, 28)[0]
        extra_length = struct.unpack_from("<H", first, 30)[0]
        struct.pack_into("<HH", first, 28, len(shared), 0)
        records.append(bytes(first[:46]) + shared)
        del name_length, extra_length
    directory = b"".join(records)
    directory_offset = len(out) - len(stub) + base
    out += directory
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(records), len(records), len(directory), directory_offset,
                       len(comment)) + comment
    if truncate is not None:
        out = out[:max(1, int(len(out) * truncate))]
    return bytes(out)


def decorated(rng, name: str) -> tuple:
    """A name as stored, and what was done to it."""
    roll = rng.random()
    raw = name.encode()
    if roll < 0.55:
        return raw, "plain"
    choices = [
        ("dot-prefix", b"./" + raw), ("absolute", b"/" + raw), ("parent", b"../" + raw), ("inner-parent", b"a/../" + raw),
        ("double-slash", raw.replace(b"/", b"//", 1)), ("nul", raw + b"\x00.txt"), ("nul-early", b"pkg/x\x00" + raw),
        ("latin1", raw.replace(b".so", b"\xe9.so", 1) if b".so" in raw else raw + b"\xe9"),
        ("utf8", raw.replace(b"pkg", "pk\u00e9".encode(), 1)), ("backslash", raw.replace(b"/", b"\\", 1)),
        ("trailing-slash", raw + b"/"), ("upper", raw.upper()), ("space", raw + b" "),
    ]
    label, stored = rng.choice(choices)
    return stored, label


def zip_member(rng, payloads, names_so_far):
    base = rng.choice(BASE_NAMES)
    name, name_what = decorated(rng, base)
    payload = rng.choice(NATIVE_PAYLOADS + ["text", "empty"]) if rng.random() < 0.8 else rng.choice(NATIVE_PAYLOADS)
    member = Member(name=name, data=payloads[payload], method=rng.choice([0, 8]))
    what = [f"{name!r}:{name_what}:{payload}"]
    member.utf8 = rng.random() < 0.3
    kind = rng.random()
    if kind < 0.5:
        member.host, member.mode = 3, rng.choice([0o100644, 0o100755, 0o644, 0o755])
    elif kind < 0.62:
        member.host, member.mode, member.dos_attr = 0, 0, rng.choice([0x20, 0x01, 0x00])
    elif kind < 0.72:
        member.host, member.mode, member.dos_attr = rng.choice([(3, 0o040755, 0x10), (0, 0, 0x10), (3, 0o040755, 0)])
        what.append("directory-attributes")
    elif kind < 0.9:
        member.host, member.mode = 3, 0o120777
        targets = [n.rsplit(b"/", 1)[-1] for n in names_so_far] + [b"missing.so", b"../../etc/passwd", b"/etc/passwd",
                                                                     b"blob.dat", b"../lib/libfoo.so.1", b"."]
        member.data = rng.choice(targets) or b"x"
        what.append(f"symlink->{member.data!r}")
    elif kind < 0.95:
        member.host, member.mode = 3, rng.choice([0o010644, 0o020644, 0o060644, 0o140644])
        what.append(f"mode {oct(member.mode)}")
    else:
        member.host, member.mode = rng.choice([(7, 0), (19, 0o100755), (11, 0)])
        what.append(f"host {member.host}")
    extra = rng.random()
    if extra < 0.12:
        other = rng.choice(BASE_NAMES).encode()
        member.central_extra = upath_extra(member.name, other, good_crc=rng.random() < 0.8)
        member.local_extra = member.central_extra if rng.random() < 0.5 else b""
        what.append(f"upath {other!r}")
    elif extra < 0.16:
        member.central_extra = struct.pack("<HH", 0xCAFE, 3) + b"abc"
        what.append("unknown extra")
    elif extra < 0.18:
        member.central_extra = struct.pack("<HH", 0x7075, 200) + b"\x01"
        what.append("cut extra")
    if rng.random() < 0.06:
        member.local_name = rng.choice(BASE_NAMES).encode()
        what.append(f"local name {member.local_name!r}")
    if rng.random() < 0.1:
        member.descriptor = True
        what.append("descriptor")
    if rng.random() < 0.02:
        member.compressed_lie = rng.choice([-1, 1, 100])
        what.append(f"compressed size {member.compressed_lie:+}")
    return member, what


def zip_variant(rng, payloads, number):
    members, what = [], []
    for _ in range(rng.randint(1, 4)):
        member, said = zip_member(rng, payloads, [m.name for m in members])
        members.append(member)
        what += said
    stub, adjust, shared, truncate, comment = b"", False, None, None, b""
    if rng.random() < 0.1:
        stub = b"MZ" + bytes(rng.randint(0, 5000))
        adjust = rng.random() < 0.5
        what.append(f"stub {len(stub)}{' adjusted' if adjust else ''}")
    if rng.random() < 0.04:
        shared = rng.choice(BASE_NAMES).encode()
        what.append(f"shared record {shared!r}")
    if rng.random() < 0.04:
        truncate = rng.uniform(0.3, 0.999)
        what.append(f"truncated at {truncate:.3f}")
    if rng.random() < 0.05:
        comment = b"PK\x05\x06 comment"
        what.append("comment")
    data = build_zip(members, stub=stub, adjust_offsets=adjust, shared=shared, truncate=truncate, comment=comment)
    return Variant(number, "zip", data, what)


def tar_variant(rng, payloads, number):
    sink = io.BytesIO()
    form = rng.choice([tarfile.USTAR_FORMAT, tarfile.GNU_FORMAT, tarfile.PAX_FORMAT])
    what = [f"format {form}"]
    names = []
    with tarfile.open(fileobj=sink, mode="w", format=form) as archive:
        for _ in range(rng.randint(1, 4)):
            base = rng.choice(BASE_NAMES)
            stored, name_what = decorated(rng, base)
            if rng.random() < 0.1:
                stored = b"d" * rng.randint(90, 160) + b"/" + stored
                name_what += "+long"
            name = stored.decode("utf-8", "surrogateescape")
            info = tarfile.TarInfo(name)
            info.mtime, info.mode = 315532800, rng.choice([0o644, 0o755])
            payload = rng.choice(NATIVE_PAYLOADS + ["text", "empty"])
            data = b""
            kind = rng.random()
            if kind < 0.6:
                info.type, data = tarfile.REGTYPE, payloads[payload]
            elif kind < 0.68:
                info.type = tarfile.DIRTYPE
            elif kind < 0.8:
                info.type = tarfile.SYMTYPE
                info.linkname = rng.choice([n.rsplit("/", 1)[-1] for n in names] + ["missing.so", "../x", "/etc/passwd"])
            elif kind < 0.88 and names:
                info.type, info.linkname = tarfile.LNKTYPE, rng.choice(names)
            else:
                info.type = rng.choice([tarfile.CHRTYPE, tarfile.BLKTYPE, tarfile.FIFOTYPE])
                info.devmajor, info.devminor = (1, 3) if info.type == tarfile.CHRTYPE else (7, 200)
            info.size = len(data)
            what.append(f"{stored!r}:{name_what}:{info.type!r}:{payload if data else info.linkname!r}")
            try:
                archive.addfile(info, io.BytesIO(data) if data else None)
            except (ValueError, UnicodeError) as error:
                what.append(f"not written: {error}")
                continue
            names.append(name)
    data = sink.getvalue()
    if rng.random() < 0.03:
        cut = rng.randint(1, len(data) - 1)
        data = data[:cut]
        what.append(f"truncated at {cut}")
    if rng.random() < 0.3:
        data = zlib.compress(data)  # not gzip: replaced below by a real gzip stream
        import gzip
        data = gzip.compress(zlib.decompress(data), mtime=0)
        what.append("gzip")
    return Variant(number, "tar", data, what)


def variant(seed: int, number: int, payloads) -> Variant:
    rng = random.Random(seed * 1_000_003 + number)
    if rng.random() < 0.75:
        return zip_variant(rng, payloads, number)
    return tar_variant(rng, payloads, number)
