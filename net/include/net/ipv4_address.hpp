// IPv4 addresses and prefixes as plain values (host byte order inside; wire views convert).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace net {

struct Ipv4Address {
    std::uint32_t value = 0; // host byte order

    constexpr Ipv4Address() = default;
    constexpr explicit Ipv4Address(std::uint32_t v) : value(v) {}
    constexpr Ipv4Address(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d)
        : value((std::uint32_t{a} << 24) | (std::uint32_t{b} << 16) | (std::uint32_t{c} << 8) | d) {}

    static constexpr Ipv4Address any() { return Ipv4Address{}; }
    static constexpr Ipv4Address broadcast() { return Ipv4Address{0xffffffffu}; }
    // Dotted quad, e.g. "10.0.0.1"; nullopt when malformed.
    static std::optional<Ipv4Address> parse(std::string_view text);

    constexpr bool is_unspecified() const { return value == 0; }
    constexpr bool is_broadcast() const { return value == 0xffffffffu; }
    constexpr bool is_multicast() const { return (value >> 28) == 0xe; } // RFC 1112 4: 224/4
    constexpr bool is_loopback() const { return (value >> 24) == 127; }  // RFC 1122 3.2.1.3
    constexpr bool is_class_e() const { return (value >> 28) == 0xf && !is_broadcast(); }
    constexpr std::uint8_t octet(int i) const { return static_cast<std::uint8_t>(value >> (24 - 8 * i)); }

    friend constexpr bool operator==(Ipv4Address, Ipv4Address) = default;
    friend constexpr auto operator<=>(Ipv4Address, Ipv4Address) = default;
};

// addr/len; the host bits of `address` are kept as given (an interface address), masked() clears them.
struct Ipv4Cidr {
    Ipv4Address address;
    std::uint8_t prefix_len = 0;

    static constexpr std::uint32_t mask_of(std::uint8_t len) {
        return len == 0 ? 0u : (len >= 32 ? 0xffffffffu : ~((1u << (32 - len)) - 1));
    }
    // Prefix length of a contiguous netmask, nullopt for a mask like 255.0.255.0.
    static constexpr std::optional<std::uint8_t> prefix_of(Ipv4Address mask) {
        std::uint8_t len = 0;
        while (len < 32 && (mask.value & (0x80000000u >> len)) != 0)
            ++len;
        if (mask_of(len) != mask.value) return std::nullopt;
        return len;
    }
    constexpr Ipv4Address netmask() const { return Ipv4Address{mask_of(prefix_len)}; }
    constexpr Ipv4Address network() const { return Ipv4Address{address.value & mask_of(prefix_len)}; }
    constexpr Ipv4Address directed_broadcast() const {
        return Ipv4Address{address.value | ~mask_of(prefix_len)};
    }
    constexpr bool contains(Ipv4Address a) const {
        return ((a.value ^ address.value) & mask_of(prefix_len)) == 0;
    }
    friend constexpr bool operator==(const Ipv4Cidr&, const Ipv4Cidr&) = default;
};

} // namespace net
