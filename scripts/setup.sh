#!/bin/sh
# Installs every Debian package Halite needs to build, test and demo.
# Idempotent: does nothing (and no apt-get update) when everything is present.
set -eu

PACKAGES="
build-essential cmake ninja-build pkg-config git
clang lld llvm libclang-rt-14-dev libc++-14-dev libc++abi-14-dev clang-format
musl musl-dev musl-tools
qemu-system-x86
antlr4 libantlr4-runtime-dev uuid-dev
nlohmann-json3-dev libcli11-dev
googletest libgtest-dev libgmock-dev libbenchmark-dev
iproute2 iputils-ping netcat-openbsd traceroute tcpdump nftables bridge-utils
python3 python3-scapy netsniff-ng socat curl iperf3 hping3 binutils
dpdk-dev gnuplot-nox dnsmasq-base
"

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    SUDO=sudo
else
    SUDO=
fi

echo "setup: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
