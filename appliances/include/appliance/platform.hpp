// What the appliance runtime needs from the machine besides the network stack: the console, wall-clock
// time, periodic timers and the figures the statistics timers print. On the image and linux platforms
// (platform/os_platform.cpp) these are os:: services; in the host library the tests install their own
// (set_platform), so every timer and every console line is under the test's control.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace appliance {

struct MemoryFigures {
    std::size_t ram_bytes = 0;
    std::size_t free_bytes = 0;
    std::size_t heap_bytes = 0;
    std::size_t page_table_bytes = 0;
};

struct LoopFigures {
    std::uint64_t iterations = 0;
    std::uint64_t idle_waits = 0; // iterations that ended with the CPU halted (nothing to do)
};

class Platform {
public:
    using TimerFunction = void (*)(void* context);
    enum class TimerId : std::uint64_t { none = 0 };

    // One piece of console output (a whole line, with its newline).
    virtual void print(std::string_view text) = 0;
    // UTC, nanoseconds since 1970-01-01; nullopt when the machine has no wall clock.
    virtual std::optional<std::int64_t> wall_clock_ns() = 0;
    // The clock the stack's poll() times come from (ns since boot), for timers that run while no packet
    // moves the stack's time; nullopt: use the stack's time.
    virtual std::optional<std::int64_t> monotonic_ns() = 0;
    // Calls function(context) every `seconds` from the event loop (never inside a packet's processing).
    virtual TimerId start_periodic(std::uint32_t seconds, TimerFunction function, void* context) = 0;
    virtual void stop(TimerId id) = 0;
    // nullopt where the platform has no such figure.
    virtual std::optional<MemoryFigures> memory() = 0;
    virtual std::optional<LoopFigures> loop() = 0;
    virtual std::optional<std::size_t> active_timers() = 0;
    // Seeds hash tables and DHCP transaction ids.
    virtual std::uint64_t random_seed() = 0;

protected:
    ~Platform() = default;
};

// The platform run() uses. Host library: what set_platform() installed, else one that prints to stdout and
// never fires timers. Platform builds: os:: services (set_platform is not available there).
Platform& platform();
void set_platform(Platform* platform);

} // namespace appliance
