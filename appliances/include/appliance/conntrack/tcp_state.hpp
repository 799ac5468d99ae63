// The TCP connection state machine as an observer between the two ends sees it (RFC 9293 3.3.2, 3.5,
// 3.6): which segments are in state, and where they take the connection. Pure functions over an Entry,
// unit-tested on their own.
#pragma once

#include "appliance/conntrack/table.hpp"

#include <cstdint>

namespace appliance::conntrack {

struct TcpSegment {
    std::uint8_t flags = 0; // FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10 URG 0x20 (ECE/CWR ignored)
    std::uint32_t seq = 0;
    std::uint32_t ack = 0;
};

// Whether a segment with no connection may start one: with stateful_tcp only a SYN (RFC 9293 3.5: a
// connection starts with SYN); without it any segment but a RST, so connections are picked up mid-stream.
bool tcp_may_open(std::uint8_t flags, bool stateful);
// The state of a connection its first segment opens.
TcpState tcp_opening_state(std::uint8_t flags);

struct TcpStep {
    bool in_state = true;  // false: out of state (stateful: `invalid`, and the entry is left unchanged)
    bool reopened = false; // a new SYN reused the tuple of a closed connection
};
// Applies a segment travelling in `dir` to the entry's TCP state. Without stateful_tcp nothing is out of
// state: FIN and RST only move the connection to the closing timeouts.
TcpStep tcp_step(Entry& entry, Dir dir, const TcpSegment& segment, bool stateful);

} // namespace appliance::conntrack
