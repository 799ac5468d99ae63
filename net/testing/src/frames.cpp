#include "net/testing/frames.hpp"

#include "net/wire/ethernet.hpp"
#include "net/wire/icmp.hpp"
#include "net/wire/udp.hpp"

#include <cstring>

namespace net::testing {

Bytes bytes_of(std::initializer_list<int> values) {
    Bytes b;
    for (int v : values)
        b.push_back(static_cast<std::byte>(v));
    return b;
}

Bytes ethernet(MacAddress dst, MacAddress src, std::uint16_t ethertype, std::span<const std::byte> payload) {
    Bytes b(wire::EthernetView::header_len + payload.size());
    (void)wire::EthernetRepr{dst, src, ethertype}.emit(b);
    if (!payload.empty())
        std::memcpy(b.data() + wire::EthernetView::header_len, payload.data(), payload.size());
    return b;
}

Bytes vlan_ethernet(MacAddress dst, MacAddress src, std::uint16_t vlan_id, std::uint16_t ethertype,
                    std::span<const std::byte> payload) {
    Bytes tagged(wire::VlanView::header_len + payload.size());
    (void)wire::VlanRepr{vlan_id, 0, ethertype}.emit(tagged);
    if (!payload.empty())
        std::memcpy(tagged.data() + wire::VlanView::header_len, payload.data(), payload.size());
    return ethernet(dst, src, wire::ethertype::vlan, tagged);
}

Bytes ipv4(wire::Ipv4Repr ip, std::span<const std::byte> payload) {
    ip.payload_len = static_cast<std::uint16_t>(payload.size());
    Bytes b(wire::Ipv4Repr::header_len + payload.size());
    (void)ip.emit(b);
    if (!payload.empty()) std::memcpy(b.data() + wire::Ipv4Repr::header_len, payload.data(), payload.size());
    return b;
}

Bytes udp(Ipv4Address src, Ipv4Address dst, std::uint16_t src_port, std::uint16_t dst_port,
          std::span<const std::byte> payload) {
    Bytes b(wire::UdpView::header_len + payload.size());
    if (!payload.empty()) std::memcpy(b.data() + wire::UdpView::header_len, payload.data(), payload.size());
    (void)wire::UdpRepr{src_port, dst_port}.emit(b, src, dst);
    return b;
}

Bytes icmp(std::uint8_t type, std::uint8_t code, std::uint32_t rest, std::span<const std::byte> data) {
    Bytes b(wire::IcmpView::header_len + data.size());
    if (!data.empty()) std::memcpy(b.data() + wire::IcmpView::header_len, data.data(), data.size());
    (void)wire::IcmpRepr{type, code, rest}.emit(b);
    return b;
}

Bytes arp(const wire::ArpRepr& repr) {
    Bytes b(wire::ArpView::ethernet_ipv4_len);
    (void)repr.emit(b);
    return b;
}

Bytes udp_frame(MacAddress dst_mac, MacAddress src_mac, Ipv4Address src, Ipv4Address dst,
                std::uint16_t src_port, std::uint16_t dst_port, std::span<const std::byte> payload,
                std::uint8_t ttl) {
    wire::Ipv4Repr ip;
    ip.src = src;
    ip.dst = dst;
    ip.protocol = wire::ip_proto::udp;
    ip.ttl = ttl;
    ip.identification = 1;
    return ethernet(dst_mac, src_mac, wire::ethertype::ipv4,
                    ipv4(ip, udp(src, dst, src_port, dst_port, payload)));
}

Bytes echo_frame(MacAddress dst_mac, MacAddress src_mac, Ipv4Address src, Ipv4Address dst, std::uint16_t id,
                 std::uint16_t seq, std::uint8_t ttl) {
    wire::Ipv4Repr ip;
    ip.src = src;
    ip.dst = dst;
    ip.protocol = wire::ip_proto::icmp;
    ip.ttl = ttl;
    ip.identification = 2;
    const Bytes data = bytes_of({'p', 'i', 'n', 'g'});
    return ethernet(dst_mac, src_mac, wire::ethertype::ipv4,
                    ipv4(ip, icmp(wire::icmp_type::echo_request, 0, (std::uint32_t{id} << 16) | seq, data)));
}

} // namespace net::testing
