// ARP (RFC 826): answering requests, learning senders, resolving next hops, gratuitous announcements.
#include "net/wire/arp.hpp"
#include "net/stack.hpp"
#include "net/wire/ethernet.hpp"

namespace net {

void Stack::arp_input(Interface& in, PacketPtr packet) {
    auto view = wire::ArpView::parse(packet->data());
    if (!view) return drop(&in, DropReason::Truncated);
    auto arp = wire::ArpRepr::parse(*view);
    if (!arp) return drop(&in, DropReason::ArpInvalid);
    // A sender that claims a group MAC or a non-unicast IP would poison the cache.
    if (arp->sender_mac.is_multicast() || arp->sender_mac.is_zero() || arp->sender_ip.is_broadcast() ||
        arp->sender_ip.is_multicast())
        return drop(&in, DropReason::ArpInvalid);
    if (arp->operation != wire::arp_op::request && arp->operation != wire::arp_op::reply)
        return drop(&in, DropReason::ArpInvalid);

    const bool for_us = in.configured_ && arp->target_ip == in.cidr_.address;
    // RFC 826 "Packet reception": update the sender if known (this also covers gratuitous ARP); add it only
    // when the packet is for us. A probe (sender 0.0.0.0, RFC 5227 2.1.1) teaches nothing.
    if (!arp->sender_ip.is_unspecified()) {
        if (in.arp_.learn(arp->sender_ip, arp->sender_mac, now_, for_us)) flush_arp_queue(in);
    }
    if (!for_us) {
        if (arp->operation == wire::arp_op::request) return drop(&in, DropReason::NotForUs);
        return; // a reply for someone else, or a gratuitous one: learned above, nothing to answer
    }
    if (arp->operation == wire::arp_op::request) {
        send_arp(in, wire::arp_op::reply, arp->sender_mac, arp->sender_mac, arp->sender_ip);
    }
}

void Stack::send_arp(Interface& out, std::uint16_t op, MacAddress dst_mac, MacAddress target_mac,
                     Ipv4Address target_ip) {
    PacketPtr p = pool_.allocate();
    if (!p) return drop(&out, DropReason::PoolExhausted);
    if (!p->append(wire::ArpView::ethernet_ipv4_len)) return drop(&out, DropReason::NoHeadroom);
    wire::ArpRepr arp{op, out.mac(), out.configured_ ? out.cidr_.address : Ipv4Address{}, target_mac,
                      target_ip};
    (void)arp.emit(p->data());
    if (op == wire::arp_op::request) {
        counters_.arp_requests_sent += 1;
    } else {
        counters_.arp_replies_sent += 1;
    }
    link_output(out, dst_mac, wire::ethertype::arp, std::move(p));
}

void Stack::send_gratuitous_arp(Interface& out) {
    // RFC 5227 3 (announcement): a request with sender and target both our address, to broadcast.
    send_arp(out, wire::arp_op::request, MacAddress::broadcast(), {}, out.cidr_.address);
}

void Stack::flush_arp_queue(Interface& out) {
    while (auto ready = out.arp_.take_ready(now_)) {
        link_output(out, ready->mac, wire::ethertype::ipv4, std::move(ready->packet));
    }
}

} // namespace net
