#!/usr/bin/env python3
"""Write shiplint's built-in target rule files (rules/*.toml, rules/base/*.toml).

The .toml files are the product and are committed; this script records how they were derived, so that a new
listing can be turned into rule files the same way. It reads the reference facts shiplint was started from:

    python3 rules/generate.py [--reference rules/listings] [--out rules]

rules/listings/*.txt are soname listings taken inside live Lambda functions (their headers name the upstream files;
var-lang-lib.txt is written by rules/listings/lang_lib_listing.py); rules/listings/manylinux-policy.json is pypa/
auditwheel's policy table. The listings are committed beside the rules so that a test can hold every target's library
lists against them (Tests/ShiplintTests/TargetListingTests.swift) and a regenerated rule file cannot drift. Values that do not come
from those files (libstdc++ / libgcc_s ceilings, musllinux policy, Lambda limits) are written here with their source.
"""

from __future__ import annotations

import argparse
import functools
import json
import textwrap
import tomllib
import re
from dataclasses import dataclass
from pathlib import Path

LISTINGS = Path(__file__).resolve().parent / "listings"
GENERATED = "# Written by rules/generate.py from shiplint's reference facts; change the generator and rerun it."

# ---------------------------------------------------------------------------------------------------------------
# Reading the reference listings


def read_listing(path: Path) -> list[tuple[str, list[str]]]:
    """Sections of a listing: ('--- header ---' text, sonames below it). Lines before the first header are skipped."""
    sections: list[tuple[str, list[str]]] = []
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("# ---"):
            sections.append((line.strip("# -").strip(), []))
        elif line.startswith("#"):
            continue
        elif sections:
            sections[-1][1].append(line)
    return sections


def read_known_absent(path: Path) -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """known-absent.txt by '=== section ===': header -> [(soname, the comment block just above it)]."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current = None
    pending: list[str] = []
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if line.startswith("# ==="):
            current = line.strip("# =").strip()
            sections[current] = []
            pending = []
        elif line.startswith("#"):
            text = line.lstrip("#").strip()
            if current is not None and text:
                pending.append(text)
        elif line and current is not None:
            sections[current].append((line, " ".join(pending)))
            pending = []
    return sections


def dedupe(items):
    seen, out = set(), []
    for item in items:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


# ---------------------------------------------------------------------------------------------------------------
# TOML writing (by hand, so every value can carry its comment)


def q(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def array(key: str, values: list[str], comments: list[str] = (), inline_max: int = 4) -> str:
    lines = [f"# {w}" for c in comments for w in (textwrap.wrap(c, 116) if len(c) > 116 else [c])]
    if len(values) <= inline_max:
        lines.append(f"{key} = [{', '.join(q(v) for v in values)}]")
    else:
        lines.append(f"{key} = [")
        lines += [f"  {q(v)}," for v in values]
        lines.append("]")
    return "\n".join(lines)


def packed_array(key: str, values: list[str], width: int = 116) -> str:
    """`key = [...]` with the values packed several to a line (long data lists: policy versions, blacklists)."""
    if len(key) + sum(len(q(v)) + 2 for v in values) + 4 <= width:
        return f"{key} = [{', '.join(q(v) for v in values)}]"
    lines, line = [f"{key} = ["], " "
    for v in values:
        item = f" {q(v)},"
        if len(line) + len(item) > width:
            lines.append(line)
            line = " "
        line += item
    lines += [line, "]"]
    return "\n".join(lines)


def toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else q(key)


def wheel_policy_tables(policy: dict, arch: str, source: str) -> list[str]:
    """[wheel-policy]: the policy's name, its symbol-version sets for `arch` and its blacklist, as the table lists them."""
    lines = [
        "[wheel-policy]",
        kv("name", policy["name"], "auditwheel's policy name"),
        "",
        "[wheel-policy.symbol-versions]",
        f"# {source}, {policy['name']}, symbol_versions.{arch}:",
        "# every version node the policy allows, per family, exactly as the table lists them (a family it does not",
        "# list is not judged, as in auditwheel's versioned_symbols_policy).",
    ]
    for family, versions in sorted(policy["symbol_versions"].get(arch, {}).items()):
        lines.append(packed_array(toml_key(family), versions))
    lines += [
        "",
        "[wheel-policy.blacklist]",
        f"# {source}, {policy['name']}, blacklist:",
        "# symbols a wheel may not import from these libraries (internal symbols not every build of the library exports).",
    ]
    for soname, symbols in sorted(policy.get("blacklist", {}).items()):
        lines.append(packed_array(toml_key(soname), symbols))
    return lines


def kv(key: str, value, comment: str | None = None) -> str:
    """`key = value  # comment`; a long comment goes above the key instead, wrapped."""
    rendered = q(value) if isinstance(value, str) else ("true" if value is True else str(value))
    line = f"{key} = {rendered}"
    if comment and len(line) + len(comment) > 116:
        return "\n".join(["# " + c for c in textwrap.wrap(comment, 116)] + [line])
    return line + (f"  # {comment}" if comment else "")


def header(name: str, description: str, *, extends: str | None = None, abstract: bool = False,
           intro: list[str] = ()) -> str:
    out = [f"# {line}" for line in intro] + [GENERATED, "", kv("schema", 1), kv("name", name),
                                             kv("description", description)]
    if extends:
        out.append(kv("extends", extends))
    if abstract:
        out.append(kv("abstract", True, "a base shared by several targets, not selectable with --target"))
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------------------------
# Facts that do not come from the listings

LD_LIBRARY_PATH_SOURCE = [
    "LD_LIBRARY_PATH of every public.ecr.aws/lambda image, in order:",
    "rules/listings/ld-library-path.txt (aws/aws-lambda-base-images, x86_64/Dockerfile.<runtime>,",
    "commits of 2024-10-14: ENV LD_LIBRARY_PATH=/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib).",
]

LIBSTDCXX_DOC = "the libstdc++ manual's ABI Policy page, symbol version history: gcc.gnu.org/onlinedocs/libstdc++/manual/abi.html"


@dataclass(frozen=True)
class OS:
    key: str                  # al2 | al2023
    display: str
    glibc: str
    glibc_source: str
    listing: str              # file name of the OS listing
    listing_source: str       # its 'Source:' line, shortened
    glibcxx: tuple[str, str]  # (value, comment)
    cxxabi: tuple[str, str]
    gcc: dict                 # arch -> (value, comment)


AL2 = OS(
    key="al2",
    display="Amazon Linux 2",
    glibc="2.26",
    glibc_source="glibc 2.26-64 in the live provided.al2 dump (al2-lambda-os.txt header); reference/README.md runtime table",
    listing="al2-lambda-os.txt",
    listing_source="shogo82148/docker-lambda dockerfiles/base.al2/fs-x86_64.txt + packages-x86_64.txt, "
                   "dump inside a live provided.al2 function, commit 2026-02-20",
    glibcxx=("3.4.24", "libstdc++ 7.3.1 = libstdc++.so.6.0.24 (al2-lambda-os.txt header); GCC 7.2+ -> GLIBCXX_3.4.24 ("
             + LIBSTDCXX_DOC + ")"),
    cxxabi=("1.3.11", "GCC 7 -> CXXABI_1.3.11 (same manual page); reference/README.md runtime table"),
    gcc={
        "x86_64": ("7.0.0", "libgcc_s of GCC 7.3: newest node GCC_7.0.0 (libgcc-std.ver.in; auditwheel's manylinux_2_28 "
                            "policy, built on GCC 7-era libgcc_s, also tops out at GCC_7.0.0)"),
        "aarch64": ("7.0.0", "libgcc_s of GCC 7.3: newest node GCC_7.0.0 on aarch64 too (auditwheel manylinux_2_28 "
                             "aarch64 GCC list ends at 7.0.0)"),
    },
)

_GCC14 = ("libgcc_s of GCC 14 (AL2023 ships libgcc 14.2.1): newest node GCC_14.0.0 (gcc libgcc/libgcc-std.ver.in; "
          "the AlmaLinux 10 libgcc-14.2.1 RPM Provides lists GCC_12.0.0, GCC_13.0.0, GCC_14.0.0 as its newest; "
          "this machine's GCC 12 libgcc_s stops at GCC_12.0.0). Not read from the Lambda image itself.")
AL2023 = OS(
    key="al2023",
    display="Amazon Linux 2023",
    glibc="2.34",
    glibc_source="glibc 2.34-231 in the live provided.al2023 dump (al2023-lambda-os.txt header); reference/README.md runtime table",
    listing="al2023-lambda-os.txt",
    listing_source="shogo82148/docker-lambda dockerfiles/base.al2023/fs-x86_64.txt + packages-x86_64.txt, "
                   "dump inside a live provided.al2023 function, commit 2026-08-07",
    glibcxx=("3.4.33", "libstdc++ 14.2.1 = libstdc++.so.6.0.33 (al2023-lambda-os.txt header); GCC 14.1 -> GLIBCXX_3.4.33 ("
             + LIBSTDCXX_DOC + ")"),
    cxxabi=("1.3.15", "GCC 14.1 -> CXXABI_1.3.15 (same manual page; added for __cxa_call_terminate, gcc commit r14-1649)"),
    gcc={
        "x86_64": ("14.0.0", _GCC14),
        "aarch64": ("14.0.0", _GCC14 + " On aarch64 GCC 14 also defines GCC_11.0 and GCC_14.0, both <= 14.0.0."),
    },
)

# Where the loader file is, per OS and architecture: the listings of base.al2/base.al2023 fs-<arch>.txt
# (shogo82148/docker-lambda) have usr/lib64/ld-linux-x86-64.so.2 on x86_64; on arm64 Amazon Linux 2 has
# usr/lib/ld-linux-aarch64.so.1 and usr/lib64/ld-linux-aarch64.so.1, Amazon Linux 2023 usr/lib/ld-linux-aarch64.so.1 only.
LOADER_PATHS = {
    ("al2", "x86_64"): ["/lib64/ld-linux-x86-64.so.2", "/usr/lib64/ld-linux-x86-64.so.2"],
    ("al2023", "x86_64"): ["/lib64/ld-linux-x86-64.so.2", "/usr/lib64/ld-linux-x86-64.so.2"],
    ("al2", "aarch64"): ["/lib/ld-linux-aarch64.so.1", "/lib64/ld-linux-aarch64.so.1", "/usr/lib/ld-linux-aarch64.so.1",
                         "/usr/lib64/ld-linux-aarch64.so.1"],
    ("al2023", "aarch64"): ["/lib/ld-linux-aarch64.so.1", "/usr/lib/ld-linux-aarch64.so.1"],
}

# Since when the C++ ceiling holds: the libstdc++ package in the successive packages-x86_64.txt of base.al2023.
CXX_SINCE = {
    "al2023": [
        "Since mid-2025: the live provided.al2023 package lists (shogo82148/docker-lambda base.al2023/packages-x86_64.txt)",
        "show libstdc++-11.4.1 (2023-11-27) and 11.5.0 (2025-05-18, GLIBCXX_3.4.29 / CXXABI_1.3.13), then 14.2.1 from",
        "the dump of 2025-06-04 (commit a9f3325f). A container image built on an older AL2023 base keeps its 11.x; images",
        "are judged by their own libstdc++ (the image target reads it), never by this file.",
    ],
    "al2": ["libstdc++ 7.3.1 throughout the Amazon Linux 2 listings."],
}

LAMBDA_ARCH = {"x86_64": "x86_64", "aarch64": "arm64"}
LOADER = {"x86_64": "ld-linux-x86-64.so.2", "aarch64": "ld-linux-aarch64.so.1"}
TRIPLET = {"x86_64": "x86_64-linux-gnu", "aarch64": "aarch64-linux-gnu"}


def listing_path(ref: Path, name: str) -> Path:
    """A listing in rules/listings/ (or, for an older reference folder, its lambda-runtimes/)."""
    for candidate in (ref / name, ref / "lambda-runtimes" / name):
        if candidate.exists():
            return candidate
    raise SystemExit(f"no {name} in {ref}")


def os_sonames(ref: Path, os_: OS, arch: str) -> list[str]:
    sections = read_listing(listing_path(ref, os_.listing))
    names = [s for _, sonames in sections for s in sonames]
    if arch == "aarch64":  # listing headers: "arm64: ld-linux-aarch64.so.1 instead of ld-linux-x86-64.so.2, no libmvec.so.1"
        names = [LOADER["aarch64"] if s == LOADER["x86_64"] else s for s in names if s != "libmvec.so.1"]
    return dedupe(names)


# ---------------------------------------------------------------------------------------------------------------
# known-absent: which sections apply where, and what the person whose Lambda failed should do


SEC_BOTH = "absent on BOTH AL2 and AL2023 (all runtimes)"
SEC_AL2023_ONLY = "absent on AL2023 (provided.al2023, python3.12/3.13/3.14, nodejs20/22/24) but PRESENT on AL2"
SEC_AL2023_CRYPT = "absent from AL2023 /usr/lib64 (provided.al2023, nodejs20/22/24, java21+, ...); only AL2023 python ships them"
SEC_AL2_ONLY = ("absent on AL2 managed runtimes (provided.al2, nodejs18, java*, python3.9-3.11 except as noted) "
                "but PRESENT on AL2023")
SEC_AL2_NONPY = ("absent on AL2 provided.al2 / nodejs18 / java / ruby3.2 / dotnet6; present ONLY in AL2 python3.9-3.11 "
                 "/var/lang/lib")
SEC_AL2_ALL = "absent on ALL AL2 runtimes (glibc 2.26's libcrypt is .so.1; libxcrypt not used)"

LAYER = "in a layer under lib/ (Lambda searches /opt/lib)"

GL = {"libGL.so.1", "libGLX.so.0", "libEGL.so.1", "libOpenGL.so.0", "libGLdispatch.so.0", "libgbm.so.1", "libdrm.so.2"}
CODECS = {"libpng16.so.16", "libjpeg.so.62", "libjpeg.so.8", "libturbojpeg.so.0", "libtiff.so.5", "libtiff.so.6",
          "libwebp.so.7", "libopenjp2.so.7", "libgif.so.7", "liblcms2.so.2"}
DESKTOP = {"libnss3.so", "libsmime3.so", "libssl3.so", "libsoftokn3.so", "libnssdbm3.so", "libasound.so.2",
           "libatk-1.0.so.0", "libatk-bridge-2.0.so.0", "libatspi.so.0", "libcups.so.2", "libdbus-1.so.3",
           "libpango-1.0.so.0", "libpangocairo-1.0.so.0", "libcairo.so.2", "libharfbuzz.so.0",
           "libgdk_pixbuf-2.0.so.0", "libgtk-3.so.0", "libgtk-x11-2.0.so.0"}
MATH = {"libgomp.so.1", "libgfortran.so.3", "libgfortran.so.4", "libgfortran.so.5", "libquadmath.so.0",
        "libatomic.so.1", "libopenblas.so.0", "libblas.so.3", "liblapack.so.3"}


def fix_for(s: str, section: str, os_: OS, *, python: bool, arch: str) -> str:
    other = "Amazon Linux 2023" if os_.key == "al2" else "Amazon Linux 2"
    if s == "libGL.so.1":
        return ("opencv-python needs the system OpenGL library, which Lambda does not have: install "
                "opencv-python-headless instead, or ship libGL.so.1 in a layer under lib/.")
    if s in GL:
        return (f"{s} is part of the OpenGL/graphics stack that GUI builds such as opencv-python need and Lambda does "
                f"not have: install opencv-python-headless instead of opencv-python, or ship {s} {LAYER}.")
    if s.startswith(("libX", "libxcb", "libxkb", "libxshm", "libSM", "libICE")):
        return (f"{s} is an X11 library and Lambda has no display: use a headless build (opencv-python-headless, "
                f"matplotlib's Agg backend, a Lambda build of Chromium such as @sparticuz/chromium), or ship {s} {LAYER}.")
    if s in DESKTOP:
        return (f"{s} is a desktop library that a stock Chrome/Chromium (Puppeteer, Playwright, Selenium) or GTK/cairo/"
                f"pango code such as WeasyPrint needs and Lambda does not have: use a build made for Lambda such as "
                f"@sparticuz/chromium, or ship {s} and its dependencies {LAYER}.")
    if s in CODECS:
        return (f"{s} is an image codec library that Lambda does not have: use a build that bundles it (the PyPI wheels "
                f"of Pillow and opencv-python-headless, the prebuilt binaries of sharp), or ship {s} {LAYER}.")
    # Python's runtimes get Python's packages; the others (a Ruby gem, a Node addon, a Go or Rust binary) the library.
    if s == "libpq.so.5" and python:
        return ("psycopg2 built from source (or another PostgreSQL client) links the system libpq, which Lambda does "
                f"not have: install psycopg2-binary or psycopg[binary], which bundle it, or ship libpq.so.5 {LAYER}.")
    if s == "libpq.so.5":
        return ("A PostgreSQL client built against the system libpq (the pg gem, pg-native, a binary linked to it) "
                f"needs libpq.so.5, which Lambda does not have: ship libpq.so.5 and the libraries it needs, copied from the "
                f"image the client was built in, {LAYER}, or use a client that does not link libpq.")
    if s.startswith(("libmysqlclient", "libmariadb")) and python:
        return (f"mysqlclient and other MySQL/MariaDB clients built from source link {s}, which Lambda does not have: "
                f"use a pure-Python driver such as PyMySQL or mysql-connector-python, or ship {s} {LAYER}.")
    if s.startswith(("libmysqlclient", "libmariadb")):
        return (f"A MySQL/MariaDB client built against the system library (the mysql2 gem, a native addon, a binary "
                f"linked to it) needs {s}, which Lambda does not have: ship {s} and the libraries it needs, copied from the "
                f"image the client was built in, {LAYER}, or use a client that does not link it.")
    if s == "libodbc.so.2":
        return ("pyodbc needs the unixODBC driver manager, which Lambda does not have: ship libodbc.so.2 and your "
                f"ODBC driver {LAYER}.")
    if s == "libaio.so.1":
        return ("Oracle Instant Client needs libaio, which Lambda does not have: use python-oracledb or node-oracledb "
                "in Thin mode (no Instant Client), or ship libaio.so.1 in a layer under lib/ next to the Instant Client.")
    if s in MATH:
        return (f"{s} is a compiler or maths runtime that Lambda does not provide: install the manylinux wheels from "
                f"PyPI (numpy, scipy, scikit-learn bundle it in <package>.libs/) instead of a build linked against a "
                f"system copy, or ship {s} {LAYER}.")
    # What bundles its own OpenSSL, said in the runtime's terms: a wheel for Python, a build of the library otherwise
    # (netty-tcnative's `-boringssl-static` JAR for Java, a statically linked addon or gem).
    bundled = ("a wheel that bundles its own OpenSSL (psycopg2-binary, cryptography)" if python else
               "a build of the library that bundles or statically links its own OpenSSL (for Java's netty-tcnative, "
               "netty-tcnative-boringssl-static)")
    if s in ("libssl.so.1.1", "libcrypto.so.1.1"):
        if os_.key == "al2023":
            return (f"{s} is OpenSSL 1.1 and Amazon Linux 2023 has only OpenSSL 3 (libssl.so.3): use a build made "
                    f"against OpenSSL 3 or {bundled}, or ship {s} {LAYER}.")
        return (f"{s} is OpenSSL 1.1 and Amazon Linux 2 has only OpenSSL 1.0.2 (libssl.so.10): use {bundled}, or "
                f"ship {s} {LAYER}.")
    if s in ("libssl.so.1.0.0", "libcrypto.so.1.0.0"):
        have = "OpenSSL 3 (libssl.so.3)" if os_.key == "al2023" else "OpenSSL 1.0.2 under Red Hat's name libssl.so.10"
        return (f"{s} is OpenSSL 1.0 under Debian/Ubuntu's name and {os_.display} has {have}: rebuild on Amazon "
                f"Linux (for example sam build --use-container) or use {bundled}.")
    if s in ("libssl.so.10", "libcrypto.so.10"):
        return (f"{s} is Amazon Linux 2's OpenSSL 1.0.2 and Amazon Linux 2023 has OpenSSL 3 (libssl.so.3, "
                f"libcrypto.so.3): rebuild for Amazon Linux 2023 or use {bundled}.")
    if s in ("libssl.so.3", "libcrypto.so.3") and os_.key == "al2":
        return (f"{s} is OpenSSL 3 and Amazon Linux 2 has only OpenSSL 1.0.2: move the function to an Amazon Linux 2023 "
                f"runtime (python3.12+, nodejs20.x+, java21, provided.al2023) or use {bundled}.")
    if s == "libpython2.7.so.1.0":
        return ("libpython2.7.so.1.0 means this was built for Python 2.7, which Lambda does not have: use a build for "
                "the function's Python 3 version.")
    if s in ("libtinfo.so.5", "libncurses.so.5", "libncursesw.so.5"):
        return (f"{s} is the old ncurses 5 ABI of another distribution and Lambda has ncurses 6 (libtinfo.so.6): "
                f"rebuild on Amazon Linux or ship {s} {LAYER}.")
    if s == "libffi.so.6" and os_.key == "al2023":
        return ("libffi.so.6 is Amazon Linux 2's libffi and Amazon Linux 2023 has libffi.so.8: rebuild for Amazon Linux "
                "2023, install wheels from PyPI that bundle libffi (cffi does), or ship libffi.so.6 in a layer under lib/.")
    if s == "libexpat.so.1" and os_.key == "al2023":
        return ("The Amazon Linux 2023 Lambda image has no expat, although manylinux policies let wheels rely on "
                f"libexpat.so.1: use a build that bundles it, or ship libexpat.so.1 {LAYER}.")
    if s == "libnsl.so.1" and os_.key == "al2023":
        return ("Amazon Linux 2023's glibc no longer ships libnsl.so.1 (manylinux policies still allow it): rebuild for "
                f"Amazon Linux 2023 without it (libnsl.so.2 is not installed either), or ship libnsl.so.1 {LAYER}.")
    if s == "libcrypt.so.1" and os_.key == "al2023":
        if python and arch == "aarch64":
            return ("The python3.12+ runtimes ship libcrypt.so.1 on x86_64 only, not on arm64 (Amazon Linux 2023's glibc "
                    "no longer provides it): rebuild against libcrypt.so.2, which this runtime ships, or ship "
                    f"libcrypt.so.1 (libxcrypt-compat package) {LAYER}.")
        return ("Amazon Linux 2023's glibc no longer provides libcrypt.so.1 and Lambda does not install libxcrypt-compat "
                f"(only the python3.12+ x86_64 runtimes ship a copy): ship libcrypt.so.1 from libxcrypt-compat {LAYER}, "
                "or build without crypt(3).")
    if s == "libcrypt.so.2" and os_.key == "al2023":
        return ("libxcrypt is not installed in Amazon Linux 2023's Lambda image (only the python3.12+ runtimes ship "
                f"libcrypt.so.2 in /var/lang/lib): ship libcrypt.so.2 (libxcrypt package) {LAYER}.")
    if s == "libcrypt.so.2" and os_.key == "al2":
        return ("libcrypt.so.2 comes from libxcrypt (Amazon Linux 2023, Fedora, newer Debian/Ubuntu) and Amazon Linux 2 "
                "has none: rebuild on Amazon Linux 2, or ship libcrypt.so.2 in a layer under lib/.")
    if s == "libcrypt.so.1" and os_.key == "al2":
        return ("On Amazon Linux 2 only the python3.9-3.11 runtimes ship libcrypt.so.1 (in /var/lang/lib): ship "
                f"libcrypt.so.1 {LAYER}.")
    if section == SEC_AL2_NONPY:
        where = (" or move to an Amazon Linux 2023 runtime, where it is in /usr/lib64"
                 if s in ("libsqlite3.so.0", "liblzma.so.5") else "")
        return (f"On Amazon Linux 2 only the python3.9-3.11 runtimes ship {s} (in /var/lang/lib), not this runtime: "
                f"ship {s} {LAYER}{where}.")
    if section == SEC_AL2023_ONLY:
        return (f"{s} is on Amazon Linux 2 but not on Amazon Linux 2023, so this was built for Amazon Linux 2 or an "
                f"older distribution: rebuild it for Amazon Linux 2023 (for example sam build --use-container), or ship "
                f"{s} {LAYER}.")
    if section == SEC_AL2_ONLY:
        return (f"{s} is on Amazon Linux 2023 but not on Amazon Linux 2: move the function to an Amazon Linux 2023 "
                f"runtime (python3.12+, nodejs20.x+, java21, provided.al2023), or ship {s} {LAYER}.")
    return (f"{s} is not installed on {os_.display}: bundle it with the code that needs it (auditwheel repair puts it "
            f"in <package>.libs/ of a wheel), or ship it {LAYER}.")


def known_absent_sections(os_: OS, python: bool) -> list[str]:
    if os_.key == "al2023":
        return [SEC_BOTH, SEC_AL2023_ONLY, SEC_AL2023_CRYPT]
    return [SEC_BOTH, SEC_AL2_ONLY] + ([] if python else [SEC_AL2_NONPY]) + [SEC_AL2_ALL]


def known_absent_entries(ref: Path, os_: OS, arch: str, *, python: bool) -> list[tuple[str, str]]:
    """(soname, section) of every known-absent entry that applies to `os_`, before leaving out what is present."""
    sections = read_known_absent(listing_path(ref, "known-absent.txt"))
    return [(soname, section) for section in known_absent_sections(os_, python) for soname, _ in sections[section]]


def known_absent_block(ref: Path, os_: OS, arch: str, *, python: bool, present: set[str]) -> str:
    sections = read_known_absent(listing_path(ref, "known-absent.txt"))
    out = ["# Sonames checked absent from the live runtimes, with the fix people use:",
           "# rules/listings/known-absent.txt (shogo82148/docker-lambda fs-*.txt dumps of base.al2023, base.al2,",
           "# python3.9-3.14, nodejs20/22/24, 2025-11..2026-08), sections:"]
    seen = set()
    for section in known_absent_sections(os_, python):
        out.append(f"#   === {section} ===")
    for section in known_absent_sections(os_, python):
        out.append("")
        out.append(f"# --- known-absent.txt: {section}")
        last_note = None
        for soname, note in sections[section]:
            if soname in seen or soname in present:
                continue
            seen.add(soname)
            if note and note != last_note:
                out += ["# " + line for line in textwrap.wrap(note, 116)]
                last_note = note
            out.append("[[libraries.known-absent]]")
            out.append(kv("soname", soname))
            out.append(kv("fix", fix_for(soname, section, os_, python=python, arch=arch)))
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------------------------
# Lambda packaging facts shared by every Lambda base

PACKAGE = "\n".join([
    "[package]",
    "# Lambda quotas as summarised in reference/README.md ('Limits'; AWS Lambda quotas page).",
    kv("unzipped-limit-bytes", 262144000, "250 MiB unzipped, function + all its layers"),
    kv("zipped-upload-limit-bytes", 52428800, "50 MiB zipped for a direct upload"),
    kv("max-layers", 5, "5 layers per function"),
    kv("task-root", "/var/task", "the function's ZIP is unpacked here (LAMBDA_TASK_ROOT, ld-library-path.txt)"),
    kv("layer-root", "/opt", "each layer is unpacked here, later layers over earlier ones (reference/README.md)"),
])


def os_base(ref: Path, os_: OS, arch: str) -> tuple[str, str]:
    name = f"{os_.key}-{arch}"
    os_list = os_sonames(ref, os_, arch)
    search = [l.strip() for l in listing_path(ref, "ld-library-path.txt").read_text().splitlines()
              if l.strip() and not l.startswith("#")]
    gcc_value, gcc_comment = os_.gcc[arch]
    arm = arch == "aarch64"
    text = "\n".join([
        header(name, f"{os_.display} on {arch} as the AWS Lambda managed runtimes see it (base)", abstract=True,
               intro=[f"{os_.display} on {arch}{' (arm64 in Lambda terms)' if arm else ''}: the OS part shared by its Lambda runtimes."]),
        "",
        "[platform]",
        kv("os", "linux", "every Lambda runtime is Linux"),
        kv("arch", arch, f"Lambda '{LAMBDA_ARCH[arch]}' = ELF machine {'EM_AARCH64' if arm else 'EM_X86_64'} (reference/README.md, Runtimes)"),
        kv("libc", "glibc", "Amazon Linux uses glibc"),
        kv("libc-version", os_.glibc, os_.glibc_source),
        kv("display-name", os_.display, "reference/README.md runtime table"),
        array("loader-paths", LOADER_PATHS[(os_.key, arch)], [
            f"Where the ELF loader is (PT_INTERP must name one of these): shogo82148/docker-lambda dockerfiles/base.{os_.key}/",
            f"fs-{LAMBDA_ARCH[arch]}.txt has {', '.join(p.removeprefix('/') for p in LOADER_PATHS[(os_.key, arch)] if p.startswith('/usr'))};",
            "/lib and /lib64 are links to usr/lib and usr/lib64.",
            *(["Amazon Linux 2023 keeps the arm64 loader under /usr/lib only: /lib64/ld-linux-aarch64.so.1 does not exist."]
              if (os_.key, arch) == ("al2023", "aarch64") else []),
        ]),
        "",
        "[symbol-versions]",
        "# Ceilings of the runtime's own libstdc++.so.6 / libgcc_s.so.1 (highest version node each defines).",
        *["# " + c for c in CXX_SINCE[os_.key]],
        kv("GLIBCXX", *os_.glibcxx),
        kv("CXXABI", *os_.cxxabi),
        kv("GCC", gcc_value, gcc_comment),
        "",
        "[libraries]",
        array("search-path", search, LD_LIBRARY_PATH_SOURCE),
        "",
        array("os", os_list, [
            f"Sonames in /lib64 + /usr/lib64: rules/listings/{os_.listing} ({len(os_list)} names), from",
            f"{os_.listing_source}.",
        ] + ([f"arm64: as that listing's header says, {LOADER['aarch64']} replaces {LOADER['x86_64']} and there is no libmvec.so.1."]
             if arm else [])),
        "",
        known_absent_block(ref, os_, arch, python=False, present=set(os_list)),
        *provides_block(os_provides(os_)),
        "",
        PACKAGE,
        "",
    ])
    return f"base/{name}", text


# ---------------------------------------------------------------------------------------------------------------
# The runtimes AWS lists, and what each puts in /var/lang/lib


@dataclass(frozen=True)
class Runtime:
    id: str           # Lambda runtime id: nodejs22.x
    os: OS
    family: str       # python | nodejs | java | ruby | dotnet | provided


# Every runtime of AWS's "Lambda runtimes" page (docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html) with a
# managed runtime on Amazon Linux 2 or 2023, as the page lists them on 2026-08-16 (read through endoflife.date's
# products/aws-lambda.md, commit c86378a1 of 2026-08-16, whose script copies the page's tables), plus the deprecated
# ones whose functions can still be updated and which shiplint already had (python3.9, nodejs18.x, nodejs20.x, ruby3.2).
# Not here: dotnet9 (container images only, no managed runtime), runtimes on Amazon Linux 1 (go1.x, java8, provided),
# and the long-deprecated ones. The OS of each: the base image its live listing was taken on (lambda-base:al2 or
# lambda-base:al2023 in shogo82148/docker-lambda dockerfiles/<runtime>/run/Dockerfile), which agrees with the page.
RUNTIMES = [
    *(Runtime(f"python3.{m}", AL2, "python") for m in (9, 10, 11)),
    *(Runtime(f"python3.{m}", AL2023, "python") for m in (12, 13, 14)),
    Runtime("nodejs18.x", AL2, "nodejs"),
    *(Runtime(f"nodejs{v}.x", AL2023, "nodejs") for v in (20, 22, 24)),
    Runtime("java8.al2", AL2, "java"), Runtime("java11", AL2, "java"), Runtime("java17", AL2, "java"),
    Runtime("java8.al2023", AL2023, "java"), Runtime("java11.al2023", AL2023, "java"),
    Runtime("java17.al2023", AL2023, "java"), Runtime("java21", AL2023, "java"), Runtime("java25", AL2023, "java"),
    Runtime("ruby3.2", AL2, "ruby"),
    *(Runtime(f"ruby{v}", AL2023, "ruby") for v in ("3.3", "3.4", "4.0")),
    Runtime("dotnet8", AL2023, "dotnet"), Runtime("dotnet10", AL2023, "dotnet"),
    Runtime("provided.al2", AL2, "provided"), Runtime("provided.al2023", AL2023, "provided"),
]
RUNTIME_LIST_SOURCE = ("AWS 'Lambda runtimes' page as listed on 2026-08-16 (endoflife.date products/aws-lambda.md, "
                       "commit c86378a1)")
FAMILY_NAME = {"python": "Python", "nodejs": "Node.js", "java": "Java", "ruby": "Ruby", "dotnet": ".NET",
               "provided": "OS-only"}
# Families whose runtimes share libraries in /var/lang/lib: each gets a base per OS and architecture, whose
# known-absent list leaves out what those runtimes ship there.
FAMILY_BASES = ("python", "nodejs", "ruby")


@functools.cache
def read_lang_lib(ref: Path) -> dict[tuple[str, str], list[tuple[str, list[str]]]]:
    """var-lang-lib.txt: (runtime, Lambda arch) -> [(soname, file names behind it)], and each section's listing date."""
    sections: dict[tuple[str, str], list[tuple[str, list[str]]]] = {}
    current = None
    for raw in listing_path(ref, "var-lang-lib.txt").read_text().splitlines():
        line = raw.strip()
        m = re.fullmatch(r"# --- (\S+) (x86_64|arm64) \(fs-\S+ of (\S+)\) ---", line)
        if m:
            current = (m.group(1), m.group(2))
            sections[current] = []
            LANG_LIB_DATES[current] = m.group(3)
        elif line and not line.startswith("#") and current is not None:
            words = line.split()
            sections[current].append((words[0], words[1:]))
    return sections


LANG_LIB_DATES: dict[tuple[str, str], str] = {}


def lang_lib(ref: Path, runtime: str, arch: str) -> list[tuple[str, list[str]]]:
    key = (runtime, LAMBDA_ARCH[arch])
    sections = read_lang_lib(ref)
    if key not in sections:
        raise SystemExit(f"rules/listings/var-lang-lib.txt has no section for {runtime} {LAMBDA_ARCH[arch]}")
    return sections[key]


def lang_lib_sonames(ref: Path, runtime: str, arch: str) -> list[str]:
    return [soname for soname, _ in lang_lib(ref, runtime, arch)]


def lang_lib_source(runtime: str, arch: str) -> str:
    return (f"shogo82148/docker-lambda dockerfiles/{runtime}/fs-{LAMBDA_ARCH[arch]}.txt of "
            f"{LANG_LIB_DATES[(runtime, LAMBDA_ARCH[arch])]}")


def family_common(ref: Path, os_: OS, family: str, arch: str) -> list[str]:
    """Sonames in /var/lang/lib of every runtime of `family` on `os_` (in the first runtime's order)."""
    lists = [lang_lib_sonames(ref, r.id, arch) for r in RUNTIMES if r.os is os_ and r.family == family]
    return [s for s in lists[0] if all(s in other for other in lists[1:])]


# ---------------------------------------------------------------------------------------------------------------
# What the runtime's libraries define (symbol version nodes), with where each fact comes from

# OpenSSL 3 names one version node per minor release (OPENSSL_3.1.0 … OPENSSL_3.5.0), plus three patch-level nodes
# of the 3.0 branch (OPENSSL_3.0.3, 3.0.8, 3.0.9, in libcrypto only); libssl gained no symbol in 3.1, so it has no
# OPENSSL_3.1.0. Measured with `objdump -p` (Version definitions) on Debian 12's libssl3 3.0.19 and on the
# libcrypto/libssl that the psycopg-binary wheels bundle: 3.2.1 (OpenSSL 3.3.1), 3.2.4 (3.4.0), 3.2.12 (3.5.4),
# cp312 manylinux2014_x86_64 from PyPI.
OPENSSL_SOURCE = ("OpenSSL's version nodes per release, measured with objdump -p on Debian 12's libssl3 3.0.19 and on "
                  "the OpenSSL 3.3.1, 3.4.0 and 3.5.4 builds the psycopg-binary 3.2.1 / 3.2.4 / 3.2.12 wheels bundle: "
                  "one node per minor release, plus OPENSSL_3.0.3/3.0.8/3.0.9 in libcrypto")


def openssl_nodes(release: str, soname: str) -> list[str]:
    major, minor, patch = (int(p) for p in release.split("."))
    assert major == 3
    nodes = ["OPENSSL_3.0.0"]
    if soname.startswith("libcrypto"):
        nodes += [f"OPENSSL_3.0.{p}" for p in (3, 8, 9) if minor > 0 or patch >= p]
    nodes += [f"OPENSSL_3.{m}.0" for m in range(1, minor + 1) if not (m == 1 and soname.startswith("libssl"))]
    return nodes


# The OpenSSL in /var/lang/lib of the Node.js runtimes: AWS builds Node.js against its own OpenSSL there (no
# include/node/openssl in the listings), so Node's bundled deps/openssl release does not apply. What is published:
NODE_OPENSSL = {
    "nodejs20.x": ("3.2.2", "AWS on aws/aws-lambda-base-images#482 (2026-05-14): the nodejs:20 images 'now point to an "
                            "image with OpenSSL 3.2.2' (before: 3.1.4/3.1.5, aws/aws-lambda-base-images#164)"),
    "nodejs22.x": ("3.3.5", "aws/aws-lambda-base-images#482: the nodejs:22 image of 2026-04-17 (Node v22.22.2) carries "
                            "'bundled OpenSSL 3.3.5' in /var/lang/lib, and a library needing OPENSSL_3.4.0 fails there "
                            "with `/var/lang/lib/libcrypto.so.3: version 'OPENSSL_3.4.0' not found`. AWS wrote on "
                            "2026-05-13 that newer nodejs:22 images fix that report without naming their OpenSSL: "
                            "recheck against a newer listing"),
}
NODE_OPENSSL_UNPUBLISHED = ("The release of this runtime's own OpenSSL is not published (aws/aws-lambda-base-images#482 "
                            "names none for it), so needs on libssl.so.3 / libcrypto.so.3 are not judged here.")

# Libraries of the OS, by (OS key): (soname, release, version nodes, source).
OS_DEFINES = {
    "al2023": [
        (s, "OpenSSL 3.5.5", openssl_nodes("3.5.5", s),
         "openssl-snapsafe-libs 3.5.5 in the live provided.al2023 dump (al2023-lambda-os.txt header); " + OPENSSL_SOURCE)
        for s in ("libssl.so.3", "libcrypto.so.3")
    ],
    "al2": [],
}

# Libraries without version definitions: what Debian 12 builds of them show with objdump -p (none; upstream ships no
# version script), so any need on them is accepted, as glibc's loader does.
UNVERSIONED = {"libsqlite3.so.0": "SQLite", "libbz2.so.1": "bzip2", "libreadline.so.6": "GNU Readline",
               "libreadline.so.8": "GNU Readline", "libzstd.so.1": "zstd", "libgdbm.so.4": "GDBM", "libgdbm.so.6": "GDBM",
               "libgdbm_compat.so.4": "GDBM", "libyaml-0.so.2": "LibYAML"}
UNVERSIONED_SOURCE = ("no version definitions: objdump -p of Debian 12's builds of SQLite, bzip2, Readline, zstd, GDBM "
                      "and LibYAML shows none (upstream ships no version script), so the loader accepts any need on them")
# liblzma: src/liblzma/liblzma.map of xz v5.2.2 and v5.2.5 (tukaani-project/xz) defines XZ_5.0 and XZ_5.2.
LZMA_SOURCE = "src/liblzma/liblzma.map of xz at tags v5.2.2 and v5.2.5 (tukaani-project/xz), the same for both: XZ_5.0, XZ_5.2"


def release_of(soname: str, files: list[str]) -> str | None:
    """`5.2.5` from `liblzma.so.5.2.5` (the numbers of the longest file name behind the soname), else None."""
    longest = max(files, key=len, default="")
    return longest.split(".so.", 1)[1] if longest.startswith(soname + ".") else None


def runtime_defines(ref: Path, rt: Runtime, arch: str) -> list[tuple[str, str, list[str], str]]:
    """(soname, release, version nodes, source) for each library in /var/lang/lib whose definitions are known."""
    out = []
    for soname, files in lang_lib(ref, rt.id, arch):
        number = release_of(soname, files)
        if soname in ("libssl.so.3", "libcrypto.so.3") and rt.id in NODE_OPENSSL:
            release, source = NODE_OPENSSL[rt.id]
            out.append((soname, f"OpenSSL {release}", openssl_nodes(release, soname), source + "; " + OPENSSL_SOURCE))
        elif soname == "liblzma.so.5" and number in ("5.2.2", "5.2.5"):
            out.append((soname, f"liblzma {number}", ["XZ_5.0", "XZ_5.2"],
                        f"the file liblzma.so.{number} in var-lang-lib.txt; " + LZMA_SOURCE))
        elif soname in UNVERSIONED:
            release = f"{UNVERSIONED[soname]} ({max(files, key=len) if files else soname})"
            out.append((soname, release, [], UNVERSIONED_SOURCE))
    return out


def provides_block(entries: list[tuple[str, str, str, list[str], str]]) -> list[str]:
    """[[libraries.provides]] tables (soname, directory, release, version nodes), each with its source above it."""
    lines = []
    previous = None
    for soname, directory, release, nodes, source in entries:
        lines.append("")
        if source != previous:  # said once for a run of tables from the same source
            lines += ["# " + c for c in textwrap.wrap(source, 116)]
        previous = source
        lines.append("[[libraries.provides]]")
        lines.append(kv("soname", soname))
        lines.append(kv("directory", directory))
        lines.append(kv("release", release))
        lines.append(packed_array("version-nodes", nodes))
    return lines


def os_provides(os_: OS) -> list[tuple[str, str, str, list[str], str]]:
    """The OS's described libraries, found in /lib64 (= /usr/lib64; the first OS folder on LD_LIBRARY_PATH)."""
    return [(soname, "/lib64", release, nodes, source) for soname, release, nodes, source in OS_DEFINES[os_.key]]


# ---------------------------------------------------------------------------------------------------------------
# Family bases and targets


def family_runtimes(os_: OS, family: str) -> list[Runtime]:
    return [r for r in RUNTIMES if r.os is os_ and r.family == family]


def family_base(ref: Path, os_: OS, family: str, arch: str) -> tuple[str, str]:
    name = f"{os_.key}-{family}-{arch}"
    ids = [r.id for r in family_runtimes(os_, family)]
    common = family_common(ref, os_, family, arch)
    present = set(os_sonames(ref, os_, arch)) | set(common)
    versions = ", ".join(ids)
    text = "\n".join([
        header(name, f"{os_.display} {FAMILY_NAME[family]} runtimes ({versions}) on {arch} (base)",
               extends=f"base/{os_.key}-{arch}", abstract=True,
               intro=[f"What the {versions} runtimes add to {os_.display} on {arch}."]),
        "",
        "[libraries]",
        array("runtime", common, [
            f"Sonames directly in /var/lang/lib of every one of {versions} on {LAMBDA_ARCH[arch]}:",
            "rules/listings/var-lang-lib.txt (" + "; ".join(lang_lib_source(i, arch) for i in ids) + ").",
            "Each target lists its own in full (arrays replace); the OS has some of them too, and these copies come",
            "first (/var/lang/lib leads LD_LIBRARY_PATH).",
        ]),
        "",
        "# known-absent is restated in full (arrays of tables replace the parent's), without what these runtimes ship.",
        known_absent_block(ref, os_, arch, python=family == "python", present=present),
        "",
    ])
    return f"base/{name}", text


def target_head(runtime: str, os_: OS, arch: str, extends: str) -> tuple[str, str]:
    name = f"aws-lambda-{runtime}-{LAMBDA_ARCH[arch]}"
    return name, "\n".join([
        header(name, f"AWS Lambda {runtime} on {LAMBDA_ARCH[arch]} ({os_.display})", extends=extends),
        "",
        "[platform]",
        kv("runtime", runtime, f"Lambda runtime id; {os_.display} per the {RUNTIME_LIST_SOURCE}"),
    ])


def runtime_libraries(ref: Path, rt: Runtime, arch: str, extra_notes: list[str] = ()) -> list[str]:
    """[libraries] runtime = everything directly in /var/lang/lib, and what the known ones define."""
    sonames = lang_lib_sonames(ref, rt.id, arch)
    base = f"base/{rt.os.key}-{rt.family}-{arch}" if rt.family in FAMILY_BASES else f"base/{rt.os.key}-{arch}"
    absent = {s for s, _ in known_absent_entries(ref, rt.os, arch, python=rt.family == "python")}
    common = set(family_common(ref, rt.os, rt.family, arch)) if rt.family in FAMILY_BASES else set()
    clash = [s for s in sonames if s in absent and s not in common and s not in os_sonames(ref, rt.os, arch)]
    if clash:
        raise SystemExit(f"{rt.id} {arch}: {clash} ship in /var/lang/lib but {base} lists them as known absent")
    lines = [array("runtime", sonames, [
        f"Sonames directly in /var/lang/lib: rules/listings/var-lang-lib.txt ({lang_lib_source(rt.id, arch)}).",
        *(["None: this runtime keeps its libraries in folders the loader does not search."] if not sonames else []),
        *extra_notes,
    ])]
    own = [(soname, "/var/lang/lib", release, nodes, source) for soname, release, nodes, source in runtime_defines(ref, rt, arch)]
    if own:
        lines += ["", "# What the runtime's own copies define (found first: /var/lang/lib leads LD_LIBRARY_PATH), then, restated",
                  "# because arrays of tables replace the base's, what the OS's copies define."]
        lines += provides_block(own + os_provides(rt.os))
    return lines


def python_tls_segment(version: str) -> list[str]:
    """`python.tls-segment`: whether the object holding CPython has a PT_TLS (a static TLS relocation bound to one of
    its names divides by its TLS alignment, glibc elf/dl-reloc.c _dl_try_allocate_static_tls)."""
    if tuple(int(part) for part in version.split(".")) >= (3, 12):
        return [
            "# CPython 3.12 and later keep the current thread state in a thread-local variable (`_Py_thread_local PyThreadState",
            "# *_Py_tss_tstate`, Python/pystate.c, gh-103323; HAVE_THREAD_LOCAL, which GCC on Linux gives: Include/pyport.h): the",
            "# object holding CPython has a PT_TLS (readelf -lW: libpython3.12.so.1.0 of 3.12.1 and libpython3.13.so.1.0 of",
            "# 3.13.0, pyenv builds), and a static TLS relocation bound to one of its names gets a place there.",
            "tls-segment = true",
        ]
    return [
        "# CPython 3.11 and earlier define no thread-local variable (the current thread state is a field of _PyRuntime):",
        "# the object holding CPython has no PT_TLS (readelf -lW shows none in Debian 12's libpython3.11.so.1.0 of 3.11.2 nor",
        "# in pyenv builds of 3.9.18, 3.10.13 and 3.11.7), so a static TLS relocation bound to one of its names divides by a",
        "# TLS alignment of 0 (glibc elf/dl-reloc.c).",
        "tls-segment = false",
    ]


def python_target(ref: Path, rt: Runtime, arch: str) -> tuple[str, str]:
    version = rt.id.removeprefix("python")
    name, head = target_head(rt.id, rt.os, arch, f"base/{rt.os.key}-python-{arch}")
    xy = version.replace(".", "")
    suffixes = [f".cpython-{xy}-{TRIPLET[arch]}.so", ".abi3.so", ".so"]
    text = "\n".join([
        head,
        "",
        "[libraries]",
        *runtime_libraries(ref, rt, arch),
        "",
        "[python]",
        kv("version", version, "the runtime's CPython"),
        array("extension-suffixes", suffixes, [
            "importlib.machinery.EXTENSION_SUFFIXES of the default (not free-threaded) CPython build on Linux, in order",
            f"(reference/README.md, 'How CPython finds an extension module'; triplet {TRIPLET[arch]} for Lambda {LAMBDA_ARCH[arch]}).",
        ]),
        *python_tls_segment(version),
        "",
        "[package]",
        array("layer-paths", ["python", f"python/lib/python{version}/site-packages"], [
            "Folders of a layer on sys.path (reference/README.md: AWS 'packaging layers' page; sys.path has /opt/python",
            f"and /opt/python/lib/python{version}/site-packages).",
        ]),
        "",
    ])
    return name, text


# doc/abi_version_registry.json of nodejs/node: "NODE_MODULE_VERSION" per Node.js major, from the one table of it that
# shiplint itself reads (rules/nodejs/module-versions.toml).
NODE_MODULE_VERSION = {major: version for major, version in tomllib.loads(
    (Path(__file__).parent / "nodejs" / "module-versions.toml").read_text())["module-version"].items()}
# The Node-API version matrix (nodejs/node doc/api/n-api.md, "Node-API version matrix"): 9 is in v18.17.0+, 20.3.0+,
# 21.0.0 and later; 10 in v22.14.0+, 23.6.0+ and later. Lambda keeps each runtime on its major's latest release.
NAPI_VERSION = {"18": 9, "20": 9, "22": 10, "24": 10}
NAPI_SOURCE = {
    "18": "highest Node-API version: 9 since v18.17.0 (nodejs/node doc/api/n-api.md, Node-API version matrix)",
    "20": "highest Node-API version: 9 since v20.3.0 (nodejs/node doc/api/n-api.md, Node-API version matrix)",
    "22": "highest Node-API version: 10 since v22.14.0 (nodejs/node doc/api/n-api.md, Node-API version matrix)",
    "24": "highest Node-API version: 10, 'v22.14.0+, 23.6.0+ and all later versions' (doc/api/n-api.md)",
}
NAPI_FUNCTIONS = {
    9: ["node_api_symbol_for", "node_api_create_syntax_error", "node_api_throw_syntax_error",
        "node_api_get_module_file_name"],
    10: ["node_api_create_external_string_latin1", "node_api_create_external_string_utf16",
         "node_api_create_property_key_latin1", "node_api_create_property_key_utf8",
         "node_api_create_property_key_utf16", "node_api_create_buffer_from_arraybuffer"],
}
# Prisma's binaryTargets for Lambda (prisma/prisma#13396; prisma.io docs, "Deploy to AWS Lambda"): the query engine
# is built per OpenSSL; Amazon Linux 2 has OpenSSL 1.0.2, Amazon Linux 2023 OpenSSL 3. nodejs18.x (Amazon Linux 2)
# also has its own OpenSSL 3 in /var/lang/lib, on LD_LIBRARY_PATH, so the 3.0.x engine loads there too.
PRISMA_TARGETS = {
    ("al2", "x86_64"): ["rhel-openssl-1.0.x"], ("al2023", "x86_64"): ["rhel-openssl-3.0.x"],
    ("al2", "aarch64"): ["linux-arm64-openssl-1.0.x"], ("al2023", "aarch64"): ["linux-arm64-openssl-3.0.x"],
}
PRISMA_OPENSSL3 = {"x86_64": "rhel-openssl-3.0.x", "aarch64": "linux-arm64-openssl-3.0.x"}
PRISMA_SOURCE = ["Prisma query engine binary targets that load here (prisma/prisma#13396; prisma.io docs 'Deploy to AWS",
                 "Lambda': rhel-openssl-1.0.x on Amazon Linux 2, rhel-openssl-3.0.x on Amazon Linux 2023; arm64:",
                 "linux-arm64-openssl-1.0.x / -3.0.x)."]


def napi_function_tables() -> list[str]:
    lines = []
    for version, functions in NAPI_FUNCTIONS.items():
        lines += ["[[node.napi-functions]]", kv("version", version), array("functions", functions, [])]
    return lines


def node_target(ref: Path, rt: Runtime, arch: str) -> tuple[str, str]:
    version = rt.id.removeprefix("nodejs").removesuffix(".x")
    name, head = target_head(rt.id, rt.os, arch, f"base/{rt.os.key}-nodejs-{arch}")
    parts = [head]
    if version == "24":
        parts += ["", "[symbol-versions]",
                  "# nodejs24.x puts its own libstdc++.so.6 (6.0.32) in /var/lang/lib, first on LD_LIBRARY_PATH, so C++ addons",
                  "# load that one, not the OS's 6.0.33 (rules/listings/var-lang-lib.txt: libstdc++.so.6.0.32).",
                  kv("GLIBCXX", "3.4.32", "libstdc++.so.6.0.32 = GCC 13.2 -> GLIBCXX_3.4.32 (" + LIBSTDCXX_DOC + ")"),
                  kv("CXXABI", "1.3.14", "GCC 13.1/13.2 -> CXXABI_1.3.14; 1.3.15 first came with 6.0.33 / GCC 14 (same page, gcc r14-1649)")]
    notes = []
    if rt.id not in NODE_OPENSSL:
        notes = [NODE_OPENSSL_UNPUBLISHED]
    prisma = list(PRISMA_TARGETS[(rt.os.key, arch)])
    prisma_notes = list(PRISMA_SOURCE)
    if rt.os is AL2 and "libssl.so.3" in lang_lib_sonames(ref, rt.id, arch):
        prisma.append(PRISMA_OPENSSL3[arch])
        prisma_notes.append(f"{rt.id} also: its own libssl.so.3 / libcrypto.so.3 in /var/lang/lib (var-lang-lib.txt) load the "
                            f"{PRISMA_OPENSSL3[arch]} engine.")
    parts += ["", "[libraries]", *runtime_libraries(ref, rt, arch, notes),
              "", "[node]", kv("version", version, "major version of the runtime"),
              kv("module-version", NODE_MODULE_VERSION[version],
                 f"NODE_MODULE_VERSION of Node.js {version} (nodejs/node doc/abi_version_registry.json); a legacy addon must match it"),
              kv("napi-version", NAPI_VERSION[version], NAPI_SOURCE[version]),
              array("prisma-binary-targets", prisma, prisma_notes),
              "",
              "# The Node-API version that made each napi_* / node_api_* function stable (nodejs/node src/js_native_api.h and",
              "# src/node_api.h, the `#if NAPI_VERSION >= N` guard around each declaration; the Node-API documentation lists",
              "# the same as each function's 'N-API version'). Functions of versions 1-8 are omitted: every runtime has 8.",
              *napi_function_tables(),
              "",
              "[package]",
              array("layer-paths", ["nodejs/node_modules", f"nodejs/node{version}/node_modules"],
                    ["Folders of a layer on NODE_PATH (reference/README.md: AWS 'packaging layers' page)."]),
              ""]
    return name, "\n".join(parts)


@functools.cache
def read_language_listing(ref: Path) -> dict[tuple[str, str], dict[str, tuple[str, str]]]:
    """language-runtimes.txt: (runtime, Lambda arch) -> {key: (value, path read)}, and each section's listing date."""
    sections: dict[tuple[str, str], dict[str, tuple[str, str]]] = {}
    current = None
    for raw in listing_path(ref, "language-runtimes.txt").read_text().splitlines():
        line = raw.strip()
        m = re.fullmatch(r"# --- (\S+) (x86_64|arm64) \(fs-\S+ of (\S+)\) ---", line)
        if m:
            current = (m.group(1), m.group(2))
            sections[current] = {}
            LANGUAGE_DATES[current] = m.group(3)
        elif line and not line.startswith("#") and current is not None:
            key, value, source = line.split()
            sections[current][key] = (value, source)
    return sections


LANGUAGE_DATES: dict[tuple[str, str], str] = {}


def language_fact(ref: Path, rt: Runtime, arch: str, key: str) -> tuple[str, str]:
    """(value, where it was read) of one fact of language-runtimes.txt, with the listing it came from."""
    section = read_language_listing(ref).get((rt.id, LAMBDA_ARCH[arch]))
    if section is None or key not in section:
        raise SystemExit(f"rules/listings/language-runtimes.txt has no {key} for {rt.id} {LAMBDA_ARCH[arch]}")
    value, path = section[key]
    listing = f"dockerfiles/{rt.id}/fs-{LAMBDA_ARCH[arch]}.txt of {LANGUAGE_DATES[(rt.id, LAMBDA_ARCH[arch])]}"
    return value, f"{path} in rules/listings/language-runtimes.txt (shogo82148/docker-lambda {listing})"


# What the .NET 8+ host resolves RID-specific assets (runtimes/<rid>/native, runtimes/<rid>/lib) for on Linux, most
# specific first: Microsoft's breaking-change note "Host determines RID-specific assets" (.NET 8, learn.microsoft.com
# dotnet/core/compatibility/deployment/8.0/rid-asset-list) lists linux-x64, linux, unix-x64, unix, any for a Linux x64
# host; the host no longer reads the RID graph, so a distro RID (amzn.2023-x64) or linux-musl-x64 never matches.
DOTNET_RIDS = {"x86_64": "x64", "aarch64": "arm64"}
DOTNET_RID_SOURCE = ("the .NET host's portable RIDs for Linux, most specific first (Microsoft: 'Host determines "
                     "RID-specific assets', .NET 8 breaking changes); linux-musl-*, osx-* and win-* never match")


def language_tables(ref: Path, rt: Runtime, arch: str) -> list[str]:
    """[java] / [ruby] / [dotnet]: what the language loads native code by (issue 27)."""
    if rt.family == "java":
        major = re.match(r"java(\d+)", rt.id).group(1)
        return ["[java]", kv("version", major, "Java major version (the Lambda runtime id); the JVM picks a JNI library by "
                                                "os.name / os.arch, which [platform] says"), ""]
    if rt.family == "ruby":
        release, release_source = language_fact(ref, rt, arch, "libruby")
        folder, folder_source = language_fact(ref, rt, arch, "ruby-version-folder")
        ruby_arch, arch_source = language_fact(ref, rt, arch, "ruby-arch")
        return ["[ruby]",
                kv("version", release, f"RUBY_VERSION: the numbers of {release_source}"),
                kv("version-folder", folder, "RbConfig::CONFIG['ruby_version'], the folder of every gem path "
                                             f"(vendor/bundle/ruby/{folder}, /opt/ruby/gems/{folder}): {folder_source}"),
                kv("arch", ruby_arch, "RbConfig::CONFIG['arch'] = Gem::Platform.local, the name of the extensions folder "
                                      f"(extensions/{ruby_arch}/{folder}): the folder holding rbconfig.rb, {arch_source}"),
                ""]
    if rt.family == "dotnet":
        release, source = language_fact(ref, rt, arch, "dotnet-runtime")
        rid = DOTNET_RIDS[arch]
        return ["[dotnet]",
                kv("version", release, f"Microsoft.NETCore.App: {source}"),
                array("runtime-identifiers", [f"linux-{rid}", "linux", f"unix-{rid}", "unix", "any"], [DOTNET_RID_SOURCE], inline_max=5),
                ""]
    return []


def layer_paths(rt: Runtime) -> list[str]:
    """[package] layer-paths of a Java or Ruby runtime (reference/README.md: AWS 'packaging layers' page); .NET has none."""
    if rt.family == "java":
        return [array("layer-paths", ["java/lib"], ["Folder of a layer on the classpath (reference/README.md: AWS 'packaging layers' page)."])]
    if rt.family == "ruby":
        version = rt.id.removeprefix("ruby")
        return [array("layer-paths", [f"ruby/gems/{version}.0", "ruby/lib"], [
            f"Folders of a layer Ruby loads from: GEM_PATH /opt/ruby/gems/{version}.0 and /opt/ruby/lib on RUBYLIB",
            "(reference/README.md: AWS 'packaging layers' page, 'ruby/gems/<ver>/', 'ruby/lib/'; the gem folder is",
            "named after the Ruby ABI version X.Y.0).",
        ])]
    return []


def language_target(ref: Path, rt: Runtime, arch: str) -> tuple[str, str]:
    """Java, Ruby and .NET: OS, glibc, architecture and libraries, and what the language loads native code by."""
    extends = f"base/{rt.os.key}-{rt.family}-{arch}" if rt.family in FAMILY_BASES else f"base/{rt.os.key}-{arch}"
    name, head = target_head(rt.id, rt.os, arch, extends)
    paths = layer_paths(rt)
    return name, "\n".join([
        head, "",
        "[libraries]",
        *runtime_libraries(ref, rt, arch),
        "",
        *language_tables(ref, rt, arch),
        *(["[package]", *paths] if paths else []),
        "",
    ])


def provided_target(rt: Runtime, arch: str) -> tuple[str, str]:
    name, head = target_head(rt.id, rt.os, arch, f"base/{rt.os.key}-{arch}")
    return name, "\n".join([
        head, "",
        "[package]",
        array("executable-entry-points", ["bootstrap"], [
            "The custom runtime's entry point; it must be executable (755), otherwise the function fails with",
            "EACCES (reference/README.md: files 644, folders and executables 755).",
        ]),
        "",
    ])


def lambda_target(ref: Path, rt: Runtime, arch: str) -> tuple[str, str]:
    match rt.family:
        case "python": return python_target(ref, rt, arch)
        case "nodejs": return node_target(ref, rt, arch)
        case "java" | "ruby" | "dotnet": return language_target(ref, rt, arch)
        case "provided": return provided_target(rt, arch)
    raise SystemExit(f"no target writer for {rt.family}")



# ---------------------------------------------------------------------------------------------------------------
# Wheel policies

NOMINAL_SEARCH = ["A wheel policy has no real filesystem: this search path is nominal, so that the loader model",
                  "has somewhere to look for the whitelisted sonames."]


def numeric_max(versions: list[str]) -> str | None:
    numeric = [v for v in versions if re.fullmatch(r"\d+(\.\d+)*", v)]
    if not numeric:
        return None
    return max(numeric, key=lambda v: tuple(int(p) for p in v.split(".")))


def manylinux_target(ref: Path, tag: str, policy_name: str, arch: str) -> tuple[str, str]:
    policies = {p["name"]: p for p in json.loads(listing_path(ref, "manylinux-policy.json").read_text())}
    policy = policies[policy_name]
    symbols = policy["symbol_versions"][arch]
    glibc = ".".join(policy_name.split("_")[1:3])
    name = f"{tag}-{arch}"
    alias = f" (= {policy_name})" if tag != policy_name else ""
    sv = []
    for key in ("GLIBCXX", "CXXABI", "GCC"):
        ignored = [v for v in symbols[key] if not re.fullmatch(r"\d+(\.\d+)*", v)]
        sv.append(kv(key, numeric_max(symbols[key]),
                     f"highest numeric {key}_ in the policy's {arch} list"
                     + (f" (ignoring {', '.join(ignored)})" if ignored else "")))
    glibc_note = f"from the policy name {policy_name}"
    numeric_glibc = [v for v in symbols["GLIBC"] if re.fullmatch(r"\d+(\.\d+)*", v)]  # not ABI_DT_RELR (2.36+)
    extra = sorted(set(numeric_glibc) - {v for v in numeric_glibc
                                         if tuple(map(int, v.split("."))) <= tuple(map(int, glibc.split(".")))})
    if extra:
        glibc_note += (f"; the policy's {arch} list also has GLIBC_{', GLIBC_'.join(extra)} (CentOS 7's aarch64 glibc defines "
                       "that node; the policy blacklists __cxa_thread_atexit_impl of libc.so.6): glibc-too-new judges "
                       "by the set in [wheel-policy.symbol-versions], this value is for messages")
    os_list = [LOADER[arch]] + policy["lib_whitelist"]
    text = "\n".join([
        header(name, f"{tag}{alias} wheel policy on {arch}: glibc {glibc} and auditwheel's library whitelist",
               intro=[f"The {tag} wheel policy, for checking a wheel rather than a Lambda package."]),
        "",
        "[platform]",
        kv("os", "linux"),
        kv("arch", arch, "the policy's architecture"),
        kv("libc", "glibc", "manylinux = glibc (PEP 600)"),
        kv("libc-version", glibc, glibc_note),
        kv("display-name", tag, "used in messages"),
        "",
        "[symbol-versions]",
        f"# rules/listings/manylinux-policy.json (pypa/auditwheel src/auditwheel/policy/manylinux-policy.json), {policy_name}, {arch}.",
        *sv,
        "",
        "[libraries]",
        array("search-path", ["/lib64", "/usr/lib64"], NOMINAL_SEARCH),
        "",
        array("os", os_list, [
            f"{LOADER[arch]} (auditwheel always accepts the ELF loader, see filter_libs in",
            "src/auditwheel/policy/__init__.py) + the policy's lib_whitelist, in its order, from",
            f"rules/listings/manylinux-policy.json, {policy_name}. (auditwheel also always accepts libpythonX.Y; not listed here.)",
        ]),
        "",
        *wheel_policy_tables(policy, arch, "rules/listings/manylinux-policy.json (pypa/auditwheel)"),
        "",
    ])
    return name, text


def musllinux_target() -> tuple[str, str]:
    name = "musllinux_1_2-x86_64"
    text = "\n".join([
        header(name, "musllinux_1_2 wheel policy on x86_64: musl 1.2 and auditwheel's library whitelist",
               intro=["The musllinux_1_2 wheel policy, for checking a wheel rather than a Lambda package.",
                      "rules/listings/manylinux-policy.json has no musllinux entries: auditwheel keeps them in a separate file,",
                      "src/auditwheel/policy/musllinux-policy.json (pypa/auditwheel, commit 3332e941), used here."]),
        "",
        "[platform]",
        kv("os", "linux"),
        kv("arch", "x86_64"),
        kv("libc", "musl", "musllinux = musl (PEP 656)"),
        kv("libc-version", "1.2", "PEP 656: musllinux_1_2 means musl >= 1.2"),
        kv("display-name", "musllinux_1_2", "used in messages"),
        "",
        "# No [symbol-versions]: musl has no symbol versioning and the policy's x86_64 symbol_versions is empty.",
        "",
        "[libraries]",
        array("search-path", ["/lib64", "/usr/lib64"], NOMINAL_SEARCH),
        "",
        array("os", ["libc.so", "libc.musl-x86_64.so.1", "libz.so.1"], [
            "musllinux-policy.json, musllinux_1_2: lib_whitelist = [\"libc.so\", \"libz.so.1\"]; auditwheel replaces",
            "libc.so by musl's soname libc.musl-x86_64.so.1 on x86_64 (_fixup_musl_libc_soname in policy/__init__.py).",
            "Both names: musllinux wheels need plain libc.so (what musl's linker records), which on Alpine is the file",
            "whose soname is libc.musl-x86_64.so.1.",
        ]),
        "",
        "[wheel-policy]",
        kv("name", "musllinux_1_2", "auditwheel's policy name; its symbol_versions and blacklist are empty"),
        "",
    ])
    return name, text


# ---------------------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=LISTINGS,
                        help="folder with the listings and manylinux-policy.json (default: rules/listings)")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    args = parser.parse_args()
    ref = args.reference

    files: list[tuple[str, str]] = []
    for os_ in (AL2, AL2023):
        for arch in ("x86_64", "aarch64"):
            files.append(os_base(ref, os_, arch))
            for family in FAMILY_BASES:
                if family_runtimes(os_, family):
                    files.append(family_base(ref, os_, family, arch))
    for arch in ("x86_64", "aarch64"):
        for rt in RUNTIMES:
            files.append(lambda_target(ref, rt, arch))
    files.append(manylinux_target(ref, "manylinux2014", "manylinux_2_17", "x86_64"))
    files.append(manylinux_target(ref, "manylinux2014", "manylinux_2_17", "aarch64"))
    files.append(manylinux_target(ref, "manylinux_2_28", "manylinux_2_28", "x86_64"))
    files.append(manylinux_target(ref, "manylinux_2_34", "manylinux_2_34", "x86_64"))
    # The table lists aarch64 sets for manylinux_2_28 and manylinux_2_34 too (symbol_versions.aarch64).
    files.append(manylinux_target(ref, "manylinux_2_28", "manylinux_2_28", "aarch64"))
    files.append(manylinux_target(ref, "manylinux_2_34", "manylinux_2_34", "aarch64"))
    files.append(manylinux_target(ref, "manylinux_2_36", "manylinux_2_36", "x86_64"))  # the release binary's own floor (make dist)
    files.append(musllinux_target())

    for rel, text in files:
        path = args.out / f"{rel}.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    print(f"wrote {len(files)} files to {args.out}")


if __name__ == "__main__":
    main()
