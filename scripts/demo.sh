#!/bin/sh
# make demo: compile examples/firewall.nacl with naclc, boot the image under QEMU TCG between two networks
# of namespaces, and show which traffic passes and which does not, and why (the rule that decides).
#
#   outside 10.0.0.0/24: client 10.0.0.10, admin 10.0.0.5, banned 10.0.0.66  ->  appliance eth0 10.0.0.1
#   inside  10.1.0.0/24: server 10.1.0.2 (HTTP on 80 and 8080, "ssh" on 22, something on 9000) -> eth1 10.1.0.1
#
# Each step states what it expects; the demo exits 1 if any goes the other way. Everything it starts (lab
# namespaces, QEMU, servers) is removed on exit, also on failure or Ctrl-C.
#   BUILD=DIR     the build tree with bin/naclc and lib/halite (default: build, as `make build` makes it)
#   DEMO_LAB=NAME the lab's name (namespaces NAME-*), default demo
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
LAB=${DEMO_LAB:-demo}
naclc=$BUILD/bin/naclc
netlab=scripts/netlab.sh
[ "$(id -u)" -eq 0 ] || { echo "demo: needs root (network namespaces)" >&2; exit 1; }
[ -x "$naclc" ] || { echo "demo: $naclc is missing; run 'make build' first" >&2; exit 1; }

work=$(mktemp -d)
qemu_pid=""
cleanup() {
    [ -n "$qemu_pid" ] && kill "$qemu_pid" 2>/dev/null || true
    "$netlab" down "$LAB" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -t 1 ]; then bold=$(printf '\033[1m') green=$(printf '\033[32m') red=$(printf '\033[31m') off=$(printf '\033[0m')
else bold="" green="" red="" off=""; fi
failures=0
say() { printf '\n%s%s%s\n' "$bold" "$*" "$off"; }
host() { h=$1; shift; "$netlab" host "$LAB" "$h" "$@"; }

# step EXPECT(pass|block) "what" "why" HOST COMMAND...: runs COMMAND in HOST's namespace (exit 0 = it got
# through) and compares.
step() {
    expect=$1 what=$2 why=$3 where=$4
    shift 4
    printf '\n%s%s%s\n    %s\n    %s$ %s\n' "$bold" "$what" "$off" "$why" "$where" "$*"
    if host "$where" "$@" </dev/null >"$work/out" 2>&1; then got=pass; else got=block; fi
    sed 's/^/      /' "$work/out" | tail -n 3
    if [ "$got" = "$expect" ]; then
        [ "$got" = pass ] && printf '    %s-> passes, as expected%s\n' "$green" "$off" ||
            printf '    %s-> blocked, as expected%s\n' "$green" "$off"
    else
        printf '    %s-> UNEXPECTED: %s (expected %s)%s\n' "$red" "$got" "$expect" "$off"
        failures=$((failures + 1))
    fi
}

say "1. naclc build examples/firewall.nacl"
"$naclc" build examples/firewall.nacl -o "$work/firewall.elf"

say "2. the lab: outside 10.0.0.0/24 (client, admin, banned), inside 10.1.0.0/24 (server)"
"$netlab" up "$LAB" client:10.0.0.10/24:10.0.0.1 server:10.1.0.2/24:10.1.0.1
# Two more outside hosts on the client's bridge (named LAB-*, so `netlab.sh down` removes them too).
i=0
for spec in admin:10.0.0.5 banned:10.0.0.66; do
    name=${spec%%:*} addr=${spec#*:} ns="$LAB-${spec%%:*}"
    ip netns add "$ns"
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    ip -n "$LAB-sw" link add "x$i" type veth peer name eth0 netns "$ns"
    ip -n "$LAB-sw" link set "x$i" master br0 up
    ip -n "$ns" addr add "$addr/24" dev eth0
    ip -n "$ns" link set lo up
    ip -n "$ns" link set eth0 up
    ip -n "$ns" route add default via 10.0.0.1
    echo "    $name $addr"
    i=$((i + 1))
done
mkdir "$work/www"
echo "hello from the server behind the Halite firewall" >"$work/www/index.html"
for port in 80 8080; do
    host server timeout 120 /usr/bin/python3 -m http.server "$port" --bind 10.1.0.2 --directory "$work/www" \
        >/dev/null 2>&1 &
done
for port in 22 9000; do
    host server timeout 120 socat "TCP-LISTEN:$port,bind=10.1.0.2,fork,reuseaddr" EXEC:"echo SSH-2.0-demo" \
        >/dev/null 2>&1 &
done
echo "    server: HTTP on 80 and 8080, listeners on 22 (ssh) and 9000"

say "3. boot the appliance: qemu-system-x86_64 -M microvm -accel tcg -kernel firewall.elf (NIC 0 outside, NIC 1 inside)"
"$netlab" sw "$LAB" timeout 120 qemu-system-x86_64 -M microvm -accel tcg -m 64M -nographic -no-reboot \
    -kernel "$work/firewall.elf" \
    -netdev tap,id=n0,ifname=tap0,script=no,downscript=no -device virtio-net-device,netdev=n0 \
    -netdev tap,id=n1,ifname=tap1,script=no,downscript=no -device virtio-net-device,netdev=n1 \
    </dev/null >"$work/console" 2>&1 &
qemu_pid=$!
n=0
until grep -q '^appliance: [0-9]* routes' "$work/console" 2>/dev/null; do
    n=$((n + 1))
    if [ $n -gt 300 ] || ! kill -0 "$qemu_pid" 2>/dev/null; then
        cat "$work/console"
        echo "demo: the appliance did not come up" >&2
        exit 1
    fi
    sleep 0.1
done
sed 's/^/    console: /' "$work/console"

say "4. traffic"
step pass "client 10.0.0.10 pings the server 10.1.0.2" \
    "forward_policy, Filter::ICMP: icmp.type == echo-request -> accept (the reply is ct.state established)" \
    client ping -c 2 -i 0.3 -W 2 10.1.0.2
step pass "client fetches http://10.1.0.2/" \
    "forward_policy: ip.daddr in servers and tcp.dport in web_ports (http) -> accept" \
    client curl -sS -m 5 http://10.1.0.2/
step pass "client fetches http://10.1.0.2:8080/" \
    "forward_policy: 8080 is the last port of the range 8000-8080 in web_ports -> accept" \
    client curl -sS -m 5 http://10.1.0.2:8080/
step pass "admin 10.0.0.5 opens ssh to the server" \
    "forward_policy: tcp.dport == ssh and ip.saddr in admins -> accept" \
    admin nc -w 3 10.1.0.2 22
step block "client 10.0.0.10 opens ssh to the server" \
    "not in admins: no rule accepts it, the last statement of forward_policy drops it" \
    client nc -z -w 2 10.1.0.2 22
step block "banned 10.0.0.66 fetches http://10.1.0.2/" \
    "forward_policy: ip.saddr in banned -> syslog(warning, ...) and drop, before any port is looked at" \
    banned curl -sS -m 2 http://10.1.0.2/
step block "client connects to port 9000 of the server (something listens there)" \
    "9000 is not in web_ports (http, https, 8000-8080): the final drop" \
    client nc -z -w 2 10.1.0.2 9000
step pass "client pings the appliance 10.0.0.1" \
    "outside's input chain, protect_appliance: icmp.type == echo-request -> accept" \
    client ping -c 1 -W 2 10.0.0.1

say "5. what the appliance said (its console; syslog goes there: firewall.nacl has no Syslog element)"
grep -E '^syslog ' "$work/console" | sed 's/^/    /' || true
if ! grep -q '^syslog warning: banned host 10.0.0.66 tried 10.1.0.2' "$work/console"; then
    echo "    ${red}UNEXPECTED: no syslog line for the banned host${off}"
    failures=$((failures + 1))
fi

if [ "$failures" -ne 0 ]; then
    say "${red}demo: $failures step(s) went the wrong way${off}"
    exit 1
fi
say "${green}demo: every step went as the rules say${off}"
