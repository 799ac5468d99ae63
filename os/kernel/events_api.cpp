// os::events over the current event loop (shared by the image and linux).
#include "event_loop.hpp"

#include <halite/os/system.hpp>

namespace os::events {

namespace {
Loop* current_loop = nullptr;
}

Loop& Loop::current() {
    if (current_loop == nullptr) os::panic("os::events used before the event loop exists");
    return *current_loop;
}

void Loop::set_current(Loop* loop) noexcept {
    current_loop = loop;
}

// os::events API over the current loop.

void post(Callback callback) {
    Loop::current().post(std::move(callback));
}
PollerId add_poller(std::function<bool()> poll) {
    return Loop::current().add_poller(std::move(poll));
}
void remove_poller(PollerId id) {
    Loop::current().remove_poller(id);
}
Stats stats() {
    return Loop::current().stats();
}

Work::Work(Callback callback) : callback_(std::move(callback)) {
    Loop::current().add_work(*this);
}

Work::~Work() {
    Loop::current().remove_work(*this);
}

void Work::schedule() noexcept {
    pending_.store(true, std::memory_order_release);
    Loop::current().work_scheduled();
}

} // namespace os::events
