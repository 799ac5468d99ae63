#!/bin/sh
# Interim demo until the firewall exists: boots build/images/hello.elf (built by
# `make build`) under QEMU TCG on microvm and on pc, and shows the console.
set -eu
cd "$(dirname "$0")/.."
image=build/images/hello.elf
if [ ! -f "$image" ]; then
    echo "demo: $image is missing; run 'make build' first" >&2
    exit 1
fi
for machine in microvm pc; do
    echo "=== qemu-system-x86_64 -M $machine -accel tcg -m 16M -kernel $image"
    status=0
    timeout 60 qemu-system-x86_64 -M "$machine" -accel tcg -m 16M -nographic -no-reboot \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel "$image" </dev/null || status=$?
    # isa-debug-exit: the guest's exit code C comes back as (C << 1) | 1.
    if [ "$status" -ne 1 ]; then
        echo "demo: hello on $machine exited with QEMU status $status (expected 1: guest code 0)" >&2
        exit 1
    fi
    echo "=== guest exit code 0"
done
