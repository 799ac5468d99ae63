// Membership in a large set of values of one field (addresses, prefixes, ranges, ports): the set is kept
// as sorted, disjoint, inclusive intervals and searched by binary search. A union of prefixes is such a
// set once merged, so this one table serves exact values, prefix lists (no trie needed for membership)
// and ranges alike. codegen/ emits the bounds as constexpr arrays for sets too large to test inline.
#pragma once

#include <cstdint>

namespace appliance::classifier {

struct IntervalSet {
    const std::uint32_t* lows;  // sorted, strictly increasing
    const std::uint32_t* highs; // highs[i] >= lows[i], highs[i] < lows[i + 1]
    std::uint32_t count;
};

bool contains(const IntervalSet& set, std::uint32_t value);

} // namespace appliance::classifier
