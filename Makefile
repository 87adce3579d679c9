# shiplint's front door. `make demo` sets everything up and scans the sample artifacts; `make test` runs the
# whole suite (unit and end-to-end tests, then the real-wheel conformance suite).

PREFIX ?= /usr/local
SWIFT ?= swift
PYTHON ?= python3
DEBUG_BIN := .build/debug/shiplint
RELEASE_BIN := .build/release/shiplint
APT_PACKAGES := libelf-dev libarchive-dev zlib1g-dev libdeflate-dev libyaml-dev pkg-config

.PHONY: all deps build debug test unit conformance corpus ci-formats docs-test soak soak-ci soak-lock differential differential-elf differential-archives bench debian-natives fixtures demo install clean fuzz fuzz-slice

all: build

# Installs the C libraries (and pkg-config) only when pkg-config cannot find them.
deps:
	@if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists libelf libarchive zlib libdeflate yaml-0.1; then \
		echo "make deps: installing $(APT_PACKAGES)"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(APT_PACKAGES) >/dev/null; \
	fi
	@pkg-config --exists libelf libarchive zlib libdeflate yaml-0.1 || { echo "make deps: libelf, libarchive, zlib, libdeflate or libyaml still missing" >&2; exit 1; }
	@# The image tests build real OCI layouts and docker save tarballs with umoci and skopeo (zstd layers with zstd), offline.
	@if ! command -v umoci >/dev/null 2>&1 || ! command -v skopeo >/dev/null 2>&1 || ! command -v zstd >/dev/null 2>&1; then \
		echo "make deps: installing umoci skopeo zstd (for the container image tests)"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq umoci skopeo zstd >/dev/null; \
	fi

build: deps
	$(SWIFT) build -c release --product shiplint

debug: deps
	$(SWIFT) build --product shiplint

# The whole suite. The Swift tests run the debug binary end to end, so it is built first.
test: unit differential-elf differential-archives conformance corpus ci-formats docs-test soak-ci dist-test fuzz-slice

# libFuzzer harnesses (Fuzz/, a separate package: address sanitizer and coverage on every module, built in
# .build-fuzz) for the binary readers, archives, images, descriptors, configuration, baselines and explain's text
# reading, seeded from the fixtures (docs/fuzzing.md). `make fuzz` runs each harness for FUZZ_SECONDS (or FUZZ_RUNS
# inputs), at the lowest priority; FUZZ_HARNESS="elf zip" picks some. A crash, hang or out-of-memory input is copied
# to fixtures/fuzz/crashes/HARNESS/ and fails the run.
FUZZ_SECONDS ?= 60
FUZZ_RUNS ?=
FUZZ_HARNESS ?=
fuzz: deps
	nice -n 19 $(PYTHON) Fuzz/fuzz.py run $(if $(FUZZ_RUNS),--runs $(FUZZ_RUNS),--seconds $(FUZZ_SECONDS)) \
		$(foreach h,$(FUZZ_HARNESS),--harness $(h)) --report .build-fuzz/report.json

# The slice `make test` runs: every committed reproducer and seed replayed through its harness, then each harness
# fuzzed for a few seconds.
fuzz-slice: deps
	nice $(PYTHON) Fuzz/fuzz.py slice --seconds 4

unit: debug
	$(SWIFT) test

# Real wheels from PyPI, pinned by sha256 and cached; says plainly what it skipped when it cannot download.
# Then real deployments: `sam build` and a CDK app synthesised with aws-cdk-lib (tools cached in ~/.cache/shiplint).
# Then the Python differential: real cp311 wheels (and variants) imported by this machine's CPython 3.11 and scanned
# against `shiplint targets capture` of this machine: import failure <=> error.
# Then `shiplint repair` on real broken builds, pip asking PyPI for the wheels that fit (skipped, and said, offline).
conformance: debug
	SHIPLINT=$(DEBUG_BIN) $(PYTHON) conformance/check.py
	SHIPLINT=$(DEBUG_BIN) $(PYTHON) conformance/deployments.py
	SHIPLINT=$(DEBUG_BIN) $(PYTHON) conformance/python_differential.py
	SHIPLINT=$(DEBUG_BIN) $(PYTHON) conformance/repair.py
	SHIPLINT=$(DEBUG_BIN) $(PYTHON) conformance/runtimes.py

# explain on real error texts from public issues, each against an artifact that reproduces it (Tests/corpus/README.md):
# right file, right cause, a fix that works on Lambda. Wheels cached like conformance/; says plainly what it skipped.
corpus: debug
	SHIPLINT=$(DEBUG_BIN) $(PYTHON) Tests/corpus/check.py
	SHIPLINT=$(DEBUG_BIN) $(PYTHON) Tests/corpus/check.py --cases Tests/corpus/heldout/cases.json
	SHIPLINT=$(DEBUG_BIN) $(PYTHON) Tests/corpus/check.py --cases Tests/corpus/heldout2/cases.json
	SHIPLINT=$(DEBUG_BIN) $(PYTHON) Tests/corpus/check.py --cases Tests/corpus/heldout3/cases.json
	SHIPLINT=$(DEBUG_BIN) $(PYTHON) Tests/corpus/check.py --cases Tests/corpus/heldout4/cases.json
	SHIPLINT=$(DEBUG_BIN) $(PYTHON) Tests/corpus/check.py --cases Tests/corpus/heldout5/cases.json

# SARIF against the official schema, JUnit through junitparser, the pre-commit hook through `pre-commit try-repo`
# (packages installed from PyPI into a scratch venv; says plainly what it skipped when it cannot install them).
ci-formats: debug
	SHIPLINT=$(DEBUG_BIN) $(PYTHON) conformance/ci_formats.py

# The README and docs/ as a reader follows them: every relative link and anchor resolves; the README stays short.
docs-test:
	$(PYTHON) packaging/check_docs.py

# The real-world soak (soak/README.md): the most downloaded native PyPI projects installed as AWS documents for every
# Lambda Python runtime on both architectures, plus wrong builds, zipped, scanned and compared with an oracle that
# shares no code with shiplint. Wheels pinned by sha256 in soak/lock.json, cached in ~/.cache/shiplint/soak.
soak: build
	SHIPLINT=$(RELEASE_BIN) $(PYTHON) soak/run.py
# The CI slice of it, part of `make test` (soak/ci-slice.txt on three targets); offline it says what it skipped.
soak-ci: debug
	$(PYTHON) soak/run.py --setup-only || echo "soak: the soak venv could not be set up (no network?): the lock tests say they are skipped"
	$(PYTHON) -m unittest -v soak/test_lock.py soak/test_oracle.py
	SHIPLINT=$(DEBUG_BIN) $(PYTHON) soak/run.py --ci
# Resolves the candidates again (network; rewrites soak/lock.json: commit it with the figures it gives).
soak-lock:
	$(PYTHON) soak/run.py --setup-only && $(PYTHON) soak/lock.py --relock

# The ELF differential test (differential/elf/run.py): variants of real libraries dlopen()ed by glibc's ld.so and
# scanned by shiplint against this machine; every disagreement fails and is saved in .build/differential-elf.
# `make differential-elf` is the slice `make test` runs; `make differential N=1000000` a campaign over every kind.
N ?= 1000000
differential-elf: debug
	$(PYTHON) differential/elf/run.py --shiplint $(DEBUG_BIN) --variants 20000

# The archive differential test (differential/archives/run.py): ZIP and tar variants extracted by Info-ZIP unzip,
# Python's zipfile, tarfile and GNU tar (shut in a mount namespace) and read by shiplint; every difference that is not
# a finding fails and is saved in differential/archives/failures. `make differential-archives` is the slice `make test` runs.
differential-archives: debug
	@command -v unzip >/dev/null 2>&1 || { if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq unzip >/dev/null; }
	$(PYTHON) differential/archives/run.py --shiplint $(DEBUG_BIN) --variants 5000

differential: build
	$(PYTHON) differential/elf/run.py --shiplint $(RELEASE_BIN) --variants $(N) --batch 20000 --progress --show 20
	$(PYTHON) differential/archives/run.py --shiplint $(RELEASE_BIN) --variants $(N)

# Speed and memory against auditwheel, lddtree and scanelf on the same real wheels, as ratios (not part of `test`);
# and the release's size (the executable `make dist` wrote).
bench: build dist
	$(PYTHON) bench/run.py

# Real JNI JARs and a .NET runtimes/<rid>/native publish from Debian 12's packages, cached in .build/debian-natives
# (pinned .debs; the unit tests build it on first use and skip, saying why, when the Debian archive is unreachable).
debian-natives:
	python3 fixtures/src/runtimes/debian_natives.py .build/debian-natives

# Rebuilds the committed test binaries and archives (needs the Swift toolchain's clang and lld).
fixtures:
	$(MAKE) -C fixtures

# Shows what shiplint finds in the sample artifacts. It demonstrates, it does not gate: always exits 0.
demo: build
	@echo '$$ shiplint scan fixtures/artifacts/function-windows.zip --target aws-lambda-python3.13-x86_64'
	@$(RELEASE_BIN) scan fixtures/artifacts/function-windows.zip --target aws-lambda-python3.13-x86_64 || true
	@echo
	@echo '$$ shiplint scan fixtures/artifacts/function-glibc228.zip --target aws-lambda-python3.11-x86_64'
	@$(RELEASE_BIN) scan fixtures/artifacts/function-glibc228.zip --target aws-lambda-python3.11-x86_64 || true
	@echo
	@echo '$$ shiplint scan fixtures/artifacts/function-clean.zip --target aws-lambda-python3.13-x86_64'
	@$(RELEASE_BIN) scan fixtures/artifacts/function-clean.zip --target aws-lambda-python3.13-x86_64 || true
	@echo
	@echo '$$ shiplint scan fixtures/artifacts/package/function-root.zip --layer fixtures/artifacts/package/layer-py312.zip --target aws-lambda-python3.13-x86_64'
	@$(RELEASE_BIN) scan fixtures/artifacts/package/function-root.zip --layer fixtures/artifacts/package/layer-py312.zip --target aws-lambda-python3.13-x86_64 || true
	@echo
	@echo '$$ shiplint inspect --tree fixtures/artifacts/resolve/missing-system.zip --target aws-lambda-python3.13-x86_64'
	@$(RELEASE_BIN) inspect --tree fixtures/artifacts/resolve/missing-system.zip --target aws-lambda-python3.13-x86_64 || true

# Installs the release `make dist` builds (the executable for glibc 2.26 and later, its man page and completions).
install: dist
	$(PYTHON) packaging/install.py $(DESTDIR)$(PREFIX)

clean:
	rm -rf .build .build-dist dist

# ---- Release packaging (issue 15): make dist, make dist-test --------------------------------------------------
# `make dist` writes dist/shiplint-<version>-linux-<arch>.tar.gz, dist/shiplint-<version>-py3-none-manylinux_2_26_<arch>.whl
# and dist/SHA256SUMS: one executable with the Swift runtime, libelf, libarchive and their compression libraries
# linked statically (only glibc dynamic, 2.26 or later: linked by zig cc from PyPI's ziglang), built in .build-dist
# (see packaging/dist.py). `make dist-test` checks them
# as a user without Swift would use them (packaging/check_dist.py); `make test` runs it.
# zsh and fish: `make dist-test` drives the completion scripts in the real shells.
DIST_APT_PACKAGES := libelf-dev libarchive-dev libyaml-dev pkg-config libacl1-dev libzstd-dev liblz4-dev libbz2-dev liblzma-dev \
	zlib1g-dev libdeflate-dev nettle-dev libxml2-dev libicu-dev python3-venv zsh fish
DIST_STATIC_ARCHIVES := libelf.a libarchive.a libyaml.a libacl.a libzstd.a liblz4.a libbz2.a liblzma.a libz.a libdeflate.a libnettle.a \
	libxml2.a libicuuc.a libicudata.a libicui18n.a

.PHONY: dist dist-deps dist-test floor-check

# Installs the static archives' -dev packages only when one is missing (like `make deps`).
dist-deps:
	@missing=; for a in $(DIST_STATIC_ARCHIVES); do \
		case "$$(gcc -print-file-name=$$a)" in /*) ;; *) missing="$$missing $$a";; esac; done; \
	for tool in zsh fish; do command -v $$tool >/dev/null 2>&1 || missing="$$missing $$tool"; done; \
	if [ -n "$$missing" ] || ! command -v pkg-config >/dev/null 2>&1; then \
		echo "make dist-deps: missing$$missing; installing $(DIST_APT_PACKAGES)"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(DIST_APT_PACKAGES) >/dev/null; \
	fi

dist: dist-deps
	SWIFT=$(SWIFT) nice $(PYTHON) packaging/dist.py

dist-test: dist
	$(PYTHON) packaging/check_dist.py

# The release run in a Debian root older than the build machine (debootstrap, chroot; network; not part of `test`).
floor-check: dist
	$(PYTHON) packaging/floor_check.py
# ---- end of release packaging ------------------------------------------------------------------------------------
