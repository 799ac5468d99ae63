#include "codegen/decision_tree_builder.hpp"

#include <algorithm>
#include <bit>
#include <iterator>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>

namespace codegen {

namespace {

namespace cls = table_encoding;

constexpr uint32_t kNoMatch = 0xffffffff;
constexpr uint32_t kMaxTrees = 4; // appliance::classifier::max_trees

// A block's lanes as stored in its dimensions word (and in a table's block_dimensions): one byte per
// dimension, lane 0 lowest; lanes past the list check dimension 0.
uint32_t pack_lanes(const std::vector<uint32_t>& dimensions) {
    uint32_t packed = 0;
    for (size_t lane = 0; lane < dimensions.size(); ++lane)
        packed |= dimensions[lane] << (8 * lane);
    return packed;
}

// The words of a block leaf, in either format (packed: the table's lanes 2 and 3 are 16-bit; see
// appliance/classifier/decision_tree.hpp).
uint32_t block_words(bool packed) {
    return packed ? cls::packed_leaf_words : cls::block_leaf_words;
}
uint32_t block_dimensions_at(bool packed) {
    return packed ? cls::packed_dimensions_word : cls::block_dimensions_word;
}
uint32_t block_rules_at(bool packed) {
    return packed ? cls::packed_rules : cls::block_rules;
}

// Whether a lane of a block holds 16-bit values (a packed block's lanes 2 and 3).
bool half_lane(bool packed, uint32_t lane) {
    return packed && lane >= 2;
}

// Stores a slot's bound in a lane of a block leaf: a 32-bit lane's low as -(low ^ sign_flip) (key + this is
// key - low, flipped) and its span flipped; a 16-bit lane's the same with half_flip, two values per word
// (lane 2's four slots, then lane 3's).
void store_bound(std::vector<uint32_t>& words, bool packed, uint32_t lane, uint32_t slot, Interval bound) {
    if (!half_lane(packed, lane)) {
        words[lane * 2 * cls::block_slots + slot] = 0u - (bound.low ^ cls::sign_flip);
        words[(lane * 2 + 1) * cls::block_slots + slot] = (bound.high - bound.low) ^ cls::sign_flip;
        return;
    }
    bound.high = std::min(bound.high, 0xffffu);         // a box's bounds lie within dimension_max
    uint32_t at = (lane - 2) * cls::block_slots + slot; // the value's place among eight
    words[cls::packed_halves + at / 2] |= ((0u - (bound.low ^ cls::half_flip)) & 0xffff) << (16 * (at % 2));
    words[cls::packed_halves + cls::block_slots + at / 2] |= ((bound.high - bound.low) ^ cls::half_flip)
                                                             << (16 * (at % 2));
}

// A slot's bound in a lane of a block leaf as store_bound wrote it: a key is inside when
// ((key - low) & mask) <= span.
struct LaneBound {
    uint32_t low, span, mask;
};
LaneBound load_bound(const uint32_t* leaf, bool packed, uint32_t lane, uint32_t slot) {
    if (!half_lane(packed, lane))
        return {(0u - leaf[lane * 2 * cls::block_slots + slot]) ^ cls::sign_flip,
                leaf[(lane * 2 + 1) * cls::block_slots + slot] ^ cls::sign_flip, 0xffffffff};
    uint32_t at = (lane - 2) * cls::block_slots + slot;
    auto half = [&](uint32_t word) { return word >> (16 * (at % 2)) & 0xffff; };
    return {((0u - half(leaf[cls::packed_halves + at / 2])) & 0xffff) ^ cls::half_flip,
            half(leaf[cls::packed_halves + cls::block_slots + at / 2]) ^ cls::half_flip, 0xffff};
}

struct Builder {
    const std::vector<Box>& boxes;
    size_t dims;
    const TreeOptions& options;
    DecisionTableData& out;
    std::map<std::vector<uint32_t>, uint32_t> leaf_at; // a leaf's words -> its reference (stored once)
    std::map<std::vector<uint32_t>, uint32_t> list_at; // a list of checked dimensions -> its offset

    using Region = std::vector<Interval>;

    // Trial builds: a mark of the output's sizes, to measure what a build added and to take it back.
    struct Mark {
        size_t leaves = 0, leaf_refs = 0, items = 0, nodes = 0, entries = 0;
        uint32_t inner_nodes = 0, max_depth = 0, leaf_boxes = 0;
    };
    size_t abort_words = SIZE_MAX; // a trial build stops adding once it has added this many words
    bool aborted = false;
    Mark trial_start;
    // The lanes of every block leaf when the table fixes them (DecisionTableData::block_dimensions), in
    // key order; empty: each leaf checks the dimensions its boxes need.
    std::vector<uint32_t> fixed_lanes = {};

    Mark mark() const {
        return {out.leaves.size(),  out.leaf_refs.size(), out.items.size(), out.nodes.size(),
                out.entries.size(), out.inner_nodes,      out.max_depth,    out.leaf_boxes};
    }
    size_t words_since(const Mark& m) const {
        return out.leaves.size() - m.leaves + out.items.size() - m.items + out.nodes.size() - m.nodes +
               out.entries.size() - m.entries;
    }
    void rollback(const Mark& m) {
        out.leaves.resize(m.leaves);
        out.leaf_refs.resize(m.leaf_refs);
        out.items.resize(m.items);
        out.nodes.resize(m.nodes);
        out.entries.resize(m.entries);
        out.inner_nodes = m.inner_nodes;
        out.max_depth = m.max_depth;
        out.leaf_boxes = m.leaf_boxes;
        std::erase_if(leaf_at,
                      [&](const auto& entry) { return (entry.second & cls::leaf_offset_mask) >= m.leaves; });
        std::erase_if(list_at, [&](const auto& entry) { return entry.second >= m.items; });
    }

    bool covers(const Box& box, const Region& region) const {
        for (size_t d = 0; d < dims; ++d)
            if (box.bounds[d].low > region[d].low || box.bounds[d].high < region[d].high) return false;
        return true;
    }

    uint32_t make_leaf(const std::vector<uint32_t>& list, const Region& region, uint32_t depth) {
        out.max_depth = std::max(out.max_depth, depth);
        // Only the dimensions in which some box does not cover the region need a check.
        std::vector<uint32_t> checked;
        for (size_t d = 0; d < dims; ++d)
            for (uint32_t b : list)
                if (boxes[b].bounds[d].low > region[d].low || boxes[b].bounds[d].high < region[d].high) {
                    checked.push_back(static_cast<uint32_t>(d));
                    break;
                }
        bool block = list.size() <= cls::block_slots && checked.size() <= cls::block_lanes;
        if (!fixed_lanes.empty()) { // every dimension it checks must be a fixed lane: else rows
            for (uint32_t d : checked)
                block = block && std::find(fixed_lanes.begin(), fixed_lanes.end(), d) != fixed_lanes.end();
            if (block) checked = fixed_lanes;
        }
        std::vector<uint32_t> words = block ? block_leaf(list, checked) : row_leaf(list, checked);
        uint32_t kind = cls::leaf_bit | (block ? 0 : cls::row_leaf_bit);
        words.push_back(kind); // the map's key tells the formats apart; the stored leaf ends before it
        auto [leaf, added] =
            leaf_at.try_emplace(std::move(words), static_cast<uint32_t>(out.leaves.size()) | kind);
        if (added) {
            out.leaf_refs.push_back(leaf->second);
            out.leaves.insert(out.leaves.end(), leaf->first.begin(), leaf->first.end() - 1);
            out.leaf_boxes += static_cast<uint32_t>(list.size());
        }
        return leaf->second;
    }

    // A block leaf: block_slots slots by four lanes, packed when the table's lanes 2 and 3 are 16-bit (see
    // appliance/classifier/decision_tree.hpp).
    std::vector<uint32_t> block_leaf(const std::vector<uint32_t>& list,
                                     const std::vector<uint32_t>& checked) const {
        const bool packed = out.packed_lanes != 0;
        std::vector<uint32_t> words(block_words(packed), 0);
        words[block_dimensions_at(packed)] = pack_lanes(checked);
        for (uint32_t slot = 0; slot <= cls::block_slots; ++slot)
            words[block_rules_at(packed) + slot] = slot < list.size() ? boxes[list[slot]].rule : kNoMatch;
        for (uint32_t lane = 0; lane < cls::block_lanes; ++lane)
            for (uint32_t slot = 0; slot < cls::block_slots; ++slot) {
                // Unused lanes and empty slots: always inside.
                Interval bound{0, half_lane(packed, lane) ? 0xffffu : 0xffffffffu};
                if (lane < checked.size() && slot < list.size())
                    bound = boxes[list[slot]].bounds[checked[lane]];
                store_bound(words, packed, lane, slot, bound);
            }
        return words;
    }

    // A row leaf: a header, then per box the rule and per group of four checked dimensions their lows and
    // flipped spans.
    std::vector<uint32_t> row_leaf(const std::vector<uint32_t>& list, const std::vector<uint32_t>& checked) {
        uint32_t groups = static_cast<uint32_t>((checked.size() + 3) / 4);
        std::vector<uint32_t> packed(groups, 0);
        for (size_t i = 0; i < groups * 4; ++i) // unused lanes read dimension 0 and accept any value
            packed[i / 4] |= (i < checked.size() ? checked[i] : 0) << (8 * (i % 4));
        auto [list_entry, new_list] = list_at.try_emplace(packed, static_cast<uint32_t>(out.items.size()));
        if (new_list) out.items.insert(out.items.end(), packed.begin(), packed.end());
        std::vector<uint32_t> words{static_cast<uint32_t>(list.size()) | groups << 12 |
                                    list_entry->second << 16};
        for (uint32_t b : list) {
            words.push_back(boxes[b].rule);
            for (uint32_t g = 0; g < groups; ++g) {
                for (size_t i = 4 * g; i < 4 * g + 4; ++i)
                    words.push_back(i < checked.size() ? boxes[b].bounds[checked[i]].low : 0);
                for (size_t i = 4 * g; i < 4 * g + 4; ++i)
                    words.push_back((i < checked.size()
                                         ? boxes[b].bounds[checked[i]].high - boxes[b].bounds[checked[i]].low
                                         : 0xffffffff) ^
                                    cls::sign_flip);
            }
        }
        const uint32_t align = out.packed_lanes ? cls::packed_align_words : cls::leaf_align_words;
        words.resize((words.size() + align - 1) / align * align);
        return words;
    }

    // The HyperSplit threshold of dimension d within [low, high]: the fewest boxes on the larger side,
    // then the fewest copies. None when every box covers the range.
    std::optional<uint32_t> best_threshold(const std::vector<uint32_t>& list, size_t d, uint32_t low,
                                           uint32_t high, size_t& larger_out, size_t& total_out) const {
        std::vector<uint32_t> lows, highs, candidates;
        for (uint32_t b : list) {
            uint32_t lo = std::max(boxes[b].bounds[d].low, low);
            uint32_t hi = std::min(boxes[b].bounds[d].high, high);
            lows.push_back(lo);
            highs.push_back(hi);
            if (lo > low) candidates.push_back(lo - 1);
            if (hi < high) candidates.push_back(hi);
        }
        if (candidates.empty()) return std::nullopt;
        std::sort(lows.begin(), lows.end());
        std::sort(highs.begin(), highs.end());
        std::sort(candidates.begin(), candidates.end());
        candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
        // left(t): boxes starting at or below t; right(t): boxes ending above t. One sweep.
        size_t n = list.size(), li = 0, hi = 0, best_larger = SIZE_MAX, best_total = SIZE_MAX;
        uint32_t best = 0;
        for (uint32_t t : candidates) {
            while (li < n && lows[li] <= t)
                ++li;
            while (hi < n && highs[hi] <= t)
                ++hi;
            size_t left = li, right = n - hi;
            size_t larger = std::max(left, right), total = left + right;
            if (larger < best_larger || (larger == best_larger && total < best_total)) {
                best_larger = larger;
                best_total = total;
                best = t;
            }
        }
        larger_out = best_larger;
        total_out = best_total;
        return best;
    }

    void sides(const std::vector<uint32_t>& list, size_t d, uint32_t threshold, std::vector<uint32_t>& left,
               std::vector<uint32_t>& right) const {
        for (uint32_t b : list) {
            if (boxes[b].bounds[d].low <= threshold) left.push_back(b);
            if (boxes[b].bounds[d].high > threshold) right.push_back(b);
        }
    }

    // Up to 2^levels - 1 thresholds of dimension d within [low, high], by HyperSplit steps on the same
    // dimension; `sizes` gets the boxes of every part.
    void subdivide(const std::vector<uint32_t>& list, size_t d, uint32_t low, uint32_t high, uint32_t levels,
                   std::vector<uint32_t>& thresholds, std::vector<size_t>& sizes) const {
        size_t larger = 0, total = 0;
        std::optional<uint32_t> t;
        if (levels > 0 && list.size() > options.leaf_size)
            t = best_threshold(list, d, low, high, larger, total);
        if (!t || total == 2 * list.size()) { // no split, or one that copies every box to both sides
            sizes.push_back(list.size());
            return;
        }
        std::vector<uint32_t> left, right;
        sides(list, d, *t, left, right);
        subdivide(left, d, low, *t, levels - 1, thresholds, sizes);
        thresholds.push_back(*t);
        subdivide(right, d, *t + 1, high, levels - 1, thresholds, sizes);
    }

    struct Split {
        size_t dim = 0;
        std::vector<uint32_t> thresholds;
        size_t largest = SIZE_MAX, total = SIZE_MAX;
    };

    std::optional<Split> choose_split(const std::vector<uint32_t>& list, const Region& region) const {
        std::optional<Split> best;
        for (size_t d = 0; d < dims; ++d) {
            if (region[d].low == region[d].high) continue;
            Split s{d, {}, 0, 0};
            std::vector<size_t> sizes;
            subdivide(list, d, region[d].low, region[d].high, 3, s.thresholds, sizes);
            if (s.thresholds.empty()) continue;
            for (size_t n : sizes) {
                s.largest = std::max(s.largest, n);
                s.total += n;
            }
            if (!best || s.largest < best->largest || (s.largest == best->largest && s.total < best->total))
                best = std::move(s);
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

    uint32_t new_node() {
        uint32_t at = static_cast<uint32_t>(out.nodes.size());
        if (out.nodes.size() + cls::node_words > size_t{cls::node_offset_mask} + 1)
            throw std::length_error("a decision table needs more node words than its references address (" +
                                    std::to_string(cls::node_offset_mask + 1) + ")");
        ++out.inner_nodes;
        out.nodes.resize(out.nodes.size() + cls::node_words, 0);
        return at;
    }

    // Appends a dense entry: the roots of parts 0, 1, .. in order, one word each (for a tree without a cut,
    // one word: `root`).
    void add_roots(const std::vector<uint32_t>& roots, DecisionTableData::Tree& tree) {
        tree.multiplier = 0;
        tree.buckets = static_cast<uint32_t>(roots.size()) - 1;
        tree.first = static_cast<uint32_t>(out.entries.size());
        out.entries.insert(out.entries.end(), roots.begin(), roots.end());
    }

    // Appends a hashed entry for `roots` (part -> root): 7 parts per bucket, a part not listed gets
    // `absent`. The multiplier is the first of a fixed sequence that fills no bucket beyond 7 parts, so the
    // same rules always build the same tables.
    void add_hashed_roots(const std::vector<std::pair<uint32_t, uint32_t>>& roots, uint32_t absent,
                          DecisionTableData::Tree& tree) {
        // Buckets start on a 64-byte line (`entries` is 64-byte aligned).
        out.entries.resize(
            (out.entries.size() + cls::bucket_words - 1) / cls::bucket_words * cls::bucket_words, absent);
        uint64_t state = 0x9e3779b97f4a7c15ull;
        auto next_multiplier = [&] { // splitmix64
            uint64_t z = (state += 0x9e3779b97f4a7c15ull);
            z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
            z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
            return static_cast<uint32_t>(z ^ (z >> 31)) | 1u;
        };
        std::vector<uint32_t> load;
        auto fits = [&](uint32_t multiplier, uint32_t buckets) {
            load.assign(buckets, 0);
            for (auto& [part, root] : roots)
                if (++load[cls::bucket_of(part, multiplier, buckets - 1)] > cls::bucket_parts) return false;
            return true;
        };
        uint32_t buckets = std::bit_ceil(std::max<uint32_t>(1, static_cast<uint32_t>(roots.size()) / 2));
        uint32_t multiplier = next_multiplier();
        for (int attempt = 1; !fits(multiplier, buckets); ++attempt) {
            if (attempt % 64 == 0) buckets *= 2;
            multiplier = next_multiplier();
        }
        tree.multiplier = multiplier;
        tree.buckets = buckets - 1;
        tree.first = static_cast<uint32_t>(out.entries.size());
        out.entries.resize(out.entries.size() + size_t(buckets) * cls::bucket_words);
        for (uint32_t b = 0; b < buckets; ++b) {
            uint32_t* bucket = &out.entries[tree.first + b * cls::bucket_words];
            std::fill(bucket, bucket + 8, cls::no_part);
            std::fill(bucket + 8, bucket + 16, absent);
        }
        load.assign(buckets, 0);
        for (auto& [part, root] : roots) {
            uint32_t b = cls::bucket_of(part, multiplier, tree.buckets);
            uint32_t* bucket = &out.entries[tree.first + b * cls::bucket_words];
            bucket[load[b]] = part;
            bucket[8 + load[b]++] = root;
        }
    }

    // A tree whose entry cuts one dimension into equal parts.
    DecisionTableData::Tree cut_tree(const std::vector<uint32_t>& list, const Region& region,
                                     const Cut& cut) {
        const Interval& range = region[cut.dim];
        size_t parts = size_t(((uint64_t(range.high) - range.low) >> cut.shift) + 1);
        std::vector<std::vector<uint32_t>> lists(parts);
        for (uint32_t b : list) {
            uint64_t lo = std::max(boxes[b].bounds[cut.dim].low, range.low) - range.low;
            uint64_t hi = std::min(boxes[b].bounds[cut.dim].high, range.high) - range.low;
            for (uint64_t i = lo >> cut.shift; i <= hi >> cut.shift; ++i)
                lists[i].push_back(b);
        }
        std::vector<uint32_t> roots;
        for (size_t i = 0; i < parts; ++i)
            roots.push_back(build(std::move(lists[i]), part_of(region, cut.dim, cut.shift, i), 0));
        DecisionTableData::Tree tree{static_cast<uint32_t>(cut.dim), range.low, cut.shift, 0xffffffff};
        add_roots(roots, tree);
        return tree;
    }

    Region part_of(const Region& region, size_t dim, uint32_t shift, uint64_t i) const {
        Region part = region;
        part[dim].low = static_cast<uint32_t>(region[dim].low + (i << shift));
        part[dim].high = static_cast<uint32_t>(
            std::min<uint64_t>(region[dim].high, part[dim].low + (uint64_t(1) << shift) - 1));
        return part;
    }

    struct SparseCut {
        size_t dim = 0;
        uint32_t shift = 0;
        std::vector<uint32_t> wide;                      // boxes over more than two parts
        std::map<uint32_t, std::vector<uint32_t>> lists; // listed part -> its boxes, in rule order
    };

    // A hashed cut of an address dimension (spanning the whole 32 bits here) into parts of 2^shift values
    // (the finer of wide_bits and 2 x wide_bits that fits): a part is listed when a box lies in it and in
    // at most one other; it holds those boxes and the wider ones that overlap it, and the parts not listed
    // share one tree of the wider boxes. Fits when the copies stay within sparse_copies_percent.
    std::optional<SparseCut> choose_sparse_cut(const std::vector<uint32_t>& list,
                                               const Region& region) const {
        if (options.sparse_min_boxes == 0 || list.size() < options.sparse_min_boxes || options.wide_bits == 0)
            return std::nullopt;
        for (uint32_t shift : {options.wide_bits, 2 * options.wide_bits}) {
            if (shift >= 32) break;
            for (size_t d = 0; d < dims; ++d) {
                if (region[d].low != 0 || region[d].high != 0xffffffff) continue;
                SparseCut cut{d, shift, {}, {}};
                for (uint32_t b : list) {
                    uint64_t first = boxes[b].bounds[d].low >> shift, last = boxes[b].bounds[d].high >> shift;
                    if (last - first > 1)
                        cut.wide.push_back(b);
                    else
                        for (uint64_t i = first; i <= last; ++i)
                            cut.lists[static_cast<uint32_t>(i)].push_back(b);
                }
                if (cut.wide.size() * 2 > list.size()) continue; // mostly wide: nothing to hash
                size_t total = cut.wide.size(), limit = list.size() * options.sparse_copies_percent / 100;
                for (auto& [part, narrow] : cut.lists) {
                    std::vector<uint32_t> all;
                    uint64_t low = uint64_t(part) << shift, high = low + (uint64_t(1) << shift) - 1;
                    for (uint32_t b : cut.wide)
                        if (boxes[b].bounds[d].low <= high && boxes[b].bounds[d].high >= low)
                            all.push_back(b);
                    total += narrow.size() + all.size();
                    if (total > limit) break;
                    std::vector<uint32_t> merged;
                    std::merge(narrow.begin(), narrow.end(), all.begin(), all.end(),
                               std::back_inserter(merged));
                    narrow = std::move(merged);
                }
                if (total <= limit) return cut;
            }
        }
        return std::nullopt;
    }

    // A tree whose entry hashes the listed parts of a dimension (see decision_tree.hpp).
    DecisionTableData::Tree sparse_tree(SparseCut cut, const Region& region) {
        std::vector<std::pair<uint32_t, uint32_t>> roots;
        for (auto& [part, list] : cut.lists)
            roots.emplace_back(part, build(std::move(list), part_of(region, cut.dim, cut.shift, part), 0));
        DecisionTableData::Tree tree{static_cast<uint32_t>(cut.dim), 0, cut.shift, 0xffffffffu >> cut.shift};
        add_hashed_roots(roots, build(cut.wide, region, 0), tree);
        return tree;
    }

    // The tree of `list` (in rule order) within `region`: a hashed or equal-parts cut entry when one is worth
    // it, else one root.
    DecisionTableData::Tree build_tree(const std::vector<uint32_t>& list, const Region& region) {
        DecisionTableData::Tree tree;
        if (auto sparse = choose_sparse_cut(list, region))
            tree = sparse_tree(std::move(*sparse), region);
        else if (auto cut = choose_cut(list, region))
            tree = cut_tree(list, region, *cut);
        else
            add_roots({build(list, region, 0)}, tree);
        tree.min_rule = list.empty() ? kNoMatch : boxes[list.front()].rule;
        return tree;
    }

    uint32_t split_node(const std::vector<uint32_t>& list, const Region& region, uint32_t depth,
                        const Split& split) {
        uint32_t node = new_node();
        out.nodes[node] = static_cast<uint32_t>(split.dim);
        for (uint32_t i = 0; i + 1 < cls::split_ways; ++i)
            out.nodes[node + 1 + i] =
                i < split.thresholds.size() ? split.thresholds[i] ^ cls::sign_flip : cls::unused_threshold;
        uint32_t low = region[split.dim].low;
        uint32_t child = 0;
        for (size_t i = 0; i <= split.thresholds.size(); ++i) {
            uint32_t high = i < split.thresholds.size() ? split.thresholds[i] : region[split.dim].high;
            std::vector<uint32_t> part;
            for (uint32_t b : list)
                if (boxes[b].bounds[split.dim].low <= high && boxes[b].bounds[split.dim].high >= low)
                    part.push_back(b);
            Region sub = region;
            sub[split.dim] = {low, high};
            child = build(std::move(part), sub, depth + 1);
            out.nodes[node + 8 + i] = child;
            low = high + 1;
        }
        for (size_t i = split.thresholds.size() + 1; i < cls::split_ways; ++i)
            out.nodes[node + 8 + i] = child; // never chosen: the unused thresholds are never below a key
        return node | static_cast<uint32_t>(split.dim) << cls::node_dimension_shift;
    }

    // The child reference of a node holding `list` (in rule order) within `region`.
    uint32_t build(std::vector<uint32_t> list, const Region& region, uint32_t depth) {
        if (aborted || (abort_words != SIZE_MAX && words_since(trial_start) > abort_words)) {
            aborted = true; // over budget: the caller takes this trial back
            return cls::leaf_bit;
        }
        // Boxes after one that covers the whole region can never be first here.
        for (size_t i = 0; i < list.size(); ++i) {
            if (covers(boxes[list[i]], region)) {
                list.resize(i + 1);
                break;
            }
        }
        bool small = list.size() <= options.leaf_size || (depth >= options.max_depth && list.size() < 4096);
        if (small || covers(boxes[list.front()], region)) return make_leaf(list, region, depth);
        std::optional<Split> split = choose_split(list, region);
        if (!split)
            return make_leaf(list, region, depth); // every box covers the region: only the first counts
        return split_node(list, region, depth, *split);
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

// The set partitions of {0, .., n - 1} (n <= max_trees), as block numbers per element (restricted growth
// strings), fewest blocks first.
std::vector<std::vector<uint32_t>> partitions(uint32_t n) {
    std::vector<std::vector<uint32_t>> all;
    std::vector<uint32_t> blocks(n, 0);
    auto next = [&](auto& self, uint32_t i, uint32_t used) -> void {
        if (i == n) {
            all.push_back(blocks);
            return;
        }
        for (uint32_t b = 0; b <= used && b < n; ++b) {
            blocks[i] = b;
            self(self, i + 1, std::max(used, b + 1));
        }
    };
    if (n > 0) next(next, 0, 0);
    auto count = [](const std::vector<uint32_t>& p) { return *std::max_element(p.begin(), p.end()) + 1; };
    std::stable_sort(all.begin(), all.end(), [&](auto& a, auto& b) { return count(a) < count(b); });
    return all;
}

// A class this small is one tree, whatever its groups: a few boxes are cheaper in one walk.
bool one_tree(size_t boxes, const TreeOptions& options) {
    return boxes <= options.single_tree_boxes;
}

// Which groups of a class share a tree. Every tree is one more walk and one more leaf scan per lookup,
// so groups are merged whenever that keeps the class's tables within merge_budget_percent of the size
// of one tree per group (a merged tree copies the wide boxes of one group into the parts of the other:
// the trial builds measure by how much). Of the partitions with the fewest trees that fit, the smallest
// wins; the trial builds are taken back and the winner is built by the caller.
std::vector<std::vector<uint32_t>> merge_groups(Builder& builder,
                                                const std::vector<std::vector<uint32_t>>& groups,
                                                const Builder::Region& region, const TreeOptions& options) {
    uint32_t n = static_cast<uint32_t>(groups.size());
    if (n == 0) return {};
    auto merged = [&](const std::vector<uint32_t>& blocks) {
        uint32_t count = *std::max_element(blocks.begin(), blocks.end()) + 1;
        std::vector<std::vector<uint32_t>> lists(count);
        for (uint32_t g = 0; g < n; ++g)
            lists[blocks[g]].insert(lists[blocks[g]].end(), groups[g].begin(), groups[g].end());
        for (auto& list : lists)
            std::sort(list.begin(), list.end());
        return lists;
    };
    size_t total = 0;
    for (auto& list : groups)
        total += list.size();
    if (n <= 1 || one_tree(total, options)) return merged(std::vector<uint32_t>(n, 0));
    if (options.merge_budget_percent == 0 || total > options.merge_max_boxes) return groups;
    Builder::Mark start = builder.mark();
    auto trial = [&](const std::vector<std::vector<uint32_t>>& lists, size_t limit) -> std::optional<size_t> {
        builder.trial_start = start;
        builder.abort_words = limit;
        builder.aborted = false;
        for (auto& list : lists)
            builder.build_tree(list, region);
        std::optional<size_t> words;
        if (!builder.aborted && builder.words_since(start) <= limit) words = builder.words_since(start);
        builder.abort_words = SIZE_MAX;
        builder.aborted = false;
        builder.rollback(start);
        return words;
    };
    size_t separate = *trial(groups, SIZE_MAX);
    size_t budget = separate * options.merge_budget_percent / 100;
    std::optional<std::vector<std::vector<uint32_t>>> best;
    size_t best_words = SIZE_MAX, best_count = n;
    for (const auto& blocks : partitions(n)) {
        uint32_t count = *std::max_element(blocks.begin(), blocks.end()) + 1;
        if (count >= n || (best && count > best_count)) break;
        auto lists = merged(blocks);
        if (auto words = trial(lists, std::min(budget, best_words)); words && *words < best_words) {
            best_words = *words;
            best_count = count;
            best = std::move(lists);
        }
    }
    return best ? *best : groups;
}

} // namespace

DecisionTableData build_decision_table(const std::vector<Box>& boxes, const std::vector<Dimension>& dims,
                                       const TreeOptions& options) {
    DecisionTableData out;
    out.dimensions = static_cast<uint32_t>(dims.size());
    for (size_t d = 0; d < dims.size(); ++d)
        if (dims[d] == Dimension{nacl::ir::Field::IpProtocol, -1})
            out.protocol_dimension = static_cast<uint32_t>(d);
    uint32_t classes = out.protocol_dimension == kNoMatch ? 1 : 4;

    Builder builder{boxes, dims.size(), options, out, {}, {}, SIZE_MAX, false, {}};
    // Fixed lanes when the dimensions besides ip.protocol fit in a block's lanes (the classes decide the
    // protocol, so only a leaf of several protocols checks it, as rows).
    std::vector<uint32_t> lanes;
    for (uint32_t d = 0; d < dims.size(); ++d)
        if (d != out.protocol_dimension) lanes.push_back(d);
    if (!lanes.empty() && lanes.size() <= cls::block_lanes) {
        out.block_dimensions = pack_lanes(lanes);
        // Lanes 2 and 3 of 16 bits (the fw key's ports) share one vector: a block then fits two cache
        // lines (classifier.md round 10).
        out.packed_lanes = lanes.size() == cls::block_lanes && dimension_max(dims[lanes[2]]) <= 0xffff &&
                           dimension_max(dims[lanes[3]]) <= 0xffff;
        builder.fixed_lanes = std::move(lanes);
    }
    Builder::Region full;
    for (auto& d : dims)
        full.push_back({0, dimension_max(d)});
    std::vector<std::vector<DecisionTableData::Tree>> class_trees(4);
    std::vector<Builder::Region> regions(classes, full);
    std::vector<std::vector<std::vector<uint32_t>>> separate(classes), merged(classes);
    size_t most_separate = 0, most_merged = 0;
    for (uint32_t c = 0; c < classes; ++c) {
        // Groups of this class: one bit per wide dimension (addresses) in which the box is wide.
        std::map<uint32_t, std::vector<uint32_t>> groups;
        for (uint32_t b = 0; b < boxes.size(); ++b) {
            if (classes > 1 && !in_class(boxes[b].bounds[out.protocol_dimension], c)) continue;
            // 0: narrow in the first address dimension; 1: wide there, narrow in the second; 2: wide in both.
            uint32_t key = 0;
            for (size_t d = 0; d < dims.size(); ++d) {
                if (dimension_max(dims[d]) != 0xffffffff) continue;
                uint64_t span = uint64_t(boxes[b].bounds[d].high) - boxes[b].bounds[d].low;
                if (!(span >> options.wide_bits) || key + 1 == kMaxTrees) break;
                ++key;
            }
            groups[key].push_back(b);
        }
        if (classes > 1 && c > 0) { // the class's one protocol: the trees need not split on it
            static constexpr uint32_t numbers[] = {0, 1, 6, 17};
            regions[c][out.protocol_dimension] = {numbers[c], numbers[c]};
        }
        size_t total = 0;
        for (auto& [key, list] : groups) {
            total += list.size();
            separate[c].push_back(std::move(list));
        }
        merged[c] = merge_groups(builder, separate[c], regions[c], options);
        if (one_tree(total, options)) separate[c] = merged[c]; // merge_groups gave it one tree
        most_separate = std::max(most_separate, separate[c].size());
        most_merged = std::max(most_merged, merged[c].size());
    }
    // Every class walks as many trees as the class with the most, so merges pay only when they lower that
    // number; otherwise a merged tree is only deeper (fw 10,000 rules: 47.8 vs 51.9 ns).
    for (uint32_t c = 0; c < classes; ++c) {
        for (auto& list : most_merged < most_separate ? merged[c] : separate[c])
            class_trees[c].push_back(builder.build_tree(list, regions[c]));
        // Hashed entries first, so that the lookup's branch on the entry's kind mostly sees the same kind at
        // the same place in every class.
        std::stable_sort(class_trees[c].begin(), class_trees[c].end(),
                         [](auto& a, auto& b) { return a.hashed() && !b.hashed(); });
    }
    // Every class gets the same number of trees (the lookup's loops then have fixed counts): short ones
    // are padded with trees whose one child is an empty leaf. Without ip.protocol there is one class.
    out.trees_per_class = 1;
    for (auto& trees : class_trees)
        out.trees_per_class = std::max(out.trees_per_class, static_cast<uint32_t>(trees.size()));
    std::optional<DecisionTableData::Tree> empty_tree; // one root: an empty leaf
    for (uint32_t c = 0; c < classes; ++c) {
        auto& trees = class_trees[c];
        if (trees.size() < out.trees_per_class && !empty_tree) {
            empty_tree.emplace();
            builder.add_roots({builder.make_leaf({}, full, 0)}, *empty_tree);
        }
        if (empty_tree) trees.resize(out.trees_per_class, *empty_tree);
        out.trees.insert(out.trees.end(), trees.begin(), trees.end());
    }
    if (out.items.empty()) out.items.push_back(0); // keep every array non-empty
    if (out.nodes.empty()) out.nodes.resize(cls::node_words, 0);
    return out;
}

uint32_t lookup(const DecisionTableData& t, const std::vector<uint32_t>& key) {
    uint32_t c = t.protocol_dimension == kNoMatch ? 0 : cls::protocol_class(key[t.protocol_dimension]);
    uint32_t best = kNoMatch;
    for (uint32_t i = c * t.trees_per_class; i < (c + 1) * t.trees_per_class; ++i) {
        const auto& tree = t.trees[i];
        uint32_t part = (key[tree.dimension] - tree.low) >> tree.shift & tree.mask;
        uint32_t ref;
        if (tree.hashed()) {
            const uint32_t* bucket = t.entries.data() + tree.first +
                                     cls::bucket_of(part, tree.multiplier, tree.buckets) * cls::bucket_words;
            uint32_t listed = 0;
            while (listed < cls::bucket_parts && bucket[listed] != part)
                ++listed;
            ref = bucket[8 + listed];
        } else {
            ref = t.entries[tree.first + part];
        }
        while (!(ref & cls::leaf_bit)) {
            const uint32_t* node = t.nodes.data() + (ref & cls::node_offset_mask);
            uint32_t value = key[ref >> cls::node_dimension_shift];
            uint32_t way = 0;
            while (way + 1 < cls::split_ways && value > (node[1 + way] ^ cls::sign_flip))
                ++way;
            ref = node[8 + way];
        }
        const uint32_t* leaf = t.leaves.data() + (ref & cls::leaf_offset_mask);
        if (!(ref & cls::row_leaf_bit)) {
            const bool packed = t.packed_lanes != 0;
            const uint32_t* rules = leaf + block_rules_at(packed);
            for (uint32_t slot = 0; slot < cls::block_slots && rules[slot] < best; ++slot) {
                bool inside = true;
                for (uint32_t lane = 0; lane < cls::block_lanes && inside; ++lane) {
                    LaneBound b = load_bound(leaf, packed, lane, slot);
                    inside = ((key[leaf[block_dimensions_at(packed)] >> (8 * lane) & 0xff] - b.low) &
                              b.mask) <= b.span;
                }
                if (inside) best = rules[slot];
            }
            continue;
        }
        uint32_t count = leaf[0] & 0xfff, groups = leaf[0] >> 12 & 0xf;
        std::vector<uint32_t> checked;
        for (uint32_t g = 0; g < groups; ++g)
            for (uint32_t lane = 0; lane < 4; ++lane)
                checked.push_back(t.items[(leaf[0] >> 16) + g] >> (8 * lane) & 0xff);
        const uint32_t* box = leaf + 1;
        for (uint32_t j = 0; j < count; ++j, box += 1 + 8 * groups) {
            if (box[0] >= best) break;
            bool inside = true;
            for (uint32_t g = 0; g < groups && inside; ++g)
                for (uint32_t lane = 0; lane < 4 && inside; ++lane)
                    inside = key[checked[4 * g + lane]] - box[1 + 8 * g + lane] <=
                             (box[5 + 8 * g + lane] ^ cls::sign_flip);
            if (inside) {
                best = box[0];
                break;
            }
        }
    }
    return best;
}

} // namespace codegen
