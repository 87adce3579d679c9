#!/usr/bin/env python3
"""Build shiplint's release: one self-contained executable, a tarball and a wheel (`make dist`).

Usage: python3 packaging/dist.py [--skip-build]

1. Static link. SwiftPM reads libelf.pc, libarchive.pc and zlib.pc itself (it does not run pkg-config, and it ignores
   Libs.private), so this writes its own three .pc files into .build-dist/pkgconfig: the same Cflags, and Libs that
   are `pkg-config --static --libs-only-l` of libelf and libarchive, pointing with -L at .build-dist/static-libs, a
   folder holding only the static archives (libelf.a,
   libarchive.a, libzstd.a …). The linker searches that folder first and finds no .so there. The Swift runtime and
   FoundationEssentials come from `--static-swift-stdlib` (full Foundation is left off the link: FULL_FOUNDATION); glibc (libc, libm, the loader) stays dynamic. A static archive
   that is missing is an error naming the Debian package.
   The glibc floor (docs/install.md): the link is done by `zig cc -target x86_64-linux-gnu.2.26` (packaging/floor/
   zig_link.py, run by the Swift driver as its `clang` through `-tools-directory`), against glibc 2.26's symbol
   versions; GCC's static libstdc++ and libgcc; the few newer glibc functions those archives call defined in
   packaging/floor/glibc_compat.c; no ICU (it came only with full Foundation, docs/install.md#size). Swift code is
   built with -Osize. Zig comes from PyPI (`ziglang`, pinned by version and sha256) into
   ~/.cache/shiplint/dist-tools (or $SHIPLINT_DIST_CACHE). The executable's GLIBC_ needs are then checked to be at
   most 2.26.
2. `swift build -c release --static-swift-stdlib` into .build-dist, with the checkout's path mapped to `.`; then the
   executable is stripped. The tarball and the wheel are byte for byte the same for the same executable.
3. dist/shiplint-<version>-linux-<arch>/: the executable, LICENSE, README.md, CHANGELOG.md, the man page
   (packaging/manpage.py, from `shiplint --experimental-dump-help`), bash/zsh/fish completions
   (`--generate-completion-script`), and a SHA256SUMS of those files; packed as a reproducible .tar.gz.
4. dist/shiplint-<version>-py3-none-manylinux_2_26_<arch>.whl (packaging/wheel.py): the floor the link targets
   (the executable's highest GLIBC_ version node is checked to be no higher).
5. dist/SHA256SUMS for the tarball and the wheel.

The version is the one the executable prints (`shiplint --version`); it is written nowhere else.
Python 3 standard library only.
"""

import argparse
import glob
import gzip
import hashlib
import io
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SCRATCH = os.path.join(ROOT, ".build-dist")
STATIC_LIBS = os.path.join(SCRATCH, "static-libs")
PKGCONFIG = os.path.join(SCRATCH, "pkgconfig")
DIST = os.path.join(ROOT, "dist")
FLOOR_DIR = os.path.join(SCRATCH, "floor")
# The oldest glibc the release runs on: Amazon Linux 2's (docs/install.md).
GLIBC_FLOOR = (2, 26)
# Zig's toolchain, whose stub libraries carry every glibc release's symbol versions: pinned by version and sha256.
ZIGLANG = ("0.17.1", "ea6cc5d87b033cf0aedfbc8f9549a908cae6c50ac31f1698188fa48a74524b54")
CACHE = os.environ.get("SHIPLINT_DIST_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "shiplint", "dist-tools")
sys.path.insert(0, HERE)
import wheel  # noqa: E402  (packaging/wheel.py)

# glibc's own libraries stay dynamic: they are the platform every Linux machine has.
GLIBC_LIBRARIES = {"c", "m", "dl", "pthread", "rt", "util", "resolv", "anl", "nsl", "mvec"}
# The Debian package that ships each static archive, for the error message (`make dist-deps` installs them).
DEBIAN_PACKAGE = {
    "elf": "libelf-dev", "archive": "libarchive-dev", "z": "zlib1g-dev", "nettle": "nettle-dev", "acl": "libacl1-dev",
    "deflate": "libdeflate-dev", "lzma": "liblzma-dev", "zstd": "libzstd-dev", "lz4": "liblz4-dev", "bz2": "libbz2-dev", "xml2": "libxml2-dev",
    "yaml": "libyaml-dev", "icui18n": "libicu-dev", "icuuc": "libicu-dev", "icudata": "libicu-dev", "stdc++": "libstdc++-12-dev",
}
# libarchive's list names libxml2 (its xar reader, which shiplint does not enable: no member of libxml2 is pulled in).
# libxml2's own list (ICU) is left out on purpose: FoundationXML is not linked (JUnit is written by ShiplintReports'
# XMLTree), and a change that pulls libxml2 in again then fails to link here instead of growing the executable.
PC_MODULES = {"libelf": ["libelf"], "libarchive": ["libarchive"], "zlib": ["zlib"], "libdeflate": ["libdeflate"],
              "yaml-0.1": ["yaml-0.1"]}


def say(text):
    print(f"dist: {text}", flush=True)


def run(arguments, **kwargs):
    return subprocess.run(arguments, check=True, text=True, capture_output=True, **kwargs).stdout


def static_archive(name):
    """The path of lib<name>.a as the C compiler finds it, or None."""
    found = run(["gcc", f"-print-file-name=lib{name}.a"]).strip()
    return os.path.realpath(found) if os.path.isabs(found) and os.path.exists(found) else None


def prepare_static_link():
    """The static-libs folder and the .pc files SwiftPM will read; returns the libraries linked statically."""
    shutil.rmtree(STATIC_LIBS, ignore_errors=True)
    shutil.rmtree(PKGCONFIG, ignore_errors=True)
    os.makedirs(STATIC_LIBS)
    os.makedirs(PKGCONFIG)
    linked, missing = [], []
    for pc_name, modules in PC_MODULES.items():
        libs = run(["pkg-config", "--static", "--libs-only-l"] + modules).split()
        names = [flag[2:] for flag in libs if flag.startswith("-l")]
        names.append("stdc++")  # toml++ (TOMLKit) and ICU are C++; the Swift driver adds -lstdc++ too
        for name in names:
            if name in GLIBC_LIBRARIES or os.path.exists(os.path.join(STATIC_LIBS, f"lib{name}.a")):
                continue
            archive = static_archive(name)
            if archive is None:
                missing.append(f"lib{name}.a ({DEBIAN_PACKAGE.get(name, 'its -dev package')})")
                continue
            os.symlink(archive, os.path.join(STATIC_LIBS, f"lib{name}.a"))
            linked.append(name)
        cflags = run(["pkg-config", "--cflags"] + modules).strip()
        version = run(["pkg-config", "--modversion", modules[0]]).strip()
        ordered = " ".join(f"-l{name}" for name in names if name not in GLIBC_LIBRARIES)
        with open(os.path.join(PKGCONFIG, f"{pc_name}.pc"), "w") as handle:
            handle.write(f"# Written by packaging/dist.py: {' '.join(modules)} linked from static archives.\n"
                         f"Name: {pc_name}\nDescription: {pc_name} (static, for shiplint's release)\n"
                         f"Version: {version}\nCflags: {cflags}\n"
                         f"Libs: -L{STATIC_LIBS} {ordered} -lm -ldl -lpthread\n")
    if missing:
        raise SystemExit("dist: static archives missing: " + ", ".join(missing) + " (run `make dist-deps`)")
    return sorted(linked)


def zig_executable():
    """The zig of the pinned `ziglang` wheel, installed once into a cached virtual environment."""
    version, digest = ZIGLANG
    environment = os.path.join(CACHE, f"ziglang-{version}")
    python = os.path.join(environment, "bin", "python")
    locate = [python, "-c", "import os, ziglang; print(os.path.join(os.path.dirname(ziglang.__file__), 'zig'))"]
    if os.path.exists(python):
        found = subprocess.run(locate, capture_output=True, text=True)
        if found.returncode == 0 and os.path.exists(found.stdout.strip()):
            return found.stdout.strip()
    say(f"installing ziglang {version} from PyPI into {environment}")
    shutil.rmtree(environment, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", environment], check=True)
    requirements = os.path.join(SCRATCH, "ziglang-requirements.txt")
    with open(requirements, "w") as handle:
        handle.write(f"ziglang=={version} --hash=sha256:{digest}\n")
    installed = subprocess.run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                                "--only-binary=:all:", "--require-hashes", "-r", requirements])
    if installed.returncode != 0:
        shutil.rmtree(environment, ignore_errors=True)
        raise SystemExit(f"dist: cannot install ziglang {version} from PyPI (needed to link for glibc "
                         f"{GLIBC_FLOOR[0]}.{GLIBC_FLOOR[1]}); no network?")
    return run(locate).strip()


# Full Foundation's libraries, never linked: shiplint's modules import FoundationEssentials only (docs/install.md#size).
# TOMLKit's `import struct Foundation.Data` still names Foundation among the libraries to link, and an archive there
# defines symbols FoundationEssentials defines too (type descriptors of C types): taken from Foundation first, they
# pulled in all of it, CoreFoundation and ICU (~10 MB). Left off the link, any real use of them is a link error.
FULL_FOUNDATION = ["Foundation", "FoundationInternationalization", "CoreFoundation", "_FoundationICU",
                   "FoundationNetworking", "FoundationXML", "_CFURLSessionInterface", "_CFXMLInterface"]


def prepare_floor_link(zig, machine):
    """The objects and the `clang` wrapper that link the executable for the glibc floor; returns the wrapper's folder."""
    shutil.rmtree(FLOOR_DIR, ignore_errors=True)
    folder = os.path.join(FLOOR_DIR, "bin")
    os.makedirs(folder)
    target = f"{machine}-linux-gnu.{GLIBC_FLOOR[0]}.{GLIBC_FLOOR[1]}"

    def compile_object(source, name):
        output = os.path.join(FLOOR_DIR, name)
        subprocess.run([zig, "cc", "-target", target, "-O2", "-Wall", "-Werror", "-c", source, "-o", output], check=True)
        return output

    compat = compile_object(os.path.join(HERE, "floor", "glibc_compat.c"), "glibc_compat.o")
    gcc_libraries = [run(["gcc", f"-print-file-name={name}"]).strip() for name in ("libstdc++.a", "libgcc_eh.a", "libgcc.a")]
    missing = [path for path in gcc_libraries if not os.path.isabs(path)]
    if missing:
        raise SystemExit(f"dist: GCC's {', '.join(missing)} not found (libstdc++-12-dev, gcc)")
    environment = {"SHIPLINT_ZIG": zig, "SHIPLINT_ZIG_TARGET": target, "SHIPLINT_LINK_SCRATCH": FLOOR_DIR,
                   "SHIPLINT_LINK_DROP": " ".join(FULL_FOUNDATION), "SHIPLINT_LINK_LAST": " ".join([compat] + gcc_libraries)}
    wrapper = os.path.join(folder, "clang")
    with open(wrapper, "w") as handle:
        handle.write("#!/bin/sh\n# Written by packaging/dist.py: the Swift driver's linker for the glibc floor.\n")
        handle.writelines(f"export {key}='{value}'\n" for key, value in environment.items())
        handle.write(f"exec '{sys.executable}' '{os.path.join(HERE, 'floor', 'zig_link.py')}' \"$@\"\n")
    os.chmod(wrapper, 0o755)
    return folder


def build(machine):
    linked = prepare_static_link()
    say("static archives: " + " ".join(f"lib{name}.a" for name in linked))
    tools = prepare_floor_link(zig_executable(), machine)
    environment = dict(os.environ)
    environment["PKG_CONFIG_PATH"] = PKGCONFIG
    command = [os.environ.get("SWIFT", "swift"), "build", "-c", "release", "--product", "shiplint",
               "--scratch-path", SCRATCH, "--static-swift-stdlib",
               "--disable-local-rpath",  # no RUNPATH $ORIGIN: nothing is looked up beside the executable
               "-Xswiftc", "-tools-directory", "-Xswiftc", tools,  # the link: zig cc for the glibc floor
               "-Xswiftc", "-Osize",  # shiplint's modules and its Swift dependencies optimized for size (docs/install.md)
               # the checkout's path out of the executable (toml++ asserts name their header); two checkouts still
               # differ in the .swift_modhash section and so the build id, so the bytes are reproducible per folder
               "-Xcc", f"-ffile-prefix-map={ROOT}=.", "-Xcxx", f"-ffile-prefix-map={ROOT}=.",
               "-Xswiftc", "-file-prefix-map", "-Xswiftc", f"{ROOT}=."]
    # SwiftPM does not know the link's own inputs (the compat object, the ICU data, the wrapper): when they changed
    # since the last link, the executable is removed so that it is linked anew.
    stamp = os.path.join(SCRATCH, "floor-link-inputs.sha256")
    inputs = hashlib.sha256()
    for path in sorted(glob.glob(os.path.join(FLOOR_DIR, "*.o")) + [os.path.join(tools, "clang"),
                                                                     os.path.join(HERE, "floor", "zig_link.py")]):
        with open(path, "rb") as handle:
            inputs.update(path.encode() + b"\0" + handle.read())
    previous = open(stamp).read() if os.path.exists(stamp) else ""
    if previous != inputs.hexdigest():
        for product in glob.glob(os.path.join(SCRATCH, "*", "release", "shiplint")):
            os.remove(product)
    say(f"PKG_CONFIG_PATH={PKGCONFIG} " + " ".join(command))
    subprocess.run(command, check=True, cwd=ROOT, env=environment)
    with open(stamp, "w") as handle:
        handle.write(inputs.hexdigest())
    return os.path.join(SCRATCH, "release", "shiplint")


def glibc_floor(executable):
    """The highest GLIBC_x.y version node the executable needs, from its .gnu.version_r (readelf)."""
    text = run(["readelf", "--version-info", "--wide", executable])
    versions = {tuple(map(int, v.split("."))) for v in re.findall(r"Name: GLIBC_(\d+(?:\.\d+)+)", text)}
    if not versions:
        raise SystemExit(f"dist: no GLIBC_ version needs found in {executable}")
    return max(versions)


def needed(executable):
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", run(["readelf", "--dynamic", "--wide", executable]))


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def reproducible_tar(folder, output):
    """A .tar.gz of folder with sorted names, owner root, mode kept, mtime 0, gzip without a timestamp."""
    base = os.path.basename(folder)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        paths = [folder]
        for directory, subdirectories, files in os.walk(folder):
            subdirectories.sort()
            paths += [os.path.join(directory, name) for name in sorted(subdirectories + files)]
        for path in sorted(paths):
            arcname = base if path == folder else base + "/" + os.path.relpath(path, folder)
            info = tar.gettarinfo(path, arcname=arcname)
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            info.mtime = 0
            info.mode = 0o755 if info.isdir() or os.access(path, os.X_OK) else 0o644
            if info.isfile():
                with open(path, "rb") as handle:
                    tar.addfile(info, handle)
            else:
                tar.addfile(info)
    with open(output, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
        gz.write(buffer.getvalue())


def main(argv=None):
    parser = argparse.ArgumentParser(description="Build shiplint's release tarball and wheel into dist/.")
    parser.add_argument("--skip-build", action="store_true", help="package the executable already in .build-dist")
    args = parser.parse_args(argv)

    machine = platform.machine()
    built = os.path.join(SCRATCH, "release", "shiplint") if args.skip_build else build(machine)
    version = run([built, "--version"]).strip()
    if not re.fullmatch(r"\d+\.\d+\.\d+([a-z0-9.+-]*)", version):
        raise SystemExit(f"dist: `shiplint --version` printed {version!r}, not a version")
    highest = glibc_floor(built)
    if highest > GLIBC_FLOOR:
        raise SystemExit(f"dist: the executable needs GLIBC_{'.'.join(map(str, highest))}, above the floor "
                         f"{GLIBC_FLOOR[0]}.{GLIBC_FLOOR[1]}")
    tag = f"manylinux_{GLIBC_FLOOR[0]}_{GLIBC_FLOOR[1]}_{machine}"
    say(f"shiplint {version}; needs {', '.join(needed(built))}; highest GLIBC_{'.'.join(map(str, highest))}, "
        f"floor {GLIBC_FLOOR[0]}.{GLIBC_FLOOR[1]} -> {tag}")

    os.makedirs(DIST, exist_ok=True)
    for old in os.listdir(DIST):  # an earlier version's release, so dist/ holds exactly one of each
        if old.startswith("shiplint-") or old == "SHA256SUMS":
            path = os.path.join(DIST, old)
            shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)
    name = f"shiplint-{version}-linux-{machine}"
    folder = os.path.join(DIST, name)
    for sub in ("share/man/man1", "share/bash-completion/completions", "share/zsh/site-functions",
                "share/fish/vendor_completions.d"):
        os.makedirs(os.path.join(folder, sub))
    executable = os.path.join(folder, "shiplint")
    subprocess.run(["strip", "-o", executable, built], check=True)
    os.chmod(executable, 0o755)
    for document in ("LICENSE", "README.md", "CHANGELOG.md"):
        shutil.copy(os.path.join(ROOT, document), os.path.join(folder, document))
        os.chmod(os.path.join(folder, document), 0o644)
    with open(os.path.join(folder, "share/man/man1/shiplint.1"), "w") as handle:
        handle.write(run([sys.executable, os.path.join(HERE, "manpage.py"), executable]))
    completions = {"bash": "share/bash-completion/completions/shiplint", "zsh": "share/zsh/site-functions/_shiplint",
                   "fish": "share/fish/vendor_completions.d/shiplint.fish"}
    for shell, path in completions.items():
        with open(os.path.join(folder, path), "w") as handle:
            handle.write(run([executable, "--generate-completion-script", shell]))
    files = sorted(os.path.relpath(os.path.join(d, f), folder) for d, _, fs in os.walk(folder) for f in fs)
    with open(os.path.join(folder, "SHA256SUMS"), "w") as handle:
        handle.writelines(f"{sha256(os.path.join(folder, f))}  {f}\n" for f in files)

    tarball = os.path.join(DIST, f"{name}.tar.gz")
    reproducible_tar(folder, tarball)
    say(f"wrote {os.path.relpath(tarball, ROOT)} ({os.path.getsize(tarball) / 1e6:.1f} MB)")

    data_files = {"share/man/man1/shiplint.1": os.path.join(folder, "share/man/man1/shiplint.1")}
    data_files.update({path: os.path.join(folder, path) for path in completions.values()})
    wheel_path = wheel.build_wheel(
        out_dir=DIST, version=version, platform_tag=tag, executable=executable,
        license_file=os.path.join(ROOT, "LICENSE"), readme_file=os.path.join(ROOT, "README.md"), data_files=data_files)
    say(f"wrote {os.path.relpath(wheel_path, ROOT)} ({os.path.getsize(wheel_path) / 1e6:.1f} MB)")

    with open(os.path.join(DIST, "SHA256SUMS"), "w") as handle:
        for path in (tarball, wheel_path):
            handle.write(f"{sha256(path)}  {os.path.basename(path)}\n")
    say("wrote dist/SHA256SUMS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
