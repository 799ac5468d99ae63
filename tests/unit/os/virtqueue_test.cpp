#include "drivers/virtio/virtqueue.hpp"
#include "fake_virtio_device.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace os::virtio {
namespace {

using testing::FakeQueueDevice;

struct Rig {
    explicit Rig(std::uint16_t size, bool event_idx = false, bool legacy = false)
        : layout(legacy ? QueueLayout::legacy(size) : QueueLayout::modern(size)), memory(layout.bytes),
          queue(memory.data(), layout, event_idx), device(memory.data(), layout, event_idx) {}
    QueueLayout layout;
    std::vector<std::byte> memory;
    SplitQueue queue;
    FakeQueueDevice device;
};

TEST(QueueLayout, ModernAreasFollowEachOtherWithTheirAlignments) {
    const auto l = QueueLayout::modern(256);
    EXPECT_EQ(l.descriptors, 0u);
    EXPECT_EQ(l.available, 4096u);        // 16 bytes per descriptor
    EXPECT_EQ(l.used, 4096u + 520u);      // 6 + 2 * 256 = 518, aligned to 4
    EXPECT_EQ(l.bytes, 4616u + 6 + 2048); // 6 + 8 * 256
}

TEST(QueueLayout, LegacyUsedRingStartsOnTheNextPage) {
    // virtio 1.2, 2.7.2: used ring at ALIGN(16 * size + 6 + 2 * size).
    const auto l = QueueLayout::legacy(256);
    EXPECT_EQ(l.used, 8192u);
    EXPECT_EQ(l.bytes, 12288u);
    EXPECT_EQ(QueueLayout::legacy(8).used, 4096u);
}

TEST(QueueSize, PowersOfTwoOnly) {
    EXPECT_TRUE(valid_queue_size(1));
    EXPECT_TRUE(valid_queue_size(256));
    EXPECT_FALSE(valid_queue_size(0));
    EXPECT_FALSE(valid_queue_size(96));
}

TEST(NeedEvent, SignalsWhenTheIndexMovesPastTheEvent) {
    EXPECT_TRUE(need_event(0, 1, 0));           // event 0 crossed by 0 -> 1
    EXPECT_FALSE(need_event(1, 1, 0));          // event 1 not yet reached
    EXPECT_TRUE(need_event(5, 10, 3));          // event in [3, 10)
    EXPECT_FALSE(need_event(2, 10, 3));         // already passed before
    EXPECT_TRUE(need_event(0xffff, 2, 0xfffe)); // across the wrap
}

TEST(SplitQueue, DeviceSeesBuffersInOrderWithTheirFlags) {
    Rig r(8);
    EXPECT_EQ(r.queue.free_descriptors(), 8u);
    const auto a = r.queue.add(0x1000, 100, true);
    const auto b = r.queue.add(0x2000, 200, false);
    ASSERT_TRUE(a && b);
    EXPECT_EQ(r.queue.free_descriptors(), 6u);
    EXPECT_EQ(r.device.available(), 0u) << "not visible before publish()";
    EXPECT_TRUE(r.queue.publish());
    ASSERT_EQ(r.device.available(), 2u);
    const auto first = r.device.pop();
    EXPECT_EQ(first->id, *a);
    EXPECT_EQ(first->address, 0x1000u);
    EXPECT_EQ(first->length, 100u);
    EXPECT_EQ(first->flags, desc_flag::write);
    const auto second = r.device.pop();
    EXPECT_EQ(second->id, *b);
    EXPECT_EQ(second->flags, 0);
}

TEST(SplitQueue, UsedBuffersComeBackAndFreeTheirDescriptors) {
    Rig r(4);
    std::vector<std::uint16_t> ids;
    for (int i = 0; i < 4; ++i)
        ids.push_back(*r.queue.add(0x1000 * (i + 1), 64, true));
    EXPECT_FALSE(r.queue.add(0x9000, 64, true)) << "all in flight";
    (void)r.queue.publish();
    EXPECT_FALSE(r.queue.has_used());
    // The device may complete out of order.
    r.device.push_used(ids[2], 10);
    r.device.push_used(ids[0], 20);
    EXPECT_TRUE(r.queue.has_used());
    auto u = r.queue.take_used();
    EXPECT_EQ(u->id, ids[2]);
    EXPECT_EQ(u->length, 10u);
    u = r.queue.take_used();
    EXPECT_EQ(u->id, ids[0]);
    EXPECT_FALSE(r.queue.take_used());
    EXPECT_EQ(r.queue.free_descriptors(), 2u);
}

TEST(SplitQueue, IndicesWrapAroundSixteenBits) {
    Rig r(4, true);
    for (int round = 0; round < 70000; ++round) {
        const auto id = r.queue.add(0x1000, 64, false);
        ASSERT_TRUE(id);
        (void)r.queue.publish();
        const auto b = r.device.pop();
        ASSERT_TRUE(b);
        ASSERT_EQ(b->id, *id);
        r.device.push_used(b->id, 64);
        const auto u = r.queue.take_used();
        ASSERT_TRUE(u);
        ASSERT_EQ(u->id, *id);
    }
    EXPECT_EQ(r.queue.free_descriptors(), 4u);
}

TEST(SplitQueue, ABrokenDeviceCannotReturnWhatIsNotInFlight) {
    Rig r(4);
    const auto id = *r.queue.add(0x1000, 64, true);
    (void)r.queue.publish();
    r.device.push_used(99, 1);           // out of range
    r.device.push_used((id + 1) % 4, 1); // never given to the device
    r.device.push_used(id, 64);
    r.device.push_used(id, 64); // twice
    const auto u = r.queue.take_used();
    ASSERT_TRUE(u);
    EXPECT_EQ(u->id, id);
    EXPECT_FALSE(r.queue.take_used());
    EXPECT_EQ(r.queue.bad_used_entries(), 3u);
    EXPECT_EQ(r.queue.free_descriptors(), 4u);
}

TEST(SplitQueue, NotificationsFollowTheDevicesNoNotifyFlag) {
    Rig r(8);
    (void)r.queue.add(0x1000, 64, true);
    EXPECT_TRUE(r.queue.publish());
    r.device.set_no_notify(true);
    (void)r.queue.add(0x2000, 64, true);
    EXPECT_FALSE(r.queue.publish());
    EXPECT_FALSE(r.queue.publish()) << "nothing new: no notification";
}

TEST(SplitQueue, NotificationsFollowAvailEventWithEventIdx) {
    Rig r(8, true);
    r.device.set_avail_event(0); // "notify when you make buffer 0 available"
    (void)r.queue.add(0x1000, 64, true);
    EXPECT_TRUE(r.queue.publish());
    (void)r.queue.add(0x2000, 64, true);
    EXPECT_FALSE(r.queue.publish()) << "avail_event 0 already passed";
    r.device.set_avail_event(3);
    (void)r.queue.add(0x3000, 64, true);
    EXPECT_FALSE(r.queue.publish()); // idx 2 -> 3: event 3 not crossed
    (void)r.queue.add(0x4000, 64, true);
    (void)r.queue.add(0x5000, 64, true);
    EXPECT_TRUE(r.queue.publish()); // 3 -> 5 crosses event 3
}

TEST(SplitQueue, InterruptSuppressionWithFlags) {
    Rig r(8);
    for (int i = 0; i < 3; ++i)
        (void)r.queue.add(0x1000, 64, true);
    (void)r.queue.publish();
    r.queue.disable_interrupts();
    EXPECT_FALSE(r.device.push_used(r.device.pop()->id, 1));
    r.queue.enable_interrupts();
    EXPECT_TRUE(r.device.push_used(r.device.pop()->id, 1));
}

TEST(SplitQueue, InterruptSuppressionWithEventIdxAsksForTheNextBufferOnly) {
    Rig r(8, true);
    for (int i = 0; i < 4; ++i)
        (void)r.queue.add(0x1000, 64, true);
    (void)r.queue.publish();
    r.queue.disable_interrupts();
    EXPECT_FALSE(r.device.push_used(r.device.pop()->id, 1));
    (void)r.queue.take_used();
    r.queue.enable_interrupts(); // used_event = 1: interrupt when entry 1 is written
    EXPECT_EQ(r.device.used_event(), 1u);
    EXPECT_TRUE(r.device.push_used(r.device.pop()->id, 1));
    EXPECT_FALSE(r.device.push_used(r.device.pop()->id, 1)) << "one interrupt until the driver re-arms";
}

TEST(SplitQueue, LegacyLayoutWorksTheSame) {
    Rig r(16, false, true);
    const auto id = *r.queue.add(0xabc000, 1500, true);
    (void)r.queue.publish();
    const auto b = r.device.pop();
    EXPECT_EQ(b->address, 0xabc000u);
    r.device.push_used(b->id, 60);
    EXPECT_EQ(r.queue.take_used()->id, id);
}

} // namespace
} // namespace os::virtio
