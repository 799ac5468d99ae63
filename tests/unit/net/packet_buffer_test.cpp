#include "net/packet_buffer.hpp"

#include <gtest/gtest.h>

namespace net {
namespace {

TEST(PacketPool, AllocatesEveryBufferOnceThenRunsOut) {
    PacketPool pool(3, 256, 64);
    EXPECT_EQ(pool.available(), 3u);
    PacketPtr a = pool.allocate(), b = pool.allocate(), c = pool.allocate();
    ASSERT_TRUE(a && b && c);
    EXPECT_FALSE(pool.allocate());
    EXPECT_EQ(pool.available(), 0u);
    b.reset();
    EXPECT_EQ(pool.available(), 1u);
    PacketPtr d = pool.allocate();
    EXPECT_TRUE(d);
}

TEST(PacketBuffer, WindowOperations) {
    PacketPool pool(1, 256, 64);
    PacketPtr p = pool.allocate();
    EXPECT_EQ(p->size(), 0u);
    EXPECT_EQ(p->headroom(), 64u);
    EXPECT_EQ(p->tailroom(), 192u);
    ASSERT_TRUE(p->append(100));
    EXPECT_EQ(p->size(), 100u);
    EXPECT_FALSE(p->append(93));
    ASSERT_TRUE(p->prepend(14));
    EXPECT_EQ(p->size(), 114u);
    EXPECT_EQ(p->headroom(), 50u);
    EXPECT_FALSE(p->prepend(51));
    ASSERT_TRUE(p->consume_front(14));
    EXPECT_FALSE(p->consume_front(101));
    ASSERT_TRUE(p->truncate(60));
    EXPECT_EQ(p->size(), 60u);
    EXPECT_FALSE(p->truncate(61));
    EXPECT_TRUE(p->set_window(10, 246));
    EXPECT_FALSE(p->set_window(10, 247));
    EXPECT_FALSE(p->set_window(257, 0));
}

TEST(PacketBuffer, ReusedBufferStartsEmptyAtHeadroom) {
    PacketPool pool(1, 128, 32);
    {
        PacketPtr p = pool.allocate();
        ASSERT_TRUE(p->prepend(32));
        ASSERT_TRUE(p->append(50));
    }
    PacketPtr p = pool.allocate();
    EXPECT_EQ(p->size(), 0u);
    EXPECT_EQ(p->headroom(), 32u);
}

TEST(PacketBatch, PushFullRemoveFront) {
    PacketPool pool(PacketBatch::capacity + 1, 64, 0);
    PacketBatch batch;
    for (std::size_t i = 0; i < PacketBatch::capacity; ++i) {
        PacketPtr p = pool.allocate();
        ASSERT_TRUE(p->append(i % 60));
        EXPECT_FALSE(batch.push(std::move(p)));
    }
    EXPECT_TRUE(batch.full());
    PacketPtr extra = pool.allocate();
    PacketPtr back = batch.push(std::move(extra));
    EXPECT_TRUE(back); // refused, returned
    batch.remove_front(3);
    EXPECT_EQ(batch.size(), PacketBatch::capacity - 3);
    EXPECT_EQ(batch[0]->size(), 3u);
    batch.clear();
    back.reset();
    EXPECT_EQ(pool.available(), pool.count());
}

} // namespace
} // namespace net
