#!/usr/bin/env python3
"""Writes a NaCl configuration with N filter rules (default 100,000).

The rules look like ClassBench firewall sets: source and destination prefixes
of mixed lengths (some wildcards), exact ports, port ranges and port lists,
overlapping entries, TCP/UDP/IP rules, accepts and drops. The output is the
same for the same --seed, so timings compare runs, not inputs.

usage: generate_rules.py [--rules N] [--seed S] > big.nacl
"""
import argparse
import random


def prefix(rng):
    length = rng.choice([8, 12, 16, 16, 20, 24, 24, 24, 28, 32, 32])
    a = rng.randrange(1, 224)
    b, c, d = rng.randrange(256), rng.randrange(256), rng.randrange(256)
    value = (a << 24 | b << 16 | c << 8 | d) & ((0xFFFFFFFF << (32 - length)) & 0xFFFFFFFF)
    text = ".".join(str(value >> s & 255) for s in (24, 16, 8, 0))
    return text if length == 32 else f"{text}/{length}"


def ports(rng):
    kind = rng.random()
    if kind < 0.45:
        return None  # wildcard
    if kind < 0.75:
        return str(rng.choice([22, 25, 53, 80, 110, 143, 443, 993, 3306, 5432, 8080, rng.randrange(1, 65536)]))
    if kind < 0.9:
        low = rng.randrange(1, 65000)
        return f"{low}-{min(65535, low + rng.choice([1, 10, 100, 1000, 5000]))}"
    return "[" + ", ".join(str(rng.randrange(1, 65536)) for _ in range(rng.randrange(2, 6))) + "]"


def rule(rng, proto):
    tests = []
    for field in ("ip.saddr", "ip.daddr"):
        if rng.random() < 0.8:
            p = prefix(rng)
            tests.append(f"{field} {'in' if '/' in p else '=='} {p}")
    if proto in ("tcp", "udp"):
        dport = ports(rng)
        if dport:
            op = "in" if not dport.isdigit() else "=="
            tests.append(f"{proto}.dport {op} {dport}")
        if rng.random() < 0.2:
            tests.append(f"{proto}.sport in 1024-65535")
    if not tests:
        tests.append("ip.ttl > 1")
    verdict = "accept" if rng.random() < 0.6 else "drop"
    return f"        if ({' and '.join(tests)}) {{ {verdict} }}\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rules", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    tcp = args.rules * 6 // 10
    udp = args.rules * 3 // 10
    ip = args.rules - tcp - udp
    out = [
        f"# {args.rules} generated rules (generate_rules.py --seed {args.seed})\n",
        "Iface outside { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\n",
        "Iface inside { index: 1, address: 10.1.0.1, netmask: 255.255.255.0 }\n",
        "Gateway gw {\n  a: { net: 10.0.0.0/24, iface: outside },\n  b: { net: 10.1.0.0/24, iface: inside },\n"
        "  forward: [policy]\n}\n",
        "Conntrack ct { limit: 100000 }\n",
        "Filter::IP policy {\n",
        "    if (ct.state in [established, related]) { accept }\n",
        "    Filter::TCP {\n",
    ]
    out += [rule(rng, "tcp") for _ in range(tcp)]
    out.append("    }\n    Filter::UDP {\n")
    out += [rule(rng, "udp") for _ in range(udp)]
    out.append("    }\n")
    out += [rule(rng, "ip").replace("        ", "    ", 1) for _ in range(ip)]
    out.append("    drop\n}\n")
    print("".join(out), end="")


if __name__ == "__main__":
    main()
