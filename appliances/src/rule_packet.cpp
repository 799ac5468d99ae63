// RulePacket::get: every field a rule can test, read from the header bytes when it is not one of the hot
// members. Bounds-checked through net/wire's accessors: a field whose header is absent (a non-first
// fragment, a truncated or other-protocol packet) reads 0, as the contract says.
#include "appliance/rule_packet.hpp"

#include "net/wire/bytes.hpp"

namespace appliance {

namespace {

constexpr std::uint8_t proto_icmp = 1, proto_tcp = 6, proto_udp = 17;

struct Headers {
    std::span<const std::byte> ip;
    std::span<const std::byte> transport; // empty when there is none (non-first fragment, truncated)
};

Headers split(std::span<const std::byte> datagram) {
    Headers h;
    if (datagram.size() < 20) return h;
    h.ip = datagram;
    const std::size_t ihl = std::size_t{net::wire::get8(datagram, 0) & 0x0fu} * 4;
    // RFC 791 3.2: only the first fragment carries the transport header.
    const bool first = (net::wire::get16(datagram, 6) & 0x1fff) == 0;
    if (ihl >= 20 && ihl <= datagram.size() && first) h.transport = datagram.subspan(ihl);
    return h;
}

std::uint64_t ip_field(std::span<const std::byte> ip, std::size_t offset, std::size_t width) {
    if (ip.size() < offset + width) return 0;
    return width == 1 ? net::wire::get8(ip, offset) : net::wire::get16(ip, offset);
}

// A transport field, or 0 when the packet is not `protocol` or the header is too short for it.
std::uint64_t transport_field(const RulePacket& p, std::span<const std::byte> t, std::uint8_t protocol,
                              std::size_t offset, std::size_t width) {
    if (p.protocol != protocol || t.size() < offset + width) return 0;
    switch (width) {
    case 1:
        return net::wire::get8(t, offset);
    case 2:
        return net::wire::get16(t, offset);
    default:
        return net::wire::get32(t, offset);
    }
}

} // namespace

std::uint64_t RulePacket::get(FieldId f) const {
    const Headers h = split(ip_header);
    const std::span<const std::byte> t = h.transport;
    switch (f) {
    case FieldId::IpVersion:
        return h.ip.empty() ? 0 : net::wire::get8(h.ip, 0) >> 4;
    case FieldId::IpHdrLength:
        return h.ip.empty() ? 0 : net::wire::get8(h.ip, 0) & 0x0f;
    case FieldId::IpDscp:
        return ip_field(h.ip, 1, 1) >> 2;
    case FieldId::IpEcn:
        return ip_field(h.ip, 1, 1) & 0x3;
    case FieldId::IpLength:
        return ip_field(h.ip, 2, 2);
    case FieldId::IpId:
        return ip_field(h.ip, 4, 2);
    case FieldId::IpFragOff:
        return ip_field(h.ip, 6, 2) & 0x1fff;
    case FieldId::IpTtl:
        return ttl;
    case FieldId::IpProtocol:
        return protocol;
    case FieldId::IpChecksum:
        return ip_field(h.ip, 10, 2);
    case FieldId::IpSaddr:
        return saddr;
    case FieldId::IpDaddr:
        return daddr;
    case FieldId::TcpSport:
        return protocol == proto_tcp ? sport : 0;
    case FieldId::TcpDport:
        return protocol == proto_tcp ? dport : 0;
    case FieldId::TcpSequence:
        return transport_field(*this, t, proto_tcp, 4, 4);
    case FieldId::TcpAckseq:
        return transport_field(*this, t, proto_tcp, 8, 4);
    case FieldId::TcpDoff:
        return transport_field(*this, t, proto_tcp, 12, 1) >> 4;
    case FieldId::TcpReserved:
        // RFC 9293 3.1: the 4 bits after the data offset are reserved; the last of them is NS (RFC 3540),
        // which the language counts as the ninth flag, so `reserved` is the three before it.
        return (transport_field(*this, t, proto_tcp, 12, 1) >> 1) & 0x7;
    case FieldId::TcpFlags:
        return protocol == proto_tcp ? tcp_flags : 0;
    case FieldId::TcpWindow:
        return transport_field(*this, t, proto_tcp, 14, 2);
    case FieldId::TcpChecksum:
        return transport_field(*this, t, proto_tcp, 16, 2);
    case FieldId::TcpUrgptr:
        return transport_field(*this, t, proto_tcp, 18, 2);
    case FieldId::UdpSport:
        return protocol == proto_udp ? sport : 0;
    case FieldId::UdpDport:
        return protocol == proto_udp ? dport : 0;
    case FieldId::UdpLength:
        return transport_field(*this, t, proto_udp, 4, 2);
    case FieldId::UdpChecksum:
        return transport_field(*this, t, proto_udp, 6, 2);
    case FieldId::IcmpType:
        return protocol == proto_icmp ? icmp_type : 0;
    case FieldId::IcmpCode:
        return protocol == proto_icmp ? icmp_code : 0;
    case FieldId::IcmpId:
        return transport_field(*this, t, proto_icmp, 4, 2);
    case FieldId::IcmpSequence:
        return transport_field(*this, t, proto_icmp, 6, 2);
    case FieldId::CtState:
        return static_cast<std::uint64_t>(ct);
    case FieldId::Iif:
        return iif;
    case FieldId::Oif:
        return oif;
    }
    return 0;
}

} // namespace appliance
