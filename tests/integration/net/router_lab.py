#!/usr/bin/python3
"""Boots the router (examples/router) in a namespace lab and checks real traffic through it.

  router_lab.py --netlab scripts/netlab.sh --lab LAB --platform PLATFORM (--image router.elf | --linux router-linux)

Lab (scripts/netlab.sh): client 10.0.1.2/24 (gateway 10.0.1.1) on NIC 0, server 10.0.2.2/24 (gateway 10.0.2.1)
on NIC 1; the router also has VLAN 10 on NIC 0 with 10.0.10.1/24. PLATFORM says how the router runs:

  microvm         QEMU -M microvm, virtio-mmio version 1 (QEMU's default, force-legacy=true), transports
                  from the DSDT, plus a virtio-rng device the image must name as having no driver
  microvm-cmdline QEMU -M microvm,acpi=off: transports from virtio_mmio.device= on the command line
  microvm-modern  QEMU -M microvm, virtio-mmio version 2
  pc              QEMU -M pc, virtio-net-pci modern interface, MSI-X, plus a virtio-rng-pci (no driver)
  pc-legacy       QEMU -M pc, virtio-net-pci disable-modern=on (legacy I/O BAR), MSI-X
  q35-intx        QEMU -M q35, virtio-net-pci modern, vectors=0 (INTx, the two NICs share a line)
  linux-tap       the linux build on the lab's taps (--nic tap:tap0 --nic tap:tap1)
  linux-packet    the linux build with AF_PACKET on veths (netlab --veth; --nic packet:nic0 ...)
  linux-xdp       the linux build with AF_XDP on veths (--nic xdp:nic0 ...); the hosts keep Linux's default
                  checksum offload, so their TCP/UDP frames arrive with partial checksums the NIC must complete

Every check prints PASS or FAIL with what it saw; the exit status is 0 only when all passed. The lab, the
router and every helper are torn down on the way out, also on failure or SIGTERM/SIGINT.
"""
import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOOLS = [sys.executable, os.path.join(HERE, "lab_tools.py")]

CLIENT, CLIENT_GW = "10.0.1.2", "10.0.1.1"
SERVER, SERVER_GW = "10.0.2.2", "10.0.2.1"
VLAN, VLAN_OTHER, VLAN_ROUTER, VLAN_CLIENT = 10, 20, "10.0.10.1", "10.0.10.2"
SAFETY_SECONDS = 150  # router.run_for: the router stops by itself even if this script is killed hard

# machine, NIC device, its options, extra QEMU arguments (after the NICs), console lines expected.
QEMU_PLATFORMS = {
    "microvm": ("microvm", "virtio-net-device", "", ["-device", "virtio-rng-device"],
                [r"mmio 0x[0-9a-f]+ legacy, gsi \d+ level", r"virtio device 4 at mmio 0x[0-9a-f]+: no driver"]),
    "microvm-cmdline": ("microvm,acpi=off", "virtio-net-device", "", [], [r"mmio 0x[0-9a-f]+ legacy, gsi \d+"]),
    "microvm-modern": ("microvm", "virtio-net-device", "", ["-global", "virtio-mmio.force-legacy=false"],
                       [r"mmio 0x[0-9a-f]+ modern, gsi \d+ level"]),
    "pc": ("pc", "virtio-net-pci", ",romfile=", ["-device", "virtio-rng-pci,romfile="],
           [r"pci 00:0[0-9a-f].0 modern, msix vector", r"virtio device 1005 at pci 00:0[0-9a-f].0: no driver"]),
    "pc-legacy": ("pc", "virtio-net-pci", ",romfile=,disable-modern=on", [], [r"pci 00:0[0-9a-f].0 legacy, msix"]),
    "q35-intx": ("q35", "virtio-net-pci", ",romfile=,vectors=0", [], [r"pci 00:0[0-9a-f].0 modern, intx gsi"]),
}
LINUX_PLATFORMS = {"linux-tap": "tap", "linux-packet": "packet", "linux-xdp": "xdp"}


class Terminated(Exception):
    pass


def on_signal(signum, _frame):
    raise Terminated(f"signal {signum}")


class Lab:
    def __init__(self, netlab, name):
        self.netlab = netlab
        self.name = name
        self.results = []

    def run(self, *args, timeout=30):
        try:
            p = subprocess.run([self.netlab, *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               timeout=timeout)
            return p.returncode, p.stdout
        except subprocess.TimeoutExpired as e:
            out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
            return 124, out + f"\n(timed out after {timeout} s)"

    def host(self, host, *cmd, timeout=30):
        return self.run("host", self.name, host, *cmd, timeout=timeout)

    def check(self, name, ok, detail):
        self.results.append((name, ok))
        print(f"{'PASS' if ok else 'FAIL'} {name}: {detail.strip()}", flush=True)


def ping(lab, host, address, extra=(), count=3):
    code, out = lab.host(host, "ping", "-n", "-c", str(count), "-i", "0.2", "-W", "2", *extra, address, timeout=20)
    m = re.search(r"(\d+) received", out)
    received = int(m.group(1)) if m else 0
    return received, out


def last_line(text):
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "(no output)"


def traffic_checks(lab):
    # Each interface answers from its own side.
    for host, address in (("client", CLIENT_GW), ("server", SERVER_GW)):
        received, out = ping(lab, host, address)
        lab.check(f"ping {address} from {host}", received >= 2, last_line(out))
    # Through the router, both ways: TTL 64 - 1.
    for host, address in (("client", SERVER), ("server", CLIENT)):
        received, out = ping(lab, host, address)
        ttl_ok = re.search(r"ttl=63\b", out) is not None
        lab.check(f"ping {address} from {host} through the router", received >= 2 and ttl_ok,
                  (last_line(out) + ("" if ttl_ok else " (no reply with ttl=63)")))
    # The router's interface on the other side is reachable through it too.
    received, out = ping(lab, "client", SERVER_GW)
    lab.check(f"ping {SERVER_GW} (far interface) from client", received >= 2, last_line(out))

    # UDP through the router: an echo server on the server, datagrams from the client.
    server = subprocess.Popen([lab.netlab, "host", lab.name, "server", *TOOLS, "udp-echo-server", "5000", "12"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        time.sleep(0.5)
        code, out = lab.host("client", *TOOLS, "udp-exchange", SERVER, "5000", "5", timeout=20)
        lab.check("udp client -> server through the router", code == 0, last_line(out))
    finally:
        server.terminate()
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.kill()
    # UDP to the router itself (its echo service on port 7) and to a closed port.
    code, out = lab.host("client", *TOOLS, "udp-exchange", CLIENT_GW, "7", "3", timeout=15)
    lab.check("udp echo on the router", code == 0, last_line(out))
    code, out = lab.host("client", *TOOLS, "udp-refused", CLIENT_GW, "9", timeout=15)
    lab.check("udp to a closed router port is refused", code == 0, last_line(out))
    code, out = lab.host("client", *TOOLS, "tcp-refused", CLIENT_GW, "22", timeout=15)
    lab.check("tcp to the router is refused with a reset", code == 0, last_line(out))

    # traceroute (UDP probes, one at a time): the router is hop 1, the server hop 2.
    code, out = lab.host("client", "traceroute", "-n", "-N", "1", "-q", "1", "-w", "2", "-m", "4", SERVER,
                         timeout=30)
    hops = dict(re.findall(r"^\s*(\d+)\s+(\d+\.\d+\.\d+\.\d+)", out, re.M))
    lab.check("traceroute shows the router hop", hops.get("1") == CLIENT_GW and hops.get("2") == SERVER,
              " | ".join(out.strip().splitlines()[1:]) or out)

    # What must not pass: TTL 1 dies at the router (time exceeded), no route gives net unreachable.
    received, out = ping(lab, "client", SERVER, extra=("-t", "1"), count=1)
    lab.check("ttl 1 -> time exceeded from the router",
              received == 0 and re.search(rf"From {re.escape(CLIENT_GW)}.*Time to live exceeded", out) is not None,
              last_line(out) if received else (re.findall(r"From .*", out) or [out])[0])
    received, out = ping(lab, "client", "10.0.99.1", count=1)
    lab.check("no route -> net unreachable from the router",
              received == 0 and re.search(rf"From {re.escape(CLIENT_GW)}.*Net Unreachable", out) is not None,
              (re.findall(r"From .*", out) or [last_line(out)])[0])

    # 802.1Q: tagged frames crafted with scapy reach the VLAN interface and its replies come back tagged;
    # frames tagged with a VLAN the router does not have get nothing.
    code, out = lab.host("client", *TOOLS, "vlan-probe", "eth0", str(VLAN), VLAN_CLIENT, VLAN_ROUTER,
                         str(VLAN_OTHER), timeout=40)
    lab.check("vlan 10 tagged ARP and echo, vlan 20 ignored", code == 0, " | ".join(out.strip().splitlines()))


def ring_overflow_check(lab, router, log_path):
    """With the router stopped, more frames than its receive ring holds: the kernel drops the rest, and the router
    must say so on its console once it runs again (the kernel alone counts those drops)."""
    os.killpg(router.pid, signal.SIGSTOP)
    try:
        code, out = lab.host("client", *TOOLS, "flood", "eth0", "40000", timeout=30)
    finally:
        os.killpg(router.pid, signal.SIGCONT)
    seen, console = wait_for(log_path, r"nic0: [1-9]\d* more received frames dropped by the kernel", 5, router)
    lines = re.findall(r"^.*dropped by the kernel.*$", console, re.M)
    lab.check("receive ring overflow reported", code == 0 and seen, lines[0] if lines else last_line(out))


def wait_for(path, pattern, seconds, process):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with open(path, errors="replace") as f:
            text = f.read()
        if re.search(pattern, text, re.M):
            return True, text
        if process is not None and process.poll() is not None:  # None: nothing to watch
            return False, text
        time.sleep(0.1)
    with open(path, errors="replace") as f:
        return False, f.read()


def stop(process):
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=5)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=5)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--netlab", required=True)
    p.add_argument("--lab", required=True)
    p.add_argument("--platform", required=True, choices=sorted([*QEMU_PLATFORMS, *LINUX_PLATFORMS]))
    p.add_argument("--image")
    p.add_argument("--linux")
    p.add_argument("--qemu", default="qemu-system-x86_64")
    p.add_argument("--boot-timeout", type=float, default=60)
    args = p.parse_args()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    lab = Lab(args.netlab, args.lab)
    veth = args.platform in ("linux-packet", "linux-xdp")
    hosts = [f"client:{CLIENT}/24:{CLIENT_GW}", f"server:{SERVER}/24:{SERVER_GW}"]
    router_args = [f"router.run_for={SAFETY_SECONDS}"]
    if args.platform in QEMU_PLATFORMS:
        machine, device, options, extra, expect = QEMU_PLATFORMS[args.platform]
        command = [args.qemu, "-M", machine, "-accel", "tcg", "-m", "128M", "-nographic", "-no-reboot",
                   "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-kernel", args.image,
                   "-append", " ".join(router_args)]
        # NIC i is the i-th -device: the lab's tap i, so the client is on NIC 0 (eth0).
        for i in range(2):
            command += ["-netdev", f"tap,id=n{i},ifname=tap{i},script=no,downscript=no",
                        "-device", f"{device},netdev=n{i},mac=52:54:00:12:34:0{i}{options}"]
        command += extra
        # NIC order is -device order: eth0 must be the first -device's MAC.
        expect = [*expect, r"net: eth0 is virtio-net0, mac 52:54:00:12:34:00",
                  r"net: eth1 is virtio-net1, mac 52:54:00:12:34:01"]
    else:
        kind = LINUX_PLATFORMS[args.platform]
        command = [args.linux]
        for i in range(2):
            command += ["--nic", f"{kind}:{'nic' if veth else 'tap'}{i}"]
        command += router_args
        link = "nic" if veth else "tap"
        expect = [rf"eth0 is {kind}:{link}0", rf"eth1 is {kind}:{link}1"]

    router = None
    log = tempfile.NamedTemporaryFile(prefix=f"router-{args.lab}-", suffix=".log", delete=False)
    try:
        code, out = lab.run("up", args.lab, *(["--veth"] if veth else []), *hosts)
        if code != 0:
            print(f"FAIL lab setup: {out}")
            return 1
        router = subprocess.Popen([args.netlab, "sw", args.lab, *command], stdout=log, stderr=subprocess.STDOUT,
                                  start_new_session=True)
        ready, console = wait_for(log.name, r"^router: ready on ", args.boot_timeout, router)
        lab.check("router boots and configures its interfaces", ready,
                  "ready" if ready else f"console:\n{console}")
        if ready:
            missing = [e for e in expect if re.search(e, console) is None]
            lab.check("NICs driven as expected", not missing,
                      f"missing {missing}" if missing else
                      " | ".join(re.findall(r"(?:halite: virtio.*|net: eth\d.*)$", console, re.M)))
            traffic_checks(lab)
            if veth:
                ring_overflow_check(lab, router, log.name)
    except Terminated as e:
        print(f"FAIL interrupted: {e}")
        lab.results.append(("interrupted", False))
    finally:
        stop(router)
        lab.run("down", args.lab)
        log.close()
        with open(log.name, errors="replace") as f:
            console = f.read()
        os.unlink(log.name)
    problems = re.findall(r"^.*(?:PANIC|AddressSanitizer|runtime error:|LeakSanitizer).*$", console, re.M)
    lab.check("no panic or sanitizer report", not problems, "; ".join(problems) or "clean")
    failed = [name for name, ok in lab.results if not ok]
    if failed:
        print("router console:\n" + console)
        print(f"{len(failed)} of {len(lab.results)} checks failed: {', '.join(failed)}")
        return 1
    print(f"all {len(lab.results)} checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
