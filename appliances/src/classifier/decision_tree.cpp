#include "appliance/classifier/decision_tree.hpp"

namespace appliance::classifier {

using lookup::class_trees;
using lookup::first_match_in;
using lookup::prepare_all;
using lookup::with_trees_per_class;

std::uint32_t first_match(const DecisionTable& table, const std::uint32_t* key) {
    const Tree* trees = class_trees(table, key);
    return with_trees_per_class(table.trees_per_class,
                                [&](auto n) { return first_match_in<n>(table, trees, key); });
}

void prepare_matches(const DecisionTable& table, PreparedMatch* prepared, std::size_t count) {
    with_trees_per_class(table.trees_per_class,
                         [&](auto n) { prepare_all<n, nullptr>(table, prepared, count); });
}

} // namespace appliance::classifier
