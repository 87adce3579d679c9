#!/usr/bin/env python3
"""Write rules/symbols/*.symbols: the symbols the runtime's own libraries export, for `undefined-symbol` and the
abi3 checks (what ld.so can bind an import to).

Sources, all real and maintained, none copied but symbol names and version nodes:

- glibc: glibc's own ABI lists (`sysdeps/unix/sysv/linux/<arch>/**.abilist`, checked against the built libraries by
  glibc's `make check-abi`) at every release tag glibc-2.17 ... glibc-2.42 of the glibc repository
  (https://sourceware.org/git/glibc.git, mirror github.com/bminor/glibc). Each symbol lists the releases whose
  ABI list has it in that library under that version node, so a move (libpthread's symbols into libc.so.6 in 2.34)
  is exact. GLIBC_PRIVATE symbols are not in the ABI lists: the check never judges GLIBC_PRIVATE imports.
- libstdc++ and libgcc_s: the dynamic symbol tables of Debian's libstdc++6 and libgcc-s1 14.2.0-19 (GCC 14.2,
  the GCC of Amazon Linux 2023's 14.2.1; trixie), amd64 and arm64, read with `readelf --dyn-syms`. Older runtimes
  (Amazon Linux 2: GCC 7, GLIBCXX_3.4.24) are the same library cut at their version-node ceiling: libstdc++ and
  libgcc_s never remove an exported symbol version (the libstdc++ manual, ABI Policy and Guidelines).
- CPython: the dynamic symbol tables of Debian's libpython3.9 (3.9.2-1, bullseye), libpython3.11 (3.11.2-6+deb12u8,
  bookworm), libpython3.13 (3.13.5-2+deb13u5, trixie) and libpython3.14 (3.14.10-1, sid), amd64 and arm64, and of
  Ubuntu's libpython3.10 (3.10.12-1~22.04.18, jammy-updates) and libpython3.12t64 (3.12.3-1ubuntu0.18,
  noble-updates), amd64 only (Debian never shipped 3.10 or 3.12 in a release; Ubuntu's arm64 archive is not
  reachable from where this runs). aarch64's 3.10 and 3.12 are the amd64 capture less the names only x86 builds
  define: measured here over the four releases captured on both architectures (the table's header gives the
  figures); when the arm64 captures export any name the amd64 ones lack, the two are not the same API and those
  releases stay uncaptured for aarch64 (the loader then interpolates between neighbours: a symbol both export is
  there, neither is not, one only is unknown).

Debian's packages are fetched with `apt-get download` (a private apt list naming bullseye, bookworm, trixie and sid,
so the machine's own apt state is not touched); Ubuntu's from the pool file its suite's Packages index names for the
pinned version. All are pinned by version and sha256; with `--debs DIR` that folder is a cache (only missing files
are fetched). Without `--glibc-git` the glibc tables are left as they are.

    python3 rules/symbols.py [--glibc-git /path/to/glibc/.git] [--debs DIR] [--out rules/symbols]

Format of a .symbols file (read by ShiplintTargets/SymbolTable.swift): `#` comments; `%table NAME`; `%releases R…`
(the releases the table was read at, ascending); `%front-coded` when each name line is `N SUFFIX` (N leading bytes
shared with the previous name of the section); then sections `@SONAME NODE RELEASES` (NODE `-` for an unversioned
symbol; RELEASES: comma-separated `A..B` or `A`, the releases, among `%releases`, whose library exports the
section's names under that node, and so defines the node), each followed by one name per line (none for a node
defined with no symbol under it).
"""

from __future__ import annotations

import argparse
import hashlib
import lzma
import os
import subprocess
import urllib.request
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

GLIBC_RELEASES = [f"2.{minor}" for minor in range(23, 43)]  # 2.23: the first with one line per symbol in every list
ARCHES = {"x86_64": ("amd64", "x86_64-linux-gnu"), "aarch64": ("arm64", "aarch64-linux-gnu")}
# glibc's ABI list folder per architecture; a library without a list there uses the generic one (none here).
GLIBC_ABI_FOLDERS = {
    "x86_64": ["sysdeps/unix/sysv/linux/x86_64/64", "sysdeps/unix/sysv/linux/x86_64"],
    "aarch64": ["sysdeps/unix/sysv/linux/aarch64"],
}
# ABI list name -> soname, per architecture (ld.so's name differs).
GLIBC_SONAMES = {
    "libc": "libc.so.6", "libm": "libm.so.6", "libpthread": "libpthread.so.0", "libdl": "libdl.so.2",
    "librt": "librt.so.1", "libutil": "libutil.so.1", "libresolv": "libresolv.so.2", "libanl": "libanl.so.1",
    "libcrypt": "libcrypt.so.1", "libnsl": "libnsl.so.1", "libBrokenLocale": "libBrokenLocale.so.1",
    "libthread_db": "libthread_db.so.1", "libmvec": "libmvec.so.1", "libc_malloc_debug": "libc_malloc_debug.so.0",
}
LOADER = {"x86_64": "ld-linux-x86-64.so.2", "aarch64": "ld-linux-aarch64.so.1"}

DEBIAN_SUITES = ["bullseye", "bookworm", "trixie", "sid"]
# (package, version, {debian arch: sha256})
DEBS = [
    ("libstdc++6", "14.2.0-19", {"amd64": "ab1fa05837aa7a92aae748fd07a18a35f7d18bb4a71c4724fe2bbf0e32089de0",
                                 "arm64": "6669b0c52a2e7c6af9adfdabce3ff6e286065cdfbc7b85280862b5f799daebee"}),
    ("libgcc-s1", "14.2.0-19", {"amd64": "3c71917b490d1a17aed43196a2787a256ecf060526cdb20216a74bedc061b150",
                                "arm64": "1108bc87879833d6d9a145f22a4a15cddb34e065b4b5f4b97bee586adbac2851"}),
    ("libpython3.9", "3.9.2-1", {"amd64": "97647869e7e9db643a7eeab949b7d140f9a175814fcc94289be70d426aa5fd1a",
                                 "arm64": "c186a6d9829a5c0e95f3306e05b26824cbd540ff0aab7f4a591ab722af1da7ec"}),
    ("libpython3.11", "3.11.2-6+deb12u8", {"amd64": "63845d53d5f64d2362cfb6007ec175ad1c6044cebe60a1885eff76d2ce637c35",
                                           "arm64": "124978ff6bdfb972b5ab4eb44899fde190d3e651fdf941d141fd1b5a68bedc80"}),
    ("libpython3.13", "3.13.5-2+deb13u5", {"amd64": "aa4cdb7e15f5f445ab268160d428518a4daf2a086ee3e6ea30f6082785236dea",
                                           "arm64": "d79db845c37478273d6d9097daafc568199e1475742e18678c5d0781a7293074"}),
    ("libpython3.14", "3.14.10-1", {"amd64": "fcca5b71a6b96127bcbd6134d9c05cb9e894581c60590005c51e2b768ec9662f",
                                    "arm64": "a8126ac3262f363b5f8ece98872825e68f5f39a84515512c74b9da1e936c56b7"}),
]
# Ubuntu's packages of the CPython releases Debian never shipped: (package, version, suite, {arch: sha256}). The
# suite's Packages index names the pool file; the newest patch release of each in its LTS (closest to Lambda's).
UBUNTU_ARCHIVE = "http://archive.ubuntu.com/ubuntu"
UBUNTU_DEBS = [
    ("libpython3.10", "3.10.12-1~22.04.18", "jammy-updates",
     {"amd64": "cd9ffe066be6207dd4fcb25fe037222e90429b0923d1a5eb6e897afcbb151833"}),
    ("libpython3.12t64", "3.12.3-1ubuntu0.18", "noble-updates",
     {"amd64": "583430e8632ebaa81e59f377e3aa552ce0a5bea3a5acb2197341ef2279a25a36"}),
]
CPYTHON_RELEASES = ["3.9", "3.10", "3.11", "3.12", "3.13", "3.14"]


def version_key(text: str):
    return tuple(int(part) for part in text.split("."))


# ---- glibc ---------------------------------------------------------------------------------------------------

def git_show(git: Path, tag: str, path: str) -> str | None:
    done = subprocess.run(["git", "--git-dir", str(git), "show", f"{tag}:{path}"], capture_output=True, text=True)
    return done.stdout if done.returncode == 0 else None


def git_list(git: Path, tag: str, folder: str) -> list[str]:
    done = subprocess.run(["git", "--git-dir", str(git), "ls-tree", "--name-only", f"{tag}:{folder}"],
                          capture_output=True, text=True)
    return done.stdout.split() if done.returncode == 0 else []


def glibc_exports(git: Path, arch: str):
    """{(soname, node, symbol): set of releases}"""
    present = defaultdict(set)
    for release in GLIBC_RELEASES:
        tag = f"glibc-{release}"
        lists = {}
        for folder in reversed(GLIBC_ABI_FOLDERS[arch]):  # the most specific folder wins
            for name in git_list(git, tag, folder):
                if name.endswith(".abilist"):
                    lists[name[: -len(".abilist")]] = f"{folder}/{name}"
        if "libc" not in lists:
            sys.exit(f"{tag}: no libc.abilist for {arch}")
        for library, path in lists.items():
            soname = LOADER[arch] if library == "ld" else GLIBC_SONAMES.get(library)
            if soname is None:
                continue
            for line in (git_show(git, tag, path) or "").splitlines():
                words = line.split()
                if len(words) < 3:
                    continue
                if words[2] == "A":  # `GLIBC_2.2.5 GLIBC_2.2.5 A` defines the node itself
                    present[(soname, words[0], None)].add(release)
                    continue
                if words[1] == "__libpthread_version_placeholder" or words[1].endswith("_version_placeholder"):
                    continue
                present[(soname, words[0], words[1])].add(release)
        # A node with no symbol, which the ABI lists have not spelled since 2.28 (no `A` lines): GLIBC_ABI_DT_RELR,
        # defined by libc.so.6 since 2.36 (elf/Versions; its placeholder symbol is dropped by scripts/versions.awk),
        # which every object linked with DT_RELR against glibc 2.36 or later needs.
        if version_key(release) >= version_key("2.36"):
            present[("libc.so.6", "GLIBC_ABI_DT_RELR", None)].add(release)
    return present


# ---- Debian packages -------------------------------------------------------------------------------------------

def fetch_debs(folder: Path) -> None:
    """apt-get download every pinned package `folder` lacks, through a private apt list (no system state changed);
    then Ubuntu's."""
    fetch_ubuntu_debs(folder)
    missing = [(package, version, debian_arch) for package, version, hashes in DEBS for debian_arch in hashes
               if not (folder / deb_name(package, version, debian_arch)).exists()]
    if not missing:
        return
    with tempfile.TemporaryDirectory(prefix="shiplint-apt-") as scratch:
        state = Path(scratch)
        for sub in ("lists/partial", "cache/archives/partial"):
            (state / sub).mkdir(parents=True)
        sources = state / "sources.list"
        sources.write_text("".join(
            f"deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg arch=amd64,arm64] http://deb.debian.org/debian {suite} main\n"
            for suite in DEBIAN_SUITES))
        options = ["-o", f"Dir::Etc::SourceList={sources}", "-o", "Dir::Etc::SourceParts=/dev/null",
                   "-o", f"Dir::State::Lists={state}/lists", "-o", f"Dir::Cache={state}/cache",
                   "-o", "APT::Architectures::=amd64", "-o", "APT::Architectures::=arm64", "-o", "Debug::NoLocking=1"]
        subprocess.run(["apt-get", *options, "update", "-qq"], check=True)
        for package, version, debian_arch in missing:
            subprocess.run(["apt-get", *options, "download", "-qq", f"{package}:{debian_arch}={version}"], cwd=folder, check=True)


def fetch_ubuntu_debs(folder: Path) -> None:
    """Download each pinned Ubuntu package `folder` lacks: the pool file its suite's Packages index names for the
    pinned version (the index's own sha256 must be the pin; the file's is checked again by deb_path)."""
    indexes: dict[tuple[str, str], str] = {}
    for package, version, suite, hashes in UBUNTU_DEBS:
        for debian_arch, expected in hashes.items():
            target = folder / deb_name(package, version, debian_arch)
            if target.exists():
                continue
            if (suite, debian_arch) not in indexes:
                url = f"{UBUNTU_ARCHIVE}/dists/{suite}/main/binary-{debian_arch}/Packages.xz"
                with urllib.request.urlopen(url, timeout=120) as response:
                    indexes[(suite, debian_arch)] = lzma.decompress(response.read()).decode()
            stanza = next((block for block in indexes[(suite, debian_arch)].split("\n\n")
                           if f"\nPackage: {package}\n" in f"\n{block}\n" and f"\nVersion: {version}\n" in f"\n{block}\n"), None)
            if stanza is None:
                found = sorted(line.split()[1] for block in indexes[(suite, debian_arch)].split("\n\n")
                               if f"\nPackage: {package}\n" in f"\n{block}\n" for line in block.splitlines() if line.startswith("Version: "))
                sys.exit(f"{suite}/{debian_arch}: {package} {version} is no longer in the index (it has {found}): pin the new one")
            fields = dict(line.split(": ", 1) for line in stanza.splitlines() if ": " in line and not line.startswith(" "))
            if fields.get("SHA256") != expected:
                sys.exit(f"{suite}/{debian_arch}: {package} {version} has sha256 {fields.get('SHA256')} in the index, pinned {expected}")
            with urllib.request.urlopen(f"{UBUNTU_ARCHIVE}/{fields['Filename']}", timeout=300) as response:
                target.write_bytes(response.read())


def deb_name(package: str, version: str, debian_arch: str) -> str:
    return f"{package}_{version.replace(':', '%3a')}_{debian_arch}.deb"


def deb_path(folder: Path, package: str, version: str, debian_arch: str) -> Path:
    path = folder / deb_name(package, version, debian_arch)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    pins = {p: h for p, _, h in DEBS} | {p: h for p, _, _, h in UBUNTU_DEBS}
    expected = pins[package][debian_arch]
    if digest != expected:
        sys.exit(f"{path}: sha256 {digest}, expected {expected}")
    return path


def exported(deb: Path, soname_prefix: str):
    """{(symbol, node or '-')} defined by the library in the .deb whose file name starts with soname_prefix."""
    with tempfile.TemporaryDirectory() as scratch:
        subprocess.run(["dpkg-deb", "-x", str(deb), scratch], check=True)
        candidates = [p for p in Path(scratch).rglob(soname_prefix + "*") if p.is_file() and not p.is_symlink()
                      and "gdb" not in p.name and not p.name.endswith(".py")]
        if len(candidates) != 1:
            sys.exit(f"{deb}: expected one {soname_prefix}* file, found {candidates}")
        out = subprocess.run(["readelf", "--dyn-syms", "-W", str(candidates[0])], capture_output=True, text=True, check=True).stdout
        versions = subprocess.run(["readelf", "-V", "-W", str(candidates[0])], capture_output=True, text=True, check=True).stdout
    symbols = set()
    # Every node of the version definitions (.gnu.version_d), the base entry (Flags: BASE, the file's own name) aside.
    in_definitions = False
    for line in versions.splitlines():
        if line.startswith("Version definition section"):
            in_definitions = True
        elif line.startswith("Version ") or line.startswith("Version needs"):
            in_definitions = False
        elif in_definitions and "Name:" in line and "Flags: BASE" not in line:
            symbols.add((None, line.split("Name:")[1].split()[0]))
    for line in out.splitlines():
        words = line.split()
        # ABS: the symbol a linker writes for a version node itself, not code or data.
        if len(words) < 8 or not words[0].endswith(":") or words[6] in ("UND", "ABS") or words[4] not in ("GLOBAL", "WEAK", "UNIQUE"):
            continue
        if words[3] not in ("FUNC", "OBJECT", "TLS", "NOTYPE", "IFUNC", "COMMON"):
            continue
        name = words[7]
        if "@" in name:
            symbol, node = name.split("@", 1)
            node = node.lstrip("@")
            if symbol == node:  # the node's own definition symbol: the node exists, even with no symbol under it
                symbol = None
        else:
            symbol, node = name, "-"
        symbols.add((symbol, node))
    return symbols


# ---- writing --------------------------------------------------------------------------------------------------

def ranges(present: set[str], releases: list[str]) -> str:
    """`2.17..2.33` style runs of consecutive releases (consecutive in `releases`)."""
    runs, start, previous = [], None, None
    for release in releases:
        if release in present:
            if start is None:
                start = release
            previous = release
        elif start is not None:
            runs.append(start if start == previous else f"{start}..{previous}")
            start = None
    if start is not None:
        runs.append(start if start == previous else f"{start}..{previous}")
    return ",".join(runs)


def expand(runs: str, releases: list[str]) -> set[str]:
    chosen = set()
    for run in runs.split(","):
        low, _, high = run.partition("..")
        high = high or low
        chosen.update(r for r in releases if version_key(low) <= version_key(r) <= version_key(high))
    return chosen


def write_table(path: Path, name: str, header: list[str], releases: list[str], present, front_coded: bool) -> None:
    sections = defaultdict(list)
    for (soname, node, symbol), where in present.items():
        if symbol is None:
            continue
        sections[(soname, node, ranges(where, releases))].append(symbol)
    # A node some release defines with no symbol under it (GLIBCXX_3.4.24) still gets a section: the node exists.
    covered = defaultdict(set)
    for (soname, node, where) in sections:
        covered[(soname, node)].update(release for release in releases if release in expand(where, releases))
    for (soname, node, symbol), where in present.items():
        if symbol is None and not where <= covered[(soname, node)]:
            sections[(soname, node, ranges(where - covered[(soname, node)], releases))]
    lines = [f"# {line}" if line else "#" for line in header]
    lines += ["# Written by rules/symbols.py; rerun it to update. Data for undefined-symbol and abi3-too-new, not a target.",
              f"%table {name}", "%releases " + " ".join(releases)]
    if front_coded:
        lines.append("%front-coded")
    for key in sorted(sections, key=lambda k: (k[0], k[1] != "-", version_key(k[1].split("_")[-1]) if k[1].split("_")[-1].replace(".", "").isdigit() else (999,), k[1], k[2])):
        soname, node, where = key
        lines.append(f"@{soname} {node} {where}")
        previous = ""
        for symbol in sorted(sections[key]):
            if front_coded:
                shared = 0
                while shared < min(len(symbol), len(previous), 999) and symbol[shared] == previous[shared]:
                    shared += 1
                lines.append(f"{shared} {symbol[shared:]}")
                previous = symbol
            else:
                lines.append(symbol)
    path.write_text("\n".join(lines) + "\n")
    print(f"wrote {path} ({sum(len(v) for v in sections.values())} symbols, {path.stat().st_size} bytes)")


def cpython_captures(debs: Path, debian_arch: str):
    """{release: {(symbol or None, node)}} for every release with a package for `debian_arch`, and the lines naming
    each package for the header."""
    captures, sources = {}, []
    packages = [(p, v, h, "Debian") for p, v, h in DEBS if p.startswith("libpython")]
    packages += [(p, v, h, "Ubuntu") for p, v, _, h in UBUNTU_DEBS]
    for package, version, hashes, vendor in packages:
        if debian_arch not in hashes:
            continue
        release = package.removeprefix("libpython").removesuffix("t64")
        deb = deb_path(debs, package, version, debian_arch)
        sources.append((version_key(release), f"{vendor}'s {package} {version} (sha256 {hashlib.sha256(deb.read_bytes()).hexdigest()[:16]}…)"))
        captures[release] = exported(deb, f"libpython{release}.so.1")
    return captures, [line for _, line in sorted(sources)]


def write_cpython(out: Path, debs: Path) -> None:
    amd64, amd64_sources = cpython_captures(debs, "amd64")
    arm64, arm64_sources = cpython_captures(debs, "arm64")
    both = [release for release in CPYTHON_RELEASES if release in amd64 and release in arm64]
    # What the two architectures' builds of one release differ by, over every release captured on both.
    x86_only = {release: amd64[release] - arm64[release] for release in both}
    arm_only = {release: arm64[release] - amd64[release] for release in both}
    same_api = not any(arm_only.values())
    not_on_arm = set().union(*x86_only.values())
    measured = [f"  {release}: {len(amd64[release])} amd64, {len(arm64[release])} arm64; only amd64: "
                f"{', '.join(sorted(s for s, _ in x86_only[release] if s)) or 'none'}; only arm64: "
                f"{', '.join(sorted(s for s, _ in arm_only[release] if s)) or 'none'}" for release in both]
    for arch, (debian_arch, _) in ARCHES.items():
        captures, sources = (amd64, amd64_sources) if debian_arch == "amd64" else (arm64, arm64_sources)
        derived = []
        if debian_arch == "arm64" and same_api:
            derived = [release for release in CPYTHON_RELEASES if release in amd64 and release not in arm64]
            captures = captures | {release: amd64[release] - not_on_arm for release in derived}
        releases = [release for release in CPYTHON_RELEASES if release in captures]
        present = defaultdict(set)
        for release, exports in captures.items():
            for symbol, node in exports:
                present[("python", node, symbol)].add(release)
        header = [
            f"What CPython's interpreter exports on {arch} (libpython3.X.so and the python executable export the",
            "same API), by version. Source: the dynamic symbol tables (readelf --dyn-syms) of",
            *[f"  {line}" for line in sources], f"for {debian_arch}."]
        if debian_arch == "arm64":
            header += [
                f"amd64 and arm64 builds of one release, measured over the {len(both)} releases captured on both:",
                *measured]
            if derived:
                header += [
                    f"{' and '.join(derived)} (no arm64 package reachable: Ubuntu's is on its ports archive) are the amd64",
                    "capture of",
                    *[f"  {line}" for line in amd64_sources if any(f"libpython{r}" in line for r in derived)],
                    "less the names only amd64 builds export above: the same API, the x87 control-word helpers aside",
                    "(Python/pymath.c, built only where HAVE_GCC_ASM_FOR_X87)."]
            elif any(release not in arm64 for release in CPYTHON_RELEASES):
                header += [
                    "arm64 exports names amd64 does not: not the same API, so the releases without an arm64 capture",
                    "are between captures (a symbol both neighbours export is there, neither is not, one only is unknown)."]
        header += [
            "Each capture is of one patch release; a later patch release may add private (_Py) names and removes",
            "none (measured 2026-12-07 on Debian's and Ubuntu's amd64 3.10.4->3.10.12, 3.13.3->3.13.18 and",
            "3.14.4->3.14.10: 9 names added, all _Py, 0 removed). How the checks judge a private name a capture",
            "lacks: pythonPresence in Sources/ShiplintTargets/RuntimeExports.swift."]
        write_table(out / f"cpython-{arch}.symbols", f"cpython-{arch}", header, releases, present, front_coded=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--glibc-git", type=Path, help="a glibc git directory with the release tags (else the glibc tables are kept)")
    parser.add_argument("--debs", type=Path, help="folder caching the pinned .deb files (missing ones are downloaded)")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "symbols")
    options = parser.parse_args()
    options.out.mkdir(parents=True, exist_ok=True)
    debs = options.debs or Path(tempfile.mkdtemp(prefix="shiplint-debs-"))
    debs.mkdir(parents=True, exist_ok=True)
    fetch_debs(debs)
    for arch, (debian_arch, _) in ARCHES.items():
        if options.glibc_git is not None:
            write_table(options.out / f"glibc-{arch}.symbols", f"glibc-{arch}", [
                f"glibc's exported symbols on {arch}, by library and version node, with the releases that export each.",
                f"Source: glibc's ABI lists ({', '.join(GLIBC_ABI_FOLDERS[arch])}/*.abilist) at tags glibc-{GLIBC_RELEASES[0]}",
                f"... glibc-{GLIBC_RELEASES[-1]} (sourceware.org/git/glibc.git; mirror github.com/bminor/glibc).",
                "GLIBC_PRIVATE symbols are not listed (not part of the ABI lists).",
            ], GLIBC_RELEASES, glibc_exports(options.glibc_git, arch), front_coded=False)

        for package, soname, prefix, title in [("libstdc++6", "libstdc++.so.6", "libstdc++.so.6.", "libstdcxx"),
                                               ("libgcc-s1", "libgcc_s.so.1", "libgcc_s.so.1", "libgcc_s")]:
            version = next(v for p, v, _ in DEBS if p == package)
            deb = deb_path(debs, package, version, debian_arch)
            present = {(soname, node, symbol): {"14.2"} for symbol, node in exported(deb, prefix)}
            write_table(options.out / f"{title}-{arch}.symbols", f"{title}-{arch}", [
                f"{soname}'s exported symbols on {arch} (GCC 14.2), by version node: a runtime with an older GCC",
                "exports the nodes up to its ceiling (rules' [symbol-versions]); libstdc++ and libgcc_s never remove",
                "an exported version (libstdc++ manual, 'ABI Policy and Guidelines').",
                f"Source: Debian {package} {version} ({debian_arch}, sha256 {hashlib.sha256(deb.read_bytes()).hexdigest()[:16]}…),",
                "its dynamic symbol table read with readelf --dyn-syms.",
            ], ["14.2"], present, front_coded=title == "libstdcxx")
    write_cpython(options.out, debs)


if __name__ == "__main__":
    main()
