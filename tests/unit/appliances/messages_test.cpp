// RFC 5424 syslog messages, log(...) formatting and RulePacket::get, checked as text and numbers.
#include "appliance/log_format.hpp"
#include "appliance/rule_packet.hpp"
#include "appliance/syslog.hpp"

#include "support.hpp"

#include <gtest/gtest.h>
#include <string>

namespace appliance {
namespace {

using namespace test;

std::string rfc3339(std::int64_t ns) {
    TextBuffer<64> t;
    add_rfc3339(t, ns);
    return std::string(t.view());
}

TEST(Syslog, Rfc3339Timestamps) {
    EXPECT_EQ(rfc3339(0), "1970-01-01T00:00:00.000000Z");
    EXPECT_EQ(rfc3339(951782400'000000000 + 123456789), "2000-02-29T00:00:00.123456Z"); // a leap day
    EXPECT_EQ(rfc3339(1709251199'000000000), "2024-02-29T23:59:59.000000Z");
    EXPECT_EQ(rfc3339(1795456788'000001000), "2026-11-23T17:59:48.000001Z");
    EXPECT_EQ(rfc3339(4107542400'000000000), "2100-03-01T00:00:00.000000Z"); // 2100 is not a leap year
}

TEST(Syslog, Rfc5424Fields) {
    const SyslogParam params[] = {{"location", "firewall.nacl:52:9"}, {"function", "banned"}};
    SyslogMessage m;
    m.severity = Severity::Warning; // 4
    m.time_ns = 1795456788'500000000;
    m.hostname = "203.0.113.2";
    m.msgid = "rule";
    m.sd_id = "rule@32473";
    m.params = params;
    m.msg = "banned host 10.0.0.66 tried 10.1.0.2\n";
    TextBuffer<512> t;
    format_rfc5424(t, m);
    // <PRI> = facility 1 (user) * 8 + 4; VERSION 1; TIMESTAMP; HOSTNAME; APP-NAME; PROCID -; MSGID; SD; MSG.
    EXPECT_EQ(t.view(), "<12>1 2026-11-23T17:59:48.500000Z 203.0.113.2 halite - rule "
                        "[rule@32473 location=\"firewall.nacl:52:9\" function=\"banned\"] "
                        "banned host 10.0.0.66 tried 10.1.0.2");
}

TEST(Syslog, NilValuesAndEscapes) {
    const SyslogParam params[] = {{"text", "a\"b\\c]d"}};
    SyslogMessage m;
    m.severity = Severity::Emerg;
    m.facility = 16; // local0
    m.sd_id = "x@32473";
    m.params = params;
    m.msg = "two\nlines";
    TextBuffer<256> t;
    format_rfc5424(t, m);
    EXPECT_EQ(t.view(), "<128>1 - - halite - - [x@32473 text=\"a\\\"b\\\\c\\]d\"] two lines");
    SyslogMessage bare;
    bare.severity = Severity::Debug;
    bare.app_name = "has space";
    TextBuffer<128> u;
    format_rfc5424(u, bare);
    EXPECT_EQ(u.view(), "<15>1 - - has_space - - -");
}

TEST(Syslog, LongMessagesAreCut) {
    SyslogMessage m;
    const std::string big(3000, 'x');
    m.msg = big;
    TextBuffer<SyslogSender::max_message> t;
    format_rfc5424(t, m);
    EXPECT_EQ(t.size(), SyslogSender::max_message);
    EXPECT_TRUE(t.truncated());
}

RulePacket packet_of(Bytes& b) {
    RulePacket p;
    auto v = view(b);
    p.ip_header = v.bytes();
    p.protocol = v.protocol();
    p.saddr = v.src().value;
    p.daddr = v.dst().value;
    p.ttl = v.ttl();
    return p;
}

TEST(LogFormat, FieldsAsTheLanguageWritesThem) {
    Bytes b = tcp_segment(ip(10, 0, 0, 5), ip(10, 1, 0, 2), 4000, 22, syn | ack);
    RulePacket p = packet_of(b);
    p.sport = 4000;
    p.dport = 22;
    p.tcp_flags = syn | ack | 0x100;
    p.ct = CtState::Established;
    p.iif = 1;
    p.oif = no_iface;
    const IfaceConfig ifaces[] = {{.name = "outside"}, {.name = "inside"}};
    const LogArg args[] = {
        {"from ", {}},   {nullptr, FieldId::IpSaddr},  {":", {}},    {nullptr, FieldId::TcpSport},
        {" flags ", {}}, {nullptr, FieldId::TcpFlags}, {" ", {}},    {nullptr, FieldId::CtState},
        {" on ", {}},    {nullptr, FieldId::Iif},      {" to ", {}}, {nullptr, FieldId::Oif},
        {" ttl ", {}},   {nullptr, FieldId::IpTtl}};
    TextBuffer<256> t;
    format_log(t, p, args, ifaces);
    EXPECT_EQ(t.view(), "from 10.0.0.5:4000 flags syn,ack,ns established on inside to - ttl 64");
    TextBuffer<16> none;
    add_tcp_flags(none, 0);
    EXPECT_EQ(none.view(), "none");
}

TEST(RulePacketGet, HeaderFieldsOnDemand) {
    Bytes b = tcp_segment(ip(10, 0, 0, 5), ip(10, 1, 0, 2), 4000, 22, syn, 0x01020304, 0x0a0b0c0d, 3);
    b[1] = std::byte{0xb9}; // DSCP 46 (EF), ECN 1
    RulePacket p = packet_of(b);
    p.sport = 4000;
    p.dport = 22;
    p.tcp_flags = syn;
    EXPECT_EQ(p.get(FieldId::IpVersion), 4u);
    EXPECT_EQ(p.get(FieldId::IpHdrLength), 5u);
    EXPECT_EQ(p.get(FieldId::IpDscp), 46u);
    EXPECT_EQ(p.get(FieldId::IpEcn), 1u);
    EXPECT_EQ(p.get(FieldId::IpLength), b.size());
    EXPECT_EQ(p.get(FieldId::IpId), 0x1234u);
    EXPECT_EQ(p.get(FieldId::IpFragOff), 0u);
    EXPECT_EQ(p.get(FieldId::IpProtocol), 6u);
    EXPECT_EQ(p.get(FieldId::TcpSport), 4000u);
    EXPECT_EQ(p.get(FieldId::TcpSequence), 0x01020304u);
    EXPECT_EQ(p.get(FieldId::TcpAckseq), 0x0a0b0c0du);
    EXPECT_EQ(p.get(FieldId::TcpDoff), 5u);
    EXPECT_EQ(p.get(FieldId::TcpReserved), 0u);
    EXPECT_EQ(p.get(FieldId::TcpWindow), 8192u);
    EXPECT_NE(p.get(FieldId::TcpChecksum), 0u);
    EXPECT_EQ(p.get(FieldId::TcpUrgptr), 0u);
    // Other protocols' fields read 0.
    EXPECT_EQ(p.get(FieldId::UdpSport), 0u);
    EXPECT_EQ(p.get(FieldId::UdpLength), 0u);
    EXPECT_EQ(p.get(FieldId::IcmpId), 0u);
}

TEST(RulePacketGet, UdpIcmpFragmentsAndTruncation) {
    Bytes u = udp_datagram(ip(1, 2, 3, 4), ip(5, 6, 7, 8), 53, 5353, 4);
    RulePacket up = packet_of(u);
    up.sport = 53;
    EXPECT_EQ(up.get(FieldId::UdpSport), 53u);
    EXPECT_EQ(up.get(FieldId::UdpLength), 12u);
    EXPECT_EQ(up.get(FieldId::TcpSport), 0u);

    Bytes e = echo(ip(1, 2, 3, 4), ip(5, 6, 7, 8), true, 0xbeef, 7);
    RulePacket ep = packet_of(e);
    ep.icmp_type = 8;
    EXPECT_EQ(ep.get(FieldId::IcmpType), 8u);
    EXPECT_EQ(ep.get(FieldId::IcmpId), 0xbeefu);
    EXPECT_EQ(ep.get(FieldId::IcmpSequence), 7u);

    // A later fragment has no transport header: its transport fields are 0.
    Bytes f = tcp_segment(ip(1, 2, 3, 4), ip(5, 6, 7, 8), 1, 2, syn, 99, 0, 30);
    net::wire::put16(f, 6, 0x0004);
    RulePacket fp = packet_of(f);
    EXPECT_EQ(fp.get(FieldId::IpFragOff), 4u);
    EXPECT_EQ(fp.get(FieldId::TcpSequence), 0u);

    // Truncated bytes never read out of bounds.
    Bytes t = tcp_segment(ip(1, 2, 3, 4), ip(5, 6, 7, 8), 1, 2, syn);
    RulePacket tp = packet_of(t);
    tp.ip_header = tp.ip_header.first(24);
    EXPECT_EQ(tp.get(FieldId::TcpSequence), 0u);
    EXPECT_EQ(tp.get(FieldId::TcpWindow), 0u);
    tp.ip_header = tp.ip_header.first(3);
    EXPECT_EQ(tp.get(FieldId::IpLength), 0u);
    EXPECT_EQ(tp.get(FieldId::IpChecksum), 0u);
}

TEST(Text, BoundedAndUnits) {
    TextBuffer<8> t;
    t.add("1234567890");
    EXPECT_EQ(t.view(), "12345678");
    EXPECT_TRUE(t.truncated());
    TextBuffer<32> u;
    u.add_bytes(512).add(' ').add_bytes(3 * 1024 * 1024 + 512 * 1024).add(' ').add_number(7, 3);
    EXPECT_EQ(u.view(), "512 B 3.5 MiB 007");
}

} // namespace
} // namespace appliance
