// The connection table on its own: lookups in both directions, lazy and incremental expiry with time set
// by hand, eviction of the entry that expires first when full, and the index against a simple model.
#include "appliance/conntrack/table.hpp"

#include "support.hpp"

#include <gtest/gtest.h>
#include <map>
#include <random>

namespace appliance::conntrack {
namespace {

using test::at;
using namespace std::chrono_literals;

Timeouts timeouts() {
    return Timeouts::from(ConntrackConfig{});
}

Tuple udp(std::uint32_t src, std::uint16_t sport, std::uint32_t dst = 0x0a000001, std::uint16_t dport = 53) {
    return {src, dst, sport, dport, 17};
}

TEST(ConntrackTable, FindsBothDirections) {
    auto t = ConntrackTable::create(16, timeouts(), 1);
    ASSERT_TRUE(t);
    const Tuple a = udp(0xc0a80002, 4000);
    auto ins = t->insert(a, TimeoutClass::UnconfirmedUdp, at(0s));
    ASSERT_TRUE(ins);
    EXPECT_FALSE(ins->evicted);
    auto o = t->find(a, at(1s));
    auto r = t->find(a.inverted(), at(1s));
    ASSERT_TRUE(o && r);
    EXPECT_EQ(o->dir, Dir::Original);
    EXPECT_EQ(r->dir, Dir::Reply);
    EXPECT_EQ(o->ref, r->ref);
    EXPECT_FALSE(t->find(udp(0xc0a80002, 4001), at(1s)));
    EXPECT_EQ(t->size(), 1u);
    // The same tuple again is a clash, not a second entry.
    EXPECT_FALSE(t->insert(a, TimeoutClass::UnconfirmedUdp, at(1s)));
    EXPECT_EQ(t->counters().clashes, 1u);
}

TEST(ConntrackTable, ExpiresLazilyAndIncrementally) {
    auto t = ConntrackTable::create(16, timeouts(), 1);
    const Tuple a = udp(1, 1), b = udp(2, 2);
    auto ra = t->insert(a, TimeoutClass::UnconfirmedUdp, at(0s)); // 30 s
    auto rb = t->insert(b, TimeoutClass::UnconfirmedUdp, at(10s));
    t->touch(rb->ref, TimeoutClass::EstablishedUdp, at(10s)); // 180 s
    EXPECT_TRUE(t->find(a, at(29s)));
    // Lazy: the lookup itself finds it expired.
    EXPECT_FALSE(t->find(a, at(30s)));
    EXPECT_EQ(t->counters().expired, 1u);
    EXPECT_EQ(t->get(ra->ref), nullptr); // the Ref went stale
    // Incremental: expire() pops list heads only while they are due.
    EXPECT_EQ(t->expire(at(189s), 100), 0u);
    EXPECT_EQ(t->expire(at(190s), 100), 1u);
    EXPECT_EQ(t->size(), 0u);
}

TEST(ConntrackTable, PeekFindsWithoutErasing) {
    auto t = ConntrackTable::create(16, timeouts(), 1);
    const Tuple a = udp(1, 1);
    auto ra = t->insert(a, TimeoutClass::UnconfirmedUdp, at(0s)); // 30 s
    auto o = t->peek(a, at(29s)), r = t->peek(a.inverted(), at(29s));
    ASSERT_TRUE(o && r);
    EXPECT_EQ(o->ref, ra->ref);
    EXPECT_EQ(r->dir, Dir::Reply);
    // Expired: not found, but left where it is (find or expire erase it, and count it).
    EXPECT_FALSE(t->peek(a, at(30s)));
    EXPECT_EQ(t->size(), 1u);
    EXPECT_EQ(t->counters().expired, 0u);
    EXPECT_FALSE(t->find(a, at(30s)));
    EXPECT_EQ(t->counters().expired, 1u);
}

TEST(ConntrackTable, TouchRestartsTheTimeout) {
    auto t = ConntrackTable::create(4, timeouts(), 1);
    const Tuple a = udp(1, 1);
    auto r = t->insert(a, TimeoutClass::ConfirmedUdp, at(0s)); // 60 s
    t->touch(r->ref, TimeoutClass::ConfirmedUdp, at(50s));
    EXPECT_TRUE(t->find(a, at(100s)));
    EXPECT_FALSE(t->find(a, at(111s)));
}

TEST(ConntrackTable, TouchKeepsEachClassInExpiryOrder) {
    auto t = ConntrackTable::create(2, timeouts(), 1);
    const Tuple a = udp(1, 1), b = udp(2, 2), c = udp(3, 3);
    auto ra = t->insert(a, TimeoutClass::UnconfirmedUdp, at(0s)); // 30 s
    auto rb = t->insert(b, TimeoutClass::UnconfirmedUdp, at(1s));
    t->touch(rb->ref, TimeoutClass::UnconfirmedUdp, at(5s));  // the newest: stays last, expires at 35 s
    t->touch(ra->ref, TimeoutClass::UnconfirmedUdp, at(10s)); // moves behind b: 40 s
    t->touch(ra->ref, TimeoutClass::UnconfirmedUdp, at(12s)); // now the newest: 42 s
    EXPECT_EQ(t->expire(at(36s), 8), 1u);
    EXPECT_FALSE(t->peek(b, at(36s)));
    EXPECT_TRUE(t->peek(a, at(36s)));
    ASSERT_TRUE(t->insert(b, TimeoutClass::UnconfirmedUdp, at(37s))); // 67 s
    // Full: the entry that expires first goes, whatever the order of the touches.
    auto rc = t->insert(c, TimeoutClass::UnconfirmedUdp, at(38s));
    ASSERT_TRUE(rc);
    EXPECT_EQ(rc->evicted_original, a);
    EXPECT_TRUE(t->find(b, at(39s)));
}

TEST(ConntrackTable, ARefreshWithinTheRelinkLagStaysInPlaceAndLookupsStayExact) {
    auto t = ConntrackTable::create(4, timeouts(), 1);
    EXPECT_EQ(t->relink_lag_ns(TimeoutClass::UnconfirmedUdp), 1'875'000'000); // 30 s / 16
    const Tuple a = udp(1, 1), b = udp(2, 2);
    auto ra = t->insert(a, TimeoutClass::UnconfirmedUdp, at(0s)); // 30 s
    ASSERT_TRUE(t->insert(b, TimeoutClass::UnconfirmedUdp, at(100ms)));
    t->touch(ra->ref, TimeoutClass::UnconfirmedUdp, at(500ms)); // 30.5 s, still ahead of b in the list
    // b is due at 30.1 s. A sweep leaves it behind a (late by less than the relink lag, 30 s / 16); lookups
    // do not see it.
    EXPECT_EQ(t->expire(at(30200ms), 8), 0u);
    EXPECT_FALSE(t->peek(b, at(30200ms)));
    EXPECT_TRUE(t->peek(a, at(30200ms)));
    EXPECT_EQ(t->expire(at(30500ms), 8), 2u);
    EXPECT_EQ(t->size(), 0u);
}

TEST(ConntrackTable, AFlowRefreshedForLongMovesBehindTheIdleOnes) {
    auto t = ConntrackTable::create(4, timeouts(), 1);
    const Tuple a = udp(1, 1), b = udp(2, 2);
    auto ra = t->insert(a, TimeoutClass::UnconfirmedUdp, at(0s));
    ASSERT_TRUE(t->insert(b, TimeoutClass::UnconfirmedUdp, at(0s)));
    for (auto when = 100ms; when <= 10s; when += 100ms)
        t->touch(ra->ref, TimeoutClass::UnconfirmedUdp, at(when));
    // a expires at 40 s and was appended again behind b on the way: the sweep at 30 s reaches b.
    EXPECT_EQ(t->expire(at(30s), 8), 1u);
    EXPECT_FALSE(t->peek(b, at(30s)));
    EXPECT_EQ(t->expire(at(39s), 8), 0u);
    EXPECT_TRUE(t->find(a, at(39s)));
    EXPECT_EQ(t->expire(at(40s), 8), 1u);
}

TEST(ConntrackTable, EvictionPicksTheEarliestToWithinTheRelinkLag) {
    auto t = ConntrackTable::create(2, timeouts(), 1);
    const Tuple a = udp(1, 1), b = udp(2, 2), c = udp(3, 3);
    auto ra = t->insert(a, TimeoutClass::UnconfirmedUdp, at(0s));
    ASSERT_TRUE(t->insert(b, TimeoutClass::UnconfirmedUdp, at(200ms))); // 30.2 s
    t->touch(ra->ref, TimeoutClass::UnconfirmedUdp, at(500ms));         // 30.5 s, still the list's head
    auto rc = t->insert(c, TimeoutClass::UnconfirmedUdp, at(1s));
    ASSERT_TRUE(rc);
    EXPECT_TRUE(rc->evicted);
    // a, which expires 0.3 s after b: the head, within the relink lag of the earliest.
    EXPECT_EQ(rc->evicted_original, a);
    EXPECT_TRUE(t->find(b, at(2s)));
}

TEST(ConntrackTable, ExpireRespectsItsBudget) {
    auto t = ConntrackTable::create(64, timeouts(), 1);
    for (std::uint16_t i = 0; i < 40; ++i)
        ASSERT_TRUE(t->insert(udp(1, i), TimeoutClass::UnconfirmedUdp, at(0s)));
    EXPECT_EQ(t->expire(at(31s), 16), 16u);
    EXPECT_EQ(t->size(), 24u);
    EXPECT_EQ(t->expire(at(31s), 100), 24u);
}

TEST(ConntrackTable, ASweepThatFinishedWaitsForTheTimeToMove) {
    auto t = ConntrackTable::create(16, timeouts(), 1);
    ASSERT_TRUE(t->insert(udp(1, 1), TimeoutClass::UnconfirmedUdp, at(0s))); // 30 s
    EXPECT_EQ(t->expire(at(31s), 8), 1u);
    // Whatever is inserted at 31 s expires after it: a second sweep at 31 s has nothing to do...
    ASSERT_TRUE(t->insert(udp(2, 2), TimeoutClass::UnconfirmedUdp, at(31s)));
    EXPECT_EQ(t->expire(at(31s), 8), 0u);
    // ...and a later one finds it due.
    EXPECT_EQ(t->expire(at(60s), 8), 0u);
    EXPECT_EQ(t->expire(at(61s), 8), 1u);
    EXPECT_EQ(t->size(), 0u);
}

TEST(ConntrackTable, FullTableEvictsWhatExpiresFirstAndCountsIt) {
    auto t = ConntrackTable::create(3, timeouts(), 1);
    const Tuple a = udp(1, 1), b = udp(2, 2), c = udp(3, 3), d = udp(4, 4);
    auto ra = t->insert(a, TimeoutClass::UnconfirmedUdp, at(0s));
    auto rb = t->insert(b, TimeoutClass::UnconfirmedUdp, at(1s));
    auto rc = t->insert(c, TimeoutClass::UnconfirmedUdp, at(2s));
    // a is established (long timeout); b expires first now.
    t->touch(ra->ref, TimeoutClass::EstablishedUdp, at(3s));
    auto rd = t->insert(d, TimeoutClass::UnconfirmedUdp, at(4s));
    ASSERT_TRUE(rd);
    EXPECT_TRUE(rd->evicted);
    EXPECT_EQ(rd->evicted_original, b);
    EXPECT_EQ(t->counters().evicted, 1u);
    EXPECT_EQ(t->size(), 3u);
    EXPECT_TRUE(t->find(a, at(5s)));
    EXPECT_FALSE(t->find(b, at(5s)));
    EXPECT_TRUE(t->find(c, at(5s)));
    EXPECT_TRUE(t->find(d, at(5s)));
    (void)rb;
    (void)rc;
}

TEST(ConntrackTable, AnExpiredVictimIsNotCountedAsEvicted) {
    auto t = ConntrackTable::create(1, timeouts(), 1);
    ASSERT_TRUE(t->insert(udp(1, 1), TimeoutClass::UnconfirmedUdp, at(0s)));
    auto r = t->insert(udp(2, 2), TimeoutClass::UnconfirmedUdp, at(40s));
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->evicted);
    EXPECT_EQ(t->counters().evicted, 0u);
    EXPECT_EQ(t->counters().expired, 1u);
}

TEST(ConntrackTable, ReplyRekeyingRefusesClashes) {
    auto t = ConntrackTable::create(8, timeouts(), 1);
    const Tuple a = udp(1, 1000), b = udp(2, 1000);
    auto ra = t->insert(a, TimeoutClass::UnconfirmedUdp, at(0s));
    auto rb = t->insert(b, TimeoutClass::UnconfirmedUdp, at(0s));
    Tuple nat = a.inverted();
    nat.dst = 99;
    ASSERT_TRUE(t->set_reply(ra->ref, nat));
    EXPECT_EQ(t->find(nat, at(1s))->ref, ra->ref);
    EXPECT_FALSE(t->find(a.inverted(), at(1s)));
    Tuple clash = b.inverted();
    clash.dst = 99; // the same reply tuple as a's
    EXPECT_FALSE(t->set_reply(rb->ref, clash));
    EXPECT_EQ(t->get(rb->ref)->tuple[1], b.inverted());
}

TEST(ConntrackTable, RefusesImpossibleLimits) {
    EXPECT_FALSE(ConntrackTable::create(0, timeouts(), 1));
    EXPECT_FALSE(ConntrackTable::create(ConntrackTable::max_limit + 1, timeouts(), 1));
}

TEST(ConntrackTable, IndexAgreesWithAModelUnderChurn) {
    // Backward-shift deletion moves slots around; every live tuple must stay findable and no dead one may be.
    auto t = ConntrackTable::create(500, timeouts(), 7);
    std::map<std::uint32_t, ConntrackTable::Ref> model; // by source
    std::mt19937 rng(3);
    for (int step = 0; step < 20000; ++step) {
        const std::uint32_t src = rng() % 700;
        const Tuple tuple = udp(src, 1);
        auto it = model.find(src);
        if (it == model.end()) {
            if (model.size() == 500) continue;
            auto r = t->insert(tuple, TimeoutClass::EstablishedUdp, at(0s));
            ASSERT_TRUE(r);
            ASSERT_FALSE(r->evicted);
            model[src] = r->ref;
        } else {
            t->erase(it->second);
            model.erase(it);
        }
        if (step % 1000 == 0) {
            for (std::uint32_t s = 0; s < 700; ++s) {
                const auto hit = t->find(udp(s, 1), at(0s));
                const auto rev = t->find(udp(s, 1).inverted(), at(0s));
                ASSERT_EQ(hit.has_value(), model.count(s) == 1) << s;
                ASSERT_EQ(rev.has_value(), model.count(s) == 1) << s;
            }
        }
    }
    EXPECT_EQ(t->size(), model.size());
}

TEST(ConntrackTable, ExpiryAgreesWithAModelToWithinTheRelinkLag) {
    // Flows refreshed at random moments, in two classes (a refresh may move a flow to the other), some idle
    // for long: lookups must match each flow's own expiry exactly; a sweep must leave nothing due by more
    // than the relink lag; and when the table is full the victim must expire within that lag of the earliest.
    const Timeouts to = timeouts();
    auto t = ConntrackTable::create(64, to, 11);
    const std::int64_t lag = std::max(t->relink_lag_ns(TimeoutClass::UnconfirmedUdp),
                                      t->relink_lag_ns(TimeoutClass::ConfirmedUdp));
    std::map<std::uint32_t, std::pair<ConntrackTable::Ref, std::int64_t>> model; // by source: ref, expiry
    std::mt19937 rng(5);
    std::int64_t now = 0;
    for (int step = 0; step < 50000; ++step) {
        now += static_cast<std::int64_t>(rng() % (step % 5000 < 4000 ? 200'000'000u : 2'000'000'000u));
        const net::Instant when = net::instant_from_ns(now);
        // Lookups see exactly the live flows. The model keeps the others: the table may still hold them.
        for (const auto& [s, flow] : model)
            ASSERT_EQ(t->peek(udp(s, 1), when).has_value(), flow.second > now) << step;
        const std::uint32_t src = rng() % 2 == 0 ? rng() % 8 : rng() % 96; // some flows busier than others
        const auto cls = rng() % 4 == 0 ? TimeoutClass::ConfirmedUdp : TimeoutClass::UnconfirmedUdp;
        if (auto hit = t->find(udp(src, 1), when)) {
            t->touch(hit->ref, cls, when);
            model[src] = {hit->ref, now + to.of(cls).count()};
        } else if (auto r = t->insert(udp(src, 1), cls, when)) {
            if (r->evicted) {
                const auto victim = model.find(r->evicted_original.src);
                ASSERT_NE(victim, model.end());
                ASSERT_GT(victim->second.second, now); // a due one is not counted as evicted
                for (const auto& [s, flow] : model) {
                    if (flow.second > now)
                        ASSERT_LE(victim->second.second, flow.second + lag)
                            << "evicted " << victim->first << " before " << s;
                }
                model.erase(victim);
            }
            model[src] = {r->ref, now + to.of(cls).count()};
        }
        if (step % 7 == 0) {
            t->expire(when, 1000);
            // What is left: the live flows, and at most those due less than the lag ago.
            std::size_t live = 0, kept = 0;
            for (const auto& [s, flow] : model) {
                live += flow.second > now ? 1 : 0;
                kept += flow.second + lag > now ? 1 : 0;
            }
            ASSERT_GE(t->size(), live) << step;
            ASSERT_LE(t->size(), kept) << step;
        }
    }
}

} // namespace
} // namespace appliance::conntrack
