// First-match lookup over many rules: the tables a compiled chain's large rule runs become.
//
// A rule set is a list of boxes: one inclusive interval per dimension of a key (a key is the packet's
// values of the fields the rules test, as uint32). A rule may own several boxes (an `or`, a port list).
// The boxes are split by protocol (TCP, UDP, ICMP, other: a lookup only searches its own protocol's
// trees) and then into a few groups by which address dimensions they leave open; each group is searched
// by a decision tree. A tree's entry cuts one dimension into parts and finds the part's subtree in one
// cache-line bucket: a hash of the parts that hold boxes when the group's boxes are narrow in an address
// (each /24 or /16 is a part), or 2^k equal parts (HiCuts), or one root; below it every inner node fits
// one cache line and compares one dimension with up to seven thresholds (an 8-way
// HyperSplit step). Leaves hold a few boxes inline, in rule order, with only the dimensions the leaf's
// region does not already decide. The answer is the smallest rule whose box contains the key.
//
// The lookup is written so that few of its branches depend on the packet: every class has the same
// number of trees (short classes are padded with empty trees), a bucket finds a part's root with vector
// compares, each tree is walked to its leaf (most trees reach theirs from the root, so that loop's branch
// is predicted), and a leaf is checked as a block of four box slots by four dimensions with vector
// compares. A mispredicted branch costs as much as a few node steps, and without them the processor
// overlaps the lookups of consecutive packets. codegen/ builds the tables on the host and emits them as
// constexpr arrays and the lookup into the chains (first_match_inline); this code walks them on the host
// and in the image. Plain data, no allocation, no exceptions.
#pragma once

#include <cstddef>
#include <cstdint>

namespace appliance::classifier {

inline constexpr std::uint32_t no_match = 0xffffffff;
inline constexpr std::uint32_t no_dimension = 0xffffffff;
inline constexpr std::uint32_t max_dimensions = 32;

// Values are compared as signed numbers after flipping their top bit (SSE2 has no unsigned compare), so
// thresholds, lows and spans are stored flipped: stored = value ^ sign_flip.
inline constexpr std::uint32_t sign_flip = 0x80000000;

// A child reference: a node (the word offset of its first word in `nodes` in the low bits, the dimension it
// splits from bit node_dimension_shift on), or with leaf_bit set a leaf (the word offset of its first word
// in `leaves`); with row_leaf_bit set too, a leaf in the row format. A node's reference carries its
// dimension so that a step reads the key's value while the node's line is still on its way, instead of
// after it (fw 10,000 rules 27.2-27.7 -> 26.2-26.5 ns; codegen/docs/classifier.md round 11).
inline constexpr std::uint32_t leaf_bit = 0x80000000;
inline constexpr std::uint32_t row_leaf_bit = 0x40000000;
inline constexpr std::uint32_t leaf_offset_mask = 0x3fffffff;
inline constexpr std::uint32_t node_dimension_shift = 24; // dimensions < max_dimensions: bits 24..28
inline constexpr std::uint32_t node_offset_mask = (1u << node_dimension_shift) - 1;

// Every inner node is node_words words (one 64-byte line; `nodes` is 64-byte aligned): word 0 the
// dimension (also in the references to the node), words 1..7 thresholds, ascending, flipped (unused:
// 0x7fffffff, above every flipped key), words 8..15 the children: child = word[8 + number of thresholds below
// key[dimension]].
inline constexpr std::uint32_t node_words = 16;
inline constexpr std::uint32_t split_ways = 8;
inline constexpr std::uint32_t unused_threshold = 0x7fffffff;

// Leaves start on 16-byte boundaries (leaf references are multiples of leaf_align_words; `leaves` is
// 64-byte aligned), so a block leaf's compares read their operands straight from memory.
inline constexpr std::uint32_t leaf_align_words = 4;

// A block leaf (the common kind): at most block_slots boxes checked in at most block_lanes dimensions
// (four slots: one vector per dimension; fw 10,000 rules 55-62 -> 50-55 ns against eight),
// block_leaf_words words: per lane its block_slots lows and block_slots flipped spans (high - low), then
// word block_dimensions_word the four checked dimensions (one byte each, lowest first), words block_rules..
// the rules of the slots and then no_match (empty slots: no_match), then unused words up to the next
// 16-byte boundary. A low is stored as -(low ^ sign_flip), so that key + stored is key - low flipped (an add,
// whose operands can come in either order, where a subtract of the key needed a copy of it). An unused
// lane checks dimension 0 with low 0 and span 0xffffffff (always inside).
inline constexpr std::uint32_t block_slots = 4;
inline constexpr std::uint32_t block_lanes = 4;
inline constexpr std::uint32_t block_dimensions_word = block_lanes * 2 * block_slots;
inline constexpr std::uint32_t block_rules = block_dimensions_word + 1;
inline constexpr std::uint32_t block_leaf_words =
    (block_rules + block_slots + 1 + leaf_align_words - 1) / leaf_align_words * leaf_align_words;

// A packed block leaf, in a table whose fixed lanes 2 and 3 are 16-bit dimensions (the ports of the fw
// key; DecisionTable::packed_lanes): lanes 0 and 1 as in a block (four lows and four flipped spans each),
// then lanes 2 and 3 in one vector of eight 16-bit values: the lows (lane 2's four slots, then lane 3's),
// stored as -(low ^ half_flip), then the eight spans, flipped (^ half_flip); then the dimensions word and the
// rules and no_match, 32 words in all. Every leaf of such a table starts on a 64-byte line
// (packed_align_words, row leaves padded to it), so a packed leaf spans two lines where a block spans three
// or four (fw 10,000 rules 31.5-35.6 -> 28.9-30.8 ns; classifier.md round 10).
inline constexpr std::uint32_t half_flip = 0x8000;
inline constexpr std::uint32_t packed_halves = 2 * 2 * block_slots; // words 16.. : 16-bit lows, then spans
inline constexpr std::uint32_t packed_dimensions_word = packed_halves + 2 * block_slots;
inline constexpr std::uint32_t packed_rules = packed_dimensions_word + 1;
inline constexpr std::uint32_t packed_leaf_words = 32;
inline constexpr std::uint32_t packed_align_words = 16;
static_assert(packed_rules + block_slots + 1 <= packed_leaf_words);

// A row leaf (more boxes or more checked dimensions than a block holds): a header word
// count | groups << 12 | list << 16 (count < 4096), then `count` boxes of 1 + 8 x groups words each: the
// rule, then per group of four checked dimensions their four lows and their four flipped spans (the key is
// flipped instead of the lows), then unused words up to the next 16-byte boundary. The checked dimensions are
// items[list .. list + groups), four dimension indices per word (lowest byte first); unused lanes have low 0
// and span 0xffffffff.
inline constexpr std::uint32_t max_groups = max_dimensions / 4;

// A protocol class has at most max_trees trees.
inline constexpr std::uint32_t max_trees = 4;

// Protocol classes: a packet searches the trees of its class only. (Sums of compares, not branches: the
// protocol changes from packet to packet.)
inline constexpr std::uint32_t protocol_classes = 4; // other, ICMP, TCP, UDP
constexpr std::uint32_t protocol_class(std::uint32_t protocol) {
    return std::uint32_t(protocol == 1) + 2 * std::uint32_t(protocol == 6) +
           3 * std::uint32_t(protocol == 17);
}

// A tree's entry cuts one dimension into parts, part = (key[dimension] - low) >> shift & mask, and finds
// the part's root in `entries` (64-byte aligned) in one of two ways:
// - multiplier 0: entries[first + part], one word per part: a dense cut into 2^k equal parts (HiCuts), or
//   with mask 0 the one root of a tree without a cut;
// - otherwise a hashed cut, for a tree whose boxes are narrow in one address (a /24 or longer, or a /16:
//   each lies in one or two of the parts): only the parts that hold boxes are listed, in buckets of
//   bucket_words words (one 64-byte line) at first + (uint32(uint64(part) * multiplier >> 32) & buckets) *
//   bucket_words: words 0..6 part numbers (unused: no_part), word 7 no_part, words 8..15 their roots, word
//   15 the root of every part the bucket does not list (the tree of the boxes wider than two parts, or
//   an empty leaf). One bucket replaces the first levels of a tree.
inline constexpr std::uint32_t bucket_words = 16;
inline constexpr std::uint32_t bucket_parts = 7;
inline constexpr std::uint32_t no_part = 0xffffffff;

struct Tree {
    std::uint32_t dimension;
    std::uint32_t low;
    std::uint32_t shift;
    std::uint32_t mask;
    std::uint32_t multiplier;
    std::uint32_t buckets; // hashed: the number of buckets - 1 (a power of two - 1); dense: parts - 1
    std::uint32_t first;   // word offset of the tree's roots or first bucket in `entries`
};

// A table whose key has at most block_lanes dimensions besides ip.protocol gives every block leaf the same
// four lanes: those dimensions, in key order (unused lanes: dimension 0, always inside), packed one byte
// each in DecisionTable::block_dimensions and in each block leaf's word 0. The lookup then spreads the
// key's four values once per packet instead of once per leaf, and a leaf check does not wait for its own
// word 0 (`codegen_classifier_bench`, fw 1,000 rules 33.8-34.5 -> 32.2 ns, 10,000 rules 47.6 -> 44.8 ns and
// in cache 37.3-38.6 -> 33.7 ns; Google Benchmark at 10,000 rules within its noise; classifier.md, round 7).
// A leaf of such a table that must check ip.protocol (a class of several protocols) is a row leaf.
// Otherwise block_dimensions is per_leaf_dimensions and each block leaf's word 0 names its own lanes.
inline constexpr std::uint32_t per_leaf_dimensions = 0xffffffff;

struct DecisionTable {
    std::uint32_t dimensions;         // key length (<= max_dimensions)
    std::uint32_t protocol_dimension; // the key index of ip.protocol, or no_dimension (one class: class 0)
    std::uint32_t trees_per_class;    // 1..max_trees; class c's trees are trees[c * trees_per_class ..]
    std::uint32_t block_dimensions;   // every block leaf's four lanes (a byte each), or per_leaf_dimensions
    std::uint32_t row_leaves;         // leaves in the row format (0: the lookup does not test for them)
    std::uint32_t packed_lanes;       // 1: block leaves are packed (lanes 2 and 3 16-bit, in one vector)
    const std::uint32_t* leaves;      // block and row leaves
    const std::uint32_t* items;       // the row leaves' lists of checked dimensions (shared)
    const std::uint32_t* nodes;       // inner nodes, node_words each
    const std::uint32_t* entries;     // the trees' roots and buckets
    const Tree* trees;                // classes x trees_per_class
};

// The smallest rule whose box contains `key` (key[d] for every dimension), or no_match.
std::uint32_t first_match(const DecisionTable& table, const std::uint32_t* key);

// A lookup done ahead of time, for a burst of packets at once (prepare_matches): the table, the key and
// its answer. A chain that reaches the table with the same key takes the answer instead of looking it up
// again; any other key (the packet changed on the way, or a guess of the runtime was wrong) is looked up
// as usual, so a prepared match can never change a verdict. The lookups of a burst are interleaved, so
// their loads overlap: fw 100,000 rules 145-170 -> 72-77 ns per lookup (`codegen_classifier_bench
// --batch`), where one lookup at a time waits for memory at every step (classifier.md, round 8).
inline constexpr std::uint32_t prepared_key_words = 8; // tables with longer keys are not prepared
// Lookups interleaved at a time (lookup::prepare_group): fw 100,000 rules 68 ns with 8, 57 with 16 and 59
// with 32 (Google Benchmark, classifier.md round 12).
inline constexpr std::uint32_t batch_size = 16;
struct PreparedMatch {
    const DecisionTable* table = nullptr;
    std::uint32_t match = no_match;
    std::uint32_t used = 0; // set by take_prepared when the answer was taken
    std::uint32_t key[prepared_key_words] = {};
};

// Looks up prepared[i].key in `table` for every i < count (each entry's table must be `table`).
void prepare_matches(const DecisionTable& table, PreparedMatch* prepared, std::size_t count);

// Whether `prepared` holds this table's answer for this key (and marks it used).
inline bool take_prepared(const DecisionTable& table, const std::uint32_t* key, PreparedMatch* prepared) {
    if (prepared == nullptr || prepared->table != &table) return false;
    std::uint32_t differ = 0;
    for (std::uint32_t d = 0; d < table.dimensions; ++d)
        differ |= key[d] ^ prepared->key[d];
    if (differ != 0) return false;
    prepared->used = 1;
    return true;
}

// first_match written into the caller, for a table of `Trees` trees per class (table.trees_per_class): the
// code naclc emits, where the table is a constant, so its fields fold into the lookup and there is no call
// and no dispatch on the number of trees (fw 10,000 rules, Google Benchmark: 51.8 -> 48.3 ns; classifier.md
// round 9). The same walk as first_match (decision_tree_lookup.hpp). `Shapes`, when not null, holds for each
// tree position t the entry that position has in every class (dimension, low, shift, mask, multiplier; the
// fw tables hash the /24 of saddr and of daddr in every class), or no_dimension where the classes differ:
// those entries are computed with constants.
template <std::uint32_t Trees, const Tree* Shapes = nullptr>
std::uint32_t first_match_inline(const DecisionTable& table, const std::uint32_t* key);

// prepare_matches written into the caller, for a table of `Trees` trees per class with entry shapes
// `Shapes` (as first_match_inline): the code naclc emits for a large table (fw 100,000 rules: 55.5 -> 52.5
// ns, and with one packet of the trace repeated 44 -> 40 ns; classifier.md round 12).
template <std::uint32_t Trees, const Tree* Shapes = nullptr>
void prepare_matches_inline(const DecisionTable& table, PreparedMatch* prepared, std::size_t count);

// first_match_inline, or the prepared answer when `prepared` holds this table and this key.
template <std::uint32_t Trees, const Tree* Shapes = nullptr>
std::uint32_t first_match_inline(const DecisionTable& table, const std::uint32_t* key,
                                 PreparedMatch* prepared) {
    return take_prepared(table, key, prepared) ? prepared->match
                                               : first_match_inline<Trees, Shapes>(table, key);
}

// Whether `shapes` (Trees of them) are the entry shapes of every class of `table` where they are given
// (naclc checks its first_match_inline arguments with it in a static_assert).
template <std::uint32_t Trees>
constexpr bool shapes_agree(const DecisionTable& table, const Tree* shapes) {
    const std::uint32_t classes = table.protocol_dimension == no_dimension ? 1 : protocol_classes;
    for (std::uint32_t c = 0; c < classes; ++c)
        for (std::uint32_t t = 0; t < Trees; ++t) {
            const Tree& s = shapes[t];
            const Tree& tree = table.trees[c * Trees + t];
            if (s.dimension != no_dimension &&
                (s.dimension != tree.dimension || s.low != tree.low || s.shift != tree.shift ||
                 s.mask != tree.mask || s.multiplier != tree.multiplier))
                return false;
        }
    return table.trees_per_class == Trees;
}

} // namespace appliance::classifier

#include "appliance/classifier/decision_tree_lookup.hpp"

namespace appliance::classifier {

template <std::uint32_t Trees, const Tree* Shapes>
[[gnu::always_inline]] inline std::uint32_t first_match_inline(const DecisionTable& table,
                                                               const std::uint32_t* key) {
    static_assert(Trees >= 1 && Trees <= max_trees);
    return lookup::first_match_in<Trees, Shapes>(table, lookup::class_trees(table, key), key);
}

template <std::uint32_t Trees, const Tree* Shapes>
inline void prepare_matches_inline(const DecisionTable& table, PreparedMatch* prepared, std::size_t count) {
    static_assert(Trees >= 1 && Trees <= max_trees);
    lookup::prepare_all<Trees, Shapes>(table, prepared, count);
}

} // namespace appliance::classifier
