#include "appliance/classifier/decision_tree.hpp"
#include "codegen/decision_tree_builder.hpp"

#include <gtest/gtest.h>

#include <random>

namespace codegen {
namespace {

using nacl::ir::Field;

// The builder's copy of the table encoding must be the lookup's.
static_assert(table_encoding::leaf_bit == appliance::classifier::leaf_bit);
static_assert(table_encoding::node_words == appliance::classifier::node_words);
static_assert(table_encoding::split_kind == appliance::classifier::split_kind);
static_assert(table_encoding::cut_kind == appliance::classifier::cut_kind);
static_assert(table_encoding::split_ways == appliance::classifier::split_ways);
static_assert(table_encoding::leaf_slack_words == appliance::classifier::leaf_slack_words);
static_assert(table_encoding::protocol_class(17) == appliance::classifier::protocol_class(17));

uint32_t brute_force(const std::vector<Box>& boxes, const std::vector<uint32_t>& key) {
    for (auto& b : boxes) {
        bool in = true;
        for (size_t d = 0; d < key.size(); ++d)
            in = in && key[d] >= b.bounds[d].low && key[d] <= b.bounds[d].high;
        if (in) return b.rule;
    }
    return appliance::classifier::no_match;
}

appliance::classifier::DecisionTable view(const DecisionTableData& data,
                                          std::vector<appliance::classifier::Tree>& trees) {
    trees.clear();
    for (auto& t : data.trees)
        trees.push_back({t.root, t.min_rule});
    appliance::classifier::DecisionTable table{
        data.dimensions,   data.protocol_dimension, data.boxes.data(), data.items.data(),
        data.nodes.data(), data.children.data(),    trees.data(),      {}};
    for (size_t c = 0; c < 5; ++c)
        table.class_begin[c] = data.class_begin[c];
    return table;
}

// The offsets of the distinct leaves in data.boxes.
std::vector<uint32_t> leaf_offsets(const DecisionTableData& data) {
    std::vector<uint32_t> out;
    for (size_t at = 0; at + codegen::table_encoding::leaf_slack_words < data.boxes.size();) {
        out.push_back(uint32_t(at));
        uint32_t header = data.boxes[at];
        at += 1 + (header & 0xfff) * (1 + 8 * (header >> 12 & 0xf));
    }
    return out;
}

// The rules of a leaf's boxes, in order.
std::vector<uint32_t> leaf_rules(const DecisionTableData& data, uint32_t at) {
    uint32_t header = data.boxes[at];
    std::vector<uint32_t> rules;
    for (uint32_t i = 0; i < (header & 0xfff); ++i)
        rules.push_back(data.boxes[at + 1 + i * (1 + 8 * (header >> 12 & 0xf))]);
    return rules;
}

// ClassBench-like boxes: nested prefixes from a small pool, wildcards, port ranges, protocols, and
// rules with several boxes (lists).
std::vector<Box> random_boxes(std::mt19937_64& rng, size_t rules) {
    std::vector<uint32_t> bases;
    for (int i = 0; i < 16; ++i)
        bases.push_back(uint32_t(rng()));
    auto prefix = [&]() -> Interval {
        if (rng() % 4 == 0) return {0, 0xffffffff};
        uint32_t len = uint32_t(rng() % 33);
        uint32_t mask = len == 0 ? 0 : 0xffffffffu << (32 - len);
        uint32_t base = bases[rng() % bases.size()] & mask;
        return {base, base | ~mask};
    };
    auto port = [&]() -> Interval {
        switch (rng() % 4) {
        case 0:
            return {0, 65535};
        case 1: {
            uint32_t p = uint32_t(rng() % 1024);
            return {p, p};
        }
        default: {
            uint32_t lo = uint32_t(rng() % 65536);
            return {lo, std::min<uint32_t>(65535, lo + uint32_t(rng() % 5000))};
        }
        }
    };
    std::vector<Box> boxes;
    for (uint32_t r = 0; r < rules; ++r) {
        size_t copies = rng() % 8 == 0 ? 1 + rng() % 3 : 1;
        Interval proto = rng() % 5 == 0 ? Interval{0, 255} : Interval{6, 6};
        Interval sa = prefix();
        for (size_t c = 0; c < copies; ++c)
            boxes.push_back({r, {proto, sa, prefix(), port()}});
    }
    return boxes;
}

std::vector<Dimension> dims() {
    return {{Field::IpProtocol, -1}, {Field::IpSaddr, -1}, {Field::IpDaddr, -1}, {Field::TcpDport, -1}};
}

// Keys at and around every box's corners, plus uniform ones.
std::vector<std::vector<uint32_t>> probe_keys(std::mt19937_64& rng, const std::vector<Box>& boxes, size_t n) {
    std::vector<std::vector<uint32_t>> keys;
    for (size_t i = 0; i < n; ++i) {
        const Box& b = boxes[rng() % boxes.size()];
        std::vector<uint32_t> k;
        for (auto& bound : b.bounds) {
            switch (rng() % 5) {
            case 0:
                k.push_back(bound.low);
                break;
            case 1:
                k.push_back(bound.high);
                break;
            case 2:
                k.push_back(bound.low - 1);
                break;
            case 3:
                k.push_back(bound.high + 1);
                break;
            default:
                k.push_back(bound.low + uint32_t(rng() % (uint64_t(bound.high) - bound.low + 1)));
            }
        }
        k[0] &= 0xff;
        k[3] &= 0xffff;
        keys.push_back(std::move(k));
    }
    return keys;
}

class DecisionTree : public testing::TestWithParam<std::tuple<size_t, uint32_t>> {};

TEST_P(DecisionTree, FirstMatchEqualsBruteForce) {
    auto [rules, leaf] = GetParam();
    std::mt19937_64 rng(rules * 31 + leaf);
    auto boxes = random_boxes(rng, rules);
    TreeOptions options;
    options.leaf_size = leaf;
    auto data = build_decision_table(boxes, dims(), options);
    std::vector<appliance::classifier::Tree> trees;
    auto table = view(data, trees);
    for (auto& key : probe_keys(rng, boxes, 20000)) {
        uint32_t expect = brute_force(boxes, key);
        ASSERT_EQ(lookup(data, key), expect);
        ASSERT_EQ(appliance::classifier::first_match(table, key.data()), expect);
    }
}

INSTANTIATE_TEST_SUITE_P(Sizes, DecisionTree,
                         testing::Combine(testing::Values(size_t(1), size_t(7), size_t(100), size_t(2000)),
                                          testing::Values(1u, 2u, 4u, 8u, 16u)));

// Both lookups agree with a first-match scan on `keys`.
void expect_first_match(const std::vector<Box>& boxes, const std::vector<Dimension>& dims,
                        const std::vector<std::vector<uint32_t>>& keys, const TreeOptions& options = {}) {
    auto data = build_decision_table(boxes, dims, options);
    std::vector<appliance::classifier::Tree> trees;
    auto table = view(data, trees);
    for (auto& key : keys) {
        uint32_t expect = brute_force(boxes, key);
        EXPECT_EQ(lookup(data, key), expect) << key[0] << " " << key[1];
        EXPECT_EQ(appliance::classifier::first_match(table, key.data()), expect) << key[0] << " " << key[1];
    }
}

TEST(DecisionTreeEdges, BoundsZeroAndAllOnesSingleValuesAndWildcards) {
    std::vector<Box> boxes;
    for (uint32_t r = 0; r < 40; ++r) {
        uint32_t v = r % 4 == 0 ? 0 : r % 4 == 1 ? 0xffffffff : r * 0x01010101;
        boxes.push_back({r, {{6, 6}, {v, v}, {r % 3 == 0 ? 0 : v, r % 3 == 0 ? 0xffffffff : v}}});
    }
    boxes.push_back({40, {{0, 255}, {0, 0xffffffff}, {0, 0}}});
    boxes.push_back({41, {{0, 255}, {0xfffffffe, 0xffffffff}, {0, 0xffffffff}}});
    std::vector<std::vector<uint32_t>> keys;
    for (uint32_t p : {0u, 1u, 6u, 17u, 255u})
        for (uint32_t a : {0u, 1u, 0x01010101u, 0x02020202u, 0xfffffffeu, 0xffffffffu})
            for (uint32_t b : {0u, 1u, 0x01010101u, 0xfffffffeu, 0xffffffffu})
                keys.push_back({p, a, b});
    std::vector<Dimension> d{{Field::IpProtocol, -1}, {Field::IpSaddr, -1}, {Field::IpDaddr, -1}};
    for (uint32_t leaf : {1u, 2u, 4u, 8u}) {
        TreeOptions options;
        options.leaf_size = leaf;
        expect_first_match(boxes, d, keys, options);
    }
}

TEST(DecisionTreeEdges, IdenticalAndShadowedRulesKeepTheFirst) {
    std::vector<Box> boxes;
    for (uint32_t r = 0; r < 300; ++r) // groups of ten identical boxes; every tenth rule is shadowed
        boxes.push_back({r, {{6, 6}, {r / 10 * 1000, r / 10 * 1000 + 999}, {0, 65535}}});
    std::vector<std::vector<uint32_t>> keys;
    for (uint32_t a = 0; a < 31000; a += 250)
        keys.push_back({6, a, 80});
    std::vector<Dimension> d{{Field::IpProtocol, -1}, {Field::IpSaddr, -1}, {Field::TcpDport, -1}};
    expect_first_match(boxes, d, keys);
    auto data = build_decision_table(boxes, d, {});
    for (uint32_t at : leaf_offsets(data))
        for (uint32_t rule : leaf_rules(data, at))
            EXPECT_TRUE(rule == appliance::classifier::no_match || rule % 10 == 0) << rule;
}

TEST(DecisionTreeEdges, ManyOverlappingRulesInOneRegion) {
    // 3,000 rules all containing the point (6, 1000, 1000): nested and crossing ranges. Deep, copied,
    // and leaves larger than leaf_size where nothing separates the boxes.
    std::mt19937_64 rng(7);
    std::vector<Box> boxes;
    for (uint32_t r = 0; r < 3000; ++r) {
        uint32_t a = uint32_t(rng() % 1000), b = uint32_t(rng() % 1000);
        boxes.push_back({r, {{6, 6}, {1000 - a, 1000 + b}, {1000 - b, 1000 + a}}});
    }
    std::vector<std::vector<uint32_t>> keys;
    for (int i = 0; i < 3000; ++i)
        keys.push_back({6, uint32_t(rng() % 2200), uint32_t(rng() % 2200)});
    std::vector<Dimension> d{{Field::IpProtocol, -1}, {Field::IpSaddr, -1}, {Field::IpDaddr, -1}};
    expect_first_match(boxes, d, keys);
}

TEST(DecisionTreeShape, LeavesStoreOnlyTheDimensionsTheyCheck) {
    // Per protocol class one tree; every box of the TCP leaves covers the protocol (the region is TCP)
    // so no leaf checks dimension 0, and rules on saddr alone check one dimension.
    std::vector<Box> boxes;
    for (uint32_t r = 0; r < 64; ++r)
        boxes.push_back({r, {{6, 6}, {r * 256, r * 256 + 255}, {0, 65535}}});
    auto data =
        build_decision_table(boxes, {{Field::IpProtocol, -1}, {Field::IpSaddr, -1}, {Field::TcpDport, -1}});
    ASSERT_FALSE(leaf_offsets(data).empty());
    for (uint32_t at : leaf_offsets(data)) {
        uint32_t header = data.boxes[at];
        uint32_t groups = header >> 12 & 0xf;
        ASSERT_LE(groups, 1u);
        if (groups == 1) EXPECT_EQ(data.items[header >> 16] & 0xff, 1u); // saddr only (other lanes: padding)
        for (uint32_t rule : leaf_rules(data, at)) // exactly its boxes: no padding boxes
            EXPECT_NE(rule, appliance::classifier::no_match);
    }
    // The scan reads four boxes at a time past a leaf's count (masked): three empty boxes of slack.
    ASSERT_GE(data.boxes.size(), codegen::table_encoding::leaf_slack_words);
    for (size_t i = data.boxes.size() - codegen::table_encoding::leaf_slack_words; i < data.boxes.size(); ++i)
        EXPECT_EQ(data.boxes[i], 0u);
    EXPECT_EQ(lookup(data, {6, 5 * 256 + 3, 80}), 5u);
    EXPECT_EQ(lookup(data, {17, 5 * 256 + 3, 80}), appliance::classifier::no_match);
}

TEST(DecisionTreeShape, SplitNodesAreOneCacheLine) {
    std::mt19937_64 rng(3);
    auto boxes = random_boxes(rng, 2000);
    auto data = build_decision_table(boxes, dims(), {});
    ASSERT_EQ(data.nodes.size() % appliance::classifier::node_words, 0u);
    size_t splits = 0;
    for (size_t at = 0; at < data.nodes.size(); at += appliance::classifier::node_words) {
        if ((data.nodes[at] & 0xff) != appliance::classifier::split_kind) continue;
        ++splits;
        for (uint32_t i = 2; i < appliance::classifier::split_ways; ++i) // ascending thresholds
            EXPECT_LE(data.nodes[at + i - 1], data.nodes[at + i]);
    }
    EXPECT_GT(splits, 0u);
    EXPECT_LE(data.trees.size(), 4u * appliance::classifier::max_trees);
}

TEST(DecisionTreeShape, ProtocolClassesSearchOnlyTheirTrees) {
    // Rule 0 is UDP-only, rule 1 any protocol: a TCP key must find rule 1, a UDP key rule 0.
    std::vector<Box> boxes{{0, {{17, 17}, {0, 0xffffffff}}}, {1, {{0, 255}, {0, 0xffffffff}}}};
    auto data = build_decision_table(boxes, {{Field::IpProtocol, -1}, {Field::IpSaddr, -1}}, {});
    EXPECT_EQ(data.protocol_dimension, 0u);
    EXPECT_EQ(lookup(data, {6, 1}), 1u);
    EXPECT_EQ(lookup(data, {17, 1}), 0u);
    EXPECT_EQ(lookup(data, {47, 1}), 1u);
    std::vector<appliance::classifier::Tree> trees;
    auto table = view(data, trees);
    uint32_t key[] = {1, 9};
    EXPECT_EQ(appliance::classifier::first_match(table, key), 1u);
}

TEST(DecisionTreeShape, ACatchAllShadowsEverythingAfterIt) {
    std::vector<Box> boxes{{0, {{6, 6}, {0, 0xffffffff}}}, {1, {{0, 255}, {0, 0xffffffff}}}};
    for (uint32_t r = 2; r < 100; ++r)
        boxes.push_back({r, {{6, 6}, {r, r}}});
    auto data = build_decision_table(boxes, {{Field::IpTtl, -1}, {Field::IpSaddr, -1}}, {});
    // Every leaf ends at the first box covering its region: nothing after rule 1 is ever stored.
    for (uint32_t at : leaf_offsets(data))
        for (uint32_t rule : leaf_rules(data, at))
            EXPECT_TRUE(rule <= 1u || rule == appliance::classifier::no_match) << rule; // or padding
    EXPECT_EQ(lookup(data, {6, 50}), 0u);
    EXPECT_EQ(lookup(data, {17, 50}), 1u);
}

// The TCP class's trees of a table over (ip.protocol, ip.saddr, ip.daddr).
uint32_t tcp_trees(const DecisionTableData& data) {
    return data.class_begin[3] - data.class_begin[2];
}

TEST(DecisionTreeShape, GroupsShareATreeWhenItCopiesFewBoxes) {
    // 200 rules narrow in saddr (/24s below 0x10000) and 200 wide in saddr (/16s above it) but narrow in
    // daddr: two groups, but a split on saddr separates them without copying, so they share one tree.
    std::vector<Box> boxes;
    for (uint32_t r = 0; r < 200; ++r)
        boxes.push_back({r, {{6, 6}, {r * 256, r * 256 + 255}, {0, 0xffffffff}}});
    for (uint32_t r = 200; r < 400; ++r)
        boxes.push_back({r, {{6, 6}, {r << 16, r << 16 | 0xffff}, {r * 7, r * 7}}});
    std::vector<Dimension> d{{Field::IpProtocol, -1}, {Field::IpSaddr, -1}, {Field::IpDaddr, -1}};
    std::vector<std::vector<uint32_t>> keys;
    for (uint32_t r = 0; r < 400; ++r)
        for (uint32_t p : {6u, 17u})
            for (uint32_t daddr : {0u, r * 7, r * 7 + 1}) {
                keys.push_back({p, r * 256 + 9, daddr});
                keys.push_back({p, r << 16 | 9, daddr});
            }
    TreeOptions separate;
    separate.merge_budget_percent = 0;
    EXPECT_EQ(tcp_trees(build_decision_table(boxes, d, {})), 1u);
    EXPECT_EQ(tcp_trees(build_decision_table(boxes, d, separate)), 2u);
    expect_first_match(boxes, d, keys);
    expect_first_match(boxes, d, keys, separate);
}

TEST(DecisionTreeShape, GroupsKeepTheirTreesWhenSharingCopiesMany) {
    // 300 rules narrow in saddr and wildcard in daddr, 300 the other way round: any split of one group
    // copies the whole other group into its parts, so one tree would be far over the budget (the trial
    // build stops early and is taken back) and the two groups keep a tree each.
    std::vector<Box> boxes;
    for (uint32_t r = 0; r < 300; ++r)
        boxes.push_back({r, {{6, 6}, {r * 1000, r * 1000}, {0, 0xffffffff}}});
    for (uint32_t r = 300; r < 600; ++r)
        boxes.push_back({r, {{6, 6}, {0, 0xffffffff}, {r * 1000, r * 1000}}});
    std::vector<Dimension> d{{Field::IpProtocol, -1}, {Field::IpSaddr, -1}, {Field::IpDaddr, -1}};
    auto data = build_decision_table(boxes, d, {});
    EXPECT_EQ(tcp_trees(data), 2u);
    TreeOptions separate;
    separate.merge_budget_percent = 0;
    auto reference = build_decision_table(boxes, d, separate);
    // The taken-back trials leave nothing behind: the same tables as without trials.
    EXPECT_EQ(data.boxes, reference.boxes);
    EXPECT_EQ(data.nodes, reference.nodes);
    EXPECT_EQ(data.items, reference.items);
    EXPECT_EQ(data.leaves, reference.leaves);
    std::vector<std::vector<uint32_t>> keys;
    for (uint32_t r = 0; r < 600; ++r)
        keys.push_back({6, (r % 300) * 1000, r * 1000});
    keys.push_back({6, 5000, 400000});
    expect_first_match(boxes, d, keys);
}

TEST(DecisionTreeShape, EmptyAndNoMatch) {
    std::vector<Box> boxes{{0, {{10, 20}}}, {1, {{30, 30}}}};
    TreeOptions one;
    one.leaf_size = 1;
    auto data = build_decision_table(boxes, {{Field::IpTtl, -1}}, one);
    std::vector<appliance::classifier::Tree> trees;
    auto table = view(data, trees);
    uint32_t key = 25;
    EXPECT_EQ(appliance::classifier::first_match(table, &key), appliance::classifier::no_match);
    key = 30;
    EXPECT_EQ(appliance::classifier::first_match(table, &key), 1u);
    key = 9;
    EXPECT_EQ(appliance::classifier::first_match(table, &key), appliance::classifier::no_match);
}

} // namespace
} // namespace codegen
