// Address and port rewriting of IPv4 datagrams in place, every checksum kept right by incremental update
// (RFC 1624 eqn. 3) rather than recomputed: the IPv4 header checksum, the TCP and UDP checksums (their
// pseudo-header covers the addresses: RFC 9293 3.1, RFC 768), the ICMP checksum for query identifiers and,
// in ICMP errors, for every byte of the quoted datagram that changes (RFC 3022 4.3).
#pragma once

#include "net/wire/ipv4.hpp"

#include <cstdint>

namespace appliance::nat {

enum class Side : std::uint8_t { Source, Destination };

struct Endpoint {
    std::uint32_t address = 0; // host byte order
    std::uint16_t port = 0;    // TCP/UDP port or ICMP query identifier
    friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

// The datagram's endpoint on `side`. The port is 0 where there is none: a non-first fragment, a protocol
// without ports, and the side of an ICMP query that does not carry the identifier (a request carries it
// as its source "port", a reply as its destination "port").
Endpoint endpoint_of(const net::wire::Ipv4View& ip, Side side);

// Rewrites `side` to `to`. The port is written only where endpoint_of() reads one.
void rewrite(net::wire::Ipv4View ip, Side side, Endpoint to);

// For an ICMP error, whose quoted datagram travelled the other way: Side::Destination rewrites the quote's
// source (and the error's destination when the error was addressed to that source), Side::Source the
// quote's destination (and the error's source when the error came from it). `quoted_endpoint_of` reads
// the quote's endpoint that `side` rewrites.
Endpoint quoted_endpoint_of(const net::wire::Ipv4View& ip, Side side);
void rewrite_icmp_error(net::wire::Ipv4View ip, Side side, Endpoint to);

} // namespace appliance::nat
