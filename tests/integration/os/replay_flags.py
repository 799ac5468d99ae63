#!/usr/bin/python3
"""Builds examples/hello the way `naclc build` will, without CMake: from
build/lib/halite/image.flags (compile, then the link driver) and linux.flags,
then runs both. Guards the flags-file contract described in os/README.md.

  replay_flags.py --flags-dir build/lib/halite --source examples/hello/main.cpp --work DIR
"""
import argparse
import os
import shutil
import subprocess
import sys


def read_flags(path):
    entries = {}
    for line in open(path):
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition(" ")
        entries.setdefault(key, []).append(value)
    if entries.get("format") != ["1"]:
        sys.exit(f"{path}: unknown format {entries.get('format')}")
    return entries


def run(command, check=True, **kwargs):
    print("$ " + " ".join(command), flush=True)
    return subprocess.run(command, check=check, **kwargs)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--flags-dir", required=True)
    p.add_argument("--source", required=True)
    p.add_argument("--work", required=True)
    args = p.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)

    image = read_flags(os.path.join(args.flags_dir, "image.flags"))
    obj = os.path.join(args.work, "app.o")
    run([image["cxx"][0], "@" + image["compile_rsp"][0]] + ["-I" + i for i in image.get("include", [])] +
        ["-c", args.source, "-o", obj])
    libs = [lib for lib in image["lib"] if lib.endswith("_image.a")]
    elf = os.path.join(args.work, "app.elf")
    run([image["link_driver"][0], elf, obj] + libs)
    boot = run(["qemu-system-x86_64", "-M", "microvm", "-accel", "tcg", "-m", "16M", "-nographic", "-no-reboot",
                "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-kernel", elf],
               stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, timeout=60, check=False)
    print(boot.stdout.decode())
    if boot.returncode != 1 or b"timer fired" not in boot.stdout:
        sys.exit(f"FAIL: the replayed image exited with {boot.returncode}")

    linux = read_flags(os.path.join(args.flags_dir, "linux.flags"))
    exe = os.path.join(args.work, "app-linux")
    run([linux["cxx"][0]] + linux.get("cxxflag", []) + ["-I" + i for i in linux.get("include", [])] +
        [args.source] + linux["lib"] + linux.get("ldflag", []) + ["-o", exe])
    proc = run([exe], stdout=subprocess.PIPE, timeout=30, check=False)
    print(proc.stdout.decode())
    if proc.returncode != 0 or b"timer fired" not in proc.stdout:
        sys.exit(f"FAIL: the replayed linux program exited with {proc.returncode}")
    print("replay ok")


if __name__ == "__main__":
    main()
