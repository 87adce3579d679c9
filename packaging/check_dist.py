#!/usr/bin/env python3
"""Check what `make dist` built, the way a user without Swift would use it (`make dist-test`).

Usage: python3 packaging/check_dist.py [--scratch DIR]

Cases (each prints `ok NAME`, `FAIL NAME: what differs` or `skip NAME: reason`):
- tarball-*: the tarball unpacks outside the checkout; its executable runs with an empty LD_LIBRARY_PATH and a
  bare environment from that folder, prints the version, and scans fixtures/artifacts/function-windows.zip with the
  windows-binary finding and exit 1; its DT_NEEDED names only glibc's libraries, it has no RPATH/RUNPATH, and ld.so
  (LD_DEBUG=libs) maps nothing but glibc during a scan; the man page, the three completion
  scripts, LICENSE and SHA256SUMS are there and the sums are right (the man page shows --jobs' default as "the
  number of cores"); dist/SHA256SUMS is right.
- executable-size: the stripped executable's size in bytes and MB, against issue #25's 30 MB target and a ceiling of
  23 MB that fails; full Foundation, CoreFoundation and ICU are not in it (FoundationEssentials only).
- completions-*: the tarball's bash, zsh and fish scripts, loaded into the real shells (zsh through zpty,
  packaging/complete_zsh.zsh; fish interactive), complete target names, check ids, artifacts and --layer files.
- floor-*: the glibc floor (2.26, docs/install.md). shiplint scans its own executable against Amazon Linux 2
  (aws-lambda-provided.al2: glibc 2.26) and finds nothing; readelf's view of its version needs has no GLIBC_ node
  above the wheel tag's; against manylinux2014 (glibc 2.17) glibc-too-new names its highest need (so the gate is
  real); packaging/floor/compat_test.c checks glibc_compat.c built for the floor; a C++ exception (a rule file's
  syntax error, thrown by toml++) unwinds through the floor's unwinder to an exit status 2.
- wheel-*: the wheel's RECORD hashes and sizes, WHEEL and METADATA follow the wheel spec; shiplint scans its own
  wheel against Amazon Linux 2 cleanly; `pip install --no-index` of the wheel into a fresh venv puts a `shiplint`
  on that venv's PATH whose --version matches and that scans the fixture; `twine check --strict` passes it.
- action-*: the Action's install and scan steps (action/*.sh) as a runner runs them, with the README example's
  tarball in tools/: installs it after checking SHA256SUMS, annotates, writes SARIF and JUnit, does not upload from
  a fork, reports the exit status; refuses a changed tarball; explains arm64 and macOS runners; derives the default
  version from the sources. workflow-install-lines: the docs' workflows' `pip install tools/…` lines, as written.
- install-lines-as-written: every ```sh block marked `<!-- install-test: release|checkout -->` in the README and
  docs/ runs as written with bash -e (in a folder holding the release files, or in the checkout; a fresh venv and
  HOME, no index), then the `shiplint` it installed scans the Windows fixture. The `make install` block builds again.
- pre-commit-files-*: the `files` pattern of .pre-commit-hooks.yaml and of the README's snippet matches every
  archive shiplint reads (.zip .whl .tar .tar.gz .tgz .tar.xz .txz .tar.zst .tar.bz2 .tbz2) and no other file.
- pre-commit-wheel-*: the README's `repo: local` + `language: python` snippet, as written, in a scratch git
  repository: pre-commit (from PyPI into a cached venv) installs shiplint==<version> from dist/ (PIP_FIND_LINKS,
  PIP_NO_INDEX: no network for the wheel) and fails on a bad artifact, passes on a good one. pre-commit, twine and
  setuptools (to build pre-commit's placeholder package) need PyPI once; they are cached in
  ~/.cache/shiplint/dist-tools (or $SHIPLINT_DIST_CACHE). Without network these cases say `skip … (no network)`.

Closing line `dist-test: N passed, N failed, N skipped`; exit 1 when a case failed. Python 3 standard library only.
"""

import argparse
import base64
import csv
import hashlib
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
import tarfile
import tempfile
import venv
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DIST = os.path.join(ROOT, "dist")
FIXTURE = os.path.join(ROOT, "fixtures", "artifacts", "function-windows.zip")
GOOD_FIXTURE = os.path.join(ROOT, "fixtures", "artifacts", "function-clean.zip")
TARGET = "aws-lambda-python3.13-x86_64"
# glibc's libraries and its loader: the only DT_NEEDED the release may have.
GLIBC_SONAMES = {"libc.so.6", "libm.so.6", "libdl.so.2", "libpthread.so.0", "librt.so.1", "libutil.so.1",
                 "libresolv.so.2", "libanl.so.1", "libmvec.so.1", "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1"}
CACHE = os.environ.get("SHIPLINT_DIST_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "shiplint", "dist-tools")
TIMEOUT = 600
BUILD_TIMEOUT = 2400
# Issue #25 aims at an executable of at most 30 MB; it is 22.6 MB (docs/install.md#size: what each step bought). The
# ceiling catches a regression of the steps taken (full Foundation back in costs ~10 MB).
EXECUTABLE_TARGET_MB = 30
EXECUTABLE_CEILING_MB = 23


class Skip(Exception):
    pass


class Failed(Exception):
    pass


def run(arguments, timeout=TIMEOUT, **kwargs):
    return subprocess.run(arguments, capture_output=True, text=True, timeout=timeout, **kwargs)


def sha256(path):
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def bare_environment(**extra):
    environment = {"PATH": "/usr/bin:/bin", "LD_LIBRARY_PATH": "", "HOME": os.environ.get("HOME", "/root"),
                   "NO_COLOR": "1"}
    environment.update(extra)
    return environment


def git_environment():
    environment = dict(os.environ)
    for key in ("GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"):
        environment.setdefault(key, "shiplint test")
    for key in ("GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"):
        environment.setdefault(key, "test@example.invalid")
    return environment


class Release:
    """The files `make dist` wrote, found by name in dist/."""

    def __init__(self):
        tarballs = sorted(f for f in os.listdir(DIST) if re.fullmatch(r"shiplint-.+-linux-[^-]+\.tar\.gz", f))
        wheels = sorted(f for f in os.listdir(DIST) if re.fullmatch(r"shiplint-.+-py3-none-.+\.whl", f))
        if len(tarballs) != 1 or len(wheels) != 1:
            raise SystemExit(f"dist-test: expected one tarball and one wheel in dist/, found {tarballs + wheels}")
        self.tarball = os.path.join(DIST, tarballs[0])
        self.wheel = os.path.join(DIST, wheels[0])
        self.version = re.fullmatch(r"shiplint-(.+)-linux-[^-]+\.tar\.gz", tarballs[0]).group(1)
        self.platform_tag = re.fullmatch(r"shiplint-.+-py3-none-(.+)\.whl", wheels[0]).group(1)
        floor = re.fullmatch(r"manylinux_(\d+)_(\d+)_(x86_64|aarch64)", self.platform_tag)
        if not floor:
            raise SystemExit(f"dist-test: the wheel's platform tag {self.platform_tag} is not manylinux_X_Y_ARCH")
        self.floor = (int(floor.group(1)), int(floor.group(2)))
        self.arch = floor.group(3)
        # The Lambda runtime with the oldest glibc the floor promises: Amazon Linux 2 (glibc 2.26).
        self.floor_target = "aws-lambda-provided.al2-" + ("x86_64" if self.arch == "x86_64" else "arm64")
        self.below_target = f"manylinux2014-{self.arch}"  # glibc 2.17: below the floor


class Suite:
    def __init__(self, release, scratch):
        self.release = release
        self.scratch = scratch
        self.unpacked = None

    # -- tarball ---------------------------------------------------------------------------------------------

    def executable(self):
        """The tarball unpacked into the scratch folder (outside the checkout); the path of its shiplint."""
        if self.unpacked is None:
            folder = os.path.join(self.scratch, "unpacked")
            os.makedirs(folder)
            with tarfile.open(self.release.tarball) as tar:
                tar.extractall(folder, filter="data") if hasattr(tarfile, "data_filter") else tar.extractall(folder)
            self.unpacked = os.path.join(folder, os.path.basename(self.release.tarball)[:-len(".tar.gz")])
        return os.path.join(self.unpacked, "shiplint")

    def case_tarball_runs_bare(self):
        executable = self.executable()
        work = os.path.join(self.scratch, "elsewhere")
        os.makedirs(work, exist_ok=True)
        shutil.copy(FIXTURE, os.path.join(work, "function.zip"))
        version = run([executable, "--version"], cwd=work, env=bare_environment())
        if version.returncode != 0 or version.stdout.strip() != self.release.version:
            raise Failed(f"--version printed {version.stdout.strip()!r} (exit {version.returncode}), the tarball says "
                         f"{self.release.version}: {version.stderr.strip()[-300:]}")
        scan = run([executable, "scan", "function.zip", "--target", TARGET], cwd=work, env=bare_environment())
        if scan.returncode != 1:
            raise Failed(f"scan exited {scan.returncode}, expected 1: {(scan.stdout + scan.stderr).strip()[-400:]}")
        for expected in ("error[windows-binary]", "pydantic_core/_pydantic_core.cp313-win_amd64.pyd"):
            if expected not in scan.stdout:
                raise Failed(f"no {expected!r} in the scan: {scan.stdout.strip()[-400:]}")

    def case_tarball_needs_only_glibc(self):
        text = run(["readelf", "--dynamic", "--wide", self.executable()]).stdout
        needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", text)
        if not needed:
            raise Failed("readelf found no DT_NEEDED at all: " + text[:300])
        others = sorted(set(needed) - GLIBC_SONAMES)
        if others:
            raise Failed(f"DT_NEEDED has libraries other than glibc's: {', '.join(others)}")
        if re.search(r"\((RPATH|RUNPATH)\)", text):
            raise Failed("the executable has an RPATH/RUNPATH: " + re.search(r".*\((RPATH|RUNPATH)\).*", text).group(0))
        # What the loader really maps during a scan, dlopen included (ld.so's own trace).
        traced = run([self.executable(), "scan", FIXTURE, "--target", TARGET], cwd=self.scratch,
                     env=bare_environment(LD_DEBUG="libs"))
        loaded = set(re.findall(r"calling init: (\S+)", traced.stderr))
        if not loaded:
            raise Failed("LD_DEBUG=libs traced no library: " + traced.stderr[-300:])
        foreign = sorted(path for path in loaded if os.path.basename(path) not in GLIBC_SONAMES)
        if foreign:
            raise Failed("the loader mapped libraries other than glibc's: " + ", ".join(foreign))

    def case_executable_size(self):
        """The stripped executable's size, stated against issue #25's target; no full Foundation, CoreFoundation or ICU."""
        executable = self.executable()
        size = os.path.getsize(executable)
        verdict = "met" if size <= EXECUTABLE_TARGET_MB * 1e6 else "not met"
        print(f"  executable {size:,} bytes = {size / 1e6:.1f} MB (target <= {EXECUTABLE_TARGET_MB} MB: {verdict}; "
              f"ceiling {EXECUTABLE_CEILING_MB} MB)", flush=True)
        if size > EXECUTABLE_CEILING_MB * 1e6:
            raise Failed(f"{size / 1e6:.1f} MB, over the {EXECUTABLE_CEILING_MB} MB ceiling (docs/install.md#size)")
        with open(executable, "rb") as handle:
            content = handle.read()
        # ICU's common data package (ucmndata.h: magic da 27, format `CmnD` at 12), and names only full Foundation and
        # CoreFoundation carry (a class's name is kept in its metadata even stripped): none may be linked.
        if any(content[m.start() - 10:m.start() - 8] == b"\xda\x27" for m in re.finditer(b"CmnD", content)):
            raise Failed("an ICU data package is linked: full Foundation is back (docs/install.md#size)")
        found = [name.decode() for name in (b"NSRegularExpression", b"JSONSerialization", b"CFRunLoop", b"ucol_open") if name in content]
        if found:
            raise Failed(f"full Foundation, CoreFoundation or ICU is linked ({', '.join(found)}): docs/install.md#size")

    def case_tarball_contents(self):
        self.executable()
        folder = self.unpacked
        expected = ["LICENSE", "README.md", "CHANGELOG.md", "SHA256SUMS", "share/man/man1/shiplint.1",
                    "share/bash-completion/completions/shiplint", "share/zsh/site-functions/_shiplint",
                    "share/fish/vendor_completions.d/shiplint.fish"]
        missing = [f for f in expected if not os.path.isfile(os.path.join(folder, f))]
        if missing:
            raise Failed("missing from the tarball: " + ", ".join(missing))
        with open(os.path.join(folder, "share/man/man1/shiplint.1")) as handle:
            page = handle.read()
        if not page.startswith(".TH SHIPLINT 1") or "shiplint scan" not in page or ".SH EXIT STATUS" not in page:
            raise Failed("the man page lacks its title, the scan command or the exit statuses")
        jobs = re.search(r"\\-\\-jobs <jobs>\\fR\n(.*)", page)
        if not jobs or "(default: the number of cores)" not in jobs.group(1) or re.search(r"\(default: \d+\)", jobs.group(1)):
            raise Failed("the man page's --jobs does not say '(default: the number of cores)': "
                         + (jobs.group(1) if jobs else "no --jobs"))
        if shutil.which("man"):
            rendered = run(["man", "-l", os.path.join(folder, "share/man/man1/shiplint.1")], env=dict(os.environ, MANPAGER="cat", MANWIDTH="100"))
            if rendered.returncode != 0 or "--fail-on" not in rendered.stdout:
                raise Failed(f"man -l exited {rendered.returncode} or lost --fail-on: {rendered.stderr.strip()[:200]}")
        for path, word in (("share/bash-completion/completions/shiplint", "complete"),
                           ("share/zsh/site-functions/_shiplint", "#compdef shiplint"),
                           ("share/fish/vendor_completions.d/shiplint.fish", "complete -c 'shiplint'")):
            with open(os.path.join(folder, path)) as handle:
                script = handle.read()
            if word not in script or "scan" not in script:
                raise Failed(f"{path} has no {word!r} or no scan subcommand")
        if shutil.which("bash"):
            check = run(["bash", "-n", os.path.join(folder, "share/bash-completion/completions/shiplint")])
            if check.returncode != 0:
                raise Failed("bash -n rejects the completion script: " + check.stderr.strip()[:200])
        with open(os.path.join(folder, "LICENSE")) as handle:
            if "MIT License" not in handle.read():
                raise Failed("LICENSE is not the MIT license the README names")
        self.check_sums(os.path.join(folder, "SHA256SUMS"), folder,
                        sorted(set(expected + ["shiplint"]) - {"SHA256SUMS"}))
        self.check_sums(os.path.join(DIST, "SHA256SUMS"), DIST,
                        [os.path.basename(self.release.tarball), os.path.basename(self.release.wheel)])

    @staticmethod
    def check_sums(sums_file, folder, expected_names):
        lines = [line.split("  ", 1) for line in open(sums_file).read().splitlines()]
        names = sorted(name for _, name in lines)
        if names != sorted(expected_names):
            raise Failed(f"{sums_file} lists {names}, expected {sorted(expected_names)}")
        for digest, name in lines:
            if sha256(os.path.join(folder, name)) != digest:
                raise Failed(f"{sums_file}: wrong sha256 for {name}")

    # -- completions, in the real shells --------------------------------------------------------------------------

    COMPLETIONS = [  # (command line, a value that must be offered)
        ("shiplint scan --target python3.1", "python3.13"),
        ("shiplint scan x.zip --target nodejs22", "nodejs22.x-arm64"),
        ("shiplint checks show glibc", "glibc-too-new"),
        ("shiplint scan fixtures/artifacts/function-cl", "function-clean.zip"),
        ("shiplint scan --layer fixtures/artifacts/package/layer-py31", "layer-py312.zip"),
    ]

    def completion_environment(self):
        return bare_environment(PATH=os.path.dirname(self.executable()) + ":/usr/bin:/bin", HOME=self.scratch)

    def check_completions(self, shell, offered_for):
        problems = []
        for line, wanted in self.COMPLETIONS:
            offered = offered_for(line)
            if not any(value == wanted or value.endswith("/" + wanted) for value in offered):
                problems.append(f"{line!r} offers {offered[:8]}, not {wanted}")
        if problems:
            raise Failed(f"{shell}: " + "; ".join(problems))

    def case_completions_bash(self):
        script = os.path.join(self.unpacked_folder(), "share/bash-completion/completions/shiplint")
        driver = f"""source {shlex.quote(script)}
complete_line() {{
  COMP_LINE="$1"; COMP_POINT=${{#COMP_LINE}}
  read -ra COMP_WORDS <<< "$COMP_LINE"
  COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))
  COMPREPLY=()
  _shiplint shiplint "${{COMP_WORDS[$COMP_CWORD]}}" "${{COMP_WORDS[$COMP_CWORD-1]}}"
  printf '%s\\n' "${{COMPREPLY[@]}}"
}}
complete_line "$1"
"""
        def offered(line):
            result = run(["bash", "-c", driver, "bash", line], cwd=ROOT, env=self.completion_environment())
            return result.stdout.split()
        self.check_completions("bash", offered)

    def case_completions_zsh(self):
        if not shutil.which("zsh"):
            raise Failed("zsh is not installed (make dist-deps installs it)")
        folder = os.path.join(self.unpacked_folder(), "share/zsh/site-functions")
        def offered(line):
            result = run(["zsh", os.path.join(HERE, "complete_zsh.zsh"), folder, line], cwd=ROOT,
                         env=self.completion_environment())
            return result.stdout.split()
        self.check_completions("zsh", offered)

    def case_completions_fish(self):
        if not shutil.which("fish"):
            raise Failed("fish is not installed (make dist-deps installs it)")
        script = os.path.join(self.unpacked_folder(), "share/fish/vendor_completions.d/shiplint.fish")
        def offered(line):
            # Interactive (-i): fish 3 answers `commandline` only there.
            result = run(["fish", "-i", "-c", f"source {shlex.quote(script)}; complete -C {shlex.quote(line)}"],
                         cwd=ROOT, env=self.completion_environment())
            return [entry.split("\t")[0] for entry in result.stdout.splitlines()]
        self.check_completions("fish", offered)

    def unpacked_folder(self):
        self.executable()
        return self.unpacked

    # -- the floor --------------------------------------------------------------------------------------------

    def case_floor_binary_clean(self):
        """shiplint's own rules are the gate: its executable is clean against Amazon Linux 2 (provided.al2)."""
        executable = self.executable()
        result = run([executable, "scan", executable, "--target", self.release.floor_target, "--fail-on", "warning"],
                     env=bare_environment())
        if result.returncode != 0 or "0 errors, 0 warnings" not in result.stdout:
            raise Failed(f"shiplint on itself against {self.release.floor_target} exited {result.returncode}: "
                         + (result.stdout + result.stderr).strip()[-500:])

    def glibc_needs(self):
        text = run(["readelf", "--version-info", "--wide", self.executable()]).stdout
        return sorted({tuple(map(int, v.split("."))) for v in re.findall(r"Name: GLIBC_(\d+(?:\.\d+)+)", text)})

    def case_floor_readelf(self):
        """binutils' view of the version needs: no GLIBC_ node above the wheel tag's floor."""
        needs = self.glibc_needs()
        if not needs:
            raise Failed("readelf found no GLIBC_ version needs")
        above = [n for n in needs if n > self.release.floor]
        if above:
            raise Failed(f"the executable needs {', '.join('GLIBC_' + '.'.join(map(str, n)) for n in above)}, above "
                         f"the tag's glibc {self.release.floor[0]}.{self.release.floor[1]}")
        print(f"  highest need GLIBC_{'.'.join(map(str, needs[-1]))} (tag {self.release.platform_tag})")

    def case_floor_is_real(self):
        """Below the floor it is not clean: against manylinux2014 (glibc 2.17), glibc-too-new names the highest need."""
        executable = self.executable()
        highest = "GLIBC_" + ".".join(map(str, self.glibc_needs()[-1]))
        result = run([executable, "scan", executable, "--target", self.release.below_target], env=bare_environment())
        finding = next((line for line in result.stdout.splitlines() if "error[glibc-too-new] needs " in line), "")
        if result.returncode != 1 or highest not in finding:
            raise Failed(f"against {self.release.below_target} expected glibc-too-new ({highest}), got exit "
                         f"{result.returncode}: " + result.stdout.strip()[-400:])

    def case_floor_compat_definitions(self):
        """packaging/floor/glibc_compat.c, compiled for the floor as the release links it, does what glibc does."""
        sys.path.insert(0, HERE)
        import dist  # noqa: E402  (packaging/dist.py: the pinned zig it linked with)
        zig = dist.zig_executable()
        target = f"{self.release.arch}-linux-gnu.{self.release.floor[0]}.{self.release.floor[1]}"
        program = os.path.join(self.scratch, "compat_test")
        build = run([zig, "cc", "-target", target, "-O2", "-Wall", "-Werror", os.path.join(HERE, "floor", "compat_test.c"),
                     os.path.join(HERE, "floor", "glibc_compat.c"), "-o", program])
        if build.returncode != 0:
            raise Failed("cannot build compat_test.c: " + build.stderr.strip()[-400:])
        result = run([program])
        if result.returncode != 0:
            raise Failed(result.stdout.strip()[-400:])

    def case_floor_cxx_exception(self):
        """A C++ exception crosses the floor's unwinder (_dl_find_object answered by glibc_compat.c): toml++ throws on a
        rule file's syntax error, and shiplint reports it with exit status 2 instead of aborting."""
        broken = os.path.join(self.scratch, "broken-rule.toml")
        with open(broken, "w") as handle:
            handle.write('schema = 1\nname = "broken"\ndescription = [unclosed\n')
        result = run([self.executable(), "scan", FIXTURE, "--target", broken], env=bare_environment())
        if result.returncode != 2 or "broken-rule.toml" not in result.stderr or "line" not in result.stderr.lower():
            raise Failed(f"exit {result.returncode}: {(result.stdout + result.stderr).strip()[-400:]}")

    # -- the wheel --------------------------------------------------------------------------------------------

    def case_wheel_format(self):
        version, tag = self.release.version, self.release.platform_tag
        info, data = f"shiplint-{version}.dist-info", f"shiplint-{version}.data"
        with zipfile.ZipFile(self.release.wheel) as wheel:
            names = wheel.namelist()
            for required in (f"{info}/METADATA", f"{info}/WHEEL", f"{info}/RECORD", f"{info}/LICENSE",
                             f"{data}/scripts/shiplint"):
                if required not in names:
                    raise Failed(f"the wheel has no {required}")
            record = list(csv.reader(io.StringIO(wheel.read(f"{info}/RECORD").decode())))
            recorded = {row[0] for row in record}
            if recorded != set(names):
                raise Failed(f"RECORD and the archive differ: {sorted(recorded ^ set(names))[:5]}")
            for name, digest, size in record:
                if name == f"{info}/RECORD":
                    if digest or size:
                        raise Failed("RECORD lists a hash for itself")
                    continue
                content = wheel.read(name)
                expected = "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(content).digest()).rstrip(b"=").decode()
                if digest != expected or int(size) != len(content):
                    raise Failed(f"RECORD is wrong for {name}")
            fields = dict(line.split(": ", 1) for line in wheel.read(f"{info}/WHEEL").decode().splitlines() if line)
            if fields.get("Root-Is-Purelib") != "false" or fields.get("Tag") != f"py3-none-{tag}":
                raise Failed(f"WHEEL says {fields}")
            head = wheel.read(f"{info}/METADATA").decode().split("\n\n", 1)[0]
            metadata = {}
            for line in head.splitlines():
                key, _, value = line.partition(": ")
                metadata.setdefault(key, []).append(value)
            for key, value in (("Metadata-Version", "2.1"), ("Name", "shiplint"), ("Version", version),
                               ("License", "MIT")):
                if metadata.get(key) != [value]:
                    raise Failed(f"METADATA {key} is {metadata.get(key)}, expected {value}")
            if not metadata.get("Summary") or not metadata.get("Project-URL"):
                raise Failed("METADATA has no Summary or no Project-URL")
            mode = wheel.getinfo(f"{data}/scripts/shiplint").external_attr >> 16
            if mode & 0o111 != 0o111:
                raise Failed(f"the script is stored with mode {oct(mode)}, not executable")

    def case_wheel_clean_against_its_tag(self):
        """The wheel scanned as pip would install it on Amazon Linux 2: its one binary is clean there."""
        executable = self.executable()
        result = run([executable, "scan", self.release.wheel, "--target", self.release.floor_target,
                      "--fail-on", "warning"], env=bare_environment())
        if result.returncode != 0 or "1 binary" not in result.stdout or "0 errors, 0 warnings" not in result.stdout:
            raise Failed(f"shiplint on its wheel against {self.release.floor_target} exited {result.returncode}: "
                         + (result.stdout + result.stderr).strip()[-500:])

    def case_wheel_pip_install(self):
        environment = os.path.join(self.scratch, "wheel-venv")
        venv.EnvBuilder(with_pip=True, clear=True).create(environment)
        pip = run([os.path.join(environment, "bin", "python"), "-m", "pip", "install", "--no-index",
                   "--disable-pip-version-check", "--quiet", self.release.wheel])
        if pip.returncode != 0:
            raise Failed("pip install --no-index of the wheel failed: " + pip.stderr.strip()[-500:])
        installed = os.path.join(environment, "bin", "shiplint")
        if not os.access(installed, os.X_OK):
            raise Failed(f"pip installed no executable {installed}")
        path = os.path.join(environment, "bin") + ":/usr/bin:/bin"
        work = os.path.join(self.scratch, "pip-user")
        os.makedirs(work, exist_ok=True)
        shutil.copy(FIXTURE, os.path.join(work, "function.zip"))
        version = run(["shiplint", "--version"], cwd=work, env=bare_environment(PATH=path))
        if version.stdout.strip() != self.release.version:
            raise Failed(f"`shiplint --version` from the venv printed {version.stdout.strip()!r}, "
                         f"expected {self.release.version}")
        scan = run(["shiplint", "scan", "function.zip", "--target", TARGET], cwd=work, env=bare_environment(PATH=path))
        if scan.returncode != 1 or "error[windows-binary]" not in scan.stdout:
            raise Failed(f"scan from the venv exited {scan.returncode}: {(scan.stdout + scan.stderr).strip()[-300:]}")
        if not os.path.isfile(os.path.join(environment, "share", "man", "man1", "shiplint.1")):
            raise Failed("the wheel installed no man page into <venv>/share/man/man1")

    # -- every install line of the README and docs/, as written -------------------------------------------------------

    def user_environment(self, home):
        """A fresh virtual environment on PATH (pip from it), ~/.local/bin on PATH, no index: the release files only."""
        environment = os.path.join(home, "venv")
        venv.EnvBuilder(with_pip=True, clear=True).create(environment)
        path = f"{environment}/bin:{home}/.local/bin:/usr/bin:/bin"
        return bare_environment(PATH=path, HOME=home, PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")

    def release_folder(self, where):
        """A folder holding the release files as a download would: the wheel, the tarball, SHA256SUMS."""
        os.makedirs(where, exist_ok=True)
        for path in (self.release.wheel, self.release.tarball, os.path.join(DIST, "SHA256SUMS")):
            shutil.copy(path, where)
        return where

    @staticmethod
    def documents():
        return ["README.md"] + sorted(os.path.join("docs", f) for f in os.listdir(os.path.join(ROOT, "docs")) if f.endswith(".md"))

    def install_blocks(self):
        """(document, context, commands) of every ```sh block marked `<!-- install-test: release|checkout -->`."""
        found = []
        for document in self.documents():
            text = open(os.path.join(ROOT, document), encoding="utf-8").read()
            for context, block in re.findall(r"<!-- install-test: (\w+) -->\n```sh\n(.*?)```", text, re.S):
                found.append((document, context, block))
        return found

    def case_install_lines(self):
        """Each marked block runs as written (bash -e) where a user would run it: `release` in a folder holding the
        release files, `checkout` in the checkout; then the `shiplint` it put on PATH scans the Windows fixture."""
        blocks = self.install_blocks()
        contexts = sorted({(document, context) for document, context, _ in blocks})
        if len(blocks) < 4 or ("README.md", "checkout") not in contexts:
            raise Failed(f"expected the README's and docs/install.md's install blocks, found {contexts}")
        # `make install` builds again (make dist): last, so the files tested above are the ones it leaves.
        blocks.sort(key=lambda block: "make install" in block[2])
        for number, (document, context, commands) in enumerate(blocks, 1):
            home = os.path.join(self.scratch, f"install-{number}")
            os.makedirs(home)
            environment = self.user_environment(home)
            if context == "checkout":
                # A developer's checkout: the Swift toolchain on PATH, the Zig `make dist` already cached.
                environment["PATH"] += ":" + os.environ.get("PATH", "")
                environment["SHIPLINT_DIST_CACHE"] = CACHE
                # the compilers' module caches of this machine (a new HOME would rebuild every module)
                environment["XDG_CACHE_HOME"] = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
            folder = self.release_folder(os.path.join(home, "Downloads")) if context == "release" else ROOT
            # `make install` builds the release again: on a loaded 2-core machine that can take longer than a case may.
            result = run(["bash", "-e", "-c", commands], cwd=folder, env=environment,
                         timeout=BUILD_TIMEOUT if "make " in commands else TIMEOUT)
            if result.returncode != 0 or self.release.version not in result.stdout.split():
                raise Failed(f"{document} ({context}) exited {result.returncode}:\n{commands}"
                             + (result.stdout + result.stderr).strip()[-600:])
            scan = run(["shiplint", "scan", FIXTURE, "--target", "python3.13"], env=environment)
            if scan.returncode != 1 or "error[windows-binary]" not in scan.stdout:
                raise Failed(f"after {document} ({context}), `shiplint scan` exited {scan.returncode}: "
                             + (scan.stdout + scan.stderr).strip()[-300:])
            print(f"  ran {document} ({context}): {' / '.join(l for l in commands.splitlines() if l.strip())[:150]}")

    def workflow_install_lines(self):
        """`pip install tools/…whl` lines of the workflows and GitLab jobs quoted in the docs."""
        lines = set()
        for document in self.documents():
            text = open(os.path.join(ROOT, document), encoding="utf-8").read()
            for block in re.findall(r"^```yaml\n(.*?)^```", text, re.S | re.M):
                for line in re.findall(r"pip install tools/\S+", block):
                    lines.add(line)
        return sorted(lines)

    def case_workflow_install_lines(self):
        """The quoted workflows' `pip install tools/<wheel>` lines, with the wheel in tools/ as they say."""
        lines = self.workflow_install_lines()
        if not lines:
            raise Failed("no `pip install tools/…` line in the docs' workflows")
        home = os.path.join(self.scratch, "workflow-install")
        os.makedirs(os.path.join(home, "tools"))
        shutil.copy(self.release.wheel, os.path.join(home, "tools"))
        environment = self.user_environment(home)
        for line in lines:
            result = run(["bash", "-e", "-c", line + "\nshiplint --version"], cwd=home, env=environment)
            if result.returncode != 0 or self.release.version not in result.stdout.split():
                raise Failed(f"{line!r} exited {result.returncode}: " + (result.stdout + result.stderr).strip()[-400:])

    # -- the GitHub Action's steps, with a local tarball --------------------------------------------------------------

    def action_step(self, script, workspace, **inputs):
        """Runs action/<script> as the runner would: GITHUB_ACTION_PATH, RUNNER_*, GITHUB_PATH and GITHUB_OUTPUT."""
        files = {name: os.path.join(workspace, f"{name}.txt") for name in ("path", "output")}
        for path in files.values():
            open(path, "a").close()
        environment = bare_environment(
            GITHUB_ACTION_PATH=ROOT, RUNNER_OS="Linux", RUNNER_ARCH="X64", RUNNER_TEMP=os.path.join(workspace, "temp"),
            GITHUB_PATH=files["path"], GITHUB_OUTPUT=files["output"], HOME=workspace)
        environment.update(inputs)
        os.makedirs(environment["RUNNER_TEMP"], exist_ok=True)
        added = open(files["path"]).read().split()
        environment["PATH"] = ":".join(added + [environment["PATH"]])
        result = run(["bash", os.path.join(ROOT, "action", script)], cwd=workspace, env=environment)
        outputs = dict(line.split("=", 1) for line in open(files["output"]).read().splitlines() if "=" in line)
        return result, outputs

    def action_workspace(self, name, sums=True):
        workspace = os.path.join(self.scratch, name)
        os.makedirs(os.path.join(workspace, "tools"))
        os.makedirs(os.path.join(workspace, "build"))
        shutil.copy(self.release.tarball, os.path.join(workspace, "tools"))
        if sums:
            shutil.copy(os.path.join(DIST, "SHA256SUMS"), os.path.join(workspace, "tools"))
        shutil.copy(FIXTURE, os.path.join(workspace, "build", "function.zip"))
        return workspace

    def case_action_tarball(self):
        """The README's Action example (tarball in tools/, paths, target python3.13) on a pull request from a fork:
        installs and checks the tarball, annotates the finding, writes SARIF, does not upload, exits 1 in the end."""
        workspace = self.action_workspace("action")
        tarball = "tools/" + os.path.basename(self.release.tarball)
        readme = open(os.path.join(ROOT, "README.md")).read()
        if f"tarball: {tarball}" not in readme:
            raise Failed(f"the README's Action example does not install {tarball}")
        installed, _ = self.action_step("install.sh", workspace, SHIPLINT_TARBALL=tarball, SHIPLINT_ACTION_REF="main")
        if installed.returncode != 0 or f"matches tools/SHA256SUMS" not in installed.stdout:
            raise Failed("install.sh: " + (installed.stdout + installed.stderr).strip()[-400:])
        scanned, outputs = self.action_step(
            "scan.sh", workspace, SHIPLINT_PATHS="build/function.zip", SHIPLINT_TARGET="python3.13",
            SHIPLINT_SARIF="shiplint.sarif", SHIPLINT_UPLOAD="auto", SHIPLINT_EVENT="pull_request",
            SHIPLINT_FROM_FORK="true", SHIPLINT_FORMATS="junit=shiplint.xml")
        if scanned.returncode != 0 or outputs.get("exit-code") != "1" or outputs.get("upload") != "false":
            raise Failed(f"scan.sh exited {scanned.returncode}, outputs {outputs}: " + scanned.stdout.strip()[-400:])
        if "::error file=build/function.zip,title=shiplint windows-binary" not in scanned.stdout:
            raise Failed("no windows-binary annotation in the log: " + scanned.stdout.strip()[-400:])
        for report in ("shiplint.sarif", "shiplint.xml"):
            if not os.path.getsize(os.path.join(workspace, report)):
                raise Failed(f"scan.sh wrote no {report}")
        pushed, outputs = self.action_step(
            "scan.sh", workspace, SHIPLINT_PATHS="build/*.zip", SHIPLINT_TARGET="python3.13", SHIPLINT_EVENT="push",
            SHIPLINT_FAIL_ON="never")
        if outputs.get("exit-code") != "0" or outputs.get("upload") != "true":
            raise Failed(f"on a push with fail-on never (a glob for paths): outputs {outputs}")

    def case_action_refuses_a_changed_tarball(self):
        """A tarball that does not match the SHA256SUMS beside it is not installed."""
        workspace = self.action_workspace("action-tampered")
        tarball = os.path.join(workspace, "tools", os.path.basename(self.release.tarball))
        with open(tarball, "ab") as handle:
            handle.write(b"\0")
        installed, _ = self.action_step("install.sh", workspace, SHIPLINT_TARBALL=os.path.relpath(tarball, workspace))
        if installed.returncode == 0 or "does not match its SHA256SUMS" not in installed.stdout:
            raise Failed(f"exit {installed.returncode}: " + (installed.stdout + installed.stderr).strip()[-300:])

    def case_action_runner_without_a_build(self):
        """arm64 and macOS runners get a clear error naming what to do, not a download of a missing file."""
        workspace = self.action_workspace("action-arm")
        for runner_os, arch, words in (("Linux", "ARM64", "no arm64 build"), ("macOS", "ARM64", "Linux x86_64 only")):
            result, _ = self.action_step("install.sh", workspace, RUNNER_OS=runner_os, RUNNER_ARCH=arch)
            if result.returncode == 0 or words not in result.stdout:
                raise Failed(f"{runner_os}/{arch}: exit {result.returncode}: {result.stdout.strip()[-300:]}")

    def case_action_default_version(self):
        """Without a version, a ref that is not a tag installs the version the sources at that ref name."""
        workspace = self.action_workspace("action-version")
        fake = os.path.join(workspace, "fake-bin")  # a curl that only says what it was asked for (no download here)
        os.makedirs(fake)
        with open(os.path.join(fake, "curl"), "w") as handle:
            handle.write('#!/bin/sh\necho "curl $*"\nexit 22\n')
        os.chmod(os.path.join(fake, "curl"), 0o755)
        result, _ = self.action_step("install.sh", workspace, SHIPLINT_ACTION_REF="0123abc", SHIPLINT_TARBALL="",
                                     PATH=f"{fake}:/usr/bin:/bin")
        wanted = f"releases/download/v{self.release.version}/shiplint-{self.release.version}-linux-x86_64.tar.gz"
        if result.returncode == 0 or wanted not in result.stdout + result.stderr:
            raise Failed(f"expected an attempt at {wanted}: {(result.stdout + result.stderr).strip()[-300:]}")

    # -- pre-commit through the wheel ---------------------------------------------------------------------------

    def tools(self):
        """pre-commit and twine in a cached venv, setuptools and wheel in a cached wheelhouse; Skip without network."""
        if getattr(self, "tools_problem", None):
            raise Skip(self.tools_problem)
        python = os.path.join(CACHE, "venv", "bin", "python")
        wheelhouse = os.path.join(CACHE, "wheelhouse")
        ready = (all(os.path.exists(os.path.join(CACHE, "venv", "bin", tool)) for tool in ("pre-commit", "twine"))
                 and os.path.isdir(wheelhouse) and any(f.startswith("setuptools-") for f in os.listdir(wheelhouse)))
        if not ready:
            os.makedirs(CACHE, exist_ok=True)
            venv.EnvBuilder(with_pip=True, clear=True).create(os.path.join(CACHE, "venv"))
            pip = [python, "-m", "pip", "--disable-pip-version-check", "--quiet"]
            installed = run(pip + ["install", "pre-commit", "twine"])
            downloaded = run(pip + ["download", "--dest", wheelhouse, "--only-binary=:all:", "setuptools", "wheel"])
            for step in (installed, downloaded):
                if step.returncode != 0:
                    shutil.rmtree(os.path.join(CACHE, "venv"), ignore_errors=True)
                    self.tools_problem = ("cannot get pre-commit, twine and setuptools from PyPI (no network?): "
                                          + (step.stderr.strip().splitlines() or ["?"])[-1])
                    raise Skip(self.tools_problem)
        return os.path.join(CACHE, "venv", "bin"), wheelhouse

    def case_wheel_twine_check(self):
        """twine (PyPI's upload client) accepts the wheel's metadata and renders its long description."""
        tools, _ = self.tools()
        result = run([os.path.join(tools, "twine"), "check", "--strict", self.release.wheel])
        if result.returncode != 0 or "PASSED" not in result.stdout:
            raise Failed(f"twine check exited {result.returncode}: " + (result.stdout + result.stderr).strip()[-500:])

    def readme_snippet(self):
        """The README's pip-based .pre-commit-config.yaml, between its markers, as written."""
        text = open(os.path.join(ROOT, "README.md")).read()
        found = re.search(r"<!-- pre-commit-wheel-config -->\s*```yaml\n(.*?)```", text, re.S)
        if not found:
            raise Failed("README.md has no ```yaml block after <!-- pre-commit-wheel-config -->")
        snippet = found.group(1)
        if f"shiplint=={self.release.version}" not in snippet:
            raise Failed(f"the README's snippet does not pin shiplint=={self.release.version}")
        return snippet

    def project(self):
        folder = os.path.join(self.scratch, "precommit-project")
        if os.path.isdir(folder):
            return folder
        os.makedirs(os.path.join(folder, "build"))
        shutil.copy(FIXTURE, os.path.join(folder, "build", "bad.zip"))
        shutil.copy(GOOD_FIXTURE, os.path.join(folder, "build", "good.zip"))
        with open(os.path.join(folder, ".pre-commit-config.yaml"), "w") as handle:
            handle.write(self.readme_snippet())
        with open(os.path.join(folder, ".shiplint.toml"), "w") as handle:
            handle.write(f'version = 1\ntarget = "{TARGET}"\n')
        for command in (["git", "init", "-q"], ["git", "add", "-A"]):
            done = run(command, cwd=folder, env=git_environment())
            if done.returncode != 0:
                raise Failed(f"{' '.join(command)} failed: {done.stderr.strip()}")
        return folder

    def pre_commit(self, file):
        tools, wheelhouse = self.tools()
        pre_commit = os.path.join(tools, "pre-commit")
        folder = self.project()
        environment = git_environment()
        environment.update({"PRE_COMMIT_HOME": os.path.join(self.scratch, "pre-commit-home"), "NO_COLOR": "1",
                            "PIP_FIND_LINKS": f"{DIST} {wheelhouse}", "PIP_NO_INDEX": "1",
                            "PATH": "/usr/bin:/bin"})  # no shiplint on PATH: the hook must bring its own
        return run([pre_commit, "run", "--files", file, "--color", "never"], cwd=folder, env=environment)

    def case_pre_commit_files_pattern(self):
        """Both hooks (the repository's and the README's) match every archive shiplint reads, and nothing else."""
        hooks = open(os.path.join(ROOT, ".pre-commit-hooks.yaml")).read()
        patterns = {"pre-commit-hooks.yaml": re.search(r"^  files: (.+)$", hooks, re.M),
                    "README snippet": re.search(r"^\s+files: (.+)$", self.readme_snippet(), re.M)}
        for where, found in patterns.items():
            if not found:
                raise Failed(f"no files: pattern in the {where}")
            pattern = re.compile(found.group(1).strip())
            for name in ("f.zip", "w.whl", "a.tar", "a.tar.gz", "a.tgz", "a.tar.xz", "a.txz", "a.tar.zst", "a.tar.bz2",
                         "a.tbz2", "build/layer.zip"):
                if not pattern.search(name):
                    raise Failed(f"the {where} pattern {pattern.pattern} misses {name}")
            for name in ("notes.txt", "lib.so", "a.gz", "zip.py", "a.tar.gz.sha256"):
                if pattern.search(name):
                    raise Failed(f"the {where} pattern {pattern.pattern} matches {name}")

    def case_pre_commit_wheel_bad(self):
        result = self.pre_commit("build/bad.zip")
        output = result.stdout + result.stderr
        if result.returncode == 0 or "windows-binary" not in output or "Failed" not in output:
            raise Failed(f"exit {result.returncode} on a Windows build, expected a failure with windows-binary: "
                         + output.strip()[-600:])

    def case_pre_commit_wheel_good(self):
        result = self.pre_commit("build/good.zip")
        output = result.stdout + result.stderr
        if result.returncode != 0 or "Passed" not in output:
            raise Failed(f"exit {result.returncode} on function-clean.zip: " + output.strip()[-600:])


CASES = [
    ("tarball-runs-outside-checkout-without-ld-library-path", "case_tarball_runs_bare"),
    ("tarball-needs-only-glibc", "case_tarball_needs_only_glibc"),
    ("tarball-contents-and-sums", "case_tarball_contents"),
    ("executable-size", "case_executable_size"),
    ("completions-bash", "case_completions_bash"),
    ("completions-zsh", "case_completions_zsh"),
    ("completions-fish", "case_completions_fish"),
    ("floor-binary-clean-against-provided.al2", "case_floor_binary_clean"),
    ("floor-readelf-needs-at-most-the-tag", "case_floor_readelf"),
    ("floor-binary-fails-below-the-floor", "case_floor_is_real"),
    ("floor-compat-definitions", "case_floor_compat_definitions"),
    ("floor-cxx-exception-unwinds", "case_floor_cxx_exception"),
    ("wheel-record-wheel-metadata", "case_wheel_format"),
    ("wheel-clean-against-provided.al2", "case_wheel_clean_against_its_tag"),
    ("wheel-pip-install-no-index", "case_wheel_pip_install"),
    ("wheel-twine-check", "case_wheel_twine_check"),
    ("action-installs-tarball-and-scans", "case_action_tarball"),
    ("action-refuses-a-changed-tarball", "case_action_refuses_a_changed_tarball"),
    ("action-runner-without-a-build", "case_action_runner_without_a_build"),
    ("action-default-version-from-the-sources", "case_action_default_version"),
    ("workflow-install-lines", "case_workflow_install_lines"),
    ("pre-commit-files-cover-every-format", "case_pre_commit_files_pattern"),
    ("pre-commit-wheel-fails-bad-artifact", "case_pre_commit_wheel_bad"),
    ("pre-commit-wheel-passes-good-artifact", "case_pre_commit_wheel_good"),
    ("install-lines-as-written", "case_install_lines"),  # last: its `make install` runs make dist again
]


def main(argv=None):
    parser = argparse.ArgumentParser(description="Check dist/ (the tarball and the wheel) as a user would use them.")
    parser.add_argument("--scratch", help="work here and keep it (default: a temporary folder)")
    args = parser.parse_args(argv)
    release = Release()
    scratch = os.path.abspath(args.scratch or tempfile.mkdtemp(prefix="shiplint-dist-test-"))
    if os.path.commonpath([scratch, ROOT]) == ROOT:
        raise SystemExit("dist-test: the scratch folder must be outside the checkout")
    os.makedirs(scratch, exist_ok=True)
    counts = {"ok": 0, "FAIL": 0, "skip": 0}
    print(f"dist-test: {os.path.basename(release.tarball)}, {os.path.basename(release.wheel)}")
    try:
        suite = Suite(release, scratch)
        for name, method in CASES:
            try:
                getattr(suite, method)()
                print(f"ok {name}", flush=True)
                counts["ok"] += 1
            except Skip as reason:
                print(f"skip {name}: {reason}", flush=True)
                counts["skip"] += 1
            except Failed as problem:
                print(f"FAIL {name}: {problem}", flush=True)
                counts["FAIL"] += 1
            except subprocess.TimeoutExpired as timeout:
                print(f"FAIL {name}: timed out: {' '.join(map(str, timeout.cmd))[:200]}", flush=True)
                counts["FAIL"] += 1
    finally:
        if not args.scratch:
            shutil.rmtree(scratch, ignore_errors=True)
    print(f"dist-test: {counts['ok']} passed, {counts['FAIL']} failed, {counts['skip']} skipped")
    return 1 if counts["FAIL"] else 0


if __name__ == "__main__":
    sys.exit(main())
