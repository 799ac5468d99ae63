// The transmit loop the AF_PACKET and AF_XDP NICs share: frames from the front of a batch are copied into a
// transmit ring (TpacketTxRing, XskTxRing: push(frame) is false when no slot is free) until it is full.
#pragma once

#include <halite/os/packet_buffer.hpp>

#include <cstddef>
#include <cstdint>

namespace os::linux_nic {

struct TxPushed {
    std::size_t taken = 0;  // left the batch: copied, or dropped as longer than a slot
    std::size_t queued = 0; // copied into the ring
};

// A frame longer than the ring's slots is counted in `too_long` and dropped. The frames taken leave the batch
// (their buffers go back to the pool); the rest stay in it for a later send.
template <class Ring>
TxPushed push_frames(PacketBatch& batch, Ring& ring, std::uint64_t& too_long) {
    TxPushed pushed;
    for (; pushed.taken < batch.size(); ++pushed.taken) {
        PacketBuffer& p = *batch[pushed.taken];
        if (p.size() > ring.max_frame()) {
            ++too_long;
            continue;
        }
        if (!ring.push(p.data())) break; // the ring is full
        ++pushed.queued;
    }
    batch.remove_front(pushed.taken);
    return pushed;
}

} // namespace os::linux_nic
