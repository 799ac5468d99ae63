// First-match lookup over many rules: the tables a compiled chain's large rule runs become.
//
// A rule set is a list of boxes: one inclusive interval per dimension of a key (a key is the packet's
// values of the fields the rules test, as uint32). A rule may own several boxes (an `or`, a port list).
// The boxes are split by protocol (TCP, UDP, ICMP, other: a lookup only searches its own protocol's
// trees) and then into a few groups by which address dimensions they leave open; each group is searched
// by a decision tree whose nodes compare one dimension with a threshold (HyperSplit) or, where many
// boxes are spread over a dimension, cut it into 2^k equal parts in one step (HiCuts), and whose leaves
// hold a short list of boxes in rule order. The answer is the smallest rule whose box contains
// the key. codegen/ builds the tables on the host and emits them as constexpr arrays; this code walks them
// on the host and in the image. Plain data, no allocation, no exceptions.
#pragma once

#include <cstddef>
#include <cstdint>

namespace appliance::classifier {

inline constexpr std::uint32_t no_match = 0xffffffff;
inline constexpr std::uint32_t no_dimension = 0xffffffff;

// Node encoding: two words.
//   split: { threshold, first_child << 8 | dimension }   child = first_child + (key[dimension] > threshold)
//   cut:   { slot, k << 24 | shift << 16 | dimension << 8 | cut_tag }
//          child = children[slot + 1 + ((key[dimension] - children[slot]) >> shift)], fewer than 2^k parts
//   leaf:  { first item, count << 8 | leaf_tag }         items[first .. first + count)
inline constexpr std::uint32_t leaf_tag = 0xff;
inline constexpr std::uint32_t cut_tag = 0xfe;
inline constexpr std::uint32_t max_dimensions = 32;

// Protocol classes: a packet searches the trees of its class only.
inline constexpr std::uint32_t protocol_classes = 4; // other, ICMP, TCP, UDP
constexpr std::uint32_t protocol_class(std::uint32_t protocol) {
    return protocol == 1 ? 1 : protocol == 6 ? 2 : protocol == 17 ? 3 : 0;
}

// One tree of a table; `min_rule` is the smallest rule it holds, so a lookup that already found a better
// rule skips it.
struct Tree {
    std::uint32_t root; // node index
    std::uint32_t min_rule;
};

struct DecisionTable {
    std::uint32_t dimensions;         // key length (<= max_dimensions)
    std::uint32_t protocol_dimension; // the key index of ip.protocol, or no_dimension (one class: all trees)
    const std::uint32_t* boxes;       // per box (box_stride words): rule, 0, then padded_dimensions lows,
                                      // then padded_dimensions spans (high - low); padding: 0, 0xffffffff
    const std::uint32_t* items;       // leaf lists: offsets of boxes in `boxes`, in rule order
    const std::uint32_t* nodes;       // two words per node
    const std::uint32_t* children;    // cut nodes: the region's low value, then the children's node indices
    const Tree* trees;                // per protocol class, by increasing min_rule
    std::uint32_t class_begin[protocol_classes + 1]; // class c's trees: [class_begin[c], class_begin[c + 1])
};

// Boxes are checked four dimensions at a time: the key is padded to a multiple of four.
constexpr std::uint32_t padded_dimensions(std::uint32_t dimensions) {
    return (dimensions + 3) / 4 * 4;
}
// The words per box in DecisionTable::boxes.
constexpr std::uint32_t box_stride(std::uint32_t dimensions) {
    return 2 + 2 * padded_dimensions(dimensions);
}

// The smallest rule whose box contains `key` (key[d] for every dimension), or no_match.
std::uint32_t first_match(const DecisionTable& table, const std::uint32_t* key);

} // namespace appliance::classifier
