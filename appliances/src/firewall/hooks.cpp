// The packet path: one function per net::HookPoint. Each call tracks the datagram (once per datagram, at
// the first hook of a tracked Iface), builds the RulePacket once, runs the chains of that hook, maps the
// Decision to a net::Verdict, and applies the connection's address translation where it belongs:
// destination side after prerouting/output, source side (and masquerade) after postrouting/input.
#include "../appliance_internal.hpp"

#include "appliance/log_format.hpp"

#include "net/wire/icmp.hpp"
#include "net/wire/tcp.hpp"

namespace appliance {

namespace {

constexpr std::uint8_t proto_icmp = 1, proto_tcp = 6, proto_udp = 17;

} // namespace

template <net::HookPoint P>
net::Verdict Appliance::hook(void* self, net::PacketInfo& info) {
    return static_cast<Appliance*>(self)->on_packet(P, info);
}

void Appliance::install_hooks() {
    net::Hooks& h = stack_.hooks();
    h.set(net::HookPoint::Prerouting, &hook<net::HookPoint::Prerouting>, this);
    h.set(net::HookPoint::Input, &hook<net::HookPoint::Input>, this);
    h.set(net::HookPoint::Forward, &hook<net::HookPoint::Forward>, this);
    h.set(net::HookPoint::Output, &hook<net::HookPoint::Output>, this);
    h.set(net::HookPoint::Postrouting, &hook<net::HookPoint::Postrouting>, this);
    if (forward_prepare_ != nullptr) h.set_burst(&burst_hook, this);
    hooks_installed_ = true;
}

net::Verdict Appliance::on_packet(net::HookPoint point, net::PacketInfo& info) {
    PacketState s(point, info);
    s.decode(table_.get());
    s.iif = info.in != nullptr ? iface_of_net_[info.in->index()] : no_iface;
    s.oif = info.out != nullptr ? iface_of_net_[info.out->index()] : no_iface;
    ++counters_.packets[hook_index(hook_of(point))];

    switch (point) {
    case net::HookPoint::Prerouting:
        // An answer net/ was to send for our last Reject has been sent (or was not due) by now.
        pending_reject_.armed = false;
        if (table_) table_->expire(stack_.now(), 8);
        // An appliance passes traffic only between its Ifaces: a NIC (or VLAN) no Iface uses is closed.
        if (s.iif == no_iface) {
            ++counters_.unknown_interface;
            return net::Verdict::Drop;
        }
        break;
    case net::HookPoint::Output:
        if (table_) table_->expire(stack_.now(), 8);
        // RFC 1812 5.3.1 makes time-exceeded a router's duty, but the Gateway can turn it off: net/ sends
        // it for TTL expiry in transit (code 0), and this is where it leaves.
        if (!config_.send_time_exceeded && info.protocol == proto_icmp && info.has_icmp &&
            info.icmp_type == net::wire::icmp_type::time_exceeded &&
            info.icmp_code == net::wire::time_exceeded_code::ttl) {
            ++counters_.time_exceeded_suppressed;
            return net::Verdict::Drop;
        }
        break;
    case net::HookPoint::Forward:
        // IP forwarding is on for the Ifaces Gateway routes name (the language's Gateway), not for others.
        if (s.iif != no_iface && !ifaces_[s.iif].config->forwarding) {
            ++counters_.not_forwarding;
            return net::Verdict::Drop;
        }
        break;
    default:
        break;
    }

    if (!track(s)) {
        ++counters_.malformed;
        s.encode(table_.get());
        return net::Verdict::Drop;
    }
    if (point == net::HookPoint::Postrouting && s.oif != no_iface) {
        const std::uint16_t mtu = ifaces_[s.oif].mtu;
        if (mtu != 0 && info.ip.total_length() > mtu) return too_big(s, mtu);
    }

    // Most hooks of most configurations have no chain (fw: only forward): no rule packet to fill then.
    Decision d;
    if (const ChainList list = chains_for(s); list.count != 0) {
        RulePacket rp;
        fill_rule_packet(s, rp);
        if (point == net::HookPoint::Forward) rp.prepared = prepared_for(info);
        d = run_chains(s, rp, list);
        if (rp.prepared != nullptr && rp.prepared->used != 0) ++counters_.prepared_used;
    }
    if (d.verdict != Verdict::Accept) return refuse(s, d.verdict);
    if (s.nat_failed) {
        ++counters_.nat_refused;
        return refuse(s, Verdict::Drop);
    }
    if (!translate_after_chain(s)) return refuse(s, Verdict::Drop);
    // Through its last hook: a connection's first datagram confirms it.
    if ((point == net::HookPoint::Input || point == net::HookPoint::Postrouting) && s.ref.valid() &&
        !s.related && !s.response)
        tracker_->confirm(s.ref, stack_.now());
    s.encode(table_.get());
    return net::Verdict::Accept;
}

bool Appliance::track(PacketState& s) {
    if (!table_) return true;
    const net::Instant now = stack_.now();
    // Fragments for this host are reassembled between prerouting and input: the whole datagram has the
    // transport header its later fragments lacked.
    const bool reassembled =
        s.point == net::HookPoint::Input && s.looked_up && s.fragment && !s.info.ip.is_fragment();
    if (s.looked_up && !reassembled) return true;

    if (s.point == net::HookPoint::Output && responding_) {
        s.looked_up = s.response = s.related = true;
        s.state = CtState::Related;
        return true;
    }
    bool wanted = false;
    const auto tracked = [&](std::uint8_t i) { return i != no_iface && ifaces_[i].tracked; };
    switch (s.point) {
    case net::HookPoint::Prerouting:
    case net::HookPoint::Input:
        wanted = tracked(s.iif);
        break;
    case net::HookPoint::Forward:
        wanted = tracked(s.iif) || tracked(s.oif);
        break;
    case net::HookPoint::Output:
    case net::HookPoint::Postrouting:
        wanted = tracked(s.oif);
        break;
    }
    if (!wanted) return true;

    const conntrack::Classified c = conntrack::classify(s.info.ip);
    s.looked_up = true;
    s.ref = {};
    s.created = s.related = s.later_fragment = false;
    switch (c.kind) {
    case conntrack::PacketKind::Malformed:
        return false;
    case conntrack::PacketKind::LaterFragment: {
        s.fragment = s.later_fragment = true;
        const auto known = fragments_.find(conntrack::FragmentCache::key_of(s.info.ip), now);
        if (known && table_->get(known->ref) != nullptr) {
            s.ref = known->ref;
            s.dir = known->dir;
            s.state = known->state;
        } else {
            // Its first fragment was not seen (yet): nothing says which connection it belongs to.
            s.state = CtState::Invalid;
        }
        return true;
    }
    default:
        break;
    }
    // The "administratively prohibited" net/ sends for our Reject, quoting the datagram as it arrived.
    const bool icmp_error =
        c.kind == conntrack::PacketKind::IcmpError || c.kind == conntrack::PacketKind::BadIcmpError;
    if (s.point == net::HookPoint::Output && pending_reject_.armed && icmp_error &&
        s.info.icmp_type == net::wire::icmp_type::dest_unreachable &&
        s.info.icmp_code == net::wire::unreachable_code::admin_prohibited) {
        pending_reject_.armed = false;
        s.response = s.related = true;
        s.state = CtState::Related;
        return true;
    }

    const conntrack::TrackResult r = tracker_->track(c, now);
    if (r.evicted) {
        TextBuffer<200> t;
        t.add("conntrack: table full (limit ").add_number(table_->capacity()).add("), evicted ");
        t.add_ipv4(r.evicted_original.src).add(':').add_number(r.evicted_original.sport).add(" -> ");
        t.add_ipv4(r.evicted_original.dst).add(':').add_number(r.evicted_original.dport);
        t.add(" proto ").add_number(r.evicted_original.protocol).add(" (expires first)");
        warn_limited(full_log_second_, full_log_suppressed_, t.view());
    }
    s.state = r.state;
    s.ref = r.ref;
    s.dir = r.dir;
    s.created = r.created;
    s.related = r.state == CtState::Related;
    if (c.first_fragment && r.ref.valid() && !s.related) {
        const auto key = conntrack::FragmentCache::key_of(s.info.ip);
        if (fragments_.remember(key, {r.ref, r.dir, r.state}, now)) {
            ++counters_.fragments_forgotten;
            TextBuffer<200> t;
            t.add("conntrack: fragment cache full (").add_number(conntrack::FragmentCache::size);
            t.add(" datagrams), forgot an earlier fragmented datagram for ").add_ipv4(key.dst);
            t.add(" (its later fragments are invalid)");
            warn_limited(fragment_log_second_, fragment_log_suppressed_, t.view());
        }
        s.fragment = true;
    }
    return true;
}

conntrack::Entry* Appliance::entry_of(const PacketState& s) const {
    return table_ && s.ref.valid() ? table_->get(s.ref) : nullptr;
}

void Appliance::fill_rule_packet(const PacketState& s, RulePacket& rp) const {
    rp.protocol = s.info.ip.protocol();
    rp.ct = s.state;
    rp.iif = s.iif;
    rp.oif = s.oif;
    rp.ip_header = s.info.ip.bytes();
    refresh_rule_packet(s, rp);
}

void Appliance::refresh_rule_packet(const PacketState& s, RulePacket& rp) const {
    read_headers(s.info.ip, rp);
}

void read_headers(const net::wire::Ipv4View& ip, RulePacket& rp) {
    rp.saddr = ip.src().value;
    rp.daddr = ip.dst().value;
    rp.ttl = ip.ttl();
    rp.sport = rp.dport = rp.tcp_flags = 0;
    rp.icmp_type = rp.icmp_code = 0;
    if (ip.fragment_offset() != 0) return;
    const std::span<const std::byte> t = ip.payload();
    switch (ip.protocol()) {
    case proto_tcp:
        if (t.size() < net::wire::TcpView::min_header_len) return;
        rp.sport = net::wire::get16(t, 0);
        rp.dport = net::wire::get16(t, 2);
        // The nine flags the language names: NS is the last bit of byte 12 (RFC 3540), then CWR ... FIN.
        rp.tcp_flags =
            static_cast<std::uint16_t>((net::wire::get8(t, 12) & 0x01) << 8 | net::wire::get8(t, 13));
        return;
    case proto_udp:
        if (t.size() < 8) return;
        rp.sport = net::wire::get16(t, 0);
        rp.dport = net::wire::get16(t, 2);
        return;
    case proto_icmp:
        if (t.size() < net::wire::IcmpView::header_len) return;
        rp.icmp_type = net::wire::get8(t, 0);
        rp.icmp_code = net::wire::get8(t, 1);
        return;
    default:
        return;
    }
}

Appliance::ChainList Appliance::chains_for(const PacketState& s) const {
    switch (s.point) {
    case net::HookPoint::Forward:
        return forward_chain_;
    case net::HookPoint::Prerouting:
    case net::HookPoint::Input:
        return s.iif != no_iface ? ifaces_[s.iif].chains[hook_index(hook_of(s.point))] : ChainList{};
    case net::HookPoint::Output:
    case net::HookPoint::Postrouting:
        return s.oif != no_iface ? ifaces_[s.oif].chains[hook_index(hook_of(s.point))] : ChainList{};
    }
    return {};
}

Decision Appliance::run_chains(PacketState& s, RulePacket& rp, ChainList list) {
    Decision d;
    HookActions actions(*this, s);
    for (std::uint32_t i = 0; i < list.count; ++i) {
        s.last_nat_rule = rule_none;
        d = chain_functions_[list.first + i](rp, actions);
        // A dnat/snat that ended the chain was counted as an action already.
        if (d.rule != rule_none && d.rule != s.last_nat_rule) count_hit(d.rule);
        if (d.verdict != Verdict::Accept) break;
    }
    switch (d.verdict) {
    case Verdict::Accept:
        ++counters_.accepted;
        break;
    case Verdict::Drop:
        ++counters_.dropped;
        break;
    case Verdict::Reject:
        ++counters_.rejected;
        break;
    }
    return d;
}

void Appliance::count_hit(std::uint32_t rule) {
    if (rule < config_.rules.size()) {
        ++rule_hits_[rule];
    } else {
        ++counters_.unknown_rule;
    }
}

std::uint64_t Appliance::rule_hits(std::uint32_t rule) const {
    return rule < config_.rules.size() ? rule_hits_[rule] : 0;
}

void Appliance::forget_if_created(PacketState& s) {
    // A connection whose first datagram is refused never existed; its slot is free again at once.
    conntrack::Entry* e = entry_of(s);
    if (s.created && e != nullptr && e->lifecycle == conntrack::Lifecycle::Unconfirmed) {
        table_->erase(s.ref);
        s.ref = {};
    }
}

net::Verdict Appliance::refuse(PacketState& s, Verdict verdict) {
    const bool answerable = verdict == Verdict::Reject && s.info.in != nullptr && !s.related && !s.response;
    if (!answerable) {
        // Locally generated datagrams have no sender to answer (the sending call fails), and ICMP errors are
        // never answered (RFC 1122 3.2.2).
        forget_if_created(s);
        s.encode(table_.get());
        return net::Verdict::Drop;
    }
    // The answer quotes, and comes from, the datagram as its sender sent it.
    restore_as_arrived(s);
    const net::wire::Ipv4View& ip = s.info.ip;
    if (ip.protocol() == proto_tcp && ip.fragment_offset() == 0 && net::wire::TcpView::parse(ip.payload())) {
        // A reset, as a closed port would answer (RFC 9293 3.10.7.1); never one for a reset.
        responding_ = true;
        (void)responder_.send_reset(ip);
        responding_ = false;
        forget_if_created(s);
        s.encode(table_.get());
        return net::Verdict::Drop;
    }
    // Everything else: net/ answers ICMP destination unreachable, code 13 "communication administratively
    // prohibited" (RFC 1812 5.2.7.1), the code meant for a filter's refusal. Port unreachable (code 3)
    // would claim there is no such service, which the appliance does not know.
    pending_reject_.armed = true;
    forget_if_created(s);
    s.encode(table_.get());
    return net::Verdict::Reject;
}

net::Verdict Appliance::too_big(PacketState& s, std::uint16_t mtu) {
    ++counters_.mtu_exceeded;
    // This stack does not fragment (net/README.md); a sender that forbade it learns the MTU (RFC 1191).
    if (s.info.in != nullptr && s.info.ip.dont_fragment() && !s.response) {
        restore_as_arrived(s);
        responding_ = true;
        (void)responder_.send_fragmentation_needed(s.info.ip, mtu);
        responding_ = false;
    }
    forget_if_created(s);
    s.encode(table_.get());
    return net::Verdict::Drop;
}

} // namespace appliance
