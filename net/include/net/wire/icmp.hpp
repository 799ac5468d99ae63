// ICMP for IPv4 (RFC 792): a view over a message and a plain repr of its header.
#pragma once

#include "net/wire/bytes.hpp"

#include <cstdint>
#include <optional>
#include <span>

namespace net::wire {

namespace icmp_type {
inline constexpr std::uint8_t echo_reply = 0;
inline constexpr std::uint8_t dest_unreachable = 3;
inline constexpr std::uint8_t redirect = 5;
inline constexpr std::uint8_t echo_request = 8;
inline constexpr std::uint8_t time_exceeded = 11;
inline constexpr std::uint8_t parameter_problem = 12;
// RFC 1122 3.2.2: the error messages, which must never trigger another ICMP error.
constexpr bool is_error(std::uint8_t t) {
    return t == dest_unreachable || t == 4 || t == redirect || t == time_exceeded || t == parameter_problem;
}
} // namespace icmp_type

namespace unreachable_code {
inline constexpr std::uint8_t net = 0;
inline constexpr std::uint8_t host = 1;
inline constexpr std::uint8_t protocol = 2;
inline constexpr std::uint8_t port = 3;
inline constexpr std::uint8_t fragmentation_needed = 4;
inline constexpr std::uint8_t admin_prohibited = 13; // RFC 1812 5.2.7.1
} // namespace unreachable_code

namespace time_exceeded_code {
inline constexpr std::uint8_t ttl = 0;
inline constexpr std::uint8_t reassembly = 1;
} // namespace time_exceeded_code

class IcmpView {
public:
    static constexpr std::size_t header_len = 8;

    static std::optional<IcmpView> parse(std::span<std::byte> bytes) {
        if (bytes.size() < header_len) return std::nullopt;
        return IcmpView{bytes};
    }

    std::uint8_t type() const { return get8(bytes_, 0); }
    std::uint8_t code() const { return get8(bytes_, 1); }
    std::uint16_t checksum() const { return get16(bytes_, 2); }
    // The 4 type-specific bytes after the checksum (identifier/sequence, unused, next-hop MTU...).
    std::uint32_t rest_of_header() const { return get32(bytes_, 4); }
    std::uint16_t echo_identifier() const { return get16(bytes_, 4); }
    std::uint16_t echo_sequence() const { return get16(bytes_, 6); }
    std::span<std::byte> data() const { return bytes_.subspan(header_len); }
    std::span<std::byte> bytes() const { return bytes_; }

    // RFC 792: the checksum covers the whole ICMP message.
    bool verify_checksum() const;
    // Changes the type keeping the checksum right (RFC 1624), as an echo reply does in place.
    void set_type(std::uint8_t t);

private:
    explicit IcmpView(std::span<std::byte> b) : bytes_(b) {}
    std::span<std::byte> bytes_;
};

struct IcmpRepr {
    std::uint8_t type = 0;
    std::uint8_t code = 0;
    std::uint32_t rest_of_header = 0;

    static IcmpRepr parse(const IcmpView& v) { return {v.type(), v.code(), v.rest_of_header()}; }
    // Writes the 8-byte header at the start of `message` and the checksum over all of `message` (header plus
    // the data already placed after it); false if `message` is shorter than a header.
    bool emit(std::span<std::byte> message) const;
    friend bool operator==(const IcmpRepr&, const IcmpRepr&) = default;
};

} // namespace net::wire
