#include "nacl/ir.hpp"

#include <arpa/inet.h>

namespace nacl::ir {

Ip Ip::v4(uint32_t a) {
    Ip ip;
    ip.bytes[0] = static_cast<uint8_t>(a >> 24);
    ip.bytes[1] = static_cast<uint8_t>(a >> 16);
    ip.bytes[2] = static_cast<uint8_t>(a >> 8);
    ip.bytes[3] = static_cast<uint8_t>(a);
    return ip;
}

uint32_t Ip::to_v4() const {
    return uint32_t(bytes[0]) << 24 | uint32_t(bytes[1]) << 16 | uint32_t(bytes[2]) << 8 | bytes[3];
}

const FieldInfo& field_info(Field f) {
    using F = Field;
    using P = Protocol;
    using T = FieldType;
    // Widths follow the header fields: RFC 791 (IPv4), RFC 9293 (TCP, with the
    // NS bit as the ninth flag), RFC 768 (UDP), RFC 792 (ICMP). hdrlength and
    // doff are in 32-bit words; frag-off is the 13-bit offset without flags.
    static const FieldInfo table[kFieldCount] = {
        {F::IpVersion, "ip.version", P::Ip, T::Number, 15},
        {F::IpHdrLength, "ip.hdrlength", P::Ip, T::Number, 15},
        {F::IpDscp, "ip.dscp", P::Ip, T::Number, 63},
        {F::IpEcn, "ip.ecn", P::Ip, T::Number, 3},
        {F::IpLength, "ip.length", P::Ip, T::Number, 65535},
        {F::IpId, "ip.id", P::Ip, T::Number, 65535},
        {F::IpFragOff, "ip.frag-off", P::Ip, T::Number, 8191},
        {F::IpTtl, "ip.ttl", P::Ip, T::Number, 255},
        {F::IpProtocol, "ip.protocol", P::Ip, T::Number, 255},
        {F::IpChecksum, "ip.checksum", P::Ip, T::Number, 65535},
        {F::IpSaddr, "ip.saddr", P::Ip, T::Address, 0},
        {F::IpDaddr, "ip.daddr", P::Ip, T::Address, 0},
        {F::TcpSport, "tcp.sport", P::Tcp, T::Number, 65535},
        {F::TcpDport, "tcp.dport", P::Tcp, T::Number, 65535},
        {F::TcpSequence, "tcp.sequence", P::Tcp, T::Number, 0xFFFFFFFF},
        {F::TcpAckseq, "tcp.ackseq", P::Tcp, T::Number, 0xFFFFFFFF},
        {F::TcpDoff, "tcp.doff", P::Tcp, T::Number, 15},
        {F::TcpReserved, "tcp.reserved", P::Tcp, T::Number, 7},
        {F::TcpFlags, "tcp.flags", P::Tcp, T::TcpFlags, 0x1FF},
        {F::TcpWindow, "tcp.window", P::Tcp, T::Number, 65535},
        {F::TcpChecksum, "tcp.checksum", P::Tcp, T::Number, 65535},
        {F::TcpUrgptr, "tcp.urgptr", P::Tcp, T::Number, 65535},
        {F::UdpSport, "udp.sport", P::Udp, T::Number, 65535},
        {F::UdpDport, "udp.dport", P::Udp, T::Number, 65535},
        {F::UdpLength, "udp.length", P::Udp, T::Number, 65535},
        {F::UdpChecksum, "udp.checksum", P::Udp, T::Number, 65535},
        {F::IcmpType, "icmp.type", P::Icmp, T::Number, 255},
        {F::IcmpCode, "icmp.code", P::Icmp, T::Number, 255},
        {F::IcmpId, "icmp.id", P::Icmp, T::Number, 65535},
        {F::IcmpSequence, "icmp.sequence", P::Icmp, T::Number, 65535},
        {F::CtState, "ct.state", P::Ip, T::CtState, 4},
        {F::Iif, "iif", P::Ip, T::Iface, 0},
        {F::Oif, "oif", P::Ip, T::Iface, 0},
    };
    return table[static_cast<size_t>(f)];
}

const Function* Program::find_function(std::string_view name) const {
    for (auto& f : functions)
        if (f.name == name) return &f;
    return nullptr;
}

const Chain* Program::find_chain(Hook hook, std::string_view iface) const {
    for (auto& c : chains)
        if (c.hook == hook && (hook == Hook::Forward || c.iface == iface)) return &c;
    return nullptr;
}

std::string_view to_string(Protocol p) {
    static constexpr std::string_view names[] = {"ip", "tcp", "udp", "icmp"};
    return names[size_t(p)];
}
std::string_view to_string(Hook h) {
    static constexpr std::string_view names[] = {"prerouting", "input", "forward", "output", "postrouting"};
    return names[size_t(h)];
}
std::string_view to_string(CtState s) {
    static constexpr std::string_view names[] = {"new", "established", "related", "invalid", "untracked"};
    return names[size_t(s)];
}
std::string_view to_string(ActionKind a) {
    static constexpr std::string_view names[] = {"accept", "drop", "reject", "log", "syslog", "dnat", "snat"};
    return names[size_t(a)];
}
std::string_view to_string(SyslogSeverity s) {
    static constexpr std::string_view names[] = {"emerg",   "alert",  "crit", "err",
                                                 "warning", "notice", "info", "debug"};
    return names[size_t(s)];
}
std::string_view to_string(IfaceConfig c) {
    static constexpr std::string_view names[] = {"static", "dhcp", "dhcp-with-fallback"};
    return names[size_t(c)];
}
std::string_view to_string(LbAlgorithm a) {
    static constexpr std::string_view names[] = {"round_robin", "least_connections", "source_hash"};
    return names[size_t(a)];
}
std::string_view to_string(TimerData d) {
    static constexpr std::string_view names[] = {"timestamp", "stats",  "memory",        "cpu",
                                                 "lb",        "timers", "stack-sampling"};
    return names[size_t(d)];
}
std::string_view to_string(TestOp op) {
    static constexpr std::string_view names[] = {"==", "!=", "<", ">", "<=", ">=", "in", "has_flags"};
    return names[size_t(op)];
}

std::string to_string(const Ip& ip) {
    char text[INET6_ADDRSTRLEN] = {};
    inet_ntop(ip.v6 ? AF_INET6 : AF_INET, ip.bytes.data(), text, sizeof text);
    return text;
}

std::string to_string(const AddressRange& r) {
    if (r.low == r.high) return to_string(r.low);
    // A prefix when low has only zero bits and high only one bits below some length.
    size_t bits = r.low.v6 ? 128 : 32;
    size_t length = bits;
    while (length > 0) {
        size_t bit = length - 1;
        uint8_t mask = static_cast<uint8_t>(0x80 >> (bit % 8));
        bool low_zero = (r.low.bytes[bit / 8] & mask) == 0, high_one = (r.high.bytes[bit / 8] & mask) != 0;
        if (!low_zero || !high_one) break;
        --length;
    }
    bool same_above = true;
    for (size_t bit = 0; bit < length; ++bit) {
        uint8_t mask = static_cast<uint8_t>(0x80 >> (bit % 8));
        if ((r.low.bytes[bit / 8] & mask) != (r.high.bytes[bit / 8] & mask)) same_above = false;
    }
    if (same_above) return to_string(r.low) + "/" + std::to_string(length);
    return to_string(r.low) + "-" + to_string(r.high);
}

} // namespace nacl::ir
