// Warnings: unreachable statements, rules that never match or are shadowed,
// unused elements; --Werror.
#include "support.hpp"

using nacl::test::compile_text;
using nacl::test::messages;

namespace {

std::string on_chain(const std::string& function) {
    return "Iface e { index: 0, address: 10.0.0.1, netmask: 255.0.0.0, input: f }\n" + function;
}

} // namespace

TEST(Warnings, UnreachableAfterVerdict) {
    auto m = messages(on_chain("Filter::IP f {\n  drop\n  log(\"never\")\n  accept\n}\n"));
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0], "4:3: warning: this statement is never reached");
}

TEST(Warnings, UnreachableAfterIfElseThatAlwaysDecides) {
    auto m = messages(on_chain("Filter::IP f {\n  if (ip.ttl == 1) { drop } else { accept }\n  accept\n}\n"));
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0], "4:3: warning: this statement is never reached");
}

TEST(Warnings, UnreachableAfterCallThatAlwaysDecides) {
    auto m = messages(on_chain("Filter::IP g { drop }\nFilter::IP f {\n  g\n  accept\n}\n"));
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0], "5:3: warning: this statement is never reached");
}

TEST(Warnings, NestedOtherProtocolDoesNotMakeTheRestUnreachable) {
    auto m = messages(on_chain("Filter::IP f {\n  Filter::TCP { drop }\n  accept\n}\n"));
    EXPECT_TRUE(m.empty());
}

TEST(Warnings, ShadowedRule) {
    auto m = messages(on_chain("Filter::IP f {\n  if (ip.saddr in 10.0.0.0/8) { drop }\n"
                               "  if (ip.saddr == 10.1.2.3 and ip.ttl > 3) { accept }\n  accept\n}\n"));
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0], "4:3: warning: this rule is shadowed by an earlier rule");
}

TEST(Warnings, DuplicateRule) {
    auto m = messages(on_chain(
        "Filter::IP f {\n  if (ip.ttl == 1) { drop }\n  if (ip.ttl == 1) { accept }\n  accept\n}\n"));
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0], "4:3: warning: this rule is shadowed by an earlier rule");
}

TEST(Warnings, NotShadowedWhenTheEarlierRuleDoesNotDecide) {
    auto m = messages(on_chain(
        "Filter::IP f {\n  if (ip.ttl == 1) { log(\"x\") }\n  if (ip.ttl == 1) { drop }\n  accept\n}\n"));
    EXPECT_TRUE(m.empty());
}

TEST(Warnings, ConditionThatCanNeverMatch) {
    auto m = messages(on_chain("Filter::IP f {\n  if (ip.ttl < 5 and ip.ttl > 10) { drop }\n  accept\n}\n"));
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0], "3:7: warning: this condition can never match");
}

TEST(Warnings, UnusedConstantAndFunction) {
    auto m = messages(on_chain("spare: 10.0.0.9\nFilter::IP old { drop }\nFilter::IP f { accept }\n"));
    ASSERT_EQ(m.size(), 2u);
    EXPECT_EQ(m[0], "2:1: warning: `spare` is never used");
    EXPECT_EQ(m[1], "3:12: warning: Filter `old` is never used");
}

TEST(Warnings, WerrorMakesThemErrors) {
    auto c = compile_text(on_chain("spare: 1\nFilter::IP f { accept }\n"), true);
    EXPECT_TRUE(c.diags.has_errors());
    EXPECT_NE(c.rendered.find("error: `spare` is never used"), std::string::npos);
    auto plain = compile_text(on_chain("spare: 1\nFilter::IP f { accept }\n"));
    EXPECT_FALSE(plain.diags.has_errors());
    EXPECT_TRUE(plain.program.has_value());
}
