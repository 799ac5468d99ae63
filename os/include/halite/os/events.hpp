// The event loop. One core, no preemption: every callback runs to completion.
// Each iteration: interrupt work and I/O events, due timers, posted callbacks,
// pollers; then, if nothing is pending, the CPU halts (epoll_wait on linux)
// until the next timer deadline or an interrupt. Nothing fires while idle.
//
// main() returning 0 starts the loop; it runs until os::shutdown(), or exits with
// 0 when nothing is left that could ever wake it (no timers, pollers, work
// items or interrupt/fd subscriptions). main() returning non-zero shuts down
// with that code at once.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>

namespace os::events {

using Callback = std::function<void()>;

// Runs `callback` once on the next iteration. Not for interrupt handlers (it
// allocates); they use Work.
void post(Callback callback);

// A poller runs on every iteration; it returns true when it did work, which
// keeps the loop from halting (drivers poll their rings this way).
enum class PollerId : std::uint64_t { none = 0 };
PollerId add_poller(std::function<bool()> poll);
void remove_poller(PollerId id);

// An interrupt-safe pending-work flag: schedule() may be called from anywhere,
// including interrupt context; the callback then runs once in the loop. The
// object must outlive its registration (it unregisters itself on destruction).
class Work {
public:
    explicit Work(Callback callback);
    ~Work();
    Work(const Work&) = delete;
    Work& operator=(const Work&) = delete;

    void schedule() noexcept;
    bool pending() const noexcept { return pending_.load(std::memory_order_relaxed); }

private:
    friend class Loop;
    Callback callback_;
    std::atomic<bool> pending_{false};
    Work* next_ = nullptr;
};

// Iterations of the loop so far, and how many times it went idle (halted).
struct Stats {
    std::uint64_t iterations;
    std::uint64_t idle_waits;
};
Stats stats();

} // namespace os::events
