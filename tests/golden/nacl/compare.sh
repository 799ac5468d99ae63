#!/bin/sh
# compare.sh ir|diagnostics NACLC INPUT EXPECTED
# Runs naclc from the input's folder (so file names in the output are bare)
# and compares its output with the expected file.
set -eu
mode=$1 naclc=$2 input=$3 expected=$4
actual=$(mktemp)
trap 'rm -f "$actual"' EXIT
cd "$(dirname "$input")"
name=$(basename "$input")
if [ "$mode" = ir ]; then
    "$naclc" emit ir "$name" >"$actual"
else
    if "$naclc" check "$name" 2>"$actual"; then
        echo "expected $name to fail" >&2
        exit 1
    fi
fi
if ! diff -u "$expected" "$actual"; then
    echo "output of naclc differs from $expected; if the change is intended, run" >&2
    echo "  tests/golden/nacl/regenerate.sh <build>/bin/naclc" >&2
    exit 1
fi
