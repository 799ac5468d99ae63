// VirtioNet over a fake transport whose device side reads and writes the rings as QEMU would.
#include "drivers/virtio/features.hpp"
#include "drivers/virtio_net/virtio_net.hpp"
#include "fake_virtio_device.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace os::virtio {
namespace {

using testing::FakeQueueDevice;
using testing::FakeTransport;

constexpr std::uint64_t modern_features = bit(feature::net_csum) | bit(feature::net_guest_csum) |
                                          bit(feature::net_mac) | bit(feature::net_mrg_rxbuf) |
                                          bit(feature::net_status) | bit(feature::event_idx) |
                                          bit(feature::version_1);

std::vector<std::byte> frame(std::size_t length, std::uint8_t fill) {
    std::vector<std::byte> f(length, std::byte{fill});
    for (std::size_t i = 0; i < 6; ++i)
        f[i] = std::byte{0x52};
    return f;
}

struct Rig {
    explicit Rig(std::uint64_t features = modern_features, bool modern = true, std::uint16_t queue = 16) {
        auto t = std::make_unique<FakeTransport>();
        t->offered = features;
        t->is_modern = modern;
        t->queue_max = queue;
        t->config = {0x52, 0x54, 0, 0x12, 0x34, 0x56, 1, 0, 1, 0, 0xdc, 0x05};
        transport = t.get();
        pending = std::move(t);
    }
    Result<VirtioNet*> create() { return VirtioNet::create(std::move(pending), 0); }
    FakeQueueDevice& rx() { return *transport->queues[VirtioNet::rx_queue]; }
    FakeQueueDevice& tx() { return *transport->queues[VirtioNet::tx_queue]; }

    // The device receives `bytes` from the wire into the next buffer: header (num_buffers 1) + frame.
    bool deliver(const std::vector<std::byte>& bytes, std::uint8_t flags = 0, std::uint16_t csum_start = 0,
                 std::uint16_t csum_offset = 0, std::uint16_t num_buffers = 1, std::size_t header = 12) {
        auto b = rx().pop();
        if (!b || b->length < header + bytes.size()) return false;
        std::byte* p = b->data();
        std::memset(p, 0, header);
        p[0] = std::byte{flags};
        std::memcpy(p + 6, &csum_start, 2);
        std::memcpy(p + 8, &csum_offset, 2);
        if (header == 12) std::memcpy(p + 10, &num_buffers, 2);
        if (!bytes.empty()) std::memcpy(p + header, bytes.data(), bytes.size());
        return rx().push_used(b->id, static_cast<std::uint32_t>(header + bytes.size()));
    }

    FakeTransport* transport;
    std::unique_ptr<FakeTransport> pending;
    PacketPool pool{64};
};

TEST(VirtioNet, InitialisesInTheOrderOfTheSpec) {
    Rig r;
    auto nic = r.create();
    ASSERT_TRUE(nic.ok()) << nic.error().context;
    std::unique_ptr<VirtioNet> owner(*nic);
    // 3.1.1: ACKNOWLEDGE, DRIVER, FEATURES_OK, DRIVER_OK, each added to the previous ones.
    const std::vector<std::uint8_t> expected{1, 3, 11, 15};
    EXPECT_EQ(r.transport->status_writes, expected);
    EXPECT_EQ(r.transport->driver_features, modern_features);
    EXPECT_TRUE(r.transport->queue_interrupts[VirtioNet::rx_queue]);
    EXPECT_FALSE(r.transport->queue_interrupts[VirtioNet::tx_queue]);
    EXPECT_EQ(owner->mac(), (MacAddress{{0x52, 0x54, 0, 0x12, 0x34, 0x56}}));
    EXPECT_TRUE(owner->link_up());
    EXPECT_EQ(owner->mtu(), 1500) << "MTU not negotiated: the config value is not read";
}

TEST(VirtioNet, ReadsTheMtuWhenNegotiatedAndLinkStatusOnConfigInterrupts) {
    Rig r(modern_features | bit(feature::net_mtu));
    r.transport->config[10] = 0x40; // 1344
    r.transport->config[11] = 0x05;
    std::unique_ptr<VirtioNet> nic(*r.create());
    EXPECT_EQ(nic->mtu(), 1344);
    r.transport->config[6] = 0; // link down, announced by a configuration interrupt
    r.transport->pending_cause = interrupt_cause::config;
    r.transport->handler();
    EXPECT_FALSE(nic->link_up());
    EXPECT_EQ(nic->stats().interrupts, 1u);
}

TEST(VirtioNet, ADeviceThatRefusesOurFeaturesIsMarkedFailed) {
    Rig r;
    r.transport->refuse_features = true;
    auto* transport = r.transport;
    auto nic = r.create();
    ASSERT_FALSE(nic.ok());
    EXPECT_STREQ(nic.error().context, "device refused our features");
    (void)transport; // owned and destroyed by the failed driver
}

TEST(VirtioNet, UnsupportedDevicesSayWhy) {
    Rig legacy(bit(feature::net_mac), false);
    auto nic = legacy.create();
    ASSERT_FALSE(nic.ok());
    EXPECT_STREQ(nic.error().context, "legacy device without ANY_LAYOUT");
    Rig odd(modern_features, true, 96);
    nic = odd.create();
    ASSERT_FALSE(nic.ok());
    EXPECT_STREQ(nic.error().context, "queue size is not a power of two");
}

TEST(VirtioNet, PostsPoolBuffersAndReceivesFramesWithoutCopying) {
    Rig r;
    std::unique_ptr<VirtioNet> nic(*r.create());
    ASSERT_TRUE(nic->start(r.pool).ok());
    EXPECT_EQ(r.rx().available(), 16u) << "the whole receive ring is filled";
    EXPECT_EQ(r.pool.available(), 64u - 16u);
    EXPECT_EQ(r.transport->notifications[VirtioNet::rx_queue], 1u);
    EXPECT_FALSE(nic->rx_pending());

    const auto f = frame(60, 0xab);
    r.deliver(f);
    r.deliver(frame(1514, 0xcd));
    EXPECT_TRUE(nic->rx_pending());
    PacketBatch batch;
    ASSERT_EQ(nic->receive(batch), 2u);
    ASSERT_EQ(batch[0]->size(), 60u);
    EXPECT_EQ(std::memcmp(batch[0]->data().data(), f.data(), 60), 0);
    EXPECT_EQ(batch[0]->headroom(), r.pool.headroom()) << "the frame starts where the stack wants it";
    EXPECT_EQ(batch[1]->size(), 1514u);
    EXPECT_FALSE(batch[0]->checksum_verified());
    EXPECT_EQ(r.rx().available(), 14u + 2u) << "refilled";
    EXPECT_EQ(nic->stats().rx_packets, 2u);
    batch.clear();
    EXPECT_EQ(r.pool.available(), 64u - 16u);
}

TEST(VirtioNet, ReceiveStopsAtTheBatchAndKeepsTheRest) {
    PacketPool pool(128); // outlives the NIC, which holds its buffers
    Rig r(modern_features, true, 64);
    std::unique_ptr<VirtioNet> nic(*r.create());
    ASSERT_TRUE(nic->start(pool).ok());
    for (int i = 0; i < 40; ++i)
        r.deliver(frame(64, static_cast<std::uint8_t>(i)));
    PacketBatch batch;
    EXPECT_EQ(nic->receive(batch), PacketBatch::capacity);
    EXPECT_TRUE(nic->rx_pending());
    batch.clear();
    EXPECT_EQ(nic->receive(batch), 8u);
    EXPECT_EQ(std::to_integer<int>(batch[7]->data()[6]), 39);
    EXPECT_FALSE(nic->rx_pending());
}

TEST(VirtioNet, FinishesPartialChecksumsAndTrustsDataValid) {
    Rig r;
    std::unique_ptr<VirtioNet> nic(*r.create());
    ASSERT_TRUE(nic->start(r.pool).ok());
    auto f = frame(64, 0);
    f[40] = std::byte{0x12}; // some bytes to sum, checksum field at 50
    f[41] = std::byte{0x34};
    r.deliver(f, 1 /* NEEDS_CSUM */, 34, 16);
    r.deliver(frame(64, 0), 2 /* DATA_VALID */);
    PacketBatch batch;
    ASSERT_EQ(nic->receive(batch), 2u);
    const auto d = batch[0]->data();
    EXPECT_NE(std::to_integer<int>(d[50]) | std::to_integer<int>(d[51]), 0) << "checksum written";
    EXPECT_FALSE(batch[0]->checksum_verified());
    EXPECT_TRUE(batch[1]->checksum_verified());
}

TEST(VirtioNet, DropsMalformedAndMultiBufferPackets) {
    Rig r;
    std::unique_ptr<VirtioNet> nic(*r.create());
    ASSERT_TRUE(nic->start(r.pool).ok());
    r.deliver({});                       // shorter than header + Ethernet header
    r.deliver(frame(64, 1), 1, 60, 10);  // checksum offsets outside the frame
    r.deliver(frame(64, 2), 0, 0, 0, 2); // first of a two-buffer packet...
    r.deliver(frame(64, 3));             // ...and its second buffer
    r.deliver(frame(64, 4));             // a good one
    PacketBatch batch;
    ASSERT_EQ(nic->receive(batch), 1u);
    EXPECT_EQ(std::to_integer<int>(batch[0]->data()[6]), 4);
    EXPECT_EQ(nic->stats().rx_dropped, 3u);
    batch.clear();
    EXPECT_EQ(r.pool.available(), 64u - 16u) << "every dropped buffer went back to the pool";
}

TEST(VirtioNet, LegacyHeaderIsTenBytesWithoutMergeableBuffers) {
    Rig r(bit(feature::net_mac) | bit(feature::any_layout), false);
    std::unique_ptr<VirtioNet> nic(*r.create());
    const std::vector<std::uint8_t> expected{1, 3, 7}; // no FEATURES_OK on a legacy device
    EXPECT_EQ(r.transport->status_writes, expected);
    ASSERT_TRUE(nic->start(r.pool).ok());
    const auto f = frame(60, 0x77);
    r.deliver(f, 0, 0, 0, 1, 10);
    PacketBatch batch;
    ASSERT_EQ(nic->receive(batch), 1u);
    EXPECT_EQ(batch[0]->size(), 60u);
    EXPECT_EQ(std::to_integer<int>(batch[0]->data()[59]), 0x77);
}

TEST(VirtioNet, SendsWithAHeaderInTheHeadroomAndReturnsBuffersWhenDone) {
    Rig r;
    std::unique_ptr<VirtioNet> nic(*r.create());
    ASSERT_TRUE(nic->start(r.pool).ok());
    const std::size_t before = r.pool.available();
    PacketBatch batch;
    for (int i = 0; i < 3; ++i) {
        PacketPtr p = r.pool.allocate();
        ASSERT_TRUE(p->append(60));
        std::memset(p->data().data(), i + 1, 60);
        (void)batch.push(std::move(p));
    }
    EXPECT_EQ(nic->send(batch), 3u);
    EXPECT_TRUE(batch.empty());
    EXPECT_EQ(r.transport->notifications[VirtioNet::tx_queue], 1u) << "one doorbell for the batch";
    EXPECT_EQ(r.pool.available(), before - 3) << "the device owns them until it is done";
    for (int i = 0; i < 3; ++i) {
        const auto b = r.tx().pop();
        ASSERT_TRUE(b);
        ASSERT_EQ(b->length, 72u);
        EXPECT_FALSE(b->flags & desc_flag::write);
        for (int k = 0; k < 12; ++k)
            EXPECT_EQ(std::to_integer<int>(b->data()[k]), 0) << "no offload requested";
        EXPECT_EQ(std::to_integer<int>(b->data()[12]), i + 1);
        EXPECT_FALSE(r.tx().push_used(b->id, 0)) << "no interrupts for sent packets";
    }
    PacketBatch none;
    (void)nic->receive(none); // completions are reclaimed on the next receive or send
    EXPECT_EQ(r.pool.available(), before);
    EXPECT_EQ(nic->stats().tx_packets, 3u);
}

TEST(VirtioNet, AFullTransmitRingLeavesTheRestInTheBatch) {
    Rig r(modern_features, true, 8);
    std::unique_ptr<VirtioNet> nic(*r.create());
    ASSERT_TRUE(nic->start(r.pool).ok());
    PacketBatch batch;
    for (int i = 0; i < 12; ++i) {
        PacketPtr p = r.pool.allocate();
        ASSERT_TRUE(p->append(60));
        (void)batch.push(std::move(p));
    }
    EXPECT_EQ(nic->send(batch), 8u);
    EXPECT_EQ(batch.size(), 4u);
}

TEST(VirtioNet, WakeupsWithEventIdx) {
    Rig r;
    std::unique_ptr<VirtioNet> nic(*r.create());
    ASSERT_TRUE(nic->start(r.pool).ok());
    EXPECT_FALSE(nic->enable_rx_wakeup()) << "nothing waiting: the loop may sleep";
    EXPECT_TRUE(r.deliver(frame(60, 1))) << "the device interrupts for the first frame after arming";
    EXPECT_FALSE(r.deliver(frame(60, 2))) << "and not again until the driver re-arms";
    PacketBatch batch;
    EXPECT_EQ(nic->receive(batch), 2u);
    EXPECT_FALSE(r.deliver(frame(60, 3))) << "busy: the poller comes back by itself";
    EXPECT_TRUE(nic->enable_rx_wakeup()) << "a frame arrived meanwhile: poll instead of sleeping";
}

} // namespace
} // namespace os::virtio
