// Prepared lookups in the appliance (firewall/prepare.cpp): a forward chain with a PrepareFunction gets its
// table looked up for every received burst, and takes a prepared answer only when the packet reaches it with
// the key that was prepared. The chain here is lab_forward behind a one-box decision table (daddr ==
// server: accept), written the way codegen emits a prepared table.
#include "lab.hpp"

#include "appliance/classifier/decision_tree.hpp"

#include <array>

namespace appliance::test {
namespace {

namespace cls = classifier;

constexpr std::uint32_t flip(std::uint32_t v) {
    return v ^ cls::sign_flip;
}

// One block leaf over dimension 0 (daddr): slot 0 holds rule 0 for exactly `value`; the other slots are
// empty (no rule), and lanes 1-3 are unused (dimension 0 again, always inside).
constexpr std::array<std::uint32_t, cls::block_leaf_words> one_box_leaf(std::uint32_t value) {
    std::array<std::uint32_t, cls::block_leaf_words> w{};
    w[cls::block_rules] = 0; // slot 0: rule 0 (the dimensions word 0: every lane checks dimension 0)
    for (std::uint32_t r = 1; r <= cls::block_slots; ++r)
        w[cls::block_rules + r] = cls::no_match;
    for (std::uint32_t lane = 0; lane < cls::block_lanes; ++lane) {
        std::uint32_t* low = &w[lane * 2 * cls::block_slots];
        for (std::uint32_t slot = 0; slot < cls::block_slots; ++slot) {
            low[slot] = 0u - flip(lane == 0 && slot == 0 ? value : 0); // stored negated
            low[cls::block_slots + slot] = flip(lane == 0 ? 0 : 0xffffffff);
        }
    }
    return w;
}

constexpr std::uint32_t wan = 203u << 24 | 0u << 16 | 113u << 8 | 2u;
alignas(64) constexpr auto leaves = one_box_leaf(wan);
alignas(64) constexpr std::uint32_t entries[16] = {cls::leaf_bit}; // the one root: leaf at word 0
alignas(64) constexpr std::uint32_t nodes[16] = {};
constexpr cls::Tree trees[] = {{0, 0, 0, 0, 0, 0, 0}};
// A table of one key word whose one tree is one leaf.
constexpr cls::DecisionTable one_leaf_table(const std::uint32_t* leaf) {
    return {.dimensions = 1,
            .protocol_dimension = cls::no_dimension,
            .trees_per_class = 1,
            .block_dimensions = cls::per_leaf_dimensions,
            .row_leaves = 0,
            .packed_lanes = 0,
            .leaves = leaf,
            .items = nullptr,
            .nodes = nodes,
            .entries = entries,
            .trees = trees};
}
constexpr cls::DecisionTable table = one_leaf_table(leaves.data());

Decision prepared_forward(RulePacket& p, ActionSink& a) {
    const std::uint32_t key[] = {p.daddr};
    if (cls::first_match_inline<1>(table, key, p.prepared) == 0) return {Verdict::Drop, 9};
    return lab_forward(p, a);
}

void prepare_forward(std::span<const RulePacket> packets, cls::PreparedMatch* out) {
    for (std::size_t i = 0; i < packets.size(); ++i)
        out[i] = {&table, cls::no_match, 0, {packets[i].daddr}};
    cls::prepare_matches(table, out, packets.size());
}

// A table over ct.state alone: established -> rule 0. Its answers are prepared with the state the
// connection table gives at the burst (Tracker::peek).
alignas(64) constexpr auto established_leaf = one_box_leaf(static_cast<std::uint32_t>(CtState::Established));
constexpr cls::DecisionTable ct_table = one_leaf_table(established_leaf.data());

Decision ct_forward(RulePacket& p, ActionSink& a) {
    const std::uint32_t key[] = {static_cast<std::uint32_t>(p.ct)};
    if (cls::first_match_inline<1>(ct_table, key, p.prepared) == 0) return {Verdict::Accept, 1};
    return lab_forward(p, a);
}

void prepare_ct_forward(std::span<const RulePacket> packets, cls::PreparedMatch* out) {
    for (std::size_t i = 0; i < packets.size(); ++i)
        out[i] = {&ct_table, cls::no_match, 0, {static_cast<std::uint32_t>(packets[i].ct)}};
    cls::prepare_matches(ct_table, out, packets.size());
}

const Bytes hello{std::byte{'h'}, std::byte{'i'}};

LabConfig prepared_lab() {
    LabConfig c;
    c.chains = {{Hook::Prerouting, 1, &lab_wan_prerouting},
                {Hook::Forward, no_iface, &prepared_forward, &prepare_forward}};
    return c;
}

TEST(PreparedLookups, AForwardedBurstTakesItsPreparedAnswers) {
    LabConfig c = prepared_lab();
    Lab lab(c);
    ASSERT_EQ(lab.run_result, 0) << lab.platform.console;
    net::UdpSocket server_rx(lab.server);
    ASSERT_TRUE(server_rx.bind(7));
    int received = 0;
    server_rx.on_receive([&](const net::UdpDatagram&) { ++received; });
    net::UdpSocket client_tx(lab.client);
    ASSERT_TRUE(client_tx.bind(4000));
    lab.run(); // ARP first: the burst of three below crosses the appliance in one NIC batch
    for (int i = 0; i < 3; ++i)
        ASSERT_TRUE(client_tx.send_to({server_ip, 7}, hello));
    lab.run();
    EXPECT_EQ(received, 3);
    const ApplianceCounters& k = lab.app().counters();
    EXPECT_EQ(k.prepared_used, 3u); // the prepared answer (no box) taken; lab_forward accepts them
    EXPECT_GE(k.prepared_lookups, 3u);
    EXPECT_EQ(lab.app().rule_hits(6), 3u);
}

TEST(PreparedLookups, AWrongGuessIsLookedUpAgain) {
    LabConfig c = prepared_lab();
    Lab lab(c);
    ASSERT_EQ(lab.run_result, 0) << lab.platform.console;
    net::UdpSocket client_dns(lab.client);
    ASSERT_TRUE(client_dns.bind(53));
    int received = 0;
    client_dns.on_receive([&](const net::UdpDatagram&) { ++received; });
    net::UdpSocket server_tx(lab.server);
    ASSERT_TRUE(server_tx.bind(6000));
    // To the appliance's port forward: prepared with daddr = wan_ip as it arrived, which the table drops;
    // but the prerouting dnat makes it client_ip before the forward chain, so its key is not the prepared
    // one: the chain looks it up (no box) and goes on to lab_forward, which accepts it as new to the
    // forwarded server (rule 7). Taking the prepared answer would have dropped it.
    ASSERT_TRUE(server_tx.send_to({wan_ip, 8053}, hello));
    lab.run();
    EXPECT_EQ(received, 1);
    const ApplianceCounters& k = lab.app().counters();
    EXPECT_GE(k.prepared_lookups, 1u);
    EXPECT_EQ(k.prepared_used, 0u);
    EXPECT_EQ(lab.app().rule_hits(7), 1u);
    EXPECT_EQ(lab.app().rule_hits(9), 0u);
}

TEST(PreparedLookups, TheConnectionStateIsGuessedFromTheTable) {
    LabConfig c;
    c.chains = {{Hook::Forward, no_iface, &ct_forward, &prepare_ct_forward}};
    Lab lab(c);
    ASSERT_EQ(lab.run_result, 0) << lab.platform.console;
    net::UdpSocket server_echo(lab.server);
    ASSERT_TRUE(server_echo.bind(7));
    server_echo.on_receive(
        [&](const net::UdpDatagram& d) { (void)server_echo.send_to(d.source, d.payload); });
    net::UdpSocket client(lab.client);
    ASSERT_TRUE(client.bind(4000));
    int replies = 0;
    client.on_receive([&](const net::UdpDatagram&) { ++replies; });
    ASSERT_TRUE(client.send_to({server_ip, 7}, hello));
    lab.run();
    EXPECT_EQ(replies, 1);
    // The request was prepared as new (no entry yet) and the reply as established (its entry says so): both
    // guesses were right, and the reply was accepted by the table's rule.
    EXPECT_EQ(lab.app().counters().prepared_used, 2u);
    EXPECT_EQ(lab.app().rule_hits(1), 1u);
    EXPECT_EQ(lab.app().rule_hits(6), 1u);
}

} // namespace
} // namespace appliance::test
