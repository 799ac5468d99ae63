// ARP (RFC 826) for IPv4 over Ethernet.
#pragma once

#include "net/ipv4_address.hpp"
#include "net/nic.hpp"
#include "net/wire/bytes.hpp"

#include <cstdint>
#include <optional>
#include <span>

namespace net::wire {

namespace arp_op {
inline constexpr std::uint16_t request = 1;
inline constexpr std::uint16_t reply = 2;
} // namespace arp_op

class ArpView {
public:
    static constexpr std::size_t fixed_len = 8;
    static constexpr std::size_t ethernet_ipv4_len = 28;

    // Checks the fixed part and that the addresses the header announces fit.
    static std::optional<ArpView> parse(std::span<std::byte> bytes);

    std::uint16_t hardware_type() const { return get16(bytes_, 0); }
    std::uint16_t protocol_type() const { return get16(bytes_, 2); }
    std::uint8_t hardware_len() const { return get8(bytes_, 4); }
    std::uint8_t protocol_len() const { return get8(bytes_, 5); }
    std::uint16_t operation() const { return get16(bytes_, 6); }
    // True for the only combination this stack speaks: Ethernet (1) hardware, IPv4 protocol addresses.
    bool is_ethernet_ipv4() const {
        return hardware_type() == 1 && protocol_type() == 0x0800 && hardware_len() == 6 &&
               protocol_len() == 4;
    }
    // The address accessors below require is_ethernet_ipv4().
    MacAddress sender_mac() const { return mac_at(8); }
    Ipv4Address sender_ip() const { return Ipv4Address{get32(bytes_, 14)}; }
    MacAddress target_mac() const { return mac_at(18); }
    Ipv4Address target_ip() const { return Ipv4Address{get32(bytes_, 24)}; }

private:
    explicit ArpView(std::span<std::byte> b) : bytes_(b) {}
    MacAddress mac_at(std::size_t off) const {
        MacAddress m;
        for (std::size_t i = 0; i < 6; ++i)
            m.octets[i] = get8(bytes_, off + i);
        return m;
    }
    std::span<std::byte> bytes_;
};

struct ArpRepr {
    std::uint16_t operation = arp_op::request;
    MacAddress sender_mac;
    Ipv4Address sender_ip;
    MacAddress target_mac;
    Ipv4Address target_ip;

    // nullopt unless Ethernet/IPv4.
    static std::optional<ArpRepr> parse(const ArpView& v);
    // Writes the 28 bytes; false if `out` is shorter.
    bool emit(std::span<std::byte> out) const;
    friend bool operator==(const ArpRepr&, const ArpRepr&) = default;
};

} // namespace net::wire
