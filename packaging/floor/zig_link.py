#!/usr/bin/env python3
"""The release's linker: what the Swift driver runs as `clang` to link shiplint, handed to `zig cc` for glibc 2.26.

packaging/dist.py builds with `swiftc -tools-directory .build-dist/floor/bin`, where `clang` runs this script.
The Swift driver's link command is translated for `zig cc -target x86_64-linux-gnu.2.26`, which links against
glibc 2.26's symbol versions (Zig's stub libraries), so the executable needs nothing newer: a function only glibc
2.27 or later has is a link error here, not a crash on the user's machine.

Environment (written into the `clang` wrapper by dist.py):
  SHIPLINT_ZIG          the zig executable
  SHIPLINT_ZIG_TARGET   x86_64-linux-gnu.2.26
  SHIPLINT_LINK_DROP    libraries (`-lNAME`) left off the link: full Foundation's, which shiplint does not use but
                        a dependency's `import struct Foundation.…` names (dist.py: FULL_FOUNDATION)
  SHIPLINT_LINK_LAST    objects and archives placed after everything else (glibc_compat.o, GCC's libstdc++.a,
                        libgcc_eh.a, libgcc.a: the Swift runtime is built against libstdc++'s ABI, not Zig's libc++)
  SHIPLINT_LINK_SCRATCH a folder for the `main` trampoline

Translations (each because `zig cc` reads linker arguments itself and refuses the ones it does not know):
  @file                          expanded (shell words), as clang would
  --target=…, -B DIR, -v, -fuse-ld=…, -static-libgcc   dropped: the target is Zig's, libgcc is linked statically below
  -lstdc++                       dropped: GCC's static libstdc++.a comes in SHIPLINT_LINK_LAST
  -lNAME of SHIPLINT_LINK_DROP   dropped when the output is `shiplint` (the build tool embed-rules keeps Foundation)
  -Xlinker --defsym -Xlinker main=F   a C `main` calling F (SwiftPM renames an executable's main so tests can link it)
  -Xlinker -export-dynamic, -Xlinker --exclude-libs -Xlinker ALL   dropped: the static Swift runtime adds them so that
                                 the executable's own symbols are exported and libraries' are not; nothing loads
                                 shiplint's symbols by name, and dropping both exports nothing.
Python 3 standard library only.
"""

import os
import shlex
import subprocess
import sys


def expanded(arguments):
    for argument in arguments:
        if argument.startswith("@") and os.path.isfile(argument[1:]):
            with open(argument[1:]) as handle:
                yield from expanded(shlex.split(handle.read()))
        else:
            yield argument


def translated(arguments, zig, target, scratch, dropped=()):
    out = []
    i = 0
    while i < len(arguments):
        argument = arguments[i]
        following = arguments[i + 1] if i + 1 < len(arguments) else None
        if argument == "-B":
            i += 2
        elif argument.startswith(("--target=", "-fuse-ld=")) or argument in ("-v", "-static-libgcc", "-lstdc++") \
                or (argument.startswith("-l") and argument[2:] in dropped):
            i += 1
        elif argument == "-Xlinker" and following == "--defsym":
            alias, function = arguments[i + 3].split("=", 1)
            if alias != "main":
                raise SystemExit(f"zig_link.py: cannot translate --defsym {alias}={function}")
            source = os.path.join(scratch, "main.c")
            with open(source, "w") as handle:
                handle.write(f"extern int {function}(int, char **, char **);\n"
                             f"int main(int count, char **values, char **environment) {{ return {function}(count, values, environment); }}\n")
            subprocess.run([zig, "cc", "-target", target, "-O2", "-c", source, "-o", source + ".o"], check=True)
            out.append(source + ".o")
            i += 4
        elif argument == "-Xlinker" and following == "-export-dynamic":
            i += 2
        elif argument == "-Xlinker" and following == "--exclude-libs":
            i += 4
        else:
            out.append(argument)
            i += 1
    return out


def main(argv):
    zig = os.environ["SHIPLINT_ZIG"]
    target = os.environ["SHIPLINT_ZIG_TARGET"]
    scratch = os.environ["SHIPLINT_LINK_SCRATCH"]
    arguments = list(expanded(argv))
    # Only shiplint itself goes without full Foundation: the build tool that embeds rules/ (run at build time, never
    # shipped) uses it.
    output = arguments[arguments.index("-o") + 1] if "-o" in arguments[:-1] else ""
    dropped = os.environ.get("SHIPLINT_LINK_DROP", "").split() if os.path.basename(output) == "shiplint" else []
    arguments = translated(arguments, zig, target, scratch, dropped)
    command = ([zig, "cc", "-target", target] + arguments + shlex.split(os.environ.get("SHIPLINT_LINK_LAST", "")))
    with open(os.path.join(scratch, "link-command.txt"), "w") as handle:
        handle.write(shlex.join(command) + "\n")
    return subprocess.run(command).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
