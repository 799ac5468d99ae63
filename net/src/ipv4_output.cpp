// Send path: route selection for local datagrams, the IPv4 header, the Output and Postrouting hooks, next-hop
// resolution through ARP and the link header, and the hand-off to the NIC in batches.
#include "net/stack.hpp"
#include "net/wire/arp.hpp"
#include "net/wire/ethernet.hpp"

#include <algorithm>
#include <cstring>

namespace net {

namespace {
constexpr std::size_t min_frame_len = 60; // without the FCS, which the NIC appends
} // namespace

ErrorOr<RouteDecision> Stack::route_to(Ipv4Address dst, Interface* via) const {
    if (via != nullptr) {
        RouteDecision d{via, dst, via->configured_ ? via->cidr_.address : Ipv4Address{}};
        if (dst.is_broadcast() || dst.is_multicast()) return d;
        if (!via->configured_) return Error::NotConfigured;
        if (via->cidr_.contains(dst)) return d;
        if (via->gateway_.is_unspecified()) return Error::NoRoute;
        d.next_hop = via->gateway_;
        return d;
    }
    // The limited broadcast has no route: it needs an interface (RFC 1122 3.3.6).
    if (dst.is_broadcast() || dst.is_unspecified()) return Error::NoRoute;
    const Route* r = routes_.lookup(dst);
    if (r == nullptr) return Error::NoRoute;
    if (!r->interface->configured_) return Error::NotConfigured;
    return RouteDecision{r->interface, r->gateway.is_unspecified() ? dst : r->gateway,
                         r->interface->cidr_.address};
}

ErrorOr<void> Stack::send_ipv4(PacketPtr packet, wire::Ipv4Repr ip, const RouteDecision& route) {
    Interface& out = *route.interface;
    if (!packet->prepend(wire::Ipv4Repr::header_len)) {
        drop(&out, DropReason::NoHeadroom);
        return Error::NoBuffers;
    }
    if (packet->size() > out.mtu()) {
        drop(&out, DropReason::MtuExceeded);
        return Error::MessageTooLong;
    }
    ip.payload_len = static_cast<std::uint16_t>(packet->size() - wire::Ipv4Repr::header_len);
    if (ip.src.is_unspecified()) ip.src = route.source;
    if (ip.identification == 0) ip.identification = next_ip_id_++;
    (void)ip.emit(packet->data());

    if (hooks_.active(HookPoint::Output) || hooks_.active(HookPoint::Postrouting)) {
        auto view = wire::Ipv4View::parse(packet->data());
        PacketInfo info(*view.view);
        info.out = &out;
        info.packet = packet.get();
        info.parse_transport();
        if (hooks_.run(HookPoint::Output, info) != Verdict::Accept ||
            hooks_.run(HookPoint::Postrouting, info) != Verdict::Accept) {
            // Nothing to reject towards: the sender is this host, and it learns from the error.
            drop(&out, DropReason::Filtered);
            return Error::Filtered;
        }
    }
    return neighbour_output(out, route.next_hop, std::move(packet));
}

ErrorOr<void> Stack::neighbour_output(Interface& out, Ipv4Address next_hop, PacketPtr packet) {
    if (!out.link_up()) {
        drop(&out, DropReason::LinkDown);
        return Error::LinkDown;
    }
    if (next_hop.is_broadcast() ||
        (out.configured_ && out.cidr_.prefix_len < 31 && next_hop == out.cidr_.directed_broadcast())) {
        link_output(out, MacAddress::broadcast(), wire::ethertype::ipv4, std::move(packet));
        return {};
    }
    if (next_hop.is_multicast()) {
        // RFC 1112 6.4: 01-00-5E-00-00-00 plus the low 23 bits of the group address.
        const MacAddress mac{{0x01, 0x00, 0x5e, static_cast<std::uint8_t>(next_hop.octet(1) & 0x7f),
                              next_hop.octet(2), next_hop.octet(3)}};
        link_output(out, mac, wire::ethertype::ipv4, std::move(packet));
        return {};
    }
    if (auto mac = out.arp_.lookup(next_hop, now_)) {
        link_output(out, *mac, wire::ethertype::ipv4, std::move(packet));
        return {};
    }
    const ArpCache::QueueResult queued = out.arp_.enqueue(next_hop, packet, now_);
    if (queued.send_request) send_arp(out, wire::arp_op::request, MacAddress::broadcast(), {}, next_hop);
    if (!queued.queued) {
        drop(&out, DropReason::ArpQueueFull);
        return Error::NoBuffers;
    }
    return {};
}

void Stack::link_output(Interface& out, MacAddress dst, std::uint16_t ethertype, PacketPtr packet) {
    if (!out.link_up()) return drop(&out, DropReason::LinkDown);
    const bool tagged = out.vlan_id_ != 0;
    const std::size_t header = wire::EthernetView::header_len + (tagged ? wire::VlanView::header_len : 0);
    if (!packet->prepend(header)) return drop(&out, DropReason::NoHeadroom);
    std::span<std::byte> frame = packet->data();
    (void)wire::EthernetRepr{dst, out.mac(), tagged ? wire::ethertype::vlan : ethertype}.emit(frame);
    if (tagged) {
        (void)wire::VlanRepr{out.vlan_id_, 0, ethertype}.emit(frame.subspan(wire::EthernetView::header_len));
    }
    // IEEE 802.3 4.2.3.3: frames are at least 64 bytes with the FCS; pad short ones (ARP, small UDP) with
    // zeros.
    if (const std::size_t size = packet->size();
        size < min_frame_len && packet->append(min_frame_len - size)) {
        std::memset(packet->data().data() + size, 0, min_frame_len - size);
    }
    out.counters_.tx_packets += 1;
    out.counters_.tx_bytes += packet->size();

    Interface& nic_if = out.physical();
    if (nic_if.tx_.full()) flush_tx(nic_if);
    (void)nic_if.tx_.push(std::move(packet));
    // Outside poll() (an application sending from a timer) nothing else would flush the batch.
    if (!in_poll_) flush_tx(nic_if);
}

void Stack::flush_tx(Interface& nic_if) {
    // What waits in the send queue goes first, so a NIC's frames leave in the order they were sent.
    drain_send_queue(nic_if);
    if (nic_if.tx_.empty()) return;
    if (nic_if.send_queue_count_ == 0) (void)nic_if.nic_.send(nic_if.tx_);
    // The NIC's ring is full: the rest waits in the send queue as far as it has room (none without a
    // send_queue_limit), and is dropped beyond it.
    std::size_t dropped = 0;
    for (PacketPtr& p : nic_if.tx_) {
        if (nic_if.send_queue_count_ < nic_if.send_queue_capacity_) {
            const std::size_t slot =
                (nic_if.send_queue_head_ + nic_if.send_queue_count_) % nic_if.send_queue_capacity_;
            nic_if.send_queue_[slot] = std::move(p);
            ++nic_if.send_queue_count_;
        } else {
            ++dropped;
        }
    }
    if (dropped != 0) drop(&nic_if, DropReason::TxQueueFull, dropped);
    nic_if.tx_.clear();
}

void Stack::drain_send_queue(Interface& nic_if) {
    const std::size_t capacity = nic_if.send_queue_capacity_;
    while (nic_if.send_queue_count_ > 0) {
        PacketBatch batch;
        const std::size_t n = std::min(nic_if.send_queue_count_, PacketBatch::capacity);
        for (std::size_t i = 0; i < n; ++i)
            (void)batch.push(std::move(nic_if.send_queue_[(nic_if.send_queue_head_ + i) % capacity]));
        (void)nic_if.nic_.send(batch);
        const std::size_t taken = n - batch.size();
        // The frames the NIC did not take go back to the slots they came from, still first in line.
        for (std::size_t i = 0; i < batch.size(); ++i)
            nic_if.send_queue_[(nic_if.send_queue_head_ + taken + i) % capacity] = std::move(batch[i]);
        batch.clear();
        nic_if.send_queue_head_ = (nic_if.send_queue_head_ + taken) % capacity;
        nic_if.send_queue_count_ -= taken;
        if (taken < n) return;
    }
}

} // namespace net
