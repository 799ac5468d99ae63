#include "appliance/classifier/decision_tree.hpp"
#include "codegen/decision_tree_builder.hpp"

#include <gtest/gtest.h>

#include <random>

namespace codegen {
namespace {

using nacl::ir::Field;

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
                                          testing::Values(1u, 4u, 16u)));

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
    for (uint32_t offset : data.items)
        EXPECT_LE(data.boxes[offset], 1u);
    EXPECT_EQ(lookup(data, {6, 50}), 0u);
    EXPECT_EQ(lookup(data, {17, 50}), 1u);
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
