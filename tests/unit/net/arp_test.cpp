// ARP: the cache on its own, then the stack answering, learning, resolving and announcing.
#include "harness.hpp"

#include <gtest/gtest.h>

namespace net::test {
namespace {

TEST(ArpCache, LearnOnlyCreatesWhenAsked) {
    ArpCache cache;
    const Ipv4Address ip{10, 0, 0, 2};
    EXPECT_FALSE(cache.learn(ip, mac_of(2), at(0s), false));
    EXPECT_FALSE(cache.lookup(ip, at(0s)));
    EXPECT_TRUE(cache.learn(ip, mac_of(2), at(0s), true));
    EXPECT_EQ(cache.lookup(ip, at(1s)), mac_of(2));
    // RFC 826 merge: an existing entry is updated even when the packet is not for us.
    EXPECT_TRUE(cache.learn(ip, mac_of(3), at(2s), false));
    EXPECT_EQ(cache.lookup(ip, at(2s)), mac_of(3));
}

TEST(ArpCache, EntriesExpire) {
    ArpCache cache(ArpConfig{10s, 1s, 3});
    const Ipv4Address ip{10, 0, 0, 2};
    cache.learn(ip, mac_of(2), at(0s), true);
    EXPECT_TRUE(cache.lookup(ip, at(9s)));
    EXPECT_FALSE(cache.lookup(ip, at(10s)));
}

TEST(ArpCache, AFullCacheEvictsTheEntryClosestToExpiryAndCountsIt) {
    ArpCache cache(ArpConfig{1000s, 1s, 3});
    const auto host = [](std::size_t i) {
        return Ipv4Address{10, 0, static_cast<std::uint8_t>(i / 200), static_cast<std::uint8_t>(1 + i % 200)};
    };
    for (std::size_t i = 0; i < ArpCache::capacity; ++i)
        ASSERT_TRUE(cache.learn(host(i), mac_of(2), at(std::chrono::seconds(i)), true));
    EXPECT_EQ(cache.evicted(), 0u);
    EXPECT_TRUE(cache.learn(host(0), mac_of(3), at(100s), true)); // known: refreshed, nothing evicted
    EXPECT_EQ(cache.evicted(), 0u);
    // Full: the new address takes host 1's entry (learnt at 1 s, the first to expire now).
    EXPECT_TRUE(cache.learn(host(ArpCache::capacity), mac_of(4), at(101s), true));
    EXPECT_EQ(cache.evicted(), 1u);
    EXPECT_FALSE(cache.lookup(host(1), at(101s)));
    EXPECT_TRUE(cache.lookup(host(0), at(101s)));
    // An expired entry is reused without counting an eviction.
    EXPECT_TRUE(cache.learn(host(ArpCache::capacity + 1), mac_of(5), at(2000s), true));
    EXPECT_EQ(cache.evicted(), 1u);
}

TEST(ArpCache, QueueBoundsAndRetries) {
    PacketPool pool(64);
    ArpCache cache(ArpConfig{60s, 1s, 3});
    const Ipv4Address ip{10, 0, 0, 2};
    for (std::size_t i = 0; i < ArpCache::queue_per_address; ++i) {
        PacketPtr p = pool.allocate();
        auto r = cache.enqueue(ip, p, at(0s));
        EXPECT_TRUE(r.queued);
        EXPECT_EQ(r.send_request, i == 0);
        EXPECT_FALSE(p);
    }
    PacketPtr extra = pool.allocate();
    EXPECT_FALSE(cache.enqueue(ip, extra, at(0s)).queued);
    EXPECT_TRUE(extra);
    EXPECT_EQ(cache.next_deadline(), at(1s));

    int requests = 0, drops = 0;
    auto req = [&](Ipv4Address) { ++requests; };
    auto drop = [&](PacketPtr) { ++drops; };
    cache.poll(at(500ms), req, drop);
    EXPECT_EQ(requests, 0);
    cache.poll(at(1s), req, drop);
    cache.poll(at(2s), req, drop);
    EXPECT_EQ(requests, 2); // 3 requests in all with the first
    EXPECT_EQ(drops, 0);
    cache.poll(at(3s), req, drop);
    EXPECT_EQ(drops, static_cast<int>(ArpCache::queue_per_address));
    EXPECT_EQ(cache.queued(), 0u);
    EXPECT_FALSE(cache.next_deadline());
}

TEST(ArpCache, ResolutionReleasesQueuedPackets) {
    PacketPool pool(8);
    ArpCache cache;
    const Ipv4Address a{10, 0, 0, 2}, b{10, 0, 0, 3};
    PacketPtr p1 = pool.allocate(), p2 = pool.allocate(), p3 = pool.allocate();
    (void)cache.enqueue(a, p1, at(0s));
    (void)cache.enqueue(b, p2, at(0s));
    (void)cache.enqueue(a, p3, at(0s));
    EXPECT_FALSE(cache.take_ready(at(0s)));
    cache.learn(a, mac_of(2), at(0s), false); // an entry being resolved exists: merge resolves it
    int ready = 0;
    while (auto r = cache.take_ready(at(0s))) {
        EXPECT_EQ(r->mac, mac_of(2));
        ++ready;
    }
    EXPECT_EQ(ready, 2);
    EXPECT_EQ(cache.queued(), 1u);
}

struct ArpStack : ::testing::Test {
    PacketPool pool{64};
    Host host{pool};
    void SetUp() override {
        ASSERT_TRUE(host.iface->configure({10, 0, 0, 1}, {255, 255, 255, 0}));
        host.nic.take_sent(); // the gratuitous ARP
    }
    void inject_arp(std::uint16_t op, MacAddress from, Ipv4Address sender, Ipv4Address target,
                    MacAddress dst = MacAddress::broadcast()) {
        host.nic.inject(
            testing::ethernet(dst, from, wire::ethertype::arp, testing::arp({op, from, sender, {}, target})));
    }
};

TEST_F(ArpStack, ConfigureAnnouncesWithGratuitousArp) {
    ASSERT_TRUE(host.iface->configure({10, 0, 0, 9}, {255, 255, 255, 0}));
    auto frames = frames_of(host.nic);
    ASSERT_EQ(frames.size(), 1u);
    auto arp = frames[0].arp();
    ASSERT_TRUE(arp);
    EXPECT_TRUE(frames[0].eth.dst.is_broadcast());
    EXPECT_EQ(arp->operation, wire::arp_op::request);
    EXPECT_EQ(arp->sender_ip, (Ipv4Address{10, 0, 0, 9}));
    EXPECT_EQ(arp->target_ip, (Ipv4Address{10, 0, 0, 9}));
}

TEST_F(ArpStack, AnswersRequestsForItsAddressAndLearnsTheSender) {
    inject_arp(wire::arp_op::request, mac_of(2), {10, 0, 0, 2}, {10, 0, 0, 1});
    host.poll(1s);
    auto frames = frames_of(host.nic);
    ASSERT_EQ(frames.size(), 1u);
    auto arp = frames[0].arp();
    ASSERT_TRUE(arp);
    EXPECT_EQ(frames[0].eth.dst, mac_of(2));
    EXPECT_EQ(frames[0].eth.src, mac_of(1));
    EXPECT_EQ(arp->operation, wire::arp_op::reply);
    EXPECT_EQ(arp->sender_mac, mac_of(1));
    EXPECT_EQ(arp->sender_ip, (Ipv4Address{10, 0, 0, 1}));
    EXPECT_EQ(arp->target_mac, mac_of(2));
    EXPECT_EQ(arp->target_ip, (Ipv4Address{10, 0, 0, 2}));
    EXPECT_EQ(host.iface->arp().lookup({10, 0, 0, 2}, at(1s)), mac_of(2));
    EXPECT_EQ(host.stack.counters().arp_replies_sent, 1u);
    EXPECT_EQ(frames[0].bytes.size(), 60u); // padded to the Ethernet minimum
}

TEST_F(ArpStack, IgnoresRequestsForOthersWithoutLearning) {
    inject_arp(wire::arp_op::request, mac_of(2), {10, 0, 0, 2}, {10, 0, 0, 77});
    host.poll(1s);
    EXPECT_TRUE(host.nic.take_sent().empty());
    EXPECT_FALSE(host.iface->arp().lookup({10, 0, 0, 2}, at(1s)));
    EXPECT_EQ(host.iface->counters().drop(DropReason::NotForUs), 1u);
}

TEST_F(ArpStack, RejectsPoisonousSenders) {
    // The Ethernet source is fine; the ARP sender claims a group address.
    host.nic.inject(testing::ethernet(
        MacAddress::broadcast(), mac_of(2), wire::ethertype::arp,
        testing::arp({wire::arp_op::request, MacAddress::broadcast(), {10, 0, 0, 2}, {}, {10, 0, 0, 1}})));
    inject_arp(wire::arp_op::request, mac_of(2), {255, 255, 255, 255}, {10, 0, 0, 1});
    host.poll(1s);
    EXPECT_TRUE(host.nic.take_sent().empty());
    EXPECT_EQ(host.iface->counters().drop(DropReason::ArpInvalid), 2u);
}

TEST_F(ArpStack, ResolvesThenSendsQueuedDatagrams) {
    UdpSocket sock(host.stack);
    ASSERT_TRUE(sock.bind(4000));
    const Bytes payload = testing::bytes_of({1, 2, 3});
    ASSERT_TRUE(sock.send_to({{10, 0, 0, 2}, 9}, payload));
    ASSERT_TRUE(sock.send_to({{10, 0, 0, 2}, 9}, payload));
    auto frames = frames_of(host.nic);
    ASSERT_EQ(frames.size(), 1u); // one request, both datagrams wait
    auto req = frames[0].arp();
    ASSERT_TRUE(req);
    EXPECT_EQ(req->target_ip, (Ipv4Address{10, 0, 0, 2}));
    EXPECT_EQ(host.stack.poll_at(), at(1s));

    inject_arp(wire::arp_op::reply, mac_of(2), {10, 0, 0, 2}, {10, 0, 0, 1}, mac_of(1));
    host.poll(100ms);
    frames = frames_of(host.nic);
    ASSERT_EQ(frames.size(), 2u);
    for (auto& f : frames) {
        EXPECT_EQ(f.eth.dst, mac_of(2));
        ASSERT_TRUE(f.udp());
        EXPECT_EQ(f.udp()->dst_port(), 9);
    }
    EXPECT_FALSE(host.stack.poll_at());
}

TEST_F(ArpStack, GivesUpAfterRetriesAndCountsTheDrops) {
    UdpSocket sock(host.stack);
    ASSERT_TRUE(sock.bind(4000));
    ASSERT_TRUE(sock.send_to({{10, 0, 0, 2}, 9}, testing::bytes_of({1})));
    EXPECT_EQ(frames_of(host.nic).size(), 1u);
    host.poll(1s);
    host.poll(2s);
    EXPECT_EQ(frames_of(host.nic).size(), 2u); // the retries
    host.poll(3s);
    EXPECT_TRUE(host.nic.take_sent().empty());
    EXPECT_EQ(host.iface->counters().drop(DropReason::ArpUnresolved), 1u);
    EXPECT_EQ(pool.available(), pool.count());
}

TEST_F(ArpStack, GratuitousArpWhenTheLinkComesUp) {
    host.nic.set_link_up(false);
    host.poll(1s);
    EXPECT_TRUE(host.nic.take_sent().empty());
    host.nic.set_link_up(true);
    host.poll(2s);
    auto frames = frames_of(host.nic);
    ASSERT_EQ(frames.size(), 1u);
    ASSERT_TRUE(frames[0].arp());
    EXPECT_EQ(frames[0].arp()->target_ip, (Ipv4Address{10, 0, 0, 1}));
}

TEST_F(ArpStack, LinkDownDropsWaitingPackets) {
    UdpSocket sock(host.stack);
    ASSERT_TRUE(sock.bind(4000));
    ASSERT_TRUE(sock.send_to({{10, 0, 0, 2}, 9}, testing::bytes_of({1})));
    host.nic.take_sent();
    EXPECT_EQ(host.iface->arp().queued(), 1u);
    host.nic.set_link_up(false);
    host.poll(500ms);
    EXPECT_EQ(host.iface->arp().queued(), 0u);
    EXPECT_EQ(host.iface->counters().drop(DropReason::LinkDown), 1u);
    EXPECT_FALSE(host.stack.poll_at());
    EXPECT_EQ(pool.available(), pool.count());
}

TEST_F(ArpStack, UpdatesFromGratuitousArpOfAKnownNeighbour) {
    inject_arp(wire::arp_op::request, mac_of(2), {10, 0, 0, 2}, {10, 0, 0, 1});
    host.poll(1s);
    host.nic.take_sent();
    inject_arp(wire::arp_op::request, mac_of(5), {10, 0, 0, 2}, {10, 0, 0, 2});
    host.poll(2s);
    EXPECT_EQ(host.iface->arp().lookup({10, 0, 0, 2}, at(2s)), mac_of(5));
}

} // namespace
} // namespace net::test
