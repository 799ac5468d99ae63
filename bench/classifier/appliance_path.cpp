#include "appliance_path.hpp"

#include "appliance/appliance.hpp"
#include "appliance/platform.hpp"
#include "net/stack.hpp"
#include "net/testing/fake_nic.hpp"
#include "net/testing/frames.hpp"
#include "net/wire/arp.hpp"
#include "net/wire/ethernet.hpp"
#include "net/wire/ipv4.hpp"
#include "net/wire/tcp.hpp"

#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace bench {

namespace {

using net::Ipv4Address;
using net::MacAddress;
using net::testing::Bytes;

constexpr MacAddress client_mac{{0x02, 0, 0, 0, 0, 0x01}}, server_mac{{0x02, 0, 0, 0, 0, 0x02}};
constexpr MacAddress outside_mac{{0x02, 0, 0, 0, 0, 0x10}}, inside_mac{{0x02, 0, 0, 0, 0, 0x11}};
constexpr Ipv4Address inside_address{10, 0, 2, 1}, next_hop{10, 0, 2, 2};
constexpr std::size_t frame_bytes = 60; // the smallest Ethernet frame without its FCS
constexpr std::size_t burst = 32;       // a NIC's receive batch (net::PacketBatch::capacity)
constexpr std::size_t ip_offset = net::wire::EthernetView::header_len;

// The console of the appliance: kept, and shown only when the setup or the check fails (Google Benchmark's
// JSON is on standard output). Timers never fire: the stack's time does not move during the benchmark.
class QuietPlatform final : public appliance::Platform {
public:
    std::string console;
    void print(std::string_view text) override { console += text; }
    std::optional<std::int64_t> wall_clock_ns() override { return std::nullopt; }
    std::optional<std::int64_t> monotonic_ns() override { return std::nullopt; }
    TimerId start_periodic(std::uint32_t, TimerFunction, void*) override { return TimerId{1}; }
    void stop(TimerId) override {}
    std::optional<appliance::MemoryFigures> memory() override { return std::nullopt; }
    std::optional<appliance::LoopFigures> loop() override { return std::nullopt; }
    std::optional<std::size_t> active_timers() override { return std::nullopt; }
    std::uint64_t random_seed() override { return 1; }
};

// The addresses bench/forward leaves out of its traffic (bench/forward/ruleset_bench.py,
// EXCLUDED_FOR_ROUTING): this host, private and link-local nets the lab uses, multicast and reserved.
bool routable(std::uint32_t address) {
    const std::uint32_t first = address >> 24;
    return first != 0 && first != 10 && first != 127 && first != 169 && first < 224;
}

Bytes frame_of(const TraceLine& t) {
    const Ipv4Address src{t.saddr}, dst{t.daddr};
    const std::byte payload[18]{};
    Bytes frame;
    if (t.protocol == 17) {
        frame = net::testing::udp_frame(outside_mac, client_mac, src, dst, t.sport, t.dport, payload);
    } else if (t.protocol == 1) {
        frame = net::testing::echo_frame(outside_mac, client_mac, src, dst, 1, 1);
    } else {
        Bytes segment(t.protocol == 6 ? net::wire::TcpView::min_header_len : 8);
        if (t.protocol == 6) // a SYN, as `naclc test` and the classifier's benchmark assume
            (void)net::wire::TcpRepr{t.sport, t.dport, 1, 0, 0x02, 65535}.emit(segment, src, dst);
        const Bytes ip = net::testing::ipv4({.src = src, .dst = dst, .protocol = t.protocol}, segment);
        frame = net::testing::ethernet(outside_mac, client_mac, net::wire::ethertype::ipv4, ip);
    }
    if (frame.size() < frame_bytes) frame.resize(frame_bytes); // Ethernet padding
    return frame;
}

// `out` is `in` forwarded: to the next hop from the inside NIC, the IPv4 datagram the same but for the TTL
// (one lower) and the header checksum.
bool forwarded_as(std::span<std::byte> out, std::span<std::byte> in) {
    const auto eth = net::wire::EthernetView::parse(out);
    if (!eth || eth->dst() != server_mac || eth->src() != inside_mac ||
        eth->ethertype() != net::wire::ethertype::ipv4)
        return false;
    const auto sent = net::wire::Ipv4View::parse(eth->payload());
    const auto arrived = net::wire::Ipv4View::parse(in.subspan(ip_offset));
    if (!sent || !arrived || sent.view->total_length() != arrived.view->total_length() ||
        sent.view->ttl() + 1 != arrived.view->ttl())
        return false;
    const std::span<const std::byte> a = sent.view->bytes(), b = arrived.view->bytes();
    constexpr std::size_t ttl_at = 8, checksum_at = 10;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (i != ttl_at && i != checksum_at && i != checksum_at + 1 && a[i] != b[i]) return false;
    }
    return true;
}

struct Path {
    net::PacketPool pool{4096};
    net::testing::FakeNic outside{pool, outside_mac};
    net::testing::FakeNic inside{pool, inside_mac};
    net::Stack stack{pool};
    QuietPlatform platform;
    net::Instant now{std::chrono::seconds(1)};
    std::vector<Bytes> frames;           // the routable trace packets, arriving on the outside NIC
    std::vector<bool> accepted;          // per frame: the trace's verdict
    std::size_t next = 0;                // the timing loop's next frame
    std::optional<std::size_t> one_flow; // the first accepted UDP datagram's frame

    // Every frame through once, in bursts; what leaves the inside NIC must be the accepted frames, in order.
    bool check_pass(int pass) {
        std::size_t wrong = 0, at = 0;
        std::vector<std::size_t> accepted_frames;
        std::vector<Bytes> out, back_out; // taken after every burst: the fake NICs hold pool buffers
        for (std::size_t i = 0; i < frames.size(); ++i) {
            if (accepted[i]) accepted_frames.push_back(i);
            if (!outside.inject(frames[i])) {
                std::fprintf(stderr, "appliance path: no pool buffer for frame %zu\n", i);
                return false;
            }
            if ((i + 1) % burst != 0 && i + 1 != frames.size()) continue;
            stack.poll(now);
            for (auto& f : inside.take_sent())
                out.push_back(std::move(f));
            for (auto& f : outside.take_sent())
                back_out.push_back(std::move(f));
        }
        const std::size_t expected = accepted_frames.size();
        for (std::size_t k = 0; k < out.size(); ++k) {
            if (at < accepted_frames.size() && forwarded_as(out[k], frames[accepted_frames[at]])) {
                ++at;
                continue;
            }
            if (++wrong <= 5)
                std::fprintf(stderr,
                             "appliance path, pass %d: frame %zu out of the inside NIC is not accepted frame "
                             "%zu forwarded\n",
                             pass, k, at);
        }
        for (std::size_t k = 0; k < back_out.size() && k < 5; ++k) {
            std::fprintf(stderr, "appliance path, pass %d: a frame out of the outside NIC:", pass);
            for (std::size_t b = 0; b < back_out[k].size() && b < 64; ++b)
                std::fprintf(stderr, " %02x", std::to_integer<unsigned>(back_out[k][b]));
            std::fprintf(stderr, "\n");
        }
        std::fprintf(stderr,
                     "appliance path, pass %d: %zu frames in, %zu accepted by the trace, %zu forwarded as "
                     "expected, %zu other frames out of the inside NIC, %zu out of the outside NIC\n",
                     pass, frames.size(), expected, at, wrong, back_out.size());
        return at == expected && wrong == 0 && back_out.empty();
    }
};

std::unique_ptr<Path> path; // lives until the program ends: the appliance keeps pointers into it

} // namespace

bool start_appliance_path(const appliance::Config& config, std::span<const TraceLine> trace) {
    path = std::make_unique<Path>();
    Path& p = *path;
    for (const TraceLine& t : trace) {
        if (!routable(t.saddr) || !routable(t.daddr)) continue;
        if (!p.one_flow && t.accept && t.protocol == 17) p.one_flow = p.frames.size();
        p.frames.push_back(frame_of(t));
        p.accepted.push_back(t.accept);
    }
    if (p.frames.empty()) {
        std::fprintf(stderr, "appliance path: no routable packet in the trace\n");
        return false;
    }
    if (!p.stack.add_interface(p.outside) || !p.stack.add_interface(p.inside)) return false;
    appliance::set_platform(&p.platform);
    net::set_default_stack(&p.stack);
    if (appliance::run(config) != 0) {
        std::fprintf(stderr, "appliance path: appliance::run failed:\n%s", p.platform.console.c_str());
        return false;
    }
    // The next hop asks for the appliance's inside address: the appliance answers and learns its MAC, so no
    // forwarded frame waits for ARP.
    const net::wire::ArpRepr ask{net::wire::arp_op::request, server_mac, next_hop, MacAddress{},
                                 inside_address};
    (void)p.inside.inject(net::testing::ethernet(MacAddress::broadcast(), server_mac,
                                                 net::wire::ethertype::arp, net::testing::arp(ask)));
    p.stack.poll(p.now);
    (void)p.inside.take_sent(); // the answer and both NICs' gratuitous ARP at link up
    (void)p.outside.take_sent();
    // The first pass creates the connections, the second runs as the timing loop does (all known).
    if (!p.check_pass(1) || !p.check_pass(2)) {
        std::fprintf(stderr, "appliance console:\n%s", p.platform.console.c_str());
        return false;
    }
    return true;
}

namespace {

// Bursts of 32 of `frames` in turn (wrapping, from `next`) in on the outside NIC, one poll, the forwarded
// frames taken off the inside NIC.
void run_bursts(benchmark::State& state, std::span<const Bytes> frames, std::size_t& next) {
    Path& p = *path;
    std::uint64_t forwarded = 0;
    for (auto _ : state) {
        for (std::size_t b = 0; b < burst; ++b) {
            (void)p.outside.inject(frames[next]);
            if (++next == frames.size()) next = 0;
        }
        p.stack.poll(p.now);
        forwarded += p.inside.sent().size();
        p.inside.sent().clear();
    }
    const auto offered = state.iterations() * std::int64_t{burst};
    state.SetItemsProcessed(offered);
    state.counters["forwarded_share"] = offered == 0 ? 0.0 : double(forwarded) / double(offered);
    state.counters["frames"] = double(frames.size());
}

} // namespace

void run_appliance_path(benchmark::State& state) {
    run_bursts(state, path->frames, path->next);
}

void run_appliance_one_flow(benchmark::State& state) {
    // Its connection is known since the check's first pass.
    if (!path->one_flow) return state.SkipWithError("no accepted UDP datagram in the trace");
    std::size_t next = 0;
    run_bursts(state, std::span<const Bytes>(&path->frames[*path->one_flow], 1), next);
}

} // namespace bench
