#!/usr/bin/env python3
"""Writes a NaCl firewall of host rules: N rules in one Filter::IP on the forward chain, most of them about one
client network (a /28 source, any destination) or one server (a destination address, any source), each in a
/24 of its own, plus some TCP and UDP rules about a client and a server and a port. The IP rules hold for
every protocol, so every protocol class of the decision table has a large group narrow in the source and one
narrow in the destination: trees whose entries hash the same /24s in every class (the constant entry shapes of
classifier::first_match_inline). The same --seed gives the same bytes.

usage: host_rules.py --rules N [--seed S] > rules.nacl
"""
import argparse
import random


def dotted(v):
    return ".".join(str(v >> s & 255) for s in (24, 16, 8, 0))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rules", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    # Distinct /24s, so every rule's part of the hashed entry is its own.
    nets = rng.sample(range(1 << 16, 223 << 16), args.rules)
    print("Iface outside { index: 0, address: 10.0.1.1, netmask: 255.255.255.0 }")
    print("Iface inside { index: 1, address: 10.0.2.1, netmask: 255.255.255.0 }")
    print("Gateway gw {")
    print("    clients: { net: 10.0.1.0, netmask: 255.255.255.0, iface: outside },")
    print("    everything: { net: 0.0.0.0, netmask: 0.0.0.0, iface: inside, nexthop: 10.0.2.2 },")
    print("    forward: hosts")
    print("}")
    print("Filter::IP hosts {")
    for i, net in enumerate(nets):
        base = net << 8
        verdict = rng.choice(["accept", "drop"])
        kind = i % 10
        if kind < 4:
            print(f"    if (ip.saddr in {dotted(base | rng.randrange(16) << 4)}/28) {{ {verdict} }}")
        elif kind < 8:
            print(f"    if (ip.daddr == {dotted(base | rng.randrange(1, 255))}) {{ {verdict} }}")
        else:
            proto = rng.choice(["tcp", "udp"])
            other = rng.choice(nets) << 8 | rng.randrange(1, 255)
            port = rng.choice([22, 53, 80, 443, 8080]) if rng.random() < 0.7 else rng.randrange(1, 65536)
            print(f"    Filter::{proto.upper()} {{ if (ip.saddr in {dotted(base)}/24 and ip.daddr == {dotted(other)}"
                  f" and {proto}.dport == {port}) {{ {verdict} }} }}")
    print("    drop")
    print("}")


if __name__ == "__main__":
    main()
