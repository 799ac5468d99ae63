// os::timers over the current event loop's timer queue.
#include "event_loop.hpp"

#include <halite/os/timers.hpp>

namespace os::timers {

namespace {
os::kernel::TimerQueue& queue() {
    return os::events::Loop::current().timers();
}
os::clock::time_point now() {
    return os::events::Loop::current().platform().now();
}
} // namespace

Id oneshot(clock::duration delay, Callback callback) {
    return queue().add(now() + delay, clock::duration::zero(), std::move(callback));
}

Id periodic(clock::duration interval, Callback callback) {
    return periodic(interval, interval, std::move(callback));
}

Id periodic(clock::duration first, clock::duration interval, Callback callback) {
    if (interval <= clock::duration::zero()) interval = os::kernel::TimerQueue::min_period;
    return queue().add(now() + first, interval, std::move(callback));
}

bool stop(Id id) {
    return queue().cancel(id);
}

std::size_t active() {
    return queue().active();
}

} // namespace os::timers
