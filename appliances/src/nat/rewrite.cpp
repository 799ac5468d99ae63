#include "appliance/nat/rewrite.hpp"

#include "appliance/conntrack/classify.hpp"

#include "net/wire/checksum.hpp"
#include "net/wire/icmp.hpp"

namespace appliance::nat {

namespace {

using net::wire::checksum_update16;
using net::wire::checksum_update32;
using net::wire::get16;
using net::wire::get32;
using net::wire::get8;
using net::wire::put16;
namespace ip_proto = net::wire::ip_proto;

constexpr std::size_t tcp_checksum_at = 16, udp_checksum_at = 6, icmp_checksum_at = 2, icmp_id_at = 4;

// RFC 768: a UDP checksum of 0 means "none" and stays so; a computed 0 is sent as 0xffff.
std::uint16_t udp_sum(std::uint16_t s) {
    return s == 0 ? 0xffff : s;
}

// Where a transport header keeps the "port" of `side`, or 0 (offsets are never 0 for ICMP, and TCP/UDP
// source ports at offset 0 are told apart by `has`).
struct PortField {
    bool has = false;
    std::size_t offset = 0;
};

PortField port_field(std::uint8_t protocol, std::span<const std::byte> t, Side side) {
    switch (protocol) {
    case ip_proto::tcp:
    case ip_proto::udp:
        if (t.size() < 4) return {};
        return {true, side == Side::Source ? std::size_t{0} : std::size_t{2}};
    case ip_proto::icmp: {
        if (t.size() < 8) return {};
        const std::uint8_t type = get8(t, 0);
        const bool carries = side == Side::Source ? conntrack::is_icmp_query_request(type)
                                                  : conntrack::is_icmp_query_reply(type);
        return carries ? PortField{true, icmp_id_at} : PortField{};
    }
    default:
        return {};
    }
}

// The transport checksum a change of `old_word` to `new_word` (or of a pseudo-header address) affects.
struct TransportSum {
    std::size_t offset = 0;
    bool present = false;
    bool udp = false;
};

TransportSum transport_sum(std::uint8_t protocol, std::span<const std::byte> t) {
    switch (protocol) {
    case ip_proto::tcp:
        if (t.size() < tcp_checksum_at + 2) return {};
        return {tcp_checksum_at, true, false};
    case ip_proto::udp:
        if (t.size() < udp_checksum_at + 2 || get16(t, udp_checksum_at) == 0) return {};
        return {udp_checksum_at, true, true};
    default:
        return {};
    }
}

std::span<std::byte> transport_of(const net::wire::Ipv4View& ip) {
    // RFC 791 3.2: only the first fragment has the transport header.
    return ip.fragment_offset() == 0 ? ip.payload() : std::span<std::byte>{};
}

// 16-bit words of an ICMP message written with its checksum updated for each (RFC 1624). Every field NAT
// touches sits at an even offset of the message (ICMP header 8 bytes, IPv4 header a multiple of 4), so
// each change is one aligned word of the sum.
class IcmpPatch {
public:
    explicit IcmpPatch(std::span<std::byte> message) : m_(message) {}
    void set16(std::size_t offset, std::uint16_t v) {
        const std::uint16_t old = get16(m_, offset);
        if (old == v) return;
        put16(m_, offset, v);
        put16(m_, icmp_checksum_at, checksum_update16(get16(m_, icmp_checksum_at), old, v));
    }
    void set32(std::size_t offset, std::uint32_t v) {
        set16(offset, static_cast<std::uint16_t>(v >> 16));
        set16(offset + 2, static_cast<std::uint16_t>(v));
    }
    std::span<std::byte> bytes() const { return m_; }

private:
    std::span<std::byte> m_;
};

struct Quote {
    std::size_t ip_at = net::wire::IcmpView::header_len; // in the ICMP message
    std::size_t transport_at = 0;
    std::uint8_t protocol = 0;
    std::span<std::byte> transport;
    bool valid = false;
};

Quote quote_of(std::span<std::byte> icmp) {
    Quote q;
    const std::size_t at = net::wire::IcmpView::header_len;
    if (icmp.size() < at + net::wire::Ipv4View::min_header_len) return q;
    const std::size_t ihl = std::size_t{get8(icmp, at) & 0x0fu} * 4;
    if (ihl < net::wire::Ipv4View::min_header_len || icmp.size() < at + ihl) return q;
    q.transport_at = at + ihl;
    q.protocol = get8(icmp, at + 9);
    q.transport = icmp.subspan(q.transport_at);
    q.valid = true;
    return q;
}

} // namespace

Endpoint endpoint_of(const net::wire::Ipv4View& ip, Side side) {
    Endpoint e{side == Side::Source ? ip.src().value : ip.dst().value, 0};
    const std::span<std::byte> t = transport_of(ip);
    if (const PortField f = port_field(ip.protocol(), t, side); f.has) e.port = get16(t, f.offset);
    return e;
}

void rewrite(net::wire::Ipv4View ip, Side side, Endpoint to) {
    const std::span<std::byte> t = transport_of(ip);
    const TransportSum sum = transport_sum(ip.protocol(), t);
    const std::uint32_t old_address = side == Side::Source ? ip.src().value : ip.dst().value;
    if (old_address != to.address) {
        if (side == Side::Source) {
            ip.set_src(net::Ipv4Address{to.address});
        } else {
            ip.set_dst(net::Ipv4Address{to.address});
        }
        if (sum.present) {
            const std::uint16_t s = checksum_update32(get16(t, sum.offset), old_address, to.address);
            put16(t, sum.offset, sum.udp ? udp_sum(s) : s);
        }
    }
    const PortField f = port_field(ip.protocol(), t, side);
    if (!f.has) return;
    const std::uint16_t old_port = get16(t, f.offset);
    if (old_port == to.port) return;
    put16(t, f.offset, to.port);
    if (ip.protocol() == ip_proto::icmp) {
        // The identifier is covered by the ICMP checksum, which has no pseudo-header.
        put16(t, icmp_checksum_at, checksum_update16(get16(t, icmp_checksum_at), old_port, to.port));
    } else if (sum.present) {
        const std::uint16_t s = checksum_update16(get16(t, sum.offset), old_port, to.port);
        put16(t, sum.offset, sum.udp ? udp_sum(s) : s);
    }
}

Endpoint quoted_endpoint_of(const net::wire::Ipv4View& ip, Side side) {
    const std::span<std::byte> icmp = transport_of(ip);
    const Quote q = quote_of(icmp);
    if (!q.valid) return {};
    // Side::Destination rewrites what the quote has as its source, and the other way round.
    const bool quote_source = side == Side::Destination;
    Endpoint e{get32(icmp, q.ip_at + (quote_source ? 12 : 16)), 0};
    const PortField f = port_field(q.protocol, q.transport, quote_source ? Side::Source : Side::Destination);
    if (f.has) e.port = get16(q.transport, f.offset);
    return e;
}

void rewrite_icmp_error(net::wire::Ipv4View ip, Side side, Endpoint to) {
    const std::span<std::byte> icmp = transport_of(ip);
    const Quote q = quote_of(icmp);
    if (!q.valid) return;
    IcmpPatch patch(icmp);
    const bool quote_source = side == Side::Destination;
    const std::size_t address_at = q.ip_at + (quote_source ? 12 : 16);
    const std::uint32_t old_address = get32(icmp, address_at);
    const TransportSum sum = transport_sum(q.protocol, q.transport);

    if (old_address != to.address) {
        patch.set32(address_at, to.address);
        const std::size_t ip_sum_at = q.ip_at + 10;
        patch.set16(ip_sum_at, checksum_update32(get16(icmp, ip_sum_at), old_address, to.address));
        if (sum.present) {
            const std::size_t at = q.transport_at + sum.offset;
            const std::uint16_t s = checksum_update32(get16(icmp, at), old_address, to.address);
            patch.set16(at, sum.udp ? udp_sum(s) : s);
        }
        // The outer header names the endpoint when the error was sent to it (or by it).
        if (side == Side::Destination && ip.dst().value == old_address)
            ip.set_dst(net::Ipv4Address{to.address});
        if (side == Side::Source && ip.src().value == old_address) ip.set_src(net::Ipv4Address{to.address});
    }

    const PortField f = port_field(q.protocol, q.transport, quote_source ? Side::Source : Side::Destination);
    if (!f.has) return;
    const std::size_t port_at = q.transport_at + f.offset;
    const std::uint16_t old_port = get16(icmp, port_at);
    if (old_port == to.port) return;
    patch.set16(port_at, to.port);
    if (q.protocol == ip_proto::icmp) {
        // The quoted ICMP query's own checksum, when the quote reaches it.
        if (q.transport.size() >= icmp_checksum_at + 2) {
            const std::size_t at = q.transport_at + icmp_checksum_at;
            patch.set16(at, checksum_update16(get16(icmp, at), old_port, to.port));
        }
    } else if (sum.present) {
        const std::size_t at = q.transport_at + sum.offset;
        const std::uint16_t s = checksum_update16(get16(icmp, at), old_port, to.port);
        patch.set16(at, sum.udp ? udp_sum(s) : s);
    }
}

} // namespace appliance::nat
