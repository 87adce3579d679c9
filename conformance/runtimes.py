#!/usr/bin/env python3
"""Java, Ruby and .NET functions built from real Debian packages, scanned and explained (issue 27).

Usage: python3 conformance/runtimes.py [--only NAME]... [--natives DIR]

The artifacts are made by fixtures/src/runtimes/debian_natives.py (Debian 12's zstd-jni, snappy-java, jansi,
sqlite-jdbc, ruby-ffi, SQLite and Mono.Cecil packages, pinned by version and sha256, cached in DIR: default
$SHIPLINT_DEBIAN_NATIVES, else .build/debian-natives) and run through $SHIPLINT (else .build/debug/shiplint):
`scan` cases assert every finding (check, severity, path inside the archive, fact) and the exit status; `explain`
cases run a public error text (runtime-texts/, sources in runtime-texts/sources.tsv) against the artifact and assert
the root cause's check and file, the fix's words and the exit status.

Prints one line per case (`ok NAME`, `FAIL NAME: what differs`, `skip NAME: reason`), then
`runtimes: N passed, N failed, N skipped`. A case is skipped only when the Debian archive cannot be reached and the
packages are not cached (the line says so); a failure is never counted as a skip. Exit status 0 when nothing failed,
1 when a case failed, 2 when runtimes.json is malformed or there is no shiplint binary.

Python 3 standard library only.
"""

import argparse
import json
import os
import subprocess
import sys

SUITE_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(SUITE_DIR)
RECIPE = os.path.join(REPO_ROOT, "fixtures/src/runtimes/debian_natives.py")
CASE_KEYS = {"name", "why", "artifact", "target", "explain", "expect"}
SCAN_KEYS = {"exit", "findings", "exactly", "absent_checks"}
FINDING_KEYS = {"check", "severity", "path", "fact", "mentions"}
EXPLAIN_KEYS = {"exit", "explained", "check", "file", "fix", "fix_not"}


class SuiteError(Exception):
    pass


def load_cases():
    with open(os.path.join(SUITE_DIR, "runtimes.json"), encoding="utf-8") as handle:
        suite = json.load(handle)
    if suite.get("schema") != 1 or not isinstance(suite.get("cases"), list):
        raise SuiteError("runtimes.json: expected {\"schema\": 1, \"cases\": [...]}")
    sources = {}
    with open(os.path.join(SUITE_DIR, "runtime-texts/sources.tsv"), encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                name, url = line.rstrip("\n").split("\t")
                sources[name] = url
    names = set()
    for case in suite["cases"]:
        where = f"case '{case.get('name', '?')}'"
        unknown = set(case) - CASE_KEYS
        if unknown or not {"name", "artifact", "target", "expect"} <= set(case):
            raise SuiteError(f"{where}: unknown keys {sorted(unknown)} or missing name/artifact/target/expect")
        if case["name"] in names:
            raise SuiteError(f"{where}: duplicate name")
        names.add(case["name"])
        allowed = EXPLAIN_KEYS if "explain" in case else SCAN_KEYS
        if set(case["expect"]) - allowed or "exit" not in case["expect"]:
            raise SuiteError(f"{where}: expect keys {sorted(case['expect'])}, allowed {sorted(allowed)} (exit required)")
        for finding in case["expect"].get("findings", []):
            if set(finding) - FINDING_KEYS or not {"check", "severity", "path"} <= set(finding):
                raise SuiteError(f"{where}: finding {finding}: keys {sorted(FINDING_KEYS)}, check/severity/path required")
        if "explain" in case:
            text = case["explain"]
            if text not in sources:
                raise SuiteError(f"{where}: text {text} has no source in runtime-texts/sources.tsv")
            if not os.path.exists(os.path.join(SUITE_DIR, "runtime-texts", text + ".txt")):
                raise SuiteError(f"{where}: runtime-texts/{text}.txt is missing")
    return suite["cases"]


def build_natives(folder):
    """The recipe's artifacts in `folder` (made once, then cached); (True, "") or (False, why they cannot be had)."""
    run = subprocess.run([sys.executable, RECIPE, folder], capture_output=True, text=True)
    if run.returncode == 3:
        return False, run.stderr.strip() or "the Debian archive cannot be reached"
    if run.returncode != 0:
        raise SuiteError(f"debian_natives.py failed ({run.returncode}): {run.stderr.strip()[-600:]}")
    return True, ""


def check_scan(case, report, status):
    expect = case["expect"]
    problems = []
    if status != expect["exit"]:
        problems.append(f"exit status {status}, expected {expect['exit']}")
    found = [f for artifact in report.get("artifacts", []) for f in artifact.get("findings", [])]
    for wanted in expect.get("findings", []):
        match = [f for f in found if all(f.get(k) == wanted[k] for k in ("check", "severity", "path"))]
        if not match:
            problems.append(f"no {wanted['severity']} [{wanted['check']}] at {wanted['path']}")
            continue
        if "fact" in wanted and wanted["fact"] not in [f.get("fact") for f in match]:
            problems.append(f"[{wanted['check']}] at {wanted['path']}: fact {[f.get('fact') for f in match]}, expected {wanted['fact']}")
        if "mentions" in wanted and not any(wanted["mentions"] in f.get("message", "") for f in match):
            problems.append(f"[{wanted['check']}] at {wanted['path']}: message lacks '{wanted['mentions']}': {match[0].get('message')}")
    if expect.get("exactly"):
        wanted = sorted((w["check"], w["severity"], w["path"]) for w in expect.get("findings", []))
        got = sorted((f["check"], f["severity"], f["path"]) for f in found)
        if wanted != got:
            extra = [g for g in got if g not in wanted]
            if extra:
                problems.append(f"findings not expected: {extra}")
    for check in expect.get("absent_checks", []):
        if any(f["check"] == check for f in found):
            problems.append(f"[{check}] reported: {[f['path'] for f in found if f['check'] == check]}")
    return problems


def check_explain(case, report, status):
    expect = case["expect"]
    problems = []
    if status != expect["exit"]:
        problems.append(f"exit status {status}, expected {expect['exit']}")
    explanations = report.get("explanations", [])
    if not explanations:
        return problems + ["no explanation (text not recognised)"]
    chosen = explanations[0]
    root = chosen.get("root_cause") or {}
    if chosen.get("explained") != expect.get("explained", True):
        problems.append(f"explained={chosen.get('explained')}: {chosen.get('summary')}")
    if "check" in expect and root.get("check") != expect["check"]:
        problems.append(f"root cause [{root.get('check')}] at {root.get('path')}, expected [{expect['check']}]")
    if "file" in expect:
        files = [root.get("path")] + [f.get("path") for f in chosen.get("files", [])]
        if expect["file"] not in files:
            problems.append(f"files {files}, expected {expect['file']}")
    fix = chosen.get("fix", "")
    problems += [f"fix lacks '{w}': {fix}" for w in expect.get("fix", []) if w not in fix]
    problems += [f"fix has '{w}': {fix}" for w in expect.get("fix_not", []) if w in fix]
    return problems


def run_case(case, shiplint, natives):
    artifact = os.path.join(natives, case["artifact"])
    if "explain" in case:
        text = os.path.join(SUITE_DIR, "runtime-texts", case["explain"] + ".txt")
        command = [shiplint, "explain", artifact, "--target", case["target"], "--no-config", "--error-file", text, "--format", "json"]
    else:
        command = [shiplint, "scan", artifact, "--target", case["target"], "--no-config", "--format", "json"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        return [f"exit {result.returncode}, output is not JSON: {result.stdout[:200]} {result.stderr[:300]}"]
    return (check_explain if "explain" in case else check_scan)(case, report, result.returncode)


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", action="append", default=[])
    parser.add_argument("--natives", default=os.environ.get("SHIPLINT_DEBIAN_NATIVES") or os.path.join(REPO_ROOT, ".build/debian-natives"))
    args = parser.parse_args(argv)
    shiplint = os.environ.get("SHIPLINT") or os.path.join(REPO_ROOT, ".build/debug/shiplint")
    try:
        cases = load_cases()
        if not os.path.exists(shiplint):
            raise SuiteError(f"no shiplint binary at {shiplint} (swift build --product shiplint)")
        cases = [c for c in cases if not args.only or c["name"] in args.only]
        available, why = build_natives(args.natives)
    except (SuiteError, OSError, json.JSONDecodeError) as error:
        print(f"runtimes: {error}", file=sys.stderr)
        return 2
    passed = failed = skipped = 0
    for case in cases:
        if not available:
            print(f"skip {case['name']}: {why}")
            skipped += 1
            continue
        problems = run_case(case, shiplint, args.natives)
        if problems:
            print(f"FAIL {case['name']}: " + "; ".join(problems))
            failed += 1
        else:
            print(f"ok {case['name']}")
            passed += 1
    print(f"runtimes: {passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
