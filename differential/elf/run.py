"""The ELF differential test (STYLE 11): glibc's own loader is the oracle. Variants of real libraries of this machine
and of bases built here against the real glibc (variants.py) are each dlopen()ed with RTLD_NOW in a child process
(loader_oracle.c) and scanned by shiplint against a target describing this machine; a variant the loader loads and
shiplint fails, or the reverse, is a disagreement: it is saved with what was done to it, and the run fails.

    python3 differential/elf/run.py --shiplint .build/debug/shiplint --variants 20000 [--seed N] [--save DIR]

Prints the variants tried, how the loader judged them and the disagreements. Some variants are counted apart, each
class named, counted and explained in the output (CLASSES): the loader refuses only for an undefined symbol the host
target cannot judge; shiplint refuses a zero fill larger than Lambda's largest memory that this machine maps; the file
is corrupt to shiplint and loads only because of what the process happens to have
where ld.so reads or writes outside the object (shown by loading it again with `loader_oracle --hostile-layout`);
the object's own code faults after ld.so mapped and relocated it; the CPU lacks the ISA level the file asks for; the
span of the segments fits a process or not depending on where its program lies; a CPU without protection keys reads
an execute-only segment.
"""
import argparse
import hashlib
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))
import variants  # noqa: E402

# Real libraries of Debian 12's essential packages (glibc, zlib): small, no constructors worth fearing.
SYSTEM_BASES = ["libdl.so.2", "libutil.so.1", "librt.so.1", "libanl.so.1", "libpthread.so.0", "libBrokenLocale.so.1",
                "libnss_files.so.2", "libnss_dns.so.2", "libz.so.1"]
SYSTEM_DIR = Path("/usr/lib/x86_64-linux-gnu")
# The fixture recipe's modules (linked against stub glibc libraries whose versions the real glibc has).
FIXTURE_BASES = ["_clean.cpython-313-x86_64-linux-gnu.so", "_glibc234.cpython-312-x86_64-linux-gnu.so",
                 "_execstack.cpython-313-x86_64-linux-gnu.so", "_isav3.cpython-313-x86_64-linux-gnu.so",
                 "_nostack.cpython-313-x86_64-linux-gnu.so", "_dynstrend.cpython-311-x86_64-linux-gnu.so",
                 "libfoo.so.1", "bootstrap"]
PYTHON_LIBRARY = "libpython3.11.so.1.0"
NEXT_LIBRARY = "libanl.so.1"
# Findings that say the loader will not load the file (the rest are about Python names, packaging, layout).
LOADER_CHECKS = {"corrupt-binary", "not-loadable", "wrong-arch", "windows-binary", "darwin-binary", "android-binary",
                 "musl-binary", "missing-library", "missing-symbol-version", "glibc-too-new", "libstdcxx-too-new",
                 "undefined-symbol"}


def build_helpers(work: Path) -> dict:
    """The oracle and the bases compiled here with the machine's cc and glibc."""
    out = {}
    oracle = work / "loader_oracle"
    # The usual process exports nothing of its own, as python3 exports only CPython's API (no -rdynamic, no malloc).
    subprocess.run(["cc", "-O2", "-o", oracle, HERE / "loader_oracle.c"], check=True)
    # The hostile layout's: -rdynamic, so ld.so's allocator binds to the oracle's malloc (the fenced heap).
    subprocess.run(["cc", "-O2", "-DHOSTILE_HEAP", "-rdynamic", "-o", work / "loader_oracle-hostile", HERE / "loader_oracle.c"],
                   check=True)
    out["oracle"] = oracle
    bases = HERE / "bases"
    builds = {
        "module.so": ["-shared", "-fPIC", f"-Wl,--version-script={bases / 'module.map'}", bases / "module.c"],
        "nodlopen.so": ["-shared", "-fPIC", "-Wl,-z,nodlopen", bases / "nodlopen.c"],
        "program-pie": ["-fPIE", "-pie", bases / "program.c"],
        "program-exec": ["-fno-PIE", "-no-pie", bases / "program.c"],
    }
    for name, args in builds.items():
        subprocess.run(["cc", "-O1", "-Wl,--build-id=none", *map(str, args), "-o", work / name], check=True)
        out[name] = work / name
    return out


def bases(helpers: dict) -> list:
    found = [(name, (SYSTEM_DIR / name).read_bytes()) for name in SYSTEM_BASES if (SYSTEM_DIR / name).exists()]
    found += [(name, (ROOT / "fixtures/bin/elf" / name).read_bytes()) for name in FIXTURE_BASES]
    found += [(name, Path(helpers[name]).read_bytes()) for name in ["module.so", "nodlopen.so", "program-pie", "program-exec"]]
    return found


def host_target(path: Path):
    """This machine as a target rule file: Debian 12's glibc, CPython 3.11, every soname in the loader's cache."""
    listing = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=True).stdout
    sonames = sorted({line.split()[0] for line in listing.splitlines()[1:] if "x86-64" in line})
    glibc = os.confstr("CS_GNU_LIBC_VERSION").split()[-1]
    template = (HERE / "host-target.toml").read_text()
    library = next((Path(d, PYTHON_LIBRARY) for d in [SYSTEM_DIR, "/usr/lib", "/lib/x86_64-linux-gnu"] if Path(d, PYTHON_LIBRARY).exists()), None)
    python_tls = "true" if library and has_tls_segment(library) else "false"
    path.write_text(template.replace("@GLIBC@", glibc).replace("@SONAMES@", ",\n  ".join(json.dumps(s) for s in sonames))
                    .replace("@PYTHON_TLS@", python_tls))
    return glibc


def has_tls_segment(path: Path) -> bool:
    """Whether the ELF64 little-endian file at `path` has a PT_TLS (7) with a size and an alignment, as ld.so keeps
    `l_tls_align` (elf/dl-load.c)."""
    data = path.read_bytes()
    phoff, = struct.unpack_from("<Q", data, 32)
    phentsize, phnum = struct.unpack_from("<HH", data, 54)
    for index in range(phnum):
        p_type, = struct.unpack_from("<I", data, phoff + index * phentsize)
        memsz, align = struct.unpack_from("<QQ", data, phoff + index * phentsize + 40)
        if p_type == 7 and memsz > 0 and align > 0:
            return True
    return False


def oracle_arguments(oracle: Path, hostile_layout: bool = False) -> list:
    args = [str(oracle.with_name(oracle.name + "-hostile")), "--hostile-layout"] if hostile_layout else [str(oracle)]
    if any(Path(d, PYTHON_LIBRARY).exists() for d in [SYSTEM_DIR, "/usr/lib", "/lib/x86_64-linux-gnu"]):
        args += ["--global", PYTHON_LIBRARY]
    # After the variant loads, the process loads one more library by path, as CPython imports the next module.
    if (SYSTEM_DIR / NEXT_LIBRARY).exists():
        args += ["--next", str(SYSTEM_DIR / NEXT_LIBRARY)]
    return args


def oracle_verdicts(oracle: Path, paths: list, hostile_layout: bool = False) -> dict:
    args = oracle_arguments(oracle, hostile_layout)
    result = subprocess.run(args, input="".join(f"{p}\n" for p in paths), capture_output=True, text=True, check=True,
                            errors="replace")
    verdicts = {}
    for line in result.stdout.split("\n"):
        if not line:
            continue
        parts = line.split("\t")
        if len(parts) < 2:
            raise SystemExit(f"loader_oracle printed a line that is not a verdict: {line!r}")
        verdicts[parts[0]] = (parts[1], parts[2] if len(parts) > 2 else "")
    return verdicts


def shiplint_verdicts(shiplint: str, folder: Path, target: Path) -> dict:
    result = subprocess.run([shiplint, "scan", str(folder), "--target", str(target), "--format", "json", "--fail-on", "never"],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"shiplint exited {result.returncode} on {folder}:\n{result.stderr[-2000:]}")
    findings = {}
    loader_errors(json.loads(result.stdout), findings)
    return findings


def loader_errors(report: dict, findings: dict) -> None:
    """The loader-related errors of a JSON report, by file path, into `findings`."""
    for artifact in report["artifacts"]:
        for finding in artifact["findings"]:
            if finding["severity"] == "error" and finding["check"] in LOADER_CHECKS:
                # One cause, one finding: a finding of several files lists each (the first is `path`) under `files`.
                for file in finding.get("files") or [{"path": finding["path"], "message": finding["message"]}]:
                    findings.setdefault(file["path"], []).append(f"{finding['check']}: {file['message']}")


def judged_alone(shiplint: str, paths: list, target: Path, lint: dict) -> None:
    """Scans each of `paths` again as an artifact of its own, into `lint`. A batch folder is one deployment to shiplint,
    and a name one variant imports but another defines is not judged there (SymbolBinding: a file of the deployment
    may have been loaded with RTLD_GLOBAL first), while the oracle loads every variant in a process of its own. The
    variants the loader fails and shiplint passes in the batch are judged alone, as each would be deployed."""
    if not paths:
        return
    folder = paths[0].parent.with_name(paths[0].parent.name + "-alone")
    shutil.rmtree(folder, ignore_errors=True)
    artifacts = []
    for path in paths:
        own = folder / path.name.split(".")[0]
        own.mkdir(parents=True)
        shutil.copy(path, own / path.name)
        artifacts.append(str(own))
    result = subprocess.run([shiplint, "scan", *artifacts, "--target", str(target), "--format", "json", "--fail-on", "never"],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"shiplint exited {result.returncode} on {folder}:\n{result.stderr[-2000:]}")
    loader_errors(json.loads(result.stdout), lint)
    shutil.rmtree(folder, ignore_errors=True)


def corpus_variants(folder: Path) -> list:
    """The committed reproducers (corpus/cases.json): each a variant that once disagreed, with the mutation that made
    it and what the loader did. Bytes are committed for variants of the fixtures; a variant of a library of this machine
    is made again from the machine's copy (said when the copy is missing or differs from the one measured)."""
    cases = json.loads((HERE / "corpus/cases.json").read_text())
    made = []
    for case in cases:
        if "file" in case:
            data = (HERE / "corpus" / case["file"]).read_bytes()
        else:
            base = SYSTEM_DIR / case["base"]
            if not base.exists():
                print(f"corpus {case['case']}: skipped, {base} is not on this machine", flush=True)
                continue
            kinds = tuple(variants.MUTATIONS) if case["kinds"] == "all" else tuple(case["kinds"].split(","))
            original = base.read_bytes()
            data, _ = variants.variant(original, case["seed"], kinds)
            if hashlib.sha256(data).hexdigest() != case["sha256"]:
                print(f"corpus {case['case']}: this machine's {case['base']} differs from the one measured; judged anyway", flush=True)
            case = dict(case, code_only=only_code_changed(original, data, code_ranges(original)),
                        parts=(original, data, code_ranges(original)))
        path = folder / f"corpus-{case['case']}.cpython-311-x86_64-linux-gnu.so"
        path.write_bytes(data)
        made.append((path, case))
    return made


UNDEFINED = "undefined-symbol (not judged yet)"
MEMORY = "machine memory"
LAYOUT = "layout-dependent"
OWN_CODE = "own code faulted"
CPU = "CPU-dependent"
ADDRESS_SPACE = "address-space layout"
CLASSES = {
    UNDEFINED: "the loader refuses only for an undefined symbol, and shiplint says nothing: the host target has no "
               "export tables to judge symbols against",
    MEMORY: "shiplint refuses a writable PT_LOAD whose zero fill is more than the 10,240 MB of memory the largest "
            "Lambda function has (the kernel refuses that anonymous mapping there), and the loader loads it here only "
            "because this machine allows one mapping that large (RAM + swap under heuristic overcommit, "
            "vm.overcommit_memory 0; CommitLimit under 2): Lambda's memory, not a loader rule this machine can show",
    LAYOUT: "shiplint calls the file corrupt, the loader loads it, and fails it in a process where nothing is mapped "
            "past the object's own reservation and the heap is dirty (loader_oracle --hostile-layout): the file makes "
            "ld.so read or write memory it did not allocate for it, and loads only where that memory happens to be there",
    OWN_CODE: "shiplint passes the file; ld.so mapped and relocated it, then the object's own code (a constructor or "
              "IFUNC resolver dlopen ran) faulted in the object or jumped from it to an address that is not code, or "
              "faulted or hung after a change to its instruction bytes (which ld.so never reads) alone, or to them and "
              "to constructor pointers (DT_INIT_ARRAY words, the R_X86_64_RELATIVE addends that fill them, DT_INIT's "
              "value) that still point into its instructions, or when those changes alone crash it and its other "
              "changes alone load: run-time behaviour of the program, not a loader rule",
    CPU: "the loader refuses only because this machine's CPU lacks the x86-64 ISA level the file's "
         "GNU_PROPERTY_X86_ISA_1_NEEDED note asks for, and shiplint says nothing: target rule files do not describe the "
         "CPU, so shiplint does not judge ISA levels (it reports them in the facts); or, on a CPU without memory "
         "protection keys (no `pku` in /proc/cpuinfo), the loader reads an execute-only (PF_X alone) segment that "
         "shiplint, reading as a CPU with PKU maps it (Linux execute_only_pkey: no read access), refuses for that alone",
    ADDRESS_SPACE: "the loader refuses (\"failed to map segment from shared object\") a file whose PT_LOAD segments "
                   "span more address space than the largest free gap of the oracle's process (measured in its "
                   "/proc/PID/maps, less 2 TiB for ASLR) but not more than a process has (0x7fff_ffff_f000, which "
                   "shiplint refuses): ld.so reserves the span in one mmap, which fits or not depending on where the "
                   "loading program and its libraries lie (a PIE program sits at two thirds of the 128 TiB), either "
                   "side accepted",
}

EXECUTE_ONLY = "is execute-only (PF_X without PF_R)"


def cpu_has_protection_keys() -> bool:
    """Whether this CPU and kernel map PROT_EXEC-only memory execute-only (x86 PKU, enabled: `ospke`)."""
    try:
        return any(line.startswith("flags") and " ospke" in line for line in Path("/proc/cpuinfo").read_text().splitlines())
    except OSError:
        return False


PROTECTION_KEYS = cpu_has_protection_keys()


def section_headers(elf: bytes):
    """(sh_type, sh_flags, sh_addr, sh_offset, sh_size) of each section header of an ELF64 little-endian file, as far as
    its table is whole; nothing for another file."""
    if len(elf) < 64 or elf[:4] != b"\x7fELF" or elf[4] != 2 or elf[5] != 1:
        return
    shoff, = struct.unpack_from("<Q", elf, 0x28)
    entsize, count = struct.unpack_from("<HH", elf, 0x3A)
    for i in range(count):
        at = shoff + i * entsize
        if entsize < 64 or at + 64 > len(elf):
            return
        kind, = struct.unpack_from("<I", elf, at + 4)
        flags, address, offset, size = struct.unpack_from("<QQQQ", elf, at + 8)
        yield kind, flags, address, offset, size


def is_code(kind: int, flags: int) -> bool:
    return bool(flags & 4) and kind != 8  # SHF_EXECINSTR, not SHT_NOBITS


def code_ranges(elf: bytes) -> list:
    """File ranges of an ELF64 little-endian file's SHF_EXECINSTR sections (.init, .plt, .text, .fini: its
    instructions), from its section headers. ld.so never reads these bytes (it maps them; the program runs them)."""
    return [(offset, offset + size) for kind, flags, _, offset, size in section_headers(elf) if is_code(kind, flags)]


def constructor_words(elf: bytes) -> tuple:
    """(file ranges of the words of .init_array and .preinit_array, address ranges of the instructions), from an ELF64
    little-endian file's section headers: a constructor pointer moved to other instructions of the object makes dlopen
    call code the file has, which is what that code does, not a loader rule (shiplint judges a pointer to non-code)."""
    headers = list(section_headers(elf))
    words = [(offset, offset + size) for kind, _, _, offset, size in headers if kind in (14, 16)]  # SHT_(PRE)INIT_ARRAY
    code = [(address, address + size) for kind, flags, address, _, size in headers if is_code(kind, flags)]
    return words, code


def code_changes(base: bytes, data: bytes, ranges: list) -> tuple:
    """(the offsets where the variant differs from its base, within the shorter of the two; those of them that change
    what the object's code does and never what ld.so reads: instruction bytes (see code_ranges), and constructor
    pointers that still point into the instructions (constructor_words, the word as the file has it, which DT_RELR
    relocates in place; the R_X86_64_RELATIVE addend that fills one; DT_INIT's value))."""
    changed = [i for i in range(min(len(base), len(data))) if base[i] != data[i]]
    words, code = constructor_words(base)

    def moved_constructor(i: int) -> bool:
        word = next(((start, end) for start, end in words if start <= i < end), None)
        if word is None or (i - word[0]) // 8 * 8 + word[0] + 8 > word[1]:
            return False
        at = word[0] + (i - word[0]) // 8 * 8
        if at + 8 > len(data):
            return False
        pointer, = struct.unpack_from("<Q", data, at)
        return any(start <= pointer < end for start, end in code)

    headers = list(section_headers(base))

    def entry_holding(i: int, tables: list, size: int, field: int):
        """The file offset of the `size`-byte entry of one of `tables` (file ranges) whose bytes from `field` on hold
        byte `i`, or None."""
        table = next(((start, end) for start, end in tables if start <= i < end), None)
        if table is None:
            return None
        entry = table[0] + (i - table[0]) // size * size
        return entry if entry + field <= i and entry + size <= table[1] else None

    # The same pointer as an R_X86_64_RELATIVE relocation's addend, for a constructor word DT_RELA fills (the word in
    # the file is 0 then): a changed addend byte of a relocation that writes a constructor word.
    arrays = [(address, address + size) for kind, _, address, _, size in headers if kind in (14, 16)]
    relocations = [(offset, offset + size) for kind, _, _, offset, size in headers if kind == 4]  # SHT_RELA

    def moved_by_addend(i: int) -> bool:
        entry = entry_holding(i, relocations, 24, 16)
        if entry is None or entry + 24 > len(data):
            return False
        offset, info, addend = struct.unpack_from("<QQQ", data, entry)
        return (info & 0xFFFFFFFF == 8 and any(start <= offset < end for start, end in arrays)
                and struct.unpack_from("<QQ", base, entry) == (offset, info) and any(start <= addend < end for start, end in code))

    # DT_INIT's value, the constructor dlopen calls first (elf/dl-init.c), moved to other instructions of the object.
    dynamics = [(offset, offset + size) for kind, _, _, offset, size in headers if kind == 6]  # SHT_DYNAMIC

    def moved_init(i: int) -> bool:
        entry = entry_holding(i, dynamics, 16, 8)
        if entry is None or entry + 16 > len(data):
            return False
        tag, value = struct.unpack_from("<qQ", data, entry)
        return tag == 12 and struct.unpack_from("<q", base, entry)[0] == 12 and any(start <= value < end for start, end in code)

    return changed, {i for i in changed if any(start <= i < end for start, end in ranges) or moved_constructor(i)
                     or moved_by_addend(i) or moved_init(i)}


def only_code_changed(base: bytes, data: bytes, ranges: list) -> bool:
    """The variant differs from its base only in what its code does (code_changes): when it runs (a constructor dlopen
    calls), never what ld.so reads."""
    if len(base) != len(data) or not ranges or base == data:
        return False
    changed, code = code_changes(base, data, ranges)
    return bool(changed) and len(code) == len(changed)


def split_at_code(base: bytes, data: bytes, ranges: list):
    """The variant's changes in two files: (its code changes alone (code_changes: instruction bytes, constructor
    pointers moved into them), everything else changed alone: the variant with those put back), or None when it made
    no code change, only code changes (only_code_changed says that), or grew. A truncated variant keeps its length in
    the second file (the first has the base's): the two still differ from the variant in code changes alone, and from
    each other in nothing else."""
    if len(data) > len(base) or not ranges or base == data:
        return None
    _, changed_code = code_changes(base, data, ranges)
    code, rest = bytearray(base), bytearray(data)
    for i in changed_code:
        code[i], rest[i] = data[i], base[i]
    if not changed_code or bytes(rest) == base:
        return None
    return bytes(code), bytes(rest)


def own_code_crashes(oracle: Path, folder: Path, candidates: dict) -> set:
    """Of `candidates` ({name: (base bytes, variant bytes, code ranges)}, variants that crashed while shiplint passes
    them), the names whose crash is the object's own code: their instruction-byte changes alone crash it, and their
    other changes alone load. ld.so never reads instruction bytes, so with the variant it does what it does with the
    other changes alone, which loads: what crashed is the code it ran (a constructor dlopen called)."""
    splits = {}
    for name, (base, data, ranges) in candidates.items():
        parts = split_at_code(base, data, ranges)
        if parts:
            splits[name] = (folder / f"code-{name}", folder / f"rest-{name}")
            for path, part in zip(splits[name], parts):
                path.write_bytes(part)
    if not splits:
        return set()
    verdicts = oracle_verdicts(oracle, [str(p) for pair in splits.values() for p in pair])
    return {name for name, (code, rest) in splits.items()
            if verdicts.get(str(code), ("",))[0] == "crashed" and verdicts.get(str(rest), ("",))[0] == "loads"}


def one_mapping_limit() -> float:
    """The most bytes this machine's kernel gives one anonymous writable mapping (mm/util.c __vm_enough_memory):
    RAM + swap under heuristic overcommit (vm.overcommit_memory 0), no limit under 1, what is left of CommitLimit
    under 2."""
    info = {}
    for line in Path("/proc/meminfo").read_text().splitlines():
        key, _, rest = line.partition(":")
        info[key] = int(rest.split()[0]) * 1024
    mode = int(Path("/proc/sys/vm/overcommit_memory").read_text())
    if mode == 1:
        return float("inf")
    if mode == 2:
        return info["CommitLimit"] - info["Committed_AS"]
    return info["MemTotal"] + info["SwapTotal"]


ZERO_FILL = re.compile(r"not-loadable: .*\"cannot map zero-fill pages\": a writable PT_LOAD asks for 0x([0-9a-f]+) bytes of zero fill")


def zero_fill_this_machine_maps(refusal: str) -> bool:
    """shiplint's refusal is only Lambda's memory (see MEMORY): a zero fill this machine maps in one piece."""
    found = ZERO_FILL.match(refusal)
    return bool(found) and int(found.group(1), 16) <= one_mapping_limit()


def classified_apart(verdict: str, message: str, refusals: list, hostile, code_only: bool = False,
                     reservation: int = 0, largest_gap: int = 0) -> str:
    """The class a variant is counted in apart from agreements and disagreements (CLASSES says why), or ''.
    `code_only`: the variant differs from its base only in instruction bytes (`only_code_changed`). `reservation`:
    the span of its PT_LOAD segments (`reservation_span`), `largest_gap` the oracle's largest free gap less the ASLR
    margin (`largest_free_gap`)."""
    if verdict != "loads" and "undefined symbol" in message and not refusals:
        return UNDEFINED
    if verdict == "loads" and refusals and all(zero_fill_this_machine_maps(r) for r in refusals):
        return MEMORY
    if verdict == "refused" and "CPU ISA level is lower than required" in message and not refusals:
        return CPU
    # shiplint reads execute-only pages as unreadable (a CPU with PKU); without PKU this machine's loader reads them.
    if verdict == "loads" and refusals and not PROTECTION_KEYS and all(EXECUTE_ONLY in r for r in refusals):
        return CPU
    if verdict == "loads" and refusals and hostile is not None and hostile[0] != "loads":
        return LAYOUT
    if verdict == "crashed" and not refusals and (" in the object" in message or "jump from the object" in message):
        return OWN_CODE
    # A fault (or a hang) after changing only instructions: the object's code ran (a constructor called directly or
    # through a tail jump, so the stack may name ld.so as the caller) and did what its changed bytes say.
    if verdict == "crashed" and not refusals and code_only:
        return OWN_CODE
    if (verdict == "refused" and "failed to map segment from shared object" in message and not refusals
            and largest_gap < reservation <= MOST_ADDRESS_SPACE):
        return ADDRESS_SPACE
    return ""


MOST_ADDRESS_SPACE = 0x7FFF_FFFF_F000
ASLR_MARGIN = 2 << 40


def reservation_span(elf: bytes) -> int:
    """What ld.so reserves for an ELF64 little-endian file in one mmap (elf/dl-load.c, `maplength`): the last PT_LOAD's
    end in memory less the first one's page start, in program header order, wrapping as unsigned arithmetic; 0 when
    its program headers cannot be read."""
    if len(elf) < 64 or elf[:4] != b"\x7fELF" or elf[4] != 2 or elf[5] != 1:
        return 0
    phoff, = struct.unpack_from("<Q", elf, 0x20)
    entsize, count = struct.unpack_from("<HH", elf, 0x36)
    loads = []
    for i in range(count):
        at = phoff + i * entsize
        if entsize < 56 or at + 56 > len(elf):
            return 0
        kind, = struct.unpack_from("<I", elf, at)
        if kind == 1:
            address, = struct.unpack_from("<Q", elf, at + 16)
            size, = struct.unpack_from("<Q", elf, at + 40)  # p_memsz
            loads.append((address, size))
    if not loads:
        return 0
    return (loads[-1][0] + loads[-1][1] - (loads[0][0] & ~0xFFF)) % (1 << 64)


def largest_free_gap(oracle: Path) -> int:
    """The largest free range of the oracle's process (with its global library loaded) below the 128 TiB a process
    has, from /proc/PID/maps, less ASLR_MARGIN: each batch's oracle places its program and libraries anew (a PIE
    program moves by up to 1 TiB, mmap_rnd_bits 28)."""
    args = oracle_arguments(oracle)
    process = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        maps = ""
        for _ in range(100):
            maps = Path(f"/proc/{process.pid}/maps").read_text()
            if PYTHON_LIBRARY not in " ".join(args) or PYTHON_LIBRARY in maps:
                break
            time.sleep(0.05)
    finally:
        process.stdin.close()
        process.wait()
    low = int(Path("/proc/sys/vm/mmap_min_addr").read_text())
    ranges = sorted(tuple(int(x, 16) for x in line.split()[0].split("-")) for line in maps.splitlines())
    ends = [low] + [end for _, end in ranges]
    starts = [start for start, _ in ranges] + [MOST_ADDRESS_SPACE]
    gap = max((min(start, MOST_ADDRESS_SPACE) - end for end, start in zip(ends, starts) if end < MOST_ADDRESS_SPACE),
              default=0)
    return max(gap - ASLR_MARGIN, 0)


def layout_either_way(now: tuple, measured: tuple, refusals: list) -> bool:
    """Whether a corpus case that shiplint refuses came out as the other side of a layout-dependent load: once it loaded
    only by luck of the process's memory (`LAYOUT`: it fails where nothing lies past the object's reservation), once it
    crashed or was refused. ASLR moves the libraries from one run to the next, so such a file lands either way (the case
    symbol-in-adjusted-dynamic looks a name up at an offset made of its load address: seed 1301 of the 3efe6c5 campaign
    found it mapped once). Both are the same finding, shiplint's refusal."""
    pair = (now, measured)
    return bool(refusals) and ("loads", LAYOUT) in pair and any(loader != "loads" and not apart for loader, apart in pair)


def machine_either_way(now: tuple, measured: tuple, refusals: list) -> bool:
    """Whether a corpus case measured in a class that depends on the machine (ADDRESS_SPACE: the loading program's
    layout) loads here, as it does on the other kind of machine, and shiplint
    passes it: the other side of that class."""
    return measured[1] == ADDRESS_SPACE and now == ("loads", "") and not refusals


def run(args) -> int:
    started = time.time()
    work = Path(tempfile.mkdtemp(prefix="shiplint-elf-differential-"))
    save = Path(args.save) if args.save else None
    try:
        helpers = build_helpers(work)
        base_list = bases(helpers)
        base_bytes = dict(base_list)
        target = work / "host.toml"
        glibc = host_target(target)
        gap = largest_free_gap(helpers["oracle"])
        tally = {"variants": 0, "loads": 0, "refused": 0, "crashed": 0, UNDEFINED: 0, MEMORY: 0, LAYOUT: 0, OWN_CODE: 0, CPU: 0,
                 ADDRESS_SPACE: 0, "disagreements": 0}
        examples = {}
        shown = 0
        done = 0
        if not args.no_corpus:
            folder = work / "corpus"
            folder.mkdir()
            cases = corpus_variants(folder)
            oracle = oracle_verdicts(helpers["oracle"], [str(p) for p, _ in cases])
            lint = shiplint_verdicts(args.shiplint, folder, target)
            judged_alone(args.shiplint, [p for p, _ in cases if oracle.get(str(p), ("crashed",))[0] != "loads" and not lint.get(p.name)],
                         target, lint)
            again = [str(p) for p, _ in cases if oracle.get(str(p), ("",))[0] == "loads" and lint.get(p.name)]
            hostile = oracle_verdicts(helpers["oracle"], again, hostile_layout=True) if again else {}
            code_crashes = own_code_crashes(helpers["oracle"], folder, {
                p.name: case["parts"] for p, case in cases
                if "parts" in case and not lint.get(p.name) and oracle.get(str(p), ("crashed",))[0] == "crashed"})
            tally["corpus"] = len(cases)
            tally["corpus disagreements"] = 0
            for path, case in cases:
                verdict, message = oracle.get(str(path), ("crashed", "no verdict from the oracle"))
                refusals = lint.get(path.name, [])
                # Each case is measured in its class (counted apart, or none): it must fall there again.
                apart = classified_apart(verdict, message, refusals, hostile.get(str(path)),
                                         case.get("code_only", False) or path.name in code_crashes,
                                         reservation_span(path.read_bytes()), gap)
                agrees = apart or (verdict == "loads") == (not refusals)
                measured = (case["loader"], case.get("class", ""))
                # Measured on a CPU with protection keys: without them the loader reads the execute-only pages.
                if case.get("protection_keys") and not PROTECTION_KEYS:
                    measured = ("loads", CPU)
                if not agrees or ((verdict, apart) != measured and not layout_either_way((verdict, apart), measured, refusals)
                                  and not machine_either_way((verdict, apart), measured, refusals)):
                    tally["corpus disagreements"] += 1
                    print(json.dumps({"corpus": case["case"], "loader": verdict, "loader_message": message,
                                      "measured": case["loader"], "class": apart, "measured class": case.get("class", ""),
                                      "shiplint": refusals or ["loads"]}), flush=True)
        kinds = tuple(args.kinds.split(",")) if args.kinds else tuple(variants.MUTATIONS)
        by_kind = {}
        code = {}
        while done < args.variants:
            count = min(args.batch, args.variants - done)
            folder = work / "batch"
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            made = {}
            for i in range(done, done + count):
                name, base = base_list[i % len(base_list)]
                data, description = variants.variant(base, args.seed * 1_000_003 + i, kinds)
                path = folder / f"v{i:07d}.cpython-311-x86_64-linux-gnu.so"
                path.write_bytes(data)
                if name not in code:
                    code[name] = code_ranges(base)
                made[path.name] = (name, description, path, only_code_changed(base, data, code[name]))
            oracle = oracle_verdicts(helpers["oracle"], [str(p) for _, _, p, _ in made.values()])
            lint = shiplint_verdicts(args.shiplint, folder, target)
            judged_alone(args.shiplint, [p for n, (_, _, p, _) in made.items()
                                         if oracle.get(str(p), ("crashed",))[0] != "loads" and not lint.get(n)], target, lint)
            # Loads here, corrupt to shiplint: loaded again where nothing lies past the object's own memory.
            again = [str(p) for n, (_, _, p, _) in made.items() if oracle.get(str(p), ("",))[0] == "loads" and lint.get(n)]
            hostile = oracle_verdicts(helpers["oracle"], again, hostile_layout=True) if again else {}
            # A crash shiplint passes, after changes to instructions and to other bytes: each part is loaded alone.
            code_crashes = own_code_crashes(helpers["oracle"], folder, {
                n: (base_bytes[b], p.read_bytes(), code[b]) for n, (b, _, p, code_only) in made.items()
                if not code_only and not lint.get(n) and oracle.get(str(p), ("crashed",))[0] == "crashed"})
            for file_name, (base_name, description, path, code_only) in made.items():
                code_only = code_only or file_name in code_crashes
                verdict, message = oracle.get(str(path), ("crashed", "no verdict from the oracle"))
                tally["variants"] += 1
                tally[verdict] += 1
                refusals = lint.get(file_name, [])
                apart = classified_apart(verdict, message, refusals, hostile.get(str(path)), code_only,
                                         reservation_span(path.read_bytes()), gap)
                if apart:
                    tally[apart] = tally.get(apart, 0) + 1
                    examples.setdefault(apart, file_name)
                    continue
                if (verdict == "loads") == (not refusals):
                    continue
                tally["disagreements"] += 1
                for part in description.split("; "):
                    by_kind[part.split()[0]] = by_kind.get(part.split()[0], 0) + 1
                record = {"variant": file_name, "base": base_name, "mutation": description, "loader": verdict,
                          "loader_message": message, "shiplint": refusals or ["loads"],
                          "seed": args.seed * 1_000_003 + int(file_name[1:8])}
                if shown < args.show:
                    print(json.dumps(record), flush=True)
                    shown += 1
                if save:
                    save.mkdir(parents=True, exist_ok=True)
                    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
                    shutil.copy(path, save / f"{digest}-{file_name}")
                    (save / f"{digest}-{file_name}.json").write_text(json.dumps(record, indent=1) + "\n")
            done += count
            if args.progress:
                print(f"  {done} variants, {tally['disagreements']} disagreements, {time.time() - started:.0f} s", file=sys.stderr, flush=True)
        for name, why in CLASSES.items():
            if tally.get(name):
                print(f"counted apart, {name} ({tally[name]}, e.g. {examples.get(name, '-')}): {why}")
        if by_kind:
            print("disagreements by mutation: " + ", ".join(f"{k} {v}" for k, v in sorted(by_kind.items())))
        print(f"ELF differential (glibc {glibc} ld.so vs shiplint, seed {args.seed}, {len(base_list)} bases, "
              f"mutations: {','.join(kinds)}): "
              + ", ".join(f"{k} {v}" for k, v in tally.items()) + f" in {time.time() - started:.0f} s")
        if tally["disagreements"] and save:
            print(f"disagreeing variants saved in {save}")
        return 1 if tally["disagreements"] or tally.get("corpus disagreements") else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shiplint", default=str(ROOT / ".build/debug/shiplint"))
    parser.add_argument("--variants", type=int, default=20000)
    parser.add_argument("--batch", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--save", default=str(ROOT / ".build/differential-elf"), help="where disagreeing variants are saved")
    parser.add_argument("--show", type=int, default=20, help="disagreements printed")
    parser.add_argument("--progress", action="store_true")
    parser.add_argument("--no-corpus", action="store_true", help="skip the committed reproducers (corpus/cases.json)")
    parser.add_argument("--kinds", default="", help="comma-separated mutation kinds (default: all): " + ",".join(variants.MUTATIONS))
    return run(parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())
