#!/usr/bin/env python3
"""`shiplint repair` on real broken Lambda packages built from pinned PyPI wheels, checked by independent means.

Usage: python3 conformance/repair.py [--only NAME]... [--scratch DIR] [--cache DIR]

Each case builds a function (or layer) ZIP the way a build on the wrong machine does: pip installs the pinned wheel
(a macOS wheel, a Windows wheel, a manylinux_2_28 wheel for python3.11 on Amazon Linux 2, an x86_64 wheel for an
arm64 function, ...) with `pip install --target`, and the folder is zipped. Then, for each case:

- `shiplint scan` must find it broken (exit 1): the case is a real breakage, not a guess;
- `shiplint repair --dry-run` must print the pip commands, run nothing and write nothing;
- `shiplint repair` must give the expected result: `repaired` (exit 0, the output written), or not repaired
  (exit 1, the output not written) for the stated reason: no wheel of that version fits (and pip confirms the newer
  version the report names has one), or a library no wheel provides (the rescan still finds it);
- a repaired output is checked without shiplint's code: Python's zipfile reads every entry (CRC checked), every
  entry the replaced distribution did not own is byte for byte the input's (same raw data, CRC, time, attributes),
  the new .dist-info's WHEEL tags fit the target (glibc floor, architecture, CPython), `shiplint scan` on it exits 0,
  and where the host's CPython and architecture are the target's (3.11 on x86_64 here), the repaired package is
  imported in a child Python and exercised: the differential oracle;
- the input is unchanged (sha256) and nothing but the output is left in the output's folder.

Needs the network (pip asks PyPI). When PyPI cannot be reached, each case that needs it prints `skip NAME: ...`
saying so (a wheel missing from the cache, or repair exiting 2 with pip's "could not be reached"); any other
failure is a FAIL, never a skip. Exit status: 0 when no case failed, 1 when one did, 2 when there is no binary.

Python 3 standard library only (pip is run as the tool under test runs it).
"""

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile

sys.dont_write_bytecode = True
import fetch  # noqa: E402

REPO_ROOT = os.path.dirname(fetch.SUITE_DIR)
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
RUN_TIMEOUT = 600
UNREACHABLE = "could not be reached"

HANDLER = b"import json\n\n\ndef handler(event, context):\n    return {'statusCode': 200, 'body': json.dumps(event)}\n"

# name, the wheels the broken build installed, the Python it was built for, the target it is deployed to, a layer's
# prefix (None: a function), the result expected, the distribution repaired, and an import check for the oracle.
CASES = [
    dict(name="macos-function-to-python3.13",
         wheels=["MarkupSafe-3.0.2-cp313-cp313-macosx_10_13_universal2.whl"], built_for="3.13",
         target="python3.13", layer=None, expect="replaced", distribution="markupsafe", fail_on="warning"),
    dict(name="windows-function-to-python3.13",
         wheels=["pydantic_core-2.33.2-cp313-cp313-win_amd64.whl"], built_for="3.13",
         target="python3.13", layer=None, expect="replaced", distribution="pydantic-core"),
    dict(name="manylinux_2_28-function-on-python3.11-al2",
         wheels=["bcrypt-4.2.1-cp39-abi3-manylinux_2_28_x86_64.whl"], built_for="3.11",
         target="python3.11", layer=None, expect="replaced", distribution="bcrypt",
         imports="import bcrypt; h = bcrypt.hashpw(b'secret', bcrypt.gensalt(4)); assert bcrypt.checkpw(b'secret', h)"),
    dict(name="x86_64-function-to-arm64",
         wheels=["pydantic_core-2.33.2-cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"], built_for="3.13",
         target="python3.13-arm64", layer=None, expect="replaced", distribution="pydantic-core"),
    dict(name="manylinux_2_28-layer-on-python3.11-al2",
         wheels=["cryptography-44.0.0-cp39-abi3-manylinux_2_28_x86_64.whl",
                 "cffi-1.17.1-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"], built_for="3.11",
         target="python3.11", layer="python/", expect="replaced", distribution="cryptography",
         imports="import cryptography.hazmat.bindings._rust as r; assert r.openssl.openssl_version_text()"),
    dict(name="python3.12-function-to-python3.13-no-wheel-of-that-version",
         wheels=["MarkupSafe-2.1.5-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"], built_for="3.12",
         target="python3.13", layer=None, expect="no-fitting-wheel", distribution="markupsafe", fail_on="warning"),
    dict(name="library-no-wheel-provides-libX11",
         wheels=["glfw-2.5.9-py2.py27.py3.py30.py31.py32.py33.py34.py35.py36.py37.py38-none-manylinux2014_x86_64.whl"],
         built_for="3.13", target="python3.13", layer=None, expect="still-breaks", distribution="glfw"),
]


class Skip(Exception):
    pass


class Fail(Exception):
    pass


def wheel_tags(filename):
    """The platform tags and ABI tags of a wheel file name (`name-version(-build)?-python-abi-platform.whl`)."""
    parts = filename[:-len(".whl")].split("-")
    return parts[-1].split("."), parts[-2].split(".")


def build(case, wheels_folder, folder):
    """A ZIP as a build on the wrong machine makes it: pip installs each wheel with --target, the folder is zipped."""
    tree = os.path.join(folder, "tree")
    install_root = os.path.join(tree, case["layer"] or "")
    for wheel in case["wheels"]:
        platforms, _ = wheel_tags(wheel)
        command = [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--only-binary=:all:", "--no-compile",
                   "--disable-pip-version-check", "--target", install_root, "--python-version", case["built_for"],
                   "--implementation", "cp"]
        for tag in platforms:
            command += ["--platform", tag]
        run = subprocess.run(command + [os.path.join(wheels_folder, wheel)], capture_output=True, text=True, timeout=RUN_TIMEOUT,
                             env=dict(os.environ, PIP_FIND_LINKS=""))
        if run.returncode != 0:
            raise Fail(f"building the case: pip install {wheel} failed: {run.stderr.strip()[-400:]}")
    if case["layer"] is None:
        with open(os.path.join(tree, "lambda_function.py"), "wb") as f:
            f.write(HANDLER)
    artifact = os.path.join(folder, ("layer" if case["layer"] else "function") + ".zip")
    with zipfile.ZipFile(artifact, "w", zipfile.ZIP_DEFLATED) as archive:
        for root, folders, files in os.walk(tree):
            folders.sort()
            for name in sorted(files):
                path = os.path.join(root, name)
                info = zipfile.ZipInfo(os.path.relpath(path, tree), FIXED_ZIP_TIME)
                info.external_attr = (os.stat(path).st_mode & 0xFFFF) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                with open(path, "rb") as f:
                    archive.writestr(info, f.read())
    return artifact


def shiplint(binary, arguments):
    return subprocess.run([binary] + arguments, capture_output=True, text=True, timeout=RUN_TIMEOUT)


def raw_entries(path):
    """name -> (raw compressed bytes, CRC, method, time, external attributes), read with Python's zipfile."""
    entries = {}
    with zipfile.ZipFile(path) as archive, open(path, "rb") as f:
        bad = archive.testzip()
        if bad is not None:
            raise Fail(f"{os.path.basename(path)}: Python's zipfile finds a bad CRC in {bad}")
        for info in archive.infolist():
            f.seek(info.header_offset)
            header = f.read(30)
            if header[:4] != b"PK\x03\x04":
                raise Fail(f"{info.filename}: no local header at {info.header_offset}")
            name_length = int.from_bytes(header[26:28], "little")
            extra_length = int.from_bytes(header[28:30], "little")
            f.seek(info.header_offset + 30 + name_length + extra_length)
            entries[info.filename] = (f.read(info.compress_size), info.CRC, info.compress_type, info.date_time, info.external_attr)
    return entries


def project(dist_info):
    """`MarkupSafe-3.0.2.dist-info` -> `markupsafe` (the name as PEP 503 compares it, with `_`)."""
    return re.sub(r"[-_.]+", "_", dist_info[:-len(".dist-info")].rsplit("-", 1)[0]).lower()


def owned_entries(path, prefix, distribution):
    """The entries of the ZIP at `path` a distribution owns: its .dist-info folder and the paths its RECORD lists."""
    normal = re.sub(r"[-_.]+", "_", distribution).lower()
    owned = set()
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            rest = name[len(prefix):] if name.startswith(prefix) else ""
            top = rest.split("/")[0]
            if not top.endswith(".dist-info") or project(top) != normal:
                continue
            owned.add(name)
            if rest == top + "/RECORD":
                for line in archive.read(name).decode().splitlines():
                    owned.add(os.path.normpath(prefix + line.rsplit(",", 2)[0].strip('"')))
    return owned


def wheel_tags_of_install(path, prefix, distribution):
    """The `Tag:` lines of the installed distribution's WHEEL file in the ZIP at `path`."""
    normal = re.sub(r"[-_.]+", "_", distribution).lower()
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            rest = name[len(prefix):]
            if name.startswith(prefix) and rest.count("/") == 1 and rest.endswith(".dist-info/WHEEL"):
                if project(rest.split("/")[0]) == normal:
                    text = archive.read(name).decode()
                    return [line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("Tag:")]
    return []


TARGETS = {  # what a wheel must be for each target: CPython, glibc floor, architecture (AWS's runtime table)
    "python3.11": ("311", (2, 26), "x86_64"),
    "python3.13": ("313", (2, 34), "x86_64"),
    "python3.13-arm64": ("313", (2, 34), "aarch64"),
}


def tag_fits(tag, target):
    python, floor, arch = TARGETS[target]
    interpreter, abi, platform_tag = tag.split("-")
    if not platform_tag.endswith("_" + arch):
        return False
    match = re.match(r"manylinux_(\d+)_(\d+)_", platform_tag)
    legacy = {"manylinux2014": (2, 17), "manylinux2010": (2, 12), "manylinux1": (2, 5)}
    glibc = (int(match.group(1)), int(match.group(2))) if match else legacy.get(platform_tag.split("_")[0])
    if glibc is None or glibc > floor:
        return False
    if abi == "abi3":
        return interpreter.startswith("cp3") and int(interpreter[3:]) <= int(python[1:])
    return interpreter == "cp" + python and abi in ("cp" + python, "none")


def pip_has_wheel(name, version, target):
    """Whether pip finds a wheel of NAME==VERSION for the target (asked the way a user would check the advice)."""
    python, floor, arch = TARGETS[target]
    command = [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--no-deps", "--only-binary=:all:", "--quiet",
               "--report", "-", "--target", tempfile.gettempdir() + "/shiplint-repair-check", "--python-version", f"{python[0]}.{python[1:]}",
               "--implementation", "cp"]
    for minor in range(floor[1], 16, -1):
        command += ["--platform", f"manylinux_2_{minor}_{arch}"]
    command += ["--platform", f"manylinux2014_{arch}", f"{name}=={version}"]
    return subprocess.run(command, capture_output=True, text=True, timeout=RUN_TIMEOUT).returncode == 0


def run_case(case, binary, wheels_folder, available, scratch):
    missing = [wheel for wheel in case["wheels"] if wheel not in available]
    if missing:
        raise Skip(f"{missing[0]} is not in the cache and could not be downloaded")
    folder = os.path.join(scratch, case["name"])
    os.makedirs(folder)
    artifact = build(case, wheels_folder, folder)
    before = fetch.sha256_of_file(artifact)
    target = case["target"]

    # markupsafe imports its _speedups only under `except ImportError` (issue 22): a warning, so those cases repair
    # what breaks at --fail-on warning (the accelerator that does not load).
    strict = ["--fail-on", case["fail_on"]] if case.get("fail_on") else []
    scan = shiplint(binary, ["scan", artifact, "--target", target, "--format", "json", *strict])
    if scan.returncode != 1:
        raise Fail(f"scan of the broken build exited {scan.returncode}, expected 1 (the case must break): {scan.stderr.strip()}")

    outputs = os.path.join(folder, "out")
    os.makedirs(outputs)
    output = os.path.join(outputs, "fixed.zip")
    plan = shiplint(binary, ["repair", artifact, "--target", target, "--output", output, "--dry-run", *strict])
    if plan.returncode != 0 or "-m pip download --only-binary=:all: --no-deps" not in plan.stdout or os.listdir(outputs):
        raise Fail(f"--dry-run exited {plan.returncode}, wrote {os.listdir(outputs)}; printed: {plan.stdout.strip()[-600:]} {plan.stderr.strip()}")

    repair = shiplint(binary, ["repair", artifact, "--target", target, "--output", output, "--format", "json", *strict])
    if repair.returncode == 2 and UNREACHABLE in repair.stderr:
        raise Skip(f"PyPI cannot be reached from here: {repair.stderr.strip()}")
    if repair.returncode not in (0, 1):
        raise Fail(f"repair exited {repair.returncode}: {repair.stderr.strip()}")
    report = json.loads(repair.stdout)
    if report["role"] != ("layer" if case["layer"] else "function"):
        raise Fail(f"judged as a {report['role']}")
    if fetch.sha256_of_file(artifact) != before:
        raise Fail("the input artifact changed")
    results = {d["name"].lower().replace("_", "-"): d for d in report["distributions"]}
    mine = results.get(case["distribution"])
    if mine is None:
        raise Fail(f"the report names no repair of {case['distribution']}: {sorted(results)}")
    kind = mine["result"]["kind"]
    if kind != case["expect"]:
        raise Fail(f"{case['distribution']}: {kind}, expected {case['expect']}: {json.dumps(mine['result'])[:600]}")
    left = sorted(os.listdir(outputs))

    if case["expect"] != "replaced":
        if repair.returncode != 1 or report["written"] or left:
            raise Fail(f"not repaired, yet exit {repair.returncode}, written {report['written']}, output folder {left}")
        if kind == "no-fitting-wheel":
            newer = mine["result"]["newer"]
            if not newer:
                raise Fail("no newer version named")
            if not pip_has_wheel(case["distribution"], newer, target):
                raise Fail(f"the report says {newer} has a wheel that fits; pip finds none")
            if pip_has_wheel(case["distribution"], mine["version"], target):
                raise Fail(f"the report says no wheel of {mine['version']} fits; pip finds one")
        if kind == "still-breaks" and not mine["result"]["findings"]:
            raise Fail("still-breaks names no finding")
        return f"{kind}" + (f" (newer: {mine['result'].get('newer')})" if kind == "no-fitting-wheel" else "")

    if repair.returncode != 0 or not report["written"] or left != ["fixed.zip"]:
        raise Fail(f"repaired, yet exit {repair.returncode}, written {report['written']}, output folder {left}: {repair.stdout[-800:]}")
    prefix = case["layer"] or ""
    old = raw_entries(artifact)
    new = raw_entries(output)
    owned = owned_entries(artifact, prefix, case["distribution"])
    for name, raw in old.items():
        if name in owned:
            continue
        if name not in new:
            raise Fail(f"{name} (not {case['distribution']}'s) is missing from the output")
        if new[name] != raw:
            raise Fail(f"{name} (not {case['distribution']}'s) is not byte for byte the input's")
    tags = wheel_tags_of_install(output, prefix, case["distribution"])
    if not tags or not any(tag_fits(tag, target) for tag in tags):
        raise Fail(f"the new install's WHEEL tags {tags} do not fit {target}")
    rescan = shiplint(binary, ["scan", output, "--target", target, *strict])
    if rescan.returncode != 0:
        raise Fail(f"scan of the output exited {rescan.returncode}: {rescan.stdout.strip()[-600:]}")
    imported = ""
    if case.get("imports"):
        python, _, arch = TARGETS[target]
        host = f"{sys.version_info.major}{sys.version_info.minor}"
        if host == python and platform.machine() == arch:
            unpacked = os.path.join(folder, "unpacked")
            with zipfile.ZipFile(output) as archive:
                archive.extractall(unpacked)
            code = f"import sys; sys.path.insert(0, {os.path.join(unpacked, prefix)!r}); {case['imports']}"
            run = subprocess.run([sys.executable, "-I", "-S", "-c", code], capture_output=True, text=True, timeout=RUN_TIMEOUT)
            if run.returncode != 0:
                raise Fail(f"importing the repaired package failed: {run.stderr.strip()[-600:]}")
            imported = ", imported by CPython " + platform.python_version()
        else:
            imported = f", not imported (host CPython {sys.version_info.major}.{sys.version_info.minor} {platform.machine()} is not the target's)"
    entries = report["entries"]
    return f"replaced by {mine['result']['wheel']} ({entries['kept']} entries byte for byte, {entries['removed']} out, {entries['added']} in){imported}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", default=[])
    parser.add_argument("--scratch")
    parser.add_argument("--cache", default=fetch.default_cache_dir())
    args = parser.parse_args(argv)
    binary = os.environ.get("SHIPLINT") or os.path.join(REPO_ROOT, ".build", "debug", "shiplint")
    if not os.access(binary, os.X_OK):
        print(f"repair: no shiplint binary at {binary}", file=sys.stderr)
        return 2
    cases = [case for case in CASES if not args.only or case["name"] in args.only]
    pins = [pin for pin in fetch.read_pins() if any(pin.filename in case["wheels"] for case in cases)]
    available = fetch.ensure_wheels(pins, [{"input": {"unpack": case["wheels"]}} for case in cases], args.cache,
                                    log=lambda line: print(line.replace("conformance:", "repair:")))
    scratch = args.scratch or tempfile.mkdtemp(prefix="shiplint-repair-conformance-")
    counts = {"ok": 0, "FAIL": 0, "skip": 0}
    try:
        for case in cases:
            try:
                detail = run_case(case, binary, args.cache, available, scratch)
                counts["ok"] += 1
                print(f"ok {case['name']}: {detail}", flush=True)
            except Skip as why:
                counts["skip"] += 1
                print(f"skip {case['name']}: {why}", flush=True)
            except Fail as why:
                counts["FAIL"] += 1
                print(f"FAIL {case['name']}: {why}", flush=True)
    finally:
        if not args.scratch:
            shutil.rmtree(scratch, ignore_errors=True)
    print(f"repair: {counts['ok']} passed, {counts['FAIL']} failed, {counts['skip']} skipped")
    return 1 if counts["FAIL"] else 0


if __name__ == "__main__":
    sys.exit(main())
