#!/bin/sh
# The network-namespace test lab: one "switch" namespace that holds a tap per VM
# NIC, each bridged to a veth whose peer lives in its own host namespace.
#
#   netlab.sh up LAB HOST:ADDR/PREFIX[:GATEWAY] ...   # NIC i <-> tap<i> <-> host i
#   netlab.sh up LAB --veth HOST:ADDR/PREFIX[:GATEWAY] ...
#                                  # NIC i = veth nic<i> in the switch namespace, peer of host i's eth0
#                                  # (for linux-platform appliances on AF_PACKET, and for Linux itself)
#   netlab.sh down LAB                                # kill lab processes, delete namespaces
#   netlab.sh sw LAB CMD...                           # run CMD in the switch namespace (QEMU goes here)
#   netlab.sh host LAB HOST CMD...                    # run CMD in a host namespace
#
# Nothing is created in the root namespace and nothing is routed out: the hosts
# only see the taps of the VM (or linux-platform appliance) under test.
set -eu

die() { echo "netlab: $*" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces)"

cmd=${1:-}; [ -n "$cmd" ] || die "usage: netlab.sh up|down|sw|host LAB ..."
shift
lab=${1:-}; [ -n "$lab" ] || die "missing LAB name"
shift
case "$lab" in *[!a-zA-Z0-9_-]*) die "bad lab name '$lab'";; esac
sw="$lab-sw"

# A lab's namespaces are LAB-sw and LAB-HOST; host names have no '-', so lab "a" never claims the
# namespaces of a lab "a-b" running next to it.
lab_namespaces() {
    ip netns list | awk '{print $1}' | grep -E "^$lab-[a-zA-Z0-9_]+\$" || true
}

down() {
    for ns in $(lab_namespaces); do
        pids=$(ip netns pids "$ns" 2>/dev/null || true)
        [ -n "$pids" ] && kill $pids 2>/dev/null || true
    done
    # Give QEMU a moment to exit cleanly, then insist.
    i=0
    while [ $i -lt 20 ]; do
        busy=""
        for ns in $(lab_namespaces); do
            [ -n "$(ip netns pids "$ns" 2>/dev/null || true)" ] && busy=1
        done
        [ -z "$busy" ] && break
        sleep 0.1; i=$((i + 1))
    done
    for ns in $(lab_namespaces); do
        pids=$(ip netns pids "$ns" 2>/dev/null || true)
        [ -n "$pids" ] && kill -9 $pids 2>/dev/null || true
        ip netns del "$ns" 2>/dev/null || true
    done
}

up() {
    mode=tap
    if [ "${1:-}" = "--veth" ]; then mode=veth; shift; fi
    [ $# -ge 1 ] || die "up needs at least one HOST:ADDR/PREFIX"
    down
    ip netns add "$sw"
    ip -n "$sw" link set lo up
    ip netns exec "$sw" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    idx=0
    for spec in "$@"; do
        host=${spec%%:*}; rest=${spec#*:}
        case "$host" in ""|*[!a-zA-Z0-9_]*) die "'$spec': host names are letters, digits and _";; esac
        addr=${rest%%:*}; gw=""
        [ "$rest" != "$addr" ] && gw=${rest#*:}
        case "$addr" in */*) ;; *) die "'$spec': address needs a /prefix";; esac
        ns="$lab-$host"
        ip netns add "$ns"
        ip -n "$ns" link set lo up
        # Keep the wire quiet: no IPv6 router solicitations or DAD in the tests.
        ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
        if [ "$mode" = veth ]; then
            ip -n "$sw" link add "nic$idx" type veth peer name eth0 netns "$ns"
            ip -n "$sw" link set "nic$idx" up
        else
            ip -n "$sw" tuntap add dev "tap$idx" mode tap
            ip -n "$sw" link add "br$idx" type bridge
            ip -n "$sw" link set "br$idx" type bridge stp_state 0 forward_delay 0
            ip -n "$sw" link add "v$idx" type veth peer name eth0 netns "$ns"
            ip -n "$sw" link set "tap$idx" master "br$idx"
            ip -n "$sw" link set "v$idx" master "br$idx"
            for l in "tap$idx" "v$idx" "br$idx"; do ip -n "$sw" link set "$l" up; done
        fi
        ip -n "$ns" addr add "$addr" dev eth0
        ip -n "$ns" link set eth0 up
        [ -n "$gw" ] && ip -n "$ns" route add default via "$gw"
        idx=$((idx + 1))
    done
}

case "$cmd" in
    up) up "$@" ;;
    down) down ;;
    sw) exec ip netns exec "$sw" "$@" ;;
    host) h=${1:?host}; shift; exec ip netns exec "$lab-$h" "$@" ;;
    *) die "unknown command '$cmd'" ;;
esac
