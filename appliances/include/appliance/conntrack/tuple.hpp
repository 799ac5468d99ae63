// The identity of a connection as packets carry it: addresses, ports (the ICMP query identifier stands in
// for a port) and protocol. A connection has two: the original direction's and the reply direction's,
// which differ from each other's inversion exactly by the NAT applied to the connection.
#pragma once

#include <cstdint>

namespace appliance::conntrack {

struct Tuple {
    std::uint32_t src = 0; // host byte order
    std::uint32_t dst = 0;
    std::uint16_t sport = 0;
    std::uint16_t dport = 0;
    std::uint8_t protocol = 0;

    constexpr Tuple inverted() const { return {dst, src, dport, sport, protocol}; }
    friend constexpr bool operator==(const Tuple&, const Tuple&) = default;
};

enum class Dir : std::uint8_t { Original = 0, Reply = 1 };
constexpr Dir opposite(Dir d) {
    return d == Dir::Original ? Dir::Reply : Dir::Original;
}
constexpr unsigned index_of(Dir d) {
    return static_cast<unsigned>(d);
}

// Seeded so that flows an attacker chooses do not land in one probe sequence (the seed is random per boot).
constexpr std::uint64_t hash(const Tuple& t, std::uint64_t seed) {
    std::uint64_t a = (std::uint64_t{t.src} << 32 | t.dst) ^ seed;
    std::uint64_t b = (std::uint64_t{t.sport} << 32 | std::uint64_t{t.dport} << 16 | t.protocol) ^
                      (seed * 0xc2b2ae3d27d4eb4fu + 0x165667b19e3779f9u);
    // Two rounds of multiply-xorshift over both words (a 128-to-64-bit mix).
    a *= 0x9e3779b97f4a7c15u;
    b ^= a >> 29;
    b *= 0xbf58476d1ce4e5b9u;
    a ^= b >> 31;
    a *= 0x94d049bb133111ebu;
    return a ^ (a >> 32) ^ b;
}

} // namespace appliance::conntrack
