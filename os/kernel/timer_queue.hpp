// The timer queue behind os::timers: a binary heap of deadlines over a slot
// table. Ids carry a generation, so a stale id (fired or stopped timer whose
// slot was reused) never stops someone else's timer. Stopping is lazy: the heap
// entry stays until it reaches the top and is then dropped.
#pragma once

#include <halite/os/clock.hpp>
#include <halite/os/timers.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace os::kernel {

class TimerQueue {
public:
    using time_point = os::clock::time_point;
    using duration = os::clock::duration;

    // `period` zero: one-shot. Periods are at least 1 µs (a zero or negative
    // period would spin the loop).
    timers::Id add(time_point deadline, duration period, timers::Callback callback);
    bool cancel(timers::Id id);

    // The earliest live deadline.
    std::optional<time_point> next_deadline();
    // Runs every timer due at `now` that existed when the call started (a timer
    // set by a callback waits for the next call, so a zero delay cannot starve
    // the loop). Returns how many callbacks ran.
    std::size_t run_due(time_point now);

    std::size_t active() const noexcept { return active_; }

    static constexpr duration min_period = std::chrono::microseconds(1);

private:
    struct Slot {
        timers::Callback callback;
        duration period{};
        std::uint32_t generation = 1;
        bool live = false;
    };
    struct Entry {
        time_point deadline;
        std::uint64_t sequence; // ties run in the order timers were set
        std::uint32_t slot;
        std::uint32_t generation;
    };
    struct Later {
        bool operator()(const Entry& a, const Entry& b) const {
            if (a.deadline != b.deadline) return a.deadline > b.deadline;
            return a.sequence > b.sequence;
        }
    };

    bool entry_live(const Entry& e) const;
    void drop_stale_top();
    void push(time_point deadline, std::uint32_t slot, std::uint32_t generation);
    void release(std::uint32_t slot);

    std::vector<Slot> slots_;
    std::vector<std::uint32_t> free_slots_;
    std::vector<Entry> heap_;
    std::uint64_t next_sequence_ = 0;
    std::size_t active_ = 0;
};

} // namespace os::kernel
