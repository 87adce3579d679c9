#!/usr/bin/env bash
# The Action's first step (action.yml): installs the shiplint release for this runner into $RUNNER_TEMP and puts it
# on PATH for the later steps. The release is the GitHub release of `version` (default: this action's own version),
# checked against its SHA256SUMS; or the `tarball` input, a release tarball in the workspace or at an https URL.
set -euo pipefail

fail() {
    echo "::error title=shiplint::$*"
    exit 1
}

case "${RUNNER_OS:-Linux}/${RUNNER_ARCH:-X64}" in
    Linux/X64) arch=x86_64 ;;
    Linux/ARM64) fail "no arm64 build of shiplint is released yet (docs/install.md): run this job on an x86_64 runner such as ubuntu-24.04; it judges arm64 functions from there (target: python3.13-arm64)" ;;
    *) fail "shiplint is released for Linux x86_64 only (docs/install.md): run this job on ubuntu-24.04; it judges artifacts built anywhere" ;;
esac

version=${SHIPLINT_VERSION:-}
if [[ -z $version ]]; then
    if [[ ${SHIPLINT_ACTION_REF:-} =~ ^v([0-9]+\.[0-9]+\.[0-9]+.*)$ ]]; then
        version=${BASH_REMATCH[1]}
    else
        # A branch or a commit: the version written in the sources of that ref (Sources/ShiplintOutcome/ScanOutcome.swift).
        version=$(sed -n 's/^ *public static let current = "\(.*\)"$/\1/p' "$GITHUB_ACTION_PATH/Sources/ShiplintOutcome/ScanOutcome.swift")
        [[ -n $version ]] || fail "cannot tell which shiplint release to install: set the version input"
    fi
fi

source=${SHIPLINT_TARBALL:-https://github.com/shiplint/shiplint/releases/download/v$version/shiplint-$version-linux-$arch.tar.gz}
file=$(basename "$source")
[[ $file == shiplint-*-linux-*.tar.gz ]] || fail "$source is not a shiplint release tarball (shiplint-VERSION-linux-ARCH.tar.gz)"
folder=${file%.tar.gz}
destination=${RUNNER_TEMP:-${TMPDIR:-/tmp}}/shiplint-install
rm -rf "$destination"
mkdir -p "$destination"

# $1: an https URL or a path; $2: where to put it. Returns 1 when a URL answers 404 (no such file).
fetch() {
    case $1 in
        https://*) curl --fail --silent --show-error --location --retry 3 --output "$2" "$1" ;;
        *://*) fail "$1: only https URLs and paths are accepted" ;;
        *) [[ -f $1 ]] && cp "$1" "$2" ;;
    esac
}

fetch "$source" "$destination/$file" || fail "cannot get $source"
sums="$(dirname "$source")/SHA256SUMS"
if fetch "$sums" "$destination/SHA256SUMS" 2>/dev/null; then
    line=$(grep -E "^[0-9a-f]{64}  $file\$" "$destination/SHA256SUMS") || fail "$sums does not list $file"
    (cd "$destination" && echo "$line" | sha256sum --check --quiet) || fail "$file does not match its SHA256SUMS: not installed"
    echo "shiplint: $file matches $sums"
elif [[ -z ${SHIPLINT_TARBALL:-} ]]; then
    fail "the release v$version has no SHA256SUMS beside $file: not installed"
else
    echo "::warning title=shiplint::no SHA256SUMS beside $source: installed without checking its checksum"
fi

tar -xzf "$destination/$file" -C "$destination"
executable="$destination/$folder/shiplint"
[[ -x $executable ]] || fail "$file holds no $folder/shiplint"
echo "shiplint: installed $("$executable" --version) from $source"
echo "$destination/$folder" >> "${GITHUB_PATH:-/dev/null}"
