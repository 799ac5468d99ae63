// Prepared lookups: when the forward chain has a table too large for the cache (its PrepareFunction), the
// appliance looks it up for a whole received burst at once, before the stack takes the burst's frames one
// by one. The lookups of a burst overlap their memory accesses, where one lookup at a time waits at every
// step (fw 100,000 rules: 249 -> 85 ns per packet in the classifier benchmark).
//
// The packets prepared are guesses of what the forward chain will see: the frame's IPv4 header as it
// arrived, the Iface it arrived on, the route's Iface and the connection state the table says now. The
// chain takes a prepared answer only when its key is the one prepared (classifier::take_prepared), so a
// wrong guess (a frame for this host, a translated address, a connection whose state an earlier datagram of
// the burst changes) costs one lookup as usual and never a different verdict.
#include "../appliance_internal.hpp"

#include "net/wire/ethernet.hpp"

namespace appliance {

void Appliance::burst_hook(void* self, const net::Interface& in, std::span<const net::PacketPtr> frames) {
    static_cast<Appliance*>(self)->on_burst(in, frames);
}

void Appliance::on_burst(const net::Interface& in, std::span<const net::PacketPtr> frames) {
    BurstState& b = *burst_;
    b.count = b.next = 0;
    const std::uint8_t iif = iface_of_net_[in.index()];
    if (iif == no_iface || !ifaces_[iif].config->forwarding) return;
    for (const net::PacketPtr& frame : frames.first(std::min(frames.size(), BurstState::capacity))) {
        if (!frame) continue;
        // Untagged IPv4 only: a VLAN's frames arrive on its parent NIC and are left to the usual lookup.
        const auto eth = net::wire::EthernetView::parse(frame->data());
        if (!eth || eth->ethertype() != net::wire::ethertype::ipv4) continue;
        const auto parsed =
            net::wire::Ipv4View::parse(frame->data().subspan(net::wire::EthernetView::header_len));
        if (!parsed) continue;
        const net::wire::Ipv4View& ip = *parsed.view;
        const auto route = stack_.route_to(ip.dst());
        RulePacket& rp = b.packets[b.count];
        rp = RulePacket{};
        rp.protocol = ip.protocol();
        rp.iif = iif;
        rp.oif = route ? iface_of_net_[route.value().interface->index()] : no_iface;
        const bool tracked = ifaces_[iif].tracked || (rp.oif != no_iface && ifaces_[rp.oif].tracked);
        rp.ct =
            tracked && tracker_ ? tracker_->peek(conntrack::classify(ip), stack_.now()) : CtState::Untracked;
        rp.ip_header = ip.bytes();
        read_headers(ip, rp);
        b.frames[b.count++] = frame.get();
    }
    if (b.count == 0) return;
    forward_prepare_({b.packets.data(), b.count}, b.prepared.data());
    counters_.prepared_lookups += b.count;
}

classifier::PreparedMatch* Appliance::prepared_for(const net::PacketInfo& info) {
    if (!burst_) return nullptr;
    BurstState& b = *burst_;
    // The stack takes the frames in order; the ones it dropped before the forward hook are skipped.
    for (std::size_t i = b.next; i < b.count; ++i) {
        if (b.frames[i] == info.packet) {
            b.next = i + 1;
            return &b.prepared[i];
        }
    }
    return nullptr;
}

} // namespace appliance
