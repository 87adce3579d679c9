"""Which glibc version first exported each symbol name, per architecture: the oracle's table for unversioned
undefined symbols (an object that needs `statx` without a version binds it to whatever its load scope defines, and
glibc 2.26 defines no `statx`: that arrived in 2.28).

Derived, without shiplint's rules/, from glibc's own libraries: Debian 12's libc6 package (glibc 2.36) for amd64 and
arm64, pinned by sha256 as apt printed them (`apt-get download --print-uris libc6 libc6:arm64`), downloaded once into
the soak cache. For every name that libc.so.6, libm.so.6, libmvec.so.1, the dynamic loader and the compatibility
libraries (libpthread, libdl, librt, libutil) define in `.dynsym`, the earliest GLIBC_ version node that defines it
(`.gnu.version` / `.gnu.version_d`, hidden compatibility versions included: `pthread_create@GLIBC_2.2.5` says it was
there in 2.2.5 — in libpthread then, which CPython's interpreter links). GLIBC_PRIVATE names are no interface and
are left out. A name glibc 2.36 no longer defines at all is not in the table, so the oracle does not judge it.

Python 3 standard library for the download and the .deb (ar + tar.xz); pyelftools (the soak venv's) for the ELF.
"""

import hashlib
import io
import json
import os
import tarfile
import urllib.request

import soakfiles

# libc6 2.36-9+deb12u14, Debian 12 (bookworm) main; url, sha256 and size as apt-get --print-uris gave them.
PACKAGES = {
    "x86_64": ("http://deb.debian.org/debian/pool/main/g/glibc/libc6_2.36-9%2bdeb12u14_amd64.deb",
               "ba4f88f73dbc3ae9055f3c20f4523bfdbaf1ad13ff95e258924f77d20b4fbedf", 2759320),
    "arm64": ("http://deb.debian.org/debian/pool/main/g/glibc/libc6_2.36-9%2bdeb12u14_arm64.deb",
              "01f4330719fd4f65580e16ea5a0527f372fca750e8f588d26deaf09f2d3b1cf4", 2324660),
}
# The libraries of glibc whose names an unversioned reference can bind to from a CPython extension: libc, libm (and
# libmvec), the loader, and what CPython's interpreter links besides (libpthread, libdl, libutil; librt's names are
# in libc since 2.34 and counted from there).
LIBRARIES = ("libc.so.6", "libm.so.6", "libmvec.so.1", "libpthread.so.0", "libdl.so.2", "librt.so.1", "libutil.so.1",
             "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1")
MACHINE_ARCH = {"EM_X86_64": "x86_64", "EM_AARCH64": "arm64"}

# The pins of both packages: a fact computed with this table is stale when they change.
IDENTITY = hashlib.sha256(json.dumps(sorted(PACKAGES.items())).encode()).hexdigest()[:12]


def _cache_path(arch):
    return os.path.join(soakfiles.cache_dir(), "glibc", f"{PACKAGES[arch][1][:16]}-{arch}.json")


_TABLES = {}


def table(arch):
    """{name: (major, minor[, patch])}: the earliest glibc version that defines the name, for this architecture
    (x86_64 or arm64). Downloads and reads the pinned package the first time (then cached); raises OSError when it
    cannot be had (offline and not cached)."""
    if arch in _TABLES:
        return _TABLES[arch]
    path = _cache_path(arch)
    if not os.path.isfile(path):
        derived = derive(_package(arch))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path + f".part{os.getpid()}", "w", encoding="utf-8") as f:
            json.dump({name: ".".join(map(str, version)) for name, version in sorted(derived.items())}, f)
        os.replace(path + f".part{os.getpid()}", path)
    with open(path, encoding="utf-8") as f:
        _TABLES[arch] = {name: tuple(int(p) for p in text.split(".")) for name, text in json.load(f).items()}
    return _TABLES[arch]


def _package(arch):
    url, sha256, size = PACKAGES[arch]
    path = os.path.join(soakfiles.cache_dir(), "glibc", url.rsplit("/", 1)[1].replace("%2b", "+"))
    if os.path.isfile(path) and soakfiles.sha256_of(path) == sha256:
        return path
    os.makedirs(os.path.dirname(path), exist_ok=True)
    request = urllib.request.Request(url, headers={"User-Agent": "shiplint-soak"})
    with urllib.request.urlopen(request, timeout=120) as response:
        data = response.read(size + 1)
    if hashlib.sha256(data).hexdigest() != sha256:
        raise OSError(f"sha256 mismatch for {url}: got {hashlib.sha256(data).hexdigest()}, pinned {sha256}")
    with open(path + ".part", "wb") as f:
        f.write(data)
    os.replace(path + ".part", path)
    return path


def deb_data(path):
    """The data.tar member of a .deb (an `ar` archive: control.tar.*, data.tar.*), as a tarfile."""
    with open(path, "rb") as f:
        data = f.read()
    if not data.startswith(b"!<arch>\n"):
        raise ValueError(f"{path}: not a Debian package (no ar magic)")
    offset = 8
    while offset + 60 <= len(data):
        header = data[offset:offset + 60]
        name = header[:16].decode("ascii").strip().rstrip("/")
        size = int(header[48:58].decode("ascii").strip())
        body = data[offset + 60:offset + 60 + size]
        if name.startswith("data.tar"):
            return tarfile.open(fileobj=io.BytesIO(body), mode="r:*")
        offset += 60 + size + (size & 1)
    raise ValueError(f"{path}: no data.tar member")


def derive(deb_path):
    """{name: earliest version} from the glibc libraries in a libc6 .deb."""
    earliest = {}
    with deb_data(deb_path) as archive:
        for member in archive.getmembers():
            if not member.isfile() or os.path.basename(member.name) not in LIBRARIES:
                continue
            for name, version in library_definitions(archive.extractfile(member).read()):
                if name not in earliest or version < earliest[name]:
                    earliest[name] = version
    return earliest


def library_definitions(data):
    """(name, version tuple) for each defined dynamic symbol of one glibc library at each GLIBC_ version node."""
    from elftools.elf.elffile import ELFFile
    from elftools.elf.gnuversions import GNUVerDefSection, GNUVerSymSection

    elf = ELFFile(io.BytesIO(data))
    dynsym = elf.get_section_by_name(".dynsym")
    versym = next((s for s in elf.iter_sections() if isinstance(s, GNUVerSymSection)), None)
    verdef = next((s for s in elf.iter_sections() if isinstance(s, GNUVerDefSection)), None)
    if dynsym is None or versym is None or verdef is None:
        return
    names = {}
    for definition, auxiliaries in verdef.iter_versions():
        names[definition["vd_ndx"]] = next(auxiliaries).name
    for index, symbol in enumerate(dynsym.iter_symbols()):
        if not symbol.name or symbol["st_shndx"] == "SHN_UNDEF":
            continue
        ndx = versym.get_symbol(index)["ndx"]  # an int with the hidden bit, or VER_NDX_LOCAL / VER_NDX_GLOBAL
        node = names.get(ndx & 0x7FFF) if isinstance(ndx, int) else None
        if node and node.startswith("GLIBC_") and node != "GLIBC_PRIVATE":
            try:
                yield symbol.name, tuple(int(part) for part in node[len("GLIBC_"):].split("."))
            except ValueError:
                continue
