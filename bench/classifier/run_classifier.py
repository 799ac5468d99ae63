#!/usr/bin/python3
"""Builds and runs the classifier microbenchmarks (bench/classifier/CMakeLists.txt) of a build directory: for each
rule count, the generated (compiled) forward chain and the --linear one, after their verdict check, plus the empty
chain, and the whole appliance per frame on fake NICs (appliance/path, appliance/one_flow); Google Benchmark, pinned to one CPU,
repetitions, medians. Also the generated classifier's code size (the
object file's sections) and build times (from ninja's log: naclc emit cpp, and clang++ -O2 of the emitted C++).

  run_classifier.py --build build-release [--rules 10,100,1000,10000,100000] [--rounds 3] [--json OUT] [--budget S]

Each figure is the median of --rounds runs, interleaved over the rule counts (each run's own figure the median of
--repetitions), with the lowest and highest run: this machine is shared, and a slow spell of a few seconds
lands in one run of a point instead of being its figure.

Writes JSON with the figures and a markdown table (used by bench/forward/report.py for bench/results/ruleset.md).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def ninja_times(build):
    """{output path (relative to the build dir): seconds} of the last build of each output."""
    times = {}
    path = os.path.join(build, ".ninja_log")
    if not os.path.exists(path):
        return times
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 4 and parts[0].isdigit():
                times[parts[3]] = (int(parts[1]) - int(parts[0])) / 1000
    return times


def sections(obj):
    """Bytes of code (.text*) and read-only data (.rodata*) in an object file."""
    out = subprocess.run(["size", "-A", obj], stdout=subprocess.PIPE, text=True).stdout
    text = rodata = 0
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[1].isdigit():
            if parts[0].startswith(".text"):
                text += int(parts[1])
            elif parts[0].startswith(".rodata") or parts[0].startswith(".data.rel.ro"):
                rodata += int(parts[1])
    return text, rodata


# Timed in every round (the linear chain only in the first: it is the reference, not a goal).
EVERY_ROUND = ("chain/empty", "chain/compiled", "chain/compiled_one", "appliance/path", "appliance/one_flow")
EVERY_ROUND_FILTER = "^(" + "|".join(EVERY_ROUND) + ")$"


def measure(row, args, benchmark_filter):
    """One run of a rule count's executable (the verdict check, then Google Benchmark); each benchmark's median
    of the repetitions, in ns per packet, is appended to row["rounds"][name]."""
    command = ["taskset", "-c", args.cpu, row["exe"], "--trace", row["trace"], "--benchmark_format=json",
               f"--benchmark_repetitions={args.repetitions}", "--benchmark_report_aggregates_only=true",
               f"--benchmark_min_time={args.min_time}"]
    if benchmark_filter:
        command.append(f"--benchmark_filter={benchmark_filter}")
    r = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=600)
    # The chains' verdict check, and the appliance's forwarded frames in steady state.
    row["check"] = " / ".join(l for l in r.stderr.splitlines() if l.startswith(("verdicts:", "appliance path, pass 2")))
    if r.returncode != 0:
        row["skipped"] = f"verdict check or run failed (exit {r.returncode}): {r.stderr[-600:]}"
        return
    data = json.loads(r.stdout)
    row.setdefault("load", []).append(data["context"].get("load_avg"))
    for bm in data["benchmarks"]:
        if bm.get("aggregate_name") == "median" and bm.get("items_per_second"):
            name = bm["run_name"].split("/")[-1]
            row.setdefault("rounds", {}).setdefault(name, []).append(1e9 / bm["items_per_second"])


def report_round(row, round_number):
    print(f"round {round_number}, {row['rules']} rules: " +
          ", ".join(f"{k} {per_round[-1]:.1f} ns" for k, per_round in row["rounds"].items()
                    if len(per_round) == round_number),  # measured in this round
          flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", default=os.path.join(ROOT, "build-release"))
    p.add_argument("--rules", default="10,100,1000,10000,100000")
    p.add_argument("--profile", default="fw")
    p.add_argument("--cpu", default="1", help="CPU to pin the benchmark to")
    p.add_argument("--repetitions", type=int, default=5)
    p.add_argument("--rounds", type=int, default=3, help="timing rounds, interleaved over the rule counts")
    p.add_argument("--min-time", default="0.2")
    p.add_argument("--build-timeout", type=float, default=600, help="seconds for building one rule count")
    p.add_argument("--budget", type=float, default=900, help="seconds for everything; later rule counts are skipped")
    p.add_argument("--json")
    args = p.parse_args()
    start = time.monotonic()
    rows = []
    for n in [int(x) for x in args.rules.split(",")]:
        row = {"rules": n}
        rows.append(row)
        if time.monotonic() - start > args.budget:
            row["skipped"] = "time budget"
            continue
        target = f"classifier_bench_{n}"
        t = time.monotonic()
        try:
            b = subprocess.run(["cmake", "--build", args.build, "-j2", "--target", target], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, timeout=args.build_timeout)
        except subprocess.TimeoutExpired:
            row["skipped"] = f"not built within {args.build_timeout:.0f} s"
            continue
        row["build_seconds"] = round(time.monotonic() - t, 1)
        if b.returncode != 0:
            row["skipped"] = "build failed: " + b.stdout[-600:]
            continue
        base = f"rules/{args.profile}-{n}-s1"
        times = ninja_times(args.build)
        obj_dir = os.path.join(args.build, "bench", "classifier", "CMakeFiles", f"{target}.dir")
        for variant in ("compiled", "linear"):
            obj = os.path.join(obj_dir, f"{base}.{variant}.cpp.o")
            if os.path.exists(obj):
                row[f"{variant}_text"], row[f"{variant}_rodata"] = sections(obj)
            rel_obj = os.path.relpath(obj, args.build)
            row[f"{variant}_compile_s"] = times.get(rel_obj)
            row[f"{variant}_emit_s"] = times.get(f"bench/classifier/{base}.{variant}.cpp")
        row["exe"] = os.path.join(args.build, "bench", target)
        row["trace"] = os.path.join(args.build, "bench", "classifier", f"{base}.trace")
        measure(row, args, None)
        if "skipped" not in row:
            report_round(row, 1)
    # The later rounds, interleaved over the rule counts (the --linear chain only in the first: it is the
    # reference, not a goal), so that a slow spell of this shared machine lands in one round of each point and
    # not in every figure of one point.
    for round_number in range(2, args.rounds + 1):
        for row in rows:
            if "skipped" in row:
                continue
            if time.monotonic() - start > args.budget:
                row.setdefault("rounds_skipped", "time budget")
                continue
            measure(row, args, EVERY_ROUND_FILTER)
            if "skipped" not in row:
                report_round(row, round_number)
    for row in rows:
        for name, per_round in row.get("rounds", {}).items():
            row[name] = {"median": statistics.median(per_round), "min": min(per_round), "max": max(per_round)}
    result = {"rows": rows, "args": vars(args), "seconds": round(time.monotonic() - start, 1)}
    result["markdown"] = markdown(rows, args)
    print(result["markdown"])
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
    return 0 if all("skipped" not in r or r["skipped"] == "time budget" or "not built" in r["skipped"]
                    for r in rows) else 1


def markdown(rows, args):
    ns = lambda r, k: f"{r[k]['median']:.1f}" if k in r else "-"
    spread = lambda r, k: (f"{r[k]['median']:.1f} ({r[k]['min']:.1f}-{r[k]['max']:.1f})"
                           if k in r and len(r["rounds"][k]) > 1 else ns(r, k))
    kib = lambda v: "-" if v is None else f"{v / 1024:.0f}"
    sec = lambda v: "-" if v is None else f"{v:.1f}"
    out = [f"ns per packet (Google Benchmark, pinned to CPU {args.cpu}): in each round the median of {args.repetitions} "
           f"repetitions; {args.rounds} rounds interleaved over the rule counts (the linear chain in the first only), "
           "and the table gives the median of the rounds and, in brackets, the lowest and highest round. Measured "
           "over the rule set's trace (packets hitting every depth, 20% matching nothing), after the compiled and "
           "the --linear chain agreed with each other and with the trace on every packet. `empty` is the floor: "
           "the loop that copies the next packet and calls a chain through a pointer. `compiled` runs the chain as the "
           "appliance does, in bursts of 32 whose table lookups are prepared together when the table has 2 MiB or more "
           "(appliance::PrepareFunction); `one at a time` is the same chain without bursts. Sizes: .text / .rodata of the "
           "emitted C++'s object file (-O2); times: naclc emit cpp and clang++ -O2 of that file, from ninja's log.\n",
           "| rules | empty | compiled | one at a time | linear | linear / compiled | compiled: code / data KiB | linear: code KiB "
           "| emit s (compiled / linear) | compile s (compiled / linear) |",
           "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        if "skipped" in r and "compiled" not in r:
            out.append(f"| {r['rules']} | not measured: {r['skipped'].splitlines()[0][:200]} | | | | | | | | |")
            continue
        ratio = f"{r['linear']['median'] / r['compiled']['median']:.1f}" if "linear" in r and "compiled" in r else "-"
        out.append(f"| {r['rules']} | {spread(r, 'empty')} | {spread(r, 'compiled')} | {spread(r, 'compiled_one')} | "
                   f"{ns(r, 'linear')} | {ratio} | "
                   f"{kib(r.get('compiled_text'))} / {kib(r.get('compiled_rodata'))} | {kib(r.get('linear_text'))} | "
                   f"{sec(r.get('compiled_emit_s'))} / {sec(r.get('linear_emit_s'))} | "
                   f"{sec(r.get('compiled_compile_s'))} / {sec(r.get('linear_compile_s'))} |")
    out += ["", "The whole appliance per frame (`appliance/path`): the same configuration brought up by appliance::run() "
            "on a host stack between two fake NICs, the trace's routable packets as 60-byte frames in bursts of 32 "
            "(the receive batch, Ethernet and IPv4 checks, conntrack, the chains, the route, the rewrite, the "
            "transmit batch, and the fake NIC's copy of each frame into a pool buffer), after the frames it "
            "forwards were checked to be exactly the trace's accepted packets, twice. No driver and no kernel: "
            "what one core of the image could forward at most, and how much of it the classifier is. `one flow`: the "
            "trace's first accepted UDP datagram again and again (as dpdk-testpmd sends in the forwarding benchmark), "
            "its connection always in the cache.\n",
            "| rules | trace: ns per frame | Mpps per core | compiled classifier / path | one flow: ns per frame | Mpps per core |",
            "|---:|---:|---:|---:|---:|---:|"]
    mpps = lambda r, k: f"{1e3 / r[k]['median']:.2f}" if k in r else "-"
    for r in rows:
        if "path" not in r:
            continue
        share = f"{100 * r['compiled']['median'] / r['path']['median']:.0f}%" if "compiled" in r else "-"
        out.append(f"| {r['rules']} | {spread(r, 'path')} | {mpps(r, 'path')} | {share} | {spread(r, 'one_flow')} | "
                   f"{mpps(r, 'one_flow')} |")
    cut = [str(r["rules"]) for r in rows if "rounds_skipped" in r]
    if cut:
        out.append(f"\nFewer than {args.rounds} rounds (time budget) at: {', '.join(cut)} rules.")
    goals = []
    by = {r["rules"]: r for r in rows}
    for n, limit in ((10000, 30), (100000, 100)):
        r = by.get(n, {})
        v = r.get("compiled", {}).get("median")
        goals.append(f"- compiled lookup at {n:,} rules <= {limit} ns (median, one core): "
                     + (f"{v:.1f} ns (rounds {r['compiled']['min']:.1f}-{r['compiled']['max']:.1f}), "
                        f"{'met' if v <= limit else 'not met'}" if v is not None else "not measured"))
    return "\n".join(out) + "\n\nGoals of issue 6:\n" + "\n".join(goals) + "\n"


if __name__ == "__main__":
    sys.exit(main())
