#!/usr/bin/env python3
"""Builds and runs shiplint's libFuzzer harnesses (Fuzz/Sources/shiplint-fuzz), seeded from the fixtures.

  fuzz.py build                       the harness binary, address sanitizer and coverage on every module
  fuzz.py run [--seconds S | --runs N] [--harness NAME ...] [--report FILE]
                                      each harness for S seconds (or N inputs), one after the other
  fuzz.py replay                      every committed reproducer (fixtures/fuzz/crashes/) and seed, once each
  fuzz.py slice [--seconds S]         replay, then each harness for S seconds (what `make test` runs)
  fuzz.py list                        the harnesses and their seeds

A crash, a sanitizer report, an input slower than --timeout seconds (a hang) or one that takes more than
--rss-limit MB (unbounded memory) fails the run: the input is copied to fixtures/fuzz/crashes/HARNESS/, where it is
replayed by `make test` once it is fixed and committed. The working corpora live in .build-fuzz/corpus (not
committed); the seeds are the fixtures listed in HARNESSES below and fixtures/fuzz/seeds/HARNESS/.
"""
import argparse
import glob
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, ".build-fuzz")
BINARY = os.path.join(BUILD, "release", "shiplint-fuzz")
CRASHES = os.path.join(ROOT, "fixtures", "fuzz", "crashes")
SEEDS = os.path.join(ROOT, "fixtures", "fuzz", "seeds")
COVERAGE = "inline-8bit-counters,pc-table,trace-cmp"

ARCHIVES = ["fixtures/artifacts/**/*.zip", "fixtures/artifacts/**/*.whl", "fixtures/deployments/**/*.zip"]
TARS = ["fixtures/artifacts/**/*.tar", "fixtures/artifacts/**/*.tar.*", "fixtures/artifacts/**/*.tgz"]

# name: (seed globs relative to the repository, largest input in bytes)
HARNESSES = {
    "elf": (["fixtures/bin/elf/*", "fixtures/bin/corrupt/elf-*", "fixtures/bin/node/*", "fixtures/bin/policy/*", "fixtures/bin/notbinary/*"], 131072),
    "pe": (["fixtures/bin/pe/*"], 131072),
    "macho": (["fixtures/bin/macho/*", "fixtures/bin/corrupt/macho-*", "fixtures/bin/corrupt/fat-*"], 131072),
    "zip": (ARCHIVES, 262144),
    "zip-parallel": (ARCHIVES, 262144),
    "tar": (TARS, 262144),
    "image": ([], 262144),
    "yaml": (["fixtures/deployments/**/*.yaml", "fixtures/deployments/**/*.yml"], 65536),
    "json": (["fixtures/deployments/**/*.json"], 65536),
    "sam": (["fixtures/deployments/**/*.yaml"], 65536),
    "descriptor-json": (["fixtures/deployments/**/*.json"], 65536),
    "config": ([], 65536),
    "rules": (["rules/**/*.toml"], 65536),
    "baseline": ([], 65536),
    "explain": ([], 65536),
}


def seed_files(name):
    globs, limit = HARNESSES[name]
    found = set()
    for pattern in globs:
        for path in glob.glob(os.path.join(ROOT, pattern), recursive=True):
            if os.path.isfile(path) and os.path.getsize(path) <= limit:
                found.add(path)
    for folder in (os.path.join(SEEDS, name), os.path.join(CRASHES, name)):
        if os.path.isdir(folder):
            found.update(os.path.join(folder, f) for f in os.listdir(folder))
    return sorted(found)


def image_seed():
    """A docker save tarball with one layer (a task root with a link and a hard link), made here: the image tests
    build theirs with umoci and skopeo, which the fuzzer does not need."""
    layer = io.BytesIO()
    with tarfile.open(fileobj=layer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        def add(name, data=b"", kind=tarfile.REGTYPE, link="", mode=0o644):
            info = tarfile.TarInfo(name)
            info.type, info.linkname, info.mode, info.size = kind, link, mode, len(data)
            tar.addfile(info, io.BytesIO(data))
        add("var/", kind=tarfile.DIRTYPE, mode=0o755)
        add("var/task/", kind=tarfile.DIRTYPE, mode=0o755)
        add("var/task/app.py", b"def handler(e, c):\n    return 1\n")
        with open(os.path.join(ROOT, "fixtures/bin/elf/_clean.cpython-313-x86_64-linux-gnu.so"), "rb") as f:
            add("var/task/_clean.cpython-313-x86_64-linux-gnu.so", f.read(), mode=0o755)
        add("var/task/alias.so", kind=tarfile.SYMTYPE, link="_clean.cpython-313-x86_64-linux-gnu.so")
        add("var/task/hard.so", kind=tarfile.LNKTYPE, link="var/task/_clean.cpython-313-x86_64-linux-gnu.so")
        add("var/task/.wh.gone", b"")
    layer_bytes = layer.getvalue()
    layer_digest = hashlib.sha256(layer_bytes).hexdigest()
    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Entrypoint": ["/lambda-entrypoint.sh"], "Env": ["PATH=/usr/bin"]},
                         "rootfs": {"type": "layers", "diff_ids": ["sha256:" + layer_digest]}}).encode()
    config_digest = hashlib.sha256(config).hexdigest()
    manifest = json.dumps([{"Config": config_digest + ".json", "RepoTags": ["seed:latest"], "Layers": [layer_digest + ".tar"]}]).encode()
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        for name, data in [("manifest.json", manifest), (config_digest + ".json", config), (layer_digest + ".tar", layer_bytes)]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def runtime_archive():
    swiftc = shutil.which("swiftc")
    if not swiftc:
        sys.exit("fuzz.py: swiftc is not on PATH")
    found = glob.glob(os.path.join(os.path.dirname(os.path.realpath(swiftc)), "..", "lib", "clang", "*", "lib", "linux",
                                   "libclang_rt.fuzzer_no_main-x86_64.a"))
    if not found:
        sys.exit("fuzz.py: this Swift toolchain has no libclang_rt.fuzzer_no_main-x86_64.a (libFuzzer)")
    return os.path.realpath(found[0])


def build():
    command = [
        "swift", "build", "--package-path", os.path.join(ROOT, "Fuzz"), "--build-path", BUILD, "-c", "release",
        # -enable-testing: the explain harness calls explain's line matchers directly (internal to ShiplintChecks).
        "-Xswiftc", "-sanitize=address", "-Xswiftc", "-sanitize-coverage=edge," + COVERAGE, "-Xswiftc", "-enable-testing",
        "-Xcc", "-fsanitize=address", "-Xcc", "-fsanitize-coverage=" + COVERAGE,
        "-Xcxx", "-fsanitize=address", "-Xcxx", "-fsanitize-coverage=" + COVERAGE,
        "-Xlinker", runtime_archive(),
    ]
    # SwiftPM keeps the build plan of .build-fuzz and does not see a source file added to the main package (a path
    # dependency here) since it was made: the build then fails on a type it cannot find. The plan is made again each
    # time (seconds); the compiled modules stay.
    for plan in glob.glob(os.path.join(BUILD, "*", "release", "description.json")) + [os.path.join(BUILD, "release.yaml")]:
        if os.path.exists(plan):
            os.remove(plan)
    # The main package's build tool (embed-rules) is built with the same flags and runs during the build.
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0")
    result = subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0:
        print("\n".join(l for l in result.stdout.splitlines() if "Cannot export local symbol" not in l), file=sys.stderr)
        sys.exit("fuzz.py: the harness build failed")


def environment(name):
    # A small quarantine keeps the address sanitizer's own memory from hiding what the code under test takes.
    return dict(os.environ, SHIPLINT_FUZZ_HARNESS=name, SWIFT_BACKTRACE="enable=no",
                ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=0:handle_abort=1:quarantine_size_mb=16")


def corpus(name):
    folder = os.path.join(BUILD, "corpus", name)
    os.makedirs(folder, exist_ok=True)
    seeds = seed_files(name)
    extra = {"image": [image_seed()]}.get(name, [])
    for path in seeds:
        with open(path, "rb") as f:
            extra.append(f.read())
    for data in extra:
        target = os.path.join(folder, "seed-" + hashlib.sha1(data).hexdigest())
        if not os.path.exists(target):
            with open(target, "wb") as f:
                f.write(data)
    return folder


STAT = re.compile(r"^stat::(\w+):\s+(\d+)", re.M)
FAILURE = re.compile(r"^(?:==\d+==\s*)?ERROR: (?:AddressSanitizer|libFuzzer|LeakSanitizer|UndefinedBehaviorSanitizer)[^\n]*|^SUMMARY: [^\n]*", re.M)


def run_one(name, seconds, runs, timeout, rss_limit, quiet):
    folder = corpus(name)
    artifacts = os.path.join(BUILD, "artifacts", name)
    os.makedirs(artifacts, exist_ok=True)
    before = set(os.listdir(artifacts))
    limit = HARNESSES[name][1]
    command = [BINARY, folder, f"-max_len={limit}", f"-timeout={timeout}", f"-rss_limit_mb={rss_limit}",
               f"-artifact_prefix={artifacts}/", "-print_final_stats=1", "-detect_leaks=0", "-close_fd_mask=3"]
    command.append(f"-runs={runs}" if runs else f"-max_total_time={seconds}")
    started = time.time()
    log_path = os.path.join(BUILD, "logs", name + ".log")
    os.makedirs(os.path.dirname(log_path), exist_ok=True)
    with open(log_path, "w") as log:
        result = subprocess.run(command, env=environment(name), stdout=log, stderr=subprocess.STDOUT)
    elapsed = time.time() - started
    with open(log_path, errors="replace") as log:
        text = log.read()
    stats = {k: int(v) for k, v in STAT.findall(text)}
    found = sorted(set(os.listdir(artifacts)) - before)
    kinds = {"crash": 0, "timeout": 0, "oom": 0, "leak": 0, "slow-unit": 0}
    for f in found:
        kind = f.split("-")[0]
        kinds[kind if kind in kinds else "crash"] = kinds.get(kind, 0) + 1
        os.makedirs(os.path.join(CRASHES, name), exist_ok=True)
        shutil.copy(os.path.join(artifacts, f), os.path.join(CRASHES, name, f))
    failed = result.returncode != 0 or any(kinds[k] for k in ("crash", "timeout", "oom", "leak"))
    row = {
        "harness": name, "inputs": stats.get("number_of_executed_units", 0), "seconds": round(elapsed),
        "peak_rss_mb": stats.get("peak_rss_mb", 0), "crashes": kinds["crash"] + kinds["leak"], "timeouts": kinds["timeout"],
        "ooms": kinds["oom"], "status": result.returncode, "new_reproducers": found,
    }
    if failed:
        row["failure"] = FAILURE.findall(text)[:3] or [text.strip().splitlines()[-1] if text.strip() else "no output"]
    if not quiet or failed:
        print(f"  {name:16} {row['inputs']:>10} inputs  {row['seconds']:>5} s  peak {row['peak_rss_mb']:>5} MB  "
              f"crashes {row['crashes']}  hangs {row['timeouts']}  out of memory {row['ooms']}"
              + ("" if not failed else f"  FAILED: {'; '.join(row['failure'])} (log {os.path.relpath(log_path, ROOT)})"), flush=True)
    return row


def replay(names):
    """Every committed reproducer and seed through its harness once (libFuzzer runs files named on the command
    line and stops); any crash fails."""
    failures = 0
    for name in names:
        files = seed_files(name)
        if name == "image":
            seed = os.path.join(BUILD, "image-seed.tar")
            os.makedirs(BUILD, exist_ok=True)
            with open(seed, "wb") as f:
                f.write(image_seed())
            files.append(seed)
        if not files:
            continue
        result = subprocess.run([BINARY, "-timeout=30", "-rss_limit_mb=2048", "-detect_leaks=0"] + files, env=environment(name),
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")
        status = "ok" if result.returncode == 0 else "FAILED"
        print(f"  {name:16} {len(files):>4} files replayed: {status}", flush=True)
        if result.returncode != 0:
            failures += 1
            print("\n".join(FAILURE.findall(result.stdout)[:3] or result.stdout.splitlines()[-5:]))
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["build", "run", "replay", "slice", "list"])
    parser.add_argument("--harness", action="append", choices=sorted(HARNESSES), help="only this harness (repeatable)")
    parser.add_argument("--seconds", type=int, default=60, help="time per harness (default 60)")
    parser.add_argument("--runs", type=int, default=0, help="inputs per harness instead of a time")
    parser.add_argument("--timeout", type=int, default=10, help="seconds one input may take before it counts as a hang")
    parser.add_argument("--rss-limit", type=int, default=2048, help="MB the process may reach before it counts as out of memory")
    parser.add_argument("--report", help="write the results as JSON to this file")
    parser.add_argument("--no-build", action="store_true", help="use the harness binary as it is")
    args = parser.parse_args()
    names = args.harness or list(HARNESSES)
    if args.command == "list":
        for name in names:
            print(f"{name}: {len(seed_files(name))} seed files")
        return 0
    if not args.no_build or not os.path.exists(BINARY):
        print("fuzz.py: building the harnesses (address sanitizer, libFuzzer coverage) in .build-fuzz", flush=True)
        build()
    if args.command == "build":
        return 0
    if args.command == "replay":
        return 1 if replay(names) else 0
    if args.command == "slice":
        # What `make test` runs: the reproducers and seeds once each, then a few seconds of each harness.
        print(f"fuzz.py: replaying the committed reproducers and seeds", flush=True)
        if replay(names):
            return 1
        print(f"fuzz.py: {len(names)} harnesses, {args.seconds} s each", flush=True)
        rows = [run_one(name, args.seconds, 0, args.timeout, args.rss_limit, quiet=True) for name in names]
        bad = [r for r in rows if "failure" in r]
        print(f"fuzz.py: slice ran {sum(r['inputs'] for r in rows)} inputs over {len(rows)} harnesses; "
              f"{len(bad)} failed" + ("" if not bad else f": new reproducers are in {os.path.relpath(CRASHES, ROOT)}/"))
        return 1 if bad else 0
    what = f"{args.runs} inputs" if args.runs else f"{args.seconds} s"
    print(f"fuzz.py: {len(names)} harnesses, {what} each", flush=True)
    rows = [run_one(name, args.seconds, args.runs, args.timeout, args.rss_limit, quiet=False) for name in names]
    total = sum(r["inputs"] for r in rows)
    bad = [r for r in rows if "failure" in r]
    print(f"fuzz.py: {total} inputs in all; crashes {sum(r['crashes'] for r in rows)}, hangs {sum(r['timeouts'] for r in rows)}, "
          f"out of memory {sum(r['ooms'] for r in rows)}; peak {max((r['peak_rss_mb'] for r in rows), default=0)} MB")
    if args.report:
        with open(args.report, "w") as f:
            json.dump({"inputs": total, "harnesses": rows}, f, indent=2, sort_keys=True)
    if bad:
        print(f"fuzz.py: new reproducers are in {os.path.relpath(CRASHES, ROOT)}/; fix, then commit them (make test replays them)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
