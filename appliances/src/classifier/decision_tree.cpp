#include "appliance/classifier/decision_tree.hpp"

namespace appliance::classifier {

namespace {

using lookup::best_of_leaves;
using lookup::class_trees;
using lookup::first_match_in;
using lookup::roots;
using lookup::step;
using lookup::with_trees_per_class;

// Asks for the lines of the node or leaf a reference names, ahead of the stage that reads them.
void prefetch(const DecisionTable& table, std::uint32_t ref) {
    // A select, not a branch: whether a walk has reached its leaf changes from packet to packet.
    const bool leaf = (ref & leaf_bit) != 0;
    const std::uint32_t* at =
        (leaf ? table.leaves : table.nodes) + (ref & (leaf ? leaf_offset_mask : node_offset_mask));
    __builtin_prefetch(at);
    __builtin_prefetch(at + 16);
    __builtin_prefetch(at + 32);
}

// The lookups of up to batch_size keys interleaved stage by stage: every key's roots, then each walk step
// for every key, then every key's leaves. The keys' chains do not depend on each other, so their loads
// overlap where one lookup's would wait; each stage asks for the lines the next one reads.
template <std::uint32_t N>
void prepare_group(const DecisionTable& table, PreparedMatch* group, std::uint32_t count) {
    std::uint32_t refs[batch_size][N];
    bool leaves = true;
    for (std::uint32_t k = 0; k < count; ++k) {
        const std::uint32_t* key = group[k].key;
        std::uint32_t all = roots<N, nullptr>(table, class_trees(table, key), key, refs[k]);
        for (std::uint32_t t = 0; t < N; ++t)
            prefetch(table, refs[k][t]);
        leaves = leaves && (all & leaf_bit) != 0;
    }
    for (std::uint32_t s = 0; s < table.walk_steps; ++s) {
        leaves = true;
        for (std::uint32_t k = 0; k < count; ++k) {
            leaves = step(table, refs[k], group[k].key) && leaves;
            for (std::uint32_t t = 0; t < N; ++t)
                prefetch(table, refs[k][t]);
        }
    }
    if (__builtin_expect(!leaves, 0))
        for (std::uint32_t k = 0; k < count; ++k)
            while (!step(table, refs[k], group[k].key)) {
            }
    for (std::uint32_t k = 0; k < count; ++k)
        group[k].match = best_of_leaves(table, refs[k], group[k].key);
}

template <std::uint32_t N>
void prepare_all(const DecisionTable& table, PreparedMatch* prepared, std::size_t count) {
    for (std::size_t k = 0; k < count; k += batch_size) {
        auto n = static_cast<std::uint32_t>(count - k < batch_size ? count - k : batch_size);
        prepare_group<N>(table, prepared + k, n);
    }
}

} // namespace

std::uint32_t first_match(const DecisionTable& table, const std::uint32_t* key) {
    const Tree* trees = class_trees(table, key);
    return with_trees_per_class(table.trees_per_class,
                                [&](auto n) { return first_match_in<n>(table, trees, key); });
}

void prepare_matches(const DecisionTable& table, PreparedMatch* prepared, std::size_t count) {
    with_trees_per_class(table.trees_per_class, [&](auto n) { prepare_all<n>(table, prepared, count); });
}

} // namespace appliance::classifier
