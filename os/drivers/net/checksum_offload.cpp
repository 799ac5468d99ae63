#include "checksum_offload.hpp"

#include <cstdint>

namespace os::net_offload {

namespace {

std::uint16_t load16(std::span<const std::byte> b, std::size_t at) {
    return static_cast<std::uint16_t>((std::to_integer<unsigned>(b[at]) << 8) |
                                      std::to_integer<unsigned>(b[at + 1]));
}
void store16(std::span<std::byte> b, std::size_t at, std::uint16_t v) {
    b[at] = static_cast<std::byte>(v >> 8);
    b[at + 1] = static_cast<std::byte>(v);
}

// RFC 1071 4.1: 16-bit one's complement sum, big-endian words, an odd byte padded with zero.
std::uint64_t sum(std::span<const std::byte> b, std::uint64_t acc = 0) {
    std::size_t i = 0;
    for (; i + 1 < b.size(); i += 2)
        acc += load16(b, i);
    if (i < b.size()) acc += std::to_integer<unsigned>(b[i]) << 8;
    return acc;
}

std::uint16_t fold(std::uint64_t acc) {
    while ((acc >> 16) != 0)
        acc = (acc & 0xffff) + (acc >> 16);
    return static_cast<std::uint16_t>(acc);
}

// RFC 768: a computed UDP checksum of zero is sent as all ones (zero means "none"); for TCP both forms
// are the same one's complement value, and Linux writes 0xffff there too.
std::uint16_t finish(std::uint64_t acc) {
    const auto c = static_cast<std::uint16_t>(~fold(acc));
    return c == 0 ? 0xffff : c;
}

constexpr std::size_t ethernet_header = 14;
constexpr std::uint16_t ethertype_ipv4 = 0x0800;
constexpr std::uint16_t ethertype_vlan = 0x8100;
constexpr std::uint8_t proto_tcp = 6;
constexpr std::uint8_t proto_udp = 17;

} // namespace

bool complete_partial_checksum(std::span<std::byte> frame, std::size_t start, std::size_t offset) {
    if (start >= frame.size() || offset + 2 > frame.size() - start) return false;
    // The field holds the pseudo-header sum already: summing it with the rest gives the full checksum.
    store16(frame, start + offset, finish(sum(frame.subspan(start))));
    return true;
}

namespace {

// Where an unfragmented IPv4 TCP or UDP datagram's transport header and checksum field are in `frame`.
struct Transport {
    std::span<std::byte> ip;
    std::span<std::byte> l4;
    std::size_t field; // offset of the checksum in l4
    std::uint8_t protocol;
};

bool locate_transport(std::span<std::byte> frame, Transport& t) {
    std::size_t l3 = ethernet_header;
    if (frame.size() < l3) return false;
    std::uint16_t type = load16(frame, 12);
    if (type == ethertype_vlan) {
        if (frame.size() < l3 + 4) return false;
        type = load16(frame, 16);
        l3 += 4;
    }
    if (type != ethertype_ipv4 || frame.size() < l3 + 20) return false;
    const auto ip = frame.subspan(l3);
    const unsigned version_ihl = std::to_integer<unsigned>(ip[0]);
    const std::size_t ihl = (version_ihl & 0x0f) * 4u;
    const std::size_t total = load16(ip, 2);
    if ((version_ihl >> 4) != 4 || ihl < 20 || total < ihl || total > ip.size()) return false;
    if ((load16(ip, 6) & 0x3fff) != 0) return false; // a fragment: no whole transport header to sum
    const auto protocol = std::to_integer<std::uint8_t>(ip[9]);
    const std::size_t field = protocol == proto_tcp ? 16 : protocol == proto_udp ? 6 : 0;
    const std::size_t l4_len = total - ihl;
    if (field == 0 || l4_len < field + 2) return false;
    t = Transport{ip, ip.subspan(ihl, l4_len), field, protocol};
    return true;
}

// Pseudo-header: source, destination, zero + protocol, transport length.
std::uint64_t pseudo_header_sum(const Transport& t) {
    return sum(t.ip.subspan(12, 8)) + t.protocol + t.l4.size();
}

// Computes the transport checksum from scratch (the field summed as zero) and writes it.
void write_checksum(const Transport& t, std::uint64_t pseudo) {
    store16(t.l4, t.field, 0);
    store16(t.l4, t.field, finish(sum(t.l4, pseudo)));
}

} // namespace

bool fill_transport_checksum(std::span<std::byte> frame) {
    Transport t;
    if (!locate_transport(frame, t)) return false;
    write_checksum(t, pseudo_header_sum(t));
    return true;
}

bool complete_unmarked_partial_checksum(std::span<std::byte> frame) {
    Transport t;
    if (!locate_transport(frame, t)) return false;
    const std::uint64_t pseudo = pseudo_header_sum(t);
    if (load16(t.l4, t.field) != fold(pseudo)) return false;
    if (fold(sum(t.l4, pseudo)) == 0xffff) return false; // the checksum verifies as it is
    write_checksum(t, pseudo);
    return true;
}

} // namespace os::net_offload
