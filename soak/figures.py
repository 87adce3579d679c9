#!/usr/bin/env python3
"""The soak's figures from the results kept in the cache, as a Markdown table (for soak/README.md).

Usage: python3 soak/figures.py [--shiplint BINARY | RESULTS_DIR]
(default: the results of .build/release/shiplint, the binary `make soak` runs, with the soak's current oracle)

Python 3 standard library only.
"""

import collections
import glob
import json
import os
import sys

sys.dont_write_bytecode = True
import soakfiles  # noqa: E402


def main(argv):
    if argv and argv[0] != "--shiplint":
        folder = argv[0]
    else:
        import run  # the fingerprint of a binary's results
        binary = argv[1] if len(argv) > 1 else os.path.join(soakfiles.REPO_ROOT, ".build", "release", "shiplint")
        folder = os.path.join(soakfiles.cache_dir(), "results", run.fingerprint(os.path.abspath(binary)))
        if not os.path.isdir(folder):
            print(f"figures: no results of {binary} in the cache yet (make soak)", file=sys.stderr)
            return 2
    rows = collections.defaultdict(lambda: collections.Counter())
    projects = collections.defaultdict(set)
    disagreements = []
    for path in sorted(glob.glob(os.path.join(folder, "*.json"))):
        with open(path, encoding="utf-8") as f:
            result = json.load(f)
        build = result["build"]
        row = rows[build]
        row["builds"] += 1
        row["errors"] += result["errors"]
        # One cause in several files is one finding (result version 3); older results counted files only.
        row["error findings"] += result.get("causes", result["errors"])
        row["warnings"] += sum(1 for finding in result["findings"] if finding[0] == "warning")
        row["notes"] += sum(1 for finding in result["findings"] if finding[0] == "note")
        row["oracle failures"] += sum(1 for path_, failures in result["oracle"]["failures"].items()
                                      if result["oracle"]["reach"].get(path_) == "loaded" for _ in failures)
        row["false errors"] += len(result["false_errors"])
        row["severity"] += len(result["severity"])
        row["missed"] += len(result["missed"])
        row["lowered"] += len(result.get("lowered", []))
        projects[build].add(result["project"])
        for kind in ("false_errors", "severity", "missed", "lowered"):
            for item in result.get(kind, []):
                disagreements.append((kind, result["project"], build, *item))
    columns = ["builds", "errors", "error findings", "warnings", "notes", "oracle failures", "false errors", "severity", "missed",
               "lowered"]
    print(f"Results: `{os.path.basename(folder)}` ({sum(r['builds'] for r in rows.values())} builds, "
          f"{len(set().union(*projects.values())) if projects else 0} projects)\n")
    print("| build | projects | " + " | ".join(columns) + " |")
    print("|---|---:|" + "---:|" * len(columns))
    total = collections.Counter()
    for build in sorted(rows):
        total.update(rows[build])
        print(f"| `{build}` | {len(projects[build])} | " + " | ".join(str(rows[build][c]) for c in columns) + " |")
    print("| **all** | " + str(len(set().union(*projects.values())) if projects else 0) + " | "
          + " | ".join(f"**{total[c]}**" for c in columns) + " |")
    if disagreements:
        print("\nDisagreements:\n")
        for kind, project, build, path, category, what in disagreements:
            print(f"- {kind} {project} `{build}`: {category} on `{path or '(artifact)'}`: {str(what)[:160]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
