#include "codegen/case_table.hpp"
#include "support.hpp"

#include <gtest/gtest.h>

namespace codegen {
namespace {

using nacl::ir::Field;

class CaseTable : public testing::Test {
protected:
    nacl::ir::Program program = codegen_test::compile_example("firewall.nacl");

    std::optional<std::vector<TestCase>> parse(const std::string& text) {
        return parse_case_table(program, text, error);
    }
    CaseTableError error;
};

TEST_F(CaseTable, ColumnsInAnyOrderWithDefaults) {
    auto cases = parse("# comment\n\n expect daddr saddr proto chain  dport\n"
                       "accept 10.1.0.2 10.0.0.5 tcp forward 22 # ssh\n"
                       "drop\t10.1.0.2\t10.0.0.5\tudp\toutside.input\t-\n"
                       "accept 10.1.0.2 10.0.0.5 icmp protect_appliance -\n");
    ASSERT_TRUE(cases) << error.message;
    ASSERT_EQ(cases->size(), 3u);
    const auto& c = (*cases)[0];
    EXPECT_EQ(c.line, 4u);
    EXPECT_TRUE(c.is_chain);
    EXPECT_EQ(program.chains[c.index].hook, nacl::ir::Hook::Forward);
    EXPECT_EQ(c.packet.get(Field::TcpDport), 22u);
    EXPECT_EQ(c.packet.get(Field::TcpFlags), 0x02u); // syn by default
    EXPECT_EQ(c.packet.get(Field::IpTtl), 64u);
    EXPECT_EQ(c.packet.get(Field::IpLength), 40u);
    EXPECT_EQ(c.packet.get(Field::CtState), uint64_t(nacl::ir::CtState::New));
    EXPECT_EQ(c.packet.iif, "outside"); // the first Iface
    EXPECT_EQ(c.packet.get(Field::IpSaddr), 0x0a000005u);
    EXPECT_EQ((*cases)[1].packet.get(Field::UdpDport), 0u);
    EXPECT_EQ(program.chains[(*cases)[1].index].iface, "outside");
    EXPECT_FALSE((*cases)[2].is_chain);
    EXPECT_EQ((*cases)[2].packet.get(Field::IcmpType), 8u); // echo-request
    EXPECT_EQ((*cases)[2].expect, nacl::ir::Verdict::Accept);
}

TEST_F(CaseTable, EveryColumn) {
    auto cases =
        parse("chain iif oif proto saddr daddr sport dport flags ct ttl length expect\n"
              "forward inside outside tcp 1.2.3.4 5.6.7.8 1000 2000 syn,ack established 3 60 reject\n");
    ASSERT_TRUE(cases) << error.message;
    const auto& p = (*cases)[0].packet;
    EXPECT_EQ(p.iif, "inside");
    EXPECT_EQ(p.oif, "outside");
    EXPECT_EQ(p.get(Field::TcpSport), 1000u);
    EXPECT_EQ(p.get(Field::TcpFlags), 0x12u);
    EXPECT_EQ(p.get(Field::CtState), uint64_t(nacl::ir::CtState::Established));
    EXPECT_EQ(p.get(Field::IpTtl), 3u);
    EXPECT_EQ(p.get(Field::IpLength), 60u);
    EXPECT_EQ((*cases)[0].expect, nacl::ir::Verdict::Reject);
    auto icmp = parse("chain proto saddr daddr icmp_type icmp_code expect\nforward icmp 1.1.1.1 2.2.2.2 "
                      "time-exceeded 1 drop\n"
                      "forward 47 1.1.1.1 2.2.2.2 - - drop\n");
    ASSERT_TRUE(icmp) << error.message;
    EXPECT_EQ((*icmp)[0].packet.get(Field::IcmpType), 11u);
    EXPECT_EQ((*icmp)[0].packet.get(Field::IcmpCode), 1u);
    EXPECT_EQ((*icmp)[1].packet.get(Field::IpProtocol), 47u);
}

struct Malformed {
    const char* text;
    uint32_t line, column;
    const char* message;
};

TEST_F(CaseTable, MalformedTablesNameLineAndColumn) {
    const Malformed cases[] = {
        {"chain proto saddr daddr colour expect\n", 1, 25, "unknown column 'colour'"},
        {"chain proto saddr expect\n", 1, 1, "no 'daddr' column"},
        {"chain proto saddr daddr expect\nforward tcp 1.2.3.4 5.6.7.8\n", 2, 21, "expected 5 fields"},
        {"chain proto saddr daddr expect\nforward tcp 1.2.3.400 5.6.7.8 drop\n", 2, 13,
         "bad saddr '1.2.3.400'"},
        {"chain proto saddr daddr expect\n\nforward tcp 1.2.3.4 5.6.7.8 maybe\n", 3, 29,
         "bad expect 'maybe'"},
        {"chain proto saddr daddr expect\nnowhere tcp 1.2.3.4 5.6.7.8 drop\n", 2, 1,
         "'nowhere' is neither a hook"},
        {"chain proto saddr daddr expect\nlan.input tcp 1.2.3.4 5.6.7.8 drop\n", 2, 1, "unknown Iface 'lan'"},
        {"chain proto saddr daddr expect\noutside.sideways tcp 1.2.3.4 5.6.7.8 drop\n", 2, 9, "unknown hook"},
        {"chain proto saddr daddr dport expect\nforward icmp 1.2.3.4 5.6.7.8 80 drop\n", 2, 30,
         "tcp and udp only"},
        {"chain proto saddr daddr expect\nforward gre 1.2.3.4 5.6.7.8 drop\n", 2, 9, "bad proto 'gre'"},
        {"chain proto saddr daddr expect\nforward - 1.2.3.4 5.6.7.8 drop\n", 2, 9, "'proto' is required"},
        {"# only a comment\n", 1, 1, "empty"},
    };
    for (auto& m : cases) {
        EXPECT_FALSE(parse(m.text)) << m.text;
        EXPECT_EQ(error.line, m.line) << m.text;
        EXPECT_EQ(error.column, m.column) << m.text << error.message;
        EXPECT_NE(error.message.find(m.message), std::string::npos) << error.message;
    }
}

} // namespace
} // namespace codegen
