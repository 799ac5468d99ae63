// The walk of a decision table (decision_tree.hpp), inline: decision_tree.cpp's first_match and
// prepare_matches are built on it, and first_match_inline puts it in the code naclc emits, where the table is
// a constant and its fields fold into the lookup. Included by decision_tree.hpp; not an interface of its own.
#pragma once

#include "appliance/classifier/decision_tree.hpp"

#include <type_traits>

namespace appliance::classifier::lookup {

// Four lanes of 32 bits: plain SSE2 on x86-64 (host and image), written with the compiler's vector
// extension so no intrinsics header is needed.
typedef std::int32_t Lanes __attribute__((vector_size(16)));
typedef float FloatLanes __attribute__((vector_size(16)));

// An unaligned load of four words.
[[gnu::always_inline]] inline Lanes load(const std::uint32_t* at) {
    Lanes v;
    __builtin_memcpy(&v, at, sizeof v);
    return v;
}

// A load of four words from a 16-byte aligned address (nodes and buckets start on 64-byte lines and leaves
// on 16-byte boundaries of arrays that are at least 16-byte aligned): the compares can read their operand
// from memory.
[[gnu::always_inline]] inline Lanes load_aligned(const std::uint32_t* at) {
    Lanes v;
    __builtin_memcpy(&v, __builtin_assume_aligned(at, 16), sizeof v);
    return v;
}

[[gnu::always_inline]] inline Lanes splat(std::uint32_t value) {
    auto v = static_cast<std::int32_t>(value);
    return Lanes{v, v, v, v};
}

// One bit per lane whose top bit is set (an all-ones compare result).
[[gnu::always_inline]] inline std::uint32_t lane_bits(Lanes v) {
    return static_cast<std::uint32_t>(__builtin_ia32_movmskps(reinterpret_cast<FloatLanes>(v)));
}

// The child of the split node `ref` names for `key` (the reference carries the node's dimension). The
// node's first four words are the dimension and three thresholds, the next four the other four
// thresholds: two compares against the flipped key give one bit per threshold below it, in ascending
// order, so the number of them is the count of trailing ones.
[[gnu::always_inline]] inline std::uint32_t child_of(const std::uint32_t* nodes, std::uint32_t ref,
                                                     const std::uint32_t* key) {
    const std::uint32_t* node = nodes + (ref & node_offset_mask);
    Lanes value = splat(key[ref >> node_dimension_shift] ^ sign_flip);
    std::uint32_t below = lane_bits(value > load_aligned(node)) | lane_bits(value > load_aligned(node + 4))
                                                                      << 4;
    return node[8 + __builtin_ctz(~(below >> 1))]; // bit 0 compared the dimension word: dropped
}

// The root of a tree for `key`: its part's reference in the part's bucket (word 15 when not listed). `shape`
// gives the entry's dimension, low, shift, mask and multiplier: the tree itself, or the constant shape of its
// position in every class (first_match_inline), which folds into the code.
[[gnu::always_inline]] inline std::uint32_t root_of(const DecisionTable& table, const Tree& shape,
                                                    const Tree& tree, const std::uint32_t* key) {
    std::uint32_t part = (key[shape.dimension] - shape.low) >> shape.shift & shape.mask;
    if (shape.multiplier == 0) return table.entries[tree.first + part]; // a dense cut or one root
    auto hash = static_cast<std::uint32_t>(std::uint64_t{part} * shape.multiplier >> 32);
    const std::uint32_t* bucket = table.entries + tree.first + (hash & tree.buckets) * bucket_words;
    Lanes wanted = splat(part);
    std::uint32_t listed =
        lane_bits(wanted == load_aligned(bucket)) | lane_bits(wanted == load_aligned(bucket + 4)) << 4;
    return bucket[8 + __builtin_ctz(listed | 1u << bucket_parts)];
}

// The roots of trees T.. of the key's class in refs; returns the AND of the references (leaf_bit set: every
// tree is at its leaf). Position t's entry has the constant shape Shapes[t] unless Shapes is null or that
// shape's dimension is no_dimension (see first_match_inline).
template <std::uint32_t N, const Tree* Shapes, std::uint32_t T = 0>
[[gnu::always_inline]] inline std::uint32_t roots(const DecisionTable& table, const Tree* trees,
                                                  const std::uint32_t* key, std::uint32_t (&refs)[N]) {
    if constexpr (Shapes != nullptr && Shapes[T].dimension != no_dimension)
        refs[T] = root_of(table, Shapes[T], trees[T], key);
    else
        refs[T] = root_of(table, trees[T], trees[T], key);
    if constexpr (T + 1 < N)
        return refs[T] & roots<N, Shapes, T + 1>(table, trees, key, refs);
    else
        return refs[T];
}

// The key's values of a block leaf's four lanes (dimensions packed one byte each), each in all four lanes of
// a vector: the same for every leaf of a table with fixed lanes, so those spread them once per packet.
struct LaneValues {
    Lanes lane[block_lanes];
};

[[gnu::always_inline]] inline LaneValues lane_values(std::uint32_t dims, const std::uint32_t* key) {
    LaneValues values;
    for (std::uint32_t lane = 0; lane < block_lanes; ++lane)
        values.lane[lane] = splat(key[dims >> (8 * lane) & 0xff]);
    return values;
}

// The first box of a block leaf that contains the key: every lane (dimension) compares the key with the
// block_slots slots' lows and spans, four slots per vector; a slot is inside when key - low <= span
// (unsigned, so a key below `low` wraps and fails too), and the lowest inside slot holds the smallest rule.
[[gnu::always_inline]] inline std::uint32_t scan_block(const std::uint32_t* leaf, const LaneValues& values) {
    const std::uint32_t* bounds = leaf;
    constexpr std::uint32_t vectors = block_slots / 4;
    Lanes outside[vectors] = {}; // four slots per vector
    for (std::uint32_t lane = 0; lane < block_lanes; ++lane, bounds += 2 * block_slots) {
        // key + stored low is key - low flipped: a signed compare with the flipped span decides.
        for (std::uint32_t v = 0; v < vectors; ++v)
            outside[v] |= (load_aligned(bounds + 4 * v) + values.lane[lane]) >
                          load_aligned(bounds + block_slots + 4 * v);
    }
    std::uint32_t inside = 0;
    for (std::uint32_t v = 0; v < vectors; ++v)
        inside |= lane_bits(outside[v]) << 4 * v;
    inside = ~inside & ((1u << block_slots) - 1);
    return leaf[block_rules + __builtin_ctz(inside | 1u << block_slots)]; // none inside: the no_match after
}

// Eight lanes of 16 bits: a packed block's lanes 2 and 3.
typedef std::uint16_t Halves __attribute__((vector_size(16)));
typedef std::int16_t SignedHalves __attribute__((vector_size(16)));

[[gnu::always_inline]] inline Halves load_halves(const std::uint32_t* at) {
    Halves v;
    __builtin_memcpy(&v, __builtin_assume_aligned(at, 16), sizeof v);
    return v;
}

// The key's values of a packed block's lanes 2 and 3 (16-bit dimensions): lane 2's in the first four
// halves, lane 3's in the last four.
[[gnu::always_inline]] inline Halves packed_values(std::uint32_t dims, const std::uint32_t* key) {
    auto two = static_cast<std::uint16_t>(key[dims >> 16 & 0xff]);
    auto three = static_cast<std::uint16_t>(key[dims >> 24]);
    return Halves{two, two, two, two, three, three, three, three};
}

// scan_block for a packed block: lanes 0 and 1 as there, lanes 2 and 3 with one 16-bit add and compare
// (eight lanes: lane 2's four slots, then lane 3's), folded onto the four slots and widened to 32 bits.
[[gnu::always_inline]] inline std::uint32_t scan_packed(const std::uint32_t* leaf, const LaneValues& values,
                                                        Halves packed) {
    Lanes outside = (load_aligned(leaf) + values.lane[0]) > load_aligned(leaf + block_slots);
    outside |= (load_aligned(leaf + 2 * block_slots) + values.lane[1]) > load_aligned(leaf + 3 * block_slots);
    SignedHalves halves = reinterpret_cast<SignedHalves>(load_halves(leaf + packed_halves) + packed) >
                          reinterpret_cast<SignedHalves>(load_halves(leaf + packed_halves + block_slots));
    SignedHalves slots = halves | __builtin_shufflevector(halves, halves, 4, 5, 6, 7, 0, 1, 2, 3);
    outside |= reinterpret_cast<Lanes>(__builtin_shufflevector(slots, slots, 0, 0, 1, 1, 2, 2, 3, 3));
    std::uint32_t inside = ~lane_bits(outside) & ((1u << block_slots) - 1);
    return leaf[packed_rules + __builtin_ctz(inside | 1u << block_slots)];
}

// The smallest rule of a block leaf of a table with fixed lanes: packed or not (a constant of the table).
[[gnu::always_inline]] inline std::uint32_t scan_fixed(const DecisionTable& table, const std::uint32_t* leaf,
                                                       const LaneValues& values, Halves packed) {
    return table.packed_lanes ? scan_packed(leaf, values, packed) : scan_block(leaf, values);
}

// The smallest rule of a box in a row leaf that contains the key, or no_match: box by box, four
// dimensions per vector step (the rare leaf that a block does not hold).
[[gnu::noinline]] inline std::uint32_t scan_rows(const DecisionTable& table, const std::uint32_t* leaf,
                                                 const std::uint32_t* key) {
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
        const Halves packed = table.packed_lanes ? packed_values(table.block_dimensions, key) : Halves{};
        if (table.row_leaves == 0) {
            // Every reference is leaf_bit | offset: its leaf is addressed from a base biased by leaf_bit,
            // with no mask and no test for a row leaf (fw 10,000 rules: 31.6-32.0 -> 30.8-31.3 ns).
            const std::uintptr_t biased = reinterpret_cast<std::uintptr_t>(table.leaves) -
                                          std::uintptr_t{leaf_bit} * sizeof(std::uint32_t);
            for (std::uint32_t t = 0; t < N; ++t) {
                std::uint32_t rule = scan_fixed(table,
                                                reinterpret_cast<const std::uint32_t*>(
                                                    biased + std::uintptr_t{refs[t]} * sizeof(std::uint32_t)),
                                                shared, packed);
                best = rule < best ? rule : best;
            }
            return best;
        }
        for (std::uint32_t t = 0; t < N; ++t) {
            const std::uint32_t* leaf = table.leaves + (refs[t] & leaf_offset_mask);
            std::uint32_t rule = __builtin_expect(refs[t] & row_leaf_bit, 0)
                                     ? scan_rows(table, leaf, key)
                                     : scan_fixed(table, leaf, shared, packed);
            best = rule < best ? rule : best;
        }
        return best;
    }
    for (std::uint32_t t = 0; t < N; ++t) {
        const std::uint32_t* leaf = table.leaves + (refs[t] & leaf_offset_mask);
        std::uint32_t rule = __builtin_expect(refs[t] & row_leaf_bit, 0)
                                 ? scan_rows(table, leaf, key)
                                 : scan_block(leaf, lane_values(leaf[block_dimensions_word], key));
        best = rule < best ? rule : best;
    }
    return best;
}

// The trees of the key's protocol class.
[[gnu::always_inline]] inline const Tree* class_trees(const DecisionTable& table, const std::uint32_t* key) {
    std::uint32_t c =
        table.protocol_dimension == no_dimension ? 0 : protocol_class(key[table.protocol_dimension]);
    return table.trees + c * table.trees_per_class;
}

// f(std::integral_constant<std::uint32_t, N>{}) for a table of N trees per class (1..max_trees): code for a
// table known only at run time picks its template instance once. (A constant of the table: the switch is
// always predicted.)
template <class F>
[[gnu::always_inline]] inline decltype(auto) with_trees_per_class(std::uint32_t trees_per_class, F&& f) {
    static_assert(max_trees == 4);
    switch (trees_per_class) {
    case 1:
        return f(std::integral_constant<std::uint32_t, 1>{});
    case 2:
        return f(std::integral_constant<std::uint32_t, 2>{});
    case 3:
        return f(std::integral_constant<std::uint32_t, 3>{});
    default:
        return f(std::integral_constant<std::uint32_t, 4>{});
    }
}

// The lookup in a table of N trees per class (N is a constant here, so the trees' references stay in
// registers and their loops unroll).
template <std::uint32_t N, const Tree* Shapes = nullptr>
[[gnu::always_inline]] inline std::uint32_t first_match_in(const DecisionTable& table, const Tree* trees,
                                                           const std::uint32_t* key) {
    std::uint32_t refs[N];
    roots<N, Shapes>(table, trees, key, refs);
    // Each tree walks to its leaf in turn, with no fixed steps first. (Walked together, in steps that leave
    // a tree at its leaf where it is, every tree paid for the deepest one: fw 10,000 rules reach 65% of
    // their leaves from the root, and the hashed trees 81-89%, so their loops' branches are predicted;
    // 32.6-34.7 -> 31.3-31.8 ns, classifier.md round 10; a fixed number of steps taken first: 44.6 ns
    // against 36-38 without, round 9. The batch, prepare_group, keeps a list of the walks still going.)
    for (std::uint32_t t = 0; t < N; ++t)
        while ((refs[t] & leaf_bit) == 0)
            refs[t] = child_of(table.nodes, refs[t], key);
    return best_of_leaves(table, refs, key);
}

// Asks for the lines of the node or leaf a reference names, ahead of the step that reads them. (A select,
// not a branch: whether a walk has reached its leaf changes from packet to packet.)
[[gnu::always_inline]] inline void prefetch_reference(const DecisionTable& table, std::uint32_t ref) {
    const bool leaf = (ref & leaf_bit) != 0;
    const std::uint32_t* at =
        (leaf ? table.leaves : table.nodes) + (ref & (leaf ? leaf_offset_mask : node_offset_mask));
    __builtin_prefetch(at);
    __builtin_prefetch(at + 16);
    __builtin_prefetch(at + 32);
}

// The lookups of up to batch_size keys interleaved: every key's roots, then rounds over the walks that have
// not reached their leaf, one step each, then every key's leaves. A round does only the steps that are
// left, and the list of walks it keeps for the next round is written without a branch per walk (a walk's
// index is always stored, and the count grows when the walk goes on). The walks do not depend on each
// other, so their loads overlap where one lookup's would wait, and each step asks for the lines the next
// round reads. (Until round 12 the batch took the same number of steps for every walk of every key, a
// walk at its leaf reading node 0 again: fw 100,000 rules 85 -> 57 ns with this and groups of 16 instead
// of 8; classifier.md.)
template <std::uint32_t N, const Tree* Shapes>
[[gnu::always_inline]] inline void prepare_group(const DecisionTable& table, PreparedMatch* group,
                                                 std::uint32_t count) {
    static_assert(batch_size * N <= 256, "a walk's index is a byte");
    std::uint32_t refs[batch_size][N];
    std::uint8_t going[batch_size * N]; // walk k * N + t: tree t of key k
    std::uint32_t walks = 0;
    for (std::uint32_t k = 0; k < count; ++k) {
        const std::uint32_t* key = group[k].key;
        roots<N, Shapes>(table, class_trees(table, key), key, refs[k]);
        for (std::uint32_t t = 0; t < N; ++t) {
            prefetch_reference(table, refs[k][t]);
            going[walks] = static_cast<std::uint8_t>(k * N + t);
            walks += (refs[k][t] & leaf_bit) == 0;
        }
    }
    while (walks != 0) {
        std::uint32_t still = 0;
        for (std::uint32_t i = 0; i < walks; ++i) {
            const std::uint32_t walk = going[i], k = walk / N, t = walk % N;
            const std::uint32_t ref = child_of(table.nodes, refs[k][t], group[k].key);
            refs[k][t] = ref;
            prefetch_reference(table, ref);
            going[still] = static_cast<std::uint8_t>(walk);
            still += (ref & leaf_bit) == 0;
        }
        walks = still;
    }
    for (std::uint32_t k = 0; k < count; ++k)
        group[k].match = best_of_leaves(table, refs[k], group[k].key);
}

// prepare_matches in groups of batch_size.
template <std::uint32_t N, const Tree* Shapes>
[[gnu::always_inline]] inline void prepare_all(const DecisionTable& table, PreparedMatch* prepared,
                                               std::size_t count) {
    for (std::size_t k = 0; k < count; k += batch_size) {
        auto n = static_cast<std::uint32_t>(count - k < batch_size ? count - k : batch_size);
        prepare_group<N, Shapes>(table, prepared + k, n);
    }
}

} // namespace appliance::classifier::lookup
