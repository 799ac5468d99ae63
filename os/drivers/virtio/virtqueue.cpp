#include "virtqueue.hpp"

namespace os::virtio {

namespace {
constexpr std::size_t align_up(std::size_t v, std::size_t a) {
    return (v + a - 1) / a * a;
}
constexpr std::size_t descriptor_bytes(std::uint16_t size) {
    return std::size_t{16} * size;
}
constexpr std::size_t available_bytes(std::uint16_t size) {
    return 6 + std::size_t{2} * size; // flags, idx, ring, used_event
}
constexpr std::size_t used_bytes(std::uint16_t size) {
    return 6 + std::size_t{8} * size; // flags, idx, ring, avail_event
}
} // namespace

QueueLayout QueueLayout::modern(std::uint16_t size) {
    QueueLayout l;
    l.size = size;
    l.descriptors = 0;
    l.available = descriptor_bytes(size);
    l.used = align_up(l.available + available_bytes(size), 4);
    l.bytes = l.used + used_bytes(size);
    return l;
}

QueueLayout QueueLayout::legacy(std::uint16_t size, std::size_t align) {
    QueueLayout l;
    l.size = size;
    l.descriptors = 0;
    l.available = descriptor_bytes(size);
    l.used = align_up(l.available + available_bytes(size), align);
    l.bytes = align_up(l.used + used_bytes(size), align);
    return l;
}

SplitQueue::SplitQueue(std::byte* memory, const QueueLayout& layout, bool event_idx)
    : layout_(layout), event_idx_(event_idx),
      descriptors_(reinterpret_cast<Descriptor*>(memory + layout.descriptors)),
      avail_(reinterpret_cast<std::uint16_t*>(memory + layout.available)), used_(memory + layout.used),
      used_flags_(reinterpret_cast<std::uint16_t*>(used_)), used_index_(used_flags_ + 1),
      used_ring_(reinterpret_cast<UsedElement*>(used_ + 4)),
      avail_event_(reinterpret_cast<std::uint16_t*>(used_ + 4 + 8 * std::size_t{layout.size})),
      used_event_(avail_ + 2 + layout.size), free_next_(new std::uint16_t[layout.size]),
      in_flight_(new bool[layout.size]()) {
    for (std::uint16_t i = 0; i < layout.size; ++i)
        free_next_[i] = static_cast<std::uint16_t>(i + 1);
    free_count_ = layout.size;
}

std::optional<std::uint16_t> SplitQueue::add(std::uint64_t address, std::uint32_t length,
                                             bool device_writes) {
    if (free_count_ == 0) return std::nullopt;
    const std::uint16_t id = free_head_;
    free_head_ = free_next_[id];
    --free_count_;
    in_flight_[id] = true;
    Descriptor& d = descriptors_[id];
    d.address = address;
    d.length = length;
    d.flags = device_writes ? desc_flag::write : 0;
    d.next = 0;
    // 2.7.13.2: the ring entry is the head of the chain. Split queue sizes are powers of two (2.7), so the
    // free-running 16-bit index wraps onto the ring cleanly.
    avail_[2 + (next_avail_ & (layout_.size - 1))] = id;
    ++next_avail_;
    return id;
}

bool SplitQueue::publish() {
    if (next_avail_ == published_avail_) return false;
    const std::uint16_t old = published_avail_;
    // 2.7.13.3: descriptors and ring entries are visible before the index that exposes them (release).
    store(&avail_[1], next_avail_);
    published_avail_ = next_avail_;
    // 2.7.13.4: the index must be visible before we read whether the device wants a notification; a store
    // followed by a load needs a full barrier even on x86.
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (event_idx_) return need_event(load(avail_event_), next_avail_, old);
    return (load(used_flags_) & used_flag_no_notify) == 0;
}

bool SplitQueue::has_used() const {
    return load(used_index_) != last_used_;
}

std::optional<UsedBuffer> SplitQueue::take_used() {
    while (load(used_index_) != last_used_) {
        // The acquire load of idx above orders the element reads after it (2.7.14).
        const UsedElement e = used_ring_[last_used_ & (layout_.size - 1)];
        ++last_used_;
        if (e.id >= layout_.size || !in_flight_[e.id]) {
            ++bad_used_;
            continue;
        }
        const auto id = static_cast<std::uint16_t>(e.id);
        in_flight_[id] = false;
        free_next_[id] = free_head_;
        free_head_ = id;
        ++free_count_;
        return UsedBuffer{id, e.length};
    }
    return std::nullopt;
}

void SplitQueue::enable_interrupts() {
    if (event_idx_) {
        // 2.7.7.2: interrupt when the device writes the entry after the ones we have seen.
        store(used_event_, last_used_);
    } else {
        store(&avail_[0], 0);
    }
    // The caller re-checks has_used() next: the write must be visible before that read.
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

void SplitQueue::disable_interrupts() {
    if (event_idx_) {
        // Half the index space away: the device will not reach it before we move it again.
        store(used_event_, static_cast<std::uint16_t>(last_used_ + 0x8000));
    } else {
        store(&avail_[0], avail_flag_no_interrupt);
    }
}

} // namespace os::virtio
