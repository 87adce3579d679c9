#!/usr/bin/env python3
"""shiplint against the tools it is measured by, on the same inputs in the same run. Prints medians of wall time and
peak memory (GNU time), the ratio to each reference command, and whether each reference command really ran (its exit
status and output are checked; a row whose reference could not run says so instead of timing a failure).

Workloads (issue #10's table; inputs are built once and cached in ~/.cache/shiplint/bench):
  (a) a python3.12 layer ZIP (~270 MB unzipped) made from pinned manylinux wheels (numpy, pandas, scipy, pillow, lxml,
      cryptography and their dependencies), fetched with `pip download`, unpacked under python/ as
      `pip install --target` lays them out; reference `unzip -p ART '*.so*' >/dev/null`
  (b) the torch 2.13.0+cpu wheel (`pip download --no-deps --only-binary=:all: torch==2.13.0+cpu`; skipped with a
      message when pip cannot get it); reference `unzip -p ART '*.so*' >/dev/null`
  (c) a generated Node-style ZIP of 100,000 small entries and 20 real `.so` files; reference `unzip -l`
  (d) the layer of (a) as a folder; reference `scanelf -R`
  and the pinned real wheels of the conformance suite: `auditwheel show` each, summed, against one shiplint call;
  their abi3 wheels: `abi3audit --report` (one call) against one shiplint call.
Reference tools are installed when missing: auditwheel and pyelftools (for lddtree) from PyPI into a virtual
environment in the cache folder, pax-utils from Debian. Nothing is written outside the cache and a temporary folder.
And the release's size (issue #25: an executable of at most 30 MB): the stripped executable `make dist` wrote
(dist/shiplint-<version>-linux-<arch>/shiplint), the tarball and the wheel, in MB (10^6 bytes, as PyPI shows sizes).
Usage: python3 bench/run.py [--runs N] [--shiplint PATH] [--only NAME]
"""
import argparse, glob, os, random, shutil, statistics, subprocess, sys, tempfile, zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "conformance"))
sys.dont_write_bytecode = True
import fetch  # noqa: E402

# Pinned: the layer's wheels (with the dependencies pip picked for them once) and the torch wheel.
LAYER_PINS = ["numpy==2.1.3", "pandas==2.2.3", "scipy==1.14.1", "pillow==11.0.0", "lxml==5.3.0", "cryptography==43.0.3",
              "cffi==2.1.1", "pycparser==3.12", "python-dateutil==4.0.0", "pytz==2026.6", "tzdata==2026.6"]
TORCH_PIN = "torch==2.13.0+cpu"
RELEASE_SIZE_TARGET_MB = 30  # issue #25
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class Unmeasurable(Exception):
    pass


def run_checked(command, cwd=None):
    """Runs once; raises Unmeasurable unless it exits 0 with some output (a reference that failed at start-up
    would otherwise be timed as if it had worked)."""
    result = subprocess.run(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if result.returncode != 0:
        tail = result.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
        raise Unmeasurable(f"exit status {result.returncode}: {tail[0][:80]}")
    return result.stdout


def measure(command, runs, cwd=None, check_output=True):
    """Median wall seconds and median peak RSS (MiB) of `command` over `runs` runs (GNU time's %e and %M)."""
    output = run_checked(command, cwd)
    if check_output and not output:
        raise Unmeasurable("no output")
    seconds, memory = [], []
    for _ in range(runs):
        with tempfile.TemporaryFile() as sink:
            result = subprocess.run(["/usr/bin/time", "-f", "%e %M", *command], cwd=cwd, stdout=sink,
                                    stderr=subprocess.PIPE, text=True)
        wall, rss = result.stderr.strip().splitlines()[-1].split()
        seconds.append(float(wall))
        memory.append(int(rss) / 1024)
    return statistics.median(seconds), statistics.median(memory)


def ensure_tools(cache):
    venv = os.path.join(cache, "bench-venv")
    auditwheel = os.path.join(venv, "bin", "auditwheel")
    if not os.path.exists(auditwheel) or not os.path.exists(os.path.join(venv, ".pyelftools")):
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        subprocess.run([os.path.join(venv, "bin", "pip"), "install", "-q", "auditwheel==6.8.2", "pyelftools==0.32"], check=True)
        open(os.path.join(venv, ".pyelftools"), "w").close()
    if not shutil.which("lddtree") or not shutil.which("scanelf"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "pax-utils"], check=False, stdout=subprocess.DEVNULL)
    # lddtree is a python script: run it with the interpreter that has pyelftools.
    lddtree = [os.path.join(venv, "bin", "python"), shutil.which("lddtree")] if shutil.which("lddtree") else None
    abi3audit = os.path.join(venv, "bin", "abi3audit")
    if not os.path.exists(abi3audit):
        subprocess.run([os.path.join(venv, "bin", "pip"), "install", "-q", "abi3audit==0.0.26"], check=False)
    return auditwheel, lddtree, (abi3audit if os.path.exists(abi3audit) else None)


def pip_download(requirements, into, extra=()):
    os.makedirs(into, exist_ok=True)
    command = [sys.executable, "-m", "pip", "download", "-q", "--only-binary=:all:", "-d", into, *extra, *requirements]
    return subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def layer_inputs(cache):
    """(a) and (d): the layer ZIP and the same files as a folder."""
    wheels_dir = os.path.join(cache, "layer-wheels")
    layer_zip = os.path.join(cache, "layer-python3.12.zip")
    folder = os.path.join(cache, "layer-python3.12")
    if not os.path.exists(layer_zip):
        result = pip_download(LAYER_PINS, wheels_dir, ["--no-deps", "--platform", "manylinux2014_x86_64",
                              "--platform", "manylinux_2_17_x86_64", "--python-version", "3.12", "--implementation", "cp"])
        if result.returncode != 0:
            return None, None, f"pip download failed: {result.stderr.strip().splitlines()[-1:]}"
        shutil.rmtree(folder, ignore_errors=True)
        for wheel in sorted(os.listdir(wheels_dir)):
            with zipfile.ZipFile(os.path.join(wheels_dir, wheel)) as source:
                source.extractall(os.path.join(folder, "python"))
        for root, _, files in os.walk(folder):
            for name in files:
                if ".so" in name:
                    os.chmod(os.path.join(root, name), 0o755)
        with zipfile.ZipFile(layer_zip + ".tmp", "w", zipfile.ZIP_DEFLATED) as out:
            for root, dirs, files in os.walk(folder):
                dirs.sort()
                for name in sorted(files):
                    path = os.path.join(root, name)
                    out.write(path, os.path.relpath(path, folder))
        os.rename(layer_zip + ".tmp", layer_zip)
    return layer_zip, folder, None


def torch_input(cache):
    """(b): the torch cpu wheel, as pip serves it on this machine."""
    into = os.path.join(cache, "torch")
    found = [n for n in os.listdir(into)] if os.path.isdir(into) else []
    if not any(n.startswith("torch-2.13.0") for n in found):
        result = pip_download([TORCH_PIN], into, ["--no-deps"])
        if result.returncode != 0:
            return None, "pip could not get " + TORCH_PIN + " (offline?): " + " ".join(result.stderr.strip().splitlines()[-1:])
        found = os.listdir(into)
    wheel = next(n for n in sorted(found) if n.startswith("torch-2.13.0"))
    return os.path.join(into, wheel), None


def node_input(cache, layer_folder):
    """(c): 100,000 small Node entries (.js, .json, .d.ts, .map) and 20 real .so files taken from the layer."""
    path = os.path.join(cache, "node-100k.zip")
    if os.path.exists(path):
        return path
    libraries = []
    for root, dirs, files in os.walk(layer_folder):
        dirs.sort()
        libraries += [os.path.join(root, n) for n in sorted(files) if n.endswith(".so")]
    chosen = sorted(libraries, key=os.path.getsize)[:20]
    rng = random.Random(10)
    with zipfile.ZipFile(path + ".tmp", "w", zipfile.ZIP_DEFLATED) as out:
        count = 0
        for package in range(2500):
            for index, suffix in enumerate([".js", ".json", ".d.ts", ".js.map"] * 10):
                if count == 100_000 - len(chosen):
                    break
                info = zipfile.ZipInfo(f"node_modules/pkg{package}/lib/file{index}{suffix}", ZIP_TIME)
                info.external_attr = 0o100644 << 16
                info.create_system = 3
                out.writestr(info, ("x" * rng.randint(40, 400)).encode(), zipfile.ZIP_DEFLATED)
                count += 1
        for number, library in enumerate(chosen):
            info = zipfile.ZipInfo(f"node_modules/native{number}/build/Release/{os.path.basename(library)}", ZIP_TIME)
            info.external_attr = 0o100755 << 16
            info.create_system = 3
            with open(library, "rb") as f:
                out.writestr(info, f.read(), zipfile.ZIP_DEFLATED)
    os.rename(path + ".tmp", path)
    return path


def release_size():
    """The sizes of what `make dist` wrote: the executable (against issue #25's target), the tarball, the wheel."""
    executables = glob.glob(os.path.join(REPO, "dist", "shiplint-*-linux-*", "shiplint"))
    if len(executables) != 1:
        print(f"bench: release size skipped: expected one dist/shiplint-*-linux-*/shiplint (make dist), found {executables}")
        return
    size = os.path.getsize(executables[0]) / 1e6
    verdict = "met" if size <= RELEASE_SIZE_TARGET_MB else "not met"
    print(f"bench: release executable {os.path.relpath(executables[0], REPO)}: {size:.1f} MB "
          f"(issue #25 target <= {RELEASE_SIZE_TARGET_MB} MB: {verdict})")
    for pattern in ("shiplint-*-linux-*.tar.gz", "shiplint-*.whl"):
        for path in glob.glob(os.path.join(REPO, "dist", pattern)):
            print(f"bench: {os.path.relpath(path, REPO)}: {os.path.getsize(path) / 1e6:.1f} MB")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--shiplint", default=os.path.join(REPO, ".build", "release", "shiplint"))
    parser.add_argument("--only", help="run only the rows whose name contains this text")
    options = parser.parse_args()
    shiplint = options.shiplint
    wheel_cache = fetch.default_cache_dir()
    cache = os.path.join(os.path.dirname(wheel_cache), "bench")
    os.makedirs(cache, exist_ok=True)
    auditwheel, lddtree, abi3audit = ensure_tools(os.path.dirname(wheel_cache))
    rows = []

    def row(name, reference, ours, cwd=None):
        if options.only and options.only not in name:
            return
        try:
            theirs = measure(reference, options.runs, cwd) if reference else None
            problem = None
        except Unmeasurable as error:
            theirs, problem = None, f"reference could not be measured ({error})"
        mine = measure(ours, options.runs, cwd, check_output=False)
        rows.append((name, theirs, mine, problem))

    layer_zip, layer_folder, layer_problem = layer_inputs(cache)
    if layer_zip:
        unzipped = sum(os.path.getsize(os.path.join(r, n)) for r, _, fs in os.walk(layer_folder) for n in fs) / 2**20
        row(f"(a) layer ZIP ({unzipped:.0f} MiB unzipped): unzip -p '*.so*'",
            ["bash", "-c", f"unzip -p {layer_zip} '*.so*' | wc -c"],
            [shiplint, "scan", layer_zip, "--target", "aws-lambda-python3.12-x86_64", "--format", "json", "--fail-on", "never"])
    else:
        print(f"bench: (a) and (d) skipped: {layer_problem}")
    torch, torch_problem = torch_input(cache)
    if torch:
        row("(b) torch 2.13.0+cpu wheel: unzip -p '*.so*'", ["bash", "-c", f"unzip -p {torch} '*.so*' | wc -c"],
            [shiplint, "scan", torch, "--target", "aws-lambda-python3.11-x86_64", "--format", "json", "--fail-on", "never"])
    else:
        print(f"bench: (b) skipped: {torch_problem}")
    available = fetch.ensure_wheels(fetch.read_pins(), fetch.read_cases(), wheel_cache)
    wheels = [os.path.join(wheel_cache, w) for w in sorted(available) if "manylinux" in w and "x86_64" in w]
    if wheels:
        row(f"{len(wheels)} real wheels: auditwheel show each, summed",
            ["bash", "-c", " && ".join(f"{auditwheel} show {w}" for w in wheels)],
            [shiplint, "scan", *wheels, "--target", "manylinux2014-x86_64", "--format", "json", "--fail-on", "never"])
    abi3_wheels = [os.path.join(wheel_cache, w) for w in sorted(available) if "-abi3-" in w and "x86_64" in w]
    if abi3_wheels and abi3audit:
        # abi3audit judges each wheel against its own abi3 floor; shiplint against the runtime's CPython (3.9, the
        # oldest floor of these wheels) with every check. Both read every symbol of every extension.
        row(f"{len(abi3_wheels)} abi3 wheels: abi3audit, one call",
            [abi3audit, "--report", *abi3_wheels],
            [shiplint, "scan", *abi3_wheels, "--target", "aws-lambda-python3.9-x86_64", "--format", "json", "--fail-on", "never"])
    if layer_folder:
        node = node_input(cache, layer_folder)
        row("(c) Node ZIP, 100,000 entries + 20 .so: unzip -l", ["unzip", "-l", node],
            [shiplint, "scan", node, "--target", "aws-lambda-nodejs20.x-x86_64", "--format", "json", "--fail-on", "never"])
        row("(d) layer as a folder: scanelf -R", ["scanelf", "-R", "-q", "-n", "-r", "-S", layer_folder],
            [shiplint, "scan", layer_folder, "--target", "aws-lambda-python3.12-x86_64", "--format", "json", "--fail-on", "never"])
        if lddtree:
            libraries = [os.path.join(r, n) for r, _, fs in os.walk(layer_folder) for n in sorted(fs) if ".so" in n]
            row("(d) layer as a folder: lddtree of every .so",
                ["bash", "-c", f"printf '%s\\0' {' '.join(libraries)} | xargs -0 {' '.join(lddtree)} -l"],
                [shiplint, "inspect", layer_folder, "--tree", "--target", "aws-lambda-python3.12-x86_64", "--format", "json"])
    release_size()
    print(f"bench: median of {options.runs} runs; ratio = shiplint / reference (below 1: shiplint is faster / smaller)")
    print(f"{'workload':58} {'ref s':>7} {'ours s':>7} {'ratio':>6} {'ref MiB':>8} {'ours MiB':>8}")
    for name, theirs, ours, problem in rows:
        if theirs is None:
            print(f"{name:58} {'-':>7} {ours[0]:7.2f} {'-':>6} {'-':>8} {ours[1]:8.1f}  {problem or ''}")
        else:
            print(f"{name:58} {theirs[0]:7.2f} {ours[0]:7.2f} {ours[0] / max(theirs[0], 0.001):5.2f}x "
                  f"{theirs[1]:8.1f} {ours[1]:8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
