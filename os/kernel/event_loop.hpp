// The event loop behind os::events and os::timers, independent of the platform:
// the image halts the CPU in Platform::wait, linux sleeps in epoll_wait, tests
// use a fake clock.
#pragma once

#include "timer_queue.hpp"

#include <halite/os/clock.hpp>
#include <halite/os/events.hpp>

#include <atomic>
#include <cstddef>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

namespace os::events {

class Loop {
public:
    class Platform {
    public:
        virtual ~Platform() = default;
        virtual os::clock::time_point now() = 0;
        // Runs the handlers of interrupts or I/O events that arrived; returns
        // how many ran.
        virtual std::size_t dispatch() = 0;
        // Sleeps until `deadline` (forever when none) or until an event or
        // wake() arrives; returns at once if one is already pending.
        virtual void wait(std::optional<os::clock::time_point> deadline) = 0;
        // Makes the current or next wait() return (callable from interrupt
        // context and, on linux, from other threads or signal handlers).
        virtual void wake() noexcept = 0;
        // True while something outside the loop may still produce events.
        virtual bool has_event_sources() = 0;
    };

    explicit Loop(Platform& platform) : platform_(platform) {}
    Loop(const Loop&) = delete;
    Loop& operator=(const Loop&) = delete;

    // The loop os::events / os::timers use (installed by the platform at start).
    static Loop& current();
    static void set_current(Loop* loop) noexcept;

    os::kernel::TimerQueue& timers() noexcept { return timers_; }
    Platform& platform() noexcept { return platform_; }

    void post(Callback callback);
    PollerId add_poller(std::function<bool()> poll);
    void remove_poller(PollerId id);
    void add_work(Work& work);
    void remove_work(Work& work);
    void work_scheduled() noexcept;

    // Iterates until stop(); returns stop()'s code, or 0 once nothing could
    // ever wake the loop.
    int run();
    void stop(int code) noexcept;
    bool stopped() const noexcept { return stopped_; }
    // One iteration without waiting; true when anything ran.
    bool run_once();

    Stats stats() const noexcept { return {iterations_, idle_waits_}; }

private:
    std::size_t run_work();
    std::size_t run_posted();
    bool run_pollers();
    bool can_wake();

    Platform& platform_;
    os::kernel::TimerQueue timers_;
    std::vector<Callback> posted_;
    std::vector<std::pair<PollerId, std::function<bool()>>> pollers_;
    std::uint64_t next_poller_ = 1;
    bool pollers_dirty_ = false;
    Work* works_ = nullptr;
    std::atomic<bool> work_pending_{false};
    bool stopped_ = false;
    int exit_code_ = 0;
    std::uint64_t iterations_ = 0;
    std::uint64_t idle_waits_ = 0;
};

} // namespace os::events
