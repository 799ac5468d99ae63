#pragma once
// Builds the tables of appliance::classifier::DecisionTable from boxes: decision trees over groups.
//
// Boxes are split by protocol class (when the key has ip.protocol: a TCP packet never walks the UDP
// rules), then into groups by which of the wide dimensions (addresses) they leave almost open, as
// EffiCuts does: a group whose boxes are all narrow in the source address splits cleanly on it, and
// wildcards stop being copied into every leaf. Groups share a tree when trial builds show that this keeps
// the class's tables within merge_budget_percent of one tree per group (every tree is one more walk and one
// more leaf scan per lookup; they merge only when that lowers the most trees a class has). A tree of many
// boxes that are all (but a few copied ones) narrow in one address starts with a hashed cut: the /24s (or
// /16s) that hold boxes, found in one 64-byte bucket, each with the small tree of its boxes (most groups of
// a firewall's rules: one source or one destination network). Otherwise a tree of many boxes spread over a
// dimension may start with a cut of it into 2^k equal parts (HiCuts); below, nodes split one dimension at
// up to seven thresholds, each chosen as HyperSplit does (fewest boxes on the larger side, then fewest
// copies), so one cache line replaces three binary levels. A node becomes a leaf when it holds at most
// `leaf_size` boxes or its first box covers the node's whole region (later boxes are shadowed there).
// Leaves keep boxes in rule order, inline, with only the dimensions that some box of the leaf does not
// cover: a fixed-size block of four slots by four dimensions when they fit (checked with a few vector
// compares), rows otherwise; identical leaves are stored once. Every class gets the same number of trees and
// every lookup the same number of steps, so the lookup's branches do not depend on the packet. The lookup
// takes the smallest answer over its class's trees.

#include "codegen/value_sets.hpp"

#include <array>
#include <cstdint>
#include <vector>

namespace codegen {

// The encoding of appliance/classifier/decision_tree.hpp (codegen does not include the appliance headers;
// tests/unit/codegen/decision_tree_test.cpp checks that the two agree).
namespace table_encoding {
inline constexpr uint32_t sign_flip = 0x80000000;
inline constexpr uint32_t leaf_bit = 0x80000000;
inline constexpr uint32_t row_leaf_bit = 0x40000000;
inline constexpr uint32_t leaf_offset_mask = 0x3fffffff;
inline constexpr uint32_t node_dimension_shift = 24;
inline constexpr uint32_t node_offset_mask = (1u << node_dimension_shift) - 1;
inline constexpr uint32_t node_words = 16;
inline constexpr uint32_t split_ways = 8;
inline constexpr uint32_t unused_threshold = 0x7fffffff;
inline constexpr uint32_t block_slots = 4;
inline constexpr uint32_t block_lanes = 4;
inline constexpr uint32_t leaf_align_words = 4;
inline constexpr uint32_t block_dimensions_word = block_lanes * 2 * block_slots;
inline constexpr uint32_t block_rules = block_dimensions_word + 1;
inline constexpr uint32_t block_leaf_words =
    (block_rules + block_slots + 1 + leaf_align_words - 1) / leaf_align_words * leaf_align_words;
inline constexpr uint32_t half_flip = 0x8000;
inline constexpr uint32_t packed_halves = 2 * 2 * block_slots;
inline constexpr uint32_t packed_dimensions_word = packed_halves + 2 * block_slots;
inline constexpr uint32_t packed_rules = packed_dimensions_word + 1;
inline constexpr uint32_t packed_leaf_words = 32;
inline constexpr uint32_t packed_align_words = 16;
inline constexpr uint32_t max_trees = 4;
inline constexpr uint32_t per_leaf_dimensions = 0xffffffff;
inline constexpr uint32_t bucket_words = 16;
inline constexpr uint32_t bucket_parts = 7;
inline constexpr uint32_t no_part = 0xffffffff;
inline constexpr uint32_t prepared_key_words = 8;
inline constexpr uint32_t tree_words = 7; // an emitted classifier::Tree
// The bucket (0..buckets) of a part in a hashed entry.
constexpr uint32_t bucket_of(uint32_t part, uint32_t multiplier, uint32_t buckets) {
    return static_cast<uint32_t>(uint64_t(part) * multiplier >> 32) & buckets;
}
constexpr uint32_t protocol_class(uint32_t protocol) {
    return protocol == 1 ? 1 : protocol == 6 ? 2 : protocol == 17 ? 3 : 0;
}
} // namespace table_encoding

struct TreeOptions {
    uint32_t leaf_size = table_encoding::block_slots;
    uint32_t max_depth = 24; // inner nodes on a path (a larger leaf than 4095 boxes splits on regardless)
    // Cut entries (a tree's root): only for trees of at least cut_min_boxes boxes, at most 2^max_cut_bits
    // parts, no more than cut_parts_per_box parts per box, copies at most cut_copies_percent of the
    // boxes, and every part holding at most 1/cut_min_gain of them.
    uint32_t cut_min_boxes = 64;
    uint32_t max_cut_bits = 16;
    uint32_t cut_parts_per_box = 4;
    uint32_t cut_copies_percent = 150;
    // 4, not 8: at 10,000 fw rules no cut passed 1/8 (a popular prefix holds more); a cut at 1/4 shortens
    // most walks. `chain/compiled`, alternating: 10,000 rules 70.0-72.8 -> 66.5 ns, 1,000 rules 37.4-38.4 ->
    // 29.2-34.6 ns; tables 0.95 -> 1.42 MiB at 10,000 (classifier.md, round 5).
    uint32_t cut_min_gain = 4;
    // A tree of at least this many boxes (0: never) whose boxes lie in one or two parts of 2^wide_bits (or
    // 2^(2 x wide_bits)) values of an address starts with a hashed cut of it, as long as the boxes over more
    // parts, copied into every listed part they overlap, keep the copies within sparse_copies_percent of the
    // boxes. fw 10,000 rules 66-67 -> 54-55 ns (`chain/compiled`); below 512 boxes a cut or one root is as
    // shallow and costs less than a bucket (1,000 rules: 36-41 ns hashed, 34-35 ns not; classifier.md,
    // round 6).
    uint32_t sparse_min_boxes = 512;
    uint32_t sparse_copies_percent = 200;
    // A box is "wide" in an address dimension when it spans more than 2^wide_bits values.
    uint32_t wide_bits = 8;
    // A protocol class with at most this many boxes gets one tree instead of one per group.
    uint32_t single_tree_boxes = 128;
    // Groups share a tree when the class's tables stay within this percentage of their size with one tree
    // per group (0: never).
    uint32_t merge_budget_percent = 200;
    // Classes with more boxes than this keep their groups without trial merges: at 100,000 rules every trial
    // went over budget and the trials tripled `naclc emit` time (4 s -> 12 s) for nothing.
    size_t merge_max_boxes = 30000;
};

// The arrays of a DecisionTable, as plain numbers (see appliance/classifier/decision_tree.hpp).
struct DecisionTableData {
    uint32_t dimensions = 0;
    uint32_t protocol_dimension = 0xffffffff;
    uint32_t trees_per_class = 0;
    // Every block leaf's four lanes (dimensions, a byte each, in key order) when the key has at most four
    // besides ip.protocol; else per_leaf_dimensions (each block leaf names its own in its word 0).
    uint32_t block_dimensions = table_encoding::per_leaf_dimensions;
    // 1: the fixed lanes 2 and 3 are 16-bit dimensions and block leaves are packed (two of them in one
    // vector, 32 words on a 64-byte line).
    uint32_t packed_lanes = 0;
    std::vector<uint32_t> leaves;    // block and row leaves
    std::vector<uint32_t> leaf_refs; // the reference of every distinct leaf, by ascending offset
    std::vector<uint32_t> items;     // the row leaves' lists of checked dimensions
    std::vector<uint32_t> nodes;     // inner nodes, 16 words each
    std::vector<uint32_t> entries;   // the trees' roots and buckets
    struct Tree {
        uint32_t dimension = 0, low = 0, shift = 0, mask = 0;
        uint32_t multiplier = 0, buckets = 0, first = 0; // the entry's roots or buckets
        uint32_t min_rule = 0xffffffff; // the smallest rule the tree holds (no_match: an empty tree)
        bool hashed() const { return multiplier != 0; }
    };
    std::vector<Tree> trees; // 4 protocol classes x trees_per_class (1 class when the key has no protocol)
    // Figures for the comments, the tests and the docs.
    uint32_t inner_nodes = 0, max_depth = 0; // nodes, split nodes on the longest path
    uint32_t leaf_boxes = 0;                 // boxes stored in the distinct leaves (leaf_refs.size())
    uint64_t bytes() const {                 // the emitted tables: leaves, items, nodes, entries and trees
        return (leaves.size() + items.size() + nodes.size() + entries.size() +
                trees.size() * table_encoding::tree_words) *
               sizeof(uint32_t);
    }
    uint32_t row_leaves() const { // distinct leaves in the row format
        uint32_t n = 0;
        for (uint32_t ref : leaf_refs)
            n += (ref & table_encoding::row_leaf_bit) != 0;
        return n;
    }
};

// `boxes` are in rule order (box.rule non-decreasing); every box has one bound per dimension.
DecisionTableData build_decision_table(const std::vector<Box>& boxes, const std::vector<Dimension>& dims,
                                       const TreeOptions& options = {});

// The same lookup as appliance::classifier::first_match, over the builder's data (tests use it to
// check the builder without compiling C++).
uint32_t lookup(const DecisionTableData& table, const std::vector<uint32_t>& key);

} // namespace codegen
