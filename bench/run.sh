#!/bin/sh
# `make bench` (after the Makefile built build-release): every benchmark of bench/ in bounded time, about 13-15
# minutes on the project's 2-core machines, less when the rule sets and classifiers are already built.
#
#   1. classifier microbenchmark (bench/classifier): generated vs --linear classifier, 10..100,000 rules, on the
#      host, after their verdicts agree on the whole trace                                        (<= ~5 min)
#   2. rule-set forwarding benchmark (bench/forward): Linux nft (one rule per rule, sets) and our appliance
#      (naclc build --platform linux), trafgen and dpdk-testpmd, 10..100,000 rules, 3 rounds, and the I/O floor
#      (io-floor-linux) at 10,000                                                                   (<= ~9 min)
#   3. bench/results/ruleset.md and ruleset.png from both
#   4. the router against Linux (bench/net, 3 short rounds), the connection table (bench/conntrack) and
#      `naclc check` on 100,000 rules (bench/naclc), printed only (their results files are written by hand)
#                                                                                                  (~1.5 min)
#
# Environment: BUILD (default build-release), RULES (default 10,100,1000,10000,100000), ROUNDS (3),
# FORWARD_BUDGET / CLASSIFIER_BUDGET (seconds of measuring; later points are reported as not measured).
# Needs root (network namespaces), trafgen, dpdk-testpmd, nft, gnuplot (scripts/setup.sh installs them).
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build-release}
RULES=${RULES:-10,100,1000,10000,100000}
ROUNDS=${ROUNDS:-3}
FORWARD_BUDGET=${FORWARD_BUDGET:-540}
CLASSIFIER_BUDGET=${CLASSIFIER_BUDGET:-300}
OUT=$BUILD/bench/results
mkdir -p "$OUT"
start=$(date +%s)
# What is measured, for the results file: the commit, and whether the tree had uncommitted changes.
code="commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [ -n "$(git status --porcelain --untracked-files=no -- . ':!bench/results' 2>/dev/null)" ]; then code="$code with uncommitted changes"; fi
status=0
echo "bench: load $(cut -d' ' -f1-3 /proc/loadavg) at the start"

echo "== classifier microbenchmark"
/usr/bin/python3 bench/classifier/run_classifier.py --build "$BUILD" --rules "$RULES" \
    --budget "$CLASSIFIER_BUDGET" --build-timeout 300 --json "$OUT/classifier.json" || status=1

echo "== rule-set forwarding benchmark"
/usr/bin/python3 bench/forward/ruleset_bench.py --rules "$RULES" --rounds "$ROUNDS" --seconds 2 \
    --naclc "$BUILD/bin/naclc" --work "$BUILD/bench/ruleset" --budget "$FORWARD_BUDGET" --check \
    --json "$OUT/forward.json" || status=1

echo "== report"
/usr/bin/python3 bench/forward/report.py --forward "$OUT/forward.json" --classifier "$OUT/classifier.json" \
    --md bench/results/ruleset.md --png bench/results/ruleset.png --code "$code" --commands "$(cat <<EOF
make bench        # = cmake --preset release && cmake --build build-release -j2 && ./bench/run.sh, which runs:
/usr/bin/python3 bench/classifier/run_classifier.py --build $BUILD --rules $RULES --budget $CLASSIFIER_BUDGET --build-timeout 300 --json $OUT/classifier.json
/usr/bin/python3 bench/forward/ruleset_bench.py --rules $RULES --rounds $ROUNDS --seconds 2 --naclc $BUILD/bin/naclc --work $BUILD/bench/ruleset --budget $FORWARD_BUDGET --check --json $OUT/forward.json
/usr/bin/python3 bench/forward/report.py --forward $OUT/forward.json --classifier $OUT/classifier.json --md bench/results/ruleset.md --png bench/results/ruleset.png
EOF
)" || status=1

if [ -x "$BUILD/bin/router-linux" ]; then
    echo "== router forwarding against Linux (bench/net)"
    /usr/bin/python3 bench/net/forward_bench.py --router "$BUILD/bin/router-linux" --rounds 3 --seconds 3 || status=1
fi
if [ -x "$BUILD/bench/conntrack_bench" ]; then
    echo "== connection table, 1,000 to 1,000,000 connections (bench/conntrack)"
    taskset -c 1 "$BUILD/bench/conntrack_bench" || status=1
fi
if [ -x "$BUILD/bin/naclc" ]; then
    echo "== naclc check on 100,000 rules (bench/naclc)"
    sh bench/naclc/measure.sh "$BUILD/bin/naclc" 100000 || status=1
fi

echo "bench: $(($(date +%s) - start)) s; load $(cut -d' ' -f1-3 /proc/loadavg) at the end; exit $status"
exit $status
