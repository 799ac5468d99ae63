// Time. os::clock is a std::chrono clock (monotonic, nanoseconds since boot on
// an image, since process start on linux), so chrono literals and arithmetic
// work: `os::clock::now() + 50ms`.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace os {

struct clock {
    using rep = std::int64_t;
    using period = std::nano;
    using duration = std::chrono::nanoseconds;
    using time_point = std::chrono::time_point<clock, duration>;
    static constexpr bool is_steady = true;

    static time_point now() noexcept;
};

using wall_time_point = std::chrono::time_point<std::chrono::system_clock, std::chrono::nanoseconds>;

// Wall-clock time (UTC): the RTC read at boot plus the monotonic clock on an
// image; nullopt when the machine has no RTC.
std::optional<wall_time_point> wall_time() noexcept;

// From the first instruction of the image (process start on linux) to main().
clock::duration boot_duration() noexcept;

// The calibrated time-stamp counter frequency, 0 where the clock is not the TSC.
std::uint64_t tsc_hz() noexcept;

} // namespace os
