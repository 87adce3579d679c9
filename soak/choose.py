#!/usr/bin/env python3
"""Choose the soak's distributions: the most downloaded PyPI projects that publish manylinux wheels.

Usage: python3 soak/choose.py RANKS.tsv MANYLINUX_PACKAGES.json --count N [--date YYYY-MM-DD] > soak/candidates.tsv

- RANKS.tsv: a download ranking with the columns `name` and `rank_among_15000_most_downloaded` (the monthly
  "top 15,000 PyPI packages" ranking of PyPI's download statistics, as published by hugovk/top-pypi-packages).
- MANYLINUX_PACKAGES.json: `packages.json` of mayeut/manylinux-timeline, the list of every PyPI project that has
  uploaded at least one manylinux wheel (its update_cache.py drops projects without one).

Writes the first N projects of the ranking that are in the manylinux list, most downloaded first, as
`rank<TAB>name`, after a header that records both sources. Being in the manylinux list says a project *once* shipped
a platform wheel; lock.py then keeps only those whose release resolved for a Lambda target is a platform wheel.

Python 3 standard library only; reads only the two files named.
"""

import argparse
import json
import re
import sys


def normalized(name):
    """PEP 503 normalisation: runs of -, _ and . become one -, lower case."""
    return re.sub(r"[-_.]+", "-", name).lower()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ranks")
    parser.add_argument("manylinux")
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--date", default="", help="the date of the ranking, for the header")
    parser.add_argument("--manylinux-source", default="", help="which version of packages.json, for the header")
    args = parser.parse_args(argv)
    with open(args.manylinux, encoding="utf-8") as f:
        manylinux = {normalized(name) for name in json.load(f)}
    ranked = []
    with open(args.ranks, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        name_at, rank_at = header.index("name"), header.index("rank_among_15000_most_downloaded")
        for line in f:
            fields = line.rstrip("\n").split("\t")
            if len(fields) > rank_at and fields[rank_at].isdigit():
                ranked.append((int(fields[rank_at]), normalized(fields[name_at])))
    ranked.sort()
    chosen = [(rank, name) for rank, name in ranked if name in manylinux][: args.count]
    out = sys.stdout
    out.write(f"# The {len(chosen)} most downloaded PyPI projects that have published manylinux wheels.\n")
    out.write(f"# Ranking: top 15,000 PyPI projects by downloads (hugovk/top-pypi-packages format){' of ' + args.date if args.date else ''}.\n")
    out.write(f"# Filter: mayeut/manylinux-timeline packages.json{' of ' + args.manylinux_source if args.manylinux_source else ''} ({len(manylinux)} projects with a manylinux wheel).\n")
    out.write("rank\tname\n")
    for rank, name in chosen:
        out.write(f"{rank}\t{name}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
