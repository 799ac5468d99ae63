// Receive path, IPv4: validation, the Prerouting hook, the local/forward decision, reassembly, the Input
// hook and the demultiplexing to ICMP, UDP and protocol handlers.
#include "net/stack.hpp"
#include "net/wire/icmp.hpp"

namespace net {

namespace {
DropReason reason_of(wire::Ipv4ParseError e) {
    switch (e) {
    case wire::Ipv4ParseError::Truncated:
        return DropReason::Truncated;
    case wire::Ipv4ParseError::BadVersion:
        return DropReason::BadVersion;
    case wire::Ipv4ParseError::BadHeaderLen:
    case wire::Ipv4ParseError::BadTotalLen:
        return DropReason::BadLength;
    }
    return DropReason::BadLength;
}
} // namespace

bool Stack::filter(HookPoint point, PacketInfo& info, Interface* where, bool l2_broadcast) {
    const Verdict v = hooks_.run(point, info);
    if (v == Verdict::Accept) return true;
    if (v == Verdict::Reject) {
        icmp_error(info.ip, l2_broadcast, wire::icmp_type::dest_unreachable,
                   wire::unreachable_code::admin_prohibited);
    }
    drop(where, DropReason::Filtered);
    return false;
}

bool Stack::is_for_us(const Interface& in, const wire::Ipv4View& ip) const {
    const Ipv4Address dst = ip.dst();
    // The weak host model (RFC 1122 3.3.4.2): any of our addresses, on whichever interface it arrives.
    if (dst.is_broadcast() || is_local_address(dst)) return true;
    if (in.configured_ && in.cidr_.prefix_len < 31 && dst == in.cidr_.directed_broadcast()) return true;
    // RFC 2131 3.1: a client being configured accepts its offer even when unicast to the offered address.
    return !in.configured_ && in.dhcp_ && in.dhcp_->accepting() && ip.protocol() == wire::ip_proto::udp;
}

void Stack::ipv4_input(Interface& in, PacketPtr packet, bool l2_broadcast) {
    auto parsed = wire::Ipv4View::parse(packet->data());
    if (!parsed) return drop(&in, reason_of(parsed.error));
    const wire::Ipv4View ip = *parsed.view;
    if (!ip.verify_checksum()) return drop(&in, DropReason::BadChecksum);
    // Link-layer padding (Ethernet frames are at least 60 bytes) is not part of the datagram.
    (void)packet->truncate(ip.total_length());

    // RFC 1812 5.3.7 and RFC 1122 3.2.1.3: such addresses never appear as a source on the wire, and
    // loopback, 0.0.0.0 and class E never as a destination.
    const Ipv4Address src = ip.src();
    const Ipv4Address dst = ip.dst();
    if (src.is_broadcast() || src.is_multicast() || src.is_loopback() || src.is_class_e() ||
        dst.is_loopback() || dst.is_unspecified() || dst.is_class_e())
        return drop(&in, DropReason::Martian);

    PacketInfo info(ip);
    info.in = &in;
    info.packet = packet.get();
    info.parse_transport();
    if (!filter(HookPoint::Prerouting, info, &in, l2_broadcast)) return;

    if (is_for_us(in, ip)) return deliver(in, std::move(packet), info, l2_broadcast);
    // No multicast group is joined and none is routed.
    if (ip.dst().is_multicast()) return drop(&in, DropReason::NotForUs);
    forward(in, std::move(packet), info, l2_broadcast);
}

void Stack::deliver(Interface& in, PacketPtr packet, PacketInfo& info, bool l2_broadcast) {
    if (info.ip.is_fragment()) {
        Reassembler::Result r = reassembler_.add(std::move(packet), now_);
        if (r.evicted) drop(nullptr, DropReason::ReassemblyEvicted);
        if (r.dropped) return drop(&in, *r.dropped);
        if (!r.datagram) return; // waiting for more fragments
        counters_.reassembled += 1;
        packet = std::move(r.datagram);
        auto whole = wire::Ipv4View::parse(packet->data());
        if (!whole) return drop(&in, DropReason::BadLength);
        PacketInfo reassembled(*whole.view);
        reassembled.in = &in;
        reassembled.packet = packet.get();
        reassembled.conntrack = info.conntrack;
        reassembled.mark = info.mark;
        reassembled.parse_transport();
        return deliver(in, std::move(packet), reassembled, l2_broadcast);
    }
    if (!filter(HookPoint::Input, info, &in, l2_broadcast)) return;

    const wire::Ipv4View ip = info.ip;
    switch (ip.protocol()) {
    case wire::ip_proto::icmp:
        return icmp_input(in, std::move(packet), ip, l2_broadcast);
    case wire::ip_proto::udp:
        return udp_input(in, std::move(packet), ip, l2_broadcast);
    default:
        break;
    }
    for (auto& [protocol, handler] : protocol_handlers_) {
        if (handler && protocol == ip.protocol()) {
            counters_.delivered += 1;
            return handler(in, std::move(packet));
        }
    }
    if (ip.protocol() == wire::ip_proto::tcp) return tcp_input(in, std::move(packet), ip, l2_broadcast);
    // RFC 1122 3.2.2.1: protocol unreachable for a transport this host does not run.
    icmp_error(ip, l2_broadcast, wire::icmp_type::dest_unreachable, wire::unreachable_code::protocol);
    drop(&in, DropReason::UnknownProtocol);
}

} // namespace net
