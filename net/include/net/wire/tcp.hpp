// TCP headers (RFC 9293 3.1): a view and a plain repr. This library has no TCP endpoints: the view serves the
// filter hooks (ports, flags), the malformed-packet checks and the resets for closed ports (net/src/tcp.cpp).
#pragma once

#include "net/ipv4_address.hpp"
#include "net/wire/bytes.hpp"

#include <cstdint>
#include <optional>
#include <span>

namespace net::wire {

namespace tcp_flag {
inline constexpr std::uint8_t fin = 0x01;
inline constexpr std::uint8_t syn = 0x02;
inline constexpr std::uint8_t rst = 0x04;
inline constexpr std::uint8_t psh = 0x08;
inline constexpr std::uint8_t ack = 0x10;
inline constexpr std::uint8_t urg = 0x20;
} // namespace tcp_flag

class TcpView {
public:
    static constexpr std::size_t min_header_len = 20;

    // RFC 9293 3.1: data offset >= 5 and the header (with options) within the bytes.
    static std::optional<TcpView> parse(std::span<std::byte> bytes);

    std::uint16_t src_port() const { return get16(bytes_, 0); }
    std::uint16_t dst_port() const { return get16(bytes_, 2); }
    std::uint32_t seq() const { return get32(bytes_, 4); }
    std::uint32_t ack() const { return get32(bytes_, 8); }
    std::size_t header_len() const { return static_cast<std::size_t>(get8(bytes_, 12) >> 4) * 4; }
    std::uint8_t flags() const { return get8(bytes_, 13) & 0x3f; }
    std::uint16_t window() const { return get16(bytes_, 14); }
    std::uint16_t checksum() const { return get16(bytes_, 16); }
    std::uint16_t urgent_pointer() const { return get16(bytes_, 18); }
    std::span<std::byte> options() const {
        return bytes_.subspan(min_header_len, header_len() - min_header_len);
    }
    std::span<std::byte> payload() const { return bytes_.subspan(header_len()); }

    bool verify_checksum(Ipv4Address src, Ipv4Address dst) const;

private:
    explicit TcpView(std::span<std::byte> b) : bytes_(b) {}
    std::span<std::byte> bytes_;
};

struct TcpRepr {
    std::uint16_t src_port = 0;
    std::uint16_t dst_port = 0;
    std::uint32_t seq = 0;
    std::uint32_t ack = 0;
    std::uint8_t flags = 0;
    std::uint16_t window = 0;

    static TcpRepr parse(const TcpView& v) {
        return {v.src_port(), v.dst_port(), v.seq(), v.ack(), v.flags(), v.window()};
    }
    // Writes a 20-byte header (no options) at the start of `segment` (header plus payload already placed
    // after it) with the checksum; false if `segment` is too short or too long.
    bool emit(std::span<std::byte> segment, Ipv4Address src, Ipv4Address dst) const;
    friend bool operator==(const TcpRepr&, const TcpRepr&) = default;
};

} // namespace net::wire
