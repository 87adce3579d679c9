#!/usr/bin/env python3
"""Scan real deployments built by the real tools: `sam build` (aws-sam-cli) and a CDK app synthesised with aws-cdk-lib.

Usage: python3 conformance/deployments.py [--scratch DIR]

- sam-*: a small SAM project (python3.11, PyYAML from PyPI in requirements.txt, so the build holds a real
  x86_64 extension module) is built with `sam build` (no Docker: the local python3.11 builds it). `shiplint scan
  .aws-sam/build` judges it against aws-lambda-python3.11-x86_64 with no --target; then copies of the build are
  broken on purpose: a Windows .pyd copied into the function (windows-binary), a wrong Handler in the built
  template (handler-not-found), arm64 in the built template over the x86_64 wheels (wrong-arch against
  aws-lambda-python3.11-arm64). SARIF points at the source template's line of the function.
- project-sarif-schema-and-junit: the SARIF of a scan of each committed descriptor fixture (fixtures/deployments/)
  validates against the official SARIF 2.1.0 schema (jsonschema), and its JUnit has one suite per function (plus one
  for nested templates that could not be followed).
- cdk-*: a Python CDK app (aws-cdk-lib + constructs; node runs the jsii kernel; no CDK CLI) with two functions
  (`Code.from_asset`, python3.12 x86_64 and python3.13 arm64) sharing one layer that holds an x86_64 shared library,
  synthesised with `python app.py` into cdk.out/. Each function must be judged against its own target: wrong-arch
  on the layer for the arm64 function only; a wrong handler on one function only; `--function` narrows the scan.
- *-matrix-*: "what breaks if I move?": the SAM build and the CDK app scanned with `--to python3.13-arm64`, each
  function judged against its own target and against python3.13 arm64 in one run (JSON schema 3, Markdown).

The tools are installed from PyPI into cached virtual environments under ~/.cache/shiplint/ (reused when present).
A case whose tool cannot be had (no network for PyPI, no python3.11, no node) says so in a `skip NAME: reason` line;
once the tool is there, anything that goes wrong is a failure. The shiplint binary is $SHIPLINT, else
.build/debug/shiplint.

Prints one line per case (`ok NAME`, `FAIL NAME: what differs`, `skip NAME: reason`), then one closing line
`deployments: N passed, N failed, N skipped`. Exit status: 0 when nothing failed, 1 when a case failed, 2 when there
is no shiplint binary.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import venv
import zipfile

SUITE_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(SUITE_DIR)
FIXTURES = os.path.join(REPO_ROOT, "fixtures")
CACHE = os.path.join(os.path.expanduser("~"), ".cache", "shiplint")
TODAY = "2026-12-01"
TIMEOUT = 900

SAM_TEMPLATE = """AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Description: shiplint conformance sample

Globals:
  Function:
    Runtime: python3.11
    Timeout: 10

Resources:
  HelloFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: hello/
      Handler: app.lambda_handler
      Architectures:
        - x86_64
"""

SAM_APP = "import yaml\n\n\ndef lambda_handler(event, context):\n    return {'statusCode': 200, 'body': yaml.safe_dump(event)}\n"

CDK_APP = """import sys
import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_

app = cdk.App(outdir=sys.argv[1])
stack = cdk.Stack(app, "ShiplintDemo", env=cdk.Environment(account="123456789012", region="us-east-1"))
layer = lambda_.LayerVersion(
    stack, "NativeLayer", code=lambda_.Code.from_asset("layer"),
    compatible_runtimes=[lambda_.Runtime.PYTHON_3_12, lambda_.Runtime.PYTHON_3_13],
    compatible_architectures=[lambda_.Architecture.X86_64, lambda_.Architecture.ARM_64])
lambda_.Function(
    stack, "X86Function", runtime=lambda_.Runtime.PYTHON_3_12, handler="app.handler",
    code=lambda_.Code.from_asset("fn_x86"), layers=[layer])
lambda_.Function(
    stack, "ArmFunction", runtime=lambda_.Runtime.PYTHON_3_13, handler=sys.argv[2],
    architecture=lambda_.Architecture.ARM_64, code=lambda_.Code.from_asset("fn_arm"), layers=[layer])
app.synth()
"""


class Skip(Exception):
    pass


class Failed(Exception):
    pass


def run(command, cwd=None, env=None, timeout=TIMEOUT):
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def tool_venv(name, packages, probe):
    """A cached venv with `packages`; Skip when PyPI cannot be reached to make it."""
    folder = os.path.join(CACHE, name)
    python = os.path.join(folder, "bin", "python")
    if os.path.exists(python) and run([python, "-c", probe]).returncode == 0:
        return folder
    os.makedirs(CACHE, exist_ok=True)
    venv.EnvBuilder(with_pip=True, clear=True).create(folder)
    done = run([python, "-m", "pip", "install", "-q", "--disable-pip-version-check"] + packages, timeout=1800)
    if done.returncode != 0 or run([python, "-c", probe]).returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        raise Skip("cannot install %s from PyPI (no network?): %s" % (" ".join(packages), (done.stderr or done.stdout).strip().splitlines()[-1:]))
    return folder


def shiplint(binary, arguments, cwd):
    return run([binary] + arguments, cwd=cwd)


def scan_json(binary, arguments, cwd, statuses=(0, 1)):
    result = shiplint(binary, ["scan"] + arguments + ["--format", "json", "--today", TODAY, "--no-config"], cwd)
    if result.returncode not in statuses:
        raise Failed("exit %d (expected %s): %s" % (result.returncode, statuses, result.stderr.strip()))
    try:
        return result.returncode, json.loads(result.stdout)
    except ValueError as error:
        raise Failed("not JSON: %s" % error)


def severities(document, function):
    """(check, path, severity, message) of every file of every finding of the deployment whose function id starts so."""
    found = []
    for deployment in document["deployments"]:
        if deployment["function"].split("/")[-1].startswith(function):
            for artifact in deployment["artifacts"]:
                for finding in artifact["findings"]:
                    for file in finding.get("files") or [{"path": finding["path"], "message": finding["message"]}]:
                        found.append((finding["check"], file["path"], finding["severity"], file.get("message") or finding["message"]))
    return found


def findings(document, function):
    """(check, artifact, path, deployment) of every finding of the deployment whose function id starts with `function`,
    once per file it is about (one cause in several files of a distribution is one finding listing them)."""
    found = []
    for deployment in document["deployments"]:
        if deployment["function"].split("/")[-1].startswith(function):
            for artifact in deployment["artifacts"]:
                for finding in artifact["findings"]:
                    for path in [file["path"] for file in finding.get("files") or []] or [finding["path"]]:
                        found.append((finding["check"], artifact["path"], path, finding.get("deployment")))
    return found


def deployment(document, function):
    for item in document["deployments"]:
        if item["function"].split("/")[-1].startswith(function):
            return item
    raise Failed("no deployment %s in %s" % (function, [d["function"] for d in document["deployments"]]))


def expect(condition, message):
    if not condition:
        raise Failed(message)


# ------------------------------------------------------------------------------------------------ SAM

def sam_project(scratch):
    """Builds the sample once; returns the project folder."""
    tools = tool_venv("venv-sam", ["aws-sam-cli"], "import samcli")
    if shutil.which("python3.11") is None:
        raise Skip("no python3.11 on PATH: sam build (without Docker) needs the function's Python")
    project = os.path.join(scratch, "sam-app")
    if os.path.exists(os.path.join(project, ".aws-sam", "build", "template.yaml")):
        return project
    os.makedirs(os.path.join(project, "hello"))
    with open(os.path.join(project, "template.yaml"), "w") as handle:
        handle.write(SAM_TEMPLATE)
    with open(os.path.join(project, "hello", "app.py"), "w") as handle:
        handle.write(SAM_APP)
    with open(os.path.join(project, "hello", "requirements.txt"), "w") as handle:
        handle.write("PyYAML==6.0.2\n")
    env = dict(os.environ, SAM_CLI_TELEMETRY="0", PIP_CACHE_DIR=os.path.join(CACHE, "pip"))
    built = run([os.path.join(tools, "bin", "sam"), "build", "--region", "us-east-1"], cwd=project, env=env)
    if built.returncode != 0:
        # The one thing sam build fetches is the PyYAML wheel; without PyPI that is a skip, anything else a failure.
        reachable = run([os.path.join(tools, "bin", "python"), "-m", "pip", "download", "-q", "--no-deps", "-d",
                         os.path.join(scratch, "probe"), "PyYAML==6.0.2"], env=env)
        if reachable.returncode != 0:
            raise Skip("sam build could not download PyYAML from PyPI (no network)")
        raise Failed("sam build failed: %s" % (built.stderr or built.stdout)[-800:])
    return project


def broken_copy(project, scratch, name):
    copy = os.path.join(scratch, name)
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(project, copy, symlinks=True)
    return copy


def edit_built_template(project, old, new):
    path = os.path.join(project, ".aws-sam", "build", "template.yaml")
    with open(path) as handle:
        text = handle.read()
    if old not in text:
        raise Failed("built template has no %r" % old)
    with open(path, "w") as handle:
        handle.write(text.replace(old, new, 1))


def case_sam_clean(binary, scratch):
    project = sam_project(scratch)
    status, document = scan_json(binary, [".aws-sam/build"], project)
    item = deployment(document, "HelloFunction")
    expect(item["target"]["name"] == "aws-lambda-python3.11-x86_64", "target %s" % item["target"])
    expect(status == 0, "exit %d on a clean build" % status)
    checks = sorted({f[0] for f in findings(document, "HelloFunction")})
    expect(checks == [], "findings %s (expected none on %s: python3.11 is deprecated on 2027-06-30)" % (checks, TODAY))
    expect(any(a["path"].endswith("HelloFunction") and a["binaries"] for a in item["artifacts"]), "the built function's _yaml extension was not read")
    result = shiplint(binary, ["scan", ".aws-sam/build", "--today", "2027-06-30", "--no-config"], project)
    expect(result.returncode == 0 and "warning[runtime-deprecated] python3.11 was deprecated on 2027-06-30" in result.stdout,
           "no runtime-deprecated on python3.11's day: %s" % result.stdout)


def case_sam_windows_binary(binary, scratch):
    project = broken_copy(sam_project(scratch), scratch, "sam-windows")
    with zipfile.ZipFile(os.path.join(FIXTURES, "artifacts", "function-windows.zip")) as archive:
        data = archive.read("pydantic_core/_pydantic_core.cp313-win_amd64.pyd")
    target = os.path.join(project, ".aws-sam", "build", "HelloFunction", "yaml", "_speedups.cp311-win_amd64.pyd")
    with open(target, "wb") as handle:
        handle.write(data)
    status, document = scan_json(binary, [".aws-sam/build"], project)
    expect(status == 1, "exit %d" % status)
    expect(("windows-binary", ".aws-sam/build/HelloFunction", "yaml/_speedups.cp311-win_amd64.pyd", "HelloFunction") in findings(document, "HelloFunction"),
           "no windows-binary on yaml/_speedups.cp311-win_amd64.pyd: %s" % findings(document, "HelloFunction"))


def case_sam_wrong_handler(binary, scratch):
    project = broken_copy(sam_project(scratch), scratch, "sam-handler")
    edit_built_template(project, "Handler: app.lambda_handler", "Handler: hello.app.lambda_handler")
    status, document = scan_json(binary, [".aws-sam/build"], project)
    expect(status == 1, "exit %d" % status)
    expect(("handler-not-found", ".aws-sam/build/HelloFunction", "", "HelloFunction") in findings(document, "HelloFunction"),
           "no handler-not-found: %s" % findings(document, "HelloFunction"))
    text = shiplint(binary, ["scan", ".aws-sam/build", "--no-config"], project).stdout
    expect("Handler 'hello.app.lambda_handler' imports module 'hello.app'" in text, "message: %s" % text)


def case_sam_arm64_with_x86_wheels(binary, scratch):
    project = broken_copy(sam_project(scratch), scratch, "sam-arm64")
    edit_built_template(project, "- x86_64", "- arm64")
    status, document = scan_json(binary, [".aws-sam/build"], project)
    item = deployment(document, "HelloFunction")
    expect(item["target"]["name"] == "aws-lambda-python3.11-arm64", "target %s" % item["target"])
    wrong = [f for f in findings(document, "HelloFunction") if f[0] == "wrong-arch"]
    expect(wrong and all(f[3] == "HelloFunction" for f in wrong), "wrong-arch %s, exit %d" % (wrong, status))
    expect(any(f[2].startswith("yaml/_yaml.cpython-311-x86_64-linux-gnu") for f in wrong), "wrong-arch not on yaml/_yaml…so: %s" % wrong)
    # PyYAML imports its C module only through yaml/cyaml.py, which yaml/__init__.py imports under `except ImportError`
    # (issue 22): `import yaml` works on arm64 with its pure-Python code, so a warning saying so, and exit 0.
    said = [(severity, message) for check, path, severity, message in severities(document, "HelloFunction")
            if check == "wrong-arch" and path.startswith("yaml/_yaml.cpython-311-x86_64-linux-gnu")]
    expect(said and all(severity == "warning" and "through yaml/cyaml.py" in message and "yaml falls back to its pure-Python code" in message
                        for severity, message in said) and status == 0, "yaml/_yaml…so: %s, exit %d" % (said, status))


def case_sam_sarif_points_at_template(binary, scratch):
    project = broken_copy(sam_project(scratch), scratch, "sam-sarif")
    edit_built_template(project, "Handler: app.lambda_handler", "Handler: nothere.lambda_handler")
    result = shiplint(binary, ["scan", ".aws-sam/build", "--format", "sarif", "--today", TODAY, "--no-config"], project)
    expect(result.returncode == 1, "exit %d: %s" % (result.returncode, result.stderr))
    sarif = json.loads(result.stdout)
    line = SAM_TEMPLATE.splitlines().index("  HelloFunction:") + 1
    located = [(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in sarif["runs"][0]["results"]]
    expect(("handler-not-found", "template.yaml", line) in located, "SARIF locations %s (expected template.yaml:%d)" % (located, line))


# ------------------------------------------------------------------------------------------------ CDK

def cdk_assembly(scratch, name, arm_handler):
    tools = tool_venv("venv-cdk", ["aws-cdk-lib", "constructs"], "import aws_cdk")
    if shutil.which("node") is None:
        raise Skip("no node on PATH: aws-cdk-lib runs its jsii kernel in node")
    app = os.path.join(scratch, name)
    shutil.rmtree(app, ignore_errors=True)
    for folder in ("fn_x86", "fn_arm", "layer/python"):
        os.makedirs(os.path.join(app, folder))
    with open(os.path.join(app, "app.py"), "w") as handle:
        handle.write(CDK_APP)
    with open(os.path.join(app, "fn_x86", "app.py"), "w") as handle:
        handle.write("def handler(event, context):\n    return 1\n")
    with open(os.path.join(app, "fn_arm", "main.py"), "w") as handle:
        handle.write("def handler(event, context):\n    return 1\n")
    # An x86_64 extension module from the fixtures: fine for the x86_64 function, wrong for the arm64 one.
    with zipfile.ZipFile(os.path.join(FIXTURES, "artifacts", "function-clean.zip")) as archive:
        data = archive.read("pkg/_clean.cpython-313-x86_64-linux-gnu.so")
    os.makedirs(os.path.join(app, "layer", "python", "native"))
    with open(os.path.join(app, "layer", "python", "native", "__init__.py"), "w") as handle:
        handle.write("")
    with open(os.path.join(app, "layer", "python", "native", "libnative.so"), "wb") as handle:
        handle.write(data)
    env = dict(os.environ, JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION="1", JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION="1")
    synth = run([os.path.join(tools, "bin", "python"), "app.py", "cdk.out", arm_handler], cwd=app, env=env)
    if synth.returncode != 0:
        raise Failed("python app.py failed: %s" % (synth.stderr or synth.stdout)[-800:])
    return app


def case_cdk_each_function_its_own_target(binary, scratch):
    app = cdk_assembly(scratch, "cdk-app", "main.handler")
    status, document = scan_json(binary, ["cdk.out"], app)
    x86 = deployment(document, "X86Function")
    arm = deployment(document, "ArmFunction")
    expect(x86["target"]["name"] == "aws-lambda-python3.12-x86_64", "X86Function target %s" % x86["target"])
    expect(arm["target"]["name"] == "aws-lambda-python3.13-arm64", "ArmFunction target %s" % arm["target"])
    arm_wrong = [f for f in findings(document, "ArmFunction") if f[0] == "wrong-arch"]
    x86_wrong = [f for f in findings(document, "X86Function") if f[0] == "wrong-arch"]
    expect(arm_wrong and all(f[2] == "python/native/libnative.so" and f[3].startswith("ShiplintDemo/ArmFunction") for f in arm_wrong),
           "ArmFunction wrong-arch %s" % arm_wrong)
    expect(not x86_wrong, "X86Function has wrong-arch %s" % x86_wrong)
    expect(status == 1, "exit %d" % status)
    expect(len(arm["layers"]) == 1 and arm["layers"][0]["code"].get("path", "").startswith("cdk.out/asset."), "layer %s" % arm["layers"])


def case_cdk_wrong_handler_and_function_filter(binary, scratch):
    app = cdk_assembly(scratch, "cdk-app-handler", "missing.handler")
    _, document = scan_json(binary, ["cdk.out"], app)
    expect(any(f[0] == "handler-not-found" for f in findings(document, "ArmFunction")), "no handler-not-found on ArmFunction")
    expect(not any(f[0] == "handler-not-found" for f in findings(document, "X86Function")), "handler-not-found on X86Function")
    _, narrowed = scan_json(binary, ["--project", "cdk.out", "--function", "X86Function"], app)
    names = [d["function"] for d in narrowed["deployments"]]
    expect(len(names) == 1 and names[0].startswith("ShiplintDemo/X86Function"), "--function X86Function scanned %s" % names)


# ------------------------------------------------------------------------------------------------ migration matrix

def matrix_json(binary, arguments, cwd, statuses=(0, 1)):
    """`scan ARGS --format json` with several targets: schema 3, one row per deployment, one cell per column."""
    status, document = scan_json(binary, arguments, cwd, statuses)
    expect(document.get("schema") == 3, "schema %s, expected the matrix's 3" % document.get("schema"))
    return status, document


def cell(document, function, column):
    for row in document["rows"]:
        if row["deployment"].split("/")[-1].startswith(function) or ("/" + function) in row["deployment"]:
            for item in row["cells"]:
                if item["column"] == column:
                    return item
    raise Failed("no cell %s × %s in %s" % (function, column, [(r["deployment"], [c["column"] for c in r["cells"]]) for r in document["rows"]]))


def checks_on(findings_list):
    return sorted({(f["check"], f["path"]) for f in findings_list})


def case_sam_matrix_to_python313_arm64(binary, scratch):
    """"What breaks if I move?" for the real `sam build` (python3.11 x86_64, PyYAML's cp311 x86_64 extension):
    holds where it is; on python3.13 arm64 the extension is for the wrong architecture and CPython, but PyYAML imports
    it only under `except ImportError` (through yaml/cyaml.py) and runs its pure-Python code: new warnings that say so,
    and the column still holds, with --require all too (issue 22: an error means the import fails)."""
    project = sam_project(scratch)
    status, document = matrix_json(binary, [".aws-sam/build", "--to", "python3.13-arm64"], project)
    current = cell(document, "HelloFunction", document["columns"][0]["name"])
    moved = cell(document, "HelloFunction", "python3.13-arm64")
    expect(current["target"]["name"] == "aws-lambda-python3.11-x86_64" and current["status"] == "holds", "current column %s %s" % (current["target"], current["status"]))
    expect(moved["target"]["name"] == "aws-lambda-python3.13-arm64" and moved["status"] == "holds" and not moved["breaking"],
           "python3.13-arm64 column %s %s, breaking %s" % (moved["target"], moved["status"], checks_on(moved["breaking"])))
    new = checks_on(moved["new"])
    expect(any(check == "wrong-arch" and path.startswith("yaml/_yaml.cpython-311-x86_64-linux-gnu") for check, path in new),
           "no new wrong-arch on yaml/_yaml…so on python3.13-arm64: %s" % new)
    expect(any(check == "python-abi-mismatch" and path.startswith("yaml/_yaml.cpython-311") for check, path in new),
           "no new python-abi-mismatch on yaml/_yaml…so on python3.13-arm64: %s" % new)
    expect(all(f["severity"] == "warning" for f in moved["new"] if f["path"].startswith("yaml/_yaml")),
           "yaml/_yaml findings on python3.13-arm64 should be warnings: %s" % moved["new"])
    expect(status == 0, "exit %d: only the current column (which holds) is required by default" % status)
    status, _ = matrix_json(binary, [".aws-sam/build", "--to", "python3.13-arm64", "--require", "all"], project)
    expect(status == 0, "exit %d with --require all: both columns hold" % status)
    markdown = shiplint(binary, ["scan", ".aws-sam/build", "--to", "python3.13-arm64", "--format", "markdown", "--today", TODAY, "--no-config"], project)
    expect(markdown.returncode == 0 and "| HelloFunction" in markdown.stdout.replace("`", "") and "python3.13-arm64" in markdown.stdout,
           "Markdown matrix: exit %d %s" % (markdown.returncode, markdown.stdout[:400]))


def case_cdk_matrix_to_python313_arm64(binary, scratch):
    """The CDK app's two functions moved to python3.13 arm64, each from its own target: the x86_64 function holds
    where it is and breaks on arm64 (its layer's x86_64 library); the arm64 function breaks on both, nothing new."""
    app = cdk_assembly(scratch, "cdk-app-matrix", "main.handler")
    status, document = matrix_json(binary, ["cdk.out", "--to", "python3.13-arm64"], app)
    current = document["columns"][0]["name"]
    x86_now, x86_moved = cell(document, "X86Function", current), cell(document, "X86Function", "python3.13-arm64")
    arm_now, arm_moved = cell(document, "ArmFunction", current), cell(document, "ArmFunction", "python3.13-arm64")
    expect(x86_now["target"]["name"] == "aws-lambda-python3.12-x86_64" and x86_now["status"] == "holds", "X86Function now: %s %s" % (x86_now["target"], x86_now["status"]))
    expect(x86_moved["target"]["name"] == "aws-lambda-python3.13-arm64" and x86_moved["status"] == "breaks", "X86Function moved: %s %s" % (x86_moved["target"], x86_moved["status"]))
    expect(("wrong-arch", "python/native/libnative.so") in checks_on(x86_moved["new"]), "X86Function moved, new: %s" % checks_on(x86_moved["new"]))
    expect(arm_now["target"]["name"] == "aws-lambda-python3.13-arm64" and arm_now["status"] == "breaks", "ArmFunction now: %s" % arm_now["status"])
    expect(arm_moved["status"] == "breaks" and not arm_moved["new"] and not arm_moved["gone"], "ArmFunction moved to where it is: new %s gone %s" % (arm_moved["new"], arm_moved["gone"]))
    expect(status == 1, "exit %d: the current column breaks (ArmFunction)" % status)


# ------------------------------------------------------------------------------------------------ report formats

VALIDATE_SARIF = """
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
errors = sorted(jsonschema.Draft4Validator(schema).iter_errors(json.load(open(sys.argv[2]))), key=lambda e: list(e.path))
for error in errors[:5]:
    print("/".join(str(p) for p in error.path) + ": " + error.message)
sys.exit(1 if errors else 0)
"""


def case_project_sarif_schema_and_junit(binary, scratch):
    """The project reports of every committed descriptor fixture: SARIF valid against the official schema, JUnit
    well-formed with one suite per function."""
    schema = os.path.join(os.path.dirname(REPO_ROOT), "shared", "reference", "sarif-schema-2.1.0.json")
    if not os.path.exists(schema):
        raise Skip("no SARIF schema at %s" % schema)
    python = sys.executable
    if run([python, "-c", "import jsonschema"]).returncode != 0:
        python = os.path.join(tool_venv("venv-formats", ["jsonschema"], "import jsonschema"), "bin", "python")
    import xml.etree.ElementTree as ElementTree
    for project in ("sam", "sam-nested", "cdk", "serverless", "terraform"):
        path = os.path.join("fixtures", "deployments", project)
        sarif = shiplint(binary, ["scan", path, "--format", "sarif", "--today", TODAY, "--no-config"], REPO_ROOT)
        expect(sarif.returncode in (0, 1), "%s: exit %d %s" % (project, sarif.returncode, sarif.stderr))
        report = os.path.join(scratch, "%s.sarif" % project)
        with open(report, "w") as handle:
            handle.write(sarif.stdout)
        valid = run([python, "-c", VALIDATE_SARIF, schema, report])
        expect(valid.returncode == 0, "%s SARIF not valid: %s" % (project, valid.stdout.strip()))
        junit = shiplint(binary, ["scan", path, "--format", "junit", "--today", TODAY, "--no-config"], REPO_ROOT)
        document = json.loads(shiplint(binary, ["scan", path, "--format", "json", "--today", TODAY, "--no-config"], REPO_ROOT).stdout)
        # One suite per function, and one for what of the project could not be followed.
        expected = len(document["deployments"]) + (1 if document["project"]["notes"] else 0)
        suites = ElementTree.fromstring(junit.stdout).findall("testsuite")
        expect(len(suites) == expected, "%s JUnit: %d suites, expected %d" % (project, len(suites), expected))


CASES = [
    ("project-sarif-schema-and-junit", case_project_sarif_schema_and_junit),
    ("sam-clean", case_sam_clean),
    ("sam-windows-binary", case_sam_windows_binary),
    ("sam-wrong-handler", case_sam_wrong_handler),
    ("sam-arm64-with-x86_64-wheels", case_sam_arm64_with_x86_wheels),
    ("sam-sarif-template-line", case_sam_sarif_points_at_template),
    ("cdk-each-function-its-own-target", case_cdk_each_function_its_own_target),
    ("cdk-wrong-handler-and-function-filter", case_cdk_wrong_handler_and_function_filter),
    ("sam-matrix-python3.11-x86_64-to-python3.13-arm64", case_sam_matrix_to_python313_arm64),
    ("cdk-matrix-to-python3.13-arm64", case_cdk_matrix_to_python313_arm64),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scratch", help="working folder (default: a temporary one, removed at the end)")
    parser.add_argument("--only", action="append", default=[], help="run only this case (repeatable)")
    options = parser.parse_args()
    binary = os.path.abspath(os.environ.get("SHIPLINT") or os.path.join(REPO_ROOT, ".build", "debug", "shiplint"))
    if not os.access(binary, os.X_OK):
        print("deployments: no shiplint binary at %s (run `make debug`)" % binary, file=sys.stderr)
        return 2
    scratch = options.scratch or tempfile.mkdtemp(prefix="shiplint-deployments-")
    passed = failed = skipped = 0
    try:
        for name, case in CASES:
            if options.only and name not in options.only:
                continue
            try:
                case(binary, scratch)
                print("ok %s" % name)
                passed += 1
            except Skip as reason:
                print("skip %s: %s" % (name, reason))
                skipped += 1
            except Failed as reason:
                print("FAIL %s: %s" % (name, reason))
                failed += 1
            except (OSError, subprocess.SubprocessError, ValueError, KeyError, TypeError) as error:
                print("FAIL %s: %s: %s" % (name, type(error).__name__, error))
                failed += 1
            sys.stdout.flush()
    finally:
        if not options.scratch:
            shutil.rmtree(scratch, ignore_errors=True)
    print("deployments: %d passed, %d failed, %d skipped" % (passed, failed, skipped))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
