#include "net/wire/arp.hpp"

namespace net::wire {

std::optional<ArpView> ArpView::parse(std::span<std::byte> bytes) {
    if (bytes.size() < fixed_len) return std::nullopt;
    // RFC 826: two hardware and two protocol addresses follow the fixed part.
    const std::size_t need = fixed_len + 2 * (std::size_t{get8(bytes, 4)} + get8(bytes, 5));
    if (bytes.size() < need) return std::nullopt;
    return ArpView{bytes.first(need)};
}

std::optional<ArpRepr> ArpRepr::parse(const ArpView& v) {
    if (!v.is_ethernet_ipv4()) return std::nullopt;
    return ArpRepr{v.operation(), v.sender_mac(), v.sender_ip(), v.target_mac(), v.target_ip()};
}

bool ArpRepr::emit(std::span<std::byte> out) const {
    if (out.size() < ArpView::ethernet_ipv4_len) return false;
    put16(out, 0, 1);      // hardware: Ethernet
    put16(out, 2, 0x0800); // protocol: IPv4
    put8(out, 4, 6);
    put8(out, 5, 4);
    put16(out, 6, operation);
    for (std::size_t i = 0; i < 6; ++i)
        put8(out, 8 + i, sender_mac.octets[i]);
    put32(out, 14, sender_ip.value);
    for (std::size_t i = 0; i < 6; ++i)
        put8(out, 18 + i, target_mac.octets[i]);
    put32(out, 24, target_ip.value);
    return true;
}

} // namespace net::wire
