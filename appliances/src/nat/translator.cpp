#include "appliance/nat/translator.hpp"

namespace appliance::nat {

namespace {

constexpr std::uint8_t proto_icmp = 1;

bool has_ports(std::uint8_t protocol) {
    return protocol == 6 || protocol == 17;
}

} // namespace

bool Translator::free_for(conntrack::ConntrackTable::Ref ref, const conntrack::Tuple& reply,
                          net::Instant now) {
    const auto hit = table_.find(reply, now);
    return !hit || hit->ref == ref;
}

bool Translator::allocate_port(conntrack::ConntrackTable::Ref ref, conntrack::Tuple reply, net::Instant now) {
    const std::uint16_t wanted = reply.dport;
    // RFC 4787 REQ-3 (port range preservation): well-known ports map to well-known ports. The ICMP
    // identifier has no ranges.
    std::uint32_t low = 1024, high = 65535;
    if (reply.protocol == proto_icmp) {
        low = 1;
    } else if (wanted < 1024) {
        low = 1;
        high = 1023;
    }
    const std::uint32_t span = high - low + 1;
    const std::uint32_t start = static_cast<std::uint32_t>(conntrack::hash(reply, seed_) % span);
    for (unsigned i = 0; i < max_port_tries && i < span; ++i) {
        reply.dport = static_cast<std::uint16_t>(low + (start + i) % span);
        if (reply.dport == wanted || !free_for(ref, reply, now)) continue;
        if (!table_.set_reply(ref, reply)) continue;
        ++counters_.ports_changed;
        return true;
    }
    return false;
}

bool Translator::set_destination(conntrack::ConntrackTable::Ref ref, std::optional<std::uint32_t> address,
                                 std::optional<std::uint16_t> port, net::Instant now) {
    conntrack::Entry* e = table_.get(ref);
    if (e == nullptr) return false;
    conntrack::Tuple reply = e->tuple[1];
    if (address) reply.src = *address;
    if (port && has_ports(reply.protocol)) reply.sport = *port;
    if (free_for(ref, reply, now) && table_.set_reply(ref, reply)) {
        ++counters_.bindings;
        return true;
    }
    // Another connection already has these replies (the same client port to the same server): tell
    // them apart by the port this connection leaves from, unless an snat fixed it.
    if (!e->source_port_fixed && (has_ports(reply.protocol) || reply.protocol == proto_icmp) &&
        allocate_port(ref, reply, now)) {
        ++counters_.bindings;
        return true;
    }
    ++counters_.refused;
    return false;
}

bool Translator::set_source(conntrack::ConntrackTable::Ref ref, std::optional<std::uint32_t> address,
                            std::optional<std::uint16_t> port, net::Instant now) {
    conntrack::Entry* e = table_.get(ref);
    if (e == nullptr) return false;
    conntrack::Tuple reply = e->tuple[1];
    if (address) reply.dst = *address;
    const bool portable = has_ports(reply.protocol) || reply.protocol == proto_icmp;
    if (port && portable) {
        reply.dport = *port;
        if (free_for(ref, reply, now) && table_.set_reply(ref, reply)) {
            e->source_port_fixed = true;
            ++counters_.bindings;
            return true;
        }
        ++counters_.refused;
        return false;
    }
    if (free_for(ref, reply, now) && table_.set_reply(ref, reply)) {
        ++counters_.bindings;
        return true;
    }
    if (portable && allocate_port(ref, reply, now)) {
        ++counters_.bindings;
        return true;
    }
    ++counters_.refused;
    return false;
}

} // namespace appliance::nat
