// Timers run their callbacks from the event loop, in deadline order (timers with
// the same deadline run in the order they were set). Callbacks run to completion
// and may set or stop timers, including their own.
#pragma once

#include <halite/os/clock.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>

namespace os::timers {

enum class Id : std::uint64_t { none = 0 };
using Callback = std::function<void()>;

// Runs `callback` once, `delay` from now.
Id oneshot(clock::duration delay, Callback callback);
// Runs `callback` every `interval`, first after one interval. A late loop does
// not cause a burst: missed periods are skipped.
Id periodic(clock::duration interval, Callback callback);
Id periodic(clock::duration first, clock::duration interval, Callback callback);
// Returns false when the timer already fired (one-shot) or was stopped.
bool stop(Id id);
// Timers set and not yet fired or stopped.
std::size_t active();

} // namespace os::timers
