// codegen_classifier_bench FILE.nacl [--packets N] [--repeat R] [--threshold T] [--leaf N] [--wide-bits B]
// [--merge P] [--cut-bits B] [--cut-gain G] [--cut-copies P] [--batch N]
//
// A quick host microbenchmark of the rule compiler: compiles FILE, takes the largest decision-table run
// of its functions, builds the tables (timed) and looks up a ClassBench-style trace (points inside the
// rules' boxes, so packets hit rules at every depth, plus 10% uniform keys) with
// appliance::classifier::first_match: the engine the image runs, on the same tables it would hold.
// Every answer is first checked against a linear scan of the boxes. Prints ns/packet (median of R runs)
// for the engine and for the linear scan. The full benchmark suite (issue 6) lives in bench/.
#include "appliance/classifier/decision_tree.hpp"
#include "codegen/decision_tree_builder.hpp"
#include "codegen/flatten.hpp"
#include "codegen/rule_runs.hpp"
#include "decision_table_view.hpp"
#include "nacl/front.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// CPU time of this thread: the machine is shared, and time spent descheduled is not the classifier's.
double thread_seconds() {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

uint32_t linear_scan(const std::vector<codegen::Box>& boxes, const uint32_t* key) {
    for (const auto& b : boxes) {
        bool inside = true;
        for (size_t d = 0; d < b.bounds.size() && inside; ++d)
            inside = key[d] >= b.bounds[d].low && key[d] <= b.bounds[d].high;
        if (inside) return b.rule;
    }
    return appliance::classifier::no_match;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr,
                     "usage: %s FILE.nacl [--packets N] [--repeat R] [--threshold T] [--leaf N] [--wide-bits "
                     "B] [--merge P] [--cut-bits B] [--cut-gain G] [--cut-copies P]\n",
                     argv[0]);
        return 2;
    }
    size_t packets = 1'000'000, repeat = 7, batch = 0;
    codegen::RunOptions runs;
    codegen::TreeOptions tree;
    for (int i = 2; i + 1 < argc; i += 2) {
        std::string opt = argv[i];
        if (opt == "--packets") packets = std::stoul(argv[i + 1]);
        if (opt == "--repeat") repeat = std::stoul(argv[i + 1]);
        if (opt == "--batch") batch = std::stoul(argv[i + 1]);
        if (opt == "--leaf") tree.leaf_size = static_cast<uint32_t>(std::stoul(argv[i + 1]));
        if (opt == "--wide-bits") tree.wide_bits = static_cast<uint32_t>(std::stoul(argv[i + 1]));
        if (opt == "--merge") tree.merge_budget_percent = static_cast<uint32_t>(std::stoul(argv[i + 1]));
        if (opt == "--cut-bits") tree.max_cut_bits = static_cast<uint32_t>(std::stoul(argv[i + 1]));
        if (opt == "--sparse") tree.sparse_min_boxes = static_cast<uint32_t>(std::stoul(argv[i + 1]));
        if (opt == "--sparse-copies")
            tree.sparse_copies_percent = static_cast<uint32_t>(std::stoul(argv[i + 1]));
        if (opt == "--cut-gain") tree.cut_min_gain = static_cast<uint32_t>(std::stoul(argv[i + 1]));
        if (opt == "--cut-copies") tree.cut_copies_percent = static_cast<uint32_t>(std::stoul(argv[i + 1]));
        if (opt == "--threshold") runs.table_threshold = static_cast<uint32_t>(std::stoul(argv[i + 1]));
    }
    std::ifstream in(argv[1]);
    std::stringstream text;
    text << in.rdbuf();
    auto start = Clock::now();
    nacl::SourceFile file(argv[1], text.str());
    nacl::Diagnostics diags;
    auto program = nacl::compile(file, diags);
    if (!program) {
        std::fprintf(stderr, "%s: errors\n", argv[1]);
        return 1;
    }
    double front = since(start);

    start = Clock::now();
    std::vector<codegen::FlatFunction> flats;
    std::vector<codegen::RuleEntry> rules;
    uint32_t next = 0;
    for (size_t f : codegen::top_level_functions(*program))
        flats.push_back(codegen::flatten(*program, f, next, rules));
    codegen::Segment best;
    for (auto& flat : flats)
        for (auto& s : codegen::plan_segments(*program, flat, runs))
            if (s.table && s.rules.size() > best.rules.size()) best = std::move(s);
    double plan = since(start);
    if (!best.table) {
        std::printf("%s: no decision-table run (rules stay plain code)\n", argv[1]);
        return 0;
    }
    start = Clock::now();
    codegen::DecisionTableData data = codegen::build_decision_table(best.boxes, best.dims, tree);
    double build = since(start);
    std::vector<appliance::classifier::Tree> trees;
    appliance::classifier::DecisionTable table = codegen::table_view(data, trees);

    // The trace: a random point of a random box (a rule's own region), or 10% anywhere.
    std::mt19937_64 rng(42);
    size_t dims = best.dims.size();
    std::vector<uint32_t> keys(packets * dims);
    for (size_t p = 0; p < packets; ++p) {
        bool uniform = rng() % 10 == 0;
        const codegen::Box& box = best.boxes[rng() % best.boxes.size()];
        for (size_t d = 0; d < dims; ++d) {
            uint32_t max = codegen::dimension_max(best.dims[d]);
            uint64_t low = uniform ? 0 : box.bounds[d].low, high = uniform ? max : box.bounds[d].high;
            keys[p * dims + d] = uint32_t(low + rng() % (high - low + 1));
        }
    }
    size_t matched = 0;
    for (size_t p = 0; p < packets; ++p) {
        uint32_t expect = linear_scan(best.boxes, &keys[p * dims]);
        uint32_t got = appliance::classifier::first_match(table, &keys[p * dims]);
        if (got != expect) {
            std::fprintf(stderr, "MISMATCH at packet %zu: table %u, linear %u\n", p, got, expect);
            return 1;
        }
        matched += got != appliance::classifier::no_match;
    }
    // --batch N: the trace in bursts of N prepared lookups (prepare_matches), as the appliance does for
    // a burst it receives; the prepared answers must be the one-key lookup's on the whole trace.
    if (dims > appliance::classifier::prepared_key_words) batch = 0;
    std::vector<appliance::classifier::PreparedMatch> prepared(batch ? packets : 0);
    for (size_t p = 0; p < prepared.size(); ++p) {
        prepared[p].table = &table;
        std::copy_n(&keys[p * dims], dims, prepared[p].key);
    }
    appliance::classifier::prepare_matches(table, prepared.data(), prepared.size());
    for (size_t p = 0; p < prepared.size(); ++p)
        if (prepared[p].match != appliance::classifier::first_match(table, &keys[p * dims])) {
            std::fprintf(stderr, "PREPARED MISMATCH at packet %zu\n", p);
            return 1;
        }
    std::vector<double> times;
    volatile uint32_t sink = 0;
    for (size_t r = 0; r < repeat; ++r) {
        double cpu = thread_seconds();
        uint32_t acc = 0;
        if (batch)
            for (size_t p = 0; p < packets; p += batch) {
                appliance::classifier::prepare_matches(table, &prepared[p], std::min(batch, packets - p));
                acc += prepared[p].match;
            }
        else
            for (size_t p = 0; p < packets; ++p)
                acc += appliance::classifier::first_match(table, &keys[p * dims]);
        sink = sink + acc;
        times.push_back((thread_seconds() - cpu) * 1e9 / double(packets));
    }
    // The linear scan only on a slice (it is slow at large sizes).
    size_t linear_packets =
        std::max<size_t>(1000, std::min(packets, size_t(2e8 / double(best.boxes.size() + 1))));
    std::vector<double> linear_times;
    for (size_t r = 0; r < 3; ++r) {
        double cpu = thread_seconds();
        uint32_t acc = 0;
        for (size_t p = 0; p < linear_packets; ++p)
            acc += linear_scan(best.boxes, &keys[p * dims]);
        sink = sink + acc;
        linear_times.push_back((thread_seconds() - cpu) * 1e9 / double(linear_packets));
    }
    size_t bytes = data.bytes();
    std::printf("%s: %zu rules in the run, %zu boxes, %zu dims, %u trees per class, %zu leaves (%u rows), "
                "depth %u, %zu items, %zu entry words, %.1f KiB of tables\n",
                argv[1], best.rules.size(), best.boxes.size(), dims, data.trees_per_class,
                data.leaf_refs.size(), data.row_leaves(), data.max_depth, data.items.size(),
                data.entries.size(), double(bytes) / 1024);
    size_t hashed = 0, cut = 0, plain = 0;
    for (const auto& t : data.trees)
        if (t.min_rule != appliance::classifier::no_match)
            ++(t.hashed() ? hashed : t.buckets || t.mask ? cut : plain);
    std::printf("  trees: %zu with a hashed entry, %zu with a cut, %zu with one root\n", hashed, cut, plain);
    std::printf("  front end %.2f s, flatten+DNF+boxes %.2f s, tree build %.2f s\n", front, plan, build);
    std::printf("  trace %zu packets (%.0f%% match a rule), verdicts equal the linear scan\n", packets,
                100.0 * double(matched) / double(packets));
    std::printf("  decision table: %.1f ns/packet (median of %zu; min %.1f, max %.1f)\n", median(times),
                repeat, *std::min_element(times.begin(), times.end()),
                *std::max_element(times.begin(), times.end()));
    std::printf("  linear scan:    %.1f ns/packet\n", median(linear_times));
    return 0;
}
