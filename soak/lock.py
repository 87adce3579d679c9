#!/usr/bin/env python3
"""Resolve every soak build with pip and pin what it chose: file name, sha256 and URL of every wheel.

Usage: python3 soak/lock.py [--uv UV] [--jobs N] [--only NAME]... [--count N] [--sample N] [--relock] [--recheck-python]

For each project of candidates.tsv, first for python3.13 on x86_64 alone, resolves the documented command's
platform, Python and `--only-binary=:all:` (see resolve()) and records the wheels it would install. The first `--count` projects (default 320) whose own wheel is then a platform wheel are
locked for every documented build (builds.py); the first `--sample` of them (default 40) for the wrong builds too.
Writes soak/lock.json (soakfiles.write_lock: each wheel once, under a short key; read back as `wheels` file name ->
sha256, url, size and `builds` project -> build -> file names, or {"error": pip's last line}). Re-running keeps what
is locked and resolves only what is missing (`--relock` to redo; `--recheck-python` for the builds naming a wheel
whose Requires-Python pip refuses).

Needs network (PyPI) and Python 3.11+ (tomllib); uv is the soak venv's (run.py --setup installs it).
"""

import argparse
import concurrent.futures
import datetime
import json
import os
import re
import subprocess
import sys
import tempfile
import tomllib
import urllib.error
import urllib.request

sys.dont_write_bytecode = True
import builds as build_table  # noqa: E402
import soakfiles  # noqa: E402


def resolve(uv, project, build):
    """(file names, {file name: (sha256, url, size)}) for one project and build, or an error string.

    uv resolves exactly as pip does for these flags (newest release with a wheel for the platform and Python, the same
    dependency markers) and writes a PEP 751 lock with the one wheel chosen per package, its URL, size and sha256; it
    is used for speed only. run.py installs the result with the documented pip command (`--no-deps
    --require-hashes`, the same --platform / --python-version), and pip refuses a wheel whose tags do not fit them.
    """
    with tempfile.TemporaryDirectory(prefix="shiplint-soak-lock-") as scratch:
        requirement = os.path.join(scratch, "requirements.in")
        with open(requirement, "w", encoding="utf-8") as f:
            f.write(project + "\n")
        output = os.path.join(scratch, "pylock.toml")
        # --python: any interpreter will do for the resolution (the target version is --python-version); without
        # one of that version on the machine uv would try to download it.
        command = [uv, "pip", "compile", "--quiet", "--no-header", "--python", soakfiles.venv_python(),
                   "--python-platform", build.uv_platform,
                   "--python-version", build.pip_python, "--only-binary", ":all:", "--format", "pylock.toml",
                   "-o", output, requirement]
        environment = {**os.environ, "UV_CACHE_DIR": os.path.join(soakfiles.cache_dir(), "uv-cache"),
                       "UV_PYTHON_DOWNLOADS": "never"}
        # The index pages and metadata uv has already fetched in this run answer most builds of a project (one
        # snapshot of the index); only when they do not is the index asked again.
        done = subprocess.run(["nice", *command, "--offline"], capture_output=True, text=True, timeout=900, env=environment)
        if done.returncode != 0:
            done = subprocess.run(["nice", *command], capture_output=True, text=True, timeout=900, env=environment)
        if done.returncode != 0:
            lines = [line.strip() for line in (done.stderr or done.stdout).splitlines() if line.strip()]
            reason = next((line for line in lines if "No solution" in line or "no wheels" in line or "not" in line), lines[0] if lines else "")
            return f"no installable set: {reason}"[:300]
        with open(output, "rb") as f:
            packages = tomllib.load(f).get("packages", [])
    files, wheels = [], {}
    priorities = pip_tag_priorities(build)
    for package in packages:
        listed = package.get("wheels") or []
        # uv lists every wheel of the chosen release that its platform accepts (charset-normalizer 3.5.3: the cp313,
        # the cp37-abi3 and the py3-none-any wheel); pip installs one of them, the one pip_choice() names.
        by_name = {wheel["url"].rsplit("/", 1)[1]: wheel for wheel in listed}
        filename = pip_choice(list(by_name), priorities)
        if filename is None:
            # uv's manylinux2014 platform takes a wheel tagged only manylinux_2_17 (or _2_14 …) and pip's
            # --platform manylinux2014 does not: pip goes to an older release (PyQt5 5.15.7, not 5.15.11).
            return pip_resolve(project, build)
        wheel = by_name[filename]
        sha256 = wheel.get("hashes", {}).get("sha256", "")
        if not filename.endswith(".whl") or len(sha256) != 64:
            return f"the lock names {filename} without a sha256"
        files.append(filename)
        wheels[filename] = (sha256, wheel["url"], wheel.get("size", 0))
    if python_refused(build, wheels):
        # uv reads `--python-version 3.9` as any 3.9 and takes cryptography 47.0.0 (Requires-Python >=3.8, !=3.9.0,
        # !=3.9.1); pip reads it as 3.9.0 and refuses that release: what pip installs is pip's to say.
        return pip_resolve(project, build)
    return files, wheels


def requires_python(filename, url, sha256=None):
    """The wheel's Requires-Python ("" when it has none), from its core metadata as the index serves it beside the
    file (PEP 658: the URL + ".metadata", what pip reads when it resolves) or, for a file the index has none for,
    from the wheel's own .dist-info/METADATA (the wheel downloaded into the soak cache, checked against sha256);
    cached in the soak cache."""
    path = os.path.join(soakfiles.cache_dir(), "metadata", filename + ".requires-python")
    if os.path.isfile(path):
        with open(path, encoding="utf-8") as f:
            return f.read().strip()
    request = urllib.request.Request(url + ".metadata", headers={"User-Agent": "shiplint-soak"})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            text = response.read(4 << 20).decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        if error.code != 404 or not sha256:
            raise
        import zipfile
        wheel = soakfiles.cached(filename, sha256) or soakfiles.download(filename, sha256, url, 1 << 31)
        with zipfile.ZipFile(wheel) as archive:
            name = next(n for n in archive.namelist() if n.count("/") == 1 and n.endswith(".dist-info/METADATA"))
            text = archive.read(name).decode("utf-8", "replace")
    found = ""
    for line in text.split("\n\n", 1)[0].splitlines():  # the headers end at the first blank line
        if line.lower().startswith("requires-python:"):
            found = line.split(":", 1)[1].strip()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + f".part{os.getpid()}", "w", encoding="utf-8") as f:
        f.write(found + "\n")
    os.replace(path + f".part{os.getpid()}", path)
    return found


def pip_refuses_python(specifiers, build, python=None):
    """The Requires-Python specifiers among these that pip refuses for the build's `--python-version` (pip takes
    `3.9` for 3.9.0: TargetPython normalizes py_version_info to three parts, and check_requires_python compares that
    version): asked of the soak venv's pip, not rewritten here."""
    specifiers = sorted({s for s in specifiers if s})
    if not specifiers:
        return set()
    script = ("import json, sys\n"
              "from pip._internal.models.target_python import TargetPython\n"
              "from pip._internal.utils.packaging import check_requires_python\n"
              "target = TargetPython(py_version_info=tuple(json.loads(sys.argv[2])))\n"
              "print(json.dumps([s for s in json.loads(sys.argv[1])"
              " if not check_requires_python(s, version_info=target.py_version_info)]))\n")
    major, minor = build.pip_python.split(".")
    done = subprocess.run([python or soakfiles.venv_python(), "-c", script, json.dumps(specifiers),
                           json.dumps([int(major), int(minor)])], capture_output=True, text=True, check=True)
    return set(json.loads(done.stdout))


def python_refused(build, wheels):
    """Whether pip refuses one of these wheels ({file name: (sha256, url, size)}) for the build's Python by its
    Requires-Python."""
    specifiers = {filename: requires_python(filename, url, sha256) for filename, (sha256, url, _) in wheels.items()}
    return bool(pip_refuses_python(specifiers.values(), build))


def pip_resolve(project, build):
    """Like resolve(), by pip itself (`pip install --dry-run --report`, the documented flags): slower than uv, used
    when uv chose a release none of whose wheels pip installs for the build."""
    with tempfile.TemporaryDirectory(prefix="shiplint-soak-lock-") as scratch:
        report = os.path.join(scratch, "report.json")
        done = subprocess.run(["nice", soakfiles.venv_pip(), "install", "--dry-run", "--quiet", "--disable-pip-version-check",
                               "--ignore-installed", "--report", report, "--target", os.path.join(scratch, "target"),
                               *build.pip_arguments(), project], capture_output=True, text=True, timeout=900)
        if done.returncode != 0:
            lines = [line.strip() for line in done.stderr.splitlines() if line.strip()]
            return f"no installable set (pip): {lines[-1] if lines else done.returncode}"[:300]
        with open(report, encoding="utf-8") as f:
            chosen = json.load(f).get("install", [])
    files, wheels = [], {}
    for item in chosen:
        info = item.get("download_info", {})
        url = info.get("url", "")
        filename = url.rsplit("/", 1)[1]
        sha256 = info.get("archive_info", {}).get("hashes", {}).get("sha256", "")
        if not filename.endswith(".whl") or len(sha256) != 64:
            return f"pip's report names {filename} without a sha256"
        request = urllib.request.Request(url, method="HEAD", headers={"User-Agent": "shiplint-soak"})
        with urllib.request.urlopen(request, timeout=120) as response:
            size = int(response.headers.get("Content-Length") or 0)
        files.append(filename)
        wheels[filename] = (sha256, url, size)
    return files, wheels


def pip_tag_priorities(build, python=None, _known={}):
    """{tag: priority} for the build's pip command, 0 the most preferred: pip's own list, from pip itself.

    `pip install --platform P… --python-version X.Y --implementation cp --only-binary=:all:` builds a TargetPython
    from those options (pip/_internal/cli/cmdoptions.py, make_target_python) and ranks a release's wheels by the
    position of their best tag in its get_sorted_tags() (packaging.tags.cpython_tags then compatible_tags, with pip's
    expansion of manylinux2014 to manylinux2010 and manylinux1 but not to manylinux_2_17). The soak venv's pip
    (soakfiles.PIP_VERSION, the pip that installs the builds) is asked rather than its rules rewritten here.
    """
    key = (build.platforms, build.pip_python)
    if key not in _known:
        major, minor = build.pip_python.split(".")
        script = ("import json, sys\n"
                  "from pip._internal.models.target_python import TargetPython\n"
                  "target = TargetPython(platforms=json.loads(sys.argv[1]), py_version_info=tuple(json.loads(sys.argv[2])),"
                  " abis=None, implementation='cp')\n"
                  "print(json.dumps([str(tag) for tag in target.get_sorted_tags()]))\n")
        done = subprocess.run([python or soakfiles.venv_python(), "-c", script, json.dumps(list(build.platforms)),
                               json.dumps([int(major), int(minor)])], capture_output=True, text=True, check=True)
        _known[key] = {tag: index for index, tag in enumerate(json.loads(done.stdout))}
    return _known[key]


def wheel_file_tags(filename):
    """(the wheel's tags as `interpreter-abi-platform`, its build tag) from its file name (PEP 427, PEP 425's
    compressed tag sets: `cp313-cp313-manylinux1_x86_64.manylinux_2_5_x86_64` is two tags)."""
    parts = filename[: -len(".whl")].split("-")
    if len(parts) not in (5, 6):
        raise ValueError(f"not a wheel file name: {filename}")
    interpreters, abis, platforms = parts[-3:]
    tags = {f"{i}-{a}-{p}" for i in interpreters.split(".") for a in abis.split(".") for p in platforms.split(".")}
    build_tag = ()
    if len(parts) == 6:  # pip's Wheel.build_tag: the leading digits as a number, then the rest
        digits = re.match(r"^(\d*)(.*)$", parts[2])
        build_tag = (int(digits.group(1) or 0), digits.group(2))
    return tags, build_tag


def pip_choice(filenames, priorities):
    """The wheel pip installs among one release's wheels, or None when pip accepts none of them.

    pip's CandidateEvaluator._sort_key (pip/_internal/index/package_finder.py): within one version, the wheel whose
    most preferred tag (Wheel.find_most_preferred_tag: the lowest priority among its tags that pip supports) comes
    first in pip's list wins, then the higher build tag; a wheel with no supported tag is not a candidate.
    """
    best, best_key = None, None
    for filename in filenames:
        tags, build_tag = wheel_file_tags(filename)
        supported = [priorities[tag] for tag in tags if tag in priorities]
        if not supported:
            continue
        key = (-min(supported), build_tag)
        if best_key is None or key > best_key:
            best, best_key = filename, key
    return best


# The build that decides whether a project ships native code (its own wheel is a platform wheel there).
PROBE_BUILD = "documented/aws-lambda-python3.13-x86_64"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uv", default=soakfiles.venv_uv())
    parser.add_argument("--jobs", type=int, default=8)
    parser.add_argument("--only", action="append", default=[])
    parser.add_argument("--sample", type=int, default=40)
    parser.add_argument("--count", type=int, default=320, help="how many native projects to lock (default 320)")
    parser.add_argument("--relock", action="store_true")
    parser.add_argument("--retry", metavar="TEXT", action="append", default=[],
                        help="resolve again the builds locked as an error containing TEXT")
    parser.add_argument("--recheck-python", action="store_true",
                        help="resolve again with pip the locked builds naming a wheel whose Requires-Python pip refuses "
                             "for the build (network: each wheel's metadata, cached)")
    parser.add_argument("--check", action="store_true",
                        help="offline: say which locked builds name a wheel pip would not pick (pip_choice); exit 1 if any")
    args = parser.parse_args(argv)
    projects = soakfiles.read_candidates()
    if args.only:
        projects = [p for p in projects if p in args.only]
    lock = soakfiles.read_lock() if os.path.exists(soakfiles.LOCK_FILE) else {"wheels": {}, "builds": {}}
    documented = build_table.documented_builds()
    wrong = build_table.wrong_builds()

    if args.check:
        return check(lock)

    refused = set()
    if args.recheck_python:
        refused = python_refused_builds(lock, projects, args.jobs)

    def stale(project, build):
        entry = lock["builds"].get(project, {}).get(build.name)
        if (project, build.name) in refused:
            return True
        if isinstance(entry, list):  # locked before pip_choice: a wheel pip would not install is resolved again
            return args.relock or any(pip_choice([f], pip_tag_priorities(build)) is None for f in entry)
        return (args.relock or entry is None
                or (isinstance(entry, dict) and any(text in entry.get("error", "") for text in args.retry)))

    def work_for(project_list, build_list):
        return [(p, b) for p in project_list for b in build_list if stale(p, b)]

    def run(work):
        done_count = 0
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
            futures = {pool.submit(resolve, args.uv, p, b): (p, b) for p, b in work}
            for future in concurrent.futures.as_completed(futures):
                project, build = futures[future]
                refused.discard((project, build.name))
                try:
                    result = future.result()
                except subprocess.TimeoutExpired:
                    result = "pip timed out"
                if isinstance(result, str):
                    lock["builds"].setdefault(project, {})[build.name] = {"error": result}
                else:
                    files, wheels = result
                    for filename, (sha256, url, size) in wheels.items():
                        lock["wheels"][filename] = {"sha256": sha256, "size": size, "url": url}
                    lock["builds"].setdefault(project, {})[build.name] = files
                done_count += 1
                if done_count % 50 == 0:
                    print(f"lock: {done_count}/{len(work)}", file=sys.stderr, flush=True)
                    soakfiles.write_lock(lock)
        soakfiles.write_lock(lock)

    # First the probe build alone, to tell which projects ship native code in the release pip picks; then every
    # documented build of the first --count of those, then the wrong builds of the first --sample.
    probe = [b for b in documented if b.name == PROBE_BUILD]
    run(work_for(projects, probe))
    native = [p for p in projects if soakfiles.is_native(lock, p)][: args.count]
    run(work_for(native, documented))
    run(work_for(native[: args.sample], wrong))
    # Builds locked before for a project now past --count or --sample (the list moves when a project's probe build
    # resolves again) are kept, and resolved again when stale like the others.
    table = build_table.all_builds()
    run([(p, table[name]) for p in native for name in sorted(lock["builds"][p]) if name in table and stale(p, table[name])])
    lock["locked"] = datetime.date.today().isoformat()
    soakfiles.write_lock(lock)
    print(f"lock: {len(native)} of {len(projects)} projects resolve to a platform wheel on some documented build")
    return 0


def python_refused_builds(lock, projects, jobs):
    """{(project, build name)} of the locked builds that name a wheel pip refuses by its Requires-Python."""
    table = build_table.all_builds()
    locked = [(p, name, files) for p in projects for name, files in sorted(lock["builds"].get(p, {}).items())
              if isinstance(files, list) and name in table]
    wheels = sorted({f for _, _, files in locked for f in files})
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        specifiers = dict(zip(wheels, pool.map(
            lambda f: requires_python(f, lock["wheels"][f]["url"], lock["wheels"][f]["sha256"]), wheels)))
    refused, by_python = set(), {}
    for project, name, files in locked:
        build = table[name]
        if build.pip_python not in by_python:
            by_python[build.pip_python] = pip_refuses_python(specifiers.values(), build)
        if any(specifiers[f] in by_python[build.pip_python] for f in files):
            refused.add((project, name))
            print(f"lock: {project} {name}: pip refuses "
                  f"{', '.join(f for f in files if specifiers[f] in by_python[build.pip_python])} by its Requires-Python",
                  file=sys.stderr)
    return refused


def check(lock):
    """Every locked wheel is the one pip picks for its build among the wheels of that release in the lock."""
    table = build_table.all_builds()
    wrong = 0
    for project in [p for p in soakfiles.read_candidates() if soakfiles.is_native(lock, p)]:  # what run.py soaks
        for name, files in sorted(lock["builds"][project].items()):
            if not isinstance(files, list) or name not in table:
                continue
            priorities = pip_tag_priorities(table[name])
            for filename in files:
                if pip_choice([filename], priorities) is None:
                    wrong += 1
                    print(f"lock: {project} {name}: pip does not install {filename} for {' '.join(table[name].platforms)}")
    print(f"lock: {wrong} locked wheels pip would not install")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
