// The host library's platform: what a test installed with set_platform(), else a minimal one (console on
// stdout, no timers ever fire, no machine figures). The image and linux builds use platform/os_platform.cpp.
#include "appliance/platform.hpp"

#include <cstdio>

namespace appliance {

namespace {

class StdioPlatform final : public Platform {
public:
    void print(std::string_view text) override { std::fwrite(text.data(), 1, text.size(), stdout); }
    std::optional<std::int64_t> wall_clock_ns() override { return std::nullopt; }
    std::optional<std::int64_t> monotonic_ns() override { return std::nullopt; }
    TimerId start_periodic(std::uint32_t, TimerFunction, void*) override { return TimerId{++next_}; }
    void stop(TimerId) override {}
    std::optional<MemoryFigures> memory() override { return std::nullopt; }
    std::optional<LoopFigures> loop() override { return std::nullopt; }
    std::optional<std::size_t> active_timers() override { return std::nullopt; }
    std::uint64_t random_seed() override { return 0x9e3779b97f4a7c15u; }

private:
    std::uint64_t next_ = 0;
};

StdioPlatform g_stdio;
Platform* g_platform = nullptr;

} // namespace

Platform& platform() {
    return g_platform != nullptr ? *g_platform : g_stdio;
}

void set_platform(Platform* p) {
    g_platform = p;
}

} // namespace appliance
