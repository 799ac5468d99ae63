#include "kernel/timer_queue.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace std::chrono_literals;
using os::kernel::TimerQueue;
using tp = os::clock::time_point;

namespace {

tp at(std::chrono::nanoseconds d) {
    return tp(d);
}

TEST(TimerQueue, RunsInDeadlineOrderWithTiesInInsertionOrder) {
    TimerQueue q;
    std::string order;
    q.add(at(30ms), {}, [&] { order += 'c'; });
    q.add(at(10ms), {}, [&] { order += 'a'; });
    q.add(at(20ms), {}, [&] { order += 'b'; });
    q.add(at(20ms), {}, [&] { order += 'B'; });
    EXPECT_EQ(q.next_deadline(), at(10ms));
    EXPECT_EQ(q.run_due(at(5ms)), 0u);
    EXPECT_EQ(q.run_due(at(20ms)), 3u);
    EXPECT_EQ(order, "abB");
    EXPECT_EQ(q.run_due(at(1s)), 1u);
    EXPECT_EQ(order, "abBc");
    EXPECT_EQ(q.active(), 0u);
    EXPECT_FALSE(q.next_deadline());
}

TEST(TimerQueue, CancelPreventsRunAndStaleIdsAreHarmless) {
    TimerQueue q;
    int runs = 0;
    auto id = q.add(at(10ms), {}, [&] { ++runs; });
    EXPECT_TRUE(q.cancel(id));
    EXPECT_FALSE(q.cancel(id));
    EXPECT_FALSE(q.next_deadline());
    // The slot is reused; the old id must not cancel the new timer.
    auto id2 = q.add(at(10ms), {}, [&] { ++runs; });
    EXPECT_NE(id, id2);
    EXPECT_FALSE(q.cancel(id));
    q.run_due(at(10ms));
    EXPECT_EQ(runs, 1);
    EXPECT_FALSE(q.cancel(id2)); // already fired
    EXPECT_FALSE(q.cancel(os::timers::Id{12345678}));
}

TEST(TimerQueue, PeriodicRearmsAndSkipsMissedPeriods) {
    TimerQueue q;
    int runs = 0;
    auto id = q.add(at(10ms), 10ms, [&] { ++runs; });
    q.run_due(at(10ms));
    EXPECT_EQ(q.next_deadline(), at(20ms));
    q.run_due(at(55ms)); // late: one run, no burst
    EXPECT_EQ(runs, 2);
    EXPECT_EQ(q.next_deadline(), at(65ms));
    EXPECT_TRUE(q.cancel(id));
    EXPECT_FALSE(q.next_deadline());
    EXPECT_EQ(q.active(), 0u);
}

TEST(TimerQueue, CallbackMayStopItselfAndAddTimers) {
    TimerQueue q;
    std::vector<int> seen;
    os::timers::Id self{};
    self = q.add(at(1ms), 1ms, [&] {
        seen.push_back(1);
        EXPECT_TRUE(q.cancel(self));
        // Added from a callback with a due deadline: runs on the next call only.
        for (int i = 0; i < 100; ++i)
            q.add(at(0ms), {}, [&seen, i] { seen.push_back(100 + i); });
    });
    EXPECT_EQ(q.run_due(at(1ms)), 1u);
    EXPECT_EQ(seen.size(), 1u);
    EXPECT_EQ(q.run_due(at(1ms)), 100u);
    EXPECT_EQ(seen[1], 100);
    EXPECT_EQ(seen.back(), 199);
    EXPECT_EQ(q.active(), 0u);
}

TEST(TimerQueue, ZeroPeriodIsClampedNotSpinning) {
    TimerQueue q;
    int runs = 0;
    q.add(at(0ms), TimerQueue::duration(-5), [&] { ++runs; });
    EXPECT_EQ(q.run_due(at(0ms)), 1u);
    EXPECT_EQ(q.next_deadline(), at(TimerQueue::min_period));
}

TEST(TimerQueue, ManyTimersStayOrdered) {
    TimerQueue q;
    std::vector<long> fired;
    unsigned x = 12345;
    std::vector<os::timers::Id> ids;
    for (int i = 0; i < 2000; ++i) {
        x = x * 1103515245 + 12345;
        const long ms = (x >> 8) % 1000;
        ids.push_back(q.add(at(std::chrono::milliseconds(ms)), {}, [&fired, ms] { fired.push_back(ms); }));
    }
    for (std::size_t i = 0; i < ids.size(); i += 3)
        EXPECT_TRUE(q.cancel(ids[i]));
    q.run_due(at(2s));
    EXPECT_EQ(fired.size(), 2000u - 667u);
    EXPECT_TRUE(std::is_sorted(fired.begin(), fired.end()));
}

} // namespace
