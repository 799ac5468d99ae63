#!/bin/sh
# naclc_build.sh NACLC EXAMPLES: `naclc build` reports each stage, and never leaves a partial output:
# either it succeeds and writes an ELF (image) or executable (linux), or it fails with exit 1, a
# "naclc: error:" line and no output file (while the appliance runtime is missing, the link fails).
set -eu
naclc=$1 examples=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
for platform in microvm linux; do
    out=$work/firewall-$platform
    status=0
    "$naclc" build "$examples/firewall.nacl" -o "$out" --platform $platform 2>"$work/log" || status=$?
    grep -q '^\[1/[34]\] front end: ' "$work/log" || fail "$platform: no progress line: $(cat "$work/log")"
    grep -q '^\[2/[34]\] codegen: 14 rules' "$work/log" || fail "$platform: no codegen line: $(cat "$work/log")"
    if [ "$status" = 0 ]; then
        [ -s "$out" ] || fail "$platform: exit 0 without $out"
        head -c 4 "$out" | od -c | grep -q 'E   L   F' || fail "$platform: $out is not an ELF file"
    else
        [ "$status" = 1 ] || fail "$platform: exit $status"
        grep -q '^naclc: error: ' "$work/log" || fail "$platform: no error line: $(cat "$work/log")"
        [ ! -e "$out" ] || fail "$platform: a failed build left $out"
        [ -z "$(ls "$work" | grep -v '^log$' || true)" ] || fail "$platform: a failed build left $(ls "$work")"
    fi
done
# A Load_balancer: the runtime does not implement it yet, so a warning (not an error) says it is ignored.
status=0
"$naclc" build "$examples/load_balancer_simple.nacl" -o "$work/lb" 2>"$work/log" || status=$?
[ "$status" = 0 ] || fail "load_balancer_simple.nacl: exit $status: $(cat "$work/log")"
grep -q '^naclc: warning: .*load_balancer_simple.nacl:[0-9]*:[0-9]*: Load_balancer lb is ignored: the appliance runtime does not implement load balancers yet' "$work/log" ||
    fail "no Load_balancer warning: $(cat "$work/log")"
"$naclc" build "$examples/firewall.nacl" -o "$work/fw" 2>"$work/log"
! grep -q 'warning' "$work/log" || fail "firewall.nacl: unexpected warning: $(cat "$work/log")"
rm -f "$work/lb" "$work/fw" "$work/log"
# Usage errors: exit 2, no file.
status=0
"$naclc" build "$examples/firewall.nacl" -o "$work/x" --platform vax 2>/dev/null || status=$?
[ "$status" = 2 ] || fail "--platform vax: exit $status"
[ ! -e "$work/x" ] || fail "--platform vax left a file"
# A configuration with errors: exit 1, no file.
printf 'Filter::IP broken { drop \n' >"$work/broken.nacl"
status=0
"$naclc" build "$work/broken.nacl" -o "$work/y" 2>/dev/null || status=$?
[ "$status" = 1 ] || fail "broken.nacl: exit $status"
[ ! -e "$work/y" ] || fail "broken.nacl left a file"
echo "naclc build: ok"
