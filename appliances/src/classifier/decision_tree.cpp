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

// One step down from every tree's current node at once, without a branch per tree: a reference that
// already is a leaf stays (its step reads node 0 and discards the result). The steps of different trees
// do not depend on each other, so their loads overlap.
bool step(const DecisionTable& table, std::uint32_t* refs, std::uint32_t n, const std::uint32_t* key) {
    std::uint32_t all = leaf_bit;
    for (std::uint32_t t = 0; t < n; ++t) {
        std::uint32_t ref = refs[t];
        std::uint32_t leaf = ref & leaf_bit;
        const std::uint32_t* node = table.nodes + (leaf ? 0 : ref);
        std::uint32_t value = key[node[0] >> 8 & 0xff];
        std::uint32_t i = (value > node[1]) + (value > node[2]) + (value > node[3]) + (value > node[4]) +
                          (value > node[5]) + (value > node[6]) + (value > node[7]);
        std::uint32_t child = node[8 + i];
        refs[t] = leaf ? ref : child;
        all &= refs[t];
    }
    return all == 0; // some tree has not reached its leaf
}

// The smallest rule of a box in the leaf that contains the key, or no_match. A box check is
// key - low <= span (unsigned: a key below `low` wraps and fails too), four dimensions per step; no
// branch per box but the loop's.
std::uint32_t scan(const DecisionTable& table, const std::uint32_t* leaf, const std::uint32_t* key) {
    std::uint32_t header = leaf[0];
    std::uint32_t count = header & 0xfff, groups = header >> 12 & 0xf;
    const std::uint32_t* list = table.items + (header >> 16);
    Lanes lanes[max_groups];
    for (std::uint32_t g = 0; g < groups; ++g) {
        std::uint32_t d = list[g];
        lanes[g] = Lanes{key[d & 0xff], key[d >> 8 & 0xff], key[d >> 16 & 0xff], key[d >> 24]};
    }
    const std::uint32_t* box = leaf + 1;
    std::uint32_t best = no_match;
    if (groups == 1) { // the common case: at most four checked dimensions, one vector step per box
        // Four boxes per loop trip, past the count masked (`boxes` has slack after the last leaf): one
        // trip for a leaf of up to four boxes, so the loop's branch is predictable.
        for (std::uint32_t i = 0; i < count; i += 4, box += 36) {
            for (std::uint32_t j = 0; j < 4; ++j) {
                Lanes outside = (Lanes)(lanes[0] - load(box + 9 * j + 1) > load(box + 9 * j + 5));
                std::uint32_t rule = box[9 * j] | outside[0] | outside[1] | outside[2] | outside[3] |
                                     (0u - std::uint32_t(i + j >= count));
                best = rule < best ? rule : best;
            }
        }
        return best;
    }
    std::uint32_t stride = 1 + 8 * groups;
    for (std::uint32_t i = 0; i < count; ++i, box += stride) {
        Lanes outside = {0, 0, 0, 0};
        for (std::uint32_t g = 0; g < groups; ++g)
            outside |= (Lanes)(lanes[g] - load(box + 1 + 8 * g) > load(box + 5 + 8 * g));
        std::uint32_t rule =
            box[0] | outside[0] | outside[1] | outside[2] | outside[3]; // no_match unless inside
        best = rule < best ? rule : best;
    }
    return best;
}

} // namespace

std::uint32_t first_match(const DecisionTable& table, const std::uint32_t* key) {
    std::uint32_t c =
        table.protocol_dimension == no_dimension ? 0 : protocol_class(key[table.protocol_dimension]);
    // The class's trees (at most max_trees), walked together: a root may be a cut node, every node below
    // is a split node.
    std::uint32_t refs[max_trees];
    std::uint32_t n = table.class_begin[c + 1] - table.class_begin[c];
    const Tree* trees = table.trees + table.class_begin[c];
    for (std::uint32_t t = 0; t < n; ++t) {
        std::uint32_t ref = trees[t].root;
        if (!(ref & leaf_bit) && (table.nodes[ref] & 0xff) == cut_kind) {
            const std::uint32_t* node = table.nodes + ref;
            ref = table.children[node[2] + ((key[node[0] >> 8 & 0xff] - node[1]) >> (node[0] >> 16 & 0xff))];
        }
        refs[t] = ref;
    }
    while (step(table, refs, n, key)) {
    }
    // Then the leaves: the smallest matching rule over all of them.
    std::uint32_t best = no_match;
    for (std::uint32_t t = 0; t < n; ++t) {
        std::uint32_t rule = scan(table, table.boxes + (refs[t] & ~leaf_bit), key);
        best = rule < best ? rule : best;
    }
    return best;
}

} // namespace appliance::classifier
