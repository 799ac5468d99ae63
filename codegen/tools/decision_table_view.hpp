#pragma once
// The lookup's view (appliance::classifier::DecisionTable) of the builder's arrays, for the host programs
// that build tables in memory and look them up without emitting C++: codegen_classifier_bench, the unit
// tests and the classifier fuzz target. (codegen/ itself does not include the appliance headers.)
#include "appliance/classifier/decision_tree.hpp"
#include "codegen/decision_tree_builder.hpp"

#include <vector>

namespace codegen {

// `trees` receives the trees' entries and must outlive the view.
inline appliance::classifier::DecisionTable table_view(const DecisionTableData& data,
                                                       std::vector<appliance::classifier::Tree>& trees) {
    trees.clear();
    for (const auto& t : data.trees)
        trees.push_back({t.dimension, t.low, t.shift, t.mask, t.multiplier, t.buckets, t.first});
    return {data.dimensions,   data.protocol_dimension, data.trees_per_class, data.block_dimensions,
            data.row_leaves(), data.packed_lanes,       data.leaves.data(),   data.items.data(),
            data.nodes.data(), data.entries.data(),     trees.data()};
}

} // namespace codegen
