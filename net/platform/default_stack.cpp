// The platform glue: the default stack of an image or a linux-platform program, created over os::nics() on
// first use and driven by the OS event loop. It is the only place where net/ meets the OS's loop and clock,
// and the same code runs on every platform.
//
// Driving (see net/README.md): one poller per NIC calls Stack::poll() while that NIC has frames waiting,
// and otherwise asks the NIC for a wake-up (interrupt or readable fd) so the loop may halt; one one-shot OS
// timer, re-armed only when the stack wants an earlier deadline, runs poll() at Stack::poll_at() for the
// stack's own timers (ARP, reassembly, DHCP).
#include "net/stack.hpp"

#include <halite/os/clock.hpp>
#include <halite/os/cmdline.hpp>
#include <halite/os/console.hpp>
#include <halite/os/events.hpp>
#include <halite/os/nic.hpp>
#include <halite/os/system.hpp>
#include <halite/os/timers.hpp>

#include <charconv>
#include <optional>

namespace net {

namespace {

// Buffers: what a virtio NIC may hold (its receive ring filled, a full transmit ring) plus room for the
// stack's queues (ARP, reassembly) and batches in flight. `net.buffers=N` on the command line overrides it.
constexpr std::size_t buffers_base = 1024;
constexpr std::size_t buffers_per_nic = 640;

Instant now() {
    return instant_from_ns(os::clock::now().time_since_epoch().count());
}

std::size_t pool_size(std::size_t nic_count) {
    if (const auto text = os::cmdline().get("net.buffers")) {
        std::size_t n = 0;
        const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), n);
        if (ec == std::errc{} && end == text->data() + text->size() && n >= 64) return n;
        os::printf("net: ignoring net.buffers=%.*s (a number >= 64)\n", static_cast<int>(text->size()),
                   text->data());
    }
    return buffers_base + buffers_per_nic * nic_count;
}

class PlatformStack {
public:
    explicit PlatformStack(std::size_t buffers) : pool_(buffers), stack_(pool_) {}

    Stack& stack() { return stack_; }

    void start() {
        for (os::Nic* nic : os::nics()) {
            if (auto started = nic->start(pool_); !started) {
                os::printf("net: %s: cannot start: %s\n", nic->name(), started.error().context);
                continue;
            }
            auto added = stack_.add_interface(*nic);
            if (!added) {
                os::printf("net: %s: no interface slot left\n", nic->name());
                continue;
            }
            const auto m = nic->mac().octets;
            os::printf("net: %s is %s, mac %02x:%02x:%02x:%02x:%02x:%02x, mtu %u, link %s\n",
                       added.value()->name(), nic->name(), m[0], m[1], m[2], m[3], m[4], m[5], nic->mtu(),
                       nic->link_up() ? "up" : "down");
            os::events::add_poller([this, nic] {
                if (!nic->rx_pending() && !nic->enable_rx_wakeup()) return false;
                poll();
                return true;
            });
        }
        // The first poll notices the links and starts what main() configured (gratuitous ARP, DHCP).
        os::events::post([this] { poll(); });
    }

private:
    void poll() {
        stack_.poll(now());
        arm_timer();
    }

    void arm_timer() {
        const std::optional<Instant> at = stack_.poll_at();
        if (!at) return;                 // an armed timer that fires for nothing costs one poll
        if (*at <= stack_.now()) return; // frames still waiting: the NIC's poller comes back at once
        if (timer_ != os::timers::Id::none) {
            if (timer_at_ <= *at) return; // an early enough wake-up is already armed
            os::timers::stop(timer_);
        }
        timer_at_ = *at;
        timer_ = os::timers::oneshot(*at - stack_.now(), [this] {
            timer_ = os::timers::Id::none;
            poll();
        });
    }

    PacketPool pool_;
    Stack stack_;
    os::timers::Id timer_ = os::timers::Id::none;
    Instant timer_at_{};
};

PlatformStack* g_platform = nullptr;
Stack* g_default_stack = nullptr;
bool g_created = false;

} // namespace

void set_default_stack(Stack* stack) {
    g_created = true; // an application that installs its own stack gets no platform one
    g_default_stack = stack;
}

Stack* default_stack() {
    if (!g_created) {
        g_created = true;
        // Lives as long as the program: the NICs keep pool buffers in their rings until power-off.
        g_platform = new PlatformStack(pool_size(os::nics().size()));
        g_default_stack = &g_platform->stack();
        g_platform->start();
    }
    return g_default_stack;
}

InterfaceList interfaces() {
    Stack* s = default_stack();
    return s != nullptr ? s->interfaces() : InterfaceList{};
}

void forget_default_stack(const Stack* stack) {
    if (g_default_stack == stack) g_default_stack = nullptr;
}

} // namespace net
