"""The soak's builds: how each deployment is installed, and the Lambda target it is judged against.

A build is a name `<kind>/<target>`. The documented builds follow AWS's instructions for a Python deployment package
with native dependencies (Lambda developer guide, "Working with .zip file archives for Python Lambda functions", and
the knowledge-center article "lambda-python-package-compatible"):

    pip install --platform manylinux2014_x86_64 --target=<folder> --implementation cp --python-version 3.X \
        --only-binary=:all: --upgrade <package>

(`manylinux2014_aarch64` for arm64), one for every Lambda Python runtime on both architectures. The wrong builds are
the mistakes people make: the wheels of another OS, architecture, CPython or glibc floor installed into a function.

Python 3 standard library only.
"""

import dataclasses

PYTHONS = ["3.9", "3.10", "3.11", "3.12", "3.13", "3.14"]
ARCHES = {"x86_64": "x86_64", "arm64": "aarch64"}  # Lambda's name -> the wheel platform's


@dataclasses.dataclass(frozen=True)
class Build:
    name: str  # "<kind>/<target>"
    kind: str  # documented, windows, macos, arch, cpython, glibc, musl
    target: str  # the shiplint target the artifact is judged against: aws-lambda-python3.X-<arch>
    python: str  # the target's CPython X.Y
    arch: str  # the target's architecture as Lambda names it (x86_64, arm64)
    platforms: tuple  # --platform values given to pip
    pip_python: str  # --python-version given to pip (differs from `python` in the cpython build)
    uv_platform: str  # the same platform as uv's --python-platform names it (the lock is resolved with uv)

    def pip_arguments(self):
        arguments = []
        for platform in self.platforms:
            arguments += ["--platform", platform]
        return arguments + ["--implementation", "cp", "--python-version", self.pip_python, "--only-binary=:all:"]


def _target(python, arch):
    return f"aws-lambda-python{python}-{arch}"


def documented_builds():
    builds = []
    for python in PYTHONS:
        for arch, wheel_arch in ARCHES.items():
            target = _target(python, arch)
            builds.append(Build(f"documented/{target}", "documented", target, python, arch,
                                (f"manylinux2014_{wheel_arch}",), python, f"{wheel_arch}-manylinux2014"))
    return builds


def wrong_builds():
    """One deployment per mistake; each is judged against the target named in it."""
    return [
        Build("windows/" + _target("3.13", "x86_64"), "windows", _target("3.13", "x86_64"), "3.13", "x86_64", ("win_amd64",), "3.13", "x86_64-pc-windows-msvc"),
        Build("macos/" + _target("3.13", "arm64"), "macos", _target("3.13", "arm64"), "3.13", "arm64", ("macosx_14_0_arm64",), "3.13", "aarch64-apple-darwin"),
        # arm64 wheels in an x86_64 function, and the other way round
        Build("arch/" + _target("3.12", "x86_64"), "arch", _target("3.12", "x86_64"), "3.12", "x86_64", ("manylinux2014_aarch64",), "3.12", "aarch64-manylinux2014"),
        Build("arch/" + _target("3.12", "arm64"), "arch", _target("3.12", "arm64"), "3.12", "arm64", ("manylinux2014_x86_64",), "3.12", "x86_64-manylinux2014"),
        # wheels for CPython 3.12 in a python3.11 function
        Build("cpython/" + _target("3.11", "x86_64"), "cpython", _target("3.11", "x86_64"), "3.11", "x86_64", ("manylinux2014_x86_64",), "3.12", "x86_64-manylinux2014"),
        # the newest glibc floor pip will take, in an Amazon Linux 2 function (glibc 2.26). pip does not widen a
        # `manylinux_2_34` or `musllinux_1_2` --platform to older tags, so those are named too (as users do).
        Build("glibc/" + _target("3.11", "x86_64"), "glibc", _target("3.11", "x86_64"), "3.11", "x86_64", ("manylinux_2_34_x86_64", "manylinux_2_28_x86_64", "manylinux2014_x86_64"), "3.11", "x86_64-manylinux_2_34"),
        Build("glibc/" + _target("3.11", "arm64"), "glibc", _target("3.11", "arm64"), "3.11", "arm64", ("manylinux_2_34_aarch64", "manylinux_2_28_aarch64", "manylinux2014_aarch64"), "3.11", "aarch64-manylinux_2_34"),
        # Alpine (musl) wheels, on both architectures
        Build("musl/" + _target("3.13", "x86_64"), "musl", _target("3.13", "x86_64"), "3.13", "x86_64", ("musllinux_1_2_x86_64", "musllinux_1_1_x86_64"), "3.13", "x86_64-unknown-linux-musl"),
        Build("musl/" + _target("3.13", "arm64"), "musl", _target("3.13", "arm64"), "3.13", "arm64", ("musllinux_1_2_aarch64", "musllinux_1_1_aarch64"), "3.13", "aarch64-unknown-linux-musl"),
    ]


def all_builds():
    return {build.name: build for build in documented_builds() + wrong_builds()}
