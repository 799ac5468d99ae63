// Time as the stack sees it: injected by the caller of Stack::poll(now), never read from a clock, so the
// same code runs on the OS timer, on Linux and in tests that move time by hand.
#pragma once

#include <chrono>
#include <cstdint>

namespace net {

// A monotonic clock with an arbitrary epoch (boot). It has no now(): the platform supplies instants.
struct MonotonicClock {
    using rep = std::int64_t;
    using period = std::nano;
    using duration = std::chrono::duration<rep, period>;
    using time_point = std::chrono::time_point<MonotonicClock>;
    static constexpr bool is_steady = true;
};

using Duration = MonotonicClock::duration;
using Instant = MonotonicClock::time_point;

constexpr Instant instant_from_ns(std::int64_t ns) {
    return Instant{Duration{ns}};
}
constexpr std::int64_t to_ns(Instant t) {
    return t.time_since_epoch().count();
}

} // namespace net
