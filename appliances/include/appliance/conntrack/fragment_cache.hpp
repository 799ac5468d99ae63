// Which connection the later fragments of a datagram belong to. Only the first fragment carries the ports
// (RFC 791 3.2), so when it is tracked its connection is remembered under the datagram's identity
// (source, destination, protocol, identification: RFC 791's reassembly key) for the fragments that
// follow; they get the same state and the same address translation. A fixed, direct-mapped table: an
// entry is overwritten by a newer datagram that hashes to it, and forgotten after the reassembly timeout.
#pragma once

#include "appliance/conntrack/table.hpp"
#include "appliance/rule_packet.hpp"

#include "net/time.hpp"
#include "net/wire/ipv4.hpp"

#include <array>
#include <cstdint>
#include <optional>

namespace appliance::conntrack {

class FragmentCache {
public:
    static constexpr std::size_t size = 256;
    static constexpr net::Duration lifetime = std::chrono::seconds(30); // RFC 791's upper reassembly bound

    struct Key {
        std::uint32_t src = 0, dst = 0;
        std::uint16_t id = 0;
        std::uint8_t protocol = 0;
        friend bool operator==(const Key&, const Key&) = default;
    };
    struct Value {
        ConntrackTable::Ref ref{};
        Dir dir = Dir::Original;
        CtState state = CtState::Invalid;
    };

    static Key key_of(const net::wire::Ipv4View& ip) {
        return {ip.src().value, ip.dst().value, ip.identification(), ip.protocol()};
    }
    // True when this displaced another datagram's entry that was still live: that datagram's later
    // fragments will not find their connection (the caller counts and reports it).
    bool remember(const Key& key, const Value& value, net::Instant now);
    std::optional<Value> find(const Key& key, net::Instant now) const;

private:
    struct Item {
        Key key{};
        Value value{};
        std::int64_t at_ns = 0;
        bool used = false;
    };
    static std::size_t slot_of(const Key& k);
    std::array<Item, size> items_{};
};

} // namespace appliance::conntrack
