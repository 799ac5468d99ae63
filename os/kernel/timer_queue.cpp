#include "timer_queue.hpp"

#include <algorithm>
#include <utility>

namespace os::kernel {

namespace {

timers::Id make_id(std::uint32_t slot, std::uint32_t generation) {
    return timers::Id{(std::uint64_t{generation} << 32) | slot};
}

} // namespace

timers::Id TimerQueue::add(time_point deadline, duration period, timers::Callback callback) {
    if (period != duration::zero() && period < min_period) period = min_period;
    std::uint32_t slot;
    if (!free_slots_.empty()) {
        slot = free_slots_.back();
        free_slots_.pop_back();
    } else {
        slot = static_cast<std::uint32_t>(slots_.size());
        slots_.emplace_back();
    }
    Slot& s = slots_[slot];
    s.callback = std::move(callback);
    s.period = period;
    s.live = true;
    ++active_;
    push(deadline, slot, s.generation);
    return make_id(slot, s.generation);
}

bool TimerQueue::cancel(timers::Id id) {
    const auto raw = static_cast<std::uint64_t>(id);
    const auto slot = static_cast<std::uint32_t>(raw & 0xffffffffu);
    const auto generation = static_cast<std::uint32_t>(raw >> 32);
    if (slot >= slots_.size()) return false;
    Slot& s = slots_[slot];
    if (!s.live || s.generation != generation) return false;
    release(slot);
    return true;
}

void TimerQueue::release(std::uint32_t slot) {
    Slot& s = slots_[slot];
    s.live = false;
    s.callback = nullptr;
    ++s.generation;
    if (s.generation == 0) s.generation = 1; // 0 would make Id::none possible
    free_slots_.push_back(slot);
    --active_;
}

bool TimerQueue::entry_live(const Entry& e) const {
    const Slot& s = slots_[e.slot];
    return s.live && s.generation == e.generation;
}

void TimerQueue::drop_stale_top() {
    while (!heap_.empty() && !entry_live(heap_.front())) {
        std::pop_heap(heap_.begin(), heap_.end(), Later{});
        heap_.pop_back();
    }
}

void TimerQueue::push(time_point deadline, std::uint32_t slot, std::uint32_t generation) {
    heap_.push_back(Entry{deadline, next_sequence_++, slot, generation});
    std::push_heap(heap_.begin(), heap_.end(), Later{});
}

std::optional<TimerQueue::time_point> TimerQueue::next_deadline() {
    drop_stale_top();
    if (heap_.empty()) return std::nullopt;
    return heap_.front().deadline;
}

std::size_t TimerQueue::run_due(time_point now) {
    const std::uint64_t sequence_limit = next_sequence_;
    std::size_t ran = 0;
    for (;;) {
        drop_stale_top();
        if (heap_.empty()) break;
        const Entry top = heap_.front();
        if (top.deadline > now || top.sequence >= sequence_limit) break;
        std::pop_heap(heap_.begin(), heap_.end(), Later{});
        heap_.pop_back();

        Slot& s = slots_[top.slot];
        // The callback may add timers (slots_ may reallocate) or stop this one,
        // so it runs from a local and goes back only if the timer survived.
        timers::Callback callback = std::move(s.callback);
        if (s.period == duration::zero()) {
            release(top.slot);
            if (callback) callback();
        } else {
            time_point next = top.deadline + s.period;
            if (next <= now) next = now + s.period; // skip missed periods: no burst
            push(next, top.slot, top.generation);
            if (callback) callback();
            Slot& again = slots_[top.slot];
            if (again.live && again.generation == top.generation) again.callback = std::move(callback);
        }
        ++ran;
    }
    return ran;
}

} // namespace os::kernel
