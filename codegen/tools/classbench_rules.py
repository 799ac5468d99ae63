#!/usr/bin/env python3
"""Writes a ClassBench-like NaCl firewall: N rules in one Filter::IP on the forward chain.

Like ClassBench's firewall seeds: source and destination prefixes drawn from a pool of networks so they
nest and overlap (/8 .. /32, with wildcards), protocols tcp/udp/icmp/any, destination ports exact,
ranged, listed or wildcard, source ports mostly wildcard or 1024-65535, some ct.state and ttl tests,
some `not`/`or`, and repeated conditions with other verdicts (shadowed rules). Each TCP/UDP/ICMP rule
sits in its own nested Filter::TCP/UDP/ICMP, so protocols interleave in first-match order. The same
--seed gives the same bytes.

usage: classbench_rules.py --rules N [--seed S] > rules.nacl
"""
import argparse
import random

WELL_KNOWN = [20, 21, 22, 23, 25, 53, 67, 69, 80, 110, 123, 143, 161, 389, 443, 445, 514, 993, 995, 1433,
              1521, 3306, 3389, 5060, 5432, 6379, 8080, 8443]
LENGTHS = [8, 12, 16, 16, 20, 22, 24, 24, 24, 26, 28, 30, 32, 32, 32]


def dotted(v):
    return ".".join(str(v >> s & 255) for s in (24, 16, 8, 0))


class Pool:
    """Networks that rules keep reusing, so prefixes nest and overlap the way real rule sets do."""

    def __init__(self, rng, size):
        self.rng = rng
        self.bases = [rng.randrange(1, 224) << 24 | rng.randrange(1 << 24) for _ in range(size)]

    def prefix(self):
        rng = self.rng
        base = rng.choice(self.bases)
        length = rng.choice(LENGTHS)
        value = base & ((0xFFFFFFFF << (32 - length)) & 0xFFFFFFFF)
        if length >= 24 and rng.random() < 0.5:  # a neighbour inside the same /16
            value = (value & 0xFFFF0000) | (rng.randrange(1 << 16) & ((0xFFFFFFFF << (32 - length)) & 0xFFFF))
        return dotted(value) if length == 32 else f"{dotted(value)}/{length}"


def address_test(rng, pool, field):
    r = rng.random()
    if r < 0.25:
        return None  # wildcard
    if r < 0.30:
        low = rng.choice(pool.bases) & 0xFFFFFF00
        return f"{field} in {dotted(low)}-{dotted(low + rng.randrange(1, 200))}"
    if r < 0.36:
        return f"{field} in [{', '.join(pool.prefix() for _ in range(rng.randrange(2, 5)))}]"
    p = pool.prefix()
    return f"{field} {'in' if '/' in p else '=='} {p}"


def port_test(rng, field):
    r = rng.random()
    if r < 0.30:
        return None
    if r < 0.65:
        return f"{field} == {rng.choice(WELL_KNOWN)}"
    if r < 0.80:
        low = rng.choice([0, 1024, rng.randrange(1, 60000)])
        return f"{field} in {low}-{min(65535, low + rng.choice([1, 9, 99, 1023, 4999, 64511]))}"
    if r < 0.92:
        return f"{field} in [{', '.join(str(rng.choice(WELL_KNOWN)) for _ in range(rng.randrange(2, 6)))}]"
    return f"{field} >= 1024"


def rule(rng, src, dst, previous):
    if previous and rng.random() < 0.04:  # the same condition again, another verdict: shadowed
        proto, tests = rng.choice(previous)
    else:
        proto = rng.choices(["tcp", "udp", "icmp", "ip"], [55, 30, 5, 10])[0]
        tests = [t for t in (address_test(rng, src, "ip.saddr"), address_test(rng, dst, "ip.daddr")) if t]
        if proto == "ip" and not tests:  # a protocol-wide rule with no address would end the rule set early
            p = src.prefix()
            tests.append(f"ip.saddr {'in' if '/' in p else '=='} {p}")
        if proto in ("tcp", "udp"):
            if rng.random() < 0.2:
                tests.append(f"{proto}.sport in 1024-65535")
            dport = port_test(rng, f"{proto}.dport")
            if dport:
                tests.append(dport)
            if proto == "tcp" and rng.random() < 0.05:
                tests.append("syn in tcp.flags")
        elif proto == "icmp" and rng.random() < 0.7:
            tests.append(f"icmp.type == {rng.choice(['echo-request', 'echo-reply', 'destination-unreachable'])}")
        r = rng.random()
        if r < 0.05:
            tests.append("ct.state == new")
        elif r < 0.07:
            tests.append("ip.ttl > 1")
        elif r < 0.10 and len(tests) >= 2:
            tests = [f"({tests[0]} or {tests[1]})"] + tests[2:]
        elif r < 0.12 and tests:
            tests[0] = f"not {tests[0]}"
        if not tests:  # a protocol-wide rule would shadow everything after it
            tests.append(f"{proto}.dport == {rng.choice(WELL_KNOWN)}" if proto in ("tcp", "udp") else "icmp.type == echo-request")
        previous.append((proto, tests))
    verdict = rng.choices(["accept", "drop", "reject"], [55, 40, 5])[0]
    condition = " and ".join(tests)
    if proto == "ip":
        return f"    if ({condition}) {{ {verdict} }}\n"
    return f"    Filter::{proto.upper()} {{ if ({condition}) {{ {verdict} }} }}\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rules", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    src, dst = Pool(rng, max(8, args.rules // 20)), Pool(rng, max(8, args.rules // 20))
    out = [
        f"# {args.rules} ClassBench-like rules (codegen/tools/classbench_rules.py --rules {args.rules} --seed {args.seed})\n",
        "Iface outside { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\n",
        "Iface inside { index: 1, address: 10.1.0.1, netmask: 255.255.255.0 }\n",
        "Gateway gw {\n  a: { net: 10.0.0.0/24, iface: outside },\n  b: { net: 10.1.0.0/24, iface: inside },\n"
        "  forward: [policy]\n}\n",
        "Filter::IP policy {\n",
        "    if (ct.state in [established, related]) { accept }\n",
    ]
    previous = []
    out += [rule(rng, src, dst, previous) for _ in range(args.rules)]
    out.append("    drop\n}\n")
    print("".join(out), end="")


if __name__ == "__main__":
    main()
