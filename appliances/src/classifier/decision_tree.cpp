#include "appliance/classifier/decision_tree.hpp"

namespace appliance::classifier {

namespace {

// Four lanes of 32 bits: plain SSE2 on x86-64 (host and image), written with the compiler's vector
// extension so no intrinsics header is needed.
typedef std::int32_t Lanes __attribute__((vector_size(16)));
typedef float FloatLanes __attribute__((vector_size(16)));

// An unaligned load of four words.
Lanes load(const std::uint32_t* at) {
    Lanes v;
    __builtin_memcpy(&v, at, sizeof v);
    return v;
}

Lanes splat(std::uint32_t value) {
    auto v = static_cast<std::int32_t>(value);
    return Lanes{v, v, v, v};
}

// One bit per lane whose top bit is set (an all-ones compare result).
std::uint32_t lane_bits(Lanes v) {
    return static_cast<std::uint32_t>(__builtin_ia32_movmskps(reinterpret_cast<FloatLanes>(v)));
}

// The child of a split node for `key`. The node's first four words are the dimension and three
// thresholds, the next four the other four thresholds: two compares against the flipped key give one bit
// per threshold below it, in ascending order, so the number of them is the count of trailing ones.
std::uint32_t child_of(const std::uint32_t* node, const std::uint32_t* key) {
    Lanes value = splat(key[node[0]] ^ sign_flip);
    std::uint32_t below = lane_bits(value > load(node)) | lane_bits(value > load(node + 4)) << 4;
    return node[8 + __builtin_ctz(~(below >> 1))]; // bit 0 compared the dimension word: dropped
}

// The root of a tree for `key`: its part's reference in the part's bucket (word 15 when not listed).
std::uint32_t root_of(const DecisionTable& table, const Tree& tree, const std::uint32_t* key) {
    std::uint32_t part = (key[tree.dimension] - tree.low) >> tree.shift & tree.mask;
    if (tree.multiplier == 0) return table.entries[tree.first + part]; // a dense cut or one root
    auto hash = static_cast<std::uint32_t>(std::uint64_t{part} * tree.multiplier >> 32);
    const std::uint32_t* bucket = table.entries + tree.first + (hash & tree.buckets) * bucket_words;
    Lanes wanted = splat(part);
    std::uint32_t listed = lane_bits(wanted == load(bucket)) | lane_bits(wanted == load(bucket + 4)) << 4;
    return bucket[8 + __builtin_ctz(listed | 1u << bucket_parts)];
}

// One step down from each of N trees' current nodes at once, without a branch per tree: a reference that
// already is a leaf stays (its step reads node 0 and discards the result). The steps of different trees
// do not depend on each other, so their loads overlap. True when every tree is at its leaf.
template <std::uint32_t N>
bool step(const DecisionTable& table, std::uint32_t (&refs)[N], const std::uint32_t* key) {
    std::uint32_t all = leaf_bit;
    for (std::uint32_t t = 0; t < N; ++t) {
        std::uint32_t ref = refs[t];
        std::uint32_t leaf = ref & leaf_bit;
        std::uint32_t child = child_of(table.nodes + (leaf ? 0 : ref), key);
        refs[t] = leaf ? ref : child;
        all &= refs[t];
    }
    return all != 0;
}

// The key's values of a block leaf's four lanes (dimensions packed one byte each), each in all four lanes of
// a vector: the same for every leaf of a table with fixed lanes, so those spread them once per packet.
struct LaneValues {
    Lanes lane[block_lanes];
};

LaneValues lane_values(std::uint32_t dims, const std::uint32_t* key) {
    LaneValues values;
    for (std::uint32_t lane = 0; lane < block_lanes; ++lane)
        values.lane[lane] = splat(key[dims >> (8 * lane) & 0xff]);
    return values;
}

// The first box of a block leaf that contains the key: every lane (dimension) compares the key with the
// block_slots slots' lows and spans, four slots per vector; a slot is inside when key - low <= span
// (unsigned, so a key below `low` wraps and fails too), and the lowest inside slot holds the smallest rule.
std::uint32_t scan_block(const std::uint32_t* leaf, const LaneValues& values) {
    const std::uint32_t* rules = leaf + 1;
    const std::uint32_t* bounds = rules + block_slots + 1;
    constexpr std::uint32_t vectors = block_slots / 4;
    Lanes outside[vectors] = {}; // four slots per vector
    for (std::uint32_t lane = 0; lane < block_lanes; ++lane, bounds += 2 * block_slots) {
        // (key - flipped low) is key - low flipped: a signed compare with the flipped span decides.
        for (std::uint32_t v = 0; v < vectors; ++v)
            outside[v] |= (values.lane[lane] - load(bounds + 4 * v)) > load(bounds + block_slots + 4 * v);
    }
    std::uint32_t inside = 0;
    for (std::uint32_t v = 0; v < vectors; ++v)
        inside |= lane_bits(outside[v]) << 4 * v;
    inside = ~inside & ((1u << block_slots) - 1);
    return rules[__builtin_ctz(inside | 1u << block_slots)]; // no slot inside: the no_match after them
}

// The smallest rule of a box in a row leaf that contains the key, or no_match: box by box, four
// dimensions per vector step (the rare leaf that a block does not hold).
std::uint32_t scan_rows(const DecisionTable& table, const std::uint32_t* leaf, const std::uint32_t* key) {
    std::uint32_t header = leaf[0];
    std::uint32_t count = header & 0xfff, groups = header >> 12 & 0xf;
    const std::uint32_t* list = table.items + (header >> 16);
    Lanes lanes[max_groups];
    for (std::uint32_t g = 0; g < groups; ++g) {
        std::uint32_t d = list[g];
        lanes[g] = Lanes{static_cast<std::int32_t>(key[d & 0xff] ^ sign_flip),
                         static_cast<std::int32_t>(key[d >> 8 & 0xff] ^ sign_flip),
                         static_cast<std::int32_t>(key[d >> 16 & 0xff] ^ sign_flip),
                         static_cast<std::int32_t>(key[d >> 24] ^ sign_flip)};
    }
    const std::uint32_t* box = leaf + 1;
    std::uint32_t stride = 1 + 8 * groups;
    for (std::uint32_t i = 0; i < count; ++i, box += stride) {
        Lanes outside = {0, 0, 0, 0};
        for (std::uint32_t g = 0; g < groups; ++g)
            outside |= (lanes[g] - load(box + 1 + 8 * g)) > load(box + 5 + 8 * g);
        if (lane_bits(outside) == 0) return box[0]; // boxes are in rule order
    }
    return no_match;
}

// The smallest rule of the N trees' leaves that contains the key. Always inlined: left to the compiler, the
// one-key lookup called it and took 62 instead of 45 ns at 10,000 rules (`codegen_classifier_bench`).
template <std::uint32_t N>
[[gnu::always_inline]] inline std::uint32_t
best_of_leaves(const DecisionTable& table, const std::uint32_t (&refs)[N], const std::uint32_t* key) {
    std::uint32_t best = no_match;
    // Fixed lanes: the key's four lane values are spread once, before any leaf is known. (A constant of
    // the table: the branch is always predicted.) The two loops are written out: sharing them through a
    // lambda compiled to slower code (classifier.md, round 7).
    if (table.block_dimensions != per_leaf_dimensions) {
        const LaneValues shared = lane_values(table.block_dimensions, key);
        for (std::uint32_t t = 0; t < N; ++t) {
            const std::uint32_t* leaf = table.leaves + (refs[t] & leaf_offset_mask);
            std::uint32_t rule = __builtin_expect(refs[t] & row_leaf_bit, 0) ? scan_rows(table, leaf, key)
                                                                             : scan_block(leaf, shared);
            best = rule < best ? rule : best;
        }
        return best;
    }
    for (std::uint32_t t = 0; t < N; ++t) {
        const std::uint32_t* leaf = table.leaves + (refs[t] & leaf_offset_mask);
        std::uint32_t rule = __builtin_expect(refs[t] & row_leaf_bit, 0)
                                 ? scan_rows(table, leaf, key)
                                 : scan_block(leaf, lane_values(leaf[0], key));
        best = rule < best ? rule : best;
    }
    return best;
}

// The trees of the key's protocol class.
const Tree* class_trees(const DecisionTable& table, const std::uint32_t* key) {
    std::uint32_t c =
        table.protocol_dimension == no_dimension ? 0 : protocol_class(key[table.protocol_dimension]);
    return table.trees + c * table.trees_per_class;
}

// The lookup in a table of N trees per class (N is a constant here, so the trees' references stay in
// registers and their loops unroll).
template <std::uint32_t N>
std::uint32_t first_match_in(const DecisionTable& table, const Tree* trees, const std::uint32_t* key) {
    std::uint32_t refs[N];
    std::uint32_t all = leaf_bit;
    for (std::uint32_t t = 0; t < N; ++t) {
        const Tree& tree = trees[t];
        refs[t] = root_of(table, tree, key);
        all &= refs[t];
    }
    // The same number of steps for every packet, so the loop's branch is always predicted; the few
    // walks that are deeper continue below.
    bool leaves = all != 0;
    for (std::uint32_t s = 0; s < table.walk_steps; ++s)
        leaves = step(table, refs, key);
    if (__builtin_expect(!leaves, 0))
        while (!step(table, refs, key)) {
        }
    return best_of_leaves(table, refs, key);
}

// Asks for the lines of the node or leaf a reference names, ahead of the stage that reads them.
void prefetch(const DecisionTable& table, std::uint32_t ref) {
    // A select, not a branch: whether a walk has reached its leaf changes from packet to packet.
    const std::uint32_t* base = ref & leaf_bit ? table.leaves : table.nodes;
    const std::uint32_t* at = base + (ref & leaf_offset_mask);
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
        const Tree* trees = class_trees(table, key);
        std::uint32_t all = leaf_bit;
        for (std::uint32_t t = 0; t < N; ++t) {
            refs[k][t] = root_of(table, trees[t], key);
            prefetch(table, refs[k][t]);
            all &= refs[k][t];
        }
        leaves = leaves && all != 0;
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
    switch (table.trees_per_class) { // a constant of the table: always predicted
    case 1:
        return first_match_in<1>(table, trees, key);
    case 2:
        return first_match_in<2>(table, trees, key);
    case 3:
        return first_match_in<3>(table, trees, key);
    default:
        return first_match_in<max_trees>(table, trees, key);
    }
}

void prepare_matches(const DecisionTable& table, PreparedMatch* prepared, std::size_t count) {
    switch (table.trees_per_class) {
    case 1:
        return prepare_all<1>(table, prepared, count);
    case 2:
        return prepare_all<2>(table, prepared, count);
    case 3:
        return prepare_all<3>(table, prepared, count);
    default:
        return prepare_all<max_trees>(table, prepared, count);
    }
}

} // namespace appliance::classifier
