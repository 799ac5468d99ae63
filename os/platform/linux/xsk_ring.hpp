// The four rings of an AF_XDP socket (Documentation/networking/af_xdp.rst) and the frames of its UMEM, walked
// over memory only: the kernel fills receive descriptors and drains transmit ones, and host tests play the
// kernel over plain buffers.
//
//   receive:  the fill ring gives the kernel free UMEM frames; it copies each frame it redirects to us into
//             one and posts {address, length} on the receive ring; we copy the frame out into a pool buffer
//             and give its UMEM frame straight back on the fill ring.
//   transmit: we copy a frame into a free UMEM frame of our own and post it on the transmit ring; after the
//             kernel has sent it, it posts the address on the completion ring and the frame is free again.
//
// Every ring is a power-of-two array with a producer and a consumer index that only grow (they wrap at 2^32,
// the index into the array is index & (size - 1)). The side that produces writes the entries, then publishes
// the producer index with release order; the side that consumes reads it with acquire order, reads the
// entries, then publishes its consumer index the same way.
#pragma once

#include <halite/os/packet_buffer.hpp>

#include <cstddef>
#include <cstdint>
#include <linux/if_xdp.h>
#include <span>
#include <vector>

namespace os::linux_nic {

// One ring as mapped from the socket: its two indices and its entries (xdp_desc on the receive and transmit
// rings, UMEM addresses on the fill and completion rings).
struct XskRingMemory {
    std::uint32_t* producer = nullptr;
    std::uint32_t* consumer = nullptr;
    void* entries = nullptr;
    std::uint32_t size = 0; // a power of two
};

struct XskRxStats {
    std::uint64_t frames = 0;
    std::uint64_t dropped =
        0; // a descriptor outside the UMEM, a frame too short or too long, or no buffer left
    std::uint64_t checksums_completed = 0; // TCP/UDP checksums a local sender left partial
};

// The receive ring and the fill ring. The UMEM's receive frames are handed to the kernel once, at the
// start; afterwards each frame read goes back on the fill ring at once, so the fill ring (as large as there
// are receive frames) never overflows.
class XskRxRing {
public:
    XskRxRing(XskRingMemory rx, XskRingMemory fill, std::span<std::byte> umem, std::uint32_t frame_size)
        : rx_(rx), fill_(fill), umem_(umem), frame_size_(frame_size) {}

    // Posts the UMEM frames [first, first + count) on the fill ring (count <= the fill ring's size).
    void give_frames(std::uint32_t first, std::uint32_t count);
    // True when the kernel has posted frames we have not read.
    bool ready() const;
    // Copies up to batch.free_space() frames into pool buffers appended to `batch` and returns how many it
    // appended; their UMEM frames go back to the kernel. Completes the TCP/UDP checksum of a frame that
    // carries only its pseudo-header sum (net_offload::complete_unmarked_partial_checksum).
    std::size_t receive(PacketBatch& batch, PacketPool& pool);
    const XskRxStats& stats() const { return stats_; }

private:
    XskRingMemory rx_;
    XskRingMemory fill_;
    std::span<std::byte> umem_;
    std::uint32_t frame_size_;
    XskRxStats stats_;
};

// The transmit ring and the completion ring, with the UMEM frames set aside for sending.
class XskTxRing {
public:
    // The transmit frames are the UMEM frames [first, first + count); count <= the completion ring's size,
    // so every frame in flight has a place there.
    XskTxRing(XskRingMemory tx, XskRingMemory completion, std::span<std::byte> umem, std::uint32_t frame_size,
              std::uint32_t first, std::uint32_t count);

    // Copies `frame` into a free transmit frame and queues its descriptor (not yet visible to the kernel:
    // see publish()); false when no frame is free or the frame is longer than a UMEM frame.
    bool push(std::span<const std::byte> frame);
    // Makes the queued descriptors visible to the kernel.
    void publish();
    // Descriptors the kernel has not taken from the transmit ring yet.
    std::uint32_t unsent() const;
    std::uint32_t max_frame() const { return frame_size_; }
    // Frames the kernel finished with, taken back from the completion ring (also done by push()).
    void reclaim();
    std::size_t free_frames() const { return free_.size(); }

private:
    XskRingMemory tx_;
    XskRingMemory completion_;
    std::span<std::byte> umem_;
    std::uint32_t frame_size_;
    std::uint32_t frame_count_;
    std::uint32_t tx_producer_; // our copy, ahead of the published one until publish()
    std::vector<std::uint64_t> free_;
};

} // namespace os::linux_nic
