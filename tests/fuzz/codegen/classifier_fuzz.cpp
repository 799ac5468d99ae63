// Any rule set must compile into decision tables that answer exactly as a first-match scan of its boxes,
// for every key: no crash, no sanitizer report, no wrong rule. The bytes choose the key's dimensions, the
// builder's options, the boxes (bounds from a few shared values and prefix lengths, so boxes nest, overlap
// and repeat as real rule sets do) and extra keys; every box's corners and their neighbours are probed too.
#include "appliance/classifier/decision_tree.hpp"
#include "codegen/decision_tree_builder.hpp"
#include "decision_table_view.hpp"

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <vector>

namespace {

using nacl::ir::Field;

struct Bytes {
    const uint8_t* data;
    size_t size;
    size_t at = 0;
    bool empty() const { return at >= size; }
    uint8_t next() { return at < size ? data[at++] : 0; }
};

constexpr uint32_t kShared[] = {0,          1,          0x0a000000, 0x0a0000ff, 0x7fffffff,
                                0x80000000, 0xc0a80101, 0xfffffffe, 0xffffffff, 0x00000050};

// An interval of a dimension: a shared value cut to a prefix of the byte's length, or a value and a
// width, or everything.
codegen::Interval bound(Bytes& in, uint32_t max) {
    uint8_t kind = in.next(), arg = in.next();
    uint32_t bits = max == 0xffffffff ? 32 : static_cast<uint32_t>(std::bit_width(max));
    uint32_t value = kShared[kind % std::size(kShared)] & max;
    switch (kind >> 6) {
    case 0:
        return {0, max};
    case 1: { // a prefix
        uint32_t length = arg % (bits + 1);
        uint32_t host =
            length >= bits ? 0 : (bits - length == 32 ? 0xffffffff : ((1u << (bits - length)) - 1));
        return {value & ~host & max, (value | host) & max};
    }
    case 2: // one value
        return {value, value};
    default: { // a range from the value
        uint64_t high = uint64_t(value) + uint64_t(arg) * (uint64_t(arg) + 1);
        return {value, static_cast<uint32_t>(high > max ? max : high)};
    }
    }
}

uint32_t scan(const std::vector<codegen::Box>& boxes, const std::vector<uint32_t>& key) {
    for (const auto& b : boxes) {
        bool inside = true;
        for (size_t d = 0; d < key.size() && inside; ++d)
            inside = key[d] >= b.bounds[d].low && key[d] <= b.bounds[d].high;
        if (inside) return b.rule;
    }
    return appliance::classifier::no_match;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size > 4096) return 0; // a few hundred boxes are enough to reach every shape
    Bytes in{data, size};
    static const codegen::Dimension kChoices[] = {{Field::IpSaddr, -1},  {Field::IpDaddr, -1},
                                                  {Field::TcpSport, -1}, {Field::TcpDport, -1},
                                                  {Field::IpTtl, -1},    {Field::IpSaddr, -1}};
    std::vector<codegen::Dimension> dims;
    uint8_t shape = in.next();
    if (shape & 1) dims.push_back({Field::IpProtocol, -1});
    for (uint32_t i = 0; i < 1 + (shape >> 1) % 6; ++i)
        dims.push_back(kChoices[(shape + i) % std::size(kChoices)]);
    codegen::TreeOptions options;
    uint8_t knobs = in.next();
    options.leaf_size = 1 + knobs % 12;
    const size_t burst = 1 + (knobs >> 4) * 3; // prepare_matches' bursts: 1..46 keys, groups and partial ones
    options.merge_budget_percent = (in.next() % 4) * 100;
    options.cut_min_boxes = 8 + in.next() % 64;
    uint8_t sparse = in.next(); // hashed entries: never, or from a few boxes on; few or many copies
    options.sparse_min_boxes = sparse % 4 == 0 ? 0 : 2 + sparse % 64;
    options.sparse_copies_percent = 100 + (sparse >> 6) * 150;

    std::vector<codegen::Box> boxes;
    uint32_t rule = 0;
    while (!in.empty() && boxes.size() < 400) {
        uint8_t head = in.next();
        if (head == 0xff) break; // the rest of the input is keys
        codegen::Box box{rule, {}};
        for (const auto& d : dims)
            box.bounds.push_back(bound(in, codegen::dimension_max(d)));
        boxes.push_back(box);
        rule += head % 3 != 0; // some rules own several boxes
    }
    if (boxes.empty()) return 0;
    auto table_data = codegen::build_decision_table(boxes, dims, options);
    std::vector<appliance::classifier::Tree> trees;
    appliance::classifier::DecisionTable table = codegen::table_view(table_data, trees);

    std::vector<appliance::classifier::PreparedMatch> prepared; // every key checked, for a prepared burst
    std::vector<uint32_t> expected;
    auto check = [&](std::vector<uint32_t> key) {
        for (size_t d = 0; d < dims.size(); ++d)
            key[d] &= codegen::dimension_max(dims[d]);
        uint32_t expect = scan(boxes, key);
        if (dims.size() <= appliance::classifier::prepared_key_words) {
            prepared.push_back({&table, appliance::classifier::no_match, 0, {}});
            std::copy(key.begin(), key.end(), prepared.back().key);
            expected.push_back(expect);
        }
        uint32_t reference = codegen::lookup(table_data, key);
        uint32_t image = appliance::classifier::first_match(table, key.data());
        if (reference != expect || image != expect) {
            std::fprintf(stderr, "first match %u, builder's lookup %u, first_match %u\n", expect, reference,
                         image);
            std::abort();
        }
    };
    for (size_t b = 0; b < boxes.size() && b < 64; ++b)
        for (int corner = 0; corner < 4; ++corner) {
            std::vector<uint32_t> key;
            for (size_t d = 0; d < dims.size(); ++d) {
                const auto& i = boxes[b].bounds[d];
                uint32_t v = (corner + d) % 4 == 0   ? i.low
                             : (corner + d) % 4 == 1 ? i.high
                             : (corner + d) % 4 == 2 ? i.low - 1
                                                     : i.high + 1;
                key.push_back(v);
            }
            check(key);
        }
    while (!in.empty()) {
        std::vector<uint32_t> key;
        for (size_t d = 0; d < dims.size(); ++d) {
            uint32_t v = kShared[in.next() % std::size(kShared)];
            key.push_back(v + in.next() - 128);
        }
        check(key);
    }
    for (size_t i = 0; i < prepared.size(); i += burst)
        appliance::classifier::prepare_matches(table, &prepared[i], std::min(burst, prepared.size() - i));
    for (size_t i = 0; i < prepared.size(); ++i)
        if (prepared[i].match != expected[i]) {
            std::fprintf(stderr, "key %zu: first match %u, prepared %u\n", i, expected[i], prepared[i].match);
            std::abort();
        }
    return 0;
}
