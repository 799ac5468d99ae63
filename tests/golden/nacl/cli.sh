#!/bin/sh
# cli.sh NACLC GOOD_CONFIG: the command line contract of naclc.
# Exit codes: 0 ok, 1 errors in the input, 2 usage errors.
set -u
naclc=$1 good=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
expect() { # expect CODE DESCRIPTION COMMAND...
    want=$1 what=$2
    shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    if [ "$got" -ne "$want" ]; then
        echo "FAIL: $what: exit $got, expected $want" >&2
        cat "$tmp/err" >&2
        failures=$((failures + 1))
    fi
}
printf 'Filter::IP f {\n  drop\n  accept\n}\nIface e { index: 0, address: 10.0.0.1, netmask: 255.0.0.0, input: f }\n' >"$tmp/warn.nacl"
printf 'Iface e { index: 0, adress: 10.0.0.1 }\n' >"$tmp/bad.nacl"

expect 0 "--version" "$naclc" --version
grep -q '^naclc [0-9]' "$tmp/out" || { echo "FAIL: --version output" >&2; failures=$((failures + 1)); }
expect 0 "--help" "$naclc" --help
grep -q 'check' "$tmp/out" || { echo "FAIL: --help lists no subcommands" >&2; failures=$((failures + 1)); }
expect 2 "no subcommand" "$naclc"
expect 2 "unknown subcommand" "$naclc" frobnicate
expect 2 "unknown option" "$naclc" check --frobnicate "$good"
expect 2 "missing file argument" "$naclc" check
expect 2 "unreadable file" "$naclc" check "$tmp/does-not-exist.nacl"
expect 2 "emit without format" "$naclc" emit "$good"
expect 0 "check a good file" "$naclc" check "$good"
expect 0 "emit ir of a good file" "$naclc" emit ir "$good"
grep -q '"format": "halite-nacl-ir"' "$tmp/out" || { echo "FAIL: emit ir wrote no IR" >&2; failures=$((failures + 1)); }
expect 0 "check from stdin" sh -c "\"$naclc\" check - <\"$good\""
expect 1 "check a broken file" "$naclc" check "$tmp/bad.nacl"
grep -q 'bad.nacl:1:21: error: unknown key `adress` in Iface `e`' "$tmp/err" ||
    { echo "FAIL: diagnostic text" >&2; cat "$tmp/err" >&2; failures=$((failures + 1)); }
expect 1 "broken file from stdin names <stdin>" sh -c "\"$naclc\" check - <\"$tmp/bad.nacl\""
grep -q '^<stdin>:1:7: error' "$tmp/err" || { echo "FAIL: stdin file name" >&2; failures=$((failures + 1)); }
expect 0 "warnings alone pass" "$naclc" check "$tmp/warn.nacl"
grep -q 'warning: this statement is never reached' "$tmp/err" || { echo "FAIL: no warning" >&2; failures=$((failures + 1)); }
expect 1 "--Werror before the subcommand" "$naclc" --Werror check "$tmp/warn.nacl"
expect 1 "--Werror after the subcommand" "$naclc" check --Werror "$tmp/warn.nacl"
expect 1 "emit ir of a broken file" "$naclc" emit ir -o "$tmp/out.json" "$tmp/bad.nacl"
[ ! -e "$tmp/out.json" ] || { echo "FAIL: an output file was written despite errors" >&2; failures=$((failures + 1)); }
expect 0 "emit ir -o" "$naclc" emit ir -o "$tmp/good.json" "$good"
[ -s "$tmp/good.json" ] || { echo "FAIL: -o wrote nothing" >&2; failures=$((failures + 1)); }
[ ! -e "$tmp/good.json.naclc-partial" ] || { echo "FAIL: emit left its temporary file" >&2; failures=$((failures + 1)); }
expect 0 "emit cpp -o" "$naclc" emit cpp -o "$tmp/good.cpp" "$good"
grep -q 'appliance::run' "$tmp/good.cpp" || { echo "FAIL: emit cpp -o wrote no C++" >&2; failures=$((failures + 1)); }
# 40 functions that each call the next twice: 2^39 copies once calls are expanded. An error, at once,
# and no output (naclc used to run out of memory expanding them).
{
    printf 'Filter::IP top {\n  f0\n  accept\n}\n'
    i=0
    while [ "$i" -lt 39 ]; do
        printf 'Filter::IP f%d {\n  if (ip.ttl == 1) { drop }\n  f%d\n  f%d\n}\n' "$i" $((i + 1)) $((i + 1))
        i=$((i + 1))
    done
    printf 'Filter::IP f39 {\n  if (ip.ttl == 1) { drop }\n}\n'
} >"$tmp/calls.nacl"
expect 1 "emit cpp of calls that copy too much" "$naclc" emit cpp -o "$tmp/calls.cpp" "$tmp/calls.nacl"
grep -q 'calls.nacl:110:12: error: the calls in `f21` copy more than 1,000,000 statements into it' "$tmp/err" ||
    { echo "FAIL: call expansion diagnostic" >&2; cat "$tmp/err" >&2; failures=$((failures + 1)); }
[ ! -e "$tmp/calls.cpp" ] || { echo "FAIL: an output file was written despite errors" >&2; failures=$((failures + 1)); }

if [ "$failures" -ne 0 ]; then
    echo "$failures CLI checks failed" >&2
    exit 1
fi
echo "all CLI checks passed"
