// os::clock on the image: the TSC since the first instruction, scaled by the
// frequency calibrated at boot; wall time from the RTC read at boot.
#include "kernel.hpp"

#include "arch/x86_64/cpu.hpp"
#include "tsc_scale.hpp"

#include <halite/os/clock.hpp>

extern "C" std::uint64_t halite_boot_tsc; // boot.S: the TSC at the first instruction

namespace os::kernel {

namespace {
constinit TscScale scale;
constinit std::uint64_t timer_hz = 0;
constinit std::uint64_t main_tsc = 0;
constinit bool have_wall = false;
constinit std::int64_t wall_offset_ns = 0; // wall time minus monotonic time
} // namespace

void clock_init(std::uint64_t tsc_hz, std::uint64_t lapic_timer_hz) {
    scale = TscScale(tsc_hz);
    timer_hz = lapic_timer_hz;
}

void clock_set_wall(std::int64_t unix_seconds) {
    wall_offset_ns = unix_seconds * 1'000'000'000 - os::clock::now().time_since_epoch().count();
    have_wall = true;
}

void clock_mark_main() {
    main_tsc = arch::rdtsc();
}
std::uint64_t lapic_timer_hz() {
    return timer_hz;
}

} // namespace os::kernel

namespace os {

clock::time_point clock::now() noexcept {
    return time_point(duration(static_cast<rep>(kernel::scale.to_ns(arch::rdtsc() - halite_boot_tsc))));
}

std::optional<wall_time_point> wall_time() noexcept {
    if (!kernel::have_wall) return std::nullopt;
    return wall_time_point(
        std::chrono::nanoseconds(clock::now().time_since_epoch().count() + kernel::wall_offset_ns));
}

clock::duration boot_duration() noexcept {
    return clock::duration(static_cast<clock::rep>(kernel::scale.to_ns(kernel::main_tsc - halite_boot_tsc)));
}

std::uint64_t tsc_hz() noexcept {
    return kernel::scale.hz();
}

} // namespace os
