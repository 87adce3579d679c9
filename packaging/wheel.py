"""Write shiplint's wheel by hand, by the rules of the binary distribution format (PEP 427, PEP 491).

The wheel holds no Python: `shiplint-<v>.data/scripts/shiplint` is the executable (pip copies it to the
environment's bin/ and keeps it executable), `shiplint-<v>.data/data/share/…` the man page and completions, and
`shiplint-<v>.dist-info/` METADATA (core metadata 2.1), WHEEL (`Root-Is-Purelib: false`, the true platform tag),
LICENSE and RECORD (sha256 in urlsafe base64 without padding, sizes, RECORD itself without a hash). Entries are
sorted, dated 1980-01-01 and owned by nobody, so the same executable gives the same wheel bytes.
Python 3 standard library only.
"""

import base64
import hashlib
import os
import zipfile

SUMMARY = "Checks that the native code in an AWS Lambda package or wheel will load on the runtime it is deployed to"
PROJECT_URL = "https://github.com/shiplint/shiplint"
EPOCH = (1980, 1, 1, 0, 0, 0)


def record_hash(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")


def metadata(version, readme):
    lines = [
        "Metadata-Version: 2.1",
        "Name: shiplint",
        f"Version: {version}",
        f"Summary: {SUMMARY}",
        f"Home-page: {PROJECT_URL}",
        "License: MIT",
        "Keywords: aws,lambda,wheel,manylinux,elf,glibc,linter,ci",
        "Classifier: Development Status :: 4 - Beta",
        "Classifier: Environment :: Console",
        "Classifier: Intended Audience :: Developers",
        "Classifier: License :: OSI Approved :: MIT License",
        "Classifier: Operating System :: POSIX :: Linux",
        "Classifier: Topic :: Software Development :: Quality Assurance",
        f"Project-URL: Homepage, {PROJECT_URL}",
        f"Project-URL: Documentation, {PROJECT_URL}#readme",
        f"Project-URL: Changelog, {PROJECT_URL}/blob/main/CHANGELOG.md",
        f"Project-URL: Issues, {PROJECT_URL}/issues",
        "Description-Content-Type: text/markdown",
    ]
    return ("\n".join(lines) + "\n\n" + readme).encode("utf-8")


def wheel_file(platform_tag):
    return ("Wheel-Version: 1.0\n"
            "Generator: shiplint packaging/wheel.py\n"
            "Root-Is-Purelib: false\n"
            f"Tag: py3-none-{platform_tag}\n").encode("ascii")


def build_wheel(out_dir, version, platform_tag, executable, license_file, readme_file, data_files):
    """Writes dist/shiplint-<version>-py3-none-<platform_tag>.whl and returns its path."""
    data_dir = f"shiplint-{version}.data"
    info_dir = f"shiplint-{version}.dist-info"
    with open(readme_file, encoding="utf-8") as handle:
        readme = handle.read()
    with open(license_file, "rb") as handle:
        license_text = handle.read()
    with open(executable, "rb") as handle:
        binary = handle.read()

    entries = [(f"{data_dir}/scripts/shiplint", binary, 0o755)]
    for relative, source in sorted(data_files.items()):
        with open(source, "rb") as handle:
            entries.append((f"{data_dir}/data/{relative}", handle.read(), 0o644))
    entries.sort()
    entries += [
        (f"{info_dir}/LICENSE", license_text, 0o644),
        (f"{info_dir}/METADATA", metadata(version, readme), 0o644),
        (f"{info_dir}/WHEEL", wheel_file(platform_tag), 0o644),
    ]
    record_lines = [f"{name},{record_hash(data)},{len(data)}" for name, data, _ in entries]
    record_lines.append(f"{info_dir}/RECORD,,")
    entries.append((f"{info_dir}/RECORD", ("\n".join(record_lines) + "\n").encode("utf-8"), 0o644))

    path = os.path.join(out_dir, f"shiplint-{version}-py3-none-{platform_tag}.whl")
    with zipfile.ZipFile(path, "w") as archive:
        for name, data, mode in entries:
            info = zipfile.ZipInfo(name, date_time=EPOCH)
            info.external_attr = (0o100000 | mode) << 16
            info.create_system = 3  # Unix, so the modes count
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data, compresslevel=9)
    return path
