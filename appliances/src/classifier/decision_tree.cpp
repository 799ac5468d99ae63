#include "appliance/classifier/decision_tree.hpp"

namespace appliance::classifier {

namespace {

// Four lanes of uint32: plain SSE2 on x86-64 (host and image), written with the compiler's vector
// extension so no intrinsics header is needed.
typedef std::uint32_t Lanes __attribute__((vector_size(16)));

// An unaligned load (boxes are arrays of words).
Lanes load(const std::uint32_t* at) {
    Lanes v;
    __builtin_memcpy(&v, at, sizeof v);
    return v;
}

// Whether the box contains the key: key - low <= high - low in every dimension (unsigned, so a key
// below `low` wraps and fails too), four dimensions per step and no branch per dimension.
bool box_contains(const std::uint32_t* box, std::uint32_t padded, const std::uint32_t* key) {
    const std::uint32_t* lows = box + 2;
    const std::uint32_t* spans = lows + padded;
    Lanes inside = {~0u, ~0u, ~0u, ~0u};
    for (std::uint32_t d = 0; d < padded; d += 4) {
        inside &= (Lanes)(load(key + d) - load(lows + d) <= load(spans + d));
    }
    return (inside[0] & inside[1] & inside[2] & inside[3]) != 0;
}

std::uint32_t search_tree(const DecisionTable& table, std::uint32_t node, const std::uint32_t* key,
                          std::uint32_t padded, std::uint32_t best) {
    const std::uint32_t* nodes = table.nodes;
    for (;;) {
        std::uint32_t info = nodes[2 * node + 1];
        std::uint32_t dimension = info & 0xff;
        if (dimension == leaf_tag) break;
        if (dimension == cut_tag) {
            const std::uint32_t* slot = table.children + nodes[2 * node];
            node = slot[1 + ((key[info >> 8 & 0xff] - slot[0]) >> (info >> 16 & 0xff))];
            continue;
        }
        node = (info >> 8) + (key[dimension] > nodes[2 * node] ? 1u : 0u);
    }
    std::uint32_t first = nodes[2 * node];
    std::uint32_t count = nodes[2 * node + 1] >> 8;
    for (std::uint32_t i = 0; i < count; ++i) {
        const std::uint32_t* box = table.boxes + table.items[first + i];
        if (box[0] >= best) break; // items are in rule order: nothing better follows
        if (box_contains(box, padded, key)) return box[0];
    }
    return best;
}

} // namespace

std::uint32_t first_match(const DecisionTable& table, const std::uint32_t* unpadded) {
    // The key padded with zeros to a multiple of four (the boxes' padding lanes accept any value).
    std::uint32_t key[max_dimensions];
    std::uint32_t padded = padded_dimensions(table.dimensions);
    for (std::uint32_t d = 0; d < padded; ++d)
        key[d] = d < table.dimensions ? unpadded[d] : 0;
    std::uint32_t c =
        table.protocol_dimension == no_dimension ? 0 : protocol_class(key[table.protocol_dimension]);
    std::uint32_t best = no_match;
    for (std::uint32_t t = table.class_begin[c]; t < table.class_begin[c + 1]; ++t) {
        const Tree& tree = table.trees[t];
        if (tree.min_rule >= best) break; // a class's trees are in min_rule order
        best = search_tree(table, tree.root, key, padded, best);
    }
    return best;
}

} // namespace appliance::classifier
