// The reset that answers a TCP segment for a connection in the CLOSED state (RFC 9293 3.10.7.1): this stack
// sends it for every segment to this host (it runs no TCP endpoint), and a filter that rejects a segment
// sends it on the segment's destination's behalf.
#pragma once

#include "net/wire/ipv4.hpp"
#include "net/wire/tcp.hpp"

#include <optional>

namespace net {

// <SEQ=SEG.ACK><CTL=RST> when the segment has ACK, else <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> (SYN and
// FIN count in SEG.LEN, whose data length comes from the IP total length, so a segment cut short still
// counts whole). From the segment's destination to its source. nullopt for a reset (never answered), a
// non-first fragment or a missing header.
struct TcpReset {
    wire::Ipv4Repr ip;
    wire::TcpRepr tcp;
};
std::optional<TcpReset> tcp_reset_for(const wire::Ipv4View& segment);

} // namespace net
