// The AF_PACKET TPACKET_V3 rings with the test playing the kernel: it lays out blocks and frames as
// packet_mmap.rst describes them and checks what the NIC makes of them.
#include "platform/linux/tpacket_ring.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <linux/if_packet.h>
#include <vector>

namespace os::linux_nic {
namespace {

constexpr std::size_t block_size = 4096;
constexpr std::size_t blocks = 4;

struct KernelFrame {
    std::vector<std::byte> bytes;
    std::uint32_t status = TP_STATUS_USER;
    std::uint16_t vlan_tci = 0;
    std::uint16_t vlan_tpid = 0;
    unsigned char pkttype = PACKET_HOST;
};

std::vector<std::byte> ethernet(std::size_t length, std::uint8_t mark) {
    std::vector<std::byte> f(length, std::byte{mark});
    f[12] = std::byte{0x08}; // IPv4 EtherType (payload not parsed unless a checksum is to be finished)
    f[13] = std::byte{0x00};
    return f;
}

// Fills block `index` as the kernel does and hands it to user space.
void fill_block(std::vector<std::byte>& ring, std::size_t index, const std::vector<KernelFrame>& frames) {
    std::byte* b = ring.data() + index * block_size;
    std::memset(b, 0, block_size);
    auto* desc = reinterpret_cast<tpacket_block_desc*>(b);
    desc->version = TPACKET_V3;
    std::size_t at = TPACKET_ALIGN(sizeof(tpacket_block_desc));
    desc->hdr.bh1.offset_to_first_pkt = static_cast<std::uint32_t>(at);
    desc->hdr.bh1.num_pkts = static_cast<std::uint32_t>(frames.size());
    for (std::size_t i = 0; i < frames.size(); ++i) {
        auto* h = reinterpret_cast<tpacket3_hdr*>(b + at);
        const std::size_t mac = TPACKET_ALIGN(TPACKET3_HDRLEN) + 2; // the kernel pads so the IP header aligns
        h->tp_mac = static_cast<std::uint16_t>(mac);
        h->tp_snaplen = static_cast<std::uint32_t>(frames[i].bytes.size());
        h->tp_len = h->tp_snaplen;
        h->tp_status = frames[i].status;
        h->hv1.tp_vlan_tci = frames[i].vlan_tci;
        h->hv1.tp_vlan_tpid = frames[i].vlan_tpid;
        auto* ll = reinterpret_cast<sockaddr_ll*>(b + at + TPACKET_ALIGN(sizeof(tpacket3_hdr)));
        ll->sll_pkttype = frames[i].pkttype;
        std::memcpy(b + at + mac, frames[i].bytes.data(), frames[i].bytes.size());
        const std::size_t next = TPACKET_ALIGN(mac + frames[i].bytes.size());
        h->tp_next_offset = i + 1 < frames.size() ? static_cast<std::uint32_t>(next) : 0;
        at += next;
    }
    __atomic_store_n(&desc->hdr.bh1.block_status, TP_STATUS_USER, __ATOMIC_RELEASE);
}

std::uint32_t block_status(const std::vector<std::byte>& ring, std::size_t index) {
    return reinterpret_cast<const tpacket_block_desc*>(ring.data() + index * block_size)
        ->hdr.bh1.block_status;
}

TEST(TpacketRxRing, ReadsBlocksInOrderAndGivesThemBack) {
    std::vector<std::byte> ring(block_size * blocks);
    TpacketRxRing rx(ring.data(), block_size, blocks);
    PacketPool pool(64);
    PacketBatch batch;
    EXPECT_FALSE(rx.ready());
    EXPECT_EQ(rx.receive(batch, pool), 0u);
    fill_block(ring, 0, {{ethernet(60, 1)}, {ethernet(1514 - 1000, 2)}});
    fill_block(ring, 1, {{ethernet(64, 3)}});
    EXPECT_TRUE(rx.ready());
    ASSERT_EQ(rx.receive(batch, pool), 3u);
    EXPECT_EQ(batch[0]->size(), 60u);
    EXPECT_EQ(std::to_integer<int>(batch[0]->data()[0]), 1);
    EXPECT_EQ(batch[1]->size(), 514u);
    EXPECT_EQ(std::to_integer<int>(batch[2]->data()[20]), 3);
    EXPECT_EQ(batch[0]->headroom(), pool.headroom());
    EXPECT_EQ(block_status(ring, 0), static_cast<std::uint32_t>(TP_STATUS_KERNEL));
    EXPECT_EQ(block_status(ring, 1), static_cast<std::uint32_t>(TP_STATUS_KERNEL));
    EXPECT_FALSE(rx.ready());
    EXPECT_EQ(rx.stats().frames, 3u);
}

TEST(TpacketRxRing, StopsAtAFullBatchInsideABlockAndResumes) {
    std::vector<std::byte> ring(block_size * blocks);
    TpacketRxRing rx(ring.data(), block_size, blocks);
    PacketPool pool(64);
    std::vector<KernelFrame> frames;
    for (int i = 0; i < 40; ++i)
        frames.push_back({ethernet(60, static_cast<std::uint8_t>(i))});
    fill_block(ring, 0, frames);
    PacketBatch batch;
    ASSERT_EQ(rx.receive(batch, pool), PacketBatch::capacity);
    EXPECT_EQ(block_status(ring, 0), static_cast<std::uint32_t>(TP_STATUS_USER)) << "still being read";
    EXPECT_TRUE(rx.ready());
    batch.clear();
    ASSERT_EQ(rx.receive(batch, pool), 8u);
    EXPECT_EQ(std::to_integer<int>(batch[7]->data()[0]), 39);
    EXPECT_EQ(block_status(ring, 0), static_cast<std::uint32_t>(TP_STATUS_KERNEL));
}

TEST(TpacketRxRing, WrapsAroundTheRing) {
    std::vector<std::byte> ring(block_size * blocks);
    TpacketRxRing rx(ring.data(), block_size, blocks);
    PacketPool pool(16);
    for (int round = 0; round < 10; ++round) {
        fill_block(ring, round % blocks, {{ethernet(60, static_cast<std::uint8_t>(round))}});
        PacketBatch batch;
        ASSERT_EQ(rx.receive(batch, pool), 1u) << round;
        EXPECT_EQ(std::to_integer<int>(batch[0]->data()[0]), round);
    }
}

TEST(TpacketRxRing, PutsBackTheVlanTagTheKernelTookOut) {
    std::vector<std::byte> ring(block_size * blocks);
    TpacketRxRing rx(ring.data(), block_size, blocks);
    PacketPool pool(16);
    KernelFrame f{ethernet(60, 9), TP_STATUS_USER | TP_STATUS_VLAN_VALID | TP_STATUS_VLAN_TPID_VALID, 0x200a,
                  0x8100};
    fill_block(ring, 0, {f});
    PacketBatch batch;
    ASSERT_EQ(rx.receive(batch, pool), 1u);
    const auto d = batch[0]->data();
    ASSERT_EQ(d.size(), 64u);
    EXPECT_EQ(std::to_integer<int>(d[11]), 9);
    EXPECT_EQ(std::to_integer<int>(d[12]), 0x81);
    EXPECT_EQ(std::to_integer<int>(d[13]), 0x00);
    EXPECT_EQ(std::to_integer<int>(d[14]), 0x20); // PCP 1, VID 10
    EXPECT_EQ(std::to_integer<int>(d[15]), 0x0a);
    EXPECT_EQ(std::to_integer<int>(d[16]), 0x08); // the original EtherType follows the tag
}

TEST(TpacketRxRing, SkipsOurOwnTransmissionsAndTruncatedFramesAndCountsThem) {
    std::vector<std::byte> ring(block_size * blocks);
    TpacketRxRing rx(ring.data(), block_size, blocks);
    PacketPool pool(16);
    KernelFrame outgoing{ethernet(60, 1)};
    outgoing.pkttype = PACKET_OUTGOING;
    fill_block(ring, 0, {outgoing, {ethernet(60, 2)}});
    // A frame the kernel cut short (snaplen < len) is not a frame we can forward.
    auto* h = reinterpret_cast<tpacket3_hdr*>(ring.data() + TPACKET_ALIGN(sizeof(tpacket_block_desc)));
    h = reinterpret_cast<tpacket3_hdr*>(reinterpret_cast<std::byte*>(h) + h->tp_next_offset);
    h->tp_len = 3000;
    PacketBatch batch;
    EXPECT_EQ(rx.receive(batch, pool), 0u);
    EXPECT_EQ(rx.stats().outgoing, 1u);
    EXPECT_EQ(rx.stats().dropped, 1u);
    EXPECT_EQ(pool.available(), 16u);
}

TEST(TpacketRxRing, FinishesPartialChecksumsAndTrustsValidOnes) {
    std::vector<std::byte> ring(block_size * blocks);
    TpacketRxRing rx(ring.data(), block_size, blocks);
    PacketPool pool(16);
    // IPv4/UDP with only the pseudo-header sum in the checksum field (CHECKSUM_PARTIAL from a namespace).
    std::vector<std::byte> udp(42 + 6, std::byte{0});
    const unsigned char ip[] = {0x45, 0, 0, 34, 0, 1, 0x40, 0, 64, 17, 0, 0, 10, 0, 1, 2, 10, 0, 2, 2};
    std::memcpy(udp.data() + 14, ip, sizeof ip);
    udp[12] = std::byte{0x08};
    udp[36] = std::byte{0x13}; // dst port 5000
    udp[37] = std::byte{0x88};
    udp[39] = std::byte{14}; // length
    fill_block(ring, 0,
               {{udp, TP_STATUS_USER | TP_STATUS_CSUMNOTREADY},
                {ethernet(60, 1), TP_STATUS_USER | TP_STATUS_CSUM_VALID}});
    PacketBatch batch;
    ASSERT_EQ(rx.receive(batch, pool), 2u);
    EXPECT_NE(std::to_integer<int>(batch[0]->data()[40]) | std::to_integer<int>(batch[0]->data()[41]), 0);
    EXPECT_FALSE(batch[0]->checksum_verified());
    EXPECT_TRUE(batch[1]->checksum_verified());
}

TEST(TpacketTxRing, FillsSlotsForTheKernelAndStopsWhenFull) {
    constexpr std::size_t frame_size = 2048, count = 4;
    std::vector<std::byte> ring(frame_size * count);
    TpacketTxRing tx(ring.data(), frame_size, count);
    EXPECT_EQ(tx.max_frame(), frame_size - TPACKET_ALIGN(sizeof(tpacket3_hdr)));
    const auto f = ethernet(60, 5);
    for (std::size_t i = 0; i < count; ++i)
        ASSERT_TRUE(tx.push(f));
    EXPECT_FALSE(tx.push(f)) << "every slot waits for the kernel";
    auto* h = reinterpret_cast<tpacket3_hdr*>(ring.data());
    EXPECT_EQ(h->tp_status, static_cast<std::uint32_t>(TP_STATUS_SEND_REQUEST));
    EXPECT_EQ(h->tp_len, 60u);
    EXPECT_EQ(h->tp_next_offset, 0u);
    EXPECT_EQ(std::to_integer<int>(ring[TPACKET_ALIGN(sizeof(tpacket3_hdr)) + 20]), 5);
    // The kernel sends slot 0 and hands it back: the next push reuses it.
    h->tp_status = TP_STATUS_AVAILABLE;
    EXPECT_TRUE(tx.push(f));
    EXPECT_FALSE(tx.push(std::vector<std::byte>(frame_size, std::byte{0}))) << "larger than a slot";
}

TEST(TpacketTxRing, WithAVnetHeaderTheKernelCopiesTheWholeFrame) {
    constexpr std::size_t frame_size = 2048, count = 2;
    std::vector<std::byte> ring(frame_size * count);
    TpacketTxRing tx(ring.data(), frame_size, count, true);
    EXPECT_EQ(tx.max_frame(), frame_size - TPACKET_ALIGN(sizeof(tpacket3_hdr)) - 10);
    ASSERT_TRUE(tx.push(ethernet(300, 7)));
    auto* h = reinterpret_cast<tpacket3_hdr*>(ring.data());
    EXPECT_EQ(h->tp_len, 310u) << "struct virtio_net_hdr + frame";
    const std::byte* vnet = ring.data() + TPACKET_ALIGN(sizeof(tpacket3_hdr));
    EXPECT_EQ(std::to_integer<int>(vnet[0]), 0) << "no offload flags";
    EXPECT_EQ(std::to_integer<int>(vnet[2]) | (std::to_integer<int>(vnet[3]) << 8), 300) << "hdr_len = frame";
    EXPECT_EQ(std::to_integer<int>(vnet[10]), 7) << "the frame follows the header";
}

} // namespace
} // namespace os::linux_nic
