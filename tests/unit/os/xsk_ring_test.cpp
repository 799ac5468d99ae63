// The AF_XDP rings with the test playing the kernel: it takes frames from the fill ring, posts receive
// descriptors, takes transmit descriptors and posts completions, as af_xdp.rst describes, and checks what
// the NIC makes of them. The indices start just below 2^32 so every test also crosses their wrap.
#include "platform/linux/xsk_ring.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace os::linux_nic {
namespace {

constexpr std::uint32_t frame_size = 2048;
constexpr std::uint32_t start_index = 0xfffffffe;

// One ring's memory: indices and entries, as the socket's mmap gives them.
template <class Entry>
struct Ring {
    explicit Ring(std::uint32_t size) : entries(size) {}
    std::uint32_t producer = start_index;
    std::uint32_t consumer = start_index;
    std::vector<Entry> entries;
    XskRingMemory memory() {
        return {&producer, &consumer, entries.data(), static_cast<std::uint32_t>(entries.size())};
    }
    Entry& at(std::uint32_t index) { return entries[index & (entries.size() - 1)]; }
};

std::vector<std::byte> frame(std::size_t length, std::uint8_t mark) {
    return std::vector<std::byte>(length, std::byte{mark});
}

struct XskRxRingTest : ::testing::Test {
    static constexpr std::uint32_t frames = 4;
    std::vector<std::byte> umem = std::vector<std::byte>(frames * frame_size);
    Ring<xdp_desc> rx{4};
    Ring<std::uint64_t> fill{4};
    PacketPool pool{40};
    XskRxRing ring{rx.memory(), fill.memory(), umem, frame_size};

    // The kernel: takes a frame from the fill ring, copies `bytes` into it after the 256 bytes of headroom
    // it keeps, and posts the descriptor.
    void kernel_receive(const std::vector<std::byte>& bytes) {
        ASSERT_NE(fill.consumer, fill.producer) << "no frame on the fill ring";
        const std::uint64_t address = fill.at(fill.consumer++) + 256;
        std::memcpy(umem.data() + address, bytes.data(), bytes.size());
        rx.at(rx.producer++) = xdp_desc{address, static_cast<std::uint32_t>(bytes.size()), 0};
    }
};

TEST_F(XskRxRingTest, GivesEveryFrameThenCopiesFramesOutAndReturnsThem) {
    ring.give_frames(0, frames);
    EXPECT_EQ(fill.producer - fill.consumer, frames);
    for (std::uint32_t i = 0; i < frames; ++i)
        EXPECT_EQ(fill.at(start_index + i), std::uint64_t{i} * frame_size);
    EXPECT_FALSE(ring.ready());

    kernel_receive(frame(60, 0xa1));
    kernel_receive(frame(1514, 0xb2));
    EXPECT_TRUE(ring.ready());
    PacketBatch batch;
    EXPECT_EQ(ring.receive(batch, pool), 2u);
    ASSERT_EQ(batch.size(), 2u);
    EXPECT_EQ(batch[0]->size(), 60u);
    EXPECT_EQ(batch[0]->data()[59], std::byte{0xa1});
    EXPECT_EQ(batch[1]->size(), 1514u);
    EXPECT_EQ(batch[1]->data()[0], std::byte{0xb2});
    EXPECT_FALSE(ring.ready());
    EXPECT_EQ(rx.consumer, rx.producer);
    // Both frames are back on the fill ring, as whole frames (the kernel's headroom offset masked off).
    EXPECT_EQ(fill.producer - fill.consumer, frames);
    EXPECT_EQ(fill.at(fill.producer - 2), 0u);
    EXPECT_EQ(fill.at(fill.producer - 1), frame_size);
    EXPECT_EQ(ring.stats().frames, 2u);
}

TEST_F(XskRxRingTest, StopsWhenTheBatchIsFullAndLeavesTheRest) {
    ring.give_frames(0, frames);
    PacketBatch batch;
    while (!batch.full())
        ASSERT_TRUE(batch.push(pool.allocate()) == nullptr);
    batch.remove_front(1);
    kernel_receive(frame(64, 1));
    kernel_receive(frame(64, 2));
    EXPECT_EQ(ring.receive(batch, pool), 1u);
    EXPECT_TRUE(ring.ready());
    batch.clear();
    EXPECT_EQ(ring.receive(batch, pool), 1u);
    EXPECT_EQ(batch[0]->data()[0], std::byte{2});
}

TEST_F(XskRxRingTest, CountsAndDropsBadDescriptorsButKeepsTheirFrames) {
    ring.give_frames(0, frames);
    kernel_receive(frame(10, 1));                               // shorter than an Ethernet header
    rx.at(rx.producer++) = xdp_desc{umem.size() - 100, 200, 0}; // runs past the UMEM
    ++fill.consumer;
    PacketBatch batch;
    EXPECT_EQ(ring.receive(batch, pool), 0u);
    EXPECT_EQ(ring.stats().dropped, 2u);
    EXPECT_EQ(fill.producer - fill.consumer, frames);
}

TEST_F(XskRxRingTest, CountsAFrameWithNoPoolBufferLeft) {
    ring.give_frames(0, frames);
    std::vector<PacketPtr> held;
    while (PacketPtr p = pool.allocate())
        held.push_back(std::move(p));
    kernel_receive(frame(64, 1));
    PacketBatch batch;
    EXPECT_EQ(ring.receive(batch, pool), 0u);
    EXPECT_EQ(ring.stats().dropped, 1u);
    EXPECT_FALSE(ring.ready());
}

struct XskTxRingTest : ::testing::Test {
    static constexpr std::uint32_t first = 2, count = 4;
    std::vector<std::byte> umem = std::vector<std::byte>((first + count) * frame_size);
    Ring<xdp_desc> tx{4};
    Ring<std::uint64_t> completion{4};
    XskTxRing ring{tx.memory(), completion.memory(), umem, frame_size, first, count};

    // The kernel: sends every published descriptor and posts its address as completed.
    std::vector<std::vector<std::byte>> kernel_send() {
        std::vector<std::vector<std::byte>> sent;
        for (; tx.consumer != tx.producer; ++tx.consumer) {
            const xdp_desc d = tx.at(tx.consumer);
            sent.emplace_back(umem.begin() + static_cast<std::ptrdiff_t>(d.addr),
                              umem.begin() + static_cast<std::ptrdiff_t>(d.addr + d.len));
            completion.at(completion.producer++) = d.addr;
        }
        return sent;
    }
};

TEST_F(XskTxRingTest, QueuesFramesInItsOwnUmemFramesAndPublishesThemTogether) {
    EXPECT_EQ(ring.free_frames(), count);
    EXPECT_TRUE(ring.push(frame(60, 7)));
    EXPECT_TRUE(ring.push(frame(100, 8)));
    EXPECT_EQ(tx.producer, start_index); // not visible before publish()
    ring.publish();
    EXPECT_EQ(ring.unsent(), 2u);
    for (std::uint32_t i = 0; i < 2; ++i) {
        const xdp_desc d = tx.at(start_index + i);
        EXPECT_GE(d.addr, std::uint64_t{first} * frame_size);
        EXPECT_EQ(d.addr % frame_size, 0u);
        EXPECT_EQ(d.options, 0u);
    }
    const auto sent = kernel_send();
    EXPECT_EQ(ring.unsent(), 0u);
    ASSERT_EQ(sent.size(), 2u);
    EXPECT_EQ(sent[0], frame(60, 7));
    EXPECT_EQ(sent[1], frame(100, 8));
}

TEST_F(XskTxRingTest, RefusesWhenEveryFrameIsInFlightUntilTheKernelCompletesThem) {
    for (std::uint32_t i = 0; i < count; ++i)
        EXPECT_TRUE(ring.push(frame(64, static_cast<std::uint8_t>(i))));
    EXPECT_FALSE(ring.push(frame(64, 9)));
    ring.publish();
    EXPECT_FALSE(ring.push(frame(64, 9))); // sent by nobody yet: still in flight
    EXPECT_EQ(kernel_send().size(), count);
    EXPECT_TRUE(ring.push(frame(64, 9))); // reclaims the completed frames
    EXPECT_EQ(completion.consumer, completion.producer);
    EXPECT_EQ(ring.free_frames(), count - 1);
    ring.publish();
    const auto sent = kernel_send();
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0], frame(64, 9));
}

TEST_F(XskTxRingTest, RefusesAFrameLongerThanAUmemFrame) {
    EXPECT_FALSE(ring.push(frame(frame_size + 1, 1)));
    EXPECT_TRUE(ring.push(frame(frame_size, 1)));
    EXPECT_EQ(ring.free_frames(), count - 1);
}

} // namespace
} // namespace os::linux_nic
