#include "appliance/classifier/interval_set.hpp"

namespace appliance::classifier {

bool contains(const IntervalSet& set, std::uint32_t value) {
    // The last interval whose low is <= value is the only one that can hold it.
    std::uint32_t begin = 0, count = set.count;
    while (count > 0) {
        std::uint32_t half = count / 2;
        if (set.lows[begin + half] <= value) {
            begin += half + 1;
            count -= half + 1;
        } else {
            count = half;
        }
    }
    return begin > 0 && value <= set.highs[begin - 1];
}

} // namespace appliance::classifier
