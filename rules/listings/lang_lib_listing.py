#!/usr/bin/env python3
"""Write var-lang-lib.txt: the shared libraries directly in /var/lang/lib of each Lambda runtime, per architecture.

    python3 rules/listings/lang_lib_listing.py /path/to/docker-lambda > rules/listings/var-lang-lib.txt

The argument is a git clone of shogo82148/docker-lambda (a maintained fork of lambci/docker-lambda), whose
dockerfiles/<runtime>/fs-<arch>.txt are file listings taken inside live Lambda functions. Only files directly in
/var/lang/lib matter to the loader (LD_LIBRARY_PATH names that folder, not its subfolders). Each section lists the
sonames a binary can need from there, each with the file names behind it (whose numbers say the library's release):
`libsqlite3.so.0  libsqlite3.so.0.8.6`. A name is a soname when no shorter versioned name of the same library is
beside it (libruby.so.3.2 for libruby.so.3.2.11); an unversioned `libX.so` only when no `libX.so.N` is beside it
(libpython3.so), since `libX.so` is otherwise the development link.
"""

import re
import subprocess
import sys

RUNTIMES = [
    "python3.9", "python3.10", "python3.11", "python3.12", "python3.13", "python3.14",
    "nodejs18.x", "nodejs20.x", "nodejs22.x", "nodejs24.x",
    "java8.al2", "java11", "java17", "java21", "java25", "java8.al2023", "java11.al2023", "java17.al2023",
    "ruby3.2", "ruby3.3", "ruby3.4", "ruby4.0",
    "dotnet8", "dotnet10",
]
ARCHES = ["x86_64", "arm64"]


def git(repo: str, *args: str) -> str:
    return subprocess.run(["git", "-C", repo, *args], check=True, capture_output=True, text=True).stdout


def sonames(files: list[str]) -> list[tuple[str, list[str]]]:
    names = set(files)
    out = []
    for name in sorted(names):
        m = re.fullmatch(r"(.+\.so)((?:\.\d+)*)", name)
        if not m:
            continue
        stem, numbers = m.group(1), m.group(2)
        if numbers == "":
            if any(other.startswith(stem + ".") for other in names):
                continue  # the development link of a versioned library
        else:
            parts = numbers.split(".")[1:]
            if any(".".join([stem] + parts[:i]) in names for i in range(1, len(parts))):
                continue  # a longer name of a library whose shorter versioned name is beside it
        behind = sorted(other for other in names if other.startswith(name + ".") and other != name)
        out.append((name, behind))
    return out


def main() -> None:
    repo = sys.argv[1]
    head = git(repo, "log", "-1", "--format=%H %cs").split()
    print("# Shared libraries directly in /var/lang/lib of each AWS Lambda runtime (first on LD_LIBRARY_PATH, so they")
    print("# shadow /lib64 and /usr/lib64), per architecture: soname, then the file names behind it.")
    print(f"# Source: shogo82148/docker-lambda (fork of lambci/docker-lambda) at {head[0][:8]} ({head[1]}),")
    print("#   dockerfiles/<runtime>/fs-<arch>.txt = file listings taken inside live Lambda functions; the date of each")
    print("#   runtime's newest listing is in its section header. Written by rules/listings/lang_lib_listing.py.")
    print("# An empty section: the runtime puts no library directly in /var/lang/lib (java8: /var/lang/lib/amd64/…,")
    print("#   dotnet: /var/lang/bin/shared/…, folders the loader does not search).")
    for runtime in RUNTIMES:
        for arch in ARCHES:
            path = f"dockerfiles/{runtime}/fs-{arch}.txt"
            date = git(repo, "log", "-1", "--format=%cs", "--", path).strip()
            listing = git(repo, "show", f"HEAD:{path}").splitlines()
            files = [line[len("var/lang/lib/"):] for line in listing
                     if line.startswith("var/lang/lib/") and "/" not in line[len("var/lang/lib/"):]]
            print(f"# --- {runtime} {arch} (fs-{arch}.txt of {date}) ---")
            for soname, behind in sonames(files):
                print("  ".join([soname] + behind))


if __name__ == "__main__":
    main()
