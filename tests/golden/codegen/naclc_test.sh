#!/bin/sh
# naclc_test.sh NACLC EXAMPLES HERE: `naclc test` on examples/firewall.nacl with case tables.
set -eu
naclc=$1 examples=$2 here=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$examples"
fail() { echo "FAIL: $*" >&2; exit 1; }

# All pass: exit 0 and the closing count.
"$naclc" test firewall.nacl "$here/firewall.cases" >"$work/out" 2>"$work/err" || fail "firewall.cases: exit $? $(cat "$work/err")"
grep -qx '16 passed, 0 failed' "$work/out" || fail "firewall.cases: $(cat "$work/out")"

# A wrong expectation: exit 1, the line, both verdicts and the deciding rule's location.
cp "$here/wrong.cases" "$work/wrong.cases"
status=0
"$naclc" test firewall.nacl "$work/wrong.cases" >"$work/out" 2>"$work/err" || status=$?
[ "$status" = 1 ] || fail "wrong.cases: exit $status"
grep -q "wrong.cases:2: expected accept, got drop (decided by forward_policy at firewall.nacl:53:9)" "$work/out" ||
    fail "wrong.cases: $(cat "$work/out")"
grep -q "wrong.cases:[34]:" "$work/out" && fail "a passing line was reported: $(cat "$work/out")"
grep -qx '2 passed, 1 failed' "$work/out" || fail "wrong.cases: $(cat "$work/out")"

# A malformed table: exit 2 with file:line:col, and nothing compiled.
cp "$here/malformed.cases" "$work/malformed.cases"
status=0
"$naclc" test firewall.nacl "$work/malformed.cases" >"$work/out" 2>"$work/err" || status=$?
[ "$status" = 2 ] || fail "malformed.cases: exit $status"
grep -q "malformed.cases:4:27: error: bad daddr '10.1.0': expected an IPv4 address" "$work/err" ||
    fail "malformed.cases: $(cat "$work/err")"

# A configuration with errors: exit 1 before any case runs.
printf 'Filter::IP broken { if (ip.ttl > ) { drop } }\n' >"$work/broken.nacl"
status=0
"$naclc" test "$work/broken.nacl" "$here/firewall.cases" >"$work/out" 2>"$work/err" || status=$?
[ "$status" = 1 ] || fail "broken.nacl: exit $status"
echo "naclc test: ok"
