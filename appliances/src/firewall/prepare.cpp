// Work done for a whole received burst before the stack takes its frames one by one, so that the memory
// accesses of the burst's packets overlap instead of each packet waiting for its own in turn.
//
// Connections: a connection table larger than the cache misses it twice per lookup (the index slot, then the
// entry). For every burst, once the table holds `prefetch_min_connections`, the appliance asks for both for
// every frame ahead (fw 10,000 rules, 20,000 flows in turn: see bench/results/ruleset.md's appliance/path).
//
// Prepared lookups: when the forward chain has a table too large for the cache (its PrepareFunction), the
// appliance looks it up for a whole received burst at once (fw 100,000 rules: 249 -> 85 ns per packet in the
// classifier benchmark).
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

namespace {

// Below this many connections the table's lines in use stay in the cache, and asking for them ahead would be
// work for nothing (about 64 bytes of entry and 8 of index per connection; 4,096 of them fill a quarter of
// a 1 MiB L2).
constexpr std::uint32_t prefetch_min_connections = 4096;

// The IPv4 header of an untagged IPv4 frame: a VLAN's frames arrive on its parent NIC and are left to the
// usual per-packet work.
std::optional<net::wire::Ipv4View> untagged_ipv4(const net::PacketPtr& frame) {
    if (!frame) return std::nullopt;
    const auto eth = net::wire::EthernetView::parse(frame->data());
    if (!eth || eth->ethertype() != net::wire::ethertype::ipv4) return std::nullopt;
    auto parsed = net::wire::Ipv4View::parse(frame->data().subspan(net::wire::EthernetView::header_len));
    if (!parsed) return std::nullopt;
    return *parsed.view;
}

} // namespace

void Appliance::on_burst(const net::Interface& in, std::span<const net::PacketPtr> frames) {
    frames = frames.first(std::min(frames.size(), net::PacketBatch::capacity));
    if (table_ && table_->size() >= prefetch_min_connections) prefetch_connections(frames);
    if (burst_) prepare_forward(in, frames);
}

void Appliance::prefetch_connections(std::span<const net::PacketPtr> frames) {
    std::array<conntrack::Tuple, net::PacketBatch::capacity> tuples;
    std::size_t n = 0;
    for (const net::PacketPtr& frame : frames) {
        const auto ip = untagged_ipv4(frame);
        if (!ip) continue;
        const conntrack::Classified c = conntrack::classify(*ip);
        if (c.kind != conntrack::PacketKind::Tracked) continue;
        table_->prefetch_slot(c.tuple);
        tuples[n++] = c.tuple;
    }
    // By now the first slots have arrived: ask for the entries they name.
    for (std::size_t i = 0; i < n; ++i)
        table_->prefetch_entry(tuples[i]);
}

void Appliance::prepare_forward(const net::Interface& in, std::span<const net::PacketPtr> frames) {
    BurstState& b = *burst_;
    b.count = b.next = 0;
    const std::uint8_t iif = iface_of_net_[in.index()];
    if (iif == no_iface || !ifaces_[iif].config->forwarding) return;
    for (const net::PacketPtr& frame : frames) {
        const auto parsed = untagged_ipv4(frame);
        if (!parsed) continue;
        const net::wire::Ipv4View& ip = *parsed;
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
