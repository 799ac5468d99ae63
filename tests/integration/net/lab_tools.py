#!/usr/bin/python3
"""Traffic tools the router tests run inside lab namespaces (each bounded by a timeout).

  lab_tools.py udp-echo-server PORT SECONDS          echo datagrams back until SECONDS pass
  lab_tools.py udp-exchange HOST PORT COUNT          send COUNT datagrams, expect each echoed back
  lab_tools.py udp-refused HOST PORT                 expect ICMP port unreachable (ECONNREFUSED)
  lab_tools.py tcp-refused HOST PORT                 expect connect() refused (a TCP reset)
  lab_tools.py flood IFACE COUNT                     send COUNT 60-byte frames to an address nobody has
  lab_tools.py vlan-probe IFACE VID ADDR ROUTER_ADDR OTHER_VID
        802.1Q frames crafted with scapy: a tagged ARP request and echo request to the router's VLAN
        address must be answered with frames tagged VID; the same echo tagged OTHER_VID must get no answer.
Exit status 0 when every expectation held; each check prints one line.
"""
import socket
import sys
import time


def udp_echo_server(port, seconds):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", port))
    deadline = time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return 0
        s.settimeout(left)
        try:
            data, peer = s.recvfrom(2048)
        except socket.timeout:
            return 0
        s.sendto(data, peer)


def udp_exchange(host, port, count):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2.0)
    ok = 0
    for i in range(count):
        payload = f"halite udp {i} {time.monotonic_ns()}".encode() * 4
        s.sendto(payload, (host, port))
        try:
            data, peer = s.recvfrom(2048)
        except socket.timeout:
            print(f"udp {host}:{port} datagram {i}: no echo")
            continue
        if data == payload and peer[0] == host:
            ok += 1
        else:
            print(f"udp {host}:{port} datagram {i}: wrong echo from {peer}")
    print(f"udp {host}:{port}: {ok}/{count} echoed")
    return 0 if ok == count else 1


def udp_refused(host, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2.0)
    s.connect((host, port))
    for _ in range(3):
        s.send(b"anyone there?")
        try:
            s.recv(2048)
            print(f"udp {host}:{port}: unexpected answer")
            return 1
        except ConnectionRefusedError:
            print(f"udp {host}:{port}: refused (ICMP port unreachable)")
            return 0
        except socket.timeout:
            continue
    print(f"udp {host}:{port}: no ICMP port unreachable")
    return 1


def vlan_probe(iface, vid, addr, router_addr, other_vid):
    from scapy.all import ARP, ICMP, IP, Dot1Q, Ether, conf, get_if_hwaddr, srp1
    conf.verb = 0
    mine = get_if_hwaddr(iface)
    failures = 0
    arp = Ether(src=mine, dst="ff:ff:ff:ff:ff:ff") / Dot1Q(vlan=vid) / ARP(
        op=1, hwsrc=mine, psrc=addr, pdst=router_addr)
    reply = srp1(arp, iface=iface, timeout=3, retry=2)
    if reply is None or Dot1Q not in reply or reply[Dot1Q].vlan != vid or ARP not in reply or \
            reply[ARP].op != 2 or reply[ARP].psrc != router_addr:
        print(f"vlan {vid}: no tagged ARP reply from {router_addr}: {reply!r}")
        return 1
    router_mac = reply[ARP].hwsrc
    print(f"vlan {vid}: tagged ARP reply, {router_addr} is at {router_mac}")

    def echo(tag, ident):
        frame = Ether(src=mine, dst=router_mac) / Dot1Q(vlan=tag) / IP(src=addr, dst=router_addr) / ICMP(
            id=ident, seq=1) / (b"halite vlan probe" * 3)
        return srp1(frame, iface=iface, timeout=2, retry=1)

    reply = echo(vid, 0x4856)
    if reply is None or Dot1Q not in reply or reply[Dot1Q].vlan != vid or ICMP not in reply or \
            reply[ICMP].type != 0 or reply[ICMP].id != 0x4856 or reply[IP].src != router_addr:
        print(f"vlan {vid}: no tagged echo reply: {reply!r}")
        failures += 1
    else:
        print(f"vlan {vid}: tagged echo reply from {reply[IP].src}")
    reply = echo(other_vid, 0x4857)
    if reply is not None:
        print(f"vlan {other_vid}: unexpected answer: {reply!r}")
        failures += 1
    else:
        print(f"vlan {other_vid}: no answer (no such VLAN), as expected")
    return 1 if failures else 0


def tcp_refused(host, port):
    """connect() must fail at once with ECONNREFUSED: the host answered the SYN with a reset."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(3.0)
    try:
        s.connect((host, port))
    except ConnectionRefusedError:
        print(f"tcp {host}:{port}: refused (reset)")
        return 0
    except OSError as e:
        print(f"tcp {host}:{port}: {e!r}, not a reset")
        return 1
    print(f"tcp {host}:{port}: unexpectedly connected")
    return 1


def flood(iface, count):
    """COUNT minimum-size frames out of IFACE as fast as a raw socket sends them (to a unicast address nobody
    has, EtherType 0x88b5, for local experiments): enough to overflow a stopped receiver's ring."""
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    sock.bind((iface, 0))
    frame = bytes.fromhex("02000000009902000000009888b5") + bytes(46)
    sent = 0
    deadline = time.monotonic() + 20
    while sent < count and time.monotonic() < deadline:
        try:
            sock.send(frame)
            sent += 1
        except BlockingIOError:
            time.sleep(0.001)
    print(f"{iface}: sent {sent} frames")
    return 0 if sent == count else 1


def main(argv):
    command = argv[1] if len(argv) > 1 else ""
    if command == "udp-echo-server":
        return udp_echo_server(int(argv[2]), float(argv[3]))
    if command == "udp-exchange":
        return udp_exchange(argv[2], int(argv[3]), int(argv[4]))
    if command == "udp-refused":
        return udp_refused(argv[2], int(argv[3]))
    if command == "tcp-refused":
        return tcp_refused(argv[2], int(argv[3]))
    if command == "flood":
        return flood(argv[2], int(argv[3]))
    if command == "vlan-probe":
        return vlan_probe(argv[2], int(argv[3]), argv[4], argv[5], int(argv[6]))
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
