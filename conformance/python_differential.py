#!/usr/bin/env python3
"""Python differential (issue 21): real wheels installed for this machine's CPython 3.11, every extension module
imported in a child process, and the same install scanned by shiplint against a capture of this machine
(`shiplint targets capture`). CPython is the oracle: a module whose import fails for a native reason (the loader
refuses it, or CPython does not take the file for a module) must have an error finding, on itself or on a library
it loads; a module that imports must have none. A failing module shiplint calls optional against the Lambda runtime of
the same CPython (a warning, "imported only under `except ImportError`", issue 22; the captured host has no Lambda
layout, so it keeps the error) agrees only when CPython imports its top-level package from the same install
(markupsafe's, pyyaml's and msgpack's aarch64 wheels, msgpack's cp312 wheel, a renamed import in msgpack).

Usage: python3 conformance/python_differential.py [--python PYTHON] [--cache DIR] [--scratch DIR] [--only WHEEL]...

Wheels: conformance/python-wheels.tsv (pinned by sha256, cached like the conformance suite's, in
$SHIPLINT_WHEEL_CACHE or ~/.cache/shiplint/wheels). Besides each wheel as published, variants that fail for a
native reason: a bundled library deleted (psycopg2-binary's libpq, pyzmq's libsodium), an import renamed to a
name no library defines (fixtures/src/tools/rename_symbol.py on orjson), and fixture modules built by the recipe.
Wheels for another architecture, CPython or C library are in the list as published.

An import that fails for a reason that is not native (a pure-Python dependency that --no-deps left out) is not
compared and is counted as such. Exit status: 0 when every compared module agrees (also when wheels could not be
downloaded: that is said and counted as skipped), 1 on a disagreement (each is printed with both sides), 2 when
the suite cannot run (no shiplint binary, a capture that fails). Without a CPython 3.11 it says so and skips.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

sys.dont_write_bytecode = True
import fetch  # noqa: E402

SUITE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(SUITE)
PINS = os.path.join(SUITE, "python-wheels.tsv")
RENAME = os.path.join(REPO, "fixtures", "src", "tools", "rename_symbol.py")

# Variants: (name, wheel file, action, argument). `delete` removes a member; `rename` renames an import in a member.
VARIANTS = [
    ("psycopg2-without-libpq", "psycopg2_binary-2.9.10-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
     "delete", "psycopg2_binary.libs/libpq-e8a033dd.so.5.16"),
    ("pyzmq-without-libsodium", "pyzmq-26.2.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
     "delete", "pyzmq.libs/libsodium-db835f69.so.26.1.0"),
    ("orjson-import-renamed", "orjson-3.10.15-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
     "rename", "orjson/orjson.cpython-311-x86_64-linux-gnu.so"),
    ("msgpack-import-renamed", "msgpack-1.1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
     "rename", "msgpack/_cmsgpack.cpython-311-x86_64-linux-gnu.so"),
]
# Fixture modules built by the recipe (fixtures/Makefile), installed as a package of their own.
FIXTURES = ["_undef.abi3.so", "_abi.abi3.so", "_abi3buffer.abi3.so", "_glibc228.cpython-311-x86_64-linux-gnu.so",
            "_clean.cpython-313-x86_64-linux-gnu.so", "_clean.cpython-313-aarch64-linux-gnu.so"]

# The loader's and CPython's own words for a file that cannot be loaded as a module.
NATIVE_WORDS = ("cannot open shared object file", "undefined symbol", "version `", "wrong ELF class",
                "ELF load command", "invalid ELF header", "not defined in file", "dynamic module does not define",
                "cannot dynamically load", "file too short", "ELF file", "symbol lookup error")

CHILD = r"""
import importlib.machinery as m, importlib.util, json, os, sys
folder, base, dotted, path = sys.argv[1:5]
sys.path.insert(0, sys.argv[5])
finder = m.FileFinder(folder, (m.ExtensionFileLoader, m.EXTENSION_SUFFIXES))
spec = finder.find_spec(base)
if spec is None or os.path.realpath(spec.origin) != os.path.realpath(path):
    print(json.dumps({"outcome": "not-a-module", "detail": "CPython's suffixes " + " ".join(m.EXTENSION_SUFFIXES) + " do not match"}))
    sys.exit(0)
spec = importlib.util.spec_from_file_location(dotted, path)
try:
    module = importlib.util.module_from_spec(spec)
except ImportError as error:
    print(json.dumps({"outcome": "import-error", "type": type(error).__name__, "detail": str(error)}))
except BaseException as error:
    print(json.dumps({"outcome": "other-error", "type": type(error).__name__, "detail": str(error)}))
else:
    print(json.dumps({"outcome": "ok"}))
"""


def python311(requested):
    for candidate in ([requested] if requested else []) + [sys.executable, "python3.11", "/usr/bin/python3.11"]:
        path = shutil.which(candidate) if candidate else None
        if not path:
            continue
        done = subprocess.run([path, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], capture_output=True, text=True)
        if done.stdout.strip() == "3.11":
            return path
    return None


def install(wheel, folder):
    """What `pip install --no-deps --target folder wheel` writes for these wheels: the archive's files."""
    with zipfile.ZipFile(wheel) as archive:
        for info in archive.infolist():
            if info.is_dir() or ".." in info.filename.split("/") or info.filename.startswith("/"):
                continue
            target = os.path.join(folder, info.filename)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as out:
                out.write(archive.read(info))
            if (info.external_attr >> 16) & 0o111:
                os.chmod(target, 0o755)


def rename_an_import(path):
    """Rename the first of a few glibc imports the file has once in its string table (same length, `Q` first)."""
    for name in ("memcpy", "memset", "malloc", "strlen", "free"):
        done = subprocess.run([sys.executable, RENAME, path, path + ".new", name, "Q" + name[1:]],
                              cwd=os.path.dirname(RENAME), capture_output=True, text=True)
        if done.returncode == 0:
            os.replace(path + ".new", path)
            return "Q" + name[1:]
    raise RuntimeError(f"no import of {path} could be renamed")


def candidates(folder):
    """Files CPython could be asked to import: `.so` files outside `*.libs/` not named `lib…`."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.endswith(".libs"))
        for name in sorted(files):
            if name.endswith(".so") and not name.startswith("lib"):
                found.append(os.path.join(root, name))
    return found


# The module imported the usual way, by its dotted name (its package's __init__ first): for a module whose own
# initialisation imports its package (numpy's _multiarray_umath), which loading the file alone cannot satisfy.
BY_NAME = r"""
import importlib, json, sys
sys.path.insert(0, sys.argv[2])
try:
    importlib.import_module(sys.argv[1])
except BaseException as error:
    print(json.dumps({"outcome": "python-failure", "type": type(error).__name__, "detail": str(error)}))
else:
    print(json.dumps({"outcome": "ok"}))
"""


def import_package(python, folder, package):
    """`import package` with the install first on the path (its __init__ and whatever it imports at the top)."""
    try:
        done = subprocess.run([python, "-I", "-c", BY_NAME, package, folder], capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        return {"outcome": "python-failure", "detail": "timed out"}
    if done.returncode != 0 or not done.stdout.strip():
        return {"outcome": "python-failure", "detail": f"exit {done.returncode}: {done.stderr.strip()[-200:]}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def import_outcome(python, folder, path):
    result = load_file(python, folder, path)
    if result["outcome"] == "python-failure":
        base = os.path.basename(path).split(".")[0]
        dotted = ".".join(os.path.relpath(path, folder).split(os.sep)[:-1] + [base])
        done = subprocess.run([python, "-I", "-c", BY_NAME, dotted, folder], capture_output=True, text=True, timeout=120)
        if done.returncode == 0 and done.stdout.strip() and json.loads(done.stdout.strip().splitlines()[-1])["outcome"] == "ok":
            return {"outcome": "ok"}
    return result


def load_file(python, folder, path):
    relative = os.path.relpath(path, folder)
    base = os.path.basename(path).split(".")[0]
    dotted = ".".join(relative.split(os.sep)[:-1] + [base])
    try:
        done = subprocess.run([python, "-I", "-c", CHILD, os.path.dirname(path), base, dotted, path, folder],
                              capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        return {"outcome": "other-error", "detail": "timed out"}
    if done.returncode != 0 or not done.stdout.strip():
        return {"outcome": "other-error", "detail": f"exit {done.returncode}: {done.stderr.strip()[-200:]}"}
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result["outcome"] == "import-error":
        native = result["type"] == "ImportError" and (path in result["detail"] or any(w in result["detail"] for w in NATIVE_WORDS))
        result["outcome"] = "native-failure" if native else "python-failure"
    elif result["outcome"] == "not-a-module":
        result["outcome"] = "native-failure"
    elif result["outcome"] == "other-error":
        result["outcome"] = "python-failure"
    return result


# A captured host has no Lambda layout (no task root, no module path), so what depends on one (how surely a file
# is used: issue 22's reach) is judged against the Lambda runtime of the same CPython and architecture.
LAMBDA_TARGET = "aws-lambda-python3.11-x86_64"


def scan(shiplint, folder, target):
    done = subprocess.run([shiplint, "scan", folder, "--as", "function", "--target", target, "--format", "json", "--no-config"],
                          capture_output=True, text=True, timeout=600)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"shiplint scan exited {done.returncode}: {done.stderr.strip()[:300]}")
    report = json.loads(done.stdout)
    artifact = report["artifacts"][0]
    needs = {}
    for binary in artifact.get("binaries") or []:
        needs[binary["path"]] = binary.get("needed") or []
    errors, optional = {}, {}
    for finding in artifact.get("findings") or []:
        for file in finding.get("files") or [{"path": finding.get("path"), "message": finding.get("message", "")}]:
            if finding.get("severity") == "error":
                errors.setdefault(file.get("path"), []).append(f"{finding['check']}: {file.get('message', '')[:160]}")
            elif finding.get("severity") == "warning" and "imported only under" in (file.get("message") or ""):
                optional.setdefault(file.get("path"), []).append(f"{finding['check']}: {file.get('message', '')[:300]}")
    return needs, errors, optional


def reached(module, needs):
    """The module and the files of the install its DT_NEEDED entries reach, by file name (enough to say which
    bundled library an error on a library concerns)."""
    by_name = {}
    for path in needs:
        by_name.setdefault(os.path.basename(path), path)
    seen, queue = {module}, [module]
    while queue:
        for soname in needs.get(queue.pop(), []):
            path = by_name.get(soname)
            if path and path not in seen:
                seen.add(path)
                queue.append(path)
    return seen


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", help="the CPython 3.11 to import with (default: this one, else python3.11)")
    parser.add_argument("--cache", default=fetch.default_cache_dir())
    parser.add_argument("--scratch", help="keep the installs and the capture here")
    parser.add_argument("--only", action="append", default=[], help="only these wheels or variants (repeatable)")
    args = parser.parse_args()
    shiplint = os.environ.get("SHIPLINT") or os.path.join(REPO, ".build", "debug", "shiplint")
    if not os.access(shiplint, os.X_OK):
        print(f"python-differential: no shiplint binary at {shiplint}", file=sys.stderr)
        return 2
    python = python311(args.python)
    if python is None:
        # Not a failure of shiplint: said plainly, every module counted as skipped.
        print("python-differential: skipped: no CPython 3.11 on this machine (the pinned wheels are cp311)")
        print(f"python-differential: 0 passed, 0 failed, {len(fetch.read_pins(PINS))} skipped")
        return 0
    pins = fetch.read_pins(PINS)
    os.makedirs(args.cache, exist_ok=True)
    available, network_down = set(), None
    for pin in pins:
        if fetch.is_cached(pin, args.cache):
            available.add(pin.filename)
            continue
        try:
            if network_down:
                raise fetch.NetworkDown(network_down)
            fetch.download(pin, args.cache, 60)
            available.add(pin.filename)
        except fetch.NetworkDown as error:
            network_down = str(error)
            print(f"python-differential: could not download {pin.filename} ({network_down}); skipping it")
        except OSError as error:
            print(f"python-differential: could not download {pin.filename} ({error}); skipping it")
    scratch = args.scratch or tempfile.mkdtemp(prefix="shiplint-pydiff-")
    os.makedirs(scratch, exist_ok=True)
    target = os.path.join(scratch, "host.toml")
    done = subprocess.run([shiplint, "targets", "capture", "--python", python, "--output", target], capture_output=True, text=True)
    if done.returncode != 0:
        print(f"python-differential: `shiplint targets capture` failed: {done.stderr.strip()}", file=sys.stderr)
        return 2

    installs = []  # (label, folder)
    for pin in pins:
        if pin.filename in available and (not args.only or pin.filename in args.only or pin.name in args.only):
            folder = os.path.join(scratch, pin.filename[:-4])
            shutil.rmtree(folder, ignore_errors=True)
            install(os.path.join(args.cache, pin.filename), folder)
            installs.append((pin.filename, folder))
    for name, wheel, action, member in VARIANTS:
        if wheel not in available or (args.only and name not in args.only):
            continue
        folder = os.path.join(scratch, name)
        shutil.rmtree(folder, ignore_errors=True)
        install(os.path.join(args.cache, wheel), folder)
        if action == "delete":
            os.remove(os.path.join(folder, member))
        else:
            rename_an_import(os.path.join(folder, member))
        installs.append((name, folder))
    if not args.only or "fixtures" in args.only:
        folder = os.path.join(scratch, "fixtures")
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(os.path.join(folder, "fx"))
        for name in FIXTURES:
            shutil.copy(os.path.join(REPO, "fixtures", "bin", "elf", name), os.path.join(folder, "fx", name))
        installs.append(("fixtures (the recipe's modules)", folder))

    compared, agreed, excluded, failures_seen = 0, 0, [], 0
    disagreements = []
    variant_names = {name for name, *_ in VARIANTS}
    optional_agreed = 0
    for label, folder in installs:
        needs, errors, _ = scan(shiplint, folder, target)
        _, lambda_errors, optional = scan(shiplint, folder, LAMBDA_TARGET)
        failures_before = failures_seen
        for path in candidates(folder):
            module = os.path.relpath(path, folder)
            outcome = import_outcome(python, folder, path)
            if outcome["outcome"] == "python-failure":
                excluded.append(f"{label}: {module}: {outcome.get('type', '')} {outcome['detail'][:120]}")
                continue
            compared += 1
            fails = outcome["outcome"] == "native-failure"
            failures_seen += fails
            reasons = [f"{p}: {r}" for p in sorted(reached(module, needs)) for r in errors.get(p, [])]
            if fails and module in optional and not any(p in lambda_errors for p in reached(module, needs)):
                # shiplint says the package goes on without it (imported only under `except ImportError`): CPython
                # must import the package itself, as a function would.
                package = module.split(os.sep)[0]
                outcome = import_package(python, folder, package)
                if outcome["outcome"] == "ok" and reasons:
                    agreed += 1
                    optional_agreed += 1
                else:
                    disagreements.append(
                        f"{label}: {module}: shiplint says optional on {LAMBDA_TARGET} ({'; '.join(optional[module])[:300]}), "
                        + (f"but `import {package}` fails: {outcome.get('type', '')} {outcome.get('detail', '')[:200]}"
                           if outcome["outcome"] != "ok" else "and reports no error for the host"))
            elif fails == bool(reasons):
                agreed += 1
            else:
                disagreements.append(
                    f"{label}: {module}: CPython {'fails: ' + outcome.get('detail', '')[:200] if fails else 'imports it'}; "
                    f"shiplint {'; '.join(reasons)[:400] if reasons else 'reports no error'}")
        # A variant made to fail that CPython imports would make the run prove nothing: the harness is wrong.
        if (label in variant_names or label.startswith("fixtures")) and failures_seen == failures_before:
            disagreements.append(f"{label}: made to fail for a native reason, but every module of it imports")
    for line in disagreements:
        print("DISAGREE " + line)
    for line in excluded:
        print("not compared (not a native failure) " + line)
    skipped = len(pins) - len(available)
    print(f"python-differential: {compared} modules of {len(installs)} installs imported by CPython 3.11 and scanned; "
          f"{failures_seen} fail natively ({optional_agreed} of them optional: shiplint warns, and CPython imports "
          f"their package), {compared - failures_seen} import; {len(excluded)} not compared; {len(disagreements)} disagreements")
    print(f"python-differential: {agreed} passed, {len(disagreements)} failed, {skipped} skipped")
    if not args.scratch:
        shutil.rmtree(scratch, ignore_errors=True)
    return 1 if disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
