"""The archive differential test (STYLE 11): the real extractors are the oracle. Each ZIP variant (variants.py) is
extracted by Info-ZIP `unzip` and by Python's `zipfile`, each tar variant by Python's `tarfile` and GNU tar, into
scratch folders;
shiplint reads the same archive (`inspect --entries --format json`) and judges it (`scan --format json`). For every
extractor, what it wrote and what shiplint judged must agree, or the difference must be a finding on that path:

- every file or link an extractor wrote is in shiplint's listing, of the same kind (file, symlink, special);
- every file the extractor wrote with a native payload (or under a native name and native content) is judged by shiplint
  at that path with that payload (a link: at its own path or at its target's), and every binary shiplint judged was
  written there with that payload;
- an extractor that fails (unzip's exit status 2 or more, an exception from zipfile or tarfile) is matched by an error
  in shiplint's report, or shiplint's refusal of the archive (exit status 2); shiplint may refuse only what an
  extractor fails on.

Lambda's own extractor is not public: where unzip and zipfile agree shiplint must follow them, where they differ it must
match both (judge both results) or say so. Known ways the extractors differ are not forgiven here: each must be a
finding or be matched.

    python3 differential/archives/run.py --shiplint .build/debug/shiplint --variants 5000 [--seed N] [--save DIR]

Prints the variants tried (ZIP and tar), what the extractors did, and each disagreement; the last line is
`differential archives: N variants, N disagreements`. Exit status 1 when there is a disagreement (each one saved with
what was done to it under --save, default differential/archives/failures), 2 when the run itself could not be made.
Python 3 standard library only (3.11.4+: tarfile's extraction filters), plus unzip, GNU tar and unshare: the
extractors run shut in a mount namespace where only the scratch folder is writable (`extract.py`), so the run needs
root (as CI has).
"""
import argparse
import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))
sys.dont_write_bytecode = True
import variants  # noqa: E402

TARGET = "aws-lambda-python3.13-x86_64"
BATCH = 200
NATIVE_SUFFIXES = (".so", ".pyd", ".node", ".dylib")
LINKS_AS_FILES = [0]
NUL_IN_TAR_NAMES = [0]


def display(raw: bytes) -> str:
    """A name as shiplint shows it (EntryName.display): UTF-8, each byte that is not written `\\xNN`."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    out, index = [], 0
    while index < len(raw):
        lead = raw[index]
        length = 1 if lead < 0x80 else 2 if lead >> 5 == 0b110 else 3 if lead >> 4 == 0b1110 else 4 if lead >> 3 == 0b11110 else 0
        if length:
            try:
                out.append(raw[index:index + length].decode("utf-8"))
                index += length
                continue
            except UnicodeDecodeError:
                pass
        out.append(f"\\x{lead:02x}")
        index += 1
    return "".join(out)


def harmless(path: str) -> str:
    """`.` components and repeated slashes dropped, as the runtime's path join drops them."""
    absolute = path.startswith("/")
    parts = [part for part in path.split("/") if part not in ("", ".")]
    return ("/" if absolute else "") + "/".join(parts)


def extracted_form(path: str) -> str:
    """What unzip, zipfile and tarfile's filters make of a stored name: no leading `/`, no `.` or `..` component."""
    return "/".join(part for part in path.split("/") if part not in ("", ".", ".."))


def resolved_form(path: str) -> str:
    """What tarfile makes of a stored name: `..` resolved against the folders before it."""
    parts = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
        else:
            parts.append(part)
    return "/".join(parts)


def looks_native(path: str) -> bool:
    name = path.rsplit("/", 1)[-1].lower()
    return name.endswith(NATIVE_SUFFIXES) or ".so." in name


class Payloads:
    def __init__(self):
        self.bytes = variants.load_payloads()
        self.by_hash = {hashlib.sha256(data).hexdigest(): name for name, data in self.bytes.items()}
        self.size_of = {name: len(data) for name, data in self.bytes.items()}

    def name(self, data: bytes) -> str:
        return self.by_hash.get(hashlib.sha256(data).hexdigest(), "other")

    def native(self, name: str) -> bool:
        return name in variants.NATIVE_PAYLOADS


# ---------------------------------------------------------------------------------------------------------------------
# What the extractors write.

def tree(folder: Path, payloads: Payloads) -> dict:
    """{path shown as shiplint shows names: (kind, detail)}: ("file", payload), ("symlink", target), ("dir", None),
    ("special", None). Nothing but regular files is opened."""
    out = {}
    base = os.fsencode(folder)
    for directory, folders, files in os.walk(base, followlinks=False):
        for name in folders + files:
            full = os.path.join(directory, name)
            relative = display(os.path.relpath(full, base))
            mode = os.lstat(full).st_mode
            if stat.S_ISLNK(mode):
                out[relative] = ("symlink", display(os.readlink(full)))
            elif stat.S_ISDIR(mode):
                out[relative] = ("dir", None)
            elif stat.S_ISREG(mode):
                with open(full, "rb") as f:
                    data = f.read()
                name = payloads.name(data)
                # zipfile writes a link as a file holding its target: kept as text to know it again.
                out[relative] = ("file", name if name != "other" or len(data) > 4096 else "text:" + display(data))
            else:
                out[relative] = ("special", None)
    return out


def resolve(files: dict, path: str, hops=0):
    """The path a link leads to inside the extracted tree (None when it leaves it, loops or leads nowhere)."""
    if hops > 40 or path not in files:
        return None
    kind, detail = files[path]
    if kind != "symlink":
        return path
    if detail.startswith("/"):
        return None
    parts = path.split("/")[:-1]
    for part in detail.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                return None
            parts.pop()
        else:
            parts.append(part)
    return resolve(files, "/".join(parts), hops + 1)


def extract_batch(work: Path, batch: list) -> dict:
    """{archive: {extractor: (failure, folder)}}: every archive of the batch extracted by `extract.py`, shut in a
    mount namespace where nothing but `work` is writable (an extractor that follows a link out of its folder cannot
    touch the machine), each extraction killed after 20 s."""
    listing = json.dumps([[str(path), variant.kind] for variant, path in batch])
    result = subprocess.run(["unshare", "--mount", "--propagation", "private", sys.executable, str(HERE / "extract.py"), str(work)],
                            input=listing.encode(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=3600)
    if result.returncode != 0:
        raise RuntimeError(f"extract.py failed ({result.returncode}): {result.stderr.decode(errors='replace').strip()[-300:]}"
                           " (it needs root, for a mount namespace)")
    done = {}
    for line in result.stdout.decode().splitlines():
        record = json.loads(line)
        done.setdefault(record["archive"], {})[record["extractor"]] = (record["failure"], Path(record["out"]))
    return done


# ---------------------------------------------------------------------------------------------------------------------
# What shiplint judges.

def shiplint_batch(shiplint: str, paths: list) -> dict:
    """{path: verdict} for a batch: one `inspect --entries` and one `scan` for all; an archive shiplint refuses
    (exit status 2) makes the batch fail, and each is then read alone."""
    verdicts = {}
    inspect = subprocess.run([shiplint, "inspect", "--entries", "--format", "json", *map(str, paths)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
    scan = subprocess.run([shiplint, "scan", "--format", "json", "--fail-on", "never", "--target", TARGET, *map(str, paths)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
    if inspect.returncode == 0 and scan.returncode == 0:
        # Matched by path: scan puts the artifacts it recognises as layers after the functions.
        facts = {artifact["path"]: artifact for artifact in json.loads(inspect.stdout)["artifacts"]}
        judged = {artifact["path"]: artifact for artifact in json.loads(scan.stdout)["artifacts"]}
        if all(str(path) in facts and str(path) in judged for path in paths):
            for path in paths:
                verdicts[str(path)] = verdict(facts[str(path)], judged[str(path)])
            return verdicts
    status = inspect.returncode if inspect.returncode != 0 else scan.returncode
    message = (inspect.stderr if inspect.returncode != 0 else scan.stderr).decode(errors="replace").strip()
    # The first archive (in the order given) that shiplint refuses ends the call, its path in the message: those
    # before it are readable, so they go in one call; those after it are tried again.
    refused = next((index for index, path in enumerate(paths) if f" {path}: " in message or message.startswith(f"{path}: ")), None)
    if status != 2 or refused is None:
        raise RuntimeError(f"shiplint exit {status} on a batch from {paths[0]}: {message[:300]}")
    verdicts[str(paths[refused])] = {"refused": message}
    for part in (paths[:refused], paths[refused + 1:]):
        if part:
            verdicts.update(shiplint_batch(shiplint, part))
    return verdicts


def verdict(fact: dict, judgement: dict) -> dict:
    # The last entry with a name is the one on disk (each is written over the last).
    listing, links = {}, {}
    for entry in fact["listing"]:
        kind, target = entry["type"], entry["target"]
        # A hard link to a FIFO, a device or a symbolic link is one (tar makes a second name for the same node), through
        # a chain of hard links too: the node its target names when the link is made, not what a later entry of that
        # name writes over it (the link keeps the first node).
        if kind == "hardlink" and listing.get(harmless(target or ""), ("",))[0] in ("other", "symlink"):
            kind, target = listing[harmless(target)]
        listing[harmless(entry["path"])] = (kind, target)
        if entry["type"] == "symlink":
            links.setdefault(extracted_form(entry["path"]), []).append(entry["target"])
    binaries = {}
    for binary in fact["binaries"]:
        binaries[harmless(binary["path"])] = (binary["format"] if binary.get("problem") is None else None, binary["size"])
    findings = {}
    for finding in judgement["findings"]:
        # One cause in several files is one finding listing them (`files`, the first included, each with its message).
        for file in finding.get("files") or [{"path": finding["path"], "message": finding["message"]}]:
            findings.setdefault(harmless(file.get("path") or ""), []).append(
                (finding["check"], finding["severity"], file.get("message", finding["message"])))
    return {"listing": listing, "links": links, "binaries": binaries, "findings": findings,
            "errors": sum(1 for f in judgement["findings"] if f["severity"] == "error")}


# ---------------------------------------------------------------------------------------------------------------------
# The comparison.

def skeleton(path: str) -> str:
    """A name's ASCII characters alone (no other character, no `\\xNN` escape): the spellings the extractors give a
    name they encode differently share it."""
    out, index = [], 0
    while index < len(path):
        if path.startswith("\\x", index) and len(path) >= index + 4:
            index += 4
        else:
            if ord(path[index]) < 0x80:
                out.append(path[index])
            index += 1
    return "".join(out)


def said(judged: dict, path: str) -> bool:
    """A finding on `path`, or on a stored name extractors turn into `path`; a finding on a name the extractors
    encode differently (`name-encoding`) covers its other spellings; an error on the artifact as a whole (damaged,
    not read past a point) covers every path."""
    findings = judged["findings"]
    if any(severity == "error" for _, severity, _ in findings.get("", [])):
        return True
    for p, said_there in findings.items():
        if p == path or extracted_form(p) == path or resolved_form(p) == path:
            return True
        # A finding that names the path written (a name cut at NUL, a Unicode Path name, a backslash made a folder).
        if any(check == "extraction-mismatch" and f"'{path}'" in message for check, _, message in said_there):
            return True
        if any(check == "extraction-mismatch" and "name differently" in message for check, _, message in said_there) \
                and same_skeleton(extracted_form(p), path):
            return True
        # tarfile writes a file over a symbolic link through it (GNU tar unlinks first): the repeated name is said.
        if any("entries are written to" in message for _, _, message in said_there):
            written = extracted_form(p)
            for target in judged["links"].get(written, []):
                if resolved_form(written.rsplit("/", 1)[0] + "/" + target if "/" in written else target) == path:
                    return True
    return False


def same_skeleton(stored: str, written: str) -> bool:
    """Each folder and the file name keep their ASCII characters, in order, whatever an extractor turned the rest into
    (zipfile decodes CP437, unzip converts CP437 to ISO 8859-1 for an MS-DOS host)."""
    stored_parts, written_parts = stored.split("/"), written.split("/")
    if len(stored_parts) != len(written_parts):
        return False
    for a, b in zip(stored_parts, written_parts):
        wanted, remaining = skeleton(a), iter(skeleton(b))
        if not all(character in remaining for character in wanted):
            return False
    return True


def compare(extractor: str, failure, files: dict, judged: dict, payloads: Payloads) -> list:
    problems = []
    if failure is not None:
        if judged["errors"] == 0:
            problems.append((None, f"{extractor} failed ({failure}) and shiplint reports no error"))
        return problems
    listing, binaries = judged["listing"], judged["binaries"]
    for path, (kind, detail) in sorted(files.items()):
        if kind == "dir":
            continue
        listed = listing.get(path)  # a hard link to a link or a special file is listed as one (`verdict`)
        expected = {"file": ("file", "hardlink"), "symlink": ("symlink",), "special": ("other",)}[kind]
        if extractor == "zipfile" and kind == "file" and listed and listed[0] == "symlink" and detail.split("\x00")[0] == "text:" + listed[1]:
            # zipfile has no symbolic links: it writes the target's path as the file's content. Lambda restores
            # links as unzip does (and shiplint's model of the runtime follows them): counted, not a disagreement.
            LINKS_AS_FILES[0] += 1
            continue
        if (listed is None or listed[0] not in expected) and not said(judged, path):
            problems.append((path, f"{extractor} wrote {kind} {path!r}; shiplint lists {listed}"))
            continue
        resolved = resolve(files, path) if kind == "symlink" else path
        if resolved is None or files[resolved][0] != "file":
            continue
        payload = files[resolved][1]
        if not payloads.native(payload) or not looks_native(path):
            continue
        size = payloads.size_of[payload]
        here, there = binaries.get(path), binaries.get(resolved)
        # A link to a file whose name is written differently (`lib\x.so` stored, `lib/x.so` written by unzip) is
        # covered by what shiplint says of that file, where its content is judged under the stored name.
        if not (here and here[1] == size or there and there[1] == size) and not said(judged, path) \
                and not (resolved != path and said(judged, resolved)):
            problems.append((path, f"{extractor} wrote {payload} at {path!r}{' (a link to ' + repr(resolved) + ')' if resolved != path else ''}; shiplint judged {here or there}"))
    for path, (form, size) in sorted(binaries.items()):
        if form is None:
            continue
        resolved = resolve(files, path)
        written = files.get(resolved)[1] if resolved is not None and files.get(resolved, ("", ""))[0] == "file" else None
        link = judged["listing"].get(path, ("", None))
        if extractor == "zipfile" and link[0] == "symlink" and str(written).split("\x00")[0] == "text:" + str(link[1]):
            continue  # a link written as a file by zipfile (see above)
        if (written is None or payloads.size_of.get(written) != size) and not said(judged, path):
            problems.append((path, f"shiplint judged a {form} of {size} bytes at {path!r}; {extractor} wrote {files.get(path)} there"))
    return problems


def judge_variant(variant, extracted: dict, judged: dict, payloads: Payloads) -> tuple:
    problems, outcomes, written = [], {}, {}
    for name, (failure, folder) in extracted.items():
        outcomes[name] = "failed" if failure else "ok"
        written[name] = (failure, tree(folder, payloads))
    if "refused" in judged:
        # A refusal is loud, not a pass: right when an extractor fails too (the extractors then disagree, or agree).
        if all(outcome == "ok" for outcome in outcomes.values()):
            problems.append(f"{' and '.join(outcomes)} extracted the archive, shiplint refused it: {judged['refused'][:160]}")
        return problems, outcomes
    found = {name: compare(name, failure, files, judged, payloads) for name, (failure, files) in written.items()}
    if variant.kind == "tar":
        # No Lambda extractor reads a tar (an image's layers are unpacked by the container runtime): where GNU tar and
        # tarfile write different things, shiplint agreeing with either is following a real extractor.
        for name, other in (("tarfile", "GNU tar"), ("GNU tar", "tarfile")):
            agreed = {path for path, _ in found[other]}
            found[name] = [(path, text) for path, text in found[name] if path in agreed or path is None]
        # A NUL in a pax `path` record: GNU tar (and libarchive, shiplint's reader) cut the name at it, tarfile fails
        # (`embedded null byte`; Go's archive/tar, containerd's, refuses the record too). shiplint agreeing with GNU tar
        # follows a real extractor; that it says nothing is a known gap (counted, not a disagreement): libarchive gives
        # no way to see the cut.
        tarfile_failure, gnu = written["tarfile"][0], written["GNU tar"][0]
        if tarfile_failure and "embedded null byte" in tarfile_failure and gnu is None and not found["GNU tar"]:
            found["tarfile"] = [(path, text) for path, text in found["tarfile"] if path is not None]
            NUL_IN_TAR_NAMES[0] += 1
    for name in found:
        problems += [text for _, text in found[name]]
    return problems, outcomes


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shiplint", default=os.environ.get("SHIPLINT", str(ROOT / ".build/debug/shiplint")))
    parser.add_argument("--variants", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--first", type=int, default=0, help="number of the first variant (to make one again)")
    parser.add_argument("--save", default=str(HERE / "failures"))
    arguments = parser.parse_args()
    if not os.access(arguments.shiplint, os.X_OK) or shutil.which("unzip") is None:
        print(f"differential archives: needs {arguments.shiplint} and unzip", file=sys.stderr)
        return 2
    payloads = Payloads()
    started = time.monotonic()
    counts = {"zip": 0, "tar": 0}
    outcome_counts = {}
    disagreements = 0
    spent = {"shiplint": 0.0, "extractors": 0.0}
    with tempfile.TemporaryDirectory(prefix="shiplint-differential-") as temporary:
        work = Path(temporary)
        for first in range(arguments.first, arguments.first + arguments.variants, BATCH):
            batch = [variants.variant(arguments.seed, number, payloads.bytes)
                     for number in range(first, min(first + BATCH, arguments.first + arguments.variants))]
            paths = []
            for variant in batch:
                path = work / f"v{variant.number:08d}.{variant.kind}"
                path.write_bytes(variant.data)
                paths.append(path)
            clock = time.monotonic()
            judged = shiplint_batch(arguments.shiplint, paths)
            spent["shiplint"] += time.monotonic() - clock
            clock = time.monotonic()
            extracted = extract_batch(work, list(zip(batch, paths)))
            for variant, path in zip(batch, paths):
                counts[variant.kind] += 1
                problems, outcomes = judge_variant(variant, extracted[str(path)], judged[str(path)], payloads)
                for name, outcome in outcomes.items():
                    outcome_counts[f"{name} {outcome}"] = outcome_counts.get(f"{name} {outcome}", 0) + 1
                if problems:
                    disagreements += 1
                    save = Path(arguments.save)
                    save.mkdir(parents=True, exist_ok=True)
                    kept = save / path.name
                    shutil.copyfile(path, kept)
                    (save / (path.name + ".txt")).write_text(
                        f"seed {arguments.seed} variant {variant.number}: {'; '.join(variant.what)}\n" + "\n".join(problems) + "\n")
                    print(f"DISAGREE variant {variant.number} ({kept}): {'; '.join(variant.what)}")
                    for problem in problems:
                        print(f"  {problem}")
                path.unlink()
            shutil.rmtree(work / "out", ignore_errors=True)
            spent["extractors"] += time.monotonic() - clock
    total = counts["zip"] + counts["tar"]
    print(f"differential archives: {counts['zip']} ZIP and {counts['tar']} tar variants (seed {arguments.seed}) in "
          f"{time.monotonic() - started:.0f} s (shiplint {spent['shiplint']:.0f} s, extractors {spent['extractors']:.0f} s); extractors: "
          + ", ".join(f"{key} {value}" for key, value in sorted(outcome_counts.items())))
    print(f"differential archives: zipfile wrote {LINKS_AS_FILES[0]} symbolic links as files holding their target "
          "(it has no links; Lambda restores them, as unzip does)")
    print(f"differential archives: {NUL_IN_TAR_NAMES[0]} tar variants with a NUL in a pax path: tarfile failed, GNU tar "
          "cut the name and shiplint read it as GNU tar does, saying nothing (a known gap)")
    print(f"differential archives: {total} variants, {disagreements} disagreements")
    return 1 if disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
