#!/usr/bin/env python3
"""Check shiplint's CI integrations with the real tools that consume them.

Usage: python3 conformance/ci_formats.py [--scratch DIR]

- sarif-*: the SARIF of the demo scans validates against the official SARIF 2.1.0 schema
  (../shared/reference/sarif-schema-2.1.0.json beside the repository) with the `jsonschema` package, and meets what
  GitHub code scanning needs (rules with helpUri, a location and partialFingerprints on every result, fingerprints
  stable from run to run).
- junit-*: the JUnit XML parses with the `junitparser` package, with the suites, cases and failures expected.
- pre-commit-*: the hook in .pre-commit-hooks.yaml (committed into a scratch hook repository, so an uncommitted
  edit is tested too) runs through the real framework (`pre-commit try-repo`) in a scratch git project with a
  .shiplint.toml from `shiplint init`, and fails on a bad artifact, passes on a good one.

The packages are installed from PyPI into a scratch virtual environment (`jsonschema` already on this machine is
used when the install fails). A case whose tool cannot be had says so in a `skip NAME: reason` line. The shiplint
binary is $SHIPLINT, else .build/debug/shiplint; `shiplint` on PATH for the hook is that binary.

Prints one line per case (`ok NAME`, `FAIL NAME: what differs`, `skip NAME: reason`), then one closing line
`ci-formats: N passed, N failed, N skipped`. Exit status: 0 when nothing failed (also when all was skipped), 1 when a
case failed, 2 when there is no shiplint binary.

Python 3 standard library only (the packages above run inside the scratch environment).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import venv

SUITE_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(SUITE_DIR)
SCHEMA = os.path.join(os.path.dirname(REPO_ROOT), "shared", "reference", "sarif-schema-2.1.0.json")
FIXTURES = os.path.join(REPO_ROOT, "fixtures", "artifacts")
PACKAGES = ["pre-commit", "junitparser", "jsonschema"]
RUN_TIMEOUT = 300

# The scans `make demo` shows, and one cause in several files (SARIF related locations): (artifact, target).
DEMO = [
    ("function-windows.zip", "aws-lambda-python3.13-x86_64"),
    ("function-glibc228.zip", "aws-lambda-python3.11-x86_64"),
    ("function-clean.zip", "aws-lambda-python3.13-x86_64"),
    ("grouped/function.zip", "aws-lambda-python3.13-x86_64"),
]

VALIDATE_SARIF = """
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
validator = jsonschema.Draft4Validator(schema)
errors = sorted(validator.iter_errors(json.load(open(sys.argv[2]))), key=lambda e: list(e.path))
for error in errors[:5]:
    print("/".join(str(p) for p in error.path) + ": " + error.message)
sys.exit(1 if errors else 0)
"""

PARSE_JUNIT = """
import json, sys
from junitparser import JUnitXml, Failure
xml = JUnitXml.fromfile(sys.argv[1])
suites = []
for suite in xml:
    cases = list(suite)
    failures = sum(1 for case in cases for result in case.result if isinstance(result, Failure))
    suites.append({"name": suite.name, "tests": suite.tests, "cases": len(cases), "failures": failures,
                   "declared_failures": suite.failures,
                   "failed": sorted(case.name for case in cases if any(isinstance(r, Failure) for r in case.result))})
print(json.dumps(suites))
"""


class Skip(Exception):
    pass


class Failed(Exception):
    pass


def run(arguments, **kwargs):
    return subprocess.run(arguments, capture_output=True, text=True, timeout=RUN_TIMEOUT, **kwargs)


class Environment:
    """A scratch virtual environment with whatever of PACKAGES could be installed."""

    def __init__(self, folder):
        self.folder = folder
        self.python = None
        self.available = set()
        self.problems = {}

    def prepare(self):
        try:
            venv.EnvBuilder(with_pip=True, clear=True).create(self.folder)
        except Exception as error:  # no ensurepip, read-only disk …
            for package in PACKAGES:
                self.problems[package] = f"cannot create a virtual environment: {error}"
            self._fall_back_to_system()
            return
        self.python = os.path.join(self.folder, "bin", "python")
        pip = [self.python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        result = run(pip + PACKAGES)
        if result.returncode != 0:
            for package in PACKAGES:  # one by one, to keep what can be had
                single = run(pip + [package])
                if single.returncode != 0:
                    self.problems[package] = "pip install failed: " + (single.stderr.strip().splitlines() or ["?"])[-1]
        for package in PACKAGES:
            if package not in self.problems:
                self.available.add(package)
        if "jsonschema" not in self.available:
            self._fall_back_to_system()

    def _fall_back_to_system(self):
        if run([sys.executable, "-c", "import jsonschema"]).returncode == 0:
            self.available.add("jsonschema")
            self.problems.pop("jsonschema", None)
            self.system_jsonschema = True

    def need(self, package):
        if package not in self.available:
            raise Skip(f"could not install {package} ({self.problems.get(package, 'unknown reason')})")

    def python_for(self, package):
        if package == "jsonschema" and getattr(self, "system_jsonschema", False):
            return sys.executable
        return self.python

    def tool(self, name):
        return os.path.join(self.folder, "bin", name)


class Suite:
    def __init__(self, shiplint, environment, scratch):
        self.shiplint = shiplint
        self.environment = environment
        self.scratch = scratch

    def scan(self, arguments, cwd=REPO_ROOT):
        return run([self.shiplint, "scan", "--no-config"] + arguments, cwd=cwd)

    # -- SARIF ---------------------------------------------------------------------------------------------

    def sarif_of_demo(self, artifact, target):
        result = self.scan([os.path.join("fixtures", "artifacts", artifact), "--target", target, "--format", "sarif"])
        if result.returncode not in (0, 1):
            raise Failed(f"scan exited {result.returncode}: {result.stderr.strip()}")
        return result.stdout

    def case_sarif_schema(self, artifact, target):
        if not os.path.isfile(SCHEMA):
            raise Skip(f"no SARIF schema at {SCHEMA} (it lives in the shared reference folder beside the repository)")
        self.environment.need("jsonschema")
        path = os.path.join(self.scratch, artifact.replace("/", "-") + ".sarif")
        with open(path, "w") as handle:
            handle.write(self.sarif_of_demo(artifact, target))
        result = run([self.environment.python_for("jsonschema"), "-c", VALIDATE_SARIF, SCHEMA, path])
        if result.returncode != 0:
            raise Failed("not valid SARIF 2.1.0: " + (result.stdout + result.stderr).strip().replace("\n", "; "))

    def case_sarif_code_scanning(self):
        first = self.sarif_of_demo(*DEMO[0])
        if first != self.sarif_of_demo(*DEMO[0]):
            raise Failed("two runs gave different bytes")
        document = json.loads(first)
        run_ = document["runs"][0]
        rules = run_["tool"]["driver"]["rules"]
        ids = [rule["id"] for rule in rules]
        listed = run([self.shiplint, "checks"], cwd=REPO_ROOT).stdout.split()
        for rule in rules:
            for key in ("id", "name", "shortDescription", "fullDescription", "help", "helpUri", "defaultConfiguration"):
                if key not in rule:
                    raise Failed(f"rule {rule.get('id')} has no {key}")
            if rule["helpUri"] != "https://github.com/shiplint/shiplint/blob/main/docs/checks.md#check-" + rule["id"]:
                raise Failed(f"rule {rule['id']}: helpUri {rule['helpUri']}")
        missing = [word for word in listed if word in ids] != [i for i in ids if i in listed]
        if missing:
            raise Failed("rules are not in `shiplint checks` order")
        results = run_["results"]
        pyd = "fixtures/artifacts/function-windows.zip/pydantic_core/_pydantic_core.cp313-win_amd64.pyd"
        on_pyd = {r["ruleId"] for r in results if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == pyd}
        if not {"windows-binary", "python-abi-mismatch"} <= on_pyd:
            raise Failed(f"expected windows-binary and python-abi-mismatch at {pyd}, got {sorted(on_pyd)}")
        for result in results:
            uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            if not uri.startswith("fixtures/artifacts/function-windows.zip/"):
                raise Failed(f"location {uri} is not inside the artifact")
            if result["locations"][0]["physicalLocation"]["region"] != {"startLine": 1}:
                raise Failed("region is not startLine 1")
            if ids[result["ruleIndex"]] != result["ruleId"]:
                raise Failed(f"ruleIndex of {result['ruleId']} points at {ids[result['ruleIndex']]}")
            if not result.get("partialFingerprints"):
                raise Failed(f"{result['ruleId']} has no partialFingerprints")
        prints = [json.dumps(r["partialFingerprints"], sort_keys=True) for r in results]
        if len(set(prints)) != len(prints):
            raise Failed("two different findings share a fingerprint")

    # -- JUnit ---------------------------------------------------------------------------------------------

    def case_junit_parses(self):
        self.environment.need("junitparser")
        path = os.path.join(self.scratch, "demo.xml")
        windows = os.path.join("fixtures", "artifacts", "function-windows.zip")
        clean = os.path.join("fixtures", "artifacts", "function-clean.zip")
        result = self.scan([windows, clean, "--target", "aws-lambda-python3.13-x86_64", "--format", "junit", "--output", path])
        if result.returncode != 1:
            raise Failed(f"scan exited {result.returncode}, expected 1: {result.stderr.strip()}")
        parsed = run([self.environment.python, "-c", PARSE_JUNIT, path])
        if parsed.returncode != 0:
            raise Failed("junitparser could not read it: " + parsed.stderr.strip().splitlines()[-1])
        suites = json.loads(parsed.stdout)
        if [suite["name"] for suite in suites] != [windows, clean]:
            raise Failed(f"suites {[suite['name'] for suite in suites]}")
        bad, good = suites
        if bad["failures"] != 2 or bad["declared_failures"] != 2:
            raise Failed(f"function-windows.zip: {bad['failures']} failure elements, failures={bad['declared_failures']}")
        if not any("windows-binary" in name for name in bad["failed"]):
            raise Failed(f"no failing windows-binary case: {bad['failed']}")
        if good["failures"] != 0 or good["cases"] == 0:
            raise Failed(f"function-clean.zip: {good['cases']} cases, {good['failures']} failures")
        for suite in suites:
            if suite["tests"] != suite["cases"]:
                raise Failed(f"{suite['name']}: tests={suite['tests']} but {suite['cases']} cases")

    # -- pre-commit ----------------------------------------------------------------------------------------

    def project(self):
        """A scratch git repository with a bad and a good artifact and a .shiplint.toml naming the target."""
        folder = os.path.join(self.scratch, "project")
        if os.path.isdir(folder):
            return folder
        os.makedirs(os.path.join(folder, "build"))
        shutil.copy(os.path.join(FIXTURES, "function-windows.zip"), os.path.join(folder, "build", "bad.zip"))
        shutil.copy(os.path.join(FIXTURES, "function-clean.zip"), os.path.join(folder, "build", "good.zip"))
        init = run([self.shiplint, "init", "--target", "aws-lambda-python3.13-x86_64"], cwd=folder)
        if init.returncode != 0:
            raise Failed(f"shiplint init exited {init.returncode}: {init.stderr.strip()}")
        for command in (["git", "init", "-q"], ["git", "add", "-A"]):
            done = run(command, cwd=folder)
            if done.returncode != 0:
                raise Skip(f"{' '.join(command)} failed: {done.stderr.strip()}")
        return folder

    def hook_repository(self, environment):
        """A git repository holding this working tree's .pre-commit-hooks.yaml, committed: `try-repo` on the real
        repository would use its last commit and miss an uncommitted hook file, and `language: system` needs
        nothing else from it."""
        folder = os.path.join(self.scratch, "hook-repo")
        if not os.path.isdir(folder):
            os.makedirs(folder)
            shutil.copy(os.path.join(REPO_ROOT, ".pre-commit-hooks.yaml"), folder)
            for command in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-q", "-m", "hook"]):
                done = run(command, cwd=folder, env=environment)
                if done.returncode != 0:
                    raise Skip(f"{' '.join(command)} failed: {done.stderr.strip()}")
        return folder

    def try_repo(self, file):
        self.environment.need("pre-commit")
        if shutil.which("git") is None:
            raise Skip("no git on PATH")
        folder = self.project()
        environment = dict(os.environ)
        environment["PATH"] = os.path.dirname(self.shiplint) + os.pathsep + environment.get("PATH", "")
        environment["PRE_COMMIT_HOME"] = os.path.join(self.scratch, "pre-commit-home")
        environment["NO_COLOR"] = "1"
        for key in ("GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"):
            environment.setdefault(key, "shiplint test")
        for key in ("GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"):
            environment.setdefault(key, "test@example.invalid")
        hooks = self.hook_repository(environment)
        return run([self.environment.tool("pre-commit"), "try-repo", hooks, "shiplint", "--files", file, "--color", "never"],
                   cwd=folder, env=environment)

    def case_pre_commit_bad(self):
        result = self.try_repo("build/bad.zip")
        output = result.stdout + result.stderr
        if result.returncode == 0:
            raise Failed("the hook passed on function-windows.zip: " + output.strip()[-400:])
        if "windows-binary" not in output or "Failed" not in output:
            raise Failed("no windows-binary finding in the hook's output: " + output.strip()[-400:])

    def case_pre_commit_good(self):
        result = self.try_repo("build/good.zip")
        output = result.stdout + result.stderr
        if result.returncode != 0 or "Passed" not in output:
            raise Failed(f"exit {result.returncode} on function-clean.zip: " + output.strip()[-400:])

    def case_pre_commit_skips_other_files(self):
        folder = self.project()
        with open(os.path.join(folder, "notes.txt"), "w") as handle:
            handle.write("not an artifact\n")
        result = self.try_repo("notes.txt")
        output = result.stdout + result.stderr
        if result.returncode != 0 or "no files to check" not in output.lower():
            raise Failed(f"exit {result.returncode} for a text file: " + output.strip()[-400:])


def main(argv=None):
    parser = argparse.ArgumentParser(description="Check shiplint's CI formats and pre-commit hook with real tools.")
    parser.add_argument("--scratch", help="work here and keep it (default: a temporary folder)")
    args = parser.parse_args(argv)

    cases = [(f"sarif-schema-{artifact}", "case_sarif_schema", (artifact, target)) for artifact, target in DEMO]
    cases += [
        ("sarif-code-scanning", "case_sarif_code_scanning", ()),
        ("junit-parses", "case_junit_parses", ()),
        ("pre-commit-fails-bad-artifact", "case_pre_commit_bad", ()),
        ("pre-commit-passes-good-artifact", "case_pre_commit_good", ()),
        ("pre-commit-ignores-other-files", "case_pre_commit_skips_other_files", ()),
    ]
    executable = os.environ.get("SHIPLINT") or os.path.join(REPO_ROOT, ".build", "debug", "shiplint")
    if not (os.path.isfile(executable) and os.access(executable, os.X_OK)):
        print(f"ci-formats: no shiplint binary at {executable}; build it (swift build) or set SHIPLINT", file=sys.stderr)
        print(f"ci-formats: 0 passed, 0 failed, {len(cases)} skipped")
        return 2

    scratch = os.path.abspath(args.scratch or tempfile.mkdtemp(prefix="shiplint-ci-formats-"))
    os.makedirs(scratch, exist_ok=True)
    counts = {"ok": 0, "FAIL": 0, "skip": 0}
    try:
        environment = Environment(os.path.join(scratch, "venv"))
        environment.prepare()
        for package, problem in sorted(environment.problems.items()):
            print(f"note: {package}: {problem}")
        suite = Suite(os.path.abspath(executable), environment, scratch)
        for name, method, arguments in cases:
            try:
                getattr(suite, method)(*arguments)
                print(f"ok {name}")
                counts["ok"] += 1
            except Skip as reason:
                print(f"skip {name}: {reason}")
                counts["skip"] += 1
            except Failed as problem:
                print(f"FAIL {name}: {problem}")
                counts["FAIL"] += 1
            except subprocess.TimeoutExpired as timeout:
                print(f"FAIL {name}: timed out: {' '.join(map(str, timeout.cmd))[:200]}")
                counts["FAIL"] += 1
    finally:
        if not args.scratch:
            shutil.rmtree(scratch, ignore_errors=True)
    print(f"ci-formats: {counts['ok']} passed, {counts['FAIL']} failed, {counts['skip']} skipped")
    return 1 if counts["FAIL"] else 0


if __name__ == "__main__":
    sys.exit(main())
