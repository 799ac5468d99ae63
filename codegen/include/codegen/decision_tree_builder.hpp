#pragma once
// Builds the tables of appliance::classifier::DecisionTable from boxes: HyperSplit trees over groups.
//
// Boxes are split by protocol class (when the key has ip.protocol: a TCP packet never walks the UDP
// rules), then into groups by which of the wide dimensions (addresses) they leave almost open, as
// EffiCuts does: a group whose boxes are all narrow in the source address splits cleanly on it, and
// wildcards stop being copied into every leaf. Each group becomes a binary tree: a node cuts the
// dimension and threshold that best balance its boxes (fewest boxes on the larger side, then fewest
// copies), until a node holds at most `leaf_size` boxes or its first box covers the node's whole region
// (later boxes are shadowed there). Leaves keep boxes in rule order, so the first box that contains
// the key is the answer of that group; the lookup takes the smallest answer over its class's groups.

#include "codegen/value_sets.hpp"

#include <array>
#include <cstdint>
#include <vector>

namespace codegen {

struct TreeOptions {
    uint32_t leaf_size = 16;
    uint32_t max_depth = 48;
    // Cut nodes: only for nodes of at least cut_min_boxes boxes, at most 2^max_cut_bits parts, no more
    // than cut_parts_per_box parts per box, copies at most cut_copies_percent of the boxes, and every
    // part holding at most 1/cut_min_gain of them.
    uint32_t cut_min_boxes = 64;
    uint32_t max_cut_bits = 16;
    uint32_t cut_parts_per_box = 4;
    uint32_t cut_copies_percent = 150;
    uint32_t cut_min_gain = 8;
    // A box is "wide" in an address dimension when it spans more than 2^wide_bits values.
    uint32_t wide_bits = 24;
    // A protocol class with at most this many boxes gets one tree instead of one per group.
    uint32_t single_tree_boxes = 128;
};

// The four arrays of a DecisionTable, as plain numbers.
struct DecisionTableData {
    uint32_t dimensions = 0;
    uint32_t protocol_dimension = 0xffffffff;
    std::vector<uint32_t> boxes;    // rule, 0, lows, spans (padded to a multiple of 4 dimensions)
    std::vector<uint32_t> items;    // box offsets
    std::vector<uint32_t> nodes;    // two words per node
    std::vector<uint32_t> children; // cut nodes: region low, then child node indices
    struct Tree {
        uint32_t root = 0, min_rule = 0;
    };
    std::vector<Tree> trees;               // per protocol class, by min_rule
    std::array<uint32_t, 5> class_begin{}; // class c: trees [class_begin[c], class_begin[c + 1])
    // Figures for the comments and the docs.
    uint32_t leaves = 0, max_depth = 0;
};

// `boxes` are in rule order (box.rule non-decreasing); every box has one bound per dimension.
DecisionTableData build_decision_table(const std::vector<Box>& boxes, const std::vector<Dimension>& dims,
                                       const TreeOptions& options = {});

// The same lookup as appliance::classifier::first_match, over the builder's data (tests use it to
// check the builder without compiling C++).
uint32_t lookup(const DecisionTableData& table, const std::vector<uint32_t>& key);

} // namespace codegen
