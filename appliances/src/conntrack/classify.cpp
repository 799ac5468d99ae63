#include "appliance/conntrack/classify.hpp"

#include "net/wire/icmp.hpp"
#include "net/wire/tcp.hpp"
#include "net/wire/udp.hpp"

namespace appliance::conntrack {

namespace {

using net::wire::get16;
using net::wire::get32;
using net::wire::get8;
namespace ip_proto = net::wire::ip_proto;

// The ports (or ICMP identifier) of a transport header that starts `t`; false when `t` is too short.
bool ports_of(std::uint8_t protocol, std::span<const std::byte> t, Tuple& out, bool& trackable) {
    trackable = true;
    switch (protocol) {
    case ip_proto::tcp:
    case ip_proto::udp:
        if (t.size() < 4) return false;
        out.sport = get16(t, 0);
        out.dport = get16(t, 2);
        return true;
    case ip_proto::icmp: {
        if (t.size() < 8) return false;
        const std::uint8_t type = get8(t, 0);
        if (is_icmp_query_request(type)) {
            out.sport = get16(t, 4);
        } else if (is_icmp_query_reply(type)) {
            out.dport = get16(t, 4);
        } else {
            trackable = false;
        }
        return true;
    }
    default:
        trackable = false;
        return true;
    }
}

// RFC 792 / RFC 1812 4.3.2.3: an error quotes the offending datagram's header and at least 8 bytes of its
// data, enough for the ports. The quote is trusted only as far as its own header says.
Classified classify_icmp_error(std::span<const std::byte> quoted) {
    Classified c;
    c.kind = PacketKind::BadIcmpError;
    if (quoted.size() < net::wire::Ipv4View::min_header_len) return c;
    if ((get8(quoted, 0) >> 4) != 4) return c;
    const std::size_t ihl = std::size_t{get8(quoted, 0) & 0x0fu} * 4;
    if (ihl < net::wire::Ipv4View::min_header_len || ihl > quoted.size()) return c;
    if ((get16(quoted, 6) & 0x1fff) != 0) return c; // no error is due for a non-first fragment
    c.tuple.src = get32(quoted, 12);
    c.tuple.dst = get32(quoted, 16);
    c.tuple.protocol = get8(quoted, 9);
    // A quote of another protocol, or of an ICMP error (RFC 1122 3.2.2: never an error about an error),
    // belongs to no connection.
    bool trackable = false;
    if (!ports_of(c.tuple.protocol, quoted.subspan(ihl), c.tuple, trackable) || !trackable) return c;
    c.kind = PacketKind::IcmpError;
    return c;
}

} // namespace

bool is_icmp_query_request(std::uint8_t type) {
    return type == 8 || type == 13 || type == 15 || type == 17;
}

bool is_icmp_query_reply(std::uint8_t type) {
    return type == 0 || type == 14 || type == 16 || type == 18;
}

Classified classify(const net::wire::Ipv4View& ip) {
    Classified c;
    c.tuple.src = ip.src().value;
    c.tuple.dst = ip.dst().value;
    c.tuple.protocol = ip.protocol();
    const std::uint8_t p = ip.protocol();
    if (p != ip_proto::tcp && p != ip_proto::udp && p != ip_proto::icmp) return c; // Untracked
    if (ip.fragment_offset() != 0) {
        c.kind = PacketKind::LaterFragment;
        return c;
    }
    c.first_fragment = ip.more_fragments();
    const std::span<std::byte> t = ip.payload();
    c.kind = PacketKind::Malformed;
    switch (p) {
    case ip_proto::tcp: {
        // In the first of several fragments only the header must be whole.
        auto tcp = net::wire::TcpView::parse(t);
        if (!tcp) return c;
        c.tuple.sport = tcp->src_port();
        c.tuple.dport = tcp->dst_port();
        c.tcp_flags = tcp->flags();
        c.tcp_seq = tcp->seq();
        c.tcp_ack = tcp->ack();
        break;
    }
    case ip_proto::udp:
        if (t.size() < net::wire::UdpView::header_len) return c;
        // RFC 768: the length covers header and data; in a whole datagram it must match what arrived.
        if (!c.first_fragment && !net::wire::UdpView::parse(t)) return c;
        c.tuple.sport = get16(t, 0);
        c.tuple.dport = get16(t, 2);
        break;
    default: { // ICMP
        auto icmp = net::wire::IcmpView::parse(t);
        if (!icmp) return c;
        if (net::wire::icmp_type::is_error(icmp->type())) {
            Classified e = classify_icmp_error(icmp->data());
            e.first_fragment = c.first_fragment;
            return e;
        }
        bool trackable = false;
        (void)ports_of(p, t, c.tuple, trackable);
        if (!trackable) {
            c.kind = PacketKind::Untracked;
            return c;
        }
        c.may_open = is_icmp_query_request(icmp->type());
        c.kind = PacketKind::Tracked;
        return c;
    }
    }
    c.may_open = true;
    c.kind = PacketKind::Tracked;
    return c;
}

} // namespace appliance::conntrack
