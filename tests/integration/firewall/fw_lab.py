#!/usr/bin/python3
"""End-to-end firewall tests: compile a .nacl with naclc, boot the image under QEMU TCG between the hosts of
a namespace lab (scripts/netlab.sh), and check real traffic through it with real tools.

  fw_lab.py --netlab scripts/netlab.sh --naclc build/bin/naclc --lab LAB --scenario NAME [--platform microvm|pc]
            [--prepared]

--prepared builds every rule run as a table and prepares every table (naclc --table-threshold 1 --prepare-kib
0: the forward chain's lookups are done ahead for each received burst), adds a statistics Timer, and after the
scenario's checks requires the statistics to show prepared answers taken.

The scenarios (their configurations are NAME.nacl next to this file) are in fw_scenarios.py. Every check
prints PASS or FAIL with what it saw; the exit status is 0 only when all passed (and there was at least one).
The lab, QEMU and every helper are torn down on the way out, also on failure or SIGTERM/SIGINT.
"""
import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(HERE, "..", "net"))
from router_lab import Lab, Terminated, on_signal, stop, wait_for  # noqa: E402

import fw_scenarios  # noqa: E402

TOOLS = ["/usr/bin/python3", os.path.join(HERE, "fw_tools.py")]
SAFETY_SECONDS = 240  # QEMU runs under `timeout`: it stops by itself even if this script is killed hard
MACHINES = {"microvm": ("microvm", "virtio-net-device", ""), "pc": ("pc", "virtio-net-pci", ",romfile=")}


class Run(Lab):
    """One booted appliance in one lab: helpers in the hosts, captures, crafted packets."""

    def __init__(self, netlab, name, work, source_dir):
        super().__init__(netlab, name)
        self.work = work
        self.source_dir = source_dir
        self.console_path = os.path.join(work, "console.log")
        self.background = []

    def console(self):
        with open(self.console_path, errors="replace") as f:
            return f.read()

    def spawn(self, host, *cmd):
        """A helper in a host namespace, output to a file; stopped (its process group) at the end."""
        path = os.path.join(self.work, f"bg{len(self.background)}-{host}.log")
        with open(path, "w") as out:
            p = subprocess.Popen([self.netlab, "host", self.name, host, *cmd], stdout=out,
                                 stderr=subprocess.STDOUT, start_new_session=True)
        self.background.append(p)
        return p, path

    def serve(self, host, seconds, *specs):
        """fw_tools serve: returns a function that reads its log so far."""
        p, path = self.spawn(host, *TOOLS, "serve", str(seconds), *specs)
        ready, text = wait_for(path, r"^ready$", 20, p)
        self.check(f"{host} serves {' '.join(specs)}", ready, "ready" if ready else text)
        return lambda: open(path, errors="replace").read()

    def spawn_ready(self, host, pattern, *cmd):
        p, path = self.spawn(host, *cmd)
        ready, text = wait_for(path, pattern, 20, p)
        self.check(f"{host}: {os.path.basename(cmd[0])} started", ready, "ready" if ready else text)
        return p, path

    def probe(self, host, timeout, *specs):
        code, out = self.host(host, *TOOLS, "probe", str(timeout), *specs, timeout=timeout * 4 + 30)
        results = {}
        for line in out.splitlines():
            parts = line.split(" ", 2)
            if len(parts) >= 2 and parts[0] in specs:
                results[parts[0]] = (parts[1], parts[2] if len(parts) > 2 else "")
        for spec in specs:
            results.setdefault(spec, ("error", out.strip()))
        return results

    def expect(self, host, timeout, expectations, why):
        """Probes {spec: expected result} from host, all at once; one check per spec."""
        results = self.probe(host, timeout, *expectations)
        for spec, wanted in expectations.items():
            got, detail = results[spec]
            self.check(f"{why}: {host} {spec} is {wanted}", got == wanted, f"{got} ({detail})")
        return results

    def scapy(self, host, *actions):
        code, out = self.host(host, *TOOLS, "scapy", *actions, timeout=60)
        lines = {}
        for line in out.splitlines():
            for a in actions:
                if line.startswith(a + " "):
                    lines[a] = line[len(a) + 1:]
        for a in actions:
            lines.setdefault(a, f"no result: {out.strip()}")
        return lines

    def capture(self, host, bpf):
        """tcpdump in host (text, numeric, one line per packet); .stop() returns the lines."""
        p, path = self.spawn(host, "timeout", "120", "tcpdump", "-i", "eth0", "-n", "-l", "-U", "-v", bpf)
        ready, text = wait_for(path, r"listening on eth0", 20, p)
        self.check(f"tcpdump in {host} ({bpf})", ready, "listening" if ready else text)

        class Capture:
            def stop(_self):
                time.sleep(0.3)  # what is on the wire reaches the capture
                stop(p)
                # One entry per packet: tcpdump -v continues a packet on indented lines.
                packets = []
                with open(path, errors="replace") as f:
                    for line in f.read().splitlines():
                        if not line.strip() or re.match(r"(tcpdump:|listening on|\d+ packets? )", line):
                            continue
                        if line[0].isspace() and packets:
                            packets[-1] += " " + line.strip()
                        else:
                            packets.append(line.strip())
                return packets

        return Capture()

    def stop_all(self):
        for p in self.background:
            stop(p)


def build(naclc, nacl, image, platform, lab, extra=()):
    start = time.monotonic()
    p = subprocess.run([naclc, "build", nacl, "-o", image, "--platform", platform, *extra], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=300)
    ok = p.returncode == 0 and os.path.exists(image)
    lab.check(f"naclc build {os.path.basename(nacl)} --platform {platform}", ok,
              f"{os.path.getsize(image)} bytes in {time.monotonic() - start:.1f} s" if ok else p.stdout)
    return ok


def check_prepared(run, qemu):
    """The statistics line printed after the scenario's traffic counts prepared forward lookups taken."""
    pattern = r"forward lookups prepared (\d+), used (\d+)"
    with open(run.console_path) as f:
        printed = len(re.findall(pattern, f.read()))
    deadline = time.monotonic() + 5
    counts = []
    while time.monotonic() < deadline and len(counts) <= printed:
        time.sleep(0.2)
        with open(run.console_path) as f:
            counts = re.findall(pattern, f.read())
    last = counts[-1] if len(counts) > printed else None
    run.check("forward lookups prepared for received bursts, and taken", last is not None and int(last[1]) > 0,
              f"prepared {last[0]}, used {last[1]}" if last else "no statistics line after the traffic")


def qemu_command(qemu, platform, image, nics):
    machine, device, options = MACHINES[platform]
    command = ["timeout", str(SAFETY_SECONDS), qemu, "-M", machine, "-accel", "tcg", "-m", "64M", "-nographic",
               "-no-reboot", "-kernel", image]
    for i in range(nics):
        command += ["-netdev", f"tap,id=n{i},ifname=tap{i},script=no,downscript=no",
                    "-device", f"{device},netdev=n{i},mac=52:54:00:fe:00:0{i}{options}"]
    return command


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--netlab", required=True)
    p.add_argument("--naclc", required=True)
    p.add_argument("--lab", required=True)
    p.add_argument("--scenario", required=True, choices=sorted(fw_scenarios.SCENARIOS))
    p.add_argument("--platform", default="microvm", choices=sorted(MACHINES))
    p.add_argument("--qemu", default="qemu-system-x86_64")
    p.add_argument("--boot-timeout", type=float, default=60)
    p.add_argument("--launcher", default="qemu", choices=["qemu", "naclc-run"],
                   help="boot with our QEMU line after naclc build, or with `naclc run --tap ...` (which builds too)")
    p.add_argument("--prepared", action="store_true", help="prepared lookups for every table (see above)")
    args = p.parse_args()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    scenario = fw_scenarios.SCENARIOS[args.scenario]
    work = tempfile.mkdtemp(prefix=f"fw-{args.lab}-")
    run = Run(args.netlab, args.lab, work, HERE)
    nacl = os.path.join(HERE, scenario.nacl) if not os.path.isabs(scenario.nacl) else scenario.nacl
    image = os.path.join(work, "appliance.elf")
    extra = []
    if args.prepared:
        with open(nacl) as f, open(os.path.join(work, scenario.nacl), "w") as out:
            out.write(f.read() + "\nTimer prepared_stats { interval: 1, data: [stats] }\n")
        nacl, extra = os.path.join(work, scenario.nacl), ["--table-threshold", "1", "--prepare-kib", "0"]
    qemu = None
    try:
        naclc_tmp = os.path.join(work, "naclc-tmp")  # naclc run's TMPDIR: empty again once it is stopped
        if args.launcher == "naclc-run":
            os.mkdir(naclc_tmp)
            command = ["env", f"TMPDIR={naclc_tmp}", "timeout", str(SAFETY_SECONDS), args.naclc, "run", nacl,
                       "--platform", args.platform]
            for i in range(len(scenario.hosts)):
                command += ["--tap", f"tap{i}"]
        else:
            command = qemu_command(args.qemu, args.platform, image, len(scenario.hosts))
        if args.launcher == "naclc-run" or build(args.naclc, nacl, image, args.platform, run, extra):
            code, out = run.run("up", args.lab, *scenario.hosts)
            if code != 0:
                run.check("lab setup", False, out)
            else:
                for host, cmd in scenario.setup:
                    code, out = run.host(host, *cmd)
                    run.check(f"{host}: {' '.join(cmd)}", code == 0, out or "ok")
                if scenario.before_boot:
                    scenario.before_boot(run)
                with open(run.console_path, "w") as console:
                    qemu = subprocess.Popen(
                        [args.netlab, "sw", args.lab, *command],
                        stdin=subprocess.DEVNULL, stdout=console, stderr=subprocess.STDOUT, start_new_session=True)
                ready, text = wait_for(run.console_path, r"^appliance: \d+ routes", args.boot_timeout, qemu)
                run.check(f"appliance boots on {args.platform}", ready,
                          ready and " | ".join(re.findall(r"^appliance: .*$", text, re.M)) or f"console:\n{text}")
                if ready:
                    scenario.checks(run)
                if ready and args.prepared:
                    check_prepared(run, qemu)
    except Terminated as e:
        run.check("interrupted", False, str(e))
    finally:
        run.stop_all()
        stop(qemu)
        if args.launcher == "naclc-run" and qemu is not None:
            # Stopped with SIGTERM, naclc passes it on to QEMU, waits for it and removes its work directory.
            deadline = time.monotonic() + 10
            while os.listdir(naclc_tmp) and time.monotonic() < deadline:
                time.sleep(0.1)
            left = os.listdir(naclc_tmp)
            run.check("naclc run, stopped, left no temporary files", not left, f"left {left}" if left else "none")
        run.run("down", args.lab)
        console = run.console() if os.path.exists(run.console_path) else ""
        shutil.rmtree(work, ignore_errors=True)
    problems = re.findall(r"^.*(?:PANIC|panic:|AddressSanitizer|runtime error:).*$", console, re.M)
    run.check("no panic in the appliance", not problems, "; ".join(problems) or "clean")
    failed = [name for name, ok in run.results if not ok]
    if failed:
        print("appliance console:\n" + console)
        print(f"{len(failed)} of {len(run.results)} checks failed:\n  " + "\n  ".join(failed))
        return 1
    print(f"all {len(run.results)} checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
