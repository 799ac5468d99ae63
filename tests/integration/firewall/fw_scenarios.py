"""The scenarios of fw_lab.py: a configuration (NAME.nacl here), the lab's hosts (host i is on NIC i), setup
commands in the hosts, and the checks, each asserting what passes and what does not.

Probes that must fail use short timeouts; each runs next to probes that must succeed on the same path, so a
slow appliance shows up as a failed positive check, never as a passed negative one.
"""
import os
import re
import time
from dataclasses import dataclass, field
from typing import Callable

from router_lab import ping, wait_for

HERE = os.path.dirname(os.path.abspath(__file__))
PY = "/usr/bin/python3"
SERVE = 150  # seconds the helpers live at most
OPEN, BLOCKED = 6, 2  # probe timeouts (s): for what must pass, for what must not


@dataclass
class Scenario:
    nacl: str
    hosts: list
    checks: Callable
    setup: list = field(default_factory=list)
    before_boot: Callable = None  # starts helpers the appliance needs as it boots (a DHCP server)


def no_lines(run, what, log, patterns):
    text = log()
    found = [p for p in patterns if re.search(p, text, re.M)]
    run.check(what, not found, f"found {found}" if found else "none")


def has_lines(run, what, log, patterns):
    text = log()
    missing = [p for p in patterns if not re.search(p, text, re.M)]
    run.check(what, not missing, f"missing {missing} in: {text.strip()}" if missing else "all there")


# ---- 1. Stateless firewall: allow and deny lists, port ranges ----

def stateless(run):
    server = run.serve("server", SERVE, *[f"tcp:10.1.0.2:{p}" for p in (7999, 8000, 8005, 8010, 8011)],
                       *[f"udp:10.1.0.2:{p}" for p in (4999, 5000, 5002, 5003, 5100)])
    client = run.serve("client", SERVE, "tcp:10.0.0.10:9000")
    received, out = ping(run, "client", "10.1.0.2")
    run.check("icmp echo allowed", received >= 2 and "ttl=63" in out, out.strip().splitlines()[-1])
    run.expect("client", OPEN, {
        "tcp:10.1.0.2:8000": "open", "tcp:10.1.0.2:8005": "open", "tcp:10.1.0.2:8010": "open",
        "udp:10.1.0.2:5000": "echoed", "udp:10.1.0.2:5002": "echoed", "udp:10.1.0.2:5100": "echoed",
        # 10.0.0.127 is just below the denied 10.0.0.128/26.
        "tcp:10.1.0.2:8005@10.0.0.127": "open",
    }, "allow list, range ends included")
    run.expect("client", BLOCKED, {
        "tcp:10.1.0.2:7999": "timeout", "tcp:10.1.0.2:8011": "timeout",
        "udp:10.1.0.2:4999": "timeout", "udp:10.1.0.2:5003": "timeout",
        "tcp:10.1.0.2:8005@10.0.0.66": "timeout", "tcp:10.1.0.2:8005@10.0.0.130": "timeout",
        "udp:10.1.0.2:5000@10.0.0.191": "timeout",
    }, "just outside the ranges, or a denied source")
    received, out = ping(run, "client", "10.1.0.2", extra=("-I", "10.0.0.66"), count=2)
    run.check("icmp echo from a denied host dropped", received == 0, out.strip().splitlines()[-1])
    # Stateless: what the rules say about ports is all that counts, whoever opened the connection.
    run.expect("server", OPEN, {"tcp:10.0.0.10:9000@10.1.0.2:8003": "open"},
               "the reply rule (source port in range) lets the server connect out")
    run.expect("server", BLOCKED, {"tcp:10.0.0.10:9000@10.1.0.2:40000": "timeout"},
               "any other source port")
    has_lines(run, "the server saw the allowed connections", server,
              [r"^tcp 8000 from 10\.0\.0\.10:", r"^tcp 8010 from 10\.0\.0\.10:", r"^tcp 8005 from 10\.0\.0\.127:",
               r"^udp 5002 from 10\.0\.0\.10:", r"^udp 5100 from 10\.0\.0\.10:"])
    no_lines(run, "the blocked ones never reached the server", server,
             [r"^tcp 7999 ", r"^tcp 8011 ", r"^udp 4999 ", r"^udp 5003 ", r"from 10\.0\.0\.66:",
              r"from 10\.0\.0\.130:", r"from 10\.0\.0\.191:"])
    has_lines(run, "the client saw the server's connection from port 8003", client,
              [r"^tcp 9000 from 10\.1\.0\.2:8003$"])
    no_lines(run, "... and not the one from port 40000", client, [r"^tcp 9000 from 10\.1\.0\.2:40000$"])


# ---- 2. Stateful firewall: established, related, new, invalid ----

def stateful(run):
    outside = run.serve("outside", SERVE, "tcp:10.0.0.10:9000", "udp:10.0.0.10:5000")
    inside = run.serve("inside", SERVE, "tcp:10.1.0.2:9000", "udp:10.1.0.2:5000")
    run.expect("inside", OPEN, {"tcp:10.0.0.10:9000": "open", "udp:10.0.0.10:5000": "echoed"},
               "new from the LAN accepted, the replies pass as established")
    received, out = ping(run, "inside", "10.0.0.10")
    run.check("ping from the LAN and its replies", received >= 2, out.strip().splitlines()[-1])
    # An ICMP port unreachable from the outside host about the LAN's datagram: related, so it passes.
    run.expect("inside", OPEN, {"udp:10.0.0.10:5999": "refused"}, "the ICMP error about a connection is related")
    run.expect("outside", BLOCKED, {"tcp:10.1.0.2:9000": "timeout", "udp:10.1.0.2:5000": "timeout"},
               "new from the WAN dropped")
    received, out = ping(run, "outside", "10.1.0.2", count=2)
    run.check("ping from the WAN dropped", received == 0, out.strip().splitlines()[-1])
    no_lines(run, "nothing from the WAN reached the LAN host", inside, [r"from 10\.0\.0\.10:"])
    has_lines(run, "the WAN host saw the LAN's connections", outside,
              [r"^tcp 9000 from 10\.1\.0\.2:", r"^udp 5000 from 10\.1\.0\.2:"])

    # Invalid: a lone ACK of no connection (stateful TCP: only a SYN opens) must not leave the LAN; a SYN
    # crafted the same way does, which shows the capture would have seen the ACK.
    capture = run.capture("outside", "tcp port 9000 and src host 10.1.0.2")
    sent = run.scapy("inside", "ack:10.0.0.10:9000", "syn:10.0.0.10:9000")
    seen = capture.stop()
    run.check("a crafted SYN from the LAN is new and passes (SYN-ACK back)",
              re.search(r"src=10\.0\.0\.10 sport=9000 .*flags=SA", sent["syn:10.0.0.10:9000"]) is not None
              and any("Flags [S]" in line for line in seen), sent["syn:10.0.0.10:9000"])
    lone = [line for line in seen if "Flags [.]" in line and "seq 1000" in line]
    run.check("a lone ACK is invalid and dropped", not lone, " | ".join(lone) or f"not on the WAN ({len(seen)} seen)")
    # An ICMP error about nothing the LAN sent is invalid as well.
    capture = run.capture("inside", "icmp and src host 10.0.0.10")
    run.scapy("outside", "icmp-error:10.1.0.2:10.0.0.10")
    seen = capture.stop()
    run.check("an ICMP error about no connection is invalid and dropped", not seen,
              " | ".join(seen) or "not on the LAN")
    time.sleep(0.3)
    has_lines(run, "the invalid rule logged them", run.console,
              [r"^invalid dropped: 10\.1\.0\.2 -> 10\.0\.0\.10$", r"^invalid dropped: 10\.0\.0\.10 -> 10\.1\.0\.2$",
               r"^new from outside dropped: 10\.0\.0\.10 -> 10\.1\.0\.2$"])


# ---- 3. NAT gateway: dnat port forwards, masquerade, replies translated back ----

def nat(run):
    www = os.path.join(run.work, "www")
    os.makedirs(www)
    with open(os.path.join(www, "index.html"), "w") as f:
        f.write("halite nat test page\n")
    _, http_log = run.spawn_ready("server", r"Serving HTTP", PY, "-u", "-m", "http.server", "80", "--bind",
                                  "10.1.0.2", "--directory", www)
    server = run.serve("server", SERVE, "udp:10.1.0.2:5000", "tcp:10.1.0.2:22", "tcp:10.1.0.2:8081")
    outside = run.serve("outside", SERVE, "tcp:10.0.0.10:9000", "udp:10.0.0.10:5000")
    # Whatever the LAN sends leaves masqueraded: no LAN address may appear on the WAN.
    capture = run.capture("outside", "src net 10.1.0.0/24")

    code, out = run.host("outside", "curl", "-sS", "-m", str(OPEN), "http://10.0.0.1:8080/", timeout=30)
    run.check("dnat: http://10.0.0.1:8080/ from the WAN is the server's page", "halite nat test page" in out,
              out.strip())
    has_lines(run, "dnat keeps the client's address (the server's access log)", lambda: open(http_log).read(),
              [r"^10\.0\.0\.10 - - .*\"GET / HTTP/1\.1\" 200"])
    run.expect("outside", OPEN, {"udp:10.0.0.1:5353": "echoed"},
               "dnat udp 5353 -> 10.1.0.2:5000, the reply comes back from 10.0.0.1:5353")
    has_lines(run, "the server got the forwarded datagram", server, [r"^udp 5000 from 10\.0\.0\.10:"])

    run.expect("server", OPEN, {"tcp:10.0.0.10:9000": "open", "udp:10.0.0.10:5000": "echoed",
                                "udp:10.0.0.10:5999": "refused"},
               "masquerade: the LAN reaches the WAN (and the ICMP error about it is translated back)")
    received, out = ping(run, "server", "10.0.0.10")
    run.check("masquerade: ping from the LAN", received >= 2, out.strip().splitlines()[-1])
    has_lines(run, "the WAN host sees the gateway's address", outside,
              [r"^tcp 9000 from 10\.0\.0\.1:", r"^udp 5000 from 10\.0\.0\.1:"])
    no_lines(run, "... never the LAN's", outside, [r"from 10\.1\.0\."])

    run.expect("outside", BLOCKED, {"tcp:10.1.0.2:22": "timeout"}, "the server's other ports are closed to the WAN")
    results = run.probe("outside", BLOCKED, "tcp:10.0.0.1:8081")
    run.check("a port that is not forwarded goes nowhere", results["tcp:10.0.0.1:8081"][0] != "open",
              " ".join(results["tcp:10.0.0.1:8081"]))
    no_lines(run, "the server saw neither", server, [r"^tcp 22 ", r"^tcp 8081 "])
    seen = capture.stop()
    run.check("no LAN source address on the WAN", not seen, " | ".join(seen[:5]) or "none")


# ---- 4. Router: forward chain, time exceeded ----

def router(run):
    server = run.serve("server", SERVE, "tcp:10.1.0.2:8000", "tcp:10.1.0.2:23", "udp:10.1.0.2:5000",
                       "udp:10.1.0.2:9999")
    client = run.serve("client", SERVE, "tcp:10.0.0.10:23")
    received, out = ping(run, "client", "10.1.0.2")
    run.check("routed ping, ttl 64 - 1", received >= 2 and "ttl=63" in out, out.strip().splitlines()[-1])
    run.expect("client", OPEN, {"tcp:10.1.0.2:8000": "open", "udp:10.1.0.2:5000": "echoed"}, "forwarded")
    run.expect("client", BLOCKED, {"tcp:10.1.0.2:23": "timeout", "udp:10.1.0.2:9999": "timeout"},
               "the forward chain drops")
    run.expect("server", BLOCKED, {"tcp:10.0.0.10:23": "timeout"}, "... in both directions")
    no_lines(run, "dropped traffic never arrived", server, [r"^tcp 23 ", r"^udp 9999 "])
    no_lines(run, "... on either side", client, [r"^tcp 23 "])

    code, out = run.host("client", "traceroute", "-n", "-N", "1", "-q", "1", "-w", "2", "-m", "4", "10.1.0.2",
                         timeout=40)
    hops = dict(re.findall(r"^\s*(\d+)\s+(\d+\.\d+\.\d+\.\d+)", out, re.M))
    run.check("traceroute: the appliance is hop 1, the server hop 2",
              hops.get("1") == "10.0.0.1" and hops.get("2") == "10.1.0.2", " | ".join(out.strip().splitlines()))
    received, out = ping(run, "client", "10.1.0.2", extra=("-t", "1"), count=1)
    run.check("ping with ttl 1: time exceeded from the appliance",
              received == 0 and re.search(r"From 10\.0\.0\.1 .*Time to live exceeded", out) is not None,
              (re.findall(r"From .*", out) or [out])[0])
    capture = run.capture("server", "udp dst port 5000 and src host 10.0.0.10")
    answers = run.scapy("client", "udp:10.1.0.2:5000:1", "udp:10.1.0.2:5000:2")
    seen = capture.stop()
    run.check("udp with ttl 1: ICMP time exceeded (11/0) from 10.0.0.1 quoting it",
              re.match(r"icmp src=10\.0\.0\.1 type=11 code=0 quoted=10\.0\.0\.10>10\.1\.0\.2 qproto=17 qdport=5000",
                       answers["udp:10.1.0.2:5000:1"]) is not None, answers["udp:10.1.0.2:5000:1"])
    run.check("udp with ttl 2 is echoed by the server", answers["udp:10.1.0.2:5000:2"].startswith("udp src=10.1.0.2"),
              answers["udp:10.1.0.2:5000:2"])
    run.check("only the ttl-2 datagram reached the server, with ttl 1",
              len(seen) >= 1 and all("ttl 1," in x for x in seen), " | ".join(seen) or "nothing")
    received, out = ping(run, "client", "10.9.9.9", count=1)
    run.check("no route: not forwarded", received == 0,
              (re.findall(r"From .*", out) or [out.strip().splitlines()[-1]])[0])


# ---- 5. Syslog: RFC 5424 over UDP ----

RFC5424 = re.compile(r"^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) (-|\[.*?\](?:\[.*?\])*)(?: (.*))?$", re.S)
TIMESTAMP = re.compile(r"^(-|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?(Z|[+-]\d\d:\d\d))$")


def syslog(run):
    _, log_path = run.spawn_ready("server", r"^ready$", PY, os.path.join(HERE, "fw_tools.py"), "syslog-listen",
                                  "10.1.0.2", "5514", str(SERVE))
    server = run.serve("server", SERVE, "tcp:10.1.0.2:8000", "tcp:10.1.0.2:8001", "udp:10.1.0.2:5000")
    run.expect("client", OPEN, {"tcp:10.1.0.2:8000": "open", "tcp:10.1.0.2:8001": "open",
                                "udp:10.1.0.2:5000": "echoed"}, "accepted")
    received, out = ping(run, "client", "10.1.0.2", extra=("-I", "10.0.0.66"), count=3)
    run.check("the banned host's pings are dropped", received == 0, out.strip().splitlines()[-1])
    time.sleep(2.5)  # a heartbeat (every 2 s) and the last datagrams
    messages = []
    for line in open(log_path, errors="replace").read().splitlines():
        m = re.match(r"^from (\S+):(\d+) b(['\"])(.*)\3$", line)
        if m:
            messages.append((m.group(1), m.group(4).encode().decode("unicode_escape")))
    run.check("syslog datagrams arrive from the appliance's inside address",
              messages and all(src == "10.1.0.1" for src, _ in messages), f"{len(messages)} datagrams")
    parsed = []
    for _, text in messages:
        m = RFC5424.match(text)
        if m is None:
            run.check("RFC 5424 syntax", False, text)
        else:
            parsed.append(m)
    lines = open(os.path.join(HERE, "syslog.nacl")).read().splitlines()

    def rule_messages(body):
        return [m for m in parsed if m.group(6) == "rule" and m.group(8) and re.fullmatch(body, m.group(8))]

    blocked = rule_messages(r"blocked 10\.0\.0\.66 -> 10\.1\.0\.2")
    run.check("one warning per blocked packet (3 pings)", len(blocked) >= 3, f"{len(blocked)} messages")
    fresh = rule_messages(r"new tcp 10\.0\.0\.10:\d+ -> 10\.1\.0\.2:8000")
    run.check("one notice for the one new connection to 8000", len(fresh) == 1, f"{len(fresh)} messages")
    for what, found, pri, call in (("warning", blocked, 12, "syslog(warning"), ("notice", fresh, 13, "syslog(notice")):
        for m in found[:1]:
            problems = []
            if int(m.group(1)) != pri:
                problems.append(f"PRI {m.group(1)}, want {pri} (facility user)")
            if not TIMESTAMP.match(m.group(2)):
                problems.append(f"TIMESTAMP {m.group(2)}")
            if m.group(3) != "10.1.0.1":
                problems.append(f"HOSTNAME {m.group(3)}")
            if m.group(4) != "halite" or m.group(5) != "-":
                problems.append(f"APP-NAME/PROCID {m.group(4)} {m.group(5)}")
            sd = re.fullmatch(r'\[rule@32473 location="(?:\S*/)?syslog\.nacl:(\d+):(\d+)" function="audit"\]',
                              m.group(7))
            if not sd:
                problems.append(f"STRUCTURED-DATA {m.group(7)}")
            else:
                line, col = int(sd.group(1)), int(sd.group(2))
                at = lines[line - 1][col - 1:] if 0 < line <= len(lines) else ""
                if not at.startswith(call):
                    problems.append(f"location {line}:{col} points at {at!r}, not {call}")
            run.check(f"{what}: PRI, VERSION, TIMESTAMP, HOSTNAME, APP-NAME, PROCID, MSGID, SD, MSG",
                      not problems, "; ".join(problems) or m.group(0))
    others = [m.group(0) for m in parsed if m.group(6) == "rule" and m not in blocked and m not in fresh]
    run.check("no message for traffic no syslog rule matched (8001, udp)", not others, " | ".join(others) or "none")
    timers = [m for m in parsed if m.group(6) != "rule"]
    run.check("the heartbeat Timer reports to syslog too", bool(timers),
              timers[0].group(0) if timers else f"{len(parsed)} messages, none from the Timer")
    no_lines(run, "the banned host never reached the server", server, [r"from 10\.0\.0\.66:"])


# ---- 6. Reject: TCP reset, ICMP administratively prohibited ----

def reject(run):
    server = run.serve("server", SERVE, *[f"tcp:10.1.0.2:{p}" for p in (8000, 8001, 8002)],
                       *[f"udp:10.1.0.2:{p}" for p in (5000, 5001, 5002)])
    run.expect("client", OPEN, {"tcp:10.1.0.2:8000": "open", "udp:10.1.0.2:5000": "echoed"}, "accepted")
    run.expect("client", BLOCKED, {"tcp:10.0.0.1:22": "refused", "tcp:10.1.0.2:8001": "refused",
                                   "udp:10.1.0.2:5001": "unreachable",
                                             "tcp:10.1.0.2:8002": "timeout", "udp:10.1.0.2:5002": "timeout"},
                         "reject answers at once, drop does not")
    answers = run.scapy("client", "syn:10.0.0.1:22", "syn:10.1.0.2:8001", "syn:10.1.0.2:8002", "udp:10.1.0.2:5001",
                        "udp:10.1.0.2:5002", "proto:10.1.0.2:253")
    a = answers["syn:10.1.0.2:8001"]
    m = re.match(r"tcp src=10\.1\.0\.2 sport=8001 dport=\d+ flags=RA seq=\d+ ack=(\d+) sent_seq=(\d+)$", a)
    run.check("TCP reject: RST+ACK from the server's address and port, acknowledging the SYN",
              m is not None and int(m.group(1)) == int(m.group(2)) + 1, a)
    a = answers["syn:10.0.0.1:22"]
    m = re.match(r"tcp src=10\.0\.0\.1 sport=22 dport=\d+ flags=RA seq=\d+ ack=(\d+) sent_seq=(\d+)$", a)
    run.check("TCP reject on the input chain: RST+ACK from the appliance",
              m is not None and int(m.group(1)) == int(m.group(2)) + 1, a)
    run.check("TCP drop: no answer", answers["syn:10.1.0.2:8002"].startswith("none"), answers["syn:10.1.0.2:8002"])
    for spec, proto, port in (("udp:10.1.0.2:5001", 17, " qdport=5001"), ("proto:10.1.0.2:253", 253, "")):
        run.check(f"{spec.split(':')[0]} reject: ICMP 3/13 (admin prohibited) from the appliance, quoting it",
                  re.fullmatch(rf"icmp src=10\.0\.0\.1 type=3 code=13 quoted=10\.0\.0\.10>10\.1\.0\.2 qproto={proto}"
                               + port, answers[spec]) is not None, answers[spec])
    run.check("UDP drop: no answer", answers["udp:10.1.0.2:5002"] == "none", answers["udp:10.1.0.2:5002"])
    no_lines(run, "rejected and dropped traffic never reached the server", server,
             [r"^tcp 8001 ", r"^tcp 8002 ", r"^udp 5001 ", r"^udp 5002 "])


# ---- 7. examples/router_nat.nacl as it is: dnat with a port, snat of a network, snat of a port ----

def router_nat(run):
    wan = run.serve("wan", SERVE, "tcp:203.0.113.1:9000", "udp:203.0.113.1:5000")
    srv = run.serve("srv", SERVE, "tcp:10.10.0.80:8080")
    run.expect("wan", OPEN, {"tcp:203.0.113.2:80": "open"}, "port_forwards: http -> dnat(map.web.address, 8080)")
    has_lines(run, "the web server got it on 8080 from the WAN host", srv, [r"^tcp 8080 from 203\.0\.113\.1:"])
    run.expect("lab", OPEN, {"tcp:203.0.113.1:9000": "open"}, "lab_source_nat: the lab network")
    run.expect("srv", OPEN, {"udp:203.0.113.1:5000@10.10.0.80:123": "echoed",
                             "tcp:203.0.113.1:9000@10.10.0.80:2000": "open",
                             "tcp:203.0.113.1:9000@10.10.0.80:3000": "open"}, "lab_source_nat: by source port")
    has_lines(run, "the WAN host sees each source as the rules say", wan,
              [r"^tcp 9000 from 203\.0\.113\.2:\d+$", r"^udp 5000 from 203\.0\.113\.2:1123$",
               r"^tcp 9000 from 10\.10\.0\.80:40000$", r"^tcp 9000 from 10\.10\.0\.80:3000$"])
    no_lines(run, "... and never the lab's own address, nor ports 123 and 2000", wan,
             [r"from 10\.30\.", r"from 10\.10\.0\.80:123$", r"from 10\.10\.0\.80:2000$"])
    received, out = ping(run, "lab", "10.30.0.1", count=1)
    run.check("the lab pings the router", received == 1, out.strip().splitlines()[-1])
    time.sleep(0.3)
    has_lines(run, "lab_source_nat_input: its syslog(info) on the console (no Syslog element)", run.console,
              [r"^syslog info: to the router from the lab: 10\.30\.0\.2$"])


# ---- 8. Interfaces: DHCP, DHCP with fallback, an 802.1Q VLAN, a NIC chosen by its MAC ----

APPLIANCE_WAN_MAC = "52:54:00:fe:00:00"  # fw_lab.py gives NIC i the MAC 52:54:00:fe:00:0i


def wait_console(run, pattern, seconds):
    """(found, console text): waits until a console line matches."""
    return wait_for(run.console_path, pattern, seconds, None)


def start_dhcp_server(run):
    """dnsmasq (DHCP only, no DNS) on the wan host, up before QEMU starts: the appliance's NIC 0 gets
    10.3.0.77 by its MAC, with the wan host as its router."""
    run.spawn_ready("wan", r"DHCP, IP range", "dnsmasq", "--no-daemon", "--conf-file=/dev/null", "--port=0",
                    "--user=root", "--interface=eth0", "--bind-interfaces", "--no-ping", "--log-dhcp",
                    "--dhcp-range=10.3.0.50,10.3.0.99,255.255.255.0,10m",
                    f"--dhcp-host={APPLIANCE_WAN_MAC},10.3.0.77", "--dhcp-option=option:router,10.3.0.2",
                    f"--dhcp-leasefile={os.path.join(run.work, 'leases')}", "--pid-file=")


def interfaces(run):
    started = time.monotonic()
    # Nothing answers on lan before its DHCP gives up (30 s): no address yet.
    received, out = ping(run, "lan", "10.4.0.1", count=1)
    run.check("lan (dhcp-with-fallback) has no address while DHCP is still trying", received == 0,
              out.strip().splitlines()[-1])

    found, text = wait_console(run, r"^appliance: Iface wan: dhcp bound.*$", 30)
    line = re.search(r"^appliance: Iface wan: dhcp bound.*$", text, re.M)
    run.check("wan (dhcp) is bound to the address the server gives its MAC, with the server's router",
              found and line is not None and line.group(0).endswith("10.3.0.77/24, gateway 10.3.0.2"),
              line.group(0) if line else text)
    received, out = ping(run, "wan", "10.3.0.77")
    run.check("the leased address answers", received >= 2, out.strip().splitlines()[-1])

    # This kernel has no 8021q, so the lan host speaks 802.1Q through scapy on its eth0.
    mac = "52:54:00:fe:00:01"
    answers = run.scapy("lan", "vlan-arp:10.20.0.1:20:10.20.0.2", f"vlan-ping:10.20.0.1:20:10.20.0.2:{mac}",
                        f"vlan-ping:10.5.0.2:20:10.20.0.2:{mac}", "vlan-arp:10.20.0.1:30:10.20.0.2",
                        f"vlan-ping:10.20.0.1:30:10.20.0.2:{mac}")
    a = answers["vlan-arp:10.20.0.1:20:10.20.0.2"]
    run.check("voice (VLAN 20 on NIC 1) answers ARP, tagged 20, with NIC 1's MAC",
              a.startswith(f"vlan=20 arp op=2 psrc=10.20.0.1 hwsrc={mac}"), a)
    a = answers[f"vlan-ping:10.20.0.1:20:10.20.0.2:{mac}"]
    run.check("... and echo requests, tagged 20", a.startswith("vlan=20 icmp src=10.20.0.1 type=0"), a)
    a = answers[f"vlan-ping:10.5.0.2:20:10.20.0.2:{mac}"]
    run.check("VLAN 20 to dmz is forwarded and the reply comes back tagged 20",
              a.startswith("vlan=20 icmp src=10.5.0.2 type=0"), a)
    for action in ("vlan-arp:10.20.0.1:30:10.20.0.2", f"vlan-ping:10.20.0.1:30:10.20.0.2:{mac}"):
        run.check(f"nothing answers on VLAN 30, which no Iface has ({action.split(':')[0]})",
                  answers[action] == "none", answers[action])
    line = re.search(r"^appliance: Iface dmz is .*$", run.console(), re.M)
    run.check("dmz is NIC 2 (chosen by its MAC), with its NIC limits set",
              line is not None and line.group(0).startswith("appliance: Iface dmz is eth2, 10.5.0.1/24") and
              line.group(0).find(", buffer_limit 16, send_queue_limit 64") > 0, line.group(0) if line else "none")
    received, out = ping(run, "dmz", "10.5.0.1")
    run.check("dmz answers", received >= 2, out.strip().splitlines()[-1])

    wan = run.serve("wan", SERVE, "tcp:10.3.0.2:8000", "tcp:10.3.0.2:23")
    run.serve("dmz", SERVE, "tcp:10.5.0.2:8000")
    run.expect("dmz", OPEN, {"tcp:10.3.0.2:8000": "open"}, "dmz to wan, routed to the leased subnet")
    run.expect("dmz", BLOCKED, {"tcp:10.3.0.2:23": "timeout"}, "the forward chain drops telnet")
    run.expect("wan", OPEN, {"tcp:10.5.0.2:8000": "open"}, "wan to dmz, through the leased address")
    # A burst through the NIC with 16 receive buffers: a flood ping of 200, every one answered.
    code, out = run.host("dmz", "ping", "-n", "-f", "-c", "200", "-W", "2", "10.3.0.2", timeout=60)
    m = re.search(r"(\d+) received", out)
    run.check("200 flood pings through dmz's 16 receive buffers are all answered", m is not None and m.group(1) == "200",
              out.strip().splitlines()[-2] if out.strip() else "no output")
    no_lines(run, "telnet never reached the wan host", wan, [r"^tcp 23 "])

    left = max(1.0, 50 - (time.monotonic() - started))
    found, text = wait_console(run, r"^appliance: Iface lan: dhcp fell back.*$", left)
    line = re.search(r"^appliance: Iface lan: dhcp fell back.*$", text, re.M)
    run.check("lan falls back to its static address when no DHCP server answers",
              found and line is not None and line.group(0).endswith("10.4.0.1/24"),
              line.group(0) if line else text[-400:])
    received, out = ping(run, "lan", "10.4.0.1")
    run.check("... which then answers", received >= 2, out.strip().splitlines()[-1])
    run.expect("lan", OPEN, {"tcp:10.5.0.2:8000@10.4.0.2": "open"}, "lan to dmz, forwarded after the fallback")


def lab(*hosts):
    return list(hosts)


CLIENT = "client:10.0.0.10/24:10.0.0.1"
SERVER = "server:10.1.0.2/24:10.1.0.1"
SCENARIOS = {
    "stateless": Scenario("stateless.nacl", lab(CLIENT, SERVER), stateless, [
        ("client", ("ip", "addr", "add", a, "dev", "eth0"))
        for a in ("10.0.0.66/24", "10.0.0.127/24", "10.0.0.130/24", "10.0.0.191/24")]),
    "stateful": Scenario("stateful.nacl", lab("inside:10.1.0.2/24:10.1.0.1", "outside:10.0.0.10/24:10.0.0.1"),
                         stateful),
    "nat": Scenario("nat.nacl", lab("outside:10.0.0.10/24:10.0.0.1", SERVER), nat),
    "router": Scenario("router.nacl", lab(CLIENT, SERVER), router),
    "syslog": Scenario("syslog.nacl", lab(CLIENT, SERVER), syslog,
                       [("client", ("ip", "addr", "add", "10.0.0.66/24", "dev", "eth0"))]),
    "reject": Scenario("reject.nacl", lab(CLIENT, SERVER), reject),
    "router_nat": Scenario(os.path.join(HERE, "..", "..", "..", "examples", "router_nat.nacl"),
                           lab("wan:203.0.113.1/30:203.0.113.2", "srv:10.10.0.80/24:10.10.0.1",
                               "lab:10.30.0.2/24:10.30.0.1"), router_nat),
    "interfaces": Scenario("interfaces.nacl", lab("wan:10.3.0.2/24", "lan:10.4.0.2/24", "dmz:10.5.0.2/24:10.5.0.1"),
                           interfaces, [
                               ("wan", ("ip", "route", "add", "10.0.0.0/8", "via", "10.3.0.77")),
                               ("lan", ("ip", "route", "add", "10.5.0.0/24", "via", "10.4.0.1")),
                           ], before_boot=start_dhcp_server),
}
