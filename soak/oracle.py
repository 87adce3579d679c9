"""The soak's oracle: what will fail when a Lambda Python runtime imports an installed deployment.

Written without shiplint's code or rules: ELF facts come from pyelftools, the runtime's libraries from the captured
soname lists in shared/reference/lambda-runtimes/ (and the version table of shared/reference/README.md), and the
judgement from how ld.so and CPython behave (the loader's search order, the module suffixes CPython tries, the
binding of unversioned undefined symbols against what glibc itself exports: glibcsymbols.py).

facts_of_tree(folder) reads every file once; judge(facts, runtime) says, per file, what fails and how surely it is
used: `loaded` (an importable extension module, or a library in the load graph of one: the runtime loads it),
`maybe` (a library nothing here links to: ctypes or dlopen may load it), `executable` (a program: only something
that runs it fails), `other-platform` (a copy for another OS or architecture whose sibling for the target is beside
it: never used here).
"""

import os
import re
import struct

# ---------------------------------------------------------------------------------------------------------
# Facts of one file, as plain JSON values (cached per wheel by run.py).

ELF_MAGIC = b"\x7fELF"
MACHO_MAGICS = {b"\xfe\xed\xfa\xce", b"\xce\xfa\xed\xfe", b"\xfe\xed\xfa\xcf", b"\xcf\xfa\xed\xfe"}
FAT_MAGICS = {b"\xca\xfe\xba\xbe", b"\xca\xfe\xba\xbf"}


def file_facts(path):
    """None for a file that is no native binary; else a dict: format, and for ELF the loader's facts."""
    with open(path, "rb") as f:
        head = f.read(64)
    if head[:4] == ELF_MAGIC:
        try:
            return _elf_facts(path)
        except Exception as error:  # pyelftools raises many kinds on damaged input
            return {"format": "elf", "unreadable": f"{type(error).__name__}: {error}"[:200]}
    if head[:2] == b"MZ" and len(head) >= 64:
        pe_offset = struct.unpack_from("<I", head, 60)[0]
        with open(path, "rb") as f:
            f.seek(pe_offset)
            if f.read(4) == b"PE\0\0":
                return {"format": "pe"}
        return None
    if head[:4] in MACHO_MAGICS:
        return {"format": "macho"}
    if head[:4] in FAT_MAGICS and len(head) >= 8:
        # Java class files share 0xCAFEBABE; their next word is a version (>= 45), a fat Mach-O's a small count.
        if 0 < struct.unpack_from(">I", head, 4)[0] < 30:
            return {"format": "macho"}
    return None


def _elf_facts(path):
    from elftools.elf.elffile import ELFFile  # pyelftools, in the soak's venv
    from elftools.elf.gnuversions import GNUVerDefSection, GNUVerNeedSection

    facts = {"format": "elf", "needed": [], "rpath": [], "runpath": [], "soname": None, "interpreter": None,
             "verneed": {}, "verdef": []}
    with open(path, "rb") as f:
        elf = ELFFile(f)
        facts["machine"] = elf["e_machine"]
        facts["bits"] = elf.elfclass
        facts["little"] = elf.little_endian
        facts["type"] = elf["e_type"]
        for segment in elf.iter_segments():
            if segment["p_type"] == "PT_INTERP":
                facts["interpreter"] = segment.get_interp_name()
            elif segment["p_type"] == "PT_DYNAMIC":
                for tag in segment.iter_tags():
                    kind = tag.entry.d_tag
                    if kind == "DT_NEEDED":
                        facts["needed"].append(tag.needed)
                    elif kind == "DT_SONAME":
                        facts["soname"] = tag.soname
                    elif kind == "DT_RPATH":
                        facts["rpath"] += tag.rpath.split(":")
                    elif kind == "DT_RUNPATH":
                        facts["runpath"] += tag.runpath.split(":")
        # A plain `name.so` is a CPython module only if it defines PyInit_<name> (its dynamic string table says so).
        stem = os.path.basename(path).split(".", 1)[0]
        dynstr = elf.get_section_by_name(".dynstr")
        facts["pyinit"] = bool(dynstr) and (b"\0PyInit_" + stem.encode() + b"\0") in (b"\0" + dynstr.data())
        facts["symbols"] = _symbol_facts(elf)
        for section in elf.iter_sections():
            if isinstance(section, GNUVerNeedSection):
                for need, auxiliaries in section.iter_versions():
                    facts["verneed"].setdefault(need.name, []).extend(aux.name for aux in auxiliaries)
            elif isinstance(section, GNUVerDefSection):
                for definition, auxiliaries in section.iter_versions():
                    names = [aux.name for aux in auxiliaries]
                    if not definition["vd_flags"] & 1 and names:  # VER_FLG_BASE names the file itself
                        facts["verdef"].append(names[0])
    return facts


# Bumped when what _elf_facts records changes; with the glibc table's pins, the stamp of a wheel's cached facts
# (run.py recomputes facts whose stamp differs). 2: `symbols`.
FACTS_VERSION = 2


def facts_stamp():
    import glibcsymbols
    return f"{FACTS_VERSION}-{glibcsymbols.IDENTITY}"


RELOCATION_TABLES = (("DT_RELA", "DT_RELASZ", "DT_RELAENT"), ("DT_REL", "DT_RELSZ", "DT_RELENT"),
                     ("DT_JMPREL", "DT_PLTRELSZ", None))


def _symbol_facts(elf):
    """{undefined: names, defines: names}, both only names glibc defines (glibcsymbols' table for the file's
    machine): `undefined` the strong (not STB_WEAK) undefined dynamic symbols with no version (`.gnu.version` index
    0 or 1, or no DT_VERSYM) that a dynamic relocation refers to, which ld.so must bind at load (dlopen with
    RTLD_NOW, as CPython and ctypes open libraries: the PLT's too); `defines` the names the file itself exports.
    Read as ld.so reads them: the dynamic segment's tables at their addresses, not the section headers. None for a
    machine the table does not cover."""
    import glibcsymbols

    arch = glibcsymbols.MACHINE_ARCH.get(elf["e_machine"])
    dynamic = next((s for s in elf.iter_segments() if s["p_type"] == "PT_DYNAMIC"), None)
    if arch is None or dynamic is None:
        return None
    known = glibcsymbols.table(arch)
    tags = {}
    for tag in dynamic.iter_tags():
        tags.setdefault(tag.entry.d_tag, tag.entry.d_val)
    loads = [s for s in elf.iter_segments() if s["p_type"] == "PT_LOAD"]
    stream = elf.stream

    def read(address, size):
        for segment in loads:
            if segment["p_vaddr"] <= address and address + size <= segment["p_vaddr"] + segment["p_filesz"]:
                stream.seek(address - segment["p_vaddr"] + segment["p_offset"])
                return stream.read(size)
        return b""

    endian = "<" if elf.little_endian else ">"
    wide = elf.elfclass == 64
    referenced = set()
    for address_tag, size_tag, entry_tag in RELOCATION_TABLES:
        if address_tag not in tags or size_tag not in tags:
            continue
        rela = address_tag == "DT_RELA" or (address_tag == "DT_JMPREL" and tags.get("DT_PLTREL") == 7)  # DT_RELA
        entry = tags.get(entry_tag) if entry_tag else None
        entry = entry or ((24 if rela else 16) if wide else (12 if rela else 8))
        data = read(tags[address_tag], tags[size_tag])
        layout = endian + ("QQ" if wide else "II") + ("q" if wide else "i") * rela
        step = struct.calcsize(layout)
        for offset in range(0, len(data) - step + 1, entry):
            info = struct.unpack_from(layout, data, offset)[1]
            referenced.add(info >> 32 if wide else info >> 8)
    referenced.discard(0)
    versions = b""
    undefined, defines = set(), set()
    for index, symbol in enumerate(dynamic.iter_symbols()):
        name = symbol.name
        if name not in known:
            continue
        if symbol["st_shndx"] != "SHN_UNDEF":
            if symbol["st_info"]["bind"] in ("STB_GLOBAL", "STB_WEAK", "STB_GNU_UNIQUE"):
                defines.add(name)
            continue
        if index not in referenced or symbol["st_info"]["bind"] == "STB_WEAK":
            continue
        if "DT_VERSYM" in tags:
            if not versions:
                versions = read(tags["DT_VERSYM"], 2 * dynamic.num_symbols()) or b"-"
            if 2 * index + 2 > len(versions) or struct.unpack_from(endian + "H", versions, 2 * index)[0] & 0x7FFF > 1:
                continue  # a versioned reference (the version node's to judge), or one whose version was not read
        undefined.add(name)
    return {"undefined": sorted(undefined), "defines": sorted(defines)}


# A name ld.so or dlopen() opens as a shared object: `x.so`, `libx.so.1.2`.
SHARED_OBJECT_NAME = re.compile(r"\.so(\.[0-9]+)*$")


def named_library_facts(name, head):
    """Facts for a file named as a shared object that is no native binary (a GNU ld script such as cmdstan's
    `libtbb.so`, `INPUT (libtbb.so.2)`; a Git LFS pointer): dlopen() refuses it ("invalid ELF header", as
    ctypes.CDLL says), so whatever loads it by that name fails. None for any other file."""
    if not SHARED_OBJECT_NAME.search(name) or head[:4] == ELF_MAGIC or head[:4] in MACHO_MAGICS or head[:2] == b"MZ":
        return None
    return {"format": "other", "unreadable": f"not an ELF file: dlopen says invalid ELF header or file too short (starts {head[:16]!r})"}


def facts_of_tree(folder):
    """{relative path: facts} for every native binary under folder, and the total size of all regular files."""
    binaries, total = {}, 0
    for root, folders, files in os.walk(folder):
        folders.sort()
        for name in sorted(files):
            path = os.path.join(root, name)
            if os.path.islink(path) or not os.path.isfile(path):
                continue
            total += os.path.getsize(path)
            facts = file_facts(path)
            if facts is None:
                with open(path, "rb") as f:
                    facts = named_library_facts(name, f.read(64))
            if facts is not None:
                relative = os.path.relpath(path, folder).replace(os.sep, "/")
                facts["executable_bits"] = bool(os.stat(path).st_mode & 0o111)
                binaries[relative] = facts
    return binaries, total


# ---------------------------------------------------------------------------------------------------------
# The runtime: Lambda's Python runtimes, from shared/reference (see its README's runtime table).

MACHINES = {"x86_64": "EM_X86_64", "arm64": "EM_AARCH64"}
TRIPLETS = {"x86_64": "x86_64-linux-gnu", "arm64": "aarch64-linux-gnu"}
LOADERS = {"x86_64": "/lib64/ld-linux-x86-64.so.2", "arm64": "/lib/ld-linux-aarch64.so.1"}
# Amazon Linux 2 (python3.9-3.11) and Amazon Linux 2023 (python3.12+): glibc, libstdc++'s GLIBCXX / CXXABI, and
# libgcc_s's newest GCC_ node (GCC 7.3 on AL2, GCC 14 on AL2023).
OS_VERSIONS = {
    "al2": {"GLIBC": (2, 26), "GLIBCXX": (3, 4, 24), "CXXABI": (1, 3, 11), "GCC": (7, 0, 0)},
    "al2023": {"GLIBC": (2, 34), "GLIBCXX": (3, 4, 33), "CXXABI": (1, 3, 15), "GCC": (14, 0, 0)},
}
# Which system library defines each family.
FAMILY_FILES = {"GLIBC": None, "GLIBCXX": "libstdc++.so.6", "CXXABI": "libstdc++.so.6", "GCC": "libgcc_s.so.1"}
GLIBC_FILES = re.compile(r"^(libc|libm|libpthread|libdl|librt|libresolv|libutil|libanl|libmvec|libnsl|libcrypt|"
                         r"libBrokenLocale|libthread_db|libc_malloc_debug)\.so\.\d+$|^ld-linux.*\.so\.\d+$")
TASK_LIBRARY_PATH = ["", "lib"]  # /var/task and /var/task/lib, on LD_LIBRARY_PATH after the runtime's folders


class Runtime:
    def __init__(self, python, arch, reference_dir):
        self.python = python
        self.arch = arch
        self.os = "al2" if python in ("3.9", "3.10", "3.11") else "al2023"
        self.versions = OS_VERSIONS[self.os]
        self.libraries = self._libraries(reference_dir)
        # {name: the earliest glibc version that exports it} for this architecture (glibcsymbols); None when the
        # pinned glibc packages cannot be had (offline, not cached): then unversioned symbols are not judged.
        try:
            import glibcsymbols
            self.glibc_symbols = glibcsymbols.table(arch)
        except (OSError, ImportError):
            self.glibc_symbols = None

    def _libraries(self, reference_dir):
        path = os.path.join(reference_dir, "lambda-runtimes", f"{self.os}-lambda-python.txt")
        names, section = set(), None
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if line.startswith("# python3."):  # a version-specific part of /var/lang/lib
                    section = line[2:].split()[0]
                    continue
                if line.startswith("# ---"):
                    section = None
                if not line or line.startswith("#"):
                    continue
                if section is None or section == f"python{self.python}":
                    names.update(line.split())
        if self.arch == "arm64":
            names.discard("ld-linux-x86-64.so.2")
            names.discard("libmvec.so.1")
            names.add("ld-linux-aarch64.so.1")
            if self.os == "al2023":
                names.discard("libcrypt.so.1")  # the reference: only the x86_64 /var/lang/lib has it
        return names

    def module_suffixes(self):
        """What CPython X.Y on Linux tries for `import a.b` (importlib.machinery.EXTENSION_SUFFIXES)."""
        tag = "cpython-" + self.python.replace(".", "")
        return [f".{tag}-{TRIPLETS[self.arch]}.so", ".abi3.so", ".so"]


# ---------------------------------------------------------------------------------------------------------
# Judging.

MODULE_NAME = re.compile(r"^(?P<stem>[A-Za-z_][A-Za-z0-9_]*)(?P<suffix>\..*)?\.(so|pyd)$")
CPYTHON_TAG = re.compile(r"\.cpython-(?P<version>\d+)(?P<flags>[a-z]*)-(?P<platform>[^.]+)\.so$")


def version_tuple(text):
    try:
        return tuple(int(part) for part in text.split("."))
    except ValueError:
        return None


def is_module_path(path, facts):
    """A file CPython could import as a module: an extension module name (a CPython tag, abi3, .pyd, or a plain
    `name.so` that defines PyInit_name) whose stem is an identifier, in folders whose names are identifiers."""
    parts = path.split("/")
    if not all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", part) for part in parts[:-1]):
        return False
    name = parts[-1]
    if not MODULE_NAME.match(name):
        return False
    if "cpython-" in name or name.endswith((".abi3.so", ".pyd")):
        return True
    return re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*\.so", name) is not None and bool(facts.get("pyinit"))


class Judgement:
    """failures: {path: {category: reason}}; reach: {path: loaded | maybe | executable | other-platform}."""

    def __init__(self):
        self.failures = {}
        self.reach = {}
        self.too_large = None
        self.edges = {}  # path -> the deployment's files its DT_NEEDED entries found (the load graph)

    def fail(self, path, category, reason):
        self.failures.setdefault(path, {}).setdefault(category, reason)


def judge(binaries, total_size, runtime):
    verdict = Judgement()
    if total_size > 262_144_000:  # 250 MB unzipped, function and layers together
        verdict.too_large = f"{total_size} bytes unzipped, over 262,144,000"
    by_folder = {}
    for path in binaries:
        by_folder.setdefault(os.path.dirname(path), []).append(path)

    # What the file itself is, whoever loads it.
    for path, facts in binaries.items():
        kind = facts["format"]
        if kind == "pe":
            verdict.fail(path, "windows", "a Windows PE file")
        elif kind == "macho":
            verdict.fail(path, "darwin", "a macOS Mach-O file")
        elif facts.get("unreadable"):
            verdict.fail(path, "unreadable", facts["unreadable"])
        else:
            if facts["machine"] != MACHINES[runtime.arch] or facts["bits"] != 64 or not facts["little"]:
                verdict.fail(path, "arch", f"{facts['machine']} ELF{facts['bits']}")
            libc = _libc_of(facts)
            if libc == "musl":
                verdict.fail(path, "musl", "linked against musl")
        if is_module_path(path, facts):
            problem = _module_name_problem(path, runtime)
            if problem:
                verdict.fail(path, "python-abi", problem)

    # The load graph from each importable module, as ld.so walks it.
    loaded, roots = set(), []
    for path in sorted(binaries):
        facts = binaries[path]
        if facts["format"] == "elf" and not facts.get("unreadable") and is_module_path(path, facts) \
                and not _module_name_problem(path, runtime):
            _load(path, binaries, runtime, verdict, loaded, chain=[])
            roots.append(path)
    for path in loaded:
        verdict.reach[path] = "loaded"
    for path, facts in binaries.items():
        if path in verdict.reach:
            continue
        if is_module_path(path, facts):
            verdict.reach[path] = "loaded"  # a module the runtime imports (or would, but for its name)
        # A program: ET_EXEC, or PT_INTERP without a DT_SONAME. A library with both (pyqt5-qt5's libQt5Core.so.5,
        # glibc's libc.so.6) runs to print its version but is what others link to by its SONAME: a library.
        elif facts["format"] == "elf" and not facts.get("unreadable") \
                and ((facts["interpreter"] and not facts.get("soname")) or facts["type"] == "ET_EXEC"):
            verdict.reach[path] = "executable"
        else:
            verdict.reach[path] = "maybe"
        if facts["format"] == "elf" and not facts.get("unreadable") and verdict.reach[path] != "loaded" \
                and not verdict.failures.get(path, {}).keys() & {"arch", "musl"}:
            _load(path, binaries, runtime, verdict, set(), chain=[])  # judged on its own (its own RPATH only)
            roots.append(path)
    _check_symbols(roots, binaries, runtime, verdict)
    # Another platform's copy with a sibling for the target beside it (selenium-manager for linux, macos, windows).
    for path, failures in verdict.failures.items():
        if verdict.reach.get(path) == "loaded" or not failures.keys() & {"windows", "darwin", "arch", "musl"}:
            continue
        if _has_good_sibling(path, binaries, verdict, runtime):
            verdict.reach[path] = "other-platform"
    return verdict


def _libc_of(facts):
    interpreter = facts.get("interpreter") or ""
    if "ld-musl" in interpreter:
        return "musl"
    needed = facts["needed"]
    if any(name.startswith("libc.musl-") for name in needed) or "libc.so" in needed:
        return "musl"
    return "glibc"


def _module_name_problem(path, runtime):
    name = path.rsplit("/", 1)[-1]
    if name.endswith(".pyd"):
        return "a Windows module name"
    match = CPYTHON_TAG.search(name)
    if match:
        wanted = runtime.module_suffixes()[0]
        if not name.endswith(wanted):
            return f"suffix .cpython-{match['version']}{match['flags']}-{match['platform']}.so, CPython {runtime.python} wants {wanted}"
    return None


def _load(path, binaries, runtime, verdict, loaded, chain):
    """Mark path loaded and resolve its DT_NEEDED as ld.so would; record missing libraries and versions."""
    if path in loaded:
        return
    loaded.add(path)
    facts = binaries[path]
    if facts["format"] != "elf" or facts.get("unreadable"):
        return
    folder = os.path.dirname(path)
    # DT_RPATH of this object, then of each object that loaded it, unless this object has DT_RUNPATH.
    rpaths = [] if facts["runpath"] else [(p, os.path.dirname(owner)) for owner in [path] + chain[::-1]
                                          for p in binaries[owner]["rpath"] if not binaries[owner]["runpath"]]
    for needed in facts["needed"]:
        found = _find(needed, rpaths, [(p, folder) for p in facts["runpath"]], binaries, runtime)
        if found is None:
            verdict.fail(path, "missing", f"needs {needed}")
            continue
        if found == "system":
            _check_system_versions(path, needed, facts, runtime, verdict)
            continue
        target = binaries.get(found)
        if target is None:
            continue
        verdict.edges.setdefault(path, set()).add(found)
        wanted = facts["verneed"].get(needed, [])
        undefined = [v for v in wanted if v not in target["verdef"]]
        if undefined and target.get("verdef") is not None:
            verdict.fail(path, "missing-version", f"needs {', '.join(undefined)} from {found}")
        _load(found, binaries, runtime, verdict, loaded, chain + [path])
    _check_glibc(path, facts, runtime, verdict)


def _check_symbols(roots, binaries, runtime, verdict):
    """Unversioned strong undefined symbols, bound as ld.so binds them: the first definition in the lookup scope,
    which for an object dlopen()ed by CPython (or ctypes) is the global scope (the interpreter and the glibc
    libraries it links) and then the dlopen()ed object's own load graph. Only names glibc defines are judged
    (glibcsymbols: the earliest version that exports each): such a name is bound when a file of the deployment in
    the scope defines it (a bundled library may), or glibc exports it at the runtime's version (statx only from
    2.28: not on Amazon Linux 2's 2.26). With RTLD_NOW, as CPython and ctypes open files, an unbound one fails the
    load: `undefined symbol: statx`. Weak references never fail (the address is 0). A file loaded from several
    modules is judged with every scope it is in (the first import decides which: the oracle only says it fails
    when it fails in all of them)."""
    if runtime.glibc_symbols is None:
        return
    scopes = {}
    for root in roots:
        graph, todo = set(), [root]
        while todo:
            path = todo.pop()
            if path not in graph:
                graph.add(path)
                todo.extend(verdict.edges.get(path, ()))
        for path in graph:
            scopes.setdefault(path, set()).update(graph)
    glibc = runtime.versions["GLIBC"]
    for path in sorted(scopes):
        facts = binaries[path]
        symbols = facts.get("symbols")
        if facts.get("format") != "elf" or facts.get("machine") != MACHINES[runtime.arch] or not symbols:
            continue
        defined = set()
        for other in scopes[path]:
            defined.update((binaries[other].get("symbols") or {}).get("defines", ()))
        unbound = [(name, runtime.glibc_symbols[name]) for name in symbols["undefined"]
                   if name not in defined and runtime.glibc_symbols.get(name, (0,)) > glibc]
        if unbound:
            verdict.fail(path, "undefined-symbol", "needs " + ", ".join(
                f"{name} (unversioned; glibc exports it from {'.'.join(map(str, version))})" for name, version in unbound)
                + f": glibc {'.'.join(map(str, glibc))} does not, and nothing in its load scope defines it")


def _expand(entry, origin_folder):
    entry = entry.replace("${ORIGIN}", "$ORIGIN")
    if "$ORIGIN" in entry:
        return os.path.normpath(entry.replace("$ORIGIN", "/var/task/" + origin_folder if origin_folder else "/var/task"))
    return os.path.normpath(entry)


def _in_task(absolute, needed, binaries, runtime):
    """The deployment's file at /var/task/... if it is there and loadable here (ld.so skips a wrong-arch file)."""
    if not absolute.startswith("/var/task"):
        return None
    relative = os.path.relpath(absolute + "/" + needed, "/var/task").replace(os.sep, "/")
    facts = binaries.get(relative)
    if facts and facts["format"] == "elf" and not facts.get("unreadable") and facts["machine"] == MACHINES[runtime.arch]:
        return relative
    return None


def _find(needed, rpaths, runpaths, binaries, runtime):
    if "/" in needed:
        return None
    for entry, origin in rpaths:
        found = _in_task(_expand(entry, origin), needed, binaries, runtime)
        if found:
            return found
    # LD_LIBRARY_PATH: /var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib
    if needed in runtime.libraries:
        return "system"
    for folder in TASK_LIBRARY_PATH:
        found = _in_task("/var/task" + ("/" + folder if folder else ""), needed, binaries, runtime)
        if found:
            return found
    for entry, origin in runpaths:
        found = _in_task(_expand(entry, origin), needed, binaries, runtime)
        if found:
            return found
    return None


def _check_system_versions(path, needed, facts, runtime, verdict):
    for family, file in FAMILY_FILES.items():
        if file is None or file != needed:
            continue
        highest = _highest(facts["verneed"].get(needed, []), family)
        if highest and highest > runtime.versions[family]:
            verdict.fail(path, "libstdcxx", f"needs {family}_{'.'.join(map(str, highest))}")


def _check_glibc(path, facts, runtime, verdict):
    needs = [name for file, names in facts["verneed"].items() if GLIBC_FILES.match(file) for name in names]
    highest = _highest(needs, "GLIBC")
    if highest and highest > runtime.versions["GLIBC"]:
        verdict.fail(path, "glibc", f"needs GLIBC_{'.'.join(map(str, highest))}")


def _highest(names, family):
    best = None
    for name in names:
        if name.startswith(family + "_"):
            number = version_tuple(name[len(family) + 1:])
            if number and (best is None or number > best):
                best = number
    return best


def _has_good_sibling(path, binaries, verdict, runtime):
    """Another file of the same stem (without .exe/.dll/.dylib/.so) under the same top folder that is fine here."""
    stem = re.sub(r"\.(exe|dll|dylib|so(\.\d+)*)$", "", path.rsplit("/", 1)[-1])
    top = path.split("/", 1)[0]
    for other, facts in binaries.items():
        if other == path or other.split("/", 1)[0] != top:
            continue
        if re.sub(r"\.(exe|dll|dylib|so(\.\d+)*)$", "", other.rsplit("/", 1)[-1]) != stem:
            continue
        if not verdict.failures.get(other, {}).keys() & {"windows", "darwin", "arch", "musl"}:
            return True
    return False


# ---------------------------------------------------------------------------------------------------------
# Optional modules: a package that imports an extension module only inside `try: … except ImportError:` works
# without it (numba imports its TBB threading layer so, and falls back to OpenMP or its own workqueue).

# The handlers that let a failed import through: ImportError and its parents. ModuleNotFoundError (a subclass) only
# catches a module that is not found: a file named for another CPython or OS, not one found that fails to load.
# (OSError was here first: wrong, ImportError is not an OSError.)
GUARDS = {"ImportError", "Exception", "BaseException"}
NOT_FOUND_GUARDS = {"ModuleNotFoundError"}


def optionally_imported(module_path, sources_naming, not_found=False, python_paths=()):
    """True when importing the deployment's public packages cannot fail because of this module: every chain of
    imports that reaches it from a public module user code imports (a name with no part starting with `_`, at the
    top level or inside namespace packages only: `ruamel.yaml`, whose `ruamel/` has no `__init__.py`) passes a `try`
    whose handler catches the failure; False when one does not; None when no import of it is found.

    sources_naming(name) -> {path: bytes} of the .py files whose text names `name` (tests left out here).
    not_found: CPython does not see the file (its name is for another CPython or OS), so the failure is a
    ModuleNotFoundError when the statement names the module itself; otherwise an ImportError.
    python_paths: every .py file of the deployment (which folders are regular packages, with an `__init__.py`)."""
    regular = {path[: -len("/__init__.py")].replace("/", ".") for path in python_paths if path.endswith("/__init__.py")}
    public_root = _public_root(regular)
    parts = module_path.split("/")
    dotted = ".".join(parts[:-1] + [parts[-1].split(".")[0]])
    sites = _sites(dotted, sources_naming)
    if not sites:
        # Only tests import a private module (numpy's _core/_simd, _umath_tests, _rational_tests …): `import numpy`
        # and `import numpy.testing` load none of them (CPython 3.11 on numpy 2.2.6, sys.modules after the import).
        # A public one (numpy.linalg.lapack_lite) user code may import by its name; nothing found at all: no
        # conclusion (compiled code may import it).
        private = any(part.startswith("_") for part in dotted.split("."))
        return "unimported" if private and _sites(dotted, sources_naming, tests=True) else None
    if _required(dotted, sources_naming, not_found, True, set(), sites, public_root=public_root):
        return False
    # Not required even with every guard ignored: no chain from a public package reaches it at all (a module only
    # tests and unimported scripts import). Told apart from a guarded one.
    if not _required(dotted, sources_naming, not_found, True, set(), sites, guards=False, public_root=public_root):
        return "unimported"
    return True


def _public_root(regular):
    """Whether user code imports a module by its name first: no part of it private, and every package above it a
    namespace package (a folder with no `__init__.py`: `ruamel` of `ruamel.yaml`, `google.cloud` of
    `google.cloud.storage`), so that it is the first regular module of its name (`import ruamel.yaml`)."""
    def is_root(importer):
        parts = importer.split(".")
        if any(part.startswith("_") for part in parts):
            return False
        return not any(".".join(parts[:depth]) in regular for depth in range(1, len(parts)))
    return is_root


def _top_level_public(importer):
    return "." not in importer and not importer.startswith("_")


def _required(dotted, sources_naming, not_found, direct, seen, sites=None, guards=True, public_root=_top_level_public):
    """Whether some unguarded chain of imports reaches `dotted` from a public top-level module. `seen` is shared by
    the whole search (every module is asked once: a module already asked reaches no public one, or the search has
    stopped; only the first step depends on `direct`): with a set per chain, ddtrace's import graph on python3.10
    arm64 took longer than the soak could wait (every chain of its cycles tried)."""
    if dotted in seen:
        return False
    seen.add(dotted)
    for path, node, handlers, form in (sites if sites is not None else _sites(dotted, sources_naming)):
        if guards and (handlers & GUARDS or (handlers & NOT_FOUND_GUARDS and not_found and (form == "named" or not direct))):
            continue
        importer, is_init = _module_of(path)
        # A public top-level module or package (or the first regular package under namespace packages) is imported
        # by user code: the chain starts there.
        if public_root(importer):
            return True
        # Inside a package: whoever imports that module (or, for an __init__, anything under the package) runs it.
        if _required(importer, sources_naming, not_found, False, seen, guards=guards, public_root=public_root):
            return True
    return False


def _module_of(path):
    names = path[:-3].split("/")
    if names[-1] == "__init__":
        return ".".join(names[:-1]), True
    return ".".join(names), False


def _sites(dotted, sources_naming, tests=False):
    """(path, node, handler names around it, named | from-package) for each import of `dotted` or of a submodule
    of it (importing a.b.c runs a/b/__init__.py), tests left out (only tests with tests=True)."""
    import ast

    package, _, name = dotted.rpartition(".")
    found = []
    for path, data in sorted(sources_naming(name).items()):
        is_test = "/tests/" in "/" + path or "/test/" in "/" + path or path.rsplit("/", 1)[-1].startswith("test_") \
            or path.endswith("_test.py") or path.endswith("/conftest.py")
        if is_test != tests:
            continue
        try:
            tree = ast.parse(data)
        except (SyntaxError, ValueError):
            continue
        here, is_init = _module_of(path)
        anchor_base = here.split(".") if is_init else here.split(".")[:-1]
        for node, handlers in _imports(tree, frozenset()):
            if isinstance(node, ast.Import):
                if any(alias.name == dotted or alias.name.startswith(dotted + ".") for alias in node.names):
                    found.append((path, node, handlers, "named"))
                continue
            base = node.module or ""
            if node.level:
                anchor = anchor_base[: len(anchor_base) - (node.level - 1)] if node.level > 1 else anchor_base
                base = ".".join([*anchor, base] if base else anchor)
            if base == dotted or base.startswith(dotted + "."):
                found.append((path, node, handlers, "named"))
            elif base == package and any(alias.name == name for alias in node.names):
                found.append((path, node, handlers, "from-package"))
    return found


def _imports(node, handlers):
    """Every import statement with the names the handlers of the `try` bodies around it catch (a handler that
    raises anywhere in it catches nothing for this purpose)."""
    import ast

    if isinstance(node, (ast.Import, ast.ImportFrom)):
        yield node, handlers
        return
    if isinstance(node, ast.Try) or type(node).__name__ == "TryStar":
        caught = set()
        for handler in node.handlers:
            if any(isinstance(inner, ast.Raise) for inner in ast.walk(handler)):
                continue
            caught |= {"BaseException"} if handler.type is None else _names(handler.type)
        for child in node.body:
            yield from _imports(child, handlers | caught)
        for child in node.handlers + node.orelse + node.finalbody:
            yield from _imports(child, handlers)
        return
    for child in ast.iter_child_nodes(node):
        yield from _imports(child, handlers)


def _names(expression):
    import ast

    if isinstance(expression, ast.Tuple):
        return set().union(*(_names(element) for element in expression.elts))
    if isinstance(expression, ast.Name):
        return {expression.id}
    if isinstance(expression, ast.Attribute):
        return {expression.attr}
    return set()
