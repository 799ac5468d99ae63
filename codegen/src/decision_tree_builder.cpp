#include "codegen/decision_tree_builder.hpp"

#include <algorithm>
#include <bit>
#include <map>
#include <optional>

namespace codegen {

namespace {

constexpr uint32_t kLeafTag = 0xff;
constexpr uint32_t kNoMatch = 0xffffffff;

struct Builder {
    const std::vector<Box>& boxes;
    const std::vector<uint32_t>& offsets; // of each box in the boxes words
    size_t dims;
    const TreeOptions& options;
    DecisionTableData& out;

    using Region = std::vector<Interval>;

    bool covers(const Box& box, const Region& region) const {
        for (size_t d = 0; d < dims; ++d)
            if (box.bounds[d].low > region[d].low || box.bounds[d].high < region[d].high) return false;
        return true;
    }

    void make_leaf(uint32_t node, const std::vector<uint32_t>& list, uint32_t depth) {
        out.nodes[2 * node] = static_cast<uint32_t>(out.items.size());
        out.nodes[2 * node + 1] = static_cast<uint32_t>(list.size()) << 8 | kLeafTag;
        for (uint32_t b : list)
            out.items.push_back(offsets[b]);
        ++out.leaves;
        out.max_depth = std::max(out.max_depth, depth);
    }

    struct Split {
        size_t dim = 0;
        uint32_t threshold = 0;
        size_t larger = SIZE_MAX, total = SIZE_MAX;
        bool found = false;
    };

    Split choose(const std::vector<uint32_t>& list, const Region& region) const {
        Split best;
        std::vector<uint32_t> lows, highs, candidates;
        size_t n = list.size();
        for (size_t d = 0; d < dims; ++d) {
            if (region[d].low == region[d].high) continue;
            lows.clear();
            highs.clear();
            candidates.clear();
            for (uint32_t b : list) {
                uint32_t lo = std::max(boxes[b].bounds[d].low, region[d].low);
                uint32_t hi = std::min(boxes[b].bounds[d].high, region[d].high);
                lows.push_back(lo);
                highs.push_back(hi);
                if (lo > region[d].low) candidates.push_back(lo - 1);
                if (hi < region[d].high) candidates.push_back(hi);
            }
            if (candidates.empty()) continue;
            std::sort(lows.begin(), lows.end());
            std::sort(highs.begin(), highs.end());
            std::sort(candidates.begin(), candidates.end());
            candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
            // left(t): boxes starting at or below t; right(t): boxes ending above t. One sweep.
            size_t li = 0, hi = 0;
            for (uint32_t t : candidates) {
                while (li < n && lows[li] <= t)
                    ++li;
                while (hi < n && highs[hi] <= t)
                    ++hi;
                size_t left = li, right = n - hi;
                size_t larger = std::max(left, right), total = left + right;
                if (larger < best.larger || (larger == best.larger && total < best.total))
                    best = {d, t, larger, total, true};
            }
        }
        return best;
    }

    struct Cut {
        size_t dim = 0;
        uint32_t k = 0, shift = 0;
        size_t largest = SIZE_MAX, total = SIZE_MAX;
    };

    // The best equal-parts cut of one dimension, when one is worth it (see TreeOptions).
    std::optional<Cut> choose_cut(const std::vector<uint32_t>& list, const Region& region) const {
        size_t n = list.size();
        if (n < options.cut_min_boxes) return std::nullopt;
        std::optional<Cut> best;
        std::vector<int64_t> diff;
        for (size_t d = 0; d < dims; ++d) {
            uint64_t width = uint64_t(region[d].high) - region[d].low + 1;
            uint32_t width_bits = static_cast<uint32_t>(std::bit_width(width - 1));
            for (uint32_t k = std::min({options.max_cut_bits, width_bits,
                                        uint32_t(std::bit_width(n * options.cut_parts_per_box)) - 1});
                 k >= 4; --k) {
                uint32_t shift = width_bits - k;
                size_t parts = size_t(((width - 1) >> shift) + 1);
                diff.assign(parts + 1, 0);
                size_t total = 0;
                for (uint32_t b : list) {
                    uint64_t lo = std::max(boxes[b].bounds[d].low, region[d].low) - region[d].low;
                    uint64_t hi = std::min(boxes[b].bounds[d].high, region[d].high) - region[d].low;
                    ++diff[lo >> shift];
                    --diff[(hi >> shift) + 1];
                    total += (hi >> shift) - (lo >> shift) + 1;
                }
                if (total * 100 > n * options.cut_copies_percent) continue; // coarser cuts copy less
                size_t largest = 0;
                int64_t running = 0;
                for (size_t i = 0; i < parts; ++i) {
                    running += diff[i];
                    largest = std::max(largest, size_t(running));
                }
                if (largest * options.cut_min_gain > n) break; // coarser cuts only do worse
                if (!best || largest < best->largest || (largest == best->largest && total < best->total))
                    best = Cut{d, k, shift, largest, total};
                break; // the finest acceptable cut of this dimension
            }
        }
        return best;
    }

    void cut_node(uint32_t node, std::vector<uint32_t> list, const Region& region, uint32_t depth,
                  const Cut& cut) {
        const Interval& range = region[cut.dim];
        size_t parts = size_t(((uint64_t(range.high) - range.low) >> cut.shift) + 1);
        uint32_t slot = static_cast<uint32_t>(out.children.size());
        out.children.resize(out.children.size() + 1 + parts);
        out.children[slot] = range.low;
        out.nodes[2 * node] = slot;
        out.nodes[2 * node + 1] = cut.k << 24 | cut.shift << 16 | static_cast<uint32_t>(cut.dim) << 8 | 0xfe;
        std::vector<std::vector<uint32_t>> lists(parts);
        for (uint32_t b : list) {
            uint64_t lo = std::max(boxes[b].bounds[cut.dim].low, range.low) - range.low;
            uint64_t hi = std::min(boxes[b].bounds[cut.dim].high, range.high) - range.low;
            for (uint64_t i = lo >> cut.shift; i <= hi >> cut.shift; ++i)
                lists[i].push_back(b);
        }
        list.clear();
        list.shrink_to_fit();
        uint32_t empty = UINT32_MAX; // parts without boxes share one empty leaf
        for (size_t i = 0; i < parts; ++i) {
            if (lists[i].empty() && empty != UINT32_MAX) {
                out.children[slot + 1 + i] = empty;
                continue;
            }
            uint32_t child = static_cast<uint32_t>(out.nodes.size() / 2);
            out.nodes.resize(out.nodes.size() + 2);
            out.children[slot + 1 + i] = child;
            if (lists[i].empty()) empty = child;
            Region part = region;
            part[cut.dim].low = static_cast<uint32_t>(range.low + (uint64_t(i) << cut.shift));
            part[cut.dim].high = static_cast<uint32_t>(
                std::min<uint64_t>(range.high, part[cut.dim].low + (uint64_t(1) << cut.shift) - 1));
            build(child, std::move(lists[i]), part, depth + 1);
        }
    }

    void build(uint32_t node, std::vector<uint32_t> list, const Region& region, uint32_t depth) {
        // Boxes after one that covers the whole region can never be first here.
        for (size_t i = 0; i < list.size(); ++i) {
            if (covers(boxes[list[i]], region)) {
                list.resize(i + 1);
                break;
            }
        }
        if (list.size() <= options.leaf_size || covers(boxes[list.front()], region) ||
            depth >= options.max_depth) {
            make_leaf(node, list, depth);
            return;
        }
        if (auto cut = choose_cut(list, region)) {
            cut_node(node, std::move(list), region, depth, *cut);
            return;
        }
        Split split = choose(list, region);
        if (!split.found) {
            make_leaf(node, list, depth);
            return;
        }
        std::vector<uint32_t> left, right;
        for (uint32_t b : list) {
            const Interval& i = boxes[b].bounds[split.dim];
            if (std::max(i.low, region[split.dim].low) <= split.threshold) left.push_back(b);
            if (std::min(i.high, region[split.dim].high) > split.threshold) right.push_back(b);
        }
        list.clear();
        list.shrink_to_fit();
        uint32_t child = static_cast<uint32_t>(out.nodes.size() / 2);
        out.nodes.resize(out.nodes.size() + 4);
        out.nodes[2 * node] = split.threshold;
        out.nodes[2 * node + 1] = child << 8 | static_cast<uint32_t>(split.dim);
        Region left_region = region, right_region = region;
        left_region[split.dim].high = split.threshold;
        right_region[split.dim].low = split.threshold + 1;
        build(child, std::move(left), left_region, depth + 1);
        build(child + 1, std::move(right), right_region, depth + 1);
    }
};

// Whether a box's protocol interval holds a protocol of class c (0: other, 1: ICMP, 2: TCP, 3: UDP).
bool in_class(const Interval& protocol, uint32_t c) {
    static constexpr uint32_t numbers[] = {0, 1, 6, 17};
    if (c != 0) return protocol.low <= numbers[c] && numbers[c] <= protocol.high;
    for (uint32_t v = protocol.low; v <= protocol.high; ++v)
        if (v != 1 && v != 6 && v != 17) return true;
    return false;
}

} // namespace

DecisionTableData build_decision_table(const std::vector<Box>& boxes, const std::vector<Dimension>& dims,
                                       const TreeOptions& options) {
    DecisionTableData out;
    out.dimensions = static_cast<uint32_t>(dims.size());
    std::vector<uint32_t> offsets;
    size_t padded = (dims.size() + 3) / 4 * 4; // appliance::classifier::padded_dimensions
    for (const Box& box : boxes) {
        offsets.push_back(static_cast<uint32_t>(out.boxes.size()));
        out.boxes.push_back(box.rule);
        out.boxes.push_back(0);
        for (size_t d = 0; d < padded; ++d)
            out.boxes.push_back(d < dims.size() ? box.bounds[d].low : 0);
        for (size_t d = 0; d < padded; ++d)
            out.boxes.push_back(d < dims.size() ? box.bounds[d].high - box.bounds[d].low : 0xffffffff);
    }
    for (size_t d = 0; d < dims.size(); ++d)
        if (dims[d] == Dimension{nacl::ir::Field::IpProtocol, -1})
            out.protocol_dimension = static_cast<uint32_t>(d);
    uint32_t classes = out.protocol_dimension == kNoMatch ? 1 : 4;

    Builder builder{boxes, offsets, dims.size(), options, out};
    Builder::Region full;
    for (auto& d : dims)
        full.push_back({0, dimension_max(d)});
    for (uint32_t c = 0; c < 4; ++c) {
        out.class_begin[c] = static_cast<uint32_t>(out.trees.size());
        if (c >= classes) continue;
        // Groups of this class: one bit per wide dimension (addresses) in which the box is wide.
        std::map<uint32_t, std::vector<uint32_t>> groups;
        for (uint32_t b = 0; b < boxes.size(); ++b) {
            if (classes > 1 && !in_class(boxes[b].bounds[out.protocol_dimension], c)) continue;
            // 0: narrow in the first address dimension; 1: wide there, narrow in the second; 2: wide in both.
            uint32_t key = 0;
            for (size_t d = 0; d < dims.size(); ++d) {
                if (dimension_max(dims[d]) != 0xffffffff) continue;
                uint64_t span = uint64_t(boxes[b].bounds[d].high) - boxes[b].bounds[d].low;
                if (!(span >> options.wide_bits)) break;
                ++key;
            }
            groups[key].push_back(b);
        }
        // A few boxes are cheaper in one tree than spread over three.
        size_t total = 0;
        for (auto& [key, list] : groups)
            total += list.size();
        if (total <= options.single_tree_boxes && groups.size() > 1) {
            std::vector<uint32_t> all;
            for (auto& [key, list] : groups)
                all.insert(all.end(), list.begin(), list.end());
            std::sort(all.begin(), all.end());
            groups.clear();
            groups[0] = std::move(all);
        }
        Builder::Region region = full;
        if (classes > 1 && c > 0) { // the class's one protocol: the trees need not split on it
            static constexpr uint32_t numbers[] = {0, 1, 6, 17};
            region[out.protocol_dimension] = {numbers[c], numbers[c]};
        }
        size_t first = out.trees.size();
        for (auto& [key, list] : groups) {
            uint32_t root = static_cast<uint32_t>(out.nodes.size() / 2);
            out.nodes.resize(out.nodes.size() + 2);
            out.trees.push_back({root, boxes[list.front()].rule});
            builder.build(root, list, region, 0);
        }
        std::stable_sort(out.trees.begin() + long(first), out.trees.end(),
                         [](auto& a, auto& b) { return a.min_rule < b.min_rule; });
    }
    out.class_begin[4] = static_cast<uint32_t>(out.trees.size());
    return out;
}

uint32_t lookup(const DecisionTableData& t, const std::vector<uint32_t>& key) {
    static constexpr auto protocol_class = [](uint32_t p) {
        return p == 1 ? 1u : p == 6 ? 2u : p == 17 ? 3u : 0u;
    };
    uint32_t c = t.protocol_dimension == kNoMatch ? 0 : protocol_class(key[t.protocol_dimension]);
    uint32_t best = kNoMatch;
    for (uint32_t i = t.class_begin[c]; i < t.class_begin[c + 1]; ++i) {
        const auto& tree = t.trees[i];
        if (tree.min_rule >= best) break;
        uint32_t node = tree.root;
        for (;;) {
            uint32_t info = t.nodes[2 * node + 1];
            if ((info & 0xff) == kLeafTag) break;
            if ((info & 0xff) == 0xfe) {
                const uint32_t* slot = t.children.data() + t.nodes[2 * node];
                node = slot[1 + ((key[info >> 8 & 0xff] - slot[0]) >> (info >> 16 & 0xff))];
                continue;
            }
            node = (info >> 8) + (key[info & 0xff] > t.nodes[2 * node] ? 1 : 0);
        }
        uint32_t first = t.nodes[2 * node], count = t.nodes[2 * node + 1] >> 8;
        for (uint32_t j = 0; j < count; ++j) {
            const uint32_t* box = t.boxes.data() + t.items[first + j];
            if (box[0] >= best) break;
            size_t padded = (t.dimensions + 3) / 4 * 4;
            bool inside = true;
            for (uint32_t d = 0; d < t.dimensions && inside; ++d)
                inside = key[d] - box[2 + d] <= box[2 + padded + d];
            if (inside) {
                best = box[0];
                break;
            }
        }
    }
    return best;
}

} // namespace codegen
