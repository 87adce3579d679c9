"""The oracle binds unversioned undefined symbols as ld.so does (run by `make soak-ci`: python3 -m unittest
soak/test_oracle.py).

Real shared objects compiled here with cc (as the polars-runtime-32 2.0.0 module that needs `statx` without a version
is built: a strong undefined symbol, a GLOB_DAT relocation), read by the oracle's pyelftools facts, judged for Amazon
Linux 2 (glibc 2.26) and 2023 (2.34), and dlopen()ed by this machine's ld.so (glibc 2.36) in a child process, which
says how such a file loads. Needs the soak venv (pyelftools) and the pinned glibc packages (network the first time):
without them the tests say they are skipped.
"""

import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import soakfiles  # noqa: E402

try:
    import elftools  # noqa: F401
except ImportError:  # run by the system python: take pyelftools from the soak venv
    sys.path[1:1] = glob.glob(os.path.join(soakfiles.cache_dir(), "venv", "lib", "python3*", "site-packages"))
try:
    import elftools  # noqa: F401,E402
    import glibcsymbols  # noqa: E402
    import oracle  # noqa: E402
    import run  # noqa: E402
    glibcsymbols.table("x86_64")
    glibcsymbols.table("arm64")
    READY = None
except (ImportError, OSError) as error:
    READY = f"the soak venv or the pinned glibc packages are not there ({error}): run python3 soak/run.py --setup-only with network"

HOST_X86_64 = os.uname().machine == "x86_64"
REFERENCE = os.path.join(soakfiles.REPO_ROOT, "..", "shared", "reference")

# A module that needs `statx` as polars' does: a data reference (GLOB_DAT, bound at load even with RTLD_LAZY) to a
# strong undefined symbol with no version (no libc on the link line gives it none).
MODULE = r"""
extern int %(name)s(void);
void *address_of_it = (void *) &%(name)s;
int PyInit_demo(void) { return 0; }
"""
WEAK = r"""
extern int statx(void) __attribute__((weak));
void *address_of_it = (void *) &statx;
int PyInit_demo(void) { return 0; }
"""
# A library that defines statx itself (a bundled shim): a module linking it binds statx there.
SHIM = "int statx(void) { return 0; }\n"


def compile_shared(folder, name, source, *link):
    path = os.path.join(folder, name)
    with open(path + ".c", "w", encoding="utf-8") as f:
        f.write(source)
    subprocess.run(["cc", "-shared", "-fPIC", "-nostdlib", "-o", path, path + ".c", *link], check=True,
                   capture_output=True)
    return path


def dlopen(path, lazy):
    """What this machine's ld.so says: None when dlopen() succeeds, else its message."""
    script = ("import ctypes, os, sys\n"
              "try:\n"
              f"    ctypes.CDLL(sys.argv[1], mode=os.RTLD_{'LAZY' if lazy else 'NOW'})\n"
              "except OSError as error:\n"
              "    print(error)\n")
    return subprocess.run([sys.executable, "-c", script, path], capture_output=True, text=True).stdout.strip() or None


@unittest.skipIf(READY, READY)
@unittest.skipUnless(shutil.which("cc"), "no cc on this machine")
class UnversionedSymbolTests(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.mkdtemp(prefix="shiplint-soak-oracle-")
        self.addCleanup(shutil.rmtree, self.folder)

    def deployment(self, files):
        """{path in the deployment: facts} for compiled files placed at those paths."""
        return {relative: oracle.file_facts(path) for relative, path in files.items()}

    def judge(self, binaries, python):
        runtime = oracle.Runtime(python, "x86_64" if HOST_X86_64 else "arm64", REFERENCE)
        return oracle.judge(binaries, 0, runtime)

    def test_the_table_is_glibcs_own(self):
        for arch in ("x86_64", "arm64"):
            table = glibcsymbols.table(arch)
            self.assertEqual(table["statx"], (2, 28))
            self.assertEqual(table["_dl_find_object"], (2, 35))  # the loader's, since 2.35
            self.assertNotIn("__libc_enable_secure_decided", table)  # GLIBC_PRIVATE is no interface
        # a function that moved into libc in 2.34 counts from the version it first had (in libpthread then)
        self.assertEqual(glibcsymbols.table("x86_64")["pthread_create"], (2, 2, 5))
        self.assertEqual(glibcsymbols.table("arm64")["pthread_create"], (2, 17))

    def test_statx_without_a_version_fails_on_amazon_linux_2_only(self):
        module = compile_shared(self.folder, "demo.so", MODULE % {"name": "statx"})
        facts = oracle.file_facts(module)
        self.assertEqual(facts["symbols"], {"undefined": ["statx"], "defines": []})
        binaries = {"pkg/demo.abi3.so": facts}
        al2 = self.judge(binaries, "3.10")
        self.assertIn("statx (unversioned; glibc exports it from 2.28)",
                      al2.failures["pkg/demo.abi3.so"]["undefined-symbol"])
        self.assertEqual(al2.reach["pkg/demo.abi3.so"], "loaded")
        self.assertNotIn("pkg/demo.abi3.so", self.judge(binaries, "3.12").failures)  # glibc 2.34 has it
        # this machine's glibc 2.36 exports statx: its ld.so loads the file, now and lazily
        self.assertIsNone(dlopen(module, lazy=False))
        self.assertIsNone(dlopen(module, lazy=True))

    def test_a_data_reference_is_bound_at_load_even_lazily(self):
        # The rule the oracle applies for every runtime: ld.so binds a GLOB_DAT at load whatever the mode, and a
        # name nothing defines fails the dlopen (said by this machine's loader with a name no glibc has).
        module = compile_shared(self.folder, "nothing.so", MODULE % {"name": "no_glibc_defines_this_name"})
        for lazy in (False, True):
            self.assertIn("undefined symbol: no_glibc_defines_this_name", dlopen(module, lazy) or "")

    def test_weak_references_never_fail(self):
        module = compile_shared(self.folder, "weak.so", WEAK)
        facts = oracle.file_facts(module)
        self.assertEqual(facts["symbols"]["undefined"], [])
        self.assertNotIn("pkg/demo.abi3.so", self.judge({"pkg/demo.abi3.so": facts}, "3.10").failures)

    def test_a_versioned_reference_is_the_version_nodes_to_judge(self):
        # Linked against libc, the reference is statx@GLIBC_2.28: glibc-too-new's case, not this one.
        path = os.path.join(self.folder, "versioned.so")
        with open(path + ".c", "w", encoding="utf-8") as f:
            f.write("#define _GNU_SOURCE\n#include <sys/stat.h>\nvoid *address_of_it = (void *) &statx;\n")
        subprocess.run(["cc", "-shared", "-fPIC", "-o", path, path + ".c"], check=True, capture_output=True)
        facts = oracle.file_facts(path)
        self.assertEqual(facts["symbols"]["undefined"], [])
        self.assertIn("GLIBC_2.28", facts["verneed"]["libc.so.6"])

    def test_a_library_in_the_load_scope_that_defines_it_binds_it(self):
        shim = compile_shared(self.folder, "libshim.so", SHIM)
        module = compile_shared(self.folder, "demo.so", MODULE % {"name": "statx"}, "-L" + self.folder, "-lshim",
                                "-Wl,-rpath,$ORIGIN")
        binaries = self.deployment({"pkg/demo.abi3.so": module, "pkg/libshim.so": shim})
        self.assertEqual(binaries["pkg/libshim.so"]["symbols"]["defines"], ["statx"])
        verdict = self.judge(binaries, "3.10")
        self.assertNotIn("pkg/demo.abi3.so", verdict.failures)
        self.assertEqual(verdict.reach["pkg/libshim.so"], "loaded")
        # the shim beside it but not in its load graph binds nothing (RTLD_LOCAL: another module's scope)
        alone = self.deployment({"pkg/demo.abi3.so": compile_shared(self.folder, "alone.so", MODULE % {"name": "statx"}),
                                 "other/libshim.so": shim})
        self.assertIn("undefined-symbol", self.judge(alone, "3.10").failures["pkg/demo.abi3.so"])


@unittest.skipIf(READY, READY)
@unittest.skipUnless(shutil.which("cc"), "no cc on this machine")
class CachedFactsTests(unittest.TestCase):
    def test_facts_of_an_older_oracle_are_read_again_from_the_deflated_copies(self):
        folder = tempfile.mkdtemp(prefix="shiplint-soak-facts-")
        self.addCleanup(shutil.rmtree, folder)
        tree = os.path.join(folder, "tree")
        os.makedirs(os.path.join(tree, "pkg"))
        compile_shared(os.path.join(tree, "pkg"), "demo.abi3.so", MODULE % {"name": "statx"})
        os.remove(os.path.join(tree, "pkg", "demo.abi3.so.c"))
        with open(os.path.join(tree, "pkg", "__init__.py"), "w", encoding="utf-8") as f:
            f.write("from . import demo\n")
        current = run.oracle_facts(tree)
        self.assertEqual(current["stamp"], oracle.facts_stamp())
        run.deflate_tree(tree, folder)
        # as an oracle before `symbols` wrote them: no stamp, no symbols
        old = json.loads(json.dumps(current))
        del old["stamp"]
        del old["binaries"]["pkg/demo.abi3.so"]["symbols"]
        self.maxDiff = None
        refreshed = run.refresh_facts(folder, old)
        self.assertEqual(refreshed, current)
        with open(os.path.join(folder, "facts.json"), encoding="utf-8") as f:
            self.assertEqual(json.load(f), current)



@unittest.skipIf(READY, READY or "")
class NamespacePackageRoots(unittest.TestCase):
    """Disagreement 18: ruamel.yaml (a regular package inside the namespace package `ruamel`, no ruamel/__init__.py)
    imports ruamel.yaml.clib's top-level `_ruamel_yaml` only under `except`; `import ruamel.yaml` is what user code
    runs, so the chain starts at `ruamel.yaml`: the module is optional, not unimported. The files as ruamel.yaml
    0.19.1 has them (the lines that matter)."""

    FILES = {
        "ruamel/yaml/__init__.py": b"from ruamel.yaml.main import *  # NOQA\ntry:\n    from .cyaml import *  # NOQA\n"
                                   b"except (ImportError, ValueError):  # for Jython\n    pass\n",
        "ruamel/yaml/main.py": b"try:\n    from _ruamel_yaml import CParser, CEmitter\nexcept:  # NOQA\n    CParser = CEmitter = None\n",
        "ruamel/yaml/cyaml.py": b"try:\n    from _ruamel_yaml import CParser, CEmitter\nexcept ModuleNotFoundError:\n"
                                b"    from _ruamel_yaml_clibz import CParser, CEmitter\n",
    }

    def judge(self, files):
        def naming(name):
            return {path: data for path, data in files.items() if name.encode() in data}
        return oracle.optionally_imported("_ruamel_yaml.cpython-311-x86_64-linux-gnu.so", naming, not_found=True,
                                          python_paths=list(files))

    def test_the_first_regular_package_under_a_namespace_package_is_a_root(self):
        self.assertIs(self.judge(self.FILES), True)
        # with ruamel/__init__.py, `ruamel` is a regular package nothing imports, and nothing starts a chain
        self.assertEqual(self.judge({**self.FILES, "ruamel/__init__.py": b""}), "unimported")

    def test_an_unguarded_import_from_the_root_is_required(self):
        unguarded = {**self.FILES, "ruamel/yaml/main.py": b"from _ruamel_yaml import CParser, CEmitter\n"}
        self.assertIs(self.judge(unguarded), False)


if __name__ == "__main__":
    unittest.main()
