// First-match lookup over many rules: the tables a compiled chain's large rule runs become.
//
// A rule set is a list of boxes: one inclusive interval per dimension of a key (a key is the packet's
// values of the fields the rules test, as uint32). A rule may own several boxes (an `or`, a port list).
// The boxes are split by protocol (TCP, UDP, ICMP, other: a lookup only searches its own protocol's
// trees) and then into a few groups by which address dimensions they leave open; each group is searched
// by a decision tree. Its inner nodes fit one cache line: a split node compares one dimension with up to
// seven thresholds (an 8-way HyperSplit step), a cut node cuts one dimension into 2^k equal parts
// (HiCuts). Its leaves hold a few boxes inline, in rule order, with only the dimensions the leaf's region
// does not already decide. The answer is the smallest rule whose box contains the key. codegen/ builds
// the tables on the host and emits them as constexpr arrays; this code walks them on the host and in the
// image. Plain data, no allocation, no exceptions.
#pragma once

#include <cstddef>
#include <cstdint>

namespace appliance::classifier {

inline constexpr std::uint32_t no_match = 0xffffffff;
inline constexpr std::uint32_t no_dimension = 0xffffffff;
inline constexpr std::uint32_t max_dimensions = 32;

// A child reference: a node (the word offset of its first word in `nodes`), or with leaf_bit set a leaf
// (the word offset of its header in `boxes`).
inline constexpr std::uint32_t leaf_bit = 0x80000000;

// Every inner node is node_words words (one 64-byte line; `nodes` is 64-byte aligned). Word 0 is
// kind | dimension << 8 | shift << 16.
//   split: words 1..7 thresholds, ascending (unused: 0xffffffff); words 8..15 the children:
//          child = word[8 + number of thresholds below key[dimension]]
//   cut:   word 1 the region's low value, word 2 a slot in `children`:
//          child = children[slot + ((key[dimension] - low) >> shift)]
inline constexpr std::uint32_t node_words = 16;
inline constexpr std::uint32_t split_kind = 0;
inline constexpr std::uint32_t cut_kind = 1;
inline constexpr std::uint32_t split_ways = 8;

// A leaf in `boxes`: a header word count | groups << 12 | list << 16 (count < 4096), then `count` boxes of
// 1 + 8 x groups words each: the rule, then per group of four checked dimensions their four lows and
// their four spans (high - low). The checked dimensions are items[list .. list + groups), four
// dimension indices per word (lowest byte first); unused lanes have low 0 and span 0xffffffff.
// A one-group leaf is scanned four boxes at a time whatever its count (slots past the count are masked),
// so `boxes` ends with three empty boxes of slack (leaf_slack_words). Leaves are not padded.
inline constexpr std::uint32_t leaf_slack_words = 3 * 9;
inline constexpr std::uint32_t max_groups = max_dimensions / 4;
// A protocol class has at most max_trees trees; only a tree's root may be a cut node.
inline constexpr std::uint32_t max_trees = 4;

// Protocol classes: a packet searches the trees of its class only.
inline constexpr std::uint32_t protocol_classes = 4; // other, ICMP, TCP, UDP
constexpr std::uint32_t protocol_class(std::uint32_t protocol) {
    return protocol == 1 ? 1 : protocol == 6 ? 2 : protocol == 17 ? 3 : 0;
}

// One tree of a table; `min_rule` is the smallest rule it holds (for the reader: a lookup walks all trees
// of its class together and takes the smallest answer).
struct Tree {
    std::uint32_t root; // child reference
    std::uint32_t min_rule;
};

struct DecisionTable {
    std::uint32_t dimensions;         // key length (<= max_dimensions)
    std::uint32_t protocol_dimension; // the key index of ip.protocol, or no_dimension (one class: all trees)
    const std::uint32_t* boxes;       // the leaves (header and inline boxes)
    const std::uint32_t* items;       // the leaves' lists of checked dimensions (shared)
    const std::uint32_t* nodes;       // inner nodes, node_words each
    const std::uint32_t* children;    // cut nodes' child references
    const Tree* trees;                // per protocol class, by increasing min_rule
    std::uint32_t class_begin[protocol_classes + 1]; // class c's trees: [class_begin[c], class_begin[c + 1])
};

// The smallest rule whose box contains `key` (key[d] for every dimension), or no_match.
std::uint32_t first_match(const DecisionTable& table, const std::uint32_t* key);

} // namespace appliance::classifier
