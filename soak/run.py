#!/usr/bin/env python3
"""The real-world soak: install popular native PyPI projects as Lambda's documentation says, zip, scan, compare.

Usage: python3 soak/run.py [--ci] [--only PROJECT]... [--build KIND]... [--jobs N] [--report FILE]

For each project locked in soak/lock.json (see lock.py) and each of its builds (builds.py): the pinned wheels are
downloaded into the cache (checked against their sha256), installed with the documented pip command into their own
folder once per wheel (`pip install --no-deps --no-index --require-hashes --no-compile --only-binary=:all: --platform
… --implementation cp --python-version … --target`), the folders merged in install order (a later wheel's file wins,
as in one pip run) and zipped (deflate, Unix modes) as the function's ZIP. shiplint scans the ZIP against the build's
target; the oracle (oracle.py: pyelftools and the reference runtime lists, no shiplint code) judges the same files.

Every shiplint error is compared with the oracle:
- **false error**: shiplint says error, the oracle finds nothing of that kind wrong with the file (must be 0);
- **severity**: the file does fail that way, but the runtime never loads it (an executable nothing runs, another
  platform's copy beside the target's); the error should be a warning or a note (issue 22 item 4);
- **missed**: the oracle finds a failure in a file the runtime loads, and shiplint reports nothing of that kind there;
- **lowered**: the oracle finds such a failure and shiplint reports it only as a warning or a note (a module it
  took for optional that the oracle does not).

`--ci` runs the CI slice (ci-slice.txt: its projects on three targets). Without network, wheels not in the cache are
skipped and said so; a skip never counts as a pass. Exit status: 0 when no false error, 1 otherwise, 2 on bad input.
Prints `soak: N passed, N failed, N skipped` last (passed = builds with no false error and nothing missed).
"""

import argparse
import collections
import concurrent.futures
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import struct
import time
import zlib

sys.dont_write_bytecode = True
import builds as build_table  # noqa: E402
import soakfiles  # noqa: E402

# A build whose wheels add up to more than this is not soaked (torch, tensorflow, CUDA libraries): it would be
# over Lambda's 250 MB unzipped anyway, and its download would dwarf the rest. Skipped builds are listed.
MAX_BUILD_BYTES = 150_000_000
MAX_WHEEL_BYTES = 80_000_000
CI_TARGETS = ["documented/aws-lambda-python3.11-x86_64", "documented/aws-lambda-python3.13-arm64",
              "documented/aws-lambda-python3.14-x86_64"]
# shiplint check id -> the oracle's category of failure.
CATEGORY = {
    "windows-binary": "windows", "darwin-binary": "darwin", "wrong-arch": "arch", "musl-binary": "musl",
    "python-abi-mismatch": "python-abi", "glibc-too-new": "glibc", "libstdcxx-too-new": "libstdcxx",
    "missing-library": "missing", "missing-symbol-version": "missing-version", "corrupt-binary": "unreadable",
    "package-too-large": "too-large", "undefined-symbol": "undefined-symbol",
}
# The oracle's categories that stop the file from loading at all: shiplint reports only the root cause (a
# wrong-arch file gets no missing-library), so the others are not "missed" on such a file.
ROOT_CAUSES = {"windows", "darwin", "arch", "musl", "unreadable"}


# ---------------------------------------------------------------------------------------------------------
# Setting up: the soak's own venv (pip, uv and pyelftools pinned), in the cache.

def setup(log):
    python = soakfiles.venv_python()
    wanted = {"pip": soakfiles.PIP_VERSION, "pyelftools": soakfiles.PYELFTOOLS_VERSION, "uv": soakfiles.UV_VERSION}
    stamp = os.path.join(soakfiles.cache_dir(), "venv", "soak-versions.json")
    if os.path.isfile(stamp):
        with open(stamp, encoding="utf-8") as f:
            if json.load(f) == wanted:
                return python
    log(f"soak: setting up {os.path.dirname(os.path.dirname(python))} (pip {wanted['pip']}, pyelftools {wanted['pyelftools']}, uv {wanted['uv']})")
    subprocess.run([sys.executable, "-m", "venv", os.path.dirname(os.path.dirname(python))], check=True)
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    *[f"{name}=={version}" for name, version in wanted.items()]], check=True)
    with open(stamp, "w", encoding="utf-8") as f:
        json.dump(wanted, f)
    return python


# ---------------------------------------------------------------------------------------------------------
# Wheels, installed one by one with the documented command, cached by sha256.

class Cache:
    def __init__(self, lock, log):
        self.lock = lock
        self.log = log
        self.network_down = None

    def wheel(self, filename):
        pin = self.lock["wheels"][filename]
        path = soakfiles.cached(filename, pin["sha256"])
        if path:
            return path
        if self.network_down:
            raise soakfiles.NetworkDown(self.network_down)
        try:
            return soakfiles.download(filename, pin["sha256"], pin["url"], MAX_WHEEL_BYTES)
        except soakfiles.NetworkDown as error:
            self.network_down = str(error)
            raise

    def folder(self, filename):
        return os.path.join(soakfiles.cache_dir(), "installed", self.lock["wheels"][filename]["sha256"][:32])

    def is_installed(self, filename):
        """Installed, with the oracle's facts of the current stamp (oracle.facts_stamp)."""
        done = os.path.join(self.folder(filename), "facts.json")
        if not os.path.isfile(done):
            return False
        with open(done, encoding="utf-8") as f:
            return json.load(f).get("stamp") == current_stamp()

    def installed(self, filename, build):
        """The folder pip installed this one wheel into (with --target), and the oracle's facts of its files."""
        pin = self.lock["wheels"][filename]
        folder = self.folder(filename)
        done = os.path.join(folder, "facts.json")
        if os.path.isfile(done):
            with open(done, encoding="utf-8") as f:
                facts = json.load(f)
            if facts.get("stamp") != current_stamp():
                facts = refresh_facts(folder, facts)
            return folder, facts
        wheel = self.wheel(filename)
        scratch = f"{folder}.part{os.getpid()}"
        shutil.rmtree(scratch, ignore_errors=True)
        os.makedirs(scratch)
        requirement = os.path.join(scratch, "requirements.txt")
        with open(requirement, "w", encoding="utf-8") as f:
            f.write(f"{wheel} --hash=sha256:{pin['sha256']}\n")
        command = [soakfiles.venv_pip(), "install", "--quiet", "--disable-pip-version-check", "--no-deps", "--no-index",
                   "--require-hashes", "--no-compile", *build.pip_arguments(), "--target", os.path.join(scratch, "tree"),
                   "-r", requirement]
        result = subprocess.run(["nice", *command], capture_output=True, text=True)
        if result.returncode != 0:
            shutil.rmtree(scratch, ignore_errors=True)
            raise InstallError(f"pip refused {filename} for {build.name}: {result.stderr.strip().splitlines()[-1:]}")
        os.remove(requirement)
        tree = os.path.join(scratch, "tree")
        facts = oracle_facts(tree)
        deflate_tree(tree, scratch)
        shutil.rmtree(tree)  # what the soak needs of it is in facts.json and the deflated files
        with open(os.path.join(scratch, "facts.json"), "w", encoding="utf-8") as f:
            json.dump(facts, f)
        try:
            os.replace(scratch, folder)
        except OSError:  # installed meanwhile by another worker
            shutil.rmtree(scratch, ignore_errors=True)
        return folder, facts


class InstallError(Exception):
    pass


def current_stamp():
    import oracle
    return oracle.facts_stamp()


def oracle_facts(tree):
    """{binaries: the oracle's facts of each native file, files: {path: size}, stamp} (pyelftools, in the venv)."""
    import oracle
    binaries, _ = oracle.facts_of_tree(tree)
    sizes = {}
    for root, _, files in os.walk(tree):
        for name in files:
            path = os.path.join(root, name)
            if os.path.isfile(path) and not os.path.islink(path):
                sizes[os.path.relpath(path, tree)] = os.path.getsize(path)
    return {"binaries": binaries, "files": sizes, "stamp": current_stamp()}


def refresh_facts(folder, facts):
    """The facts of a wheel installed by an older oracle (another stamp), read again from its deflated copies: only
    the files the old facts called binaries, and the files named as shared objects (the rest have no facts to
    change). Written back, so each installed wheel is read again once."""
    import oracle
    index, blob = deflated(folder)
    binaries = {}
    with tempfile.TemporaryDirectory(prefix="shiplint-soak-facts-") as scratch:
        for relative in sorted(index):
            if relative not in facts["binaries"] and not oracle.SHARED_OBJECT_NAME.search(relative):
                continue
            path = os.path.join(scratch, os.path.basename(relative))  # its name counts (PyInit_<stem>)
            with open(path, "wb") as f:
                f.write(inflate(blob, index[relative]))
            found = oracle.file_facts(path)
            if found is None:
                with open(path, "rb") as f:
                    found = oracle.named_library_facts(os.path.basename(relative), f.read(64))
            if found is not None:
                found["executable_bits"] = bool(index[relative][4] & 0o111)
                binaries[relative] = found
    refreshed = dict(facts, binaries=binaries, stamp=current_stamp())
    done = os.path.join(folder, "facts.json")
    with open(f"{done}.part{os.getpid()}", "w", encoding="utf-8") as f:
        json.dump(refreshed, f)
    os.replace(f"{done}.part{os.getpid()}", done)
    return refreshed


# ---------------------------------------------------------------------------------------------------------
# One deployment: merge, zip, judge.

def compose(parts):
    """{path in the ZIP: (deflated blob, its index entry)} and the oracle's facts, a later wheel's file winning, as
    one pip run leaves them."""
    import oracle
    members, binaries = {}, {}
    for folder, facts in parts:
        index, blob = deflated(folder)
        for relative, entry in index.items():
            members[relative] = (blob, entry)
            binaries.pop(relative, None)
        binaries.update(facts["binaries"])
        # Files named as shared objects that are no binary: the facts of wheels installed before the oracle judged
        # them (oracle.named_library_facts) lack them.
        for relative, (start, packed, _, _, mode) in index.items():
            if relative not in facts["binaries"] and oracle.SHARED_OBJECT_NAME.search(relative):
                with open(blob, "rb") as f:
                    f.seek(start)
                    head = zlib.decompressobj(-15).decompress(f.read(min(packed, 4096)), 64)
                named = oracle.named_library_facts(os.path.basename(relative), head)
                if named is not None:
                    named["executable_bits"] = bool(mode & 0o111)
                    binaries[relative] = named
    return members, binaries


def deflate_tree(tree, folder):
    """Each file of a wheel's installed folder deflated once (level 1: DEFLATE all the same, for a fraction of the
    CPU of zip's level 6), kept in folder: an index
    {path: [offset, compressed size, size, crc32, mode]} (deflated.json) and the compressed bytes one after another
    (deflated.bin)."""
    index_path, blob_path = os.path.join(folder, "deflated.json"), os.path.join(folder, "deflated.bin")
    index, offset = {}, 0
    with open(blob_path + ".part", "wb") as blob:
        for root, folders, files in os.walk(tree):
            folders.sort()
            for name in sorted(files):
                path = os.path.join(root, name)
                if os.path.islink(path) or not os.path.isfile(path):
                    continue
                with open(path, "rb") as f:
                    data = f.read()
                compressor = zlib.compressobj(1, zlib.DEFLATED, -15)
                packed = compressor.compress(data) + compressor.flush()
                mode = 0o755 if os.stat(path).st_mode & 0o111 else 0o644
                index[os.path.relpath(path, tree)] = [offset, len(packed), len(data), zlib.crc32(data), mode]
                blob.write(packed)
                offset += len(packed)
    os.replace(blob_path + ".part", blob_path)
    with open(index_path, "w", encoding="utf-8") as f:
        json.dump(index, f)


def deflated(folder):
    with open(os.path.join(folder, "deflated.json"), encoding="utf-8") as f:
        return json.load(f), os.path.join(folder, "deflated.bin")


def write_zip(destination, members):
    """The function's ZIP from the deflated files (members: path -> (blob, index entry)), sorted by path: local
    headers, data, central directory (ZIP64 when needed), as a ZIP tool writes them; DOS time 1980-01-01 00:00."""
    central, offset = [], 0
    handles = {}
    with open(destination, "wb") as out:
        for name in sorted(members):
            blob, (start, packed, size, crc, mode) = members[name]
            encoded = name.encode("utf-8")
            flags = 0x800 if any(b > 127 for b in encoded) else 0
            zip64 = packed >= 0xFFFFFFFF or size >= 0xFFFFFFFF or offset >= 0xFFFFFFFF
            extra = struct.pack("<HHQQ", 1, 16, size, packed) if zip64 else b""
            out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 45 if zip64 else 20, flags, 8, 0, 0x21, crc,
                                  0xFFFFFFFF if zip64 else packed, 0xFFFFFFFF if zip64 else size, len(encoded), len(extra)))
            out.write(encoded + extra)
            source = handles.get(blob) or handles.setdefault(blob, open(blob, "rb"))
            source.seek(start)
            remaining = packed
            while remaining:
                chunk = source.read(min(remaining, 1 << 20))
                out.write(chunk)
                remaining -= len(chunk)
            central.append((encoded, flags, crc, packed, size, offset, mode, zip64))
            offset += 30 + len(encoded) + len(extra) + packed
        start_of_central = offset
        for encoded, flags, crc, packed, size, at, mode, zip64 in central:
            extra = struct.pack("<HHQQQ", 1, 24, size, packed, at) if zip64 or at >= 0xFFFFFFFF else b""
            big = bool(extra)
            out.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 0x031E, 45 if big else 20, flags, 8, 0, 0x21, crc,
                                  0xFFFFFFFF if big else packed, 0xFFFFFFFF if big else size, len(encoded), len(extra), 0, 0, 0,
                                  (0o100000 | mode) << 16, 0xFFFFFFFF if big else at))
            out.write(encoded + extra)
            offset += 46 + len(encoded) + len(extra)
        size_of_central = offset - start_of_central
        count = len(central)
        if count >= 0xFFFF or start_of_central >= 0xFFFFFFFF:
            out.write(struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, count, count, size_of_central, start_of_central))
            out.write(struct.pack("<IIQI", 0x07064B50, 0, offset, 1))
        out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, min(count, 0xFFFF), min(count, 0xFFFF),
                              min(size_of_central, 0xFFFFFFFF), min(start_of_central, 0xFFFFFFFF), 0))
    for handle in handles.values():
        handle.close()


def judge(binaries, members, build):
    import oracle
    runtime = RUNTIMES.get((build.python, build.arch))
    if runtime is None:
        runtime = RUNTIMES[(build.python, build.arch)] = oracle.Runtime(build.python, build.arch, reference_dir())
        if runtime.glibc_symbols is None:
            print(f"soak: the pinned glibc package for {build.arch} could not be had (glibcsymbols.py): the oracle does "
                  "not judge unversioned undefined symbols, and shiplint's undefined-symbol errors count as false", flush=True)
    verdict = oracle.judge(binaries, sum(entry[2] for _, entry in members.values()), runtime)
    # A failing module that the package imports only under `except ImportError` is optional: read the .py files
    # that name it (and, through modules that import it unguarded, those that name them) from the deflated copies,
    # and ask the oracle.
    python_files = {member: value for member, value in members.items() if member.endswith(".py")}
    inflated = {}

    def sources_naming(name):
        wanted = name.encode()
        found = {}
        for member, (blob, entry) in python_files.items():
            if member not in inflated:
                inflated[member] = inflate(blob, entry)
            if wanted in inflated[member]:
                found[member] = inflated[member]
        return found

    for path, failures in verdict.failures.items():
        if verdict.reach.get(path) != "loaded" or not oracle.is_module_path(path, binaries.get(path, {})):
            continue
        optional = oracle.optionally_imported(path, sources_naming, not_found="python-abi" in failures, python_paths=python_files)
        if optional:
            verdict.reach[path] = "unimported" if optional == "unimported" else "optional"
    return {"failures": verdict.failures, "reach": verdict.reach, "too_large": verdict.too_large}


def inflate(blob, entry):
    start, packed, _, _, _ = entry
    with open(blob, "rb") as f:
        f.seek(start)
        return zlib.decompress(f.read(packed), -15)


RUNTIMES = {}


def reference_dir():
    for candidate in (os.environ.get("SHIPLINT_REFERENCE"), os.path.join(soakfiles.REPO_ROOT, "..", "shared", "reference")):
        if candidate and os.path.isfile(os.path.join(candidate, "lambda-runtimes", "al2-lambda-python.txt")):
            return os.path.abspath(candidate)
    raise SystemExit("soak: no shared/reference/lambda-runtimes beside the repository (set SHIPLINT_REFERENCE)")


def per_file(findings):
    """Each file of each finding as a finding of its own: one cause in several files of a distribution is one
    finding listing them (`files`, the first included, each with its own message), and the oracle judges files."""
    for finding in findings:
        files = finding.get("files") or [{"path": finding.get("path") or "", "message": finding.get("message", "")}]
        for file in files:
            yield dict(finding, path=file.get("path") or "", message=file.get("message", finding.get("message", "")))


def compare(findings, verdict):
    """(false errors, severity disagreements, missed, lowered): lists of (path, category, what). `findings` one per
    file. Lowered: a failure of a file the runtime loads that shiplint reports only as a warning or a note."""
    failures = verdict["failures"]
    reach = verdict["reach"]
    false_errors, severity, missed, lowered = [], [], [], []
    errors = collections.defaultdict(set)
    for finding in findings:
        if finding["severity"] == "error":
            errors[finding.get("path") or ""].add(CATEGORY.get(finding["check"], "other:" + finding["check"]))
    reported = collections.defaultdict(set)
    for finding in findings:
        category = CATEGORY.get(finding["check"], "other:" + finding["check"])
        reported[finding.get("path") or ""].add(category)
        if finding["severity"] != "error":
            continue
        path = finding.get("path") or ""
        if category == "too-large":
            if not verdict["too_large"]:
                false_errors.append((path, category, finding["message"][:160]))
            continue
        if category not in failures.get(path, {}):
            false_errors.append((path, category, finding["message"][:160]))
        elif reach.get(path) in ("executable", "other-platform", "optional", "unimported"):
            severity.append((path, category, reach[path]))
    for path, categories in failures.items():
        if reach.get(path) != "loaded":
            continue
        stops = categories.keys() & ROOT_CAUSES
        for category, reason in categories.items():
            if stops and category not in ROOT_CAUSES:
                continue
            if category not in reported.get(path, set()):
                missed.append((path, category, reason))
            elif category not in errors.get(path, set()) and not (stops and errors.get(path, set()) & ROOT_CAUSES):
                lowered.append((path, category, reason))
    if verdict["too_large"] and "too-large" not in {c for cs in reported.values() for c in cs}:
        missed.append(("", "too-large", verdict["too_large"]))
    return false_errors, severity, missed, lowered


# Bumped when compare() or the result's shape changes: a result is reused only with the same version.
# 3: findings one per file (a grouped finding's `files`), and `causes`: the error findings as shiplint reports them.
# 4: `lowered` (a failure of a loaded file that shiplint reports only as a warning or note).
RESULT_VERSION = 4


def fingerprint(shiplint):
    """What a result depends on besides its build: the shiplint binary, the oracle (and its glibc table) and
    RESULT_VERSION."""
    digest = hashlib.sha256(str(RESULT_VERSION).encode())
    for path in (shiplint, os.path.join(soakfiles.SOAK_DIR, "oracle.py"), os.path.join(soakfiles.SOAK_DIR, "glibcsymbols.py")):
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()[:16]


def scan(shiplint, zips, target):
    """{zip path: findings} from one shiplint run over several ZIPs for one target."""
    done = subprocess.run(["nice", shiplint, "scan", *zips, "--target", target, "--format", "json", "--fail-on", "never"],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"shiplint exited {done.returncode}: {done.stderr.strip()[:300]}")
    report = json.loads(done.stdout)
    return {artifact["path"]: artifact.get("findings") or [] for artifact in report["artifacts"]}


# ---------------------------------------------------------------------------------------------------------

def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ci", action="store_true", help="only the CI slice (ci-slice.txt) on three targets")
    parser.add_argument("--only", action="append", default=[], help="only this project (repeatable)")
    parser.add_argument("--build", action="append", default=[], help="only builds of this kind or name (repeatable)")
    parser.add_argument("--report", help="write every result as JSON to this file (default: report.json in the cache)")
    parser.add_argument("--setup-only", action="store_true", help="only set up the soak's venv (pip, uv, pyelftools)")
    parser.add_argument("--batch", type=int, default=12, help="ZIPs per shiplint run")
    parser.add_argument("--keep", help="keep the ZIPs in this folder")
    parser.add_argument("--jobs", type=int, default=4, help="wheels installed at once (default 4)")
    parser.add_argument("--install-one", nargs=2, metavar=("WHEEL", "BUILD"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    log = lambda text: print(text, flush=True)
    if args.setup_only:
        setup(log)
        return 0
    shiplint = os.path.abspath(os.environ.get("SHIPLINT") or os.path.join(soakfiles.REPO_ROOT, ".build", "release", "shiplint"))
    if not os.access(shiplint, os.X_OK):
        print(f"soak: no shiplint binary at {shiplint} (make build, or set SHIPLINT)", file=sys.stderr)
        return 2
    try:
        lock = soakfiles.read_lock()
    except (OSError, ValueError) as error:
        print(f"soak: {error}", file=sys.stderr)
        return 2
    table = build_table.all_builds()
    projects = [p for p in soakfiles.read_candidates() if soakfiles.is_native(lock, p)]
    if args.ci:
        projects = [p for p in soakfiles.read_ci_slice() if p in projects]
    if args.only:
        projects = [p for p in projects if p in args.only]
    if os.path.realpath(sys.prefix) != os.path.realpath(os.path.join(soakfiles.cache_dir(), "venv")):
        try:
            python = setup(log)
        except (subprocess.CalledProcessError, OSError) as error:
            print(f"soak: could not set up the soak's venv ({error}); skipping the soak", file=sys.stderr)
            print("soak: 0 passed, 0 failed, 0 skipped (not run: no venv)")
            return 0
        # The rest runs in the venv, where the oracle imports pyelftools directly.
        os.execv(python, [python, os.path.abspath(__file__), *(argv if argv is not None else sys.argv[1:])])
    cache = Cache(lock, log)
    if args.install_one:
        # A worker of prefetch(): install one wheel into the cache, in its own process.
        try:
            cache.installed(args.install_one[0], table[args.install_one[1]])
        except soakfiles.NetworkDown as error:
            print(f"network: {error}", file=sys.stderr)
            return 3
        except (OSError, InstallError) as error:
            print(str(error), file=sys.stderr)
            return 1
        return 0

    # Target by target (python3.13 on both architectures, the wrong builds, then the other runtimes): a soak cut
    # short has covered every project on the first targets rather than every target of the first projects.
    documented = [f"documented/aws-lambda-python{python}-{arch}" for python in ("3.13", "3.11", "3.12", "3.9", "3.14", "3.10")
                  for arch in ("x86_64", "arm64")]
    order = documented[:2] + [b.name for b in build_table.wrong_builds()] + documented[2:]
    work = []
    for project in projects:
        for name, files in sorted(lock["builds"].get(project, {}).items()):
            build = table.get(name)
            if build is None or (args.ci and name not in CI_TARGETS):
                continue
            if args.build and build.kind not in args.build and name not in args.build:
                continue
            work.append((project, build, files))
    work.sort(key=lambda item: order.index(item[1].name) if item[1].name in order else len(order))

    results, skipped = [], collections.Counter()
    skipped_detail = collections.defaultdict(list)
    started = time.time()
    scratch = args.keep or tempfile.mkdtemp(prefix="shiplint-soak-")
    os.makedirs(scratch, exist_ok=True)
    pending = collections.defaultdict(list)  # target -> [(project, build, zip, verdict)]

    # A result is kept per build for this shiplint binary and this oracle: an interrupted soak goes on where it stopped.
    results_dir = os.path.join(soakfiles.cache_dir(), "results", fingerprint(shiplint))
    os.makedirs(results_dir, exist_ok=True)

    def result_path(project, build, files):
        key = hashlib.sha256(json.dumps([project, build.name, files]).encode()).hexdigest()[:24]
        return os.path.join(results_dir, f"{project}--{build.name.replace('/', '--')}--{key}.json")

    def flush(target):
        batch = pending.pop(target, [])
        if not batch:
            return
        found = scan(shiplint, [item[2] for item in batch], target)
        for project, build, zip_path, verdict, files in batch:
            reported = found.get(zip_path, [])
            findings = list(per_file(reported))
            false_errors, severity, missed, lowered = compare(findings, verdict)
            result = {"project": project, "build": build.name, "kind": build.kind,
                      "errors": sum(1 for f in findings if f["severity"] == "error"),
                      "causes": sum(1 for f in reported if f["severity"] == "error"),
                      "findings": [[f["severity"], f["check"], f.get("path") or "", f.get("message", "")[:300]] for f in findings],
                      "oracle": verdict, "false_errors": false_errors, "severity": severity, "missed": missed,
                      "lowered": lowered}
            results.append(result)
            with open(result_path(project, build, files) + ".part", "w", encoding="utf-8") as f:
                json.dump(result, f)
            os.replace(result_path(project, build, files) + ".part", result_path(project, build, files))
            if not args.keep:
                os.remove(zip_path)

    def prefetch(chunk):
        """Install the chunk's wheels not yet in the cache, --jobs at a time, each in its own process."""
        wanted, seen = [], set()
        for project, build, files in chunk:
            if isinstance(files, dict) or too_large(files) or os.path.isfile(result_path(project, build, files)):
                continue
            for filename in files:
                if filename not in seen and not cache.is_installed(filename):
                    seen.add(filename)
                    wanted.append((filename, build.name))
        if not wanted or cache.network_down:
            return
        def one(item):
            done = subprocess.run([sys.executable, os.path.abspath(__file__), "--install-one", *item],
                                  capture_output=True, text=True)
            return done.returncode, done.stderr
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            for status, err in pool.map(one, wanted):
                if status == 3 and not cache.network_down:
                    cache.network_down = err.strip()

    def too_large(files):
        size = sum(lock["wheels"][f].get("size", 0) for f in files)
        return size > MAX_BUILD_BYTES or any(lock["wheels"][f].get("size", 0) > MAX_WHEEL_BYTES for f in files)

    try:
        for index, (project, build, files) in enumerate(work):
            if index % 50 == 0:
                prefetch(work[index:index + 50])
            if isinstance(files, dict):
                skipped["no installable set"] += 1
                skipped_detail["no installable set"].append(f"{project} {build.name}")
                continue
            size = sum(lock["wheels"][f].get("size", 0) for f in files)
            if too_large(files):
                skipped["torch-sized"] += 1
                skipped_detail["torch-sized"].append(f"{project} {build.name} ({size / 1e6:.0f} MB of wheels)")
                continue
            done = result_path(project, build, files)
            if os.path.isfile(done):
                with open(done, encoding="utf-8") as f:
                    results.append(json.load(f))
                continue
            try:
                parts = [cache.installed(f, build) for f in files]
            except soakfiles.NetworkDown as error:
                skipped["not in the cache, no network"] += 1
                skipped_detail["not in the cache, no network"].append(f"{project} {build.name} ({error})")
                continue
            except (OSError, InstallError) as error:
                skipped["could not fetch or install"] += 1
                skipped_detail["could not fetch or install"].append(f"{project} {build.name}: {error}")
                continue
            members, binaries = compose(parts)
            zip_path = os.path.join(scratch, f"{project}--{build.name.replace('/', '--')}.zip")
            write_zip(zip_path, members)
            verdict = judge(binaries, members, build)
            pending[build.target].append((project, build, zip_path, verdict, files))
            if len(pending[build.target]) >= args.batch:
                flush(build.target)
            if (index + 1) % 100 == 0:
                log(f"soak: {index + 1}/{len(work)} builds ({time.time() - started:.0f} s)")
        for target in list(pending):
            flush(target)
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)

    return report(results, skipped, skipped_detail, projects, args, time.time() - started)


def report(results, skipped, skipped_detail, projects, args, seconds):
    false_builds = [r for r in results if r["false_errors"]]
    missed_builds = [r for r in results if r["missed"]]
    severity_builds = [r for r in results if r["severity"]]
    by_kind = collections.Counter(r["kind"] for r in results)
    soaked_projects = {r["project"] for r in results}
    print(f"soak: {len(results)} builds of {len(soaked_projects)} projects scanned in {seconds:.0f} s "
          f"({', '.join(f'{k} {n}' for k, n in sorted(by_kind.items()))})")
    for reason, count in sorted(skipped.items()):
        print(f"soak: skipped {count} builds: {reason}")
        for line in skipped_detail[reason][:5]:
            print(f"  {line}")
        if len(skipped_detail[reason]) > 5:
            print(f"  … {len(skipped_detail[reason]) - 5} more")
    errors = sum(r["errors"] for r in results)
    lowered_builds = [r for r in results if r.get("lowered")]
    print(f"soak: {errors} errors from shiplint; {sum(len(r['false_errors']) for r in results)} false "
          f"(in {len(false_builds)} builds), {sum(len(r['severity']) for r in results)} on files the runtime never "
          f"loads (in {len(severity_builds)} builds), {sum(len(r['missed']) for r in results)} failures missed "
          f"(in {len(missed_builds)} builds), {sum(len(r.get('lowered', [])) for r in results)} failures of loaded "
          f"files reported below error (in {len(lowered_builds)} builds)")
    for label, key in (("FALSE ERROR", "false_errors"), ("SEVERITY", "severity"), ("MISSED", "missed"), ("LOWERED", "lowered")):
        shown = 0
        for r in results:
            for path, category, what in r.get(key, []):
                if shown < 40:
                    print(f"{label} {r['project']} {r['build']}: {category} on {path or '(artifact)'}: {what}")
                shown += 1
        if shown > 40:
            print(f"{label}: … {shown - 40} more")
    destination = args.report or os.path.join(soakfiles.cache_dir(), "ci-report.json" if args.ci else "report.json")
    if destination:
        with open(destination, "w", encoding="utf-8") as f:
            json.dump({"results": results, "skipped": skipped_detail}, f, indent=1, sort_keys=True)
        print(f"soak: every result in {destination}")
    passed = sum(1 for r in results if not r["false_errors"] and not r["missed"] and not r.get("lowered"))
    print(f"soak: {passed} passed, {len(results) - passed} failed, {sum(skipped.values())} skipped")
    return 1 if false_builds else 0


if __name__ == "__main__":
    sys.exit(main())
