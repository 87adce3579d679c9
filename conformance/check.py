#!/usr/bin/env python3
"""Run shiplint against real, pinned wheels and check its JSON against facts verified with readelf/objdump.

Usage: python3 conformance/check.py [--only NAME]... [--scratch DIR] [--cache DIR] [--timeout SECONDS]

The shiplint binary is $SHIPLINT, else .build/debug/shiplint under the repository root. Wheels come from the
cache of fetch.py (downloaded first when missing). Artifacts that cases build (function ZIPs, wheels with a
member deleted) go to a scratch folder: --scratch DIR keeps them there, otherwise a temporary folder is used
and removed.

Prints one line per case (`ok NAME`, `FAIL NAME: what differs`, `skip NAME: reason`), then one closing line
`conformance: N passed, N failed, N skipped`. Exit status: 0 when nothing failed (also when everything was
skipped for lack of network), 1 when a case failed, 2 when the suite files are malformed or there is no
shiplint binary.

Python 3 standard library only.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile

sys.dont_write_bytecode = True  # importing fetch must not leave __pycache__ in the repository
import fetch  # noqa: E402

REPO_ROOT = os.path.dirname(fetch.SUITE_DIR)
RUN_TIMEOUT = 300
# The exit status swift-argument-parser uses for a usage error, e.g. an unknown subcommand (EX_USAGE).
EXIT_USAGE = 64
NOT_IMPLEMENTED = re.compile(r"unknown (sub)?command|unexpected argument '?(inspect|scan|checks|explain)\b", re.IGNORECASE)
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

CASE_KEYS = {"name", "why", "command", "input", "target", "needs", "expect", "error"}
INPUT_KEYS = {"wheel", "delete", "zip", "unpack", "store", "under", "text"}
INSPECT_EXPECT_KEYS = {"exit", "kind", "only_these_binaries", "binaries"}
SCAN_EXPECT_KEYS = {"exit", "findings", "absent_checks", "no_errors", "grouped", "severities"}
EXPLAIN_EXPECT_KEYS = {"exit", "explained", "root_cause", "fix_contains", "seen"}
BINARY_KEYS = {"format", "arch", "bits", "endian", "needed", "needed_set", "soname", "rpath", "runpath",
               "interpreter", "version_needs", "max_versions", "problem"}


# ---------------------------------------------------------------------------------------------------------
# Reading cases.json strictly: a typo in an expectation must not turn into a case that silently passes.

def validate_cases(cases, pinned):
    names = set()
    for index, case in enumerate(cases):
        where = f"cases[{index}]"
        if not isinstance(case, dict):
            raise fetch.SuiteError(f"{where}: expected an object")
        where = f"case '{case.get('name', index)}'"
        _only_keys(case, CASE_KEYS, where)
        for key in ("name", "command", "input", "expect"):
            if key not in case:
                raise fetch.SuiteError(f"{where}: missing key '{key}'")
        if case["name"] in names:
            raise fetch.SuiteError(f"{where}: the name is used twice")
        names.add(case["name"])
        spec = case["input"]
        _only_keys(spec, INPUT_KEYS, f"{where} at 'input'")
        if ("zip" in spec) == ("wheel" in spec):
            raise fetch.SuiteError(f"{where} at 'input': give exactly one of 'wheel' and 'zip'")
        if "zip" in spec and "delete" in spec or "wheel" in spec and ("unpack" in spec or "store" in spec):
            raise fetch.SuiteError(f"{where} at 'input': 'delete' goes with 'wheel'; 'unpack' and 'store' with 'zip'")
        for name in fetch.wheels_of_input(spec):
            if name not in pinned:
                raise fetch.SuiteError(f"{where} at 'input': {name} is not pinned in wheels.tsv")
        expect = case["expect"]
        if case["command"] == "inspect":
            _only_keys(expect, INSPECT_EXPECT_KEYS, f"{where} at 'expect'")
            for path, facts in expect.get("binaries", {}).items():
                _only_keys(facts, BINARY_KEYS, f"{where} at 'expect.binaries.{path}'")
        elif case["command"] == "scan":
            _only_keys(expect, SCAN_EXPECT_KEYS, f"{where} at 'expect'")
            if "target" not in case:
                raise fetch.SuiteError(f"{where}: missing key 'target'")
            if "exit" not in expect:
                raise fetch.SuiteError(f"{where} at 'expect': missing key 'exit'")
            for pair in expect.get("findings", []):
                if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, str) for x in pair)):
                    raise fetch.SuiteError(f"{where} at 'expect.findings': each entry is [check id, path]")
            if not all(isinstance(x, str) for x in expect.get("absent_checks", [])):
                raise fetch.SuiteError(f"{where} at 'expect.absent_checks': expected a list of check ids")
            for entry in expect.get("severities", []):
                if not (isinstance(entry, list) and len(entry) == 4 and all(isinstance(x, str) for x in entry)
                        and entry[2] in ("error", "warning", "note")):
                    raise fetch.SuiteError(f"{where} at 'expect.severities': each entry is [check id, path, error|warning|note, message fragment]")
            for entry in expect.get("grouped", []):
                if not (isinstance(entry, list) and len(entry) == 3 and isinstance(entry[0], str) and isinstance(entry[1], str)
                        and isinstance(entry[2], int) and not isinstance(entry[2], bool) and entry[2] >= 1):
                    raise fetch.SuiteError(f"{where} at 'expect.grouped': each entry is [check id, first path, number of files]")
        elif case["command"] == "explain":
            _only_keys(expect, EXPLAIN_EXPECT_KEYS, f"{where} at 'expect'")
            for key in ("target", "error"):
                if key not in case:
                    raise fetch.SuiteError(f"{where}: missing key '{key}'")
            if "exit" not in expect or "explained" not in expect:
                raise fetch.SuiteError(f"{where} at 'expect': needs 'exit' and 'explained'")
        else:
            raise fetch.SuiteError(f"{where} at 'command': expected 'inspect', 'scan' or 'explain'")


def _only_keys(value, allowed, where):
    if not isinstance(value, dict):
        raise fetch.SuiteError(f"{where}: expected an object")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise fetch.SuiteError(f"{where}: unknown key '{unknown[0]}'")


# ---------------------------------------------------------------------------------------------------------
# Building artifacts. Entries are sorted and carry a fixed time and mode, so the same wheels give the same bytes.

class ArtifactError(Exception):
    pass


def build_input(spec, cache, folder):
    """The path to hand to shiplint: a cached wheel as is, or an artifact built into `folder`."""
    if "wheel" in spec and "delete" not in spec:
        return os.path.join(cache, spec["wheel"])
    os.makedirs(folder, exist_ok=True)
    if "wheel" in spec:
        return _wheel_without(os.path.join(cache, spec["wheel"]), spec["delete"], folder)
    members = {}
    # "under": the folder the wheels are unpacked into (a layer's `python/`, as `pip install --target python/`).
    under = spec.get("under", "")
    _check_member_name(under or "x")
    for wheel in spec.get("unpack", []):
        unpacked = _regular_members(os.path.join(cache, wheel))
        members.update({under + name: value for name, value in unpacked.items()})  # a later wheel wins a clash
    # "text": small files written as given (a handler that imports a module), 0644.
    for inner_path, text in spec.get("text", {}).items():
        _check_member_name(inner_path)
        members[inner_path] = (text.encode("utf-8"), 0o644)
    for inner_path, wheel in spec.get("store", {}).items():
        _check_member_name(inner_path)
        with open(os.path.join(cache, wheel), "rb") as f:
            members[inner_path] = (f.read(), 0o644)
    destination = os.path.join(folder, spec["zip"])
    _write_zip(destination, members)
    return destination


def _wheel_without(source, deleted, folder):
    members = _regular_members(source)
    for name in deleted:
        if name not in members:
            raise ArtifactError(f"{name} is not a member of {os.path.basename(source)}")
        del members[name]
    destination = os.path.join(folder, os.path.basename(source))  # same name: the wheel's tags stay visible
    _write_zip(destination, members)
    return destination


def _regular_members(path):
    """name -> (bytes, permission bits) for every file in a ZIP; folders are implied by the names."""
    members = {}
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            _check_member_name(info.filename)
            mode = (info.external_attr >> 16) & 0o777
            members[info.filename] = (archive.read(info), 0o755 if mode & 0o111 else 0o644)
    return members


def _check_member_name(name):
    if name.startswith("/") or "\\" in name or ".." in name.split("/"):
        raise ArtifactError(f"refusing member name {name!r}")


def _write_zip(destination, members):
    with zipfile.ZipFile(destination, "w") as archive:
        for name in sorted(members):
            data, mode = members[name]
            info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
            info.create_system = 3  # Unix, so the mode bits below are read
            info.external_attr = (0o100000 | mode) << 16
            archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)


# ---------------------------------------------------------------------------------------------------------
# Running shiplint.

class Skip(Exception):
    pass


class Shiplint:
    def __init__(self, executable):
        self.executable = executable
        self._check_ids = None

    def run(self, arguments):
        """(exit status, stdout, stderr); raises Skip when this build does not have the subcommand."""
        try:
            done = subprocess.run([self.executable, *arguments], capture_output=True, text=True,
                                  timeout=RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            return None, "", f"timed out after {RUN_TIMEOUT}s"
        if done.returncode == EXIT_USAGE or (done.returncode != 0 and NOT_IMPLEMENTED.search(done.stderr + done.stdout)):
            first = (done.stderr.strip() or done.stdout.strip()).splitlines()[:1]
            detail = f": {first[0][:160]}" if first else ""
            raise Skip(f"`shiplint {arguments[0]}` not implemented in this build (exit {done.returncode}{detail})")
        return done.returncode, done.stdout, done.stderr

    def has_check(self, check_id):
        if self._check_ids is None:
            status, out, err = self.run(["checks"])
            if status != 0:
                raise Skip(f"`shiplint checks` exited {status}, so cannot tell whether {check_id} exists")
            self._check_ids = set(re.findall(r"(?<![\w-])[a-z][a-z0-9]*(?:-[a-z0-9]+)+(?![\w-])", out))
        return check_id in self._check_ids


# ---------------------------------------------------------------------------------------------------------
# Comparing. Every function returns a list of differences, each a short phrase; empty means it matched.

def compare_inspect(case, path, status, out, err):
    expect = case["expect"]
    problems = []
    if status != expect.get("exit", 0):
        return [f"exit status {status}, expected {expect.get('exit', 0)}{_stderr_hint(err)}"]
    report, why = _parse_report(out)
    if report is None:
        return [why]
    artifact, why = _the_artifact(report, path)
    if artifact is None:
        return [why]
    if "kind" in expect and artifact.get("kind") != expect["kind"]:
        problems.append(f"kind {artifact.get('kind')!r}, expected {expect['kind']!r}")
    found = {}
    for binary in artifact.get("binaries") or []:
        if binary.get("path") in found:
            problems.append(f"binary {binary.get('path')} reported twice")
        found[binary.get("path")] = binary
    wanted = expect.get("binaries", {})
    for inner, facts in wanted.items():
        if inner not in found:
            problems.append(f"binary {inner} not reported")
            continue
        problems.extend(f"{inner}: {difference}" for difference in compare_binary(facts, found[inner]))
    if expect.get("only_these_binaries"):
        extra = sorted(set(found) - set(wanted), key=str)
        if extra:
            problems.append(f"unexpected binaries {', '.join(map(str, extra))}")
    return problems


def compare_binary(expected, actual):
    differences = []
    for key, want in expected.items():
        if key == "needed_set":
            got = actual.get("needed")
            if not isinstance(got, list) or set(got) != set(want):
                differences.append(f"needed {got!r}, expected the set {sorted(want)!r}")
        elif key == "version_needs":
            got = actual.get(key) or {}
            if not isinstance(got, dict) or {k: set(v) for k, v in got.items()} != {k: set(v) for k, v in want.items()}:
                differences.append(f"version_needs {_short(got)}, expected {_short(want)}")
        elif key == "max_versions":
            got = actual.get(key) or {}
            for family, version in want.items():
                if not isinstance(got, dict) or got.get(family) != version:
                    differences.append(f"max_versions.{family} {got.get(family) if isinstance(got, dict) else got!r}, expected {version!r}")
        elif actual.get(key) != want:  # an absent key counts as null
            differences.append(f"{key} {_short(actual.get(key))}, expected {_short(want)}")
    return differences


def _status_and_report(expect, status, out, err):
    """The exit-status problem, if any, and the parsed report (None with the reason when stdout is not one)."""
    problems = []
    if status != expect["exit"]:
        problems.append(f"exit status {status}, expected {expect['exit']}{_stderr_hint(err)}")
    report, why = _parse_report(out)
    return problems, report, why


def compare_scan(case, path, status, out, err):
    expect = case["expect"]
    problems, report, why = _status_and_report(expect, status, out, err)
    if report is None:
        return problems + [why]
    target = (report.get("target") or {}).get("name")
    if target != case["target"]:
        problems.append(f"target.name {target!r}, expected {case['target']!r}")
    artifact, why = _the_artifact(report, path)
    if artifact is None:
        return problems + [why]
    findings = artifact.get("findings") or []
    # [check, path]: a finding of that check about that file (one cause in several files is one finding whose
    # `files` lists them, the first being its `path`).
    pairs = {(f.get("check"), path) for f in findings
             for path in [file.get("path") for file in f.get("files") or []] or [f.get("path")]}
    for check, inner in expect.get("findings", []):
        if (check, inner) not in pairs:
            problems.append(f"no {check} finding on {inner}")
    for check in expect.get("absent_checks", []):
        hits = sorted(p for c, p in pairs if c == check)
        if hits:
            problems.append(f"unexpected {check} on {', '.join(map(str, hits))}")
    grouped = expect.get("grouped", [])
    for check, first, count in grouped:
        # One cause, one finding: the check has as many findings in the artifact as entries here (one, or one per
        # severity the files' reach gives them); each is on its first file in path order and lists every file
        # (`files`, the first included).
        of_check = [f for f in findings if f.get("check") == check]
        wanted = sum(1 for entry in grouped if entry[0] == check)
        on_first = [f for f in of_check if f.get("path") == first]
        if len(of_check) != wanted:
            problems.append(f"{len(of_check)} {check} findings, expected {wanted}, one listing {count} files")
        elif not on_first:
            problems.append(f"no {check} finding is on {first} (they are on {', '.join(str(f.get('path')) for f in of_check)})")
        else:
            files = [f.get("path") for f in on_first[0].get("files") or [{"path": first}]]
            if len(files) != count or files[0] != first or files != sorted(files):
                problems.append(f"the {check} finding lists {len(files)} files ({_short(files)}), expected {count} in path order from {first}")
    # [check, path, severity, fragment]: the finding of that check about that file has that severity and says that.
    for check, inner, severity, fragment in expect.get("severities", []):
        matching = [(f, file) for f in findings if f.get("check") == check
                    for file in (f.get("files") or [{"path": f.get("path"), "message": f.get("message")}]) if file.get("path") == inner]
        if not matching:
            problems.append(f"no {check} finding on {inner}")
            continue
        finding, file = matching[0]
        if finding.get("severity") != severity:
            problems.append(f"{check} on {inner} is {finding.get('severity')}, expected {severity}")
        message = file.get("message") or finding.get("message") or ""
        if fragment not in message:
            problems.append(f"{check} on {inner} says {message!r}, expected it to contain {fragment!r}")
    if expect.get("no_errors"):
        errors = sorted(f"{f.get('check')} on {f.get('path')}" for f in findings if f.get("severity") == "error")
        if errors:
            problems.append(f"error findings {'; '.join(errors)}")
        summary_errors = (report.get("summary") or {}).get("errors")
        if summary_errors != 0:
            problems.append(f"summary.errors {summary_errors!r}, expected 0")
    if problems:
        problems.append(f"findings were [{', '.join(sorted(f'{c} {p}' for c, p in pairs)) or 'none'}]")
    return problems


def compare_explain(case, path, status, out, err):
    """The error text must come back as one explanation whose root cause is the expected [check, path]."""
    expect = case["expect"]
    problems, report, why = _status_and_report(expect, status, out, err)
    if report is None:
        return problems + [why]
    explanations = report.get("explanations") or []
    if len(explanations) != 1:
        return problems + [f"expected one explanation, got {_short(explanations)}"]
    explanation = explanations[0]
    if explanation.get("explained") is not expect["explained"]:
        problems.append(f"explained {explanation.get('explained')!r}, expected {expect['explained']!r}")
    root = explanation.get("root_cause") or {}
    want = expect.get("root_cause")
    got = [root.get("check"), root.get("path")] if root else None
    if got != want:
        problems.append(f"root cause {got}, expected {want}")
    fix = explanation.get("fix") or ""
    if "fix_contains" in expect and expect["fix_contains"] not in fix:
        problems.append(f"fix {fix!r} does not contain {expect['fix_contains']!r}")
    if "seen" in expect and explanation.get("seen") != expect["seen"]:
        problems.append(f"seen {explanation.get('seen')!r} times, expected {expect['seen']!r}")
    return problems


def _parse_report(out):
    try:
        report = json.loads(out)
    except json.JSONDecodeError as error:
        return None, f"stdout is not JSON ({error}): {out[:120]!r}"
    if not isinstance(report, dict) or report.get("schema") != 1:
        return None, f"expected a JSON object with \"schema\": 1, got {_short(report)}"
    return report, None


def _the_artifact(report, path):
    artifacts = report.get("artifacts")
    if not isinstance(artifacts, list) or len(artifacts) != 1:
        return None, f"expected one entry in artifacts, got {_short(artifacts)}"
    if artifacts[0].get("path") != path:
        return None, f"artifacts[0].path {artifacts[0].get('path')!r}, expected {path!r}"
    return artifacts[0], None


def _stderr_hint(err):
    first = err.strip().splitlines()[:1]
    return f" (stderr: {first[0][:160]})" if first else ""


def _short(value, limit=200):
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= limit else text[:limit] + "…"


# ---------------------------------------------------------------------------------------------------------

def run_case(case, shiplint, cache, available, scratch):
    missing = [w for w in fetch.wheels_of_input(case["input"]) if w not in available]
    if missing:
        raise Skip(f"{missing[0]} is not in the cache (download failed)")
    if "needs" in case and not shiplint.has_check(case["needs"]):
        raise Skip(f"needs the {case['needs']} check, which `shiplint checks` does not list (not implemented in this build)")
    try:
        path = build_input(case["input"], cache, os.path.join(scratch, case["name"]))
    except (ArtifactError, OSError, zipfile.BadZipFile) as error:
        return [f"could not build the input: {error}"]
    if case["command"] == "inspect":
        status, out, err = shiplint.run(["inspect", path, "--format", "json"])
        return compare_inspect(case, path, status, out, err)
    if case["command"] == "explain":
        status, out, err = shiplint.run(["explain", path, "--target", case["target"], "--error", case["error"], "--format", "json"])
        return compare_explain(case, path, status, out, err)
    status, out, err = shiplint.run(["scan", path, "--target", case["target"], "--format", "json"])
    return compare_scan(case, path, status, out, err)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Check shiplint against pinned real wheels.")
    parser.add_argument("--only", action="append", metavar="NAME", help="run only this case (repeatable)")
    parser.add_argument("--scratch", help="build artifacts here and keep them (default: a temporary folder)")
    parser.add_argument("--cache", default=fetch.default_cache_dir(), help="wheel cache (default: %(default)s)")
    parser.add_argument("--timeout", type=float, default=60, help="seconds per wheel download (default: 60)")
    args = parser.parse_args(argv)

    try:
        pins = fetch.read_pins()
        cases = fetch.read_cases()
        validate_cases(cases, {pin.filename for pin in pins})
    except fetch.SuiteError as error:
        print(f"conformance: {error}", file=sys.stderr)
        return 2
    if args.only:
        unknown = sorted(set(args.only) - {case["name"] for case in cases})
        if unknown:
            print(f"conformance: no case named {unknown[0]}", file=sys.stderr)
            return 2
        cases = [case for case in cases if case["name"] in args.only]

    executable = os.environ.get("SHIPLINT") or os.path.join(REPO_ROOT, ".build", "debug", "shiplint")
    if not (os.path.isfile(executable) and os.access(executable, os.X_OK)):
        print(f"conformance: no shiplint binary at {executable}; build it (swift build) or set SHIPLINT",
              file=sys.stderr)
        print(f"conformance: 0 passed, 0 failed, {len(cases)} skipped")
        return 2

    needed = [pin for pin in pins if any(pin.filename in fetch.wheels_of_input(c["input"]) for c in cases)]
    available = fetch.ensure_wheels(needed, cases, args.cache, args.timeout)
    shiplint = Shiplint(os.path.abspath(executable))
    scratch = args.scratch or tempfile.mkdtemp(prefix="shiplint-conformance-")
    counts = {"ok": 0, "FAIL": 0, "skip": 0}
    try:
        for case in cases:
            try:
                problems = run_case(case, shiplint, args.cache, available, os.path.abspath(scratch))
            except Skip as reason:
                print(f"skip {case['name']}: {reason}")
                counts["skip"] += 1
                continue
            if problems:
                print(f"FAIL {case['name']}: {'; '.join(problems)}")
                counts["FAIL"] += 1
            else:
                print(f"ok {case['name']}")
                counts["ok"] += 1
            sys.stdout.flush()
    finally:
        if not args.scratch:
            shutil.rmtree(scratch, ignore_errors=True)
    print(f"conformance: {counts['ok']} passed, {counts['FAIL']} failed, {counts['skip']} skipped")
    return 1 if counts["FAIL"] else 0


if __name__ == "__main__":
    sys.exit(main())
