#include "kernel/event_loop.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace std::chrono_literals;
using os::events::Loop;

namespace {

// A clock that jumps to the deadline when the loop waits.
class FakePlatform final : public Loop::Platform {
public:
    os::clock::time_point now() override { return now_; }
    std::size_t dispatch() override {
        const std::size_t n = pending_events;
        for (std::size_t i = 0; i < n; ++i)
            ++dispatched;
        pending_events = 0;
        return n;
    }
    void wait(std::optional<os::clock::time_point> deadline) override {
        ++waits;
        if (woken) {
            woken = false;
            return;
        }
        ASSERT_TRUE(deadline.has_value()) << "would sleep forever";
        now_ = std::max(now_, *deadline);
    }
    void wake() noexcept override { woken = true; }
    bool has_event_sources() override { return sources; }

    os::clock::time_point now_{};
    std::size_t pending_events = 0, dispatched = 0, waits = 0;
    bool woken = false, sources = false;
};

struct LoopTest : ::testing::Test {
    FakePlatform platform;
    Loop loop{platform};
    void SetUp() override { Loop::set_current(&loop); }
    void TearDown() override { Loop::set_current(nullptr); }
    void after(std::chrono::nanoseconds d, std::function<void()> f) {
        loop.timers().add(platform.now() + d, {}, std::move(f));
    }
};

TEST_F(LoopTest, EndsWithZeroWhenNothingCanWakeIt) {
    EXPECT_EQ(loop.run(), 0);
    EXPECT_EQ(platform.waits, 0u);
}

TEST_F(LoopTest, TimersRunInOrderAndStopEndsTheLoop) {
    std::string order;
    after(30ms, [&] {
        order += 'c';
        loop.stop(7);
    });
    after(10ms, [&] { order += 'a'; });
    after(20ms, [&] { order += 'b'; });
    EXPECT_EQ(loop.run(), 7);
    EXPECT_EQ(order, "abc");
    EXPECT_EQ(platform.now(), os::clock::time_point(30ms));
    // Idle between timers: one wait per deadline, no busy loop.
    EXPECT_EQ(platform.waits, 3u);
}

TEST_F(LoopTest, PostedCallbacksRunOnceInOrder) {
    std::string order;
    os::events::post([&] {
        order += '1';
        os::events::post([&] { order += '3'; }); // next iteration
    });
    os::events::post([&] { order += '2'; });
    EXPECT_EQ(loop.run(), 0);
    EXPECT_EQ(order, "123");
}

TEST_F(LoopTest, PollersRunEachIterationAndKeepTheLoopAwake) {
    int polls = 0;
    os::events::PollerId id{};
    id = os::events::add_poller([&] {
        if (++polls == 5) os::events::remove_poller(id);
        return true;
    });
    EXPECT_EQ(loop.run(), 0);
    EXPECT_EQ(polls, 5);
    EXPECT_EQ(platform.waits, 0u);
}

TEST_F(LoopTest, WorkScheduledFromAnInterruptRunsOnce) {
    int runs = 0;
    {
        os::events::Work work([&] { ++runs; });
        work.schedule();
        work.schedule(); // coalesces
        EXPECT_TRUE(work.pending());
        EXPECT_TRUE(platform.woken);
        loop.run_once();
        EXPECT_EQ(runs, 1);
        EXPECT_FALSE(work.pending());
        loop.run_once();
        EXPECT_EQ(runs, 1);
    }
    // Unregistered on destruction: the loop has nothing left.
    EXPECT_EQ(loop.run(), 0);
}

TEST_F(LoopTest, PlatformEventsAreDispatched) {
    platform.pending_events = 3;
    EXPECT_TRUE(loop.run_once());
    EXPECT_EQ(platform.dispatched, 3u);
    EXPECT_FALSE(loop.run_once());
    EXPECT_EQ(loop.stats().iterations, 2u);
}

TEST_F(LoopTest, TimerStoppedBeforeItFiresDoesNotRun) {
    bool ran = false;
    auto id = loop.timers().add(os::clock::time_point(10ms), {}, [&] { ran = true; });
    after(5ms, [&] { EXPECT_TRUE(loop.timers().cancel(id)); });
    EXPECT_EQ(loop.run(), 0);
    EXPECT_FALSE(ran);
}

} // namespace
