// IPv4 headers (RFC 791 3.1): a view over the bytes and a plain repr.
#pragma once

#include "net/ipv4_address.hpp"
#include "net/wire/bytes.hpp"

#include <cstdint>
#include <optional>
#include <span>

namespace net::wire {

namespace ip_proto {
inline constexpr std::uint8_t icmp = 1;
inline constexpr std::uint8_t tcp = 6;
inline constexpr std::uint8_t udp = 17;
} // namespace ip_proto

enum class Ipv4ParseError : std::uint8_t {
    Truncated,    // fewer bytes than a minimal header or than the header length field says
    BadVersion,   // version field is not 4
    BadHeaderLen, // IHL below 5
    BadTotalLen,  // total length below the header length, or beyond the bytes received
};

class Ipv4View {
public:
    static constexpr std::size_t min_header_len = 20;

    // RFC 791 3.1 / RFC 1122 3.2.1.1-3.2.1.2: version 4, IHL >= 5, header within the bytes, total length
    // covering the header and within the bytes. The view spans total_length() bytes (link padding is cut).
    // The checksum is checked separately (verify_checksum()), so callers count the two failures apart.
    struct Parsed;
    static Parsed parse(std::span<std::byte> bytes);
    // A view for writing a header into `bytes` (at least 20); no field is checked.
    static std::optional<Ipv4View> wrap(std::span<std::byte> bytes) {
        if (bytes.size() < min_header_len) return std::nullopt;
        return Ipv4View{bytes};
    }

    std::uint8_t version() const { return get8(bytes_, 0) >> 4; }
    std::size_t header_len() const { return std::size_t{get8(bytes_, 0) & 0x0fu} * 4; }
    std::uint8_t tos() const { return get8(bytes_, 1); }
    std::uint16_t total_length() const { return get16(bytes_, 2); }
    std::uint16_t identification() const { return get16(bytes_, 4); }
    bool dont_fragment() const { return (get16(bytes_, 6) & 0x4000) != 0; }
    bool more_fragments() const { return (get16(bytes_, 6) & 0x2000) != 0; }
    // In bytes (the field counts 8-byte blocks).
    std::size_t fragment_offset() const { return std::size_t{get16(bytes_, 6) & 0x1fffu} * 8; }
    bool is_fragment() const { return more_fragments() || fragment_offset() != 0; }
    std::uint8_t ttl() const { return get8(bytes_, 8); }
    std::uint8_t protocol() const { return get8(bytes_, 9); }
    std::uint16_t checksum() const { return get16(bytes_, 10); }
    Ipv4Address src() const { return Ipv4Address{get32(bytes_, 12)}; }
    Ipv4Address dst() const { return Ipv4Address{get32(bytes_, 16)}; }
    std::span<std::byte> options() const {
        return bytes_.subspan(min_header_len, header_len() - min_header_len);
    }
    std::span<std::byte> header() const { return bytes_.first(header_len()); }
    std::span<std::byte> payload() const { return bytes_.subspan(header_len()); }
    std::span<std::byte> bytes() const { return bytes_; }

    // RFC 1071: the header sums to 0xffff (checksum 0 after finishing) when intact.
    bool verify_checksum() const;
    void fill_checksum();
    // RFC 1812 5.3.1 / RFC 1624: TTL - 1 with the checksum updated incrementally, not recomputed.
    void decrement_ttl();
    // Rewrites an address with an incremental checksum update (for NAT and reply paths).
    void set_src(Ipv4Address a);
    void set_dst(Ipv4Address a);

private:
    explicit Ipv4View(std::span<std::byte> b) : bytes_(b) {}
    std::span<std::byte> bytes_;
};

struct Ipv4View::Parsed {
    std::optional<Ipv4View> view;
    Ipv4ParseError error = Ipv4ParseError::Truncated;
    explicit operator bool() const { return view.has_value(); }
};

struct Ipv4Repr {
    Ipv4Address src;
    Ipv4Address dst;
    std::uint8_t protocol = 0;
    std::uint8_t ttl = 64;
    std::uint8_t tos = 0;
    std::uint16_t identification = 0;
    bool dont_fragment = false;
    std::uint16_t payload_len = 0;

    static constexpr std::size_t header_len = Ipv4View::min_header_len;

    // Options are tolerated and not represented; fragment fields are not either (a repr is a whole datagram).
    static Ipv4Repr parse(const Ipv4View& v);
    // Writes a 20-byte header (no options) with its checksum; false if `out` is shorter.
    bool emit(std::span<std::byte> out) const;
    friend bool operator==(const Ipv4Repr&, const Ipv4Repr&) = default;
};

} // namespace net::wire
