// RulePacket::get for host harnesses (naclc test, codegen tests): reads the header bytes that
// make_packet wrote. The appliance runtime has its own definition; harnesses do not link it.
#include "harness_packet.hpp"

namespace halite_harness {

namespace {

using appliance::FieldId;

void put16(std::byte* at, std::uint64_t v) {
    at[0] = std::byte(v >> 8 & 0xff);
    at[1] = std::byte(v & 0xff);
}
void put32(std::byte* at, std::uint64_t v) {
    put16(at, v >> 16);
    put16(at + 2, v);
}
std::uint32_t get16(const std::byte* at) {
    return std::uint32_t(at[0]) << 8 | std::uint32_t(at[1]);
}
std::uint32_t get32(const std::byte* at) {
    return get16(at) << 16 | get16(at + 2);
}

// The transport header follows the IPv4 header; a header length below 5 words still leaves 20 bytes.
std::size_t transport_offset(std::uint64_t hdrlength) {
    return hdrlength < 5 ? 20 : std::size_t(hdrlength) * 4;
}

} // namespace

void make_packet(const std::uint64_t (&f)[appliance::field_count], HarnessPacket& out) {
    auto at = [&](FieldId id) { return f[std::size_t(id)]; };
    std::byte* b = out.bytes.data();
    out.bytes.fill(std::byte{0});
    b[0] = std::byte((at(FieldId::IpVersion) & 15) << 4 | (at(FieldId::IpHdrLength) & 15));
    b[1] = std::byte((at(FieldId::IpDscp) & 63) << 2 | (at(FieldId::IpEcn) & 3));
    put16(b + 2, at(FieldId::IpLength));
    put16(b + 4, at(FieldId::IpId));
    put16(b + 6, at(FieldId::IpFragOff) & 0x1fff);
    b[8] = std::byte(at(FieldId::IpTtl) & 0xff);
    b[9] = std::byte(at(FieldId::IpProtocol) & 0xff);
    put16(b + 10, at(FieldId::IpChecksum));
    put32(b + 12, at(FieldId::IpSaddr));
    put32(b + 16, at(FieldId::IpDaddr));
    std::size_t t = transport_offset(at(FieldId::IpHdrLength));
    std::uint64_t protocol = at(FieldId::IpProtocol);
    std::byte* h = b + t;
    auto& p = out.packet;
    p = {};
    if (protocol == 6) {
        put16(h, at(FieldId::TcpSport));
        put16(h + 2, at(FieldId::TcpDport));
        put32(h + 4, at(FieldId::TcpSequence));
        put32(h + 8, at(FieldId::TcpAckseq));
        std::uint64_t flags = at(FieldId::TcpFlags);
        h[12] = std::byte((at(FieldId::TcpDoff) & 15) << 4 | (at(FieldId::TcpReserved) & 7) << 1 |
                          (flags >> 8 & 1));
        h[13] = std::byte(flags & 0xff);
        put16(h + 14, at(FieldId::TcpWindow));
        put16(h + 16, at(FieldId::TcpChecksum));
        put16(h + 18, at(FieldId::TcpUrgptr));
        p.sport = std::uint16_t(at(FieldId::TcpSport));
        p.dport = std::uint16_t(at(FieldId::TcpDport));
        p.tcp_flags = std::uint16_t(flags & 0x1ff);
    } else if (protocol == 17) {
        put16(h, at(FieldId::UdpSport));
        put16(h + 2, at(FieldId::UdpDport));
        put16(h + 4, at(FieldId::UdpLength));
        put16(h + 6, at(FieldId::UdpChecksum));
        p.sport = std::uint16_t(at(FieldId::UdpSport));
        p.dport = std::uint16_t(at(FieldId::UdpDport));
    } else if (protocol == 1) {
        h[0] = std::byte(at(FieldId::IcmpType) & 0xff);
        h[1] = std::byte(at(FieldId::IcmpCode) & 0xff);
        put16(h + 4, at(FieldId::IcmpId));
        put16(h + 6, at(FieldId::IcmpSequence));
        p.icmp_type = std::uint8_t(at(FieldId::IcmpType));
        p.icmp_code = std::uint8_t(at(FieldId::IcmpCode));
    }
    p.saddr = std::uint32_t(at(FieldId::IpSaddr));
    p.daddr = std::uint32_t(at(FieldId::IpDaddr));
    p.protocol = std::uint8_t(protocol);
    p.ttl = std::uint8_t(at(FieldId::IpTtl));
    p.ct = appliance::CtState(at(FieldId::CtState));
    p.iif = std::uint8_t(at(FieldId::Iif));
    p.oif = std::uint8_t(at(FieldId::Oif));
    p.ip_header = std::span<const std::byte>(out.bytes.data(), t + 20);
}

} // namespace halite_harness

namespace appliance {

std::uint64_t RulePacket::get(FieldId f) const {
    using halite_harness::get16;
    using halite_harness::get32;
    const std::byte* b = ip_header.data();
    if (ip_header.size() < 20) return 0;
    std::size_t t = halite_harness::transport_offset(std::uint64_t(b[0]) & 15);
    const std::byte* h = ip_header.size() >= t + 20 ? b + t : nullptr;
    switch (f) {
    case FieldId::IpVersion:
        return std::uint64_t(b[0]) >> 4;
    case FieldId::IpHdrLength:
        return std::uint64_t(b[0]) & 15;
    case FieldId::IpDscp:
        return std::uint64_t(b[1]) >> 2;
    case FieldId::IpEcn:
        return std::uint64_t(b[1]) & 3;
    case FieldId::IpLength:
        return get16(b + 2);
    case FieldId::IpId:
        return get16(b + 4);
    case FieldId::IpFragOff:
        return get16(b + 6) & 0x1fff;
    case FieldId::IpTtl:
        return ttl;
    case FieldId::IpProtocol:
        return protocol;
    case FieldId::IpChecksum:
        return get16(b + 10);
    case FieldId::IpSaddr:
        return saddr;
    case FieldId::IpDaddr:
        return daddr;
    case FieldId::TcpSport:
    case FieldId::UdpSport:
        return sport;
    case FieldId::TcpDport:
    case FieldId::UdpDport:
        return dport;
    case FieldId::TcpFlags:
        return tcp_flags;
    case FieldId::IcmpType:
        return icmp_type;
    case FieldId::IcmpCode:
        return icmp_code;
    case FieldId::CtState:
        return std::uint64_t(ct);
    case FieldId::Iif:
        return iif;
    case FieldId::Oif:
        return oif;
    default:
        break;
    }
    if (!h) return 0;
    switch (f) {
    case FieldId::TcpSequence:
        return protocol == 6 ? get32(h + 4) : 0;
    case FieldId::TcpAckseq:
        return protocol == 6 ? get32(h + 8) : 0;
    case FieldId::TcpDoff:
        return protocol == 6 ? std::uint64_t(h[12]) >> 4 : 0;
    case FieldId::TcpReserved:
        return protocol == 6 ? (std::uint64_t(h[12]) >> 1) & 7 : 0;
    case FieldId::TcpWindow:
        return protocol == 6 ? get16(h + 14) : 0;
    case FieldId::TcpChecksum:
        return protocol == 6 ? get16(h + 16) : 0;
    case FieldId::TcpUrgptr:
        return protocol == 6 ? get16(h + 18) : 0;
    case FieldId::UdpLength:
        return protocol == 17 ? get16(h + 4) : 0;
    case FieldId::UdpChecksum:
        return protocol == 17 ? get16(h + 6) : 0;
    case FieldId::IcmpId:
        return protocol == 1 ? get16(h + 4) : 0;
    case FieldId::IcmpSequence:
        return protocol == 1 ? get16(h + 6) : 0;
    default:
        return 0;
    }
}

} // namespace appliance
