// Answers the appliance sends on its own behalf: the TCP reset for a rejected segment, and ICMP
// "fragmentation needed" for a datagram larger than an Iface's configured MTU. (ICMP "administratively
// prohibited" for other rejected datagrams is net/'s: a hook's Verdict::Reject.) Both are rate-limited
// like net/'s ICMP errors and obey the rules of when no answer is due.
#pragma once

#include "net/icmp_rate_limiter.hpp"
#include "net/stack.hpp"
#include "net/wire/ipv4.hpp"
#include "net/wire/tcp.hpp"

#include <cstdint>
#include <optional>

namespace appliance {

// RFC 1122 3.2.2 and RFC 1812 4.3.2.7: no answer to a datagram sent to a broadcast or multicast address,
// from an address that is not one host, or that is a non-first fragment.
bool may_answer(const net::wire::Ipv4View& ip, const net::Stack& stack);

// RFC 9293 3.10.7.1: the reset a closed port answers a segment with: <SEQ=SEG.ACK><CTL=RST> when the
// segment has ACK, else <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> (SYN and FIN count in SEG.LEN). It comes
// from the segment's destination. nullopt for a reset (never answered, 3.10.7.1) or a missing header.
struct ResetSegment {
    net::wire::Ipv4Repr ip;
    net::wire::TcpRepr tcp;
};
std::optional<ResetSegment> reset_for(const net::wire::Ipv4View& segment);

class Responder {
public:
    struct Counters {
        std::uint64_t resets = 0;
        std::uint64_t fragmentation_needed = 0;
        std::uint64_t rate_limited = 0;
        std::uint64_t not_sent = 0; // no route back, no buffer, or no answer due
    };

    explicit Responder(net::Stack& stack) : stack_(stack) {}

    bool send_reset(const net::wire::Ipv4View& segment);
    // RFC 1191 4 / RFC 792: type 3 code 4 with the next-hop MTU, quoting the header and 8 bytes of data.
    bool send_fragmentation_needed(const net::wire::Ipv4View& datagram, std::uint16_t mtu);

    const Counters& counters() const { return counters_; }

private:
    bool allowed();

    net::Stack& stack_;
    net::IcmpRateLimiter limiter_;
    Counters counters_;
};

} // namespace appliance
