#!/usr/bin/env bash
# The Action's scan step (action.yml): one `shiplint scan` that writes annotations to the log (the github format),
# the SARIF file and any other reports asked for; its exit status becomes the `exit-code` output, and `upload` says
# whether the SARIF may go to code scanning. The step itself always succeeds: the upload comes first, the failure
# after it.
set -uo pipefail

words() {  # the input split on spaces and new lines, shell globs expanded (an unmatched one stays as written)
    local IFS=$' \t\n'
    # shellcheck disable=SC2206
    local list=($1)
    printf '%s\n' "${list[@]}"
}

arguments=(scan)
while IFS= read -r path; do [[ -n $path ]] && arguments+=("$path"); done < <(words "${SHIPLINT_PATHS:-.}")
[[ -n ${SHIPLINT_TARGET:-} ]] && arguments+=(--target "$SHIPLINT_TARGET")
while IFS= read -r layer; do [[ -n $layer ]] && arguments+=(--layer "$layer"); done < <(words "${SHIPLINT_LAYERS:-}")
arguments+=(--fail-on "${SHIPLINT_FAIL_ON:-error}" --format github --report "sarif=${SHIPLINT_SARIF:-shiplint.sarif}")
while IFS= read -r report; do [[ -n $report ]] && arguments+=(--report "$report"); done < <(words "${SHIPLINT_FORMATS:-}")
while IFS= read -r extra; do [[ -n $extra ]] && arguments+=("$extra"); done < <(set -f; words "${SHIPLINT_ARGS:-}")

echo "shiplint ${arguments[*]}"
shiplint "${arguments[@]}"
status=$?

upload=false
case ${SHIPLINT_UPLOAD:-auto} in
    true) upload=true ;;
    false) ;;
    auto)
        upload=true
        if [[ ${SHIPLINT_EVENT:-} == pull_request* && ${SHIPLINT_FROM_FORK:-} == true ]]; then
            upload=false
            echo "shiplint: not uploading SARIF: a pull request from a fork has a read-only token (the annotations above show the findings)"
        elif [[ ${SHIPLINT_ACTOR:-} == "dependabot[bot]" ]]; then
            upload=false
            echo "shiplint: not uploading SARIF: Dependabot's token is read-only (the annotations above show the findings)"
        fi
        ;;
    *) echo "::error title=shiplint::upload-sarif is auto, true or false, not '$SHIPLINT_UPLOAD'"; status=2 ;;
esac
[[ -f ${SHIPLINT_SARIF:-shiplint.sarif} ]] || upload=false

{
    echo "exit-code=$status"
    echo "sarif=${SHIPLINT_SARIF:-shiplint.sarif}"
    echo "upload=$upload"
} >> "${GITHUB_OUTPUT:-/dev/null}"
exit 0
