#!/usr/bin/env python3
"""Check the documentation as a reader would follow it (`make docs-test`, part of `make test`).

Usage: python3 packaging/check_docs.py

Cases (each prints `ok NAME`, `FAIL NAME: what differs` or `skip NAME: reason`):
- links-resolve: every relative link in README.md and docs/*.md names a file of the repository, and every `#anchor`
  is a heading of that file (GitHub's slugs) or an `<a id>` in it.
- readme-length: README.md stays a front page (at most 300 lines); the reference lives in docs/.

Closing line `docs-test: N passed, N failed, N skipped`; exit 1 when a case failed. Python 3 standard library only.
"""

import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
README_MAX_LINES = 300


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


CASES = [
    ("links-resolve", case_links_resolve),
    ("readme-length", case_readme_length),
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
