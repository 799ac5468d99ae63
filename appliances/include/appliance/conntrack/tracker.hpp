// Connection tracking: maps a classified datagram to its connection and state (new, established, related,
// invalid, untracked), creating connections, following TCP (stateful_tcp), and restarting timeouts.
#pragma once

#include "appliance/conntrack/classify.hpp"
#include "appliance/conntrack/table.hpp"
#include "appliance/rule_packet.hpp"

namespace appliance::conntrack {

struct TrackResult {
    CtState state = CtState::Untracked;
    ConntrackTable::Ref ref{}; // the connection (also for `related` and for out-of-state segments)
    Dir dir = Dir::Original;   // the direction this datagram travels in
    bool created = false;      // this datagram opened the connection
    bool evicted = false;      // opening it evicted `evicted_original`
    Tuple evicted_original{};
};

class Tracker {
public:
    struct Counters {
        std::uint64_t invalid = 0;      // datagrams of tracked protocols that fit no connection
        std::uint64_t out_of_state = 0; // TCP segments out of state (stateful_tcp)
        std::uint64_t related = 0;      // ICMP errors matched to a connection
    };

    Tracker(ConntrackTable& table, bool stateful_tcp) : table_(table), stateful_(stateful_tcp) {}

    // `c` must not be Malformed or LaterFragment (those are the caller's to handle).
    TrackResult track(const Classified& c, net::Instant now);
    // The state track() would most likely give `c`, changing nothing (a guess: a TCP segment out of state,
    // a table too full to open the connection, or a datagram tracked in between make it differ).
    CtState peek(const Classified& c, net::Instant now) const;
    // The first datagram of the connection got through (left, or was delivered).
    void confirm(ConntrackTable::Ref ref, net::Instant now);
    TimeoutClass class_of(const Entry& e) const;

    ConntrackTable& table() { return table_; }
    bool stateful_tcp() const { return stateful_; }
    const Counters& counters() const { return counters_; }

private:
    TrackResult track_related(const Classified& c, net::Instant now);
    // A datagram with no connection yet may open one (TCP: tcp_may_open).
    bool may_open(const Classified& c) const;

    ConntrackTable& table_;
    bool stateful_;
    Counters counters_;
};

} // namespace appliance::conntrack
