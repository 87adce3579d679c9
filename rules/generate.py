#!/usr/bin/env python3
"""Write shiplint's built-in target rule files (rules/*.toml, rules/base/*.toml).

The .toml files are the product and are committed; this script records how they were derived, so that a new
listing can be turned into rule files the same way. It reads the reference facts shiplint was started from:

    python3 rules/generate.py --reference /path/to/reference [--out rules]

<reference>/lambda-runtimes/*.txt are soname listings taken inside live Lambda functions (their headers name the
upstream files); <reference>/manylinux-policy.json is pypa/auditwheel's policy table. Values that do not come
from those files (libstdc++ / libgcc_s ceilings, musllinux policy, Lambda limits) are written here with their source.
"""

from __future__ import annotations

import argparse
import json
import textwrap
import tomllib
import re
from dataclasses import dataclass
from pathlib import Path

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
    lines = [f"# {c}" for c in comments]
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
    "reference/lambda-runtimes/ld-library-path.txt (aws/aws-lambda-base-images, x86_64/Dockerfile.<runtime>,",
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

LAMBDA_ARCH = {"x86_64": "x86_64", "aarch64": "arm64"}
LOADER = {"x86_64": "ld-linux-x86-64.so.2", "aarch64": "ld-linux-aarch64.so.1"}
TRIPLET = {"x86_64": "x86_64-linux-gnu", "aarch64": "aarch64-linux-gnu"}


def os_sonames(ref: Path, os_: OS, arch: str) -> list[str]:
    sections = read_listing(ref / "lambda-runtimes" / os_.listing)
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
    if s == "libpq.so.5":
        return ("psycopg2 built from source (or another PostgreSQL client) links the system libpq, which Lambda does "
                f"not have: install psycopg2-binary or psycopg[binary], which bundle it, or ship libpq.so.5 {LAYER}.")
    if s.startswith(("libmysqlclient", "libmariadb")):
        return (f"mysqlclient and other MySQL/MariaDB clients built from source link {s}, which Lambda does not have: "
                f"use a pure-Python driver such as PyMySQL or mysql-connector-python, or ship {s} {LAYER}.")
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
    if s in ("libssl.so.1.1", "libcrypto.so.1.1"):
        if os_.key == "al2023":
            return (f"{s} is OpenSSL 1.1 and Amazon Linux 2023 has only OpenSSL 3 (libssl.so.3): use a wheel or build "
                    f"made against OpenSSL 3 or one that bundles its own OpenSSL (psycopg2-binary, cryptography), or "
                    f"ship {s} {LAYER}.")
        return (f"{s} is OpenSSL 1.1 and Amazon Linux 2 has only OpenSSL 1.0.2 (libssl.so.10): use a wheel that bundles "
                f"its own OpenSSL (psycopg2-binary, cryptography), or ship {s} {LAYER}.")
    if s in ("libssl.so.1.0.0", "libcrypto.so.1.0.0"):
        have = "OpenSSL 3 (libssl.so.3)" if os_.key == "al2023" else "OpenSSL 1.0.2 under Red Hat's name libssl.so.10"
        return (f"{s} is OpenSSL 1.0 under Debian/Ubuntu's name and {os_.display} has {have}: rebuild on Amazon "
                f"Linux (for example sam build --use-container) or use a wheel that bundles its own OpenSSL.")
    if s in ("libssl.so.10", "libcrypto.so.10"):
        return (f"{s} is Amazon Linux 2's OpenSSL 1.0.2 and Amazon Linux 2023 has OpenSSL 3 (libssl.so.3, "
                f"libcrypto.so.3): rebuild for Amazon Linux 2023 or use a wheel that bundles its own OpenSSL.")
    if s in ("libssl.so.3", "libcrypto.so.3") and os_.key == "al2":
        return (f"{s} is OpenSSL 3 and Amazon Linux 2 has only OpenSSL 1.0.2: move the function to an Amazon Linux 2023 "
                f"runtime (python3.12+, nodejs20.x+, java21, provided.al2023) or use a build that bundles its own OpenSSL.")
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


def known_absent_block(ref: Path, os_: OS, arch: str, *, python: bool, present: set[str]) -> str:
    sections = read_known_absent(ref / "lambda-runtimes" / "known-absent.txt")
    out = ["# Sonames checked absent from the live runtimes, with the fix people use:",
           "# reference/lambda-runtimes/known-absent.txt (shogo82148/docker-lambda fs-*.txt dumps of base.al2023, base.al2,",
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
    search = [l.strip() for l in (ref / "lambda-runtimes" / "ld-library-path.txt").read_text().splitlines()
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
        "",
        "[symbol-versions]",
        "# Ceilings of the runtime's own libstdc++.so.6 / libgcc_s.so.1 (highest version node each defines).",
        kv("GLIBCXX", *os_.glibcxx),
        kv("CXXABI", *os_.cxxabi),
        kv("GCC", gcc_value, gcc_comment),
        "",
        "[libraries]",
        array("search-path", search, LD_LIBRARY_PATH_SOURCE),
        "",
        array("os", os_list, [
            f"Sonames in /lib64 + /usr/lib64: reference/lambda-runtimes/{os_.listing} ({len(os_list)} names), from",
            f"{os_.listing_source}.",
        ] + ([f"arm64: as that listing's header says, {LOADER['aarch64']} replaces {LOADER['x86_64']} and there is no libmvec.so.1."]
             if arm else [])),
        "",
        known_absent_block(ref, os_, arch, python=False, present=set(os_list)),
        "",
        PACKAGE,
        "",
    ])
    return f"base/{name}", text


# ---------------------------------------------------------------------------------------------------------------
# Runtime additions


def python_runtime_common(ref: Path, os_: OS, arch: str) -> tuple[list[str], list[str], dict[str, str]]:
    """(/var/lang/lib sonames common to the OS's python runtimes minus the OS list, dropped duplicates, version -> libpython)."""
    listing = "al2023-lambda-python.txt" if os_.key == "al2023" else "al2-lambda-python.txt"
    sections = read_listing(ref / "lambda-runtimes" / listing)
    os_list = set(os_sonames(ref, os_, arch))
    common, versioned = [], {}
    for head, sonames in sections:
        if head.startswith(("/lib64", "/usr/lib64")):  # the OS part, written by the OS base
            continue
        for s in sonames:
            m = re.fullmatch(r"libpython(3\.\d+)\.so\.1\.0", s)
            if m:
                versioned[m.group(1)] = s
            else:
                common.append(s)
    if os_.key == "al2023" and arch == "aarch64":
        # al2023-lambda-python.txt: "libcrypt.so.1 in /var/lang/lib exists on x86_64 only"
        common = [s for s in common if s != "libcrypt.so.1"]
    dropped = [s for s in common if s in os_list]
    return [s for s in common if s not in os_list], dropped, versioned


def python_base(ref: Path, os_: OS, arch: str) -> tuple[str, str]:
    name = f"{os_.key}-python-{arch}"
    listing = "al2023-lambda-python.txt" if os_.key == "al2023" else "al2-lambda-python.txt"
    versions = "python3.12, 3.13, 3.14" if os_.key == "al2023" else "python3.9, 3.10, 3.11"
    common, dropped, _ = python_runtime_common(ref, os_, arch)
    present = set(os_sonames(ref, os_, arch)) | set(common)
    notes = [
        f"/var/lang/lib of {versions}, below the OS list in reference/lambda-runtimes/{listing}",
        ("(shogo82148/docker-lambda dockerfiles/python3.1{2,3,4}/fs-x86_64.txt, dumps 2025-11..2026-07)." if os_.key == "al2023"
         else "(shogo82148/docker-lambda dockerfiles/python3.{9,10,11}/fs-x86_64.txt; 'identical set on arm64')."),
        f"Left out because the OS list already has them (the runtime's copies shadow them): {', '.join(dropped)}.",
        "libpythonX.Y.so.1.0 is version specific and added by each target.",
    ]
    if os_.key == "al2023" and arch == "aarch64":
        notes.append("No libcrypt.so.1 on arm64: 'libcrypt.so.1 in /var/lang/lib exists on x86_64 only' (same listing).")
    text = "\n".join([
        header(name, f"{os_.display} Python runtimes ({versions}) on {arch} (base)", extends=f"base/{os_.key}-{arch}",
               abstract=True, intro=[f"What the {versions} runtimes add to {os_.display} on {arch}."]),
        "",
        "[libraries]",
        array("runtime", common, notes),
        "",
        "# known-absent is restated in full (arrays of tables replace the parent's), without what this runtime ships.",
        known_absent_block(ref, os_, arch, python=True, present=present),
        "",
    ])
    return f"base/{name}", text


def nodejs_base(ref: Path, arch: str) -> tuple[str, str]:
    name = f"al2023-nodejs-{arch}"
    sections = read_listing(ref / "lambda-runtimes" / "al2023-lambda-nodejs.txt")
    os_list = set(os_sonames(ref, AL2023, arch))
    bundled = [s for head, sonames in sections if not head.startswith("/usr/lib64") for s in sonames]
    extra = [s for s in bundled if s not in os_list]
    text = "\n".join([
        header(name, f"Amazon Linux 2023 Node.js runtimes (nodejs20.x, 22.x, 24.x) on {arch} (base)",
               extends=f"base/al2023-{arch}", abstract=True,
               intro=[f"What the nodejs20.x / 22.x / 24.x runtimes add to Amazon Linux 2023 on {arch}."]),
        "",
        "[libraries]",
        array("runtime", extra, [
            "/var/lang/lib of nodejs20/22/24: reference/lambda-runtimes/al2023-lambda-nodejs.txt",
            "(shogo82148/docker-lambda dockerfiles/nodejs2{0,2,4}.x/fs-x86_64.txt). Node bundles its own",
            f"{', '.join(bundled)} there, and nodejs24.x also its own libstdc++.so.6 (6.0.32); every one of them is in",
            "the OS list too, so the runtime adds no soname the loader could not already find. (The copies shadow",
            "the OS ones, which is why aws-lambda-nodejs24.x-* lowers the libstdc++ ceiling.)",
        ]),
        "",
    ])
    return f"base/{name}", text


# ---------------------------------------------------------------------------------------------------------------
# Targets

PY_VERSIONS = {"3.9": AL2, "3.10": AL2, "3.11": AL2, "3.12": AL2023, "3.13": AL2023, "3.14": AL2023}
NODE_VERSIONS = {"18": AL2, "20": AL2023, "22": AL2023, "24": AL2023}
JAVA = {"java8.al2": AL2, "java11": AL2, "java17": AL2, "java21": AL2023}
PROVIDED = {"provided.al2": AL2, "provided.al2023": AL2023}
RUNTIME_TABLE = "reference/README.md runtime table"


def target_head(runtime: str, os_: OS, arch: str, extends: str) -> tuple[str, str]:
    name = f"aws-lambda-{runtime}-{LAMBDA_ARCH[arch]}"
    return name, "\n".join([
        header(name, f"AWS Lambda {runtime} on {LAMBDA_ARCH[arch]} ({os_.display})", extends=extends),
        "",
        "[platform]",
        kv("runtime", runtime, f"Lambda runtime id; {os_.display} per the {RUNTIME_TABLE}"),
    ])


def python_target(ref: Path, version: str, arch: str) -> tuple[str, str]:
    os_ = PY_VERSIONS[version]
    runtime = f"python{version}"
    name, head = target_head(runtime, os_, arch, f"base/{os_.key}-python-{arch}")
    common, _, versioned = python_runtime_common(ref, os_, arch)
    listing = "al2023-lambda-python.txt" if os_.key == "al2023" else "al2-lambda-python.txt"
    xy = version.replace(".", "")
    suffixes = [f".cpython-{xy}-{TRIPLET[arch]}.so", ".abi3.so", ".so"]
    note = []
    if version == "3.14":
        note = ["python3.14 also bundles its own libzstd.so.1 (same listing); the OS list already has it."]
    text = "\n".join([
        head,
        "",
        "[libraries]",
        array("runtime", common + [versioned[version]], [
            f"The base's list (arrays replace, so it is repeated) + {versioned[version]}, from the version specific",
            f"part of /var/lang/lib in reference/lambda-runtimes/{listing}.",
        ] + note),
        "",
        "[python]",
        kv("version", version, "the runtime's CPython"),
        array("extension-suffixes", suffixes, [
            "importlib.machinery.EXTENSION_SUFFIXES of the default (not free-threaded) CPython build on Linux, in order",
            f"(reference/README.md, 'How CPython finds an extension module'; triplet {TRIPLET[arch]} for Lambda {LAMBDA_ARCH[arch]}).",
        ]),
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
# is built per OpenSSL; Amazon Linux 2 has OpenSSL 1.0.2, Amazon Linux 2023 OpenSSL 3.
PRISMA_TARGETS = {
    ("al2", "x86_64"): ["rhel-openssl-1.0.x"], ("al2023", "x86_64"): ["rhel-openssl-3.0.x"],
    ("al2", "aarch64"): ["linux-arm64-openssl-1.0.x"], ("al2023", "aarch64"): ["linux-arm64-openssl-3.0.x"],
}
PRISMA_SOURCE = ["Prisma query engine binary targets that load here (prisma/prisma#13396; prisma.io docs 'Deploy to AWS",
                 "Lambda': rhel-openssl-1.0.x on Amazon Linux 2, rhel-openssl-3.0.x on Amazon Linux 2023; arm64:",
                 "linux-arm64-openssl-1.0.x / -3.0.x)."]


def napi_function_tables() -> list[str]:
    lines = []
    for version, functions in NAPI_FUNCTIONS.items():
        lines += ["[[node.napi-functions]]", kv("version", version), array("functions", functions, [])]
    return lines


def node_target(version: str, arch: str) -> tuple[str, str]:
    os_ = NODE_VERSIONS[version]
    runtime = f"nodejs{version}.x"
    extends = f"base/al2023-nodejs-{arch}" if os_ is AL2023 else f"base/al2-{arch}"
    name, head = target_head(runtime, os_, arch, extends)
    parts = [head]
    if os_ is AL2:
        parts.insert(0, "# nodejs18.x runs on Amazon Linux 2. The reference has no listing of its /var/lang/lib, so this target\n"
                        "# uses the Amazon Linux 2 OS list (base/al2-*) and adds no runtime sonames.")
    if version == "24":
        parts += ["", "[symbol-versions]",
                  "# nodejs24.x puts its own libstdc++.so.6 (6.0.32) in /var/lang/lib, first on LD_LIBRARY_PATH, so C++ addons",
                  "# load that one, not the OS's 6.0.33 (reference/lambda-runtimes/al2023-lambda-nodejs.txt; README runtime table).",
                  kv("GLIBCXX", "3.4.32", "libstdc++.so.6.0.32 = GCC 13.2 -> GLIBCXX_3.4.32 (" + LIBSTDCXX_DOC + ")"),
                  kv("CXXABI", "1.3.14", "GCC 13.1/13.2 -> CXXABI_1.3.14; 1.3.15 first came with 6.0.33 / GCC 14 (same page, gcc r14-1649)")]
    parts += ["", "[node]", kv("version", version, "major version of the runtime"),
              kv("module-version", NODE_MODULE_VERSION[version],
                 f"NODE_MODULE_VERSION of Node.js {version} (nodejs/node doc/abi_version_registry.json); a legacy addon must match it"),
              kv("napi-version", NAPI_VERSION[version], NAPI_SOURCE[version]),
              array("prisma-binary-targets", PRISMA_TARGETS[(os_.key, arch)], PRISMA_SOURCE),
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


def java_target(runtime: str, arch: str) -> tuple[str, str]:
    os_ = JAVA[runtime]
    name, head = target_head(runtime, os_, arch, f"base/{os_.key}-{arch}")
    return name, "\n".join([
        "# The reference has no listing of the Java runtimes' own /var/lang; this target uses the OS list only.",
        head, "",
        "[package]",
        array("layer-paths", ["java/lib"], ["Folder of a layer on the classpath (reference/README.md: AWS 'packaging layers' page)."]),
        "",
    ])


def provided_target(runtime: str, arch: str) -> tuple[str, str]:
    os_ = PROVIDED[runtime]
    name, head = target_head(runtime, os_, arch, f"base/{os_.key}-{arch}")
    return name, "\n".join([
        head, "",
        "[package]",
        array("executable-entry-points", ["bootstrap"], [
            "The custom runtime's entry point; it must be executable (755), otherwise the function fails with",
            "EACCES (reference/README.md: files 644, folders and executables 755).",
        ]),
        "",
    ])


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
    policies = {p["name"]: p for p in json.loads((ref / "manylinux-policy.json").read_text())}
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
        f"# reference/manylinux-policy.json (pypa/auditwheel src/auditwheel/policy/manylinux-policy.json), {policy_name}, {arch}.",
        *sv,
        "",
        "[libraries]",
        array("search-path", ["/lib64", "/usr/lib64"], NOMINAL_SEARCH),
        "",
        array("os", os_list, [
            f"{LOADER[arch]} (auditwheel always accepts the ELF loader, see filter_libs in",
            "src/auditwheel/policy/__init__.py) + the policy's lib_whitelist, in its order, from",
            f"reference/manylinux-policy.json, {policy_name}. (auditwheel also always accepts libpythonX.Y; not listed here.)",
        ]),
        "",
        *wheel_policy_tables(policy, arch, "reference/manylinux-policy.json (pypa/auditwheel)"),
        "",
    ])
    return name, text


def musllinux_target() -> tuple[str, str]:
    name = "musllinux_1_2-x86_64"
    text = "\n".join([
        header(name, "musllinux_1_2 wheel policy on x86_64: musl 1.2 and auditwheel's library whitelist",
               intro=["The musllinux_1_2 wheel policy, for checking a wheel rather than a Lambda package.",
                      "reference/manylinux-policy.json has no musllinux entries: auditwheel keeps them in a separate file,",
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
    parser.add_argument("--reference", type=Path, required=True, help="folder with lambda-runtimes/ and manylinux-policy.json")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    args = parser.parse_args()
    ref = args.reference

    files: list[tuple[str, str]] = []
    for os_ in (AL2, AL2023):
        for arch in ("x86_64", "aarch64"):
            files.append(os_base(ref, os_, arch))
            files.append(python_base(ref, os_, arch))
    for arch in ("x86_64", "aarch64"):
        files.append(nodejs_base(ref, arch))
        for version in PY_VERSIONS:
            files.append(python_target(ref, version, arch))
        for version in NODE_VERSIONS:
            files.append(node_target(version, arch))
        for runtime in PROVIDED:
            files.append(provided_target(runtime, arch))
        for runtime in JAVA:
            files.append(java_target(runtime, arch))
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
