#!/usr/bin/env python3
"""Run the release on a glibc older than the build machine's (`make floor-check`; not part of `make test`).

Usage: python3 packaging/floor_check.py [--suite bullseye]

Makes a minimal Debian root with debootstrap from Debian's archive (cached in ~/.cache/shiplint/floor-roots, or
$SHIPLINT_FLOOR_ROOTS; installs debootstrap when it is missing), copies the tarball's folder and the sample
artifacts into it, and runs each command below in it with chroot (as root), then on the build machine, and compares:
the exit status and the output must be the same. Debian 11 (bullseye) has glibc 2.31: older than the build
machine's 2.36 and than Amazon Linux 2023's 2.34, the same as Ubuntu 20.04's. (Debian 10's 2.28 and Amazon Linux 2's
2.26 are no longer in the archive this machine reaches.)

Prints one line per command (`ok …` or `FAIL …`) and `floor-check: N passed, N failed`; exit 1 when one failed.
Python 3 standard library only.
"""

import argparse
import glob
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
ROOTS = os.environ.get("SHIPLINT_FLOOR_ROOTS") or os.path.join(os.path.expanduser("~"), ".cache", "shiplint", "floor-roots")
MIRROR = "http://deb.debian.org/debian"

# (name, arguments after the executable, run from /work inside the root where fixtures/ and rule files are)
COMMANDS = [
    ("version", ["--version"]),
    ("scan-windows", ["scan", "fixtures/artifacts/function-windows.zip", "--target", "python3.13", "--no-config"]),
    ("scan-clean", ["scan", "fixtures/artifacts/function-clean.zip", "--target", "python3.13", "--no-config"]),
    ("scan-json", ["scan", "fixtures/artifacts/function-glibc228.zip", "--target", "python3.11", "--no-config",
                   "--format", "json"]),
    ("scan-junit", ["scan", "fixtures/artifacts/function-windows.zip", "--target", "python3.13", "--no-config",
                    "--format", "junit"]),
    ("scan-node", ["scan", "fixtures/artifacts/node/function-node22.zip", "--target", "nodejs22.x", "--no-config"]),
    ("no-target", ["scan", "fixtures/artifacts/function-clean.zip", "--no-config"]),
    ("broken-rule-file", ["scan", "fixtures/artifacts/function-clean.zip", "--target", "broken-rule.toml", "--no-config"]),
    ("inspect-tree", ["inspect", "--tree", "fixtures/artifacts/resolve/missing-system.zip", "--target", "python3.13"]),
    ("completion", ["---completion", "scan", "--", "--target", "3", "4", "shiplint", "scan", "--target", "python3.1"]),
]


def say(text):
    print(f"floor-check: {text}", flush=True)


def debian_root(suite):
    root = os.path.join(ROOTS, f"debian-{suite}")
    if os.path.exists(os.path.join(root, "usr", "bin", "getconf")):
        return root
    if not shutil.which("debootstrap"):
        say("installing debootstrap")
        subprocess.run(["apt-get", "install", "-y", "-qq", "debootstrap"], check=True, stdout=subprocess.DEVNULL)
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(ROOTS, exist_ok=True)
    say(f"debootstrap --variant=minbase {suite} {root} {MIRROR}")
    made = subprocess.run(["debootstrap", "--variant=minbase", suite, root, MIRROR], capture_output=True, text=True)
    if made.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        raise SystemExit(f"floor-check: debootstrap failed (no network to {MIRROR}?): {made.stderr.strip()[-400:]}")
    return root


def release_folder():
    folders = glob.glob(os.path.join(ROOT, "dist", "shiplint-*-linux-*"))
    folders = [f for f in folders if os.path.isdir(f)]
    if len(folders) != 1:
        raise SystemExit(f"floor-check: expected one dist/shiplint-*-linux-*/ (make dist), found {folders}")
    return folders[0]


def workspace(base):
    """The same working folder layout inside the root and on the host: fixtures/ and a broken rule file."""
    os.makedirs(base, exist_ok=True)
    shutil.rmtree(os.path.join(base, "fixtures"), ignore_errors=True)
    for artifact in ("function-windows.zip", "function-clean.zip", "function-glibc228.zip", "node/function-node22.zip",
                     "resolve/missing-system.zip"):
        os.makedirs(os.path.dirname(os.path.join(base, "fixtures", "artifacts", artifact)), exist_ok=True)
        shutil.copy(os.path.join(ROOT, "fixtures", "artifacts", artifact), os.path.join(base, "fixtures", "artifacts", artifact))
    with open(os.path.join(base, "broken-rule.toml"), "w") as handle:
        handle.write('schema = 1\nname = "broken"\ndescription = [unclosed\n')


def main(argv=None):
    parser = argparse.ArgumentParser(description="Run the release in an older Debian root and compare.")
    parser.add_argument("--suite", default="bullseye")
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        raise SystemExit("floor-check: chroot needs root")
    root = debian_root(args.suite)
    chroot = shutil.which("chroot", path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin") or "chroot"
    glibc = subprocess.run([chroot, root, "getconf", "GNU_LIBC_VERSION"], capture_output=True, text=True).stdout.strip()
    say(f"Debian {args.suite} root with {glibc} ({root})")
    release = release_folder()
    inside = os.path.join(root, "opt", "shiplint")
    shutil.rmtree(inside, ignore_errors=True)
    shutil.copytree(release, inside)
    work_inside = os.path.join(root, "work")
    workspace(work_inside)
    work_host = os.path.join(ROOTS, "host-work")
    workspace(work_host)
    environment = {"PATH": "/usr/bin:/bin", "HOME": "/root", "NO_COLOR": "1", "LANG": "C.UTF-8"}
    counts = {"ok": 0, "FAIL": 0}
    # A real system has /proc; the Swift runtime reads the command line from /proc/self/cmdline.
    proc = os.path.join(root, "proc")
    mounted = subprocess.run(["mount", "-t", "proc", "proc", proc], capture_output=True, text=True)
    if mounted.returncode != 0:
        raise SystemExit(f"floor-check: cannot mount /proc in the root: {mounted.stderr.strip()}")
    try:
        compare(root, chroot, release, work_host, environment, args.suite, counts)
    finally:
        subprocess.run(["umount", proc])
    print(f"floor-check: {counts['ok']} passed, {counts['FAIL']} failed")
    return 1 if counts["FAIL"] else 0


def compare(root, chroot, release, work_host, environment, suite, counts):
    for name, arguments in COMMANDS:
        chrooted = subprocess.run([chroot, root, "/bin/sh", "-c", 'cd /work && exec /opt/shiplint/shiplint "$@"',
                                   "shiplint"] + arguments, capture_output=True, text=True, env=environment)
        native = subprocess.run([os.path.join(release, "shiplint")] + arguments, cwd=work_host, capture_output=True,
                                text=True, env=environment)
        same = (chrooted.returncode, chrooted.stdout, chrooted.stderr) == (native.returncode, native.stdout, native.stderr)
        crashed = chrooted.returncode < 0 or chrooted.returncode >= 3 or "GLIBC_" in chrooted.stderr
        if same and not crashed:
            say(f"ok {name}: exit {chrooted.returncode}, {len(chrooted.stdout)} bytes, the same as on the build machine")
            counts["ok"] += 1
        else:
            say(f"FAIL {name}: exit {chrooted.returncode} in {suite}, {native.returncode} here; "
                f"{(chrooted.stdout + chrooted.stderr).strip()[-300:]}")
            counts["FAIL"] += 1


if __name__ == "__main__":
    sys.exit(main())
