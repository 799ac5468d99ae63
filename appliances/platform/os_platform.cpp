// The platform of boot images and linux-platform programs: os:: services. The only place where appliances/
// meets the OS; everything else is written against appliance::Platform and tested on the host.
#include "appliance/platform.hpp"

#include <halite/os/clock.hpp>
#include <halite/os/console.hpp>
#include <halite/os/events.hpp>
#include <halite/os/memory.hpp>
#include <halite/os/timers.hpp>

#include <chrono>
#include <sys/random.h>

namespace appliance {

namespace {

class OsPlatform final : public Platform {
public:
    void print(std::string_view text) override { os::print(text); }

    std::optional<std::int64_t> wall_clock_ns() override {
        const auto t = os::wall_time();
        if (!t) return std::nullopt;
        return t->time_since_epoch().count();
    }

    // net/platform/default_stack.cpp polls the stack with os::clock times too.
    std::optional<std::int64_t> monotonic_ns() override {
        return os::clock::now().time_since_epoch().count();
    }

    TimerId start_periodic(std::uint32_t seconds, TimerFunction function, void* context) override {
        const os::timers::Id id =
            os::timers::periodic(std::chrono::seconds(seconds), [function, context] { function(context); });
        return static_cast<TimerId>(static_cast<std::uint64_t>(id));
    }

    void stop(TimerId id) override {
        os::timers::stop(static_cast<os::timers::Id>(static_cast<std::uint64_t>(id)));
    }

    std::optional<MemoryFigures> memory() override {
        const os::memory::Stats s = os::memory::stats();
        return MemoryFigures{s.ram_bytes, s.free_bytes, s.heap_bytes, s.page_table_bytes};
    }

    std::optional<LoopFigures> loop() override {
        const os::events::Stats s = os::events::stats();
        return LoopFigures{s.iterations, s.idle_waits};
    }

    std::optional<std::size_t> active_timers() override { return os::timers::active(); }

    std::uint64_t random_seed() override {
        std::uint64_t seed = 0;
        // The image serves getrandom from RDRAND; the clock is the fallback where there is none.
        if (getrandom(&seed, sizeof seed, GRND_NONBLOCK) != static_cast<ssize_t>(sizeof seed))
            seed =
                static_cast<std::uint64_t>(os::clock::now().time_since_epoch().count()) * 0x9e3779b97f4a7c15u;
        return seed;
    }
};

OsPlatform g_os;
Platform* g_platform = nullptr;

} // namespace

Platform& platform() {
    return g_platform != nullptr ? *g_platform : g_os;
}

void set_platform(Platform* p) {
    g_platform = p;
}

} // namespace appliance
