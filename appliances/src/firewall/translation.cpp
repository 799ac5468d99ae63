// Address translation on the packet path. A connection's bindings live in its conntrack entry (set by
// dnat/snat actions and masquerade while its first datagram is on its way); every datagram of the
// connection, and every ICMP error about it, is then rewritten to what its direction looks like when
// fully translated (Translator::target), at the netfilter points: destination side after the prerouting
// (and output) chains, source side after the postrouting (and input) chains. The rewrite is idempotent, so a
// chain's own dnat/snat and the automatic translation after it never apply twice.
#include "../appliance_internal.hpp"

namespace appliance {

namespace {

nat::Endpoint source_of(const conntrack::Tuple& t) {
    return {t.src, t.sport};
}
nat::Endpoint destination_of(const conntrack::Tuple& t) {
    return {t.dst, t.dport};
}

} // namespace

void Appliance::apply_translation(PacketState& s, bool source_side) {
    if (s.response) return;
    const conntrack::Entry* e = entry_of(s);
    if (e == nullptr || !e->translated()) return;
    const conntrack::Tuple target = nat::Translator::target(*e, s.dir);
    const nat::Side side = source_side ? nat::Side::Source : nat::Side::Destination;
    const nat::Endpoint want = source_side ? source_of(target) : destination_of(target);
    if (s.related) {
        if (nat::quoted_endpoint_of(s.info.ip, side) != want) nat::rewrite_icmp_error(s.info.ip, side, want);
        return;
    }
    nat::Endpoint have = nat::endpoint_of(s.info.ip, side);
    // A later fragment has no ports; only its address follows the connection.
    nat::Endpoint to = want;
    if (s.later_fragment) to.port = have.port = 0;
    if (have != to) nat::rewrite(s.info.ip, side, to);
}

void Appliance::restore_as_arrived(PacketState& s) {
    const conntrack::Entry* e = entry_of(s);
    if (e == nullptr || s.related || s.response || !e->translated()) return;
    const conntrack::Tuple& arrived = e->tuple[conntrack::index_of(s.dir)];
    nat::rewrite(s.info.ip, nat::Side::Source, source_of(arrived));
    nat::rewrite(s.info.ip, nat::Side::Destination, destination_of(arrived));
}

bool Appliance::translate_after_chain(PacketState& s) {
    switch (s.point) {
    case net::HookPoint::Prerouting:
    case net::HookPoint::Output:
        apply_translation(s, false);
        return true;
    case net::HookPoint::Input:
        apply_translation(s, true);
        return true;
    case net::HookPoint::Postrouting:
        if (!masquerade(s)) return false;
        apply_translation(s, true);
        return true;
    case net::HookPoint::Forward:
        return true;
    }
    return true;
}

bool Appliance::masquerade(PacketState& s) {
    // Routed traffic only: what the appliance sends itself already has its own source (or none yet: a DHCP
    // client's 0.0.0.0, which must leave as it is).
    if (s.oif == no_iface || !ifaces_[s.oif].config->masquerade || s.response || s.related ||
        s.info.in == nullptr)
        return true;
    conntrack::Entry* e = entry_of(s);
    if (e == nullptr) {
        // Without a connection there is nothing to translate replies back with.
        if (s.state == CtState::Untracked) ++counters_.masquerade_untracked;
        return true;
    }
    // RFC 3022 2.2: a binding is made by a session's first packet; later ones follow it.
    if (s.dir != conntrack::Dir::Original || e->lifecycle != conntrack::Lifecycle::Unconfirmed) return true;
    const conntrack::Tuple& original = e->tuple[0];
    const conntrack::Tuple& reply = e->tuple[1];
    if (reply.dst != original.src || reply.dport != original.sport) return true; // an snat decided already
    const net::Interface& out = *ifaces_[s.oif].net;
    if (!out.is_configured()) {
        ++counters_.masquerade_no_address;
        return false;
    }
    if (original.src == out.address().value) return true;
    if (translator_->set_source(s.ref, out.address().value, std::nullopt, stack_.now())) return true;
    ++counters_.nat_refused;
    TextBuffer<160> t;
    t.add("nat: masquerade on ").add(ifaces_[s.oif].config->name).add(": no free port for ");
    t.add_ipv4(original.src).add(':').add_number(original.sport).add(" -> ").add_ipv4(original.dst);
    t.add(':').add_number(original.dport).add(", dropped");
    warn_limited(nat_log_second_, nat_log_suppressed_, t.view());
    return false;
}

void Appliance::nat_action(PacketState& s, RulePacket& rp, NatKind kind, bool has_addr, std::uint32_t addr,
                           bool has_port, std::uint16_t port) {
    const bool source_side = kind == NatKind::Snat;
    const nat::Side side = source_side ? nat::Side::Source : nat::Side::Destination;
    if (s.related || s.response) {
        // ICMP errors are translated as their connection is (RFC 3022 4.3), never on their own.
        ++counters_.nat_ignored;
        return;
    }
    conntrack::Entry* e = entry_of(s);
    if (e == nullptr) {
        // Untracked (a protocol conntrack does not follow, or tracking is off here): this datagram alone.
        ++counters_.nat_stateless;
        nat::Endpoint to = nat::endpoint_of(s.info.ip, side);
        if (has_addr) to.address = addr;
        if (has_port && !s.later_fragment) to.port = port;
        nat::rewrite(s.info.ip, side, to);
        refresh_rule_packet(s, rp);
        return;
    }
    // A binding is made while the connection's first datagram is on its way; for later datagrams (and for
    // replies) the rule's effect is the binding the connection has.
    if (e->lifecycle == conntrack::Lifecycle::Unconfirmed && s.dir == conntrack::Dir::Original &&
        !s.later_fragment) {
        const std::optional<std::uint32_t> a = has_addr ? std::optional<std::uint32_t>(addr) : std::nullopt;
        const std::optional<std::uint16_t> p = has_port ? std::optional<std::uint16_t>(port) : std::nullopt;
        const bool bound = source_side ? translator_->set_source(s.ref, a, p, stack_.now())
                                       : translator_->set_destination(s.ref, a, p, stack_.now());
        if (!bound) {
            s.nat_failed = true;
            const conntrack::Tuple& o = e->tuple[0];
            TextBuffer<200> t;
            t.add("nat: ").add(source_side ? "snat" : "dnat").add(" of ").add_ipv4(o.src).add(':');
            t.add_number(o.sport).add(" -> ").add_ipv4(o.dst).add(':').add_number(o.dport);
            t.add(": the translated connection would not be unique, dropped");
            warn_limited(nat_log_second_, nat_log_suppressed_, t.view());
            return;
        }
    }
    apply_translation(s, source_side);
    refresh_rule_packet(s, rp);
}

} // namespace appliance
