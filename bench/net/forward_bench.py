#!/usr/bin/python3
"""Forwarding rate of 64-byte UDP through the router on the linux platform, side by side with Linux.

  forward_bench.py --router build-release/bin/router-linux [--rounds 5] [--seconds 4] [--lab n3bench]
                   [--modes halite,halite-xdp,linux-rps,linux]

Lab (scripts/netlab.sh --veth): client 10.0.1.2 -- veth -- router namespace (nic0, nic1) -- veth -- server
10.0.2.2. trafgen (netsniff-ng) in the client sends 64-byte frames (60 + FCS) of UDP to 10.0.2.2:9 at full
speed; what reaches the server is read from the server's interface counters (rx_packets of its veth: frames
the router delivered into its receive queue), and a netdev ingress rule there drops them (a sink). Offered
load is the client's tx_packets. The routers, interleaved in every round:

  halite     examples/router on AF_PACKET (--nic packet:nic0 --nic packet:nic1), pinned to CPU 1; an ingress
             drop rule on nic0/nic1 keeps the router namespace's own IP stack from processing the frames a
             second time (AF_PACKET taps see them before the ingress hook)
  halite-xdp the same router on AF_XDP (--nic xdp:nic0 --nic xdp:nic1), pinned to CPU 1; its XDP program
             redirects every frame to the router's sockets, so the namespace's stack never sees them. veth
             runs XDP in the NAPI poll that the sender's transmit schedules: on the sender's CPU, like the
             AF_PACKET receive and Linux's forwarding without RPS
  linux-rps  Linux forwarding between the same interfaces (addresses on nic0/nic1, ip_forward=1), with RPS
             steering nic0's receive processing to CPU 1, where halite runs
  linux      Linux forwarding, no RPS (everything on the sender's CPU)

CPU busy % (all processes, from /proc/stat) is shown per measurement, since the machine may be shared.
trafgen runs on CPU 0 (-Q: IRQ affinities untouched; it cannot tune the global socket memory from a
namespace and says so, which is harmless). Prints one table row per round and the medians, with the ratio halite / Linux.
"""
import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "common"))
from benchlab import Lab, cpu_busy, cpu_times, machine  # noqa: E402  (shared with bench/forward)


class Bench:
    def __init__(self, lab, router, seconds):
        self.lab, self.router_binary, self.seconds = Lab(lab), router, seconds
        self.sw = self.lab.sw
        self.router = None
        self.ns, self.counter, self.mac = self.lab.ns, self.lab.counter, self.lab.mac

    def setup(self):
        self.lab.up("client:10.0.1.2/24:10.0.1.1", "server:10.0.2.2/24:10.0.2.1")
        self.router_mac = self.mac("sw", "nic0")
        self.client_mac = self.mac("client", "eth0")
        # The sink: frames are counted on arrival (veth rx_packets), then dropped before the server's stack.
        self.ns("server", "nft", "add table netdev sink; add chain netdev sink in "
                "{ type filter hook ingress device eth0 priority 0; policy accept; }; "
                "add rule netdev sink in udp dport 9 counter drop")
        self.config = tempfile.NamedTemporaryFile("w", suffix=".trafgen", delete=False)
        # 14 + 20 + 8 + 18 = 60 bytes: a minimum Ethernet frame (64 with the FCS).
        self.config.write(
            "cpu(0): {\n"
            f"  eth(da={self.router_mac}, sa={self.client_mac}, type=0x0800),\n"
            "  ipv4(saddr=10.0.1.2, daddr=10.0.2.2, ttl=64, df, proto=17),\n"
            "  udp(sp=4000, dp=9),\n"
            "  fill(0x5a, 18)\n"
            "}\n")
        self.config.close()

    def teardown(self):
        self.stop_router()
        self.lab.down()
        if hasattr(self, "config"):
            os.unlink(self.config.name)

    def stop_router(self):
        if self.router is not None and self.router.poll() is None:
            os.killpg(self.router.pid, signal.SIGTERM)
            try:
                self.router.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.router.pid, signal.SIGKILL)
                self.router.wait()
        self.router = None

    def configure(self, mode):
        if mode.startswith("halite"):
            kind = "xdp" if mode == "halite-xdp" else "packet"
            if kind == "packet":
                self.ns("sw", "nft", "add table netdev bypass; "
                        "add chain netdev bypass in0 { type filter hook ingress device nic0 priority 0; "
                        "policy drop; }; "
                        "add chain netdev bypass in1 { type filter hook ingress device nic1 priority 0; "
                        "policy drop; }")
            self.log = tempfile.TemporaryFile("w+")
            self.router = subprocess.Popen(
                ["ip", "netns", "exec", self.sw, "taskset", "-c", "1", self.router_binary,
                 "--nic", f"{kind}:nic0", "--nic", f"{kind}:nic1", "router.run_for=600"],
                stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True, text=True)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                self.log.seek(0)
                if "router: ready" in self.log.read():
                    break
                time.sleep(0.05)
            else:
                raise RuntimeError("the router did not come up")
        else:
            self.ns("sw", "ip", "addr", "add", "10.0.1.1/24", "dev", "nic0")
            self.ns("sw", "ip", "addr", "add", "10.0.2.1/24", "dev", "nic1")
            self.ns("sw", "sysctl", "-qw", "net.ipv4.ip_forward=1")
            rps = "2" if mode == "linux-rps" else "0"
            self.ns("sw", "sh", "-c", f"echo {rps} > /sys/class/net/nic0/queues/rx-0/rps_cpus")
        # Both routers resolve the server (ARP) before the measurement.
        self.ns("client", "ping", "-c", "2", "-i", "0.2", "-W", "1", "10.0.2.2", check=False)

    def unconfigure(self, mode):
        if mode.startswith("halite"):
            self.stop_router()
            if mode == "halite":
                self.ns("sw", "nft", "delete table netdev bypass")
        else:
            self.ns("sw", "sysctl", "-qw", "net.ipv4.ip_forward=0")
            self.ns("sw", "ip", "addr", "flush", "dev", "nic0")
            self.ns("sw", "ip", "addr", "flush", "dev", "nic1")
            self.ns("sw", "sh", "-c", "echo 0 > /sys/class/net/nic0/queues/rx-0/rps_cpus")

    def measure(self):
        sent0 = self.counter("client", "eth0", "tx_packets")
        got0 = self.counter("server", "eth0", "rx_packets")
        cpu0 = cpu_times()
        start = time.monotonic()
        self.ns("client", "timeout", "-s", "INT", str(self.seconds), "taskset", "-c", "0", "trafgen", "-i",
                self.config.name, "-o", "eth0", "-P", "1", "-Q", "-C", check=False,
                timeout=self.seconds + 30)
        elapsed = time.monotonic() - start
        busy = [f"{b:.0f}" for b in cpu_busy(cpu0, cpu_times())]
        time.sleep(0.3)  # in-flight frames
        sent = self.counter("client", "eth0", "tx_packets") - sent0
        got = self.counter("server", "eth0", "rx_packets") - got0
        return sent / elapsed, got / elapsed, "/".join(busy)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--router", required=True)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--seconds", type=float, default=4)
    p.add_argument("--lab", default="n3bench")
    p.add_argument("--modes", default="halite,linux-rps,linux")
    args = p.parse_args()
    modes = args.modes.split(",")
    bench = Bench(args.lab, os.path.abspath(args.router), args.seconds)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    results = {m: [] for m in modes}
    print(f"machine: {machine()}")
    try:
        bench.setup()
        print("| round | " + " | ".join(f"{m} kpps (offered) [cpu0/cpu1 busy %]" for m in modes) + " |")
        print("|---|" + "---|" * len(modes))
        for r in range(args.rounds):
            row = []
            # Interleaved, and the order rotates so no router always runs right after another.
            order = modes[r % len(modes):] + modes[:r % len(modes)]
            measured = {}
            for m in order:
                bench.configure(m)
                try:
                    measured[m] = bench.measure()
                finally:
                    bench.unconfigure(m)
            for m in modes:
                offered, forwarded, busy = measured[m]
                results[m].append(forwarded)
                row.append(f"{forwarded / 1e3:.0f} ({offered / 1e3:.0f}) [{busy}]")
            print(f"| {r + 1} | " + " | ".join(row) + " |", flush=True)
    finally:
        bench.teardown()
    medians = {m: statistics.median(v) for m, v in results.items()}
    print("| median | " + " | ".join(f"{medians[m] / 1e3:.0f}" for m in modes) + " |")
    for ours in (m for m in modes if m.startswith("halite")):
        for m in modes:
            if not m.startswith("halite") and medians[m] > 0:
                per_round = [h / l for h, l in zip(results[ours], results[m]) if l > 0]
                print(f"ratio {ours} / {m}: median {medians[ours] / medians[m]:.2f} "
                      f"(per round {min(per_round):.2f}-{max(per_round):.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
