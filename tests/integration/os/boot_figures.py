#!/usr/bin/python3
"""Measures the os figures recorded in bench/results/os.md:

  boot_figures.py --images build/images [--runs 10]

- stripped size of hello.elf (from hello.size.txt, written by the image link),
- boot time from the image's first instruction to main(), as the image itself
  reports it (TSC, "Halite booted in X ms"), per machine type under TCG,
- wall time of the whole QEMU process from start to exit, per machine type,
- the smallest -m hello boots and runs with, per machine type (128 KiB steps).
"""
import argparse
import os
import re
import statistics
import subprocess
import time

BOOTED = re.compile(r"Halite booted in ([0-9.]+) ms")


def boot(image, machine, memory, timeout=20):
    command = ["qemu-system-x86_64", "-M", machine, "-accel", "tcg", "-m", memory, "-nographic", "-no-reboot",
               "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-kernel", image]
    started = time.monotonic()
    try:
        run = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    wall = time.monotonic() - started
    text = run.stdout.decode("utf-8", "replace")
    match = BOOTED.search(text)
    if run.returncode != 1 or not match or "timer fired" not in text:
        return None
    return float(match.group(1)), wall


def smallest_memory(image, machine):
    """Smallest -m in KiB (128 KiB steps from 1 MiB) at which hello runs twice in a row."""
    for kib in range(1024, 8 * 1024 + 1, 128):
        if all(boot(image, machine, f"{kib}K", timeout=10) for _ in range(2)):
            return kib
    return None


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--images", required=True)
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--machines", default="microvm,pc,q35")
    args = p.parse_args()
    image = os.path.join(args.images, "hello.elf")
    sizes = dict(line.split(maxsplit=1) for line in open(os.path.join(args.images, "hello.size.txt")))

    print(f"load average before: {os.getloadavg()[0]:.2f}")
    print(f"hello.stripped.elf: {sizes['stripped_bytes'].strip()} bytes "
          f"({int(sizes['stripped_bytes']) / 1024:.1f} KiB); hello.elf with symbols and debug info: "
          f"{sizes['file_bytes'].strip()} bytes")
    print()
    print("| machine | boot to main (ms, median / min / max) | QEMU wall time to exit (s, median / min / max) | smallest -m |")
    print("|---|---|---|---|")
    for machine in args.machines.split(","):
        results = [r for r in (boot(image, machine, "64M") for _ in range(args.runs)) if r]
        boots = [r[0] for r in results]
        walls = [r[1] for r in results]
        smallest = smallest_memory(image, machine)
        failed = args.runs - len(results)
        print(f"| {machine} | {statistics.median(boots):.1f} / {min(boots):.1f} / {max(boots):.1f} "
              f"| {statistics.median(walls):.3f} / {min(walls):.3f} / {max(walls):.3f} "
              f"| {smallest} KiB |" + (f" ({failed} failed runs)" if failed else ""))
    print()
    print(f"runs per machine: {args.runs}; load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
