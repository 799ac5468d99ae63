// What connection tracking needs to know about one IPv4 datagram, read once from its header through the
// net/wire views: its tuple (or, for an ICMP error, the tuple of the datagram it quotes), TCP flags and
// sequence numbers, and whether it is malformed.
#pragma once

#include "appliance/conntrack/tuple.hpp"

#include "net/wire/ipv4.hpp"

#include <cstdint>

namespace appliance::conntrack {

enum class PacketKind : std::uint8_t {
    Tracked,       // TCP, UDP, or an ICMP query (echo, timestamp, information, address mask)
    IcmpError,     // RFC 1122 3.2.2 errors (3, 4, 5, 11, 12) quoting a datagram of a tracked protocol
    BadIcmpError,  // an ICMP error whose quote is too short or of a datagram nothing can track
    Untracked,     // other protocols and other ICMP messages
    Malformed,     // a transport header that is cut short or contradicts itself
    LaterFragment, // a fragment other than the first: no transport header
};

struct Classified {
    PacketKind kind = PacketKind::Untracked;
    Tuple tuple{};               // Tracked: this datagram's; IcmpError: the quoted datagram's
    bool may_open = false;       // ICMP query replies never open a connection
    bool first_fragment = false; // offset 0 with more fragments to come
    std::uint8_t tcp_flags = 0;
    std::uint32_t tcp_seq = 0;
    std::uint32_t tcp_ack = 0;
};

Classified classify(const net::wire::Ipv4View& ip);

// RFC 792: echo, timestamp, information and address-mask requests and their replies carry an identifier;
// it is the "port" of their connection: a request's source port, a reply's destination port.
bool is_icmp_query_request(std::uint8_t type);
bool is_icmp_query_reply(std::uint8_t type);

} // namespace appliance::conntrack
