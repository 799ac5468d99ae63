#!/bin/sh
# compare.sh NACLC INPUT EXPECTED [naclc emit cpp flags...]
# Runs `naclc emit cpp` from the input's folder (so file names in the output are bare) and compares.
set -eu
naclc=$1 input=$2 expected=$3
shift 3
actual=$(mktemp)
trap 'rm -f "$actual"' EXIT
cd "$(dirname "$input")"
"$naclc" emit cpp "$(basename "$input")" "$@" >"$actual" 2>/dev/null
if ! diff -u "$expected" "$actual"; then
    echo "naclc emit cpp output differs from $expected; if the change is intended, run" >&2
    echo "  tests/golden/codegen/regenerate.sh <build>/bin/naclc" >&2
    exit 1
fi
