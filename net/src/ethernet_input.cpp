// Receive path, link layer: NIC batches -> Ethernet -> 802.1Q demultiplexing -> ARP or IPv4.
#include "net/stack.hpp"
#include "net/wire/ethernet.hpp"

namespace net {

void Stack::poll_nic(Interface& nic_if) {
    for (std::size_t round = 0; round < config_.rx_batches_per_poll; ++round) {
        rx_batch_.clear();
        const std::size_t n = nic_if.nic_.receive(rx_batch_);
        hooks_.run_burst(nic_if, {rx_batch_.begin(), rx_batch_.size()});
        for (std::size_t i = 0; i < rx_batch_.size(); ++i) {
            if (rx_batch_[i]) ethernet_input(nic_if, std::move(rx_batch_[i]));
        }
        rx_batch_.clear();
        if (n < PacketBatch::capacity) return;
    }
    // The budget ran out with the NIC still delivering full batches: come back at once (poll_at()).
    rx_pending_ = true;
}

void Stack::ethernet_input(Interface& nic_if, PacketPtr frame) {
    nic_if.counters_.rx_packets += 1;
    nic_if.counters_.rx_bytes += frame->size();
    auto eth = wire::EthernetView::parse(frame->data());
    if (!eth) return drop(&nic_if, DropReason::Truncated);

    const MacAddress dst = eth->dst();
    // No multicast groups are joined: only our unicast address and broadcast are accepted.
    if (dst != nic_if.mac() && !dst.is_broadcast()) return drop(&nic_if, DropReason::NotForUs);
    // IEEE 802.3 3.2.3: a source address is never a group address.
    if (eth->src().is_multicast()) return drop(&nic_if, DropReason::Martian);
    const bool l2_broadcast = dst.is_broadcast();

    Interface* in = &nic_if;
    std::uint16_t type = eth->ethertype();
    std::size_t header = wire::EthernetView::header_len;
    if (type == wire::ethertype::vlan) {
        auto tag = wire::VlanView::parse(eth->payload());
        if (!tag) return drop(&nic_if, DropReason::Truncated);
        type = tag->ethertype();
        header += wire::VlanView::header_len;
        // IEEE 802.1Q: VID 0 is a priority tag on an untagged frame.
        if (const std::uint16_t vid = tag->vlan_id(); vid != 0) {
            in = nullptr;
            for (Interface* v : nic_if.vlans_) {
                if (v != nullptr && v->vlan_id_ == vid) in = v;
            }
            if (in == nullptr) return drop(&nic_if, DropReason::UnknownVlan);
            in->counters_.rx_packets += 1;
            in->counters_.rx_bytes += frame->size();
        }
    }
    // The link header is consumed, not copied: the layers above see the buffer from their own header on,
    // and a forwarded datagram gets its new link header prepended in the same buffer.
    if (!frame->consume_front(header)) return drop(in, DropReason::Truncated);
    switch (type) {
    case wire::ethertype::arp:
        return arp_input(*in, std::move(frame));
    case wire::ethertype::ipv4:
        return ipv4_input(*in, std::move(frame), l2_broadcast);
    default:
        return drop(in, DropReason::UnknownEthertype);
    }
}

} // namespace net
