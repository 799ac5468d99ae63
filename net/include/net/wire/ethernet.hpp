// Ethernet II and IEEE 802.1Q headers: views over the bytes and plain reprs.
#pragma once

#include "net/nic.hpp"
#include "net/wire/bytes.hpp"

#include <cstdint>
#include <optional>
#include <span>

namespace net::wire {

namespace ethertype {
inline constexpr std::uint16_t ipv4 = 0x0800;
inline constexpr std::uint16_t arp = 0x0806;
inline constexpr std::uint16_t vlan = 0x8100; // IEEE 802.1Q tag protocol identifier
} // namespace ethertype

class EthernetView {
public:
    static constexpr std::size_t header_len = 14;

    // The frame must hold at least a header.
    static std::optional<EthernetView> parse(std::span<std::byte> frame) {
        if (frame.size() < header_len) return std::nullopt;
        return EthernetView{frame};
    }

    MacAddress dst() const { return mac_at(0); }
    MacAddress src() const { return mac_at(6); }
    std::uint16_t ethertype() const { return get16(bytes_, 12); }
    std::span<std::byte> payload() const { return bytes_.subspan(header_len); }
    std::span<std::byte> bytes() const { return bytes_; }

    void set_dst(const MacAddress& m) { set_mac_at(0, m); }
    void set_src(const MacAddress& m) { set_mac_at(6, m); }
    void set_ethertype(std::uint16_t t) { put16(bytes_, 12, t); }

private:
    explicit EthernetView(std::span<std::byte> b) : bytes_(b) {}
    MacAddress mac_at(std::size_t off) const {
        MacAddress m;
        for (std::size_t i = 0; i < 6; ++i)
            m.octets[i] = get8(bytes_, off + i);
        return m;
    }
    void set_mac_at(std::size_t off, const MacAddress& m) {
        for (std::size_t i = 0; i < 6; ++i)
            put8(bytes_, off + i, m.octets[i]);
    }
    std::span<std::byte> bytes_;
};

struct EthernetRepr {
    MacAddress dst;
    MacAddress src;
    std::uint16_t ethertype = 0;

    static EthernetRepr parse(const EthernetView& v) { return {v.dst(), v.src(), v.ethertype()}; }
    // Writes the 14-byte header at the start of `out`; false if it is too short.
    bool emit(std::span<std::byte> out) const;
    friend bool operator==(const EthernetRepr&, const EthernetRepr&) = default;
};

// The 4 bytes that follow an Ethernet header whose ethertype is 0x8100: TCI, then the inner ethertype.
class VlanView {
public:
    static constexpr std::size_t header_len = 4;

    static std::optional<VlanView> parse(std::span<std::byte> bytes) {
        if (bytes.size() < header_len) return std::nullopt;
        return VlanView{bytes};
    }
    std::uint8_t priority() const { return static_cast<std::uint8_t>(get16(bytes_, 0) >> 13); }
    bool drop_eligible() const { return (get16(bytes_, 0) & 0x1000) != 0; }
    std::uint16_t vlan_id() const { return get16(bytes_, 0) & 0x0fff; }
    std::uint16_t ethertype() const { return get16(bytes_, 2); }
    std::span<std::byte> payload() const { return bytes_.subspan(header_len); }

private:
    explicit VlanView(std::span<std::byte> b) : bytes_(b) {}
    std::span<std::byte> bytes_;
};

struct VlanRepr {
    std::uint16_t vlan_id = 0;
    std::uint8_t priority = 0;
    std::uint16_t ethertype = 0;

    static VlanRepr parse(const VlanView& v) { return {v.vlan_id(), v.priority(), v.ethertype()}; }
    bool emit(std::span<std::byte> out) const;
    friend bool operator==(const VlanRepr&, const VlanRepr&) = default;
};

} // namespace net::wire
