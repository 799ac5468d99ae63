#!/usr/bin/python3
"""Boots an image under QEMU (TCG) or runs a linux-platform program, and checks
its console output and exit code.

  run_qemu.py --image hello.elf --machine microvm --memory 64M \
      --expect 'Halite booted' --exit-code 0 [--append ...] [--qemu-arg ...]
  run_qemu.py --linux build/bin/hello-linux --expect 'timer fired' --exit-code 0

With isa-debug-exit (the default) a guest stopping with code C makes QEMU exit
with (C << 1) | 1; --exit-code is the guest's code. --no-debug-exit leaves the
device out: the guest must power off through ACPI (QEMU exits with 0).
"""
import argparse
import re
import subprocess
import sys
import time

ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1bc")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--image")
    p.add_argument("--linux", nargs=argparse.REMAINDER, help="program and arguments (last option)")
    p.add_argument("--machine", default="microvm")
    p.add_argument("--memory", default="64M")
    p.add_argument("--append", default=None)
    p.add_argument("--qemu", default="qemu-system-x86_64")
    p.add_argument("--qemu-arg", action="append", default=[])
    p.add_argument("--no-debug-exit", action="store_true")
    p.add_argument("--expect", action="append", default=[], help="regex that must appear")
    p.add_argument("--reject", action="append", default=[], help="regex that must not appear")
    p.add_argument("--exit-code", type=int, default=0)
    p.add_argument("--timeout", type=float, default=60)
    args = p.parse_args()

    if args.linux:
        command = args.linux
        expected_status = args.exit_code
    else:
        command = [args.qemu, "-M", args.machine, "-accel", "tcg", "-m", args.memory, "-nographic", "-no-reboot",
                   "-kernel", args.image]
        if not args.no_debug_exit:
            command += ["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
        if args.append is not None:
            command += ["-append", args.append]
        for extra in args.qemu_arg:
            command += extra.split()
        expected_status = 0 if args.no_debug_exit else (args.exit_code << 1) | 1

    print("$ " + " ".join(command), flush=True)
    started = time.monotonic()
    try:
        run = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             timeout=args.timeout)
        raw, status = run.stdout, run.returncode
    except subprocess.TimeoutExpired as e:
        raw, status = e.stdout or b"", None
    elapsed = time.monotonic() - started
    text = ANSI.sub(b"", raw).replace(b"\r", b"").decode("utf-8", "replace")
    print(text)
    print(f"--- exit status {status}, {elapsed:.2f} s", flush=True)

    problems = []
    if status is None:
        problems.append(f"timed out after {args.timeout} s")
    elif status != expected_status:
        problems.append(f"exit status {status}, expected {expected_status}")
    for pattern in args.expect:
        if not re.search(pattern, text, re.MULTILINE):
            problems.append(f"missing: {pattern}")
    for pattern in args.reject:
        if re.search(pattern, text, re.MULTILINE):
            problems.append(f"unexpected: {pattern}")
    for problem in problems:
        print("FAIL: " + problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
