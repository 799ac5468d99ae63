// The I/O floor of the forwarding benchmark (issue 6): a linux-platform program that moves every frame nic0
// receives out of nic1, with the next hop's MAC as its destination and nic1's as its source, and does nothing
// else: no Ethernet type or IPv4 check, no TTL, no checksum, no connection, no rule, no route. Frames nic1
// receives are dropped.
//
// ruleset_bench.py's `floor` mode runs it with ours' NICs (--nic xdp:nic0 --nic xdp:nic1), on ours' CPU at
// ours' priority. Where that CPU is the limit (testpmd's placement) its rate is the most any forwarder in
// user space can reach through that I/O path on this machine (the kernel's work on both sides of AF_XDP's
// copy mode over veth, and the NIC's copies between its UMEM and the pool). What ours forwards below it is
// what our stack, conntrack and rules cost.
//
//   io-floor-linux --nic xdp:nic0 --nic xdp:nic1 floor.next_hop=02:00:00:00:00:01
#include "platform/linux/nic_spec.hpp" // parse_mac, as --nic ...,mac= takes it

#include <os>

#include <cstdio>
#include <string_view>

namespace {

// At most this many frames per turn of the loop, so nic1 and the timers get their turn under load.
constexpr std::size_t frames_per_turn = 256;

struct Floor {
    os::Nic& in;
    os::Nic& out;
    os::MacAddress next_hop;
    std::uint64_t dropped = 0; // nic1's transmit ring was full

    bool forward() {
        if (!in.rx_pending() && !in.enable_rx_wakeup()) return false;
        const os::MacAddress source = out.mac();
        for (std::size_t done = 0; done < frames_per_turn;) {
            os::PacketBatch batch;
            if (in.receive(batch) == 0) break;
            done += batch.size();
            for (os::PacketPtr& p : batch) {
                const auto frame = p->data();
                if (frame.size() < 12) continue; // the NIC delivers whole Ethernet frames; this never happens
                for (std::size_t i = 0; i < 6; ++i) {
                    frame[i] = std::byte{next_hop.octets[i]};
                    frame[6 + i] = std::byte{source.octets[i]};
                }
            }
            out.send(batch);
            dropped += batch.size(); // what send() left: released with the batch
        }
        return true;
    }

    bool drain_out() {
        if (!out.rx_pending() && !out.enable_rx_wakeup()) return false;
        os::PacketBatch batch;
        out.receive(batch);
        return true;
    }
};

} // namespace

int main() {
    const auto nics = os::nics();
    const std::string_view text = os::cmdline().get("floor.next_hop").value_or("");
    const auto next_hop = os::linux_nic::parse_mac(text); // unicast, not zero
    if (nics.size() != 2 || !next_hop) {
        std::printf("io-floor: needs two NICs (found %zu) and floor.next_hop=MAC (got \"%.*s\")\n",
                    nics.size(), static_cast<int>(text.size()), text.data());
        return 1;
    }
    // What a NIC holds from the pool (its receive ring) and what a turn has in flight, as the stack sizes it.
    static os::PacketPool pool(1024 + 640 * nics.size());
    for (os::Nic* nic : nics) {
        if (auto started = nic->start(pool); !started) {
            std::printf("io-floor: %s: cannot start: %s\n", nic->name(), started.error().context);
            return 1;
        }
    }
    static Floor floor{*nics[0], *nics[1], *next_hop};
    os::events::add_poller([] { return floor.forward(); });
    os::events::add_poller([] { return floor.drain_out(); });
    os::timers::periodic(std::chrono::seconds(1), [] {
        static std::uint64_t reported = 0;
        if (floor.dropped != reported) {
            std::printf("io-floor: %llu frames dropped (nic1 full)\n",
                        static_cast<unsigned long long>(floor.dropped));
            reported = floor.dropped;
        }
    });
    std::printf("io-floor: ready on %s, %s -> %s\n", std::string(os::platform()).c_str(), nics[0]->name(),
                nics[1]->name());
    return 0;
}
