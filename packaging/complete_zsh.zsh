#!/usr/bin/env zsh
# Prints the matches zsh's completion system offers at the end of a command line, one a line (`make dist-test`).
# Usage: complete_zsh.zsh FOLDER_WITH__shiplint 'shiplint scan --target py'
# A real interactive zsh (zsh/zpty) runs compinit with the completion script; every match handed to compadd is
# written to a file, and a post-completion hook marks the end.
zmodload zsh/zpty || exit 3
local out=$(mktemp)
zpty shell zsh -f -i
zpty -w shell "fpath=(${(q)1} \$fpath); autoload -U compinit; compinit -u -D"
zpty -w shell "compadd() { local -a __hits; builtin compadd -O __hits \"\$@\"; print -rl -- \$__hits >> ${(q)out}; builtin compadd \"\$@\"; }"
zpty -w shell "comppostfuncs=( __done ); __done() { print -r -- '<done>' >> ${(q)out}; }"
zpty -w shell "$2"$'\t'
local i
for i in {1..150}; do
  grep -q '<done>' $out 2>/dev/null && break
  sleep 0.1
done
zpty -d shell
grep -v '<done>' $out | sort -u
rm -f $out
