// UDP (RFC 768): a view over a datagram and a plain repr of its header.
#pragma once

#include "net/ipv4_address.hpp"
#include "net/wire/bytes.hpp"

#include <cstdint>
#include <optional>
#include <span>

namespace net::wire {

class UdpView {
public:
    static constexpr std::size_t header_len = 8;

    // RFC 768: the length field covers header and data; it must be >= 8 and within the bytes. The view
    // spans length() bytes.
    static std::optional<UdpView> parse(std::span<std::byte> bytes);

    std::uint16_t src_port() const { return get16(bytes_, 0); }
    std::uint16_t dst_port() const { return get16(bytes_, 2); }
    std::uint16_t length() const { return get16(bytes_, 4); }
    std::uint16_t checksum() const { return get16(bytes_, 6); }
    std::span<std::byte> payload() const { return bytes_.subspan(header_len); }
    std::span<std::byte> bytes() const { return bytes_; }

    // RFC 768: a zero checksum means the sender computed none.
    bool verify_checksum(Ipv4Address src, Ipv4Address dst) const;

private:
    explicit UdpView(std::span<std::byte> b) : bytes_(b) {}
    std::span<std::byte> bytes_;
};

struct UdpRepr {
    std::uint16_t src_port = 0;
    std::uint16_t dst_port = 0;

    static UdpRepr parse(const UdpView& v) { return {v.src_port(), v.dst_port()}; }
    // Writes the header at the start of `datagram` (header plus the payload already placed after it) with
    // length and checksum; false if `datagram` is shorter than a header or longer than 65535.
    bool emit(std::span<std::byte> datagram, Ipv4Address src, Ipv4Address dst) const;
    friend bool operator==(const UdpRepr&, const UdpRepr&) = default;
};

} // namespace net::wire
