#!/usr/bin/env python3
"""Write language-runtimes.txt: what each Ruby and .NET Lambda runtime is, read from its live file listing.

    python3 rules/listings/language_listing.py /path/to/docker-lambda > rules/listings/language-runtimes.txt

The argument is a git clone of shogo82148/docker-lambda (a maintained fork of lambci/docker-lambda), whose
dockerfiles/<runtime>/fs-<arch>.txt are file listings taken inside live Lambda functions. Each section holds the
facts a language loads native code by, each with the path it was read from:

- ruby: `libruby` (the file behind the soname: its numbers are RUBY_VERSION), `ruby-version-folder`
  (RbConfig::CONFIG["ruby_version"], the folder of /var/lang/lib/ruby/X.Y.0 and of every gem path) and `ruby-arch`
  (RbConfig::CONFIG["arch"], the folder holding rbconfig.rb: Gem::Platform.local and the extensions folder's name);
- dotnet: `dotnet-runtime` (the Microsoft.NETCore.App version in /var/lang/bin/shared).
Java needs nothing from here: the JVM picks a JNI library by os.name / os.arch, which the platform already says.
"""

import re
import subprocess
import sys

RUNTIMES = [
    "ruby3.2", "ruby3.3", "ruby3.4", "ruby4.0",
    "dotnet8", "dotnet10",
]
ARCHES = ["x86_64", "arm64"]


def git(repo: str, *args: str) -> str:
    return subprocess.run(["git", "-C", repo, *args], check=True, capture_output=True, text=True).stdout


def facts(runtime: str, listing: list[str]) -> list[tuple[str, str, str]]:
    """(key, value, path it was read from) for one runtime's listing."""
    found: list[tuple[str, str, str]] = []
    if runtime.startswith("ruby"):
        for line in listing:
            m = re.fullmatch(r"var/lang/lib/libruby\.so\.(\d+\.\d+\.\d+)", line)
            if m:
                found.append(("libruby", m.group(1), "/" + line))
        for line in listing:
            m = re.fullmatch(r"var/lang/lib/ruby/(\d+\.\d+\.\d+)/([^/]+)/rbconfig\.rb", line)
            if m:
                found.append(("ruby-version-folder", m.group(1), "/" + line))
                found.append(("ruby-arch", m.group(2), "/" + line))
    elif runtime.startswith("dotnet"):
        for line in listing:
            m = re.fullmatch(r"var/lang/bin/shared/Microsoft\.NETCore\.App/(\d+\.\d+\.\d+)", line)
            if m:
                found.append(("dotnet-runtime", m.group(1), "/" + line))
    keys = [key for key, _, _ in found]
    if len(keys) != len(set(keys)) or not found:
        raise SystemExit(f"{runtime}: expected each fact once, found {found}")
    return found


def main() -> None:
    repo = sys.argv[1]
    head = git(repo, "log", "-1", "--format=%H %cs").split()
    print("# What each Ruby and .NET Lambda runtime is, per architecture: key, value, the path it was read from.")
    print(f"# Source: shogo82148/docker-lambda (fork of lambci/docker-lambda) at {head[0][:8]} ({head[1]}),")
    print("#   dockerfiles/<runtime>/fs-<arch>.txt = file listings taken inside live Lambda functions; the date of each")
    print("#   runtime's newest listing is in its section header. Written by rules/listings/language_listing.py.")
    for runtime in RUNTIMES:
        for arch in ARCHES:
            path = f"dockerfiles/{runtime}/fs-{arch}.txt"
            date = git(repo, "log", "-1", "--format=%cs", "--", path).strip()
            listing = git(repo, "show", f"HEAD:{path}").splitlines()
            print(f"# --- {runtime} {arch} (fs-{arch}.txt of {date}) ---")
            for key, value, source in facts(runtime, listing):
                print(f"{key}  {value}  {source}")


if __name__ == "__main__":
    main()
