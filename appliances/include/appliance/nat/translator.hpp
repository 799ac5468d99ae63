// NAT bindings, recorded in the connection: `dnat` sets where the connection's replies come from, `snat`
// and masquerade where they go to (tuple[Reply] of the entry), so the reverse translation of replies and of
// ICMP errors about the connection follows from the entry alone (RFC 3022 2.2, RFC 4787 4.1).
//
// Source ports are preserved when they are free and otherwise allocated (RFC 4787 REQ-3: port range
// preserved, 0-1023 stay in 0-1023; the ICMP query identifier is a port here). A reply tuple must belong
// to one connection only, so a binding that would clash with another connection's is refused, except that
// a `dnat` clash is resolved by choosing another source port (as if an `snat` to the same address).
#pragma once

#include "appliance/conntrack/table.hpp"
#include "appliance/nat/rewrite.hpp"

#include <cstdint>
#include <optional>

namespace appliance::nat {

class Translator {
public:
    struct Counters {
        std::uint64_t bindings = 0;      // translations set up
        std::uint64_t ports_changed = 0; // source ports that could not be kept
        std::uint64_t refused = 0;       // no free tuple (an explicit port in use, or the range exhausted)
    };
    // Tries of other ports before giving up on a binding (each a table lookup).
    static constexpr unsigned max_port_tries = 512;

    Translator(conntrack::ConntrackTable& table, std::uint64_t seed) : table_(table), seed_(seed) {}

    // The connection's replies come from address:port (either may be absent: unchanged).
    bool set_destination(conntrack::ConntrackTable::Ref ref, std::optional<std::uint32_t> address,
                         std::optional<std::uint16_t> port, net::Instant now);
    // The connection leaves from address:port: a given port exactly, otherwise the original port if free.
    bool set_source(conntrack::ConntrackTable::Ref ref, std::optional<std::uint32_t> address,
                    std::optional<std::uint16_t> port, net::Instant now);

    // What a datagram travelling in `dir` looks like when fully translated: the inversion of the other
    // direction's tuple.
    static conntrack::Tuple target(const conntrack::Entry& e, conntrack::Dir dir) {
        return e.tuple[index_of(opposite(dir))].inverted();
    }

    const Counters& counters() const { return counters_; }

private:
    bool free_for(conntrack::ConntrackTable::Ref ref, const conntrack::Tuple& reply, net::Instant now);
    // Finds a free destination port for `reply` (the port the connection leaves from) and applies it.
    bool allocate_port(conntrack::ConntrackTable::Ref ref, conntrack::Tuple reply, net::Instant now);

    conntrack::ConntrackTable& table_;
    std::uint64_t seed_;
    Counters counters_;
};

} // namespace appliance::nat
