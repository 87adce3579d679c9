"""The soak's files: candidates.tsv, lock.json, the wheel cache. Python 3 standard library only."""

import hashlib
import json
import os
import re
import urllib.error
import urllib.request

SOAK_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(SOAK_DIR)
CANDIDATES_FILE = os.path.join(SOAK_DIR, "candidates.tsv")
LOCK_FILE = os.path.join(SOAK_DIR, "lock.json")
CI_SLICE_FILE = os.path.join(SOAK_DIR, "ci-slice.txt")
PIP_VERSION = "25.3"
PYELFTOOLS_VERSION = "0.32"
UV_VERSION = "0.13.9"


def cache_dir():
    if os.environ.get("SHIPLINT_SOAK_CACHE"):
        return os.environ["SHIPLINT_SOAK_CACHE"]
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "shiplint", "soak")


def venv_pip():
    return os.path.join(cache_dir(), "venv", "bin", "pip")


def venv_uv():
    return os.path.join(cache_dir(), "venv", "bin", "uv")


def venv_python():
    return os.path.join(cache_dir(), "venv", "bin", "python")


def normalized(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def read_candidates(path=CANDIDATES_FILE):
    projects = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or line.startswith("rank\t") or not line.strip():
                continue
            rank, name = line.rstrip("\n").split("\t")
            projects.append(name)
    return projects


def read_ci_slice(path=CI_SLICE_FILE):
    with open(path, encoding="utf-8") as f:
        return [line.split("#")[0].strip() for line in f if line.split("#")[0].strip()]


# lock.json (schema 2) names each wheel once, in `wheels`, under a short key (the first KEY_LENGTH hex digits of its
# sha256): [file name, sha256, size, where] with `where` the part of its URL between URL_PREFIX and "/<file name>"
# (PyPI's folders from the file's blake2b digest) or, for a URL of another shape, the whole URL; `builds` names the
# wheels of each build by key, in install order. Read, it is the same as schema 1 was written: `wheels` {file name:
# {sha256, size, url}} and `builds` {project: {build: [file names] or {"error": …}}}.
LOCK_SCHEMA = 2
URL_PREFIX = "https://files.pythonhosted.org/packages/"
KEY_LENGTH = 12


def read_lock(path=LOCK_FILE):
    with open(path, encoding="utf-8") as f:
        stored = json.load(f)
    if stored.get("schema") != LOCK_SCHEMA or not isinstance(stored.get("builds"), dict) \
            or not isinstance(stored.get("wheels"), dict):
        raise ValueError(f"{path}: expected schema {LOCK_SCHEMA} with 'builds' and 'wheels'")
    wheels, names = {}, {}
    for key, entry in stored["wheels"].items():
        if not (isinstance(entry, list) and len(entry) == 4 and entry[1].startswith(key)):
            raise ValueError(f"{path}: wheel {key!r}: expected [file name, sha256 starting with the key, size, where]")
        filename, sha256, size, where = entry
        url = where if where.startswith("https://") else f"{URL_PREFIX}{where}/{filename}"
        wheels[filename] = {"sha256": sha256, "size": size, "url": url}
        names[key] = filename
    builds = {}
    for project, entries in stored["builds"].items():
        builds[project] = {}
        for name, entry in entries.items():
            if isinstance(entry, list):
                missing = [key for key in entry if key not in names]
                if missing:
                    raise ValueError(f"{path}: {project} {name} names wheels not in 'wheels': {', '.join(missing)}")
                entry = [names[key] for key in entry]
            builds[project][name] = entry
    return {"schema": LOCK_SCHEMA, "locked": stored.get("locked", ""), "resolver": stored.get("resolver", ""),
            "builds": builds, "wheels": wheels}


def write_lock(lock, path=LOCK_FILE):
    """One line per project and build, one per wheel: small diffs when a build is locked again."""
    keys = {}
    for filename, pin in lock["wheels"].items():
        key = pin["sha256"][:KEY_LENGTH]
        if keys.get(key, filename) != filename:
            raise ValueError(f"two wheels' sha256 start with {key}: {keys[key]} and {filename} (lengthen KEY_LENGTH)")
        keys[key] = filename
    key_of = {filename: key for key, filename in keys.items()}
    lines = ["{", f'"schema": {LOCK_SCHEMA},', f'"locked": {json.dumps(lock.get("locked", ""))},',
             f'"resolver": {json.dumps("uv " + UV_VERSION)},', '"builds": {']
    projects = sorted(lock["builds"])
    for i, project in enumerate(projects):
        entries = lock["builds"][project]
        lines.append(f"{json.dumps(project)}: {{")
        names = sorted(entries)
        for j, name in enumerate(names):
            entry = entries[name]
            if isinstance(entry, list):
                entry = [key_of[filename] for filename in entry]
            lines.append(f"  {json.dumps(name)}: {json.dumps(entry)}{',' if j < len(names) - 1 else ''}")
        lines.append("}" + ("," if i < len(projects) - 1 else ""))
    lines.append("},")
    lines.append('"wheels": {')
    ordered = sorted(lock["wheels"])
    for i, filename in enumerate(ordered):
        pin = lock["wheels"][filename]
        url, where = pin["url"], pin["url"]
        if url.startswith(URL_PREFIX) and url.endswith("/" + filename):
            where = url[len(URL_PREFIX): -len(filename) - 1]
        entry = [filename, pin["sha256"], pin.get("size", 0), where]
        lines.append(f"{json.dumps(key_of[filename])}: {json.dumps(entry)}{',' if i < len(ordered) - 1 else ''}")
    lines.append("}")
    lines.append("}")
    temporary = path + ".part"
    with open(temporary, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(temporary, path)


def own_wheel(project, files):
    """The wheel of the project itself among a build's wheels."""
    key = normalized(project)
    for filename in files:
        if normalized(filename.split("-")[0]) == key:
            return filename
    return None


def is_platform_wheel(filename):
    return filename[:-4].split("-")[-1] != "any"


def is_native(lock, project, probe="documented/aws-lambda-python3.13-x86_64"):
    """The project's own wheel is a platform wheel in the probe build (python3.13 on x86_64)."""
    files = lock["builds"].get(project, {}).get(probe)
    if not isinstance(files, list):
        return False
    wheel = own_wheel(project, files)
    return bool(wheel) and is_platform_wheel(wheel)


# ---------------------------------------------------------------------------------------------------------
# The wheel cache: one file per wheel, named as on PyPI, kept only with its pinned sha256.

class NetworkDown(Exception):
    pass


class TooLarge(Exception):
    pass


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def wheel_path(filename):
    return os.path.join(cache_dir(), "wheels", filename)


def cached(filename, sha256):
    """The path when the wheel is in the cache with its pinned hash (checked once, then remembered by a stamp)."""
    path = wheel_path(filename)
    stamp = path + ".sha256"
    if not os.path.isfile(path):
        return None
    if os.path.isfile(stamp):
        with open(stamp, encoding="ascii") as f:
            if f.read().strip() == sha256 and os.path.getsize(path) == _stamped_size(stamp):
                return path
    if sha256_of(path) == sha256:
        with open(stamp, "w", encoding="ascii") as f:
            f.write(f"{sha256}\n{os.path.getsize(path)}\n")
        return path
    return None


def _stamped_size(stamp):
    with open(stamp, encoding="ascii") as f:
        lines = f.read().split()
    return int(lines[1]) if len(lines) > 1 else -1


def download(filename, sha256, url, max_bytes, timeout=120):
    """Into the cache through a .part file; refuses (TooLarge) a file over max_bytes before reading it."""
    path = wheel_path(filename)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    partial = path + ".part"
    digest = hashlib.sha256()
    try:
        request = urllib.request.Request(url, headers={"User-Agent": "shiplint-soak"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            length = int(response.headers.get("Content-Length") or 0)
            if length > max_bytes:
                raise TooLarge(f"{filename} is {length / 1e6:.0f} MB")
            with open(partial, "wb") as out:
                for block in iter(lambda: response.read(1 << 16), b""):
                    digest.update(block)
                    out.write(block)
    except urllib.error.HTTPError as error:
        _remove(partial)
        raise OSError(f"HTTP {error.code} for {filename}") from None
    except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
        _remove(partial)
        raise NetworkDown(f"network: {getattr(error, 'reason', error)}") from None
    if digest.hexdigest() != sha256:
        _remove(partial)
        raise OSError(f"sha256 mismatch for {filename}: got {digest.hexdigest()}, pinned {sha256}")
    os.replace(partial, path)
    with open(path + ".sha256", "w", encoding="ascii") as f:
        f.write(f"{sha256}\n{os.path.getsize(path)}\n")
    return path


def _remove(path):
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
