"""Extracts a batch of archives with the real extractors, shut in: run by run.py as
`unshare --mount --propagation private python3 extract.py WORK` (a mount namespace of its own), it makes every mount
read-only but WORK (bind-mounted on itself, writable, without devices), so an extractor that follows a symbolic link
out of its folder (tarfile writes through an existing link; a hard link to a link makes tarfile set the times of its
target) cannot touch the machine. Each extraction runs in a child process killed after TIMEOUT seconds (tarfile opens
a FIFO it made for writing when a later entry has its name, and waits forever).

Reads a JSON list of [archive, kind] on standard input; for each, extracts it into WORK/out/<n>/<extractor> and prints
one JSON line {"archive", "extractor", "failure"} (failure null when it succeeded).
"""
import json
import os
import signal
import subprocess
import sys
import tarfile
import zipfile

TIMEOUT = 20


def lock_down(work):
    subprocess.run(["mount", "--bind", work, work], check=True)
    subprocess.run(["mount", "-o", "remount,bind,nodev", work], check=True)
    with open("/proc/self/mounts") as f:
        targets = [line.split()[1].encode().decode("unicode_escape") for line in f]
    for target in targets:
        if target != work and not target.startswith(work + "/"):
            subprocess.run(["mount", "-o", "remount,bind,ro", target], stderr=subprocess.DEVNULL)
    probe = os.path.join(os.path.dirname(work), ".differential-probe")
    try:
        open(probe, "w").close()
        os.unlink(probe)
        sys.exit("extract.py: the machine is still writable outside the work folder; not extracting")
    except OSError:
        pass


def unzip(archive, out):
    result = subprocess.run(["unzip", "-qq", "-o", archive, "-d", out], stdin=subprocess.DEVNULL, capture_output=True)
    return None if result.returncode < 2 else f"exit {result.returncode}: {result.stderr.decode(errors='replace').strip()[:120]}"


def gnutar(archive, out):
    result = subprocess.run(["tar", "-xf", archive, "-C", out, "--no-same-owner"], stdin=subprocess.DEVNULL, capture_output=True)
    return None if result.returncode == 0 else f"exit {result.returncode}: {result.stderr.decode(errors='replace').strip()[:120]}"


def pyzipfile(archive, out):
    with zipfile.ZipFile(archive) as z:
        z.extractall(out)


def pytarfile(archive, out):
    with tarfile.open(archive) as t:
        t.extractall(out, filter="tar")


EXTRACTORS = {"zip": [("unzip", unzip), ("zipfile", pyzipfile)], "tar": [("tarfile", pytarfile), ("GNU tar", gnutar)]}


def extract(function, archive, out):
    """The extractor's failure, or None; in a child process, killed after TIMEOUT seconds."""
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(reader)
        try:
            failure = function(archive, out)
        except BaseException as error:  # noqa: BLE001 - every refusal is an outcome to compare
            failure = f"{type(error).__name__}: {error}"[:160]
        os.write(writer, json.dumps(failure).encode())
        os._exit(0)
    os.close(writer)
    signal.signal(signal.SIGALRM, lambda *_: os.kill(child, signal.SIGKILL))
    signal.alarm(TIMEOUT)
    _, status = os.waitpid(child, 0)
    signal.alarm(0)
    with os.fdopen(reader, "rb") as pipe:
        said = pipe.read()
    if os.WIFSIGNALED(status):
        return f"killed after {TIMEOUT} s (it waits forever)"
    return json.loads(said) if said else "no result"


def main():
    work = os.path.realpath(sys.argv[1])
    lock_down(work)
    for number, (archive, kind) in enumerate(json.load(sys.stdin)):
        for name, function in EXTRACTORS[kind]:
            out = os.path.join(work, "out", str(number), name)
            os.makedirs(out)
            failure = extract(function, archive, out)
            print(json.dumps({"archive": archive, "extractor": name, "failure": failure, "out": out}), flush=True)


if __name__ == "__main__":
    main()
