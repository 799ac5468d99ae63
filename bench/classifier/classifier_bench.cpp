// Classifier microbenchmark (issue 6): the forward chain of a generated rule set, compiled by `naclc emit
// cpp` and by `naclc emit cpp --linear` (the plain if-chain reference), timed on the rule set's trace with
// Google Benchmark, next to an empty chain (the floor: reading the next packet and the indirect call).
// `compiled` runs as the appliance does, in bursts of 32 whose large-table lookups are prepared together
// (appliance::PrepareFunction); `compiled_one` one packet at a time without them. `appliance/path` is the
// whole appliance of the compiled configuration per packet, on fake NICs (appliance_path.hpp).
//
//   classifier_bench_N --trace FILE.trace [Google Benchmark flags]
//
// The two translation units are the emitted C++ compiled with -DHALITE_CHAINS_ONLY and the namespace
// `halite_generated` renamed to hb_compiled and hb_linear (bench/classifier/CMakeLists.txt). Before timing
// anything, every packet of the trace goes through both chains: their verdicts and deciding rules must agree,
// and the verdicts must be the trace's expectations (bench/ruleset/generate.py's first-match evaluator); on
// any difference the program prints the first ones and exits 1; so it does when the frames the appliance
// forwards are not exactly the trace's accepted packets.
#include "appliance/classifier/decision_tree.hpp"
#include "appliance/config.hpp"
#include "appliance/rule_packet.hpp"
#include "appliance_path.hpp"
#include "trace_file.hpp"

#include <benchmark/benchmark.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace hb_compiled {
extern const appliance::Config config;
}
namespace hb_linear {
extern const appliance::Config config;
}

namespace {

using appliance::ActionSink;
using appliance::Decision;
using appliance::RulePacket;
using appliance::Verdict;

struct NullSink final : ActionSink {
    void log(const RulePacket&, std::uint32_t, std::span<const appliance::LogArg>) override {}
    void syslog(const RulePacket&, std::uint32_t, appliance::Severity,
                std::span<const appliance::LogArg>) override {}
    void nat(RulePacket&, std::uint32_t, appliance::NatKind, bool, std::uint32_t, bool,
             std::uint16_t) override {}
};

struct TracePacket {
    RulePacket packet;
    Verdict expect = Verdict::Drop;
    long rule = -1; // the first matching rule of the generator's model, -1: none (the default verdict)
};

// The header bytes behind each packet (RulePacket::get reads them for fields that are not members).
std::vector<std::array<std::byte, 28>> headers;
std::vector<TracePacket> trace;

bool load_trace(std::span<const bench::TraceLine> lines) {
    for (const bench::TraceLine& line : lines) {
        TracePacket t;
        RulePacket& p = t.packet;
        p.protocol = line.protocol;
        p.saddr = line.saddr;
        p.daddr = line.daddr;
        p.sport = line.sport;
        p.dport = line.dport;
        if (p.protocol == 6) p.tcp_flags = 0x02; // syn, as `naclc test` assumes
        if (p.protocol == 1) p.icmp_type = 8;    // echo-request, likewise
        p.ttl = 64;
        p.ct = appliance::CtState::New;
        p.iif = 0;
        p.oif = 1;
        t.expect = line.accept ? Verdict::Accept : Verdict::Drop;
        t.rule = line.rule;
        trace.push_back(t);
    }
    // An IPv4 header and the first 8 bytes of the transport header, for RulePacket::get.
    headers.resize(trace.size());
    for (size_t i = 0; i < trace.size(); ++i) {
        auto& h = headers[i];
        auto& p = trace[i].packet;
        h.fill(std::byte{0});
        h[0] = std::byte{0x45};
        h[3] = std::byte{28};
        h[8] = std::byte{p.ttl};
        h[9] = std::byte{p.protocol};
        for (int k = 0; k < 4; ++k) {
            h[12 + k] = std::byte(p.saddr >> (24 - 8 * k));
            h[16 + k] = std::byte(p.daddr >> (24 - 8 * k));
        }
        h[20] = std::byte(p.sport >> 8);
        h[21] = std::byte(p.sport);
        h[22] = std::byte(p.dport >> 8);
        h[23] = std::byte(p.dport);
        p.ip_header = std::span<const std::byte>(h.data(), h.size());
    }
    return !trace.empty();
}

const appliance::ChainConfig* forward_chain(const appliance::Config& config) {
    for (auto& c : config.chains)
        if (c.hook == appliance::Hook::Forward) return &c;
    return nullptr;
}

// The runtime's bursts (a NIC's receive batch): the chain's table looked up for the whole burst ahead
// (when the chain has a prepare function), then the chain for each packet, in order.
constexpr std::size_t burst = 32;

struct Burst {
    std::array<RulePacket, burst> packets;
    std::array<appliance::classifier::PreparedMatch, burst> prepared;

    // Packets first .. first + burst of the trace (wrapping), prepared as the runtime prepares them.
    void load(const appliance::ChainConfig& chain, size_t first) {
        for (size_t b = 0; b < burst; ++b)
            packets[b] = trace[(first + b) % trace.size()].packet;
        if (chain.prepare == nullptr) return;
        chain.prepare(packets, prepared.data());
        for (size_t b = 0; b < burst; ++b)
            packets[b].prepared = &prepared[b];
    }
};

[[gnu::noinline]] Decision empty_chain(RulePacket& packet, ActionSink& actions) {
    benchmark::DoNotOptimize(packet);
    benchmark::DoNotOptimize(actions);
    return {Verdict::Accept, appliance::rule_none};
}

const char* name(Verdict v) {
    return v == Verdict::Accept ? "accept" : v == Verdict::Drop ? "drop" : "reject";
}

// Every packet through both chains, the compiled one in prepared bursts and one at a time; they must agree
// with each other (verdict and rule) and with the trace.
bool verify(const appliance::ChainConfig& compiled, appliance::ChainFunction linear) {
    NullSink sink;
    size_t bad = 0;
    Burst bursts;
    for (size_t i = 0; i < trace.size(); ++i) {
        if (i % burst == 0) bursts.load(compiled, i);
        RulePacket a = trace[i].packet, b = trace[i].packet;
        Decision dc = compiled.function(a, sink), dl = linear(b, sink);
        Decision dp = compiled.function(bursts.packets[i % burst], sink);
        if (dp.verdict != dc.verdict || dp.rule != dc.rule) {
            if (++bad <= 10)
                std::fprintf(stderr, "packet %zu: compiled %s (rule %u), prepared %s (rule %u)\n", i,
                             name(dc.verdict), dc.rule, name(dp.verdict), dp.rule);
        }
        if (dc.verdict != dl.verdict || dc.rule != dl.rule || dc.verdict != trace[i].expect) {
            if (++bad <= 10)
                std::fprintf(stderr,
                             "packet %zu: compiled %s (rule %u), linear %s (rule %u), trace %s (rule %ld)\n",
                             i, name(dc.verdict), dc.rule, name(dl.verdict), dl.rule, name(trace[i].expect),
                             trace[i].rule);
        }
    }
    std::fprintf(
        stderr,
        "verdicts: %zu packets, %zu differences between compiled (one at a time and in prepared bursts: "
        "%s), linear and the trace\n",
        trace.size(), bad, compiled.prepare ? "prepared" : "no prepare function");
    return bad == 0;
}

void run_chain(benchmark::State& state, appliance::ChainFunction chain) {
    NullSink sink;
    size_t i = 0;
    const size_t n = trace.size();
    for (auto _ : state) {
        RulePacket p = trace[i].packet;
        Decision d = chain(p, sink);
        benchmark::DoNotOptimize(d);
        if (++i == n) i = 0;
    }
    state.SetItemsProcessed(state.iterations());
    state.counters["packets"] = double(n);
}

void run_bursts(benchmark::State& state, const appliance::ChainConfig* chain) {
    NullSink sink;
    Burst bursts;
    size_t i = 0;
    for (auto _ : state) {
        bursts.load(*chain, i);
        for (RulePacket& p : bursts.packets) {
            Decision d = chain->function(p, sink);
            benchmark::DoNotOptimize(d);
        }
        i = (i + burst) % trace.size();
    }
    state.SetItemsProcessed(state.iterations() * std::int64_t{burst});
    state.counters["packets"] = double(trace.size());
}

} // namespace

int main(int argc, char** argv) {
    const char* trace_path = nullptr;
    std::vector<char*> rest{argv[0]};
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--trace") == 0 && i + 1 < argc)
            trace_path = argv[++i];
        else
            rest.push_back(argv[i]);
    }
    const std::vector<bench::TraceLine> lines =
        trace_path ? bench::read_trace(trace_path) : std::vector<bench::TraceLine>{};
    if (!load_trace(lines)) {
        std::fprintf(stderr, "usage: %s --trace FILE.trace [benchmark flags]\n", argv[0]);
        return 2;
    }
    auto compiled = forward_chain(hb_compiled::config), linear = forward_chain(hb_linear::config);
    if (!compiled || !linear) {
        std::fprintf(stderr, "no forward chain in the generated code\n");
        return 1;
    }
    if (!verify(*compiled, linear->function)) return 1;
    if (!bench::start_appliance_path(hb_compiled::config, lines)) return 1;
    benchmark::RegisterBenchmark("chain/empty", run_chain, &empty_chain);
    // As the appliance runs it: in bursts, prepared when the chain has a prepare function.
    benchmark::RegisterBenchmark("chain/compiled", run_bursts, compiled);
    benchmark::RegisterBenchmark("chain/compiled_one", run_chain, compiled->function);
    benchmark::RegisterBenchmark("chain/linear", run_chain, linear->function);
    // The whole appliance around the compiled chain (appliance_path.hpp).
    benchmark::RegisterBenchmark("appliance/path", bench::run_appliance_path);
    benchmark::RegisterBenchmark("appliance/one_flow", bench::run_appliance_one_flow);
    int count = int(rest.size());
    benchmark::Initialize(&count, rest.data());
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
