#!/usr/bin/python3
"""Forwarding rate of 64-byte UDP through a firewall holding a generated rule set: Linux with the rules in nftables
(one nft rule per rule, and the sets variant) and our appliance built from the same .nacl, side by side, for
growing rule counts (issue 6).

  ruleset_bench.py [--rules 10,100,1000,10000,100000] [--rounds 3] [--seconds 2] [--generators trafgen,testpmd]
                   [--modes linux,nft-linear,nft-set,ours,floor[,ours-packet]]
                   [--floor-rules 10000] [--naclc PATH] [--json OUT] [--budget S] [--check]
                   [--rt-priority 1] [--testpmd-receive thread|sender]

Lab: scripts/netlab.sh up LAB --veth (client 10.0.1.2 -- nic0 [LAB-sw] nic1 -- server 10.0.2.2), as bench/net.
Rule sets: bench/ruleset/generate.py (profile fw, seed 1 by default), cached in --work. The traffic is the rule set's
benchmark flows (UDP packets that one accept rule each matches, at depths (k+1)/A of the rule set, the last one the
last rule; see generate.py), so every packet sent is accepted and can be counted at the server, after passing
about half of the rules on average.

Routers (every point of a round runs with the same lab, modes in rotating order):
  linux       Linux forwarding, no rules (the floor of the Linux figures)
  nft-linear  Linux forwarding with the rule set in an nft forward chain, one nft rule per rule (base chain
              `forward` jumps to chain lin_N)
  nft-set     the same with the sets variant (chain set_N)
  ours        `naclc build --platform linux` of the same .nacl, run in LAB-sw with --nic xdp:nic0 --nic xdp:nic1
              (AF_XDP: an XDP program on each veth hands its frames to ours before Linux's stack sees them) pinned
              to CPU 1 under SCHED_FIFO (chrt -f --rt-priority), and a netdev ingress drop on nic0/nic1 so Linux
              does not process a frame that reaches its stack anyway. Built with --naclc; without it (or when the
              build fails) the column says why.
  ours-packet (only when asked for in --modes) the same with --nic packet:nic0 --nic packet:nic1 (AF_PACKET rings,
              the I/O path before AF_XDP), to compare the two in one run.
  floor       the I/O floor: io-floor-linux (bench/forward/io_floor.cpp, --floor) with ours' NICs, CPU and
              priority, sending every frame from nic0 out of nic1 with the next hop's MAC and doing nothing else.
              The most any forwarder in user space reaches through ours' I/O path here, where the router's CPU is
              the limit: with testpmd (only). Under trafgen CPU 0 limits the offer and a forwarder that keeps up
              takes frames nearly one by one (measured: one send() per 1.2 frames, ours one per 3.5), which is
              no ceiling. It holds no rules, so it runs only at --floor-rules (default 10000), and --check
              requires both of its batches to arrive; the summary adds floor / nft-set and ours / floor per round.
Linux: addresses 10.0.1.1/24 and 10.0.2.1/24 on nic0/nic1, ip_forward=1, rp_filter=0, a default route to
10.0.2.2 (the flows go to 198.19.k.2) with a permanent neighbour entry, no conntrack (no rule uses it).

Generators, and where every piece runs (the machine has 2 CPUs). Linux forwards wherever nic0's receive processing
runs: veth hands a frame to the router namespace on the sending CPU, and the receive, the nft rules, the transmit on
nic1 and the server's receive all follow in one go. Ours' AF_PACKET receive copy runs in the same place; ours itself
runs on CPU 1.
  trafgen     (netsniff-ng) on CPU 0 in the client, a config with all flows sent in turn, 60-byte frames (64 with
              the FCS). Counted: client eth0 tx_packets (offered), server eth0 rx_packets (forwarded).
              Placement (unchanged from the earlier results, which stay comparable): nic0's receive in the softirq
              of the sender, i.e. inside trafgen's transmit system call on CPU 0. Linux forwards there and shares
              CPU 0 with trafgen; ours has CPU 1 (nothing else runs there) and its receive copy is done on CPU 0. So
              ours pipelines over two CPUs and Linux uses one: trafgen's ours/nft ratios favour ours (see
              bench/results/net.md); testpmd's are the like-for-like ones. trafgen cannot take testpmd's placement:
              as soon as its frames wait for another CPU its socket's send buffer fills, send() fails with EAGAIN and
              trafgen exits ("Flushing TX_RING failed"); the limit (net.core.wmem_max) is read-only in a namespace.
  testpmd     DPDK dpdk-testpmd --no-huge: txonly on a net_af_packet port on the client's eth0 (CPU 0), one flow (the
              median-depth one), 60-byte frames; rxonly on a net_af_packet port on the server's eth0 as the sink
              (CPU 1, nice 10; it busy-polls). Counted by testpmd itself (its per-second port statistics, TX on the
              client, RX on the server, over the window) and by the same kernel counters as trafgen. (txonly's main
              lcore shares CPU 0 with its sending one and prints only every ~2 s, so its TX rate is often missing.)
              Placement (--testpmd-receive thread, the default): every router runs on CPU 1, next to the sink and
              above it, and the generator has CPU 0 to itself. nic0 receives through veth's NAPI path (GRO on for
              nic0, TSO off for the client's eth0, which veth requires) in threaded mode, and the bench pins that
              kernel thread (napi/nic0-ID) to CPU 1 under SCHED_FIFO at --rt-priority.
              For Linux the thread does the whole forwarding; for ours it does the receive (XDP's copy into ours'
              ring) and ours (CPU 1, SCHED_FIFO at --rt-priority + --ours-above, default one level above the
              thread) does the rest. Both thus preempt the sink the same way, as real-time threads that sleep when
              there is nothing to do (ours sleeps in epoll: 0.3 ms of CPU in 3 s idle). Ours is above its receive
              thread so that it takes frames as they arrive: the frames it cannot take wait in veth's ring, and
              beyond that are refused before any work is spent on them. At the same priority neither preempts the
              other; that was stable with AF_PACKET, but with AF_XDP's cheaper receive the thread sometimes ran on
              while ours' ring overflowed, and ours forwarded as little as 149 of 467 kpps received (rounds either
              about 350 or about 150-200 kpps, the same configuration). With the thread above ours (the order
              softirq has over processes) it filled ours' ring while ours starved (58-70 kpps,
              a receive livelock). The sink gets what the router leaves of CPU 1 (and at least the ~5% the kernel
              keeps from real-time threads for the others), so its own count falls below the server's rx_packets
              (on a quiet machine it counted 7-43% of the frames), which stays the figure; the summary notes the
              shortfall, and "router threads %" is the CPU time the router's threads took.
              Frames the thread's queue (veth's 256-frame ring) had no room for are counted as refused (the
              client's tx_dropped), not offered.
              Why not the simpler RPS (rps_cpus 2 on nic0; measured): the steered receive runs in CPU 1's softirq
              only until the load persists, then the kernel defers it to ksoftirqd/1, an ordinary nice-0 thread
              that the scheduler shares with the sink, so Linux gets no precedence over it; and the rate was bound
              by cross-CPU wake-ups (CPU 0 70% idle, CPU 1 35-50% in softirq), 114-223 kpps for the same router
              from run to run.
              --testpmd-receive sender gives the earlier placement: Linux in the softirq of txonly's CPU 0, never
              next to the sink, and ours on CPU 1 sharing it with the sink (with --rt-priority 0, as ordinary
              processes: ours then had ~40% of the rate it has under trafgen, so that ours/nft measured the sink).
              Ours runs under SCHED_FIFO with both generators: under trafgen nothing else runs on CPU 1 on a quiet
              machine, and it keeps ours ahead of other processes there as softirq is ahead of them on CPU 0.
The server drops everything in a netdev ingress rule after it is counted (a sink, no server stack work).

Each point: start the generator, warm up (--warmup s), count over --seconds, stop, wait for the server counter to
settle. Rounds repeat every (N, mode, generator) point; the printed table has the median and the range of the
rounds, and the ratios ours / nft-linear and ours / nft-set taken per round (same round, same load), medians.
--budget bounds the measuring time: points not started before it runs out are reported as not measured.
--check (the test in make test) also sends packets of the trace through every router that holds rules, one batch
the rule set accepts and one it drops, and requires exactly the accepted batch at the server.
"""
import argparse
import hashlib
import json
import os
import re
import signal
import statistics
import sys
import tempfile
import time

BENCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(BENCH, "common"))
sys.path.insert(0, os.path.join(BENCH, "ruleset"))
import benchlab  # noqa: E402
import generate  # noqa: E402

ROOT = benchlab.ROOT
MODES = ["linux", "nft-linear", "nft-set", "ours", "floor"]
# Not run by default: ours with the earlier I/O path, to compare the two side by side.
EXTRA_MODES = ["ours-packet"]
OURS_PACKET_ARGS = "--nic packet:nic0 --nic packet:nic1"
GENERATORS = ["trafgen", "testpmd"]
TABLE = "halite_bench"
CLIENT, SERVER = "client:10.0.1.2/24:10.0.1.1", "server:10.0.2.2/24:10.0.2.1"
EXCLUDED_FOR_ROUTING = {0, 10, 127, 169} | set(range(224, 256))


def log(*args):
    print(*args, file=sys.stderr, flush=True)


# ---- rule sets (cached) ----

def generator_version():
    with open(generate.__file__, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:10]


class Prepared:
    """One rule set's files in the work directory: .nacl, nft fragments named for the bench, flows, trace."""

    def __init__(self, work, profile, n, seed, trace_packets=2000):
        self.n = n
        self.dir = os.path.join(work, f"rules-{generator_version()}")
        self.name = f"{profile}-{n}-s{seed}"
        base = os.path.join(self.dir, self.name)
        self.nacl, self.meta = base + ".nacl", base + ".bench.json"
        self.linear, self.sets = base + ".bench-linear.nft", base + ".bench-sets.nft"
        if not os.path.exists(self.meta):
            os.makedirs(self.dir, exist_ok=True)
            start = time.monotonic()
            rs = generate.RuleSet(n, profile, seed, generate.DROP, trace_packets)
            linear = rs.nft_linear(chain=f"lin_{n}", standalone=False)
            sets_text, set_stats = rs.nft_sets(chain=f"set_{n}", standalone=False)
            # The fragments add chains to the bench's table; the standalone files are the same rules with their
            # own forward hook (what generate.py writes), for reading and for use elsewhere.
            files = {self.nacl: rs.nacl(), base + ".trace": rs.trace_text(),
                     self.linear: f"table ip {TABLE} {{\n{linear}}}\n",
                     self.sets: f"table ip {TABLE} {{\n{sets_text}}}\n",
                     base + ".linear.nft": generate.nft_table(TABLE, linear, rs.header, f"lin_{n}", True),
                     base + ".sets.nft": generate.nft_table(TABLE, sets_text, rs.header, f"set_{n}", True)}
            for path, text in files.items():
                with open(path, "w") as f:
                    f.write(text)
            meta = {"flows": [[i, *p] for i, p in rs.flows], "sets_variant": set_stats,
                    "trace": [[*p, rs.rules[r].verdict if r is not None else rs.default] for p, r in rs.trace],
                    "generate_seconds": round(time.monotonic() - start, 1)}
            with open(self.meta, "w") as f:
                json.dump(meta, f)
        with open(self.meta) as f:
            meta = json.load(f)
        self.flows = [(f[0], tuple(f[1:])) for f in meta["flows"]]
        self.set_stats = meta["sets_variant"]
        self.trace = [(tuple(t[:5]), t[5]) for t in meta["trace"]]
        self.generate_seconds = meta["generate_seconds"]


def newest_input(naclc):
    """The newest modification time of what `naclc build --platform linux` reads: naclc itself, its
    lib/halite directory (found the way naclc finds it) and the libraries linux.flags names."""
    lib_dir = os.environ.get("HALITE_LIB_DIR") or os.path.join(
        os.path.dirname(os.path.dirname(os.path.realpath(naclc))), "lib", "halite")
    times = [os.path.getmtime(naclc)]
    flags = os.path.join(lib_dir, "linux.flags")
    if os.path.exists(flags):
        times.append(os.path.getmtime(flags))
        with open(flags) as f:
            for line in f:
                kind, _, value = line.strip().partition(" ")
                if kind == "lib" and os.path.exists(value):
                    times.append(os.path.getmtime(value))
    return max(times)


def build_ours(naclc, prepared, work, prepare_kib=None):
    """naclc build --platform linux; returns (path or None, note). Cached until naclc or a library it links
    changes. With prepare_kib: tables of that size and more are looked up for each received burst ahead
    (naclc --prepare-kib), and a Timer prints the appliance's statistics every second, which count them."""
    nacl, suffix, extra = prepared.nacl, ".ours", []
    if prepare_kib is not None:
        suffix, extra = f".prepare{prepare_kib}.ours", ["--prepare-kib", str(prepare_kib)]
        nacl = os.path.join(prepared.dir, prepared.name + ".stats.nacl")
        with open(prepared.nacl) as f, open(nacl, "w") as out:
            out.write(f.read() + "\nTimer bench_stats { interval: 1, data: [stats] }\n")
    exe = os.path.join(prepared.dir, prepared.name + suffix)
    stamp = exe + ".built"
    if os.path.exists(stamp) and os.path.getmtime(stamp) > max(newest_input(naclc), os.path.getmtime(nacl)):
        with open(stamp) as f:
            return exe, f.read().strip()
    start = time.monotonic()
    try:
        out = benchlab.sh(naclc, "build", "--platform", "linux", nacl, "-o", exe, *extra, check=False, timeout=600)
    except Exception as e:  # timeout
        return None, f"naclc build failed: {e}"
    seconds = time.monotonic() - start
    if not os.path.exists(exe):
        lines = [l.strip() for l in out.splitlines() if l.strip()]
        first = next((i for i, l in enumerate(lines) if "error" in l), max(0, len(lines) - 1))
        reason = " ".join(lines[first:first + 3]) if lines else "no output"
        return None, f"naclc build --platform linux failed: {reason[:400]}"
    note = f"built in {seconds:.1f} s, {os.path.getsize(exe) / 1024:.0f} KiB"
    with open(stamp, "w") as f:
        f.write(note + "\n")
    return exe, note


# ---- trafgen configs ----

def trafgen_frame(packet, src_mac, dst_mac):
    saddr, daddr, proto, sport, dport = packet
    eth = f"  eth(da={dst_mac}, sa={src_mac}, type=0x0800),\n"
    ip = f"  ipv4(saddr={generate.dotted(saddr)}, daddr={generate.dotted(daddr)}, ttl=64, df, proto={proto}),\n"
    if proto == generate.UDP:
        return "{\n" + eth + ip + f"  udp(sp={sport}, dp={dport}),\n  fill(0x5a, 18)\n}}\n"
    if proto == generate.TCP:
        return "{\n" + eth + ip + f"  tcp(sp={sport}, dp={dport}, syn),\n  fill(0x5a, 6)\n}}\n"
    if proto == generate.ICMP:
        return "{\n" + eth + ip + "  icmp4(type=8, code=0, id=1, seq=1),\n  fill(0x5a, 18)\n}\n"
    return "{\n" + eth + ip + "  fill(0x5a, 26)\n}\n"


def runs_program(mode):
    """Whether LAB-sw forwards with one of our programs (ours, ours-packet, floor) rather than with Linux."""
    return mode.startswith("ours") or mode == "floor"


def routable(packet):
    return packet[0] >> 24 not in EXCLUDED_FOR_ROUTING and packet[1] >> 24 not in EXCLUDED_FOR_ROUTING


# ---- the benchmark ----

class RulesetBench:
    def __init__(self, args):
        self.args = args
        self.lab = benchlab.Lab(args.lab)
        self.program = None  # ours or the floor, while LAB-sw forwards with it (benchlab process)
        self.tmp = tempfile.mkdtemp(prefix="ruleset-bench-")
        self.linux_on = False
        self.receive_pid = None  # nic0's NAPI thread, while testpmd's placement has it

    # -- lab --
    def setup(self):
        lab = self.lab
        lab.up(CLIENT, SERVER)
        self.router_mac = lab.mac("sw", "nic0")
        self.client_mac = lab.mac("client", "eth0")
        self.server_mac = lab.mac("server", "eth0")
        # The sink: frames are counted on arrival (veth rx_packets, and an nft counter of IPv4 frames for --check),
        # then dropped before the server's stack. AF_PACKET (the testpmd sink) sees them before this hook.
        lab.nft("server", "add table netdev sink\n"
                "add chain netdev sink in { type filter hook ingress device eth0 priority 0; policy accept; }\n"
                "add counter netdev sink ipv4\n"
                "add rule netdev sink in meta protocol ip counter name ipv4 drop\n")
        lab.nft("sw", f"add table ip {TABLE}\n"
                f"add chain ip {TABLE} forward {{ type filter hook forward priority filter; policy accept; }}\n")
        self.linux(True)

    def teardown(self):
        self.stop_program()
        self.lab.down()
        for f in os.listdir(self.tmp):
            os.unlink(os.path.join(self.tmp, f))
        os.rmdir(self.tmp)

    def linux(self, on):
        """Linux forwarding between nic0 and nic1 (on), or nothing at all in LAB-sw (off: for ours)."""
        ns = self.lab.ns
        if on and not self.linux_on:
            ns("sw", "sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv4.conf.all.rp_filter=0",
               "net.ipv4.conf.default.rp_filter=0")
            ns("sw", "ip", "addr", "add", "10.0.1.1/24", "dev", "nic0")
            ns("sw", "ip", "addr", "add", "10.0.2.1/24", "dev", "nic1")
            for dev in ("nic0", "nic1"):
                ns("sw", "sysctl", "-qw", f"net.ipv4.conf.{dev}.rp_filter=0")
            ns("sw", "ip", "neigh", "replace", "10.0.2.2", "lladdr", self.server_mac, "dev", "nic1", "nud",
               "permanent")
            ns("sw", "ip", "route", "replace", "default", "via", "10.0.2.2", "dev", "nic1")
        elif not on and self.linux_on:
            ns("sw", "sysctl", "-qw", "net.ipv4.ip_forward=0")
            ns("sw", "ip", "addr", "flush", "dev", "nic0")
            ns("sw", "ip", "addr", "flush", "dev", "nic1")
            ns("sw", "ip", "neigh", "flush", "dev", "nic1", check=False)
        self.linux_on = on

    def load(self, prepared):
        """Adds chains lin_N and set_N (and set_N's sets) to the table. Returns (seconds, error or None)."""
        start = time.monotonic()
        for path in (prepared.linear, prepared.sets):
            try:
                self.lab.ns("sw", "nft", "-f", path, timeout=self.args.load_timeout)
            except Exception as e:
                return time.monotonic() - start, f"nft -f {os.path.basename(path)}: {str(e)[-300:]}"
        return time.monotonic() - start, None

    def select(self, mode, prepared):
        """Sets LAB-sw up as `mode` for rule set `prepared`."""
        jump = {"nft-linear": f"jump lin_{prepared.n}\n", "nft-set": f"jump set_{prepared.n}\n"}.get(mode)
        script = f"flush chain ip {TABLE} forward\n"
        if jump:
            script += f"add rule ip {TABLE} forward {jump}"
        self.lab.nft("sw", script)
        if runs_program(mode):
            self.linux(False)
            self.lab.nft("sw", "add table netdev bypass\n"
                         "add chain netdev bypass in0 { type filter hook ingress device nic0 priority 0; policy drop; }\n"
                         "add chain netdev bypass in1 { type filter hook ingress device nic1 priority 0; policy drop; }\n")
            if mode == "floor":
                self.start_program([self.args.floor, *self.args.ours_args.split(),
                                    f"floor.next_hop={self.server_mac}"])
            else:
                nic_args = OURS_PACKET_ARGS if mode == "ours-packet" else self.args.ours_args
                self.start_program([self.ours_exes[prepared.n], *nic_args.split()])
        else:
            self.linux(True)

    def unselect(self, mode):
        if runs_program(mode):
            self.stop_program()
            self.lab.nft("sw", "delete table netdev bypass")
            self.linux(True)

    def receive_thread(self, on):
        """testpmd's placement (see the doc): nic0's receive processing in a NAPI kernel thread pinned to CPU 1, at
        --rt-priority, like ours; off: in the softirq of the CPU that sends the frame (the client's, CPU 0)."""
        lab = self.lab
        if on:
            # veth receives through NAPI (instead of netif_rx on the sender's CPU) only with GRO on, and only
            # frames from a sender without TSO (veth_skb_is_eligible_for_gro); TSO means nothing to 60-byte frames.
            lab.ethtool("client", "eth0", "tso", False)
            before = napi_threads()
            if not lab.ethtool("sw", "nic0", "gro", True):
                raise RuntimeError("cannot turn GRO on on nic0")
            # `ip netns exec` mounts a sysfs of the namespace: /sys/class/net there is LAB-sw's devices.
            lab.ns("sw", "sh", "-c", "echo 1 > /sys/class/net/nic0/threaded")
            # The thread is named for the device (napi/nic0-ID) in whatever namespace: take the one that appeared.
            new = napi_threads() - before
            if len(new) != 1:
                raise RuntimeError(f"expected one new napi/nic0-* thread, found {sorted(new)}")
            pid = new.pop()
            benchlab.sh("taskset", "-pc", "1", pid)
            # Ours runs --ours-above levels above this (see the doc): at the same level the thread could starve
            # ours, and above ours it did (58-70 kpps, a receive livelock).
            if self.args.rt_priority:
                benchlab.sh("chrt", "-f", "-p", str(self.args.rt_priority), pid)
            self.receive_pid = int(pid)
        else:
            self.receive_pid = None
            lab.ns("sw", "sh", "-c", "echo 0 > /sys/class/net/nic0/threaded")
            lab.ethtool("sw", "nic0", "gro", False)
            lab.ethtool("client", "eth0", "tso", True)

    def start_program(self, argv):
        # SCHED_FIFO: ours preempts the testpmd sink on CPU 1 as the kernel's receive processing does (and sleeps
        # in epoll when its ring is empty, leaving the CPU to the sink).
        name = os.path.basename(argv[0])
        level = self.args.rt_priority + self.args.ours_above
        priority = ["chrt", "-f", str(level)] if self.args.rt_priority else []
        argv = ["taskset", "-c", "1", *priority, *argv]
        self.program = self.lab.start("sw", *argv)
        if self.program.wait_for(self.args.ours_ready, 15) is None:
            out = self.program.output()[-500:]
            self.stop_program()
            raise RuntimeError(f"{name} did not print /{self.args.ours_ready}/ within 15 s: {out}")

    def stop_program(self):
        if self.program is not None:
            self.program.stop()
            self.program = None

    # -- measurements --
    def settle(self, limit=5.0):
        """Waits until the server's rx_packets stops moving (frames still queued somewhere)."""
        deadline = time.monotonic() + limit
        last = self.lab.counter("server", "eth0", "rx_packets")
        while time.monotonic() < deadline:
            time.sleep(0.25)
            now = self.lab.counter("server", "eth0", "rx_packets")
            if now == last:
                return
            last = now

    def window(self):
        # Refused: frames the client's veth could not hand to the router (its receive queue was full: with the
        # receive thread, when CPU 1 lags). They are not in tx_packets, so not offered either.
        points = [("client", "eth0", "tx_packets"), ("server", "eth0", "rx_packets"),
                  ("client", "eth0", "tx_dropped")]
        return time.monotonic(), self.lab.counters(*points), benchlab.cpu_times(), self.router_seconds()

    def router_seconds(self):
        """CPU time so far of the router's own threads (ours, nic0's receive thread), or None when Linux forwards
        in softirq (its time is then in the softirq % of the CPU)."""
        pids = [p for p in (self.receive_pid, self.program and self.program.proc.pid) if p]
        return benchlab.thread_seconds(pids) if pids else None

    @staticmethod
    def rates(start, end):
        """The kernel's counts between two window()s, per second, and what the CPUs did."""
        (t0, c0, cpu0, router0), (t1, c1, cpu1, router1) = start, end
        offered, forwarded, refused = ((b - a) / (t1 - t0) for a, b in zip(c0, c1))
        return {"offered": offered, "forwarded": forwarded, "refused": refused,
                "busy": [round(b) for b in benchlab.cpu_busy(cpu0, cpu1)],
                "softirq": [round(b) for b in benchlab.cpu_softirq(cpu0, cpu1)],
                "steal": [round(b) for b in benchlab.cpu_steal(cpu0, cpu1)],
                # % of one CPU: with the sink busy-polling, CPU 1 is 100% busy whatever the router does.
                "router_cpu": None if router0 is None or router1 is None else
                round(100 * (router1 - router0) / (t1 - t0))}

    def check(self, mode, prepared):
        """Trace packets through the router: the batch the rule set accepts all arrive, the batch it drops none
        (through the floor, which holds no rules, both batches arrive)."""
        routed = [(p, v) for p, v in prepared.trace if routable(p)]
        accepted = [p for p, v in routed if v == "accept"][:self.args.check_packets]
        dropped = [p for p, v in routed if v == "drop"][:self.args.check_packets]
        result = {}
        # Warm up first (our appliance resolves the server's address when the first packet comes).
        warm = self.trafgen_config("check-warm.trafgen", [p for _, p in prepared.flows])
        self.lab.ns("client", "trafgen", "-i", warm, "-o", "eth0", "-P", "1", "-Q", "-C", "-n", "20", "-t", "1ms",
                    timeout=30)
        self.settle(2)
        for name, packets in (("accept", accepted), ("drop", dropped)):
            config = self.trafgen_config(f"check-{name}.trafgen", packets)
            before = self.sink_count()
            self.lab.ns("client", "trafgen", "-i", config, "-o", "eth0", "-P", "1", "-Q", "-C", "-n",
                        str(len(packets)), "-t", "200us", timeout=30)
            # A router held off the CPU under load can deliver a batch seconds late, and settle() alone returns
            # when nothing has moved yet: wait for the accepted batch to arrive in full (so that none of it lands
            # in the drop batch's count), and give a dropped batch a second to leak through.
            if name == "accept" or mode == "floor":
                self.wait_for_sink(before + len(packets), 10)
            else:
                time.sleep(1)
            self.settle(2)
            result[name] = (len(packets), self.sink_count() - before)
        ok = result["accept"][1] == result["accept"][0] and \
            result["drop"][1] == (result["drop"][0] if mode == "floor" else 0)
        if mode == "ours" and self.args.prepare_kib is not None:
            # Every check packet reached the forward chain with its table's lookup prepared for its burst and
            # the guess right (no NAT, no connection tracking in these rule sets): the chain took them all.
            counts = self.prepared_counts(time.monotonic())
            sent = result["accept"][0] + result["drop"][0]
            result["prepared"] = counts
            ok = ok and counts is not None and counts[1] >= sent
        return ok, result

    def prepared_counts(self, since):
        """(prepared, used) from the first statistics line ours prints after `since`, or None."""
        pattern = r"forward lookups prepared (\d+), used (\d+)"
        if self.program.wait_for(pattern, 5, since=since) is None:
            return None
        for t, line in self.program.lines:
            m = re.search(pattern, line)
            if t > since and m:
                return int(m.group(1)), int(m.group(2))
        return None

    def wait_for_sink(self, target, limit):
        """Polls the sink's count until it reaches `target` or `limit` seconds pass."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline and self.sink_count() < target:
            time.sleep(0.1)

    def sink_count(self):
        out = self.lab.ns("server", "nft", "list", "counter", "netdev", "sink", "ipv4")
        return int(re.search(r"packets (\d+)", out).group(1))

    def trafgen_config(self, name, packets):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write("".join(trafgen_frame(p, self.client_mac, self.router_mac) for p in packets))
        return path

    def start_traffic(self, generator, prepared):
        return (Trafgen if generator == "trafgen" else Testpmd)(self, prepared)

    def testpmd(self, host, cpu, prefix, mode_args, nice=None):
        argv = (["nice", "-n", str(nice)] if nice else []) + [
            "stdbuf", "-oL", "dpdk-testpmd", "--lcores", f"0@{cpu},1@{cpu}", "--no-huge", "-m", "256",
            "--no-pci", "--no-shconf", "--no-telemetry", "--file-prefix", f"{prefix}{os.getpid()}",
            "--vdev", f"net_af_packet0,iface=eth0,framecnt={self.args.ring_frames}",
            "--log-level", "lib.eal:warning", "--", "--nb-cores=1", "--total-num-mbufs=8192",
            "--stats-period=1"] + mode_args
        return self.lab.start(host, *argv)


class Trafgen:
    """trafgen on CPU 0 sending all benchmark flows in turn, between resume() and pause()."""

    def __init__(self, bench, prepared):
        self.bench = bench
        self.config = bench.trafgen_config(f"flows-{prepared.n}.trafgen", [p for _, p in prepared.flows])
        self.gen = None

    def resume(self):
        self.gen = self.bench.lab.start("client", "taskset", "-c", "0", "trafgen", "-i", self.config, "-o", "eth0",
                                        "-P", "1", "-Q", "-C")

    def pause(self):
        if self.gen is not None:
            self.gen.stop(signal.SIGINT)
            self.gen = None
        self.bench.settle()

    def measure(self):
        if self.gen.proc.poll() is not None:
            raise RuntimeError(f"trafgen exited: {self.gen.output()[-300:]}")
        start = self.bench.window()
        time.sleep(self.bench.args.seconds)
        return self.bench.rates(start, self.bench.window())

    def stop(self):
        self.pause()


class Testpmd:
    """dpdk-testpmd rxonly on the server (CPU 1, nice 10) and txonly on the client (CPU 0) sending the
    median-depth flow between resume() and pause(); the sink, and the router's receive thread on CPU 1
    (--testpmd-receive thread), stay up until stop()."""
    RX = r"RX-packets:\s+(\d+)\s+RX-missed"
    MISSED = r"RX-packets:\s+\d+\s+RX-missed:\s+(\d+)"
    TX = r"TX-packets:\s+(\d+)\s+TX-errors"

    def __init__(self, bench, prepared):
        self.bench = bench
        self.flow = prepared.flows[(len(prepared.flows) - 1) // 2][1]
        self.thread = bench.args.testpmd_receive == "thread"
        self.gen = None
        try:
            if self.thread:
                bench.receive_thread(True)
            self.sink = bench.testpmd("server", 1, "hbrx", ["--forward-mode=rxonly"], nice=10)
            if self.sink.wait_for(self.RX, 15) is None:
                self.sink.stop(signal.SIGINT)
                raise RuntimeError(f"testpmd sink did not start: {self.sink.output()[-500:]}")
        except Exception:
            if self.thread:
                bench.receive_thread(False)
            raise

    def resume(self):
        saddr, daddr, _, sport, dport = self.flow
        self.gen = self.bench.testpmd("client", 0, "hbtx", [
            "--forward-mode=txonly", f"--eth-peer=0,{self.bench.router_mac}",
            f"--tx-ip={generate.dotted(saddr)},{generate.dotted(daddr)}", f"--tx-udp={sport},{dport}",
            "--txpkts=60"])
        if self.gen.wait_for(r"TX-packets:\s+[1-9]\d*\s+TX-errors", 15) is None:
            raise RuntimeError(f"testpmd txonly did not send: {self.gen.output()[-500:]}")

    def pause(self):
        if self.gen is not None:
            self.gen.stop(signal.SIGINT)
            self.gen = None
        self.bench.settle()

    @staticmethod
    def rate(process, pattern, t0, t1):
        """packets/s from testpmd's periodic port statistics (cumulative counters) printed inside [t0, t1]."""
        regex = re.compile(pattern)
        points = [(t, int(m.group(1))) for t, line in list(process.lines) if t0 <= t <= t1
                  for m in [regex.search(line)] if m]
        if len(points) < 2 or points[-1][0] - points[0][0] < 0.5:  # two lines at least a period apart
            return None
        return (points[-1][1] - points[0][1]) / (points[-1][0] - points[0][0])

    def measure(self):
        # The window starts and ends right after statistics lines of the sink (printed every 1-2 s), so the sink's
        # count over it is exact; the kernel counters are read at the same moments.
        ta = self.sink.wait_for(self.RX, 5, since=time.monotonic())
        if ta is None:
            raise RuntimeError(f"testpmd sink stopped: {self.sink.output()[-500:]}")
        start = self.bench.window()
        time.sleep(max(self.bench.args.seconds - 0.5, 0.5))
        tb = self.sink.wait_for(self.RX, 5, since=time.monotonic())
        if tb is None or self.gen.proc.poll() is not None:
            raise RuntimeError(f"testpmd stopped: {self.sink.output()[-300:]} {self.gen.output()[-300:]}")
        end = self.bench.window()
        return {**self.bench.rates(start, end),
                "tool_tx": self.rate(self.gen, self.TX, start[0] - 0.05, end[0] + 0.05),
                "tool_rx": self.rate(self.sink, self.RX, ta, tb),
                "tool_rx_missed": self.rate(self.sink, self.MISSED, ta, tb)}

    def stop(self):
        self.pause()
        self.sink.stop(signal.SIGINT)
        if self.thread:
            self.bench.receive_thread(False)


def napi_threads():
    return set(benchlab.sh("pgrep", "^napi/nic0-", check=False).split())


def kpps(value):
    return "?" if value is None else f"{value / 1e3:.1f}"


def describe(point):
    if "forwarded" not in point:
        return point.get("error") or point.get("skipped")
    text = f"{kpps(point['forwarded'])} kpps forwarded, {kpps(point['offered'])} offered" \
        f" ({kpps(point.get('refused'))} refused)"
    if point["generator"] == "testpmd":
        text += f", counted by testpmd: tx {kpps(point.get('tool_tx'))} rx {kpps(point.get('tool_rx'))}" \
                f" (missed {kpps(point.get('tool_rx_missed'))})"
    text += f", CPU busy {point['busy']} % (softirq {point['softirq']} %, steal {point.get('steal', '?')} %)"
    if point.get("router_cpu") is not None:
        text += f", router threads {point['router_cpu']} % of a CPU"
    return text


def median_range(values):
    values = [v for v in values if v is not None]
    if not values:
        return None, None, None
    return statistics.median(values), min(values), max(values)


def sink_notes(points, short=0.9):
    """Where testpmd's sink counted fewer frames than the server's eth0 received (it gets only the CPU time the
    router leaves on CPU 1), and any RX-missed it reported."""
    short_by = {}
    missed = []
    for p in points:
        if p["generator"] != "testpmd" or not p.get("forwarded"):
            continue
        if p.get("tool_rx") is not None and p["tool_rx"] < short * p["forwarded"]:
            short_by.setdefault((p["n"], p["mode"]), []).append(p["tool_rx"] / p["forwarded"])
        if p.get("tool_rx_missed"):
            missed.append(f"{p['mode']} {p['n'] or 'no'} rules round {p['round']}: {kpps(p['tool_rx_missed'])} kpps")
    notes = []
    if short_by:
        where = "; ".join(f"{m}, {n or 'no'} rules: {100 * min(f):.0f}-{100 * max(f):.0f}%"
                          for (n, m), f in sorted(short_by.items()))
        notes.append("the testpmd sink undercounts (it counted this share of the frames the server's eth0 received, "
                     f"over the rounds: {where}): it busy-polls at nice 10 and gets only the CPU 1 time the router "
                     "leaves, so its socket ring overflows (net_af_packet in this DPDK does not report those drops "
                     "as RX-missed). The forwarded figure is the server's eth0 rx_packets, counted before the sink.")
    if missed:
        notes.append("testpmd's sink reported RX-missed: " + "; ".join(missed))
    return notes


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rules", default="10,100,1000,10000,100000")
    p.add_argument("--profile", default="fw", choices=sorted(generate.PROFILES))
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--seconds", type=float, default=2.0, help="counting window of each point")
    p.add_argument("--warmup", type=float, default=0.5)
    p.add_argument("--generators", default=",".join(GENERATORS))
    p.add_argument("--modes", default=",".join(MODES))
    p.add_argument("--naclc", help="naclc that can `build --platform linux` (enables the ours column)")
    p.add_argument("--ours-args", default="--nic xdp:nic0 --nic xdp:nic1")
    p.add_argument("--floor", help="io-floor-linux for the floor mode (default: next to --naclc)")
    p.add_argument("--floor-rules", default="10000", help="rule counts at which the floor mode runs")
    p.add_argument("--rt-priority", type=int, default=1,
                   help="SCHED_FIFO priority of ours and of testpmd's receive thread (0: ordinary, nice 0)")
    p.add_argument("--ours-above", type=int, default=1,
                   help="run ours this many real-time priority levels above nic0's receive thread")
    p.add_argument("--testpmd-receive", choices=["thread", "sender"], default="thread",
                   help="with testpmd, nic0's receive in a thread on CPU 1 (thread) or in the sender's softirq")
    p.add_argument("--ours-ready", default=r"appliance: \d+ routes|ready",
                   help="regex of the line ours prints when it is up")
    p.add_argument("--work", default=os.path.join(ROOT, "build-release", "bench", "ruleset"))
    p.add_argument("--lab", default="hbrules")
    p.add_argument("--json", help="write all measurements here")
    p.add_argument("--budget", type=float, default=600, help="seconds of measuring (after setup) at most")
    p.add_argument("--load-timeout", type=float, default=180, help="seconds for loading one nft file")
    p.add_argument("--ring-frames", type=int, default=16384, help="net_af_packet ring frames of testpmd")
    p.add_argument("--require-ours", action="store_true", help="fail when ours cannot be built or run")
    p.add_argument("--check", action="store_true", help="check verdicts of trace packets through every router")
    p.add_argument("--check-packets", type=int, default=40)
    p.add_argument("--prepare-kib", type=int,
                   help="build ours with naclc --prepare-kib N and a statistics Timer; --check then also requires "
                        "every check packet's prepared lookup to have been used")
    args = p.parse_args()
    if args.floor is None:
        args.floor = os.path.join(os.path.dirname(os.path.abspath(args.naclc or "build-release/bin/naclc")),
                                  "io-floor-linux")
    counts = [int(x) for x in args.rules.split(",")]
    floor_counts = {int(x) for x in args.floor_rules.split(",") if x}
    modes = [m for m in args.modes.split(",") if m]
    generators = [g for g in args.generators.split(",") if g]
    assert set(modes) <= set(MODES + EXTRA_MODES) and set(generators) <= set(GENERATORS), (modes, generators)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    started = time.monotonic()
    result = {"machine": benchlab.machine(), "load_start": os.getloadavg(), "args": vars(args), "counts": counts,
              "modes": modes, "generators": generators, "rulesets": {}, "points": [], "notes": [], "checks": []}
    log(f"machine: {result['machine']}")

    prepared = {}
    for n in counts:
        prepared[n] = Prepared(args.work, args.profile, n, args.seed)
        s = prepared[n].set_stats
        result["rulesets"][n] = {"name": prepared[n].name, "generate_seconds": prepared[n].generate_seconds,
                                 "sets_variant": s, "flows": len(prepared[n].flows)}
        log(f"{prepared[n].name}: {len(prepared[n].flows)} flows; sets variant: {s['nft_rules']} nft rules, "
            f"{s['runs']} runs, {s['sets']} sets of {s['set_elements']} elements")

    bench = RulesetBench(args)
    bench.ours_exes = {}
    if any(m.startswith("ours") for m in modes):
        for n in counts:
            exe, note = (None, "no --naclc given") if not args.naclc else build_ours(args.naclc, prepared[n],
                                                                                       args.work, args.prepare_kib)
            result["rulesets"][n]["ours"] = note
            log(f"ours {prepared[n].name}: {note}")
            if exe:
                bench.ours_exes[n] = exe

    try:
        bench.setup()
        loaded = {}
        for n in counts:
            if not {"nft-linear", "nft-set"} & set(modes):
                break
            seconds, error = bench.load(prepared[n])
            result["rulesets"][n]["nft_load_seconds"] = round(seconds, 1)
            loaded[n] = error
            log(f"nft {prepared[n].name}: loaded in {seconds:.1f} s" + (f": {error}" if error else ""))
        result["setup_seconds"] = round(time.monotonic() - started, 1)
        measure_start = time.monotonic()

        def available(mode, n):
            if mode in ("nft-linear", "nft-set") and loaded.get(n):
                return f"not loaded: {loaded[n]}"
            if mode.startswith("ours") and n not in bench.ours_exes:
                return result["rulesets"][n].get("ours", "not built")
            if mode == "floor" and not os.access(args.floor, os.X_OK):
                return f"no {args.floor}"
            return None

        if args.check:
            for n in counts:
                for mode in modes:
                    if mode == "linux" or (mode == "floor" and n not in floor_counts) or available(mode, n):
                        continue
                    bench.select(mode, prepared[n])
                    try:
                        ok, detail = bench.check(mode, prepared[n])
                    finally:
                        bench.unselect(mode)
                    result["checks"].append({"n": n, "mode": mode, "ok": ok, "detail": detail})
                    log(f"check {mode} {prepared[n].name}: {'ok' if ok else 'FAILED'} "
                        f"(sent/arrived: accept {detail['accept']}, drop {detail['drop']}"
                        + (f"; forward lookups prepared/used {detail['prepared']}" if "prepared" in detail else "")
                        + ")")

        # Points: (round, n, generator, mode); linux (no rules) once per round. For each point the router is set
        # up first, then the generator starts, warms up and is counted (testpmd's sink stays up through the modes
        # of one rule count); the modes' order rotates from round to round.
        for r in range(args.rounds):
            for n in counts:
                order = modes[r % len(modes):] + modes[:r % len(modes)]
                order = [m for m in order if m != "linux" or n == counts[0]]
                for gen in generators:
                    todo = []
                    for mode in order:
                        if mode == "floor" and (n not in floor_counts or gen != "testpmd"):
                            continue
                        point = {"round": r + 1, "n": 0 if mode == "linux" else n, "mode": mode, "generator": gen}
                        why = available(mode, n)
                        if why:
                            point["skipped"] = why
                        result["points"].append(point)
                        if not why:
                            todo.append(point)
                    if not todo:
                        continue
                    if time.monotonic() - measure_start > args.budget:
                        for point in todo:
                            point["skipped"] = "time budget"
                        continue
                    try:
                        traffic = bench.start_traffic(gen, prepared[n])
                    except Exception as e:
                        for point in todo:
                            point["error"] = f"{gen} did not start: {str(e)[-400:]}"
                        continue
                    try:
                        for point in todo:
                            try:
                                bench.select(point["mode"], prepared[n])
                                try:
                                    traffic.resume()
                                    time.sleep(args.warmup)
                                    point.update(traffic.measure())
                                finally:
                                    traffic.pause()
                                    bench.unselect(point["mode"])
                            except Exception as e:
                                point["error"] = str(e)[-500:]
                            log(f"round {point['round']} n={n} {point['mode']} {gen}: {describe(point)}")
                    finally:
                        traffic.stop()
                        bench.settle()
        result["measure_seconds"] = round(time.monotonic() - measure_start, 1)
    finally:
        bench.teardown()
    result["load_end"] = os.getloadavg()
    result["total_seconds"] = round(time.monotonic() - started, 1)
    summarize(result)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
    failed = [c for c in result["checks"] if not c["ok"]]
    errors = [pt for pt in result["points"] if "error" in pt]
    missing_ours = args.require_ours and "ours" in modes and len(bench.ours_exes) < len(counts)
    if missing_ours:
        print("ours was required but not built: " + "; ".join(
            str(result["rulesets"][n].get("ours")) for n in counts), file=sys.stderr)
    return 1 if failed or errors or missing_ours else 0


def summarize(result):
    """Adds result["summary"] (medians, ranges, ratios per round) and prints the table."""
    points = [p for p in result["points"] if "forwarded" in p]
    summary = {}
    for p in points:
        summary.setdefault((p["n"], p["mode"], p["generator"]), []).append(p)
    table = {}
    for key, ps in summary.items():
        table[key] = {"median": median_range([p["forwarded"] for p in ps]),
                      "offered": median_range([p["offered"] for p in ps]),
                      "tool_rx": median_range([p.get("tool_rx") for p in ps]),
                      "rounds": len(ps)}
    def ratio(n, gen, top, bottom):
        """top / bottom per round (the two measured minutes apart in the same round): median and range."""
        rate = {m: {p["round"]: p["forwarded"] for p in points if p["n"] == n and p["mode"] == m
                    and p["generator"] == gen} for m in (top, bottom)}
        per_round = [rate[top][r] / rate[bottom][r] for r in rate[top] if rate[bottom].get(r)]
        return median_range(per_round) if per_round else None

    ratios, floor_ratios = {}, {}
    for n in result["counts"]:
        for gen in result["generators"]:
            for base in ("nft-linear", "nft-set"):
                if r := ratio(n, gen, "ours", base):
                    ratios[(n, gen, base)] = r
            # The I/O floor (mode floor): how far the I/O path alone is from nft-set, and how much of it ours keeps.
            for top, bottom in (("floor", "nft-set"), ("ours", "floor")):
                if r := ratio(n, gen, top, bottom):
                    floor_ratios[(n, gen, f"{top}/{bottom}")] = r
    result["floor_ratios"] = [{"n": k[0], "generator": k[1], "ratio_of": k[2], "ratio": v}
                              for k, v in sorted(floor_ratios.items())]
    result["summary"] = [{"n": k[0], "mode": k[1], "generator": k[2], **v} for k, v in sorted(table.items())]
    result["ratios"] = [{"n": k[0], "generator": k[1], "base": k[2], "ratio": v} for k, v in sorted(ratios.items())]
    cols = [(m, g) for m in result["modes"] for g in result["generators"]]
    print(f"machine: {result['machine']}; load {result['load_start'][0]:.2f} at start, "
          f"{result['load_end'][0]:.2f} at the end")
    print("| rules | " + " | ".join(f"{m} {g} kpps" for m, g in cols) + " | ours/nft-linear | ours/nft-set |")
    print("|---|" + "---|" * (len(cols) + 2))
    for n in [0] + result["counts"]:
        cells = []
        for m, g in cols:
            v = table.get((n, m, g))
            cells.append(f"{v['median'][0] / 1e3:.1f} ({v['median'][1] / 1e3:.1f}-{v['median'][2] / 1e3:.1f})"
                         if v else "-")
        if all(c == "-" for c in cells):
            continue
        rs = []
        for base in ("nft-linear", "nft-set"):
            parts = [f"{g}: {ratios[(n, g, base)][0]:.2f}" for g in result["generators"] if (n, g, base) in ratios]
            rs.append(", ".join(parts) or "-")
        print(f"| {n if n else 'none'} | " + " | ".join(cells) + " | " + " | ".join(rs) + " |")
    for (n, gen, which), (mid, low, high) in sorted(floor_ratios.items()):
        print(f"{n} rules, {gen}: {which} {mid:.2f} ({low:.2f}-{high:.2f})")
    result["notes"] = sink_notes(points)
    for note in result["notes"]:
        print("note: " + note)
    skipped = {}
    for p in result["points"]:
        if "skipped" in p or "error" in p:
            skipped.setdefault((p["n"], p["mode"], p["generator"]), p.get("skipped") or p.get("error"))
    for (n, m, g), why in sorted(skipped.items()):
        print(f"not measured: {n} rules, {m}, {g}: {why}")


if __name__ == "__main__":
    sys.exit(main())
