// Answers the appliance sends on its own behalf: the TCP reset for a rejected segment, and ICMP
// "fragmentation needed" for a datagram larger than an Iface's configured MTU. (ICMP "administratively
// prohibited" for other rejected datagrams is net/'s: a hook's Verdict::Reject.) Both are rate-limited
// like net/'s ICMP errors and obey the rules of when no answer is due.
#pragma once

#include "net/icmp_rate_limiter.hpp"
#include "net/stack.hpp"
#include "net/tcp_reset.hpp"
#include "net/wire/ipv4.hpp"

#include <cstdint>
#include <optional>

namespace appliance {

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
