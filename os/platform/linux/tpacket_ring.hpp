// The AF_PACKET rings of a TPACKET_V3 socket (packet(7), Documentation/networking/packet_mmap.rst), walked
// over memory only: the kernel fills receive blocks and drains transmit frames, and host tests play the
// kernel over a plain buffer.
//
//   receive: blocks; the kernel hands a whole block over (TP_STATUS_USER) when it is full or its timer
//            retires it; we walk its frames (tpacket3_hdr, tp_next_offset) and give it back
//            (TP_STATUS_KERNEL).
//   transmit: fixed frames; we fill one and mark it TP_STATUS_SEND_REQUEST, the kernel sends it on the next
//            send() and marks it TP_STATUS_AVAILABLE again.
#pragma once

#include <halite/os/packet_buffer.hpp>

#include <cstddef>
#include <cstdint>
#include <span>

namespace os::linux_nic {

struct RxFrameStats {
    std::uint64_t frames = 0;
    std::uint64_t dropped = 0;  // longer than a pool buffer, or no buffer left
    std::uint64_t outgoing = 0; // our own transmissions, looped back to packet sockets
};

class TpacketRxRing {
public:
    TpacketRxRing(std::byte* memory, std::size_t block_size, std::size_t block_count)
        : memory_(memory), block_size_(block_size), block_count_(block_count) {}

    // True when the current block is ours to read.
    bool ready() const;
    // Copies up to batch.free_space() frames into pool buffers appended to `batch`, restoring an 802.1Q tag
    // the kernel moved out of the frame and completing checksums a sender on this host left partial.
    // Returns how many it appended.
    std::size_t receive(PacketBatch& batch, PacketPool& pool);
    const RxFrameStats& stats() const { return stats_; }

private:
    std::byte* block(std::size_t i) const { return memory_ + i * block_size_; }
    void release_block();
    bool copy_frame(const std::byte* header, PacketBatch& batch, PacketPool& pool);

    std::byte* memory_;
    std::size_t block_size_;
    std::size_t block_count_;
    std::size_t current_ = 0;
    // Position inside the current block while it is being read.
    const std::byte* next_frame_ = nullptr;
    std::uint32_t frames_left_ = 0;
    RxFrameStats stats_;
};

class TpacketTxRing {
public:
    // `vnet_header`: the socket has PACKET_VNET_HDR, so each slot starts with a struct virtio_net_hdr (10
    // bytes); push() fills it with hdr_len = the frame's length, which makes the kernel copy the whole
    // frame into the socket buffer's linear part. Without it the kernel copies only the Ethernet header and
    // attaches the rest as a fragment of the ring's page, which a veth into another namespace must then copy
    // into a newly allocated page (skb_copy_ubufs), one page allocation per frame.
    TpacketTxRing(std::byte* memory, std::size_t frame_size, std::size_t frame_count,
                  bool vnet_header = false)
        : memory_(memory), frame_size_(frame_size), frame_count_(frame_count),
          vnet_header_(vnet_header ? 10 : 0) {}

    // Copies `frame` into the next free slot and hands it to the kernel; false when the ring is full or the
    // frame does not fit a slot.
    bool push(std::span<const std::byte> frame);
    // Largest frame a slot holds.
    std::size_t max_frame() const;

private:
    std::byte* memory_;
    std::size_t frame_size_;
    std::size_t frame_count_;
    std::size_t vnet_header_;
    std::size_t next_ = 0;
};

} // namespace os::linux_nic
