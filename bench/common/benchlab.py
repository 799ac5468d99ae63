"""Shared pieces of the forwarding benchmarks (bench/net, bench/forward): the namespace lab of scripts/netlab.sh,
interface counters and offloads, processes started in a namespace and stopped by their own process group, CPU busy
and softirq time from /proc/stat, and a line about the machine.

Import with: sys.path.insert(0, os.path.join(<bench>, "common")); import benchlab
"""
import os
import re
import signal
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NETLAB = os.path.join(ROOT, "scripts", "netlab.sh")

# `ethtool -K DEV FEATURE on|off` with the legacy SIOCETHTOOL commands (ethtool(8) is not installed on the bench
# machines): argv = DEV GET_COMMAND SET_COMMAND VALUE; prints the feature's state afterwards.
ETHTOOL_FEATURES = {"tso": (0x1e, 0x1f), "gro": (0x2b, 0x2c)}
ETHTOOL_SCRIPT = """
import ctypes, fcntl, socket, struct, sys
dev, get, set_, value = sys.argv[1].encode(), *map(int, sys.argv[2:])
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
def call(command, data=0):
    ev = ctypes.create_string_buffer(struct.pack("II", command, data), 8)  # struct ethtool_value
    fcntl.ioctl(sock, 0x8946, struct.pack("16sP", dev, ctypes.addressof(ev)))  # SIOCETHTOOL, struct ifreq
    return struct.unpack("II", ev.raw)[1]
call(set_, value)
print(call(get))
"""


def sh(*cmd, check=True, timeout=60, input=None):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout,
                       input=input)
    if check and p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: {p.stdout}")
    return p.stdout


class Lab:
    """scripts/netlab.sh's namespaces LAB-sw (the router under test), LAB-HOST... (the hosts)."""

    def __init__(self, name):
        self.name = name
        self.sw = f"{name}-sw"

    def up(self, *hosts, veth=True):
        sh(NETLAB, "up", self.name, *(["--veth"] if veth else []), *hosts)

    def down(self):
        sh(NETLAB, "down", self.name, check=False)

    def ns(self, host, *cmd, check=True, timeout=60, input=None):
        return sh("ip", "netns", "exec", f"{self.name}-{host}", *cmd, check=check, timeout=timeout, input=input)

    def nft(self, host, script, timeout=60):
        """Runs an nft script (several commands or a ruleset file's text) in one transaction."""
        return self.ns(host, "nft", "-f", "-", timeout=timeout, input=script)

    def counter(self, host, dev, name):
        return int(self.ns(host, "cat", f"/sys/class/net/{dev}/statistics/{name}").strip())

    def counters(self, *points):
        """Several (host, dev, counter) at once, with one process per host."""
        out = []
        by_host = {}
        for host, dev, name in points:
            by_host.setdefault(host, []).append(f"/sys/class/net/{dev}/statistics/{name}")
        values = {}
        for host, files in by_host.items():
            text = self.ns(host, "cat", *files)
            values[host] = [int(v) for v in text.split()]
        index = {h: 0 for h in by_host}
        for host, _, _ in points:
            out.append(values[host][index[host]])
            index[host] += 1
        return out

    def ethtool(self, host, dev, feature, on):
        """Turns an offload of `dev` in the host's namespace on or off; returns its state afterwards."""
        get, set_ = ETHTOOL_FEATURES[feature]
        out = self.ns(host, sys.executable, "-c", ETHTOOL_SCRIPT, dev, str(get), str(set_), str(int(on)))
        return out.strip() == "1"

    def mac(self, host, dev):
        return re.search(r"link/ether ([0-9a-f:]{17})", self.ns(host, "ip", "link", "show", dev)).group(1)

    def start(self, host, *cmd, log=None):
        """A long-running process in a namespace, in its own session (stopped with stop())."""
        return Process(["ip", "netns", "exec", f"{self.name}-{host}", *cmd], log)


class Process:
    """A child process in its own process group; its output goes to a temporary file, or line by line to
    `on_line(timestamp, line)` when given."""

    def __init__(self, argv, on_line=None):
        self.lines = []
        self.on_line = on_line
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                     start_new_session=True, bufsize=1)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            now = time.monotonic()
            self.lines.append((now, line.rstrip("\n")))
            if self.on_line:
                self.on_line(now, line)

    def output(self):
        return "\n".join(line for _, line in self.lines)

    def wait_for(self, pattern, timeout, since=None):
        """The time of the first line (printed after `since`, when given) that matches `pattern` (a regex), or
        None on timeout or exit."""
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern)
        seen = 0
        while True:
            exited = self.proc.poll() is not None
            if exited:
                self.reader.join(1)
            lines = self.lines[seen:]
            seen += len(lines)
            for t, line in lines:
                if (since is None or t > since) and regex.search(line):
                    return t
            if exited or time.monotonic() >= deadline:
                return None
            time.sleep(0.01)

    def send_signal(self, sig):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                pass

    def stop(self, sig=signal.SIGTERM, timeout=5):
        """Signals the process group, waits, and insists with SIGKILL. Returns the exit status."""
        self.send_signal(sig)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.send_signal(signal.SIGKILL)
            self.proc.wait()
        self.reader.join(2)
        return self.proc.returncode


def cpu_times():
    """Per-CPU (busy, total, softirq, steal) jiffies from /proc/stat."""
    out = []
    with open("/proc/stat") as f:
        for line in f:
            if re.match(r"cpu\d+ ", line):
                v = [int(x) for x in line.split()[1:]]
                out.append((sum(v) - v[3] - v[4], sum(v), v[6], v[7] if len(v) > 7 else 0))
    return out


def cpu_share(before, after, field):
    """% of each CPU's time between two cpu_times() in one of their fields (0 busy, 2 softirq, 3 steal)."""
    return [100 * (a[field] - b[field]) / max(1, a[1] - b[1]) for b, a in zip(before, after)]


def cpu_busy(before, after):
    """Busy % of each CPU between two cpu_times() (everything on the machine, not only the routers)."""
    return cpu_share(before, after, 0)


def cpu_softirq(before, after):
    """Softirq % of each CPU between two cpu_times(): where the kernel's packet processing ran (a busy-polling
    process keeps a CPU 100% busy whatever else runs there, so busy % alone does not show it)."""
    return cpu_share(before, after, 2)


def cpu_steal(before, after):
    """Steal % of each CPU between two cpu_times(): time the hypervisor ran something else on this virtual CPU
    while it had work (counted in busy %: a point with steal lost that share of its CPU to another machine)."""
    return cpu_share(before, after, 3)


def thread_seconds(pids):
    """CPU seconds used so far by every thread of the processes `pids` (from /proc/PID/task/*/schedstat)."""
    total = 0
    for pid in pids:
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except FileNotFoundError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{pid}/task/{task}/schedstat") as f:
                    total += int(f.read().split()[0])
            except (FileNotFoundError, ProcessLookupError):
                pass
    return total / 1e9


def machine():
    with open("/proc/cpuinfo") as f:
        model = re.search(r"model name\s*:\s*(.*)", f.read())
    return (f"{os.cpu_count()} CPUs, {model.group(1) if model else '?'}, Linux {os.uname().release}, "
            f"load {os.getloadavg()[0]:.2f} at start")
