#!/usr/bin/python3
"""Traffic tools the firewall tests run inside lab namespaces (every one bounded in time).

  fw_tools.py serve SECONDS SPEC...      listen on each SPEC (tcp:ADDR:PORT or udp:ADDR:PORT), echo what
                                         arrives, print `ready` once bound and one line per connection or
                                         datagram: `tcp PORT from IP:PORT` / `udp PORT from IP:PORT`
  fw_tools.py probe TIMEOUT SPEC...      all at once, one line each: `SPEC RESULT detail`. SPEC is
                                         tcp:DST:PORT[@SRC[:SPORT]] or udp:DST:PORT[@SRC]; RESULT is
                                         open (tcp, data echoed), echoed (udp, from DST:PORT), refused,
                                         unreachable, timeout, wrong (an answer that is not the echo) or error
  fw_tools.py syslog-listen ADDR PORT SECONDS   print each datagram received, one per line (repr)
  fw_tools.py scapy ACTION...            crafted packets (scapy), one line per ACTION:
        syn:DST:PORT            a SYN; prints the TCP or ICMP answer (or `none`)
        udp:DST:PORT[:TTL]      a UDP datagram with that TTL; prints the answer
        proto:DST:N             a bare IPv4 datagram of protocol N; prints the answer
        ack:DST:PORT            a lone ACK (no connection), no answer awaited
        icmp-error:DST:QDST     an ICMP port unreachable to DST quoting a UDP datagram DST -> QDST that was
                                never sent (an error about no connection)
Anything else is handed to tests/integration/net/lab_tools.py (udp-echo-server, udp-exchange, udp-refused).
"""
import errno
import os
import selectors
import socket
import sys
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "net"))
import lab_tools  # noqa: E402


def parse_spec(spec):
    kind, rest = spec.split(":", 1)
    src = None
    if "@" in rest:
        rest, src = rest.split("@", 1)
    addr, port = rest.rsplit(":", 1)
    source = None
    if src is not None:
        if ":" in src:
            sa, sp = src.split(":", 1)
            source = (sa, int(sp))
        else:
            source = (src, 0)
    return kind, addr, int(port), source


def serve(seconds, specs):
    sel = selectors.DefaultSelector()
    for spec in specs:
        kind, addr, port, _ = parse_spec(spec)
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM if kind == "tcp" else socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((addr, port))
        if kind == "tcp":
            s.listen(16)
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ, (kind, port, "listen"))
    print("ready", flush=True)
    deadline = time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return 0
        for key, _ in sel.select(timeout=min(left, 0.5)):
            kind, port, role = key.data
            s = key.fileobj
            try:
                if kind == "tcp" and role == "listen":
                    c, peer = s.accept()
                    print(f"tcp {port} from {peer[0]}:{peer[1]}", flush=True)
                    c.setblocking(False)
                    sel.register(c, selectors.EVENT_READ, (kind, port, "conn"))
                elif kind == "tcp":
                    data = s.recv(4096)
                    if data:
                        s.sendall(data)
                    else:
                        sel.unregister(s)
                        s.close()
                else:
                    data, peer = s.recvfrom(4096)
                    print(f"udp {port} from {peer[0]}:{peer[1]}", flush=True)
                    s.sendto(data, peer)
            except OSError:
                if role == "conn":
                    sel.unregister(s)
                    s.close()


def probe_one(spec, timeout):
    kind, addr, port, source = parse_spec(spec)
    payload = f"halite probe {spec} {time.monotonic_ns()}".encode()
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM if kind == "tcp" else socket.SOCK_DGRAM)
    s.settimeout(timeout)
    try:
        if source is not None:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(source)
        start = time.monotonic()
        if kind == "tcp":
            s.connect((addr, port))
            s.sendall(payload)
            data = b""
            while len(data) < len(payload):
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
            took = time.monotonic() - start
            return ("open", f"{took:.2f} s") if data == payload else ("wrong", repr(data[:40]))
        s.connect((addr, port))
        # Three tries: the first datagram may wait for ARP on a cold path.
        for _ in range(3):
            s.send(payload)
            try:
                data, peer = s.recvfrom(4096)
            except socket.timeout:
                continue
            took = time.monotonic() - start
            if data == payload and peer == (addr, port):
                return "echoed", f"{took:.2f} s"
            return "wrong", f"{data[:40]!r} from {peer}"
        return "timeout", f"{3 * timeout:.1f} s"
    except socket.timeout:
        return "timeout", f"{timeout:.1f} s"
    except ConnectionRefusedError:
        return "refused", f"{time.monotonic() - start:.2f} s"
    except OSError as e:
        if e.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH):
            return "unreachable", f"{os.strerror(e.errno)} after {time.monotonic() - start:.2f} s"
        return "error", str(e)
    finally:
        s.close()


def probe(timeout, specs):
    results = {}

    def run(spec):
        results[spec] = probe_one(spec, timeout)

    threads = [threading.Thread(target=run, args=(spec,)) for spec in specs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout * 4 + 5)
    for spec in specs:
        result, detail = results.get(spec, ("error", "probe did not finish"))
        print(f"{spec} {result} {detail}", flush=True)
    return 0


def syslog_listen(addr, port, seconds):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, port))
    print("ready", flush=True)
    deadline = time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return 0
        s.settimeout(min(left, 0.5))
        try:
            data, peer = s.recvfrom(4096)
        except socket.timeout:
            continue
        print(f"from {peer[0]}:{peer[1]} {data!r}", flush=True)


def describe(answer):
    from scapy.all import ICMP, IP, TCP, UDP, IPerror, TCPerror, UDPerror
    if answer is None:
        return "none"
    ip = answer[IP]
    if TCP in answer:
        t = answer[TCP]
        return f"tcp src={ip.src} sport={t.sport} dport={t.dport} flags={t.flags} seq={t.seq} ack={t.ack}"
    if ICMP in answer:
        i = answer[ICMP]
        quoted = ""
        if IPerror in answer:
            q = answer[IPerror]
            quoted = f" quoted={q.src}>{q.dst} qproto={q.proto}"
            if UDPerror in answer:
                quoted += f" qdport={answer[UDPerror].dport}"
            if TCPerror in answer:
                quoted += f" qdport={answer[TCPerror].dport}"
        return f"icmp src={ip.src} type={i.type} code={i.code}{quoted}"
    if UDP in answer:
        return f"udp src={ip.src} sport={answer[UDP].sport}"
    return f"ip src={ip.src} proto={ip.proto}"


def scapy_actions(actions):
    from scapy.all import ICMP, IP, TCP, UDP, Raw, conf, send, sr1
    conf.verb = 0
    failures = 0
    for action in actions:
        kind, dst, arg, *more = action.split(":")
        sport = 20000 + (time.monotonic_ns() // 1000) % 20000
        if kind == "syn":
            seq = 0x48000000 + sport
            answer = sr1(IP(dst=dst) / TCP(sport=sport, dport=int(arg), flags="S", seq=seq), timeout=3, retry=1)
            print(f"{action} {describe(answer)} sent_seq={seq}", flush=True)
        elif kind == "udp":
            ttl = int(more[0]) if more else 64
            answer = sr1(IP(dst=dst, ttl=ttl) / UDP(sport=sport, dport=int(arg)) / Raw(b"halite ttl probe"),
                         timeout=3, retry=1)
            print(f"{action} {describe(answer)}", flush=True)
        elif kind == "proto":
            answer = sr1(IP(dst=dst, proto=int(arg)) / Raw(b"\x00\x00\x08\x00halite protocol probe"),
                         timeout=3, retry=1)
            print(f"{action} {describe(answer)}", flush=True)
        elif kind == "ack":
            send(IP(dst=dst) / TCP(sport=sport, dport=int(arg), flags="A", seq=1000, ack=2000), count=3,
                 inter=0.2)
            print(f"{action} sent 3 from port {sport}", flush=True)
        elif kind == "icmp-error":
            quoted = IP(src=dst, dst=arg, ttl=60) / UDP(sport=sport, dport=53)
            send(IP(dst=dst) / ICMP(type=3, code=3) / bytes(quoted), count=3, inter=0.2)
            print(f"{action} sent 3 quoting {arg}:{sport}", flush=True)
        elif kind in ("vlan-arp", "vlan-ping"):
            # 802.1Q frames from eth0, which has no VLAN device (this kernel has no 8021q): scapy tags them
            # itself and reads the tag of the answer back (PACKET_AUXDATA when the veth stripped it).
            from scapy.all import ARP, Dot1Q, Ether, get_if_hwaddr, srp1
            vlan, src, own = int(arg), more[0], get_if_hwaddr("eth0")
            if kind == "vlan-arp":
                frame = (Ether(src=own, dst="ff:ff:ff:ff:ff:ff") / Dot1Q(vlan=vlan) /
                         ARP(op=1, hwsrc=own, psrc=src, pdst=dst))
            else:  # vlan-ping:DST:VLAN:SRC:NEXT-HOP-MAC (the MAC's colons are the rest of the action)
                frame = (Ether(src=own, dst=":".join(more[1:])) / Dot1Q(vlan=vlan) / IP(src=src, dst=dst) /
                         ICMP(id=sport, seq=1))
            answer = srp1(frame, iface="eth0", timeout=3, retry=1)
            if answer is None:
                print(f"{action} none", flush=True)
            else:
                tag = answer[Dot1Q].vlan if Dot1Q in answer else "untagged"
                what = (f"arp op={answer[ARP].op} psrc={answer[ARP].psrc} hwsrc={answer[ARP].hwsrc}"
                        if ARP in answer else describe(answer[IP]) if IP in answer else answer.summary())
                print(f"{action} vlan={tag} {what}", flush=True)
        else:
            print(f"{action} unknown action", flush=True)
            failures += 1
    return 1 if failures else 0


def main(argv):
    command = argv[1] if len(argv) > 1 else ""
    if command == "serve":
        return serve(float(argv[2]), argv[3:])
    if command == "probe":
        return probe(float(argv[2]), argv[3:])
    if command == "syslog-listen":
        return syslog_listen(argv[2], int(argv[3]), float(argv[4]))
    if command == "scapy":
        return scapy_actions(argv[2:])
    return lab_tools.main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
