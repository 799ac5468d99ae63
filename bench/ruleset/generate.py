#!/usr/bin/python3
"""ClassBench-style rule sets for the rule-set benchmarks (issue 6): one model, written four ways.

  generate.py --rules N [--profile fw|acl] [--seed S] [--default drop|accept] [--trace-packets M]
              [--outputs nacl,linear.nft,sets.nft,trace,flows.trafgen,json] [--min-set K] -o DIR

writes into DIR (names start with PROFILE-N-sSEED):

  .nacl             a two-Iface firewall (outside 10.0.1.1/24 = NIC 0, inside 10.0.2.1/24 = NIC 1, default route
                    to 10.0.2.2 on inside): a Gateway whose forward chain is one Filter::IP holding the N rules as
                    `if (...) { accept|drop }` statements in order (rules with port tests sit in a nested
                    Filter::TCP/UDP), then the default verdict
  .linear.nft       the same rules for nftables, one nft rule per NaCl rule, same order, then the default verdict
  .sets.nft         the same rule set with concatenated interval sets (see "The sets variant" below)
  .trace            packets and the verdict (and first matching rule) the rule set gives them: a `naclc test`
                    case table, so it doubles as a check of the compiled classifier
  .flows.trafgen    one trafgen config holding the benchmark flows (64-byte UDP frames; MACs from --src-mac and
                    --dst-mac), sent round-robin by trafgen
  .json             the counts and parameters (what the tests and the report read)

Everything is a function of (profile, N, seed, default): the same arguments give the same bytes.

The model (ClassBench's 5-tuple filters): a rule is (source prefix, destination prefix, protocol tcp|udp|icmp|any,
source port range, destination port range, verdict). Addresses come from a hierarchical pool (a Chinese
restaurant process per octet level), so prefixes nest and overlap the way real rule sets do; each rule draws a
pair of prefix lengths from its profile's shapes (many wildcards and /1-/8 on one side with /24-/32 on the other,
/16-/32 pairs); ports are wildcards, well-known exact ports, 1024-65535, 0-1023, exact random ports or small ranges.
About 3% of the rules repeat an earlier rule's match with the other verdict and 3% are narrowed copies of an
earlier rule (both fully shadowed); many more overlap partially by construction. No rule is a wildcard on both
addresses, so nothing ends the rule set early.

Benchmark flows: A = min(16, max(2, N // 10)) rules, at depths round((k+1) * N / A) - 1 (the last is rule N-1),
are drawn as UDP accepts between 198.18.k.0/24 and 198.19.k.0/24 (RFC 2544's benchmarking range, which the
address pool never uses, and no other rule can cover both sides of: every other rule has one side of at least
/16 from the pool). One UDP packet inside each of them is a flow that only that rule matches: the forwarding
benchmark sends these flows, so its packets are accepted (a sink can count them) after passing, on average,
about half of the rule set.

The sets variant (first-match preserving; tests/unit/bench checks it on traces with an independent evaluator):
  1. Reordering. Two rules may trade places when no packet matches both (their boxes are disjoint) or when they
     have the same verdict: either way every packet gets the same verdict. Any order that keeps every pair
     (i < j) of overlapping rules with different verdicts in its original order is reachable by such adjacent
     swaps (bubble the permutation into place: each swap inverts one pair, which is an unconstrained pair), so it
     gives every packet the same verdict. Rules are placed greedily in that order: rule j goes into the first
     run (a group of rules with one verdict) of its verdict after the last run that holds a rule overlapping j
     with the other verdict, or into a new run at the end. Where the overlap index cannot decide cheaply (more
     than a work budget of candidates), the rules are assumed to overlap, which only costs runs, never
     correctness.
  2. A run of rules with one verdict is a union: a packet gets the run's verdict when it matches any of its rules,
     in any order. Each run's rules are split by shape into (a) no port test: `ip saddr . ip daddr . meta
     l4proto` (l4proto 0-255 for "any"), (b) destination port only: `... . meta l4proto . th dport`, (c) source
     and destination ports: `... . th sport . th dport`; each group of at least --min-set rules becomes one
     named `flags interval` set and one rule `<key> @set <verdict>`; smaller groups stay plain rules.
  3. The default verdict is the last rule, as in the linear variant.
  Where it cannot help: rule sets whose overlapping rules alternate verdicts keep many short runs, and each run
  costs at least one lookup. Not equivalent for IPv4 fragments with a non-zero offset: nft's `th` and `tcp`/`udp`
  port matches fail there while NaCl sees ports 0; the trace has no fragments.
"""
import argparse
import bisect
import json
import os
import random
import sys

TCP, UDP, ICMP = 6, 17, 1
PROTO_NUMBER = {"tcp": TCP, "udp": UDP, "icmp": ICMP}
PROTO_NAME = {TCP: "tcp", UDP: "udp", ICMP: "icmp"}
ANY = None
FULL_PORTS = (0, 65535)
ACCEPT, DROP = "accept", "drop"

WELL_KNOWN = [20, 21, 22, 23, 25, 53, 67, 68, 69, 80, 88, 110, 111, 123, 135, 137, 138, 139, 143, 161, 162, 179,
              389, 443, 445, 465, 514, 515, 587, 636, 873, 993, 995, 1194, 1433, 1521, 1723, 2049, 3306, 3389, 5060,
              5432, 5900, 6379, 8000, 8080, 8443, 9000]
RANGE_WIDTHS = [1, 1, 2, 3, 5, 7, 9, 15, 31, 63, 99, 255, 999]
# First octets the pool never uses: "this network", the lab (10/8), loopback, link-local, the benchmarking range
# 198.18.0.0/15 (whole 198/8: the benchmark flows), multicast and reserved.
EXCLUDED_FIRST = {0, 10, 127, 169, 198} | set(range(224, 256))


MASKS = [(0xFFFFFFFF << (32 - length)) & 0xFFFFFFFF if length else 0 for length in range(33)]


def mask(length):
    return MASKS[length]


def dotted(value):
    return f"{value >> 24 & 255}.{value >> 16 & 255}.{value >> 8 & 255}.{value & 255}"


def parse_dotted(text):
    a, b, c, d = (int(x) for x in text.split("."))
    return a << 24 | b << 16 | c << 8 | d


# Profiles. Shapes: (weight, source lengths, destination lengths); a length list is drawn uniformly.
SPECIFIC = [24, 24, 24, 26, 27, 28, 29, 30, 32, 32, 32, 32]
MID = [16, 16, 18, 20, 21, 22, 23, 24]
WIDE = [1, 2, 3, 4, 5, 6, 7, 8, 8, 8]
SHORT = [8, 9, 10, 11, 12, 13, 14, 15, 16]
PROFILES = {
    # Firewall sets (ClassBench fw1-fw5 seeds): a quarter inbound from anywhere to servers, outbound from hosts
    # to anywhere, wide blocks on one side; destination ports mostly exact or wildcard, source ports mostly
    # wildcard; many "any protocol" rules; mixed verdicts.
    "fw": {
        "shapes": [(25, [0], SPECIFIC), (12, SPECIFIC, [0]), (8, WIDE, SPECIFIC), (5, SPECIFIC, WIDE),
                   (15, MID, SPECIFIC), (20, SPECIFIC, SPECIFIC), (10, SHORT, MID), (5, MID, MID)],
        "protocols": [("tcp", 55), ("udp", 25), ("icmp", 5), ("any", 15)],
        "dport": [("wildcard", 30), ("well-known", 35), ("exact", 5), ("high", 8), ("low", 2), ("range", 20)],
        "sport": [("wildcard", 80), ("high", 14), ("exact", 3), ("range", 3)],
        "verdicts": [(ACCEPT, 55), (DROP, 45)],
    },
    # ACL sets (ClassBench acl1-acl5 seeds): mostly host or subnet pairs, exact destination ports, few wildcards.
    "acl": {
        "shapes": [(35, SPECIFIC, SPECIFIC), (20, MID, SPECIFIC), (10, [0], [32]), (5, [32], [0]),
                   (15, SHORT, [28, 29, 30, 32]), (10, WIDE, MID + SPECIFIC), (5, MID, MID)],
        "protocols": [("tcp", 65), ("udp", 25), ("icmp", 4), ("any", 6)],
        "dport": [("well-known", 45), ("exact", 15), ("range", 20), ("high", 10), ("wildcard", 10)],
        "sport": [("wildcard", 88), ("high", 10), ("exact", 2)],
        "verdicts": [(ACCEPT, 65), (DROP, 35)],
    },
}


def choose(rng, weighted):
    total = sum(w for _, w in weighted)
    x = rng.random() * total
    for value, w in weighted:
        x -= w
        if x < 0:
            return value
    return weighted[-1][0]


class Rule:
    """A 5-tuple filter. src/dst: (address, length); proto: 6/17/1 or None (any); sport/dport: (low, high) or None
    (no test); kind: random | shadow-copy | shadow-narrow | flow."""
    __slots__ = ("src", "dst", "proto", "sport", "dport", "verdict", "kind")

    def __init__(self, src, dst, proto, sport, dport, verdict, kind="random"):
        self.src, self.dst, self.proto, self.sport, self.dport = src, dst, proto, sport, dport
        self.verdict, self.kind = verdict, kind

    def match(self, packet):
        saddr, daddr, proto, sport, dport = packet
        if (saddr & MASKS[self.src[1]]) != self.src[0] or (daddr & MASKS[self.dst[1]]) != self.dst[0]:
            return False
        if self.proto is not None and proto != self.proto:
            return False
        if self.sport is not None and not self.sport[0] <= sport <= self.sport[1]:
            return False
        if self.dport is not None and not self.dport[0] <= dport <= self.dport[1]:
            return False
        return True

    def box(self):
        """The rule as intervals over (saddr, daddr, proto, sport, dport)."""
        s, d = self.src, self.dst
        return ((s[0], s[0] | (~mask(s[1]) & 0xFFFFFFFF)), (d[0], d[0] | (~mask(d[1]) & 0xFFFFFFFF)),
                (self.proto, self.proto) if self.proto is not None else (0, 255),
                self.sport or FULL_PORTS, self.dport or FULL_PORTS)

    def shape(self):
        if self.sport is not None:
            return "sport"
        if self.dport is not None:
            return "dport"
        return "addr"


def overlaps(a, b):
    return all(x[0] <= y[1] and y[0] <= x[1] for x, y in zip(a.box(), b.box()))


class AddressPool:
    """Host addresses drawn level by level (first octet, second, third) by a Chinese restaurant process: a new
    branch with probability alpha / (n + alpha), else an existing one in proportion to its use. Prefixes of the
    drawn hosts nest and overlap; a few networks are used a lot, many a little."""

    def __init__(self, rng, alphas=(2.0, 6.0, 16.0)):
        self.rng, self.alphas = rng, alphas
        self.tree = {}  # prefix tuple -> [children list, counts list]

    def _pick(self, path, alpha, fresh):
        node = self.tree.setdefault(path, ([], []))
        children, counts = node
        n = sum(counts)
        if not children or self.rng.random() < alpha / (n + alpha):
            for _ in range(100):
                value = fresh()
                if value not in children:
                    break
            else:
                value = self.rng.choice(children)
            if value not in children:
                children.append(value)
                counts.append(0)
        else:
            x = self.rng.random() * n
            for i, c in enumerate(counts):
                x -= c
                if x < 0:
                    break
            value = children[i]
        counts[children.index(value)] += 1
        return value

    def host(self):
        rng = self.rng
        a = self._pick((), self.alphas[0], lambda: rng.choice([o for o in range(1, 224) if o not in EXCLUDED_FIRST]))
        b = self._pick((a,), self.alphas[1], lambda: rng.randrange(256))
        c = self._pick((a, b), self.alphas[2], lambda: rng.randrange(256))
        return a << 24 | b << 16 | c << 8 | rng.randrange(1, 255)

    def prefix(self, length):
        return (self.host() & mask(length), length)


def port_range(rng, kind):
    if kind == "wildcard":
        return None
    if kind == "well-known":
        p = rng.choice(WELL_KNOWN)
        return (p, p)
    if kind == "exact":
        p = rng.randrange(1, 65536)
        return (p, p)
    if kind == "high":
        return (1024, 65535)
    if kind == "low":
        return (0, 1023)
    width = rng.choice(RANGE_WIDTHS)
    low = rng.choice([rng.randrange(1, 65535 - width), rng.choice(WELL_KNOWN)])
    low = min(low, 65535 - width)
    return (low, low + width)


def flow_positions(n):
    count = min(16, max(2, n // 10), n)
    return [max(0, round((k + 1) * n / count) - 1) for k in range(count)]


def flow_rule(rng, k, profile):
    dport = port_range(rng, choose(rng, [(k, w) for k, w in profile["dport"] if k != "wildcard"]))
    return Rule(((198 << 24 | 18 << 16 | k << 8), 24), ((198 << 24 | 19 << 16 | k << 8), 24), UDP, None, dport,
                ACCEPT, "flow")


def random_rule(rng, pool, profile):
    src_lengths, dst_lengths = choose(rng, [((s, d), w) for w, s, d in profile["shapes"]])
    src = pool.prefix(rng.choice(src_lengths))
    dst = pool.prefix(rng.choice(dst_lengths))
    proto = choose(rng, profile["protocols"])
    sport = dport = None
    if proto in ("tcp", "udp"):
        sport = port_range(rng, choose(rng, profile["sport"]))
        dport = port_range(rng, choose(rng, profile["dport"]))
    return Rule(src, dst, PROTO_NUMBER.get(proto), sport, dport, choose(rng, profile["verdicts"]))


def narrowed(rng, rule):
    """A rule whose every packet also matches `rule`: longer prefixes inside it, narrower port ranges."""
    def sub(prefix):
        addr, length = prefix
        new = min(32, length + rng.choice([0, 0, 1, 4, 8]))
        return ((addr | rng.getrandbits(32) & ~mask(length) & 0xFFFFFFFF) & mask(new), new)

    def sub_ports(r):
        if r is None:
            return None if rng.random() < 0.5 else (1024, 65535)
        low = rng.randint(r[0], r[1])
        return (low, rng.randint(low, r[1]))

    ports = rule.proto in (TCP, UDP)
    return Rule(sub(rule.src), sub(rule.dst), rule.proto, sub_ports(rule.sport) if ports else None,
                sub_ports(rule.dport) if ports else None, rule.verdict, "shadow-narrow")


def generate(n, profile_name="fw", seed=1):
    profile = PROFILES[profile_name]
    rng = random.Random(f"halite-ruleset/{profile_name}/{n}/{seed}")
    pool = AddressPool(rng)
    flows = dict(zip(flow_positions(n), range(16)))
    rules = []
    for i in range(n):
        if i in flows:
            rules.append(flow_rule(rng, flows[i], profile))
            continue
        r = rng.random()
        if rules and r < 0.03:
            earlier = rng.choice(rules)
            if earlier.kind == "flow":
                rules.append(random_rule(rng, pool, profile))
                continue
            rules.append(Rule(earlier.src, earlier.dst, earlier.proto, earlier.sport, earlier.dport,
                              DROP if earlier.verdict == ACCEPT else ACCEPT, "shadow-copy"))
        elif rules and r < 0.06:
            earlier = rng.choice(rules)
            rules.append(narrowed(rng, earlier) if earlier.kind != "flow" else random_rule(rng, pool, profile))
            rules[-1].verdict = choose(rng, profile["verdicts"])
        else:
            rules.append(random_rule(rng, pool, profile))
    return rules, pool, rng


# ---- First match, indexed (the trace has to be labelled for 100,000 rules) ----

class Matcher:
    """First matching rule of a packet: rules bucketed by their exact (source prefix, destination prefix); a
    packet looks up each (source length, destination length) pair that occurs, then checks protocol and ports."""

    def __init__(self, rules):
        self.rules = rules
        self.buckets = {}
        pairs = set()
        for i, r in enumerate(rules):
            self.buckets.setdefault((r.src, r.dst), []).append(i)
            pairs.add((r.src[1], r.dst[1]))
        self.pairs = sorted(pairs)

    def first(self, packet):
        saddr, daddr = packet[0], packet[1]
        best = None
        for ls, ld in self.pairs:
            bucket = self.buckets.get(((saddr & mask(ls), ls), (daddr & mask(ld), ld)))
            if not bucket:
                continue
            for i in bucket:
                if best is not None and i >= best:
                    break
                if self.rules[i].match(packet):
                    best = i
                    break
        return best


# ---- Trace ----

def sample_in(rng, rule, pool):
    def addr(prefix):
        a, length = prefix
        if length == 0:
            return pool.host() if rng.random() < 0.7 else random_unicast(rng)
        return a | (rng.getrandbits(32) & ~mask(length) & 0xFFFFFFFF)

    proto = rule.proto
    if proto is None:
        proto = choose(rng, [(TCP, 50), (UDP, 30), (ICMP, 10), (47, 10)])
    sport = dport = 0
    if proto in (TCP, UDP):
        sport = rng.randint(*rule.sport) if rule.sport else rng.randint(1024, 65535)
        dport = rng.randint(*rule.dport) if rule.dport else rng.choice(WELL_KNOWN + [rng.randrange(1, 65536)])
    return (addr(rule.src), addr(rule.dst), proto, sport, dport)


def random_unicast(rng):
    while True:
        a = rng.getrandbits(32)
        if a >> 24 not in EXCLUDED_FIRST:
            return a


def random_packet(rng, pool):
    src = pool.host() if rng.random() < 0.5 else random_unicast(rng)
    dst = pool.host() if rng.random() < 0.5 else random_unicast(rng)
    proto = choose(rng, [(TCP, 50), (UDP, 30), (ICMP, 10), (47, 10)])
    ports = (rng.randint(1024, 65535), rng.choice(WELL_KNOWN + [rng.randrange(1, 65536)])) \
        if proto in (TCP, UDP) else (0, 0)
    return (src, dst, proto) + ports


def flow_packets(rules):
    """One UDP packet per benchmark flow rule: (rule index, packet)."""
    out = []
    for i, r in enumerate(rules):
        if r.kind == "flow":
            k = r.src[0] >> 8 & 255
            dport = r.dport[0] + (r.dport[1] - r.dport[0]) // 2
            out.append((i, (r.src[0] | 2, r.dst[0] | 2, UDP, 4000 + k, dport)))
    return out


def make_trace(rules, pool, rng, count):
    """`count` packets: 70% inside a rule drawn uniformly (so first matches spread over all depths), 5% inside one
    of the last 5% of the rules, 5% the benchmark flows, 20% random addresses (mostly matching nothing).
    Returns [(packet, first matching rule index or None)]."""
    n = len(rules)
    matcher = Matcher(rules)
    flows = flow_packets(rules)
    out = []
    for _ in range(count):
        x = rng.random()
        if x < 0.70 and n:
            packet = sample_in(rng, rules[rng.randrange(n)], pool)
        elif x < 0.75 and n:
            packet = sample_in(rng, rules[rng.randrange(n - max(1, n // 20), n)], pool)
        elif x < 0.80 and flows:
            packet = rng.choice(flows)[1]
        else:
            packet = random_packet(rng, pool)
        out.append((packet, matcher.first(packet)))
    return out


# ---- Writers ----

def nacl_prefix(field, prefix):
    addr, length = prefix
    return f"{field} == {dotted(addr)}" if length == 32 else f"{field} in {dotted(addr)}/{length}"


def nacl_ports(field, r):
    return f"{field} == {r[0]}" if r[0] == r[1] else f"{field} in {r[0]}-{r[1]}"


def nacl_rule(rule):
    tests = [nacl_prefix(f, p) for f, p in (("ip.saddr", rule.src), ("ip.daddr", rule.dst)) if p[1] > 0]
    if rule.sport is None and rule.dport is None:
        if rule.proto is not None:
            tests.insert(0, f"ip.protocol == {PROTO_NAME[rule.proto]}")
        return f"    if ({' and '.join(tests)}) {{ {rule.verdict} }}\n"
    name = PROTO_NAME[rule.proto]
    for field, r in ((f"{name}.sport", rule.sport), (f"{name}.dport", rule.dport)):
        if r is not None:
            tests.append(nacl_ports(field, r))
    return f"    Filter::{name.upper()} {{ if ({' and '.join(tests)}) {{ {rule.verdict} }} }}\n"


def write_nacl(rules, default, header):
    out = [f"# {header}\n",
           "# NIC 0 faces the clients (10.0.1.0/24), NIC 1 the servers (10.0.2.0/24, everything else routed to 10.0.2.2).\n",
           "Iface outside { index: 0, address: 10.0.1.1, netmask: 255.255.255.0 }\n",
           "Iface inside { index: 1, address: 10.0.2.1, netmask: 255.255.255.0 }\n",
           "Gateway gw {\n",
           "    clients: { net: 10.0.1.0, netmask: 255.255.255.0, iface: outside },\n",
           "    servers: { net: 10.0.2.0, netmask: 255.255.255.0, iface: inside },\n",
           "    everything: { net: 0.0.0.0, netmask: 0.0.0.0, iface: inside, nexthop: 10.0.2.2 },\n",
           "    forward: ruleset\n",
           "}\n",
           f"Filter::IP ruleset {{\n"]
    out += [nacl_rule(r) for r in rules]
    out.append(f"    {default}\n}}\n")
    return "".join(out)


def nft_prefix(prefix):
    addr, length = prefix
    return dotted(addr) if length == 32 else f"{dotted(addr)}/{length}"


def nft_ports(r):
    return str(r[0]) if r[0] == r[1] else f"{r[0]}-{r[1]}"


def nft_rule(rule):
    parts = [f"ip {f} {nft_prefix(p)}" for f, p in (("saddr", rule.src), ("daddr", rule.dst)) if p[1] > 0]
    if rule.sport is None and rule.dport is None:
        if rule.proto is not None:
            parts.append(f"meta l4proto {PROTO_NAME[rule.proto]}")
    else:
        name = PROTO_NAME[rule.proto]
        for field, r in (("sport", rule.sport), ("dport", rule.dport)):
            if r is not None:
                parts.append(f"{name} {field} {nft_ports(r)}")
    parts.append(rule.verdict)
    return " ".join(parts)


def nft_table(name, body, header, chain, standalone):
    """A table with the rules in a regular chain `chain` and a forward base chain that jumps to it (standalone),
    or only the body (to be put in a table by the caller)."""
    if not standalone:
        return body
    return (f"# {header}\n"
            f"table ip {name} {{\n{body}"
            "    chain forward {\n"
            "        type filter hook forward priority filter; policy accept;\n"
            f"        jump {chain}\n"
            "    }\n"
            "}\n")


def write_nft_linear(rules, default, header, chain="linear", table="halite_bench", standalone=True):
    lines = [f"    chain {chain} {{\n"]
    lines += [f"        {nft_rule(r)}\n" for r in rules]
    lines.append(f"        {default}\n    }}\n")
    return nft_table(table, "".join(lines), header, chain, standalone)


class RunBuilder:
    """Greedy grouping of the rules into runs of one verdict (see the module doc). An index of the placed rules by
    (address dimension, prefix, protocol) answers "the last run holding a rule that overlaps this one with the other
    verdict"."""
    BUDGET = 4000  # candidates examined per rule before assuming an overlap with the latest run

    def __init__(self):
        self.runs = []  # [verdict, [rule indices]]
        self.last_of = {ACCEPT: -1, DROP: -1}  # last run index of each verdict
        # (dim, addr, length, proto, sub) -> ({run: [(other interval, sport, dport)]}, sorted run keys). Short
        # prefixes (< /16: wildcards, wide blocks) hold many rules, so their entries are split by `sub`, the other
        # dimension's /16 (or "w" when that is shorter than /16 too); sub is None for prefixes of /16 or longer.
        self.exact = {}
        self.subs = {}  # (dim, addr, length, proto) of a short prefix -> its subs
        self.below = {}  # (dim, ancestor addr, ancestor length >= 16, proto): rules with a longer prefix inside
        self.budget_hits = 0  # rules placed after the latest run because the index could not decide in budget

    @staticmethod
    def _add(index, key, run, entry):
        node = index.get(key)
        if node is None:
            node = index[key] = ({}, [])
        by_run, keys = node
        if run not in by_run:
            by_run[run] = []
            bisect.insort(keys, run)
        by_run[run].append(entry)

    def conflict_run(self, rule, other):
        """The highest run index with a rule overlapping `rule` whose verdict is `other` (-1: none)."""
        top = self.last_of[other]
        if top < 0:
            return -1
        dim = 0 if rule.src[1] >= rule.dst[1] else 1
        mine, theirs = (rule.src, rule.dst) if dim == 0 else (rule.dst, rule.src)
        addr, length = mine
        protos = (rule.proto, None) if rule.proto is not None else (TCP, UDP, ICMP, None)
        s_lo, s_hi = rule.sport or FULL_PORTS
        d_lo, d_hi = rule.dport or FULL_PORTS
        t_lo, t_hi = theirs[0], theirs[0] | (~MASKS[theirs[1]] & 0xFFFFFFFF)
        keys = []
        their_sub = theirs[0] >> 16 if theirs[1] >= 16 else None
        for l in range(length + 1):
            for p in protos:
                base = (dim, addr & MASKS[l], l, p)
                if l >= 16:
                    keys.append(base + (None,))
                elif their_sub is not None:
                    keys += [base + (their_sub,), base + ("w",)]
                else:
                    keys += [base + (sub,) for sub in self.subs.get(base, ())]
        if length >= 16:
            below = [("below", dim, addr, length, p) for p in protos]
        nodes = [node for node in map(self.exact.get, keys) if node is not None]
        if length >= 16:
            nodes += [node for node in map(self.below.get, below) if node is not None]
        # The buckets holding the latest runs first: the best answer found early cuts the others short.
        nodes.sort(key=lambda node: node[1][-1], reverse=True)
        best, work = -1, 0
        for by_run, run_keys in nodes:
            for run in reversed(run_keys):
                if run <= best:
                    break
                if self.runs[run][0] != other:
                    continue
                entries = by_run[run]
                work += len(entries)
                for o_lo, o_hi, sp_lo, sp_hi, dp_lo, dp_hi in entries:
                    if o_lo <= t_hi and t_lo <= o_hi and sp_lo <= s_hi and s_lo <= sp_hi and dp_lo <= d_hi \
                            and d_lo <= dp_hi:
                        best = run
                        break
                if best == top:
                    return best
                if work > self.BUDGET:
                    self.budget_hits += 1
                    return top
        if length < 16:  # descendants of a short prefix are not indexed: check them the slow way, with the budget
            for i in range(top, best, -1):
                if self.runs[i][0] != other:
                    continue
                for j in self.runs[i][1]:
                    work += 1
                    if work > self.BUDGET:
                        self.budget_hits += 1
                        return top
                    if overlaps(rule, self.rules[j]):
                        return i
        return best

    def place(self, index, rule):
        other = DROP if rule.verdict == ACCEPT else ACCEPT
        after = self.conflict_run(rule, other)
        target = None
        for r in range(after + 1, len(self.runs)):
            if self.runs[r][0] == rule.verdict:
                target = r
                break
        if target is None:
            target = len(self.runs)
            self.runs.append([rule.verdict, []])
            self.last_of[rule.verdict] = target
        self.runs[target][1].append(index)
        proto = rule.proto
        ports = (rule.sport or FULL_PORTS) + (rule.dport or FULL_PORTS)
        for dim, mine, theirs in ((0, rule.src, rule.dst), (1, rule.dst, rule.src)):
            entry = (theirs[0], theirs[0] | (~MASKS[theirs[1]] & 0xFFFFFFFF)) + ports
            base = (dim, mine[0], mine[1], proto)
            sub = None
            if mine[1] < 16:
                sub = theirs[0] >> 16 if theirs[1] >= 16 else "w"
                self.subs.setdefault(base, set()).add(sub)
            self._add(self.exact, base + (sub,), target, entry)
            for l in range(16, mine[1]):
                self._add(self.below, ("below", dim, mine[0] & MASKS[l], l, proto), target, entry)

    def build(self, rules):
        self.rules = rules
        for i, r in enumerate(rules):
            self.place(i, r)
        return self.runs


SET_KEYS = {
    "addr": ("ipv4_addr . ipv4_addr . inet_proto", "ip saddr . ip daddr . meta l4proto"),
    "dport": ("ipv4_addr . ipv4_addr . inet_proto . inet_service", "ip saddr . ip daddr . meta l4proto . th dport"),
    "sport": ("ipv4_addr . ipv4_addr . inet_proto . inet_service . inet_service",
              "ip saddr . ip daddr . meta l4proto . th sport . th dport"),
}


def set_element(rule, shape):
    proto = str(rule.proto) if rule.proto is not None else "0-255"
    parts = [f"{dotted(rule.src[0])}/{rule.src[1]}", f"{dotted(rule.dst[0])}/{rule.dst[1]}", proto]
    if shape == "sport":
        parts.append(nft_ports(rule.sport))
    if shape in ("sport", "dport"):
        parts.append(nft_ports(rule.dport or FULL_PORTS))
    return " . ".join(parts)


def colour_hits(colour, point):
    """The boxes of a set (colour) that contain `point`."""
    _, buckets, pairs = colour
    for ls, ld in pairs:
        for other in buckets.get((point[0] & MASKS[ls], ls, point[1] & MASKS[ld], ld), ()):
            if all(lo <= x <= hi for x, (lo, hi) in zip(point[2:], other[2:])):
                yield other


def split_group(rules, group):
    """The rules of one run and shape as the elements of one or more sets. The kernel (nft_set_pipapo) refuses an
    element whose first or last point (all low ends, all high ends) lies inside an element already in the set, so:
    elements go in from the largest; one that an element already placed contains entirely is left out (the run is
    a union: it adds nothing); one that only has a corner inside an element goes to the next set of the run.
    Returns ([[rule index]] per set, number of elements left out)."""
    order = sorted(group, key=lambda i: (rules[i].src[1] + rules[i].dst[1], rules[i].proto is not None,
                                         -sum(hi - lo for lo, hi in rules[i].box()[3:])))
    colours = []  # [members, buckets {(src, dst): [box]}, length pairs]
    redundant = 0
    for i in order:
        box = rules[i].box()
        corners = (tuple(lo for lo, _ in box), tuple(hi for _, hi in box))
        target, contained = None, False
        for colour in colours:
            hit = False
            for point in corners:
                for other in colour_hits(colour, point):
                    hit = True
                    if all(o[0] <= b[0] and b[1] <= o[1] for o, b in zip(other, box)):
                        contained = True
                        break
                if contained:
                    break
            if contained:
                break
            if not hit:
                target = colour
                break
        if contained:
            redundant += 1
            continue
        if target is None:
            target = [[], {}, set()]
            colours.append(target)
        members, buckets, pairs = target
        members.append(i)
        r = rules[i]
        buckets.setdefault((r.src[0], r.src[1], r.dst[0], r.dst[1]), []).append(box)
        pairs.add((r.src[1], r.dst[1]))
    return [c[0] for c in colours], redundant


def write_nft_sets(rules, default, header, chain="sets", table="halite_bench", standalone=True, min_set=4,
                   set_prefix=None):
    """Returns (text, stats)."""
    builder = RunBuilder()
    runs = builder.build(rules)
    set_prefix = set_prefix or f"{chain}_"
    sets, lines = [], []
    stats = {"runs": len(runs), "sets": 0, "set_elements": 0, "plain_rules": 0, "redundant": 0,
             "placed_conservatively": builder.budget_hits}
    for r, (verdict, members) in enumerate(runs):
        groups = {"addr": [], "dport": [], "sport": []}
        for i in members:
            groups[rules[i].shape()].append(i)
        for shape in ("addr", "dport", "sport"):
            group = groups[shape]
            if not group:
                continue
            if len(group) < min_set:
                for i in group:
                    lines.append(f"        {nft_rule(rules[i])}\n")
                stats["plain_rules"] += len(group)
                continue
            colours, redundant = split_group(rules, group)
            stats["redundant"] += redundant
            for c, members_c in enumerate(colours):
                name = f"{set_prefix}{r}_{shape}" + (f"_{c}" if c else "")
                type_, key = SET_KEYS[shape]
                sets.append(f"    set {name} {{\n        type {type_}\n        flags interval\n"
                            "        elements = {\n" +
                            "".join(f"            {set_element(rules[i], shape)},\n" for i in members_c) +
                            "        }\n    }\n")
                lines.append(f"        {key} @{name} {verdict}\n")
                stats["sets"] += 1
                stats["set_elements"] += len(members_c)
    lines.append(f"        {default}\n")
    stats["nft_rules"] = len(lines)
    body = "".join(sets) + f"    chain {chain} {{\n" + "".join(lines) + "    }\n"
    return nft_table(table, body, header, chain, standalone), stats


def packet_text(packet):
    saddr, daddr, proto, sport, dport = packet
    name = PROTO_NAME.get(proto, str(proto))
    ports = (str(sport), str(dport)) if proto in (TCP, UDP) else ("-", "-")
    return name, dotted(saddr), dotted(daddr), ports[0], ports[1]


def write_trace(trace, rules, default, header):
    out = [f"# {header}\n",
           "# One packet per line, a `naclc test` case table. The comment names the first matching rule (0-based, in\n",
           "# the order of the .nacl and .linear.nft) or `default` (no rule matches: the default verdict).\n",
           "chain\tproto\tsaddr\tdaddr\tsport\tdport\texpect\n"]
    for packet, rule in trace:
        verdict = rules[rule].verdict if rule is not None else default
        where = f"rule {rule}" if rule is not None else "default"
        out.append("forward\t" + "\t".join(packet_text(packet)) + f"\t{verdict}\t# {where}\n")
    return "".join(out)


def read_trace(path):
    """[(packet, expected verdict, rule index or None)] from a .trace file."""
    out = []
    header = None
    for line in open(path):
        text, _, comment = line.partition("#")
        fields = text.split()
        if not fields:
            continue
        if header is None:
            header = fields
            continue
        row = dict(zip(header, fields))
        proto = PROTO_NUMBER.get(row["proto"]) or int(row["proto"])
        ports = (int(row["sport"]), int(row["dport"])) if proto in (TCP, UDP) else (0, 0)
        packet = (parse_dotted(row["saddr"]), parse_dotted(row["daddr"]), proto) + ports
        comment = comment.strip()
        rule = int(comment.split()[1]) if comment.startswith("rule ") else None
        out.append((packet, row["expect"], rule))
    return out


def write_trafgen(flows, src_mac, dst_mac, header, cpu=0):
    """A trafgen config with one 60-byte frame (64 with the FCS) per flow, sent in turn."""
    out = [f"/* {header} */\n"]
    for i, packet in flows:
        saddr, daddr, _, sport, dport = packet
        out.append(f"/* rule {i} */\n{{\n"
                   f"  eth(da={dst_mac}, sa={src_mac}, type=0x0800),\n"
                   f"  ipv4(saddr={dotted(saddr)}, daddr={dotted(daddr)}, ttl=64, df, proto=17),\n"
                   f"  udp(sp={sport}, dp={dport}),\n"
                   "  fill(0x5a, 18)\n}\n")
    return "".join(out)


class RuleSet:
    """Everything about one (profile, N, seed, default)."""

    def __init__(self, n, profile="fw", seed=1, default=DROP, trace_packets=10000):
        self.n, self.profile, self.seed, self.default = n, profile, seed, default
        self.rules, self.pool, self.rng = generate(n, profile, seed)
        self.flows = flow_packets(self.rules)
        self.trace = make_trace(self.rules, self.pool, self.rng, trace_packets)
        self.name = f"{profile}-{n}-s{seed}"
        self.header = (f"Halite rule-set benchmark: profile {profile}, {n} rules, seed {seed}, default {default} "
                       f"(bench/ruleset/generate.py --profile {profile} --rules {n} --seed {seed} --default {default}"
                       f" --trace-packets {trace_packets})")

    def nacl(self):
        return write_nacl(self.rules, self.default, self.header)

    def nft_linear(self, **kw):
        return write_nft_linear(self.rules, self.default, self.header, **kw)

    def nft_sets(self, **kw):
        return write_nft_sets(self.rules, self.default, self.header, **kw)

    def trace_text(self):
        return write_trace(self.trace, self.rules, self.default, self.header)

    def trafgen(self, src_mac="02:00:00:00:00:01", dst_mac="02:00:00:00:00:02"):
        return write_trafgen(self.flows, src_mac, dst_mac, self.header)

    def stats(self, set_stats):
        count = lambda f: sum(1 for r in self.rules if f(r))
        hits = [rule for _, rule in self.trace]
        return {
            "profile": self.profile, "rules": self.n, "seed": self.seed, "default": self.default,
            "protocols": {name: count(lambda r, p=p: r.proto == p)
                          for name, p in (("tcp", TCP), ("udp", UDP), ("icmp", ICMP), ("any", None))},
            "verdicts": {v: count(lambda r, v=v: r.verdict == v) for v in (ACCEPT, DROP)},
            "kinds": {k: count(lambda r, k=k: r.kind == k) for k in ("random", "shadow-copy", "shadow-narrow", "flow")},
            "wildcard_src": count(lambda r: r.src[1] == 0), "wildcard_dst": count(lambda r: r.dst[1] == 0),
            "dport_tests": count(lambda r: r.dport is not None), "sport_tests": count(lambda r: r.sport is not None),
            "flows": [{"rule": i, "packet": list(packet_text(p))} for i, p in self.flows],
            "trace": {"packets": len(self.trace), "no_match": sum(1 for h in hits if h is None),
                      "distinct_rules_hit": len({h for h in hits if h is not None}),
                      "deepest_rule_hit": max((h for h in hits if h is not None), default=None)},
            "sets_variant": set_stats,
        }


OUTPUTS = ["nacl", "linear.nft", "sets.nft", "trace", "flows.trafgen", "json"]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rules", type=int, required=True)
    p.add_argument("--profile", choices=sorted(PROFILES), default="fw")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--default", choices=[ACCEPT, DROP], default=DROP)
    p.add_argument("--trace-packets", type=int, default=10000)
    p.add_argument("--min-set", type=int, default=4, help="smallest group of rules that becomes a set")
    p.add_argument("--src-mac", default="02:00:00:00:00:01")
    p.add_argument("--dst-mac", default="02:00:00:00:00:02")
    p.add_argument("--outputs", default=",".join(OUTPUTS),
                   help="which files to write (the sets variant takes most of the time at 100,000 rules)")
    p.add_argument("-o", "--output", required=True, help="directory")
    args = p.parse_args(argv)
    if args.rules < 1:
        p.error("--rules must be at least 1")
    outputs = args.outputs.split(",")
    if not set(outputs) <= set(OUTPUTS):
        p.error(f"--outputs: choose from {','.join(OUTPUTS)}")
    rs = RuleSet(args.rules, args.profile, args.seed, args.default, args.trace_packets)
    os.makedirs(args.output, exist_ok=True)
    base = os.path.join(args.output, rs.name)
    set_stats = None
    writers = {"nacl": rs.nacl, "linear.nft": rs.nft_linear, "trace": rs.trace_text,
               "flows.trafgen": lambda: rs.trafgen(args.src_mac, args.dst_mac)}
    for suffix in outputs:
        if suffix == "sets.nft":
            text, set_stats = rs.nft_sets(min_set=args.min_set)
        elif suffix == "json":
            continue
        else:
            text = writers[suffix]()
        with open(f"{base}.{suffix}", "w") as f:
            f.write(text)
    if "json" in outputs:
        with open(base + ".json", "w") as f:
            f.write(json.dumps(rs.stats(set_stats), indent=1) + "\n")
    summary = f"{base}.{{{','.join(outputs)}}}: {args.rules} rules"
    if set_stats:
        summary += (f", {set_stats['nft_rules']} nft rules in the sets variant ({set_stats['runs']} runs, "
                    f"{set_stats['sets']} sets)")
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
