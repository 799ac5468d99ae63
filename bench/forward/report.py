#!/usr/bin/python3
"""Writes bench/results/ruleset.md and ruleset.png from the JSON of ruleset_bench.py (and, when given, the
classifier microbenchmark's JSON).

  report.py --forward forward.json [--classifier classifier.json] [--commands TEXT] --md OUT.md --png OUT.png
"""
import argparse
import datetime
import json
import os
import shutil
import subprocess
import tempfile

MODE_TITLES = {"linux": "Linux, no rules", "nft-linear": "nft, one rule per rule", "nft-set": "nft, sets variant",
               "ours": "ours (naclc build --platform linux)", "ours-packet": "ours on AF_PACKET (the earlier I/O)",
               "floor": "I/O floor (forwards, does nothing else)"}


def kpps(v):
    return "-" if v is None else f"{v / 1e3:.1f}"


def cell(entry):
    if not entry:
        return "-"
    med, lo, hi = entry["median"]
    text = f"{kpps(med)}"
    if entry["rounds"] > 1:
        text += f" ({kpps(lo)}-{kpps(hi)})"
    return text


def forward_section(data, out):
    table = {(s["n"], s["mode"], s["generator"]): s for s in data["summary"]}
    ratios = {(r["n"], r["generator"], r["base"]): r["ratio"] for r in data["ratios"]}
    gens, modes = data["generators"], data["modes"]
    counts = data["counts"]
    out.append("## Forwarding: 64-byte UDP through the firewall, packets/s (kpps)\n")
    out.append(f"Median of {data['args']['rounds']} interleaved rounds (lowest-highest); forwarded = frames that "
               "reached the server. Ratios are taken per round (the two routers measured minutes apart in the same "
               "round), then the median.\n")
    for gen in gens:
        cols = [m for m in modes]
        out.append(f"### Generator: {gen}\n")
        out.append("| rules | " + " | ".join(MODE_TITLES[m] for m in cols) + " | ours / nft-linear | ours / nft-set |")
        out.append("|---:|" + "---:|" * (len(cols) + 2))
        for n in [0] + counts:
            cells = [cell(table.get((n, m, gen))) for m in cols]
            if all(c == "-" for c in cells):
                continue
            rs = []
            for base in ("nft-linear", "nft-set"):
                r = ratios.get((n, gen, base))
                rs.append(f"{r[0]:.2f} ({r[1]:.2f}-{r[2]:.2f})" if r else "-")
            out.append(f"| {n if n else 'none'} | " + " | ".join(cells) + " | " + " | ".join(rs) + " |")
        out.append("")
    # Goals (issue 6) that these figures decide.
    out.append("### Goals of issue 6 decided here\n")
    ours = {(p["n"], p["generator"]): p["median"][0] for p in data["summary"] if p["mode"] == "ours"}
    rows = []
    like_for_like = data["args"].get("testpmd_receive", "sender") == "thread"
    label = {"trafgen": "trafgen: ours on two CPUs, Linux on one",
             "testpmd": "testpmd: like for like" if like_for_like else "testpmd: ours shares CPU 1 with the sink"}
    for gen in gens:
        at = lambda n: {p["round"]: p["forwarded"] for p in data["points"] if p["mode"] == "ours" and p["n"] == n
                        and p["generator"] == gen and "forwarded" in p}
        a, b = at(10), at(10000)
        per_round = sorted(b[r] / a[r] for r in a if r in b and a[r] > 0)
        if per_round:
            med = per_round[len(per_round) // 2] if len(per_round) % 2 else \
                (per_round[len(per_round) // 2 - 1] + per_round[len(per_round) // 2]) / 2
            value = f"{med:.3f} ({per_round[0]:.2f}-{per_round[-1]:.2f})"
        rows.append((f"ours at 10,000 rules >= 90% of ours at 10 ({label.get(gen, gen)}; per round, median)",
                     value if per_round else "not measured", (med >= 0.9) if per_round else None))
        for base, goal in (("nft-linear", 20.0), ("nft-set", 1.0)):
            r = ratios.get((10000, gen, base))
            rows.append((f"ours / {base} at 10,000 rules >= {goal:g} ({label.get(gen, gen)})",
                         f"{r[0]:.2f}" if r else "not measured",
                         (r[0] >= goal) if r else None))
    out.append("| goal | measured | met |")
    out.append("|---|---:|---|")
    for goal, value, met in rows:
        out.append(f"| {goal} | {value} | {'yes' if met else 'no' if met is False else 'not measured'} |")
    out.append("")
    floor_section(data, out)
    # Every point, so the noise shows.
    out.append("### Every point\n")
    out.append("| round | rules | router | generator | forwarded kpps | offered kpps | refused kpps | "
               "testpmd tx / rx kpps | CPU0/CPU1 busy % | CPU0/CPU1 softirq % | CPU0/CPU1 steal % | "
               "router threads % |")
    out.append("|---:|---:|---|---|---:|---:|---:|---:|---|---|---|---:|")
    for p in data["points"]:
        if "forwarded" in p:
            tool = f"{kpps(p.get('tool_tx'))} / {kpps(p.get('tool_rx'))}" if p["generator"] == "testpmd" else ""
            per_cpu = lambda key: "/".join(str(b) for b in p[key]) if key in p else "-"
            out.append(f"| {p['round']} | {p['n'] or 'none'} | {p['mode']} | {p['generator']} | "
                       f"{kpps(p['forwarded'])} | {kpps(p['offered'])} | {kpps(p.get('refused'))} | {tool} | "
                       f"{per_cpu('busy')} | {per_cpu('softirq')} | {per_cpu('steal')} | "
                       f"{'-' if p.get('router_cpu') is None else p['router_cpu']} |")
    out.append("")
    for note in data.get("notes", []):
        out.append(f"- Note: {note}")
    if data.get("notes"):
        out.append("")
    missing = {}
    for p in data["points"]:
        if "forwarded" not in p:
            why = p.get("skipped") or p.get("error")
            missing.setdefault((p["n"], p["mode"], p["generator"], why), []).append(p["round"])
    if missing:
        out.append("### Not measured\n")
        for (n, m, g, why), rounds in sorted(missing.items()):
            which = "every round" if len(rounds) == data["args"]["rounds"] else \
                "round" + ("s " if len(rounds) > 1 else " ") + ", ".join(map(str, rounds))
            out.append(f"- {n or 'no'} rules, {m}, {g}, {which}: {why}")
        out.append("")
    out.append("### The rule sets\n")
    out.append("| rules | generated in s | nft load (both variants) s | sets variant: nft rules / runs / sets / "
               "elements / left out | benchmark flows | ours |")
    out.append("|---:|---:|---:|---|---:|---|")
    for n in counts:
        r = data["rulesets"][str(n)] if str(n) in data["rulesets"] else data["rulesets"][n]
        s = r["sets_variant"]
        out.append(f"| {n} | {r['generate_seconds']} | {r.get('nft_load_seconds', '-')} | {s['nft_rules']} / "
                   f"{s['runs']} / {s['sets']} / {s['set_elements']} / {s.get('redundant', 0)} | {r['flows']} | "
                   f"{r.get('ours', '-')} |")
    out.append("")
    if data["checks"]:
        out.append("### Verdict checks through the routers (trace packets, accepted batch / dropped batch)\n")
        for c in data["checks"]:
            d = c["detail"]
            out.append(f"- {c['n']} rules, {c['mode']}: {'ok' if c['ok'] else 'FAILED'}: accepted {d['accept'][1]} "
                       f"of {d['accept'][0]} sent, dropped batch {d['drop'][1]} of {d['drop'][0]} arrived")
        out.append("")


def floor_section(data, out):
    """What the I/O path alone allows (the floor mode), next to the nft-set goal."""
    ratios = {(r["n"], r["generator"], r["ratio_of"]): r["ratio"] for r in data.get("floor_ratios", [])}
    if not ratios:
        return
    out.append("### The I/O floor\n")
    out.append("`io-floor-linux` (bench/forward/io_floor.cpp) runs where ours runs, on ours' NICs (AF_XDP), and sends "
               "every frame from nic0 out of nic1 with the next hop's MAC, doing nothing else: no IPv4 check, no "
               "TTL, no connection, no rule. With testpmd's placement, where CPU 1 does all of a router's work, it is "
               "the most any forwarder in user space reaches through this I/O path on this machine (it is not run "
               "under trafgen, whose CPU 0 sets the rate: see ruleset_bench.py). Below 1.0 in the first column, no "
               "firewall built on it can reach nftables with sets, whatever its classifier; the second column is how much of the floor ours keeps with its "
               "stack, conntrack and rules. Ratios per round, median (lowest-highest).\n")
    out.append("| rules | generator | floor / nft-set | ours / floor |")
    out.append("|---:|---|---:|---:|")
    keys = sorted({(n, g) for n, g, _ in ratios})
    fmt = lambda r: f"{r[0]:.2f} ({r[1]:.2f}-{r[2]:.2f})" if r else "-"
    for n, g in keys:
        out.append(f"| {n} | {g} | {fmt(ratios.get((n, g, 'floor/nft-set')))} | "
                   f"{fmt(ratios.get((n, g, 'ours/floor')))} |")
    out.append("")


def placement(args):
    """The "how to read" lines on where the routers ran, for the options of the run (older runs had neither
    --testpmd-receive nor --rt-priority: the earlier placement)."""
    thread = args.get("testpmd_receive", "sender") == "thread"
    fifo = args.get("rt_priority", 0)
    above = args.get("ours_above", 0) if fifo else 0
    trafgen = ("- trafgen: Linux forwards in the sending CPU's softirq (CPU 0, shared with the generator); our "
               "appliance runs on CPU 1" + (f" (SCHED_FIFO {fifo})" if fifo else "") + " and pipelines with the "
               "generator, its receive copy done on CPU 0 (bench/results/net.md explains this on the router). Ours "
               "thus uses two CPUs and Linux one: these ratios favour ours.\n")
    if thread:
        testpmd = ("- testpmd: like for like. Every router runs on CPU 1 above the rxonly sink (which busy-polls "
                   "there at nice 10) and the generator has CPU 0: nic0's receive is a NAPI kernel thread pinned to "
                   f"CPU 1 at SCHED_FIFO {fifo}, doing Linux's whole forwarding, or the receive copy for ours, which "
                   f"runs on CPU 1 at SCHED_FIFO {fifo + above}"
                   + (" (above its receive thread, so that the thread cannot starve it: frames ours cannot take "
                      "wait in veth's ring, or are refused)" if above else ", the same level") +
                   ". The sink gets what the router leaves, so its own "
                   "count is below the server's (the notes above); the figures are the server's counter.\n")
    else:
        testpmd = ("- testpmd: the rxonly sink busy-polls on CPU 1 (nice 10): it shares CPU 1 with our appliance"
                   + (" (which preempts it, SCHED_FIFO)" if fifo else " and takes CPU time from it") +
                   ", never with Linux's forwarding (softirq of the generator's CPU 0)"
                   + ("" if fifo else ", so ours/testpmd is a lower bound") + ".\n")
    return trafgen + testpmd


def plot(data, png):
    gnuplot = shutil.which("gnuplot")
    if not gnuplot:
        return "gnuplot not installed: no plot"
    series = []
    with tempfile.TemporaryDirectory() as tmp:
        for gen in data["generators"]:
            for mode in data["modes"]:
                rows = [s for s in data["summary"] if s["mode"] == mode and s["generator"] == gen and s["n"] > 0]
                if mode == "linux":
                    base = [s for s in data["summary"] if s["mode"] == "linux" and s["generator"] == gen]
                    rows = [dict(base[0], n=n) for n in data["counts"]] if base else []
                if not rows:
                    continue
                path = os.path.join(tmp, f"{mode}-{gen}.dat")
                with open(path, "w") as f:
                    for s in sorted(rows, key=lambda s: s["n"]):
                        med, lo, hi = s["median"]
                        f.write(f"{s['n']} {med / 1e3} {lo / 1e3} {hi / 1e3}\n")
                series.append((path, f"{MODE_TITLES[mode]}, {gen}", mode, gen))
        if not series:
            return "nothing measured: no plot"
        styles = {"linux": 1, "nft-linear": 7, "nft-set": 2, "ours": 3, "ours-packet": 4, "floor": 8}
        plots = []
        for path, title, mode, gen in series:
            dash = "dt 1" if gen == "trafgen" else "dt 2"
            plots.append(f"'{path}' using 1:2:3:4 with yerrorlines lc {styles[mode]} {dash} lw 2 pt 7 ps 0.8 "
                         f"title '{title}'")
        script = os.path.join(tmp, "plot.gp")
        with open(script, "w") as f:
            f.write(f"""set terminal pngcairo size 1000,620 font 'sans,10'
set output '{png}'
set title 'Forwarding 64-byte UDP through a firewall with N generated rules ({data['args']['profile']} profile)'
set logscale x
set logscale y
set xlabel 'rules'
set ylabel 'packets/s forwarded (thousands, log scale)'
set grid
set key outside right top
set xrange [{min(data['counts']) / 1.6}:{max(data['counts']) * 1.6}]
set xtics ({", ".join(f'"{n:,}" {n}' for n in data['counts'])})
plot {", ".join(plots)}
""")
        p = subprocess.run([gnuplot, script], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if p.returncode != 0:
            return f"gnuplot failed: {p.stdout[-500:]}"
    return None


def classifier_section(data, out):
    out.append("## Classifier on the host (Google Benchmark)\n")
    out.append(data.get("markdown", "not run"))
    out.append("")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--forward", required=True)
    p.add_argument("--classifier")
    p.add_argument("--commands", default="")
    p.add_argument("--code", default="", help="the code measured, e.g. the commit (bench/run.sh passes it)")
    p.add_argument("--md", required=True)
    p.add_argument("--png", required=True)
    args = p.parse_args()
    with open(args.forward) as f:
        data = json.load(f)
    out = ["# Rule-set benchmarks (issue 6): our firewall against Linux nftables as the rule set grows\n",
           f"Written by `bench/forward/report.py` on {datetime.date.today().isoformat()} from the run below; "
           "`make bench` (bench/run.sh) writes it again.\n",
           f"- Machine: {data['machine'].replace(', load', '; load')}, {data['load_end'][0]:.2f} at the end "
           f"(1/5/15-min load at the start: {', '.join(f'{x:.2f}' for x in data['load_start'])}). The machine is "
           "shared: CPU busy % below counts every process on it, not only the routers.",
           *([f"- Code: {args.code}."] if args.code else []),
           f"- Time: {data['total_seconds']} s in all ({data.get('setup_seconds', '?')} s generating and loading the "
           f"rule sets and building ours, {data.get('measure_seconds', '?')} s measuring).",
           f"- Rule sets: `bench/ruleset/generate.py --profile {data['args']['profile']} --seed {data['args']['seed']}` "
           "(ClassBench-style, see its doc); traffic: the rule set's benchmark flows (UDP, each accepted by one rule; "
           "at depths (k+1)/A of the rule set, the deepest the last rule; trafgen sends all of them in turn, testpmd "
           "the median-depth one).",
           "- Method: `bench/forward/ruleset_bench.py` (its doc has every detail): the namespace lab of "
           "scripts/netlab.sh, client -- router namespace -- server, 64-byte frames, forwarded = the server's "
           "eth0 rx_packets (and, with testpmd, testpmd's own rxonly count on the server), interleaved rounds; "
           "where each router runs: see \"How to read these figures\".",
           ""]
    if args.commands:
        out.append("Commands:\n\n```sh\n" + args.commands.strip() + "\n```\n")
    forward_section(data, out)
    note = plot(data, os.path.abspath(args.png))
    out.insert(len(out), f"![throughput against rule count]({os.path.basename(args.png)})\n" if note is None
               else f"(no plot: {note})\n")
    if args.classifier and os.path.exists(args.classifier):
        with open(args.classifier) as f:
            classifier_section(json.load(f), out)
    out.append("## How to read these figures\n")
    out.append(placement(data["args"]) +
        "- CPU busy % counts every process on the machine; with testpmd the sink keeps CPU 1 100% busy whatever "
        "the router does. Router threads % is the CPU time of ours and of nic0's receive thread (Linux forwarding in "
        "softirq shows in the softirq % instead), in % of one CPU. Steal % is time the hypervisor gave the "
        "machine's virtual CPU to something else while it had work; it counts as busy, and a point with steal lost "
        "that share of its CPU.\n"
        "- A figure is the rate of the whole path on this 2-vCPU machine, not of the classifier alone; the "
        "classifier microbenchmark isolates that.\n"
        "- nft one rule per rule evaluates rules in order until the first match, so its cost grows with the depth "
        "of the matching rule; the sets variant keeps first-match order by runs of one verdict (how many runs the "
        "rule set needs is in the rule-set table: ClassBench-like firewall sets with mixed verdicts need many).\n"
        "- The noise on these shared machines is +-20-30% (other engineers compile on both cores): compare within "
        "a round and use the ratios.\n")
    with open(args.md, "w") as f:
        f.write("\n".join(out))
    print(f"wrote {args.md}" + (f" and {args.png}" if note is None else f" ({note})"))


if __name__ == "__main__":
    main()
