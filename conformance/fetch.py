#!/usr/bin/env python3
"""Download the pinned wheels of the conformance suite into a cache folder and verify their sha256.

Usage: python3 conformance/fetch.py [--cache DIR] [--timeout SECONDS]

The cache is $SHIPLINT_WHEEL_CACHE, else $XDG_CACHE_HOME/shiplint/wheels, else ~/.cache/shiplint/wheels.
A wheel already in the cache with the pinned sha256 is not downloaded again. A wheel that cannot be downloaded
(no network, HTTP error, wrong hash) is reported on one line and skipped; the cases that need it are skipped by
check.py. Exit status: 0 when every pinned wheel is in the cache afterwards, 1 when some are missing,
2 when wheels.tsv or cases.json is malformed. Writes nothing outside the cache folder.

Python 3 standard library only.
"""

import argparse
import dataclasses
import hashlib
import json
import os
import re
import sys
import urllib.error
import urllib.request

SUITE_DIR = os.path.dirname(os.path.abspath(__file__))
PINS_FILE = os.path.join(SUITE_DIR, "wheels.tsv")
CASES_FILE = os.path.join(SUITE_DIR, "cases.json")
PINS_HEADER = ["name", "version", "filename", "sha256", "url"]


class SuiteError(Exception):
    """A malformed wheels.tsv or cases.json: the suite itself is wrong, not shiplint."""


@dataclasses.dataclass(frozen=True)
class Pin:
    name: str
    version: str
    filename: str
    sha256: str
    url: str


def default_cache_dir():
    if os.environ.get("SHIPLINT_WHEEL_CACHE"):
        return os.environ["SHIPLINT_WHEEL_CACHE"]
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "shiplint", "wheels")


def read_pins(path=PINS_FILE):
    """The pinned wheels, in file order. Rejects a wrong header, a short row, a bad hash or a duplicate."""
    with open(path, encoding="utf-8") as f:
        lines = [line.rstrip("\n") for line in f if line.strip()]
    if not lines or lines[0].split("\t") != PINS_HEADER:
        raise SuiteError(f"{path}: first line must be the header {' '.join(PINS_HEADER)} (tab-separated)")
    pins, seen = [], set()
    for number, line in enumerate(lines[1:], start=2):
        fields = line.split("\t")
        if len(fields) != len(PINS_HEADER):
            raise SuiteError(f"{path}:{number}: expected {len(PINS_HEADER)} tab-separated fields, found {len(fields)}")
        pin = Pin(*fields)
        if not re.fullmatch(r"[0-9a-f]{64}", pin.sha256):
            raise SuiteError(f"{path}:{number}: sha256 must be 64 lowercase hex digits")
        if not pin.filename.endswith(".whl") or "/" in pin.filename or not pin.url.endswith("/" + pin.filename):
            raise SuiteError(f"{path}:{number}: filename must be a .whl name and the url must end with it")
        if pin.filename in seen:
            raise SuiteError(f"{path}:{number}: {pin.filename} is pinned twice")
        seen.add(pin.filename)
        pins.append(pin)
    return pins


def wheels_of_input(spec):
    """The wheel file names a case input is made from (see README.md, 'cases.json')."""
    names = []
    if "wheel" in spec:
        names.append(spec["wheel"])
    names.extend(spec.get("unpack", []))
    names.extend(spec.get("store", {}).values())
    return names


def read_cases(path=CASES_FILE):
    with open(path, encoding="utf-8") as f:
        try:
            suite = json.load(f)
        except json.JSONDecodeError as error:
            raise SuiteError(f"{path}: not valid JSON: {error}") from None
    if not isinstance(suite, dict) or suite.get("schema") != 1 or not isinstance(suite.get("cases"), list):
        raise SuiteError(f"{path}: expected an object with \"schema\": 1 and a \"cases\" list")
    return suite["cases"]


def cases_needing(cases):
    """How many cases need each wheel file."""
    counts = {}
    for case in cases:
        for name in set(wheels_of_input(case.get("input", {}))):
            counts[name] = counts.get(name, 0) + 1
    return counts


def sha256_of_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def is_cached(pin, cache):
    path = os.path.join(cache, pin.filename)
    return os.path.isfile(path) and sha256_of_file(path) == pin.sha256


class NetworkDown(Exception):
    """The host could not be reached at all; later downloads would fail the same way."""


def download(pin, cache, timeout):
    """Download one wheel into the cache through a .part file, so a half-written file never looks cached."""
    final = os.path.join(cache, pin.filename)
    partial = os.path.join(cache, "." + pin.filename + ".part")
    digest = hashlib.sha256()
    try:
        request = urllib.request.Request(pin.url, headers={"User-Agent": "shiplint-conformance-fetch"})
        with urllib.request.urlopen(request, timeout=timeout) as response, open(partial, "wb") as out:
            for block in iter(lambda: response.read(1 << 16), b""):
                digest.update(block)
                out.write(block)
    except urllib.error.HTTPError as error:
        _remove(partial)
        raise OSError(f"HTTP {error.code} {error.reason}") from None
    except urllib.error.URLError as error:
        _remove(partial)
        raise NetworkDown(f"network: {error.reason}") from None
    except (TimeoutError, ConnectionError) as error:
        _remove(partial)
        raise NetworkDown(f"network: {error}") from None
    if digest.hexdigest() != pin.sha256:
        _remove(partial)
        raise OSError(f"sha256 mismatch: got {digest.hexdigest()}, pinned {pin.sha256}")
    os.replace(partial, final)


def _remove(path):
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


def ensure_wheels(pins, cases, cache, timeout=60, log=print):
    """Make every pinned wheel available in the cache; return the set of file names that are.

    After the first failure to reach the host at all, the remaining downloads are not attempted
    (each would wait for the same timeout); they are reported with the same reason.
    """
    os.makedirs(cache, exist_ok=True)
    needing = cases_needing(cases)
    available, network_down = set(), None
    for pin in pins:
        if is_cached(pin, cache):
            available.add(pin.filename)
            continue
        try:
            if network_down:
                raise NetworkDown(network_down)
            download(pin, cache, timeout)
            available.add(pin.filename)
        except NetworkDown as error:
            network_down = str(error)
            _report(log, pin, network_down, needing)
        except OSError as error:
            _report(log, pin, str(error), needing)
    return available


def _report(log, pin, reason, needing):
    count = needing.get(pin.filename, 0)
    cases = "case that needs" if count == 1 else "cases that need"
    log(f"conformance: could not download {pin.filename} ({reason}); skipping {count} {cases} it")


def main(argv=None):
    parser = argparse.ArgumentParser(description="Download the pinned wheels of the conformance suite.")
    parser.add_argument("--cache", default=default_cache_dir(), help="cache folder (default: %(default)s)")
    parser.add_argument("--timeout", type=float, default=60, help="seconds per download (default: 60)")
    args = parser.parse_args(argv)
    try:
        pins, cases = read_pins(), read_cases()
    except SuiteError as error:
        print(f"conformance: {error}", file=sys.stderr)
        return 2
    available = ensure_wheels(pins, cases, args.cache, args.timeout)
    print(f"conformance: {len(available)} of {len(pins)} pinned wheels in {args.cache}")
    return 0 if len(available) == len(pins) else 1


if __name__ == "__main__":
    sys.exit(main())
