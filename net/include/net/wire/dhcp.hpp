// DHCP messages (RFC 2131 2, options RFC 2132) for the client: a view over a BOOTP message and a repr of
// the fields and options the client uses.
#pragma once

#include "net/ipv4_address.hpp"
#include "net/nic.hpp"
#include "net/wire/bytes.hpp"

#include <cstdint>
#include <optional>
#include <span>

namespace net::wire {

namespace dhcp_msg {
inline constexpr std::uint8_t discover = 1;
inline constexpr std::uint8_t offer = 2;
inline constexpr std::uint8_t request = 3;
inline constexpr std::uint8_t decline = 4;
inline constexpr std::uint8_t ack = 5;
inline constexpr std::uint8_t nak = 6;
inline constexpr std::uint8_t release = 7;
} // namespace dhcp_msg

namespace dhcp_port {
inline constexpr std::uint16_t server = 67;
inline constexpr std::uint16_t client = 68;
} // namespace dhcp_port

class DhcpView {
public:
    // RFC 2131 2: 236 bytes of fixed fields, then the magic cookie 99.130.83.99 and the options.
    static constexpr std::size_t fixed_len = 236;
    static constexpr std::size_t options_offset = 240;
    static constexpr std::uint32_t magic_cookie = 0x63825363;

    static std::optional<DhcpView> parse(std::span<std::byte> bytes);

    std::uint8_t op() const { return get8(bytes_, 0); }
    std::uint32_t xid() const { return get32(bytes_, 4); }
    std::uint16_t flags() const { return get16(bytes_, 10); }
    Ipv4Address ciaddr() const { return Ipv4Address{get32(bytes_, 12)}; }
    Ipv4Address yiaddr() const { return Ipv4Address{get32(bytes_, 16)}; }
    Ipv4Address siaddr() const { return Ipv4Address{get32(bytes_, 20)}; }
    MacAddress chaddr() const {
        MacAddress m;
        for (std::size_t i = 0; i < 6; ++i)
            m.octets[i] = get8(bytes_, 28 + i);
        return m;
    }
    // The value of option `code` (RFC 2132 2), or nullopt when absent or when the options are malformed
    // before it. Pad (0) and end (255) have no length byte.
    std::optional<std::span<std::byte>> option(std::uint8_t code) const;

private:
    explicit DhcpView(std::span<std::byte> b) : bytes_(b) {}
    std::span<std::byte> bytes_;
};

struct DhcpRepr {
    std::uint8_t op = 1; // BOOTREQUEST
    std::uint8_t message_type = 0;
    std::uint32_t xid = 0;
    bool broadcast = false;
    Ipv4Address ciaddr;
    Ipv4Address yiaddr;
    MacAddress client_mac;
    std::optional<Ipv4Address> server_id;        // option 54
    std::optional<Ipv4Address> requested_ip;     // option 50
    std::optional<Ipv4Address> subnet_mask;      // option 1
    std::optional<Ipv4Address> router;           // option 3 (the first one)
    std::optional<std::uint32_t> lease_time;     // option 51, seconds
    std::optional<std::uint32_t> renewal_time;   // option 58 (T1)
    std::optional<std::uint32_t> rebinding_time; // option 59 (T2)

    // RFC 1542 2.1: BOOTP messages are at least 300 bytes; emit pads up to that.
    static constexpr std::size_t min_len = 300;
    static constexpr std::size_t max_emit_len = 348;

    // nullopt without a message type option (a plain BOOTP message).
    static std::optional<DhcpRepr> parse(const DhcpView& v);
    // Writes the message; returns its length, or 0 if `out` is shorter than max_emit_len.
    std::size_t emit(std::span<std::byte> out) const;
};

} // namespace net::wire
