#!/usr/bin/env python3
"""shiplint against the tools it is measured by, on the same inputs in the same run: `auditwheel show`, and
unzip + `lddtree` / `scanelf` (pax-utils). Prints medians of wall time and peak memory, and each ratio.

Inputs: the pinned real wheels of the conformance suite (downloaded into its cache when missing) and one function
ZIP made of all the Linux x86_64 ones. Reference tools are installed when missing: auditwheel from PyPI into a
scratch virtual environment in the cache folder, pax-utils from Debian. Nothing is written outside the cache and a
temporary folder. Usage: python3 bench/run.py [--runs N] [--shiplint PATH]
"""
import argparse, os, shutil, statistics, subprocess, sys, tempfile, zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "conformance"))
sys.dont_write_bytecode = True
import fetch  # noqa: E402

TARGET = "manylinux2014-x86_64"


def measure(command, runs, cwd=None):
    """Median wall seconds and median peak RSS (MiB) of `command` over `runs` runs (GNU time's %e and %M)."""
    seconds, memory = [], []
    for _ in range(runs):
        result = subprocess.run(["/usr/bin/time", "-f", "%e %M", *command], cwd=cwd, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        wall, rss = result.stderr.strip().splitlines()[-1].split()
        seconds.append(float(wall))
        memory.append(int(rss) / 1024)
    return statistics.median(seconds), statistics.median(memory)


def ensure_tools(cache):
    venv = os.path.join(cache, "bench-venv")
    auditwheel = os.path.join(venv, "bin", "auditwheel")
    if not os.path.exists(auditwheel):
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        subprocess.run([os.path.join(venv, "bin", "pip"), "install", "-q", "auditwheel==6.8.2"], check=True)
    if not shutil.which("lddtree") or not shutil.which("scanelf"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "pax-utils"], check=True, stdout=subprocess.DEVNULL)
    return auditwheel


def script(lines):
    return ["bash", "-c", " && ".join(lines)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--shiplint", default=os.path.join(REPO, ".build", "release", "shiplint"))
    options = parser.parse_args()
    cache = fetch.default_cache_dir()
    available = fetch.ensure_wheels(fetch.read_pins(), fetch.read_cases(), cache)
    wheels = sorted(name for name in available if "manylinux" in name and "x86_64" in name)
    if not wheels:
        print("bench: no wheel could be downloaded; nothing measured")
        return 1
    auditwheel = ensure_tools(os.path.dirname(cache))
    with tempfile.TemporaryDirectory(prefix="shiplint-bench-") as scratch:
        function = os.path.join(scratch, "function.zip")
        written = set()
        with zipfile.ZipFile(function, "w", zipfile.ZIP_DEFLATED) as out:
            for wheel in wheels:
                with zipfile.ZipFile(os.path.join(cache, wheel)) as source:
                    # Two builds of one package share file names; the first wheel's copy is kept, as pip would.
                    for member in source.infolist():
                        if not member.is_dir() and member.filename not in written:
                            written.add(member.filename)
                            out.writestr(member, source.read(member))
        size = os.path.getsize(function) / 2**20
        rows = []
        # 1. Per wheel: auditwheel show (its own extraction, lddtree and policy) vs shiplint scan against a policy.
        wheel_paths = [os.path.join(cache, w) for w in wheels]
        ours = measure([options.shiplint, "scan", *wheel_paths, "--target", TARGET, "--format", "json", "--fail-on", "never"], options.runs)
        theirs = measure(script([f"{auditwheel} show {w} >/dev/null" for w in wheel_paths]), options.runs)
        rows.append((f"{len(wheels)} wheels: auditwheel show", theirs, ours))
        # 2. The function ZIP: unzip + lddtree of every ELF (what a person does today) vs shiplint inspect --tree.
        unpacked = os.path.join(scratch, "unpacked")
        lddtree = script([f"rm -rf {unpacked}", f"unzip -q {function} -d {unpacked}",
                          f"find {unpacked} -name '*.so*' -type f -print0 | xargs -0 -n 1 lddtree >/dev/null 2>&1 || true"])
        theirs = measure(lddtree, options.runs)
        ours = measure([options.shiplint, "inspect", function, "--tree", "--target", "aws-lambda-python3.13-x86_64", "--format", "json"], options.runs)
        rows.append((f"function.zip ({size:.1f} MB): unzip + lddtree", theirs, ours))
        # 3. unzip + scanelf -R (needed libraries, RPATH, soname) vs shiplint inspect.
        scanelf = script([f"rm -rf {unpacked}", f"unzip -q {function} -d {unpacked}", f"scanelf -R -q -n -r -S {unpacked} >/dev/null"])
        theirs = measure(scanelf, options.runs)
        ours = measure([options.shiplint, "inspect", function, "--format", "json"], options.runs)
        rows.append((f"function.zip ({size:.1f} MB): unzip + scanelf -R", theirs, ours))
        # 4. The full judgement, for the record (no reference tool does it).
        ours = measure([options.shiplint, "scan", function, "--target", "aws-lambda-python3.13-x86_64", "--format", "json", "--fail-on", "never"], options.runs)
        rows.append((f"function.zip: shiplint scan (all checks)", None, ours))
    print(f"bench: median of {options.runs} runs; ratio = reference / shiplint (above 1: shiplint is faster / smaller)")
    print(f"{'workload':48} {'reference s':>11} {'shiplint s':>10} {'time ratio':>10} {'ref MiB':>8} {'ours MiB':>8} {'mem ratio':>9}")
    for name, theirs, ours in rows:
        if theirs is None:
            print(f"{name:48} {'-':>11} {ours[0]:10.3f} {'-':>10} {'-':>8} {ours[1]:8.1f} {'-':>9}")
        else:
            print(f"{name:48} {theirs[0]:11.3f} {ours[0]:10.3f} {theirs[0] / max(ours[0], 0.001):9.1f}x "
                  f"{theirs[1]:8.1f} {ours[1]:8.1f} {theirs[1] / max(ours[1], 0.1):8.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
