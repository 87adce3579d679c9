#!/usr/bin/env python3
"""Install the release `make dist` built into a prefix (`make install PREFIX=…`).

Usage: python3 packaging/install.py PREFIX

Copies dist/shiplint-<version>-linux-<arch>/ as the tarball lays it out: PREFIX/bin/shiplint (mode 755) and
PREFIX/share/… (the man page, bash, zsh and fish completions; mode 644). Python 3 standard library only.
"""

import os
import re
import shutil
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIST = os.path.join(ROOT, "dist")


def main(argv):
    if len(argv) != 2:
        print("usage: install.py PREFIX", file=sys.stderr)
        return 2
    prefix = argv[1]
    folders = [f for f in os.listdir(DIST) if re.fullmatch(r"shiplint-.+-linux-[^-.]+", f)
               and os.path.isdir(os.path.join(DIST, f))] if os.path.isdir(DIST) else []
    if len(folders) != 1:
        print(f"install.py: expected one release folder in dist/ (run `make dist`), found {folders}", file=sys.stderr)
        return 2
    release = os.path.join(DIST, folders[0])
    installed = []
    for directory, _, files in os.walk(os.path.join(release, "share")):
        for name in files:
            source = os.path.join(directory, name)
            target = os.path.join(prefix, os.path.relpath(source, release))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copyfile(source, target)
            os.chmod(target, 0o644)
            installed.append(target)
    os.makedirs(os.path.join(prefix, "bin"), exist_ok=True)
    executable = os.path.join(prefix, "bin", "shiplint")
    shutil.copyfile(os.path.join(release, "shiplint"), executable)
    os.chmod(executable, 0o755)
    print(f"installed {executable} and {len(installed)} files under {os.path.join(prefix, 'share')}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
