#!/usr/bin/python3
"""Unit tests of bench/ruleset/generate.py: determinism by seed, well-formed output, the nft translations
(one rule per rule, and the sets variant) giving every packet the verdict the NaCl text gives it, the trace's
expectations, and the profiles' counts and distributions.

The evaluators below read the generated *text* (NaCl, nft linear, nft sets, trace, trafgen) with their own small
parsers; they share nothing with the generator but the file formats.

  test_ruleset.py [-v]           environment: NACLC=path runs `naclc check` on generated configurations
"""
import contextlib
import io
import ipaddress
import os
import re
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(ROOT, "bench", "ruleset"))
import generate  # noqa: E402

PROTO = {"tcp": 6, "udp": 17, "icmp": 1}
FULL = (0, 65535)


def prefix_range(text):
    net = ipaddress.ip_network(text if "/" in text else text + "/32")
    return (int(net.network_address), int(net.broadcast_address))


def number_range(text):
    low, _, high = text.partition("-")
    return (int(low), int(high or low))


# ---- NaCl ----

NACL_RULE = re.compile(r"^\s*(?:Filter::(TCP|UDP)\s*\{\s*)?if \((.*)\) \{ (accept|drop) \}(?:\s*\})?\s*$")
NACL_TEST = re.compile(r"^(ip\.saddr|ip\.daddr|ip\.protocol|tcp\.sport|tcp\.dport|udp\.sport|udp\.dport) "
                       r"(==|in) (\S+)$")


def parse_nacl(text):
    """[(conditions {field: (lo, hi)}, verdict)], default. Only the subset the generator writes."""
    body = text[text.index("Filter::IP ruleset {") + len("Filter::IP ruleset {"):].strip().splitlines()
    assert body[-1].strip() == "}", body[-1]
    default = body[-2].strip()
    assert default in ("accept", "drop")
    rules = []
    for line in body[:-2]:
        m = NACL_RULE.match(line)
        assert m, f"unexpected NaCl line: {line!r}"
        block, condition, verdict = m.groups()
        tests = {}
        if block:
            tests["proto"] = (PROTO[block.lower()],) * 2
        for term in condition.split(" and "):
            t = NACL_TEST.match(term)
            assert t, f"unexpected NaCl test: {term!r}"
            field, op, value = t.groups()
            if field == "ip.protocol":
                assert op == "==" and value in PROTO
                tests["proto"] = (PROTO[value],) * 2
            elif field.startswith("ip."):
                assert (op == "in") == ("/" in value)
                tests[field[3:]] = prefix_range(value)
            else:
                proto, port = field.split(".")
                assert block and block.lower() == proto, f"{field} outside Filter::{proto.upper()}: {line!r}"
                assert (op == "in") == ("-" in value)
                tests[port] = number_range(value)
        rules.append((tests, verdict))
    return rules, default


def match(tests, packet):
    values = dict(zip(("saddr", "daddr", "proto", "sport", "dport"), packet))
    if values["proto"] not in (6, 17):
        values["sport"] = values["dport"] = None  # no ports: a port test cannot match
    for field, (lo, hi) in tests.items():
        v = values[field]
        if v is None or not lo <= v <= hi:
            return False
    return True


def first_match(rules, default, packet):
    for i, (tests, verdict) in enumerate(rules):
        if match(tests, packet):
            return verdict, i
    return default, None


# ---- nftables ----

NFT_PAYLOAD = re.compile(r"(ip saddr|ip daddr|meta l4proto|tcp sport|tcp dport|udp sport|udp dport) (\S+)")


def parse_nft_rule(line):
    """A plain rule: (tests, verdict)."""
    words = line.split()
    verdict = words[-1]
    assert verdict in ("accept", "drop"), line
    text = " ".join(words[:-1])
    tests, pos = {}, 0
    for m in NFT_PAYLOAD.finditer(text):
        assert text[pos:m.start()].strip() == "", f"unparsed nft text in {line!r}"
        pos = m.end()
        key, value = m.groups()
        if key in ("ip saddr", "ip daddr"):
            tests[key[3:]] = prefix_range(value)
        elif key == "meta l4proto":
            tests["proto"] = (PROTO[value],) * 2
        else:
            proto, field = key.split()
            assert tests.get("proto", (PROTO[proto],) * 2) == (PROTO[proto],) * 2
            tests["proto"] = (PROTO[proto],) * 2  # a tcp/udp port match implies the protocol
            tests[field] = number_range(value)
    assert text[pos:].strip() == "", f"unparsed nft text in {line!r}"
    return tests, verdict


SET_FIELDS = {"ip saddr": "saddr", "ip daddr": "daddr", "meta l4proto": "proto", "th sport": "sport",
              "th dport": "dport"}
SET_TYPES = {"saddr": "ipv4_addr", "daddr": "ipv4_addr", "proto": "inet_proto", "sport": "inet_service",
             "dport": "inet_service"}


def parse_nft(text):
    """{chain: [statement]}, {set: (fields, [element ranges])} and the chain the forward hook jumps to. A statement
    is ("rule", tests, verdict), ("set", fields, set name, verdict) or ("verdict", verdict)."""
    chains, sets = {}, {}
    lines = [l.strip() for l in text.splitlines() if l.strip() and not l.strip().startswith("#")]
    assert lines[0].startswith("table ip ") and lines[0].endswith("{") and lines[-1] == "}"
    i = 1
    while i < len(lines) - 1:
        line = lines[i]
        m = re.match(r"set (\S+) \{$", line)
        if m:
            name = m.group(1)
            type_ = lines[i + 1]
            assert type_.startswith("type ") and lines[i + 2] == "flags interval" and lines[i + 3] == "elements = {"
            types = [t.strip() for t in type_[5:].split(".")]
            elements = []
            i += 4
            while lines[i] != "}":
                parts = [p.strip() for p in lines[i].rstrip(",").split(" . ")]
                assert len(parts) == len(types), lines[i]
                ranges = []
                for t, p in zip(types, parts):
                    ranges.append(prefix_range(p) if t == "ipv4_addr" else number_range(p))
                elements.append(ranges)
                i += 1
            assert lines[i + 1] == "}"
            sets[name] = (types, elements)
            i += 2
            continue
        m = re.match(r"chain (\S+) \{$", line)
        assert m, f"unexpected nft line: {line!r}"
        name, statements = m.group(1), []
        i += 1
        while lines[i] != "}":
            s = lines[i]
            if s.startswith("type filter hook forward"):
                statements.append(("hook", s))
            elif s.startswith("jump "):
                statements.append(("jump", s.split()[1]))
            elif s in ("accept", "drop"):
                statements.append(("verdict", s))
            elif "@" in s:
                key, _, rest = s.partition(" @")
                set_name, verdict = rest.split()
                fields = [SET_FIELDS[k.strip()] for k in key.split(" . ")]
                statements.append(("set", fields, set_name, verdict))
            else:
                statements.append(("rule",) + parse_nft_rule(s))
            i += 1
        chains[name] = statements
        i += 1
    hooks = [c for c, st in chains.items() if st and st[0][0] == "hook"]
    assert len(hooks) == 1, hooks
    entry = chains[hooks[0]]
    assert "policy accept" in entry[0][1] and len(entry) == 2 and entry[1][0] == "jump", entry
    return chains, sets, entry[1][1]


def nft_verdict(chains, sets, chain, packet):
    values = dict(zip(("saddr", "daddr", "proto", "sport", "dport"), packet))
    for statement in chains[chain]:
        kind = statement[0]
        if kind == "verdict":
            return statement[1]
        if kind == "rule":
            if match(statement[1], packet):
                return statement[2]
        elif kind == "set":
            fields, name, verdict = statement[1:]
            types, elements = sets[name]
            assert [SET_TYPES[f] for f in fields] == types, (fields, types)
            if ("sport" in fields or "dport" in fields) and values["proto"] not in (6, 17):
                continue  # th sport/dport elements all have l4proto 6 or 17 (checked below): no match
            for ranges in elements:
                if all(lo <= values[f] <= hi for f, (lo, hi) in zip(fields, ranges)):
                    return verdict
    return "accept"  # the end of the chain: back to the hook's policy


# ---- trace ----

def parse_trace(text):
    rows, header = [], None
    for line in text.splitlines():
        data, _, comment = line.partition("#")
        fields = data.split()
        if not fields:
            continue
        if header is None:
            header = fields
            assert header == ["chain", "proto", "saddr", "daddr", "sport", "dport", "expect"], header
            continue
        row = dict(zip(header, fields))
        proto = PROTO.get(row["proto"]) or int(row["proto"])
        ports = (int(row["sport"]), int(row["dport"])) if proto in (6, 17) else (0, 0)
        if proto not in (6, 17):
            assert row["sport"] == row["dport"] == "-"
        packet = (int(ipaddress.ip_address(row["saddr"])), int(ipaddress.ip_address(row["daddr"])), proto) + ports
        comment = comment.strip()
        assert comment == "default" or re.fullmatch(r"rule \d+", comment), comment
        rows.append((packet, row["expect"], None if comment == "default" else int(comment.split()[1])))
    return rows


def boundary_packets(rules):
    """Packets at and just outside the corners of every rule: where overlaps and off-by-ones show."""
    out = []
    for tests, _ in rules:
        for side in (0, 1):
            for delta in (0, -1, 1):
                packet = []
                for field, default in (("saddr", 0x0A000001), ("daddr", 0x0A000002), ("proto", 17),
                                       ("sport", 4000), ("dport", 53)):
                    if field in tests:
                        value = tests[field][side] + (delta if side else -delta)
                        limit = 0xFFFFFFFF if field in ("saddr", "daddr") else 255 if field == "proto" else 65535
                        value = min(max(value, 0), limit)
                    else:
                        value = default
                    packet.append(value)
                out.append(tuple(packet))
    return out


def generated(n, profile, seed, default="drop", trace=2000, **kw):
    rs = generate.RuleSet(n, profile, seed, default, trace)
    sets_text, stats = rs.nft_sets(**kw)
    return {"nacl": rs.nacl(), "linear": rs.nft_linear(), "sets": sets_text, "trace": rs.trace_text(),
            "trafgen": rs.trafgen(), "stats": rs.stats(stats), "ruleset": rs}


class Determinism(unittest.TestCase):
    def test_same_seed_same_bytes(self):
        a, b = generated(300, "fw", 5), generated(300, "fw", 5)
        for key in ("nacl", "linear", "sets", "trace", "trafgen"):
            self.assertEqual(a[key], b[key], key)

    def test_other_seed_other_rules(self):
        a, b = generated(300, "fw", 5), generated(300, "fw", 6)
        self.assertNotEqual(a["nacl"].split("\n", 1)[1], b["nacl"].split("\n", 1)[1])

    def test_cli_writes_the_same_files(self):
        def run_and_read(argv, out):
            with contextlib.redirect_stdout(io.StringIO()):
                self.assertEqual(generate.main(argv), 0)
            files = {}
            for name in sorted(os.listdir(out)):
                with open(os.path.join(out, name)) as f:
                    files[name] = f.read()
            return files

        with tempfile.TemporaryDirectory() as out:
            argv = ["--rules", "120", "--profile", "acl", "--seed", "3", "--trace-packets", "500", "-o", out]
            first = run_and_read(argv, out)
            self.assertEqual(sorted(first), [f"acl-120-s3{s}" for s in sorted(
                [".flows.trafgen", ".json", ".linear.nft", ".nacl", ".sets.nft", ".trace"])])
            self.assertEqual(first, run_and_read(argv, out))


class Equivalence(unittest.TestCase):
    """The NaCl text, the linear nft text and the sets nft text give every packet the same verdict."""

    def check(self, n, profile, seed, default="drop", **kw):
        g = generated(n, profile, seed, default, **kw)
        rules, nacl_default = parse_nacl(g["nacl"])
        self.assertEqual(len(rules), n)
        self.assertEqual(nacl_default, default)
        lin_chains, lin_sets, lin_entry = parse_nft(g["linear"])
        set_chains, set_sets, set_entry = parse_nft(g["sets"])
        self.assertEqual(lin_sets, {})
        # One nft rule per NaCl rule, in the same order, then the default verdict.
        lin = lin_chains[lin_entry]
        self.assertEqual(len(lin), n + 1)
        self.assertEqual(lin[-1], ("verdict", default))
        for (tests, verdict), statement in zip(rules, lin):
            self.assertEqual(statement, ("rule", tests, verdict))
        # The invariant that makes `th sport/dport` safe in the sets: such elements are TCP or UDP only.
        for types, elements in set_sets.values():
            if len(types) > 3:
                for e in elements:
                    self.assertIn(e[2], [(6, 6), (17, 17)])
        trace = parse_trace(g["trace"])
        packets = [p for p, _, _ in trace] + boundary_packets(rules)
        for k, packet in enumerate(packets):
            want, rule = first_match(rules, default, packet)
            if k < len(trace):
                self.assertEqual((want, rule), trace[k][1:], f"trace line {k}: {packet}")
            self.assertEqual(nft_verdict(lin_chains, lin_sets, lin_entry, packet), want, packet)
            self.assertEqual(nft_verdict(set_chains, set_sets, set_entry, packet), want, packet)
        return g

    def test_fw_small(self):
        self.check(10, "fw", 1)

    def test_fw(self):
        for seed in (1, 2):
            g = self.check(400, "fw", seed)
            self.assertGreater(g["stats"]["sets_variant"]["sets"], 0)

    def test_acl(self):
        g = self.check(400, "acl", 1)
        self.assertLess(g["stats"]["sets_variant"]["nft_rules"], 400)

    def test_default_accept_and_every_group_a_set(self):
        self.check(150, "fw", 4, default="accept", min_set=1)

    def test_only_plain_rules(self):
        self.check(150, "acl", 4, min_set=10**6)


class Contents(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.big = {p: generate.RuleSet(10000, p, 1, "drop", 4000) for p in ("fw", "acl")}

    def test_protocols_and_verdicts_follow_the_profile(self):
        for name, rs in self.big.items():
            profile = generate.PROFILES[name]
            random_rules = [r for r in rs.rules if r.kind == "random"]
            total = sum(w for _, w in profile["protocols"])
            for proto, weight in profile["protocols"]:
                share = sum(1 for r in random_rules if r.proto == generate.PROTO_NUMBER.get(proto)) / len(random_rules)
                self.assertAlmostEqual(share, weight / total, delta=0.03, msg=f"{name} {proto}")
            total = sum(w for _, w in profile["verdicts"])
            for verdict, weight in profile["verdicts"]:
                share = sum(1 for r in random_rules if r.verdict == verdict) / len(random_rules)
                self.assertAlmostEqual(share, weight / total, delta=0.03, msg=f"{name} {verdict}")

    def test_prefix_lengths(self):
        fw = [r for r in self.big["fw"].rules if r.kind == "random"]
        share = lambda f: sum(1 for r in fw if f(r)) / len(fw)
        # Many wildcards, and /0-/8 on one side with /24-/32 on the other.
        self.assertGreater(share(lambda r: r.src[1] == 0), 0.2)
        self.assertGreater(share(lambda r: r.dst[1] == 0), 0.08)
        self.assertGreater(share(lambda r: min(r.src[1], r.dst[1]) <= 8 and max(r.src[1], r.dst[1]) >= 24), 0.4)
        self.assertGreater(share(lambda r: min(r.src[1], r.dst[1]) >= 24), 0.15)
        self.assertEqual(share(lambda r: max(r.src[1], r.dst[1]) < 16), 0)  # never wildcard on both sides
        acl = [r for r in self.big["acl"].rules if r.kind == "random"]
        self.assertGreater(sum(1 for r in acl if min(r.src[1], r.dst[1]) >= 16) / len(acl), 0.5)

    def test_prefixes_nest_and_overlap(self):
        rs = self.big["fw"]
        prefixes = {r.dst for r in rs.rules if r.dst[1] >= 8}
        nested = sum(1 for addr, length in prefixes
                     if any((addr & generate.MASKS[l], l) in prefixes for l in range(8, length)))
        self.assertGreater(nested / len(prefixes), 0.3)

    def test_ports(self):
        fw = [r for r in self.big["fw"].rules if r.kind == "random" and r.proto in (6, 17)]
        share = lambda f: sum(1 for r in fw if f(r)) / len(fw)
        self.assertAlmostEqual(share(lambda r: r.dport is None), 0.30, delta=0.04)
        self.assertAlmostEqual(share(lambda r: r.dport == (1024, 65535)), 0.08, delta=0.03)
        self.assertGreater(share(lambda r: r.dport is not None and r.dport[0] == r.dport[1]
                                 and r.dport[0] in generate.WELL_KNOWN), 0.3)
        self.assertGreater(share(lambda r: r.dport is not None and 0 < r.dport[1] - r.dport[0] < 1000), 0.1)
        self.assertAlmostEqual(share(lambda r: r.sport is None), 0.80, delta=0.04)

    def test_shadowed_rules_are_covered_by_an_earlier_rule(self):
        rs = self.big["fw"]
        for kind in ("shadow-copy", "shadow-narrow"):
            count = sum(1 for r in rs.rules if r.kind == kind)
            self.assertAlmostEqual(count / len(rs.rules), 0.03, delta=0.01)
        for j, r in enumerate(rs.rules[:3000]):
            if r.kind.startswith("shadow"):
                box = r.box()
                self.assertTrue(any(all(o[0] <= b[0] and b[1] <= o[1] for o, b in zip(e.box(), box))
                                    for e in rs.rules[:j]), j)

    def test_flows(self):
        for n in (10, 100, 1000, 10000):
            positions = generate.flow_positions(n)
            self.assertEqual(len(positions), min(16, max(2, n // 10)))
            self.assertEqual(positions[-1], n - 1)
            self.assertEqual(len(set(positions)), len(positions))
        rs = self.big["fw"]
        self.assertEqual([i for i, _ in rs.flows], generate.flow_positions(10000))
        rules, default = parse_nacl(rs.nacl())
        for i, packet in rs.flows:
            self.assertEqual(first_match(rules, default, packet), ("accept", i))
            self.assertEqual(packet[2], 17)
        # One 60-byte frame per flow in the trafgen config: 14 + 20 + 8 + 18.
        text = rs.trafgen("aa:bb:cc:dd:ee:01", "aa:bb:cc:dd:ee:02")
        blocks = re.findall(r"\{\s*eth\(da=aa:bb:cc:dd:ee:02, sa=aa:bb:cc:dd:ee:01, type=0x0800\),\s*"
                            r"ipv4\(saddr=([\d.]+), daddr=([\d.]+), ttl=64, df, proto=17\),\s*"
                            r"udp\(sp=(\d+), dp=(\d+)\),\s*fill\(0x5a, 18\)\s*\}", text)
        self.assertEqual(len(blocks), len(rs.flows))
        for (saddr, daddr, sp, dp), (_, packet) in zip(blocks, rs.flows):
            self.assertEqual((int(ipaddress.ip_address(saddr)), int(ipaddress.ip_address(daddr)), 17, int(sp),
                              int(dp)), packet)

    def test_trace_covers_depths_and_misses(self):
        for rs in self.big.values():
            hits = [rule for _, rule in rs.trace]
            n = len(rs.rules)
            self.assertGreater(hits.count(None) / len(hits), 0.05)
            for q in range(10):  # every tenth of the rule set decides some packets
                self.assertTrue(any(h is not None and q * n // 10 <= h < (q + 1) * n // 10 for h in hits), q)
            self.assertGreaterEqual(max(h for h in hits if h is not None), n - n // 100)
            verdicts = {rs.rules[h].verdict if h is not None else "drop" for h in hits}
            self.assertEqual(verdicts, {"accept", "drop"})

    def test_stats(self):
        stats = self.big["acl"].stats({"runs": 0})
        self.assertEqual(stats["rules"], 10000)
        self.assertEqual(sum(stats["protocols"].values()), 10000)
        self.assertEqual(sum(stats["kinds"].values()), 10000)
        self.assertEqual(len(stats["flows"]), 16)


@unittest.skipUnless(os.environ.get("NACLC"), "NACLC (path of naclc) not set")
class NaclcAcceptsTheConfiguration(unittest.TestCase):
    def test_check(self):
        with tempfile.TemporaryDirectory() as out:
            for n, profile in ((10, "fw"), (1000, "fw"), (1000, "acl")):
                path = os.path.join(out, f"{profile}-{n}.nacl")
                with open(path, "w") as f:
                    f.write(generate.RuleSet(n, profile, 1, "drop", 10).nacl())
                p = subprocess.run([os.environ["NACLC"], "check", path], stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True, timeout=120)
                self.assertEqual(p.returncode, 0, p.stdout[-3000:])
                self.assertNotIn("error", p.stdout)


if __name__ == "__main__":
    unittest.main()
