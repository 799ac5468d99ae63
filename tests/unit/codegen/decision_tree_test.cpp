#include "appliance/classifier/decision_tree.hpp"
#include "codegen/decision_tree_builder.hpp"
#include "decision_table_view.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace codegen {
namespace {

using nacl::ir::Field;

// The builder's copy of the table encoding must be the lookup's.
static_assert(table_encoding::sign_flip == appliance::classifier::sign_flip);
static_assert(table_encoding::leaf_bit == appliance::classifier::leaf_bit);
static_assert(table_encoding::row_leaf_bit == appliance::classifier::row_leaf_bit);
static_assert(table_encoding::node_dimension_shift == appliance::classifier::node_dimension_shift);
static_assert(table_encoding::node_offset_mask == appliance::classifier::node_offset_mask);
static_assert(table_encoding::leaf_offset_mask == appliance::classifier::leaf_offset_mask);
static_assert(table_encoding::node_words == appliance::classifier::node_words);
static_assert(table_encoding::split_ways == appliance::classifier::split_ways);
static_assert(table_encoding::unused_threshold == appliance::classifier::unused_threshold);
static_assert(table_encoding::block_slots == appliance::classifier::block_slots);
static_assert(table_encoding::block_lanes == appliance::classifier::block_lanes);
static_assert(table_encoding::block_leaf_words == appliance::classifier::block_leaf_words);
static_assert(table_encoding::block_rules == appliance::classifier::block_rules);
static_assert(table_encoding::block_dimensions_word == appliance::classifier::block_dimensions_word);
static_assert(table_encoding::half_flip == appliance::classifier::half_flip);
static_assert(table_encoding::packed_halves == appliance::classifier::packed_halves);
static_assert(table_encoding::packed_dimensions_word == appliance::classifier::packed_dimensions_word);
static_assert(table_encoding::packed_rules == appliance::classifier::packed_rules);
static_assert(table_encoding::packed_leaf_words == appliance::classifier::packed_leaf_words);
static_assert(table_encoding::packed_align_words == appliance::classifier::packed_align_words);
static_assert(table_encoding::leaf_align_words == appliance::classifier::leaf_align_words);
static_assert(table_encoding::per_leaf_dimensions == appliance::classifier::per_leaf_dimensions);
static_assert(table_encoding::max_trees == appliance::classifier::max_trees);
static_assert(table_encoding::protocol_class(17) == appliance::classifier::protocol_class(17));
static_assert(table_encoding::bucket_words == appliance::classifier::bucket_words);
static_assert(table_encoding::bucket_parts == appliance::classifier::bucket_parts);
static_assert(table_encoding::no_part == appliance::classifier::no_part);
static_assert(table_encoding::prepared_key_words == appliance::classifier::prepared_key_words);
static_assert(table_encoding::tree_words * sizeof(uint32_t) == sizeof(appliance::classifier::Tree));
static_assert(sizeof(appliance::classifier::Tree) == 7 * sizeof(uint32_t));

uint32_t brute_force(const std::vector<Box>& boxes, const std::vector<uint32_t>& key) {
    for (auto& b : boxes) {
        bool in = true;
        for (size_t d = 0; d < key.size(); ++d)
            in = in && key[d] >= b.bounds[d].low && key[d] <= b.bounds[d].high;
        if (in) return b.rule;
    }
    return appliance::classifier::no_match;
}

// first_match_inline, the lookup written into emitted chains, for the table's number of trees per class.
uint32_t inline_lookup(const appliance::classifier::DecisionTable& table, const std::vector<uint32_t>& key) {
    return appliance::classifier::lookup::with_trees_per_class(table.trees_per_class, [&](auto n) {
        return appliance::classifier::first_match_inline<n>(table, key.data());
    });
}

// A distinct leaf: its offset in data.leaves and whether it is in the row format.
struct LeafAt {
    uint32_t at;
    bool row;
};

// The distinct leaves (every leaf any tree reaches, each once).
std::vector<LeafAt> leaf_list(const DecisionTableData& data) {
    std::vector<LeafAt> out;
    for (uint32_t ref : data.leaf_refs)
        out.push_back({ref & codegen::table_encoding::leaf_offset_mask,
                       (ref & codegen::table_encoding::row_leaf_bit) != 0});
    return out;
}

// The rules of a leaf's boxes, in order (a block's empty slots included, as no_match).
std::vector<uint32_t> leaf_rules(const DecisionTableData& data, LeafAt leaf) {
    std::vector<uint32_t> rules;
    if (!leaf.row) {
        for (uint32_t slot = 0; slot < codegen::table_encoding::block_slots; ++slot)
            rules.push_back(data.leaves[leaf.at + codegen::table_encoding::block_rules + slot]);
        return rules;
    }
    uint32_t header = data.leaves[leaf.at];
    for (uint32_t i = 0; i < (header & 0xfff); ++i)
        rules.push_back(data.leaves[leaf.at + 1 + i * (1 + 8 * (header >> 12 & 0xf))]);
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
    auto keys = probe_keys(rng, boxes, 20000);
    for (uint32_t sparse :
         {TreeOptions{}.sparse_min_boxes, 16u}) { // hashed entries only on large groups, or often
        TreeOptions options;
        options.leaf_size = leaf;
        options.sparse_min_boxes = sparse;
        if (sparse == 16) options.merge_budget_percent = 0; // a group narrow in saddr keeps its own tree
        auto data = build_decision_table(boxes, dims(), options);
        if (sparse == 16 && rules >= 2000)
            EXPECT_TRUE(
                std::any_of(data.trees.begin(), data.trees.end(), [](auto& t) { return t.hashed(); }));
        std::vector<appliance::classifier::Tree> trees;
        auto table = table_view(data, trees);
        for (auto& key : keys) {
            uint32_t expect = brute_force(boxes, key);
            ASSERT_EQ(lookup(data, key), expect);
            ASSERT_EQ(appliance::classifier::first_match(table, key.data()), expect);
            ASSERT_EQ(inline_lookup(table, key), expect);
        }
        // The same keys prepared in bursts of 13 (groups of batch_size interleaved, and partial groups).
        std::vector<appliance::classifier::PreparedMatch> prepared(keys.size());
        for (size_t i = 0; i < keys.size(); ++i) {
            prepared[i].table = &table;
            std::copy(keys[i].begin(), keys[i].end(), prepared[i].key);
        }
        for (size_t i = 0; i < keys.size(); i += 13)
            appliance::classifier::prepare_matches(table, &prepared[i],
                                                   std::min<size_t>(13, keys.size() - i));
        for (size_t i = 0; i < keys.size(); ++i)
            ASSERT_EQ(prepared[i].match, brute_force(boxes, keys[i])) << "prepared key " << i;
    }
}

INSTANTIATE_TEST_SUITE_P(Sizes, DecisionTree,
                         testing::Combine(testing::Values(size_t(1), size_t(7), size_t(100), size_t(2000)),
                                          testing::Values(1u, 2u, 4u, 8u, 16u)));

// Every lookup of `data` (the builder's, the out-of-line and the inline one, and a prepared burst) equals a
// scan of the boxes.
void expect_all_lookups(const DecisionTableData& data, const std::vector<Box>& boxes,
                        const std::vector<std::vector<uint32_t>>& keys) {
    std::vector<appliance::classifier::Tree> trees;
    auto table = table_view(data, trees);
    std::vector<appliance::classifier::PreparedMatch> prepared(keys.size());
    for (size_t i = 0; i < keys.size(); ++i) {
        uint32_t expect = brute_force(boxes, keys[i]);
        ASSERT_EQ(lookup(data, keys[i]), expect) << "key " << i;
        ASSERT_EQ(appliance::classifier::first_match(table, keys[i].data()), expect) << "key " << i;
        ASSERT_EQ(inline_lookup(table, keys[i]), expect) << "key " << i;
        prepared[i].table = &table;
        std::copy_n(keys[i].begin(), std::min<size_t>(keys[i].size(), std::size(prepared[i].key)),
                    prepared[i].key);
    }
    if (data.dimensions > appliance::classifier::prepared_key_words) return; // such tables are not prepared
    // Bursts of one key, of less than a group, of one group and one key more, and of two groups and more;
    // out of line and as naclc writes it into a chain.
    constexpr size_t group = appliance::classifier::batch_size;
    for (size_t burst : {size_t(1), size_t(7), group + 1, 2 * group + 5}) {
        for (bool inline_code : {false, true}) {
            for (auto& p : prepared)
                p.match = 0xdead;
            for (size_t i = 0; i < prepared.size(); i += burst) {
                const size_t count = std::min(burst, prepared.size() - i);
                if (!inline_code) {
                    appliance::classifier::prepare_matches(table, &prepared[i], count);
                    continue;
                }
                appliance::classifier::lookup::with_trees_per_class(table.trees_per_class, [&](auto n) {
                    appliance::classifier::prepare_matches_inline<n>(table, &prepared[i], count);
                });
            }
            for (size_t i = 0; i < keys.size(); ++i)
                ASSERT_EQ(prepared[i].match, brute_force(boxes, keys[i]))
                    << "prepared key " << i << ", bursts of " << burst << (inline_code ? ", inline" : "");
        }
    }
}

// The table built from `boxes`: every lookup agrees with a first-match scan on `keys`.
void expect_first_match(const std::vector<Box>& boxes, const std::vector<Dimension>& dims,
                        const std::vector<std::vector<uint32_t>>& keys, const TreeOptions& options = {}) {
    expect_all_lookups(build_decision_table(boxes, dims, options), boxes, keys);
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
    for (auto leaf : leaf_list(data))
        for (uint32_t rule : leaf_rules(data, leaf))
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

// The bounds a block leaf stores for a slot in a lane, unflipped.
Interval lane_bounds(const uint32_t* words, uint32_t slot, uint32_t lane) {
    using namespace codegen::table_encoding;
    const uint32_t* lows = words + lane * 2 * block_slots;
    uint32_t low = (0u - lows[slot]) ^ sign_flip; // stored as -(low ^ sign_flip)
    return {low, low + (lows[block_slots + slot] ^ sign_flip)};
}

// /25 sources (each /24 part of the hashed entry holds two, so its leaf checks saddr), any port.
std::vector<Box> sources_of_25() {
    std::vector<Box> boxes;
    for (uint32_t r = 0; r < 64; ++r)
        boxes.push_back({r, {{6, 6}, {r * 128, r * 128 + 127}, {0, 65535}}});
    return boxes;
}

TEST(DecisionTreeShape, BlockLeavesOfASmallKeyShareTheirLanes) {
    // A key of ip.protocol and two more dimensions: every block leaf checks those two, saddr in lane 0 and
    // the port in lane 1 (the boxes' own bounds, checked even where the region decides them), and the lanes
    // after them accept anything; the table names the same lanes, so the lookup spreads the key once.
    auto boxes = sources_of_25();
    auto data =
        build_decision_table(boxes, {{Field::IpProtocol, -1}, {Field::IpSaddr, -1}, {Field::TcpDport, -1}});
    using namespace codegen::table_encoding;
    EXPECT_EQ(data.block_dimensions, 1u | 2u << 8);
    ASSERT_FALSE(leaf_list(data).empty());
    size_t checked = 0;
    for (auto leaf : leaf_list(data)) {
        ASSERT_FALSE(leaf.row);
        const uint32_t* words = data.leaves.data() + leaf.at;
        EXPECT_EQ(words[block_dimensions_word], data.block_dimensions);
        auto rules = leaf_rules(data, leaf);
        for (uint32_t slot = 0; slot < block_slots; ++slot) {
            bool used = rules[slot] != appliance::classifier::no_match;
            for (uint32_t lane = 0; lane < block_lanes; ++lane) {
                Interval expected{0, 0xffffffff}; // empty slots and unused lanes: always inside
                if (used && lane < 2) expected = boxes[rules[slot]].bounds[1 + lane];
                EXPECT_EQ(lane_bounds(words, slot, lane), expected) << "slot " << slot << " lane " << lane;
                checked += used && lane == 0;
            }
        }
        EXPECT_EQ(words[block_rules + block_slots], appliance::classifier::no_match); // after the slots
    }
    EXPECT_GE(checked, 64u);
    EXPECT_EQ(lookup(data, {6, 5 * 128 + 3, 80}), 5u);
    EXPECT_EQ(lookup(data, {17, 5 * 128 + 3, 80}), appliance::classifier::no_match);
}

TEST(DecisionTreeShape, LeavesOfAWideKeyStoreOnlyTheDimensionsTheyCheck) {
    // Five dimensions besides ip.protocol do not fit a block's four lanes: each leaf names the ones some
    // box of it does not cover (here saddr alone, in lane 0), and the other lanes accept anything.
    std::vector<Box> boxes;
    for (auto& b : sources_of_25())
        boxes.push_back(
            {b.rule, {b.bounds[0], b.bounds[1], {0, 0xffffffff}, {0, 65535}, {0, 65535}, {0, 255}}});
    std::vector<Dimension> wide{{Field::IpProtocol, -1}, {Field::IpSaddr, -1},  {Field::IpDaddr, -1},
                                {Field::TcpSport, -1},   {Field::TcpDport, -1}, {Field::IpTtl, -1}};
    auto data = build_decision_table(boxes, wide);
    using namespace codegen::table_encoding;
    EXPECT_EQ(data.block_dimensions, per_leaf_dimensions);
    ASSERT_FALSE(leaf_list(data).empty());
    for (auto leaf : leaf_list(data)) {
        ASSERT_FALSE(leaf.row);
        const uint32_t* words = data.leaves.data() + leaf.at;
        auto rules = leaf_rules(data, leaf);
        bool empty = rules[0] == appliance::classifier::no_match;
        EXPECT_EQ(words[block_dimensions_word], empty ? 0u : 1u); // saddr in lane 0, 0 (unused) in the others
        for (uint32_t slot = 0; slot < block_slots; ++slot)
            for (uint32_t lane = 1; lane < block_lanes; ++lane)
                EXPECT_EQ(lane_bounds(words, slot, lane), (Interval{0, 0xffffffff}));
    }
    EXPECT_EQ(lookup(data, {6, 5 * 128 + 3, 9, 1000, 80, 64}), 5u);
    EXPECT_EQ(lookup(data, {17, 5 * 128 + 3, 9, 1000, 80, 64}), appliance::classifier::no_match);
    std::mt19937_64 rng(14);
    auto keys = probe_keys(rng, boxes, 3000);
    for (auto& key : keys) // a packet's field never exceeds its dimension (a port is not 65536)
        for (size_t d = 0; d < wide.size(); ++d)
            key[d] = std::min(key[d], codegen::dimension_max(wide[d]));
    expect_first_match(boxes, wide, keys);
}

TEST(DecisionTreeShape, LeavesThatCheckTheProtocolAreRowsWhenLanesAreFixed) {
    // The "other" class holds every protocol but ICMP, TCP and UDP, so a leaf there whose boxes name one
    // protocol must check ip.protocol, which is not one of the fixed lanes: such leaves are rows.
    std::vector<Box> boxes;
    for (uint32_t r = 0; r < 40; ++r)
        boxes.push_back(
            {r, {{47 + r % 3, 47 + r % 3}, {r << 20, (r << 20) | 0xfffff}, {0, 0xffffffff}, {0, 65535}}});
    auto data = build_decision_table(boxes, dims());
    EXPECT_NE(data.block_dimensions, codegen::table_encoding::per_leaf_dimensions);
    EXPECT_GT(data.row_leaves(), 0u);
    EXPECT_EQ(lookup(data, {48, (1u << 20) + 5, 0, 0}), 1u);
    EXPECT_EQ(lookup(data, {47, (1u << 20) + 5, 0, 0}), appliance::classifier::no_match);
    std::mt19937_64 rng(15);
    expect_first_match(boxes, dims(), probe_keys(rng, boxes, 3000));
}

// random_boxes with a source port range too (key: protocol, saddr, daddr, sport, dport), and keys at and
// around their corners that a packet can carry (a port is at most 65535).
std::vector<Box> boxes_with_sport(std::mt19937_64& rng, size_t rules) {
    auto boxes = random_boxes(rng, rules);
    for (auto& b : boxes) {
        uint32_t lo = rng() % 3 == 0 ? 0 : uint32_t(rng() % 65536);
        uint32_t hi = rng() % 3 == 0 ? lo : std::min<uint32_t>(65535, lo + uint32_t(rng() % 3000));
        b.bounds.insert(b.bounds.begin() + 3, rng() % 2 ? Interval{0, 65535} : Interval{lo, hi});
    }
    return boxes;
}

// The fw key: the protocol, then saddr, daddr, sport and dport (the fixed lanes).
std::vector<Dimension> fw_dims() {
    return {{Field::IpProtocol, -1},
            {Field::IpSaddr, -1},
            {Field::IpDaddr, -1},
            {Field::TcpSport, -1},
            {Field::TcpDport, -1}};
}

std::vector<std::vector<uint32_t>> packet_keys(std::mt19937_64& rng, const std::vector<Box>& boxes,
                                               const std::vector<Dimension>& d, size_t n) {
    auto keys = probe_keys(rng, boxes, n);
    for (auto& key : keys)
        for (size_t i = 0; i < d.size(); ++i)
            key[i] = std::min(key[i], codegen::dimension_max(d[i]));
    return keys;
}

TEST(DecisionTreeShape, BlocksArePackedWhenTheLastTwoLanesAreSixteenBits) {
    // The fw key: saddr, daddr, sport, dport besides the protocol. The ports share one vector, and every
    // leaf starts on a 64-byte line.
    std::mt19937_64 rng(21);
    auto boxes = boxes_with_sport(rng, 1500);
    const std::vector<Dimension> fw = fw_dims();
    auto data = build_decision_table(boxes, fw);
    EXPECT_EQ(data.packed_lanes, 1u);
    EXPECT_GT(data.leaf_refs.size(), 100u);
    for (uint32_t ref : data.leaf_refs)
        EXPECT_EQ((ref & codegen::table_encoding::leaf_offset_mask) %
                      codegen::table_encoding::packed_align_words,
                  0u);
    expect_all_lookups(data, boxes, packet_keys(rng, boxes, fw, 5000));
    // Ports at their edges: 0, 65535, and next to every box's port bounds.
    std::vector<std::vector<uint32_t>> edges;
    for (size_t i = 0; i < 300; ++i) {
        const Box& b = boxes[rng() % boxes.size()];
        for (uint32_t sport : {0u, 65535u, b.bounds[3].low, b.bounds[3].high, b.bounds[3].low - 1})
            for (uint32_t dport : {0u, 65535u, b.bounds[4].high + 1})
                edges.push_back({b.bounds[0].low, b.bounds[1].low, b.bounds[2].high, std::min(sport, 65535u),
                                 std::min(dport, 65535u)});
    }
    expect_all_lookups(data, boxes, edges);
    // The same rules with a 32-bit dimension among the last two lanes: blocks as before.
    std::vector<Dimension> mixed{{Field::IpProtocol, -1},
                                 {Field::IpSaddr, -1},
                                 {Field::TcpSport, -1},
                                 {Field::TcpDport, -1},
                                 {Field::IpDaddr, -1}};
    std::vector<Box> reordered = boxes;
    for (auto& b : reordered)
        b.bounds = {b.bounds[0], b.bounds[1], b.bounds[3], b.bounds[4], b.bounds[2]};
    auto blocks = build_decision_table(reordered, mixed);
    EXPECT_EQ(blocks.packed_lanes, 0u);
    expect_all_lookups(blocks, reordered, packet_keys(rng, reordered, mixed, 5000));
}

TEST(DecisionTreeShape, PackedTablesKeepRowLeaves) {
    // Leaves of the "other" class that name one protocol are rows in a packed table too; both kinds of
    // leaf are checked by the same lookups.
    std::mt19937_64 rng(22);
    auto boxes = boxes_with_sport(rng, 200);
    for (uint32_t r = 0; r < boxes.size(); r += 3)
        boxes[r].bounds[0] = {47 + r % 3, 47 + r % 3};
    const std::vector<Dimension> fw = fw_dims();
    auto data = build_decision_table(boxes, fw);
    EXPECT_EQ(data.packed_lanes, 1u);
    EXPECT_GT(data.row_leaves(), 0u);
    expect_all_lookups(data, boxes, packet_keys(rng, boxes, fw, 3000));
}

TEST(DecisionTreeShape, LeavesBeyondABlockAreRows) {
    // Boxes that leave six dimensions open: no block holds them, so they are rows of two groups; and
    // leaves of 16 boxes are rows too. Both lookups still equal a first-match scan.
    std::mt19937_64 rng(11);
    std::vector<Dimension> d{{Field::IpProtocol, -1}, {Field::IpSaddr, -1},  {Field::IpDaddr, -1},
                             {Field::TcpSport, -1},   {Field::TcpDport, -1}, {Field::IpTtl, -1}};
    std::vector<Box> boxes;
    for (uint32_t r = 0; r < 600; ++r) {
        auto range = [&](uint32_t max) -> Interval {
            uint32_t lo = uint32_t(rng() % (uint64_t(max) + 1));
            return {lo, uint32_t(std::min<uint64_t>(max, lo + rng() % (uint64_t(max) / 4 + 1)))};
        };
        boxes.push_back(
            {r, {range(255), range(0xffffffff), range(0xffffffff), range(65535), range(65535), range(255)}});
    }
    std::vector<std::vector<uint32_t>> keys;
    for (int i = 0; i < 20000; ++i) {
        const Box& b = boxes[rng() % boxes.size()];
        std::vector<uint32_t> k;
        for (auto& bound : b.bounds)
            k.push_back(rng() % 3 == 0
                            ? bound.high + 1
                            : bound.low + uint32_t(rng() % (uint64_t(bound.high) - bound.low + 1)));
        k[0] &= 0xff, k[3] &= 0xffff, k[4] &= 0xffff, k[5] &= 0xff;
        keys.push_back(std::move(k));
    }
    auto data = build_decision_table(boxes, d, {});
    EXPECT_GT(data.row_leaves(), 0u);
    expect_first_match(boxes, d, keys);
    TreeOptions big;
    big.leaf_size = 16;
    EXPECT_GT(build_decision_table(boxes, d, big).row_leaves(), 0u);
    expect_first_match(boxes, d, keys, big);
}

TEST(DecisionTreeShape, EveryClassHasTheSameNumberOfTrees) {
    // Every class has trees_per_class trees (padded with empty ones), and the answers stay the first match.
    std::mt19937_64 rng(5);
    auto boxes = random_boxes(rng, 3000);
    auto keys = probe_keys(rng, boxes, 20000);
    auto data = build_decision_table(boxes, dims());
    EXPECT_EQ(data.trees.size(), 4u * data.trees_per_class);
    EXPECT_LE(data.trees_per_class, appliance::classifier::max_trees);
    std::vector<appliance::classifier::Tree> trees;
    auto table = table_view(data, trees);
    for (auto& key : keys)
        ASSERT_EQ(appliance::classifier::first_match(table, key.data()), brute_force(boxes, key));
}

TEST(DecisionTreeShape, SplitNodesAreOneCacheLine) {
    std::mt19937_64 rng(3);
    auto boxes = random_boxes(rng, 2000);
    auto data = build_decision_table(boxes, dims(), {});
    ASSERT_EQ(data.nodes.size() % appliance::classifier::node_words, 0u);
    ASSERT_GT(data.inner_nodes, 0u);
    for (size_t at = 0; at < data.nodes.size(); at += appliance::classifier::node_words) {
        EXPECT_LT(data.nodes[at], dims().size());
        for (uint32_t i = 2; i < appliance::classifier::split_ways; ++i) // ascending thresholds (flipped)
            EXPECT_LE(data.nodes[at + i - 1] ^ appliance::classifier::sign_flip,
                      data.nodes[at + i] ^ appliance::classifier::sign_flip);
    }
    // A reference to a node carries the node's dimension (a step reads the key's value before the node).
    namespace cls = appliance::classifier;
    size_t node_refs = 0;
    for (size_t at = 0; at < data.nodes.size(); at += cls::node_words)
        for (uint32_t way = 0; way < cls::split_ways; ++way) {
            uint32_t ref = data.nodes[at + 8 + way];
            if (ref & cls::leaf_bit) continue;
            ++node_refs;
            ASSERT_LT(ref & cls::node_offset_mask, data.nodes.size());
            EXPECT_EQ(ref >> cls::node_dimension_shift, data.nodes[ref & cls::node_offset_mask]);
        }
    EXPECT_GT(node_refs, 0u);
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
    auto table = table_view(data, trees);
    uint32_t key[] = {1, 9};
    EXPECT_EQ(appliance::classifier::first_match(table, key), 1u);
}

TEST(DecisionTreeShape, ACatchAllShadowsEverythingAfterIt) {
    std::vector<Box> boxes{{0, {{6, 6}, {0, 0xffffffff}}}, {1, {{0, 255}, {0, 0xffffffff}}}};
    for (uint32_t r = 2; r < 100; ++r)
        boxes.push_back({r, {{6, 6}, {r, r}}});
    auto data = build_decision_table(boxes, {{Field::IpTtl, -1}, {Field::IpSaddr, -1}}, {});
    // Every leaf ends at the first box covering its region: nothing after rule 1 is ever stored.
    for (auto leaf : leaf_list(data))
        for (uint32_t rule : leaf_rules(data, leaf))
            EXPECT_TRUE(rule <= 1u || rule == appliance::classifier::no_match) << rule; // or an empty slot
    EXPECT_EQ(lookup(data, {6, 50}), 0u);
    EXPECT_EQ(lookup(data, {17, 50}), 1u);
}

// The TCP class's trees of a table over (ip.protocol, ip.saddr, ip.daddr).
uint32_t tcp_trees(const DecisionTableData& data) {
    uint32_t n = 0;
    for (uint32_t t = 2 * data.trees_per_class; t < 3 * data.trees_per_class; ++t)
        n += data.trees[t].min_rule != appliance::classifier::no_match;
    return n;
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
    EXPECT_EQ(data.nodes, reference.nodes);
    EXPECT_EQ(data.entries, reference.entries);
    EXPECT_EQ(data.items, reference.items);
    EXPECT_EQ(data.leaves, reference.leaves);
    std::vector<std::vector<uint32_t>> keys;
    for (uint32_t r = 0; r < 600; ++r)
        keys.push_back({6, (r % 300) * 1000, r * 1000});
    keys.push_back({6, 5000, 400000});
    expect_first_match(boxes, d, keys);
}

// The parts a hashed entry lists, bucket by bucket: every part in the bucket its hash picks, at most
// bucket_parts per bucket, none twice.
std::vector<uint32_t> listed_parts(const DecisionTableData& data, const DecisionTableData::Tree& tree) {
    std::vector<uint32_t> parts;
    for (uint32_t b = 0; b <= tree.buckets; ++b) {
        const uint32_t* bucket = data.entries.data() + tree.first + b * table_encoding::bucket_words;
        EXPECT_EQ(bucket[table_encoding::bucket_parts], table_encoding::no_part);
        for (uint32_t i = 0; i < table_encoding::bucket_parts; ++i) {
            if (bucket[i] == table_encoding::no_part) continue;
            EXPECT_EQ(uint32_t(uint64_t(bucket[i]) * tree.multiplier >> 32) & tree.buckets, b);
            parts.push_back(bucket[i]);
        }
    }
    std::sort(parts.begin(), parts.end());
    EXPECT_EQ(std::adjacent_find(parts.begin(), parts.end()), parts.end());
    return parts;
}

TEST(DecisionTreeShape, NarrowBoxesAreFoundThroughAHashOfTheirParts) {
    // 1,500 rules whose sources are /24 - /32 prefixes anywhere (and one range across two /24s): the
    // tree's entry hashes the /24s that hold a box, and a source in any other /24 matches nothing.
    std::mt19937_64 rng(11);
    std::vector<Box> boxes;
    for (uint32_t r = 0; r < 1500; ++r) {
        uint32_t len = 24 + uint32_t(rng() % 9), mask = 0xffffffffu << (32 - len);
        uint32_t base = uint32_t(rng()) & mask;
        uint32_t port = uint32_t(rng() % 4) * 1000;
        boxes.push_back({r, {{6, 6}, {base, base | ~mask}, {0, 0xffffffff}, {port, port + 999}}});
    }
    boxes.push_back({1500, {{6, 6}, {0x0a0000f0, 0x0a00010f}, {0, 0xffffffff}, {0, 65535}}});
    auto data = build_decision_table(boxes, dims(), {});
    const auto& tree = data.trees[2 * data.trees_per_class]; // TCP's only tree
    EXPECT_TRUE(tree.hashed());
    EXPECT_EQ(tree.dimension, 1u);
    EXPECT_EQ(tree.shift, 8u);
    std::vector<uint32_t> expected;
    for (auto& b : boxes)
        for (uint32_t part = b.bounds[1].low >> 8; part <= b.bounds[1].high >> 8; ++part)
            expected.push_back(part);
    std::sort(expected.begin(), expected.end());
    expected.erase(std::unique(expected.begin(), expected.end()), expected.end());
    EXPECT_EQ(listed_parts(data, tree), expected);
    auto keys = probe_keys(rng, boxes, 20000);
    for (int i = 0; i < 2000; ++i) // sources anywhere: mostly in /24s that are not listed
        keys.push_back({6, uint32_t(rng()), uint32_t(rng()), uint32_t(rng() % 4000)});
    keys.push_back({6, 0x0a0000ff, 1, 5});
    keys.push_back({6, 0x0a000100, 1, 5});
    expect_first_match(boxes, dims(), keys);
    // The same rules build the same tables (the hash's multiplier comes from a fixed sequence).
    auto again = build_decision_table(boxes, dims(), {});
    EXPECT_EQ(again.entries, data.entries);
    EXPECT_EQ(again.trees[2 * again.trees_per_class].multiplier, tree.multiplier);
}

TEST(DecisionTreeShape, WideBoxesOfAHashedTreeReachEveryPart) {
    // /24 sources with a few wider rules among them: rule 0 (10.0.0.0/8, port 80) comes first and so
    // wins inside the /24s it overlaps; 20.1.0.0/16 comes last. Both are copied into the listed /24s
    // they overlap and make the tree of the /24s that are not listed.
    std::vector<Box> boxes{{0, {{6, 6}, {0x0a000000, 0x0affffff}, {0, 0xffffffff}, {80, 80}}}};
    for (uint32_t r = 1; r <= 200; ++r) {
        uint32_t base = (r % 2 ? 0x0a000000 : 0x14010000) | (r * 97 % 256) << 8;
        boxes.push_back({r, {{6, 6}, {base, base | 0xff}, {0, 0xffffffff}, {0, 65535}}});
    }
    boxes.push_back({201, {{6, 6}, {0x14010000, 0x1401ffff}, {0, 0xffffffff}, {0, 65535}}});
    TreeOptions options;
    options.sparse_min_boxes = 64;
    auto data = build_decision_table(boxes, dims(), options);
    const auto& tree = data.trees[2 * data.trees_per_class];
    EXPECT_TRUE(tree.hashed());
    EXPECT_EQ(tree.shift, 8u);
    EXPECT_EQ(lookup(data, {6, 0x0a006111, 7, 80}), 0u); // listed /24 (rule 1's), rule 0 first
    EXPECT_EQ(lookup(data, {6, 0x0a006111, 7, 81}), 1u); // the same /24, rule 0's port missed
    EXPECT_EQ(lookup(data, {6, 0x0a0a0a0a, 7, 80}), 0u); // a /24 no narrow rule holds
    uint32_t unlisted = 0;                               // a /24 of 20.1.0.0/16 that no narrow rule holds
    while (std::any_of(boxes.begin() + 1, boxes.end() - 1,
                       [&](const Box& b) { return b.bounds[1].low == (0x14010000 | unlisted << 8); }))
        ++unlisted;
    EXPECT_EQ(lookup(data, {6, 0x14010000 | unlisted << 8 | 9, 7, 81}), 201u); // inside rule 201's /16
    EXPECT_EQ(lookup(data, {6, 0x1e000000, 7, 80}), appliance::classifier::no_match);
    std::mt19937_64 rng(12);
    auto keys = probe_keys(rng, boxes, 20000);
    for (int i = 0; i < 2000; ++i)
        keys.push_back(
            {6, (i % 2 ? 0x0a000000u : 0x14010000u) | uint32_t(rng() % 65536), 0, 80 + uint32_t(i % 3)});
    expect_first_match(boxes, dims(), keys, options);
}

TEST(DecisionTreeShape, PartsNotListedReachTheTreeOfWideBoxes) {
    // 600 rules on one /24 each (their parts' roots are leaves) and then 40 on /16s elsewhere, which no
    // listed part overlaps: they make the tree of the parts not listed, a few levels deep. That tree is
    // one path however many buckets name it (every bucket's word 15).
    std::vector<Box> boxes;
    for (uint32_t r = 0; r < 600; ++r)
        boxes.push_back(
            {r, {{6, 6}, {0x0a000000 | r << 8, 0x0a0000ff | r << 8}, {0, 0xffffffff}, {0, 65535}}});
    for (uint32_t r = 600; r < 640; ++r) {
        uint32_t base = 0x14000000 | (r - 600) << 16;
        boxes.push_back({r, {{6, 6}, {base, base | 0xffff}, {0, 0xffffffff}, {0, 65535}}});
    }
    auto data = build_decision_table(boxes, dims());
    const auto& tree = data.trees[2 * data.trees_per_class];
    ASSERT_TRUE(tree.hashed());
    EXPECT_GT(tree.buckets, 0u);
    EXPECT_GE(data.max_depth, 1u); // the unlisted parts' tree has inner nodes
    const uint32_t unlisted = data.entries[tree.first + 15];
    EXPECT_EQ(unlisted & codegen::table_encoding::leaf_bit, 0u);
    for (uint32_t b = 0; b <= tree.buckets; ++b)
        EXPECT_EQ(data.entries[tree.first + b * appliance::classifier::bucket_words + 15], unlisted);
    EXPECT_EQ(lookup(data, {6, 0x0a000105, 7, 80}), 1u);
    EXPECT_EQ(lookup(data, {6, 0x14050505, 7, 80}), 605u);
    EXPECT_EQ(lookup(data, {6, 0x1e000000, 7, 80}), appliance::classifier::no_match);
    std::mt19937_64 rng(13);
    expect_first_match(boxes, dims(), probe_keys(rng, boxes, 5000));
}

// A chain takes a prepared answer only for the table and the key it was prepared for.
TEST(PreparedMatch, IsTakenOnlyForItsTableAndKey) {
    std::vector<Box> boxes{{0, {{10, 20}}}, {1, {{30, 30}}}};
    auto data = build_decision_table(boxes, {{Field::IpTtl, -1}}, {});
    std::vector<appliance::classifier::Tree> trees, other_trees;
    auto table = table_view(data, trees);
    auto other = table_view(data, other_trees);
    ASSERT_EQ(table.trees_per_class, 1u);
    using appliance::classifier::first_match_inline;
    appliance::classifier::PreparedMatch prepared;
    prepared.table = &table;
    prepared.key[0] = 15;
    appliance::classifier::prepare_matches(table, &prepared, 1);
    EXPECT_EQ(prepared.match, 0u);
    prepared.match = 7; // not what the table says: shows which answer was taken
    uint32_t key = 15;
    EXPECT_EQ(first_match_inline<1>(table, &key, &prepared), 7u);
    EXPECT_EQ(prepared.used, 1u);
    prepared.used = 0;
    key = 30; // another key: looked up
    EXPECT_EQ(first_match_inline<1>(table, &key, &prepared), 1u);
    key = 15; // another table: looked up
    EXPECT_EQ(first_match_inline<1>(other, &key, &prepared), 0u);
    EXPECT_EQ(first_match_inline<1>(table, &key, nullptr), 0u);
    EXPECT_EQ(prepared.used, 0u);
}

TEST(DecisionTreeShape, EmptyAndNoMatch) {
    std::vector<Box> boxes{{0, {{10, 20}}}, {1, {{30, 30}}}};
    TreeOptions one;
    one.leaf_size = 1;
    auto data = build_decision_table(boxes, {{Field::IpTtl, -1}}, one);
    std::vector<appliance::classifier::Tree> trees;
    auto table = table_view(data, trees);
    uint32_t key = 25;
    EXPECT_EQ(appliance::classifier::first_match(table, &key), appliance::classifier::no_match);
    key = 30;
    EXPECT_EQ(appliance::classifier::first_match(table, &key), 1u);
    key = 9;
    EXPECT_EQ(appliance::classifier::first_match(table, &key), appliance::classifier::no_match);
}

} // namespace
} // namespace codegen
