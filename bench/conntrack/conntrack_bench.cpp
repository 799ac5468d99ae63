// Connection-table microbenchmark: what every tracked packet pays in appliance::conntrack::ConntrackTable,
// a lookup and a refresh (find + touch), with 1,000 to 1,000,000 live connections in a table twice that
// size and packets arriving in random connection order at a 5 Mpps clock. The lookup alone is the floor;
// refused_new is a new connection's first packet that the rules drop.
//
//   conntrack_bench [--benchmark_filter=...]   (bench/run.sh runs it; results in bench/results/conntrack.md)
#include "appliance/conntrack/table.hpp"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <random>
#include <vector>

namespace {

using appliance::conntrack::ConntrackTable;
using appliance::conntrack::TimeoutClass;
using appliance::conntrack::Timeouts;
using appliance::conntrack::Tuple;

constexpr std::int64_t packet_interval_ns = 200; // 5 Mpps
constexpr std::size_t order_length = std::size_t{1} << 22;
bool failed = false; // a live connection was not found: the exit status says so (bench_conntrack_smoke)

struct Table {
    std::unique_ptr<ConntrackTable> table;
    std::vector<Tuple> flows;
    std::vector<std::uint32_t> order; // which flow each packet belongs to
    std::int64_t now_ns = 0;
};

// The default timeouts of the language (an established UDP flow: 180 s), so that nothing expires while timed.
Table make_table(std::uint32_t flows) {
    Table t;
    t.table = ConntrackTable::create(flows * 2, Timeouts::from(appliance::ConntrackConfig{}), 1);
    std::mt19937 rng(1);
    for (std::uint32_t i = 0; i < flows; ++i) {
        const Tuple x{0x0a000000u + i, 0xc0a80001u + (i >> 16), static_cast<std::uint16_t>(rng()), 53, 17};
        t.flows.push_back(x);
        (void)t.table->insert(x, TimeoutClass::EstablishedUdp, net::Instant{});
    }
    t.order.resize(order_length);
    for (auto& o : t.order)
        o = static_cast<std::uint32_t>(rng() % flows);
    return t;
}

// The table of state.range(0) connections, built once per size and shared by every benchmark (refused_new
// leaves it as it found it).
Table& table_for(const benchmark::State& state) {
    static std::vector<std::pair<std::uint32_t, Table>> tables;
    const auto flows = static_cast<std::uint32_t>(state.range(0));
    for (auto& [n, table] : tables)
        if (n == flows) return table;
    return tables.emplace_back(flows, make_table(flows)).second;
}

void run(benchmark::State& state, bool refresh) {
    Table* t = &table_for(state);
    std::size_t next = 0;
    std::uint64_t missed = 0;
    for (auto _ : state) {
        t->now_ns += packet_interval_ns;
        const net::Instant now = net::instant_from_ns(t->now_ns);
        const auto hit = t->table->find(t->flows[t->order[next]], now);
        if (!hit) {
            ++missed;
        } else if (refresh) {
            t->table->touch(hit->ref, TimeoutClass::EstablishedUdp, now);
        }
        benchmark::DoNotOptimize(hit);
        next = (next + 1) % order_length;
    }
    if (missed != 0) {
        failed = true;
        state.SkipWithError("a live connection was not found");
    }
    state.SetItemsProcessed(state.iterations());
    state.counters["connections"] = static_cast<double>(t->flows.size());
}

// A new connection's first packet that the rules refuse: the tracker looks it up, creates it (the rules see
// it as `new`), and the appliance erases it when the packet is dropped.
void refused_new(benchmark::State& state) {
    Table* t = &table_for(state);
    std::uint32_t next = 0;
    for (auto _ : state) {
        t->now_ns += packet_interval_ns;
        const net::Instant now = net::instant_from_ns(t->now_ns);
        const Tuple fresh{0x0b000000u + next++, 0xc0a80001u, 40000, 80, 6};
        if (t->table->find(fresh, now)) failed = true;
        const auto inserted = t->table->insert(fresh, TimeoutClass::UnconfirmedTcp, now);
        if (!inserted || inserted->evicted) failed = true;
        if (inserted) t->table->erase(inserted->ref);
    }
    if (failed) state.SkipWithError("a new connection was found, refused or evicted a live one");
    state.SetItemsProcessed(state.iterations());
    state.counters["connections"] = static_cast<double>(t->flows.size());
}

void find_and_touch(benchmark::State& state) {
    run(state, true);
}
void find_only(benchmark::State& state) {
    run(state, false);
}

} // namespace

BENCHMARK(find_and_touch)->Arg(1000)->Arg(100000)->Arg(1000000);
BENCHMARK(find_only)->Arg(1000)->Arg(100000)->Arg(1000000);
BENCHMARK(refused_new)->Arg(1000)->Arg(100000)->Arg(1000000);

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return failed ? 1 : 0;
}
