#!/usr/bin/env python3
"""The public-text suite of `shiplint explain`: real error texts from public issues, each against an artifact that
reproduces it, judged by the rubric in README.md (right file, right cause, a fix that works on Lambda).

Usage: python3 Tests/corpus/check.py [--only NAME]... [--scratch DIR] [--cache DIR] [--timeout SECONDS] [--verbose]

Each case in cases.json names its text (texts/NAME.txt, verbatim from the URL in `source`), the target, the artifact
(built here from real wheels pinned in packages.tsv or conformance/wheels.tsv and cached like the conformance suite,
from committed fixture binaries in fixtures/bin, and from literal files) and what a right answer is. The shiplint
binary is $SHIPLINT, else .build/debug/shiplint.

Prints one line per case (`ok NAME`, `FAIL NAME: …`, `skip NAME: why`), then `corpus: N passed, N failed, N skipped`.
A case is skipped only when a pinned package is neither cached nor downloadable (no network); that is said. Exit
status: 0 when no case failed, 1 when one did, 2 when the suite's own files are malformed.

Python 3 standard library only.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

SUITE_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(SUITE_DIR))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(REPO_ROOT, "conformance"))
import fetch  # noqa: E402  (the conformance suite's pinned, cached downloads)

CASES_FILE = os.path.join(SUITE_DIR, "cases.json")
PINS_FILES = [os.path.join(SUITE_DIR, "packages.tsv"), fetch.PINS_FILE]
CASE_KEYS = {"name", "text", "source", "target", "function", "layers", "project", "as", "expect", "why", "gap"}
ARTIFACT_KEYS = {"unpack", "under", "files", "delete", "folder"}
EXPECT_KEYS = {"explained", "file", "check", "cause", "fix", "fix_not", "exit"}
FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def load_cases(cases_file=CASES_FILE):
    """The cases of `cases_file`; their texts' URLs are in the sources.tsv beside it."""
    with open(cases_file, encoding="utf-8") as f:
        document = json.load(f)
    if document.get("schema") != 1 or not isinstance(document.get("cases"), list):
        raise fetch.SuiteError(f"{cases_file}: expected {{\"schema\": 1, \"cases\": [...]}}")
    sources = {}
    with open(os.path.join(os.path.dirname(cases_file), "sources.tsv"), encoding="utf-8") as f:
        for line in f:
            if line.strip():
                name, url = line.rstrip("\n").split("\t")
                sources[name] = url
    names = set()
    for case in document["cases"]:
        where = f"case {case.get('name', '?')}"
        unknown = set(case) - CASE_KEYS
        if unknown:
            raise fetch.SuiteError(f"{where}: unknown keys {sorted(unknown)}")
        for key in ("name", "text", "target", "expect"):
            if key not in case:
                raise fetch.SuiteError(f"{where}: missing key '{key}'")
        if case["name"] in names:
            raise fetch.SuiteError(f"{where}: duplicate name")
        names.add(case["name"])
        unknown = set(case["expect"]) - EXPECT_KEYS
        if unknown:
            raise fetch.SuiteError(f"{where}: unknown expect keys {sorted(unknown)}")
        if "gap" in case and (set(case["gap"]) != {"problem", "why"} or not case["gap"]["why"]):
            raise fetch.SuiteError(f"{where}: gap needs exactly \"problem\" (the one problem expected) and \"why\"")
        if "explained" not in case["expect"]:
            raise fetch.SuiteError(f"{where}: expect.explained is required")
        for spec in [case.get("function")] + case.get("layers", []):
            if spec is not None and set(spec) - ARTIFACT_KEYS:
                raise fetch.SuiteError(f"{where}: unknown artifact keys {sorted(set(spec) - ARTIFACT_KEYS)}")
        text = os.path.join(SUITE_DIR, case["text"])
        if not os.path.isfile(text):
            raise fetch.SuiteError(f"{where}: no text {case['text']}")
        stem = os.path.splitext(os.path.basename(case["text"]))[0]
        if stem not in sources:
            raise fetch.SuiteError(f"{where}: {case['text']} has no source URL in sources.tsv")
        case["source"] = sources[stem]
    return document["cases"]


def wheels_needed(case):
    wheels = []
    for spec in [case.get("function")] + case.get("layers", []):
        if spec:
            wheels += spec.get("unpack", [])
    return wheels


def nested_zip(files, cache):
    """The bytes of a ZIP holding `files` (values as in build_artifact), deterministic like the artifacts."""
    folder = tempfile.mkdtemp(prefix="shiplint-corpus-jar-")
    try:
        path = build_artifact({"files": files}, cache, folder, "nested")
        with open(path, "rb") as f:
            return f.read()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def build_artifact(spec, cache, folder, name):
    """A ZIP (or, with "folder": true, a folder) holding the wheels' contents (under "under"), then "files", less
    "delete". A file's value is "fixture:PATH" (a committed test binary), "wheel:WHEEL!MEMBER" (one member of a pinned
    wheel), or text; a value may be {"from": value, "mode": octal string} for its Unix mode, or {"jar": files} for a
    JAR built from those files (nested in the artifact as a Java function's lib/*.jar is)."""
    members = {}  # path -> (bytes, mode)
    under = spec.get("under", "")
    for wheel in spec.get("unpack", []):
        with zipfile.ZipFile(os.path.join(cache, wheel)) as archive:
            for info in archive.infolist():
                if info.is_dir():
                    continue
                mode = (info.external_attr >> 16) & 0o777 or 0o644
                members[under + info.filename] = (archive.read(info), mode)
    for path, value in spec.get("files", {}).items():
        mode = None
        if isinstance(value, dict) and "jar" in value:
            # A JAR (or any ZIP) inside the artifact, built from its own "files" the same way (lib/*.jar of a Java
            # function: the JNI libraries are members of it).
            members[path] = (nested_zip(value["jar"], cache), 0o644)
            continue
        if isinstance(value, dict):
            mode = int(value["mode"], 8) if "mode" in value else None
            value = value["from"]
        if value.startswith("fixture:") and "!" in value:
            archive_path, member = value[len("fixture:"):].split("!", 1)
            with zipfile.ZipFile(os.path.join(REPO_ROOT, archive_path)) as archive:
                data = archive.read(member)
            default = 0o644
        elif value.startswith("fixture:"):
            source = os.path.join(REPO_ROOT, value[len("fixture:"):])
            with open(source, "rb") as f:
                data = f.read()
            default = 0o755 if os.access(source, os.X_OK) and not path.endswith((".so", ".node", ".pyd", ".dylib")) else 0o644
        elif value.startswith("wheel:"):
            wheel, member = value[len("wheel:"):].split("!", 1)
            with zipfile.ZipFile(os.path.join(cache, wheel)) as archive:
                data = archive.read(member)
            default = 0o644
        else:
            data = value.encode("utf-8")
            default = 0o644
        members[path] = (data, mode if mode is not None else default)
    for path in spec.get("delete", []):
        if path not in members:
            raise fetch.SuiteError(f"{name}: delete {path}: no such member")
        del members[path]
    if spec.get("folder"):
        root = os.path.join(folder, name)
        for path, (data, mode) in sorted(members.items()):
            destination = os.path.join(root, path)
            os.makedirs(os.path.dirname(destination), exist_ok=True)
            with open(destination, "wb") as f:
                f.write(data)
            os.chmod(destination, mode)
        return root
    destination = os.path.join(folder, name + ".zip")
    with zipfile.ZipFile(destination, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, (data, mode) in sorted(members.items()):
            info = zipfile.ZipInfo(path, FIXED_TIME)
            info.external_attr = (0o100000 | mode) << 16
            info.create_system = 3
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return destination


def build_project(case, cache, folder, function_path, layer_paths):
    """A deployment descriptor beside the built code ("project": {"file": NAME, "text": TEXT} with {code} and {layerN}
    replaced by the artifacts' paths relative to the project)."""
    project = case["project"]
    root = os.path.join(folder, "project")
    os.makedirs(root, exist_ok=True)
    text = project["text"].replace("{code}", os.path.relpath(function_path, root))
    for index, layer in enumerate(layer_paths):
        text = text.replace("{layer%d}" % (index + 1), os.path.relpath(layer, root))
    with open(os.path.join(root, project["file"]), "w", encoding="utf-8") as f:
        f.write(text)
    return root


def judge(case, report, status):
    """The rubric: (1) the file: the root cause's path, or a file the explanation names, is `file`; (2) the cause: the
    root cause's check is `check`, and/or `cause` is in the summary; (3) the fix: every `fix` fragment is in it and no
    `fix_not` fragment (another ecosystem's advice); (4) explained or not, as expected, with the exit status it means."""
    expect = case["expect"]
    problems = []
    explanations = report.get("explanations", [])
    if not explanations:
        return ["no explanation (text not recognised)"]
    # The explanation that carries the expected file or check, else the first.
    def matches(e):
        root = e.get("root_cause") or {}
        files = [f["path"] for f in e.get("files", [])]
        return (expect.get("file") in [root.get("path")] + files) or (expect.get("check") and root.get("check") == expect["check"])
    chosen = next((e for e in explanations if matches(e)), explanations[0])
    root = chosen.get("root_cause") or {}
    if chosen.get("explained") != expect["explained"]:
        problems.append(f"explained={chosen.get('explained')}, expected {expect['explained']}: {chosen.get('summary')}")
    if "file" in expect:
        files = [root.get("path")] + [f["path"] for f in chosen.get("files", [])]
        if expect["file"] not in files:
            problems.append(f"file {files}, expected {expect['file']}")
    if "check" in expect and root.get("check") != expect["check"]:
        problems.append(f"cause [{root.get('check')}], expected [{expect['check']}]")
    if "cause" in expect and expect["cause"] not in chosen.get("summary", ""):
        problems.append(f"cause '{expect['cause']}' not in summary: {chosen.get('summary')}")
    fix = chosen.get("fix", "")
    for fragment in expect.get("fix", []):
        if fragment not in fix:
            problems.append(f"fix lacks '{fragment}': {fix}")
    for fragment in expect.get("fix_not", []):
        if fragment in fix:
            problems.append(f"fix has '{fragment}': {fix}")
    wanted_status = expect.get("exit", 0 if expect["explained"] else 1)
    if status != wanted_status:
        problems.append(f"exit status {status}, expected {wanted_status}")
    return problems


def run_case(case, shiplint, cache, scratch, timeout, verbose):
    folder = os.path.join(scratch, case["name"])
    os.makedirs(folder, exist_ok=True)
    function = build_artifact(case["function"], cache, folder, "function") if case.get("function") else None
    layers = [build_artifact(spec, cache, folder, f"layer{i + 1}") for i, spec in enumerate(case.get("layers", []))]
    command = [shiplint, "explain"]
    if "project" in case:
        command += [build_project(case, cache, folder, function, layers)]
    else:
        command += [function or layers[0], "--target", case["target"]]
        for layer in (layers if function else layers[1:]):
            command += ["--layer", layer]
        if "as" in case:
            command += ["--as", case["as"]]
    command += ["--no-config", "--error-file", os.path.join(SUITE_DIR, case["text"]), "--format", "json"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        return [f"exit {result.returncode}, output is not JSON: {result.stdout[:200]} {result.stderr[:300]}"]
    problems = judge(case, report, result.returncode)
    if verbose or problems:
        for e in report.get("explanations", []):
            problems_note = "  " + json.dumps({k: e.get(k) for k in ("signal", "explained", "summary", "fix")})[:600]
            if verbose:
                print(problems_note)
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", action="append", default=[])
    parser.add_argument("--scratch")
    parser.add_argument("--cache", default=fetch.default_cache_dir())
    parser.add_argument("--timeout", type=int, default=120)
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--cases", default=CASES_FILE,
                        help="the cases file (default cases.json; heldout/cases.json is the held-out set)")
    args = parser.parse_args(argv)
    shiplint = os.environ.get("SHIPLINT", os.path.join(REPO_ROOT, ".build", "debug", "shiplint"))
    try:
        cases = load_cases(os.path.abspath(args.cases))
        pins = {}
        for path in PINS_FILES:
            if os.path.exists(path):
                for pin in fetch.read_pins(path):
                    pins[pin.filename] = pin
    except (fetch.SuiteError, OSError, ValueError) as error:
        print(f"corpus: {error}", file=sys.stderr)
        return 2
    if not os.access(shiplint, os.X_OK):
        print(f"corpus: no shiplint binary at {shiplint} (build it first, or set SHIPLINT)", file=sys.stderr)
        return 2
    if args.only:
        cases = [c for c in cases if c["name"] in args.only]
    for case in cases:
        for wheel in wheels_needed(case):
            if wheel not in pins:
                print(f"corpus: case {case['name']}: {wheel} is pinned in no packages.tsv", file=sys.stderr)
                return 2
    os.makedirs(args.cache, exist_ok=True)
    needed = sorted({w for c in cases for w in wheels_needed(c)})
    missing = set()
    unreachable = False
    for filename in needed:
        pin = pins[filename]
        if fetch.is_cached(pin, args.cache):
            continue
        if unreachable:
            missing.add(filename)
            continue
        try:
            fetch.download(pin, args.cache, 60)
        except fetch.NetworkDown as error:
            print(f"corpus: could not download {filename} ({error}); the cases that need it are skipped")
            missing.add(filename)
            unreachable = True
        except OSError as error:
            print(f"corpus: could not download {filename} ({error}); the cases that need it are skipped")
            missing.add(filename)
    scratch = args.scratch or tempfile.mkdtemp(prefix="shiplint-corpus-")
    passed = failed = skipped = gaps = 0
    try:
        for case in cases:
            lacking = [w for w in wheels_needed(case) if w in missing]
            if lacking:
                print(f"skip {case['name']}: needs {', '.join(lacking)}, which is neither cached nor downloadable")
                skipped += 1
                continue
            try:
                problems = run_case(case, shiplint, args.cache, scratch, args.timeout, args.verbose)
            except subprocess.TimeoutExpired:
                problems = [f"shiplint did not finish in {args.timeout} s"]
            gap = case.get("gap")
            if gap and problems == [gap["problem"]]:
                # A shortfall recorded with its reason (a check's gap, not explain's): exactly that problem, nothing
                # else, or the case fails; once it passes, the record must go.
                gaps += 1
                print(f"gap {case['name']}: {gap['problem']} ({gap['why']})")
            elif gap and not problems:
                failed += 1
                print(f"FAIL {case['name']}: passes now; remove its \"gap\" record")
            elif problems:
                failed += 1
                print(f"FAIL {case['name']}: " + "; ".join(problems))
            else:
                passed += 1
                print(f"ok {case['name']}")
    finally:
        if not args.scratch:
            shutil.rmtree(scratch, ignore_errors=True)
    print(f"corpus: {passed} passed, {failed} failed, {skipped} skipped" + (f", {gaps} known gaps" if gaps else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
