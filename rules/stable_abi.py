#!/usr/bin/env python3
"""Write rules/python/stable-abi.toml: every function and data symbol of CPython's Stable ABI with the version that
added it, for the `abi3-*` checks.

The facts are CPython's `Misc/stable_abi.toml` (https://github.com/python/cpython/blob/main/Misc/stable_abi.toml), as
packaged by abi3info (https://pypi.org/project/abi3info/, MIT, the data abi3audit judges wheels with). The wheel is
pinned by version and sha256 and read in place; nothing of it is copied but the symbol names and versions.

    python3 rules/stable_abi.py [--wheel abi3info-2026.9.25-py3-none-any.whl] [--out rules/python/stable-abi.toml]

Without --wheel the pinned wheel is fetched with `pip download` into a temporary folder.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

PIN = "abi3info==2026.9.25"
SHA256 = "d5cbf46f358a4e0cafa171572adb67e5dce14a1b316e3c9f577234dbafcd5214"


def load(wheel: Path):
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != SHA256:
        sys.exit(f"{wheel}: sha256 {digest}, expected {SHA256} ({PIN})")
    sys.path.insert(0, str(wheel))  # a wheel is importable as a zip
    from abi3info import _internal  # noqa: E402

    return _internal


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "python" / "stable-abi.toml")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        wheel = options.wheel
        if wheel is None:
            subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", scratch, PIN], check=True)
            wheel = next(Path(scratch).glob("abi3info-*.whl"))
        internal = load(wheel)
        rows = []
        for table, kind in ((internal._FUNCTIONS, "function"), (internal._DATAS, "data")):
            for item in table.values():
                ifdef = item.ifdef.name if item.ifdef else None
                rows.append((item.symbol.name, f"{item.added.major}.{item.added.minor}", kind, ifdef, item.abi_only))
    rows.sort()
    lines = [
        "# CPython's Stable ABI: each exported function and data symbol, the CPython version that added it to the Stable",
        "# ABI, and (after it) `windows` for symbols that exist only on Windows (ifdef MS_WINDOWS) and `abi-only` for",
        "# symbols that are in the Stable ABI but not the Limited API (called by public macros, or kept for old modules).",
        "# Source: CPython Misc/stable_abi.toml (https://github.com/python/cpython/blob/main/Misc/stable_abi.toml), as",
        f"# packaged by {PIN} (PyPI, sha256 {SHA256[:16]}…, the data abi3audit uses).",
        "# Written by rules/stable_abi.py; rerun it to update. Data for the abi3 checks, not a target.",
        "",
        "schema = 1",
        "",
        "[symbols]",
    ]
    for name, added, kind, ifdef, abi_only in rows:
        notes = [added] + (["windows"] if ifdef == "MS_WINDOWS" else []) + (["abi-only"] if abi_only else [])
        lines.append(f'{name} = "{" ".join(notes)}"')
    options.out.parent.mkdir(parents=True, exist_ok=True)
    options.out.write_text("\n".join(lines) + "\n")
    print(f"wrote {len(rows)} symbols to {options.out}")


if __name__ == "__main__":
    main()
