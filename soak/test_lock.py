"""The soak's lock picks the wheel pip installs (run by `make soak-ci`, offline: python3 -m unittest soak/test_lock.py).

Needs the soak venv (run.py --setup-only): its pip 25.3 gives the tag order the lock uses, so these tests check that
the lock ranks real wheel names the way that pip does, and that lock.json holds no build the old writer gave up on.
"""

import os
import sys
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import builds as build_table  # noqa: E402
import lock  # noqa: E402
import soakfiles  # noqa: E402

BUILDS = build_table.all_builds()

# charset-normalizer 3.5.3 as uv listed it for python3.13 on x86_64: three wheels of one release pip accepts.
CHARSET_NORMALIZER = [
    "charset_normalizer-3.5.3-cp313-cp313-manylinux1_x86_64.manylinux_2_28_x86_64.manylinux_2_5_x86_64.whl",
    "charset_normalizer-3.5.3-cp37-abi3-manylinux1_x86_64.manylinux_2_28_x86_64.manylinux_2_5_x86_64.whl",
    "charset_normalizer-3.5.3-py3-none-any.whl",
]


def priorities(build_name):
    return lock.pip_tag_priorities(BUILDS[build_name])


@unittest.skipUnless(os.path.isfile(soakfiles.venv_python()),
                     f"the soak venv is not set up ({soakfiles.venv_python()}): run python3 soak/run.py --setup-only")
class PipChoiceTests(unittest.TestCase):
    def test_pips_own_order_for_the_documented_command(self):
        order = priorities("documented/aws-lambda-python3.13-x86_64")
        self.assertEqual(min(order, key=order.get), "cp313-cp313-manylinux2014_x86_64")
        self.assertLess(order["cp313-cp313-manylinux1_x86_64"], order["cp313-abi3-manylinux2014_x86_64"])
        self.assertLess(order["cp37-abi3-manylinux1_x86_64"], order["py3-none-any"])
        # pip widens manylinux2014 to manylinux2010 and manylinux1, never to the PEP 600 spelling
        self.assertNotIn("cp313-cp313-manylinux_2_17_x86_64", order)
        self.assertNotIn("cp313-cp313-manylinux_2_28_x86_64", order)

    def test_the_version_specific_wheel_before_abi3_before_pure(self):
        self.assertEqual(lock.pip_choice(CHARSET_NORMALIZER, priorities("documented/aws-lambda-python3.13-x86_64")),
                         CHARSET_NORMALIZER[0])
        # python3.14 has no cp314 wheel among these: the abi3 one, not the pure one
        self.assertEqual(lock.pip_choice(CHARSET_NORMALIZER, priorities("documented/aws-lambda-python3.14-x86_64")),
                         CHARSET_NORMALIZER[1])
        # on arm64 only the pure wheel fits
        self.assertEqual(lock.pip_choice(CHARSET_NORMALIZER, priorities("documented/aws-lambda-python3.13-arm64")),
                         CHARSET_NORMALIZER[2])
        # in the wrong builds the order of the files given does not matter
        self.assertEqual(lock.pip_choice(list(reversed(CHARSET_NORMALIZER)),
                                         priorities("cpython/aws-lambda-python3.11-x86_64")), CHARSET_NORMALIZER[1])

    def test_the_newest_platform_tag_pip_is_given_first(self):
        wheels = ["demo-1.0-cp312-cp312-manylinux_2_5_x86_64.manylinux1_x86_64.whl",
                  "demo-1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"]
        self.assertEqual(lock.pip_choice(wheels, priorities("arch/aws-lambda-python3.12-arm64")), wheels[1])
        musl = ["demo-1.0-cp313-cp313-musllinux_1_1_aarch64.whl", "demo-1.0-cp313-cp313-musllinux_1_2_aarch64.whl"]
        self.assertEqual(lock.pip_choice(musl, priorities("musl/aws-lambda-python3.13-arm64")), musl[1])
        glibc = ["demo-1.0-cp311-cp311-manylinux_2_28_x86_64.whl", "demo-1.0-cp311-cp311-manylinux_2_34_x86_64.whl",
                 "demo-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"]
        self.assertEqual(lock.pip_choice(glibc, priorities("glibc/aws-lambda-python3.11-x86_64")), glibc[1])

    def test_a_higher_build_tag_wins_between_equal_tags(self):
        wheels = ["demo-1.0-1-cp313-cp313-manylinux2014_x86_64.whl", "demo-1.0-2-cp313-cp313-manylinux2014_x86_64.whl"]
        self.assertEqual(lock.pip_choice(wheels, priorities("documented/aws-lambda-python3.13-x86_64")), wheels[1])

    def test_a_wheel_pip_does_not_accept_is_never_picked(self):
        # PyQt5 5.15.11 is tagged manylinux_2_17 only: uv's manylinux2014 takes it, pip goes to 5.15.7
        pyqt5 = ["PyQt5-5.15.11-cp38-abi3-manylinux_2_17_x86_64.whl"]
        self.assertIsNone(lock.pip_choice(pyqt5, priorities("documented/aws-lambda-python3.13-x86_64")))
        self.assertIsNone(lock.pip_choice(CHARSET_NORMALIZER[:2], priorities("musl/aws-lambda-python3.13-x86_64")))

    def test_every_locked_wheel_is_one_pip_installs(self):
        locked = soakfiles.read_lock()
        self.assertEqual(lock.check(locked), 0)
        gave_up = sorted(f"{project} {name}" for project, entries in locked["builds"].items()
                         for name, entry in entries.items()
                         if isinstance(entry, dict) and "expected one" in entry.get("error", ""))
        self.assertEqual(gave_up, [])


@unittest.skipUnless(os.path.isfile(soakfiles.venv_python()),
                     f"the soak venv is not set up ({soakfiles.venv_python()}): run python3 soak/run.py --setup-only")
class RequiresPythonTests(unittest.TestCase):
    CRYPTOGRAPHY_47 = ">=3.8, !=3.9.0, !=3.9.1"  # cryptography 47.0.0's Requires-Python

    def test_pip_takes_the_minor_version_for_its_first_release(self):
        # pip's --python-version 3.9 is 3.9.0: cryptography 47.0.0 is refused there, not on 3.10
        self.assertEqual(lock.pip_refuses_python([self.CRYPTOGRAPHY_47, ">=3.8", ""],
                                                 BUILDS["documented/aws-lambda-python3.9-x86_64"]), {self.CRYPTOGRAPHY_47})
        self.assertEqual(lock.pip_refuses_python([self.CRYPTOGRAPHY_47], BUILDS["documented/aws-lambda-python3.10-arm64"]),
                         set())
        # PySide6 6.2.4: `<3.11,>=3.6`
        self.assertEqual(lock.pip_refuses_python(["<3.11,>=3.6"], BUILDS["documented/aws-lambda-python3.11-x86_64"]),
                         {"<3.11,>=3.6"})

    def test_the_python39_builds_install_the_cryptography_pip_installs(self):
        locked = soakfiles.read_lock()
        for project in ("cryptography", "snowflake-connector-python", "oracledb", "autobahn", "aioquic"):
            for arch in ("x86_64", "arm64"):
                files = locked["builds"][project][f"documented/aws-lambda-python3.9-{arch}"]
                self.assertIsInstance(files, list, project)
                self.assertFalse([f for f in files if f.startswith("cryptography-47.")], project)
                self.assertTrue([f for f in files if f.startswith("cryptography-43.0.3-")], project)


class LockFileTests(unittest.TestCase):
    def test_the_lock_stays_under_the_house_limit(self):
        self.assertLess(os.path.getsize(soakfiles.LOCK_FILE), 2_000_000)

    def test_written_and_read_again_it_is_the_same_lock(self):
        import tempfile
        locked = soakfiles.read_lock()
        self.assertEqual(locked["wheels"]["cryptography-43.0.3-cp39-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"]
                         ["url"].rsplit("/", 1)[1],
                         "cryptography-43.0.3-cp39-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl")
        with tempfile.TemporaryDirectory() as scratch:
            path = os.path.join(scratch, "lock.json")
            soakfiles.write_lock(locked, path)
            self.assertEqual(soakfiles.read_lock(path), locked)
            with open(path, encoding="utf-8") as f, open(soakfiles.LOCK_FILE, encoding="utf-8") as committed:
                self.assertEqual(f.read(), committed.read())

    def test_a_url_of_another_shape_is_kept_whole_and_a_bad_key_refused(self):
        import tempfile
        demo = {"locked": "2026-12-07", "builds": {"demo": {"documented/aws-lambda-python3.13-x86_64": ["demo-1.0-py3-none-any.whl"],
                                                             "documented/aws-lambda-python3.9-x86_64": {"error": "no installable set"}}},
                "wheels": {"demo-1.0-py3-none-any.whl": {"sha256": "ab" * 32, "size": 10,
                                                         "url": "https://example.invalid/demo-1.0-py3-none-any.whl"}}}
        with tempfile.TemporaryDirectory() as scratch:
            path = os.path.join(scratch, "lock.json")
            soakfiles.write_lock(demo, path)
            read = soakfiles.read_lock(path)
            self.assertEqual((read["builds"], read["wheels"]), (demo["builds"], demo["wheels"]))
            with open(path, encoding="utf-8") as f:
                text = f.read()
            with open(path, "w", encoding="utf-8") as f:
                f.write(text.replace('["abababababab"]', '["cdcdcdcdcdcd"]'))
            with self.assertRaisesRegex(ValueError, "names wheels not in 'wheels': cdcdcdcdcdcd"):
                soakfiles.read_lock(path)


class WheelNameTests(unittest.TestCase):
    def test_compressed_tag_sets_and_build_tags(self):
        tags, build = lock.wheel_file_tags(CHARSET_NORMALIZER[0])
        self.assertEqual(tags, {"cp313-cp313-manylinux1_x86_64", "cp313-cp313-manylinux_2_28_x86_64",
                                "cp313-cp313-manylinux_2_5_x86_64"})
        self.assertEqual(build, ())
        tags, build = lock.wheel_file_tags("demo-1.0-12abc-py2.py3-none-any.whl")
        self.assertEqual(tags, {"py2-none-any", "py3-none-any"})
        self.assertEqual(build, (12, "abc"))
        with self.assertRaises(ValueError):
            lock.wheel_file_tags("demo-1.0.whl")


if __name__ == "__main__":
    unittest.main()
