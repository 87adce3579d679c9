#!/usr/bin/env python3
"""A smaller ICU data package for the release, linked in place of the whole one (`make dist`).

Usage: python3 packaging/floor/icu_data.py ARCHIVE OUTPUT.S [--keep-none]

ARCHIVE is a static library whose member defines ICU's data package as one symbol (`icudt76_dat` in the Swift
toolchain's lib_FoundationICU.a, `icudt72_dat` in Debian's libicudata.a). Linked whole, these two are 65 MB of the
executable: every locale's names, calendars, collation rules, line-break dictionaries and character-set converters.
shiplint formats nothing for a locale: Foundation (CoreFoundation) links ICU (Debian's, which libxml2 linked, is no
longer in the release), and what shiplint asks of it needs none of its data (regular expressions: properties and
case folding are compiled into ICU's code; string comparison without collation data is CoreFoundation's own; UTC).

`make dist` uses --keep-none: a valid, empty package (docs/install.md#size says what was checked and measured).
Without it, this writes a package holding only:
- the root, en, en_US and en_US_POSIX resources of each tree (and every tree's pool.res and res_index.res), and
  every item that is not a locale's (supplementalData, likelySubtags, zoneinfo64, normalization, properties, the
  root collation): 4.7 MB;
- not: other locales' resources, character-set converters (*.cnv), dictionaries for line breaking (*.dict),
  StringPrep profiles (*.spp), transliterators.
An item ICU then looks for and does not find is the U_MISSING_RESOURCE_ERROR (or U_FILE_ACCESS_ERROR, for an empty
package) that ICU's callers handle for any missing locale. The object is placed first on the link line
(zig_link.py), so the archive member holding the whole package is never pulled in.

The format (ICU's common data, `CmnD`, ucmndata.h): a data header, then a table of contents at its end: a uint32
count and, per item sorted by name, uint32 offsets (from the table's start) of the item's name and its data; names,
then items, each 16-byte aligned. Little-endian only (the release is x86_64). Python 3 standard library only.
"""

import argparse
import os
import re
import struct
import subprocess
import sys
import tempfile

KEPT_LOCALES = {"root", "en", "en_US", "en_US_POSIX"}
LOCALE_NAME = re.compile(r"^[a-z]{2,3}(_[A-Za-z0-9]+)*$")
DROPPED_KINDS = {"cnv", "dict", "spp"}


def package_symbol(archive):
    """(member, symbol) of the archive member that defines ICU's data package."""
    listing = subprocess.run(["nm", "-A", "--defined-only", archive], capture_output=True, text=True, check=True).stdout
    for line in listing.splitlines():
        found = re.match(r"^[^:]+:([^:]+):[0-9a-f]+ [RD] (icudt\d+_dat)$", line)
        if found:
            return found.group(1), found.group(2)
    raise SystemExit(f"icu_data.py: no icudtNN_dat defined in {archive}")


def package_bytes(archive, member):
    """The package: the member's data section as it is linked."""
    with tempfile.TemporaryDirectory() as scratch:
        subprocess.run(["ar", "x", archive, member], cwd=scratch, check=True)
        sections = subprocess.run(["readelf", "-S", "-W", member], cwd=scratch, capture_output=True, text=True,
                                  check=True).stdout
        # The one data section with bytes in it (the symbol is the member's only definition).
        found = re.findall(r"\]\s+(\.rodata\S*|\.data\S*)\s+PROGBITS\s+\S+\s+\S+\s+([0-9a-f]+)", sections)
        name = max(found, key=lambda section: int(section[1], 16))[0]
        subprocess.run(["objcopy", "-O", "binary", f"--only-section={name}", member, "package.dat"], cwd=scratch,
                       check=True)
        with open(os.path.join(scratch, "package.dat"), "rb") as handle:
            return handle.read()


def items(package):
    """The header bytes and (name, data) of every item, in table order."""
    header_size = struct.unpack_from("<H", package, 0)[0]
    if package[2:4] != b"\xda\x27" or package[12:16] != b"CmnD":
        raise SystemExit("icu_data.py: not an ICU common data package (magic da27, format CmnD)")
    if package[8] != 0:
        raise SystemExit("icu_data.py: a big-endian package")
    table = package[header_size:]
    count = struct.unpack_from("<I", table, 0)[0]
    offsets = [struct.unpack_from("<II", table, 4 + 8 * i) for i in range(count)]
    found = []
    for index, (name_offset, data_offset) in enumerate(offsets):
        name = table[name_offset:table.index(b"\0", name_offset)]
        end = offsets[index + 1][1] if index + 1 < count else len(table)
        found.append((name, table[data_offset:end]))
    return package[:header_size], found


def kept(name):
    """Whether the reduced package keeps this item (`icudt76l/coll/root.res`)."""
    relative = name.decode("ascii").split("/", 1)[1]
    stem, _, kind = relative.rsplit("/", 1)[-1].rpartition(".")
    if kind in DROPPED_KINDS or relative.startswith("translit/"):
        return False
    return not (kind == "res" and LOCALE_NAME.match(stem) and stem not in KEPT_LOCALES)


def package(header, chosen):
    """A package of the chosen items, in the same (sorted) order."""
    count = len(chosen)
    names = b""
    name_offsets = []
    start = 4 + 8 * count
    for name, _ in chosen:
        name_offsets.append(start + len(names))
        names += name + b"\0"
    position = (start + len(names) + 15) & ~15
    body = b""
    data_offsets = []
    for _, data in chosen:
        data_offsets.append(position + len(body))
        body += data + b"\0" * (-len(data) % 16)
    table = struct.pack("<I", count) + b"".join(struct.pack("<II", n, d) for n, d in zip(name_offsets, data_offsets))
    table += names + b"\0" * (position - start - len(names))
    return header + table + body


def main(argv=None):
    parser = argparse.ArgumentParser(description="Write a reduced ICU data package as an assembly file.")
    parser.add_argument("archive")
    parser.add_argument("output")
    parser.add_argument("--keep-none", action="store_true", help="an empty package")
    args = parser.parse_args(argv)
    member, symbol = package_symbol(args.archive)
    header, every = items(package_bytes(args.archive, member))
    chosen = [] if args.keep_none else [(name, data) for name, data in every if kept(name)]
    reduced = package(header, chosen)
    data_file = os.path.splitext(args.output)[0] + ".dat"
    with open(data_file, "wb") as handle:
        handle.write(reduced)
    with open(args.output, "w") as handle:
        handle.write(f"# {symbol}: {len(chosen)} of the {len(every)} items of {os.path.basename(args.archive)}'s"
                     f" ICU data (packaging/floor/icu_data.py)\n"
                     f"    .section .rodata.{symbol},\"a\"\n    .balign 16\n    .globl {symbol}\n"
                     f"    .type {symbol}, @object\n{symbol}:\n    .incbin \"{os.path.abspath(data_file)}\"\n"
                     f"    .size {symbol}, . - {symbol}\n    .section .note.GNU-stack,\"\",@progbits\n")
    print(f"icu_data: {symbol}: {len(chosen)} of {len(every)} items, {len(reduced) / 1e6:.1f} MB "
          f"(of {sum(len(d) for _, d in every) / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
