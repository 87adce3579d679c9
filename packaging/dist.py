#!/usr/bin/env python3
"""Build shiplint's release: one self-contained executable, a tarball and a wheel (`make dist`).

Usage: python3 packaging/dist.py [--skip-build]

1. Static link. SwiftPM reads libelf.pc, libarchive.pc and zlib.pc itself (it does not run pkg-config, and it ignores
   Libs.private), so this writes its own three .pc files into .build-dist/pkgconfig: the same Cflags, and Libs that
   are `pkg-config --static --libs-only-l` of libelf, libarchive and libxml-2.0 (Foundation's XML, used by the JUnit
   writer), pointing with -L at .build-dist/static-libs, a folder holding only the static archives (libelf.a,
   libarchive.a, libzstd.a … and libstdc++.a). The linker searches that folder first and finds no .so there. The
   Swift runtime and Foundation come from `--static-swift-stdlib`, libgcc's unwinder from `-static-libgcc`; glibc
   (libc, libm, the loader) stays dynamic. A static archive that is missing is an error naming the Debian package.
2. `swift build -c release --static-swift-stdlib` into .build-dist, with the checkout's path mapped to `.`; then the
   executable is stripped. The tarball and the wheel are byte for byte the same for the same executable.
3. dist/shiplint-<version>-linux-<arch>/: the executable, LICENSE, README.md, CHANGELOG.md, the man page
   (packaging/manpage.py, from `shiplint --experimental-dump-help`), bash/zsh/fish completions
   (`--generate-completion-script`), and a SHA256SUMS of those files; packed as a reproducible .tar.gz.
4. dist/shiplint-<version>-py3-none-<manylinux tag>.whl (packaging/wheel.py), the tag from the executable's
   highest GLIBC_ version node.
5. dist/SHA256SUMS for the tarball and the wheel.

The version is the one the executable prints (`shiplint --version`); it is written nowhere else.
Python 3 standard library only.
"""

import argparse
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
sys.path.insert(0, HERE)
import wheel  # noqa: E402  (packaging/wheel.py)

# glibc's own libraries stay dynamic: they are the platform every Linux machine has.
GLIBC_LIBRARIES = {"c", "m", "dl", "pthread", "rt", "util", "resolv", "anl", "nsl", "mvec"}
# The Debian package that ships each static archive, for the error message (`make dist-deps` installs them).
DEBIAN_PACKAGE = {
    "elf": "libelf-dev", "archive": "libarchive-dev", "z": "zlib1g-dev", "nettle": "nettle-dev", "acl": "libacl1-dev",
    "deflate": "libdeflate-dev", "lzma": "liblzma-dev", "zstd": "libzstd-dev", "lz4": "liblz4-dev", "bz2": "libbz2-dev", "xml2": "libxml2-dev",
    "icui18n": "libicu-dev", "icuuc": "libicu-dev", "icudata": "libicu-dev", "stdc++": "libstdc++-12-dev",
}
PC_MODULES = {"libelf": ["libelf"], "libarchive": ["libarchive", "libxml-2.0"], "zlib": ["zlib"], "libdeflate": ["libdeflate"]}


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


def build(triple_dir):
    linked = prepare_static_link()
    say("static archives: " + " ".join(f"lib{name}.a" for name in linked))
    environment = dict(os.environ)
    environment["PKG_CONFIG_PATH"] = PKGCONFIG
    command = [os.environ.get("SWIFT", "swift"), "build", "-c", "release", "--product", "shiplint",
               "--scratch-path", SCRATCH, "--static-swift-stdlib",
               "--disable-local-rpath",  # no RUNPATH $ORIGIN: nothing is looked up beside the executable
               "-Xswiftc", "-Xclang-linker", "-Xswiftc", "-static-libgcc",
               # the checkout's path out of the executable (toml++ asserts name their header); two checkouts still
               # differ in the .swift_modhash section and so the build id, so the bytes are reproducible per folder
               "-Xcc", f"-ffile-prefix-map={ROOT}=.", "-Xcxx", f"-ffile-prefix-map={ROOT}=.",
               "-Xswiftc", "-file-prefix-map", "-Xswiftc", f"{ROOT}=."]
    say(f"PKG_CONFIG_PATH={PKGCONFIG} " + " ".join(command))
    subprocess.run(command, check=True, cwd=ROOT, env=environment)
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
    built = os.path.join(SCRATCH, "release", "shiplint") if args.skip_build else build(None)
    version = run([built, "--version"]).strip()
    if not re.fullmatch(r"\d+\.\d+\.\d+([a-z0-9.+-]*)", version):
        raise SystemExit(f"dist: `shiplint --version` printed {version!r}, not a version")
    floor = glibc_floor(built)
    tag = f"manylinux_{floor[0]}_{floor[1]}_{machine}"
    say(f"shiplint {version}; needs {', '.join(needed(built))}; glibc floor {floor[0]}.{floor[1]} -> {tag}")

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
