#!/bin/sh
# measure.sh NACLC [RULES]: generates a configuration of RULES rules (default
# 100000) and reports wall time and peak memory of `naclc check` on it, best
# of three runs. Use a release build (cmake --preset release).
set -eu
naclc=$1
rules=${2:-100000}
here=$(cd "$(dirname "$0")" && pwd)
config=$(mktemp --suffix=.nacl)
trap 'rm -f "$config"' EXIT
python3 "$here/generate_rules.py" --rules "$rules" >"$config"
echo "input: $rules rules, $(wc -c <"$config") bytes, $(wc -l <"$config") lines"
python3 - "$naclc" "$config" <<'PY'
import resource, subprocess, sys, time
naclc, config = sys.argv[1], sys.argv[2]
best = None
for run in range(3):
    start = time.perf_counter()
    result = subprocess.run([naclc, "check", config], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    best = elapsed if best is None else min(best, elapsed)
    warnings = result.stderr.count("warning:")
    print(f"run {run + 1}: exit {result.returncode}, {elapsed:.2f} s, {warnings} warnings")
peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(f"best time: {best:.2f} s; peak memory (max RSS of the runs): {peak_mb:.0f} MB")
PY
