// The front end on valid input: what the IR holds, determinism, diagnostics
// rendering, limits.
#include "support.hpp"

#include "nacl/ir_json.hpp"
#include "nacl/parse.hpp"
#include "nacl/sema.hpp"

using namespace nacl;
using nacl::test::compile_text;
using nacl::test::kTwoIfaces;
using nacl::test::messages;
using nacl::test::must_compile;

TEST(Front, OneLineConfiguration) {
    auto p = must_compile("Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0, input: f } "
                          "Filter::IP f { if (ip.saddr == 10.0.0.9) { drop } accept }");
    ASSERT_EQ(p.interfaces.size(), 1u);
    ASSERT_EQ(p.chains.size(), 1u);
    EXPECT_EQ(p.chains[0].hook, ir::Hook::Input);
    EXPECT_EQ(p.functions[0].body.size(), 2u);
}

TEST(Front, EmptyConfigurationIsValid) {
    auto p = must_compile("# nothing here\n");
    EXPECT_TRUE(p.interfaces.empty());
}

TEST(Front, DefinitionsInAnyOrder) {
    auto p = must_compile("eth0.netmask: 255.255.255.0\n"
                          "Iface eth0 { index: mine, address: addr, input: f }\n"
                          "Filter::IP f { accept }\n"
                          "addr: other\n"
                          "other: 10.0.0.1\n"
                          "mine: 3\n");
    ASSERT_EQ(p.interfaces.size(), 1u);
    EXPECT_EQ(p.interfaces[0].index, 3u);
    EXPECT_EQ(ir::to_string(*p.interfaces[0].address), "10.0.0.1");
    EXPECT_EQ(ir::to_string(*p.interfaces[0].netmask), "255.255.255.0");
}

TEST(Front, ShortIfaceFormWithMemberAssignments) {
    auto p = must_compile("Iface eth1 dhcp\neth1.index: 1\n");
    ASSERT_EQ(p.interfaces.size(), 1u);
    EXPECT_EQ(p.interfaces[0].config, ir::IfaceConfig::Dhcp);
    EXPECT_EQ(p.interfaces[0].index, 1u);
}

TEST(Front, DeepMemberAssignmentsInAnyOrder) {
    auto p =
        must_compile(std::string(kTwoIfaces) +
                     "gw.r2.nexthop: 10.1.0.254\n"
                     "Gateway gw { r1: { net: 10.0.0.0/24, iface: outside }, r2: { net: 10.2.0.0, netmask: "
                     "255.255.0.0, iface: inside } }\n"
                     "gw.r2.cost: 5\n");
    ASSERT_TRUE(p.gateway);
    ASSERT_EQ(p.gateway->routes.size(), 2u);
    EXPECT_EQ(ir::to_string(*p.gateway->routes[1].nexthop), "10.1.0.254");
    EXPECT_EQ(p.gateway->routes[1].cost, 5u);
    EXPECT_EQ(p.gateway->routes[0].cost, 100u); // default
    EXPECT_TRUE(p.interfaces[1].forwarding);
}

TEST(Front, ConntrackDefaultsAreFilledIn) {
    auto p = must_compile("Conntrack ct { limit: 500, timeout: { established: { tcp: 60 } } }\n");
    EXPECT_EQ(p.conntrack.limit, 500u);
    EXPECT_EQ(p.conntrack.established.tcp, 60u);
    EXPECT_EQ(p.conntrack.established.udp, ir::Conntrack{}.established.udp);
    EXPECT_EQ(p.conntrack.reserve, 0u);
    auto none = must_compile("x: 1500 Iface e { index: 0, address: 10.0.0.1, netmask: 255.0.0.0, mtu: x }");
    EXPECT_EQ(none.conntrack.limit, ir::Conntrack{}.limit);
}

TEST(Front, CaseInsensitiveTypesSubtypesPropertiesConstants) {
    auto p = must_compile(
        "IFACE e { index: 0, address: 10.0.0.1, netmask: 255.0.0.0, input: f }\n"
        "filter::ip f { filter::tcp { if (TCP.DPORT == SSH and Ct.State == ESTABLISHED) { ACCEPT } } "
        "DROP }\n");
    ASSERT_EQ(p.functions.size(), 1u);
    const auto& nested = p.functions[0].body[0];
    EXPECT_EQ(nested.kind, ir::Statement::Kind::Nested);
    EXPECT_EQ(nested.nested_subtype, ir::Protocol::Tcp);
}

TEST(Front, UserNamesShadowPredefinedConstants) {
    auto p = must_compile("ssh: 2222\nFilter::TCP t { if (tcp.dport == ssh) { drop } accept }\n"
                          "Filter::IP f { t accept }\n"
                          "Iface e { index: 0, address: 10.0.0.1, netmask: 255.0.0.0, input: f }\n");
    const ir::Function* t = p.find_function("t");
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->body[0].branches[0].condition.test.number, 2222u);
}

TEST(Front, SetsAreFlattenedSortedAndMerged) {
    auto p = must_compile("low: [1-10, 5-20]\nports: [80, low, [443, [22]], { a: 21 }]\n"
                          "nets: [10.0.0.0/8, 192.168.1.1, 10.1.0.0/16]\n"
                          "Filter::TCP t { if (tcp.dport in ports and ip.saddr in nets) { drop } accept }\n"
                          "Filter::IP f { t accept }\n"
                          "Iface e { index: 0, address: 10.0.0.1, netmask: 255.0.0.0, input: f }\n");
    const auto& cond = p.find_function("t")->body[0].branches[0].condition;
    ASSERT_EQ(cond.kind, ir::Expr::Kind::And);
    const auto& ports = cond.operands[0].test.numbers;
    ASSERT_EQ(ports.size(), 3u);
    EXPECT_EQ(ports[0], (ir::NumberRange{1, 22})); // 1-20, 21, 22 merged
    EXPECT_EQ(ports[1], (ir::NumberRange{80, 80}));
    EXPECT_EQ(ports[2], (ir::NumberRange{443, 443}));
    const auto& nets = cond.operands[1].test.addresses;
    ASSERT_EQ(nets.size(), 2u);
    EXPECT_EQ(ir::to_string(nets[0]), "10.0.0.0/8");
    EXPECT_EQ(ir::to_string(nets[1]), "192.168.1.1");
}

TEST(Front, PrecedenceIsNotAndOr) {
    auto p =
        must_compile("Filter::IP f { if (ip.ttl == 1 or not ip.ttl == 2 and ip.ttl == 3) { drop } accept }\n"
                     "Iface e { index: 0, address: 10.0.0.1, netmask: 255.0.0.0, input: f }\n");
    const auto& e = p.functions[0].body[0].branches[0].condition;
    ASSERT_EQ(e.kind, ir::Expr::Kind::Or);
    ASSERT_EQ(e.operands.size(), 2u);
    EXPECT_EQ(e.operands[0].kind, ir::Expr::Kind::Test);
    ASSERT_EQ(e.operands[1].kind, ir::Expr::Kind::And);
    EXPECT_EQ(e.operands[1].operands[0].kind, ir::Expr::Kind::Not);
}

TEST(Front, ValueOnTheLeftIsMirrored) {
    auto p = must_compile("Filter::IP f { if (64 < ip.ttl) { drop } accept }\n"
                          "Iface e { index: 0, address: 10.0.0.1, netmask: 255.0.0.0, input: f }\n");
    const auto& t = p.functions[0].body[0].branches[0].condition.test;
    EXPECT_EQ(t.field, ir::Field::IpTtl);
    EXPECT_EQ(t.op, ir::TestOp::Gt);
    EXPECT_EQ(t.number, 64u);
}

TEST(Front, CallsAreReferencesNotCopies) {
    auto p = must_compile("Filter::IP helper { if (ip.ttl == 1) { drop } }\n"
                          "Filter::IP f { helper accept }\n"
                          "Iface e { index: 0, address: 10.0.0.1, netmask: 255.0.0.0, input: f }\n");
    const ir::Function* f = p.find_function("f");
    ASSERT_EQ(f->body[0].kind, ir::Statement::Kind::Call);
    EXPECT_EQ(p.functions[f->body[0].callee].name, "helper");
}

TEST(Front, ElseIfChains) {
    auto p = must_compile("Filter::IP f { if (ip.ttl == 1) { drop } else if (ip.ttl == 2) { reject } else if "
                          "(ip.ttl == 3) { drop } else { accept } accept }\n"
                          "Iface e { index: 0, address: 10.0.0.1, netmask: 255.0.0.0, input: f }\n");
    const auto& s = p.functions[0].body[0];
    EXPECT_EQ(s.branches.size(), 3u);
    EXPECT_TRUE(s.has_else);
}

TEST(Front, SameInputSameJsonBytes) {
    std::string text = std::string(kTwoIfaces) +
                       "Gateway gw { a: { net: 10.0.0.0/24, iface: outside }, forward: f }\n"
                       "Filter::IP f { if (ip.saddr in [10.0.0.3, 10.0.0.1]) { drop } accept }\n";
    auto a = ir::to_json_text(must_compile(text));
    auto b = ir::to_json_text(must_compile(text));
    EXPECT_EQ(a, b);
    EXPECT_NE(a.find("\"format\": \"halite-nacl-ir\""), std::string::npos);
}

TEST(Front, LocationsAreLineAndColumn) {
    auto p = must_compile("Iface e { index: 0, address: 10.0.0.1, netmask: 255.0.0.0, input: f }\n"
                          "Filter::IP f {\n"
                          "  if (ip.ttl == 1) {\n"
                          "    drop\n"
                          "  }\n"
                          "  accept\n"
                          "}\n");
    const auto& f = p.functions[0];
    EXPECT_EQ(f.body[0].location, (ir::Location{3, 3}));
    EXPECT_EQ(f.body[0].branches[0].body[0].location, (ir::Location{4, 5}));
    EXPECT_EQ(f.body[1].location, (ir::Location{6, 3}));
    EXPECT_EQ(p.chains[0].functions[0].location, (ir::Location{1, 67}));
}

TEST(Diagnostics, RenderedWithSourceLineCaretAndHelp) {
    auto c = compile_text(
        "Iface eth0 {\n\tindex: 0,\n\tadress: 10.0.0.1,\n\taddress: 10.0.0.1, netmask: 255.0.0.0\n}\n");
    EXPECT_EQ(c.rendered,
              "test.nacl:3:2: error: unknown key `adress` in Iface `eth0`\n"
              "\tadress: 10.0.0.1,\n"
              "\t^~~~~~\n"
              "help: did you mean `address`?\n"
              "note: valid keys: index, vlan, config, address, netmask, gateway, dns, mac, mtu, "
              "prerouting, input, output, postrouting, masquerade, buffer_limit, send_queue_limit\n"
              "1 error generated.\n");
}

TEST(Diagnostics, AllIndependentErrorsSortedByPosition) {
    auto m = messages("Iface b { index: 0, address: 10.0.0.300, netmask: 255.0.0.0 }\n"
                      "x: y\n"
                      "Timer t { interval: 0, data: [stats] }\n");
    ASSERT_EQ(m.size(), 3u);
    EXPECT_EQ(m[0], "1:30: error: `10.0.0.300` is not an IPv4 address");
    EXPECT_EQ(m[1], "2:4: error: `y` is not defined");
    EXPECT_EQ(m[2], "3:21: error: `interval` of Timer `t` must be between 1 and 4294967295, not 0");
}

TEST(Diagnostics, NotesPointAtTheOtherPlace) {
    auto c = compile_text("x: 1\nx: 2\n");
    EXPECT_NE(c.rendered.find("test.nacl:1:1: note: first defined here\nx: 1\n^\n"), std::string::npos)
        << c.rendered;
}

TEST(Diagnostics, EditDistanceSuggestions) {
    EXPECT_EQ(closest_match("netmsk", {"netmask", "address"}), "netmask");
    EXPECT_EQ(closest_match("zzz", {"netmask", "address"}), std::nullopt);
    EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
}

TEST(Limits, DeepButAllowedNestingParses) {
    std::string deep = "x: " + std::string(kMaxNesting, '[') + std::string(kMaxNesting, ']') +
                       "\nIface e { index: 0, "
                       "address: 10.0.0.1, netmask: 255.0.0.0, mtu: 1500 }\n";
    auto c = compile_text(deep);
    EXPECT_FALSE(c.diags.has_errors()) << c.rendered;
}

TEST(Limits, LongAliasChainIsReportedNotFollowedForever) {
    std::string text;
    for (int i = 0; i < 400; ++i)
        text += "a" + std::to_string(i) + ": a" + std::to_string(i + 1) + "\n";
    text += "a400: 1\nIface e { index: a0, address: 10.0.0.1, netmask: 255.0.0.0 }\n";
    auto c = compile_text(text);
    EXPECT_TRUE(c.diags.has_errors());
}

TEST(Source, ColumnsCountCharactersNotBytes) {
    SourceFile f("x", "a: \"\xc3\xa9\xc3\xa9\" b\n");
    EXPECT_EQ(f.position(9).column, 10u);
    EXPECT_EQ(f.line_text(1), "a: \"\xc3\xa9\xc3\xa9\" b");
}

TEST(Lexer, FastLexerAgreesWithTheGrammar) {
    const char* inputs[] = {
        "Iface eth0 { index: 0, address: 10.0.0.1/24 } x: 1-2 y: 10.0.0.1-10.0.0.9",
        "a: fe80::1 b: ::1 c: 2001:db8::/32 d: 1:2:3:4:5:6:7:8 e: ::ffff:1.2.3.4 f: 1:2:3:4:5:6:1.2.3.4 g: "
        ":::",
        "Filter::IP f { if (!a && b || not c and d or e in IN f) { accept } else if (x != 1) { drop } }",
        "s: \"a\\\"b\\\\c # not // comment\" t: \"unterminated\n u: \"bad\\q\" v: \"\xc3\xa9\" w: \"\\",
        "# comment\n// comment\n/* block\n comment */ x: 1 /* unterminated",
        "1.2.3 1.2.3.4.5 1. .5 01.02.03.004 99999999999999999999 a-b-c e4-3-1 _x -1 $ @ = & | \\ \x01 "
        "\xc3\xa9",
        "x<=1 y>=2 z<3 w>4 q==5 r!=6 :: : ab:: abcde::1 1::2::3 a:b ab:cd::",
    };
    for (const char* input : inputs) {
        std::string difference;
        EXPECT_TRUE(lexers_agree(input, &difference)) << input << "\n" << difference;
    }
}

TEST(Parser, PiecesGiveTheSameIrAsTheWholeFile) {
    // Big enough that functions, nested functions, if bodies and the list of
    // elements are all split (ChunkedParser::kLarge tokens).
    std::string text = "Iface e { index: 0, address: 10.0.0.1, netmask: 255.0.0.0, input: f }\n"
                       "Filter::IP f {\n  Filter::TCP {\n";
    for (int i = 0; i < 700; ++i)
        text +=
            "    if (ip.saddr == 10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250) +
            " and tcp.dport in [22, 80-90]) { accept } else if (ip.ttl < 2) { drop } else { log(\"x\") }\n";
    text += "  }\n  if (ip.ttl == 1) {\n";
    for (int i = 0; i < 800; ++i)
        text += "    if (ip.daddr == 10.1.0." + std::to_string(i % 250) + ") { drop }\n";
    text += "  } else if (ip.ttl == 2) {\n    Filter::UDP {\n";
    for (int i = 0; i < 800; ++i)
        text += "      if (udp.dport == " + std::to_string(i + 1000) + ") { reject }\n";
    text += "    }\n  } else {\n    accept\n  }\n  accept\n}\n";
    for (int i = 0; i < 2000; ++i)
        text += "c" + std::to_string(i) + ": [" + std::to_string(i) + ", 10.0.0.1]\n";
    SourceFile file("big.nacl", text);
    Diagnostics d1, d2;
    auto pieces = parse(file, d1, ParseMode::PiecesOnly);
    auto whole = parse(file, d2, ParseMode::Whole);
    ASSERT_TRUE(pieces && whole);
    Diagnostics s1, s2;
    auto ir1 = analyse(std::move(*pieces), file, s1);
    auto ir2 = analyse(std::move(*whole), file, s2);
    ASSERT_TRUE(ir1 && ir2);
    EXPECT_EQ(ir::to_json_text(*ir1), ir::to_json_text(*ir2));
    EXPECT_EQ(s1.all().size(), s2.all().size());
}

TEST(Parser, EveryExampleParsesInPieces) {
    for (const char* text :
         {"x: 1", "Iface e dhcp e.index: 1 y: a.b.c z: 1 - 2 w: 10.0.0.0/8 v: \"s\" u: true",
          "Filter::IP f { if (ip.ttl == 1) { drop } else if (ip.ttl == 2) { drop } else { accept } "
          "Filter::TCP { accept } log(\"a\", ip.saddr,) accept() }"}) {
        SourceFile file("t.nacl", text);
        Diagnostics diags;
        EXPECT_TRUE(parse(file, diags, ParseMode::PiecesOnly).has_value()) << text;
    }
}

TEST(Source, ByteOrderMarkIsIgnored) {
    auto p = must_compile("\xEF\xBB\xBFIface e { index: 0, address: 10.0.0.1, netmask: 255.0.0.0 }");
    ASSERT_EQ(p.interfaces.size(), 1u);
    EXPECT_EQ(p.interfaces[0].location, (ir::Location{1, 7}));
}
