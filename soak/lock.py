#!/usr/bin/env python3
"""Resolve every soak build with pip and pin what it chose: file name, sha256 and URL of every wheel.

Usage: python3 soak/lock.py [--uv UV] [--jobs N] [--only NAME]... [--count N] [--sample N] [--relock]

For each project of candidates.tsv, first for python3.13 on x86_64 alone, resolves the documented command's
platform, Python and `--only-binary=:all:` (see resolve()) and records the wheels it would install. The first `--count` projects (default 320) whose own wheel is then a platform wheel are
locked for every documented build (builds.py); the first `--sample` of them (default 40) for the wrong builds too.
Writes soak/lock.json: `wheels` (file name -> sha256, url, size) and `builds` (project -> build -> file names, or
{"error": pip's last line}). Re-running keeps what is locked and resolves only what is missing (`--relock` to redo).

Needs network (PyPI) and Python 3.11+ (tomllib); uv is the soak venv's (run.py --setup installs it).
"""

import argparse
import concurrent.futures
import datetime
import json
import os
import subprocess
import sys
import tempfile
import tomllib

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
    for package in packages:
        chosen = package.get("wheels") or []
        if len(chosen) != 1:
            return f"{package.get('name')}: {len(chosen)} wheels in the lock, expected one"
        wheel = chosen[0]
        url = wheel["url"]
        filename = url.rsplit("/", 1)[1]
        sha256 = wheel.get("hashes", {}).get("sha256", "")
        if not filename.endswith(".whl") or len(sha256) != 64:
            return f"the lock names {filename} without a sha256"
        files.append(filename)
        wheels[filename] = (sha256, url, wheel.get("size", 0))
    return files, wheels


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
    args = parser.parse_args(argv)
    projects = soakfiles.read_candidates()
    if args.only:
        projects = [p for p in projects if p in args.only]
    lock = soakfiles.read_lock() if os.path.exists(soakfiles.LOCK_FILE) else {"wheels": {}, "builds": {}}
    documented = build_table.documented_builds()
    wrong = build_table.wrong_builds()

    def work_for(project_list, build_list):
        return [(p, b) for p in project_list for b in build_list
                if args.relock or b.name not in lock["builds"].get(p, {})]

    def run(work):
        done_count = 0
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
            futures = {pool.submit(resolve, args.uv, p, b): (p, b) for p, b in work}
            for future in concurrent.futures.as_completed(futures):
                project, build = futures[future]
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
    lock["locked"] = datetime.date.today().isoformat()
    soakfiles.write_lock(lock)
    print(f"lock: {len(native)} of {len(projects)} projects resolve to a platform wheel on some documented build")
    return 0


if __name__ == "__main__":
    sys.exit(main())
