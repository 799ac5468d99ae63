// The split virtqueue (virtio 1.2, 2.7), driver side: a descriptor table, the available ring the driver
// fills and the used ring the device fills, in memory both share. Every buffer here is one descriptor (a
// packet buffer is contiguous), so the free list is a stack of descriptor ids.
//
// Hardware-free: it works on any memory block, so host tests play the device over plain memory.
// Byte order: virtio 1.x rings are little-endian and legacy ones guest-endian; this driver is x86-64 only,
// where both are the native order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

namespace os::virtio {

// Where the three areas sit in one zeroed block (virtio 1.2, 2.7: alignments 16, 2 and 4; legacy devices
// want the used ring on the next `align` boundary, 2.7.2).
struct QueueLayout {
    std::uint16_t size = 0;      // a power of two (2.7); see valid_queue_size()
    std::size_t descriptors = 0; // offsets into the block
    std::size_t available = 0;
    std::size_t used = 0;
    std::size_t bytes = 0;

    static QueueLayout modern(std::uint16_t size);
    static QueueLayout legacy(std::uint16_t size, std::size_t align = 4096);
};

constexpr bool valid_queue_size(std::uint16_t size) {
    return size != 0 && (size & (size - 1)) == 0;
}

// Descriptor flags (2.7.5) and ring flags (2.7.6, 2.7.8).
namespace desc_flag {
inline constexpr std::uint16_t next = 1;
inline constexpr std::uint16_t write = 2; // the device writes this buffer
} // namespace desc_flag
inline constexpr std::uint16_t avail_flag_no_interrupt = 1;
inline constexpr std::uint16_t used_flag_no_notify = 1;

struct UsedBuffer {
    std::uint16_t id;     // the descriptor add() returned
    std::uint32_t length; // bytes the device wrote
};

// virtio 1.2, 2.7.7.2 / 2.7.10: with EVENT_IDX, the other side is signalled when the index moves past
// `event`, i.e. event lies in [old, new).
constexpr bool need_event(std::uint16_t event, std::uint16_t new_index, std::uint16_t old_index) {
    return static_cast<std::uint16_t>(new_index - event - 1) <
           static_cast<std::uint16_t>(new_index - old_index);
}

class SplitQueue {
public:
    // `memory`: layout.bytes zeroed bytes that live as long as the queue. `event_idx`: VIRTIO_F_EVENT_IDX was
    // negotiated (the event fields replace the flags).
    SplitQueue(std::byte* memory, const QueueLayout& layout, bool event_idx);
    SplitQueue(const SplitQueue&) = delete;
    SplitQueue& operator=(const SplitQueue&) = delete;

    std::uint16_t size() const { return layout_.size; }
    std::uint16_t free_descriptors() const { return free_count_; }
    const QueueLayout& layout() const { return layout_; }

    // Queues one buffer (`device_writes`: a receive buffer). Returns its descriptor id, which comes back in
    // UsedBuffer::id, or nullopt when every descriptor is in flight. Not visible to the device before
    // publish().
    std::optional<std::uint16_t> add(std::uint64_t address, std::uint32_t length, bool device_writes);
    // Makes the added buffers visible (2.7.13.3) and says whether the device wants a notification for them
    // (2.7.10): VIRTQ_USED_F_NO_NOTIFY, or avail_event with EVENT_IDX.
    bool publish();

    // True when the device has returned buffers not yet taken.
    bool has_used() const;
    // The next returned buffer, in the device's order; its descriptor is free again. A descriptor id the
    // device returns that is not in flight is skipped and counted (a broken device must not corrupt us).
    std::optional<UsedBuffer> take_used();
    std::uint64_t bad_used_entries() const { return bad_used_; }

    // Used-buffer notifications (interrupts) for this queue, 2.7.7: on asks for one when the device returns
    // the next buffer; off asks for none (best effort: the device may still send some).
    void enable_interrupts();
    void disable_interrupts();

private:
    // The rings' fixed fields, as the spec lays them out (device memory, not packet bytes).
    struct Descriptor {
        std::uint64_t address;
        std::uint32_t length;
        std::uint16_t flags;
        std::uint16_t next;
    };
    struct UsedElement {
        std::uint32_t id;
        std::uint32_t length;
    };

    std::uint16_t load(const std::uint16_t* field) const { return __atomic_load_n(field, __ATOMIC_ACQUIRE); }
    void store(std::uint16_t* field, std::uint16_t v) { __atomic_store_n(field, v, __ATOMIC_RELEASE); }

    QueueLayout layout_;
    bool event_idx_;
    Descriptor* descriptors_;
    std::uint16_t* avail_; // flags, idx, ring[size], used_event
    std::byte* used_;      // le16 flags, le16 idx, UsedElement ring[size], le16 avail_event
    std::uint16_t* used_flags_;
    std::uint16_t* used_index_;
    UsedElement* used_ring_;
    std::uint16_t* avail_event_;
    std::uint16_t* used_event_;

    // Driver-private bookkeeping, kept out of the device's reach.
    std::unique_ptr<std::uint16_t[]> free_next_; // free list through descriptor ids
    std::unique_ptr<bool[]> in_flight_;
    std::uint16_t free_head_ = 0;
    std::uint16_t free_count_ = 0;
    std::uint16_t next_avail_ = 0;      // our shadow of avail->idx
    std::uint16_t published_avail_ = 0; // avail->idx at the last publish()
    std::uint16_t last_used_ = 0;
    std::uint64_t bad_used_ = 0;
};

} // namespace os::virtio
