#!/usr/bin/python3
"""Figures of examples/firewall.nacl for bench/results/firewall.md (not a test; run as root):

  bench/firewall/measure.py [--build build] [--builds 3] [--boots 5]

- image size: the file `naclc build` writes (microvm/pc PVH ELF);
- `naclc build` wall time: median of --builds fresh builds;
- boot time to first forwarded packet under QEMU TCG: from starting QEMU until the first ICMP echo request
  from the client (pinging every 10 ms through the appliance, with a static ARP entry for the appliance, so
  ARP retries do not count) reaches the server; median of --boots boots, on microvm and on pc. Also the time
  until the console says the appliance is configured. The clocks are CLOCK_MONOTONIC, shared by the
  namespaces.
Prints a Markdown section with the machine (nproc, CPU model, load) and the exact commands.
"""
import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NETLAB = os.path.join(ROOT, "scripts", "netlab.sh")
LAB = "bfw"
CLIENT_MAC_OF_FW = "52:54:00:fe:00:00"
# In the server namespace: wait for the first echo request from the client, print its CLOCK_MONOTONIC time.
SNIFFER = r"""
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
s.settimeout(1.0)
print("ready", flush=True)
deadline = time.monotonic() + 90
while time.monotonic() < deadline:
    try:
        data, peer = s.recvfrom(2048)
    except socket.timeout:
        continue
    ihl = (data[0] & 0x0f) * 4
    if peer[0] == "10.0.0.10" and data[ihl] == 8:
        print(f"first {time.monotonic():.6f}", flush=True)
        sys.exit(0)
sys.exit(1)
"""


def sh(*cmd, **kw):
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw).stdout


def wait_line(path, pattern, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with open(path, errors="replace") as f:
            m = re.search(pattern, f.read(), re.M)
        if m:
            return m
        time.sleep(0.005)
    return None


def machine():
    model = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    qemu = sh("qemu-system-x86_64", "--version").splitlines()[0]
    return f"nproc {os.cpu_count()}, {model}, load average {load}, {platform.platform()}, {qemu}"


def build_times(naclc, nacl, n, work):
    times, size = [], 0
    for i in range(n):
        out = os.path.join(work, f"fw{i}.elf")
        start = time.monotonic()
        sh(naclc, "build", nacl, "-o", out)
        times.append(time.monotonic() - start)
        size = os.path.getsize(out)
    return times, size, out


def boot_once(image, machine_type, work):
    device, options = ("virtio-net-device", "") if machine_type == "microvm" else ("virtio-net-pci", ",romfile=")
    console = os.path.join(work, "console.log")
    sniff_log = os.path.join(work, "sniff.log")
    sh(NETLAB, "up", LAB, "client:10.0.0.10/24:10.0.0.1", "server:10.1.0.2/24:10.1.0.1")
    procs = []
    try:
        sh(NETLAB, "host", LAB, "client", "ip", "neigh", "replace", "10.0.0.1", "lladdr", CLIENT_MAC_OF_FW, "dev",
           "eth0", "nud", "permanent")
        with open(sniff_log, "w") as out:
            procs.append(subprocess.Popen([NETLAB, "host", LAB, "server", "/usr/bin/python3", "-c", SNIFFER],
                                          stdout=out, stderr=subprocess.STDOUT))
        if not wait_line(sniff_log, r"^ready", 20):
            raise RuntimeError("sniffer did not start")
        procs.append(subprocess.Popen([NETLAB, "host", LAB, "client", "ping", "-n", "-q", "-i", "0.01", "-w", "90",
                                       "10.1.0.2"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        time.sleep(0.2)
        command = ["timeout", "120", "qemu-system-x86_64", "-M", machine_type, "-accel", "tcg", "-m", "64M",
                   "-nographic", "-no-reboot", "-kernel", image]
        for i in range(2):
            command += ["-netdev", f"tap,id=n{i},ifname=tap{i},script=no,downscript=no",
                        "-device", f"{device},netdev=n{i},mac=52:54:00:fe:00:0{i}{options}"]
        with open(console, "w") as out:
            start = time.monotonic()
            procs.append(subprocess.Popen([NETLAB, "sw", LAB, *command], stdin=subprocess.DEVNULL, stdout=out,
                                          stderr=subprocess.STDOUT))
        ready = wait_line(console, r"^appliance: \d+ routes", 60)
        ready_at = time.monotonic()
        first = wait_line(sniff_log, r"^first (\S+)", 60)
        if not ready or not first:
            raise RuntimeError(f"no {'console line' if not ready else 'forwarded packet'}")
        return ready_at - start, float(first.group(1)) - start
    finally:
        for p in procs:
            p.terminate()
        subprocess.run([NETLAB, "down", LAB], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        for p in procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", default="build")
    p.add_argument("--builds", type=int, default=3)
    p.add_argument("--boots", type=int, default=5)
    args = p.parse_args()
    naclc = os.path.join(args.build, "bin", "naclc")
    nacl = os.path.join(ROOT, "examples", "firewall.nacl")
    before = machine()
    with tempfile.TemporaryDirectory(prefix="fw-measure-") as work:
        times, size, image = build_times(naclc, nacl, args.builds, work)
        boots = {}
        for machine_type in ("microvm", "pc"):
            boots[machine_type] = [boot_once(image, machine_type, work) for _ in range(args.boots)]
    after = machine()
    print("## Figures\n")
    print("| figure | value | goal |\n|---|---|---|")
    print(f"| image size (examples/firewall.nacl, PVH ELF) | {size} bytes ({size / 1024:.0f} KiB) | < 1 MiB |")
    print(f"| `naclc build` wall time, median of {len(times)} | {statistics.median(times):.2f} s "
          f"({', '.join(f'{t:.2f}' for t in times)}) | < 10 s |")
    for machine_type, runs in boots.items():
        ready = [r for r, _ in runs]
        first = [f for _, f in runs]
        print(f"| boot to first forwarded packet, TCG `-M {machine_type}`, median of {len(runs)} | "
              f"{statistics.median(first):.3f} s ({', '.join(f'{t:.3f}' for t in first)}) | |")
        print(f"| boot to `appliance: ... routes` on the console, TCG `-M {machine_type}`, median of {len(runs)} | "
              f"{statistics.median(ready):.3f} s ({', '.join(f'{t:.3f}' for t in ready)}) | |")
    print(f"\nMachine before: {before}  \nMachine after: {after}")
    command = ["bench/firewall/measure.py", "--build", args.build, "--builds", str(args.builds), "--boots",
               str(args.boots)]
    print(f"\nCommand: `{' '.join(command)}`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
